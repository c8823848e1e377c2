package zfs

import (
	"fmt"
	"strings"
	"time"
)

// maxTagLen is MAXNAMELEN: the kernel refuses a longer hold tag (E2BIG).
const maxTagLen = 256

// Holds returns the user-hold tags of a snapshot, sorted; nil when it has
// none or does not exist.
func (s *State) Holds(snap string) []string {
	d := s.get(snap)
	if d == nil || len(d.Holds) == 0 {
		return nil
	}
	return sortedNames(d.Holds)
}

// Hold adds the user hold tag to each named snapshot ("fs@snap") in one
// atomic step, as libzfs's zfs_hold() and the kernel's lzc_hold() do:
// when any hold cannot be taken, none is. recursive also holds the
// same-named snapshot of every descendant filesystem and volume that has
// one (zfs hold -r); a name none of whose datasets has the snapshot is an
// error. A snapshot with a hold cannot be destroyed.
func (s *State) Hold(snaps []string, tag string, recursive bool) error {
	var all []string
	for _, sn := range snaps {
		found, _, err := s.holdTargets(sn, tag, recursive, false)
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return errf("cannot hold snapshot '%s': dataset does not exist", sn)
		}
		all = appendNew(all, found...)
	}
	if s.denied {
		// [derived] The ioctl's permission check fails before the
		// kernel fills the error list, so libzfs prints its bare action.
		return errf("cannot hold: permission denied")
	}
	for _, n := range all {
		if len(tag) > maxTagLen {
			return errf("cannot hold snapshot '%s': tag too long", n)
		}
		if hasTag(s.get(n), tag) {
			return errf("cannot hold snapshot '%s': tag already exists on this dataset", n)
		}
	}
	now := time.Now().Unix()
	for _, n := range all {
		d := s.get(n)
		if d.Holds == nil {
			d.Holds = map[string]int64{}
		}
		d.Holds[tag] = now
	}
	return nil
}

