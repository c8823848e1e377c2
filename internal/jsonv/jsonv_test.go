package jsonv

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

type inner struct {
	Zone   string   `json:"zone,omitempty"`
	States []string `json:"states,omitempty"`
	Flag   bool     `json:"flag,omitempty"`
}

type words []string

func (w words) MarshalJSON() ([]byte, error) { return Marshal([]string(w)) }

type sample struct {
	Name     string            `json:"name"`
	Count    int               `json:"count"`
	Size     int64             `json:"size,omitempty"`
	Small    uint8             `json:"small"`
	Ratio    float64           `json:"ratio"`
	Tiny     float32           `json:"tiny"`
	On       bool              `json:"on"`
	List     []string          `json:"list"`
	Empty    []string          `json:"empty,omitempty"`
	Ptr      *inner            `json:"ptr,omitempty"`
	NilPtr   *inner            `json:"nil_ptr"`
	Step     *int              `json:"step,omitempty"`
	Inner    inner             `json:"inner"`
	Map      map[string]any    `json:"map"`
	Strs     map[string]string `json:"strs,omitempty"`
	When     time.Time         `json:"when"`
	Dur      time.Duration     `json:"dur_ns"`
	Bytes    []byte            `json:"bytes"`
	Any      any               `json:"any"`
	Words    words             `json:"words"`
	Untagged string
	Skipped  string `json:"-"`
	private  string
	Num      Number `json:"num"`
	Raw      Raw    `json:"raw"`
}

func samples() []any {
	step := 0
	full := sample{
		Name: "build<1> & \"co\"\n\t\x01\u2028\xff", Count: -3, Size: 1 << 40, Small: 200,
		Ratio: 1e21, Tiny: 1e-7, On: true, List: []string{}, Ptr: &inner{Zone: "z", States: []string{"a"}},
		Step: &step, Inner: inner{Flag: true},
		Map:   map[string]any{"b": 1, "a": []any{nil, 2.5, "x", map[string]any{}}, "c": map[string]int{"z": 1, "y": 2}},
		Strs:  map[string]string{"k": "<v>"},
		When:  time.Date(2026, 12, 6, 23, 1, 5, 123456789, time.FixedZone("X", 3600)),
		Dur:   1500 * time.Millisecond,
		Bytes: []byte("hello\x00"), Any: []string{"a"}, Words: words{"w<"}, Untagged: "u", Skipped: "s", private: "p",
		Num: "1.5e3", Raw: Raw(`{"a": [1, 2], "b": "<x>"}`),
	}
	return []any{
		nil, true, false, 0, -1, 1 << 62, uint64(math.MaxUint64), 0.0, -0.0, 1.0, 1.5, 1e20, 1e21, 1e-6, 1e-7, 123456789.125,
		float32(3.14), float32(1e21), math.SmallestNonzeroFloat64, math.MaxFloat64,
		"", "plain", "<html> & 'quotes'", "\u2029", "\x7f", "é", "\xed\xa0\x80",
		[]any{}, []string(nil), []int{1, 2}, [2]string{"a", "b"}, map[string]any(nil), map[string]bool{"b": true, "a": false},
		[]map[string]any{{"cmd": "zfs list"}}, &full, full, sample{}, []*inner{nil, {}},
		map[string]any{"changed": false, "failed": true, "msg": "x", "nested": map[string]any{"list": []any{Number("7"), Raw(`"r"`)}}},
	}
}

// TestEncodeAgreesWithEncodingJSON checks Marshal, Append without HTML
// escaping and MarshalIndent byte for byte against encoding/json.
func TestEncodeAgreesWithEncodingJSON(t *testing.T) {
	std := func(v any, html bool) []byte {
		// encoding/json knows nothing of Number and Raw; give it its own.
		v = toStd(v)
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(html)
		if err := enc.Encode(v); err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	}
	for i, v := range samples() {
		for _, html := range []bool{true, false} {
			got, err := Append(nil, v, html)
			if err != nil {
				t.Errorf("sample %d (%T), html %v: %v", i, v, html, err)
				continue
			}
			if want := std(v, html); !bytes.Equal(got, want) {
				t.Errorf("sample %d (%T), html %v:\n got %s\nwant %s", i, v, html, got, want)
			}
		}
		got, err := MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.MarshalIndent(toStd(v), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("sample %d (%T) indented:\n got %s\nwant %s", i, v, got, want)
		}
	}
}

