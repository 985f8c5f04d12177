package bot

import (
	"slices"
	"strings"
	"testing"
	"time"

	"xabot/internal/chat"
	"xabot/internal/domain"
	"xabot/internal/service/slip"
)

// withSlips gives the fixture's router the receipt slip's links and
// returns the token of code.
func withSlips(t *testing.T, f *fixture, code string) string {
	t.Helper()
	signer, err := slip.NewSigner("bot-test-link-key-0123456789abcdefgh")
	if err != nil {
		t.Fatal(err)
	}
	links := slip.New(signer, f.db, func() time.Time { return f.now }, slip.Config{})
	f.router.cfg.Slips = links
	l, err := links.Links(code)
	if err != nil {
		t.Fatal(err)
	}
	return l.Token
}

func replyTexts(rs []chat.Reply) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Text + "\n")
	}
	return b.String()
}

// /start TOKEN from someone new: the greeting and the consent notice,
// then on «Đồng ý» the card at once, without the phone, and the chat
// follows the dossier.
func TestSlipLinkShowsCardAfterConsent(t *testing.T) {
	f := newFixture(t, telegramFeatures)
	tok := withSlips(t, f, "H55.20-261118-0003")
	f.send("31", "/start "+tok)
	first := replyTexts(f.rec.take())
	if !strings.Contains(first, "Xin chào") || !strings.Contains(first, "đồng ý không") || strings.Contains(first, "H55.20-261118-0003") {
		t.Fatalf("before consent:\n%s", first)
	}
	f.send("31", "[consent/ask/yes]")
	card := replyTexts(f.rec.take())
	for _, want := range []string{"Hồ sơ H55.20-261118-0003", "Đăng ký khai sinh", "N*** V*** A*** · 090****456", "Đang xử lý", "Tôi sẽ nhắn"} {
		if !strings.Contains(card, want) {
			t.Errorf("card lacks %q:\n%s", want, card)
		}
	}
	if strings.Contains(card, "số điện thoại") || strings.Contains(card, "0905123456") {
		t.Errorf("the card asked for, or showed, the phone:\n%s", card)
	}
	d, _ := f.db.DossierByCode(t.Context(), "H55.20-261118-0003")
	if subs, _ := f.db.Subscribers(t.Context(), d); !slices.Contains(subs, "tg:31") {
		t.Errorf("subscribers = %v, want tg:31", subs)
	}
	// Consented already: the card comes at once.
	f.send("31", "/start "+tok)
	if again := replyTexts(f.rec.take()); !strings.Contains(again, "Hồ sơ H55.20-261118-0003") || strings.Contains(again, "đồng ý không") {
		t.Errorf("second opening:\n%s", again)
	}
}

// A forged or altered link is refused plainly and counts as a failed
// lookup: the tenth locks the chat's lookups, links and codes alike.
func TestSlipLinkForgedCountsTowardLimit(t *testing.T) {
	f := newFixture(t, telegramFeatures)
	tok := withSlips(t, f, "H55.20-261118-0003")
	f.agree("32")
	altered := tok[:5] + string(rune(tok[5]^1)) + tok[6:]
	for i := range dossierProbes {
		f.send("32", "/start "+altered)
		got := replyTexts(f.rec.take())
		if !strings.Contains(got, "không hợp lệ") || strings.Contains(got, "H55.20-261118-0003\n") {
			t.Fatalf("forged link %d:\n%s", i+1, got)
		}
		if i == dossierProbes-1 && !strings.Contains(got, "tạm khóa") {
			t.Errorf("the %dth refusal does not say the lookups are locked:\n%s", dossierProbes, got)
		}
	}
	// Locked: even the good link waits, and a code typed too.
	f.send("32", "/start "+tok)
	if got := replyTexts(f.rec.take()); !strings.Contains(got, "tạm khóa") || strings.Contains(got, "Đang xử lý") {
		t.Errorf("good link from a locked chat:\n%s", got)
	}
	f.send("32", "H55.20-261118-0003")
	if got := replyTexts(f.rec.take()); !strings.Contains(got, "tạm khóa") {
		t.Errorf("a code from a locked chat:\n%s", got)
	}
}

const dossierProbes = 10 // dossier.DefaultPolicy.MaxProbes

// A dossier whose result was returned over 30 days ago: its link is
// expired, said so, and counted.
func TestSlipLinkExpired(t *testing.T) {
	f := newFixture(t, telegramFeatures)
	d, _ := f.db.DossierByCode(t.Context(), "H55.20-261110-0002")
	d.Status, d.ReturnedAt = domain.StatusReturned, f.now.Add(-slip.Keep-time.Hour)
	if _, err := f.db.UpsertDossier(t.Context(), d, "test"); err != nil {
		t.Fatal(err)
	}
	tok := withSlips(t, f, d.Code)
	f.agree("33")
	f.send("33", "/start "+tok)
	if got := replyTexts(f.rec.take()); !strings.Contains(got, "hết hạn") || strings.Contains(got, "Võ") {
		t.Errorf("expired link:\n%s", got)
	}
	fails, _ := f.db.FailedLookups(t.Context(), "tg:33", f.now.Add(-time.Hour))
	if len(fails) != 1 {
		t.Errorf("%d failed lookups recorded, want 1", len(fails))
	}
}
