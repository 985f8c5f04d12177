package zalo

import (
	"testing"

	"xabot/internal/chat"
)

// A notice's buttons are pressed by typing their number, once; a later
// message without buttons, another chat, or a number out of range leave
// the text as text.
func TestPressByNumber(t *testing.T) {
	var p presses
	text := func(chatID, s string) chat.Update {
		return chat.Update{Kind: chat.Text, ChatID: chatID, Text: s}
	}
	p.remember("c1", [][]chat.Button{{{Label: "Ngừng nhận thông báo", Data: "unsub/confirm/H55"}}, {{Label: "Đánh giá", Data: "rate/ask/H55"}}})
	if u := p.press(text("c2", "1")); u.Kind != chat.Text {
		t.Errorf("another chat's 1 pressed a button: %+v", u)
	}
	if u := p.press(text("c1", "3")); u.Kind != chat.Text || u.Text != "3" {
		t.Errorf("3 of 2 buttons = %+v", u)
	}
	if u := p.press(text("c1", " 2 ")); u.Kind != chat.Callback || u.Data != "rate/ask/H55" || u.Text != "" {
		t.Errorf("2 = %+v, want the second button", u)
	}
	if u := p.press(text("c1", "1")); u.Kind != chat.Text {
		t.Errorf("a button pressed twice: %+v", u)
	}
	p.remember("c1", [][]chat.Button{{{Label: "A", Data: "a"}}})
	p.remember("c1", nil)
	if u := p.press(text("c1", "1")); u.Kind != chat.Text {
		t.Errorf("1 after a message without buttons pressed an old one: %+v", u)
	}
}
