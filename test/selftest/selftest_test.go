package selftest

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
)

// A session is one self-test run on a target.
type session struct {
	t    *testing.T
	tg   Target
	base string // <pool>/zones/_zonemgr-selftest
}

// must runs a command and fails the test unless it exits 0.
func (s *session) must(name string, args ...string) string {
	s.t.Helper()
	out, errOut, code, err := run(s.tg, name, args...)
	if err != nil || code != 0 {
		s.t.Fatalf("%s %s: exit %d, %v\n%s%s", name, strings.Join(args, " "), code, err, out, errOut)
	}
	return out
}

// module runs a module binary with args and returns its result.
func (s *session) module(name string, args map[string]any) map[string]any {
	s.t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		s.t.Fatal(err)
	}
	f := filepath.Join(s.t.TempDir(), "args.json")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		s.t.Fatal(err)
	}
	out, errOut, code, err := run(s.tg, name, f)
	if err != nil {
		s.t.Fatalf("%s: %v", name, err)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		s.t.Fatalf("%s: stdout is not one JSON object: %v\n%s%s", name, err, out, errOut)
	}
	if failed, _ := res["failed"].(bool); failed != (code != 0) {
		s.t.Errorf("%s: failed=%v with exit %d", name, res["failed"], code)
	}
	return res
}

// mustModule runs a module and fails the test when it failed.
func (s *session) mustModule(name string, args map[string]any) map[string]any {
	s.t.Helper()
	res := s.module(name, args)
	if res["failed"] == true {
		b, _ := json.MarshalIndent(res, "", "  ")
		s.t.Fatalf("%s %v failed: %s", name, args, b)
	}
	return res
}

// zones returns the target's zones as name -> zoneadm list -p line fields.
func (s *session) zones() map[string][]string {
	s.t.Helper()
	out := map[string][]string{}
	for _, l := range strings.Split(strings.TrimSpace(s.must("zoneadm", "list", "-cp")), "\n") {
		f := strings.Split(l, ":")
		if len(f) >= 4 && f[1] != "global" {
			out[f[1]] = f
		}
	}
	return out
}

// datasets lists the datasets under the self-test's base, or nil.
func (s *session) datasets() []string {
	s.t.Helper()
	out, _, code, err := run(s.tg, "zfs", "list", "-H", "-o", "name", "-t", "filesystem,volume", "-r", s.base)
	if err != nil || code != 0 {
		return nil
	}
	return strings.Fields(out)
}

// mountpoint returns a container's mountpoint, or "" when it does not exist.
func (s *session) mountpoint(ds string) string {
	out, _, code, err := run(s.tg, "zfs", "list", "-H", "-o", "mountpoint", ds)
	if err != nil || code != 0 {
		return ""
	}
	return strings.TrimSpace(out)
}

// managed tells whether a zone carries zonemgr's role attr.
func (s *session) managed(zone string) bool {
	out, _, code, _ := run(s.tg, "zonecfg", "-z", zone, "info", "attr", "name=zonemgr.role")
	return code == 0 && strings.Contains(out, "value: ")
}

// foreign lists what the self-test's containers hold that it did not
// make: a zone without the test prefix whose zonepath is in them, a
// test-prefixed zone that zonemgr does not manage, a dataset without the
// prefix inside them.
func (s *session) foreign() []string {
	s.t.Helper()
	var out []string
	mps := map[string]string{}
	for _, c := range []string{"GIZ", "DIZ"} {
		if mp := s.mountpoint(s.base + "/" + c); strings.HasPrefix(mp, "/") {
			mps[c] = mp
		}
	}
	for name, f := range s.zones() {
		inside := false
		for _, mp := range mps {
			if strings.HasPrefix(f[3], mp+"/") {
				inside = true
			}
		}
		switch {
		case inside && !strings.HasPrefix(name, prefix):
			out = append(out, fmt.Sprintf("zone %s (zonepath %s)", name, f[3]))
		case strings.HasPrefix(name, prefix) && !s.managed(name):
			out = append(out, fmt.Sprintf("zone %s (test-prefixed but not managed by zonemgr)", name))
		}
	}
	for _, ds := range s.datasets() {
		parts := strings.Split(strings.TrimPrefix(strings.TrimPrefix(ds, s.base), "/"), "/")
		if len(parts) >= 2 && !strings.HasPrefix(parts[1], prefix) {
			out = append(out, "dataset "+ds)
		}
	}
	sort.Strings(out)
	return out
}

// preflight refuses to start where the self-test's containers hold what
// it did not make, and removes what an earlier self-test left behind.
func (s *session) preflight() {
	s.t.Helper()
	if f := s.foreign(); len(f) > 0 {
		s.t.Fatalf("refusing to start: the self-test's containers under %s hold what it did not create: %s", s.base, strings.Join(f, "; "))
	}
	s.cleanup()
}

