package config

import (
	"fmt"
	"io"
	"strings"
)

// An Assignment is one KEY=VALUE of a configuration file, its value with
// the shell quoting removed.
type Assignment struct {
	Key   string
	Value string
	File  string
	Line  int
}

// A Warning is something in a configuration file that zonemgr read but
// that may not mean what its author intended: an unknown key, or a value
// that a shell would have expanded.
type Warning struct {
	File string
	Line int
	Key  string
	Msg  string
}

// String renders the warning as "file:line: message".
func (w Warning) String() string {
	return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Msg)
}

// A SyntaxError is a configuration file that cannot be read as KEY=VALUE
// lines.
type SyntaxError struct {
	File string
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Parse reads a configuration file: KEY=VALUE assignments, one or more per
// line, in the shell's syntax, which the original zonemgr sourced with
// "." but which zonemgr now reads without running anything.
//
//   - A value is a shell word: unquoted characters (a backslash escapes
//     the next one), 'single-quoted' text (no escapes), and
//     "double-quoted" text in which \", \\, \$ and \` stand for the second
//     character and a backslash before a newline joins the lines; the
//     parts are joined, as in sh: a'b'"c" is abc.
//   - Nothing is expanded or run. $VAR, ${VAR}, $(command), `command` and
//     a leading ~ are kept literally, with a warning.
//   - "# comment" runs to the end of the line where a word could begin: at
//     the start of a line or after white space; KEY=a#b is "a#b".
//   - "export " before assignments is allowed and changes nothing;
//     "export KEY" alone and the lines "true" and ":" are no-ops.
//   - Anything else that is not an assignment (a command, a pipe, ";",
//     a redirection) is a *SyntaxError naming the file and line.
//
// Keys that are not configuration variables give a warning naming the
// closest known key; their assignments are still returned.
func Parse(r io.Reader, name string) ([]Assignment, []Warning, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", name, err)
	}
	p := &parser{src: string(b), file: name, line: 1}
	if err := p.parse(); err != nil {
		return nil, nil, err
	}
	return p.assigns, p.warns, nil
}

