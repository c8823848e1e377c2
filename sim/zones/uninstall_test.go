package zones

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// listAll is "zfs list -H -o name -t all -r ds".
func (s *sim) listAll(ds string) string {
	s.t.Helper()
	return s.must("zfs", "list", "-H", "-o", "name", "-t", "all", "-r", ds)
}

// Each zfs destroy the uninstall hook runs takes effect at once: with a
// hold on g1@s1 only, zbe@s1, zbe, ROOT@s1 and ROOT go before
// "zfs destroy -r g1" fails; the hook exits ZONE_SUBPROC_FATAL and the
// zone stays incomplete with g1 and g1@s1.
func TestUninstallFailureKeepsWhatWasDestroyed(t *testing.T) {
	s := newSim(t)
	s.installed("g1")
	s.must("zfs", "snapshot", "-r", "rpool/zones/g1@s1")
	s.must("zfs", "hold", "keep", "rpool/zones/g1@s1")
	r := s.run("zoneadm", "-z", "g1", "uninstall", "-F")
	if r.code != 1 || !strings.Contains(r.stderr, "rpool/zones/g1@s1") ||
		!strings.HasSuffix(r.stderr, "\nError: destroying ZFS dataset.\n") || r.stdout != "" {
		t.Errorf("uninstall with g1@s1 held: %+v", r)
	}
	if got := s.stateOf("g1"); got != "incomplete" {
		t.Errorf("state after the failed uninstall: %s", got)
	}
	if got := s.listAll("rpool/zones/g1"); got != "rpool/zones/g1\nrpool/zones/g1@s1\n" {
		t.Errorf("datasets after the failed uninstall:\n%s", got)
	}
	// Once the hold is released, uninstall finishes the job.
	s.must("zfs", "release", "keep", "rpool/zones/g1@s1")
	s.must("zoneadm", "-z", "g1", "uninstall", "-F")
	if r := s.run("zfs", "list", "rpool/zones/g1"); r.code != 1 {
		t.Errorf("rpool/zones/g1 survives: %+v", r)
	}
	if got := s.stateOf("g1"); got != "configured" {
		t.Errorf("state after the second uninstall: %s", got)
	}
}

// The hook destroys only the zone BEs of the running GZ BE; ROOT and the
// zonepath dataset stay while another filesystem is below them, and the
// uninstall succeeds all the same.
func TestUninstallKeepsOtherBootEnvironments(t *testing.T) {
	s := newSim(t)
	s.installed("g1")
	s.must("zfs", "create", "-o", "org.opensolaris.libbe:parentbe=0dd0b7a4-other-gz-be",
		"-o", "canmount=noauto", "rpool/zones/g1/ROOT/zbe-1")
	s.must("zfs", "create", "rpool/zones/g1/extra")
	r := s.run("zoneadm", "-z", "g1", "uninstall", "-F")
	if r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Errorf("uninstall: %+v", r)
	}
	if got := s.stateOf("g1"); got != "configured" {
		t.Errorf("state: %s", got)
	}
	want := "rpool/zones/g1\nrpool/zones/g1/ROOT\nrpool/zones/g1/ROOT/zbe-1\nrpool/zones/g1/extra\n"
	if got := s.listAll("rpool/zones/g1"); got != want {
		t.Errorf("datasets left:\n%s\nwant\n%s", got, want)
	}
	if _, err := os.Stat(filepath.Join(s.root, "zones/g1/root")); !os.IsNotExist(err) {
		t.Errorf("zonepath/root left: %v", err)
	}

	// Without the foreign BE, only the non-BE child keeps the zonepath
	// dataset.
	s.must("zfs", "destroy", "rpool/zones/g1/ROOT/zbe-1")
	s.must("zoneadm", "-z", "g1", "install")
	s.must("zoneadm", "-z", "g1", "uninstall", "-F")
	if got := s.listAll("rpool/zones/g1"); got != "rpool/zones/g1\nrpool/zones/g1/extra\n" {
		t.Errorf("datasets left with only extra:\n%s", got)
	}
}

// A golden zone with a clone: the clone of its youngest cloned snapshot
// is promoted, and zfs_destroy() then destroys the origin snapshot, which
// now belongs to the clone.
func TestUninstallPromotesClone(t *testing.T) {
	s := newSim(t)
	s.installed("g")
	s.configure("b1", basicConfig("b1"))
	s.must("zoneadm", "-z", "b1", "clone", "g")
	r := s.run("zoneadm", "-z", "g", "uninstall", "-F")
	if r.code != 0 || r.stdout != "promoting 'rpool/zones/b1/ROOT/zbe'.\n" || r.stderr != "" {
		t.Errorf("uninstall g: %+v", r)
	}
	if r := s.run("zfs", "list", "rpool/zones/g"); r.code != 1 {
		t.Errorf("rpool/zones/g survives: %+v", r)
	}
	if got := s.listAll("rpool/zones/b1"); got != "rpool/zones/b1\nrpool/zones/b1/ROOT\nrpool/zones/b1/ROOT/zbe\n" {
		t.Errorf("b1 after uninstalling g:\n%s", got)
	}
	if got := strings.TrimSpace(s.must("zfs", "get", "-H", "-o", "value", "origin", "rpool/zones/b1/ROOT/zbe")); got != "-" {
		t.Errorf("b1 origin %q", got)
	}
}

