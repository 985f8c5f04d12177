package app

import (
	"strings"
	"testing"

	"xabot/internal/channel/zalo/zalofake"
	"xabot/internal/chat"
	"xabot/internal/config"
)

// Every row of the table is whole, and names its own platform.
func TestChannelTableRows(t *testing.T) {
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	names, slugs := map[chat.Channel]bool{}, map[string]bool{}
	features := channelFeatures()
	for _, row := range channelTable {
		if row.name == "" || row.slug == "" || row.header == "" || row.features.MaxText <= 0 ||
			row.on == nil || row.mode == nil || row.connect == nil || !strings.HasPrefix(row.token, "XABOT_") {
			t.Errorf("row %q is not whole: %+v", row.slug, row)
			continue
		}
		if names[row.name] || slugs[row.slug] {
			t.Errorf("row %q: its name or slug is another row's", row.slug)
		}
		names[row.name], slugs[row.slug] = true, true
		if features[row.name] != row.features {
			t.Errorf("row %q: features %+v, want %+v", row.slug, features[row.name], row.features)
		}
		if row.on(cfg) {
			t.Errorf("row %q is on without its token", row.slug)
		}
		if row.mode(cfg) == config.Webhook {
			t.Errorf("row %q: webhook by default, want polling", row.slug)
		}
	}
	if !names[chat.Telegram] || !names[chat.Zalo] {
		t.Errorf("table %v lacks Telegram or Zalo", names)
	}
	_, err = configured(cfg)
	if err == nil || !strings.Contains(err.Error(), "XABOT_TELEGRAM_TOKEN") || !strings.Contains(err.Error(), "XABOT_ZALO_TOKEN") {
		t.Errorf("serve without a channel = %v, want every token named", err)
	}
}

// A row started by webhook: the path is its slug's, setWebhook is made
// with the public URL and the secret, and its adapter numbers a notice's
// buttons with the locale's input.numbered.
func TestChannelRowByWebhook(t *testing.T) {
	const token, secret = "12345:zalo-row-secret", "hook-secret-0123456789"
	f := zalofake.New(token)
	t.Cleanup(f.Close)
	a := openApp(t, map[string]string{
		"XABOT_ZALO_TOKEN": token, "XABOT_ZALO_API": f.URL(), "XABOT_ZALO_MODE": "webhook",
		"XABOT_PUBLIC_URL": "https://xabot.example", "XABOT_WEBHOOK_SECRET": secret,
	})
	rows, err := configured(a.cfg)
	if err != nil || len(rows) != 1 || rows[0].name != chat.Zalo {
		t.Fatalf("configured = %v, %v; want the Zalo row alone", rows, err)
	}
	p, in, err := a.input(t.Context(), rows[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	if in.path != "/webhook/zalo" || in.hook == nil {
		t.Errorf("input path %q, hook %v; want /webhook/zalo with a handler", in.path, in.hook != nil)
	}
	if err := in.start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if url, got := f.Webhook(); url != "https://xabot.example/webhook/zalo" || got != secret {
		t.Errorf("webhook set to %q with secret %v", url, got == secret)
	}
	err = p.Send(t.Context(), chat.Reply{ChatID: "u1", Text: "Đánh giá",
		Buttons: [][]chat.Button{{{Label: "Hài lòng", Data: "rate/a/5"}}}})
	if err != nil {
		t.Fatal(err)
	}
	line := a.texts.T(a.cfg.Lang, "input.numbered", map[string]string{"n": "1", "label": "Hài lòng"})
	if sent := f.Sent("u1"); len(sent) != 1 || !strings.HasSuffix(sent[0].Text, "\n\n"+line) {
		t.Errorf("sent %+v, want the choice as %q", sent, line)
	}
}
