// Package modules defines zonemgr's Ansible modules — zone_giz, zone_diz
// and the others — as argument specs plus run functions over the zone
// engine. The module binaries (modules/zone_*/main.go) and the zonemgr
// command (runner/) both run these definitions, so the three front doors
// cannot disagree.
package modules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/config"
	"github.com/zonemgr/zonemgr/internal/zone"
)

// Options are what a front door passes to a module run beyond its
// arguments: the configuration it loaded (a module binary, passed none,
// loads it), where live output goes, and a printer for each command run
// (for -v).
type Options struct {
	Config         *config.Config
	ConfigWarnings []string
	Stdout         io.Writer
	Stderr         io.Writer
	OnCommand      func(zone.CommandRecord)
}

type optionsKey struct{}

// WithOptions returns a context carrying front-door options for modules.
func WithOptions(ctx context.Context, o Options) context.Context {
	return context.WithValue(ctx, optionsKey{}, o)
}

func optionsFrom(ctx context.Context) Options {
	o, _ := ctx.Value(optionsKey{}).(Options)
	return o
}

// A run is one module call's view of the global zone.
type run struct {
	module     string
	host       *zone.Host
	transcript *zone.Transcript
	warnings   []string
}

// newRun builds the host for one module call, with the configuration the
// front door loaded (or, for a module binary, loads it).
func newRun(ctx context.Context, module string, p *ansible.Params) (*run, error) {
	o := optionsFrom(ctx)
	cfg, warnings := o.Config, o.ConfigWarnings
	if cfg == nil {
		c, warns, err := config.Load(config.LoadOptions{})
		if err != nil {
			return nil, err
		}
		cfg = c
		for _, w := range warns {
			warnings = append(warnings, w.String())
		}
	}
	r := &run{module: module, warnings: warnings}
	live := o.OnCommand
	if t := traceFrom(ctx); t != nil {
		live = func(e zone.CommandRecord) {
			t.add(e)
			if o.OnCommand != nil {
				o.OnCommand(e)
			}
		}
	}
	s, err := settings(cfg)
	if err != nil {
		return nil, err
	}
	r.host, r.transcript = zone.Connect(cfg.Root, s, p.CheckMode, live, o.Stdout, o.Stderr)
	return r, nil
}

// settings maps the configuration to the engine's settings.
func settings(cfg *config.Config) (zone.Settings, error) {
	s := zone.DefaultSettings()
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&s.GIZContainer, cfg.ContainerGIZ)
	set(&s.DIZContainer, cfg.ContainerDIZ)
	set(&s.GIZMountpoint, cfg.ContainerGIZMountpoint)
	set(&s.DIZMountpoint, cfg.ContainerDIZMountpoint)
	set(&s.GIZCompression, cfg.GIZCompression)
	set(&s.DIZCompression, cfg.DIZCompression)
	set(&s.GIZDedup, cfg.GIZDedup)
	set(&s.DIZDedup, cfg.DIZDedup)
	set(&s.DelegatedParent, cfg.DelegatedParent)
	set(&s.BrandGIZ, cfg.BrandGIZ)
	set(&s.TemplateGIZ, cfg.TemplateGIZ)
	set(&s.GIZPrefix, cfg.GIZNamePrefix)
	set(&s.DIZPrefix, cfg.DIZNamePrefix)
	if cfg.JournalDir != "" {
		s.StateDir = filepath.Dir(cfg.JournalDir)
	}
	if cfg.BootTimeout > 0 {
		s.BootTimeout = cfg.BootTimeout
	}
	return s, nil
}