// cleanup destroys every test-prefixed managed zone (disposable zones
// first), then the self-test's containers when nothing else is in them.
func (s *session) cleanup() {
	s.t.Helper()
	zones := s.zones()
	for _, role := range []string{"diz", "giz"} {
		for name := range zones {
			if !strings.HasPrefix(name, prefix) || !s.managed(name) {
				continue
			}
			out, _, _, _ := run(s.tg, "zonecfg", "-z", name, "info", "attr", "name=zonemgr.role")
			if !strings.Contains(out, "value: "+role) {
				continue
			}
			mod := map[string]string{"diz": "zone_diz", "giz": "zone_giz"}[role]
			args := map[string]any{"name": name, "state": "absent"}
			if role == "giz" {
				args["force"] = true
			}
			if res := s.module(mod, args); res["failed"] == true {
				s.t.Errorf("cleanup: %s %s: %v", mod, name, res["msg"])
			}
		}
	}
	// Containers, innermost first, each only when empty (zfs destroy
	// without -r refuses a dataset with children).
	ds := s.datasets()
	for i := len(ds) - 1; i >= 0; i-- {
		if _, errOut, code, err := run(s.tg, "zfs", "destroy", ds[i]); err != nil || code != 0 {
			s.t.Errorf("cleanup: zfs destroy %s: %s", ds[i], errOut)
		}
	}
}

// TestSelftest runs the scenarios on the target.
func TestSelftest(t *testing.T) {
	tg := newTarget(t)
	s := &session{t: t, tg: tg, base: tg.Pool() + "/" + container}
	t.Logf("target %s, containers %s/GIZ and %s/DIZ, zone names %s*", tg.Name(), s.base, s.base, prefix)
	s.preflight()
	t.Cleanup(func() {
		s.cleanup()
		for name := range s.zones() {
			if strings.HasPrefix(name, prefix) {
				t.Errorf("left behind: zone %s", name)
			}
		}
		if ds := s.datasets(); len(ds) > 0 {
			t.Errorf("left behind: datasets %v", ds)
		}
	})
	scenarios(t, s)
	if st, ok := tg.(*simTarget); ok {
		checkConfined(t, st.root, s.base)
	}
}

// checkConfined reads the sim's command log: every mutating command
// named only test-prefixed zones and datasets inside the self-test's base.
func checkConfined(t *testing.T, root, base string) {
	t.Helper()
	log, err := core.ReadLog(root)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range log {
		if !e.Mutating {
			continue
		}
		n++
		for i, a := range e.Argv {
			switch {
			case i > 0 && e.Argv[i-1] == "-z" && !strings.HasPrefix(a, prefix):
				t.Errorf("%s: zone %s is not the self-test's", strings.Join(e.Argv, " "), a)
			case e.Tool == "zfs" && strings.Contains(a, "/") && !strings.HasPrefix(a, "-") && a != base && !strings.HasPrefix(a, base+"/") && !strings.HasPrefix(a, base+"@") && !strings.HasPrefix(a, "/"):
				t.Errorf("%s: dataset %s is outside %s", strings.Join(e.Argv, " "), a, base)
			}
		}
	}
	if n == 0 {
		t.Errorf("no mutating command in the sim's log: the check proves nothing")
	}
}

