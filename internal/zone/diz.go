package zone

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zfs"
)

// DIZ states a spec can ask for.
var DIZStates = []string{"present", "running", "stopped", "ready", "mounted", "restarted", "absent"}

// A DIZSpec describes a disposable zone: the golden zone and snapshot it
// is cloned from, and the resources it gets of its own.
type DIZSpec struct {
	Name         string // "" : generated, returned in the outcome
	GIZ          string
	Snapshot     string // "" : the golden zone's newest zonemgr snapshot
	State        string
	Lofs         []LofsMount
	AutoNFS      []AutoNFS
	Datasets     []string
	VNICs        []string // existing VNICs
	VNICsOver    []VNICOver
	CopyUsers    []string
	CopyGroups   []string
	ElevateUsers []string
	CappedMemory string
	CappedCPU    string
	BootTimeout  time.Duration
	NoWait       bool // boot without waiting for the milestone
	SingleUser   bool // boot -s, wait for the single-user milestone
	Recreate     bool
	// LDAPClient copies the global zone's LDAP client configuration into
	// the zone and enables the LDAP client service (see ldap.go).
	LDAPClient bool
	// Given names the options the user gave. For an existing zone, an
	// option not given is left as the zone has it (nil: all given).
	Given map[string]bool
	// gizLock is the golden zone's lock, held shared from the reading of
	// the world until the clone ran, so that the golden zone is not
	// booted (for a refresh) between the check that it is halted and the
	// clone.
	gizLock *ZoneLock
	// fresh: the zone is made for one run (exec-diz): a zone that exists,
	// or a name another operation holds, is refused.
	fresh bool
	// disposable, when set, receives the journal of the zone's creation,
	// which outlives it (see disposable).
	disposable *disposable
}

// given reports whether an option was given.
func (s DIZSpec) given(opt string) bool { return s.Given == nil || s.Given[opt] }

func (s DIZSpec) boot() Boot {
	return Boot{Timeout: s.BootTimeout, NoWait: s.NoWait, SingleUser: s.SingleUser}
}

func (s DIZSpec) setup(name, giz string) Setup {
	return Setup{Nodename: name, OldNames: []string{giz}, CopyGroups: s.CopyGroups, CopyUsers: s.CopyUsers, ElevateUsers: s.ElevateUsers, AutoNFS: s.AutoNFS}
}

// validate checks everything that needs no command, reporting every
// problem at once.
func (h *Host) validateDIZ(s *DIZSpec) (*accounts, error) {
	var errs error
	if s.Name != "" {
		if err := illumos.ValidZoneName(s.Name); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("name: %w", err))
		}
	}
	if !slices.Contains(DIZStates, s.State) {
		errs = multierror.Append(errs, fmt.Errorf("state: %q is not one of: %s", s.State, strings.Join(DIZStates, ", ")))
	}
	if s.State == "absent" && s.Name == "" {
		errs = multierror.Append(errs, errors.New("name: required when state is absent"))
	}
	if s.GIZ != "" {
		if err := illumos.ValidZoneName(s.GIZ); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("giz: %w", err))
		}
	}
	if s.Snapshot != "" {
		if err := zfs.ValidSnapshotName("x@" + s.Snapshot); err != nil || strings.ContainsAny(s.Snapshot, "@/") {
			errs = multierror.Append(errs, fmt.Errorf("snapshot: %q is not a snapshot name (letters, digits, '_', '-', '.', ':'; no '@' or '/')", s.Snapshot))
		}
	}
	for _, m := range s.Lofs {
		if err := m.validate(); err != nil {
			errs = multierror.Append(errs, err)
		} else if _, err := os.Stat(h.path(m.Special)); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("mount_lofs: %s does not exist in the global zone", m.Special))
		}
	}
	for _, d := range s.Datasets {
		if err := zfs.ValidDatasetName(d); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("delegate_datasets: %w", err))
		} else if !strings.Contains(d, "/") {
			errs = multierror.Append(errs, fmt.Errorf("delegate_datasets: %q is a pool; delegate a dataset inside one", d))
		}
	}
	for _, v := range s.VNICs {
		if err := illumos.ValidLinkName(v); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("add_vnics: %q: %w", v, err))
		}
	}
	if s.CappedMemory != "" {
		if err := ValidCappedMemory(s.CappedMemory); err != nil {
			errs = multierror.Append(errs, err)
		}
	}
	if s.CappedCPU != "" {
		if err := ValidCappedCPU(s.CappedCPU); err != nil {
			errs = multierror.Append(errs, err)
		}
	}
	if s.BootTimeout < 0 {
		errs = multierror.Append(errs, fmt.Errorf("boot_timeout: %s is negative", s.BootTimeout))
	}
	var acc *accounts
	if len(s.CopyUsers)+len(s.CopyGroups)+len(s.ElevateUsers) > 0 {
		var err error
		if acc, err = h.readAccounts(); err != nil {
			errs = multierror.Append(errs, err)
		} else {
			for _, e := range acc.check(s.setup("", "")) {
				errs = multierror.Append(errs, e)
			}
		}
	}
	return acc, OneLine(errs)
}

func (h *Host) containers(extra ...string) []string {
	return append([]string{h.Settings.GIZContainer, h.Settings.DIZContainer}, extra...)
}

