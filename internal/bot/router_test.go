package bot

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"xabot/internal/chat"
)

var telegramFeatures = chat.Features{Buttons: true, Keyboard: true, ShareContact: true, Location: true, MaxText: 4096}

// agree takes user through /start and "Đồng ý".
func (f *fixture) agree(user string) {
	f.send(user, "/start")
	f.send(user, "[consent/ask/yes]")
	f.rec.take()
}

func TestBadInputGetsAnAnswer(t *testing.T) {
	huge := strings.Repeat("xin chào ", 1200) // 10,800 characters
	tests := []struct {
		name  string
		setup []string // lines before the bad one
		line  string
		want  string // in the (only) reply
	}{
		{"huge text when idle", nil, huge, "chưa hiểu"},
		{"huge text at the code step", []string{"/tracuu"}, huge, "quá dài (tối đa 200 ký tự)"},
		{"huge text at the phone step", []string{"H55.20-261118-0003"}, huge, "quá dài (tối đa 100 ký tự)"},
		{"invalid UTF-8 only", nil, "\xff\xfe\xfd", "ký tự không đọc được"},
		{"invalid UTF-8 in a code", []string{"/tracuu"}, "H55.20-261118-\xff0003", "không phải là mã hồ sơ"},
		{"empty text at the code step", []string{"/tracuu"}, "   ", "trống"},
		{"a phone number at the code step", []string{"/tracuu"}, "0905123456", "không phải là mã hồ sơ"},
		{"letters as a phone", []string{"H55.20-261118-0003"}, "không nhớ", "vui lòng nhập số điện thoại"},
		{"three digits as ID", []string{"H55.20-261118-0003"}, "482", "vui lòng nhập số điện thoại"},
		{"sticker at the phone step", []string{"H55.20-261118-0003"}, "(sticker)", "nhãn dán"},
		{"unknown command", nil, "/" + strings.Repeat("a", 200), "Không có lệnh"},
		{"a button of nothing", nil, "[lookup/ask_code/../../etc]", "Nút này không dùng được"},
		{"an old button of a later step", nil, "[lookup/ask_factor/1]", "Nút này đã cũ"},
		{"a button with 64 bytes of junk", nil, "[" + strings.Repeat("z", 64) + "]", "không hợp lệ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, telegramFeatures)
			f.agree("7")
			for _, l := range tt.setup {
				f.send("7", l)
			}
			f.rec.take()
			f.send("7", tt.line)
			got := f.rec.take()
			if len(got) == 0 {
				t.Fatal("no answer")
			}
			if !strings.Contains(got[0].Text, tt.want) {
				t.Errorf("answer = %q, want it to contain %q", got[0].Text, tt.want)
			}
			if n := len([]rune(got[0].Text)); n > 4096 {
				t.Errorf("answer is %d characters: a huge input was echoed", n)
			}
		})
	}
}

func TestDuplicateUpdateIsHandledOnce(t *testing.T) {
	f := newCoreFixture(t, telegramFeatures)
	u := chat.Update{ID: "42", From: chat.UserKey{Channel: chat.Telegram, ID: "5"}, ChatID: "5", Kind: chat.Command, Command: "trogiup"}
	for range 3 {
		if err := f.router.Handle(t.Context(), u); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(f.rec.take()); got != 1 {
		t.Errorf("3 deliveries of one update gave %d replies, want 1", got)
	}
}

// A send that fails releases the update, so the adapter's redelivery is
// handled again instead of being dropped as a duplicate.
func TestFailedSendIsRetried(t *testing.T) {
	f := newCoreFixture(t, telegramFeatures)
	u := chat.Update{ID: "43", From: chat.UserKey{Channel: chat.Telegram, ID: "5"}, ChatID: "5", Kind: chat.Command, Command: "trogiup"}
	counts := &counter{}
	f.router.cfg.Metrics = counts
	f.rec.fail = errors.New("network down")
	if err := f.router.Handle(t.Context(), u); err == nil {
		t.Fatal("Handle hid a failed send")
	}
	f.rec.fail = nil
	if err := f.router.Handle(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	if got := f.rec.take(); len(got) != 1 || !strings.Contains(got[0].Text, "Hướng dẫn") {
		t.Errorf("redelivery answered %v, want the help", got)
	}
	if want := "tg/failed tg/handled"; counts.String() != want {
		t.Errorf("counted %q, want %q", counts, want)
	}
}

// counter is a Counter that notes outcomes in order.
type counter struct {
	mu       sync.Mutex
	outcomes []string
	replies  int
}

func (c *counter) Update(ch, outcome string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.outcomes = append(c.outcomes, ch+"/"+outcome)
}

func (c *counter) Reply(string, time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.replies++
}

func (c *counter) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.outcomes, " ")
}

