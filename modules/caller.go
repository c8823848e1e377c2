package modules

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/config"
	"github.com/zonemgr/zonemgr/internal/zone"
)

// Options are what a front door gives every call beyond its request: the
// configuration it loaded (nil: the call loads it, as a module binary
// does), where the live output of commands run in zones goes, a printer
// for each command run (for -v), and the run's trace (ZONEMGR_TRACE).
type Options struct {
	Config         *config.Config
	ConfigWarnings []string
	Stdout         io.Writer
	Stderr         io.Writer
	OnCommand      func(zone.CommandRecord)
	Trace          *Trace
}

// A Caller is a front door's way into the engine: one typed call per
// module (GIZ, DIZ, Snapshot, Exec, Info, GC), each returning a *Reply.
// The module binaries, zonemgr play and the command line all make these
// calls, so the three doors cannot disagree; JSON exists only at a
// module binary's edge.
type Caller struct{ o Options }

// NewCaller returns a Caller that makes its calls with o.
func NewCaller(o Options) *Caller { return &Caller{o: o} }

// Mode is how one call runs: Check computes the plan and changes nothing;
// Diff asks for the state before and after.
type Mode struct{ Check, Diff bool }

// A Reply is what one call did: the engine's outcome (nil when the call
// failed before it had one), its error, the commands it ran, the
// configuration's warnings, and the typed report of the calls that have
// one.
type Reply struct {
	// Module is the module whose call this was ("zone_diz", ...).
	Module   string
	Mode     Mode
	Outcome  *zone.Outcome
	Err      error
	Commands []zone.CommandRecord
	// Warnings are the configuration's; the outcome has its own.
	Warnings []string
	Exec     *zone.ExecResult // zone_exec
	OKRCs    []int            // zone_exec: the exit codes that count as success
	GC       *zone.GCReport   // zone_gc
	Info     *zone.Info       // zone_info
	Evicted  *zone.Outcome    // zone_gc with unused_goldens: the eviction
	log      string           // zone_exec: the file that has the whole output
	// KeepEmptyEnds keeps the line ends at the end of zone_exec's stdout
	// and stderr in the result; they are stripped otherwise, as
	// ansible.builtin.command's strip_empty_ends does by default.
	KeepEmptyEnds bool
}

// Failed reports whether the call failed: an error, or for zone_exec a
// command exit code that is not accepted.
func (r *Reply) Failed() bool {
	if r.Err != nil {
		return true
	}
	return r.Exec != nil && !r.rcAccepted()
}

func (r *Reply) rcAccepted() bool {
	for _, rc := range okRCs(r.OKRCs) {
		if rc == r.Exec.RC {
			return true
		}
	}
	return false
}

func okRCs(l []int) []int {
	if len(l) == 0 {
		return []int{0}
	}
	return l
}

// Value returns a value the engine reported (see zone.Outcome.Values),
// nil when there is none.
func (r *Reply) Value(key string) any {
	if r.Outcome == nil {
		return nil
	}
	return r.Outcome.Values[key]
}

// Str returns a string value the engine reported, "" when there is none.
func (r *Reply) Str(key string) string {
	s, _ := r.Value(key).(string)
	return s
}

// Plan returns the plan's lines (and a gc's eviction's after them).
func (r *Reply) Plan() []string {
	var plan []string
	if r.Outcome != nil {
		plan = r.Outcome.Plan
	}
	if r.Evicted != nil {
		plan = append(slices.Clone(plan), r.Evicted.Plan...)
	}
	return plan
}

// Changed reports whether the call changed something (or, in check mode,
// would).
func (r *Reply) Changed() bool {
	if r.Module == "zone_exec" {
		return !r.Mode.Check && (r.Err == nil || r.Exec != nil)
	}
	return r.Outcome != nil && r.Outcome.Changed || r.Evicted != nil && r.Evicted.Changed
}

