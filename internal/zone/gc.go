package zone

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zfs"
)

// A GCReport is what gc found and what it did about it (in check mode:
// what it would do).
type GCReport struct {
	// Found are the leftovers seen before gc changed anything.
	Found Orphans `json:"found"`
	// Commands are the commands run (check mode: to run), in order.
	Commands []string `json:"commands"`
	// NotRun are undo commands and removals gc did not run, each with
	// the reason: what they would remove is gone already, or is not the
	// killed run's (another run made it again, a zone uses it); and
	// journals kept for a later run. (Not "skipped": Ansible reads a
	// result's truthy "skipped" as a skipped task.)
	NotRun []string `json:"not_run"`
	// UndoFailed are commands that failed; their journals stay.
	UndoFailed []string `json:"undo_failed"`
	// Left are the leftovers remaining after gc (none on success, but
	// what no journal records, which gc never removes).
	Left Orphans `json:"left"`
}

// GC finishes the work of killed runs. A run is known to be gone when
// the lock it held on its journal for its whole life can be taken (the
// kernel released it at the run's death). For each such journal, newest
// first, under the lock of the journal's zone:
//
//   - a run that was destroying a zone (a destroy, or an exec-diz's
//     disposable zone) has the destroy finished, while the zone is still
//     the one that run worked on; a rollback, a snapshot removal or an
//     exec in an existing zone is finished likewise;
//   - then the undo commands of its steps run, newest first, each only
//     while its guard holds: the zone is still the one the run made, the
//     dataset still carries the run's zonemgr:run and no other zone uses
//     it, the VNIC is configured in no other zone.
//
// A journal is removed when all of this ran or was found unnecessary. A
// command that fails keeps its journal, and gc fails, naming what is left
// and what to do. gc removes nothing that no journal records: a
// detached golden zone, a snapshot or a VNIC it did not record are never
// its to destroy; look-alikes are listed as unrecorded. In check mode it
// only reports.
//
// gc runs as every operation does (see operate): its plan is the replay
// of every killed run's journal, planned against what the system says,
// and applied as a plan that goes on after a failure, each command's
// condition checked again just before it runs.
func (h *Host) GC(ctx context.Context) (*GCReport, *Outcome, error) {
	o := &gcOp{h: h, rep: &GCReport{Commands: []string{}, NotRun: []string{}, UndoFailed: []string{}}}
	out, err := h.operate(ctx, o)
	if out == nil {
		return nil, nil, err
	}
	return o.rep, out, err
}

// A gcOp is one run of GC.
type gcOp struct {
	h    *Host
	rep  *GCReport
	scan *journalScan
	// lockedOut are the zones whose lock another operation holds, with
	// the error that says so: their killed runs' journals wait for a
	// later gc.
	lockedOut map[string]error
	// names names the killed run's journal each step of the plan
	// replays (by step index), for the report.
	names map[int]string
}

// journal is "": gc keeps no journal of its own; a killed gc leaves the
// journals it replays, which the next gc replays again.
func (o *gcOp) journal() string { return "" }

// lock takes gc's own lock, the locks of the killed runs' journals (see
// scanJournals) and, without waiting, the lock of each one's zone.
//
// gc keeps the lock of a journal only while it holds the lock of its
// zone, to replay it: the lock of a journal it will not replay now (its
// zone is busy, it cannot be replayed, or this is check mode) is released
// at once, so that the run on that zone that comes next sees the killed
// run's journal for what it is, and is refused (see pendingWork). The
// journals' locks are released before the zones' at the end.
func (o *gcOp) lock(ctx context.Context, ls *lockSet) error {
	h := o.h
	if _, err := ls.gc(ctx); err != nil {
		return fmt.Errorf("gc: %w", err)
	}
	scan, err := scanJournals(h.journalDir(), !h.CheckMode)
	if err != nil {
		return fmt.Errorf("gc: %w", err)
	}
	o.scan = scan
	o.lockedOut = map[string]error{}
	built := map[string]bool{}
	for _, lj := range scan.dead {
		if replayable(lj) != "" || o.lockedOut[lj.Zone] != nil {
			continue
		}
		// A replay may destroy a golden zone (a killed eviction or
		// build): its build lock is taken first, as an eviction takes
		// it (lockGIZ), for a run that holds it is building the zone or
		// has chosen it for a clone (goldenFor). Only tried: gc waits
		// for no one.
		if !built[lj.Zone] {
			if _, err := ls.take(func() (*ZoneLock, error) {
				return h.lockFile(ctx, "golden zone "+lj.Zone, buildLockName(lj.Zone), syscall.LOCK_EX, false)
			}); err != nil {
				o.lockedOut[lj.Zone] = err
				continue
			}
			built[lj.Zone] = true
		}
		if _, err := ls.try(lj.Zone); err != nil {
			o.lockedOut[lj.Zone] = err
		}
	}
	for _, lj := range scan.dead {
		if ls.dry || replayable(lj) != "" || o.lockedOut[lj.Zone] != nil {
			lj.Close()
		}
	}
	// Held last, released first: before the zones' locks.
	ls.held = append(ls.held, scanLock{scan})
	return nil
}

