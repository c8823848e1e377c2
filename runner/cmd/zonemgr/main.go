// Command zonemgr is zonemgr's command line: `zonemgr play TASKS.yml`
// runs a YAML file of module tasks (package runner/play), and every
// other command line is the classic `zonemgr VERB [OPTIONS]` of the
// original illumos-zonemgr script (package runner/cli). When not run as
// root it first re-executes itself once under pfexec (ELEVATE_CMD), and
// SIGINT or SIGTERM cancel the running module, which cleans up, before
// zonemgr exits 130 or 143. With ZONEMGR_TRACE set it appends the
// run's trace line (see modules.TraceEnv).
package main

import (
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/zonemgr/zonemgr/internal/zone"
	"github.com/zonemgr/zonemgr/modules"
	"github.com/zonemgr/zonemgr/runner/cli"
	"github.com/zonemgr/zonemgr/runner/play"
)

func main() {
	os.Exit(run(os.Args))
}

// run runs zonemgr with argv and returns its exit status.
func run(argv []string) int {
	t := modules.StartTrace("zonemgr", os.Environ())
	code := runTraced(modules.WithTrace(context.Background(), t), argv)
	if err := t.Finish(code); err != nil {
		fmt.Fprintf(os.Stderr, "zonemgr: %v\n", err)
	}
	return code
}

// runTraced is run under the context that carries the run's trace.
func runTraced(ctx context.Context, argv []string) int {
	args := argv[1:]
	if !wantsHelp(args) {
		if _, err := zone.Elevate(argv, os.Environ()); err != nil {
			fmt.Fprintf(os.Stderr, "zonemgr: error: %v\n", err)
			return cli.ExitFailure
		}
	}
	zone.PrepareProcess()
	ctx, stop := cli.SignalContext(ctx)
	var code int
	if len(args) > 0 && args[0] == "module" {
		code = modules.RunModule(ctx, args[1:], os.Stdin, os.Stdout)
	} else if len(args) > 0 && args[0] == "play" {
		code = play.Main(ctx, args[1:], os.Stdout, os.Stderr)
	} else {
		code = cli.Main(ctx, args, os.Stdout, os.Stderr)
	}
	if sig := stop(); sig != 0 {
		return sig
	}
	return code
}

// wantsHelp tells whether the command line only asks for help (or is
// empty), which needs no privileges.
func wantsHelp(args []string) bool {
	return len(args) == 0 || slices.ContainsFunc(args, func(a string) bool {
		return a == "-h" || a == "-help" || a == "--help"
	})
}
