package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/pkg"
	"github.com/zonemgr/zonemgr/sim/zfs"
)

// On illumos a zone boot costs seconds and a zlogin about 100 ms, so
// these tests count what each operation starts, from the sim's command
// log: boots, zlogins (and, apart, the polls of a boot's milestone),
// mutating commands, processes.

// A cost is what a slice of the sim's log started.
type cost struct {
	procs, mutating, boots int
	// zlogins are the logins into a zone other than a milestone's poll;
	// polls are the polls of a milestone (svcs -z from the global zone,
	// or zlogin ZONE svcs), zloginPolls those of them through zlogin.
	zlogins, polls, zloginPolls int
}

func (c cost) String() string {
	return fmt.Sprintf("%d processes, %d mutating, %d boots, %d zlogins, %d milestone polls", c.procs, c.mutating, c.boots, c.zlogins, c.polls)
}

func costOf(entries []core.LogEntry) cost {
	var c cost
	for _, e := range entries {
		c.procs++
		if e.Mutating {
			c.mutating++
		}
		switch {
		case e.Tool == "zoneadm" && e.Sub == "boot":
			c.boots++
		case e.Tool == "svcs" && slices.Contains(e.Argv, "-z"):
			c.polls++
		case e.Tool == "zlogin" && slices.Contains(e.Argv, "svcs"):
			c.polls++
			c.zloginPolls++
		case e.Tool == "zlogin":
			c.zlogins++
		}
	}
	return c
}

// A caller runs zonemgr and the module binaries: as root, or as a sim
// user through the pfexec re-execution (see runAs).
type caller struct {
	name string
	uid  int // 0: root
}

var callers = []caller{{"root", 0}, {"jim through pfexec", uidJim}}

func (c caller) zonemgr(t *testing.T, s *Sim, args ...string) (stdout, stderr string) {
	t.Helper()
	var out, errOut string
	var code int
	if c.uid == 0 {
		out, errOut, code = s.Run(nil, "zonemgr", args...)
	} else {
		out, errOut, code = runAs(t, s, c.uid, true, "zonemgr", args...)
	}
	if code != 0 {
		t.Fatalf("%s: zonemgr %s: exit %d\n%s%s", c.name, strings.Join(args, " "), code, out, errOut)
	}
	return out, errOut
}

func (c caller) module(t *testing.T, s *Sim, name string, args map[string]any) map[string]any {
	t.Helper()
	var res map[string]any
	if c.uid == 0 {
		res = s.Module(name, args)
	} else {
		res = moduleAs(t, s, c.uid, true, name, args)
	}
	if res["failed"] == true {
		t.Fatalf("%s: %s %v: %s", c.name, name, args, pretty(res))
	}
	return res
}

// measure runs f and returns what it started.
func measure(s *Sim, f func()) cost {
	n := len(s.Log())
	f()
	return costOf(s.Log()[n:])
}

