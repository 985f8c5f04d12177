// Package config reads xabot's configuration from the XABOT_* environment
// (README «Configuration (environment)»), applies the defaults and checks every value,
// reporting all problems at once so an operator fixes them in one go. Error
// messages and log output never contain a token or secret. It imports
// nothing from this module.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	// The binary is static and may run on an image without zoneinfo;
	// Asia/Ho_Chi_Minh must load anyway, and every deadline depends on it.
	_ "time/tzdata"
)

var (
	// telegramToken is what BotFather issues: "<bot id>:<secret>".
	telegramToken = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)
	// zaloToken is "<bot id>:<secret>"; the secret's alphabet is not
	// documented, so only what would break the request URL is refused.
	zaloToken = regexp.MustCompile(`^[A-Za-z0-9]+:[^\s/?#%]+$`)
	// webhookSecret is Telegram's secret_token alphabet (Zalo takes it too),
	// at least MinWebhookSecret long.
	webhookSecret = regexp.MustCompile(`^[A-Za-z0-9_-]{16,256}$`)
	// botUsername is a Telegram bot's username, as t.me links take it.
	botUsername = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{4,31}$`)
)

// Mode is how a channel receives updates.
type Mode string

// The two ways of receiving updates.
const (
	Poll    Mode = "poll"    // long polling: works behind NAT, no public URL
	Webhook Mode = "webhook" // the platform calls XABOT_PUBLIC_URL
)

// Defaults, as README «Configuration (environment)» lists them.
const (
	DefaultDB          = "xabot.db"
	DefaultTelegramAPI = "https://api.telegram.org/bot%s/%s"
	DefaultZaloAPI     = "https://bot-api.zaloplatforms.com"
	DefaultHTTPAddr    = "127.0.0.1:8080"
	DefaultTZ          = "Asia/Ho_Chi_Minh"
	DefaultLang        = "vi"
	DefaultSendRate    = 25
	DefaultSessionTTL  = 24 * time.Hour
	// DefaultRetentionDays is how long sent messages and stale webhook
	// deliveries are kept.
	DefaultRetentionDays = 30
	// DefaultInboxCapacity: webhook updates waiting per channel past
	// which the platform is answered 503 and delivers again later. An
	// update arriving behind a full inbox waits about capacity ÷ updates
	// handled per second.
	DefaultInboxCapacity = 2000
	// DefaultAnnounceDaily is how many routine (not urgent) announcements
	// a village may get a day.
	DefaultAnnounceDaily = 3
)

// Bounds of the checked values.
const (
	MinSyncToken = 16 // characters
	// MinLinkKey: the slip links' HMAC key must not be guessable; 32
	// characters of base64 carry 192 bits.
	MinLinkKey = 32
	// MinWebhookSecret: a webhook secret is the only proof a call comes
	// from the platform, so it must not be guessable (Telegram takes 1 to
	// 256 characters, Zalo at least 8).
	MinWebhookSecret = 16
	MaxSendRate      = 100_000 // Telegram allows ~30/s (1,000/s paid); more is for load runs against a stand-in
	MinSessionTTL    = time.Minute
	MaxRetentionDays = 3650
	MaxInboxCapacity = 1_000_000
	MaxAnnounceDaily = 100
	maxWebhookSecret = 256
)

// Config is the checked configuration. Empty strings mean "not set" for the
// optional values; Load has filled every default.
type Config struct {
	DB       string // SQLite file path (XABOT_DB)
	RedisURL string // "" = in-process sessions (XABOT_REDIS_URL); may hold a password

	TelegramToken string // "" = Telegram off (XABOT_TELEGRAM_TOKEN); secret
	TelegramAPI   string // endpoint format with two %s: token, method (XABOT_TELEGRAM_API)
	TelegramMode  Mode   // XABOT_TELEGRAM_MODE

	ZaloToken string // "" = Zalo off (XABOT_ZALO_TOKEN); secret
	ZaloAPI   string // base URL without a trailing slash (XABOT_ZALO_API)
	ZaloMode  Mode   // XABOT_ZALO_MODE

	PublicURL     string // https base URL the platforms call, no trailing slash (XABOT_PUBLIC_URL)
	WebhookSecret string // checked on every webhook call (XABOT_WEBHOOK_SECRET); secret

	HTTPAddr  string // host:port of the HTTP server (XABOT_HTTP_ADDR)
	SyncToken string // "" = sync API off (XABOT_SYNC_TOKEN); secret
	// PprofAddr is host:port of a separate server with Go's profiler
	// (net/http/pprof), "" = off (XABOT_PPROF_ADDR). It is never on the
	// public server: profiles show the process's memory.
	PprofAddr string

	// LinkKey signs the receipt slip's links (XABOT_LINK_KEY); "" = no slip
	// links, no status page; secret.
	LinkKey string
	// LinkKeysOld are earlier link keys, comma-separated
	// (XABOT_LINK_KEY_OLD): links they signed still open, new ones are
	// signed with LinkKey, so a key can be rotated without voiding the
	// slips already printed; secret.
	LinkKeysOld []string
	// TelegramBot is the bot's @username without "@" for t.me links
	// (XABOT_TELEGRAM_BOT); "" = getMe's, when serving.
	TelegramBot string
	// ZaloLink is the page that opens the Zalo bot (XABOT_ZALO_LINK): Zalo
	// has no documented start parameter, so the status page links there.
	ZaloLink string

	TZ         *time.Location // the commune's zone; never time.Local (XABOT_TZ)
	Lang       string         // default language, "vi" or "en" (XABOT_LANG)
	Commune    string         // commune profile file; "" = the embedded demo profile (XABOT_COMMUNE)
	SendRate   int            // messages per second per bot (XABOT_SEND_RATE)
	LogLevel   slog.Level     // XABOT_LOG_LEVEL
	SessionTTL time.Duration  // how long an idle conversation is remembered (XABOT_SESSION_TTL)
	// RetentionDays is how long the outbox keeps a message once sent (or
	// given up) and the inbox a webhook delivery (XABOT_RETENTION_DAYS).
	RetentionDays int
	// InboxCapacity is how many webhook updates of one channel may wait
	// before the platform is told 503 (XABOT_INBOX_CAPACITY).
	InboxCapacity int
	// AnnounceDaily is how many routine announcements a village may get a
	// day (XABOT_ANNOUNCE_DAILY).
	AnnounceDaily int
}

// Load reads the configuration through getenv (os.Getenv in main, a map
// lookup in tests). Values are trimmed of surrounding spaces, which env
// files and secret mounts often add. Every problem is returned at once,
// joined with errors.Join; each names its variable and what it expects, and
// none repeats the value of a token, secret or URL that may hold a password.
func Load(getenv func(string) string) (Config, error) {
	l := &loader{getenv: getenv}
	c := Config{
		DB:            l.get("XABOT_DB", DefaultDB),
		RedisURL:      l.get("XABOT_REDIS_URL", ""),
		TelegramToken: l.get("XABOT_TELEGRAM_TOKEN", ""),
		TelegramAPI:   l.get("XABOT_TELEGRAM_API", DefaultTelegramAPI),
		TelegramMode:  l.mode("XABOT_TELEGRAM_MODE"),
		ZaloToken:     l.get("XABOT_ZALO_TOKEN", ""),
		ZaloAPI:       strings.TrimRight(l.get("XABOT_ZALO_API", DefaultZaloAPI), "/"),
		ZaloMode:      l.mode("XABOT_ZALO_MODE"),
		PublicURL:     strings.TrimRight(l.get("XABOT_PUBLIC_URL", ""), "/"),
		WebhookSecret: l.get("XABOT_WEBHOOK_SECRET", ""),
		HTTPAddr:      l.get("XABOT_HTTP_ADDR", DefaultHTTPAddr),
		SyncToken:     l.get("XABOT_SYNC_TOKEN", ""),
		LinkKey:       l.get("XABOT_LINK_KEY", ""),
		LinkKeysOld:   splitKeys(l.get("XABOT_LINK_KEY_OLD", "")),
		TelegramBot:   strings.TrimPrefix(l.get("XABOT_TELEGRAM_BOT", ""), "@"),
		ZaloLink:      l.get("XABOT_ZALO_LINK", ""),
		PprofAddr:     l.get("XABOT_PPROF_ADDR", ""),
		Lang:          strings.ToLower(l.get("XABOT_LANG", DefaultLang)),
		Commune:       l.get("XABOT_COMMUNE", ""),
		SendRate:      DefaultSendRate,
		SessionTTL:    DefaultSessionTTL,
		RetentionDays: DefaultRetentionDays,
		InboxCapacity: DefaultInboxCapacity,
		AnnounceDaily: DefaultAnnounceDaily,
	}

	if c.RedisURL != "" {
		l.check("XABOT_REDIS_URL", checkRedisURL(c.RedisURL))
	}
	if c.TelegramToken != "" && !telegramToken.MatchString(c.TelegramToken) {
		l.bad("XABOT_TELEGRAM_TOKEN", "want the token BotFather gives, <digits>:<letters, digits, _ or ->")
	}
	l.check("XABOT_TELEGRAM_API", checkTelegramAPI(c.TelegramAPI))
	if c.ZaloToken != "" && !zaloToken.MatchString(c.ZaloToken) {
		l.bad("XABOT_ZALO_TOKEN", "want the token Zalo gives, <bot id>:<secret>, without spaces, /, ?, # or %")
	}
	l.check("XABOT_ZALO_API", checkBaseURL(c.ZaloAPI, "http", "https"))

	if c.PublicURL != "" {
		l.check("XABOT_PUBLIC_URL", checkBaseURL(c.PublicURL, "https"))
	}
	// Checked whenever set, whichever mode uses it.
	if c.WebhookSecret != "" && !webhookSecret.MatchString(c.WebhookSecret) {
		l.bad("XABOT_WEBHOOK_SECRET", "want %d to %d characters from A-Z, a-z, 0-9, _ and -", MinWebhookSecret, maxWebhookSecret)
	}
	var webhooks []string
	if c.TelegramMode == Webhook {
		webhooks = append(webhooks, "XABOT_TELEGRAM_MODE")
	}
	if c.ZaloMode == Webhook {
		webhooks = append(webhooks, "XABOT_ZALO_MODE")
	}
	if len(webhooks) > 0 {
		by := strings.Join(webhooks, " and ") + "=webhook"
		if c.PublicURL == "" {
			l.bad("XABOT_PUBLIC_URL", "required by %s: the https URL the platforms call", by)
		}
		if c.WebhookSecret == "" {
			l.bad("XABOT_WEBHOOK_SECRET", "required by %s: it proves a webhook call comes from the platform", by)
		}
	}

	if err := checkHostPort(c.HTTPAddr); err != nil {
		l.bad("XABOT_HTTP_ADDR", "want host:port such as %s, got %q: %w", DefaultHTTPAddr, c.HTTPAddr, err)
	}
	if c.PprofAddr != "" {
		if err := checkHostPort(c.PprofAddr); err != nil {
			l.bad("XABOT_PPROF_ADDR", "want host:port such as 127.0.0.1:6060, got %q: %w", c.PprofAddr, err)
		}
	}
	if c.SyncToken != "" && (len([]rune(c.SyncToken)) < MinSyncToken || strings.ContainsFunc(c.SyncToken, isSpace)) {
		l.bad("XABOT_SYNC_TOKEN", "want at least %d characters without spaces", MinSyncToken)
	}

	if c.LinkKey != "" && (len(c.LinkKey) < MinLinkKey || strings.ContainsFunc(c.LinkKey, isSpace)) {
		l.bad("XABOT_LINK_KEY", "want at least %d characters without spaces (e.g. openssl rand -base64 32)", MinLinkKey)
	}
	for i, k := range c.LinkKeysOld {
		if len(k) < MinLinkKey || strings.ContainsFunc(k, isSpace) {
			l.bad("XABOT_LINK_KEY_OLD", "key %d: want at least %d characters without spaces", i+1, MinLinkKey)
		}
	}
	if len(c.LinkKeysOld) > 0 && c.LinkKey == "" {
		l.bad("XABOT_LINK_KEY_OLD", "set XABOT_LINK_KEY too: old keys only open links, the current key signs them")
	}
	if c.TelegramBot != "" && !botUsername.MatchString(c.TelegramBot) {
		l.bad("XABOT_TELEGRAM_BOT", "want the bot's username, 5 to 32 of A-Z, a-z, 0-9 and _, got %q", c.TelegramBot)
	}
	if c.ZaloLink != "" {
		l.check("XABOT_ZALO_LINK", checkBaseURL(c.ZaloLink, "https"))
	}

	tz := l.get("XABOT_TZ", DefaultTZ)
	if loc, err := time.LoadLocation(tz); err != nil {
		l.bad("XABOT_TZ", "want an IANA time zone such as %s, got %q: %w", DefaultTZ, tz, err)
	} else {
		c.TZ = loc
	}
	if c.Lang != "vi" && c.Lang != "en" {
		l.bad("XABOT_LANG", "want vi or en, got %q", c.Lang)
	}
	if c.Commune != "" {
		l.check("XABOT_COMMUNE", checkFile(c.Commune))
	}
	if v := l.get("XABOT_SEND_RATE", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxSendRate {
			l.bad("XABOT_SEND_RATE", "want messages per second, a whole number from 1 to %d, got %q", MaxSendRate, v)
		}
		c.SendRate = n
	}
	if v := l.get("XABOT_INBOX_CAPACITY", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxInboxCapacity {
			l.bad("XABOT_INBOX_CAPACITY", "want webhook updates waiting per channel, a whole number from 1 to %d, got %q", MaxInboxCapacity, v)
		}
		c.InboxCapacity = n
	}
	if v := l.get("XABOT_LOG_LEVEL", "info"); !parseLevel(v, &c.LogLevel) {
		l.bad("XABOT_LOG_LEVEL", "want debug, info, warn or error, got %q", v)
	}
	if v := l.get("XABOT_SESSION_TTL", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < MinSessionTTL {
			l.bad("XABOT_SESSION_TTL", "want a duration of at least %v such as 24h or 90m, got %q", MinSessionTTL, v)
		}
		c.SessionTTL = d
	}
	if v := l.get("XABOT_RETENTION_DAYS", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxRetentionDays {
			l.bad("XABOT_RETENTION_DAYS", "want days, a whole number from 1 to %d, got %q", MaxRetentionDays, v)
		}
		c.RetentionDays = n
	}
	if v := l.get("XABOT_ANNOUNCE_DAILY", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxAnnounceDaily {
			l.bad("XABOT_ANNOUNCE_DAILY", "want announcements a day per village, a whole number from 1 to %d, got %q", MaxAnnounceDaily, v)
		}
		c.AnnounceDaily = n
	}

	if len(l.errs) > 0 {
		return Config{}, errors.Join(l.errs...)
	}
	return c, nil
}

// parseLevel sets *lvl from a level name, in any case.
func parseLevel(name string, lvl *slog.Level) bool {
	switch strings.ToLower(name) {
	case "debug":
		*lvl = slog.LevelDebug
	case "info":
		*lvl = slog.LevelInfo
	case "warn":
		*lvl = slog.LevelWarn
	case "error":
		*lvl = slog.LevelError
	default:
		return false
	}
	return true
}

// loader collects the problems of one Load.
type loader struct {
	getenv func(string) string
	errs   []error
}

// splitKeys splits a comma-separated list of secrets, dropping empties.
func splitKeys(v string) []string {
	var out []string
	for _, k := range strings.Split(v, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

func (l *loader) get(name, def string) string {
	if v := strings.TrimSpace(l.getenv(name)); v != "" {
		return v
	}
	return def
}

func (l *loader) mode(name string) Mode {
	v := strings.ToLower(l.get(name, string(Poll)))
	switch m := Mode(v); m {
	case Poll, Webhook:
		return m
	}
	l.bad(name, "want poll or webhook, got %q", v)
	return Poll
}

// bad records a problem with variable name. Callers pass only values that
// are safe to show.
func (l *loader) bad(name, format string, args ...any) {
	l.errs = append(l.errs, fmt.Errorf("config: "+name+": "+format, args...))
}

// check records err, already worded without the value, under name.
func (l *loader) check(name string, err error) {
	if err != nil {
		l.errs = append(l.errs, fmt.Errorf("config: %s: %w", name, err))
	}
}

// checkRedisURL checks what redis.ParseURL would refuse, without importing
// go-redis here. Its errors never contain the URL: it may hold a password,
// and url.Parse's own error quotes the input, so that error is dropped.
func checkRedisURL(raw string) error {
	const want = "want redis://[user:password@]host[:port][/db] or rediss://…"
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New(want + "; the value does not parse as a URL")
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return errors.New(want + "; the scheme is not redis or rediss")
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return errors.New(want + "; the host is missing")
	}
	if p := u.Port(); p != "" {
		if err := checkPort(p); err != nil {
			return errors.New(want + "; the port is not a number from 1 to 65535")
		}
	}
	if db := strings.TrimPrefix(u.Path, "/"); db != "" {
		if n, err := strconv.Atoi(db); err != nil || n < 0 {
			return errors.New(want + "; the database is not a number")
		}
	}
	return nil
}

// checkTelegramAPI checks the endpoint format: exactly two %s (token, then
// method) and nothing else for fmt, giving an http(s) URL. The value is not
// shown, in case someone pasted a URL with the token in it.
func checkTelegramAPI(format string) error {
	const want = "want an endpoint format with two %s, for the token and the method, such as " + DefaultTelegramAPI
	if strings.Count(format, "%s") != 2 || strings.Count(format, "%") != 2 {
		return errors.New(want)
	}
	if err := checkBaseURL(fmt.Sprintf(format, "0:t", "getMe"), "http", "https"); err != nil {
		return fmt.Errorf("%s: %w", want, err)
	}
	return nil
}

// checkBaseURL checks an absolute URL with one of schemes and a host, and no
// query or fragment since paths are appended to it.
func checkBaseURL(raw string, schemes ...string) error {
	want := "want an absolute " + strings.Join(schemes, " or ") + " URL without query or fragment"
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return errors.New(want + "; the value does not parse")
	case !slices.Contains(schemes, u.Scheme):
		return errors.New(want + "; the scheme is " + strconv.Quote(u.Scheme))
	case u.Host == "":
		return errors.New(want + "; the host is missing")
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return errors.New(want + "; it has a query or fragment")
	}
	if p := u.Port(); p != "" {
		if err := checkPort(p); err != nil {
			return errors.New(want + "; the port is not a number from 1 to 65535")
		}
	}
	return nil
}

func checkHostPort(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	// Port 0 lets the system pick one, which tests use.
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return errors.New("the port is not a number from 0 to 65535")
	}
	return nil
}

func checkPort(p string) error {
	if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
		return errors.New("bad port")
	}
	return nil
}

func checkFile(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("want the commune profile file; %q does not exist", path)
	case err != nil:
		return fmt.Errorf("want the commune profile file: %w", err)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("want the commune profile file; %q is not a regular file", path)
	}
	return nil
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// LogValue shows the configuration without secrets: tokens, the webhook
// secret and the Redis URL (which may carry a password) appear only as
// whether they are set.
func (c Config) LogValue() slog.Value {
	tz := ""
	if c.TZ != nil {
		tz = c.TZ.String()
	}
	return slog.GroupValue(
		slog.String("db", c.DB),
		slog.Bool("redis", c.RedisURL != ""),
		slog.Bool("telegram", c.TelegramToken != ""),
		slog.String("telegram_mode", string(c.TelegramMode)),
		slog.Bool("zalo", c.ZaloToken != ""),
		slog.String("zalo_mode", string(c.ZaloMode)),
		slog.String("zalo_api", c.ZaloAPI),
		slog.String("public_url", c.PublicURL),
		slog.Bool("webhook_secret", c.WebhookSecret != ""),
		slog.String("http_addr", c.HTTPAddr),
		slog.Bool("sync_api", c.SyncToken != ""),
		slog.Bool("link_key", c.LinkKey != ""),
		slog.Int("link_keys_old", len(c.LinkKeysOld)),
		slog.String("telegram_bot", c.TelegramBot),
		slog.String("zalo_link", c.ZaloLink),
		slog.String("pprof_addr", c.PprofAddr),
		slog.String("tz", tz),
		slog.String("lang", c.Lang),
		slog.String("commune", c.Commune),
		slog.Int("send_rate", c.SendRate),
		slog.Int("inbox_capacity", c.InboxCapacity),
		slog.Int("announce_daily", c.AnnounceDaily),
		slog.String("log_level", c.LogLevel.String()),
		slog.Duration("session_ttl", c.SessionTTL),
	)
}
