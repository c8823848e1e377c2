package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/sim/zfs"
)

func TestSnapshotLifecycle(t *testing.T) {
	s := goldenSim(t)
	s.MustModule("zone_diz", map[string]any{"name": "s1", "giz": "golden", "state": "running", "delegate_datasets": []string{"rpool/zones/_zonemgr/delegated/s1"}})

	// One atomic call covers the zone's tree and its delegated dataset;
	// the running zone is halted for it and booted again.
	mark := len(s.Log())
	res := s.MustModule("zone_snapshot", map[string]any{"zone": "s1", "name": "snap1"})
	if res["changed"] != true || res["halted"] != true {
		t.Errorf("snapshot: %v", pretty(res))
	}
	var snapCalls []string
	for _, e := range s.Log()[mark:] {
		if e.Tool == "zfs" && e.Sub == "snapshot" {
			snapCalls = append(snapCalls, strings.Join(e.Argv, " "))
		}
	}
	if len(snapCalls) != 1 || !strings.HasPrefix(snapCalls[0], "zfs snapshot -r -o zonemgr:config=b64:") ||
		!strings.HasSuffix(snapCalls[0], " rpool/zones/_zonemgr/DIZ/s1@snap1 rpool/zones/_zonemgr/delegated/s1@snap1") {
		t.Errorf("snapshot calls = %q, want exactly one covering both datasets and carrying the configuration", snapCalls)
	}
	out, _, _ := s.Run(nil, "zoneadm", "-z", "s1", "list", "-p")
	if !strings.Contains(out, ":s1:running:") {
		t.Errorf("zone not running again after the snapshot: %q", out)
	}
	cfg, _, _ := s.Run(nil, "zfs", "get", "-H", "-o", "value", "zonemgr:config", "rpool/zones/_zonemgr/DIZ/s1@snap1")
	if !strings.HasPrefix(cfg, "b64:") {
		t.Errorf("configuration not saved with the snapshot: %q", cfg)
	}
	// Idempotent.
	res = s.MustModule("zone_snapshot", map[string]any{"zone": "s1", "name": "snap1"})
	if res["changed"] != false {
		t.Errorf("second snapshot: changed=%v", res["changed"])
	}

	// A newer snapshot blocks a rollback without force, and names itself.
	s.Run(nil, "zlogin", "-S", "s1", "touch /after-snap1")
	s.MustModule("zone_snapshot", map[string]any{"zone": "s1", "name": "snap2"})
	res = s.Module("zone_snapshot", map[string]any{"zone": "s1", "name": "snap1", "state": "rolledback"})
	if res["failed"] != true || !strings.Contains(fmt.Sprint(res["msg"]), "would destroy newer snapshots: rpool/zones/_zonemgr/DIZ/s1@snap2") {
		t.Errorf("rollback over a newer snapshot: %v", res["msg"])
	}
	res = s.MustModule("zone_snapshot", map[string]any{"zone": "s1", "name": "snap1", "state": "rolledback", "force": true})
	if res["changed"] != true {
		t.Errorf("forced rollback: %v", pretty(res))
	}
	if _, _, code := s.Run(nil, "zlogin", "-S", "s1", "test ! -e /after-snap1"); code != 0 {
		t.Error("the file made after snap1 survived the rollback")
	}
	snaps, _, _ := s.Run(nil, "zfs", "list", "-H", "-o", "name", "-t", "snapshot", "-r", "rpool/zones/_zonemgr/DIZ/s1", "rpool/zones/_zonemgr/delegated/s1")
	if strings.Contains(snaps, "@snap2") || !strings.Contains(snaps, "rpool/zones/_zonemgr/delegated/s1@snap1") {
		t.Errorf("snapshots after the forced rollback:\n%s", snaps)
	}

	// absent removes the whole set.
	s.MustModule("zone_snapshot", map[string]any{"zone": "s1", "name": "snap1", "state": "absent"})
	snaps, _, _ = s.Run(nil, "zfs", "list", "-H", "-o", "name", "-t", "snapshot", "-r", "rpool/zones/_zonemgr/DIZ/s1", "rpool/zones/_zonemgr/delegated/s1")
	if strings.Contains(snaps, "@snap1") {
		t.Errorf("snap1 left after absent:\n%s", snaps)
	}
}

