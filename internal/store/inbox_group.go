package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"xabot/internal/domain"
)

// The inbox's writes go to SQLite by group commit: webhook deliveries
// offered, and the drain's takes and lease renewals, that arrive while one
// transaction commits wait for the next and share it, each run in turn
// inside it as it would run alone. A commit (the WAL frames of the inbox,
// its indexes and the triggers' tables) cost more than the statements it
// held: one per delivery and one per take capped the webhook at the commits
// a second the one writer could make. Each caller is answered only once its
// transaction committed, so a 200 to the platform still means stored.

// maxGroup bounds one commit's jobs: a bigger group holds the one writer
// longer from everything else.
const maxGroup = 256

// busyWait is the longest a group waits for SQLite's write lock while
// another connection or process holds it. The deliveries offered meanwhile
// fail with ErrBusy (the platform is answered 503 and delivers again
// later) instead of waiting for the lock as long as the platform would
// wait for its answer; the drain's takes and renewals wait on, a try of
// busyWait after another.
const busyWait = 40 * time.Millisecond

// ErrBusy: SQLite's write lock stayed held elsewhere for busyWait.
var ErrBusy = errors.New("store: the database's write lock is held elsewhere")

// errClosed answers what is asked of the inbox of a closed DB.
var errClosed = errors.New("store: closed")

// job is one inbox write waiting for its group. run may run twice: once
// with the group, and alone if the group failed; it must set its results
// afresh each time.
type job struct {
	ctx  context.Context
	run  func(ctx context.Context, tx *sql.Tx) error
	out  chan error // buffered: the committer never waits for a reader
	shed bool       // fails with ErrBusy rather than wait for the lock
}

// groupQueue gathers jobs for the committer goroutine, started with the
// first job and stopped by Close.
type groupQueue struct {
	mu      sync.Mutex
	pending []*job
	closed  bool
	running bool
	kick    chan struct{} // something is pending
	quit    chan struct{}
	done    chan struct{} // the committer returned
	commits int           // transactions tried, for the tests; the committer's own
}

func newGroupQueue() *groupQueue {
	return &groupQueue{kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
}

// push queues j, starting the committer if it is not running.
func (q *groupQueue) push(db *DB, j *job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return errClosed
	}
	q.pending = append(q.pending, j)
	if !q.running {
		q.running = true
		go db.commitGroups()
	}
	select {
	case q.kick <- struct{}{}:
	default:
	}
	return nil
}

// retry puts jobs back at the head of the queue, in order.
func (q *groupQueue) retry(jobs []*job) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.pending = append(jobs[:len(jobs):len(jobs)], q.pending...)
}

// shedPending fails the pending jobs that would rather fail than wait.
func (q *groupQueue) shedPending(err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	keep := q.pending[:0]
	for _, j := range q.pending {
		if j.shed {
			j.out <- err
		} else {
			keep = append(keep, j)
		}
	}
	q.pending = keep
}

// next takes up to maxGroup pending jobs.
func (q *groupQueue) next() []*job {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(len(q.pending), maxGroup)
	group := q.pending[:n:n]
	q.pending = q.pending[n:]
	if len(q.pending) == 0 {
		q.pending = nil
	}
	return group
}

// close stops the committer and fails what is still pending.
func (q *groupQueue) close() {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.closed = true
	running := q.running
	close(q.quit)
	q.mu.Unlock()
	if running {
		<-q.done
	}
	for _, j := range q.next() {
		j.out <- errClosed
	}
}

