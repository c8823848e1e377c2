package zones

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/zfs"
)

// inState configures a zone and brings it to a state.
func (s *sim) inState(zone, state string) {
	s.t.Helper()
	if state == "configured" {
		s.configure(zone, basicConfig(zone))
		return
	}
	s.installed(zone)
	switch state {
	case "incomplete":
		s.must("zoneadm", "-z", zone, "mark", "incomplete")
	case "ready":
		s.must("zoneadm", "-z", zone, "ready")
	case "running":
		s.must("zoneadm", "-z", zone, "boot")
	case "mounted":
		s.must("zoneadm", "-z", zone, "mount")
	}
}

// stateOf returns the state field of "zoneadm -z Z list -p".
func (s *sim) stateOf(zone string) string {
	s.t.Helper()
	f := strings.Split(strings.TrimSpace(s.must("zoneadm", "-z", zone, "list", "-p")), ":")
	return f[2]
}

func TestZoneadmStateRules(t *testing.T) {
	s := newSim(t)
	const z = "@Z@"
	call := "zoneadm: zone '" + z + "': call to zoneadmd failed\n"
	tests := []struct {
		state  string
		args   []string
		stdout string
		stderr string
		code   int
		after  string // state afterwards
	}{
		{"installed", []string{"install"}, "", "zoneadm: zone '@Z@': is already installed.\n", 1, "installed"},
		{"incomplete", []string{"install"}, "", "zoneadm: zone '@Z@': zone is incomplete; uninstall required.\n", 1, "incomplete"},
		{"running", []string{"install"}, "", "zoneadm: zone '@Z@': install operation is invalid for running zones.\n", 1, "running"},
		{"ready", []string{"install"}, "", "zoneadm: zone '@Z@': install operation is invalid for ready zones.\n", 1, "ready"},
		{"configured", []string{"uninstall", "-F"}, "", "zoneadm: zone '@Z@': is already in state 'configured'.\n", 1, "configured"},
		{"running", []string{"uninstall", "-F"}, "", "zoneadm: zone '@Z@': uninstall operation is invalid for running zones.\n", 1, "running"},
		{"installed", []string{"uninstall"}, "", "zoneadm: zone '@Z@': Input not from terminal and -F not specified: uninstall not done.\n", 1, "installed"},
		{"incomplete", []string{"uninstall", "-F"}, "", "", 0, "configured"},
		{"installed", []string{"uninstall", "-F"}, "", "", 0, "configured"},
		{"configured", []string{"boot"}, "", "zoneadm: zone '@Z@': must be installed before boot.\n", 1, "configured"},
		{"incomplete", []string{"boot"}, "", "zoneadm: zone '@Z@': must be installed before boot.\n", 1, "incomplete"},
		{"running", []string{"boot"}, "", "zone '@Z@': zone is already booted\n", 0, "running"},
		{"mounted", []string{"boot"}, "", "zone '@Z@': boot operation is invalid for zones in state 'mounted'\n" + call, 1, "mounted"},
		{"ready", []string{"boot"}, "", "", 0, "running"},
		{"configured", []string{"ready"}, "", "zoneadm: zone '@Z@': must be installed before ready.\n", 1, "configured"},
		{"ready", []string{"ready"}, "", "zone '@Z@': zone is already ready\n", 0, "ready"},
		{"mounted", []string{"ready"}, "", "zone '@Z@': ready operation is invalid for zones in state 'mounted'\n" + call, 1, "mounted"},
		{"running", []string{"ready"}, "", "", 0, "ready"},
		{"installed", []string{"halt"}, "", "zone '@Z@': zone is already halted\n", 0, "installed"},
		{"incomplete", []string{"halt"}, "", "zone '@Z@': halt operation is invalid for zones in state 'incomplete'\n", 1, "incomplete"},
		{"configured", []string{"halt"}, "", "cannot manage a zone which is in state 'configured'\nzone '@Z@': could not start zoneadmd\n", 1, "configured"},
		{"mounted", []string{"halt"}, "", "zone '@Z@': halt operation is invalid for zones in state 'mounted'\n", 1, "mounted"},
		{"ready", []string{"halt"}, "", "", 0, "installed"},
		{"running", []string{"halt"}, "", "", 0, "installed"},
		{"installed", []string{"shutdown"}, "", "zoneadm: zone '@Z@': not running\n", 1, "installed"},
		{"ready", []string{"shutdown"}, "", "zone '@Z@': shutdown operation is invalid for zones in state 'ready'\n", 1, "ready"},
		{"running", []string{"shutdown"}, "", "", 0, "installed"},
		{"running", []string{"shutdown", "-r"}, "", "", 0, "running"},
		{"installed", []string{"reboot"}, "", "zoneadm: zone '@Z@': not running\n", 1, "installed"},
		{"ready", []string{"reboot"}, "", "zone '@Z@': reboot operation is invalid for zones in state 'ready'\n", 1, "ready"},
		{"running", []string{"reboot"}, "", "", 0, "running"},
		{"configured", []string{"mount"}, "", "zoneadm: zone '@Z@': must be installed before mount.\n", 1, "configured"},
		{"running", []string{"mount"}, "", "zone '@Z@': mount operation is invalid for zones in state 'running'\n" + call, 1, "running"},
		{"installed", []string{"mount"}, "", "", 0, "mounted"},
		{"installed", []string{"unmount"}, "", "zoneadm: zone '@Z@': must be mounted before unmount.\n", 1, "installed"},
		{"mounted", []string{"unmount"}, "", "", 0, "installed"},
		{"incomplete", []string{"verify"}, "", "zoneadm: zone '@Z@': zone is incomplete; uninstall required.\n", 1, "incomplete"},
		{"installed", []string{"verify"}, "", "", 0, "installed"},
		{"installed", []string{"mark", "foo"}, "", "", 2, "installed"},
		{"installed", []string{"mark", "configured"}, "", "", 2, "installed"},
		{"running", []string{"mark", "incomplete"}, "", "zoneadm: zone '@Z@': mark operation is invalid for running zones.\n", 1, "running"},
		{"incomplete", []string{"mark", "-F", "installed"}, "", "", 0, "installed"},
	}
	for i, tt := range tests {
		zone := fmt.Sprintf("s%d", i)
		s.inState(zone, tt.state)
		r := s.run(append([]string{"zoneadm", "-z", zone}, tt.args...)...)
		name := tt.state + " " + strings.Join(tt.args, " ")
		sub := func(x string) string { return strings.ReplaceAll(x, z, zone) }
		check(t, name, r, sub(tt.stdout), sub(tt.stderr), tt.code)
		if got := s.stateOf(zone); got != tt.after {
			t.Errorf("%s: state afterwards %s, want %s", name, got, tt.after)
		}
	}

	others := []struct {
		name   string
		args   []string
		stderr string
		code   int
	}{
		{"unknown zone", []string{"zoneadm", "-z", "nosuch", "boot"}, "zoneadm: nosuch: No such zone configured\n", 1},
		{"unknown zone list", []string{"zoneadm", "-z", "nosuch", "list", "-p"}, "zoneadm: nosuch: No such zone configured\n", 1},
		{"list -p -v", []string{"zoneadm", "list", "-pv"}, "zoneadm: list -p and -v are mutually exclusive.\n", 1},
		{"global", []string{"zoneadm", "-z", "global", "boot"}, "zoneadm: zone 'global': boot operation is invalid for the global zone.\n", 1},
		{"no zone", []string{"zoneadm", "boot"}, "zoneadm: no zone specified\n", 1},
	}
	for _, tt := range others {
		check(t, tt.name, s.run(tt.args...), "", tt.stderr, tt.code)
	}
}

