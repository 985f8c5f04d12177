package telegram

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"xabot/internal/chat"
)

func TestSetAndDeleteWebhook(t *testing.T) {
	f := newFake(t)
	f.setDefault("setWebhook", body(200, `{"ok":true,"result":true}`))
	f.setDefault("deleteWebhook", body(200, `{"ok":true,"result":true}`))
	b := newTestBot(t, f)
	if err := b.SetWebhook(t.Context(), "https://xa.example.vn/webhook/telegram", "s3cret_-X"); err != nil {
		t.Fatal(err)
	}
	calls := f.callsOf("setWebhook")
	if len(calls) != 1 {
		t.Fatalf("setWebhook calls = %d", len(calls))
	}
	form := calls[0].Form
	if form.Get("url") != "https://xa.example.vn/webhook/telegram" || form.Get("secret_token") != "s3cret_-X" ||
		form.Get("allowed_updates") != `["message","callback_query"]` || form.Get("max_connections") != "100" {
		t.Errorf("setWebhook form = %v", form)
	}
	if err := b.SetWebhook(t.Context(), "https://x", ""); err == nil {
		t.Error("SetWebhook with an empty secret succeeded")
	}
	if err := b.DeleteWebhook(t.Context()); err != nil {
		t.Fatal(err)
	}
	if c := f.callsOf("deleteWebhook"); len(c) != 1 || c[0].Form.Get("drop_pending_updates") == "true" {
		t.Errorf("deleteWebhook calls = %+v: pending updates must be kept", c)
	}
	// A refusal comes back as an error without the token.
	f.setDefault("setWebhook", body(400, `{"ok":false,"error_code":400,"description":"Bad Request: bad webhook: HTTPS url must be provided for webhook"}`))
	err := b.SetWebhook(t.Context(), "http://x", "s")
	if err == nil || !strings.Contains(err.Error(), "HTTPS url") || strings.Contains(err.Error(), testToken) {
		t.Errorf("SetWebhook refused: %v", err)
	}
}

func TestWebhookKey(t *testing.T) {
	b := newTestBot(t, newFake(t))
	cases := []struct {
		body, key, group string
		bad              bool
	}{
		{body: textUpdate(41, 7, "xin chào"), key: "41", group: "7"},
		{body: callbackUpdate(42, 8, "q1", "private"), key: "42", group: "8"},
		{body: `{"update_id":43,"edited_message":{"message_id":1}}`, key: "43"},
		{body: `{"message":{"message_id":1}}`, bad: true},
		{body: `not json`, bad: true},
		{body: ``, bad: true},
		{body: `{"update_id":"44"}`, bad: true},
	}
	for _, c := range cases {
		key, group, err := b.WebhookKey([]byte(c.body))
		if c.bad {
			if err == nil {
				t.Errorf("WebhookKey(%s) = %q, want an error", c.body, key)
			}
			continue
		}
		if err != nil || key != c.key || group != c.group {
			t.Errorf("WebhookKey(%s) = %q, %q, %v; want %q, %q", c.body, key, group, err, c.key, c.group)
		}
	}
}

// Process converts a webhook body as polling does, answers a callback even
// when the handler fails, and returns the handler's error for a retry.
func TestProcess(t *testing.T) {
	f := newFake(t)
	f.setDefault("answerCallbackQuery", body(200, `{"ok":true,"result":true}`))
	b := newTestBot(t, f)
	var mu sync.Mutex
	var got []chat.Update
	fail := errors.New("store down")
	h := handlerFunc(func(_ context.Context, u chat.Update) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, u)
		if u.Kind == chat.Callback {
			return fail
		}
		return nil
	})
	if err := b.Process(t.Context(), h, []byte(textUpdate(51, 9, "/tracuu 000.00.00.H00-261125-0001"))); err != nil {
		t.Fatal(err)
	}
	if err := b.Process(t.Context(), h, []byte(callbackUpdate(52, 9, "cb-52", "private"))); !errors.Is(err, fail) {
		t.Errorf("Process(callback) error = %v, want the handler's", err)
	}
	// Not for the bot (a group's button), or not decodable: done, nothing handled.
	if err := b.Process(t.Context(), h, []byte(callbackUpdate(53, 9, "cb-53", "group"))); err != nil {
		t.Error(err)
	}
	if err := b.Process(t.Context(), h, []byte(`{"update_id":"x"}`)); err != nil {
		t.Error(err)
	}
	if len(got) != 2 || got[0].Text != "/tracuu 000.00.00.H00-261125-0001" || got[0].ID != "51" ||
		got[0].From != (chat.UserKey{Channel: chat.Telegram, ID: "9"}) || got[1].Data != "menu:lookup" {
		t.Errorf("handled = %+v", got)
	}
	var answered []string
	for _, c := range f.callsOf("answerCallbackQuery") {
		answered = append(answered, c.Form.Get("callback_query_id"))
	}
	if strings.Join(answered, ",") != "cb-52,cb-53" {
		t.Errorf("answered callbacks = %v, want cb-52 and cb-53", answered)
	}
}
