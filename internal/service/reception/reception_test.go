package reception_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh without the system's zoneinfo

	"xabot/internal/commune"
	"xabot/internal/domain"
	"xabot/internal/service/officials"
	"xabot/internal/service/reception"
	"xabot/internal/store"
)

var (
	_ reception.Repo  = (*store.DB)(nil)
	_ reception.Staff = (*officials.Service)(nil)
)

var hcm = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return loc
}()

func at(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, hcm) }

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// thursdays is the demo commune's schedule: the chairman on Thursday
// mornings; and an extra session on Sunday 22 Feb 2026 at a village hall.
var thursdays = domain.ReceptionSchedule{
	Weekly: []domain.ReceptionSlot{{Weekday: time.Thursday, From: "07:30", To: "11:00", Place: "Trụ sở UBND xã", Chairman: true}},
	Extra:  []domain.ReceptionSession{{Day: day(2026, 2, 22), From: "14:00", To: "16:00", Place: "Nhà văn hóa thôn An Hòa"}},
}

// recorder is the Notifier: like the outbox, a key is new only once.
type recorder struct {
	mu   sync.Mutex
	seen map[string]bool
	got  []domain.Notice
}

func (r *recorder) Notify(_ context.Context, n domain.Notice) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen[n.Key] {
		return false, nil
	}
	r.seen[n.Key] = true
	r.got = append(r.got, n)
	return true, nil
}

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
	now   time.Time
	svc   *reception.Service
	ids   map[string]int64
}

const (
	chatChair = "tg:7004"
	chatHoa   = "tg:7001"
	citizenA  = "tg:1001"
	citizenB  = "tg:1002"
)

// newFixture is the service over a fresh SQLite file, the national
// calendar, a chairman and an official registered, at now.
func newFixture(t *testing.T, now time.Time) *fixture {
	t.Helper()
	ctx := t.Context()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cal, err := commune.Default().Calendar()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, rec: &recorder{seen: map[string]bool{}}, now: now, ids: map[string]int64{}}
	clock := func() time.Time { return f.now }
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.staff = officials.New(db, clock, quiet)
	for _, o := range []struct {
		chat, name string
		role       domain.Role
	}{{chatChair, "Nguyễn Văn Hải", domain.RoleChairman}, {chatHoa, "Trần Thị Hoa", domain.RoleOfficial}} {
		code, _, err := f.staff.Invite(ctx, officials.ActorCLI, o.name, o.role, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		reg, err := f.staff.Register(ctx, o.chat, code)
		if err != nil {
			t.Fatal(err)
		}
		f.ids[o.chat] = reg.ID
	}
	f.svc = reception.New(db, f.staff, f.rec, thursdays, cal, hcm, clock, quiet)
	return f
}

func keys(ss []domain.ReceptionSession) []string {
	var out []string
	for _, s := range ss {
		out = append(out, reception.SessionKey(s))
	}
	return out
}

func TestNextSessionsSkipHolidays(t *testing.T) {
	cases := []struct {
		now  time.Time
		want string
		why  string
	}{
		{at(2026, 2, 11, 9, 0), "20260212-0730 20260222-1400 20260226-0730 20260305-0730",
			"Thu 19 Feb 2026 is Tết: skipped; the extra Sunday session is kept"},
		{at(2026, 2, 12, 8, 0), "20260222-1400 20260226-0730 20260305-0730 20260312-0730",
			"today's session started at 7:30: no longer offered"},
		{at(2026, 2, 12, 7, 29), "20260212-0730 20260222-1400 20260226-0730 20260305-0730",
			"a minute before it starts it is still offered"},
		{at(2026, 4, 28, 9, 0), "20260507-0730 20260514-0730 20260521-0730 20260528-0730",
			"Thu 30 Apr 2026 is a holiday"},
	}
	for _, tc := range cases {
		f := newFixture(t, tc.now)
		if got := strings.Join(keys(f.svc.Next()), " "); got != tc.want {
			t.Errorf("Next() at %s = %s, want %s (%s)", tc.now, got, tc.want, tc.why)
		}
	}
	// A commune that receives on Saturdays: weekends are not days off for it.
	cal, err := commune.Default().Calendar()
	if err != nil {
		t.Fatal(err)
	}
	sat := domain.ReceptionSchedule{Weekly: []domain.ReceptionSlot{{Weekday: time.Saturday, From: "08:00", To: "10:00", Place: "P", Chairman: true}}}
	if got := strings.Join(keys(sat.Next(at(2026, 11, 25, 9, 0), hcm, cal, 2)), " "); got != "20261128-0800 20261205-0800" {
		t.Errorf("Saturday sessions = %s", got)
	}
}

