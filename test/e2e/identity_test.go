//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"
)

// Two communes' bots (two tokens, so two bot ids, each token's update ids
// starting at 1) on one Redis, each with its own database; one person —
// the same Telegram user id — talks to both. Every message is answered by
// the bot it was sent to, and a lookup half-way on A does not continue on B.
func TestTwoBotsOnOneRedis(t *testing.T) {
	peer := startPeer(t)
	// startBot empties the Redis database before each bot's first start:
	// both start before any traffic, so nothing of A's is lost.
	a := startBot(t, peer, nil)
	b := startBot(t, peer, map[string]string{"XABOT_REDIS_URL": a.RedisURL})
	if a.RedisURL == "" || a.RedisURL != b.RedisURL {
		t.Fatalf("the bots do not share a Redis: %q, %q", a.RedisURL, b.RedisURL)
	}
	for _, bot := range []*Bot{a, b} {
		importDossiers(t, bot, dossiersCSV)
	}
	const code, phone = "H55.20-261118-0003", "0905123456"
	onA, onB := a.Citizen(t, 8001, "An"), b.Citizen(t, 8001, "An")

	// Update ids 1, 2, … on both tokens: B must not take its own for A's.
	agree(t, onA)
	agree(t, onB)

	onA.Send(code)
	onA.WaitFor(t, "số điện thoại đã khai khi nộp hồ sơ "+code, wait)
	// The phone sent to B is not an answer to A's question.
	onB.Send(phone)
	m := onB.Next(t, wait)
	if strings.Contains(m.Text, code) || strings.Contains(m.Text, "Trạng thái") {
		t.Fatalf("B continued A's lookup: %s", m)
	}
	if !strings.Contains(m.Text, "chưa hiểu") {
		t.Errorf("B's answer to a bare phone number: %s, want the hint", m)
	}
	// A is still waiting for it.
	onA.Send(phone)
	card := onA.WaitFor(t, code, wait)
	if !strings.Contains(card.Text, "Đăng ký khai sinh") {
		t.Errorf("A's card: %s", card)
	}
	// And the other way round: half-way on B, nothing of it on A.
	onB.Send(code)
	onB.WaitFor(t, "số điện thoại đã khai khi nộp hồ sơ "+code, wait)
	onA.Command("/trogiup")
	onA.WaitFor(t, "Hướng dẫn", wait)
	onB.Send(phone)
	onB.WaitFor(t, "Đăng ký khai sinh", wait)
	onA.ExpectNone(t, time.Second)
	onB.ExpectNone(t, time.Second)
}

// A chairman opens /thongke; an admin revokes them — from the command
// line on the same database, or with /thuhoi from the admin's chat —; the
// chairman then presses the waiting period button: refused, and no
// figures. Typing the period afterwards shows none either.
func TestRevokedChairmanPressesWaitingPeriod(t *testing.T) {
	peer := startPeer(t)
	b := startBot(t, peer, nil)
	importDossiers(t, b, staffCSV)
	admin := b.Citizen(t, 8101, "Quản trị")
	register(t, b, admin, "--role", "admin", "--name", "Nguyễn Quản Trị") // #1

	tests := []struct {
		name   string
		user   int64
		id     string // the official's number: invited in this order
		revoke func(t *testing.T, id string)
	}{
		{"command line, button", 8102, "2", func(t *testing.T, id string) {
			if out := xabot(t, b, "officials", "revoke", id); !strings.Contains(out, "#"+id) {
				t.Fatalf("officials revoke said %q", out)
			}
		}},
		{"thuhoi in the chat", 8103, "3", func(t *testing.T, id string) {
			admin.Command("/thuhoi " + id)
			confirm := admin.WaitFor(t, "Thu hồi quyền của #"+id, wait)
			admin.PressButton(t, confirm, "Thu hồi")
			admin.WaitFor(t, "Đã thu hồi quyền của #"+id, wait)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			chair := b.Citizen(t, tc.user, "Chủ tịch")
			register(t, b, chair, "--role", "chairman", "--name", "Chủ tịch "+tc.id)
			chair.Command("/thongke")
			ask := chair.WaitFor(t, "Thống kê kỳ nào", wait)
			if !ask.HasButton("Tháng này") {
				t.Fatalf("no period buttons: %s", ask)
			}
			tc.revoke(t, tc.id)
			chair.PressButton(t, ask, "Tháng này")
			got := drainFor(chair, 2*time.Second)
			if len(got) != 1 || !strings.Contains(got[0].Text, "chỉ dành cho cán bộ") {
				t.Fatalf("after the revocation the chairman's press got %v, want only the refusal", got)
			}
			chair.Send("3") // the third period, «Tháng này»
			got = append(got, chair.WaitFor(t, "chưa hiểu", wait))
			for _, m := range got {
				if strings.Contains(m.Text, "Tiếp nhận") {
					t.Errorf("figures shown to a revoked chairman: %s", m)
				}
			}
		})
	}
	b.WaitCallbacksAnswered(t, wait)
}
