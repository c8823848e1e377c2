package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// A badInput is one invalid input given through one of the three front
// doors: a module's args file (args, or raw bytes when the file is not
// JSON), the classic command line (cli), or a task file for zonemgr play
// (play). want are the parts of the error that name the field and say
// what is accepted.
type badInput struct {
	name   string
	module string
	args   map[string]any
	raw    []byte
	cli    []string
	play   string
	want   []string
}

// Zone-name rules as the error states them.
const (
	ruleChars = "may contain only letters, digits, '_', '.' and '-'"
	ruleStart = "must start with a letter or a digit"
)

// badZoneNames are the invalid zone names with the rule each breaks.
var badZoneNames = []struct{ label, name, rule string }{
	{"65 chars", strings.Repeat("z", 65), "must be at most 63 characters"},
	{"leading dash", "-golden", ruleStart},
	{"leading dot", ".golden", ruleStart},
	{"global", "global", `"global" is the global zone`},
	{"SUNWfoo", "SUNWfoo", `names starting with "SUNW" are reserved`},
	{"space", "gold en", ruleChars},
	{"semicolon", "gold;en", ruleChars},
	{"command substitution", "$(touch /tmp/pwned)", ruleStart},
	{"newline", "gold\nen", ruleChars},
	{"non-ASCII", "göld", ruleChars},
}

// playTask renders a one-task file for zonemgr play; values are written
// as JSON, which YAML reads as flow scalars, so any string survives.
func playTask(module string, args map[string]any) string {
	var b strings.Builder
	b.WriteString("- name: bad input\n  " + module + ":\n")
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, _ := json.Marshal(args[k])
		b.WriteString("    " + k + ": " + string(v) + "\n")
	}
	return b.String()
}

