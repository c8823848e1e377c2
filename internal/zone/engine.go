package zone

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"syscall"
	"time"
)

// The engine runs every operation — a golden or disposable zone, a
// snapshot, an exec, an image export or import, gc — one way:
//
//	lock → observe → plan → check/diff → journal → apply → undo on failure
//
// An operation takes its locks (held until it ends), reads the world and
// plans its steps as data; the engine then either shows the plan, in
// check mode, or journals and applies it, and on a failure undoes what
// was done (see apply). operate is the one place that looks at check
// mode: there it decides between showing and applying, and that the
// run takes no locks. What the operation reports besides the plan it
// completes at the end.

// An operation is one kind of operation, as the engine runs it.
type operation interface {
	// journal names the operation in its run's journal ("": the
	// operation keeps none, as gc, which only finishes other runs).
	journal() string
	// lock takes the locks the operation holds until it ends, and
	// refuses to start on a zone a killed run left work unfinished on.
	lock(ctx context.Context, ls *lockSet) error
	// plan reads the world and plans the operation: its steps into p
	// (and the zone they are about), what it reports into out.
	plan(ctx context.Context, ls *lockSet, p *Plan, out *Outcome) error
	// done completes the outcome once the engine is done with the plan,
	// which ended as e says; err is the apply's error.
	done(ctx context.Context, p *Plan, out *Outcome, e ending, err error) (*Outcome, error)
}

// An ending is what became of a plan.
type ending int

const (
	// shown: check mode; the plan was shown, not applied.
	shown ending = iota
	// nothing: the plan was empty; there was nothing to do.
	nothing
	// applied: the plan ran (the error passed with it says how it ended).
	applied
)

// operate runs one operation (see operation). The outcome's plan lines,
// steps and changed flag are the plan's: changed is true when the plan
// has a step (the operation's done may know better once it ran: a
// refresh that found its packages up to date changed nothing).
func (h *Host) operate(ctx context.Context, op operation) (*Outcome, error) {
	check := h.CheckMode
	ls := &lockSet{h: h, dry: check}
	defer ls.release()
	if err := op.lock(ctx, ls); err != nil {
		return nil, err
	}
	p := h.newPlan("")
	out := &Outcome{}
	if err := op.plan(ctx, ls, p, out); err != nil {
		return nil, err
	}
	out.Plan, out.Steps, out.Changed = p.Lines(), p.Steps, !p.Empty()
	switch {
	case check:
		return op.done(ctx, p, out, shown, nil)
	case p.Empty():
		return op.done(ctx, p, out, nothing, nil)
	}
	var j *Journal
	if name := op.journal(); name != "" {
		var err error
		if j, err = NewJournal(h.journalDir(), name, p.Zone, p.Run, p.Recover); err != nil {
			return nil, err
		}
	}
	err := h.apply(ctx, j, p)
	out.Warnings = append(out.Warnings, p.warningsAfter()...)
	return op.done(ctx, p, out, applied, err)
}

// A lockSet holds the locks one run of an operation takes, from its
// start to its end, when the engine releases them all. In check mode it
// takes none: a plan that is only shown waits for no other run and
// leaves no lock file behind.
type lockSet struct {
	h   *Host
	dry bool
	// held are the locks taken, and zones the zones among them locked
	// exclusively, by name: a run that locks a zone twice (gc, for two
	// journals of one zone) holds one lock.
	held  []interface{ Unlock() }
	zones map[string]*ZoneLock
	// after run at the release, once the locks are released.
	after []func()
}

// take takes a lock with lock (one of the Host's lock calls), unless in
// check mode, and holds it.
func (l *lockSet) take(lock func() (*ZoneLock, error)) (*ZoneLock, error) {
	if l.dry {
		return &ZoneLock{}, nil
	}
	lk, err := lock()
	if err != nil {
		return nil, err
	}
	l.held = append(l.held, lk)
	return lk, nil
}

// zone takes a zone's lock exclusively, waiting until ctx is done (see
// LockZone).
func (l *lockSet) zone(ctx context.Context, zone string) (*ZoneLock, error) {
	if lk := l.zones[zone]; lk != nil {
		return lk, nil
	}
	lk, err := l.take(func() (*ZoneLock, error) { return l.h.LockZone(ctx, zone) })
	if err == nil {
		l.named(zone, lk)
	}
	return lk, err
}

