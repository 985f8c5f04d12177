package bot

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/service/officials"
)

// The officials' side of feedback and the citizen's replies, driven through
// the router like a phone would; notices come out of the SQLite outbox.
const (
	fbHead    = "1"  // head of the one-stop shop
	fbBuilder = "2"  // field "Xây dựng": roads_lighting is routed to them
	fbLand    = "3"  // field "Đất đai": a colleague to forward to
	fbCitizen = "10" // sends the feedback
	fbOther   = "11" // another citizen
)

var fbTicket = regexp.MustCompile(`PA-\d{4}-\d{4}`)

// fbNotice is a queued notice, decoded from the outbox payload
// ({"text", "buttons": [[{"label", "data"}]]}; JSON names match any case).
type fbNotice struct {
	Text    string
	Buttons [][]struct{ Label, Data string }
}

func (n fbNotice) data() []string {
	var out []string
	for _, row := range n.Buttons {
		for _, b := range row {
			out = append(out, b.Data)
		}
	}
	return out
}

type fbFixture struct{ *staffFixture }

// newFeedbackFixture registers the head, the builder and the land official
// and takes both citizens through the privacy consent.
func newFeedbackFixture(t *testing.T) *fbFixture {
	t.Helper()
	f := &fbFixture{newStaffFixture(t)}
	f.official(fbHead, "Lê Thị Một Cửa", true)
	f.official(fbBuilder, "Trần Văn Xây", false, "Xây dựng")
	f.official(fbLand, "Phạm Văn Đất", false, "Đất đai")
	f.agree(fbCitizen)
	f.agree(fbOther)
	f.drain()
	return f
}

func (f *fbFixture) official(user, name string, head bool, fields ...string) {
	f.t.Helper()
	code, _, err := f.staff.Invite(f.t.Context(), officials.ActorCLI, name, domain.RoleOfficial, fields, head)
	if err != nil {
		f.t.Fatal(err)
	}
	f.expect(user, "/dangky "+code, "Đăng ký thành công")
}

// toConfirm takes user through the dialog up to the confirm step.
func (f *fbFixture) toConfirm(user, text string) {
	f.t.Helper()
	for _, l := range []string{"/gopy", "[feedback/ask_category/roads_lighting]", text,
		"[feedback/ask_media/done]", "[feedback/ask_anon/no]", "Nguyễn Thị Mai", "0912 345 678"} {
		f.send(user, l)
	}
	if got := f.rec.take(); len(got) == 0 || !strings.Contains(got[len(got)-1].Text, f.text("feedback.preview_head")) {
		f.t.Fatalf("%s: no preview before confirm: %+v", user, got)
	}
}

// submit files a roads_lighting feedback and returns its ticket.
func (f *fbFixture) submit(user, text string) string {
	f.t.Helper()
	f.toConfirm(user, text)
	got := f.say(user, "[feedback/confirm/send]")
	ticket := fbTicket.FindString(got)
	if ticket == "" {
		f.t.Fatalf("%s: no ticket in the acknowledgement %q", user, got)
	}
	return ticket
}

// drain takes every queued notice out of the outbox, as the sender would,
// by recipient chat key ("tg:2").
func (f *fbFixture) drain() map[string][]fbNotice {
	f.t.Helper()
	ctx := f.t.Context()
	out := map[string][]fbNotice{}
	for {
		rows, err := f.db.DueOutgoing(ctx, f.now.Add(365*24*time.Hour), 100)
		if err != nil {
			f.t.Fatal(err)
		}
		if len(rows) == 0 {
			return out
		}
		for _, m := range rows {
			var n fbNotice
			if err := json.Unmarshal(m.Payload, &n); err != nil {
				f.t.Fatalf("outbox %s: %v", m.Key, err)
			}
			out[m.To] = append(out[m.To], n)
			if err := f.db.MarkSent(ctx, m.ID, f.now); err != nil {
				f.t.Fatal(err)
			}
		}
	}
}

// notice returns the one notice to user whose text contains want.
func (f *fbFixture) notice(got map[string][]fbNotice, user, want string) fbNotice {
	f.t.Helper()
	for _, n := range got["tg:"+user] {
		if strings.Contains(n.Text, want) {
			return n
		}
	}
	f.t.Fatalf("no notice to %s containing %q among %+v", user, want, got["tg:"+user])
	return fbNotice{}
}

func (f *fbFixture) state(ticket string) domain.Feedback {
	f.t.Helper()
	fb, err := f.db.FeedbackByTicket(f.t.Context(), ticket)
	if err != nil {
		f.t.Fatal(err)
	}
	return fb
}