// A scanLock releases the journal locks of a scan as a lock set releases
// its locks.
type scanLock struct{ *journalScan }

// Unlock releases the journals' locks.
func (l scanLock) Unlock() { l.Close() }

// replayable says why a killed run's journal cannot be replayed, "" when
// it can.
func replayable(lj *lockedJournal) string {
	switch {
	case lj.err != nil:
		return fmt.Sprintf("cannot be read (%v); look at it by hand, then remove it", lj.err)
	case lj.Version < journalVersion || lj.Run == "":
		return "written by an older zonemgr, without run ids or guards: its undo commands are not run; look at it by hand, then remove it"
	case lj.Version > journalVersion:
		// What this zonemgr does not know of it (a guard's condition,
		// a recovery) would be dropped when read: nothing is replayed.
		return fmt.Sprintf("written by a newer zonemgr (journal version %d, this one reads %d): run that zonemgr's gc, or look at it by hand", lj.Version, journalVersion)
	}
	if err := illumos.ValidZoneName(lj.Zone); err != nil {
		return fmt.Sprintf("zone %q: %v; look at it by hand, then remove it", lj.Zone, err)
	}
	return ""
}

// plan reads the facts every journal's guards need at once, lists what
// the killed runs left (Found), and plans their replay.
func (o *gcOp) plan(ctx context.Context, _ *lockSet, p *Plan, out *Outcome) error {
	h := o.h
	p.Zone, out.Zone = "gc", "gc"
	f, err := h.readFacts(ctx, scanGuards(o.scan))
	if err != nil {
		return fmt.Errorf("gc: %w", err)
	}
	if len(o.lockedOut) > 0 {
		// What the runs whose zone is busy left is found too, though
		// they are not replayed now.
		if o.rep.Found, err = h.orphansOf(ctx, f, o.scan); err != nil {
			return fmt.Errorf("gc: %w", err)
		}
	}
	o.names = h.planReplay(ctx, f.clone(), o.scan.dead, o.lockedOut, p, o.rep)
	if len(o.lockedOut) == 0 {
		o.rep.Found = h.orphansFrom(f, o.scan, p.Steps)
	}
	p.facts, p.keepGoing, p.tryLocks = f, true, true
	return nil
}

