package zone

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"

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
func (h *Host) GC(ctx context.Context) (*GCReport, *Outcome, error) {
	gcLock, err := h.lockFile(ctx, "gc", gcLockName+".lock", syscall.LOCK_EX, true)
	if err != nil {
		return nil, nil, fmt.Errorf("gc: %w", err)
	}
	defer gcLock.Unlock()
	rep := &GCReport{Commands: []string{}, NotRun: []string{}, UndoFailed: []string{}}
	out := &Outcome{Zone: "gc"}

	scan, err := scanJournals(h.stateDir("journal"))
	if err != nil {
		return nil, nil, fmt.Errorf("gc: %w", err)
	}
	defer scan.Close()
	f, err := h.readFacts(ctx, scanGuards(scan))
	if err != nil {
		return nil, nil, fmt.Errorf("gc: %w", err)
	}
	if rep.Found, err = h.orphansOf(ctx, f, scan); err != nil {
		return nil, nil, fmt.Errorf("gc: %w", err)
	}

	var removed, kept int
	for _, lj := range scan.dead {
		if h.replay(ctx, f, lj, rep) {
			if !h.CheckMode {
				if err := lj.Remove(); err != nil {
					rep.UndoFailed = append(rep.UndoFailed, fmt.Sprintf("journal %s: remove: %v", lj.path, err))
					kept++
					continue
				}
			}
			removed++
			continue
		}
		kept++
	}
	out.Plan = rep.Commands
	if h.CheckMode {
		rep.Left = rep.Found
		out.Changed = len(rep.Commands) > 0 || removed > 0
		out.Msg = fmt.Sprintf("gc would run %d command(s) and remove %d journal(s)", len(rep.Commands), removed)
		return rep, out, nil
	}
	out.Changed = len(rep.Commands) > 0 || removed > 0
	scan.Close()
	if left, err := h.leftovers(ctx); err != nil {
		return rep, out, fmt.Errorf("gc: %w", err)
	} else {
		rep.Left = left
	}
	out.Msg = fmt.Sprintf("gc ran %d command(s) and removed %d journal(s)", len(rep.Commands), removed)
	if kept > 0 {
		return rep, out, fmt.Errorf("gc: %d journal(s) of killed runs kept, their work not finished: %s; see not_run and undo_failed, mend what they name, then run zonemgr gc again",
			kept, strings.Join(rep.Left.Journals, ", "))
	}
	return rep, out, nil
}

