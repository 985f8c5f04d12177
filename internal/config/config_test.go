package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// env returns a getenv over a map, so tests never touch the process
// environment.
func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatalf("Load(empty) error: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"DB", c.DB, "xabot.db"},
		{"RedisURL", c.RedisURL, ""},
		{"TelegramToken", c.TelegramToken, ""},
		{"TelegramAPI", c.TelegramAPI, "https://api.telegram.org/bot%s/%s"},
		{"TelegramMode", c.TelegramMode, Poll},
		{"ZaloToken", c.ZaloToken, ""},
		{"ZaloAPI", c.ZaloAPI, "https://bot-api.zaloplatforms.com"},
		{"ZaloMode", c.ZaloMode, Poll},
		{"PublicURL", c.PublicURL, ""},
		{"WebhookSecret", c.WebhookSecret, ""},
		{"HTTPAddr", c.HTTPAddr, "127.0.0.1:8080"},
		{"SyncToken", c.SyncToken, ""},
		{"PprofAddr", c.PprofAddr, ""},
		{"TZ", c.TZ.String(), "Asia/Ho_Chi_Minh"},
		{"Lang", c.Lang, "vi"},
		{"Commune", c.Commune, ""},
		{"SendRate", c.SendRate, 25},
		{"LogLevel", c.LogLevel, slog.LevelInfo},
		{"SessionTTL", c.SessionTTL, 24 * time.Hour},
		{"RetentionDays", c.RetentionDays, 30},
		{"InboxCapacity", c.InboxCapacity, 2000},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("default %s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	// The zone must be the real one (UTC+7, no DST), not a UTC stand-in.
	if _, off := time.Date(2025, 7, 1, 0, 0, 0, 0, c.TZ).Zone(); off != 7*3600 {
		t.Errorf("TZ offset = %ds, want 25200", off)
	}
}

// production is a complete, valid production environment; tests change one
// variable at a time.
func production(t *testing.T) map[string]string {
	t.Helper()
	commune := filepath.Join(t.TempDir(), "commune.yaml")
	if err := os.WriteFile(commune, []byte("name: Xã Demo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"XABOT_DB":             "/data/xabot.db",
		"XABOT_REDIS_URL":      "redis://:p4ss@redis:6379/2",
		"XABOT_TELEGRAM_TOKEN": "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
		"XABOT_TELEGRAM_API":   "http://127.0.0.1:8081/bot%s/%s",
		"XABOT_TELEGRAM_MODE":  "webhook",
		"XABOT_ZALO_TOKEN":     "2001234567:zalo-secret_abc.XYZ",
		"XABOT_ZALO_API":       "http://127.0.0.1:8082/",
		"XABOT_ZALO_MODE":      "Webhook",
		"XABOT_PUBLIC_URL":     "https://bot.xa-demo.gov.vn/",
		"XABOT_WEBHOOK_SECRET": "hook_secret-0123456789",
		"XABOT_HTTP_ADDR":      ":8443",
		"XABOT_SYNC_TOKEN":     "sync-token-0123456789",
		"XABOT_LINK_KEY":       "link-key-0123456789abcdefghijklmnopq",
		"XABOT_TELEGRAM_BOT":   "@xa_demo_bot",
		"XABOT_ZALO_LINK":      "https://zalo.me/1459232241454765289",
		"XABOT_PPROF_ADDR":     "127.0.0.1:6060",
		"XABOT_TZ":             "UTC",
		"XABOT_LANG":           "EN",
		"XABOT_COMMUNE":        commune,
		"XABOT_SEND_RATE":      " 30 ",
		"XABOT_LOG_LEVEL":      "DEBUG",
		"XABOT_SESSION_TTL":    "90m",
		"XABOT_RETENTION_DAYS": "90",
	}
}

func TestProduction(t *testing.T) {
	e := production(t)
	c, err := Load(env(e))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"DB", c.DB, "/data/xabot.db"},
		{"RedisURL", c.RedisURL, "redis://:p4ss@redis:6379/2"},
		{"TelegramToken", c.TelegramToken, e["XABOT_TELEGRAM_TOKEN"]},
		{"TelegramAPI", c.TelegramAPI, "http://127.0.0.1:8081/bot%s/%s"},
		{"TelegramMode", c.TelegramMode, Webhook},
		{"ZaloToken", c.ZaloToken, e["XABOT_ZALO_TOKEN"]},
		{"ZaloAPI", c.ZaloAPI, "http://127.0.0.1:8082"}, // trailing slash dropped
		{"ZaloMode", c.ZaloMode, Webhook},
		{"PublicURL", c.PublicURL, "https://bot.xa-demo.gov.vn"},
		{"WebhookSecret", c.WebhookSecret, "hook_secret-0123456789"},
		{"HTTPAddr", c.HTTPAddr, ":8443"},
		{"SyncToken", c.SyncToken, "sync-token-0123456789"},
		{"LinkKey", c.LinkKey, "link-key-0123456789abcdefghijklmnopq"},
		{"TelegramBot", c.TelegramBot, "xa_demo_bot"},
		{"ZaloLink", c.ZaloLink, "https://zalo.me/1459232241454765289"},
		{"PprofAddr", c.PprofAddr, "127.0.0.1:6060"},
		{"TZ", c.TZ.String(), "UTC"},
		{"Lang", c.Lang, "en"},
		{"Commune", c.Commune, e["XABOT_COMMUNE"]},
		{"SendRate", c.SendRate, 30},
		{"LogLevel", c.LogLevel, slog.LevelDebug},
		{"SessionTTL", c.SessionTTL, 90 * time.Minute},
		{"RetentionDays", c.RetentionDays, 90},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestBadValue(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, value string
		// want are fragments of the one error expected; the first is
		// always the variable's name.
		want string
		// unset are variables to remove from the production environment.
		unset []string
	}{
		{"XABOT_REDIS_URL", "http://redis:6379", "scheme is not redis", nil},
		{"XABOT_REDIS_URL", "redis://:p@ss@", "host is missing", nil},
		{"XABOT_REDIS_URL", "redis://redis:port/0", "does not parse", nil},
		{"XABOT_REDIS_URL", "redis://redis:99999", "port", nil},
		{"XABOT_REDIS_URL", "redis://redis:6379/zero", "database", nil},
		{"XABOT_REDIS_URL", "localhost:6379", "scheme", nil},
		{"XABOT_TELEGRAM_TOKEN", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "<digits>:", nil},
		{"XABOT_TELEGRAM_TOKEN", "123456789:AAH dq", "<digits>:", nil},
		{"XABOT_TELEGRAM_TOKEN", "12a:AAHdq", "<digits>:", nil},
		{"XABOT_TELEGRAM_API", "https://api.telegram.org/bot/%s", "two %s", nil},
		{"XABOT_TELEGRAM_API", "https://api.telegram.org/bot%s/%s/%d", "two %s", nil},
		{"XABOT_TELEGRAM_API", "ftp://x/bot%s/%s", "scheme", nil},
		{"XABOT_TELEGRAM_API", "bot%s/%s", "absolute", nil},
		{"XABOT_TELEGRAM_MODE", "push", `want poll or webhook, got "push"`, nil},
		{"XABOT_ZALO_TOKEN", "2001234567 secret", "<bot id>:<secret>", nil},
		{"XABOT_ZALO_TOKEN", "2001234567:se/cret", "<bot id>:<secret>", nil},
		{"XABOT_ZALO_API", "bot-api.zaloplatforms.com", "absolute http or https URL", nil},
		{"XABOT_ZALO_API", "https://x?y=1", "query", nil},
		{"XABOT_ZALO_MODE", "hook", `got "hook"`, nil},
		{"XABOT_PUBLIC_URL", "http://bot.xa-demo.gov.vn", "https", nil},
		{"XABOT_PUBLIC_URL", "", "required by XABOT_TELEGRAM_MODE and XABOT_ZALO_MODE=webhook", []string{"XABOT_PUBLIC_URL"}},
		{"XABOT_WEBHOOK_SECRET", "has spaces in it", "A-Z, a-z, 0-9, _ and -", nil},
		{"XABOT_WEBHOOK_SECRET", strings.Repeat("a", 257), "16 to 256", nil},
		{"XABOT_WEBHOOK_SECRET", "short", "16 to 256", nil},
		{"XABOT_WEBHOOK_SECRET", "s", "16 to 256", nil},
		{"XABOT_WEBHOOK_SECRET", "fifteen-chars15", "16 to 256", nil},
		{"XABOT_WEBHOOK_SECRET", "sixteen_chars_16é", "A-Z, a-z, 0-9, _ and -", nil},
		{"XABOT_WEBHOOK_SECRET", "", "required by", []string{"XABOT_WEBHOOK_SECRET"}},
		{"XABOT_HTTP_ADDR", "8080", "host:port", nil},
		{"XABOT_HTTP_ADDR", "localhost:http", "host:port", nil},
		{"XABOT_HTTP_ADDR", "localhost:70000", "host:port", nil},
		{"XABOT_PPROF_ADDR", "6060", "host:port", nil},
		{"XABOT_SYNC_TOKEN", "short-token", "at least 16", nil},
		{"XABOT_SYNC_TOKEN", "long enough but spaced", "without spaces", nil},
		{"XABOT_LINK_KEY", "short-key", "at least 32", nil},
		{"XABOT_LINK_KEY", "a link key that is long enough but spaced", "without spaces", nil},
		{"XABOT_LINK_KEY_OLD", "old-link-key-0123456789abcdefghijkl,short", "key 2: want at least 32", nil},
		{"XABOT_LINK_KEY_OLD", "old-link-key-0123456789abcdefghijkl", "set XABOT_LINK_KEY too", []string{"XABOT_LINK_KEY"}},
		{"XABOT_TELEGRAM_BOT", "t.me/xa_bot", "username", nil},
		{"XABOT_ZALO_LINK", "http://zalo.me/1", "https", nil},
		{"XABOT_TZ", "Asia/Hanoi_City", `got "Asia/Hanoi_City"`, nil},
		{"XABOT_LANG", "fr", `want vi or en, got "fr"`, nil},
		{"XABOT_COMMUNE", filepath.Join(dir, "missing.yaml"), "does not exist", nil},
		{"XABOT_COMMUNE", dir, "not a regular file", nil},
		{"XABOT_SEND_RATE", "0", "from 1 to 100000", nil},
		{"XABOT_SEND_RATE", "100001", "from 1 to 100000", nil},
		{"XABOT_SEND_RATE", "25/s", `got "25/s"`, nil},
		{"XABOT_INBOX_CAPACITY", "0", "from 1 to 1000000", nil},
		{"XABOT_INBOX_CAPACITY", "many", `got "many"`, nil},
		{"XABOT_LOG_LEVEL", "verbose", `want debug, info, warn or error, got "verbose"`, nil},
		{"XABOT_SESSION_TTL", "30s", "at least 1m0s", nil},
		{"XABOT_SESSION_TTL", "1 day", `got "1 day"`, nil},
		{"XABOT_SESSION_TTL", "-24h", "at least", nil},
		{"XABOT_RETENTION_DAYS", "0", "from 1 to 3650", nil},
		{"XABOT_RETENTION_DAYS", "3651", "from 1 to 3650", nil},
		{"XABOT_RETENTION_DAYS", "30d", `got "30d"`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			e := production(t)
			e[tc.name] = tc.value
			for _, k := range tc.unset {
				delete(e, k)
			}
			_, err := Load(env(e))
			if err == nil {
				t.Fatalf("Load succeeded, want an error about %s", tc.name)
			}
			errs := leaves(err)
			if len(errs) != 1 {
				t.Errorf("%d errors, want 1:\n%v", len(errs), err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "config: "+tc.name+": ") {
				t.Errorf("error %q does not start with config: %s:", msg, tc.name)
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not contain %q", msg, tc.want)
			}
		})
	}
}

func TestWebhookOnlyWhenAsked(t *testing.T) {
	// Poll mode needs neither a public URL nor a secret.
	for _, e := range []map[string]string{
		{"XABOT_TELEGRAM_MODE": "poll", "XABOT_ZALO_MODE": "poll"},
		{"XABOT_TELEGRAM_MODE": "webhook", "XABOT_PUBLIC_URL": "https://x.vn", "XABOT_WEBHOOK_SECRET": "sixteen_chars_16"},
	} {
		if _, err := Load(env(e)); err != nil {
			t.Errorf("Load(%v): %v", e, err)
		}
	}
	// A short secret is refused in every mode that uses one: Telegram's
	// own minimum is 1 character, which anyone can guess.
	for _, mode := range []string{"XABOT_TELEGRAM_MODE", "XABOT_ZALO_MODE"} {
		_, err := Load(env(map[string]string{mode: "webhook", "XABOT_PUBLIC_URL": "https://x.vn", "XABOT_WEBHOOK_SECRET": "s"}))
		if err == nil || !strings.Contains(err.Error(), "XABOT_WEBHOOK_SECRET: want 16 to 256 characters") {
			t.Errorf("%s=webhook with a 1-character secret: %v", mode, err)
		}
	}
	_, err := Load(env(map[string]string{"XABOT_ZALO_MODE": "webhook"}))
	for _, want := range []string{
		"config: XABOT_PUBLIC_URL: required by XABOT_ZALO_MODE=webhook",
		"config: XABOT_WEBHOOK_SECRET: required by XABOT_ZALO_MODE=webhook",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load(zalo webhook alone) error = %v, want %q", err, want)
		}
	}
}

