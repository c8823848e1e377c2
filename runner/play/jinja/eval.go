package jinja

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// Eval evaluates e in env. An undefined value (a variable, attribute or
// item that does not exist) is an error, as it is in a condition.
func (e *Expr) Eval(env *Env) (any, error) { return env.evalDefined(e.n) }

// Value evaluates e in env as Eval does, except that an undefined result
// is no error: defined is then false and v nil. (An undefined value used
// inside e, as in `missing + 1`, is still an error.)
func (e *Expr) Value(env *Env) (v any, defined bool, err error) {
	v, err = env.eval(e.n)
	if err != nil || isUndefined(v) {
		return nil, false, err
	}
	return v, true, nil
}

// eval evaluates e to a value, which may be undefined; use evalDefined
// when an undefined value is an error.
func (ev *Env) eval(e node) (any, error) {
	if err := ev.work.step(1); err != nil {
		return nil, err
	}
	switch x := e.(type) {
	case litExpr:
		return x.val, nil
	case nameExpr:
		v, ok, err := ev.lookup(x.name)
		if err != nil {
			return nil, err
		}
		if !ok {
			return undefined{name: x.name}, nil
		}
		return v, nil
	case attrExpr:
		return ev.attr(x)
	case listExpr:
		if len(x.elems) > maxElements {
			return nil, listTooLarge()
		}
		out := make([]any, 0, len(x.elems))
		total := elementSize
		for _, el := range x.elems {
			v, err := ev.evalDefined(el)
			if err != nil {
				return nil, err
			}
			if err := ev.work.add(&total, v); err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case dictExpr:
		if len(x.keys) > maxElements {
			return nil, dictTooLarge()
		}
		out := make(map[string]any, len(x.keys))
		total := elementSize
		for i := range x.keys {
			k, err := ev.evalDefined(x.keys[i])
			if err != nil {
				return nil, err
			}
			v, err := ev.evalDefined(x.vals[i])
			if err != nil {
				return nil, err
			}
			key, err := ev.work.str(k)
			if err != nil {
				return nil, err
			}
			if _, dup := out[key]; !dup {
				total += len(key)
				if err := ev.work.add(&total, v); err != nil {
					return nil, err
				}
			}
			out[key] = v
		}
		return out, nil
	case unaryExpr:
		return ev.unary(x)
	case binaryExpr:
		return ev.binary(x)
	case compareExpr:
		return ev.compare(x)
	case condExpr:
		c, err := ev.evalDefined(x.cond)
		if err != nil {
			return nil, err
		}
		if Truth(c) {
			return ev.eval(x.then)
		}
		if x.els == nil {
			return undefined{msg: "the inline if-expression on line 1 evaluated to false and no else section was defined."}, nil
		}
		return ev.eval(x.els)
	case filterExpr:
		return ev.filter(x)
	case testExpr:
		return ev.test(x)
	case methodExpr:
		return ev.method(x)
	}
	return nil, fmt.Errorf("unknown expression %T", e)
}

// evalDefined evaluates e and fails when the value is undefined.
func (ev *Env) evalDefined(e node) (any, error) {
	v, err := ev.eval(e)
	if err != nil {
		return nil, err
	}
	if u, ok := v.(undefined); ok {
		return nil, u.err()
	}
	return v, nil
}

// attr evaluates x.key and x[key]: a dict's member, or a list's or a
// string's item (negative indexes count from the end, as in Python).
// What does not exist is undefined, named by its path; an undefined x
// stays undefined under its own name.
func (ev *Env) attr(x attrExpr) (any, error) {
	base, err := ev.eval(x.x)
	if err != nil {
		return nil, err
	}
	if u, ok := base.(undefined); ok {
		return u, nil
	}
	key, err := ev.evalDefined(x.key)
	if err != nil {
		return nil, err
	}
	missing := undefined{name: describe(x)}
	switch b := base.(type) {
	case map[string]any:
		if k, ok := key.(string); ok {
			if v, ok := b[k]; ok {
				return v, nil
			}
		} else if !x.dot {
			if k, err := ev.work.str(key); err == nil {
				if v, ok := b[k]; ok {
					return v, nil
				}
			} else if !isSizeError(err) {
				return nil, err
			}
		}
		return missing, nil
	case []any:
		if i, ok := index(key, len(b)); ok {
			return b[i], nil
		}
		return missing, nil
	case string:
		r, scanned, ok := runeAt(b, key)
		if err := ev.work.text(scanned); err != nil {
			return nil, err
		}
		if ok {
			return r, nil
		}
		return missing, nil
	}
	return missing, nil
}

// runeAt returns the character of s at index key (negative indexes count
// from the end), and how many bytes of s it went through to find it.
func runeAt(s string, key any) (r string, scanned int, ok bool) {
	i, ok := key.(int)
	if !ok {
		return "", 0, false
	}
	if i < 0 {
		i += utf8.RuneCountInString(s)
		scanned = len(s)
		if i < 0 {
			return "", scanned, false
		}
	}
	for j, c := range s {
		if i == 0 {
			return string(c), max(scanned, j), true
		}
		i--
	}
	return "", len(s), false
}

// method calls a dict method: keys(), values() or items().
func (ev *Env) method(x methodExpr) (any, error) {
	base, err := ev.evalDefined(x.x)
	if err != nil {
		return nil, err
	}
	m, ok := base.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("'%s' object has no attribute '%s'", typeName(base), x.name)
	}
	if err := ev.work.step(len(m)); err != nil {
		return nil, err
	}
	out, err := methods[x.name](base)
	if err != nil {
		return nil, err
	}
	return out, ev.work.check(out)
}

