package citizen

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/store"
)

// at is a whole second: the store keeps times to the second.
var at = time.Date(2025, 6, 2, 2, 0, 0, 0, time.UTC)

func newService(t *testing.T) *Service {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return New(db, func() time.Time { return at })
}

func TestGetUnknown(t *testing.T) {
	s := newService(t)
	c, err := s.Get(t.Context(), "tg:1")
	if err != nil {
		t.Fatalf("Get(unknown) error = %v", err)
	}
	if c.Key != "tg:1" || c.Role != domain.RoleCitizen || c.Consented() || c.Phone != "" || c.Lang != "" {
		t.Errorf("Get(unknown) = %+v, want a fresh citizen tg:1 without consent", c)
	}
}

func TestConsent(t *testing.T) {
	s := newService(t)
	ctx := t.Context()
	if err := s.Consent(ctx, "tg:1"); err != nil {
		t.Fatalf("Consent: %v", err)
	}
	c, err := s.Get(ctx, "tg:1")
	if err != nil || !c.Consented() || !c.ConsentAt.Equal(at) || c.Role != domain.RoleCitizen {
		t.Errorf("Get after Consent = %+v, %v; want consented at %v, role citizen", c, err, at)
	}
	if other, _ := s.Get(ctx, "tg:2"); other.Consented() {
		t.Errorf("Get(tg:2) after Consent(tg:1) = consented, want not")
	}
}

func TestSetLang(t *testing.T) {
	tests := []struct {
		lang    string
		want    string // stored language after the call
		invalid bool
	}{
		{"vi", "vi", false},
		{"en", "en", false},
		{"fr", "", true},
		{"", "", true},
		{"VI", "", true},
	}
	for _, tt := range tests {
		s := newService(t)
		err := s.SetLang(t.Context(), "tg:1", tt.lang)
		var inv *domain.InvalidError
		if got := errors.As(err, &inv); got != tt.invalid {
			t.Errorf("SetLang(%q) error = %v, want invalid %v", tt.lang, err, tt.invalid)
		}
		if !tt.invalid && err != nil {
			t.Errorf("SetLang(%q) error = %v", tt.lang, err)
		}
		c, err := s.Get(t.Context(), "tg:1")
		if err != nil || c.Lang != tt.want {
			t.Errorf("Get after SetLang(%q): Lang = %q, %v; want %q", tt.lang, c.Lang, err, tt.want)
		}
	}
}

func TestSetLangChanges(t *testing.T) {
	s := newService(t)
	ctx := t.Context()
	for _, l := range []string{"en", "vi"} {
		if err := s.SetLang(ctx, "tg:1", l); err != nil {
			t.Fatalf("SetLang(%q): %v", l, err)
		}
	}
	if err := s.SetLang(ctx, "tg:1", "fr"); err == nil {
		t.Errorf("SetLang(fr) error = nil, want InvalidError")
	}
	if c, _ := s.Get(ctx, "tg:1"); c.Lang != "vi" {
		t.Errorf("Lang after SetLang en, vi, fr = %q, want vi", c.Lang)
	}
}

func TestVerifyContactRefusals(t *testing.T) {
	tests := []struct {
		name    string
		consent bool
		phone   string
		own     bool
		wantKey string // InvalidError key; "" = ErrForbidden
	}{
		{"someone else's contact", true, "0905123456", false, "contact.not_own"},
		{"someone else's, no consent", false, "0905123456", false, "contact.not_own"},
		{"letters", true, "090 abc 3456", true, "contact.bad_phone"},
		{"too short", true, "12345", true, "contact.bad_phone"},
		{"empty", true, "", true, "contact.bad_phone"},
		{"no consent", false, "0905123456", true, ""},
	}
	for _, tt := range tests {
		s := newService(t)
		ctx := t.Context()
		if tt.consent {
			if err := s.Consent(ctx, "tg:1"); err != nil {
				t.Fatalf("%s: Consent: %v", tt.name, err)
			}
		}
		p, err := s.VerifyContact(ctx, "tg:1", tt.phone, tt.own)
		if p != "" {
			t.Errorf("%s: VerifyContact phone = %q, want \"\"", tt.name, p)
		}
		if tt.wantKey == "" {
			if !errors.Is(err, domain.ErrForbidden) {
				t.Errorf("%s: VerifyContact error = %v, want ErrForbidden", tt.name, err)
			}
		} else {
			var inv *domain.InvalidError
			if !errors.As(err, &inv) || inv.Key != tt.wantKey {
				t.Errorf("%s: VerifyContact error = %v, want InvalidError %s", tt.name, err, tt.wantKey)
			}
		}
		if c, _ := s.Get(ctx, "tg:1"); c.Phone != "" {
			t.Errorf("%s: stored phone = %q after a refused VerifyContact, want none", tt.name, c.Phone)
		}
	}
}

func TestVerifyContactOwn(t *testing.T) {
	for _, in := range []string{"0905123456", "+84 905 123 456", "84905123456", "0905.123.456"} {
		s := newService(t)
		ctx := t.Context()
		if err := s.Consent(ctx, "tg:1"); err != nil {
			t.Fatalf("Consent: %v", err)
		}
		p, err := s.VerifyContact(ctx, "tg:1", in, true)
		if err != nil || p != "0905123456" {
			t.Errorf("VerifyContact(%q) = %q, %v; want 0905123456, nil", in, p, err)
		}
		c, err := s.Get(ctx, "tg:1")
		if err != nil || c.Phone != "0905123456" || !c.PhoneVerifiedAt.Equal(at) {
			t.Errorf("Get after VerifyContact(%q) = phone %q at %v, %v; want 0905123456 at %v",
				in, c.Phone, c.PhoneVerifiedAt, err, at)
		}
	}
}

// A phone proved by a dossier links only after consent, and only a phone.
func TestVerifyProved(t *testing.T) {
	s := newService(t)
	ctx := t.Context()
	if _, err := s.VerifyProved(ctx, "zalo:1", "0905123456"); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("VerifyProved before consent: error = %v, want ErrForbidden", err)
	}
	if err := s.Consent(ctx, "zalo:1"); err != nil {
		t.Fatal(err)
	}
	var inv *domain.InvalidError
	if _, err := s.VerifyProved(ctx, "zalo:1", "4821"); !errors.As(err, &inv) || inv.Key != "contact.bad_phone" {
		t.Errorf("VerifyProved(4821): error = %v, want contact.bad_phone", err)
	}
	p, err := s.VerifyProved(ctx, "zalo:1", "+84 905 123 456")
	if err != nil || p != "0905123456" {
		t.Fatalf("VerifyProved = %q, %v; want 0905123456", p, err)
	}
	if c, _ := s.Get(ctx, "zalo:1"); c.Phone != "0905123456" {
		t.Errorf("stored phone = %q, want 0905123456", c.Phone)
	}
}
