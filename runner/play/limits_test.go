package play

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// chainVars returns play vars v0 .. vn: v0 is first, and each later one
// is step with PREV standing for its predecessor's name.
func chainVars(n int, first any, step string) map[string]any {
	vars := map[string]any{"v0": first}
	for i := 1; i <= n; i++ {
		vars[fmt.Sprintf("v%d", i)] = strings.ReplaceAll(step, "PREV", fmt.Sprintf("v%d", i-1))
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

// renderCounted renders src in a scope of play vars and returns the
// value, the steps the evaluation took and the error.
func renderCounted(vars map[string]any, src string) (any, int, error) {
	ev := newScope(&templateCache{}, layer{vals: vars, templated: true}).evaluator()
	v, err := ev.render(src)
	return v, ev.work.steps, err
}

func TestSizeLimits(t *testing.T) {
	tests := []struct {
		name  string
		vars  map[string]any
		src   string
		want  string
		isVar string // the variable the error names, if any
	}{
		{
			name: "doubling string chain",
			vars: chainVars(40, "x", "{{ PREV ~ PREV }}"),
			src:  "{{ v40 | length }}",
			want: "template result too large: a string of more than 16777216 bytes (the limit), in variable 'v25'",
		},
		{
			name: "doubling string chain with +",
			vars: chainVars(40, "x", "{{ PREV + PREV }}"),
			src:  "{{ v40 }}",
			want: "template result too large: a string of more than 16777216 bytes (the limit), in variable 'v25'",
		},
		{
			name: "doubling text template",
			vars: chainVars(40, "x", "{{ PREV }}{{ PREV }}"),
			src:  "{{ v40 }}",
			want: "template result too large: a string of more than 16777216 bytes (the limit), in variable 'v25'",
		},
		{
			name: "doubling list concatenation",
			vars: chainVars(40, []any{1}, "{{ PREV + PREV }}"),
			src:  "{{ v40 | length }}",
			want: "template result too large: a list of more than 1000000 elements (the limit), in variable 'v20'",
		},
		{
			name: "doubling nested lists",
			vars: chainVars(40, "x", "{{ [PREV, PREV] }}"),
			src:  "{{ v40 | length }}",
			want: "template result too large: a value of more than 67108864 bytes in all (the limit), in variable 'v21'",
		},
		{
			name: "doubling nested dicts",
			vars: chainVars(40, "x", "{{ {'a': PREV, 'b': PREV} }}"),
			src:  "{{ v40 | length }}",
			want: "template result too large: a value of more than 67108864 bytes in all (the limit), in variable 'v21'",
		},
		{
			name: "doubling join",
			vars: chainVars(40, "x", "{{ [PREV, PREV] | join }}"),
			src:  "{{ v40 }}",
			want: "filter join: template result too large: a string of more than 16777216 bytes (the limit), in variable 'v25'",
		},
		{
			name: "doubling to_json",
			vars: chainVars(40, []any{"x"}, "{{ [PREV | to_json, PREV | to_json] }}"),
			src:  "{{ v40 }}",
			want: "filter to_json: template result too large: a string of more than 16777216 bytes (the limit), in variable 'v13'",
		},
		{
			name: "doubling sum",
			vars: chainVars(40, []any{1}, "{{ [PREV, PREV] | sum(start=[]) }}"),
			src:  "{{ v40 }}",
			want: "filter sum: template result too large: a list of more than 1000000 elements (the limit), in variable 'v20'",
		},
		{
			name: "growing replace",
			vars: map[string]any{"s": "{{ 'x' * 1000000 }}"},
			src:  "{{ s | replace('x', 'xxxxxxxxxxxxxxxxxxxx') }}",
			want: "filter replace: template result too large: a string of more than 16777216 bytes (the limit)",
		},
		{
			name: "split into too many",
			vars: map[string]any{"s": "{{ ',' * 2000000 }}"},
			src:  "{{ s | split(',') }}",
			want: "filter split: template result too large: a list of more than 1000000 elements (the limit)",
		},
		{
			name: "characters of a long string",
			vars: map[string]any{"s": "{{ 'x' * 2000000 }}"},
			src:  "{{ s | list }}",
			want: "filter list: template result too large: a list of more than 1000000 elements (the limit)",
		},
		{
			name: "a list of big strings",
			vars: map[string]any{"s": "{{ 'x' * 16000000 }}"},
			src:  "{{ [s, s, s, s, s] | length }}",
			want: "template result too large: a value of more than 67108864 bytes in all (the limit)",
		},
		{
			name: "a YAML list of big strings",
			vars: map[string]any{"s": "{{ 'x' * 16000000 }}", "l": []any{"{{ s }}", "{{ s }}", "{{ s }}", "{{ s }}", "{{ s }}"}},
			src:  "{{ l | length }}",
			want: "template result too large: a value of more than 67108864 bytes in all (the limit), in variable 'l'",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := renderCounted(tc.vars, tc.src)
			if err == nil {
				t.Fatalf("render(%q) = %.40v, want error %q", tc.src, got, tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("render(%q) error = %q, want %q", tc.src, err, tc.want)
			}
			var le *limitError
			if !errors.As(err, &le) || !le.Size {
				t.Errorf("render(%q) error = %#v, want a size limitError", tc.src, err)
			}
		})
	}
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
	want := `task \"debug\" (tasks.yml:44:5): debug.msg: template result too large: a string of more than 16777216 bytes (the limit), in variable 'v25'`
	if !strings.Contains(res.stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
		t.Errorf("the run allocated %d MiB, want at most 256 MiB", alloc>>20)
	}
}

// TestTripleReferenceChain checks that each templated variable is
// rendered once per scope: a chain of variables that each use their
// predecessor three times takes steps in proportion to its length, not
// to 3 to the power of it.
func TestTripleReferenceChain(t *testing.T) {
	tests := []struct {
		name     string
		n        int
		first    any
		step     string
		src      string
		want     any
		maxSteps int
	}{
		{"list length", 30, "x", "{{ [PREV, PREV, PREV] | length }}", "{{ v30 }}", 3, 30 * 20},
		{"sum of three", 30, 1, "{{ (PREV + PREV + PREV) // 3 }}", "{{ v30 }}", 1, 30 * 20},
		{"a dict of three", 25, 0, "{{ {'a': PREV, 'b': PREV, 'c': PREV}.a }}", "{{ v25 }}", 0, 25 * 20},
		// The text triples each time: 3**12 characters at the end, whose
		// building (5/2 times that many bytes copied) takes its steps too.
		{"text", 12, "x", "{{ PREV ~ PREV ~ PREV }}", "{{ v12 | length }}", 531441, 12*20 + 3*531441/textPerStep},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, steps, err := renderCounted(chainVars(tc.n, tc.first, tc.step), tc.src)
			if err != nil {
				t.Fatalf("render(%q) error: %v", tc.src, err)
			}
			if got != tc.want {
				t.Errorf("render(%q) = %v, want %v", tc.src, got, tc.want)
			}
			if steps > tc.maxSteps {
				t.Errorf("render(%q) took %d steps, want at most %d", tc.src, steps, tc.maxSteps)
			}
		})
	}
}

