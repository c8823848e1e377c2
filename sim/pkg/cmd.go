package pkg

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/rbac"
)

// Exit codes of pkg (pkgdefs.py).
const (
	exitOK      = 0
	exitOops    = 1
	exitBadOpt  = 2
	exitPartial = 3
	exitNop     = 4
)

// pkgBinary is the real binary whose RBAC exec_attr entries govern pkg.
const pkgBinary = "/usr/bin/pkg"

// A subcommand of pkg: its option letters (those followed by ':' take an
// argument), long options (ending in '=' when they take one) and whether
// it changes the image.
type subcommand struct {
	short    string
	long     []string
	mutating bool
	run      func(c *cmd, opts map[string][]string, args []string) int
}

// subcommands lists the implemented pkg subcommands.
func subcommands() map[string]subcommand {
	installLong := []string{"accept", "licenses", "no-be-activate", "no-index", "no-refresh",
		"no-backup-be", "require-backup-be", "backup-be-name=", "deny-new-be", "require-new-be",
		"be-name=", "reject=", "sync-actuators", "sync-actuators-timeout="}
	return map[string]subcommand{
		"install":         {"nvqg:C:", installLong, true, (*cmd).install},
		"update":          {"fnvqg:C:", installLong, true, (*cmd).update},
		"uninstall":       {"nvqC:", installLong, true, (*cmd).uninstall},
		"list":            {"Hafgnsuvq", []string{"no-refresh"}, false, (*cmd).list},
		"info":            {"lrg:", []string{"license"}, false, (*cmd).info},
		"publisher":       {"HPnF:", nil, false, (*cmd).publisher},
		"set-publisher":   {"Pedk:c:O:G:g:", []string{"add-origin=", "remove-origin=", "search-first", "enable", "disable", "no-refresh", "non-sticky", "sticky"}, true, (*cmd).setPublisher},
		"unset-publisher": {"", nil, true, (*cmd).unsetPublisher},
		"refresh":         {"q", []string{"full"}, true, (*cmd).refresh},
	}
}

// A cmd is one run of the simulated pkg.
type cmd struct {
	inv      *core.Invocation
	sub      string
	imageArg string // the -R argument, or "/"
	img      *image
	catalog  *Catalog
	// linkedName is the zone whose image -R names, run in the global
	// zone ("" for the global zone's own image).
	linkedName string
}

// Main runs "pkg [-R IMAGE] SUBCOMMAND ARGS..." and returns its exit code.
func Main(inv *core.Invocation) int {
	args := inv.Args
	imageArg := "/"
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-" {
		a := args[0]
		switch {
		case a == "-R" && len(args) > 1:
			imageArg, args = args[1], args[2:]
		case strings.HasPrefix(a, "-R") && len(a) > 2:
			imageArg, args = a[2:], args[1:]
		case a == "-?" || a == "--help":
			inv.Sub = "help"
			inv.Outf("%s", fullUsage)
			return exitOK
		case a == "-R":
			inv.Sub = "usage"
			inv.Errf("pkg: option requires an argument -- R")
			inv.Errf("Try `pkg --help or -?' for more information.")
			return exitBadOpt
		default:
			inv.Sub = "usage"
			inv.Errf("pkg: illegal global option -- %s", strings.TrimLeft(a, "-"))
			inv.Errf("Try `pkg --help or -?' for more information.")
			return exitBadOpt
		}
	}
	if len(args) == 0 {
		inv.Sub = "usage"
		inv.Errf("pkg: no subcommand specified")
		inv.Errf("Try `pkg --help or -?' for more information.")
		return exitBadOpt
	}
	sub := args[0]
	sc, ok := subcommands()[sub]
	if !ok {
		inv.Sub = sub
		inv.Errf("pkg: unknown subcommand '%s'", sub)
		inv.Errf("Try `pkg --help or -?' for more information.")
		return exitBadOpt
	}
	c := &cmd{inv: inv, sub: sub, imageArg: imageArg}
	opts, rest, bad := parseOpts(args[1:], sc.short, sc.long)
	if bad != "" {
		inv.Sub = sub
		c.usageError(bad)
		return exitBadOpt
	}
	dry := len(opts["n"]) > 0
	if code, injected := inv.Begin(sub, sc.mutating && !dry); injected {
		return code
	}
	// Image.find_root() (pkg5 src/modules/client/image.py) takes the
	// image only where its metadata can be seen: a directory the caller
	// cannot search, such as a zone root below its 0700 zonepath for a
	// caller without a profile that runs pkg as uid 0 (pkg5's
	// exec_attr.d/package:pkg gives Software Installation
	// /usr/bin/pkg uid=0), or an empty mountpoint, finds no image there,
	// and -R wants it exactly there (ImageNotFoundException).
	dir := inv.Path(imageArg)
	if !isImage(dir) || inv.Zone == "" && rbac.Check(inv, pkgBinary) != rbac.Full && !rbac.CanSearch(inv, path.Join(imageArg, imageMetaDir)) {
		return c.fail("No image rooted at '%s'", imageArg)
	}
	if inv.Zone == "" {
		c.linkedName = zoneImageName(inv.Root, imageArg)
	}
	unlock, err := c.lock(dir)
	if err != nil {
		return c.fail("%v", err)
	}
	defer unlock()
	if c.img, err = loadImage(dir); err != nil {
		return c.fail("%v", err)
	}
	catPath := gzCatalogPath(inv.Root)
	if inv.Zone != "" {
		catPath = filepath.Join(dir, catalogFile)
	}
	if c.catalog, err = loadCatalog(catPath); err != nil {
		return c.fail("%v", err)
	}
	if sc.mutating && !dry && inv.Zone == "" && rbac.Check(inv, pkgBinary) != rbac.Full {
		// [derived] pkg5 fails to take the image lock and reports
		// api_errors.PermissionsException for the lock file.
		lockPath := path.Join(imageArg, lockFile)
		inv.Errf("pkg: Could not operate on %s\nbecause of insufficient permissions. Please try the command again as a privileged user.", lockPath)
		return exitOops
	}
	return sc.run(c, opts, rest)
}