// call is one typed call: the engine's host for the mode, and the reply
// that gathers what the call did.
type call struct {
	host       *zone.Host
	transcript *zone.Transcript
	reply      *Reply
}

// begin builds the engine's host for one call of module, with the
// configuration the front door loaded (or, for a module binary, loads
// it). A configuration that cannot be loaded fails the reply.
func (c *Caller) begin(module string, mode Mode) *call {
	r := &Reply{Module: module, Mode: mode}
	cfg, warnings := c.o.Config, c.o.ConfigWarnings
	if cfg == nil {
		loaded, warns, err := config.Load(config.LoadOptions{})
		if err != nil {
			r.Err = err
			return &call{reply: r}
		}
		cfg = loaded
		for _, w := range warns {
			warnings = append(warnings, w.String())
		}
	}
	r.Warnings = warnings
	live := c.o.OnCommand
	if t := c.o.Trace; t != nil {
		live = func(e zone.CommandRecord) {
			t.add(e)
			if c.o.OnCommand != nil {
				c.o.OnCommand(e)
			}
		}
	}
	host, transcript := zone.Connect(cfg.Root, settings(cfg), mode.Check, live, c.o.Stdout, c.o.Stderr)
	return &call{host: host, transcript: transcript, reply: r}
}

// end completes the reply with the call's outcome and error, and the
// commands it ran.
func (k *call) end(out *zone.Outcome, err error) *Reply {
	k.reply.Outcome, k.reply.Err = out, err
	if k.transcript != nil {
		k.reply.Commands = k.transcript.Entries()
	}
	return k.reply
}

// settings maps the configuration to the engine's settings.
func settings(cfg *config.Config) zone.Settings {
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
	set(&s.JournalDir, cfg.JournalDir)
	if cfg.BootTimeout > 0 {
		s.BootTimeout = cfg.BootTimeout
	}
	return s
}

// ensure makes one call of module whose engine operation returns an
// outcome.
func (c *Caller) ensure(module string, mode Mode, op func(*zone.Host) (*zone.Outcome, error)) *Reply {
	k := c.begin(module, mode)
	if k.host == nil {
		return k.reply
	}
	return k.end(op(k.host))
}

// GIZ brings a golden zone to spec's state (zone_giz): create, update,
// run states, destroy, export to or import from an image.
func (c *Caller) GIZ(ctx context.Context, mode Mode, spec zone.GIZSpec) *Reply {
	return c.ensure("zone_giz", mode, func(h *zone.Host) (*zone.Outcome, error) { return h.EnsureGIZ(ctx, spec) })
}

// DIZ brings a disposable zone to spec's state (zone_diz).
func (c *Caller) DIZ(ctx context.Context, mode Mode, spec zone.DIZSpec) *Reply {
	return c.ensure("zone_diz", mode, func(h *zone.Host) (*zone.Outcome, error) { return h.EnsureDIZ(ctx, spec) })
}

// Snapshot takes, destroys or rolls back to a zone's snapshot
// (zone_snapshot).
func (c *Caller) Snapshot(ctx context.Context, mode Mode, spec zone.SnapshotSpec) *Reply {
	return c.ensure("zone_snapshot", mode, func(h *zone.Host) (*zone.Outcome, error) { return h.EnsureSnapshot(ctx, spec) })
}

// Exec runs a command in a managed zone or in a fresh disposable zone
// (zone_exec). The reply fails when the command's exit code is not one
// of spec.OKRCs (default 0).
func (c *Caller) Exec(ctx context.Context, mode Mode, spec zone.ExecSpec) *Reply {
	k := c.begin("zone_exec", mode)
	if k.host == nil {
		return k.reply
	}
	k.reply.OKRCs, k.reply.log = spec.OKRCs, spec.Log
	res, out, err := k.host.Exec(ctx, spec)
	k.reply.Exec = res
	return k.end(out, err)
}

