// Command illumos-sim is the simulated illumos global zone: one multi-call
// binary that behaves as zonecfg, zoneadm, zlogin, zfs, zpool, pkg, dladm,
// pfexec, svcs, svcadm and pgrep, depending on the name it is started under.
//
//	illumos-sim init [--flavor omnios|openindiana] ROOT
//	                             create a fresh global zone under ROOT
//	illumos-sim links DIR        create the command names in DIR
//	illumos-sim TOOL ARGS...     run one tool without a link
//
// ILLUMOS_SIM_ROOT selects the state root for the tools; "illumos-sim
// --help" lists every environment variable the sim reads.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/dladm"
	"github.com/zonemgr/zonemgr/sim/pkg"
	"github.com/zonemgr/zonemgr/sim/rbac"
	"github.com/zonemgr/zonemgr/sim/zfs"
	"github.com/zonemgr/zonemgr/sim/zones"
)

// tools maps each command name to its implementation.
var tools = map[string]func(*core.Invocation) int{
	"zfs":     zfs.Main,
	"zpool":   zfs.Main,
	"zonecfg": zones.Main,
	"zoneadm": zones.Main,
	"zlogin":  zones.Main,
	"svcs":    zones.Main,
	"svcadm":  zones.Main,
	"dladm":   dladm.Main,
	"pkg":     pkg.Main,
	"pfexec":  rbac.Main,
	"pgrep":   zones.Main,
}

// initSteps create a fresh global zone, in order.
var initSteps = []func(root string) error{
	rbac.Init,      // etc/passwd, shadow, group, user_attr, RBAC profiles
	zfs.Init,       // pool rpool, rpool/ROOT, rpool/zones
	rbac.InitHomes, // the build users' home directories
	zones.Init,     // etc/zones/index, templates
	dladm.Init,     // e1000g0, stub0
	pkg.Init,       // package catalog and publisher
}

func main() {
	os.Exit(run(os.Args))
}

func run(args []string) int {
	name := filepath.Base(args[0])
	if name == "illumos-sim" {
		if len(args) < 2 {
			usage()
			return 2
		}
		switch args[1] {
		case "init":
			return initRoot(args[2:])
		case "links":
			return makeLinks(args[2:])
		case "-h", "--help", "help":
			fmt.Fprint(os.Stdout, usageText)
			return 0
		}
		name, args = args[1], args[1:]
	}
	tool, ok := tools[name]
	if t := zones.UserlandTool(name); t != nil && os.Getenv(core.EnvZone) != "" {
		tool, ok = t, true // a zone's own command (hostname, init, zfs, ...)
	}
	if !ok {
		fmt.Fprintf(os.Stderr, "illumos-sim: unknown command %q\n", name)
		return 2
	}
	if zone := os.Getenv(core.EnvZone); zone != "" {
		// Inside a zone (started by zlogin, chrooted): the zone root is "/".
		return tool(&core.Invocation{
			Root: "/", Tool: name, Args: args[1:], Zone: zone,
			Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		})
	}
	root := os.Getenv(core.EnvRoot)
	if root == "" {
		fmt.Fprintf(os.Stderr, "%s: %s is not set (illumos-sim init ROOT first)\n", name, core.EnvRoot)
		return 1
	}
	root, err := filepath.Abs(root)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		return 1
	}
	if _, err := os.Stat(filepath.Join(root, core.SimDir)); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %s=%s is not a sim root (illumos-sim init it first)\n", name, core.EnvRoot, root)
		return 1
	}
	if _, err := core.ReadFlavor(root); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		return 1
	}
	uid := 0
	if s := os.Getenv(core.EnvUID); s != "" {
		if uid, err = strconv.Atoi(s); err != nil || uid < 0 {
			fmt.Fprintf(os.Stderr, "%s: %s=%q is not a uid\n", name, core.EnvUID, s)
			return 1
		}
	}
	inv := &core.Invocation{
		Root:   root,
		Tool:   name,
		Args:   args[1:],
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		UID:    uid,
		Pfexec: os.Getenv(core.EnvPfexec) == "1",
	}
	start := time.Now()
	code := tool(inv)
	core.AppendLog(root, core.LogEntry{
		Start:    start.UTC(),
		Argv:     append([]string{name}, inv.Args...),
		Tool:     name,
		Sub:      inv.Sub,
		Exit:     code,
		Mutating: inv.Mutating,
		Injected: inv.Injected(),
		UID:      uid,
		Pfexec:   inv.Pfexec,
		DurUS:    time.Since(start).Microseconds(),
		PID:      os.Getpid(),
		PPID:     os.Getppid(),
	})
	return code
}

// initUsage is the usage of "illumos-sim init".
var initUsage = "usage: illumos-sim init [--flavor " + core.FlavorNames("|") + "] ROOT\n" +
	"  --flavor F   the distribution to imitate where OmniOS and OpenIndiana differ\n" +
	"               (default " + string(core.DefaultFlavor) + ", or $" + core.EnvFlavor + " when set)\n"

// parseInitArgs reads "init"'s arguments: --flavor F (or --flavor=F),
// -h/--help, "--" ending the options, and exactly one ROOT. Anything else
// that starts with "-" is an unknown option, never a path.
func parseInitArgs(args []string) (flavor string, root string, help bool, err error) {
	var operands []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			operands = append(operands, args[i+1:]...)
			i = len(args)
		case a == "-h" || a == "--help":
			return "", "", true, nil
		case a == "--flavor":
			if i+1 >= len(args) {
				return "", "", false, fmt.Errorf("option %s needs a value (%s)", a, core.FlavorNames("|"))
			}
			flavor = args[i+1]
			i++
		case strings.HasPrefix(a, "--flavor="):
			flavor = strings.TrimPrefix(a, "--flavor=")
		case strings.HasPrefix(a, "-") && a != "-":
			return "", "", false, fmt.Errorf("unknown option %s", a)
		default:
			operands = append(operands, a)
		}
	}
	if len(operands) != 1 {
		return "", "", false, fmt.Errorf("want exactly one ROOT, got %d arguments", len(operands))
	}
	return flavor, operands[0], false, nil
}