// toStd replaces Number, Raw and sample (which holds them) by what
// encoding/json encodes the same way.
func toStd(v any) any {
	switch x := v.(type) {
	case Number:
		return json.Number(x)
	case Raw:
		return json.RawMessage(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toStd(e)
		}
		return out
	case map[string]any:
		if x == nil {
			return x
		}
		out := map[string]any{}
		for k, e := range x {
			out[k] = toStd(e)
		}
		return out
	case *sample:
		s := toStd(*x)
		return &s
	case sample:
		type stdSample struct {
			sample
			Num json.Number     `json:"num"`
			Raw json.RawMessage `json:"raw"`
		}
		return stdSample{sample: x, Num: json.Number(x.Num), Raw: json.RawMessage(x.Raw)}
	}
	return v
}

func TestEncodeErrors(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(-1), func() {}, map[int]string{1: "a"}, make(chan int), Number("1x"), Raw(`{`),
		struct{ inner }{}, struct {
			A int `json:"a,string"`
		}{}} {
		if b, err := Marshal(v); err == nil {
			t.Errorf("Marshal(%T) = %s, want an error", v, b)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a<b>&c", "\x00\x1f\"\\", "\u2028\u2029", "\xff\xfe", "é€𝄞"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, html := range []bool{true, false} {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(html)
			enc.Encode(s)
			if got, want := AppendString(nil, s, html), bytes.TrimSuffix(buf.Bytes(), []byte("\n")); !bytes.Equal(got, want) {
				t.Fatalf("AppendString(%q, %v) = %s, want %s", s, html, got, want)
			}
		}
	})
}

// FuzzDecode checks that Decode and Valid accept exactly what
// encoding/json accepts, that Decode decodes it to the same value and
// Members splits an object as into json.RawMessage, and that Compact and
// Indent agree with json.Compact and json.Indent.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"a": [1, -2.5e+3, true, false, null, "x\u00e9\ud834\udd1e\n"]}`, `  "s"  `, `[`, `{"a" 1}`,
		`01`, `1.`, `-`, `"\ud800"`, `"\ud800\u0041"`, "\"\xff\"", `{"a":1,"a":2}`, `[1,]`, `nul`, `"\u12"`, `1e`, "\"\t\"", `{}x`, `1E1000`, `[-1e-400]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Decode(data)
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var want any
		dec.Decode(&want) // json.Valid below says whether it is all of data
		stdValid := json.Valid(data)
		if (err == nil) != stdValid || Valid(data) != stdValid {
			t.Fatalf("Decode(%q) error %v, Valid %v; json.Valid %v", data, err, Valid(data), stdValid)
		}
		if m, merr := Members(data); stdValid && bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("{")) {
			var want map[string]json.RawMessage
			json.Unmarshal(data, &want)
			if merr != nil || len(m) != len(want) {
				t.Fatalf("Members(%q) = %d members, %v; want %d", data, len(m), merr, len(want))
			}
			for k, w := range want {
				if !bytes.Equal(m[k], w) {
					t.Fatalf("Members(%q)[%q] = %s, want %s", data, k, m[k], w)
				}
			}
		} else if merr == nil {
			t.Fatalf("Members(%q): no error", data)
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(data) {
				t.Fatalf("Decode(%q): %v, want a SyntaxError with an offset in the input", data, err)
			}
			return
		}
		if !reflect.DeepEqual(fromStd(want), got) {
			t.Fatalf("Decode(%q) = %#v, want %#v", data, got, want)
		}
		var buf bytes.Buffer
		json.Compact(&buf, data)
		c := Compact(data)
		if !bytes.Equal(c, buf.Bytes()) {
			t.Fatalf("Compact(%q) = %q, want %q", data, c, buf.Bytes())
		}
		var ind bytes.Buffer
		json.Indent(&ind, c, "> ", "\t")
		if got := Indent(c, "> ", "\t"); !bytes.Equal(got, ind.Bytes()) {
			t.Fatalf("Indent(%q) = %q, want %q", c, got, ind.Bytes())
		}
		var f1, f2 any
		stdErr := json.Unmarshal(data, &f1)
		if err := Unmarshal(data, &f2); (err == nil) != (stdErr == nil) || err == nil && !reflect.DeepEqual(f1, f2) {
			t.Fatalf("Unmarshal(%q) into any = %#v, %v; want %#v, %v", data, f2, err, f1, stdErr)
		}
	})
}

func fromStd(v any) any {
	switch x := v.(type) {
	case json.Number:
		return Number(x)
	case []any:
		for i, e := range x {
			x[i] = fromStd(e)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = fromStd(e)
		}
	}
	return v
}

func TestDecodeErrorsSayWhere(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"name": }`, `unexpected '}', want a value at line 1, column 10`},
		{`{"name": "z"`, `unexpected end of input after an object member, want ',' or '}' at line 1, column 13`},
		{`{"name": "z"} x`, `unexpected 'x' after the top-level value at line 1, column 15`},
		{"name=z", `unexpected 'a' in literal null at line 1, column 2`},
		{"{\n  \"a\": tru\n}", `unexpected '\n' in literal true at line 2, column 11`},
		{"\"\x01\"", `unexpected '\x01' in a string at line 1, column 2`},
		{"\xef\xbb\xbf{}", `unexpected byte 0xef, want a value at line 1, column 1`},
		{strings.Repeat("[", maxDepth+1), `nested more than 10000 levels deep at line 1, column 10001`},
	} {
		_, err := Decode([]byte(tc.in))
		if err == nil || err.Error() != tc.want {
			t.Errorf("Decode(%q) error = %v, want %s", tc.in, err, tc.want)
		}
	}
}

