package zfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
)

// storeDir is where an unmounted filesystem keeps its contents.
func (s *State) storeDir(d *dataset) string {
	return filepath.Join(s.root, core.SimDir, "zfs", "data", strconv.FormatUint(d.storeKey(), 16))
}

// snapDir is where a snapshot's copy of its filesystem lives.
func (s *State) snapDir(d *dataset) string {
	return filepath.Join(s.root, core.SimDir, "zfs", "snap", strconv.FormatUint(d.storeKey(), 16))
}

// location returns the host directory holding a dataset's contents now,
// and the host paths inside it that belong to other filesystems mounted
// below it (they are not part of its contents). Volumes and the global
// zone's boot environment have no location ("").
func (s *State) location(d *dataset) (string, map[string]bool) {
	switch {
	case d.NoData || d.Type == typeVolume:
		return "", nil
	case d.Type == typeSnapshot:
		return s.snapDir(d), nil
	case d.MountPath == "":
		return s.storeDir(d), nil
	}
	dir := s.hostPath(d.MountPath)
	excl := map[string]bool{}
	for _, o := range s.t.Datasets {
		if o != d && o.MountPath != "" && under(o.MountPath, d.MountPath) {
			excl[s.hostPath(o.MountPath)] = true
		}
	}
	if d.MountPath == "/" {
		excl[filepath.Join(s.root, core.SimDir)] = true
	}
	return dir, excl
}

// under reports whether GZ path p is strictly below dir.
func under(p, dir string) bool {
	if dir == "/" {
		return p != "/"
	}
	return strings.HasPrefix(p, dir+"/")
}

// mountpoint returns the effective mountpoint property of a filesystem:
// a path, "legacy" or "none".
func (s *State) mountpoint(d *dataset) string {
	v, ok := s.propValue(d, "mountpoint", false)
	if !ok {
		return "none"
	}
	return v.value
}

// shouldAutoMount reports whether zfs mounts a filesystem by itself
// (canmount=on, a path mountpoint, not zoned).
func (s *State) shouldAutoMount(d *dataset) bool {
	if d.Type != typeFilesystem || d.NoData {
		return false
	}
	if v, _ := s.propValue(d, "canmount", false); v.value != "on" {
		return false
	}
	if v, _ := s.propValue(d, "zoned", false); v.value == "on" {
		return false
	}
	return strings.HasPrefix(s.mountpoint(d), "/")
}

// autoMount mounts a new filesystem when zfs would.
func (s *State) autoMount(d *dataset, action string) error {
	if !s.shouldAutoMount(d) {
		return nil
	}
	return s.mountAt(d, s.mountpoint(d), "cannot mount '"+s.mountpoint(d)+"'")
}

