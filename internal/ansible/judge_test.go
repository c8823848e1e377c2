package ansible

import (
	"context"
	"reflect"
	"testing"
)

func TestJudge(t *testing.T) {
	tests := []struct {
		name     string
		stdout   string
		exit     int
		stderr   string
		want     Verdict
		wantKeys map[string]any // checked in Result; nil means absent
	}{
		{
			// Verified: {"rc": 2, ...} with exit 0 fails the task.
			name:   "rc 2 with exit 0",
			stdout: `{"rc": 2, "changed": true, "msg": "make failed"}` + "\n",
			want:   Verdict{Failed: true, Changed: true, Msg: "make failed"},
		},
		{
			name:   "rc with failed false",
			stdout: `{"rc": 2, "failed": false}`,
			want:   Verdict{},
		},
		{
			name:   "rc zero forms",
			stdout: `{"rc": "0", "changed": 1}`,
			want:   Verdict{Changed: true},
		},
		{
			name:   "rc 0.0",
			stdout: `{"rc": 0.0}`,
			want:   Verdict{},
		},
		{
			name:   "rc string 2",
			stdout: `{"rc": "2"}`,
			want:   Verdict{Failed: true},
		},
		{
			name:   "rc null",
			stdout: `{"rc": null}`,
			want:   Verdict{Failed: true},
		},
		{
			// Verified: a valid success object with exit code 5 shows as changed.
			name:   "exit status ignored",
			stdout: `{"changed": true, "failed": false}`,
			exit:   5,
			want:   Verdict{Changed: true},
		},
		{
			name:   "failed is Python-truthy",
			stdout: `{"failed": "false", "msg": 3}`,
			want:   Verdict{Failed: true, Msg: "3"},
		},
		{
			name:     "changed missing",
			stdout:   `{"msg": "hello"}`,
			want:     Verdict{Msg: "hello"},
			wantKeys: map[string]any{"changed": false, "failed": false},
		},
		{
			name:   "skipped",
			stdout: `{"skipped": true, "changed": false, "msg": "remote module (m) does not support check mode"}`,
			want:   Verdict{Skipped: true, Msg: "remote module (m) does not support check mode"},
		},
		{
			// Verified: junk before the JSON is dropped without a word.
			name:   "junk before",
			stdout: "Last login: today\n  {\"changed\": true,\n \"msg\": \"x\"}\n",
			want:   Verdict{Changed: true, Msg: "x"},
		},
		{
			// Verified: junk after the JSON is dropped with a warning.
			name:   "junk after",
			stdout: "{\"changed\": false}\ntrailing junk\n\nmore\n",
			want: Verdict{Warnings: []string{
				"Module invocation had junk after the JSON data: trailing junk\n\nmore",
			}},
		},
		{
			name:   "blank lines after",
			stdout: "{\"changed\": false}\n\n  \n",
			want:   Verdict{},
		},
		{
			// Verified: non-JSON stdout is MODULE FAILURE.
			name:   "not JSON",
			stdout: "this is not json\n",
			exit:   7,
			stderr: "some stderr text\n",
			want:   Verdict{Failed: true, Msg: "MODULE FAILURE\nSee stdout/stderr for the exact error"},
			wantKeys: map[string]any{
				"changed":       false,
				"failed":        true,
				"module_stderr": "some stderr text\n",
				"module_stdout": "this is not json\n",
				"msg":           "MODULE FAILURE\nSee stdout/stderr for the exact error",
				"rc":            7,
			},
		},
		{
			name:   "broken JSON",
			stdout: "{\"changed\": tru}\n",
			exit:   0,
			want:   Verdict{Failed: true, Msg: "MODULE FAILURE\nSee stdout/stderr for the exact error"},
			wantKeys: map[string]any{
				"module_stdout": "{\"changed\": tru}\n",
				"module_stderr": "",
				"rc":            0,
			},
		},
		{
			name:   "no end",
			stdout: "{\"changed\": true\n",
			exit:   2,
			want:   Verdict{Failed: true, Msg: "MODULE FAILURE\nSee stdout/stderr for the exact error"},
		},
		{
			name:   "empty",
			stdout: "",
			exit:   127,
			stderr: "/bin/sh: 1: AnsiballZ_zone_giz: not found\n",
			want:   Verdict{Failed: true, Msg: "MODULE FAILURE\nSee stdout/stderr for the exact error"},
			wantKeys: map[string]any{
				"module_stderr": "/bin/sh: 1: AnsiballZ_zone_giz: not found\n",
				"rc":            127,
			},
		},
		{
			name:   "internal keys removed",
			stdout: `{"changed": true, "_ansible_no_log": false, "_ansible_verbose_always": true}`,
			want: Verdict{Changed: true, Warnings: []string{
				"Removed unexpected internal key in module return: _ansible_no_log = False",
				"Removed unexpected internal key in module return: _ansible_verbose_always = True",
			}},
			wantKeys: map[string]any{"_ansible_no_log": nil, "_ansible_verbose_always": nil},
		},
		{
			name:     "module warnings",
			stdout:   `{"warnings": ["first", "second"], "deprecations": []}`,
			want:     Verdict{Warnings: []string{"first", "second"}},
			wantKeys: map[string]any{"deprecations": nil, "warnings": []any{"first", "second"}},
		},
		{
			name:     "empty warnings dropped",
			stdout:   `{"warnings": []}`,
			want:     Verdict{},
			wantKeys: map[string]any{"warnings": nil},
		},
		{
			name:   "results not a list",
			stdout: `{"results": "x"}`,
			want: Verdict{Warnings: []string{
				"Found internal 'results' key in module return, renamed to 'ansible_module_results'.",
			}},
			wantKeys: map[string]any{"results": nil, "ansible_module_results": "x"},
		},
		{
			name:   "stdout lines",
			stdout: `{"stdout": "a\nb\r\nc\n", "stderr": null, "rc": 0}`,
			want:   Verdict{},
			wantKeys: map[string]any{
				"stdout_lines": []any{"a", "b", "c"},
				"stderr_lines": []any{},
			},
		},
		{
			name:     "stdout lines kept",
			stdout:   `{"stdout": "a\nb", "stdout_lines": ["given"]}`,
			want:     Verdict{},
			wantKeys: map[string]any{"stdout_lines": []any{"given"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Judge([]byte(tt.stdout), tt.exit, []byte(tt.stderr))
			res := got.Result
			got.Result = nil
			if got.Warnings == nil {
				got.Warnings = []string(nil)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Judge = %+v\nwant %+v", got, tt.want)
			}
			if _, ok := res["failed"]; !ok {
				t.Error("Result lacks failed")
			}
			if _, ok := res["changed"]; !ok {
				t.Error("Result lacks changed")
			}
			for k, w := range tt.wantKeys {
				v, ok := res[k]
				if w == nil {
					if ok {
						t.Errorf("Result[%s] = %#v, want absent", k, v)
					}
					continue
				}
				if !ok || !jsonEqual(v, w) {
					t.Errorf("Result[%s] = %#v, want %#v", k, v, w)
				}
			}
		})
	}
}

func TestJudgeNotJSONResultExactly(t *testing.T) {
	got := Judge([]byte("this is not json\n"), 7, []byte("some stderr text\n"))
	want := map[string]any{
		"changed":       false,
		"failed":        true,
		"module_stderr": "some stderr text\n",
		"module_stdout": "this is not json\n",
		"msg":           "MODULE FAILURE\nSee stdout/stderr for the exact error",
		"rc":            7,
	}
	if !reflect.DeepEqual(got.Result, want) {
		t.Errorf("Result = %#v\nwant %#v", got.Result, want)
	}
}

func TestFilterJSON(t *testing.T) {
	tests := []struct {
		in       string
		want     string
		warnings []string
		ok       bool
	}{
		{`{"a": 1}`, `{"a": 1}`, nil, true},
		{"motd\n{\"a\": 1}\n", `{"a": 1}`, nil, true},
		{"[1]\n{\"a\":\n 1}\nbye\n", "{\"a\":\n 1}", []string{"Module invocation had junk after the JSON data: bye"}, true},
		{"\t{\"a\": 1}  \r\n", "\t{\"a\": 1}  ", nil, true},
		{"x\x0b{\"a\": 1}\u2028y", `{"a": 1}`, []string{"Module invocation had junk after the JSON data: y"}, true},
		{"[1, 2]\n", "", nil, false},
		{"no json here", "", nil, false},
		{"{ never closed", "", nil, false},
	}
	for _, tt := range tests {
		got, warnings, err := FilterJSON([]byte(tt.in))
		if (err == nil) != tt.ok || string(got) != tt.want || !reflect.DeepEqual(warnings, tt.warnings) {
			t.Errorf("FilterJSON(%q) = %q, %q, %v; want %q, %q, ok %v", tt.in, got, warnings, err, tt.want, tt.warnings, tt.ok)
		}
	}
}

// TestJudgeAgreesWithInvoke checks that the exit status Invoke gives is
// the verdict Ansible reaches on its output.
func TestJudgeAgreesWithInvoke(t *testing.T) {
	results := []*Result{
		{Changed: true},
		{Failed: true, Msg: "no"},
		(&Result{}).Set("rc", 3),
		(&Result{}).Set("rc", 0),
		{Skipped: true},
	}
	for _, r := range results {
		m := testModule(func(context.Context, *Params) (*Result, error) { return r, nil })
		out, code := Invoke(context.Background(), m, []byte(`{"name": "z"}`))
		v := Judge(out, code, nil)
		if v.Failed != (code == 1) || v.Changed != r.Changed || v.Skipped != r.Skipped {
			t.Errorf("%s: exit %d but verdict %+v", out, code, v)
		}
	}
}
