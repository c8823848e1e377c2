package jinja

import (
	"fmt"
	"strings"
	"sync"
)

// A Template is a parsed template string: literal text with `{{ expr }}`
// interpolations, `{% %}` statements (if, for, set, raw) and
// `{# comments #}`, with Jinja2's whitespace control (`{{-`, `-}}`,
// `{%-`, `-%}`) and Ansible's trim_blocks (the newline after a statement
// or comment is dropped). A Template is immutable: it may be rendered
// any number of times, concurrently.
type Template struct {
	src  string
	body []tnode
	// whole is the expression of a template that is exactly one
	// `{{ expr }}`.
	whole node
	// trailing counts the newlines src ends with, which Ansible keeps
	// in a text result.
	trailing int
	// nativeText marks a template that is one `{{ expr }}` whose last
	// filter is one of Ansible's STRING_TYPE_FILTERS (string, to_json,
	// to_nice_json, to_yaml, to_nice_yaml): Ansible keeps its text as
	// text, not reading it back as a list or dict.
	nativeText bool
}

// A tnode is one part of a template.
type tnode interface{ isTNode() }

type (
	textNode string
	outNode  struct{ e node }
	ifNode   struct {
		conds  []node
		bodies [][]tnode
		els    []tnode
	}
	forNode struct {
		targets []string
		iter    node
		cond    node // the loop's filter, nil when none
		body    []tnode
		els     []tnode
	}
	setNode struct {
		targets []string
		e       node    // nil for a block set
		body    []tnode // a block set's body
	}
)

func (textNode) isTNode() {}
func (outNode) isTNode()  {}
func (ifNode) isTNode()   {}
func (forNode) isTNode()  {}
func (setNode) isTNode()  {}

// IsTemplate tells whether s holds template syntax at all ("{{", "{%" or
// "{#"); other strings are literal text, which rendering leaves as it is.
func IsTemplate(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "{%") || strings.Contains(s, "{#")
}

// refusedStatements are the Jinja2 statements zonemgr play does not
// support, with what to do instead.
var refusedStatements = map[string]string{
	"macro":      "macros",
	"call":       "call blocks",
	"filter":     "filter blocks",
	"block":      "template inheritance",
	"extends":    "template inheritance",
	"include":    "template files",
	"import":     "template files",
	"from":       "template files",
	"with":       "with blocks",
	"autoescape": "autoescape blocks",
	"do":         "the do extension",
	"break":      "the loop controls extension",
	"continue":   "the loop controls extension",
	"trans":      "the i18n extension",
}

// A frame is one open statement while a template is parsed.
type frame struct {
	kind string // "if", "for", "set", or "" for the template
	off  int
	// the node being built and where its current body goes
	ifn    *ifNode
	forn   *forNode
	setn   *setNode
	target *[]tnode
}

