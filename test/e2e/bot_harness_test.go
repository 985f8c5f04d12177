//go:build e2e

package e2e

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ---------------------------------------------------------------- the xabot binary

var build struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

// buildXabot builds ./cmd/xabot once per test binary and returns its path;
// $XABOT_E2E_BIN, if set, names a ready binary to use instead.
func buildXabot(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv("XABOT_E2E_BIN"); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("XABOT_E2E_BIN: %v", err)
		}
		return bin
	}
	root := moduleRoot(t)
	build.once.Do(func() {
		build.dir, build.err = os.MkdirTemp("", "xabot-e2e-")
		if build.err != nil {
			return
		}
		build.bin = filepath.Join(build.dir, "xabot")
		goTool, err := exec.LookPath("go")
		if err != nil {
			build.err = err
			return
		}
		cmd := exec.Command(goTool, "build", "-o", build.bin, "./cmd/xabot")
		cmd.Dir = root
		build.out, build.err = cmd.CombinedOutput()
	})
	if build.err != nil {
		t.Fatalf("go build ./cmd/xabot: %v\n%s", build.err, build.out)
	}
	return build.bin
}

// ---------------------------------------------------------------- the bot (xabot serve)

// Bot is a running `xabot serve` wired to a Peer.
type Bot struct {
	Peer     *Peer
	Token    string
	HTTPAddr string            // XABOT_HTTP_ADDR
	DBPath   string            // XABOT_DB
	RedisURL string            // XABOT_REDIS_URL ("" when run without Redis)
	Env      map[string]string // every XABOT_* variable given to the process
	LogPath  string            // stdout+stderr of every run, appended

	bin    string
	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	runs   int
	since  int64 // Unix ms when the current run started

	pressedMu sync.Mutex
	pressed   []string // callback query ids pressed by this bot's citizens
}

// startBot builds and starts `xabot serve` against peer with a fresh token,
// database, HTTP port and (flushed) Redis DB; env adds or overrides XABOT_*
// variables. Redis: env["XABOT_REDIS_URL"] if given, else $XABOT_TEST_REDIS_URL,
// else redis://127.0.0.1:6379/9; that DB is FLUSHDB'd before the first start,
// so bot tests sharing it must not run in parallel. "none" (or "") runs
// without XABOT_REDIS_URL. The bot is ready when it has called getUpdates.
func startBot(t testing.TB, peer *Peer, env map[string]string) *Bot {
	t.Helper()
	bin := buildXabot(t)
	dir := t.TempDir()
	b := &Bot{
		Peer:     peer,
		Token:    newToken(),
		HTTPAddr: fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		DBPath:   filepath.Join(dir, "x.db"),
		LogPath:  filepath.Join(dir, "xabot.log"),
		bin:      bin,
	}
	redisURL := defaultRedisURL
	if v, ok := os.LookupEnv("XABOT_TEST_REDIS_URL"); ok {
		redisURL = v
	}
	if v, ok := env["XABOT_REDIS_URL"]; ok {
		redisURL = v
	}
	if redisURL == "none" {
		redisURL = ""
	}
	if v, ok := env["XABOT_TELEGRAM_TOKEN"]; ok {
		b.Token = v
	}
	b.RedisURL = redisURL
	b.Env = map[string]string{
		"XABOT_TELEGRAM_TOKEN": b.Token,
		"XABOT_TELEGRAM_API":   peer.APIEndpoint(),
		"XABOT_DB":             b.DBPath,
		"XABOT_HTTP_ADDR":      b.HTTPAddr,
	}
	if redisURL != "" {
		b.Env["XABOT_REDIS_URL"] = redisURL
		if err := flushRedis(redisURL); err != nil {
			t.Fatalf("redis %s: %v (start redis-server, set XABOT_TEST_REDIS_URL, or XABOT_TEST_REDIS_URL=none to run without Redis)", redisURL, err)
		}
	}
	for k, v := range env {
		if k == "XABOT_REDIS_URL" {
			continue
		}
		b.Env[k] = v
	}
	t.Cleanup(func() {
		if b.Running() {
			if err := b.Stop(t); err != nil {
				t.Logf("xabot stop: %v", err)
			}
		}
		if t.Failed() {
			t.Logf("xabot log (%s):\n%s", b.LogPath, tail(b.LogPath, logTailBytes))
		}
	})
	b.start(t)
	return b
}