// grouped runs fn in the next group's transaction. With wait it returns
// fn's outcome whatever ctx does meanwhile (a take's leases must not be
// taken and forgotten), and waits for a write lock held elsewhere; without,
// it returns ctx's error as soon as ctx ends (what fn wrote may then still
// be committed), and ErrBusy when the lock stays held elsewhere for
// busyWait. A job whose ctx ended before its group began is not run.
func (db *DB) grouped(ctx context.Context, wait bool, fn func(ctx context.Context, tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j := &job{ctx: ctx, run: fn, out: make(chan error, 1), shed: !wait}
	if err := db.group.push(db, j); err != nil {
		return err
	}
	if wait {
		return <-j.out
	}
	select {
	case err := <-j.out:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// commitGroups is the committer: it commits the pending jobs, a group at a
// time, until Close.
func (db *DB) commitGroups() {
	q := db.group
	defer close(q.done)
	for {
		select {
		case <-q.quit:
			return
		case <-q.kick:
		}
		for group := q.next(); len(group) > 0; group = q.next() {
			db.commitGroup(group)
			select {
			case <-q.quit: // a take retried while the lock is held elsewhere must not hold Close
				return
			default:
			}
		}
	}
}

// commitGroup runs group in one transaction and answers each job. A group
// that fails is run again job by job, so that one bad job fails alone.
func (db *DB) commitGroup(group []*job) {
	live := group[:0]
	for _, j := range group {
		if err := j.ctx.Err(); err != nil {
			// Its caller gave up (a delivery answered 503): storing it
			// now would only make the platform's retry a duplicate.
			j.out <- err
			continue
		}
		live = append(live, j)
	}
	if len(live) == 0 {
		return
	}
	err := db.groupTx(live)
	if errors.Is(err, ErrBusy) {
		var keep []*job
		for _, j := range live {
			if j.shed {
				j.out <- err
			} else {
				keep = append(keep, j)
			}
		}
		db.group.shedPending(err)
		db.group.retry(keep)
		return
	}
	if err != nil && len(live) > 1 {
		for _, j := range live {
			db.commitGroup([]*job{j})
		}
		return
	}
	for _, j := range live {
		j.out <- err
	}
}

// groupTx runs the jobs in one write transaction. It lasts no longer than
// the last of their callers waits, and gives up with ErrBusy when SQLite's
// write lock stays held elsewhere for busyWait. The wait for the process's
// one writer connection (another write of this process in hand) is not
// counted as busy: it is short, and counted in the callers' own waits.
// Nor is a wait for the CPU: only SQLite's own «busy» starts the clock.
func (db *DB) groupTx(jobs []*job) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var last time.Time
	for _, j := range jobs {
		d, ok := j.ctx.Deadline()
		if !ok {
			last = time.Time{}
			break
		}
		if d.After(last) {
			last = d
		}
	}
	if !last.IsZero() {
		ctx, cancel = context.WithDeadline(ctx, last)
		defer cancel()
	}
	db.group.commits++
	c, err := db.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	tx, err := beginNoWait(ctx, c)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, j := range jobs {
		if err := j.run(ctx, tx); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// OfferInbound stores a webhook delivery unless the same update waits
// already (Duplicate), its sender has perSender rows waiting (OverBudget)
// or the channel has capacity rows waiting (Full); a limit of 0 is none.
// The checks and the insert run in one transaction, shared with the inbox's
// other writes arriving meanwhile (group commit), so the limits hold
// exactly. It returns when that transaction committed, or with ctx's error
// when ctx ends first: the delivery may then still be stored, as a
// platform's retry finds it (Duplicate) or the bot's dedupe does once
// handled.
func (db *DB) OfferInbound(ctx context.Context, in domain.Inbound, at time.Time, perSender, capacity int) (domain.Offer, error) {
	var got domain.Offer
	err := db.grouped(ctx, false, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		got, err = offerOne(ctx, tx, db.inbox, in, at, perSender, capacity)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: inbox put %s: %w", in.Channel, err)
	}
	return got, nil
}

// offerOne checks in's room inside the group's transaction (the offers
// before it in the group count) and inserts it if there is room.
func offerOne(ctx context.Context, tx *sql.Tx, st inboxStmts, in domain.Inbound, at time.Time, perSender, capacity int) (domain.Offer, error) {
	var dup bool
	var mine, all int
	if err := tx.StmtContext(ctx, st.room).QueryRowContext(ctx, in.Channel, in.Key, in.Group).Scan(&dup, &mine, &all); err != nil {
		return 0, err
	}
	switch {
	case dup:
		return domain.Duplicate, nil
	case perSender > 0 && mine >= perSender:
		return domain.OverBudget, nil
	case capacity > 0 && all >= capacity:
		return domain.Full, nil
	}
	res, err := tx.StmtContext(ctx, st.put).ExecContext(ctx, in.Channel, in.Key, in.Group, in.Body, at.Unix(), at.UnixMilli())
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return 0, fmt.Errorf("row not inserted (%d, %v)", n, err)
	}
	return domain.Stored, nil
}

// busyTimeout is the writer's busy_timeout (store.Open), put back once a
// group's BEGIN went through.
const busyTimeout = "PRAGMA busy_timeout = 5000"

// beginNoWait begins an immediate transaction on c with SQLite's busy wait
// off, trying again every few milliseconds while another connection holds
// the write lock, for up to busyWait from the first «busy»: a process
// short of CPU is slow, not busy, and must not shed deliveries for it.
func beginNoWait(ctx context.Context, c *sql.Conn) (*sql.Tx, error) {
	if _, err := c.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		return nil, err
	}
	var busySince time.Time
	for {
		tx, err := c.BeginTx(ctx, nil)
		if err == nil {
			// The jobs' statements and the commit may wait as any write does.
			if _, err := tx.ExecContext(ctx, busyTimeout); err != nil {
				_ = tx.Rollback()
				return nil, err
			}
			return tx, nil
		}
		if !isBusy(err) {
			_, _ = c.ExecContext(context.WithoutCancel(ctx), busyTimeout)
			return nil, fmt.Errorf("store: begin: %w", err)
		}
		if busySince.IsZero() {
			busySince = time.Now()
		} else if time.Since(busySince) >= busyWait {
			_, _ = c.ExecContext(context.WithoutCancel(ctx), busyTimeout)
			return nil, ErrBusy
		}
		select {
		case <-ctx.Done():
			_, _ = c.ExecContext(context.WithoutCancel(ctx), busyTimeout)
			return nil, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// isBusy says whether err is SQLite's SQLITE_BUSY (any extended code).
func isBusy(err error) bool {
	var e interface{ Code() int }
	return errors.As(err, &e) && e.Code()&0xff == sqliteBusy
}

// sqliteBusy is SQLITE_BUSY's primary result code.
const sqliteBusy = 5
