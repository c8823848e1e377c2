package zone

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zfs"
)

// killedRun writes the journal of a run that was killed after it began
// steps: its lock is released, as the kernel releases it at a death.
func killedRun(t *testing.T, h *Host, op, zone, run string, steps ...Step) string {
	t.Helper()
	j, err := NewJournal(h.journalDir(), op, zone, run, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range steps {
		if err := j.Begin(i, s); err != nil {
			t.Fatal(err)
		}
	}
	j.Release()
	return j.Path()
}

// TestGCVNICs: gc deletes the VNIC a killed run's journal records and no
// zone configures; it leaves alone a VNIC a live run made (journaled, not
// yet in a configuration) and a look-alike no journal records, which it
// lists as unrecorded. Check mode reports the same and runs nothing.
func TestGCVNICs(t *testing.T) {
	for _, check := range []bool{true, false} {
		h, f := fakeHost(t)
		h.CheckMode = false
		f.vnics = []string{"autodizb1_0", "autodizbusy_0", "autodizstray_0", "myvnic0"}
		killed := killedRun(t, h, "diz", "b1", "rk", vnicStep("autodizb1_0", VNICOver{Link: "e1000g0"}, testMAC))
		live, err := NewJournal(h.journalDir(), "diz", "busy", "rl", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer live.Finish()
		if err := live.Begin(0, vnicStep("autodizbusy_0", VNICOver{Link: "e1000g0"}, testMAC)); err != nil {
			t.Fatal(err)
		}
		h.CheckMode = check
		if check {
			h.Runner = illumos.ReadOnly(f)
		}
		rep, out, err := h.GC(context.Background())
		if err != nil {
			t.Fatalf("check=%v: %v", check, err)
		}
		want := []string{"dladm delete-vnic autodizb1_0"}
		if !slices.Equal(rep.Commands, want) || !slices.Equal(out.Plan, append(want, "remove journal "+killed)) {
			t.Errorf("check=%v: commands %q, plan %q, want %q and the journal's removal", check, rep.Commands, out.Plan, want)
		}
		// The plan replays the killed run's undo under its guard, which
		// names the run's zone, then removes the journal.
		wantSteps := []Step{
			{Why: "undo: dladm create-vnic -l e1000g0 -m " + testMAC + " autodizb1_0", Cmd: &illumos.Cmd{Argv: []string{"dladm", "delete-vnic", "autodizb1_0"}},
				When: &Guard{VNIC: "autodizb1_0", Over: "e1000g0", MAC: testMAC, Unused: true, Owner: "b1", OwnerRun: "rk"}},
			{Why: "remove the journal of the killed run", Forget: killed, Needs: []int{0}},
		}
		if !reflect.DeepEqual(out.Steps, wantSteps) {
			t.Errorf("check=%v: steps\n%+v\nwant\n%+v", check, out.Steps, wantSteps)
		}
		if !slices.Equal(rep.Found.Journals, []string{killed}) || !slices.Equal(rep.Found.VNICs, []string{"autodizb1_0"}) {
			t.Errorf("check=%v: found %+v", check, rep.Found)
		}
		if len(rep.Found.Unrecorded) != 1 || !strings.HasPrefix(rep.Found.Unrecorded[0], "vnic autodizstray_0: ") {
			t.Errorf("check=%v: unrecorded %q, want the stray VNIC alone", check, rep.Found.Unrecorded)
		}
		ran := f.mutations()
		_, errKilled := os.Stat(killed)
		if _, err := os.Stat(live.Path()); err != nil {
			t.Errorf("check=%v: the live run's journal was removed", check)
		}
		if check {
			if len(ran) != 0 || errKilled != nil || out.Msg != "gc would run 1 command(s) and remove 1 journal(s)" || !out.Changed {
				t.Errorf("check mode ran %q, journal %v, msg %q, changed %v", ran, errKilled, out.Msg, out.Changed)
			}
			continue
		}
		if !slices.Equal(ran, want) || !os.IsNotExist(errKilled) || !out.Changed || out.Msg != "gc ran 1 command(s) and removed 1 journal(s)" {
			t.Errorf("ran %q (want %q), killed run's journal: %v, changed %v, msg %q", ran, want, errKilled, out.Changed, out.Msg)
		}
		if len(rep.Left.VNICs) != 0 || len(rep.Left.Journals) != 0 || len(rep.Left.Unrecorded) != 1 {
			t.Errorf("left %+v", rep.Left)
		}
	}
}

// TestGCLivenessFromTheLock: a journal whose run still holds its lock is
// live whatever its PID says, and one whose lock is free is a killed
// run's even when its PID now belongs to a running process (PIDs are
// reused).
func TestGCLivenessFromTheLock(t *testing.T) {
	h, _ := fakeHost(t)
	h.CheckMode = false
	// The PID of a process that is alive: this test's own.
	dead := killedRun(t, h, "diz", "b1", "rd")
	l, live, err := lockJournal(dead, true)
	if live || err != nil {
		t.Fatalf("a released journal: live=%v err=%v", live, err)
	}
	l.Close()
	j, err := NewJournal(h.journalDir(), "diz", "b2", "ra", nil)
	if err != nil {
		t.Fatal(err)
	}
	// A live run whose PID is a process that has exited.
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Skipf("cannot start true: %v", err)
	}
	j.PID = c.Process.Pid
	if _, live, err := lockJournal(j.Path(), true); !live || err != nil {
		t.Fatalf("a held journal: live=%v err=%v", live, err)
	}
	rep, _, err := h.GC(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Found.Journals, []string{dead}) {
		t.Errorf("found journals %q, want the released one only", rep.Found.Journals)
	}
	if _, err := os.Stat(j.Path()); err != nil {
		t.Errorf("the live run's journal is gone: %v", err)
	}
	j.Finish()
	if _, live, err := lockJournal(j.Path(), true); live || err != errJournalGone {
		t.Errorf("a finished journal: live=%v err=%v, want it gone", live, err)
	}
}

// TestGCOldJournal: a journal of the previous format (no run id, no
// guards), of a newer one (whose conditions this zonemgr would drop when
// it reads them), or with an undo that has no guard, is not replayed: gc
// lists it, says why, keeps it and fails.
func TestGCOldJournal(t *testing.T) {
	for _, tc := range []struct{ journal, why string }{
		{`{"op":"diz","zone":"b1","pid":7,"started":"2026-11-28T11:00:00Z"}
{"do":"zfs create rpool/export/ccache","undo":["zfs","destroy","-r","rpool/export/ccache"],"state":"begun"}
`, "written by an older zonemgr"},
		{`{"version":3,"op":"diz","zone":"b1","run":"r9","pid":7,"started":"2026-11-28T11:00:00Z"}
{"step":0,"do":"zfs create rpool/export/ccache","undo":["zfs","destroy","-r","rpool/export/ccache"],"guard":{"dataset":"rpool/export/ccache","run":"r9","some_new_condition":true},"state":"begun"}
`, "written by a newer zonemgr (journal version 3, this one reads 2)"},
		{`{"version":2,"op":"diz","zone":"b1","run":"r9","pid":7,"started":"2026-11-28T11:00:00Z"}
{"step":0,"do":"zfs create rpool/export/ccache","undo":["zfs","destroy","-r","rpool/export/ccache"],"state":"begun"}
`, "undo: zfs create rpool/export/ccache: the journal b1-diz-1-2.json gives no condition for it"},
	} {
		h, f := fakeHost(t)
		h.CheckMode = false
		dir := h.journalDir()
		os.MkdirAll(dir, 0o700)
		p := filepath.Join(dir, "b1-diz-1-2.json")
		os.WriteFile(p, []byte(tc.journal), 0o600)
		rep, _, err := h.GC(context.Background())
		if err == nil || !strings.Contains(err.Error(), "1 journal(s) of killed runs kept") {
			t.Errorf("%s: err = %v", tc.why, err)
		}
		if ran := f.mutations(); len(ran) != 0 {
			t.Errorf("%s: ran %q", tc.why, ran)
		}
		if len(rep.NotRun) != 1 || !strings.Contains(rep.NotRun[0], tc.why) {
			t.Errorf("skipped %q, want %q", rep.NotRun, tc.why)
		}
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: the journal was removed: %v", tc.why, err)
		}
	}
}

