package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
)

// goldenDS is the dataset of the golden zone goldenSim makes.
const goldenDS = "rpool/zones/_zonemgr/GIZ/golden"

// goldenFS are the file systems of golden's dataset tree, sorted.
var goldenFS = []string{goldenDS, goldenDS + "/ROOT", goldenDS + "/ROOT/zbe"}

// snapshotsOfTree lists the snapshots of each file system of a tree, as
// "fs@snap", oldest first per file system.
func snapshotsOfTree(s *Sim, fss ...string) []string {
	var out []string
	for _, fs := range fss {
		for _, sn := range s.Snapshots(fs) {
			out = append(out, fs+"@"+sn)
		}
	}
	return out
}

// withSnapshots returns each file system's snapshots as they were before,
// changed by the names dropped and added, in snapshotsOfTree's order.
func withSnapshots(before []string, fss []string, drop []string, add []string) []string {
	var out []string
	for _, fs := range fss {
		for _, n := range before {
			ds, sn, _ := strings.Cut(n, "@")
			if ds == fs && !slices.Contains(drop, sn) {
				out = append(out, n)
			}
		}
		for _, sn := range add {
			out = append(out, fs+"@"+sn)
		}
	}
	return out
}

// TestGCRollbackKeepsSnapshotTakenAfterKill: gc finishes a killed forced
// rollback by destroying the newer snapshots that run was to destroy and
// no other: a snapshot taken by hand after the kill makes gc (and its
// check mode) refuse, naming it, keep it and keep the journal; once it is
// gone, gc destroys what was planned, one snapshot at a time, and rolls
// back without -r.
func TestGCRollbackKeepsSnapshotTakenAfterKill(t *testing.T) {
	s := goldenSim(t)
	for _, sn := range []string{"s1", "s2"} {
		s.MustRun("zonemgr", "-q", "snapshot", "-z", "golden", "-s", sn)
	}
	before := snapshotsOfTree(s, goldenFS...)
	// Killed as it rolls golden's dataset back, after it destroyed
	// golden@s2.
	s.crashAt("zfs rollback#1", "zonemgr", "rollback", "-z", "golden", "-s", "s1", "-f")
	if js := s.journals(); len(js) != 1 {
		t.Fatalf("journals after the kill: %v", js)
	}
	s.MustRun("zfs", "snapshot", "-r", goldenDS+"@byhand")
	crashed := s.State()
	byhand := goldenDS + "@byhand, " + goldenDS + "/ROOT@byhand, " + goldenDS + "/ROOT/zbe@byhand"
	refusal := "snapshots were taken since that the run was not to destroy: " + byhand + ";"

	out, errOut, code := s.Run(nil, "zonemgr", "-n", "gc")
	if !strings.Contains(out+errOut, refusal) || !strings.Contains(out+errOut, "gc would run 0 command(s) and remove 0 journal(s)") {
		t.Errorf("zonemgr -n gc: exit %d, want the refusal naming %s:\n%s%s", code, byhand, out, errOut)
	}
	out, errOut, code = s.Run(nil, "zonemgr", "gc")
	if code == 0 || !strings.Contains(out+errOut, refusal) || !strings.Contains(errOut, "1 journal(s) of killed runs kept") {
		t.Errorf("zonemgr gc: exit %d, want a failure naming %s:\n%s%s", code, byhand, out, errOut)
	}
	if got := s.State(); got != crashed {
		t.Errorf("gc changed the sim although it refused:\n%s", diffLines(crashed, got))
	}

	// The admin removes the snapshot; gc then finishes what was planned.
	s.MustRun("zfs", "destroy", "-r", goldenDS+"@byhand")
	mark := len(s.Log())
	s.MustRun("zonemgr", "-q", "gc")
	ran, _ := s.Mutations(mark)
	want := []string{
		// golden@s2 was destroyed by the killed run.
		"zfs rollback " + goldenDS + "@s1",
		"zfs release zonemgr " + goldenDS + "/ROOT@s2",
		"zfs destroy " + goldenDS + "/ROOT@s2",
		"zfs rollback " + goldenDS + "/ROOT@s1",
		"zfs release zonemgr " + goldenDS + "/ROOT/zbe@s2",
		"zfs destroy " + goldenDS + "/ROOT/zbe@s2",
		"zfs rollback " + goldenDS + "/ROOT/zbe@s1",
	}
	if !slices.Equal(ran, want) {
		t.Errorf("gc ran\n%s\nwant\n%s", strings.Join(ran, "\n"), strings.Join(want, "\n"))
	}
	if got, want := snapshotsOfTree(s, goldenFS...), withSnapshots(before, goldenFS, []string{"s2"}, nil); !slices.Equal(got, want) {
		t.Errorf("snapshots after gc: %q, want %q", got, want)
	}
	if js := s.journals(); len(js) != 0 {
		t.Errorf("journals left: %v", js)
	}
}

