package zones

import (
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"strings"

	"github.com/zonemgr/zonemgr/sim/zfs"
)

// This file is the ipkg brand's uninstall hook: omniosorg/pkg5
// src/brand/ipkg/uninstall (OpenIndiana/pkg5 src/brand/uninstall is the
// same logic), which keeps the zone BEs of the running global zone's BE
// and hands them to illumos-gate
// usr/src/lib/brand/shared/zone/uninstall.ksh destroy_zone_datasets().
// Every zfs command the script runs is a process of its own, so each
// takes effect at once, also when a later one fails (the hook then exits
// ZONE_SUBPROC_FATAL and zoneadm's uninstall_func() returns Z_ERR with
// the zone left incomplete). The zfs commands print their own errors on
// the hook's stderr.

// Texts of uninstall.ksh (illumos-gate usr/src/lib/brand/shared/zone).
const (
	fUserSnap   = "Error: user snapshot(s) detected."
	fStraySnap  = "Error: uncloned snapshot(s) detected."
	fStrayClone = "Error: cloned zone datasets found outsize of zone."
	fRmSnap     = "Error: please delete snapshot(s) and retry uninstall."
	fRmClone    = "Error: please delete clone(s) and retry uninstall."
	fIUClone    = "Error: cloned zone dataset(s) in use."
	fDisClone   = "Error: please stop using clone(s) and retry uninstall."
	fZfsDestroy = "Error: destroying ZFS dataset."
	fZfsPromote = "Error: promoting ZFS dataset '%s'."
	fZfsRename  = "Error: renaming ZFS dataset '%s' to '%s'."
	fZfsSet     = "Error: setting ZFS propery %s='%s' for '%s'."
	fZfsGet     = "Error: reading ZFS dataset property '%s' from '%s'."
	mZfsPromote = "promoting '%s'."
	mZfsRename  = "renaming '%s' to '%s'."
	fNoGZBE     = "unable to determine global zone boot environment." // omniosorg/pkg5 src/brand/ipkg/common.ksh
)

// A hookExit ends the hook with an exit status (the script's "exit").
type hookExit int

func (e hookExit) Error() string { return fmt.Sprintf("exit %d", int(e)) }

// An uninstaller is one run of the uninstall hook.
type uninstaller struct {
	a        *adm
	zs       *zfs.State
	zonepath string
	out, err io.Writer
}

// ipkgUninstall runs the uninstall hook for zone c and returns its exit
// status.
func (a *adm) ipkgUninstall(c *Config) int {
	zs, err := zfs.Open(a.root)
	if err != nil {
		fmt.Fprintln(a.errw, err)
		return subprocFatal
	}
	u := &uninstaller{a: a, zs: zs, zonepath: c.Zonepath, out: a.out, err: a.errw}
	status := subprocOK
	if err := u.run(); err != nil {
		e, ok := err.(hookExit)
		if !ok {
			fmt.Fprintln(a.errw, err)
			e = subprocFatal
		}
		status = int(e)
	}
	// Each zfs command the hook ran took effect at once.
	if err := zs.Save(); err != nil {
		fmt.Fprintln(a.errw, err)
		return subprocFatal
	}
	return status
}

