package ansibletest

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/modules"
)

// adhocRE matches the default callback's line of an ad hoc run.
var adhocRE = regexp.MustCompile(`(?s)^localhost \| (SUCCESS|CHANGED|FAILED!) => (\{.*\})\s*$`)

// AdHoc runs `ansible localhost -m <module> -a <args>` on the implicit
// localhost, where every value of args is a string, and returns the
// status word and the result.
func (s *Sim) AdHoc(module, args string, extra ...string) (string, map[string]any) {
	s.t.Helper()
	out, code := s.Combined("ansible", append([]string{"localhost", "-m", "illumos.zonemgr." + module, "-a", args}, extra...)...)
	m := adhocRE.FindStringSubmatch(out)
	if m == nil {
		s.t.Fatalf("ansible -m %s -a %q: exit %d, output is not one result:\n%s", module, args, code, out)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(m[2]), &res); err != nil {
		s.t.Fatalf("ansible -m %s -a %q: %v\n%s", module, args, err, out)
	}
	if want := map[string]int{"FAILED!": 2}[m[1]]; code != want {
		s.t.Errorf("ansible -m %s -a %q: %s with exit code %d", module, args, m[1], code)
	}
	return m[1], res
}

func TestAdHoc(t *testing.T) {
	t.Parallel()
	s := NewSim(t)

	// Every value arrives as a string: bools, ints and lists too.
	status, res := s.AdHoc("zone_giz", "name=golden state=present copy_users=jenkins copy_groups=jenkins elevate_users=jenkins force=no boot_timeout=60 wait=yes")
	if status != "CHANGED" || res["state"] != "installed" || res["created"] != true {
		t.Fatalf("zone_giz: %s %v", status, res)
	}
	status, res = s.AdHoc("zone_giz", "name=golden state=present copy_users=jenkins copy_groups=jenkins elevate_users=jenkins force=no boot_timeout=60 wait=yes")
	if status != "SUCCESS" || res["changed"] != false || res["msg"] != "zone golden: nothing to change" {
		t.Errorf("zone_giz again: %s %v", status, res)
	}

	status, res = s.AdHoc("zone_diz", "name=adhoc1 giz=golden state=running copy_users=jenkins,jim mount_lofs=/export/home add_vnics_over=e1000g0|81 capped_memory=1G boot_timeout=30 single_user=no")
	if status != "CHANGED" || res["state"] != "running" || res["giz"] != "golden" {
		t.Fatalf("zone_diz: %s %v", status, res)
	}
	vnics, _ := res["vnics"].([]any)
	if len(vnics) != 1 {
		t.Errorf("zone_diz: vnics %v, want one", res["vnics"])
	}

	status, res = s.AdHoc("zone_exec", "zone=adhoc1 user=jim chdir=/tmp cmd='echo $(id -un) in $(pwd); exit 1' ok_rcs=0,1 output_limit=1")
	if status != "CHANGED" || res["rc"] != float64(1) || res["stdout"] != "jim in /tmp" {
		t.Errorf("zone_exec: %s %v", status, res)
	}

	status, res = s.AdHoc("zone_snapshot", "zone=adhoc1 name=before state=present")
	if status != "CHANGED" || res["snapshot"] != "before" || res["halted"] != true {
		t.Errorf("zone_snapshot: %s %v", status, res)
	}

	status, res = s.AdHoc("zone_info", "name=adhoc1 verify=yes role=diz")
	zones, _ := res["zones"].([]any)
	if status != "SUCCESS" || res["verified"] != true || res["role"] != "diz" || res["state"] != "running" || len(zones) != 1 {
		t.Errorf("zone_info: %s %v", status, res)
	}

	// Check mode through the ad hoc command: predicted, not done.
	status, res = s.AdHoc("zone_diz", "name=adhoc1 state=absent", "--check")
	if status != "CHANGED" || res["state"] != "absent" {
		t.Errorf("zone_diz absent --check: %s %v", status, res)
	}
	if got := s.Zones(); strings.Join(got, " ") != "adhoc1:running golden:installed" {
		t.Errorf("zones after --check: %q", got)
	}
	status, res = s.AdHoc("zone_diz", "name=adhoc1 state=absent")
	if status != "CHANGED" || res["state"] != "absent" {
		t.Errorf("zone_diz absent: %s %v", status, res)
	}
	if got := s.Zones(); strings.Join(got, " ") != "golden:installed" {
		t.Errorf("zones at the end: %q", got)
	}
}

