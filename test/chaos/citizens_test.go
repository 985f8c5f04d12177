//go:build chaos

package chaos

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"xabot/test/chaos/tgstand"
)

// What a citizen reads back for one step.
type outcome int

const (
	right outcome = iota // the step's own answer
	wrong                // another answer («chưa hiểu» for a phone the bot asked for)
	lost                 // nothing within the wait
	busy                 // «hệ thống đang bận»: the citizen tries the step again
	outcomes
)

var outcomeNames = [outcomes]string{"right", "wrong", "lost", "busy"}

const busyText = "hệ thống đang bận"

// citizen is one chat doing 5-step lookups through the stand-in as a person
// does: a step, then the wait for its answer, then the next. Every message
// the bot sends the chat is either taken as one step's answer or left over;
// the left-overs are judged at the end (extras).
type citizen struct {
	tg     *tgstand.Server
	token  string
	chat   int64
	code   string
	phone  string
	rng    *rand.Rand
	wait   time.Duration // how long an answer may take before it counts as lost
	cursor int           // the chat's next unread message
	taken  map[int]bool  // messages taken as an answer
	count  [outcomes]int
	steps  int      // updates sent
	wrongs []string // what the wrong answers said
	// busyAt is when each «bận» was sent; lastRight when the last right
	// answer was.
	busyAt    []time.Time
	lastRight time.Time
	doubles   []string // each message sent again across a kill, with its times
}

// newCitizens makes n citizens of token's bot; citizen i owns dossier i+1
// of dossierRows.
func newCitizens(tg *tgstand.Server, token string, n int, seed uint64, wait time.Duration) []*citizen {
	cs := make([]*citizen, n)
	for i := range cs {
		cs[i] = &citizen{tg: tg, token: token, chat: int64(20001 + i),
			code: fmt.Sprintf("H55.20-261118-%04d", i+1), phone: fmt.Sprintf("0905%06d", i+1),
			rng: rand.New(rand.NewPCG(seed, uint64(i))), wait: wait, taken: map[int]bool{}}
	}
	return cs
}

// runCitizens runs every citizen's lookups until stop is closed, each then
// finishing the lookup in hand.
func runCitizens(cs []*citizen, stop <-chan struct{}) {
	var wg sync.WaitGroup
	for _, c := range cs {
		wg.Go(func() {
			for {
				c.lookup()
				select {
				case <-stop:
					return
				default:
				}
			}
		})
	}
	wg.Wait()
}

// lookup is the five steps: /start (the privacy notice the first time, the
// menu after), «Đồng ý» (or /trogiup once agreed), /tracuu, the code, the
// phone. A step answered wrongly or not at all starts the lookup over.
func (c *citizen) lookup() {
	m, ok := c.step(func() { c.tg.Text(c.token, c.chat, "/start") },
		"Thông báo về dữ liệu cá nhân", "Anh/Chị chọn chức năng trong menu")
	if !ok {
		return
	}
	second := func() { c.tg.Text(c.token, c.chat, "/trogiup") }
	want := "Hướng dẫn sử dụng"
	if len(m.Buttons) > 0 && len(m.Buttons[0]) > 0 {
		id, data := m.ID, m.Buttons[0][0].Data
		second = func() { c.tg.Press(c.token, c.chat, id, data) }
		want = "Cảm ơn Anh/Chị đã đồng ý"
	}
	for _, s := range []struct {
		send func()
		want string
	}{
		{second, want},
		{func() { c.tg.Text(c.token, c.chat, "/tracuu") }, "vui lòng gõ mã hồ sơ"},
		{func() { c.tg.Text(c.token, c.chat, c.code) }, "nhập số điện thoại đã khai khi nộp hồ sơ " + c.code},
		{func() { c.tg.Text(c.token, c.chat, c.phone) }, "📄 Hồ sơ " + c.code},
	} {
		if _, ok := c.step(s.send, s.want); !ok {
			return
		}
	}
}

// step sends one update and reads its answer; a «bận» is followed by the
// same step again after a pause, as a person would.
func (c *citizen) step(send func(), want ...string) (tgstand.Msg, bool) {
	for {
		time.Sleep(time.Duration(100+c.rng.IntN(400)) * time.Millisecond)
		send()
		c.steps++
		got, m := c.await(want)
		c.count[got]++
		switch got {
		case right:
			c.lastRight = m.At
			return m, true
		case busy:
			c.busyAt = append(c.busyAt, m.At)
			time.Sleep(time.Duration(300+c.rng.IntN(400)) * time.Millisecond)
			continue
		case wrong:
			c.wrongs = append(c.wrongs, fmt.Sprintf("chat %d wanted %q, got %q", c.chat, want[0], clip(m.Text)))
		}
		return m, false
	}
}