// EnsureDIZ brings a disposable zone to the spec's state: creating it
// from its golden zone's snapshot, applying configuration changes that
// illumos allows, re-creating it when asked, changing its run state, or
// destroying it.
func (h *Host) EnsureDIZ(ctx context.Context, spec DIZSpec) (*Outcome, error) {
	out, lock, err := h.ensureDIZ(ctx, spec, nil)
	lock.Unlock()
	return out, err
}

// ensureDIZ is EnsureDIZ for callers that hold the zone's lock already
// (held) or want it kept when it returns (held nil: the lock is taken
// and returned, for the caller to release). spec.fresh refuses a zone
// that exists, and a name another operation holds, at once.
func (h *Host) ensureDIZ(ctx context.Context, spec DIZSpec, held *ZoneLock) (*Outcome, *ZoneLock, error) {
	if spec.State == "" {
		spec.State = "present"
	}
	if spec.BootTimeout == 0 {
		spec.BootTimeout = h.Settings.BootTimeout
	}
	acc, err := h.validateDIZ(&spec)
	if err != nil {
		return nil, nil, err
	}
	lock := held
	if spec.Name != "" && lock == nil {
		if spec.fresh {
			lock, err = h.TryLockZone(spec.Name)
			if errors.Is(err, ErrLocked) {
				return nil, nil, fmt.Errorf("name: zone %s is being worked on by another zonemgr run: a one-shot run needs a name of its own (omit it to have one generated)", spec.Name)
			}
		} else {
			lock, err = h.LockZone(ctx, spec.Name)
		}
		if err != nil {
			return nil, nil, err
		}
	}
	ret := func(out *Outcome, err error) (*Outcome, *ZoneLock, error) {
		if held != nil {
			return out, nil, err
		}
		return out, lock, err
	}
	if spec.Name != "" {
		if err := h.pendingWork(spec.Name); err != nil {
			return ret(nil, err)
		}
	}
	if spec.State != "absent" && spec.GIZ != "" && spec.GIZ != spec.Name {
		gl, err := h.LockZoneShared(ctx, spec.GIZ)
		if err != nil {
			return ret(nil, fmt.Errorf("giz: %w", err))
		}
		defer gl.Unlock()
		spec.gizLock = gl
	}
	// The datasets to delegate are locked before they are looked at and
	// until the zone's configuration names them (see DatasetLocks).
	var dsLocks *DatasetLocks
	if spec.State != "absent" && len(spec.Datasets) > 0 {
		if dsLocks, err = h.lockDatasetsShared(ctx, spec.Datasets); err != nil {
			return ret(nil, fmt.Errorf("delegate_datasets: %w", err))
		}
		defer dsLocks.Unlock()
	}
	w, err := h.Observe(ctx, h.containers(h.Settings.DelegatedParent)...)
	if err != nil {
		return ret(nil, err)
	}
	if spec.Name == "" {
		if spec.State == "absent" {
			return ret(nil, errors.New("name: required when state is absent"))
		}
		hash := SpecHash(spec.GIZ, spec.Snapshot, fmt.Sprint(spec.Lofs, spec.Datasets, spec.VNICs, spec.VNICsOver, spec.CopyUsers, spec.CopyGroups, spec.ElevateUsers, spec.AutoNFS))
		spec.Name, lock, err = h.claimName(h.Settings.DIZPrefix, hash, w)
		if err != nil {
			return nil, nil, err
		}
	}
	out := &Outcome{Zone: spec.Name}
	out.set("name", spec.Name)
	z := w.Zones[spec.Name]
	if z != nil {
		if spec.fresh {
			return ret(nil, fmt.Errorf("name: zone %s exists: a one-shot run clones a fresh disposable zone and destroys it afterwards, so it never works in an existing zone; give another name or none (one is generated)", spec.Name))
		}
		if err := checkOurs(z, "diz"); err != nil {
			return ret(nil, err)
		}
	}
	plan := h.newPlan(spec.Name)
	plan.datasets = dsLocks
	switch {
	case spec.State == "absent":
		if z == nil {
			out.Msg = fmt.Sprintf("zone %s does not exist", spec.Name)
			out.set("state", "absent")
			return ret(out, nil)
		}
		steps, err := h.destroySteps(ctx, w, z)
		if err != nil {
			return ret(nil, err)
		}
		plan.Add(steps...)
		plan.Recover = &Recovery{Kind: "destroy", Zone: z.Name, ZoneRun: zoneRun(z)}
		out.Before, out.After = describe(z), "state: absent\n"
		out.set("state", "absent")
	case z == nil:
		if err := h.createDIZ(ctx, w, &spec, acc, plan, out); err != nil {
			return ret(nil, err)
		}
	default:
		if err := h.updateDIZ(ctx, w, z, &spec, acc, plan, out); err != nil {
			return ret(nil, err)
		}
	}
	out, err = h.finish(ctx, "diz", plan, out)
	return ret(out, err)
}

