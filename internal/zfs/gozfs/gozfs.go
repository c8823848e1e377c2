// Package gozfs runs the zfs changes of zonemgr's plans through
// github.com/mistifyio/go-zfs/v3, the ZFS library the project keeps: the
// zonemgr command registers it (Register) so that its destroys, rollbacks
// and property sets go through the library's calls; module binaries do
// not import this package, run the same argv through their runner, and so
// link neither go-zfs nor its regexp, uuid, net and crypto imports.
package gozfs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	gozfs "github.com/mistifyio/go-zfs/v3"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zfs"
)

// Register makes go-zfs the zfs Library of this process (see
// zfs.RegisterLibrary), and sets the process's PATH, once, to the search
// path commands are found through (PATH, then /usr/sbin, /sbin and
// /usr/bin when missing): go-zfs starts zfs by bare name through the
// process's PATH, and has no other way to be told. Call it at the start
// of main, before any command runs.
func Register() {
	os.Setenv("PATH", illumos.NewTools(os.Environ()).SearchPath())
	zfs.RegisterLibrary(RunByLibrary)
}

// go-zfs is used only where it parses no dataset listing. Built for
// illumos it selects its Solaris property list (10 columns) but then reads
// an 11th column, because runtime.GOOS is "illumos" and not "solaris":
// every call that parses a listing (GetDataset, Datasets, Snapshots,
// Filesystems, Volumes, Children, and CreateFilesystem, CreateVolume,
// Snapshot, Clone, Mount, Unmount, Rename, ReceiveSnapshot, which all end
// in GetDataset) panics there, after the change was made [derived:
// illumos-commands.md §6.5; not observed on hardware]. Those are done by
// package zfs's own wrappers instead, and a test fails if any of them is
// referenced in the module.
//
// go-zfs starts "zfs" and "zpool" itself, by bare name through this
// process's PATH and environment (so Register exports
// illumos.SearchPath, and LC_ALL=C: zfs's messages are matched in the C
// locale), with no Runner and no context. So each call here
// is wrapped: it is refused when it would change something and the
// runner is read-only (check mode); once run, it is passed to the
// runner's Recorder, if any, with the argv go-zfs ran; go-zfs's *Error
// becomes an *illumos.CommandError (a *NotExistError when a dataset is
// missing); and a go-zfs panic is recovered into an error, as a last
// resort. ctx is checked before the command starts; go-zfs cannot stop a
// command once it runs.

