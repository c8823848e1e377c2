package zones

import (
	"strings"
)

// This file is the zonecfg command language: a lexer with the four start
// states of illumos' zonecfg_lex.l (INITIAL, TSTATE, LSTATE, CSTATE) and a
// recursive-descent parser for the grammar of zonecfg_grammar.y. The lexer
// state depends only on the characters seen, so the whole input is lexed
// up front; each token records the lexer's line counter after it was read
// (lex_lineno), which is what zonecfg's messages print.

type tokKind int

const (
	tkEOF tokKind = iota
	tkNewline
	tkSemi
	tkCmd   // a command word (INITIAL state)
	tkRes   // a resource type keyword
	tkProp  // a property name keyword
	tkToken // any other word or a quoted string
	tkEqual
	tkLBrack
	tkRBrack
	tkLParen
	tkRParen
	tkComma
	tkChar // any other single character
)

type token struct {
	kind tokKind
	text string // the value (keyword, word, quoted contents)
	raw  string // yytext, as syntax errors print it
	line int    // lex_lineno after this token
}

// cmdWords are the command keywords of the INITIAL state.
var cmdWords = []string{"add", "cancel", "commit", "create", "delete", "end", "exit",
	"export", "?", "help", "info", "remove", "revert", "select", "set", "clear", "verify"}

// resWords are the resource type keywords (TSTATE only).
var resWords = map[string]bool{"net": true, "fs": true, "device": true, "rctl": true,
	"attr": true, "admin": true, "security-flags": true, "dataset": true,
	"dedicated-cpu": true, "capped-cpu": true, "capped-memory": true}

// propWords are the property name keywords (TSTATE and CSTATE).
var propWords = map[string]bool{"zonename": true, "zonepath": true, "brand": true,
	"autoboot": true, "ip-type": true, "pool": true, "limitpriv": true, "bootargs": true,
	"type": true, "value": true, "options": true, "allowed-address": true, "address": true,
	"physical": true, "defrouter": true, "dir": true, "special": true, "raw": true,
	"name": true, "match": true, "priv": true, "limit": true, "action": true, "ncpus": true,
	"locked": true, "swap": true, "importance": true, "cpu-shares": true, "max-lwps": true,
	"max-processes": true, "max-shm-memory": true, "max-shm-ids": true, "max-msg-ids": true,
	"max-sem-ids": true, "scheduling-class": true, "hostid": true, "user": true,
	"auths": true, "fs-allowed": true, "default": true, "lower": true, "upper": true}

const (
	lexInitial = iota
	lexT
	lexL
	lexC
)

