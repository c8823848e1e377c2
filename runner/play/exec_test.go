package play

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// golden is the whole output of a small play: banners padded to 80
// columns, status lines with durations, debug and assert results
// indented, a failure's result on one line, the recap with Ansible's
// spacing.
const goldenPlay = `
- name: say hello
  debug:
    msg: "hello {{ who }}"
- name: make zone
  echo:
    msg: made
    changed: true
  register: made
- name: skip me
  echo: {}
  when: made is not changed
- name: check
  assert:
    that: made.msg == 'made'
- name: each
  echo:
    msg: "{{ item }}"
    changed: "{{ item == 'b' }}"
  loop: [a, b]
- name: break it
  break:
    name: z1
  ignore_errors: true
`

const goldenOutput = `
PLAY [localhost] ***************************************************************

TASK [say hello] ***************************************************************
ok: [localhost] (0.25s) => {
    "msg": "hello world"
}

TASK [make zone] ***************************************************************
changed: [localhost] (0.25s)

TASK [skip me] *****************************************************************
skipping: [localhost]

TASK [check] *******************************************************************
ok: [localhost] (0.25s) => {
    "changed": false,
    "msg": "All assertions passed"
}

TASK [each] ********************************************************************
ok: [localhost] => (item=a) (0.25s)
changed: [localhost] => (item=b) (0.25s)

TASK [break it] ****************************************************************
fatal: [localhost]: FAILED! (0.25s) => {"changed": true, "commands": [{"cmd": "zfs list"}], "failed_command": ["zfs", "clone", "a@s", "b"], "msg": "clone zone z1: exit status 1", "stderr": "cannot clone\n", "stderr_lines": ["cannot clone"]}
...ignoring

PLAY RECAP *********************************************************************
localhost                  : ok=5    changed=3    unreachable=0    failed=0    skipped=1    rescued=0    ignored=1   

`

func TestGoldenOutput(t *testing.T) {
	var out, errOut strings.Builder
	r := &Runner{
		Options:  Options{ExtraVars: []string{"who=world"}},
		Modules:  testModules(),
		Stdout:   &out,
		Stderr:   &errOut,
		Getenv:   func(string) string { return "" },
		now:      fixedClock(250_000_000),
		readFile: files{"tasks.yml": goldenPlay}.read,
	}
	if code := r.Run(context.Background(), "tasks.yml"); code != ExitOK {
		t.Errorf("exit %d, want 0; stderr: %s", code, errOut.String())
	}
	if out.String() != goldenOutput {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), goldenOutput)
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr = %q, want nothing", errOut.String())
	}
}

// recap returns the recap line of an output.
func recap(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "localhost ") {
			return strings.Join(strings.Fields(l), " ")
		}
	}
	return ""
}

