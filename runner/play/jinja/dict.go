package jinja

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// A Dict is a Python dict with text keys: its members in the order they
// were first set, as Python 3 keeps them. A YAML mapping, a dict literal,
// a filter's result and a module's JSON result all keep their order, so
// that iterating, printing and to_json give what Ansible gives. The zero
// Dict is empty and ready to use; a Dict is not safe for concurrent
// writes.
type Dict struct {
	keys []string
	m    map[string]any
}

// NewDict returns an empty dict with room for n members.
func NewDict(n int) *Dict {
	return &Dict{keys: make([]string, 0, n), m: make(map[string]any, n)}
}

// DictOf returns a dict of the key-value pairs kv (a key, its value, the
// next key...), in that order; a later value of a key replaces an earlier.
func DictOf(kv ...any) *Dict {
	d := NewDict(len(kv) / 2)
	for i := 0; i+1 < len(kv); i += 2 {
		d.Set(kv[i].(string), kv[i+1])
	}
	return d
}

// Len returns the number of members.
func (d *Dict) Len() int {
	if d == nil {
		return 0
	}
	return len(d.keys)
}

// Get returns the value of key and whether d has it.
func (d *Dict) Get(key string) (any, bool) {
	if d == nil || d.m == nil {
		return nil, false
	}
	v, ok := d.m[key]
	return v, ok
}

// Has tells whether d has key.
func (d *Dict) Has(key string) bool {
	_, ok := d.Get(key)
	return ok
}

// Set sets key to v: a new key goes last, an existing one keeps its
// place.
func (d *Dict) Set(key string, v any) {
	if d.m == nil {
		d.m = map[string]any{}
	}
	if _, ok := d.m[key]; !ok {
		d.keys = append(d.keys, key)
	}
	d.m[key] = v
}

// Delete removes key.
func (d *Dict) Delete(key string) {
	if d == nil || d.m == nil {
		return
	}
	if _, ok := d.m[key]; !ok {
		return
	}
	delete(d.m, key)
	if i := slices.Index(d.keys, key); i >= 0 {
		d.keys = slices.Delete(d.keys, i, i+1)
	}
}

// Keys returns the keys in order. The slice is d's own: do not change it.
func (d *Dict) Keys() []string {
	if d == nil {
		return nil
	}
	return d.keys
}

// All iterates over the members in order.
func (d *Dict) All() iter.Seq2[string, any] {
	return func(yield func(string, any) bool) {
		if d == nil {
			return
		}
		for _, k := range d.keys {
			if !yield(k, d.m[k]) {
				return
			}
		}
	}
}

// Copy returns a shallow copy of d.
func (d *Dict) Copy() *Dict {
	out := NewDict(d.Len())
	for k, v := range d.All() {
		out.Set(k, v)
	}
	return out
}

// MarshalJSON encodes d with its keys in order (encoding/json's rules
// for the values: a module's args).
func (d *Dict) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range d.Keys() {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(d.m[k])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// A Tuple is a Python tuple: a list apart from a list (it prints as
// (1, 2), never equals a list, and cannot be added to one). zip, product
// and a dict's items() make tuples; JSON writes them as lists.
type Tuple []any

// FromJSON decodes JSON text as Python's json module does: objects into
// Dicts in the order of their keys, integers into ints (or *big.Int
// beyond an int), other numbers into float64s.
func FromJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeJSON(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("extra data after the JSON value")
	}
	return v, nil
}

// maxJSONDepth bounds the nesting of decoded JSON.
const maxJSONDepth = 1000

