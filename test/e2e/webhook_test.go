//go:build e2e

package e2e

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const hookSecret = "e2e_Webhook-Secret_0123456789"

// hookProxy is the public https URL Telegram calls. The emulator sends no
// secret header, so the proxy adds it, as Telegram does; it delivers each
// update to every replica behind it (a retry landing on another replica),
// and remembers what the bot answered.
type hookProxy struct {
	srv      *httptest.Server
	mu       sync.Mutex
	replicas []string // http://host:port of each xabot serve
	statuses []int
}

func newHookProxy(t *testing.T) *hookProxy {
	p := &hookProxy{}
	p.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		targets := append([]string(nil), p.replicas...)
		p.mu.Unlock()
		status := http.StatusBadGateway
		for _, base := range targets {
			req, _ := http.NewRequest(http.MethodPost, base+r.URL.Path, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", hookSecret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				continue
			}
			resp.Body.Close()
			status = resp.StatusCode
			p.mu.Lock()
			p.statuses = append(p.statuses, resp.StatusCode)
			p.mu.Unlock()
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *hookProxy) add(b *Bot) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.replicas = append(p.replicas, "http://"+b.HTTPAddr)
}

func postHook(t *testing.T, b *Bot, secret string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://"+b.HTTPAddr+"/webhook/telegram", bytes.NewReader(body))
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Two replicas in webhook mode behind one URL, sharing Redis and the
// database: every update reaches both, each is answered once.
func TestTelegramWebhook(t *testing.T) {
	peer := startPeer(t)
	proxy := newHookProxy(t)
	env := map[string]string{
		"XABOT_TELEGRAM_MODE":  "webhook",
		"XABOT_PUBLIC_URL":     proxy.srv.URL,
		"XABOT_WEBHOOK_SECRET": hookSecret,
	}
	b := startBot(t, peer, env)
	proxy.add(b)
	if out := importDossiers(t, b, dossiersCSV); !strings.Contains(out, "3 hồ sơ mới") {
		t.Fatalf("import said %q", out)
	}
	var set bool
	for _, c := range b.Calls(t) {
		set = set || (c.Method == "setWebhook" && c.OK)
	}
	if !set {
		t.Fatalf("no successful setWebhook; calls: %+v", b.Calls(t))
	}

	env2 := map[string]string{"XABOT_TELEGRAM_TOKEN": b.Token, "XABOT_DB": b.DBPath}
	for k, v := range env {
		env2[k] = v
	}
	b2 := startBot(t, peer, env2)
	proxy.add(b2)

	c := b.Citizen(t, 3001, "Lan")
	c.Send("H55.20-261118-0003")
	m := c.WaitFor(t, "Thông báo về dữ liệu cá nhân", wait)
	c.PressButton(t, m, "Đồng ý")
	c.WaitFor(t, "số điện thoại đã khai khi nộp hồ sơ H55.20-261118-0003", wait)
	c.Send("0905 123 456")
	c.WaitFor(t, "📄 Hồ sơ H55.20-261118-0003", wait)
	time.Sleep(time.Second) // anything answered twice would arrive by now
	for _, extra := range c.Drain() {
		t.Errorf("answered twice: %s", extra)
	}
	proxy.mu.Lock()
	statuses := append([]int(nil), proxy.statuses...)
	proxy.mu.Unlock()
	if len(statuses) < 6 {
		t.Errorf("proxy delivered %d times, want every update to both replicas", len(statuses))
	}
	for _, s := range statuses {
		if s != http.StatusOK {
			t.Errorf("a replica answered %d to a good delivery", s)
		}
	}
	b.WaitCallbacksAnswered(t, wait)

	t.Run("wrong secret and oversize bodies touch nothing", func(t *testing.T) {
		update := []byte(`{"update_id":990001,"message":{"message_id":1,"from":{"id":3002,"is_bot":false,"first_name":"X"},"chat":{"id":3002,"type":"private"},"date":1700000000,"text":"/start"}}`)
		if got := postHook(t, b, "", update); got != http.StatusUnauthorized {
			t.Errorf("no secret: %d, want 401", got)
		}
		if got := postHook(t, b, hookSecret+"x", update); got != http.StatusUnauthorized {
			t.Errorf("wrong secret: %d, want 401", got)
		}
		huge := append([]byte(`{"update_id":990002,"pad":"`), bytes.Repeat([]byte("x"), 2<<20)...)
		if got := postHook(t, b, hookSecret, append(huge, '"', '}')); got != http.StatusRequestEntityTooLarge {
			t.Errorf("2 MB body: %d, want 413", got)
		}
		time.Sleep(500 * time.Millisecond)
		for _, call := range b.Calls(t) {
			if call.Method == "sendMessage" && call.ChatID == 3002 {
				t.Errorf("a refused delivery was answered: %+v", call)
			}
		}
	})

	t.Run("back to polling deletes the webhook", func(t *testing.T) {
		b2.Stop(t)
		b.Stop(t)
		b.Env["XABOT_TELEGRAM_MODE"] = "poll"
		b.start(t)
		restarted := time.Now().Add(-10 * time.Second).UnixMilli()
		time.Sleep(500 * time.Millisecond) // a 409 would be back by now
		var deleted, polled bool
		for deadline := time.Now().Add(10 * time.Second); !polled && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			deleted = false
			for _, call := range b.Calls(t) {
				if call.Time < restarted {
					continue
				}
				switch {
				case call.Method == "deleteWebhook" && call.OK:
					deleted = true
				case call.Method == "getUpdates":
					// Without deleteWebhook the emulator, like Telegram, answers
					// 409 at once; a long poll in progress has status 0.
					if call.Status != 0 && !call.OK {
						t.Fatalf("getUpdates after switching back: %d %s", call.ErrorCode, call.Description)
					}
					polled = polled || deleted
				}
			}
		}
		if !deleted || !polled {
			t.Fatalf("deleteWebhook %v, then polled %v", deleted, polled)
		}
	})
}