// Parse parses the template s. A syntax error, or a statement zonemgr
// play does not support, is a *SyntaxError.
func Parse(s string) (*Template, error) {
	t := &Template{src: s}
	for i := len(s) - 1; i >= 0 && s[i] == '\n'; i-- {
		t.trailing++
	}
	// Jinja2 reads \r\n and \r as \n, and drops one newline at the end
	// (keep_trailing_newline is off).
	src := s
	if strings.ContainsRune(src, '\r') {
		src = strings.ReplaceAll(strings.ReplaceAll(src, "\r\n", "\n"), "\r", "\n")
	}
	if strings.HasSuffix(src, "\n") {
		src = src[:len(src)-1]
	}
	root := &frame{target: &t.body}
	stack := []*frame{root}
	top := func() *frame { return stack[len(stack)-1] }
	emit := func(n tnode) { f := top(); *f.target = append(*f.target, n) }
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			emit(textNode(text.String()))
			text.Reset()
		}
	}
	exprs := 0
	i := 0
	for {
		j := nextDelimiter(src, i)
		if j < 0 {
			text.WriteString(src[i:])
			break
		}
		text.WriteString(src[i:j])
		kind := src[j+1]
		start := j + 2
		if start < len(src) && src[start] == '-' {
			trimmed := strings.TrimRight(text.String(), " \t\n")
			text.Reset()
			text.WriteString(trimmed)
			start++
		} else if start < len(src) && src[start] == '+' && kind == '%' {
			start++
		}
		var end int
		var trimAfter bool
		switch kind {
		case '#':
			k := strings.Index(src[start:], "#}")
			if k < 0 {
				return nil, &SyntaxError{s, j, "missing end of comment tag"}
			}
			end = start + k + 2
			trimAfter = k > 0 && src[start+k-1] == '-'
			if !trimAfter && end < len(src) && src[end] == '\n' {
				end++
			}
		case '{':
			toks, e, err := lex(src, start, modeVar)
			if err != nil {
				return nil, fixSrc(err, s)
			}
			last := &toks[len(toks)-1]
			trimAfter = last.text == "-}}"
			last.kind = tokEOF
			p := &exprParser{src: src, toks: toks}
			if p.peek().kind == tokEOF {
				return nil, &SyntaxError{s, j, "Expected an expression, got 'end of print statement'"}
			}
			x, err := p.tuple(false)
			if err != nil {
				return nil, fixSrc(err, s)
			}
			if tk := p.peek(); tk.kind != tokEOF {
				return nil, &SyntaxError{s, tk.off, fmt.Sprintf("expected token 'end of print statement', got %s", describeToken(tk))}
			}
			flush()
			emit(outNode{x})
			exprs++
			end = e
		case '%':
			toks, e, err := lex(src, start, modeBlock)
			if err != nil {
				return nil, fixSrc(err, s)
			}
			last := &toks[len(toks)-1]
			trimAfter = last.text == "-%}"
			last.kind = tokEOF
			end = e
			if !trimAfter && end < len(src) && src[end] == '\n' {
				end++
			}
			p := &exprParser{src: src, toks: toks}
			kw := p.next()
			if kw.kind != tokName {
				return nil, &SyntaxError{s, kw.off, "tag name expected"}
			}
			flush()
			switch kw.text {
			case "raw":
				if !p.atEnd() {
					return nil, &SyntaxError{s, p.peek().off, "expected '%}' after raw"}
				}
				k := findEndRaw(src, end)
				if k.start < 0 {
					return nil, &SyntaxError{s, j, "missing end of raw directive"}
				}
				body := src[end:k.start]
				if k.trimBefore {
					body = strings.TrimRight(body, " \t\n")
				}
				if body != "" {
					emit(textNode(body))
				}
				end = k.end
				trimAfter = k.trimAfter
				if !trimAfter && end < len(src) && src[end] == '\n' {
					end++
				}
			case "if":
				c, err := p.expr()
				if err != nil {
					return nil, fixSrc(err, s)
				}
				n := &ifNode{conds: []node{c}, bodies: [][]tnode{nil}}
				stack = append(stack, &frame{kind: "if", off: j, ifn: n, target: &n.bodies[0]})
			case "elif", "else":
				f := top()
				switch {
				case f.kind == "if" && f.ifn.els == nil && f.target != &f.ifn.els:
					if kw.text == "elif" {
						c, err := p.expr()
						if err != nil {
							return nil, fixSrc(err, s)
						}
						f.ifn.conds = append(f.ifn.conds, c)
						f.ifn.bodies = append(f.ifn.bodies, nil)
						f.target = &f.ifn.bodies[len(f.ifn.bodies)-1]
					} else {
						f.ifn.els = []tnode{}
						f.target = &f.ifn.els
					}
				case f.kind == "for" && kw.text == "else" && f.target == &f.forn.body:
					f.forn.els = []tnode{}
					f.target = &f.forn.els
				default:
					return nil, &SyntaxError{s, kw.off, fmt.Sprintf("unexpected '%s'", kw.text)}
				}
			case "for":
				targets, err := p.tuple(true)
				if err != nil {
					return nil, fixSrc(err, s)
				}
				if !p.isName("in") {
					return nil, &SyntaxError{s, p.peek().off, fmt.Sprintf("expected 'in', found %s", describeToken(p.peek()))}
				}
				p.next()
				iter, err := p.noCondTuple()
				if err != nil {
					return nil, fixSrc(err, s)
				}
				n := &forNode{targets: names(targets), iter: iter}
				if p.isName("if") {
					p.next()
					if n.cond, err = p.expr(); err != nil {
						return nil, fixSrc(err, s)
					}
				}
				if p.isName("recursive") {
					return nil, &SyntaxError{s, p.peek().off, "recursive for loops are not supported"}
				}
				stack = append(stack, &frame{kind: "for", off: j, forn: n, target: &n.body})
			case "set":
				targets, err := p.tuple(true)
				if err != nil {
					return nil, fixSrc(err, s)
				}
				n := &setNode{targets: names(targets)}
				if p.isOp("=") {
					p.next()
					if n.e, err = p.tuple(false); err != nil {
						return nil, fixSrc(err, s)
					}
					emit(*n)
				} else {
					if len(n.targets) != 1 {
						return nil, &SyntaxError{s, kw.off, "a block set assigns one name"}
					}
					if !p.atEnd() {
						return nil, &SyntaxError{s, p.peek().off, "set filters (set x | f) are not supported"}
					}
					stack = append(stack, &frame{kind: "set", off: j, setn: n, target: &n.body})
				}
			case "endif", "endfor", "endset":
				f := top()
				if f.kind != strings.TrimPrefix(kw.text, "end") {
					return nil, &SyntaxError{s, kw.off, fmt.Sprintf("unexpected '%s'", kw.text)}
				}
				stack = stack[:len(stack)-1]
				switch f.kind {
				case "if":
					emit(*f.ifn)
				case "for":
					emit(*f.forn)
				case "set":
					emit(*f.setn)
				}
			default:
				if what, ok := refusedStatements[kw.text]; ok {
					return nil, &SyntaxError{s, kw.off, fmt.Sprintf("the statement {%% %s %%} is not supported (%s); zonemgr play supports if, for, set and raw", kw.text, what)}
				}
				return nil, &SyntaxError{s, kw.off, fmt.Sprintf("unknown statement {%% %s %%}", kw.text)}
			}
			if kw.text != "raw" && !p.atEnd() {
				return nil, &SyntaxError{s, p.peek().off, fmt.Sprintf("expected '%%}', found %s", describeToken(p.peek()))}
			}
		}
		i = end
		if trimAfter {
			for i < len(src) && isSpace(src[i]) {
				i++
			}
		}
	}
	flush()
	if len(stack) > 1 {
		f := top()
		return nil, &SyntaxError{s, f.off, fmt.Sprintf("unexpected end of template: the {%% %s %%} is not closed", f.kind)}
	}
	if exprs == 1 && len(t.body) == 1 {
		if o, ok := t.body[0].(outNode); ok {
			t.whole = o.e
			if f, ok := o.e.(filterExpr); ok {
				switch f.name {
				case "string", "to_json", "to_nice_json", "to_yaml", "to_nice_yaml":
					t.nativeText = true
				}
			}
		}
	}
	return t, nil
}

