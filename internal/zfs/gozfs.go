package zfs

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"time"

	gozfs "github.com/mistifyio/go-zfs/v3"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// This file holds the calls made through github.com/mistifyio/go-zfs/v3.
//
// go-zfs is used only where it parses no dataset listing. Built for
// illumos it selects its Solaris property list (10 columns) but then reads
// an 11th column, because runtime.GOOS is "illumos" and not "solaris":
// every call that parses a listing (GetDataset, Datasets, Snapshots,
// Filesystems, Volumes, Children, and CreateFilesystem, CreateVolume,
// Snapshot, Clone, Mount, Unmount, Rename, ReceiveSnapshot, which all end
// in GetDataset) panics there, after the change was made [derived:
// illumos-commands.md §6.5; not observed on hardware]. Those are done by
// this package's own wrappers instead, and a test fails if any of them is
// referenced in the module.
//
// go-zfs starts "zfs" and "zpool" itself, by bare name through this
// process's PATH and environment (so a front door exports
// illumos.SearchPath, and LC_ALL=C: zfs's messages are matched in the C
// locale), with no Runner and no context. So each call here
// is wrapped: it is refused when it would change something and the
// runner is read-only (check mode); it is passed, run or refused, to the
// runner's Recorder, if any, with the argv go-zfs ran; go-zfs's *Error
// becomes an *illumos.CommandError (a *NotExistError when a dataset is
// missing); and a go-zfs panic is recovered into an error, as a last
// resort. ctx is checked before the command starts; go-zfs cannot stop a
// command once it runs.

// A Recorder is told about each command this package runs through go-zfs,
// which starts zfs and zpool itself rather than through a Runner, so that
// a transcript holds those commands beside the runner's own. An
// *illumos.Transcript is one.
type Recorder interface {
	Add(e illumos.TranscriptEntry)
}

// WithRecorder returns a Runner that runs commands with r and passes the
// commands run through go-zfs to rec (typically the *illumos.Transcript
// that r records into). Put it outside the runner's other wrappers, or
// have those implement Unwrap() illumos.Runner, so that this package
// finds it.
func WithRecorder(r illumos.Runner, rec Recorder) illumos.Runner {
	return &recordingRunner{Runner: r, rec: rec}
}

type recordingRunner struct {
	illumos.Runner
	rec Recorder
}

func (w *recordingRunner) Add(e illumos.TranscriptEntry) { w.rec.Add(e) }

// Unwrap returns the runner that runs the commands.
func (w *recordingRunner) Unwrap() illumos.Runner { return w.Runner }

// unwrapRunner returns the runner r wraps, or nil.
func unwrapRunner(r illumos.Runner) illumos.Runner {
	if u, ok := r.(interface{ Unwrap() illumos.Runner }); ok {
		return u.Unwrap()
	}
	return nil
}

// recorderOf finds the Recorder among r and the runners it wraps.
func recorderOf(r illumos.Runner) Recorder {
	for ; r != nil; r = unwrapRunner(r) {
		if rec, ok := r.(Recorder); ok {
			return rec
		}
	}
	return nil
}

// readOnly reports whether r, or a runner it wraps, is read-only
// (illumos.ReadOnly, check mode).
func readOnly(r illumos.Runner) bool {
	for ; r != nil; r = unwrapRunner(r) {
		if illumos.IsReadOnly(r) {
			return true
		}
	}
	return false
}

// callGoZFS runs one go-zfs call for argv (the command it runs, for the
// transcript and errors). See the head of this file.
func callGoZFS(ctx context.Context, r illumos.Runner, argv []string, mutating bool, fn func() error) error {
	c := illumos.Cmd{Argv: argv}
	if err := ctx.Err(); err != nil {
		return err
	}
	start := time.Now()
	var res illumos.Result
	var err error
	if mutating && readOnly(r) {
		// Recorded as the read-only runner's refusals are.
		res.ExitCode = -1
		err = &illumos.ReadOnlyError{Cmd: c}
	} else {
		err = recoverGoZFS(fn)
		res.Elapsed = time.Since(start)
		err = fromGoZFS(c, &res, err)
	}
	if rec := recorderOf(r); rec != nil {
		e := illumos.TranscriptEntry{
			Argv:     c.String(),
			ExitCode: res.ExitCode,
			Start:    start,
			Duration: res.Elapsed,
			Mutating: mutating,
		}
		if err != nil {
			e.Err = err.Error()
		}
		rec.Add(e)
	}
	return err
}

// recoverGoZFS calls fn and turns a panic inside go-zfs into an error.
// The calls made here parse no dataset listing, but GetZpool and
// GetProperty still index their output without checking its shape.
func recoverGoZFS(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("go-zfs panicked: %v", p)
		}
	}()
	return fn()
}

