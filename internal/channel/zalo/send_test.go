package zalo

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"xabot/internal/channel/pace"
	"xabot/internal/chat"
)

// words is about n runes of text, words separated by spaces, with a line
// break every 7 words and a paragraph break every 40.
func words(n int, word string) string {
	var b strings.Builder
	for i := 0; b.Len() < 4*n; i++ {
		b.WriteString(word)
		switch {
		case i%40 == 39:
			b.WriteString("\n\n")
		case i%7 == 6:
			b.WriteString("\n")
		default:
			b.WriteString(" ")
		}
	}
	return string([]rune(b.String())[:n])
}

func TestSendSplitsLongVietnameseText(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	// Composed and decomposed tones, an emoji, no markup.
	text := words(4500, "Đường làng ngõ xóm bị hư hỏng nặng, đề nghị UBND xã sửa chữa 😀 Nguyễn")
	if err := b.Send(t.Context(), chat.Reply{ChatID: "u1", Text: text}); err != nil {
		t.Fatal(err)
	}
	sent := f.Sent("u1")
	if len(sent) != 3 {
		t.Fatalf("%d messages, want 3", len(sent))
	}
	var joined strings.Builder
	for i, m := range sent {
		if m.Method != "sendMessage" {
			t.Errorf("part %d sent with %s", i, m.Method)
		}
		if n := units(m.Text); n > MaxText {
			t.Errorf("part %d is %d characters", i, n)
		}
		if i < len(sent)-1 && !strings.HasSuffix(m.Text, "\n") && !strings.HasSuffix(m.Text, " ") {
			t.Errorf("part %d ends inside a word: …%q", i, m.Text[len(m.Text)-20:])
		}
		joined.WriteString(m.Text)
	}
	if joined.String() != text {
		t.Error("the parts do not rejoin to the text: characters were lost")
	}
}

func TestSendPlainAndEmpty(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	for _, r := range []chat.Reply{{ChatID: "u1"}, {ChatID: "u1", Text: " \n\t"}} {
		if err := b.Send(t.Context(), r); err != nil {
			t.Errorf("Send(%q) = %v", r.Text, err)
		}
	}
	if n := len(requests(f, "sendMessage")); n != 0 {
		t.Errorf("%d messages for empty texts", n)
	}
	if err := b.Send(t.Context(), chat.Reply{Text: "a"}); err == nil {
		t.Error("a reply without a chat id was accepted")
	}
	// Buttons are not Zalo's: they become numbered lines; keyboards are dropped.
	err := b.Send(t.Context(), chat.Reply{ChatID: "u1", Text: "Chọn việc cần làm:",
		Buttons:  [][]chat.Button{{{Label: "Tra cứu hồ sơ", Data: "a"}, {Label: "Góp ý", Data: "b"}}, {{Label: "Trợ giúp", Data: "c"}}},
		Keyboard: &chat.Keyboard{Rows: [][]chat.Key{{{Label: "📱 Gửi số", RequestContact: true}}}}})
	if err != nil {
		t.Fatal(err)
	}
	want := "Chọn việc cần làm:\n\n1. Tra cứu hồ sơ\n2. Góp ý\n3. Trợ giúp"
	if sent := f.Sent("u1"); len(sent) != 1 || sent[0].Text != want {
		t.Errorf("sent %+v, want %q", sent, want)
	}
	if p := requests(f, "sendMessage")[0]; !reflect.DeepEqual(p, map[string]any{"chat_id": "u1", "text": want}) {
		t.Errorf("request body %v: want exactly chat_id and text", p)
	}
}

