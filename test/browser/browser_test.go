//go:build browser

// Package browser drives the web simulator of `xabot demo` in a real,
// headless Chromium: it builds the binary, runs the demo on a fresh
// database and a free port with stdin closed, reads the sample codes and
// phones it prints, and plays the citizen, the official, the chairman and
// the citizen on Zalo on the page. A screenshot of each panel is kept in
// $XABOT_ARTIFACTS (default test/browser/artifacts/).
//
//	go test -tags browser -count=1 -timeout 10m ./test/browser/
//
// Chromium comes from $CHROME, else /usr/bin/chromium (Debian package
// chromium, which .ci/run installs).
package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// sampleLine is a line of the demo's sample list: code, phone, status.
var (
	sampleLine = regexp.MustCompile(`(?m)^\s+([A-Z0-9.]+-\d{6}-\d{4})\s+(0\d{9})\s+(.+)$`)
	familyLine = regexp.MustCompile(`/contact (0\d{9})`)
	pageURL    = regexp.MustCompile(`http://127\.0\.0\.1:\d+/`)
)

func TestSimulator(t *testing.T) {
	began := time.Now()
	demo := startDemo(t)
	p := openBrowser(t, demo.url)
	code, phone := demo.samples[0][0], demo.samples[0][1]

	// ---- The citizen looks up a demo dossier: code typed, then the phone.
	p.say("citizen", "/start")
	p.waitBot("citizen", "Đồng ý", 1)
	p.press("citizen", "Đồng ý")
	p.waitBot("citizen", "Cảm ơn", 1)
	p.say("citizen", code)
	p.waitBot("citizen", "khi nộp hồ sơ "+code, 1)
	p.say("citizen", phone)
	p.waitBot("citizen", "📄 Hồ sơ "+code, 1)
	p.waitBot("citizen", "Trạng thái:", 1)
	p.shot("citizen-lookup.png", "citizen")

	// "My dossiers" with the share-my-phone key of the reply keyboard.
	p.tapChip("citizen", "Hồ sơ của tôi")
	p.do(chromedp.WaitVisible(chromedp.CSS(`section[data-panel="citizen"] .chips button.contact`)))
	p.do(chromedp.Click(chromedp.CSS(`section[data-panel="citizen"] .chips button.contact`), chromedp.NodeVisible))
	p.do(chromedp.SendKeys(chromedp.CSS(`section[data-panel="citizen"] .share input`), demo.family, chromedp.NodeVisible))
	p.do(chromedp.Click(chromedp.CSS(`section[data-panel="citizen"] .share button[type=submit]`), chromedp.NodeVisible))
	p.waitBot("citizen", "✅", 1)
	p.shot("citizen-my-dossiers.png", "citizen")

	// A reload shows the conversation so far.
	p.do(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)))
	p.waitBot("citizen", "📄 Hồ sơ "+code, 1)

	// ---- The chairman asks for the figures.
	p.say("chairman", "/thongke")
	p.waitBot("chairman", "Thống kê kỳ nào", 1)
	p.press("chairman", "Tháng này")
	p.waitBot("chairman", "📊 Thống kê hồ sơ", 1)
	p.waitBot("chairman", "Tiếp nhận:", 1)
	p.waitBot("chairman", "766", 1)
	p.shot("chairman-thongke.png", "chairman")

	// ---- Jobs run from the page reach the official and the chairman
	// through the outbox: the weekly digest with its chart, the overdue
	// summary.
	p.runJob("weekly-digest")
	p.waitBot("official", "Tổng hợp tuần", 1)
	p.waitImage("official")
	p.shot("official-digest.png", "official")
	p.runJob("overdue")
	p.waitBot("official", "🔴 Lĩnh vực", 1)
	p.shot("official-overdue.png", "official")
	p.waitBot("chairman", "hồ sơ quá hạn", 1)
	p.shot("chairman-overdue.png", "chairman")
	p.say("official", "/quahan")
	p.waitBot("official", "quá hạn", 2)
	p.shot("official-quahan.png", "official")

	// ---- The citizen on Zalo: numbered menus, no buttons.
	p.say("zalo", "/start")
	p.waitBot("zalo", "1. ✅ Đồng ý", 1)
	p.say("zalo", "1")
	p.waitBot("zalo", "Cảm ơn", 1)
	if n := p.count(`section[data-panel="zalo"] button.ib, section[data-panel="zalo"] .chips button`); n != 0 {
		t.Errorf("the Zalo panel shows %d buttons, want none", n)
	}
	p.shot("zalo-numbered.png", "zalo")
	p.full("desktop.png")

	// ---- A phone screen: one panel at a time, chosen with tabs.
	p.do(chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	if n := p.count(`section.panel`); n != 4 {
		t.Errorf("%d panels, want 4", n)
	}
	if shown := p.eval(`[...document.querySelectorAll('section.panel')].filter(s => getComputedStyle(s).display !== 'none').length`); shown != "1" {
		t.Errorf("%s panels shown on a 360 px screen, want 1", shown)
	}
	p.do(chromedp.Click(chromedp.CSS(`#tab-chairman`), chromedp.NodeVisible))
	p.do(chromedp.WaitVisible(chromedp.CSS(`section[data-panel="chairman"] .log`)))
	if w := p.eval(`document.documentElement.scrollWidth`); w != "360" {
		t.Errorf("the page is %s px wide on a 360 px screen: it scrolls sideways", w)
	}
	p.full("phone.png")

	// ---- English chrome.
	p.do(chromedp.Click(chromedp.CSS(`button[data-lang="en"]`), chromedp.NodeVisible))
	if title := p.eval(`document.querySelector('#title-chairman').textContent`); title != `"Commune chairman"` {
		t.Errorf("chairman panel title in English = %s", title)
	}

	p.checkNoErrors()
	demo.stop(t)
	t.Logf("browser test took %v; screenshots in %s", time.Since(began).Round(time.Second), p.dir)
}

