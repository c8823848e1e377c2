package integration

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/zonemgr/zonemgr/test/internal/simh"
)

// notOurs is how every front door refuses a zone without zonemgr.* attrs.
const notOurs = "is not managed by zonemgr (it has no zonemgr.* attributes); refusing to touch it"

// plainZone configures and installs a zone without zonemgr's attrs,
// directly with zonecfg and zoneadm, as an administrator would.
func plainZone(t *testing.T, s *Sim, name string) {
	t.Helper()
	for _, c := range [][]string{
		{"zonecfg", "-z", name, "create; set zonepath=/zones/" + name + "; set autoboot=false"},
		{"zoneadm", "-z", name, "install"},
	} {
		if out, errOut, code := s.Run(nil, c[0], c[1:]...); code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", c, code, out, errOut)
		}
	}
}

// zoneCalls are every module state and CLI verb that acts on one zone,
// aimed at zone z.
func zoneCalls(z string) (mods []struct {
	module string
	args   map[string]any
}, verbs [][]string) {
	add := func(m string, a map[string]any) {
		mods = append(mods, struct {
			module string
			args   map[string]any
		}{m, a})
	}
	for _, st := range []string{"present", "absent", "running", "stopped", "ready", "mounted", "restarted", "updated"} {
		add("zone_giz", map[string]any{"name": z, "state": st, "force": true})
	}
	for _, st := range []string{"present", "absent", "running", "stopped", "ready", "mounted", "restarted"} {
		add("zone_diz", map[string]any{"name": z, "state": st, "recreate": true})
	}
	for _, st := range []string{"present", "absent", "rolledback"} {
		add("zone_snapshot", map[string]any{"zone": z, "name": "s1", "state": st, "force": true})
	}
	add("zone_exec", map[string]any{"zone": z, "cmd": "touch /pwned", "discard": "always"})
	add("zone_exec", map[string]any{"giz": z, "cmd": "touch /pwned"})
	add("zone_diz", map[string]any{"name": "d9", "giz": z})
	add("zone_giz", map[string]any{"name": "g9", "source": z})

	verbs = [][]string{
		{"create-giz", "-z", z}, {"pkg-refresh", "-z", z}, {"pkg-upgrade", "-z", z},
		{"pkg-install", "-z", z, "--add-packages", "developer/gcc"}, {"pkg-uninstall", "-z", z, "--del-packages", "developer/gcc"},
		{"create-diz", "-z", z, "-c", "golden"}, {"create-diz", "-z", "d9", "-c", z},
		{"exec", "-z", z, "--exec-cmd", "touch /pwned"}, {"exec-diz", "-c", z, "--exec-cmd", "touch /pwned"},
		{"destroy", "-z", z}, {"snapshot", "-z", z, "-s", "s1"}, {"rollback", "-z", z, "-s", "s1"},
		{"destroy-snapshot", "-z", z, "-s", "s1"}, {"destroy", "-z", z, "-s", "s1"},
		{"boot", "-z", z}, {"start", "-z", z}, {"singleuser", "-z", z}, {"stop", "-z", z}, {"halt", "-z", z},
		{"poweroff", "-z", z}, {"shutdown", "-z", z}, {"restart", "-z", z}, {"reboot", "-z", z},
		{"ready", "-z", z}, {"mount", "-z", z}, {"unmount", "-z", z},
		{"is-managed", z}, {"is-giz", z}, {"is-diz", z}, {"verify", z}, {"list-snapshots", z},
	}
	return mods, verbs
}