// done fills in the report: what ran (check mode: would run), what did
// not and why, what failed, and what is left.
func (o *gcOp) done(ctx context.Context, p *Plan, out *Outcome, e ending, _ error) (*Outcome, error) {
	h, rep := o.h, o.rep
	// What gc did not run is in its report (not_run), not in warnings.
	out.Warnings = nil
	removed := 0
	counted := func(i int) {
		if s := p.Steps[i]; s.Forget != "" {
			removed++
		} else {
			rep.Commands = append(rep.Commands, s.String())
		}
	}
	// A journal whose lock is held is a live run's, left to it; gc says
	// so, as the run may also be one that only just ended.
	for _, j := range o.scan.live {
		rep.NotRun = append(rep.NotRun, fmt.Sprintf("journal %s: its lock is held, by a run still going: left to it (gc again once it has ended)", j.path))
	}
	if e == shown {
		for i := range p.Steps {
			counted(i)
		}
		rep.Left = rep.Found
		out.Changed = len(rep.Commands) > 0 || removed > 0
		out.Msg = fmt.Sprintf("gc would run %d command(s) and remove %d journal(s)", len(rep.Commands), removed)
		return out, nil
	}
	failed := map[int]bool{}
	for _, f := range p.failures {
		failed[f.step] = true
	}
	for _, i := range p.attempted {
		if s := p.Steps[i]; s.Forget == "" || !failed[i] {
			counted(i)
		}
	}
	for _, ps := range p.passed {
		rep.NotRun = append(rep.NotRun, fmt.Sprintf("%s: %s", p.Steps[ps.step], ps.why))
	}
	for _, f := range p.failures {
		s := p.Steps[f.step]
		switch {
		case s.Forget != "":
			rep.UndoFailed = append(rep.UndoFailed, fmt.Sprintf("journal %s: remove: %v", s.Forget, f.err))
		case f.checking && errors.Is(f.err, ErrLocked):
			rep.UndoFailed = append(rep.UndoFailed, fmt.Sprintf("%s: %v; gc again once that operation has ended", s, f.err))
		case f.checking:
			rep.UndoFailed = append(rep.UndoFailed, fmt.Sprintf("%s: %v", s, f.err))
		default:
			rep.UndoFailed = append(rep.UndoFailed, fmt.Sprintf("journal %s: %s: %v", o.names[f.step], s, f.err))
		}
	}
	out.Changed = len(rep.Commands) > 0 || removed > 0
	kept := len(o.scan.dead) - removed
	o.scan.Close()
	left, err := h.leftovers(ctx)
	if err != nil {
		return out, fmt.Errorf("gc: %w", err)
	}
	rep.Left = left
	out.Msg = fmt.Sprintf("gc ran %d command(s) and removed %d journal(s)", len(rep.Commands), removed)
	if kept > 0 {
		return out, fmt.Errorf("gc: %d journal(s) of killed runs kept, their work not finished: %s; see not_run and undo_failed, mend what they name, then run zonemgr gc again",
			kept, strings.Join(rep.Left.Journals, ", "))
	}
	return out, nil
}

// leftovers reads the journals and the world again after gc ran.
func (h *Host) leftovers(ctx context.Context) (Orphans, error) {
	scan, err := scanJournals(h.journalDir(), false)
	if err != nil {
		return Orphans{}, err
	}
	// Only read: the locks that told killed runs' journals from live
	// runs' are released at once (see GatherInfo).
	scan.Close()
	f, err := h.readFacts(ctx, scanGuards(scan))
	if err != nil {
		return Orphans{}, err
	}
	return h.orphansOf(ctx, f, scan)
}

// scanGuards collects the guards of every journal in a scan, so that
// one reading of the facts covers them.
func scanGuards(s *journalScan) []*Guard {
	gs := []*Guard{{VNIC: "-"}} // the VNICs are always read
	for _, l := range s.dead {
		for _, e := range l.Entries {
			if e.Guard != nil {
				gs = append(gs, e.Guard)
			}
		}
	}
	for _, j := range s.live {
		for _, e := range j.Entries {
			if e.Guard != nil {
				gs = append(gs, e.Guard)
			}
		}
	}
	return gs
}

