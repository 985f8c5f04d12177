// Package slip is the QR on the receipt slip (Giấy tiếp nhận hồ sơ và hẹn
// trả kết quả): a signed link token that names a dossier, the links built
// from it (the Telegram deep link and the status page), and opening a
// token back into its dossier.
//
// A token is the dossier's canonical code and an HMAC-SHA256 of it under
// XABOT_LINK_KEY, truncated to 96 bits; it carries no personal data and no
// date. Whether it still works is decided when it is used, from the
// dossier: it never expires while the dossier is open or its result waits
// to be collected, and stops 30 days after the result was returned (Keep).
// So the slip printed on the day of receipt stays good however long the
// dossier takes, and one printed again is the same.
package slip

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Token layout: one letter for the form, 16 characters of MAC (12 bytes,
// base64url), then the code. Form A writes a canonical code as it is with
// its dots as underscores (H55.20-261121-0004 → H55_20-261121-0004, so the
// one-stop shop can read it); form B is base64url of any other code.
const (
	formPlain byte = 'A'
	formB64   byte = 'B'
	macBytes       = 12 // 96 bits
	macChars       = 16 // base64url of macBytes, no padding
	// MaxToken is Telegram's limit on a start parameter.
	MaxToken = 64
)

// ErrBad is a token that was forged, altered, cut, or names no dossier.
var ErrBad = errors.New("slip: link forged, altered or unknown")

// ErrExpired is a token of a dossier whose result was returned more than
// Keep ago.
var ErrExpired = errors.New("slip: link expired")

// ErrTooLong is a code too long to fit a token of MaxToken characters.
var ErrTooLong = errors.New("slip: code too long for a link")

// b64 is strict: a last character whose spare bits are set is refused, so
// no two strings decode to the same bytes.
var b64 = base64.RawURLEncoding.Strict()

// Signer makes tokens with one key and checks them with it or with an
// earlier key, so that rotating the key leaves printed slips good.
type Signer struct{ keys [][]byte }

// NewSigner returns a Signer for key (XABOT_LINK_KEY), which also accepts
// the tokens of the old keys (XABOT_LINK_KEY_OLD); an empty key is an
// error that says what to set.
func NewSigner(key string, old ...string) (*Signer, error) {
	if key == "" {
		return nil, errors.New("slip: XABOT_LINK_KEY is not set: the receipt slip's links need it (at least 32 characters, e.g. openssl rand -base64 32)")
	}
	s := &Signer{keys: [][]byte{[]byte(key)}}
	for _, k := range old {
		if k != "" && k != key {
			s.keys = append(s.keys, []byte(k))
		}
	}
	return s, nil
}

// Token returns the token of a dossier code (stored form; it is made
// canonical first).
func (s *Signer) Token(code string) (string, error) {
	form, body := formPlain, plainBody(code)
	if body == "" {
		form, body = formB64, b64.EncodeToString([]byte(code))
	}
	tok := string(form) + b64.EncodeToString(mac(s.keys[0], form, code)) + body
	if len(tok) > MaxToken {
		return "", fmt.Errorf("%w: %q", ErrTooLong, code)
	}
	return tok, nil
}

// Code checks token and returns the code it names, or ErrBad.
func (s *Signer) Code(token string) (string, error) {
	if len(token) <= 1+macChars || len(token) > MaxToken {
		return "", ErrBad
	}
	form, macText, body := token[0], token[1:1+macChars], token[1+macChars:]
	var code string
	switch form {
	case formPlain:
		code = strings.ReplaceAll(body, "_", ".")
		if plainBody(code) != body { // only the one spelling of a code
			return "", ErrBad
		}
	case formB64:
		raw, err := b64.DecodeString(body)
		if err != nil || plainBody(string(raw)) != "" { // a plain code has form A only
			return "", ErrBad
		}
		code = string(raw)
	default:
		return "", ErrBad
	}
	got, err := b64.DecodeString(macText)
	if err != nil {
		return "", ErrBad
	}
	for _, k := range s.keys {
		if hmac.Equal(got, mac(k, form, code)) {
			return code, nil
		}
	}
	return "", ErrBad
}

// mac is the truncated HMAC of the form and the code under key, apart from
// any other use of the key by its prefix.
func mac(key []byte, form byte, code string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("xabot-slip\x00"))
	m.Write([]byte{form})
	m.Write([]byte(code))
	return m.Sum(nil)[:macBytes]
}

// plainBody is code in form A, or "" when code is not written in upper
// case letters, digits, dots and dashes (with a letter or digit first, so
// no token body is empty).
func plainBody(code string) string {
	if code == "" {
		return ""
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		ok := c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || (i > 0 && (c == '.' || c == '-'))
		if !ok {
			return ""
		}
	}
	return strings.ReplaceAll(code, ".", "_")
}
