package zfs

import (
	"path/filepath"
	"sort"
)

// Filesystems returns top (when it is a filesystem) and every filesystem
// below it, as "zfs list -H -t filesystem -r top" lists them.
// byCreation orders them as "-s creation" does: by the creation property
// (seconds), ties in the default order (zfs_iter.c zfs_sort() falls back
// to zfs_compare() when the sort properties are equal).
func (s *State) Filesystems(top string, byCreation bool) []string {
	var out []string
	for n, d := range s.t.Datasets {
		if d.Type == typeFilesystem && (n == top || isDescendant(n, top)) {
			out = append(out, n)
		}
	}
	s.sortDefault(out)
	if byCreation {
		sort.SliceStable(out, func(i, j int) bool { return s.get(out[i]).Creation < s.get(out[j]).Creation })
	}
	return out
}

// RenameSnapshot is "zfs rename fs@old fs@new" within one filesystem: the
// snapshot keeps its data, holds and clones (which now name it as their
// origin). libzfs_dataset.c zfs_rename() gathers no changelist for a
// snapshot renamed without -r, so nothing is unmounted.
func (s *State) RenameSnapshot(from, to string) error {
	d := s.get(from)
	if d == nil || d.Type != typeSnapshot {
		return errNotExist(from)
	}
	if !isSnapshotName(to) || datasetPart(to) != datasetPart(from) {
		return errf("cannot rename to '%s': snapshots must be part of same dataset", to)
	}
	if r := validateName(to, true); r != "" {
		return errf("cannot rename to '%s': %s", to, r)
	}
	if s.Exists(to) {
		return errf("cannot rename to '%s': dataset already exists", to)
	}
	if s.denied {
		return errf("cannot rename '%s': permission denied", from)
	}
	delete(s.t.Datasets, from)
	d.Name = to
	s.t.Datasets[to] = d
	s.snapIdx = nil
	for _, x := range s.t.Datasets {
		if x.Origin == from {
			x.Origin = to
		}
	}
	return nil
}

// MountedAtOrBelow reports whether a filesystem is mounted on the
// global-zone path gzpath or below it.
func (s *State) MountedAtOrBelow(gzpath string) bool {
	return s.isMountPath(filepath.Clean("/" + gzpath))
}

// MountsBelow lists the mount points strictly below the global-zone
// path gzpath, of ZFS filesystems and of the other mounts the mount
// table has (libzonecfg.c zonecfg_find_mounts(): the mnttab entries
// whose mount point starts with gzpath + "/"), sorted.
func (s *State) MountsBelow(gzpath string) ([]string, error) {
	p := filepath.Clean("/" + gzpath)
	var out []string
	for _, o := range s.t.Datasets {
		if o.MountPath != "" && under(o.MountPath, p) {
			out = append(out, o.MountPath)
		}
	}
	if otherMounts != nil {
		ms, err := otherMounts(s.root)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if under(m.MountPoint, p) {
				out = append(out, m.MountPoint)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}
