package jinja

import (
	"errors"
	"fmt"
	"math"
	"math/big"
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

// UndefinedMessage evaluates e and, when its value is undefined, returns
// the message using it would fail with; "" when e is defined. Errors of
// the evaluation are returned.
func (e *Expr) UndefinedMessage(env *Env) (string, error) {
	v, err := env.eval(e.n)
	if err != nil {
		return "", err
	}
	if u, ok := v.(undefined); ok {
		return u.message(), nil
	}
	return "", nil
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
		return ev.lookupName(x.name)
	case attrExpr:
		return ev.attr(x)
	case itemExpr:
		return ev.item(x)
	case sliceExpr:
		return ev.slice(x)
	case listExpr:
		return ev.evalList(x.elems)
	case tupleExpr:
		l, err := ev.evalList(x.elems)
		if err != nil {
			return nil, err
		}
		return Tuple(l.([]any)), nil
	case dictExpr:
		if len(x.keys) > maxElements {
			return nil, dictTooLarge()
		}
		out := NewDict(len(x.keys))
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
			key, err := dictKey(k)
			if err != nil {
				return nil, err
			}
			if !out.Has(key) {
				total += len(key)
				if err := ev.work.add(&total, v); err != nil {
					return nil, err
				}
			}
			out.Set(key, v)
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
			return undefined{msg: "the inline if-expression on line 1 evaluated to false and no else section was defined.", lenient: true}, nil
		}
		return ev.eval(x.els)
	case filterExpr:
		return ev.filter(x)
	case testExpr:
		return ev.test(x)
	case callExpr:
		return ev.call(x)
	}
	return nil, fmt.Errorf("unknown expression %T", e)
}

// dictKey is a value as a dict key: text, or the text of a number, None
// or a boolean (Ansible turns them into text keys when it shows or sends
// them).
func dictKey(k any) (string, error) {
	switch x := k.(type) {
	case string:
		return x, nil
	case Unsafe:
		return string(x), nil
	case nil, bool, int, *big.Int, float64:
		return Str(x), nil
	}
	_, err := hashable(k)
	if err == nil {
		err = fmt.Errorf("dict keys other than strings (%s) are not supported", Repr(k))
	}
	return "", err
}

