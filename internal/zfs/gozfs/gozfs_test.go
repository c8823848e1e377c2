package gozfs_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"runtime"
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

// zpoolGet is the command go-zfs's GetZpool runs on this platform.
func zpoolGet(pool string) []string {
	props := "name,health,allocated,size,free,readonly,dedupratio"
	if runtime.GOOS != "solaris" && runtime.GOOS != "illumos" {
		props += ",fragmentation,freeing,leaked"
	}
	return []string{"zpool", "get", "-Hp", props, pool}
}

func zpoolGetOutput(pool string) string {
	var b strings.Builder
	for _, kv := range [][2]string{
		{"name", pool}, {"health", "ONLINE"}, {"allocated", "1288490188"}, {"size", "53687091200"},
		{"free", "52398601012"}, {"readonly", "off"}, {"dedupratio", "1.00x"},
		{"fragmentation", "3"}, {"freeing", "0"}, {"leaked", "0"},
	} {
		b.WriteString(pool + "\t" + kv[0] + "\t" + kv[1] + "\t-\n")
	}
	return b.String()
}

// TestGoZFSCalls runs each go-zfs based call against fake zfs and zpool
// commands and asserts the exact argv go-zfs produced, that the same argv
// reached the transcript, and the result.
func TestGoZFSCalls(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		stdout   string
		call     func(illumos.Runner) (any, error)
		want     []string
		mutating bool
		result   any
	}{
		{
			name: "destroy",
			call: func(r illumos.Runner) (any, error) {
				return nil, gozfs.Destroy(ctx, r, "rpool/zones/_zonemgr/DIZ/d1", false)
			},
			want:     argv("zfs destroy rpool/zones/_zonemgr/DIZ/d1"),
			mutating: true,
		},
		{
			name: "destroy recursive",
			call: func(r illumos.Runner) (any, error) {
				return nil, gozfs.Destroy(ctx, r, "rpool/zones/_zonemgr/DIZ/d1", true)
			},
			want:     argv("zfs destroy -r rpool/zones/_zonemgr/DIZ/d1"),
			mutating: true,
		},
		{
			name: "destroy snapshot",
			call: func(r illumos.Runner) (any, error) {
				return nil, gozfs.Destroy(ctx, r, "rpool/g/ROOT/zbe@d1_snap", false)
			},
			want:     argv("zfs destroy rpool/g/ROOT/zbe@d1_snap"),
			mutating: true,
		},
		{
			name:     "set property",
			call:     func(r illumos.Runner) (any, error) { return nil, gozfs.SetProperty(ctx, r, "rpool/d", "zoned", "on") },
			want:     argv("zfs set zoned=on rpool/d"),
			mutating: true,
		},
		{
			name: "set property with spaces",
			call: func(r illumos.Runner) (any, error) {
				return nil, gozfs.SetProperty(ctx, r, "rpool/d", "org.example:note", "two  words")
			},
			want:     []string{"zfs", "set", "org.example:note=two  words", "rpool/d"},
			mutating: true,
		},
		{
			name:     "rollback",
			call:     func(r illumos.Runner) (any, error) { return nil, gozfs.Rollback(ctx, r, "rpool/z/ROOT/zbe@s1", false) },
			want:     argv("zfs rollback rpool/z/ROOT/zbe@s1"),
			mutating: true,
		},
		{
			name:     "rollback destroying newer snapshots",
			call:     func(r illumos.Runner) (any, error) { return nil, gozfs.Rollback(ctx, r, "rpool/z/ROOT/zbe@s1", true) },
			want:     argv("zfs rollback -r rpool/z/ROOT/zbe@s1"),
			mutating: true,
		},
		{
			name:   "property value",
			stdout: "rpool/z\tused\t1.20G\t-\n",
			call:   func(r illumos.Runner) (any, error) { return gozfs.PropertyValue(ctx, r, "rpool/z", "used") },
			want:   argv("zfs get -H used rpool/z"),
			result: "1.20G",
		},
		{
			name:   "pool",
			stdout: zpoolGetOutput("rpool"),
			call:   func(r illumos.Runner) (any, error) { return gozfs.GetPool(ctx, r, "rpool") },
			want:   zpoolGet("rpool"),
			result: gozfs.Pool{Name: "rpool", Health: "ONLINE", Allocated: 1288490188, Size: 53687091200,
				Free: 52398601012, ReadOnly: false, DedupRatio: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tools := newToolDir(t)
			tools.answer(tt.stdout, "", 0)
			var log entries
			r := zfs.WithRecorder(newFake(t), &log)
			got, err := tt.call(r)
			if err != nil {
				t.Fatal(err)
			}
			if calls := tools.calls(); !reflect.DeepEqual(calls, [][]string{tt.want}) {
				t.Errorf("commands run:\n got  %q\n want %q", calls, [][]string{tt.want})
			}
			if len(log.e) != 1 {
				t.Fatalf("transcript has %d entries, want 1", len(log.e))
			}
			e := log.e[0]
			if e.Argv != illumos.QuoteArgv(tt.want) || e.ExitCode != 0 || e.Mutating != tt.mutating || e.Err != "" {
				t.Errorf("transcript entry = %+v, want argv %s, rc 0, mutating %v", e, illumos.QuoteArgv(tt.want), tt.mutating)
			}
			if tt.result != nil && !reflect.DeepEqual(got, tt.result) {
				t.Errorf("result = %#v, want %#v", got, tt.result)
			}
		})
	}
}

func TestGoZFSErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		stderr   string
		exit     int
		call     func(illumos.Runner) error
		argv     []string
		notExist bool
		wantErr  string
	}{
		{
			name:     "destroy missing dataset",
			stderr:   "cannot open 'rpool/x': dataset does not exist\n",
			exit:     1,
			call:     func(r illumos.Runner) error { return gozfs.Destroy(ctx, r, "rpool/x", true) },
			argv:     argv("zfs destroy -r rpool/x"),
			notExist: true,
			wantErr:  "destroy rpool/x: zfs destroy -r rpool/x: exit status 1: cannot open 'rpool/x': dataset does not exist",
		},
		{
			name: "destroy with dependent clones",
			stderr: "cannot destroy 'rpool/g': filesystem has dependent clones\n" +
				"use '-R' to destroy the following datasets:\nrpool/d/ROOT/zbe\n",
			exit: 1,
			call: func(r illumos.Runner) error { return gozfs.Destroy(ctx, r, "rpool/g", true) },
			argv: argv("zfs destroy -r rpool/g"),
			wantErr: "destroy rpool/g: zfs destroy -r rpool/g: exit status 1: cannot destroy 'rpool/g': filesystem has dependent clones\n" +
				"use '-R' to destroy the following datasets:\nrpool/d/ROOT/zbe",
		},
		{
			name: "rollback with newer snapshots",
			stderr: "cannot rollback to 'rpool/z@s1': more recent snapshots or bookmarks exist\n" +
				"use '-r' to force deletion of the following snapshots and bookmarks:\nrpool/z@s2\n",
			exit: 1,
			call: func(r illumos.Runner) error { return gozfs.Rollback(ctx, r, "rpool/z@s1", false) },
			argv: argv("zfs rollback rpool/z@s1"),
			wantErr: "rollback to rpool/z@s1: zfs rollback rpool/z@s1: exit status 1: cannot rollback to 'rpool/z@s1': more recent snapshots or bookmarks exist\n" +
				"use '-r' to force deletion of the following snapshots and bookmarks:\nrpool/z@s2",
		},
		{
			name:   "bad property",
			stderr: "bad property list: invalid property 'nosuch'\nusage:\n\tget [-rHp] ...\n",
			exit:   2,
			call: func(r illumos.Runner) error {
				_, err := gozfs.PropertyValue(ctx, r, "rpool/z", "nosuch")
				return err
			},
			argv:    argv("zfs get -H nosuch rpool/z"),
			wantErr: "get nosuch of rpool/z: zfs get -H nosuch rpool/z: exit status 2: bad property list: invalid property 'nosuch'\nusage:\n\tget [-rHp] ...",
		},
		{
			name:   "missing pool",
			stderr: "cannot open 'nopool': no such pool\n",
			exit:   1,
			call: func(r illumos.Runner) error {
				_, err := gozfs.GetPool(ctx, r, "nopool")
				return err
			},
			argv:     zpoolGet("nopool"),
			notExist: true,
			wantErr:  "get pool nopool: " + illumos.QuoteArgv(zpoolGet("nopool")) + ": exit status 1: cannot open 'nopool': no such pool",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tools := newToolDir(t)
			tools.answer("", tt.stderr, tt.exit)
			var log entries
			err := tt.call(zfs.WithRecorder(newFake(t), &log))
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("error:\n got  %v\n want %s", err, tt.wantErr)
			}
			if got := errors.Is(err, zfs.ErrNotExist); got != tt.notExist {
				t.Errorf("errors.Is(err, ErrNotExist) = %v, want %v", got, tt.notExist)
			}
			var ce *illumos.CommandError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v does not wrap a *CommandError", err)
			}
			if ce.ExitCode != tt.exit || ce.Stderr != strings.TrimSpace(tt.stderr) || !reflect.DeepEqual(ce.Cmd.Argv, tt.argv) {
				t.Errorf("CommandError = %+v", ce)
			}
			if calls := tools.calls(); !reflect.DeepEqual(calls, [][]string{tt.argv}) {
				t.Errorf("commands run:\n got  %q\n want %q", calls, [][]string{tt.argv})
			}
			if len(log.e) != 1 || log.e[0].ExitCode != tt.exit || log.e[0].Err != err.Error()[strings.Index(err.Error(), ": ")+2:] {
				t.Errorf("transcript = %+v, want one entry with rc %d and the command's error", log.e, tt.exit)
			}
		})
	}
}

