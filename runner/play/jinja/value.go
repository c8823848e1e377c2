package jinja

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Values are those of YAML and JSON as Python holds them: nil (None),
// bool, int, *big.Int (an int beyond Go's int, as Python's int has no
// bound), float64, string, []any (a list), Tuple and *Dict (a dict with
// text keys in insertion order), and Unsafe strings. One more kind
// exists only inside the evaluator: an undefined, until something uses
// it.

// An Unsafe is a string that is never templated: one tagged `!unsafe` in
// YAML, or one of a module's result (see Wrap), as Ansible's
// AnsibleUnsafeText. Env.Render returns it untouched; the evaluator sees
// it as a plain string and marks what it renders from it unsafe. Truth,
// Str, Repr and JSON take it for the str it holds.
type Unsafe string

// An undefined is the value of a variable, attribute or item that does
// not exist. Like Ansible's AnsibleUndefined it survives attribute access
// (so `x.y | default(1)` works) and fails only when something uses it,
// with Jinja2's message.
type undefined struct {
	// name is the variable's name, for "'name' is undefined".
	name string
	// msg, when set, is the whole message instead.
	msg string
	// lenient marks Jinja2's plain Undefined (of an inline if without
	// else): it prints as nothing and is false, where Ansible's strict
	// one fails.
	lenient bool
}

// An undefinedError is the error of using an undefined value: Jinja2's
// UndefinedError. Name is the variable's name when the value was a
// missing variable.
type undefinedError struct {
	Name string
	Msg  string
}

func (e *undefinedError) Error() string {
	if e.Msg != "" {
		return e.Msg
	}
	return fmt.Sprintf("'%s' is undefined", e.Name)
}

func (u undefined) err() error { return &undefinedError{Name: u.name, Msg: u.msg} }

// message is the text of the undefined's error.
func (u undefined) message() string { return u.err().Error() }

// isUndefined tells whether v is an undefined value.
func isUndefined(v any) bool {
	_, ok := v.(undefined)
	return ok
}

// IsUndefinedError tells whether err is the error of using an undefined
// value (Jinja2's UndefinedError, Ansible's AnsibleUndefinedVariable).
func IsUndefinedError(err error) bool {
	var ue *undefinedError
	return errors.As(err, &ue)
}

// missingAttr is the undefined value of an attribute or item obj lacks,
// with Jinja2's message.
func missingAttr(obj any, name any) undefined {
	return undefined{msg: fmt.Sprintf("%s has no attribute %s", pyQuote(objectTypeRepr(obj)), pyQuote(Str(name)))}
}

// missingItem is the undefined value of obj[key] for a key obj lacks.
func missingItem(obj any, key any) undefined {
	if s, ok := key.(string); ok {
		return missingAttr(obj, s)
	}
	return undefined{msg: fmt.Sprintf("%s has no element %s", objectTypeRepr(obj), Repr(key))}
}

// objectTypeRepr is Jinja2's object_type_repr: "dict object", "None".
func objectTypeRepr(v any) string {
	if v == nil {
		return "None"
	}
	return typeName(v) + " object"
}

// Truth is Python's truth value of v: false for None, False, zero, the
// empty string, list, tuple and dict, and for an undefined value; true
// for all else.
func Truth(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int:
		return x != 0
	case *big.Int:
		return x.Sign() != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case Unsafe:
		return x != ""
	case []any:
		return len(x) > 0
	case Tuple:
		return len(x) > 0
	case *Dict:
		return x.Len() > 0
	case undefined:
		return false
	}
	return true
}

// typeName is the Python type name of v, for messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int, *big.Int:
		return "int"
	case float64:
		return "float"
	case string, Unsafe:
		return "str"
	case []any:
		return "list"
	case Tuple:
		return "tuple"
	case *Dict:
		return "dict"
	case undefined:
		return "AnsibleUndefined"
	}
	return fmt.Sprintf("%T", v)
}

// TypeName is the Python type name of v: NoneType, bool, int, float,
// str, list, tuple or dict.
func TypeName(v any) string { return typeName(v) }

