package play

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// statusDuration is the duration zonemgr play shows after a status.
var statusDuration = regexp.MustCompile(`([\]\)!]) \(\d+\.\d\ds\)`)

// TestAsAnsible runs playbooks of Ansible's builtins and compares the
// output with what ansible-playbook (ansible-core 2.14) printed for them,
// with the durations zonemgr play adds left out. The expected outputs
// were ansible-playbook's, its command times fixed to the tests' clock.
func TestAsAnsible(t *testing.T) {
	// The play's directory is the working directory: included files are
	// found there, and shown with their whole path.
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	inc := files{
		filepath.Join(wd, "inc/steps.yml"): "- debug: {msg: \"step {{ n }} of {{ who }}\"}\n",
		filepath.Join(wd, "inc/vars.yml"):  "who: vars file\nn: 0\n",
	}
	tests := []struct {
		name     string
		play     string
		code     int
		warnings string
		stdout   string
	}{
		{
			name: "notify, listen, flush_handlers and the handlers at the play's end",
			play: `- hosts: localhost
  gather_facts: false
  handlers:
    - name: restart
      debug: {msg: restarted}
    - name: reload
      debug: {msg: reloaded}
      listen: reconfigure
    - name: never notified
      debug: {msg: never}
  tasks:
    - command: echo one
      notify: restart
    - command: echo two
      notify: [restart, reconfigure]
    - debug: {msg: ok tasks do not notify}
      notify: never notified
    - meta: flush_handlers
    - command: echo three
      notify: reconfigure
    - debug: {msg: last task}
`,
			code:     0,
			warnings: "",
			stdout: `
PLAY [localhost] ***************************************************************

TASK [command] *****************************************************************
changed: [localhost]

TASK [command] *****************************************************************
changed: [localhost]

TASK [debug] *******************************************************************
ok: [localhost] => {
    "msg": "ok tasks do not notify"
}

TASK [meta] ********************************************************************

RUNNING HANDLER [restart] ******************************************************
ok: [localhost] => {
    "msg": "restarted"
}

RUNNING HANDLER [reload] *******************************************************
ok: [localhost] => {
    "msg": "reloaded"
}

TASK [command] *****************************************************************
changed: [localhost]

TASK [debug] *******************************************************************
ok: [localhost] => {
    "msg": "last task"
}

RUNNING HANDLER [reload] *******************************************************
ok: [localhost] => {
    "msg": "reloaded"
}

PLAY RECAP *********************************************************************
localhost                  : ok=8    changed=3    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   

`,
		},
		{
			name: "until, retries and delay",
			play: `- hosts: localhost
  gather_facts: false
  tasks:
    - command: echo hi
      register: r
      until: r.attempts >= 3
      retries: 5
      delay: 0
    - debug: {msg: "{{ r.attempts }} {{ r.stdout }}"}
    - command: echo never
      register: n
      until: false
      retries: 2
      delay: 0
      ignore_errors: true
    - debug: {msg: "{{ n.attempts }} {{ n.failed }}"}
`,
			code:     0,
			warnings: "",
			stdout: `
PLAY [localhost] ***************************************************************

TASK [command] *****************************************************************
FAILED - RETRYING: [localhost]: command (5 retries left).
FAILED - RETRYING: [localhost]: command (4 retries left).
changed: [localhost]

TASK [debug] *******************************************************************
ok: [localhost] => {
    "msg": "3 hi"
}

TASK [command] *****************************************************************
FAILED - RETRYING: [localhost]: command (2 retries left).
FAILED - RETRYING: [localhost]: command (1 retries left).
fatal: [localhost]: FAILED! => {"attempts": 2, "changed": true, "cmd": ["echo", "never"], "delta": "0:00:00.000000", "end": "2026-01-02 03:04:05.000000", "msg": "", "rc": 0, "start": "2026-01-02 03:04:05.000000", "stderr": "", "stderr_lines": [], "stdout": "never", "stdout_lines": ["never"]}
...ignoring

TASK [debug] *******************************************************************
ok: [localhost] => {
    "msg": "2 True"
}

PLAY RECAP *********************************************************************
localhost                  : ok=4    changed=2    unreachable=0    failed=0    skipped=0    rescued=0    ignored=1   

`,
		},
		{
			name: "import_tasks, include_tasks (with vars and a loop) and vars_files",
			play: `- hosts: localhost
  gather_facts: false
  vars_files: [inc/vars.yml]
  tasks:
    - import_tasks: inc/steps.yml
    - include_tasks: inc/steps.yml
      vars: {n: 1}
    - include_tasks: inc/steps.yml
      loop: [2, 3]
      loop_control: {loop_var: n}
`,
			code:     0,
			warnings: "[WARNING]: TASK: include_tasks: The loop variable 'n' is already in use. You should set the `loop_var` value in the `loop_control` option for the task to something else to avoid variable collisions and unexpected behavior.",
			stdout: `
PLAY [localhost] ***************************************************************

TASK [debug] *******************************************************************
ok: [localhost] => {
    "msg": "step 0 of vars file"
}

TASK [include_tasks] ***********************************************************
included: inc/steps.yml for localhost

TASK [debug] *******************************************************************
ok: [localhost] => {
    "msg": "step 1 of vars file"
}

TASK [include_tasks] ***********************************************************
included: inc/steps.yml for localhost => (item=2)
included: inc/steps.yml for localhost => (item=3)

TASK [debug] *******************************************************************
ok: [localhost] => {
    "msg": "step 2 of vars file"
}

TASK [debug] *******************************************************************
ok: [localhost] => {
    "msg": "step 3 of vars file"
}

PLAY RECAP *********************************************************************
localhost                  : ok=7    changed=0    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   

`,
		},
		{
			name: "with_items flattens, with_dict, loop_control extended and label",
			play: `- hosts: localhost
  gather_facts: false
  tasks:
    - debug: {msg: "{{ item }}"}
      with_items: [[1, 2], 3]
    - debug: {msg: "{{ item.key }}={{ item.value }}"}
      with_dict: {a: 1, b: 2}
    - debug: {msg: "{{ ansible_loop.index }}/{{ ansible_loop.length }} {{ ansible_loop.first }} {{ ansible_loop.last }} {{ ansible_loop.previtem | default('-') }}"}
      loop: [x, y]
      loop_control: {extended: true, label: "{{ item | upper }}"}
`,
			code:     0,
			warnings: "",
			stdout: `
PLAY [localhost] ***************************************************************

TASK [debug] *******************************************************************
ok: [localhost] => (item=1) => {
    "msg": 1
}
ok: [localhost] => (item=2) => {
    "msg": 2
}
ok: [localhost] => (item=3) => {
    "msg": 3
}

TASK [debug] *******************************************************************
ok: [localhost] => (item={'key': 'a', 'value': 1}) => {
    "msg": "a=1"
}
ok: [localhost] => (item={'key': 'b', 'value': 2}) => {
    "msg": "b=2"
}

TASK [debug] *******************************************************************
ok: [localhost] => (item=X) => {
    "msg": "1/2 True False -"
}
ok: [localhost] => (item=Y) => {
    "msg": "2/2 False True x"
}

PLAY RECAP *********************************************************************
localhost                  : ok=3    changed=0    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   

`,
		},
		{
			name: "check_mode on a task, and meta: end_play",
			play: `- hosts: localhost
  gather_facts: false
  tasks:
    - command: echo hi
      check_mode: true
      register: r
    - debug: {var: r}
    - debug: {msg: "{{ ansible_check_mode }}"}
      check_mode: true
    - meta: end_play
    - debug: {msg: never}
`,
			code:     0,
			warnings: "",
			stdout: `
PLAY [localhost] ***************************************************************

TASK [command] *****************************************************************
skipping: [localhost]

TASK [debug] *******************************************************************
ok: [localhost] => {
    "r": {
        "changed": false,
        "cmd": [
            "echo",
            "hi"
        ],
        "delta": null,
        "end": null,
        "failed": false,
        "msg": "Command would have run if not in check mode",
        "rc": 0,
        "skipped": true,
        "start": null,
        "stderr": "",
        "stderr_lines": [],
        "stdout": "",
        "stdout_lines": []
    }
}

TASK [debug] *******************************************************************
ok: [localhost] => {
    "msg": false
}

TASK [meta] ********************************************************************

PLAY RECAP *********************************************************************
localhost                  : ok=2    changed=0    unreachable=0    failed=0    skipped=1    rescued=0    ignored=0   

`,
		},
		{
			name: "command and shell failures",
			play: `- hosts: localhost
  gather_facts: false
  tasks:
    - shell: echo out; echo err >&2; false
      ignore_errors: true
    - command: "false"
`,
			code:     2,
			warnings: "",
			stdout: `
PLAY [localhost] ***************************************************************

TASK [shell] *******************************************************************
fatal: [localhost]: FAILED! => {"changed": true, "cmd": "echo out; echo err >&2; false", "delta": "0:00:00.000000", "end": "2026-01-02 03:04:05.000000", "msg": "non-zero return code", "rc": 1, "start": "2026-01-02 03:04:05.000000", "stderr": "err", "stderr_lines": ["err"], "stdout": "out", "stdout_lines": ["out"]}
...ignoring

TASK [command] *****************************************************************
fatal: [localhost]: FAILED! => {"changed": true, "cmd": ["false"], "delta": "0:00:00.000000", "end": "2026-01-02 03:04:05.000000", "msg": "non-zero return code", "rc": 1, "start": "2026-01-02 03:04:05.000000", "stderr": "", "stderr_lines": [], "stdout": "", "stdout_lines": []}

PLAY RECAP *********************************************************************
localhost                  : ok=1    changed=1    unreachable=0    failed=1    skipped=0    rescued=0    ignored=1   

`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runPlay(t, tc.play, Options{}, inc)
			got := strings.ReplaceAll(statusDuration.ReplaceAllString(res.stdout, "$1"), wd+"/", "")
			if got != tc.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", got, tc.stdout)
			}
			if res.code != tc.code {
				t.Errorf("exit %d, want %d", res.code, tc.code)
			}
			var warnings []string
			for _, l := range strings.Split(res.stderr, "\n") {
				if l != "" {
					warnings = append(warnings, l)
				}
			}
			if got := strings.Join(strings.Fields(strings.Join(warnings, " ")), " "); got != tc.warnings {
				t.Errorf("warnings %q, want %q", got, tc.warnings)
			}
		})
	}
}

