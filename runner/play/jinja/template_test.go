package jinja

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// sampleVars are the variables of the templating tests: a registered
// result over play vars (which are templated when used).
func sampleVars() *testVars {
	registered := map[string]any{
		"r": map[string]any{
			"name":     "diz-1",
			"changed":  true,
			"failed":   false,
			"rc":       0,
			"commands": []any{map[string]any{"cmd": "zfs list -H"}, map[string]any{"cmd": "zoneadm list -cp"}},
			"results":  []any{map[string]any{"item": "a", "changed": false}, map[string]any{"item": "b", "changed": true}},
			"stdout":   "{{ not a template }}",
		},
		"bad":     map[string]any{"failed": true, "rc": 2},
		"skipped": map[string]any{"skipped": true, "changed": false},
	}
	play := map[string]any{
		"n":       3,
		"f":       1.5,
		"b":       true,
		"s":       "hello",
		"up":      "  Mixed Case  ",
		"l":       []any{"a", "b"},
		"nums":    []any{3, 1, 2, 1},
		"d":       map[string]any{"k": "v", "n": 1},
		"nothing": nil,
		"empty":   "",
		"yes_s":   "yes",
		"alias":   "{{ s }}",
		"lazyl":   []any{"{{ n }}", "x"},
		"self":    "{{ self }}",
		"ping":    "{{ pong }}",
		"pong":    "{{ ping }}",
		"csv":     "a,b,,c",
		"words":   "  one two\tthree ",
		"js":      `{"a": [1, 2.5, null]}`,
	}
	return newTestVars(registered, play)
}

