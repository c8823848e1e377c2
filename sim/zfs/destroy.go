package zfs

import (
	"fmt"
	"strings"
)

// A destroyPlan is the ordered list of datasets one zfs destroy removes.
type destroyPlan struct {
	names []string
	// final is where the named snapshots of "zfs destroy -R fs@snap"
	// start: the clones and their dependents before it go first, then the
	// snapshots as one batch of their own.
	final int
	// deferred snapshots of the final batch that have clones or user
	// holds are marked for destruction when the last of them goes instead
	// of being destroyed now (zfs destroy -d).
	deferred bool
}

// dependents returns every dataset that depends on name, in the order
// libzfs's zfs_iter_dependents() visits them (post-order): child
// filesystems with everything below them, then snapshots, each snapshot
// preceded by its clones and their dependents.
func (s *State) dependents(name string) []string {
	idx := s.index()
	var out []string
	seen := map[string]bool{name: true}
	var visit func(n string)
	visit = func(n string) {
		var next []string
		if isSnapshotName(n) {
			next = idx.clones[n]
		} else {
			next = append(append(next, idx.children[n]...), idx.snaps[n]...)
		}
		for _, c := range next {
			if seen[c] {
				continue
			}
			seen[c] = true
			visit(c)
			out = append(out, c)
		}
	}
	visit(name)
	return out
}

// An index maps each dataset to its children, snapshots (creation order)
// and, for snapshots, clones.
type index struct {
	children, snaps, clones map[string][]string
}

func (s *State) index() index {
	idx := index{children: map[string][]string{}, snaps: map[string][]string{}, clones: map[string][]string{}}
	names := sortedNames(s.t.Datasets)
	s.sortDefault(names)
	for _, n := range names {
		d := s.t.Datasets[n]
		if d.Type == typeSnapshot {
			idx.snaps[datasetPart(n)] = append(idx.snaps[datasetPart(n)], n)
		} else if p := parentOf(n); p != "" {
			idx.children[p] = append(idx.children[p], n)
		}
		if d.Origin != "" {
			idx.clones[d.Origin] = append(idx.clones[d.Origin], n)
		}
	}
	return idx
}

// planDestroy works out what "zfs destroy [-r] [-R] [-d] name" destroys,
// or returns the error zfs prints instead.
func (s *State) planDestroy(name string, recursive, clones, deferred bool) (*destroyPlan, error) {
	if recursive || clones {
		recursive = true
	}
	if isSnapshotName(name) {
		return s.planDestroySnapshots(name, recursive, clones, deferred)
	}
	d := s.get(name)
	if d == nil {
		if r := validateName(name, false); r != "" {
			return nil, errf("cannot open '%s': %s", name, r)
		}
		return nil, errNotExist(name)
	}
	if deferred {
		return nil, errf("cannot open '%s': operation not applicable to datasets of this type", name)
	}
	if !recursive && !strings.Contains(name, "/") {
		return nil, errf("cannot destroy '%s': operation does not apply to pools\n"+
			"use 'zfs destroy -r %s' to destroy all datasets in the pool\n"+
			"use 'zpool destroy %s' to destroy the pool itself", name, name, name)
	}
	deps := s.dependents(name)
	if !clones {
		var listed []string
		header := ""
		for _, dep := range deps {
			if isDescendant(dep, name) {
				if recursive {
					continue
				}
				if header == "" {
					header = fmt.Sprintf("cannot destroy '%s': %s has children\nuse '-r' to destroy the following datasets:", name, d.Type)
				}
			} else {
				if !recursive {
					continue
				}
				if header == "" {
					header = fmt.Sprintf("cannot destroy '%s': %s has dependent clones\nuse '-R' to destroy the following datasets:", name, d.Type)
				}
			}
			listed = append(listed, dep)
		}
		if header != "" {
			return nil, errf("%s\n%s", header, strings.Join(listed, "\n"))
		}
	}
	plan := &destroyPlan{}
	for _, n := range append(deps, name) {
		if !strings.ContainsAny(n, "/@") {
			continue // destroy -r of a pool destroys what is in it
		}
		plan.names = append(plan.names, n)
	}
	return plan, nil
}