// TestUnmarshalAgreesWithEncodingJSON decodes what Marshal wrote, and
// hand-written variants, into structs, and compares with json.Unmarshal.
func TestUnmarshalAgreesWithEncodingJSON(t *testing.T) {
	type target struct {
		Name  string            `json:"name"`
		Count int               `json:"count"`
		Small uint8             `json:"small"`
		Ratio float64           `json:"ratio"`
		On    bool              `json:"on"`
		List  []string          `json:"list"`
		Ptr   *inner            `json:"ptr,omitempty"`
		Step  *int              `json:"step,omitempty"`
		Inner inner             `json:"inner"`
		Map   map[string]any    `json:"map"`
		Strs  map[string]string `json:"strs"`
		When  time.Time         `json:"when"`
		Dur   time.Duration     `json:"dur_ns"`
		Any   any               `json:"any"`
		Skip  string            `json:"-"`
	}
	for _, in := range []string{
		`{"name":"z","count":-3,"small":7,"ratio":2.5,"on":true,"list":["a","b"],"ptr":{"zone":"x","states":["s"]},"step":0,
		  "inner":{"flag":true},"map":{"a":[1,{"b":null}]},"strs":{"k":"v"},"when":"2026-12-06T23:01:05.123456789+01:00",
		  "dur_ns":1500000000,"any":{"n":1e3},"unknown":[1,2,3],"Skip":"no"}`,
		`{"NAME":"case","Count":1,"list":null,"ptr":null,"step":null,"map":null}`,
		`{}`,
	} {
		var got, want target
		got.Name, want.Name = "before", "before"
		got.List, want.List = []string{"x"}, []string{"x"}
		errGot := Unmarshal([]byte(in), &got)
		errWant := json.Unmarshal([]byte(in), &want)
		if (errGot != nil) != (errWant != nil) {
			t.Fatalf("Unmarshal(%s): %v; encoding/json: %v", in, errGot, errWant)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Unmarshal(%s):\n got %+v\nwant %+v", in, got, want)
		}
	}
	var num struct {
		N Number `json:"n"`
	}
	if err := Unmarshal([]byte(`{"n": -1.5e3}`), &num); err != nil || num.N != "-1.5e3" {
		t.Errorf("Unmarshal into a Number = %q, %v; want -1.5e3", num.N, err)
	}
	var n struct {
		Small uint8 `json:"small"`
		Name  string
	}
	for _, in := range []string{`{"small":300}`, `{"small":-1}`, `{"small":1.5}`, `{"small":"1"}`, `{"Name":1}`, `[]`, `{"small":1`} {
		if err := Unmarshal([]byte(in), &n); err == nil {
			t.Errorf("Unmarshal(%s): no error", in)
		} else if json.Unmarshal([]byte(in), &n) == nil {
			t.Errorf("Unmarshal(%s): %v; encoding/json accepts it", in, err)
		}
	}
	if err := Unmarshal([]byte(`{}`), n); err == nil {
		t.Error("Unmarshal into a non-pointer: no error")
	}
}

