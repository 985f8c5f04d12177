package bot

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"xabot/dialogs"
	"xabot/internal/chat"
	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/i18n"
	"xabot/internal/session"
	"xabot/locales"
)

// The router core with small in-memory values of its own interfaces
// (needs.go): no database opens here. The transcripts run the same
// router on the real services.

// memDossiers holds dossiers in memory and counts every read of one.
type memDossiers struct {
	Dossiers // the methods a lookup does not call: nil, so a call fails loudly
	mu       sync.Mutex
	byCode   map[string]domain.Dossier
	reads    int
	asRead   int // lookups of a code the router had read
}

func (m *memDossiers) read(text string) (domain.Dossier, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	code, err := domain.ParseCode(text)
	if err != nil {
		return domain.Dossier{}, domain.Invalid("lookup.bad_code", "text", domain.Echo(text))
	}
	d, ok := m.byCode[code]
	if !ok {
		return domain.Dossier{}, domain.Invalid("lookup.not_found", "code", code)
	}
	return d, nil
}

func (m *memDossiers) Lookup(_ context.Context, _, text string) (domain.Dossier, error) {
	return m.read(text)
}

// LookupCode notes a lookup of a code the router read at the edge: the
// service does not read it again.
func (m *memDossiers) LookupCode(_ context.Context, _, code string) (domain.Dossier, error) {
	m.mu.Lock()
	m.asRead++
	m.mu.Unlock()
	return m.read(code)
}

func (m *memDossiers) Find(_ context.Context, text string) (domain.Dossier, error) {
	return m.read(text)
}
func (m *memDossiers) CodeLocked(context.Context, string) (time.Time, bool, error) {
	return time.Time{}, false, nil
}
func (m *memDossiers) Follow(context.Context, string, domain.Dossier) error { return nil }

func (m *memDossiers) Verify(_ context.Context, _, code, factor string) (domain.Dossier, error) {
	d, err := m.read(code)
	if err != nil {
		return d, err
	}
	if p, ok := domain.NormalizePhone(factor); !ok || p != d.Phone {
		return domain.Dossier{}, domain.Invalid("lookup.wrong_factor", "code", code, "left", "4")
	}
	return d, nil
}

func (m *memDossiers) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.reads
	m.reads = 0
	return n
}

// memCitizens keeps people in memory.
type memCitizens struct {
	Citizens
	mu     sync.Mutex
	people map[string]domain.Citizen
}

func (m *memCitizens) Get(_ context.Context, key string) (domain.Citizen, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.people[key]
	if !ok {
		c = domain.Citizen{Key: key, Role: domain.RoleCitizen}
	}
	return c, nil
}

func (m *memCitizens) Consent(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.people[key]
	c.Key, c.Role, c.ConsentAt = key, domain.RoleCitizen, clockNow
	m.people[key] = c
	return nil
}

type coreRouter struct {
	*Router
	dossiers *memDossiers
	rec      *recorder
	seq      int
}

// newCoreFixture is a transcript fixture (send, rec) over the router core
// with in-memory services: for tests of ordering, dedupe, sessions and
// rendering, which need no database.
func newCoreFixture(t *testing.T, feat chat.Features) *fixture {
	t.Helper()
	c := newCoreRouter(t)
	c.rec.feat = feat
	return &fixture{t: t, router: c.Router, rec: c.rec, now: clockNow}
}