// Info gathers facts about the zones zonemgr manages (zone_info). It
// never changes anything.
func (c *Caller) Info(ctx context.Context, q zone.InfoQuery) *Reply {
	k := c.begin("zone_info", Mode{})
	if k.host == nil {
		return k.reply
	}
	info, err := k.host.GatherInfo(ctx, q)
	k.reply.Info = info
	return k.end(nil, err)
}

// GC finishes the work of zonemgr runs that were killed (zone_gc), and
// then, when unused is not nil, evicts the golden zones built on demand
// unused for that long.
func (c *Caller) GC(ctx context.Context, mode Mode, unused *time.Duration) *Reply {
	k := c.begin("zone_gc", mode)
	if k.host == nil {
		return k.reply
	}
	rep, out, err := k.host.GC(ctx)
	k.reply.GC = rep
	if unused != nil {
		ev, everr := k.host.EvictGoldens(ctx, *unused)
		k.reply.Evicted = ev
		err = errors.Join(err, everr)
	}
	return k.end(out, err)
}

// Msg is the reply's message with the engine's fields named by n: the
// error when the call failed, else what it did (for a gc that evicted
// golden zones, and what it evicted).
func (r *Reply) Msg(n *zone.Namer) string {
	msg := r.msg(n)
	if r.Evicted != nil && r.Err == nil {
		msg += "; " + r.Evicted.Msg
	}
	return msg
}

func (r *Reply) msg(n *zone.Namer) string {
	switch {
	case r.Err != nil:
		return zone.Phrase(r.Err, n)
	case r.Module == "zone_exec" && r.Mode.Check:
		return "Command would have run if not in check mode"
	case r.Exec != nil:
		return fmt.Sprintf("command exited %d in zone %s", r.Exec.RC, r.Exec.Zone)
	case r.Info != nil:
		return plural(len(r.Info.Zones), "managed zone")
	case r.Outcome == nil:
		return ""
	case r.Outcome.Msg != "":
		return r.Outcome.Msg
	case r.Outcome.Changed:
		return fmt.Sprintf("zone %s: %d step(s) %s", r.Outcome.Zone, len(r.Outcome.Plan), map[bool]string{true: "would run", false: "ran"}[r.Mode.Check])
	}
	return fmt.Sprintf("zone %s: nothing to change", r.Outcome.Zone)
}

// AllWarnings are the configuration's warnings, then the outcome's, then
// (for zone_exec) a kept disposable zone's.
func (r *Reply) AllWarnings() []string {
	w := append([]string(nil), r.Warnings...)
	if r.Outcome != nil {
		w = append(w, r.Outcome.Warnings...)
	}
	if r.Exec != nil && r.Exec.Kept {
		w = append(w, fmt.Sprintf("the failed disposable zone %s is kept for debugging; destroy it with zone_diz name=%s state=absent", r.Exec.Zone, r.Exec.Zone))
	}
	return w
}

// ApplyError returns the failed step of the reply's error, if any.
func (r *Reply) ApplyError() *zone.ApplyError {
	var ae *zone.ApplyError
	if errors.As(r.Err, &ae) {
		return ae
	}
	return nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprint(n) + " " + what + "s"
}

// A Definition is one module: its argument spec, and how its arguments
// become a typed call.
type Definition struct {
	Spec ansible.Spec
	run  func(ctx context.Context, c *Caller, p *ansible.Params) (*ansible.Result, error)
}

// Bind returns the module as Ansible's protocol runs it, making its call
// through c.
func (d *Definition) Bind(c *Caller) *ansible.Module {
	return &ansible.Module{Spec: d.Spec, Run: func(ctx context.Context, p *ansible.Params) (*ansible.Result, error) {
		return d.run(ctx, c, p)
	}}
}

// mode is the call mode of an Ansible task's settings.
func mode(p *ansible.Params) Mode { return Mode{Check: p.CheckMode, Diff: p.Diff} }