// With Redis down the citizen is told to try again, and the bot recovers by
// itself once it is back (here: another, working store).
func TestSessionStoreDownIsExplained(t *testing.T) {
	f := newCoreFixture(t, telegramFeatures)
	redis.SetLogger(quietRedis{})
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { dead.Close() })
	f.router.cfg.Sessions = redisSessions(t, dead, "t:")
	f.router.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	counts := &counter{}
	f.router.cfg.Metrics = counts
	f.send("8", "/trogiup")
	got := f.rec.take()
	if len(got) != 1 || !strings.Contains(got[0].Text, "thử lại sau") {
		t.Fatalf("with Redis down got %v, want a polite try-again", got)
	}
	if counts.String() != "tg/failed" || counts.replies != 0 {
		t.Errorf("counted %q and %d replies, want one failed update", counts, counts.replies)
	}
}

// Numbered choices where the channel has no buttons (Zalo, SMS-like).
func TestChoicesAreNumberedWithoutButtons(t *testing.T) {
	f := newCoreFixture(t, chat.Features{MaxText: 2000})
	f.send("9", "/start")
	got := f.rec.take()
	if len(got) != 1 || len(got[0].Buttons) != 0 || !strings.Contains(got[0].Text, "1. ✅ Đồng ý\n2. Không đồng ý") {
		t.Fatalf("/start without buttons = %+v", got)
	}
	f.send("9", "1")
	got = f.rec.take()
	if len(got) != 1 || !strings.Contains(got[0].Text, "Cảm ơn") || got[0].Keyboard != nil {
		t.Fatalf("typing 1 = %+v, want the consent accepted and no keyboard", got)
	}
}

type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

// /xoadulieu keeps the feedback and the rating the commune must keep, but
// no longer linked to the person; the chat's links and session are gone.
func TestForgetAnonymisesAndUnlinks(t *testing.T) {
	f := newFixture(t, telegramFeatures)
	f.agree("55")
	for _, l := range []string{"📱 0987654321", "/danhgia H55.20-261110-0002", "[rate/level/H55.20-261110-0002:5]",
		"/gopy", "[feedback/ask_category/other]", "Xin đề nghị lắp thêm đèn ở ngã ba thôn.", "[feedback/ask_media/done]",
		"[feedback/ask_anon/no]", "Võ Thị Dung", "[feedback/confirm/send]"} {
		f.send("55", l)
	}
	f.rec.take()
	ctx := t.Context()
	mine, _ := f.db.FeedbackOf(ctx, "tg:55")
	if len(mine) != 1 {
		t.Fatalf("feedback of tg:55 = %d, want 1", len(mine))
	}
	ticket := mine[0].Ticket
	f.send("55", "/xoadulieu")
	f.send("55", "[forget/ask/yes]")
	if got := f.rec.take(); len(got) == 0 || !strings.Contains(got[len(got)-1].Text, "Đã xóa liên kết") {
		t.Fatalf("forget answered %v", got)
	}
	fb, err := f.db.FeedbackByTicket(ctx, ticket)
	if err != nil || fb.Citizen != "" || fb.Text == "" {
		t.Errorf("after forget the feedback is %+v, %v: want its text kept and no citizen", fb, err)
	}
	d, _ := f.db.DossierByCode(ctx, "H55.20-261110-0002")
	r, err := f.db.RatingOf(ctx, d.ID)
	if err != nil || r.Rater != "" || r.Level != 5 {
		t.Errorf("after forget the rating is %+v, %v: want level kept and no rater", r, err)
	}
	c, _ := f.db.Citizen(ctx, "tg:55")
	if c.Consented() || c.Phone != "" {
		t.Errorf("after forget the citizen is %+v", c)
	}
	if subs, _ := f.db.Subscribers(ctx, d); len(subs) != 0 {
		t.Errorf("after forget the dossier still has followers %v", subs)
	}
}
