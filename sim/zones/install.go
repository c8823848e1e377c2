package zones

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/zonemgr/zonemgr/sim/pkg"
	"github.com/zonemgr/zonemgr/sim/rbac"
	"github.com/zonemgr/zonemgr/sim/zfs"
)

// ipkgBrands are the brands whose install and clone the sim carries out
// (the ipkg brand scripts of OmniOS's and OpenIndiana's pkg5).
var ipkgBrands = map[string]bool{"ipkg": true, "lipkg": true, "nlipkg": true}

// Properties of a zone boot environment (illumos-commands.md §4.4).
const (
	propActive   = "org.opensolaris.libbe:active"
	propParentBE = "org.opensolaris.libbe:parentbe"
	propBEUUID   = "org.opensolaris.libbe:uuid"
)

// basePackages are what pkgcreatezone installs into every zone before
// the -e extras.
var basePackages = []string{"SUNWcs", "entire", "package/pkg", "shell/bash", "system/library"}

// gzPublishers are the publishers a zone image gets without -P: those of
// the simulated global zone's image (pkg.Init).
var gzPublishers = []pkg.Publisher{{Name: "openindiana.org", Origins: []string{"http://pkg.openindiana.org/hipster"}}}

// A zoneError is a brand-script failure: its message goes to stderr and
// configured says whether the zone goes back to configured (the script's
// ZONE_SUBPROC_NOTCOMPLETE) instead of staying incomplete.
type zoneError struct {
	msg        string
	configured bool
}

func (e *zoneError) Error() string { return e.msg }

// gzBootEnvironment returns the uuid of the global zone's active boot
// environment, the one mounted on "/" ("opensolaris" without one, as the
// brand scripts fall back when beadm has nothing).
func gzBootEnvironment(zs *zfs.State) string {
	if be, ok := zs.FilesystemAt("/"); ok {
		if v, _, err := zs.GetProp(be, propBEUUID); err == nil && v != "" && v != "-" {
			return v
		}
	}
	return "opensolaris"
}

// installCmd is "zoneadm install [-e pkg]... [-P publisher=origin]...".
func (a *adm) installCmd() int {
	opts, optind, bad := getopt(a.args, "?x:a:c:d:e:hk:P:p:suv")
	if bad != 0 || optind != len(a.args) {
		return a.subUsage(bad)
	}
	var extra []string
	var pubs []pkg.Publisher
	silent := false
	archive := ""
	for _, o := range opts {
		switch o.opt {
		case 'e':
			extra = append(extra, o.arg)
		case 'P':
			name, origin, ok := strings.Cut(o.arg, "=")
			if !ok || name == "" || origin == "" {
				fmt.Fprintf(a.errw, "ERROR: invalid publisher specification: %s\n", o.arg)
				return 1
			}
			pubs = append(pubs, pkg.Publisher{Name: name, Origins: []string{origin}})
		case 's':
			silent = true
		case 'h':
			return a.subUsage('?')
		case 'a':
			archive = o.arg
		}
	}
	if !a.sanityCheck(false, true, false) {
		return 1
	}
	c, ok := a.config()
	if !ok {
		return 1
	}
	if !ipkgBrands[c.Brand] {
		a.zerror("brand '%s' cannot be installed on this system.", brandOrNative(c.Brand))
		return 1
	}
	if err := a.setState(StateIncomplete); err != nil {
		a.zerror("could not set state: %v", err)
		return 1
	}
	start := time.Now()
	var out string
	var err error
	if archive != "" {
		out, err = a.installArchive(c, archive)
	} else {
		out, err = a.install(c, extra, pubs)
	}
	if !silent {
		fmt.Fprint(a.out, out)
	}
	if err != nil {
		fmt.Fprintf(a.errw, "%v\n", err)
		var ze *zoneError
		if errors.As(err, &ze) && ze.configured {
			a.setState(StateConfigured)
		}
		return 1
	}
	if !silent {
		fmt.Fprintf(a.out, "        Done: Installation completed in %d seconds.\n\n", int(time.Since(start).Seconds()))
		fmt.Fprint(a.out, "  Next Steps: Boot the zone, then log into the zone console (zlogin -C)\n\n"+
			"              to complete the configuration process.\n\n")
	}
	if err := a.setState(StateInstalled); err != nil {
		a.zerror("could not set state: %v", err)
		return 1
	}
	return 0
}

