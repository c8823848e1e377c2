package jinja

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// A node is a parsed expression. The grammar and the binding of its
// operators are Jinja2's (parser.py):
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
//	unary   = ("-"|"+") unary | primary {postfix} {"|" filter | "is" test | call}
//	postfix = "." NAME | "." INT | "[" subscript "]" | "(" args ")"
type node interface{ isNode() }

type (
	litExpr  struct{ val any }
	nameExpr struct{ name string }
	// attrExpr is x.name: an attribute first (a method), then an item.
	attrExpr struct {
		x    node
		name string
	}
	// itemExpr is x[key] or x.0: an item first, then an attribute.
	itemExpr struct {
		x, key node
	}
	// sliceExpr is x[lo:hi:step]; absent parts are nil.
	sliceExpr struct {
		x, lo, hi, step node
	}
	listExpr  struct{ elems []node }
	tupleExpr struct{ elems []node }
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
		kwargs []kwarg
	}
	testExpr struct {
		x      node
		name   string
		negate bool
		args   []node
	}
	// callExpr is a call of a global function (fn is a nameExpr) or of
	// a method (fn is an attrExpr).
	callExpr struct {
		fn     node
		args   []node
		kwargs []kwarg
		off    int
	}
)

// A kwarg is one keyword argument of a call.
type kwarg struct {
	name string
	val  node
}

func (litExpr) isNode()     {}
func (nameExpr) isNode()    {}
func (attrExpr) isNode()    {}
func (itemExpr) isNode()    {}
func (sliceExpr) isNode()   {}
func (listExpr) isNode()    {}
func (tupleExpr) isNode()   {}
func (dictExpr) isNode()    {}
func (unaryExpr) isNode()   {}
func (binaryExpr) isNode()  {}
func (compareExpr) isNode() {}
func (condExpr) isNode()    {}
func (filterExpr) isNode()  {}
func (testExpr) isNode()    {}
func (callExpr) isNode()    {}

// maxExprDepth bounds the nesting of an expression, so that a hostile
// task file cannot exhaust the stack.
const maxExprDepth = 200

// An exprParser parses one token list.
type exprParser struct {
	src   string
	toks  []token
	i     int
	depth int
	// noCondExpr parses a condition: no `x if c else y` at the top
	// level (see ParseCondition); top is set until the top level's
	// tuple starts.
	noCondExpr, top bool
}

// An Expr is a parsed bare expression, written without `{{ }}`, such as
// the condition `r.rc == 0 and 'done' in r.stdout`. An Expr is
// immutable: it may be evaluated any number of times, concurrently.
type Expr struct{ n node }

// ParseExpr parses src as one whole expression, with the string escapes
// of a statement (a condition is evaluated inside `{% if %}`). A syntax
// error, or a construct zonemgr play does not support, is a
// *SyntaxError.
func ParseExpr(src string) (*Expr, error) {
	n, err := parseExpr(src)
	if err != nil {
		return nil, err
	}
	return &Expr{n}, nil
}

// ParseCondition parses src as a condition: the test of Ansible's
// `{% if src %}`, which Jinja2 parses without a conditional expression
// (`x if c else y`) at its top level.
func ParseCondition(src string) (*Expr, error) {
	toks, _, err := lex(src, 0, modeExpr)
	if err != nil {
		return nil, err
	}
	p := &exprParser{src: src, toks: toks, noCondExpr: true, top: true}
	n, err := p.whole()
	var se *SyntaxError
	if errors.As(err, &se) && se.Off >= len(strings.TrimRight(src, " \t\n")) && strings.HasPrefix(se.Msg, "unexpected end of expression") {
		// Jinja2's words, as the text ends inside {% if %}.
		se.Msg = "unexpected 'end of statement block'"
		if strings.TrimSpace(src) == "" {
			se.Msg = "Expected an expression, got 'end of statement block'"
		}
	}
	if err != nil {
		return nil, err
	}
	return &Expr{n}, nil
}

// jinjaToken describes a token as Jinja2's describe_token does.
func jinjaToken(t token) string {
	switch t.kind {
	case tokString:
		return "string"
	case tokInt:
		return "integer"
	case tokFloat:
		return "float"
	}
	return t.text
}

// parseExpr parses src as one whole expression.
func parseExpr(src string) (node, error) {
	toks, _, err := lex(src, 0, modeExpr)
	if err != nil {
		return nil, err
	}
	p := &exprParser{src: src, toks: toks}
	return p.whole()
}

