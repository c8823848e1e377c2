package jsonv

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds the nesting of arrays and objects Decode accepts, as
// encoding/json's scanner does (10000 levels).
const maxDepth = 10000

// A SyntaxError says where JSON text stops being JSON.
type SyntaxError struct {
	Msg    string
	Offset int // the byte offset of the error
	Line   int // its line, from 1
	Column int // its column in bytes, from 1
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s at line %d, column %d", e.Msg, e.Line, e.Column)
}

// Kind is the kind of a JSON value.
type Kind uint8

// The kinds of JSON values.
const (
	KindNull Kind = iota
	KindFalse
	KindTrue
	KindNumber
	KindString
	KindArray
	KindObject
)

// A Value is a parsed JSON value that keeps its text and the order of
// its members.
type Value struct {
	Kind    Kind
	Str     string   // a string's text, unescaped
	Raw     string   // the value as written
	Elems   []Value  // an array's elements
	Members []Member // an object's members, in order, repeated keys too
}

// A Member is one member of an object.
type Member struct {
	Key   string
	Value Value
}

// Parse parses one JSON value, with nothing but space around it.
func Parse(data []byte) (Value, error) {
	return parse(data, maxDepth+1)
}

// parse parses data, building only what lies within keep containers: a
// container's members or elements when it is nested at most keep deep
// (the top-level one is at 1), a value's text and string when at most
// keep containers hold it (the top-level value: none); the rest is only
// checked. Parse builds everything, Members the top-level object's
// members (keep 1), Valid nothing (keep -1).
func parse(data []byte, keep int) (Value, error) {
	p := parser{data: data, keep: keep}
	if keep >= 0 {
		p.text = string(data)
	}
	p.space()
	v, err := p.value(0)
	if err != nil {
		return Value{}, err
	}
	p.space()
	if p.pos < len(p.data) {
		return Value{}, p.errorf("%s after the top-level value", p.what())
	}
	return v, nil
}

// Valid reports whether data is one JSON value (with space around it).
func Valid(data []byte) bool {
	_, err := parse(data, -1)
	return err == nil
}

// Decode decodes one JSON value, with nothing but space around it, into
// nil, bool, Number, string, []any and map[string]any (a repeated key
// keeps its last value, as in encoding/json).
func Decode(data []byte) (any, error) {
	v, err := Parse(data)
	if err != nil {
		return nil, err
	}
	return v.Any(), nil
}

// Any returns v as nil, bool, Number, string, []any or map[string]any.
func (v Value) Any() any {
	switch v.Kind {
	case KindFalse:
		return false
	case KindTrue:
		return true
	case KindNumber:
		return Number(v.Raw)
	case KindString:
		return v.Str
	case KindArray:
		a := make([]any, len(v.Elems))
		for i, e := range v.Elems {
			a[i] = e.Any()
		}
		return a
	case KindObject:
		m := make(map[string]any, len(v.Members))
		for _, e := range v.Members {
			m[e.Key] = e.Value.Any()
		}
		return m
	}
	return nil
}

// Members returns the members of the JSON object data, each as its
// encoded value (as json.Unmarshal into map[string]json.RawMessage).
func Members(data []byte) (map[string]Raw, error) {
	v, err := parse(data, 1)
	if err != nil {
		return nil, err
	}
	if v.Kind != KindObject {
		return nil, fmt.Errorf("json: a JSON %s, want an object", kindName(v.Any()))
	}
	m := make(map[string]Raw, len(v.Members))
	for _, e := range v.Members {
		m[e.Key] = Raw(e.Value.Raw)
	}
	return m, nil
}

type parser struct {
	data []byte
	text string // data as a string, for Raw ("": Raw is not kept)
	pos  int
	keep int // see parse
}

