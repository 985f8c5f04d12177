//go:build e2e

package e2e

// Tests of the peer itself (launcher.js + telegram-test-api), driven with
// go-telegram-bot-api as the bot: they need node_modules but no xabot.

import (
	"errors"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func newPeerBot(t *testing.T, p *Peer) (*tgbotapi.BotAPI, string) {
	t.Helper()
	token := newToken()
	bot, err := tgbotapi.NewBotAPIWithAPIEndpoint(token, p.APIEndpoint())
	if err != nil {
		t.Fatalf("NewBotAPIWithAPIEndpoint: %v", err)
	}
	if !bot.Self.IsBot || bot.Self.ID < 7000000000 {
		t.Fatalf("getMe = %+v, want a bot whose id is the token's digits", bot.Self)
	}
	return bot, token
}

func getUpdates(t *testing.T, bot *tgbotapi.BotAPI, offset, limit, timeout int) []tgbotapi.Update {
	t.Helper()
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Limit: limit, Timeout: timeout})
	if err != nil {
		t.Fatalf("getUpdates(offset=%d, limit=%d, timeout=%d): %v", offset, limit, timeout, err)
	}
	return ups
}

func texts(ups []tgbotapi.Update) []string {
	var out []string
	for _, u := range ups {
		if u.Message != nil {
			out = append(out, u.Message.Text)
		}
	}
	return out
}

func TestPeerLongPollAndOffset(t *testing.T) {
	p := startPeer(t)
	bot, token := newPeerBot(t, p)
	an := p.Citizen(t, token, 1001, "An")

	an.Command("/start ABC")
	an.Send("một")
	an.Send("hai")

	ups := getUpdates(t, bot, 0, 0, 5)
	if got := strings.Join(texts(ups), "|"); got != "/start ABC|một|hai" {
		t.Fatalf("first getUpdates = %q", got)
	}
	for i, u := range ups {
		m := u.Message
		if i > 0 && u.UpdateID <= ups[i-1].UpdateID {
			t.Errorf("update_id not increasing: %d after %d", u.UpdateID, ups[i-1].UpdateID)
		}
		if m.From == nil || m.From.ID != 1001 || m.From.IsBot || m.Chat == nil || m.Chat.ID != 1001 || m.Chat.Type != "private" {
			t.Errorf("update %d: from=%+v chat=%+v", u.UpdateID, m.From, m.Chat)
		}
		if d := time.Since(m.Time()); d < -time.Minute || d > time.Minute {
			t.Errorf("update %d: date %d is not Unix seconds of now", u.UpdateID, m.Date)
		}
		if m.MessageID == 0 {
			t.Errorf("update %d: no message_id", u.UpdateID)
		}
	}
	if m := ups[0].Message; !m.IsCommand() || m.Command() != "start" || m.CommandArguments() != "ABC" {
		t.Errorf("/start ABC: IsCommand=%v Command=%q args=%q", m.IsCommand(), m.Command(), m.CommandArguments())
	}

	// Not confirmed: delivered again, with the same ids.
	again := getUpdates(t, bot, ups[0].UpdateID, 0, 0)
	if len(again) != 3 || again[0].UpdateID != ups[0].UpdateID || again[2].UpdateID != ups[2].UpdateID {
		t.Fatalf("unconfirmed updates not re-delivered: %v", texts(again))
	}
	// limit.
	if got := getUpdates(t, bot, 0, 2, 0); len(got) != 2 {
		t.Fatalf("limit=2 gave %d updates", len(got))
	}
	// Confirming the first leaves two.
	if got := texts(getUpdates(t, bot, ups[0].UpdateID+1, 0, 0)); strings.Join(got, "|") != "một|hai" {
		t.Fatalf("after confirming the first: %q", got)
	}
	if n := p.Pending(t, token); n != 2 {
		t.Fatalf("pending = %d, want 2", n)
	}

	// Confirming all: gone; a long poll waits its timeout out and answers [].
	next := ups[2].UpdateID + 1
	start := time.Now()
	if got := getUpdates(t, bot, next, 0, 2); len(got) != 0 {
		t.Fatalf("after confirming all: %v", texts(got))
	}
	if d := time.Since(start); d < 1900*time.Millisecond || d > 3500*time.Millisecond {
		t.Fatalf("long poll with timeout 2 took %v", d)
	}

	// A long poll returns as soon as an update arrives.
	go func() {
		time.Sleep(300 * time.Millisecond)
		an.Send("ba")
	}()
	start = time.Now()
	got := getUpdates(t, bot, next, 0, 10)
	if d := time.Since(start); len(got) != 1 || got[0].Message.Text != "ba" || got[0].UpdateID != next || d > 1500*time.Millisecond {
		t.Fatalf("long poll woke with %q (first id %v, want %d) after %v", texts(got), got, next, time.Since(start))
	}
	if n := p.Pending(t, token); n != 1 {
		t.Fatalf("pending = %d, want 1", n)
	}
	getUpdates(t, bot, next+1, 0, 0)
	if n := p.Pending(t, token); n != 0 {
		t.Fatalf("pending = %d, want 0", n)
	}

	// The call log saw every getUpdates.
	if n := len(p.Calls(t, token).Method("getUpdates")); n != 7 {
		t.Errorf("call log has %d getUpdates, want 7", n)
	}
}

