// Package outbox delivers the messages the bot sends on its own initiative
// (alerts, status pushes, apology letters, digests, answers to feedback)
// through a durable queue in the store.
//
// Put writes a row under an idempotency key and returns; the worker (Run)
// sends due rows highest priority first, within two limits that hold
// however many jobs queue at once: a global rate (Config.Rate messages per
// second over all chats: a token bucket of burst 1 paces the sends, and a
// window of the last Rate send moments makes sure no second ever holds
// more) and a minimum gap between the end of one send to a chat and the
// start of the next (Config.PerChat). A chat still inside its gap is
// skipped and picked up later; other chats go on meanwhile. Up to
// Config.Workers sends are in flight at once, never two to one chat.
//
// Delivery is at least once. A row is sent until its outcome is stored; a
// crash between a successful send and that write sends the row again after
// the restart (Telegram has no idempotency key to prevent it). A shutdown
// through Run's context loses nothing and sends nothing twice: the sends
// in flight finish and are marked before Run returns. A mark that fails
// (disk full) is kept in memory and retried, and its row is not sent again
// meanwhile.
//
// Send errors:
//   - errors.Is(err, chat.ErrBlocked): the chat blocked the bot. The chat is
//     stopped (store's StopChat): this row and its other queued rows stop,
//     and nothing is queued to it until the person writes again.
//   - an error with a RetryAfter() time.Duration method (found with
//     errors.As; an adapter's flood error may implement it, see RetryAfter):
//     the row is due again after that wait and the chat gets nothing
//     before; when the error also has Global() bool returning true, every
//     chat waits. It counts as an attempt, but gives up only at
//     floodFactor × MaxAttempts attempts, since a flood wait says nothing
//     is wrong with the message.
//   - an unknown channel, a bad recipient or an unreadable payload: the row
//     fails at once.
//   - anything else: retried after Backoff(attempts) until MaxAttempts
//     attempts, then failed.
//
// Logs carry the row id, key, recipient chat key, attempt and error class,
// never the message text.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"xabot/internal/chat"
	"xabot/internal/domain"
)

// Repo is the storage the outbox needs; *store.DB implements it.
type Repo interface {
	// Enqueue queues m; false when its key is already queued or its
	// recipient is stopped.
	Enqueue(ctx context.Context, m domain.Outgoing) (bool, error)
	// DueOutgoing returns queued rows due at now, highest priority first,
	// at most one per recipient.
	DueOutgoing(ctx context.Context, now time.Time, limit int) ([]domain.Outgoing, error)
	MarkSent(ctx context.Context, id int64, at time.Time) error
	MarkRetry(ctx context.Context, id int64, next time.Time, lastErr string) error
	MarkFailed(ctx context.Context, id int64, lastErr string) error
	// StopChat records a chat that blocked the bot and stops its queued rows.
	StopChat(ctx context.Context, recipient string, at time.Time) error
}

// RetryAfter is what an adapter's error may implement when the platform
// asked to wait (Telegram's 429 retry_after) and the adapter did not wait
// it out itself. An error that also has Global() bool returning true pauses
// every chat, not only the one it was sent to.
type RetryAfter interface {
	RetryAfter() time.Duration
}

type global interface {
	Global() bool
}

// Config tunes the outbox; zero fields take the defaults.
type Config struct {
	// Rate is messages per second over all chats (XABOT_SEND_RATE); 25.
	Rate int
	// PerChat is the least gap between two messages to one chat; 1s.
	PerChat time.Duration
	// Poll is how often to look for due rows when idle; 500ms.
	Poll time.Duration
	// MaxAttempts is how many failed attempts make a row fail; 8.
	MaxAttempts int
	// Backoff is the wait after a failed attempt, given the number of
	// attempts before it (0 after the first failure); DefaultBackoff.
	Backoff func(attempt int) time.Duration
	// Workers is how many sends may be in flight at once, so a slow
	// platform answer does not cap the rate; Rate, at most 64.
	Workers int
	// Now stamps rows and decides which are due; time.Now. The rate and
	// the per-chat gap always use the real clock.
	Now func() time.Time
	// Log receives the outbox's logs; nil discards them.
	Log *slog.Logger
}

