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
