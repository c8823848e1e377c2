package jinja

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The expression language is Jinja2's: literals, variables, operators,
// filters, tests, calls. Its tokens follow Jinja2's lexer; this file
// turns text into tokens.

// A tokenKind is the kind of one token.
type tokenKind int

const (
	tokEOF tokenKind = iota
	tokName
	tokInt
	tokFloat
	tokString
	tokOp
	// tokEnd is the `}}` (or `-}}`) that ends an expression in a
	// template, or the `%}` (or `-%}`) that ends a statement.
	tokEnd
)

// A token is one token of an expression; off is its byte offset in the
// source.
type token struct {
	kind tokenKind
	text string // the operator or name; the decoded text of a string
	ival any    // an int or a *big.Int
	fval float64
	off  int
}

// operators, longest first so that "//" wins over "/".
var operators = []string{
	"**", "//", "==", "!=", "<=", ">=",
	"+", "-", "*", "/", "%", "~", "<", ">", "(", ")", "[", "]", "{", "}",
	",", ".", ":", "|", "=", ";",
}

// A SyntaxError is an expression or template that does not parse, or
// that uses what zonemgr play does not support.
type SyntaxError struct {
	// Src is the text parsed: the whole template or expression.
	Src string
	// Off is the byte offset in Src where the error was found.
	Off int
	// Msg says what is wrong or was expected.
	Msg string
}

// Error gives the message with the source and the offset.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("syntax error in %q at offset %d: %s", e.Src, e.Off, e.Msg)
}

// A lexMode tells where an expression's tokens end.
type lexMode int

const (
	// modeExpr reads to the end of the source: a bare expression (a
	// condition).
	modeExpr lexMode = iota
	// modeVar reads an expression inside `{{ }}`, up to the `}}` that
	// closes it. Its strings are taken as written, backslashes and all:
	// Ansible doubles the backslashes of the strings inside `{{ }}`
	// before Jinja2 reads them.
	modeVar
	// modeBlock reads a statement inside `{% %}`, up to its `%}`.
	modeBlock
)

