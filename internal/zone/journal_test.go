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
// their undo commands, undone ones marked, and a disposable zone's mark.
func TestJournalRoundTrip(t *testing.T) {
	j, err := NewJournal(t.TempDir(), "diz", "b1")
	if err != nil {
		t.Fatal(err)
	}
	cfg := step("zonecfg -z b1 -f /tmp/x", "zonecfg -z b1 delete -F")
	clone := step("zoneadm -z b1 clone golden", "zoneadm -z b1 uninstall -F")
	boot := step("zoneadm -z b1 boot", "zoneadm -z b1 halt")
	for _, s := range []Step{cfg, clone, boot} {
		if err := j.Begin(s); err != nil {
			t.Fatal(err)
		}
	}
	j.Done(cfg)
	j.Done(clone)
	if err := j.Undone(clone); err != nil {
		t.Fatal(err)
	}
	if err := j.adopt(); err != nil {
		t.Fatal(err)
	}
	got, err := readJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	want := []JournalEntry{
		{Do: cfg.String(), Undo: cfg.Undo.Argv, State: "begun"}, // done is not written: gc treats both alike
		{Do: clone.String(), Undo: clone.Undo.Argv, State: "undone"},
		{Do: boot.String(), Undo: boot.Undo.Argv, State: "begun"},
	}
	if !reflect.DeepEqual(got.Entries, want) || !got.Discard || got.Op != "diz" || got.Zone != "b1" || got.PID != os.Getpid() || !got.Started.Equal(j.Started) {
		t.Errorf("read back %+v, want entries %+v, discard, op diz, zone b1, pid %d", got, want, os.Getpid())
	}
	j.Finish()
	if _, err := os.Stat(j.Path()); !os.IsNotExist(err) {
		t.Errorf("Finish left the journal: %v", err)
	}
	// Events after Finish have nowhere to go and say so.
	if err := j.Begin(boot); err == nil {
		t.Error("Begin after Finish: no error")
	}
}

func TestReadJournal(t *testing.T) {
	const header = `{"op":"giz","zone":"golden","pid":7,"started":"2026-11-28T11:00:00Z","entries":null}`
	for _, tc := range []struct {
		name, text string
		want       []JournalEntry // nil with wantErr
		discard    bool
		wantErr    string
	}{
		{name: "header only", text: header + "\n", want: nil},
		{name: "begun and undone",
			text: header + "\n" + `{"do":"a","undo":["x","a"],"state":"begun"}` + "\n" + `{"do":"b","undo":["x","b"],"state":"begun"}` + "\n" + `{"do":"a","state":"undone"}` + "\n",
			want: []JournalEntry{{Do: "a", Undo: []string{"x", "a"}, State: "undone"}, {Do: "b", Undo: []string{"x", "b"}, State: "begun"}}},
		{name: "a torn last line is passed over",
			text: header + "\n" + `{"do":"a","undo":["x","a"],"state":"begun"}` + "\n" + `{"do":"b","und`,
			want: []JournalEntry{{Do: "a", Undo: []string{"x", "a"}, State: "begun"}}},
		{name: "discard", text: header + "\n{\"discard\":true}\n", discard: true},
		{name: "a whole journal in one object",
			text: `{"op":"giz","zone":"golden","pid":7,"started":"2026-11-28T11:00:00Z","entries":[{"do":"a","undo":["x","a"],"state":"done"}],"discard":true}`,
			want: []JournalEntry{{Do: "a", Undo: []string{"x", "a"}, State: "done"}}, discard: true},
		{name: "empty", text: "", wantErr: "empty"},
		{name: "a bad line in the middle", text: header + "\n{oops\n{\"discard\":true}\n", wantErr: "line 2"},
		{name: "an unknown event", text: header + "\n{\"state\":\"exploded\"}\n", wantErr: "unknown event"},
	} {
		p := filepath.Join(t.TempDir(), "j.json")
		if err := os.WriteFile(p, []byte(tc.text), 0o600); err != nil {
			t.Fatal(err)
		}
		j, err := readJournal(p)
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
		if !reflect.DeepEqual(j.Entries, tc.want) || j.Discard != tc.discard || j.Zone != "golden" || j.PID != 7 {
			t.Errorf("%s: read %+v, want entries %+v discard %v", tc.name, j, tc.want, tc.discard)
		}
	}
}
