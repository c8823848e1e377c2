package jinja

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Values are those of JSON and YAML as Python holds them: nil, bool,
// int, float64, string, []any and map[string]any. Two more kinds exist
// only on the way: an Unsafe (a YAML `!unsafe` string, never templated)
// until a value is rendered, and an undefined inside the expression
// evaluator until something uses it.

// An Unsafe is a string tagged `!unsafe` in YAML: Env.Render passes it
// through as a plain string without templating it, as Ansible does.
// Truth, Str, Repr and JSON take it for the str it holds.
type Unsafe string

// An undefined is the value of a variable, attribute or item that does not
// exist. Like Ansible's AnsibleUndefined it survives attribute access (so
// `x.y | default(1)` works) and fails only when something uses it; name is
// the path that was missing, for the error.
type undefined struct {
	name string
	// msg, when set, replaces the "'name' is undefined" text.
	msg string
}

// An undefinedError is the error of using an undefined variable. Name is
// the variable path as written, such as "r.results.0.rc".
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

// isUndefined tells whether v is an undefined value.
func isUndefined(v any) bool {
	_, ok := v.(undefined)
	return ok
}

// Truth is Python's truth value of v: false for None, False, zero, the
// empty string, list and dict, and for an undefined value; true for all
// else.
func Truth(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case Unsafe:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
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
	case int:
		return "int"
	case float64:
		return "float"
	case string, Unsafe:
		return "str"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	case undefined:
		return "Undefined"
	}
	return fmt.Sprintf("%T", v)
}

// Str renders v as Python's str() does: strings as they are, None,
// True and False capitalised, floats in Python's repr, lists and dicts as
// their repr.
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
	case float64:
		b.WriteString(pyFloat(x))
	case string:
		b.WriteString(pyQuote(x))
	case Unsafe:
		b.WriteString(pyQuote(string(x)))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if limit > 0 && b.Len() > limit {
				return
			}
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, e, limit)
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if limit > 0 && b.Len() > limit {
				return
			}
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyQuote(k))
			b.WriteString(": ")
			writeRepr(b, x[k], limit)
		}
		b.WriteByte('}')
	case undefined:
		b.WriteString("Undefined")
	default:
		fmt.Fprint(b, x)
	}
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

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// NormalizeJSON turns the float64 numbers of a value decoded by
// encoding/json that are whole and fit an int into ints, so that a
// module's rc of 0 reads back as 0 and not 0.0, as Python's json module
// decodes it. It changes v's lists and dicts in place and returns v, or
// the number it became.
func NormalizeJSON(v any) any {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int(x)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = NormalizeJSON(e)
		}
		return x
	case map[string]any:
		for k, e := range x {
			x[k] = NormalizeJSON(e)
		}
		return x
	}
	return v
}

// equalCount is Python's == for values: numbers (and booleans, which
// Python counts as 1 and 0) by value, strings, lists and dicts deeply. It
// adds to *n the number of pairs of values it compares, and one for every
// textPerStep bytes of the strings.
func equalCount(a, b any, n *int) bool {
	*n++
	if fa, ok := number(a); ok {
		if fb, ok := number(b); ok {
			return fa == fb
		}
		return false
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		if !ok || len(x) != len(y) {
			return false
		}
		*n += len(x) / textPerStep
		return x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalCount(x[i], y[i], n) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equalCount(v, w, n) {
				return false
			}
		}
		return true
	}
	return false
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
	case float64:
		return x, true
	}
	return 0, false
}

// orderCount compares a and b as Python's < does: numbers, strings and
// lists (element by element); other pairs are a TypeError. It adds to *n
// as equalCount does.
func orderCount(op string, a, b any, n *int) (int, error) {
	*n++
	if fa, ok := number(a); ok {
		if fb, ok := number(b); ok {
			switch {
			case fa < fb:
				return -1, nil
			case fa > fb:
				return 1, nil
			}
			return 0, nil
		}
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			*n += min(len(x), len(y)) / textPerStep
			return strings.Compare(x, y), nil
		}
	case []any:
		if y, ok := b.([]any); ok {
			for i := 0; i < len(x) && i < len(y); i++ {
				if equalCount(x[i], y[i], n) {
					continue
				}
				return orderCount(op, x[i], y[i], n)
			}
			return len(x) - len(y), nil
		}
	}
	return 0, fmt.Errorf("'%s' not supported between instances of '%s' and '%s'", op, typeName(a), typeName(b))
}
