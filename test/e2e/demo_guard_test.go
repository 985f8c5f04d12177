//go:build e2e

package e2e

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestDemoAgainstARealDatabase runs `xabot demo` with XABOT_DB exported at
// the database a running `xabot serve` uses (the README's production steps
// export it): the demo must refuse, change nothing, and the citizens of the
// commune must still find their dossiers.
func TestDemoAgainstARealDatabase(t *testing.T) {
	peer := startPeer(t)
	b := startBot(t, peer, nil)
	importDossiers(t, b, dossiersCSV)
	c := b.Citizen(t, 3101, "An")
	agree(t, c)

	// The bot writes on its own (sessions live in Redis, but consent and
	// the outbox are in the database): stop it so the file is still.
	if err := b.Stop(t); err != nil {
		t.Fatal(err)
	}
	before := dbSum(t, b.DBPath)
	cmd := exec.Command(b.bin, "demo")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "XABOT_DB="+b.DBPath, "XABOT_HTTP_ADDR=127.0.0.1:0", "XABOT_REDIS_URL=")
	cmd.Stdin = strings.NewReader("/start\n")
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("xabot demo on a commune database did not stop")
	}
	if err == nil {
		t.Fatalf("xabot demo on a commune database succeeded:\n%s", out)
	}
	if !strings.Contains(string(out), "không phải cơ sở dữ liệu do xabot demo tạo ra") {
		t.Errorf("xabot demo did not say why it refused:\n%s", out)
	}
	if after := dbSum(t, b.DBPath); after != before {
		t.Errorf("xabot demo changed the commune database (%s → %s)", before, after)
	}

	b.Restart(t)
	c.Send("H55.20-261118-0003")
	c.WaitFor(t, "số điện thoại đã khai", wait)
	c.Send("0905123456")
	m := c.WaitFor(t, "📄 Hồ sơ H55.20-261118-0003", wait)
	if !strings.Contains(m.Text, "Đăng ký khai sinh") {
		t.Errorf("after the demo attempt the card is not the commune's dossier:\n%s", m.Text)
	}
}

// dbSum describes the database at path as a write would change it: the main
// file's size and SHA-256, and whether its write-ahead log holds frames.
func dbSum(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	frames := false
	if st, err := os.Stat(path + "-wal"); err == nil {
		frames = st.Size() > 0
	}
	return fmt.Sprintf("%d bytes %x, wal frames: %v", len(data), sha256.Sum256(data), frames)
}
