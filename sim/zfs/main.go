// Package zfs owns the simulated ZFS of the illumos global zone: the
// dataset table (one JSON file under ROOT/.sim/zfs), the real directories
// that hold each filesystem's contents and each snapshot's copy, and the
// zfs and zpool commands that read and change them with the exact texts,
// output formats and exit codes of illumos. Its Go API (State) is what the
// simulated zoneadm uses to create, clone, mount and destroy zone
// datasets under the sim's state lock.
//
// Storage model: a mounted filesystem's contents are the real directory
// ROOT/<mountpoint> (without the directories of other filesystems mounted
// below it); an unmounted filesystem keeps them under ROOT/.sim/zfs/data;
// a snapshot is a full copy under ROOT/.sim/zfs/snap, and a clone starts as
// a copy of its origin snapshot. Sizes are the files' apparent sizes.
package zfs

import "github.com/zonemgr/zonemgr/sim/core"

// Main runs the simulated zfs or zpool command (chosen by inv.Tool) and
// returns its exit status.
func Main(inv *core.Invocation) int {
	if inv.Tool == "zpool" {
		return zpoolMain(inv)
	}
	return zfsMain(inv)
}