// finish applies a plan (or, in check mode, only reports it) and fills in
// the outcome's plan and changed flag.
func (h *Host) finish(ctx context.Context, op string, plan *Plan, out *Outcome) (*Outcome, error) {
	out.Plan = plan.Lines()
	out.Steps = plan.Steps
	out.Changed = !plan.Empty()
	if h.CheckMode || plan.Empty() {
		return out, nil
	}
	j, err := h.journal(op, plan)
	if err != nil {
		return nil, err
	}
	if plan.disposable != nil {
		plan.disposable.j = j
		if err := j.SetRecovery(Recovery{Kind: "destroy", Zone: plan.Zone, ZoneRun: plan.Run}); err != nil {
			j.Finish()
			return nil, fmt.Errorf("%s: journal: %w", plan.Zone, err)
		}
	}
	err = h.apply(ctx, j, plan)
	for _, k := range plan.Kept {
		out.Warnings = append(out.Warnings, plan.Zone+": "+k)
	}
	if err != nil {
		return out, err
	}
	return out, nil
}

// checkOurs refuses a zone zonemgr does not manage, or one of the other role.
func checkOurs(z *Zone, role string) error {
	if !z.Managed() {
		return fmt.Errorf("zone %s exists and is not managed by zonemgr (it has no zonemgr.* attributes); refusing to touch it", z.Name)
	}
	if r := z.Role(); r != role {
		what := map[string]string{"giz": "a golden-image zone (GIZ)", "diz": "a disposable zone (DIZ)"}[r]
		if what == "" {
			what = fmt.Sprintf("a zone of role %q", r)
		}
		return fmt.Errorf("zone %s is %s, not %s", z.Name, what, map[string]string{"giz": "a golden-image zone", "diz": "a disposable zone"}[role])
	}
	return nil
}

// resolveGIZ finds the golden zone, its dataset and the snapshot to
// clone; the snapshot must exist on the zone's active boot environment,
// which the brand's clone hook clones (clone -s SNAP: $ACTIVE_DS@SNAP).
func (h *Host) resolveGIZ(ctx context.Context, w *World, name, snap string) (*Zone, string, string, error) {
	if name == "" {
		return nil, "", "", errors.New("giz: required to create a disposable zone")
	}
	g := w.Zones[name]
	if g == nil {
		return nil, "", "", fmt.Errorf("giz: zone %s does not exist", name)
	}
	if err := checkOurs(g, "giz"); err != nil {
		return nil, "", "", fmt.Errorf("giz: %w", err)
	}
	ds, ok := w.ZoneDataset(g)
	if !ok {
		return nil, "", "", fmt.Errorf("giz: the dataset of golden zone %s (zonepath %s) is not under %s", name, g.Zonepath, h.Settings.GIZContainer)
	}
	zbe, err := h.activeBE(ctx, w, ds)
	if err != nil {
		return nil, "", "", fmt.Errorf("giz: golden zone %s: %w", name, err)
	}
	if snap == "" {
		snaps := zonemgrSnapshots(w, ds)
		if len(snaps) == 0 {
			return nil, "", "", fmt.Errorf("giz: golden zone %s has no zonemgr snapshot to clone; take one with zone_snapshot", name)
		}
		snap = snaps[len(snaps)-1]
	}
	if !w.Exists(zbe + "@" + snap) {
		return nil, "", "", fmt.Errorf("snapshot: %s@%s does not exist (snapshots of %s: %s)", zbe, snap, name, strings.Join(snapshotNames(w, ds), ", "))
	}
	return g, ds, snap, nil
}

// zonemgrSnapshots returns the names (after '@') of the snapshots zonemgr
// took of a zone's dataset, oldest first.
func zonemgrSnapshots(w *World, ds string) []string {
	var out []string
	for _, s := range w.Snapshots(ds) {
		_, name, _ := strings.Cut(s.Name, "@")
		if IsZonemgrSnapshot(name) {
			out = append(out, name)
		}
	}
	return out
}

func snapshotNames(w *World, ds string) []string {
	var out []string
	for _, s := range w.Snapshots(ds) {
		_, name, _ := strings.Cut(s.Name, "@")
		out = append(out, name)
	}
	if len(out) == 0 {
		return []string{"none"}
	}
	return out
}

// IsZonemgrSnapshot tells the snapshots zonemgr takes by their names.
func IsZonemgrSnapshot(name string) bool {
	return strings.HasPrefix(name, "initial-") || strings.HasPrefix(name, SnapAutoPrefix) || strings.HasPrefix(name, "zonemgr-")
}

// containerSteps creates a missing container dataset with the original
// script's tuning, in one zfs create so a failure leaves nothing half
// tuned, and its missing parents. Containers are zonemgr's standing
// infrastructure, like its state directory: made once, by whichever run
// needs them first, and never removed by an undo or by gc, since other
// runs may be making zones in them at any moment. A creation that finds
// the dataset made by a parallel run meanwhile counts as done.
func (h *Host) containerSteps(ctx context.Context, w *World, name, compression, dedup, mountpoint string) ([]Step, error) {
	if w.Exists(name) {
		return nil, nil
	}
	if err := w.learnAncestors(ctx, h.Runner, name); err != nil {
		return nil, fmt.Errorf("container %s: %w", name, err)
	}
	var steps []Step
	parts := strings.Split(name, "/")
	first := 1 // the nearest existing ancestor (the pool at least)
	for i := len(parts) - 1; i >= 1; i-- {
		if w.Exists(strings.Join(parts[:i], "/")) {
			first = i
			break
		}
	}
	for i := first + 1; i < len(parts); i++ {
		parent := strings.Join(parts[:i], "/")
		steps = append(steps, infraStep("create parent dataset "+parent, parent, []string{"zfs", "create", parent}))
	}
	argv := []string{"zfs", "create", "-o", "atime=off", "-o", "canmount=on", "-o", "com.sun:auto-snapshot=false", "-o", "compression=" + compression, "-o", "dedup=" + dedup}
	if mountpoint != "" {
		argv = append(argv, "-o", "mountpoint="+mountpoint)
	}
	argv = append(argv, name)
	steps = append(steps, infraStep("create container "+name, name, argv))
	return steps, nil
}

