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
// creates something, the command that removes it again with the guard
// that says when that removal still applies.
type Step struct {
	// Why is one line for check-mode output and transcripts.
	Why string
	// Cmd is the command the step runs.
	Cmd *illumos.Cmd
	// Func, when set, runs the step instead: an action that is not a
	// single command (waiting for a milestone), or one that runs Cmd its
	// own way (through go-zfs). Cmd, when set with it, is the command it
	// runs, for plans, journals and guards; Show is how the plan displays
	// a step without one.
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
	// Guard, when set, is checked just before Undo runs (by the run
	// itself after a failure, or by gc after a kill): Undo runs only
	// while what it removes is what this run made.
	Guard *Guard
	// When, when set, is checked just before the step runs, against what
	// the system says then (a dataset it destroys is locked first): a
	// step whose condition fails is not run, and why is reported. A
	// zone's destroy destroys a delegated dataset only while it is still
	// the zone's and no other zone uses it.
	When *Guard
	// Recover, when set, is recorded in the journal as the run's recovery
	// (see Recovery) when the step begins.
	Recover *Recovery
	// UndoIfFailed runs Undo even when the step itself failed (its guard
	// still decides): a failed zoneadm install or clone can leave the
	// zone incomplete, which "uninstall -F" clears.
	UndoIfFailed bool
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
	Zone string
	// Run is the run's id: what the steps make carries it (zonemgr.run,
	// zonemgr:run), and so does the run's journal.
	Run   string
	Steps []Step
	// Recover, when set, is recorded in the journal: how gc finishes the
	// run's work should it be killed (see Recovery).
	Recover *Recovery
	// Kept collects, as the plan is applied, the steps whose condition
	// (When) kept them from running, with the reason.
	Kept []string
	// datasets are the dataset locks the operation holds (see
	// DatasetLocks); a step that destroys one of them releases it first.
	datasets *DatasetLocks
	// disposable, when set, receives the plan's journal, which then
	// outlives the plan (see disposable).
	disposable *disposable
}

// newPlan starts the plan of one run on one zone, drawing its run id.
func (h *Host) newPlan(zone string) *Plan {
	run := ""
	if h.NewRun != nil {
		run = h.NewRun()
	}
	if run == "" {
		run = newRunID()
	}
	return &Plan{Zone: zone, Run: run}
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
	Kept     []string     // undo commands whose guard kept them from running, with the reason
	UndoErrs []error      // undo commands that failed
	Command  *illumos.Cmd // the failing command, when the step was one
	Stderr   string
	ExitCode int
	// Journal is the journal left for gc when an undo failed.
	Journal string
}

func (e *ApplyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %v", e.Zone, e.Err)
	if len(e.Undone) > 0 {
		fmt.Fprintf(&b, "; cleaned up: %s", strings.Join(e.Undone, "; "))
	}
	if len(e.Kept) > 0 {
		fmt.Fprintf(&b, "; left in place: %s", strings.Join(e.Kept, "; "))
	}
	if len(e.UndoErrs) > 0 {
		fmt.Fprintf(&b, "; cleanup FAILED: %v", multierror.Append(nil, e.UndoErrs...))
		if e.Journal != "" {
			fmt.Fprintf(&b, "; its journal %s is left for zonemgr gc", e.Journal)
		}
	}
	return b.String()
}

// Unwrap returns the step's error and the undo errors.
func (e *ApplyError) Unwrap() []error { return append([]error{e.Err}, e.UndoErrs...) }

// CleanupTimeout bounds the undo of a failed plan. Undo runs under a fresh
// context, so a cancelled or timed-out run (Ctrl-C) is still cleaned up.
var CleanupTimeout = 10 * time.Minute

// apply runs the steps of a plan in order. Each step, with its undo and
// the undo's guard, is written to the journal before it runs, so a
// crash leaves a record of what may need removing. When a step fails,
// the undo commands of the steps already done run newest first, each
// only while its guard holds, and the returned *ApplyError tells both
// stories; a journal whose undo failed is left for gc. A nil journal
// journals nothing.
func (h *Host) apply(ctx context.Context, j *Journal, p *Plan) error {
	var done []int
	for i, s := range p.Steps {
		if s.Skip != nil && s.Skip() {
			continue
		}
		var lk *ZoneLock
		if s.When != nil {
			run, l, err := h.checkWhen(ctx, p, s)
			if err != nil {
				return h.failed(j, p, s, done, err)
			}
			if !run {
				continue
			}
			lk = l
		}
		if s.Recover != nil {
			r := *s.Recover
			p.Recover = &r
			if err := j.recordRecovery(r); err != nil {
				lk.Unlock()
				return fmt.Errorf("%s: journal: %w", p.Zone, err)
			}
		}
		if err := j.Begin(i, s); err != nil {
			lk.Unlock()
			return fmt.Errorf("%s: journal: %w", p.Zone, err)
		}
		err := runStep(ctx, h.Runner, s)
		lk.Unlock()
		if err != nil {
			if s.Undo != nil && s.UndoIfFailed {
				done = append(done, i)
			}
			return h.failed(j, p, s, done, err)
		}
		j.Done(i)
		done = append(done, i)
	}
	j.completed()
	return nil
}