// TestGCFailedUndoKeepsJournal: an undo that fails keeps its journal and
// fails gc, saying what is left.
func TestGCFailedUndoKeepsJournal(t *testing.T) {
	h, f := fakeHost(t)
	h.CheckMode = false
	f.vnics, f.fail = []string{"autodizb1_0"}, "dladm delete-vnic autodizb1_0"
	p := killedRun(t, h, "diz", "b1", "rk", vnicStep("autodizb1_0", VNICOver{Link: "e1000g0"}, testMAC))
	rep, _, err := h.GC(context.Background())
	if err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("err = %v, want one naming %s", err, p)
	}
	if len(rep.UndoFailed) != 1 || !strings.Contains(rep.UndoFailed[0], "dladm delete-vnic autodizb1_0") {
		t.Errorf("undo_failed %q", rep.UndoFailed)
	}
	if !slices.Equal(rep.Left.Journals, []string{p}) {
		t.Errorf("left %+v", rep.Left)
	}
	if _, err := os.Stat(p); err != nil {
		t.Errorf("the journal was removed: %v", err)
	}
}

// TestGuardCheck pins what each guard condition says.
func TestGuardCheck(t *testing.T) {
	cfg := func(attrs map[string]string, datasets ...string) *illumos.ZoneConfig {
		c := &illumos.ZoneConfig{}
		for k, v := range attrs {
			c.Attrs = append(c.Attrs, illumos.Attr{Name: k, Value: v})
		}
		for _, d := range datasets {
			c.Datasets = append(c.Datasets, illumos.Dataset{Name: d})
		}
		return c
	}
	w := &World{
		Zones: map[string]*Zone{
			"b1":  {Name: "b1", State: "installed", Zonepath: "/zones/DIZ/b1", Config: cfg(map[string]string{AttrRun: "r1"})},
			"b2":  {Name: "b2", State: "running", Zonepath: "/zones/DIZ/b2", Config: cfg(map[string]string{AttrRun: "r2"}, "rpool/export/ccache")},
			"old": {Name: "old", State: "installed", Config: cfg(map[string]string{AttrCreated: "2026-01-01T00:00:00Z"})},
		},
		Order: []string{"b1", "b2", "old"},
		Datasets: map[string]zfs.Dataset{
			"rpool/DIZ":             {Name: "rpool/DIZ", Props: map[string]string{"mountpoint": "/zones/DIZ"}},
			"rpool/DIZ/b1":          {Name: "rpool/DIZ/b1", Props: map[string]string{PropRun: "-"}},
			"rpool/DIZ/b2":          {Name: "rpool/DIZ/b2", Props: map[string]string{PropRun: "-"}},
			"rpool/export/ccache":   {Name: "rpool/export/ccache", Props: map[string]string{PropRun: "r1"}},
			"rpool/export/p":        {Name: "rpool/export/p", Props: map[string]string{PropRun: "r1"}},
			"rpool/export/p/child":  {Name: "rpool/export/p/child", Props: map[string]string{PropRun: "r3"}},
			"rpool/export/mine":     {Name: "rpool/export/mine", Props: map[string]string{PropRun: "r1"}},
			"rpool/DIZ/c1":          {Name: "rpool/DIZ/c1", Props: map[string]string{"type": "filesystem"}},
			"rpool/DIZ/c1/ROOT":     {Name: "rpool/DIZ/c1/ROOT", Props: map[string]string{"type": "filesystem"}},
			"rpool/DIZ/c1/ROOT/zbe": {Name: "rpool/DIZ/c1/ROOT/zbe", Props: map[string]string{"type": "filesystem", "origin": "rpool/GIZ/g/ROOT/zbe@s"}},
			"rpool/DIZ/c2":          {Name: "rpool/DIZ/c2", Props: map[string]string{"type": "filesystem"}},
			"rpool/DIZ/c2/ROOT/zbe": {Name: "rpool/DIZ/c2/ROOT/zbe", Props: map[string]string{"type": "filesystem", "origin": "rpool/GIZ/other/ROOT/zbe@s"}},
			"rpool/DIZ/c2/data":     {Name: "rpool/DIZ/c2/data", Props: map[string]string{"type": "filesystem"}},
			"rpool/DIZ/c2@mine":     {Name: "rpool/DIZ/c2@mine", Props: map[string]string{"type": "snapshot"}},
		},
		Containers: map[string]string{"rpool/DIZ": "/zones/DIZ"},
		learned:    map[string]bool{"rpool/export": true},
	}
	f := &facts{w: w, vnics: map[string]vnicFacts{"autodizb1_0": {Over: "e1000g0", VID: "0", MAC: testMAC}, "autodizb2_0": {Over: "e1000g0", VID: "0", MAC: "2:8:20:0:0:2"}}}
	w.Zones["b2"].Config.Nets = []illumos.Net{{Physical: "autodizb2_0"}}
	own := owner{zone: "b1", run: "r1"}
	for _, tt := range []struct {
		name string
		g    Guard
		want verdict
		why  string
	}{
		{"own zone", Guard{Zone: "b1", ZoneRun: "r1"}, undoIt, ""},
		{"zone gone", Guard{Zone: "b9", ZoneRun: "r1"}, undoGone, "zone b9 no longer exists"},
		{"zone made again", Guard{Zone: "b2", ZoneRun: "r1"}, undoKeep, "zone b2 is not the one this run worked on: it was made by run r2"},
		{"zone of old", Guard{Zone: "old", ZoneRun: "r1"}, undoKeep, "it was made 2026-01-01T00:00:00Z"},
		{"zone state", Guard{Zone: "b1", ZoneRun: "r1", States: kernelStates}, undoGone, "zone b1 is installed"},
		{"dataset own", Guard{Dataset: "rpool/export/mine", Run: "r1", Unused: true}, undoIt, ""},
		{"dataset gone", Guard{Dataset: "rpool/export/gone", Run: "r1"}, undoGone, "rpool/export/gone no longer exists"},
		{"dataset adopted", Guard{Dataset: "rpool/export/ccache", Run: "r1", Unused: true}, undoKeep, "rpool/export/ccache is used by zone b2"},
		{"dataset of another run", Guard{Dataset: "rpool/export/p/child", Run: "r1"}, undoKeep, "was made by run r3"},
		{"parent with children", Guard{Dataset: "rpool/export/p", Run: "r1", Childless: true}, undoKeep, "holds other datasets now: rpool/export/p/child"},
		{"zone dataset in use", Guard{Dataset: "rpool/DIZ/b2", Unused: true}, undoKeep, "rpool/DIZ/b2 is used by zone b2"},
		{"own zone dataset", Guard{Dataset: "rpool/DIZ/b1", Unused: true}, undoIt, ""},
		{"unlisted dataset", Guard{Dataset: "tank/x", Run: "r1"}, undoKeep, "tank/x could not be looked up"},
		{"vnic own", Guard{VNIC: "autodizb1_0", Unused: true}, undoIt, ""},
		{"vnic own by its address", Guard{VNIC: "autodizb1_0", Over: "e1000g0", MAC: testMAC, Unused: true}, undoIt, ""},
		{"vnic made again", Guard{VNIC: "autodizb1_0", Over: "e1000g0", MAC: "2:8:20:0:0:3", Unused: true}, undoKeep, "VNIC autodizb1_0 is not the one this run made: it is over e1000g0 with MAC address 2:8:20:0:0:1, the run's was to be over e1000g0 with 2:8:20:0:0:3"},
		{"vnic over another link", Guard{VNIC: "autodizb1_0", Over: "igb0", MAC: testMAC, Unused: true}, undoKeep, "is not the one this run made"},
		{"vnic gone", Guard{VNIC: "autodizb9_0", Unused: true}, undoGone, "VNIC autodizb9_0 no longer exists"},
		{"vnic used", Guard{VNIC: "autodizb2_0", Unused: true}, undoKeep, "VNIC autodizb2_0 is configured in zone b2"},
		{"explicit owner", Guard{Dataset: "rpool/export/ccache", Unused: true, Owner: "b2", OwnerRun: "r2"}, undoIt, ""},
		{"file gone", Guard{File: filepath.Join(t.TempDir(), "x")}, undoGone, "no longer exists"},
		{"a clone's tree", Guard{Dataset: "rpool/DIZ/c1", CloneOf: "rpool/GIZ/g/ROOT/zbe@s"}, undoIt, ""},
		{"more than a clone's tree", Guard{Dataset: "rpool/DIZ/c2", CloneOf: "rpool/GIZ/g/ROOT/zbe@s"}, undoKeep,
			"rpool/DIZ/c2 holds what a clone of rpool/GIZ/g/ROOT/zbe@s does not make: rpool/DIZ/c2/ROOT/zbe, rpool/DIZ/c2/data, rpool/DIZ/c2@mine (a snapshot)"},
	} {
		g := tt.g
		v, why := g.check(f, own)
		if v != tt.want || !strings.Contains(why, tt.why) {
			t.Errorf("%s: check = %v %q, want %v %q", tt.name, v, why, tt.want, tt.why)
		}
	}
}

