package jinja

import (
	"fmt"
	"strings"
)

// A node is a parsed expression. The grammar and the binding of its
// operators are Jinja2's:
//
//	expr    = or ["if" or ["else" expr]]
//	or      = and {"or" and}
//	and     = not {"and" not}
//	not     = "not" not | compare
//	compare = sum {("=="|"!="|"<"|">"|"<="|">="|"in"|"not" "in") sum}
//	sum     = concat {("+"|"-") concat}
//	concat  = product {"~" product}
//	product = power {("*"|"/"|"//"|"%") power}
//	power   = unary {"**" unary}
//	unary   = ("-"|"+") unary | primary {postfix} {"|" filter | "is" test}
//	postfix = "." NAME | "." INT | "[" expr "]" | "." METHOD "(" ")"
//
// The only calls are the dict methods keys(), values() and items().
type node interface{ isNode() }

type (
	litExpr  struct{ val any }
	nameExpr struct{ name string }
	// attrExpr is x.name, x.0 or x[key].
	attrExpr struct {
		x   node
		key node
		dot bool // written x.key rather than x[key]
	}
	listExpr  struct{ elems []node }
	dictExpr  struct{ keys, vals []node }
	unaryExpr struct {
		op string
		x  node
	}
	binaryExpr struct {
		op   string
		x, y node
	}
	// compareExpr is a chain such as a < b <= c: each op compares its two
	// neighbours, and all must hold.
	compareExpr struct {
		operands []node
		ops      []string
	}
	condExpr struct {
		cond, then, els node // els may be nil
	}
	filterExpr struct {
		x      node
		name   string
		args   []node
		kwargs map[string]node
	}
	testExpr struct {
		x      node
		name   string
		negate bool
		args   []node
	}
	// methodExpr is x.keys(), x.values() or x.items() on a dict.
	methodExpr struct {
		x    node
		name string
	}
)

// methods are the dict methods an expression may call, without
// arguments.
var methods = map[string]func(any) (any, error){
	"keys":   mapKeys,
	"values": mapValues,
	"items":  mapItems,
}

func (litExpr) isNode()     {}
func (nameExpr) isNode()    {}
func (attrExpr) isNode()    {}
func (listExpr) isNode()    {}
func (dictExpr) isNode()    {}
func (unaryExpr) isNode()   {}
func (binaryExpr) isNode()  {}
func (compareExpr) isNode() {}
func (condExpr) isNode()    {}
func (filterExpr) isNode()  {}
func (testExpr) isNode()    {}
func (methodExpr) isNode()  {}

// maxExprDepth bounds the nesting of an expression, so that a hostile
// task file cannot exhaust the stack.
const maxExprDepth = 200

// An exprParser parses one token list.
type exprParser struct {
	src   string
	toks  []token
	i     int
	depth int
}

// An Expr is a parsed bare expression, written without `{{ }}`, such as
// the condition `r.rc == 0 and 'done' in r.stdout`. An Expr is
// immutable: it may be evaluated any number of times, concurrently.
type Expr struct{ n node }

// ParseExpr parses src as one whole expression. A syntax error is a
// *SyntaxError.
func ParseExpr(src string) (*Expr, error) {
	n, err := parseExpr(src)
	if err != nil {
		return nil, err
	}
	return &Expr{n}, nil
}

// parseExpr parses src as one whole expression.
func parseExpr(src string) (node, error) {
	toks, _, err := lex(src, 0, false)
	if err != nil {
		return nil, err
	}
	p := &exprParser{src: src, toks: toks}
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.errorf(t, "unexpected %s", describeToken(t))
	}
	if e == nil {
		return nil, &SyntaxError{src, 0, "empty expression"}
	}
	return e, nil
}

func (p *exprParser) peek() token { return p.toks[p.i] }

func (p *exprParser) next() token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func (p *exprParser) isOp(op string) bool {
	t := p.peek()
	return t.kind == tokOp && t.text == op
}

func (p *exprParser) isName(name string) bool {
	t := p.peek()
	return t.kind == tokName && t.text == name
}

func (p *exprParser) expect(op string) error {
	if !p.isOp(op) {
		t := p.peek()
		return p.errorf(t, "expected '%s', found %s", op, describeToken(t))
	}
	p.next()
	return nil
}

func (p *exprParser) errorf(t token, format string, a ...any) error {
	return &SyntaxError{p.src, t.off, fmt.Sprintf(format, a...)}
}

func describeToken(t token) string {
	switch t.kind {
	case tokEOF:
		return "end of expression"
	case tokEnd:
		return "'}}'"
	case tokString:
		return "string " + pyQuote(t.text)
	case tokInt, tokFloat:
		return "number " + t.text
	case tokName:
		return "name '" + t.text + "'"
	}
	return "'" + t.text + "'"
}

func (p *exprParser) enter() error {
	p.depth++
	if p.depth > maxExprDepth {
		return p.errorf(p.peek(), "expression nested too deeply")
	}
	return nil
}

func (p *exprParser) leave() { p.depth-- }

