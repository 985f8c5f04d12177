package domain

import "testing"

// Wordings seen in one-door exports, with accents or without, abbreviated,
// with a remark or a qualifier after them.
func TestStatusWordings(t *testing.T) {
	for in, want := range map[string]Status{
		"Kết quả sẵn sàng":                 StatusDone,
		"ket qua san sang":                 StatusDone,
		"Đã có kết quả (chờ trả)":          StatusDone,
		"Chờ trả kết quả":                  StatusDone,
		"Đã xử lý xong":                    StatusDone,
		"Đã trả kết quả":                   StatusReturned,
		"Đã trả KQ":                        StatusReturned,
		"Đã trả kết quả đúng hạn":          StatusReturned,
		"Đã trả kết quả (trước hạn)":       StatusReturned,
		"Đã trả kết quả quá hạn":           StatusReturned,
		"Đã trả kết quả cho công dân":      StatusReturned,
		"ĐÃ TRẢ KẾT QUẢ - ĐÚNG HẠN":        StatusReturned,
		"Đã trả kết quả qua bưu điện":      StatusReturned,
		"Đã trả":                           StatusReturned,
		"Hoàn thành":                       StatusReturned,
		"Đang thụ lý":                      StatusInProgress,
		"Chờ phê duyệt":                    StatusInProgress,
		"Chờ bổ sung hồ sơ":                StatusSupplementRequested,
		"Y/c bổ sung":                      0,
		"Chờ thực hiện NVTC":               StatusPaymentRequired,
		"Chờ nộp phí, lệ phí":              StatusPaymentRequired,
		"Công dân rút hồ sơ":               StatusWithdrawn,
		"Đã hủy":                           StatusWithdrawn,
		"Tạm dừng":                         StatusStopped,
		"Từ chối tiếp nhận hồ sơ":          StatusNotAccepted,
		"Đã tiếp nhận HS":                  StatusAccepted,
		"Mới đăng ký (trực tuyến)":         StatusNew,
		"đúng hạn":                         0,
		"bưu điện":                         0,
		"Đã trả kết quả cho người khác xa": 0,
	} {
		got, err := ParseStatus(in)
		if want == 0 {
			if err == nil {
				t.Errorf("ParseStatus(%q) = %v, want an error", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("ParseStatus(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestIntakeWordings(t *testing.T) {
	for in, want := range map[string]Intake{
		"Bưu điện":                           IntakePostal,
		"Qua bưu điện":                       IntakePostal,
		"Nộp qua bưu chính công ích":         IntakePostal,
		"Nộp qua dịch vụ bưu chính công ích": IntakePostal,
		"Nộp trực tiếp":                      IntakeDirect,
		"Tại Bộ phận Một cửa":                IntakeDirect,
		"Nộp trực tuyến":                     IntakeOnline,
		"Cổng Dịch vụ công quốc gia":         IntakeOnline,
		"Trực tuyến (DVC toàn trình)":        IntakeOnline,
		"fax":                                0,
	} {
		got, err := ParseIntake(in)
		if want == 0 {
			if err == nil {
				t.Errorf("ParseIntake(%q) = %v, want an error", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("ParseIntake(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}