// install lays out the zone's datasets (illumos-commands.md §4.1, §4.4)
// and populates its root; it returns the brand output printed so far.
// The texts are pkgcreatezone's, shortened [derived].
func (a *adm) install(c *Config, extra []string, pubs []pkg.Publisher) (string, error) {
	var out strings.Builder
	zs, err := zfs.Open(a.root)
	if err != nil {
		return "", err
	}
	zpds, created, err := createZonepathDataset(zs, c)
	if err != nil {
		return "", err
	}
	if created {
		out.WriteString("A ZFS file system has been created for this zone.\n")
	}
	if err := os.Chmod(a.inv.Path(c.Zonepath), 0o700); err != nil {
		return out.String(), fmt.Errorf("ERROR: cannot set the mode of %s: %s", c.Zonepath, strerror(err))
	}
	zbe, err := createBootEnvironment(zs, zpds, gzBootEnvironment(zs))
	if err != nil {
		return out.String(), err
	}
	rootPath := path.Join(c.Zonepath, "root")
	if err := zs.MountLegacy(zbe, rootPath); err != nil {
		return out.String(), fmt.Errorf("ERROR: cannot mount %s on %s: %v", zbe, rootPath, err)
	}
	if err := zs.Save(); err != nil {
		return out.String(), err
	}
	out.WriteString("Sanity Check: Looking for 'entire' incorporation.\n")
	fmt.Fprintf(&out, "       Image: Preparing at %s.\n", rootPath)
	out.WriteString("       Cache: Using /var/pkg/publisher.\n")
	if err := populateRoot(a.zoneRoot(c), c.Name); err != nil {
		return out.String(), fmt.Errorf("ERROR: %v", err)
	}
	out.WriteString("  Installing: Packages (output follows)\n")
	if len(pubs) == 0 {
		pubs = gzPublishers
	}
	for _, p := range pubs {
		fmt.Fprintf(&out, "   Publisher: Using %s (%s).\n", p.Name, strings.Join(p.Origins, ", "))
	}
	pkgs := append(append([]string(nil), basePackages...), extra...)
	if err := pkg.InstallBase(a.root, a.zoneRoot(c), pkgs, pubs); err != nil {
		return out.String(), fmt.Errorf("ERROR: package installation failed: %v", err)
	}
	out.WriteString(" Postinstall: Copying SMF seed repository ... done.\n")
	return out.String(), nil
}

// createZonepathDataset finds or creates the zonepath's dataset
// <pds>/<zone>, where pds is the filesystem mounted on the zonepath's
// parent directory (create_zfs_zonepath()).
func createZonepathDataset(zs *zfs.State, c *Config) (zpds string, created bool, err error) {
	if ds, ok := zs.FilesystemAt(c.Zonepath); ok {
		return ds, false, nil
	}
	pds, ok := zs.FilesystemAt(path.Dir(c.Zonepath))
	if !ok {
		return "", false, &zoneError{configured: true, msg: "ERROR: the zonepath must be a ZFS dataset.\n" +
			"The parent directory of the zonepath must be a ZFS dataset so that the\n" +
			"zonepath ZFS dataset can be created properly."}
	}
	if strings.HasPrefix(pds, strings.SplitN(pds, "/", 2)[0]+"/ROOT/") || strings.HasSuffix(pds, "/ROOT") {
		return "", false, &zoneError{configured: true, msg: "Installing a zone inside of the root pool's 'ROOT' dataset is unsupported."}
	}
	zpds = pds + "/" + path.Base(c.Zonepath)
	if err := zs.Create(zpds, map[string]string{"sharenfs": "off", "sharesmb": "off"}, false); err != nil {
		return "", false, err
	}
	return zpds, true, nil
}

// createBootEnvironment creates <zpds>/ROOT and the boot environment
// <zpds>/ROOT/zbe with the ipkg brand's properties.
func createBootEnvironment(zs *zfs.State, zpds, gzbe string) (string, error) {
	rootDS := zpds + "/ROOT"
	if !zs.Exists(rootDS) {
		if err := zs.Create(rootDS, map[string]string{"mountpoint": "legacy", "zoned": "on"}, false); err != nil {
			return "", err
		}
	}
	zbe := rootDS + "/zbe"
	for i := 1; zs.Exists(zbe) && i < 100; i++ {
		zbe = rootDS + "/zbe-" + strconv.Itoa(i)
	}
	props := map[string]string{"canmount": "noauto", propActive: "on", propParentBE: gzbe}
	if err := zs.Create(zbe, props, false); err != nil {
		return "", err
	}
	return zbe, nil
}

// uninstallCmd is "zoneadm uninstall [-F]": the brand's uninstall.ksh
// (§4.5) destroys each zone dataset and then tries its origin snapshot.
func (a *adm) uninstallCmd() int {
	opts, optind, bad := getopt(a.args, "?Fhnv")
	if bad != 0 || optind != len(a.args) {
		return a.subUsage(bad)
	}
	force := false
	for _, o := range opts {
		force = force || o.opt == 'F'
	}
	if !a.sanityCheck(false, true, false) {
		return 1
	}
	if !force {
		a.zerror("Input not from terminal and -F not specified: uninstall not done.")
		return 1
	}
	c, ok := a.config()
	if !ok {
		return 1
	}
	if err := a.setState(StateIncomplete); err != nil {
		a.zerror("could not set state: %v", err)
		return 1
	}
	if err := a.uninstall(c); err != nil {
		fmt.Fprintf(a.errw, "%v\n", err)
		return 1
	}
	if err := a.setState(StateConfigured); err != nil {
		a.zerror("could not set state: %v", err)
		return 1
	}
	return 0
}

