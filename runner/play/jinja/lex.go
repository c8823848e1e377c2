package jinja

import (
	"fmt"
	"strconv"
	"strings"
)

// The expression language is the part of Jinja2 that task files use in
// `{{ }}` and in when, changed_when, failed_when and assert: literals,
// variable paths, operators, filters and tests. Its tokens follow Jinja's
// lexer; this file turns text into tokens.

// A tokenKind is the kind of one token.
type tokenKind int

const (
	tokEOF tokenKind = iota
	tokName
	tokInt
	tokFloat
	tokString
	tokOp
	// tokEnd is the `}}` (or `-}}`) that ends an expression in a template.
	tokEnd
)

// A token is one token of an expression; off is its byte offset in the
// source.
type token struct {
	kind tokenKind
	text string // the operator or name; the decoded text of a string
	ival int
	fval float64
	off  int
}

// operators, longest first so that "//" wins over "/".
var operators = []string{
	"**", "//", "==", "!=", "<=", ">=",
	"+", "-", "*", "/", "%", "~", "<", ">", "(", ")", "[", "]", "{", "}",
	",", ".", ":", "|", "=",
}

// A SyntaxError is an expression or template that does not parse.
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

// lex reads tokens from src starting at off. In a template (inTemplate) it
// stops after the `}}` that closes the expression, counting brackets so
// that a dict literal's braces do not end it; otherwise it reads to the
// end of src. end is the offset after the last token read.
func lex(src string, off int, inTemplate bool) (toks []token, end int, err error) {
	var open []byte // the brackets open, innermost last
	i := off
	for {
		for i < len(src) && isSpace(src[i]) {
			i++
		}
		if i >= len(src) {
			if inTemplate {
				return nil, i, &SyntaxError{src, i, "unexpected end of template, expected '}}'"}
			}
			return append(toks, token{kind: tokEOF, off: i}), i, nil
		}
		if inTemplate && len(open) == 0 {
			if strings.HasPrefix(src[i:], "}}") {
				return append(toks, token{kind: tokEnd, text: "}}", off: i}), i + 2, nil
			}
			if strings.HasPrefix(src[i:], "-}}") {
				return append(toks, token{kind: tokEnd, text: "-}}", off: i}), i + 3, nil
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
			s, j, err := lexString(src, i)
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
				return nil, i, &SyntaxError{src, i, fmt.Sprintf("unexpected character %q", c)}
			}
			switch op {
			case "(", "[", "{":
				open = append(open, op[0])
			case ")", "]", "}":
				want := map[string]byte{")": '(', "]": '[', "}": '{'}[op]
				if len(open) == 0 || open[len(open)-1] != want {
					// A "}}" that closes no brace ends the expression;
					// the parser then reports the bracket left open.
					if inTemplate && strings.HasPrefix(src[i:], "}}") {
						return append(toks, token{kind: tokEnd, text: "}}", off: i}), i + 2, nil
					}
					return nil, i, &SyntaxError{src, i, fmt.Sprintf("unexpected %q", op)}
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

// lexNumber reads an integer or a float (digits with optional underscores,
// a fraction, an exponent). Right after a dot only an integer is read, so
// that `r.results.0.rc` is an item access, as in Jinja.
func lexNumber(src string, i int, intOnly bool) (token, int, error) {
	start := i
	digits := func() {
		for i < len(src) && (isDigit(src[i]) || (src[i] == '_' && i+1 < len(src) && isDigit(src[i+1]))) {
			i++
		}
	}
	digits()
	isFloat := false
	if !intOnly {
		if i+1 < len(src) && src[i] == '.' && isDigit(src[i+1]) {
			isFloat = true
			i++
			digits()
		}
		if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
			j := i + 1
			if j < len(src) && (src[j] == '+' || src[j] == '-') {
				j++
			}
			if j < len(src) && isDigit(src[j]) {
				isFloat = true
				i = j
				digits()
			}
		}
	}
	text := strings.ReplaceAll(src[start:i], "_", "")
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return token{}, i, &SyntaxError{src, start, fmt.Sprintf("bad number %q", src[start:i])}
		}
		return token{kind: tokFloat, fval: f, text: src[start:i], off: start}, i, nil
	}
	n, err := strconv.Atoi(text)
	if err != nil {
		return token{}, i, &SyntaxError{src, start, fmt.Sprintf("bad number %q", src[start:i])}
	}
	return token{kind: tokInt, ival: n, text: src[start:i], off: start}, i, nil
}

// lexString reads a quoted string with Python's escapes; an unknown
// escape keeps its backslash, as in Python.
func lexString(src string, i int) (string, int, error) {
	q := src[i]
	start := i
	i++
	var b strings.Builder
	for i < len(src) {
		c := src[i]
		switch {
		case c == q:
			return b.String(), i + 1, nil
		case c == '\\' && i+1 < len(src):
			i++
			switch e := src[i]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case '\\', '\'', '"':
				b.WriteByte(e)
			case 'x', 'u', 'U':
				n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
				if i+n < len(src) {
					if r, err := strconv.ParseUint(src[i+1:i+1+n], 16, 32); err == nil {
						b.WriteRune(rune(r))
						i += n
						break
					}
				}
				b.WriteByte('\\')
				b.WriteByte(e)
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", i, &SyntaxError{src, start, "unterminated string"}
}
