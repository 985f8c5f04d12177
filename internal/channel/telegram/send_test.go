package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"xabot/internal/channel/pace"
	"xabot/internal/chat"
)

func jsonEqual(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("bad JSON %q: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

func TestSendSplitsLongText(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	text := words(10000, "Đường<&>😀")
	err := b.Send(t.Context(), chat.Reply{ChatID: "111", Text: text, Buttons: [][]chat.Button{{{Label: "OK", Data: "ok"}}}})
	if err != nil {
		t.Fatal(err)
	}
	calls := f.callsOf("sendMessage")
	if len(calls) != 3 {
		t.Fatalf("%d messages, want 3", len(calls))
	}
	var joined strings.Builder
	for i, c := range calls {
		plain := html.UnescapeString(c.Form.Get("text"))
		if n := units(plain); n > MaxText {
			t.Errorf("part %d: %d UTF-16 units", i, n)
		}
		joined.WriteString(plain)
		if c.Form.Get("parse_mode") != "HTML" || c.Form.Get("chat_id") != "111" {
			t.Errorf("part %d: parse_mode %q chat_id %q", i, c.Form.Get("parse_mode"), c.Form.Get("chat_id"))
		}
		if has := c.Form.Has("reply_markup"); has != (i == 2) {
			t.Errorf("part %d: reply_markup present = %v", i, has)
		}
	}
	if joined.String() != text {
		t.Error("parts do not rejoin to the text")
	}
}

func TestSendEscapesHTML(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	if err := b.Send(t.Context(), chat.Reply{ChatID: "111", Text: "<b>&</b>"}); err != nil {
		t.Fatal(err)
	}
	c := f.callsOf("sendMessage")[0]
	if got, want := c.Form.Get("text"), "&lt;b&gt;&amp;&lt;/b&gt;"; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
	if c.Form.Get("parse_mode") != "HTML" {
		t.Errorf("parse_mode = %q", c.Form.Get("parse_mode"))
	}
}

func TestSendMarkup(t *testing.T) {
	tests := []struct {
		name  string
		reply chat.Reply
		want  string // reply_markup JSON, "" for none
	}{
		{"plain", chat.Reply{Text: "a"}, ""},
		{"inline buttons", chat.Reply{Text: "a", Buttons: [][]chat.Button{
			{{Label: "Tra cứu", Data: "menu:lookup"}, {Label: "Góp ý", Data: "menu:feedback"}},
			{},
			{{Label: "Trợ giúp", Data: strings.Repeat("x", 64)}},
		}}, `{"inline_keyboard":[[{"text":"Tra cứu","callback_data":"menu:lookup"},{"text":"Góp ý","callback_data":"menu:feedback"}],[{"text":"Trợ giúp","callback_data":"` + strings.Repeat("x", 64) + `"}]]}`},
		{"reply keyboard", chat.Reply{Text: "a", Keyboard: &chat.Keyboard{Rows: [][]chat.Key{
			{{Label: "📱 Gửi số điện thoại", RequestContact: true}},
			{{Label: "Huỷ"}},
		}}}, `{"keyboard":[[{"text":"📱 Gửi số điện thoại","request_contact":true}],[{"text":"Huỷ"}]],"resize_keyboard":true}`},
		{"remove keyboard", chat.Reply{Text: "a", Keyboard: &chat.Keyboard{Remove: true}}, `{"remove_keyboard":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			b := newTestBot(t, f)
			tt.reply.ChatID = "111"
			if err := b.Send(t.Context(), tt.reply); err != nil {
				t.Fatal(err)
			}
			c := f.callsOf("sendMessage")[0]
			if tt.want == "" {
				if c.Form.Has("reply_markup") {
					t.Errorf("unexpected reply_markup %s", c.Form.Get("reply_markup"))
				}
				return
			}
			jsonEqual(t, c.Form.Get("reply_markup"), tt.want)
		})
	}
}

func TestSendRefuses(t *testing.T) {
	btn := [][]chat.Button{{{Label: "a", Data: "a"}}}
	tests := []struct {
		name    string
		reply   chat.Reply
		wantErr string // "" means nil
	}{
		{"empty text", chat.Reply{ChatID: "1"}, ""},
		{"blank text", chat.Reply{ChatID: "1", Text: " \n\t"}, ""},
		{"empty text with buttons", chat.Reply{ChatID: "1", Buttons: btn}, "empty text"},
		{"empty text removing the keyboard", chat.Reply{ChatID: "1", Keyboard: &chat.Keyboard{Remove: true}}, "empty text"},
		{"callback data too long", chat.Reply{ChatID: "1", Text: "a", Buttons: [][]chat.Button{{{Label: "a", Data: strings.Repeat("é", 33)}}}}, "66 bytes"},
		{"empty callback data", chat.Reply{ChatID: "1", Text: "a", Buttons: [][]chat.Button{{{Label: "a"}}}}, "0 bytes"},
		{"buttons and keyboard", chat.Reply{ChatID: "1", Text: "a", Buttons: btn, Keyboard: &chat.Keyboard{Remove: true}}, "not both"},
		{"keyboard without keys", chat.Reply{ChatID: "1", Text: "a", Keyboard: &chat.Keyboard{}}, "without keys"},
		{"bad chat id", chat.Reply{ChatID: "tg:1", Text: "a"}, "bad chat id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			b := newTestBot(t, f)
			err := b.Send(t.Context(), tt.reply)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Send = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Send = %v, want an error containing %q", err, tt.wantErr)
			}
			if n := len(f.callsOf("sendMessage")); n != 0 {
				t.Errorf("%d messages sent", n)
			}
		})
	}
}

// A send is one call: its error comes back classified for the caller (the
// outbox, the router) to decide; nothing is retried here.
func TestSendMakesOneCall(t *testing.T) {
	tests := []struct {
		name       string
		answer     respond
		wantErr    bool
		blocked    bool
		rejected   bool
		retryAfter time.Duration
	}{
		{"ok", file(200, "sendMessage.json"), false, false, false, 0},
		{"429", file(429, "error_429.json"), true, false, false, time.Second},
		{"429 without retry_after", body(429, `{"ok":false,"error_code":429,"description":"Too Many Requests"}`), true, false, false, time.Second},
		{"blocked", file(403, "error_403.json"), true, true, false, 0},
		{"chat not found", file(400, "error_400_chat_not_found.json"), true, true, false, 0},
		{"bad request", file(400, "error_400.json"), true, false, true, 0},
		{"502", file(502, "error_502.json"), true, false, false, 0},
		{"network error", hangup, true, false, false, 0},
		{"emulator 500", file(500, "emulator_500.json"), true, false, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			b := newTestBot(t, f)
			for _, send := range []func() error{
				func() error { return b.Send(t.Context(), chat.Reply{ChatID: "111", Text: "Hồ sơ của bạn"}) },
				func() error {
					_, err := b.SendStep(t.Context(), chat.Reply{ChatID: "111", Text: "Hồ sơ của bạn"}, 0)
					return err
				},
			} {
				f.script("sendMessage", tt.answer)
				before := len(f.callsOf("sendMessage"))
				err := send()
				if (err != nil) != tt.wantErr {
					t.Fatalf("send = %v, want error %v", err, tt.wantErr)
				}
				if got := errors.Is(err, chat.ErrBlocked); got != tt.blocked {
					t.Errorf("errors.Is(%v, ErrBlocked) = %v", err, got)
				}
				if got := errors.Is(err, chat.ErrRejected); got != tt.rejected {
					t.Errorf("errors.Is(%v, ErrRejected) = %v", err, got)
				}
				var ra interface{ RetryAfter() time.Duration }
				var after time.Duration
				if errors.As(err, &ra) {
					after = ra.RetryAfter()
				}
				if after != tt.retryAfter {
					t.Errorf("retry after of %v = %v, want %v", err, after, tt.retryAfter)
				}
				if n := len(f.callsOf("sendMessage")) - before; n != 1 {
					t.Errorf("%d calls, want 1", n)
				}
				if s := b.sleeps.all(); len(s) != 0 {
					t.Errorf("slept %v: a send waits for nothing after its call", s)
				}
				if err != nil && strings.Contains(err.Error(), testToken) {
					t.Errorf("token in error %v", err)
				}
				b.chats = pace.New[int64](0) // forget a 429's hold
			}
		})
	}
}

// A reply after a 429 to its chat waits for retry_after; another chat's
// does not. A step of the outbox (which paces itself) does not wait.
func TestSendAfter429WaitsRetryAfter(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	f.script("sendMessage", body(429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`))
	start := time.Now()
	if err := b.Send(t.Context(), chat.Reply{ChatID: "111", Text: "a"}); err == nil {
		t.Fatal("the 429 was not reported")
	}
	if _, err := b.SendStep(t.Context(), chat.Reply{ChatID: "111", Text: "step"}, 0); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(t.Context(), chat.Reply{ChatID: "222", Text: "other chat"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("a step and another chat took %v", d)
	}
	if err := b.Send(t.Context(), chat.Reply{ChatID: "111", Text: "a"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("the held chat's reply went after %v, want about 1s", d)
	}
}

// One chat gets one message a second; another chat is not held up by it.
func TestSendPerChatRate(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	b.chats = pace.New[int64](chatGap)
	start := time.Now()
	if err := b.Send(t.Context(), chat.Reply{ChatID: "111", Text: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(t.Context(), chat.Reply{ChatID: "222", Text: "other chat"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("two chats took %v", d)
	}
	if err := b.Send(t.Context(), chat.Reply{ChatID: "111", Text: "a"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("second message to one chat after %v, want about 1s", d)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	if err := b.Send(ctx, chat.Reply{ChatID: "111", Text: "a"}); err == nil {
		t.Error("Send within a too-short deadline succeeded")
	}
}

func TestSendImage(t *testing.T) {
	f := newFake(t)
	f.setDefault("sendPhoto", file(200, "sendMessage.json"))
	b := newTestBot(t, f)
	// A citizen's photo passed on by file id, with a short caption and a button.
	err := b.Send(t.Context(), chat.Reply{ChatID: "111", Text: "Ảnh <hiện trường>",
		Image: &chat.Image{FileID: "AgACAgIAAxk2"}, Buttons: [][]chat.Button{{{Label: "Nhận", Data: "fb/act/x"}}}})
	if err != nil {
		t.Fatal(err)
	}
	calls := f.callsOf("sendPhoto")
	if len(calls) != 1 {
		t.Fatalf("sendPhoto calls = %d, want 1", len(calls))
	}
	c := calls[0]
	if c.Form.Get("photo") != "AgACAgIAAxk2" || c.Form.Get("caption") != "Ảnh &lt;hiện trường&gt;" ||
		!strings.Contains(c.Form.Get("reply_markup"), "fb/act/x") {
		t.Errorf("sendPhoto form = %v", c.Form)
	}
	// A chart made by the bot, with a caption too long for Telegram's 1,024:
	// the photo goes bare and the text follows as a message.
	long := strings.Repeat("số liệu ", 200)
	if err := b.Send(t.Context(), chat.Reply{ChatID: "111", Text: long,
		Image: &chat.Image{Data: []byte("\x89PNG fake"), Name: "chart.png"}}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.callsOf("sendPhoto")); n != 2 {
		t.Fatalf("sendPhoto calls = %d, want 2", n)
	}
	msgs := f.callsOf("sendMessage")
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0].Form.Get("text"), "số liệu") {
		t.Errorf("the long caption did not follow as a message: %v", msgs)
	}
	if err := b.Send(t.Context(), chat.Reply{ChatID: "111", Image: &chat.Image{}}); err == nil {
		t.Error("an image with neither file id nor data was sent")
	}
}

// words is n characters (runes) of word repeated, space separated.
func words(n int, word string) string {
	var r []rune
	for len(r) < n {
		r = append(r, []rune(word+" ")...)
	}
	return string(r[:n])
}

// units measures in UTF-16, independently of textsplit.
func units(s string) int { return len(utf16.Encode([]rune(s))) }

// SendParts numbers a reply's messages the same on every call, skips the
// ones sent before and reports each one out: the outbox resumes a reply
// that failed midway.
func TestSendPartsResumes(t *testing.T) {
	text := words(6000, "Đường") // two messages
	photo := &chat.Image{FileID: "AgACAgIAAxk2"}
	tests := []struct {
		name        string
		reply       chat.Reply
		skip        int
		wantPhotos  int
		wantTexts   int
		wantReports []int
	}{
		{"text from the start", chat.Reply{Text: text}, 0, 0, 2, []int{1, 2}},
		{"text after its first part", chat.Reply{Text: text}, 1, 0, 1, []int{2}},
		{"text all sent", chat.Reply{Text: text}, 2, 0, 0, nil},
		{"photo, then a long text", chat.Reply{Text: text, Image: photo}, 0, 1, 2, []int{1, 2, 3}},
		{"after the photo", chat.Reply{Text: text, Image: photo}, 1, 0, 2, []int{2, 3}},
		{"after the photo and a part", chat.Reply{Text: text, Image: photo}, 2, 0, 1, []int{3}},
		{"photo with its caption", chat.Reply{Text: "Biểu đồ", Image: photo}, 0, 1, 0, []int{1}},
	}
	for _, tt := range tests {
		f := newFake(t)
		f.setDefault("sendPhoto", file(200, "sendMessage.json"))
		b := newTestBot(t, f)
		var reports []int
		tt.reply.ChatID = "111"
		if err := b.SendParts(t.Context(), tt.reply, tt.skip, func(n int) { reports = append(reports, n) }); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if p, m := len(f.callsOf("sendPhoto")), len(f.callsOf("sendMessage")); p != tt.wantPhotos || m != tt.wantTexts {
			t.Errorf("%s: %d photos, %d texts; want %d, %d", tt.name, p, m, tt.wantPhotos, tt.wantTexts)
		}
		if !reflect.DeepEqual(reports, tt.wantReports) {
			t.Errorf("%s: reported %v, want %v", tt.name, reports, tt.wantReports)
		}
	}
	// A failure on the second part reports only the first.
	f := newFake(t)
	b := newTestBot(t, f)
	f.script("sendMessage", file(200, "sendMessage.json"), body(400, `{"ok":false,"error_code":400,"description":"Bad Request: no"}`))
	var reports []int
	err := b.SendParts(t.Context(), chat.Reply{ChatID: "111", Text: text}, 0, func(n int) { reports = append(reports, n) })
	if err == nil || !reflect.DeepEqual(reports, []int{1}) {
		t.Errorf("failing part 2: err %v, reported %v; want an error and [1]", err, reports)
	}
}

// SendStep sends one message of a reply per call, numbered as SendParts
// numbers them, and says how many the reply makes.
func TestSendStepOneMessageAtATime(t *testing.T) {
	text := words(6000, "Đường") // two messages
	photo := &chat.Image{FileID: "AgACAgIAAxk2"}
	tests := []struct {
		name  string
		reply chat.Reply
		want  []string // method of each step's call
	}{
		{"short text", chat.Reply{Text: "Xin chào"}, []string{"sendMessage"}},
		{"long text", chat.Reply{Text: text}, []string{"sendMessage", "sendMessage"}},
		{"photo, then a long text", chat.Reply{Text: text, Image: photo}, []string{"sendPhoto", "sendMessage", "sendMessage"}},
		{"photo with its caption", chat.Reply{Text: "Biểu đồ", Image: photo}, []string{"sendPhoto"}},
		{"nothing to send", chat.Reply{Text: "  "}, nil},
	}
	for _, tt := range tests {
		f := newFake(t)
		f.setDefault("sendPhoto", file(200, "sendMessage.json"))
		b := newTestBot(t, f)
		tt.reply.ChatID = "111"
		for done := 0; ; done++ {
			before := len(f.callsOf("sendMessage")) + len(f.callsOf("sendPhoto"))
			total, err := b.SendStep(t.Context(), tt.reply, done)
			if err != nil {
				t.Fatalf("%s: step %d: %v", tt.name, done+1, err)
			}
			if total != len(tt.want) {
				t.Fatalf("%s: total %d, want %d", tt.name, total, len(tt.want))
			}
			calls := len(f.callsOf("sendMessage")) + len(f.callsOf("sendPhoto")) - before
			if done >= total {
				if calls != 0 {
					t.Errorf("%s: a step past the end made %d calls", tt.name, calls)
				}
				break
			}
			if calls != 1 || len(f.callsOf(tt.want[done])) == 0 {
				t.Errorf("%s: step %d made %d calls, want one %s", tt.name, done+1, calls, tt.want[done])
			}
		}
	}
}

// A step of the outbox to a chat counts in that chat's pace: a reply
// right after it waits the chat's gap.
func TestReplyAfterAStepWaits(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	b.chats = pace.New[int64](chatGap)
	start := time.Now()
	if _, err := b.SendStep(t.Context(), chat.Reply{ChatID: "111", Text: "notice"}, 0); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(t.Context(), chat.Reply{ChatID: "111", Text: "reply"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("the reply went %v after the notice, want about 1s", d)
	}
}
