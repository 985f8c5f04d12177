//go:build e2e

package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// A 200 KB note through the sync API is refused by item, and nothing
// reaches the citizen; a notice at the field limits (a 2,000-character
// procedure name and note: two messages) reaches them once, ending with the
// pointer to the one-stop shop — even when Telegram fails the second
// message and the outbox sends again.
func TestHugeNoteIsPushedOnce(t *testing.T) {
	peer := startPeer(t)
	b := startBot(t, peer, map[string]string{"XABOT_SYNC_TOKEN": syncToken})
	importDossiers(t, b, staffCSV)
	const user = 7201
	an := b.Citizen(t, user, "An")
	agree(t, an)
	an.Send("H55.20-261120-0001")
	an.WaitFor(t, "số điện thoại đã khai", wait)
	an.Send("0905111222")
	an.WaitFor(t, "Tôi sẽ nhắn", wait)
	an.Drain()

	record := func(name, note string) string {
		body, err := json.Marshal([]map[string]any{{
			"code": "H55.20-261120-0001", "procedure_name": name, "field": "Hộ tịch",
			"applicant_name": "Nguyễn Văn An", "applicant_phone": "0905111222", "channel": "direct",
			"received_at": "2026-11-20", "due_at": "2026-11-27", "status": 5, "handler": "Trần Thị Hoa", "note": note,
		}})
		if err != nil {
			t.Fatal(err)
		}
		return string(body)
	}
	huge := strings.Repeat("Bổ sung bản sao giấy khai sinh có chứng thực. ", 4500) // 207,000 characters
	status, reply := postSyncReply(t, b, syncToken, record("Đăng ký khai sinh", huge))
	if status != 200 || !strings.Contains(reply, `"import.too_long"`) || !strings.Contains(reply, `"column":"note"`) {
		t.Fatalf("sync of a 207,000-character note: %d %.300s", status, reply)
	}
	an.ExpectNone(t, 3*time.Second)

	since := time.Now()
	// The next send to An goes through; the one after it fails once (a
	// 502: a 400 is the message's own fault, which no retry mends).
	b.Fail(t, Fail{Method: "sendMessage", ChatID: user, Skip: 1, Count: 1, Status: 502,
		Description: "Bad Gateway: e2e: the second message fails"})
	name := "Đăng ký khai sinh" + strings.Repeat(" kèm", 495)                    // 1,997 characters
	note := strings.Repeat("Bổ sung bản sao giấy khai sinh có chứng thực. ", 43) // 1,978 characters
	if got, reply := postSyncReply(t, b, syncToken, record(name, note)); got != 200 || !strings.Contains(reply, `"outcome":"updated"`) {
		t.Fatalf("sync: status %d %.300s", got, reply)
	}

	first := an.WaitFor(t, "H55.20-261120-0001", 20*time.Second)
	// The outbox retries the failed message after its backoff (5 s).
	last := an.WaitFor(t, "Thời hạn giải quyết được tính lại", 30*time.Second)
	an.ExpectNone(t, 8*time.Second)
	if !strings.Contains(first.Text, strings.TrimSpace(note)) || strings.Contains(first.Text, "Thời hạn giải quyết") {
		t.Errorf("first message does not carry the whole note: %.200s…", first.Text)
	}
	if strings.Contains(last.Text, "Bổ sung bản sao") || !last.HasButton("🔕 Ngừng nhận thông báo hồ sơ này") {
		t.Errorf("the second message is not the next step with its button:\n%s", last.Text)
	}
	var ok, failed int
	for _, c := range b.Calls(t).Method("sendMessage").Chat(user) {
		switch {
		case c.At().Before(since):
		case c.OK:
			ok++
		default:
			failed++
		}
	}
	if ok != 2 || failed != 1 {
		t.Errorf("sendMessage to An: %d delivered, %d failed; want 2 and the 1 forced failure", ok, failed)
	}
}

// The peer's skip: the first matching call goes through, the next fails.
func TestPeerFailSkip(t *testing.T) {
	p := startPeer(t)
	bot, token := newPeerBot(t, p)
	p.Fail(t, token, Fail{Method: "sendMessage", Skip: 1, Count: 1, Status: 400})
	for i, want := range []bool{true, false, true} {
		_, err := bot.Send(tgbotapi.NewMessage(55, "x"))
		if (err == nil) != want {
			t.Errorf("call %d: error %v, want success %v", i+1, err, want)
		}
	}
}
