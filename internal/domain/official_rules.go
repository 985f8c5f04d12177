package domain

import (
	"errors"
	"strings"
	"unicode/utf8"

	"xabot/internal/fold"
)

// Errors of invites and revocations, beside the classes in errors.go. An
// unknown invite code is ErrNotFound; an active official already bound to
// the chat is ErrConflict.
var (
	ErrInviteUsed    = errors.New("invite already used")
	ErrInviteExpired = errors.New("invite expired")
	ErrRevoked       = errors.New("official revoked")
)

// InviteAlphabet is what invite codes are made of: consonants and digits
// only. No vowel means Vietnamese input methods (Telex, VNI) have nothing to
// put a tone mark on, so "AS" never becomes "Á" while typing; D (đ) and W
// (ư) are left out for the same reason, and 0/O, 1/I cannot be confused.
const InviteAlphabet = "BCFGHJKLMNPQRSTVXZ23456789"

// InviteCodeLen is the number of characters of an invite code, without the
// dash that groups them.
const InviteCodeLen = 8

// FormatInviteCode groups a normalised code for reading: "BCFG-HJKL".
func FormatInviteCode(code string) string {
	if len(code) != InviteCodeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// NormalizeInviteCode reads a typed invite code: case, accents an input
// method added, spaces, dashes and dots aside. It reports false when what
// remains is not InviteCodeLen characters of InviteAlphabet.
func NormalizeInviteCode(s string) (string, bool) {
	if len(s) > 64 {
		return "", false
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(fold.String(s)) {
		switch {
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '_' || r == '–' || r == '—':
		default:
			return "", false
		}
	}
	code := b.String()
	if len(code) != InviteCodeLen {
		return "", false
	}
	for i := 0; i < len(code); i++ {
		if !strings.ContainsRune(InviteAlphabet, rune(code[i])) {
			return "", false
		}
	}
	return code, true
}

// MaxOfficialName is the longest official's name accepted, in characters.
const MaxOfficialName = 100

// CleanName trims a person's name and collapses its inner spacing.
func CleanName(s string) string { return strings.Join(strings.Fields(s), " ") }

// ValidOfficialName reports whether a cleaned name can be stored.
func ValidOfficialName(name string) bool {
	n := utf8.RuneCountInString(name)
	return n > 0 && n <= MaxOfficialName
}

// CleanFields trims the field names, drops empty ones and keeps the first
// spelling of names that differ only in case, accents or spacing.
func CleanFields(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range in {
		f = CleanName(f)
		k := fold.String(f)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}

// SplitFields reads a typed list of fields: separated by commas, semicolons
// or new lines; "-" (or "không", "none") alone means none.
func SplitFields(s string) []string {
	switch fold.String(s) {
	case "", "-", "khong", "none", "0":
		return nil
	}
	return CleanFields(strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }))
}

// Status of an official as lists show it.
const (
	OfficialPending = "pending" // invited, not registered yet
	OfficialBound   = "bound"   // registered from a chat
	OfficialRevoked = "revoked"
)

// Status says whether the official is pending, bound or revoked.
func (o Official) Status() string {
	switch {
	case !o.RevokedAt.IsZero():
		return OfficialRevoked
	case o.ChatKey != "":
		return OfficialBound
	}
	return OfficialPending
}

// MaskChatKey shows a chat identity without giving it away:
// "tg:123456789" becomes "tg:12…89".
func MaskChatKey(key string) string {
	if key == "" {
		return ""
	}
	ch, id, ok := strings.Cut(key, ":")
	if !ok {
		ch, id = "", key
	} else {
		ch += ":"
	}
	r := []rune(id)
	switch n := len(r); {
	case n <= 2:
		return ch + "…"
	case n <= 5:
		return ch + string(r[:1]) + "…" + string(r[n-1:])
	default:
		return ch + string(r[:2]) + "…" + string(r[n-2:])
	}
}

// Route picks who is alerted about dossier d among all officials, active
// ones only: the official whose name is the dossier's handler; else the
// officials of its field; else the heads of the one-stop shop; else the
// chairman. Order follows all. It returns nil when no one is active.
func Route(d Dossier, all []Official) []Official {
	var handler, field, heads, chairs []Official
	h := fold.String(d.Handler)
	for _, o := range all {
		if !o.Active() {
			continue
		}
		if h != "" && fold.String(o.Name) == h {
			handler = append(handler, o)
		}
		if fold.String(d.Field) != "" && o.Handles(d.Field) {
			field = append(field, o)
		}
		if o.Head {
			heads = append(heads, o)
		}
		if o.Role == RoleChairman {
			chairs = append(chairs, o)
		}
	}
	for _, group := range [][]Official{handler, field, heads, chairs} {
		if len(group) > 0 {
			return group
		}
	}
	return nil
}