// ---------------------------------------------------------------- the demo

type demoRun struct {
	bin, db string // the binary built, the demo's database
	url     string
	samples [][2]string // code, phone
	family  string      // the phone with several dossiers
	cmd     *exec.Cmd
	out     *syncBuffer
	errs    *syncBuffer
	done    chan error
}

// startDemo runs `xabot demo` with the XABOT_* variables of env
// ("NAME=value") besides the test's own.
func startDemo(t *testing.T, env ...string) *demoRun {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "xabot")
	build := exec.Command("go", "build", "-o", bin, "./cmd/xabot")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "demo")
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "XABOT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "XABOT_DB="+filepath.Join(dir, "demo.db"), "XABOT_HTTP_ADDR="+freeAddr(t), "XABOT_LANG=vi")
	cmd.Env = append(cmd.Env, env...)
	// cmd.Stdin stays nil: /dev/null, so the terminal chat ends at once
	// and the page goes on.
	d := &demoRun{bin: bin, db: filepath.Join(dir, "demo.db"), cmd: cmd, out: &syncBuffer{}, errs: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = d.out, d.errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if d.cmd.ProcessState == nil {
			_ = d.cmd.Process.Kill()
			<-d.done
		}
		writeArtifact(t, "demo-stdout.txt", []byte(d.out.String()))
		writeArtifact(t, "demo-stderr.txt", []byte(d.errs.String()))
	})
	deadline := time.Now().Add(2 * time.Minute)
	for d.url == "" || !strings.Contains(d.out.String(), "Ctrl+C") {
		select {
		case err := <-d.done:
			t.Fatalf("xabot demo ended early: %v\nstdout:\n%s\nstderr:\n%s", err, d.out, d.errs)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("xabot demo printed no page address:\n%s\n%s", d.out, d.errs)
		}
		d.url = pageURL.FindString(d.out.String())
	}
	out := d.out.String()
	for _, m := range sampleLine.FindAllStringSubmatch(out, -1) {
		d.samples = append(d.samples, [2]string{m[1], m[2]})
	}
	if m := familyLine.FindStringSubmatch(out); m != nil {
		d.family = m[1]
	}
	if len(d.samples) < 3 || d.family == "" {
		t.Fatalf("no samples or family phone in the demo's output:\n%s", out)
	}
	return d
}

// stop sends Ctrl+C and expects a clean exit.
func (d *demoRun) stop(t *testing.T) {
	t.Helper()
	if err := d.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-d.done:
		if err != nil {
			t.Errorf("xabot demo after Ctrl+C: %v\n%s", err, d.errs)
		}
	case <-time.After(20 * time.Second):
		t.Error("xabot demo did not stop within 20 s of Ctrl+C")
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// ---------------------------------------------------------------- the page

type page struct {
	t   *testing.T
	ctx context.Context
	dir string

	mu         sync.Mutex
	exceptions []string
}

func chromePath() string {
	if c := os.Getenv("CHROME"); c != "" {
		return c
	}
	return "/usr/bin/chromium"
}

func artifacts() string {
	if d := os.Getenv("XABOT_ARTIFACTS"); d != "" {
		return d
	}
	return "artifacts"
}

func writeArtifact(t *testing.T, name string, b []byte) {
	t.Helper()
	dir := artifacts()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Error(err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Error(err)
	}
}

func openBrowser(t *testing.T, url string) *page {
	t.Helper()
	if _, err := os.Stat(chromePath()); err != nil {
		t.Fatalf("no Chromium at %s (set $CHROME, or apt-get install chromium): %v", chromePath(), err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromePath()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "vi-VN"),
		chromedp.WindowSize(1440, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 5*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelCtx(); cancelAlloc() })
	p := &page{t: t, ctx: ctx, dir: artifacts()}
	_ = os.Remove(filepath.Join(p.dir, "failure.png")) // of an earlier run
	// A script error on the page fails the test, whatever it broke.
	thrown := chromedp.Events(ctx, runtime.ExceptionThrown)
	go func() {
		for ev, err := range thrown {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.exceptions = append(p.exceptions, ev.ExceptionDetails.Text+" "+fmt.Sprint(ev.ExceptionDetails.Exception))
			p.mu.Unlock()
		}
	}()
	p.do(chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)))
	return p
}

