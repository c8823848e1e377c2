package zone

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// goldenSnapshots adds to the fake's listing the snapshots s1 and s2 of
// every file system of golden, s2 held by zonemgr; s2's are made in
// transaction group txg2.
func goldenSnapshots(f *fakeGZ, txg2 string) {
	var lines []string
	for _, fs := range []string{"rpool/zones/_zonemgr/GIZ/golden", "rpool/zones/_zonemgr/GIZ/golden/ROOT", "rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe"} {
		lines = append(lines,
			fs+"@s1\tsnapshot\t-\t-\t1700000300\t200\t0\t1\tra\t-\t-\t-",
			fs+"@s2\tsnapshot\t-\t-\t1700000400\t"+txg2+"\t0\t1\trb\t-\t-\t-")
	}
	f.datasets += strings.Join(lines, "\n") + "\n"
}

// plannedS2 is what a forced rollback of golden to s1 records it is to
// destroy: the s2 of each file system, made in transaction group 300.
var plannedS2 = []PlannedSnapshot{
	{Name: "rpool/zones/_zonemgr/GIZ/golden@s2", Createtxg: "300"},
	{Name: "rpool/zones/_zonemgr/GIZ/golden/ROOT@s2", Createtxg: "300"},
	{Name: "rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@s2", Createtxg: "300"},
}

// wantRollbackToS1 are the commands that roll golden back to s1 over s2,
// with the conditions each runs under: every s2 released and destroyed on
// its own while it is still the one planned, then each file system
// rolled back without -r, which destroys nothing.
func wantRollbackToS1() (argvs []string, whens []*Guard) {
	for _, fs := range []string{"rpool/zones/_zonemgr/GIZ/golden", "rpool/zones/_zonemgr/GIZ/golden/ROOT", "rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe"} {
		argvs = append(argvs, "zfs release zonemgr "+fs+"@s2", "zfs destroy "+fs+"@s2", "zfs rollback "+fs+"@s1")
		whens = append(whens, &Guard{Dataset: fs + "@s2", Createtxg: "300", Hold: HoldTag}, &Guard{Dataset: fs + "@s2", Createtxg: "300"}, nil)
	}
	return argvs, whens
}

// heldByZonemgr answers the fake's reads, and zfs holds with zonemgr's
// hold on every snapshot asked about, and zfs get with no value.
func heldByZonemgr(f *fakeGZ) func(argv []string) (illumos.Result, error) {
	return func(argv []string) (illumos.Result, error) {
		switch {
		case len(argv) > 2 && argv[0] == "zfs" && argv[1] == "holds":
			var b strings.Builder
			for _, n := range argv[3:] {
				b.WriteString(n + "\tzonemgr\tThu Nov 28 12:00 2026\n")
			}
			return illumos.Result{Stdout: []byte(b.String())}, nil
		case len(argv) > 2 && argv[0] == "zfs" && argv[1] == "get":
			return illumos.Result{Stdout: []byte("-\t-\n")}, nil
		}
		return f.read(argv)
	}
}

func stepsOf(steps []Step) (argvs []string, whens []*Guard) {
	for _, s := range steps {
		if s.Cmd == nil {
			continue
		}
		argvs = append(argvs, s.Cmd.String())
		whens = append(whens, s.When)
	}
	return argvs, whens
}

func sameGuards(a, b []*Guard) bool {
	return slices.EqualFunc(a, b, func(x, y *Guard) bool {
		return x == nil && y == nil || x != nil && y != nil && x.Dataset == y.Dataset && x.Createtxg == y.Createtxg && x.Hold == y.Hold && x.Run == y.Run
	})
}

// TestRollbackPlanDestroysNewerSnapshotsOneByOne: a forced rollback
// destroys the newer snapshots it found, each on its own and only while
// it is still the one found, and rolls back without -r; without force it
// is refused, naming them; and the journal of the run records exactly
// the snapshots it is to destroy.
func TestRollbackPlanDestroysNewerSnapshotsOneByOne(t *testing.T) {
	h, f := fakeHost(t)
	goldenSnapshots(f, "300")
	h.Runner = illumos.ReadOnly(f)
	_, err := h.EnsureSnapshot(context.Background(), SnapshotSpec{Zone: "golden", Name: "s1", State: "rolledback"})
	if err == nil || !strings.Contains(err.Error(), "would destroy newer snapshots: rpool/zones/_zonemgr/GIZ/golden@s2, rpool/zones/_zonemgr/GIZ/golden/ROOT@s2, rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@s2;") {
		t.Errorf("rollback without force: %v", err)
	}
	out, err := h.EnsureSnapshot(context.Background(), SnapshotSpec{Zone: "golden", Name: "s1", State: "rolledback", Force: true})
	if err != nil {
		t.Fatal(err)
	}
	argvs, whens := stepsOf(out.Steps)
	wantArgvs, wantWhens := wantRollbackToS1()
	if !slices.Equal(argvs, wantArgvs) || !sameGuards(whens, wantWhens) {
		t.Errorf("plan %q\nwant %q", argvs, wantArgvs)
	}

	// Applied: the journal records the snapshots planned while the
	// rollback runs.
	h, f = fakeHost(t)
	goldenSnapshots(f, "300")
	h.CheckMode = false
	var during *Journal
	f.onChange = func(argv []string) {
		if during != nil || argv[1] != "rollback" {
			return
		}
		paths, _ := journalPaths(h.journalDir())
		if len(paths) == 1 {
			during, _ = readJournal(paths[0])
		}
	}
	f.Responder = heldByZonemgr(f)
	if _, err := h.EnsureSnapshot(context.Background(), SnapshotSpec{Zone: "golden", Name: "s1", State: "rolledback", Force: true}); err != nil {
		t.Fatal(err)
	}
	if during == nil || during.Recover == nil || during.Recover.Kind != "rollback" || !slices.Equal(during.Recover.Newer, plannedS2) {
		t.Errorf("the journal during the rollback: %+v", during)
	}
	if ran := f.mutations(); !slices.Equal(ran, wantArgvs) {
		t.Errorf("ran %q\nwant %q", ran, wantArgvs)
	}
}

