//go:build browser

package browser

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

var slipPage = regexp.MustCompile(`https://xa\.example\.gov\.vn/s/([A-Za-z0-9_-]+)`)

// The receipt slip's status page in headless Chromium on a 360 px phone:
// the dossier's card, the links to follow it, nothing fetched but the page
// itself, under 30 KB, no sideways scroll; a forged link gets the plain
// refusal. Screenshots: status-page.png, status-refused.png.
func TestStatusPage(t *testing.T) {
	const key = "browser-link-key-0123456789abcdefghijk"
	demo := startDemo(t, "XABOT_LINK_KEY="+key, "XABOT_TELEGRAM_BOT=xa_demo_bot")
	code := demo.samples[0][0]
	// The link as `xabot qr` prints it for the slip.
	qr := exec.Command(demo.bin, "qr", code)
	qr.Env = append(os.Environ(), "XABOT_DB="+demo.db, "XABOT_LINK_KEY="+key,
		"XABOT_PUBLIC_URL=https://xa.example.gov.vn", "XABOT_TELEGRAM_BOT=xa_demo_bot", "XABOT_LANG=vi")
	out, err := qr.CombinedOutput()
	m := slipPage.FindStringSubmatch(string(out))
	if err != nil || m == nil {
		t.Fatalf("xabot qr %s: %v\n%s", code, err, out)
	}
	token := m[1]

	p := openBrowser(t, demo.url)
	p.do(chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile), acceptLanguage("vi-VN,vi;q=0.9,en;q=0.5"))
	p.do(chromedp.Navigate(demo.url+"s/"+token), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	if h1 := p.eval(`document.querySelector('main h1').textContent`); !strings.Contains(h1, code) {
		t.Errorf("heading %s, want the code %s", h1, code)
	}
	text := bodyText(p)
	for _, want := range []string{"Trạng thái", "Ngày hẹn trả", "Theo dõi trên Telegram", "Trung tâm Phục vụ hành chính công"} {
		if !strings.Contains(text, want) {
			t.Errorf("page lacks %q: %s", want, text)
		}
	}
	if href := p.eval(`document.querySelector('a.tg').href`); href != strconv.Quote("https://t.me/xa_demo_bot?start="+token) {
		t.Errorf("Telegram link %s", href)
	}
	if w := p.eval(`document.documentElement.scrollWidth`); w != "360" {
		t.Errorf("the status page is %s px wide on a 360 px screen: it scrolls sideways", w)
	}
	// Nothing fetched besides the document: no script, style sheet,
	// image or font.
	if n := p.eval(`performance.getEntriesByType('resource').length`); n != "0" {
		t.Errorf("%s resources fetched: %s", n, p.eval(`performance.getEntriesByType('resource').map(r => r.name)`))
	}
	if n := p.eval(`document.scripts.length + document.images.length + document.styleSheets.length - document.querySelectorAll('style').length`); n != "0" {
		t.Errorf("%s scripts, images or linked style sheets", n)
	}
	size := p.eval(`performance.getEntriesByType('navigation')[0].decodedBodySize`)
	if n, _ := strconv.Atoi(size); n == 0 || n > 30*1024 {
		t.Errorf("page is %s bytes, want 1 to 30 KB", size)
	}
	t.Logf("status page: %s bytes", size)
	p.full("status-page.png")

	p.do(acceptLanguage("en-US,en;q=0.9"), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	if text := bodyText(p); !strings.Contains(text, "Follow on Telegram") || !strings.Contains(text, "Appointment") {
		t.Errorf("English page: %s", text)
	}
	if w := p.eval(`document.documentElement.scrollWidth`); w != "360" {
		t.Errorf("the English page is %s px wide on a 360 px screen", w)
	}
	p.full("status-page-en.png")
	p.do(acceptLanguage("vi"))

	p.do(chromedp.Navigate(demo.url+"s/"+token[:len(token)-2]+"xx"), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	if text := bodyText(p); !strings.Contains(text, "không hợp lệ") || strings.Contains(text, "Trạng thái") {
		t.Errorf("forged link: %s", text)
	}
	p.full("status-refused.png")
	p.checkNoErrors()
	demo.stop(t)
}

// acceptLanguage makes the browser ask for pages in lang.
func acceptLanguage(lang string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}})
		return err
	})
}

// bodyText is the page's text as the reader sees it.
func bodyText(p *page) string {
	p.t.Helper()
	var s string
	if err := json.Unmarshal([]byte(p.eval(`document.body.innerText`)), &s); err != nil {
		p.fail(err)
	}
	return s
}
