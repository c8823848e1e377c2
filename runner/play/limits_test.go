package play

import (
	"context"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

// chainVars returns play vars v0 .. vn: v0 is first, and each later one
// is step with PREV standing for its predecessor's name.
func chainVars(n int, first any, step string) *jinja.Dict {
	vars := jinja.DictOf("v0", first)
	for i := 1; i <= n; i++ {
		vars.Set(fmt.Sprintf("v%d", i), strings.ReplaceAll(step, "PREV", fmt.Sprintf("v%d", i-1)))
	}
	return vars
}

// chainPlay is a task file whose vars are chainVars(n, first, step) and
// whose one task shows msg.
func chainPlay(n int, first, step, msg string) string {
	var b strings.Builder
	b.WriteString("vars:\n")
	fmt.Fprintf(&b, "  v0: %q\n", first)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  v%d: %q\n", i, strings.ReplaceAll(step, "PREV", fmt.Sprintf("v%d", i-1)))
	}
	fmt.Fprintf(&b, "tasks:\n  - debug:\n      msg: %q\n", msg)
	return b.String()
}

// TestDoublingChainPlay runs the 40-line doubling chain as a play: the
// task fails with the size error at its position, and the run allocates
// a bounded amount of memory.
func TestDoublingChainPlay(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res := runPlay(t, chainPlay(40, "x", "{{ PREV ~ PREV }}", "{{ v40 | length }}"), Options{}, nil)
	runtime.ReadMemStats(&after)
	if res.code != ExitFailed {
		t.Errorf("exit %d, want %d; stdout:\n%s", res.code, ExitFailed, res.stdout)
	}
	want := `fatal: [localhost]: FAILED! (0.00s) => {"msg": "template result too large: a string of more than 16777216 bytes (the limit), in variable 'v25'"}`
	if !strings.Contains(res.stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
		t.Errorf("the run allocated %d MiB, want at most 256 MiB", alloc>>20)
	}
}

// countingVars are a scope's variables, counting the lookups an
// evaluation makes in them.
type countingVars struct {
	*scope
	lookups int
}

// Lookup counts the lookup and makes it in the scope.
func (c *countingVars) Lookup(env *jinja.Env, name string) (any, bool, error) {
	c.lookups++
	return c.scope.Lookup(env, name)
}

// TestTripleReferenceChain checks that each templated variable is
// rendered once per scope: in a chain of variables that each use their
// predecessor three times, each variable is looked up three times and
// rendered once, not 3 to the power of its place in the chain. (Package
// jinja checks that the steps of such an evaluation grow with the length
// of the chain.)
func TestTripleReferenceChain(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		first any
		step  string
		src   string
		want  any
	}{
		// Template results are text, as in ansible-core 2.14.
		{"list length", 30, "x", "{{ [PREV, PREV, PREV] | length }}", "{{ v30 }}", "3"},
		{"sum of three", 30, 1, "{{ (PREV | int + PREV | int + PREV | int) // 3 }}", "{{ v30 }}", "1"},
		{"a dict of three", 25, 0, "{{ {'a': PREV, 'b': PREV, 'c': PREV}.a }}", "{{ v25 }}", "0"},
		{"text", 12, "x", "{{ PREV ~ PREV ~ PREV }}", "{{ v12 | length }}", "531441"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := newScope(&jinja.Cache{}, layer{vals: chainVars(tc.n, tc.first, tc.step), templated: true})
			vars := &countingVars{scope: sc}
			got, err := jinja.NewEnv(nil, vars, sc.tc).Render(tc.src)
			if err != nil {
				t.Fatalf("render(%q) error: %v", tc.src, err)
			}
			if got != tc.want {
				t.Errorf("render(%q) = %v, want %v", tc.src, got, tc.want)
			}
			if want := 3*tc.n + 1; vars.lookups != want {
				t.Errorf("render(%q) looked variables up %d times, want %d", tc.src, vars.lookups, want)
			}
			if len(sc.memo) != tc.n+1 {
				t.Errorf("the scope kept %d variables, want %d", len(sc.memo), tc.n+1)
			}
		})
	}
}

func TestTripleReferenceChainPlay(t *testing.T) {
	res := runPlay(t, chainPlay(30, "x", "{{ [PREV, PREV, PREV] | length }}", "{{ v30 }}"), Options{}, nil)
	if res.code != ExitOK || !strings.Contains(res.stdout, `"msg": "3"`) {
		t.Errorf("exit %d, want 0 and msg 3; stdout:\n%s", res.code, res.stdout)
	}
}

// cancelAfter is a context that reports itself cancelled from its n'th
// call of Err on.
type cancelAfter struct {
	context.Context
	mu sync.Mutex
	n  int
}

func (c *cancelAfter) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n--; c.n <= 0 {
		return context.Canceled
	}
	return nil
}