// do runs actions; on failure it keeps a screenshot of the page and stops.
func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.fail(err)
	}
}

func (p *page) fail(err error) {
	p.t.Helper()
	if buf, serr := chromedp.Run(p.ctx, chromedp.FullScreenshot(100)); serr == nil {
		writeArtifact(p.t, "failure.png", buf)
	}
	p.t.Fatalf("%v (screenshot: %s)", err, filepath.Join(p.dir, "failure.png"))
}

func panelSel(panel string) string { return `section[data-panel="` + panel + `"]` }

// say types text in the panel and sends it.
func (p *page) say(panel, text string) {
	p.t.Helper()
	p.do(
		chromedp.SendKeys(chromedp.CSS(`#text-`+panel), text, chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(panelSel(panel)+` .compose button[type=submit]`), chromedp.NodeVisible),
	)
}

// press clicks the inline button of the panel whose label contains label.
func (p *page) press(panel, label string) {
	p.t.Helper()
	p.do(chromedp.Click(chromedp.Search(fmt.Sprintf(`//section[@data-panel=%q]//button[contains(@class,"ib")][contains(., %q)]`, panel, label)), chromedp.NodeVisible))
}

// tapChip taps the reply-keyboard key whose label contains label.
func (p *page) tapChip(panel, label string) {
	p.t.Helper()
	p.do(chromedp.Click(chromedp.Search(fmt.Sprintf(`//section[@data-panel=%q]//div[contains(@class,"chips")]/button[contains(., %q)]`, panel, label)), chromedp.NodeVisible))
}

// waitBot waits until at least n of the bot's messages in the panel
// contain text.
func (p *page) waitBot(panel, text string, n int) {
	p.t.Helper()
	q, _ := json.Marshal(text)
	expr := fmt.Sprintf(`[...document.querySelectorAll(%q)].filter(m => m.textContent.includes(%s)).length >= %d`,
		panelSel(panel)+" .msg.bot", q, n)
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(45*time.Second))); err != nil {
		p.fail(fmt.Errorf("panel %s: no bot message with %q: %w", panel, text, err))
	}
}

// waitImage waits until a picture the bot sent in the panel has loaded.
func (p *page) waitImage(panel string) {
	p.t.Helper()
	expr := fmt.Sprintf(`[...document.querySelectorAll(%q)].some(i => i.complete && i.naturalWidth > 0 && i.alt.length > 0)`, panelSel(panel)+" .msg.bot img")
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(45*time.Second))); err != nil {
		p.fail(fmt.Errorf("panel %s: no picture loaded: %w", panel, err))
	}
}

// runJob runs a job with the page's control and waits for its result.
func (p *page) runJob(name string) {
	p.t.Helper()
	p.do(
		chromedp.SetValue(chromedp.ID("job"), name, chromedp.NodeVisible),
		chromedp.Click(chromedp.ID("job-run"), chromedp.NodeVisible),
	)
	q, _ := json.Marshal(name)
	expr := fmt.Sprintf(`(o => o.dataset.state === 'done' && o.textContent.includes(%s))(document.getElementById('job-result'))`, q)
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		res, _ := chromedp.Run(p.ctx, chromedp.Text(chromedp.ID("job-result")))
		p.fail(fmt.Errorf("job %s: result %q: %w", name, res, err))
	}
	// The next run must wait for its own result, not read this one.
	p.do(chromedp.Evaluate[chromedp.Void](`delete document.getElementById('job-result').dataset.state`))
}

func (p *page) count(css string) int {
	p.t.Helper()
	n, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, css)))
	if err != nil {
		p.fail(err)
	}
	return n
}

// eval returns the JSON of a JavaScript expression's value.
func (p *page) eval(expr string) string {
	p.t.Helper()
	raw, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]byte](expr))
	if err != nil {
		p.fail(err)
	}
	return string(raw)
}

// shot keeps a screenshot of one panel.
func (p *page) shot(name, panel string) {
	p.t.Helper()
	buf, err := chromedp.Run(p.ctx, chromedp.Screenshot(chromedp.CSS(panelSel(panel)), chromedp.NodeVisible))
	if err != nil {
		p.fail(err)
	}
	writeArtifact(p.t, name, buf)
}

// full keeps a screenshot of the whole page.
func (p *page) full(name string) {
	p.t.Helper()
	buf, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.fail(err)
	}
	writeArtifact(p.t, name, buf)
}

func (p *page) checkNoErrors() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.exceptions {
		p.t.Errorf("script error on the page: %s", e)
	}
}
