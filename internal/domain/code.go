package domain

import (
	"regexp"
	"strings"
	"time"
)

// Dossier codes are "<agency id>-<yyMMdd>-<daily sequence>" (Decree 118
// Art. 28; Thanh Hóa's generator), e.g. "H55.20-250501-0001" or
// "000.00.12.H55-250501-0012". The agency part has no fixed layout, so it is
// parsed loosely. Procedure (TTHC) codes such as "1.000948.H38" look alike
// and get a hint instead.
var (
	wholeCode = regexp.MustCompile(`^([A-Z0-9]+(?:\.[A-Z0-9]+)*)[-_ .]+(\d{6})[-_ .]+(\d{1,6})$`)
	inText    = regexp.MustCompile(`(?i)\b([A-Z0-9]+(?:\.[A-Z0-9]+)*)\s?[-_–—]\s?(\d{6})\s?[-_–—]\s?(\d{1,6})\b`)
	procCode  = regexp.MustCompile(`^\d\.\d{6}(\.[A-Z0-9]+)*$`)
	dashes    = strings.NewReplacer("–", "-", "—", "-", "‐", "-", "−", "-")
)

// CodeError says why text is not a dossier code.
type CodeError struct{ Procedure bool }

func (e *CodeError) Error() string {
	if e.Procedure {
		return "a procedure code, not a dossier code"
	}
	return "not a dossier code"
}

// ParseCode reads a dossier code typed loosely (any case, spaces, dots or
// underscores between the parts, a short sequence) and returns its canonical
// form: upper case, dashes, the sequence padded to four digits.
func ParseCode(s string) (string, error) {
	if isCanonical(s) {
		return s, nil
	}
	return parseLoose(s)
}

// parseLoose is ParseCode by the regexps, for any text.
func parseLoose(s string) (string, error) {
	t := strings.ToUpper(strings.TrimSpace(dashes.Replace(s)))
	t = strings.Trim(t, "\"'“”‘’`()[]<>.,;:!?")
	t = strings.Join(strings.Fields(t), " ")
	t = strings.ReplaceAll(strings.ReplaceAll(t, " - ", "-"), " -", "-")
	t = strings.ReplaceAll(t, "- ", "-")
	if m := wholeCode.FindStringSubmatch(t); m != nil && validDate(m[2]) {
		return canonical(m[1], m[2], m[3]), nil
	}
	if procCode.MatchString(strings.ReplaceAll(t, " ", "")) {
		return "", &CodeError{Procedure: true}
	}
	return "", &CodeError{}
}

// FindCode returns the first dossier code written inside text, canonical.
func FindCode(text string) (string, bool) {
	if isCanonical(text) {
		return text, true
	}
	return findLoose(text)
}

// findLoose is FindCode by the regexp, for any text.
func findLoose(text string) (string, bool) {
	for _, m := range inText.FindAllStringSubmatch(dashes.Replace(text), 4) {
		if validDate(m[2]) {
			return canonical(strings.ToUpper(m[1]), m[2], m[3]), true
		}
	}
	return "", false
}

// CanonicalCode returns the canonical form of a stored code, or the code
// upper-cased when it does not follow the usual shape (imports keep such
// codes; lookups then need them typed exactly).
func CanonicalCode(s string) string {
	if c, err := ParseCode(s); err == nil {
		return c
	}
	return strings.ToUpper(strings.TrimSpace(s))
}

// isCanonical reports whether s is a code in its canonical form, as
// stored and as printed on the receipt a citizen pastes: the regexps
// would read it as itself. Most codes the bot reads are, and the scan is
// a tenth of the regexps' time.
func isCanonical(s string) bool {
	i, dot := 0, true // dot: at the start of an agency segment
	for ; i < len(s) && s[i] != '-'; i++ {
		switch c := s[i]; {
		case c == '.' && !dot:
			dot = true
		case 'A' <= c && c <= 'Z' || '0' <= c && c <= '9':
			dot = false
		default:
			return false
		}
	}
	if dot || len(s) < i+1+6+1+4 || s[i+7] != '-' {
		return false
	}
	date, seq := s[i+1:i+7], s[i+8:]
	if !digits(date) || !digits(seq) || len(seq) > 6 || len(seq) > 4 && seq[0] == '0' {
		return false
	}
	return validDate(date)
}

func canonical(agency, date, seq string) string {
	seq = strings.TrimLeft(seq, "0")
	for len(seq) < 4 {
		seq = "0" + seq
	}
	return agency + "-" + date + "-" + seq
}

func validDate(yymmdd string) bool {
	_, err := time.Parse("060102", yymmdd)
	return err == nil
}
