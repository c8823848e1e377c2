package zones

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/zonemgr/zonemgr/sim/rbac"
	"github.com/zonemgr/zonemgr/sim/zfs"
)

// cloneUsage is the ipkg brand clone's m_usage (omniosorg/pkg5
// src/brand/ipkg/clone; OpenIndiana/pkg5 src/brand/clone).
const cloneUsage = "clone {sourcezone}"

// cloneCmd is "zoneadm -z TARGET clone [-m method] [-s snapshot] [brand
// args] SOURCE" as zoneadm.c clone_func() runs it: getopt() (opterr 0,
// "?m:s:") only looks for -?, then exactly one operand must remain (else
// the clone usage, exit 2). Unless -? was given: sanity_check(),
// verify_details(), the source zone's checks and validate_clone(). Every
// argument then goes to the brand's clone hook (addoptions(), through
// /bin/sh -c), and the zone is set incomplete before the hook runs: a
// hook that fails leaves it incomplete (there is no clean-up for clone),
// one that exits ZONE_SUBPROC_USAGE also gets the clone usage printed.
func (a *adm) cloneCmd() int {
	evs, optind := zoneadmGetopt(a.args, "?m:s:")
	brandHelp := false
	for _, e := range evs {
		if e.c == '?' && e.optopt == '?' {
			a.printSubUsage()
			brandHelp = true
		}
	}
	if len(a.args) != optind+1 {
		a.printSubUsage()
		return 2
	}
	src := a.args[optind]
	c, ok := a.config()
	if !ok {
		return 1
	}
	if !brandHelp {
		if code, ok := a.cloneChecks(c, src); !ok {
			return code
		}
		if err := a.setState(StateIncomplete); err != nil {
			a.zerror("could not set state: %v", err)
			return 1
		}
	}
	words, ok := a.brandArgs(addoptions(a.args))
	if !ok {
		return 1
	}
	argv := append([]string{"-z", a.zone, "-R", c.Zonepath}, words...)
	status := a.ipkgClone(c, argv)
	if status != subprocOK {
		if status == subprocUsage && !brandHelp {
			a.printSubUsage()
		}
		return 1
	}
	if brandHelp {
		return 0
	}
	if err := a.setState(StateInstalled); err != nil {
		a.zerror("could not set state: %v", err)
		return 1
	}
	return 0
}

// cloneChecks are clone_func()'s checks before the hook runs, with their
// exit code on failure (illumos-gate usr/src/cmd/zoneadm/zoneadm.c
// clone_func(), in its order: sanity_check(), verify_details(), the
// global and SUNW names, auth_check(), lookup_running_zone(), the
// installed state, validate_clone()).
func (a *adm) cloneChecks(c *Config, src string) (int, bool) {
	if !a.sanityCheck(false, true, false) {
		return 1, false
	}
	if !a.verifyDetails(c) {
		return 1, false
	}
	if src == "global" {
		a.zerror("clone operation is invalid for the global zone.")
		return 1, false
	}
	if strings.HasPrefix(src, "SUNW") {
		a.zerror("clone operation is invalid for zones starting with SUNW.")
		return 1, false
	}
	// auth_check(username, source_zone, SOURCE_ZONE) comes before the
	// source zone's state is looked at.
	if !rbac.HasAuth(a.inv, "solaris.zone.clonefrom/"+src) {
		a.zerror("clone operation is invalid because user is not authorized to read source zone.")
		return 1, false
	}
	srcSt, ok, err := zoneStatus(a.root, src)
	if err != nil {
		a.zerror("%v", err)
		return 1, false
	}
	if !ok {
		fmt.Fprintf(a.errw, "zoneadm: %s: could not get state: %s\n", src, zStrerror[zNoZone])
		return 1, false
	}
	if srcSt.Kernel != nil {
		a.zerror("clone operation is invalid for %s zones.", StateString(srcSt.State))
		return 1, false
	}
	if srcSt.State != StateInstalled {
		fmt.Fprintf(a.errw, "zoneadm: zone %s is %s; %s is required.\n", src, StateString(srcSt.State), StateString(StateInstalled))
		return 1, false
	}
	srcCfg, err := LoadConfig(a.root, src)
	if err != nil {
		a.zerror("could not get zone configuration: %v", err)
		return 1, false
	}
	// validate_clone(): valid_brand_clone(), then warn_fs_match(),
	// warn_ip_match(), warn_dev_match() and warn_dataset_match().
	if c.Brand != srcCfg.Brand {
		fmt.Fprintf(a.errw, "zoneadm: Zones '%s' and '%s' have different brand types.\n", src, a.zone)
		return 1, false
	}
	a.cloneWarnings(src, srcCfg, c)
	// [unconfirmed: no illumos source has this text; it is the sim's
	// refusal of a brand whose clone hook it does not simulate, where
	// illumos would run that brand's hook.]
	if !ipkgBrands[c.Brand] {
		a.zerror("brand '%s' cannot be cloned on this system.", brandOrNative(c.Brand))
		return 1, false
	}
	return 0, true
}

