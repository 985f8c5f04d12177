package console

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"xabot/internal/chat"
)

var at = time.Date(2025, 6, 2, 2, 0, 0, 0, time.UTC)

func fixed() time.Time { return at }

// recorder is the consumer of the console: it keeps every update and may
// answer through the console, as the router would.
type recorder struct {
	mu      sync.Mutex
	got     []chat.Update
	reply   func(chat.Update) *chat.Reply // nil result: no answer
	con     *Console
	handled chan struct{}
}

func (r *recorder) Handle(ctx context.Context, u chat.Update) error {
	r.mu.Lock()
	r.got = append(r.got, u)
	r.mu.Unlock()
	if r.reply != nil {
		if rep := r.reply(u); rep != nil {
			if err := r.con.Send(ctx, *rep); err != nil {
				return err
			}
		}
	}
	if r.handled != nil {
		r.handled <- struct{}{}
	}
	return nil
}

func (r *recorder) updates() []chat.Update {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]chat.Update(nil), r.got...)
}

var twoButtons = chat.Reply{Text: "Anh/Chị có đồng ý không?", Buttons: [][]chat.Button{
	{{Label: "✅ Đồng ý", Data: "consent:yes"}},
	{{Label: "Không đồng ý", Data: "consent:no"}},
}}

// run feeds input to a console for user u1 whose handler answers "buttons"
// with twoButtons and "plain" with a reply without buttons.
func run(t *testing.T, input string) ([]chat.Update, string) {
	t.Helper()
	var out bytes.Buffer
	con := New(strings.NewReader(input), &out, "u1", fixed)
	rec := &recorder{con: con, reply: func(u chat.Update) *chat.Reply {
		switch u.Text {
		case "buttons":
			return &twoButtons
		case "plain":
			return &chat.Reply{Text: "Chỉ có chữ."}
		}
		return nil
	}}
	if err := con.Run(t.Context(), rec); err != nil {
		t.Fatalf("Run(%q) = %v, want nil at EOF", input, err)
	}
	return rec.updates(), out.String()
}

func TestRunUpdates(t *testing.T) {
	tests := []struct {
		line string
		want chat.Update // only Kind, Command, Args, Text, Data, Contact are compared
	}{
		{"xin chào", chat.Update{Kind: chat.Text, Text: "xin chào"}},
		{"H55.20-250501-0001", chat.Update{Kind: chat.Text, Text: "H55.20-250501-0001"}},
		{"/tracuu H55", chat.Update{Kind: chat.Command, Command: "tracuu", Args: "H55"}},
		{"/TroGiup", chat.Update{Kind: chat.Command, Command: "trogiup"}},
		{"/thongke 01/05/2025  31/05/2025 ", chat.Update{Kind: chat.Command, Command: "thongke", Args: "01/05/2025  31/05/2025"}},
		{"/contact 0905 123 456", chat.Update{Kind: chat.Contact,
			Contact: &chat.SharedContact{Phone: "0905 123 456", UserID: "u1"}}},
		{"1", chat.Update{Kind: chat.Text, Text: "1"}}, // no buttons shown yet
	}
	for _, tt := range tests {
		got, _ := run(t, tt.line+"\n")
		if len(got) != 1 {
			t.Errorf("Run(%q): %d updates, want 1", tt.line, len(got))
			continue
		}
		u := got[0]
		if u.Kind != tt.want.Kind || u.Command != tt.want.Command || u.Args != tt.want.Args ||
			u.Text != tt.want.Text || u.Data != tt.want.Data {
			t.Errorf("Run(%q) = %+v, want %+v", tt.line, u, tt.want)
		}
		if (u.Contact == nil) != (tt.want.Contact == nil) ||
			(u.Contact != nil && *u.Contact != *tt.want.Contact) {
			t.Errorf("Run(%q).Contact = %+v, want %+v", tt.line, u.Contact, tt.want.Contact)
		}
		wantFrom := chat.UserKey{Channel: chat.Console, ID: "u1"}
		if u.From != wantFrom || u.ChatID != "u1" || !u.At.Equal(at) || u.ID == "" {
			t.Errorf("Run(%q): From %v ChatID %q At %v ID %q; want %v, u1, %v, an id",
				tt.line, u.From, u.ChatID, u.At, u.ID, wantFrom, at)
		}
	}
}

func TestRunButtonsByNumber(t *testing.T) {
	got, _ := run(t, "buttons\n2\n3\n0\n1\nplain\n1\n\n  \n")
	want := []struct {
		kind       chat.Kind
		text, data string
	}{
		{chat.Text, "buttons", ""},
		{chat.Callback, "", "consent:no"},  // the second button
		{chat.Text, "3", ""},               // beyond the buttons
		{chat.Text, "0", ""},               // buttons count from 1
		{chat.Callback, "", "consent:yes"}, // still the last message's buttons
		{chat.Text, "plain", ""},
		{chat.Text, "1", ""}, // the last message has no buttons
	}
	if len(got) != len(want) {
		t.Fatalf("Run: %d updates, want %d (blank lines are skipped): %+v", len(got), len(want), got)
	}
	ids := map[string]bool{}
	for i, w := range want {
		u := got[i]
		if u.Kind != w.kind || u.Text != w.text || u.Data != w.data {
			t.Errorf("update %d = kind %v text %q data %q, want kind %v text %q data %q",
				i, u.Kind, u.Text, u.Data, w.kind, w.text, w.data)
		}
		if ids[u.ID] {
			t.Errorf("update %d: ID %q repeated, want each update its own", i, u.ID)
		}
		ids[u.ID] = true
	}
}