func (f *fbFixture) want(ticket string, status domain.FeedbackStatus, owner string) {
	f.t.Helper()
	if fb := f.state(ticket); fb.Status != status || fb.Owner != owner {
		f.t.Errorf("%s: status %s owner %q, want %s %q", ticket, fb.Status, fb.Owner, status, owner)
	}
}

// TestFeedbackTakeMoreAnswerReopenClose: the field's official takes the
// ticket, asks for more, the citizen adds it, the official answers, the
// citizen finds it not helpful, the head answers again and it closes.
func TestFeedbackTakeMoreAnswerReopenClose(t *testing.T) {
	f := newFeedbackFixture(t)
	t1 := f.submit(fbCitizen, "Đèn đường ở thôn An Hòa bị hỏng từ tuần trước, tối rất nguy hiểm.")
	f.want(t1, domain.FeedbackNew, "")

	// Only the builder hears about it, with every button.
	got := f.drain()
	n := f.notice(got, fbBuilder, f.text("feedback.new", "ticket", t1, "refuse", "27/11/2026", "answer", "16/12/2026"))
	act := "fb/act/" + t1 + ":"
	if d, w := strings.Join(n.data(), " "), act+"take "+act+"answer "+act+"more "+act+"refuse "+act+"forward"; d != w {
		t.Fatalf("buttons under the new notice: %s, want %s", d, w)
	}
	if len(got["tg:"+fbHead]) != 0 || len(got["tg:"+fbLand]) != 0 {
		t.Errorf("a roads_lighting feedback reached the head or the land official: %+v", got)
	}

	f.expect(fbBuilder, "[fb/act/"+t1+":take]", f.text("fb.took", "ticket", t1))
	f.want(t1, domain.FeedbackTaken, "tg:"+fbBuilder)
	f.notice(f.drain(), fbCitizen, f.text("feedback.taken", "ticket", t1, "due", "16/12/2026"))

	// More: the request reaches the citizen with the supplement button.
	f.expect(fbBuilder, "[fb/act/"+t1+":more]", f.text("fb.ask_more", "ticket", t1))
	f.expect(fbBuilder, "Cột đèn số mấy, gần nhà ai?", f.text("fb.more_sent", "ticket", t1))
	f.want(t1, domain.FeedbackMoreRequested, "tg:"+fbBuilder)
	n = f.notice(f.drain(), fbCitizen, "Cột đèn số mấy, gần nhà ai?")
	if d := n.data(); len(d) != 1 || d[0] != "fb/supp/"+t1 {
		t.Fatalf("buttons under the request for more: %v", d)
	}
	f.expect(fbCitizen, "["+n.data()[0]+"]", f.text("fb.ask_supp", "ticket", t1))
	f.expect(fbCitizen, "Cột số 12, trước nhà văn hóa thôn.", f.text("fb.supplement_sent", "ticket", t1))
	f.want(t1, domain.FeedbackTaken, "tg:"+fbBuilder)
	if s := f.state(t1).SupplementText; s != "Cột số 12, trước nhà văn hóa thôn." {
		t.Errorf("supplement stored = %q", s)
	}
	f.notice(f.drain(), fbBuilder, "Cột số 12, trước nhà văn hóa thôn.")

	// Answer, then not helpful: reopened for the head.
	f.expect(fbBuilder, "[fb/act/"+t1+":answer]", f.text("fb.ask_answer", "ticket", t1))
	f.expect(fbBuilder, "Đã thay bóng đèn cột số 12 ngày 26/11.", f.text("fb.answered", "ticket", t1))
	f.want(t1, domain.FeedbackAnswered, "tg:"+fbBuilder)
	n = f.notice(f.drain(), fbCitizen, "Đã thay bóng đèn cột số 12 ngày 26/11.")
	if d := n.data(); len(d) != 2 || d[0] != "fb/rate/"+t1+":yes" || d[1] != "fb/rate/"+t1+":no" {
		t.Fatalf("rating buttons under the answer: %v", d)
	}
	f.expect(fbCitizen, "[fb/rate/"+t1+":no]", f.text("fb.thanks_reopened", "ticket", t1))
	f.want(t1, domain.FeedbackReopened, "tg:"+fbHead)
	got = f.drain()
	n = f.notice(got, fbHead, "chưa hài lòng")
	if !strings.Contains(n.Text, "Đã thay bóng đèn") || !strings.Contains(strings.Join(n.data(), " "), t1+":answer") {
		t.Errorf("head's reopened notice = %+v, want the old answer and an answer button", n)
	}

	// The builder no longer owns it; the head answers, the citizen is satisfied.
	f.expect(fbBuilder, "[fb/act/"+t1+":take]", f.text("feedback.not_owner", "ticket", t1))
	f.expect(fbHead, "[fb/act/"+t1+":answer]", f.text("fb.ask_answer", "ticket", t1))
	f.expect(fbHead, "Đã thay cả dây điện; đèn sáng từ 27/11.", f.text("fb.answered", "ticket", t1))
	f.want(t1, domain.FeedbackAnswered, "tg:"+fbHead)
	f.drain()
	f.expect(fbCitizen, "[fb/rate/"+t1+":yes]", f.text("fb.thanks_helpful", "ticket", t1))
	f.want(t1, domain.FeedbackClosed, "tg:"+fbHead)
	f.notice(f.drain(), fbHead, f.text("feedback.rated_helpful", "ticket", t1))
	// A second rating changes nothing.
	f.expect(fbCitizen, "[fb/rate/"+t1+":no]", f.text("feedback.not_now.closed", "ticket", t1))
	f.want(t1, domain.FeedbackClosed, "tg:"+fbHead)
	f.expect(fbCitizen, "/gopy "+t1, f.text("feedback.status.closed"))
}

