package domain

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// FuzzCode reads any text as a dossier code, whole and inside a message:
// a code read is canonical (reading it again gives it back, as does
// CanonicalCode and finding it in text), plain ASCII, and CanonicalCode is
// idempotent on anything.
func FuzzCode(f *testing.F) {
	for _, s := range []string{
		"H55.20-250501-0001", " h55.20 - 250501 - 1 ", "000.00.12.H55_250501_000012", "“H55.20–250501–0001”.",
		"1.001193.000.00.00.H55", "H55-250229-7", "hồ sơ H55.20-250501-0001 của tôi", "H55.20\u200b-250501-0001",
		"H55.20-250501-0001\x00", "ABC/2025/77", "h55.20—250501—1234567", "ﬀ-250501-1", "ı-250501-1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		canon := CanonicalCode(s)
		if again := CanonicalCode(canon); again != canon {
			t.Errorf("CanonicalCode(%q) = %q, then %q", s, canon, again)
		}
		if c, err := ParseCode(s); err == nil {
			checkCanonical(t, s, c)
			if canon != c {
				t.Errorf("CanonicalCode(%q) = %q, ParseCode %q", s, canon, c)
			}
		}
		if c, ok := FindCode(s); ok {
			checkCanonical(t, s, c)
		}
	})
}

// checkCanonical fails t unless c, read from s, is a canonical code.
func checkCanonical(t *testing.T, s, c string) {
	t.Helper()
	if again, err := ParseCode(c); err != nil || again != c {
		t.Errorf("%q read as %q, which reads as %q (%v)", s, c, again, err)
	}
	if CanonicalCode(c) != c {
		t.Errorf("%q read as %q, canonical %q", s, c, CanonicalCode(c))
	}
	if found, ok := FindCode(c); !ok || found != c {
		t.Errorf("%q read as %q, found in itself as %q, %t", s, c, found, ok)
	}
	if strings.ContainsFunc(c, func(r rune) bool { return r > 0x7e || r <= ' ' }) {
		t.Errorf("%q read as %q: not plain ASCII", s, c)
	}
}

// FuzzPhone reads any text as a phone number: one read is 0 and then the
// national number (10 digits for mobiles, 11 for the older landlines),
// reads again as itself, is the end of the digits given, and masks to its
// own length showing only its first and last three digits.
func FuzzPhone(f *testing.F) {
	for _, s := range []string{"0905 123 456", "+84905123456", "84-905-123-456", "(+84) 905.123.456",
		"0084905123456", "+84 (0) 905 123 456", "905123456", "0255 3123 456", "090512", "09051234567890",
		"0905١٢٣٤٥٦", "０９０５１２３４５６", "00905123456", "+84 0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := NormalizePhone(s)
		if !ok {
			if p != "" {
				t.Errorf("NormalizePhone(%q) = %q, false", s, p)
			}
			return
		}
		if len(p) < 10 || len(p) > 11 || p[0] != '0' || p[1] == '0' || strings.ContainsFunc(p, func(r rune) bool { return r < '0' || r > '9' }) {
			t.Errorf("NormalizePhone(%q) = %q", s, p)
		}
		if again, ok := NormalizePhone(p); !ok || again != p {
			t.Errorf("NormalizePhone(%q) = %q, then %q, %t", s, p, again, ok)
		}
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, s)
		if !strings.HasSuffix(digits, p[1:]) {
			t.Errorf("NormalizePhone(%q) = %q: not the number given", s, p)
		}
		if m := MaskPhone(p); len(m) != len(p) || m[:3] != p[:3] || m[len(m)-3:] != p[len(p)-3:] || strings.Trim(m[3:len(m)-3], "*") != "" {
			t.Errorf("MaskPhone(%q) = %q", p, m)
		}
	})
}

// ticketShape is a canonical ticket: a kind, yyMM, a sequence of at least
// four digits from 1.
var ticketShape = regexp.MustCompile(`^(PA|KN|TC)-\d\d(0[1-9]|1[0-2])-(\d{4,})$`)

// FuzzTicket reads any text as a ticket, and makes tickets from any time
// and sequence: a ticket read is canonical and reads as itself; a ticket
// made reads back as itself while its sequence fits.
func FuzzTicket(f *testing.F) {
	f.Add("PA-2611-0042", uint32(41), int64(1793862000))
	f.Add(" pa 2611 42 ", uint32(0), int64(0))
	f.Add("TC26110100", uint32(9999), int64(-62135596800))
	f.Add("kn–2612—7", uint32(999998), int64(253402300799))
	f.Add("PA-2613-0042", uint32(999999), int64(1))
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string, last uint32, unix int64) {
		if c, ok := ParseTicket(s); ok {
			if !ticketShape.MatchString(c) || strings.TrimLeft(ticketShape.FindStringSubmatch(c)[3], "0") == "" {
				t.Errorf("ParseTicket(%q) = %q", s, c)
			}
			if again, ok := ParseTicket(c); !ok || again != c {
				t.Errorf("ParseTicket(%q) = %q, then %q, %t", s, c, again, ok)
			}
		}
		at := time.Unix(int64(uint64(unix)%(1<<36)), 0) // 1970 to about 4100
		for _, k := range FeedbackKinds() {
			made := NextTicket(k, at, loc, int(last))
			got, ok := ParseTicket(made)
			if fits := last < 999999; ok != fits || fits && got != made {
				t.Errorf("NextTicket(%s, %v, %d) = %q, read as %q, %t", k, at, last, made, got, ok)
			}
		}
	})
}
