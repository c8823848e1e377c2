package zones

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"syscall"

	"github.com/zonemgr/zonemgr/sim/core"
)

// This file is the scratch zone of "zoneadm mount" (illumos-gate
// usr/src/cmd/zoneadmd/vplat.c, the comment at its top and
// build_mounted_pre_var(), build_mounted_post_var(), vplat_create()): a
// mounted zone does not run from its own root. zoneadmd mounts a tmpfs
// on <zonepath>/lu and builds there a miniroot-like tree: the zone's root
// read-write on /a, the zone's own /etc and /var read-write on /etc and
// /var, the running system's /usr, /lib, /sbin and /platform read-only,
// tmpfs on /tmp and /var/run, and the zone is created with <zonepath>/lu
// as its root. Init and SMF do not run there, and no network is
// configured (vplat_bringup() configures interfaces for Z_MNT_BOOT only).
// So what a command run there with zlogin -S writes lands in the zone
// only below /a, /etc and /var; anything else goes to the tmpfs and is
// gone at "zoneadm unmount".

// scratchDir is the scratch zone's root below the zonepath
// (vplat.c root_to_lu(), build_mounted_pre_var() "%s/lu").
const scratchDir = "lu"

// scratchDirs are created in the scratch root (build_mounted_pre_var()
// mkdirs[], before the "/bin" link to "./usr/bin").
var scratchDirs = []string{"system", "system/contract", "system/object", "proc", "dev", "tmp", "a"}

// scratchZoneDirs are the zone's own directories lofs-mounted read-write
// in the scratch zone (build_mounted_post_var() localdirs[] for
// Z_MNT_SCRATCH).
var scratchZoneDirs = []string{"etc", "var"}

// scratchSystemDirs are the running system's directories lofs-mounted
// read-only (build_mounted_post_var() scr_loopdirs[]: /etc/lib, /etc/fs,
// /lib, /sbin, /platform, /usr). The sim's global zone has no binaries
// of its own, so the zone's own /usr, /lib and /sbin stand in for them
// (read-only all the same); /platform, /etc/lib and /etc/fs are not
// simulated.
var scratchSystemDirs = []string{"usr", "lib", "sbin"}

// The sim keeps the scratch root as a plain directory, <zonepath>/lu,
// made by "zoneadm mount" and removed by "zoneadm unmount" (so what was
// written there is gone, as with zoneadmd's tmpfs), and makes the lofs
// mounts in a private mount namespace of each zlogin session
// (scratchExecMain), so that no mount outlives the session on the host.
// /tmp is the scratch root's own directory; /var/run gets a tmpfs per
// session (build_mounted_post_var() scr_tmpdirs[]: a tmpfs each, for
// the whole mount).

// makeScratch creates the scratch root of a mounted zone at the real
// directory lu: the directories, the /bin link and the device nodes of
// the zone's /dev (zoneadmd mounts the zone's /dev there,
// mount_one_dev()). A scratch root left by an earlier mount is replaced.
func makeScratch(lu string) error {
	if err := os.RemoveAll(lu); err != nil {
		return fmt.Errorf("cannot create %s: %w", lu, err)
	}
	if err := os.Mkdir(lu, 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %w", lu, err)
	}
	if err := os.Symlink("./usr/bin", filepath.Join(lu, "bin")); err != nil {
		return fmt.Errorf("cannot create %s/bin: %w", lu, err)
	}
	dirs := append(append(append([]string{}, scratchDirs...), scratchZoneDirs...), scratchSystemDirs...)
	for _, d := range dirs {
		if err := os.Mkdir(filepath.Join(lu, d), 0o755); err != nil {
			return fmt.Errorf("cannot create %s: %w", filepath.Join(lu, d), err)
		}
	}
	if err := os.Chmod(filepath.Join(lu, "tmp"), 0o1777); err != nil {
		return fmt.Errorf("cannot chmod %s: %w", filepath.Join(lu, "tmp"), err)
	}
	return makeDevices(lu)
}

// removeScratch is the scratch root's end at unmount (or halt): its
// mounts taken down and <zonepath>/lu removed (illumos-gate
// usr/src/cmd/zoneadmd/vplat.c vplat_teardown(), unmount_filesystems()).
func removeScratch(lu string) {
	os.RemoveAll(lu)
}