// mountAt moves a filesystem's contents from its store to Path(p).
func (s *State) mountAt(d *dataset, p, action string) error {
	dir := s.hostPath(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	for _, e := range entries {
		if !s.isMountPath(filepath.Join(p, e.Name())) {
			return errf("%s: directory is not empty", action)
		}
	}
	store := s.storeDir(d)
	if err := os.MkdirAll(store, 0o755); err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	if err := moveEntries(store, dir); err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	if err := copyAttrs(store, dir); err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	if err := os.RemoveAll(store); err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	d.MountPath = p
	return nil
}

// isMountPath reports whether some filesystem is mounted on GZ path p or
// below it.
func (s *State) isMountPath(p string) bool {
	for _, o := range s.t.Datasets {
		if o.MountPath != "" && (o.MountPath == p || under(o.MountPath, p)) {
			return true
		}
	}
	return false
}

// unmount moves a mounted filesystem's contents back to its store. It
// fails, as the real umount does, while another filesystem is mounted
// below it, be it a ZFS one or one of another type (busyByOtherMount):
// every path that unmounts comes here, zfs destroy's destroy_callback()
// (illumos-gate usr/src/cmd/zfs/zfs_main.c) and zfs unmount by way of
// libzfs_mount.c zfs_unmount() and unmount_one(), and the changelists of
// zfs set mountpoint/canmount. zfs rollback does not unmount (the
// kernel's zfs_ioc_rollback() suspends the mounted filesystem instead).
// The -f of zfs unmount and zfs destroy (MS_FORCE) is not modelled: the
// sim refuses a forced unmount of a busy filesystem all the same
// [unconfirmed: what umount2(MS_FORCE) does with mounts stacked below].
func (s *State) unmount(d *dataset) error {
	p := d.MountPath
	if p == "/" {
		// The root file system of the running global zone is always busy.
		return errf("cannot unmount '/': Device busy")
	}
	if d.NoData {
		d.MountPath = ""
		return nil
	}
	for _, o := range s.t.Datasets {
		if o != d && o.MountPath != "" && under(o.MountPath, p) {
			return errf("cannot unmount '%s': Device busy", p)
		}
	}
	if err := s.busyByOtherMount(p); err != nil {
		return err
	}
	dir := s.hostPath(p)
	store := s.storeDir(d)
	if err := os.MkdirAll(store, 0o755); err != nil {
		return fmt.Errorf("cannot unmount '%s': %w", p, err)
	}
	if _, err := os.Stat(dir); err == nil {
		if err := moveEntries(dir, store); err != nil {
			return fmt.Errorf("cannot unmount '%s': %w", p, err)
		}
		if err := copyAttrs(dir, store); err != nil {
			return fmt.Errorf("cannot unmount '%s': %w", p, err)
		}
		// zfs removes the (now empty) mountpoint directory of a filesystem
		// it mounted itself; a legacy mount point is left alone.
		if s.mountpoint(d) == p {
			os.Remove(dir)
		}
	}
	d.MountPath = ""
	return nil
}

// remountAround unmounts the filesystems a mountpoint or canmount change
// affects, applies the change, and mounts them again where they now
// belong. Filesystems mounted elsewhere by hand (legacy mounts) stay.
func (s *State) remountAround(d *dataset, subtree bool, action string, change func()) error {
	affected := []*dataset{d}
	if subtree {
		// libzfs_changelist.c changelist_gather(): a descendant whose
		// mountpoint is set locally (or that inherits it from such a
		// descendant) does not move with its ancestor's mountpoint.
		for _, n := range s.descendants(d.Name) {
			if x := s.get(n); x.Type == typeFilesystem && !s.mountpointSetBelow(d.Name, n) {
				affected = append(affected, x)
			}
		}
	}
	var down []*dataset
	wasMounted := map[*dataset]bool{}
	for _, x := range affected {
		if x.MountPath != "" && x.MountPath == s.mountpoint(x) {
			down = append(down, x)
			wasMounted[x] = true
		}
	}
	// libzfs_changelist.c changelist_gather() (illumos-gate
	// usr/src/lib/libzfs/common): cl_waslegacy when the mountpoint being
	// changed was legacy or none, unless the filesystem's canmount is
	// noauto.
	wasLegacy := false
	if mp := s.mountpoint(d); subtree && (mp == "legacy" || mp == "none") {
		cm, _ := s.propValue(d, "canmount", false)
		wasLegacy = cm.value != "noauto"
	}
	for i := len(down) - 1; i >= 0; i-- {
		if err := s.unmount(down[i]); err != nil {
			return err
		}
	}
	change()
	return s.postfix(affected, wasMounted, wasLegacy)
}

// postfix is libzfs_changelist.c changelist_postfix() for the
// filesystems of a changelist, parents first: each that is not mounted
// is mounted when it was mounted before the change (zfs_mount() allows
// canmount=noauto), or when its canmount is on and the mountpoint was
// legacy before (wasLegacy) or its sharenfs or sharesmb is not "off". A
// mount that fails is reported and the others are still tried; the
// change stays made. A zoned filesystem is left alone.
func (s *State) postfix(list []*dataset, wasMounted map[*dataset]bool, wasLegacy bool) error {
	var errs []error
	for _, x := range list {
		if x.MountPath != "" || s.zoned(x) || !s.mountable(x) {
			continue
		}
		cm, _ := s.propValue(x, "canmount", false)
		nfs, _ := s.propValue(x, "sharenfs", false)
		smb, _ := s.propValue(x, "sharesmb", false)
		shared := nfs.value != "off" || smb.value != "off"
		if wasMounted[x] || (wasLegacy || shared) && cm.value == "on" {
			if err := s.mountAt(x, s.mountpoint(x), "cannot mount '"+s.mountpoint(x)+"'"); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// shareChangelist is illumos-gate
// usr/src/lib/libzfs/common/libzfs_changelist.c changelist_gather() and
// change_one() for a change
// of sharenfs or sharesmb on d: d, and below it every filesystem that
// has one of the two not set locally, with the same rule again below
// that one (a filesystem with both set locally, and what is below it,
// are not affected).
func (s *State) shareChangelist(d *dataset) []*dataset {
	list := []*dataset{d}
	var walk func(p *dataset)
	walk = func(p *dataset) {
		for _, n := range s.descendants(p.Name) {
			c := s.get(n)
			if parentOf(n) != p.Name || c.Type != typeFilesystem {
				continue
			}
			_, nfsLocal := c.Props["sharenfs"]
			_, smbLocal := c.Props["sharesmb"]
			if !nfsLocal || !smbLocal {
				list = append(list, c)
				walk(c)
			}
		}
	}
	walk(d)
	return list
}

// mountable is libzfs zfs_is_mountable() in the global zone: a
// filesystem with a path mountpoint, canmount not off and not zoned.
func (s *State) mountable(d *dataset) bool {
	if d.Type != typeFilesystem || d.NoData || !strings.HasPrefix(s.mountpoint(d), "/") {
		return false
	}
	if v, _ := s.propValue(d, "canmount", false); v.value == "off" {
		return false
	}
	return !s.zoned(d)
}

// mountpointSetBelow reports whether name or an ancestor of it strictly
// below top has a locally set mountpoint.
func (s *State) mountpointSetBelow(top, name string) bool {
	for n := name; n != top && n != ""; n = parentOf(n) {
		if x := s.get(n); x != nil {
			if _, ok := x.Props["mountpoint"]; ok {
				return true
			}
		}
	}
	return false
}

// copyOut fills a new snapshot's directory with a copy of its
// filesystem's current contents.
func (s *State) copyOut(fs, snap *dataset) error {
	dst := s.snapDir(snap)
	src, excl := s.location(fs)
	if src == "" {
		return os.MkdirAll(dst, 0o755)
	}
	return copyTree(src, dst, excl)
}

// copyIn copies a snapshot's contents into dst, which must not exist yet
// or be empty.
func (s *State) copyIn(snap *dataset, dst string) error {
	if snap.NoData {
		return os.MkdirAll(dst, 0o755)
	}
	return copyTree(s.snapDir(snap), dst, nil)
}

// dropData removes what a dataset holds on disk (not its mount point).
func (s *State) dropData(d *dataset) {
	if d == nil {
		return
	}
	switch d.Type {
	case typeSnapshot:
		os.RemoveAll(s.snapDir(d))
	case typeFilesystem:
		os.RemoveAll(s.storeDir(d))
	}
}

// restore replaces a filesystem's contents with a snapshot's.
func (s *State) restore(fs, snap *dataset) error {
	dir, excl := s.location(fs)
	if dir == "" || snap.NoData {
		return nil
	}
	if err := removeContents(dir, excl); err != nil {
		return err
	}
	return copyTree(s.snapDir(snap), dir, nil)
}

// moveEntries renames every entry of src into dst.
func moveEntries(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.Rename(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// copyAttrs gives dst the mode, owner and times of src.
func copyAttrs(src, dst string) error {
	fi, err := os.Lstat(src)
	if err != nil {
		return err
	}
	if err := os.Chmod(dst, fi.Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)); err != nil {
		return err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		if err := os.Lchown(dst, int(st.Uid), int(st.Gid)); err != nil && !errors.Is(err, fs.ErrPermission) {
			return err
		}
	}
	return os.Chtimes(dst, time.Time{}, fi.ModTime())
}

// removeContents removes everything inside dir except the excluded paths
// (and the directories leading to them).
func removeContents(dir string, excl map[string]bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch {
		case excl[p]:
		case leadsTo(p, excl):
			if err := removeContents(p, excl); err != nil {
				return err
			}
		default:
			if err := os.RemoveAll(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// leadsTo reports whether some excluded path lies below p.
func leadsTo(p string, excl map[string]bool) bool {
	for x := range excl {
		if strings.HasPrefix(x, p+"/") {
			return true
		}
	}
	return false
}

// copyTree copies the directory src to dst, preserving modes, owners,
// times, symlinks and special files, and skipping the excluded paths
// (other filesystems mounted inside src).
func copyTree(src, dst string, excl map[string]bool) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		sp := filepath.Join(src, e.Name())
		if excl[sp] {
			continue
		}
		if err := copyEntry(sp, filepath.Join(dst, e.Name()), excl); err != nil {
			return err
		}
	}
	return copyAttrs(src, dst)
}

// copyEntry copies one directory entry.
func copyEntry(src, dst string, excl map[string]bool) error {
	fi, err := os.Lstat(src)
	if err != nil {
		return err
	}
	switch m := fi.Mode(); {
	case m.IsDir():
		return copyTree(src, dst, excl)
	case m&fs.ModeSymlink != 0:
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		if err := os.Symlink(target, dst); err != nil {
			return err
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			if err := os.Lchown(dst, int(st.Uid), int(st.Gid)); err != nil && !errors.Is(err, fs.ErrPermission) {
				return err
			}
		}
		return nil
	case m.IsRegular():
		if err := copyFile(src, dst, m.Perm()); err != nil {
			return err
		}
		return copyAttrs(src, dst)
	default:
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return fmt.Errorf("copy %s: unsupported file type", src)
		}
		if err := syscall.Mknod(dst, st.Mode, int(st.Rdev)); err != nil {
			return fmt.Errorf("copy %s: %w", src, err)
		}
		return copyAttrs(src, dst)
	}
}

// copyFile copies a regular file's bytes.
func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// A scan is the list of files of one content directory: relative path to
// size and modification time, and the total size.
type scan struct {
	files map[string]fileKey
	total int64
}

// A fileKey identifies one version of a file closely enough to tell
// whether two copies hold the same data.
type fileKey struct {
	size  int64
	mtime int64
	mode  fs.FileMode
}

// metaBytes is what an empty filesystem references (its metadata), as a
// fresh ZFS filesystem shows REFER 23K. [derived: the sim does not model
// blocks; sizes are the files' apparent sizes plus this constant]
const metaBytes = 23552

// scanDir walks a content directory (memoized per process).
func (s *State) scanDir(dir string, excl map[string]bool) *scan {
	if sc, ok := s.scans[dir]; ok {
		return sc
	}
	sc := &scan{files: map[string]fileKey{}}
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if excl[p] {
			return filepath.SkipDir
		}
		if p == dir {
			return nil
		}
		fi, err := e.Info()
		if err != nil {
			return nil
		}
		key := fileKey{mode: fi.Mode()}
		switch {
		case fi.Mode().IsRegular():
			key.size, key.mtime = fi.Size(), fi.ModTime().UnixNano()
		case fi.Mode()&fs.ModeSymlink != 0:
			// A copied symlink keeps its target but not its time.
			key.size = fi.Size()
		}
		rel, _ := filepath.Rel(dir, p)
		sc.files[rel] = key
		size := key.size
		sc.total += size
		return nil
	})
	s.scans[dir] = sc
	return sc
}

// contents scans a dataset's current contents (nil for datasets without).
func (s *State) contents(d *dataset) *scan {
	dir, excl := s.location(d)
	if dir == "" {
		return &scan{files: map[string]fileKey{}}
	}
	return s.scanDir(dir, excl)
}

// diffBytes is the size of the files of a that b does not hold in the same
// version: the data a would free if b stayed.
func diffBytes(a, b *scan) int64 {
	if b == nil {
		return a.total
	}
	var n int64
	for p, k := range a.files {
		if bk, ok := b.files[p]; !ok || bk != k {
			n += k.size
		}
	}
	return n
}

// sortedNames returns a map's keys, sorted.
func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