// run is the script's main part (pkg5 src/brand/ipkg/uninstall).
func (u *uninstaller) run() error {
	// get_current_gzbe: the uuid of the BE beadm flags "N" (active now).
	gzbe := ""
	if be, ok := u.zs.FilesystemAt("/"); ok {
		if v, _, err := u.zs.GetProp(be, propBEUUID); err == nil && v != "-" {
			gzbe = v
		}
	}
	if gzbe == "" {
		fmt.Fprintln(u.out, fNoGZBE)
	}
	// uninstall_get_zonepath_ds(): the filesystem whose mountpoint is
	// the zonepath.
	zpds, ok := u.zs.FilesystemAt(u.zonepath)
	if !ok {
		u.rmZonepath()
		return nil
	}
	// uninstall_get_zonepath_root_ds()
	rds := zpds + "/ROOT"
	if !u.zs.Exists(rds) || isSnapshot(rds) {
		if len(u.zs.Filesystems(zpds, false)) == 1 {
			if err := u.zfsDestroy(zpds); err != nil {
				return err
			}
		}
		u.rmZonepath()
		return nil
	}
	// The zone BEs directly below ROOT whose parentbe is the current GZ
	// BE; the others belong to other GZ BEs and stay.
	var fsAll []string
	if gzbe != "" {
		for _, fs := range u.zs.Filesystems(rds, false) {
			if path.Dir(fs) != rds || fs == rds {
				continue
			}
			if uid, _, _ := u.zs.GetProp(fs, propParentBE); uid != gzbe {
				continue
			}
			fsAll = append(fsAll, fs)
		}
	}
	return u.destroyZoneDatasets(fsAll, rds, zpds)
}

func isSnapshot(name string) bool { return strings.Contains(name, "@") }

// destroyZoneDatasets is uninstall.ksh destroy_zone_datasets(): each
// zone BE goes, then ROOT and the zonepath dataset only when no other
// filesystem is left below them ("There may be datasets associated with
// other GZ BEs, so we need to leave things alone in that case."); the
// hook exits 0 all the same.
func (u *uninstaller) destroyZoneDatasets(fsAll []string, rds, zpds string) error {
	for _, fs := range fsAll {
		if err := u.destroyZoneDataset(fs); err != nil {
			return err
		}
	}
	if len(u.zs.Filesystems(rds, false)) == 1 {
		if err := u.zfsDestroy(rds); err != nil {
			return err
		}
	}
	if len(u.zs.Filesystems(zpds, false)) == 1 {
		if err := u.zfsDestroy(zpds); err != nil {
			return err
		}
	}
	u.rmZonepath()
	return nil
}

// fatal prints lines on stderr and ends the hook with ZONE_SUBPROC_FATAL.
func (u *uninstaller) fatal(lines ...string) error {
	for _, l := range lines {
		fmt.Fprintln(u.err, l)
	}
	return hookExit(subprocFatal)
}

// zfsDestroy is uninstall.ksh zfs_destroy(): read the origin, "zfs
// destroy -r", then "zfs destroy <origin> 2>/dev/null", ignoring its
// errors "since the origin could have been used as the source for other
// clones".
func (u *uninstaller) zfsDestroy(fs string) error {
	origin, _, err := u.zs.GetProp(fs, "origin")
	if err != nil {
		fmt.Fprintln(u.err, err)
		return u.fatal(fmt.Sprintf(fZfsGet, "origin", fs))
	}
	if err := u.zs.Destroy(fs, true, false); err != nil {
		fmt.Fprintln(u.err, err)
		// printf "$f_1_zfs_destroy\n" "$zd_fs1": the text has no %s.
		return u.fatal(fZfsDestroy)
	}
	if origin == "-" || origin == "" {
		return nil
	}
	u.zs.Destroy(origin, false, false)
	return nil
}

// snapRenamer is uninstall.ksh snap_rename() with its two counters.
type snapRenamer struct{ zbe, snap int }

var (
	zbeSnapRE  = regexp.MustCompile(`^zbe-[0-9][0-9]*$`)
	cloneSnap  = regexp.MustCompile(`_snap[0-9]*$`)
	trailingNr = regexp.MustCompile(`[0-9]*$`)
)

// rename picks the next name for an origin snapshot whose name clashes:
// zbe-<n> for zbe-N, <prefix>_snap<n> for *_snapN, and refuses any other
// name as a user snapshot. The _snap case drops the trailing digits
// before appending the counter (sr_snap=${sr_snap##~(Er)([0-9]*)})
// [unconfirmed: the exact ksh93 semantics of that expansion].
func (r *snapRenamer) rename(u *uninstaller, fs, snap string) (string, error) {
	switch {
	case zbeSnapRE.MatchString(snap):
		n := fmt.Sprintf("zbe-%d", r.zbe)
		r.zbe++
		return n, nil
	case cloneSnap.MatchString(snap):
		n := trailingNr.ReplaceAllString(snap, "") + fmt.Sprint(r.snap)
		r.snap++
		return n, nil
	}
	return "", u.fatal(fUserSnap, "\t"+fs+"@"+snap, fRmSnap)
}

