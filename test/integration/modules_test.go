package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/test/internal/simh"
)

// goldenSim returns a sim with a golden zone "golden" created through
// zone_giz, with the build user copied.
func goldenSim(t *testing.T) *Sim {
	t.Helper()
	s := NewSim(t)
	s.MustModule("zone_giz", map[string]any{"name": "golden", "copy_users": []string{"jenkins"}, "copy_groups": []string{"jenkins"}})
	// A first disposable zone creates the DIZ container and the delegated
	// datasets' parent, which stay: states compared later start from here.
	s.MustModule("zone_diz", map[string]any{"name": "warmup", "giz": "golden", "delegate_datasets": []string{"rpool/zones/_zonemgr/delegated/warmup"}})
	s.MustModule("zone_diz", map[string]any{"name": "warmup", "state": "absent"})
	return s
}

func strs(v any) []string {
	var out []string
	if l, ok := v.([]any); ok {
		for _, e := range l {
			out = append(out, fmt.Sprint(e))
		}
	}
	return out
}

func TestGIZCreate(t *testing.T) {
	s := NewSim(t)
	before := len(s.Log())
	res := s.MustModule("zone_giz", map[string]any{"name": "golden", "copy_users": "jenkins", "elevate_users": []string{"jenkins"}})
	if res["changed"] != true {
		t.Errorf("changed = %v, want true", res["changed"])
	}
	out, _, _ := s.Run(nil, "zoneadm", "-z", "golden", "list", "-p")
	if f := strings.Split(strings.TrimSpace(out), ":"); len(f) < 6 || f[2] != "installed" || f[3] != "/zones/_zonemgr/GIZ/golden" {
		t.Errorf("zoneadm -z golden list -p = %q, want an installed zone at /zones/_zonemgr/GIZ/golden", out)
	}
	snaps, _, _ := s.Run(nil, "zfs", "list", "-H", "-o", "name", "-t", "snapshot", "-r", "rpool/zones/_zonemgr/GIZ/golden")
	for _, ds := range []string{"", "/ROOT", "/ROOT/zbe"} {
		for _, sn := range []string{"initial-installed-golden", "initial-manifest_import_booted-golden", "initial-postinstalled-golden"} {
			want := "rpool/zones/_zonemgr/GIZ/golden" + ds + "@" + sn
			if !strings.Contains(snaps, want+"\n") {
				t.Errorf("snapshot %s missing; snapshots:\n%s", want, snaps)
			}
		}
	}
	passwd, err := os.ReadFile(filepath.Join(s.Root, "zones/_zonemgr/GIZ/golden/root/etc/passwd"))
	if err != nil || strings.Count(string(passwd), "\njenkins:") != 1 {
		t.Errorf("zone passwd has %d jenkins lines (err %v):\n%s", strings.Count(string(passwd), "\njenkins:"), err, passwd)
	}
	ua, _ := os.ReadFile(filepath.Join(s.Root, "zones/_zonemgr/GIZ/golden/root/etc/user_attr"))
	if !strings.Contains(string(ua), "jenkins::::") {
		t.Errorf("jenkins not elevated in user_attr:\n%s", ua)
	}
	cfg, _, _ := s.Run(nil, "zonecfg", "-z", "golden", "info", "attr", "name=zonemgr.role")
	if !strings.Contains(cfg, "value: giz") {
		t.Errorf("zonemgr.role attr:\n%s", cfg)
	}
	// Nothing of the run's own bookkeeping is left.
	if j, _ := filepath.Glob(filepath.Join(s.Root, "var/zonemgr/journal/*")); len(j) != 0 {
		t.Errorf("journals left behind: %v", j)
	}

	// A second identical run changes nothing and runs no mutating command.
	mark := len(s.Log())
	res = s.MustModule("zone_giz", map[string]any{"name": "golden", "copy_users": "jenkins", "elevate_users": []string{"jenkins"}})
	if res["changed"] != false {
		t.Errorf("second run: changed = %v, want false; plan: %v", res["changed"], res["plan"])
	}
	if m := Mutating(s.Log()[mark:]); len(m) != 0 {
		t.Errorf("second run ran mutating commands: %v", m)
	}
	if n := len(s.Log()[mark:]); n > 3 {
		t.Errorf("second run started %d processes, want at most 3", n)
	}
	_ = before
}