// leftovers reads the journals and the world again after gc ran.
func (h *Host) leftovers(ctx context.Context) (Orphans, error) {
	scan, err := scanJournals(h.stateDir("journal"))
	if err != nil {
		return Orphans{}, err
	}
	defer scan.Close()
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

// replay finishes and undoes what one killed run did; it reports whether
// the journal is done with (and may be removed). In check mode nothing
// runs: the commands are reported and their effect applied to the facts
// only.
func (h *Host) replay(ctx context.Context, f *facts, lj *lockedJournal, rep *GCReport) bool {
	name := filepath.Base(lj.path)
	skip := func(format string, args ...any) bool {
		rep.NotRun = append(rep.NotRun, fmt.Sprintf("journal %s: ", name)+fmt.Sprintf(format, args...))
		return false
	}
	switch {
	case lj.err != nil:
		return skip("cannot be read (%v); look at it by hand, then remove it", lj.err)
	case lj.Version < journalVersion || lj.Run == "":
		return skip("written by an older zonemgr, without run ids or guards: its undo commands are not run; look at it by hand, then remove it")
	}
	if err := illumos.ValidZoneName(lj.Zone); err != nil {
		return skip("zone %q: %v; look at it by hand, then remove it", lj.Zone, err)
	}
	lock, err := h.TryLockZone(lj.Zone)
	if err != nil {
		return skip("%v; gc again once that operation has ended", err)
	}
	defer lock.Unlock()
	own := owner{zone: lj.Zone, run: lj.Run}
	recover := func() bool {
		r := lj.Recover
		if r == nil {
			return true
		}
		steps, why, err := h.recoverySteps(ctx, f, r)
		switch {
		case err != nil:
			rep.UndoFailed = append(rep.UndoFailed, fmt.Sprintf("journal %s: %v", name, err))
			return false
		case why != "":
			rep.NotRun = append(rep.NotRun, fmt.Sprintf("journal %s: %s %s: %s", name, r.Kind, r.Zone, why))
		}
		for _, s := range steps {
			if !h.gcRun(ctx, f, name, s, owner{zone: r.Zone, run: r.ZoneRun}, rep) {
				return false
			}
		}
		return true
	}
	undo := func() bool {
		ok := true
		for i := len(lj.Entries) - 1; i >= 0; i-- {
			e := lj.Entries[i]
			if len(e.Undo) == 0 || e.State == "undone" {
				continue
			}
			cmd := &illumos.Cmd{Argv: slices.Clone(e.Undo)}
			if !h.gcRun(ctx, f, name, Step{Cmd: cmd, When: e.Guard}, own, rep) {
				ok = false
			}
		}
		return ok
	}
	// A recovery finishes what cannot be undone half-way, then the undo
	// commands remove what is left; a refresh's rollback comes after the
	// undo commands instead, as the run does it itself (see Recovery).
	if lj.Recover != nil && lj.Recover.Kind == "refresh" {
		return undo() && recover()
	}
	return recover() && undo()
}

// gcRun runs one command of a replay (check mode: records it) when its
// guard holds, and reports whether it ran or was found unnecessary. A
// command that destroys a dataset outside zonemgr's containers first
// takes that dataset's lock, and checks the guard again under it,
// against what the system says then.
func (h *Host) gcRun(ctx context.Context, f *facts, journal string, s Step, own owner, rep *GCReport) bool {
	show, cmd, g := s.String(), s.Cmd, s.When
	// A condition of a finishing step may name a dataset or a hold the
	// facts were not read for.
	if g != nil && g.Dataset != "" {
		if ds, _, _ := strings.Cut(g.Dataset, "@"); !f.w.known(ds) {
			if err := h.learnTrees(ctx, f.w, []string{ds}); err != nil {
				rep.UndoFailed = append(rep.UndoFailed, fmt.Sprintf("%s: %v", show, err))
				return false
			}
		}
		if _, ok := f.holds[g.Dataset]; g.Hold != "" && !ok {
			if err := h.learnHolds(ctx, f, []string{g.Dataset}); err != nil {
				rep.UndoFailed = append(rep.UndoFailed, fmt.Sprintf("%s: %v", show, err))
				return false
			}
		}
	}
	if v, why := g.check(f, own); v != undoIt {
		rep.NotRun = append(rep.NotRun, fmt.Sprintf("%s: %s", show, why))
		return true
	}
	if ds := h.lockedDataset(cmd, g); ds != "" && !h.CheckMode {
		lk, err := h.lockDatasetExclusive(ctx, nil, ds, false)
		if err != nil {
			rep.UndoFailed = append(rep.UndoFailed, fmt.Sprintf("%s: %v; gc again once that operation has ended", show, err))
			return false
		}
		defer lk.Unlock()
		fresh, err := h.readFacts(ctx, []*Guard{g})
		if err != nil {
			rep.UndoFailed = append(rep.UndoFailed, fmt.Sprintf("%s: %v", show, err))
			return false
		}
		if v, why := g.check(fresh, own); v != undoIt {
			rep.NotRun = append(rep.NotRun, fmt.Sprintf("%s: %s", show, why))
			return true
		}
	}
	rep.Commands = append(rep.Commands, show)
	if !h.CheckMode {
		if _, err := h.runStep(ctx, Step{Cmd: cmd, Wait: s.Wait}); err != nil {
			rep.UndoFailed = append(rep.UndoFailed, fmt.Sprintf("journal %s: %s: %v", journal, show, err))
			return false
		}
	}
	if cmd != nil {
		f.applied(cmd.Argv)
	}
	return true
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

// recoverySteps plans how gc finishes a killed run's work (see
// Recovery). why explains, when there is nothing to finish, what was
// found instead.
func (h *Host) recoverySteps(ctx context.Context, f *facts, r *Recovery) (steps []Step, why string, err error) {
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
			return nil, "", fmt.Errorf("zone %s: its packages were being changed, and %s, the snapshot to return to, no longer exists; look at the zone by hand", z.Name, r.Snapshot)
		}
		// zfs rollback without -r refuses a snapshot that is not the
		// newest: a snapshot taken since is never destroyed here.
		steps = append(steps, Step{Why: "roll back the changed packages", Cmd: &illumos.Cmd{Argv: []string{"zfs", "rollback", r.Snapshot}}})
		return steps, "", nil
	case "rollback", "unsnap", "exec":
		zoneDS, set, err := snapshotSet(f.w, z)
		if err != nil {
			return nil, "", err
		}
		if z.InKernel() {
			steps = append(steps, h.stateSteps(z.Name, r.ZoneRun, z.State, "installed", Boot{})...)
		}
		snap := zoneDS + "@" + r.Snapshot
		switch {
		case r.Kind == "rollback" || r.Kind == "exec" && r.Discard:
			if !f.w.Exists(snap) {
				if r.Kind == "rollback" {
					return nil, "", fmt.Errorf("zone %s was being rolled back to %s, which no longer exists; look at the zone by hand", z.Name, r.Snapshot)
				}
				break
			}
			rs, err := h.rollbackSteps(f.w, z, set, SnapshotSpec{Zone: z.Name, Name: r.Snapshot, Force: r.Force || r.Kind == "exec"})
			if err != nil {
				return nil, "", err
			}
			steps = append(steps, rs...)
		}
		if r.Kind != "rollback" {
			steps = append(steps, unsnapSteps(f.w, set, r.Snapshot)...)
		}
		steps = append(steps, h.stateSteps(z.Name, r.ZoneRun, "installed", r.State, Boot{Timeout: h.Settings.BootTimeout})...)
		return steps, "", nil
	}
	return nil, "", fmt.Errorf("unknown recovery %q; look at the journal by hand", r.Kind)
}