func TestSnapshotRefusesWithClones(t *testing.T) {
	s := goldenSim(t)
	s.MustModule("zone_diz", map[string]any{"name": "c1", "giz": "golden"})
	res := s.Module("zone_snapshot", map[string]any{"zone": "golden", "name": "initial-postinstalled-golden", "state": "absent"})
	if res["failed"] != true || !strings.Contains(fmt.Sprint(res["msg"]), "dependent clones: c1") {
		t.Errorf("absent with a clone: %v", res["msg"])
	}
	res = s.Module("zone_snapshot", map[string]any{"zone": "golden", "name": "initial-installed-golden", "state": "rolledback", "force": true})
	if res["failed"] != true || !strings.Contains(fmt.Sprint(res["msg"]), "clones depend on: c1") {
		t.Errorf("rollback under a clone: %v", res["msg"])
	}
	res = s.Module("zone_giz", map[string]any{"name": "golden", "state": "absent"})
	if res["failed"] != true || !strings.Contains(fmt.Sprint(res["msg"]), "depend on its snapshots: c1") {
		t.Errorf("GIZ absent with a dependent: %v", res["msg"])
	}
	// The golden snapshots outlive the clone.
	s.MustModule("zone_diz", map[string]any{"name": "c1", "state": "absent"})
	snaps, _, _ := s.Run(nil, "zfs", "list", "-H", "-o", "name", "-t", "snapshot", "rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@initial-postinstalled-golden")
	if strings.TrimSpace(snaps) != "rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@initial-postinstalled-golden" {
		t.Errorf("the golden snapshot the clone came from is gone: %q", snaps)
	}
}

func TestInfoConstantProcesses(t *testing.T) {
	s := goldenSim(t)
	count := func() (int, map[string]any) {
		mark := len(s.Log())
		res := s.MustModule("zone_info", map[string]any{})
		return len(s.Log()) - mark, res
	}
	n1, res := count()
	if zs, _ := res["zones"].([]any); len(zs) != 1 {
		t.Fatalf("zones: %v", pretty(res["zones"]))
	}
	// 150 more managed (configured) zones.
	for i := 0; i < 150; i++ {
		cfg := fmt.Sprintf("create -b; set zonepath=/zones/_zonemgr/DIZ/m%d; add attr; set name=zonemgr.role; set type=string; set value=diz; end; commit", i)
		if _, e, code := s.Run(nil, "zonecfg", "-z", fmt.Sprintf("m%d", i), cfg); code != 0 {
			t.Fatalf("zonecfg: %s", e)
		}
	}
	n2, res := count()
	if zs, _ := res["zones"].([]any); len(zs) != 151 {
		t.Errorf("zones: %d, want 151", len(zs))
	}
	if n1 != n2 || n1 > 3 {
		t.Errorf("zone_info started %d processes with 1 zone and %d with 151; want the same, at most 3", n1, n2)
	}
	// No journal records them: they are no orphans gc would remove, but
	// look-alikes, listed one sentence each.
	o, _ := res["orphans"].(map[string]any)
	if zs, _ := o["zones"].([]any); len(zs) != 0 {
		t.Errorf("orphans.zones: %d zones, want none: no journal records them", len(zs))
	}
	if us, _ := o["unrecorded"].([]any); len(us) != 150 || !strings.HasPrefix(fmt.Sprint(us[0]), "zone m0: a disposable zone left configured that no journal records") {
		t.Errorf("orphans.unrecorded: %d entries, want 150 configured disposable zones: %v", len(us), us)
	}
	res = s.MustModule("zone_info", map[string]any{"name": "golden"})
	if res["exists"] != true || res["managed"] != true || res["role"] != "giz" || res["state"] != "installed" {
		t.Errorf("single zone query: %v", pretty(res))
	}
}