// index turns key into an index of a sequence of length n.
func index(key any, n int) (int, bool) {
	i, ok := key.(int)
	if !ok {
		return 0, false
	}
	if i < 0 {
		i += n
	}
	return i, i >= 0 && i < n
}

func (ev *Env) unary(x unaryExpr) (any, error) {
	v, err := ev.evalDefined(x.x)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "not":
		return !Truth(v), nil
	case "-":
		switch n := v.(type) {
		case int:
			return -n, nil
		case float64:
			return -n, nil
		case bool:
			if n {
				return -1, nil
			}
			return 0, nil
		}
	case "+":
		switch n := v.(type) {
		case int, float64:
			return n, nil
		case bool:
			if n {
				return 1, nil
			}
			return 0, nil
		}
	}
	return nil, fmt.Errorf("bad operand type for unary %s: '%s'", x.op, typeName(v))
}

func (ev *Env) binary(x binaryExpr) (any, error) {
	switch x.op {
	case "and":
		a, err := ev.evalDefined(x.x)
		if err != nil || !Truth(a) {
			return a, err
		}
		return ev.evalDefined(x.y)
	case "or":
		a, err := ev.evalDefined(x.x)
		if err != nil || Truth(a) {
			return a, err
		}
		return ev.evalDefined(x.y)
	}
	a, err := ev.evalDefined(x.x)
	if err != nil {
		return nil, err
	}
	b, err := ev.evalDefined(x.y)
	if err != nil {
		return nil, err
	}
	return arith(&ev.work, x.op, a, b)
}

