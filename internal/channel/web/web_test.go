package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"xabot/internal/chat"
)

const visitor = "0123456789abcdef0123"

var at = time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)

// recorder is the router as the simulator sees it: it keeps every update
// and may answer through the channel the update came from.
type recorder struct {
	mu    sync.Mutex
	got   []chat.Update
	web   *Web
	reply func(chat.Update) *chat.Reply
	err   error
}

func (r *recorder) Handle(ctx context.Context, u chat.Update) error {
	r.mu.Lock()
	r.got = append(r.got, u)
	r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	if r.reply != nil {
		if rep := r.reply(u); rep != nil {
			rep.ChatID = u.ChatID
			return r.web.Channel(u.From.Channel).Send(ctx, *rep)
		}
	}
	return nil
}

func (r *recorder) updates() []chat.Update {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]chat.Update(nil), r.got...)
}

type fakeJobs struct {
	ran []string
	err error
}

func (f *fakeJobs) Names() []string { return []string{"overdue", "weekly-digest"} }
func (f *fakeJobs) Run(_ context.Context, name string) (int, error) {
	f.ran = append(f.ran, name)
	return 3, f.err
}

func personas() []Persona {
	return []Persona{
		{Panel: "citizen", Label: "web.page.panel_citizen"},
		{Panel: "official", User: "official", Label: "web.page.panel_official"},
		{Panel: "zalo", Label: "web.page.panel_zalo", Numbered: true},
	}
}

// newTest serves a simulator whose handler is a recorder.
func newTest(t *testing.T, cfg Config) (*Web, *recorder, *httptest.Server) {
	t.Helper()
	cfg.Now = func() time.Time { return at }
	if cfg.Personas == nil {
		cfg.Personas = personas()
	}
	w := New(cfg)
	rec := &recorder{web: w}
	srv := httptest.NewServer(w.Handler(rec))
	t.Cleanup(srv.Close)
	return w, rec, srv
}

// post sends body as JSON and returns the status and the decoded answer.
func post(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("POST %s: answer is not JSON: %v", url, err)
	}
	return res.StatusCode, out
}

func send(t *testing.T, srv *httptest.Server, fields string) (int, map[string]any) {
	t.Helper()
	return post(t, srv.URL+"/api/send", `{"visitor":"`+visitor+`",`+fields+`}`)
}

type event struct {
	Panel string `json:"panel"`
	Message
}

// stream opens the visitor's event stream with header Last-Event-ID (if
// not empty) and returns a function reading the next n events.
func stream(t *testing.T, srv *httptest.Server, query, lastID string) func(n int) []event {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/events?visitor="+visitor+query, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	if ct := res.Header.Get("Content-Type"); res.StatusCode != 200 || !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("events: %d %q", res.StatusCode, ct)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				select {
				case lines <- data:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return func(n int) []event {
		t.Helper()
		var out []event
		for len(out) < n {
			select {
			case data := <-lines:
				var e event
				if err := json.Unmarshal([]byte(data), &e); err != nil {
					t.Fatalf("event %q: %v", data, err)
				}
				out = append(out, e)
			case <-time.After(5 * time.Second):
				t.Fatalf("got %d events, want %d: %+v", len(out), n, out)
			}
		}
		return out
	}
}

func TestSendTextAndCommand(t *testing.T) {
	_, rec, srv := newTest(t, Config{})
	if code, out := send(t, srv, `"panel":"citizen","kind":"text","text":"  H55.20-261118-0003 "`); code != 200 || out["ok"] != true {
		t.Fatalf("send text = %d %v", code, out)
	}
	if code, _ := send(t, srv, `"panel":"citizen","kind":"text","text":"/TraCuu@xabot_bot H55"`); code != 200 {
		t.Fatalf("send command = %d", code)
	}
	got := rec.updates()
	if len(got) != 2 {
		t.Fatalf("handler got %d updates, want 2", len(got))
	}
	u := got[0]
	if u.Kind != chat.Text || u.Text != "H55.20-261118-0003" || u.From != (chat.UserKey{Channel: chat.Web, ID: visitor}) ||
		u.ChatID != visitor || u.ID == "" || !u.At.Equal(at) {
		t.Errorf("text update = %+v", u)
	}
	if c := got[1]; c.Kind != chat.Command || c.Command != "tracuu" || c.Args != "H55" || c.ID == u.ID {
		t.Errorf("command update = %+v", c)
	}
}

