package bot

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"xabot/internal/channel/textsplit"
	"xabot/internal/chat"
	"xabot/internal/domain"
	"xabot/internal/notifier"
	"xabot/internal/service/citizen"
)

// A long text from outside — a note of 200 KB from the one-door system, a
// stored answer, a pasted wall — never becomes more than two messages, and
// what a person typed is said back clipped.

// hugeNote is 200 KB of a note with spaces and line breaks, as a broken
// export would carry.
var hugeNote = strings.Repeat("Bổ sung bản sao giấy khai sinh có chứng thực.\n", 4600)

var zaloFeatures = chat.Features{MaxText: 2000}

// messages counts the messages replies become on a channel whose messages
// hold maxText units; without buttons, the adapter writes a reply's
// buttons as numbered lines under its text.
func messages(replies []chat.Reply, feat chat.Features) int {
	n := 0
	for _, r := range replies {
		text := r.Text
		if !feat.Buttons {
			for i, row := range r.Buttons {
				text += "\n" + strings.Repeat("9", i+1) + ". " + row[0].Label
			}
		}
		n += len(textsplit.Split(text, feat.MaxText))
	}
	return n
}

const pointer = "Để biết đầy đủ, xin Anh/Chị liên hệ Bộ phận Một cửa xã"

func longNoteDossier(t *testing.T, f *fixture) domain.Dossier {
	t.Helper()
	d := fixtureDossiers()[1] // supplement requested, phone 0912000111
	d.Note = hugeNote
	if _, err := f.db.UpsertDossier(t.Context(), d, "test"); err != nil {
		t.Fatal(err)
	}
	got, err := f.db.DossierByCode(t.Context(), d.Code)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestLookupCardOfAHugeNoteIsTwoMessagesAtMost(t *testing.T) {
	for name, feat := range map[string]chat.Features{"telegram": telegramFeatures, "zalo": zaloFeatures} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, feat)
			d := longNoteDossier(t, f)
			f.agree("7")
			f.send("7", d.Code)
			f.rec.take()
			f.send("7", "0912000111")
			got := f.rec.take()
			if n := messages(got, feat); n > 2 || n == 0 {
				t.Fatalf("the card took %d messages, want 1 or 2", n)
			}
			text := got[0].Text
			for _, want := range []string{d.Code, "Bổ sung bản sao giấy khai sinh có chứng thực.", "…", pointer} {
				if !strings.Contains(text, want) {
					t.Errorf("card lacks %q:\n%.300s", want, text)
				}
			}
			// What to do next is not cut off by the note.
			if !strings.Contains(text, f.router.t("vi", "status.5.next", nil)) {
				t.Error("the card lost what to do next")
			}
		})
	}
}

func TestTicketStatusOfAHugeAnswerIsTwoMessagesAtMost(t *testing.T) {
	f := newFeedbackFixture(t)
	ticket := f.submit(fbCitizen, "Đèn đường thôn An Hòa bị hỏng ba ngày nay.")
	// An answer longer than any the bot takes today: stored before the
	// limit, or by another tool on the same database.
	before, err := f.db.FeedbackByTicket(t.Context(), ticket)
	if err != nil {
		t.Fatal(err)
	}
	after := before
	after.Status, after.AnswerText, after.AnsweredAt = domain.FeedbackAnswered, hugeNote, f.now.UTC()
	if _, err := f.db.UpdateFeedback(t.Context(), before, after, domain.FeedbackEvent{Action: domain.ActAnswer, Actor: "test", At: f.now.UTC()}); err != nil {
		t.Fatal(err)
	}
	got := f.sendTake(fbCitizen, "/gopy "+ticket)
	if n := messages(got, telegramFeatures); n > 2 || n == 0 {
		t.Fatalf("the ticket's status took %d messages", n)
	}
	if !strings.Contains(got[0].Text, ticket) || !strings.Contains(got[0].Text, pointer) {
		t.Errorf("status = %.300s…", got[0].Text)
	}
}

