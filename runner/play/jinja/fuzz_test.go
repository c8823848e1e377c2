package jinja

import (
	"testing"
)

// FuzzTemplate parses any text as a template and as a bare expression and
// evaluates what parses; nothing may panic.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		"plain", "{{ n }}", "a {{ l | join(',') }} b", "{{ r.commands.0.cmd }}",
		"{{ missing | default(d.k) }}", "{{- s -}}", "{# c #}{{ 'x' if b else 'y' }}",
		"{{ {'a': [1, 2.5, none]} }}", "{{ 2 ** 64 }}", "{{ '\\x41\\u0042' }}",
		"{{ s is match('h.*') and not (n < 1) }}", "{{ r.results | map }}", "{{ (((1)) }}",
		"{{ 1 < 2 < 3 }}", "{{ -7 // 2 % 3 }}", "{{ x.0.1 }}", "{{ 'a' ~ 1_0.5e-3 }}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tv := sampleVars()
		if tpl, err := Parse(s); err == nil {
			_, _ = tpl.Render(tv.env())
		}
		if e, err := ParseExpr(s); err == nil {
			_, _ = e.Eval(tv.env())
			_, _, _ = e.Value(tv.env())
		}
		_, _ = tv.render(s)
	})
}
