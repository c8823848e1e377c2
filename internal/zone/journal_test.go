package zone

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
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

// A journal whose file cannot be removed when its run ends is marked
// finished, and reads back as nothing to replay; when it cannot be
// marked either, Finish says so and names the file.
func TestFinishWhenTheJournalCannotBeRemoved(t *testing.T) {
	defer func(f func(string) error) { removeFile = f }(removeFile)
	removeFile = func(string) error { return &os.PathError{Op: "remove", Path: "j", Err: os.ErrPermission} }

	j, err := NewJournal(t.TempDir(), "diz", "b1", "r1", &Recovery{Kind: "destroy", Zone: "b1", ZoneRun: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	clone := step("zoneadm -z b1 clone golden", "zoneadm -z b1 uninstall -F")
	if err := j.Begin(0, clone); err != nil {
		t.Fatal(err)
	}
	j.Done(0)
	if err := j.Finish(); err != nil {
		t.Fatalf("Finish: %v", err)
	}
	got, err := readJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Entries) != 0 || got.Recover != nil {
		t.Errorf("a finished journal reads back with entries %+v and recovery %+v, want nothing to replay", got.Entries, got.Recover)
	}

	j2, err := NewJournal(t.TempDir(), "diz", "b2", "r2", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := j2.Begin(0, clone); err != nil {
		t.Fatal(err)
	}
	// The file can no longer be written either.
	j2.f.Close()
	ro, err := os.Open(j2.Path())
	if err != nil {
		t.Fatal(err)
	}
	j2.f = ro
	err = j2.Finish()
	if err == nil || !strings.Contains(err.Error(), j2.Path()) || !strings.Contains(err.Error(), "remove it before zonemgr gc runs") {
		t.Errorf("Finish with a journal that can be neither removed nor written: %v, want an error naming %s", err, j2.Path())
	}
	if j2.f != nil {
		t.Error("Finish kept the journal open (and locked)")
	}
}

// A step the journal cannot record does not run, and the steps done
// before it are undone, as for a step that failed; the journal is then
// released.
func TestApplyUndoesWhenTheJournalCannotBeWritten(t *testing.T) {
	h, f := fakeHost(t)
	h.CheckMode = false
	j, err := NewJournal(t.TempDir(), "diz", "b1", "r1", nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &Plan{Zone: "b1", Run: "r1", Steps: []Step{
		step("dladm create-vnic -l e1000g0 v0", "dladm delete-vnic v0"),
		step("dladm create-vnic -l e1000g0 v1", "dladm delete-vnic v1"),
	}}
	f.onChange = func(argv []string) {
		if slices.Equal(argv, []string{"dladm", "create-vnic", "-l", "e1000g0", "v0"}) {
			j.f.Close() // the journal's file system goes away
		}
	}
	err = h.apply(context.Background(), j, p)
	var ae *ApplyError
	if !errors.As(err, &ae) || !strings.Contains(ae.Err.Error(), "journal") || !slices.Equal(ae.Undone, []string{"dladm delete-vnic v0"}) {
		t.Fatalf("apply = %v, want an ApplyError for the journal that undid the first step", err)
	}
	if got, want := f.mutations(), []string{"dladm create-vnic -l e1000g0 v0", "dladm delete-vnic v0"}; !slices.Equal(got, want) {
		t.Errorf("commands run: %q, want %q (the second step never ran)", got, want)
	}
	if j.f != nil {
		t.Error("the journal is still open (and locked) after the failed run")
	}
}

// TestJournalDurable: each line is synced before its step runs, and the
// directory when the journal is created and when it is removed, so that
// a power loss neither loses a step that took effect nor brings back the
// journal of a run that ended. A write cut short (a full disk) is cut
// off the file, which stays readable with the lines after it.
func TestJournalDurable(t *testing.T) {
	defer func(w func(*os.File, []byte) (int, error), f func(*os.File) error, d func(string) error) {
		writeJournal, syncFile, syncDir = w, f, d
	}(writeJournal, syncFile, syncDir)
	var files, dirs int
	syncFile = func(f *os.File) error { files++; return f.Sync() }
	syncDir = func(d string) error { dirs++; return syncDirectory(d) }

	dir := t.TempDir()
	j, err := NewJournal(dir, "diz", "b1", "r1", nil)
	if err != nil {
		t.Fatal(err)
	}
	// The header, and the directory after the rename (a directory's
	// own sync counts as a file's too).
	if files != 2 || dirs != 1 {
		t.Errorf("after NewJournal: %d file syncs, %d directory syncs; want the header and the directory", files, dirs)
	}
	clone := step("zoneadm -z b1 clone golden", "zoneadm -z b1 uninstall -F")
	if err := j.Begin(0, clone); err != nil {
		t.Fatal(err)
	}
	if files != 3 {
		t.Errorf("after Begin: %d file syncs, want the step's line synced", files)
	}

	writeJournal = func(f *os.File, b []byte) (int, error) {
		n, _ := f.Write(b[:len(b)/2])
		return n, errors.New("no space left on device")
	}
	if err := j.Begin(1, step("zoneadm -z b1 boot", "zoneadm -z b1 halt")); err == nil || !strings.Contains(err.Error(), j.Path()) {
		t.Errorf("Begin with a short write: %v, want an error naming the journal", err)
	}
	writeJournal = (*os.File).Write
	if err := j.Undone(0); err != nil {
		t.Fatal(err)
	}
	got, err := readJournal(j.Path())
	if err != nil || len(got.Entries) != 1 || got.Entries[0].State != "undone" {
		t.Fatalf("the journal after a short write and a later line: %+v, %v", got, err)
	}
	dirs = 0
	if err := j.Finish(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(j.Path()); !os.IsNotExist(err) || dirs != 1 {
		t.Errorf("after Finish: %v, %d directory syncs; want the journal removed and the removal synced", err, dirs)
	}
}

// TestJournalDirectorySyncUnsupported: a file system that cannot sync a
// directory (EINVAL, ENOTSUP) does not stop a run; another error does.
func TestJournalDirectorySyncUnsupported(t *testing.T) {
	defer func(f func(*os.File) error) { syncFile = f }(syncFile)
	for _, tc := range []struct {
		err error
		ok  bool
	}{{syscall.EINVAL, true}, {syscall.ENOTSUP, true}, {syscall.EIO, false}} {
		syncFile = func(f *os.File) error {
			if fi, err := f.Stat(); err == nil && fi.IsDir() {
				return &os.PathError{Op: "sync", Path: f.Name(), Err: tc.err}
			}
			return f.Sync()
		}
		j, err := NewJournal(t.TempDir(), "diz", "b1", "r1", nil)
		if (err == nil) != tc.ok {
			t.Errorf("directory sync failing with %v: NewJournal %v", tc.err, err)
		}
		j.Finish()
	}
}

// TestJournalOpsAreEveryOperations: the names namesZone knows are those
// every operation gives its journal, so that an unreadable journal of any
// of them refuses its zone.
func TestJournalOpsAreEveryOperations(t *testing.T) {
	ops := []interface{ journal() string }{&dizRun{}, &execZoneOp{}, &execDIZOp{}, &gizRun{}, &gizOp{}, &gizOp{update: true}, &exportOp{}, &importOp{}, &snapshotOp{}}
	seen := map[string]bool{}
	for _, o := range ops {
		seen[o.journal()] = true
	}
	var got []string
	for n := range seen {
		got = append(got, n)
	}
	slices.Sort(got)
	if !slices.Equal(got, journalOps) {
		t.Errorf("the operations' journal names %q, journalOps %q", got, journalOps)
	}
	for _, n := range journalOps {
		if !namesZone("golden-"+n+"-0123456789abcdef01234567.json", "golden") || namesZone("golden-"+n+"-0123456789abcdef01234567.json", "gold") {
			t.Errorf("namesZone with op %s", n)
		}
	}
}