// planDestroySnapshots handles "fs@spec", where spec is a comma list of
// snapshot names and first%last ranges; -r applies it to every descendant.
func (s *State) planDestroySnapshots(name string, recursive, clones, deferred bool) (*destroyPlan, error) {
	fsName, spec := datasetPart(name), snapPart(name)
	fs := s.get(fsName)
	if fs == nil || fs.Type == typeSnapshot {
		if r := validateName(fsName, false); r != "" {
			return nil, errf("cannot open '%s': %s", fsName, r)
		}
		return nil, errNotExist(fsName)
	}
	targets := []string{fsName}
	if recursive {
		for _, n := range s.descendants(fsName) {
			if !isSnapshotName(n) {
				targets = append(targets, n)
			}
		}
	}
	var matched []string
	var msgs []string
	for _, t := range targets {
		for _, sn := range s.matchSnapspec(t, spec) {
			if !clones && !deferred {
				if deps := s.dependents(sn); len(deps) > 0 {
					msgs = append(msgs, fmt.Sprintf("cannot destroy '%s': snapshot has dependent clones\nuse '-R' to destroy the following datasets:\n%s", sn, strings.Join(deps, "\n")))
					continue
				}
			}
			matched = append(matched, sn)
		}
	}
	if len(msgs) > 0 {
		return nil, errf("%s", strings.Join(msgs, "\n"))
	}
	if len(matched) == 0 {
		return nil, errf("could not find any snapshots to destroy; check snapshot names.")
	}
	plan := &destroyPlan{deferred: deferred}
	if clones {
		seen := map[string]bool{}
		for _, sn := range matched {
			for _, dep := range s.dependents(sn) {
				if !seen[dep] {
					seen[dep] = true
					plan.names = append(plan.names, dep)
				}
			}
		}
	}
	plan.final = len(plan.names)
	plan.names = append(plan.names, matched...)
	return plan, nil
}

// matchSnapspec returns the snapshots of fs that spec names, in creation
// order. Names that do not exist are skipped, as zfs_iter_snapspec() does.
func (s *State) matchSnapspec(fs, spec string) []string {
	snaps := s.Snapshots(fs)
	pos := map[string]int{}
	for i, sn := range snaps {
		pos[snapPart(sn)] = i
	}
	want := map[int]bool{}
	for _, item := range strings.Split(spec, ",") {
		first, last, isRange := strings.Cut(item, "%")
		if !isRange {
			if i, ok := pos[item]; ok {
				want[i] = true
			}
			continue
		}
		lo, hi := 0, len(snaps)-1
		if first != "" {
			i, ok := pos[first]
			if !ok {
				continue
			}
			lo = i
		}
		if last != "" {
			i, ok := pos[last]
			if !ok {
				continue
			}
			hi = i
		}
		for i := lo; i <= hi; i++ {
			want[i] = true
		}
	}
	var out []string
	for i, sn := range snaps {
		if want[i] {
			out = append(out, sn)
		}
	}
	return out
}

// destroyAll carries out a plan in order, as zfs destroy's
// destroy_callback() does: consecutive snapshots are gathered into a batch
// that is destroyed in one step (lzc_destroy_snaps()) before the next
// filesystem or volume, and a batch holding a snapshot with a user hold is
// refused as a whole, which stops the destroy there. What went before
// stays destroyed.
func (s *State) destroyAll(plan *destroyPlan) error {
	var batch []string
	for i, n := range plan.names {
		if i == plan.final && i > 0 {
			if err := s.destroyBatch(batch, false); err != nil {
				return err
			}
			batch = nil
		}
		d := s.get(n)
		if d == nil {
			continue // already gone with a deferred origin
		}
		if d.Type == typeSnapshot {
			batch = append(batch, n)
			continue
		}
		if err := s.destroyBatch(batch, false); err != nil {
			return err
		}
		batch = nil
		if err := s.destroyOne(d); err != nil {
			return err
		}
	}
	return s.destroyBatch(batch, plan.deferred)
}

