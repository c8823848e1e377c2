package play

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// A lookupFunc resolves a top-level variable name: its value, whether it
// is defined, and an error when resolving it failed (a template in its
// value that does not render).
type lookupFunc func(name string) (any, bool, error)

// An evaluator evaluates expressions over variables.
type evaluator struct {
	lookup lookupFunc
}

// eval evaluates e to a value, which may be undefined; use evalDefined
// when an undefined value is an error.
func (ev *evaluator) eval(e expr) (any, error) {
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
		out := make([]any, 0, len(x.elems))
		for _, el := range x.elems {
			v, err := ev.evalDefined(el)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case dictExpr:
		out := make(map[string]any, len(x.keys))
		for i := range x.keys {
			k, err := ev.evalDefined(x.keys[i])
			if err != nil {
				return nil, err
			}
			v, err := ev.evalDefined(x.vals[i])
			if err != nil {
				return nil, err
			}
			out[pyStr(k)] = v
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
		if truthy(c) {
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
func (ev *evaluator) evalDefined(e expr) (any, error) {
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
func (ev *evaluator) attr(x attrExpr) (any, error) {
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
			if v, ok := b[pyStr(key)]; ok {
				return v, nil
			}
		}
		return missing, nil
	case []any:
		if i, ok := index(key, len(b)); ok {
			return b[i], nil
		}
		return missing, nil
	case string:
		r := []rune(b)
		if i, ok := index(key, len(r)); ok {
			return string(r[i]), nil
		}
		return missing, nil
	}
	return missing, nil
}

// method calls a dict method: keys(), values() or items().
func (ev *evaluator) method(x methodExpr) (any, error) {
	base, err := ev.evalDefined(x.x)
	if err != nil {
		return nil, err
	}
	if _, ok := base.(map[string]any); !ok {
		return nil, fmt.Errorf("'%s' object has no attribute '%s'", typeName(base), x.name)
	}
	return methods[x.name](base)
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

func (ev *evaluator) unary(x unaryExpr) (any, error) {
	v, err := ev.evalDefined(x.x)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "not":
		return !truthy(v), nil
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

func (ev *evaluator) binary(x binaryExpr) (any, error) {
	switch x.op {
	case "and":
		a, err := ev.evalDefined(x.x)
		if err != nil || !truthy(a) {
			return a, err
		}
		return ev.evalDefined(x.y)
	case "or":
		a, err := ev.evalDefined(x.x)
		if err != nil || truthy(a) {
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
	return arith(x.op, a, b)
}

// arith applies an arithmetic operator with Python's rules.
func arith(op string, a, b any) (any, error) {
	if op == "~" {
		return pyStr(a) + pyStr(b), nil
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
				return sa + sb, nil
			}
		}
		if la, ok := a.([]any); ok {
			if lb, ok := b.([]any); ok {
				return append(append([]any{}, la...), lb...), nil
			}
		}
	case "*":
		if s, ok := a.(string); ok && bInt {
			return repeat(s, bi)
		}
		if s, ok := b.(string); ok && aInt {
			return repeat(s, ai)
		}
	}
	return nil, fmt.Errorf("unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(a), typeName(b))
}

func (ev *evaluator) compare(x compareExpr) (any, error) {
	left, err := ev.evalDefined(x.operands[0])
	if err != nil {
		return nil, err
	}
	for i, op := range x.ops {
		right, err := ev.evalDefined(x.operands[i+1])
		if err != nil {
			return nil, err
		}
		ok, err := compareOp(op, left, right)
		if err != nil || !ok {
			return false, err
		}
		left = right
	}
	return true, nil
}

func compareOp(op string, a, b any) (bool, error) {
	switch op {
	case "==":
		return equal(a, b), nil
	case "!=":
		return !equal(a, b), nil
	case "in", "not in":
		in, err := member(a, b)
		if op == "not in" {
			in = !in
		}
		return in, err
	}
	c, err := order(op, a, b)
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

// member is Python's `a in b`: a substring, a list element or a dict key.
func member(a, b any) (bool, error) {
	switch c := b.(type) {
	case string:
		s, ok := a.(string)
		if !ok {
			return false, fmt.Errorf("'in <string>' requires string as left operand, not %s", typeName(a))
		}
		return strings.Contains(c, s), nil
	case []any:
		for _, e := range c {
			if equal(a, e) {
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

func (ev *evaluator) filter(x filterExpr) (any, error) {
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
	out, err := f.fn(in, args, kwargs)
	var ue *undefinedError
	if err != nil && !errors.As(err, &ue) {
		return nil, fmt.Errorf("filter %s: %w", x.name, err)
	}
	return out, err
}

func (ev *evaluator) test(x testExpr) (any, error) {
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
	ok, err := t.fn(in, args)
	if err != nil {
		return nil, fmt.Errorf("test %s: %w", x.name, err)
	}
	return ok != x.negate, nil
}

// maxValueSize bounds the strings an expression may build, so that a
// typo such as 'x' * 10**12 fails instead of exhausting memory.
const maxValueSize = 16 << 20

func repeat(s string, n int) (any, error) {
	if n <= 0 {
		return "", nil
	}
	if len(s) > 0 && n > maxValueSize/len(s) {
		return nil, fmt.Errorf("string repetition: result larger than %d bytes", maxValueSize)
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
