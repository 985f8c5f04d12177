//go:build chaos

// Package chaos is the fault suite: a real `xabot serve` against the
// Telegram stand-in of package tgstand (the real getUpdates offset rule,
// injected 429s, 5xx and timeouts), a real redis-server and real SQLite
// files, killed with SIGKILL, flooded, and run as two replicas.
//
//	go test -tags chaos -count=1 ./test/chaos/
//
// Redis: $XABOT_TEST_REDIS_URL, else redis://127.0.0.1:6379/8; the suite
// flushes that database.
package chaos

import (
	"bufio"
	"bytes"
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

	"xabot/test/chaos/tgstand"
)

const defaultRedisURL = "redis://127.0.0.1:6379/8"

var build struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

func TestMain(m *testing.M) {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// binary builds ./cmd/xabot once ($XABOT_CHAOS_BIN names a ready one).
func binary(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv("XABOT_CHAOS_BIN"); bin != "" {
		return bin
	}
	build.once.Do(func() {
		build.dir, build.err = os.MkdirTemp("", "xabot-chaos-")
		if build.err != nil {
			return
		}
		build.bin = filepath.Join(build.dir, "xabot")
		cmd := exec.Command("go", "build", "-o", build.bin, "./cmd/xabot")
		cmd.Dir = filepath.Join("..", "..")
		build.out, build.err = cmd.CombinedOutput()
	})
	if build.err != nil {
		t.Fatalf("go build: %v\n%s", build.err, build.out)
	}
	return build.bin
}

// redisURL is the Redis the suite uses, flushed once per call.
func redisURL(t testing.TB) string {
	t.Helper()
	u := defaultRedisURL
	if v := os.Getenv("XABOT_TEST_REDIS_URL"); v != "" {
		u = v
	}
	if err := redisDo(u, "FLUSHDB"); err != nil {
		t.Fatalf("redis %s: %v", u, err)
	}
	return u
}

// redisDo sends one command to the Redis of rawURL (host, port, db) and
// reads a simple reply.
func redisDo(rawURL string, args ...string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	c, err := net.DialTimeout("tcp", u.Host, 2*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	send := func(a ...string) error {
		var b strings.Builder
		fmt.Fprintf(&b, "*%d\r\n", len(a))
		for _, x := range a {
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(x), x)
		}
		if _, err := c.Write([]byte(b.String())); err != nil {
			return err
		}
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		if strings.HasPrefix(line, "-") {
			return fmt.Errorf("%s", strings.TrimSpace(line))
		}
		return nil
	}
	if db := strings.TrimPrefix(u.Path, "/"); db != "" {
		if err := send("SELECT", db); err != nil {
			return err
		}
	}
	return send(args...)
}

// Xabot is one `xabot serve` process (restartable, killable).
type Xabot struct {
	Env     map[string]string
	DB      string
	HTTP    string
	LogPath string
	bin     string
	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{}
}

// serve starts `xabot serve` on the stand-in with token, a database file
// (shared when db is given) and the env on top.
func serve(t testing.TB, tg *tgstand.Server, token, db, redis string, env map[string]string) *Xabot {
	t.Helper()
	dir := t.TempDir()
	if db == "" {
		db = filepath.Join(dir, "x.db")
	}
	x := &Xabot{DB: db, HTTP: freeAddr(t), LogPath: filepath.Join(dir, "xabot.log"), bin: binary(t)}
	x.Env = map[string]string{
		"XABOT_TELEGRAM_TOKEN": token,
		"XABOT_TELEGRAM_API":   tg.APIEndpoint(),
		"XABOT_DB":             db,
		"XABOT_HTTP_ADDR":      x.HTTP,
		"XABOT_REDIS_URL":      redis,
		"XABOT_LOG_LEVEL":      "info",
	}
	for k, v := range env {
		x.Env[k] = v
	}
	t.Cleanup(func() {
		x.Kill(t)
		if t.Failed() {
			b, _ := os.ReadFile(x.LogPath)
			if len(b) > 32<<10 {
				b = b[len(b)-32<<10:]
			}
			t.Logf("xabot log (%s):\n%s", x.LogPath, b)
		}
	})
	x.Start(t)
	return x
}

// Start runs the process and waits until its HTTP server answers.
func (x *Xabot) Start(t testing.TB) {
	t.Helper()
	x.mu.Lock()
	defer x.mu.Unlock()
	logf, err := os.OpenFile(x.LogPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(x.bin, "serve")
	cmd.Env = os.Environ()
	for k, v := range x.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("xabot serve: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(done) }()
	x.cmd, x.done = cmd, done
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			t.Fatalf("xabot serve exited at start")
		default:
		}
		if c, err := net.DialTimeout("tcp", x.HTTP, 100*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("xabot serve did not listen on %s", x.HTTP)
}

// Kill ends the process with SIGKILL: no shutdown, no flush.
func (x *Xabot) Kill(t testing.TB) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.cmd == nil {
		return
	}
	_ = syscall.Kill(-x.cmd.Process.Pid, syscall.SIGKILL)
	<-x.done
	x.cmd = nil
}

// CPU is the CPU time the running process used so far.
func (x *Xabot) CPU(t *testing.T) time.Duration {
	x.mu.Lock()
	pid := x.cmd.Process.Pid
	x.mu.Unlock()
	return procCPU(t, pid)
}

// procCPU is the CPU time (user and system) process pid used so far.
func procCPU(t *testing.T, pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatalf("cpu time: %v", err)
	}
	// The fields after the command's closing parenthesis; utime and
	// stime are the 12th and 13th of them, in clock ticks (100 a second
	// on Linux whatever the kernel's HZ).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	var user, sys int64
	fmt.Sscan(f[11], &user)
	fmt.Sscan(f[12], &sys)
	return time.Duration(user+sys) * 10 * time.Millisecond
}

// Stop ends the process with SIGTERM and waits.
func (x *Xabot) Stop(t testing.TB) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.cmd == nil {
		return
	}
	_ = x.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-x.done:
	case <-time.After(20 * time.Second):
		_ = syscall.Kill(-x.cmd.Process.Pid, syscall.SIGKILL)
		<-x.done
		t.Errorf("xabot serve did not stop on SIGTERM")
	}
	x.cmd = nil
}

