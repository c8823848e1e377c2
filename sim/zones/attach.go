package zones

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/pkg"
	"github.com/zonemgr/zonemgr/sim/zfs"
)

// detachedManifest is the file a detach leaves in the zonepath: the zone's
// configuration, read back by "zonecfg create -a" and "attach -n".
const detachedManifest = "SUNWdetached.xml"

// attachUsage is the ipkg brand attach's m_usage (omniosorg/pkg5
// src/brand/ipkg/attach; OpenIndiana/pkg5 src/brand/attach).
const attachUsage = "attach [-a archive] [-d dataset] [-n] [-r zfs-recv] [-u]\n" +
	"\tThe -a archive option specifies a tar file or cpio archive.\n" +
	"\tThe -d dataset option specifies an existing dataset.\n" +
	"\tThe -r zfs-recv option receives the output of a 'zfs send' command\n" +
	"\tof an existing zone root dataset.\n" +
	"\tThe -u option indicates that the software should be updated to match\n" +
	"\tthe current host."

// attachCmd is "zoneadm attach [-F] [-n path] [-U] [brand args]" as
// zoneadm.c attach_func() runs it: getopt() (opterr 0, "?Fn:U") looks for
// -? (help), -F (force: no brand hook), -n (dry run on a manifest) and
// the undocumented -U (turned into the brand's -u, and allowing an
// incomplete zone); -F with -n is refused (exit 1). Unless -n or -?:
// sanity_check() and verify_details() (no zonepath check yet). Every
// argument goes to the brand's attach hook (addoptions(), /bin/sh -c)
// unless -F; a hook failure fails the attach (exit 1, with the attach
// usage for ZONE_SUBPROC_USAGE) and leaves the zone as it was:
// attach_func() never marks the zone incomplete. After the hook,
// validate_zonepath() checks the zonepath ("could not verify zonepath
// ... because of the above errors." and exit 1), SUNWdetached.xml is
// removed and the zone is installed.
func (a *adm) attachCmd() int {
	args := append([]string(nil), a.args...)
	evs, _ := zoneadmGetopt(args, "?Fn:U")
	force, execute, brandHelp, forcedUpdate := false, true, false, false
	manifest, manifestPos := "", -1
	for _, e := range evs {
		switch e.c {
		case '?':
			if e.optopt == '?' {
				a.printSubUsage()
				brandHelp = true
			}
		case 'F':
			force = true
		case 'n':
			execute, manifest = false, e.optarg
			manifestPos = e.word
			if args[e.word] == "-n" || !strings.HasSuffix(args[e.word], e.optarg) || len(args[e.word]) == 2 {
				manifestPos = e.word + 1
			}
		case 'U':
			// "Change the option back to 'u'" in the word it came from.
			args[e.word] = strings.Replace(args[e.word], "U", "u", 1)
			forcedUpdate = true
		}
	}
	if brandHelp {
		force, execute = false, true
	}
	if !execute && force {
		a.zerror("-F and -n flags are mutually exclusive")
		return 1
	}
	c, ok := a.config()
	if !ok {
		return 1
	}
	zone, zonepath := a.zone, c.Zonepath
	if execute {
		if !brandHelp {
			if !a.sanityCheck(false, true, forcedUpdate) {
				return 1
			}
			if !a.verifyDetails(c) {
				return 1
			}
		}
	} else {
		tmp, ok := a.dryrunGetBrand(manifest)
		if !ok {
			return 1
		}
		defer os.Remove(a.inv.Path(tmp))
		if manifestPos >= 0 && manifestPos < len(args) {
			args[manifestPos] = tmp
		}
		zone, zonepath = "-", "-"
		a.zone = "-"
	}
	if !ipkgBrands[c.Brand] {
		a.zerror("brand '%s' cannot be attached on this system.", brandOrNative(c.Brand))
		return 1
	}
	if !force {
		words, ok := a.brandArgs(addoptions(args))
		if !ok {
			return 1
		}
		status := a.ipkgAttach(c, append([]string{zone, zonepath}, words...))
		if status != subprocOK {
			if status == subprocUsage && !brandHelp {
				a.printSubUsage()
			}
			return 1
		}
		if !execute || brandHelp {
			return 0
		}
	}
	if !a.validateZonepath(c.Zonepath) {
		fmt.Fprintf(a.errw, "could not verify zonepath %s because of the above errors.\n", c.Zonepath)
		return 1
	}
	// zonecfg_rm_detached()
	os.Remove(a.inv.Path(path.Join(c.Zonepath, detachedManifest)))
	if err := a.setState(StateInstalled); err != nil {
		a.zerror("could not reset state: %v", err)
		return 1
	}
	return 0
}