func TestMembers(t *testing.T) {
	in := []byte(` {"zones": [ {"name": "a"} ], "n": 1, "s": "x\"y", "e": {}} `)
	got, err := Members(in)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]json.RawMessage
	if err := json.Unmarshal(in, &want); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("Members = %d members, want %d", len(got), len(want))
	}
	for k, w := range want {
		if string(got[k]) != string(w) {
			t.Errorf("member %s = %s, want %s", k, got[k], w)
		}
	}
	for _, bad := range []string{`[]`, `{"a":1`, `{"a":1} 2`, `{"a" 1}`, `{1:2}`, ``} {
		if _, err := Members([]byte(bad)); err == nil {
			t.Errorf("Members(%q): no error", bad)
		}
	}
}

// TestParseKeepsOrderAndText checks what Parse keeps that Decode does
// not: members in order with repeated keys, and each value's text.
func TestParseKeepsOrderAndText(t *testing.T) {
	v, err := Parse([]byte(` {"b": 1.50, "a": [true, false, null, "x\u0041"], "b": {"c": -0}} `))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range v.Members {
		keys = append(keys, m.Key)
	}
	if v.Kind != KindObject || strings.Join(keys, ",") != "b,a,b" {
		t.Fatalf("Parse: kind %d, keys %v; want an object with keys b,a,b", v.Kind, keys)
	}
	if m := v.Members[0].Value; m.Kind != KindNumber || m.Raw != "1.50" {
		t.Errorf("b = %+v, want the number 1.50 as written", m)
	}
	a := v.Members[1].Value
	var kinds []Kind
	for _, e := range a.Elems {
		kinds = append(kinds, e.Kind)
	}
	if a.Kind != KindArray || !reflect.DeepEqual(kinds, []Kind{KindTrue, KindFalse, KindNull, KindString}) ||
		a.Elems[3].Str != "xA" || a.Elems[3].Raw != `"x\u0041"` || a.Raw != `[true, false, null, "x\u0041"]` {
		t.Errorf("a = %+v", a)
	}
	if got := v.Members[2].Value.Raw; got != `{"c": -0}` {
		t.Errorf("second b's text = %q", got)
	}
	if got := v.Any().(map[string]any)["b"]; !reflect.DeepEqual(got, map[string]any{"c": Number("-0")}) {
		t.Errorf("Any: b = %#v, want the last b", got)
	}
	if e, err := Parse([]byte(`[]`)); err != nil || e.Kind != KindArray || e.Elems == nil || len(e.Elems) != 0 {
		t.Errorf("Parse([]) = %+v, %v; want an empty array", e, err)
	}
}

// TestNumberAndRawThroughEncodingJSON checks that encoding/json, which the
// zonemgr command uses for its --json output, writes Number and Raw as
// jsonv does.
func TestNumberAndRawThroughEncodingJSON(t *testing.T) {
	v := map[string]any{"n": Number("1.50"), "r": Raw(`{"a":[1]}`), "nil": Raw(nil), "zero": Number("")}
	want, err := Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) || string(want) != `{"n":1.50,"nil":null,"r":{"a":[1]},"zero":0}` {
		t.Errorf("encoding/json wrote %s, jsonv %s", got, want)
	}
	if _, err := json.Marshal(Number("1x")); err == nil {
		t.Error("encoding/json wrote the Number 1x")
	}
}
