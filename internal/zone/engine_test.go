package zone

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// withoutScripts returns steps with the scripts they feed on standard
// input taken out (and the zonecfg steps' display of them, which is
// their script), for plans compared as values; the scripts are returned
// by the command's first word.
func withoutScripts(steps []Step) ([]Step, map[string]string) {
	got := slices.Clone(steps)
	scripts := map[string]string{}
	for i := range got {
		if got[i].Cmd != nil && got[i].Cmd.Stdin != nil {
			c := *got[i].Cmd
			scripts[c.Argv[0]] = string(c.Stdin)
			c.Stdin = nil
			got[i].Cmd = &c
			if c.Argv[0] == "zonecfg" {
				got[i].Show = ""
			}
		}
	}
	return got, scripts
}

// diffSteps reports each step of got that differs from want.
func diffSteps(t *testing.T, got, want []Step) {
	t.Helper()
	for i := range max(len(got), len(want)) {
		var g, w Step
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("step %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

// TestCheckMode runs each operation in check mode through the engine's
// one path, on a runner that refuses every mutating command: each
// returns its plan as steps and as lines, runs no mutating command, and
// leaves neither journal nor lock file behind.
func TestCheckMode(t *testing.T) {
	img := func(t *testing.T) string {
		return writeTestImage(t, "STREAM", ImageManifest{Zone: "golden", Snapshot: "initial-postinstalled-golden", SnapshotGUID: "42",
			Config: "create -b\nset zonepath=/x\nset brand=ipkg\nset ip-type=exclusive\n"})
	}
	for _, tt := range []struct {
		name string
		// run runs the operation; exec says whether it is an exec, whose
		// outcome reports no change in check mode.
		run  func(t *testing.T, h *Host) (*Outcome, error)
		exec bool
		// prepare, when set, runs before, not in check mode.
		prepare func(t *testing.T, h *Host)
	}{
		{name: "giz create", run: func(t *testing.T, h *Host) (*Outcome, error) {
			return h.EnsureGIZ(context.Background(), GIZSpec{Name: "g2"})
		}},
		{name: "giz update", run: func(t *testing.T, h *Host) (*Outcome, error) {
			return h.EnsureGIZ(context.Background(), GIZSpec{Name: "golden", State: "updated"})
		}},
		{name: "diz", run: func(t *testing.T, h *Host) (*Outcome, error) {
			return h.EnsureDIZ(context.Background(), DIZSpec{GIZ: "golden", State: "running", VNICsOver: []VNICOver{{Link: "e1000g0"}}})
		}},
		{name: "diz destroy", run: func(t *testing.T, h *Host) (*Outcome, error) {
			return h.EnsureDIZ(context.Background(), DIZSpec{Name: "b1", State: "absent"})
		}},
		{name: "snapshot", run: func(t *testing.T, h *Host) (*Outcome, error) {
			return h.EnsureSnapshot(context.Background(), SnapshotSpec{Zone: "b1", Name: "s1"})
		}},
		{name: "exec", exec: true, run: func(t *testing.T, h *Host) (*Outcome, error) {
			res, out, err := h.Exec(context.Background(), ExecSpec{Cmd: "make", Zone: "b1", Discard: "always"})
			if res != nil {
				t.Errorf("check mode ran the command: %+v", res)
			}
			return out, err
		}},
		{name: "exec-diz", exec: true, run: func(t *testing.T, h *Host) (*Outcome, error) {
			res, out, err := h.Exec(context.Background(), ExecSpec{Cmd: "make", DIZ: &DIZSpec{GIZ: "golden"}})
			if res != nil {
				t.Errorf("check mode ran the command: %+v", res)
			}
			return out, err
		}},
		{name: "import", run: func(t *testing.T, h *Host) (*Outcome, error) {
			return h.EnsureGIZ(context.Background(), GIZSpec{Name: "imp", Image: img(t)})
		}},
		{name: "gc", run: func(t *testing.T, h *Host) (*Outcome, error) {
			_, out, err := h.GC(context.Background())
			return out, err
		}, prepare: func(t *testing.T, h *Host) {
			killedRun(t, h, "diz", "k1", "rk", vnicStep("autodizk1_0", VNICOver{Link: "e1000g0"}, testMAC))
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, f := fakeHost(t)
			f.vnics = []string{"autodizk1_0"}
			h.Runner = illumos.ReadOnly(f)
			if tt.prepare != nil {
				tt.prepare(t, h)
			}
			journals, _ := os.ReadDir(h.journalDir())
			out, err := tt.run(t, h)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Steps) == 0 || !slices.Equal(out.Plan, (&Plan{Steps: out.Steps}).Lines()) {
				t.Errorf("the plan's lines are not its steps':\n%q\nsteps %+v", out.Plan, out.Steps)
			}
			if out.Changed == tt.exec {
				t.Errorf("changed = %v", out.Changed)
			}
			if m := f.mutations(); len(m) != 0 {
				t.Errorf("check mode ran mutating commands: %q", m)
			}
			if after, _ := os.ReadDir(h.journalDir()); len(after) != len(journals) {
				t.Errorf("check mode left a journal: %v", after)
			}
			if _, err := os.Stat(h.path("/var/run/zonemgr/locks")); !os.IsNotExist(err) {
				t.Errorf("check mode took locks: %v", err)
			}
		})
	}
}

// TestGIZUpdatePlan pins the steps of a golden zone's refresh: a
// snapshot of the boot environment to return to comes first, the boot
// records how the refresh is recovered (rolled back to it), the new
// snapshot is taken only when a package step changed something, and the
// snapshot to return to goes once the update is kept.
func TestGIZUpdatePlan(t *testing.T) {
	h, _ := fakeHost(t)
	out, err := h.EnsureGIZ(context.Background(), GIZSpec{Name: "golden", State: "updated", AddPackages: []string{"developer/gcc"}, UpdatePackages: true})
	if err != nil {
		t.Fatal(err)
	}
	boot := zoneadm("golden", "boot")
	boot.Timeout = 5 * time.Minute
	ds, snap := "rpool/zones/_zonemgr/GIZ/golden", "autozone-20261128T120000Z"
	pre := "rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@before-refresh-r1"
	pkg := func(argv ...string) *illumos.Cmd { return zlogin("golden", argv...) }
	want := []Step{
		{Why: "snapshot the boot environment, to return to should the update fail", Cmd: &illumos.Cmd{Argv: []string{"zfs", "snapshot", "-o", "zonemgr:run=r1", pre}}},
		{Why: "boot the zone", Cmd: boot, Undo: zoneadm("golden", "halt"), UndoIfFailed: true,
			Guard:   &Guard{Zone: "golden", ZoneRun: "", States: kernelStates},
			Recover: &Recovery{Kind: "refresh", Zone: "golden", Snapshot: pre, Run: "r1"}},
		{Why: "wait for " + MilestoneMultiUser, Wait: &Wait{Zone: "golden", Milestone: MilestoneMultiUser, Timeout: 5 * time.Minute}},
		{Why: "refresh publishers", Cmd: pkg("pkg", "refresh", "--full")},
		{Why: "install packages", Cmd: pkg("pkg", "install", "--accept", "developer/gcc"), NoChangeExit: []int{4}},
		{Why: "update pkg(7) first, as pkg update requires", Cmd: pkg("pkg", "update", "--accept", "pkg:/package/pkg"), NoChangeExit: []int{4}},
		{Why: "update packages", Cmd: pkg("pkg", "update", "--accept"), NoChangeExit: []int{4}},
		{Why: "halt after the update", Cmd: zoneadm("golden", "halt")},
		{Why: "snapshot " + snap, Cmd: &illumos.Cmd{Argv: []string{"zfs", "snapshot", "-r", "-o", "zonemgr:run=r1", ds + "@" + snap}},
			Undo: &illumos.Cmd{Argv: []string{"zfs", "destroy", "-r", ds + "@" + snap}}, Guard: &Guard{Dataset: ds + "@" + snap, Run: "r1"}, IfChanged: []int{4, 5, 6}},
		{Why: "hold " + snap, Cmd: &illumos.Cmd{Argv: []string{"zfs", "hold", "-r", "zonemgr", ds + "@" + snap}},
			Undo: &illumos.Cmd{Argv: []string{"zfs", "release", "-r", "zonemgr", ds + "@" + snap}}, Guard: &Guard{Dataset: ds + "@" + snap, Run: "r1", Hold: "zonemgr"}, IfChanged: []int{4, 5, 6}},
		{Why: "remove the snapshot taken before the update", Cmd: &illumos.Cmd{Argv: []string{"zfs", "destroy", pre}},
			Undo: &illumos.Cmd{Argv: []string{"zfs", "destroy", pre}}, Guard: &Guard{Dataset: pre, Run: "r1"}, UndoIfFailed: true,
			Commit: true, Needs: []int{0}},
	}
	diffSteps(t, out.Steps, want)
	if !out.Changed || out.Msg != "would update the packages of golden and snapshot it as "+snap+" if anything changed" {
		t.Errorf("changed %v, msg %q", out.Changed, out.Msg)
	}
}

// TestSnapshotPlan pins the steps of a running zone's snapshot: halted
// (booted again should the snapshot fail), one atomic call for the zone's
// datasets and its delegated one, booted again.
func TestSnapshotPlan(t *testing.T) {
	h, _ := fakeHost(t)
	out, err := h.EnsureSnapshot(context.Background(), SnapshotSpec{Zone: "b1", Name: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	ds, dd := "rpool/zones/_zonemgr/DIZ/b1", "rpool/zones/_zonemgr/delegated/b1"
	boot := zoneadm("b1", "boot")
	boot.Timeout = 5 * time.Minute
	want := []Step{
		{Why: "halt the zone", Cmd: zoneadm("b1", "halt"), Undo: zoneadm("b1", "boot"), Guard: &Guard{Zone: "b1", ZoneRun: "r0", States: []string{"installed"}}},
		{Why: "snapshot the zone's datasets in one atomic call",
			Cmd:   &illumos.Cmd{Argv: []string{"zfs", "snapshot", "-r", "-o", ConfigProp + "=" + encodeConfig(outZone(t, h, "b1")), "-o", "zonemgr:run=r1", ds + "@s1", dd + "@s1"}},
			Undo:  &illumos.Cmd{Argv: []string{"zfs", "destroy", "-r", ds + "@s1"}},
			Guard: &Guard{Dataset: ds + "@s1", Run: "r1"}},
		{Why: "the snapshot of " + dd + " taken by the call above", Show: "(" + dd + "@s1 taken by the call above)",
			Undo: &illumos.Cmd{Argv: []string{"zfs", "destroy", "-r", dd + "@s1"}}, Guard: &Guard{Dataset: dd + "@s1", Run: "r1"}},
		{Why: "boot the zone", Cmd: boot, Undo: zoneadm("b1", "halt"), UndoIfFailed: true, Guard: &Guard{Zone: "b1", ZoneRun: "r0", States: kernelStates}},
		{Why: "wait for " + MilestoneMultiUser, Wait: &Wait{Zone: "b1", Milestone: MilestoneMultiUser, Timeout: 5 * time.Minute}},
	}
	diffSteps(t, out.Steps, want)
	if out.Values["halted"] != true {
		t.Errorf("halted = %v", out.Values["halted"])
	}
}

// outAccounts reads the global zone's accounts as the engine does.
func outAccounts(t *testing.T, h *Host) *accounts {
	t.Helper()
	a, err := h.readAccounts()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// outZone reads one zone as the engine sees it.
func outZone(t *testing.T, h *Host, name string) *Zone {
	t.Helper()
	w, err := h.Observe(context.Background())
	if err != nil || w.Zones[name] == nil {
		t.Fatalf("zone %s: %v", name, err)
	}
	return w.Zones[name]
}

// TestExecPlan pins the steps of an exec in a running zone whose changes
// are always discarded: halted for the snapshot, booted, the command as
// its exact zlogin argv, and the finish. From the snapshot on, the
// recovery puts the zone back, and the steps carry no undo of their own.
func TestExecPlan(t *testing.T) {
	h, _ := fakeHost(t)
	_, out, err := h.Exec(context.Background(), ExecSpec{Cmd: "make all", Zone: "b1", Discard: "always", User: "", Env: map[string]string{"CC": "gcc"}})
	if err != nil {
		t.Fatal(err)
	}
	ds, dd := "rpool/zones/_zonemgr/DIZ/b1", "rpool/zones/_zonemgr/delegated/b1"
	snap := "zonemgr-exec-20261128T120000.000000000Z"
	boot := zoneadm("b1", "boot")
	boot.Timeout = 5 * time.Minute
	want := []Step{
		{Why: "halt the zone", Cmd: zoneadm("b1", "halt"), Undo: zoneadm("b1", "boot"), Guard: &Guard{Zone: "b1", ZoneRun: "r0", States: []string{"installed"}}},
		{Why: "snapshot the zone's datasets in one atomic call",
			Cmd:     &illumos.Cmd{Argv: []string{"zfs", "snapshot", "-r", "-o", ConfigProp + "=" + encodeConfig(outZone(t, h, "b1")), "-o", "zonemgr:run=r1", ds + "@" + snap, dd + "@" + snap}},
			Recover: &Recovery{Kind: "exec", Zone: "b1", ZoneRun: "r0", Snapshot: snap, Discard: true, State: "running"}},
		{Why: "the snapshot of " + dd + " taken by the call above", Show: "(" + dd + "@" + snap + " taken by the call above)"},
		{Why: "boot the zone", Cmd: boot},
		{Why: "wait for " + MilestoneMultiUser, Wait: &Wait{Zone: "b1", Milestone: MilestoneMultiUser, Timeout: 5 * time.Minute}},
		{Why: "run the command", Cmd: &illumos.Cmd{Argv: []string{"zlogin", "-S", "b1", "env CC='gcc' /bin/sh -c 'make all'"}, ZoneStatus: true},
			Exec: &ExecRun{Zone: "b1", OKRCs: []int{0}, OutputLimit: 64 << 10}},
		{Why: "finish", Finish: &Finish{Discard: "always"},
			Show: "then halt b1, roll it back to b1@" + snap + " (discard: always), destroy that snapshot, and bring it back to running"},
	}
	diffSteps(t, out.Steps, want)
	if out.Plan[5] != `zlogin -S b1 'env CC='\''gcc'\'' /bin/sh -c '\''make all'\'''` {
		t.Errorf("the command shows as %s", out.Plan[5])
	}
}

// TestExecDIZPlan pins how an exec-diz ends: the disposable zone's
// making, then the command and the zone's destroy; a zone never
// discarded ends the journal before the command (Commit).
func TestExecDIZPlan(t *testing.T) {
	for _, discard := range []string{"always", "never"} {
		h, _ := fakeHost(t)
		h.Privileged = true
		_, out, err := h.Exec(context.Background(), ExecSpec{Cmd: "make", User: "jenkins", Discard: discard, DIZ: &DIZSpec{Name: "x1", GIZ: "golden", CopyUsers: []string{"jenkins"}}})
		if err != nil {
			t.Fatal(err)
		}
		boot := zoneadm("x1", "boot")
		boot.Timeout = 5 * time.Minute
		// One boot, and no zlogin but the command's: the identity is
		// written before the boot, and the boot's milestone is asked
		// from the global zone.
		want := append([]Step{
			{Why: "configure the zone", Cmd: &illumos.Cmd{Argv: []string{"zonecfg", "-z", "x1", "-f", "-"}},
				Undo: &illumos.Cmd{Argv: []string{"zonecfg", "-z", "x1", "delete", "-F"}}, Guard: &Guard{Zone: "x1", ZoneRun: "r1", States: []string{"configured"}}}},
			cloneSteps("x1", "r1", "golden", "initial-postinstalled-golden", "rpool/zones/_zonemgr/DIZ/x1", "rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@initial-postinstalled-golden")...)
		want = append(want, []Step{
			{Why: "write the zone's identity before its first boot (node name, hosts, accounts)",
				Files: &ZoneFiles{Zone: "x1", Zonepath: "/zones/_zonemgr/DIZ/x1", Dataset: "rpool/zones/_zonemgr/DIZ/x1",
					Edits: setupEdits(Setup{Nodename: "x1", OldNames: []string{"golden"}, CopyUsers: []string{"jenkins"}}, outAccounts(t, h))}},
			{Why: "boot the zone", Cmd: boot, Undo: zoneadm("x1", "halt"), UndoIfFailed: true, Guard: &Guard{Zone: "x1", ZoneRun: "r1", States: kernelStates}},
			{Why: "wait for " + MilestoneMultiUser, Wait: &Wait{Zone: "x1", Milestone: MilestoneMultiUser, Timeout: 5 * time.Minute, FromGlobal: true}},
			{Why: "run the command", Cmd: &illumos.Cmd{Argv: []string{"zlogin", "-l", "jenkins", "x1", "make"}, ZoneStatus: true},
				Exec: &ExecRun{Zone: "x1", OKRCs: []int{0}, OutputLimit: 64 << 10}, Commit: discard == "never"},
			{Why: "finish", Finish: &Finish{Discard: discard}, Show: "destroy x1 (" + discard + ")"},
		}...)
		got, _ := withoutScripts(out.Steps)
		diffSteps(t, got, want)
		if e := got[3].Files.Edits; len(e) < 3 || e[2].Text != "jenkins:x:1001:1001:Jenkins:/export/home/jenkins:/bin/bash" {
			t.Errorf("%s: identity edits %+v", discard, e)
		}
		if out.Zone != "x1" || out.Values["giz"] != "golden" || out.Changed {
			t.Errorf("%s: zone %s, values %v, changed %v", discard, out.Zone, out.Values, out.Changed)
		}
	}
}

// TestImportPlan pins the steps of a full image's import: received into
// the container unmounted (its undo destroys it while no zone uses it),
// what it made checked, mounted, configured, its boot environment prepared for the attach, attached,
// its snapshots held.
func TestImportPlan(t *testing.T) {
	h, _ := fakeHost(t)
	file := writeTestImage(t, "STREAM", ImageManifest{Zone: "golden", Snapshot: "s2", SnapshotGUID: "42", Snapshots: []string{"s1", "s2"},
		Config: "create -b\nset zonepath=/x\nset brand=ipkg\nset ip-type=exclusive\n"})
	out, err := h.EnsureGIZ(context.Background(), GIZSpec{Name: "imp", Image: file})
	if err != nil {
		t.Fatal(err)
	}
	img, _ := OpenImage(file)
	ds := "rpool/zones/_zonemgr/GIZ/imp"
	be := ds + "/ROOT/zbe"
	recv := receiveStep("receive golden@s2", img, []string{"zfs", "receive", "-u", ds}, &illumos.Cmd{Argv: []string{"zfs", "destroy", "-r", ds}})
	recv.Guard = &Guard{Dataset: ds, Unused: true, Received: "s2", ReceivedGUID: "42"}
	set := func(kv string) Step {
		return Step{Why: "set " + kv + " on " + be + " for the attach", Cmd: &illumos.Cmd{Argv: []string{"zfs", "set", kv, be}}}
	}
	want := []Step{
		recv,
		{Why: "check what the stream made", Received: &ReceivedTree{Dataset: ds, Zonepath: "/zones/_zonemgr/GIZ/imp", Snapshot: "s2", GUID: "42"}},
		{Why: "mount " + ds, Cmd: &illumos.Cmd{Argv: []string{"zfs", "mount", ds}}},
		{Why: "configure the zone", Cmd: &illumos.Cmd{Argv: []string{"zonecfg", "-z", "imp", "-f", "-"}},
			Undo: &illumos.Cmd{Argv: []string{"zonecfg", "-z", "imp", "delete", "-F"}}, Guard: &Guard{Zone: "imp", ZoneRun: "r1", States: []string{"configured"}}},
		set("zoned=off"), set("canmount=on"), set("mountpoint=/zones/_zonemgr/GIZ/imp/root"),
		{Why: "attach the zone", Cmd: zoneadm("imp", "attach"), Undo: zoneadm("imp", "detach"), Guard: &Guard{Zone: "imp", ZoneRun: "r1", States: []string{"installed"}}},
	}
	want = append(want, holdSteps("imp", "r1", ds, []string{"s1", "s2"})...)
	got, scripts := withoutScripts(out.Steps)
	diffSteps(t, got, want)
	if !strings.Contains(scripts["zonecfg"], "set value=image:golden@s2") {
		t.Errorf("zonecfg script:\n%s", scripts["zonecfg"])
	}
}

// TestExecRuns runs an exec in an installed zone that keeps its changes:
// the zone is booted, the command run (its output and exit code are the
// result, a failure of its own), and the zone halted again; the journal
// is gone at the end.
func TestExecRuns(t *testing.T) {
	h, f := fakeHost(t)
	h.CheckMode = false
	f.setState("b1", "installed")
	f.Expect([]string{"zlogin", "-S", "b1", "make"}, illumos.Result{Stdout: []byte("built\n"), ExitCode: 2})
	res, out, err := h.Exec(context.Background(), ExecSpec{Cmd: "make", Zone: "b1"})
	if err != nil {
		t.Fatal(err)
	}
	if m := f.mutations(); !slices.Equal(m, []string{"zoneadm -z b1 boot", "zlogin -S b1 make", "zoneadm -z b1 halt"}) {
		t.Errorf("ran %q", m)
	}
	if res == nil || res.RC != 2 || res.Stdout != "built\n" || res.Discarded || res.Zone != "b1" {
		t.Errorf("result %+v", res)
	}
	if !out.Changed || out.Plan[len(out.Plan)-1] != "then bring b1 back to installed" {
		t.Errorf("changed %v, plan %q", out.Changed, out.Plan)
	}
	if js, _ := os.ReadDir(h.journalDir()); len(js) != 0 {
		t.Errorf("journals left: %v", js)
	}
}

// TestExecFailedBoot: a boot that fails ends the exec before its command;
// the error names the step, and nothing is left to gc.
func TestExecFailedBoot(t *testing.T) {
	h, f := fakeHost(t)
	h.CheckMode = false
	f.setState("b1", "installed")
	f.fail = "zoneadm -z b1 boot"
	res, _, err := h.Exec(context.Background(), ExecSpec{Cmd: "make", Zone: "b1"})
	var ae *ApplyError
	if !errors.As(err, &ae) || ae.Step != "zoneadm -z b1 boot" || ae.Stderr != "failed on purpose" || len(ae.UndoErrs) != 0 {
		t.Fatalf("err = %v", err)
	}
	if res != nil {
		t.Errorf("a command that never ran has a result: %+v", res)
	}
	if m := f.mutations(); !slices.Equal(m, []string{"zoneadm -z b1 boot"}) {
		t.Errorf("ran %q", m)
	}
	if js, _ := os.ReadDir(h.journalDir()); len(js) != 0 {
		t.Errorf("journals left: %v", js)
	}
}

// TestExecDIZJournal: an exec-diz's journal records from the start that
// gc destroys the zone should the run be killed, and is kept while the
// command runs; once the zone is destroyed it is removed.
func TestExecDIZJournal(t *testing.T) {
	h, f := fakeHost(t)
	h.CheckMode = false
	var during *Journal
	f.onChange = func(argv []string) {
		if slices.Equal(argv, []string{"zlogin", "-S", "x1", "make"}) {
			j, err := readJournal(filepath.Join(h.journalDir(), journalFileName("x1", "diz", "r1")))
			if err != nil {
				t.Errorf("the journal while the command runs: %v", err)
				return
			}
			during = j
		}
	}
	res, _, err := h.Exec(context.Background(), ExecSpec{Cmd: "make", DIZ: &DIZSpec{Name: "x1", GIZ: "golden"}})
	if err != nil {
		t.Fatal(err)
	}
	// configure, the clone's leftovers, clone, mount, the identity in
	// the scratch zone, unmount, boot, wait, the command.
	if during == nil || during.Recover == nil || !reflect.DeepEqual(*during.Recover, Recovery{Kind: "destroy", Zone: "x1", ZoneRun: "r1"}) || len(during.Entries) != 9 {
		t.Fatalf("the journal while the command ran: %+v", during)
	}
	// The command line itself is not written to disk.
	if e := during.Entries[8]; e.Do != "run the command" {
		t.Errorf("the command's entry: %+v", e)
	}
	if !res.Discarded || res.Kept || res.Timing["destroy"] == 0 && res.Timing["run"] == 0 {
		t.Errorf("result %+v", res)
	}
	if js, _ := os.ReadDir(h.journalDir()); len(js) != 0 {
		t.Errorf("journals left: %v", js)
	}
}

// TestGIZPlan pins the steps of a golden zone's creation from the
// template: configured, installed, snapshotted and held after the
// install and after the first boot, set up, snapshotted and held once
// more after the setup.
func TestGIZPlan(t *testing.T) {
	h, _ := fakeHost(t)
	out, err := h.EnsureGIZ(context.Background(), GIZSpec{Name: "g2", CopyUsers: []string{"jenkins"}})
	if err != nil {
		t.Fatal(err)
	}
	ds := "rpool/zones/_zonemgr/GIZ/g2"
	boot := zoneadm("g2", "boot")
	boot.Timeout = 5 * time.Minute
	booted := []Step{
		{Why: "boot the zone", Cmd: boot, Undo: zoneadm("g2", "halt"), UndoIfFailed: true, Guard: &Guard{Zone: "g2", ZoneRun: "r1", States: kernelStates}},
		{Why: "wait for " + MilestoneMultiUser, Wait: &Wait{Zone: "g2", Milestone: MilestoneMultiUser, Timeout: 5 * time.Minute}},
	}
	var want []Step
	want = append(want,
		Step{Why: "configure the zone", Cmd: &illumos.Cmd{Argv: []string{"zonecfg", "-z", "g2", "-f", "-"}},
			Undo: &illumos.Cmd{Argv: []string{"zonecfg", "-z", "g2", "delete", "-F"}}, Guard: &Guard{Zone: "g2", ZoneRun: "r1", States: []string{"configured"}}},
		Step{Why: "install the zone", Cmd: zoneadm("g2", "install"), Undo: zoneadm("g2", "uninstall", "-F"), UndoIfFailed: true,
			Guard: &Guard{Zone: "g2", ZoneRun: "r1", States: []string{"installed", "incomplete"}, Independent: true}})
	want = append(want, snapSteps(ds, "initial-installed-g2", "r1")...)
	want = append(want, booted...)
	want = append(want, Step{Why: "halt after the first boot", Cmd: zoneadm("g2", "halt")})
	want = append(want, snapSteps(ds, "initial-manifest_import_booted-g2", "r1")...)
	want = append(want, booted...)
	want = append(want,
		Step{Why: "set up the zone (node name, accounts, automounts)", Cmd: &illumos.Cmd{Argv: []string{"zlogin", "-S", "g2", "/bin/sh -s"}, ZoneStatus: true}},
		Step{Why: "halt after setup", Cmd: zoneadm("g2", "halt")})
	want = append(want, snapSteps(ds, "initial-postinstalled-g2", "r1")...)
	got, scripts := withoutScripts(out.Steps)
	diffSteps(t, got, want)
	if want := "zfs snapshot -r -o zonemgr:run=r1 " + ds + "@initial-installed-g2"; out.Plan[2] != want {
		t.Errorf("plan line 2 = %q, want %q", out.Plan[2], want)
	}
	if !strings.Contains(scripts["zonecfg"], "create -t SUNWipkg") || !strings.Contains(scripts["zlogin"], "putline /etc/passwd 'jenkins'") {
		t.Errorf("scripts:\n%s\n%s", scripts["zonecfg"], scripts["zlogin"])
	}
}

// TestFoundGoldenGoneIsNotRemade: a golden zone ensureByContent found
// (spec.existing) that is gone by the time the run holds its lock is not
// made again outside the build lock: the run fails, planning nothing.
func TestFoundGoldenGoneIsNotRemade(t *testing.T) {
	h, _ := fakeHost(t)
	out, err := h.ensureNamedGIZ(context.Background(), GIZSpec{Name: "gone", existing: true})
	if err == nil || !strings.Contains(err.Error(), "golden zone gone was removed since this run found it") {
		t.Errorf("ensureNamedGIZ of a found zone now gone: %v, want the removal named", err)
	}
	if out != nil && len(out.Plan) > 0 {
		t.Errorf("it planned %q", out.Plan)
	}
	if _, err := h.ensureNamedGIZ(context.Background(), GIZSpec{Name: "gone"}); err != nil {
		t.Errorf("the same request not found beforehand (a create): %v", err)
	}
}

// TestDIZByPackagesDefaults: a disposable zone asked for by packages with
// no state is checked as state present, as one asked for by name is: the
// defaults are filled in before its golden zone is looked for.
func TestDIZByPackagesDefaults(t *testing.T) {
	h, _ := fakeHost(t)
	out, err := h.EnsureDIZ(context.Background(), DIZSpec{Name: "d1", Packages: []string{"compress/gzip"}})
	if err != nil {
		t.Fatalf("EnsureDIZ with packages and no state: %v", err)
	}
	if n := len(out.Plan); n == 0 || !strings.HasPrefix(out.Plan[n-1], "then clone a disposable zone from giz-") {
		t.Errorf("plan %q, want the golden zone's build and then the clone", out.Plan)
	}
}
