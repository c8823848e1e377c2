package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
)

// Idempotence and check mode: a task that asks for what the system
// already is changes nothing and says so; check mode predicts the real
// run's changed and failed.

// TestDIZPresentKeepsTheZoneState: state present (the default) asks
// only that a disposable zone exist. A running or mounted zone is left
// so, in check mode, in the module, and by the CLI's create-diz on an
// existing zone; a configuration change is made without a halt, with
// the warning that it takes effect at the next boot.
func TestDIZPresentKeepsTheZoneState(t *testing.T) {
	s := goldenSim(t)
	s.MustModule("zone_diz", map[string]any{"name": "b1", "giz": "golden", "state": "running"})
	s.MustModule("zone_diz", map[string]any{"name": "m1", "giz": "golden"})
	s.MustRun("zoneadm", "-z", "m1", "mount")
	for _, zone := range []string{"b1", "m1"} {
		state := map[string]string{"b1": "running", "m1": "mounted"}[zone]
		mark := len(s.Log())
		chk := s.MustModule("zone_diz", map[string]any{"name": zone, "_ansible_check_mode": true, "_ansible_diff": true})
		res := s.MustModule("zone_diz", map[string]any{"name": zone})
		out, errOut, code := s.Run(nil, "zonemgr", "create-diz", "-z", zone, "-c", "golden")
		if m := Mutating(s.Log()[mark:]); len(m) > 0 {
			t.Errorf("%s (%s), state present: ran %q", zone, state, m)
		}
		for _, r := range []map[string]any{chk, res} {
			diff, _ := r["diff"].(map[string]any)
			after, _ := diff["after"].(string)
			if r["changed"] != false || r["state"] != state || (diff != nil && !strings.HasSuffix(after, "state: "+state+"\n")) {
				t.Errorf("%s (%s), state present: changed=%v state=%v plan=%v diff after ends %q", zone, state, r["changed"], r["state"], r["plan"], after[max(0, len(after)-20):])
			}
		}
		if code != 0 || out != zone+"\n" {
			t.Errorf("zonemgr create-diz -z %s (%s): exit %d\n%s%s", zone, state, code, out, errOut)
		}
	}
	mark := len(s.Log())
	res := s.MustModule("zone_diz", map[string]any{"name": "b1", "capped_memory": "4G"})
	if m := Mutating(s.Log()[mark:]); res["changed"] != true || len(m) != 1 || !strings.HasPrefix(m[0], "zonecfg -z b1 -f -") ||
		!strings.Contains(strings.Join(strs(res["warnings"]), "\n"), "zone b1 is running: configuration changes take effect at its next boot") {
		t.Errorf("a configuration change of the running zone, state present: ran %q\n%s", m, pretty(res))
	}
	if out := s.MustRun("zoneadm", "-z", "b1", "list", "-p"); !strings.Contains(out, ":b1:running:") {
		t.Errorf("b1 after the change: %s", out)
	}
}