func TestRender(t *testing.T) {
	tests := []struct {
		src  string
		want any
	}{
		// Literal text and interpolation.
		{"plain text", "plain text"},
		{"n={{ n }}", "n=3"},
		{"{{n}}{{ s }}", "3hello"},
		{"{{ s }} world", "hello world"},
		{"b={{ b }} f={{ f }}", "b=True f=1.5"},
		{"l={{ l }}", "l=['a', 'b']"},
		{"d={{ d }}", "d={'k': 'v', 'n': 1}"},
		{"[{{ nothing }}]", "[]"},
		{"{{ r.stdout }}", "{{ not a template }}"},
		// A whole-value template keeps the value's type.
		{"{{ n }}", 3},
		{"{{ f }}", 1.5},
		{"{{ b }}", true},
		{"{{ l }}", []any{"a", "b"}},
		{"{{ d }}", map[string]any{"k": "v", "n": 1}},
		{"{{ nothing }}", nil},
		{"{{ 1 + 2 }}", 3},
		{"{{ '3' }}", "3"},
		{" {{ n }}", " 3"},
		// Variables are templated when used.
		{"{{ alias }}", "hello"},
		{"{{ lazyl }}", []any{3, "x"}},
		// Paths over registered results.
		{"{{ r.name }}", "diz-1"},
		{"{{ r['name'] }}", "diz-1"},
		{"{{ r.commands.0.cmd }}", "zfs list -H"},
		{"{{ r.commands[1]['cmd'] }}", "zoneadm list -cp"},
		{"{{ r.results[-1].item }}", "b"},
		{"{{ r.results | length }}", 2},
		{"{{ s.0 }}{{ s[-1] }}", "ho"},
		// default and friends.
		{"{{ missing | default('d') }}", "d"},
		{"{{ missing.deep.path | default('d') }}", "d"},
		{"{{ r.nope | d(7) }}", 7},
		{"{{ empty | default('d') }}", ""},
		{"{{ empty | default('d', true) }}", "d"},
		{"{{ empty | default('d', boolean=true) }}", "d"},
		{"{{ s | default('d') }}", "hello"},
		{"{{ missing | default(omit_like) if false else 1 }}", 1},
		// Filters.
		{"{{ yes_s | bool }}", true},
		{"{{ 'No' | bool }}", false},
		{"{{ 1 | bool }}", true},
		{"{{ 'maybe' | bool }}", false},
		{"{{ nothing | bool }}", nil},
		{"{{ '42' | int }}", 42},
		{"{{ ' 3.9 ' | int }}", 3},
		{"{{ 'x' | int }}", 0},
		{"{{ 'x' | int(5) }}", 5},
		{"{{ 'ff' | int(0, 16) }}", 255},
		{"{{ f | int }}", 1},
		{"{{ '2.5' | float }}", 2.5},
		{"{{ b | string }}", "True"},
		{"{{ n | string }}", "3"},
		{"{{ l | string }}", "['a', 'b']"},
		{"{{ s | length }}", 5},
		{"{{ d | count }}", 2},
		{"{{ l | join(',') }}", "a,b"},
		{"{{ nums | join }}", "3121"},
		{"{{ up | lower }}", "  mixed case  "},
		{"{{ up | upper }}", "  MIXED CASE  "},
		{"{{ up | trim }}", "Mixed Case"},
		{"{{ l | first }}", "a"},
		{"{{ l | last }}", "b"},
		{"{{ s | first }}", "h"},
		{"{{ s | replace('l', 'L') }}", "heLLo"},
		{"{{ s | replace('l', 'L', 1) }}", "heLlo"},
		{"{{ csv | split(',') }}", []any{"a", "b", "", "c"}},
		{"{{ words | split }}", []any{"one", "two", "three"}},
		{"{{ words | split(none, 1) }}", []any{"one", "two\tthree "}},
		{"{{ s | list }}", []any{"h", "e", "l", "l", "o"}},
		{"{{ nums | sort }}", []any{1, 1, 2, 3}},
		{"{{ nums | sort(reverse=true) }}", []any{3, 2, 1, 1}},
		{"{{ ['b', 'A', 'c'] | sort }}", []any{"A", "b", "c"}},
		{"{{ nums | unique }}", []any{3, 1, 2}},
		{"{{ nums | min }}-{{ nums | max }}", "1-3"},
		{"{{ d | to_json }}", `{"k": "v", "n": 1}`},
		{"{{ l | to_nice_json }}", "[\n    \"a\",\n    \"b\"\n]"},
		{"{{ js | from_json }}", map[string]any{"a": []any{1, 2.5, nil}}},
		{"{{ s | mandatory }}", "hello"},
		// Operators.
		{"{{ n + 1 }}", 4},
		{"{{ n - 5 }}", -2},
		{"{{ n * f }}", 4.5},
		{"{{ 7 / 2 }}", 3.5},
		{"{{ 7 // 2 }}", 3},
		{"{{ -7 // 2 }}", -4},
		{"{{ -7 % 3 }}", 2},
		{"{{ 2 ** 10 }}", 1024},
		{"{{ 'ab' * 2 }}", "abab"},
		{"{{ 'a' ~ n ~ b }}", "a3True"},
		{"{{ s + '!' }}", "hello!"},
		{"{{ l + ['c'] }}", []any{"a", "b", "c"}},
		{"{{ 'yes' if b else 'no' }}", "yes"},
		{"{{ 'yes' if not b else 'no' }}", "no"},
		{"{{ [n, s, none, true] }}", []any{3, "hello", nil, true}},
		{"{{ {'a': n} }}", map[string]any{"a": 3}},
		{"{{ {'a': {'b': 1}} }}", map[string]any{"a": map[string]any{"b": 1}}},
		{"{{ (n + 1) * 2 }}", 8},
		{"{{ 'a' 'b' }}", "ab"},
		{"{{ 'it''s' if false else \"it's\" }}", "it's"},
		{`{{ "tab\there" }}`, "tab\there"},
		{"{{ 1_000 + 0.5 }}", 1000.5},
		{"{{ 1e3 }}", 1000.0},
		// Whitespace control and comments.
		{"a  {{- s -}}  b", "ahellob"},
		{"a{# note #}b", "ab"},
		{"x {{ n }}\n", "x 3\n"},
		{"{ not a template }", "{ not a template }"},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			got, err := sampleVars().render(tc.src)
			if err != nil {
				t.Fatalf("render(%q): %v", tc.src, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("render(%q) = %#v, want %#v", tc.src, got, tc.want)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		src  string
		want string
		// undefined is set for an undefinedError, with its name.
		undefined bool
		varName   string
	}{
		{"{{ missing }}", "'missing' is undefined", true, "missing"},
		{"x {{ missing }} y", "'missing' is undefined", true, "missing"},
		{"{{ missing.attr }}", "'missing' is undefined", true, "missing"},
		{"{{ r.nope }}", "'r.nope' is undefined", true, "r.nope"},
		{"{{ r.results.5.item }}", "'r.results.5' is undefined", true, "r.results.5"},
		{"{{ r['no key'] }}", "'r['no key']' is undefined", true, "r['no key']"},
		{"{{ missing | length }}", "'missing' is undefined", true, "missing"},
		{"{{ missing | mandatory }}", "Mandatory variable 'missing' not defined.", true, "missing"},
		{"{{ 'x' if false }}", "the inline if-expression on line 1 evaluated to false and no else section was defined.", true, ""},
		{"{{ self }}", "recursive loop detected in template: variable 'self' refers to itself", false, ""},
		{"{{ ping }}", "recursive loop detected in template: variable 'ping' refers to itself", false, ""},
		{"{{ s + 1 }}", "unsupported operand type(s) for +: 'str' and 'int'", false, ""},
		{"{{ 1 / 0 }}", "division by zero", false, ""},
		{"{{ n | length }}", "filter length: object of type 'int' has no len()", false, ""},
		{"{{ [] | first }}", "No first item, sequence was empty.", true, ""},
		{"{{ 'x' * 100000000 }}", "template result too large: a string of more than 16777216 bytes (the limit)", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			got, err := sampleVars().render(tc.src)
			if err == nil {
				t.Fatalf("render(%q) = %#v, want error %q", tc.src, got, tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("render(%q) error = %q, want %q", tc.src, err, tc.want)
			}
			var ue *undefinedError
			if errors.As(err, &ue) != tc.undefined || (ue != nil && ue.Name != tc.varName) {
				t.Errorf("render(%q): undefinedError %+v, want one: %v, name %q", tc.src, ue, tc.undefined, tc.varName)
			}
		})
	}
}

func TestTemplateSyntaxErrors(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{"{{ x", `unexpected end of template, expected '}}'`},
		{"{{ }}", "empty expression in '{{ }}'"},
		{"{{ x y }}", "unexpected name 'y', expected '}}'"},
		{"{% if x %}y{% endif %}", "statements ({% ... %}) are not supported; use a task's when or loop"},
		{"{# open", "unterminated comment, expected '#}'"},
		{"{{ x | nosuch }}", `unknown filter "nosuch"`},
		{"{{ x is nosuch }}", `unknown test "nosuch"`},
		{"{{ lookup('env', 'HOME') }}", "function and method calls are not supported (lookup)"},
		{"{{ s.upper() }}", "function and method calls are not supported (s.upper)"},
		{"{{ 'open }}", "unterminated string"},
		{"{{ l[1:] }}", "slices are not supported"},
		{"{{ (1 }}", "expected ')', found end of expression"},
		{"{{ x ) }}", `unexpected ")"`},
		{"{{ a. }}", "expected a name or an index after '.', found end of expression"},
		{"{{ x | default(a=1, 2) }}", "positional argument after keyword argument"},
		{"{{ $ }}", `unexpected character '$'`},
		{"{{ " + strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300) + " }}", "expression nested too deeply"},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			_, err := Parse(tc.src)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error = %v, want a SyntaxError", tc.src, err)
			}
			if !strings.Contains(se.Msg, tc.want) {
				t.Errorf("Parse(%q) error = %q, want it to contain %q", tc.src, se.Msg, tc.want)
			}
			if se.Src != tc.src {
				t.Errorf("Parse(%q) error source = %q", tc.src, se.Src)
			}
		})
	}
}

