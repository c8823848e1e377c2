package jinja

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// chainVars returns play vars v0 .. vn: v0 is first, and each later one
// is step with PREV standing for its predecessor's name.
func chainVars(n int, first any, step string) *Dict {
	vars := DictOf("v0", first)
	for i := 1; i <= n; i++ {
		vars.Set(fmt.Sprintf("v%d", i), strings.ReplaceAll(step, "PREV", fmt.Sprintf("v%d", i-1)))
	}
	return vars
}

// vmap makes a dict of a map, for the tests' variables.
func vmap(m map[string]any) *Dict { return FromPlain(m).(*Dict) }

// renderCounted renders src over templated variables (play vars) and
// returns the value, the steps the evaluation took and the error.
func renderCounted(vars *Dict, src string) (any, int, error) {
	env := newTestVars(nil, vars).env()
	v, err := env.Render(src)
	return v, env.work.steps, err
}

func TestSizeLimits(t *testing.T) {
	tests := []struct {
		name  string
		vars  *Dict
		src   string
		want  string
		isVar string // the variable the error names, if any
		// steps marks the step limit, not a size limit.
		steps bool
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
			// Each level's list is written as text and read back.
			name:  "doubling nested lists",
			vars:  chainVars(40, "x", "{{ [PREV, PREV] }}"),
			src:   "{{ v40 | length }}",
			want:  "template evaluation too long: more than 10000000 steps (the limit)",
			steps: true,
		},
		{
			name:  "doubling nested dicts",
			vars:  chainVars(40, "x", "{{ {'a': PREV, 'b': PREV} }}"),
			src:   "{{ v40 | length }}",
			want:  "template evaluation too long: more than 10000000 steps (the limit)",
			steps: true,
		},
		{
			name: "doubling join",
			vars: chainVars(40, "x", "{{ [PREV, PREV] | join }}"),
			src:  "{{ v40 }}",
			want: "template result too large: a string of more than 16777216 bytes (the limit), in variable 'v25'",
		},
		{
			name: "doubling to_json",
			vars: chainVars(40, []any{"x"}, "{{ [PREV | to_json, PREV | to_json] }}"),
			src:  "{{ v40 }}",
			want: "template result too large: a string of more than 16777216 bytes (the limit), in variable 'v12'",
		},
		{
			name: "doubling sum",
			vars: chainVars(40, []any{1}, "{{ [PREV, PREV] | sum(start=[]) }}"),
			src:  "{{ v40 }}",
			want: "template result too large: a list of more than 1000000 elements (the limit), in variable 'v20'",
		},
		{
			name: "growing replace",
			vars: vmap(map[string]any{"s": "{{ 'x' * 1000000 }}"}),
			src:  "{{ s | replace('x', 'xxxxxxxxxxxxxxxxxxxx') }}",
			want: "template result too large: a string of more than 16777216 bytes (the limit)",
		},
		{
			name: "split into too many",
			vars: vmap(map[string]any{"s": "{{ ',' * 2000000 }}"}),
			src:  "{{ s | split(',') }}",
			want: "template result too large: a list of more than 1000000 elements (the limit)",
		},
		{
			name: "characters of a long string",
			vars: vmap(map[string]any{"s": "{{ 'x' * 2000000 }}"}),
			src:  "{{ s | list }}",
			want: "template result too large: a list of more than 1000000 elements (the limit)",
		},
		{
			name: "a list of big strings",
			vars: vmap(map[string]any{"s": "{{ 'x' * 16000000 }}"}),
			src:  "{{ [s, s, s, s, s] | length }}",
			want: "template result too large: a value of more than 67108864 bytes in all (the limit)",
		},
		{
			name: "a YAML list of big strings",
			vars: vmap(map[string]any{"s": "{{ 'x' * 16000000 }}", "l": []any{"{{ s }}", "{{ s }}", "{{ s }}", "{{ s }}", "{{ s }}"}}),
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
			if !errors.As(err, &le) || le.Size == tc.steps {
				t.Errorf("render(%q) error = %#v, want a limitError (steps: %v)", tc.src, err, tc.steps)
			}
		})
	}
}

