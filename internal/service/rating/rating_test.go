package rating

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/service/officials"
	"xabot/internal/store"
)

// recorder is the outbox as the service sees it: each key is delivered once.
type recorder struct {
	mu   sync.Mutex
	seen map[string]bool
	sent []domain.Notice
	fail error
}

func (r *recorder) Notify(_ context.Context, n domain.Notice) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return false, r.fail
	}
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	if r.seen[n.Key] {
		return false, nil
	}
	r.seen[n.Key] = true
	r.sent = append(r.sent, n)
	return true, nil
}

func (r *recorder) take() []domain.Notice {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.sent
	r.sent = nil
	return out
}

// The people of the fixture.
const (
	owner     = "tg:100" // consent, verified phone 0905123456 (the dossiers')
	neighbour = "tg:200" // consent, verified phone of their own
	noConsent = "tg:300" // verified phone 0905123456, never consented
	noPhone   = "tg:400" // consented, no phone
	stranger  = "tg:500" // never wrote to the bot
	headChat  = "tg:900" // head of the one-stop shop
	chairChat = "tg:901"
	handChat  = "tg:902" // the dossiers' handler
)

const (
	ownerPhone = "0905123456"
	ownerName  = "Nguyễn Văn An"
	done       = "H55.20-250501-0001" // status 9
	returned   = "H55.20-250501-0002" // status 10
	open       = "H55.20-250501-0003" // status 4
	others     = "H55.20-250501-0004" // status 9, the neighbour's
)