// The numbering of a notice's buttons is the formatter's (the locale's),
// not the adapter's: here the English-style "(n) label" of a commune that
// chose it.
func TestSendNumbersButtonsWithConfigNumber(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f, func(c *Config) {
		c.Number = func(n int, label string) string { return fmt.Sprintf("(%d) %s", n, label) }
	})
	err := b.Send(t.Context(), chat.Reply{ChatID: "u1", Text: "Rate the service",
		Buttons: [][]chat.Button{{{Label: "Good", Data: "a"}}, {{Label: " ", Data: "x"}, {Label: "Bad", Data: "b"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Rate the service\n\n(1) Good\n(2) Bad"; len(f.Sent("u1")) != 1 || f.Sent("u1")[0].Text != want {
		t.Errorf("sent %+v, want %q", f.Sent("u1"), want)
	}
	if _, err := newBot(t.Context(), Config{Token: testToken, BaseURL: f.URL()}, (&sleeps{}).sleep); err == nil ||
		!strings.Contains(err.Error(), "Config.Number") {
		t.Errorf("New without Number = %v, want refused", err)
	}
}

func TestSendImage(t *testing.T) {
	png := []byte("\x89PNG fake chart")
	tests := []struct {
		name      string
		img       chat.Image
		text      string
		publish   func(ctx context.Context, data []byte, name string) (string, error)
		want      []string // "method photo caption|text" per message
		published bool
	}{
		{"URL passed on", chat.Image{FileID: "https://photo.zalo.example/a.jpg"}, "Ảnh hiện trường", nil,
			[]string{"sendPhoto https://photo.zalo.example/a.jpg Ảnh hiện trường"}, false},
		{"URL without caption", chat.Image{FileID: "https://photo.zalo.example/a.jpg"}, "", nil,
			[]string{"sendPhoto https://photo.zalo.example/a.jpg "}, false},
		{"data published", chat.Image{Data: png, Name: "chart.png"}, "Biểu đồ tháng 6",
			func(ctx context.Context, data []byte, name string) (string, error) {
				if string(data) != string(png) || name != "chart.png" {
					return "", errors.New("wrong data or name")
				}
				return "https://xa.example/c/123.png", nil
			},
			[]string{"sendPhoto https://xa.example/c/123.png Biểu đồ tháng 6"}, true},
		{"data without Publish", chat.Image{Data: png}, "Biểu đồ tháng 6", nil,
			[]string{"sendMessage Biểu đồ tháng 6"}, false},
		{"publish fails", chat.Image{Data: png}, "Biểu đồ tháng 6",
			func(context.Context, []byte, string) (string, error) { return "", errors.New("disk full") },
			[]string{"sendMessage Biểu đồ tháng 6"}, true},
		{"publish gives no URL", chat.Image{Data: png}, "Biểu đồ",
			func(context.Context, []byte, string) (string, error) { return "/tmp/c.png", nil },
			[]string{"sendMessage Biểu đồ"}, true},
		{"a Telegram file id", chat.Image{FileID: "AgACAgIAAxk2"}, "Ảnh", nil, []string{"sendMessage Ảnh"}, false},
		{"long caption follows", chat.Image{FileID: "https://p.example/a.jpg"}, strings.Repeat("số liệu ", 300), nil,
			[]string{"sendPhoto https://p.example/a.jpg ", "sendMessage " + strings.Repeat("số liệu ", 250), "sendMessage " + strings.Repeat("số liệu ", 50)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			called := false
			var publish func(context.Context, []byte, string) (string, error)
			if tt.publish != nil {
				publish = func(ctx context.Context, data []byte, name string) (string, error) {
					called = true
					return tt.publish(ctx, data, name)
				}
			}
			b := newTestBot(t, f, func(c *Config) { c.Publish = publish })
			img := tt.img
			if err := b.Send(t.Context(), chat.Reply{ChatID: "u1", Text: tt.text, Image: &img}); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range f.Sent("u1") {
				if m.Method == "sendPhoto" {
					got = append(got, m.Method+" "+m.Photo+" "+m.Caption)
				} else {
					got = append(got, m.Method+" "+m.Text)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("sent\n %q\nwant\n %q", got, tt.want)
			}
			if called != tt.published {
				t.Errorf("Publish called = %v", called)
			}
		})
	}
}

// Zalo refusing the photo (it could not fetch the URL) must not lose the text.
func TestSendImageRefusedSendsText(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	f.FailNext("sendPhoto", 400, 400, "Bad Request: cannot download photo")
	err := b.Send(t.Context(), chat.Reply{ChatID: "u1", Text: "Phản ánh mới", Image: &chat.Image{FileID: "https://p.example/x.jpg"}})
	if err != nil {
		t.Fatal(err)
	}
	if sent := f.Sent("u1"); len(sent) != 1 || sent[0].Method != "sendMessage" || sent[0].Text != "Phản ánh mới" {
		t.Errorf("sent %+v, want the text alone", sent)
	}
}

// A send is one call: its error comes back classified for the caller (the
// outbox, the router) to decide; nothing is retried here.
func TestSendMakesOneCall(t *testing.T) {
	type fail struct{ status, code int }
	tests := []struct {
		name       string
		fail       *fail
		blocked    bool
		rejected   bool
		retryAfter time.Duration
	}{
		{"ok", nil, false, false, 0},
		{"502", &fail{502, 502}, false, false, 0},
		{"network error", &fail{0, 0}, false, false, 0},
		{"429", &fail{429, 429}, false, false, time.Second},
		{"429 inside a 200", &fail{200, 429}, false, false, time.Second},
		{"403 blocked", &fail{403, 403}, true, false, 0},
		{"403 inside a 200", &fail{200, 403}, true, false, 0},
		{"400 bad request", &fail{400, 400}, false, true, 0},
		{"401", &fail{401, 401}, false, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			b := newTestBot(t, f)
			for _, send := range []func() error{
				func() error {
					return b.Send(t.Context(), chat.Reply{ChatID: "u1", Text: "Hồ sơ của bạn đã có kết quả"})
				},
				func() error {
					_, err := b.SendStep(t.Context(), chat.Reply{ChatID: "u1", Text: "Hồ sơ của bạn đã có kết quả"}, 0)
					return err
				},
			} {
				if tt.fail != nil {
					f.FailNext("sendMessage", tt.fail.status, tt.fail.code, "refused")
				}
				before := len(requests(f, "sendMessage"))
				err := send()
				if (err != nil) != (tt.fail != nil) {
					t.Fatalf("send = %v, want error %v", err, tt.fail != nil)
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
				if n := len(requests(f, "sendMessage")) - before; n != 1 {
					t.Errorf("%d calls, want 1", n)
				}
				if s := b.sleeps.all(); len(s) != 0 {
					t.Errorf("slept %v: a send waits for nothing after its call", s)
				}
				if err != nil && strings.Contains(err.Error(), testSecret) {
					t.Errorf("token in error %v", err)
				}
				b.chats = pace.New[string](0) // forget a 429's hold
			}
		})
	}
}

// Assumed: a refusal whose description says "blocked" is the user's doing.
func TestSendBlockedByDescription(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	f.FailNext("sendMessage", 400, 400, "User has blocked this bot")
	err := b.Send(t.Context(), chat.Reply{ChatID: "u1", Text: "a"})
	if !errors.Is(err, chat.ErrBlocked) {
		t.Errorf("Send = %v, want ErrBlocked", err)
	}
	var ae *apiError
	if !errors.As(err, &ae) || ae.Code != 400 {
		t.Error("the API error is not kept under ErrBlocked")
	}
}

// One chat gets one message a second; another chat is not held up by it.
func TestSendPerChatRate(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	b.chats = pace.New[string](chatGap)
	start := time.Now()
	if err := b.Send(t.Context(), chat.Reply{ChatID: "u1", Text: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(t.Context(), chat.Reply{ChatID: "u2", Text: "b"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("two chats took %v", d)
	}
	if err := b.Send(t.Context(), chat.Reply{ChatID: "u1", Text: "c"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("second message to one chat after %v, want about 1s", d)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	if err := b.Send(ctx, chat.Reply{ChatID: "u1", Text: "d"}); err == nil {
		t.Error("Send within a too-short deadline succeeded")
	}
}

// units measures in UTF-16, independently of textsplit.
func units(s string) int { return len(utf16.Encode([]rune(s))) }

// SendParts skips the messages sent before and reports each one out; a
// photo Zalo refused counts as the first, given up, so the text is never
// lost nor sent twice.
func TestSendPartsResumes(t *testing.T) {
	text := words(3000, "Đường làng") // two messages
	photo := chat.Image{FileID: "https://photo.zalo.example/a.jpg"}
	tests := []struct {
		name     string
		img      *chat.Image
		skip     int
		refuse   bool
		wantSent []string // methods
		reports  []int
	}{
		{"text from the start", nil, 0, false, []string{"sendMessage", "sendMessage"}, []int{1, 2}},
		{"text after its first part", nil, 1, false, []string{"sendMessage"}, []int{2}},
		{"photo then text", &photo, 0, false, []string{"sendPhoto", "sendMessage", "sendMessage"}, []int{1, 2, 3}},
		{"after the photo", &photo, 1, false, []string{"sendMessage", "sendMessage"}, []int{2, 3}},
		{"photo refused", &photo, 0, true, []string{"sendMessage", "sendMessage"}, []int{1, 2, 3}},
	}
	for _, tt := range tests {
		f := newFake(t)
		b := newTestBot(t, f)
		if tt.refuse {
			f.FailNext("sendPhoto", 400, 400, "Bad Request: cannot download photo")
		}
		var reports []int
		err := b.SendParts(t.Context(), chat.Reply{ChatID: "u1", Text: text, Image: tt.img}, tt.skip, func(n int) { reports = append(reports, n) })
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []string
		for _, m := range f.Sent("u1") {
			got = append(got, m.Method)
		}
		if !reflect.DeepEqual(got, tt.wantSent) || !reflect.DeepEqual(reports, tt.reports) {
			t.Errorf("%s: sent %v, reported %v; want %v, %v", tt.name, got, reports, tt.wantSent, tt.reports)
		}
	}
}

// SendStep sends one message per call, numbered as SendParts numbers them;
// a photo Zalo refused is its step, given up, and the text follows.
func TestSendStepOneMessageAtATime(t *testing.T) {
	text := words(3000, "Đường làng") // two messages
	photo := chat.Image{FileID: "https://photo.zalo.example/a.jpg"}
	tests := []struct {
		name   string
		img    *chat.Image
		refuse bool
		want   [][]string // the methods each step sent
	}{
		{"text", nil, false, [][]string{{"sendMessage"}, {"sendMessage"}}},
		{"photo then text", &photo, false, [][]string{{"sendPhoto"}, {"sendMessage"}, {"sendMessage"}}},
		{"photo refused", &photo, true, [][]string{nil, {"sendMessage"}, {"sendMessage"}}},
	}
	for _, tt := range tests {
		f := newFake(t)
		b := newTestBot(t, f)
		if tt.refuse {
			f.FailNext("sendPhoto", 400, 400, "Bad Request: cannot download photo")
		}
		r := chat.Reply{ChatID: "u1", Text: text, Image: tt.img}
		for done := 0; done <= len(tt.want); done++ {
			before := len(f.Sent("u1"))
			total, err := b.SendStep(t.Context(), r, done)
			if err != nil || total != len(tt.want) {
				t.Fatalf("%s: step %d = %d, %v; want %d messages", tt.name, done+1, total, err, len(tt.want))
			}
			var got []string
			for _, m := range f.Sent("u1")[before:] {
				got = append(got, m.Method)
			}
			var want []string
			if done < len(tt.want) {
				want = tt.want[done]
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: step %d sent %v, want %v", tt.name, done+1, got, want)
			}
		}
	}
}