// TestCheckModeRefusesUnknownPackages: a package the global zone's
// publishers do not know fails check mode as it fails the run (the
// question, pkg list -a, is read-only), in each module that names a
// golden zone by content and in the CLI's -n.
func TestCheckModeRefusesUnknownPackages(t *testing.T) {
	s := NewSim(t)
	for _, c := range []struct {
		module string
		args   map[string]any
		field  string
	}{
		{"zone_diz", map[string]any{"packages": []string{"no/such/pkg"}}, "packages"},
		{"zone_giz", map[string]any{"add_packages": []string{"no/such/pkg"}}, "add_packages"},
		{"zone_exec", map[string]any{"packages": []string{"no/such/pkg"}, "cmd": "true"}, "packages"},
	} {
		chk := map[string]any{"_ansible_check_mode": true}
		for k, v := range c.args {
			chk[k] = v
		}
		want := c.field + ": not known to the global zone's publishers (pkg list -a exit 1): no/such/pkg"
		for _, r := range []map[string]any{s.Module(c.module, chk), s.Module(c.module, c.args)} {
			if r["failed"] != true || r["changed"] != false || r["msg"] != want {
				t.Errorf("%s %v: %s, want failed with %q", c.module, c.args, pretty(r), want)
			}
		}
	}
	for _, dry := range []bool{true, false} {
		args := []string{"create-diz", "-p", "no/such/pkg"}
		if dry {
			args = append([]string{"-n"}, args...)
		}
		out, errOut, code := s.Run(nil, "zonemgr", args...)
		if code != 1 || !strings.Contains(errOut, "-p: not known to the global zone's publishers") {
			t.Errorf("zonemgr %s: exit %d, want 1 naming -p\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
	}
	if z := s.Zones(); len(z) != 0 {
		t.Errorf("zones made: %q", z)
	}
}

// TestGIZRefusesAnotherSnapshotOrTemplate: an existing golden zone asked
// for with another source snapshot or template than it was built from
// is refused as a different source or brand is, naming the option; the
// same request is nothing to change.
func TestGIZRefusesAnotherSnapshotOrTemplate(t *testing.T) {
	s := NewSim(t)
	s.MustModule("zone_giz", map[string]any{"name": "golden"})
	s.MustModule("zone_snapshot", map[string]any{"zone": "golden", "name": "later"})
	s.MustModule("zone_giz", map[string]any{"name": "gc1", "source": "golden", "snapshot": "later"})
	before := s.State()
	for _, c := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"name": "gc1", "source": "golden", "snapshot": "initial-postinstalled-golden"},
			"zone gc1 exists and was built differently: snapshot initial-postinstalled-golden (it is a clone of later);"},
		{map[string]any{"name": "golden", "template": "SUNWdefault"},
			"zone golden exists and was built differently: template SUNWdefault (its origin is template:"},
	} {
		for _, check := range []bool{true, false} {
			args := map[string]any{"_ansible_check_mode": check}
			for k, v := range c.args {
				args[k] = v
			}
			if res := s.Module("zone_giz", args); res["failed"] != true || !strings.HasPrefix(res["msg"].(string), c.want) {
				t.Errorf("zone_giz %v: %s, want failed with %q", args, pretty(res), c.want)
			}
		}
	}
	if res := s.MustModule("zone_giz", map[string]any{"name": "gc1", "source": "golden", "snapshot": "later"}); res["changed"] != false {
		t.Errorf("the same request: %s", pretty(res))
	}
	if after := s.State(); after != before {
		t.Errorf("refused requests changed the system:\n%s", diffLines(before, after))
	}
}

// TestGIZUpdatedChangesAreIdempotent: an update that adds a publisher
// the golden zone has, installs a package it has, or removes a package
// or publisher it no longer has, is asked about from the global zone
// (pkg -R on its root, read-only): it boots nothing, changes nothing,
// says the packages are up to date, and check mode says the same. A
// removal it still has is made, once.
func TestGIZUpdatedChangesAreIdempotent(t *testing.T) {
	s := NewSim(t)
	s.MustModule("zone_giz", map[string]any{"name": "golden", "add_packages": []string{"developer/gcc-13"},
		"add_publishers": []string{"extra|http://pkg.example.org/"}})
	const ds = "rpool/zones/_zonemgr/GIZ/golden"
	for _, c := range []struct {
		name    string
		args    map[string]any
		changes bool // the first run changes the zone
	}{
		{"add a publisher it has", map[string]any{"add_publishers": []string{"extra|http://pkg.example.org"}}, false},
		{"install a package it has", map[string]any{"add_packages": []string{"developer/gcc-13"}}, false},
		{"remove a package", map[string]any{"remove_packages": []string{"developer/gcc-13"}}, true},
		{"remove a publisher", map[string]any{"remove_publishers": []string{"extra"}}, true},
	} {
		args := map[string]any{"name": "golden", "state": "updated", "update_packages": false}
		for k, v := range c.args {
			args[k] = v
		}
		first := s.MustModule("zone_giz", args)
		if first["changed"] != c.changes {
			t.Errorf("%s, first run: %s", c.name, pretty(first))
		}
		if c.changes {
			time.Sleep(1100 * time.Millisecond) // another autozone-<second> name
		}
		snaps, state := s.Snapshots(ds), s.State()
		chk := map[string]any{"_ansible_check_mode": true}
		for k, v := range args {
			chk[k] = v
		}
		var res map[string]any
		x := measure(s, func() {
			if r := s.MustModule("zone_giz", chk); r["changed"] != false || r["msg"] != "packages of golden are up to date" {
				t.Errorf("%s, check mode after: %s", c.name, pretty(r))
			}
			res = s.MustModule("zone_giz", args)
		})
		if res["changed"] != false || res["msg"] != "packages of golden are up to date" || x.boots != 0 || x.zlogins != 0 || x.mutating != 0 {
			t.Errorf("%s, again: %s\n%s", c.name, x, pretty(res))
		}
		if got := s.Snapshots(ds); len(got) != len(snaps) || s.State() != state {
			t.Errorf("%s, again: snapshots %q -> %q\n%s", c.name, snaps, got, diffLines(state, s.State()))
		}
	}
}