// fixSrc makes a syntax error name the template as written.
func fixSrc(err error, s string) error {
	if se, ok := err.(*SyntaxError); ok {
		return &SyntaxError{s, se.Off, se.Msg}
	}
	return err
}

// names returns the names of a for loop's or set's targets.
func names(n node) []string {
	switch x := n.(type) {
	case nameExpr:
		return []string{x.name}
	case tupleExpr:
		var out []string
		for _, e := range x.elems {
			out = append(out, e.(nameExpr).name)
		}
		return out
	}
	return nil
}

// noCondTuple parses a for loop's list: an expression (or a tuple of
// them) without the inline if, which there filters the loop.
func (p *exprParser) noCondTuple() (node, error) {
	var items []node
	for {
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		items = append(items, e)
		if !p.isOp(",") {
			break
		}
		p.next()
		if p.atEnd() || p.isName("if") {
			break
		}
	}
	if len(items) == 1 {
		return items[0], nil
	}
	return tupleExpr{elems: items}, nil
}

// rawEnd is where a raw block ends.
type rawEnd struct {
	start, end            int
	trimBefore, trimAfter bool
}

// findEndRaw finds the {% endraw %} after offset i.
func findEndRaw(src string, i int) rawEnd {
	for {
		k := strings.Index(src[i:], "{%")
		if k < 0 {
			return rawEnd{start: -1}
		}
		at := i + k
		j := at + 2
		trimBefore := j < len(src) && src[j] == '-'
		if trimBefore {
			j++
		}
		for j < len(src) && isSpace(src[j]) {
			j++
		}
		if strings.HasPrefix(src[j:], "endraw") {
			j += len("endraw")
			for j < len(src) && isSpace(src[j]) {
				j++
			}
			trimAfter := strings.HasPrefix(src[j:], "-%}")
			if trimAfter {
				return rawEnd{at, j + 3, trimBefore, true}
			}
			if strings.HasPrefix(src[j:], "%}") {
				return rawEnd{at, j + 2, trimBefore, false}
			}
		}
		i = at + 2
	}
}