// result turns an engine outcome (or failure) into the module's result.
func (r *run) result(p *ansible.Params, out *zone.Outcome, err error) (*ansible.Result, error) {
	res := &ansible.Result{Values: map[string]any{}}
	res.Warnings = append(res.Warnings, r.warnings...)
	if out != nil {
		for k, v := range out.Values {
			res.Values[k] = v
		}
		res.Warnings = append(res.Warnings, out.Warnings...)
		res.Changed = out.Changed
		res.Msg = out.Msg
		res.Values["plan"] = nonNil(out.Plan)
		if p.Diff && out.Changed {
			res.Diff = map[string]any{
				"before": out.Before, "after": out.After,
				"before_header": "zone " + out.Zone, "after_header": "zone " + out.Zone,
			}
		}
	}
	res.Values["commands"] = r.commands()
	if err != nil {
		res.Failed = true
		res.Msg = zone.Phrase(err, namer(r.module))
		var ae *zone.ApplyError
		if errors.As(err, &ae) {
			res.Values["failed_step"] = ae.Step
			if ae.Command != nil {
				res.Values["failed_command"] = ae.Command.Argv
			}
			res.Values["stderr"] = ae.Stderr
			res.Values["exit_code"] = ae.ExitCode
			res.Values["cleaned_up"] = nonNil(ae.Undone)
			var ue []string
			for _, e := range ae.UndoErrs {
				ue = append(ue, e.Error())
			}
			res.Values["cleanup_errors"] = nonNil(ue)
		}
		return res, nil
	}
	if res.Msg == "" && out != nil {
		if out.Changed {
			res.Msg = fmt.Sprintf("zone %s: %d step(s) %s", out.Zone, len(out.Plan), map[bool]string{true: "would run", false: "ran"}[p.CheckMode])
		} else {
			res.Msg = fmt.Sprintf("zone %s: nothing to change", out.Zone)
		}
	}
	return res, nil
}

func (r *run) commands() []map[string]any {
	out := []map[string]any{}
	for _, e := range r.transcript.Entries() {
		out = append(out, map[string]any{"cmd": e.String()})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// All maps every module's name to its definition, for the in-process
// front doors (zonemgr play and the command line).
var All = map[string]*ansible.Module{
	"zone_giz":      ZoneGIZ,
	"zone_diz":      ZoneDIZ,
	"zone_snapshot": ZoneSnapshot,
	"zone_exec":     ZoneExec,
	"zone_info":     ZoneInfo,
	"zone_gc":       ZoneGC,
}

// Collection is the Ansible collection the modules ship in; tasks may name
// a module by its short name or as Collection + "." + name.
const Collection = "illumos.zonemgr"

// Main runs a module binary: when not run as root it first re-executes
// itself once under pfexec (ELEVATE_CMD), so that every command it starts
// is checked against the user's RBAC profiles; then it speaks Ansible's
// binary-module protocol. It returns the exit status for os.Exit. With
// ZONEMGR_TRACE set it appends the run's trace line (see [TraceEnv]).
func Main(m *ansible.Module) int {
	zone.PrepareProcess()
	t := StartTrace(m.Spec.Module, os.Environ())
	if len(os.Args) < 2 || (os.Args[1] != "--help" && os.Args[1] != "-h") {
		if _, err := zone.Elevate(os.Args, os.Environ()); err != nil {
			b, _ := json.Marshal(map[string]any{"failed": true, "changed": false, "msg": err.Error()})
			fmt.Println(string(b))
			return 1
		}
	}
	code := ansible.MainContext(WithTrace(context.Background(), t), m)
	if err := t.Finish(code); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", m.Spec.Module, err)
	}
	return code
}

// RunModule runs a module as its binary does, for "zonemgr module
// [--config FILE]... NAME [ARGS.json]" (zonemgr play runs a task that
// has an environment this way, in a process of its own): the args file,
// or the args on standard input; one JSON object on stdout; the exit
// status returned. The caller has elevated privileges already.
func RunModule(ctx context.Context, argv []string, stdin io.Reader, stdout io.Writer) int {
	var files []string
	for len(argv) >= 2 && argv[0] == "--config" {
		files, argv = append(files, argv[1]), argv[2:]
	}
	if len(argv) < 1 || len(argv) > 2 {
		b, _ := json.Marshal(map[string]any{"failed": true, "changed": false, "msg": "usage: zonemgr module [--config FILE]... NAME [ARGS.json]"})
		fmt.Fprintln(stdout, string(b))
		return 1
	}
	m := All[strings.TrimPrefix(argv[0], Collection+".")]
	if m == nil {
		b, _ := json.Marshal(map[string]any{"failed": true, "changed": false, "msg": fmt.Sprintf("module %q is not one of zonemgr's", argv[0])})
		fmt.Fprintln(stdout, string(b))
		return 1
	}
	var o Options
	if len(files) > 0 {
		cfg, warns, err := config.Load(config.LoadOptions{Extra: files})
		if err != nil {
			b, _ := json.Marshal(map[string]any{"failed": true, "changed": false, "msg": err.Error()})
			fmt.Fprintln(stdout, string(b))
			return 1
		}
		o.Config = cfg
		for _, w := range warns {
			o.ConfigWarnings = append(o.ConfigWarnings, w.String())
		}
	}
	return ansible.MainArgs(WithOptions(ctx, o), m, argv[1:], stdin, stdout)
}