// dryrunGetBrand is zoneadm.c dryrun_get_brand(): it copies the manifest
// (path "-" is standard input) to /var/run/zone.<pid>, which the brand
// hook reads instead, and checks that it is a zone configuration.
func (a *adm) dryrunGetBrand(p string) (string, bool) {
	var b []byte
	var err error
	if p == "-" {
		b, err = io.ReadAll(a.inv.Stdin)
	} else {
		b, err = os.ReadFile(a.inv.Path(p))
	}
	if err != nil {
		prefix := ""
		if !strings.HasPrefix(p, "/") {
			// getcwd() [derived: the sim has no working directory of
			// its own; "/" stands for it]
			prefix = "/"
		}
		a.zerror("could not open manifest path %s%s: %s", prefix, p, strerror(err))
		return "", false
	}
	tmp := fmt.Sprintf("/var/run/zone.%d", os.Getpid())
	if err := os.MkdirAll(a.inv.Path("/var/run"), 0o755); err == nil {
		err = os.WriteFile(a.inv.Path(tmp), b, 0o600)
	}
	if err != nil {
		a.zperror("could not save manifest", err)
		return "", false
	}
	if _, err := ParseConfig(b); err != nil {
		// zonecfg_attach_manifest() answers Z_INVALID_DOCUMENT.
		switch {
		case p == "-":
			a.zerror("Input is not a valid XML file")
		case !bytes.HasPrefix(b, []byte("<?xml")):
			a.zerror("%s is not an XML file", p)
		default:
			a.zerror("Cannot attach to an earlier release of the operating system")
		}
		os.Remove(a.inv.Path(tmp))
		return "", false
	}
	return tmp, true
}

// An attachRun is one run of the ipkg brand's attach hook: its output
// and what its EXIT trap (trap_exit()) needs to know.
type attachRun struct {
	a        *adm
	b        *brandLog
	zs       *zfs.State
	exitCode int    // EXIT_CODE
	activeDS string // ACTIVE_DS
	zoneRoot string // ZONEROOT
}

// exit is the script's "exit": its EXIT trap, trap_exit(), runs first and
// exits with EXIT_CODE whatever the exit asked for. On failure, with a
// pre-existing dataset found, it restores the dataset's properties
// (zoned=off, canmount=on, mountpoint=$ZONEROOT) and logs "Result: Attach
// Failed."
func (r *attachRun) exit() int {
	if r.exitCode != subprocOK {
		if r.activeDS != "" {
			for _, kv := range [][2]string{{"zoned", "off"}, {"canmount", "on"}, {"mountpoint", r.zoneRoot}} {
				if err := r.zs.SetProp(r.activeDS, kv[0], kv[1]); err != nil {
					fmt.Fprintln(r.b.stderr, err)
					r.b.errorf("Failed to configure dataset %s: could not set %s.", r.activeDS, kv[0]+"="+kv[1])
				}
			}
		}
		r.b.log("                    Result: Attach Failed.")
	}
	return r.exitCode
}

// fatal is the script's fatal(): error(), then exit.
func (r *attachRun) fatal(format string, args ...any) int {
	r.b.errorf(format, args...)
	return r.exit()
}