// Str renders v as Python's str() does: strings as they are, None,
// True and False capitalised, floats in Python's repr, lists, tuples and
// dicts as their repr.
func Str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case Unsafe:
		return string(x)
	}
	return Repr(v)
}

// Repr renders v as Python's repr() does.
func Repr(v any) string {
	var b strings.Builder
	writeRepr(&b, v, 0)
	return b.String()
}

// writeRepr writes the repr of v to b. With a limit above zero it stops
// early, at the next element of a list or dict, once b holds more than
// limit bytes.
func writeRepr(b *strings.Builder, v any, limit int) {
	switch x := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if x {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case int:
		b.WriteString(strconv.Itoa(x))
	case *big.Int:
		b.WriteString(x.String())
	case float64:
		b.WriteString(pyFloat(x))
	case string:
		b.WriteString(pyQuote(x))
	case Unsafe:
		b.WriteString(pyQuote(string(x)))
	case []any:
		writeReprSeq(b, x, "[", "]", limit)
	case Tuple:
		if len(x) == 1 {
			b.WriteByte('(')
			writeRepr(b, x[0], limit)
			b.WriteString(",)")
			return
		}
		writeReprSeq(b, x, "(", ")", limit)
	case *Dict:
		b.WriteByte('{')
		for i, k := range x.Keys() {
			if limit > 0 && b.Len() > limit {
				return
			}
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyQuote(k))
			b.WriteString(": ")
			v, _ := x.Get(k)
			writeRepr(b, v, limit)
		}
		b.WriteByte('}')
	case undefined:
		b.WriteString("AnsibleUndefined")
	default:
		fmt.Fprint(b, x)
	}
}

func writeReprSeq(b *strings.Builder, l []any, open, close string, limit int) {
	b.WriteString(open)
	for i, e := range l {
		if limit > 0 && b.Len() > limit {
			return
		}
		if i > 0 {
			b.WriteString(", ")
		}
		writeRepr(b, e, limit)
	}
	b.WriteString(close)
}

// pyQuote quotes s as Python's repr of a str does: single quotes unless s
// holds a single quote and no double quote.
func pyQuote(s string) string {
	q := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case !unicode.IsPrint(r) && r != ' ':
			switch {
			case r <= 0xff:
				fmt.Fprintf(&b, `\x%02x`, r)
			case r <= 0xffff:
				fmt.Fprintf(&b, `\u%04x`, r)
			default:
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// pyFloat renders f as Python's repr of a float: the shortest digits that
// read back the same, in exponent form below 1e-4 and from 1e16 on, and
// with ".0" when the value is whole.
func pyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	if f == 0 {
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, expText, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expText)
	if exp < -4 || exp >= 16 {
		return mant + "e" + expText[:1] + fmt.Sprintf("%02d", abs(exp))
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// seqOf returns the elements of a list or tuple.
func seqOf(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case Tuple:
		return x, true
	}
	return nil, false
}

// isInt tells whether v is a Python int (not a bool).
func isInt(v any) bool {
	switch v.(type) {
	case int, *big.Int:
		return true
	}
	return false
}

// toBig returns an int, *big.Int or bool as a *big.Int.
func toBig(v any) (*big.Int, bool) {
	switch x := v.(type) {
	case int:
		return big.NewInt(int64(x)), true
	case *big.Int:
		return x, true
	case bool:
		if x {
			return big.NewInt(1), true
		}
		return big.NewInt(0), true
	}
	return nil, false
}

// normBig returns b as an int when it fits one.
func normBig(b *big.Int) any {
	if b.IsInt64() {
		return int(b.Int64())
	}
	return b
}

// number returns v as a float64 when it is a bool, int or float64.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case int:
		return float64(x), true
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f, true
	case float64:
		return x, true
	}
	return 0, false
}

// isNumber tells whether v is a bool, an int or a float.
func isNumber(v any) bool {
	_, ok := number(v)
	return ok
}