// Defaults.
const (
	DefaultRate        = 25
	DefaultPerChat     = time.Second
	DefaultPoll        = 500 * time.Millisecond
	DefaultMaxAttempts = 8

	maxWorkers = 64
	batch      = 50 // rows fetched per round, besides those in flight

	// floodFactor × MaxAttempts is where rows answered only with flood
	// waits give up.
	floodFactor = 4

	sendTimeout   = 2 * time.Minute  // one Send, with the adapter's own waits
	markTimeout   = 10 * time.Second // one mark, also during shutdown
	shutdownGrace = 10 * time.Second // sends in flight at shutdown get this long
	maxLastError  = 300              // bytes of last_error kept
	chatSweepSize = 1024             // per-chat state swept once it holds this many chats
)

// DefaultBackoff waits 5s·2^attempt, at most an hour.
func DefaultBackoff(attempt int) time.Duration {
	if attempt < 0 {
		attempt = 0
	}
	if attempt >= 10 { // 5s·2^10 > 1h
		return time.Hour
	}
	return min(5*time.Second<<attempt, time.Hour)
}

// Outbox queues and sends messages. Put may be called from any goroutine;
// Run and Flush must not run at the same time.
type Outbox struct {
	repo    Repo
	senders map[chat.Channel]chat.Sender
	cfg     Config
	log     *slog.Logger
	limiter *rate.Limiter
	window  *window
	grace   time.Duration

	wake    chan struct{} // Put queued something
	done    chan struct{} // a send finished
	running atomic.Bool

	mu       sync.Mutex
	inflight map[string]bool                       // chat key → a send is in flight
	next     map[string]time.Time                  // chat key → earliest next send (real clock)
	pause    time.Time                             // no send before (global flood wait)
	pending  map[int64]func(context.Context) error // marks that failed, retried each round
	// ended holds the rows whose outcome was recorded, with the value of
	// seq then. A fetch sees every outcome recorded before it read seq;
	// rows that ended later may be stale in it and are skipped until the
	// next fetch. Without this a row sent while a fetch ran could go twice.
	ended map[int64]uint64
	seq   uint64
}