// TestCancelledEvaluationPlay cancels the play's context while a task's
// template is being evaluated: the task fails with the interruption and
// the run stops.
func TestCancelledEvaluationPlay(t *testing.T) {
	var out, errOut strings.Builder
	text := "- debug:\n    msg: \"{{ ((('x,' * 99999) ~ 'x') | split(',')) | map('string') | map('string') | length }}\"\n- debug: {msg: never}\n"
	r := &Runner{Modules: testModules(), Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" },
		now: fixedClock(0), readFile: files{"tasks.yml": text}.read}
	ctx := &cancelAfter{Context: context.Background(), n: 10}
	if code := r.Run(ctx, "tasks.yml"); code != ExitFailed {
		t.Errorf("exit %d, want %d", code, ExitFailed)
	}
	re := regexp.MustCompile(`fatal: \[localhost\]: FAILED! \(0.00s\) => {"msg": "template evaluation interrupted: context canceled"}`)
	if !re.MatchString(out.String()) {
		t.Errorf("stdout does not match %s:\n%s", re, out.String())
	}
	if strings.Contains(out.String(), "never") || errOut.String() != "zonemgr: error: interrupted: context canceled\n" {
		t.Errorf("stdout:\n%s\nstderr: %q", out.String(), errOut.String())
	}
}

// TestLazyScopedVars checks that variables keep Ansible's semantics with
// each rendered once per scope: a variable is rendered only when used, and
// its value follows the loop item, set_fact and registered results.
func TestLazyScopedVars(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		lines []string
	}{
		{
			name: "an unused broken variable",
			text: `
vars:
  broken: "{{ nope.x }}"
  huge: "{{ 'x' * 100000000 }}"
  self: "{{ self }}"
  fine: "{{ 1 + 1 }}"
tasks:
  - debug: {msg: "{{ fine }}"}
`,
			lines: []string{"ok: [localhost] (0.00s) => {", `    "msg": "2"`, "}"},
		},
		{
			name: "a variable of the loop item",
			text: `
vars:
  label: "item={{ item }}"
tasks:
  - debug: {msg: "{{ label }}"}
    loop: [a, b]
`,
			lines: []string{
				"ok: [localhost] => (item=a) (0.00s) => {", `    "msg": "item=a"`, "}",
				"ok: [localhost] => (item=b) (0.00s) => {", `    "msg": "item=b"`, "}",
			},
		},
		{
			name: "a variable of set_fact",
			text: `
vars:
  base: zero
  derived: "{{ base }}!"
tasks:
  - debug: {msg: "{{ derived }}"}
  - set_fact: {base: one}
  - debug: {msg: "{{ derived }}"}
  - set_fact: {base: two}
  - debug: {msg: "{{ derived }} {{ derived }}"}
`,
			lines: []string{
				"ok: [localhost] (0.00s) => {", `    "msg": "zero!"`, "}",
				"ok: [localhost] (0.00s)",
				"ok: [localhost] (0.00s) => {", `    "msg": "one!"`, "}",
				"ok: [localhost] (0.00s)",
				"ok: [localhost] (0.00s) => {", `    "msg": "two! two!"`, "}",
			},
		},
		{
			name: "set_fact in a loop",
			text: `
vars:
  acc: ""
  shown: "[{{ acc }}]"
tasks:
  - set_fact: {acc: "{{ acc ~ item }}", seen: "{{ shown }}"}
    loop: [a, b, c]
  - debug: {msg: "{{ shown }} {{ seen }}"}
`,
			lines: []string{
				"ok: [localhost] => (item=a) (0.00s)",
				"ok: [localhost] => (item=b) (0.00s)",
				"ok: [localhost] => (item=c) (0.00s)",
				"ok: [localhost] (0.00s) => {", `    "msg": "[abc] [ab]"`, "}",
			},
		},
		{
			name: "a variable of a registered result",
			text: `
- echo: {msg: a}
  register: r
- echo: {msg: b, value: "{{ note }}"}
  vars:
    note: "{{ r.msg }}"
  register: r
  changed_when: note == 'b'
- debug: {msg: "{{ r.value }} {{ r.changed }}"}
`,
			lines: []string{
				"ok: [localhost] (0.00s)",
				"changed: [localhost] (0.00s)",
				"ok: [localhost] (0.00s) => {", `    "msg": "a True"`, "}",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runPlay(t, tc.text, Options{}, nil)
			if res.code != ExitOK {
				t.Errorf("exit %d, want 0; stdout:\n%s", res.code, res.stdout)
			}
			if got := taskLines(res.stdout); strings.Join(got, "\n") != strings.Join(tc.lines, "\n") {
				t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.lines, "\n"))
			}
		})
	}
}

// TestMemoBounded checks that the rendered variables a scope keeps stay
// within maxMemoSize: past it, variables are rendered again when used,
// with the same value.
func TestMemoBounded(t *testing.T) {
	vars := jinja.NewDict(6)
	var refs []string
	for i := range 6 {
		vars.Set(fmt.Sprintf("s%d", i), "{{ 'x' * 15000000 }}")
		refs = append(refs, fmt.Sprintf("s%d | length", i), fmt.Sprintf("s%d | length", i))
	}
	sc := newScope(&jinja.Cache{}, layer{vals: vars, templated: true})
	v, err := sc.render("{{ [" + strings.Join(refs, ", ") + "] | sum }}")
	if want := "180000000"; err != nil || v != want {
		t.Fatalf("render = %#v, %v; want %q", v, err, want)
	}
	if sc.memoSize > maxMemoSize || len(sc.memo) != 4 {
		t.Errorf("memo of %d variables, %d bytes; want 4, at most %d", len(sc.memo), sc.memoSize, maxMemoSize)
	}
}