func (p *parser) errorf(format string, args ...any) error {
	line, col := 1, 1
	for _, c := range p.data[:min(p.pos, len(p.data))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return &SyntaxError{Msg: fmt.Sprintf(format, args...), Offset: p.pos, Line: line, Column: col}
}

// what names the character at the parser's position for an error.
func (p *parser) what() string {
	if p.pos >= len(p.data) {
		return "unexpected end of input"
	}
	c := p.data[p.pos]
	if c >= utf8.RuneSelf {
		return fmt.Sprintf("unexpected byte 0x%02x", c)
	}
	return fmt.Sprintf("unexpected %q", rune(c))
}

func (p *parser) space() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (Value, error) {
	start := p.pos
	v, err := p.parseValue(depth)
	if err != nil {
		return Value{}, err
	}
	if p.text != "" && depth <= p.keep {
		v.Raw = p.text[start:p.pos]
	}
	return v, nil
}

func (p *parser) parseValue(depth int) (Value, error) {
	if p.pos >= len(p.data) {
		return Value{}, p.errorf("unexpected end of input, want a value")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		s, err := p.str(depth <= p.keep)
		return Value{Kind: KindString, Str: s}, err
	case c == '-' || c >= '0' && c <= '9':
		_, err := p.number()
		return Value{Kind: KindNumber}, err
	case c == 't':
		return Value{Kind: KindTrue}, p.literal("true")
	case c == 'f':
		return Value{Kind: KindFalse}, p.literal("false")
	case c == 'n':
		return Value{Kind: KindNull}, p.literal("null")
	}
	return Value{}, p.errorf("%s, want a value", p.what())
}

func (p *parser) literal(word string) error {
	if len(p.data)-p.pos >= len(word) && string(p.data[p.pos:p.pos+len(word)]) == word {
		p.pos += len(word)
		return nil
	}
	for i := 0; i < len(word); i++ {
		if p.pos+i >= len(p.data) || p.data[p.pos+i] != word[i] {
			p.pos += i
			return p.errorf("%s in literal %s", p.what(), word)
		}
	}
	return nil
}

func (p *parser) object(depth int) (Value, error) {
	if depth > maxDepth {
		return Value{}, p.errorf("nested more than %d levels deep", maxDepth)
	}
	p.pos++ // {
	v := Value{Kind: KindObject}
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return v, nil
	}
	for {
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return Value{}, p.errorf("%s, want a string naming an object member", p.what())
		}
		k, err := p.str(depth <= p.keep)
		if err != nil {
			return Value{}, err
		}
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return Value{}, p.errorf("%s after an object key, want ':'", p.what())
		}
		p.pos++
		p.space()
		e, err := p.value(depth)
		if err != nil {
			return Value{}, err
		}
		if depth <= p.keep {
			v.Members = append(v.Members, Member{Key: k, Value: e})
		}
		p.space()
		if p.pos < len(p.data) && p.data[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.pos < len(p.data) && p.data[p.pos] == '}' {
			p.pos++
			return v, nil
		}
		return Value{}, p.errorf("%s after an object member, want ',' or '}'", p.what())
	}
}

func (p *parser) array(depth int) (Value, error) {
	if depth > maxDepth {
		return Value{}, p.errorf("nested more than %d levels deep", maxDepth)
	}
	p.pos++ // [
	v := Value{Kind: KindArray}
	if depth <= p.keep {
		v.Elems = []Value{}
	}
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return v, nil
	}
	for {
		p.space()
		e, err := p.value(depth)
		if err != nil {
			return Value{}, err
		}
		if depth <= p.keep {
			v.Elems = append(v.Elems, e)
		}
		p.space()
		if p.pos < len(p.data) && p.data[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.pos < len(p.data) && p.data[p.pos] == ']' {
			p.pos++
			return v, nil
		}
		return Value{}, p.errorf("%s after an array element, want ',' or ']'", p.what())
	}
}

// number reads a number as RFC 8259 section 6 spells it.
func (p *parser) number() (Number, error) {
	start := p.pos
	digits := func() int {
		n := 0
		for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.pos < len(p.data) && p.data[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < len(p.data) && p.data[p.pos] == '0':
		p.pos++
	case digits() == 0:
		return "", p.errorf("%s in a number, want a digit", p.what())
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return "", p.errorf("%s after a decimal point, want a digit", p.what())
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return "", p.errorf("%s in an exponent, want a digit", p.what())
		}
	}
	return Number(p.data[start:p.pos]), nil
}