func TestExecution(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		opts  Options
		code  int
		lines []string // status lines, in order
		recap string   // counts after "localhost :"
	}{
		{
			name: "register and when",
			text: `
- echo: {msg: one, changed: true}
  register: r
- debug: {msg: "{{ r.msg }} changed={{ r.changed }} failed={{ r.failed }}"}
  when: r is changed and r.msg == 'one'
- debug: {msg: never}
  when: r.failed
- debug: {var: skipped_one}
- debug: {msg: "{{ skipped_two is skipped }} {{ skipped_two.skip_reason }}"}
- echo: {}
  register: skipped_two
  when: [true, 1 == 2]
- debug: {msg: "{{ skipped_two.skip_reason }}"}
`,
			code: 2,
			lines: []string{
				"changed: [localhost] (0.00s)",
				"ok: [localhost] (0.00s) => {",
				`    "msg": "one changed=True failed=False"`,
				"}",
				"skipping: [localhost]",
				"ok: [localhost] (0.00s) => {",
				`    "skipped_one": "VARIABLE IS NOT DEFINED!"`,
				"}",
				`fatal: [localhost]: FAILED! (0.00s) => {"msg": "The task includes an option with an undefined variable. The error was: 'skipped_two' is undefined. 'skipped_two' is undefined\n\nThe error appears to be in 'tasks.yml': line 9, column 3, but may\nbe elsewhere in the file depending on the exact syntax problem.\n\nThe offending line appears to be:\n\n- debug: {var: skipped_one}\n- debug: {msg: \"{{ skipped_two is skipped }} {{ skipped_two.skip_reason }}\"}\n  ^ here\nWe could be wrong, but this one looks like it might be an issue with\nmissing quotes. Always quote template expression brackets when they\nstart a value. For instance:\n\n    with_items:\n      - {{ foo }}\n\nShould be written as:\n\n    with_items:\n      - \"{{ foo }}\"\n"}`,
			},
			recap: "ok=3 changed=1 unreachable=0 failed=1 skipped=1 rescued=0 ignored=0",
		},
		{
			name: "skipped result shape",
			text: `
- echo: {}
  register: s
  when: [true, 1 == 2]
- debug: {msg: "{{ s.skip_reason }} / {{ s is skipped }} / {{ s.changed }} / {{ s.keys() | sort }}"}
`,
			lines: []string{
				"skipping: [localhost]",
				"ok: [localhost] (0.00s) => {",
				`    "msg": "Conditional result was False / True / False / ['changed', 'skip_reason', 'skipped']"`,
				"}",
			},
			recap: "ok=1 changed=0 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0",
		},
		{
			name: "loop with when, loop_var, index_var and label",
			text: `
- echo: {msg: "{{ z.name }}-{{ i }}", changed: "{{ z.new }}"}
  loop: [{name: a, new: true}, {name: b, new: false}, {name: c, new: true}]
  loop_control: {loop_var: z, index_var: i, label: "{{ z.name }}"}
  when: z.name != 'b'
  register: out
- debug: {msg: "{{ out.results | length }} {{ out.changed }} {{ out.msg }} {{ out.results.0.msg }} {{ out.results.1.skipped }} {{ out.results.2.ansible_loop_var }} {{ out.results.2.i }}"}
- debug: {msg: "{{ item }}"}
  loop: "{{ [1, 2] }}"
`,
			lines: []string{
				"changed: [localhost] => (item=a) (0.00s)",
				"skipping: [localhost] => (item=b) ",
				"changed: [localhost] => (item=c) (0.00s)",
				"ok: [localhost] (0.00s) => {",
				`    "msg": "3 True All items completed a-0 True z 2"`,
				"}",
				"ok: [localhost] => (item=1) (0.00s) => {",
				`    "msg": 1`,
				"}",
				"ok: [localhost] => (item=2) (0.00s) => {",
				`    "msg": 2`,
				"}",
			},
			recap: "ok=3 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0",
		},
		{
			name: "loop all skipped and empty",
			text: `
- echo: {}
  loop: [1, 2]
  when: item > 5
  register: s
- echo: {}
  loop: []
  register: e
- debug: {msg: "{{ s.skipped }} {{ s.msg }} {{ e.skipped }} {{ e.results }}"}
`,
			lines: []string{
				"skipping: [localhost] => (item=1) ",
				"skipping: [localhost] => (item=2) ",
				"skipping: [localhost]",
				"skipping: [localhost]",
				"ok: [localhost] (0.00s) => {",
				`    "msg": "True All items skipped True []"`,
				"}",
			},
			recap: "ok=1 changed=0 unreachable=0 failed=0 skipped=2 rescued=0 ignored=0",
		},
		{
			name: "loop item failure runs the other items then fails",
			text: `
- echo: {fail: "{{ item == 2 }}", msg: "m{{ item }}"}
  loop: [1, 2, 3]
- debug: {msg: never}
`,
			code: 2,
			lines: []string{
				"ok: [localhost] => (item=1) (0.00s)",
				`failed: [localhost] (item=2) (0.00s) => {"ansible_loop_var": "item", "changed": false, "item": 2, "msg": "m2", "settings": {"check_mode": false, "diff": false, "module_name": "echo", "no_log": false, "tmpdir_set": true, "verbosity": 0}}`,
				"ok: [localhost] => (item=3) (0.00s)",
			},
			recap: "ok=0 changed=0 unreachable=0 failed=1 skipped=0 rescued=0 ignored=0",
		},
		{
			name: "loop over a string",
			text: "- debug: {msg: x}\n  loop: \"{{ 'abc' }}\"\n",
			code: 2,
			lines: []string{
				`fatal: [localhost]: FAILED! (0.00s) => {"msg": "Invalid data passed to 'loop', it requires a list, got this instead: abc. Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup."}`,
			},
			recap: "ok=0 changed=0 unreachable=0 failed=1 skipped=0 rescued=0 ignored=0",
		},
		{
			name: "undefined loop with a false when skips",
			text: "- debug: {msg: x}\n  loop: \"{{ nope }}\"\n  when: nope is defined\n",
			lines: []string{
				"skipping: [localhost]",
			},
			recap: "ok=0 changed=0 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0",
		},
		{
			name: "changed_when and failed_when",
			text: `
- echo: {changed: true}
  changed_when: false
- echo: {msg: x}
  register: r
  changed_when: r.msg == 'x'
- echo: {rc: 3}
  register: r
  failed_when: r.rc not in [0, 3]
- debug: {msg: "{{ r.failed }} {{ r.failed_when_result }} {{ r.rc }}"}
- echo: {rc: 1}
  failed_when: false
  changed_when: true
- echo: {}
  failed_when: true
  ignore_errors: true
`,
			lines: []string{
				"ok: [localhost] (0.00s)",
				"changed: [localhost] (0.00s)",
				"ok: [localhost] (0.00s)",
				"ok: [localhost] (0.00s) => {",
				`    "msg": "False False 3"`,
				"}",
				"changed: [localhost] (0.00s)",
				`fatal: [localhost]: FAILED! (0.00s) => {"changed": false, "failed_when_result": true, "msg": "", "settings": {"check_mode": false, "diff": false, "module_name": "echo", "no_log": false, "tmpdir_set": true, "verbosity": 0}}`,
				"...ignoring",
			},
			recap: "ok=6 changed=2 unreachable=0 failed=0 skipped=0 rescued=0 ignored=1",
		},
		{
			name: "non-zero rc fails as in Ansible",
			text: "- echo: {rc: 2, msg: exited}\n",
			code: 2,
			lines: []string{
				`fatal: [localhost]: FAILED! (0.00s) => {"changed": false, "msg": "exited", "rc": 2, "settings": {"check_mode": false, "diff": false, "module_name": "echo", "no_log": false, "tmpdir_set": true, "verbosity": 0}}`,
			},
			recap: "ok=0 changed=0 unreachable=0 failed=1 skipped=0 rescued=0 ignored=0",
		},
		{
			name: "failure stops the play",
			text: "- fail: {msg: stop here}\n- debug: {msg: never}\n",
			code: 2,
			lines: []string{
				`fatal: [localhost]: FAILED! (0.00s) => {"changed": false, "msg": "stop here"}`,
			},
			recap: "ok=0 changed=0 unreachable=0 failed=1 skipped=0 rescued=0 ignored=0",
		},
		{
			name: "assert failure",
			text: "- assert:\n    that: [1 == 1, 2 == 3]\n    fail_msg: \"bad {{ 2 }}\"\n",
			code: 2,
			lines: []string{
				"fatal: [localhost]: FAILED! (0.00s) => {",
				`    "assertion": "2 == 3",`,
				`    "changed": false,`,
				`    "evaluated_to": false,`,
				`    "msg": "bad 2"`,
				"}",
			},
			recap: "ok=0 changed=0 unreachable=0 failed=1 skipped=0 rescued=0 ignored=0",
		},
		{
			name: "rescue clears the failure, always runs after",
			text: `
- name: outer
  block:
    - debug: {msg: body}
    - break: {name: z}
    - debug: {msg: never}
  rescue:
    - debug: {msg: "rescue {{ ansible_failed_task.action }}: {{ ansible_failed_result.msg }}"}
  always:
    - debug: {msg: always}
- debug: {msg: after}
`,
			lines: []string{
				"ok: [localhost] (0.00s) => {", `    "msg": "body"`, "}",
				`fatal: [localhost]: FAILED! (0.00s) => {"changed": true, "commands": [{"cmd": "zfs list"}], "failed_command": ["zfs", "clone", "a@s", "b"], "msg": "clone zone z: exit status 1", "stderr": "cannot clone\n", "stderr_lines": ["cannot clone"]}`,
				"ok: [localhost] (0.00s) => {", `    "msg": "rescue break: clone zone z: exit status 1"`, "}",
				"ok: [localhost] (0.00s) => {", `    "msg": "always"`, "}",
				"ok: [localhost] (0.00s) => {", `    "msg": "after"`, "}",
			},
			recap: "ok=4 changed=0 unreachable=0 failed=0 skipped=0 rescued=1 ignored=0",
		},
		{
			name: "always runs after an unrescued failure, then the play stops",
			text: `
- block:
    - fail: {msg: boom}
  always:
    - debug: {msg: cleanup}
- debug: {msg: never}
`,
			code: 2,
			lines: []string{
				`fatal: [localhost]: FAILED! (0.00s) => {"changed": false, "msg": "boom"}`,
				"ok: [localhost] (0.00s) => {", `    "msg": "cleanup"`, "}",
			},
			recap: "ok=1 changed=0 unreachable=0 failed=1 skipped=0 rescued=0 ignored=0",
		},
		{
			name: "failing rescue and failing always",
			text: `
- block:
    - fail: {msg: one}
  rescue:
    - fail: {msg: two}
  always:
    - debug: {msg: still}
    - fail: {msg: three}
    - debug: {msg: never}
`,
			code: 2,
			lines: []string{
				`fatal: [localhost]: FAILED! (0.00s) => {"changed": false, "msg": "one"}`,
				`fatal: [localhost]: FAILED! (0.00s) => {"changed": false, "msg": "two"}`,
				"ok: [localhost] (0.00s) => {", `    "msg": "still"`, "}",
				`fatal: [localhost]: FAILED! (0.00s) => {"changed": false, "msg": "three"}`,
			},
			recap: "ok=1 changed=0 unreachable=0 failed=2 skipped=0 rescued=1 ignored=0",
		},
		{
			name: "nested block failure is rescued by the outer block",
			text: `
- block:
    - block:
        - fail: {msg: inner}
      always:
        - debug: {msg: inner always}
  rescue:
    - debug: {msg: outer rescue}
- debug: {msg: after}
`,
			lines: []string{
				`fatal: [localhost]: FAILED! (0.00s) => {"changed": false, "msg": "inner"}`,
				"ok: [localhost] (0.00s) => {", `    "msg": "inner always"`, "}",
				"ok: [localhost] (0.00s) => {", `    "msg": "outer rescue"`, "}",
				"ok: [localhost] (0.00s) => {", `    "msg": "after"`, "}",
			},
			recap: "ok=3 changed=0 unreachable=0 failed=0 skipped=0 rescued=1 ignored=0",
		},
		{
			name: "block when, vars and ignore_errors apply to its tasks",
			text: `
- block:
    - debug: {msg: "{{ v }}"}
    - fail: {}
    - debug: {msg: "{{ v }} {{ w }}"}
      vars: {w: task}
  vars: {v: block}
  ignore_errors: true
- block:
    - debug: {msg: never}
  when: false
- fail: {}
  ignore_errors: "{{ 'yes' }}"
- fail: {}
  ignore_errors: "True"
`,
			lines: []string{
				"ok: [localhost] (0.00s) => {", `    "msg": "block"`, "}",
				`fatal: [localhost]: FAILED! (0.00s) => {"changed": false, "msg": "Failed as requested from task"}`,
				"...ignoring",
				"ok: [localhost] (0.00s) => {", `    "msg": "block task"`, "}",
				"skipping: [localhost]",
				`fatal: [localhost]: FAILED! (0.00s) => {"changed": false, "msg": "Failed as requested from task"}`,
				"...ignoring",
				`fatal: [localhost]: FAILED! (0.00s) => {"changed": false, "msg": "Failed as requested from task"}`,
				"...ignoring",
			},
			recap: "ok=5 changed=0 unreachable=0 failed=0 skipped=1 rescued=0 ignored=3",
		},
		{
			name: "variable precedence",
			text: `
vars: {a: play, b: play, c: play, d: play, e: play}
tasks:
  - set_fact: {c: fact, e: fact, flag: "Yes", n: "{{ 2 }}"}
  - debug: {msg: "{{ a }} {{ b }} {{ c }} {{ d }} {{ e }} {{ flag }} {{ n | int + 1 }}"}
    vars: {b: task, c: task, e: task}
`,
			opts: Options{ExtraVars: []string{"d=extra e=extra"}},
			lines: []string{
				"ok: [localhost] (0.00s)",
				"ok: [localhost] (0.00s) => {", `    "msg": "play task fact extra extra True 3"`, "}",
			},
			recap: "ok=2 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0",
		},
		{
			name: "set_fact in a loop accumulates",
			text: `
- set_fact: {acc: "{{ acc | default([]) + [item] }}"}
  loop: [x, y]
- debug: {var: acc}
`,
			lines: []string{
				"ok: [localhost] => (item=x) (0.00s)",
				"ok: [localhost] => (item=y) (0.00s)",
				"ok: [localhost] (0.00s) => {", `    "acc": [`, `        "x",`, `        "y"`, "    ]", "}",
			},
			recap: "ok=2 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0",
		},
		{
			name: "omit and magic variables",
			text: `
- echo: {msg: "{{ nope | default(omit) }}", value: "{{ [ansible_check_mode, inventory_hostname, omit, {'a': omit, 'b': 1}] }}"}
  register: r
- debug: {msg: "{{ r.msg }}|{{ r.value }}"}
`,
			lines: []string{
				"ok: [localhost] (0.00s)",
				"ok: [localhost] (0.00s) => {", `    "msg": "|[False, 'localhost', '` + omitPlaceholder + `', {'b': 1}]"`, "}",
			},
			recap: "ok=2 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0",
		},
		{
			name: "undefined variable in module args names variable and task",
			text: "- name: make\n  echo: {msg: \"{{ zone_name }}\"}\n",
			code: 2,
			lines: []string{
				`fatal: [localhost]: FAILED! (0.00s) => {"msg": "The task includes an option with an undefined variable. The error was: 'zone_name' is undefined. 'zone_name' is undefined\n\nThe error appears to be in 'tasks.yml': line 1, column 3, but may\nbe elsewhere in the file depending on the exact syntax problem.\n\nThe offending line appears to be:\n\n\n- name: make\n  ^ here\n"}`,
			},
			recap: "ok=0 changed=0 unreachable=0 failed=1 skipped=0 rescued=0 ignored=0",
		},
		{
			name: "undefined variable in when names variable and task",
			text: "- name: maybe\n  debug: {}\n  when: zone.name == 'x'\n",
			code: 2,
			lines: []string{
				`fatal: [localhost]: FAILED! (0.00s) => {"msg": "The conditional check 'zone.name == 'x'' failed. The error was: error while evaluating conditional (zone.name == 'x'): 'zone' is undefined. 'zone' is undefined\n\nThe error appears to be in 'tasks.yml': line 1, column 3, but may\nbe elsewhere in the file depending on the exact syntax problem.\n\nThe offending line appears to be:\n\n\n- name: maybe\n  ^ here\n"}`,
			},
			recap: "ok=0 changed=0 unreachable=0 failed=1 skipped=0 rescued=0 ignored=0",
		},
		{
			name: "check mode",
			text: "- echo: {changed: true}\n  register: r\n- nocheck: {}\n- debug: {msg: \"{{ r.settings.check_mode }}\"}\n",
			opts: Options{Check: true},
			lines: []string{
				"changed: [localhost] (0.00s)",
				"skipping: [localhost]",
				"ok: [localhost] (0.00s) => {", `    "msg": true`, "}",
			},
			recap: "ok=2 changed=1 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0",
		},
		{
			name: "no_log censors",
			text: "- echo: {secret: hunter2, fail: true, msg: \"pw hunter2\"}\n  no_log: true\n",
			code: 2,
			lines: []string{
				`fatal: [localhost]: FAILED! (0.00s) => {"censored": "the output has been hidden due to the fact that 'no_log: true' was specified for this result", "changed": false}`,
			},
			recap: "ok=0 changed=0 unreachable=0 failed=1 skipped=0 rescued=0 ignored=0",
		},
		{
			name: "module settings",
			text: "- illumos.zonemgr.echo: {}\n  register: r\n- debug: {var: r.settings}\n",
			opts: Options{Diff: true, Verbosity: 0},
			lines: []string{
				"ok: [localhost] (0.00s)",
				"ok: [localhost] (0.00s) => {",
				`    "r.settings": {`,
				`        "check_mode": false,`,
				`        "diff": true,`,
				`        "module_name": "illumos.zonemgr.echo",`,
				`        "no_log": false,`,
				`        "tmpdir_set": true,`,
				`        "verbosity": 0`,
				"    }",
				"}",
			},
			recap: "ok=2 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0",
		},
		{
			name: "YAML 1.1 booleans reach modules as booleans",
			text: "- echo: {value: [yes, \"yes\", on, 0755], count: \"{{ 2 + 3 }}\", names: [1, b]}\n  register: r\n- debug: {msg: \"{{ r.value }} {{ r.count }} {{ r.names }}\"}\n",
			lines: []string{
				"ok: [localhost] (0.00s)",
				"ok: [localhost] (0.00s) => {", `    "msg": "[True, 'yes', True, 493] 5 ['1', 'b']"`, "}",
			},
			recap: "ok=2 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0",
		},
		{
			name: "debug verbosity",
			text: "- debug: {msg: hidden, verbosity: 1}\n",
			lines: []string{
				"skipping: [localhost]",
			},
			recap: "ok=0 changed=0 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runPlay(t, tc.text, tc.opts, nil)
			if res.code != tc.code {
				t.Errorf("exit %d, want %d; stderr: %s", res.code, tc.code, res.stderr)
			}
			if got := taskLines(res.stdout); !reflect.DeepEqual(got, tc.lines) {
				t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.lines, "\n"))
			}
			if got := recap(res.stdout); got != "localhost : "+tc.recap {
				t.Errorf("recap %q, want %q", got, tc.recap)
			}
		})
	}
}

