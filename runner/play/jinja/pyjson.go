package jinja

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// JSON encodes v as ansible-playbook's default callback shows results:
// Python's json.dumps with sorted keys and non-ASCII text kept, either on
// one line with ", " and ": " separators (indent 0) or indented by indent
// spaces per level with "," and ": ".
func JSON(v any, indent int) string {
	var b strings.Builder
	writePyJSON(&b, v, indent, 0, 0)
	return b.String()
}

// writePyJSON writes v as JSON does, at nesting level level. With a
// limit above zero it stops early, at the next element of a list or
// dict, once b holds more than limit bytes.
func writePyJSON(b *strings.Builder, v any, indent, level, limit int) {
	newline := func(l int) {
		if indent > 0 {
			b.WriteByte('\n')
			b.WriteString(strings.Repeat(" ", indent*l))
		}
	}
	sep := ", "
	if indent > 0 {
		sep = ","
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int:
		b.WriteString(strconv.Itoa(x))
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
		writeJSONString(b, x)
	case Unsafe:
		writeJSONString(b, string(x))
	case []string:
		l := make([]any, len(x))
		for i, s := range x {
			l[i] = s
		}
		writePyJSON(b, l, indent, level, limit)
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i, e := range x {
			if limit > 0 && b.Len() > limit {
				return
			}
			if i > 0 {
				b.WriteString(sep)
			}
			newline(level + 1)
			writePyJSON(b, e, indent, level+1, limit)
		}
		newline(level)
		b.WriteByte(']')
	case map[string]any:
		if len(x) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if limit > 0 && b.Len() > limit {
				return
			}
			if i > 0 {
				b.WriteString(sep)
			}
			newline(level + 1)
			writeJSONString(b, k)
			b.WriteString(": ")
			writePyJSON(b, x[k], indent, level+1, limit)
		}
		newline(level)
		b.WriteByte('}')
	default:
		writeJSONString(b, fmt.Sprint(x))
	}
}

// writeJSONString writes s as a JSON string the way Python's json module
// does with ensure_ascii off: only quotes, backslashes and control
// characters are escaped.
func writeJSONString(b *strings.Builder, s string) {
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
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}