// lex splits zonecfg input into tokens following zonecfg_lex.l.
func lex(input string) []token {
	var toks []token
	line := 1
	state, ret := lexInitial, lexT
	emit := func(k tokKind, text, raw string) {
		toks = append(toks, token{kind: k, text: text, raw: raw, line: line})
	}
	i := 0
	for i < len(input) {
		c := input[i]
		switch {
		case c == ' ' || c == '\t':
			i++
			continue
		case c == ';':
			state = lexInitial
			emit(tkSemi, ";", ";")
			i++
			continue
		case c == '\n':
			line++
			state = lexInitial
			emit(tkNewline, "\n", "\n")
			i++
			continue
		}
		switch state {
		case lexInitial:
			if c == '#' {
				for i < len(input) && input[i] != '\n' {
					i++
				}
				continue
			}
			best := ""
			for _, w := range cmdWords {
				if strings.HasPrefix(input[i:], w) && len(w) > len(best) {
					best = w
				}
			}
			if best == "" {
				emit(tkChar, string(c), string(c))
				i++
				continue
			}
			if best == "?" {
				best = "help"
				i++
			} else {
				i += len(best)
			}
			state = lexT
			emit(tkCmd, best, best)
		case lexT, lexL, lexC:
			switch {
			case c == '=':
				emit(tkEqual, "=", "=")
				i++
			case c == '[' && state == lexT:
				state, ret = lexL, lexL
				emit(tkLBrack, "[", "[")
				i++
			case c == ']' && state == lexL:
				state, ret = lexT, lexT
				emit(tkRBrack, "]", "]")
				i++
			case c == '(' && state != lexC:
				state = lexC
				emit(tkLParen, "(", "(")
				i++
			case c == ')' && state == lexC:
				state = ret
				emit(tkRParen, ")", ")")
				i++
			case c == ',' && state != lexT:
				emit(tkComma, ",", ",")
				i++
			case c == '"' && state != lexC:
				end := strings.IndexAny(input[i+1:], "\"\n")
				if end < 0 {
					emit(tkChar, `"`, `"`)
					i++
					continue
				}
				raw := input[i : i+2+end]
				val := raw[1:]
				if strings.HasSuffix(val, `"`) {
					val = val[:len(val)-1]
				}
				emit(tkToken, val, raw)
				i += len(raw)
			default:
				stop := " \t\n\";=[]()"
				switch state {
				case lexL:
					stop = " \t\n\",;=[]()"
				case lexC:
					stop = " \t\n\",;=()"
				}
				j := i
				for j < len(input) && !strings.ContainsRune(stop, rune(input[j])) {
					j++
				}
				if j == i {
					emit(tkChar, string(c), string(c))
					i++
					continue
				}
				w := input[i:j]
				i = j
				switch {
				case state == lexT && resWords[w]:
					emit(tkRes, w, w)
				case state != lexL && propWords[w]:
					emit(tkProp, w, w)
				default:
					emit(tkToken, w, w)
				}
			}
		}
	}
	toks = append(toks, token{kind: tkEOF, line: line})
	return toks
}

// Property value kinds.
const (
	pvSimple = iota
	pvComplex
	pvList
)

// A complexPiece is one name=value of a complex property value.
type complexPiece struct {
	name, value string
}

// A listItem is one element of a list property value: a simple value or a
// complex one.
type listItem struct {
	simple  string
	complex []complexPiece
	isCmplx bool
}

// A propValue is a simple, complex or list property value.
type propValue struct {
	kind    int
	simple  string
	complex []complexPiece
	list    []listItem
}

// A command is one parsed zonecfg command.
type command struct {
	name      string   // command word: "add", "set", ...
	argv      []string // the miscellaneous TOKENs ("-F", "-b", ...)
	resType   string   // resource type, or the property of info/clear
	propNames []string
	propVals  []propValue
	// emptyList marks "set prop=[]".
	emptyList bool
}

// A parseItem is what the parser yields for one terminated command: a
// command to run, a grammar-level usage error (the actions of
// zonecfg_grammar.y that print usage and YYERROR), or a syntax error.
type parseItem struct {
	cmd      *command
	usage    string // the command whose usage to print: "add", "set", ...
	usageRes bool   // also print resource/property help (HELP_RES_PROPS/HELP_PROPS)
	synErr   *token // the offending token of a syntax error
	line     int    // lex_lineno when the handler runs (after the terminator)
	eof      bool   // no more input
}

// A parser walks the token stream.
type parser struct {
	toks []token
	pos  int
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) advance() token {
	t := p.toks[p.pos]
	if t.kind != tkEOF {
		p.pos++
	}
	return t
}

func isTerm(t token) bool { return t.kind == tkNewline || t.kind == tkSemi || t.kind == tkEOF }

// termLine is the line counter after a terminator; an end of input without
// a final newline counts as one.
func termLine(t token) int {
	if t.kind == tkEOF {
		return t.line + 1
	}
	return t.line
}

// skipToTerm discards tokens through the next terminator (yacc's error
// recovery rule "error terminator") and returns that terminator.
func (p *parser) skipToTerm() token {
	for {
		t := p.advance()
		if isTerm(t) {
			return t
		}
	}
}

