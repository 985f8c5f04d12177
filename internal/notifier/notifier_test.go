package notifier

import (
	"context"
	"strings"
	"testing"

	"xabot/internal/chat"
	"xabot/internal/domain"
	"xabot/internal/i18n"
	"xabot/locales"
)

type citizens struct{}

func (citizens) Get(_ context.Context, key string) (domain.Citizen, error) {
	return domain.Citizen{Key: key, Role: domain.RoleCitizen}, nil
}

type queue struct{ put map[string]chat.Reply }

func (q *queue) Put(_ context.Context, key, to string, _ int, r chat.Reply) (bool, error) {
	q.put[to] = r
	return true, nil
}

// A notice says, on each channel, the text written for what its app lacks:
// on Zalo (no buttons) the announcement's footer does not ask to tap a
// button; on Telegram it does; on a channel not in the table, the base.
func TestNoticeSaysTheChannelsVariant(t *testing.T) {
	texts, err := i18n.Load(locales.FS, "vi")
	if err != nil {
		t.Fatal(err)
	}
	q := &queue{put: map[string]chat.Reply{}}
	n := New(Config{Texts: texts, Citizens: citizens{}, Queue: q, Commune: "Xã Demo",
		Features: map[chat.Channel]chat.Features{
			chat.Telegram: {Buttons: true, Keyboard: true, ShareContact: true, Location: true, MaxText: 4096},
			chat.Zalo:     {MaxText: 2000},
		}})
	lines := []domain.Line{domain.L("announce.msg.text", "text", "Họp thôn lúc 19:00."), domain.L("announce.msg.footer")}
	for _, to := range []string{"tg:1", "zalo:2", "web:3"} {
		if _, err := n.Notify(t.Context(), domain.Notice{Key: "k|" + to, To: to, Lines: lines}); err != nil {
			t.Fatal(err)
		}
	}
	base, typed := texts.T("vi", "announce.msg.footer", nil), texts.T("vi", "announce.msg.footer.typed", nil)
	if base == typed || strings.Contains(typed, "bấm") {
		t.Fatalf("the typed footer %q should differ from %q and not ask to tap", typed, base)
	}
	for to, want := range map[string]string{"tg:1": base, "zalo:2": typed, "web:3": base} {
		if got := q.put[to].Text; !strings.HasSuffix(got, want) {
			t.Errorf("%s: %q, want it to end with %q", to, got, want)
		}
	}
}