func TestEveryProblemAtOnce(t *testing.T) {
	_, err := Load(env(map[string]string{
		"XABOT_LOG_LEVEL":      "loud",
		"XABOT_TELEGRAM_TOKEN": "not-a-token",
		"XABOT_TELEGRAM_MODE":  "webhook", // without a public URL or a secret
		"XABOT_SEND_RATE":      "fast",
		"XABOT_TZ":             "Mars/Olympus",
		"XABOT_SESSION_TTL":    "1s",
		"XABOT_LANG":           "de",
	}))
	if err == nil {
		t.Fatal("Load succeeded, want errors")
	}
	want := []string{
		"XABOT_TELEGRAM_TOKEN",
		"XABOT_PUBLIC_URL",
		"XABOT_WEBHOOK_SECRET",
		"XABOT_TZ",
		"XABOT_LANG",
		"XABOT_SEND_RATE",
		"XABOT_LOG_LEVEL",
		"XABOT_SESSION_TTL",
	}
	errs := leaves(err)
	if len(errs) != len(want) {
		t.Errorf("%d errors, want %d:\n%v", len(errs), len(want), err)
	}
	for i, name := range want {
		if i < len(errs) && !strings.HasPrefix(errs[i].Error(), "config: "+name+": ") {
			t.Errorf("error %d = %q, want one about %s", i, errs[i], name)
		}
	}
}