// lock takes the image lock: the sim's state lock in the global zone, the
// image's own lock file inside a zone (where no sim root is visible).
func (c *cmd) lock(dir string) (func(), error) {
	if c.inv.Zone == "" {
		l, err := c.inv.LockState()
		if err != nil {
			return nil, err
		}
		return l.Unlock, nil
	}
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock image: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock image: %w", err)
	}
	return func() { f.Close() }, nil
}

// parseOpts parses subcommand options as Python's getopt.getopt() does
// (no permutation). bad describes the first invalid option.
func parseOpts(args []string, short string, long []string) (map[string][]string, []string, string) {
	opts := map[string][]string{}
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			break
		}
		if strings.HasPrefix(a, "--") {
			name, val, hasVal := strings.Cut(a[2:], "=")
			known, takes := false, false
			for _, l := range long {
				if strings.TrimSuffix(l, "=") == name {
					known, takes = true, strings.HasSuffix(l, "=")
				}
			}
			if !known {
				return nil, nil, fmt.Sprintf("illegal option -- %s", name)
			}
			if takes && !hasVal {
				if i+1 >= len(args) {
					return nil, nil, fmt.Sprintf("option --%s requires argument", name)
				}
				i++
				val = args[i]
			}
			opts[name] = append(opts[name], val)
			continue
		}
		for j := 1; j < len(a); j++ {
			k := strings.IndexByte(short, a[j])
			if k < 0 || a[j] == ':' {
				return nil, nil, fmt.Sprintf("illegal option -- %c", a[j])
			}
			if k+1 < len(short) && short[k+1] == ':' {
				val := a[j+1:]
				if val == "" {
					if i+1 >= len(args) {
						return nil, nil, fmt.Sprintf("option -%c requires argument", a[j])
					}
					i++
					val = args[i]
				}
				opts[string(a[j])] = append(opts[string(a[j])], val)
				break
			}
			opts[string(a[j])] = append(opts[string(a[j])], "")
		}
	}
	return opts, args[i:], ""
}

// usageError prints "pkg <sub>: <text>" and the help hint.
func (c *cmd) usageError(text string) int {
	c.inv.Errf("pkg %s: %s", c.sub, text)
	c.inv.Errf("Try `pkg --help or -?' for more information.")
	return exitBadOpt
}

// fail prints "pkg: <text>" and returns exit 1.
func (c *cmd) fail(format string, a ...any) int {
	c.inv.Errf("pkg: "+format, a...)
	return exitOops
}

// linkedSuffix is appended to "nothing to do" messages for a linked
// child image (pkg5 client.py display_plan(): " ({0})" of the child's
// linked image name, "zone:<zonename>"): a zone's image, whether pkg
// runs inside the zone or in the global zone with -R on the zone's root.
// [unconfirmed: a zone image is a child only once the global zone has
// pushed its linked image properties to it (linkedimage/common.py reads
// them from var/pkg/linked), and only for the linked brands
// (linkedimage/zone.py _list_zones(): OmniOS lipkg, sparse, pkgsrc;
// OpenIndiana ipkg); the sim treats every zone image as one.]
func (c *cmd) linkedSuffix() string {
	switch {
	case c.inv.Zone != "":
		return " (zone:" + c.inv.Zone + ")"
	case c.linkedName != "":
		return " (zone:" + c.linkedName + ")"
	}
	return ""
}

// zoneImageName returns the zone whose root (<zonepath>/root) is the
// global-zone path imageDir, among the zones /etc/zones/index lists as
// installed, or "". The index lines are "name:state:zonepath:uuid", the
// zonepath double-quoted when it holds a ':' (illumos-gate
// usr/src/lib/libzonecfg/common/getzoneent.c getzoneent_private()).
func zoneImageName(root, imageDir string) string {
	b, err := os.ReadFile(filepath.Join(root, "etc", "zones", "index"))
	if err != nil {
		return ""
	}
	want := path.Clean("/" + imageDir)
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, rest, _ := strings.Cut(line, ":")
		state, rest, _ := strings.Cut(rest, ":")
		zp := rest
		if strings.HasPrefix(zp, `"`) {
			if i := strings.Index(zp[1:], `"`); i >= 0 {
				zp = zp[1 : i+1]
			}
		} else {
			zp, _, _ = strings.Cut(zp, ":")
		}
		if name == "global" || state != "installed" {
			continue
		}
		if path.Join(zp, "root") == want {
			return name
		}
	}
	return ""
}

