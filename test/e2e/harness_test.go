//go:build e2e

// Package e2e drives xabot end to end over the real Telegram Bot API wire
// protocol. The Telegram side is telegram-test-api behind launcher.js (see
// README.md); the citizen side is the Citizen type below.
//
//	cd test/e2e && npm ci && cd ../.. && go test -tags e2e ./test/e2e/
package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const (
	peerStartTimeout = 15 * time.Second
	botStartTimeout  = 30 * time.Second
	botStopTimeout   = 15 * time.Second
	pollEvery        = 20 * time.Millisecond
	logTailBytes     = 64 << 10
	defaultRedisURL  = "redis://127.0.0.1:6379/9"
)

// TestMain removes the xabot binary built by buildXabot.
func TestMain(m *testing.M) {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// ---------------------------------------------------------------- paths

// e2eDir is this package's directory (go test runs tests there).
func e2eDir(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	if _, err := os.Stat(filepath.Join(wd, "launcher.js")); err != nil {
		t.Fatalf("launcher.js not found in %s: run the e2e tests from the module (go test -tags e2e ./test/e2e/)", wd)
	}
	return wd
}

// moduleRoot is the nearest parent directory holding go.mod.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir := e2eDir(t)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("go.mod not found above %s", e2eDir(t))
		}
		dir = parent
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// tail returns at most the last n bytes of a file.
func tail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err.Error()
	}
	prefix := ""
	if st.Size() > n {
		if _, err := f.Seek(st.Size()-n, io.SeekStart); err != nil {
			return err.Error()
		}
		prefix = fmt.Sprintf("(… first %d bytes cut …)\n", st.Size()-n)
	}
	b, _ := io.ReadAll(f)
	return prefix + string(b)
}

// ---------------------------------------------------------------- the peer (launcher.js)

// Peer is a running launcher.js: the Telegram Bot API for the bot, the client
// routes for citizens, and the /_control/ API for the test.
type Peer struct {
	URL     string // http://127.0.0.1:PORT
	Port    int
	LogPath string

	cmd    *exec.Cmd
	stdin  io.WriteCloser
	exited chan struct{}
	http   *http.Client
}

// startPeer starts `node launcher.js --port 0` and waits for its READY line. It
// is stopped (SIGTERM) when the test ends; its log is dumped if the test failed.
func startPeer(t testing.TB) *Peer {
	t.Helper()
	dir := e2eDir(t)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "telegram-test-api", "package.json")); err != nil {
		t.Fatalf("telegram-test-api is not installed: run npm ci in test/e2e (%v)", err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node not found in PATH (Node 18+ is needed for test/e2e/launcher.js): %v", err)
	}
	p := &Peer{
		LogPath: filepath.Join(t.TempDir(), "peer.log"),
		exited:  make(chan struct{}),
		http:    &http.Client{Timeout: 15 * time.Second},
	}
	logf, err := os.Create(p.LogPath)
	if err != nil {
		t.Fatalf("peer log: %v", err)
	}
	cmd := exec.Command(node, "launcher.js", "--port", "0", "--verbose", "--exit-with-stdin")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TGPEER_VERBOSE=1")
	cmd.Stderr = logf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("peer stdout: %v", err)
	}
	// Held open for the peer's lifetime: if this test binary dies, the pipe
	// closes and launcher.js exits.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatalf("peer stdin: %v", err)
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start launcher.js: %v", err)
	}
	p.cmd, p.stdin = cmd, stdin
	ready := make(chan int, 1)
	var copied sync.WaitGroup
	copied.Add(1)
	go func() { // stdout: the READY line, then anything else into the log
		defer copied.Done()
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if port, ok := strings.CutPrefix(line, "READY "); ok {
				if n, err := strconv.Atoi(strings.TrimSpace(port)); err == nil {
					select {
					case ready <- n:
					default:
					}
					continue
				}
			}
			fmt.Fprintln(logf, line)
		}
	}()
	go func() {
		copied.Wait()
		cmd.Wait()
		logf.Close()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.stop(t)
		if t.Failed() {
			t.Logf("launcher.js log (%s):\n%s", p.LogPath, tail(p.LogPath, logTailBytes))
		}
	})
	select {
	case p.Port = <-ready:
	case <-p.exited:
		t.Fatalf("launcher.js exited before READY (%v):\n%s", cmd.ProcessState, tail(p.LogPath, logTailBytes))
	case <-time.After(peerStartTimeout):
		t.Fatalf("launcher.js not READY within %v:\n%s", peerStartTimeout, tail(p.LogPath, logTailBytes))
	}
	p.URL = fmt.Sprintf("http://127.0.0.1:%d", p.Port)
	return p
}