func TestDIZLifecycle(t *testing.T) {
	s := goldenSim(t)
	s0 := s.State()
	args := map[string]any{
		"name":              "build1",
		"giz":               "golden",
		"state":             "running",
		"copy_users":        []string{"jenkins"},
		"mount_lofs":        []string{"/export/home", "/src|/export/home|ro"},
		"add_vnics_over":    []string{"e1000g0|81"},
		"delegate_datasets": []string{"rpool/zones/_zonemgr/delegated/build1"},
		"capped_memory":     "2G",
	}

	// Check mode predicts the change and changes nothing.
	check := map[string]any{"_ansible_check_mode": true, "_ansible_diff": true}
	for k, v := range args {
		check[k] = v
	}
	res := s.MustModule("zone_diz", check)
	if res["changed"] != true || len(strs(res["plan"])) == 0 {
		t.Errorf("check mode: changed=%v plan=%v", res["changed"], res["plan"])
	}
	if diff, _ := res["diff"].(map[string]any); diff == nil || !strings.Contains(fmt.Sprint(diff["after"]), "set physical=\"autodizbuild1_0\"") {
		t.Errorf("check mode diff: %v", res["diff"])
	}
	if got := s.State(); got != s0 {
		t.Errorf("check mode changed the sim:\n%s", diffLines(s0, got))
	}

	res = s.MustModule("zone_diz", args)
	if res["changed"] != true || res["name"] != "build1" {
		t.Fatalf("create: %v", pretty(res))
	}
	out, _, _ := s.Run(nil, "zoneadm", "-z", "build1", "list", "-p")
	if !strings.Contains(out, ":build1:running:/zones/_zonemgr/DIZ/build1:") {
		t.Errorf("zoneadm list: %q", out)
	}
	origin, _, _ := s.Run(nil, "zfs", "get", "-H", "-o", "value", "origin", "rpool/zones/_zonemgr/DIZ/build1/ROOT/zbe")
	if strings.TrimSpace(origin) != "rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@initial-postinstalled-golden" {
		t.Errorf("origin of the clone = %q", origin)
	}
	vnic, _, _ := s.Run(nil, "dladm", "show-vnic", "-p", "-o", "link,over,vid,zone", "autodizbuild1_0")
	if strings.TrimSpace(vnic) != "autodizbuild1_0:e1000g0:81:build1" {
		t.Errorf("dladm show-vnic = %q", vnic)
	}
	id, _, code := s.Run(nil, "zlogin", "-l", "jenkins", "build1", "id -un; cat /etc/nodename")
	if code != 0 || id != "jenkins\nbuild1\n" {
		t.Errorf("zlogin -l jenkins build1: %q exit %d", id, code)
	}

	// The same spec again: nothing to do, read-only commands only, at most 3.
	mark := len(s.Log())
	res = s.MustModule("zone_diz", args)
	if res["changed"] != false {
		t.Errorf("second run changed: %v", res["plan"])
	}
	if m := Mutating(s.Log()[mark:]); len(m) != 0 {
		t.Errorf("second run ran mutating commands: %v", m)
	}
	if n := len(s.Log()[mark:]); n > 3 {
		t.Errorf("second run started %d processes, want at most 3: %v", n, s.Log()[mark:])
	}

	// A change zonecfg can apply: shown in the diff, applied in place.
	args2 := map[string]any{"_ansible_diff": true}
	for k, v := range args {
		args2[k] = v
	}
	args2["mount_lofs"] = []string{"/export/home"}
	res = s.MustModule("zone_diz", args2)
	if res["changed"] != true || !strings.Contains(fmt.Sprint(res["diff"]), "/src") {
		t.Errorf("lofs change: changed=%v diff=%v", res["changed"], res["diff"])
	}
	info, _, _ := s.Run(nil, "zonecfg", "-z", "build1", "info", "fs")
	if strings.Contains(info, "/src") {
		t.Errorf("/src still configured:\n%s", info)
	}

	// A change that needs a re-create is refused and changes nothing.
	sBefore := s.State()
	args3 := map[string]any{}
	for k, v := range args {
		args3[k] = v
	}
	args3["mount_lofs"] = []string{"/export/home"}
	args3["add_vnics_over"] = []string{"e1000g0|82"}
	res = s.Module("zone_diz", args3)
	if res["failed"] != true || !strings.Contains(fmt.Sprint(res["msg"]), "recreate: true") {
		t.Errorf("VNIC change without recreate: %v", pretty(res))
	}
	if got := s.State(); got != sBefore {
		t.Errorf("refused change altered the sim:\n%s", diffLines(sBefore, got))
	}

	// absent removes the zone, its VNIC and the dataset zonemgr made, and
	// leaves the golden zone's snapshots.
	res = s.MustModule("zone_diz", map[string]any{"name": "build1", "state": "absent"})
	if res["changed"] != true {
		t.Errorf("absent: changed=%v", res["changed"])
	}
	if got := s.State(); got != s0 {
		t.Errorf("after destroy the sim differs from before the zone:\n%s", diffLines(s0, got))
	}
	res = s.MustModule("zone_diz", map[string]any{"name": "build1", "state": "absent"})
	if res["changed"] != false {
		t.Errorf("absent twice: changed=%v", res["changed"])
	}
}

