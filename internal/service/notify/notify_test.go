package notify_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
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
	// Võ Thị Phương (Đất đai, Hộ tịch) is invited but never registered.
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

// newFixture opens a fresh database and registers the staff above
// through the officials service.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "xabot.db"))
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	clock := at(2026, time.November, 20, 9, 0)
	db.SetClock(func() time.Time { return clock })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	staff := officials.New(db, func() time.Time { return clock }, log)
	profile := commune.Default()
	cal, err := profile.Calendar()
	if err != nil {
		t.Fatalf("Calendar: %v", err)
	}
	f := &fixture{db: db, staff: staff, rec: &recorder{seen: map[string]bool{}}}
	f.svc = notify.New(db, staff, f.rec, cal, hcm, profile.Office, log)

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
	} {
		code, _, err := staff.Invite(ctx, officials.ActorCLI, o.name, o.role, o.fields, o.head)
		if err != nil {
			t.Fatalf("Invite(%s): %v", o.name, err)
		}
		if o.chat == "" {
			continue
		}
		reg, err := staff.Register(ctx, o.chat, code)
		if err != nil {
			t.Fatalf("Register(%s): %v", o.name, err)
		}
		if o.chat == chatRevoked {
			if _, err := staff.Revoke(ctx, officials.ActorCLI, reg.ID); err != nil {
				t.Fatalf("Revoke(%s): %v", o.name, err)
			}
		}
	}
	return f
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

const code = "H55.20-261102-0001"

func TestDueSoon(t *testing.T) {
	tests := []struct {
		name string
		edit func(*domain.Dossier)
		to   []string // recipients; none: no alert
		days string   // working days left said in the alert
		due  string
	}{
		{"due Thu 26/11, 1 working day", nil, []string{chatBinh}, "1", "26/11/2026"},
		{"due Fri 27/11, 2 working days", func(d *domain.Dossier) { d.DueAt = due(11, 27) }, []string{chatBinh}, "2", "27/11/2026"},
		{"due Mon 30/11, 3 working days", func(d *domain.Dossier) { d.DueAt = due(11, 30) }, nil, "", ""},
		{"due today", func(d *domain.Dossier) { d.DueAt = due(11, 25) }, []string{chatBinh}, "0", "25/11/2026"},
		{"due today at midnight", func(d *domain.Dossier) { d.DueAt = at(2026, 11, 25, 0, 0) }, []string{chatBinh}, "0", "25/11/2026"},
		{"overdue since Mon 23/11", func(d *domain.Dossier) { d.DueAt = due(11, 23) }, nil, "", ""},
		{"new (1)", func(d *domain.Dossier) { d.Status = domain.StatusNew }, []string{chatBinh}, "1", "26/11/2026"},
		{"accepted (2)", func(d *domain.Dossier) { d.Status = domain.StatusAccepted }, []string{chatBinh}, "1", "26/11/2026"},
		{"supplement requested (5)", func(d *domain.Dossier) { d.Status = domain.StatusSupplementRequested }, nil, "", ""},
		{"payment required (6)", func(d *domain.Dossier) { d.Status = domain.StatusPaymentRequired }, nil, "", ""},
		{"handler without accents, other case", func(d *domain.Dossier) { d.Handler = "TRAN thi binh" }, []string{chatBinh}, "1", "26/11/2026"},
		{"handler with odd spacing", func(d *domain.Dossier) { d.Handler = "  trần  Thị   BÌNH " }, []string{chatBinh}, "1", "26/11/2026"},
		{"handler outside the field: only them", func(d *domain.Dossier) { d.Handler = "Phạm Thị Dung" }, []string{chatHead}, "1", "26/11/2026"},
		{"no handler match: the field's officials", func(d *domain.Dossier) { d.Handler = "Người Lạ" }, []string{chatBinh, chatCuong}, "1", "26/11/2026"},
		{"no handler, field in other case", func(d *domain.Dossier) { d.Handler, d.Field = "", "hộ TỊCH" }, []string{chatBinh, chatCuong}, "1", "26/11/2026"},
		{"revoked handler: the field's officials", func(d *domain.Dossier) { d.Handler = "Hoàng Văn Em" }, []string{chatBinh, chatCuong}, "1", "26/11/2026"},
		{"field nobody active has: the head", func(d *domain.Dossier) { d.Handler, d.Field = "", "Đất đai" }, []string{chatHead}, "1", "26/11/2026"},
		{"unbound handler, field of revoked and unbound only: the head", func(d *domain.Dossier) { d.Handler, d.Field = "Võ Thị Phương", "Đất đai" }, []string{chatHead}, "1", "26/11/2026"},
		{"extended to Thu 26/11 after being overdue", func(d *domain.Dossier) {
			d.DueAt, d.ExtendedDueAt, d.ExtensionReason = due(11, 18), due(11, 26), "xác minh"
		}, []string{chatBinh}, "1", "26/11/2026"},
		{"extended from 26/11 to 02/12", func(d *domain.Dossier) {
			d.ExtendedDueAt, d.ExtensionReason = due(12, 2), "xác minh"
		}, nil, "", ""},
	}
	for _, s := range []domain.Status{domain.StatusNotAccepted, domain.StatusWithdrawn, domain.StatusStopped,
		domain.StatusDone, domain.StatusReturned} {
		tests = append(tests, struct {
			name string
			edit func(*domain.Dossier)
			to   []string
			days string
			due  string
		}{"ended: " + s.String(), func(d *domain.Dossier) {
			d.Status, d.FinishedAt = s, at(2026, 11, 20, 10, 0)
		}, nil, "", ""})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			d := dossier(code, domain.StatusInProgress, due(11, 26))
			if tt.edit != nil {
				tt.edit(&d)
			}
			f.put(t, d)
			n := run(t, "DueSoon", f.svc.DueSoon, wed)
			got := f.rec.take()
			if n != len(tt.to) || !slices.Equal(recipients(got), tt.to) {
				t.Fatalf("DueSoon = %d, to %v; want %d to %v", n, recipients(got), len(tt.to), tt.to)
			}
			for _, g := range got {
				if want := "due-soon|2026-11-25|" + code + "|" + g.To; g.Key != want {
					t.Errorf("key %q, want %q", g.Key, want)
				}
				if g.Priority != domain.PriorityAlert || len(g.Buttons) != 0 ||
					!slices.Equal(lineKeys(g), []string{"alert.due_soon", "alert.dossier"}) {
					t.Errorf("notice %+v", g)
				}
				a := g.Lines[0].Args
				if a["code"] != code || a["days"] != tt.days || a["due"] != tt.due {
					t.Errorf("alert.due_soon args %v, want days %s due %s", a, tt.days, tt.due)
				}
				b := g.Lines[1].Args
				if b["procedure"] != "Đăng ký khai sinh" || b["field"] != d.Field || b["received"] != "02/11/2026" ||
					b["applicant"] != domain.MaskName(d.ApplicantName) || strings.Contains(b["applicant"], "Văn An") {
					t.Errorf("alert.dossier args %v", b)
				}
			}
		})
	}
}