func (p *Peer) stop(t testing.TB) {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		t.Errorf("launcher.js ignored SIGTERM for 5s; killing it")
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// APIEndpoint is the endpoint format for tgbotapi.NewBotAPIWithAPIEndpoint and XABOT_TELEGRAM_API.
func (p *Peer) APIEndpoint() string { return p.URL + "/bot%s/%s" }

// post sends a JSON body and decodes {"ok":true,"result":...} into out (if not nil).
func (p *Peer) post(path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	resp, err := p.http.Post(p.URL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	var env struct {
		OK          bool            `json:"ok"`
		Result      json.RawMessage `json:"result"`
		Description string          `json:"description"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("POST %s: HTTP %d, not JSON: %.200s", path, resp.StatusCode, raw)
	}
	if !env.OK {
		return fmt.Errorf("POST %s: HTTP %d: %s", path, resp.StatusCode, env.Description)
	}
	if out != nil && len(env.Result) > 0 && string(env.Result) != "null" {
		if err := json.Unmarshal(env.Result, out); err != nil {
			return fmt.Errorf("POST %s: decode result: %w (%.300s)", path, err, env.Result)
		}
	}
	return nil
}

func (p *Peer) mustPost(t testing.TB, path string, body, out any) {
	t.Helper()
	if err := p.post(path, body, out); err != nil {
		t.Fatal(err)
	}
}

// Fail is a /_control/fail rule: the next Count bot calls (of Method, or of any
// method but getUpdates; to ChatID only, if set) answer Status.
type Fail struct {
	Method      string `json:"method,omitempty"`
	ChatID      int64  `json:"chat_id,omitempty"`
	Count       int    `json:"count"`                 // 0 means 1; -1 means until Reset
	Status      int    `json:"status"`                // 429 (default), 403, 500, any 4xx/5xx
	RetryAfter  int    `json:"retry_after,omitempty"` // for 429; default 1
	Description string `json:"description,omitempty"` // default: Telegram's text for Status
}

// Fail installs a failure rule for the bot with this token.
func (p *Peer) Fail(t testing.TB, token string, f Fail) {
	t.Helper()
	if f.Count == 0 {
		f.Count = 1
	}
	if f.Status == 0 {
		f.Status = 429
	}
	body := map[string]any{"token": token, "count": f.Count, "status": f.Status}
	if f.Method != "" {
		body["method"] = f.Method
	}
	if f.ChatID != 0 {
		body["chat_id"] = f.ChatID
	}
	if f.RetryAfter != 0 {
		body["retry_after"] = f.RetryAfter
	}
	if f.Description != "" {
		body["description"] = f.Description
	}
	p.mustPost(t, "/_control/fail", body, nil)
}

// Limits turns on token buckets for the bot's sending methods (send*, edit*,
// copy*, forward*; not sendChatAction): above them the peer answers 429 with
// retry_after. Zero turns a bucket off; both zero turns limits off.
// Real Telegram: about 30/s per bot, 1/s per chat, 20/min per group.
func (p *Peer) Limits(t testing.TB, token string, perSecond, perChatPerSecond float64) {
	t.Helper()
	p.mustPost(t, "/_control/limits", map[string]any{
		"token": token, "per_second": perSecond, "per_chat_per_second": perChatPerSecond,
	}, nil)
}

// Reset drops the token's failure rules, limits and call log.
func (p *Peer) Reset(t testing.TB, token string) {
	t.Helper()
	p.mustPost(t, "/_control/reset", map[string]any{"token": token}, nil)
}

// Pending is the number of updates the bot has not confirmed yet (with getUpdates' offset).
func (p *Peer) Pending(t testing.TB, token string) int {
	t.Helper()
	var ups []json.RawMessage
	p.mustPost(t, "/_control/pending", map[string]any{"token": token}, &ups)
	return len(ups)
}

// Call is one Bot API call the bot made, as logged by the peer.
type Call struct {
	Method          string `json:"method"`
	ChatID          int64  `json:"-"`      // 0 when absent or not numeric (see ChatRef)
	ChatRef         string `json:"-"`      // chat_id as sent ("@channel" stays a string)
	Time            int64  `json:"time"`   // arrival, Unix milliseconds
	Status          int    `json:"status"` // HTTP status answered; 0 while a long poll waits, 499 if the bot hung up
	OK              bool   `json:"ok"`
	ErrorCode       int    `json:"error_code"`
	Description     string `json:"description"`
	RetryAfter      int    `json:"retry_after"`
	CallbackQueryID string `json:"callback_query_id"`
	DurationMS      int64  `json:"ms"`
}

func (c *Call) UnmarshalJSON(b []byte) error {
	type plain Call
	var aux struct {
		plain
		Chat json.RawMessage `json:"chat_id"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*c = Call(aux.plain)
	if len(aux.Chat) > 0 && string(aux.Chat) != "null" {
		var s string
		if json.Unmarshal(aux.Chat, &s) == nil {
			c.ChatRef = s
		} else {
			c.ChatRef = string(aux.Chat)
			c.ChatID, _ = strconv.ParseInt(c.ChatRef, 10, 64)
		}
	}
	return nil
}

// At is the call's arrival time.
func (c Call) At() time.Time { return time.UnixMilli(c.Time) }

// Calls is a call log, oldest first.
type Calls []Call

// Method keeps the calls of one method (case-insensitive).
func (cs Calls) Method(m string) Calls {
	var out Calls
	for _, c := range cs {
		if strings.EqualFold(c.Method, m) {
			out = append(out, c)
		}
	}
	return out
}

// Chat keeps the calls to one chat.
func (cs Calls) Chat(id int64) Calls {
	var out Calls
	for _, c := range cs {
		if c.ChatID == id {
			out = append(out, c)
		}
	}
	return out
}

// Status keeps the calls answered with an HTTP status.
func (cs Calls) Status(code int) Calls {
	var out Calls
	for _, c := range cs {
		if c.Status == code {
			out = append(out, c)
		}
	}
	return out
}

// Answered reports whether callback query id got a successful answerCallbackQuery.
func (cs Calls) Answered(callbackQueryID string) bool {
	for _, c := range cs {
		if c.Method == "answerCallbackQuery" && c.CallbackQueryID == callbackQueryID && c.OK {
			return true
		}
	}
	return false
}

// Calls reads the peer's log of the bot's API calls (/_control/calls).
func (p *Peer) Calls(t testing.TB, token string) Calls {
	t.Helper()
	var cs Calls
	p.mustPost(t, "/_control/calls", map[string]any{"token": token}, &cs)
	return cs
}

var tokenSeq atomic.Int64

// newToken is a bot token unique within this test binary, shaped like
// Telegram's "<digits>:<letters>"; the digits become the bot's user id.
func newToken() string {
	n := tokenSeq.Add(1)
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 30)
	for i := range b {
		b[i] = letters[rand.IntN(len(letters))]
	}
	return fmt.Sprintf("%d:AAE2E%s", 7000000000+n, b)
}

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

// ---------------------------------------------------------------- the citizen

// Button is an inline keyboard button.
type Button struct {
	Text string
	Data string // callback_data
	URL  string
}

// Msg is a message the bot sent to (or edited in) a citizen's chat.
type Msg struct {
	ID             int
	Text           string // as the citizen reads it: the caption for media; HTML tags stripped and entities decoded
	RawText        string // as the bot sent it (with parse_mode markup)
	InlineButtons  [][]Button
	ReplyKeyboard  [][]string
	RemoveKeyboard bool
	Photo          bool
	Media          string // "photo", "document", ... ("" for text)
	Size           int    // uploaded bytes, for media
	ParseMode      string
	Edited         bool // an edit of an earlier message (same ID)
	Raw            json.RawMessage
}

// Data is the callback_data of the first inline button whose text contains label.
func (m Msg) Data(t testing.TB, label string) string {
	t.Helper()
	for _, row := range m.InlineButtons {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				return b.Data
			}
		}
	}
	t.Fatalf("message %d has no inline button %q: %s", m.ID, label, m)
	return ""
}