// badInputs is the corpus: every input the issue lists, through every
// front door that can carry it.
func badInputs() []badInput {
	var in []badInput
	for _, z := range badZoneNames {
		want := []string{"name", "invalid zone name", z.rule}
		in = append(in,
			badInput{name: "zone_giz name " + z.label, module: "zone_giz", args: map[string]any{"name": z.name}, want: want},
			badInput{name: "zone_diz name " + z.label, module: "zone_diz", args: map[string]any{"name": z.name, "giz": "golden"}, want: want},
			badInput{name: "zone_diz giz " + z.label, module: "zone_diz", args: map[string]any{"name": "d1", "giz": z.name}, want: []string{"giz", "invalid zone name", z.rule}},
			badInput{name: "zone_snapshot zone " + z.label, module: "zone_snapshot", args: map[string]any{"zone": z.name}, want: []string{"zone", "invalid zone name", z.rule}},
			badInput{name: "zone_exec zone " + z.label, module: "zone_exec", args: map[string]any{"zone": z.name, "cmd": "true"}, want: []string{"zone", "invalid zone name", z.rule}},
			badInput{name: "cli create-giz -z " + z.label, cli: []string{"create-giz", "-z", z.name}, want: want},
			badInput{name: "cli create-diz -z " + z.label, cli: []string{"create-diz", "-c", "golden", "-z", z.name}, want: want},
			badInput{name: "cli create-diz -c " + z.label, cli: []string{"create-diz", "-c", z.name, "-z", "d1"}, want: []string{"-c: ", "invalid zone name", z.rule}},
			badInput{name: "play zone_giz name " + z.label, play: playTask("zone_giz", map[string]any{"name": z.name}), want: want},
			badInput{name: "play zone_diz name " + z.label, play: playTask("zone_diz", map[string]any{"name": z.name, "giz": "golden"}), want: want},
		)
	}
	emptyWant := []string{"name", "empty", "letters, digits"}
	in = append(in,
		badInput{name: "zone_giz name empty", module: "zone_giz", args: map[string]any{"name": ""}, want: emptyWant},
		badInput{name: "zone_giz no name to update", module: "zone_giz", args: map[string]any{"state": "updated"}, want: []string{"name: required"}},
		badInput{name: "zone_diz name empty", module: "zone_diz", args: map[string]any{"name": "", "giz": "golden"}, want: emptyWant},
		badInput{name: "zone_diz absent without a name", module: "zone_diz", args: map[string]any{"state": "absent"}, want: []string{"name: required when state is absent"}},
		badInput{name: "cli create-giz -z empty", cli: []string{"create-giz", "-z", ""}, want: []string{"-z", "empty", "letters, digits"}},
		badInput{name: "cli create-diz -z empty", cli: []string{"create-diz", "-c", "golden", "-z", ""}, want: []string{"-z", "empty", "letters, digits"}},
		badInput{name: "play zone_diz name empty", play: playTask("zone_diz", map[string]any{"name": "", "giz": "golden"}), want: emptyWant},
	)

	// Dataset names.
	// The classic command line collapses "//" and drops a trailing "/" in
	// --delegate-dataset values as the original script did, so those two
	// reach the modules only through args files and task files.
	for _, d := range []struct {
		label, ds, want string
		cli             bool
	}{
		{"@", "rpool/zones/_zonemgr/delegated/d1@now", "snapshot delimiter '@' is not expected here", true},
		{"//", "rpool/zones//d1", "empty component in name", false},
		{"trailing /", "rpool/zones/_zonemgr/delegated/d1/", "trailing slash in name", false},
		{"no such pool", "nosuch/d1", "pool nosuch does not exist", true},
		{"a pool", "rpool", "is a pool; delegate a dataset inside one", true},
	} {
		args := map[string]any{"name": "d1", "giz": "golden", "delegate_datasets": []string{d.ds}}
		in = append(in,
			badInput{name: "zone_diz delegate_datasets " + d.label, module: "zone_diz", args: args, want: []string{"delegate_datasets", d.want}},
			badInput{name: "play delegate_datasets " + d.label, play: playTask("zone_diz", args), want: []string{"delegate_datasets", d.want}},
		)
		if d.cli {
			in = append(in, badInput{name: "cli --delegate-dataset " + d.label, cli: []string{"create-diz", "-c", "golden", "-z", "d1", "--delegate-dataset", d.ds}, want: []string{"--delegate-dataset: ", d.want}})
		}
	}

	// Paths.
	for _, p := range []struct{ label, spec, want string }{
		{"relative", "src", `dir "src" is not an absolute path`},
		{"dotdot", "/src/../etc", `dir "/src/../etc" is not a clean absolute path (no '..', '//' or trailing '/')`},
		{"relative gzpath", "/src|export/src", `special "export/src" is not an absolute path`},
		{"dotdot gzpath", "/src|/export/../etc", `special "/export/../etc" is not a clean absolute path`},
		{"bad mode", "/src|/export/home|rx", `mode "rx" is not one of: ro, rw`},
		{"the global zone's root", "/gz|/", `special "/" is the global zone's root: refusing to put it in a zone`},
	} {
		args := map[string]any{"name": "d1", "giz": "golden", "mount_lofs": []string{p.spec}}
		in = append(in,
			badInput{name: "zone_diz mount_lofs " + p.label, module: "zone_diz", args: args, want: []string{"mount_lofs", p.want}},
			badInput{name: "zone_giz mount_lofs " + p.label, module: "zone_giz", args: map[string]any{"name": "g2", "mount_lofs": []string{p.spec}}, want: []string{"mount_lofs", p.want}},
			badInput{name: "cli --mount-lofs " + p.label, cli: []string{"create-diz", "-c", "golden", "-z", "d1", "--mount-lofs", p.spec}, want: []string{"--mount-lofs: ", p.want}},
			badInput{name: "play mount_lofs " + p.label, play: playTask("zone_diz", args), want: []string{"mount_lofs", p.want}},
		)
	}
	in = append(in,
		badInput{name: "zone_exec chdir relative", module: "zone_exec", args: map[string]any{"zone": "golden", "cmd": "true", "chdir": "src"}, want: []string{"chdir", "is not an absolute path"}},
		badInput{name: "zone_diz mount_autonfs relative", module: "zone_diz", args: map[string]any{"name": "d1", "giz": "golden", "mount_autonfs": []string{"net/src|nfs:/export"}}, want: []string{"mount_autonfs", "absolute, clean zone path"}},
		badInput{name: "zone_diz mount_autonfs relative source", module: "zone_diz", args: map[string]any{"name": "d1", "giz": "golden", "mount_autonfs": []string{"/net/src|nfs:export"}}, want: []string{"mount_autonfs", `is not "server:/absolute/path"`}},
	)

	// VNIC specs.
	for _, v := range []struct{ label, spec, want string }{
		{"VLAN 0", "e1000g0|0", `VLAN "0" is not a number from 1 to 4094`},
		{"VLAN 4095", "e1000g0|4095", `VLAN "4095" is not a number from 1 to 4094`},
		{"VLAN word", "e1000g0|ten", `VLAN "ten" is not a number from 1 to 4094`},
		{"bad MAC", "e1000g0|81|2:8:20:zz:0:1", `MAC "2:8:20:zz:0:1" is not six hex octets separated by ':'`},
		{"short MAC", "e1000g0|81|2:8:20", `MAC "2:8:20" is not six hex octets separated by ':'`},
		{"link without digit", "e1000g", `invalid link name "e1000g": must end with a digit`},
		{"too many fields", "e1000g0|1|2:8:20:a:b:c|x", `want "LINK[|VLAN[|MAC]]"`},
	} {
		args := map[string]any{"name": "d1", "giz": "golden", "add_vnics_over": []string{v.spec}}
		in = append(in,
			badInput{name: "zone_diz add_vnics_over " + v.label, module: "zone_diz", args: args, want: []string{"add_vnics_over", v.want}},
			badInput{name: "cli --add-vnic-over " + v.label, cli: []string{"create-diz", "-c", "golden", "-z", "d1", "--add-vnic-over", v.spec}, want: []string{"--add-vnic-over: ", v.want}},
			badInput{name: "play add_vnics_over " + v.label, play: playTask("zone_diz", args), want: []string{"add_vnics_over", v.want}},
		)
	}
	in = append(in,
		badInput{name: "zone_diz add_vnics without digit", module: "zone_diz", args: map[string]any{"name": "d1", "giz": "golden", "add_vnics": []string{"vnic"}}, want: []string{"add_vnics", "must end with a digit"}},
	)

	// Users and groups.
	for _, u := range []struct{ opt, val, want string }{
		{"copy_users", "nosuchuser", `no user "nosuchuser" in the global zone's /etc/passwd`},
		{"elevate_users", "nosuchuser", `no user "nosuchuser" in the global zone's /etc/passwd`},
		{"copy_groups", "nosuchgroup", `no group "nosuchgroup" in the global zone's /etc/group`},
	} {
		args := map[string]any{"name": "d1", "giz": "golden", u.opt: []string{u.val}}
		flag := "--" + strings.ReplaceAll(u.opt, "_", "-")
		want := []string{u.opt + ": " + u.want}
		in = append(in,
			badInput{name: "zone_diz " + u.opt + " unknown", module: "zone_diz", args: args, want: want},
			badInput{name: "zone_giz " + u.opt + " unknown", module: "zone_giz", args: map[string]any{"name": "g2", u.opt: []string{u.val}}, want: want},
			badInput{name: "cli " + flag + " unknown", cli: []string{"create-diz", "-c", "golden", "-z", "d1", flag, u.val}, want: []string{flag + ": " + u.want}},
			badInput{name: "play " + u.opt + " unknown", play: playTask("zone_diz", args), want: want},
		)
	}
	in = append(in,
		badInput{name: "zone_exec user unknown in the zone", module: "zone_exec", args: map[string]any{"zone": "golden", "cmd": "true", "user": "nosuchuser"}, want: []string{`user: no user "nosuchuser" in zone golden's /etc/passwd`}},
		badInput{name: "zone_exec user unknown in the golden zone", module: "zone_exec", args: map[string]any{"giz": "golden", "cmd": "true", "user": "nosuchuser"}, want: []string{`user: no user "nosuchuser" in zone golden's /etc/passwd`}},
		badInput{name: "cli exec --exec-user unknown", cli: []string{"exec", "-z", "golden", "--exec-cmd", "true", "--exec-user", "nosuchuser"}, want: []string{`--exec-user: no user "nosuchuser"`}},
		badInput{name: "zone_exec user not a name", module: "zone_exec", args: map[string]any{"zone": "golden", "cmd": "true", "user": "-froot"}, want: []string{`user: "-froot" is not a user name`}},
	)

	// Snapshot names.
	snapWant := "is not a snapshot name (letters, digits, '_', '-', '.', ':'; no '@' or '/')"
	for _, sn := range []struct{ label, name string }{{"@", "a@b"}, {"/", "a/b"}, {"space", "a b"}} {
		in = append(in,
			badInput{name: "zone_snapshot name " + sn.label, module: "zone_snapshot", args: map[string]any{"zone": "golden", "name": sn.name}, want: []string{"name", snapWant}},
			badInput{name: "zone_diz snapshot " + sn.label, module: "zone_diz", args: map[string]any{"name": "d1", "giz": "golden", "snapshot": sn.name}, want: []string{"snapshot", snapWant}},
			badInput{name: "cli snapshot -s " + sn.label, cli: []string{"snapshot", "-z", "golden", "-s", sn.name}, want: []string{"-s: ", snapWant}},
			badInput{name: "play zone_snapshot name " + sn.label, play: playTask("zone_snapshot", map[string]any{"zone": "golden", "name": sn.name}), want: []string{"name", snapWant}},
		)
	}
	in = append(in,
		badInput{name: "zone_giz snapshot with @", module: "zone_giz", args: map[string]any{"name": "g2", "source": "golden", "snapshot": "a@b"}, want: []string{"snapshot", "no '@', '/'"}},
	)

	// Wrong types and values.
	in = append(in,
		badInput{name: "name is a list", module: "zone_diz", args: map[string]any{"name": []string{"d1"}, "giz": "golden"}, want: []string{`name: ["d1"] is not a str`}},
		badInput{name: "copy_users is a dict", module: "zone_diz", args: map[string]any{"name": "d1", "giz": "golden", "copy_users": map[string]any{"a": 1}}, want: []string{`copy_users: {"a":1} is not a list`}},
		badInput{name: "boot_timeout is a word", module: "zone_diz", args: map[string]any{"name": "d1", "giz": "golden", "boot_timeout": "soon"}, want: []string{`boot_timeout: "soon" is not an int`}},
		badInput{name: "boot_timeout negative", module: "zone_diz", args: map[string]any{"name": "d1", "giz": "golden", "boot_timeout": -5}, want: []string{"boot_timeout: -5 is out of range: give 0 to 31622400 seconds"}},
		badInput{name: "zone_giz boot_timeout negative", module: "zone_giz", args: map[string]any{"name": "g4", "boot_timeout": -5}, want: []string{"boot_timeout: -5 is out of range"}},
		badInput{name: "timeout past a duration", module: "zone_exec", args: map[string]any{"zone": "golden", "cmd": "true", "timeout": 18446744074}, want: []string{"timeout: 18446744074 is out of range"}},
		badInput{name: "output_limit past 1 GiB", module: "zone_exec", args: map[string]any{"zone": "golden", "cmd": "true", "output_limit": 9007199254740993}, want: []string{"output_limit: 9007199254740993 is out of range: give 1 to 1048576 KiB"}},
		badInput{name: "user empty", module: "zone_exec", args: map[string]any{"zone": "golden", "cmd": "id", "user": ""}, want: []string{"user: the value is empty; leave user out for its default"}},
		badInput{name: "snapshot empty", module: "zone_diz", args: map[string]any{"name": "d1", "giz": "golden", "snapshot": ""}, want: []string{"snapshot: the value is empty"}},
		badInput{name: "archive empty", module: "zone_giz", args: map[string]any{"name": "g4", "archive": ""}, want: []string{"archive: the value is empty"}},
		badInput{name: "capped_memory without its unit", module: "zone_diz", args: map[string]any{"name": "d1", "giz": "golden", "capped_memory": "100"}, want: []string{`capped_memory: "100" is not a size with its unit`}},
		badInput{name: "capped_memory below 1M", module: "zone_diz", args: map[string]any{"name": "d1", "giz": "golden", "capped_memory": "512K"}, want: []string{`capped_memory: "512K" is less than 1M`}},
		badInput{name: "delegate the zones' parent", module: "zone_diz", args: map[string]any{"name": "d1", "giz": "golden", "delegate_datasets": []string{"rpool/zones"}}, want: []string{"delegate_datasets: rpool/zones holds zonemgr's dataset"}},
		badInput{name: "delegate the boot environments", module: "zone_diz", args: map[string]any{"name": "d1", "giz": "golden", "delegate_datasets": []string{"rpool/ROOT"}}, want: []string{"delegate_datasets: rpool/ROOT: rpool/ROOT holds the global zone's boot environments"}},
		badInput{name: "force is not a bool", module: "zone_giz", args: map[string]any{"name": "golden", "state": "absent", "force": "maybe"}, want: []string{`force: "maybe" is not a bool`}},
		badInput{name: "state not a choice", module: "zone_diz", args: map[string]any{"name": "d1", "giz": "golden", "state": "gone"}, want: []string{"state", "gone", "present"}},
		badInput{name: "env is a list", module: "zone_exec", args: map[string]any{"zone": "golden", "cmd": "true", "env": []int{1}}, want: []string{"env", "is not a dict"}},
		badInput{name: "env name invalid", module: "zone_exec", args: map[string]any{"zone": "golden", "cmd": "true", "env": map[string]string{"A B": "1"}}, want: []string{"env", `"A B" is not a variable name`}},
		badInput{name: "ok_rcs not ints", module: "zone_exec", args: map[string]any{"zone": "golden", "cmd": "true", "ok_rcs": []string{"zero"}}, want: []string{"ok_rcs"}},
		badInput{name: "capped_memory", module: "zone_diz", args: map[string]any{"name": "d1", "giz": "golden", "capped_memory": "lots"}, want: []string{`capped_memory: "lots" is not a size with its unit, such as 512M, 2G or 1T`}},
		badInput{name: "capped_cpu", module: "zone_diz", args: map[string]any{"name": "d1", "giz": "golden", "capped_cpu": "-1"}, want: []string{`capped_cpu: "-1" is not a positive number of CPUs`}},
		badInput{name: "package with a shell word", module: "zone_giz", args: map[string]any{"name": "golden", "state": "updated", "add_packages": []string{"a;b"}}, want: []string{"add_packages", `"a;b" is not a package FMRI or pattern`}},
		badInput{name: "publisher without URL", module: "zone_giz", args: map[string]any{"name": "golden", "add_publishers": []string{"omnios"}}, want: []string{"add_publishers", `want "name|scheme://origin/url"`}},
		badInput{name: "play boot_timeout is a word", play: playTask("zone_diz", map[string]any{"name": "d1", "giz": "golden", "boot_timeout": "soon"}), want: []string{`boot_timeout: "soon" is not an int`}},
		badInput{name: "cli --exec-discard", cli: []string{"exec", "-z", "golden", "--exec-cmd", "true", "--exec-discard", "sometimes"}, want: []string{`--exec-discard "sometimes" is not a discard policy`}},
		badInput{name: "cli --debug level", cli: []string{"list", "--debug=loud"}, want: []string{`option --debug: "loud" is not a level`}},
	)

	// Files that are not what they should be.
	big := []byte(`{"name": "d1", "giz": "golden", "copy_users": "` + strings.Repeat("x", 10<<20) + `"}`)
	in = append(in,
		badInput{name: "invalid JSON", module: "zone_diz", raw: []byte(`{"name": "d1", "giz": `), want: []string{"module args: invalid JSON"}},
		badInput{name: "JSON not an object", module: "zone_giz", raw: []byte(`["golden"]`), want: []string{"module args"}},
		badInput{name: "empty args file", module: "zone_giz", raw: []byte{}, want: []string{"is empty, want a JSON object"}},
		badInput{name: "10 MiB args file", module: "zone_diz", raw: big, want: []string{"larger than the", "byte limit"}},
		badInput{name: "play invalid YAML", play: "- name: x\n  zone_giz: {name: [golden\n", want: []string{"YAML syntax error"}},
		badInput{name: "play not a list of tasks", play: "42\n", want: []string{"tasks.yml:1"}},
	)

	// Unknown options.
	in = append(in,
		badInput{name: "zone_giz unknown option", module: "zone_giz", args: map[string]any{"name": "golden", "bogus": 1}, want: []string{"Unsupported parameters for (zone_giz) module: bogus", "Supported parameters include: add_packages"}},
		badInput{name: "zone_diz unknown option", module: "zone_diz", args: map[string]any{"name": "d1", "giz": "golden", "vnics": []string{"e1000g0"}}, want: []string{"Unsupported parameters for (zone_diz) module: vnics", "add_vnics"}},
		badInput{name: "zone_exec unknown option", module: "zone_exec", args: map[string]any{"zone": "golden", "cmd": "true", "shell": "/bin/bash"}, want: []string{"Unsupported parameters for (zone_exec) module: shell"}},
		badInput{name: "cli unknown option", cli: []string{"create-diz", "-c", "golden", "--bogus"}, want: []string{"unknown option --bogus"}},
		badInput{name: "cli option of another verb", cli: []string{"list", "--exec-cmd", "true"}, want: []string{"option --exec-cmd does not apply to list"}},
		badInput{name: "cli unknown verb", cli: []string{"create-gizz", "-z", "g2"}, want: []string{`unknown verb "create-gizz"`}},
		badInput{name: "play unknown option", play: playTask("zone_giz", map[string]any{"name": "golden", "bogus": 1}), want: []string{`zone_giz: unknown option "bogus"`, "known: add_packages"}},
		badInput{name: "play unknown module", play: "- name: x\n  zone_gizz:\n    name: golden\n", want: []string{`unknown key "zone_gizz"`, "nor a module (zone_diz"}},
	)
	return in
}