// TestFactsApplied: the effect of each undo command on the facts.
func TestFactsApplied(t *testing.T) {
	w := &World{
		Zones: map[string]*Zone{"b1": {Name: "b1", State: "running"}},
		Order: []string{"b1"},
		Datasets: map[string]zfs.Dataset{
			"p/d": {Name: "p/d"}, "p/d/c": {Name: "p/d/c"}, "p/d@s": {Name: "p/d@s"}, "p/d/c@s": {Name: "p/d/c@s"}, "p/e": {Name: "p/e"},
		},
	}
	f := &facts{w: w, vnics: map[string]vnicFacts{"v_0": {Over: "e1000g0", VID: "0", MAC: testMAC}}}
	f.applied([]string{"zoneadm", "-z", "b1", "halt"})
	if w.Zones["b1"].State != "installed" {
		t.Errorf("after halt: %s", w.Zones["b1"].State)
	}
	f.applied([]string{"zoneadm", "-z", "b1", "uninstall", "-F"})
	if w.Zones["b1"].State != "configured" {
		t.Errorf("after uninstall: %s", w.Zones["b1"].State)
	}
	f.applied([]string{"zfs", "destroy", "-r", "p/d@s"})
	if w.Exists("p/d@s") || w.Exists("p/d/c@s") || !w.Exists("p/d") {
		t.Errorf("after zfs destroy -r p/d@s: %v", w.Datasets)
	}
	f.applied([]string{"zfs", "destroy", "-r", "p/d"})
	if w.Exists("p/d") || w.Exists("p/d/c") || !w.Exists("p/e") {
		t.Errorf("after zfs destroy -r p/d: %v", w.Datasets)
	}
	f.applied([]string{"dladm", "delete-vnic", "v_0"})
	f.applied([]string{"zonecfg", "-z", "b1", "delete", "-F"})
	if _, ok := f.vnics["v_0"]; ok || w.Zones["b1"] != nil || len(w.Order) != 0 {
		t.Errorf("after delete-vnic and zonecfg delete: %v %v %v", f.vnics, w.Zones, w.Order)
	}
}

func TestOrphansDescribe(t *testing.T) {
	for _, tt := range []struct {
		o    Orphans
		want string
	}{
		{Orphans{Journals: []string{"/j"}}, ""},
		{Orphans{VNICs: []string{"autodiza_0", "autodizb_0"}}, "VNICs autodiza_0, autodizb_0"},
		{Orphans{Zones: []string{"z"}, Datasets: []string{"p/d"}, Snapshots: []string{"p/d@s"}}, "zones z; datasets p/d; snapshots p/d@s"},
	} {
		if got := tt.o.describe(); got != tt.want {
			t.Errorf("describe(%+v) = %q, want %q", tt.o, got, tt.want)
		}
	}
}
