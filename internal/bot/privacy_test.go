package bot

import (
	"fmt"
	"strings"
	"testing"
)

// lastText is the text of the last reply, "" if none.
func (f *fixture) lastText() string {
	got := f.rec.take()
	if len(got) == 0 {
		return ""
	}
	return got[len(got)-1].Text
}

// Ten wrong factors on one code from ten chats: a new chat is told at the
// code step that the dossier's verification is paused (not asked for a
// factor it would refuse), while its owner, whose shared contact proved
// the phone, still sees the card.
func TestCodeUnderAttack(t *testing.T) {
	f := newFixture(t, telegramFeatures)
	const code = "H55.20-261118-0003"
	for i := range 10 {
		user := fmt.Sprint(400 + i)
		f.agree(user)
		f.send(user, code)
		f.rec.take()
		f.send(user, fmt.Sprintf("09000000%02d", i))
		got := f.lastText()
		if i < 9 && !strings.Contains(got, "không khớp") {
			t.Fatalf("wrong factor #%d answered %q", i+1, got)
		}
		if i == 9 && !strings.Contains(got, "Hồ sơ "+code+" đang tạm ngừng xác minh") {
			t.Fatalf("the tenth wrong factor answered %q, want the code's pause", got)
		}
	}
	f.agree("500")
	f.send("500", code)
	got := f.lastText()
	if !strings.Contains(got, "đang tạm ngừng xác minh") || !strings.Contains(got, "Hồ sơ của tôi") {
		t.Errorf("a lookup of the attacked code answered %q, want the pause and the way through «Hồ sơ của tôi»", got)
	}
	f.send("500", "0905123456")
	if got := f.lastText(); strings.Contains(got, "📄 Hồ sơ") {
		t.Errorf("a phone typed after the pause was checked: %q", got)
	}

	f.agree("600")
	f.send("600", "📱 0905123456")
	f.rec.take()
	f.send("600", code)
	if got := f.lastText(); !strings.Contains(got, "📄 Hồ sơ "+code) {
		t.Errorf("the owner (shared contact) looking up the attacked code got %q, want the card", got)
	}
}
