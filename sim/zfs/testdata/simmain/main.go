// Command simmain is a reduced illumos-sim for the tests of sim/zfs,
// sim/dladm, sim/pkg and sim/rbac: it runs zfs, zpool, dladm, pkg and
// pfexec, and "simmain init ROOT" creates the users, the pool, the links
// and the package image. The tests build it when the full illumos-sim
// (which also needs sim/zones) does not compile.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/dladm"
	"github.com/zonemgr/zonemgr/sim/pkg"
	"github.com/zonemgr/zonemgr/sim/rbac"
	"github.com/zonemgr/zonemgr/sim/zfs"
)

var tools = map[string]func(*core.Invocation) int{
	"zfs": zfs.Main, "zpool": zfs.Main, "pfexec": rbac.Main, "dladm": dladm.Main, "pkg": pkg.Main,
}

func main() {
	args := os.Args
	name := filepath.Base(args[0])
	if name == "simmain" {
		if len(args) == 3 && args[1] == "init" {
			if err := os.MkdirAll(filepath.Join(args[2], core.SimDir), 0o755); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			for _, step := range []func(string) error{rbac.Init, zfs.Init, dladm.Init, pkg.Init} {
				if err := step(args[2]); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
			}
			os.Exit(0)
		}
		name, args = args[1], args[1:]
	}
	tool, ok := tools[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "simmain: unknown command %q\n", name)
		os.Exit(2)
	}
	if zone := os.Getenv(core.EnvZone); zone != "" {
		os.Exit(tool(&core.Invocation{
			Root: "/", Tool: name, Args: args[1:], Zone: zone,
			Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		}))
	}
	uid, _ := strconv.Atoi(os.Getenv(core.EnvUID))
	root := os.Getenv(core.EnvRoot)
	inv := &core.Invocation{
		Root: root, Tool: name, Args: args[1:],
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		UID: uid, Pfexec: os.Getenv(core.EnvPfexec) == "1",
	}
	start := time.Now()
	code := tool(inv)
	core.AppendLog(root, core.LogEntry{
		Start: start.UTC(), Argv: append([]string{name}, inv.Args...), Tool: name,
		Sub: inv.Sub, Exit: code, Mutating: inv.Mutating, Injected: inv.Injected(),
		UID: uid, Pfexec: inv.Pfexec, PID: os.Getpid(), PPID: os.Getppid(),
	})
	os.Exit(code)
}
