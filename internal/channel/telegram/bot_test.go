package telegram

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"xabot/internal/chat"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name      string
		answers   []respond
		wantErr   string // "" means success
		wantSleep []time.Duration
	}{
		{"ok", nil, "", nil},
		{"emulator 500 then ok", []respond{file(500, "emulator_500.json")}, "", []time.Duration{500 * time.Millisecond}},
		{"429 then ok", []respond{file(429, "error_429.json")}, "", []time.Duration{time.Second}},
		{"network errors then ok", []respond{hangup, hangup}, "", []time.Duration{500 * time.Millisecond, time.Second}},
		{"bad token", []respond{file(401, "error_401.json")}, "token rejected", nil},
		{"always down", []respond{hangup, hangup, hangup, hangup}, "failed 4 times",
			[]time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.script("getMe", tt.answers...)
			log, _ := newLog(t)
			s := &sleeps{}
			b, err := newBot(t.Context(), Config{Token: testToken, Endpoint: f.endpoint(), Log: log}, s.sleep)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("newBot: %v", err)
				}
				if b.Username() != "xabot_bot" || b.ID() != "7012345678" {
					t.Errorf("Username = %q, ID = %q; want getMe's", b.Username(), b.ID())
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("newBot = %v, want error containing %q", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), testToken) {
				t.Errorf("token in error: %v", err)
			}
			if got := s.all(); !reflect.DeepEqual(got, tt.wantSleep) {
				t.Errorf("sleeps = %v, want %v", got, tt.wantSleep)
			}
		})
	}
}

// A network error carries the URL, and the URL carries the token.
func TestTokenNotInNetworkErrors(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	endpoint := srv.URL + "/bot%s/%s"
	srv.Close() // connection refused from now on

	log, logs := newLog(t)
	s := &sleeps{}
	_, err := newBot(t.Context(), Config{Token: testToken, Endpoint: endpoint, Log: log}, s.sleep)
	if err == nil {
		t.Fatal("newBot succeeded against a closed server")
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("token in error: %v", err)
	}
	if !strings.Contains(err.Error(), "<token>") {
		t.Errorf("error does not show where the token was: %v", err)
	}
	if !strings.Contains(logs.String(), "getMe") {
		t.Errorf("failures not logged:\n%s", logs)
	}

	// The same through Run: a bot whose server went away.
	f := newFake(t)
	b := newTestBot(t, f)
	f.srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx, handlerFunc(func(context.Context, chat.Update) error { return nil })) }()
	eventually(t, "a logged poll failure", func() bool { return strings.Contains(b.logs.String(), "getUpdates failed") })
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	if err := b.Send(t.Context(), chat.Reply{ChatID: "1", Text: "a"}); err == nil || strings.Contains(err.Error(), testToken) {
		t.Errorf("Send = %v", err)
	}
}

func TestNewCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	f := newFake(t)
	_, err := New(ctx, Config{Token: testToken, Endpoint: f.endpoint()})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("New = %v, want context.Canceled", err)
	}
}

func TestNewConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no token", Config{}},
		{"endpoint without verbs", Config{Token: testToken, Endpoint: "http://127.0.0.1:1/bot"}},
	}
	for _, tt := range tests {
		if _, err := New(t.Context(), tt.cfg); err == nil {
			t.Errorf("%s: New succeeded", tt.name)
		}
	}
}

func TestFeatures(t *testing.T) {
	b := newTestBot(t, newFake(t))
	want := chat.Features{Buttons: true, Keyboard: true, ShareContact: true, Location: true, MaxText: 4096}
	if got := b.Features(); got != want {
		t.Errorf("Features = %+v", got)
	}
}

func TestRedact(t *testing.T) {
	ue := &url.Error{Op: "Post", URL: "https://api.telegram.org/bot" + testToken + "/getMe", Err: context.Canceled}
	err := redact(ue, testToken)
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("redact(url.Error) = %v", err)
	}
	if !errors.Is(err, context.Canceled) {
		t.Error("redacted error lost context.Canceled")
	}
	other := redact(errors.New("oops "+testToken+": "+context.DeadlineExceeded.Error()), testToken)
	if strings.Contains(other.Error(), testToken) {
		t.Errorf("redact(other) = %v", other)
	}
}