// str reads a string; invalid UTF-8 and lone surrogates become U+FFFD,
// as encoding/json decodes them. Without build the string is only
// checked, and "" returned.
func (p *parser) str(build bool) (string, error) {
	p.pos++ // "
	start := p.pos
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if c == '"' {
			s := p.data[start:p.pos]
			p.pos++
			if !build {
				return "", nil
			}
			return validUTF8(s), nil
		}
		if c == '\\' {
			return p.escaped(start)
		}
		if c < 0x20 {
			return "", p.errorf("%s in a string", p.what())
		}
		p.pos++
	}
	return "", p.errorf("unexpected end of input in a string")
}

// escaped reads the rest of a string that has escapes, from start.
func (p *parser) escaped(start int) (string, error) {
	b := append([]byte(nil), p.data[start:p.pos]...)
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return validUTF8(b), nil
		case c < 0x20:
			return "", p.errorf("%s in a string", p.what())
		case c != '\\':
			b = append(b, c)
			p.pos++
			continue
		}
		p.pos++
		if p.pos >= len(p.data) {
			break
		}
		switch e := p.data[p.pos]; e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := p.hex4(p.pos + 1)
			if !ok {
				return "", p.errorf("invalid \\u escape in a string")
			}
			p.pos += 4
			if utf16.IsSurrogate(r) {
				r2, ok := rune(-1), false
				if p.pos+2 < len(p.data) && p.data[p.pos+1] == '\\' && p.data[p.pos+2] == 'u' {
					r2, ok = p.hex4(p.pos + 3)
				}
				if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
					r = dec
					p.pos += 6
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", p.errorf("invalid escape %s in a string", p.what())
		}
		p.pos++
	}
	return "", p.errorf("unexpected end of input in a string")
}

func (p *parser) hex4(at int) (rune, bool) {
	if at+4 > len(p.data) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(p.data[at:at+4]), 16, 32)
	if err != nil || strings.ContainsAny(string(p.data[at:at+4]), "+-_") {
		return 0, false
	}
	return rune(v), true
}

// Unmarshal decodes data into the value ptr points to, as json.Unmarshal
// does for the kinds zonemgr decodes: structs by tag (an exact match, or
// else one that differs only in case; unknown members ignored), pointers,
// slices, maps with string keys, strings, bools, integers, floats, any
// (numbers as float64) and Unmarshaler. null leaves the value as it is,
// except that it sets pointers, slices, maps and any to nil.
func Unmarshal(data []byte, ptr any) error {
	v, err := Decode(data)
	if err != nil {
		return err
	}
	rv := reflect.ValueOf(ptr)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("json: Unmarshal into %T, want a non-nil pointer", ptr)
	}
	d := decoder{data: data}
	return d.assign(rv.Elem(), v, "")
}

type decoder struct{ data []byte }

var unmarshalerType = reflect.TypeFor[Unmarshaler]()

// kindName names a decoded value's JSON kind for an error.
func kindName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	}
	return "object"
}

func mismatch(v any, t reflect.Type, path string) error {
	if path == "" {
		return fmt.Errorf("json: cannot decode a JSON %s into a Go value of type %s", kindName(v), t)
	}
	return fmt.Errorf("json: cannot decode a JSON %s into field %s of type %s", kindName(v), path, t)
}

