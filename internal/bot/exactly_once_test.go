package bot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"xabot/internal/channel/textsplit"
	"xabot/internal/chat"
	"xabot/internal/store"
)

// Exactly once, as the person sees it, across processes killed with
// SIGKILL. A crash site is what outlives the bot's processes: the
// database, Redis, and the person's screen. Each process has its own Redis
// connection and its own wire to the platform; killing it closes both at
// a chosen message, so nothing it would do afterwards reaches Redis or the
// screen, as after a real kill. The platform then delivers the unconfirmed
// update again, to the next process.

// screen is what the person sees: every message that went out, in order.
type screen struct {
	mu   sync.Mutex
	msgs []string
}

func (s *screen) add(m string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
}

// since returns the messages from the n-th on.
func (s *screen) since(n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs[min(n, len(s.msgs)):])
}

func (s *screen) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}

// When, around its die-th message, a process is killed.
type dying int

const (
	never         dying = iota
	beforeMessage       // the message never reaches the platform
	afterOK             // the platform shows it; the process dies before hearing so
	afterRecord         // shown, and told to the router (sent); then the kill
)

var errKilled = errors.New("wire: process killed")

// wire is one process's connection to the platform: it splits a reply as
// Telegram does (MaxText per message) and dies as told.
type wire struct {
	screen *screen
	feat   chat.Features
	die    int // the process's n-th message, from 1
	how    dying
	kill   func()

	mu    sync.Mutex
	n     int
	dead  bool
	asked []string // the whole text of each reply the router asked to send
}

func (w *wire) Features() chat.Features { return w.feat }

func (w *wire) Send(ctx context.Context, r chat.Reply) error { return w.SendParts(ctx, r, 0, nil) }

func (w *wire) SendParts(_ context.Context, r chat.Reply, skip int, sent func(int)) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.dead {
		return errKilled
	}
	w.asked = append(w.asked, r.Text)
	for i, part := range textsplit.Split(r.Text, w.feat.MaxText) {
		if i < skip {
			continue
		}
		w.n++
		at := w.n == w.die
		if at && w.how == beforeMessage {
			return w.killed()
		}
		w.screen.add(part)
		if at && w.how == afterOK {
			return w.killed()
		}
		if sent != nil {
			sent(i + 1)
		}
		if at && w.how == afterRecord {
			return w.killed()
		}
	}
	return nil
}

// killed ends the process: its Redis connection closes, its wire is dead.
func (w *wire) killed() error {
	w.dead = true
	w.kill()
	return errKilled
}

type crashSite struct {
	t       *testing.T
	db      *store.DB
	opts    *redis.Options
	prefix  string
	screen  *screen
	person  *fixture // numbers the updates across processes
	maxText int
}

func newCrashSite(t *testing.T, maxText int) *crashSite {
	f := newFixture(t, telegramFeatures)
	rdb := redisClient(t)
	return &crashSite{t: t, db: f.db, opts: rdb.Options(), prefix: redisTestPrefix(t, rdb), screen: &screen{},
		person: f, maxText: maxText}
}

// proc is one process of the bot.
type proc struct {
	router *Router
	wire   *wire
}

// start runs a process that dies at its die-th message as how says.
func (s *crashSite) start(die int, how dying) *proc {
	rdb := redis.NewClient(s.opts)
	s.t.Cleanup(func() { rdb.Close() })
	feat := telegramFeatures
	feat.MaxText = s.maxText
	w := &wire{screen: s.screen, feat: feat, die: die, how: how, kill: func() { rdb.Close() }}
	f := newFixtureOn(s.t, s.db, redisSessions(s.t, rdb, s.prefix), w)
	return &proc{router: f.router, wire: w}
}

// lines has p handle each line of the person as a new update, and fails
// the test on an error.
func (s *crashSite) lines(p *proc, user string, lines ...string) {
	s.t.Helper()
	for _, l := range lines {
		if err := p.router.Handle(s.t.Context(), s.person.update(user, l)); err != nil {
			s.t.Fatalf("Handle(%q): %v", l, err)
		}
	}
}