// TestFeedbackRefuseForwardAndInbox: refuse one ticket, forward another to
// a colleague picked from the buttons, then /phananh's lists.
func TestFeedbackRefuseForwardAndInbox(t *testing.T) {
	f := newFeedbackFixture(t)
	t2 := f.submit(fbCitizen, "Đường liên xã đoạn qua thôn Phú Lộc có ổ gà lớn.")
	t3 := f.submit(fbCitizen, "Ranh giới lối đi chung ở xóm Đông bị lấn chiếm.")
	t4 := f.submit(fbOther, "Cống thoát nước đầu thôn Tây bị tắc, đường ngập.")
	f.drain()
	const reason = "Quốc lộ do Sở Xây dựng quản lý; xã đã chuyển đề nghị lên Sở."
	f.expect(fbBuilder, "[fb/act/"+t2+":refuse]", f.text("fb.ask_reason", "ticket", t2))
	f.expect(fbBuilder, reason, f.text("fb.refused", "ticket", t2))
	f.want(t2, domain.FeedbackRefused, "tg:"+fbBuilder)
	if r := f.state(t2).RefuseReason; r != reason {
		t.Errorf("refuse reason = %q", r)
	}
	f.notice(f.drain(), fbCitizen, f.text("feedback.refused", "ticket", t2, "reason", reason))

	// Forward: a routed official takes it first; then the buttons are
	// the colleagues, not the builder.
	f.send(fbBuilder, "[fb/act/"+t3+":forward]")
	if r := f.rec.take(); len(r) != 1 || !strings.Contains(r[0].Text, f.text("feedback.forward_take_first", "ticket", t3)) {
		t.Fatalf("forward of an untaken ticket: %+v", r)
	}
	f.send(fbBuilder, "[fb/act/"+t3+":take]")
	f.rec.take()
	f.drain()
	f.send(fbBuilder, "[fb/act/"+t3+":forward]")
	replies := f.rec.take()
	if len(replies) != 1 || !strings.Contains(replies[0].Text, f.text("fb.pick_colleague", "ticket", t3)) {
		t.Fatalf("forward: %+v", replies)
	}
	var pick string
	var labels []string
	for _, row := range replies[0].Buttons {
		for _, b := range row {
			labels = append(labels, b.Label)
			if b.Label == "Phạm Văn Đất (Đất đai)" {
				pick = b.Data
			}
		}
	}
	if len(labels) != 2 || pick == "" || strings.Contains(strings.Join(labels, "|"), "Trần Văn Xây") {
		t.Fatalf("colleagues offered: %v", labels)
	}
	f.expect(fbBuilder, "["+pick+"]", f.text("fb.forwarded_ok", "ticket", t3))
	f.want(t3, domain.FeedbackTaken, "tg:"+fbLand)
	f.notice(f.drain(), fbLand, f.text("feedback.forwarded", "ticket", t3, "from", "Trần Văn Xây", "answer", "16/12/2026"))
	// The builder gave it away: no longer theirs to answer.
	f.expect(fbBuilder, "[fb/act/"+t3+":answer]", f.text("feedback.not_owner", "ticket", t3))
	f.want(t3, domain.FeedbackTaken, "tg:"+fbLand)

	f.expect(fbBuilder, "[fb/act/"+t4+":take]", f.text("fb.took", "ticket", t4))

	inbox := func(user, which string, in, out []string) {
		t.Helper()
		f.expect(user, "/phananh", f.text("inbox.which"))
		got := f.say(user, "[inbox/which/"+which+"]")
		for _, tk := range in {
			if !strings.Contains(got, tk) {
				t.Errorf("%s /phananh %s = %q, want %s in it", user, which, got, tk)
			}
		}
		for _, tk := range out {
			if strings.Contains(got, tk) {
				t.Errorf("%s /phananh %s = %q, want no %s", user, which, got, tk)
			}
		}
		if (len(in) == 0) != (got == f.text("inbox.empty")) {
			t.Errorf("%s /phananh %s = %q, empty only when no ticket is wanted", user, which, got)
		}
	}
	inbox(fbBuilder, "open", []string{t3, t4}, []string{t2})
	inbox(fbBuilder, "mine", []string{t4}, []string{t2, t3})
	inbox(fbLand, "mine", []string{t3}, []string{t2, t4})
	inbox(fbHead, "overdue", nil, nil)

	f.now = f.now.Add(30 * 24 * time.Hour)
	inbox(fbHead, "overdue", []string{t3, t4}, []string{t2})
	inbox(fbBuilder, "overdue", []string{t3, t4}, []string{t2})
}