func TestGoZFSReadOnly(t *testing.T) {
	ctx := context.Background()
	tools := newToolDir(t)
	tools.answer("rpool/z\tcompression\tzle\tlocal\n", "", 0)
	var log entries
	r := zfs.WithRecorder(illumos.ReadOnly(newFake(t)), &log)

	refused := []struct {
		name string
		call func() error
		want string
	}{
		{"destroy", func() error { return gozfs.Destroy(ctx, r, "rpool/z", true) },
			`destroy rpool/z: refusing to run "zfs destroy -r rpool/z" in read-only mode (check mode)`},
		{"set", func() error { return gozfs.SetProperty(ctx, r, "rpool/z", "zoned", "on") },
			`set zoned of rpool/z: refusing to run "zfs set zoned=on rpool/z" in read-only mode (check mode)`},
		{"rollback", func() error { return gozfs.Rollback(ctx, r, "rpool/z@s", false) },
			`rollback to rpool/z@s: refusing to run "zfs rollback rpool/z@s" in read-only mode (check mode)`},
	}
	for _, tt := range refused {
		err := tt.call()
		var ro *illumos.ReadOnlyError
		if err == nil || err.Error() != tt.want || !errors.As(err, &ro) {
			t.Errorf("%s: error = %v, want %s", tt.name, err, tt.want)
		}
	}
	if calls := tools.calls(); calls != nil {
		t.Fatalf("read-only mode ran %q", calls)
	}

	v, err := gozfs.PropertyValue(ctx, r, "rpool/z", "compression")
	if err != nil || v != "zle" {
		t.Errorf("PropertyValue in read-only mode = %q, %v; want zle", v, err)
	}
	// The refusals are not recorded, as the read-only runner's are not.
	if len(log.e) != 1 {
		t.Fatalf("transcript = %+v, want the read alone", log.e)
	}
	if e := log.e[0]; e.Mutating || e.ExitCode != 0 || e.Argv != "zfs get -H compression rpool/z" {
		t.Errorf("transcript entry = %+v, want the read", e)
	}
}

