package zones

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/zonemgr/zonemgr/sim/pkg"
	"github.com/zonemgr/zonemgr/sim/zfs"
)

// ipkgInstallOpts is the <installopts> of the ipkg brand's config.xml
// (omniosorg/pkg5 src/brand/ipkg/config.xml; OpenIndiana/pkg5
// src/brand/config.xml): the options zoneadm's getopt() knows take an
// argument, though it passes every option to the brand.
const ipkgInstallOpts = "a:c:d:e:hk:P:p:suv"

// pkgcreatezoneUsage is pkgcreatezone's m_usage (omniosorg/pkg5
// src/brand/ipkg/pkgcreatezone; OpenIndiana/pkg5 src/brand/pkgcreatezone).
const pkgcreatezoneUsage = "\n        install [-h]\n" +
	"        install [-c certificate_file] [-k key_file] [-P publisher=uri]\n" +
	"                [-e extrapkg [...]]\n" +
	"        install {-a archive|-d path} {-p|-u} [-s|-v]"

// printSubUsage is zoneadm.c sub_usage() for the running subcommand.
func (a *adm) printSubUsage() {
	fmt.Fprintf(a.errw, "usage:\t%s\n\t%s\n", admShortUsage[a.cmd], admLongHelp[a.cmd])
}

// installOptions are what pkgcreatezone made of its arguments.
type installOptions struct {
	extra   []string
	pub     string // the last -P
	silent  bool
	archive string
}

