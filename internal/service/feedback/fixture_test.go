package feedback_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh without the system's zoneinfo

	"xabot/internal/commune"
	"xabot/internal/domain"
	"xabot/internal/service/feedback"
	"xabot/internal/service/officials"
	"xabot/internal/store"
)

// The store is the service's Repo, the officials service its Staff.
var (
	_ feedback.Repo  = (*store.DB)(nil)
	_ feedback.Staff = (*officials.Service)(nil)
)

var hcm = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return loc
}()

// The commune's staff, as the template registers them.
const (
	chatBinh    = "tg:7001" // Trần Thị Bình, Hộ tịch
	chatHead    = "tg:7003" // Phạm Thị Dung, Tư pháp, head of the one-stop shop
	chatChair   = "tg:7004" // Nguyễn Văn Hải, chairman
	chatRevoked = "tg:7005" // Hoàng Văn Em, Xây dựng, revoked
	chatGiang   = "tg:7010" // Đặng Văn Giang, Xây dựng
	chatKhoa    = "tg:7011" // Lý Minh Khoa, Tài nguyên - Môi trường
	chatLan     = "tg:7012" // Mai Thị Lan, Đất đai
	chatAdmin   = "tg:7020" // Quản Trị Viên, admin, no field
	// Võ Thị Phương (Đất đai) is invited but never registered.

	citizenA = "tg:1001"
	citizenB = "tg:1002"
)

// at is a local time in the commune.
func at(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, hcm) }

// date is a due date as the domain keeps them.
func date(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }

// fri is the reference submission: Fri 20 Nov 2026, 10:00, before a
// weekend and the Tue 24/11 holiday.
var fri = at(2026, time.November, 20, 10, 0)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// recorder is the Notifier: it keeps every notice and, like the outbox,
// reports a key as new only the first time.
type recorder struct {
	mu   sync.Mutex
	seen map[string]bool
	got  []domain.Notice
	new  []domain.Notice // the notices whose key was new
}

func (r *recorder) Notify(_ context.Context, n domain.Notice) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, n)
	if r.seen[n.Key] {
		return false, nil
	}
	r.seen[n.Key] = true
	r.new = append(r.new, n)
	return true, nil
}

// take returns the notices recorded since the last take.
func (r *recorder) take() []domain.Notice {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.got
	r.got, r.new = nil, nil
	return got
}

// takeNew returns the notices with a new key recorded since the last take.
func (r *recorder) takeNew() []domain.Notice {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.new
	r.got, r.new = nil, nil
	return got
}

// clock is the settable time of the service and the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

type fixture struct {
	db    *store.DB
	staff *officials.Service
	rec   *recorder
	clock *clock
	svc   *feedback.Service
	ids   map[string]int64 // chat key → official id
}

// template is a database file with the migrations applied and the staff
// above invited and registered through the officials service, built once.
var template = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "feedback-test-")
	if err != nil {
		return "", err
	}
	templateDir = dir
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "build.db"))
	if err != nil {
		return "", err
	}
	defer db.Close()
	now := func() time.Time { return at(2026, time.November, 2, 9, 0) }
	db.SetClock(now)
	staff := officials.New(db, now, quiet)
	for _, o := range []struct {
		name, chat string
		role       domain.Role
		fields     []string
		head       bool
	}{
		{"Trần Thị Bình", chatBinh, domain.RoleOfficial, []string{"Hộ tịch"}, false},
		{"Phạm Thị Dung", chatHead, domain.RoleOfficial, []string{"Tư pháp"}, true},
		{"Nguyễn Văn Hải", chatChair, domain.RoleChairman, nil, false},
		{"Hoàng Văn Em", chatRevoked, domain.RoleOfficial, []string{"Xây dựng"}, false},
		{"Đặng Văn Giang", chatGiang, domain.RoleOfficial, []string{"Xây dựng"}, false},
		{"Lý Minh Khoa", chatKhoa, domain.RoleOfficial, []string{"Tài nguyên - Môi trường"}, false},
		{"Mai Thị Lan", chatLan, domain.RoleOfficial, []string{"Đất đai"}, false},
		{"Võ Thị Phương", "", domain.RoleOfficial, []string{"Đất đai"}, false},
		{"Quản Trị Viên", chatAdmin, domain.RoleAdmin, nil, false},
	} {
		code, _, err := staff.Invite(ctx, officials.ActorCLI, o.name, o.role, o.fields, o.head)
		if err != nil {
			return "", fmt.Errorf("Invite(%s): %w", o.name, err)
		}
		if o.chat == "" {
			continue
		}
		reg, err := staff.Register(ctx, o.chat, code)
		if err != nil {
			return "", fmt.Errorf("Register(%s): %w", o.name, err)
		}
		if o.chat == chatRevoked {
			if _, err := staff.Revoke(ctx, officials.ActorCLI, reg.ID); err != nil {
				return "", fmt.Errorf("Revoke(%s): %w", o.name, err)
			}
		}
	}
	path := filepath.Join(dir, "template.db")
	return path, db.Backup(ctx, path)
})

var templateDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if templateDir != "" {
		os.RemoveAll(templateDir)
	}
	os.Exit(code)
}

// newFixture opens a copy of the template database, with the clock at fri.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	src, err := template()
	if err != nil {
		t.Fatalf("template database: %v", err)
	}
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "xabot.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	c := &clock{t: fri}
	db.SetClock(c.now)
	staff := officials.New(db, c.now, quiet)
	profile := commune.Default()
	cal, err := profile.Calendar()
	if err != nil {
		t.Fatalf("Calendar: %v", err)
	}
	sla := domain.FeedbackSLA{RefuseDays: profile.SLA.RefuseDays, MoreDays: profile.SLA.SupplementDays, AnswerDays: profile.SLA.AnswerDays}
	f := &fixture{db: db, staff: staff, rec: &recorder{seen: map[string]bool{}}, clock: c, ids: map[string]int64{}}
	f.svc = feedback.New(db, staff, f.rec, cal, hcm, sla, profile.Routing(), c.now, quiet)
	all, err := staff.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range all {
		if o.ChatKey != "" {
			f.ids[o.ChatKey] = o.ID
		}
	}
	return f
}

const lampText = "Đèn đường trước nhà văn hóa thôn An Hòa bị hỏng ba hôm nay."

// submit sends a feedback about roads and lighting from citizen at the
// fixture's time.
func (f *fixture) submit(t *testing.T, citizen string) feedback.Ack {
	t.Helper()
	ack, err := f.svc.Submit(t.Context(), citizen, domain.KindFeedback, domain.CatRoadsLighting, lampText, false, nil, domain.Location{})
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	return ack
}

func (f *fixture) get(t *testing.T, ticket string) domain.Feedback {
	t.Helper()
	fb, err := f.db.FeedbackByTicket(t.Context(), ticket)
	if err != nil {
		t.Fatalf("FeedbackByTicket(%s): %v", ticket, err)
	}
	return fb
}

func recipients(ns []domain.Notice) []string {
	var to []string
	for _, n := range ns {
		to = append(to, n.To)
	}
	slices.Sort(to)
	return to
}

func lineKeys(n domain.Notice) []string {
	var ks []string
	for _, l := range n.Lines {
		ks = append(ks, l.Key)
	}
	return ks
}

// buttonData lists what n's buttons do, "kind ref arg" ("act PA-2611-0042 take").
func buttonData(n domain.Notice) []string {
	var ds []string
	for _, b := range n.Buttons {
		i := b.Intent
		ds = append(ds, strings.TrimSpace(string(i.Kind)+" "+i.Ref+" "+i.Arg))
	}
	return ds
}

// wantInvalid fails unless err is a *domain.InvalidError with key.
func wantInvalid(t *testing.T, err error, key string) *domain.InvalidError {
	t.Helper()
	var ie *domain.InvalidError
	if !errors.As(err, &ie) || ie.Key != key {
		t.Fatalf("err = %v, want InvalidError %s", err, key)
	}
	return ie
}
