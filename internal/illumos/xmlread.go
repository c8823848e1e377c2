package illumos

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file reads the XML of libzonecfg's files (/etc/zones/<zone>.xml):
// elements and their attributes, which is all those files hold. It is
// written out rather than taken from encoding/xml, which is a tenth of a
// megabyte of every module binary that Ansible copies to the host for
// every task; xmlread_test.go checks it against encoding/xml on the
// testdata files and on thousands of generated documents.
//
// It reads what encoding/xml's strict decoder reads, as far as the root
// element: the XML declaration, processing instructions, comments, a
// DOCTYPE and text before the root are skipped; the root element and
// everything in it must be well formed (matching end tags, quoted
// attribute values, the five predefined entities and character
// references, UTF-8 and XML characters only); anything after the root's
// end is not read. Text and CDATA are checked and dropped. Elements may
// nest 64 deep (encoding/xml allows 10,000; libzonecfg writes three). Line ends in
// attribute values are normalised to "\n", as encoding/xml does.

// An xmlElem is one element: its name, its attributes in document order,
// and its child elements.
type xmlElem struct {
	name     string
	attrs    [][2]string
	children []*xmlElem
}

// readXML returns the root element of the document b.
func readXML(b []byte) (*xmlElem, error) {
	r := &xmlReader{s: string(b)}
	root, err := r.document()
	if err != nil {
		return nil, fmt.Errorf("XML syntax error on line %d: %w", 1+strings.Count(r.s[:r.i], "\n"), err)
	}
	return root, nil
}

type xmlReader struct {
	s string
	i int
}

var errXMLEOF = errors.New("unexpected EOF")

// text checks the text from r.i to the next '<' and moves r.i there.
func (r *xmlReader) text() error {
	j := strings.IndexByte(r.s[r.i:], '<')
	if j < 0 {
		r.i = len(r.s)
		return errXMLEOF
	}
	if err := checkXMLText(r.s[r.i : r.i+j]); err != nil {
		return err
	}
	r.i += j
	return nil
}

// document skips what may precede the root element and reads it.
func (r *xmlReader) document() (*xmlElem, error) {
	for {
		if err := r.text(); err != nil {
			return nil, err
		}
		if ok, err := r.misc(); err != nil {
			return nil, err
		} else if !ok {
			return r.element(0)
		}
	}
}

// misc skips a comment, processing instruction, CDATA section or
// declaration at r.i (which is at '<') and reports whether there was one.
func (r *xmlReader) misc() (bool, error) {
	rest := r.s[r.i:]
	switch {
	case strings.HasPrefix(rest, "<!--"):
		end := strings.Index(rest[4:], "--")
		if end < 0 {
			return true, errXMLEOF
		}
		if !strings.HasPrefix(rest[4+end:], "-->") {
			return true, errors.New(`invalid sequence "--" not allowed in comments`)
		}
		r.i += 4 + end + 3
	case strings.HasPrefix(rest, "<![CDATA["):
		end := strings.Index(rest[9:], "]]>")
		if end < 0 {
			return true, errXMLEOF
		}
		end += 9
		if err := checkXMLChars(rest[9:end]); err != nil {
			return true, err
		}
		r.i += end + 3
	case strings.HasPrefix(rest, "<?"):
		end := strings.Index(rest[2:], "?>")
		if end < 0 {
			return true, errXMLEOF
		}
		end += 2
		target, content, _ := strings.Cut(rest[2:end], " ")
		if target == "" || !isXMLName(target) {
			return true, errors.New("expected target name after <?")
		}
		if target == "xml" {
			if v, _ := procInstAttr(content, "version"); v != "" && v != "1.0" {
				return true, fmt.Errorf("unsupported version %q; only version 1.0 is supported", v)
			}
		}
		r.i += end + 2
	case strings.HasPrefix(rest, "<!-") && len(rest) > 3, strings.HasPrefix(rest, "<![") && len(rest) > 3:
		return true, errors.New("invalid sequence <!- or <![ not part of <!-- or <![CDATA[")
	case strings.HasPrefix(rest, "<!"):
		// A declaration (DOCTYPE): up to its '>', past quoted strings,
		// comments and nested <...>, as encoding/xml reads a directive
		// (whose first character is taken as it is).
		depth, quote := 0, byte(0)
		for k := 3; k < len(rest); k++ {
			c := rest[k]
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '<' && strings.HasPrefix(rest[k:], "<!--"):
				end := strings.Index(rest[k+4:], "-->")
				if end < 0 {
					return true, errXMLEOF
				}
				k += 4 + end + 2
			case c == '<':
				depth++
			case c == '>' && depth == 0:
				r.i += k + 1
				return true, nil
			case c == '>':
				depth--
			}
		}
		return true, errXMLEOF
	default:
		return false, nil
	}
	return true, nil
}

