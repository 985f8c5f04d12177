package intake

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// xmlScanner reads the XML parts of a workbook as a stream of tokens with
// bounded memory: a tag is at most maxTag bytes, and text — however long a
// cell — comes in chunks of at most textChunk bytes, already unescaped.
// encoding/xml cannot do this: it holds a whole text, comment or CDATA
// section in memory before returning it, and one 900 MiB cell is then
// gigabytes. It reads what Excel and the libraries that write .xlsx files
// produce: elements with namespace prefixes (which it drops), attributes,
// the five predefined entities and character references, comments,
// processing instructions and CDATA. A DOCTYPE is refused: no workbook has
// one, and its entities are how a small file becomes a huge one.
type xmlScanner struct {
	r     *bufio.Reader
	name  string    // local name of the current start or end tag
	attrs []xmlAttr // of the current start tag
	text  []byte    // the current text chunk, valid until the next call
	end   bool      // the current start tag closed itself: its end comes next
	cdata bool      // inside a CDATA section
	// brackets are ']' read in a CDATA section and not yet known to be text.
	brackets int
	tag      []byte
}

type xmlAttr struct{ name, value string }

type xmlToken int

const (
	tokEOF xmlToken = iota
	tokStart
	tokEnd
	tokText
)

const (
	maxTag    = 64 << 10
	textChunk = 32 << 10
)

var errXML = errors.New("malformed XML")

func newXMLScanner(r io.Reader) *xmlScanner {
	s := &xmlScanner{r: bufio.NewReaderSize(r, 64<<10), text: make([]byte, 0, textChunk)}
	if b, err := s.r.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		s.r.Discard(3)
	}
	return s
}

// attr returns the value of the current start tag's attribute name (local
// name), "" when absent.
func (s *xmlScanner) attr(name string) string {
	for _, a := range s.attrs {
		if a.name == name {
			return a.value
		}
	}
	return ""
}

// next reads the next token: a start or end tag (name, attrs), a chunk of
// text (text), or the end of the part. A long text is several tokText in a
// row.
func (s *xmlScanner) next() (xmlToken, error) {
	if s.end {
		s.end = false
		return tokEnd, nil
	}
	for {
		if s.cdata {
			return s.readCDATA()
		}
		c, err := s.r.ReadByte()
		if err == io.EOF {
			return tokEOF, nil
		}
		if err != nil {
			return tokEOF, err
		}
		if c != '<' {
			s.r.UnreadByte()
			return s.readText()
		}
		c, err = s.r.ReadByte()
		if err != nil {
			return tokEOF, unexpected(err)
		}
		switch c {
		case '/':
			if err := s.readTag(); err != nil {
				return tokEOF, err
			}
			return tokEnd, nil
		case '?':
			if err := s.skipUntil("?>"); err != nil {
				return tokEOF, err
			}
		case '!':
			switch {
			case s.consume("--"):
				if err := s.skipUntil("-->"); err != nil {
					return tokEOF, err
				}
			case s.consume("[CDATA["):
				s.cdata = true
			default:
				return tokEOF, fmt.Errorf("%w: a DOCTYPE or declaration", errXML)
			}
		default:
			s.r.UnreadByte()
			if err := s.readTag(); err != nil {
				return tokEOF, err
			}
			return tokStart, nil
		}
	}
}

// readText reads character data up to the next '<' or textChunk bytes,
// unescaping entities.
func (s *xmlScanner) readText() (xmlToken, error) {
	s.text = s.text[:0]
	for len(s.text) < textChunk {
		if _, err := s.r.Peek(1); err != nil {
			if err == io.EOF {
				break
			}
			return tokEOF, err
		}
		buf, _ := s.r.Peek(min(s.r.Buffered(), textChunk-len(s.text)))
		i := bytes.IndexByte(buf, '<')
		if j := bytes.IndexByte(buf, '&'); j >= 0 && (i < 0 || j < i) {
			s.text = append(s.text, buf[:j]...)
			s.r.Discard(j + 1)
			if err := s.readEntity(); err != nil {
				return tokEOF, err
			}
			continue
		}
		if i >= 0 {
			s.text = append(s.text, buf[:i]...)
			s.r.Discard(i)
			break
		}
		s.text = append(s.text, buf...)
		s.r.Discard(len(buf))
	}
	return tokText, nil
}

// readCDATA reads a CDATA section's text up to "]]>" or textChunk bytes.
// Up to two ']' that may start the terminator are held back in brackets.
func (s *xmlScanner) readCDATA() (xmlToken, error) {
	s.text = s.text[:0]
	for len(s.text) < textChunk {
		c, err := s.r.ReadByte()
		if err != nil {
			return tokEOF, unexpected(err)
		}
		switch {
		case c == ']' && s.brackets < 2:
			s.brackets++
		case c == ']':
			s.text = append(s.text, ']') // the first of three is text
		case c == '>' && s.brackets == 2:
			s.brackets, s.cdata = 0, false
			return tokText, nil
		default:
			for ; s.brackets > 0; s.brackets-- {
				s.text = append(s.text, ']')
			}
			s.text = append(s.text, c)
		}
	}
	return tokText, nil
}

