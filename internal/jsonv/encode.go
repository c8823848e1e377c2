package jsonv

import (
	"encoding/base64"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Marshal encodes v as json.Marshal does: compact, with <, > and &
// escaped in strings.
func Marshal(v any) ([]byte, error) { return Append(nil, v, true) }

// Append appends the encoding of v to b; html says whether <, > and &
// are escaped in strings (json.Encoder.SetEscapeHTML).
func Append(b []byte, v any, html bool) ([]byte, error) {
	e := encoder{b: b, html: html}
	e.value(reflect.ValueOf(v))
	if e.err != nil {
		return nil, e.err
	}
	return e.b, nil
}

// MarshalIndent is Marshal with each element on a line of its own,
// indented as json.MarshalIndent indents.
func MarshalIndent(v any, prefix, indent string) ([]byte, error) {
	b, err := Marshal(v)
	if err != nil {
		return nil, err
	}
	return Indent(b, prefix, indent), nil
}

type encoder struct {
	b    []byte
	html bool
	err  error
	// types caches what the encoder learnt of each type it met, for the
	// many values of one type a list holds; last is the type looked up
	// last, and lastInfo its entry.
	types    map[reflect.Type]*typeInfo
	last     reflect.Type
	lastInfo *typeInfo
}

// typeInfo is what encoding a type needs to know of it.
type typeInfo struct {
	marshaler bool    // it implements Marshaler
	fields    []field // a struct's encoded fields
}

// info returns what the encoder knows of t, learning it the first time.
func (e *encoder) info(t reflect.Type) *typeInfo {
	if t == e.last {
		return e.lastInfo
	}
	if ti, ok := e.types[t]; ok {
		e.last, e.lastInfo = t, ti
		return ti
	}
	ti := &typeInfo{marshaler: t.Implements(marshalerType)}
	if t.Kind() == reflect.Struct {
		ti.fields = e.fields(t)
	}
	if e.types == nil {
		e.types = map[reflect.Type]*typeInfo{}
	}
	e.types[t] = ti
	e.last, e.lastInfo = t, ti
	return ti
}

var (
	marshalerType = reflect.TypeFor[Marshaler]()
	numberType    = reflect.TypeFor[Number]()
	rawType       = reflect.TypeFor[Raw]()
	stringType    = reflect.TypeFor[string]()
)

func (e *encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("json: "+format, args...)
	}
}

func (e *encoder) value(v reflect.Value) {
	if e.err != nil {
		return
	}
	if !v.IsValid() {
		e.b = append(e.b, "null"...)
		return
	}
	if free := cap(e.b) - len(e.b); free < 512 {
		// Grow by doubling: append's growth of large slices, by a
		// quarter, copies a long result many times over.
		e.b = slices.Grow(e.b, len(e.b)+512)
	}
	t := v.Type()
	switch t {
	case stringType:
		// The commonest value, and a type without methods.
		e.b = AppendString(e.b, v.String(), e.html)
		return
	case numberType:
		s := v.String()
		if s == "" {
			s = "0"
		}
		if !isNumber(s) {
			e.fail("invalid number literal %q", s)
			return
		}
		e.b = append(e.b, s...)
		return
	case rawType:
		if v.IsNil() {
			e.b = append(e.b, "null"...)
			return
		}
		e.raw(v.Bytes(), "jsonv.Raw")
		return
	}
	ti := e.info(t)
	if ti.marshaler && !(v.Kind() == reflect.Pointer && v.IsNil()) {
		b, err := v.Interface().(Marshaler).MarshalJSON()
		if err != nil {
			e.fail("error calling MarshalJSON for type %s: %v", t, err)
			return
		}
		e.raw(b, t.String())
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		e.b = strconv.AppendBool(e.b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.b = strconv.AppendInt(e.b, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.b = strconv.AppendUint(e.b, v.Uint(), 10)
	case reflect.Float32:
		e.float(v.Float(), 32)
	case reflect.Float64:
		e.float(v.Float(), 64)
	case reflect.String:
		e.b = AppendString(e.b, v.String(), e.html)
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			e.b = append(e.b, "null"...)
			return
		}
		e.value(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			e.b = append(e.b, "null"...)
			return
		}
		if t.Elem().Kind() == reflect.Uint8 && !reflect.PointerTo(t.Elem()).Implements(marshalerType) {
			e.b = append(e.b, '"')
			e.b = base64.StdEncoding.AppendEncode(e.b, v.Bytes())
			e.b = append(e.b, '"')
			return
		}
		e.array(v)
	case reflect.Array:
		e.array(v)
	case reflect.Map:
		e.object(v)
	case reflect.Struct:
		e.structure(v, ti.fields)
	default:
		e.fail("unsupported type: %s", t)
	}
}

// raw appends JSON a MarshalJSON method or a Raw gave, compacted and,
// with html, with <, > and & escaped (as encoding/json's compact does).
func (e *encoder) raw(b []byte, typ string) {
	if !Valid(b) {
		_, err := Decode(b)
		e.fail("error calling MarshalJSON for type %s: %v", typ, err)
		return
	}
	e.b = appendCompact(e.b, b, e.html)
}

// float appends f as encoding/json's floatEncoder does: ES6 number
// formatting, with exponents for very large and very small values.
func (e *encoder) float(f float64, bits int) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		e.fail("unsupported value: %s", strconv.FormatFloat(f, 'g', -1, bits))
		return
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	e.b = strconv.AppendFloat(e.b, f, format, -1, bits)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(e.b)
		if n >= 4 && e.b[n-4] == 'e' && e.b[n-3] == '-' && e.b[n-2] == '0' {
			e.b[n-2] = e.b[n-1]
			e.b = e.b[:n-1]
		}
	}
}