func TestFailureEndsTheRun(t *testing.T) {
	// A failed host ends the run: later plays do not run. Ansible says
	// NO MORE HOSTS LEFT only when the failure is any_errors_fatal.
	tests := []struct {
		name     string
		fatal    string
		noneLeft bool
	}{
		{"plain failure", "", false},
		{"any_errors_fatal", "  any_errors_fatal: true\n", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runPlay(t, `
- name: first
  hosts: localhost
`+tc.fatal+`  tasks:
    - fail: {}
    - debug: {msg: never}
- name: second
  hosts: localhost
  tasks:
    - debug: {msg: never}
`, Options{}, nil)
			if res.code != ExitFailed {
				t.Errorf("exit %d, want 2", res.code)
			}
			for _, want := range []string{"\nPLAY [first] ***", "\nPLAY RECAP ***"} {
				if !strings.Contains(res.stdout, want) {
					t.Errorf("output lacks %q:\n%s", want, res.stdout)
				}
			}
			if got := strings.Contains(res.stdout, "\nNO MORE HOSTS LEFT ***"); got != tc.noneLeft {
				t.Errorf("NO MORE HOSTS LEFT shown: %v, want %v:\n%s", got, tc.noneLeft, res.stdout)
			}
			if strings.Contains(res.stdout, "never") || strings.Contains(res.stdout, "PLAY [second]") {
				t.Errorf("tasks ran after the failure:\n%s", res.stdout)
			}
		})
	}
}