// ipkgAttach is the ipkg brand's attach hook (omniosorg/pkg5
// src/brand/ipkg/attach; OpenIndiana/pkg5 src/brand/attach, the same
// steps) on its argv: ZONENAME ZONEPATH and zoneadm's arguments; it
// returns the hook's exit status. Without -a/-d/-r ("-" install media)
// it attaches the dataset already mounted on <zonepath>/root: "Failed to
// locate any dataset mounted at <zonepath>/root.  Attach requires a
// mounted dataset." when there is none. It makes that dataset the zone's
// active boot environment (the zfs set/inherit sequence of the script),
// mounts it on <zonepath>/root if the property changes unmounted it,
// checks the image (sanity_check()), and then, without -u, requires the
// zone's 'entire' incorporation to be the global zone's: "pkg install -n
// <gz entire>" in the zone must exit 4 (nothing to do), otherwise "Packages
// in zone <z> are out of sync with the global zone. To proceed, retry
// with the -u flag." and exit ZONE_SUBPROC_NOTCOMPLETE. With -u it
// installs the global zone's 'entire' in the zone.
// [not simulated: -a/-d/-r, the variant.opensolaris.zone check, the zone's
// fs resources mounted during install_image(), pkg copy-publishers-from
// (the zone's catalog is refreshed from the global zone's for -u only),
// OmniOS's renamed-package list, and a global zone without 'entire']
func (a *adm) ipkgAttach(c *Config, argv []string) int {
	b := a.newBrandLog(filepath.Join(a.inv.Path(c.Zonepath), "log", "zone.log"))
	defer b.close()
	r := &attachRun{a: a, b: b, exitCode: subprocUsage}
	if len(argv) < 2 {
		return r.exit()
	}
	zonename, zonepath := argv[0], argv[1]
	r.zoneRoot = zonepath + "/root"
	opts, _, bad := getopt(argv[2:], "a:d:nr:u")
	noexecute, update := false, false
	for _, o := range opts {
		switch o.opt {
		case 'a', 'd', 'r':
			fmt.Fprintf(a.errw, "illumos-sim: zoneadm attach -%c is not simulated\n", o.opt)
			return subprocFatal
		case 'n':
			noexecute = true
		case 'u':
			update = true
		}
	}
	if bad != 0 {
		brandUsage(b.stderr, "", attachUsage)
		return r.exit()
	}
	if noexecute {
		// "There is no sw validation for IPS right now, so just pretend
		// everything will be ok."
		r.exitCode = subprocOK
		return r.exit()
	}
	logPath, err := b.openLogFile(a, zonename+".attach_log.")
	if err != nil {
		return r.fatal("Unable to create temporary file")
	}
	b.logf("Log File: %s", logPath)
	zs, err := zfs.Open(a.root)
	if err != nil {
		return r.fatal("%v", err)
	}
	r.zs = zs
	// The zfs commands the script runs take effect at once.
	defer func() {
		if err := zs.Save(); err != nil {
			fmt.Fprintln(b.stderr, err)
		}
	}()
	// get_zonepath_ds $pdir; fail_zonepath_in_rootds: their
	// fail_fatal()'s exit goes through the trap, which exits with
	// EXIT_CODE, still ZONE_SUBPROC_USAGE here.
	pds, ok := zs.FilesystemAt(path.Dir(zonepath))
	if !ok {
		return r.fatal("%s", noZonepathDS)
	}
	if strings.HasPrefix(pds, "rpool/ROOT/") {
		return r.fatal("Installing a zone inside of the root pool's 'ROOT' dataset is unsupported.")
	}
	r.exitCode = subprocNotComplete
	// ACTIVE_DS=`mount -p | nawk ... $3 == zroot && $4 == "zfs"`
	active, ok := zs.MountedAt(r.zoneRoot)
	if !ok {
		return r.fatal("Failed to locate any dataset mounted at %s.  Attach requires a mounted dataset.", r.zoneRoot)
	}
	r.activeDS = active
	zpds, ok := zs.FilesystemAt(zonepath)
	if !ok {
		return r.fatal("%s", noZonepathDS)
	}
	if !zs.Exists(zpds + "/ROOT") {
		return r.fatal("no active dataset.")
	}
	configure := func(ds, what string, err error) bool {
		if err != nil {
			fmt.Fprintln(b.stderr, err)
			r.fatal("Failed to configure dataset %s: could not set %s.", ds, what)
			return false
		}
		return true
	}
	rootDS := zpds + "/ROOT"
	for _, kv := range [][2]string{{"zoned", "off"}, {"mountpoint", "legacy"}, {"zoned", "on"}} {
		if !configure(rootDS, kv[0]+"="+kv[1], zs.SetProp(rootDS, kv[0], kv[1])) {
			return r.exitCode
		}
	}
	gzbe := gzBootEnvironment(zs)
	for _, kv := range [][2]string{{propParentBE, gzbe}, {propActive, "on"}, {"canmount", "noauto"}, {"zoned", "off"}} {
		if !configure(active, kv[0]+"="+kv[1], zs.SetProp(active, kv[0], kv[1])) {
			return r.exitCode
		}
	}
	for _, p := range []string{"mountpoint", "zoned"} {
		if !configure(active, "'inherit "+p+"'", zs.Inherit(active, p, false)) {
			return r.exitCode
		}
	}
	if _, mounted := zs.MountedAt(r.zoneRoot); !mounted {
		// mount -F zfs $ACTIVE_DS $ZONEROOT || fatal "$f_zfs_mount"
		if err := zs.MountLegacy(active, r.zoneRoot); err != nil {
			fmt.Fprintln(b.stderr, err)
			return r.fatal("Unable to mount the zone's ZFS dataset.")
		}
	}
	b.logf("               Attach Path: %s", r.zoneRoot)
	b.logf("        Attach ZFS Dataset: %s\n", active)
	// install_image "directory" "-": the zonepath is prepopulated.
	b.log("                Installing: Using pre-existing data in zonepath")
	if err := os.Chmod(a.inv.Path(zonepath), 0o700); err != nil {
		fmt.Fprintln(b.stderr, err)
	}
	if code, ok := r.sanityCheck(); !ok {
		return code
	}
	hostRoot := a.inv.Path(r.zoneRoot)
	gzEntire, _, err := pkg.InstalledFMRI(a.root, "entire")
	if err != nil {
		return r.fatal("%v", err)
	}
	ngzEntire, _, _ := pkg.InstalledFMRI(hostRoot, "entire")
	if gzEntire != "" {
		b.logf("       Global zone version: %s", gzEntire)
	}
	if ngzEntire != "" {
		b.logf("   Non-Global zone version: %s", ngzEntire)
	}
	if fi, err := os.Stat(a.inv.Path("/var/pkg/pkg5.image")); err == nil && fi.Mode().IsRegular() {
		if fi, err := os.Stat(a.inv.Path("/var/pkg/publisher")); err == nil && fi.IsDir() {
			b.log("                     Cache: Using /var/pkg/publisher.")
		}
	}
	b.log("  Updating non-global zone: Output follows")
	needUpdate := fmt.Sprintf("\n                Evaluation: Packages in zone %s are out of sync with the global zone. To proceed, retry with the -u flag.", zonename)
	if gzEntire == "" && ngzEntire != "" {
		if !update {
			b.log(needUpdate)
			return r.exit()
		}
		b.log("Uninstalling entire from NGZ to allow update.")
		if st := r.pkg(hostRoot, zonename, "uninstall", "entire"); st != 0 && st != 4 {
			return r.fatal("Could not update attaching zone")
		}
	}
	incorp := pkgVersionPattern(gzEntire)
	if !update {
		st := r.pkg(hostRoot, zonename, append([]string{"-v", "install", "--accept", "--no-refresh", "-n"}, incorp...)...)
		if st == 4 {
			b.log("\n                    Result: Attach Succeeded.")
			r.exitCode = subprocOK
			return r.exit()
		}
		b.log(needUpdate)
		return r.exit()
	}
	// pkg copy-publishers-from $GZ_IMAGE [derived: the sim refreshes
	// the zone's catalog from the global zone's]
	if err := pkg.SyncCatalog(a.root, hostRoot); err != nil {
		fmt.Fprintln(b.stderr, err)
	}
	if gzEntire != "" && ngzEntire == "" {
		if st := r.pkg(hostRoot, zonename, "-v", "install", "--accept", "--no-refresh", "entire"); st != 0 && st != 4 {
			return r.fatal("Could not update attaching zone")
		}
	}
	if st := r.pkg(hostRoot, zonename, append([]string{"-v", "install", "--accept", "--no-refresh"}, incorp...)...); st != 0 && st != 4 {
		return r.fatal("Could not update attaching zone")
	}
	b.log("\n  Updating non-global zone: Zone updated.")
	b.log("                    Result: Attach Succeeded.")
	r.exitCode = subprocOK
	return r.exit()
}