// procInstAttr returns the value of param in the content of an XML
// declaration (version="1.0" encoding="UTF-8"), found as encoding/xml's
// procInst finds it: the first "param=" followed by a quote.
func procInstAttr(content, param string) (string, bool) {
	param += "="
	for i := 0; i < len(content); {
		k := strings.Index(content[i:], param)
		if k < 0 || i+k+len(param) >= len(content) {
			return "", false
		}
		i += k + len(param)
		if q := content[i]; q == '"' || q == '\'' {
			end := strings.IndexByte(content[i+1:], q)
			if end < 0 {
				return "", false
			}
			return content[i+1 : i+1+end], true
		}
		i++
	}
	return "", false
}

// maxXMLDepth bounds the nesting of elements.
const maxXMLDepth = 64

// element reads the element whose start tag is at r.i, with its content
// and end tag.
func (r *xmlReader) element(depth int) (*xmlElem, error) {
	if depth >= maxXMLDepth {
		return nil, fmt.Errorf("elements nested more than %d deep", maxXMLDepth)
	}
	r.i++ // '<'
	e := &xmlElem{name: r.name()}
	if e.name == "" {
		return nil, errors.New("expected element name after <")
	}
	for {
		// encoding/xml needs no space between attributes either.
		r.space()
		if r.i >= len(r.s) {
			return nil, errXMLEOF
		}
		if strings.HasPrefix(r.s[r.i:], "/>") {
			r.i += 2
			return e, nil
		}
		if r.s[r.i] == '>' {
			r.i++
			break
		}
		name := r.name()
		if name == "" {
			return nil, errors.New("expected attribute name in element")
		}
		r.space()
		if r.i >= len(r.s) {
			return nil, errXMLEOF
		}
		if r.s[r.i] != '=' {
			return nil, fmt.Errorf("attribute name without = in element")
		}
		r.i++
		r.space()
		v, err := r.quoted()
		if err != nil {
			return nil, err
		}
		e.attrs = append(e.attrs, [2]string{name, v})
	}
	for {
		if err := r.text(); err != nil {
			return nil, err
		}
		if strings.HasPrefix(r.s[r.i:], "</") {
			r.i += 2
			name := r.name()
			r.space()
			if r.i >= len(r.s) {
				return nil, errXMLEOF
			}
			if r.s[r.i] != '>' {
				return nil, fmt.Errorf("invalid characters between </%s and >", name)
			}
			r.i++
			if name != e.name {
				return nil, fmt.Errorf("element <%s> closed by </%s>", e.name, name)
			}
			return e, nil
		}
		if ok, err := r.misc(); err != nil {
			return nil, err
		} else if ok {
			continue
		}
		c, err := r.element(depth + 1)
		if err != nil {
			return nil, err
		}
		e.children = append(e.children, c)
	}
}

// space skips white space and reports whether there was any.
func (r *xmlReader) space() bool {
	start := r.i
	for r.i < len(r.s) && strings.IndexByte(" \t\r\n", r.s[r.i]) >= 0 {
		r.i++
	}
	return r.i > start
}

