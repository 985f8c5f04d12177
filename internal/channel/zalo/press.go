package zalo

import (
	"strconv"
	"strings"
	"sync"

	"xabot/internal/chat"
)

// presses remembers, per chat, the button data of the last message the bot
// sent with buttons (a pushed notice: «Ngừng nhận thông báo», a rating
// offer), which Zalo shows as numbered lines; the citizen's next bare
// number presses that button. Any later message without buttons forgets
// them, like the console: only the latest message's numbers can be
// pressed. The dialogs' own choices never come here as buttons (the bot
// numbers them itself for a channel without buttons). Kept in memory: a
// restart forgets, and the number is then read as ordinary text.
type presses struct {
	mu   sync.Mutex
	data map[string][]string // chat id → callback data, in numbered order
}

func (p *presses) remember(chatID string, rows [][]chat.Button) {
	var data []string
	for _, row := range rows {
		for _, bt := range row {
			if strings.TrimSpace(sanitize(bt.Label)) != "" {
				data = append(data, bt.Data)
			}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.data == nil {
		p.data = map[string][]string{}
	}
	if len(data) == 0 {
		delete(p.data, chatID)
		return
	}
	p.data[chatID] = data
}

// press turns a bare number typed after such a message into the button.
func (p *presses) press(u chat.Update) chat.Update {
	if u.Kind != chat.Text {
		return u
	}
	n, err := strconv.Atoi(strings.TrimSpace(u.Text))
	if err != nil {
		return u
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	data := p.data[u.ChatID]
	if n < 1 || n > len(data) {
		return u
	}
	delete(p.data, u.ChatID)
	u.Kind, u.Data, u.Text = chat.Callback, data[n-1], ""
	return u
}