// TestOneBootPerDIZ: a disposable zone boots once in its life, whichever
// door makes it and however it is then started and used: create-diz,
// start, exec, destroy; exec-diz; zone_diz state=running, zone_exec,
// state=absent. Its identity is written before that boot: as root from
// the global zone (no zlogin at all), otherwise in the zone's scratch
// zone (one zlogin); root waits for the milestone from the global zone
// (svcs -z), jim through zlogin.
func TestOneBootPerDIZ(t *testing.T) {
	for _, c := range callers {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := goldenSim(t)
			// A boot that takes a moment, so that the wait polls.
			s.Setenv("ILLUMOS_SIM_BOOT_DELAY", "300ms")
			identity := 0 // zlogins that write a zone's identity
			if c.uid != 0 {
				identity = 1
			}
			check := func(op string, got cost, boots, zlogins int) {
				t.Helper()
				t.Logf("%s: %s", op, got)
				if got.boots != boots || got.zlogins != zlogins {
					t.Errorf("%s: %s; want %d boots and %d zlogins", op, got, boots, zlogins)
				}
				if c.uid == 0 && got.zloginPolls > 0 {
					t.Errorf("%s: root polled the milestone through zlogin", op)
				}
			}
			var total cost
			add := func(x cost) { total.boots += x.boots; total.zlogins += x.zlogins }

			// create-diz, start, exec, destroy.
			x := measure(s, func() {
				c.zonemgr(t, s, "create-diz", "-c", "golden", "-z", "d1", "--copy-users", "jenkins", "--elevate-users", "jenkins")
			})
			check("create-diz", x, 0, identity)
			add(x)
			x = measure(s, func() { c.zonemgr(t, s, "start", "-z", "d1") })
			check("start", x, 1, 0)
			add(x)
			if x.polls == 0 {
				t.Errorf("start: the boot's milestone was never polled")
			}
			checkIdentity(t, s, "d1", "DIZ")
			var out string
			x = measure(s, func() {
				out, _ = c.zonemgr(t, s, "exec", "-z", "d1", "--exec-user", "jenkins", "--exec-cmd", "cat /etc/nodename; id -un")
			})
			check("exec", x, 0, 1)
			add(x)
			if out != "d1\njenkins\n" {
				t.Errorf("exec: stdout %q", out)
			}
			x = measure(s, func() { c.zonemgr(t, s, "destroy", "-z", "d1") })
			check("destroy", x, 0, 0)
			add(x)
			if total.boots != 1 {
				t.Errorf("create-diz, start, exec, destroy: %d boots", total.boots)
			}

			// exec-diz: clone, identity, boot, the command, destroy.
			x = measure(s, func() {
				out, _ = c.zonemgr(t, s, "exec-diz", "-c", "golden", "--copy-users", "jenkins", "--exec-user", "jenkins", "--exec-cmd", "echo $(id -un) in $(cat /etc/nodename)")
			})
			check("exec-diz", x, 1, identity+1)
			if !strings.HasPrefix(out, "jenkins in ") {
				t.Errorf("exec-diz: stdout %q", out)
			}

			// The modules: zone_diz state=running, zone_exec, absent.
			x = measure(s, func() {
				res := c.module(t, s, "zone_diz", map[string]any{"name": "d2", "giz": "golden", "state": "running", "copy_users": []string{"jenkins"}})
				if res["state"] != "running" || res["changed"] != true {
					t.Errorf("zone_diz running: %s", pretty(res))
				}
			})
			check("zone_diz state=running", x, 1, identity)
			checkIdentity(t, s, "d2", "DIZ")
			x = measure(s, func() {
				res := c.module(t, s, "zone_exec", map[string]any{"zone": "d2", "cmd": "cat /etc/nodename", "user": "jenkins"})
				if res["stdout"] != "d2" {
					t.Errorf("zone_exec: %s", pretty(res))
				}
			})
			check("zone_exec", x, 0, 1)
			// Asked again to run: nothing to do, nothing started but reads.
			x = measure(s, func() {
				res := c.module(t, s, "zone_diz", map[string]any{"name": "d2", "state": "running"})
				if res["changed"] != false {
					t.Errorf("zone_diz running again: %s", pretty(res))
				}
			})
			check("zone_diz state=running again", x, 0, 0)
			if x.mutating != 0 {
				t.Errorf("zone_diz running again ran mutating commands")
			}
			x = measure(s, func() { c.module(t, s, "zone_diz", map[string]any{"name": "d2", "state": "absent"}) })
			check("zone_diz state=absent", x, 0, 0)
			if z := s.Zones(); slices.ContainsFunc(z, func(z string) bool { return !strings.HasPrefix(z, "golden:") }) {
				t.Errorf("zones left behind: %v", z)
			}
		})
	}
}