// TestFeedbackCitizenCannotActAsOfficial: forged officials' buttons and
// /phananh are politely refused and change nothing.
func TestFeedbackCitizenCannotActAsOfficial(t *testing.T) {
	f := newFeedbackFixture(t)
	fresh := f.submit(fbCitizen, "Đèn đường ở thôn An Hòa bị hỏng từ tuần trước.")
	answered := f.submit(fbCitizen, "Đường vào trường học thôn Bắc sạt lở một bên.")
	f.expect(fbBuilder, "[fb/act/"+answered+":answer]", f.text("fb.ask_answer", "ticket", answered))
	f.expect(fbBuilder, "Xã đã rào chắn và sẽ kè lại trong tuần sau.", f.text("fb.answered", "ticket", answered))
	f.drain()
	forbidden := f.text("errors.forbidden")
	if !strings.Contains(forbidden, "chỉ dành cho cán bộ") {
		t.Fatalf("errors.forbidden = %q", forbidden)
	}
	for _, ticket := range []string{fresh, answered} {
		before := f.state(ticket)
		for _, user := range []string{fbCitizen, fbOther} {
			for _, op := range domain.FeedbackActions() {
				line := "[fb/act/" + ticket + ":" + op + "]"
				if got := f.say(user, line); got != forbidden {
					t.Errorf("citizen %s %s: %q, want only %q", user, line, got, forbidden)
				}
			}
			for _, line := range []string{"/phananh", "[inbox/which/open]", "[inbox/which/overdue]"} {
				if got := f.say(user, line); got != forbidden {
					t.Errorf("citizen %s %s: %q, want only %q", user, line, got, forbidden)
				}
			}
		}
		after := f.state(ticket)
		if after.Status != before.Status || after.Owner != before.Owner || after.AnswerText != before.AnswerText {
			t.Errorf("%s changed by a citizen: %+v → %+v", ticket, before, after)
		}
	}
	if got := f.drain(); len(got) != 0 {
		t.Errorf("forged buttons queued notices: %+v", got)
	}
}

// TestFeedbackRateSomeoneElsesTicket: another citizen's rating, supplement
// or status request is refused as "not yours" and changes nothing.
func TestFeedbackRateSomeoneElsesTicket(t *testing.T) {
	f := newFeedbackFixture(t)
	ticket := f.submit(fbCitizen, "Đèn đường ở thôn An Hòa bị hỏng từ tuần trước.")
	f.expect(fbBuilder, "[fb/act/"+ticket+":answer]", f.text("fb.ask_answer", "ticket", ticket))
	f.expect(fbBuilder, "Đã thay bóng đèn cột số 12 ngày 26/11.", f.text("fb.answered", "ticket", ticket))
	f.drain()
	notYours := f.text("feedback.not_yours", "ticket", ticket)
	for _, line := range []string{"[fb/rate/" + ticket + ":no]", "[fb/rate/" + ticket + ":yes]",
		"[fb/supp/" + ticket + "]", "/gopy " + ticket} {
		if got := f.say(fbOther, line); got != notYours {
			t.Errorf("other citizen %s: %q, want %q", line, got, notYours)
		}
	}
	f.want(ticket, domain.FeedbackAnswered, "tg:"+fbBuilder)
	if got := f.drain(); len(got) != 0 {
		t.Errorf("another citizen's presses queued notices: %+v", got)
	}
	// The sender's own rating still works.
	f.expect(fbCitizen, "[fb/rate/"+ticket+":yes]", f.text("fb.thanks_helpful", "ticket", ticket))
	f.want(ticket, domain.FeedbackClosed, "tg:"+fbBuilder)
}