// TestNeverTouchOthersZones aims every module state (with force and
// recreate where they exist) and every CLI verb at the global zone and at
// a zone installed without zonemgr's attrs: each is refused with a
// non-zero exit and the sim is exactly as before.
func TestNeverTouchOthersZones(t *testing.T) {
	s := goldenSim(t)
	plainZone(t, s, "plain")
	s0 := s.State()
	tried := 0
	for _, z := range []string{"plain", "global"} {
		mods, verbs := zoneCalls(z)
		for _, m := range mods {
			res := s.Module(m.module, m.args)
			tried++
			msg, _ := res["msg"].(string)
			if res["failed"] != true || res["changed"] == true {
				t.Errorf("%s %v: failed=%v changed=%v msg=%q", m.module, m.args, res["failed"], res["changed"], msg)
			}
			if z == "plain" && !strings.Contains(msg, notOurs) && !strings.Contains(msg, "not a snapshot") {
				t.Errorf("%s %v: msg %q does not say the zone is not ours", m.module, m.args, msg)
			}
			if z == "global" && !strings.Contains(msg, `"global" is the global zone`) {
				t.Errorf("%s %v: msg %q does not refuse the global zone", m.module, m.args, msg)
			}
			if got := s.State(); got != s0 {
				t.Fatalf("%s %v changed the sim:\n%s", m.module, m.args, diffLines(s0, got))
			}
		}
		for _, v := range verbs {
			out, errOut, code := s.Run(nil, "zonemgr", v...)
			tried++
			if code == 0 {
				t.Errorf("zonemgr %q: exit 0\n%s%s", v, out, errOut)
			}
			if got := s.State(); got != s0 {
				t.Fatalf("zonemgr %q changed the sim:\n%s", v, diffLines(s0, got))
			}
		}
	}
	// zone_info reports the plain zone as existing but not managed.
	res := s.MustModule("zone_info", map[string]any{"name": "plain"})
	if res["managed"] == true {
		t.Errorf("zone_info says plain is managed: %v", pretty(res))
	}
	t.Logf("%d calls on the global zone and an unmanaged zone refused, sim unchanged", tried)
}

// TestDatasetsOutsideContainers delegates an existing dataset outside
// zonemgr's containers to a disposable zone and destroys the zone: the
// dataset is only delegated, never destroyed, and keeps its properties.
func TestDatasetsOutsideContainers(t *testing.T) {
	s := goldenSim(t)
	for _, c := range [][]string{{"zfs", "create", "-o", "mountpoint=legacy", "rpool/export/keep"}, {"zfs", "create", "rpool/export/keep/inner"}, {"zfs", "create", "rpool/export/inherits"}} {
		if out, errOut, code := s.Run(nil, c[0], c[1:]...); code != 0 {
			t.Fatalf("%q: %s%s", c, out, errOut)
		}
	}
	// zoneadm refuses to delegate a dataset whose mountpoint is
	// inherited: refused before anything changes.
	unchanged := s.State()
	res := s.Module("zone_diz", map[string]any{"name": "d1", "giz": "golden", "delegate_datasets": []string{"rpool/export/inherits"}})
	if res["failed"] != true || !strings.Contains(fmt.Sprint(res["msg"]), "delegate_datasets: rpool/export/inherits: its mountpoint is inherited from rpool/export, and zoneadm refuses to delegate a dataset whose mountpoint is inherited") {
		t.Errorf("delegating a dataset with an inherited mountpoint: %v", pretty(res))
	}
	if got := s.State(); got != unchanged {
		t.Errorf("the refused delegation changed the sim:\n%s", diffLines(unchanged, got))
	}
	show := func() string {
		out, _, _ := s.Run(nil, "zfs", "list", "-H", "-o", "name,mountpoint", "-r", "rpool/export/keep")
		return out
	}
	before := show()
	mark := len(s.Log())
	s.MustModule("zone_diz", map[string]any{"name": "d1", "giz": "golden", "delegate_datasets": []string{"rpool/export/keep"}})
	cfg, _, _ := s.Run(nil, "zonecfg", "-z", "d1", "info", "dataset")
	if !strings.Contains(cfg, "name: rpool/export/keep") {
		t.Fatalf("rpool/export/keep not delegated:\n%s", cfg)
	}
	s.MustModule("zone_diz", map[string]any{"name": "d1", "state": "absent"})
	if got := show(); got != before {
		t.Errorf("rpool/export/keep changed:\nbefore:\n%s\nafter:\n%s", before, got)
	}
	for _, c := range Mutating(s.Log()[mark:]) {
		if strings.HasPrefix(c, "zfs ") && strings.Contains(c, "rpool/export") {
			t.Errorf("a mutating zfs command touched rpool/export: %s", c)
		}
	}
}