// New returns an outbox that stores rows in repo and sends them through
// the sender of each recipient's channel.
func New(repo Repo, senders map[chat.Channel]chat.Sender, cfg Config) *Outbox {
	if cfg.Rate <= 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.PerChat <= 0 {
		cfg.PerChat = DefaultPerChat
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.Backoff == nil {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.Workers <= 0 {
		cfg.Workers = min(cfg.Rate, maxWorkers)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Outbox{
		repo:     repo,
		senders:  senders,
		cfg:      cfg,
		log:      log,
		limiter:  rate.NewLimiter(rate.Limit(cfg.Rate), 1),
		window:   &window{at: make([]time.Time, cfg.Rate)},
		grace:    shutdownGrace,
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}, 1),
		inflight: make(map[string]bool),
		next:     make(map[string]time.Time),
		pending:  make(map[int64]func(context.Context) error),
		ended:    make(map[int64]uint64),
	}
}

// Put queues r for the chat to ("tg:123") under key, at priority
// (domain.PriorityAnswer, PriorityAlert, PriorityBulk), and wakes the
// worker. It returns false, writing nothing, when key is already queued, so
// a job that runs again sends nothing twice, or when the chat blocked the
// bot and has not written since. r.ChatID may be empty; the chat id comes
// from to.
func (o *Outbox) Put(ctx context.Context, key, to string, priority int, r chat.Reply) (bool, error) {
	if key == "" {
		return false, errors.New("outbox: put: empty key")
	}
	_, id, ok := parseTo(to)
	if !ok {
		return false, fmt.Errorf("outbox: put %q: bad recipient %q", key, to)
	}
	if r.ChatID != "" && r.ChatID != id {
		return false, fmt.Errorf("outbox: put %q: reply chat id disagrees with recipient %q", key, to)
	}
	if strings.TrimSpace(r.Text) == "" && len(r.Buttons) == 0 && r.Keyboard == nil {
		return false, fmt.Errorf("outbox: put %q: empty message", key)
	}
	payload, err := encode(r)
	if err != nil {
		return false, fmt.Errorf("outbox: put %q: %w", key, err)
	}
	// Whole seconds: the store keeps seconds and rounds "not before" up.
	now := o.cfg.Now().Truncate(time.Second)
	queued, err := o.repo.Enqueue(ctx, domain.Outgoing{
		Key: key, To: to, Priority: priority, Payload: payload, NextAt: now, CreatedAt: now,
	})
	if err != nil {
		return false, fmt.Errorf("outbox: put %q: %w", key, err)
	}
	if queued {
		signal(o.wake)
	}
	return queued, nil
}

// Run sends due rows until ctx is cancelled. Then it starts no new send,
// lets the sends in flight finish (within a grace of shutdownGrace, after
// which they are cancelled and their rows stay queued) and marks them, and
// returns nil. Store errors are logged and retried.
func (o *Outbox) Run(ctx context.Context) error {
	err := o.loop(ctx, false)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// Flush sends until no row is due, within the same limits as Run, and
// returns the first store error. Rows waiting for a retry later are left
// for Run; due rows whose chat must wait (its gap, a flood wait) are
// waited for. Cancelling ctx stops it as it stops Run, returning ctx's
// error.
func (o *Outbox) Flush(ctx context.Context) error {
	if err := o.loop(ctx, true); err != nil {
		return err
	}
	return ctx.Err()
}

var errRunning = errors.New("outbox: already running")

func (o *Outbox) loop(ctx context.Context, flush bool) error {
	if !o.running.CompareAndSwap(false, true) {
		return errRunning
	}
	defer o.running.Store(false)
	// Sends outlive ctx, so a shutdown does not cut a message in half; the
	// grace timer below bounds them.
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	var wg sync.WaitGroup
	sem := make(chan struct{}, o.cfg.Workers)
	err := o.dispatch(ctx, flush, base, &wg, sem)
	stop := time.AfterFunc(o.grace, cancelBase)
	wg.Wait()
	stop.Stop()
	// One last try for marks that failed; after a restart their rows go
	// again.
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	if perr := o.retryPending(mctx); perr != nil && err == nil && flush {
		err = perr
	}
	return err
}

// dispatch fetches due rows and starts their sends until ctx ends, or for
// a flush until nothing is due.
func (o *Outbox) dispatch(ctx context.Context, flush bool, base context.Context, wg *sync.WaitGroup, sem chan struct{}) error {
	for ctx.Err() == nil {
		if err := o.retryPending(ctx); err != nil && flush {
			return err
		}
		o.mu.Lock()
		inflight, pending := len(o.inflight), len(o.pending)
		fetched := o.seq
		for id, s := range o.ended {
			if s <= fetched {
				delete(o.ended, id)
			}
		}
		o.mu.Unlock()
		limit := batch + inflight
		rows, err := o.repo.DueOutgoing(ctx, o.cfg.Now(), limit)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if flush {
				return fmt.Errorf("outbox: %w", err)
			}
			o.log.Error("outbox: fetching due rows failed", "err", err)
			o.sleep(ctx, time.Time{})
			continue
		}
		if flush && len(rows) == 0 && inflight == 0 && pending == 0 {
			return nil
		}
		started, wakeAt := o.round(ctx, rows, fetched, base, wg, sem)
		if started > 0 && len(rows) == limit {
			continue // probably more due
		}
		o.sleep(ctx, wakeAt)
	}
	return nil
}

// round starts the sends of rows that may go now, in order. It returns how
// many it started and the earliest time a skipped row may go (zero when
// none waits for a time; rows whose chat is in flight wait for its end).
func (o *Outbox) round(ctx context.Context, rows []domain.Outgoing, fetched uint64, base context.Context, wg *sync.WaitGroup, sem chan struct{}) (int, time.Time) {
	var wakeAt time.Time
	started := 0
	o.sweep()
	for _, m := range rows {
		if wait, ok := o.ready(m, fetched); !ok {
			if !wait.IsZero() && (wakeAt.IsZero() || wait.Before(wakeAt)) {
				wakeAt = wait
			}
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return started, wakeAt
		}
		// A send that ended while we waited for a worker may have paused
		// everything.
		if wait := o.paused(); !wait.IsZero() {
			<-sem
			return started, wait
		}
		if !o.take(ctx) {
			<-sem
			return started, wakeAt
		}
		o.mu.Lock()
		o.inflight[m.To] = true
		o.mu.Unlock()
		wg.Add(1)
		go o.deliver(base, m, sem, wg)
		started++
	}
	return started, wakeAt
}

// ready says whether m may be sent now; if not, when it may (zero: when
// its chat's send in flight ends or its mark is stored).
func (o *Outbox) ready(m domain.Outgoing, fetched uint64) (time.Time, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := time.Now()
	if _, ok := o.pending[m.ID]; ok || o.inflight[m.To] {
		return time.Time{}, false
	}
	if s, ok := o.ended[m.ID]; ok && s > fetched {
		return time.Time{}, false // stale: the next fetch tells
	}
	if until := o.next[m.To]; now.Before(until) {
		return until, false
	}
	if now.Before(o.pause) {
		return o.pause, false
	}
	return time.Time{}, true
}

func (o *Outbox) paused() time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	if time.Now().Before(o.pause) {
		return o.pause
	}
	return time.Time{}
}