func TestFixedPersonaSpeaksInItsOwnChat(t *testing.T) {
	_, rec, srv := newTest(t, Config{})
	if code, _ := send(t, srv, `"panel":"official","kind":"text","text":"/quahan"`); code != 200 {
		t.Fatalf("send = %d", code)
	}
	if u := rec.updates()[0]; u.From.String() != "web:official" || u.ChatID != "official" {
		t.Errorf("official's update from %s to %q, want web:official", u.From, u.ChatID)
	}
}

func TestPressButton(t *testing.T) {
	_, rec, srv := newTest(t, Config{})
	code, _ := send(t, srv, `"panel":"citizen","kind":"press","data":"consent/ask/yes","label":"✅ Đồng ý","id":"a1b2c3d4e5f60708"`)
	if code != 200 {
		t.Fatalf("press = %d", code)
	}
	u := rec.updates()[0]
	if u.Kind != chat.Callback || u.Data != "consent/ask/yes" || u.ID != "a1b2c3d4e5f60708" {
		t.Errorf("press update = %+v", u)
	}
	if code, out := send(t, srv, `"panel":"citizen","kind":"press","data":"`+strings.Repeat("x", 65)+`"`); code != 400 || out["error"] != "bad_button" {
		t.Errorf("65-byte data = %d %v, want 400 bad_button", code, out)
	}
}

func TestShareContactIsTheSendersOwn(t *testing.T) {
	_, rec, srv := newTest(t, Config{})
	if code, _ := send(t, srv, `"panel":"citizen","kind":"contact","phone":"0905 123 456"`); code != 200 {
		t.Fatalf("contact = %d", code)
	}
	u := rec.updates()[0]
	if u.Kind != chat.Contact || u.Contact == nil || u.Contact.Phone != "0905 123 456" || u.Contact.UserID != visitor {
		t.Errorf("contact update = %+v (%+v)", u, u.Contact)
	}
	if code, out := send(t, srv, `"panel":"citizen","kind":"contact","phone":"call me"`); code != 400 || out["error"] != "bad_phone" {
		t.Errorf("bad phone = %d %v", code, out)
	}
}

func TestHistoryReplayAndLive(t *testing.T) {
	_, rec, srv := newTest(t, Config{})
	rec.reply = func(u chat.Update) *chat.Reply {
		return &chat.Reply{Text: "echo " + u.Text, Buttons: [][]chat.Button{{{Label: "OK", Data: "ok"}}},
			Keyboard: &chat.Keyboard{Rows: [][]chat.Key{{{Label: "📱 Chia sẻ", RequestContact: true}}}}}
	}
	send(t, srv, `"panel":"citizen","kind":"text","text":"một"`)
	send(t, srv, `"panel":"official","kind":"text","text":"hai"`)

	// A page (re)loaded: everything so far, the user's own lines too, each
	// in its panel.
	got := stream(t, srv, "&after=0", "")(4)
	want := []string{"citizen user một", "citizen bot echo một", "official user hai", "official bot echo hai"}
	for i, e := range got {
		if s := e.Panel + " " + e.From + " " + e.Text; s != want[i] || e.Seq != int64(i+1) {
			t.Errorf("event %d = %q (seq %d), want %q", i, s, e.Seq, want[i])
		}
	}
	if b := got[1]; len(b.Buttons) != 1 || b.Buttons[0][0].Data != "ok" || b.Keyboard == nil || !b.Keyboard.Rows[0][0].Contact {
		t.Errorf("bot message lost its buttons or keyboard: %+v", b)
	}

	// A reconnect resumes after Last-Event-ID, then new messages arrive live.
	next := stream(t, srv, "", "3")
	if e := next(1)[0]; e.Seq != 4 {
		t.Errorf("after Last-Event-ID 3 the stream sent seq %d first, want 4", e.Seq)
	}
	send(t, srv, `"panel":"zalo","kind":"text","text":"ba"`)
	live := next(2)
	if live[0].Panel != "zalo" || live[0].Text != "ba" || !strings.HasPrefix(live[1].Text, "echo ba") || len(live[1].Buttons) != 0 {
		t.Errorf("live events = %+v", live)
	}
}