// failed undoes the done steps of a plan after step s failed with err,
// and returns the *ApplyError that tells both stories.
func (h *Host) failed(j *Journal, p *Plan, s Step, done []int, err error) error {
	ae := &ApplyError{Zone: p.Zone, Step: s.String(), Err: err, Command: s.Cmd}
	var ce *illumos.CommandError
	if errors.As(err, &ce) {
		ae.Stderr, ae.ExitCode = ce.Stderr, ce.ExitCode
	}
	ae.Undone, ae.Kept, ae.UndoErrs = h.undo(j, p, done)
	if r := p.Recover; r != nil && r.Kind == "refresh" && len(ae.UndoErrs) == 0 {
		// Work that cannot be undone step by step is recovered as gc
		// would recover it: after the undo commands.
		done, errs := h.recoverNow(r)
		ae.Undone = append(ae.Undone, done...)
		ae.UndoErrs = append(ae.UndoErrs, errs...)
	}
	if len(ae.UndoErrs) == 0 {
		j.Finish()
	} else {
		ae.Journal = j.Path()
		j.Release()
	}
	return ae
}

// recoverNow runs a recovery (see Recovery) against what the system says
// now, under a fresh bounded context, and reports the commands it ran
// and what failed.
func (h *Host) recoverNow(r *Recovery) (ran []string, errs []error) {
	ctx, cancel := context.WithTimeout(context.Background(), CleanupTimeout)
	defer cancel()
	f, err := h.readFacts(ctx, nil)
	if err != nil {
		return nil, []error{fmt.Errorf("%s %s: %w", r.Kind, r.Zone, err)}
	}
	steps, why, err := h.recoverySteps(ctx, f, r)
	if err != nil {
		return nil, []error{err}
	}
	if why != "" {
		return nil, nil
	}
	for _, s := range steps {
		if err := runStep(ctx, h.Runner, s); err != nil {
			return ran, []error{fmt.Errorf("%s: %w", s, err)}
		}
		ran = append(ran, s.String())
	}
	return ran, nil
}

// checkWhen checks a step's condition just before it runs, under the
// lock of the dataset it destroys, and reports whether it is to run,
// with that lock, which the caller releases once the step ran. A step
// that is not to run is noted in p.Kept (or, when there is nothing left
// to do, passed over).
func (h *Host) checkWhen(ctx context.Context, p *Plan, s Step) (bool, *ZoneLock, error) {
	var lk *ZoneLock
	if ds := h.lockedDataset(s.Cmd, s.When); ds != "" {
		var err error
		if lk, err = h.lockDatasetExclusive(ctx, p.datasets, ds, true); err != nil {
			return false, nil, err
		}
	}
	f, err := h.readFacts(ctx, []*Guard{s.When})
	if err != nil {
		lk.Unlock()
		return false, nil, err
	}
	v, why := s.When.check(f, owner{zone: p.Zone, run: p.Run})
	if v == undoKeep {
		p.Kept = append(p.Kept, fmt.Sprintf("%s not run: %s", s, why))
	}
	if v != undoIt {
		lk.Unlock()
		return false, nil, nil
	}
	return true, lk, nil
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

// undo runs the undo commands of the done steps (indexes into p.Steps)
// newest first, under a fresh bounded context, each only while its
// guard holds against what the system says now.
func (h *Host) undo(j *Journal, p *Plan, done []int) (undone, kept []string, errs []error) {
	ctx, cancel := context.WithTimeout(context.Background(), CleanupTimeout)
	defer cancel()
	var guards []*Guard
	for _, i := range done {
		if p.Steps[i].Undo != nil {
			guards = append(guards, p.Steps[i].Guard)
		}
	}
	if len(guards) == 0 {
		return nil, nil, nil
	}
	var f *facts
	if slices.ContainsFunc(guards, func(g *Guard) bool { return g != nil }) {
		var err error
		if f, err = h.readFacts(ctx, guards); err != nil {
			return nil, nil, []error{fmt.Errorf("undo: cannot tell what this run made: %w", err)}
		}
	}
	own := owner{zone: p.Zone, run: p.Run}
	var jerrs []error
	for k := len(done) - 1; k >= 0; k-- {
		s := p.Steps[done[k]]
		if s.Undo == nil {
			continue
		}
		if f != nil {
			if v, why := s.Guard.check(f, own); v != undoIt {
				if v == undoKeep {
					kept = append(kept, fmt.Sprintf("%s (%s)", s.Undo, why))
				}
				if err := j.Undone(done[k]); err != nil {
					jerrs = append(jerrs, err)
				}
				continue
			}
		}
		if _, err := h.Runner.Run(ctx, *s.Undo); err != nil {
			errs = append(errs, fmt.Errorf("undo %s: %w", s.Undo, err))
			continue
		}
		if f != nil {
			f.applied(s.Undo.Argv)
		}
		if err := j.Undone(done[k]); err != nil {
			jerrs = append(jerrs, fmt.Errorf("undo %s: %w", s.Undo, err))
		}
		undone = append(undone, s.Undo.String())
	}
	// A journal that could not record an undo matters only when the
	// journal stays, for gc: when every undo ran, it is removed.
	if len(errs) > 0 {
		errs = append(errs, jerrs...)
	}
	return undone, kept, errs
}

// zfsDestroyStep destroys a dataset or snapshot through go-zfs (never
// with -R: a clone is never destroyed behind the user's back).
func zfsDestroyStep(why, name string, recursive bool) Step {
	c, _ := zfs.DestroyCmd(name, recursive)
	return Step{
		Why: why,
		Cmd: &c,
		Func: func(ctx context.Context, r illumos.Runner) error {
			return zfs.Destroy(ctx, r, name, recursive)
		},
	}
}

// zfsRollbackStep rolls a filesystem back to a snapshot through go-zfs,
// destroying newer snapshots (the caller has checked that none is cloned).
func zfsRollbackStep(why, snap string) Step {
	return Step{
		Why: why,
		Cmd: &illumos.Cmd{Argv: []string{"zfs", "rollback", "-r", snap}},
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
