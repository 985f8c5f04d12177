package session

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// holdFirst holds the client's first pipeline until release is closed,
// and counts the round trips: pipelines and commands sent alone.
type holdFirst struct {
	pipelines atomic.Int32
	alone     atomic.Int32
	held      chan struct{} // closed once the first pipeline waits
	release   chan struct{}
}

func (h *holdFirst) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *holdFirst) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.alone.Add(1)
		return next(ctx, cmd)
	}
}
func (h *holdFirst) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if name := cmds[0].Name(); name == "hello" || name == "client" || name == "auth" || name == "select" {
			return next(ctx, cmds) // a connection's set-up
		}
		if h.pipelines.Add(1) == 1 {
			close(h.held)
			<-h.release
		}
		return next(ctx, cmds)
	}
}

// The turns' calls made while a pipeline is out go to Redis together in
// the next, each answered with its own results.
func TestRedisTurnCallsShareAPipeline(t *testing.T) {
	rdb := testRedis(t)
	client := redis.NewClient(rdb.Options())
	t.Cleanup(func() { client.Close() })
	h := &holdFirst{held: make(chan struct{}), release: make(chan struct{})}
	client.AddHook(h)
	s := newTestRedis(t, client, testPrefix(t, rdb), testNS, time.Hour, time.Hour)
	ctx := t.Context()
	first := make(chan error, 1)
	go func() { first <- s.Done(ctx, "tg:1") }()
	<-h.held
	const n = 30
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Go(func() {
			update, user := fmt.Sprint("tg:", 100+i), fmt.Sprint("tg:", 500+i)
			ok, err := s.Stage(ctx, update, user, testReplies[:1], &Session{V: Version, Flow: fmt.Sprint("f", i)})
			if err == nil && !ok {
				err = fmt.Errorf("%s not staged", update)
			}
			errs <- err
		})
	}
	time.Sleep(200 * time.Millisecond) // the stages queued behind the held pipeline
	close(h.release)
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// The held Done, then the stages (the script unknown to a fresh Redis
	// costs one call of its own, EVAL, after the EVALSHA batch).
	if p, a := h.pipelines.Load(), h.alone.Load(); p+a > 3 {
		t.Errorf("%d calls made together took %d pipelines and %d commands alone, want at most 3 round trips", n+1, p, a)
	}
	for _, i := range []int{0, n - 1} {
		turn, err := s.Begin(ctx, fmt.Sprint("tg:", 100+i), fmt.Sprint("tg:", 500+i))
		if err != nil || turn.Staged == nil || turn.Session.Flow != fmt.Sprint("f", i) {
			t.Errorf("turn %d = %+v, %v; want staged, flow f%d", i, turn, err, i)
		}
	}
	if turn, err := s.Begin(ctx, "tg:1", "tg:9"); err != nil || !turn.Handled {
		t.Errorf("held Done: %+v, %v; want handled", turn, err)
	}
}

// A script Redis has not seen (a new or flushed Redis) is loaded and run:
// EVALSHA's NOSCRIPT is not the caller's answer.
func TestRedisBatchedScriptNotLoadedYet(t *testing.T) {
	rdb := testRedis(t)
	s := newTestRedis(t, rdb, testPrefix(t, rdb), testNS, time.Hour, time.Hour)
	fresh := redis.NewScript("return '" + rand.Text() + "'")
	for range 2 {
		got, err := s.script(t.Context(), fresh, nil).Text()
		if err != nil || len(got) == 0 {
			t.Fatalf("script = %q, %v; want its text", got, err)
		}
	}
}

// A caller whose context ends is answered at once, even while Redis does
// not answer; its commands are then not sent.
func TestRedisBatchCallerGivesUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() { // accepts and never answers
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	client := redis.NewClient(&redis.Options{Addr: ln.Addr().String(), ReadTimeout: time.Minute, MaxRetries: -1})
	t.Cleanup(func() { client.Close() })
	s := newTestRedis(t, client, "x:", testNS, time.Hour, time.Hour)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := s.Begin(ctx, "tg:1", "tg:2"); err == nil {
		t.Fatal("Begin against a silent Redis succeeded")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Begin took %v after its context ended", took)
	}
}
