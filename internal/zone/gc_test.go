package zone

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// gcGZ is fakeGZ with VNICs: dladm show-vnic lists them, dladm
// delete-vnic removes one, and every other command that is not a read
// succeeds and is recorded as mutating.
type gcGZ struct {
	*fakeGZ
	vnics    []string
	mutating [][]string
}

func (g *gcGZ) Run(ctx context.Context, c illumos.Cmd) (illumos.Result, error) {
	switch {
	case len(c.Argv) > 1 && c.Argv[0] == "dladm" && c.Argv[1] == "show-vnic":
		return illumos.Result{Stdout: []byte(strings.Join(g.vnics, "\n") + "\n")}, nil
	case slices.Equal(c.Argv, []string{"zoneadm", "list", "-cp"}), len(c.Argv) > 1 && c.Argv[0] == "zfs" && c.Argv[1] == "list":
		return g.fakeGZ.Run(ctx, c)
	}
	g.mutating = append(g.mutating, c.Argv)
	if len(c.Argv) == 3 && c.Argv[0] == "dladm" && c.Argv[1] == "delete-vnic" {
		g.vnics = slices.DeleteFunc(g.vnics, func(v string) bool { return v == c.Argv[2] })
	}
	return illumos.Result{}, nil
}

// deadPID returns the pid of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Skipf("cannot start true: %v", err)
	}
	return c.Process.Pid
}