func TestDIZGeneratedName(t *testing.T) {
	s := goldenSim(t)
	res := s.MustModule("zone_diz", map[string]any{"giz": "golden"})
	name, _ := res["name"].(string)
	if !strings.HasPrefix(name, "diz-") {
		t.Fatalf("generated name %q", name)
	}
	out, _, _ := s.Run(nil, "zoneadm", "-z", name, "list", "-p")
	if !strings.Contains(out, ":"+name+":installed:") {
		t.Errorf("zoneadm -z %s list -p = %q", name, out)
	}
}

// TestDIZCreateFaults makes each mutating command of a DIZ creation fail
// in turn: every time, the sim must be exactly as before, and the result
// must name the failed command and its stderr.
func TestDIZCreateFaults(t *testing.T) {
	s := goldenSim(t)
	args := map[string]any{"name": "f1", "giz": "golden", "state": "running", "copy_users": []string{"jenkins"}, "add_vnics_over": []string{"e1000g0"}, "delegate_datasets": []string{"rpool/zones/_zonemgr/delegated/f1"}}
	mark := len(s.Log())
	s.MustModule("zone_diz", args)
	var cases []string
	counts := map[string]int{}
	for _, e := range s.Log()[mark:] {
		key := e.Tool + " " + e.Sub
		if !e.Mutating {
			continue
		}
		if strings.Contains(strings.Join(e.Argv, " "), "svcs -H -o state") {
			// A readiness probe: a failed probe is polled again, by design.
			counts[key]++
			continue
		}
		counts[key]++
		cases = append(cases, fmt.Sprintf("%s#%d", key, counts[key]))
	}
	s.MustModule("zone_diz", map[string]any{"name": "f1", "state": "absent"})
	s0 := s.State()
	// The dataset, the VNIC, the configuration, the clone, the one boot
	// (the clone's identity is written from the global zone, with no
	// command).
	if len(cases) < 5 {
		t.Fatalf("only %d mutating commands in a DIZ creation: %v", len(cases), cases)
	}
	for _, c := range cases {
		t.Run(c, func(t *testing.T) {
			s.resetFailCounts()
			res := s.Module("zone_diz", args, core.EnvFail+"="+c+":exit=1:msg=injected failure of "+c)
			if res["failed"] != true {
				t.Fatalf("not failed: %v", pretty(res))
			}
			if !strings.Contains(fmt.Sprint(res["msg"]), "injected failure of "+c) {
				t.Errorf("msg does not carry the command's stderr: %v", res["msg"])
			}
			if got := s.State(); got != s0 {
				t.Errorf("left behind after %s:\n%s", c, diffLines(s0, got))
				// Clean up for the next case.
				s.Module("zone_diz", map[string]any{"name": "f1", "state": "absent"})
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	s := NewSim(t)
	s0 := s.State()
	tests := []struct {
		module string
		args   map[string]any
		want   []string
	}{
		{"zone_diz", map[string]any{"name": "global", "giz": "g"}, []string{"name:", "global"}},
		{"zone_diz", map[string]any{"name": strings.Repeat("a", 65), "giz": "g"}, []string{"name:"}},
		{"zone_diz", map[string]any{"name": "-x", "giz": "g"}, []string{"name:"}},
		{"zone_diz", map[string]any{"name": "SUNWfoo", "giz": "g"}, []string{"name:", "SUNW"}},
		{"zone_diz", map[string]any{"name": "a;b", "giz": "g"}, []string{"name:"}},
		{"zone_diz", map[string]any{"name": "ok1", "state": "bogus"}, []string{"state", "bogus", "present", "absent"}},
		{"zone_diz", map[string]any{"name": "ok1", "giz": "g", "add_vnics_over": []string{"e1000g0|5000"}}, []string{"add_vnics_over", "VLAN"}},
		{"zone_diz", map[string]any{"name": "ok1", "giz": "g", "mount_lofs": []string{"relative"}}, []string{"mount_lofs", "absolute"}},
		{"zone_diz", map[string]any{"name": "ok1", "giz": "g", "copy_users": []string{"nosuchuser"}}, []string{"copy_users", "nosuchuser"}},
		{"zone_diz", map[string]any{"name": "ok1", "giz": "g", "delegate_datasets": []string{"rpool//x"}}, []string{"delegate_datasets"}},
		{"zone_diz", map[string]any{"name": "ok1", "giz": "g", "snapshot": "a@b"}, []string{"snapshot"}},
		{"zone_diz", map[string]any{"name": "ok1", "giz": "g", "bogus_option": 1}, []string{"bogus_option"}},
		{"zone_diz", map[string]any{"name": "ok1", "giz": "g", "boot_timeout": "soon"}, []string{"boot_timeout"}},
		{"zone_diz", map[string]any{"state": "absent"}, []string{"name"}},
		{"zone_diz", map[string]any{"name": "ok1", "giz": "nosuch"}, []string{"giz", "nosuch", "does not exist"}},
		{"zone_giz", map[string]any{"state": "running"}, []string{"name: required"}},
		{"zone_giz", map[string]any{"remove_packages": []string{"x"}}, []string{"remove_packages and remove_publishers change a golden zone: name it (name)"}},
		{"zone_giz", map[string]any{"name": "g1", "add_publishers": []string{"nourl"}}, []string{"add_publishers"}},
		{"zone_giz", map[string]any{"name": "g1", "add_packages": []string{"$(reboot)"}}, []string{"add_packages"}},
	}
	for _, tt := range tests {
		res := s.Module(tt.module, tt.args)
		if res["failed"] != true {
			t.Errorf("%s %v: not failed: %v", tt.module, tt.args, pretty(res))
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(fmt.Sprint(res["msg"]), w) {
				t.Errorf("%s %v: msg %q does not contain %q", tt.module, tt.args, res["msg"], w)
			}
		}
	}
	if got := s.State(); got != s0 {
		t.Errorf("bad input changed the sim:\n%s", diffLines(s0, got))
	}
}

// diffLines shows the lines only in a or only in b.
func diffLines(a, b string) string { return simh.DiffLines(a, b) }

// TestActiveBootEnvironment: a golden zone whose active boot environment
// is not ROOT/zbe (zbe-1, after an update in a new boot environment, the
// old one promoted away and destroyed) is cloned and refreshed from the
// active one, as the brand's clone hook clones $ACTIVE_DS@SNAP.
func TestActiveBootEnvironment(t *testing.T) {
	s := goldenSim(t)
	be := "rpool/zones/_zonemgr/GIZ/golden/ROOT/"
	parent, _, _ := s.Run(nil, "zfs", "get", "-H", "-o", "value", "org.opensolaris.libbe:parentbe", be+"zbe")
	for _, c := range [][]string{
		{"zfs", "snapshot", be + "zbe@tobe1"},
		{"zfs", "clone", "-o", "org.opensolaris.libbe:active=on", "-o", "org.opensolaris.libbe:parentbe=" + strings.TrimSpace(parent),
			"-o", "canmount=noauto", "-o", "mountpoint=legacy", "-o", "zoned=on", be + "zbe@tobe1", be + "zbe-1"},
		{"zfs", "set", "org.opensolaris.libbe:active=off", be + "zbe"},
		{"zfs", "promote", be + "zbe-1"},
		{"zfs", "destroy", "-r", be + "zbe"},
	} {
		if _, errOut, code := s.Run(nil, c[0], c[1:]...); code != 0 {
			t.Fatalf("%q: %s", c, errOut)
		}
	}
	s.MustModule("zone_snapshot", map[string]any{"zone": "golden", "name": "s2"})
	res := s.MustModule("zone_diz", map[string]any{"name": "d1", "giz": "golden", "snapshot": "s2", "state": "running"})
	if res["origin"] != be+"zbe-1@s2" {
		t.Errorf("origin %v, want %szbe-1@s2", res["origin"], be)
	}
	if o, _, _ := s.Run(nil, "zfs", "get", "-H", "-o", "value", "origin", "rpool/zones/_zonemgr/DIZ/d1/ROOT/zbe"); o != be+"zbe-1@s2\n" {
		t.Errorf("the clone's origin: %q", o)
	}
	s.MustModule("zone_diz", map[string]any{"name": "d1", "state": "absent"})
	res = s.MustModule("zone_giz", map[string]any{"name": "golden", "state": "updated"})
	if !strings.Contains(fmt.Sprint(res["msg"]), "up to date") {
		t.Errorf("refresh of a zone whose active boot environment is zbe-1: %v", pretty(res))
	}
}
