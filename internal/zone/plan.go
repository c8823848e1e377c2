package zone

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zfs"
)

// A Step is one action of a plan: a command to run and, when the command
// creates something, the command that removes it again.
type Step struct {
	// Why is one line for check-mode output and transcripts.
	Why string
	// Cmd is the command the step runs. Exactly one of Cmd and Func is set.
	Cmd *illumos.Cmd
	// Func is an action that is not a single command (waiting for a
	// milestone, for example); Show is how the plan displays it.
	Func func(ctx context.Context, r illumos.Runner) error
	Show string
	// OKExit lists non-zero exit codes that still count as success
	// (pkg's 4, "nothing to do").
	OKExit []int
	// Result, when set, receives the step's command result after it ran.
	Result func(res illumos.Result)
	// Skip, when set, is evaluated just before the step runs; a step that
	// returns true is not run (a snapshot taken only when an update
	// changed something).
	Skip func() bool
	// Undo removes what the step made. Nil when there is nothing to undo.
	Undo *illumos.Cmd
	// UndoIfFailed runs Undo even when the step itself failed, and ignores
	// its error then: a failed zoneadm install or clone can leave the zone
	// incomplete, which "uninstall -F" clears.
	UndoIfFailed bool
	// KeepOnUndo, when set and true once the step ran, leaves what the
	// step found in place: a container another run created at the same
	// moment is not this run's to remove.
	KeepOnUndo func() bool
}

// String renders the step as shown in a plan.
func (s Step) String() string {
	if s.Cmd != nil {
		return s.Cmd.String()
	}
	return s.Show
}

// A Plan is the ordered list of steps one module run would take.
type Plan struct {
	Zone  string
	Steps []Step
}

// Add appends steps to the plan.
func (p *Plan) Add(steps ...Step) { p.Steps = append(p.Steps, steps...) }

// Empty reports whether the plan has no steps: nothing would change.
func (p *Plan) Empty() bool { return len(p.Steps) == 0 }

// Lines renders the plan as one line per step, for check mode and results.
func (p *Plan) Lines() []string {
	out := make([]string, 0, len(p.Steps))
	for _, s := range p.Steps {
		out = append(out, s.String())
	}
	return out
}

// An ApplyError is a plan step that failed, with the outcome of undoing
// the steps done before it.
type ApplyError struct {
	Zone     string
	Step     string       // the failing step, as shown in the plan
	Err      error        // why it failed
	Undone   []string     // undo commands that ran successfully, newest first
	UndoErrs []error      // undo commands that failed
	Command  *illumos.Cmd // the failing command, when the step was one
	Stderr   string
	ExitCode int
}

func (e *ApplyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %v", e.Zone, e.Err)
	if len(e.Undone) > 0 {
		fmt.Fprintf(&b, "; cleaned up: %s", strings.Join(e.Undone, "; "))
	}
	if len(e.UndoErrs) > 0 {
		fmt.Fprintf(&b, "; cleanup FAILED: %v", multierror.Append(nil, e.UndoErrs...))
	}
	return b.String()
}

// Unwrap returns the step's error and the undo errors.
func (e *ApplyError) Unwrap() []error { return append([]error{e.Err}, e.UndoErrs...) }

// CleanupTimeout bounds the undo of a failed plan. Undo runs under a fresh
// context, so a cancelled or timed-out run (Ctrl-C) is still cleaned up.
var CleanupTimeout = 10 * time.Minute