// TestDueSoonDays runs the job over several days on the same dossiers: a
// rerun adds nothing, days off send nothing, the next working day sends
// new keys.
func TestDueSoonDays(t *testing.T) {
	f := newFixture(t)
	f.put(t,
		dossier("H55.20-261102-0025", domain.StatusInProgress, due(11, 25)),
		dossier("H55.20-261102-0026", domain.StatusInProgress, due(11, 26)),
		dossier("H55.20-261102-0027", domain.StatusInProgress, due(11, 27)),
		dossier("H55.20-261102-0030", domain.StatusInProgress, due(11, 30)),
	)
	codesOf := func(ns []domain.Notice) []string {
		var cs []string
		for _, n := range ns {
			cs = append(cs, n.Lines[0].Args["code"]+"="+n.Lines[0].Args["days"])
		}
		slices.Sort(cs)
		return cs
	}
	wedWant := []string{"H55.20-261102-0025=0", "H55.20-261102-0026=1", "H55.20-261102-0027=2"}

	if n := run(t, "DueSoon", f.svc.DueSoon, wed); n != 3 {
		t.Errorf("Wed: sent %d, want 3", n)
	}
	first := f.rec.take()
	if got := codesOf(first); !slices.Equal(got, wedWant) {
		t.Errorf("Wed: %v, want %v", got, wedWant)
	}

	// Rerun, and a run at 00:30 local (still Wednesday, 17:30 UTC Tuesday):
	// the same keys, nothing new.
	for _, when := range []time.Time{wed.Add(3 * time.Hour), time.Date(2026, 11, 24, 17, 30, 0, 0, time.UTC)} {
		if n := run(t, "DueSoon", f.svc.DueSoon, when); n != 0 {
			t.Errorf("rerun at %s: sent %d, want 0", when, n)
		}
		if again := f.rec.take(); !slices.Equal(keys(again), keys(first)) {
			t.Errorf("rerun at %s keys %v, want %v", when, keys(again), keys(first))
		}
	}

	// Days off: Tue 24/11 (Ngày Văn hóa Việt Nam, also 23:30 local seen from
	// UTC), Sat 28/11, Sun 29/11.
	for _, when := range []time.Time{
		at(2026, 11, 24, 7, 30), time.Date(2026, 11, 24, 16, 30, 0, 0, time.UTC),
		at(2026, 11, 28, 7, 30), at(2026, 11, 29, 7, 30),
	} {
		if n := run(t, "DueSoon", f.svc.DueSoon, when); n != 0 {
			t.Errorf("day off %s: sent %d", when, n)
		}
		if got := f.rec.take(); len(got) != 0 {
			t.Errorf("day off %s: notices %v", when, keys(got))
		}
	}

	// Thu 26/11: the dossier due 25/11 is now overdue; 30/11 comes in.
	thu := at(2026, 11, 26, 7, 30)
	if n := run(t, "DueSoon", f.svc.DueSoon, thu); n != 3 {
		t.Errorf("Thu: sent %d, want 3", n)
	}
	got := f.rec.take()
	if want := []string{"H55.20-261102-0026=0", "H55.20-261102-0027=1", "H55.20-261102-0030=2"}; !slices.Equal(codesOf(got), want) {
		t.Errorf("Thu: %v, want %v", codesOf(got), want)
	}
	for _, n := range got {
		if !strings.HasPrefix(n.Key, "due-soon|2026-11-26|") || slices.Contains(keys(first), n.Key) {
			t.Errorf("Thu key %q: want a new key of 2026-11-26", n.Key)
		}
	}
}