type parser struct {
	src     string
	pos     int
	file    string
	line    int
	assigns []Assignment
	warns   []Warning
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

func (p *parser) peek() byte { return p.src[p.pos] }

// next returns the next byte and moves past it, counting lines.
func (p *parser) next() byte {
	c := p.src[p.pos]
	p.pos++
	if c == '\n' {
		p.line++
	}
	return c
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return &SyntaxError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) warn(line int, key, format string, args ...any) {
	p.warns = append(p.warns, Warning{File: p.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

func (p *parser) skipBlanks() {
	for !p.eof() && isBlank(p.peek()) {
		p.pos++
	}
}

// skipComment skips a comment up to, not including, the newline.
func (p *parser) skipComment() {
	for !p.eof() && p.peek() != '\n' {
		p.pos++
	}
}

func isNameStart(c byte) bool { return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

func isNameChar(c byte) bool { return isNameStart(c) || c >= '0' && c <= '9' }

// name returns the shell name at the current position, or "".
func (p *parser) name() string {
	start := p.pos
	if p.eof() || !isNameStart(p.peek()) {
		return ""
	}
	for !p.eof() && isNameChar(p.peek()) {
		p.pos++
	}
	return p.src[start:p.pos]
}

// atWordEnd reports whether the current position ends a word.
func (p *parser) atWordEnd() bool {
	return p.eof() || isBlank(p.peek()) || p.peek() == '\n'
}

// parse reads the file one line (one command) at a time.
func (p *parser) parse() error {
	for {
		p.skipBlanks()
		if p.eof() {
			return nil
		}
		switch p.peek() {
		case '\n':
			p.next()
			continue
		case '#':
			p.skipComment()
			continue
		}
		if err := p.command(); err != nil {
			return err
		}
	}
}

// command reads one line's assignments, up to and including its newline.
func (p *parser) command() error {
	line := p.line
	start := p.pos
	word := p.name()
	switch {
	case word != "" && !p.eof() && p.peek() == '=':
		return p.assignments(start)
	case word == "export" && p.atWordEnd():
		return p.exportList(line)
	case (word == "true" || word == "") && p.lineIsJust(start, word):
		return nil
	}
	p.pos = start
	return p.errorf(line, "not a KEY=VALUE assignment: %q (configuration files are read, not run)", p.restOfLine())
}

// lineIsJust reports whether the line that starts at start is only word
// (true) or ":" (word ""), maybe with a comment, and then moves past it.
func (p *parser) lineIsJust(start int, word string) bool {
	if word == "" {
		if p.eof() || p.peek() != ':' {
			return false
		}
		p.pos++
	}
	if !p.atWordEnd() {
		p.pos = start
		return false
	}
	p.skipBlanks()
	if !p.eof() && p.peek() == '#' {
		p.skipComment()
	}
	if !p.eof() && p.peek() != '\n' {
		p.pos = start
		return false
	}
	return true
}

// restOfLine returns the text from the current position to the end of
// the line, for error messages.
func (p *parser) restOfLine() string {
	end := strings.IndexByte(p.src[p.pos:], '\n')
	if end < 0 {
		return p.src[p.pos:]
	}
	return strings.TrimRight(p.src[p.pos:p.pos+end], "\r")
}

// exportList reads the rest of an export line: assignments and bare
// names.
func (p *parser) exportList(line int) error {
	for {
		p.skipBlanks()
		if p.eof() || p.peek() == '\n' {
			return nil
		}
		if p.peek() == '#' {
			p.skipComment()
			return nil
		}
		start := p.pos
		word := p.name()
		switch {
		case word != "" && p.atWordEnd():
			continue // export KEY: the value is whatever it already is
		case word != "" && !p.eof() && p.peek() == '=':
			p.pos = start
			if err := p.assignment(); err != nil {
				return err
			}
		default:
			p.pos = start
			return p.errorf(line, "export: not a name or KEY=VALUE: %q", p.restOfLine())
		}
	}
}

// assignments reads the assignments of one line, starting at start.
func (p *parser) assignments(start int) error {
	p.pos = start
	for {
		if err := p.assignment(); err != nil {
			return err
		}
		p.skipBlanks()
		if p.eof() || p.peek() == '\n' {
			return nil
		}
		if p.peek() == '#' {
			p.skipComment()
			return nil
		}
		s := p.pos
		if w := p.name(); w == "" || p.eof() || p.peek() != '=' {
			p.pos = s
			return p.errorf(p.line, "unexpected %q after an assignment (a shell would run it as a command)", p.restOfLine())
		}
		p.pos = s
	}
}

// assignment reads KEY=VALUE at the current position.
func (p *parser) assignment() error {
	line := p.line
	key := p.name()
	p.pos++ // '='
	value, err := p.value(line, key)
	if err != nil {
		return err
	}
	if !knownKey(key) {
		p.warn(line, key, "unknown key %s ignored; the closest known key is %s", key, closestKey(key))
	}
	p.assigns = append(p.assigns, Assignment{Key: key, Value: value, File: p.file, Line: line})
	return nil
}

// value reads one shell word and returns it with the quoting removed.
func (p *parser) value(line int, key string) (string, error) {
	var b strings.Builder
	warned := map[string]bool{}
	warnOnce := func(what, why string) {
		if !warned[what] {
			warned[what] = true
			p.warn(line, key, "%s: %s taken literally: %s", key, what, why)
		}
	}
	first := true
	for !p.atWordEnd() {
		c := p.peek()
		switch {
		case c == '\'':
			start := p.line
			p.next()
			end := strings.IndexByte(p.src[p.pos:], '\'')
			if end < 0 {
				return "", p.errorf(start, "%s: unterminated single quote", key)
			}
			for range end {
				b.WriteByte(p.next())
			}
			p.next()
		case c == '"':
			if err := p.doubleQuoted(&b, key, warnOnce); err != nil {
				return "", err
			}
		case c == '\\':
			p.next()
			if p.eof() {
				b.WriteByte('\\')
				break
			}
			if e := p.next(); e != '\n' {
				b.WriteByte(e)
			}
		case c == '$' || c == '`':
			if err := p.substitution(&b, key, warnOnce); err != nil {
				return "", err
			}
		case c == '~' && first:
			warnOnce(`"~"`, "home directories are not expanded")
			b.WriteByte(p.next())
		case strings.IndexByte(";&|<>()", c) >= 0:
			return "", p.errorf(p.line, "%s: unquoted %q is shell syntax that is not supported; quote the value", key, c)
		default:
			b.WriteByte(p.next())
		}
		first = false
	}
	return b.String(), nil
}

// doubleQuoted reads a "double-quoted" part of a word.
func (p *parser) doubleQuoted(b *strings.Builder, key string, warnOnce func(what, why string)) error {
	start := p.line
	p.next()
	for {
		if p.eof() {
			return p.errorf(start, "%s: unterminated double quote", key)
		}
		switch c := p.peek(); c {
		case '"':
			p.next()
			return nil
		case '\\':
			p.next()
			if p.eof() {
				return p.errorf(start, "%s: unterminated double quote", key)
			}
			switch e := p.peek(); e {
			case '"', '\\', '$', '`':
				b.WriteByte(p.next())
			case '\n':
				p.next()
			default:
				b.WriteByte('\\')
			}
		case '$', '`':
			if err := p.substitution(b, key, warnOnce); err != nil {
				return err
			}
		default:
			b.WriteByte(p.next())
		}
	}
}

// substitution copies, literally, what a shell would expand at a '$' or
// '`': $(command), `command`, ${VAR} and $VAR, and warns about it. A lone
// '$' is just a dollar sign, as in sh.
func (p *parser) substitution(b *strings.Builder, key string, warnOnce func(what, why string)) error {
	start := p.line
	rest := p.src[p.pos:]
	var n int
	switch {
	case strings.HasPrefix(rest, "$("):
		n = matching(rest, 1, '(', ')')
		if n < 0 {
			return p.errorf(start, "%s: unterminated $(", key)
		}
		warnOnce(`"$("`, "commands are not run")
	case rest[0] == '`':
		end := strings.IndexByte(rest[1:], '`')
		if end < 0 {
			return p.errorf(start, "%s: unterminated `", key)
		}
		n = end + 2
		warnOnce("\"`\"", "commands are not run")
	case strings.HasPrefix(rest, "${"):
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			return p.errorf(start, "%s: unterminated ${", key)
		}
		n = end + 1
		warnOnce(fmt.Sprintf("%q", rest[:n]), "variables are not expanded")
	case len(rest) > 1 && isNameStart(rest[1]):
		n = 2
		for n < len(rest) && isNameChar(rest[n]) {
			n++
		}
		warnOnce(fmt.Sprintf("%q", rest[:n]), "variables are not expanded")
	case len(rest) > 1 && strings.IndexByte("0123456789#?$!*@-", rest[1]) >= 0:
		n = 2
		warnOnce(fmt.Sprintf("%q", rest[:n]), "variables are not expanded")
	default:
		n = 1
	}
	for range n {
		b.WriteByte(p.next())
	}
	return nil
}

// matching returns the length of s up to and including the close that
// matches the open at s[i], or -1.
func matching(s string, i int, open, close byte) int {
	depth := 0
	for ; i < len(s); i++ {
		switch s[i] {
		case open:
			depth++
		case close:
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}