func decodeJSON(dec *json.Decoder, depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("JSON nested more than %d levels deep", maxJSONDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			d := NewDict(0)
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeJSON(dec, depth+1)
				if err != nil {
					return nil, err
				}
				d.Set(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return d, nil
		case '[':
			l := []any{}
			for dec.More() {
				v, err := decodeJSON(dec, depth+1)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return l, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		return jsonNumber(string(t))
	}
	return tok, nil
}

// jsonNumber converts JSON number text as Python's json module does.
func jsonNumber(s string) (any, error) {
	if !strings.ContainsAny(s, ".eE") {
		if n, err := strconv.Atoi(s); err == nil {
			return n, nil
		}
		b, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return nil, fmt.Errorf("bad number %q", s)
		}
		return b, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !math.IsInf(f, 0) {
		return nil, fmt.Errorf("bad number %q", s)
	}
	return f, nil
}

// Plain converts a value to Go's plain JSON forms, for encoding/json:
// Dicts to map[string]any, Tuples to []any, big integers to json.Number;
// Unsafe strings to strings.
func Plain(v any) any {
	switch x := v.(type) {
	case *Dict:
		m := make(map[string]any, x.Len())
		for k, e := range x.All() {
			m[k] = Plain(e)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Plain(e)
		}
		return out
	case Tuple:
		return Plain([]any(x))
	case *big.Int:
		return json.Number(x.String())
	case Unsafe:
		return string(x)
	}
	return v
}

// FromPlain converts Go's plain JSON forms to values: map[string]any to
// Dicts with sorted keys, float64 numbers that are whole to ints (as
// Python's json module decodes an integer), []string to lists.
func FromPlain(v any) any {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		d := NewDict(len(keys))
		for _, k := range keys {
			d.Set(k, FromPlain(x[k]))
		}
		return d
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = FromPlain(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int(x)
		}
		return x
	case json.Number:
		if n, err := jsonNumber(string(x)); err == nil {
			return n
		}
		return string(x)
	}
	return v
}

// Wrap returns v with its strings made Unsafe, at every depth, as
// Ansible's wrap_var marks the results of modules: registered results are
// never templated again.
func Wrap(v any) any {
	return mapLeaves(v, func(l any) any {
		if s, ok := l.(string); ok {
			return Unsafe(s)
		}
		return l
	})
}

// HasUnsafe tells whether v holds an Unsafe string, at any depth.
func HasUnsafe(v any) bool {
	return anyInside(v, func(x any) bool { _, ok := x.(Unsafe); return ok })
}

// stripUnsafe returns v with its Unsafe strings made plain strings, at
// every depth: the evaluator works on plain values, and marks its result
// unsafe instead.
func stripUnsafe(v any) any {
	return mapLeaves(v, func(l any) any {
		if s, ok := l.(Unsafe); ok {
			return string(s)
		}
		return l
	})
}

// mapLeaves returns a copy of v's Dicts, lists and Tuples, at every
// depth, with leaf applied to every other value in them (and to v itself
// when it is none of those).
func mapLeaves(v any, leaf func(any) any) any {
	switch x := v.(type) {
	case *Dict:
		out := NewDict(x.Len())
		for k, e := range x.All() {
			out.Set(k, mapLeaves(e, leaf))
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = mapLeaves(e, leaf)
		}
		return out
	case Tuple:
		out := make(Tuple, len(x))
		for i, e := range x {
			out[i] = mapLeaves(e, leaf)
		}
		return out
	}
	return leaf(v)
}

// anyInside tells whether is holds for v or for a value inside its
// Dicts, lists and Tuples, at any depth.
func anyInside(v any, is func(any) bool) bool {
	if is(v) {
		return true
	}
	switch x := v.(type) {
	case *Dict:
		for _, e := range x.All() {
			if anyInside(e, is) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if anyInside(e, is) {
				return true
			}
		}
	case Tuple:
		for _, e := range x {
			if anyInside(e, is) {
				return true
			}
		}
	}
	return false
}

// Untuple returns v with its tuples made lists, at every depth, as
// Ansible's templating of a variable's value rebuilds its sequences as
// lists. v itself is returned when it holds no tuple.
func Untuple(v any) any {
	switch x := v.(type) {
	case Tuple:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Untuple(e)
		}
		return out
	case []any:
		var out []any
		for i, e := range x {
			u := Untuple(e)
			if out == nil {
				if _, wasTuple := e.(Tuple); !wasTuple && !hasTuple(e) {
					continue
				}
				out = append(make([]any, 0, len(x)), x[:i]...)
			}
			out = append(out, u)
		}
		if out == nil {
			return x
		}
		return out
	case *Dict:
		if !hasTuple(x) {
			return x
		}
		out := NewDict(x.Len())
		for k, e := range x.All() {
			out.Set(k, Untuple(e))
		}
		return out
	}
	return v
}

// hasTuple tells whether v holds a tuple at some depth.
func hasTuple(v any) bool {
	return anyInside(v, func(x any) bool { _, ok := x.(Tuple); return ok })
}