// try takes a zone's lock exclusively only when it is free (see
// TryLockZone).
func (l *lockSet) try(zone string) (*ZoneLock, error) {
	if lk := l.zones[zone]; lk != nil {
		return lk, nil
	}
	lk, err := l.take(func() (*ZoneLock, error) { return l.h.TryLockZone(zone) })
	if err == nil {
		l.named(zone, lk)
	}
	return lk, err
}

func (l *lockSet) named(zone string, lk *ZoneLock) {
	if l.zones == nil {
		l.zones = map[string]*ZoneLock{}
	}
	l.zones[zone] = lk
}

// shared takes a zone's lock shared (see LockZoneShared).
func (l *lockSet) shared(ctx context.Context, zone string) (*ZoneLock, error) {
	return l.take(func() (*ZoneLock, error) { return l.h.LockZoneShared(ctx, zone) })
}

// gc takes gc's own lock, waiting until ctx is done: one gc at a time.
func (l *lockSet) gc(ctx context.Context) (*ZoneLock, error) {
	return l.take(func() (*ZoneLock, error) {
		return l.h.lockFile(ctx, "gc", gcLockName+".lock", syscall.LOCK_EX, true)
	})
}

// datasets takes the shared locks of datasets to delegate (see
// DatasetLocks); nil in check mode.
func (l *lockSet) datasets(ctx context.Context, names []string) (*DatasetLocks, error) {
	if l.dry {
		return nil, nil
	}
	dl, err := l.h.lockDatasetsShared(ctx, names)
	if err != nil {
		return nil, err
	}
	l.held = append(l.held, dl)
	return dl, nil
}

// onRelease has f run at the release, after the locks are released.
func (l *lockSet) onRelease(f func()) { l.after = append(l.after, f) }

// release releases every lock held, newest first.
func (l *lockSet) release() {
	for i := len(l.held) - 1; i >= 0; i-- {
		l.held[i].Unlock()
	}
	l.held, l.zones = nil, nil
	for _, f := range l.after {
		f()
	}
	l.after = nil
}

// An ExecRun is what an exec's command step (see Step.Exec) needs
// besides its zlogin argv: the zone, the exit codes that count as
// success, and where the output goes.
type ExecRun struct {
	Zone        string
	OKRCs       []int
	OutputLimit int    // bytes of stdout and of stderr kept in the result
	Log         string // a file that receives the whole output
}

// A Finish ends an exec (see Step.Finish).
type Finish struct {
	// Discard is the exec's discard policy (see DiscardPolicies): in an
	// existing zone (recovery "exec"), whether it is rolled back to the
	// snapshot taken before the command; for a disposable zone of the
	// run's own (recovery "destroy"), whether it is destroyed.
	Discard string
	// KeepOnFailure keeps a disposable zone whose command failed.
	KeepOnFailure bool
}

// recovery returns the recovery a finish carries out once the command
// ran, by its outcome (ok: its exit code is accepted; cancelled: the run
// was stopped), and whether there is one: an existing zone is always
// put back (rolled back when the policy discards), a disposable zone
// destroyed when the policy (or a stopped run) says so.
func (f *Finish) recovery(r Recovery, ok, cancelled bool) (Recovery, bool) {
	switch r.Kind {
	case "exec":
		r.Discard = r.Snapshot != "" && discardNow(f.Discard, ok)
		return r, true
	case "destroy":
		return r, cancelled || discardNow(f.Discard, ok) && !(f.KeepOnFailure && !ok)
	}
	return r, false
}

// An execOutcome is what an exec's command and finish did.
type execOutcome struct {
	res     *ExecResult // nil when the command could not start
	err     error       // the command could not be run to its end
	ok      bool        // the command's exit code is accepted
	started time.Time
	took    time.Duration // the command's
	// due: the finish had a recovery to carry out; finished: it did, to
	// its end; discarded: it discarded the zone or its changes.
	due, finished, discarded bool
	finishTook               time.Duration
	warnings                 []string
}

// runExec runs an exec's command step and records what it did in
// p.exec. The command's failure is its result: the plan goes on.
func (h *Host) runExec(ctx context.Context, p *Plan, s Step) bool {
	x := &execOutcome{started: time.Now()}
	p.exec = x
	x.res, x.err = h.runCommand(ctx, *s.Cmd, s.Exec)
	x.took = time.Since(x.started)
	x.ok = x.err == nil && x.res != nil && slices.Contains(s.Exec.OKRCs, x.res.RC)
	return true
}