// TestTripleReferenceChain checks that an evaluation over Vars that
// render each templated variable once (as the play's scope does) takes
// steps in proportion to the work: a chain of variables that each use
// their predecessor three times takes steps in proportion to its length,
// not to 3 to the power of it.
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
		// A template's value is text: "3", then "3" again.
		{"list length", 30, "x", "{{ [PREV, PREV, PREV] | length }}", "{{ v30 }}", "3", 30 * 20},
		{"sum of three", 30, 1, "{{ ((PREV | int) + (PREV | int) + (PREV | int)) // 3 }}", "{{ v30 }}", "1", 30 * 30},
		{"a dict of three", 25, 0, "{{ {'a': PREV, 'b': PREV, 'c': PREV}.a }}", "{{ v25 }}", "0", 25 * 20},
		// The text triples each time: 3**12 characters at the end, whose
		// building (five times that many bytes copied and scanned) takes
		// its steps too.
		{"text", 12, "x", "{{ PREV ~ PREV ~ PREV }}", "{{ v12 | length }}", "531441", 12*20 + 5*531441/textPerStep},
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
	full := NewEnv(nil, nil, nil)
	if v, err := full.Render(long); err != nil || v != "100000" {
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
			ev := NewEnv(tc.ctx, newTestVars(nil, chainVars(5, "x", "{{ PREV ~ PREV }}")), &Cache{})
			v, err := ev.Render(tc.src)
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

func TestUniqueKeys(t *testing.T) {
	// Expected values are Ansible's: its unique is Jinja2's, which
	// compares text without case, and for elements Jinja2 cannot hash
	// (lists, dicts) Ansible's own, which compares with ==.
	tests := []struct {
		src  string
		want string
	}{
		{"{{ [1, 1.0, true, 2, '1', none, none] | unique }}", "[1, 2, '1', None]"},
		{"{{ [[1, 'a'], [1.0, 'a'], {'k': [1]}, {'k': [true]}, [1, 'b']] | unique }}", "[[1, 'a'], {'k': [1]}, [1, 'b']]"},
		{"{{ ['a', 'A', 'a'] | unique }}", "['a']"},
		{"{{ ['a', 'A', 'a'] | unique(case_sensitive=true) }}", "['a', 'A']"},
		{"{{ [0.0, -0.0] | unique }}", "[0.0]"},
		{"{{ (('x,' * 99999) ~ 'x') | split(',') | unique }}", "['x']"},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			got, err := NewEnv(nil, nil, nil).Render(tc.src)
			if err != nil || Repr(got) != tc.want {
				t.Errorf("render = %s, %v; want %s", Repr(got), err, tc.want)
			}
		})
	}
	// NaN equals nothing, itself included, so unique keeps each.
	got, err := NewEnv(nil, nil, nil).Render("{{ [('nan' | float), ('nan' | float), [('nan' | float)], [('nan' | float)]] | unique | length }}")
	if err != nil || got != "4" {
		t.Errorf("unique of NaNs = %v, %v; want 4", got, err)
	}
}

// TestLargeInputPassesThrough checks that the bounds apply to values an
// evaluation builds, not to those it is given: a registered result larger
// than maxStringSize may be used and passed on whole, but not copied into
// new text.
func TestLargeInputPassesThrough(t *testing.T) {
	big := strings.Repeat("x", maxStringSize+1)
	sc := newTestVars(DictOf("r", DictOf("stdout", big)), DictOf("out", "{{ r.stdout }}"))
	for _, src := range []string{"{{ r.stdout }}", "{{ r.stdout | default('') }}", "{{ out }}", "{{ out | d }}"} {
		if v, err := sc.render(src); err != nil || v != big {
			t.Errorf("render(%q) = %.20v, %v; want the whole stdout", src, v, err)
		}
	}
	if v, err := sc.render("{{ r.stdout | length }}"); err != nil || v != fmt.Sprint(maxStringSize+1) {
		t.Errorf("length = %v, %v", v, err)
	}
	for _, src := range []string{"out: {{ r.stdout }}", "{{ r.stdout | trim }}", "{{ r.stdout ~ '' }}"} {
		if _, err := sc.render(src); !isSizeError(err) {
			t.Errorf("render(%q) error = %v, want the size error", src, err)
		}
	}
}