// infraStep creates a dataset of zonemgr's infrastructure (see
// containerSteps), which parallel runs may all want at once: one creates
// it; for the others it then exists, which is all they need. It has no
// undo.
func infraStep(why, name string, argv []string) Step {
	return Step{Why: why, Cmd: &illumos.Cmd{Argv: argv}, ExistsOK: name}
}

// containerMountpoint is where a container is (or will be) mounted.
func containerMountpoint(w *World, name, configured string) string {
	if mp := w.Containers[name]; mp != "" {
		return mp
	}
	if configured != "" {
		return configured
	}
	// Inherited: the nearest existing ancestor's mountpoint plus the rest.
	parts := strings.Split(name, "/")
	for i := len(parts) - 1; i >= 1; i-- {
		anc := strings.Join(parts[:i], "/")
		if d, ok := w.Datasets[anc]; ok && strings.HasPrefix(d.Props["mountpoint"], "/") {
			return path.Join(d.Props["mountpoint"], strings.Join(parts[i:], "/"))
		}
	}
	return "/" + name
}

// zonecfgStep configures a zone from a command file read on standard
// input (zonecfg -f -: zonecfg.c cmd_file() reads stdin for "-"), so
// zonecfg stops at the first error instead of committing the commands
// that worked. With run set, the script creates the zone (its
// zonemgr.run attribute is run), and the undo deletes the configuration
// while the zone is still that run's.
func zonecfgStep(why, zone, script, run string) Step {
	s := Step{
		Why:  why,
		Cmd:  &illumos.Cmd{Argv: []string{"zonecfg", "-z", zone, "-f", "-"}, Stdin: []byte(script)},
		Show: "zonecfg -z " + zone + " -f - <<EOF\n\t" + strings.ReplaceAll(strings.TrimRight(script, "\n"), "\n", "\n\t") + "\nEOF",
	}
	if run != "" {
		s.Undo = &illumos.Cmd{Argv: []string{"zonecfg", "-z", zone, "delete", "-F"}}
		s.Guard = &Guard{Zone: zone, ZoneRun: run}
	}
	return s
}

// dizConfig derives a disposable zone's configuration: the golden zone's
// brand and resource controls, without its networks, datasets and
// zonemgr attributes, plus the spec's own resources and attributes.
func dizConfig(g *Zone, spec *DIZSpec, zonepath, snap, created, run string, vnics []autoVNIC, createdDS []string) *illumos.ZoneConfig {
	c := &illumos.ZoneConfig{Name: spec.Name, Zonepath: zonepath, Brand: g.Brand, IPType: "exclusive", Autoboot: false}
	if g.Config != nil {
		c.Brand = g.Config.Brand
		c.FS = slices.Clone(g.Config.FS)
		c.Rctls = slices.Clone(g.Config.Rctls)
		c.CappedMemory = g.Config.CappedMemory
		c.CappedCPU = g.Config.CappedCPU
		c.DedicatedCPU = g.Config.DedicatedCPU
		c.LimitPriv = g.Config.LimitPriv
		for _, a := range g.Config.Attrs {
			if !strings.HasPrefix(a.Name, "zonemgr.") {
				c.Attrs = append(c.Attrs, a)
			}
		}
	}
	for _, m := range spec.Lofs {
		c.FS = slices.DeleteFunc(c.FS, func(f illumos.FS) bool { return f.Dir == m.Dir })
		c.FS = append(c.FS, m.fs())
	}
	for _, v := range spec.VNICs {
		c.Nets = append(c.Nets, illumos.Net{Physical: v})
	}
	for _, v := range vnics {
		c.Nets = append(c.Nets, illumos.Net{Physical: v.Name})
	}
	for _, d := range spec.Datasets {
		c.Datasets = append(c.Datasets, illumos.Dataset{Name: d})
	}
	if spec.CappedMemory != "" {
		c.CappedMemory = &illumos.CappedMemory{Physical: spec.CappedMemory}
	}
	if spec.CappedCPU != "" {
		c.CappedCPU = &illumos.CappedCPU{NCPUs: spec.CappedCPU}
	}
	attrs := []illumos.Attr{
		{Name: AttrRole, Type: "string", Value: "diz"},
		{Name: AttrOrigin, Type: "string", Value: "giz:" + g.Name},
		{Name: AttrSnapshot, Type: "string", Value: snap},
		{Name: AttrCreated, Type: "string", Value: created},
		{Name: AttrSetup, Type: "string", Value: formatParts(spec.setup(spec.Name, g.Name).Parts())},
	}
	if run != "" {
		attrs = append(attrs, illumos.Attr{Name: AttrRun, Type: "string", Value: run})
	}
	if len(vnics) > 0 {
		attrs = append(attrs, illumos.Attr{Name: AttrAutoVNIC, Type: "string", Value: formatAutoVNICs(vnics)})
	}
	if len(createdDS) > 0 {
		attrs = append(attrs, illumos.Attr{Name: AttrDatasets, Type: "string", Value: strings.Join(createdDS, " ")})
	}
	c.Attrs = append(c.Attrs, attrs...)
	return c
}

