package bot

import (
	"strings"
	"testing"

	"xabot/internal/domain"
)

// On a channel without buttons (Zalo's numbered lists) every step of
// /thutuc is reached by typing: the number of a field, the number of a
// procedure, or words.
func TestProceduresTypedOnly(t *testing.T) {
	f := newFixture(t, zaloFeatures)
	steps := []struct{ in, want string }{
		{"/thutuc", "gõ tên thủ tục cần tìm"},
		{"2", "📋 Thủ tục lĩnh vực Hộ tịch"},
		{"2", "📋 Đăng ký khai sinh\nMã thủ tục: 1.001193.000.00.00.H55"},
		{"thủ tục chứng thực", "⏱ Thời hạn giải quyết: trong ngày"},
		{"/thutuc", "Chứng thực"},
		{"ĐĂNG KÝ KẾT HÔN", "🌐 Nộp hồ sơ trực tuyến được"},
	}
	for _, s := range steps {
		f.send("300", s.in)
		var got []string
		for _, r := range f.rec.take() {
			got = append(got, r.Text)
		}
		if text := strings.Join(got, "\n"); !strings.Contains(text, s.want) {
			t.Fatalf("%q: got %q, want %q in it", s.in, text, s.want)
		}
	}
}

// An entry of a long catalogue row (30 documents) still goes out, in as
// few messages as the channel allows.
func TestProcedureEntryOfManyDocuments(t *testing.T) {
	f := newFixture(t, zaloFeatures)
	p := domain.Procedure{Code: "1.004991.000.00.00.H55", Name: "Đăng ký đất đai, tài sản gắn liền với đất lần đầu",
		Field: "Đất đai", Days: 15, Fee: "Theo quy định của HĐND tỉnh", Online: domain.OnlinePartial}
	for i := range 30 {
		p.Documents = append(p.Documents, "Bản sao giấy tờ về quyền sử dụng đất số "+strings.Repeat("x", i)+" có chứng thực")
	}
	if err := f.db.UpsertProcedure(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	f.send("301", "/thutuc đăng ký đất đai lần đầu")
	replies := f.rec.take()
	if len(replies) == 0 || !strings.Contains(replies[0].Text, "Đăng ký đất đai") || messages(replies, zaloFeatures) > 3 {
		t.Fatalf("replies %d (%d messages): %+v", len(replies), messages(replies, zaloFeatures), replies)
	}
}