// TestGCRollbackReplaysOnlyPlannedSnapshots: gc finishes a killed
// forced rollback with the destroys its journal records, each under its
// condition, and a rollback without -r; a newer snapshot it does not
// record (taken after the kill, or taken again under a planned name)
// makes gc refuse the replay, naming it, and keep the journal, in check
// mode as when it runs.
func TestGCRollbackReplaysOnlyPlannedSnapshots(t *testing.T) {
	for _, tc := range []struct {
		name, txg2, extra, unplanned string
	}{
		{name: "as planned", txg2: "300"},
		{name: "taken after the kill", txg2: "300",
			extra:     "rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@byhand\tsnapshot\t-\t-\t1700000500\t400\t0\t0\t-\t-\t-\t-\n",
			unplanned: "rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@byhand"},
		{name: "taken again under a planned name", txg2: "350",
			unplanned: "rpool/zones/_zonemgr/GIZ/golden@s2, rpool/zones/_zonemgr/GIZ/golden/ROOT@s2, rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@s2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, f := fakeHost(t)
			h.CheckMode = false
			goldenSnapshots(f, tc.txg2)
			f.datasets += tc.extra
			j, err := NewJournal(h.journalDir(), "snapshot", "golden", "rk",
				&Recovery{Kind: "rollback", Zone: "golden", Snapshot: "s1", Force: true, Newer: plannedS2, State: "installed"})
			if err != nil {
				t.Fatal(err)
			}
			j.Release()
			h.CheckMode = true
			h.Runner = illumos.ReadOnly(f)
			f.Responder = heldByZonemgr(f)
			rep, out, err := h.GC(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			argvs, whens := stepsOf(out.Steps)
			if tc.unplanned == "" {
				wantArgvs, wantWhens := wantRollbackToS1()
				if !slices.Equal(argvs, wantArgvs) || !sameGuards(whens, wantWhens) || len(rep.UndoFailed) != 0 {
					t.Errorf("plan %q\nwant %q\nfailed %q", argvs, wantArgvs, rep.UndoFailed)
				}
				if len(out.Steps) == 0 || out.Steps[len(out.Steps)-1].Forget != j.Path() {
					t.Errorf("the journal's removal is not planned: %+v", out.Steps)
				}
				return
			}
			if len(out.Steps) != 0 {
				t.Errorf("planned %q for a rollback over a snapshot nobody planned to destroy", out.Plan)
			}
			want := "snapshots were taken since that the run was not to destroy: " + tc.unplanned + ";"
			if len(rep.UndoFailed) != 1 || !strings.Contains(rep.UndoFailed[0], want) {
				t.Errorf("undo_failed %q, want one naming %s", rep.UndoFailed, tc.unplanned)
			}
			if _, err := os.Stat(j.Path()); err != nil {
				t.Errorf("journal: %v", err)
			}
		})
	}
}

// TestConfigDrift: what a rollback says of the configuration saved with
// its snapshot: nothing when it is the zone's, the changes back to it,
// none saved, or one received in an image (the exporting host's zone's,
// which says nothing of this zone).
func TestConfigDrift(t *testing.T) {
	h, f := fakeHost(t)
	z := outZone(t, h, "b1")
	other := *z
	other.Config = z.Config.Clone()
	other.Config.FS = append(other.Config.FS, illumos.FS{Dir: "/export/home", Special: "/export/home", Type: "lofs", Options: []string{"rw", "nodevices"}})
	for _, tc := range []struct{ value, source, want string }{
		{encodeConfig(z), "local", ""},
		{encodeConfig(&other), "local", "zone b1: its configuration has changed since the snapshot (to return to it: "},
		{"-", "-", "zone b1: the snapshot carries no saved configuration"},
		{encodeConfig(&other), "received", "zone b1: the snapshot came in an image, with the configuration of the zone it was exported from; the current configuration is kept"},
	} {
		f.Responder = func(argv []string) (illumos.Result, error) {
			if len(argv) > 2 && argv[0] == "zfs" && argv[1] == "get" {
				return illumos.Result{Stdout: []byte(tc.value + "\t" + tc.source + "\n")}, nil
			}
			return f.read(argv)
		}
		got := h.configDrift(context.Background(), z, "rpool/zones/_zonemgr/DIZ/b1@s1")
		if tc.want == "" && got != "" || !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s %.20s: %q, want %q", tc.source, tc.value, got, tc.want)
		}
	}
}