// An update whose process was killed before its turn was stored is handled
// again when it comes back: the person is answered, once.
func TestKilledBeforeTheTurnWasStoredIsHandledAgain(t *testing.T) {
	s := newCrashSite(t, 4096)
	a := s.start(0, never)
	a.router.cfg.Resume = func(context.Context, string) error {
		a.wire.mu.Lock()
		defer a.wire.mu.Unlock()
		a.wire.killed() // mid-turn, before anything is stored or sent
		return nil
	}
	u := s.person.update("7", "/trogiup")
	_ = a.router.Handle(t.Context(), u)
	b := s.start(0, never)
	for range 2 { // the redelivery, and one more
		if err := b.router.Handle(t.Context(), u); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.screen.since(0); len(got) != 1 || !strings.Contains(got[0], "Hướng dẫn sử dụng") {
		t.Errorf("the person saw %q, want the help once", got)
	}
}

// A turn stored with its replies, killed after the first message of two
// went out, resumes at the second: the turn is not computed again (its
// feedback is recorded once, the reply is the same), and nothing is shown
// twice.
func TestKilledMidReplyResumesAtTheNextMessage(t *testing.T) {
	s := newCrashSite(t, 120)
	a := s.start(0, never)
	s.lines(a, "7", "/start", "[consent/ask/yes]", "/gopy", "[feedback/ask_category/other]",
		"Xin đề nghị lắp thêm đèn ở ngã ba thôn.", "[feedback/ask_media/done]", "[feedback/ask_anon/no]",
		"Nguyễn Thị Mai", "0912 345 678")
	from := s.screen.len()
	a.wire.die, a.wire.how = a.wire.n+2, beforeMessage
	u := s.person.update("7", "[feedback/confirm/send]")
	if err := a.router.Handle(t.Context(), u); err == nil {
		t.Fatal("Handle = nil with the process killed mid-reply")
	}
	b := s.start(0, never)
	for range 2 {
		if err := b.router.Handle(t.Context(), u); err != nil {
			t.Fatal(err)
		}
	}
	asked := append(slices.Clone(a.wire.asked[len(a.wire.asked)-1:]), b.wire.asked...)
	if len(asked) != 2 || asked[0] != asked[1] {
		t.Fatalf("the replies asked before and after the kill differ (the turn was computed again): %q", asked)
	}
	want := textsplit.Split(asked[0], s.maxText)
	if got := s.screen.since(from); len(want) < 2 || !slices.Equal(got, want) {
		t.Errorf("the person saw %q, want each message of the answer once: %q", got, want)
	}
	if mine, err := s.db.FeedbackOf(t.Context(), "tg:7"); err != nil || len(mine) != 1 {
		t.Errorf("feedback of tg:7 = %d, %v; want 1: the turn ran once", len(mine), err)
	}
}

// A process killed after its reply went out and was recorded leaves the
// step saved: the redelivery shows nothing again, and the phone typed next
// is read as the phone the bot asked for, not «chưa hiểu». (The question
// goes as two messages here, so each is recorded as it goes out.)
func TestKilledAfterTheReplyLeavesTheStepSaved(t *testing.T) {
	s := newCrashSite(t, 120) // the card's clipped head still fits beside the pointer to the office
	a := s.start(0, never)
	s.lines(a, "7", "/start", "[consent/ask/yes]", "/tracuu")
	from := s.screen.len()
	a.wire.die, a.wire.how = a.wire.n+2, afterRecord
	u := s.person.update("7", "H55.20-261118-0003")
	_ = a.router.Handle(t.Context(), u)
	b := s.start(0, never)
	if err := b.router.Handle(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	s.lines(b, "7", "0905123456")
	question, card := a.wire.asked[len(a.wire.asked)-1], b.wire.asked[len(b.wire.asked)-1]
	want := append(textsplit.Split(question, s.maxText), textsplit.Split(card, s.maxText)...)
	if got := s.screen.since(from); !strings.Contains(question, "nhập số điện thoại") ||
		!strings.HasPrefix(card, "📄 Hồ sơ") || !slices.Equal(got, want) {
		t.Errorf("the person saw %q, want the question for the phone once, then the dossier", got)
	}
}

// The one message a kill may double: accepted by the platform, the process
// killed before recording it (for the turn's last message, before marking
// the update handled). It comes again once; the rest of the reply after
// it, once.
func TestKilledBetweenTheOKAndItsRecordDoublesThatMessageOnly(t *testing.T) {
	for _, tc := range []struct {
		name    string
		maxText int
		die     int
	}{
		{"the second message of several", 200, 2},
		{"a reply of one message", 4096, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newCrashSite(t, tc.maxText)
			a := s.start(tc.die, afterOK)
			u := s.person.update("7", "/trogiup")
			_ = a.router.Handle(t.Context(), u)
			b := s.start(0, never)
			if err := b.router.Handle(t.Context(), u); err != nil {
				t.Fatal(err)
			}
			parts := textsplit.Split(a.wire.asked[0], s.maxText)
			if tc.die > 1 && len(parts) < 3 {
				t.Fatalf("the help is %d messages at %d characters; the test needs 3", len(parts), s.maxText)
			}
			want := append(slices.Clone(parts[:tc.die]), parts[tc.die-1:]...)
			if got := s.screen.since(0); !slices.Equal(got, want) {
				t.Errorf("the person saw %d messages %q, want %d: message %d twice, every other once", len(got), got, len(want), tc.die)
			}
		})
	}
}

// A handled update delivered again, by the platform or to another
// replica, is skipped.
func TestHandledUpdateDeliveredAgainIsSkipped(t *testing.T) {
	s := newCrashSite(t, 4096)
	u := s.person.update("7", "/trogiup")
	for range 3 {
		if err := s.start(0, never).router.Handle(t.Context(), u); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.screen.len(); n != 1 {
		t.Errorf("3 deliveries of one update to 3 processes showed %d messages, want 1", n)
	}
}

// redisClient connects to the test Redis ($XABOT_TEST_REDIS_URL).
func redisClient(tb testing.TB) *redis.Client {
	tb.Helper()
	url := os.Getenv("XABOT_TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/15"
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	if err := rdb.Ping(tb.Context()).Err(); err != nil {
		tb.Fatalf("redis at %s: %v (start one: .ci/run does)", url, err)
	}
	tb.Cleanup(func() { rdb.Close() })
	return rdb
}

// redisTestPrefix is a key prefix of tb's own; its keys are deleted when
// tb ends.
func redisTestPrefix(tb testing.TB, rdb *redis.Client) string {
	prefix := fmt.Sprintf("t%d:", time.Now().UnixNano())
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
			if len(keys) == 1000 {
				rdb.Del(ctx, keys...)
				keys = keys[:0]
			}
		}
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
	})
	return prefix
}
