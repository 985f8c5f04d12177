//go:build e2e

package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	ticketRe    = regexp.MustCompile(`PA-\d{4}-\d{4}`)
	anyTicketRe = regexp.MustCompile(`(PA|KN|TC)-\d{4}-\d{4}`)
)

// sendFeedback takes c through /gopy: category (its button's label), text,
// no photo, identity (the anonymity button's label; "" for complaints and
// denunciations, which have no such step), «Gửi». It returns the ticket.
func sendFeedback(t *testing.T, c *Citizen, category, text, identity string) string {
	t.Helper()
	c.Command("/gopy")
	m := c.WaitFor(t, "gửi ý kiến về việc gì", wait)
	c.PressButton(t, m, category)
	c.WaitFor(t, "mô tả sự việc", wait)
	c.Send(text)
	m = c.WaitFor(t, "tối đa 5 ảnh", wait)
	c.PressButton(t, m, "Tiếp tục")
	if identity != "" {
		m = c.WaitFor(t, "danh tính", wait)
		c.PressButton(t, m, identity)
	}
	if identity != "Gửi ẩn danh" {
		giveIdentity(t, c)
	}
	m = c.WaitFor(t, "kiểm tra lại trước khi gửi", wait)
	c.PressButton(t, m, "Gửi")
	ticket := anyTicketRe.FindString(c.WaitFor(t, "✅ UBND xã đã", wait).Text)
	if ticket == "" {
		t.Fatal("no ticket in the acknowledgement")
	}
	return ticket
}

// giveIdentity answers the name and phone a message sent with identity
// asks for.
func giveIdentity(t *testing.T, c *Citizen) {
	t.Helper()
	c.WaitFor(t, "họ và tên", wait)
	c.Send("Nguyễn Văn Dân")
	c.WaitFor(t, "số điện thoại để cán bộ liên hệ lại", wait)
	c.Send("0912 345 678")
}

// A citizen's feedback with a photo and a location reaches the official of
// its field, who answers; the citizen finds the answer unhelpful and the
// head of the one-stop shop gets it; the SLA job escalates what nobody took.
func TestFeedbackRoundTrip(t *testing.T) {
	peer := startPeer(t)
	b := startBot(t, peer, nil)
	b.Limits(t, 30, 1)
	roads := b.Citizen(t, 8001, "Giao thông")
	register(t, b, roads, "--role", "official", "--name", "Lê Văn Đường", "--field", "Xây dựng")
	head := b.Citizen(t, 8002, "Trưởng BPMC")
	register(t, b, head, "--role", "official", "--name", "Phó Chủ tịch Một cửa", "--head")

	c := b.Citizen(t, 8101, "Lan")
	agree(t, c)
	c.Command("/gopy")
	m := c.WaitFor(t, "gửi ý kiến về việc gì", wait)
	c.PressButton(t, m, "Đường sá")
	c.WaitFor(t, "mô tả sự việc", wait)
	c.Send("Đèn đường ở ngã ba thôn An Hòa bị hỏng từ tuần trước, buổi tối rất tối.")
	c.WaitFor(t, "tối đa 5 ảnh", wait)
	c.Photo("đèn hỏng")
	c.WaitFor(t, "Đã nhận 1 ảnh", wait)
	c.Raw(map[string]any{"location": map[string]any{"latitude": 15.05, "longitude": 108.76}})
	m = c.WaitFor(t, "và vị trí", wait)
	c.PressButton(t, m, "Tiếp tục")
	m = c.WaitFor(t, "danh tính", wait)
	c.PressButton(t, m, "Gửi kèm danh tính")
	giveIdentity(t, c)
	m = c.WaitFor(t, "kiểm tra lại trước khi gửi", wait)
	if !strings.Contains(m.Text, "1 ảnh") || !strings.Contains(m.Text, "15.050000") {
		t.Errorf("preview lacks the photo or the place: %s", m.Text)
	}
	if !strings.Contains(m.Text, "Nguyễn Văn Dân · 091****678") {
		t.Errorf("preview lacks the sender, phone masked: %s", m.Text)
	}
	c.PressButton(t, m, "Gửi")
	ack := c.WaitFor(t, "Mã số", wait)
	ticket := ticketRe.FindString(ack.Text)
	if ticket == "" {
		t.Fatalf("no ticket in %q", ack.Text)
	}

	// The official of roads (Xây dựng) gets it, with the photo passed on.
	note := roads.WaitFor(t, ticket, 10*time.Second)
	if !note.HasButton("Trả lời") || !strings.Contains(note.Text, "Đèn đường") {
		t.Fatalf("the official's notice: %s", note)
	}
	if !strings.Contains(note.Text, "Nguyễn Văn Dân · 0912345678") {
		t.Errorf("the official's notice lacks the sender to call back: %s", note)
	}
	photo := roads.Next(t, 10*time.Second)
	if !photo.Photo {
		t.Errorf("the citizen's photo did not follow the notice: %s", photo)
	}
	roads.PressButton(t, note, "Trả lời")
	roads.WaitFor(t, "gõ nội dung trả lời", wait)
	roads.Send("Xã đã cử tổ điện thay bóng đèn chiều nay. Cảm ơn Anh/Chị đã phản ánh.")
	roads.WaitFor(t, "Đã gửi trả lời", wait)

	answer := c.WaitFor(t, "trả lời phản ánh "+ticket, 10*time.Second)
	if !strings.Contains(answer.Text, "thay bóng đèn") {
		t.Errorf("the citizen's answer: %s", answer.Text)
	}
	c.PressButton(t, answer, "Chưa hữu ích")
	c.WaitFor(t, "xem xét lại", wait)
	head.WaitFor(t, "chưa hài lòng với câu trả lời cho phản ánh "+ticket, 10*time.Second)

	// A citizen pressing an official's button is refused.
	c.Press(note.ID, "fb/act/"+ticket+":take")
	c.WaitFor(t, "chỉ dành cho cán bộ", wait)

	// Nobody takes a second one: the SLA job tells the head once its refuse
	// clock (2 working days) has run out, and only once.
	second := sendFeedback(t, c, "Việc khác", "Đề nghị xã sớm sửa lại cầu tràn qua suối ở thôn Xuân Vinh.", "Gửi ẩn danh")
	head.WaitFor(t, second, 10*time.Second) // "other" goes to the head
	later := weekday(time.Now().AddDate(0, 0, 14)).Format(time.RFC3339)
	xabot(t, b, "jobs", "run", "feedback-sla", "--at", later)
	head.WaitFor(t, "🔴 Phản ánh "+second, 10*time.Second)
	xabot(t, b, "jobs", "run", "feedback-sla", "--at", later, "--again")
	for _, m := range drainFor(head, 2*time.Second) {
		if strings.Contains(m.Text, "🔴 Phản ánh "+second) {
			t.Errorf("the SLA escalation came twice: %s", m.Text)
		}
	}
	b.WaitCallbacksAnswered(t, wait)
}

// weekday moves t off a weekend (the jobs skip days off).
func weekday(t time.Time) time.Time {
	for t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		t = t.AddDate(0, 0, 1)
	}
	return t
}