// take waits for a token of the global rate; false when ctx ended first.
func (o *Outbox) take(ctx context.Context) bool {
	r := o.limiter.Reserve()
	d := r.Delay()
	if d == 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		r.Cancel()
		return false
	}
}

// window holds the moments of the last Rate sends (real clock). The token
// bucket spaces sends as they are dispatched; the window makes the bound
// hold at the moment each send starts, however unevenly the goroutines
// carrying them are scheduled: no second ever holds more than Rate.
type window struct {
	mu sync.Mutex
	at []time.Time // a ring, oldest at i
	i  int
}

// enter waits until a send may start without making Rate+1 in a second,
// and records it.
func (w *window) enter(ctx context.Context) error {
	for {
		w.mu.Lock()
		now := time.Now()
		oldest := w.at[w.i]
		if oldest.IsZero() || now.Sub(oldest) >= time.Second {
			w.at[w.i] = now
			w.i = (w.i + 1) % len(w.at)
			w.mu.Unlock()
			return nil
		}
		w.mu.Unlock()
		t := time.NewTimer(oldest.Add(time.Second).Sub(now))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

// sweep forgets chats whose gap has passed once many are remembered, so a
// digest to 10,000 chats does not keep 10,000 entries.
func (o *Outbox) sweep() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.next) < chatSweepSize {
		return
	}
	now := time.Now()
	for k, t := range o.next {
		if !now.Before(t) {
			delete(o.next, k)
		}
	}
}

// sleep waits for a Put, the end of a send, wakeAt or Poll, whichever
// comes first.
func (o *Outbox) sleep(ctx context.Context, wakeAt time.Time) {
	d := o.cfg.Poll
	if !wakeAt.IsZero() {
		d = max(min(d, time.Until(wakeAt)), 0)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-o.wake:
	case <-o.done:
	case <-t.C:
	}
}

// Error classes, for logs and last_error.
const (
	classBlocked   = "blocked"
	classFlood     = "flood"
	classInvalid   = "invalid"
	classTransient = "transient"
)

// permanentError is a row that no retry can send.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// deliver sends one row, records the outcome and frees its chat and worker.
func (o *Outbox) deliver(base context.Context, m domain.Outgoing, sem chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	defer func() {
		<-sem
		signal(o.done)
	}()
	err := o.send(base, m)
	o.record(base, m, err, time.Now())
}

