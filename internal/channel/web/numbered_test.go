package web

import (
	"context"
	"strings"
	"testing"

	"xabot/internal/channel/textsplit"
	"xabot/internal/chat"
)

func TestNumberedPanelHasNoButtons(t *testing.T) {
	w, rec, srv := newTest(t, Config{})
	z := w.Channel(Numbered)
	if f := z.Features(); f.Buttons || f.Keyboard || f.ShareContact || f.MaxText != 2000 {
		t.Errorf("numbered features = %+v", f)
	}
	if f := w.Channel(chat.Web).Features(); !f.Buttons || !f.Keyboard || !f.ShareContact {
		t.Errorf("web features = %+v", f)
	}
	if w.Channel(chat.Telegram) != nil {
		t.Error("Channel(tg) is not nil")
	}
	// A notice from the outbox with buttons: they become numbered lines,
	// pressed by typing the number.
	err := z.Send(context.Background(), chat.Reply{ChatID: visitor, Text: "Hồ sơ đã có kết quả.",
		Buttons:  [][]chat.Button{{{Label: "⭐ Đánh giá", Data: "rate/x"}}, {{Label: "Ngừng nhận thông báo", Data: "unfollow/x"}}},
		Keyboard: &chat.Keyboard{Rows: [][]chat.Key{{{Label: "menu"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	e := stream(t, srv, "", "")(1)[0]
	if e.Panel != "zalo" || len(e.Buttons) != 0 || e.Keyboard != nil || !strings.HasSuffix(e.Text, "[1] ⭐ Đánh giá\n[2] Ngừng nhận thông báo") {
		t.Errorf("numbered message = %+v", e)
	}
	send(t, srv, `"panel":"zalo","kind":"text","text":"2"`)
	send(t, srv, `"panel":"zalo","kind":"text","text":"7"`)
	got := rec.updates()
	if got[0].Kind != chat.Callback || got[0].Data != "unfollow/x" || got[0].From.Channel != Numbered {
		t.Errorf("typing 2 = %+v, want the press of the second button", got[0])
	}
	if got[1].Kind != chat.Text || got[1].Text != "7" {
		t.Errorf("typing 7 = %+v, want text", got[1])
	}
	if code, out := send(t, srv, `"panel":"zalo","kind":"press","data":"rate/x"`); code != 400 || out["error"] != "no_buttons" {
		t.Errorf("press on the numbered panel = %d %v", code, out)
	}
	if code, out := send(t, srv, `"panel":"zalo","kind":"contact","phone":"0905123456"`); code != 400 || out["error"] != "no_contact" {
		t.Errorf("contact on the numbered panel = %d %v", code, out)
	}
	// A reply without buttons ends the numbered choices.
	if err := z.Send(context.Background(), chat.Reply{ChatID: visitor, Text: "1. Tra cứu"}); err != nil {
		t.Fatal(err)
	}
	send(t, srv, `"panel":"zalo","kind":"text","text":"1"`)
	if u := rec.updates()[2]; u.Kind != chat.Text || u.Text != "1" {
		t.Errorf("typing 1 after the router's own menu = %+v, want text for the dialog", u)
	}
}

func TestNumberedSplitsLongTexts(t *testing.T) {
	w, _, srv := newTest(t, Config{})
	para := strings.Repeat("ư", 1500)
	if err := w.Channel(Numbered).Send(context.Background(), chat.Reply{ChatID: visitor, Text: para + "\n" + para + "\n" + para}); err != nil {
		t.Fatal(err)
	}
	got := stream(t, srv, "", "")(3)
	for i, e := range got {
		if e.Text != para {
			t.Errorf("part %d has %d characters, want the %d of one paragraph", i, len([]rune(e.Text)), len([]rune(para)))
		}
	}
	if parts := textsplit.Split(strings.Repeat("a", 4500), 2000); len(parts) != 3 || len(parts[0]) != 2000 || len(parts[2]) != 500 {
		t.Errorf("split without line breaks = %d parts", len(parts))
	}
}
