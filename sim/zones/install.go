package zones

import (
	"fmt"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/pkg"
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
	if err := populateRoot(a.zoneRoot(c)); err != nil {
		return out.String(), fmt.Errorf("ERROR: %v", err)
	}
	out.WriteString("  Installing: Packages (output follows)\n")
	if len(pubs) == 0 {
		// Without -P the zone gets the global zone's publishers
		// (pkgcreatezone: pkg copy-publishers-from $GZ_IMAGE).
		if pubs, err = pkg.Publishers(a.root); err != nil {
			return out.String(), fmt.Errorf("ERROR: %v", err)
		}
	}
	for _, p := range pubs {
		fmt.Fprintf(&out, "   Publisher: Using %s (%s).\n", p.Name, strings.Join(p.Origins, ", "))
	}
	pkgs := append(append([]string(nil), basePackages...), extra...)
	if err := pkg.InstallBase(a.root, a.zoneRoot(c), pkgs, pubs); err != nil {
		return out.String(), fmt.Errorf("ERROR: package installation failed: %v", err)
	}
	out.WriteString(" Postinstall: Copying SMF seed repository ... done.\n")
	if err := installedRoot(a.zoneRoot(c), a.inv.Flavor()); err != nil {
		return out.String(), fmt.Errorf("ERROR: %v", err)
	}
	return out.String(), nil
}

// installedRoot gives a new zone's root account what the flavour's
// pkgcreatezone leaves it. SUNWcs delivers "root::" (illumos-gate
// usr/src/cmd/Adm/sun/shadow). OmniOS's pkgcreatezone (omniosorg/pkg5
// src/brand/ipkg/pkgcreatezone, at the top level) replaces the empty
// hash with the hash of a blank password ("sed -i -e
// 's%^root::%root:$5$kr1VgdIt$...:%' $ZONEROOT/etc/shadow", in place:
// the mode stays). OpenIndiana's (OpenIndiana/pkg5 src/brand/pkgcreatezone)
// leaves it, and installs pkg:/service/management/sysding, whose
// svc:/system/sysding:system has config/finished false, so it runs at the
// zone's first boot and gives the empty root password NP
// (unconfigure.go sysdingFirstBoot) [unconfirmed: sysding's own sources
// (olbohlen/sysding sysding.xml) were not read; what it does is taken
// from OpenIndiana's packaging of it].
func installedRoot(zoneRoot string, f core.Flavor) error {
	r, err := os.OpenRoot(zoneRoot)
	if err != nil {
		return err
	}
	defer r.Close()
	if f == core.OmniOS {
		b, err := r.ReadFile("etc/shadow")
		if err != nil {
			return err
		}
		b = regexp.MustCompile(`(?m)^root::`).ReplaceAllLiteral(b, []byte("root:"+unconfiguredRootHash[core.OmniOS]+":"))
		fh, err := r.OpenFile("etc/shadow", os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return err
		}
		if _, err := fh.Write(b); err != nil {
			fh.Close()
			return err
		}
		return fh.Close()
	}
	rep, err := readRepository(zoneRoot)
	if err != nil {
		return err
	}
	rep.SysdingPending = true
	return rep.write(zoneRoot)
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

// uninstallCmd is "zoneadm uninstall [-F]" (illumos-gate
// usr/src/cmd/zoneadm/zoneadm.c uninstall_func()): the zone goes to
// incomplete, the brand's uninstall hook runs (uninstall.go), and only
// when it exits ZONE_SUBPROC_OK does the zone go to configured; otherwise
// zoneadm returns Z_ERR, printing nothing of its own
// (subproc_status(..., B_FALSE)), and the zone stays incomplete.
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
	// uninstall_func() (illumos-gate usr/src/cmd/zoneadm/zoneadm.c)
	// refuses, the zone left installed, while anything is mounted below
	// the zone's root (zonecfg_find_mounts(rootpath)), each mount point
	// printed by zfm_print(); both zerror() calls end their text with
	// "\n", and zerror() adds another.
	if zs, err := zfs.Open(a.root); err == nil {
		rootpath := path.Join(c.Zonepath, "root")
		below, err := zs.MountsBelow(rootpath)
		if err != nil {
			a.zerror("%v", err)
			return 1
		}
		if len(below) > 0 {
			a.zerror("These file systems are mounted on subdirectories of %s.\n", rootpath)
			for _, m := range below {
				a.zerror("  %s\n", m)
			}
			return 1
		}
	}
	if err := a.setState(StateIncomplete); err != nil {
		a.zerror("could not set state: %v", err)
		return 1
	}
	if status := a.ipkgUninstall(c); status != subprocOK {
		return 1
	}
	if err := a.setState(StateConfigured); err != nil {
		a.zerror("could not set state: %v", err)
		return 1
	}
	return 0
}