// send decodes m and hands it to its channel's sender. A panicking sender
// is an error of the row, not the end of the process.
func (o *Outbox) send(base context.Context, m domain.Outgoing) (err error) {
	ch, id, ok := parseTo(m.To)
	if !ok {
		return permanentError{fmt.Errorf("bad recipient")}
	}
	s := o.senders[ch]
	if s == nil {
		return permanentError{fmt.Errorf("no sender for channel %q", ch)}
	}
	r, err := decode(m.Payload)
	if err != nil {
		return permanentError{fmt.Errorf("bad payload: %w", err)}
	}
	r.ChatID = id
	ctx, cancel := context.WithTimeout(base, sendTimeout)
	defer cancel()
	if err := o.window.enter(ctx); err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sender panicked: %v", p)
		}
	}()
	return s.Send(ctx, r)
}

// record marks the row after a send that ended at end (real clock), then
// frees its chat: a row is never seen unmarked with its chat free, so it
// cannot be sent twice.
func (o *Outbox) record(base context.Context, m domain.Outgoing, err error, end time.Time) {
	now := o.cfg.Now()
	attempt := m.Attempts + 1
	log := o.log.With("id", m.ID, "key", m.Key, "to", m.To, "attempt", attempt)
	var (
		op       func(context.Context) error
		chatWait time.Duration // beyond PerChat
		pause    time.Duration // every chat
	)
	var ra RetryAfter
	var gl global
	switch {
	case err == nil:
		op = func(ctx context.Context) error { return o.repo.MarkSent(ctx, m.ID, now) }
		log.Debug("outbox: sent")
	case base.Err() != nil:
		// Cut by the end of the shutdown grace: whether it arrived is
		// unknown, so the row stays queued and is sent again later.
		log.Warn("outbox: send cut by shutdown, the row stays queued", "class", classTransient, "err", err)
	case errors.Is(err, chat.ErrBlocked):
		op = func(ctx context.Context) error { return o.repo.StopChat(ctx, m.To, now) }
		log.Info("outbox: the chat blocked the bot, stopping it", "class", classBlocked)
	case errors.As(err, &permanentError{}):
		msg := lastError(classInvalid, err)
		op = func(ctx context.Context) error { return o.repo.MarkFailed(ctx, m.ID, msg) }
		log.Error("outbox: message cannot be sent", "class", classInvalid, "err", err)
	case errors.As(err, &ra) && ra.RetryAfter() > 0:
		wait := ra.RetryAfter()
		msg := lastError(classFlood, err)
		isGlobal := errors.As(err, &gl) && gl.Global()
		if attempt >= floodFactor*o.cfg.MaxAttempts {
			op = func(ctx context.Context) error { return o.repo.MarkFailed(ctx, m.ID, msg) }
			log.Error("outbox: giving up after flood waits", "class", classFlood, "err", err)
			break
		}
		next := now.Add(wait)
		op = func(ctx context.Context) error { return o.repo.MarkRetry(ctx, m.ID, next, msg) }
		chatWait = wait
		if isGlobal {
			pause = wait
		}
		log.Warn("outbox: platform asked to wait", "class", classFlood, "retry_in", wait, "global", isGlobal)
	default:
		msg := lastError(classTransient, err)
		if attempt >= o.cfg.MaxAttempts {
			op = func(ctx context.Context) error { return o.repo.MarkFailed(ctx, m.ID, msg) }
			log.Error("outbox: giving up", "class", classTransient, "err", err)
			break
		}
		wait := o.cfg.Backoff(m.Attempts)
		next := now.Add(wait)
		op = func(ctx context.Context) error { return o.repo.MarkRetry(ctx, m.ID, next, msg) }
		log.Warn("outbox: send failed, retrying", "class", classTransient, "retry_in", wait, "err", err)
	}
	var markErr error
	if op != nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(base), markTimeout)
		markErr = op(ctx)
		cancel()
		if markErr != nil {
			log.Error("outbox: recording the outcome failed; retrying it before this row may go again", "err", markErr)
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if markErr != nil {
		o.pending[m.ID] = op
	}
	delete(o.inflight, m.To)
	o.seq++
	o.ended[m.ID] = o.seq
	until := end.Add(max(o.cfg.PerChat, chatWait))
	if until.After(o.next[m.To]) {
		o.next[m.To] = until
	}
	if pause > 0 {
		if p := end.Add(pause); p.After(o.pause) {
			o.pause = p
		}
	}
}

