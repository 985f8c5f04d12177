//go:build chaos && load

package chaos

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"xabot/test/chaos/tgstand"
)

// Webhook throughput, as people use the bot: N people each doing 5-step
// lookups (/start, «Đồng ý» or /trogiup, /tracuu, the code, the phone),
// pausing 1.1 s between an answer and their next step, their updates
// delivered to `xabot serve`'s Telegram webhook as Telegram would (again a
// second after a 503), the answers read at the Telegram stand-in.
//
//	go test -tags 'chaos load' -run TestWebhookLoad -v -timeout 10m ./test/chaos/ -args -rate 1000 -for 20s
//
// It prints the updates answered per second, the reply latency (the update
// POSTed to the answer arriving at the stand-in) p50/p99, the webhook's own
// answer time, 503s and their latency, and errors. It asserts nothing: it
// measures.
var (
	loadRate  = flag.Int("rate", 1000, "updates per second to offer (people = rate × 1.1)")
	loadFor   = flag.Duration("for", 20*time.Second, "how long to measure, after a 5 s warm-up")
	loadEnv   = flag.String("env", "", "more environment for xabot serve: K=V,K=V")
	loadProf  = flag.String("pprof", "", "write a CPU profile of xabot serve over the measured window to this file")
	loadConns = flag.Int("conns", 100, "connections the webhook's deliveries share, as Telegram's setWebhook max_connections (xabot asks for 100)")
	loadProcs = flag.Int("procs", 1, "GOMAXPROCS of the load generator and the Telegram stand-in (0: all cores), so they leave xabot serve a core")
)

const (
	loadPause = 1100 * time.Millisecond
	loadWarm  = 5 * time.Second
	loadLost  = 10 * time.Second
)

func TestWebhookLoad(t *testing.T) {
	people := max(1, int(float64(*loadRate)*loadPause.Seconds()))
	if people > 9999 {
		t.Fatalf("%d people: dossierRows numbers up to 9999", people)
	}
	tg := tgstand.Start(t)
	const token = "5301:load"
	env := map[string]string{"XABOT_TELEGRAM_MODE": "webhook", "XABOT_PUBLIC_URL": "https://bot.example",
		"XABOT_WEBHOOK_SECRET": hookSecret, "XABOT_SEND_RATE": "1000", "XABOT_LOG_LEVEL": "warn"}
	for _, kv := range strings.Split(*loadEnv, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	if *loadProf != "" {
		env["XABOT_PPROF_ADDR"] = freeAddr(t)
	}
	if *loadProcs > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(*loadProcs))
	}
	x := serve(t, tg, token, "", redisURL(t), env)
	x.Import(t, dossierRows(people))
	hook := "http://" + x.HTTP + "/webhook/telegram"

	ls := &loadStats{errs: map[string]int{}}
	boxes := make(map[int64]chan tgstand.Msg, people)
	for i := range people {
		boxes[int64(20001+i)] = make(chan tgstand.Msg, 64)
	}
	tg.OnSent(func(_ string, m tgstand.Msg) {
		if c, ok := boxes[m.Chat]; ok {
			select {
			case c <- m:
			default:
			}
		}
	})
	// Telegram keeps at most max_connections deliveries in flight and
	// queues the rest on its side: a person's update waiting for a
	// connection is waiting for its answer.
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxConnsPerHost: *loadConns, MaxIdleConnsPerHost: *loadConns}}
	start := time.Now()
	ls.from, ls.to = start.Add(loadWarm), start.Add(loadWarm+*loadFor)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range people {
		p := &person{tg: tg, token: token, hook: hook, client: client, chat: int64(20001 + i), box: boxes[int64(20001+i)],
			code: fmt.Sprintf("H55.20-261118-%04d", i+1), phone: fmt.Sprintf("0905%06d", i+1), stats: ls,
			rng: rand.New(rand.NewPCG(uint64(i), 7))}
		wg.Go(func() {
			time.Sleep(time.Duration(p.rng.Int64N(int64(loadPause))))
			for {
				select {
				case <-stop:
					return
				default:
				}
				p.lookup(stop)
			}
		})
	}
	profiled := make(chan error, 1)
	if *loadProf != "" {
		go func() {
			time.Sleep(time.Until(ls.from))
			profiled <- cpuProfile(x.Env["XABOT_PPROF_ADDR"], *loadFor, *loadProf)
		}()
	} else {
		profiled <- nil
	}
	// CPU time is what the other processes on the machine do not blur:
	// the cost of an update answered, however many cores xabot got.
	time.Sleep(time.Until(ls.from))
	cpuFrom, genFrom := x.CPU(t), procCPU(t, os.Getpid())
	peak := 0.0 // the inbox backlog, sampled
	for time.Now().Before(ls.to) {
		time.Sleep(500 * time.Millisecond)
		var n float64
		fmt.Sscan(scrape(t, x, `xabot_inbox_backlog{channel="tg"}`), &n)
		peak = max(peak, n)
	}
	cpu, gen := x.CPU(t)-cpuFrom, procCPU(t, os.Getpid())-genFrom
	close(stop)
	wg.Wait()
	if err := <-profiled; err != nil {
		t.Errorf("cpu profile: %v", err)
	}
	t.Logf("offered %d/s by %d people over %d connections (generator GOMAXPROCS %d): %s", *loadRate, people, *loadConns, runtime.GOMAXPROCS(0), ls)
	answered := float64(ls.answered())
	t.Logf("CPU in the window: xabot serve %v (%.0f µs an update answered, %.2f cores), generator and stand-in %v (%.0f µs); load average %s",
		cpu.Round(10*time.Millisecond), float64(cpu.Microseconds())/answered, cpu.Seconds()/loadFor.Seconds(),
		gen.Round(10*time.Millisecond), float64(gen.Microseconds())/answered, loadAvg())
	t.Logf("metrics: backlog peak %.0f, refused capacity %s, store %s", peak,
		scrape(t, x, `xabot_webhook_refused_total{channel="tg",reason="capacity"}`),
		scrape(t, x, `xabot_webhook_refused_total{channel="tg",reason="store"}`))
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// cpuProfile saves xabot serve's CPU profile over d to file.
func cpuProfile(addr string, d time.Duration, file string) error {
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, int(d.Seconds())))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("pprof: %s", resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// loadStats gathers what happened inside the measured window.
type loadStats struct {
	from, to time.Time
	mu       sync.Mutex
	reply    []time.Duration // per answered step
	post     []time.Duration // the webhook's 200s
	lat503   []time.Duration
	errs     map[string]int
	lost     int
}

func (s *loadStats) answered() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reply)
}

