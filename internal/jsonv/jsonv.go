// Package jsonv encodes Go values as JSON and decodes JSON text, as
// encoding/json does for the values zonemgr has: its results, journals,
// traces and image manifests, and the args files Ansible writes.
//
// It exists for the module binaries. encoding/json's reflection-driven
// encoder and decoder, with their per-type caches, are a quarter of a
// megabyte of every binary that links them, and Ansible copies a module
// binary to the host for every task. jsonv encodes what encoding/json
// encodes byte for byte (struct tags with omitempty and "-", maps with
// sorted keys, HTML escaping or none, MarshalJSON methods, time.Time,
// []byte as base64, floats as ES6 numbers), which jsonv_test.go checks
// against encoding/json; it decodes into any (numbers as [Number]) and
// into the structs, slices, maps and scalars those hold, and says where
// in the text a syntax error is.
package jsonv

import (
	"fmt"
	"strconv"
)

// Number is a JSON number kept as its text, as encoding/json.Number.
type Number string

// String returns the number's text.
func (n Number) String() string { return string(n) }

// Float64 returns the number as a float64.
func (n Number) Float64() (float64, error) { return strconv.ParseFloat(string(n), 64) }

// MarshalJSON writes the number's text, so that encoding/json (which the
// zonemgr command still uses) writes a Number as a number too.
func (n Number) MarshalJSON() ([]byte, error) {
	if n == "" {
		return []byte("0"), nil
	}
	if !isNumber(string(n)) {
		return nil, fmt.Errorf("json: invalid number literal %q", string(n))
	}
	return []byte(n), nil
}

// Raw is encoded JSON, written as it is (as encoding/json.RawMessage).
type Raw []byte

// MarshalJSON returns r, so that encoding/json writes a Raw as it is, as
// it writes a json.RawMessage.
func (r Raw) MarshalJSON() ([]byte, error) {
	if r == nil {
		return []byte("null"), nil
	}
	return r, nil
}

// Marshaler is a value that encodes itself, as encoding/json.Marshaler.
type Marshaler interface {
	MarshalJSON() ([]byte, error)
}

// Unmarshaler is a value that decodes itself, as encoding/json.Unmarshaler.
type Unmarshaler interface {
	UnmarshalJSON([]byte) error
}