func TestGoZFSPanicIsAnError(t *testing.T) {
	tools := newToolDir(t)
	tools.answer("", "", 0) // go-zfs's GetProperty indexes the missing first line
	var log entries
	_, err := gozfs.PropertyValue(context.Background(), zfs.WithRecorder(newFake(t), &log), "rpool/z", "used")
	want := "get used of rpool/z: go-zfs panicked: runtime error: index out of range [0] with length 0"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n got  %v\n want %s", err, want)
	}
	if len(log.e) != 1 || log.e[0].ExitCode != -1 {
		t.Errorf("transcript = %+v, want one entry with rc -1", log.e)
	}
}

func TestGoZFSCommandNotFound(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	var log entries
	err := gozfs.Destroy(context.Background(), zfs.WithRecorder(newFake(t), &log), "rpool/z", false)
	var ce *illumos.CommandError
	if err == nil || errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "destroy rpool/z: run zfs destroy rpool/z: ") {
		t.Errorf("error = %v, want a start failure naming the command", err)
	}
	if len(log.e) != 1 || log.e[0].ExitCode != -1 {
		t.Errorf("transcript = %+v, want one entry with rc -1", log.e)
	}
}

func TestGoZFSCancelled(t *testing.T) {
	tools := newToolDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := gozfs.Destroy(ctx, newFake(t), "rpool/z", false)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	if calls := tools.calls(); calls != nil {
		t.Errorf("a cancelled call ran %q", calls)
	}
}

func TestGoZFSRefusesBadNames(t *testing.T) {
	tools := newToolDir(t)
	ctx := context.Background()
	r := newFake(t)
	for _, err := range []error{
		gozfs.Destroy(ctx, r, "-R", false),
		gozfs.Destroy(ctx, r, "rpool/a b", false),
		gozfs.SetProperty(ctx, r, "rpool/a", "-o", "x"),
		gozfs.Rollback(ctx, r, "rpool/a", false),
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

func TestListPools(t *testing.T) {
	tools := newToolDir(t)
	tools.write("out.rpool", zpoolGetOutput("rpool"))
	tools.write("out.tank", zpoolGetOutput("tank"))
	var log entries
	r := zfs.WithRecorder(newFake(t, illumos.Step{Argv: argv("zpool list -H -o name"), Result: illumos.Result{Stdout: []byte("rpool\ntank\n")}}), &log)
	pools, err := gozfs.ListPools(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if len(pools) != 2 || pools[0].Name != "rpool" || pools[1].Name != "tank" || pools[1].Size != 53687091200 {
		t.Errorf("pools = %+v", pools)
	}
	if calls := tools.calls(); !reflect.DeepEqual(calls, [][]string{zpoolGet("rpool"), zpoolGet("tank")}) {
		t.Errorf("go-zfs commands: %q", calls)
	}
	if len(log.e) != 2 {
		t.Errorf("transcript = %+v, want the two go-zfs commands", log.e)
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
		{name: "rollback", argv: argv("zfs rollback -r rpool/z/ROOT/zbe@s1")},
		{name: "set", argv: []string{"zfs", "set", "org.example:note=two  words", "rpool/d"}},
		{name: "missing dataset", argv: argv("zfs destroy -r rpool/x"),
			stderr: "cannot open 'rpool/x': dataset does not exist\n", exit: 1, notExist: true},
		{name: "dependent clones", argv: argv("zfs destroy -r rpool/g"),
			stderr: "cannot destroy 'rpool/g': filesystem has dependent clones\nuse '-R' to destroy the following datasets:\nrpool/d/ROOT/zbe\n", exit: 1},
		{name: "newer snapshots", argv: argv("zfs rollback rpool/z@s1"),
			stderr: "cannot rollback to 'rpool/z@s1': more recent snapshots or bookmarks exist\n", exit: 1},
		{name: "check mode", argv: argv("zfs destroy -r rpool/z"), readOnly: true},
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
