package zone

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// A GCReport is what gc found and what it did about it (in check mode:
// what it would do).
type GCReport struct {
	// Found are the leftovers seen before gc changed anything.
	Found Orphans `json:"found"`
	// Commands are the commands run (check mode: to run), in order.
	Commands []string `json:"commands"`
	// Skipped are leftovers gc left alone, each with the reason.
	Skipped []string `json:"skipped"`
	// UndoFailed are journal undo commands that failed. A killed run's
	// last step may not have made what its undo removes, so a failure
	// here is expected; what counts is what is left afterwards.
	UndoFailed []string `json:"undo_failed"`
	// Left are the leftovers remaining after gc (empty on success).
	Left Orphans `json:"left"`
}

// GC finds what crashed runs left behind and removes it. First the
// journal of every run whose process is gone is replayed, newest journal
// first and each one's undo commands newest first (for a disposable
// zone made for one run, the zone is destroyed whole first); then what
// findOrphans still reports is removed: managed zones left configured or
// incomplete, automatic VNICs no zone configures, zone datasets under the
// containers with no zone, and per-clone origin snapshots with no clone.
//
// gc never touches a zone without zonemgr attributes, a dataset outside
// the containers or a VNIC not named autodiz*/autogiz*, and leaves alone
// whatever a running operation holds: zones whose lock is taken, and
// everything the journals of live runs name. In check mode it only
// reports. It fails when leftovers remain, and then keeps the journals.
func (h *Host) GC(ctx context.Context) (*GCReport, *Outcome, error) {
	gcLock, err := h.lockZone(ctx, gcLockName, syscall.LOCK_EX, true)
	if err != nil {
		return nil, nil, fmt.Errorf("gc: %w", err)
	}
	defer gcLock.Unlock()
	rep := &GCReport{Commands: []string{}, Skipped: []string{}, UndoFailed: []string{}}
	out := &Outcome{Zone: "gc"}

	w, vnics, found, err := h.observeOrphans(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("gc: %w", err)
	}
	rep.Found = found
	// Live journals are read after the world: whatever a live run made
	// and the world shows was journaled before it was made.
	live, err := h.liveJournals()
	if err != nil {
		return nil, nil, fmt.Errorf("gc: %w", err)
	}

	journals := readJournals(found.Journals)
	var replayed []string
	for _, j := range journals {
		if h.replayJournal(ctx, w, j, rep) {
			replayed = append(replayed, j.path)
		}
	}

	if !h.CheckMode && len(replayed) > 0 {
		if w, vnics, _, err = h.observeOrphans(ctx); err != nil {
			return nil, nil, fmt.Errorf("gc: %w", err)
		}
	}
	h.sweepZones(ctx, w, live, rep)
	if !h.CheckMode && len(rep.Commands) > 0 {
		if w, vnics, _, err = h.observeOrphans(ctx); err != nil {
			return nil, nil, fmt.Errorf("gc: %w", err)
		}
	}
	h.sweepRest(ctx, w, vnics, live, rep)

	out.Plan = rep.Commands
	if h.CheckMode {
		rep.Left = found
		out.Changed = len(rep.Commands) > 0 || len(replayed) > 0
		out.Msg = fmt.Sprintf("gc would run %d command(s) and remove %d journal(s)", len(rep.Commands), len(replayed))
		return rep, out, nil
	}
	_, _, left, err := h.observeOrphans(ctx)
	if err != nil {
		return rep, out, fmt.Errorf("gc: %w", err)
	}
	// What running operations are making is work in progress, not left.
	left = live.without(left)
	out.Changed = len(rep.Commands) > 0
	if rest := left.describe(); rest != "" {
		rep.Left = left
		return rep, out, fmt.Errorf("gc: leftovers remain: %s", rest)
	}
	for _, p := range replayed {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return rep, out, fmt.Errorf("gc: remove journal: %w", err)
		}
		out.Changed = true
	}
	left.Journals, _ = listJournals(h.stateDir("journal"))
	rep.Left = left
	out.Msg = fmt.Sprintf("gc ran %d command(s) and removed %d journal(s)", len(rep.Commands), len(replayed))
	return rep, out, nil
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

