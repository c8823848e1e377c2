package cli

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestGrammar(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		verb  string
		str   map[string]string
		lists map[string][]string
		on    map[string]bool
		level int
		step  string
	}{
		{name: "options before and after the verb",
			args: a("-z", "test-diz-1", "boot", "-q"), verb: "boot",
			str: map[string]string{optZone: "test-diz-1"}, level: levelWarn},
		{name: "the last verb wins",
			args: a("list", "create-giz", "-z", "g", "boot"), verb: "boot",
			str: map[string]string{optZone: "g"}, level: levelInfo},
		{name: "an alias names its verb",
			args: a("umount", "-z", "z"), verb: "unmount",
			str: map[string]string{optZone: "z"}, level: levelInfo},
		{name: "list options append, and split words",
			args: a("--copy-users", "jenkins jim", "create-diz", "--copy-user", "bob", "-c", "g", "--add-vnic-over", "etherstub127 e1000g0|81|00:12:34:56:78:ab"),
			verb: "create-diz", str: map[string]string{optOrigin: "g"},
			lists: map[string][]string{optCopyUsers: {"jenkins", "jim", "bob"}, optVNICsOver: {"etherstub127", "e1000g0|81|00:12:34:56:78:ab"}},
			level: levelInfo},
		{name: "mounts and the command keep their spaces",
			args: a("exec-diz", "-c", "g", "--mount-lofs", "/export/my home", "--mount-autonfs", "/a b|srv:/x", "--exec-cmd", "cd /src && gmake  all"),
			verb: "exec-diz", str: map[string]string{optOrigin: "g", optExecCmd: "cd /src && gmake  all"},
			lists: map[string][]string{optMountLofs: {"/export/my home"}, optMountAutoNFS: {"/a b|srv:/x"}}, level: levelInfo},
		{name: "a query verb takes the next word as the zone",
			args: a("is-managed", "test-zone-1"), verb: "is-managed",
			str: map[string]string{optZone: "test-zone-1"}, level: levelInfo},
		{name: "the positional zone may come after options",
			args: a("get-state", "-q", "test-zone-1"), verb: "get-state",
			str: map[string]string{optZone: "test-zone-1"}, level: levelWarn},
		{name: "a positional zone may be a verb's word",
			args: a("get-state", "list"), verb: "get-state",
			str: map[string]string{optZone: "list"}, level: levelInfo},
		{name: "-c implies create-diz",
			args: a("-c", "test-giz-1"), verb: "create-diz",
			str: map[string]string{optOrigin: "test-giz-1"}, level: levelInfo},
		{name: "--exec-cmd implies exec",
			args: a("-z", "z", "--exec-cmd", "make"), verb: "exec",
			str: map[string]string{optZone: "z", optExecCmd: "make"}, level: levelInfo},
		{name: "the first implied verb stays when another option would imply one",
			args: a("-c", "g", "--exec-cmd", "make"), verb: "create-diz",
			str: map[string]string{optOrigin: "g", optExecCmd: "make"}, level: levelInfo},
		{name: "-c after a verb implies nothing",
			args: a("exec-diz", "-c", "g", "--exec-cmd", "make"), verb: "exec-diz",
			str: map[string]string{optOrigin: "g", optExecCmd: "make"}, level: levelInfo},
		{name: "a verb after an implied one wins",
			args: a("-c", "g", "--exec-cmd", "make", "exec-diz"), verb: "exec-diz",
			str: map[string]string{optOrigin: "g", optExecCmd: "make"}, level: levelInfo},
		{name: "-Z drops an earlier -z",
			args: a("-z", "a", "-Z", "create-diz"), verb: "create-diz",
			on: map[string]bool{optAutoname: true}, level: levelInfo},
		{name: "-z after -Z names the zone",
			args: a("-Z", "-z", "a", "create-diz"), verb: "create-diz",
			str: map[string]string{optZone: "a"}, on: map[string]bool{optAutoname: false}, level: levelInfo},
		{name: "-d with a level",
			args: a("-d", "0", "list"), verb: "list", level: 0},
		{name: "-d with level -1",
			args: a("list", "--debug", "-1"), verb: "list", level: -1},
		{name: "-d without a level adds one",
			args: a("-d", "-d", "list"), verb: "list", level: levelInfo + 2},
		{name: "-q then -Q: the last wins",
			args: a("-q", "-Q", "list"), verb: "list", level: levelError},
		{name: "zoneadm list flags after a list verb",
			args: a("list-giz", "-cv"), verb: "list-giz",
			str: map[string]string{optListArgs: "-cv"}, level: levelInfo},
		{name: "-c is a clone after any other word",
			args: a("-c", "g", "list-snaps"), verb: "list-snapshots",
			str: map[string]string{optOrigin: "g"}, level: levelInfo},
		{name: "single-dash -help",
			args: a("-help"), on: map[string]bool{optHelp: true}, level: levelInfo},
		{name: "values may start with a dash",
			args: a("exec", "-z", "z", "--exec-cmd", "-x", "--exec-user", "-S"), verb: "exec",
			str: map[string]string{optZone: "z", optExecCmd: "-x", optExecUser: "-S"}, level: levelInfo},
		{name: "option=value and attached short values",
			args: a("--zone=z", "-sS1", "snapshot"), verb: "snapshot",
			str: map[string]string{optZone: "z", optSnapshot: "S1"}, level: levelInfo},
		{name: "DEVEL_DEBUG takes the next word as its step",
			args: a("-z", "g", "DEVEL_DEBUG", "list"), verb: develDebugWord, step: "list",
			str: map[string]string{optZone: "g"}, level: levelInfo},
		{name: "switches given as false",
			args: a("--json=false", "--dry-run=true", "list"), verb: "list",
			on: map[string]bool{optJSON: false, optDryRun: true}, level: levelInfo},
		{name: "words after -- are words",
			args: a("get-state", "--", "z"), verb: "get-state",
			str: map[string]string{optZone: "z"}, level: levelInfo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := parse(tt.args, levelInfo)
			if err != nil {
				t.Fatalf("parse %q: %v", tt.args, err)
			}
			verb := ""
			if r.verb != nil {
				verb = r.verb.name
			}
			if verb != tt.verb {
				t.Errorf("verb %q, want %q", verb, tt.verb)
			}
			if r.step != tt.step {
				t.Errorf("step %q, want %q", r.step, tt.step)
			}
			if r.level != tt.level {
				t.Errorf("level %d, want %d", r.level, tt.level)
			}
			if tt.str == nil {
				tt.str = map[string]string{}
			}
			if !reflect.DeepEqual(r.str, tt.str) {
				t.Errorf("values %v, want %v", r.str, tt.str)
			}
			if tt.lists == nil {
				tt.lists = map[string][]string{}
			}
			if !reflect.DeepEqual(r.lists, tt.lists) {
				t.Errorf("lists %q, want %q", r.lists, tt.lists)
			}
			for k, v := range tt.on {
				if r.on[k] != v {
					t.Errorf("switch %s is %v, want %v", k, r.on[k], v)
				}
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args   []string
		stderr string
	}{
		{a("craete-diz"), "zonemgr: error: unknown verb \"craete-diz\"\nzonemgr: hint: did you mean create-diz?\n"},
		{a("-z", "g", "lsit-giz"), "zonemgr: error: unknown verb \"lsit-giz\"\nzonemgr: hint: did you mean list-giz?\n"},
		{a("destroy", "test-diz-1"), "zonemgr: error: unexpected argument \"test-diz-1\"\nzonemgr: hint: to name the zone, use -z test-diz-1\n"},
		{a("frobnicate"), "zonemgr: error: unknown verb \"frobnicate\"\nzonemgr: hint: see zonemgr --help for the verbs\n"},
		{a("create-diz", "--clon", "g"), "zonemgr: error: unknown option --clon\nzonemgr: hint: did you mean --clone?\n"},
		{a("create-diz", "--copy-usres", "a"), "zonemgr: error: unknown option --copy-usres\nzonemgr: hint: did you mean --copy-users?\n"},
		{a("list", "-x"), "zonemgr: error: unknown option -x in -x\nzonemgr: hint: see zonemgr --help for the options\n"},
		{a("boot", "-z"), "zonemgr: error: option -z needs an argument: ZONE\n"},
		{a("exec", "-z", "z", "--exec-cmd"), "zonemgr: error: option --exec-cmd needs an argument: COMMAND\n"},
		{a(), "zonemgr: error: no verb given\nzonemgr: hint: zonemgr --help lists the verbs\n"},
		{a("-q", "-z", "z"), "zonemgr: error: no verb given\nzonemgr: hint: zonemgr --help lists the verbs\n"},
		{a("boot"), "zonemgr: error: boot needs a zone: -z ZONE\nzonemgr: hint: zonemgr boot --help shows how\n"},
		{a("halt", "-Z"), "zonemgr: error: option -Z does not apply to halt\nzonemgr: hint: zonemgr halt --help lists its options\n"},
		{a("list-diz", "--copy-users", "jim"), "zonemgr: error: option --copy-users does not apply to list-diz\nzonemgr: hint: zonemgr list-diz --help lists its options\n"},
		{a("create-giz", "--add-vnic-over", "stub0"), "zonemgr: error: option --add-vnic-over does not apply to create-giz\nzonemgr: hint: zonemgr create-giz --help lists its options\n"},
		{a("exec", "-z", "z"), "zonemgr: error: exec needs --exec-cmd COMMAND\nzonemgr: hint: zonemgr exec --help shows how\n"},
		{a("exec-diz", "--exec-cmd", "make"), "zonemgr: error: exec-diz needs -c GIZ or -p LIST\nzonemgr: hint: zonemgr exec-diz --help shows how\n"},
		{a("destroy-snap", "-z", "g"), "zonemgr: error: destroy-snap needs -s SNAP\nzonemgr: hint: zonemgr destroy-snapshot --help shows how\n"},
		{a("pkg-install", "-z", "g"), "zonemgr: error: pkg-install needs -p LIST\nzonemgr: hint: zonemgr pkg-install --help shows how\n"},
		{a("exec", "-z", "z", "--exec-cmd", "x", "--exec-discard", "onfial"), "zonemgr: error: --exec-discard \"onfial\" is not a discard policy\nzonemgr: hint: did you mean onfail?\n"},
		{a("list", "-pv"), "zonemgr: error: list flags \"-pv\": -p and -v are mutually exclusive\n"},
		{a("DEVEL_DEBUG"), "zonemgr: error: DEVEL_DEBUG needs a step name\nzonemgr: hint: zonemgr DEVEL_DEBUG list names the steps\n"},
		{a("DEVEL_DEBUG", "setup_zone_postinstal"), "zonemgr: error: unsupported DEVEL_DEBUG step \"setup_zone_postinstal\"\n" +
			"zonemgr: hint: did you mean setup_zone_postinstall?\n" +
			"zonemgr: hint: supported: list, setup_zone_postinstall, clone_zone, snapshot_zone, rollback_zone, start_zone, zone_start_wait_svc, stop_zone, destroy_zone, verify_zone, list_auto_vnics_orphaned\n"},
		{a("DEVEL_DEBUG", "generate_snap_comment"), "zonemgr: error: unsupported DEVEL_DEBUG step \"generate_snap_comment\"\n" +
			"zonemgr: hint: supported: list, setup_zone_postinstall, clone_zone, snapshot_zone, rollback_zone, start_zone, zone_start_wait_svc, stop_zone, destroy_zone, verify_zone, list_auto_vnics_orphaned\n"},
		{a("-z", "g", "--copy-users", "jim", "DEVEL_DEBUG", "snapshot_zone"), "zonemgr: error: option --copy-users does not apply to DEVEL_DEBUG snapshot_zone\nzonemgr: hint: zonemgr snapshot --help lists its options\n"},
		{a("-q", "play", "tasks.yml"), "zonemgr: error: play must be the first word of the command line\nzonemgr: hint: zonemgr play TASKS.yml [OPTIONS]; see zonemgr play --help\n"},
		{a("--debug=x", "list"), "zonemgr: error: option --debug: \"x\" is not a level (a whole number from -1)\n"},
		{a("--json=maybe", "list"), "zonemgr: error: option --json: \"maybe\" is not true or false\n"},
		// An empty value is no left-out option, and two values are no choice.
		{a("exec", "-z", "z", "--exec-cmd", "id", "--exec-user", ""), "zonemgr: error: --exec-user: the value is empty\nzonemgr: hint: leave --exec-user out for its default\n"},
		{a("snapshot", "-z", "g", "-s", ""), "zonemgr: error: -s: the value is empty\nzonemgr: hint: leave -s out for its default\n"},
		{a("create-giz", "-z", "golden", "-z", "g5"), "zonemgr: error: -z given twice, as \"golden\" and as \"g5\"; give it once\n"},
		{a("destroy", "-z", "keep", "-z", "victim"), "zonemgr: error: -z given twice, as \"keep\" and as \"victim\"; give it once\n"},
		// Usage errors show at every message level.
		{a("-d", "0", "craete-diz"), "zonemgr: error: unknown verb \"craete-diz\"\nzonemgr: hint: did you mean create-diz?\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			h := newFakeHost()
			got := runCLI(t, h, nil, tt.args...)
			if got.code != ExitUsage {
				t.Errorf("exit status %d, want %d", got.code, ExitUsage)
			}
			if got.stderr != tt.stderr {
				t.Errorf("stderr:\n%s\nwant:\n%s", got.stderr, tt.stderr)
			}
			if got.stdout != "" {
				t.Errorf("stdout %q, want nothing", got.stdout)
			}
			if len(h.calls) != 0 {
				t.Errorf("a usage error called %d module(s)", len(h.calls))
			}
		})
	}
}