func (p *exprParser) expr() (node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	x, err := p.or()
	if err != nil {
		return nil, err
	}
	for p.isName("if") {
		p.next()
		cond, err := p.or()
		if err != nil {
			return nil, err
		}
		var els node
		if p.isName("else") {
			p.next()
			if els, err = p.expr(); err != nil {
				return nil, err
			}
		}
		x = condExpr{cond: cond, then: x, els: els}
	}
	return x, nil
}

func (p *exprParser) or() (node, error) {
	x, err := p.and()
	for err == nil && p.isName("or") {
		p.next()
		var y node
		if y, err = p.and(); err == nil {
			x = binaryExpr{op: "or", x: x, y: y}
		}
	}
	return x, err
}

func (p *exprParser) and() (node, error) {
	x, err := p.not()
	for err == nil && p.isName("and") {
		p.next()
		var y node
		if y, err = p.not(); err == nil {
			x = binaryExpr{op: "and", x: x, y: y}
		}
	}
	return x, err
}

func (p *exprParser) not() (node, error) {
	if p.isName("not") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		p.next()
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return unaryExpr{op: "not", x: x}, nil
	}
	return p.compare()
}

func (p *exprParser) compare() (node, error) {
	x, err := p.sum()
	if err != nil {
		return nil, err
	}
	c := compareExpr{operands: []node{x}}
	for {
		var op string
		t := p.peek()
		switch {
		case t.kind == tokOp && (t.text == "==" || t.text == "!=" || t.text == "<" || t.text == ">" || t.text == "<=" || t.text == ">="):
			op = t.text
			p.next()
		case p.isName("in"):
			op = "in"
			p.next()
		case p.isName("not") && p.i+1 < len(p.toks) && p.toks[p.i+1].kind == tokName && p.toks[p.i+1].text == "in":
			op = "not in"
			p.next()
			p.next()
		}
		if op == "" {
			break
		}
		y, err := p.sum()
		if err != nil {
			return nil, err
		}
		c.ops = append(c.ops, op)
		c.operands = append(c.operands, y)
	}
	if len(c.ops) == 0 {
		return x, nil
	}
	return c, nil
}