func TestConditions(t *testing.T) {
	tests := []struct {
		expr string
		want bool
	}{
		{"n == 3", true},
		{"n != 3", false},
		{"n == 3.0", true},
		{"n < 4 and n > 2", true},
		{"n <= 3", true},
		{"n >= 4", false},
		{"1 < n < 5", true},
		{"1 < n < 2", false},
		{"'a' in l", true},
		{"'z' not in l", true},
		{"'ell' in s", true},
		{"'k' in d", true},
		{"'v' in d", false},
		{"not b", false},
		{"not not b", true},
		{"b and n == 3", true},
		{"n == 1 or s == 'hello'", true},
		{"n == 3 or missing", true},
		{"n == 1 and missing", false},
		{"missing is defined", false},
		{"missing is undefined", true},
		{"missing is not defined", true},
		{"r.name is defined", true},
		{"r.nope is defined", false},
		{"missing.attr is defined", false},
		{"not missing is defined", true},
		{"r is succeeded", true},
		{"r is success", true},
		{"r is failed", false},
		{"bad is failed", true},
		{"r is changed", true},
		{"r is not changed", false},
		{"skipped is skipped", true},
		{"r is skipped", false},
		{"r.rc == 0", true},
		{"bad.rc != 0", true},
		{"(n == 3)", true},
		{"n | string == '3'", true},
		{"l | length > 1", true},
		{"s is search('ll')", true},
		{"s is match('he')", true},
		{"s is match('ll')", false},
		{"nothing is none", true},
		{"n is number and s is string", true},
		{"l is sequence and d is mapping", true},
		{"b is boolean", true},
		{"true", true},
		{"False", false},
		{"empty", false},
		{"s", true},
		{"l", true},
		{"[]", false},
		{"yes_s | bool", true},
		{"n is integer and f is float", true},
		{"true == 1", true},
		{"l == ['a', 'b']", true},
		{"l == ['a']", false},
		{"d == {'n': 1, 'k': 'v'}", true},
		{"d != {'n': 1}", true},
		{"nothing == none", true},
		{"nothing == 0", false},
		{"-n == -3 and +f == 1.5 and -b == -1", true},
		{"[1, 2] < [1, 3]", true},
		{"'abc' >= 'abd'", false},
		{"{'results': [{'changed': false}, {'changed': true}]} is changed", true},
		{"{'results': [{'changed': false}]} is changed", false},
		{"{'failed': false} is succeeded", true},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			e, err := ParseExpr(tc.expr)
			if err != nil {
				t.Fatalf("ParseExpr(%q): %v", tc.expr, err)
			}
			v, err := e.Eval(sampleVars().env())
			if err != nil {
				t.Fatalf("Eval(%q): %v", tc.expr, err)
			}
			if got := Truth(v); got != tc.want {
				t.Errorf("Truth(Eval(%q)) = %v, want %v", tc.expr, got, tc.want)
			}
		})
	}
}