func TestTripleReferenceChainPlay(t *testing.T) {
	res := runPlay(t, chainPlay(30, "x", "{{ [PREV, PREV, PREV] | length }}", "{{ v30 }}"), Options{}, nil)
	if res.code != ExitOK || !strings.Contains(res.stdout, `"msg": 3`) {
		t.Errorf("exit %d, want 0 and msg 3; stdout:\n%s", res.code, res.stdout)
	}
}

func TestStepLimit(t *testing.T) {
	million := "((('x,' * 999999) ~ 'x') | split(','))"
	tests := []struct {
		name string
		src  string
	}{
		{"filters over a long list", "{{ " + million + strings.Repeat(" | map('string')", 8) + " | length }}"},
		{"sorting a long list again and again", "{{ " + million + strings.Repeat(" | sort", 8) + " | length }}"},
		{"comparing long lists", "{{ " + strings.Repeat(million+" == "+million+" and ", 3) + "true }}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, steps, err := renderCounted(nil, tc.src)
			var le *limitError
			if !errors.As(err, &le) || le.Size {
				t.Fatalf("render = %.40v, %v; want the step limit error", got, err)
			}
			if !strings.HasSuffix(err.Error(), "template evaluation too long: more than 10000000 steps (the limit)") {
				t.Errorf("error %q", err)
			}
			if steps <= maxSteps {
				t.Errorf("stopped after %d steps, before the limit", steps)
			}
		})
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

func TestCancelledEvaluation(t *testing.T) {
	long := "{{ ((('x,' * 99999) ~ 'x') | split(',')) | map('string') | map('string') | length }}"
	// The whole evaluation, uncancelled, for its step count.
	full := newScope(&templateCache{}).evaluator()
	if v, err := full.render(long); err != nil || v != 100000 {
		t.Fatalf("render = %v, %v; want 100000", v, err)
	}

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		src  string
	}{
		{"cancelled before", cancelled, "{{ 1 + 1 }}"},
		{"cancelled before, in a variable", cancelled, "{{ v5 }}"},
		{"cancelled during", &cancelAfter{Context: context.Background(), n: 10}, long},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := newScope(&templateCache{}, layer{vals: chainVars(5, "x", "{{ PREV ~ PREV }}"), templated: true})
			sc.ctx = tc.ctx
			ev := sc.evaluator()
			v, err := ev.render(tc.src)
			var ie *interruptedError
			if !errors.As(err, &ie) || !errors.Is(err, context.Canceled) {
				t.Fatalf("render = %v, %v; want the interruption", v, err)
			}
			if !strings.HasSuffix(err.Error(), "template evaluation interrupted: context canceled") {
				t.Errorf("error %q", err)
			}
			if ev.work.steps >= full.work.steps {
				t.Errorf("stopped after %d steps, the whole evaluation takes %d", ev.work.steps, full.work.steps)
			}
		})
	}
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
	re := regexp.MustCompile(`fatal: \[localhost\]: FAILED! \(0.00s\) => {"msg": "task \\"debug\\" \(tasks.yml:1:3\): debug.msg: filter \w+: template evaluation interrupted: context canceled"}`)
	if !re.MatchString(out.String()) {
		t.Errorf("stdout does not match %s:\n%s", re, out.String())
	}
	if strings.Contains(out.String(), "never") || errOut.String() != "zonemgr: error: interrupted: context canceled\n" {
		t.Errorf("stdout:\n%s\nstderr: %q", out.String(), errOut.String())
	}
}