// planReplay plans how gc finishes and undoes what killed runs did, one
// journal after the other, into p, against the facts f, which it updates
// with the effect of each step planned. A journal that cannot be
// replayed, or whose zone is busy (lockedOut), is passed over and kept,
// and the report says why. Each journal's steps are planned as the run
// itself would finish and undo its work (see failed): a recovery first
// (the undo commands first for a refresh), then the undo commands,
// newest first, each under its guard; a step needs the recovery steps
// before it, and the journal's removal needs them all. It returns the
// journal's name for each step.
func (h *Host) planReplay(ctx context.Context, f *facts, dead []*lockedJournal, lockedOut map[string]error, p *Plan, rep *GCReport) map[int]string {
	names := map[int]string{}
	for _, lj := range dead {
		name := filepath.Base(lj.path)
		skip := func(format string, args ...any) {
			rep.NotRun = append(rep.NotRun, fmt.Sprintf("journal %s: ", name)+fmt.Sprintf(format, args...))
		}
		if why := replayable(lj); why != "" {
			skip("%s", why)
			continue
		}
		if err := lockedOut[lj.Zone]; err != nil {
			skip("%v; gc again once that operation has ended", err)
			continue
		}
		first := len(p.Steps)
		var needs []int // the steps the next one needs
		add := func(s Step, own owner, chain bool) bool {
			planned, ok := h.planGCStep(ctx, f, s, own, rep)
			if !ok {
				return false
			}
			if planned != nil {
				planned.Needs = slices.Clone(needs)
				names[len(p.Steps)] = name
				p.Add(*planned)
				if chain {
					needs = []int{len(p.Steps) - 1}
				}
			}
			return true
		}
		recover := func() bool {
			r := lj.Recover
			if r == nil {
				return true
			}
			steps, why, err := h.recoverySteps(ctx, f, r, true, lj.path)
			switch {
			case err != nil:
				rep.UndoFailed = append(rep.UndoFailed, fmt.Sprintf("journal %s: %v", name, err))
				return false
			case why != "":
				rep.NotRun = append(rep.NotRun, fmt.Sprintf("journal %s: %s %s: %s", name, r.Kind, r.Zone, why))
			}
			for _, s := range steps {
				if !add(s, owner{zone: r.Zone, run: r.ZoneRun}, true) {
					return false
				}
			}
			return true
		}
		undo := func() bool {
			ok := true
			var undos []int
			for i := len(lj.Entries) - 1; i >= 0; i-- {
				e := lj.Entries[i]
				if len(e.Undo) == 0 || e.State == "undone" {
					continue
				}
				if e.Guard == nil {
					// Every undo zonemgr journals has the guard that says
					// when it still applies: one without is not zonemgr's
					// to run.
					rep.NotRun = append(rep.NotRun, fmt.Sprintf("undo: %s: the journal %s gives no condition for it; look at it by hand", e.Do, name))
					ok = false
					continue
				}
				n := len(p.Steps)
				if !add(Step{Why: "undo: " + e.Do, Cmd: &illumos.Cmd{Argv: slices.Clone(e.Undo)}, When: e.Guard}, owner{zone: lj.Zone, run: lj.Run}, false) {
					ok = false
				}
				if len(p.Steps) > n {
					undos = append(undos, n)
				}
			}
			// What comes after the undo commands needs them all.
			needs = append(needs, undos...)
			return ok
		}
		// A recovery finishes what cannot be undone half-way, then the
		// undo commands remove what is left; a refresh's rollback comes
		// after the undo commands instead, as the run does it itself.
		var ok bool
		if lj.Recover != nil && lj.Recover.Kind == "refresh" {
			ok = undo() && recover()
		} else {
			ok = recover() && undo()
		}
		if !ok {
			continue
		}
		var all []int
		for i := first; i < len(p.Steps); i++ {
			all = append(all, i)
		}
		names[len(p.Steps)] = name
		p.Add(Step{Why: "remove the journal of the killed run", Forget: lj.path, Needs: all})
	}
	return names
}

// planGCStep plans one step of a replay when its condition holds against
// the facts (which it reads further as the condition needs), and applies
// its effect to them. A step whose condition fails is not planned (nil),
// and the report says why; ok is false when the condition could not be
// checked, which ends the replay of the journal.
func (h *Host) planGCStep(ctx context.Context, f *facts, s Step, own owner, rep *GCReport) (planned *Step, ok bool) {
	show, g := s.String(), s.When
	if err := h.learnGuarded(ctx, f, g); err != nil {
		rep.UndoFailed = append(rep.UndoFailed, fmt.Sprintf("%s: %v", show, err))
		return nil, false
	}
	if v, why := g.check(f, own); v != undoIt {
		rep.NotRun = append(rep.NotRun, fmt.Sprintf("%s: %s", show, why))
		return nil, true
	}
	if g != nil && g.Owner == "" {
		// The condition is checked again when the step runs, in gc's own
		// plan: it names the zone and run it belongs to.
		gg := *g
		gg.Owner, gg.OwnerRun = own.zone, own.run
		s.When = &gg
	}
	if s.Cmd != nil {
		f.applied(s.Cmd.Argv)
	}
	return &s, true
}

