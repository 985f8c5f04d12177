package zalo

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"xabot/internal/channel/zalo/zalofake"
	"xabot/internal/chat"
)

func TestNewReadsGetMe(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	if b.Name() != zalofake.AccountName || b.ID() != "1459232241454765289" {
		t.Errorf("Name() = %q, ID() = %q", b.Name(), b.ID())
	}
	want := chat.Features{Buttons: false, Keyboard: false, ShareContact: false, MaxText: 2000}
	if got := b.Features(); got != want {
		t.Errorf("Features() = %+v", got)
	}
	if r := f.Requests(); len(r) != 1 || r[0].Method != "getMe" || !r[0].TokenOK {
		t.Errorf("requests = %+v", r)
	}
}

// A getMe without an id: the bot's id is the token's, never its secret.
func TestNewIDFromToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true,"result":{"account_name":"bot.x"}}`))
	}))
	defer srv.Close()
	b, err := newBot(t.Context(), Config{Token: testToken, BaseURL: srv.URL, Number: number}, (&sleeps{}).sleep)
	if err != nil {
		t.Fatal(err)
	}
	if b.ID() != "1459232241454765289" {
		t.Errorf("ID() = %q, want the token's bot id", b.ID())
	}
}

func TestNewRetriesGetMe(t *testing.T) {
	f := newFake(t)
	f.FailNext("getMe", 500, 500, "Internal Server Error")
	f.FailNext("getMe", 0, 0, "")
	b := newTestBot(t, f)
	if s := b.sleeps.all(); !reflect.DeepEqual(s, []time.Duration{500 * time.Millisecond, time.Second}) {
		t.Errorf("sleeps = %v", s)
	}
	for range getMeAttempts {
		f.FailNext("getMe", 502, 502, "Bad Gateway")
	}
	s := &sleeps{}
	_, err := newBot(t.Context(), Config{Token: testToken, BaseURL: f.URL(), Number: number}, s.sleep)
	if err == nil || !strings.Contains(err.Error(), "4 times") {
		t.Errorf("New = %v, want failure after 4 attempts", err)
	}
}

func TestNewTokenRejected(t *testing.T) {
	other := zalofake.New("1:another")
	defer other.Close()
	s := &sleeps{}
	_, err := newBot(t.Context(), Config{Token: testToken, BaseURL: other.URL(), Number: number}, s.sleep)
	if err == nil || !strings.Contains(err.Error(), "token rejected") {
		t.Fatalf("New = %v, want token rejected", err)
	}
	if n := len(other.Requests()); n != 1 || len(s.all()) != 0 {
		t.Errorf("%d getMe calls, sleeps %v: a rejected token is not retried", n, s.all())
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{},
		{Token: "12/34:x"},
		{Token: "12:x y"},
		{Token: testToken, BaseURL: "ftp://bot-api.zaloplatforms.com"},
		{Token: testToken, BaseURL: "https://bot-api.zaloplatforms.com?x=1"},
		{Token: testToken, BaseURL: "bot-api.zaloplatforms.com"},
	} {
		if _, err := New(t.Context(), cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

func TestSetWebhook(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	for _, tt := range []struct{ url, secret string }{
		{"http://xa.example/zalo", "long-enough-secret"},
		{"/zalo", "long-enough-secret"},
		{"https://xa.example/zalo", "short"},
		{"https://xa.example/zalo", strings.Repeat("s", 257)},
	} {
		if err := b.SetWebhook(t.Context(), tt.url, tt.secret); err == nil {
			t.Errorf("SetWebhook(%q, %d chars) accepted", tt.url, len(tt.secret))
		} else if strings.Contains(err.Error(), tt.secret) {
			t.Errorf("secret in %v", err)
		}
	}
	if n := len(requests(f, "setWebhook")); n != 0 {
		t.Errorf("%d bad setWebhook calls reached Zalo", n)
	}
	if err := b.SetWebhook(t.Context(), "https://xa.example/zalo", "s3cret-webhook-token"); err != nil {
		t.Fatal(err)
	}
	if u, s := f.Webhook(); u != "https://xa.example/zalo" || s != "s3cret-webhook-token" {
		t.Errorf("webhook set to %q, %q", u, s)
	}
	f.FailNext("setWebhook", 400, 400, "secret s3cret-webhook-token refused")
	err := b.SetWebhook(t.Context(), "https://xa.example/zalo", "s3cret-webhook-token")
	if err == nil || strings.Contains(err.Error(), "s3cret-webhook-token") {
		t.Errorf("SetWebhook = %v: want an error without the secret", err)
	}
	if err := b.DeleteWebhook(t.Context()); err != nil {
		t.Fatal(err)
	}
	if u, _ := f.Webhook(); u != "" {
		t.Errorf("webhook still %q", u)
	}
	f.FailNext("deleteWebhook", 502, 502, "Bad Gateway")
	if err := b.DeleteWebhook(t.Context()); err != nil {
		t.Errorf("DeleteWebhook not retried: %v", err)
	}
}

// The token is in every request URL; it must never reach an error string,
// whatever the failure.
func TestTokenNeverInErrors(t *testing.T) {
	var errs []error
	record := func(what string, err error) {
		if err == nil {
			t.Errorf("%s: no error", what)
			return
		}
		errs = append(errs, err)
	}
	s := &sleeps{}

	closed := zalofake.New(testToken)
	closed.Close()
	_, err := newBot(t.Context(), Config{Token: testToken, BaseURL: closed.URL(), Number: number}, s.sleep)
	record("getMe, connection refused", err)

	f := newFake(t)
	f.FailNext("getMe", 400, 400, "Bad Request: token "+testToken+" is malformed")
	_, err = newBot(t.Context(), Config{Token: testToken, BaseURL: f.URL(), Number: number}, s.sleep)
	record("getMe, token echoed", err)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = newBot(ctx, Config{Token: testToken, BaseURL: f.URL(), Number: number}, s.sleep)
	record("getMe, cancelled", err)

	b := newTestBot(t, f)
	f.FailNext("sendMessage", 0, 0, "")
	record("send, network", b.Send(t.Context(), chat.Reply{ChatID: "u1", Text: "a"}))
	f.FailNext("sendMessage", 403, 403, "Forbidden for "+testToken)
	record("send, token echoed", b.Send(t.Context(), chat.Reply{ChatID: "u1", Text: "a"}))
	f.FailNext("getUpdates", 401, 401, "Unauthorized")
	record("run", b.Run(t.Context(), &recorder{}))

	slow := &http.Client{Timeout: time.Nanosecond}
	b2 := newTestBot(t, f)
	b2.hc = slow
	record("send, client timeout", b2.Send(t.Context(), chat.Reply{ChatID: "u1", Text: "a"}))

	f.Close()
	record("send, server gone", b.Send(t.Context(), chat.Reply{ChatID: "u1", Text: "a"}))

	for _, err := range errs {
		if msg := err.Error(); strings.Contains(msg, testSecret) || strings.Contains(msg, testToken) {
			t.Errorf("token in error: %s", msg)
		}
	}
	if len(errs) != 8 {
		t.Errorf("%d errors checked, want 8", len(errs))
	}
}