func initRoot(args []string) int {
	name, rootArg, help, err := parseInitArgs(args)
	if help {
		fmt.Fprint(os.Stdout, initUsage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "illumos-sim init: %v\n%s", err, initUsage)
		return 2
	}
	if name == "" {
		name = os.Getenv(core.EnvFlavor)
	}
	flavor := core.DefaultFlavor
	if name != "" {
		if flavor, err = core.ParseFlavor(name); err != nil {
			fmt.Fprintf(os.Stderr, "illumos-sim init: %v\n%s", err, initUsage)
			return 2
		}
	}
	root, err := filepath.Abs(rootArg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "illumos-sim init: %v\n", err)
		return 1
	}
	if entries, err := os.ReadDir(root); err == nil && len(entries) > 0 {
		fmt.Fprintf(os.Stderr, "illumos-sim init: %s is not empty\n", root)
		return 1
	}
	if err := os.MkdirAll(filepath.Join(root, core.SimDir), 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "illumos-sim init: %v\n", err)
		return 1
	}
	// The flavour is recorded first: every init step reads it.
	if err := core.WriteFlavor(root, flavor); err != nil {
		fmt.Fprintf(os.Stderr, "illumos-sim init: %v\n", err)
		return 1
	}
	for _, step := range initSteps {
		if err := step(root); err != nil {
			fmt.Fprintf(os.Stderr, "illumos-sim init: %v\n", err)
			return 1
		}
	}
	return 0
}

// linksUsage is the usage of "illumos-sim links".
const linksUsage = "usage: illumos-sim links DIR\n" +
	"  create zonecfg, zoneadm, zlogin, zfs, zpool, pkg, dladm, pfexec, svcs,\n" +
	"  svcadm and pgrep in DIR, each a symbolic link to this binary\n"

func makeLinks(args []string) int {
	var operands []string
scan:
	for i, a := range args {
		switch {
		case a == "-h" || a == "--help":
			fmt.Fprint(os.Stdout, linksUsage)
			return 0
		case a == "--":
			operands = append(operands, args[i+1:]...)
			break scan
		case strings.HasPrefix(a, "-") && a != "-":
			fmt.Fprintf(os.Stderr, "illumos-sim links: unknown option %s\n%s", a, linksUsage)
			return 2
		default:
			operands = append(operands, a)
		}
	}
	if len(operands) != 1 {
		fmt.Fprint(os.Stderr, linksUsage)
		return 2
	}
	args = operands
	self, err := os.Executable()
	if err == nil {
		self, err = filepath.EvalSymlinks(self)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "illumos-sim links: %v\n", err)
		return 1
	}
	if err := os.MkdirAll(args[0], 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "illumos-sim links: %v\n", err)
		return 1
	}
	names := make([]string, 0, len(tools))
	for n := range tools {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		link := filepath.Join(args[0], n)
		os.Remove(link)
		if err := os.Symlink(self, link); err != nil {
			fmt.Fprintf(os.Stderr, "illumos-sim links: %v\n", err)
			return 1
		}
	}
	return 0
}

func usage() {
	fmt.Fprint(os.Stderr, usageText)
}

// envVars are the environment variables the sim reads (core.Env*,
// zones.EnvBootDelay, zones.EnvAudit, and PATH and TERM as the real tools
// read them), one line each in the usage.
var envVars = [][2]string{
	{core.EnvRoot, "the state root (required by the tools)"},
	{core.EnvUID, "a non-zero uid makes the caller an ordinary user"},
	{core.EnvFail, `failure injection, one "TOOL SUB#N[:exit=N][:hang=S][:msg=TEXT]" or "TOOL SUB#N:wait=FILE" per line`},
	{zones.EnvBootDelay, `seconds (default 0) before a booted zone's milestones come online ("offline*" until then)`},
	{zones.EnvAudit, `"on": BSM auditing in the zones, so a zlogin that runs its command through su exits 0`},
	{core.EnvFlavor, "the flavour init uses when --flavor is not given"},
	{core.EnvPfexec, "set to 1 by the simulated pfexec for the command it runs (internal)"},
	{core.EnvZone, "set by the simulated zlogin for the command it runs in a zone (internal)"},
	{"PATH", "where pfexec finds the command it runs, as on illumos"},
	{"TERM", "passed by zlogin to the command it runs in a zone, as on illumos"},
}

// usageText is the usage of illumos-sim.
var usageText = func() string {
	var b strings.Builder
	b.WriteString(`usage:
  illumos-sim init [--flavor ` + core.FlavorNames("|") + `] ROOT
                             create a fresh simulated global zone under ROOT,
                             imitating OmniOS (the default) or OpenIndiana
  illumos-sim links DIR      create zonecfg, zoneadm, zlogin, zfs, zpool, pkg,
                             dladm, pfexec, svcs, svcadm and pgrep in DIR
  illumos-sim TOOL ARGS...   run one simulated tool
  illumos-sim help           print this text (also -h, --help)

Environment:
`)
	for _, e := range envVars {
		fmt.Fprintf(&b, "  %-23s %s\n", e[0], e[1])
	}
	return b.String()
}()
