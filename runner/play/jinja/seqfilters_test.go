package jinja

import (
	"errors"
	"reflect"
	"testing"
)

// seqVars hold the data of the sequence filter tests: zone_info's zones
// and orphans, a loop's results.
func seqVars() *testVars {
	vals := map[string]any{
		"zones": []any{
			map[string]any{"name": "golden", "state": "installed", "role": "giz", "brand": map[string]any{"name": "ipkg"}},
			map[string]any{"name": "b1", "state": "running", "role": "diz", "brand": map[string]any{"name": "lipkg"}},
			map[string]any{"name": "old", "state": "installed", "role": "diz", "brand": map[string]any{"name": "ipkg"}},
		},
		"results": []any{
			map[string]any{"item": "a", "changed": false},
			map[string]any{"item": "b", "changed": true, "msg": "made b"},
		},
		"orphans": map[string]any{
			"journals": []any{},
			"zones":    []any{"z1", "z2"},
			"vnics":    []any{"zmgr0"},
		},
		"empty_orphans": map[string]any{"journals": []any{}, "zones": []any{}},
		"nums":          []any{3, 1, 2},
		"words":         []any{"Ab", "", "cd"},
		"nested":        []any{map[string]any{"l": []any{1, 2}}, map[string]any{"l": []any{3}}},
		"s":             "text",
	}
	return newTestVars(vals, nil)
}

func TestSeqFilters(t *testing.T) {
	tests := []struct {
		src  string
		want any
	}{
		// selectattr and rejectattr with the tests they take.
		{"{{ zones | selectattr('state', 'equalto', 'installed') | map(attribute='name') | list }}", []any{"golden", "old"}},
		{"{{ zones | rejectattr('state', 'equalto', 'installed') | map(attribute='name') | list }}", []any{"b1"}},
		{"{{ zones | selectattr('state', '==', 'running') | map(attribute='name') | list }}", []any{"b1"}},
		{"{{ zones | selectattr('state', 'eq', 'running') | map(attribute='name') | list }}", []any{"b1"}},
		{"{{ zones | selectattr('role', 'ne', 'giz') | map(attribute='name') | list }}", []any{"b1", "old"}},
		{"{{ zones | selectattr('role', '!=', 'giz') | map(attribute='name') | list }}", []any{"b1", "old"}},
		{"{{ zones | selectattr('name', 'in', ['old', 'golden']) | map(attribute='name') | list }}", []any{"golden", "old"}},
		{"{{ zones | selectattr('name', 'match', 'g') | map(attribute='name') | list }}", []any{"golden"}},
		{"{{ zones | selectattr('brand.name', 'equalto', 'ipkg') | map(attribute='name') | list }}", []any{"golden", "old"}},
		{"{{ results | selectattr('changed') | map(attribute='item') | list }}", []any{"b"}},
		{"{{ results | rejectattr('changed') | map(attribute='item') | list }}", []any{"a"}},
		{"{{ results | selectattr('msg', 'defined') | map(attribute='item') | list }}", []any{"b"}},
		{"{{ results | selectattr('msg', 'undefined') | map(attribute='item') | list }}", []any{"a"}},
		{"{{ results | rejectattr('msg', 'defined') | map(attribute='item') | list }}", []any{"a"}},
		{"{{ [] | selectattr('x') | list }}", []any{}},
		// select and reject.
		{"{{ words | select | list }}", []any{"Ab", "cd"}},
		{"{{ words | reject | list }}", []any{""}},
		{"{{ nums | select('equalto', 2) | list }}", []any{2}},
		{"{{ nums | reject('in', [1, 3]) | list }}", []any{2}},
		// map: attributes (dotted, list items, with a default) and filters.
		{"{{ zones | map(attribute='brand.name') | unique | list }}", []any{"ipkg", "lipkg"}},
		{"{{ nested | map(attribute='l.0') | list }}", []any{1, 3}},
		{"{{ results | map(attribute='msg', default='-') | list }}", []any{"-", "made b"}},
		{"{{ words | map('upper') | list }}", []any{"AB", "", "CD"}},
		{"{{ words | map('length') | list }}", []any{2, 0, 2}},
		{"{{ nums | map('string') | join(',') }}", "3,1,2"},
		{"{{ words | map('replace', 'b', 'B') | list }}", []any{"AB", "", "cd"}},
		{"{{ words | map('default', 'x', true) | list }}", []any{"Ab", "x", "cd"}},
		// sum.
		{"{{ nums | sum }}", 6},
		{"{{ nums | sum(start=10) }}", 16},
		{"{{ [1.5, 2] | sum }}", 3.5},
		{"{{ [] | sum }}", 0},
		{"{{ nested | sum(attribute='l.0') }}", 4},
		{"{{ nested | map(attribute='l') | sum(start=[]) }}", []any{1, 2, 3}},
		{"{{ orphans | dict2items | map(attribute='value') | map('length') | sum }}", 3},
		// dict filters and methods, in key order.
		{"{{ orphans | dict2items | map(attribute='key') | list }}", []any{"journals", "vnics", "zones"}},
		{"{{ {'b': 1, 'a': 2} | dict2items(key_name='k', value_name='v') }}", []any{map[string]any{"k": "a", "v": 2}, map[string]any{"k": "b", "v": 1}}},
		{"{{ {'b': 1, 'a': 2} | items | list }}", []any{[]any{"a", 2}, []any{"b", 1}}},
		{"{{ {'b': 1, 'a': 2} | keys }}", []any{"a", "b"}},
		{"{{ {'b': 1, 'a': 2} | values }}", []any{2, 1}},
		{"{{ orphans.keys() | list }}", []any{"journals", "vnics", "zones"}},
		{"{{ orphans.values() | map('length') | list }}", []any{0, 1, 2}},
		{"{{ orphans.items() | first }}", []any{"journals", []any{}}},
		{"{{ orphans.values() | map('length') | sum > 0 }}", true},
		{"{{ empty_orphans.values() | map('length') | sum > 0 }}", false},
		{"{{ 'zones' in orphans.keys() }}", true},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			got, err := seqVars().render(tc.src)
			if err != nil {
				t.Fatalf("render(%q): %v", tc.src, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("render(%q) = %#v, want %#v", tc.src, got, tc.want)
			}
		})
	}
}

