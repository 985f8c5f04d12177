package zalofake

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

type answer struct {
	Ok          bool            `json:"ok"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Result      json.RawMessage `json:"result"`
}

func call(t *testing.T, s *Server, token, method, body string) (int, answer) {
	t.Helper()
	status, raw := post(t, s, token, method, []byte(body))
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("%s: %q: %v", method, raw, err)
	}
	return status, a
}

func TestFakeRules(t *testing.T) {
	s := New(testToken)
	defer s.Close()
	s.SetMaxPoll(50 * time.Millisecond)
	long := strings.Repeat("ệ", 2001)
	tests := []struct {
		name, token, method, body string
		wantCode                  int // 0: ok
	}{
		{"wrong token", "1:nope", "getMe", `{}`, 401},
		{"no token", "", "getMe", `{}`, 401},
		{"getMe", testToken, "getMe", ``, 0},
		{"unknown method", testToken, "sendVoodoo", `{}`, 404},
		{"body not an object", testToken, "sendMessage", `[1]`, 400},
		{"empty text", testToken, "sendMessage", `{"chat_id":"u1","text":""}`, 400},
		{"text too long", testToken, "sendMessage", `{"chat_id":"u1","text":"` + long + `"}`, 400},
		{"text of 2000", testToken, "sendMessage", `{"chat_id":"u1","text":"` + long[len("ệ"):] + `"}`, 0},
		{"emoji count twice", testToken, "sendMessage", `{"chat_id":"u1","text":"` + strings.Repeat("😀", 1001) + `"}`, 400},
		{"no chat", testToken, "sendMessage", `{"text":"a"}`, 400},
		{"photo not a URL", testToken, "sendPhoto", `{"chat_id":"u1","photo":"AgACAgIA"}`, 400},
		{"caption too long", testToken, "sendPhoto", `{"chat_id":"u1","photo":"https://x.example/a.png","caption":"` + long + `"}`, 400},
		{"bad action", testToken, "sendChatAction", `{"chat_id":"u1","action":"dancing"}`, 400},
		{"http webhook", testToken, "setWebhook", `{"url":"http://x.example/h","secret_token":"12345678"}`, 400},
		{"short secret", testToken, "setWebhook", `{"url":"https://x.example/h","secret_token":"1234567"}`, 400},
		{"long secret", testToken, "setWebhook", `{"url":"https://x.example/h","secret_token":"` + strings.Repeat("s", 257) + `"}`, 400},
		{"poll timeout", testToken, "getUpdates", `{"timeout":"30"}`, 408},
		{"poll timeout as a number", testToken, "getUpdates", `{"timeout":0}`, 408},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, a := call(t, s, tt.token, tt.method, tt.body)
			if tt.wantCode == 0 {
				if !a.Ok || status != http.StatusOK {
					t.Errorf("HTTP %d %+v, want ok", status, a)
				}
				return
			}
			if a.Ok || a.ErrorCode != tt.wantCode || status != tt.wantCode || a.Description == "" {
				t.Errorf("HTTP %d %+v, want error %d", status, a, tt.wantCode)
			}
		})
	}
	if got := s.Sent("u1"); len(got) != 1 || len([]rune(got[0].Text)) != 2000 {
		t.Errorf("sent = %d messages, want only the valid one", len(got))
	}
	if r := s.Requests(); len(r) != len(tests) || r[0].TokenOK || !r[2].TokenOK || string(r[2].Body) != "{}" {
		t.Errorf("requests not recorded as received: %+v", r[:3])
	}
}

// getUpdates holds the poll until an update arrives, hands out one update
// per call in order, and refuses to poll while a webhook is set.
func TestFakeLongPoll(t *testing.T) {
	s := New(testToken)
	defer s.Close()
	s.SetMaxPoll(5 * time.Second)
	go func() {
		time.Sleep(100 * time.Millisecond)
		s.SendText("u1", "An", "một")
		s.SendText("u1", "An", "hai")
	}()
	start := time.Now()
	_, a := call(t, s, testToken, "getUpdates", `{"timeout":"30"}`)
	if d := time.Since(start); d < 80*time.Millisecond || d > 3*time.Second {
		t.Errorf("poll answered after %v, want when the update came", d)
	}
	var u struct {
		EventName string `json:"event_name"`
		Message   struct {
			MessageID string `json:"message_id"`
			Text      string `json:"text"`
			Date      int64  `json:"date"`
			From      struct {
				ID, DisplayName string
			} `json:"from"`
		} `json:"message"`
	}
	if err := json.Unmarshal(a.Result, &u); err != nil || u.EventName != EventText || u.Message.Text != "một" ||
		u.Message.MessageID == "" || time.Since(time.UnixMilli(u.Message.Date)) > time.Minute {
		t.Fatalf("first update = %s (%v)", a.Result, err)
	}
	first := u.Message.MessageID
	_, a = call(t, s, testToken, "getUpdates", `{"timeout":"1"}`)
	if err := json.Unmarshal(a.Result, &u); err != nil || u.Message.Text != "hai" || u.Message.MessageID == first {
		t.Fatalf("second update = %s (%v)", a.Result, err)
	}

	call(t, s, testToken, "setWebhook", `{"url":"https://x.example/h","secret_token":"s3cret-token"}`)
	if url, secret := s.Webhook(); url != "https://x.example/h" || secret != "s3cret-token" {
		t.Errorf("Webhook() = %q, %q", url, secret)
	}
	s.SendText("u1", "An", "ba")
	if _, a := call(t, s, testToken, "getUpdates", `{"timeout":"1"}`); a.ErrorCode != 409 {
		t.Errorf("getUpdates with a webhook = %+v, want 409", a)
	}
	call(t, s, testToken, "deleteWebhook", ``)
	if url, secret := s.Webhook(); url != "" || secret != "" {
		t.Errorf("Webhook() after delete = %q, %q", url, secret)
	}
	if _, a := call(t, s, testToken, "getUpdates", `{"timeout":"1"}`); !a.Ok || !strings.Contains(string(a.Result), `"ba"`) {
		t.Errorf("the update queued meanwhile was lost: %+v", a)
	}
}

func TestFakeFailNextAndWaitSent(t *testing.T) {
	s := New(testToken)
	defer s.Close()
	s.FailNext("sendMessage", 429, 429, "Too Many Requests")
	s.FailNext("sendMessage", 200, 403, "Forbidden: blocked")
	if status, a := call(t, s, testToken, "sendMessage", `{"chat_id":"u1","text":"a"}`); status != 429 || a.ErrorCode != 429 {
		t.Errorf("first = %d %+v", status, a)
	}
	if status, a := call(t, s, testToken, "sendMessage", `{"chat_id":"u1","text":"a"}`); status != 200 || a.ErrorCode != 403 {
		t.Errorf("second = %d %+v", status, a)
	}
	s.FailNext("getMe", 0, 0, "")
	if _, err := http.Post(s.URL()+"/bot"+testToken+"/getMe", "application/json", nil); err == nil {
		t.Error("status 0 did not drop the connection")
	}

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	go func() {
		time.Sleep(50 * time.Millisecond)
		call(t, s, testToken, "sendPhoto", `{"chat_id":"u1","photo":"https://x.example/c.png","caption":"Biểu đồ"}`)
		call(t, s, testToken, "sendChatAction", `{"chat_id":"u1","action":"typing"}`)
		call(t, s, testToken, "sendMessage", `{"chat_id":"u1","text":"xong"}`)
	}()
	msgs, err := s.WaitSent(ctx, "u1", 2)
	if err != nil {
		t.Fatal(err)
	}
	if msgs[0].Method != "sendPhoto" || msgs[0].Photo != "https://x.example/c.png" || msgs[0].Caption != "Biểu đồ" ||
		msgs[1].Method != "sendMessage" || msgs[1].Text != "xong" || msgs[1].At.IsZero() {
		t.Errorf("sent = %+v", msgs)
	}
	short, cancel2 := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel2()
	if _, err := s.WaitSent(short, "u1", 3); err == nil {
		t.Error("WaitSent returned before a third message")
	}
}

// Close must not wait for a held long poll.
func TestFakeCloseEndsLongPoll(t *testing.T) {
	s := New(testToken)
	s.SetMaxPoll(time.Minute)
	go func() {
		_, _ = http.Post(s.URL()+"/bot"+testToken+"/getUpdates", "application/json", strings.NewReader(`{"timeout":"60"}`))
	}()
	for len(s.Requests()) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Close blocked on a long poll")
	}
}

func TestUpdateBuildsFlatBodies(t *testing.T) {
	s := New(testToken)
	defer s.Close()
	var img struct {
		EventName string `json:"event_name"`
		Message   struct {
			PhotoURL string `json:"photo_url"`
			Caption  string `json:"caption"`
			Chat     struct {
				ID, ChatType string
			} `json:"chat"`
		} `json:"message"`
	}
	if err := json.Unmarshal(s.Update("u9", "Bình", EventImage, "ổ gà"), &img); err != nil {
		t.Fatal(err)
	}
	if img.EventName != EventImage || !strings.HasPrefix(img.Message.PhotoURL, "https://") || img.Message.Caption != "ổ gà" {
		t.Errorf("image update = %+v", img)
	}
	a, b := s.Update("u9", "Bình", EventText, "x"), s.Update("u9", "Bình", EventText, "x")
	if string(a) == string(b) {
		t.Error("two updates share a message_id")
	}
	if _, a := call(t, s, testToken, "getUpdates", `{"timeout":"0"}`); a.ErrorCode != 408 {
		t.Error("Update queued something")
	}
}