// whole parses the tokens as one expression (or tuple), to their end.
func (p *exprParser) whole() (node, error) {
	e, err := p.tuple(false)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		if p.noCondExpr {
			return nil, p.errorf(t, "expected token 'end of statement block', got '%s'", jinjaToken(t))
		}
		return nil, p.errorf(t, "unexpected %s", describeToken(t))
	}
	return e, nil
}

func (p *exprParser) peek() token { return p.toks[p.i] }

func (p *exprParser) peekAt(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

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

func (p *exprParser) atEnd() bool {
	k := p.peek().kind
	return k == tokEOF || k == tokEnd
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
		return "'" + strings.TrimPrefix(t.text, "-") + "'"
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

// tuple parses an expression, or a tuple of them written without
// parentheses (a, b) where Jinja2 allows one: the whole of a `{{ }}`, a
// for loop's list, a set's value. With simple, the items are names only
// (a for loop's or a set's targets).
func (p *exprParser) tuple(simple bool) (node, error) {
	top := p.noCondExpr && p.top
	p.top = false
	var items []node
	isTuple := false
	for {
		if len(items) > 0 {
			if !p.isOp(",") {
				break
			}
			p.next()
			isTuple = true
			if p.atEnd() || p.isName("in") || p.isOp("=") || p.isOp(")") {
				break
			}
		}
		var e node
		var err error
		if simple {
			t := p.next()
			if t.kind != tokName {
				return nil, p.errorf(t, "expected a name, found %s", describeToken(t))
			}
			e = nameExpr{t.text}
		} else if top {
			if e, err = p.or(); err != nil {
				return nil, err
			}
		} else if e, err = p.expr(); err != nil {
			return nil, err
		}
		items = append(items, e)
	}
	if len(items) == 0 {
		return nil, p.errorf(p.peek(), "expected an expression, found %s", describeToken(p.peek()))
	}
	if !isTuple {
		return items[0], nil
	}
	return tupleExpr{elems: items}, nil
}

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
		case p.isName("not") && p.peekAt(1).kind == tokName && p.peekAt(1).text == "in":
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
		if t.kind != tokOp || !slices.Contains(ops, t.text) {
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
		// Adjacent strings join, as in Python and Jinja2.
		for p.peek().kind == tokString {
			s += p.next().text
		}
		return litExpr{s}, nil
	case tokOp:
		switch t.text {
		case "(":
			if p.isOp(")") {
				p.next()
				return tupleExpr{}, nil
			}
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			if !p.isOp(",") {
				return x, p.expect(")")
			}
			l := tupleExpr{elems: []node{x}}
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
				kt := p.peek()
				k, err := p.expr()
				if err != nil {
					return nil, err
				}
				if lit, ok := k.(litExpr); ok {
					if _, isStr := lit.val.(string); !isStr {
						return nil, p.errorf(kt, "dict keys other than strings (%s) are not supported", Repr(lit.val))
					}
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
				x = attrExpr{x: x, name: t.text}
			case tokInt:
				x = itemExpr{x: x, key: litExpr{t.ival}}
			default:
				return nil, p.errorf(t, "expected a name or an index after '.', found %s", describeToken(t))
			}
		case p.isOp("["):
			p.next()
			var err error
			if x, err = p.subscript(x); err != nil {
				return nil, err
			}
		case p.isOp("("):
			var err error
			if x, err = p.call(x); err != nil {
				return nil, err
			}
		default:
			return x, nil
		}
	}
}

// subscript parses what follows "[": an index or a slice, and the "]".
func (p *exprParser) subscript(x node) (node, error) {
	var parts [3]node
	n := 0
	isSlice := false
	for {
		if !p.isOp(":") && !p.isOp("]") {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			parts[n] = e
		}
		if !p.isOp(":") {
			break
		}
		if n == 2 {
			return nil, p.errorf(p.peek(), "expected ']', found ':'")
		}
		p.next()
		isSlice = true
		n++
	}
	if p.isOp(",") {
		return nil, p.errorf(p.peek(), "subscripts with several indexes (x[a, b]) are not supported")
	}
	if err := p.expect("]"); err != nil {
		return nil, err
	}
	if !isSlice {
		if parts[0] == nil {
			return nil, p.errorf(p.peek(), "expected an index inside '[]'")
		}
		return itemExpr{x: x, key: parts[0]}, nil
	}
	return sliceExpr{x: x, lo: parts[0], hi: parts[1], step: parts[2]}, nil
}

// call parses a call's arguments and checks that the called function or
// method is one zonemgr play has.
func (p *exprParser) call(fn node) (node, error) {
	t := p.peek()
	args, kwargs, err := p.callArgs()
	if err != nil {
		return nil, err
	}
	c := callExpr{fn: fn, args: args, kwargs: kwargs, off: t.off}
	switch f := fn.(type) {
	case nameExpr:
		g, ok := globalFuncs[f.name]
		if !ok {
			if msg, refused := refusedGlobals[f.name]; refused {
				return nil, p.errorf(t, "%s() is not supported: %s", f.name, msg)
			}
			return nil, p.errorf(t, "calling %s is not supported (functions: %s)", f.name, strings.Join(sortedNames(globalFuncs), ", "))
		}
		if err := g.sig.check(f.name, len(args), kwargs); err != nil {
			return nil, p.errorf(t, "%v", err)
		}
	case attrExpr:
		m, ok := methodSigs[f.name]
		if !ok {
			if _, mutating := mutatingMethods[f.name]; mutating {
				return nil, p.errorf(t, "the method %s() changes its object in place, which zonemgr play does not support", f.name)
			}
			return nil, p.errorf(t, "the method %s() is not supported (methods: %s)", f.name, strings.Join(sortedNames(methodSigs), ", "))
		}
		if err := m.check(f.name, len(args), kwargs); err != nil {
			return nil, p.errorf(t, "%v", err)
		}
	default:
		return nil, p.errorf(t, "calling %s is not supported", describe(fn))
	}
	return c, nil
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
			name, short := p.qualifiedName(t)
			ff, ok := filterFuncs[short]
			if !ok {
				if msg, refused := refusedFilters[short]; refused {
					return nil, p.errorf(t, "the filter %s is not supported: %s", name, msg)
				}
				return nil, p.errorf(t, "unknown filter %q (known: %s)", name, strings.Join(filterNames(), ", "))
			}
			f := filterExpr{x: x, name: short}
			if p.isOp("(") {
				var err error
				if f.args, f.kwargs, err = p.callArgs(); err != nil {
					return nil, err
				}
			}
			if err := ff.sig.check(short, len(f.args), f.kwargs); err != nil {
				return nil, p.errorf(t, "filter %s: %v", name, err)
			}
			if ff.check != nil {
				if err := ff.check(f.args, f.kwargs); err != nil {
					return nil, p.errorf(t, "filter %s: %v", name, err)
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
			name, short := p.qualifiedName(t)
			tf, ok := testFuncs[short]
			if !ok {
				return nil, p.errorf(t, "unknown test %q (known: %s)", name, strings.Join(testNames(), ", "))
			}
			te.name = short
			switch nt := p.peek(); {
			case p.isOp("("):
				args, kwargs, err := p.callArgs()
				if err != nil {
					return nil, err
				}
				for _, kw := range kwargs {
					i := slices.Index(tf.params, kw.name)
					if i < 0 {
						return nil, p.errorf(t, "test %s got an unexpected keyword argument '%s'", name, kw.name)
					}
					if i < len(args) {
						return nil, p.errorf(t, "test %s got multiple values for argument '%s'", name, kw.name)
					}
					for len(args) < i {
						args = append(args, litExpr{tf.defaults[len(args)]})
					}
					args = append(args, kw.val)
				}
				te.args = args
			case (nt.kind == tokName || nt.kind == tokString || nt.kind == tokInt || nt.kind == tokFloat || p.isOp("[") || p.isOp("{")) &&
				!(nt.kind == tokName && (nt.text == "else" || nt.text == "or" || nt.text == "and" || nt.text == "if" || nt.text == "is" || nt.text == "in" || nt.text == "not")):
				// Jinja2's `x is divisibleby 3`: one argument without
				// parentheses.
				a, err := p.primary()
				if err != nil {
					return nil, err
				}
				if a, err = p.postfix(a); err != nil {
					return nil, err
				}
				te.args = []node{a}
			}
			if len(te.args) < tf.minArgs || len(te.args) > tf.maxArgs {
				return nil, p.errorf(t, "test %s takes %s", name, argCount(tf.minArgs, tf.maxArgs))
			}
			x = te
		case p.isOp("("):
			var err error
			if x, err = p.call(x); err != nil {
				return nil, err
			}
		default:
			return x, nil
		}
	}
}

// argCount describes a number of arguments.
func argCount(lo, hi int) string {
	switch {
	case lo == hi && lo == 0:
		return "no argument"
	case lo == hi && lo == 1:
		return "one argument"
	case lo == hi:
		return fmt.Sprintf("%d arguments", lo)
	case hi > 100:
		return fmt.Sprintf("at least %d arguments", lo)
	}
	return fmt.Sprintf("%d to %d arguments", lo, hi)
}

// callArgs parses "(a, b, key=c)".
func (p *exprParser) callArgs() ([]node, []kwarg, error) {
	if err := p.expect("("); err != nil {
		return nil, nil, err
	}
	var args []node
	var kwargs []kwarg
	for !p.isOp(")") {
		t := p.peek()
		if p.isOp("*") || p.isOp("**") {
			return nil, nil, p.errorf(t, "*args and **kwargs in calls are not supported")
		}
		if t.kind == tokName && p.peekAt(1).kind == tokOp && p.peekAt(1).text == "=" {
			p.next()
			p.next()
			v, err := p.expr()
			if err != nil {
				return nil, nil, err
			}
			for _, kw := range kwargs {
				if kw.name == t.text {
					return nil, nil, p.errorf(t, "keyword argument repeated: %s", t.text)
				}
			}
			kwargs = append(kwargs, kwarg{t.text, v})
		} else {
			if kwargs != nil {
				return nil, nil, p.errorf(t, "positional argument follows keyword argument")
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

// A signature is the parameters of a filter, function or method after
// its input: their names in order (each may be given by position or by
// name), how many are required, and whether more positional arguments
// may follow (variadic) or other keywords are accepted (anyKw).
type signature struct {
	params   []string
	required int
	variadic bool
	anyKw    bool
	// kwOnly tells that params follow *args: they are given by name
	// only, every positional argument going to the variadic ones.
	kwOnly bool
}

// sig is a signature of the named parameters, of which the first
// required are required.
func sig(required int, params ...string) signature {
	return signature{params: params, required: required}
}

// check checks a call's arguments against the signature, as Python
// would when the filter runs.
func (s signature) check(name string, nargs int, kwargs []kwarg) error {
	if s.kwOnly {
		nargs = 0
	}
	if nargs > len(s.params) && !s.variadic {
		return fmt.Errorf("%s takes at most %d positional argument(s), %d given", name, len(s.params), nargs)
	}
	given := nargs
	for _, kw := range kwargs {
		i := slices.Index(s.params, kw.name)
		switch {
		case i < 0 && !s.anyKw:
			if len(s.params) == 0 {
				return fmt.Errorf("%s got an unexpected keyword argument '%s' (it takes none)", name, kw.name)
			}
			return fmt.Errorf("%s got an unexpected keyword argument '%s' (it takes: %s)", name, kw.name, strings.Join(s.params, ", "))
		case i >= 0 && i < nargs:
			return fmt.Errorf("%s got multiple values for argument '%s'", name, kw.name)
		case i >= 0 && i < s.required:
			given++
		}
	}
	if given < s.required {
		return fmt.Errorf("%s missing a required argument: '%s'", name, s.params[given])
	}
	return nil
}

// describe renders a variable path as written, for messages: r.results.0
// or r['key'].
func describe(e node) string {
	switch x := e.(type) {
	case nameExpr:
		return x.name
	case attrExpr:
		return describe(x.x) + "." + x.name
	case itemExpr:
		if lit, ok := x.key.(litExpr); ok {
			return describe(x.x) + "[" + Repr(lit.val) + "]"
		}
		return describe(x.x) + "[...]"
	case litExpr:
		return Repr(x.val)
	case filterExpr:
		return describe(x.x) + " | " + x.name
	case callExpr:
		return describe(x.fn) + "()"
	}
	return "expression"
}

// qualifiedName reads the rest of a filter's or test's name after its
// first word t: Ansible's FQCN of a builtin (ansible.builtin.NAME,
// ansible.legacy.NAME) is the dotted name, and short the builtin's own.
func (p *exprParser) qualifiedName(t token) (name, short string) {
	name = t.text
	for p.isOp(".") && p.peekAt(1).kind == tokName {
		p.next()
		name += "." + p.next().text
	}
	return name, strings.TrimPrefix(strings.TrimPrefix(name, "ansible.builtin."), "ansible.legacy.")
}
