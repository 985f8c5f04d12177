//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// lockOut looks code up and gives five wrong phones: the last is answered
// with the lockout.
func lockOut(t *testing.T, c *Citizen, code string) {
	t.Helper()
	c.Send(code)
	c.WaitFor(t, "số điện thoại đã khai", wait)
	for i, left := range []string{"4", "3", "2", "1"} {
		c.Send("09000000" + string(rune('1'+i)) + "0")
		c.WaitFor(t, "còn "+left+" lần thử", wait)
	}
	c.Send("0900000050")
	c.WaitFor(t, "tạm khóa đến", wait)
}

// Five wrong phones, /xoadulieu, consent again, the right phone: the
// lockout is still there (the attempts are kept under a keyed hash of the
// chat, which withdrawing consent does not touch), and no card is shown.
func TestForgetDoesNotLiftTheLockout(t *testing.T) {
	peer := startPeer(t)
	b := startBot(t, peer, nil)
	importDossiers(t, b, dossiersCSV)
	c := b.Citizen(t, 2101, "Khánh")
	agree(t, c)
	lockOut(t, c, "H55.20-261118-0003")

	c.Command("/xoadulieu")
	m := c.WaitFor(t, "rút lại sự đồng ý", wait)
	c.PressButton(t, m, "Xóa dữ liệu của tôi")
	c.WaitFor(t, "Đã xóa liên kết", wait)

	agree(t, c)
	c.Send("H55.20-261118-0003")
	c.WaitFor(t, "tạm khóa đến", wait)
	c.Send("0905123456")
	if m := c.Next(t, wait); strings.Contains(m.Text, "📄 Hồ sơ") || strings.Contains(m.Text, "Đăng ký khai sinh") {
		t.Fatalf("the right phone after /xoadulieu showed the card: %s", m)
	}
	c.Send("H55.20-261118-0003")
	c.WaitFor(t, "tạm khóa đến", wait)
	b.WaitCallbacksAnswered(t, wait)
}
