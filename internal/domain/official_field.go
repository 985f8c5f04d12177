package domain

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"xabot/internal/fold"
)

// FieldOfficials returns who hears about a field's dossiers as a group (the
// daily overdue list): the active officials of that field, else the heads of
// the one-stop shop, else the chairmen, so that no field goes unheard.
func FieldOfficials(field string, all []Official) []Official {
	var of, heads, chairs []Official
	for _, o := range all {
		if !o.Active() {
			continue
		}
		switch {
		case o.Handles(field):
			of = append(of, o)
		case o.Head:
			heads = append(heads, o)
		case o.Role == RoleChairman:
			chairs = append(chairs, o)
		}
	}
	for _, group := range [][]Official{of, heads, chairs} {
		if len(group) > 0 {
			return group
		}
	}
	return nil
}

// UnknownFields returns the names of fields that are none of known, matched
// as Official.Handles matches them (without case or accents).
func UnknownFields(fields, known []string) []string {
	var out []string
	for _, f := range fields {
		if !(Official{Fields: known}).Handles(f) {
			out = append(out, f)
		}
	}
	return out
}

// MaxFieldSuggestions is how many near names a refused field suggests.
const MaxFieldSuggestions = 3

// CanonicalFields matches typed fields against the commune's (known, from
// its profile) without case or accents and returns the profile's spelling
// of each, once, in the order typed: «ho tich», «HỘ TỊCH» and «Hộ tịch»
// are one field, stored as the profile writes it. A name that is none of
// known is officials.unknown_field {field, suggestions}: the closest known
// names (by words in common, then by edit distance on the folded names),
// or officials.unknown_field_all {field, fields} with all of them when none
// is close. With no known fields (a profile that lists none)
// the typed names are kept as they are.
func CanonicalFields(typed, known []string) ([]string, error) {
	if len(known) == 0 {
		return typed, nil
	}
	var out []string
	for _, t := range typed {
		k, ok := matchField(t, known)
		if !ok {
			if near := suggestFields(t, known); len(near) > 0 {
				return nil, Invalid("officials.unknown_field", "field", t, "suggestions", strings.Join(near, ", "))
			}
			return nil, Invalid("officials.unknown_field_all", "field", t, "fields", strings.Join(known, ", "))
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

func matchField(typed string, known []string) (string, bool) {
	words := strings.Join(fieldWords(typed), " ")
	for _, k := range known {
		if sameWords(k, typed) || strings.Join(fieldWords(k), " ") == words {
			return k, true
		}
	}
	return "", false
}

// suggestFields ranks known by closeness to typed: more folded words in
// common first, then a smaller edit distance; names far off are left out.
func suggestFields(typed string, known []string) []string {
	t := fieldWords(typed)
	type cand struct {
		name         string
		common, dist int
	}
	var cs []cand
	for _, k := range known {
		kw := fieldWords(k)
		common := 0
		for _, w := range t {
			if slices.Contains(kw, w) {
				common++
			}
		}
		a, b := strings.Join(t, " "), strings.Join(kw, " ")
		d := editDistance(a, b)
		if common > 0 || d <= max(2, utf8.RuneCountInString(b)/3) {
			cs = append(cs, cand{k, common, d})
		}
	}
	slices.SortStableFunc(cs, func(x, y cand) int {
		if x.common != y.common {
			return y.common - x.common
		}
		return x.dist - y.dist
	})
	var out []string
	for _, c := range cs[:min(len(cs), MaxFieldSuggestions)] {
		out = append(out, c.name)
	}
	return out
}

// fieldWords are a field name's folded words, without punctuation.
func fieldWords(s string) []string {
	return strings.FieldsFunc(fold.String(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