// lockedDataset returns the dataset whose lock a command needs before it
// runs: a dataset outside the GIZ and DIZ containers that it destroys
// (a delegated dataset or its parent), "" for any other command.
func (h *Host) lockedDataset(cmd *illumos.Cmd, g *Guard) string {
	if cmd == nil || len(cmd.Argv) < 3 || cmd.Argv[0] != "zfs" || cmd.Argv[1] != "destroy" {
		return ""
	}
	ds := cmd.Argv[len(cmd.Argv)-1]
	if strings.Contains(ds, "@") || h.inContainers(ds) {
		return ""
	}
	return ds
}

// recoverySteps plans how a run's work is finished (see Recovery): by
// gc after a kill, or by the run itself (recoverNow). why explains, when
// there is nothing to finish, what was found instead.
//
// killed says whether the run was killed (gc) or carries the recovery out
// itself: in an exec without a snapshot, a killed run's zone is halted
// (what the command left running with it stops) before it is brought
// back to its state; the run's own, whose command has ended, is only
// brought back.
func (h *Host) recoverySteps(ctx context.Context, f *facts, r *Recovery, killed bool, journal string) (steps []Step, why string, err error) {
	z := f.w.Zones[r.Zone]
	switch {
	case z == nil:
		return nil, "the zone no longer exists", nil
	case zoneRun(z) != r.ZoneRun:
		return nil, fmt.Sprintf("zone %s is not the one that run worked on: it was %s", r.Zone, madeBy(zoneRun(z))), nil
	case !z.Managed():
		return nil, fmt.Sprintf("zone %s is not managed by zonemgr", r.Zone), nil
	}
	switch r.Kind {
	case "destroy":
		if r.EvictBefore != "" {
			// A killed eviction is finished only while eviction would
			// still destroy the zone; otherwise it is kept, and only the
			// undo commands of the run's steps run.
			before, err := time.Parse(time.RFC3339Nano, r.EvictBefore)
			if err != nil {
				return nil, "", fmt.Errorf("golden zone %s was being evicted, but the journal's cutoff %q does not parse: %v; look at the journal by hand", z.Name, r.EvictBefore, err)
			}
			why, err := h.evictionKeeps(ctx, f.w, z, before)
			if err != nil {
				return nil, "", err
			}
			if why != "" {
				return nil, fmt.Sprintf("golden zone %s was being evicted, but eviction now keeps it: %s; it is kept, and only the undo commands of the killed run run", z.Name, why), nil
			}
		}
		if z.Role() == "giz" && !r.Force {
			if deps := gizDependents(f.w, z); len(deps) > 0 {
				return nil, "", fmt.Errorf("golden zone %s was being destroyed, but disposable zones depend on its snapshots now: %s; destroy them, then run zonemgr gc again", z.Name, strings.Join(deps, ", "))
			}
		}
		steps, err = h.destroySteps(ctx, f.w, z)
		if err != nil {
			return nil, "", err
		}
		return steps, "", nil
	case "refresh":
		if z.InKernel() {
			steps = append(steps, h.stateSteps(z.Name, r.ZoneRun, z.State, "installed", Boot{})...)
		}
		if !f.w.Exists(r.Snapshot) {
			if r.Rolledback {
				// The zone was rolled back (by gc, or the run itself),
				// which was stopped after it destroyed the snapshot:
				// only the journal is left.
				return steps, "", nil
			}
			return nil, "", fmt.Errorf("zone %s: its packages were being changed, and %s, the snapshot to return to, no longer exists; look at the zone by hand", z.Name, r.Snapshot)
		}
		// zfs rollback without -r refuses a snapshot that is not the
		// newest: a snapshot taken since is never destroyed here.
		steps = append(steps, Step{Why: "roll back the changed packages", Cmd: &illumos.Cmd{Argv: []string{"zfs", "rollback", r.Snapshot}}})
		if journal != "" && r.Run != "" {
			// Recorded before the snapshot goes, so that a gc stopped
			// after that finds the work done, not a snapshot missing.
			steps = append(steps, Step{Why: "record in the journal that the zone was rolled back", Rolledback: journal})
		}
		if r.Run != "" {
			steps = append(steps, Step{Why: "remove the snapshot taken before the update", Cmd: &illumos.Cmd{Argv: []string{"zfs", "destroy", r.Snapshot}},
				When: &Guard{Dataset: r.Snapshot, Run: r.Run}})
		}
		return steps, "", nil
	case "rollback", "unsnap", "exec":
		zoneDS, set, err := snapshotSet(f.w, z)
		if err != nil {
			return nil, "", err
		}
		// Halted first: the rollback and the removal of the snapshot
		// then need no halt and boot of their own, and nothing a boot
		// writes lands after the rollback.
		from := z.State
		if z.InKernel() && (r.Kind != "exec" || r.Snapshot != "" || killed) {
			steps = append(steps, h.stateSteps(z.Name, r.ZoneRun, z.State, "installed", Boot{})...)
			from = "installed"
		}
		snap := zoneDS + "@" + r.Snapshot
		switch {
		case r.Snapshot == "":
		case r.Kind == "rollback" || r.Kind == "exec" && r.Discard:
			if !f.w.Exists(snap) {
				if r.Kind == "rollback" {
					return nil, "", fmt.Errorf("zone %s was being rolled back to %s, which no longer exists; look at the zone by hand", z.Name, r.Snapshot)
				}
				break
			}
			// A dataset delegated from outside the trees read is
			// rolled back too.
			if err := h.learnOutside(ctx, f.w, set); err != nil {
				return nil, "", fmt.Errorf("%s %s: %w", r.Kind, z.Name, err)
			}
			// Only the newer snapshots the run planned to destroy are
			// destroyed: for a rollback, those the user agreed to lose;
			// for an exec, none (it takes none after its own).
			var planned []PlannedSnapshot
			if r.Kind == "rollback" {
				planned = r.Newer
			}
			rs, unplanned, err := rollbackSteps(f.w, z, set, r.Snapshot, planned)
			switch {
			case err != nil:
				return nil, "", err
			case len(unplanned) > 0 && r.Kind == "rollback":
				return nil, "", fmt.Errorf("zone %s was being rolled back to %s, and snapshots were taken since that the run was not to destroy: %s; they are kept, and so is the journal: destroy them by hand if they are not wanted, then run zonemgr gc again", z.Name, r.Snapshot, strings.Join(unplanned, ", "))
			case len(unplanned) > 0:
				return nil, "", fmt.Errorf("zone %s: discarding the command's changes needs a rollback to %s, but snapshots were taken since that zonemgr did not take: %s; they are kept, and the zone is not rolled back: destroy them by hand if they are not wanted, then run zonemgr gc", z.Name, r.Snapshot, strings.Join(unplanned, ", "))
			}
			steps = append(steps, rs...)
		}
		if r.Kind != "rollback" && r.Snapshot != "" {
			steps = append(steps, unsnapSteps(f.w, set, r.Snapshot)...)
		}
		steps = append(steps, h.stateSteps(z.Name, r.ZoneRun, from, r.State, Boot{Timeout: h.Settings.BootTimeout})...)
		return steps, "", nil
	}
	return nil, "", fmt.Errorf("unknown recovery %q; look at the journal by hand", r.Kind)
}

