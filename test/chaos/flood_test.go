//go:build chaos

package chaos

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"xabot/test/chaos/tgstand"
)

const (
	hookSecret = "chaos-hook-secret_0123456789"
	floodSize  = 10000
	// citizenWait tells "answered within seconds" from "starved": the
	// flood's own drain takes minutes when a citizen waits behind it.
	citizenWait = 15 * time.Second
)

// A backlog never starves a citizen: 10,000 junk updates are delivered to
// the Telegram webhook (from one sender; from 10,000 senders), then a
// citizen's /start, which is answered within seconds. The test plays
// Telegram's part: it delivers each update by POST with the secret and
// delivers again after a second what was answered 503.
func TestJunkFloodDoesNotStarveACitizen(t *testing.T) {
	for _, c := range []struct {
		name    string
		senders int
		token   string
	}{
		{"one sender", 1, "5201:floodone"},
		{"many senders", floodSize, "5202:floodmany"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tg := tgstand.Start(t)
			// The send rate is the platform's ceiling for a paid bot: with
			// 25 a second, 10,000 senders' replies alone take 400 s.
			x := serve(t, tg, c.token, "", redisURL(t), map[string]string{
				"XABOT_TELEGRAM_MODE": "webhook", "XABOT_PUBLIC_URL": "https://bot.example",
				"XABOT_WEBHOOK_SECRET": hookSecret, "XABOT_SEND_RATE": "1000"})
			hook := "http://" + x.HTTP + "/webhook/telegram"
			var bodies [][]byte
			for i := range floodSize {
				bodies = append(bodies, tg.TextUpdate(c.token, int64(700_000+i%c.senders), fmt.Sprintf("rác %d", i)))
			}
			// The citizen writes amid the flood, once half of it is in.
			start := time.Now()
			st := &deliveries{codes: map[int]int{}}
			done := make(chan struct{})
			go func() { defer close(done); deliverAll(hook, bodies, 64, st) }()
			for st.answered.Load() < floodSize/2 {
				time.Sleep(5 * time.Millisecond)
			}
			const citizen = 42
			asked := time.Now()
			backlog := scrape(t, x, `xabot_inbox_backlog{channel="tg"}`)
			cst := &deliveries{codes: map[int]int{}}
			deliverAll(hook, [][]byte{tg.TextUpdate(c.token, citizen, "/start")}, 1, cst)
			waitSent(t, tg, c.token, citizen, 0, "", citizenWait)
			wait := time.Since(asked)
			<-done
			t.Logf("flood of %d from %d senders delivered in %v: %s", floodSize, c.senders, time.Since(start).Round(time.Millisecond), st)
			t.Logf("the citizen's /start amid it (backlog %s, answers %v) answered after %v", backlog, cst.codes, wait.Round(time.Millisecond))
			t.Logf("refused: budget %s, capacity %s, store %s",
				scrape(t, x, `xabot_webhook_refused_total{channel="tg",reason="budget"}`),
				scrape(t, x, `xabot_webhook_refused_total{channel="tg",reason="capacity"}`),
				scrape(t, x, `xabot_webhook_refused_total{channel="tg",reason="store"}`))
			if st.codes[http.StatusGatewayTimeout] > 0 || st.failed.Load() > 0 {
				t.Errorf("the webhook timed out or failed: %s", st)
			}
		})
	}
}

// deliveries counts what the webhook answered.
type deliveries struct {
	mu       sync.Mutex
	codes    map[int]int
	lat503   []time.Duration
	failed   atomic.Int64
	answered atomic.Int64 // answered other than 503
}

func (d *deliveries) String() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := fmt.Sprintf("answers %v", d.codes)
	if n := len(d.lat503); n > 0 {
		sort.Slice(d.lat503, func(i, j int) bool { return d.lat503[i] < d.lat503[j] })
		s += fmt.Sprintf(", 503 in p50 %v p99 %v max %v", d.lat503[n/2], d.lat503[n*99/100], d.lat503[n-1])
	}
	return s
}

// deliverAll POSTs bodies to hook with the secret from par goroutines, each
// delivered again a second after a 503 until answered otherwise, counting
// into d.
func deliverAll(hook string, bodies [][]byte, par int, d *deliveries) {
	next := make(chan []byte)
	go func() {
		for _, b := range bodies {
			next <- b
		}
		close(next)
	}()
	client := &http.Client{Timeout: 30 * time.Second}
	var wg sync.WaitGroup
	for range par {
		wg.Go(func() {
			for b := range next {
				for {
					req, _ := http.NewRequest(http.MethodPost, hook, bytes.NewReader(b))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("X-Telegram-Bot-Api-Secret-Token", hookSecret)
					sent := time.Now()
					resp, err := client.Do(req)
					took := time.Since(sent)
					if err != nil {
						d.failed.Add(1)
						break
					}
					resp.Body.Close()
					d.mu.Lock()
					d.codes[resp.StatusCode]++
					if resp.StatusCode == http.StatusServiceUnavailable {
						d.lat503 = append(d.lat503, took)
					}
					d.mu.Unlock()
					if resp.StatusCode != http.StatusServiceUnavailable {
						d.answered.Add(1)
						break
					}
					time.Sleep(time.Second)
				}
			}
		})
	}
	wg.Wait()
}

// scrape reads one line's value from x's /metrics.
func scrape(t *testing.T, x *Xabot, line string) string {
	t.Helper()
	resp, err := http.Get("http://" + x.HTTP + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, line+" "); ok {
			return v
		}
	}
	return "?"
}
