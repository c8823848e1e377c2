package illumos

import (
	"fmt"
	"strings"
)

// The zonecfg command language, as zonecfg_lex.l tokenises it
// (illumos-commands.md §3.1): commands end at ';' or a newline; '#' starts a
// comment only where a command could start; a value is a plain token, a
// double-quoted string (there is no escape: a value can never contain '"'
// or a newline), a list "[a,b]" or a complex value "(name=x,value=y)".
// Property and resource names are keywords to the lexer, but the grammar
// (zonecfg_grammar.y, simple_prop_val) takes them as values too.

type tokKind int

const (
	tokWord tokKind = iota
	tokEqual
	tokList
	tokComplex
)

// A zcToken is one token of a command after its command word.
type zcToken struct {
	kind   tokKind
	text   string    // tokWord
	quoted bool      // tokWord: was double-quoted
	items  []zcToken // tokList: tokWord or tokComplex elements
	pairs  []zcPair  // tokComplex
}

// A zcPair is one name=value element of a complex value.
type zcPair struct {
	name  string
	value zcToken
}

// A zcCommand is one command: its command word and the tokens after it.
type zcCommand struct {
	name string
	toks []zcToken
	line int
}

// zcCommandWords are the words that may start a command.
var zcCommandWords = map[string]bool{
	"add": true, "cancel": true, "commit": true, "create": true, "delete": true,
	"end": true, "exit": true, "export": true, "help": true, "?": true,
	"info": true, "remove": true, "revert": true, "select": true, "set": true,
	"clear": true, "verify": true,
}

type zcLexer struct {
	src  string
	pos  int
	line int
}

// lexZonecfg splits src into commands.
func lexZonecfg(src string) ([]zcCommand, error) {
	lx := &zcLexer{src: src, line: 1}
	var cmds []zcCommand
	for {
		c, ok, err := lx.command()
		if err != nil {
			return nil, err
		}
		if !ok {
			return cmds, nil
		}
		cmds = append(cmds, c)
	}
}

func (lx *zcLexer) errorf(format string, args ...any) error {
	return fmt.Errorf("line %d: %s", lx.line, fmt.Sprintf(format, args...))
}

func (lx *zcLexer) syntaxError(at string) error {
	if at == "\n" {
		at = `\n`
	}
	return lx.errorf("syntax error at '%s'", at)
}

func (lx *zcLexer) peek() byte {
	if lx.pos >= len(lx.src) {
		return 0
	}
	return lx.src[lx.pos]
}

func (lx *zcLexer) eof() bool { return lx.pos >= len(lx.src) }

func (lx *zcLexer) skipBlanks() {
	for !lx.eof() && (lx.peek() == ' ' || lx.peek() == '\t') {
		lx.pos++
	}
}

// word reads a run of characters not in stop.
func (lx *zcLexer) word(stop string) string {
	start := lx.pos
	for !lx.eof() && strings.IndexByte(stop, lx.peek()) < 0 {
		lx.pos++
	}
	return lx.src[start:lx.pos]
}

// Characters that end a plain token in each lexer state.
const (
	stopToken   = " \t\n\";=[]()"
	stopList    = " \t\n\",;=[]()"
	stopComplex = " \t\n\",;=()"
)

// command reads the next command; ok is false at the end of input.
func (lx *zcLexer) command() (zcCommand, bool, error) {
	for {
		lx.skipBlanks()
		if lx.eof() {
			return zcCommand{}, false, nil
		}
		switch lx.peek() {
		case '\n':
			lx.pos++
			lx.line++
			continue
		case ';':
			lx.pos++
			continue
		case '#':
			lx.word("\n")
			continue
		}
		break
	}
	c := zcCommand{line: lx.line}
	w := lx.word(stopToken)
	if w == "" {
		return c, false, lx.syntaxError(string(lx.peek()))
	}
	if !zcCommandWords[w] {
		return c, false, lx.syntaxError(w)
	}
	c.name = w
	for {
		lx.skipBlanks()
		if lx.eof() {
			return c, true, nil
		}
		switch ch := lx.peek(); ch {
		case ';':
			lx.pos++
			return c, true, nil
		case '\n':
			lx.pos++
			lx.line++
			return c, true, nil
		case '=':
			lx.pos++
			c.toks = append(c.toks, zcToken{kind: tokEqual})
		case '[':
			lx.pos++
			t, err := lx.list()
			if err != nil {
				return c, false, err
			}
			c.toks = append(c.toks, t)
		case '(':
			lx.pos++
			t, err := lx.complexValue()
			if err != nil {
				return c, false, err
			}
			c.toks = append(c.toks, t)
		case '"':
			t, err := lx.quoted()
			if err != nil {
				return c, false, err
			}
			c.toks = append(c.toks, t)
		case ']', ')':
			return c, false, lx.syntaxError(string(ch))
		default:
			c.toks = append(c.toks, zcToken{kind: tokWord, text: lx.word(stopToken)})
		}
	}
}