// Release removes the user hold tag from each named snapshot in one atomic
// step, as libzfs's zfs_release() does; recursive also releases it from
// the same-named snapshot of every descendant that has the snapshot and the
// tag (zfs release -r). A snapshot marked for deferred destruction
// (zfs destroy -d) that loses its last hold and has no clones is destroyed.
func (s *State) Release(snaps []string, tag string, recursive bool) error {
	var all []string
	for _, sn := range snaps {
		found, reason, err := s.holdTargets(sn, tag, recursive, true)
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return errf("cannot release hold from snapshot '%s': %s", sn, reason)
		}
		all = appendNew(all, found...)
	}
	if s.denied {
		// [derived] As for hold: the permission check precedes the
		// per-snapshot error list.
		return errf("cannot release: permission denied")
	}
	for _, n := range all {
		d := s.get(n)
		delete(d.Holds, tag)
		if len(d.Holds) == 0 {
			d.Holds = nil
			if d.Defer && len(s.clonesOf(n)) == 0 {
				if err := s.destroyOne(d); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// holdTargets resolves one "fs@snap" operand of hold or release the way
// zfs_hold_one()/zfs_release_one() walk it: fs must be a filesystem or
// volume; the snapshot of fs (and, when recursive, of each descendant, each
// before its children) is a target when it exists and, for a release,
// carries the tag. reason is the failure text of the last dataset visited
// that did not qualify ("dataset does not exist" or "no such tag on this
// dataset").
func (s *State) holdTargets(name, tag string, recursive, release bool) (found []string, reason string, err error) {
	fs, snap, ok := strings.Cut(name, "@")
	if !ok {
		return nil, "", errf("'%s' is not a snapshot", name)
	}
	if _, msg := s.openName(fs, tFS|tVol); msg != "" {
		return nil, "", errf("%s", msg)
	}
	list := []string{fs}
	if recursive {
		list = s.preorder(fs)
	}
	for _, f := range list {
		n := f + "@" + snap
		d := s.get(n)
		switch {
		case d == nil || d.Type != typeSnapshot:
			reason = "dataset does not exist"
		case release && !hasTag(d, tag):
			reason = "no such tag on this dataset"
		default:
			found = append(found, n)
		}
	}
	return found, reason, nil
}

// appendNew appends the names not yet in list, as adding them to a
// unique-name nvlist does.
func appendNew(list []string, names ...string) []string {
	for _, n := range names {
		if !contains(list, n) {
			list = append(list, n)
		}
	}
	return list
}

// hasTag reports whether a snapshot carries the hold tag.
func hasTag(d *dataset, tag string) bool {
	_, ok := d.Holds[tag]
	return ok
}

// preorder returns name and every filesystem and volume below it, each
// before its children, children in name order. [derived] The kernel lists
// children in its own order; name order stands in for it.
func (s *State) preorder(name string) []string {
	out := []string{name}
	for _, c := range s.Children(name) {
		out = append(out, s.preorder(c)...)
	}
	return out
}

// holdRele runs "zfs hold [-r] TAG SNAPSHOT..." (holding) or
// "zfs release [-r] TAG SNAPSHOT...", as zfs_do_hold_rele_impl() does: each
// operand is held or released on its own, and an operand that fails does
// not stop the others.
func (c *zfsCmd) holdRele(args []string, holding bool) int {
	optstring := "r"
	if holding {
		// hold also accepts (and ignores) -t.
		optstring = "rt"
	}
	opts, rest, gerr := getopt(args, optstring)
	if gerr != nil {
		c.inv.Errf("invalid option '%c'", gerr.c)
		return c.usage()
	}
	recursive := false
	for _, o := range opts {
		if o.c == 'r' {
			recursive = true
		}
	}
	if len(rest) < 2 {
		return c.usage()
	}
	tag := rest[0]
	if holding && strings.HasPrefix(tag, ".") {
		c.inv.Errf("tag may not start with '.'")
		return c.usage()
	}
	return c.withState(true, func(s *State) int {
		code := 0
		for _, a := range rest[1:] {
			var err error
			if holding {
				err = s.Hold([]string{a}, tag, recursive)
			} else {
				err = s.Release([]string{a}, tag, recursive)
			}
			if err != nil {
				c.fail(err)
				code = 1
			}
		}
		return code
	})
}

func (c *zfsCmd) hold(args []string) int { return c.holdRele(args, true) }

func (c *zfsCmd) release(args []string) int { return c.holdRele(args, false) }

// holdsList is an ordered set of snapshot names in which adding a name
// again moves it to the end, as nvlist_add_nvlist() on an NV_UNIQUE_NAME
// list does.
type holdsList []string

func (l *holdsList) add(name string) {
	for i, n := range *l {
		if n == name {
			*l = append((*l)[:i], (*l)[i+1:]...)
			break
		}
	}
	*l = append(*l, name)
}

// holds runs "zfs holds [-rH] SNAPSHOT...", as zfs_do_holds() does. Like
// illumos, each snapshot operand walks the whole operand list again (so an
// operand that cannot be opened is reported once per snapshot operand),
// and with -r an operand is cut to its filesystem name once it has had
// its turn. The header is printed even when no snapshot has holds.
func (c *zfsCmd) holds(args []string) int {
	opts, rest, gerr := getopt(args, "rH")
	if gerr != nil {
		return c.optError(gerr)
	}
	var recursive, scripted bool
	for _, o := range opts {
		switch o.c {
		case 'r':
			recursive = true
		case 'H':
			scripted = true
		}
	}
	if len(rest) < 1 {
		return c.usage()
	}
	return c.withState(false, func(s *State) int {
		operands := append([]string(nil), rest...)
		var list holdsList
		nameWidth, tagWidth := 0, 0
		failed := false
		w := walk{limit: -1, types: tSnap, snaps: true, namesOnly: true}
		if recursive {
			w.recursive, w.types = true, tAll
		}
		for i, a := range rest {
			fs, snap, ok := strings.Cut(a, "@")
			if !ok {
				c.inv.Errf("'%s' is not a snapshot", a)
				failed = true
				continue
			}
			if recursive {
				operands[i] = fs
			}
			names, bad := s.collect(c.inv.Stderr, operands, w)
			failed = failed || bad
			for _, n := range names {
				if recursive && (!isSnapshotName(n) || snapPart(n) != snap) {
					continue
				}
				nameWidth = max(nameWidth, len(n))
				for t := range s.get(n).Holds {
					tagWidth = max(tagWidth, len(t))
				}
				list.add(n)
			}
		}
		if !scripted {
			c.inv.Outf("%-*s  %-*s  %s\n", nameWidth, "NAME", tagWidth, "TAG", "TIMESTAMP")
		}
		for _, n := range list {
			d := s.get(n)
			// [derived] The kernel returns the tags in its hash order;
			// the sim prints them sorted.
			for _, t := range sortedNames(d.Holds) {
				ts := formatCreation(time.Unix(d.Holds[t], 0))
				if scripted {
					c.inv.Outf("%s\t%s\t%s\n", n, t, ts)
				} else {
					c.inv.Outf("%-*s  %-*s  %s\n", nameWidth, n, tagWidth, t, ts)
				}
			}
		}
		if len(list) == 0 {
			c.inv.Outf("no datasets available\n")
		}
		if failed {
			return 1
		}
		return 0
	})
}

// destroyRefusal is why the kernel refuses to destroy one dataset on its
// own (ZFS_IOC_DESTROY) in its present state, as the errno text libzfs
// prints, or "" when it can be destroyed: a held snapshot or a filesystem
// that still has snapshots is busy; a snapshot that still has clones or a
// filesystem that still has children "already exists" (EEXIST).
func (s *State) destroyRefusal(d *dataset) string {
	if d.Type == typeSnapshot {
		switch {
		case len(d.Holds) > 0:
			return "dataset is busy"
		case len(s.clonesOf(d.Name)) > 0:
			return "dataset already exists"
		}
		return ""
	}
	switch {
	case len(s.Snapshots(d.Name)) > 0:
		return "dataset is busy"
	case len(s.Children(d.Name)) > 0:
		return "dataset already exists"
	}
	return ""
}

// busySnapshots returns the "dataset is busy" messages lzc_destroy_snaps()
// leads to for the held snapshots among names; nil when none is held.
// [derived] The kernel reports them in its own order; the sim keeps the
// order of names.
func (s *State) busySnapshots(names []string) []string {
	var msgs []string
	for _, n := range names {
		if d := s.get(n); d != nil && len(d.Holds) > 0 {
			msgs = append(msgs, fmt.Sprintf("cannot destroy snapshot %s: dataset is busy", n))
		}
	}
	return msgs
}