// name reads a name at r.i, or returns "".
func (r *xmlReader) name() string {
	start := r.i
	for r.i < len(r.s) && isXMLNameByte(r.s[r.i]) {
		r.i++
	}
	if !isXMLName(r.s[start:r.i]) {
		r.i = start
		return ""
	}
	return r.s[start:r.i]
}

// isXMLNameByte reports whether c may be part of a name: ASCII letters,
// digits, "_:.-", and the bytes of non-ASCII characters.
func isXMLNameByte(c byte) bool {
	return isXMLNameStart(c) || '0' <= c && c <= '9' || c == '.' || c == '-'
}

func isXMLNameStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == ':' || c >= 0x80
}

func isXMLName(s string) bool {
	return s != "" && isXMLNameStart(s[0]) && utf8.ValidString(s)
}

// quoted reads a quoted attribute value at r.i and returns it with its
// entities replaced and its line ends normalised.
func (r *xmlReader) quoted() (string, error) {
	if r.i >= len(r.s) {
		return "", errXMLEOF
	}
	q := r.s[r.i]
	if q != '"' && q != '\'' {
		return "", errors.New("unquoted or missing attribute value in element")
	}
	end := strings.IndexByte(r.s[r.i+1:], q)
	if end < 0 {
		r.i = len(r.s)
		return "", errXMLEOF
	}
	raw := r.s[r.i+1 : r.i+1+end]
	if strings.IndexByte(raw, '<') >= 0 {
		return "", errors.New("unescaped < inside quoted string")
	}
	r.i += end + 2
	return unescapeXML(raw)
}

// checkXMLText checks text content: entities well formed, characters
// valid.
func checkXMLText(s string) error {
	_, err := unescapeXML(s)
	return err
}

// unescapeXML replaces the entities and character references of s,
// normalises "\r\n" and "\r" to "\n", and checks that every character is
// one XML allows.
func unescapeXML(s string) (string, error) {
	if strings.Contains(s, "]]>") {
		return "", errors.New("unescaped ]]> not in CDATA section")
	}
	if strings.IndexByte(s, '&') < 0 && strings.IndexByte(s, '\r') < 0 {
		return s, checkXMLChars(s)
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		switch c := s[i]; c {
		case '\r':
			b.WriteByte('\n')
			i++
			if i < len(s) && s[i] == '\n' {
				i++
			}
		case '&':
			end := strings.IndexByte(s[i:], ';')
			if end < 0 {
				return "", errors.New("invalid character entity (no semicolon)")
			}
			name := s[i+1 : i+end]
			r, ok := xmlEntity(name)
			if !ok {
				return "", fmt.Errorf("invalid character entity &%s;", name)
			}
			b.WriteRune(r)
			i += end + 1
		default:
			b.WriteByte(c)
			i++
		}
	}
	out := b.String()
	return out, checkXMLChars(out)
}

// xmlEntity returns the character of a predefined entity (lt, gt, amp,
// apos, quot) or a character reference (#N, #xH) up to U+10FFFF.
func xmlEntity(name string) (rune, bool) {
	switch name {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "apos":
		return '\'', true
	case "quot":
		return '"', true
	}
	num, ok := strings.CutPrefix(name, "#")
	if !ok || num == "" {
		return 0, false
	}
	base := 10
	if hex, ok := strings.CutPrefix(num, "x"); ok {
		num, base = hex, 16
	}
	if num == "" || num[0] == '+' || num[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(num, base, 32)
	if err != nil || n > utf8.MaxRune {
		return 0, false
	}
	// A surrogate is written as U+FFFD; a character XML does not allow
	// fails the check of the decoded text, as in encoding/xml.
	return rune(n), true
}

// checkXMLChars checks that s is UTF-8 of characters XML allows.
func checkXMLChars(s string) error {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return errors.New("invalid UTF-8")
			}
		}
		if !isXMLChar(r) {
			return fmt.Errorf("illegal character code %U", r)
		}
	}
	return nil
}

// isXMLChar reports whether XML 1.0 allows r (its production Char).
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