// readEntity reads an entity after its '&' and appends what it stands for.
func (s *xmlScanner) readEntity() error {
	var name []byte
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			return unexpected(err)
		}
		if c == ';' {
			break
		}
		if name = append(name, c); len(name) > 12 {
			return fmt.Errorf("%w: an entity too long", errXML)
		}
	}
	r, ok := entity(string(name))
	if !ok {
		return fmt.Errorf("%w: unknown entity &%s;", errXML, name)
	}
	s.text = utf8.AppendRune(s.text, r)
	return nil
}

func entity(name string) (rune, bool) {
	switch name {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	num, ok := strings.CutPrefix(name, "#")
	if !ok {
		return 0, false
	}
	base := 10
	if hex, isHex := strings.CutPrefix(num, "x"); isHex {
		num, base = hex, 16
	}
	n, err := strconv.ParseUint(num, base, 32)
	if err != nil || !utf8.ValidRune(rune(n)) {
		return 0, false
	}
	return rune(n), true
}

// readTag reads a tag after its '<' (and '/') up to '>', and sets name,
// attrs and end.
func (s *xmlScanner) readTag() error {
	s.tag = s.tag[:0]
	var quote byte
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			return unexpected(err)
		}
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return s.parseTag()
		}
		if s.tag = append(s.tag, c); len(s.tag) > maxTag {
			return fmt.Errorf("%w: a tag over %d bytes", errXML, maxTag)
		}
	}
}

func (s *xmlScanner) parseTag() error {
	t := s.tag
	if n := len(t); n > 0 && t[n-1] == '/' {
		s.end, t = true, t[:n-1]
	}
	name, rest := cutName(t)
	if name == "" {
		return fmt.Errorf("%w: a tag without a name", errXML)
	}
	s.name, s.attrs = local(name), s.attrs[:0]
	for {
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if len(rest) == 0 {
			return nil
		}
		var key string
		key, rest = cutName(rest)
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if key == "" || len(rest) < 2 || rest[0] != '=' {
			return fmt.Errorf("%w: a bad attribute in <%s>", errXML, s.name)
		}
		rest = bytes.TrimLeft(rest[1:], " \t\r\n")
		if len(rest) < 2 || rest[0] != '"' && rest[0] != '\'' {
			return fmt.Errorf("%w: an unquoted attribute in <%s>", errXML, s.name)
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return fmt.Errorf("%w: an unclosed attribute in <%s>", errXML, s.name)
		}
		v, err := unescape(rest[1 : 1+end])
		if err != nil {
			return err
		}
		s.attrs = append(s.attrs, xmlAttr{name: local(key), value: v})
		rest = rest[2+end:]
	}
}

// cutName splits a name off the front of b.
func cutName(b []byte) (string, []byte) {
	i := bytes.IndexAny(b, " \t\r\n=/")
	if i < 0 {
		return string(b), nil
	}
	return string(b[:i]), b[i:]
}

// local drops a namespace prefix: "x:row" is "row".
func local(name string) string {
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// unescape replaces the entities of an attribute value.
func unescape(b []byte) (string, error) {
	if bytes.IndexByte(b, '&') < 0 {
		return string(b), nil
	}
	var out []byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			out = append(out, b...)
			break
		}
		out = append(out, b[:i]...)
		j := bytes.IndexByte(b[i:], ';')
		if j < 0 {
			return "", fmt.Errorf("%w: an unfinished entity", errXML)
		}
		r, ok := entity(string(b[i+1 : i+j]))
		if !ok {
			return "", fmt.Errorf("%w: unknown entity", errXML)
		}
		out = utf8.AppendRune(out, r)
		b = b[i+j+1:]
	}
	return string(out), nil
}

// consume reads want if the stream continues with it.
func (s *xmlScanner) consume(want string) bool {
	b, err := s.r.Peek(len(want))
	if err != nil || string(b) != want {
		return false
	}
	s.r.Discard(len(want))
	return true
}

// skipUntil reads past the next end, whatever comes before it.
func (s *xmlScanner) skipUntil(end string) error {
	matched := 0
	for matched < len(end) {
		c, err := s.r.ReadByte()
		if err != nil {
			return unexpected(err)
		}
		switch {
		case c == end[matched]:
			matched++
		case c == end[0]:
			matched = 1
		default:
			matched = 0
		}
	}
	return nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return fmt.Errorf("%w: unexpected end", errXML)
	}
	return err
}