// Run runs another xabot command on the same database and environment.
func (x *Xabot) Run(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command(x.bin, args...)
	cmd.Env = os.Environ()
	for k, v := range x.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("xabot %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Import writes csv to a file and imports it into x's database.
func (x *Xabot) Import(t testing.TB, csv string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "export.csv")
	if err := os.WriteFile(f, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	return x.Run(t, "import", "dossiers", f)
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitSent waits until token's bot sent a message to chat containing want,
// at or after index from of that chat's messages; it returns the message
// and its index.
func waitSent(t testing.TB, tg *tgstand.Server, token string, chat int64, from int, want string, d time.Duration) (tgstand.Msg, int) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		msgs := tg.Sent(token, chat)
		for i := from; i < len(msgs); i++ {
			if strings.Contains(msgs[i].Text, want) {
				return msgs[i], i
			}
		}
		if time.Now().After(deadline) {
			var got []string
			for _, m := range msgs[min(from, len(msgs)):] {
				got = append(got, m.Text)
			}
			t.Fatalf("chat %d: no message with %q within %v; got %q", chat, want, d, got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// dossierRows makes n dossiers (code H55.20-261118-NNNN, phone 0905NNNNNN)
// as a one-door CSV export.
func dossierRows(n int) string {
	var b strings.Builder
	b.WriteString("code,procedure_name,field,applicant_name,applicant_phone,channel,received_at,due_at,status\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "H55.20-261118-%04d,Đăng ký khai sinh,Hộ tịch,Nguyễn Văn An,0905%06d,1,18/11/2026,27/11/2035,4\n", i, i)
	}
	return b.String()
}
