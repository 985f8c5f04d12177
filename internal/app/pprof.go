package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/pprof"

	"golang.org/x/sync/errgroup"
)

// pprofMux is Go's profiler (CPU, heap, goroutines, traces) on a mux of its
// own: it is served only on XABOT_PPROF_ADDR, never beside the webhooks,
// since a heap profile shows what the process holds.
func pprofMux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /debug/pprof/", pprof.Index)
	m.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	m.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	m.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	m.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	return m
}

// servePprof runs the profiler's server on addr in g until ctx is done.
// A CPU profile or trace lasts as long as asked (?seconds=N), so the
// server has no write timeout, and stopping closes it at once rather than
// wait for a profile in hand.
func servePprof(ctx context.Context, g *errgroup.Group, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: pprofMux(), ReadHeaderTimeout: readHeaderTimeout}
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-ctx.Done()
		return srv.Close()
	})
	return nil
}