// next parses the next command.
func (p *parser) next() parseItem {
	for {
		t := p.peek()
		if t.kind == tkEOF {
			return parseItem{eof: true, line: termLine(t)}
		}
		if t.kind == tkNewline || t.kind == tkSemi {
			p.advance()
			continue
		}
		break
	}
	start := p.peek()
	if start.kind != tkCmd {
		bad := p.advance()
		if isTerm(bad) {
			return parseItem{synErr: &bad, line: termLine(bad)}
		}
		term := p.skipToTerm()
		return parseItem{synErr: &bad, line: termLine(term)}
	}
	p.advance()
	item := p.command(start.text)
	if item.usage != "" {
		term := p.skipToTerm()
		item.line = termLine(term)
		return item
	}
	if item.synErr != nil {
		if isTerm(*item.synErr) {
			item.line = termLine(*item.synErr)
			return item
		}
		term := p.skipToTerm()
		item.line = termLine(term)
		return item
	}
	t := p.peek()
	if !isTerm(t) {
		bad := p.advance()
		term := p.skipToTerm()
		return parseItem{synErr: &bad, line: termLine(term)}
	}
	p.advance()
	item.line = termLine(t)
	return item
}

// tokens collects up to max TOKENs (the miscellaneous arguments).
func (p *parser) tokens(max int) []string {
	var out []string
	for len(out) < max && p.peek().kind == tkToken {
		out = append(out, p.advance().text)
	}
	return out
}

// syntaxErr reports a syntax error at t, which the parser has consumed.
func syntaxErr(t token) parseItem { return parseItem{synErr: &t} }

// command parses the rest of a command after its word.
func (p *parser) command(word string) parseItem {
	c := &command{name: word}
	switch word {
	case "cancel", "commit", "delete", "end", "exit", "help", "revert", "verify":
		c.argv = p.tokens(1)
		return parseItem{cmd: c}
	case "create":
		c.argv = p.tokens(3)
		return parseItem{cmd: c}
	case "export":
		c.argv = p.tokens(2)
		return parseItem{cmd: c}
	case "add":
		t := p.peek()
		switch t.kind {
		case tkToken:
			c.argv = []string{p.advance().text}
		case tkRes:
			c.resType = p.advance().text
		case tkProp:
			c.propNames = []string{p.advance().text}
			v, bad := p.propValue()
			if bad != nil {
				return syntaxErr(*bad)
			}
			c.propVals = []propValue{v}
		default:
			return parseItem{usage: "add", usageRes: true}
		}
		return parseItem{cmd: c}
	case "info":
		t := p.peek()
		switch t.kind {
		case tkToken:
			p.advance()
			return parseItem{usage: "info", usageRes: true}
		case tkRes:
			c.resType = p.advance().text
			return p.propPairs(c)
		case tkProp:
			switch t.text {
			case "zonename", "zonepath", "brand", "autoboot", "ip-type", "pool", "limitpriv",
				"bootargs", "scheduling-class", "cpu-shares", "max-lwps", "max-processes",
				"max-shm-memory", "max-shm-ids", "max-msg-ids", "max-sem-ids", "hostid", "fs-allowed":
				c.resType = p.advance().text
				return parseItem{cmd: c}
			}
			return syntaxErr(p.advance())
		}
		return parseItem{cmd: c}
	case "remove":
		t := p.peek()
		switch t.kind {
		case tkToken:
			arg := p.advance().text
			if p.peek().kind != tkRes {
				return parseItem{usage: "remove", usageRes: true}
			}
			c.argv = []string{arg}
			c.resType = p.advance().text
			return parseItem{cmd: c}
		case tkRes:
			c.resType = p.advance().text
			return p.propPairs(c)
		case tkProp:
			c.propNames = []string{p.advance().text}
			v, bad := p.propValue()
			if bad != nil {
				return syntaxErr(*bad)
			}
			c.propVals = []propValue{v}
			return parseItem{cmd: c}
		}
		return parseItem{usage: "remove", usageRes: true}
	case "select":
		t := p.peek()
		if t.kind != tkRes {
			return parseItem{usage: "select", usageRes: true}
		}
		c.resType = p.advance().text
		if p.peek().kind != tkProp {
			switch c.resType {
			case "dedicated-cpu", "capped-cpu", "capped-memory":
				return parseItem{cmd: c}
			}
			return parseItem{usage: "select"}
		}
		return p.propPairs(c)
	case "set":
		t := p.peek()
		switch t.kind {
		case tkProp:
			c.propNames = []string{p.advance().text}
		case tkToken:
			c.argv = []string{p.advance().text}
			if p.peek().kind != tkProp || p.peek().text != "zonepath" {
				return syntaxErr(p.advance())
			}
			c.propNames = []string{p.advance().text}
		default:
			return parseItem{usage: "set", usageRes: true}
		}
		if p.peek().kind != tkEqual {
			return syntaxErr(p.advance())
		}
		p.advance()
		if len(c.argv) == 0 && p.peek().kind == tkLBrack && p.toks[p.pos+1].kind == tkRBrack {
			p.advance()
			p.advance()
			c.emptyList = true
			c.propVals = []propValue{{kind: pvList}}
			return parseItem{cmd: c}
		}
		v, bad := p.propValue()
		if bad != nil {
			return syntaxErr(*bad)
		}
		c.propVals = []propValue{v}
		return parseItem{cmd: c}
	case "clear":
		if p.peek().kind != tkProp {
			return parseItem{usage: "clear", usageRes: true}
		}
		c.resType = p.advance().text
		return parseItem{cmd: c}
	}
	return syntaxErr(p.advance())
}