func (b *Bot) start(t testing.TB) {
	t.Helper()
	logf, err := os.OpenFile(b.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatalf("xabot log: %v", err)
	}
	b.runs++
	fmt.Fprintf(logf, "=== run %d: %s serve (%s)\n", b.runs, b.bin, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(b.bin, "serve")
	cmd.Dir = filepath.Dir(b.DBPath)
	for _, kv := range os.Environ() { // the developer's own XABOT_* settings must not leak in
		if !strings.HasPrefix(kv, "XABOT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range b.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout = logf
	cmd.Stderr = logf
	b.since = time.Now().UnixMilli()
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start xabot: %v", err)
	}
	exited := make(chan struct{})
	b.mu.Lock()
	b.cmd, b.exited = cmd, exited
	b.mu.Unlock()
	go func() {
		cmd.Wait()
		fmt.Fprintf(logf, "=== run exited: %v\n", cmd.ProcessState)
		logf.Close()
		close(exited)
	}()

	deadline := time.Now().Add(botStartTimeout)
	for {
		for _, c := range b.Peer.Calls(t, b.Token) {
			if c.Time >= b.since && (c.Method == "getUpdates" || c.Method == "setWebhook") {
				return
			}
		}
		select {
		case <-exited:
			t.Fatalf("xabot serve exited during start-up (%v):\n%s", cmd.ProcessState, tail(b.LogPath, logTailBytes))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("xabot serve did not call getUpdates within %v:\n%s", botStartTimeout, tail(b.LogPath, logTailBytes))
		}
	}
}

// Running reports whether the current run has not exited.
func (b *Bot) Running() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.exited == nil {
		return false
	}
	select {
	case <-b.exited:
		return false
	default:
		return true
	}
}

// ExitState describes how the last run ended ("" while running).
func (b *Bot) ExitState() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.exited == nil {
		return ""
	}
	select {
	case <-b.exited:
		return b.cmd.ProcessState.String()
	default:
		return ""
	}
}

// Stop sends SIGTERM and waits for the process. It returns an error if the
// process had to be killed or exited non-zero.
func (b *Bot) Stop(t testing.TB) error {
	t.Helper()
	b.mu.Lock()
	cmd, exited := b.cmd, b.exited
	b.mu.Unlock()
	if cmd == nil {
		return nil
	}
	select {
	case <-exited:
		return fmt.Errorf("xabot had already exited: %v", cmd.ProcessState)
	default:
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(botStopTimeout):
		_ = cmd.Process.Kill()
		<-exited
		return fmt.Errorf("xabot did not exit within %v of SIGTERM; killed", botStopTimeout)
	}
	if !cmd.ProcessState.Success() {
		return fmt.Errorf("xabot exited after SIGTERM: %v", cmd.ProcessState)
	}
	return nil
}

// Restart stops the bot (SIGTERM) and starts it again with the same token,
// database, address and Redis (not flushed). A dirty stop is logged.
func (b *Bot) Restart(t testing.TB) {
	t.Helper()
	if err := b.Stop(t); err != nil {
		t.Logf("restart: %v", err)
	}
	b.start(t)
}

// Calls is the peer's log of this bot's API calls.
func (b *Bot) Calls(t testing.TB) Calls { t.Helper(); return b.Peer.Calls(t, b.Token) }

// Fail installs a /_control/fail rule for this bot.
func (b *Bot) Fail(t testing.TB, f Fail) { t.Helper(); b.Peer.Fail(t, b.Token, f) }

// Limits installs Telegram-like rate limits for this bot.
func (b *Bot) Limits(t testing.TB, perSecond, perChatPerSecond float64) {
	t.Helper()
	b.Peer.Limits(t, b.Token, perSecond, perChatPerSecond)
}

// Log is the bot's output so far.
func (b *Bot) Log() string { return tail(b.LogPath, 1<<30) }

// Citizen is a Telegram user talking to this bot in a private chat.
func (b *Bot) Citizen(t testing.TB, userID int64, firstName string) *Citizen {
	c := newCitizen(t, b.Peer, b.Token, userID, firstName)
	c.bot = b
	return c
}

// WaitCallbacksAnswered waits until every callback query pressed by this bot's
// citizens got a successful answerCallbackQuery, and fails otherwise.
func (b *Bot) WaitCallbacksAnswered(t testing.TB, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		calls := b.Calls(t)
		b.pressedMu.Lock()
		var missing []string
		for _, id := range b.pressed {
			if !calls.Answered(id) {
				missing = append(missing, id)
			}
		}
		b.pressedMu.Unlock()
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("callback queries %v not answered within %v", missing, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ---------------------------------------------------------------- Redis

// flushRedis empties the database of a redis://[user:pass@]host:port/db URL
// (speaking RESP directly, to need no client library).
func flushRedis(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	if u.Scheme != "redis" {
		return fmt.Errorf("only redis:// URLs are supported here, got %q", u.Scheme)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "6379")
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" {
		db = "0"
	}
	conn, err := net.DialTimeout("tcp", host, 3*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(conn)
	do := func(args ...string) error {
		var sb strings.Builder
		fmt.Fprintf(&sb, "*%d\r\n", len(args))
		for _, a := range args {
			fmt.Fprintf(&sb, "$%d\r\n%s\r\n", len(a), a)
		}
		if _, err := conn.Write([]byte(sb.String())); err != nil {
			return err
		}
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		if strings.HasPrefix(line, "-") {
			return errors.New(strings.TrimSpace(line[1:]))
		}
		return nil
	}
	if u.User != nil {
		pass, hasPass := u.User.Password()
		switch {
		case hasPass && u.User.Username() != "":
			err = do("AUTH", u.User.Username(), pass)
		case hasPass:
			err = do("AUTH", pass)
		}
		if err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := do("SELECT", db); err != nil {
		return fmt.Errorf("SELECT %s: %w", db, err)
	}
	if err := do("FLUSHDB"); err != nil {
		return fmt.Errorf("FLUSHDB: %w", err)
	}
	return nil
}
