package i18n

import (
	"math/big"
	"strconv"
	"strings"
	"time"
)

// separators are a language's thousands and decimal marks.
type separators struct{ group, decimal string }

// separatorsOf returns the marks for lang. Vietnamese writes 4.080 and 95,2;
// English 4,080 and 95.2. Any other language gets the Vietnamese marks, the
// commune's own, as T falls back to the reference.
func separatorsOf(lang string) separators {
	l := strings.ToLower(lang)
	if i := strings.IndexAny(l, "-_"); i >= 0 {
		l = l[:i]
	}
	if l == "en" {
		return separators{group: ",", decimal: "."}
	}
	return separators{group: ".", decimal: ","}
}

// Number formats n with the thousands mark of lang: vi "1.234.567", en
// "1,234,567"; negative numbers get a leading "-".
func Number(lang string, n int64) string {
	u := uint64(n)
	sign := ""
	if n < 0 {
		// Negating as unsigned is exact even for math.MinInt64.
		u, sign = -u, "-"
	}
	return sign + group(strconv.FormatUint(u, 10), separatorsOf(lang).group)
}

// Percent formats num/den as a percentage with decimals digits after the
// mark, rounded half away from zero: vi "95,2%", en "95.2%". A zero den,
// a ratio of nothing, gives "—" rather than a made-up 0% or 100%.
func Percent(lang string, num, den int64, decimals int) string {
	if den == 0 {
		return "—"
	}
	decimals = max(decimals, 0)
	// Exact integer arithmetic: floats turn 12.5 into 12.49999… and round
	// report figures the wrong way.
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil)
	q := new(big.Int).Mul(big.NewInt(num), big.NewInt(100))
	q.Mul(q, scale)
	d := big.NewInt(den)
	neg := q.Sign()*d.Sign() < 0
	q.Abs(q)
	d.Abs(d)
	// round(q/d) = (2q + d) / 2d for non-negative q, d.
	q.Lsh(q, 1).Add(q, d)
	q.Quo(q, d.Lsh(d, 1))

	digits := q.String()
	if len(digits) <= decimals {
		digits = strings.Repeat("0", decimals-len(digits)+1) + digits
	}
	sep := separatorsOf(lang)
	whole, frac := digits[:len(digits)-decimals], digits[len(digits)-decimals:]
	var b strings.Builder
	if neg && q.Sign() != 0 {
		b.WriteByte('-')
	}
	b.WriteString(group(whole, sep.group))
	if decimals > 0 {
		b.WriteString(sep.decimal)
		b.WriteString(frac)
	}
	b.WriteByte('%')
	return b.String()
}

// group inserts mark every three digits from the right of a digit string.
func group(digits, mark string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	b.Grow(len(digits) + len(digits)/3*len(mark))
	head := len(digits) % 3
	if head == 0 {
		head = 3
	}
	b.WriteString(digits[:head])
	for i := head; i < len(digits); i += 3 {
		b.WriteString(mark)
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// Date formats t's date in loc as DD/MM/YYYY, the order of Vietnamese
// forms, used in every language because citizens compare it with their
// paper receipt. A nil loc keeps t's own zone.
func Date(t time.Time, loc *time.Location) string {
	return in(t, loc).Format("02/01/2006")
}

// DateTime formats t in loc as "DD/MM/YYYY HH:MM", 24-hour.
func DateTime(t time.Time, loc *time.Location) string {
	return in(t, loc).Format("02/01/2006 15:04")
}

func in(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		return t
	}
	return t.In(loc)
}