// installCmd is "zoneadm install [brand args]" as zoneadm.c install_func()
// runs it: zoneadm's getopt() (opterr 0, "?x:" plus the brand's
// installopts) only looks for -? (sub_usage(), then the brand prints its
// own help) and -x nodataset; every other option and operand is appended
// to the brand's command line by addopt() (" -<c>" followed straight by
// the argument, " <operand>"), and the line runs through /bin/sh -c.
// Unless -? was given, sanity_check() and verify_details() run, the zone
// goes to incomplete and zoneadm creates the zonepath dataset
// (create_zfs_zonepath()) before the brand's pkgcreatezone starts. A
// brand exit of ZONE_SUBPROC_USAGE (253) prints the install usage and
// fails with 1, leaving the zone incomplete.
func (a *adm) installCmd() int {
	evs, optind := zoneadmGetopt(a.args, "?x:"+ipkgInstallOpts)
	var tail strings.Builder
	brandHelp, dataset := false, true
	for _, e := range evs {
		if e.c == '?' && e.optopt == '?' {
			a.printSubUsage()
			brandHelp = true
		}
		// [unconfirmed: "-x nodataset" kept from the brand and
		// skipping create_zfs_zonepath() is not in illumos-gate
		// usr/src/cmd/zoneadm/zoneadm.c install_func() as read (@
		// b17aa18c, 2020), which passes -x and its argument to the
		// brand with addopt() and always calls create_zfs_zonepath();
		// no later gate or OmniOS source was read for it.]
		if e.c == 'x' && e.optarg == "nodataset" {
			dataset = false
			continue
		}
		addopt(&tail, e.optopt, e.optarg, e.hasArg)
	}
	for _, arg := range a.args[optind:] {
		addopt(&tail, 0, arg, true)
	}
	c, ok := a.config()
	if !ok {
		return 1
	}
	if !brandHelp {
		if !a.sanityCheck(false, true, false) {
			return 1
		}
		if !a.verifyDetails(c) {
			return 1
		}
		// [unconfirmed: no illumos source has this text; it is the
		// sim's refusal of a brand whose install hook it does not
		// simulate (install_func() would run that brand's hook).]
		if !ipkgBrands[c.Brand] {
			a.zerror("brand '%s' cannot be installed on this system.", brandOrNative(c.Brand))
			return 1
		}
		if err := a.setState(StateIncomplete); err != nil {
			a.zerror("could not set state: %v", err)
			return 1
		}
		if dataset {
			a.createZFSZonepath(c)
		}
	}
	words, ok := a.brandArgs(tail.String())
	if !ok {
		return 1
	}
	argv := append([]string{"-z", a.zone, "-R", c.Zonepath}, words...)
	opts, status := a.pkgcreatezoneArgs(argv)
	if status == subprocUsage {
		if !brandHelp {
			a.printSubUsage()
		}
		return 1
	}
	if status != subprocOK {
		return 1
	}
	if brandHelp {
		return 0
	}
	start := time.Now()
	var out string
	var err error
	if opts.archive != "" {
		out, err = a.installArchive(c, opts.archive)
	} else {
		var pubs []pkg.Publisher
		if opts.pub != "" {
			name, origin, _ := strings.Cut(opts.pub, "=")
			pubs = []pkg.Publisher{{Name: name, Origins: []string{origin}}}
		}
		out, err = a.install(c, opts.extra, pubs)
	}
	if !opts.silent {
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
	if !opts.silent {
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

// createZFSZonepath is zoneadm/zfs.c create_zfs_zonepath(): when the
// zonepath's parent directory is a ZFS filesystem and <parent>/<name>
// does not exist, create it with sharenfs=off, mount it, chmod the
// zonepath 0700 and say so on stdout. Any failure is only reported: the
// brand finds out.
func (a *adm) createZFSZonepath(c *Config) {
	zs, err := zfs.Open(a.root)
	if err != nil {
		return
	}
	if _, ok := zs.FilesystemAt(c.Zonepath); ok {
		return
	}
	zpds, created, err := createZonepathDataset(zs, c)
	if err != nil || !created {
		return
	}
	if err := zs.Save(); err != nil {
		fmt.Fprintf(a.errw, "cannot create ZFS dataset %s: %v\n", zpds, err)
		return
	}
	if err := os.Chmod(a.inv.Path(c.Zonepath), 0o700); err != nil {
		fmt.Fprintf(a.errw, "file system %s successfully created, but chmod 700 failed: %s\n", zpds, strerror(err))
		return
	}
	fmt.Fprint(a.out, "A ZFS file system has been created for this zone.\n")
}

// pkgcreatezoneArgs is the argument handling of the ipkg brand's
// pkgcreatezone (omniosorg/pkg5 src/brand/ipkg/pkgcreatezone;
// OpenIndiana/pkg5 src/brand/pkgcreatezone, the same): getopts
// "a:c:d:e:hk:P:pR:suvz:", where -h and any unknown option end in
// fail_usage "", then the checks of incompatible options and of the -P
// publisher=origin syntax (made only when the global zone has an 'entire'
// incorporation). It returns subprocUsage after printing the usage.
// [unconfirmed: ksh's own getopts diagnostic for an unknown option,
// printed before the usage, is not reproduced]
func (a *adm) pkgcreatezoneArgs(argv []string) (installOptions, int) {
	var o installOptions
	usage := func(msg string) (installOptions, int) {
		return o, brandUsage(a.errw, msg, pkgcreatezoneUsage)
	}
	incompat := func(x, y string) (installOptions, int) {
		return usage(fmt.Sprintf("cannot specify both %s and %s options", x, y))
	}
	opts, _, bad := getopt(argv, "a:c:d:e:hk:P:pR:suvz:")
	var sourceDir, cert, key string
	var preserve, unconfig, verbose bool
	for _, op := range opts {
		switch op.opt {
		case 'a':
			if fi, err := os.Stat(a.inv.Path(op.arg)); (err != nil || !fi.Mode().IsRegular()) && strings.Contains(op.arg, "=") {
				return usage("-a publisher=uri option is obsolete, use -P instead.")
			}
			o.archive = op.arg
		case 'c':
			cert = op.arg
		case 'd':
			sourceDir = op.arg
		case 'e':
			o.extra = append(o.extra, op.arg)
		case 'h':
			return usage("")
		case 'k':
			key = op.arg
		case 'P':
			o.pub = op.arg
		case 'p':
			preserve = true
		case 's':
			o.silent = true
		case 'u':
			unconfig = true
		case 'v':
			verbose = true
		}
	}
	if bad != 0 {
		return usage("")
	}
	switch {
	case o.archive != "" && sourceDir != "":
		return incompat("-a", "-d")
	case o.silent && verbose:
		return incompat("-s", "-v")
	case unconfig && preserve:
		return incompat("-u", "-p")
	}
	if o.archive != "" || sourceDir != "" {
		switch {
		case o.pub != "":
			return incompat("-a|-d", "-P")
		case len(o.extra) > 0:
			return incompat("-a|-d", "-e")
		case cert != "":
			return incompat("-a|-d", "-c")
		case key != "":
			return incompat("-a|-d", "-k")
		}
	} else if preserve || unconfig {
		return incompat("default", "-p|-u")
	}
	if o.pub != "" {
		if _, ok, _ := pkg.InstalledFMRI(a.root, "entire"); ok {
			// echo $pub_and_origins | IFS="=" read publisher pub_origins
			name, origin, _ := strings.Cut(o.pub, "=")
			if name == "" || origin == "" {
				return usage("Syntax error in publisher information.")
			}
		}
	}
	if sourceDir != "" {
		fmt.Fprintf(a.errw, "illumos-sim: zoneadm install -d is not simulated\n")
		return o, subprocFatal
	}
	return o, subprocOK
}