func TestRegisterTickets(t *testing.T) {
	f := newFixture(t, at(2026, 11, 25, 9, 0))
	ctx := t.Context()
	me := domain.Sender{Name: "Lê Văn Bình", Phone: "0905 123 456"}
	reg := func(citizen, key string) (domain.Registration, error) {
		return f.svc.Register(ctx, citizen, key, domain.TopicLand, "Tranh chấp ranh giới đất với hộ liền kề.", me)
	}
	r1, err := reg(citizenA, "20261126-0730")
	if err != nil {
		t.Fatal(err)
	}
	if r1.Ticket != "TD-2611-0001" || !r1.Day.Equal(day(2026, 11, 26)) || r1.Sender.Phone != "0905123456" || r1.Place != "Trụ sở UBND xã" {
		t.Fatalf("first registration = %+v", r1)
	}
	r2, err := reg(citizenB, "20261126-0730")
	if err != nil || r2.Ticket != "TD-2611-0002" {
		t.Fatalf("second = %q, %v; want TD-2611-0002", r2.Ticket, err)
	}
	// A new month restarts the sequence (local month of registering).
	f.now = at(2026, 12, 1, 0, 5)
	r3, err := reg(citizenB, "20261203-0730")
	if err != nil || r3.Ticket != "TD-2612-0001" {
		t.Fatalf("December = %q, %v; want TD-2612-0001", r3.Ticket, err)
	}
	// Concurrent registrations (replicas share one database) get distinct tickets.
	var wg sync.WaitGroup
	tickets := make(chan string, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := reg(fmt.Sprintf("tg:9%03d", i), "20261210-0730")
			if err != nil {
				t.Error(err)
				return
			}
			tickets <- r.Ticket
		}()
	}
	wg.Wait()
	close(tickets)
	seen := map[string]bool{}
	for tk := range tickets {
		if seen[tk] {
			t.Errorf("ticket %s given twice", tk)
		}
		seen[tk] = true
	}
	if len(seen) != 20 || !seen["TD-2612-0021"] {
		t.Errorf("concurrent tickets = %v, want TD-2612-0002 … 0021", seen)
	}
	if got, ok := domain.ParseReceptionTicket("td 2612 21"); !ok || got != "TD-2612-0021" {
		t.Errorf("ParseReceptionTicket = %q, %v", got, ok)
	}
	if _, ok := domain.ParseReceptionTicket("PA-2612-0001"); ok {
		t.Error("a feedback ticket read as a reception ticket")
	}
	if _, ok := domain.ParseTicket("TD-2612-0001"); ok {
		t.Error("a reception ticket read as a feedback ticket")
	}
}

func TestRegisterRefusals(t *testing.T) {
	f := newFixture(t, at(2026, 11, 25, 9, 0))
	ctx := t.Context()
	me := domain.Sender{Name: "Lê Văn Bình", Phone: "0905123456"}
	ok := "Tranh chấp ranh giới đất với hộ liền kề."
	if _, err := f.svc.Register(ctx, citizenA, "20261126-0730", domain.TopicLand, ok, me); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, key, text string
		topic           domain.ReceptionTopic
		sender          domain.Sender
		want            string
		args            map[string]string
	}{
		{"too long, with the count", "20261203-0730", strings.Repeat("đ", 1001), domain.TopicLand, me,
			"reception.text_too_long", map[string]string{"count": "1001", "max": "1000"}},
		{"too short", "20261203-0730", "ngắn", domain.TopicLand, me, "reception.text_too_short", nil},
		{"started session", "20261119-0730", ok, domain.TopicLand, me, "reception.session_closed", nil},
		{"not a session", "20261127-0730", ok, domain.TopicLand, me, "reception.session_closed", nil},
		{"forged topic", "20261203-0730", ok, "weather", me, "reception.bad_topic", nil},
		{"bad phone", "20261203-0730", ok, domain.TopicLand, domain.Sender{Name: "Bình", Phone: "12"}, "feedback.bad_phone", nil},
		{"no name", "20261203-0730", ok, domain.TopicLand, domain.Sender{}, "feedback.bad_name", nil},
		{"same session twice", "20261126-0730", ok, domain.TopicOther, me, "reception.already", map[string]string{"ticket": "TD-2611-0001"}},
	}
	for _, tc := range cases {
		_, err := f.svc.Register(ctx, citizenA, tc.key, tc.topic, tc.text, tc.sender)
		var inv *domain.InvalidError
		if !errors.As(err, &inv) || inv.Key != tc.want {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want)
			continue
		}
		for k, v := range tc.args {
			if inv.Args[k] != v {
				t.Errorf("%s: %s = %q, want %q", tc.name, k, inv.Args[k], v)
			}
		}
	}
	// At most MaxOpen sessions to come at once.
	for _, key := range []string{"20261203-0730", "20261210-0730"} {
		if _, err := f.svc.Register(ctx, citizenA, key, domain.TopicLand, ok, me); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.svc.Register(ctx, citizenA, "20261217-0730", domain.TopicLand, ok, me)
	if inv := (*domain.InvalidError)(nil); !errors.As(err, &inv) || inv.Key != "reception.too_many" {
		t.Fatalf("a fourth registration: err = %v, want reception.too_many", err)
	}
	// Nothing refused was stored.
	mine, err := f.svc.Mine(ctx, citizenA)
	if err != nil || len(mine) != reception.MaxOpen {
		t.Fatalf("Mine = %d, %v; want %d", len(mine), err, reception.MaxOpen)
	}
}