// destroyBatch destroys snapshots in one atomic step: when one of them is
// held, none is destroyed and each held one is reported. deferred marks
// those with clones or holds for deferred destruction instead.
func (s *State) destroyBatch(snaps []string, deferred bool) error {
	if !deferred {
		if busy := s.busySnapshots(snaps); len(busy) > 0 {
			return errf("%s", strings.Join(busy, "\n"))
		}
	}
	for _, n := range snaps {
		d := s.get(n)
		if d == nil {
			continue // already gone with a deferred origin
		}
		if deferred && (len(s.clonesOf(n)) > 0 || len(d.Holds) > 0) {
			d.Defer = true
			continue
		}
		if err := s.destroyOne(d); err != nil {
			return err
		}
	}
	return nil
}

// destroyOne removes one dataset and its data; a deferred origin snapshot
// whose last clone this was, and that has no user holds, goes with it.
func (s *State) destroyOne(d *dataset) error {
	if d.Type == typeFilesystem && d.MountPath != "" {
		if err := s.unmount(d); err != nil {
			return err
		}
	}
	s.dropData(d)
	delete(s.t.Datasets, d.Name)
	s.snapIdx = nil
	if d.Origin != "" {
		if o := s.get(d.Origin); o != nil && o.Defer && len(o.Holds) == 0 && len(s.clonesOf(o.Name)) == 0 {
			return s.destroyOne(o)
		}
	}
	return nil
}

// Rollback restores a filesystem to one of its snapshots, as zfs
// rollback does. recursive destroys the more recent snapshots (-r);
// recursiveClones also destroys their clones (-R). A more recent snapshot
// with a user hold cannot be destroyed ("cannot destroy 'X': dataset is
// busy"): the others are destroyed all the same, and the filesystem is not
// rolled back.
func (s *State) Rollback(snap string, recursive, recursiveClones bool) error {
	if recursiveClones {
		recursive = true
	}
	d := s.get(snap)
	if d == nil {
		if !isSnapshotName(snap) && s.Exists(snap) {
			return errf("cannot open '%s': operation not applicable to datasets of this type", snap)
		}
		if r := validateName(snap, true); r != "" && isSnapshotName(snap) {
			return errf("cannot open '%s': %s", snap, r)
		}
		return errNotExist(snap)
	}
	if d.Type != typeSnapshot {
		return errf("cannot open '%s': operation not applicable to datasets of this type", snap)
	}
	fsName := datasetPart(snap)
	var newer []string
	for _, sn := range s.Snapshots(fsName) {
		if s.get(sn).CreateTxg > d.CreateTxg {
			newer = append(newer, sn)
		}
	}
	if !recursive && len(newer) > 0 {
		return errf("cannot rollback to '%s': more recent snapshots or bookmarks exist\n"+
			"use '-r' to force deletion of the following snapshots and bookmarks:\n%s", snap, strings.Join(newer, "\n"))
	}
	var doomed []string
	for _, sn := range newer {
		deps := s.dependents(sn)
		if len(deps) > 0 && !recursiveClones {
			var all []string
			for _, x := range newer {
				all = append(all, s.dependents(x)...)
			}
			return errf("cannot rollback to '%s': clones of previous snapshots exist\n"+
				"use '-R' to force deletion of the following clones and dependents:\n%s", snap, strings.Join(all, "\n"))
		}
		doomed = append(doomed, deps...)
		doomed = append(doomed, sn)
	}
	if s.denied {
		return errf("cannot rollback '%s': permission denied", fsName)
	}
	// Like libzfs's rollback_destroy(), destroy each one on its own and
	// go on past refusals; any refusal cancels the rollback itself.
	var refused []string
	for _, n := range doomed {
		x := s.get(n)
		if x == nil {
			continue
		}
		if r := s.destroyRefusal(x); r != "" {
			refused = append(refused, fmt.Sprintf("cannot destroy '%s': %s", n, r))
			continue
		}
		if err := s.destroyOne(x); err != nil {
			refused = append(refused, err.Error())
		}
	}
	if len(refused) > 0 {
		return errf("%s", strings.Join(refused, "\n"))
	}
	if err := s.restore(s.get(fsName), d); err != nil {
		return fmt.Errorf("cannot rollback '%s': %w", fsName, err)
	}
	return nil
}