// pkgVersionPattern turns get_pkg_fmri()'s "entire@<version>:<timestamp>"
// into the list of incorporations the script installs. [derived: the
// sim's pkg does not parse the ":<timestamp>" part of an FMRI pattern, so
// it is dropped; the version alone selects the same package]
func pkgVersionPattern(fmri string) []string {
	if fmri == "" {
		return nil
	}
	name, ver, _ := strings.Cut(fmri, "@")
	ver, _, _ = strings.Cut(ver, ":")
	return []string{name + "@" + ver}
}

// pkg is the script's lc_pkg on the zone's image (PKG_IMAGE=$ZONEROOT):
// "-v" only logs "PKG: <args>" on stderr; pkg's output goes to the
// script's stdout and stderr. It returns pkg's exit status.
func (r *attachRun) pkg(hostRoot, zone string, args ...string) int {
	if len(args) > 0 && args[0] == "-v" {
		args = args[1:]
		fmt.Fprintf(r.b.stderr, "PKG: %s\n", strings.Join(args, " "))
	}
	inv := &core.Invocation{Root: hostRoot, Args: args, Stdin: strings.NewReader(""),
		Stdout: r.b.stdout, Stderr: r.b.stderr, Zone: zone}
	// The sim's pkg takes its image lock in a file of the image only when
	// run inside a zone; run from the global zone, as here, it takes the
	// sim's state lock (which zoneadm holds), so the lock file it leaves
	// is removed again.
	lock := filepath.Join(hostRoot, "var/pkg/lock")
	_, err := os.Lstat(lock)
	hadLock := err == nil
	code := pkg.Main(inv)
	if !hadLock {
		os.Remove(lock)
	}
	return code
}