// TestExecDiscardKeepsForeignSnapshot: an exec that discards its changes
// rolls back every dataset of the zone, a delegated one outside
// zonemgr's containers included, and destroys no snapshot it did not
// take: one taken while the exec runs (zfs-auto-snapshot, by hand) fails
// the discard, is kept with the journal, and the exec does not claim its
// changes discarded; gc refuses likewise until it is gone, then finishes
// the discard.
func TestExecDiscardKeepsForeignSnapshot(t *testing.T) {
	s := goldenSim(t)
	data := "rpool/zones/_zonemgr/delegated/data"
	outside := "rpool/export/outside"
	s.MustRun("zfs", "create", "-o", "mountpoint=legacy", data)
	s.MustRun("zfs", "create", "-o", "mountpoint=/outside", outside)
	mnt := strings.TrimSpace(s.MustRun("zfs", "get", "-H", "-o", "value", "mountpoint", outside))
	file := filepath.Join(s.Root, mnt, "written-during-exec")
	s.MustRun("zonemgr", "-q", "create-diz", "-c", "golden", "-z", "d1", "--delegate-dataset", data, "--delegate-dataset", outside)
	exec := func() (release func() (string, string, int)) {
		// Paused at the first rollback of the discard, of the dataset
		// outside the containers (the first in name order).
		return s.startPaused(t, "zfs rollback#1", "--json", "exec", "-z", "d1", "--exec-discard", "always", "--exec-cmd", "true")
	}
	result := func(out string) map[string]any {
		var res map[string]any
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("exec result: %v: %s", err, out)
		}
		return res
	}

	t.Run("discarded", func(t *testing.T) {
		release := exec()
		if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := release()
		if res := result(out); code != 0 || res["discarded"] != true {
			t.Fatalf("exec: exit %d, discarded %v:\n%s%s", code, res["discarded"], out, errOut)
		}
		if _, err := os.Stat(file); !os.IsNotExist(err) {
			t.Errorf("%s, delegated from outside the containers, was not rolled back: %s is there (%v)", outside, file, err)
		}
		if js := s.journals(); len(js) != 0 {
			t.Errorf("journals left: %v", js)
		}
	})

	t.Run("foreign snapshot", func(t *testing.T) {
		foreign := data + "@zfs-auto-snap_hourly"
		before := snapshotsOfTree(s, data, outside)
		release := exec()
		s.MustRun("zfs", "snapshot", foreign)
		out, errOut, code := release()
		if res := result(out); code == 0 || res["discarded"] != false {
			t.Errorf("exec: exit %d, discarded %v; want a failure that discarded nothing:\n%s%s", code, res["discarded"], out, errOut)
		}
		if !strings.Contains(out+errOut, "its journal ") || !strings.Contains(out+errOut, "is left for zonemgr gc") {
			t.Errorf("exec does not say its journal is left:\n%s%s", out, errOut)
		}
		if !slices.Contains(snapshotsOfTree(s, data), foreign) {
			t.Fatalf("the exec destroyed %s, a snapshot zonemgr did not take", foreign)
		}
		if js := s.journals(); len(js) != 1 {
			t.Fatalf("journals: %v", js)
		}
		out, errOut, code = s.Run(nil, "zonemgr", "gc")
		if code == 0 || !strings.Contains(out+errOut, "snapshots were taken since that zonemgr did not take: "+foreign+";") {
			t.Errorf("gc: exit %d, want a refusal naming %s:\n%s%s", code, foreign, out, errOut)
		}
		if !slices.Contains(snapshotsOfTree(s, data), foreign) || len(s.journals()) != 1 {
			t.Fatalf("gc destroyed %s, or removed the journal", foreign)
		}
		// The admin removes it; gc finishes the discard.
		s.MustRun("zfs", "destroy", foreign)
		s.MustRun("zonemgr", "-q", "gc")
		if js := s.journals(); len(js) != 0 {
			t.Errorf("journals left: %v", js)
		}
		if got := snapshotsOfTree(s, data, outside); !slices.Equal(got, before) {
			t.Errorf("snapshots after gc: %q, want %q", got, before)
		}
		if z := s.Zones(); !slices.Contains(z, "d1:installed") {
			t.Errorf("zones after gc: %v, want d1 installed, as before the exec", z)
		}
	})
}

