package i18n

import (
	"strings"

	"golang.org/x/text/language"
)

// A message is parsed once, at Load, into parts that T appends in order:
// scanning every text for placeholders and plural blocks on every call was
// most of the time a chat turn spent in Go (issue 13).
type message struct {
	text  string
	brace bool // text holds a "{": without one there is nothing to fill in
	parts []part
	// rescan: a plural block glued between "{…" and "…}" could, once
	// expanded, form a new {placeholder} across parts; such a text is
	// expanded whole and then scanned, as it always was.
	rescan bool
	blocks []pluralBlock // for rescan
}

// part is one piece of a message: literal text, a {name} (name set), or a
// plural block (plural set).
type part struct {
	lit, name string
	plural    *pluralPart
}

// pluralPart is a plural block with each form parsed, "#" as the block's
// placeholder, and the block's own text parsed for when its argument is
// missing (it then stays, its placeholders filled).
type pluralPart struct {
	block pluralBlock
	forms [][]part // by block.forms
	raw   []part
}

// parseMessage parses text. Load has checked its plural blocks.
func parseMessage(text string) *message {
	m := &message{text: text, brace: strings.Contains(text, "{")}
	if !m.brace {
		return m
	}
	blocks, err := pluralBlocks(text)
	if err != nil {
		blocks = nil // as expandPlurals: a broken block is text
	}
	last := 0
	for _, b := range blocks {
		m.parts = appendPlaceholders(m.parts, text[last:b.start])
		p := &pluralPart{block: b, raw: appendPlaceholders(nil, text[b.start:b.end])}
		for _, f := range b.forms {
			p.forms = append(p.forms, appendPlaceholders(nil, strings.ReplaceAll(f.text, "#", "{"+b.arg+"}")))
		}
		m.parts = append(m.parts, part{plural: p})
		if glued(text, b.start, b.end) {
			m.rescan, m.blocks = true, blocks
		}
		last = b.end
	}
	m.parts = appendPlaceholders(m.parts, text[last:])
	return m
}

// glued reports whether the block text[start:end] sits where its form,
// were it all letters, would complete a placeholder: a "{" or a name's
// letters before it and a "}" or letters after it.
func glued(text string, start, end int) bool {
	before := start > 0 && (text[start-1] == '{' || text[start-1] == '}' || nameByte(text[start-1], true))
	after := end < len(text) && (text[end] == '}' || text[end] == '{' || nameByte(text[end], true))
	return before && after
}

// appendPlaceholders appends s as literal and {name} parts. It matches as
// the placeholder regexp does: leftmost, names that are identifiers.
func appendPlaceholders(parts []part, s string) []part {
	lit := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '{' {
			continue
		}
		n := placeholderAt(s, i)
		if n == 0 {
			continue
		}
		if lit < i {
			parts = append(parts, part{lit: s[lit:i]})
		}
		parts = append(parts, part{name: s[i+1 : i+n-1]})
		i += n - 1
		lit = i + 1
	}
	if lit < len(s) {
		parts = append(parts, part{lit: s[lit:]})
	}
	return parts
}

// placeholderAt is the length of the {name} starting at s[i], 0 if none.
func placeholderAt(s string, i int) int {
	j := i + 1
	if j >= len(s) || !nameByte(s[j], false) {
		return 0
	}
	for j++; j < len(s) && nameByte(s[j], true); j++ {
	}
	if j >= len(s) || s[j] != '}' {
		return 0
	}
	return j + 1 - i
}

// nameByte reports whether c may be in a placeholder name: a letter or
// "_", and a digit after the first.
func nameByte(c byte, digit bool) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || digit && '0' <= c && c <= '9'
}

// render is the message with args filled in (T's rules); tag is its
// language, for plural forms.
func (m *message) render(tag language.Tag, args map[string]string) string {
	if len(args) == 0 || !m.brace {
		return m.text
	}
	var b strings.Builder
	if m.rescan {
		writeParts(&b, appendPlaceholders(nil, expandBlocks(tag, m.text, m.blocks, args)), args)
		return b.String()
	}
	b.Grow(len(m.text) + 16*len(args))
	for _, p := range m.parts {
		if p.plural == nil {
			writePart(&b, p, args)
			continue
		}
		v, ok := args[p.plural.block.arg]
		if !ok {
			writeParts(&b, p.plural.raw, args)
			continue
		}
		if i := p.plural.block.pick(tag, v); i >= 0 {
			writeParts(&b, p.plural.forms[i], args)
		}
	}
	return b.String()
}

func writeParts(b *strings.Builder, parts []part, args map[string]string) {
	for _, p := range parts {
		writePart(b, p, args)
	}
}

// writePart writes a literal or a {name} part; a name without an arg
// stays as "{name}".
func writePart(b *strings.Builder, p part, args map[string]string) {
	if p.name == "" {
		b.WriteString(p.lit)
		return
	}
	if v, ok := args[p.name]; ok {
		b.WriteString(v)
		return
	}
	b.WriteByte('{')
	b.WriteString(p.name)
	b.WriteByte('}')
}