// createDIZ plans a new disposable zone: container, delegated datasets,
// VNICs, configuration, clone, boot, in-zone setup, final state.
func (h *Host) createDIZ(ctx context.Context, w *World, spec *DIZSpec, acc *accounts, plan *Plan, out *Outcome) error {
	g, gds, snap, err := h.resolveGIZ(ctx, w, spec.GIZ, spec.Snapshot)
	if err != nil {
		return err
	}
	if g.InKernel() {
		return fmt.Errorf("giz: golden zone %s is %s; a zone is cloned only while halted", g.Name, g.State)
	}
	csteps, err := h.containerSteps(ctx, w, h.Settings.DIZContainer, h.Settings.DIZCompression, h.Settings.DIZDedup, h.Settings.DIZMountpoint)
	if err != nil {
		return err
	}
	plan.Add(csteps...)
	zonepath := path.Join(containerMountpoint(w, h.Settings.DIZContainer, h.Settings.DIZMountpoint), spec.Name)

	var created []string
	for _, d := range spec.Datasets {
		if err := h.learnDelegated(ctx, w, d); err != nil {
			return err
		}
		if w.Exists(d) {
			continue
		}
		steps, err := h.delegatedDatasetSteps(ctx, w, d, plan.Run)
		if err != nil {
			return err
		}
		plan.Add(steps...)
		created = append(created, d)
	}
	var vnics []autoVNIC
	for i, v := range spec.VNICsOver {
		name := VNICName("diz", spec.Name, i)
		vnics = append(vnics, autoVNIC{Name: name, Spec: v})
		plan.Add(vnicStep(name, v))
	}
	cfg := dizConfig(g, spec, zonepath, snap, Stamp(h.now()), plan.Run, vnics, created)
	script, err := illumos.CreateScript(cfg, "")
	if err != nil {
		return fmt.Errorf("configure %s: %w", spec.Name, err)
	}
	plan.Add(zonecfgStep("configure the zone", spec.Name, script, plan.Run))
	plan.hold("source", spec.gizLock)
	plan.Add(cloneStep(spec.Name, plan.Run, g.Name, snap))
	setup := spec.setup(spec.Name, g.Name)
	for _, f := range cfg.FS {
		setup.Mounts = append(setup.Mounts, f.Dir)
	}
	plan.Add(h.setupSteps(spec.Name, plan.Run, setup, acc, Boot{Timeout: spec.BootTimeout})...)
	if spec.LDAPClient {
		files, err := h.readLDAPClient()
		if err != nil {
			return err
		}
		plan.Add(ldapSteps(spec.Name, files)...)
	}
	st := spec.State
	if st == "restarted" {
		st = "running"
	}
	if st == "running" && (spec.SingleUser || spec.NoWait) {
		// Reboot the way the spec asks: the setup boot waits for multi-user.
		plan.Add(Step{Why: "halt after setup", Cmd: zoneadm(spec.Name, "halt")})
		plan.Add(h.bootSteps(spec.Name, plan.Run, spec.boot())...)
	} else {
		plan.Add(h.stateSteps(spec.Name, plan.Run, "running", st, spec.boot())...)
	}
	plan.disposable = spec.disposable

	out.Before = "state: absent\n"
	out.After = cfg.Export() + "state: " + spec.State + "\n"
	out.set("giz", g.Name)
	out.set("snapshot", snap)
	if be, err := h.activeBE(ctx, w, gds); err == nil {
		out.set("origin", be+"@"+snap)
	}
	out.set("zonepath", zonepath)
	out.set("state", finalState(spec.State))
	out.set("vnics", vnicNames(vnics))
	out.set("created", true)
	return nil
}

func vnicNames(vs []autoVNIC) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.Name)
	}
	return out
}

// finalState is the zoneadm state a spec state leads to.
func finalState(s string) string {
	switch s {
	case "present", "stopped":
		return "installed"
	}
	return s
}

// delegatedDatasetSteps creates a dataset to delegate (and its missing
// parents), zoned and with a legacy mountpoint. The dataset carries the
// run's id (zonemgr:run), and its undo removes it only while it still
// carries it and no other zone uses it. Missing parents are made as
// "mkdir -p" would, by whichever run needs them first, and stay, like
// the containers (see containerSteps): parallel runs may be making
// datasets in them at any moment.
func (h *Host) delegatedDatasetSteps(ctx context.Context, w *World, name, run string) ([]Step, error) {
	parts := strings.Split(name, "/")
	if err := w.learnAncestors(ctx, h.Runner, name); err != nil {
		return nil, fmt.Errorf("delegate_datasets: %s: %w", name, err)
	}
	first := 1
	for i := len(parts) - 1; i >= 1; i-- {
		if w.Exists(strings.Join(parts[:i], "/")) {
			first = i
			break
		}
	}
	var steps []Step
	for i := first + 1; i < len(parts); i++ {
		anc := strings.Join(parts[:i], "/")
		steps = append(steps, infraStep("create parent dataset "+anc, anc, []string{"zfs", "create", anc}))
		w.Datasets[anc] = zfs.Dataset{Name: anc}
	}
	steps = append(steps, Step{
		Why:   "create delegated dataset " + name,
		Cmd:   &illumos.Cmd{Argv: []string{"zfs", "create", "-o", PropRun + "=" + run, "-o", "zoned=on", "-o", "mountpoint=legacy", name}},
		Undo:  &illumos.Cmd{Argv: []string{"zfs", "destroy", "-r", name}},
		Guard: &Guard{Dataset: name, Run: run, Unused: true},
	})
	return steps, nil
}