// binaryLevel parses one left-associative level of binary operators.
func (p *exprParser) binaryLevel(ops []string, sub func() (node, error)) (node, error) {
	x, err := sub()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind != tokOp || !contains(ops, t.text) {
			return x, nil
		}
		p.next()
		y, err := sub()
		if err != nil {
			return nil, err
		}
		x = binaryExpr{op: t.text, x: x, y: y}
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func (p *exprParser) sum() (node, error) {
	return p.binaryLevel([]string{"+", "-"}, p.concat)
}

func (p *exprParser) concat() (node, error) {
	return p.binaryLevel([]string{"~"}, p.product)
}

func (p *exprParser) product() (node, error) {
	return p.binaryLevel([]string{"*", "/", "//", "%"}, p.power)
}

func (p *exprParser) power() (node, error) {
	return p.binaryLevel([]string{"**"}, func() (node, error) { return p.unary(true) })
}

func (p *exprParser) unary(withFilter bool) (node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	var x node
	var err error
	if p.isOp("-") || p.isOp("+") {
		op := p.next().text
		y, err := p.unary(false)
		if err != nil {
			return nil, err
		}
		x = unaryExpr{op: op, x: y}
	} else if x, err = p.primary(); err != nil {
		return nil, err
	}
	if x, err = p.postfix(x); err != nil {
		return nil, err
	}
	if withFilter {
		return p.filters(x)
	}
	return x, nil
}

func (p *exprParser) primary() (node, error) {
	t := p.next()
	switch t.kind {
	case tokName:
		switch t.text {
		case "true", "True":
			return litExpr{true}, nil
		case "false", "False":
			return litExpr{false}, nil
		case "none", "None":
			return litExpr{nil}, nil
		case "and", "or", "not", "in", "is", "if", "else":
			return nil, p.errorf(t, "unexpected %s", describeToken(t))
		}
		return nameExpr{t.text}, nil
	case tokInt:
		return litExpr{t.ival}, nil
	case tokFloat:
		return litExpr{t.fval}, nil
	case tokString:
		s := t.text
		// Adjacent strings join, as in Python and Jinja.
		for p.peek().kind == tokString {
			s += p.next().text
		}
		return litExpr{s}, nil
	case tokOp:
		switch t.text {
		case "(":
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			if !p.isOp(",") {
				return x, p.expect(")")
			}
			l := listExpr{elems: []node{x}}
			for p.isOp(",") {
				p.next()
				if p.isOp(")") {
					break
				}
				e, err := p.expr()
				if err != nil {
					return nil, err
				}
				l.elems = append(l.elems, e)
			}
			return l, p.expect(")")
		case "[":
			var l listExpr
			for !p.isOp("]") {
				e, err := p.expr()
				if err != nil {
					return nil, err
				}
				l.elems = append(l.elems, e)
				if !p.isOp(",") {
					break
				}
				p.next()
			}
			return l, p.expect("]")
		case "{":
			var d dictExpr
			for !p.isOp("}") {
				k, err := p.expr()
				if err != nil {
					return nil, err
				}
				if err := p.expect(":"); err != nil {
					return nil, err
				}
				v, err := p.expr()
				if err != nil {
					return nil, err
				}
				d.keys = append(d.keys, k)
				d.vals = append(d.vals, v)
				if !p.isOp(",") {
					break
				}
				p.next()
			}
			return d, p.expect("}")
		}
	}
	return nil, p.errorf(t, "unexpected %s", describeToken(t))
}

func (p *exprParser) postfix(x node) (node, error) {
	for {
		switch {
		case p.isOp("."):
			p.next()
			t := p.next()
			switch t.kind {
			case tokName:
				if _, ok := methods[t.text]; ok && p.isOp("(") && p.i+1 < len(p.toks) && p.toks[p.i+1].kind == tokOp && p.toks[p.i+1].text == ")" {
					p.next()
					p.next()
					x = methodExpr{x: x, name: t.text}
					continue
				}
				x = attrExpr{x: x, key: litExpr{t.text}, dot: true}
			case tokInt:
				x = attrExpr{x: x, key: litExpr{t.ival}, dot: true}
			default:
				return nil, p.errorf(t, "expected a name or an index after '.', found %s", describeToken(t))
			}
		case p.isOp("["):
			p.next()
			k, err := p.expr()
			if err != nil {
				return nil, err
			}
			if p.isOp(":") {
				return nil, p.errorf(p.peek(), "slices are not supported")
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			x = attrExpr{x: x, key: k}
		case p.isOp("("):
			return nil, p.errorf(p.peek(), "function and method calls are not supported (%s)", describe(x))
		default:
			return x, nil
		}
	}
}

func (p *exprParser) filters(x node) (node, error) {
	for {
		switch {
		case p.isOp("|"):
			p.next()
			t := p.next()
			if t.kind != tokName {
				return nil, p.errorf(t, "expected a filter name after '|', found %s", describeToken(t))
			}
			if _, ok := filterFuncs[t.text]; !ok {
				return nil, p.errorf(t, "unknown filter %q (known: %s)", t.text, strings.Join(filterNames(), ", "))
			}
			f := filterExpr{x: x, name: t.text}
			if p.isOp("(") {
				var err error
				if f.args, f.kwargs, err = p.callArgs(); err != nil {
					return nil, err
				}
			}
			x = f
		case p.isName("is"):
			p.next()
			te := testExpr{x: x}
			if p.isName("not") {
				p.next()
				te.negate = true
			}
			t := p.next()
			if t.kind != tokName {
				return nil, p.errorf(t, "expected a test name after 'is', found %s", describeToken(t))
			}
			if _, ok := testFuncs[t.text]; !ok {
				return nil, p.errorf(t, "unknown test %q (known: %s)", t.text, strings.Join(testNames(), ", "))
			}
			te.name = t.text
			if p.isOp("(") {
				args, kwargs, err := p.callArgs()
				if err != nil {
					return nil, err
				}
				if len(kwargs) > 0 {
					return nil, p.errorf(t, "test %q takes no keyword arguments", t.text)
				}
				te.args = args
			}
			x = te
		case p.isOp("("):
			return nil, p.errorf(p.peek(), "function and method calls are not supported (%s)", describe(x))
		default:
			return x, nil
		}
	}
}

// callArgs parses "(a, b, key=c)".
func (p *exprParser) callArgs() ([]node, map[string]node, error) {
	if err := p.expect("("); err != nil {
		return nil, nil, err
	}
	var args []node
	var kwargs map[string]node
	for !p.isOp(")") {
		if t := p.peek(); t.kind == tokName && p.i+1 < len(p.toks) && p.toks[p.i+1].kind == tokOp && p.toks[p.i+1].text == "=" {
			p.next()
			p.next()
			v, err := p.expr()
			if err != nil {
				return nil, nil, err
			}
			if kwargs == nil {
				kwargs = map[string]node{}
			}
			kwargs[t.text] = v
		} else {
			if kwargs != nil {
				return nil, nil, p.errorf(t, "positional argument after keyword argument")
			}
			v, err := p.expr()
			if err != nil {
				return nil, nil, err
			}
			args = append(args, v)
		}
		if !p.isOp(",") {
			break
		}
		p.next()
	}
	return args, kwargs, p.expect(")")
}

// describe renders a variable path as written, for messages: r.results.0
// or r['key'].
func describe(e node) string {
	switch x := e.(type) {
	case nameExpr:
		return x.name
	case attrExpr:
		base := describe(x.x)
		if lit, ok := x.key.(litExpr); ok {
			if x.dot {
				return base + "." + Str(lit.val)
			}
			return base + "[" + Repr(lit.val) + "]"
		}
		return base + "[...]"
	case litExpr:
		return Repr(x.val)
	case filterExpr:
		return describe(x.x) + " | " + x.name
	case methodExpr:
		return describe(x.x) + "." + x.name + "()"
	}
	return "expression"
}