func TestBookAndReport(t *testing.T) {
	f := newFixture(t, at(2026, 11, 25, 9, 0))
	ctx := t.Context()
	text := "Tranh chấp ranh giới đất với hộ liền kề."
	a, err := f.svc.Register(ctx, citizenA, "20261126-0730", domain.TopicLand, text, domain.Sender{Name: "Lê Văn Bình", Phone: "0905123456"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.svc.Register(ctx, citizenB, "20261126-0730", domain.TopicPolicy, text, domain.Sender{Name: "Trần Thị Em", Phone: "0912000111"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.Register(ctx, "tg:1003", "20261126-0730", domain.TopicOther, text, domain.Sender{Name: "Võ Văn Dũng", Phone: "0987654321"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Cancel(ctx, citizenA, c.Ticket); err == nil {
		t.Fatal("someone else's registration was cancelled")
	}
	if _, err := f.svc.Cancel(ctx, "tg:1003", c.Ticket); err != nil {
		t.Fatal(err)
	}

	// The evening before: the chairman's list, the citizens' reminders, once.
	eve := at(2026, 11, 25, 17, 0)
	if n, err := f.svc.List(ctx, eve); err != nil || n != 1 {
		t.Fatalf("List = %d, %v; want 1 (the chairman)", n, err)
	}
	list := f.rec.take()
	if len(list) != 1 || list[0].To != chatChair {
		t.Fatalf("list notices = %+v", list)
	}
	body := fmt.Sprint(list[0].Lines)
	for _, want := range []string{"Lê Văn Bình", "090****456", "Trần Thị Em", "count:2"} {
		if !strings.Contains(body, want) {
			t.Errorf("the list lacks %q: %s", want, body)
		}
	}
	for _, never := range []string{"0905123456", "Võ Văn Dũng"} {
		if strings.Contains(body, never) {
			t.Errorf("the list shows %q: %s", never, body)
		}
	}
	if n, err := f.svc.Remind(ctx, eve); err != nil || n != 2 {
		t.Fatalf("Remind = %d, %v; want 2", n, err)
	}
	f.rec.take()
	for _, job := range []func(context.Context, time.Time) (int, error){f.svc.List, f.svc.Remind} {
		if n, err := job(ctx, eve.Add(time.Minute)); err != nil || n != 0 {
			t.Errorf("a second run queued %d, %v; want 0", n, err)
		}
	}
	// The day before Tết's Thursday nothing is sent: no session.
	if n, err := f.svc.List(ctx, at(2026, 2, 18, 17, 0)); err != nil || n != 0 {
		t.Errorf("List before a holiday = %d, %v", n, err)
	}

	// After the session: only the chairman or a keeper records.
	f.now = at(2026, 11, 26, 11, 30)
	forbidden := func(err error) bool { return errors.Is(err, domain.ErrForbidden) }
	if _, err := f.svc.Record(ctx, chatHoa, a.Ticket, true, "Đã giải thích."); !forbidden(err) {
		t.Fatalf("an official without the book recorded: %v", err)
	}
	if _, err := f.svc.Record(ctx, chatChair, a.Ticket, true, "Đã giải thích, giao địa chính kiểm tra."); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Record(ctx, chatChair, a.Ticket, false, "")
	if inv := (*domain.InvalidError)(nil); !errors.As(err, &inv) || inv.Key != "reception.book.recorded" {
		t.Fatalf("recorded twice: %v", err)
	}
	_, err = f.svc.Record(ctx, chatChair, c.Ticket, true, "x")
	if inv := (*domain.InvalidError)(nil); !errors.As(err, &inv) || inv.Key != "reception.book.recorded" {
		t.Fatalf("a cancelled registration recorded: %v", err)
	}
	if _, err := f.svc.Record(ctx, chatChair, b.Ticket, true, "dòng một\ndòng hai"); err == nil {
		t.Fatal("an outcome of two lines was accepted")
	}
	if _, err := f.svc.Cancel(ctx, citizenA, a.Ticket); err == nil {
		t.Fatal("a recorded registration was cancelled")
	}
	// The book passes to Hoa; she records B absent and two walk-ins.
	if err := f.svc.SetKeeper(ctx, officials.ActorCLI, f.ids[chatHoa], true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Record(ctx, chatHoa, b.Ticket, false, ""); err != nil {
		t.Fatal(err)
	}
	ses, err := f.svc.BookSession("20261126-0730")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.WalkIn(ctx, chatHoa, &ses, "Phạm Thị Cúc", "Hướng dẫn nộp đơn."); err != nil {
		t.Fatal(err)
	}
	f.now = at(2026, 11, 27, 15, 0)
	v, err := f.svc.WalkIn(ctx, chatHoa, nil, "Đặng Văn Giang", "Kiến nghị về đường thôn.")
	if err != nil || v.Kind != domain.VisitAdHoc || !v.Day.Equal(day(2026, 11, 27)) {
		t.Fatalf("ad hoc walk-in = %+v, %v", v, err)
	}
	if err := f.svc.SetKeeper(ctx, officials.ActorCLI, f.ids[chatHoa], false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.WalkIn(ctx, chatHoa, nil, "Đặng Văn Giang", "x"); !forbidden(err) {
		t.Fatalf("the book taken back, still recorded: %v", err)
	}

	// The report: periodic 2 (A and Cúc), ad hoc 1, registered 2 (C
	// cancelled), handled 1 (B did not come).
	tally, err := f.svc.Tally(ctx, at(2026, 11, 1, 0, 0), at(2026, 11, 30, 23, 59))
	if err != nil {
		t.Fatal(err)
	}
	if want := (domain.ReceptionTally{Periodic: 2, AdHoc: 1, Registered: 2, Handled: 1}); tally != want {
		t.Fatalf("tally = %+v, want %+v", tally, want)
	}
	if t2, _ := f.svc.Tally(ctx, at(2026, 11, 27, 0, 0), at(2026, 11, 30, 0, 0)); t2 != (domain.ReceptionTally{AdHoc: 1}) {
		t.Errorf("tally of 27–30/11 = %+v, want only the ad hoc visit", t2)
	}
	l := f.svc.Sentence(tally, at(2026, 11, 1, 0, 0), at(2026, 11, 30, 0, 0), func(n int64) string { return fmt.Sprint(n) })
	want := map[string]string{"from": "01/11/2026", "to": "30/11/2026", "periodic": "2", "adhoc": "1", "registered": "2", "handled": "1"}
	for k, v := range want {
		if l.Key != "reception.report" || l.Args[k] != v {
			t.Errorf("sentence %s: %s = %q, want %q", l.Key, k, l.Args[k], v)
		}
	}

	// /xoadulieu: the records stay, without the person.
	if n, err := f.svc.Forget(ctx, citizenA); err != nil || n != 1 {
		t.Fatalf("Forget = %d, %v", n, err)
	}
	regs, err := f.svc.Registrations(ctx, chatChair, ses)
	if err != nil || len(regs) != 2 {
		t.Fatalf("registrations after forget = %d, %v", len(regs), err)
	}
	if regs[0].Citizen != "" || !regs[0].Sender.Empty() || regs[0].Visit == nil || !regs[0].Visit.Received {
		t.Errorf("forgotten registration = %+v", regs[0])
	}
	if again, _ := f.svc.Tally(ctx, at(2026, 11, 1, 0, 0), at(2026, 11, 30, 23, 59)); again != tally {
		t.Errorf("forgetting changed the report: %+v", again)
	}
}

func TestProfileReceptionDays(t *testing.T) {
	p := commune.Default()
	s := p.ReceptionSchedule()
	if len(s.Weekly) != 1 || s.Weekly[0].Weekday != time.Thursday || !s.Weekly[0].Chairman {
		t.Fatalf("the demo profile's schedule = %+v", s)
	}
}
