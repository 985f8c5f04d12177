//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

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
	// The webhook tests put a TLS proxy with a self-signed certificate in
	// front of the bot (XABOT_PUBLIC_URL must be https).
	cmd.Env = append(os.Environ(), "TGPEER_VERBOSE=1", "NODE_TLS_REJECT_UNAUTHORIZED=0")
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
	Skip        int    `json:"skip,omitempty"`        // matching calls let through before the failures
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
	if f.Skip != 0 {
		body["skip"] = f.Skip
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

// File makes data the bytes of a user's file fileID for the bot with this
// token: getFile answers its file_path, /file/bot<token>/<path> serves it.
func (p *Peer) File(t testing.TB, token, fileID string, data []byte) {
	t.Helper()
	p.mustPost(t, "/_control/file", map[string]any{"token": token, "file_id": fileID, "data": data}, nil)
}
