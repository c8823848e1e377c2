package zones

import (
	"fmt"
	"io"
	"os"
	"path"

	"github.com/zonemgr/zonemgr/sim/pkg"
	"github.com/zonemgr/zonemgr/sim/zfs"
)

// detachedManifest is the file a detach leaves in the zonepath: the zone's
// configuration, read back by "zonecfg create -a" and "attach -n".
const detachedManifest = "SUNWdetached.xml"

// attachCmd is "zoneadm attach [-F] [-n path] [-u | -U]": zoneadm's
// attach_func() checks, then the ipkg brand's attach, which adopts the
// zone's existing boot environment for this global zone and mounts it.
// -u/-U (brand options) also bring the zone's package catalog up to date
// with the global zone's.
func (a *adm) attachCmd() int {
	opts, optind, bad := getopt(a.args, "?Fn:uU")
	if bad != 0 || optind != len(a.args) {
		return a.subUsage(bad)
	}
	force, update, dryRun := false, false, ""
	for _, o := range opts {
		switch o.opt {
		case 'F':
			force = true
		case 'n':
			dryRun = o.arg
		case 'u', 'U':
			update = true
		}
	}
	if force && dryRun != "" {
		a.zerror("-F and -n flags are mutually exclusive")
		return 2
	}
	if !a.sanityCheck(false, true, force) {
		return 1
	}
	switch st := a.status.State; {
	case st == StateInstalled:
		a.zerror("is already %s.", StateString(StateInstalled))
		return 1
	case st == StateIncomplete && !force:
		a.zerror("zone is %s; %s required.", StateString(StateIncomplete), "uninstall")
		return 1
	}
	c, ok := a.config()
	if !ok {
		return 1
	}
	if dryRun != "" {
		return a.attachDryRun(c, dryRun)
	}
	if !ipkgBrands[c.Brand] {
		a.zerror("brand '%s' cannot be attached on this system.", brandOrNative(c.Brand))
		return 1
	}
	if err := a.setState(StateIncomplete); err != nil {
		a.zerror("could not set state: %v", err)
		return 1
	}
	out, err := a.attach(c, update)
	fmt.Fprint(a.out, out)
	if err != nil {
		fmt.Fprintf(a.errw, "%v\n", err)
		// The brand's attach exits ZONE_SUBPROC_NOTCOMPLETE on a zonepath
		// it cannot use: the zone goes back to configured.
		a.setState(StateConfigured)
		return 1
	}
	if err := a.setState(StateInstalled); err != nil {
		a.zerror("could not set state: %v", err)
		return 1
	}
	return 0
}

// attach adopts the zone's boot environment and returns the brand output.
// The texts are the ipkg brand attach's, shortened [derived].
func (a *adm) attach(c *Config, update bool) (string, error) {
	zs, err := zfs.Open(a.root)
	if err != nil {
		return "", err
	}
	out := "Attaching...\n\n"
	zpds, ok := zs.FilesystemAt(c.Zonepath)
	if !ok {
		return out, &zoneError{configured: true, msg: "ERROR: the zonepath must be a ZFS dataset.\n" +
			"The parent directory of the zonepath must be a ZFS dataset so that the\n" +
			"zonepath ZFS dataset can be created properly."}
	}
	zbe := ""
	for _, be := range zs.Children(zpds + "/ROOT") {
		if v, _, err := zs.GetProp(be, propActive); err == nil && v == "on" {
			zbe = be
		}
	}
	if zbe == "" {
		// [derived] the ipkg brand's "no active dataset" failure.
		return out, &zoneError{configured: true, msg: "ERROR: no active dataset."}
	}
	out += " Installing: Using existing zone boot environment\n"
	out += fmt.Sprintf("      Zone BE root dataset: %s\n", zbe)
	if err := zs.SetProp(zbe, propParentBE, gzBootEnvironment(zs)); err != nil {
		return out, err
	}
	if err := zs.MountLegacy(zbe, path.Join(c.Zonepath, "root")); err != nil {
		return out, fmt.Errorf("ERROR: cannot mount %s on %s: %v", zbe, path.Join(c.Zonepath, "root"), err)
	}
	if err := zs.Save(); err != nil {
		return out, err
	}
	if update {
		out += "  Updating non-global zone: Syncing packages.\n"
		if err := pkg.SyncCatalog(a.root, a.zoneRoot(c)); err != nil {
			return out, fmt.Errorf("ERROR: could not update the zone's packages: %v", err)
		}
	}
	os.Remove(a.inv.Path(path.Join(c.Zonepath, detachedManifest)))
	out += "Result: Attach Succeeded.\n"
	return out, nil
}

// attachDryRun is "attach -n path": it reads a detach manifest (path "-"
// is standard input) and checks that it fits the zone's brand.
func (a *adm) attachDryRun(c *Config, p string) int {
	var b []byte
	var err error
	if p == "-" {
		b, err = io.ReadAll(a.inv.Stdin)
	} else {
		b, err = os.ReadFile(a.inv.Path(p))
	}
	if err != nil {
		a.zerror("could not open manifest path: %s", strerror(err))
		return 1
	}
	m, err := ParseConfig(b)
	if err != nil {
		a.zerror("could not read manifest: %v", err)
		return 1
	}
	if m.Brand != c.Brand {
		// [derived] zoneadm.c dryrun_get_brand()/attach_func() text.
		a.zerror("Zones '%s' and '%s' have different brand types.", m.Name, c.Name)
		return 1
	}
	return 0
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
	if err := os.WriteFile(a.inv.Path(path.Join(c.Zonepath, detachedManifest)), c.XML(), 0o644); err != nil {
		a.zerror("unable to save the detach manifest: %s", strerror(err))
		return 1
	}
	zs, err := zfs.Open(a.root)
	if err != nil {
		a.zerror("%v", err)
		return 1
	}
	if zpds, ok := zs.FilesystemAt(c.Zonepath); ok {
		if be := activeBE(zs, zpds); be != "" {
			zs.Unmount(be)
			if err := zs.Save(); err != nil {
				a.zerror("%v", err)
				return 1
			}
		}
	}
	if err := a.setState(StateConfigured); err != nil {
		a.zerror("could not set state: %v", err)
		return 1
	}
	return 0
}