// quoted reads a double-quoted string; the opening quote is next.
func (lx *zcLexer) quoted() (zcToken, error) {
	lx.pos++
	start := lx.pos
	for !lx.eof() && lx.peek() != '"' && lx.peek() != '\n' {
		lx.pos++
	}
	if lx.eof() || lx.peek() != '"' {
		return zcToken{}, lx.errorf("unterminated quoted string %q", lx.src[start-1:lx.pos])
	}
	t := zcToken{kind: tokWord, text: lx.src[start:lx.pos], quoted: true}
	lx.pos++
	return t, nil
}

// list reads the elements of "[...]"; the '[' has been read.
func (lx *zcLexer) list() (zcToken, error) {
	t := zcToken{kind: tokList}
	wantItem := true
	for {
		lx.skipBlanks()
		if lx.eof() {
			return t, lx.errorf("syntax error, token expected")
		}
		ch := lx.peek()
		switch {
		case ch == ']':
			lx.pos++
			if wantItem && len(t.items) > 0 {
				return t, lx.syntaxError("]")
			}
			return t, nil
		case ch == ',':
			if wantItem {
				return t, lx.syntaxError(",")
			}
			lx.pos++
			wantItem = true
		case !wantItem:
			return t, lx.syntaxError(string(ch))
		case ch == '(':
			lx.pos++
			c, err := lx.complexValue()
			if err != nil {
				return t, err
			}
			t.items = append(t.items, c)
			wantItem = false
		case ch == '"':
			q, err := lx.quoted()
			if err != nil {
				return t, err
			}
			t.items = append(t.items, q)
			wantItem = false
		case strings.IndexByte(stopList, ch) >= 0:
			return t, lx.syntaxError(string(ch))
		default:
			t.items = append(t.items, zcToken{kind: tokWord, text: lx.word(stopList)})
			wantItem = false
		}
	}
}

// complexValue reads the pairs of "(name=value,...)"; the '(' has been
// read.
func (lx *zcLexer) complexValue() (zcToken, error) {
	t := zcToken{kind: tokComplex}
	for {
		lx.skipBlanks()
		name := lx.word(stopComplex)
		if name == "" {
			if lx.peek() == ')' && len(t.pairs) == 0 {
				return t, lx.syntaxError(")")
			}
			return t, lx.syntaxError(string(lx.peek()))
		}
		lx.skipBlanks()
		if lx.peek() != '=' {
			return t, lx.syntaxError(string(lx.peek()))
		}
		lx.pos++
		lx.skipBlanks()
		var v zcToken
		switch ch := lx.peek(); {
		case ch == '"':
			q, err := lx.quoted()
			if err != nil {
				return t, err
			}
			v = q
		case lx.eof() || strings.IndexByte(stopComplex, ch) >= 0:
			return t, lx.syntaxError(string(ch))
		default:
			v = zcToken{kind: tokWord, text: lx.word(stopComplex)}
		}
		t.pairs = append(t.pairs, zcPair{name: name, value: v})
		lx.skipBlanks()
		switch lx.peek() {
		case ',':
			lx.pos++
		case ')':
			lx.pos++
			return t, nil
		default:
			if lx.eof() {
				return t, lx.errorf("syntax error, token expected")
			}
			return t, lx.syntaxError(string(lx.peek()))
		}
	}
}

// zcResourceTypes are keywords only directly after a command word.
var zcResourceTypes = map[string]bool{
	"net": true, "fs": true, "device": true, "rctl": true, "attr": true,
	"admin": true, "security-flags": true, "dataset": true,
	"dedicated-cpu": true, "capped-cpu": true, "capped-memory": true,
}

// isPlainToken reports whether v can be written unquoted where zonecfg
// expects a simple value: a non-empty run of characters that neither end a
// token in any lexer state nor could be read as a comment. Everything else
// is double-quoted.
func isPlainToken(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("_./:@%+-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// quoteValue renders v for a zonecfg command: unquoted when it is a plain
// token, double-quoted otherwise. field names the value in the error
// returned when v holds a double quote or a newline, which zonecfg cannot
// express.
func quoteValue(field, v string) (string, error) {
	if strings.ContainsAny(v, "\"\n") {
		return "", fmt.Errorf("%s %q: zonecfg cannot express a value containing a double quote or a newline", field, v)
	}
	if isPlainToken(v) {
		return v, nil
	}
	return `"` + v + `"`, nil
}

// quoteComplexValue is quoteValue for a value inside "(...)".
func quoteComplexValue(field, v string) (string, error) {
	if strings.ContainsAny(v, "\"\n") {
		return "", fmt.Errorf("%s %q: zonecfg cannot express a value containing a double quote or a newline", field, v)
	}
	if isPlainToken(v) {
		return v, nil
	}
	return `"` + v + `"`, nil
}