func TestVarDepthLimit(t *testing.T) {
	_, _, err := renderCounted(chainVars(1500, "x", "{{ PREV }}"), "{{ v1500 }}")
	want := "template variables nested too deeply: more than 1000 levels (the limit), in variable 'v500'"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	v, _, err := renderCounted(chainVars(900, "x", "{{ PREV }}"), "{{ v900 }}")
	if err != nil || v != "x" {
		t.Errorf("render = %v, %v; want x", v, err)
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
			lines: []string{"ok: [localhost] (0.00s) => {", `    "msg": 2`, "}"},
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
	vars := map[string]any{}
	var refs []string
	for i := range 6 {
		vars[fmt.Sprintf("s%d", i)] = "{{ 'x' * 15000000 }}"
		refs = append(refs, fmt.Sprintf("s%d | length", i), fmt.Sprintf("s%d | length", i))
	}
	sc := newScope(&templateCache{}, layer{vals: vars, templated: true})
	v, err := sc.render("{{ [" + strings.Join(refs, ", ") + "] | sum }}")
	if err != nil || v != 12*15000000 {
		t.Fatalf("render = %v, %v; want %d", v, err, 12*15000000)
	}
	if sc.memoSize > maxMemoSize || len(sc.memo) != 4 {
		t.Errorf("memo of %d variables, %d bytes; want 4, at most %d", len(sc.memo), sc.memoSize, maxMemoSize)
	}
}

func TestUniqueKeys(t *testing.T) {
	tests := []struct {
		src  string
		want any
	}{
		{"{{ [1, 1.0, true, 2, '1', none, none] | unique }}", []any{1, 2, "1", nil}},
		{"{{ [[1, 'a'], [1.0, 'a'], {'k': [1]}, {'k': [true]}, [1, 'b']] | unique }}", []any{[]any{1, "a"}, map[string]any{"k": []any{1}}, []any{1, "b"}}},
		{"{{ ['a', 'A', 'a'] | unique }}", []any{"a", "A"}},
		{"{{ [0.0, -0.0] | unique }}", []any{0.0}},
		{"{{ (('x,' * 99999) ~ 'x') | split(',') | unique }}", []any{"x"}},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			got, err := newScope(&templateCache{}).render(tc.src)
			if err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("render = %#v, %v; want %#v", got, err, tc.want)
			}
		})
	}
	// NaN equals nothing, itself included, so unique keeps each.
	got, err := newScope(&templateCache{}).render("{{ [('nan' | float), ('nan' | float), [('nan' | float)], [('nan' | float)]] | unique | length }}")
	if err != nil || got != 4 {
		t.Errorf("unique of NaNs = %v, %v; want 4", got, err)
	}
}

// TestLargeInputPassesThrough checks that the bounds apply to values an
// evaluation builds, not to those it is given: a registered result larger
// than maxStringSize may be used and passed on whole, but not copied into
// new text.
func TestLargeInputPassesThrough(t *testing.T) {
	big := strings.Repeat("x", maxStringSize+1)
	sc := newScope(&templateCache{}, layer{vals: map[string]any{"r": map[string]any{"stdout": big}}},
		layer{vals: map[string]any{"out": "{{ r.stdout }}"}, templated: true})
	for _, src := range []string{"{{ r.stdout }}", "{{ r.stdout | default('') }}", "{{ out }}", "{{ out | d }}"} {
		if v, err := sc.render(src); err != nil || v != big {
			t.Errorf("render(%q) = %.20v, %v; want the whole stdout", src, v, err)
		}
	}
	if v, err := sc.render("{{ r.stdout | length }}"); err != nil || v != maxStringSize+1 {
		t.Errorf("length = %v, %v", v, err)
	}
	for _, src := range []string{"out: {{ r.stdout }}", "{{ r.stdout | trim }}", "{{ r.stdout ~ '' }}"} {
		if _, err := sc.render(src); !isSizeError(err) {
			t.Errorf("render(%q) error = %v, want the size error", src, err)
		}
	}
}