// pendingWork refuses an operation on a zone that a killed run left work
// undone on: its journal must be replayed first (zonemgr gc), or the
// operation would build on a state nobody vouches for (a golden zone
// with package changes no snapshot holds, say).
//
// The caller holds the zone's lock exclusively (but in check mode, which
// takes no lock). A run that journals work on a zone holds the zone's
// lock for as long as its journal, so none can be alive then: a journal
// of the zone whose lock is held nonetheless is held by another reader,
// a zonemgr gc that has not replayed it, and its work is pending all the
// same. With shared, the caller holds the zone's lock shared (see
// LockZoneShared): a held journal may be another shared holder's, and
// only killed runs' journals count.
func (h *Host) pendingWork(zone string, shared bool) error {
	paths, err := journalPaths(h.journalDir())
	if err != nil {
		return err
	}
	for _, p := range paths {
		if !strings.HasPrefix(filepath.Base(p), zone+"-") {
			continue
		}
		lj, live, err := lockJournal(p, false)
		var j *Journal
		switch {
		case errors.Is(err, errJournalGone):
			continue
		case err != nil || lj != nil && lj.err != nil:
			// A journal that cannot be read may hold this zone's
			// unfinished work: its name says whose it is.
			if lj != nil {
				lj.Close()
			}
			if !namesZone(filepath.Base(p), zone) {
				continue
			}
			if err == nil {
				err = lj.err
			}
			return fmt.Errorf("zone %s: the journal %s of a zonemgr run cannot be read (%v): look at it by hand and remove it once the run's work is finished or undone; until then nothing is done to the zone", zone, p, err)
		case live && (h.CheckMode || shared):
			// Without the zone's lock, or with it shared, a held
			// journal may be a live run's.
			continue
		case live:
			if j, err = readJournal(p); err != nil {
				continue
			}
		default:
			j = lj.Journal
			lj.Close()
		}
		if j.Zone != zone && (j.Recover == nil || j.Recover.Zone != zone) {
			continue
		}
		started := j.Started.Format("2006-01-02 15:04:05Z07:00")
		if live {
			return fmt.Errorf("zone %s: the journal %s of a zonemgr run (%s, started %s) is held by another process, zonemgr gc, which has not finished that run's work: run zonemgr gc first, once that one has ended", zone, p, j.Op, started)
		}
		return fmt.Errorf("zone %s: a zonemgr run that was killed (%s, started %s) left work on it unfinished (journal %s): run zonemgr gc first", zone, j.Op, started, p)
	}
	return nil
}