// scenarios is the one body of scenario code both targets run.
func scenarios(t *testing.T, s *session) {
	golden, d1 := prefix+"golden", prefix+"d1"
	user := s.tg.User()
	var users []string
	if user != "" {
		users = []string{user}
	}

	t.Run("create golden zone", func(t *testing.T) {
		res := s.mustModule("zone_giz", map[string]any{"name": golden, "copy_users": users})
		if res["changed"] != true {
			t.Errorf("changed = %v, want true", res["changed"])
		}
		f := s.zones()[golden]
		mp := s.mountpoint(s.base + "/GIZ")
		if f == nil || f[2] != "installed" || f[3] != path.Join(mp, golden) {
			t.Fatalf("zone %s: %v, want installed at %s", golden, f, path.Join(mp, golden))
		}
		snaps := s.must("zfs", "list", "-H", "-o", "name", "-t", "snapshot", "-r", s.base+"/GIZ/"+golden)
		for _, sn := range []string{"initial-installed-", "initial-manifest_import_booted-", "initial-postinstalled-"} {
			if !strings.Contains(snaps, s.base+"/GIZ/"+golden+"@"+sn+golden+"\n") {
				t.Errorf("snapshot %s%s missing:\n%s", sn, golden, snaps)
			}
		}
	})

	t.Run("second run changes nothing", func(t *testing.T) {
		res := s.mustModule("zone_giz", map[string]any{"name": golden, "copy_users": users})
		if res["changed"] != false {
			t.Errorf("changed = %v, want false; plan %v", res["changed"], res["plan"])
		}
	})

	t.Run("clone and run a disposable zone", func(t *testing.T) {
		res := s.mustModule("zone_diz", map[string]any{"name": d1, "giz": golden, "state": "running", "copy_users": users})
		if res["changed"] != true {
			t.Errorf("changed = %v, want true", res["changed"])
		}
		if f := s.zones()[d1]; f == nil || f[2] != "running" {
			t.Fatalf("zone %s: %v, want running", d1, f)
		}
		res = s.mustModule("zone_exec", map[string]any{"zone": d1, "cmd": "cat /etc/nodename"})
		if strings.TrimSpace(fmt.Sprint(res["stdout"])) != d1 {
			t.Errorf("nodename in %s: %q", d1, res["stdout"])
		}
		if user != "" {
			res = s.mustModule("zone_exec", map[string]any{"zone": d1, "user": user, "cmd": "id -un"})
			if strings.TrimSpace(fmt.Sprint(res["stdout"])) != user {
				t.Errorf("id -un as %s in %s: %q", user, d1, res["stdout"])
			}
		}
	})

	t.Run("snapshot and roll back", func(t *testing.T) {
		s.mustModule("zone_snapshot", map[string]any{"zone": d1, "name": prefix + "s1"})
		s.mustModule("zone_exec", map[string]any{"zone": d1, "cmd": "touch /var/tmp/" + prefix + "marker"})
		s.mustModule("zone_snapshot", map[string]any{"zone": d1, "name": prefix + "s1", "state": "rolledback"})
		res := s.module("zone_exec", map[string]any{"zone": d1, "cmd": "test -e /var/tmp/" + prefix + "marker", "ok_rcs": []int{0, 1}})
		if res["rc"] != float64(1) {
			t.Errorf("the marker survived the rollback: %v", res["rc"])
		}
	})

	t.Run("exec-diz through the command line", func(t *testing.T) {
		out, errOut, code, err := run(s.tg, "zonemgr", "exec-diz", "-c", golden, "--exec-cmd", "echo built in $(cat /etc/nodename); exit 3")
		if err != nil || code != 3 || !strings.Contains(out, "built in "+prefix+"diz-") {
			t.Errorf("exec-diz: exit %d (want 3), %v\n%s%s", code, err, out, errOut)
		}
		for name := range s.zones() {
			if strings.HasPrefix(name, prefix+"diz-") {
				t.Errorf("exec-diz left zone %s", name)
			}
		}
	})

	t.Run("destroy", func(t *testing.T) {
		s.mustModule("zone_diz", map[string]any{"name": d1, "state": "absent"})
		s.mustModule("zone_giz", map[string]any{"name": golden, "state": "absent"})
		z := s.zones()
		if z[d1] != nil || z[golden] != nil {
			t.Errorf("zones remain: %v %v", z[d1], z[golden])
		}
		if _, _, code, _ := run(s.tg, "zfs", "list", s.base+"/GIZ/"+golden); code == 0 {
			t.Errorf("dataset %s/GIZ/%s remains", s.base, golden)
		}
	})
}

// TestRefusesForeignZones plants, in the self-test's containers, a zone
// it did not create, a dataset without its prefix and a test-prefixed
// zone without zonemgr's attrs: the preflight names each. It runs on the
// sim only.
func TestRefusesForeignZones(t *testing.T) {
	tg := newTarget(t)
	if tg.Name() != "sim" {
		t.Skip("only on the sim: it plants foreign zones in the self-test's containers")
	}
	s := &session{t: t, tg: tg, base: tg.Pool() + "/" + container}
	if f := s.foreign(); len(f) != 0 {
		t.Fatalf("a fresh sim reports %v", f)
	}
	s.mustModule("zone_giz", map[string]any{"name": prefix + "golden"})
	if f := s.foreign(); len(f) != 0 {
		t.Fatalf("the self-test's own golden zone is reported: %v", f)
	}
	mp := s.mountpoint(s.base + "/GIZ")
	s.must("zonecfg", "-z", "foreign", "create; set zonepath="+mp+"/foreign")
	s.must("zonecfg", "-z", prefix+"plain", "create; set zonepath=/zones/"+prefix+"plain")
	s.must("zfs", "create", s.base+"/GIZ/other")
	want := []string{
		"dataset " + s.base + "/GIZ/other",
		"zone foreign (zonepath " + mp + "/foreign)",
		"zone " + prefix + "plain (test-prefixed but not managed by zonemgr)",
	}
	if got := s.foreign(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("preflight reports:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