// cloneWarnings prints validate_clone()'s warnings about what the clone
// c and its source src (configured as sc) both configure, and the clone
// goes on (illumos-gate usr/src/cmd/zoneadm/zoneadm.c warn_fs_match(),
// print_fs_warnings(), warn_ip_match(), warn_dev_match(),
// warn_dataset_match()). Each loop is over the clone's resources, and
// stops at the first of the source's that matches.
func (a *adm) cloneWarnings(src string, sc, c *Config) {
	for _, t := range c.FS {
		for _, sf := range sc.FS {
			if t.Special == sf.Special {
				a.fsWarning(sf, t)
				break
			}
		}
	}
	for _, t := range c.Net {
		// The optional netmask is removed; a source net without an
		// address (exclusive-IP) is skipped.
		ta, _, _ := strings.Cut(t.Address, "/")
		for _, sn := range sc.Net {
			sa, _, _ := strings.Cut(sn.Address, "/")
			if sa == "" {
				continue
			}
			if ta == sa {
				fmt.Fprintf(a.errw, "WARNING: network address '%s' is configured in both zones.\n", ta)
				break
			}
		}
	}
	for _, t := range c.Device {
		for _, sd := range sc.Device {
			if fnmatchPathname(t.Match, sd.Match) || fnmatchPathname(sd.Match, t.Match) {
				fmt.Fprintf(a.errw, "WARNING: device '%s' is configured in both zones.\n", t.Match)
				break
			}
		}
	}
	for _, t := range c.Dataset {
		for _, sd := range sc.Dataset {
			if t.Name == sd.Name {
				// warn_dataset_match() sets the global target_zone to
				// the source before zerror(), and never back: every
				// later message of this zoneadm names the source zone,
				// and the text ends in two newlines (its own and
				// zerror's).
				a.named = src
				a.zerror("WARNING: dataset '%s' is configured in both zones.\n", t.Name)
				break
			}
		}
	}
}

// fsWarning is print_fs_warnings() for a filesystem the source (s) and
// the clone (t) both mount from the same special: a lofs mount is
// reported only when either is read-write (no options means rw, and each
// option string is split at commas, as opt_match() does); any other type
// always.
func (a *adm) fsWarning(s, t FS) {
	const rwLofs = "WARNING: read-write lofs file system on '%s' is configured in both zones.\n"
	if t.Type != "lofs" {
		fmt.Fprintf(a.errw, "WARNING: %s file system on '%s' is configured in both zones.\n", t.Type, t.Special)
		return
	}
	hasRW := func(opts []string) bool {
		for _, o := range opts {
			if slices.Contains(strings.Split(o, ","), "rw") {
				return true
			}
		}
		return false
	}
	switch {
	case len(t.Options) == 0 || len(s.Options) == 0:
		fmt.Fprintf(a.errw, rwLofs, t.Special)
	case hasRW(s.Options):
		fmt.Fprintf(a.errw, rwLofs, s.Special)
	case hasRW(t.Options):
		fmt.Fprintf(a.errw, rwLofs, t.Special)
	}
}

// noZonepathDS is the brand scripts' f_no_ds, printed by
// get_zonepath_ds() (omniosorg/pkg5 src/brand/ipkg/common.ksh).
const noZonepathDS = "the zonepath must be a ZFS dataset.\n" +
	"The parent directory of the zonepath must be a ZFS dataset so that the\n" +
	"zonepath ZFS dataset can be created properly."