func TestPeer429(t *testing.T) {
	p := startPeer(t)
	bot, token := newPeerBot(t, p)
	const chat = 2002

	p.Fail(t, token, Fail{Count: 1, Status: 429, RetryAfter: 3})
	_, err := bot.Send(tgbotapi.NewMessage(chat, "xin chào"))
	var te *tgbotapi.Error
	if !errors.As(err, &te) || te.Code != 429 || te.RetryAfter != 3 || te.Message != "Too Many Requests: retry after 3" {
		t.Fatalf("forced 429: err = %#v", err)
	}
	if _, err := bot.Send(tgbotapi.NewMessage(chat, "xin chào")); err != nil {
		t.Fatalf("after the forced 429: %v", err)
	}

	// Per-chat token bucket: 1 message/s.
	p.Limits(t, token, 0, 1)
	if _, err := bot.Send(tgbotapi.NewMessage(chat, "1")); err != nil {
		t.Fatalf("first message under the limit: %v", err)
	}
	_, err = bot.Send(tgbotapi.NewMessage(chat, "2"))
	if !errors.As(err, &te) || te.Code != 429 || te.RetryAfter != 1 {
		t.Fatalf("second message within 1s: err = %#v", err)
	}
	if _, err := bot.Send(tgbotapi.NewMessage(chat+1, "other chat")); err != nil {
		t.Fatalf("another chat is not limited: %v", err)
	}
	if _, err := bot.Request(tgbotapi.NewChatAction(chat, tgbotapi.ChatTyping)); err != nil {
		t.Fatalf("sendChatAction is not limited: %v", err)
	}
	time.Sleep(1100 * time.Millisecond)
	if _, err := bot.Send(tgbotapi.NewMessage(chat, "3")); err != nil {
		t.Fatalf("after waiting retry_after: %v", err)
	}
	p.Limits(t, token, 0, 0)

	// 403 for one chat until reset; 500 for one method.
	p.Fail(t, token, Fail{ChatID: chat, Count: -1, Status: 403})
	p.Fail(t, token, Fail{Method: "sendPhoto", Status: 500})
	for i := 0; i < 2; i++ {
		_, err = bot.Send(tgbotapi.NewMessage(chat, "blocked"))
		if !errors.As(err, &te) || te.Code != 403 || te.Message != "Forbidden: bot was blocked by the user" {
			t.Fatalf("blocked chat: err = %#v", err)
		}
	}
	_, err = bot.Send(tgbotapi.NewPhoto(chat+1, tgbotapi.FileBytes{Name: "c.png", Bytes: []byte("png")}))
	// tgbotapi v5.5.1 quirk: errors of multipart uploads (UploadFiles) carry no
	// Code, only Message and ResponseParameters.
	if !errors.As(err, &te) || te.Message != "Internal Server Error" {
		t.Fatalf("forced 500: err = %#v", err)
	}

	calls := p.Calls(t, token).Method("sendMessage").Chat(chat)
	var statuses []int
	for _, c := range calls {
		statuses = append(statuses, c.Status)
	}
	want := []int{429, 200, 200, 429, 200, 403, 403}
	if len(statuses) != len(want) {
		t.Fatalf("sendMessage statuses for chat %d = %v, want %v", chat, statuses, want)
	}
	for i := range want {
		if statuses[i] != want[i] {
			t.Fatalf("sendMessage statuses for chat %d = %v, want %v", chat, statuses, want)
		}
	}
	if calls[0].RetryAfter != 3 || calls[0].Time == 0 {
		t.Errorf("logged 429 = %+v", calls[0])
	}

	p.Reset(t, token)
	if _, err := bot.Send(tgbotapi.NewMessage(chat, "unblocked")); err != nil {
		t.Fatalf("after reset: %v", err)
	}
	if n := len(p.Calls(t, token)); n != 1 {
		t.Fatalf("call log after reset has %d calls, want 1", n)
	}
}

