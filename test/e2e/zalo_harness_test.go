//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"xabot/internal/channel/zalo/zalofake"
)

const zaloToken = "4201:e2eZaloSecret"

// ZaloBot is a running `xabot serve` with the Zalo channel only, against
// the fake Zalo Bot API server.
type ZaloBot struct {
	*Bot // bin, DBPath, RedisURL, HTTPAddr for the CLI helpers
	Fake *zalofake.Server
}

// startZalo starts `xabot serve` on fake; env adds XABOT_* variables. It is
// ready when it polled (or set the webhook).
func startZalo(t *testing.T, env map[string]string) *ZaloBot {
	t.Helper()
	fake := zalofake.New(zaloToken)
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	b := &Bot{
		HTTPAddr: fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		DBPath:   filepath.Join(dir, "x.db"),
		LogPath:  filepath.Join(dir, "xabot.log"),
		RedisURL: defaultRedisURL,
		bin:      buildXabot(t),
	}
	if v, ok := os.LookupEnv("XABOT_TEST_REDIS_URL"); ok {
		b.RedisURL = v
	}
	b.Env = map[string]string{
		"XABOT_ZALO_TOKEN": zaloToken,
		"XABOT_ZALO_API":   fake.URL(),
		"XABOT_DB":         b.DBPath,
		"XABOT_HTTP_ADDR":  b.HTTPAddr,
	}
	if b.RedisURL != "" && b.RedisURL != "none" {
		b.Env["XABOT_REDIS_URL"] = b.RedisURL
		if err := flushRedis(b.RedisURL); err != nil {
			t.Fatalf("redis: %v", err)
		}
	} else {
		b.RedisURL = ""
	}
	for k, v := range env {
		b.Env[k] = v
	}
	logf, err := os.Create(b.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(b.bin, "serve")
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "XABOT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range b.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("xabot serve did not stop on SIGTERM")
		}
		if t.Failed() {
			t.Logf("xabot log:\n%s", tail(b.LogPath, logTailBytes))
		}
	})
	ready := "getUpdates"
	if env["XABOT_ZALO_MODE"] == "webhook" {
		ready = "setWebhook"
	}
	for deadline := time.Now().Add(botStartTimeout); ; {
		for _, r := range fake.Requests() {
			if r.Method == ready {
				return &ZaloBot{Bot: b, Fake: fake}
			}
		}
		select {
		case <-exited:
			t.Fatalf("xabot serve exited during start-up:\n%s", tail(b.LogPath, logTailBytes))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("xabot serve did not call %s within %v:\n%s", ready, botStartTimeout, tail(b.LogPath, logTailBytes))
		}
	}
}

// ZaloUser is one citizen on Zalo: they type, the bot answers in text.
type ZaloUser struct {
	t    *testing.T
	z    *ZaloBot
	ID   string
	seen int // messages already read
}

func (z *ZaloBot) User(t *testing.T, id string) *ZaloUser { return &ZaloUser{t: t, z: z, ID: id} }

func (u *ZaloUser) Send(text string) { u.z.Fake.SendText(u.ID, "Người dùng "+u.ID, text) }

// WaitFor returns the texts of the bot's messages up to the first that
// contains substr.
func (u *ZaloUser) WaitFor(substr string) string {
	u.t.Helper()
	deadline := time.Now().Add(wait)
	for {
		sent := u.z.Fake.Sent(u.ID)
		for i := u.seen; i < len(sent); i++ {
			text := sent[i].Text + sent[i].Caption
			if strings.Contains(text, substr) {
				var all []string
				for _, m := range sent[u.seen : i+1] {
					all = append(all, m.Text+m.Caption)
				}
				u.seen = i + 1
				return strings.Join(all, "\n---\n")
			}
		}
		if time.Now().After(deadline) {
			var got []string
			for _, m := range sent[u.seen:] {
				got = append(got, m.Text)
			}
			u.t.Fatalf("zalo %s: no message containing %q within %v; got:\n%s", u.ID, substr, wait, strings.Join(got, "\n---\n"))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		_, _ = u.z.Fake.WaitSent(ctx, u.ID, len(sent)+1)
		cancel()
	}
}

// Rest returns what arrived since the last WaitFor and marks it read.
func (u *ZaloUser) Rest() []string {
	sent := u.z.Fake.Sent(u.ID)
	var out []string
	for _, m := range sent[u.seen:] {
		out = append(out, m.Text)
	}
	u.seen = len(sent)
	return out
}