// orphansOf lists what gc would remove for the journals of killed runs
// (their journals, and the zones, VNICs, datasets and snapshots the plan
// of their replay names), and the look-alikes no journal records.
func (h *Host) orphansOf(ctx context.Context, f *facts, scan *journalScan) (Orphans, error) {
	p := &Plan{}
	h.planReplay(ctx, f.clone(), scan.dead, nil, p, &GCReport{})
	return h.orphansFrom(f, scan, p.Steps), nil
}

// orphansFrom lists the leftovers a replay's steps name (see orphansOf).
func (h *Host) orphansFrom(f *facts, scan *journalScan, steps []Step) Orphans {
	o := emptyOrphans()
	for _, lj := range scan.dead {
		o.Journals = append(o.Journals, lj.path)
	}
	var planned [][]string
	for _, s := range steps {
		if s.Cmd == nil {
			continue
		}
		argv := s.Cmd.Argv
		planned = append(planned, argv)
		switch {
		case len(argv) >= 4 && argv[0] == "zonecfg" && argv[3] == "delete":
			o.Zones = append(o.Zones, argv[2])
		case len(argv) >= 3 && argv[0] == "dladm" && argv[1] == "delete-vnic":
			o.VNICs = append(o.VNICs, argv[len(argv)-1])
		case len(argv) >= 3 && argv[0] == "zfs" && argv[1] == "destroy":
			if strings.Contains(argv[len(argv)-1], "@") {
				o.Snapshots = append(o.Snapshots, argv[len(argv)-1])
			} else {
				o.Datasets = append(o.Datasets, argv[len(argv)-1])
			}
		}
	}
	o.Unrecorded = h.unrecorded(f, scan, planned)
	for _, l := range [][]string{o.Zones, o.VNICs, o.Datasets, o.Snapshots, o.Journals} {
		sort.Strings(l)
	}
	o.Zones, o.VNICs, o.Datasets, o.Snapshots = slices.Compact(o.Zones), slices.Compact(o.VNICs), slices.Compact(o.Datasets), slices.Compact(o.Snapshots)
	return o
}