// debugMsgs returns the messages debug tasks showed.
func debugMsgs(stdout string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^    "msg": "(.*)"$`).FindAllStringSubmatch(stdout, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestTags(t *testing.T) {
	// The tasks each option runs are those ansible-playbook ran.
	const play = `- hosts: localhost
  gather_facts: false
  tasks:
    - debug: {msg: a}
      tags: [a]
    - debug: {msg: b}
      tags: b
    - debug: {msg: both}
      tags: [a, b]
    - debug: {msg: always}
      tags: [always]
    - debug: {msg: never}
      tags: [never, n]
    - debug: {msg: untagged}
    - block:
        - debug: {msg: in block}
      tags: "{{ 'a' }}"
`
	tests := []struct {
		name       string
		tags, skip []string
		want       []string
	}{
		{"no options", nil, nil, []string{"a", "b", "both", "always", "untagged", "in block"}},
		{"--tags a", []string{"a"}, nil, []string{"a", "both", "always", "in block"}},
		{"--skip-tags b,always", nil, []string{"b,always"}, []string{"a", "untagged", "in block"}},
		{"--tags never", []string{"never"}, nil, []string{"always", "never"}},
		{"--tags n", []string{"n"}, nil, []string{"always", "never"}},
		{"--tags untagged", []string{"untagged"}, nil, []string{"always", "untagged"}},
		{"--tags tagged --skip-tags a", []string{"tagged"}, []string{"a"}, []string{"b", "always"}},
		{"--tags all", []string{"all"}, nil, []string{"a", "b", "both", "always", "untagged", "in block"}},
		{"--skip-tags all", nil, []string{"all"}, []string{"always"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runPlay(t, play, Options{Tags: tc.tags, SkipTags: tc.skip}, nil)
			if got := debugMsgs(res.stdout); strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("ran %q, want %q", got, tc.want)
			}
			if res.code != ExitOK {
				t.Errorf("exit %d, stderr %s", res.code, res.stderr)
			}
		})
	}
}

func TestGatherFacts(t *testing.T) {
	// The platform facts come from uname, as Ansible's setup module reads
	// them on illumos; gather_facts: false gathers nothing.
	const play = `- hosts: localhost
  GATHER
  tasks:
    - debug: {msg: "{{ ansible_system }} {{ ansible_kernel }} {{ ansible_facts.architecture }} {{ ansible_hostname }} {{ ansible_facts.nodename }} {{ ansible_facts.gather_subset }}"}
`
	res := runPlay(t, strings.Replace(play, "GATHER", "gather_facts: true", 1), Options{}, nil)
	if want := []string{"SunOS 5.11 i386 gz1 gz1.example ['all']"}; !slices.Equal(debugMsgs(res.stdout), want) || !strings.Contains(res.stdout, "\nTASK [Gathering Facts] ***") {
		t.Errorf("gathered facts:\n%s\nwant msg %q", res.stdout, want)
	}
	res = runPlay(t, strings.Replace(play, "GATHER", "gather_facts: false", 1), Options{}, nil)
	if res.code != ExitFailed || strings.Contains(res.stdout, "Gathering Facts") || !strings.Contains(res.stdout, "'ansible_system' is undefined") {
		t.Errorf("without facts: exit %d\n%s", res.code, res.stdout)
	}
}

func TestMissingHandlerEndsTheRun(t *testing.T) {
	// As in Ansible, the run ends before the task's result is shown: no
	// recap, exit status 1.
	res := runPlay(t, `- hosts: localhost
  gather_facts: false
  tasks:
    - command: echo
      notify: nobody
    - debug: {msg: never}
`, Options{}, nil)
	want := "zonemgr: error: The requested handler 'nobody' was not found in either the main handlers list nor in the listening handlers list\n"
	if res.code != ExitError || res.stderr != want || strings.Contains(res.stdout, "changed:") || strings.Contains(res.stdout, "RECAP") {
		t.Errorf("exit %d, stderr %q\n%s", res.code, res.stderr, res.stdout)
	}
}