// checkIdentity looks, from the host, at what a disposable zone's first
// boot found in its root: its node name, its name on the loopback lines
// of /etc/inet/hosts (and no longer the golden zone's), the copied user
// jenkins in passwd and shadow (shadow root:sys 0400, as SUNWcs
// delivers it), and jenkins's sudoers entry when elevated.
func checkIdentity(t *testing.T, s *Sim, zone, container string) {
	t.Helper()
	root := filepath.Join(s.Root, "zones/_zonemgr", container, zone, "root")
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Errorf("%s: %v", zone, err)
		}
		return string(b)
	}
	if got := read("etc/nodename"); got != zone+"\n" {
		t.Errorf("%s: /etc/nodename %q", zone, got)
	}
	for _, l := range strings.Split(read("etc/inet/hosts"), "\n") {
		f := strings.Fields(l)
		if len(f) > 0 && (f[0] == "127.0.0.1" || f[0] == "::1") && (!slices.Contains(f, zone) || slices.Contains(f, "golden")) {
			t.Errorf("%s: hosts line %q", zone, l)
		}
	}
	if !strings.Contains(read("etc/passwd"), "\njenkins:x:1001:1001:") {
		t.Errorf("%s: jenkins not in passwd", zone)
	}
	if !strings.Contains(read("etc/shadow"), "\njenkins:") {
		t.Errorf("%s: jenkins not in shadow", zone)
	}
	if fi, err := os.Stat(filepath.Join(root, "etc/shadow")); err == nil {
		st := fi.Sys().(*syscall.Stat_t)
		if fi.Mode().Perm() != 0o400 || st.Uid != 0 || st.Gid != 3 {
			t.Errorf("%s: /etc/shadow %v %d:%d, want -r-------- 0:3", zone, fi.Mode(), st.Uid, st.Gid)
		}
	}
	if zone == "d1" {
		if got := read("etc/sudoers.d/90zonemgr.jenkins"); got != "jenkins\tALL=(ALL) NOPASSWD: ALL\n" {
			t.Errorf("%s: sudoers entry %q", zone, got)
		}
	}
}

// TestNoOpRefreshBootsNothing: with a new package published, update-giz
// boots the golden zone once and updates it; the next update-giz in a
// row asks the global zone (pkg -R on the zone's root), finds nothing,
// and starts only reads: no boot, no zlogin, no change; it says the
// packages are up to date, and zone_giz state=updated reports no change.
// As root, and as jenkins through pfexec (Primary Administrator: pkg
// runs as uid 0, so it may ask from the global zone).
func TestNoOpRefreshBootsNothing(t *testing.T) {
	for _, c := range []caller{{"root", 0}, {"jenkins through pfexec", 1001}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := goldenSim(t)
			if err := pkg.Publish(s.Root, "shell/bash", "5.2.99-2026.0.0.0"); err != nil {
				t.Fatal(err)
			}
			var errOut string
			x := measure(s, func() { _, errOut = c.zonemgr(t, s, "update-giz", "-z", "golden") })
			t.Logf("update-giz with an update: %s", x)
			if x.boots != 1 || !strings.Contains(errOut, "packages of golden updated; snapshot autozone-") {
				t.Errorf("update-giz with an update: %s\n%s", x, errOut)
			}
			before := s.State()
			x = measure(s, func() { _, errOut = c.zonemgr(t, s, "update-giz", "-z", "golden") })
			t.Logf("update-giz, nothing to update: %s", x)
			if x.boots != 0 || x.zlogins != 0 || x.polls != 0 || x.mutating != 0 {
				t.Errorf("update-giz with nothing to update: %s", x)
			}
			if !strings.Contains(errOut, "packages of golden are up to date") {
				t.Errorf("update-giz with nothing to update says:\n%s", errOut)
			}
			x = measure(s, func() {
				res := c.module(t, s, "zone_giz", map[string]any{"name": "golden", "state": "updated", "update_packages": true})
				if res["changed"] != false || res["msg"] != "packages of golden are up to date" {
					t.Errorf("zone_giz updated with nothing to update: %s", pretty(res))
				}
			})
			if x.boots != 0 || x.zlogins != 0 || x.mutating != 0 {
				t.Errorf("zone_giz updated with nothing to update: %s", x)
			}
			if got := s.State(); got != before {
				t.Errorf("a refresh with nothing to update changed the sim:\n%s", diffLines(before, got))
			}
			if c.uid != 0 {
				return
			}
			// When pkg cannot answer from the global zone, it is asked in
			// the booted zone: one boot, still up to date, no change.
			x = measure(s, func() {
				res := s.Module("zone_giz", map[string]any{"name": "golden", "state": "updated"}, core.EnvFail+"=pkg update#1:exit=1:msg=pkg: cannot answer")
				if res["failed"] != false || res["changed"] != false || res["msg"] != "packages of golden are up to date" {
					t.Errorf("zone_giz updated, pkg -R failing: %s", pretty(res))
				}
			})
			t.Logf("update-giz, nothing to update, pkg -R failing: %s", x)
			if x.boots != 1 {
				t.Errorf("zone_giz updated, pkg -R failing: %s, want one boot", x)
			}
		})
	}
}