// observeOrphans reads the world and the VNICs and finds the orphans, as
// zone_info does.
func (h *Host) observeOrphans(ctx context.Context) (*World, map[string]bool, Orphans, error) {
	w, err := h.Observe(ctx, h.containers(h.Settings.DelegatedParent)...)
	if err != nil {
		return nil, nil, Orphans{}, err
	}
	vnics, err := h.vnics(ctx)
	if err != nil {
		return nil, nil, Orphans{}, err
	}
	referenced := map[string]bool{}
	zoneDatasets := map[string]bool{}
	zones := []string{}
	for _, name := range w.Order {
		z := w.Zones[name]
		for _, n := range zoneNets(z) {
			referenced[n] = true
		}
		if ds, ok := w.ZoneDataset(z); ok {
			zoneDatasets[ds] = true
		}
		if z.Managed() && (z.State == "configured" || z.State == "incomplete") {
			zones = append(zones, z.Name)
		}
	}
	return w, vnics, findOrphans(h, w, vnics, referenced, zoneDatasets, zones), nil
}

// liveSet is what the journals of running operations name: their zones
// and the last operand of each of their undo commands (the dataset, VNIC
// or snapshot the step made).
type liveSet struct {
	zones map[string]bool
	names map[string]bool
}

func (l liveSet) protects(zone, name string) bool { return l.zones[zone] || l.names[name] }

// without drops from o what running operations are making.
func (l liveSet) without(o Orphans) Orphans {
	keep := func(names []string, protected func(string) bool) []string {
		out := []string{}
		for _, n := range names {
			if !protected(n) {
				out = append(out, n)
			}
		}
		return out
	}
	o.Zones = keep(o.Zones, func(n string) bool { return l.zones[n] })
	o.VNICs = keep(o.VNICs, func(n string) bool { return l.names[n] })
	o.Datasets = keep(o.Datasets, func(n string) bool { return l.protects(filepath.Base(n), n) })
	o.Snapshots = keep(o.Snapshots, func(n string) bool {
		_, s, _ := strings.Cut(n, "@")
		zone, _, _ := strings.Cut(s, "_snap")
		return l.protects(zone, n)
	})
	return o
}

// liveJournals reads the journals whose process still runs.
func (h *Host) liveJournals() (liveSet, error) {
	l := liveSet{zones: map[string]bool{}, names: map[string]bool{}}
	dir := h.stateDir("journal")
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return l, nil
		}
		return l, fmt.Errorf("read journals: %w", err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		j, err := readJournal(filepath.Join(dir, e.Name()))
		if err != nil || j.PID <= 0 || syscall.Kill(j.PID, 0) != nil {
			continue
		}
		l.zones[j.Zone] = true
		for _, en := range j.Entries {
			if len(en.Undo) > 0 {
				l.names[en.Undo[len(en.Undo)-1]] = true
			}
		}
	}
	return l, nil
}

// readJournals reads journal files, newest run first; unreadable ones
// are left out (and stay, listed as journals, for a look by hand).
func readJournals(paths []string) []*Journal {
	var js []*Journal
	for _, p := range paths {
		if j, err := readJournal(p); err == nil {
			js = append(js, j)
		}
	}
	sort.SliceStable(js, func(a, b int) bool { return js[a].Started.After(js[b].Started) })
	return js
}

// laterZone reports whether the zone was created by a run that started
// after the journal's: then the journaled run's zone is gone and the
// name belongs to someone else. zonemgr.created has whole seconds.
func laterZone(z *Zone, j *Journal) bool {
	c, err := time.Parse(time.RFC3339, z.Attr(AttrCreated))
	return err == nil && c.After(j.Started.Truncate(time.Second))
}

// replayJournal undoes what one killed run did. It reports whether the
// journal was dealt with (and may be removed once nothing is left).
func (h *Host) replayJournal(ctx context.Context, w *World, j *Journal, rep *GCReport) bool {
	name := filepath.Base(j.path)
	if err := illumos.ValidZoneName(j.Zone); err != nil {
		rep.Skipped = append(rep.Skipped, fmt.Sprintf("journal %s: zone %q: %v", name, j.Zone, err))
		return false
	}
	lock, err := h.TryLockZone(j.Zone)
	if err != nil {
		rep.Skipped = append(rep.Skipped, fmt.Sprintf("journal %s: %v", name, err))
		return false
	}
	defer lock.Unlock()
	z := w.Zones[j.Zone]
	if z != nil && !z.Managed() {
		rep.Skipped = append(rep.Skipped, fmt.Sprintf("journal %s: zone %s is not managed by zonemgr; its undo commands are not run", name, j.Zone))
		return true
	}
	if z != nil && laterZone(z, j) {
		rep.Skipped = append(rep.Skipped, fmt.Sprintf("journal %s: zone %s was made again by a later run (created %s); its undo commands are not run", name, j.Zone, z.Attr(AttrCreated)))
		return true
	}
	var steps []Step
	if j.Discard && z != nil && z.Role() == "diz" {
		ds, err := h.destroySteps(ctx, w, z)
		if err != nil {
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("journal %s: %v", name, err))
			return false
		}
		steps = append(steps, ds...)
	}
	for i := len(j.Entries) - 1; i >= 0; i-- {
		e := j.Entries[i]
		if len(e.Undo) == 0 || (e.State != "begun" && e.State != "done") {
			continue
		}
		steps = append(steps, Step{Why: "undo " + e.Do, Cmd: &illumos.Cmd{Argv: slices.Clone(e.Undo)}})
	}
	for _, s := range steps {
		rep.Commands = append(rep.Commands, s.String())
		if h.CheckMode {
			continue
		}
		if err := runStep(ctx, h.Runner, s); err != nil {
			rep.UndoFailed = append(rep.UndoFailed, fmt.Sprintf("%s: %v", s, err))
		}
	}
	return true
}