// TestRollbackNamesConfigChanges: a rollback restores datasets, not the
// zone's configuration; the result says what changed since the snapshot.
func TestRollbackNamesConfigChanges(t *testing.T) {
	s := goldenSim(t)
	s.MustModule("zone_diz", map[string]any{"name": "r1", "giz": "golden"})
	s.MustModule("zone_snapshot", map[string]any{"zone": "r1", "name": "before"})
	s.MustModule("zone_diz", map[string]any{"name": "r1", "mount_lofs": []string{"/export/home"}})
	res := s.MustModule("zone_snapshot", map[string]any{"zone": "r1", "name": "before", "state": "rolledback"})
	w := fmt.Sprint(res["warnings"])
	if !strings.Contains(w, "configuration has changed since the snapshot") || !strings.Contains(w, "/export/home") {
		t.Errorf("warnings = %s", w)
	}
}

// snapshotNamesOf returns the names in a zone_snapshot result's
// snapshots list, and the clones listed for one of them.
func snapshotNamesOf(t *testing.T, res map[string]any, clonesOf string) (names, clones []string) {
	t.Helper()
	list, ok := res["snapshots"].([]any)
	if !ok {
		t.Fatalf("result has no snapshots list: %v", pretty(res))
	}
	for _, e := range list {
		m, _ := e.(map[string]any)
		name, _ := m["name"].(string)
		names = append(names, name)
		if name == clonesOf {
			for _, c := range m["clones"].([]any) {
				clones = append(clones, c.(string))
			}
		}
	}
	return names, clones
}

// After a change, the result's snapshot list is read again with one zfs
// call over the zone's own datasets, and still names the clones that live
// under the other container.
func TestSnapshotResultList(t *testing.T) {
	s := goldenSim(t)
	s.MustModule("zone_diz", map[string]any{"name": "c1", "giz": "golden"})
	base := "initial-postinstalled-golden"

	mark := len(s.Log())
	res := s.MustModule("zone_snapshot", map[string]any{"zone": "golden", "name": "extra"})
	var argv []string
	for _, e := range s.Log()[mark:] {
		argv = append(argv, strings.Join(e.Argv, " "))
	}
	if len(argv) != 5 || argv[4] != "zfs list -H -p -o name,type,origin,mountpoint,creation,createtxg,used,userrefs,zonemgr:run,zonemgr:used,org.opensolaris.libbe:active,org.opensolaris.libbe:parentbe -t filesystem,volume,snapshot -r rpool/zones/_zonemgr/GIZ/golden" {
		t.Errorf("snapshot of an installed golden zone ran %d commands, want 2 reads, the snapshot, the hold and one listing of the zone's tree:\n%s", len(argv), strings.Join(argv, "\n"))
	}
	names, clones := snapshotNamesOf(t, res, base)
	if fmt.Sprint(names) != fmt.Sprint([]string{"initial-installed-golden", "initial-manifest_import_booted-golden", base, "extra"}) {
		t.Errorf("snapshots after the snapshot = %q", names)
	}
	if fmt.Sprint(clones) != "[c1]" {
		t.Errorf("clones of %s = %q, want [c1]", base, clones)
	}

	res = s.MustModule("zone_snapshot", map[string]any{"zone": "golden", "name": "extra", "state": "absent"})
	if names, _ := snapshotNamesOf(t, res, ""); len(names) != 3 || names[2] != base {
		t.Errorf("snapshots after destroying extra = %q", names)
	}
}

// TestAutoSnapshotNameTakenIsANewSnapshot: a snapshot without a name is
// autozone-<UTC second>; when one of that name exists (a snapshot taken
// within the same second), the new one is "-1" after it, not taken for
// the one that exists.
func TestAutoSnapshotNameTakenIsANewSnapshot(t *testing.T) {
	s := goldenSim(t)
	const ds = "rpool/zones/_zonemgr/GIZ/golden"
	// The names of the next minute are taken, whenever the run starts.
	now := time.Now()
	for i := range 60 {
		s.MustRun("zfs", "snapshot", "-r", ds+"@autozone-"+now.Add(time.Duration(i)*time.Second).UTC().Format("20060102T150405Z"))
	}
	before := s.Snapshots(ds)
	out, errOut, code := s.Run(nil, "zonemgr", "snapshot", "-z", "golden")
	after := s.Snapshots(ds)
	if code != 0 || len(after) != len(before)+1 || !strings.HasSuffix(after[len(after)-1], "Z-1") || strings.TrimSpace(out) != after[len(after)-1] {
		t.Errorf("snapshot without a name, its name taken: exit %d, snapshots %d -> %d (newest %q)\n%s%s", code, len(before), len(after), after[len(after)-1], out, errOut)
	}
}