// TestIdentityStaysInZoneRoot plants links in the golden zone's root
// that a clone inherits: a file and directories the identity is written
// to, each leading out of the zone root to a directory of the host. No
// write follows them out: the directory outside is unchanged whoever
// runs zonemgr. As root the edit is refused and names the file, and the
// clone is undone: nothing is left behind. In jim's scratch zone the
// link resolves inside the scratch zone, which is gone at the unmount.
func TestIdentityStaysInZoneRoot(t *testing.T) {
	for _, c := range callers {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := goldenSim(t)
			groot := filepath.Join(s.Root, "zones/_zonemgr/GIZ/golden/root")
			outside := t.TempDir()
			os.WriteFile(filepath.Join(outside, "passwd"), []byte("outside\n"), 0o644)
			snapshot := func() string {
				var b strings.Builder
				filepath.Walk(outside, func(p string, fi os.FileInfo, err error) error {
					if err != nil {
						return err
					}
					data, _ := os.ReadFile(p)
					fmt.Fprintf(&b, "%s %v %q\n", p, fi.Mode(), data)
					return nil
				})
				return b.String()
			}
			for i, trap := range []struct {
				name, path, target string
				args               []string
				refused            string // the file named in root's error
			}{
				{"passwd, absolute", "etc/passwd", filepath.Join(outside, "passwd"), []string{"--copy-users", "jenkins"}, "/etc/passwd"},
				{"passwd, relative", "etc/passwd", "../../../../../../../../../../../../" + outside + "/passwd", []string{"--copy-users", "jenkins"}, "/etc/passwd"},
				{"sudoers.d", "etc/sudoers.d", outside, []string{"--elevate-users", "jenkins"}, "/etc/sudoers.d"},
				{"home directories", "export/home", outside, []string{"--copy-users", "jenkins"}, "/export/home/jenkins"},
				{"the node name", "etc/nodename", filepath.Join(outside, "passwd"), nil, ""},
			} {
				t.Run(trap.name, func(t *testing.T) {
					// The trap is set in a snapshot of the golden zone,
					// which is what a clone copies.
					p := filepath.Join(groot, trap.path)
					saved := filepath.Join(t.TempDir(), "saved")
					if err := os.Rename(p, saved); err != nil && !os.IsNotExist(err) {
						t.Fatal(err)
					}
					if err := os.Symlink(trap.target, p); err != nil {
						t.Fatal(err)
					}
					snap := fmt.Sprintf("trap%d", i)
					s.MustRun("zonemgr", "snapshot", "-z", "golden", "-s", snap)
					os.Remove(p)
					os.Rename(saved, p)
					outBefore, before := snapshot(), s.State()
					args := append([]string{"create-diz", "-c", "golden", "-s", snap, "-z", "t1"}, trap.args...)
					var stdout, stderr string
					var code int
					if c.uid == 0 {
						stdout, stderr, code = s.Run(nil, "zonemgr", args...)
					} else {
						stdout, stderr, code = runAs(t, s, c.uid, true, "zonemgr", args...)
					}
					t.Logf("exit %d: %s", code, strings.TrimSpace(stderr))
					if got := snapshot(); got != outBefore {
						t.Errorf("zonemgr %s wrote out of the zone root:\nbefore %s\nafter  %s", strings.Join(args, " "), outBefore, got)
					}
					switch {
					case code == 0:
						if c.uid == 0 && trap.refused != "" {
							t.Errorf("zonemgr %s: exit 0, want a refusal of %s", strings.Join(args, " "), trap.refused)
						}
						nodename := filepath.Join(s.Root, "zones/_zonemgr/DIZ/t1/root/etc/nodename")
						if fi, err := os.Lstat(nodename); err != nil || !fi.Mode().IsRegular() {
							t.Errorf("t1's /etc/nodename: %v, %v", fi, err)
						} else if b, _ := os.ReadFile(nodename); string(b) != "t1\n" {
							t.Errorf("t1's /etc/nodename: %q", b)
						}
						c.zonemgr(t, s, "destroy", "-z", "t1")
					case c.uid == 0 && (trap.refused == "" || !strings.Contains(stderr, trap.refused+": a symbolic link leads out of the zone root")):
						t.Errorf("zonemgr %s: exit %d, want the refusal of %s\n%s%s", strings.Join(args, " "), code, trap.refused, stdout, stderr)
					default:
						if after := s.State(); after != before {
							t.Errorf("the failed create-diz left something behind:\n%s", diffLines(before, after))
						}
					}
				})
			}
		})
	}
}