// Origin snapshot names that clash with the clone's: *_snap and zbe-N
// ones are renamed (zoned clones must not be mounted); any other name is
// a user snapshot and stops the uninstall before anything is destroyed.
func TestUninstallSnapshotClashes(t *testing.T) {
	s := newSim(t)
	s.installed("g")
	s.configure("b1", basicConfig("b1"))
	s.must("zoneadm", "-z", "b1", "clone", "g")
	s.must("zfs", "snapshot", "rpool/zones/b1/ROOT/zbe@b1_snap")

	// b1's root is mounted and its BE zoned: the rename would remount it.
	check(t, "in use", s.run("zoneadm", "-z", "g", "uninstall", "-F"), "",
		"Error: cloned zone dataset(s) in use.\n\trpool/zones/b1/ROOT/zbe\nError: please stop using clone(s) and retry uninstall.\n", 1)
	if got := s.stateOf("g"); got != "incomplete" {
		t.Errorf("g after the refusal: %s", got)
	}

	s.must("zfs", "unmount", "/zones/b1/root")
	check(t, "renamed", s.run("zoneadm", "-z", "g", "uninstall", "-F"),
		"renaming 'rpool/zones/g/ROOT/zbe@b1_snap' to 'rpool/zones/g/ROOT/zbe@b1_snap1'.\n"+
			"promoting 'rpool/zones/b1/ROOT/zbe'.\n", "", 0)
	if got := s.listAll("rpool/zones/b1"); got != "rpool/zones/b1\nrpool/zones/b1/ROOT\nrpool/zones/b1/ROOT/zbe\nrpool/zones/b1/ROOT/zbe@b1_snap\n" {
		t.Errorf("b1 after uninstalling g:\n%s", got)
	}
	// zfs_set_array zoned on: now set locally.
	if got := s.must("zfs", "get", "-H", "-o", "value,source", "zoned", "rpool/zones/b1/ROOT/zbe"); got != "on\tlocal\n" {
		t.Errorf("zoned of b1's BE: %q", got)
	}

	// A user snapshot name.
	s.installed("h")
	s.must("zfs", "snapshot", "rpool/zones/h/ROOT/zbe@autozone-1")
	s.configure("c1", basicConfig("c1"))
	s.must("zoneadm", "-z", "c1", "clone", "-s", "autozone-1", "h")
	s.must("zfs", "snapshot", "rpool/zones/c1/ROOT/zbe@autozone-1")
	before := s.listAll("rpool/zones/h")
	check(t, "user snapshot", s.run("zoneadm", "-z", "h", "uninstall", "-F"), "",
		"Error: user snapshot(s) detected.\n\trpool/zones/h/ROOT/zbe@autozone-1\nError: please delete snapshot(s) and retry uninstall.\n", 1)
	if got := s.listAll("rpool/zones/h"); got != before {
		t.Errorf("h changed by the refused uninstall:\n%s\nwas\n%s", got, before)
	}
}

// uninstall refuses, the zone left installed and its files untouched,
// while something is mounted below the zone's root (zoneadm.c
// uninstall_func(), zonecfg_find_mounts(), zfm_print()).
func TestUninstallRefusedWithMountsBelowRoot(t *testing.T) {
	s := newSim(t)
	s.installed("g")
	s.must("zfs", "snapshot", "rpool/zones/g/ROOT/zbe@gold")
	s.configure("d1", basicConfig("d1"))
	s.must("zoneadm", "-z", "d1", "clone", "-s", "gold", "g")
	s.must("zfs", "create", "-o", "mountpoint=/zones/d1/root/export/data", "rpool/userdata")
	if err := os.WriteFile(filepath.Join(s.root, "zones/d1/root/export/data/precious"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := s.run("zoneadm", "-z", "d1", "uninstall", "-F")
	want := "zoneadm: zone 'd1': These file systems are mounted on subdirectories of /zones/d1/root.\n\n" +
		"zoneadm: zone 'd1':   /zones/d1/root/export/data\n\n"
	if r.code != 1 || r.stderr != want {
		t.Errorf("uninstall with a mount below the root: exit %d, stderr %q, want 1 and %q", r.code, r.stderr, want)
	}
	if st := s.stateOf("d1"); st != "installed" {
		t.Errorf("d1 is %s, want installed", st)
	}
	if _, err := os.Stat(filepath.Join(s.root, "zones/d1/root/export/data/precious")); err != nil {
		t.Errorf("the file below the mount: %v", err)
	}
}
