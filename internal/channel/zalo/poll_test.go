package zalo

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"xabot/internal/channel/zalo/zalofake"
	"xabot/internal/chat"
)

// queued queues body for getUpdates and returns what the bot should make of it.
func queued(t *testing.T, f *zalofake.Server, body []byte, kind chat.Kind, edit func(*chat.Update)) chat.Update {
	t.Helper()
	var w struct {
		EventName string `json:"event_name"`
		Message   struct {
			MessageID string `json:"message_id"`
			Date      int64  `json:"date"`
			From      struct {
				ID string `json:"id"`
			} `json:"from"`
		} `json:"message"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		t.Fatal(err)
	}
	f.SendRaw(body)
	u := chat.Update{
		ID:     w.EventName + ":" + w.Message.MessageID,
		From:   chat.UserKey{Channel: chat.Zalo, ID: w.Message.From.ID},
		ChatID: w.Message.From.ID,
		Kind:   kind,
		At:     time.UnixMilli(w.Message.Date),
	}
	if edit != nil {
		edit(&u)
	}
	return u
}

func TestPollDeliversEveryKind(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	const name = "Nguyễn Văn An"
	img := f.Update("u1", name, zalofake.EventImage, "ổ gà trước cổng")
	var photo struct {
		Message struct {
			PhotoURL string `json:"photo_url"`
		} `json:"message"`
	}
	_ = json.Unmarshal(img, &photo)
	want := []chat.Update{
		queued(t, f, f.Update("u1", name, zalofake.EventText, "Xin chào, tôi muốn tra cứu hồ sơ"), chat.Text,
			func(u *chat.Update) { u.Text = "Xin chào, tôi muốn tra cứu hồ sơ" }),
		queued(t, f, f.Update("u1", name, zalofake.EventText, "/TraCuu@bot.XaBotFake  HS-2024-001 "), chat.Command,
			func(u *chat.Update) { u.Command, u.Args = "tracuu", "HS-2024-001" }),
		queued(t, f, f.Update("u1", name, zalofake.EventText, "/start"), chat.Command,
			func(u *chat.Update) { u.Command = "start" }),
		queued(t, f, img, chat.Photo, func(u *chat.Update) {
			u.Text, u.Photo = "ổ gà trước cổng", &chat.Media{FileID: photo.Message.PhotoURL}
		}),
		queued(t, f, f.Update("u2", name, zalofake.EventSticker, ""), chat.Sticker, nil),
		queued(t, f, f.Update("u2", name, zalofake.EventUnsupported, ""), chat.Other, nil),
	}
	h := &recorder{}
	b.run(t, h)
	got := h.wait(t, len(want))
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("update %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	eventually(t, "the ready log", func() bool { return strings.Contains(b.logs.String(), "zalo polling") })
	logs := b.logs.String()
	if !strings.Contains(logs, "ready_ms=") {
		t.Errorf("no ready_ms in the polling log:\n%s", logs)
	}
	for _, private := range []string{name, "tra cứu", "ổ gà", "HS-2024-001"} {
		if strings.Contains(logs, private) {
			t.Errorf("personal data %q in the logs:\n%s", private, logs)
		}
	}
}

// A 408 is an empty poll: poll again without backoff, whether Zalo sends it
// as HTTP 408 or inside a 200.
func TestPollTimeoutPollsAgainAtOnce(t *testing.T) {
	f := newFake(t)
	f.SetMaxPoll(fastTimeout + 20*time.Millisecond) // held, then 408
	b := newTestBot(t, f)
	f.FailNext("getUpdates", 200, 408, "Request timeout")
	h := &recorder{}
	b.run(t, h)
	eventually(t, "several polls", func() bool { return len(requests(f, "getUpdates")) >= 4 })
	f.SendText("u1", "An", "sau khi chờ")
	if got := h.wait(t, 1); got[0].Text != "sau khi chờ" {
		t.Errorf("got %+v", got[0])
	}
	if s := b.sleeps.all(); len(s) != 0 {
		t.Errorf("slept %v after poll timeouts, want no backoff", s)
	}
	if p := requests(f, "getUpdates")[0]; p["timeout"] != "1" {
		t.Errorf("getUpdates body %v, want timeout \"1\" (a string, whole seconds)", p)
	}
}

// A server that answers 408 at once must not be hammered.
func TestPollInstantTimeoutsPause(t *testing.T) {
	f := newFake(t)
	f.SetMaxPoll(0)
	b := newTestBot(t, f)
	b.run(t, &recorder{})
	eventually(t, "a pause", func() bool { return slices.Contains(b.sleeps.all(), fastPause) })
}

func TestPollBacksOffOnFailures(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	f.FailNext("getUpdates", 502, 502, "Bad Gateway")
	f.FailNext("getUpdates", 0, 0, "") // connection dropped
	f.FailNext("getUpdates", 500, 500, "Internal Server Error")
	f.FailNext("getUpdates", 429, 429, "Too Many Requests")
	f.SendText("u1", "An", "vẫn đến")
	h := &recorder{}
	b.run(t, h)
	if got := h.wait(t, 1); got[0].Text != "vẫn đến" {
		t.Errorf("got %+v", got[0])
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	if s := b.sleeps.all(); !reflect.DeepEqual(s, want) {
		t.Errorf("sleeps = %v, want %v", s, want)
	}
}

func TestRunStopsWhenTokenRejected(t *testing.T) {
	for _, tt := range []struct {
		name         string
		status, code int
		description  string
	}{
		{"401", 401, 401, "Unauthorized"},
		{"403", 403, 403, "Forbidden"},
		{"401 inside a 200", 200, 401, "Unauthorized"},
		{"invalid token description", 400, 400, "Invalid token"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			b := newTestBot(t, f)
			f.FailNext("getUpdates", tt.status, tt.code, tt.description)
			done := make(chan error, 1)
			go func() { done <- b.Run(t.Context(), &recorder{}) }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), "token rejected") {
					t.Fatalf("Run = %v, want a token error", err)
				}
				if strings.Contains(err.Error(), testSecret) {
					t.Errorf("token in %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Run kept polling with a rejected token")
			}
		})
	}
}

// Cancel aborts the long poll in flight; Run returns nil at once.
func TestRunReturnsPromptlyOnCancel(t *testing.T) {
	f := newFake(t)
	f.SetMaxPoll(time.Minute)
	b := newTestBot(t, f, func(c *Config) { c.PollTimeout = 50 * time.Second })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx, &recorder{}) }()
	eventually(t, "a poll in flight", func() bool { return len(requests(f, "getUpdates")) == 1 })
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("Run returned %v after cancel", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if p := requests(f, "getUpdates")[0]; p["timeout"] != "50" {
		t.Errorf("getUpdates body %v, want timeout \"50\"", p)
	}
}

// A failing update is handed over again, up to handleAttempts times, then
// given up on; the next update still comes.
func TestHandlerErrorsRetried(t *testing.T) {
	for _, tt := range []struct {
		name      string
		fail      func(n int, u chat.Update) error
		wantCalls int
		wantSleep []time.Duration
	}{
		{"fails once", func(n int, u chat.Update) error {
			if n == 1 {
				return errors.New("store down")
			}
			return nil
		}, 3, []time.Duration{500 * time.Millisecond}},
		{"poison", func(n int, u chat.Update) error {
			if u.Text == "độc" {
				return errors.New("always")
			}
			return nil
		}, 4, []time.Duration{500 * time.Millisecond, time.Second}},
		{"panics", func(n int, u chat.Update) error {
			if u.Text == "độc" {
				panic("boom")
			}
			return nil
		}, 4, []time.Duration{500 * time.Millisecond, time.Second}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			b := newTestBot(t, f)
			f.SendText("u1", "An", "độc")
			f.SendText("u1", "An", "lành")
			h := &recorder{fail: tt.fail}
			b.run(t, h)
			got := h.wait(t, tt.wantCalls)
			if last := got[len(got)-1]; last.Text != "lành" {
				t.Errorf("last delivery %q, want the next update", last.Text)
			}
			if len(got) != tt.wantCalls {
				t.Errorf("%d deliveries, want %d", len(got), tt.wantCalls)
			}
			if s := b.sleeps.all(); !reflect.DeepEqual(s, tt.wantSleep) {
				t.Errorf("sleeps = %v, want %v", s, tt.wantSleep)
			}
		})
	}
}

// Updates from bots and from group chats, and odd ones, never reach the
// handler; the loop carries on.
func TestPollIgnoresBotsGroupsAndJunk(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	for _, raw := range []string{
		`{"event_name":"message.text.received","message":{"from":{"id":"b1","display_name":"Bot","is_bot":true},"chat":{"id":"b1","chat_type":"PRIVATE"},"text":"hi","message_id":"m1","date":1750316131602}}`,
		`{"event_name":"message.text.received","message":{"from":{"id":"u1","display_name":"An","is_bot":false},"chat":{"id":"g1","chat_type":"GROUP"},"text":"/start","message_id":"m2","date":1750316131602}}`,
		`{"event_name":"message.text.received","message":{"chat":{"id":"u1","chat_type":"PRIVATE"},"text":"no sender","message_id":"m3"}}`,
		`{"event_name":"message.text.received"}`,
		`{"event_name":"message.text.received","message":"not an object"}`,
	} {
		f.SendRaw([]byte(raw))
	}
	f.SendText("u3", "Chi", "còn đây")
	h := &recorder{}
	b.run(t, h)
	h.wait(t, 1)
	time.Sleep(50 * time.Millisecond)
	if got := h.updates(); len(got) != 1 || got[0].Text != "còn đây" || got[0].From.ID != "u3" {
		t.Errorf("handled %+v, want only the private message", got)
	}
	if logs := b.logs.String(); !strings.Contains(logs, "message_id=m2") || !strings.Contains(logs, "zalo update ignored") {
		t.Errorf("ignored updates not logged by id:\n%s", logs)
	}
}

// Invalid UTF-8 and lone surrogates come out as valid strings; odd ids and
// dates are read too.
func TestPollInvalidUTF8(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	f.SendRaw([]byte("{\"event_name\":\"message.text.received\",\"message\":{\"from\":{\"id\":\"u1\",\"display_name\":\"\xff\",\"is_bot\":false},\"chat\":{\"id\":\"u1\",\"chat_type\":\"PRIVATE\"},\"text\":\"h\xc3\x28\xed\xa0\x80 \\ud800 ồ\",\"message_id\":\"m1\",\"date\":1750316131602}}"))
	f.SendRaw([]byte("{\"event_name\":\"message.text.received\",\"message\":{\"from\":{\"id\":42},\"text\":\"/x\xfe@b a\xff\",\"message_id\":7,\"date\":\"1750316131\"}}"))
	h := &recorder{}
	b.run(t, h)
	got := h.wait(t, 2)
	for _, u := range got {
		for _, s := range []string{u.Text, u.Command, u.Args} {
			if !utf8.ValidString(s) {
				t.Errorf("invalid UTF-8 handed on: %q", s)
			}
		}
	}
	if !strings.HasSuffix(got[0].Text, " ồ") || !strings.HasPrefix(got[0].Text, "h") {
		t.Errorf("text = %q, want the valid parts kept", got[0].Text)
	}
	if u := got[1]; u.ID != "message.text.received:7" || u.From.ID != "42" || u.ChatID != "42" ||
		u.Kind != chat.Command || !u.At.Equal(time.Unix(1750316131, 0)) {
		t.Errorf("numeric ids and a date in seconds: %+v", u)
	}
}

// While a webhook is set Zalo refuses getUpdates: Run waits and tries again,
// and polls once the webhook is gone.
func TestPollWhileWebhookSet(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	if err := b.SetWebhook(t.Context(), "https://xa.example/zalo", "webhook-secret-1"); err != nil {
		t.Fatal(err)
	}
	f.SendText("u1", "An", "chờ")
	h := &recorder{}
	b.run(t, h)
	eventually(t, "a backoff", func() bool { return len(b.sleeps.all()) >= 2 })
	if n := len(h.updates()); n != 0 {
		t.Fatalf("%d updates while a webhook is set", n)
	}
	if !strings.Contains(b.logs.String(), "a webhook is set") {
		t.Errorf("the conflict is not explained in the logs:\n%s", b.logs)
	}
	if err := b.DeleteWebhook(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := h.wait(t, 1); got[0].Text != "chờ" {
		t.Errorf("got %+v", got[0])
	}
}
