package notify_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh without the system's zoneinfo

	"xabot/internal/commune"
	"xabot/internal/domain"
	"xabot/internal/service/notify"
	"xabot/internal/service/officials"
	"xabot/internal/store"
)

// The store is the notices' Repo, the officials service their Staff.
var (
	_ notify.Repo  = (*store.DB)(nil)
	_ notify.Staff = (*officials.Service)(nil)
)

var hcm = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return loc
}()

// The commune's staff, as newFixture registers them.
const (
	chatBinh    = "tg:7001" // Trần Thị Bình, Hộ tịch
	chatCuong   = "tg:7002" // Lê Văn Cường, Hộ tịch
	chatHead    = "tg:7003" // Phạm Thị Dung, Chứng thực, head of the one-stop shop
	chatChair   = "tg:7004" // Nguyễn Văn Hải, chairman
	chatRevoked = "tg:7005" // Hoàng Văn Em, Hộ tịch and Đất đai, revoked
	chatExChair = "tg:7006" // Đỗ Văn Cũ, a former chairman, revoked
	// Võ Thị Phương (Đất đai, Hộ tịch) and Bùi Thị Mới (chairman) are
	// invited but never registered.
)

// at is a local time in the commune.
func at(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, hcm) }

// due is an appointment on day d of month m 2026, 17:00 local.
func due(m time.Month, d int) time.Time { return at(2026, m, d, 17, 0) }

// wed is the reference run: Wed 25 Nov 2026, 07:30, the day after the
// Ngày Văn hóa Việt Nam holiday (Tue 24 Nov).
var wed = at(2026, time.November, 25, 7, 30)

// recorder is the Sender: it keeps every notice and, like the outbox,
// reports a key as new only the first time.
type recorder struct {
	mu   sync.Mutex
	seen map[string]bool
	got  []domain.Notice
}

func (r *recorder) Notify(_ context.Context, n domain.Notice) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, n)
	if r.seen[n.Key] {
		return false, nil
	}
	r.seen[n.Key] = true
	return true, nil
}

// take returns the notices recorded since the last take.
func (r *recorder) take() []domain.Notice {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.got
	r.got = nil
	return got
}

type fixture struct {
	db    *store.DB
	staff *officials.Service
	rec   *recorder
	svc   *notify.Service
}

// clock is the time of the officials' invites and of the store's stamps.
var clock = at(2026, time.November, 20, 9, 0)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// template is a database file with the migrations applied and the staff
// above invited and registered through the officials service, built once:
// migrating under -race costs a tenth of a second per database.
var template = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "notify-test-")
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
	db.SetClock(func() time.Time { return clock })
	staff := officials.New(db, func() time.Time { return clock }, quiet)
	for _, o := range []struct {
		name, chat string
		role       domain.Role
		fields     []string
		head       bool
	}{
		{"Trần Thị Bình", chatBinh, domain.RoleOfficial, []string{"Hộ tịch"}, false},
		{"Lê Văn Cường", chatCuong, domain.RoleOfficial, []string{"Hộ tịch", "Chứng thực"}, false},
		{"Phạm Thị Dung", chatHead, domain.RoleOfficial, []string{"Tư pháp"}, true},
		{"Nguyễn Văn Hải", chatChair, domain.RoleChairman, nil, false},
		{"Hoàng Văn Em", chatRevoked, domain.RoleOfficial, []string{"Hộ tịch", "Đất đai"}, false},
		{"Võ Thị Phương", "", domain.RoleOfficial, []string{"Đất đai", "Hộ tịch"}, false},
		{"Đỗ Văn Cũ", chatExChair, domain.RoleChairman, nil, false},
		{"Bùi Thị Mới", "", domain.RoleChairman, nil, false},
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
		if o.chat == chatRevoked || o.chat == chatExChair {
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

// newFixture opens a copy of the template database.
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
	db.SetClock(func() time.Time { return clock })
	staff := officials.New(db, func() time.Time { return clock }, quiet)
	profile := commune.Default()
	cal, err := profile.Calendar()
	if err != nil {
		t.Fatalf("Calendar: %v", err)
	}
	f := &fixture{db: db, staff: staff, rec: &recorder{seen: map[string]bool{}}}
	f.svc = notify.New(db, staff, f.rec, cal, hcm, profile.Office, quiet)
	return f
}

// TestFixtureStaff checks the premises of the routing tests: who is bound,
// revoked and pending, as the officials service lists them.
func TestFixtureStaff(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	all, err := f.staff.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range all {
		got = append(got, o.Name+" "+o.Status()+" "+o.ChatKey)
	}
	want := []string{
		"Trần Thị Bình bound " + chatBinh, "Lê Văn Cường bound " + chatCuong, "Phạm Thị Dung bound " + chatHead,
		"Nguyễn Văn Hải bound " + chatChair, "Hoàng Văn Em revoked " + chatRevoked, "Võ Thị Phương pending ",
		"Đỗ Văn Cũ revoked " + chatExChair, "Bùi Thị Mới pending ",
	}
	if !slices.Equal(got, want) {
		t.Errorf("staff\n%q\nwant\n%q", got, want)
	}
}

// dossier is an open Hộ tịch dossier received Mon 2 Nov 2026.
func dossier(code string, st domain.Status, dueAt time.Time) domain.Dossier {
	d := domain.Dossier{
		Code: code, ProcedureCode: "1.001193.000.00.00.H55", ProcedureName: "Đăng ký khai sinh",
		Field: "Hộ tịch", ApplicantName: "Nguyễn Văn An", Phone: "0905123456", Intake: domain.IntakeDirect,
		Status: st, ReceivedAt: at(2026, time.November, 2, 8, 30), DueAt: dueAt, Handler: "Trần Thị Bình",
	}
	if st.Ended() {
		d.FinishedAt = at(2026, time.November, 20, 10, 0)
	}
	return d
}

func (f *fixture) put(t *testing.T, ds ...domain.Dossier) {
	t.Helper()
	for _, d := range ds {
		if _, err := f.db.UpsertDossier(t.Context(), d, "test"); err != nil {
			t.Fatalf("UpsertDossier(%s): %v", d.Code, err)
		}
	}
}

func recipients(ns []domain.Notice) []string {
	var to []string
	for _, n := range ns {
		to = append(to, n.To)
	}
	slices.Sort(to)
	return to
}

func keys(ns []domain.Notice) []string {
	var ks []string
	for _, n := range ns {
		ks = append(ks, n.Key)
	}
	slices.Sort(ks)
	return ks
}

func lineKeys(n domain.Notice) []string {
	var ks []string
	for _, l := range n.Lines {
		ks = append(ks, l.Key)
	}
	return ks
}

type job func(context.Context, time.Time) (int, error)

func run(t *testing.T, name string, j job, when time.Time) int {
	t.Helper()
	n, err := j(t.Context(), when)
	if err != nil {
		t.Fatalf("%s(%s): %v", name, when.Format(time.RFC3339), err)
	}
	return n
}