// ipkgClone is the ipkg brand's clone hook (omniosorg/pkg5
// src/brand/ipkg/clone; OpenIndiana/pkg5 src/brand/clone, the same
// logic) on its argv ("-z T -R ZP" and zoneadm's arguments); it returns
// the hook's exit status. Its error()s go where the flavour sends them
// (brandLog); the zfs commands it runs without redirection print their
// own errors on its stderr.
func (a *adm) ipkgClone(c *Config, argv []string) int {
	b := a.newBrandLog(filepath.Join(a.inv.Path(c.Zonepath), "log", "zone.log"))
	defer b.close()
	opts, optind, bad := getopt(argv, "R:s:Xz:")
	rest := argv[optind:]
	zonepath, zonename, snapArg, noUnconfig := "", "", "", false
	for _, o := range opts {
		switch o.opt {
		case 'R':
			zonepath = o.arg
		case 's':
			snapArg = o.arg
		case 'X':
			noUnconfig = true
		case 'z':
			zonename = o.arg
		}
	}
	if bad != 0 || len(rest) != 1 {
		return brandUsage(b.stderr, "", cloneUsage)
	}
	src := rest[0]
	srcCfg, err := LoadConfig(a.root, src)
	if err != nil {
		// sourcezonepath is empty: zoneadm list -p knows no such zone.
		b.error("Error: unable to determine source zone dataset.")
		return subprocFatal
	}
	zs, err := zfs.Open(a.root)
	if err != nil {
		b.error(err.Error())
		return subprocFatal
	}
	// Each zfs command the hook runs takes effect at once.
	defer func() {
		if err := zs.Save(); err != nil {
			fmt.Fprintln(b.stderr, err)
		}
	}()
	gzbe := gzBootEnvironment(zs)
	fatal := func(msg string) int {
		b.error(msg)
		return subprocFatal
	}
	badSource := "Error: specified snapshot is invalid for this source zone."
	// -s: "ds@snap" (either part may be empty), "ds" (a dataset to
	// snapshot) or "snap" (a snapshot of the source's active ZBE).
	snapName, requested := "", ""
	switch {
	case strings.Contains(snapArg, "@"):
		requested, snapName, _ = strings.Cut(snapArg, "@")
	case strings.Contains(snapArg, "/"):
		requested = snapArg
	default:
		snapName = snapArg
	}
	activeDS := ""
	if requested == "" {
		srcDS, ok := zs.FilesystemAt(srcCfg.Zonepath)
		if !ok {
			return fatal(noZonepathDS)
		}
		// get_active_ds(): the ROOT/<x> with parentbe == the GZ BE and
		// active == on.
		var active []string
		for _, be := range zs.Children(srcDS + "/ROOT") {
			pbe, _, _ := zs.GetProp(be, propParentBE)
			act, _, _ := zs.GetProp(be, propActive)
			if pbe == gzbe && act == "on" {
				active = append(active, be)
			}
		}
		switch len(active) {
		case 0:
			return fatal("no active dataset.")
		case 1:
			activeDS = active[0]
		default:
			return fatal("multiple active datasets.")
		}
	} else {
		// egrep '^.*/'"$sourcezone"'/ROOT/[^/]+$' [derived: the zone
		// name is matched literally]
		re := regexp.MustCompile(`^.*/` + regexp.QuoteMeta(src) + `/ROOT/[^/]+$`)
		if !re.MatchString(requested) {
			return fatal(badSource)
		}
		// zfs list -H -o <libbe props> "$REQUESTED_DS" > /dev/null
		if _, _, err := zs.GetProp(requested, propParentBE); err != nil {
			fmt.Fprintln(b.stderr, err)
			return fatal(badSource)
		}
		activeDS = requested
	}
	if snapName != "" {
		// zfs list -H "$ACTIVE_DS@$SNAPNAME" > /dev/null
		if snap := activeDS + "@" + snapName; !zs.Exists(snap) {
			fmt.Fprintf(b.stderr, "cannot open '%s': dataset does not exist\n", snap)
			return fatal(badSource)
		}
	}
	pds, ok := zs.FilesystemAt(path.Dir(zonepath))
	if !ok {
		return fatal(noZonepathDS)
	}
	// fail_zonepath_in_rootds()
	if strings.HasPrefix(pds, "rpool/ROOT/") {
		return fatal("Installing a zone inside of the root pool's 'ROOT' dataset is unsupported.")
	}
	zpds := pds + "/" + path.Base(zonepath)
	// Errors of these two are tolerated (and printed).
	if err := zs.Create(zpds, nil, false); err != nil {
		fmt.Fprintln(b.stderr, err)
	}
	if err := zs.Create(zpds+"/ROOT", map[string]string{"mountpoint": "legacy", "zoned": "on"}, false); err != nil {
		fmt.Fprintln(b.stderr, err)
	}
	createFailed := "Unable to create the zone's ZFS dataset."
	if snapName == "" {
		snapName = zonename + "_snap"
		for n := 0; ; n++ {
			if n >= 100 {
				return fatal(createFailed)
			}
			if n > 0 {
				snapName = zonename + "_snap" + strconv.Itoa(n)
			}
			err := zs.Snapshot([]string{activeDS + "@" + snapName}, false, nil)
			if err == nil {
				break
			}
			fmt.Fprintln(b.stderr, err)
		}
	}
	zbe := ""
	for n := 0; ; n++ {
		if n >= 100 {
			return fatal(createFailed)
		}
		zbe = zpds + "/ROOT/zbe"
		if n > 0 {
			zbe += "-" + strconv.Itoa(n)
		}
		err := zs.Clone(activeDS+"@"+snapName, zbe, nil, false)
		if err == nil {
			break
		}
		fmt.Fprintln(b.stderr, err)
	}
	// The clone has taken effect: a hook killed now (zoneadm's own
	// process ignores the signal in do_subproc(), the ksh script and its
	// zfs commands do not) leaves the boot environment without the
	// properties below, which the brand's uninstall then does not
	// count as the zone's (uninstall.go). A fail spec "zoneadm
	// clone-hook" stops the hook here.
	if err := zs.Save(); err != nil {
		return fatal(err.Error())
	}
	if code, injected := a.inv.Checkpoint("clone-hook"); injected {
		return code
	}
	for _, kv := range [][2]string{{propActive, "on"}, {propParentBE, gzbe}, {"canmount", "noauto"}} {
		if err := zs.SetProp(zbe, kv[0], kv[1]); err != nil {
			// fail_incomplete()
			fmt.Fprintln(b.stderr, err)
			fmt.Fprintf(b.stderr, "ERROR: %s\n", createFailed)
			return subprocNotComplete
		}
	}
	if err := os.MkdirAll(a.inv.Path(path.Join(zonepath, "root")), 0o755); err != nil {
		return fatal(err.Error())
	}
	if err := os.Chmod(a.inv.Path(zonepath), 0o700); err != nil {
		return fatal(err.Error())
	}
	if err := zs.MountLegacy(zbe, path.Join(zonepath, "root")); err != nil {
		return fatal("Unable to mount the zone's ZFS dataset.")
	}
	if noUnconfig {
		// -X: "zoneadm -z $ZONENAME mount -f", and the script exits
		// without unmounting: the clone is left mounted (in its
		// scratch zone) once zoneadm has marked it installed.
		return a.leaveMounted(c)
	}
	// unconfigure_zone() (omniosorg/pkg5 src/brand/ipkg/common.ksh,
	// OpenIndiana/pkg5 src/brand/common.ksh; e_unconfig and e_exitfail
	// are the two messages below): mount -f, system-unconfigure -R /a in the
	// scratch zone (unconfigure.go), unmount; the unmount's poststate
	// hook (mount_active_ds()) leaves the new boot environment mounted
	// on <zonepath>/root. A failing script is reported (its own output
	// goes to /dev/null) and fatal.
	if err := systemUnconfigure(a.inv.Path(path.Join(zonepath, "root")), a.inv.Flavor()); err != nil {
		b.error("Zone unconfiguration failed")
		b.error("Postprocessing failed.")
		return subprocFatal
	}
	return subprocOK
}