// sweepZones removes managed zones left configured or incomplete.
func (h *Host) sweepZones(ctx context.Context, w *World, live liveSet, rep *GCReport) {
	for _, name := range w.Order {
		z := w.Zones[name]
		if !z.Managed() || (z.State != "configured" && z.State != "incomplete") {
			continue
		}
		if live.zones[name] {
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("zone %s: a running operation works on it", name))
			continue
		}
		lock, err := h.TryLockZone(name)
		if err != nil {
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("zone %s: %v", name, err))
			continue
		}
		// runSweep records its own failure.
		if steps, err := h.destroySteps(ctx, w, z); err != nil {
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("zone %s: %v", name, err))
		} else {
			h.runSweep(ctx, steps, rep)
		}
		lock.Unlock()
	}
}

// sweepRest removes orphaned automatic VNICs, zone datasets and origin
// snapshots.
func (h *Host) sweepRest(ctx context.Context, w *World, vnics map[string]bool, live liveSet, rep *GCReport) {
	referenced := map[string]bool{}
	zoneDatasets := map[string]bool{}
	for _, z := range w.Zones {
		for _, n := range zoneNets(z) {
			referenced[n] = true
		}
		if ds, ok := w.ZoneDataset(z); ok {
			zoneDatasets[ds] = true
		}
	}
	o := findOrphans(h, w, vnics, referenced, zoneDatasets, nil)
	for _, v := range o.VNICs {
		if live.names[v] {
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("VNIC %s: a running operation made it", v))
			continue
		}
		h.runSweep(ctx, []Step{{Why: "delete orphaned VNIC " + v, Cmd: &illumos.Cmd{Argv: []string{"dladm", "delete-vnic", v}}}}, rep)
	}
	for _, snap := range o.Snapshots {
		ds, s, _ := strings.Cut(snap, "@")
		zone, _, _ := strings.Cut(s, "_snap")
		if !h.inContainers(ds) {
			continue
		}
		if live.protects(zone, snap) {
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("snapshot %s: a running operation works on zone %s", snap, zone))
			continue
		}
		h.runSweep(ctx, []Step{zfsDestroyStep("destroy orphaned origin snapshot "+snap, snap, false)}, rep)
	}
	for _, ds := range o.Datasets {
		zone := filepath.Base(ds)
		if live.protects(zone, ds) {
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("dataset %s: a running operation works on zone %s", ds, zone))
			continue
		}
		lock, err := h.TryLockZone(zone)
		if err != nil {
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("dataset %s: zone %s: %v", ds, zone, err))
			continue
		}
		var steps []Step
		for name, d := range w.Datasets {
			if d.Props["type"] == "snapshot" && strings.HasPrefix(name, ds+"@") && d.Props["userrefs"] != "" && d.Props["userrefs"] != "0" && d.Props["userrefs"] != "-" {
				steps = append(steps, Step{Why: "release " + name, Cmd: &illumos.Cmd{Argv: []string{"zfs", "release", "-r", HoldTag, name}}})
			}
		}
		sort.Slice(steps, func(a, b int) bool { return steps[a].String() < steps[b].String() })
		steps = append(steps, zfsDestroyStep("destroy orphaned zone dataset "+ds, ds, true))
		h.runSweep(ctx, steps, rep)
		lock.Unlock()
	}
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

// runSweep runs removal steps in order (check mode: only records them),
// stopping at the first failure, which it records and returns.
func (h *Host) runSweep(ctx context.Context, steps []Step, rep *GCReport) error {
	for _, s := range steps {
		rep.Commands = append(rep.Commands, s.String())
		if h.CheckMode {
			continue
		}
		if err := runStep(ctx, h.Runner, s); err != nil {
			err = fmt.Errorf("%s: %w", s, err)
			rep.Skipped = append(rep.Skipped, err.Error())
			return err
		}
	}
	return nil
}