// TestBadArguments checks that invalid arguments fail the task with the
// module's own validation message, listing every problem of the call,
// and run nothing that changes the system.
func TestBadArguments(t *testing.T) {
	t.Parallel()
	s := NewSim(t)
	s.Golden()
	_, n := s.Mutations(0)
	play := `- hosts: build_gz
  gather_facts: false
  tasks:
    - name: bad zone_giz
      illumos.zonemgr.zone_giz:
        name: golden
        state: bogus
        nosuch: 1
        boot_timeout: soon
      ignore_errors: true
    - name: bad zone_diz
      illumos.zonemgr.zone_diz:
        giz: golden
        wait: maybe
        mount_lofs: [relative/path]
      ignore_errors: true
    - name: bad zone_exec
      illumos.zonemgr.zone_exec:
        zone: golden
        giz: golden
        cmd: "true"
      ignore_errors: true
    - name: bad zone_snapshot
      illumos.zonemgr.zone_snapshot:
        name: x
      ignore_errors: true
`
	file := s.Dir + "/bad.yml"
	s.WriteFile(file, play)
	r := s.Playbook(file)
	if r.Code != 0 || r.Recap != (Recap{OK: 4, Ignored: 4}) {
		t.Errorf("exit %d recap %+v, want ok=4 ignored=4\n%s", r.Code, r.Recap, r.Out)
	}
	want := map[string]string{
		"bad zone_giz": `state: value "bogus" is not one of: ` + strings.Join(option(t, "zone_giz", "state").Choices, ", ") +
			`; boot_timeout: "soon" is not an int; ` + unsupported("zone_giz", "nosuch"),
		"bad zone_diz":      `wait: "maybe" is not a bool (use yes/no, true/false, on/off, y/n, t/f or 1/0)`,
		"bad zone_exec":     `zone and giz are mutually exclusive`,
		"bad zone_snapshot": `zone: required`,
	}
	failRE := regexp.MustCompile(`(?m)^TASK \[(bad \w+)\] \**\nfatal: \[localhost\]: FAILED! => (\{.*\})$`)
	got := map[string]string{}
	for _, m := range failRE.FindAllStringSubmatch(r.Out, -1) {
		var res map[string]any
		if err := json.Unmarshal([]byte(m[2]), &res); err != nil {
			t.Errorf("%s: %v: %s", m[1], err, m[2])
			continue
		}
		got[m[1]], _ = res["msg"].(string)
	}
	for task, msg := range want {
		if got[task] != msg {
			t.Errorf("%s: msg\n%q\nwant\n%q", task, got[task], msg)
		}
	}
	if m, _ := s.Mutations(n); len(m) > 0 {
		t.Errorf("invalid arguments ran mutating commands: %q", m)
	}

	// The same through the ad hoc command.
	status, res := s.AdHoc("zone_snapshot", "zone=golden state=gone force=perhaps")
	wantMsg := `state: value "gone" is not one of: ` + strings.Join(option(t, "zone_snapshot", "state").Choices, ", ") +
		`; force: "perhaps" is not a bool (use yes/no, true/false, on/off, y/n, t/f or 1/0)`
	if status != "FAILED!" || res["msg"] != wantMsg {
		t.Errorf("ad hoc: %s msg %q, want %q", status, res["msg"], wantMsg)
	}
}

// option returns an option of a module's spec.
func option(t *testing.T, module, name string) ansible.Option {
	t.Helper()
	for _, o := range modules.All()[module].Spec.Options {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("%s has no option %s", module, name)
	return ansible.Option{}
}

// unsupported is the message for unknown options of a module called by
// its FQCN, as Ansible's AnsibleModule words it: the supported options
// sorted, then all their aliases, sorted, in one parenthesis.
func unsupported(module string, unknown ...string) string {
	var names, aliases []string
	for _, o := range modules.All()[module].Spec.Options {
		names = append(names, o.Name)
		aliases = append(aliases, o.Aliases...)
	}
	list := strings.Join(sorted(names), ", ")
	if len(aliases) > 0 {
		list += " (" + strings.Join(sorted(aliases), ", ") + ")"
	}
	return "Unsupported parameters for (" + modules.Collection + "." + module + ") module: " + strings.Join(unknown, ", ") +
		". Supported parameters include: " + list + "."
}