func TestPreprocess(t *testing.T) {
	tests := []struct{ in, want []string }{
		{a("-help"), a("--help")},
		{a("-d", "7", "list"), a("--debug=7", "list")},
		{a("-d", "list"), a("-d", "list")},
		{a("list", "-cp"), a("list", "--list-args=-cp")},
		{a("list-diz", "-i"), a("list-diz", "--list-args=-i")},
		{a("-z", "list", "-cv"), a("-z", "list", "-cv")},
		{a("--zone", "list", "-p", "x"), a("--zone", "list", "-p", "x")},
		{a("boot", "-cv"), a("boot", "-cv")},
		{a("--", "-help"), a("--", "-help")},
	}
	for _, tt := range tests {
		if got := preprocess(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("preprocess(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// With --json, a usage error is also the one JSON object a failed result
// is, whether --json was parsed yet or not; without it, stdout is empty.
func TestUsageErrorsWithJSON(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{a("--json", "craete-diz"), `unknown verb "craete-diz"`},
		{a("craete-diz", "--json"), `unknown verb "craete-diz"`},
		{a("--json", "exec", "-z", "z", "--exec-cmd", "x", "--exec-discard", "onfial"), `--exec-discard "onfial" is not a discard policy`},
		{a("--json", "create-giz", "-z", "a", "-z", "b"), `-z given twice, as "a" and as "b"; give it once`},
		{a("--json=false", "craete-diz"), ""},
		{a("craete-diz"), ""},
	} {
		got := runCLI(t, newFakeHost(), nil, tc.args...)
		if got.code != ExitUsage {
			t.Errorf("%q: exit %d, want %d", tc.args, got.code, ExitUsage)
		}
		if tc.msg == "" {
			if got.stdout != "" {
				t.Errorf("%q: stdout %q, want nothing", tc.args, got.stdout)
			}
			continue
		}
		var res map[string]any
		if err := json.Unmarshal([]byte(got.stdout), &res); err != nil || res["failed"] != true || res["changed"] != false || res["msg"] != tc.msg {
			t.Errorf("%q: stdout %q (%v), want one failed result saying %q", tc.args, got.stdout, err, tc.msg)
		}
	}
}