func TestConditionErrors(t *testing.T) {
	tests := []struct {
		expr string
		want string
	}{
		{"missing == 1", "'missing' is undefined"},
		{"r.nope == 1", "'r.nope' is undefined"},
		{"missing", "'missing' is undefined"},
		{"'a' < 1", "'<' not supported between instances of 'str' and 'int'"},
		{"n is failed", "test failed: the 'failed' test expects a dictionary"},
		{"1 in n", "argument of type 'int' is not iterable"},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			e, err := ParseExpr(tc.expr)
			if err != nil {
				t.Fatalf("ParseExpr(%q): %v", tc.expr, err)
			}
			_, err = e.Eval(sampleVars().env())
			if err == nil || err.Error() != tc.want {
				t.Errorf("Eval(%q) error = %v, want %q", tc.expr, err, tc.want)
			}
		})
	}
}

func TestPythonForms(t *testing.T) {
	tests := []struct {
		v          any
		str, json0 string
	}{
		{nil, "None", "null"},
		{true, "True", "true"},
		{3, "3", "3"},
		{1.0, "1.0", "1.0"},
		{0.1, "0.1", "0.1"},
		{1e16, "1e+16", "1e+16"},
		{1.5e-5, "1.5e-05", "1.5e-05"},
		{123456.789, "123456.789", "123456.789"},
		{math.Inf(1), "inf", "Infinity"},
		{"it's", "it's", `"it's"`},
		{[]any{"a", "it's", 1, nil, false}, `['a', "it's", 1, None, False]`, `["a", "it's", 1, null, false]`},
		{map[string]any{"b": 1, "a": "x\ny"}, `{'a': 'x\ny', 'b': 1}`, `{"a": "x\ny", "b": 1}`},
		{"ünï\tcode", "ünï\tcode", `"ünï\tcode"`},
	}
	for _, tc := range tests {
		if got := Str(tc.v); got != tc.str {
			t.Errorf("Str(%#v) = %q, want %q", tc.v, got, tc.str)
		}
		if got := JSON(tc.v, 0); got != tc.json0 {
			t.Errorf("JSON(%#v) = %q, want %q", tc.v, got, tc.json0)
		}
	}
	nested := map[string]any{"changed": false, "list": []any{1, []any{}}, "empty": map[string]any{}}
	want := "{\n    \"changed\": false,\n    \"empty\": {},\n    \"list\": [\n        1,\n        []\n    ]\n}"
	if got := JSON(nested, 4); got != want {
		t.Errorf("JSON indent 4 = %q, want %q", got, want)
	}
	for _, tc := range []struct {
		v    any
		repr string
	}{
		{nil, "None"},
		{false, "False"},
		{1.0, "1.0"},
		{"it's", `"it's"`},
		{`it's "x"`, `'it\'s "x"'`},
		{"ünï\tcode\x01", `'ünï\tcode\x01'`},
		{[]any{"a", nil}, "['a', None]"},
		{map[string]any{"k": []any{}}, "{'k': []}"},
		{Unsafe("{{ x }}"), "'{{ x }}'"},
	} {
		if got := Repr(tc.v); got != tc.repr {
			t.Errorf("Repr(%#v) = %q, want %q", tc.v, got, tc.repr)
		}
	}
	// An Unsafe string is a str like any other once rendered.
	if got := Str(Unsafe("{{ x }}")); got != "{{ x }}" {
		t.Errorf("Str(Unsafe) = %q", got)
	}
	if got := JSON([]any{Unsafe("a\"b")}, 0); got != `["a\"b"]` {
		t.Errorf("JSON(Unsafe) = %q", got)
	}
}

