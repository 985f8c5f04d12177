//go:build e2e

package e2e

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const wait = 5 * time.Second

// dossiersCSV is a one-door export as a commune's IT officer would get it:
// Vietnamese headers, semicolons, phones in several formats.
const dossiersCSV = "\ufeffMã hồ sơ;Tên thủ tục;Lĩnh vực;Người nộp;Số điện thoại;Số CCCD;Kênh tiếp nhận;Ngày tiếp nhận;Ngày hẹn trả;Trạng thái;Ngày có kết quả;Ghi chú\n" +
	"H55.20-261118-0003;Đăng ký khai sinh;Hộ tịch;Nguyễn Văn An;0905 123 456;;Trực tiếp;18/11/2026;27/11/2035;Đang xử lý;;\n" +
	"H55.20-261102-0001;Chứng thực bản sao từ bản chính;Chứng thực;Lê Thị Bình;+84 912 000 111;049123454821;Trực tuyến;02/11/2026;10/11/2035;5;;Bổ sung bản chính giấy khai sinh\n" +
	"H55.20-261110-0002;Cấp bản sao trích lục hộ tịch;Hộ tịch;Nguyễn Văn An;84-905-123-456;;1;10/11/2026;11/11/2026;Đã có kết quả;11/11/2026;\n"

// importDossiers runs `xabot import dossiers` on the bot's database, as an
// operator would while the bot serves.
func importDossiers(t *testing.T, b *Bot, csv string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "export.csv")
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(b.bin, "import", "dossiers", file)
	cmd.Env = append(os.Environ(), "XABOT_DB="+b.DBPath)
	out, err := cmd.CombinedOutput()
	// Exit status 1 is an import that refused some lines (the others are
	// in): the callers read the report; 2 is a file not read at all.
	if ee := (*exec.ExitError)(nil); err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("import: %v\n%s", err, out)
	}
	return string(out)
}

// agree plays /start and «Đồng ý», and checks the menu keyboard arrives.
func agree(t *testing.T, c *Citizen) {
	t.Helper()
	c.Command("/start")
	m := c.WaitFor(t, "Thông báo về dữ liệu cá nhân", wait)
	if !m.HasButton("Đồng ý") {
		t.Fatalf("the privacy notice has no «Đồng ý» button: %s", m)
	}
	c.PressButton(t, m, "Đồng ý")
	m = c.WaitFor(t, "Cảm ơn", wait)
	if !m.HasButton("Tra cứu hồ sơ") {
		t.Fatalf("no main menu keyboard after consent: %s", m)
	}
}