// HasButton reports whether an inline or reply keyboard button's text contains label.
func (m Msg) HasButton(label string) bool {
	for _, row := range m.InlineButtons {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				return true
			}
		}
	}
	for _, row := range m.ReplyKeyboard {
		for _, b := range row {
			if strings.Contains(b, label) {
				return true
			}
		}
	}
	return false
}

func (m Msg) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "#%d", m.ID)
	if m.Edited {
		sb.WriteString(" (edited)")
	}
	if m.Media != "" {
		fmt.Fprintf(&sb, " [%s %dB]", m.Media, m.Size)
	}
	fmt.Fprintf(&sb, " %q", m.Text)
	for _, row := range m.InlineButtons {
		sb.WriteString(" [")
		for i, b := range row {
			if i > 0 {
				sb.WriteString(" | ")
			}
			fmt.Fprintf(&sb, "%s=%s", b.Text, b.Data)
		}
		sb.WriteString("]")
	}
	if len(m.ReplyKeyboard) > 0 {
		fmt.Fprintf(&sb, " keyboard%q", m.ReplyKeyboard)
	}
	if m.RemoveKeyboard {
		sb.WriteString(" remove_keyboard")
	}
	return sb.String()
}

// Citizen is a Telegram user of the bot with token Token. By default the chat is
// the private chat (ChatID = ID).
type Citizen struct {
	ID           int64
	ChatID       int64
	FirstName    string
	LastName     string
	Username     string
	LanguageCode string // "vi" by default

	t     testing.TB
	peer  *Peer
	bot   *Bot
	token string
	queue []Msg
	seen  []Msg
}