func TestZoneadmList(t *testing.T) {
	s := newSim(t)
	s.inState("a", "configured")
	s.inState("b", "installed")
	s.inState("c", "running")
	s.inState("d", "incomplete")
	s.inState("e", "ready")
	s.configure("f", "create -b\nset zonepath=/zones/with:colon\nset brand=ipkg\nset ip-type=shared\n")
	ub, uc, ud, ue := s.uuidOf("b"), s.uuidOf("c"), s.uuidOf("d"), s.uuidOf("e")
	for _, u := range []string{ub, uc, ud, ue} {
		if !uuidRE.MatchString(u) {
			t.Errorf("uuid %q", u)
		}
	}
	global := "0:global:running:/::ipkg:shared:0\n"
	lc := "1:c:running:/zones/c:" + uc + ":ipkg:excl:3\n"
	le := "2:e:ready:/zones/e:" + ue + ":ipkg:excl:5\n"
	la := "-:a:configured:/zones/a::ipkg:excl:1\n"
	lb := "-:b:installed:/zones/b:" + ub + ":ipkg:excl:2\n"
	ld := "-:d:incomplete:/zones/d:" + ud + ":ipkg:excl:4\n"
	lf := `-:f:configured:/zones/with\:colon::ipkg:shared:6` + "\n"
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"list", "-cp"}, global + lc + le + la + lb + ld + lf},
		{[]string{"list", "-ip"}, global + lc + le + lb},
		{[]string{"list", "-p"}, global + lc + le},
		{[]string{"list"}, "global\nc\ne\n"},
		{[]string{"list", "-cn"}, "c\ne\na\nb\nd\nf\n"},
		{[]string{"-z", "b", "list", "-p"}, lb},
		{[]string{"-z", "a", "list", "-p"}, la},
		{[]string{"-z", "c", "list"}, "c\n"},
		{[]string{"list", "-v"}, "  ID NAME             STATUS     PATH                           BRAND    IP    \n" +
			"   0 global           running    /                              ipkg     shared\n" +
			"   1 c                running    /zones/c                       ipkg     excl  \n" +
			"   2 e                ready      /zones/e                       ipkg     excl  \n"},
		{[]string{"-z", "f", "list", "-v"}, "  ID NAME             STATUS     PATH                           BRAND    IP    \n" +
			"   - f                configured /zones/with:colon              ipkg     shared\n"},
	}
	for _, tt := range tests {
		check(t, strings.Join(tt.args, " "), s.run(append([]string{"zoneadm"}, tt.args...)...), tt.want, "", 0)
	}
	check(t, "-z with -c", s.run("zoneadm", "-z", "b", "list", "-c"), "",
		"usage:\t"+admShortUsage["list"]+"\n\t"+admLongHelp["list"]+"\n", 2)

	// A halted and rebooted zone gets the next zone id.
	s.must("zoneadm", "-z", "c", "reboot")
	check(t, "id after reboot", s.run("zoneadm", "-z", "c", "list", "-p"), "3:c:running:/zones/c:"+uc+":ipkg:excl:3\n", "", 0)
}