// A status push of a 200 KB note is queued as one row of at most two
// messages on the follower's app, ending with the pointer.
func TestPushOfAHugeNoteIsTwoMessagesAtMost(t *testing.T) {
	for name, ch := range map[string]chat.Channel{"telegram": chat.Telegram, "zalo": chat.Zalo} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, telegramFeatures)
			ctx := t.Context()
			d := fixtureDossiers()[0]
			stored, err := f.db.DossierByCode(ctx, d.Code)
			if err != nil {
				t.Fatal(err)
			}
			to := string(ch) + ":77"
			if err := f.router.cfg.Dossiers.Follow(ctx, to, stored); err != nil {
				t.Fatal(err)
			}
			if _, err := f.router.cfg.Notify.PushChanges(ctx); err != nil { // past events
				t.Fatal(err)
			}
			d.Status, d.Note = domain.StatusSupplementRequested, hugeNote
			if _, err := f.db.UpsertDossier(ctx, d, "sync"); err != nil {
				t.Fatal(err)
			}
			if n, err := f.router.cfg.Notify.PushChanges(ctx); err != nil || n != 1 {
				t.Fatalf("PushChanges = %d, %v; want 1 notice", n, err)
			}
			rows, err := f.db.DueOutgoing(ctx, f.now.Add(time.Hour), 10)
			if err != nil || len(rows) != 1 {
				t.Fatalf("outbox = %d rows, %v", len(rows), err)
			}
			r := decodeNotice(t, rows[0].Payload)
			feat := telegramFeatures
			if ch == chat.Zalo {
				feat = zaloFeatures
			}
			if n := messages([]chat.Reply{r}, feat); n > 2 {
				t.Errorf("the push takes %d messages", n)
			}
			if !strings.HasSuffix(r.Text, pointer+", ☎ 0255 3822 123 (Thứ Hai–Thứ Sáu).") || !strings.Contains(r.Text, "…") {
				t.Errorf("push does not end with the pointer:\n…%s", r.Text[max(0, len(r.Text)-300):])
			}
			if len(r.Buttons) != 1 {
				t.Errorf("buttons = %v, want «Ngừng nhận thông báo»", r.Buttons)
			}
		})
	}
}

func decodeNotice(t *testing.T, payload []byte) chat.Reply {
	t.Helper()
	var n fbNotice
	if err := json.Unmarshal(payload, &n); err != nil {
		t.Fatal(err)
	}
	r := chat.Reply{Text: n.Text}
	for _, row := range n.Buttons {
		for _, b := range row {
			r.Buttons = append(r.Buttons, []chat.Button{{Label: b.Label, Data: b.Data}})
		}
	}
	return r
}

// putQueue keeps what the notifier queues.
type putQueue struct{ got []chat.Reply }

func (q *putQueue) Put(_ context.Context, _, _ string, _ int, r chat.Reply) (bool, error) {
	q.got = append(q.got, r)
	return true, nil
}

// A ticket's answer goes to the citizen bounded, however long; an
// official's work list goes whole.
func TestNotifierBoundsWhatCitizensRead(t *testing.T) {
	f := newFixture(t, telegramFeatures)
	q := &putQueue{}
	n := notifier.New(notifier.Config{Data: IntentData, Texts: f.router.cfg.Texts, Citizens: citizen.New(f.db, func() time.Time { return f.now }),
		Queue: q, Commune: "xã Hành Dũng", Office: "Bộ phận Một cửa xã",
		Features: transcriptChannels})
	answer := []domain.Line{domain.L("feedback.answered", "ticket", "PA-2611-0042"),
		domain.L("feedback.card.answer", "text", hugeNote), {Key: "feedback.rate_ask"}}
	list := []domain.Line{domain.L("alert.overdue_head", "field", "Hộ tịch", "count", "900", "date", "25/11/2026")}
	for range 900 {
		list = append(list, domain.L("alert.overdue_item", "code", "H55.20-261118-0003", "procedure", "Đăng ký khai sinh",
			"days", "3", "handler", "Trần Thị Hoa"))
	}
	official := "tg:900"
	if err := f.db.SetRole(t.Context(), official, domain.RoleOfficial); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		notice  domain.Notice
		feat    chat.Features
		maxMsgs int
	}{
		{"answer on Telegram", domain.Notice{Key: "a", To: "tg:10", Lines: answer}, telegramFeatures, 2},
		{"answer on Zalo", domain.Notice{Key: "b", To: "zalo:10", Lines: answer}, zaloFeatures, 2},
		{"answer on an unknown app", domain.Notice{Key: "c", To: "web:10", Lines: answer}, zaloFeatures, 2},
		{"a bounded notice to an official", domain.Notice{Key: "d", To: official, Lines: answer, Bounded: true}, telegramFeatures, 2},
	} {
		q.got = nil
		if _, err := n.Notify(t.Context(), tt.notice); err != nil {
			t.Fatal(err)
		}
		if got := messages(q.got, tt.feat); got > tt.maxMsgs || !strings.Contains(q.got[0].Text, "liên hệ Bộ phận Một cửa xã") {
			t.Errorf("%s: %d messages, want at most %d, ending with the pointer", tt.name, got, tt.maxMsgs)
		}
	}
	q.got = nil
	if _, err := n.Notify(t.Context(), domain.Notice{Key: "e", To: official, Lines: list}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(q.got[0].Text, "H55.20-261118-0003"); got != 900 {
		t.Errorf("the official's list kept %d of 900 dossiers", got)
	}
}

