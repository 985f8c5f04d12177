package app

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func linkApp(t *testing.T, env map[string]string) *App {
	t.Helper()
	env["XABOT_SYNC_TOKEN"] = syncToken
	return openApp(t, env)
}

// The sync API's result carries each stored dossier's slip links, the
// same the QR holds; the page link opens on the app's HTTP server. An
// item refused carries none, nor does any without XABOT_LINK_KEY.
func TestSyncResultCarriesSlipLinks(t *testing.T) {
	a := linkApp(t, map[string]string{"XABOT_LINK_KEY": "app-test-link-key-0123456789abcdefghi",
		"XABOT_PUBLIC_URL": "https://xa.example.gov.vn", "XABOT_TELEGRAM_BOT": "xa_demo_bot"})
	mux := a.mux()
	body := `[{"code":"H55.20-261201-0001","procedure_name":"Đăng ký khai sinh","field":"Hộ tịch","applicant_name":"Trần Văn Nam",
	"applicant_phone":"0905123456","channel":1,"received_at":"2026-12-01 08:00","due_at":"2026-12-04","status":4},
	{"code":"H55.20-261201-0002","status":4}]`
	r := httptest.NewRequest(http.MethodPost, "/api/v1/dossiers", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+syncToken)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	var out struct {
		Results []struct {
			Outcome string
			Links   *struct{ Telegram, Page string }
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out.Results) != 2 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	got, refused := out.Results[0], out.Results[1]
	l, err := a.slip.Links("H55.20-261201-0001")
	if err != nil {
		t.Fatal(err)
	}
	if got.Outcome != "created" || got.Links == nil || got.Links.Page != l.Page || got.Links.Telegram != l.Telegram ||
		!strings.HasPrefix(got.Links.Telegram, "https://t.me/xa_demo_bot?start=") {
		t.Fatalf("result 0 = %+v, want the links %+v", got, l)
	}
	if refused.Outcome != "error" || refused.Links != nil {
		t.Errorf("result 1 = %+v, want an error without links", refused)
	}
	page := httptest.NewRecorder()
	mux.ServeHTTP(page, httptest.NewRequest(http.MethodGet, strings.TrimPrefix(got.Links.Page, "https://xa.example.gov.vn"), nil))
	if page.Code != 200 || !strings.Contains(page.Body.String(), "H55.20-261201-0001") || !strings.Contains(page.Body.String(), "T*** V*** N***") {
		t.Errorf("page: %d %.400s", page.Code, page.Body)
	}

	off := linkApp(t, map[string]string{})
	w = httptest.NewRecorder()
	r = httptest.NewRequest(http.MethodPost, "/api/v1/dossiers", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+syncToken)
	off.mux().ServeHTTP(w, r)
	if strings.Contains(w.Body.String(), "links") {
		t.Errorf("links without XABOT_LINK_KEY: %s", w.Body)
	}
	page = httptest.NewRecorder()
	off.mux().ServeHTTP(page, httptest.NewRequest(http.MethodGet, "/s/"+l.Token, nil))
	if page.Code != http.StatusNotFound {
		t.Errorf("status page without XABOT_LINK_KEY: %d", page.Code)
	}
}