func TestZoneadmInstall(t *testing.T) {
	s := newSim(t)
	s.configure("g1", basicConfig("g1"))
	r := s.run("zoneadm", "-z", "g1", "install", "-e", "developer/build/gnu-make")
	want := "A ZFS file system has been created for this zone.\n" +
		"Sanity Check: Looking for 'entire' incorporation.\n" +
		"       Image: Preparing at /zones/g1/root.\n" +
		"       Cache: Using /var/pkg/publisher.\n" +
		"  Installing: Packages (output follows)\n" +
		"   Publisher: Using omnios (https://pkg.omnios.org/r151054/core/).\n" +
		" Postinstall: Copying SMF seed repository ... done.\n" +
		"        Done: Installation completed in 0 seconds.\n\n" +
		"  Next Steps: Boot the zone, then log into the zone console (zlogin -C)\n\n" +
		"              to complete the configuration process.\n\n"
	check(t, "install", r, want, "", 0)

	zs, err := zfs.Open(s.root)
	if err != nil {
		t.Fatal(err)
	}
	props := []struct{ ds, prop, value, source string }{
		{"rpool/zones/g1", "sharenfs", "off", "local"},
		{"rpool/zones/g1", "mountpoint", "/zones/g1", "inherited from rpool/zones"},
		{"rpool/zones/g1/ROOT", "mountpoint", "legacy", "local"},
		{"rpool/zones/g1/ROOT", "zoned", "on", "local"},
		{"rpool/zones/g1/ROOT/zbe", "canmount", "noauto", "local"},
		{"rpool/zones/g1/ROOT/zbe", "org.opensolaris.libbe:active", "on", "local"},
		{"rpool/zones/g1/ROOT/zbe", "org.opensolaris.libbe:parentbe", zfs.BootEnvironmentUUID, "local"},
	}
	for _, p := range props {
		v, src, err := zs.GetProp(p.ds, p.prop)
		if err != nil || v != p.value || src != p.source {
			t.Errorf("%s %s = %q (%s) %v, want %q (%s)", p.ds, p.prop, v, src, err, p.value, p.source)
		}
	}
	root := filepath.Join(s.root, "zones/g1/root")
	for _, f := range []struct {
		path string
		mode os.FileMode
	}{
		{"etc/passwd", 0o644}, {"etc/shadow", 0o400}, {"etc/group", 0o644}, {"etc/user_attr", 0o644},
		{"etc/inet/hosts", 0o644}, {"etc/release", 0o444},
		{"usr/bin/busybox", 0o755}, {"usr/lib/illumos-sim", 0o755},
	} {
		st, err := os.Stat(filepath.Join(root, f.path))
		if err != nil || st.Mode().Perm() != f.mode {
			t.Errorf("%s: %v mode %v, want %v", f.path, err, st.Mode().Perm(), f.mode)
		}
	}
	for link, target := range map[string]string{"bin": "usr/bin", "etc/hosts": "./inet/hosts",
		"usr/bin/sh": "busybox", "usr/bin/pkg": "../lib/illumos-sim", "usr/sbin/svcadm": "../lib/illumos-sim"} {
		if got, err := os.Readlink(filepath.Join(root, link)); err != nil || got != target {
			t.Errorf("%s -> %q (%v), want %q", link, got, err, target)
		}
	}
	// No package delivers /etc/nodename (SUNWcs.mf), and pkgcreatezone
	// writes none.
	if _, err := os.Lstat(filepath.Join(root, "etc/nodename")); !os.IsNotExist(err) {
		t.Errorf("a new zone has /etc/nodename: %v", err)
	}
	if st, err := os.Stat(filepath.Join(s.root, "zones/g1")); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("zonepath mode %v %v", st.Mode().Perm(), err)
	}
	s.must("zoneadm", "-z", "g1", "boot")
	if r := s.run("zlogin", "g1", "pkg", "list", "-H", "developer/build/gnu-make"); r.code != 0 ||
		!strings.HasPrefix(r.stdout, "developer/build/gnu-make                          4.4.1-151054.0             i") {
		t.Errorf("the -e package is not installed in the zone: %+v", r)
	}

	// A zonepath whose parent is no ZFS filesystem cannot hold an ipkg zone.
	s.configure("nz", "create -b\nset zonepath=/export/nozfs/nz\nset brand=ipkg\n")
	check(t, "no zfs parent", s.run("zoneadm", "-z", "nz", "install"), "",
		"ERROR: the zonepath must be a ZFS dataset.\nThe parent directory of the zonepath must be a ZFS dataset so that the\n"+
			"zonepath ZFS dataset can be created properly.\n", 1)
	if got := s.stateOf("nz"); got != "configured" {
		t.Errorf("state after failed install: %s", got)
	}
}