// TestGCKeepsGoldenEvictionNoLongerApplies: gc finishes a killed
// eviction only while eviction would still destroy the golden zone: one
// that gained a snapshot zonemgr did not take since is kept, with that
// snapshot, and gc says why; once the snapshot is gone, a killed
// eviction is finished.
func TestGCKeepsGoldenEvictionNoLongerApplies(t *testing.T) {
	s := goldenSim(t)
	g := onDemandGolden(t, s, "developer/build/pkg-config")
	usedLongAgo(s, g)
	gds := "rpool/zones/_zonemgr/GIZ/" + g
	s.crashAt("zfs release#1", "zonemgr", "gc", "--unused-goldens", "30d")
	if js := s.journals(); len(js) != 1 {
		t.Fatalf("journals: %v", js)
	}
	mine := gds + "/ROOT/zbe@mine"
	s.MustRun("zfs", "snapshot", mine)
	before := snapshotsOfTree(s, gds, gds+"/ROOT", gds+"/ROOT/zbe")
	mark := len(s.Log())
	out, errOut, code := s.Run(nil, "zonemgr", "gc")
	if code != 0 || !strings.Contains(out+errOut, "golden zone "+g+" was being evicted, but eviction now keeps it: it has snapshots zonemgr did not take: "+mine+"; it is kept") {
		t.Errorf("gc: exit %d, want it to keep %s and say why:\n%s%s", code, g, out, errOut)
	}
	if ran, _ := s.Mutations(mark); len(ran) != 0 {
		t.Errorf("gc ran %q; the killed eviction had nothing to undo", ran)
	}
	if z := s.Zones(); !slices.Contains(z, g+":installed") {
		t.Errorf("zones after gc: %v, want %s kept", z, g)
	}
	if got := snapshotsOfTree(s, gds, gds+"/ROOT", gds+"/ROOT/zbe"); !slices.Equal(got, before) {
		t.Errorf("snapshots after gc: %q, want %q", got, before)
	}
	if js := s.journals(); len(js) != 0 {
		t.Errorf("journals left: %v", js)
	}

	// Without the snapshot, a killed eviction is finished.
	s.MustRun("zfs", "destroy", mine)
	s.crashAt("zfs release#1", "zonemgr", "gc", "--unused-goldens", "30d")
	if js := s.journals(); len(js) != 1 {
		t.Fatalf("journals: %v", js)
	}
	s.MustRun("zonemgr", "-q", "gc")
	if z := s.Zones(); slices.ContainsFunc(z, func(n string) bool { return strings.HasPrefix(n, g+":") }) {
		t.Errorf("zones after gc: %v, want %s evicted", z, g)
	}
}

