package jinja

import (
	"errors"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
)

func TestParseRefusals(t *testing.T) {
	// Syntax errors and what zonemgr play does not support are refused
	// when the template is parsed, naming the construct.
	tests := []struct {
		src  string
		want string
	}{
		{"{{ x", `unexpected end of template, expected '}}'`},
		{"{{ }}", "Expected an expression"},
		{"{{ x y }}", "expected token 'end of print statement', got name 'y'"},
		{"{# open", "missing end of comment tag"},
		{"{{ x | nosuch }}", `unknown filter "nosuch"`},
		{"{{ x | random }}", "the filter random is not supported: its result is random"},
		{"{{ x is nosuch }}", `unknown test "nosuch"`},
		{"{{ lookup('env', 'HOME') }}", "lookup() is not supported"},
		{"{{ now() }}", "now() is not supported"},
		{"{{ x() }}", "calling x is not supported"},
		{"{{ l.append(1) }}", "the method append() changes its object in place"},
		{"{{ s.nope() }}", "the method nope() is not supported"},
		{"{{ 'open }}", "unterminated string"},
		{"{{ x ) }}", `unexpected ')'`},
		{"{{ a. }}", "expected a name or an index after '.', found end of expression"},
		{"{{ x | default(a=1, 2) }}", "positional argument follows keyword argument"},
		{"{{ x | sort(nope=1) }}", "sort got an unexpected keyword argument 'nope'"},
		{"{{ x | replace('a') }}", "replace missing a required argument: 'new'"},
		{"{{ x | first(1) }}", "first takes at most 0 positional argument(s), 1 given"},
		{"{{ x | map('nosuch') }}", "no filter named 'nosuch'"},
		{"{{ x | select('nosuch') }}", "no test named 'nosuch'"},
		{"{{ x | regex_search('(a)\\1') }}", "backreferences"},
		{"{{ x | regex_replace('(?<=a)b') }}", "lookahead and lookbehind"},
		{"{{ {1: 'a'} }}", "dict keys other than strings (1) are not supported"},
		{"{{ f(*a) }}", "*args and **kwargs in calls are not supported"},
		{"{{ 'it\\'s' }}", "a backslash before a quote inside a string in {{ }}"},
		{"{% if x %}", "the {% if %} is not closed"},
		{"{% endif %}", "unexpected 'endif'"},
		{"{% else %}", "unexpected 'else'"},
		{"{% macro m() %}{% endmacro %}", "the statement {% macro %} is not supported"},
		{"{% include 'x' %}", "the statement {% include %} is not supported"},
		{"{% for x in y recursive %}{% endfor %}", "recursive for loops are not supported"},
		{"{% nosuch %}", "unknown statement {% nosuch %}"},
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

func TestDictOrder(t *testing.T) {
	d := NewDict(0)
	for _, k := range []string{"z", "a", "m"} {
		d.Set(k, len(k))
	}
	d.Set("a", 5)
	if got := strings.Join(d.Keys(), ","); got != "z,a,m" {
		t.Errorf("keys = %s, want z,a,m", got)
	}
	d.Delete("z")
	if got, want := Repr(d), "{'a': 5, 'm': 1}"; got != want {
		t.Errorf("repr = %s, want %s", got, want)
	}
	b, err := d.MarshalJSON()
	if err != nil || string(b) != `{"a":5,"m":1}` {
		t.Errorf("MarshalJSON = %s, %v", b, err)
	}
	v, err := FromJSON([]byte(`{"b": [1, 2.5, null, {"y": true, "x": 12345678901234567890123}], "a": "é"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Repr(v), "{'b': [1, 2.5, None, {'y': True, 'x': 12345678901234567890123}], 'a': 'é'}"; got != want {
		t.Errorf("FromJSON = %s, want %s", got, want)
	}
	if got, want := JSON(v, 0), `{"a": "é", "b": [1, 2.5, null, {"x": 12345678901234567890123, "y": true}]}`; got != want {
		t.Errorf("JSON (sorted, as the display shows) = %s, want %s", got, want)
	}
}

func TestLiteralEval(t *testing.T) {
	tests := []struct {
		in   string
		want string // the repr, or "" when it is no literal
	}{
		{"[1, 2]", "[1, 2]"},
		{"[1, (2, 3), {'a': None}]", "[1, (2, 3), {'a': None}]"},
		{`{"a": true, "b": null, "c": false}`, "{'a': True, 'b': None, 'c': False}"},
		{"True", "True"},
		{"[0x1f, 0o17, 0b11, 1_000, -5, +2, 1.5e3, 12345678901234567890]", "[31, 15, 3, 1000, -5, 2, 1500.0, 12345678901234567890]"},
		{`['a\nb', "it's", u'x', r'\d', 'a' 'b']`, `['a\nb', "it's", 'x', '\\d', 'ab']`},
		{"[1, 2", ""},
		{"[1] + [2]", ""},
		{"{1, 2}", ""},
		{"[x]", ""},
		{"[1j]", ""},
		{"[1], 2", "([1], 2)"},
		{"[]", "[]"},
		{"[(), (1,)]", "[(), (1,)]"},
	}
	for _, tc := range tests {
		v, ok, err := literalEval(&budget{}, tc.in)
		if err != nil {
			t.Fatalf("literalEval(%q): %v", tc.in, err)
		}
		got := ""
		if ok {
			got = Repr(v)
		}
		if got != tc.want {
			t.Errorf("literalEval(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestValueForms(t *testing.T) {
	big70, _ := new(big.Int).SetString("1180591620717411303424", 10)
	tests := []struct {
		v          any
		repr, json string
		truth      bool
	}{
		{nil, "None", "null", false},
		{true, "True", "true", true},
		{0, "0", "0", false},
		{big70, "1180591620717411303424", "1180591620717411303424", true},
		{1.0, "1.0", "1.0", true},
		{1e16, "1e+16", "1e+16", true},
		{math.Inf(-1), "-inf", "-Infinity", true},
		{"it's", `"it's"`, `"it's"`, true},
		{Tuple{1}, "(1,)", "[1]", true},
		{Tuple{}, "()", "[]", false},
		{[]any{}, "[]", "[]", false},
		{DictOf("b", 1, "a", Tuple{"x", 2}), "{'b': 1, 'a': ('x', 2)}", `{"a": ["x", 2], "b": 1}`, true},
		{Unsafe("{{ x }}"), "'{{ x }}'", `"{{ x }}"`, true},
	}
	for _, tc := range tests {
		if got := Repr(tc.v); got != tc.repr {
			t.Errorf("Repr(%#v) = %s, want %s", tc.v, got, tc.repr)
		}
		if got := JSON(tc.v, 0); got != tc.json {
			t.Errorf("JSON(%#v) = %s, want %s", tc.v, got, tc.json)
		}
		if got := Truth(tc.v); got != tc.truth {
			t.Errorf("Truth(%#v) = %v, want %v", tc.v, got, tc.truth)
		}
	}
	if got := Untuple([]any{Tuple{1, Tuple{2}}, DictOf("k", Tuple{3})}); Repr(got) != "[[1, [2]], {'k': [3]}]" {
		t.Errorf("Untuple = %s", Repr(got))
	}
}

func TestExprAPI(t *testing.T) {
	tv := newTestVars(DictOf("r", DictOf("rc", 0, "out", "x")), DictOf("alias", "{{ r.rc }}", "bad", "{{ nothere }}"))
	e, err := ParseExpr("r.nope")
	if err != nil {
		t.Fatal(err)
	}
	v, defined, err := e.Value(tv.env())
	if err != nil || defined || v != nil {
		t.Errorf("Value(r.nope) = %v, %v, %v; want undefined", v, defined, err)
	}
	msg, err := e.UndefinedMessage(tv.env())
	if err != nil || msg != "'dict object' has no attribute 'nope'" {
		t.Errorf("UndefinedMessage = %q, %v", msg, err)
	}
	if _, err := e.Eval(tv.env()); !IsUndefinedError(err) {
		t.Errorf("Eval(r.nope) error = %v, want an undefined error", err)
	}
	e, _ = ParseExpr("alias ~ r.out + (bad | default('d'))")
	if got := strings.Join(e.Names(), ","); got != "alias,r,bad" {
		t.Errorf("Names = %s", got)
	}
	if v, err := e.Eval(tv.env()); err != nil || v != "0xd" {
		t.Errorf("Eval = %v, %v; want 0xd (alias renders to the text 0)", v, err)
	}
	tpl, err := Parse("{{ r.rc }}")
	if err != nil || tpl.Expr() == nil {
		t.Fatalf("Parse: %v, Expr %v", err, tpl.Expr())
	}
	if tpl2, _ := Parse("x{{ r.rc }}"); tpl2.Expr() != nil {
		t.Errorf("Expr of a template with text = %v, want nil", tpl2.Expr())
	}
	tpl3, _ := Parse("{% for i in items %}{{ i ~ sep }}{% endfor %}")
	if got := strings.Join(tpl3.Names(), ","); got != "items,i,sep" {
		t.Errorf("Names = %s", got)
	}
}

func TestSingleVarFastPath(t *testing.T) {
	// "{{ name }}" of a number, a boolean or null gives the value itself;
	// any other template gives text.
	tv := newTestVars(nil, DictOf("i", 5, "f", 1.5, "b", true, "n", nil, "s", "5", "l", []any{1}))
	tests := []struct {
		src  string
		want any
	}{
		{"{{ i }}", 5}, {"{{i}}", 5}, {"{{ f }}", 1.5}, {"{{ b }}", true}, {"{{ n }}", nil},
		{"{{ s }}", "5"}, {"{{ i + 0 }}", "5"}, {" {{ i }}", " 5"}, {"{{ n | default('x') }}", ""},
		{"{{ l }}", []any{1}}, {"{{ b | string }}", "True"}, {"{{ [1] | to_json }}", "[1]"},
	}
	for _, tc := range tests {
		got, err := tv.render(tc.src)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("render(%q) = %#v, %v; want %#v", tc.src, got, err, tc.want)
		}
	}
}

func TestPyPercent(t *testing.T) {
	tests := []struct {
		format string
		args   any
		want   string
	}{
		{"%s-%d", Tuple{"a", 3}, "a-3"},
		{"%05.1f|%x|%X|%o|%#x|%#o", Tuple{3.14159, 255, 255, 8, 255, 8}, "003.1|ff|FF|10|0xff|0o10"},
		{"%e %g %G %g", Tuple{12345.678, 0.00001, 1e20, 100000.0}, "1.234568e+04 1e-05 1E+20 100000"},
		{"%(a)s=%(b)r", DictOf("a", 1, "b", "x"), "1='x'"},
		{"%-4s|%4s|%+d|% d", Tuple{"l", "r", 5, 5}, "l   |   r|+5| 5"},
		{"%c%c %%", Tuple{65, "b"}, "Ab %"},
		{"%.2s %*d", Tuple{"abc", 3, 7}, "ab   7"},
		{"%s", DictOf("k", 1), "{'k': 1}"},
		{"%d", 2.9, "2"},
	}
	for _, tc := range tests {
		got, err := pyPercent(&budget{}, tc.format, tc.args)
		if err != nil || got != tc.want {
			t.Errorf("%q %% %s = %v, %v; want %q", tc.format, Repr(tc.args), got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		format string
		args   any
		want   string
	}{
		{"%s %s", Tuple{1}, "not enough arguments for format string"},
		{"%s", Tuple{1, 2}, "not all arguments converted during string formatting"},
		{"%d", "x", "%d format: a real number is required, not str"},
		{"%x", 1.5, "%x format: an integer is required, not float"},
		{"%y", 1, "unsupported format character 'y' (0x79) at index 1"},
	} {
		_, err := pyPercent(&budget{}, tc.format, tc.args)
		var te *TypeError
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q %% %s error = %v, want %q", tc.format, Repr(tc.args), err, tc.want)
		} else if !errors.As(err, &te) && !strings.HasPrefix(tc.want, "unsupported") {
			t.Errorf("%q %% %s error = %#v, want a TypeError", tc.format, Repr(tc.args), err)
		}
	}
}

func TestTemplateErrorsAsAnsible(t *testing.T) {
	tv := newTestVars(nil, DictOf("s", "x", "bad", "{{ 1 + 'a' }}", "lazy", "{{ nothere }}"))
	tests := []struct {
		src, want string
	}{
		{"{{ s + 1 }}", `Unexpected templating type error occurred on ({{ s + 1 }}): can only concatenate str (not "int") to str. can only concatenate str (not "int") to str`},
		{"{{ bad }}", `An unhandled exception occurred while templating '{{ 1 + 'a' }}'. Error was a <class 'ansible.errors.AnsibleError'>, original message: Unexpected templating type error occurred on ({{ 1 + 'a' }}): unsupported operand type(s) for +: 'int' and 'str'. unsupported operand type(s) for +: 'int' and 'str'`},
		{"{{ lazy }}", "{{ nothere }}: 'nothere' is undefined. 'nothere' is undefined"},
		{"{{ 1 // 0 }}", "integer division or modulo by zero"},
	}
	for _, tc := range tests {
		_, err := tv.render(tc.src)
		if err == nil || err.Error() != tc.want {
			t.Errorf("render(%q) error:\n got: %v\nwant: %s", tc.src, err, tc.want)
		}
	}
}

func TestParseCondition(t *testing.T) {
	// A condition is the test of {% if %}: Jinja2's messages for what
	// does not parse there.
	tests := []struct{ src, err string }{
		{"a == 1 and b", ""},
		{"(a if b else c)", ""},
		{"a,", ""},
		{"   ", "Expected an expression, got 'end of statement block'"},
		{"a b", "expected token 'end of statement block', got 'b'"},
		{"a if b else c", "expected token 'end of statement block', got 'if'"},
		{"a ==", "unexpected 'end of statement block'"},
		{`x "s"`, "expected token 'end of statement block', got 'string'"},
		{"a 1", "expected token 'end of statement block', got 'integer'"},
	}
	for _, tc := range tests {
		_, err := ParseCondition(tc.src)
		var se *SyntaxError
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("ParseCondition(%q): %v", tc.src, err)
		case tc.err != "" && (!errors.As(err, &se) || se.Msg != tc.err):
			t.Errorf("ParseCondition(%q) error = %v, want %q", tc.src, err, tc.err)
		}
	}
	if _, err := ParseExpr("a if b else c"); err != nil {
		t.Errorf("ParseExpr of a conditional expression: %v", err)
	}
}
