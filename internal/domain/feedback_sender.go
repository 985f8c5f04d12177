package domain

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sender is the name and phone a citizen gives with a message sent with
// identity, so that the official handling it can contact them.
type Sender struct {
	Name  string
	Phone string // normalized (0905123456)
}

// Bounds of a sender's name: a person's full name, not a letter.
const (
	MinSenderName = 2
	MaxSenderName = 100
)

// Empty reports whether no identity was given.
func (s Sender) Empty() bool { return s.Name == "" && s.Phone == "" }

// SenderName checks a typed full name and returns it trimmed, with its
// inner spaces collapsed.
func SenderName(text string) (string, error) {
	name := strings.Join(strings.Fields(text), " ")
	n := utf8.RuneCountInString(name)
	if n < MinSenderName || n > MaxSenderName || strings.IndexFunc(name, unicode.IsControl) >= 0 ||
		strings.IndexFunc(name, unicode.IsLetter) < 0 {
		return "", Invalid("feedback.bad_name", "min", strconv.Itoa(MinSenderName), "max", strconv.Itoa(MaxSenderName))
	}
	return name, nil
}

// CheckSender validates the identity given with a message: none for an
// anonymous one; a name and a phone for one sent with identity (kept as
// given when absent, for a message filed without the dialog).
func CheckSender(s Sender, anonymous bool) (Sender, error) {
	if anonymous {
		return Sender{}, nil
	}
	if s.Empty() {
		return s, nil
	}
	name, err := SenderName(s.Name)
	if err != nil {
		return Sender{}, err
	}
	phone, ok := NormalizePhone(s.Phone)
	if !ok {
		return Sender{}, Invalid("feedback.bad_phone")
	}
	return Sender{Name: name, Phone: phone}, nil
}
