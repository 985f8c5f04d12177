//go:build e2e

package e2e

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

const syncToken = "e2e-sync-token-0123456789"

// The morning of Wednesday 25 Nov 2026 in Hà Nội; due dates below count
// from it (Thu 26 and Fri 27 are working days; 24 Nov is a holiday).
const morning = "2026-11-25T07:30:00+07:00"

const staffCSV = "code,procedure_name,field,applicant_name,applicant_phone,channel,received_at,due_at,status,handler\n" +
	"H55.20-261120-0001,Đăng ký khai sinh,Hộ tịch,Nguyễn Văn An,0905111222,direct,2026-11-20,2026-11-27,4,Trần Thị Hoa\n" +
	"H55.20-261120-0002,Đăng ký kết hôn,Hộ tịch,Lê Thị Bình,0905333444,direct,2026-11-20,2026-11-26,4,Trần Thị Hoa\n" +
	"H55.20-261110-0003,Chứng thực bản sao,Chứng thực,Phạm Văn Cường,0905555666,online,2026-11-10,2026-11-18,4,\n" +
	"H55.20-261121-0004,Cấp bản sao trích lục,Hộ tịch,Võ Thị Dung,0905777888,direct,2026-11-21,2035-12-01,4,Trần Thị Hoa\n"

// xabot runs a command of the binary against the bot's database.
func xabot(t *testing.T, b *Bot, args ...string) string {
	t.Helper()
	cmd := exec.Command(b.bin, args...)
	cmd.Env = append(os.Environ(), "XABOT_DB="+b.DBPath)
	if b.RedisURL != "" {
		cmd.Env = append(cmd.Env, "XABOT_REDIS_URL="+b.RedisURL)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("xabot %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// xabotFails runs the binary and expects it to exit non-zero; it returns
// what it printed.
func xabotFails(t *testing.T, b *Bot, args ...string) string {
	t.Helper()
	cmd := exec.Command(b.bin, args...)
	cmd.Env = append(os.Environ(), "XABOT_DB="+b.DBPath)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("xabot %v succeeded; want a refusal\n%s", args, out)
	}
	return string(out)
}

var inviteCode = regexp.MustCompile(`[A-Z2-9]{4}-[A-Z2-9]{4}`)

// register invites an official with the CLI and binds c's chat with /dangky.
func register(t *testing.T, b *Bot, c *Citizen, args ...string) {
	t.Helper()
	out := xabot(t, b, append([]string{"officials", "invite"}, args...)...)
	code := inviteCode.FindString(out)
	if code == "" {
		t.Fatalf("no invite code in %q", out)
	}
	c.Command("/dangky " + code)
	c.WaitFor(t, "Đăng ký thành công", wait)
}

func postSync(t *testing.T, b *Bot, token, body string) int {
	t.Helper()
	status, _ := postSyncReply(t, b, token, body)
	return status
}

// postSyncReply posts to the sync API and returns the status and the body.
func postSyncReply(t *testing.T, b *Bot, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://"+b.HTTPAddr+"/api/v1/dossiers", bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(reply)
}

func TestOfficialsAlertsApologyAndPushes(t *testing.T) {
	peer := startPeer(t)
	b := startBot(t, peer, map[string]string{"XABOT_SYNC_TOKEN": syncToken})
	// Telegram's limits, answered with 429 when exceeded.
	b.Limits(t, 30, 1)
	importDossiers(t, b, staffCSV)

	hoa := b.Citizen(t, 7001, "Hoa")
	register(t, b, hoa, "--role", "official", "--name", "Trần Thị Hoa", "--field", "Hộ tịch")
	chair := b.Citizen(t, 7002, "Chủ tịch")
	register(t, b, chair, "--role", "chairman", "--name", "Nguyễn Chủ Tịch")
	head := b.Citizen(t, 7003, "Trưởng BPMC")
	register(t, b, head, "--role", "official", "--name", "Phó Chủ tịch Một cửa", "--head")

	// Citizens follow their dossiers by looking them up.
	binh := b.Citizen(t, 7101, "Bình")
	agree(t, binh)
	binh.Send("H55.20-261120-0002")
	binh.WaitFor(t, "số điện thoại đã khai", wait)
	binh.Send("0905 333 444")
	binh.WaitFor(t, "Tôi sẽ nhắn", wait)
	dung := b.Citizen(t, 7102, "Dung")
	agree(t, dung)
	dung.Send("H55.20-261121-0004")
	dung.WaitFor(t, "số điện thoại đã khai", wait)
	dung.Send("0905777888")
	dung.WaitFor(t, "Tôi sẽ nhắn", wait)

	t.Run("due-soon alerts once", func(t *testing.T) {
		xabot(t, b, "jobs", "run", "due-soon", "--at", morning)
		a := hoa.WaitFor(t, "H55.20-261120-000", 10*time.Second)
		bb := hoa.WaitFor(t, "H55.20-261120-000", 10*time.Second)
		if a.Text == bb.Text {
			t.Fatalf("the same alert twice: %s", a)
		}
		for _, m := range []Msg{a, bb} {
			if !strings.Contains(m.Text, "⏰") || strings.Contains(m.Text, "0905") {
				t.Errorf("alert %q: want ⏰ and no phone number", m.Text)
			}
		}
		// The minute ran: the CLI says so; run again on purpose, the job
		// itself sends nothing twice.
		if out := xabotFails(t, b, "jobs", "run", "due-soon", "--at", morning); !strings.Contains(out, "--again") {
			t.Errorf("a second run of the same minute: %s", out)
		}
		xabot(t, b, "jobs", "run", "due-soon", "--at", morning, "--again")
		hoa.ExpectNone(t, 2*time.Second)
	})

	t.Run("apology from the draft to the citizen; no second extension", func(t *testing.T) {
		xabot(t, b, "jobs", "run", "apology-duty", "--at", morning)
		draft := hoa.WaitFor(t, "Nghị định 118", 10*time.Second)
		if !strings.Contains(draft.Text, "H55.20-261120-0002") {
			t.Fatalf("draft for the wrong dossier: %s", draft)
		}
		hoa.PressButton(t, draft, "+5")
		hoa.WaitFor(t, "lý do", wait)
		hoa.Send("Chờ xác minh nơi cư trú tại xã khác")
		preview := hoa.WaitFor(t, "Kính gửi: Ông/Bà", wait)
		hoa.PressButton(t, preview, "Gửi thư")
		hoa.WaitFor(t, "Đã gia hạn hồ sơ H55.20-261120-0002 đến 03/12/2026", wait)
		letter := binh.WaitFor(t, "PHIẾU XIN LỖI", 10*time.Second)
		// Mẫu 04: numbered, «Kính gửi» the applicant by name.
		for _, want := range []string{"H55.20-261120-0002", "26/11/2026", "03/12/2026", "Chờ xác minh nơi cư trú",
			"/PXL", "Kính gửi: Ông/Bà Lê Thị Bình."} {
			if !strings.Contains(letter.Text, want) {
				t.Errorf("the citizen's letter lacks %q:\n%s", want, letter.Text)
			}
		}
		// The old draft's other button: the law allows one extension.
		hoa.PressButton(t, draft, "+3")
		hoa.WaitFor(t, "chỉ thực hiện không quá một lần", wait)
		binh.Send("H55.20-261120-0002")
		binh.WaitFor(t, "số điện thoại đã khai", wait)
		binh.Send("0905333444")
		binh.WaitFor(t, "hẹn trả mới 03/12/2026", wait)
	})

	t.Run("overdue list to the field, summary to the chairman", func(t *testing.T) {
		xabot(t, b, "jobs", "run", "overdue", "--at", morning)
		// Chứng thực has no official: its list goes to the head of the one-stop shop.
		m := head.WaitFor(t, "Chứng thực: 1 hồ sơ quá hạn", 10*time.Second)
		if !strings.Contains(m.Text, "H55.20-261110-0003") {
			t.Errorf("overdue list lacks the dossier: %s", m.Text)
		}
		chair.WaitFor(t, "1 hồ sơ quá hạn", 10*time.Second)
		head.Command("/quahan")
		head.WaitFor(t, "H55.20-261110-0003", wait)
	})

	t.Run("sync API status change reaches the subscriber", func(t *testing.T) {
		body := `[{"code":"H55.20-261121-0004","procedure_name":"Cấp bản sao trích lục","field":"Hộ tịch",` +
			`"applicant_phone":"0905777888","channel":"direct","received_at":"2026-11-21","due_at":"2035-12-01",` +
			`"status":9,"finished_at":"2026-11-25"}]`
		if code := postSync(t, b, "wrong-token-wrong-token", body); code != http.StatusUnauthorized {
			t.Fatalf("wrong token: %d, want 401", code)
		}
		dung.ExpectNone(t, time.Second)
		if code := postSync(t, b, syncToken, body); code != http.StatusOK {
			t.Fatalf("sync: %d", code)
		}
		m := dung.WaitFor(t, "vừa có thay đổi", 10*time.Second)
		if !strings.Contains(m.Text, "kết quả") || !m.HasButton("Ngừng nhận") {
			t.Errorf("push: %s", m)
		}
		// The result is there: the rating is offered; a low one alerts the head.
		offer := dung.WaitFor(t, "mức độ hài lòng", 10*time.Second)
		head.Drain()
		dung.PressButton(t, offer, "Rất không hài lòng")
		dung.WaitFor(t, "Cảm ơn Anh/Chị đã đánh giá", wait)
		alert := head.WaitFor(t, "đánh giá mức 1/5", 10*time.Second)
		if strings.Contains(alert.Text, "0905777888") || strings.Contains(alert.Text, "Dung") {
			t.Errorf("the low-rating alert names the rater: %s", alert.Text)
		}
		dung.PressButton(t, m, "Ngừng nhận")
		dung.WaitFor(t, "Đã ngừng gửi thông báo", wait)
	})

	t.Run("a citizen trying officials' commands is refused", func(t *testing.T) {
		c := b.Citizen(t, 7201, "Tò mò")
		agree(t, c)
		for _, cmd := range []string{"/canbo", "/moicanbo", "/thuhoi 1", "/quahan"} {
			c.Command(cmd)
			c.WaitFor(t, "chỉ dành cho cán bộ", wait)
		}
		c.Press(1, "apology/pick/H55.20-261120-0001:5")
		c.WaitFor(t, "chỉ dành cho cán bộ", wait)
	})

	t.Run("429s and a restart lose nothing and repeat nothing", func(t *testing.T) {
		hoa.Drain()
		head.Drain()
		b.Fail(t, Fail{Method: "sendMessage", Count: 3, Status: 429, RetryAfter: 1})
		next := "2026-11-26T07:30:00+07:00"
		xabot(t, b, "jobs", "run", "due-soon", "--at", next) // 0001, due 27/11, to Hoa
		xabot(t, b, "jobs", "run", "overdue", "--at", next)  // 0003 to the head, summary to the chairman
		b.Restart(t)
		for _, c := range []*Citizen{hoa, head} {
			got := map[string]int{}
			deadline := time.Now().Add(20 * time.Second)
			for len(got) == 0 && time.Now().Before(deadline) {
				for _, m := range c.Drain() {
					got[m.Text]++
				}
				time.Sleep(200 * time.Millisecond)
			}
			for _, m := range drainFor(c, 2*time.Second) {
				got[m.Text]++
			}
			if len(got) != 1 {
				t.Errorf("%s got %d distinct messages, want 1: %v", c.FirstName, len(got), got)
			}
			for text, n := range got {
				if n != 1 {
					t.Errorf("%s got a message %d times: %q", c.FirstName, n, text)
				}
			}
		}
	})

	b.WaitCallbacksAnswered(t, wait)
}

// drainFor collects what c receives during d.
func drainFor(c *Citizen, d time.Duration) []Msg {
	var out []Msg
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		out = append(out, c.Drain()...)
	}
	return out
}
