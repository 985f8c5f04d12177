// Package console is the terminal channel used by `xabot demo` and `xabot
// chat`: each line typed is an update, each reply is printed. It plays a
// phone: inline buttons are numbered and pressed by typing their number,
// the reply keyboard is shown under the text, and "/contact PHONE" shares
// the user's own phone number. It imports only internal/chat.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"xabot/internal/chat"
)

// Console reads one user's lines and prints the bot's replies.
type Console struct {
	in   io.Reader
	out  io.Writer
	user chat.UserKey
	now  func() time.Time

	mu      sync.Mutex
	buttons []chat.Button // inline buttons of the last message, in order
	seq     int
}

// New returns a console for user id.
func New(in io.Reader, out io.Writer, userID string, now func() time.Time) *Console {
	return &Console{in: in, out: out, user: chat.UserKey{Channel: chat.Console, ID: userID}, now: now}
}

// Features says what the terminal shows: everything, as text.
func (c *Console) Features() chat.Features {
	return chat.Features{Buttons: true, Keyboard: true, ShareContact: true, MaxText: 1 << 16}
}

// Send prints a reply: its text, its numbered buttons and the keyboard.
func (c *Console) Send(_ context.Context, r chat.Reply) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	b.WriteString("\n🤖 ")
	if r.Image != nil {
		b.WriteString("🖼  [ảnh / image] ")
	}
	b.WriteString(strings.ReplaceAll(r.Text, "\n", "\n   "))
	b.WriteString("\n")
	// Only the latest message's buttons can be pressed by number: typing "2"
	// later is an answer, not a press of a button scrolled away.
	c.buttons = nil // not [:0]: update reads its snapshot after unlocking
	if len(r.Buttons) > 0 {
		b.WriteString("   ")
		for _, row := range r.Buttons {
			for _, btn := range row {
				c.buttons = append(c.buttons, btn)
				fmt.Fprintf(&b, "[%d] %s  ", len(c.buttons), btn.Label)
			}
		}
		b.WriteString("\n")
	}
	if k := r.Keyboard; k != nil && !k.Remove {
		var keys []string
		for _, row := range k.Rows {
			for _, key := range row {
				if key.RequestContact {
					keys = append(keys, key.Label+" (/contact SỐ_ĐIỆN_THOẠI)")
				} else {
					keys = append(keys, key.Label)
				}
			}
		}
		fmt.Fprintf(&b, "   ⌨  %s\n", strings.Join(keys, " | "))
	}
	_, err := io.WriteString(c.out, b.String())
	return err
}

// Run reads lines until the input ends or ctx is cancelled.
func (c *Console) Run(ctx context.Context, h chat.Handler) error {
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(c.in)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		errc <- sc.Err()
		close(lines)
	}()
	c.prompt()
	for {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				return <-errc
			}
			if strings.TrimSpace(line) == "" {
				c.prompt()
				continue
			}
			if err := h.Handle(ctx, c.update(line)); err != nil {
				fmt.Fprintf(c.out, "(!) %v\n", err)
			}
			c.prompt()
		}
	}
}

func (c *Console) prompt() { fmt.Fprint(c.out, "\n👤 ") }

// update turns a typed line into what a phone would have sent.
func (c *Console) update(line string) chat.Update {
	c.mu.Lock()
	c.seq++
	u := chat.Update{ID: fmt.Sprintf("%d-%d", c.now().UnixNano(), c.seq), From: c.user, ChatID: c.user.ID, At: c.now()}
	buttons := c.buttons
	c.mu.Unlock()
	t := strings.TrimSpace(line)
	if n, err := strconv.Atoi(t); err == nil && n >= 1 && n <= len(buttons) {
		u.Kind, u.Data = chat.Callback, buttons[n-1].Data
		return u
	}
	if rest, ok := strings.CutPrefix(t, "/contact"); ok {
		u.Kind = chat.Contact
		u.Contact = &chat.SharedContact{Phone: strings.TrimSpace(rest), UserID: c.user.ID}
		return u
	}
	if rest, ok := strings.CutPrefix(t, "/"); ok && rest != "" {
		name, args, _ := strings.Cut(rest, " ")
		u.Kind, u.Command, u.Args = chat.Command, strings.ToLower(name), strings.TrimSpace(args)
		return u
	}
	u.Kind, u.Text = chat.Text, line
	return u
}