// nextDelimiter returns the offset of the next "{{", "{%" or "{#" at or
// after i, or -1.
func nextDelimiter(s string, i int) int {
	for {
		k := strings.IndexByte(s[i:], '{')
		if k < 0 || i+k+1 >= len(s) {
			return -1
		}
		switch s[i+k+1] {
		case '{', '%', '#':
			return i + k
		}
		i += k + 1
	}
}

// Expr returns the expression of a template that is exactly one
// `{{ expr }}`, without text around it; for other templates it returns
// nil.
func (t *Template) Expr() *Expr {
	if t.whole == nil {
		return nil
	}
	return &Expr{t.whole}
}

// Render renders t in env as Ansible 2.14 (without jinja2_native)
// renders a template: the text of the template with each expression's
// value in Python's str() form (None as the empty string); then, when
// that text begins with "{" or "[" or is True or False, the value it
// reads as with Python's literal_eval (a list, a dict, a boolean), or
// else the text, with the newlines that ended the template. So
// "{{ 1 + 1 }}" gives the text "2" and "{{ [1, 2] }}" the list [1, 2].
// An undefined value is an error.
func (t *Template) Render(env *Env) (any, error) {
	var out string
	if t.whole != nil {
		// One expression: its text as it is (a string is not copied, so
		// a large one given, a registered output, passes through).
		v, err := env.evalLenient(t.whole)
		if err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case nil:
		case string:
			out = x
		case Unsafe:
			out = string(x)
		default:
			if out, err = env.work.str(v); err != nil {
				return nil, err
			}
		}
	} else {
		var b strings.Builder
		saved := env.locals
		env.locals = append(env.locals[:len(env.locals):len(env.locals)], map[string]any{})
		err := env.renderNodes(&b, t.body)
		env.locals = saved
		if err != nil {
			return nil, err
		}
		out = b.String()
	}
	if !t.nativeText && (strings.HasPrefix(out, "{") || strings.HasPrefix(out, "[") || out == "True" || out == "False") {
		v, ok, err := literalEval(&env.work, out)
		if err != nil {
			return nil, err
		}
		if ok {
			return v, env.work.check(v)
		}
	}
	n := 0
	for i := len(out) - 1; i >= 0 && out[i] == '\n'; i-- {
		n++
	}
	if t.trailing > n {
		out += strings.Repeat("\n", t.trailing-n)
	}
	return out, nil
}

