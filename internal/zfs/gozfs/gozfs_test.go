package gozfs_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zfs"
	"github.com/zonemgr/zonemgr/internal/zfs/gozfs"
)

// An *illumos.Transcript is what front doors pass to WithRecorder.
var _ zfs.Recorder = (*illumos.Transcript)(nil)

type entries struct {
	mu sync.Mutex
	e  []illumos.TranscriptEntry
}

func (l *entries) Add(e illumos.TranscriptEntry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.e = append(l.e, e)
}

// byLibrary runs argv as a plan's step runs it with go-zfs registered,
// failing the test when go-zfs has no call for it.
func byLibrary(t *testing.T, ctx context.Context, r illumos.Runner, argv ...string) error {
	t.Helper()
	handled, err := gozfs.RunByLibrary(ctx, r, argv)
	if !handled {
		t.Fatalf("RunByLibrary declined %q", argv)
	}
	return err
}

// TestGoZFSCommandNotFound: a zfs that cannot be started is an error
// naming the command, not a *CommandError, and its transcript entry has
// no exit code.
func TestGoZFSCommandNotFound(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	var log entries
	err := byLibrary(t, context.Background(), zfs.WithRecorder(newFake(t), &log), "zfs", "destroy", "rpool/z")
	var ce *illumos.CommandError
	if err == nil || errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "run zfs destroy rpool/z: ") {
		t.Errorf("error = %v, want a start failure naming the command", err)
	}
	if len(log.e) != 1 || log.e[0].ExitCode != -1 {
		t.Errorf("transcript = %+v, want one entry with rc -1", log.e)
	}
}

// TestGoZFSCancelled: a call whose context is done runs nothing.
func TestGoZFSCancelled(t *testing.T) {
	tools := newToolDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := byLibrary(t, ctx, newFake(t), "zfs", "destroy", "rpool/z")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	if calls := tools.calls(); calls != nil {
		t.Errorf("a cancelled call ran %q", calls)
	}
}

// TestGoZFSRefusesBadNames: go-zfs is never handed a name or property
// zfs.DestroyCmd, RollbackCmd or SetPropertyCmd would refuse.
func TestGoZFSRefusesBadNames(t *testing.T) {
	tools := newToolDir(t)
	ctx := context.Background()
	r := newFake(t)
	for _, err := range []error{
		byLibrary(t, ctx, r, "zfs", "destroy", "-R"),
		byLibrary(t, ctx, r, "zfs", "destroy", "rpool/a b"),
		byLibrary(t, ctx, r, "zfs", "set", "-o=x", "rpool/a"),
		byLibrary(t, ctx, r, "zfs", "rollback", "rpool/a"),
	} {
		var ne *zfs.NameError
		if err == nil || (!errors.As(err, &ne) && !strings.Contains(err.Error(), "invalid property name")) {
			t.Errorf("error = %v, want a name error", err)
		}
	}
	if calls := tools.calls(); calls != nil {
		t.Errorf("invalid names ran %q", calls)
	}
}

func TestMain(m *testing.M) {
	// go-zfs runs zfs by bare name: never let a test reach a real one.
	os.Setenv("PATH", "/nonexistent")
	os.Exit(m.Run())
}