// TestGIZUpdatedRemovalsAskInTheZone: when pkg cannot answer from the
// global zone, an update is planned whole and each removal asks pkg in
// the booted zone first: what is still there is removed, and a removal
// already made does not fail the update, which then says the packages
// are up to date and takes no snapshot.
func TestGIZUpdatedRemovalsAskInTheZone(t *testing.T) {
	s := NewSim(t)
	s.MustModule("zone_giz", map[string]any{"name": "golden", "add_packages": []string{"developer/gcc-13"},
		"add_publishers": []string{"extra|http://pkg.example.org/"}})
	const ds = "rpool/zones/_zonemgr/GIZ/golden"
	args := map[string]any{"name": "golden", "state": "updated", "update_packages": false,
		"remove_packages": []string{"developer/gcc-13"}, "remove_publishers": []string{"extra"}}
	for _, c := range []struct {
		msg  string
		snap bool
		pkg  []string // pkg commands run in the zone, but its refresh
	}{
		{"packages of golden updated; snapshot autozone-", true, []string{
			"zlogin golden pkg publisher -H extra",
			"zlogin golden pkg unset-publisher extra",
			"zlogin golden pkg list -Hq developer/gcc-13",
			"zlogin golden pkg uninstall developer/gcc-13",
		}},
		{"packages of golden are up to date", false, []string{
			"zlogin golden pkg publisher -H extra",
			"zlogin golden pkg list -Hq developer/gcc-13",
		}},
	} {
		snaps := s.Snapshots(ds)
		s.resetFailCounts()
		// The second pkg publisher is the pkg -R question (the first
		// lists the global zone's, there being a publisher to remove).
		res := s.Module("zone_giz", args, core.EnvFail+"=pkg publisher#2:exit=1:msg=pkg: No image rooted at '/zones/_zonemgr/GIZ/golden/root'")
		if res["failed"] != false || res["changed"] != c.snap || !strings.HasPrefix(res["msg"].(string), c.msg) {
			t.Errorf("removals asked about in the zone: %s, want %q", pretty(res), c.msg)
		}
		var ran []string
		for _, cmd := range res["commands"].([]any) {
			if cmd, _, _ := strings.Cut(cmd.(map[string]any)["cmd"].(string), "  ["); strings.HasPrefix(cmd, "+ zlogin golden pkg ") && !strings.Contains(cmd, "refresh") {
				ran = append(ran, strings.TrimPrefix(cmd, "+ "))
			}
		}
		if strings.Join(ran, "\n") != strings.Join(c.pkg, "\n") {
			t.Errorf("pkg in the zone ran:\n%s\nwant:\n%s", strings.Join(ran, "\n"), strings.Join(c.pkg, "\n"))
		}
		if got := s.Snapshots(ds); (len(got) > len(snaps)) != c.snap {
			t.Errorf("snapshots %q -> %q", snaps, got)
		}
	}
}

