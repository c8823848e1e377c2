package zone

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zfs"
)

// A Step is one action of a plan, as data: the command to run (or a
// wait for a milestone, an image to write, files to edit in a zone's
// root, an exec's command and its finish, a killed run's journal to
// remove), what counts as success and
// as a change, the conditions under which it runs, and, when it makes
// something, the command that removes it again with the guard that says
// when that removal still applies. Plans compare as values, and a
// journal records each step's undo exactly as planned.
type Step struct {
	// Why is one line for check-mode output and transcripts.
	Why string
	// Cmd is the command the step runs. A zfs command is run by zfs.Apply
	// (a destroy, rollback or set through go-zfs in the zonemgr command),
	// any other command through the host's runner.
	Cmd *illumos.Cmd
	// Wait, instead of a command, waits for a milestone in a booted zone.
	Wait *Wait
	// Export, instead of a command, writes a golden image file.
	Export *ImageExport
	// Files, instead of a command, edits files in a zone's root from the
	// global zone.
	Files *ZoneFiles
	// Exec makes Cmd (a zlogin argv) the command an exec runs in a zone:
	// its exit status is the command's result, not the step's, and the
	// plan goes on to its Finish whatever it is. The step fails only
	// when the command could not be run to its end (it was stopped, its
	// log could not be opened), and even then the Finish runs.
	Exec *ExecRun
	// Finish, instead of a command, ends an exec: it carries out the
	// run's recovery (Plan.Recover) as the exec's discard policy and the
	// command's outcome say, with the commands gc would run after a
	// kill, worked out against what the system says when the step runs.
	Finish *Finish
	// Forget, instead of a command, removes a killed run's journal (a
	// gc's last step for that run).
	Forget string
	// Received, instead of a command, checks what a zfs receive made
	// before anything else uses it (see ReceivedTree).
	Received *ReceivedTree
	// Rolledback, instead of a command, records in the journal at this
	// path (gc's replayed one, or the run's own) that the refresh it
	// recovers was rolled back (see Recovery.Rolledback).
	Rolledback string
	// Show is how the plan displays the step, when not by its command. A
	// step with none of command, wait, export, files, finish, journal to
	// remove, received tree or rollback mark runs nothing: it only
	// carries an undo (the snapshots that a snapshot step above takes in
	// the same call; what a killed clone leaves, see cloneSteps).
	Show string
	// NoChangeExit lists non-zero exit codes that count as success with
	// nothing changed (pkg's 4, "nothing to do"). A step that exits 0
	// changed something.
	NoChangeExit []int
	// ChangedExit lists non-zero exit codes that count as success with a
	// change: a question whose "cannot tell here" goes on as though the
	// answer were yes (see askUpdates).
	ChangedExit []int
	// IfChanged, when set, runs the step only when one of these steps
	// (indexes into the plan) ran and changed something: a refresh's
	// snapshot, taken only when a package step changed the zone.
	IfChanged []int
	// Needs, when set, runs the step only when each of these steps
	// (indexes into the plan) ran without failing or was passed over by
	// its condition (When). In a plan that goes on after a failure (gc's)
	// it keeps the steps that build on a failed one from running.
	Needs []int
	// ExistsOK names a dataset: when the command fails and the dataset
	// exists, a parallel run made it, and the step counts as done (a
	// container two runs create at once).
	ExistsOK string
	// Release names a lock the plan holds, released once the step ran:
	// the golden zone's, shared while it is cloned ("source").
	Release string
	// Commit closes the run's record so far just before the step runs:
	// what the steps before it made stays whatever becomes of the run,
	// and nothing of it is undone or recovered, by the run or by gc (the
	// disposable zone of an exec that never discards it, once it is
	// made; a refreshed golden zone, once its new snapshot is taken).
	// The steps from this one on are journaled as any are.
	Commit bool
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

// A Wait waits, bounded by Timeout, for a milestone to be online in a
// booted zone. FromGlobal asks the zone's service repository from the
// global zone (svcs -z), which only a caller with all privileges can
// reach; otherwise each poll logs into the zone (zlogin -S ZONE svcs).
type Wait struct {
	Zone       string
	Milestone  string
	Timeout    time.Duration
	FromGlobal bool
}

// probe is the command that asks the milestone's state once.
func (w *Wait) probe() []string {
	if w.FromGlobal {
		return []string{"svcs", "-z", w.Zone, "-H", "-o", "state", w.Milestone}
	}
	return []string{"zlogin", "-S", w.Zone, "svcs", "-H", "-o", "state", w.Milestone}
}

// String renders the step as shown in a plan.
func (s Step) String() string {
	switch {
	case s.Show != "":
		return s.Show
	case s.Cmd != nil:
		return s.Cmd.String()
	case s.Wait != nil:
		return fmt.Sprintf("wait up to %s for %s in %s (%s)", s.Wait.Timeout, s.Wait.Milestone, s.Wait.Zone, illumos.QuoteArgv(s.Wait.probe()))
	case s.Files != nil:
		return s.Files.String()
	case s.Forget != "":
		return "remove journal " + s.Forget
	case s.Received != nil:
		return s.Received.String()
	case s.Rolledback != "":
		return "record the rollback in journal " + s.Rolledback
	}
	return ""
}

// A Plan is the ordered list of steps one run of an operation takes, and
// what the engine records as it applies them.
type Plan struct {
	Zone string
	// Run is the run's id: what the steps make carries it (zonemgr.run,
	// zonemgr:run), and so does the run's journal.
	Run   string
	Steps []Step
	// Recover, when set, is recorded in the journal: how gc finishes the
	// run's work should it be killed (see Recovery). A step's Recover
	// sets it when the step begins.
	Recover *Recovery

	// datasets are the dataset locks the operation holds (see
	// DatasetLocks); a step that destroys one of them releases it first.
	datasets *DatasetLocks
	// held are the locks the plan holds that a step releases (Release).
	held map[string]interface{ Unlock() }
	// facts, when set, are what the steps' conditions are checked
	// against, updated as each command runs (gc's, read once for all the
	// runs it replays); otherwise each condition reads the system afresh.
	facts *facts
	// keepGoing: a failed step does not stop the plan and nothing is
	// undone; the failure is recorded, and the steps that need the
	// failed one do not run (gc: one killed run's leftovers do not keep
	// gc from another's).
	keepGoing bool
	// tryLocks: a dataset lock another operation holds fails the step at
	// once instead of being waited for (gc).
	tryLocks bool

	// What applying the plan did.
	changed   map[int]bool // steps that ran and changed something
	ok        map[int]bool // steps that ran without failing or were passed over
	attempted []int        // steps that were started, in order
	passed    []passedStep // steps whose condition kept them from running
	warnings  []string     // what the commands that succeeded warned about
	failures  []stepFailure
	exec      *execOutcome // the exec's command and finish
}

// A passedStep is a step whose condition (When) kept it from running.
type passedStep struct {
	step int
	why  string
	// keep: what the step would change is not the run's to change (as
	// opposed to being gone, or in the state the step leads to already).
	keep bool
}

// A stepFailure is a step that failed in a plan that goes on.
type stepFailure struct {
	step int
	err  error
	// checking: the step's condition could not be checked, so the step
	// did not run.
	checking bool
}

// Changed reports whether step i ran and changed something.
func (p *Plan) Changed(i int) bool { return p.changed[i] }

// hold gives the plan a lock that a step releases by name.
func (p *Plan) hold(name string, l interface{ Unlock() }) {
	if p.held == nil {
		p.held = map[string]interface{ Unlock() }{}
	}
	p.held[name] = l
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

// kept lists, once the plan was applied, the steps whose condition kept
// them from running because what they would change is not the run's,
// with the reason.
func (p *Plan) kept() []string {
	var out []string
	for _, ps := range p.passed {
		if ps.keep {
			out = append(out, fmt.Sprintf("%s not run: %s", p.Steps[ps.step], ps.why))
		}
	}
	return out
}

// maxCommandWarnings bounds the warnings taken from one command's
// standard error.
const maxCommandWarnings = 10

// commandWarnings returns the lines of a successful command's standard
// error that say WARNING, as the tools print their warnings: zoneadm
// clone's validate_clone() ("WARNING: read-write lofs file system on
// '/export/src' is configured in both zones.", illumos-gate zoneadm.c
// warn_fs_match() and the others, some through zerror() with zoneadm's
// prefix), the brand hooks' log_warn lines. A command that succeeded
// with a warning is still a success; the warning is the operation's, so
// that nothing a tool says is lost. At most maxCommandWarnings lines are
// taken, with a last line saying how many more there were.
func commandWarnings(stderr []byte) []string {
	var out []string
	more := 0
	for line := range strings.SplitSeq(string(stderr), "\n") {
		line = strings.TrimSpace(line)
		if !strings.Contains(line, "WARNING:") {
			continue
		}
		if len(out) == maxCommandWarnings {
			more++
			continue
		}
		out = append(out, line)
	}
	if more > 0 {
		out = append(out, fmt.Sprintf("(and %d more warnings)", more))
	}
	return out
}

// warningsAfter is what an applied plan warns about, each naming its
// zone: the steps its conditions kept from running, then what its
// commands warned about as they succeeded.
func (p *Plan) warningsAfter() []string {
	var out []string
	for _, k := range p.kept() {
		out = append(out, p.Zone+": "+k)
	}
	return append(out, p.warnings...)
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

// CleanupTimeout bounds the undo of a failed plan, and an exec's finish.
// Both run under a fresh context, so a cancelled or timed-out run
// (Ctrl-C) is still cleaned up.
var CleanupTimeout = 10 * time.Minute

// apply runs the steps of a plan in order. Each step, with its undo and
// the undo's guard, is written to the journal before it runs, so a
// crash leaves a record of what may need removing. When a step fails,
// the run does what gc would do with its journal after a kill: it
// carries out its recovery, if one is in force that the run finishes
// itself (see Recovery.selfFinished), and runs the undo commands of the
// steps already done, newest first, each only while its guard holds;
// the returned *ApplyError tells every story, and a journal whose undo
// failed is left for gc. In a plan that goes on after a failure (gc's),
// the failure is only recorded. A nil journal journals nothing.
func (h *Host) apply(ctx context.Context, j *Journal, p *Plan) error {
	var done []int
	p.changed, p.ok = map[int]bool{}, map[int]bool{}
	for i, s := range p.Steps {
		if slices.ContainsFunc(s.Needs, func(n int) bool { return !p.ok[n] }) {
			continue
		}
		if len(s.IfChanged) > 0 && !slices.ContainsFunc(s.IfChanged, p.Changed) {
			p.ok[i] = true
			continue
		}
		var lk *ZoneLock
		if s.When != nil {
			run, l, err := h.checkWhen(ctx, p, i, s)
			if err != nil {
				if p.keepGoing {
					p.failures = append(p.failures, stepFailure{step: i, err: err, checking: true})
					continue
				}
				return h.failed(j, p, s, done, err)
			}
			if !run {
				p.ok[i] = true
				continue
			}
			lk = l
		}
		if s.Commit {
			if err := j.Commit(); err != nil {
				lk.Unlock()
				return h.failed(j, p, s, done, err)
			}
			done, p.Recover = nil, nil
		}
		if s.Recover != nil {
			r, prev := *s.Recover, p.Recover
			p.Recover = &r
			if err := j.SetRecovery(r); err != nil {
				// The step has not started: what it would recover is
				// not in force, and the steps done are undone.
				lk.Unlock()
				p.Recover = prev
				return h.failed(j, p, s, done, err)
			}
		}
		if err := j.Begin(i, s); err != nil {
			lk.Unlock()
			return h.failed(j, p, s, done, err)
		}
		p.attempted = append(p.attempted, i)
		var changed bool
		var err error
		switch {
		case s.Exec != nil:
			changed = h.runExec(ctx, p, s)
		case s.Finish != nil:
			changed, err = h.runFinish(ctx, j, p, s)
			if err != nil {
				lk.Unlock()
				return h.finishFailed(j, p, err)
			}
		default:
			var warns []string
			changed, warns, err = h.runStep(ctx, s)
			for _, w := range warns {
				p.warnings = append(p.warnings, fmt.Sprintf("%s: %s: %s", p.Zone, s.Why, w))
			}
		}
		lk.Unlock()
		if l := p.held[s.Release]; l != nil {
			l.Unlock()
		}
		if err != nil {
			if p.keepGoing {
				p.failures = append(p.failures, stepFailure{step: i, err: err})
				continue
			}
			if s.Undo != nil && s.UndoIfFailed {
				done = append(done, i)
			}
			return h.failed(j, p, s, done, err)
		}
		j.Done(i)
		p.changed[i], p.ok[i] = changed, true
		done = append(done, i)
		if p.facts != nil && s.Cmd != nil {
			p.facts.applied(s.Cmd.Argv)
		}
	}
	if err := j.Finish(); err != nil {
		return fmt.Errorf("%s: %w", p.Zone, err)
	}
	return nil
}

// failed handles the failure of step s of a plan with err: the recovery
// in force, when the run finishes it itself, and the undo commands of
// the done steps (indexes into p.Steps), in the order gc would run them
// (see GC); it returns the *ApplyError that tells every story.
func (h *Host) failed(j *Journal, p *Plan, s Step, done []int, err error) error {
	ae := &ApplyError{Zone: p.Zone, Step: s.String(), Err: err, Command: s.Cmd}
	var ce *illumos.CommandError
	if errors.As(err, &ce) {
		ae.Stderr, ae.ExitCode = ce.Stderr, ce.ExitCode
	}
	undo := func() bool {
		undone, kept, errs := h.undo(j, p, done)
		ae.Undone, ae.Kept = append(ae.Undone, undone...), append(ae.Kept, kept...)
		ae.UndoErrs = append(ae.UndoErrs, errs...)
		return len(errs) == 0
	}
	recover := func() bool {
		ran, kept, errs := h.carryOut(p.Recover, j.Path())
		ae.Undone, ae.Kept = append(ae.Undone, ran...), append(ae.Kept, kept...)
		ae.UndoErrs = append(ae.UndoErrs, errs...)
		return len(errs) == 0
	}
	switch r := p.Recover; {
	case r == nil || !r.selfFinished():
		undo()
	case r.Kind == "refresh":
		// Work that cannot be undone step by step is recovered after the
		// undo commands, as gc would recover it.
		_ = undo() && recover()
	default:
		_ = recover() && undo()
	}
	if len(ae.UndoErrs) == 0 {
		if ferr := j.Finish(); ferr != nil {
			ae.UndoErrs = append(ae.UndoErrs, ferr)
			ae.Journal = j.Path()
		}
	} else {
		ae.Journal = j.Path()
		j.Release()
	}
	return ae
}

// checkWhen checks a step's condition just before it runs, under the
// lock of the dataset it destroys, and reports whether it is to run,
// with that lock, which the caller releases once the step ran. A step
// that is not to run is noted in p.passed.
func (h *Host) checkWhen(ctx context.Context, p *Plan, i int, s Step) (bool, *ZoneLock, error) {
	var lk *ZoneLock
	f := p.facts
	var err error
	switch ds := h.lockedDataset(s.Cmd, s.When); {
	case ds != "":
		if lk, err = h.lockDatasetExclusive(ctx, p.datasets, ds, !p.tryLocks); err != nil {
			return false, nil, err
		}
		f, err = h.readFacts(ctx, []*Guard{s.When})
	case f == nil:
		f, err = h.readFacts(ctx, []*Guard{s.When})
	default:
		err = h.learnGuarded(ctx, f, s.When)
	}
	if err != nil {
		lk.Unlock()
		return false, nil, err
	}
	v, why := s.When.check(f, owner{zone: p.Zone, run: p.Run})
	if v != undoIt {
		lk.Unlock()
		p.passed = append(p.passed, passedStep{step: i, why: why, keep: v == undoKeep})
		return false, nil, nil
	}
	return true, lk, nil
}

// learnGuarded reads into f what a condition names that f does not hold
// yet: a dataset outside the trees read, a snapshot's holds.
func (h *Host) learnGuarded(ctx context.Context, f *facts, g *Guard) error {
	if g == nil || g.Dataset == "" {
		return nil
	}
	if ds, _, _ := strings.Cut(g.Dataset, "@"); !f.w.known(ds) {
		if err := h.learnTrees(ctx, f.w, []string{ds}); err != nil {
			return err
		}
	}
	if _, ok := f.holds[g.Dataset]; g.Hold != "" && !ok {
		if err := h.learnHolds(ctx, f, []string{g.Dataset}); err != nil {
			return err
		}
	}
	return h.learnRecords(ctx, f, []*Guard{g})
}

// runStep runs one step (a command, a wait, an image export, files to
// edit, a journal to remove) and reports whether it changed something,
// and the warnings a command that succeeded printed (commandWarnings).
func (h *Host) runStep(ctx context.Context, s Step) (changed bool, warnings []string, err error) {
	switch {
	case s.Wait != nil:
		return false, nil, h.WaitMilestone(ctx, h.Runner, *s.Wait)
	case s.Files != nil:
		return true, nil, h.writeZoneFiles(ctx, s.Files)
	case s.Export != nil:
		return true, nil, h.writeImage(ctx, s.Export)
	case s.Received != nil:
		return false, nil, h.checkReceived(ctx, s.Received)
	case s.Rolledback != "":
		return false, nil, markRolledback(s.Rolledback)
	case s.Forget != "":
		if err := os.Remove(s.Forget); err != nil && !os.IsNotExist(err) {
			return false, nil, err
		}
		// Removed for good: after a power loss, gc would otherwise
		// replay the journal again.
		return true, nil, syncDir(filepath.Dir(s.Forget))
	case s.Cmd == nil:
		return false, nil, nil
	}
	if len(s.Cmd.Argv) > 0 && s.Cmd.Argv[0] == "zfs" {
		err = zfs.Apply(ctx, h.Runner, *s.Cmd)
	} else {
		var res illumos.Result
		res, err = h.Runner.Run(ctx, *s.Cmd)
		if err == nil {
			warnings = commandWarnings(res.Stderr)
		}
	}
	var ce *illumos.CommandError
	switch {
	case err == nil:
		return true, warnings, nil
	case errors.As(err, &ce) && slices.Contains(s.NoChangeExit, ce.ExitCode):
		return false, nil, nil
	case errors.As(err, &ce) && slices.Contains(s.ChangedExit, ce.ExitCode):
		return true, nil, nil
	case s.ExistsOK != "" && ctx.Err() == nil:
		if _, lerr := zfs.List(ctx, h.Runner, zfs.ListOptions{Props: []string{"type"}, Names: []string{s.ExistsOK}}); lerr == nil {
			return false, nil, nil
		}
	}
	return false, nil, err
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
		// A dataset outside the containers (a delegated one) is
		// destroyed under its exclusive lock, looked at again, as
		// checkWhen does: another run may have found it and hold its
		// lock shared, about to delegate it (see DatasetLocks).
		gf, lk := f, (*ZoneLock)(nil)
		if ds := h.lockedDataset(s.Undo, s.Guard); ds != "" && f != nil {
			var err error
			if lk, err = h.lockDatasetExclusive(ctx, p.datasets, ds, true); err == nil {
				if gf, err = h.readFacts(ctx, []*Guard{s.Guard}); err != nil {
					lk.Unlock()
				}
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("undo %s: %w", s.Undo, err))
				continue
			}
		}
		if gf != nil {
			if v, why := s.Guard.check(gf, own); v != undoIt {
				lk.Unlock()
				if v == undoKeep {
					kept = append(kept, fmt.Sprintf("%s (%s)", s.Undo, why))
				}
				if err := j.Undone(done[k]); err != nil {
					jerrs = append(jerrs, err)
				}
				continue
			}
		}
		_, _, err := h.runStep(ctx, Step{Cmd: s.Undo})
		lk.Unlock()
		if err != nil {
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

// zfsDestroyStep destroys a dataset or snapshot (never with -R: a clone
// is never destroyed behind the user's back); apply runs it with
// zfs.Apply.
func zfsDestroyStep(why, name string, recursive bool) Step {
	c, _ := zfs.DestroyCmd(name, recursive)
	return Step{Why: why, Cmd: &c}
}

// zfsRollbackStep rolls a filesystem back to a snapshot without -r: zfs
// refuses while a newer snapshot exists, so the steps before it destroy
// the newer snapshots planned, one by one, and a snapshot nobody planned
// fails the rollback instead of being lost; apply runs it with
// zfs.Apply.
func zfsRollbackStep(why, snap string) Step {
	c, _ := zfs.RollbackCmd(snap, false)
	return Step{Why: why, Cmd: &c}
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
