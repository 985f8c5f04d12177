//go:build chaos

package chaos

import (
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"xabot/test/chaos/tgstand"
)

// The stand-in's own rules, through the library xabot uses: an update is
// offered again until a later offset confirms it; faults and limits answer
// as Telegram does.
func TestStandInOffsetRuleAndFaults(t *testing.T) {
	tg := tgstand.Start(t)
	const token = "5001:standin"
	api, err := tgbotapi.NewBotAPIWithAPIEndpoint(token, tg.APIEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	if api.Self.ID != 5001 {
		t.Errorf("getMe id = %d", api.Self.ID)
	}
	tg.Text(token, 7, "/start")
	tg.Text(token, 7, "xin chào")
	get := func(offset int) []tgbotapi.Update {
		t.Helper()
		ups, err := api.GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Limit: 100, Timeout: 0})
		if err != nil {
			t.Fatal(err)
		}
		return ups
	}
	if ups := get(0); len(ups) != 2 || !ups[0].Message.IsCommand() || ups[1].Message.Text != "xin chào" {
		t.Fatalf("first poll = %+v", ups)
	}
	if ups := get(0); len(ups) != 2 {
		t.Fatalf("unconfirmed updates were not offered again: %d", len(ups))
	}
	if ups := get(2); len(ups) != 1 || ups[0].UpdateID != 2 {
		t.Fatalf("offset 2 = %+v", ups)
	}
	if ups := get(0); len(ups) != 1 {
		t.Fatalf("update 1 came back after offset 2 confirmed it")
	}
	if tg.Pending(token) != 1 {
		t.Errorf("pending = %d", tg.Pending(token))
	}

	tg.AddFault(token, tgstand.Fault{Method: "sendMessage", Count: 1, Status: 429, RetryAfter: 3})
	_, err = api.Send(tgbotapi.NewMessage(7, "một"))
	if e, ok := err.(*tgbotapi.Error); !ok || e.Code != 429 || e.RetryAfter != 3 {
		t.Fatalf("429 fault: %v", err)
	}
	if _, err := api.Send(tgbotapi.NewMessage(7, "hai")); err != nil {
		t.Fatalf("after the fault: %v", err)
	}
	tg.SetLimits(token, tgstand.Limits{PerChatPerSecond: 1})
	if _, err := api.Send(tgbotapi.NewMessage(7, "ba")); err != nil {
		t.Fatalf("first send under the limit: %v", err)
	}
	if _, err := api.Send(tgbotapi.NewMessage(7, "bốn")); err == nil {
		t.Fatalf("a second send in the same second to one chat was not refused")
	}
	sent := tg.Sent(token, 7)
	if len(sent) != 2 || sent[0].Text != "hai" || sent[1].Text != "ba" {
		t.Errorf("sent = %+v", sent)
	}

	// A long poll wakes on a new update.
	go func() { time.Sleep(200 * time.Millisecond); tg.Text(token, 8, "muộn") }()
	start := time.Now()
	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{Offset: 3, Limit: 100, Timeout: 5})
	if err != nil || len(ups) != 1 || time.Since(start) > 3*time.Second {
		t.Fatalf("long poll = %+v, %v after %v", ups, err, time.Since(start))
	}
}

// A citizen's lookup through a real `xabot serve`: the suite's plumbing.
func TestServeAnswersThroughTheStandIn(t *testing.T) {
	tg := tgstand.Start(t)
	const token = "5002:smoke"
	x := serve(t, tg, token, "", redisURL(t), nil)
	x.Import(t, dossierRows(3))
	tg.Text(token, 11, "/start")
	m, i := waitSent(t, tg, token, 11, 0, "Thông báo về dữ liệu cá nhân", 10*time.Second)
	tg.Press(token, 11, m.ID, m.Buttons[0][0].Data)
	_, i = waitSent(t, tg, token, 11, i+1, "Cảm ơn", 5*time.Second)
	tg.Text(token, 11, "H55.20-261118-0002")
	_, i = waitSent(t, tg, token, 11, i+1, "số điện thoại", 5*time.Second)
	tg.Text(token, 11, "0905000002")
	waitSent(t, tg, token, 11, i+1, "📄 Hồ sơ H55.20-261118-0002", 5*time.Second)
}