func TestZoneadmCloneAndUninstall(t *testing.T) {
	s := newSim(t)
	s.installed("golden")
	os.WriteFile(filepath.Join(s.root, "zones/golden/root/etc/motd"), []byte("golden\n"), 0o644)
	s.configure("b1", basicConfig("b1"))
	s.configure("b2", basicConfig("b2"))
	s.configure("b3", basicConfig("b3"))
	s.configure("b4", basicConfig("b4"))
	check(t, "clone", s.run("zoneadm", "-z", "b1", "clone", "golden"), "", "", 0)
	check(t, "clone from the same snapshot", s.run("zoneadm", "-z", "b2", "clone", "-s", "b1_snap", "golden"), "", "", 0)
	check(t, "clone from ds@snap", s.run("zoneadm", "-z", "b3", "clone", "-s", "rpool/zones/golden/ROOT/zbe@b1_snap", "golden"), "", "", 0)
	// The ipkg brand's clone refuses a snapshot of another zone
	// (fail_fatal "$f_badsource"); OmniOS's error() writes to stderr.
	// clone_func() set the zone incomplete before the hook and leaves it
	// so.
	check(t, "bad snapshot", s.run("zoneadm", "-z", "b4", "clone", "-s", "rpool/zones/b1/ROOT/zbe@b1_snap", "golden"), "",
		"ERROR: Error: specified snapshot is invalid for this source zone.\n", 1)
	if got := s.stateOf("b4"); got != "incomplete" {
		t.Errorf("b4 after failed clone: %s", got)
	}
	s.must("zoneadm", "-z", "b4", "uninstall", "-F")
	// uninstall.ksh rm_zonepath() removes only SUNWattached.xml, lu, dev
	// and root, then rmdirs the zonepath: on OmniOS the failed clone's
	// log (log.ksh setuplog(): $ZONEPATH/log/zone.log) keeps it, and a
	// dataset created there later could not be mounted. The operator
	// removes it.
	if core.MustFlavor(s.root) == core.OmniOS {
		if _, err := os.Stat(filepath.Join(s.root, "zones/b4/log/zone.log")); err != nil {
			t.Errorf("zone.log of the failed clone: %v", err)
		}
	}
	os.RemoveAll(filepath.Join(s.root, "zones/b4"))

	zs, err := zfs.Open(s.root)
	if err != nil {
		t.Fatal(err)
	}
	snap := "rpool/zones/golden/ROOT/zbe@b1_snap"
	for _, z := range []string{"b1", "b2", "b3"} {
		ds := "rpool/zones/" + z + "/ROOT/zbe"
		if o, _, err := zs.GetProp(ds, "origin"); err != nil || o != snap {
			t.Errorf("%s origin %q %v", ds, o, err)
		}
		for _, p := range [][2]string{{"org.opensolaris.libbe:active", "on"}, {"canmount", "noauto"},
			{"org.opensolaris.libbe:parentbe", zfs.BootEnvironmentUUID}} {
			if v, _, _ := zs.GetProp(ds, p[0]); v != p[1] {
				t.Errorf("%s %s = %q", ds, p[0], v)
			}
		}
		if b, _ := os.ReadFile(filepath.Join(s.root, "zones", z, "root/etc/motd")); string(b) != "golden\n" {
			t.Errorf("%s lacks the golden content: %q", z, b)
		}
		// system-unconfigure's reset_networking() removes it.
		if _, err := os.Lstat(filepath.Join(s.root, "zones", z, "root/etc/nodename")); !os.IsNotExist(err) {
			t.Errorf("%s has /etc/nodename after the clone: %v", z, err)
		}
	}
	if got := zs.Snapshots("rpool/zones/golden/ROOT/zbe"); strings.Join(got, ",") != snap {
		t.Errorf("golden snapshots %q", got)
	}

	// A second clone without -s gets its own <target>_snap.
	check(t, "clone b4", s.run("zoneadm", "-z", "b4", "clone", "golden"), "", "", 0)
	zs, _ = zfs.Open(s.root)
	if !zs.Exists("rpool/zones/golden/ROOT/zbe@b4_snap") {
		t.Errorf("no b4_snap")
	}

	// Uninstall removes the origin snapshot only once no clone uses it.
	s.must("zoneadm", "-z", "b1", "uninstall", "-F")
	s.must("zoneadm", "-z", "b2", "uninstall", "-F")
	zs, _ = zfs.Open(s.root)
	if !zs.Exists(snap) || zs.Exists("rpool/zones/b1") || zs.Exists("rpool/zones/b2") {
		t.Errorf("after uninstalling b1 and b2: snapshot %v, b1 %v, b2 %v", zs.Exists(snap), zs.Exists("rpool/zones/b1"), zs.Exists("rpool/zones/b2"))
	}
	s.must("zoneadm", "-z", "b3", "uninstall", "-F")
	s.must("zoneadm", "-z", "b4", "uninstall", "-F")
	zs, _ = zfs.Open(s.root)
	if zs.Exists(snap) || zs.Exists("rpool/zones/golden/ROOT/zbe@b4_snap") {
		t.Errorf("origin snapshots survive the last clone's uninstall: %q", zs.Snapshots("rpool/zones/golden/ROOT/zbe"))
	}
	if _, err := os.Stat(filepath.Join(s.root, "zones/b1")); !os.IsNotExist(err) {
		t.Errorf("zonepath of b1 left behind: %v", err)
	}
	if got := s.stateOf("b1"); got != "configured" || s.uuidOf("b1") != "" {
		t.Errorf("b1 after uninstall: %s uuid %q", got, s.uuidOf("b1"))
	}
}