// destroyZoneDataset is uninstall.ksh destroy_zone_dataset(): a zone BE
// with snapshots that other datasets are cloned from is destroyed after
// its uncloned snapshots are destroyed, clashing origin snapshot names
// are renamed, and the newest clone of its youngest cloned snapshot is
// promoted (the script's comment says "oldest"; its loop walks the clones
// sorted by creation from the end and takes the first match).
func (u *uninstaller) destroyZoneDataset(fs string) error {
	sOrigin := u.zs.Snapshots(fs)
	if len(sOrigin) == 0 {
		return u.zfsDestroy(fs)
	}
	pool, _, _ := strings.Cut(fs, "/")
	var clones, clonesOrigin []string
	for _, name := range u.zs.Filesystems(pool, true) {
		origin, _, _ := u.zs.GetProp(name, "origin")
		if origin == "-" || origin == "" || strings.HasPrefix(name, fs+"/") {
			continue
		}
		clones = append(clones, name)
		clonesOrigin = append(clonesOrigin, origin)
	}
	var stray []string
	for j, o := range clonesOrigin {
		if strings.HasPrefix(o, fs+"/") {
			stray = append(stray, "\t"+clones[j])
		}
	}
	if len(stray) > 0 {
		return u.fatal(append(append([]string{fStrayClone}, stray...), fRmClone)...)
	}
	cloned := map[string]bool{}
	for _, o := range clonesOrigin {
		cloned[o] = true
	}
	var sDelete, kept []string
	for _, sn := range sOrigin {
		if cloned[sn] {
			kept = append(kept, sn)
		} else {
			sDelete = append(sDelete, sn)
		}
	}
	sOrigin = kept
	if len(sOrigin) == 0 {
		return u.zfsDestroy(fs)
	}
	youngest := sOrigin[len(sOrigin)-1]
	sClone := ""
	for j := len(clones) - 1; j >= 0; j-- {
		if clonesOrigin[j] == youngest {
			sClone = clones[j]
			break
		}
	}
	if sClone == "" {
		return u.fatal(fStraySnap, "\t"+youngest, fRmSnap)
	}
	var sCloneS []string
	for _, sn := range u.zs.Snapshots(sClone) {
		sCloneS = append(sCloneS, sn[strings.Index(sn, "@")+1:])
	}
	sOriginSnap := make([]string, len(sOrigin))
	sRename := make([]string, len(sOrigin))
	for j, sn := range sOrigin {
		sOriginSnap[j] = sn[strings.Index(sn, "@")+1:]
		sRename[j] = sOriginSnap[j]
	}
	// The collision search, as the script's nested loops run it.
	r := &snapRenamer{1, 1}
	j := 0
next:
	for j < len(sOrigin) {
		for k := 0; k < len(sCloneS); {
			if sRename[j] != sCloneS[k] {
				k++
				continue
			}
			n, err := r.rename(u, fs, sRename[j])
			if err != nil {
				return err
			}
			sRename[j], k = n, 0
		}
		if sRename[j] == sOriginSnap[j] {
			j++
			continue
		}
		for k := 0; k < len(sOrigin); k++ {
			if j == k || sRename[j] != sRename[k] {
				continue
			}
			n, err := r.rename(u, fs, sRename[j])
			if err != nil {
				return err
			}
			sRename[j] = n
			continue next // "continue 2"
		}
		j++
		r = &snapRenamer{1, 1}
	}
	// Zoned clones of snapshots to be renamed are unzoned for the
	// rename; one that is mounted stops the uninstall.
	var zonedClones, inUse []string
	for j, cl := range clones {
		renamed := false
		for k := range sOrigin {
			if clonesOrigin[j] == sOrigin[k] && sOriginSnap[k] != sRename[k] {
				renamed = true
				break
			}
		}
		if !renamed {
			continue
		}
		if z, _, _ := u.zs.GetProp(cl, "zoned"); z != "on" {
			continue
		}
		zonedClones = append(zonedClones, cl)
		if m, _, _ := u.zs.GetProp(cl, "mounted"); m == "yes" {
			inUse = append(inUse, "\t"+cl)
		}
	}
	if len(inUse) > 0 {
		return u.fatal(append(append([]string{fIUClone}, inUse...), fDisClone)...)
	}
	for _, sn := range sDelete {
		if err := u.zfsDestroy(sn); err != nil {
			return err
		}
	}
	if !u.zfsSetArray("zoned", "off", zonedClones, false) {
		u.zfsSetArray("zoned", "on", zonedClones, true)
	}
	for j := range sOrigin {
		if sOriginSnap[j] == sRename[j] {
			continue
		}
		to := fs + "@" + sRename[j]
		fmt.Fprintf(u.out, mZfsRename+"\n", sOrigin[j], to)
		if err := u.zs.RenameSnapshot(sOrigin[j], to); err != nil {
			fmt.Fprintln(u.err, err)
			fmt.Fprintf(u.err, fZfsRename+"\n", sOrigin[j], to)
			u.zfsSetArray("zoned", "on", zonedClones, true)
			return hookExit(subprocFatal)
		}
	}
	u.zfsSetArray("zoned", "on", zonedClones, true)
	fmt.Fprintf(u.out, mZfsPromote+"\n", sClone)
	if err := u.zs.Promote(sClone); err != nil {
		fmt.Fprintln(u.err, err)
		return u.fatal(fmt.Sprintf(fZfsPromote, sClone))
	}
	return u.zfsDestroy(fs)
}