func writeJournal(t *testing.T, h *Host, j *Journal) string {
	t.Helper()
	dir := h.stateDir("journal")
	os.MkdirAll(dir, 0o700)
	b, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, j.Zone+"-"+j.Op+".json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestGC replays a killed run's journal (undo commands of begun and done
// steps, newest first), removes an orphaned automatic VNIC, and leaves
// alone a VNIC that is not zonemgr's and one a live run made. Check mode
// reports the same commands and runs none.
func TestGC(t *testing.T) {
	for _, check := range []bool{true, false} {
		h, f := fakeHost(t)
		h.CheckMode = check
		g := &gcGZ{fakeGZ: f, vnics: []string{"autodizgone_0", "autodizbusy_0", "myvnic0"}}
		h.Runner = g
		started := time.Date(2026, 11, 28, 11, 0, 0, 0, time.UTC)
		killed := writeJournal(t, h, &Journal{Op: "diz", Zone: "b1", PID: deadPID(t), Started: started, Entries: []JournalEntry{
			{Do: "zfs create -o zoned=on -o mountpoint=legacy rpool/zones/_zonemgr/delegated/b1", Undo: []string{"zfs", "destroy", "-r", "rpool/zones/_zonemgr/delegated/b1"}, State: "done"},
			{Do: "dladm create-vnic -l e1000g0 autodizb1_0", Undo: []string{"dladm", "delete-vnic", "autodizb1_0"}, State: "undone"},
			{Do: "zonecfg -z b1 -f <file>", Undo: []string{"zonecfg", "-z", "b1", "delete", "-F"}, State: "begun"},
			{Do: "wait for the milestone", State: "begun"},
		}})
		live := writeJournal(t, h, &Journal{Op: "diz", Zone: "busy", PID: os.Getpid(), Started: started, Entries: []JournalEntry{
			{Do: "dladm create-vnic -l e1000g0 autodizbusy_0", Undo: []string{"dladm", "delete-vnic", "autodizbusy_0"}, State: "done"},
		}})
		rep, out, err := h.GC(context.Background())
		if err != nil {
			t.Fatalf("check=%v: %v", check, err)
		}
		want := []string{"zonecfg -z b1 delete -F", "zfs destroy -r rpool/zones/_zonemgr/delegated/b1", "dladm delete-vnic autodizgone_0"}
		if !slices.Equal(rep.Commands, want) || !slices.Equal(out.Plan, want) {
			t.Errorf("check=%v: commands %q, plan %q, want %q", check, rep.Commands, out.Plan, want)
		}
		if !slices.Equal(rep.Found.Journals, []string{killed}) || !slices.Equal(rep.Found.VNICs, []string{"autodizbusy_0", "autodizgone_0"}) {
			t.Errorf("check=%v: found %+v", check, rep.Found)
		}
		if !slices.Contains(rep.Skipped, "VNIC autodizbusy_0: a running operation made it") {
			t.Errorf("check=%v: skipped %q", check, rep.Skipped)
		}
		var ran []string
		for _, c := range g.mutating {
			ran = append(ran, strings.Join(c, " "))
		}
		_, errKilled := os.Stat(killed)
		_, errLive := os.Stat(live)
		if errLive != nil {
			t.Errorf("check=%v: the live run's journal was removed", check)
		}
		if check {
			if len(ran) != 0 || errKilled != nil || out.Msg != "gc would run 3 command(s) and remove 1 journal(s)" {
				t.Errorf("check mode ran %q, journal %v, msg %q", ran, errKilled, out.Msg)
			}
			continue
		}
		if !slices.Equal(ran, want) || !os.IsNotExist(errKilled) || !out.Changed {
			t.Errorf("ran %q (want %q), killed run's journal: %v, changed %v", ran, want, errKilled, out.Changed)
		}
		if len(rep.Left.VNICs) != 0 || len(rep.Left.Journals) != 0 {
			t.Errorf("left %+v", rep.Left)
		}
	}
}

// TestGCKeepsLaterZone does not replay a killed run's undo commands on a
// zone of the same name that a later run made.
func TestGCKeepsLaterZone(t *testing.T) {
	h, f := fakeHost(t)
	h.CheckMode = false
	g := &gcGZ{fakeGZ: f}
	h.Runner = g
	xml := strings.Replace(goldenXML, `value="template:SUNWipkg"/>`, `value="template:SUNWipkg"/>
  <attr name="zonemgr.created" type="string" value="2026-11-28T12:00:00Z"/>`, 1)
	os.WriteFile(filepath.Join(h.Root, "etc/zones/golden.xml"), []byte(xml), 0o644)
	p := writeJournal(t, h, &Journal{Op: "giz", Zone: "golden", PID: deadPID(t), Started: time.Date(2026, 11, 28, 11, 0, 0, 0, time.UTC), Entries: []JournalEntry{
		{Do: "zoneadm -z golden install", Undo: []string{"zoneadm", "-z", "golden", "uninstall", "-F"}, State: "done"},
	}})
	rep, _, err := h.GC(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(g.mutating) != 0 {
		t.Errorf("ran %v on a zone made by a later run", g.mutating)
	}
	if len(rep.Skipped) != 1 || !strings.Contains(rep.Skipped[0], "zone golden was made again by a later run") {
		t.Errorf("skipped %q", rep.Skipped)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("the journal was not removed: %v", err)
	}
}

func TestLaterZone(t *testing.T) {
	j := &Journal{Started: time.Date(2026, 11, 28, 11, 0, 0, 500, time.UTC)}
	for _, tt := range []struct {
		created string
		want    bool
	}{
		{"2026-11-28T10:59:59Z", false},
		{"2026-11-28T11:00:00Z", false}, // the same second: the journaled run's zone
		{"2026-11-28T11:00:01Z", true},
		{"", false},
		{"garbage", false},
	} {
		z := &Zone{Config: &illumos.ZoneConfig{Attrs: []illumos.Attr{{Name: AttrCreated, Value: tt.created}}}}
		if got := laterZone(z, j); got != tt.want {
			t.Errorf("laterZone(created %q) = %v, want %v", tt.created, got, tt.want)
		}
	}
}

func TestOrphansDescribe(t *testing.T) {
	for _, tt := range []struct {
		o    Orphans
		want string
	}{
		{Orphans{Journals: []string{"/j"}}, ""},
		{Orphans{VNICs: []string{"autodiza_0", "autodizb_0"}}, "VNICs autodiza_0, autodizb_0"},
		{Orphans{Zones: []string{"z"}, Datasets: []string{"p/d"}, Snapshots: []string{"p/d@z_snap"}}, "zones z; datasets p/d; snapshots p/d@z_snap"},
	} {
		if got := tt.o.describe(); got != tt.want {
			t.Errorf("describe(%+v) = %q, want %q", tt.o, got, tt.want)
		}
	}
}

// TestJournalKeep: a disposable zone's journal outlives its plan's
// success, until the run finishes it.
func TestJournalKeep(t *testing.T) {
	dir := t.TempDir()
	ctx, d := withDisposable(context.Background())
	j, err := NewJournal(dir, "diz", "x1")
	if err != nil {
		t.Fatal(err)
	}
	if err := adoptJournal(ctx, j); err != nil {
		t.Fatal(err)
	}
	if d.j != j || !j.Discard {
		t.Fatalf("journal not adopted: %+v", d)
	}
	if err := Apply(context.Background(), nil, j, &Plan{Zone: "x1"}); err != nil {
		t.Fatal(err)
	}
	if got, err := readJournal(j.Path()); err != nil || !got.Discard {
		b, _ := os.ReadFile(j.Path())
		t.Fatalf("journal after success: %v %s", err, b)
	}
	j.Finish()
	if _, err := os.Stat(j.Path()); !os.IsNotExist(err) {
		t.Errorf("Finish left the journal: %v", err)
	}
}
