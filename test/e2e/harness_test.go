//go:build e2e

// Package e2e drives xabot end to end over the real Telegram Bot API wire
// protocol. The Telegram side is telegram-test-api behind launcher.js (see
// README.md); the citizen side is the Citizen type below.
//
//	cd test/e2e && npm ci && cd ../.. && go test -tags e2e ./test/e2e/
package e2e

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
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