// TestPeerCitizenRoundTrip checks the Citizen helpers and the Telegram shapes of
// keyboards, callbacks, edits, photos, contacts and stickers.
func TestPeerCitizenRoundTrip(t *testing.T) {
	p := startPeer(t)
	bot, token := newPeerBot(t, p)
	an := p.Citizen(t, token, 3003, "An")

	// Inline keyboard out, press in, answer, edit.
	menu := tgbotapi.NewMessage(an.ID, "Chọn dịch vụ:")
	menu.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("Tra cứu hồ sơ", "menu:lookup"),
		tgbotapi.NewInlineKeyboardButtonData("Nộp hồ sơ", "menu:intake"),
	))
	sent, err := bot.Send(menu)
	if err != nil {
		t.Fatal(err)
	}
	if sent.ReplyMarkup == nil || sent.From == nil || !sent.From.IsBot || sent.Chat.ID != an.ID || time.Since(sent.Time()) > time.Minute {
		t.Fatalf("sendMessage result = %+v", sent)
	}
	m := an.Next(t, 2*time.Second)
	if m.ID != sent.MessageID || m.Text != "Chọn dịch vụ:" || len(m.InlineButtons) != 1 || m.InlineButtons[0][1] != (Button{Text: "Nộp hồ sơ", Data: "menu:intake"}) {
		t.Fatalf("citizen got %s", m)
	}
	cqID := an.PressButton(t, m, "Tra cứu")
	if cqID == "" {
		t.Fatal("Press returned no callback query id")
	}
	ups := getUpdates(t, bot, 0, 0, 5)
	if len(ups) != 1 || ups[0].CallbackQuery == nil {
		t.Fatalf("want one callback query, got %+v", ups)
	}
	cq := ups[0].CallbackQuery
	if cq.ID != cqID || cq.Data != "menu:lookup" || cq.From.ID != an.ID || cq.Message == nil ||
		cq.Message.MessageID != sent.MessageID || cq.Message.Chat.ID != an.ID || cq.Message.Text != "Chọn dịch vụ:" || cq.ChatInstance == "" {
		t.Fatalf("callback query = %+v (message %+v)", cq, cq.Message)
	}
	if p.Calls(t, token).Answered(cqID) {
		t.Fatal("answered before answerCallbackQuery")
	}
	if _, err := bot.Request(tgbotapi.NewCallback(cq.ID, "")); err != nil {
		t.Fatalf("answerCallbackQuery: %v", err)
	}
	if !p.Calls(t, token).Answered(cqID) {
		t.Fatal("the call log does not show the answer")
	}
	if _, err := bot.Request(tgbotapi.NewCallback("999999", "")); err == nil {
		t.Fatal("answering an unknown callback query succeeded")
	}
	edited, err := bot.Send(tgbotapi.NewEditMessageText(an.ID, sent.MessageID, "Nhập mã hồ sơ:"))
	if err != nil || edited.EditDate == 0 || edited.ReplyMarkup != nil {
		t.Fatalf("editMessageText = %+v, %v", edited, err)
	}
	if _, err := bot.Send(tgbotapi.NewEditMessageText(an.ID, sent.MessageID, "Nhập mã hồ sơ:")); err == nil ||
		!strings.Contains(err.Error(), "message is not modified") {
		t.Fatalf("identical edit: %v", err)
	}
	if m := an.Next(t, 2*time.Second); m.ID != sent.MessageID || !m.Edited || m.Text != "Nhập mã hồ sơ:" || m.InlineButtons != nil {
		t.Fatalf("citizen saw the edit as %s", m)
	}

	// Reply keyboard asking for the phone number, then the contact back.
	ask := tgbotapi.NewMessage(an.ID, "Chia sẻ số điện thoại")
	ask.ReplyMarkup = tgbotapi.NewOneTimeReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonContact("📱 Chia sẻ số")))
	if _, err := bot.Send(ask); err != nil {
		t.Fatal(err)
	}
	if m := an.WaitFor(t, "số điện thoại", 2*time.Second); len(m.ReplyKeyboard) != 1 || m.ReplyKeyboard[0][0] != "📱 Chia sẻ số" || !m.HasButton("Chia sẻ") {
		t.Fatalf("reply keyboard: %s", m)
	}
	rm := tgbotapi.NewMessage(an.ID, "Cảm ơn")
	rm.ReplyMarkup = tgbotapi.NewRemoveKeyboard(false)
	if _, err := bot.Send(rm); err != nil {
		t.Fatal(err)
	}
	if m := an.Next(t, 2*time.Second); !m.RemoveKeyboard {
		t.Fatalf("remove_keyboard: %s", m)
	}
	an.ShareContact("0912345678", an.ID)
	an.ShareContact("0987654321", 4242)
	an.Sticker()
	an.Photo("giấy tờ")
	an.Send("/help")
	ups = getUpdates(t, bot, ups[0].UpdateID+1, 0, 5)
	if len(ups) != 5 {
		t.Fatalf("want 5 updates, got %d", len(ups))
	}
	if c := ups[0].Message.Contact; c == nil || c.PhoneNumber != "0912345678" || c.UserID != an.ID {
		t.Errorf("own contact = %+v", c)
	}
	if c := ups[1].Message.Contact; c == nil || c.UserID != 4242 {
		t.Errorf("other's contact = %+v", c)
	}
	if s := ups[2].Message.Sticker; s == nil || s.FileID == "" || ups[2].Message.Text != "" {
		t.Errorf("sticker = %+v", ups[2].Message)
	}
	if ph := ups[3].Message.Photo; len(ph) != 2 || ups[3].Message.Caption != "giấy tờ" {
		t.Errorf("photo = %+v", ups[3].Message)
	}
	if !ups[4].Message.IsCommand() || ups[4].Message.Command() != "help" {
		t.Errorf("typed /help is not a command: %+v", ups[4].Message)
	}

	// sendPhoto upload, stubs, unknown method.
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x03\x20\x00\x00\x01\x90"), make([]byte, 2000)...)
	photo := tgbotapi.NewPhoto(an.ID, tgbotapi.FileBytes{Name: "chart.png", Bytes: png})
	photo.Caption = "Báo cáo tuần"
	ph, err := bot.Send(photo)
	if err != nil || len(ph.Photo) != 1 || ph.Photo[0].FileSize != len(png) || ph.Photo[0].Width != 800 || ph.Caption != "Báo cáo tuần" {
		t.Fatalf("sendPhoto = %+v, %v", ph, err)
	}
	if m := an.Next(t, 2*time.Second); !m.Photo || m.Size != len(png) || m.Text != "Báo cáo tuần" {
		t.Fatalf("citizen saw the photo as %s", m)
	}
	for _, c := range []tgbotapi.Chattable{
		tgbotapi.NewChatAction(an.ID, tgbotapi.ChatTyping),
		tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "start", Description: "Bắt đầu"}),
		tgbotapi.NewDeleteMyCommands(),
	} {
		if _, err := bot.Request(c); err != nil {
			t.Errorf("%T: %v", c, err)
		}
	}
	if cmds, err := bot.GetMyCommands(); err != nil || len(cmds) != 0 {
		t.Errorf("getMyCommands = %v, %v", cmds, err)
	}
	// Five updates are delivered but not yet confirmed with offset.
	if info, err := bot.GetWebhookInfo(); err != nil || info.URL != "" || info.PendingUpdateCount != 5 {
		t.Errorf("getWebhookInfo = %+v, %v", info, err)
	}
	if _, err := bot.Request(tgbotapi.NewLocation(an.ID, 21.0, 105.8)); err == nil || !strings.Contains(err.Error(), "Not Found") {
		t.Errorf("unknown method: %v", err)
	}
	if _, err := bot.Send(tgbotapi.NewMessage(an.ID, "")); err == nil || !strings.Contains(err.Error(), "message text is empty") {
		t.Errorf("empty text: %v", err)
	}
	// HTML parse mode: the citizen reads plain text; broken markup is refused like Telegram does.
	hm := tgbotapi.NewMessage(an.ID, "<b>Hồ sơ</b> &lt;HS-01&gt; đã nhận")
	hm.ParseMode = tgbotapi.ModeHTML
	if _, err := bot.Send(hm); err != nil {
		t.Fatal(err)
	}
	if m := an.Next(t, 2*time.Second); m.Text != "Hồ sơ <HS-01> đã nhận" || m.RawText != hm.Text {
		t.Fatalf("HTML message read as %q (raw %q)", m.Text, m.RawText)
	}
	hm.Text = "Ông <Nguyễn Văn A> đã nộp"
	if _, err := bot.Send(hm); err == nil || !strings.Contains(err.Error(), "can't parse entities") {
		t.Fatalf("unescaped < in HTML: %v", err)
	}

	an.Send("cuối")
	if got := an.Drain(); len(got) != 0 {
		t.Errorf("Drain returned %v", got)
	}
	an.ExpectNone(t, 100*time.Millisecond)
}