// zfsSetArray is uninstall.ksh zfs_set_array(): "zfs set prop=value" on
// each, stopping at the first failure unless ignoreErrors; zfs_set()
// prints its own error on stdout.
func (u *uninstaller) zfsSetArray(prop, value string, list []string, ignoreErrors bool) bool {
	for _, fs := range list {
		if err := u.zs.SetProp(fs, prop, value); err != nil {
			fmt.Fprintln(u.err, err)
			fmt.Fprintf(u.out, fZfsSet+"\n", prop, value, fs)
			if !ignoreErrors {
				return false
			}
		}
	}
	return true
}

// rmZonepath is uninstall.ksh rm_zonepath(): "cleanup stuff we know about
// and leave any user data alone": SUNWattached.xml, lu, dev and root, then
// rmdir of the zonepath, which fails while it is not empty or a
// filesystem is mounted on it. rm -rf descends into a filesystem still
// mounted below (its contents go) but cannot remove its mount point.
func (u *uninstaller) rmZonepath() {
	zp := u.zonepath
	os.Remove(u.a.inv.Path(path.Join(zp, "SUNWattached.xml")))
	for _, d := range []string{"lu", "dev", "root"} {
		u.removeAll(path.Join(zp, d))
	}
	if _, mounted := u.zs.MountedAt(zp); !mounted {
		os.Remove(u.a.inv.Path(zp))
	}
}

// removeAll is "rm -rf" of a GZ path, leaving the directories that
// filesystems are mounted on (EBUSY).
func (u *uninstaller) removeAll(gz string) {
	host := u.a.inv.Path(gz)
	if !u.zs.MountedAtOrBelow(gz) {
		os.RemoveAll(host)
		return
	}
	if fi, err := os.Lstat(host); err == nil && fi.IsDir() {
		entries, _ := os.ReadDir(host)
		for _, e := range entries {
			u.removeAll(path.Join(gz, e.Name()))
		}
		if _, mounted := u.zs.MountedAt(gz); mounted {
			return
		}
	}
	os.Remove(host)
}
