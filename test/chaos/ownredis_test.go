//go:build chaos

package chaos

import (
	"bufio"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// ownRedis is a redis-server of a test's own on a free port, to be killed
// and started again on the same port and data without disturbing the
// shared Redis. Its data is on disk with every write synced (AOF,
// appendfsync always), as a production Redis keeps it.
type ownRedis struct {
	addr string
	dir  string
	cmd  *exec.Cmd
	done chan struct{}
}

func startRedis(t *testing.T) *ownRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("redis-server not found (apt-get install redis-server; .ci/run does): %v", err)
	}
	r := &ownRedis{addr: freeAddr(t), dir: t.TempDir()}
	r.Start(t)
	t.Cleanup(func() { r.Kill(t) })
	return r
}

// URL is database 0 of this Redis.
func (r *ownRedis) URL() string { return "redis://" + r.addr + "/0" }

// Start runs redis-server and waits until it answers.
func (r *ownRedis) Start(t testing.TB) {
	t.Helper()
	host, port, _ := net.SplitHostPort(r.addr)
	cmd := exec.Command("redis-server", "--bind", host, "--port", port, "--dir", r.dir,
		"--appendonly", "yes", "--appendfsync", "always", "--save", "",
		"--logfile", filepath.Join(r.dir, "redis.log"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("redis-server: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	r.cmd, r.done = cmd, done
	deadline := time.Now().Add(10 * time.Second)
	for redisDo(r.URL(), "PING") != nil {
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(r.dir, "redis.log"))
			t.Fatalf("redis-server on %s did not answer:\n%s", r.addr, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Kill stops redis-server with SIGKILL.
func (r *ownRedis) Kill(t testing.TB) {
	if r.cmd == nil {
		return
	}
	_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
	<-r.done
	r.cmd = nil
}

// assertJSONLog fails t for every line of the log at path that is not one
// JSON object.
func assertJSONLog(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	lines, bad := 0, 0
	for sc.Scan() {
		lines++
		var v map[string]any
		if json.Unmarshal(sc.Bytes(), &v) != nil {
			if bad++; bad <= 3 {
				t.Errorf("log line %d is not JSON: %.200s", lines, sc.Text())
			}
		}
	}
	if bad > 3 {
		t.Errorf("… %d log lines of %d not JSON in all", bad, lines)
	}
}