// uninstall destroys the zone's datasets and clears its zonepath.
func (a *adm) uninstall(c *Config) error {
	zs, err := zfs.Open(a.root)
	if err != nil {
		return err
	}
	if zpds, ok := zs.FilesystemAt(c.Zonepath); ok {
		var origins []string
		for _, be := range zs.Children(zpds + "/ROOT") {
			promoteOldestClones(zs, be)
			if o, _, err := zs.GetProp(be, "origin"); err == nil && o != "" && o != "-" {
				origins = append(origins, o)
			}
			zs.Unmount(be)
		}
		if err := zs.Destroy(zpds, true, false); err != nil {
			return err
		}
		for _, o := range origins {
			zs.Destroy(o, false, false)
		}
		if err := zs.Save(); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(a.inv.Path(c.Zonepath)); err != nil {
		return fmt.Errorf("could not remove zonepath %s: %s", c.Zonepath, strerror(err))
	}
	return nil
}

// promoteOldestClones promotes, for each snapshot of a boot environment
// that other zones are cloned from, the oldest clone, so the boot
// environment can be destroyed.
func promoteOldestClones(zs *zfs.State, be string) {
	for _, snap := range zs.Snapshots(be) {
		v, _, err := zs.GetProp(snap, "clones")
		if err != nil || v == "" || v == "-" {
			continue
		}
		zs.Promote(strings.Split(v, ",")[0])
	}
}

// zbeSnapRE is what a "-s ds@snap" dataset must look like for source src.
func zbeSnapRE(src string) *regexp.Regexp {
	return regexp.MustCompile(`^.*/` + regexp.QuoteMeta(src) + `/ROOT/[^/]+$`)
}

// cloneCmd is "zoneadm -z TARGET clone [-s snapshot] [-X] SOURCE" with the
// ipkg brand's clone semantics (illumos-commands.md §4.3).
func (a *adm) cloneCmd() int {
	opts, optind, bad := getopt(a.args, "?m:s:X")
	if bad != 0 || optind != len(a.args)-1 {
		return a.subUsage(bad)
	}
	snapArg, noUnconfig := "", false
	for _, o := range opts {
		switch o.opt {
		case 'm':
			// The ipkg brand's clone hook accepts only -R -s -X -z, so
			// a method is a usage error of the hook.
			return a.subUsage(0)
		case 's':
			snapArg = o.arg
		case 'X':
			noUnconfig = true
		}
	}
	src := a.args[optind]
	if !a.sanityCheck(false, true, false) {
		return 1
	}
	srcSt, ok, err := zoneStatus(a.root, src)
	if err != nil {
		a.zerror("%v", err)
		return 1
	}
	if !ok {
		fmt.Fprintf(a.errw, "zoneadm: %s: could not get state: %s\n", src, zStrerror[zNoZone])
		return 1
	}
	if src == "global" {
		a.zerror("clone operation is invalid for the global zone.")
		return 1
	}
	if srcSt.Kernel != nil {
		a.zerror("clone operation is invalid for %s zones.", StateString(srcSt.State))
		return 1
	}
	if srcSt.State != StateInstalled {
		fmt.Fprintf(a.errw, "zoneadm: zone %s is %s; %s is required.\n", src, StateString(srcSt.State), StateString(StateInstalled))
		return 1
	}
	c, ok := a.config()
	if !ok {
		return 1
	}
	srcCfg, err := LoadConfig(a.root, src)
	if err != nil {
		a.zerror("could not get zone configuration: %v", err)
		return 1
	}
	if c.Brand != srcCfg.Brand {
		fmt.Fprintf(a.errw, "zoneadm: Zones '%s' and '%s' have different brand types.\n", src, a.zone)
		return 1
	}
	if !rbac.HasAuth(a.inv, "solaris.zone.clonefrom/"+src) {
		a.zerror("clone operation is invalid because user is not authorized to read source zone.")
		return 1
	}
	if !ipkgBrands[c.Brand] {
		a.zerror("brand '%s' cannot be cloned on this system.", brandOrNative(c.Brand))
		return 1
	}
	if err := a.setState(StateIncomplete); err != nil {
		a.zerror("could not set state: %v", err)
		return 1
	}
	if err := a.clone(c, src, srcCfg, snapArg, noUnconfig); err != nil {
		fmt.Fprintf(a.errw, "%v\n", err)
		var ze *zoneError
		if errors.As(err, &ze) && ze.configured {
			a.setState(StateConfigured)
		}
		return 1
	}
	if err := a.setState(StateInstalled); err != nil {
		a.zerror("could not set state: %v", err)
		return 1
	}
	return 0
}

// clone is the ipkg brand's clone hook.
func (a *adm) clone(c *Config, src string, srcCfg *Config, snapArg string, noUnconfig bool) error {
	zs, err := zfs.Open(a.root)
	if err != nil {
		return err
	}
	gzbe := gzBootEnvironment(zs)
	srcDS, ok := zs.FilesystemAt(srcCfg.Zonepath)
	if !ok {
		return &zoneError{configured: true, msg: "Error: unable to determine source zone dataset."}
	}
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
		return &zoneError{configured: true, msg: "Error: no active dataset."}
	case 1:
	default:
		return &zoneError{configured: true, msg: "Error: multiple active datasets."}
	}
	activeDS := active[0]
	invalidSnap := &zoneError{configured: true, msg: "Error: specified snapshot is invalid for this source zone."}
	snapshot := ""
	switch {
	case snapArg == "":
	case strings.Contains(snapArg, "@"):
		ds, snap, _ := strings.Cut(snapArg, "@")
		if ds == "" {
			ds = activeDS
		}
		if snap == "" || !zbeSnapRE(src).MatchString(ds) || !isChildOf(zs, ds, srcDS+"/ROOT") {
			return invalidSnap
		}
		snapshot = ds + "@" + snap
	case strings.Contains(snapArg, "/"):
		if !zbeSnapRE(src).MatchString(snapArg) || !isChildOf(zs, snapArg, srcDS+"/ROOT") {
			return invalidSnap
		}
		activeDS = snapArg
	default:
		snapshot = activeDS + "@" + snapArg
	}
	if snapshot != "" && !zs.Exists(snapshot) {
		return &zoneError{configured: true, msg: fmt.Sprintf("cannot open '%s': dataset does not exist", snapshot)}
	}

	pds, ok := zs.FilesystemAt(path.Dir(c.Zonepath))
	if !ok {
		return &zoneError{configured: true, msg: "ERROR: the zonepath must be a ZFS dataset.\n" +
			"The parent directory of the zonepath must be a ZFS dataset so that the\n" +
			"zonepath ZFS dataset can be created properly."}
	}
	if strings.Contains(pds+"/", "/ROOT/") {
		return &zoneError{configured: true, msg: "Installing a zone inside of the root pool's 'ROOT' dataset is unsupported."}
	}
	zpds := pds + "/" + path.Base(c.Zonepath)
	if !zs.Exists(zpds) {
		zs.Create(zpds, nil, false)
	}
	if !zs.Exists(zpds + "/ROOT") {
		if err := zs.Create(zpds+"/ROOT", map[string]string{"mountpoint": "legacy", "zoned": "on"}, false); err != nil {
			return err
		}
	}
	if snapshot == "" {
		name := a.zone + "_snap"
		for i := 1; zs.Exists(activeDS + "@" + name); i++ {
			if i > 99 {
				return fmt.Errorf("ERROR: unable to snapshot %s", activeDS)
			}
			name = a.zone + "_snap" + strconv.Itoa(i)
		}
		snapshot = activeDS + "@" + name
		if err := zs.Snapshot([]string{snapshot}, false, nil); err != nil {
			return err
		}
	}
	zbe := zpds + "/ROOT/zbe"
	for i := 1; zs.Exists(zbe); i++ {
		if i > 99 {
			return fmt.Errorf("ERROR: unable to create a boot environment under %s/ROOT", zpds)
		}
		zbe = zpds + "/ROOT/zbe-" + strconv.Itoa(i)
	}
	if err := zs.Clone(snapshot, zbe, nil, false); err != nil {
		return err
	}
	for _, kv := range [][2]string{{propActive, "on"}, {propParentBE, gzbe}, {"canmount", "noauto"}} {
		if err := zs.SetProp(zbe, kv[0], kv[1]); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(a.inv.Path(c.Zonepath), 0o700); err != nil {
		return err
	}
	if err := os.Chmod(a.inv.Path(c.Zonepath), 0o700); err != nil {
		return err
	}
	if err := zs.MountLegacy(zbe, path.Join(c.Zonepath, "root")); err != nil {
		return err
	}
	if err := zs.Save(); err != nil {
		return err
	}
	if !noUnconfig {
		// system-unconfigure: the clone forgets the source's identity
		// and takes its own name.
		if err := os.WriteFile(filepath.Join(a.zoneRoot(c), "etc", "nodename"), []byte(a.zone+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// isChildOf reports whether ds is a direct child filesystem of parent.
func isChildOf(zs *zfs.State, ds, parent string) bool {
	for _, c := range zs.Children(parent) {
		if c == ds {
			return true
		}
	}
	return false
}
