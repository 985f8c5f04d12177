// Package collate puts the texts people read in Vietnamese dictionary
// order (golang.org/x/text/collate, language.Vietnamese): «Đăng ký» after
// «Dân số» and before «Gia đình», «Ư» after «U», «Ơ» after «Ô», «Ă» and
// «Â» after «A» — not after «Z» as code points would have it. Numbers in
// names count as numbers («Thôn 2» before «Thôn 10»). It imports nothing
// from this module.
package collate

import (
	"slices"
	"sync"

	xcollate "golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// A Collator keeps buffers and is not safe for concurrent use: each call
// borrows one.
var collators = sync.Pool{New: func() any { return xcollate.New(language.Vietnamese, xcollate.Numeric) }}

// Compare orders a and b as a Vietnamese dictionary would: -1, 0 or 1.
func Compare(a, b string) int {
	c := collators.Get().(*xcollate.Collator)
	defer collators.Put(c)
	return c.CompareString(a, b)
}

// Strings sorts s in Vietnamese order.
func Strings(s []string) { SortBy(s, func(v string) string { return v }) }

// SortBy sorts s in the Vietnamese order of key(v), stably: each key is
// made once, not at every comparison.
func SortBy[T any](s []T, key func(T) string) {
	c := collators.Get().(*xcollate.Collator)
	defer collators.Put(c)
	type keyed struct {
		k []byte
		v T
	}
	var buf xcollate.Buffer
	ks := make([]keyed, len(s))
	for i, v := range s {
		// The buffer's keys are overwritten at Reset; copy them out.
		ks[i] = keyed{k: slices.Clone(c.KeyFromString(&buf, key(v))), v: v}
		buf.Reset()
	}
	slices.SortStableFunc(ks, func(a, b keyed) int { return compareBytes(a.k, b.k) })
	for i := range ks {
		s[i] = ks[i].v
	}
}

func compareBytes(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}
