package jinja

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// JSON encodes v as ansible-playbook's default callback shows results:
// Python's json.dumps with sorted keys and non-ASCII text kept, either on
// one line with ", " and ": " separators (indent 0) or indented by indent
// spaces per level with "," and ": ".
func JSON(v any, indent int) string {
	o := jsonOptions{indent: -1, sortKeys: true, itemSep: ", ", keySep: ": "}
	if indent > 0 {
		o.indent, o.itemSep = indent, ","
	}
	var b strings.Builder
	_ = o.write(&b, v, 0, 0)
	return b.String()
}

// jsonOptions are the options of Python's json.dumps that the filters
// and the display use.
type jsonOptions struct {
	// indent is the indentation per level, or -1 for one line.
	indent      int
	sortKeys    bool
	ensureASCII bool
	itemSep     string
	keySep      string
}

// write writes v as json.dumps does, at nesting level level. With a
// limit above zero it stops early, at the next element of a list or
// dict, once b holds more than limit bytes. A value JSON cannot hold is
// an error, as in Python.
func (o jsonOptions) write(b *strings.Builder, v any, level, limit int) error {
	newline := func(l int) {
		if o.indent >= 0 {
			b.WriteByte('\n')
			b.WriteString(strings.Repeat(" ", o.indent*l))
		}
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case *big.Int:
		b.WriteString(x.String())
	case float64:
		switch {
		case math.IsNaN(x):
			b.WriteString("NaN")
		case math.IsInf(x, 1):
			b.WriteString("Infinity")
		case math.IsInf(x, -1):
			b.WriteString("-Infinity")
		default:
			b.WriteString(pyFloat(x))
		}
	case string:
		writeJSONString(b, x, o.ensureASCII)
	case Unsafe:
		writeJSONString(b, string(x), o.ensureASCII)
	case []string:
		l := make([]any, len(x))
		for i, s := range x {
			l[i] = s
		}
		return o.write(b, l, level, limit)
	case Tuple:
		return o.write(b, []any(x), level, limit)
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteByte('[')
		for i, e := range x {
			if limit > 0 && b.Len() > limit {
				return nil
			}
			if i > 0 {
				b.WriteString(o.itemSep)
			}
			newline(level + 1)
			if err := o.write(b, e, level+1, limit); err != nil {
				return err
			}
		}
		newline(level)
		b.WriteByte(']')
	case *Dict:
		if x.Len() == 0 {
			b.WriteString("{}")
			return nil
		}
		keys := x.Keys()
		if o.sortKeys {
			keys = slices.Clone(keys)
			slices.Sort(keys)
		}
		b.WriteByte('{')
		for i, k := range keys {
			if limit > 0 && b.Len() > limit {
				return nil
			}
			if i > 0 {
				b.WriteString(o.itemSep)
			}
			newline(level + 1)
			writeJSONString(b, k, o.ensureASCII)
			b.WriteString(o.keySep)
			e, _ := x.Get(k)
			if err := o.write(b, e, level+1, limit); err != nil {
				return err
			}
		}
		newline(level)
		b.WriteByte('}')
	case map[string]any:
		return o.write(b, FromPlain(x), level, limit)
	case undefined:
		return x.err()
	case boundMethod:
		return fmt.Errorf("Object of type builtin_function_or_method is not JSON serializable")
	default:
		writeJSONString(b, fmt.Sprint(x), o.ensureASCII)
	}
	return nil
}

// writeJSONString writes s as a JSON string the way Python's json module
// does: quotes, backslashes and control characters escaped, and with
// ensureASCII every non-ASCII character as \uXXXX (a surrogate pair
// beyond the BMP).
func writeJSONString(b *strings.Builder, s string, ensureASCII bool) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			switch {
			case r < 0x20 || (ensureASCII && r == 0x7f):
				fmt.Fprintf(b, `\u%04x`, r)
			case ensureASCII && r > 0x7f:
				if r > 0xffff {
					r1, r2 := utf16.EncodeRune(r)
					fmt.Fprintf(b, `\u%04x\u%04x`, r1, r2)
				} else {
					fmt.Fprintf(b, `\u%04x`, r)
				}
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// filterToJSON is Ansible's to_json(indent=None, sort_keys=False,
// ensure_ascii=True, separators=None): Python's json.dumps.
func filterToJSON(a *fargs) (any, error) {
	return jsonFilter(a, a.arg(0, nil), a.arg(1, false), a.arg(2, true), a.arg(3, nil))
}

// jsonFilter writes the input as json.dumps does with these options.
func jsonFilter(a *fargs, indent, sortKeys, ensureASCII, separators any) (any, error) {
	o := jsonOptions{indent: -1, sortKeys: Truth(sortKeys), ensureASCII: Truth(ensureASCII), itemSep: ", ", keySep: ": "}
	switch n := indent.(type) {
	case nil:
	case int:
		o.indent, o.itemSep = max(n, 0), ","
	default:
		return nil, errors.New("indent must be an integer")
	}
	if separators != nil {
		seps, ok := seqOf(separators)
		if !ok || len(seps) != 2 {
			return nil, errors.New("separators must be a pair of strings")
		}
		o.itemSep, o.keySep = Str(seps[0]), Str(seps[1])
	}
	var b strings.Builder
	if err := o.write(&b, a.in, 0, maxStringSize); err != nil {
		return nil, err
	}
	if err := a.w.checkString(b.Len()); err != nil {
		return nil, err
	}
	return b.String(), nil
}

func filterFromJSON(a *fargs) (any, error) {
	if !isStr(a.in) {
		return nil, fmt.Errorf("the JSON object must be str, bytes or bytearray, not %s", typeName(a.in))
	}
	s := Str(a.in)
	// Each comma in the text, outside strings, starts another value.
	if n := (jsonCommas(s) + 1) * elementSize; n > maxTotalSize {
		return nil, valueTooLarge()
	}
	if err := a.w.text(len(s)); err != nil {
		return nil, err
	}
	v, err := FromJSON([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("Expecting value: %v", err)
	}
	return v, nil
}

// jsonCommas counts the commas of JSON text outside its strings.
func jsonCommas(s string) int {
	n := 0
	inString, escaped := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && c == ',':
			n++
		}
	}
	return n
}