func (d *decoder) assign(rv reflect.Value, v any, path string) error {
	if rv.CanAddr() && reflect.PointerTo(rv.Type()).Implements(unmarshalerType) {
		b, err := Append(nil, v, false)
		if err != nil {
			return err
		}
		return rv.Addr().Interface().(Unmarshaler).UnmarshalJSON(b)
	}
	if v == nil {
		switch rv.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			rv.SetZero()
		}
		return nil
	}
	t := rv.Type()
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			rv.Set(reflect.New(t.Elem()))
		}
		return d.assign(rv.Elem(), v, path)
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return mismatch(v, t, path)
		}
		f, err := floats(v)
		if err != nil {
			return err
		}
		rv.Set(reflect.ValueOf(f))
		return nil
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return mismatch(v, t, path)
		}
		rv.SetBool(b)
	case reflect.String:
		if t == numberType {
			n, ok := v.(Number)
			if !ok {
				return mismatch(v, t, path)
			}
			rv.SetString(string(n))
			return nil
		}
		s, ok := v.(string)
		if !ok {
			return mismatch(v, t, path)
		}
		rv.SetString(s)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := v.(Number)
		if !ok {
			return mismatch(v, t, path)
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil || rv.OverflowInt(i) {
			return fmt.Errorf("json: cannot decode number %s into %s of type %s", n, orValue(path), t)
		}
		rv.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := v.(Number)
		if !ok {
			return mismatch(v, t, path)
		}
		u, err := strconv.ParseUint(string(n), 10, 64)
		if err != nil || rv.OverflowUint(u) {
			return fmt.Errorf("json: cannot decode number %s into %s of type %s", n, orValue(path), t)
		}
		rv.SetUint(u)
	case reflect.Float32, reflect.Float64:
		n, ok := v.(Number)
		if !ok {
			return mismatch(v, t, path)
		}
		f, err := strconv.ParseFloat(string(n), t.Bits())
		if err != nil {
			return fmt.Errorf("json: cannot decode number %s into %s of type %s", n, orValue(path), t)
		}
		rv.SetFloat(f)
	case reflect.Slice:
		a, ok := v.([]any)
		if !ok {
			return mismatch(v, t, path)
		}
		s := reflect.MakeSlice(t, len(a), len(a))
		for i, e := range a {
			if err := d.assign(s.Index(i), e, path); err != nil {
				return err
			}
		}
		rv.Set(s)
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok || t.Key().Kind() != reflect.String {
			return mismatch(v, t, path)
		}
		if rv.IsNil() {
			rv.Set(reflect.MakeMapWithSize(t, len(m)))
		}
		for k, e := range m {
			ev := reflect.New(t.Elem()).Elem()
			if err := d.assign(ev, e, path); err != nil {
				return err
			}
			rv.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
		}
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return mismatch(v, t, path)
		}
		var enc encoder
		fs := enc.fields(t)
		if enc.err != nil {
			return enc.err
		}
		for k, e := range m {
			f := matchField(fs, k)
			if f == nil {
				continue
			}
			name := t.Name() + "." + t.Field(f.index).Name
			if err := d.assign(rv.Field(f.index), e, name); err != nil {
				return err
			}
		}
	default:
		return mismatch(v, t, path)
	}
	return nil
}

func orValue(path string) string {
	if path == "" {
		return "a Go value"
	}
	return "field " + path
}

// matchField finds the field named k exactly, or else one whose name
// differs from k only in case.
func matchField(fs []field, k string) *field {
	for i := range fs {
		if fs[i].name == k {
			return &fs[i]
		}
	}
	for i := range fs {
		if strings.EqualFold(fs[i].name, k) {
			return &fs[i]
		}
	}
	return nil
}

// floats returns a decoded value with its numbers as float64, as
// json.Unmarshal into any gives them; a number beyond float64's range is
// an error, as there.
func floats(v any) (any, error) {
	var err error
	switch x := v.(type) {
	case Number:
		f, perr := strconv.ParseFloat(string(x), 64)
		if perr != nil {
			return nil, fmt.Errorf("json: cannot decode number %s into a Go value of type float64", x)
		}
		return f, nil
	case []any:
		for i, e := range x {
			if x[i], err = floats(e); err != nil {
				return nil, err
			}
		}
	case map[string]any:
		for k, e := range x {
			if x[k], err = floats(e); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}

// validUTF8 returns s with each byte that is not part of valid UTF-8
// replaced by U+FFFD, as encoding/json's unquote replaces them.
func validUTF8(s []byte) string {
	if utf8.Valid(s) {
		return string(s)
	}
	b := make([]byte, 0, len(s)+8)
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\uFFFD"...)
		} else {
			b = append(b, s[:size]...)
		}
		s = s[size:]
	}
	return string(b)
}
