package dossier

import (
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/store"
)

// t0 is a whole second: the store keeps lookup times to the second.
var t0 = time.Date(2025, 6, 2, 2, 0, 0, 0, time.UTC)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

const (
	codeA  = "H55.20-250501-0001" // phone 0905123456, ID last 4 1234
	codeB  = "H55.20-250501-0002" // phone 0912000111, no ID
	phoneA = "0905123456"
	phoneB = "0912000111"
)

func testDossier(code, phone, last4 string, received time.Time) domain.Dossier {
	return domain.Dossier{
		Code: code, ProcedureCode: "1.001193.000.00.00.H55", ProcedureName: "Đăng ký khai sinh",
		Field: "Hộ tịch", ApplicantName: "Nguyễn Văn An", Phone: phone, IDLast4: last4,
		Intake: domain.IntakeDirect, Status: domain.StatusInProgress,
		ReceivedAt: received, DueAt: received.Add(72 * time.Hour),
	}
}

// newService opens a fresh database with dossiers A and B and returns the
// service, its clock and the database file.
func newService(t *testing.T) (*Service, *clock, *store.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.db")
	db, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	for _, d := range []domain.Dossier{
		testDossier(codeA, phoneA, "1234", time.Date(2025, 5, 1, 1, 30, 0, 0, time.UTC)),
		testDossier(codeB, phoneB, "", time.Date(2025, 5, 1, 2, 30, 0, 0, time.UTC)),
	} {
		if _, err := db.UpsertDossier(t.Context(), d, "test"); err != nil {
			t.Fatalf("UpsertDossier(%s): %v", d.Code, err)
		}
	}
	clk := &clock{t: t0}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return New(db, clk.now, DefaultPolicy, log), clk, db, path
}

// invalidKey returns the key of err as a *domain.InvalidError, or "" if it is not one.
func invalidKey(err error) (string, map[string]string) {
	var inv *domain.InvalidError
	if errors.As(err, &inv) {
		return inv.Key, inv.Args
	}
	return "", nil
}

func TestFind(t *testing.T) {
	s, _, _, _ := newService(t)
	tests := []struct {
		text     string
		wantCode string
		wantKey  string
	}{
		{codeA, codeA, ""},
		{"h55.20 - 250501 - 1", codeA, ""},
		{"  H55.20-250501-0002  ", codeB, ""},
		{"mã hồ sơ là H55.20-250501-0001 nhé", codeA, ""},
		{"hồ sơ của tôi: h55.20-250501-2, cảm ơn", codeB, ""},
		{"1.001193.000.00.00.H55", "", "lookup.procedure_code"},
		{"xin chào", "", "lookup.bad_code"},
		{"H55.20-251399-0001", "", "lookup.bad_code"}, // no 99th of the 13th month
		{"", "", "lookup.bad_code"},
		{"H55.20-250502-0009", "", "lookup.not_found"},
	}
	for _, tt := range tests {
		d, err := s.Find(t.Context(), tt.text)
		key, _ := invalidKey(err)
		if tt.wantKey != "" {
			if key != tt.wantKey {
				t.Errorf("Find(%q) error = %v, want *domain.InvalidError %s", tt.text, err, tt.wantKey)
			}
			continue
		}
		if err != nil || d.Code != tt.wantCode {
			t.Errorf("Find(%q) = %q, %v; want %q, nil", tt.text, d.Code, err, tt.wantCode)
		}
	}
}

func TestFindNotFoundNamesCanonicalCode(t *testing.T) {
	s, _, _, _ := newService(t)
	_, err := s.Find(t.Context(), "h55.20-250502-9")
	if key, args := invalidKey(err); key != "lookup.not_found" || args["code"] != "H55.20-250502-0009" {
		t.Errorf("Find(unknown) = %s %v, want lookup.not_found with code H55.20-250502-0009", key, args)
	}
}