func TestTruthBoolInt(t *testing.T) {
	for _, tc := range []struct {
		v           any
		truth, bool bool
		int         int
	}{
		{nil, false, false, 0},
		{true, true, true, 1},
		{false, false, false, 0},
		{0, false, false, 0},
		{1, true, true, 1},
		{2, true, false, 2},
		{1.0, true, true, 1},
		{2.7, true, false, 2},
		{"", false, false, 0},
		{"yes", true, true, 0},
		{"On", true, true, 0},
		{"TRUE", true, true, 0},
		{"1", true, true, 1},
		{" 3 ", true, false, 3},
		{"no", true, false, 0},
		{Unsafe(""), false, false, 0},
		{Unsafe("x"), true, false, 0},
		{[]any{}, false, false, 0},
		{[]any{0}, true, false, 0},
		{map[string]any{}, false, false, 0},
		{map[string]any{"a": nil}, true, false, 0},
		{undefined{name: "x"}, false, false, 0},
	} {
		if got := Truth(tc.v); got != tc.truth {
			t.Errorf("Truth(%#v) = %v, want %v", tc.v, got, tc.truth)
		}
		if got := Bool(tc.v); got != tc.bool {
			t.Errorf("Bool(%#v) = %v, want %v", tc.v, got, tc.bool)
		}
		if got := Int(tc.v); got != tc.int {
			t.Errorf("Int(%#v) = %v, want %v", tc.v, got, tc.int)
		}
	}
}

func TestNormalizeJSON(t *testing.T) {
	in := map[string]any{"rc": 0.0, "f": 1.5, "l": []any{2.0, "x", map[string]any{"n": -3.0}}, "big": 1e300}
	want := map[string]any{"rc": 0, "f": 1.5, "l": []any{2, "x", map[string]any{"n": -3}}, "big": 1e300}
	if got := NormalizeJSON(in); !reflect.DeepEqual(got, want) {
		t.Errorf("NormalizeJSON = %#v, want %#v", got, want)
	}
	if got := NormalizeJSON(4.0); got != 4 {
		t.Errorf("NormalizeJSON(4.0) = %#v, want 4", got)
	}
}

