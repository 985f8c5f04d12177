//go:build e2e

package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

const (
	slipKey       = "e2e-link-key-0123456789abcdefghijklmn"
	slipSyncToken = "e2e-sync-token-0123456789"
)

// slipLinks asks the sync API for the slip links of codes, as the
// one-door system does after posting them, and returns them by code.
func slipLinks(t *testing.T, b *Bot, codes ...string) map[string]struct{ Telegram, Page string } {
	t.Helper()
	var items []string
	for _, c := range codes {
		items = append(items, `{"code":"`+c+`"}`)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+b.HTTPAddr+"/api/v1/dossiers", strings.NewReader("["+strings.Join(items, ",")+"]"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+slipSyncToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out struct {
		Results []struct {
			Code    string
			Outcome string
			Links   struct{ Telegram, Page string }
		}
	}
	if err := json.Unmarshal(body, &out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("sync: %d %s", resp.StatusCode, body)
	}
	links := map[string]struct{ Telegram, Page string }{}
	for _, r := range out.Results {
		if r.Outcome != "unchanged" || !strings.HasPrefix(r.Links.Telegram, "https://t.me/") || !strings.HasPrefix(r.Links.Page, "https://xa.example.gov.vn/s/") {
			t.Fatalf("sync result for %s: %+v", r.Code, r)
		}
		links[r.Code] = r.Links
	}
	return links
}

func startToken(t *testing.T, telegram string) string {
	t.Helper()
	_, tok, ok := strings.Cut(telegram, "?start=")
	if !ok || len(tok) > 64 {
		t.Fatalf("Telegram link %q: no start parameter of at most 64 characters", telegram)
	}
	return tok
}

// The QR on the receipt slip, through the emulator: the t.me link's
// /start TOKEN shows the consent notice, then the card without asking for
// the phone, and the chat follows the dossier; a forged link and an
// expired one are refused plainly. The sync API gives the links with the
// bot's username from getMe; the status page answers on the HTTP server.
func TestSlipDeepLink(t *testing.T) {
	peer := startPeer(t)
	b := startBot(t, peer, map[string]string{"XABOT_LINK_KEY": slipKey, "XABOT_PUBLIC_URL": "https://xa.example.gov.vn",
		"XABOT_SYNC_TOKEN": slipSyncToken})
	csv := dossiersCSV + "H55.20-250102-0009;Đăng ký kết hôn;Hộ tịch;Phạm Văn Cường;0905123456;;1;02/01/2025;05/01/2025;Đã trả kết quả;05/01/2025;\n"
	if out := importDossiers(t, b, csv); !strings.Contains(out, "4 hồ sơ mới") {
		t.Fatalf("import said %q", out)
	}
	links := slipLinks(t, b, "H55.20-261118-0003", "H55.20-250102-0009")
	open, expired := links["H55.20-261118-0003"], links["H55.20-250102-0009"]
	tok := startToken(t, open.Telegram)
	if !strings.HasSuffix(open.Page, "/s/"+tok) {
		t.Fatalf("page %q and Telegram %q carry different tokens", open.Page, open.Telegram)
	}

	t.Run("deep link: consent, then the card without the phone", func(t *testing.T) {
		c := b.Citizen(t, 3101, "Hoa")
		c.Command("/start " + tok)
		m := c.WaitFor(t, "Thông báo về dữ liệu cá nhân", wait)
		c.PressButton(t, m, "Đồng ý")
		card := c.WaitFor(t, "📄 Hồ sơ H55.20-261118-0003", wait)
		for _, want := range []string{"Đang xử lý", "N*** V*** A***", "Tôi sẽ nhắn"} {
			if !strings.Contains(card.Text, want) {
				t.Errorf("card lacks %q: %s", want, card)
			}
		}
		for _, m := range c.Drain() {
			if strings.Contains(m.Text, "số điện thoại đã khai") {
				t.Errorf("asked for the phone: %s", m)
			}
		}
		// Consented already: the card at once.
		c.Command("/start " + tok)
		c.WaitFor(t, "📄 Hồ sơ H55.20-261118-0003", wait)
	})

	t.Run("forged and expired links refused", func(t *testing.T) {
		c := b.Citizen(t, 3102, "Tú")
		agree(t, c)
		last := "3" // the code's last digit changed: the MAC no longer matches
		if strings.HasSuffix(tok, "3") {
			last = "4"
		}
		forged := tok[:len(tok)-1] + last
		c.Command("/start " + forged)
		if m := c.WaitFor(t, "không hợp lệ", wait); strings.Contains(m.Text, "H55.20-261118-0003\n") {
			t.Errorf("a forged link showed the dossier: %s", m)
		}
		c.Command("/start " + startToken(t, expired.Telegram))
		if m := c.WaitFor(t, "hết hạn", wait); strings.Contains(m.Text, "Phạm") || strings.Contains(m.Text, "P***") {
			t.Errorf("an expired link showed the dossier: %s", m)
		}
	})

	t.Run("status page on the HTTP server", func(t *testing.T) {
		resp, err := http.Get("http://" + b.HTTPAddr + strings.TrimPrefix(open.Page, "https://xa.example.gov.vn"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(string(body), "Hồ sơ H55.20-261118-0003") || !strings.Contains(string(body), open.Telegram) {
			t.Errorf("status page: %d %.500s", resp.StatusCode, body)
		}
	})
}
