package bot

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xabot/internal/channel/console"
	"xabot/internal/chat"
	"xabot/internal/domain"
	"xabot/internal/service/officials"
)

// TestStaffTranscripts replays testdata/staff/*.txt: the officials' and
// the chairman's screens on each channel. Besides the lines of
// TestTranscripts a file may say
//
//	@channel telegram|zalo|terminal   where the users write from (first line):
//	                                  Zalo numbers the choices (no buttons, no
//	                                  keyboard), the terminal is the real
//	                                  console channel (buttons pressed by number)
//	@official USER ROLE NAME | FIELD, FIELD   invite and register USER's chat
//	                                  (ROLE official, head, chairman, admin)
//	@feedback USER CATEGORY TEXT      USER (consented) sends a feedback message
//	@job due-soon|apology-duty|overdue|reception-remind|reception-list
//	                                  run that job now
//	@job announce                     queue the announcements due, report those sent
//	@outbox                           the pending pushes are made, and every
//	                                  notice queued is shown ("< ✉ chat") and
//	                                  marked sent
//
// A "@…" line is kept in the output as it is; what it causes is not shown.
func TestStaffTranscripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/staff/*.txt")
	if len(files) == 0 {
		t.Fatal("no transcripts in testdata/staff/")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := replayStaff(t, string(raw))
			golden(t, file, string(raw), got, "StaffTranscripts")
		})
	}
}

// staffScreen is one channel of a staff transcript.
type staffScreen struct {
	f        *staffFixture
	channel  chat.Channel
	rec      *recorder
	consoles map[string]*console.Console
	typed    map[string]*lineFeed // what each terminal user types next
	out      bytes.Buffer         // the terminal's screen
}

func replayStaff(t *testing.T, raw string) string {
	lines := strings.Split(strings.TrimRight(raw, "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "@channel ") {
		t.Fatal("a staff transcript starts with @channel telegram|zalo|terminal")
	}
	s := newStaffScreen(t, strings.TrimPrefix(lines[0], "@channel "))
	user := "100"
	var got strings.Builder
	for _, line := range lines {
		switch {
		case strings.HasPrefix(line, "< "):
			continue
		case strings.HasPrefix(line, "#") || line == "" || strings.HasPrefix(line, "@channel "):
			got.WriteString(line + "\n")
		case strings.HasPrefix(line, "@user "):
			user = strings.TrimPrefix(line, "@user ")
			got.WriteString(line + "\n")
		case strings.HasPrefix(line, "@wait "):
			d, err := time.ParseDuration(strings.TrimPrefix(line, "@wait "))
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			s.f.now = s.f.now.Add(d)
			got.WriteString(line + "\n")
		case strings.HasPrefix(line, "@official "):
			s.official(strings.TrimPrefix(line, "@official "))
			got.WriteString(line + "\n")
		case strings.HasPrefix(line, "@feedback "):
			s.feedback(strings.TrimPrefix(line, "@feedback "))
			got.WriteString(line + "\n")
		case strings.HasPrefix(line, "@job "):
			s.job(strings.TrimPrefix(line, "@job "))
			got.WriteString(line + "\n")
		case line == "@outbox":
			got.WriteString(line + "\n" + s.outbox())
		case strings.HasPrefix(line, "> "):
			got.WriteString(line + "\n")
			got.WriteString(s.send(user, strings.TrimPrefix(line, "> ")))
		default:
			t.Fatalf("cannot read line %q", line)
		}
	}
	return got.String()
}

func newStaffScreen(t *testing.T, channel string) *staffScreen {
	s := &staffScreen{consoles: map[string]*console.Console{}, typed: map[string]*lineFeed{}}
	switch channel {
	case "telegram":
		s.f = newStaffFixture(t)
		s.channel, s.rec = chat.Telegram, s.f.rec
	case "zalo":
		s.f = newStaffFixture(t)
		s.channel, s.rec = chat.Zalo, withZalo(s.f).rec
	case "terminal":
		s.f = newStaffFixture(t)
		s.channel = chat.Console
		c := console.New(nil, &s.out, "x", time.Now) // for its Features only
		s.f.router.cfg.Channels[chat.Console] = terminal{c, &s.out}
	default:
		t.Fatalf("@channel %q: want telegram, zalo or terminal", channel)
	}
	// The figures are as of the transcript's clock, as in production.
	s.f.svc.stats.SetClock(func() time.Time { return s.f.now })
	// The commune's fields, as a profile lists them.
	s.f.router.cfg.Fields = []string{"Hộ tịch", "Chứng thực", "Đất đai", "Xây dựng", "Tài nguyên - Môi trường"}
	return s
}

// terminal is the console channel as the router sees it, printing on the
// transcript's screen (the consoles of the users share it).
type terminal struct {
	*console.Console
	out *bytes.Buffer
}

func (s *staffScreen) key(user string) string {
	return chat.UserKey{Channel: s.channel, ID: user}.String()
}

// official invites and registers user's chat: "USER ROLE NAME | FIELDS".
func (s *staffScreen) official(spec string) {
	f := s.f
	f.t.Helper()
	head, fieldList, _ := strings.Cut(spec, "|")
	parts := strings.Fields(head)
	if len(parts) < 3 {
		f.t.Fatalf("@official %q: want USER ROLE NAME | FIELDS", spec)
	}
	user, role, name := parts[0], domain.Role(parts[1]), strings.Join(parts[2:], " ")
	isHead := role == "head"
	if isHead {
		role = domain.RoleOfficial
	}
	var fields []string
	for _, fl := range strings.Split(fieldList, ",") {
		if fl = strings.TrimSpace(fl); fl != "" {
			fields = append(fields, fl)
		}
	}
	code, _, err := f.staff.Invite(f.t.Context(), officials.ActorCLI, name, role, fields, isHead)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.staff.Register(f.t.Context(), s.key(user), code); err != nil {
		f.t.Fatal(err)
	}
}

// feedback stores a message from user: "USER CATEGORY TEXT".
func (s *staffScreen) feedback(spec string) {
	f := s.f
	f.t.Helper()
	parts := strings.SplitN(spec, " ", 3)
	if len(parts) < 3 {
		f.t.Fatalf("@feedback %q: want USER CATEGORY TEXT", spec)
	}
	key := s.key(parts[0])
	if err := f.router.cfg.Citizens.Consent(f.t.Context(), key); err != nil {
		f.t.Fatal(err)
	}
	kind := domain.KindFeedback
	if _, err := f.svc.feedback.Submit(f.t.Context(), key, kind, domain.Category(parts[1]), parts[2], false, nil, domain.Location{}); err != nil {
		f.t.Fatal(err)
	}
}

// send hands one input line to the router from user's chat and returns
// the transcript's "<" lines of what the bot answered.
func (s *staffScreen) send(user, line string) string {
	f := s.f
	f.t.Helper()
	switch s.channel {
	case chat.Zalo:
		f.seq++
		u := f.update(user, line)
		u.From.Channel = chat.Zalo
		if err := f.router.Handle(f.t.Context(), u); err != nil {
			f.t.Fatal(err)
		}
		return format(s.rec.take())
	case chat.Console:
		c, ok := s.consoles[user]
		if !ok {
			s.typed[user] = &lineFeed{}
			c = console.New(s.typed[user], &s.out, user, func() time.Time { return f.now })
			s.consoles[user] = c
		}
		s.typed[user].next = []byte(line + "\n")
		s.out.Reset()
		if err := c.Run(f.t.Context(), f.router); err != nil && err != io.EOF {
			f.t.Fatal(err)
		}
		return screenLines(s.out.String())
	}
	f.send(user, line)
	return format(s.rec.take())
}

// screenLines is the terminal's output as "<" lines, without its prompts.
func screenLines(out string) string {
	var b strings.Builder
	for _, l := range strings.Split(out, "\n") {
		if l == "" || strings.TrimSpace(l) == "👤" {
			continue
		}
		fmt.Fprintf(&b, "< %s\n", strings.TrimRight(l, " "))
	}
	return b.String()
}

// lineFeed is a terminal's keyboard: one line, then the end of input, so
// each Run of the console handles exactly that line.
type lineFeed struct{ next []byte }

func (l *lineFeed) Read(p []byte) (int, error) {
	if len(l.next) == 0 {
		return 0, io.EOF
	}
	n := copy(p, l.next)
	l.next = l.next[n:]
	return n, nil
}

// outbox makes the pending pushes and shows, then marks sent, every
// notice queued, in the order the outbox would send them.
func (s *staffScreen) outbox() string {
	f := s.f
	f.t.Helper()
	ctx := f.t.Context()
	if _, err := f.router.cfg.Notify.PushChanges(ctx); err != nil {
		f.t.Fatal(err)
	}
	var b strings.Builder
	for {
		rows, err := f.db.DueOutgoing(ctx, f.now.Add(24*time.Hour), 100)
		if err != nil {
			f.t.Fatal(err)
		}
		if len(rows) == 0 {
			return b.String()
		}
		for _, row := range rows {
			b.WriteString("< ✉ " + row.To + "\n" + format([]chat.Reply{decodeNotice(f.t, row.Payload)}))
			if err := f.db.MarkSent(ctx, row.ID, f.now); err != nil {
				f.t.Fatal(err)
			}
		}
	}
}

// job runs one of the morning jobs at the transcript's clock.
func (s *staffScreen) job(name string) {
	f := s.f
	f.t.Helper()
	n := f.svc.notices
	book := f.svc.receptions
	run := map[string]func(context.Context, time.Time) (int, error){
		"due-soon": n.DueSoon, "apology-duty": n.ApologyDuty, "overdue": n.Overdue,
		"reception-remind": book.Remind, "reception-list": book.List, "announce": f.svc.announce.Tick}[name]
	if run == nil {
		f.t.Fatalf("@job %q: want due-soon, apology-duty, overdue, reception-remind, reception-list or announce", name)
	}
	if _, err := run(f.t.Context(), f.now); err != nil {
		f.t.Fatal(err)
	}
}
