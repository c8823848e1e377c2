// Package modules is zonemgr's front doors' way into the zone engine. A
// [Caller] makes one typed call per module (GIZ, DIZ, Snapshot, Exec,
// Info, GC) and returns a typed [Reply]; the command line calls it
// directly, and each module's [Definition] (zone_giz, zone_diz, ...)
// turns an Ansible task's validated arguments into the same call, which
// the module binaries (modules/zone_*/main.go) and zonemgr play run. So
// the three doors cannot disagree, and JSON exists only at a module
// binary's edge.
package modules

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/config"
	"github.com/zonemgr/zonemgr/internal/jsonv"
	"github.com/zonemgr/zonemgr/internal/zone"
)

// All returns every module, by name. It is a function, not a variable,
// so that a module binary, which never calls it, links only its own
// module's code.
func All() map[string]*Definition {
	return map[string]*Definition{
		"zone_giz":      ZoneGIZ(),
		"zone_diz":      ZoneDIZ(),
		"zone_snapshot": ZoneSnapshot(),
		"zone_exec":     ZoneExec(),
		"zone_info":     ZoneInfo(),
		"zone_gc":       ZoneGC(),
	}
}

// Bind returns every module as Ansible's protocol runs it, each making
// its calls with o.
func Bind(o Options) map[string]*ansible.Module {
	c := NewCaller(o)
	all := All()
	out := make(map[string]*ansible.Module, len(all))
	for name, d := range all {
		out[name] = d.Bind(c)
	}
	return out
}

// Collection is the Ansible collection the modules ship in; tasks may name
// a module by its short name or as Collection + "." + name.
const Collection = "illumos.zonemgr"

// Main runs a module binary: when not run as root it first re-executes
// itself once under pfexec (ELEVATE_CMD), so that every command it starts
// is checked against the user's RBAC profiles; then it speaks Ansible's
// binary-module protocol. It returns the exit status for os.Exit. With
// ZONEMGR_TRACE set it appends the run's trace line (see [TraceEnv]).
func Main(d *Definition) int {
	t := StartTrace(d.Spec.Module, os.Environ())
	if len(os.Args) < 2 || (os.Args[1] != "--help" && os.Args[1] != "-h") {
		if _, err := zone.Elevate(os.Args, os.Environ()); err != nil {
			b, _ := jsonv.Marshal(map[string]any{"failed": true, "changed": false, "msg": err.Error()})
			fmt.Println(string(b))
			return 1
		}
	}
	code := ansible.MainContext(context.Background(), d.Bind(NewCaller(Options{Trace: t})))
	if err := t.Finish(code); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", d.Spec.Module, err)
	}
	return code
}

// RunModule runs a module as its binary does, for "zonemgr module
// [--config FILE]... NAME [ARGS.json]" (zonemgr play runs a task that
// has an environment this way, in a process of its own): the args file,
// or the args on standard input; one JSON object on stdout; the exit
// status returned. The caller has elevated privileges already; t is the
// run's trace (nil: none).
func RunModule(ctx context.Context, t *Trace, argv []string, stdin io.Reader, stdout io.Writer) int {
	var files []string
	for len(argv) >= 2 && argv[0] == "--config" {
		files, argv = append(files, argv[1]), argv[2:]
	}
	if len(argv) < 1 || len(argv) > 2 {
		b, _ := jsonv.Marshal(map[string]any{"failed": true, "changed": false, "msg": "usage: zonemgr module [--config FILE]... NAME [ARGS.json]"})
		fmt.Fprintln(stdout, string(b))
		return 1
	}
	d := All()[strings.TrimPrefix(argv[0], Collection+".")]
	if d == nil {
		b, _ := jsonv.Marshal(map[string]any{"failed": true, "changed": false, "msg": fmt.Sprintf("module %q is not one of zonemgr's", argv[0])})
		fmt.Fprintln(stdout, string(b))
		return 1
	}
	o := Options{Trace: t}
	if len(files) > 0 {
		cfg, warns, err := config.Load(config.LoadOptions{Extra: files})
		if err != nil {
			b, _ := jsonv.Marshal(map[string]any{"failed": true, "changed": false, "msg": err.Error()})
			fmt.Fprintln(stdout, string(b))
			return 1
		}
		o.Config = cfg
		for _, w := range warns {
			o.ConfigWarnings = append(o.ConfigWarnings, w.String())
		}
	}
	return ansible.MainArgs(ctx, d.Bind(NewCaller(o)), argv[1:], stdin, stdout)
}
