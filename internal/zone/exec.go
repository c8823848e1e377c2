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
	return h.execZone(ctx, spec)
}

// run runs the command in a running zone and collects its result.
func (h *Host) run(ctx context.Context, zone string, spec ExecSpec) (*ExecResult, error) {
	res := &ExecResult{Zone: zone}
	outT, errT := &textio.Tail{Max: spec.OutputLimit}, &textio.Tail{Max: spec.OutputLimit}
	stdout, stderr := []io.Writer{outT}, []io.Writer{errT}
	if h.Stdout != nil {
		stdout = append(stdout, h.Stdout)
	}
	if h.Stderr != nil {
		stderr = append(stderr, h.Stderr)
	}
	if spec.Log != "" {
		f, err := os.OpenFile(spec.Log, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o640)
		if err != nil {
			return nil, optErr(FieldLog, "%w", err)
		}
		defer f.Close()
		lw := &textio.LockedWriter{W: f}
		stdout, stderr = append(stdout, lw), append(stderr, lw)
	}
	start := time.Now()
	_, err := h.Runner.Run(ctx, illumos.Cmd{
		Argv:       spec.zloginArgv(zone),
		ZoneStatus: true,
		Stdout:     io.MultiWriter(stdout...),
		Stderr:     io.MultiWriter(stderr...),
		Timeout:    spec.Timeout,
	})
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

// execZone runs a command in an existing managed zone. The zone's lock
// is held for the whole operation (snapshot, boot, command, rollback,
// halt), so that two operations on one zone never interleave, and a
// journal records how gc puts the zone back should the run be killed: a
// killed command counts as failed for the discard policy.
func (h *Host) execZone(ctx context.Context, spec ExecSpec) (*ExecResult, *Outcome, error) {
	if spec.Discard == "" {
		spec.Discard = "never"
	}
	out := &Outcome{Zone: spec.Zone}
	lock, err := h.LockZone(ctx, spec.Zone)
	if err != nil {
		return nil, nil, err
	}
	defer lock.Unlock()
	if err := h.pendingWork(spec.Zone); err != nil {
		return nil, nil, err
	}
	w, err := h.Observe(ctx, h.containers(h.Settings.DelegatedParent)...)
	if err != nil {
		return nil, nil, err
	}
	z := w.Zones[spec.Zone]
	if z == nil {
		return nil, nil, optErr(FieldZone, "%s does not exist", spec.Zone)
	}
	if !z.Managed() {
		return nil, nil, fmt.Errorf("zone %s is not managed by zonemgr (it has no zonemgr.* attributes); refusing to touch it", z.Name)
	}
	if err := h.checkZoneUser(z.Name, z.Zonepath, spec.User); err != nil {
		return nil, nil, err
	}
	zid := zoneRun(z)
	former := z.State
	snap := ""
	if spec.Discard != "never" {
		snap = "zonemgr-exec-" + h.now().UTC().Format("20060102T150405.000000000Z")
		out.Plan = append(out.Plan, fmt.Sprintf("snapshot %s@%s (halting it if running)", z.Name, snap))
	}
	if former != "running" {
		out.Plan = append(out.Plan, "boot "+z.Name+" and wait for "+MilestoneMultiUser)
	}
	out.Plan = append(out.Plan, illumos.QuoteArgv(spec.zloginArgv(z.Name)))
	if h.CheckMode {
		return nil, out, nil
	}
	plan := h.newPlan(z.Name)
	plan.Recover = &Recovery{Kind: "exec", Zone: z.Name, ZoneRun: zid, Snapshot: snap, Discard: discardNow(spec.Discard, false), State: former}
	j, err := h.journal("exec", plan)
	if err != nil {
		return nil, nil, err
	}
	if snap != "" {
		if _, err := h.ensureSnapshot(ctx, SnapshotSpec{Zone: z.Name, Name: snap, State: "present"}); err != nil {
			j.Finish()
			return nil, out, err
		}
	}
	cleanup := func(ok bool) (bool, error) {
		cctx, cancel := context.WithTimeout(context.Background(), CleanupTimeout)
		defer cancel()
		var errs error
		discarded := false
		if snap != "" {
			// Halt first: the rollback and the removal of the snapshot
			// then need no halt and boot of their own, and nothing a boot
			// writes lands after the rollback.
			if err := h.restoreState(cctx, z.Name, zid, "installed"); err != nil {
				errs = multierror.Append(errs, err)
			}
		}
		if snap != "" && discardNow(spec.Discard, ok) {
			if _, err := h.ensureSnapshot(cctx, SnapshotSpec{Zone: z.Name, Name: snap, State: "rolledback", Force: true}); err != nil {
				errs = multierror.Append(errs, err)
			} else {
				discarded = true
			}
		}
		if snap != "" {
			if _, err := h.ensureSnapshot(cctx, SnapshotSpec{Zone: z.Name, Name: snap, State: "absent"}); err != nil {
				errs = multierror.Append(errs, err)
			}
		}
		if err := h.restoreState(cctx, z.Name, zid, former); err != nil {
			errs = multierror.Append(errs, err)
		}
		if errs != nil {
			// gc finishes what could not be done here.
			j.Release()
			errs = multierror.Append(errs, fmt.Errorf("zone %s: its journal %s is left for zonemgr gc", z.Name, j.Path()))
		} else {
			j.Finish()
		}
		return discarded, errs
	}
	if err := h.ensureRunning(ctx, z.Name, zid); err != nil {
		_, cerr := cleanup(false)
		return nil, out, errors.Join(err, cerr)
	}
	res, err := h.run(ctx, z.Name, spec)
	ok := err == nil && slices.Contains(spec.OKRCs, res.RC)
	discarded, cerr := cleanup(ok)
	if res != nil {
		res.Discarded = discarded
	}
	out.Changed = true
	return res, out, errors.Join(err, cerr)
}

// ensureRunning boots a zone unless it is running.
func (h *Host) ensureRunning(ctx context.Context, zone, zid string) error {
	return h.restoreState(ctx, zone, zid, "running")
}

// restoreState brings a zone to a state (the one it was in).
func (h *Host) restoreState(ctx context.Context, zone, zid, state string) error {
	w, err := h.Observe(ctx)
	if err != nil {
		return err
	}
	z := w.Zones[zone]
	if z == nil {
		return nil
	}
	p := &Plan{Zone: zone, Steps: h.stateSteps(zone, zid, z.State, state, Boot{Timeout: h.Settings.BootTimeout})}
	return h.apply(ctx, nil, p)
}

// execDIZ runs a command in a disposable zone cloned for it, and then
// (by the discard policy) destroys it. The zone is the run's own: a name
// that exists, or that another operation holds, is refused; its lock is
// held from the claim of its name to its destruction; and its creation's
// journal records, until the zone is destroyed, that gc destroys it
// should the run be killed.
func (h *Host) execDIZ(ctx context.Context, spec ExecSpec) (*ExecResult, *Outcome, error) {
	if spec.Discard == "" {
		spec.Discard = "always"
	}
	d := *spec.DIZ
	d.State = "running"
	d.fresh = true
	if err := h.checkCloneUser(&d, spec.User); err != nil {
		return nil, nil, err
	}
	timing := map[string]float64{}
	start := time.Now()
	// A zone kept whatever happens (discard: never) is no leftover.
	if spec.Discard != "never" {
		d.disposable = &disposable{}
	}
	dout, lock, err := h.ensureDIZ(ctx, d, nil)
	defer lock.Unlock()
	timing["create"] = time.Since(start).Seconds()
	if dout == nil {
		return nil, nil, err
	}
	name := dout.Zone
	out := &Outcome{Zone: name, Values: dout.Values, Warnings: dout.Warnings}
	out.Plan = append(dout.Plan, illumos.QuoteArgv(spec.zloginArgv(name)), "destroy "+name+" ("+spec.Discard+")")
	if h.CheckMode {
		return nil, out, nil
	}
	out.Changed = true
	if err != nil {
		// The creation undid its own steps: nothing of the zone remains
		// (or, when an undo failed, its journal is left for gc).
		return &ExecResult{Zone: name, Discarded: true, Timing: timing}, out, err
	}
	j := d.disposable.journal()
	destroy := func() error {
		cctx, cancel := context.WithTimeout(context.Background(), CleanupTimeout)
		defer cancel()
		t := time.Now()
		dout, _, err := h.ensureDIZ(cctx, DIZSpec{Name: name, State: "absent"}, lock)
		if dout != nil {
			out.Warnings = append(out.Warnings, dout.Warnings...)
		}
		timing["destroy"] = time.Since(t).Seconds()
		return err
	}
	t := time.Now()
	res, rerr := h.run(ctx, name, spec)
	timing["run"] = time.Since(t).Seconds()
	if res == nil {
		res = &ExecResult{Zone: name}
	}
	res.Timing = timing
	ok := rerr == nil && slices.Contains(spec.OKRCs, res.RC)
	if ctx.Err() != nil || discardNow(spec.Discard, ok) && !(spec.KeepOnFailure && !ok) {
		if err := destroy(); err != nil {
			j.Release()
			return res, out, errors.Join(rerr, err, fmt.Errorf("zone %s: its journal %s is left for zonemgr gc", name, j.Path()))
		}
		j.Finish()
		res.Discarded = true
		return res, out, rerr
	}
	j.Finish()
	res.Kept = !ok
	return res, out, rerr
}