func TestHostPatterns(t *testing.T) {
	tests := []struct {
		name, text string
		extra      []string
		// banners are the PLAY banners' names, stderr the notes.
		banners []string
		stderr  string
	}{
		{
			name:    "local patterns run without a note",
			text:    "- hosts: localhost\n  tasks: [{debug: {msg: a}}]\n- hosts: all\n  tasks: [{debug: {msg: b}}]\n- hosts: 127.0.0.1\n  tasks: [{debug: {msg: c}}]\n",
			banners: []string{"localhost", "all", "127.0.0.1"},
		},
		{
			name:    "a group runs here with one note per pattern",
			text:    "- hosts: web\n  tasks: [{debug: {msg: a}}]\n- hosts: web\n  tasks: [{debug: {msg: b}}]\n- hosts: localhost,db\n  tasks: [{debug: {msg: c}}]\n",
			banners: []string{"web", "web", "localhost,db"},
			stderr:  "note: hosts \"web\": zonemgr play has no inventory; the play runs on this global zone\nnote: hosts \"localhost,db\": zonemgr play has no inventory; the play runs on this global zone\n",
		},
		{
			name:    "a templated pattern is rendered",
			text:    "- hosts: \"{{ target | default('build_gz') }}\"\n  tasks: [{debug: {msg: a}}]\n",
			banners: []string{"build_gz"},
			stderr:  "note: hosts \"build_gz\": zonemgr play has no inventory; the play runs on this global zone\n",
		},
		{
			name:    "a templated pattern from -e",
			text:    "- hosts: \"{{ target | default('build_gz') }}\"\n  tasks: [{debug: {msg: a}}]\n",
			extra:   []string{"target=localhost"},
			banners: []string{"localhost"},
		},
		{
			name:    "a list of patterns, templated or not",
			text:    "- name: p\n  hosts: [\"{{ 'localhost' }}\", \"{{ g | default('a:b') }}\", c]\n  tasks: [{debug: {msg: a}}]\n",
			banners: []string{"p"},
			stderr:  "note: hosts \"localhost,a,b,c\": zonemgr play has no inventory; the play runs on this global zone\n",
		},
		{
			name:    "a pattern that does not render is shown as written",
			text:    "- name: p\n  hosts: \"{{ nope }}\"\n  tasks: [{debug: {msg: a}}]\n",
			banners: []string{"p"},
			stderr:  "note: hosts \"{{ nope }}\": zonemgr play has no inventory; the play runs on this global zone\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runPlay(t, tc.text, Options{ExtraVars: tc.extra}, nil)
			if res.code != ExitOK {
				t.Fatalf("exit %d, stderr %s\n%s", res.code, res.stderr, res.stdout)
			}
			var banners []string
			for _, l := range strings.Split(res.stdout, "\n") {
				if name, ok := strings.CutPrefix(l, "PLAY ["); ok && strings.HasSuffix(l, "***") {
					banners = append(banners, name[:strings.Index(name, "] ")])
				}
			}
			if !reflect.DeepEqual(banners, tc.banners) {
				t.Errorf("plays %q, want %q", banners, tc.banners)
			}
			if res.stderr != tc.stderr {
				t.Errorf("stderr = %q, want %q", res.stderr, tc.stderr)
			}
			if got := strings.Count(res.stdout, `"msg": `); got != len(tc.banners) {
				t.Errorf("%d debug results, want one per play:\n%s", got, res.stdout)
			}
		})
	}
	// The rendered name is the play's name for the tasks and in --json.
	text := "- hosts: \"{{ target | default('build_gz') }}\"\n  tasks: [{debug: {msg: \"{{ ansible_play_name }}\"}}]\n"
	res := runPlay(t, text, Options{}, nil)
	if !strings.Contains(res.stdout, `"msg": "build_gz"`) {
		t.Errorf("ansible_play_name is not the rendered name:\n%s", res.stdout)
	}
	res = runPlay(t, text, Options{JSON: true}, nil)
	if !strings.Contains(res.stdout, `"play":"build_gz"`) && !strings.Contains(res.stdout, `"play": "build_gz"`) {
		t.Errorf("--json: the play is not named build_gz:\n%s", res.stdout)
	}
}