// TestSecretsNeverShown feeds secrets, badly formed and well formed, and
// checks that neither the error nor the logged configuration repeats them.
func TestSecretsNeverShown(t *testing.T) {
	secrets := map[string]string{
		"XABOT_TELEGRAM_TOKEN": "123456789:TgSecretPart with space",
		"XABOT_ZALO_TOKEN":     "2001:ZaloSecretPart/slash",
		"XABOT_WEBHOOK_SECRET": "HookSecretPart!",
		"XABOT_SYNC_TOKEN":     "SyncSecret",
		"XABOT_LINK_KEY":       "LinkSecretPart",
		"XABOT_REDIS_URL":      "redis://:RedisSecretPart@redis:port/0",
		"XABOT_TELEGRAM_API":   "https://api.telegram.org/bot1:ApiSecretPart/%s",
	}
	parts := []string{"TgSecretPart", "ZaloSecretPart", "HookSecretPart", "SyncSecret", "RedisSecretPart", "ApiSecretPart", "LinkSecretPart"}
	_, err := Load(env(secrets))
	if err == nil {
		t.Fatal("Load succeeded, want errors")
	}
	if n := len(leaves(err)); n != len(secrets) {
		t.Errorf("%d errors, want one per variable (%d):\n%v", n, len(secrets), err)
	}
	for _, p := range parts {
		if strings.Contains(err.Error(), p) {
			t.Errorf("error shows the secret %q:\n%v", p, err)
		}
	}

	good := production(t)
	good["XABOT_TELEGRAM_TOKEN"] = "123456789:TgSecretPart"
	good["XABOT_ZALO_TOKEN"] = "2001:ZaloSecretPart"
	good["XABOT_WEBHOOK_SECRET"] = "HookSecretPart-0123"
	good["XABOT_SYNC_TOKEN"] = "SyncSecretPart-0123456789"
	good["XABOT_LINK_KEY"] = "LinkSecretPart-0123456789abcdefghijklmn"
	good["XABOT_REDIS_URL"] = "redis://:RedisSecretPart@redis:6379/0"
	c, err := Load(env(good))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("start", "config", c)
	out := buf.String()
	for _, p := range parts {
		if strings.Contains(out, p) {
			t.Errorf("logged config shows the secret %q: %s", p, out)
		}
	}
	for _, want := range []string{`"telegram":true`, `"zalo":true`, `"webhook_secret":true`, `"sync_api":true`, `"redis":true`, `"tz":"UTC"`, `"session_ttl":5400000000000`} {
		if !strings.Contains(out, want) {
			t.Errorf("logged config lacks %s: %s", want, out)
		}
	}
}

// leaves flattens an errors.Join tree.
func leaves(err error) []error {
	if u, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range u.Unwrap() {
			out = append(out, leaves(e)...)
		}
		return out
	}
	return []error{err}
}

// XABOT_LINK_KEY_OLD lists earlier keys, comma-separated, spaces and empty
// items ignored; the log shows how many, never which.
func TestOldLinkKeys(t *testing.T) {
	e := production(t)
	e["XABOT_LINK_KEY_OLD"] = " old-link-key-0123456789abcdefghijkl , ,older-link-key-0123456789abcdefghij"
	c, err := Load(env(e))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"old-link-key-0123456789abcdefghijkl", "older-link-key-0123456789abcdefghij"}
	if !slices.Equal(c.LinkKeysOld, want) {
		t.Errorf("LinkKeysOld = %q, want %q", c.LinkKeysOld, want)
	}
	if v := fmt.Sprint(c.LogValue()); strings.Contains(v, "old-link-key") || !strings.Contains(v, "link_keys_old=2") {
		t.Errorf("logged config %s: want the count of old keys and no key", v)
	}
}