// renderNodes writes the output of nodes to b.
func (ev *Env) renderNodes(b *strings.Builder, nodes []tnode) error {
	for _, n := range nodes {
		if err := ev.work.step(1); err != nil {
			return err
		}
		switch x := n.(type) {
		case textNode:
			if err := ev.write(b, string(x)); err != nil {
				return err
			}
		case outNode:
			v, err := ev.evalLenient(x.e)
			if err != nil {
				return err
			}
			if v == nil {
				continue
			}
			s, err := ev.work.str(v)
			if err != nil {
				return err
			}
			if err := ev.write(b, s); err != nil {
				return err
			}
		case ifNode:
			done := false
			for i, c := range x.conds {
				v, err := ev.evalLenient(c)
				if err != nil {
					return err
				}
				if Truth(v) {
					if err := ev.renderNodes(b, x.bodies[i]); err != nil {
						return err
					}
					done = true
					break
				}
			}
			if !done && x.els != nil {
				if err := ev.renderNodes(b, x.els); err != nil {
					return err
				}
			}
		case forNode:
			if err := ev.renderFor(b, x); err != nil {
				return err
			}
		case setNode:
			var v any
			if x.e != nil {
				var err error
				if v, err = ev.evalDefined(x.e); err != nil {
					return err
				}
			} else {
				var sb strings.Builder
				if err := ev.renderNodes(&sb, x.body); err != nil {
					return err
				}
				v = sb.String()
			}
			if err := ev.assign(x.targets, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// write appends s to the output, within the size bound.
func (ev *Env) write(b *strings.Builder, s string) error {
	if b.Len()+len(s) > maxStringSize {
		return stringTooLarge()
	}
	if err := ev.work.text(len(s)); err != nil {
		return err
	}
	b.WriteString(s)
	return nil
}

// assign sets the targets of a for loop or a set in the innermost frame,
// unpacking v when there are several.
func (ev *Env) assign(targets []string, v any) error {
	f := ev.locals[len(ev.locals)-1]
	if len(targets) == 1 {
		f[targets[0]] = v
		return nil
	}
	items, err := ev.work.items(v)
	if err != nil {
		return typeErrorf("cannot unpack non-iterable %s object", typeName(v))
	}
	switch {
	case len(items) < len(targets):
		return fmt.Errorf("not enough values to unpack (expected %d, got %d)", len(targets), len(items))
	case len(items) > len(targets):
		return fmt.Errorf("too many values to unpack (expected %d)", len(targets))
	}
	for i, t := range targets {
		f[t] = items[i]
	}
	return nil
}

// A loopContext is the `loop` variable of a for loop.
type loopContext struct {
	index0, length int
	items          []any
}

func (l *loopContext) attr(name string) (any, bool) {
	switch name {
	case "index":
		return l.index0 + 1, true
	case "index0":
		return l.index0, true
	case "revindex":
		return l.length - l.index0, true
	case "revindex0":
		return l.length - l.index0 - 1, true
	case "first":
		return l.index0 == 0, true
	case "last":
		return l.index0 == l.length-1, true
	case "length":
		return l.length, true
	case "depth":
		return 1, true
	case "depth0":
		return 0, true
	case "previtem":
		if l.index0 > 0 {
			return l.items[l.index0-1], true
		}
		return undefined{msg: "there is no previous item"}, true
	case "nextitem":
		if l.index0+1 < l.length {
			return l.items[l.index0+1], true
		}
		return undefined{msg: "there is no next item"}, true
	}
	return nil, false
}

// renderFor renders a for loop.
func (ev *Env) renderFor(b *strings.Builder, x forNode) error {
	v, err := ev.evalDefined(x.iter)
	if err != nil {
		return err
	}
	items, err := ev.work.items(v)
	if err != nil {
		return typeErrorf("'%s' object is not iterable", typeName(v))
	}
	if x.cond != nil {
		var kept []any
		for _, it := range items {
			ev.locals = append(ev.locals, map[string]any{})
			err := ev.assign(x.targets, it)
			var c any
			if err == nil {
				c, err = ev.evalDefined(x.cond)
			}
			ev.locals = ev.locals[:len(ev.locals)-1]
			if err != nil {
				return err
			}
			if Truth(c) {
				kept = append(kept, it)
			}
		}
		items = kept
	}
	if len(items) == 0 {
		return ev.renderNodes(b, x.els)
	}
	lc := &loopContext{length: len(items), items: items}
	for i, it := range items {
		lc.index0 = i
		ev.locals = append(ev.locals, map[string]any{"loop": lc})
		err := ev.assign(x.targets, it)
		if err == nil {
			err = ev.renderNodes(b, x.body)
		}
		ev.locals = ev.locals[:len(ev.locals)-1]
		if err != nil {
			return err
		}
	}
	return nil
}

// A Cache parses each distinct template string once, for the life of
// the Cache (up to a bound, past which it parses each time). The zero
// Cache is ready to use, and may be used concurrently.
type Cache struct {
	mu sync.Mutex
	m  map[string]cacheEntry
}

type cacheEntry struct {
	t   *Template
	err error
}

// maxCachedTemplates bounds the cache; beyond it templates are parsed
// each time.
const maxCachedTemplates = 1 << 14

// Parse is the package's Parse, through the cache: the same template, or
// the same error, for the same text.
func (c *Cache) Parse(s string) (*Template, error) {
	c.mu.Lock()
	e, ok := c.m[s]
	c.mu.Unlock()
	if ok {
		return e.t, e.err
	}
	t, err := Parse(s)
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]cacheEntry{}
	}
	if len(c.m) < maxCachedTemplates {
		c.m[s] = cacheEntry{t, err}
	}
	c.mu.Unlock()
	return t, err
}

// Names returns the variable names the template uses (locals of its
// statements included), each once.
func (t *Template) Names() []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	var walkT func([]tnode)
	walkT = func(ns []tnode) {
		for _, n := range ns {
			switch x := n.(type) {
			case outNode:
				walkNames(x.e, add)
			case ifNode:
				for _, c := range x.conds {
					walkNames(c, add)
				}
				for _, b := range x.bodies {
					walkT(b)
				}
				walkT(x.els)
			case forNode:
				walkNames(x.iter, add)
				if x.cond != nil {
					walkNames(x.cond, add)
				}
				walkT(x.body)
				walkT(x.els)
			case setNode:
				if x.e != nil {
					walkNames(x.e, add)
				}
				walkT(x.body)
			}
		}
	}
	walkT(t.body)
	return out
}

// Names returns the variable names the expression uses, each once.
func (e *Expr) Names() []string {
	seen := map[string]bool{}
	var out []string
	walkNames(e.n, func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	})
	return out
}