func (ev *Env) evalList(elems []node) (any, error) {
	if len(elems) > maxElements {
		return nil, listTooLarge()
	}
	out := make([]any, 0, len(elems))
	total := elementSize
	for _, el := range elems {
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

// evalLenient evaluates e and fails when the value is undefined, except
// for Jinja2's plain Undefined, which reads as the empty string.
func (ev *Env) evalLenient(e node) (any, error) {
	v, err := ev.eval(e)
	if err != nil {
		return nil, err
	}
	if u, ok := v.(undefined); ok {
		if u.lenient {
			return "", nil
		}
		return nil, u.err()
	}
	return v, nil
}

// lookupName resolves a name: a local of the template being rendered (a
// loop variable, a set), then a variable, then a global.
func (ev *Env) lookupName(name string) (any, error) {
	for i := len(ev.locals) - 1; i >= 0; i-- {
		if v, ok := ev.locals[i][name]; ok {
			return v, nil
		}
	}
	v, ok, err := ev.lookup(name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return undefined{name: name}, nil
	}
	return v, nil
}

// A boundMethod is a method looked up on a value (d.get, s.split),
// waiting to be called.
type boundMethod struct {
	recv any
	name string
}

// method returns the method name of v, as Python's getattr finds it.
func method(v any, name string) (boundMethod, bool) {
	var ok bool
	switch v.(type) {
	case string, Unsafe:
		_, ok = strMethods[name]
	case *Dict:
		_, ok = dictMethods[name]
	case []any, Tuple:
		_, ok = listMethods[name]
		if _, isT := v.(Tuple); isT && name == "copy" {
			ok = false
		}
	case *loopContext:
		ok = name == "cycle" || name == "changed"
	}
	return boundMethod{recv: v, name: name}, ok
}

// attr evaluates x.name as Jinja2's getattr does: an attribute (a method
// of the value) first, then an item. What does not exist is undefined;
// an undefined x stays undefined.
func (ev *Env) attr(x attrExpr) (any, error) {
	base, err := ev.eval(x.x)
	if err != nil {
		return nil, err
	}
	return ev.getattr(base, x.name)
}

func (ev *Env) getattr(base any, name string) (any, error) {
	if u, ok := base.(undefined); ok {
		return u, nil
	}
	if m, ok := method(base, name); ok {
		return m, nil
	}
	switch b := base.(type) {
	case *Dict:
		if v, ok := b.Get(name); ok {
			return v, nil
		}
	case *loopContext:
		if v, ok := b.attr(name); ok {
			return v, nil
		}
	}
	return missingAttr(base, name), nil
}

// item evaluates x[key] as Jinja2's getitem does: an item first, then an
// attribute (for a text key).
func (ev *Env) item(x itemExpr) (any, error) {
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
	return ev.getitem(base, key)
}

func (ev *Env) getitem(base, key any) (any, error) {
	switch b := base.(type) {
	case *Dict:
		if k, ok := key.(string); ok {
			if v, ok := b.Get(k); ok {
				return v, nil
			}
		} else if k, ok := key.(Unsafe); ok {
			if v, ok := b.Get(string(k)); ok {
				return v, nil
			}
		}
	case []any:
		if i, ok := index(key, len(b)); ok {
			return b[i], nil
		}
	case Tuple:
		if i, ok := index(key, len(b)); ok {
			return b[i], nil
		}
	case string, Unsafe:
		s := Str(b)
		r, scanned, ok := runeAt(s, key)
		if err := ev.work.text(scanned); err != nil {
			return nil, err
		}
		if ok {
			return r, nil
		}
	case *loopContext:
		if k, ok := key.(string); ok {
			if v, ok := b.attr(k); ok {
				return v, nil
			}
		}
	}
	if k, ok := key.(string); ok {
		if m, ok := method(base, k); ok {
			return m, nil
		}
	}
	return missingItem(base, key), nil
}

// runeAt returns the character of s at index key (negative indexes count
// from the end), and how many bytes of s it went through to find it.
func runeAt(s string, key any) (r string, scanned int, ok bool) {
	i, ok := intIndex(key)
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

// intIndex returns an int or bool index as an int.
func intIndex(key any) (int, bool) {
	switch k := key.(type) {
	case int:
		return k, true
	case bool:
		if k {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// index turns key into an index of a sequence of length n.
func index(key any, n int) (int, bool) {
	i, ok := intIndex(key)
	if !ok {
		return 0, false
	}
	if i < 0 {
		i += n
	}
	return i, i >= 0 && i < n
}

// slice evaluates x[lo:hi:step] with Python's rules, on a string, list
// or tuple.
func (ev *Env) slice(x sliceExpr) (any, error) {
	base, err := ev.eval(x.x)
	if err != nil {
		return nil, err
	}
	if u, ok := base.(undefined); ok {
		return u, nil
	}
	var bounds [3]*int
	for i, n := range []node{x.lo, x.hi, x.step} {
		if n == nil {
			continue
		}
		v, err := ev.evalDefined(n)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		k, ok := intIndex(v)
		if !ok {
			return nil, errors.New("slice indices must be integers or None or have an __index__ method")
		}
		bounds[i] = &k
	}
	step := 1
	if bounds[2] != nil {
		step = *bounds[2]
		if step == 0 {
			return nil, errors.New("slice step cannot be zero")
		}
	}
	pick := func(n int) []int {
		lo, hi := sliceBounds(bounds[0], bounds[1], step, n)
		var idx []int
		if step > 0 {
			for i := lo; i < hi; i += step {
				idx = append(idx, i)
			}
		} else {
			for i := lo; i > hi; i += step {
				idx = append(idx, i)
			}
		}
		return idx
	}
	switch b := base.(type) {
	case string, Unsafe:
		runes := []rune(Str(b))
		if err := ev.work.text(len(runes)); err != nil {
			return nil, err
		}
		var sb strings.Builder
		for _, i := range pick(len(runes)) {
			sb.WriteRune(runes[i])
		}
		return sb.String(), nil
	case []any:
		if err := ev.work.step(len(b)); err != nil {
			return nil, err
		}
		out := []any{}
		for _, i := range pick(len(b)) {
			out = append(out, b[i])
		}
		return out, nil
	case Tuple:
		if err := ev.work.step(len(b)); err != nil {
			return nil, err
		}
		out := Tuple{}
		for _, i := range pick(len(b)) {
			out = append(out, b[i])
		}
		return out, nil
	}
	return nil, typeErrorf("'%s' object is not subscriptable", typeName(base))
}

// sliceBounds is Python's slice.indices for a sequence of length n.
func sliceBounds(lo, hi *int, step, n int) (int, int) {
	clamp := func(p *int, def int, low, high int) int {
		if p == nil {
			return def
		}
		i := *p
		if i < 0 {
			i += n
			if i < low {
				i = low
			}
		} else if i > high {
			i = high
		}
		return i
	}
	if step > 0 {
		return clamp(lo, 0, 0, n), clamp(hi, n, 0, n)
	}
	return clamp(lo, n-1, -1, n-1), clamp(hi, -1, -1, n-1)
}

func (ev *Env) unary(x unaryExpr) (any, error) {
	v, err := ev.evalLenient(x.x)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "not":
		return !Truth(v), nil
	case "-":
		switch n := v.(type) {
		case int:
			if n == math.MinInt {
				return new(big.Int).Neg(big.NewInt(int64(n))), nil
			}
			return -n, nil
		case *big.Int:
			return normBig(new(big.Int).Neg(n)), nil
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
		case int, *big.Int, float64:
			return n, nil
		case bool:
			if n {
				return 1, nil
			}
			return 0, nil
		}
	}
	return nil, typeErrorf("bad operand type for unary %s: '%s'", x.op, typeName(v))
}

func (ev *Env) binary(x binaryExpr) (any, error) {
	switch x.op {
	case "and":
		a, err := ev.evalDefined(x.x)
		if err != nil || !Truth(a) {
			return a, err
		}
		return ev.eval(x.y)
	case "or":
		a, err := ev.evalDefined(x.x)
		if err != nil || Truth(a) {
			return a, err
		}
		return ev.eval(x.y)
	}
	eval := ev.evalDefined
	if x.op == "~" {
		eval = ev.evalLenient
	}
	a, err := eval(x.x)
	if err != nil {
		return nil, err
	}
	b, err := eval(x.y)
	if err != nil {
		return nil, err
	}
	return arith(&ev.work, x.op, a, b)
}

// maxIntBits bounds the integers arithmetic builds, in bits.
const maxIntBits = 1 << 16

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
	if op == "%" {
		if s, ok := a.(string); ok {
			return pyPercent(w, s, b)
		}
		if s, ok := a.(Unsafe); ok {
			return pyPercent(w, string(s), b)
		}
	}
	ab, aInt := toBig(a)
	bb, bInt := toBig(b)
	if aInt && bInt {
		return intArith(w, op, a, b, ab, bb)
	}
	if isNumber(a) && isNumber(b) {
		return floatArith(op, a, b)
	}
	switch op {
	case "+":
		switch x := a.(type) {
		case string, Unsafe:
			switch y := b.(type) {
			case string, Unsafe:
				sa, sb := Str(x), Str(y)
				if err := w.checkString(len(sa) + len(sb)); err != nil {
					return nil, err
				}
				return sa + sb, nil
			}
			return nil, typeErrorf(`can only concatenate str (not "%s") to str`, typeName(b))
		case []any:
			if y, ok := b.([]any); ok {
				return concatLists(w, x, y)
			}
			return nil, typeErrorf(`can only concatenate list (not "%s") to list`, typeName(b))
		case Tuple:
			if y, ok := b.(Tuple); ok {
				l, err := concatLists(w, x, y)
				if err != nil {
					return nil, err
				}
				return Tuple(l.([]any)), nil
			}
			return nil, typeErrorf(`can only concatenate tuple (not "%s") to tuple`, typeName(b))
		}
	case "*":
		if aInt || bInt {
			seq, n := a, b
			if aInt {
				seq, n = b, a
			}
			k, ok := n.(int)
			if bn, isBig := n.(*big.Int); isBig {
				if bn.Sign() < 0 {
					k, ok = 0, true
				} else {
					return nil, errors.New("cannot fit 'int' into an index-sized integer")
				}
			}
			if bv, isBool := n.(bool); isBool {
				k, ok = 0, true
				if bv {
					k = 1
				}
			}
			if ok {
				switch s := seq.(type) {
				case string, Unsafe:
					return repeat(w, Str(s), k)
				case []any:
					return repeatList(w, s, k)
				case Tuple:
					l, err := repeatList(w, s, k)
					if err != nil {
						return nil, err
					}
					return Tuple(l.([]any)), nil
				}
			}
		}
		if _, ok := seqOf(a); ok || isStr(a) {
			return nil, typeErrorf("can't multiply sequence by non-int of type '%s'", typeName(b))
		}
	}
	return nil, typeErrorf("unsupported operand type(s) for %s: '%s' and '%s'", opSymbol(op), typeName(a), typeName(b))
}

func opSymbol(op string) string {
	if op == "**" {
		return "** or pow()"
	}
	return op
}

func isStr(v any) bool {
	switch v.(type) {
	case string, Unsafe:
		return true
	}
	return false
}

// intArith is op on two integers (bools counting as 0 and 1).
func intArith(w *budget, op string, a, b any, ab, bb *big.Int) (any, error) {
	ai, aSmall := a.(int)
	bi, bSmall := b.(int)
	if aSmall && bSmall {
		switch op {
		case "+":
			if s := ai + bi; (s > ai) == (bi > 0) {
				return s, nil
			}
		case "-":
			if s := ai - bi; (s < ai) == (bi > 0) {
				return s, nil
			}
		case "*":
			if mulOK(ai, bi) {
				return ai * bi, nil
			}
		}
	}
	z := new(big.Int)
	switch op {
	case "+":
		return normBig(z.Add(ab, bb)), nil
	case "-":
		return normBig(z.Sub(ab, bb)), nil
	case "*":
		if ab.BitLen()+bb.BitLen() > maxIntBits {
			return nil, intTooLarge()
		}
		return normBig(z.Mul(ab, bb)), nil
	case "/":
		if bb.Sign() == 0 {
			return nil, errors.New("division by zero")
		}
		f, _ := new(big.Rat).SetFrac(ab, bb).Float64()
		if math.IsInf(f, 0) {
			return nil, errors.New("integer division result too large for a float")
		}
		return f, nil
	case "//", "%":
		if bb.Sign() == 0 {
			return nil, errors.New("integer division or modulo by zero")
		}
		q, r := new(big.Int).QuoRem(ab, bb, new(big.Int))
		if r.Sign() != 0 && (r.Sign() < 0) != (bb.Sign() < 0) {
			q.Sub(q, big.NewInt(1))
			r.Add(r, bb)
		}
		if op == "//" {
			return normBig(q), nil
		}
		return normBig(r), nil
	case "**":
		if bb.Sign() < 0 {
			fa, _ := number(a)
			fb, _ := number(b)
			if fa == 0 {
				return nil, errors.New("0.0 cannot be raised to a negative power")
			}
			return math.Pow(fa, fb), nil
		}
		if !bb.IsInt64() || (ab.BitLen() > 1 && int64(ab.BitLen())*bb.Int64() > maxIntBits) {
			if ab.CmpAbs(big.NewInt(1)) <= 0 {
				return normBig(z.Exp(ab, bb, nil)), nil
			}
			return nil, intTooLarge()
		}
		return normBig(z.Exp(ab, bb, nil)), nil
	}
	return nil, typeErrorf("unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(a), typeName(b))
}

func intTooLarge() error {
	return &limitError{Msg: fmt.Sprintf("template result too large: an integer of more than %d bits (the limit)", maxIntBits), Size: true}
}

// floatArith is op on two numbers, one of them a float.
func floatArith(op string, a, b any) (any, error) {
	for _, v := range []any{a, b} {
		if bi, ok := v.(*big.Int); ok && bi.BitLen() > 1024 {
			return nil, errors.New("int too large to convert to float")
		}
	}
	fa, _ := number(a)
	fb, _ := number(b)
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
		if fa == 0 && fb < 0 {
			return nil, errors.New("0.0 cannot be raised to a negative power")
		}
		if fa < 0 && fb != math.Trunc(fb) {
			return nil, errors.New("complex numbers are not supported")
		}
		r := exactPow(fa, fb)
		if math.IsInf(r, 0) && !math.IsInf(fa, 0) {
			return nil, errors.New("(34, 'Numerical result out of range')")
		}
		return r, nil
	}
	return nil, typeErrorf("unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(a), typeName(b))
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

// repeatList is l * n, within the budget w.
func repeatList(w *budget, l []any, n int) (any, error) {
	if n <= 0 {
		return []any{}, nil
	}
	if len(l) > 0 && n > maxElements/len(l) {
		return nil, listTooLarge()
	}
	out := make([]any, 0, len(l)*n)
	for range n {
		out = append(out, l...)
	}
	return out, w.check(out)
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
	if c == 2 { // a NaN
		return false, nil
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

// evalArgs evaluates call arguments; undefined values stay undefined for
// the callee to judge.
func (ev *Env) evalArgs(args []node, kwargs []kwarg) ([]any, map[string]any, error) {
	vals := make([]any, len(args))
	for i, a := range args {
		v, err := ev.eval(a)
		if err != nil {
			return nil, nil, err
		}
		vals[i] = v
	}
	kw := make(map[string]any, len(kwargs))
	for _, k := range kwargs {
		v, err := ev.eval(k.val)
		if err != nil {
			return nil, nil, err
		}
		kw[k.name] = v
	}
	return vals, kw, nil
}

// firstUndefined returns the first undefined value of args and kwargs.
func firstUndefined(args []any, kw map[string]any) (undefined, bool) {
	for _, a := range args {
		if u, ok := a.(undefined); ok {
			return u, true
		}
	}
	for _, a := range kw {
		if u, ok := a.(undefined); ok {
			return u, true
		}
	}
	return undefined{}, false
}

func (ev *Env) filter(x filterExpr) (any, error) {
	in, err := ev.eval(x.x)
	if err != nil {
		return nil, err
	}
	f := filterFuncs[x.name]
	args, kw, err := ev.evalArgs(x.args, x.kwargs)
	if err != nil {
		return nil, err
	}
	if u, ok := in.(undefined); ok && !f.takesUndefined {
		if !u.lenient {
			return nil, u.err()
		}
		in = ""
	}
	if !f.lazyArgs {
		if u, ok := firstUndefined(args, kw); ok {
			return nil, u.err()
		}
	}
	a := bind(&ev.work, ev, in, f.sig, args, kw)
	out, err := f.fn(a)
	if err == nil && !f.picks {
		err = ev.work.check(out)
	}
	if err != nil {
		var ue *undefinedError
		var le *limitError
		var ie *interruptedError
		if errors.As(err, &ue) || errors.As(err, &le) || errors.As(err, &ie) {
			return nil, err
		}
		return nil, &filterError{Filter: x.name, err: err}
	}
	return out, nil
}

// A filterError is an error a filter met.
type filterError struct {
	Filter string
	err    error
}

func (e *filterError) Error() string { return e.err.Error() }
func (e *filterError) Unwrap() error { return e.err }

func (ev *Env) test(x testExpr) (any, error) {
	in, err := ev.eval(x.x)
	if err != nil {
		return nil, err
	}
	args, _, err := ev.evalArgs(x.args, nil)
	if err != nil {
		return nil, err
	}
	if u, ok := firstUndefined(args, nil); ok {
		return nil, u.err()
	}
	t := testFuncs[x.name]
	if u, ok := in.(undefined); ok && !t.takesUndefined {
		return nil, u.err()
	}
	ok, err := t.fn(&ev.work, in, args)
	if err != nil {
		return nil, err
	}
	return ok != x.negate, nil
}

// call evaluates a call of a global function or of a method.
func (ev *Env) call(x callExpr) (any, error) {
	args, kw, err := ev.evalArgs(x.args, x.kwargs)
	if err != nil {
		return nil, err
	}
	switch f := x.fn.(type) {
	case nameExpr:
		// A local or a variable of that name hides the function, as in
		// Jinja2; calling it is an error.
		v, err := ev.lookupName(f.name)
		if err != nil {
			return nil, err
		}
		if u, ok := v.(undefined); ok && u.name == f.name && u.msg == "" {
			if u, ok := firstUndefined(args, kw); ok {
				return nil, u.err()
			}
			g := globalFuncs[f.name]
			fa := bind(&ev.work, ev, nil, g.sig, args, kw)
			for _, k := range x.kwargs {
				fa.kwOrder = append(fa.kwOrder, k.name)
			}
			out, err := g.fn(fa)
			if err == nil {
				err = ev.work.check(out)
			}
			return out, err
		}
		return nil, typeErrorf("'%s' object is not callable", typeName(v))
	case attrExpr:
		recv, err := ev.eval(f.x)
		if err != nil {
			return nil, err
		}
		m, err := ev.getattr(recv, f.name)
		if err != nil {
			return nil, err
		}
		bm, ok := m.(boundMethod)
		if !ok {
			if u, isU := m.(undefined); isU {
				return nil, u.err()
			}
			return nil, typeErrorf("'%s' object is not callable", typeName(m))
		}
		if u, ok := firstUndefined(args, kw); ok {
			return nil, u.err()
		}
		out, err := callMethod(ev, bm, args, kw)
		if err == nil {
			err = ev.work.check(out)
		}
		return out, err
	}
	return nil, fmt.Errorf("calling %s is not supported", describe(x.fn))
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

// mulOK tells whether a*b fits an int.
func mulOK(a, b int) bool {
	if a == 0 || b == 0 {
		return true
	}
	c := a * b
	return c/b == a && !(a == -1 && b == math.MinInt) && !(b == -1 && a == math.MinInt)
}