func newCitizen(t testing.TB, peer *Peer, token string, userID int64, firstName string) *Citizen {
	return &Citizen{ID: userID, ChatID: userID, FirstName: firstName, LanguageCode: "vi", t: t, peer: peer, token: token}
}

// Citizen is a user of the bot with this token (for tests that drive the bot side themselves).
func (p *Peer) Citizen(t testing.TB, token string, userID int64, firstName string) *Citizen {
	return newCitizen(t, p, token, userID, firstName)
}

func (c *Citizen) from() map[string]any {
	u := map[string]any{"id": c.ID, "is_bot": false, "first_name": c.FirstName}
	if c.LastName != "" {
		u["last_name"] = c.LastName
	}
	if c.Username != "" {
		u["username"] = c.Username
	}
	if c.LanguageCode != "" {
		u["language_code"] = c.LanguageCode
	}
	return u
}

func (c *Citizen) chat() map[string]any {
	if c.ChatID != c.ID {
		return map[string]any{"id": c.ChatID, "type": "group", "title": "group"}
	}
	ch := map[string]any{"id": c.ChatID, "type": "private", "first_name": c.FirstName}
	if c.LastName != "" {
		ch["last_name"] = c.LastName
	}
	if c.Username != "" {
		ch["username"] = c.Username
	}
	return ch
}

func (c *Citizen) send(path string, body map[string]any) (messageID int, callbackID string) {
	c.t.Helper()
	body["botToken"] = c.token
	if _, ok := body["from"]; !ok {
		body["from"] = c.from()
	}
	if _, ok := body["chat"]; !ok && path != "/sendCallback" {
		body["chat"] = c.chat()
	}
	if _, ok := body["date"]; !ok && path != "/sendCallback" {
		body["date"] = time.Now().Unix()
	}
	var res struct {
		MessageID       int    `json:"message_id"`
		CallbackQueryID string `json:"callback_query_id"`
	}
	c.peer.mustPost(c.t, path, body, &res)
	return res.MessageID, res.CallbackQueryID
}

// Send types a text message; it returns the message's message_id.
func (c *Citizen) Send(text string) int {
	c.t.Helper()
	id, _ := c.send("/sendMessage", map[string]any{"text": text})
	return id
}

// Command sends "/cmd [args]" with its bot_command entity.
func (c *Citizen) Command(text string) int {
	c.t.Helper()
	if !strings.HasPrefix(text, "/") {
		c.t.Fatalf("Command(%q): a command starts with /", text)
	}
	cmd, _, _ := strings.Cut(text, " ")
	id, _ := c.send("/sendCommand", map[string]any{
		"text":     text,
		"entities": []map[string]any{{"offset": 0, "length": len(utf16(cmd)), "type": "bot_command"}},
	})
	return id
}

func utf16(s string) []uint16 {
	var out []uint16
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xd800+(r>>10)), uint16(0xdc00+(r&0x3ff)))
		} else {
			out = append(out, uint16(r))
		}
	}
	return out
}