func TestSeqFilterErrors(t *testing.T) {
	tests := []struct {
		src, want string
		undefined bool
	}{
		{"{{ results | selectattr('msg') | list }}", "'dict object' has no attribute 'msg'", true},
		{"{{ results | selectattr('msg', 'equalto', 'x') | list }}", "'dict object' has no attribute 'msg'", true},
		{"{{ results | map(attribute='msg') | list }}", "'dict object' has no attribute 'msg'", true},
		{"{{ zones | selectattr('name', 'nosuch') | list }}", "filter selectattr: no test named 'nosuch'", false},
		{"{{ zones | selectattr('name', 'equalto') | list }}", "filter selectattr: equalto needs one value to compare with", false},
		{"{{ zones | selectattr | list }}", "filter selectattr: missing the attribute to test", false},
		{"{{ zones | selectattr(1) | list }}", "filter selectattr: the attribute must be a name or a dotted path, got 1", false},
		{"{{ nums | selectattr('x') | list }}", "'int' object has no attribute 'x'", true},
		{"{{ 3 | select | list }}", "filter select: 'int' object is not iterable", false},
		{"{{ words | map('nosuch') | list }}", "filter map: no filter named 'nosuch'", false},
		{"{{ nums | map('length') | list }}", "filter map: length: object of type 'int' has no len()", false},
		{"{{ nums | map }}", "filter map: needs a filter name or attribute=", false},
		{"{{ words | sum }}", "filter sum: unsupported operand type(s) for +: 'int' and 'str'", false},
		{"{{ nums | dict2items }}", "filter dict2items: dict2items requires a dictionary, got list instead", false},
		{"{{ s | keys }}", "filter keys: keys requires a dictionary, got str instead", false},
		{"{{ nums.values() }}", "'list' object has no attribute 'values'", false},
		{"{{ missing.keys() }}", "'missing' is undefined", true},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			got, err := seqVars().render(tc.src)
			if err == nil {
				t.Fatalf("render(%q) = %#v, want error %q", tc.src, got, tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("render(%q) error = %q, want %q", tc.src, err, tc.want)
			}
			var ue *undefinedError
			if errors.As(err, &ue) != tc.undefined {
				t.Errorf("render(%q): undefinedError %v, want %v", tc.src, ue != nil, tc.undefined)
			}
		})
	}
}

func TestMethodSyntax(t *testing.T) {
	tests := []struct{ src, want string }{
		{"{{ d.keys(1) }}", "function and method calls are not supported (d.keys)"},
		{"{{ d.get('a') }}", "function and method calls are not supported (d.get)"},
		{"{{ d.values( }}", "function and method calls are not supported (d.values)"},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			_, err := Parse(tc.src)
			var se *SyntaxError
			if !errors.As(err, &se) || se.Msg != tc.want {
				t.Errorf("Parse(%q) error = %v, want %q", tc.src, err, tc.want)
			}
		})
	}
	// A dict member named like a method is read as a member without ().
	tv := newTestVars(map[string]any{"d": map[string]any{"values": "member"}}, nil)
	if got, err := tv.render("{{ d.values }}|{{ d.values() | join(',') }}"); err != nil || got != "member|member" {
		t.Errorf("render = %#v, %v; want \"member|member\"", got, err)
	}
}