func TestSendPrints(t *testing.T) {
	tests := []struct {
		name    string
		reply   chat.Reply
		want    []string
		notWant []string
	}{
		{"buttons", twoButtons,
			[]string{"🤖 Anh/Chị có đồng ý không?", "[1] ✅ Đồng ý", "[2] Không đồng ý"}, []string{"⌨"}},
		{"multi-line text", chat.Reply{Text: "dòng một\ndòng hai"},
			[]string{"🤖 dòng một\n   dòng hai\n"}, []string{"[1]", "⌨"}},
		{"keyboard", chat.Reply{Text: "Menu", Keyboard: &chat.Keyboard{Rows: [][]chat.Key{
			{{Label: "🔎 Tra cứu hồ sơ"}, {Label: "📂 Hồ sơ của tôi"}},
			{{Label: "📱 Gửi số điện thoại", RequestContact: true}},
		}}}, []string{"⌨  🔎 Tra cứu hồ sơ | 📂 Hồ sơ của tôi | 📱 Gửi số điện thoại (/contact SỐ_ĐIỆN_THOẠI)"}, []string{"[1]"}},
		{"keyboard removed", chat.Reply{Text: "Xong", Keyboard: &chat.Keyboard{Remove: true}},
			[]string{"🤖 Xong"}, []string{"⌨"}},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		con := New(strings.NewReader(""), &out, "u1", fixed)
		if err := con.Send(t.Context(), tt.reply); err != nil {
			t.Fatalf("%s: Send: %v", tt.name, err)
		}
		for _, w := range tt.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: Send printed %q, want it to contain %q", tt.name, out.String(), w)
			}
		}
		for _, w := range tt.notWant {
			if strings.Contains(out.String(), w) {
				t.Errorf("%s: Send printed %q, want no %q", tt.name, out.String(), w)
			}
		}
	}
}

func TestRunPrintsRepliesAndHandlerErrors(t *testing.T) {
	var out bytes.Buffer
	con := New(strings.NewReader("buttons\nhỏng\n"), &out, "u1", fixed)
	rec := &recorder{con: con, reply: func(u chat.Update) *chat.Reply {
		if u.Text == "buttons" {
			return &twoButtons
		}
		return nil
	}}
	h := chat.Handler(handlerFunc(func(ctx context.Context, u chat.Update) error {
		if u.Text == "hỏng" {
			return errors.New("cơ sở dữ liệu bận")
		}
		return rec.Handle(ctx, u)
	}))
	if err := con.Run(t.Context(), h); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	s := out.String()
	for _, w := range []string{"👤 ", "[2] Không đồng ý", "(!) cơ sở dữ liệu bận"} {
		if !strings.Contains(s, w) {
			t.Errorf("Run printed %q, want it to contain %q", s, w)
		}
	}
}

type handlerFunc func(context.Context, chat.Update) error

func (f handlerFunc) Handle(ctx context.Context, u chat.Update) error { return f(ctx, u) }

func TestRunEOF(t *testing.T) {
	con := New(strings.NewReader(""), io.Discard, "u1", fixed)
	rec := &recorder{}
	if err := con.Run(t.Context(), rec); err != nil {
		t.Errorf("Run(empty input) = %v, want nil", err)
	}
	if n := len(rec.updates()); n != 0 {
		t.Errorf("Run(empty input): %d updates, want 0", n)
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	pr, pw := io.Pipe() // input that never ends
	t.Cleanup(func() { pw.Close() })
	con := New(pr, io.Discard, "u1", fixed)
	rec := &recorder{handled: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- con.Run(ctx, rec) }()

	if _, err := io.WriteString(pw, "xin chào\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-rec.handled:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not hand the typed line to the handler")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after ctx was cancelled")
	}
	if got := rec.updates(); len(got) != 1 || got[0].Text != "xin chào" {
		t.Errorf("updates before cancel = %+v, want one Text \"xin chào\"", got)
	}
}

// TestSendConcurrentWithRun: a notification may be sent while the user is
// typing; pressing a number must read a consistent set of buttons (run
// with -race: Send used to refill the slice update() had just read).
func TestSendConcurrentWithRun(t *testing.T) {
	const n = 500
	alt := chat.Reply{Text: "Khác", Buttons: [][]chat.Button{{{Label: "a", Data: "alt:1"}, {Label: "b", Data: "alt:2"}}}}
	con := New(strings.NewReader(strings.Repeat("2\n", n)), io.Discard, "u1", fixed)
	if err := con.Send(t.Context(), twoButtons); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			r := twoButtons
			if i%2 == 0 {
				r = alt
			}
			con.Send(context.Background(), r)
		}
	}()
	rec := &recorder{}
	if err := con.Run(t.Context(), rec); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	<-done
	got := rec.updates()
	if len(got) != n {
		t.Fatalf("Run: %d updates, want %d", len(got), n)
	}
	for i, u := range got {
		if u.Kind != chat.Callback || (u.Data != "consent:no" && u.Data != "alt:2") {
			t.Fatalf("update %d = kind %v data %q, want the second button of a sent reply", i, u.Kind, u.Data)
		}
	}
}