// unrecorded lists what looks like a leftover of zonemgr's but is
// recorded by no journal: disposable zones left configured or
// incomplete, golden zones left incomplete, automatic VNICs no zone
// configures, zone datasets under the containers that no zone uses.
// gc never removes them: nothing proves they are a killed run's, and
// not, say, a zone detached on purpose. They are listed for a look by
// hand.
func (h *Host) unrecorded(f *facts, scan *journalScan, planned [][]string) []string {
	named := map[string]bool{}
	note := func(j *Journal) {
		named[j.Zone] = true
		if j.Recover != nil {
			named[j.Recover.Zone] = true
		}
		for _, e := range j.Entries {
			if len(e.Undo) > 0 {
				named[e.Undo[len(e.Undo)-1]] = true
			}
		}
	}
	for _, l := range scan.dead {
		note(l.Journal)
	}
	for _, j := range scan.live {
		note(j)
	}
	for _, argv := range planned {
		named[argv[len(argv)-1]] = true
	}
	var out []string
	referenced := map[string]bool{}
	zoneDS := map[string]bool{}
	for _, name := range f.w.Order {
		z := f.w.Zones[name]
		for _, n := range zoneNets(z) {
			referenced[n] = true
		}
		if ds, ok := f.w.ZoneDataset(z); ok {
			zoneDS[ds] = true
		}
		if !z.Managed() || named[name] {
			continue
		}
		switch {
		case z.Role() == "diz" && (z.State == "configured" || z.State == "incomplete"):
			out = append(out, fmt.Sprintf("zone %s: a disposable zone left %s that no journal records; remove it with zonemgr destroy -z %s if it is not wanted", name, z.State, name))
		case z.State == "incomplete":
			out = append(out, fmt.Sprintf("zone %s: left incomplete, and no journal records it; look at it by hand", name))
		}
	}
	var vnics []string
	for v := range f.vnics {
		if (strings.HasPrefix(v, "autodiz") || strings.HasPrefix(v, "autogiz")) && !referenced[v] && !named[v] {
			vnics = append(vnics, v)
		}
	}
	sort.Strings(vnics)
	for _, v := range vnics {
		out = append(out, fmt.Sprintf("vnic %s: named like zonemgr's automatic VNICs, configured in no zone, and no journal records it; delete it by hand (dladm delete-vnic %s) if nothing uses it", v, v))
	}
	var dss []string
	for _, c := range []string{h.Settings.GIZContainer, h.Settings.DIZContainer} {
		for name, d := range f.w.Datasets {
			if d.Props["type"] == "snapshot" || !strings.HasPrefix(name, c+"/") || strings.Contains(strings.TrimPrefix(name, c+"/"), "/") {
				continue
			}
			if !zoneDS[name] && !named[name] {
				dss = append(dss, name)
			}
		}
	}
	sort.Strings(dss)
	for _, d := range dss {
		out = append(out, fmt.Sprintf("dataset %s: under zonemgr's containers, used by no zone, and no journal records it; look at it by hand", d))
	}
	return out
}

// clone copies facts deeply enough for a replay to be planned on the
// copy: zones (their states), the zone order, datasets, the trees
// learned, VNICs and holds.
func (f *facts) clone() *facts {
	w := *f.w
	w.Zones = make(map[string]*Zone, len(f.w.Zones))
	for n, z := range f.w.Zones {
		zz := *z
		w.Zones[n] = &zz
	}
	w.Order = slices.Clone(f.w.Order)
	w.Datasets = make(map[string]zfs.Dataset, len(f.w.Datasets))
	for n, d := range f.w.Datasets {
		w.Datasets[n] = d
	}
	w.snapsByDS = nil
	w.learned = maps.Clone(f.w.learned)
	w.looked = maps.Clone(f.w.looked)
	out := &facts{w: &w, vnics: maps.Clone(f.vnics), records: maps.Clone(f.records), recordsOf: maps.Clone(f.recordsOf), guids: maps.Clone(f.guids)}
	if f.holds != nil {
		out.holds = make(map[string][]string, len(f.holds))
		for n, tags := range f.holds {
			out.holds[n] = slices.Clone(tags)
		}
	}
	return out
}

// describe lists the leftovers other than journals, "" when none.
func (o Orphans) describe() string {
	var parts []string
	for _, l := range []struct {
		what  string
		names []string
	}{{"zones", o.Zones}, {"VNICs", o.VNICs}, {"datasets", o.Datasets}, {"snapshots", o.Snapshots}} {
		if len(l.names) > 0 {
			parts = append(parts, l.what+" "+strings.Join(l.names, ", "))
		}
	}
	return strings.Join(parts, "; ")
}

// inContainers reports whether a dataset lies under the GIZ or DIZ
// container.
func (h *Host) inContainers(ds string) bool {
	for _, c := range []string{h.Settings.GIZContainer, h.Settings.DIZContainer} {
		if strings.HasPrefix(ds, c+"/") {
			return true
		}
	}
	return false
}