// unmountZoneRoot leaves a halted zone as a reboot of the global zone
// leaves it: its boot environment (mountpoint legacy, canmount noauto)
// is no longer mounted on its root, since only zoneadm mounts it (the
// brand's mount_active_ds()). It returns the dataset it unmounted.
func unmountZoneRoot(t *testing.T, s *Sim, zone string) string {
	t.Helper()
	root := "/zones/_zonemgr/GIZ/" + zone + "/root"
	out := strings.Fields(s.MustRun("zfs", "list", "-H", "-o", "name,mounted", root))
	if len(out) != 2 || out[1] != "yes" || !strings.Contains(out[0], "/ROOT/") {
		t.Fatalf("zfs list %s: %q, want the zone's boot environment, mounted", root, out)
	}
	st, err := zfs.Open(s.Root)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Unmount(out[0]); err != nil {
		t.Fatal(err)
	}
	if err := st.Save(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(s.MustRun("zfs", "list", "-H", "-o", "name,mounted", out[0])); len(got) != 2 || got[1] != "no" {
		t.Fatalf("%s after the unmount: %q", out[0], got)
	}
	return out[0]
}

// TestRefreshAfterHostReboot: after a reboot of the global zone a halted
// golden zone's root is not mounted, and pkg -R finds no image there. A
// refresh as root mounts the zone (zoneadm mount mounts its root), asks
// pkg -R, and unmounts it, which leaves the root mounted: with nothing to
// update, nothing boots and the next refresh is read-only again; with
// something, the zone is booted and updated as usual. The commands are
// exact, in order.
func TestRefreshAfterHostReboot(t *testing.T) {
	s := goldenSim(t)
	img := "/zones/_zonemgr/GIZ/golden/root"
	be := unmountZoneRoot(t, s, "golden")
	refresh := map[string]any{"name": "golden", "state": "updated"}
	n := len(s.Log())
	res := s.Module("zone_giz", refresh)
	entries := s.Log()[n:]
	var argv []string
	for _, e := range entries {
		argv = append(argv, strings.Join(e.Argv[:min(len(e.Argv), 4)], " "))
	}
	want := []string{"zoneadm list -cp", "zfs list -H -p", "pkg -R " + img + " update", "zfs list -H -o", "zoneadm -z golden mount", "pkg -R " + img + " update", "zoneadm -z golden unmount"}
	if res["failed"] != false || res["changed"] != false || res["msg"] != "packages of golden are up to date" || !slices.Equal(argv, want) {
		t.Errorf("zone_giz state=updated after a reboot, nothing to update: commands\n%q\nwant\n%q\n%s", argv, want, pretty(res))
	}
	if x := costOf(entries); x.boots != 0 || x.zlogins != 0 || x.polls != 0 {
		t.Errorf("zone_giz state=updated after a reboot, nothing to update: %s", x)
	}
	if got := strings.Fields(s.MustRun("zfs", "list", "-H", "-o", "mounted", be)); !slices.Equal(got, []string{"yes"}) {
		t.Errorf("%s after the refresh: mounted %q, want yes (the unmount's poststate hook leaves it mounted)", be, got)
	}
	if st := strings.TrimSpace(s.MustRun("zonemgr", "-q", "get-state", "-z", "golden")); st != "installed" {
		t.Errorf("golden after the refresh: %s, want installed", st)
	}
	x := measure(s, func() { s.MustModule("zone_giz", refresh) })
	if x.procs != 3 || x.mutating != 0 {
		t.Errorf("the next refresh: %s, want 3 read-only commands", x)
	}

	// Something to update after another reboot: mounted, asked,
	// unmounted, then booted and updated once.
	unmountZoneRoot(t, s, "golden")
	if err := pkg.Publish(s.Root, "shell/bash", "5.2.99-2026.0.0.0"); err != nil {
		t.Fatal(err)
	}
	n = len(s.Log())
	res = s.Module("zone_giz", refresh)
	entries = s.Log()[n:]
	argv = argv[:0]
	for _, e := range entries[:min(len(entries), 9)] {
		argv = append(argv, strings.Join(e.Argv[:min(len(e.Argv), 4)], " "))
	}
	// The boot environment's snapshot to return to (its name holds the
	// run's id), then the boot.
	want = append(want, "zfs snapshot -o zonemgr:run=", "zoneadm -z golden boot")
	if res["failed"] != false || res["changed"] != true || !strings.HasPrefix(fmt.Sprint(res["msg"]), "packages of golden updated; snapshot autozone-") ||
		!slices.EqualFunc(argv, want, strings.HasPrefix) {
		t.Errorf("zone_giz state=updated after a reboot, with an update: commands\n%q\nwant them to begin\n%q\n%s", argv, want, pretty(res))
	}
	if x := costOf(entries); x.boots != 1 {
		t.Errorf("zone_giz state=updated after a reboot, with an update: %s, want one boot", x)
	}
}

// TestRefreshWhilePkgIsOutOfDate: pkg refuses to update every package
// while pkg(7) itself can be updated, from the global zone (pkg -R asks
// about the global zone's pkg(7)) and in the zone (its own). A refresh
// updates pkg(7) in the zone first, then every package; a question from
// the global zone that cannot tell counts as yes. Both with the zone's
// root mounted (pkg -R is asked before planning) and not (the zone is
// mounted, asked, unmounted). The global zone's pkg(7) is left alone.
func TestRefreshWhilePkgIsOutOfDate(t *testing.T) {
	for _, rebooted := range []bool{false, true} {
		t.Run(fmt.Sprintf("rebooted=%v", rebooted), func(t *testing.T) {
			t.Parallel()
			s := goldenSim(t)
			img := "/zones/_zonemgr/GIZ/golden/root"
			if rebooted {
				unmountZoneRoot(t, s, "golden")
			}
			gz := s.MustRun("pkg", "list", "-H", "package/pkg")
			newer := strings.Fields(gz)[1] + ".1" // on the flavour's branch
			for _, p := range [][2]string{{"package/pkg", newer}, {"shell/bash", "5.2.99-2026.0.0.0"}} {
				if err := pkg.Publish(s.Root, p[0], p[1]); err != nil {
					t.Fatal(err)
				}
			}
			res := s.Module("zone_giz", map[string]any{"name": "golden", "state": "updated"})
			if res["failed"] != false || res["changed"] != true || !strings.HasPrefix(fmt.Sprint(res["msg"]), "packages of golden updated; snapshot autozone-") {
				t.Errorf("zone_giz state=updated with pkg(7) out of date: %s", pretty(res))
			}
			if got := strings.Fields(s.MustRun("pkg", "-R", img, "list", "-H", "package/pkg", "shell/bash")); len(got) != 6 || got[1] != newer || got[4] != "5.2.99-2026.0.0.0" {
				t.Errorf("the zone's packages after the refresh: %q", got)
			}
			if got := s.MustRun("pkg", "list", "-H", "package/pkg"); got != gz {
				t.Errorf("the global zone's pkg(7): %q, was %q", got, gz)
			}
			if st := strings.TrimSpace(s.MustRun("zonemgr", "-q", "get-state", "-z", "golden")); st != "installed" {
				t.Errorf("golden after the refresh: %s, want installed", st)
			}
		})
	}
}