func TestCitizenLooksUpADossier(t *testing.T) {
	peer := startPeer(t)
	b := startBot(t, peer, nil)
	if out := importDossiers(t, b, dossiersCSV); !strings.Contains(out, "3 hồ sơ mới") {
		t.Fatalf("import said %q", out)
	}

	t.Run("nothing before consent", func(t *testing.T) {
		c := b.Citizen(t, 2001, "Hoa")
		c.Send("H55.20-261118-0003")
		m := c.WaitFor(t, "Thông báo về dữ liệu cá nhân", wait)
		if strings.Contains(m.Text, "số điện thoại đã khai") {
			t.Fatalf("asked for the phone before consent: %s", m)
		}
		c.PressButton(t, m, "Đồng ý")
		// The code typed before consent is looked up right after it.
		c.WaitFor(t, "số điện thoại đã khai khi nộp hồ sơ H55.20-261118-0003", wait)
	})

	t.Run("by command, phone in another format", func(t *testing.T) {
		c := b.Citizen(t, 2002, "An")
		agree(t, c)
		c.Command("/tracuu")
		c.WaitFor(t, "gõ mã hồ sơ", wait)
		c.Send("h55.20 - 261118 - 3")
		m := c.WaitFor(t, "số điện thoại đã khai", wait)
		if !m.HasButton("Chia sẻ số điện thoại") {
			t.Errorf("the phone step offers no contact key: %s", m)
		}
		c.Send("+84 905 123 456")
		m = c.WaitFor(t, "📄 Hồ sơ H55.20-261118-0003", wait)
		for _, want := range []string{"Đăng ký khai sinh", "Trạng thái: Đang xử lý", "Ngày tiếp nhận: 18/11/2026",
			"Ngày hẹn trả: 27/11/2035", "090****456", "N*** V*** A***", "👉"} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("card lacks %q:\n%s", want, m.Text)
			}
		}
		if strings.Contains(m.Text, "0905123456") || strings.Contains(m.Text, "Nguyễn Văn An") {
			t.Errorf("card shows unmasked personal data:\n%s", m.Text)
		}
	})

	t.Run("bare code and accent-free words, ID digits", func(t *testing.T) {
		c := b.Citizen(t, 2003, "Bình")
		agree(t, c)
		c.Send("tra cuu ho so")
		c.WaitFor(t, "gõ mã hồ sơ", wait)
		c.Send("1.000948.H38")
		c.WaitFor(t, "mã thủ tục hành chính", wait)
		c.Send("ma ho so la H55.20-261102-0001 nhe")
		c.WaitFor(t, "số điện thoại đã khai", wait)
		c.Send("4821")
		m := c.WaitFor(t, "Cần bổ sung giấy tờ", wait)
		if !strings.Contains(m.Text, "Bổ sung bản chính giấy khai sinh") {
			t.Errorf("the card does not say what to supplement:\n%s", m.Text)
		}
	})

	t.Run("wrong phones until lockout", func(t *testing.T) {
		c := b.Citizen(t, 2004, "Cường")
		agree(t, c)
		lockOut(t, c, "H55.20-261118-0003")
		c.Send("H55.20-261118-0003")
		c.WaitFor(t, "tạm khóa đến", wait)
		// Another citizen is not affected.
		d := b.Citizen(t, 2005, "Dũng")
		agree(t, d)
		d.Send("H55.20-261118-0003")
		d.WaitFor(t, "số điện thoại đã khai", wait)
		d.Send("0905123456")
		d.WaitFor(t, "📄 Hồ sơ", wait)
	})

	t.Run("contact sharing: own, someone else's, without user_id", func(t *testing.T) {
		c := b.Citizen(t, 2006, "Em")
		agree(t, c)
		c.Command("/hosocuatoi")
		m := c.WaitFor(t, "Chia sẻ số điện thoại", wait)
		if !m.HasButton("Chia sẻ số điện thoại") {
			t.Fatalf("no share-contact key: %s", m)
		}
		c.ShareContact("0905123456", 99999)
		c.WaitFor(t, "không nhận danh bạ của người khác", wait)
		c.ShareContact("0905123456", 0)
		c.WaitFor(t, "không nhận danh bạ của người khác", wait)
		c.ShareContact("+84905123456", c.ID)
		m = c.WaitFor(t, "Có 2 hồ sơ", wait)
		c.PressButton(t, m, "H55.20-261110-0002")
		c.WaitFor(t, "Đã có kết quả", wait)
		// Verified: a later lookup of one's own dossier needs no second factor.
		c.Send("H55.20-261118-0003")
		c.WaitFor(t, "📄 Hồ sơ H55.20-261118-0003", wait)
	})

	t.Run("cancel, unknown command, huge text, sticker, invalid input", func(t *testing.T) {
		c := b.Citizen(t, 2007, "Giang")
		agree(t, c)
		c.Command("/tracuu")
		c.WaitFor(t, "gõ mã hồ sơ", wait)
		c.Command("/huy")
		c.WaitFor(t, "Đã hủy", wait)
		c.Command("/khongcolenhnay")
		c.WaitFor(t, "Không có lệnh /khongcolenhnay", wait)
		c.Send(strings.Repeat("a", 10000))
		m := c.WaitFor(t, "chưa hiểu", wait)
		if len(m.Text) > 1000 {
			t.Errorf("a 10,000-character message was echoed back (%d bytes)", len(m.Text))
		}
		c.Sticker()
		c.WaitFor(t, "nhãn dán", wait)
		c.Command("/tracuu")
		c.WaitFor(t, "gõ mã hồ sơ", wait)
		c.Send(strings.Repeat("H55", 3000))
		c.WaitFor(t, "quá dài", wait)
		c.Command("/ngonngu")
		m = c.WaitFor(t, "Choose your language", wait)
		c.PressButton(t, m, "English")
		c.WaitFor(t, "Switched to English", wait)
		c.Send("xyz")
		c.WaitFor(t, "did not understand", wait)
	})

	b.WaitCallbacksAnswered(t, wait)
}

// An update that arrives while the bot is down is handled exactly once
// after it comes back: the offset is confirmed only after handling.
func TestRestartLosesNothingAndRepeatsNothing(t *testing.T) {
	peer := startPeer(t)
	b := startBot(t, peer, nil)
	c := b.Citizen(t, 3001, "Hải")
	c.Command("/trogiup")
	c.WaitFor(t, "Hướng dẫn sử dụng", wait)
	if err := b.Stop(t); err != nil {
		t.Fatal(err)
	}
	c.Command("/trogiup")
	c.Send("tra cuu")
	b.Restart(t)
	c.WaitFor(t, "Hướng dẫn sử dụng", wait)
	c.WaitFor(t, "Trước khi tra cứu", wait)
	c.ExpectNone(t, time.Second)
}
