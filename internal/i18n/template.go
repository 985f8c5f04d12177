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

// values are a text's arguments: args, then the globals when g is set
// (Globals.With without building the map).
type values struct {
	args map[string]string
	g    *Globals
}

func (v values) get(name string) (string, bool) {
	if s, ok := v.args[name]; ok {
		return s, true
	}
	if v.g != nil {
		return v.g.value(name)
	}
	return "", false
}

// render is the message with its values filled in (T's rules); tag is
// its language, for plural forms.
func (m *message) render(tag language.Tag, v values) string {
	if !m.brace || len(v.args) == 0 && v.g == nil {
		return m.text
	}
	var b strings.Builder
	if m.rescan {
		args := v.args
		if v.g != nil {
			args = v.g.With(args)
		}
		writeParts(&b, appendPlaceholders(nil, expandBlocks(tag, m.text, m.blocks, args)), values{args: args})
		return b.String()
	}
	b.Grow(len(m.text) + 32)
	for _, p := range m.parts {
		if p.plural == nil {
			writePart(&b, p, v)
			continue
		}
		n, ok := v.get(p.plural.block.arg)
		if !ok {
			writeParts(&b, p.plural.raw, v)
			continue
		}
		if i := p.plural.block.pick(tag, n); i >= 0 {
			writeParts(&b, p.plural.forms[i], v)
		}
	}
	return b.String()
}

func writeParts(b *strings.Builder, parts []part, v values) {
	for _, p := range parts {
		writePart(b, p, v)
	}
}

// writePart writes a literal or a {name} part; a name without a value
// stays as "{name}".
func writePart(b *strings.Builder, p part, v values) {
	if p.name == "" {
		b.WriteString(p.lit)
		return
	}
	if s, ok := v.get(p.name); ok {
		b.WriteString(s)
		return
	}
	b.WriteByte('{')
	b.WriteString(p.name)
	b.WriteByte('}')
}
