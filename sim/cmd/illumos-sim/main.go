// Command illumos-sim is the simulated illumos global zone: one multi-call
// binary that behaves as zonecfg, zoneadm, zlogin, zfs, zpool, pkg, dladm,
// pfexec, svcs and svcadm, depending on the name it is started under.
//
//	illumos-sim init ROOT        create a fresh global zone under ROOT
//	illumos-sim links DIR        create the command names in DIR
//	illumos-sim TOOL ARGS...     run one tool without a link
//
// ILLUMOS_SIM_ROOT selects the state root for the tools.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
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
}

// initSteps create a fresh global zone, in order.
var initSteps = []func(root string) error{
	rbac.Init,  // etc/passwd, shadow, group, user_attr, RBAC profiles
	zfs.Init,   // pool rpool, rpool/ROOT, rpool/zones
	zones.Init, // etc/zones/index, templates
	dladm.Init, // e1000g0, stub0
	pkg.Init,   // package catalog and publisher
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
			usage()
			return 0
		}
		name, args = args[1], args[1:]
	}
	tool, ok := tools[name]
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

func initRoot(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: illumos-sim init ROOT")
		return 2
	}
	root, err := filepath.Abs(args[0])
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
	for _, step := range initSteps {
		if err := step(root); err != nil {
			fmt.Fprintf(os.Stderr, "illumos-sim init: %v\n", err)
			return 1
		}
	}
	return 0
}

func makeLinks(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: illumos-sim links DIR")
		return 2
	}
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
	fmt.Fprint(os.Stderr, `usage:
  illumos-sim init ROOT      create a fresh simulated global zone under ROOT
  illumos-sim links DIR      create zonecfg, zoneadm, zlogin, zfs, zpool, pkg,
                             dladm, pfexec, svcs and svcadm in DIR
  illumos-sim TOOL ARGS...   run one simulated tool

Environment:
  ILLUMOS_SIM_ROOT   the state root (required by the tools)
  ILLUMOS_SIM_UID    a non-zero uid makes the caller an ordinary user
  ILLUMOS_SIM_FAIL   failure injection, one "TOOL SUB#N[:exit=N][:hang=S][:msg=TEXT]" per line
`)
}