// fromGoZFS converts go-zfs's error for command c into this package's:
// a command that ran and failed becomes an *illumos.CommandError (or a
// *NotExistError wrapping one), and res gets its exit code and stderr.
func fromGoZFS(c illumos.Cmd, res *illumos.Result, err error) error {
	if err == nil {
		return nil
	}
	var ze *gozfs.Error
	if !errors.As(err, &ze) {
		var zv gozfs.Error
		if !errors.As(err, &zv) {
			res.ExitCode = -1
			return err
		}
		ze = &zv
	}
	var ee *exec.ExitError
	if !errors.As(ze.Err, &ee) {
		res.ExitCode = -1
		return fmt.Errorf("run %s: %w", c, ze.Err)
	}
	res.ExitCode = ee.ExitCode()
	res.Stderr = []byte(ze.Stderr)
	return classify(&illumos.CommandError{
		Cmd:      c,
		ExitCode: ee.ExitCode(),
		Stderr:   strings.TrimSpace(ze.Stderr),
	})
}

// DestroyCmd returns the command Destroy runs: `zfs destroy [-r] name`,
// for plans and check-mode output. There is deliberately no way to ask
// for -R (destroy dependent clones too).
func DestroyCmd(name string, recursive bool) (illumos.Cmd, error) {
	if err := validListName(name); err != nil {
		return illumos.Cmd{}, err
	}
	argv := []string{"zfs", "destroy"}
	if recursive {
		argv = append(argv, "-r")
	}
	return illumos.Cmd{Argv: append(argv, name)}, nil
}

// Destroy destroys a dataset or snapshot; recursive destroys its
// descendants and snapshots too (-r). Clones of its snapshots are never
// destroyed: zfs refuses with "filesystem has dependent clones" instead.
func Destroy(ctx context.Context, r illumos.Runner, name string, recursive bool) error {
	c, err := DestroyCmd(name, recursive)
	if err != nil {
		return fmt.Errorf("destroy %s: %w", name, err)
	}
	flags := gozfs.DestroyDefault
	if recursive {
		flags = gozfs.DestroyRecursive
	}
	err = callGoZFS(ctx, r, c.Argv, true, func() error {
		return (&gozfs.Dataset{Name: name}).Destroy(flags)
	})
	if err != nil {
		return fmt.Errorf("destroy %s: %w", name, err)
	}
	return nil
}

// SetPropertyCmd returns the command SetProperty runs:
// `zfs set prop=value name`.
func SetPropertyCmd(name, prop, value string) (illumos.Cmd, error) {
	if err := validPropName(prop); err != nil {
		return illumos.Cmd{}, err
	}
	if err := validListName(name); err != nil {
		return illumos.Cmd{}, err
	}
	return illumos.Cmd{Argv: []string{"zfs", "set", prop + "=" + value, name}}, nil
}

// SetProperty sets one property of a dataset.
func SetProperty(ctx context.Context, r illumos.Runner, name, prop, value string) error {
	c, err := SetPropertyCmd(name, prop, value)
	if err != nil {
		return fmt.Errorf("set %s of %s: %w", prop, name, err)
	}
	err = callGoZFS(ctx, r, c.Argv, true, func() error {
		return (&gozfs.Dataset{Name: name}).SetProperty(prop, value)
	})
	if err != nil {
		return fmt.Errorf("set %s of %s: %w", prop, name, err)
	}
	return nil
}

