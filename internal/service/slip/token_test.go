package slip

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"xabot/internal/domain"
)

const key = "test-link-key-0123456789abcdefghijkl"

func signer(t *testing.T) *Signer {
	t.Helper()
	s, err := NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// alphabet is what Telegram takes in a start parameter.
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

func TestRoundTrip(t *testing.T) {
	s := signer(t)
	for _, code := range []string{
		"H55.20-261121-0004",
		"000.00.12.H55-250501-0012",
		"ABC 12/3",              // an imported code of no usual shape: form B
		"HỒ-SƠ-1",               // not ASCII: form B
		strings.Repeat("A", 47), // the longest plain code that fits
	} {
		tok, err := s.Token(code)
		if err != nil {
			t.Fatalf("Token(%q): %v", code, err)
		}
		if len(tok) > MaxToken || strings.Trim(tok, alphabet) != "" {
			t.Errorf("Token(%q) = %q: over %d characters or outside A-Za-z0-9_-", code, tok, MaxToken)
		}
		got, err := s.Code(tok)
		if err != nil || got != code {
			t.Errorf("Code(%q) = %q, %v; want %q", tok, got, err, code)
		}
		again, _ := s.Token(code)
		if again != tok {
			t.Errorf("Token(%q) differs on a reprint: %q, %q", code, tok, again)
		}
	}
	if tok, _ := s.Token("H55.20-261121-0004"); !strings.HasSuffix(tok, "H55_20-261121-0004") {
		t.Errorf("a canonical code is not readable in its token: %q", tok)
	}
	if _, err := s.Token(strings.Repeat("A", 48)); !errors.Is(err, ErrTooLong) {
		t.Errorf("a 48-character code: %v, want ErrTooLong", err)
	}
	if _, err := NewSigner(""); err == nil || !strings.Contains(err.Error(), "XABOT_LINK_KEY") {
		t.Errorf("NewSigner(\"\") = %v, want an error naming XABOT_LINK_KEY", err)
	}
}

// Every byte of a token, changed to every other character of the
// alphabet, gives a token refused; so do tokens cut short, lengthened, or
// signed with another key.
func TestTamperEachByte(t *testing.T) {
	s := signer(t)
	for _, code := range []string{"H55.20-261121-0004", "ABC 12/3"} {
		tok, _ := s.Token(code)
		tried := 0
		for i := range len(tok) {
			for _, c := range []byte(alphabet) {
				if c == tok[i] {
					continue
				}
				bad := tok[:i] + string(c) + tok[i+1:]
				tried++
				if got, err := s.Code(bad); !errors.Is(err, ErrBad) {
					t.Fatalf("altered byte %d of %q to %q: Code = %q, %v; want ErrBad", i, tok, bad, got, err)
				}
			}
		}
		if tried != len(tok)*(len(alphabet)-1) {
			t.Fatalf("tried %d alterations", tried)
		}
		for _, bad := range []string{"", tok[:1], tok[:1+macChars], tok[:len(tok)-1], tok + "A", tok + "_",
			strings.ToLower(tok), tok + strings.Repeat("A", MaxToken)} {
			if _, err := s.Code(bad); !errors.Is(err, ErrBad) {
				t.Errorf("Code(%q) = %v, want ErrBad", bad, err)
			}
		}
		other, _ := NewSigner(key + "x")
		if _, err := other.Code(tok); !errors.Is(err, ErrBad) {
			t.Errorf("a token of another key: %v, want ErrBad", err)
		}
	}
}

type repo map[string]domain.Dossier

func (r repo) DossierByCode(_ context.Context, code string) (domain.Dossier, error) {
	d, ok := r[code]
	if !ok {
		return domain.Dossier{}, domain.ErrNotFound
	}
	return d, nil
}

// A link works while the dossier is open and while its result waits,
// then for Keep after the result was returned, to the second.
func TestExpiryWithClock(t *testing.T) {
	s := signer(t)
	received := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)
	returned := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	d := domain.Dossier{ID: 1, Code: "H55.20-261102-0001", Status: domain.StatusInProgress, ReceivedAt: received}
	r := repo{d.Code: d}
	now := received
	svc := New(s, r, func() time.Time { return now }, Config{PublicURL: "https://xa.example", TelegramBot: "xa_bot"})
	l, err := svc.Links(d.Code)
	if err != nil {
		t.Fatal(err)
	}
	if l.Telegram != "https://t.me/xa_bot?start="+l.Token || l.Page != "https://xa.example/s/"+l.Token || l.QR() != l.Page {
		t.Errorf("links = %+v", l)
	}
	open := func() error { _, err := svc.Open(t.Context(), l.Token); return err }

	now = received.Add(400 * 24 * time.Hour) // open for a year: still good
	if err := open(); err != nil {
		t.Errorf("open dossier a year on: %v", err)
	}
	d.Status, d.FinishedAt = domain.StatusDone, returned.Add(-24*time.Hour)
	r[d.Code] = d
	if err := open(); err != nil {
		t.Errorf("result waiting: %v", err)
	}
	d.Status, d.ReturnedAt = domain.StatusReturned, returned
	r[d.Code] = d
	now = returned.Add(Keep - time.Second)
	if err := open(); err != nil {
		t.Errorf("a second before the end: %v", err)
	}
	now = returned.Add(Keep)
	if err := open(); !errors.Is(err, ErrExpired) {
		t.Errorf("at the end: %v, want ErrExpired", err)
	}
	delete(r, d.Code)
	if err := open(); !errors.Is(err, ErrBad) {
		t.Errorf("a signed token of no dossier: %v, want ErrBad", err)
	}
	// Withdrawn, never returned: Keep after it ended.
	w := domain.Dossier{Code: "H55.20-261102-0002", Status: domain.StatusWithdrawn, FinishedAt: returned}
	if end, ok := Ends(w); !ok || !end.Equal(returned.Add(Keep)) {
		t.Errorf("Ends(withdrawn) = %v, %v", end, ok)
	}
}

// Rotating the key: with the old key listed, slips printed before still
// open and new ones are signed with the new key; once the old key is
// dropped, its slips are refused like forged ones.
func TestKeyRotation(t *testing.T) {
	const code, newKey = "H55.20-261121-0004", "rotated-link-key-9876543210zyxwvutsrq"
	printed, err := signer(t).Token(code)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := NewSigner(newKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rotated.Code(printed); err != nil || got != code {
		t.Errorf("a slip printed under the old key: %q, %v; want %q", got, err, code)
	}
	fresh, _ := rotated.Token(code)
	if fresh == printed {
		t.Errorf("the rotated signer still signs with the old key: %q", fresh)
	}
	if _, err := signer(t).Code(fresh); !errors.Is(err, ErrBad) {
		t.Errorf("a new slip opened under the old key alone: %v", err)
	}
	only, _ := NewSigner(newKey)
	if _, err := only.Code(printed); !errors.Is(err, ErrBad) {
		t.Errorf("the old key dropped, its slip: %v, want ErrBad", err)
	}
	if got, err := only.Code(fresh); err != nil || got != code {
		t.Errorf("a new slip: %q, %v", got, err)
	}
}
