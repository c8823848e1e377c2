package zones

import (
	"path"
	"path/filepath"
	"strings"

	"github.com/zonemgr/zonemgr/sim/zfs"
)

// The mounts zoneadmd makes for a zone in the kernel are entries of the
// global zone's mnttab that the dataset table does not hold; they make the
// ZFS filesystems they are stacked on busy, so that "zfs destroy" or "zfs
// unmount" of a ready or running zone's boot environment, or of a
// dataset above it, fails with "Device busy" as on illumos.
func init() { zfs.RegisterOtherMounts(zoneadmdMounts) }

// platformMounts are the ipkg brand's mounts of a zone being readied
// (illumos-gate usr/src/lib/brand/ipkg/zone/platform.xml: the
// global_mount of /dev and the mount entries), made below the zone's root
// by zoneadmd's mount_filesystems() (usr/src/cmd/zoneadmd/vplat.c) for
// both ready and running zones. The sim does not mount them for real.
var platformMounts = []zfs.OtherMount{
	{Special: "/dev", MountPoint: "/dev", FSType: "dev"},
	{Special: "/proc", MountPoint: "/proc", FSType: "proc"},
	{Special: "ctfs", MountPoint: "/system/contract", FSType: "ctfs"},
	{Special: "mnttab", MountPoint: "/etc/mnttab", FSType: "mntfs"},
	{Special: "objfs", MountPoint: "/system/object", FSType: "objfs"},
	{Special: "swap", MountPoint: "/etc/svc/volatile", FSType: "tmpfs"},
}

// zoneadmdMounts lists the non-ZFS mounts of every zone in the kernel of
// the sim root: for a ready or running zone the platform mounts and its
// lofs fs resources below <zonepath>/root; for a mounted zone its scratch
// root, the tmpfs on <zonepath>/lu, with the zone's root lofs-mounted on
// /a and its /etc and /var on /etc and /var (vplat.c
// build_mounted_pre_var(), build_mounted_post_var(); see scratch.go).
func zoneadmdMounts(root string) ([]zfs.OtherMount, error) {
	k, err := ReadKernel(root)
	if err != nil || len(k.Zones) == 0 {
		return nil, err
	}
	ix, err := ReadIndex(root)
	if err != nil {
		return nil, err
	}
	var out []zfs.OtherMount
	for _, name := range k.Ordered() {
		e, ok := ix.Lookup(name)
		if !ok {
			continue
		}
		kz := k.Zones[name]
		zroot := path.Join(e.Zonepath, "root")
		if kz.State == "mounted" {
			lu := path.Join(e.Zonepath, scratchDir)
			out = append(out, zfs.OtherMount{Special: "swap", MountPoint: lu, FSType: "tmpfs"},
				zfs.OtherMount{Special: zroot, MountPoint: path.Join(lu, "a"), FSType: "lofs"})
			for _, d := range scratchZoneDirs {
				out = append(out, zfs.OtherMount{Special: path.Join(zroot, d), MountPoint: path.Join(lu, d), FSType: "lofs"})
			}
			continue
		}
		for _, m := range platformMounts {
			m.MountPoint = path.Join(zroot, m.MountPoint)
			out = append(out, m)
		}
		for _, hp := range kz.Mounts {
			rel, err := filepath.Rel(root, hp)
			if err != nil || strings.HasPrefix(rel, "..") {
				continue
			}
			out = append(out, zfs.OtherMount{MountPoint: "/" + filepath.ToSlash(rel), FSType: "lofs"})
		}
	}
	return out, nil
}
