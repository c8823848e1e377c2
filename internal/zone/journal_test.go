package zone

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

func step(do, undo string) Step {
	s := Step{Why: do, Cmd: &illumos.Cmd{Argv: strings.Fields(do)}}
	if undo != "" {
		s.Undo = &illumos.Cmd{Argv: strings.Fields(undo)}
	}
	return s
}

// What a run writes is what gc reads back: begun and done steps with
// their undo commands and guards, undone ones marked, and a recovery.
func TestJournalRoundTrip(t *testing.T) {
	j, err := NewJournal(t.TempDir(), "diz", "b1", "r1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(j.Path()) != "b1-diz-r1.json" {
		t.Errorf("journal file %s", j.Path())
	}
	cfg := step("zonecfg -z b1 -f /tmp/x", "zonecfg -z b1 delete -F")
	cfg.Guard = &Guard{Zone: "b1", ZoneRun: "r1"}
	clone := step("zoneadm -z b1 clone golden", "zoneadm -z b1 uninstall -F")
	boot := step("zoneadm -z b1 boot", "zoneadm -z b1 halt")
	for i, s := range []Step{cfg, clone, boot} {
		if err := j.Begin(i, s); err != nil {
			t.Fatal(err)
		}
	}
	j.Done(0)
	j.Done(1)
	if err := j.Undone(1); err != nil {
		t.Fatal(err)
	}
	if err := j.SetRecovery(Recovery{Kind: "destroy", Zone: "b1", ZoneRun: "r1"}); err != nil {
		t.Fatal(err)
	}
	got, err := readJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	want := []JournalEntry{
		{Step: 0, Do: cfg.String(), Undo: cfg.Undo.Argv, Guard: cfg.Guard, State: "begun"}, // done is not written: gc treats both alike
		{Step: 1, Do: clone.String(), Undo: clone.Undo.Argv, State: "undone"},
		{Step: 2, Do: boot.String(), Undo: boot.Undo.Argv, State: "begun"},
	}
	if !reflect.DeepEqual(got.Entries, want) || got.Recover == nil || got.Recover.Kind != "destroy" || got.Op != "diz" || got.Zone != "b1" || got.Run != "r1" || got.Version != journalVersion || got.PID != os.Getpid() || !got.Started.Equal(j.Started) {
		t.Errorf("read back %+v, want entries %+v, recovery, op diz, zone b1, run r1, pid %d", got, want, os.Getpid())
	}
	j.Finish()
	if _, err := os.Stat(j.Path()); !os.IsNotExist(err) {
		t.Errorf("Finish left the journal: %v", err)
	}
	// Events after Finish have nowhere to go and say so.
	if err := j.Begin(3, boot); err == nil {
		t.Error("Begin after Finish: no error")
	}
	// Nothing but the journal was left in the directory: the temporary
	// name it was made under is gone.
	if left, _ := os.ReadDir(filepath.Dir(j.Path())); len(left) != 0 {
		t.Errorf("left in the journal directory: %v", left)
	}
}

func TestParseJournal(t *testing.T) {
	const header = `{"version":2,"op":"giz","zone":"golden","run":"r7","pid":7,"started":"2026-11-28T11:00:00Z"}`
	for _, tc := range []struct {
		name, text string
		want       []JournalEntry // nil with wantErr
		recover    bool
		version    int
		wantErr    string
	}{
		{name: "header only", text: header + "\n", version: 2},
		{name: "begun and undone", version: 2,
			text: header + "\n" + `{"step":0,"do":"a","undo":["x","a"],"state":"begun"}` + "\n" + `{"step":1,"do":"b","undo":["x","b"],"guard":{"vnic":"b"},"state":"begun"}` + "\n" + `{"step":0,"state":"undone"}` + "\n",
			want: []JournalEntry{{Step: 0, Do: "a", Undo: []string{"x", "a"}, State: "undone"}, {Step: 1, Do: "b", Undo: []string{"x", "b"}, Guard: &Guard{VNIC: "b"}, State: "begun"}}},
		{name: "a torn last line is passed over", version: 2,
			text: header + "\n" + `{"step":0,"do":"a","undo":["x","a"],"state":"begun"}` + "\n" + `{"step":1,"do":"b","und`,
			want: []JournalEntry{{Step: 0, Do: "a", Undo: []string{"x", "a"}, State: "begun"}}},
		{name: "recovery", text: header + "\n{\"recover\":{\"kind\":\"destroy\",\"zone\":\"golden\",\"zone_run\":\"r7\"}}\n", recover: true, version: 2},
		{name: "the previous format reads, marked as such",
			text: `{"op":"giz","zone":"golden","pid":7,"started":"2026-11-28T11:00:00Z"}` + "\n" + `{"do":"a","undo":["x","a"],"state":"begun"}` + "\n" + `{"do":"a","state":"undone"}` + "\n",
			want: []JournalEntry{{Step: -1, Do: "a", Undo: []string{"x", "a"}, State: "undone"}}},
		{name: "empty", text: "", wantErr: "empty"},
		{name: "a bad line in the middle", text: header + "\n{oops\n{\"state\":\"undone\",\"step\":1}\n", wantErr: "line 2"},
		{name: "an unknown event", text: header + "\n{\"state\":\"exploded\"}\n", wantErr: "unknown event"},
	} {
		j, err := parseJournal("j.json", []byte(tc.text))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: err = %v, want one mentioning %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(j.Entries, tc.want) || (j.Recover != nil) != tc.recover || j.Version != tc.version || j.Zone != "golden" || j.PID != 7 {
			t.Errorf("%s: read %+v, want entries %+v recover %v version %d", tc.name, j, tc.want, tc.recover, tc.version)
		}
	}
}

// A journal larger than the bound is refused, not read whole.
func TestReadJournalBounded(t *testing.T) {
	p := filepath.Join(t.TempDir(), "j.json")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxJournalSize + 10); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := readJournal(p); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("err = %v", err)
	}
}