// vnicStep creates one automatic VNIC; its undo deletes it while no
// other zone configures it. Automatic VNIC names are the zone's (see
// VNICBase), and the zone's lock is held by whoever makes or removes
// them, so a VNIC of that name that exists is this zone's.
func vnicStep(name string, v VNICOver) Step {
	return Step{
		Why:   "create VNIC " + name + " over " + v.Link,
		Cmd:   &illumos.Cmd{Argv: v.createArgs(name)},
		Undo:  &illumos.Cmd{Argv: []string{"dladm", "delete-vnic", name}},
		Guard: &Guard{VNIC: name, Unused: true},
	}
}

// cloneStep clones a golden zone's snapshot into a configured zone. A
// failed clone leaves the zone incomplete, which its undo (uninstall
// -F) clears, while the zone is still this run's. The golden zone's
// shared lock (the plan's "source" lock), held since the world was
// read, is released once the clone ran: the golden zone may be booted
// again.
func cloneStep(zone, run, giz, snap string) Step {
	return Step{
		Why:          "clone " + giz + "@" + snap,
		Cmd:          zoneadm(zone, "clone", "-s", snap, giz),
		Undo:         zoneadm(zone, "uninstall", "-F"),
		Guard:        &Guard{Zone: zone, ZoneRun: run, States: []string{"installed", "incomplete"}},
		UndoIfFailed: true,
		Release:      "source",
	}
}

// setupSteps boot the zone and apply the in-zone setup. The zone is left
// running.
func (h *Host) setupSteps(zone, zid string, s Setup, acc *accounts, b Boot) []Step {
	steps := h.bootSteps(zone, zid, Boot{Timeout: b.Timeout})
	if acc == nil {
		acc = &accounts{}
	}
	steps = append(steps, Step{
		Why: "set up the zone (node name, accounts, automounts)",
		Cmd: &illumos.Cmd{Argv: []string{"zlogin", "-S", zone, "/bin/sh -s"}, Stdin: []byte(setupScript(s, acc)), ZoneStatus: true},
	})
	return steps
}

// stateSteps move a zone from one state to the state a spec asks for.
// "restarted" halts a zone in the kernel and boots it again. zid is the
// zone's identity (see zoneRun), which the undo commands' guards check.
func (h *Host) stateSteps(zone, zid, from, want string, b Boot) []Step {
	if want == "restarted" {
		var steps []Step
		switch from {
		case "running", "ready", "shutting_down", "down":
			steps = append(steps, Step{Why: "halt the zone", Cmd: zoneadm(zone, "halt")})
		case "mounted":
			steps = append(steps, Step{Why: "unmount the zone", Cmd: zoneadm(zone, "unmount")})
		}
		return append(steps, h.bootSteps(zone, zid, b)...)
	}
	want = finalState(want)
	switch want {
	case "", from:
		return nil
	case "installed":
		switch from {
		case "running", "ready", "shutting_down", "down":
			return []Step{{Why: "halt the zone", Cmd: zoneadm(zone, "halt")}}
		case "mounted":
			return []Step{{Why: "unmount the zone", Cmd: zoneadm(zone, "unmount")}}
		}
	case "running":
		var steps []Step
		if from == "mounted" {
			steps = append(steps, Step{Why: "unmount the zone", Cmd: zoneadm(zone, "unmount")})
		}
		return append(steps, h.bootSteps(zone, zid, b)...)
	case "ready":
		var steps []Step
		switch from {
		case "mounted":
			steps = append(steps, Step{Why: "unmount the zone", Cmd: zoneadm(zone, "unmount")})
		case "running", "shutting_down", "down":
			steps = append(steps, Step{Why: "halt the zone", Cmd: zoneadm(zone, "halt")})
		}
		return append(steps, Step{Why: "ready the zone", Cmd: zoneadm(zone, "ready"), Undo: zoneadm(zone, "halt"),
			Guard: &Guard{Zone: zone, ZoneRun: zid, States: []string{"ready"}}})
	case "mounted":
		var steps []Step
		if from != "installed" {
			steps = append(steps, Step{Why: "halt the zone", Cmd: zoneadm(zone, "halt")})
		}
		return append(steps, Step{Why: "mount the zone", Cmd: zoneadm(zone, "mount"), Undo: zoneadm(zone, "unmount"),
			Guard: &Guard{Zone: zone, ZoneRun: zid, States: []string{"mounted"}}})
	}
	return nil
}