// scratchExecName is the name zlogin starts the sim binary under, on the
// host, for a session in a mounted zone: it makes the scratch zone's
// mounts in the session's own mount namespace, enters the scratch root
// and continues as zoneExecName there.
const scratchExecName = "illumos-sim-scratch-exec"

// scratchExecMain is "illumos-sim-scratch-exec ZONEROOT LU ARGS...",
// run in a new mount namespace: the zone's root on LU/a, its /etc and
// /var on LU/etc and LU/var, its /usr, /lib and /sbin read-only, a tmpfs
// on /var/run, then chroot to LU and exec of /usr/lib/illumos-sim ARGS
// (zoneExecMain).
func scratchExecMain(inv *core.Invocation) int {
	a := inv.Args
	if len(a) < 3 {
		fmt.Fprintf(inv.Stderr, "%s: bad arguments\n", scratchExecName)
		return 1
	}
	zoneRoot, lu := a[0], a[1]
	fail := func(err error) int {
		fmt.Fprintf(inv.Stderr, "zlogin: %v\n", err)
		return 1
	}
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return fail(fmt.Errorf("make the session's mounts private: %w", err))
	}
	bind := func(src, dst string, ro bool) error {
		if err := syscall.Mount(src, dst, "", syscall.MS_BIND, ""); err != nil {
			return fmt.Errorf("cannot mount %s on %s: %w", dst, src, err)
		}
		if ro {
			if err := syscall.Mount("", dst, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
				return fmt.Errorf("cannot mount %s read-only: %w", dst, err)
			}
		}
		return nil
	}
	if err := bind(zoneRoot, filepath.Join(lu, "a"), false); err != nil {
		return fail(err)
	}
	// The zone's directories are taken only as real directories of its
	// root: a symbolic link there would make the bind reach out of the
	// zone root.
	for _, d := range append(append([]string{}, scratchZoneDirs...), scratchSystemDirs...) {
		src := filepath.Join(zoneRoot, d)
		fi, err := os.Lstat(src)
		if err != nil || !fi.IsDir() {
			return fail(fmt.Errorf("cannot mount /%s: not a directory of the zone root", d))
		}
		ro := d != "etc" && d != "var"
		if err := bind(src, filepath.Join(lu, d), ro); err != nil {
			return fail(err)
		}
	}
	run := filepath.Join(lu, "var/run")
	if fi, err := os.Lstat(run); err != nil {
		if err := os.Mkdir(run, 0o755); err != nil {
			return fail(fmt.Errorf("cannot create %s: %w", run, err))
		}
	} else if !fi.IsDir() {
		return fail(fmt.Errorf("cannot create %s: not a directory", run))
	}
	if err := syscall.Mount("swap", run, "tmpfs", 0, "mode=755"); err != nil {
		return fail(fmt.Errorf("cannot mount swap on /var/run: %w", err))
	}
	if err := syscall.Chroot(lu); err != nil {
		return fail(fmt.Errorf("chroot %s: %w", lu, err))
	}
	if err := os.Chdir("/"); err != nil {
		return fail(err)
	}
	err := syscall.Exec("/usr/lib/illumos-sim", a[2:], os.Environ())
	fmt.Fprintf(inv.Stderr, "zlogin: exec failure: %s\n", errnoText(err))
	return 1
}

// leaveMounted is the ipkg clone hook's "zoneadm -z $ZONENAME mount -f"
// of -X (omniosorg/pkg5 src/brand/ipkg/clone; OpenIndiana/pkg5
// src/brand/clone), after which the script exits without the unmount
// that unconfigure_zone() would run: the new zone enters the kernel as a
// mounted (scratch) zone and stays there. It returns the hook's exit
// status.
func (a *adm) leaveMounted(c *Config) int {
	k, err := ReadKernel(a.root)
	if err != nil {
		fmt.Fprintf(a.errw, "zone '%s': %v\n", a.zone, err)
		return subprocFatal
	}
	stopConfigd(a.zoneRoot(c))
	if err := makeScratch(a.inv.Path(path.Join(c.Zonepath, scratchDir))); err != nil {
		// fatal "$e_badmount"
		fmt.Fprintf(a.errw, "zone '%s': %v\n", a.zone, err)
		fmt.Fprintln(a.errw, "ERROR: Zone mount failed")
		return subprocFatal
	}
	k.Enter(a.zone, "mounted")
	if err := k.Write(a.root); err != nil {
		fmt.Fprintf(a.errw, "zone '%s': %v\n", a.zone, err)
		return subprocFatal
	}
	return subprocOK
}