func newCoreRouter(t *testing.T) *coreRouter {
	t.Helper()
	texts, err := i18n.Load(locales.FS, "vi")
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return clockNow }
	d := domain.Dossier{Code: "H55.20-261118-0003", ProcedureName: "Đăng ký khai sinh", Field: "Hộ tịch",
		ApplicantName: "Nguyễn Văn An", Phone: "0905123456", Status: domain.StatusInProgress,
		ReceivedAt: day(2026, 11, 18), DueAt: day(2026, 11, 27)}
	c := &coreRouter{
		dossiers: &memDossiers{byCode: map[string]domain.Dossier{d.Code: d}},
		rec:      &recorder{feat: telegramFeatures},
	}
	people := &memCitizens{people: map[string]domain.Citizen{
		"tg:1": {Key: "tg:1", Role: domain.RoleCitizen, ConsentAt: clockNow, Phone: "0905123456"}, // verified
		"tg:2": {Key: "tg:2", Role: domain.RoleCitizen, ConsentAt: clockNow},                      // not verified
	}}
	c.Router, err = New(Config{
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Dialogs:  dialogs.FS,
		Texts:    texts,
		Sessions: session.NewMemory(time.Hour, time.Hour, now),
		Channels: map[chat.Channel]Channel{chat.Telegram: c.rec},
		Dossiers: c.dossiers,
		Citizens: people,
		Calendar: domain.NewCalendar(nil, nil),
		TZ:       hcm,
		Now:      now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// say sends text from user and returns the replies' text.
func (c *coreRouter) say(t *testing.T, user, text string) string {
	t.Helper()
	c.seq++
	u := chat.Update{ID: strings.Repeat("x", c.seq), From: chat.UserKey{Channel: chat.Telegram, ID: user}, ChatID: user,
		Kind: chat.Text, Text: text}
	if err := c.Handle(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range c.rec.take() {
		out = append(out, r.Text)
	}
	return strings.Join(out, "\n")
}

// A lookup reads the dossier once per turn: the card shows the dossier the
// code (verified phone) or the second factor found, not a second read.
func TestLookupReadsTheDossierOncePerTurn(t *testing.T) {
	c := newCoreRouter(t)
	if got := c.say(t, "1", "H55.20-261118-0003"); !strings.Contains(got, "Đăng ký khai sinh") {
		t.Fatalf("a verified citizen's code: %q, want the card", got)
	}
	if n := c.dossiers.count(); n != 1 {
		t.Errorf("a verified citizen's lookup read the dossier %d times, want 1", n)
	}
	if c.dossiers.asRead != 1 {
		t.Errorf("the pasted code was looked up as text %d times: read at the edge, it goes as read", 1-c.dossiers.asRead)
	}
	if got := c.say(t, "2", "hồ sơ H55.20-261118-0003"); !strings.Contains(got, "số điện thoại") {
		t.Fatalf("an unverified citizen's code: %q, want the second factor asked", got)
	}
	if n := c.dossiers.count(); n != 1 {
		t.Errorf("the code's turn read the dossier %d times, want 1", n)
	}
	if got := c.say(t, "2", "0905 123 456"); !strings.Contains(got, "Đăng ký khai sinh") {
		t.Fatalf("the second factor: %q, want the card", got)
	}
	if n := c.dossiers.count(); n != 1 {
		t.Errorf("the second factor's turn read the dossier %d times, want 1", n)
	}
}

// An action's error becomes the person's message in one place (explain),
// and the step waits as it was: a wrong phone is said, and asked again.
func TestCoreExplainsAnActionsError(t *testing.T) {
	c := newCoreRouter(t)
	c.say(t, "2", "H55.20-261118-0003")
	if got := c.say(t, "2", "0912 000 111"); !strings.Contains(got, "không khớp") {
		t.Errorf("a wrong factor: %q, want it said", got)
	}
	s, err := c.cfg.Sessions.Load(t.Context(), "tg:2")
	if err != nil || s.Flow != "lookup" || s.Step != "ask_factor" {
		t.Errorf("after a wrong factor the session is %+v, %v; want it on lookup/ask_factor", s, err)
	}
}

// Two features binding one name is refused at start, not settled by
// whichever map came last.
func TestActionBoundTwiceIsRefused(t *testing.T) {
	noop := func(context.Context, Call) (Result, error) { return Result{}, nil }
	_, err := bind([]Actions{{"a.x": noop, "a.y": noop}, {"a.y": noop}})
	if err == nil || !strings.Contains(err.Error(), "a.y") {
		t.Errorf("bind = %v, want a.y refused", err)
	}
	if _, err := bind([]Actions{{"a.x": noop}, {"a.y": noop}}); err != nil {
		t.Error(err)
	}
}

// Effects reach the turn in take, and only there: the next action of the
// same turn reads them in its Call.
func TestEffectsReachTheNextAction(t *testing.T) {
	c := newCoreRouter(t)
	tr := &turn{r: c.Router, cit: domain.Citizen{Role: domain.RoleCitizen}, lang: "vi"}
	d := domain.Dossier{Code: "H55.20-261118-0003"}
	tr.take(Effects{Role: domain.RoleAdmin, Phone: "0905123456", Lang: "en", Read: &d, Menu: true})
	got := tr.call(dialog.Call{})
	if got.Citizen.Role != domain.RoleAdmin || got.Citizen.Phone != "0905123456" || got.Lang != "en" || !tr.force {
		t.Errorf("after the effects the call reads %+v (menu %v)", got, tr.force)
	}
	if _, ok := got.Dossier("H55.20-261118-0003"); !ok {
		t.Error("the dossier read is not in the next call")
	}
	tr.take(Effects{Forget: true})
	if tr.call(dialog.Call{}).Citizen.Consented() || !tr.forget {
		t.Error("forgetting left the person consented, or the session kept")
	}
	if !errors.Is(leaveIdle(domain.ErrForbidden), domain.ErrForbidden) {
		t.Error("leaveIdle hides its error")
	}
}
