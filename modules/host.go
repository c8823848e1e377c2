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

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/config"
	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zfs"
	"github.com/zonemgr/zonemgr/internal/zone"
)

// Options are what a front door passes to a module run beyond its
// arguments: extra configuration files, where live output goes, and a
// printer for each command run (for -v).
type Options struct {
	ConfigFiles []string
	Stdout      io.Writer
	Stderr      io.Writer
	OnCommand   func(illumos.TranscriptEntry)
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
	host       *zone.Host
	transcript *illumos.Transcript
	warnings   []string
}

// newRun loads the configuration and builds the host for one module call.
// In check mode the runner refuses every mutating command, so a plan that
// would mutate cannot pass unnoticed.
func newRun(ctx context.Context, p *ansible.Params) (*run, error) {
	o := optionsFrom(ctx)
	cfg, warns, err := config.Load(config.LoadOptions{Extra: o.ConfigFiles})
	if err != nil {
		return nil, err
	}
	r := &run{}
	for _, w := range warns {
		r.warnings = append(r.warnings, w.String())
	}
	tools := illumos.NewTools(os.Environ())
	// go-zfs starts "zfs" by bare name: give it the same search path.
	os.Setenv("PATH", tools.SearchPath())
	live := o.OnCommand
	if t := traceFrom(ctx); t != nil {
		live = func(e illumos.TranscriptEntry) {
			t.add(e)
			if o.OnCommand != nil {
				o.OnCommand(e)
			}
		}
	}
	r.transcript = illumos.NewTranscript(live)
	var runner illumos.Runner = &illumos.Exec{Tools: tools}
	runner = illumos.Record(runner, r.transcript)
	if p.CheckMode {
		runner = illumos.ReadOnly(runner)
	}
	// go-zfs starts its own processes: record them in the same transcript.
	runner = zfs.WithRecorder(runner, r.transcript)
	s, err := settings(cfg)
	if err != nil {
		return nil, err
	}
	r.host = &zone.Host{
		Runner:    runner,
		Settings:  s,
		Root:      cfg.Root,
		Stdout:    o.Stdout,
		Stderr:    o.Stderr,
		CheckMode: p.CheckMode,
	}
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
		res.Msg = err.Error()
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
	t := StartTrace(m.Spec.Module, os.Environ())
	if len(os.Args) < 2 || (os.Args[1] != "--help" && os.Args[1] != "-h") {
		if _, err := illumos.Elevate(os.Args, os.Environ()); err != nil {
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
