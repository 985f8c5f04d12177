package app

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// A platform's client keeps its connections between calls: 40 calls at
// once, five times over, open about 40 connections, not one a call (Go's
// default client keeps 2 idle per host, and each of the rest would be a
// new TCP and, on the real platform, TLS handshake).
func TestPlatformClientReusesConnections(t *testing.T) {
	var opened atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := platformClient()
	const together, rounds = 40, 5
	for range rounds {
		var wg sync.WaitGroup
		for range together {
			wg.Go(func() {
				resp, err := c.Get(srv.URL)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			})
		}
		wg.Wait()
	}
	if n := opened.Load(); n > together+together/2 {
		t.Errorf("%d calls, %d at once, opened %d connections; want about %d", together*rounds, together, n, together)
	}
}
