package play

import (
	"context"
	"io"
	"testing"

	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

// FuzzTemplate renders any text as a value of the task file and
// evaluates it as a condition, bare and templated, in a scope; and splits
// it as key=value text. Nothing may panic. (Package jinja fuzzes the
// engine alone.)
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
		sc := testScope()
		_, _ = sc.render(s)
		if e, err := jinja.ParseExpr(s); err == nil {
			_, _ = sc.cond(&cond{src: s, e: e})
		}
		_, _ = sc.cond(&cond{src: s, tmpl: true})
		_, _ = splitKV(s, kindModule)
		_, _ = splitKV(s, kindCommand)
	})
}

// FuzzTaskFile loads any text as a task file and runs what loads with the
// test modules; nothing may panic.
func FuzzTaskFile(f *testing.F) {
	for _, s := range []string{
		goldenPlay,
		"- debug: {msg: hi}\n",
		"vars: {a: 1}\ntasks:\n  - debug: var=a\n",
		"- hosts: localhost\n  tasks:\n    - set_fact: {x: \"{{ [1] }}\"}\n    - debug: {var: x}\n",
		"- block:\n    - fail: {}\n  rescue:\n    - debug: {}\n  always:\n    - echo: {changed: yes}\n",
		"- echo: {msg: \"{{ item }}\"}\n  loop: [a, b]\n  loop_control: {loop_var: i, label: x}\n  when: i != 'a'\n",
		"- echo: &a {msg: x}\n- echo: {<<: *a, changed: on}\n",
		"- assert: {that: [\"1 == 1\", \"{{ true }}\"]}\n- fail: msg=x\n  ignore_errors: yes\n",
		"a: [\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pb, err := loadPlaybook("f.yml", data, testModules(), &jinja.Cache{}, files{}.read)
		if err != nil || len(data) > 4096 {
			return
		}
		r := &Runner{Modules: testModules(), Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
		x := &run{r: r, pb: pb, tc: &jinja.Cache{}, d: &display{out: &lineWriter{w: io.Discard}, errw: io.Discard},
			extra: jinja.NewDict(0), facts: jinja.NewDict(0), gathered: jinja.NewDict(0), started: true}
		x.execute(context.Background())
	})
}