// TestRunRefusedWhileGCHoldsKilledRunsJournal: while a gc runs that
// cannot replay a killed run's journal now (another operation held the
// zone's lock), a new run on that zone is refused until gc has replayed
// it; gc replays the killed run as it was planned, and nothing the
// refused run would have made is lost.
func TestRunRefusedWhileGCHoldsKilledRunsJournal(t *testing.T) {
	s := goldenSim(t)
	for _, sn := range []string{"s1", "s2"} {
		s.MustRun("zonemgr", "-q", "snapshot", "-z", "golden", "-s", sn)
	}
	before := snapshotsOfTree(s, goldenFS...)
	s.crashAt("zoneadm clone#1", "zonemgr", "create-diz", "-c", "golden", "-z", "dead1")
	s.crashAt("zfs rollback#1", "zonemgr", "rollback", "-z", "golden", "-s", "s1", "-f")
	if js := s.journals(); len(js) != 2 {
		t.Fatalf("journals: %v", js)
	}
	// Another process holds golden's lock (shared, as a clone or an
	// export holds it) while gc starts: gc passes the rollback's journal
	// over, and is held replaying dead1's.
	lk, err := os.OpenFile(filepath.Join(s.Root, "var/run/zonemgr/locks/golden.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer lk.Close()
	if err := syscall.Flock(int(lk.Fd()), syscall.LOCK_SH); err != nil {
		t.Fatal(err)
	}
	releaseGC := s.startPaused(t, "zonecfg delete#1", "gc")
	if err := syscall.Flock(int(lk.Fd()), syscall.LOCK_UN); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := s.Run(nil, "zonemgr", "snapshot", "-z", "golden", "-s", "keepme")
	if code == 0 || !strings.Contains(errOut, "zone golden: ") || !strings.Contains(errOut, "run zonemgr gc first") {
		t.Errorf("snapshot of golden while its killed rollback is pending: exit %d, want refused with \"run zonemgr gc first\":\n%s%s", code, out, errOut)
	}
	out, errOut, code = releaseGC()
	if code == 0 || !strings.Contains(errOut, "1 journal(s) of killed runs kept") {
		t.Errorf("first gc: exit %d, want the rollback's journal kept:\n%s%s", code, out, errOut)
	}
	s.MustRun("zonemgr", "-q", "gc")
	if js := s.journals(); len(js) != 0 {
		t.Errorf("journals left: %v", js)
	}
	if got, want := snapshotsOfTree(s, goldenFS...), withSnapshots(before, goldenFS, []string{"s2"}, nil); !slices.Equal(got, want) {
		t.Errorf("snapshots after gc: %q, want %q", got, want)
	}
	// Now the snapshot is taken.
	s.MustRun("zonemgr", "-q", "snapshot", "-z", "golden", "-s", "keepme")
}

// TestGCKeptEvictionHoldsItsSnapshotsAgain: an eviction killed after it
// released the hold of one of the golden zone's snapshots, which gc then
// keeps (a snapshot was taken by hand since), puts that hold back: no
// disposable zone's uninstall can take the snapshot, and the golden zone
// can be cloned from as before.
func TestGCKeptEvictionHoldsItsSnapshotsAgain(t *testing.T) {
	s := goldenSim(t)
	g := onDemandGolden(t, s, "developer/build/pkg-config")
	usedLongAgo(s, g)
	gds := "rpool/zones/_zonemgr/GIZ/" + g
	refs := func() string {
		return s.MustRun("zfs", "list", "-H", "-o", "name,userrefs", "-t", "snapshot", "-r", gds)
	}
	before := refs()
	// Killed as it releases the second snapshot: the first one's hold is
	// gone.
	s.crashAt("zfs release#2", "zonemgr", "gc", "--unused-goldens", "30d")
	if refs() == before {
		t.Fatalf("the killed eviction released no hold:\n%s", before)
	}
	mine := gds + "/ROOT/zbe@mine"
	s.MustRun("zfs", "snapshot", mine)
	mark := len(s.Log())
	out, errOut, code := s.Run(nil, "zonemgr", "gc")
	if code != 0 || !strings.Contains(out+errOut, "eviction now keeps it") {
		t.Errorf("gc: exit %d, want it to keep %s:\n%s%s", code, g, out, errOut)
	}
	ran, _ := s.Mutations(mark)
	if len(ran) != 1 || !strings.HasPrefix(ran[0], "zfs hold -r zonemgr "+gds+"@") {
		t.Errorf("gc ran %q, want the one released hold put back", ran)
	}
	s.MustRun("zfs", "destroy", mine)
	if got := refs(); got != before {
		t.Errorf("holds after gc:\n%s\nwant\n%s", got, before)
	}
	if js := s.journals(); len(js) != 0 {
		t.Errorf("journals left: %v", js)
	}
	s.MustRun("zonemgr", "-q", "create-diz", "-c", g, "-z", "again1")
}

// startModulePaused starts a module that stops just before the sim call
// call ("zoneadm list#1"), and returns once it has; release lets it go
// on and returns its result.
func startModulePaused(t *testing.T, s *Sim, call, name string, args map[string]any) (release func() map[string]any) {
	t.Helper()
	latch := filepath.Join(t.TempDir(), "latch")
	key, nth, _ := strings.Cut(call, "#")
	n, _ := strconv.Atoi(nth)
	s.resetFailCounts()
	m, err := s.startModule(t.TempDir(), name, args, core.EnvFail+"="+call+":wait="+latch)
	if err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { m.wait(); close(exited) }()
	if err := s.awaitCall(key, n, exited); err != nil {
		m.cmd.Process.Kill()
		t.Fatalf("%s %v: %v\n%s%s", name, args, err, m.stdout.String(), m.stderr.String())
	}
	return func() map[string]any {
		os.WriteFile(latch, nil, 0o644)
		<-exited
		if m.err != nil {
			t.Fatal(m.err)
		}
		return m.res
	}
}

// TestGCWhileAListingRuns: a listing (zone_info, which most CLI verbs
// run first) only reads the journals; a gc that runs while it lists
// finishes a killed run's work. A journal whose lock a live run holds
// is named in gc's not_run.
func TestGCWhileAListingRuns(t *testing.T) {
	s := goldenSim(t)
	clean := s.State()
	s.crashAt("zoneadm clone#1", "zonemgr", "create-diz", "-c", "golden", "-z", "dead1")
	if js := s.journals(); len(js) != 1 {
		t.Fatalf("journals: %v", js)
	}
	release := startModulePaused(t, s, "zoneadm list#1", "zone_info", map[string]any{})
	out, errOut, code := s.Run(nil, "zonemgr", "gc")
	release()
	if js := s.journals(); code != 0 || len(js) != 0 || s.State() != clean {
		t.Errorf("gc while a listing ran: exit %d, journals left %v\n%s%s\n%s", code, js, out, errOut, diffLines(clean, s.State()))
	}

	// A live run's journal: gc leaves it, and says so.
	live := startModulePaused(t, s, "zoneadm clone#1", "zone_diz", map[string]any{"name": "live1", "giz": "golden"})
	res := s.MustModule("zone_gc", map[string]any{})
	js := s.journals()
	if len(js) != 1 || !strings.Contains(strings.Join(strs(res["not_run"]), "\n"), "journal "+js[0]+": its lock is held, by a run still going: left to it") {
		t.Errorf("gc during a live run: journals %v\n%s", js, pretty(res))
	}
	if r := live(); r["failed"] != false {
		t.Errorf("the live run: %s", pretty(r))
	}
}

// TestNoCloneFromAGoldenZoneWithPendingWork: a golden zone a killed run
// left work unfinished on (its create-giz killed at its last hold, so gc
// will undo it) is not cloned, exported or cloned into a golden zone:
// "run zonemgr gc first", and nothing changes. gc then undoes the
// creation whole.
func TestNoCloneFromAGoldenZoneWithPendingWork(t *testing.T) {
	s := goldenSim(t)
	clean := s.State()
	s.crashAt("zfs hold#3", "zonemgr", "create-giz", "-z", "g2")
	if js := s.journals(); len(js) != 1 {
		t.Fatalf("journals: %v", js)
	}
	before := s.State()
	img := filepath.Join(t.TempDir(), "g2.zimg")
	for _, c := range [][]string{
		{"create-diz", "-c", "g2", "-z", "d2"},
		{"exec-diz", "-c", "g2", "--exec-cmd", "true"},
		{"create-giz", "-z", "g3", "-c", "g2"},
		{"export-giz", "-z", "g2", "-o", img},
	} {
		out, errOut, code := s.Run(nil, "zonemgr", c...)
		if code != 1 || !strings.Contains(errOut, "zone g2: a zonemgr run that was killed (giz, started ") || !strings.Contains(errOut, "run zonemgr gc first") {
			t.Errorf("zonemgr %s: exit %d, want 1 and run zonemgr gc first\n%s%s", strings.Join(c, " "), code, out, errOut)
		}
	}
	if res := s.Module("zone_diz", map[string]any{"name": "d2", "giz": "g2"}); res["failed"] != true || !strings.Contains(res["msg"].(string), "run zonemgr gc first") {
		t.Errorf("zone_diz giz=g2: %s", pretty(res))
	}
	if after := s.State(); after != before {
		t.Errorf("refused runs changed the system:\n%s", diffLines(before, after))
	}
	s.checkGC(t, clean)
}

// TestGCKeepsAGoldenZoneClonedSince: the undo of a golden zone's
// install does not uninstall it once a zone was cloned from its
// snapshots (by hand, here: zonemgr refuses to): the brand's uninstall
// would promote the clone. gc keeps it, says why, and keeps the journal.
func TestGCKeepsAGoldenZoneClonedSince(t *testing.T) {
	s := goldenSim(t)
	s.crashAt("zfs hold#3", "zonemgr", "create-giz", "-z", "g2")
	s.MustRun("zfs", "clone", "rpool/zones/_zonemgr/GIZ/g2/ROOT/zbe@initial-installed-g2", "rpool/zones/_zonemgr/DIZ/byhand")
	mark := len(s.Log())
	out, errOut, code := s.Run(nil, "zonemgr", "gc")
	ran, _ := s.Mutations(mark)
	if code != 1 || slices.Contains(ran, "zoneadm -z g2 uninstall -F") ||
		!strings.Contains(errOut, "zoneadm -z g2 uninstall -F: zones were cloned from zone g2's snapshots since: ") {
		t.Errorf("gc with a clone of g2: exit %d, ran %q\n%s%s", code, ran, out, errOut)
	}
	if z := s.Zones(); !slices.Contains(z, "g2:installed") || len(s.journals()) != 1 {
		t.Errorf("after gc: zones %v, journals %v; gc ran %q\n%s%s", z, s.journals(), ran, out, errOut)
	}
}

// TestGCEvictionReplayWaitsForTheBuildLock: gc finishing a killed
// eviction takes the golden zone's build lock first, as an eviction
// does: while a create-diz -p holds it (it has chosen the golden zone
// and is about to take its lock), gc keeps the journal for later and
// says why, and the request, finding the killed eviction's work
// pending, is refused with "run zonemgr gc first" rather than finding
// its golden zone gone. The next gc finishes the eviction.
func TestGCEvictionReplayWaitsForTheBuildLock(t *testing.T) {
	s := goldenSim(t)
	g := onDemandGolden(t, s, "developer/build/pkg-config")
	usedLongAgo(s, g)
	s.crashAt("zfs release#1", "zonemgr", "gc", "--unused-goldens", "30d")
	if js := s.journals(); len(js) != 1 {
		t.Fatalf("journals: %v", js)
	}
	// goldenFor holds the build lock from its zoneadm list to its
	// shared lock of the golden zone; held at its zfs listing.
	release := s.startPaused(t, "zfs list#2", "create-diz", "-z", "d1", "-p", "developer/build/pkg-config")
	gcOut, gcErr, gcCode := s.Run(nil, "zonemgr", "gc")
	if gcCode != 1 || !strings.Contains(gcErr, "lock golden zone "+g+": another zonemgr operation holds its lock") || len(s.journals()) != 1 || !slices.Contains(s.Zones(), g+":installed") {
		t.Errorf("gc while the golden zone was chosen: exit %d, journals %v, zones %v\n%s%s", gcCode, s.journals(), s.Zones(), gcOut, gcErr)
	}
	out, errOut, code := release()
	if code != 1 || !strings.Contains(errOut, "zone "+g+": a zonemgr run that was killed") || !strings.Contains(errOut, "run zonemgr gc first") {
		t.Errorf("create-diz -p with the eviction pending: exit %d\n%s%s", code, out, errOut)
	}
	s.MustRun("zonemgr", "-q", "gc")
	if z := s.Zones(); slices.Contains(z, g+":installed") || len(s.journals()) != 0 {
		t.Errorf("after the next gc: zones %v, journals %v", z, s.journals())
	}
}

// TestEvictionBeforeANamedGoldenZoneIsHeld: create-diz -c G -p PKGS,
// where G is the on-demand golden zone of PKGS, looks at G again once it
// holds G's lock: when an eviction destroyed G between the look and the
// lock, G is built again by its name, and the disposable zone is made.
func TestEvictionBeforeANamedGoldenZoneIsHeld(t *testing.T) {
	s := goldenSim(t)
	g := onDemandGolden(t, s, "developer/build/pkg-config")
	usedLongAgo(s, g)
	// dizGolden has read the zones (g's content matches) and is held at
	// its zfs listing, before g's lock.
	release := s.startPaused(t, "zfs list#1", "create-diz", "-c", g, "-z", "d5", "-p", "developer/build/pkg-config")
	s.MustRun("zonemgr", "-q", "gc", "--unused-goldens", "30d")
	if slices.Contains(s.Zones(), g+":installed") {
		t.Fatalf("%s was not evicted: %v", g, s.Zones())
	}
	out, errOut, code := release()
	if z := s.Zones(); code != 0 || !slices.Contains(z, "d5:installed") || !slices.Contains(z, g+":installed") {
		t.Errorf("create-diz -c %s -p while %s was evicted: exit %d, zones %v\n%s%s", g, g, code, z, out, errOut)
	}
}