// await takes the chat's next message as the answer. A message that
// repeats an earlier one word for word is skipped here (a double, judged by
// extras); one that is neither the answer, nor «bận», nor a repeat is wrong.
func (c *citizen) await(want []string) (outcome, tgstand.Msg) {
	deadline := time.Now().Add(c.wait)
	for {
		msgs := c.tg.Sent(c.token, c.chat)
		for ; c.cursor < len(msgs); c.cursor++ {
			i, m := c.cursor, msgs[c.cursor]
			got := wrong
			switch {
			case containsAny(m.Text, want):
				got = right
			case strings.Contains(m.Text, busyText):
				got = busy
			case repeated(msgs, i) >= 0:
				continue
			}
			c.taken[i] = true
			c.cursor++
			return got, m
		}
		if time.Now().After(deadline) {
			return lost, tgstand.Msg{}
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// extras judges the chat's messages no step took: each must repeat an
// earlier message across a kill (the one message a kill may double: sent,
// and killed before it was recorded). It returns how many such doubles
// each kill made in this chat, and the messages nothing explains.
func (c *citizen) extras(kills []time.Time) (doubles map[int]int, bad []string) {
	doubles = map[int]int{}
	msgs := c.tg.Sent(c.token, c.chat)
	for i, m := range msgs {
		if c.taken[i] {
			continue
		}
		j := repeated(msgs, i)
		k := -1
		if j >= 0 {
			for n, at := range kills {
				if msgs[j].At.Before(at) && m.At.After(at) {
					k = n
				}
			}
		}
		if k < 0 {
			bad = append(bad, fmt.Sprintf("chat %d message %d at %s: %q", c.chat, i, m.At.Format("15:04:05.000"), clip(m.Text)))
			continue
		}
		c.doubles = append(c.doubles, fmt.Sprintf("chat %d: sent %s, kill %d at %s, again %s: %q", c.chat,
			msgs[j].At.Format("15:04:05.000"), k+1, kills[k].Format("15:04:05.000"), m.At.Format("15:04:05.000"), clip(m.Text)))
		doubles[k]++
	}
	return doubles, bad
}

// repeated is the index of the last message before i with the same text
// and buttons, or -1.
func repeated(msgs []tgstand.Msg, i int) int {
	for j := i - 1; j >= 0; j-- {
		if msgs[j].Text == msgs[i].Text && fmt.Sprint(msgs[j].Buttons) == fmt.Sprint(msgs[i].Buttons) {
			return j
		}
	}
	return -1
}

// tally is what a load of citizens saw, with the doubles per kill.
type tally struct {
	steps   int
	count   [outcomes]int
	doubles int
	perKill map[int]int // the most doubles one kill made in one chat
	wrongs  []string
	bad     []string
	seen    []string // the doubles, with their times
}

func judge(cs []*citizen, kills []time.Time) tally {
	t := tally{perKill: map[int]int{}}
	for _, c := range cs {
		t.steps += c.steps
		for o, n := range c.count {
			t.count[o] += n
		}
		t.wrongs = append(t.wrongs, c.wrongs...)
		doubles, bad := c.extras(kills)
		t.bad = append(t.bad, bad...)
		t.seen = append(t.seen, c.doubles...)
		for k, n := range doubles {
			t.doubles += n
			t.perKill[k] = max(t.perKill[k], n)
		}
	}
	return t
}

func (t tally) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d updates sent;", t.steps)
	for o, n := range t.count {
		fmt.Fprintf(&b, " %s %d,", outcomeNames[o], n)
	}
	fmt.Fprintf(&b, " doubled across a kill %d, unexplained extra messages %d", t.doubles, len(t.bad))
	return b.String()
}

// report fails t for every wrong or unexplained message, listing a few,
// and logs the first doubles: each is a message in flight at a kill.
func (s tally) report(t *testing.T) {
	t.Helper()
	for _, d := range s.seen[:min(len(s.seen), 5)] {
		t.Log("double: " + d)
	}
	for _, l := range [][]string{s.wrongs, s.bad} {
		for i, w := range l {
			if i == 5 {
				t.Errorf("… and %d more", len(l)-5)
				break
			}
			t.Error(w)
		}
	}
}

// waitConfirmed waits until the bot confirmed every update of token.
func waitConfirmed(t *testing.T, tg *tgstand.Server, token string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for tg.Pending(token) > 0 {
		if time.Now().After(deadline) {
			t.Errorf("%d updates never confirmed within %v", tg.Pending(token), d)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func containsAny(s string, subs []string) bool {
	for _, w := range subs {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func clip(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}
