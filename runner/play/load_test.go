package play

import (
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

func load(t *testing.T, text string) (*playbook, error) {
	t.Helper()
	return loadPlaybook("tasks.yml", []byte(text), testModules(), &jinja.Cache{}, files{}.read)
}

func TestResolvePlain(t *testing.T) {
	// Expected values are PyYAML's (yaml.safe_load), which Ansible uses.
	tests := []struct {
		in   string
		want any
	}{
		{"yes", true}, {"Yes", true}, {"YES", true}, {"no", false}, {"on", true}, {"OFF", false},
		{"true", true}, {"False", false}, {"tRue", "tRue"}, {"y", "y"}, {"n", "n"},
		{"0755", 493}, {"0x1f", 31}, {"0b101", 5}, {"1_000", 1000}, {"+12", 12}, {"-0", 0},
		{"1:30", 90}, {"09", "09"}, {"0o17", "0o17"},
		{"1e3", "1e3"}, {"1.5e+3", 1500.0}, {"1.", 1.0}, {"1:30.5", 90.5}, {".inf", math.Inf(1)}, {"-.inf", math.Inf(-1)},
		{"~", nil}, {"null", nil}, {"", nil},
		{"2001-12-14", "2001-12-14"}, {"zone1", "zone1"},
	}
	for _, tc := range tests {
		if got := resolvePlain(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("resolvePlain(%q) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
	if got := resolvePlain(".NaN"); !math.IsNaN(got.(float64)) {
		t.Errorf("resolvePlain(.NaN) = %v, want NaN", got)
	}
}

func TestLoadForms(t *testing.T) {
	tests := []struct {
		name string
		text string
		// want lists each play as "name [hosts]: task, task".
		want []string
	}{
		{
			name: "bare list of tasks",
			text: "- name: one\n  debug: msg=hi\n- echo: {msg: x}\n",
			want: []string{"localhost [localhost]: one, echo"},
		},
		{
			name: "mapping with vars and tasks",
			text: "vars:\n  a: 1\ntasks:\n  - debug: var=a\n",
			want: []string{"localhost [localhost]: debug"},
		},
		{
			name: "named mapping",
			text: "name: build\nvars: {a: 1}\ntasks:\n  - fail: msg=x\n",
			want: []string{"build [localhost]: fail"},
		},
		{
			name: "playbook",
			text: `- name: local
  hosts: localhost
  connection: local
  gather_facts: false
  collections: [illumos.zonemgr]
  vars: {a: 1}
  pre_tasks: [{name: pre, debug: {}}]
  tasks: [{name: main, illumos.zonemgr.echo: {}}]
  post_tasks: [{name: post, ansible.builtin.debug: {}}]
- hosts: web,db
  tasks: [{debug: {}}]
- hosts: [all]
  tasks: []
- hosts: "{{ target | default('a:b') }}"
  tasks: []
- name: listed
  hosts: ["{{ h | default('x:y') }}", "c:d"]
  tasks: []
`,
			want: []string{"local [localhost]: pre, main, post", "web,db [web db]: debug", "all [all]: ", `{{ target | default('a:b') }} [{{ target | default('a:b') }}]: `, `listed [{{ h | default('x:y') }} c d]: `},
		},
		{
			name: "block",
			text: "- name: b\n  block: [{debug: {}}]\n  rescue: [{fail: {}}]\n  always: [{echo: {}}]\n",
			want: []string{"localhost [localhost]: b"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pb, err := load(t, tc.text)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range pb.plays {
				var names []string
				for _, section := range [][]*task{p.pre, p.tasks, p.post} {
					for _, task := range section {
						names = append(names, task.displayName())
					}
				}
				got = append(got, p.name+" "+fmt.Sprint(p.hosts)+": "+strings.Join(names, ", "))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("plays = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLoadTaskFields(t *testing.T) {
	pb, err := load(t, `
- name: loop it
  echo:
    msg: "{{ zone }}"
    value: yes
    names: [a, "b"]
  register: out
  when: [a is defined, "{{ b }}", true]
  loop: "{{ zones }}"
  loop_control: {loop_var: zone, index_var: i, label: "{{ zone.name }}"}
  ignore_errors: yes
  no_log: "{{ secret }}"
  changed_when: out.rc == 0
  failed_when: false
  vars: {x: 1}
- block:
    - debug: msg=in
  rescue:
    - debug: {var: out.msg}
  when: ok
  vars: {y: 2}
  ignore_errors: true
- assert:
    that:
      - 1 == 1
      - "{{ ok }}"
    fail_msg: nope
- set_fact: a=1 b="two words"
`)
	if err != nil {
		t.Fatal(err)
	}
	tasks := pb.plays[0].tasks
	lt := tasks[0]
	if lt.action != "echo" || lt.kind != kindModule || lt.module != echoModule {
		t.Errorf("action = %q kind %v module %v", lt.action, lt.kind, lt.module)
	}
	wantArgs := []arg{{"msg", "{{ zone }}"}, {"value", true}, {"names", []any{"a", "b"}}}
	if !reflect.DeepEqual(lt.args, wantArgs) {
		t.Errorf("args = %#v, want %#v", lt.args, wantArgs)
	}
	if lt.register != "out" || lt.loopVar != "zone" || lt.indexVar != "i" || lt.label != "{{ zone.name }}" || !lt.hasLabel {
		t.Errorf("register %q loop_var %q index_var %q label %v", lt.register, lt.loopVar, lt.indexVar, lt.label)
	}
	if lt.loop != "{{ zones }}" || lt.loopKind != loopPlain || lt.ignore != true || lt.noLog != "{{ secret }}" {
		t.Errorf("loop %v ignore %v no_log %v", lt.loop, lt.ignore, lt.noLog)
	}
	if len(lt.when) != 3 || lt.when[0].e == nil || !lt.when[1].tmpl || !lt.when[2].isLit || lt.when[2].lit != true {
		t.Errorf("when = %+v", lt.when)
	}
	if len(lt.changedWhen) != 1 || len(lt.failedWhen) != 1 || !reflect.DeepEqual(jinja.Plain(lt.vars), map[string]any{"x": 1}) {
		t.Errorf("changed_when %v failed_when %v vars %v", lt.changedWhen, lt.failedWhen, lt.vars)
	}
	b := tasks[1]
	if b.kind != kindBlock || len(b.block) != 1 || len(b.rescue) != 1 || b.rescue[0].debugVar == nil || len(b.when) != 1 || b.ignore != true {
		t.Errorf("block = %+v", b)
	}
	if a := tasks[2]; len(a.that) != 2 || a.that[0].e == nil || !a.that[1].tmpl {
		t.Errorf("assert that = %+v", a.that)
	}
	if sf := tasks[3]; !reflect.DeepEqual(sf.args, []arg{{"a", "1"}, {"b", "two words"}}) {
		t.Errorf("set_fact args = %#v", sf.args)
	}
	if tasks[0].pos.String() != "tasks.yml:2:3" || tasks[1].pos.String() != "tasks.yml:16:3" {
		t.Errorf("positions %s %s", tasks[0].pos, tasks[1].pos)
	}
}

func TestLoadYAMLFeatures(t *testing.T) {
	pb, err := load(t, `
- name: anchors
  echo: &base
    msg: base
    value: [on, off, "on", 0755, 1e3, ~, !!str 12, !unsafe "{{ raw }}"]
- name: merged
  echo:
    <<: *base
    msg: own
`)
	if err != nil {
		t.Fatal(err)
	}
	first := pb.plays[0].tasks[0].args
	wantValue := []any{true, false, "on", 493, "1e3", nil, "12", jinja.Unsafe("{{ raw }}")}
	if !reflect.DeepEqual(first[1].val, wantValue) {
		t.Errorf("value = %#v, want %#v", first[1].val, wantValue)
	}
	merged := pb.plays[0].tasks[1].args
	if len(merged) != 2 || merged[0] != (arg{"msg", "own"}) || merged[1].key != "value" {
		t.Errorf("merged args = %#v", merged)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"empty", "", []string{"tasks.yml: the file is empty: expected a list of tasks, a list of plays, or a mapping with vars and tasks"}},
		{"scalar", "hello\n", []string{`tasks.yml:1:1: expected a list of tasks, a list of plays, or a mapping with vars and tasks, found the scalar "hello"`}},
		{"yaml syntax", "- name: a\n  debug: {msg: x\n- name: b\n", []string{"tasks.yml:2: YAML syntax error: did not find expected ',' or '}'"}},
		{"yaml block", "tasks:\n  - debug: {}\n  bad: 1\n", []string{"tasks.yml:2: YAML syntax error: did not find expected '-' indicator"}},
		{"yaml mapping", "a: 1\nb: c: d\n", []string{"tasks.yml:2: YAML syntax error: mapping values are not allowed in this context"}},
		{"yaml anchor", "- debug: *nope\n", []string{"tasks.yml: YAML syntax error: unknown anchor 'nope' referenced"}},
		{"yaml tab", "- name: a\n\tdebug: {}\n", []string{"tasks.yml:2: YAML syntax error: found a tab character that violates indentation"}},
		{"two documents", "- debug: {}\n---\n- debug: {}\n", []string{"tasks.yml:2:1: a second YAML document: a task file holds one"}},
		{"unknown key", "- name: a\n  debug: msg=x\n  regster: r\n", []string{
			`tasks.yml:3:3: unknown key "regster": not a task keyword (name, register, when, loop, with_items, with_list, with_dict, loop_control, until, retries, delay, changed_when, failed_when, ignore_errors, no_log, vars, environment, tags, notify, check_mode, diff, any_errors_fatal, args, run_once, ignore_unreachable, connection, collections) nor a module (break, echo, getenv, nocheck, debug, set_fact, fail, assert, command, shell, meta, include_tasks, import_tasks, block)`,
		}},
		{"two actions", "- debug: {}\n  echo: {}\n", []string{"tasks.yml:2:3: conflicting action statements: debug, echo"}},
		{"no action", "- name: nothing\n  register: r\n", []string{"tasks.yml:1:3: task has no action: expected a module (break, echo, getenv, nocheck) or one of debug, set_fact, fail, assert, command, shell, meta, include_tasks, import_tasks, block"}},
		{"rescue outside block", "- debug: {}\n  rescue: []\n", []string{"tasks.yml:2:3: rescue is only valid in a block (a task with block:)"}},
		{"block key", "- block: []\n  loop: [1]\n", []string{`tasks.yml:2:3: "loop" is not valid on a block (expected one of: name, block, rescue, always, when, vars, environment, ignore_errors, no_log, tags, check_mode, diff, any_errors_fatal, run_once, connection, collections)`}},
		{"unknown module option", "- echo:\n    mesage: x\n", []string{`tasks.yml:2:5: echo: unknown option "mesage" (known: changed, count, deprecate, diff_after, diff_before, fail, message, msg, names, rc, secret, stdout, value, warn)`}},
		{"internal option", "- echo: {_ansible_check_mode: true}\n", []string{`tasks.yml:1:10: echo: option "_ansible_check_mode": names starting with _ansible_ are Ansible's`}},
		{"debug option", "- debug: {msg: a, verbose: 1}\n", []string{`tasks.yml:1:19: debug: unknown option "verbose" (known: msg, var, verbosity)`}},
		{"debug msg and var", "- debug: {msg: a, var: b}\n", []string{"tasks.yml:1:10: debug: 'msg' and 'var' are incompatible options"}},
		{"debug bad var", "- debug: {var: 'a b'}\n", []string{`tasks.yml:1:10: debug: var: bad expression "a b": unexpected name 'b' (at offset 2)`}},
		{"assert without that", "- assert: {fail_msg: x}\n", []string{"tasks.yml:1:11: assert: that is required: a condition or a list of them"}},
		{"set_fact nothing", "- set_fact: {}\n", []string{"tasks.yml:1:13: set_fact: no variables given: expected name: value pairs"}},
		{"set_fact bad name", "- set_fact: {a-b: 1}\n", []string{`tasks.yml:1:14: set_fact: "a-b" is not a valid variable name`}},
		{"free form", "- debug: hello\n", []string{"tasks.yml:1:10: this task 'debug' has extra params, which is only allowed in the following modules: command, shell, meta, include_tasks, import_tasks, set_fact"}},
		{"args list", "- echo: [1]\n", []string{"tasks.yml:1:9: echo: expected a mapping of options, found a list"}},
		{"bad register", "- debug: {}\n  register: 1x\n", []string{`tasks.yml:2:13: register: "1x" is not a valid variable name`}},
		{"bad when", "- debug: {}\n  when: x ==\n", []string{`tasks.yml:2:9: when: bad expression "x ==": unexpected 'end of statement block' (at offset 4)`}},
		{"when mapping", "- debug: {}\n  when: {a: 1}\n", []string{"tasks.yml:2:9: when: expected a condition (an expression such as r.rc == 0, or a boolean), found a mapping"}},
		{"bad template", "- debug:\n    msg: \"{{ x | nope }}\"\n", []string{`tasks.yml:2:10: bad template "{{ x | nope }}": unknown filter "nope" (known: abs, attr, b64decode, b64encode, basename, batch, bool, capitalize, center, checksum, combine, count, d, default, dict2items, dictsort, difference, dirname, e, escape, extract, first, flatten, float, forceescape, format, from_json, from_yaml, hash, indent, int, intersect, items, items2dict, join, last, length, list, log, lower, mandatory, map, max, md5, min, path_join, pow, product, quote, regex_escape, regex_findall, regex_replace, regex_search, reject, rejectattr, replace, reverse, root, round, safe, select, selectattr, sha1, sort, split, splitext, string, subelements, sum, symmetric_difference, ternary, title, to_json, to_nice_json, to_nice_yaml, to_uuid, to_yaml, trim, truncate, union, unique, upper, wordcount, zip) (at offset 7)`}},
		{"loop string", "- debug: {}\n  loop: abc\n", []string{`tasks.yml:2:9: loop: expected a list or a template that gives one ("{{ names }}"), found the scalar "abc"`}},
		{"loop_control alone", "- debug: {}\n  loop_control: {loop_var: x}\n", []string{"tasks.yml:2:17: loop_control without a loop"}},
		{"loop_control key", "- debug: {}\n  loop: [1]\n  loop_control: {nope: 1}\n", []string{`tasks.yml:3:18: unknown loop_control key "nope" (expected loop_var, index_var, label, extended, extended_allitems or pause)`}},
		{"ignore_errors word", "- debug: {}\n  ignore_errors: maybe\n", []string{`tasks.yml:2:18: ignore_errors: expected a boolean (true/false, yes/no) or a template, found the scalar "maybe"`}},
		{"duplicate key", "- name: a\n  debug: {}\n  name: b\n", []string{`tasks.yml:3:3: duplicate key "name" (first at line 1, column 3)`}},
		{"bad var name", "vars: {my-var: 1}\ntasks: []\n", []string{`tasks.yml:1:8: vars: "my-var" is not a valid variable name (letters, digits and _, not starting with a digit)`}},
		{"refused play key", "- hosts: localhost\n  become: true\n", []string{`tasks.yml:2:3: play keyword "become" is not supported by zonemgr play (privileges come from zonemgr's own elevation (ELEVATE_CMD))`}},
		{"unknown play key", "- hosts: localhost\n  bogus: true\n", []string{`tasks.yml:2:3: unknown play key "bogus" (expected one of: name, hosts, vars, vars_files, environment, tasks, pre_tasks, post_tasks, handlers, connection, gather_facts, collections, tags, any_errors_fatal, check_mode, diff, ignore_errors, no_log, force_handlers, remote_user, strategy, run_once)`}},
		{"play without hosts", "- hosts: localhost\n- name: two\n  tasks: []\n", []string{"tasks.yml:2:3: play has no hosts: expected hosts: localhost"}},
		{"task not mapping", "- debug\n", []string{`tasks.yml:1:3: expected a task (a mapping with a name and an action such as zone_diz or debug), found the scalar "debug"`}},
		{"unknown tag", "- debug: {msg: !vault abc}\n", []string{"tasks.yml:1:16: vault-encrypted values are not supported"}},
		{"several errors", "- debug: {}\n  regster: r\n- echo: {bad: 1}\n", []string{
			`tasks.yml:2:3: unknown key "regster": not a task keyword (name, register, when, loop, with_items, with_list, with_dict, loop_control, until, retries, delay, changed_when, failed_when, ignore_errors, no_log, vars, environment, tags, notify, check_mode, diff, any_errors_fatal, args, run_once, ignore_unreachable, connection, collections) nor a module (break, echo, getenv, nocheck, debug, set_fact, fail, assert, command, shell, meta, include_tasks, import_tasks, block)`,
			`tasks.yml:3:10: echo: unknown option "bad" (known: changed, count, deprecate, diff_after, diff_before, fail, message, msg, names, rc, secret, stdout, value, warn)`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pb, err := load(t, tc.text)
			if err == nil {
				t.Fatalf("loaded %+v, want errors %q", pb, tc.want)
			}
			got := strings.Split(err.Error(), "\n")
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestLoadAliasBomb(t *testing.T) {
	// Aliases that expand to more values than the bound fail instead of
	// exhausting memory.
	text := "x: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]\n"
	prev := "a"
	for i := range 6 {
		name := string(rune('b' + i))
		text += "x" + name + ": &" + name + " [" + strings.Repeat("*"+prev+", ", 15) + "*" + prev + "]\n"
		prev = name
	}
	text = "vars:\n  " + strings.ReplaceAll(strings.TrimSuffix(text, "\n"), "\n", "\n  ") + "\ntasks: []\n"
	_, err := load(t, text)
	if err == nil || !strings.Contains(err.Error(), "document expands to more than 1048576 values (aliases)") {
		t.Errorf("error = %v, want the alias bound", err)
	}
}

func TestLoadRefusals(t *testing.T) {
	// What zonemgr play does not run as ansible-playbook would is refused
	// when the file loads, at its position, naming the construct.
	const pb = "- hosts: localhost\n  collections: [illumos.zonemgr]\n  tasks:\n"
	tests := []struct{ text, want string }{
		{pb + "    - debug: {msg: \"{{ lookup('env', 'HOME') }}\"}\n", "tasks.yml:4:20: bad template \"{{ lookup('env', 'HOME') }}\": lookup() is not supported: lookup plugins read the controller's files and services (at offset 9)"},
		{pb + "    - debug: {msg: \"{{ now() }}\"}\n", "tasks.yml:4:20: bad template \"{{ now() }}\": now() is not supported: its result changes with the time (at offset 6)"},
		{"- hosts: localhost\n  roles: [r]\n", "tasks.yml:2:3: play keyword \"roles\" is not supported by zonemgr play (roles are not supported; use import_tasks)"},
		{pb + "    - debug: {msg: x}\n      become: true\n", "tasks.yml:5:7: task keyword \"become\" is not supported by zonemgr play (privileges come from zonemgr's own elevation (ELEVATE_CMD))"},
		{pb + "    - debug: {msg: x}\n      delegate_to: other\n", "tasks.yml:5:7: task keyword \"delegate_to\" is not supported by zonemgr play (there is no inventory: every task runs on this global zone)"},
		{pb + "    - command: sleep 1\n      async: 10\n", "tasks.yml:5:7: task keyword \"async\" is not supported by zonemgr play (tasks run to completion)"},
		{pb + "    - copy: {src: a, dest: b}\n", "tasks.yml:4:7: the action \"copy\" is not supported by zonemgr play (zonemgr play has debug, set_fact, fail, assert, command, shell, meta, include_tasks, import_tasks and the zone modules; run this playbook with ansible-playbook)"},
		{pb + "    - debug: {msg: x}\n      with_sequence: start=1 end=3\n", "tasks.yml:5:7: task keyword \"with_sequence\" is not supported by zonemgr play (lookups are not supported; use loop: \"{{ range(...) | list }}\")"},
		{pb + "    - debug: {msg: x}\n      with_fileglob: ['*']\n", "tasks.yml:5:7: task keyword \"with_fileglob\" is not supported by zonemgr play (lookups are not supported)"},
		{pb + "    - debug: {msg: \"{{ {true: 1} }}\"}\n", "tasks.yml:4:20: bad template \"{{ {true: 1} }}\": dict keys other than strings (True) are not supported (at offset 4)"},
		{pb + "    - debug:\n        msg: {yes: 1}\n", "tasks.yml:5:15: mapping key yes is not text in YAML 1.1 (a number, boolean or null): zonemgr play supports text keys only; quote it (\"yes\")"},
		{pb + "    - include_tasks: \"{{ f }}.yml\"\n", "tasks.yml:4:22: include_tasks: a templated file name ({{ f }}.yml) is not supported by zonemgr play: name the file"},
		{pb + "    - debug: {msg: \"{% macro m() %}{% endmacro %}\"}\n", "tasks.yml:4:20: bad template \"{% macro m() %}{% endmacro %}\": the statement {% macro %} is not supported (macros); zonemgr play supports if, for, set and raw (at offset 3)"},
		{pb + "    - debug: {msg: \"{{ l.append(1) }}\"}\n", "tasks.yml:4:20: bad template \"{{ l.append(1) }}\": the method append() changes its object in place, which zonemgr play does not support (at offset 11)"},
		{pb + "    - debug: {msg: \"{{ 'a' | regex_search('(?=a)') }}\"}\n", "tasks.yml:4:20: bad template \"{{ 'a' | regex_search('(?=a)') }}\": filter regex_search: lookahead and lookbehind ((?=, (?!, (?<=, (?<!) in regular expressions are not supported (at offset 9)"},
		{"- hosts: localhost\n  tasks:\n    - echo: {msg: x}\n", "tasks.yml:3:7: couldn't resolve module/action \"echo\": in a playbook, name it illumos.zonemgr.echo, or list illumos.zonemgr in the play's collections, as ansible-playbook requires"},
		{"- hosts: localhost\n  vars_prompt: [{name: x}]\n", "tasks.yml:2:3: play keyword \"vars_prompt\" is not supported by zonemgr play (zonemgr play runs unattended)"},
		{pb + "    - debug: {msg: \"{{ x | type_debug }}\"}\n", "tasks.yml:4:20: bad template \"{{ x | type_debug }}\": the filter type_debug is not supported: its result names Ansible's internal Python classes (AnsibleUnicode, AnsibleUnsafeText, ...) (at offset 7)"},
		{pb + "    - debug: {msg: \"{{ x | random }}\"}\n", "tasks.yml:4:20: bad template \"{{ x | random }}\": the filter random is not supported: its result is random (at offset 7)"},
		{pb + "    - include_role: {name: r}\n", "tasks.yml:4:7: the action \"include_role\" is not supported by zonemgr play (roles are not supported; use include_tasks)"},
		{pb + "    - debug: {msg: x}\n      loop: [1]\n      loop_control: {nope: 1}\n", "tasks.yml:6:22: unknown loop_control key \"nope\" (expected loop_var, index_var, label, extended, extended_allitems or pause)"},
		{pb + "    - debug: {msg: !vault x}\n", "tasks.yml:4:20: vault-encrypted values are not supported"},
		{pb + "    - debug: {msg: \"{{ query('x') }}\"}\n", "tasks.yml:4:20: bad template \"{{ query('x') }}\": query() is not supported: lookup plugins read the controller's files and services (at offset 8)"},
		{pb + "    - ansible.builtin.template: {src: a, dest: b}\n", "tasks.yml:4:7: the action \"ansible.builtin.template\" is not supported by zonemgr play (zonemgr play has debug, set_fact, fail, assert, command, shell, meta, include_tasks, import_tasks and the zone modules; run this playbook with ansible-playbook)"},
		{pb + "    - debug: {msg: x}\n      register: \"{{ r }}\"\n", "tasks.yml:5:17: register: \"{{ r }}\" is not a valid variable name"},
		{"- hosts: localhost\n  handlers:\n    - block: [{debug: {}}]\n", "tasks.yml:3:7: handlers: block among handlers is not supported by zonemgr play: list the handlers themselves"},
		{pb + "    - debug: {}\n      when: a if b else c\n", "tasks.yml:5:13: when: bad expression \"a if b else c\": expected token 'end of statement block', got 'if' (at offset 2)"},
		{"- import_playbook: other.yml\n", "tasks.yml:1:3: the action \"import_playbook\" is not supported by zonemgr play (write one playbook file)"},
		// A task's bad collections are reported once.
		{pb + "    - debug: {msg: x}\n      collections: 5\n", "tasks.yml:5:20: collections: expected a list of collection names, found the scalar \"5\""},
	}
	for _, tc := range tests {
		_, err := load(t, tc.text)
		if err == nil || err.Error() != tc.want {
			t.Errorf("load(%q) error:\n%v\nwant:\n%s", tc.text, err, tc.want)
		}
	}
}

// TestLoadMergedCollections: a task's collections brought in by a merge
// key resolve its action as its own would.
func TestLoadMergedCollections(t *testing.T) {
	pb, err := load(t, "- hosts: localhost\n  vars:\n    c: &c {collections: [illumos.zonemgr]}\n  tasks:\n    - <<: *c\n      echo: {msg: x}\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := pb.plays[0].tasks[0].action; got != "echo" {
		t.Errorf("action %q, want echo", got)
	}
}

func TestLoadMergeKeys(t *testing.T) {
	// Members merged in come first, in PyYAML's order (of a list of
	// anchors, the last one's first); the mapping's own values win, with
	// Ansible's warning for each key given twice.
	pb, err := load(t, `vars:
  a: &a {x: 1, y: 2}
  c: &c {z: 0, x: 9}
  d:
    <<: *a
    y: 3
  e:
    w: 0
    <<: [*a, *c]
    y: 4
tasks: []
`)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"d": "{'x': 1, 'y': 3}", "e": "{'z': 0, 'x': 1, 'y': 4, 'w': 0}"} {
		v, _ := pb.plays[0].vars.Get(name)
		if got := jinja.Repr(v); got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	abs, _ := filepath.Abs("tasks.yml")
	want := []string{
		"While constructing a mapping from " + abs + ", line 5, column 5, found a duplicate dict key (y). Using last defined value only.",
		"While constructing a mapping from " + abs + ", line 8, column 5, found a duplicate dict key (x). Using last defined value only.",
		"While constructing a mapping from " + abs + ", line 8, column 5, found a duplicate dict key (y). Using last defined value only.",
	}
	if !reflect.DeepEqual(pb.warnings, want) {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(pb.warnings, "\n"), strings.Join(want, "\n"))
	}
}

// TestIncludedFilesReadOnce: a file an include names is read once, from
// the including file's directory when it is there, else from the
// playbook's; a vars file once too.
func TestIncludedFilesReadOnce(t *testing.T) {
	// The playbook's directory is taken absolute: the current one here.
	top, err := filepath.Abs("top.yml")
	if err != nil {
		t.Fatal(err)
	}
	vars := filepath.Join(filepath.Dir(top), "vars.yml")
	fs := files{
		"sub/inner.yml": "- debug: {msg: sub}\n",
		top:             "- debug: {msg: top}\n",
		vars:            "a: 1\n",
		"sub/list.yml":  "- include_tasks: inner.yml\n- include_tasks: top.yml\n",
	}
	reads := map[string]int{}
	read := func(name string) ([]byte, error) {
		reads[name]++
		return fs.read(name)
	}
	text := "- hosts: localhost\n  vars_files: [vars.yml]\n  tasks:\n    - import_tasks: sub/list.yml\n"
	pb, err := loadPlaybook("tasks.yml", []byte(text), testModules(), &jinja.Cache{}, read)
	if err != nil {
		t.Fatal(err)
	}
	if len(pb.plays) != 1 {
		t.Fatalf("%d plays", len(pb.plays))
	}
	want := map[string]int{vars: 1, "sub/list.yml": 1, "sub/inner.yml": 1, "sub/top.yml": 1, top: 1}
	if !reflect.DeepEqual(reads, want) {
		t.Errorf("reads = %v, want %v (sub/top.yml tried and missing, top.yml read once)", reads, want)
	}
}