// compareNumbers compares two numbers exactly (ints beyond a float's
// precision included): -1, 0 or 1, and false when either is a NaN.
func compareNumbers(a, b any) (int, bool) {
	ab, aInt := toBig(a)
	bb, bInt := toBig(b)
	if aInt && bInt {
		return ab.Cmp(bb), true
	}
	fa, _ := number(a)
	fb, _ := number(b)
	if math.IsNaN(fa) || math.IsNaN(fb) {
		return 0, false
	}
	if math.IsInf(fa, 0) || math.IsInf(fb, 0) {
		switch {
		case fa < fb:
			return -1, true
		case fa > fb:
			return 1, true
		}
		return 0, true
	}
	// An int against a float: compare exactly.
	x, y := bigFloat(a), bigFloat(b)
	return x.Cmp(y), true
}

func bigFloat(v any) *big.Float {
	f := new(big.Float).SetPrec(2048)
	switch x := v.(type) {
	case float64:
		f.SetFloat64(x)
	default:
		b, _ := toBig(v)
		f.SetInt(b)
	}
	return f
}

// equalCount is Python's == for values: numbers (and booleans, which
// Python counts as 1 and 0) by value, strings, lists, tuples and dicts
// deeply. It adds to *n the number of pairs of values it compares, and
// one for every textPerStep bytes of the strings.
func equalCount(a, b any, n *int) bool {
	*n++
	if isNumber(a) {
		if !isNumber(b) {
			return false
		}
		c, ok := compareNumbers(a, b)
		return ok && c == 0
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string, Unsafe:
		sx := Str(x)
		var sy string
		switch y := b.(type) {
		case string:
			sy = y
		case Unsafe:
			sy = string(y)
		default:
			return false
		}
		if len(sx) != len(sy) {
			return false
		}
		*n += len(sx) / textPerStep
		return sx == sy
	case []any:
		y, ok := b.([]any)
		return ok && equalSeq(x, y, n)
	case Tuple:
		y, ok := b.(Tuple)
		return ok && equalSeq(x, y, n)
	case *Dict:
		y, ok := b.(*Dict)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for k, v := range x.All() {
			w, ok := y.Get(k)
			if !ok || !equalCount(v, w, n) {
				return false
			}
		}
		return true
	}
	return false
}

func equalSeq(x, y []any, n *int) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if !equalCount(x[i], y[i], n) {
			return false
		}
	}
	return true
}

// orderCount compares a and b as Python's < does: numbers, strings,
// lists with lists and tuples with tuples (element by element); other
// pairs are a TypeError. It adds to *n as equalCount does.
func orderCount(op string, a, b any, n *int) (int, error) {
	*n++
	if isNumber(a) && isNumber(b) {
		c, ok := compareNumbers(a, b)
		if !ok {
			return 2, nil // NaN: every comparison is false
		}
		return c, nil
	}
	switch x := a.(type) {
	case string, Unsafe:
		switch y := b.(type) {
		case string, Unsafe:
			sx, sy := Str(x), Str(y)
			*n += min(len(sx), len(sy)) / textPerStep
			return comparePyStrings(sx, sy), nil
		}
	case []any:
		if y, ok := b.([]any); ok {
			return orderSeq(op, x, y, n)
		}
	case Tuple:
		if y, ok := b.(Tuple); ok {
			return orderSeq(op, x, y, n)
		}
	}
	return 0, typeErrorf("'%s' not supported between instances of '%s' and '%s'", op, typeName(a), typeName(b))
}

func orderSeq(op string, x, y []any, n *int) (int, error) {
	for i := 0; i < len(x) && i < len(y); i++ {
		if equalCount(x[i], y[i], n) {
			continue
		}
		return orderCount(op, x[i], y[i], n)
	}
	switch {
	case len(x) < len(y):
		return -1, nil
	case len(x) > len(y):
		return 1, nil
	}
	return 0, nil
}

// comparePyStrings compares strings by code point, as Python does.
func comparePyStrings(a, b string) int {
	// UTF-8 byte order is code point order.
	return strings.Compare(a, b)
}

