package zone

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/textio"
)

// Discard policies of an exec.
var DiscardPolicies = []string{"never", "always", "onsuccess", "onfailure"}

// An ExecSpec is one command to run in a zone: an existing managed zone,
// or a fresh disposable zone cloned for it (DIZ set).
type ExecSpec struct {
	Cmd           string
	Zone          string   // an existing managed zone, or
	DIZ           *DIZSpec // a fresh disposable zone (exec-diz)
	User          string   // "" : root, through zlogin -S
	Chdir         string
	Env           map[string]string
	Timeout       time.Duration
	Discard       string // "" : never for a zone, always for a DIZ
	KeepOnFailure bool
	OKRCs         []int
	OutputLimit   int    // bytes of stdout and stderr kept in the result
	Log           string // file receiving the full output
}

// An ExecResult is what a command in a zone did.
type ExecResult struct {
	RC        int
	Stdout    string
	Stderr    string
	Duration  time.Duration
	Zone      string
	Discarded bool
	Kept      bool // a failed DIZ kept for debugging
	Timing    map[string]float64
}

func (s *ExecSpec) validate() error {
	var errs error
	if strings.TrimSpace(s.Cmd) == "" {
		errs = multierror.Append(errs, optErr(FieldCmd, "required and not empty"))
	}
	switch {
	case s.Zone == "" && s.DIZ == nil:
		errs = multierror.Append(errs, optErr(FieldNone, "%v or %v: one is required (an existing zone, or a golden zone to clone a disposable zone from)", FieldZone, FieldGIZ))
	case s.Zone != "" && s.DIZ != nil:
		errs = multierror.Append(errs, errors.New("zone and giz are mutually exclusive"))
	case s.Zone != "":
		if err := illumos.ValidZoneName(s.Zone); err != nil {
			errs = multierror.Append(errs, optErr(FieldZone, "%w", err))
		}
	}
	if s.Discard != "" && !slices.Contains(DiscardPolicies, s.Discard) {
		errs = multierror.Append(errs, optErr(FieldDiscard, "%q is not one of: %s", s.Discard, strings.Join(DiscardPolicies, ", ")))
	}
	if s.User != "" && !validUserName(s.User) {
		errs = multierror.Append(errs, optErr(FieldUser, "%q is not a user name", s.User))
	}
	if s.Chdir != "" && !strings.HasPrefix(s.Chdir, "/") {
		errs = multierror.Append(errs, optErr(FieldChdir, "%q is not an absolute path", s.Chdir))
	}
	for k := range s.Env {
		if !validEnvName(k) {
			errs = multierror.Append(errs, optErr(FieldEnv, "%q is not a variable name ([A-Za-z_][A-Za-z0-9_]*)", k))
		}
	}
	if s.Timeout < 0 {
		errs = multierror.Append(errs, optErr(FieldTimeout, "negative"))
	}
	return OneLine(errs)
}

