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
// go-zfs starts "zfs" itself, by bare name through this
// process's PATH and environment (so Register exports
// illumos.SearchPath, and LC_ALL=C: zfs's messages are matched in the C
// locale), with no Runner and no context. So each call here
// is wrapped: it is refused when it would change something and the
// runner is read-only (check mode); once run, it is passed to the
// runner's Recorder, if any, with the argv go-zfs ran; go-zfs's *Error
// becomes an *illumos.CommandError, which zfs.Apply classifies as the
// runner's (zfs.ErrNotExist when a dataset is missing); and a go-zfs
// panic is recovered into an error, as a last resort. ctx is checked before the command starts; go-zfs cannot stop a
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
// The calls made here parse no output at all; this is the last resort
// should a go-zfs release change that.
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
// zfs.Library returns it (zfs.Apply classifies it), and res gets its exit
// code and stderr.
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

// setProperty runs c, zfs.SetPropertyCmd(name, prop, value), through
// go-zfs.
func setProperty(ctx context.Context, r illumos.Runner, c illumos.Cmd, name, prop, value string) error {
	return callGoZFS(ctx, r, c.Argv, true, func() error {
		return (&gozfs.Dataset{Name: name}).SetProperty(prop, value)
	})
}

// rollback runs c, zfs.RollbackCmd(snap, destroyNewer), through go-zfs.
func rollback(ctx context.Context, r illumos.Runner, c illumos.Cmd, snap string, destroyNewer bool) error {
	return callGoZFS(ctx, r, c.Argv, true, func() error {
		return (&gozfs.Dataset{Name: snap, Type: gozfs.DatasetSnapshot}).Rollback(destroyNewer)
	})
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
