package bot

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"xabot/internal/channel/console"
	"xabot/internal/chat"
)

// TestChannelTranscripts replays testdata/talk/NAME.CHANNEL.txt: the same
// conversation as a citizen has it on Telegram (buttons pressed as
// "[data]", as in testdata/*.txt), on Zalo (no buttons: choices numbered,
// typed) and in the terminal (the console channel itself: buttons printed
// "[1] …" and pressed by typing their number). Run with -update to rewrite
// them after a deliberate change, then read the diff.
func TestChannelTranscripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/talk/*.txt")
	if len(files) == 0 {
		t.Fatal("no transcripts in testdata/talk/")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txt")
		ch := filepath.Ext(name)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var say func(line string) string
			switch ch {
			case ".telegram":
				f := newFixture(t, chat.Features{Buttons: true, Keyboard: true, ShareContact: true, MaxText: 4096})
				say = func(line string) string { f.send("100", line); return format(f.rec.take()) }
			case ".zalo":
				say = zaloSayer(t)
			case ".console":
				say = consoleSayer(t)
			default:
				t.Fatalf("%s: the name must end in .telegram, .zalo or .console", file)
			}
			var got strings.Builder
			for _, line := range strings.Split(strings.TrimRight(string(raw), "\n"), "\n") {
				switch {
				case strings.HasPrefix(line, "< "):
					continue
				case strings.HasPrefix(line, "#") || line == "":
					got.WriteString(line + "\n")
				case strings.HasPrefix(line, "> "):
					got.WriteString(line + "\n" + say(strings.TrimPrefix(line, "> ")))
				default:
					t.Fatalf("%s: cannot read line %q", file, line)
				}
			}
			golden(t, file, string(raw), got.String(), "ChannelTranscripts")
		})
	}
}

// zaloSayer sends each line as a Zalo citizen's text (or command) to a
// router whose Zalo channel shows no buttons, as the adapter says.
func zaloSayer(t *testing.T) func(string) string {
	f := newFixture(t, chat.Features{MaxText: 2000})
	f.router.cfg.Channels[chat.Zalo] = f.rec
	return func(line string) string {
		u := f.update("200", line)
		u.From.Channel = chat.Zalo
		if err := f.router.Handle(t.Context(), u); err != nil {
			t.Fatalf("Handle(%q): %v", line, err)
		}
		return format(f.rec.take())
	}
}

// consoleSayer types each line into the terminal channel running over the
// router, and returns what it printed for that line.
func consoleSayer(t *testing.T) func(string) string {
	f := newFixture(t, chat.Features{})
	in, typed := io.Pipe()
	out := &lockedBuffer{}
	con := console.New(in, out, "300", func() time.Time { return f.now })
	f.router.cfg.Channels[chat.Console] = con
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(t.Context())
	go func() { _ = con.Run(ctx, handled{f.router, done}) }()
	t.Cleanup(func() { cancel(); typed.Close() })
	return func(line string) string {
		if _, err := io.WriteString(typed, line+"\n"); err != nil {
			t.Fatal(err)
		}
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("%q: no answer within 5 s", line)
		}
		var b strings.Builder
		for _, l := range strings.Split(strings.ReplaceAll(out.take(), "\n👤 ", "\n"), "\n") {
			if strings.TrimSpace(l) != "" {
				b.WriteString("< " + strings.TrimRight(l, " ") + "\n")
			}
		}
		return b.String()
	}
}

// handled tells when the router has handled an update.
type handled struct {
	r    *Router
	done chan<- struct{}
}

func (h handled) Handle(ctx context.Context, u chat.Update) error {
	defer func() { h.done <- struct{}{} }()
	return h.r.Handle(ctx, u)
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	l.b.Reset()
	return s
}