// arith applies an arithmetic operator with Python's rules, within the
// budget w.
func arith(w *budget, op string, a, b any) (any, error) {
	if op == "~" {
		sa, err := w.str(a)
		if err != nil {
			return nil, err
		}
		sb, err := w.str(b)
		if err != nil {
			return nil, err
		}
		if err := w.checkString(len(sa) + len(sb)); err != nil {
			return nil, err
		}
		return sa + sb, nil
	}
	_, aBool := a.(bool)
	_, bBool := b.(bool)
	ai, aInt := a.(int)
	bi, bInt := b.(int)
	if aBool || bBool {
		// Python counts booleans as the ints 1 and 0.
		if f, ok := number(a); ok && aBool {
			ai, aInt = int(f), true
		}
		if f, ok := number(b); ok && bBool {
			bi, bInt = int(f), true
		}
	}
	if aInt && bInt {
		switch op {
		case "+":
			return ai + bi, nil
		case "-":
			return ai - bi, nil
		case "*":
			return ai * bi, nil
		case "/":
			if bi == 0 {
				return nil, errors.New("division by zero")
			}
			return float64(ai) / float64(bi), nil
		case "//":
			if bi == 0 {
				return nil, errors.New("integer division or modulo by zero")
			}
			q := ai / bi
			if (ai%bi != 0) && ((ai < 0) != (bi < 0)) {
				q--
			}
			return q, nil
		case "%":
			if bi == 0 {
				return nil, errors.New("integer division or modulo by zero")
			}
			m := ai % bi
			if m != 0 && ((m < 0) != (bi < 0)) {
				m += bi
			}
			return m, nil
		case "**":
			if p, ok := intPow(ai, bi); ok {
				return p, nil
			}
			return math.Pow(float64(ai), float64(bi)), nil
		}
	}
	fa, aNum := number(a)
	fb, bNum := number(b)
	if aNum && bNum {
		switch op {
		case "+":
			return fa + fb, nil
		case "-":
			return fa - fb, nil
		case "*":
			return fa * fb, nil
		case "/":
			if fb == 0 {
				return nil, errors.New("float division by zero")
			}
			return fa / fb, nil
		case "//":
			if fb == 0 {
				return nil, errors.New("float floor division by zero")
			}
			return math.Floor(fa / fb), nil
		case "%":
			if fb == 0 {
				return nil, errors.New("float modulo")
			}
			m := math.Mod(fa, fb)
			if m != 0 && ((m < 0) != (fb < 0)) {
				m += fb
			}
			return m, nil
		case "**":
			return math.Pow(fa, fb), nil
		}
	}
	switch op {
	case "+":
		if sa, ok := a.(string); ok {
			if sb, ok := b.(string); ok {
				if err := w.checkString(len(sa) + len(sb)); err != nil {
					return nil, err
				}
				return sa + sb, nil
			}
		}
		if la, ok := a.([]any); ok {
			if lb, ok := b.([]any); ok {
				return concatLists(w, la, lb)
			}
		}
	case "*":
		if s, ok := a.(string); ok && bInt {
			return repeat(w, s, bi)
		}
		if s, ok := b.(string); ok && aInt {
			return repeat(w, s, ai)
		}
	}
	return nil, fmt.Errorf("unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(a), typeName(b))
}

// concatLists is la + lb, within the budget w.
func concatLists(w *budget, la, lb []any) (any, error) {
	if len(la)+len(lb) > maxElements {
		return nil, listTooLarge()
	}
	total := elementSize
	for _, l := range [][]any{la, lb} {
		for _, e := range l {
			if err := w.add(&total, e); err != nil {
				return nil, err
			}
		}
	}
	return append(append(make([]any, 0, len(la)+len(lb)), la...), lb...), nil
}

func (ev *Env) compare(x compareExpr) (any, error) {
	left, err := ev.evalDefined(x.operands[0])
	if err != nil {
		return nil, err
	}
	for i, op := range x.ops {
		right, err := ev.evalDefined(x.operands[i+1])
		if err != nil {
			return nil, err
		}
		ok, err := compareOp(&ev.work, op, left, right)
		if err != nil || !ok {
			return false, err
		}
		left = right
	}
	return true, nil
}

// compareOp applies one comparison operator, within the budget w.
func compareOp(w *budget, op string, a, b any) (bool, error) {
	switch op {
	case "==":
		return w.equal(a, b)
	case "!=":
		eq, err := w.equal(a, b)
		return !eq, err
	case "in", "not in":
		in, err := w.member(a, b)
		if op == "not in" {
			in = !in
		}
		return in, err
	}
	c, err := w.order(op, a, b)
	if err != nil {
		return false, err
	}
	switch op {
	case "<":
		return c < 0, nil
	case ">":
		return c > 0, nil
	case "<=":
		return c <= 0, nil
	}
	return c >= 0, nil
}

// memberCount is Python's `a in b`: a substring, a list element or a
// dict key. It adds to *n the number of pairs of values it compares, and
// one for every textPerStep bytes of text it searches.
func memberCount(a, b any, n *int) (bool, error) {
	*n++
	switch c := b.(type) {
	case string:
		s, ok := a.(string)
		if !ok {
			return false, fmt.Errorf("'in <string>' requires string as left operand, not %s", typeName(a))
		}
		*n += len(c) / textPerStep
		return strings.Contains(c, s), nil
	case []any:
		for _, e := range c {
			if equalCount(a, e, n) {
				return true, nil
			}
		}
		return false, nil
	case map[string]any:
		s, ok := a.(string)
		if !ok {
			return false, nil
		}
		_, in := c[s]
		return in, nil
	}
	return false, fmt.Errorf("argument of type '%s' is not iterable", typeName(b))
}

func (ev *Env) filter(x filterExpr) (any, error) {
	in, err := ev.eval(x.x)
	if err != nil {
		return nil, err
	}
	args := make([]any, len(x.args))
	for i, a := range x.args {
		if args[i], err = ev.evalDefined(a); err != nil {
			return nil, err
		}
	}
	kwargs := make(map[string]any, len(x.kwargs))
	for k, a := range x.kwargs {
		if kwargs[k], err = ev.evalDefined(a); err != nil {
			return nil, err
		}
	}
	f := filterFuncs[x.name]
	if u, ok := in.(undefined); ok && !f.takesUndefined {
		return nil, u.err()
	}
	out, err := f.fn(&ev.work, in, args, kwargs)
	if err == nil && !f.picks {
		err = ev.work.check(out)
	}
	var ue *undefinedError
	if err != nil && !errors.As(err, &ue) {
		return nil, fmt.Errorf("filter %s: %w", x.name, err)
	}
	return out, err
}

func (ev *Env) test(x testExpr) (any, error) {
	in, err := ev.eval(x.x)
	if err != nil {
		return nil, err
	}
	args := make([]any, len(x.args))
	for i, a := range x.args {
		if args[i], err = ev.evalDefined(a); err != nil {
			return nil, err
		}
	}
	t := testFuncs[x.name]
	if u, ok := in.(undefined); ok && !t.takesUndefined {
		return nil, u.err()
	}
	ok, err := t.fn(&ev.work, in, args)
	if err != nil {
		return nil, fmt.Errorf("test %s: %w", x.name, err)
	}
	return ok != x.negate, nil
}

// repeat is s * n, within the budget w: a typo such as 'x' * 10**12
// fails instead of exhausting memory.
func repeat(w *budget, s string, n int) (any, error) {
	if n <= 0 {
		return "", nil
	}
	if len(s) > 0 && n > maxStringSize/len(s) {
		return nil, stringTooLarge()
	}
	if err := w.text(len(s) * n); err != nil {
		return nil, err
	}
	return strings.Repeat(s, n), nil
}

// intPow is a**b for a non-negative b, by squaring; ok is false for a
// negative b or when the result overflows an int.
func intPow(a, b int) (int, bool) {
	if b < 0 {
		return 0, false
	}
	r := 1
	for b > 0 {
		if b&1 == 1 {
			if !mulOK(r, a) {
				return 0, false
			}
			r *= a
		}
		b >>= 1
		if b > 0 {
			if !mulOK(a, a) {
				return 0, false
			}
			a *= a
		}
	}
	return r, true
}

// mulOK tells whether a*b fits an int.
func mulOK(a, b int) bool {
	if a == 0 || b == 0 {
		return true
	}
	c := a * b
	return c/b == a && !(a == -1 && b == math.MinInt) && !(b == -1 && a == math.MinInt)
}