// TestLibraryAndRunnerAgree runs each command a plan applies with
// zfs.Apply twice, once with go-zfs registered (the zonemgr command) and
// once without (a module binary, through the runner), and checks that the
// two runs started the same command and left the same error and the same
// transcript entry: the doors cannot tell the two apart.
func TestLibraryAndRunnerAgree(t *testing.T) {
	tests := []struct {
		name     string
		argv     []string
		stderr   string
		exit     int
		readOnly bool
		notExist bool
	}{
		{name: "destroy", argv: argv("zfs destroy rpool/zones/_zonemgr/DIZ/d1")},
		{name: "destroy recursive", argv: argv("zfs destroy -r rpool/zones/_zonemgr/DIZ/d1")},
		{name: "destroy snapshot", argv: argv("zfs destroy rpool/g/ROOT/zbe@d1_snap")},
		{name: "rollback", argv: argv("zfs rollback rpool/z/ROOT/zbe@s1")},
		{name: "rollback destroying newer snapshots", argv: argv("zfs rollback -r rpool/z/ROOT/zbe@s1")},
		{name: "set", argv: argv("zfs set zoned=on rpool/d")},
		{name: "set with spaces", argv: []string{"zfs", "set", "org.example:note=two  words", "rpool/d"}},
		{name: "missing dataset", argv: argv("zfs destroy -r rpool/x"),
			stderr: "cannot open 'rpool/x': dataset does not exist\n", exit: 1, notExist: true},
		{name: "dependent clones", argv: argv("zfs destroy -r rpool/g"),
			stderr: "cannot destroy 'rpool/g': filesystem has dependent clones\nuse '-R' to destroy the following datasets:\nrpool/d/ROOT/zbe\n", exit: 1},
		{name: "newer snapshots", argv: argv("zfs rollback rpool/z@s1"),
			stderr: "cannot rollback to 'rpool/z@s1': more recent snapshots or bookmarks exist\n", exit: 1},
		{name: "check mode", argv: argv("zfs destroy -r rpool/z"), readOnly: true},
		{name: "check mode set", argv: argv("zfs set zoned=on rpool/z"), readOnly: true},
		{name: "check mode rollback", argv: argv("zfs rollback rpool/z@s"), readOnly: true},
	}
	t.Cleanup(func() { zfs.RegisterLibrary(nil) })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type outcome struct {
				calls [][]string
				err   string
				entry illumos.TranscriptEntry
			}
			run := func(lib zfs.Library) outcome {
				zfs.RegisterLibrary(lib)
				tools := newToolDir(t)
				tools.answer("", tt.stderr, tt.exit)
				var steps []illumos.Step
				if lib == nil && !tt.readOnly {
					res := illumos.Result{Stderr: []byte(tt.stderr), ExitCode: tt.exit}
					steps = append(steps, illumos.Step{Argv: tt.argv, Result: res})
				}
				script := newFake(t, steps...)
				tr := illumos.NewTranscript(nil)
				// As zone.Connect composes a front door's runner.
				var r illumos.Runner = illumos.Record(script, tr)
				if tt.readOnly {
					r = illumos.ReadOnly(r)
				}
				err := zfs.Apply(context.Background(), zfs.WithRecorder(r, tr), illumos.Cmd{Argv: tt.argv})
				var o outcome
				for _, c := range script.Calls() {
					o.calls = append(o.calls, c.Argv)
				}
				o.calls = append(o.calls, tools.calls()...)
				if err != nil {
					o.err = err.Error()
					if errors.Is(err, zfs.ErrNotExist) != tt.notExist {
						t.Errorf("errors.Is(%v, ErrNotExist) = %v, want %v", err, !tt.notExist, tt.notExist)
					}
				}
				if e := tr.Entries(); tt.readOnly && len(e) != 0 {
					t.Errorf("transcript = %+v, want no entry for a refused command", e)
				} else if !tt.readOnly && len(e) != 1 {
					t.Errorf("transcript = %+v, want one entry", e)
				} else if len(e) == 1 {
					o.entry = e[0]
					o.entry.Start, o.entry.Duration = time.Time{}, 0
				}
				return o
			}
			lib, runner := run(gozfs.RunByLibrary), run(nil)
			if !reflect.DeepEqual(lib, runner) {
				t.Errorf("go-zfs and the runner disagree:\n go-zfs %+v\n runner %+v", lib, runner)
			}
			wantCalls := [][]string{tt.argv}
			if tt.readOnly {
				wantCalls = nil
			}
			if !reflect.DeepEqual(lib.calls, wantCalls) || (tt.exit == 0 && !tt.readOnly && lib.err != "") || (tt.exit != 0 && lib.err == "") {
				t.Errorf("outcome = %+v, want the command %q run once, failing only when it exits non-zero", lib, wantCalls)
			}
		})
	}
}

// TestLibraryDeclines checks that the commands go-zfs has no call for go
// through the runner even when it is registered.
func TestLibraryDeclines(t *testing.T) {
	t.Cleanup(func() { zfs.RegisterLibrary(nil) })
	zfs.RegisterLibrary(gozfs.RunByLibrary)
	tools := newToolDir(t)
	for _, a := range [][]string{
		argv("zfs create -o canmount=off rpool/zones"),
		argv("zfs snapshot rpool/z@s1"),
		argv("zfs destroy -d rpool/z@s1"),
		argv("zfs rollback -f rpool/z@s1"),
		argv("zfs set a=1 b=2 rpool/z"),
		argv("zfs inherit mountpoint rpool/z"),
		argv("zpool list -H -o name"),
	} {
		script := newFake(t, illumos.Step{Argv: a})
		if err := zfs.Apply(context.Background(), script, illumos.Cmd{Argv: a}); err != nil {
			t.Errorf("Apply(%q) = %v", a, err)
		}
	}
	if calls := tools.calls(); calls != nil {
		t.Errorf("go-zfs ran %q", calls)
	}
}
