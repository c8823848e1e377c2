package zfs

import "fmt"

// An OtherMount is an entry of the global zone's mount table (mnttab)
// that is not a ZFS filesystem: the /dev, /proc, ctfs, mntfs, objfs and
// tmpfs mounts and the lofs fs resources zoneadmd makes below a zone's
// root, or a lofs mount of a directory somewhere else.
type OtherMount struct {
	Special    string // what is mounted: a GZ path for lofs
	MountPoint string // the GZ path it is mounted on
	FSType     string // "lofs", "dev", "proc", ...
}

// otherMounts returns the non-ZFS mounts of a sim root; the zones
// package provides it (zoneadmd's mounts follow from its kernel zone
// table). Nil means there are none.
var otherMounts func(root string) ([]OtherMount, error)

// RegisterOtherMounts sets where the dataset table learns of the mounts
// of other file system types, which make a ZFS filesystem busy.
func RegisterOtherMounts(f func(root string) ([]OtherMount, error)) { otherMounts = f }

// busyByOtherMount returns the error umount2(2) gives for a filesystem
// mounted on GZ path p while a mount of another type is stacked below p
// (its covered vnode is held), or while a lofs mount's special is p or
// below it (lofs holds the vnode of its source): EBUSY, which libzfs's
// unmount_one() (illumos-gate usr/src/lib/libzfs/common/libzfs_mount.c)
// reports as "cannot unmount '<p>': Device busy".
func (s *State) busyByOtherMount(p string) error {
	if otherMounts == nil {
		return nil
	}
	ms, err := otherMounts(s.root)
	if err != nil {
		return fmt.Errorf("cannot unmount '%s': %w", p, err)
	}
	for _, m := range ms {
		if under(m.MountPoint, p) || m.FSType == "lofs" && (m.Special == p || under(m.Special, p)) {
			return errf("cannot unmount '%s': Device busy", p)
		}
	}
	return nil
}
