package domain

import (
	"fmt"
	"strconv"
	"strings"

	"xabot/internal/fold"
)

// Status is a dossier's state in the province's one-door system, by the
// de-facto 1–10 codes (docs/STATISTICS.md «Statuses»).
type Status int

// The ten statuses.
const (
	StatusNew                 Status = 1  // mới đăng ký
	StatusAccepted            Status = 2  // được tiếp nhận
	StatusNotAccepted         Status = 3  // không được tiếp nhận
	StatusInProgress          Status = 4  // đang xử lý
	StatusSupplementRequested Status = 5  // yêu cầu bổ sung giấy tờ
	StatusPaymentRequired     Status = 6  // yêu cầu thực hiện nghĩa vụ tài chính
	StatusWithdrawn           Status = 7  // công dân yêu cầu rút hồ sơ
	StatusStopped             Status = 8  // dừng xử lý
	StatusDone                Status = 9  // đã xử lý xong (kết quả sẵn sàng)
	StatusReturned            Status = 10 // đã trả kết quả
)

var statusNames = [...]string{"", "new", "accepted", "not_accepted", "in_progress",
	"supplement_requested", "payment_required", "withdrawn", "stopped", "done", "returned"}

// Vietnamese names as one-door exports print them, folded; matched loosely.
var statusVietnamese = map[string]Status{
	"moi dang ky": 1, "moi": 1, "cho tiep nhan": 1,
	"duoc tiep nhan": 2, "da tiep nhan": 2, "tiep nhan": 2,
	"khong duoc tiep nhan": 3, "tu choi": 3, "tu choi tiep nhan": 3, "khong tiep nhan": 3,
	"dang xu ly": 4, "dang giai quyet": 4,
	"yeu cau bo sung giay to": 5, "yeu cau bo sung": 5, "bo sung": 5, "cho bo sung": 5,
	"yeu cau thuc hien nghia vu tai chinh": 6, "nghia vu tai chinh": 6, "cho thanh toan": 6,
	"cong dan yeu cau rut ho so": 7, "rut ho so": 7, "da rut": 7, "cong dan rut": 7,
	"dung xu ly": 8, "dung giai quyet": 8,
	"da xu ly xong": 9, "da co ket qua": 9, "co ket qua": 9, "cho tra ket qua": 9,
	"da tra ket qua": 10, "tra ket qua": 10, "hoan thanh": 10,
}

// String returns the status's English name (docs/STATISTICS.md «Statuses»),
// e.g. "done".
func (s Status) String() string {
	if s.Valid() {
		return statusNames[s]
	}
	return "status(" + strconv.Itoa(int(s)) + ")"
}

// Valid reports whether s is one of the ten codes.
func (s Status) Valid() bool { return s >= StatusNew && s <= StatusReturned }

// Ended reports whether processing has ended: not accepted, withdrawn,
// stopped, result ready or returned. These need finished_at.
func (s Status) Ended() bool {
	switch s {
	case StatusNotAccepted, StatusWithdrawn, StatusStopped, StatusDone, StatusReturned:
		return true
	}
	return false
}

// Resolved reports whether s counts as "đã giải quyết" in reports
// (statuses 3, 8, 9, 10; docs/STATISTICS.md «Statuses»).
func (s Status) Resolved() bool { return s.Ended() && s != StatusWithdrawn }

// ParseStatus reads a status as its code ("9"), its English name ("done") or
// a Vietnamese name with or without accents ("Đã trả kết quả").
func ParseStatus(s string) (Status, error) {
	t := strings.TrimSpace(s)
	if n, err := strconv.Atoi(t); err == nil {
		if st := Status(n); st.Valid() {
			return st, nil
		}
		return 0, fmt.Errorf("status %q: not between 1 and 10", s)
	}
	f := fold.String(t)
	for i, name := range statusNames {
		if i > 0 && (f == name || f == strings.ReplaceAll(name, "_", " ")) {
			return Status(i), nil
		}
	}
	if st, ok := statusByWords(t); ok {
		return st, nil
	}
	return 0, fmt.Errorf("status %q: unknown", s)
}