func TestEnvironment(t *testing.T) {
	const a, b, c = "ZONEMGR_PLAY_TEST_A", "ZONEMGR_PLAY_TEST_B", "ZONEMGR_PLAY_TEST_C"
	t.Setenv(a, "outer")
	os.Unsetenv(b)
	os.Unsetenv(c)
	text := `- hosts: localhost
  collections: [illumos.zonemgr]
  environment: "{{ env | default({}) }}"
  vars:
    names: [` + a + `, ` + b + `, ` + c + `]
  tasks:
    - getenv: {names: "{{ names }}"}
      register: play
    - block:
        - getenv: {names: "{{ names }}"}
          register: block
          environment:
            ` + c + `: "{{ 40 + 2 }}"
      environment:
        ` + b + `: block
        ` + c + `: block
    - getenv: {names: "{{ names }}"}
      register: task
      environment: {` + a + `: task, ` + b + `: null}
    - debug:
        msg: "{{ [play.env, block.env, task.env] | to_json }}"
`
	tests := []struct {
		name  string
		extra []string
		want  string
	}{
		{"no play environment", nil,
			`[{"` + a + `": "outer", "` + b + `": null, "` + c + `": null}, {"` + a + `": "outer", "` + b + `": "block", "` + c + `": "42"}, {"` + a + `": "task", "` + b + `": "None", "` + c + `": null}]`},
		{"play environment from -e", []string{`{"env": {"` + a + `": "play", "` + c + `": 1}}`},
			`[{"` + a + `": "play", "` + b + `": null, "` + c + `": "1"}, {"` + a + `": "play", "` + b + `": "block", "` + c + `": "42"}, {"` + a + `": "task", "` + b + `": "None", "` + c + `": "1"}]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runPlay(t, text, Options{ExtraVars: tc.extra}, nil)
			if res.code != ExitOK {
				t.Fatalf("exit %d, stderr %s\n%s", res.code, res.stderr, res.stdout)
			}
			if want := `"msg": ` + strconv.Quote(tc.want); !strings.Contains(res.stdout, want) {
				t.Errorf("output lacks %s:\n%s", want, res.stdout)
			}
			// The process environment is as it was.
			if v, ok := os.LookupEnv(a); v != "outer" || !ok {
				t.Errorf("%s = %q, %v after the run, want outer", a, v, ok)
			}
			for _, n := range []string{b, c} {
				if v, ok := os.LookupEnv(n); ok {
					t.Errorf("%s = %q after the run, want it unset", n, v)
				}
			}
		})
	}
}

func TestEnvironmentErrors(t *testing.T) {
	tests := []struct {
		name, text, stderr string
		code               int
		line               string
	}{
		{"not a mapping", "- hosts: localhost\n  environment: [1]\n  tasks: []\n", "zonemgr: error: tasks.yml:2:16: environment: expected a mapping of variable names to values, found a list holding 1\n", ExitError, ""},
		{"scalar", "- debug: {}\n  environment: x\n", "zonemgr: error: tasks.yml:2:16: environment: expected a mapping of variable names to values, or a template that gives one, found the scalar \"x\"\n", ExitError, ""},
		{"template that gives no mapping", "- getenv: {}\n  environment: \"{{ 'x' }}\"\n", "[WARNING]: could not parse environment value, skipping: [\"{{ 'x' }}\"]\n", ExitOK,
			"ok: [localhost] (0.00s)"},
		{"undefined variable", "- getenv: {}\n  environment: {A: \"{{ nope }}\"}\n", "", ExitFailed,
			`fatal: [localhost]: FAILED! (0.00s) => {"msg": "The field 'environment' has an invalid value, which includes an undefined variable. The error was: 'nope' is undefined. 'nope' is undefined\n\nThe error appears to be in 'tasks.yml': line 1, column 3, but may\nbe elsewhere in the file depending on the exact syntax problem.\n\nThe offending line appears to be:\n\n\n- getenv: {}\n  ^ here\n"}`},
		{"bad name", "- getenv: {}\n  environment: {\"A=B\": x}\n", "zonemgr: error: tasks.yml:2:16: environment: \"A=B\" is not a valid environment variable name (letters, digits and _, not starting with a digit)\n", ExitError, ""},
		{"bad name in a list", "- getenv: {}\n  environment: [{A: 1}, {\"1X\": x}]\n", "zonemgr: error: tasks.yml:2:16: environment: \"1X\" is not a valid environment variable name (letters, digits and _, not starting with a digit)\n", ExitError, ""},
		{"templated bad name", "- getenv: {}\n  environment: \"{{ {'A-B': 1} }}\"\n", "", ExitFailed,
			`fatal: [localhost]: FAILED! (0.00s) => {"msg": "\"A-B\" is not a valid environment variable name"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runPlay(t, tc.text, Options{}, nil)
			if res.code != tc.code {
				t.Errorf("exit %d, want %d", res.code, tc.code)
			}
			if res.stderr != tc.stderr {
				t.Errorf("stderr = %q, want %q", res.stderr, tc.stderr)
			}
			if tc.line != "" && !strings.Contains(res.stdout, tc.line+"\n") {
				t.Errorf("output lacks %s:\n%s", tc.line, res.stdout)
			}
		})
	}
}

