package zalo

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"xabot/internal/channel/zalo/zalofake"
	"xabot/internal/chat"
)

func wrap(body []byte) []byte { return []byte(`{"ok":true,"result":` + string(body) + `}`) }

func TestWebhookKey(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	flat := f.Update("u1", "An", zalofake.EventText, "xin chào")
	want := "message.text.received:" + messageID(t, flat)
	for name, body := range map[string][]byte{
		"flat":             flat,
		"wrapped":          wrap(flat),
		"padded":           []byte("\n  " + string(flat) + "\n"),
		"numeric id":       []byte(`{"event_name":"message.text.received","message":{"message_id":` + "12" + `}}`),
		"docs sample form": []byte(`{"ok":true,"result":{"message":{"from":{"id":"6ede9afa66b88fe6d6a9","display_name":"Ted","is_bot":false},"chat":{"id":"6ede9afa66b88fe6d6a9","chat_type":"PRIVATE"},"text":"checkin","message_id":"2d758cb5e222177a4e35","date":1750316131602},"event_name":"message.text.received"}}`),
	} {
		got, _, err := b.WebhookKey(body)
		switch {
		case err != nil:
			t.Errorf("%s: %v", name, err)
		case name == "numeric id" && got != "message.text.received:12":
			t.Errorf("%s: key %q", name, got)
		case name == "docs sample form" && got != "message.text.received:2d758cb5e222177a4e35":
			t.Errorf("%s: key %q", name, got)
		case (name == "flat" || name == "wrapped" || name == "padded") && got != want:
			t.Errorf("%s: key %q, want %q", name, got, want)
		}
	}
	for name, body := range map[string]string{
		"empty":               "",
		"blank":               " \n",
		"not JSON":            "event_name=message.text.received",
		"array":               `[{"event_name":"message.text.received","message":{"message_id":"m1"}}]`,
		"string":              `"message.text.received:m1"`,
		"no message_id":       `{"event_name":"message.text.received","message":{"text":"a"}}`,
		"no message":          `{"event_name":"message.text.received"}`,
		"no event_name":       `{"message":{"message_id":"m1"}}`,
		"error envelope":      `{"ok":false,"error_code":500,"description":"x"}`,
		"envelope, no result": `{"ok":true}`,
		"wrong types":         `{"event_name":1,"message":{"message_id":"m1"}}`,
		"truncated":           string(flat[:len(flat)-3]),
	} {
		if k, _, err := b.WebhookKey([]byte(body)); err == nil {
			t.Errorf("%s: key %q, want an error", name, k)
		}
	}
}

// Process converts exactly as polling does, flat or wrapped.
func TestProcessMatchesPolling(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	bodies := [][]byte{
		f.Update("u1", "An", zalofake.EventText, "/TraCuu HS-1"),
		f.Update("u1", "An", zalofake.EventImage, "đường hỏng"),
		f.Update("u1", "An", zalofake.EventSticker, ""),
		f.Update("u1", "An", zalofake.EventUnsupported, ""),
	}
	viaWebhook := &recorder{}
	for _, body := range bodies {
		if err := b.Process(t.Context(), viaWebhook, body); err != nil {
			t.Fatal(err)
		}
		if err := b.Process(t.Context(), viaWebhook, wrap(body)); err != nil {
			t.Fatal(err)
		}
		f.SendRaw(body)
	}
	viaPoll := &recorder{}
	b.run(t, viaPoll)
	polled := viaPoll.wait(t, len(bodies))
	hooked := viaWebhook.updates()
	for i := range bodies {
		if !reflect.DeepEqual(hooked[2*i], polled[i]) || !reflect.DeepEqual(hooked[2*i+1], polled[i]) {
			t.Errorf("update %d:\nwebhook %+v\nwrapped %+v\npolled  %+v", i, hooked[2*i], hooked[2*i+1], polled[i])
		}
	}
	if polled[0].Kind != chat.Command || polled[1].Kind != chat.Photo || polled[2].Kind != chat.Sticker || polled[3].Kind != chat.Other {
		t.Errorf("kinds %v %v %v %v", polled[0].Kind, polled[1].Kind, polled[2].Kind, polled[3].Kind)
	}
}

