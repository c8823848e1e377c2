package zfs

import (
	"context"
	"fmt"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// The changes a plan makes with `zfs destroy [-r]`, `zfs rollback [-r]`
// and `zfs set` are applied by Apply: through the registered Library when
// there is one (the zonemgr command registers go-zfs, package
// internal/zfs/gozfs), else by running the same argv through the runner
// (the module binaries, which so do not link go-zfs and its imports).
// Either way the plan, the journal and the transcript carry the same argv,
// check mode refuses the change, and a failure is the same
// *illumos.CommandError (a *NotExistError when a dataset is missing).

// A Library runs a zfs command of a plan through a zfs library instead of
// the runner, and reports whether it has the call for that argv (handled
// false: the caller runs the command itself). A command that ran and
// failed is an *illumos.CommandError.
type Library func(ctx context.Context, r illumos.Runner, argv []string) (handled bool, err error)

// library is the registered Library, if any; see RegisterLibrary.
var library Library

// RegisterLibrary makes l the Library Apply uses. It is called once, from
// a program's initialisation (see package internal/zfs/gozfs), before any
// command runs; nil unregisters.
func RegisterLibrary(l Library) { library = l }

// Apply runs one zfs command of a plan: through the registered Library
// when it has the call for it, otherwise through r. Its error names the
// command, and is a *NotExistError when the command failed for a missing
// dataset.
func Apply(ctx context.Context, r illumos.Runner, c illumos.Cmd) error {
	if library != nil {
		if handled, err := library(ctx, r, c.Argv); handled {
			return classify(err)
		}
	}
	_, err := r.Run(ctx, c)
	return classify(err)
}

// Destroy destroys a dataset or snapshot with DestroyCmd's command,
// through Apply.
func Destroy(ctx context.Context, r illumos.Runner, name string, recursive bool) error {
	c, err := DestroyCmd(name, recursive)
	if err == nil {
		err = Apply(ctx, r, c)
	}
	if err != nil {
		return fmt.Errorf("destroy %s: %w", name, err)
	}
	return nil
}

// A Recorder is told about each command a Library runs itself rather than
// through a Runner, so that a transcript holds those commands beside the
// runner's own. An *illumos.Transcript is one.
type Recorder interface {
	Add(e illumos.TranscriptEntry)
}

// WithRecorder returns a Runner that runs commands with r and passes the
// commands a Library runs itself to rec (typically the
// *illumos.Transcript that r records into). Put it outside the runner's
// other wrappers, or have those implement Unwrap() illumos.Runner, so
// that RecorderOf finds it.
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

// RecorderOf finds the Recorder among r and the runners it wraps, or nil.
func RecorderOf(r illumos.Runner) Recorder {
	for ; r != nil; r = unwrapRunner(r) {
		if rec, ok := r.(Recorder); ok {
			return rec
		}
	}
	return nil
}

// ReadOnly reports whether r, or a runner it wraps, is read-only
// (illumos.ReadOnly, check mode).
func ReadOnly(r illumos.Runner) bool {
	for ; r != nil; r = unwrapRunner(r) {
		if illumos.IsReadOnly(r) {
			return true
		}
	}
	return false
}

// DestroyCmd returns the command that destroys a dataset or snapshot:
// `zfs destroy [-r] name`; recursive destroys its descendants and
// snapshots too. There is deliberately no way to ask for -R (destroy
// dependent clones too): zfs refuses a snapshot with clones with
// "filesystem has dependent clones" instead.
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

// SetPropertyCmd returns the command that sets one property of a
// dataset: `zfs set prop=value name`.
func SetPropertyCmd(name, prop, value string) (illumos.Cmd, error) {
	if err := validPropName(prop); err != nil {
		return illumos.Cmd{}, err
	}
	if err := validListName(name); err != nil {
		return illumos.Cmd{}, err
	}
	return illumos.Cmd{Argv: []string{"zfs", "set", prop + "=" + value, name}}, nil
}

// RollbackCmd returns the command that rolls a dataset back to its
// snapshot snap (dataset@name): `zfs rollback [-r] snap`; destroyNewer
// destroys the snapshots taken after it (-r), without which zfs refuses
// when there are any.
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

// ValidPropName checks a property name as zfs does before Apply or a
// Library runs `zfs get` or `zfs set` with it.
func ValidPropName(prop string) error { return validPropName(prop) }

// ValidListName checks a dataset or snapshot name as zfs does before a
// command names it.
func ValidListName(name string) error { return validListName(name) }