func (e *encoder) array(v reflect.Value) {
	e.b = append(e.b, '[')
	for i := range v.Len() {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.value(v.Index(i))
	}
	e.b = append(e.b, ']')
}

func (e *encoder) object(v reflect.Value) {
	if v.IsNil() {
		e.b = append(e.b, "null"...)
		return
	}
	if v.Type().Key().Kind() != reflect.String {
		e.fail("unsupported type: %s", v.Type())
		return
	}
	keys := make([]string, 0, v.Len())
	for it := v.MapRange(); it.Next(); {
		keys = append(keys, it.Key().String())
	}
	slices.Sort(keys)
	kt := v.Type().Key()
	e.b = append(e.b, '{')
	for i, k := range keys {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = AppendString(e.b, k, e.html)
		e.b = append(e.b, ':')
		e.value(v.MapIndex(reflect.ValueOf(k).Convert(kt)))
	}
	e.b = append(e.b, '}')
}

// A field is a struct field as encoding/json sees it.
type field struct {
	index     int
	name      string
	omitEmpty bool
}

// fields returns the encoded fields of struct type t: exported, not
// tagged "-", named by their tag or else their Go name. Embedded structs
// are not among zonemgr's encoded types and are refused.
func (e *encoder) fields(t reflect.Type) []field {
	var fs []field
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			e.fail("unsupported embedded field %s in %s", f.Name, t)
			return nil
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		fd := field{index: i, name: name}
		for _, o := range strings.Split(opts, ",") {
			switch o {
			case "omitempty":
				fd.omitEmpty = true
			case "", "omitzero", "string":
				if o != "" {
					e.fail("unsupported option %q on field %s of %s", o, f.Name, t)
					return nil
				}
			}
		}
		fs = append(fs, fd)
	}
	return fs
}

func (e *encoder) structure(v reflect.Value, fields []field) {
	e.b = append(e.b, '{')
	first := true
	for _, f := range fields {
		fv := v.Field(f.index)
		if f.omitEmpty && isEmpty(fv) {
			continue
		}
		if !first {
			e.b = append(e.b, ',')
		}
		first = false
		e.b = AppendString(e.b, f.name, e.html)
		e.b = append(e.b, ':')
		e.value(fv)
	}
	e.b = append(e.b, '}')
}

// isEmpty is omitempty's test (encoding/json's isEmptyValue).
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string, as encoding/json's
// appendString does: ", \ and control characters escaped (\b, \f, \n,
// \r and \t by name), invalid UTF-8 as \ufffd, U+2028 and U+2029
// escaped, and with html <, > and & as \u003c, \u003e and \u0026.
func AppendString(b []byte, s string, html bool) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (!html || c != '<' && c != '>' && c != '&') {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendCompact appends valid JSON src without insignificant space; with
// html, <, > and & in strings become \u003c, \u003e and \u0026, and
// U+2028 and U+2029 are escaped (encoding/json's appendCompact).
func appendCompact(b, src []byte, html bool) []byte {
	b = slices.Grow(b, len(src))
	var st stringScan
	start := 0 // src[start:i] is still to append
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case !st.inString(c) && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			b = append(b, src[start:i]...)
			start = i + 1
		case html && (c == '<' || c == '>' || c == '&'):
			b = append(b, src[start:i]...)
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			start = i + 1
		case html && c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && src[i+2]&^1 == 0xA8:
			b = append(b, src[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[src[i+2]&0xF])
			i += 2
			start = i + 1
		}
	}
	return append(b, src[start:]...)
}

// A stringScan follows JSON text byte by byte, telling the bytes of its
// strings (their quotes included) from the rest.
type stringScan struct{ in, escaped bool }

// inString reports whether c, the next byte, belongs to a string.
func (s *stringScan) inString(c byte) bool {
	switch {
	case !s.in:
		s.in = c == '"'
		return s.in
	case s.escaped:
		s.escaped = false
	case c == '\\':
		s.escaped = true
	case c == '"':
		s.in = false
	}
	return true
}

// Compact returns valid JSON src without insignificant space.
func Compact(src []byte) []byte { return appendCompact(nil, src, false) }

// Indent returns valid compact JSON src with each element of an array
// and each member of an object on a line of its own, beginning with
// prefix and indent once per level of nesting (json.Indent's layout:
// empty arrays and objects stay "[]" and "{}").
func Indent(src []byte, prefix, indent string) []byte {
	var b []byte
	depth := 0
	newline := func() {
		b = append(b, '\n')
		b = append(b, prefix...)
		for range depth {
			b = append(b, indent...)
		}
	}
	var st stringScan
	for i := 0; i < len(src); i++ {
		c := src[i]
		if st.inString(c) {
			b = append(b, c)
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{', '[':
			b = append(b, c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				b = append(b, src[i+1])
				i++
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			b = append(b, c)
		case ',':
			b = append(b, c)
			newline()
		case ':':
			b = append(b, ':', ' ')
		default:
			b = append(b, c)
		}
	}
	return b
}

// isNumber reports whether s is a JSON number.
func isNumber(s string) bool {
	p := parser{data: []byte(s)}
	if _, err := p.number(); err != nil {
		return false
	}
	return p.pos == len(s)
}