// callGoZFS runs one go-zfs call for argv (the command it runs, for the
// transcript and errors). See the comment above it.
func callGoZFS(ctx context.Context, r illumos.Runner, argv []string, mutating bool, fn func() error) error {
	c := illumos.Cmd{Argv: argv}
	if err := ctx.Err(); err != nil {
		return err
	}
	if mutating && zfs.ReadOnly(r) {
		// Refused and not recorded, as the read-only runner, which a
		// front door puts outside its recorder (zone.Connect), refuses
		// a command before the recorder sees it.
		return &illumos.ReadOnlyError{Cmd: c}
	}
	start := time.Now()
	var res illumos.Result
	err := recoverGoZFS(fn)
	res.Elapsed = time.Since(start)
	err = fromGoZFS(c, &res, err)
	if rec := zfs.RecorderOf(r); rec != nil {
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
// a command that ran and failed becomes an *illumos.CommandError, as a
// zfs.Library returns it (zfs.Apply classifies it; the exported calls
// below do with zfs.Classify), and res gets its exit code and stderr.
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
	return &illumos.CommandError{
		Cmd:      c,
		ExitCode: ee.ExitCode(),
		Stderr:   strings.TrimSpace(ze.Stderr),
	}
}

// Destroy destroys a dataset or snapshot with go-zfs: zfs.DestroyCmd's
// command. Clones of its snapshots are never destroyed: zfs refuses with
// "filesystem has dependent clones" instead.
func Destroy(ctx context.Context, r illumos.Runner, name string, recursive bool) error {
	c, err := zfs.DestroyCmd(name, recursive)
	if err == nil {
		err = destroy(ctx, r, c, name, recursive)
	}
	if err != nil {
		return fmt.Errorf("destroy %s: %w", name, zfs.Classify(err))
	}
	return nil
}

// destroy runs c, zfs.DestroyCmd(name, recursive), through go-zfs.
func destroy(ctx context.Context, r illumos.Runner, c illumos.Cmd, name string, recursive bool) error {
	flags := gozfs.DestroyDefault
	if recursive {
		flags = gozfs.DestroyRecursive
	}
	return callGoZFS(ctx, r, c.Argv, true, func() error {
		return (&gozfs.Dataset{Name: name}).Destroy(flags)
	})
}

// SetProperty sets one property of a dataset with go-zfs:
// zfs.SetPropertyCmd's command.
func SetProperty(ctx context.Context, r illumos.Runner, name, prop, value string) error {
	c, err := zfs.SetPropertyCmd(name, prop, value)
	if err == nil {
		err = setProperty(ctx, r, c, name, prop, value)
	}
	if err != nil {
		return fmt.Errorf("set %s of %s: %w", prop, name, zfs.Classify(err))
	}
	return nil
}

// setProperty runs c, zfs.SetPropertyCmd(name, prop, value), through
// go-zfs.
func setProperty(ctx context.Context, r illumos.Runner, c illumos.Cmd, name, prop, value string) error {
	return callGoZFS(ctx, r, c.Argv, true, func() error {
		return (&gozfs.Dataset{Name: name}).SetProperty(prop, value)
	})
}

// PropertyValue returns one property of a dataset as go-zfs v3.1.0 reads
// it: `zfs get -H prop name`, without -p, so sizes are human-readable
// ("1.20G"). The reference's note that v3.1.0 adds -p is not what its
// source does (v4.0.0 does). Use GetProperty for exact values and the
// property's source.
func PropertyValue(ctx context.Context, r illumos.Runner, name, prop string) (string, error) {
	if err := zfs.ValidPropName(prop); err != nil {
		return "", fmt.Errorf("get %s of %s: %w", prop, name, err)
	}
	if err := zfs.ValidListName(name); err != nil {
		return "", fmt.Errorf("get %s of %s: %w", prop, name, err)
	}
	var value string
	err := callGoZFS(ctx, r, []string{"zfs", "get", "-H", prop, name}, false, func() error {
		var err error
		value, err = (&gozfs.Dataset{Name: name}).GetProperty(prop)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("get %s of %s: %w", prop, name, zfs.Classify(err))
	}
	return value, nil
}

// Rollback rolls a dataset back to its snapshot snap with go-zfs:
// zfs.RollbackCmd's command.
func Rollback(ctx context.Context, r illumos.Runner, snap string, destroyNewer bool) error {
	c, err := zfs.RollbackCmd(snap, destroyNewer)
	if err == nil {
		err = rollback(ctx, r, c, snap, destroyNewer)
	}
	if err != nil {
		return fmt.Errorf("rollback to %s: %w", snap, zfs.Classify(err))
	}
	return nil
}

// rollback runs c, zfs.RollbackCmd(snap, destroyNewer), through go-zfs.
func rollback(ctx context.Context, r illumos.Runner, c illumos.Cmd, snap string, destroyNewer bool) error {
	return callGoZFS(ctx, r, c.Argv, true, func() error {
		return (&gozfs.Dataset{Name: snap, Type: gozfs.DatasetSnapshot}).Rollback(destroyNewer)
	})
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
	if err := zfs.ValidPoolName(name); err != nil {
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
		return Pool{}, fmt.Errorf("get pool %s: %w", name, zfs.Classify(err))
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
		return nil, fmt.Errorf("list pools: %w", zfs.Classify(err))
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

// RunByLibrary is the zfs.Library that Register registers: it runs a zfs
// command of a plan through go-zfs when go-zfs has the call for it,
// `zfs destroy [-r] NAME`, `zfs rollback [-r] SNAP` and
// `zfs set PROP=VALUE NAME`, exactly as zfs.DestroyCmd, zfs.RollbackCmd
// and zfs.SetPropertyCmd build them. handled is false for any other
// command, which the caller runs through its Runner. The error is not
// wrapped, so that it reads as the runner's would for the same command.
func RunByLibrary(ctx context.Context, r illumos.Runner, argv []string) (handled bool, err error) {
	if len(argv) < 3 || argv[0] != "zfs" {
		return false, nil
	}
	flags, operand := argv[2:len(argv)-1], argv[len(argv)-1]
	recursive := len(flags) == 1 && flags[0] == "-r"
	var c illumos.Cmd
	var call func() error
	switch {
	case argv[1] == "destroy" && (len(flags) == 0 || recursive):
		c, err = zfs.DestroyCmd(operand, recursive)
		call = func() error { return destroy(ctx, r, c, operand, recursive) }
	case argv[1] == "rollback" && (len(flags) == 0 || recursive):
		c, err = zfs.RollbackCmd(operand, recursive)
		call = func() error { return rollback(ctx, r, c, operand, recursive) }
	case argv[1] == "set" && len(flags) == 1 && strings.Contains(flags[0], "="):
		prop, value, _ := strings.Cut(flags[0], "=")
		c, err = zfs.SetPropertyCmd(operand, prop, value)
		call = func() error { return setProperty(ctx, r, c, operand, prop, value) }
	default:
		return false, nil
	}
	if err != nil {
		return true, err
	}
	return true, call()
}