type fixture struct {
	s     *Service
	db    *store.DB
	staff *officials.Service
	out   *recorder
	now   time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{db: db, out: &recorder{}, now: time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	db.SetClock(clock)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.staff = officials.New(db, clock, log)
	f.s = New(db, f.staff, f.out, clock, log)

	for _, c := range []struct {
		key, phone string
		consent    bool
	}{{owner, ownerPhone, true}, {neighbour, "0912000111", true}, {noConsent, ownerPhone, false}, {noPhone, "", true}} {
		if c.consent {
			if err := db.SetConsent(ctx, c.key, f.now); err != nil {
				t.Fatal(err)
			}
		}
		if c.phone != "" {
			if err := db.SetVerifiedPhone(ctx, c.key, c.phone, f.now); err != nil {
				t.Fatal(err)
			}
		}
	}
	f.dossier(t, done, domain.StatusDone, ownerPhone)
	f.dossier(t, returned, domain.StatusReturned, ownerPhone)
	f.dossier(t, open, domain.StatusInProgress, ownerPhone)
	f.dossier(t, others, domain.StatusDone, "0912000111")
	return f
}

func (f *fixture) dossier(t *testing.T, code string, st domain.Status, phone string) domain.Dossier {
	t.Helper()
	d := domain.Dossier{
		Code: code, ProcedureCode: "1.001193.000.00.00.H55", ProcedureName: "Đăng ký khai sinh", Field: "Hộ tịch",
		ApplicantName: ownerName, Phone: phone, Intake: domain.IntakeDirect, Status: st,
		ReceivedAt: f.now.AddDate(0, 0, -10), DueAt: f.now.AddDate(0, 0, -3), Handler: "Trần Thị Bình",
	}
	if st.Ended() {
		d.FinishedAt = f.now.AddDate(0, 0, -4)
	}
	if _, err := f.db.UpsertDossier(t.Context(), d, "test"); err != nil {
		t.Fatalf("UpsertDossier(%s): %v", code, err)
	}
	got, err := f.db.DossierByCode(t.Context(), code)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// official invites and registers an official from chat.
func (f *fixture) official(t *testing.T, chat, name string, role domain.Role, head bool, fields ...string) {
	t.Helper()
	code, _, err := f.staff.Invite(t.Context(), "cli", name, role, fields, head)
	if err != nil {
		t.Fatalf("Invite(%s): %v", name, err)
	}
	if _, err := f.staff.Register(t.Context(), chat, code); err != nil {
		t.Fatalf("Register(%s): %v", name, err)
	}
}

func refusal(err error) (string, map[string]string) {
	var inv *domain.InvalidError
	if errors.As(err, &inv) {
		return inv.Key, inv.Args
	}
	if err != nil {
		return "not invalid: " + err.Error(), nil
	}
	return "", nil
}

func invalidKey(err error) string { k, _ := refusal(err); return k }

func TestCheck(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name, who, code, key string
	}{
		{"own, result ready", owner, done, ""},
		{"own, result returned", owner, returned, ""},
		{"own, typed loosely", owner, " h55.20 - 250501 - 2 ", ""},
		{"own, in progress", owner, open, "rating.not_yet"},
		{"someone else's", owner, others, "rating.not_yours"},
		{"unknown code", owner, "H55.20-250501-0099", "rating.not_yours"},
		{"not a code", owner, "xin chào", "rating.not_yours"},
		{"empty code", owner, "", "rating.not_yours"},
		{"a very long code", owner, strings.Repeat("H55.", 40), "rating.not_yours"},
		{"the neighbour on the owner's dossier", neighbour, done, "rating.not_yours"},
		{"the neighbour on their own", neighbour, others, ""},
		{"verified phone, no consent", noConsent, done, "rating.need_phone"},
		{"consent, no phone", noPhone, done, "rating.need_phone"},
		{"unknown chat", stranger, done, "rating.need_phone"},
		{"no chat at all", "", done, "rating.need_phone"},
		{"no consent, unknown code: the same", noConsent, "H55.20-250501-0099", "rating.need_phone"},
	}
	for _, tt := range tests {
		d, err := f.s.Check(t.Context(), tt.who, tt.code)
		if got := invalidKey(err); got != tt.key {
			t.Errorf("%s: Check = %q, want %q", tt.name, got, tt.key)
		}
		if err == nil && domain.CanonicalCode(d.Code) != domain.CanonicalCode(tt.code) {
			t.Errorf("%s: Check found %s", tt.name, d.Code)
		}
	}

	// Someone else's dossier and an unknown code give the very same error.
	_, e1 := f.s.Check(t.Context(), owner, others)
	_, e2 := f.s.Check(t.Context(), owner, "H55.20-250501-0099")
	if !reflect.DeepEqual(e1, e2) {
		t.Errorf("someone else's: %#v; unknown: %#v; want the same", e1, e2)
	}
}

func TestEligibilityByStatus(t *testing.T) {
	f := newFixture(t)
	for st := domain.StatusNew; st <= domain.StatusReturned; st++ {
		code := fmt.Sprintf("H55.20-251101-%04d", st)
		f.dossier(t, code, st, ownerPhone)
		_, err := f.s.Check(t.Context(), owner, code)
		want := "rating.not_yet"
		if st == domain.StatusDone || st == domain.StatusReturned {
			want = ""
		}
		key, args := refusal(err)
		if key != want || (want != "" && args["code"] != code) {
			t.Errorf("status %d: %q %v, want %q", st, key, args, want)
		}
		if _, err := f.s.Rate(t.Context(), owner, code, domain.LevelSatisfied); invalidKey(err) != want {
			t.Errorf("status %d: Rate %v, want %q", st, err, want)
		}
	}
}

func TestRateTwiceUpdates(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	created := f.now
	res, err := f.s.Rate(ctx, owner, done, domain.LevelSatisfied)
	if err != nil || res.Outcome != Created || res.Rating.Level != domain.LevelSatisfied || res.Dossier.Code != done {
		t.Fatalf("Rate = %+v, %v; want created", res, err)
	}
	if a := res.Answer(); a[0].Key != "rating.thanks" || a[0].Args["code"] != done || a[1].Key != "rating.level.4" {
		t.Errorf("Answer = %+v", a)
	}
	if _, err := f.s.SetCriteria(ctx, owner, done, map[domain.Criterion]bool{domain.CriterionOnTime: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Comment(ctx, owner, done, "Nhanh gọn."); err != nil {
		t.Fatal(err)
	}

	// The same level again (a double tap) keeps everything.
	f.now = f.now.Add(time.Minute)
	res, err = f.s.Rate(ctx, owner, done, domain.LevelSatisfied)
	if err != nil || res.Outcome != Unchanged || res.Answer()[0].Key != "rating.unchanged" ||
		res.Rating.Comment != "Nhanh gọn." || !res.Rating.Criteria[domain.CriterionOnTime] {
		t.Errorf("same level again = %+v, %v; want unchanged with criteria and comment", res, err)
	}

	// Another level replaces the rating: one row, created_at kept.
	f.now = f.now.Add(time.Hour)
	res, err = f.s.Rate(ctx, owner, " h55.20-250501-1 ", domain.LevelVerySatisfied)
	if err != nil || res.Outcome != Updated || res.Answer()[0].Key != "rating.updated" {
		t.Fatalf("second Rate = %+v, %v; want updated", res, err)
	}
	r, err := f.db.RatingOf(ctx, res.Dossier.ID)
	if err != nil || r.Level != domain.LevelVerySatisfied || r.Rater != owner || !r.CreatedAt.Equal(created) ||
		!r.UpdatedAt.Equal(f.now) || r.Criteria != nil || r.Comment != "" {
		t.Errorf("stored %+v, %v; want level 5, created %v, updated %v, criteria and comment replaced", r, err, created, f.now)
	}
	st, err := f.db.RatingStats(ctx, f.now.AddDate(0, -1, 0), f.now)
	if err != nil || st.Total != 1 || st.ByLevel[domain.LevelVerySatisfied] != 1 {
		t.Errorf("stats %+v, %v; want one rating", st, err)
	}
	if n := len(f.out.take()); n != 0 {
		t.Errorf("%d notices for good ratings", n)
	}

	for _, l := range []domain.Level{0, 6, -1} {
		if _, err := f.s.Rate(ctx, owner, done, l); invalidKey(err) != "rating.bad_level" {
			t.Errorf("Rate(level %d) = %v, want rating.bad_level", l, err)
		}
	}
}

func TestLowRatingAlertsTheHead(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	f.official(t, handChat, "Trần Thị Bình", domain.RoleOfficial, false, "Hộ tịch")
	f.official(t, chairChat, "Ngô Minh", domain.RoleChairman, false)
	f.official(t, headChat, "Phạm Thu", domain.RoleOfficial, true)

	steps := []struct {
		level domain.Level
		alert bool
	}{
		{domain.LevelDissatisfied, true},
		{domain.LevelDissatisfied, false}, // again: no second alert
		{domain.LevelVeryDissatisfied, true},
		{domain.LevelNeutral, false},
		{domain.LevelVeryDissatisfied, false}, // the head knows of this level already
		{domain.LevelVerySatisfied, false},
	}
	for i, st := range steps {
		if _, err := f.s.Rate(ctx, owner, done, st.level); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		got := f.out.take()
		if !st.alert {
			if len(got) != 0 {
				t.Errorf("step %d (level %d): %d notices, want none", i, st.level, len(got))
			}
			continue
		}
		if len(got) != 1 || got[0].To != headChat {
			t.Fatalf("step %d (level %d): %+v, want one notice to the head", i, st.level, got)
		}
		n := got[0]
		lvl := fmt.Sprint(int(st.level))
		if n.Key != "rate-low|"+done+"|"+lvl+"|"+headChat || n.Lines[0].Key != "rating.low_alert" ||
			n.Lines[0].Args["code"] != done || n.Lines[0].Args["level"] != lvl || n.Lines[1].Key != "rating.level."+lvl {
			t.Errorf("step %d: notice %+v", i, n)
		}
		if l := n.Lines[2]; l.Args["procedure"] != "Đăng ký khai sinh" || l.Args["field"] != "Hộ tịch" || l.Args["handler"] != "Trần Thị Bình" {
			t.Errorf("step %d: dossier line %+v", i, l)
		}
		// Nothing that names the rater: chat key, phone, name.
		for _, secret := range []string{owner, "100", ownerPhone, "0905", ownerName, "Nguyễn", "An"} {
			if s := fmt.Sprintf("%v %v %v", n.Key, n.Lines, n.Buttons); containsWord(s, secret) {
				t.Errorf("step %d: the notice gives away %q: %s", i, secret, s)
			}
		}
	}
}

// containsWord reports whether s holds w not inside a longer word or number.
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		before, after := j == 0 || !alnum(s[j-1]), j+len(w) == len(s) || !alnum(s[j+len(w)])
		if before && after {
			return true
		}
		i = j + 1
	}
}

func alnum(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80
}

func TestLowRatingRecipients(t *testing.T) {
	t.Run("no head: the chairman", func(t *testing.T) {
		f := newFixture(t)
		f.official(t, handChat, "Trần Thị Bình", domain.RoleOfficial, false, "Hộ tịch")
		f.official(t, chairChat, "Ngô Minh", domain.RoleChairman, false)
		if _, err := f.s.Rate(t.Context(), owner, done, domain.LevelVeryDissatisfied); err != nil {
			t.Fatal(err)
		}
		if got := f.out.take(); len(got) != 1 || got[0].To != chairChat {
			t.Errorf("%+v, want one notice to the chairman", got)
		}
	})
	t.Run("nobody: stored, no alert", func(t *testing.T) {
		f := newFixture(t)
		res, err := f.s.Rate(t.Context(), owner, done, domain.LevelVeryDissatisfied)
		if err != nil || res.Outcome != Created {
			t.Fatalf("Rate = %+v, %v", res, err)
		}
		if got := f.out.take(); len(got) != 0 {
			t.Errorf("%+v, want nothing", got)
		}
	})
	t.Run("failed alert: rating kept, retried", func(t *testing.T) {
		f := newFixture(t)
		f.official(t, headChat, "Phạm Thu", domain.RoleOfficial, true)
		f.out.fail = errors.New("outbox down")
		if _, err := f.s.Rate(t.Context(), owner, done, domain.LevelDissatisfied); err == nil {
			t.Fatal("Rate with the outbox down: no error")
		}
		d, _ := f.db.DossierByCode(t.Context(), done)
		if r, err := f.db.RatingOf(t.Context(), d.ID); err != nil || r.Level != domain.LevelDissatisfied {
			t.Errorf("rating after the failed alert: %+v, %v", r, err)
		}
		f.out.fail = nil
		res, err := f.s.Rate(t.Context(), owner, done, domain.LevelDissatisfied)
		if err != nil || res.Outcome != Unchanged {
			t.Fatalf("retry = %+v, %v", res, err)
		}
		if got := f.out.take(); len(got) != 1 || got[0].To != headChat {
			t.Errorf("%+v, want the alert on retry", got)
		}
	})
}

func TestOffer(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	get := func(code string) domain.Dossier {
		d, err := f.db.DossierByCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	ok, err := f.s.Offer(ctx, get(done), owner)
	if err != nil || !ok {
		t.Fatalf("Offer = %t, %v", ok, err)
	}
	got := f.out.take()
	if len(got) != 1 {
		t.Fatalf("%d notices, want 1", len(got))
	}
	n := got[0]
	if n.Key != "rate-offer|"+done+"|"+owner || n.To != owner || n.Lines[0].Key != "rating.offer" || n.Lines[0].Args["code"] != done {
		t.Errorf("offer %+v", n)
	}
	var levels []domain.Level
	for _, b := range n.Buttons {
		n, _ := strconv.Atoi(b.Intent.Arg)
		l := domain.Level(n)
		if b.Intent.Kind != domain.IntentRateLevel || b.Intent.Ref != done || !b.Intent.Fits() || b.Key != LevelKey(l) {
			t.Errorf("button %+v", b)
		}
		levels = append(levels, l)
	}
	if !slices.Equal(levels, domain.Levels) {
		t.Errorf("buttons %v, want %v", levels, domain.Levels)
	}
	if ok, err := f.s.Offer(ctx, get(done), owner); ok || err != nil {
		t.Errorf("second Offer = %t, %v; want once", ok, err)
	}

	// Nothing to those who may not rate, nor before the result, nor once rated.
	for _, c := range []struct {
		name, code, to string
	}{
		{"in progress", open, owner},
		{"the neighbour", done, neighbour},
		{"no consent", done, noConsent},
		{"no phone", done, noPhone},
		{"unknown chat", done, stranger},
	} {
		if ok, err := f.s.Offer(ctx, get(c.code), c.to); ok || err != nil {
			t.Errorf("%s: Offer = %t, %v; want nothing", c.name, ok, err)
		}
	}
	if _, err := f.s.Rate(ctx, owner, returned, domain.LevelSatisfied); err != nil {
		t.Fatal(err)
	}
	if ok, err := f.s.Offer(ctx, get(returned), owner); ok || err != nil {
		t.Errorf("rated already: Offer = %t, %v", ok, err)
	}
	long := f.dossier(t, strings.Repeat("X", 60), domain.StatusDone, ownerPhone)
	if ok, err := f.s.Offer(ctx, long, owner); ok || err != nil {
		t.Errorf("long code: Offer = %t, %v; want skipped", ok, err)
	}
	if got := f.out.take(); len(got) != 0 {
		t.Errorf("%+v, want no more notices", got)
	}
}

func TestCriteriaAndComment(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	yes := map[domain.Criterion]bool{domain.CriterionOnTime: true}
	if _, err := f.s.SetCriteria(ctx, owner, done, yes); invalidKey(err) != "rating.level_first" {
		t.Errorf("criteria before a level: %v", err)
	}
	if _, err := f.s.Comment(ctx, owner, done, "Tốt"); invalidKey(err) != "rating.level_first" {
		t.Errorf("comment before a level: %v", err)
	}
	if _, err := f.s.Rate(ctx, owner, done, domain.LevelNeutral); err != nil {
		t.Fatal(err)
	}

	criteria := []struct {
		name string
		who  string
		m    map[domain.Criterion]bool
		key  string
	}{
		{"empty", owner, map[domain.Criterion]bool{}, "rating.criteria_empty"},
		{"nil", owner, nil, "rating.criteria_empty"},
		{"unknown", owner, map[domain.Criterion]bool{"bribe": true}, "rating.bad_criterion"},
		{"someone else", neighbour, yes, "rating.not_yours"},
		{"two", owner, map[domain.Criterion]bool{domain.CriterionOnTime: false, domain.CriterionTrips: true}, ""},
		{"one more, one changed", owner, map[domain.Criterion]bool{domain.CriterionOnTime: true, domain.CriterionExtraFees: false}, ""},
	}
	for _, tt := range criteria {
		if _, err := f.s.SetCriteria(ctx, tt.who, done, tt.m); invalidKey(err) != tt.key {
			t.Errorf("criteria %s: %v, want %q", tt.name, err, tt.key)
		}
	}
	d, _ := f.db.DossierByCode(ctx, done)
	r, _ := f.db.RatingOf(ctx, d.ID)
	want := map[domain.Criterion]bool{domain.CriterionOnTime: true, domain.CriterionTrips: true, domain.CriterionExtraFees: false}
	if !maps.Equal(r.Criteria, want) || r.Level != domain.LevelNeutral {
		t.Errorf("criteria %v, want %v (merged), level kept", r.Criteria, want)
	}

	comments := []struct {
		name, who, text, key, stored string
	}{
		{"empty", owner, "", "rating.comment_empty", ""},
		{"spaces", owner, " \n\t ", "rating.comment_empty", ""},
		{"501 characters", owner, strings.Repeat("ạ", 501), "rating.comment_too_long", ""},
		{"ten thousand", owner, strings.Repeat("a", 10000), "rating.comment_too_long", ""},
		{"someone else", neighbour, "Tốt", "rating.not_yours", ""},
		{"500 characters", owner, strings.Repeat("ạ", 500), "", strings.Repeat("ạ", 500)},
		{"invalid UTF-8 repaired", owner, "  Cán bộ \xffnhiệt tình  ", "", "Cán bộ \uFFFDnhiệt tình"},
	}
	for _, tt := range comments {
		got, err := f.s.Comment(ctx, tt.who, done, tt.text)
		if invalidKey(err) != tt.key || got.Comment != tt.stored {
			t.Errorf("comment %s: %q, %v; want %q, %q", tt.name, got.Comment, err, tt.stored, tt.key)
		}
	}
	r, _ = f.db.RatingOf(ctx, d.ID)
	if r.Comment != "Cán bộ \uFFFDnhiệt tình" || !maps.Equal(r.Criteria, want) || r.Level != domain.LevelNeutral {
		t.Errorf("stored %+v: want the last good comment, criteria and level kept", r)
	}
	if _, k := refusal(func() error { _, err := f.s.Comment(ctx, owner, done, strings.Repeat("x", 501)); return err }()); k["max"] != "500" {
		t.Errorf("too long: args %v, want max 500", k)
	}
}

func TestForget(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	for _, code := range []string{done, returned} {
		if _, err := f.s.Rate(ctx, owner, code, domain.LevelDissatisfied); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.s.Comment(ctx, owner, done, "Phải đi lại nhiều lần"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Rate(ctx, neighbour, others, domain.LevelSatisfied); err != nil {
		t.Fatal(err)
	}
	if n, err := f.s.Forget(ctx, owner); err != nil || n != 2 {
		t.Errorf("Forget = %d, %v; want 2", n, err)
	}
	if n, err := f.s.Forget(ctx, owner); err != nil || n != 0 {
		t.Errorf("Forget again = %d, %v; want 0", n, err)
	}
	for _, c := range []struct {
		code, rater string
		level       domain.Level
	}{{done, "", domain.LevelDissatisfied}, {returned, "", domain.LevelDissatisfied}, {others, neighbour, domain.LevelSatisfied}} {
		d, _ := f.db.DossierByCode(ctx, c.code)
		r, err := f.db.RatingOf(ctx, d.ID)
		if err != nil || r.Rater != c.rater || r.Level != c.level {
			t.Errorf("%s after Forget: %+v, %v; want rater %q, level %d", c.code, r, err, c.rater, c.level)
		}
	}
	d, _ := f.db.DossierByCode(ctx, done)
	if r, _ := f.db.RatingOf(ctx, d.ID); r.Comment != "Phải đi lại nhiều lần" {
		t.Errorf("comment lost: %+v", r)
	}
	st, err := f.db.RatingStats(ctx, f.now.AddDate(0, -1, 0), f.now)
	if err != nil || st.Total != 3 || st.Low() != 2 {
		t.Errorf("stats after Forget %+v, %v; want the 3 ratings kept", st, err)
	}
}

// A citizen who proved the dossier's phone in a lookup (and so follows it)
// may rate it without having shared their contact; following another
// dossier does not help.
func TestLookupFollowerMayRate(t *testing.T) {
	f := newFixture(t)
	d, err := f.db.DossierByCode(t.Context(), done)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Check(t.Context(), noPhone, done); invalidKey(err) != "rating.need_phone" {
		t.Fatalf("before the lookup: %v, want rating.need_phone", err)
	}
	if err := f.db.Subscribe(t.Context(), d.ID, noPhone, "lookup", f.now); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Check(t.Context(), noPhone, done); err != nil {
		t.Fatalf("after the lookup: %v", err)
	}
	if _, err := f.s.Rate(t.Context(), noPhone, done, domain.LevelSatisfied); err != nil {
		t.Fatalf("Rate: %v", err)
	}
	if _, err := f.s.Check(t.Context(), noPhone, others); invalidKey(err) != "rating.need_phone" {
		t.Errorf("another dossier: %v, want rating.need_phone", err)
	}
	if err := f.db.Unsubscribe(t.Context(), d.ID, noPhone, f.now); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Check(t.Context(), noPhone, done); err == nil {
		t.Error("an unsubscribed follower may still rate")
	}
}