// What a person typed comes back clipped, in one message, wherever it is
// echoed.
func TestEchoedInputIsClipped(t *testing.T) {
	wall := strings.Repeat("x", 60000)
	f := newStaffFixture(t)
	f.say("900", "/dangky "+f.invite("Nguyễn Chủ Tịch", domain.RoleChairman))
	f.agree("7")
	for _, tt := range []struct{ user, line, want string }{
		{"900", "/baocao 01/11/2026 " + wall, "xxxxxxxxxx"},
		{"900", "/baocao " + wall + " 25/11/2026", "xxxxxxxxxx"},
		{"900", "/thongke 01/11/2026 " + wall, "xxxxxxxxxx"},
		{"7", "/" + wall, "xxxxxxxxxx"},
		{"7", "/tracuu " + wall, ""},
		{"7", "/gopy PA-2611-" + wall, ""},
		{"7", "/danhgia " + wall, ""},
		{"7", "/" + strings.Repeat("a", 40) + " " + wall, "aaaaaaaaaa"},
	} {
		got := f.sendTake(tt.user, tt.line)
		if len(got) == 0 {
			t.Errorf("%.30s…: no answer", tt.line)
			continue
		}
		if n := messages(got, telegramFeatures); n > 1 {
			t.Errorf("%.30s…: %d messages", tt.line, n)
		}
		for _, r := range got {
			if strings.Contains(r.Text, strings.Repeat("x", domain.EchoLimit+1)) {
				t.Errorf("%.30s…: echoes more than %d characters of the input", tt.line, domain.EchoLimit)
			}
		}
		if tt.want != "" && !strings.Contains(got[0].Text, tt.want) {
			t.Errorf("%.30s…: answer %.200q does not name the input", tt.line, got[0].Text)
		}
	}
}

// partChannel sends a reply as the Telegram adapter does, one message per
// 4,096 units, and fails the message it is told to once.
type partChannel struct {
	recorder
	failAt int // the n-th message overall, from 1; 0: none
	n      int
	out    []string
}

func (c *partChannel) Send(ctx context.Context, r chat.Reply) error {
	return c.SendParts(ctx, r, 0, nil)
}

func (c *partChannel) SendParts(_ context.Context, r chat.Reply, skip int, sent func(int)) error {
	for i, part := range textsplit.Split(r.Text, c.feat.MaxText) {
		if i < skip {
			continue
		}
		if c.n++; c.n == c.failAt {
			return errors.New("telegram: send to chat 7 (part 2 of 2): context deadline exceeded")
		}
		c.out = append(c.out, part)
		if sent != nil {
			sent(i + 1)
		}
	}
	return nil
}

// A turn whose answer fails on its second message is given back to be
// delivered again, and the redelivery sends only the second: the person
// gets the first once and the rest after all (in-process sessions: the
// same guarantee as Redis, within a process).
func TestTurnResumesAfterAPartialSend(t *testing.T) {
	f := newFixture(t, telegramFeatures)
	d := longNoteDossier(t, f)
	ch := &partChannel{recorder: recorder{feat: telegramFeatures}}
	f.router.cfg.Channels[chat.Telegram] = ch
	f.agree("7")
	f.send("7", d.Code)
	ch.n, ch.out, ch.failAt = 0, nil, 2
	u := chat.Update{ID: "phone-1", From: chat.UserKey{Channel: chat.Telegram, ID: "7"}, ChatID: "7", Kind: chat.Text, Text: "0912000111"}
	if err := f.router.Handle(t.Context(), u); err == nil {
		t.Fatal("Handle = nil with the second message not sent: the rest would never go")
	}
	if len(ch.out) != 1 || !strings.Contains(ch.out[0], d.Code) {
		t.Fatalf("sent %d messages before the failure, want the card's first", len(ch.out))
	}
	for range 2 { // the platform's redelivery, and one more
		if err := f.router.Handle(t.Context(), u); err != nil {
			t.Fatal(err)
		}
	}
	if len(ch.out) != 2 || strings.Contains(ch.out[1], d.Code) {
		t.Errorf("sent %d messages in all, want the card's first once and then its second", len(ch.out))
	}
}
