package statuspage

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/i18n"
	"xabot/internal/ratelimit"
	"xabot/internal/service/slip"
	"xabot/internal/store"
	"xabot/locales"
)

var hcm, _ = time.LoadLocation("Asia/Ho_Chi_Minh")

type env struct {
	srv  *httptest.Server
	svc  *slip.Service
	db   *store.DB
	now  time.Time
	page http.Handler
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{db: db, now: time.Date(2026, 12, 3, 9, 0, 0, 0, hcm)}
	now := func() time.Time { return e.now }
	for _, d := range []domain.Dossier{
		{Code: "H55.20-261125-0004", ProcedureName: "Đăng ký khai sinh", Field: "Hộ tịch", ApplicantName: "Nguyễn Thị Hoa",
			Phone: "0905123456", Intake: domain.IntakeDirect, Status: domain.StatusInProgress,
			ReceivedAt: time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC), DueAt: time.Date(2026, 11, 28, 1, 0, 0, 0, time.UTC)},
		{Code: "H55.20-261001-0001", ProcedureName: "Chứng thực bản sao", Field: "Chứng thực", ApplicantName: "Lê Văn Bình",
			Phone: "0912000111", Intake: domain.IntakeDirect, Status: domain.StatusReturned,
			ReceivedAt: time.Date(2026, 10, 1, 1, 0, 0, 0, time.UTC), DueAt: time.Date(2026, 10, 2, 1, 0, 0, 0, time.UTC),
			FinishedAt: time.Date(2026, 10, 2, 1, 0, 0, 0, time.UTC), ReturnedAt: time.Date(2026, 10, 3, 1, 0, 0, 0, time.UTC)},
	} {
		if _, err := db.UpsertDossier(t.Context(), d, "test"); err != nil {
			t.Fatal(err)
		}
	}
	texts, err := i18n.Load(locales.FS, "vi")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := slip.NewSigner("page-test-link-key-0123456789abcdefgh")
	e.svc = slip.New(signer, db, now, slip.Config{PublicURL: "https://xa.example.gov.vn", TelegramBot: "xa_demo_bot"})
	e.page = Handler(Config{
		Slips: e.svc, Limiter: ratelimit.NewMemory(ratelimit.Window{Limit: 10, Span: time.Hour}, now),
		Calendar: domain.NewCalendar(nil, nil),
		T: func(lang, key string, a map[string]string) string {
			all := map[string]string{"commune": "xã Hành Dũng", "office": "Bộ phận Một cửa xã, ☎ 0255 3822 123", "office_name": "Bộ phận Một cửa xã"}
			for k, v := range a {
				all[k] = v
			}
			return texts.T(lang, key, all)
		},
		Lang: "vi", Langs: texts.Langs(), Commune: "xã Hành Dũng", OfficeName: "Bộ phận Một cửa xã",
		OfficePhone: "0255 3822 123", OfficeHours: "Thứ Hai–Thứ Sáu 7:00–17:00", ZaloLink: "https://zalo.me/1459232241454765289",
		TZ: hcm, Now: now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	mux := http.NewServeMux()
	mux.Handle(Path, e.page)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) token(t *testing.T, code string) string {
	t.Helper()
	l, err := e.svc.Links(code)
	if err != nil {
		t.Fatal(err)
	}
	return l.Token
}

func (e *env) get(t *testing.T, path string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// external finds what a browser would fetch: scripts, images, styles,
// fonts, frames, or a URL in CSS.
var external = regexp.MustCompile(`(?i)<script|<img|<link|<iframe|<object|<embed|src=|url\(|@import`)

func TestPageShowsDossier(t *testing.T) {
	e := newEnv(t)
	tok := e.token(t, "H55.20-261125-0004")
	resp, body := e.get(t, "/s/"+tok, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{`lang="vi"`, "Hồ sơ H55.20-261125-0004", "Đăng ký khai sinh", "N*** T*** H***",
		"Đang xử lý", "28/11/2026", "quá hạn 4 ngày làm việc", "ưu tiên giải quyết", `href="tel:02553822123"`,
		`href="https://t.me/xa_demo_bot?start=` + tok + `"`, `href="https://zalo.me/1459232241454765289"`, "gửi mã H55.20-261125-0004",
		`name="viewport"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, leak := range []string{"Nguyễn", "0905123456", "905123456"} {
		if strings.Contains(body, leak) {
			t.Errorf("page shows %q", leak)
		}
	}
	if m := external.FindString(body); m != "" {
		t.Errorf("page fetches something: %q", m)
	}
	if n := len(body); n > 30*1024 {
		t.Errorf("page is %d bytes, over 30 KB", n)
	}
	t.Logf("status page: %d bytes", len(body))
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || resp.Header.Get("Referrer-Policy") != "no-referrer" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers: %v", resp.Header)
	}
	_, en := e.get(t, "/s/"+tok, map[string]string{"Accept-Language": "en-US,en;q=0.9,vi;q=0.5"})
	if !strings.Contains(en, `lang="en"`) || !strings.Contains(en, "Dossier H55.20-261125-0004") || !strings.Contains(en, "Follow on Telegram") {
		t.Errorf("English page:\n%s", en)
	}
	_, vi := e.get(t, "/s/"+tok, map[string]string{"Accept-Language": "fr, vi;q=0.8, en;q=0.5"})
	if !strings.Contains(vi, `lang="vi"`) {
		t.Errorf("vi preferred over en: %.200s", vi)
	}
}

// Forged and expired links are refused plainly; ten refusals from one
// address lock it for an hour, even for a good link; another address is
// not locked; behind a local proxy the forwarded address counts.
func TestPageRefusals(t *testing.T) {
	e := newEnv(t)
	tok := e.token(t, "H55.20-261125-0004")
	resp, body := e.get(t, "/s/"+e.token(t, "H55.20-261001-0001"), nil)
	if resp.StatusCode != http.StatusGone || !strings.Contains(body, "hết hạn") || strings.Contains(body, "Lê") {
		t.Errorf("expired: %d\n%s", resp.StatusCode, body)
	}
	bad := []string{tok[:len(tok)-1] + "5", tok[:10], "A" + strings.Repeat("x", 30), "%00%ff", strings.Repeat("A", 500)}
	for _, b := range bad {
		resp, body := e.get(t, "/s/"+b, nil)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "không hợp lệ") {
			t.Errorf("forged %q: %d\n%.300s", b, resp.StatusCode, body)
		}
	}
	for range 10 - 1 - len(bad) - 1 {
		e.get(t, "/s/forged", nil)
	}
	if resp, _ := e.get(t, "/s/"+tok, nil); resp.StatusCode != 200 {
		t.Fatalf("locked after 9 refusals: %d", resp.StatusCode)
	}
	e.get(t, "/s/forged", nil) // the tenth
	resp, body = e.get(t, "/s/"+tok, nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "thử lại sau") {
		t.Errorf("a good link from a locked address: %d\n%.300s", resp.StatusCode, body)
	}
	// The test client is on the loopback: a proxy there forwarding another
	// client is that client.
	if resp, _ := e.get(t, "/s/"+tok, map[string]string{"X-Forwarded-For": "203.0.113.9"}); resp.StatusCode != 200 {
		t.Errorf("another address behind the proxy: %d", resp.StatusCode)
	}
	e.now = e.now.Add(time.Hour)
	if resp, _ := e.get(t, "/s/"+tok, nil); resp.StatusCode != 200 {
		t.Errorf("an hour later: %d", resp.StatusCode)
	}
}

func TestClientKey(t *testing.T) {
	for _, tc := range []struct{ remote, fwd, want string }{
		{"198.51.100.7:5000", "", "198.51.100.7"},
		{"198.51.100.7:5000", "203.0.113.9", "198.51.100.7"}, // a public peer's header is not believed
		{"127.0.0.1:5000", "10.0.0.1, 203.0.113.9", "203.0.113.9"},
		{"10.1.2.3:5000", "junk", "10.1.2.3"},
		{"[2001:db8:1:2:3:4:5:6]:443", "", "2001:db8:1:2::/64"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/s/x", nil)
		r.RemoteAddr = tc.remote
		if tc.fwd != "" {
			r.Header.Set("X-Forwarded-For", tc.fwd)
		}
		if got := clientKey(r); got != tc.want {
			t.Errorf("clientKey(%s, %q) = %q, want %q", tc.remote, tc.fwd, got, tc.want)
		}
	}
}