// A pattern is a parsed package FMRI pattern.
type pattern struct {
	text       string
	publisher  string
	name       string
	version    string
	anchored   bool // "pkg:/name" or "pkg://pub/name": the full name
	hasVersion bool
}

// parsePattern parses "name", "pkg:/name", "pkg://pub/name", each with an
// optional "@version" and glob characters.
func parsePattern(s string) pattern {
	p := pattern{text: s}
	rest := s
	if strings.HasPrefix(rest, "pkg://") {
		rest = strings.TrimPrefix(rest, "pkg://")
		p.publisher, rest, _ = strings.Cut(rest, "/")
		p.anchored = true
	} else if strings.HasPrefix(rest, "pkg:/") {
		rest = strings.TrimPrefix(rest, "pkg:/")
		p.anchored = true
	} else if strings.HasPrefix(rest, "/") {
		rest = strings.TrimPrefix(rest, "/")
		p.anchored = true
	}
	p.name, p.version, p.hasVersion = strings.Cut(rest, "@")
	return p
}

// matchesName reports whether the pattern's name part selects a package
// name, as pkg5's catalog does (omniosorg/pkg5 src/modules/catalog.py,
// the matcher choice before get_matching_fmris): a name with '*' or '?'
// is matched against the whole name with fnmatch.fnmatchcase()
// (fmri.glob_match(), where '*' also matches '/'); otherwise an anchored
// name ("pkg:/", "/") must equal the name (fmri.exact_name_match()) and an
// unanchored one may equal a trailing run of its '/' components
// (fmri.fmri_match()).
func (p pattern) matchesName(name string) bool {
	if strings.ContainsAny(p.name, "*?") {
		return fnmatch(p.name, name)
	}
	if p.name == name {
		return true
	}
	if p.anchored {
		return false
	}
	return strings.HasSuffix(name, "/"+p.name)
}