// lex reads tokens from src starting at off. In a template it stops
// after the `}}` or `%}` that closes the expression or statement,
// counting brackets so that a dict literal's braces do not end it;
// otherwise it reads to the end of src. end is the offset after the last
// token read.
func lex(src string, off int, mode lexMode) (toks []token, end int, err error) {
	var open []byte // the brackets open, innermost last
	i := off
	closer := map[lexMode]string{modeVar: "}}", modeBlock: "%}"}[mode]
	for {
		for i < len(src) && isSpace(src[i]) {
			i++
		}
		if i >= len(src) {
			if mode != modeExpr {
				return nil, i, &SyntaxError{src, i, fmt.Sprintf("unexpected end of template, expected '%s'", closer)}
			}
			return append(toks, token{kind: tokEOF, off: i}), i, nil
		}
		if mode != modeExpr && len(open) == 0 {
			if strings.HasPrefix(src[i:], closer) {
				return append(toks, token{kind: tokEnd, text: closer, off: i}), i + 2, nil
			}
			if strings.HasPrefix(src[i:], "-"+closer) {
				return append(toks, token{kind: tokEnd, text: "-" + closer, off: i}), i + 3, nil
			}
			if strings.HasPrefix(src[i:], "+"+closer) && mode == modeBlock {
				return append(toks, token{kind: tokEnd, text: closer, off: i}), i + 3, nil
			}
		}
		c := src[i]
		afterDot := len(toks) > 0 && toks[len(toks)-1].kind == tokOp && toks[len(toks)-1].text == "."
		switch {
		case isNameStart(c):
			j := i + 1
			for j < len(src) && isNameChar(src[j]) {
				j++
			}
			toks = append(toks, token{kind: tokName, text: src[i:j], off: i})
			i = j
		case isDigit(c):
			t, j, err := lexNumber(src, i, afterDot)
			if err != nil {
				return nil, j, err
			}
			toks = append(toks, t)
			i = j
		case c == '\'' || c == '"':
			s, j, err := lexString(src, i, mode == modeVar)
			if err != nil {
				return nil, j, err
			}
			toks = append(toks, token{kind: tokString, text: s, off: i})
			i = j
		default:
			op := ""
			for _, o := range operators {
				if strings.HasPrefix(src[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				r, _ := utf8.DecodeRuneInString(src[i:])
				return nil, i, &SyntaxError{src, i, fmt.Sprintf("unexpected character %q", r)}
			}
			switch op {
			case "(", "[", "{":
				open = append(open, op[0])
			case ")", "]", "}":
				want := map[string]byte{")": '(', "]": '[', "}": '{'}[op]
				if len(open) == 0 || open[len(open)-1] != want {
					// A "}}" that closes no brace ends the expression;
					// the parser then reports the bracket left open.
					if mode == modeVar && strings.HasPrefix(src[i:], "}}") {
						return append(toks, token{kind: tokEnd, text: "}}", off: i}), i + 2, nil
					}
					return nil, i, &SyntaxError{src, i, fmt.Sprintf("unexpected '%s'", op)}
				}
				open = open[:len(open)-1]
			}
			toks = append(toks, token{kind: tokOp, text: op, off: i})
			i += len(op)
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isNameStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}
func isNameChar(c byte) bool { return isNameStart(c) || isDigit(c) }

// lexNumber reads an integer (decimal, or 0b, 0o, 0x), or a float (digits
// with a fraction, an exponent or both), with underscores between
// digits, as Jinja2's lexer does. Right after a dot only an integer is
// read, so that `r.results.0.rc` is an item access, as in Jinja2.
func lexNumber(src string, i int, intOnly bool) (token, int, error) {
	start := i
	digits := func(ok func(byte) bool) {
		for i < len(src) && (ok(src[i]) || (src[i] == '_' && i+1 < len(src) && ok(src[i+1]))) {
			i++
		}
	}
	bad := func() (token, int, error) {
		return token{}, i, &SyntaxError{src, start, fmt.Sprintf("bad number %q", src[start:i])}
	}
	if src[i] == '0' && i+1 < len(src) && strings.IndexByte("bBoOxX", src[i+1]) >= 0 {
		base := map[byte]int{'b': 2, 'o': 8, 'x': 16}[src[i+1]|0x20]
		i += 2
		if i < len(src) && src[i] == '_' {
			i++
		}
		digits(func(c byte) bool {
			d, err := strconv.ParseUint(string(c), 16, 8)
			return err == nil && int(d) < base
		})
		text := strings.ReplaceAll(src[start+2:i], "_", "")
		n, ok := new(big.Int).SetString(text, base)
		if !ok {
			return bad()
		}
		return token{kind: tokInt, ival: normBig(n), text: src[start:i], off: start}, i, nil
	}
	digits(isDigit)
	isFloat := false
	if !intOnly {
		if i+1 < len(src) && src[i] == '.' && isDigit(src[i+1]) {
			isFloat = true
			i++
			digits(isDigit)
		}
		if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
			j := i + 1
			if j < len(src) && (src[j] == '+' || src[j] == '-') {
				j++
			}
			if j < len(src) && isDigit(src[j]) {
				isFloat = true
				i = j
				digits(isDigit)
			}
		}
	}
	text := strings.ReplaceAll(src[start:i], "_", "")
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return bad()
		}
		return token{kind: tokFloat, fval: f, text: src[start:i], off: start}, i, nil
	}
	if len(text) > 1 && text[0] == '0' && strings.Trim(text, "0") != "" {
		return bad()
	}
	n, ok := new(big.Int).SetString(text, 10)
	if !ok {
		return bad()
	}
	return token{kind: tokInt, ival: normBig(n), text: src[start:i], off: start}, i, nil
}

// lexString reads a quoted string. Its escapes are Python's
// unicode-escape ones, as Jinja2 decodes them, unless raw: inside `{{ }}`
// Ansible doubles every backslash of a string before Jinja2 reads it, so
// the text stays as written. A backslash before the closing quote ends
// the string there under Ansible (the doubled backslash escapes only
// itself), which Jinja2 then fails to read: raw strings refuse it.
func lexString(src string, i int, raw bool) (string, int, error) {
	q := src[i]
	start := i
	i++
	var b strings.Builder
	for i < len(src) {
		c := src[i]
		switch {
		case c == q:
			return b.String(), i + 1, nil
		case c == '\\' && i+1 < len(src) && raw:
			if src[i+1] == q {
				return "", i, &SyntaxError{src, i, fmt.Sprintf(`a backslash before a quote inside a string in {{ }}: Ansible doubles the backslashes there and the string ends early; write the string with the other quote (%c)`, map[byte]byte{'"': '\'', '\'': '"'}[q])}
			}
			b.WriteByte(c)
			b.WriteByte(src[i+1])
			i += 2
		case c == '\\' && i+1 < len(src):
			n, err := unescape(&b, src, i)
			if err != nil {
				return "", i, err
			}
			i += n
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", i, &SyntaxError{src, start, "unterminated string"}
}

// unescape decodes the escape sequence at src[i] (a backslash) as
// Python's unicode-escape codec does, writing it to b, and returns its
// length. An unknown escape keeps its backslash.
func unescape(b *strings.Builder, src string, i int) (int, error) {
	e := src[i+1]
	switch e {
	case 'n':
		b.WriteByte('\n')
	case 't':
		b.WriteByte('\t')
	case 'r':
		b.WriteByte('\r')
	case 'a':
		b.WriteByte('\a')
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'v':
		b.WriteByte('\v')
	case '\\', '\'', '"':
		b.WriteByte(e)
	case '\n':
	case '0', '1', '2', '3', '4', '5', '6', '7':
		j := i + 1
		for j < len(src) && j < i+4 && src[j] >= '0' && src[j] <= '7' {
			j++
		}
		n, _ := strconv.ParseUint(src[i+1:j], 8, 32)
		b.WriteRune(rune(n))
		return j - i, nil
	case 'x', 'u', 'U':
		n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
		if i+2+n <= len(src) {
			if r, err := strconv.ParseUint(src[i+2:i+2+n], 16, 32); err == nil && r <= utf8.MaxRune {
				b.WriteRune(rune(r))
				return 2 + n, nil
			}
		}
		return 0, &SyntaxError{src, i, fmt.Sprintf(`truncated \%c escape`, e)}
	case 'N':
		return 0, &SyntaxError{src, i, `\N{...} escapes are not supported`}
	default:
		b.WriteByte('\\')
		b.WriteByte(e)
	}
	return 2, nil
}