// TestGIZBuildAddsAPublisherItHas: a golden zone built with a publisher
// to add that the installed zone already has (the global zone's, which
// the zone's install copies) must not fail the build. pkg5's
// set-publisher -g of an origin the publisher has already exits 1
// ("Origin '...' already exists for the specified publisher.";
// client_api.py _add_update_pub(), DuplicateRepositoryOrigin).
func TestGIZBuildAddsAPublisherItHas(t *testing.T) {
	s := NewSim(t)
	res := s.Module("zone_giz", map[string]any{"name": "golden",
		"add_publishers": []string{"omnios|https://pkg.omnios.org/r151054/core/"}})
	if res["failed"] != false {
		t.Errorf("build adding the publisher the zone has: %s", pretty(res))
	}
}

// TestGIZUpdatedAddsAPublisherItHasAskedInTheZone: when the global zone
// cannot ask (pkg -R fails), the update is planned whole and its
// set-publisher -g runs in the zone unasked: a publisher the zone has
// already fails it on a real host (exit 1, DuplicateRepositoryOrigin).
func TestGIZUpdatedAddsAPublisherItHasAskedInTheZone(t *testing.T) {
	s := NewSim(t)
	s.MustModule("zone_giz", map[string]any{"name": "golden",
		"add_publishers": []string{"extra|http://pkg.example.org/"}})
	args := map[string]any{"name": "golden", "state": "updated", "update_packages": false,
		"add_publishers": []string{"extra|http://pkg.example.org/"}}
	res := s.Module("zone_giz", args, core.EnvFail+"=pkg publisher#1:exit=1:msg=pkg: No image rooted at '/zones/_zonemgr/GIZ/golden/root'")
	t.Logf("changed=%v msg=%v", res["changed"], res["msg"])
	if res["failed"] != false {
		t.Errorf("update adding a publisher the zone has, asked in the zone: %s", pretty(res))
	}
}

// TestGIZUpdatedRemovalNotReadFromAnError: pkg list exits 1 (EXIT_OOPS)
// for any error, not only for "no package matching is installed" (with
// -q pkg5 prints nothing then; client_api.py _list_inventory()): a
// failing question must not drop the removal and say the zone is up to
// date while the package is still installed.
func TestGIZUpdatedRemovalNotReadFromAnError(t *testing.T) {
	s := NewSim(t)
	s.MustModule("zone_giz", map[string]any{"name": "golden", "add_packages": []string{"developer/gcc-13"}})
	args := map[string]any{"name": "golden", "state": "updated", "update_packages": false,
		"remove_packages": []string{"developer/gcc-13"}}
	res := s.Module("zone_giz", args, core.EnvFail+"=pkg list#1:exit=1:msg=pkg: An error was encountered while attempting to read image state information")
	msg, _ := res["msg"].(string)
	if res["failed"] == false && strings.Contains(msg, "up to date") {
		t.Errorf("a failed pkg list read as 'not installed': %s", pretty(res))
	}
}

// TestGIZKeepsTheGlobalZonesPublishers: a publisher of the global zone
// is not removed from a golden zone, at its creation or in an update:
// pkg plans nothing in a zone (a linked image of the global zone's)
// that lacks one of the global zone's publishers. The request is
// refused, naming the option, and changes nothing.
func TestGIZKeepsTheGlobalZonesPublishers(t *testing.T) {
	s := NewSim(t)
	s.MustModule("zone_giz", map[string]any{"name": "golden"})
	gz := map[string]string{"omnios": "omnios", "openindiana": "openindiana.org"}[s.Flavor]
	before := s.State()
	for _, args := range []map[string]any{
		{"name": "golden", "state": "updated", "remove_publishers": []string{gz}},
		{"name": "golden", "state": "updated", "remove_publishers": []string{gz}, "_ansible_check_mode": true},
		{"name": "g2", "remove_publishers": []string{gz}},
	} {
		res := s.Module("zone_giz", args)
		want := "remove_publishers: " + gz + " is a publisher of the global zone"
		if msg, _ := res["msg"].(string); res["failed"] != true || !strings.HasPrefix(msg, want) {
			t.Errorf("zone_giz %v: %s, want failed with %q", args, pretty(res), want)
		}
	}
	if after := s.State(); after != before {
		t.Errorf("refused requests changed the system:\n%s", diffLines(before, after))
	}
}