// sanityCheck is the ipkg brand's sanity_check() of the zone root after
// install_image(): etc, etc/svc, var and var/svc must exist and
// usr/bin/pkg must be executable; a failure logs what is missing and is
// fatal ("Result: *** Installation FAILED ***").
func (r *attachRun) sanityCheck() (int, bool) {
	dir := r.zoneRoot
	host := r.a.inv.Path(dir)
	missing := false
	for _, x := range []string{"etc", "etc/svc", "var", "var/svc"} {
		if _, err := os.Lstat(filepath.Join(host, x)); err != nil {
			r.b.logf("Missing %s at %s", x, dir)
			missing = true
		}
	}
	if missing {
		r.b.log("Is this a sparse zone image?  The image must be whole-root.")
		r.b.log("  Sanity Check: FAILED (see log for details).")
		return r.fatal("        Result: *** Installation FAILED ***"), false
	}
	if fi, err := os.Stat(filepath.Join(host, "usr/bin/pkg")); err != nil || fi.Mode()&0o111 == 0 {
		r.b.logf("Missing %s at %s", "usr/bin/pkg", dir)
		r.b.log("  Sanity Check: FAILED (see log for details).")
		return r.fatal("        Result: *** Installation FAILED ***"), false
	}
	return 0, true
}

// detachCmd is "zoneadm detach [-n]": the zone leaves its configuration
// in SUNWdetached.xml in the zonepath, its root is unmounted and it goes
// back to configured. -n prints the manifest instead and changes nothing.
func (a *adm) detachCmd() int {
	opts, optind, bad := getopt(a.args, "?n")
	if bad != 0 || optind != len(a.args) {
		return a.subUsage(bad)
	}
	dryRun := len(opts) > 0
	if !a.sanityCheck(false, true, false) {
		return 1
	}
	if a.status.State < StateInstalled {
		a.zerror("must be %s before %s.", StateString(StateInstalled), a.cmd)
		return 1
	}
	c, ok := a.config()
	if !ok {
		return 1
	}
	if dryRun {
		a.out.Write(c.XML())
		return 0
	}
	// detach_func(): verify_details() when executing.
	if !a.verifyDetails(c) {
		return 1
	}
	// The ipkg brand's detach (omniosorg/pkg5 src/brand/ipkg/detach;
	// OpenIndiana/pkg5 src/brand/detach): the active boot environment
	// leaves the zone's control and stays mounted where it is, now by
	// its own properties: zoned=off, canmount=on,
	// mountpoint=<zonepath>/root. var/pkg/linked goes, and the zone's
	// configuration is copied to SUNWdetached.xml.
	b := a.newBrandLog(filepath.Join(a.inv.Path(c.Zonepath), "log", "zone.log"))
	defer b.close()
	zs, err := zfs.Open(a.root)
	if err != nil {
		a.zerror("%v", err)
		return 1
	}
	zpds, ok := zs.FilesystemAt(c.Zonepath)
	if !ok {
		b.error(noZonepathDS)
		return 1
	}
	be := activeBE(zs, zpds)
	if be == "" {
		b.error("no active dataset.")
		return 1
	}
	for _, kv := range [][2]string{{"zoned", "off"}, {"canmount", "on"}, {"mountpoint", path.Join(c.Zonepath, "root")}} {
		if err := zs.SetProp(be, kv[0], kv[1]); err != nil {
			// fail_incomplete()
			fmt.Fprintln(a.errw, err)
			fmt.Fprintf(a.errw, "ERROR: Failed to configure dataset %s: could not set %s.\n", be, kv[0]+"="+kv[1])
			zs.Save()
			return 1
		}
	}
	if err := zs.Save(); err != nil {
		a.zerror("%v", err)
		return 1
	}
	os.RemoveAll(a.inv.Path(path.Join(c.Zonepath, "root/var/pkg/linked")))
	if err := os.WriteFile(a.inv.Path(path.Join(c.Zonepath, detachedManifest)), c.XML(), 0o644); err != nil {
		fmt.Fprintf(a.errw, "cp: cannot create %s: %s\n", path.Join(c.Zonepath, detachedManifest), strerror(err))
		return 1
	}
	if err := a.setState(StateConfigured); err != nil {
		a.zerror("could not set state: %v", err)
		return 1
	}
	return 0
}