func TestZoneadmCloneRules(t *testing.T) {
	s := newSim(t)
	s.installed("golden")
	s.inState("run", "running")
	s.inState("conf", "configured")
	s.configure("lz", "create -b\nset zonepath=/zones/lz\nset brand=lipkg\n")
	tests := []struct {
		name, target, src string
		stderr            string
	}{
		{"unknown source", "t1", "nosuch", "zoneadm: nosuch: could not get state: No such zone configured\n"},
		{"global source", "t2", "global", "zoneadm: zone 't2': clone operation is invalid for the global zone.\n"},
		{"running source", "t3", "run", "zoneadm: zone 't3': clone operation is invalid for running zones.\n"},
		{"configured source", "t4", "conf", "zoneadm: zone conf is configured; installed is required.\n"},
		{"different brands", "lz", "golden", "zoneadm: Zones 'golden' and 'lz' have different brand types.\n"},
		{"installed target", "golden", "run", "zoneadm: zone 'golden': is already installed.\n"},
	}
	for _, tt := range tests {
		if tt.target != "lz" && tt.target != "golden" {
			s.configure(tt.target, basicConfig(tt.target))
		}
		check(t, tt.name, s.run("zoneadm", "-z", tt.target, "clone", tt.src), "", tt.stderr, 1)
	}
	// The brand's getopts "R:s:Xz:" rejects -m: its fail_usage, then
	// zoneadm's usage, exit 1, and the zone stays incomplete.
	check(t, "-m copy", s.run("zoneadm", "-z", "t1", "clone", "-m", "copy", "golden"), "",
		"\nbrand-specific usage: clone {sourcezone}\nusage:\t"+admShortUsage["clone"]+"\n\t"+admLongHelp["clone"]+"\n", 1)
	if got := s.stateOf("t1"); got != "incomplete" {
		t.Errorf("t1 after a clone usage error: %s", got)
	}
	check(t, "no source", s.run("zoneadm", "-z", "t4", "clone"), "",
		"usage:\t"+admShortUsage["clone"]+"\n\t"+admLongHelp["clone"]+"\n", 2)
}

// TestZoneadmCloneMissingSnapshot: "-s SNAP" names a snapshot of the
// source's active boot environment; the brand's "zfs list -H
// $ACTIVE_DS@$SNAPNAME" prints zfs's error, then fail_fatal prints
// f_badsource (on stderr for OmniOS, stdout for OpenIndiana), and the
// target stays incomplete.
func TestZoneadmCloneMissingSnapshot(t *testing.T) {
	zfsErr := "cannot open 'rpool/zones/golden/ROOT/zbe@nosuch': dataset does not exist\n"
	bad := "ERROR: Error: specified snapshot is invalid for this source zone.\n"
	for _, f := range []core.Flavor{core.OmniOS, core.OpenIndiana} {
		t.Run(string(f), func(t *testing.T) {
			s := newSimFlavor(t, f)
			s.installed("golden")
			s.configure("b1", basicConfig("b1"))
			r := s.run("zoneadm", "-z", "b1", "clone", "-s", "nosuch", "golden")
			if f == core.OmniOS {
				check(t, "missing snapshot", r, "", zfsErr+bad, 1)
				// log.ksh's setuplog() opened $ZONEPATH/log/zone.log.
				if b, err := os.ReadFile(filepath.Join(s.root, "zones/b1/log/zone.log")); err != nil || !strings.HasSuffix(string(b), "] "+bad) {
					t.Errorf("zone.log %q %v", b, err)
				}
			} else {
				check(t, "missing snapshot", r, bad, zfsErr, 1)
			}
			if got := s.stateOf("b1"); got != "incomplete" {
				t.Errorf("b1 after a failed clone: %s", got)
			}
			check(t, "clone of an incomplete zone", s.run("zoneadm", "-z", "b1", "clone", "golden"), "",
				"zoneadm: zone 'b1': zone is incomplete; uninstall required.\n", 1)
		})
	}
}

func TestZoneadmPrivileges(t *testing.T) {
	s := newSim(t)
	s.installed("z1")
	builder := []string{"ILLUMOS_SIM_UID=1003"}
	check(t, "unprivileged boot", s.runEnv(builder, "", "zoneadm", "-z", "z1", "boot"), "",
		"zoneadm: zone 'z1': only a privileged user may boot a zone.\n", 1)
	check(t, "unprivileged zlogin", s.runEnv(builder, "", "zlogin", "z1", "true"), "",
		"zlogin: You lack sufficient privilege to run this command (all privs required)\n", 1)
	check(t, "unprivileged list", s.runEnv(builder, "", "zoneadm", "list", "-i"), "global\nz1\n", "", 0)
	// pfexec without the Zone Management profile is still unprivileged.
	check(t, "builder via pfexec", s.runEnv(builder, "", "pfexec", "zoneadm", "-z", "z1", "boot"), "",
		"zoneadm: zone 'z1': only a privileged user may boot a zone.\n", 1)
	jim := []string{"ILLUMOS_SIM_UID=1002"}
	check(t, "jim via pfexec", s.runEnv(jim, "", "pfexec", "zoneadm", "-z", "z1", "boot"), "", "", 0)
	check(t, "jim zlogin via pfexec", s.runEnv(jim, "", "pfexec", "zlogin", "z1", "echo", "hi"), "hi\n", "", 0)
	// jenkins has Primary Administrator: full privileges and every auth.
	check(t, "jenkins via pfexec", s.runEnv([]string{"ILLUMOS_SIM_UID=1001"}, "", "pfexec", "zoneadm", "-z", "z1", "halt"), "", "", 0)
}