// Press presses an inline button (callback_data data) of the bot's message
// messageID; it returns the callback query id the bot must answer.
func (c *Citizen) Press(messageID int, data string) string {
	c.t.Helper()
	_, id := c.send("/sendCallback", map[string]any{
		"message": map[string]any{"message_id": messageID, "chat": c.chat()},
		"data":    data,
	})
	if c.bot != nil && id != "" {
		c.bot.pressedMu.Lock()
		c.bot.pressed = append(c.bot.pressed, id)
		c.bot.pressedMu.Unlock()
	}
	return id
}

// PressButton presses the inline button of m whose text contains label.
func (c *Citizen) PressButton(t testing.TB, m Msg, label string) string {
	t.Helper()
	return c.Press(m.ID, m.Data(t, label))
}

// ShareContact sends a contact: the citizen's own when userID == c.ID (what the
// "share my phone number" keyboard button sends), someone else's otherwise,
// and a typed-in contact without user_id when userID == 0.
func (c *Citizen) ShareContact(phone string, userID int64) int {
	c.t.Helper()
	contact := map[string]any{"phone_number": phone, "first_name": c.FirstName}
	if userID != c.ID {
		contact["first_name"] = "Người khác"
	}
	if c.LastName != "" && userID == c.ID {
		contact["last_name"] = c.LastName
	}
	if userID != 0 {
		contact["user_id"] = userID
	}
	id, _ := c.send("/sendMessage", map[string]any{"contact": contact})
	return id
}

// Sticker sends a sticker message.
func (c *Citizen) Sticker() int {
	c.t.Helper()
	id, _ := c.send("/sendMessage", map[string]any{"sticker": map[string]any{
		"file_id": "CAACAgIAAxkBAAEStickerE2E", "file_unique_id": "AgADStickerE2E", "type": "regular",
		"width": 512, "height": 512, "is_animated": false, "is_video": false, "emoji": "👍",
	}})
	return id
}

// Photo sends a photo message with an optional caption.
func (c *Citizen) Photo(caption string) int {
	c.t.Helper()
	body := map[string]any{"photo": []map[string]any{
		{"file_id": "AgACAgIAAxkBAAEPhotoE2E-s", "file_unique_id": "AQADPhotoE2Es", "width": 90, "height": 67, "file_size": 1200},
		{"file_id": "AgACAgIAAxkBAAEPhotoE2E-m", "file_unique_id": "AQADPhotoE2Em", "width": 1280, "height": 960, "file_size": 98000},
	}}
	if caption != "" {
		body["caption"] = caption
	}
	id, _ := c.send("/sendMessage", body)
	return id
}

// Raw sends any message body (from, chat, date and botToken are filled in when absent).
func (c *Citizen) Raw(body map[string]any) int {
	c.t.Helper()
	b := make(map[string]any, len(body)+4)
	for k, v := range body {
		b[k] = v
	}
	id, _ := c.send("/sendMessage", b)
	return id
}

var htmlTag = regexp.MustCompile(`<[^>]*>`)

type clientUpdate struct {
	MessageID int             `json:"messageId"`
	Message   json.RawMessage `json:"message"`
}

type storedMsg struct {
	Text        string          `json:"text"`
	Caption     string          `json:"caption"`
	Media       string          `json:"media"`
	Size        int             `json:"size"`
	ParseMode   string          `json:"parse_mode"`
	Edited      bool            `json:"edited"`
	ReplyMarkup json.RawMessage `json:"reply_markup"`
}

