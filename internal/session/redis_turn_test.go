package session

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// go-redis sends a command again when its reply is lost (a read timeout, a
// dropped connection). A Stage whose first run went through but whose
// reply was lost must still say true on the retry: a false would have the
// router skip the update as staged by someone else, and the person would
// get no answer at all.
func TestRedisStageSurvivesALostReply(t *testing.T) {
	rdb := testRedis(t)
	proxy := newDropProxy(t, rdb.Options().Addr)
	opts := *rdb.Options()
	opts.Addr = proxy.addr
	client := redis.NewClient(&opts)
	t.Cleanup(func() { client.Close() })
	s := newTestRedis(t, client, testPrefix(t, rdb), testNS, time.Hour, time.Hour)
	ctx := t.Context()
	// The script loaded and a connection open, so the next reply through
	// the proxy is the Stage's own.
	if err := stageScript.Load(ctx, client).Err(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		update  string
		replies int
	}{{"with replies", "tg:77", 2}, {"without replies", "tg:78", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			proxy.dropNext.Store(true)
			ok, err := s.Stage(ctx, tc.update, "tg:42", testReplies[:tc.replies], &Session{V: Version, Flow: "lookup"})
			if err != nil || !ok {
				t.Fatalf("Stage with its first reply lost = %v, %v; want true", ok, err)
			}
			if proxy.dropped.Load() == 0 {
				t.Fatal("no reply was dropped: the test did not test")
			}
			got := mustBegin(t, s, tc.update, "tg:42")
			if staged := got.Staged != nil && len(got.Staged.Replies) == tc.replies; !staged && !got.Handled {
				t.Errorf("Begin after the retried Stage = %+v", got)
			}
			if ok, err := s.Stage(ctx, tc.update, "tg:42", testReplies, nil); ok || err != nil {
				t.Errorf("another Stage of the update = %v, %v; want false", ok, err)
			}
		})
	}
}

// dropProxy forwards TCP to a Redis; armed, it swallows the next reply and
// drops that connection, as a network losing a reply does.
type dropProxy struct {
	addr     string
	dropNext atomic.Bool
	dropped  atomic.Int32
}

func newDropProxy(t *testing.T, target string) *dropProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dropProxy{addr: ln.Addr().String()}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			wg.Go(func() { io.Copy(r, c); r.Close() })
			wg.Go(func() { p.back(c, r) })
		}
	})
	return p
}

// back copies Redis's replies to the client, unless one is to be dropped.
func (p *dropProxy) back(c, r net.Conn) {
	defer c.Close()
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		if err != nil {
			return
		}
		if p.dropNext.CompareAndSwap(true, false) {
			p.dropped.Add(1)
			r.Close()
			return
		}
		if _, err := c.Write(buf[:n]); err != nil {
			return
		}
	}
}
