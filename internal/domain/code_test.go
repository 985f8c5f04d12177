package domain

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestParseCode(t *testing.T) {
	const want = "H55.20-250501-0001"
	tests := []struct {
		in   string
		want string
		err  *CodeError // nil when the code parses
	}{
		{"H55.20-250501-0001", want, nil},
		{"h55.20-250501-0001", want, nil},
		{"  H55.20-250501-0001\n", want, nil},
		{"H55.20 - 250501 - 0001", want, nil},
		{"H55.20 -250501- 0001", want, nil},
		{"H55.20 250501 0001", want, nil},
		{"H55.20.250501.0001", want, nil},
		{"H55.20_250501_0001", want, nil},
		{"H55.20–250501–0001", want, nil}, // en dash, as phones autocorrect
		{"H55.20—250501—0001", want, nil}, // em dash
		{"H55.20−250501−0001", want, nil}, // minus sign
		{`"H55.20-250501-0001"`, want, nil},
		{"“H55.20-250501-0001”.", want, nil},
		{"(H55.20-250501-0001)", want, nil},
		{"H55.20-250501-0001!", want, nil},
		{"H55.20-250501-1", want, nil}, // short sequence padded
		{"H55.20-250501-01", want, nil},
		{"H55.20-250501-000001", want, nil}, // extra zeros dropped
		{"H55.20-250501-12345", "H55.20-250501-12345", nil},
		{"000.00.12.H55-250501-0012", "000.00.12.H55-250501-0012", nil},
		{"000.00.12.h55 250501 12", "000.00.12.H55-250501-0012", nil},
		{"H55-240229-7", "H55-240229-0007", nil}, // 2024 is a leap year
		{"H55.20-251399-0001", "", &CodeError{}}, // month 13
		{"H55.20-250230-0001", "", &CodeError{}}, // 30 February
		{"H55-250229-7", "", &CodeError{}},       // 2025 is not a leap year
		{"H55.20-2505-0001", "", &CodeError{}},   // date too short
		{"H55.20-250501-1234567", "", &CodeError{}},
		{"H55.20-250501", "", &CodeError{}},
		{"1.000948.H38", "", &CodeError{Procedure: true}},
		{"1.001612.000.00.00.H55", "", &CodeError{Procedure: true}},
		{" 1.001612.000.00.00.h55 ", "", &CodeError{Procedure: true}},
		{"2.002189", "", &CodeError{Procedure: true}},
		{"", "", &CodeError{}},
		{"xin chào", "", &CodeError{}},
		{"0905123456", "", &CodeError{}},
		{"tra cứu hồ sơ H55.20-250501-0001", "", &CodeError{}}, // text around: FindCode's job
	}
	for _, tc := range tests {
		got, err := ParseCode(tc.in)
		if tc.err == nil {
			if err != nil || got != tc.want {
				t.Errorf("ParseCode(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			continue
		}
		var ce *CodeError
		if !errors.As(err, &ce) {
			t.Errorf("ParseCode(%q) = %q, %v; want a *CodeError", tc.in, got, err)
			continue
		}
		if *ce != *tc.err || got != "" {
			t.Errorf("ParseCode(%q) = %q, %+v; want \"\", %+v", tc.in, got, *ce, *tc.err)
		}
	}
}

func TestCodeErrorMessage(t *testing.T) {
	if a, b := (&CodeError{}).Error(), (&CodeError{Procedure: true}).Error(); a == b || a == "" || b == "" {
		t.Errorf("CodeError messages %q and %q: want two different texts", a, b)
	}
}

func TestFindCode(t *testing.T) {
	tests := []struct {
		text string
		want string // "" when none
	}{
		{"H55.20-250501-0001", "H55.20-250501-0001"},
		{"Cho tôi hỏi hồ sơ H55.20-250501-0001 đến đâu rồi?", "H55.20-250501-0001"},
		{"ma ho so h55.20-250501-1 cua toi", "H55.20-250501-0001"},
		{"Mã: 000.00.12.H55-250501-0012.", "000.00.12.H55-250501-0012"},
		{"hồ sơ H55.20 – 250501 – 12 ạ", "H55.20-250501-0012"},
		{"mã H55.20_250501_0003, cảm ơn", "H55.20-250501-0003"},
		{"H55.20-251399-0001 hoặc H55.20-250502-0002", "H55.20-250502-0002"}, // first valid one
		{"(H55.20-250501-0001)", "H55.20-250501-0001"},
		{"gọi 0905-123-456 nhé", ""},
		{"số 0905-123456-1", ""}, // 123456 is not a date
		{"thủ tục 1.001612.000.00.00.H55", ""},
		{"", ""},
		{"xin chào", ""},
	}
	for _, tc := range tests {
		got, ok := FindCode(tc.text)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("FindCode(%q) = %q, %v; want %q, %v", tc.text, got, ok, tc.want, tc.want != "")
		}
	}
}

func TestCanonicalCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"h55.20-250501-1", "H55.20-250501-0001"},
		{" hs-local-77 ", "HS-LOCAL-77"}, // unusual codes are kept, upper-cased
		{"1.000948.h38", "1.000948.H38"},
	}
	for _, tc := range tests {
		if got := CanonicalCode(tc.in); got != tc.want {
			t.Errorf("CanonicalCode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// The canonical shortcut of ParseCode and FindCode reads every text as the
// regexps do: codes written right, nearly right and wrong, generated.
func TestCodeShortcutMatchesRegexps(t *testing.T) {
	pick := func(r *rand.Rand, from ...string) string { return from[r.IntN(len(from))] }
	r := rand.New(rand.NewPCG(13, 13))
	check := func(s string) {
		c1, e1 := ParseCode(s)
		c2, e2 := parseLoose(s)
		if c1 != c2 || (e1 == nil) != (e2 == nil) || e1 != nil && e1.Error() != e2.Error() {
			t.Fatalf("ParseCode(%q) = %q, %v; the regexps %q, %v", s, c1, e1, c2, e2)
		}
		f1, ok1 := FindCode(s)
		f2, ok2 := findLoose(s)
		if f1 != f2 || ok1 != ok2 {
			t.Fatalf("FindCode(%q) = %q, %v; the regexp %q, %v", s, f1, ok1, f2, ok2)
		}
	}
	shortcuts := 0
	for range 300000 {
		var b strings.Builder
		b.WriteString(pick(r, "", "", "", " ", "\"", "x", "-", ".", "(", "hồ sơ "))
		for i := range 1 + r.IntN(4) {
			if i > 0 {
				b.WriteString(pick(r, ".", ".", ".", "-", "..", "_"))
			}
			b.WriteString(pick(r, "H55", "h55", "000", "00", "12", "A", "Z9", "", "261118", "é"))
		}
		b.WriteString(pick(r, "-", "-", "-", "_", " ", "–", ".", "--", " - "))
		b.WriteString(pick(r, "261118", "261118", "250231", "991301", "000229", "010229", "26111", "2611188"))
		b.WriteString(pick(r, "-", "-", "-", "_", " ", "–", ".", "--"))
		b.WriteString(pick(r, "0001", "0001", "1", "12345", "012345", "123456", "1234567", "0000", "00001", "9999"))
		b.WriteString(pick(r, "", "", "", " ", "\"", "x", "-1", ".", ")", "-261118-0002"))
		s := b.String()
		if isCanonical(s) {
			shortcuts++
		}
		check(s)
	}
	// Near misses of a real code: each byte dropped, doubled or changed.
	for _, code := range []string{"H55.20-261118-0001", "000.00.12.H55-250501-12345", "A-000229-0000"} {
		check(code)
		for i := range len(code) {
			check(code[:i] + code[i+1:])
			check(code[:i+1] + code[i:])
			for _, c := range "0-._ aZ" {
				check(code[:i] + string(c) + code[i+1:])
			}
		}
	}
	if shortcuts < 100 {
		t.Errorf("only %d generated texts took the shortcut: the test compares little", shortcuts)
	}
}