func TestProcessErrorsAndIgnored(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	h := &recorder{}
	if err := b.Process(t.Context(), h, []byte("nope")); err == nil {
		t.Error("a malformed body was processed")
	}
	group := `{"event_name":"message.text.received","message":{"from":{"id":"u1","is_bot":false},"chat":{"id":"g","chat_type":"GROUP"},"text":"a","message_id":"m1","date":1}}`
	fromBot := `{"event_name":"message.text.received","message":{"from":{"id":"b","is_bot":true},"chat":{"id":"b","chat_type":"PRIVATE"},"text":"a","message_id":"m2","date":1}}`
	for _, body := range []string{group, fromBot} {
		if err := b.Process(t.Context(), h, []byte(body)); err != nil {
			t.Errorf("ignored update: %v", err)
		}
	}
	if n := len(h.updates()); n != 0 {
		t.Errorf("%d ignored updates handed over", n)
	}
	boom := errors.New("store down")
	h.fail = func(int, chat.Update) error { return boom }
	if err := b.Process(t.Context(), h, f.Update("u1", "An", zalofake.EventText, "a")); !errors.Is(err, boom) {
		t.Errorf("Process = %v, want the handler's error", err)
	}
	h.fail = func(int, chat.Update) error { panic("bad") }
	if err := b.Process(t.Context(), h, f.Update("u1", "An", zalofake.EventText, "a")); err == nil || !strings.Contains(err.Error(), "panic") {
		t.Errorf("Process = %v, want the panic as an error", err)
	}
}

func TestCommand(t *testing.T) {
	tests := []struct {
		text, name, args string
		ok               bool
	}{
		{"/start", "start", "", true},
		{"/START@bot.VDKyGxQvc", "start", "", true},
		{"  /tracuu   HS-2024-001  ", "tracuu", "HS-2024-001", true},
		{"/gopy\nĐường hỏng ở thôn 3", "gopy", "Đường hỏng ở thôn 3", true},
		{"/NgonNgu en", "ngonngu", "en", true},
		{"/", "", "", false},
		{"/@bot", "", "", false},
		{"/ tracuu", "", "", false},
		{"tra cứu /start", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		name, args, ok := command(tt.text)
		if name != tt.name || args != tt.args || ok != tt.ok {
			t.Errorf("command(%q) = %q, %q, %v; want %q, %q, %v", tt.text, name, args, ok, tt.name, tt.args, tt.ok)
		}
	}
}

func TestToUpdateEdges(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for name, tt := range map[string]struct {
		body string
		want chat.Update
		ok   bool
	}{
		"no chat: reply to the sender": {`{"event_name":"message.text.received","message":{"from":{"id":"u1"},"text":"a","message_id":"m"}}`,
			chat.Update{ID: "message.text.received:m", From: chat.UserKey{Channel: chat.Zalo, ID: "u1"}, ChatID: "u1", Kind: chat.Text, Text: "a", At: now}, true},
		"photo under its old name": {`{"event_name":"message.image.received","message":{"from":{"id":"u1"},"photo":"https://p/a.jpg","message_id":"m","date":1750316131602}}`,
			chat.Update{ID: "message.image.received:m", From: chat.UserKey{Channel: chat.Zalo, ID: "u1"}, ChatID: "u1", Kind: chat.Photo,
				Photo: &chat.Media{FileID: "https://p/a.jpg"}, At: time.UnixMilli(1750316131602)}, true},
		"image without a URL": {`{"event_name":"message.image.received","message":{"from":{"id":"u1"},"caption":"c","message_id":"m"}}`,
			chat.Update{ID: "message.image.received:m", From: chat.UserKey{Channel: chat.Zalo, ID: "u1"}, ChatID: "u1", Kind: chat.Other, Text: "c", At: now}, true},
		"newer event": {`{"event_name":"message.voice.received","message":{"from":{"id":"u1"},"message_id":"m"}}`,
			chat.Update{ID: "message.voice.received:m", From: chat.UserKey{Channel: chat.Zalo, ID: "u1"}, ChatID: "u1", Kind: chat.Other, At: now}, true},
		"lower-case private": {`{"event_name":"message.sticker.received","message":{"from":{"id":"u1"},"chat":{"id":"c1","chat_type":"private"},"message_id":"m"}}`,
			chat.Update{ID: "message.sticker.received:m", From: chat.UserKey{Channel: chat.Zalo, ID: "u1"}, ChatID: "c1", Kind: chat.Sticker, At: now}, true},
		"no sender id": {`{"event_name":"message.text.received","message":{"from":{"id":""},"text":"a"}}`, chat.Update{}, false},
	} {
		w, err := decodeBody([]byte(tt.body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, ok := toUpdate(w, now)
		if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v %v\nwant %+v %v", name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestWebhookSender(t *testing.T) {
	f := newFake(t)
	b := newTestBot(t, f)
	flat := f.Update("u9", "An", zalofake.EventText, "xin chào")
	for name, body := range map[string][]byte{"flat": flat, "wrapped": wrap(flat)} {
		if _, got, err := b.WebhookKey(body); err != nil || got != "u9" {
			t.Errorf("%s: sender %q, %v; want u9", name, got, err)
		}
	}
	if _, got, err := b.WebhookKey([]byte(`{"event_name":"x","message":{"message_id":"m"}}`)); err != nil || got != "" {
		t.Errorf("no from: sender %q, %v; want empty", got, err)
	}
}