// TestSnapshotDiffListsTheSnapshots: zone_snapshot's diff shows the
// zone's snapshots before and after, as listings, in check mode as in
// the run: one added, one gone, the newer ones gone after a rollback.
func TestSnapshotDiffListsTheSnapshots(t *testing.T) {
	s := goldenSim(t)
	const head = "snapshots of rpool/zones/_zonemgr/GIZ/golden:\ninitial-installed-golden\ninitial-manifest_import_booted-golden\ninitial-postinstalled-golden\n"
	for _, c := range []struct {
		args          map[string]any
		before, after string
	}{
		{map[string]any{"name": "s1"}, head, head + "s1\n"},
		{map[string]any{"name": "s2"}, head + "s1\n", head + "s1\ns2\n"},
		{map[string]any{"name": "s1", "state": "rolledback", "force": true}, head + "s1\ns2\n", head + "s1\n"},
		{map[string]any{"name": "s1", "state": "absent"}, head + "s1\n", head},
	} {
		for _, check := range []bool{true, false} {
			args := map[string]any{"zone": "golden", "_ansible_diff": true, "_ansible_check_mode": check}
			for k, v := range c.args {
				args[k] = v
			}
			res := s.MustModule("zone_snapshot", args)
			diff, _ := res["diff"].(map[string]any)
			if diff["before"] != c.before || diff["after"] != c.after {
				t.Errorf("zone_snapshot %v: diff before %q after %q, want %q %q", args, diff["before"], diff["after"], c.before, c.after)
			}
		}
	}
}

// A zone whose delegated dataset is on another pool is snapshotted with
// a call per pool (one zfs snapshot call takes one pool's snapshots
// only), rolled back and its snapshot removed like any other; a killed
// snapshot between the calls leaves nothing after gc.
func TestSnapshotAcrossPools(t *testing.T) {
	s := goldenSim(t)
	if err := zfs.AddPool(s.Root, "tank"); err != nil {
		t.Fatal(err)
	}
	s.MustRun("zfs", "create", "tank/ccache")
	s.MustModule("zone_diz", map[string]any{"name": "s1", "giz": "golden", "state": "running", "delegate_datasets": []string{"tank/ccache"}})
	mark := len(s.Log())
	res := s.MustModule("zone_snapshot", map[string]any{"zone": "s1", "name": "snap1"})
	var snapCalls []string
	for _, e := range s.Log()[mark:] {
		if e.Tool == "zfs" && e.Sub == "snapshot" {
			snapCalls = append(snapCalls, strings.Join(e.Argv, " "))
		}
	}
	if res["changed"] != true || len(snapCalls) != 2 || !strings.HasSuffix(snapCalls[0], " rpool/zones/_zonemgr/DIZ/s1@snap1") || !strings.HasSuffix(snapCalls[1], " tank/ccache@snap1") ||
		!strings.Contains(snapCalls[1], " -o zonemgr:run=") {
		t.Errorf("snapshot: calls %q\n%s", snapCalls, pretty(res))
	}
	s.MustModule("zone_snapshot", map[string]any{"zone": "s1", "name": "snap1", "state": "rolledback"})
	s.MustModule("zone_snapshot", map[string]any{"zone": "s1", "name": "snap1", "state": "absent"})
	if snaps := s.MustRun("zfs", "list", "-H", "-o", "name", "-t", "snapshot", "-r", "tank"); snaps != "" {
		t.Errorf("tank's snapshots after absent: %q", snaps)
	}

	before := s.State()
	s.crashAt("zfs snapshot#2", "zonemgr", "snapshot", "-z", "s1", "-s", "snap2")
	s.MustRun("zonemgr", "gc")
	if st := strings.TrimSpace(s.MustRun("zonemgr", "-q", "get-state", "-z", "s1")); st != "running" {
		t.Errorf("s1 after gc: %s", st)
	}
	if after := s.State(); after != before {
		t.Errorf("gc after a snapshot killed between its calls left:\n%s", diffLines(before, after))
	}
}