func TestOtherVisitorsDoNotShareTheCitizenChat(t *testing.T) {
	w, _, srv := newTest(t, Config{})
	if err := w.Channel(chat.Web).Send(context.Background(), chat.Reply{ChatID: "ffffffffffffffffffff", Text: "not yours"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Channel(chat.Web).Send(context.Background(), chat.Reply{ChatID: visitor, Text: "yours"}); err != nil {
		t.Fatal(err)
	}
	if e := stream(t, srv, "", "")(1)[0]; e.Text != "yours" {
		t.Errorf("visitor's stream began with %q, want only their own chat", e.Text)
	}
}

func TestHistoryIsBounded(t *testing.T) {
	w, _, srv := newTest(t, Config{History: 3})
	ch := w.Channel(chat.Web)
	pic := pngBytes(t)
	for i := 1; i <= 5; i++ {
		r := chat.Reply{ChatID: visitor, Text: fmt.Sprint("tin ", i)}
		if i == 1 {
			r.Image = &chat.Image{Data: pic}
		}
		if err := ch.Send(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	got := stream(t, srv, "", "")(3)
	if got[0].Text != "tin 3" || got[2].Text != "tin 5" {
		t.Errorf("kept %q … %q, want tin 3 … tin 5", got[0].Text, got[2].Text)
	}
	w.mu.Lock()
	n := len(w.media)
	w.mu.Unlock()
	if n != 0 {
		t.Errorf("%d images kept after their message was forgotten, want 0", n)
	}
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestImageServedWithItsType(t *testing.T) {
	w, _, srv := newTest(t, Config{})
	pic := pngBytes(t)
	ch := w.Channel(chat.Web)
	if err := ch.Send(context.Background(), chat.Reply{ChatID: "official", Text: "Tuần qua", Image: &chat.Image{Data: pic, Name: "tuan.png"}}); err != nil {
		t.Fatal(err)
	}
	if err := ch.Send(context.Background(), chat.Reply{ChatID: "official", Image: &chat.Image{FileID: "AgACAgUAAx"}}); err != nil {
		t.Fatal(err)
	}
	got := stream(t, srv, "", "")(2)
	img := got[0].Image
	if img == nil || !strings.HasPrefix(img.URL, "media/") || img.Name != "tuan.png" {
		t.Fatalf("image ref = %+v", img)
	}
	res, err := http.Get(srv.URL + "/" + img.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || !bytes.Equal(body, pic) {
		t.Errorf("GET %s = %d %q, %d bytes; want 200 image/png with the picture", img.URL, res.StatusCode, res.Header.Get("Content-Type"), len(body))
	}
	if ph := got[1].Image; ph == nil || ph.URL != "" {
		t.Errorf("an image with only a file id = %+v, want a placeholder (no URL)", ph)
	}
	for _, path := range []string{"/media/000000000000000000000000", "/media/..%2fx"} {
		if res, err := http.Get(srv.URL + path); err != nil || res.StatusCode != 404 {
			t.Errorf("GET %s = %v %v, want 404", path, res.StatusCode, err)
		}
	}
}

func TestBadRequestsAreJSONErrors(t *testing.T) {
	_, rec, srv := newTest(t, Config{})
	tests := []struct {
		name, body, ctype string
		status            int
		code              string
	}{
		{"bad json", `{"panel":`, "application/json", 400, "bad_json"},
		{"unknown field", `{"panel":"citizen","visitor":"` + visitor + `","kind":"text","text":"x","admin":true}`, "application/json", 400, "bad_json"},
		{"two objects", `{"panel":"citizen"}{}`, "application/json", 400, "bad_json"},
		{"oversize", `{"panel":"citizen","visitor":"` + visitor + `","kind":"text","text":"` + strings.Repeat("a", maxBody) + `"}`, "application/json", 413, "too_large"},
		{"form post", `panel=citizen`, "application/x-www-form-urlencoded", 415, "want_json"},
		{"bad visitor", `{"panel":"citizen","visitor":"../../official","kind":"text","text":"x"}`, "application/json", 400, "bad_user"},
		{"upper-case visitor", `{"panel":"citizen","visitor":"0123456789ABCDEF0123","kind":"text","text":"x"}`, "application/json", 400, "bad_user"},
		{"fixed panel, bad visitor", `{"panel":"official","visitor":"x","kind":"text","text":"x"}`, "application/json", 400, "bad_user"},
		{"unknown panel", `{"panel":"admin","visitor":"` + visitor + `","kind":"text","text":"x"}`, "application/json", 400, "bad_user"},
		{"bad id", `{"panel":"citizen","visitor":"` + visitor + `","id":"x y","kind":"text","text":"x"}`, "application/json", 400, "bad_id"},
		{"bad kind", `{"panel":"citizen","visitor":"` + visitor + `","kind":"sticker"}`, "application/json", 400, "bad_kind"},
		{"empty text", `{"panel":"citizen","visitor":"` + visitor + `","kind":"text","text":"  "}`, "application/json", 400, "empty_text"},
		{"long text", `{"panel":"citizen","visitor":"` + visitor + `","kind":"text","text":"` + strings.Repeat("ă", maxText+1) + `"}`, "application/json", 400, "text_too_long"},
	}
	for _, tt := range tests {
		res, err := http.Post(srv.URL+"/api/send", tt.ctype, strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]string
		err = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		if res.StatusCode != tt.status || err != nil || out["error"] != tt.code {
			t.Errorf("%s: %d %v (%v), want %d {error: %s}", tt.name, res.StatusCode, out, err, tt.status, tt.code)
		}
	}
	if n := len(rec.updates()); n != 0 {
		t.Errorf("bad requests reached the handler %d times", n)
	}
	for _, c := range []struct {
		method, path string
		status       int
	}{{"GET", "/api/send", 405}, {"POST", "/api/config", 405}, {"GET", "/nowhere", 404}, {"GET", "/api/events?visitor=official", 400}} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]string
		err = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		if res.StatusCode != c.status || err != nil || out["error"] == "" {
			t.Errorf("%s %s = %d %v (%v), want %d with a JSON error", c.method, c.path, res.StatusCode, out, err, c.status)
		}
	}
}

func TestHandlerFailureIsReported(t *testing.T) {
	_, rec, srv := newTest(t, Config{})
	rec.err = errors.New("redis down")
	if code, out := send(t, srv, `"panel":"citizen","kind":"text","text":"xin chào"`); code != http.StatusBadGateway || out["error"] != "not_handled" {
		t.Errorf("send while the handler fails = %d %v, want 502 not_handled", code, out)
	}
}

func TestJobs(t *testing.T) {
	jobs := &fakeJobs{}
	_, _, srv := newTest(t, Config{Jobs: jobs})
	if code, out := post(t, srv.URL+"/api/jobs/overdue", ""); code != 200 || out["job"] != "overdue" || out["queued"] != float64(3) {
		t.Errorf("run overdue = %d %v", code, out)
	}
	if code, out := post(t, srv.URL+"/api/jobs/rm-rf", ""); code != 404 || out["error"] != "unknown_job" {
		t.Errorf("unknown job = %d %v, want 404 unknown_job", code, out)
	}
	jobs.err = fmt.Errorf("%w: overdue", ErrJobBusy)
	if code, out := post(t, srv.URL+"/api/jobs/overdue", ""); code != 409 || out["error"] != "busy" {
		t.Errorf("busy job = %d %v, want 409", code, out)
	}
	jobs.err = errors.New("disk full")
	if code, out := post(t, srv.URL+"/api/jobs/weekly-digest", ""); code != 500 || out["error"] != "job_failed" {
		t.Errorf("failing job = %d %v, want 500", code, out)
	}
	if fmt.Sprint(jobs.ran) != "[overdue overdue weekly-digest]" {
		t.Errorf("ran %v", jobs.ran)
	}

	_, _, bare := newTest(t, Config{})
	if code, _ := post(t, bare.URL+"/api/jobs/overdue", ""); code != 404 {
		t.Errorf("a job without Jobs = %d, want 404", code)
	}
	res, err := http.Get(bare.URL + "/api/config")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Jobs   []string `json:"jobs"`
		Panels []panel  `json:"panels"`
	}
	err = json.NewDecoder(res.Body).Decode(&c)
	res.Body.Close()
	if err != nil || c.Jobs == nil || len(c.Jobs) != 0 || len(c.Panels) != 3 || !c.Panels[1].Fixed || !c.Panels[2].Numbered {
		t.Errorf("config without jobs = %+v (%v), want no jobs and the three panels", c, err)
	}
}

func TestSendRefusesForeignChatIDs(t *testing.T) {
	w, _, _ := newTest(t, Config{})
	for _, id := range []string{"", "admin", "../official", visitor + "0"} {
		if err := w.Channel(chat.Web).Send(context.Background(), chat.Reply{ChatID: id, Text: "x"}); err == nil {
			t.Errorf("Send to %q = nil, want an error", id)
		}
	}
}
