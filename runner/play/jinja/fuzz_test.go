package jinja

import (
	"testing"
)

// FuzzTemplate parses any text as a template and as a bare expression and
// evaluates what parses; nothing may panic.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		"plain", "{{ n }}", "a {{ l | join(',') }} b", "{{ d.k }}", "{{ missing | default(d.k) }}",
		"{{- s -}}", "{# c #}{{ 'x' if b else 'y' }}", "{{ {'a': [1, 2.5, none]} }}", "{{ 2 ** 64 }}",
		"{{ '\\x41\\u0042' }}", "{{ s is match('h.*') and not (n < 1) }}", "{{ (((1)) }}",
		"{{ 1 < 2 < 3 }}", "{{ -7 // 2 % 3 }}", "{{ x.0.1 }}", "{{ 'a' ~ 1_0.5e-3 }}",
		"{% for i in l %}{{ loop.index }}{% else %}e{% endfor %}", "{% if n %}{% set x = 1 %}{{ x }}{% endif %}",
		"{{ '%s %d' % ('a', 1) }}", "{{ s[1:-1:2] }}", "{{ d.get('k', 2) }}", "{{ range(3) | list }}",
		"[{{ n }}]", "{{ [1, (2,)] | to_yaml }}", "{{ 'a b' | regex_replace('(\\\\w)', '\\\\1!') }}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tv := newTestVars(nil, DictOf("n", 3, "s", "hello", "b", true, "l", []any{"a", "b"}, "d", DictOf("k", "v")))
		if tpl, err := Parse(s); err == nil {
			_, _ = tpl.Render(tv.env())
		}
		if e, err := ParseExpr(s); err == nil {
			_, _ = e.Eval(tv.env())
			_, _, _ = e.Value(tv.env())
		}
		_, _ = tv.render(s)
		_, _, _ = literalEval(&budget{}, s)
	})
}