func TestZoneadmFailureInjection(t *testing.T) {
	s := newSim(t)
	s.installed("golden")
	s.configure("b1", basicConfig("b1"))
	env := []string{"ILLUMOS_SIM_FAIL=zoneadm clone#1:exit=1:msg=clone failed: injected"}
	check(t, "injected", s.runEnv(env, "", "zoneadm", "-z", "b1", "clone", "golden"), "", "clone failed: injected\n", 1)
	if got := s.stateOf("b1"); got != "configured" {
		t.Errorf("state after injected failure %s", got)
	}
	zs, _ := zfs.Open(s.root)
	if zs.Exists("rpool/zones/b1") || len(zs.Snapshots("rpool/zones/golden/ROOT/zbe")) != 0 {
		t.Errorf("an injected failure left datasets behind")
	}
	check(t, "second call", s.runEnv(env, "", "zoneadm", "-z", "b1", "clone", "golden"), "", "", 0)
	log, err := readLogFor(s.root, "zoneadm")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log, "clone exit=1 injected") || !strings.Contains(log, "clone exit=0\n") {
		t.Errorf("command log:\n%s", log)
	}
}

func TestZoneadmParallel(t *testing.T) {
	s := newSim(t)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			zone := fmt.Sprintf("p%d", i)
			f := filepath.Join(t.TempDir(), zone+".cfg")
			os.WriteFile(f, []byte(basicConfig(zone)), 0o644)
			if r := s.run("zonecfg", "-z", zone, "-f", f); r.code != 0 {
				errs <- fmt.Sprintf("zonecfg %s: %d %s", zone, r.code, r.stderr)
				return
			}
			if r := s.run("zoneadm", "-z", zone, "install"); r.code != 0 {
				errs <- fmt.Sprintf("install %s: %d %s", zone, r.code, r.stderr)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	ix, err := ReadIndex(s.root)
	if err != nil {
		t.Fatal(err)
	}
	if len(ix.Entries) != n+1 {
		t.Errorf("index has %d entries, want %d", len(ix.Entries), n+1)
	}
	dids := map[string]bool{}
	for i := 0; i < n; i++ {
		zone := fmt.Sprintf("p%d", i)
		e, ok := ix.Lookup(zone)
		if !ok || e.State != StateInstalled || !uuidRE.MatchString(e.UUID) || e.Zonepath != "/zones/"+zone {
			t.Errorf("index entry of %s: %+v", zone, e)
		}
		c, err := LoadConfig(s.root, zone)
		if err != nil || c.Name != zone || c.Zonepath != "/zones/"+zone {
			t.Errorf("%s.xml: %+v %v", zone, c, err)
			continue
		}
		dids[c.DebugID] = true
	}
	if len(dids) != n {
		t.Errorf("debug ids not unique: %v", dids)
	}
}

// readLogFor renders a tool's command log entries as "sub exit=N[ injected]" lines.
func readLogFor(root, tool string) (string, error) {
	entries, err := core.ReadLog(root)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, e := range entries {
		if e.Tool != tool {
			continue
		}
		fmt.Fprintf(&b, "%s exit=%d", e.Sub, e.Exit)
		if e.Injected {
			b.WriteString(" injected")
		}
		b.WriteString("\n")
	}
	return b.String(), nil
}

func TestZoneadmBootResources(t *testing.T) {
	s := newSim(t)
	s.must("dladm", "create-vnic", "-l", "e1000g0", "v1_0")
	s.configure("n1", basicConfig("n1")+"add net\nset physical=v1_0\nend\nadd dataset\nset name=rpool/deleg\nend\n")
	// zoneadm's verify_details() checks the delegated datasets
	// (zfs.c verify_datasets()) before install and boot; zoneadmd is not
	// called.
	dsMissing := "could not verify zfs dataset rpool/deleg: dataset does not exist\nzoneadm: zone n1 failed to verify\n"
	check(t, "install without the dataset", s.run("zoneadm", "-z", "n1", "install"), "", dsMissing, 1)
	if got := s.stateOf("n1"); got != "configured" {
		t.Errorf("state after failed install verification %s", got)
	}
	s.must("zfs", "create", "-o", "mountpoint=legacy", "rpool/deleg")
	s.must("zoneadm", "-z", "n1", "install")
	s.must("zfs", "destroy", "rpool/deleg")
	check(t, "missing dataset", s.run("zoneadm", "-z", "n1", "boot"), "", dsMissing, 1)
	check(t, "verify", s.run("zoneadm", "-z", "n1", "verify"), "", dsMissing, 1)
	s.must("zfs", "create", "rpool/deleg")
	check(t, "boot", s.run("zoneadm", "-z", "n1", "boot"), "", "", 0)
	zs, _ := zfs.Open(s.root)
	if v, src, _ := zs.GetProp("rpool/deleg", "zoned"); v != "on" || src != "local" {
		t.Errorf("delegated dataset zoned=%s (%s)", v, src)
	}
	check(t, "VNIC busy while the zone runs", s.run("dladm", "delete-vnic", "v1_0"), "", "dladm: vnic deletion failed: link busy\n", 1)
	s.must("zoneadm", "-z", "n1", "halt")
	s.must("dladm", "delete-vnic", "v1_0")
	check(t, "missing VNIC", s.run("zoneadm", "-z", "n1", "boot"), "",
		"WARNING: skipping network interface 'v1_0': object not found\n"+
			"zone 'n1': failed to add network device: No such device or address\nzoneadm: zone 'n1': call to zoneadmd failed\n", 1)
	if got := s.stateOf("n1"); got != "installed" {
		t.Errorf("state after failed boot %s", got)
	}
}

func TestZonecfgAdmin(t *testing.T) {
	s := newSim(t)
	s.configure("a1", basicConfig("a1")+"add admin\nset user=builder\nset auths=manage,login\nend\ncommit\n")
	userAttr := func() string {
		b, _ := os.ReadFile(filepath.Join(s.root, "etc/user_attr"))
		return string(b)
	}
	if !strings.Contains(userAttr(), "\nbuilder::::auths=solaris.zone.manage/a1,solaris.zone.login/a1\n") {
		t.Errorf("user_attr lacks builder's zone auths:\n%s", userAttr())
	}
	check(t, "info admin", s.run("zonecfg", "-z", "a1", "info", "admin"), "admin:\n\tuser: builder\n\tauths: manage,login\n", "", 0)
	check(t, "unknown user", s.run("zonecfg", "-z", "a1", "add admin; set user=nosuch; set auths=manage; end; cancel"), "",
		"user nosuch is not a valid username\n", 1)
	check(t, "bad auth", s.run("zonecfg", "-z", "a1", "add admin; set user=jim; set auths=own; end; cancel"), "",
		"zone 'a1': 'own' is not a valid authorization\n", 1)
	s.must("zonecfg", "-z", "a1", "remove admin user=builder")
	if strings.Contains(userAttr(), "/a1") {
		t.Errorf("zone auths left after removing the admin:\n%s", userAttr())
	}
}

// TestZoneadmVerifyZonepath: boot, ready and verify run zoneadm.c
// verify_details(): validate_zonepath() wants the zonepath to exist, be
// owned by root and have mode 0700; each failure prints its lines, then
// "could not verify zonepath ... because of the above errors." and
// "zoneadm: zone <z> failed to verify", exit 1, without zoneadmd.
func TestZoneadmVerifyZonepath(t *testing.T) {
	s := newSim(t)
	s.installed("v1")
	zp := filepath.Join(s.root, "zones/v1")
	tail := "could not verify zonepath /zones/v1 because of the above errors.\nzoneadm: zone v1 failed to verify\n"
	check(t, "verify", s.run("zoneadm", "-z", "v1", "verify"), "", "", 0)

	if err := os.Chmod(zp, 0o755); err != nil {
		t.Fatal(err)
	}
	mode := "/zones/v1 must not be group readable.\n/zones/v1 must not be group executable.\n" +
		"/zones/v1 must not be world readable.\n/zones/v1 must not be world executable.\n"
	check(t, "boot, mode 0755", s.run("zoneadm", "-z", "v1", "boot"), "", mode+tail, 1)
	check(t, "ready, mode 0755", s.run("zoneadm", "-z", "v1", "ready"), "", mode+tail, 1)
	check(t, "verify, mode 0755", s.run("zoneadm", "-z", "v1", "verify"), "", mode+tail, 1)
	if err := os.Chmod(zp, 0o600); err != nil {
		t.Fatal(err)
	}
	check(t, "boot, mode 0600", s.run("zoneadm", "-z", "v1", "boot"), "", "/zones/v1 must be owner executable.\n"+tail, 1)
	if err := os.Chmod(zp, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(zp, 1234, 0); err != nil {
		t.Fatal(err)
	}
	check(t, "boot, not root's", s.run("zoneadm", "-z", "v1", "boot"), "", "/zones/v1 is not owned by root.\n"+tail, 1)
	if err := os.Chown(zp, 0, 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(zp, zp+".away"); err != nil {
		t.Fatal(err)
	}
	check(t, "boot, missing", s.run("zoneadm", "-z", "v1", "boot"), "", "zoneadm: /zones/v1: No such file or directory\n"+tail, 1)
	check(t, "ready, missing", s.run("zoneadm", "-z", "v1", "ready"), "", "zoneadm: /zones/v1: No such file or directory\n"+tail, 1)
	if err := os.Rename(zp+".away", zp); err != nil {
		t.Fatal(err)
	}
	if got := s.stateOf("v1"); got != "installed" {
		t.Errorf("state after failed verifications %s", got)
	}
	check(t, "boot", s.run("zoneadm", "-z", "v1", "boot"), "", "", 0)

	// A delegated dataset may not inherit its mountpoint
	// (verify_datasets()).
	s.configure("v2", basicConfig("v2")+"add dataset\nset name=rpool/zones/v2data\nend\n")
	s.must("zfs", "create", "rpool/zones/v2data")
	check(t, "inherited mountpoint", s.run("zoneadm", "-z", "v2", "install"), "",
		"could not verify zfs dataset rpool/zones/v2data: mountpoint cannot be inherited\nzoneadm: zone v2 failed to verify\n", 1)
	// Another installed zone's zonepath may not overlap.
	s.configure("v3", "create -b\nset zonepath=/zones/v1/inner\nset brand=ipkg\nset ip-type=exclusive\ncommit\n")
	check(t, "overlapping zonepath", s.run("zoneadm", "-z", "v3", "install"), "",
		"v3 zonepath (/zones/v1/inner) and v1 zonepath (/zones/v1) overlap.\n"+
			"could not verify zonepath /zones/v1/inner because of the above errors.\nzoneadm: zone v3 failed to verify\n", 1)
}

// TestZoneadmInstallBrandArgs: install's arguments reach the brand's
// pkgcreatezone through /bin/sh -c (zoneadm.c addopt()), so an empty
// argument vanishes, and an option the brand rejects gets the brand's
// usage (exit 253), then zoneadm's, exit 1; zoneadm had already marked
// the zone incomplete and created its dataset.
func TestZoneadmInstallBrandArgs(t *testing.T) {
	s := newSim(t)
	s.configure("i1", basicConfig("i1"))
	r := s.run("zoneadm", "-z", "i1", "install", "")
	if r.code != 0 || r.stderr != "" {
		t.Errorf("install '': %+v", r)
	}
	if got := s.stateOf("i1"); got != "installed" {
		t.Errorf("i1 after install '': %s", got)
	}
	usage := "usage:\t" + admShortUsage["install"] + "\n\t" + admLongHelp["install"] + "\n"
	brand := "\nbrand-specific usage: " + pkgcreatezoneUsage + "\n"
	tests := []struct {
		name   string
		args   []string
		stdout string
		stderr string
	}{
		{"unknown option", []string{"-Z"}, "A ZFS file system has been created for this zone.\n", brand + usage},
		{"-h", []string{"-h"}, "", brand + usage},
		{"incompatible", []string{"-s", "-v"}, "", "cannot specify both -s and -v options" + brand + usage},
		{"bad publisher", []string{"-P", "omnios"}, "", "Syntax error in publisher information." + brand + usage},
		// addopt() glues the argument to its option, so an empty one
		// vanishes with it: " -P" leaves the brand's -P without an
		// argument.
		{"empty option argument", []string{"-P", ""}, "", brand + usage},
	}
	for i, tt := range tests {
		z := fmt.Sprintf("u%d", i)
		s.configure(z, basicConfig(z))
		stdout := strings.ReplaceAll(tt.stdout, "i1", z)
		if stdout == "" {
			stdout = "A ZFS file system has been created for this zone.\n"
		}
		check(t, tt.name, s.run(append([]string{"zoneadm", "-z", z, "install"}, tt.args...)...), stdout, tt.stderr, 1)
		if got := s.stateOf(z); got != "incomplete" {
			t.Errorf("%s: state %s", tt.name, got)
		}
	}
	s.configure("h1", basicConfig("h1"))
	check(t, "-?", s.run("zoneadm", "-z", "h1", "install", "-?"), "", usage+brand, 1)
	if got := s.stateOf("h1"); got != "configured" {
		t.Errorf("h1 after install -?: %s", got)
	}
}

// TestZoneadmCloneWarnings: validate_clone() warns about filesystems,
// network addresses, devices and datasets that the clone and its source
// both configure, and the clone goes on (illumos-gate zoneadm.c
// warn_fs_match(), print_fs_warnings(), warn_ip_match(),
// warn_dev_match(), warn_dataset_match()).
func TestZoneadmCloneWarnings(t *testing.T) {
	s := newSim(t)
	shared := func(zone string) string {
		return fmt.Sprintf("create -b\nset zonepath=/zones/%s\nset brand=ipkg\nset ip-type=shared\n", zone)
	}
	resources := "add fs\nset dir=/src\nset special=/data/src\nset type=lofs\nend\n" +
		"add fs\nset dir=/ro\nset special=/data/ro\nset type=lofs\nadd options ro\nend\n" +
		"add fs\nset dir=/mnt\nset special=/dev/dsk/c0t0d0s6\nset raw=/dev/rdsk/c0t0d0s6\nset type=ufs\nend\n" +
		"add net\nset address=10.0.0.5/24\nset physical=e1000g0\nend\n" +
		"add device\nset match=/dev/dsk/c0t0d0s7\nend\n" +
		"add dataset\nset name=rpool/data\nend\n"
	for _, d := range []string{"data/src", "data/ro", "dev/dsk/c0t0d0s6", "dev/rdsk/c0t0d0s6"} {
		if err := os.MkdirAll(filepath.Join(s.root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s.must("zfs", "create", "rpool/data")
	s.configure("golden", shared("golden")+resources+"commit\n")
	s.must("zoneadm", "-z", "golden", "install")

	// The clone's resources are matched in its order; the ro lofs mount
	// both share draws no warning, the other lofs one (no options: rw)
	// does; the device matches through the clone's pattern.
	s.configure("c1", shared("c1")+strings.ReplaceAll(strings.ReplaceAll(resources,
		"10.0.0.5/24", "10.0.0.5"), "/dev/dsk/c0t0d0s7", "/dev/*dsk/c0t0d0s7")+"commit\n")
	check(t, "clone with shared resources", s.run("zoneadm", "-z", "c1", "clone", "golden"), "",
		"WARNING: read-write lofs file system on '/data/src' is configured in both zones.\n"+
			"WARNING: ufs file system on '/dev/dsk/c0t0d0s6' is configured in both zones.\n"+
			"WARNING: network address '10.0.0.5' is configured in both zones.\n"+
			"WARNING: device '/dev/*dsk/c0t0d0s7' is configured in both zones.\n"+
			"zoneadm: zone 'golden': WARNING: dataset 'rpool/data' is configured in both zones.\n\n", 0)
	if got := s.stateOf("c1"); got != "installed" {
		t.Errorf("c1 after a clone with warnings: %s", got)
	}

	// An rw option on either side of a shared lofs mount is warned about
	// with that side's special; nothing shared, nothing said.
	s.configure("c2", shared("c2")+"add fs\nset dir=/ro\nset special=/data/ro\nset type=lofs\nadd options [ro,nodevices]\nadd options rw\nend\n"+
		"add net\nset address=10.0.0.6\nset physical=e1000g0\nend\ncommit\n")
	check(t, "clone with an rw lofs mount", s.run("zoneadm", "-z", "c2", "clone", "golden"), "",
		"WARNING: read-write lofs file system on '/data/ro' is configured in both zones.\n", 0)
	s.configure("c3", shared("c3")+"commit\n")
	check(t, "clone sharing nothing", s.run("zoneadm", "-z", "c3", "clone", "golden"), "", "", 0)
}