func parseMsg(u clientUpdate) (Msg, error) {
	var s storedMsg
	if err := json.Unmarshal(u.Message, &s); err != nil {
		return Msg{}, err
	}
	m := Msg{ID: u.MessageID, RawText: s.Text, Media: s.Media, Photo: s.Media == "photo", Size: s.Size,
		ParseMode: s.ParseMode, Edited: s.Edited, Raw: u.Message}
	if m.Media != "" && m.RawText == "" {
		m.RawText = s.Caption
	}
	m.Text = m.RawText
	if strings.EqualFold(m.ParseMode, "HTML") {
		m.Text = html.UnescapeString(htmlTag.ReplaceAllString(m.RawText, ""))
	}
	if len(s.ReplyMarkup) > 0 && string(s.ReplyMarkup) != "null" {
		var mk struct {
			Inline [][]struct {
				Text string  `json:"text"`
				Data *string `json:"callback_data"`
				URL  *string `json:"url"`
			} `json:"inline_keyboard"`
			Keyboard       [][]json.RawMessage `json:"keyboard"`
			RemoveKeyboard bool                `json:"remove_keyboard"`
		}
		if err := json.Unmarshal(s.ReplyMarkup, &mk); err != nil {
			return Msg{}, fmt.Errorf("reply_markup %s: %w", s.ReplyMarkup, err)
		}
		for _, row := range mk.Inline {
			var r []Button
			for _, b := range row {
				btn := Button{Text: b.Text}
				if b.Data != nil {
					btn.Data = *b.Data
				}
				if b.URL != nil {
					btn.URL = *b.URL
				}
				r = append(r, btn)
			}
			m.InlineButtons = append(m.InlineButtons, r)
		}
		for _, row := range mk.Keyboard {
			var r []string
			for _, raw := range row {
				var text string
				if json.Unmarshal(raw, &text) != nil { // a KeyboardButton object
					var kb struct {
						Text string `json:"text"`
					}
					_ = json.Unmarshal(raw, &kb)
					text = kb.Text
				}
				r = append(r, text)
			}
			m.ReplyKeyboard = append(m.ReplyKeyboard, r)
		}
		m.RemoveKeyboard = mk.RemoveKeyboard
	}
	return m, nil
}

// fetch moves the bot's unread messages for this chat into the queue.
func (c *Citizen) fetch(t testing.TB) {
	t.Helper()
	var ups []clientUpdate
	c.peer.mustPost(t, "/getUpdates", map[string]any{"token": c.token, "chatId": c.ChatID}, &ups)
	for _, u := range ups {
		m, err := parseMsg(u)
		if err != nil {
			t.Fatalf("bad message from the peer: %v (%s)", err, u.Message)
		}
		c.queue = append(c.queue, m)
		c.seen = append(c.seen, m)
	}
}

func (c *Citizen) recent() string {
	from := max(0, len(c.seen)-8)
	var sb strings.Builder
	if len(c.seen) == 0 {
		sb.WriteString("\n  (the chat received nothing yet)")
	}
	for _, m := range c.seen[from:] {
		fmt.Fprintf(&sb, "\n  %s", m)
	}
	if c.bot != nil {
		if st := c.bot.ExitState(); st != "" {
			fmt.Fprintf(&sb, "\n  xabot is not running: %s", st)
		}
	}
	return sb.String()
}

// Next returns the next message the bot sent (or edited) in this chat, waiting up to timeout.
func (c *Citizen) Next(t testing.TB, timeout time.Duration) Msg {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if len(c.queue) == 0 {
			c.fetch(t)
		}
		if len(c.queue) > 0 {
			m := c.queue[0]
			c.queue = c.queue[1:]
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s (%d): no message from the bot within %v; last received:%s", c.FirstName, c.ID, timeout, c.recent())
		}
		time.Sleep(pollEvery)
	}
}

// WaitFor skips messages until one whose text contains substr, waiting up to timeout in all.
func (c *Citizen) WaitFor(t testing.TB, substr string, timeout time.Duration) Msg {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for len(c.queue) > 0 {
			m := c.queue[0]
			c.queue = c.queue[1:]
			if strings.Contains(m.Text, substr) {
				return m
			}
			t.Logf("%s (%d): skipped %s", c.FirstName, c.ID, m)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s (%d): no message containing %q within %v; last received:%s", c.FirstName, c.ID, substr, timeout, c.recent())
		}
		time.Sleep(pollEvery)
		c.fetch(t)
	}
}

// ExpectNone fails if the bot sends anything to this chat within d.
func (c *Citizen) ExpectNone(t testing.TB, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		c.fetch(t)
		if len(c.queue) > 0 {
			t.Fatalf("%s (%d): expected no message, got %s", c.FirstName, c.ID, c.queue[0])
		}
		if time.Now().After(deadline) {
			return
		}
		time.Sleep(pollEvery)
	}
}

// Drain discards (and returns) everything the bot sent to this chat so far.
func (c *Citizen) Drain() []Msg {
	c.t.Helper()
	c.fetch(c.t)
	out := c.queue
	c.queue = nil
	return out
}