// updateDIZ plans the changes to an existing disposable zone.
func (h *Host) updateDIZ(ctx context.Context, w *World, z *Zone, spec *DIZSpec, acc *accounts, plan *Plan, out *Outcome) error {
	curGIZ := strings.TrimPrefix(z.Attr(AttrOrigin), "giz:")
	out.set("giz", curGIZ)
	out.set("snapshot", z.Attr(AttrSnapshot))
	out.set("zonepath", z.Zonepath)
	var recreate []string
	if spec.GIZ != "" && spec.GIZ != curGIZ {
		recreate = append(recreate, fmt.Sprintf("giz %s (the zone is a clone of %s)", spec.GIZ, curGIZ))
	}
	if spec.Snapshot != "" && spec.Snapshot != z.Attr(AttrSnapshot) {
		recreate = append(recreate, fmt.Sprintf("snapshot %s (the zone is a clone of %s)", spec.Snapshot, z.Attr(AttrSnapshot)))
	}
	giz := curGIZ
	if spec.GIZ != "" {
		giz = spec.GIZ
	}
	if changed := changedParts(spec.setup(spec.Name, giz).Parts(), z.Attr(AttrSetup), spec.given); len(changed) > 0 {
		recreate = append(recreate, strings.Join(changed, ", "))
	}
	autos := parseAutoVNICs(z.Attr(AttrAutoVNIC))
	var haveSpecs, wantSpecs []string
	for _, a := range autos {
		haveSpecs = append(haveSpecs, a.Spec.String())
	}
	for _, v := range spec.VNICsOver {
		wantSpecs = append(wantSpecs, v.String())
	}
	if spec.given("add_vnics_over") && !slices.Equal(haveSpecs, wantSpecs) {
		recreate = append(recreate, fmt.Sprintf("add_vnics_over [%s] (the zone has [%s])", strings.Join(wantSpecs, " "), strings.Join(haveSpecs, " ")))
	}
	if z.State == "incomplete" || z.State == "configured" {
		recreate = append(recreate, "the zone is "+z.State+" (a half-made zone)")
	}
	if len(recreate) > 0 {
		if !spec.Recreate {
			return fmt.Errorf("zone %s: these changes need the zone re-created (set recreate: true to allow it): %s", z.Name, strings.Join(recreate, "; "))
		}
		steps, err := h.destroySteps(ctx, w, z)
		if err != nil {
			return err
		}
		plan.Add(steps...)
		// The zone's automatic VNICs and datasets are gone once the
		// destroy steps have run: plan the creation as if from scratch.
		for _, d := range strings.Fields(z.Attr(AttrDatasets)) {
			delete(w.Datasets, d)
		}
		spec.GIZ = giz
		spec.Given = nil // the zone is made anew from the spec
		before := describe(z)
		if err := h.createDIZ(ctx, w, spec, acc, plan, out); err != nil {
			return err
		}
		out.Before = before
		out.set("recreated", true)
		return nil
	}

	// zonecfg-level changes, applied in place.
	g := w.Zones[giz]
	if g == nil {
		g = &Zone{Name: giz, Brand: z.Brand}
	}
	created := strings.Fields(z.Attr(AttrDatasets))
	for _, d := range spec.Datasets {
		if err := h.learnDelegated(ctx, w, d); err != nil {
			return err
		}
		if !w.Exists(d) {
			steps, err := h.delegatedDatasetSteps(ctx, w, d, plan.Run)
			if err != nil {
				return err
			}
			plan.Add(steps...)
			created = append(created, d)
		}
	}
	have := z.Config
	if have == nil {
		return fmt.Errorf("zone %s: no configuration file in %s", z.Name, h.path("/etc/zones"))
	}
	want := dizConfig(g, spec, z.Zonepath, z.Attr(AttrSnapshot), z.Attr(AttrCreated), z.Attr(AttrRun), autos, created)
	if g.Config == nil {
		// The golden zone is gone: keep what the zone inherited from it.
		want.Brand = have.Brand
	}
	keepUngiven(want, have, spec)
	script, changes, err := illumos.UpdateScript(have, want)
	if err != nil {
		return fmt.Errorf("zone %s: %w", z.Name, err)
	}
	if script != "" {
		plan.Add(zonecfgStep("change the configuration: "+strings.Join(changes, ", "), z.Name, script, ""))
		if z.State == "running" {
			out.Warnings = append(out.Warnings, fmt.Sprintf("zone %s is running: configuration changes take effect at its next boot", z.Name))
		}
	}
	plan.Add(h.stateSteps(z.Name, zoneRun(z), z.State, spec.State, spec.boot())...)
	out.Before = have.Export() + "state: " + z.State + "\n"
	after := finalState(spec.State)
	if after == "restarted" {
		after = "running"
	}
	if spec.State == "present" {
		after = z.State
	}
	out.After = want.Export() + "state: " + after + "\n"
	out.set("state", after)
	out.set("vnics", vnicNames(autos))
	return nil
}

