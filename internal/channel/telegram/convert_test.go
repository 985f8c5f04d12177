package telegram

import (
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"xabot/internal/chat"
)

func TestToUpdate(t *testing.T) {
	raw, err := os.ReadFile("testdata/getUpdates.json")
	if err != nil {
		t.Fatal(err)
	}
	var resp tgbotapi.APIResponse
	if err := json.Unmarshal(raw, &resp); err != nil {
		t.Fatal(err)
	}
	var ups []tgbotapi.Update
	if err := json.Unmarshal(resp.Result, &ups); err != nil {
		t.Fatal(err)
	}
	byID := make(map[int]tgbotapi.Update)
	for _, u := range ups {
		byID[u.UpdateID] = u
	}

	now := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	an := chat.UserKey{Channel: chat.Telegram, ID: "111"}
	at := func(msgID int) time.Time { return time.Unix(int64(1700000000+msgID), 0) }
	msg := func(msgID int, k chat.Kind) chat.Update {
		return chat.Update{From: an, ChatID: "111", Kind: k, Lang: "vi", At: at(msgID)}
	}
	with := func(u chat.Update, edit func(*chat.Update)) chat.Update { edit(&u); return u }

	tests := []struct {
		id   int
		name string
		want chat.Update
		ok   bool
	}{
		{100, "text", with(msg(1, chat.Text), func(u *chat.Update) { u.Text = "Xin chào <b>&</b>" }), true},
		{101, "command to us, mixed case, padded args", with(msg(2, chat.Command), func(u *chat.Update) {
			u.Command, u.Args = "tracuu", "HS-2024-001"
		}), true},
		{102, "bare command", with(msg(3, chat.Command), func(u *chat.Update) { u.Command = "start" }), true},
		{103, "command to another bot", chat.Update{}, false},
		{104, "own contact", with(msg(5, chat.Contact), func(u *chat.Update) {
			u.Contact = &chat.SharedContact{Phone: "+84912345678", UserID: "111"}
		}), true},
		{105, "contact without user id", with(msg(6, chat.Contact), func(u *chat.Update) {
			u.Contact = &chat.SharedContact{Phone: "0987654321"}
		}), true},
		{106, "callback on a message", chat.Update{From: an, ChatID: "111", Kind: chat.Callback, Data: "menu:lookup", Lang: "vi", At: now}, true},
		{107, "callback without message", chat.Update{
			From: chat.UserKey{Channel: chat.Telegram, ID: "222"}, ChatID: "222", Kind: chat.Callback, Data: "x", Lang: "en", At: now,
		}, true},
		{108, "sticker", msg(8, chat.Sticker), true},
		{109, "photo with caption", with(msg(9, chat.Photo), func(u *chat.Update) {
			u.Text = "giấy tờ nhà đất"
			u.Photo = &chat.Media{FileID: "AgACAgIAAxk2", Size: 45678, MIME: "image/jpeg"} // the largest size
		}), true},
		{110, "location", with(msg(10, chat.Location), func(u *chat.Update) { u.Place = &chat.Point{Lat: 21.028511, Lon: 105.804817} }), true},
		{111, "document", with(msg(11, chat.Other), func(u *chat.Update) {
			u.File = &chat.Media{FileID: "BQACAgIAAxk", Size: 20480, MIME: "application/pdf"}
		}), true},
		{112, "voice", msg(12, chat.Other), true},
		{113, "edited message", chat.Update{}, false},
		{114, "group message", chat.Update{}, false},
		{115, "supergroup command to us", chat.Update{}, false},
		{116, "callback under a group message", chat.Update{}, false},
		{117, "command with Vietnamese and emoji args", with(msg(16, chat.Command), func(u *chat.Update) {
			u.Command, u.Args = "gopy", "Đường hỏng 😀"
		}), true},
		{118, "channel post", chat.Update{}, false},
		{119, "empty message", msg(18, chat.Other), true},
		{120, "slash text without entity", with(msg(19, chat.Text), func(u *chat.Update) { u.Text = "/khong-phai-lenh" }), true},
		{121, "entity longer than text", with(msg(20, chat.Text), func(u *chat.Update) { u.Text = "/x" }), true},
		{122, "video", msg(21, chat.Other), true},
		{123, "audio", msg(22, chat.Other), true},
		{124, "bot name compared without case", with(msg(23, chat.Command), func(u *chat.Update) {
			u.Command, u.Args = "start", "ref_42"
		}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, found := byID[tt.id]
			if !found {
				t.Fatalf("update %d not in testdata", tt.id)
			}
			got, ok := toUpdate(u, "xabot_bot", now)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			tt.want.ID = strconv.Itoa(tt.id)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
	if len(tests) != len(ups) {
		t.Errorf("%d updates in testdata, %d cases", len(ups), len(tests))
	}
}

func TestMessageTime(t *testing.T) {
	now := time.Unix(5, 0)
	tests := []struct {
		date int
		want time.Time
	}{
		{1700000000, time.Unix(1700000000, 0)},
		{1700000000123, time.UnixMilli(1700000000123)}, // the e2e emulator
		{0, now},
	}
	for _, tt := range tests {
		if got := messageTime(tt.date, now); !got.Equal(tt.want) {
			t.Errorf("messageTime(%d) = %v, want %v", tt.date, got, tt.want)
		}
	}
}

func TestUTF16Index(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want int
	}{
		{"/start x", 6, 6},
		{"/start", 6, 6},
		{"/start", 7, -1},
		{"😀/x", 2, 4},
		{"😀/x", 1, -1}, // inside the surrogate pair
		{"ệa", 1, 3},
	}
	for _, tt := range tests {
		if got := utf16Index(tt.s, tt.n); got != tt.want {
			t.Errorf("utf16Index(%q, %d) = %d, want %d", tt.s, tt.n, got, tt.want)
		}
	}
}