// PropertyValue returns one property of a dataset as go-zfs v3.1.0 reads
// it: `zfs get -H prop name`, without -p, so sizes are human-readable
// ("1.20G"). The reference's note that v3.1.0 adds -p is not what its
// source does (v4.0.0 does). Use GetProperty for exact values and the
// property's source.
func PropertyValue(ctx context.Context, r illumos.Runner, name, prop string) (string, error) {
	if err := validPropName(prop); err != nil {
		return "", fmt.Errorf("get %s of %s: %w", prop, name, err)
	}
	if err := validListName(name); err != nil {
		return "", fmt.Errorf("get %s of %s: %w", prop, name, err)
	}
	var value string
	err := callGoZFS(ctx, r, []string{"zfs", "get", "-H", prop, name}, false, func() error {
		var err error
		value, err = (&gozfs.Dataset{Name: name}).GetProperty(prop)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("get %s of %s: %w", prop, name, err)
	}
	return value, nil
}

// RollbackCmd returns the command Rollback runs: `zfs rollback [-r] snap`.
func RollbackCmd(snap string, destroyNewer bool) (illumos.Cmd, error) {
	if err := ValidSnapshotName(snap); err != nil {
		return illumos.Cmd{}, err
	}
	argv := []string{"zfs", "rollback"}
	if destroyNewer {
		argv = append(argv, "-r")
	}
	return illumos.Cmd{Argv: append(argv, snap)}, nil
}

// Rollback rolls a dataset back to its snapshot snap (dataset@name);
// destroyNewer destroys the snapshots taken after it (-r), without which
// zfs refuses when there are any.
func Rollback(ctx context.Context, r illumos.Runner, snap string, destroyNewer bool) error {
	c, err := RollbackCmd(snap, destroyNewer)
	if err != nil {
		return fmt.Errorf("rollback to %s: %w", snap, err)
	}
	err = callGoZFS(ctx, r, c.Argv, true, func() error {
		return (&gozfs.Dataset{Name: snap, Type: gozfs.DatasetSnapshot}).Rollback(destroyNewer)
	})
	if err != nil {
		return fmt.Errorf("rollback to %s: %w", snap, err)
	}
	return nil
}

// A Pool is a ZFS pool as `zpool get -Hp` describes it.
type Pool struct {
	Name       string
	Health     string // ONLINE, DEGRADED, FAULTED, OFFLINE, UNAVAIL, REMOVED
	Allocated  uint64 // bytes
	Size       uint64 // bytes
	Free       uint64 // bytes
	ReadOnly   bool
	DedupRatio float64
}

// zpoolGetArgv is the command go-zfs's GetZpool runs. Its property list
// depends on the build: the "solaris" build tag, which GOOS=illumos
// satisfies, drops fragmentation, freeing and leaked.
func zpoolGetArgv(name string) []string {
	props := "name,health,allocated,size,free,readonly,dedupratio"
	if runtime.GOOS != "solaris" && runtime.GOOS != "illumos" {
		props += ",fragmentation,freeing,leaked"
	}
	return []string{"zpool", "get", "-Hp", props, name}
}

// GetPool describes one pool.
func GetPool(ctx context.Context, r illumos.Runner, name string) (Pool, error) {
	if err := ValidPoolName(name); err != nil {
		return Pool{}, fmt.Errorf("get pool %s: %w", name, err)
	}
	var p Pool
	err := callGoZFS(ctx, r, zpoolGetArgv(name), false, func() error {
		z, err := gozfs.GetZpool(name)
		if err != nil {
			return err
		}
		p = Pool{
			Name:       z.Name,
			Health:     z.Health,
			Allocated:  z.Allocated,
			Size:       z.Size,
			Free:       z.Free,
			ReadOnly:   z.ReadOnly,
			DedupRatio: z.DedupRatio,
		}
		return nil
	})
	if err != nil {
		return Pool{}, fmt.Errorf("get pool %s: %w", name, err)
	}
	return p, nil
}

// ListPools describes every pool. The pool names come from
// `zpool list -H -o name` through the runner (go-zfs's ListZpools runs
// that too, but then its per-pool commands could not be told apart in the
// transcript); each pool is then read with GetPool.
func ListPools(ctx context.Context, r illumos.Runner) ([]Pool, error) {
	c := illumos.Cmd{Argv: []string{"zpool", "list", "-H", "-o", "name"}}
	res, err := r.Run(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("list pools: %w", classify(err))
	}
	var pools []Pool
	for _, name := range strings.Split(strings.TrimSuffix(string(res.Stdout), "\n"), "\n") {
		if name == "" {
			continue
		}
		p, err := GetPool(ctx, r, name)
		if err != nil {
			return nil, fmt.Errorf("list pools: %w", err)
		}
		pools = append(pools, p)
	}
	return pools, nil
}

// RunByLibrary runs a zfs command of a plan through go-zfs when go-zfs
// has the call for it: `zfs destroy [-r] NAME`, `zfs rollback [-r] SNAP`
// and `zfs set PROP=VALUE NAME`. Plans and journals carry the argv; only
// the engine's apply calls the library, here. handled is false for any
// other command, which the caller runs through its Runner.
func RunByLibrary(ctx context.Context, r illumos.Runner, argv []string) (handled bool, err error) {
	if len(argv) < 3 || argv[0] != "zfs" {
		return false, nil
	}
	flags, operands := argv[2:len(argv)-1], argv[len(argv)-1]
	switch argv[1] {
	case "destroy":
		switch {
		case len(flags) == 0:
			return true, Destroy(ctx, r, operands, false)
		case len(flags) == 1 && flags[0] == "-r":
			return true, Destroy(ctx, r, operands, true)
		}
	case "rollback":
		switch {
		case len(flags) == 0:
			return true, Rollback(ctx, r, operands, false)
		case len(flags) == 1 && flags[0] == "-r":
			return true, Rollback(ctx, r, operands, true)
		}
	case "set":
		if len(flags) == 1 {
			if prop, value, ok := strings.Cut(flags[0], "="); ok {
				return true, SetProperty(ctx, r, operands, prop, value)
			}
		}
	}
	return false, nil
}