// runFinish carries out an exec's finish (see Step.Finish), under a
// fresh bounded context: a stopped run is still cleaned up. The journal
// records the recovery as the finish carries it out, so that gc, should
// the run be killed meanwhile, finishes the same work.
func (h *Host) runFinish(ctx context.Context, j *Journal, p *Plan, s Step) (bool, error) {
	x := p.exec
	if x == nil {
		x = &execOutcome{}
		p.exec = x
	}
	if p.Recover == nil {
		return false, nil
	}
	r, due := s.Finish.recovery(*p.Recover, x.ok, ctx.Err() != nil)
	if x.due = due; !due {
		return false, nil
	}
	start := time.Now()
	defer func() { x.finishTook = time.Since(start) }()
	// The finish changes no more than Discard (see Finish.recovery).
	if r.Discard != p.Recover.Discard {
		p.Recover = &r
		if err := j.SetRecovery(r); err != nil {
			return false, fmt.Errorf("%s: journal: %w", p.Zone, err)
		}
	}
	sub, err := h.recoverNow(&r, j.Path())
	x.warnings = append(x.warnings, sub.warningsAfter()...)
	switch r.Kind {
	case "exec":
		x.discarded = r.Discard && rolledBack(sub)
	case "destroy":
		x.discarded = err == nil
	}
	if err != nil {
		return false, err
	}
	x.finished = true
	return true, nil
}

// rolledBack reports whether a plan has rollback steps and all of them
// ran.
func rolledBack(p *Plan) bool {
	n := 0
	for i, s := range p.Steps {
		if s.Cmd != nil && len(s.Cmd.Argv) > 1 && s.Cmd.Argv[0] == "zfs" && s.Cmd.Argv[1] == "rollback" {
			if !p.ok[i] {
				return false
			}
			n++
		}
	}
	return n > 0
}

// finishFailed handles a failed finish: nothing is undone (the finish
// was the undoing), and the journal stays for gc, which finishes what
// the finish could not.
func (h *Host) finishFailed(j *Journal, p *Plan, err error) error {
	if j == nil {
		return err
	}
	j.Release()
	return errors.Join(err, fmt.Errorf("zone %s: its journal %s is left for zonemgr gc", p.Zone, j.Path()))
}

// recoverNow carries out a recovery (see Recovery) the run finishes
// itself, against what the system says now, under a fresh bounded
// context: the steps gc would run, applied as a plan of their own
// (their undo, should one fail, included), unjournaled: the run's
// journal already records the recovery, and a refresh's rollback is
// recorded in it before the snapshot goes (journal, the run's journal's
// path; see Recovery.Rolledback). It returns that plan, which says what
// ran.
func (h *Host) recoverNow(r *Recovery, journal string) (*Plan, error) {
	ctx, cancel := context.WithTimeout(context.Background(), CleanupTimeout)
	defer cancel()
	sub := &Plan{Zone: r.Zone, Run: r.ZoneRun}
	f, err := h.readFacts(ctx, nil)
	if err != nil {
		return sub, fmt.Errorf("%s %s: %w", r.Kind, r.Zone, err)
	}
	steps, _, err := h.recoverySteps(ctx, f, r, false, journal)
	if err != nil {
		return sub, err
	}
	sub.Steps = steps
	return sub, h.apply(ctx, nil, sub)
}

// carryOut carries out a recovery after a failed step (see failed) and
// reports, as an undo does, the commands that ran, those kept from
// running, and what failed.
func (h *Host) carryOut(r *Recovery, journal string) (ran, kept []string, errs []error) {
	sub, err := h.recoverNow(r, journal)
	for _, i := range sub.attempted {
		if sub.ok[i] {
			ran = append(ran, sub.Steps[i].String())
		}
	}
	kept = sub.kept()
	var ae *ApplyError
	switch {
	case errors.As(err, &ae):
		ran = append(ran, ae.Undone...)
		errs = append([]error{fmt.Errorf("%s: %w", ae.Step, ae.Err)}, ae.UndoErrs...)
	case err != nil:
		errs = []error{err}
	}
	return ran, kept, errs
}