// TestBadInput gives every input of the corpus to its front door and
// checks that it is refused with an error naming the field and what is
// accepted, with a non-zero exit (and failed: true from a module), and
// that the simulated global zone is exactly as it was.
func TestBadInputCorpus(t *testing.T) {
	s := goldenSim(t)
	s0 := s.State()
	dir := t.TempDir()
	cases := badInputs()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var msg string
			var code int
			switch {
			case tc.module != "":
				raw := tc.raw
				if raw == nil {
					var err error
					if raw, err = json.Marshal(tc.args); err != nil {
						t.Fatal(err)
					}
				}
				f := filepath.Join(dir, "args.json")
				if err := os.WriteFile(f, raw, 0o600); err != nil {
					t.Fatal(err)
				}
				stdout, stderr, rc := s.Run(nil, tc.module, f)
				code = rc
				var res map[string]any
				if err := json.Unmarshal([]byte(stdout), &res); err != nil {
					t.Fatalf("stdout is not one JSON object: %v\nstdout: %.500s\nstderr: %.500s", err, stdout, stderr)
				}
				if res["failed"] != true {
					t.Errorf("failed = %v, want true", res["failed"])
				}
				if res["changed"] == true {
					t.Errorf("changed = true for refused input")
				}
				msg, _ = res["msg"].(string)
			case tc.cli != nil:
				stdout, stderr, rc := s.Run(nil, "zonemgr", tc.cli...)
				code, msg = rc, stdout+stderr
			default:
				f := filepath.Join(dir, "tasks.yml")
				if err := os.WriteFile(f, []byte(tc.play), 0o600); err != nil {
					t.Fatal(err)
				}
				stdout, stderr, rc := s.Run(nil, "zonemgr", "play", f)
				// The play display shows the module's msg inside JSON.
				code, msg = rc, strings.ReplaceAll(stdout+stderr, `\"`, `"`)
			}
			if code == 0 {
				t.Errorf("exit 0, want non-zero; output: %.500s", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error does not say %q:\n%.800s", w, msg)
				}
			}
			if got := s.State(); got != s0 {
				t.Fatalf("the sim changed:\n%s", diffLines(s0, got))
			}
		})
	}
	t.Logf("%d bad inputs tried, each refused with the sim unchanged", len(cases))
}