// memberCount is Python's `a in b`: a substring, a list or tuple element
// or a dict key. It adds to *n the number of pairs of values it compares,
// and one for every textPerStep bytes of text it searches.
func memberCount(a, b any, n *int) (bool, error) {
	*n++
	switch c := b.(type) {
	case string, Unsafe:
		s, ok := a.(string)
		if u, isU := a.(Unsafe); isU {
			s, ok = string(u), true
		}
		if !ok {
			return false, typeErrorf("'in <string>' requires string as left operand, not %s", typeName(a))
		}
		text := Str(c)
		*n += len(text) / textPerStep
		return strings.Contains(text, s), nil
	case []any:
		return memberSeq(a, c, n), nil
	case Tuple:
		return memberSeq(a, c, n), nil
	case *Dict:
		if s, ok := a.(string); ok {
			return c.Has(s), nil
		}
		if u, ok := a.(Unsafe); ok {
			return c.Has(string(u)), nil
		}
		if _, err := hashable(a); err != nil {
			return false, err
		}
		return false, nil
	case undefined:
		return false, c.err()
	}
	return false, typeErrorf("argument of type '%s' is not iterable", typeName(b))
}

func memberSeq(a any, l []any, n *int) bool {
	for _, e := range l {
		if equalCount(a, e, n) {
			return true
		}
	}
	return false
}

// hashable fails for the values Python cannot hash (lists and dicts),
// as a dict lookup or a set does.
func hashable(v any) (bool, error) {
	switch x := v.(type) {
	case []any, *Dict:
		return false, typeErrorf("unhashable type: '%s'", typeName(v))
	case Tuple:
		for _, e := range x {
			if _, err := hashable(e); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}

// hashKey returns a key equal for values that Python's == finds equal
// (see equalCount) and different for others, for the values that have
// one: not those holding a NaN, which equals nothing, or a value of
// another type.
func hashKey(v any) (string, bool) {
	var sb strings.Builder
	ok := writeHashKey(&sb, v)
	return sb.String(), ok
}

// writeHashKey writes the key of v to sb and tells whether v has one.
func writeHashKey(sb *strings.Builder, v any) bool {
	if isNumber(v) {
		f, _ := number(v)
		if f != f {
			return false
		}
		if b, ok := toBig(v); ok {
			fmt.Fprintf(sb, "#%s;", b.String())
			return true
		}
		if f == math.Trunc(f) && !math.IsInf(f, 0) {
			b, _ := new(big.Float).SetFloat64(f).Int(nil)
			fmt.Fprintf(sb, "#%s;", b.String())
			return true
		}
		fmt.Fprintf(sb, "#%v;", f)
		return true
	}
	switch x := v.(type) {
	case nil:
		sb.WriteString("N")
	case string:
		fmt.Fprintf(sb, "S%d:%s", len(x), x)
	case Unsafe:
		fmt.Fprintf(sb, "S%d:%s", len(x), x)
	case []any:
		fmt.Fprintf(sb, "[%d:", len(x))
		for _, e := range x {
			if !writeHashKey(sb, e) {
				return false
			}
		}
	case Tuple:
		fmt.Fprintf(sb, "(%d:", len(x))
		for _, e := range x {
			if !writeHashKey(sb, e) {
				return false
			}
		}
	case *Dict:
		keys := append([]string{}, x.Keys()...)
		slices.Sort(keys)
		fmt.Fprintf(sb, "{%d:", len(keys))
		for _, k := range keys {
			fmt.Fprintf(sb, "%d:%s", len(k), k)
			e, _ := x.Get(k)
			if !writeHashKey(sb, e) {
				return false
			}
		}
	default:
		return false
	}
	return true
}

// A TypeError is an error Python raises as a TypeError (an operand of
// the wrong type, a value that cannot be iterated or formatted): Ansible
// reports it as an unexpected templating type error.
type TypeError struct{ Msg string }

func (e *TypeError) Error() string { return e.Msg }

func typeErrorf(format string, a ...any) error {
	return &TypeError{Msg: fmt.Sprintf(format, a...)}
}