// fnmatch is Python's fnmatch.fnmatchcase(): '*' matches any run of
// characters (including '/'), '?' any one character, "[...]" a class
// ("[!...]" negated); anything else matches itself.
func fnmatch(pat, s string) bool {
	var re strings.Builder
	re.WriteString("^")
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch c {
		case '*':
			re.WriteString(".*")
		case '?':
			re.WriteString(".")
		case '[':
			j := i + 1
			if j < len(pat) && pat[j] == '!' {
				j++
			}
			if j < len(pat) && pat[j] == ']' {
				j++
			}
			for j < len(pat) && pat[j] != ']' {
				j++
			}
			if j >= len(pat) {
				re.WriteString(`\[`)
				continue
			}
			class := pat[i+1 : j]
			class = strings.ReplaceAll(class, `\`, `\\`)
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			} else if strings.HasPrefix(class, "^") {
				class = `\` + class
			}
			re.WriteString("[" + class + "]")
			i = j
		default:
			re.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re.WriteString("$")
	ok, err := regexp.MatchString(re.String(), s)
	return err == nil && ok
}

// matchesVersion reports whether a version satisfies the "@version" part:
// the same version, or one it is a leading part of.
func (p pattern) matchesVersion(v string) bool {
	if !p.hasVersion || p.version == "latest" || p.version == v {
		return true
	}
	return strings.HasPrefix(v, p.version+".") || strings.HasPrefix(v, p.version+"-")
}

// matchesPublisher reports whether the pattern's publisher (if any) is pub.
func (p pattern) matchesPublisher(pub string) bool {
	return p.publisher == "" || p.publisher == pub
}

// catalogMatches returns the catalog packages a pattern selects.
func (c *cmd) catalogMatches(p pattern) []*Package {
	var out []*Package
	for _, pk := range c.catalog.Packages {
		if !p.matchesName(pk.Name) || !p.matchesPublisher(pk.Publisher) {
			continue
		}
		for _, v := range pk.Versions {
			if p.matchesVersion(v.Version) {
				out = append(out, pk)
				break
			}
		}
	}
	return out
}

// bestVersion is the newest version of a package the pattern allows.
func bestVersion(pk *Package, p pattern) Version {
	var best *Version
	for i, v := range pk.Versions {
		if p.matchesVersion(v.Version) && (best == nil || compareVersions(v.Version, best.Version) > 0) {
			best = &pk.Versions[i]
		}
	}
	return *best
}

// A change is one package the plan installs, updates or removes.
type change struct {
	name, publisher string
	from, to        string // "" for none
	timestamp       string
}

// printPlan prints pkg's plan summary (display_plan()): the counts, right
// justified, then -v's list of changed packages. [derived: the progress
// output pkg prints while it works is left out]
func (c *cmd) printPlan(changes []change, verbose bool) {
	var install, update, remove int
	for _, ch := range changes {
		switch {
		case ch.from == "":
			install++
		case ch.to == "":
			remove++
		default:
			update++
		}
	}
	var status [][2]string
	add := func(label string, n int) {
		if n > 0 {
			status = append(status, [2]string{label, fmt.Sprint(n)})
		}
	}
	add("Packages to remove:", remove)
	add("Packages to install:", install)
	add("Packages to update:", update)
	status = append(status, [2]string{"Create boot environment:", "No"})
	status = append(status, [2]string{"Create backup boot environment:", "No"})
	w0, w1 := 0, 0
	for _, s := range status {
		w0, w1 = max(w0, len(s[0])), max(w1, len(s[1]))
	}
	for _, s := range status {
		c.inv.Outf("%*s %*s\n", w0, s[0], w1, s[1])
	}
	if verbose {
		c.inv.Outf("\nChanged packages:\n")
		byPub := map[string][]change{}
		var pubs []string
		for _, ch := range changes {
			if _, ok := byPub[ch.publisher]; !ok {
				pubs = append(pubs, ch.publisher)
			}
			byPub[ch.publisher] = append(byPub[ch.publisher], ch)
		}
		sort.Strings(pubs)
		for _, pub := range pubs {
			c.inv.Outf("%s\n", pub)
			for _, ch := range byPub[pub] {
				from, to := ch.from, ch.to
				if from == "" {
					from = "None"
				}
				if to == "" {
					to = "None"
				}
				c.inv.Outf("  %s\n    %s -> %s\n", ch.name, from, to)
			}
		}
	}
	c.inv.Outf("\n")
}

// apply carries out a plan and saves the image.
func (c *cmd) apply(changes []change, manual bool) int {
	now := time.Now().UTC().Format(time.RFC3339)
	for _, ch := range changes {
		if ch.to == "" {
			delete(c.img.installed, ch.name)
			continue
		}
		prev := c.img.installed[ch.name]
		c.img.installed[ch.name] = &installed{
			Name: ch.name, Publisher: ch.publisher, Version: ch.to, Timestamp: ch.timestamp,
			Manual: manual || prev != nil && prev.Manual, Installed: now,
		}
	}
	if err := c.img.save(); err != nil {
		return c.fail("%v", err)
	}
	return exitOK
}

func (c *cmd) install(opts map[string][]string, args []string) int {
	if len(args) == 0 {
		return c.usageError("at least one package name required")
	}
	var unmatched []string
	var changes []change
	seen := map[string]bool{}
	for _, a := range args {
		p := parsePattern(a)
		matches := c.catalogMatches(p)
		if len(matches) == 0 {
			unmatched = append(unmatched, a)
			continue
		}
		if len(matches) > 1 && !strings.ContainsAny(p.name, "*?") {
			// [derived] pkg refuses an ambiguous pattern.
			c.inv.Errf("pkg install: '%s' matches multiple packages", a)
			for _, m := range matches {
				c.inv.Errf("\tpkg://%s/%s", m.Publisher, m.Name)
			}
			return exitOops
		}
		for _, pk := range matches {
			if seen[pk.Name] {
				continue
			}
			seen[pk.Name] = true
			v := bestVersion(pk, p)
			cur := c.img.installed[pk.Name]
			if cur != nil && (cur.Version == v.Version || !p.hasVersion && compareVersions(cur.Version, v.Version) >= 0) {
				continue
			}
			ch := change{name: pk.Name, publisher: pk.Publisher, to: v.Version, timestamp: v.Timestamp}
			if cur != nil {
				ch.from = cur.Version
			}
			changes = append(changes, ch)
		}
	}
	if len(unmatched) > 0 {
		c.inv.Errf("pkg install: The following pattern(s) did not match any allowable packages.  Try\nusing a different matching pattern, or refreshing publisher information:\n\n")
		for _, u := range unmatched {
			c.inv.Errf("\t%s", u)
		}
		return exitOops
	}
	if len(changes) == 0 {
		// pkg5 src/client.py display_plan(): "if not quiet and
		// ... planned_nothingtodo()".
		if len(opts["q"]) == 0 {
			c.inv.Outf("No updates necessary for this image.%s\n", c.linkedSuffix())
		}
		return exitNop
	}
	if len(opts["q"]) == 0 {
		c.printPlan(changes, len(opts["v"]) > 0)
	}
	if len(opts["n"]) > 0 {
		return exitOK
	}
	return c.apply(changes, true)
}

func (c *cmd) update(opts map[string][]string, args []string) int {
	if len(args) == 0 && len(opts["f"]) == 0 {
		if code, stale := c.pkgOutOfDate(); stale {
			return code
		}
	}
	var changes []change
	targets := map[string]pattern{}
	if len(args) == 0 {
		for name := range c.img.installed {
			targets[name] = pattern{name: name, anchored: true}
		}
	}
	var unmatched []string
	for _, a := range args {
		p := parsePattern(a)
		found := false
		for name := range c.img.installed {
			if p.matchesName(name) {
				targets[name] = p
				found = true
			}
		}
		if !found {
			unmatched = append(unmatched, a)
		}
	}
	if len(unmatched) > 0 {
		for _, u := range unmatched {
			c.inv.Errf("pkg update: '%s' matches no installed packages", u)
		}
		return exitOops
	}
	names := make([]string, 0, len(targets))
	for n := range targets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		cur := c.img.installed[name]
		pk := c.catalog.lookup(name)
		if pk == nil {
			continue
		}
		p := targets[name]
		if !pk.hasVersion(p) {
			continue
		}
		v := bestVersion(pk, p)
		if v.Version == cur.Version || !p.hasVersion && compareVersions(cur.Version, v.Version) >= 0 {
			continue
		}
		changes = append(changes, change{name: name, publisher: pk.Publisher, from: cur.Version, to: v.Version, timestamp: v.Timestamp})
	}
	if len(changes) == 0 {
		// pkg5 src/client.py display_plan(), as for install.
		if len(opts["q"]) == 0 {
			c.inv.Outf("No updates available for this image.%s\n", c.linkedSuffix())
		}
		return exitNop
	}
	if len(opts["q"]) == 0 {
		c.printPlan(changes, len(opts["v"]) > 0)
	}
	if len(opts["n"]) > 0 {
		return exitOK
	}
	return c.apply(changes, false)
}

// pkgOutOfDate refuses an update of every package while pkg(7) itself
// can be updated, as pkg5 does before it plans one (api.py
// gen_plan_update(): _ipkg_require_latest unless packages are named or
// -f is given; __ipkg_require_latest() raises IpkgOutOfDateException
// unless image.py ipkg_is_up_to_date() finds no newer package/pkg
// installable). The pkg(7) asked about is the running one: inside a
// zone the zone's own image, from the global zone the global zone's,
// also for pkg -R on a zone's root ("the image we're in", found from
// the command's directory). The check applies to a "solaris image"
// (api.py solaris_image(): SUNWcs or system/core-os installed with
// package/pkg or SUNWipkg). client.py __api_plan_exception() prints its
// warning with msg() (standard output) and exits EXIT_OOPS, dry run or
// not. The sim's catalog has no incorporations: a newer package/pkg in
// the catalog is installable.
func (c *cmd) pkgOutOfDate() (int, bool) {
	img, cat := c.img, c.catalog
	if c.inv.Zone == "" && c.imageArg != "/" {
		gz, err := loadImage(c.inv.Path("/"))
		if err != nil {
			return c.fail("%v", err), true
		}
		img = gz
	}
	_, core := img.installed["SUNWcs"]
	if _, ok := img.installed["system/core-os"]; ok {
		core = true
	}
	cur, ok := img.installed["package/pkg"]
	if !core || !ok {
		return 0, false
	}
	pk := cat.lookup("package/pkg")
	if pk == nil || compareVersions(pk.newest().Version, cur.Version) <= 0 {
		return 0, false
	}
	c.inv.Outf("WARNING: pkg(7) appears to be out of date, and should be updated before\n" +
		"running update.  Please update pkg(7) by executing 'pkg install\n" +
		"pkg:/package/pkg' as a privileged user and then retry the update.\n")
	return exitOops, true
}

// hasVersion reports whether some version of the package satisfies p.
func (pk *Package) hasVersion(p pattern) bool {
	for _, v := range pk.Versions {
		if p.matchesVersion(v.Version) {
			return true
		}
	}
	return false
}

func (c *cmd) uninstall(opts map[string][]string, args []string) int {
	if len(args) == 0 {
		return c.usageError("at least one package name required")
	}
	var changes []change
	seen := map[string]bool{}
	var missing []string
	for _, a := range args {
		p := parsePattern(a)
		found := false
		for _, name := range sortedInstalled(c.img) {
			cur := c.img.installed[name]
			if !p.matchesName(name) || !p.matchesVersion(cur.Version) || !p.matchesPublisher(cur.Publisher) {
				continue
			}
			found = true
			if !seen[name] {
				seen[name] = true
				changes = append(changes, change{name: name, publisher: cur.Publisher, from: cur.Version})
			}
		}
		if !found {
			missing = append(missing, a)
		}
	}
	if len(missing) > 0 {
		// pkg5 src/modules/client/api_errors.py
		// PlanCreationException (missing_matches), printed by
		// client_api.py _error_json("\n" + txt, cmd=op).
		lines := make([]string, len(missing))
		for i, m := range missing {
			lines[i] = fmt.Sprintf("'%s' matches no installed packages", m)
		}
		c.inv.Errf("\npkg uninstall: %s", strings.Join(lines, "\n"))
		return exitOops
	}
	if len(opts["q"]) == 0 {
		c.printPlan(changes, len(opts["v"]) > 0)
	}
	if len(opts["n"]) > 0 {
		return exitOK
	}
	return c.apply(changes, false)
}

// sortedInstalled returns the installed package names, sorted.
func sortedInstalled(img *image) []string {
	names := make([]string, 0, len(img.installed))
	for n := range img.installed {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// A listRow is one line of pkg list.
type listRow struct {
	name, publisher, version, timestamp, flags string
}

func (c *cmd) list(opts map[string][]string, args []string) int {
	all, upgradable := len(opts["a"]) > 0, len(opts["u"]) > 0
	var rows []listRow
	if all {
		for _, pk := range c.catalog.Packages {
			if cur, ok := c.img.installed[pk.Name]; ok {
				rows = append(rows, listRow{pk.Name, cur.Publisher, cur.Version, cur.Timestamp, "i--"})
				continue
			}
			v := pk.newest()
			rows = append(rows, listRow{pk.Name, pk.Publisher, v.Version, v.Timestamp, "---"})
		}
	} else {
		for _, name := range sortedInstalled(c.img) {
			cur := c.img.installed[name]
			if upgradable {
				pk := c.catalog.lookup(name)
				if pk == nil || compareVersions(pk.newest().Version, cur.Version) <= 0 {
					continue
				}
			}
			rows = append(rows, listRow{name, cur.Publisher, cur.Version, cur.Timestamp, "i--"})
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].name < rows[j].name })
	var selected []listRow
	var unmatched []string
	if len(args) == 0 {
		selected = rows
	} else {
		keep := map[int]bool{}
		for _, a := range args {
			p := parsePattern(a)
			found := false
			for i, r := range rows {
				if p.matchesName(r.name) && p.matchesVersion(r.version) && p.matchesPublisher(r.publisher) {
					keep[i], found = true, true
				}
			}
			if !found {
				unmatched = append(unmatched, a)
			}
		}
		for i, r := range rows {
			if keep[i] {
				selected = append(selected, r)
			}
		}
	}
	// -q prints nothing (pkg5 src/client.py list_inventory() gen(): "if quiet:
	// return"; client_api.py _list_inventory(): "if quiet: # Collect
	// nothing.", and "if not quiet" before "no packages installed").
	quiet := len(opts["q"]) > 0
	if len(selected) > 0 && !quiet {
		c.printList(selected, len(opts["H"]) > 0, len(opts["v"]) > 0)
	}
	switch {
	case len(unmatched) > 0:
		if !quiet {
			// The "inventory" error, after emsg(" ") (pkg5
			// src/client.py _emit_error_general_cb()).
			head := "no packages matching the following patterns are installed:"
			if all {
				head = "no known packages matching:"
			}
			c.inv.Errf(" \npkg list: %s\n  %s", head, strings.Join(unmatched, "\n  "))
		}
		if len(selected) > 0 {
			return exitPartial
		}
		return exitOops
	case len(selected) == 0 && upgradable:
		if !quiet {
			c.inv.Errf("pkg list: no packages have newer versions available")
		}
		return exitOops
	case len(selected) == 0:
		if !quiet {
			c.inv.Errf("pkg list: no packages installed")
		}
		return exitOops
	}
	return exitOK
}

// printList prints pkg list rows: "{0:49} {1:26} {2}" (name with
// " (publisher)" when not the first-ranked publisher, short version,
// flags), or with -v "{0:76} {1}" (full FMRI, flags).
func (c *cmd) printList(rows []listRow, noHeader, verbose bool) {
	first := c.img.firstPublisher()
	if verbose {
		if !noHeader {
			c.inv.Outf("%-76s %s\n", "FMRI", "IFO")
		}
		for _, r := range rows {
			c.inv.Outf("%-76s %s\n", fmt.Sprintf("pkg://%s/%s@%s:%s", r.publisher, r.name, r.version, r.timestamp), r.flags)
		}
		return
	}
	if !noHeader {
		c.inv.Outf("%-49s %-26s %s\n", "NAME (PUBLISHER)", "VERSION", "IFO")
	}
	for _, r := range rows {
		name := r.name
		if r.publisher != first {
			name += " (" + r.publisher + ")"
		}
		c.inv.Outf("%-49s %-26s %s\n", name, r.version, r.flags)
	}
}

func (c *cmd) info(opts map[string][]string, args []string) int {
	remote := len(opts["r"]) > 0
	type entry struct {
		name, publisher, summary, version, timestamp, state string
		size                                                int64
		installedAt                                         string
	}
	var entries []entry
	var notFound []string
	seen := map[string]bool{}
	add := func(e entry) {
		if !seen[e.name] {
			seen[e.name] = true
			entries = append(entries, e)
		}
	}
	fromInstalled := func(name string) entry {
		cur := c.img.installed[name]
		e := entry{name: name, publisher: cur.Publisher, version: cur.Version, timestamp: cur.Timestamp, state: "Installed", installedAt: cur.Installed}
		if pk := c.catalog.lookup(name); pk != nil {
			e.summary = pk.Summary
			if v, ok := pk.find(cur.Version); ok {
				e.size = v.Size
			}
		}
		return e
	}
	if len(args) == 0 && !remote {
		for _, n := range sortedInstalled(c.img) {
			add(fromInstalled(n))
		}
	}
	for _, a := range args {
		p := parsePattern(a)
		found := false
		if remote {
			for _, pk := range c.catalogMatches(p) {
				v := bestVersion(pk, p)
				state := "Not installed"
				if cur, ok := c.img.installed[pk.Name]; ok && cur.Version == v.Version {
					state = "Installed"
				}
				add(entry{name: pk.Name, publisher: pk.Publisher, summary: pk.Summary, version: v.Version, timestamp: v.Timestamp, state: state, size: v.Size})
				found = true
			}
		} else {
			for _, n := range sortedInstalled(c.img) {
				if p.matchesName(n) && p.matchesVersion(c.img.installed[n].Version) {
					add(fromInstalled(n))
					found = true
				}
			}
		}
		if !found {
			notFound = append(notFound, a)
		}
	}
	for i, e := range entries {
		if i > 0 {
			c.inv.Outf("\n")
		}
		release, branch, _ := strings.Cut(e.version, "-")
		fields := [][2]string{
			{"Name", e.name}, {"Summary", e.summary}, {"State", e.state}, {"Publisher", e.publisher},
			{"Version", release}, {"Branch", branch}, {"Packaging Date", formatTimestamp(e.timestamp)},
		}
		if e.installedAt != "" {
			if t, err := time.Parse(time.RFC3339, e.installedAt); err == nil {
				fields = append(fields, [2]string{"Last Install Time", t.Format("Mon Jan _2 15:04:05 2006")})
			}
		}
		fields = append(fields, [2]string{"Size", bytesToString(e.size)},
			[2]string{"FMRI", fmt.Sprintf("pkg://%s/%s@%s:%s", e.publisher, e.name, e.version, e.timestamp)})
		w := 0
		for _, f := range fields {
			w = max(w, len(f[0]))
		}
		for _, f := range fields {
			c.inv.Outf("%*s: %s\n", w, f[0], f[1])
		}
	}
	if len(notFound) > 0 {
		if len(entries) > 0 {
			c.inv.Errf("")
		}
		if remote {
			c.inv.Errf("pkg: info: no packages matching the following patterns you specified were\nfound in the catalog.  Try relaxing the patterns, refreshing, and/or\nexamining the catalogs:\n\n")
		} else {
			c.inv.Errf("pkg: info: no packages matching the following patterns you specified are\ninstalled on the system.  Try querying remotely instead:\n\n")
		}
		for _, n := range notFound {
			c.inv.Errf("        %s", n)
		}
		if len(entries) > 0 {
			return exitPartial
		}
		return exitOops
	}
	if len(entries) == 0 {
		c.inv.Errf("pkg: info: no packages installed")
		return exitOops
	}
	return exitOK
}

// formatTimestamp renders an FMRI timestamp like strftime("%c").
func formatTimestamp(ts string) string {
	t, err := time.Parse("20060102T150405Z", ts)
	if err != nil {
		return ts
	}
	return t.Format("Mon Jan _2 15:04:05 2006")
}

// bytesToString formats a size as pkg's misc.bytes_to_str() does
// ("1.52 MB").
func bytesToString(n int64) string {
	units := []string{"B", "kB", "MB", "GB", "TB"}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	return fmt.Sprintf("%.2f %s", f, units[i])
}

// originURI prints an origin the way pkg normalizes it (trailing slash).
func originURI(u string) string {
	if strings.HasSuffix(u, "/") {
		return u
	}
	return u + "/"
}

func (c *cmd) publisher(opts map[string][]string, args []string) int {
	noHeader := len(opts["H"]) > 0
	format := "default"
	if f := opts["F"]; len(f) > 0 {
		format = f[len(f)-1]
		if format != "tsv" && format != "default" {
			return c.usageError(fmt.Sprintf("Unrecognized format %s. Supported formats: default, tsv", format))
		}
	}
	pubs := c.img.publishers
	if len(args) > 0 {
		pubs = nil
		for _, a := range args {
			p := c.img.publisher(a)
			if p == nil {
				// pkg5 image.py Image.get_publisher() raises
				// UnknownPublisher, which client.py handle_errors() prints with
				// error(): "pkg: Unknown publisher 'NAME'.".
				return c.fail("Unknown publisher '%s'.", a)
			}
			pubs = append(pubs, *p)
		}
	}
	if format == "tsv" {
		// pkg5 src/modules/client/client_api.py _publisher_list(): the
		// tsv fields are those whose formats name "tsv" (the unnamed
		// attrs field is the default format's only), in the order
		// PUBLISHER STICKY SYSPUB ENABLED TYPE STATUS URI PROXY; a
		// line per origin.
		if !noHeader {
			c.inv.Outf("PUBLISHER\tSTICKY\tSYSPUB\tENABLED\tTYPE\tSTATUS\tURI\tPROXY\n")
		}
		for _, p := range pubs {
			for _, o := range p.Origins {
				c.inv.Outf("%s\t%t\tfalse\t%t\torigin\tonline\t%s\t-\n", p.Name, !p.NonSticky, !p.Disabled, originURI(o))
			}
			if len(p.Origins) == 0 {
				// client_api.py _publisher_list(): "if not origins and not
				// mirrors:" a line with empty TYPE, STATUS, URI
				// and PROXY.
				c.inv.Outf("%s\t%t\tfalse\t%t\t\t\t\t\n", p.Name, !p.NonSticky, !p.Disabled)
			}
		}
		return exitOK
	}
	if !noHeader {
		c.inv.Outf("%-14s %-12s %-8s %-2s %s %s\n", "PUBLISHER", "", "TYPE", "STATUS", "P", "LOCATION")
	}
	for _, p := range pubs {
		var attrs []string
		if p.NonSticky {
			attrs = append(attrs, "(non-sticky)")
		}
		if p.Disabled {
			attrs = append(attrs, "(disabled)")
		}
		for _, o := range p.Origins {
			c.inv.Outf("%-14s %-12s %-8s %-2s %s %s\n", p.Name, strings.Join(attrs, ", "), "origin", "online", "F", originURI(o))
		}
	}
	return exitOK
}

func (c *cmd) setPublisher(opts map[string][]string, args []string) int {
	if len(args) != 1 {
		return c.usageError("requires a publisher name")
	}
	name := args[0]
	add := append(append([]string{}, opts["g"]...), opts["add-origin"]...)
	remove := append(append([]string{}, opts["G"]...), opts["remove-origin"]...)
	p := c.img.publisher(name)
	if p == nil {
		if len(add) == 0 {
			// [derived] pkg5 needs an origin to add a new publisher.
			return c.fail("set-publisher: Publisher '%s' has no origin; use -g to add one.", name)
		}
		c.img.publishers = append(c.img.publishers, Publisher{Name: name})
		p = &c.img.publishers[len(c.img.publishers)-1]
	}
	for _, r := range remove {
		if r == "*" {
			p.Origins = nil
			continue
		}
		kept := p.Origins[:0]
		found := false
		for _, o := range p.Origins {
			if originURI(o) == originURI(r) {
				found = true
				continue
			}
			kept = append(kept, o)
		}
		if !found {
			return c.fail("set-publisher: Origin URI '%s' does not exist for publisher '%s'.", originURI(r), name)
		}
		p.Origins = kept
	}
	// pkg5 src/modules/client/client_api.py _add_update_pub(): an origin the publisher
	// has already raises DuplicateRepositoryOrigin (publisher.py
	// Repository.add_origin(), compared after RepositoryURI's
	// trailing-slash normalisation), which fails the command
	// (_set_pub_error_wrap(): EXIT_OOPS, "\n" + str(e), printed by
	// client.py publisher_set() without a "pkg" prefix) unless --enable
	// or --disable makes it an update of that origin.
	enableOrDisable := len(opts["e"])+len(opts["enable"])+len(opts["d"])+len(opts["disable"]) > 0
	for _, a := range add {
		dup := false
		for _, o := range p.Origins {
			if originURI(o) == originURI(a) {
				dup = true
			}
		}
		if dup && !enableOrDisable {
			c.inv.Errf("\nOrigin '%s' already exists for the specified publisher.", originURI(a))
			return exitOops
		}
		if !dup {
			p.Origins = append(p.Origins, a)
		}
	}
	if len(opts["non-sticky"]) > 0 {
		p.NonSticky = true
	}
	if len(opts["sticky"]) > 0 {
		p.NonSticky = false
	}
	if len(opts["d"]) > 0 || len(opts["disable"]) > 0 {
		p.Disabled = true
	}
	if len(opts["e"]) > 0 || len(opts["enable"]) > 0 {
		p.Disabled = false
	}
	if len(opts["P"]) > 0 || len(opts["search-first"]) > 0 {
		moved := *p
		rest := []Publisher{moved}
		for _, x := range c.img.publishers {
			if x.Name != name {
				rest = append(rest, x)
			}
		}
		c.img.publishers = rest
	}
	if err := c.img.save(); err != nil {
		return c.fail("%v", err)
	}
	return exitOK
}

func (c *cmd) unsetPublisher(opts map[string][]string, args []string) int {
	if len(args) == 0 {
		return c.usageError("at least one publisher must be specified")
	}
	// pkg5 src/modules/client/client_api.py _publisher_unset(): each publisher is removed
	// on its own; the failures are reported together, "\nRemoval failed
	// for '{pub}': {msg}\n" each, through _error_json(cmd=op), and the
	// exit is EXIT_OOPS when all failed, EXIT_PARTIAL when some did.
	var failed []string
	for _, name := range args {
		if c.img.publisher(name) == nil {
			failed = append(failed, name)
			continue
		}
		var kept []Publisher
		for _, p := range c.img.publishers {
			if p.Name != name {
				kept = append(kept, p)
			}
		}
		c.img.publishers = kept
	}
	if len(failed) < len(args) {
		if err := c.img.save(); err != nil {
			return c.fail("%v", err)
		}
	}
	if len(failed) > 0 {
		var txt strings.Builder
		for _, name := range failed {
			fmt.Fprintf(&txt, "\nRemoval failed for '%s': Unknown publisher '%s'.\n", name, name)
		}
		text := strings.TrimPrefix(txt.String(), "\n")
		c.inv.Errf("\npkg unset-publisher: %s", text)
		if len(failed) == len(args) {
			return exitOops
		}
		return exitPartial
	}
	return exitOK
}

func (c *cmd) refresh(opts map[string][]string, args []string) int {
	for _, a := range args {
		if c.img.publisher(a) == nil {
			return c.fail("refresh: Unknown publisher '%s'.", a)
		}
	}
	return exitOK
}

// fullUsage is pkg's help text for the implemented subcommands.
// [derived: pkg5 prints more subcommands and options]
const fullUsage = `Usage:
        pkg [options] command [cmd_options] [operands]

Basic subcommands:
        pkg install [-nvq] [--accept] [--no-backup-be] [--be-name name]
            pkg_fmri_pattern ...
        pkg uninstall [-nvq] pkg_fmri_pattern ...
        pkg update [-fnvq] [--accept] [pkg_fmri_pattern ...]
        pkg list [-Hafnqsuv] [pkg_fmri_pattern ...]
        pkg refresh [--full] [publisher ...]

Advanced subcommands:
        pkg info [-lr] [pkg_fmri_pattern ...]
        pkg publisher [-HPn] [-F format] [publisher ...]
        pkg set-publisher [-Ped] [-g origin_to_add|--add-origin=origin_to_add ...]
            [-G origin_to_remove|--remove-origin=origin_to_remove ...]
            [--non-sticky] [--sticky] [--search-first] publisher
        pkg unset-publisher publisher ...

Options:
        -R dir
`