// keepUngiven puts back into a desired configuration what the zone has
// for every option the user did not give: an omitted option leaves the
// zone as it is.
func keepUngiven(want, have *illumos.ZoneConfig, spec *DIZSpec) {
	if !spec.given("mount_lofs") {
		want.FS = slices.Clone(have.FS)
	}
	if !spec.given("delegate_datasets") {
		want.Datasets = slices.Clone(have.Datasets)
	}
	if !spec.given("add_vnics") {
		auto := map[string]bool{}
		for _, a := range parseAutoVNICs(configAttr(have, AttrAutoVNIC)) {
			auto[a.Name] = true
		}
		// The zone's own nets that are not automatic, then the automatic ones.
		var nets []illumos.Net
		for _, n := range have.Nets {
			if !auto[n.Physical] {
				nets = append(nets, n)
			}
		}
		for _, n := range want.Nets {
			if auto[n.Physical] {
				nets = append(nets, n)
			}
		}
		want.Nets = nets
	}
	if !spec.given("capped_memory") {
		want.CappedMemory = have.CappedMemory
	}
	if !spec.given("capped_cpu") {
		want.CappedCPU = have.CappedCPU
	}
	if !spec.given("copy_users") || !spec.given("copy_groups") || !spec.given("elevate_users") || !spec.given("mount_autonfs") {
		for i, a := range want.Attrs {
			if a.Name == AttrSetup {
				want.Attrs[i].Value = configAttr(have, AttrSetup)
			}
		}
	}
}

// configAttr returns a configuration attribute's value, "" when unset.
func configAttr(c *illumos.ZoneConfig, name string) string {
	v, _ := c.Attr(name)
	return v
}

// describe renders a zone for a diff's before or after.
func describe(z *Zone) string {
	s := ""
	if z.Config != nil {
		s = z.Config.Export()
	}
	return s + "state: " + z.State + "\n"
}

// destroySteps remove a managed zone and what zonemgr made for it: halt,
// uninstall (which destroys its datasets and the clone's origin snapshot
// when nothing else uses it), its automatic VNICs and the delegated
// datasets zonemgr created — nothing else — and last the configuration,
// which names them. The steps have no undo: a failed destroy is repeated,
// and finds what is left through the configuration.
func (h *Host) destroySteps(ctx context.Context, w *World, z *Zone) ([]Step, error) {
	var steps []Step
	switch z.State {
	case "running", "ready", "shutting_down", "down":
		steps = append(steps, Step{Why: "halt the zone", Cmd: zoneadm(z.Name, "halt")})
	case "mounted":
		steps = append(steps, Step{Why: "unmount the zone", Cmd: zoneadm(z.Name, "unmount")})
	}
	if z.Role() == "giz" {
		// Release zonemgr's holds, or the uninstall cannot destroy the
		// snapshots.
		if ds, ok := w.ZoneDataset(z); ok {
			for _, s := range w.Snapshots(ds) {
				if s.Props["userrefs"] != "" && s.Props["userrefs"] != "0" && s.Props["userrefs"] != "-" {
					steps = append(steps, Step{Why: "release " + s.Name, Cmd: &illumos.Cmd{Argv: []string{"zfs", "release", "-r", HoldTag, s.Name}}})
				}
			}
		}
	}
	if z.State != "configured" {
		steps = append(steps, Step{Why: "uninstall the zone", Cmd: zoneadm(z.Name, "uninstall", "-F")})
	}
	autos := parseAutoVNICs(z.Attr(AttrAutoVNIC))
	if len(autos) > 0 {
		existing, err := h.vnics(ctx)
		if err != nil {
			return nil, err
		}
		for _, v := range autos {
			if !strings.HasPrefix(v.Name, "autodiz") && !strings.HasPrefix(v.Name, "autogiz") {
				continue // not a name zonemgr gives: never ours to delete
			}
			if existing[v.Name] {
				steps = append(steps, Step{Why: "delete VNIC " + v.Name, Cmd: &illumos.Cmd{Argv: []string{"dladm", "delete-vnic", v.Name}}})
			}
		}
	}
	// The delegated datasets zonemgr made for the zone go with it, but
	// only while they are still the zone's: made by the run that made
	// the zone (for zones made before runs had ids, the zone's own
	// record is all there is), and used by no other zone. That is checked
	// again just before each is destroyed, under its lock.
	zid := zoneRun(z)
	for _, d := range strings.Fields(z.Attr(AttrDatasets)) {
		if w.Exists(d) || !w.listed(d) {
			st := zfsDestroyStep("destroy delegated dataset "+d, d, true)
			st.When = &Guard{Dataset: d, Unused: true, Owner: z.Name, OwnerRun: zid}
			if z.Attr(AttrRun) != "" {
				st.When.Run = zid
			}
			steps = append(steps, st)
		}
	}
	steps = append(steps, Step{Why: "delete the configuration", Cmd: &illumos.Cmd{Argv: []string{"zonecfg", "-z", z.Name, "delete", "-F"}}})
	return steps, nil
}

// listed reports whether a dataset lies under a tree the world listed, so
// that its absence from the listing means it does not exist.
func (w *World) listed(name string) bool {
	for c := range w.Containers {
		if name == c || strings.HasPrefix(name, c+"/") {
			return true
		}
	}
	return false
}

// vnics lists the VNICs that exist, in one dladm call.
func (h *Host) vnics(ctx context.Context) (map[string]bool, error) {
	res, err := h.Runner.Run(ctx, illumos.Cmd{Argv: []string{"dladm", "show-vnic", "-p", "-o", "link"}})
	if err != nil {
		return nil, fmt.Errorf("list VNICs: %w", err)
	}
	out := map[string]bool{}
	for _, l := range strings.Split(string(res.Stdout), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out[l] = true
		}
	}
	return out, nil
}