// retryPending runs again the marks that failed; a row with one is not
// sent until it is stored. It returns the first error.
func (o *Outbox) retryPending(ctx context.Context) error {
	o.mu.Lock()
	ops := make(map[int64]func(context.Context) error, len(o.pending))
	for id, op := range o.pending {
		ops[id] = op
	}
	o.mu.Unlock()
	var first error
	for id, op := range ops {
		mctx, cancel := context.WithTimeout(ctx, markTimeout)
		err := op(mctx)
		cancel()
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			o.log.Error("outbox: recording an outcome failed again", "id", id, "err", err)
			if first == nil {
				first = fmt.Errorf("outbox: %w", err)
			}
			continue
		}
		o.mu.Lock()
		delete(o.pending, id)
		o.mu.Unlock()
	}
	return first
}

// lastError is the class and the error, cut to maxLastError bytes.
func lastError(class string, err error) string {
	s := class + ": " + err.Error()
	if len(s) > maxLastError {
		s = strings.ToValidUTF8(s[:maxLastError], "")
	}
	return s
}

// parseTo splits a chat key "tg:123" into its channel and chat id.
func parseTo(to string) (chat.Channel, string, bool) {
	ch, id, ok := strings.Cut(to, ":")
	if !ok || ch == "" || id == "" {
		return "", "", false
	}
	return chat.Channel(ch), id, true
}

// signal wakes whoever waits on c, without blocking.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// payload is a reply as stored, with its own field names so renaming a
// chat field cannot make queued rows unreadable.
type payload struct {
	Text     string      `json:"text"`
	Buttons  [][]button  `json:"buttons,omitempty"`
	Keyboard *keyboardJS `json:"keyboard,omitempty"`
}

type button struct {
	Label string `json:"label"`
	Data  string `json:"data"`
}

type keyboardJS struct {
	Rows   [][]key `json:"rows,omitempty"`
	Remove bool    `json:"remove,omitempty"`
}

type key struct {
	Label          string `json:"label"`
	RequestContact bool   `json:"request_contact,omitempty"`
}

func encode(r chat.Reply) ([]byte, error) {
	p := payload{Text: r.Text}
	for _, row := range r.Buttons {
		out := make([]button, 0, len(row))
		for _, b := range row {
			out = append(out, button{Label: b.Label, Data: b.Data})
		}
		p.Buttons = append(p.Buttons, out)
	}
	if k := r.Keyboard; k != nil {
		p.Keyboard = &keyboardJS{Remove: k.Remove}
		for _, row := range k.Rows {
			out := make([]key, 0, len(row))
			for _, x := range row {
				out = append(out, key{Label: x.Label, RequestContact: x.RequestContact})
			}
			p.Keyboard.Rows = append(p.Keyboard.Rows, out)
		}
	}
	return json.Marshal(p)
}

func decode(b []byte) (chat.Reply, error) {
	var p payload
	if err := json.Unmarshal(b, &p); err != nil {
		return chat.Reply{}, err
	}
	r := chat.Reply{Text: p.Text}
	for _, row := range p.Buttons {
		out := make([]chat.Button, 0, len(row))
		for _, b := range row {
			out = append(out, chat.Button{Label: b.Label, Data: b.Data})
		}
		r.Buttons = append(r.Buttons, out)
	}
	if k := p.Keyboard; k != nil {
		r.Keyboard = &chat.Keyboard{Remove: k.Remove}
		for _, row := range k.Rows {
			out := make([]chat.Key, 0, len(row))
			for _, x := range row {
				out = append(out, chat.Key{Label: x.Label, RequestContact: x.RequestContact})
			}
			r.Keyboard.Rows = append(r.Keyboard.Rows, out)
		}
	}
	return r, nil
}