func TestVerifyFactors(t *testing.T) {
	s, _, _, _ := newService(t)
	tests := []struct {
		code, factor string
		wantKey      string // "" = verified
	}{
		{codeA, "0905123456", ""},
		{codeA, "0905 123 456", ""},
		{codeA, "0905.123.456", ""},
		{codeA, "+84 905 123 456", ""},
		{codeA, "84905123456", ""},
		{codeA, "(+84) 905-123-456", ""},
		{codeA, "905123456", ""},
		{codeA, "1234", ""},
		{codeA, " 1234 ", ""},
		{codeB, phoneB, ""},
		{codeA, "5678", "lookup.wrong_factor"},
		{codeA, "0905999999", "lookup.wrong_factor"},
		{codeA, phoneB, "lookup.wrong_factor"},
		{codeB, "0111", "lookup.wrong_factor"}, // B has no ID number: 4 digits never match
		{codeA, "abc", "lookup.bad_factor"},
		{codeA, "123", "lookup.bad_factor"},
		{codeA, "12345", "lookup.bad_factor"},
		{codeA, "1234a", "lookup.bad_factor"},
		{"H55.20-250502-0009", phoneA, "lookup.not_found"},
	}
	for i, tt := range tests {
		user := "tg:" + string(rune('a'+i)) // one user per case: no lockout between cases
		d, err := s.Verify(t.Context(), user, tt.code, tt.factor)
		key, _ := invalidKey(err)
		if tt.wantKey == "" {
			if err != nil || d.Code != tt.code {
				t.Errorf("Verify(%s, %q) = %q, %v; want the dossier", tt.code, tt.factor, d.Code, err)
			}
		} else if key != tt.wantKey {
			t.Errorf("Verify(%s, %q) error = %v, want %s", tt.code, tt.factor, err, tt.wantKey)
		}
	}
}

func TestVerifyBadFactorNotCounted(t *testing.T) {
	s, _, db, _ := newService(t)
	ctx := t.Context()
	for range 10 {
		if _, err := s.Verify(ctx, "tg:1", codeA, "không nhớ"); !isKey(err, "lookup.bad_factor") {
			t.Fatalf("Verify(malformed) error = %v, want lookup.bad_factor", err)
		}
	}
	if fails, err := db.FailedLookups(ctx, "tg:1", t0.Add(-time.Hour)); err != nil || len(fails) != 0 {
		t.Errorf("FailedLookups after malformed factors = %v, %v; want none", fails, err)
	}
	_, err := s.Verify(ctx, "tg:1", codeA, "0000")
	if _, args := invalidKey(err); !isKey(err, "lookup.wrong_factor") || args["left"] != "4" {
		t.Errorf("Verify(wrong) after malformed = %v %v, want lookup.wrong_factor left 4", err, args)
	}
}

func isKey(err error, key string) bool { k, _ := invalidKey(err); return k == key }

func TestVerifyLockout(t *testing.T) {
	s, clk, _, _ := newService(t)
	ctx := t.Context()
	for i, wantLeft := range []string{"4", "3", "2", "1"} {
		clk.t = t0.Add(time.Duration(i) * time.Minute)
		_, err := s.Verify(ctx, "tg:1", codeA, "0000")
		key, args := invalidKey(err)
		if key != "lookup.wrong_factor" || args["left"] != wantLeft || args["code"] != codeA {
			t.Fatalf("Verify wrong #%d = %v %v, want lookup.wrong_factor left %s", i+1, err, args, wantLeft)
		}
	}
	clk.t = t0.Add(4 * time.Minute)
	_, err := s.Verify(ctx, "tg:1", codeA, "0000")
	var le *LockedError
	if !errors.As(err, &le) || !le.Until.Equal(t0.Add(time.Hour)) {
		t.Fatalf("Verify wrong #5 error = %v, want *LockedError until %v", err, t0.Add(time.Hour))
	}
	until := le.Until

	// Locked: even the right factor is refused, and not checked.
	clk.t = until.Add(-time.Second)
	if _, err := s.Verify(ctx, "tg:1", codeA, phoneA); !errors.As(err, &le) || !le.Until.Equal(until) {
		t.Errorf("Verify(right factor) while locked = %v, want *LockedError until %v", err, until)
	}
	if got, locked, err := s.Locked(ctx, "tg:1"); err != nil || !locked || !got.Equal(until) {
		t.Errorf("Locked 1s before Until = %v, %v, %v; want %v, true, nil", got, locked, err, until)
	}

	clk.t = until
	if _, locked, err := s.Locked(ctx, "tg:1"); err != nil || locked {
		t.Errorf("Locked at Until = %v, %v; want false, nil", locked, err)
	}
	clk.t = until.Add(time.Minute)
	if _, locked, err := s.Locked(ctx, "tg:1"); err != nil || locked {
		t.Errorf("Locked after Until = %v, %v; want false, nil", locked, err)
	}
	if d, err := s.Verify(ctx, "tg:1", codeA, phoneA); err != nil || d.Code != codeA {
		t.Errorf("Verify(right factor) after Until = %q, %v; want the dossier", d.Code, err)
	}
}