func TestStartAtTask(t *testing.T) {
	text := `
- name: first
  debug: {msg: one}
- block:
    - name: second
      debug: {msg: two}
    - name: third step
      debug: {msg: three}
  always:
    - name: fourth
      debug: {msg: four}
`
	for _, tc := range []struct {
		start string
		want  []string
	}{
		{"third step", []string{"three", "four"}},
		{"sec*", []string{"two", "three", "four"}},
		{"fourth", []string{"four"}},
	} {
		res := runPlay(t, text, Options{StartAtTask: tc.start}, nil)
		var got []string
		for _, l := range strings.Split(res.stdout, "\n") {
			if strings.HasPrefix(l, `    "msg": `) {
				got = append(got, strings.Trim(strings.TrimPrefix(l, `    "msg": `), `"`))
			}
		}
		if res.code != ExitOK || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("--start-at-task %q: exit %d, ran %q, want %q", tc.start, res.code, got, tc.want)
		}
	}
	res := runPlay(t, text, Options{StartAtTask: "nope"}, nil)
	if res.code != ExitError || res.stdout != "" || res.stderr != "zonemgr: error: --start-at-task: no task named \"nope\" in tasks.yml\n" {
		t.Errorf("unknown start task: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
}

func TestExtraVars(t *testing.T) {
	fs := files{
		"vars.yml":  "zone: {name: build1}\nflag: yes\nlist: [1, 2]\n",
		"empty.yml": "",
		"bad.yml":   "- not a mapping\n",
	}
	text := "- debug: {msg: \"{{ zone.name }} {{ flag }} {{ list | length }} {{ word }} {{ n }}\"}\n"
	res := runPlay(t, text, Options{ExtraVars: []string{"@vars.yml", "@empty.yml", `{"n": 7}`, "word='two words' flag=no"}}, fs)
	if res.code != ExitOK || !strings.Contains(res.stdout, `"msg": "build1 no 2 two words 7"`) {
		t.Errorf("exit %d, output:\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	for _, tc := range []struct {
		spec, want string
	}{
		{"@missing.yml", "zonemgr: error: -e @missing.yml: read vars file: open missing.yml: file does not exist\n"},
		{"@bad.yml", "zonemgr: error: bad.yml:1:1: vars: expected a mapping of variable names to values, found a list\n"},
		{"novalue", "zonemgr: error: -e \"novalue\": expected KEY=VALUE, @FILE.yml or a mapping\n"},
		{"a-b=1", "zonemgr: error: -e \"a-b=1\": \"a-b\" is not a valid variable name\n"},
		{"{bad", "zonemgr: error: -e \"{bad\": YAML syntax error: did not find expected ',' or '}'\n"},
	} {
		res := runPlay(t, text, Options{ExtraVars: []string{tc.spec}}, fs)
		if res.code != ExitError || res.stdout != "" || res.stderr != tc.want {
			t.Errorf("-e %s: exit %d, stdout %q, stderr %q, want %q", tc.spec, res.code, res.stdout, res.stderr, tc.want)
		}
	}
}

func TestFileErrorExit(t *testing.T) {
	res := runPlay(t, "- debug: {}\n  regster: r\n- echo: {bad: 1}\n", Options{}, nil)
	want := `zonemgr: error: tasks.yml:2:3: unknown key "regster": not a task keyword (name, register, when, loop, with_items, with_list, with_dict, loop_control, until, retries, delay, changed_when, failed_when, ignore_errors, no_log, vars, environment, tags, notify, check_mode, diff, any_errors_fatal, args, run_once, ignore_unreachable, connection, collections) nor a module (break, echo, getenv, nocheck, debug, set_fact, fail, assert, command, shell, meta, include_tasks, import_tasks, block)
zonemgr: error: tasks.yml:3:10: echo: unknown option "bad" (known: changed, count, deprecate, diff_after, diff_before, fail, message, msg, names, rc, secret, stdout, value, warn)
`
	if res.code != ExitError || res.stdout != "" || res.stderr != want {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant:\n%s", res.code, res.stdout, res.stderr, want)
	}
	res = runPlay(t, "", Options{}, files{})
	if res.code != ExitError {
		t.Errorf("empty file: exit %d", res.code)
	}
	var stderr strings.Builder
	r := &Runner{Modules: testModules(), Stderr: &stderr, readFile: files{}.read}
	if code := r.Run(context.Background(), "nope.yml"); code != ExitError || stderr.String() != "zonemgr: error: read task file: open nope.yml: file does not exist\n" {
		t.Errorf("missing file: exit %d, stderr %q", code, stderr.String())
	}
}

func TestJSONOutput(t *testing.T) {
	res := runPlay(t, `
- name: hi
  debug: {msg: hi}
- name: loop
  echo: {msg: "{{ item }}", changed: true}
  loop: [a]
- name: skip
  echo: {}
  when: false
- name: secret
  echo: {msg: s}
  no_log: true
- name: boom
  fail: {msg: boom}
  ignore_errors: true
- name: stop
  fail: {msg: stop}
`, Options{JSON: true}, nil)
	if res.code != ExitFailed {
		t.Errorf("exit %d, want 2", res.code)
	}
	lines := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
	if len(lines) != 7 {
		t.Fatalf("got %d lines, want 6 tasks and a summary:\n%s", len(lines), res.stdout)
	}
	type record struct {
		Play     string         `json:"play"`
		Task     string         `json:"task"`
		Module   string         `json:"module"`
		Status   string         `json:"status"`
		Ignored  bool           `json:"ignored"`
		Duration *float64       `json:"duration"`
		Result   map[string]any `json:"result"`
	}
	want := []struct {
		task, module, status string
		ignored              bool
		result               map[string]any
	}{
		{"hi", "debug", "ok", false, map[string]any{"msg": "hi", "changed": false, "failed": false}},
		{"loop", "echo", "changed", false, nil},
		{"skip", "echo", "skipped", false, map[string]any{"changed": false, "skipped": true, "skip_reason": "Conditional result was False"}},
		{"secret", "echo", "ok", false, map[string]any{"censored": censored, "changed": false, "failed": false}},
		{"boom", "fail", "failed", true, map[string]any{"msg": "boom", "changed": false, "failed": true}},
		{"stop", "fail", "failed", false, map[string]any{"msg": "stop", "changed": false, "failed": true}},
	}
	for i, w := range want {
		var rec record
		dec := json.NewDecoder(strings.NewReader(lines[i]))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("line %d %q: %v", i, lines[i], err)
		}
		if rec.Play != "localhost" || rec.Task != w.task || rec.Module != w.module || rec.Status != w.status || rec.Ignored != w.ignored || rec.Duration == nil {
			t.Errorf("line %d = %+v, want task %q module %q status %q ignored %v", i, rec, w.task, w.module, w.status, w.ignored)
		}
		if w.result != nil && !reflect.DeepEqual(rec.Result, w.result) {
			t.Errorf("line %d result = %v, want %v", i, rec.Result, w.result)
		}
	}
	var loop record
	if err := json.Unmarshal([]byte(lines[1]), &loop); err != nil {
		t.Fatal(err)
	}
	results, _ := loop.Result["results"].([]any)
	if len(results) != 1 || loop.Result["msg"] != "All items completed" || loop.Result["changed"] != true {
		t.Errorf("loop result = %v", loop.Result)
	}
	var summary map[string]any
	if err := json.Unmarshal([]byte(lines[6]), &summary); err != nil {
		t.Fatal(err)
	}
	wantSummary := map[string]any{
		"summary":   map[string]any{"ok": 4.0, "changed": 1.0, "unreachable": 0.0, "failed": 1.0, "skipped": 1.0, "rescued": 0.0, "ignored": 1.0},
		"duration":  0.0,
		"exit_code": 2.0,
	}
	if !reflect.DeepEqual(summary, wantSummary) {
		t.Errorf("summary = %v, want %v", summary, wantSummary)
	}
	if res.stderr != "" {
		t.Errorf("stderr = %q", res.stderr)
	}
}

func TestDiffOutput(t *testing.T) {
	text := "- echo: {changed: true, diff_before: \"state: absent\\n\", diff_after: \"state: present\\n\"}\n- echo: {changed: false, diff_before: a, diff_after: b}\n"
	res := runPlay(t, text, Options{Diff: true}, nil)
	want := []string{
		"--- before: zone z1",
		"+++ after: zone z1",
		"@@ -1 +1 @@",
		"-state: absent",
		"+state: present",
		"changed: [localhost] (0.00s)",
		"ok: [localhost] (0.00s)",
	}
	if got := taskLines(res.stdout); !reflect.DeepEqual(got, want) {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(res.stdout, "+state: present\n\nchanged: [localhost]") {
		t.Errorf("diff is not followed by a blank line:\n%s", res.stdout)
	}
	res = runPlay(t, text, Options{}, nil)
	if strings.Contains(res.stdout, "---") {
		t.Errorf("diff shown without --diff:\n%s", res.stdout)
	}
}

func TestWarningsAndVerbose(t *testing.T) {
	res := runPlay(t, "- echo: {warn: careful, changed: true}\n- echo: {warn: careful}\n- debug: {msg: x}\n  when: \"{{ true }}\"\n  loop: [1, 2]\n", Options{Verbosity: 1}, nil)
	if res.stderr != "[WARNING]: careful\n[WARNING]: conditional statements should not include jinja2 templating delimiters such as {{ }} or {% %}. Found: {{ true }}\n" {
		t.Errorf("stderr = %q", res.stderr)
	}
	lines := taskLines(res.stdout)
	want := `changed: [localhost] (0.00s) => {"changed": true, "msg": "", "settings": {"check_mode": false, "diff": false, "module_name": "echo", "no_log": false, "tmpdir_set": true, "verbosity": 1}, "warnings": ["careful"]}`
	if len(lines) == 0 || lines[0] != want {
		t.Errorf("verbose line = %q, want %q", lines, want)
	}
}

func TestDeprecations(t *testing.T) {
	res := runPlay(t, "- echo: {deprecate: the old way}\n", Options{}, nil)
	if res.stderr != "[DEPRECATION WARNING]: the old way. This feature will be removed in version 2.0.0.\n" {
		t.Errorf("stderr = %q", res.stderr)
	}
}

func TestJSONNaN(t *testing.T) {
	// YAML's .nan, which JSON cannot hold, is written as its Python text.
	res := runPlay(t, "- set_fact: {x: .nan, y: .inf}\n", Options{JSON: true}, nil)
	first := strings.SplitN(res.stdout, "\n", 2)[0]
	if !strings.Contains(first, `"ansible_facts":{"x":"nan","y":"inf"}`) || res.code != ExitOK {
		t.Errorf("exit %d, output %s, stderr %s", res.code, res.stdout, res.stderr)
	}
}

func TestMatchTask(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"build", "build", true},
		{"build*", "build the zone", true},
		{"*zone", "build the zone", true},
		{"b?ild", "build", true},
		{"[ab]uild", "build", true},
		{"[!ab]uild", "build", false},
		{"[^x]uild", "build", false},
		{"[^x]uild", "^uild", true},
		{"[^x]uild", "\\uild", false},
		{`[\]uild`, `\uild`, true},
		{"build", "build the zone", false},
		{"a.b", "axb", false},
		{"[unclosed", "[unclosed", true},
	} {
		if got := newTaskPattern(tc.pattern).match(&task{name: tc.name}); got != tc.want {
			t.Errorf("task pattern %q matching %q = %v, want %v", tc.pattern, tc.name, got, tc.want)
		}
	}
}

func TestCancelledContext(t *testing.T) {
	var out, errOut strings.Builder
	r := &Runner{Modules: testModules(), Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" },
		readFile: files{"tasks.yml": "- debug: {msg: x}\n"}.read}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if code := r.Run(ctx, "tasks.yml"); code != ExitFailed {
		t.Errorf("exit %d, want 2", code)
	}
	if strings.Contains(out.String(), "TASK [") || errOut.String() != "zonemgr: error: interrupted: context canceled\n" {
		t.Errorf("stdout %q stderr %q", out.String(), errOut.String())
	}
}

func TestSplitLinesPy(t *testing.T) {
	got := splitLinesPy("a\r\nb\u0085c\u2028d\u2029e\x1cf\n")
	want := []any{"a", "b", "c", "d", "e", "f"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("splitLinesPy = %q, want %q (Python's str.splitlines)", got, want)
	}
}