// propPairs parses up to three "property=value" qualifiers.
func (p *parser) propPairs(c *command) parseItem {
	for len(c.propNames) < 3 && p.peek().kind == tkProp {
		c.propNames = append(c.propNames, p.advance().text)
		if p.peek().kind != tkEqual {
			return syntaxErr(p.advance())
		}
		p.advance()
		v, bad := p.propValue()
		if bad != nil {
			return syntaxErr(*bad)
		}
		c.propVals = append(c.propVals, v)
	}
	return parseItem{cmd: c}
}

// simpleWord accepts what simple_prop_val accepts: a TOKEN, a resource
// type or a property name.
func simpleWord(t token) bool { return t.kind == tkToken || t.kind == tkRes || t.kind == tkProp }

// propValue parses a simple, complex or list value; on a syntax error it
// returns the offending token.
func (p *parser) propValue() (propValue, *token) {
	t := p.peek()
	switch {
	case simpleWord(t):
		p.advance()
		return propValue{kind: pvSimple, simple: t.text}, nil
	case t.kind == tkLParen:
		pieces, bad := p.complexValue()
		if bad != nil {
			return propValue{}, bad
		}
		return propValue{kind: pvComplex, complex: pieces}, nil
	case t.kind == tkLBrack:
		p.advance()
		var items []listItem
		for {
			t := p.peek()
			switch {
			case simpleWord(t):
				p.advance()
				items = append(items, listItem{simple: t.text})
			case t.kind == tkLParen:
				pieces, bad := p.complexValue()
				if bad != nil {
					return propValue{}, bad
				}
				items = append(items, listItem{complex: pieces, isCmplx: true})
			default:
				bad := p.advance()
				return propValue{}, &bad
			}
			sep := p.advance()
			if sep.kind == tkRBrack {
				return propValue{kind: pvList, list: items}, nil
			}
			if sep.kind != tkComma {
				return propValue{}, &sep
			}
		}
	}
	bad := p.advance()
	return propValue{}, &bad
}

// complexValue parses "(name=value,...)".
func (p *parser) complexValue() ([]complexPiece, *token) {
	p.advance() // (
	var pieces []complexPiece
	for {
		n := p.advance()
		if n.kind != tkProp {
			return nil, &n
		}
		if eq := p.advance(); eq.kind != tkEqual {
			return nil, &eq
		}
		v := p.advance()
		if !simpleWord(v) {
			return nil, &v
		}
		pieces = append(pieces, complexPiece{name: n.text, value: v.text})
		sep := p.advance()
		if sep.kind == tkRParen {
			return pieces, nil
		}
		if sep.kind != tkComma {
			return nil, &sep
		}
	}
}

// commandWords returns the first word of every command in a script, for
// deciding whether a zonecfg run changes state.
func commandWords(script string) []string {
	var out []string
	for _, t := range lex(script) {
		if t.kind == tkCmd {
			out = append(out, t.text)
		}
	}
	return out
}