// TestFeedbackThrottleKeepsConfirm: the 11th feedback within a minute is
// refused and not stored; the citizen stays on the confirm step and sends
// it a minute later.
func TestFeedbackThrottleKeepsConfirm(t *testing.T) {
	f := newFeedbackFixture(t)
	ctx := t.Context()
	count := func() int {
		fs, err := f.db.FeedbackOf(ctx, "tg:"+fbCitizen)
		if err != nil {
			t.Fatal(err)
		}
		return len(fs)
	}
	start := f.now
	for i := range 10 {
		f.now = start.Add(time.Duration(i) * 5 * time.Second)
		f.submit(fbCitizen, "Đèn đường số "+string(rune('A'+i))+" ở thôn An Hòa bị hỏng.")
	}
	if n := count(); n != 10 {
		t.Fatalf("stored %d, want 10", n)
	}
	f.now = start.Add(55 * time.Second)
	f.toConfirm(fbCitizen, "Đèn đường số K ở thôn An Hòa bị hỏng.")
	got := f.say(fbCitizen, "[feedback/confirm/send]")
	if !strings.Contains(got, "quá nhiều phản ánh") || !strings.Contains(got, "CHƯA được lưu") || fbTicket.MatchString(got) {
		t.Errorf("11th feedback: %q, want the throttle text and no ticket", got)
	}
	if n := count(); n != 10 {
		t.Errorf("after the 11th: stored %d, want 10", n)
	}
	f.drain()

	// A minute after the 11th try, the same confirm button sends it.
	f.now = f.now.Add(61 * time.Second)
	got = f.say(fbCitizen, "[feedback/confirm/send]")
	ticket := fbTicket.FindString(got)
	if ticket == "" {
		t.Fatalf("resend after a minute: %q, want the acknowledgement", got)
	}
	if n := count(); n != 11 {
		t.Errorf("after resending: stored %d, want 11", n)
	}
	if fb := f.state(ticket); fb.Text != "Đèn đường số K ở thôn An Hòa bị hỏng." {
		t.Errorf("resent text = %q", fb.Text)
	}
	f.notice(f.drain(), fbBuilder, ticket)
}

// An official pressing "answer" under a message that was refused since is
// told at once, and is not left on a text step that cannot be used.
func TestFeedbackStaleActionEndsAtOnce(t *testing.T) {
	f := newFeedbackFixture(t)
	t2 := f.submit(fbCitizen, "Đường liên xã đoạn qua thôn Phú Lộc có ổ gà lớn.")
	f.drain()
	f.expect(fbBuilder, "[fb/act/"+t2+":refuse]", f.text("fb.ask_reason", "ticket", t2))
	f.expect(fbBuilder, "Quốc lộ do Sở Xây dựng quản lý; xã đã chuyển đề nghị.", f.text("fb.refused", "ticket", t2))
	f.send(fbBuilder, "[fb/act/"+t2+":answer]")
	got := f.rec.take()
	if len(got) == 0 || strings.Contains(got[0].Text, f.text("fb.ask_answer", "ticket", t2)) {
		t.Fatalf("answer on a refused message asked for the text: %v", got)
	}
	f.send(fbBuilder, "cảm ơn nhé")
	if got := f.rec.take(); len(got) == 0 || got[0].Text != f.text("talk.thanks_reply") {
		t.Errorf("after the refusal a thank-you got %v, want it thanked back as anywhere", got)
	}
}

// A photo's id runs to the last colon of its "id:size" line: a Zalo photo's
// id is a URL, which has colons of its own.
func TestPhotosOfKeepsURLs(t *testing.T) {
	got := photosOf(map[string]string{"photos": "AgACAgIAAxk:52011\nhttps://photo-stal.zadn.vn:443/a/b.jpg:88000\n\nbroken"})
	want := []domain.Photo{{FileID: "AgACAgIAAxk", Size: 52011, MIME: "image/jpeg"},
		{FileID: "https://photo-stal.zadn.vn:443/a/b.jpg", Size: 88000, MIME: "image/jpeg"}}
	if !slices.Equal(got, want) {
		t.Errorf("photosOf = %+v, want %+v", got, want)
	}
}