func (s *loadStats) in(at time.Time) bool { return at.After(s.from) && at.Before(s.to) }

func (s *loadStats) add(at time.Time, f func()) {
	if !s.in(at) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

func (s *loadStats) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	secs := s.to.Sub(s.from).Seconds()
	return fmt.Sprintf("%.0f updates/s answered; reply %s; webhook 200 %s; 503s %d (%.0f/s) %s; lost %d; errors %v",
		float64(len(s.reply))/secs, pct(s.reply), pct(s.post), len(s.lat503), float64(len(s.lat503))/secs, pct(s.lat503), s.lost, s.errs)
}

func pct(d []time.Duration) string {
	if len(d) == 0 {
		return "-"
	}
	slices.Sort(d)
	r := func(x time.Duration) time.Duration { return x.Round(100 * time.Microsecond) }
	return fmt.Sprintf("p50 %v p99 %v max %v", r(d[len(d)/2]), r(d[len(d)*99/100]), r(d[len(d)-1]))
}

// person is one chat doing lookups through the webhook.
type person struct {
	tg          *tgstand.Server
	token, hook string
	client      *http.Client
	chat        int64
	box         chan tgstand.Msg
	code, phone string
	stats       *loadStats
	rng         *rand.Rand
}

// lookup is chaos's five steps, over the webhook; a step not answered
// right starts it over.
func (p *person) lookup(stop <-chan struct{}) {
	if !p.pause(stop) {
		return
	}
	m, ok := p.step(func() []byte { return p.tg.TextUpdate(p.token, p.chat, "/start") },
		"Thông báo về dữ liệu cá nhân", "Anh/Chị chọn chức năng trong menu")
	if !ok {
		return
	}
	second, want := func() []byte { return p.tg.TextUpdate(p.token, p.chat, "/trogiup") }, "Hướng dẫn sử dụng"
	if len(m.Buttons) > 0 && len(m.Buttons[0]) > 0 {
		id, data := m.ID, m.Buttons[0][0].Data
		second, want = func() []byte { return p.tg.PressUpdate(p.token, p.chat, id, data) }, "Cảm ơn Anh/Chị đã đồng ý"
	}
	for _, s := range []struct {
		body func() []byte
		want string
	}{
		{second, want},
		{func() []byte { return p.tg.TextUpdate(p.token, p.chat, "/tracuu") }, "vui lòng gõ mã hồ sơ"},
		{func() []byte { return p.tg.TextUpdate(p.token, p.chat, p.code) }, "nhập số điện thoại đã khai khi nộp hồ sơ " + p.code},
		{func() []byte { return p.tg.TextUpdate(p.token, p.chat, p.phone) }, "📄 Hồ sơ " + p.code},
	} {
		if !p.pause(stop) {
			return
		}
		if _, ok := p.step(s.body, s.want); !ok {
			return
		}
	}
}

// pause waits loadPause after the last message the person got: they read
// what came (an answer may be two messages) before the next step.
func (p *person) pause(stop <-chan struct{}) bool {
	for {
		select {
		case <-stop:
			return false
		case <-p.box:
		case <-time.After(loadPause):
			return true
		}
	}
}

// step delivers one update (again a second after each 503) and waits for
// the message that answers it.
func (p *person) step(body func() []byte, want ...string) (tgstand.Msg, bool) {
	b := body()
	sent := time.Now()
	for {
		req, _ := http.NewRequest(http.MethodPost, p.hook, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", hookSecret)
		// The webhook's answer time runs from the connection in hand: the
		// wait for one of the max_connections is the platform's queue.
		at := time.Now()
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			GotConn: func(httptrace.GotConnInfo) { at = time.Now() }}))
		resp, err := p.client.Do(req)
		took := time.Since(at)
		if err != nil {
			p.stats.add(at, func() { p.stats.errs["transport"]++ })
			return tgstand.Msg{}, false
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			p.stats.add(at, func() { p.stats.lat503 = append(p.stats.lat503, took) })
			time.Sleep(time.Second)
			continue
		}
		if resp.StatusCode != http.StatusOK {
			p.stats.add(at, func() { p.stats.errs[fmt.Sprint(resp.StatusCode)]++ })
			return tgstand.Msg{}, false
		}
		p.stats.add(at, func() { p.stats.post = append(p.stats.post, took) })
		break
	}
	deadline := time.After(loadLost)
	for {
		select {
		case m := <-p.box:
			if containsAny(m.Text, want) {
				p.stats.add(sent, func() { p.stats.reply = append(p.stats.reply, m.At.Sub(sent)) })
				return m, true
			}
		case <-deadline:
			p.stats.add(sent, func() { p.stats.lost++ })
			return tgstand.Msg{}, false
		}
	}
}
