// Command zonemgr is zonemgr's command line: `zonemgr play TASKS.yml`
// runs a YAML file of module tasks (package runner/play), and every
// other command line is the classic `zonemgr VERB [OPTIONS]` of the
// original illumos-zonemgr script (package runner/cli). When not run as
// root it first re-executes itself once under pfexec (ELEVATE_CMD), and
// SIGINT or SIGTERM cancel the running module, which cleans up, before
// zonemgr exits 130 or 143. With ZONEMGR_TRACE set it appends the
// run's trace line (see modules.TraceEnv). Its zfs destroys, rollbacks
// and property sets go through go-zfs (package internal/zfs/gozfs, which
// it alone registers); the module binaries run the same argv through
// their runner, and do not link go-zfs. It hashes the golden image streams
// it exports and imports with crypto/sha256 (digest.Register).
package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"slices"

	"github.com/zonemgr/zonemgr/internal/digest"
	"github.com/zonemgr/zonemgr/internal/zfs/gozfs"
	"github.com/zonemgr/zonemgr/internal/zone"
	"github.com/zonemgr/zonemgr/modules"
	"github.com/zonemgr/zonemgr/runner/cli"
	"github.com/zonemgr/zonemgr/runner/play"
)

func main() {
	digest.Register(sha256.New)
	os.Exit(run(os.Args))
}

// run runs zonemgr with argv and returns its exit status.
func run(argv []string) int {
	t := modules.StartTrace("zonemgr", os.Environ())
	code := runTraced(context.Background(), t, argv)
	if err := t.Finish(code); err != nil {
		fmt.Fprintf(os.Stderr, "zonemgr: %v\n", err)
	}
	return code
}

// runTraced is run with the run's trace t (nil: not traced).
func runTraced(ctx context.Context, t *modules.Trace, argv []string) int {
	args := argv[1:]
	if !wantsHelp(args) {
		if _, err := zone.Elevate(argv, os.Environ()); err != nil {
			fmt.Fprintf(os.Stderr, "zonemgr: error: %v\n", err)
			return cli.ExitFailure
		}
	}
	gozfs.Register()
	ctx, stop := cli.SignalContext(ctx)
	var code int
	if len(args) > 0 && args[0] == "module" {
		if len(args) == 2 && (args[1] == "-h" || args[1] == "--help") {
			fmt.Fprint(os.Stdout, moduleUsage)
			return 0
		}
		code = modules.RunModule(ctx, t, args[1:], os.Stdin, os.Stdout)
	} else if len(args) > 0 && args[0] == "play" {
		code = play.Main(ctx, t, args[1:], os.Stdout, os.Stderr)
	} else {
		code = cli.Main(ctx, t, args, os.Stdout, os.Stderr)
	}
	if sig := stop(); sig != 0 {
		return sig
	}
	return code
}

// moduleUsage is the usage of "zonemgr module", which zonemgr play uses
// to run a task that has an environment in a process of its own.
const moduleUsage = `usage: zonemgr module [--config FILE]... NAME [ARGS.json]

Runs the module NAME (zone_giz, zone_diz, ..., or illumos.zonemgr.NAME) as
its binary does: its arguments from the JSON file ARGS.json, or from
standard input, and one JSON object, its result, on standard output.
`

// wantsHelp tells whether the command line only asks for help (or is
// empty), which needs no privileges.
func wantsHelp(args []string) bool {
	return len(args) == 0 || slices.ContainsFunc(args, func(a string) bool {
		return a == "-h" || a == "-help" || a == "--help"
	})
}