// pendingWork refuses an operation on a zone that a killed run left work
// undone on: its journal must be replayed first (zonemgr gc), or the
// operation would build on a state nobody vouches for (a golden zone
// with package changes no snapshot holds, say).
func (h *Host) pendingWork(zone string) error {
	paths, err := journalPaths(h.stateDir("journal"))
	if err != nil {
		return err
	}
	for _, p := range paths {
		if !strings.HasPrefix(filepath.Base(p), zone+"-") {
			continue
		}
		lj, live, err := lockJournal(p)
		if err != nil || live {
			continue
		}
		z, op, started := lj.Zone, lj.Op, lj.Started
		lj.Close()
		if z == zone || lj.Recover != nil && lj.Recover.Zone == zone {
			return fmt.Errorf("zone %s: a zonemgr run that was killed (%s, started %s) left work on it unfinished (journal %s): run zonemgr gc first", zone, op, started.Format("2006-01-02 15:04:05Z07:00"), p)
		}
	}
	return nil
}

// orphansOf lists what gc would remove for the journals of killed runs
// (their journals, and the zones, VNICs, datasets and snapshots a check-
// mode replay of them names), and the look-alikes no journal records.
func (h *Host) orphansOf(ctx context.Context, f *facts, scan *journalScan) (Orphans, error) {
	o := emptyOrphans()
	dry := *h
	dry.CheckMode = true
	df := f.clone()
	rep := &GCReport{}
	for _, lj := range scan.dead {
		o.Journals = append(o.Journals, lj.path)
		dry.replay(ctx, df, lj, rep)
	}
	for _, c := range rep.Commands {
		argv := strings.Fields(c)
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
	o.Unrecorded = h.unrecorded(f, scan, rep.Commands)
	for _, l := range [][]string{o.Zones, o.VNICs, o.Datasets, o.Snapshots, o.Journals} {
		sort.Strings(l)
	}
	o.Zones, o.VNICs, o.Datasets, o.Snapshots = slices.Compact(o.Zones), slices.Compact(o.VNICs), slices.Compact(o.Datasets), slices.Compact(o.Snapshots)
	return o, nil
}

// unrecorded lists what looks like a leftover of zonemgr's but is
// recorded by no journal: disposable zones left configured or
// incomplete, golden zones left incomplete, automatic VNICs no zone
// configures, zone datasets under the containers that no zone uses.
// gc never removes them: nothing proves they are a killed run's, and
// not, say, a zone detached on purpose. They are listed for a look by
// hand.
func (h *Host) unrecorded(f *facts, scan *journalScan, planned []string) []string {
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
	for _, c := range planned {
		argv := strings.Fields(c)
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

// clone copies facts deeply enough for a dry replay: zones (their
// states), the zone order, datasets and VNICs.
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
	out := &facts{w: &w}
	if f.vnics != nil {
		out.vnics = make(map[string]bool, len(f.vnics))
		for v := range f.vnics {
			out.vnics[v] = true
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