func validUserName(u string) bool {
	if u == "" || len(u) > 32 || u[0] == '-' {
		return false
	}
	for _, r := range u {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

func validEnvName(k string) bool {
	if k == "" || k[0] >= '0' && k[0] <= '9' {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// commandLine is the one string zlogin runs in the zone: the user's
// command, the only string that reaches a shell, wrapped so that chdir
// and env values arrive quoted.
func (s *ExecSpec) commandLine() string {
	var b strings.Builder
	if s.Chdir != "" {
		b.WriteString("cd " + shq(s.Chdir) + " && ")
	}
	if len(s.Env) > 0 {
		keys := make([]string, 0, len(s.Env))
		for k := range s.Env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("env")
		for _, k := range keys {
			b.WriteString(" " + k + "=" + shq(s.Env[k]))
		}
		b.WriteString(" /bin/sh -c " + shq(s.Cmd))
		return b.String()
	}
	if s.Chdir != "" {
		return b.String() + "/bin/sh -c " + shq(s.Cmd)
	}
	return s.Cmd
}

func (s *ExecSpec) zloginArgv(zone string) []string {
	if s.User == "" {
		return []string{"zlogin", "-S", zone, s.commandLine()}
	}
	return []string{"zlogin", "-l", s.User, zone, s.commandLine()}
}

// commandSteps are an exec's last two steps in zone: the command, and
// the finish (see Step.Finish), shown as show.
func (s *ExecSpec) commandSteps(zone, show string) []Step {
	return []Step{
		{
			Why:  "run the command",
			Cmd:  &illumos.Cmd{Argv: s.zloginArgv(zone), ZoneStatus: true, Timeout: s.Timeout},
			Exec: &ExecRun{Zone: zone, OKRCs: s.OKRCs, OutputLimit: s.OutputLimit, Log: s.Log},
		},
		{Why: "finish", Finish: &Finish{Discard: s.Discard, KeepOnFailure: s.KeepOnFailure}, Show: show},
	}
}

// Exec runs a command in a zone as the spec says, then applies the
// discard policy: for an existing zone, roll back to a snapshot taken
// before and drop it, and restore the zone's former run state; for a
// disposable zone, destroy it. Cleanup runs under a fresh context, so a
// cancelled run (a signal, a timeout) still cleans up.
func (h *Host) Exec(ctx context.Context, spec ExecSpec) (*ExecResult, *Outcome, error) {
	if err := spec.validate(); err != nil {
		return nil, nil, err
	}
	if spec.OutputLimit <= 0 {
		spec.OutputLimit = 64 << 10
	}
	if len(spec.OKRCs) == 0 {
		spec.OKRCs = []int{0}
	}
	if spec.DIZ != nil {
		return h.execDIZ(ctx, spec)
	}
	if spec.Discard == "" {
		spec.Discard = "never"
	}
	o := &execZoneOp{h: h, spec: spec}
	out, err := h.operate(ctx, o)
	return o.res, out, err
}

// runCommand runs an exec's command (c, its zlogin argv) in a running
// zone and collects its result.
func (h *Host) runCommand(ctx context.Context, c illumos.Cmd, x *ExecRun) (*ExecResult, error) {
	zone := x.Zone
	res := &ExecResult{Zone: zone}
	outT, errT := &textio.Tail{Max: x.OutputLimit}, &textio.Tail{Max: x.OutputLimit}
	stdout, stderr := []io.Writer{outT}, []io.Writer{errT}
	if h.Stdout != nil {
		stdout = append(stdout, h.Stdout)
	}
	if h.Stderr != nil {
		stderr = append(stderr, h.Stderr)
	}
	if x.Log != "" {
		f, err := os.OpenFile(x.Log, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o640)
		if err != nil {
			return nil, optErr(FieldLog, "%w", err)
		}
		defer f.Close()
		// One log for both streams, line by line.
		lw := &textio.LockedWriter{W: f}
		outL, errL := &textio.Lines{W: lw}, &textio.Lines{W: lw}
		defer errL.Flush()
		defer outL.Flush()
		stdout, stderr = append(stdout, outL), append(stderr, errL)
	}
	start := time.Now()
	c.Stdout, c.Stderr = io.MultiWriter(stdout...), io.MultiWriter(stderr...)
	_, err := h.Runner.Run(ctx, c)
	res.Duration = time.Since(start)
	res.Stdout, res.Stderr = outT.String(), errT.String()
	var ce *illumos.CommandError
	switch {
	case err == nil:
	case errors.As(err, &ce) && ce.ExitCode >= 0:
		res.RC = ce.ExitCode
	case ctx.Err() != nil:
		return res, fmt.Errorf("exec in %s: %w", zone, ctx.Err())
	default:
		return res, fmt.Errorf("exec in %s: %w", zone, err)
	}
	return res, nil
}

// discardNow tells whether the policy discards after this outcome.
func discardNow(policy string, ok bool) bool {
	switch policy {
	case "always":
		return true
	case "onsuccess":
		return ok
	case "onfailure":
		return !ok
	}
	return false
}

// An execZoneOp is an exec in an existing managed zone. The zone's lock
// is held for the whole operation (snapshot, boot, command, rollback,
// halt), so that two operations on one zone never interleave. From the
// snapshot on (from the start without one), the journal records how gc
// puts the zone back should the run be killed (a killed command counts
// as failed for the discard policy); the run puts it back itself the
// same way once the command ran, or when a step before it failed.
type execZoneOp struct {
	h    *Host
	spec ExecSpec
	res  *ExecResult
}

func (o *execZoneOp) journal() string { return "exec" }

func (o *execZoneOp) lock(ctx context.Context, ls *lockSet) error {
	if _, err := ls.zone(ctx, o.spec.Zone); err != nil {
		return err
	}
	return o.h.pendingWork(o.spec.Zone, false)
}

// plan plans the snapshot the discard policy needs (halting a zone in
// the kernel for it), the boot, the command and the finish.
func (o *execZoneOp) plan(ctx context.Context, _ *lockSet, p *Plan, out *Outcome) error {
	h, spec := o.h, &o.spec
	w, err := h.Observe(ctx, h.containers(h.Settings.DelegatedParent)...)
	if err != nil {
		return err
	}
	z := w.Zones[spec.Zone]
	if z == nil {
		return optErr(FieldZone, "%s does not exist", spec.Zone)
	}
	if !z.Managed() {
		return fmt.Errorf("zone %s is not managed by zonemgr (it has no zonemgr.* attributes); refusing to touch it", z.Name)
	}
	if err := h.checkZoneUser(z.Name, z.Zonepath, spec.User); err != nil {
		return err
	}
	p.Zone, out.Zone = z.Name, z.Name
	zid := zoneRun(z)
	snap := ""
	if spec.Discard != "never" {
		snap = "zonemgr-exec-" + h.now().UTC().Format("20060102T150405.000000000Z")
	}
	// From first on, the recovery puts the zone back: the steps after
	// it carry no undo of their own.
	first := 0
	if snap != "" {
		zoneDS, set, err := snapshotSet(w, z)
		if err != nil {
			return err
		}
		take, err := takeSnapshotSteps(w, z, zoneDS, set, snap, p.Run)
		if err != nil {
			return err
		}
		halt, restart := h.haltFor(z)
		p.Add(halt...)
		first = len(p.Steps)
		p.Add(take...)
		p.Add(restart...)
	}
	// A disposable zone made stopped boots here first: the services it
	// was made to need are enabled then (see servicesStep).
	p.Add(withServices(z.Name, h.stateSteps(z.Name, zid, z.State, "running", Boot{Timeout: h.Settings.BootTimeout}), strings.Fields(z.Attr(AttrServices)), out)...)
	show := "then bring " + z.Name + " back to " + z.State
	if snap != "" {
		show = fmt.Sprintf("then halt %s, roll it back to %s@%s (discard: %s), destroy that snapshot, and bring it back to %s", z.Name, z.Name, snap, spec.Discard, z.State)
	}
	p.Add(spec.commandSteps(z.Name, show)...)
	for i := first; i < len(p.Steps); i++ {
		p.Steps[i].Undo, p.Steps[i].Guard, p.Steps[i].UndoIfFailed = nil, nil, false
	}
	p.Steps[first].Recover = &Recovery{Kind: "exec", Zone: z.Name, ZoneRun: zid, Snapshot: snap, Discard: discardNow(spec.Discard, false), State: z.State}
	return nil
}

// done returns what the command did (nil when it never ran), with
// whether its changes were discarded.
func (o *execZoneOp) done(_ context.Context, p *Plan, out *Outcome, e ending, err error) (*Outcome, error) {
	if e != applied {
		out.Changed = false
		return out, err
	}
	x := p.exec
	if x == nil {
		return out, err
	}
	if x.res != nil {
		x.res.Discarded = x.discarded
	}
	out.Warnings = append(out.Warnings, x.warnings...)
	o.res = x.res
	return out, errors.Join(x.err, err)
}

// execDIZ runs a command in a disposable zone cloned for it, and then
// (by the discard policy) destroys it (see execDIZOp).
func (h *Host) execDIZ(ctx context.Context, spec ExecSpec) (*ExecResult, *Outcome, error) {
	if spec.Discard == "" {
		spec.Discard = "always"
	}
	d := *spec.DIZ
	d.State = "running"
	d.fresh = true
	h.dizDefaults(&d)
	built, err := h.dizGolden(ctx, &d, "exec-diz")
	if err != nil {
		return nil, goldenOnly(built, d.Name), err
	}
	defer d.gizLock.Unlock()
	if out := pendingGolden(h, built, d.GIZ); out != nil {
		return nil, out, nil
	}
	if err := h.checkCloneUser(&d, spec.User); err != nil {
		return nil, nil, err
	}
	start := time.Now()
	r, err := h.newDIZRun(d)
	if err != nil {
		return nil, nil, err
	}
	o := &execDIZOp{diz: r, spec: spec, start: start}
	out, err := h.operate(ctx, o)
	return o.res, withGolden(built, out), err
}

// An execDIZOp runs a command in a disposable zone made for it, and
// then, by the discard policy, destroys it. The zone is the run's own: a
// name that exists, or that another operation holds, is refused; its
// lock is held from the claim of its name to its destruction; and its
// journal records from the start that gc destroys it, while it is still
// the one the run made, should the run be killed (unless the policy
// never discards it: then the journal ends once the zone is made).
//
// It holds the zone's dizRun, not a dizOp, and plans only its creation:
// so a binary that runs commands in disposable zones does not link the
// update of an existing one.
type execDIZOp struct {
	diz   dizRun
	spec  ExecSpec
	start time.Time
	res   *ExecResult
}

func (o *execDIZOp) journal() string { return o.diz.journal() }

func (o *execDIZOp) lock(ctx context.Context, ls *lockSet) error { return o.diz.lock(ctx, ls) }

// plan plans the zone's creation, the command and the destroy.
func (o *execDIZOp) plan(ctx context.Context, ls *lockSet, p *Plan, out *Outcome) error {
	// observe refuses an existing zone for a one-shot run (spec.fresh):
	// the zone is to be made.
	d := &o.diz
	w, _, err := d.observe(ctx, ls, p, out)
	if err != nil {
		return err
	}
	if err := d.h.createDIZ(ctx, w, &d.spec, d.acc, p, out); err != nil {
		return err
	}
	name := p.Zone
	if o.spec.Discard != "never" {
		p.Recover = &Recovery{Kind: "destroy", Zone: name, ZoneRun: p.Run}
	}
	steps := o.spec.commandSteps(name, "destroy "+name+" ("+o.spec.Discard+")")
	steps[0].Commit = o.spec.Discard == "never"
	p.Add(steps...)
	return nil
}

// done returns what the command did, whether the zone was destroyed or
// kept, and how long its making, the command and the destroy took.
func (o *execDIZOp) done(_ context.Context, p *Plan, out *Outcome, e ending, err error) (*Outcome, error) {
	out.Before, out.After = "", ""
	if e != applied {
		out.Changed = false
		return out, err
	}
	timing := map[string]float64{}
	x := p.exec
	if x == nil {
		// The making of the zone failed and undid its own steps: nothing
		// of the zone remains (or, when an undo failed, its journal is
		// left for gc).
		timing["create"] = time.Since(o.start).Seconds()
		o.res = &ExecResult{Zone: p.Zone, Discarded: true, Timing: timing}
		return out, err
	}
	timing["create"] = x.started.Sub(o.start).Seconds()
	timing["run"] = x.took.Seconds()
	res := x.res
	if res == nil {
		res = &ExecResult{Zone: p.Zone}
	}
	res.Timing = timing
	out.Warnings = append(out.Warnings, x.warnings...)
	if x.due {
		timing["destroy"] = x.finishTook.Seconds()
		res.Discarded = x.discarded
	} else {
		res.Kept = !x.ok
	}
	o.res = res
	return out, errors.Join(x.err, err)
}