func TestVerifyFailuresArePerUser(t *testing.T) {
	s, clk, _, _ := newService(t)
	ctx := t.Context()
	for i := range 5 {
		clk.t = t0.Add(time.Duration(i) * time.Second)
		s.Verify(ctx, "tg:guesser", codeA, "0000")
	}
	if _, locked, _ := s.Locked(ctx, "tg:guesser"); !locked {
		t.Fatalf("Locked(guesser) after 5 failures = false, want true")
	}
	if _, locked, err := s.Locked(ctx, "tg:other"); err != nil || locked {
		t.Errorf("Locked(other) = %v, %v; want false, nil", locked, err)
	}
	_, err := s.Verify(ctx, "tg:other", codeA, "0000")
	if _, args := invalidKey(err); !isKey(err, "lookup.wrong_factor") || args["left"] != "4" {
		t.Errorf("Verify(other, wrong) = %v %v, want lookup.wrong_factor left 4", err, args)
	}
}

func TestVerifySuccessDoesNotResetCount(t *testing.T) {
	s, clk, _, path := newService(t)
	ctx := t.Context()
	for range 2 {
		s.Verify(ctx, "tg:1", codeA, "0000")
	}
	clk.t = t0.Add(time.Minute)
	if _, err := s.Verify(ctx, "tg:1", codeA, phoneA); err != nil {
		t.Fatalf("Verify(right factor) = %v", err)
	}
	_, err := s.Verify(ctx, "tg:1", codeA, "0000")
	if _, args := invalidKey(err); !isKey(err, "lookup.wrong_factor") || args["left"] != "2" {
		t.Errorf("Verify(wrong) after a success = %v %v, want lookup.wrong_factor left 2", err, args)
	}

	raw, err := sql.Open("sqlite", path) // driver registered by store
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var okRows, okAt int64
	err = raw.QueryRowContext(ctx, `SELECT count(*), max(at) FROM lookup_attempts
		WHERE code = ? AND outcome = 'ok'`, codeA).Scan(&okRows, &okAt)
	if err != nil || okRows != 1 || okAt != clk.t.Unix() {
		t.Errorf("successful attempts recorded = %d at %d, %v; want 1 at %d", okRows, okAt, err, clk.t.Unix())
	}
}

func TestMine(t *testing.T) {
	s, _, _, _ := newService(t)
	tests := []struct {
		phone, text string
		want        string // "" = mine.not_yours
	}{
		{phoneA, codeA, codeA},
		{phoneA, "h55.20 250501 1", codeA},
		{phoneB, codeB, codeB},
		{phoneA, codeB, ""},                    // someone else's
		{phoneA, "H55.20-250502-0009", ""},     // unknown
		{phoneA, "1.001193.000.00.00.H55", ""}, // malformed
		{phoneA, "xyz", ""},
		{"", codeA, ""}, // no verified phone
	}
	for _, tt := range tests {
		d, err := s.Mine(t.Context(), tt.phone, tt.text)
		if tt.want == "" {
			if !isKey(err, "mine.not_yours") {
				t.Errorf("Mine(%q, %q) = %q, %v; want mine.not_yours", tt.phone, tt.text, d.Code, err)
			}
			continue
		}
		if err != nil || d.Code != tt.want {
			t.Errorf("Mine(%q, %q) = %q, %v; want %q", tt.phone, tt.text, d.Code, err, tt.want)
		}
	}
}

func TestByPhoneNewestFirst(t *testing.T) {
	s, _, db, _ := newService(t)
	ctx := t.Context()
	day := func(d int) time.Time { return time.Date(2025, 6, d, 1, 0, 0, 0, time.UTC) }
	for _, d := range []domain.Dossier{
		testDossier("H55.20-250603-0001", phoneA, "", day(3)),
		testDossier("H55.20-250610-0001", phoneA, "", day(10)),
		testDossier("H55.20-250605-0001", phoneA, "", day(5)),
		testDossier("H55.20-250611-0001", phoneB, "", day(11)),
	} {
		if _, err := db.UpsertDossier(ctx, d, "test"); err != nil {
			t.Fatalf("UpsertDossier(%s): %v", d.Code, err)
		}
	}
	ds, err := s.ByPhone(ctx, phoneA)
	if err != nil {
		t.Fatalf("ByPhone: %v", err)
	}
	var got []string
	for _, d := range ds {
		got = append(got, d.Code)
	}
	want := []string{"H55.20-250610-0001", "H55.20-250605-0001", "H55.20-250603-0001", codeA}
	if len(got) != len(want) {
		t.Fatalf("ByPhone(%s) = %v, want %v", phoneA, got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ByPhone(%s) = %v, want %v", phoneA, got, want)
		}
	}
	if ds, err := s.ByPhone(ctx, "0999999999"); err != nil || len(ds) != 0 {
		t.Errorf("ByPhone(unknown) = %d dossiers, %v; want none", len(ds), err)
	}
}