// walkNames calls add with each variable name under n.
func walkNames(n node, add func(string)) {
	switch x := n.(type) {
	case nameExpr:
		add(x.name)
	case attrExpr:
		walkNames(x.x, add)
	case itemExpr:
		walkNames(x.x, add)
		walkNames(x.key, add)
	case sliceExpr:
		walkNames(x.x, add)
		for _, p := range []node{x.lo, x.hi, x.step} {
			if p != nil {
				walkNames(p, add)
			}
		}
	case listExpr:
		for _, e := range x.elems {
			walkNames(e, add)
		}
	case tupleExpr:
		for _, e := range x.elems {
			walkNames(e, add)
		}
	case dictExpr:
		for i := range x.keys {
			walkNames(x.keys[i], add)
			walkNames(x.vals[i], add)
		}
	case unaryExpr:
		walkNames(x.x, add)
	case binaryExpr:
		walkNames(x.x, add)
		walkNames(x.y, add)
	case compareExpr:
		for _, o := range x.operands {
			walkNames(o, add)
		}
	case condExpr:
		walkNames(x.cond, add)
		walkNames(x.then, add)
		if x.els != nil {
			walkNames(x.els, add)
		}
	case filterExpr:
		walkNames(x.x, add)
		for _, a := range x.args {
			walkNames(a, add)
		}
		for _, k := range x.kwargs {
			walkNames(k.val, add)
		}
	case testExpr:
		walkNames(x.x, add)
		for _, a := range x.args {
			walkNames(a, add)
		}
	case callExpr:
		if a, ok := x.fn.(attrExpr); ok {
			walkNames(a.x, add)
		}
		for _, a := range x.args {
			walkNames(a, add)
		}
		for _, k := range x.kwargs {
			walkNames(k.val, add)
		}
	}
}