// Apply runs the steps of a plan in order. Each step's undo is written to
// the journal before the step runs, so a crash leaves a record of what may
// need removing. When a step fails, the undo commands of the steps already
// done run newest first, and the returned *ApplyError tells both stories.
// A nil journal journals nothing.
func Apply(ctx context.Context, r illumos.Runner, j *Journal, p *Plan) error {
	var done []Step
	for _, s := range p.Steps {
		if s.Skip != nil && s.Skip() {
			continue
		}
		if err := j.Begin(s); err != nil {
			return fmt.Errorf("%s: journal: %w", p.Zone, err)
		}
		err := runStep(ctx, r, s)
		if err != nil {
			ae := &ApplyError{Zone: p.Zone, Step: s.String(), Err: err, Command: s.Cmd}
			var ce *illumos.CommandError
			if errors.As(err, &ce) {
				ae.Stderr, ae.ExitCode = ce.Stderr, ce.ExitCode
			}
			j.Done(s) // the failed step made nothing (or its undo is among done)
			ae.Undone, ae.UndoErrs = undo(r, j, done, s)
			if len(ae.UndoErrs) == 0 {
				j.Finish()
			}
			return ae
		}
		j.Done(s)
		done = append(done, s)
	}
	j.completed()
	return nil
}

func runStep(ctx context.Context, r illumos.Runner, s Step) error {
	if s.Func != nil {
		return s.Func(ctx, r)
	}
	res, err := r.Run(ctx, *s.Cmd)
	var ce *illumos.CommandError
	if errors.As(err, &ce) && slices.Contains(s.OKExit, ce.ExitCode) {
		err = nil
	}
	if err == nil && s.Result != nil {
		s.Result(res)
	}
	return err
}

// undo runs the undo commands of done steps newest first, under a fresh
// bounded context, after the failed step's own undo when it asks for one.
func undo(r illumos.Runner, j *Journal, done []Step, failed Step) (undone []string, errs []error) {
	var jerrs []error
	ctx, cancel := context.WithTimeout(context.Background(), CleanupTimeout)
	defer cancel()
	if failed.Undo != nil && failed.UndoIfFailed {
		if _, err := r.Run(ctx, *failed.Undo); err == nil {
			undone = append(undone, failed.Undo.String())
		}
	}
	for i := len(done) - 1; i >= 0; i-- {
		u := done[i].Undo
		if u == nil || done[i].KeepOnUndo != nil && done[i].KeepOnUndo() {
			continue
		}
		if _, err := r.Run(ctx, *u); err != nil {
			errs = append(errs, fmt.Errorf("undo %s: %w", u, err))
			continue
		}
		if err := j.Undone(done[i]); err != nil {
			jerrs = append(jerrs, fmt.Errorf("undo %s: %w", u, err))
		}
		undone = append(undone, u.String())
	}
	// A journal that could not record an undo matters only when the
	// journal stays, for gc: when every undo ran, it is removed.
	if len(errs) > 0 {
		errs = append(errs, jerrs...)
	}
	return undone, errs
}

// zfsDestroyStep destroys a dataset or snapshot through go-zfs (never
// with -R: a clone is never destroyed behind the user's back).
func zfsDestroyStep(why, name string, recursive bool) Step {
	c, _ := zfs.DestroyCmd(name, recursive)
	return Step{
		Why:  why,
		Show: c.String(),
		Func: func(ctx context.Context, r illumos.Runner) error {
			return zfs.Destroy(ctx, r, name, recursive)
		},
	}
}

// zfsRollbackStep rolls a filesystem back to a snapshot through go-zfs,
// destroying newer snapshots (the caller has checked that none is cloned).
func zfsRollbackStep(why, snap string) Step {
	return Step{
		Why:  why,
		Show: "zfs rollback -r " + snap,
		Func: func(ctx context.Context, r illumos.Runner) error {
			return zfs.Rollback(ctx, r, snap, true)
		},
	}
}

// OneLine formats collected validation errors on one line, separated by
// "; ", so that a module's msg and a CLI error read as one sentence.
// It returns nil when err is nil.
func OneLine(err error) error {
	var me *multierror.Error
	if errors.As(err, &me) {
		if len(me.Errors) == 0 {
			return nil
		}
		me.ErrorFormat = func(es []error) string {
			s := make([]string, len(es))
			for i, e := range es {
				s[i] = e.Error()
			}
			return strings.Join(s, "; ")
		}
		return me
	}
	return err
}