// TestGIZDependentsKept: destroying a golden zone that disposable zones
// were cloned from is refused without force; with force the golden zone
// goes and its dependents stay, usable, with their data.
func TestGIZDependentsKept(t *testing.T) {
	s := goldenSim(t)
	s.MustModule("zone_diz", map[string]any{"name": "dep1", "giz": "golden"})
	res := s.Module("zone_giz", map[string]any{"name": "golden", "state": "absent"})
	if res["failed"] != true || !strings.Contains(res["msg"].(string), "dep1") {
		t.Fatalf("destroying a golden zone with a dependent: %v", pretty(res))
	}
	s.MustModule("zone_giz", map[string]any{"name": "golden", "state": "absent", "force": true})
	out, _, _ := s.Run(nil, "zoneadm", "list", "-cp")
	if !strings.Contains(out, ":dep1:installed:") || strings.Contains(out, ":golden:") {
		t.Errorf("after a forced golden destroy, zones are:\n%s", out)
	}
	ds, _, code := s.Run(nil, "zfs", "list", "-H", "-o", "name", "rpool/zones/_zonemgr/DIZ/dep1/ROOT/zbe")
	if code != 0 || strings.TrimSpace(ds) == "" {
		t.Errorf("dep1's root dataset is gone: %q", ds)
	}
	res = s.MustModule("zone_exec", map[string]any{"zone": "dep1", "cmd": "cat /etc/nodename"})
	if strings.TrimSpace(res["stdout"].(string)) != "dep1" {
		t.Errorf("dep1 does not run after its golden zone was destroyed: %v", pretty(res))
	}
	checkNoRecursiveDestroy(t, s)
}

// checkNoRecursiveDestroy fails when the sim ran zfs destroy -R, or ran
// no zfs destroy at all (the scan would prove nothing).
func checkNoRecursiveDestroy(t *testing.T, s *Sim) {
	t.Helper()
	if simh.CheckNoDestroyDependents(t, s.Root) == 0 {
		t.Errorf("no zfs destroy ran: the scan proves nothing")
	}
}

// TestNoDestroyDependents runs every operation that destroys something
// (a DIZ, a snapshot, a forced rollback, an exec with discard, exec-diz,
// a forced golden-zone destroy, gc) and scans the sim's command log for
// zfs destroy -R or rollback -R; and it scans the product's source for a
// "-R" argument next to a destroy or rollback.
func TestNoDestroyDependents(t *testing.T) {
	s := goldenSim(t)
	s.MustModule("zone_diz", map[string]any{"name": "d1", "giz": "golden", "delegate_datasets": []string{"rpool/zones/_zonemgr/delegated/d1"}})
	s.MustModule("zone_snapshot", map[string]any{"zone": "d1", "name": "s1"})
	s.MustModule("zone_snapshot", map[string]any{"zone": "d1", "name": "s2"})
	s.MustModule("zone_snapshot", map[string]any{"zone": "d1", "name": "s1", "state": "rolledback", "force": true})
	s.MustModule("zone_snapshot", map[string]any{"zone": "d1", "name": "s1", "state": "absent"})
	s.MustModule("zone_exec", map[string]any{"zone": "d1", "cmd": "touch /x", "discard": "always"})
	s.MustModule("zone_exec", map[string]any{"giz": "golden", "cmd": "true"})
	s.MustModule("zone_diz", map[string]any{"name": "d1", "state": "absent"})
	s.MustModule("zone_diz", map[string]any{"name": "d2", "giz": "golden"})
	s.MustModule("zone_giz", map[string]any{"name": "golden", "state": "absent", "force": true})
	s.MustModule("zone_diz", map[string]any{"name": "d2", "state": "absent"})
	if _, _, code := s.Run(nil, "zonemgr", "gc"); code != 0 {
		t.Errorf("zonemgr gc: exit %d", code)
	}
	checkNoRecursiveDestroy(t, s)

	_, file, _, _ := runtime.Caller(0)
	top := filepath.Join(filepath.Dir(file), "..", "..")
	flag := regexp.MustCompile(`"-[A-Za-z]*R[A-Za-z]*"`)
	for _, dir := range []string{"internal", "modules", "runner"} {
		filepath.WalkDir(filepath.Join(top, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			b, _ := os.ReadFile(p)
			for i, line := range strings.Split(string(b), "\n") {
				if (strings.Contains(line, "destroy") || strings.Contains(line, "rollback")) && flag.MatchString(line) {
					t.Errorf("%s:%d: a destroy or rollback with an -R flag: %s", p, i+1, strings.TrimSpace(line))
				}
			}
			return nil
		})
	}
}

