package play

import (
	"context"
	"reflect"
	"testing"

	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

// testScope is a scope of the templating tests: registered results
// (unsafe, as register keeps them) over play vars (which are templated
// when used).
func testScope() *scope {
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
	return newScope(&jinja.Cache{}, layer{vals: jinja.Wrap(dict(registered)).(*jinja.Dict)}, layer{vals: dict(play), templated: true})
}

// dict makes a Dict of a map, with its keys sorted, for the tests.
func dict(m map[string]any) *jinja.Dict { return jinja.FromPlain(m).(*jinja.Dict) }

func TestTemplatedCondition(t *testing.T) {
	// A condition holding {{ }} is rendered first; a string result is then
	// evaluated as an expression, as Ansible does.
	sc := testScope()
	for src, want := range map[string]bool{
		"{{ b }}":          true,
		"{{ 'n == 3' }}":   true,
		"{{ 'False' }}":    false,
		"{{ n }} == 3":     true,
		"{{ empty }}":      false,
		"{{ l | length }}": true,
	} {
		got, err := sc.cond(&cond{src: src, tmpl: true})
		if err != nil {
			t.Errorf("cond(%q): %v", src, err)
			continue
		}
		if got != want {
			t.Errorf("cond(%q) = %v, want %v", src, got, want)
		}
	}
}

func TestCond(t *testing.T) {
	tests := []struct {
		name string
		c    *cond
		want bool
		err  string
	}{
		{"literal true", &cond{isLit: true, lit: true}, true, ""},
		{"literal 0", &cond{isLit: true, lit: 0}, false, ""},
		{"literal text", &cond{isLit: true, lit: "no"}, true, ""},
		{"expression", &cond{src: "n == 3", e: mustExpr(t, "n == 3")}, true, ""},
		{"expression over a templated variable", &cond{src: "alias == 'hello'", e: mustExpr(t, "alias == 'hello'")}, true, ""},
		{"undefined in an expression", &cond{src: "r.nope == 1", e: mustExpr(t, "r.nope == 1")}, false, "'dict object' has no attribute 'nope'"},
		{"templated, blank", &cond{src: "{{ '  ' }}", tmpl: true}, false, "template error while templating string: Expected an expression, got 'end of statement block'. String: {% if    %} True {% else %} False {% endif %}. Expected an expression, got 'end of statement block'"},
		{"templated, empty", &cond{src: "{{ '' }}", tmpl: true}, false, ""},
		{"templated, a list", &cond{src: "{{ l }}", tmpl: true}, true, ""},
		{"templated, not an expression", &cond{src: "{{ 'a b' }}", tmpl: true}, false, "template error while templating string: expected token 'end of statement block', got 'b'. String: {% if a b %} True {% else %} False {% endif %}. expected token 'end of statement block', got 'b'"},
		{"templated, undefined after rendering", &cond{src: "{{ 'nope' }}", tmpl: true}, false, "'nope' is undefined"},
		{"templated, recursive", &cond{src: "{{ self }}", tmpl: true}, false, "recursive loop detected in template string: {{ self }}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := testScope().cond(tc.c)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Errorf("cond = %v, %v; want error %q", got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("cond = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	// conds returns the first condition that does not hold, or fails.
	yes, no := &cond{isLit: true, lit: true}, &cond{isLit: true, lit: false}
	bad := &cond{src: "missing", e: mustExpr(t, "missing")}
	sc := testScope()
	if c, err := sc.conds([]*cond{yes, yes}); c != nil || err != nil {
		t.Errorf("conds(yes, yes) = %v, %v; want nil, nil", c, err)
	}
	if c, err := sc.conds([]*cond{yes, no, bad}); c != no || err != nil {
		t.Errorf("conds(yes, no, bad) = %v, %v; want no", c, err)
	}
	if c, err := sc.conds([]*cond{bad, no}); c != bad || err == nil {
		t.Errorf("conds(bad, no) = %v, %v; want bad and its error", c, err)
	}
}

func mustExpr(t *testing.T, src string) *jinja.Expr {
	t.Helper()
	e, err := jinja.ParseExpr(src)
	if err != nil {
		t.Fatalf("ParseExpr(%q): %v", src, err)
	}
	return e
}

// TestScopeVariables checks what the scope gives the engine: raw values
// as they are, templated ones rendered when used and kept, a variable
// that refers to itself an error.
func TestScopeVariables(t *testing.T) {
	tests := []struct {
		src  string
		want any
		err  string
	}{
		{"{{ r.name }}", jinja.Unsafe("diz-1"), ""},
		{"{{ r.stdout }}", jinja.Unsafe("{{ not a template }}"), ""},
		{"{{ n }}", 3, ""},
		{"{{ alias }}", "hello", ""},
		{"{{ lazyl }}", []any{3, "x"}, ""},
		{"{{ missing | default(alias) }}", "hello", ""},
		{"{{ missing }}", nil, "'missing' is undefined"},
		{"{{ self }}", nil, "recursive loop detected in template string: {{ self }}"},
		{"{{ ping }}", nil, "recursive loop detected in template string: {{ pong }}"},
		{"{{ r.stdout ~ '' }}", jinja.Unsafe("{{ not a template }}"), ""},
		{"{{ r.name | upper }}", jinja.Unsafe("DIZ-1"), ""},
		{"{{ r.rc + 1 }}", jinja.Unsafe("1"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			got, err := testScope().render(tc.src)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Errorf("render = %#v, %v; want error %q", got, err, tc.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("render = %#v, %v; want %#v", got, err, tc.want)
			}
		})
	}
	sc := testScope()
	if _, err := sc.render("{{ lazyl }} {{ alias }}"); err != nil {
		t.Fatal(err)
	}
	// n is not kept: "{{ n }}" of a number is the number, not rendered.
	want := map[string]any{"lazyl": []any{3, "x"}, "alias": "hello", "s": "hello"}
	if !reflect.DeepEqual(sc.memo, want) {
		t.Errorf("memo = %#v, want %#v", sc.memo, want)
	}
	if n := sc.with(layer{vals: jinja.DictOf("item", 1)}); len(n.memo) != 0 || n.tc != sc.tc {
		t.Errorf("with: memo %v, cache shared %v; want nothing rendered and the same cache", n.memo, n.tc == sc.tc)
	}
}

// TestScopePrecedence checks the order of a task's variables, Ansible's:
// the loop variable, magic variables, extra vars, facts and registered
// results, task vars, block vars (inner first), play vars.
func TestScopePrecedence(t *testing.T) {
	x := &run{
		r:        &Runner{},
		play:     &play{keywords: keywords{vars: dict(map[string]any{"a": "play", "b": "play", "c": "play", "d": "play", "e": "play", "f": "play", "g": "play", "from_play": "{{ e }}"})}},
		extra:    dict(map[string]any{"a": "extra", "inventory_hostname": "extra", "ref": "{{ c }}"}),
		facts:    dict(map[string]any{"a": "fact", "b": "fact", "c": jinja.Unsafe("{{ not templated }}")}),
		gathered: jinja.NewDict(0),
	}
	task := &task{keywords: keywords{vars: dict(map[string]any{"a": "task", "b": "task", "c": "task", "d": "task"})}}
	inh := inherited{vars: []*jinja.Dict{dict(map[string]any{"d": "inner", "e": "inner"}), dict(map[string]any{"d": "outer", "e": "outer", "f": "outer"})}}
	sc := x.scope(context.Background(), task, inh).with(layer{vals: dict(map[string]any{"item": "loop", "inventory_hostname": "loop"}), templated: true})
	want := map[string]any{
		"item": "loop", "inventory_hostname": "loop", "omit": omitPlaceholder,
		"a": "extra", "b": "fact", "c": jinja.Unsafe("{{ not templated }}"), "d": "task", "e": "inner", "f": "outer", "g": "play",
		"ref": jinja.Unsafe("{{ not templated }}"), "from_play": "inner",
	}
	for name, w := range want {
		got, err := sc.render("{{ " + name + " }}")
		if err != nil || got != w {
			t.Errorf("%s = %#v, %v; want %#v", name, got, err, w)
		}
	}
}