// TestExprAPI checks the two ways of evaluating an expression: Eval,
// for which an undefined value is an error, and Value, which reports it.
func TestExprAPI(t *testing.T) {
	tests := []struct {
		src      string
		want     any
		defined  bool
		evalErr  string // Eval's error; Value's too when valueErr is set
		valueErr bool
	}{
		{"n + 1", 4, true, "", false},
		{"r.commands", []any{map[string]any{"cmd": "zfs list -H"}, map[string]any{"cmd": "zoneadm list -cp"}}, true, "", false},
		{"nothing", nil, true, "", false},
		{"missing", nil, false, "'missing' is undefined", false},
		{"r.results.9", nil, false, "'r.results.9' is undefined", false},
		{"[] | first", nil, false, "No first item, sequence was empty.", false},
		{"missing + 1", nil, false, "'missing' is undefined", true},
		{"s + 1", nil, false, "unsupported operand type(s) for +: 'str' and 'int'", true},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			e, err := ParseExpr(tc.src)
			if err != nil {
				t.Fatalf("ParseExpr(%q): %v", tc.src, err)
			}
			v, err := e.Eval(sampleVars().env())
			if tc.evalErr == "" {
				if err != nil || !reflect.DeepEqual(v, tc.want) {
					t.Errorf("Eval = %#v, %v; want %#v", v, err, tc.want)
				}
			} else if err == nil || err.Error() != tc.evalErr {
				t.Errorf("Eval = %#v, %v; want error %q", v, err, tc.evalErr)
			}
			v, defined, err := e.Value(sampleVars().env())
			switch {
			case tc.valueErr:
				if err == nil || err.Error() != tc.evalErr {
					t.Errorf("Value = %#v, %v, %v; want error %q", v, defined, err, tc.evalErr)
				}
			case err != nil || defined != tc.defined || !reflect.DeepEqual(v, tc.want):
				t.Errorf("Value = %#v, %v, %v; want %#v, %v", v, defined, err, tc.want, tc.defined)
			}
		})
	}
}

// TestTemplateAPI checks Template.Expr, which a template that is one
// expression has, and Cache, which gives back what it parsed.
func TestTemplateAPI(t *testing.T) {
	for src, whole := range map[string]bool{
		"{{ r.name }}": true, "{{- n -}}": true, "{{ n }}{# c #}": true,
		" {{ n }}": false, "{{ n }}{{ n }}": false, "text": false, "{# c #}": false,
	} {
		tpl, err := Parse(src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		e := tpl.Expr()
		if (e != nil) != whole {
			t.Errorf("Parse(%q).Expr() = %v, want one: %v", src, e, whole)
			continue
		}
		if e == nil {
			continue
		}
		ev, err1 := e.Eval(sampleVars().env())
		rv, err2 := tpl.Render(sampleVars().env())
		if err1 != nil || err2 != nil || !reflect.DeepEqual(ev, rv) {
			t.Errorf("%q: Expr().Eval = %#v, %v; Render = %#v, %v", src, ev, err1, rv, err2)
		}
	}
	var c Cache
	t1, err1 := c.Parse("a {{ n }}")
	t2, err2 := c.Parse("a {{ n }}")
	if err1 != nil || err2 != nil || t1 != t2 {
		t.Errorf("Cache.Parse twice = %p, %v and %p, %v; want the same template", t1, err1, t2, err2)
	}
	_, err1 = c.Parse("{{ (")
	_, err2 = c.Parse("{{ (")
	if err1 == nil || err1 != err2 {
		t.Errorf("Cache.Parse of a bad template twice = %v and %v; want the same error", err1, err2)
	}
	// An Env without Vars or Cache sees no variables and parses as it goes.
	if v, err := NewEnv(nil, nil, nil).Render([]any{"{{ 1 + 1 }}", Unsafe("{{ x }}"), map[string]any{"k": "{{ 'v' }}"}}); err != nil ||
		!reflect.DeepEqual(v, []any{2, "{{ x }}", map[string]any{"k": "v"}}) {
		t.Errorf("Render = %#v, %v", v, err)
	}
	if _, err := NewEnv(nil, nil, nil).Render("{{ x }}"); err == nil || err.Error() != "'x' is undefined" {
		t.Errorf("Render without Vars: error %v", err)
	}
}