// accountLines returns a zone's (or the global zone's) account file as a
// map from name to line.
func accountLines(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		name, _, _ := strings.Cut(l, ":")
		out[name] = l
	}
	return out
}

// TestAccountCopy: copying accounts brings exactly the named ones; root
// and system accounts (uid < 100) come only when named; the zone's
// passwd, shadow and group keep owner root and modes 0644, 0400, 0644.
func TestAccountCopy(t *testing.T) {
	s := goldenSim(t)
	gz := accountLines(t, filepath.Join(s.Root, "etc/shadow"))
	zoneEtc := func(z string) string { return filepath.Join(s.Root, "zones/_zonemgr/DIZ", z, "root/etc") }
	giz := filepath.Join(s.Root, "zones/_zonemgr/GIZ/golden/root/etc")
	gizShadow := accountLines(t, filepath.Join(giz, "shadow"))

	// Booted once: the brand's clone resets root's password, and
	// OpenIndiana's sysding gives it back "NP" at the zone's first boot
	// (sim/zones/unconfigure.go); the accounts are compared after it.
	s.MustModule("zone_diz", map[string]any{"name": "d1", "giz": "golden", "state": "running", "copy_users": []string{"jenkins"}, "copy_groups": []string{"jenkins"}})
	shadow := accountLines(t, filepath.Join(zoneEtc("d1"), "shadow"))
	for name, line := range shadow {
		if name == "jenkins" {
			if line != gz["jenkins"] {
				t.Errorf("jenkins's shadow line %q, want the global zone's %q", line, gz["jenkins"])
			}
			continue
		}
		if line != gizShadow[name] {
			t.Errorf("account %s not named but changed: %q, golden zone has %q", name, line, gizShadow[name])
		}
	}
	if shadow["root"] == gz["root"] {
		t.Errorf("the global zone's root password hash was copied without being named")
	}
	passwd := accountLines(t, filepath.Join(zoneEtc("d1"), "passwd"))
	gizPasswd := accountLines(t, filepath.Join(giz, "passwd"))
	system := 0
	for name, line := range accountLines(t, filepath.Join(s.Root, "etc/passwd")) {
		f := strings.Split(line, ":")
		if uid, err := strconv.Atoi(f[2]); err != nil || uid >= 100 {
			continue
		}
		system++
		if passwd[name] != gizPasswd[name] {
			t.Errorf("system account %s (uid %s) changed without being named: %q, golden zone has %q", name, f[2], passwd[name], gizPasswd[name])
		}
	}
	if system == 0 {
		t.Errorf("the global zone has no system accounts: the check proves nothing")
	}

	// Named, root is copied: the rule is "only when asked by name".
	s.MustModule("zone_diz", map[string]any{"name": "d2", "giz": "golden", "copy_users": []string{"root", "daemon"}})
	if got := accountLines(t, filepath.Join(zoneEtc("d2"), "shadow"))["root"]; got != gz["root"] {
		t.Errorf("root named in copy_users: zone shadow line %q, want %q", got, gz["root"])
	}

	for _, z := range []string{"d1", "d2"} {
		for _, f := range []struct {
			name string
			mode fs.FileMode
		}{{"passwd", 0o644}, {"shadow", 0o400}, {"group", 0o644}} {
			fi, err := os.Stat(filepath.Join(zoneEtc(z), f.name))
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != f.mode {
				t.Errorf("%s: /etc/%s mode %v, want %v", z, f.name, fi.Mode().Perm(), f.mode)
			}
			if st, ok := fi.Sys().(*syscall.Stat_t); ok && (st.Uid != 0 || st.Gid > 3) {
				t.Errorf("%s: /etc/%s owner %d:%d, want root", z, f.name, st.Uid, st.Gid)
			}
		}
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestShadowHashNeverShown copies jenkins (whose global-zone shadow line
// has a password hash) through every door, with the most verbose output,
// and searches every result, the CLI's -d 5 output, the play output, the
// sim's command log and zonemgr's journals for the hash.
func TestShadowHashNeverShown(t *testing.T) {
	s := NewSim(t)
	f := strings.Split(accountLines(t, filepath.Join(s.Root, "etc/shadow"))["jenkins"], ":")
	if len(f) < 2 || !strings.HasPrefix(f[1], "$") {
		t.Fatalf("the sim's jenkins has no password hash: %q", f)
	}
	hash := f[1]
	salt := strings.Join(strings.Split(hash, "$")[:3], "$")
	var seen []string
	res := s.MustModule("zone_giz", map[string]any{"name": "golden", "copy_users": []string{"jenkins"}, "_ansible_verbosity": 4, "_ansible_debug": true})
	seen = append(seen, pretty(res))
	res = s.MustModule("zone_diz", map[string]any{"name": "d1", "giz": "golden", "copy_users": []string{"jenkins"}, "_ansible_diff": true, "_ansible_verbosity": 4})
	seen = append(seen, pretty(res))
	res = s.MustModule("zone_exec", map[string]any{"giz": "golden", "copy_users": []string{"jenkins"}, "user": "jenkins", "cmd": "id"})
	seen = append(seen, pretty(res))
	out, errOut, code := s.Run(nil, "zonemgr", "-d", "5", "create-diz", "-c", "golden", "-z", "d2", "--copy-users", "jenkins root")
	if code != 0 {
		t.Fatalf("zonemgr create-diz: exit %d\n%s%s", code, out, errOut)
	}
	seen = append(seen, out+errOut)
	out, errOut, _ = s.Run(nil, "zonemgr", "-d", "5", "exec-diz", "-c", "golden", "--copy-users", "jenkins", "--exec-user", "jenkins", "--exec-cmd", "true")
	seen = append(seen, out+errOut)
	tasks := filepath.Join(t.TempDir(), "tasks.yml")
	os.WriteFile(tasks, []byte(playTask("zone_diz", map[string]any{"name": "d3", "giz": "golden", "copy_users": []string{"jenkins"}})), 0o600)
	out, errOut, _ = s.Run(nil, "zonemgr", "play", "-vvvv", "-D", tasks)
	seen = append(seen, out+errOut)
	seen = append(seen, mustRead(t, filepath.Join(s.Root, ".sim/commands.jsonl")))
	filepath.WalkDir(filepath.Join(s.Root, "var/zonemgr"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			seen = append(seen, mustRead(t, p))
		}
		return nil
	})
	for i, text := range seen {
		for _, secret := range []string{hash, salt} {
			if strings.Contains(text, secret) {
				t.Errorf("output %d shows the password hash %q:\n%.2000s", i, secret, text)
			}
		}
	}
	// The hash did reach the zone, where it belongs.
	if !strings.Contains(mustRead(t, filepath.Join(s.Root, "zones/_zonemgr/DIZ/d1/root/etc/shadow")), hash) {
		t.Errorf("jenkins's hash was not copied into d1's shadow")
	}
}

// TestDestroyDependentsPattern checks the scanner itself: it must see -R
// in any flag cluster and nothing else.
func TestDestroyDependentsPattern(t *testing.T) {
	for _, tt := range []struct {
		cmd  string
		want bool
	}{
		{"zfs destroy -R rpool/a", true},
		{"zfs destroy -rR rpool/a", true},
		{"zfs destroy -Rf rpool/a@s", true},
		{"zfs destroy -f -R rpool/a", true},
		{"zfs destroy -r rpool/a", false},
		{"zfs destroy rpool/R", false},
		{"zfs destroy -d rpool/a@s", false},
		{"zfs rollback -R rpool/a@s", true},
		{"zfs rollback -r rpool/a@s", false},
	} {
		if got := simh.DestroysDependents(tt.cmd); got != tt.want {
			t.Errorf("%q: match %v, want %v", tt.cmd, got, tt.want)
		}
	}
}
