package zone

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/zonemgr/zonemgr/internal/digest"
	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/textio"
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
	// Packages, when set, name the zone's golden zone by content: it is
	// found, or built on demand (see dizGolden).
	Packages []string
	// Omitted are the fields the request leaves out: an existing zone
	// keeps what it has for them (the zero set: every field is given).
	Omitted Fields
	// gizLock is the golden zone's lock, held shared from the reading of
	// the world until the clone ran, so that the golden zone is not
	// booted (for a refresh) between the check that it is halted and the
	// clone. dizGolden takes it when it chooses or builds the golden
	// zone, so that it is not evicted before the clone either.
	gizLock *ZoneLock
	// fresh: the zone is made for one run (exec-diz): a zone that exists,
	// or a name another operation holds, is refused.
	fresh bool
}

// given reports whether the request gives a field.
func (s DIZSpec) given(f Field) bool { return !s.Omitted.Has(f) }

func (s DIZSpec) boot() Boot {
	return Boot{Timeout: s.BootTimeout, NoWait: s.NoWait, SingleUser: s.SingleUser}
}

// services are the services the zone needs enabled for what it is made
// with (see servicesStep): the automounter for automounts, the LDAP
// client for an LDAP client configuration.
func (s DIZSpec) services() []string {
	var out []string
	if len(s.AutoNFS) > 0 {
		out = append(out, autofsService)
	}
	if s.LDAPClient {
		out = append(out, LDAPClientService)
	}
	return out
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
			errs = multierror.Append(errs, optErr(FieldName, "%w", err))
		}
	}
	if !slices.Contains(DIZStates, s.State) {
		errs = multierror.Append(errs, optErr(FieldState, "%q is not one of: %s", s.State, strings.Join(DIZStates, ", ")))
	}
	if s.State == "absent" && s.Name == "" {
		errs = multierror.Append(errs, optErr(FieldName, "required when state is absent"))
	}
	if s.GIZ != "" {
		if err := illumos.ValidZoneName(s.GIZ); err != nil {
			errs = multierror.Append(errs, optErr(FieldGIZ, "%w", err))
		}
	}
	if s.Snapshot != "" {
		if err := zfs.ValidSnapshotName("x@" + s.Snapshot); err != nil || strings.ContainsAny(s.Snapshot, "@/") {
			errs = multierror.Append(errs, optErr(FieldSnapshot, "%q is not a snapshot name (letters, digits, '_', '-', '.', ':'; no '@' or '/')", s.Snapshot))
		}
	}
	for _, m := range s.Lofs {
		if err := m.validate(); err != nil {
			errs = multierror.Append(errs, err)
		} else if _, err := os.Stat(h.path(m.Special)); err != nil {
			errs = multierror.Append(errs, optErr(FieldLofs, "%s does not exist in the global zone", m.Special))
		}
	}
	for _, err := range h.lofsOverZones(s.Lofs, s.Name) {
		errs = multierror.Append(errs, err)
	}
	for _, d := range s.Datasets {
		if err := zfs.ValidDatasetName(d); err != nil {
			errs = multierror.Append(errs, optErr(FieldDatasets, "%w", err))
		} else if !strings.Contains(d, "/") {
			errs = multierror.Append(errs, optErr(FieldDatasets, "%q is a pool; delegate a dataset inside one", d))
		}
	}
	for _, v := range s.VNICs {
		if err := illumos.ValidLinkName(v); err != nil {
			errs = multierror.Append(errs, optErr(FieldVNICs, "%q: %w", v, err))
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
		errs = multierror.Append(errs, optErr(FieldBootTimeout, "%s is negative", s.BootTimeout))
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
	h.dizDefaults(&spec)
	built, err := h.dizGolden(ctx, &spec, "diz")
	if err != nil {
		return goldenOnly(built, spec.Name), err
	}
	defer spec.gizLock.Unlock()
	if out := pendingGolden(h, built, spec.GIZ); out != nil {
		return out, nil
	}
	r, err := h.newDIZRun(spec)
	if err != nil {
		return nil, err
	}
	out, err := h.operate(ctx, &dizOp{r})
	return withGolden(built, out), err
}

// pendingGolden is the outcome of a check-mode request whose golden zone
// does not exist yet: the golden zone's plan, then the clone, which is
// planned once the golden zone is there. It is nil otherwise.
func pendingGolden(h *Host, built *Outcome, giz string) *Outcome {
	if !h.CheckMode || built == nil || !built.Changed {
		return nil
	}
	out := *built
	out.Plan = append(slices.Clone(built.Plan), "then clone a disposable zone from "+giz+"'s newest snapshot")
	out.Values = map[string]any{"giz": giz, "giz_built": giz}
	return &out
}

// A dizRun is what the runs on one disposable zone share: an EnsureDIZ
// (dizOp), and the making of an exec's disposable zone (execDIZOp). It
// has no plan of its own: an operation that holds one links only the
// planning it does.
type dizRun struct {
	h    *Host
	spec DIZSpec
	acc  *accounts
	ds   *DatasetLocks
}

// A dizOp is one run of EnsureDIZ.
type dizOp struct{ dizRun }

// newDIZRun fills in the spec's defaults and validates it.
func (h *Host) newDIZRun(spec DIZSpec) (dizRun, error) {
	h.dizDefaults(&spec)
	acc, err := h.validateDIZ(&spec)
	if err != nil {
		return dizRun{}, err
	}
	return dizRun{h: h, spec: spec, acc: acc}, nil
}

// dizDefaults fills in what a disposable zone's request leaves out, before
// anything checks or builds for it: state present, the configured boot
// timeout.
func (h *Host) dizDefaults(spec *DIZSpec) {
	if spec.State == "" {
		spec.State = "present"
	}
	if spec.BootTimeout == 0 {
		spec.BootTimeout = h.Settings.BootTimeout
	}
}

func (o *dizRun) journal() string { return "diz" }

// lock takes the zone's lock (a one-shot run's (fresh) only when it is
// free), the golden zone's shared, and the shared locks of the datasets
// to delegate, which are locked before they are looked at and until the
// zone's configuration names them (see DatasetLocks).
func (o *dizRun) lock(ctx context.Context, ls *lockSet) error {
	h, spec := o.h, &o.spec
	if spec.Name != "" {
		var err error
		if spec.fresh {
			_, err = ls.try(spec.Name)
			if errors.Is(err, ErrLocked) {
				return optErr(FieldName, "zone %s is being worked on by another zonemgr run: a one-shot run needs a name of its own (omit it to have one generated)", spec.Name)
			}
		} else {
			_, err = ls.zone(ctx, spec.Name)
		}
		if err != nil {
			return err
		}
		if err := h.pendingWork(spec.Name, false); err != nil {
			return err
		}
	}
	giz := spec.GIZ
	if giz == "" && spec.Recreate && spec.State != "absent" && spec.Name != "" {
		// A re-creation that names no golden zone clones the zone's own
		// (its zonemgr.origin, which the zone's lock, held, keeps as it
		// is): it is held as a named one is, from the reading of the
		// world until the clone ran.
		if _, cfgs, err := illumos.ReadZones(h.Root); err == nil && cfgs[spec.Name] != nil {
			if v, ok := cfgs[spec.Name].Attr(AttrOrigin); ok && strings.HasPrefix(v, "giz:") {
				giz = strings.TrimPrefix(v, "giz:")
			}
		}
	}
	if spec.gizLock != nil {
		// Taken by dizGolden, with the golden zone chosen under it.
		ls.held = append(ls.held, spec.gizLock)
	} else if spec.State != "absent" && giz != "" && giz != spec.Name {
		gl, err := ls.shared(ctx, giz)
		if err != nil {
			return optErr(FieldGIZ, "%w", err)
		}
		spec.gizLock = gl
	}
	if spec.State != "absent" && len(spec.Datasets) > 0 {
		dl, err := ls.datasets(ctx, spec.Datasets)
		if err != nil {
			return optErr(FieldDatasets, "%w", err)
		}
		o.ds = dl
	}
	return nil
}

// observe reads the world for the zone's run, naming the zone when the
// request does not (a free generated name, claimed); it refuses an
// existing zone that is not a disposable zone zonemgr made, and any
// existing zone for a one-shot run (fresh).
func (o *dizRun) observe(ctx context.Context, ls *lockSet, p *Plan, out *Outcome) (*World, *Zone, error) {
	h, spec := o.h, &o.spec
	w, err := h.Observe(ctx, h.containers(h.Settings.DelegatedParent)...)
	if err != nil {
		return nil, nil, err
	}
	if spec.Name == "" {
		if spec.State == "absent" {
			return nil, nil, optErr(FieldName, "required when state is absent")
		}
		hash := SpecHash(spec.GIZ, spec.Snapshot, fmt.Sprint(spec.Lofs, spec.Datasets, spec.VNICs, spec.VNICsOver, spec.CopyUsers, spec.CopyGroups, spec.ElevateUsers, spec.AutoNFS))
		if spec.Name, err = ls.claimName(h.Settings.DIZPrefix, hash, w); err != nil {
			return nil, nil, err
		}
	}
	p.Zone, out.Zone = spec.Name, spec.Name
	out.set("name", spec.Name)
	z := w.Zones[spec.Name]
	if z != nil {
		if spec.fresh {
			return nil, nil, optErr(FieldName, "zone %s exists: a one-shot run clones a fresh disposable zone and destroys it afterwards, so it never works in an existing zone; give another name or none (one is generated)", spec.Name)
		}
		if err := checkOurs(z, "diz"); err != nil {
			return nil, nil, err
		}
	}
	p.datasets = o.ds
	p.hold("datasets", o.ds)
	return w, z, nil
}

// plan reads the world, draws the zone's name when the spec has none,
// and plans the zone's creation, change or destruction.
func (o *dizOp) plan(ctx context.Context, ls *lockSet, p *Plan, out *Outcome) error {
	h, spec := o.h, &o.spec
	w, z, err := o.observe(ctx, ls, p, out)
	if err != nil {
		return err
	}
	switch {
	case spec.State == "absent":
		if z == nil {
			out.Msg = fmt.Sprintf("zone %s does not exist", spec.Name)
			out.set("state", "absent")
			return nil
		}
		steps, err := h.destroySteps(ctx, w, z)
		if err != nil {
			return err
		}
		if err := h.warnUninstallLeaves(ctx, w, z, out); err != nil {
			return err
		}
		p.Add(steps...)
		p.Recover = &Recovery{Kind: "destroy", Zone: z.Name, ZoneRun: zoneRun(z)}
		out.Before, out.After = describe(z), "state: absent\n"
		out.set("state", "absent")
	case z == nil:
		return h.createDIZ(ctx, w, spec, o.acc, p, out)
	default:
		return h.updateDIZ(ctx, w, z, spec, o.acc, p, out)
	}
	return nil
}

func (o *dizOp) done(_ context.Context, _ *Plan, out *Outcome, _ ending, err error) (*Outcome, error) {
	return out, err
}

// resolveGIZ finds the golden zone, its dataset and the snapshot to
// clone; the snapshot must exist on the zone's active boot environment,
// which the brand's clone hook clones (clone -s SNAP: $ACTIVE_DS@SNAP),
// and carry zonemgr's hold there. The clone's uninstall, however it
// comes (destroy, exec-diz's end, gc, the undo of a failed creation),
// destroys each of the zone's datasets and then tries the clone's origin
// snapshot, ignoring a failure (illumos-gate
// usr/src/lib/brand/shared/zone/uninstall.ksh zfs_destroy()), so only a
// hold keeps it. zonemgr holds the snapshots it takes
// (snapSteps, holdSteps); a snapshot without the hold is one zonemgr
// did not record, and is never cleanup's to destroy: it is refused, and
// the default is the newest snapshot that carries the hold.
func (h *Host) resolveGIZ(ctx context.Context, w *World, name, snap string) (*Zone, string, string, error) {
	if name == "" {
		return nil, "", "", optErr(FieldGIZ, "required to create a disposable zone")
	}
	g := w.Zones[name]
	if g == nil {
		return nil, "", "", optErr(FieldGIZ, "zone %s does not exist", name)
	}
	if err := checkOurs(g, "giz"); err != nil {
		return nil, "", "", optErr(FieldGIZ, "%w", err)
	}
	ds, ok := w.ZoneDataset(g)
	if !ok {
		return nil, "", "", optErr(FieldGIZ, "the dataset of golden zone %s (zonepath %s) is not under %s", name, g.Zonepath, h.Settings.GIZContainer)
	}
	zbe, err := h.activeBE(ctx, w, ds)
	if err != nil {
		return nil, "", "", optErr(FieldGIZ, "golden zone %s: %w", name, err)
	}
	if snap == "" {
		// The newest that carries the hold: asked first of the newest
		// snapshot with any hold (held: userrefs, from the listing), then of
		// the others at once, so that a golden zone with thousands of
		// snapshots costs one short zfs holds.
		cands := zonemgrSnapshots(w, ds)
		var withRefs []string
		for i := len(cands) - 1; i >= 0; i-- {
			if held(w, zbe+"@"+cands[i]) {
				withRefs = append(withRefs, cands[i])
			}
		}
		for _, batch := range [][]string{withRefs[:min(1, len(withRefs))], withRefs[min(1, len(withRefs)):]} {
			if len(batch) == 0 {
				continue
			}
			ours, err := h.heldSnapshots(ctx, w, zbe, batch)
			if err != nil {
				return nil, "", "", fmt.Errorf("golden zone %s: %w", name, err)
			}
			if len(ours) > 0 {
				return g, ds, ours[0], nil
			}
		}
		return nil, "", "", optErr(FieldGIZ, "golden zone %s has no zonemgr snapshot to clone (one zonemgr took, carrying its %q hold); take a snapshot of it first", name, HoldTag)
	}
	if !w.Exists(zbe + "@" + snap) {
		return nil, "", "", optErr(FieldSnapshot, "%s@%s does not exist (snapshots of %s: %s)", zbe, snap, name, strings.Join(snapshotNames(w, ds), ", "))
	}
	var ours []string
	if held(w, zbe+"@"+snap) {
		if ours, err = h.heldSnapshots(ctx, w, zbe, []string{snap}); err != nil {
			return nil, "", "", fmt.Errorf("golden zone %s: %w", name, err)
		}
	}
	if len(ours) == 0 {
		return nil, "", "", optErr(FieldSnapshot, "%s@%s carries no %q hold: zonemgr did not take it, and the uninstall of a zone cloned from it would destroy it; clone a snapshot zonemgr took (zonemgr snapshot -z %s -s NAME), or keep this one with a hold first: zfs hold -r %s %s@%s", zbe, snap, HoldTag, name, HoldTag, ds, snap)
	}
	return g, ds, snap, nil
}

// heldSnapshots returns those of names (after '@', oldest first) whose
// snapshot of be carries zonemgr's hold, in one zfs holds call.
func (h *Host) heldSnapshots(ctx context.Context, w *World, be string, names []string) ([]string, error) {
	f := &facts{w: w}
	var snaps []string
	for _, n := range names {
		snaps = append(snaps, be+"@"+n)
	}
	if err := h.learnHolds(ctx, f, snaps); err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if slices.Contains(f.holds[be+"@"+n], HoldTag) {
			out = append(out, n)
		}
	}
	return out, nil
}

// refuseLeftoverDataset refuses to make a zone whose zonepath dataset,
// <container>/<name>, exists already although no zone has it: the clone
// or install would adopt it (its mountpoint may well have zoneadm's
// mode 0700 already), and the zone's uninstall would later destroy it
// with whatever it holds. Such a dataset is a leftover zonemgr cannot
// prove it made (gc lists it for a look by hand), or someone else's.
func refuseLeftoverDataset(w *World, container, name string) error {
	ds := container + "/" + name
	if !w.Exists(ds) {
		return nil
	}
	return optErr(FieldName, "zone %s: dataset %s exists already and belongs to no zone; zonemgr does not make a zone over a dataset it did not make: look at it and destroy it by hand (zfs destroy), or give another name", name, ds)
}

// refuseLeftoverZonepath refuses to make a zone whose zonepath is
// already a directory with something in it (refuseLeftoverDataset has
// seen that no dataset of the zone's is there). The brand's install or
// clone creates the zonepath dataset and tolerates its failures (pkg5
// src/brand/ipkg/clone: "We need to tolerate errors while creating the
// datasets"), and zfs mounts nothing on a directory that is not empty
// (illumos-gate libzfs_mount.c zfs_mount_at(): "directory is not
// empty"): the zone would be made with its dataset unmounted and its
// zonepath's files in the container's. OmniOS's brand leaves exactly
// such a directory when an install or clone fails before it makes the
// dataset: its log, <zonepath>/log/zone.log (log.ksh setuplog()), which
// its uninstall keeps (uninstall.ksh rm_zonepath()). zonemgr does not
// remove what it cannot prove it made; it names what is there. A link
// at the zonepath is refused too (zoneadm would: validate_zonepath()).
// At most a few entries are read. A zonepath a zone has is left to the
// plan: a zone re-created is destroyed by the steps before, and zoneadm
// refuses a zonepath another installed zone has (crosscheck_zonepaths()).
func (h *Host) refuseLeftoverZonepath(w *World, zonepath, name string) error {
	for _, z := range w.Zones {
		if z.Zonepath == zonepath {
			return nil
		}
	}
	p := h.path(zonepath)
	fi, err := os.Lstat(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("zone %s: look at its zonepath: %w", name, err)
	case !fi.IsDir():
		kind := "a regular file"
		if !fi.Mode().IsRegular() {
			kind = textio.FileKind(fi.Mode())
		}
		return optErr(FieldName, "zone %s: its zonepath %s is %s, not a directory; zonemgr does not make a zone there: look at it and remove it by hand, or give another name", name, zonepath, kind)
	}
	d, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("zone %s: look at its zonepath: %w", name, err)
	}
	defer d.Close()
	const shown = 4
	entries, err := d.ReadDir(shown + 1)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("zone %s: look at its zonepath %s: %w", name, zonepath, err)
	}
	if len(entries) == 0 {
		return nil
	}
	var names []string
	for _, e := range entries[:min(len(entries), shown)] {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	if len(entries) > shown {
		names = append(names, "...")
	}
	return optErr(FieldName, "zone %s: its zonepath %s is a directory that is not empty (%s), and no dataset of the zone's is there: the brand would make the zone with its dataset not mounted. A failed install or clone leaves the brand's log/zone.log there on OmniOS; zonemgr does not remove what it did not make: look at it and remove it by hand, or give another name", name, zonepath, strings.Join(names, ", "))
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
	if svcs := spec.services(); len(svcs) > 0 {
		attrs = append(attrs, illumos.Attr{Name: AttrServices, Type: "string", Value: strings.Join(svcs, " ")})
	}
	c.Attrs = append(c.Attrs, attrs...)
	return c
}

// createDIZ plans a new disposable zone: container, delegated datasets,
// VNICs, configuration, clone, the clone's identity written before its
// first boot, final state (its one boot, when it is to run).
func (h *Host) createDIZ(ctx context.Context, w *World, spec *DIZSpec, acc *accounts, plan *Plan, out *Outcome) error {
	if spec.GIZ != "" && w.Zones[spec.GIZ] == nil {
		return optErr(FieldGIZ, "zone %s does not exist; give %v to have a golden zone of that name built from them", spec.GIZ, FieldPackages)
	}
	g, gds, snap, err := h.resolveGIZ(ctx, w, spec.GIZ, spec.Snapshot)
	if err != nil {
		return err
	}
	if g.InKernel() {
		return optErr(FieldGIZ, "golden zone %s is %s; a zone is cloned only while halted", g.Name, g.State)
	}
	if err := refuseLeftoverDataset(w, h.Settings.DIZContainer, spec.Name); err != nil {
		return err
	}
	csteps, err := h.containerSteps(ctx, w, h.Settings.DIZContainer, h.Settings.DIZCompression, h.Settings.DIZDedup, h.Settings.DIZMountpoint)
	if err != nil {
		return err
	}
	plan.Add(csteps...)
	zonepath := path.Join(containerMountpoint(w, h.Settings.DIZContainer, h.Settings.DIZMountpoint), spec.Name)
	if err := h.refuseLeftoverZonepath(w, zonepath, spec.Name); err != nil {
		return err
	}

	var created []string
	if err := h.learnDelegated(ctx, w, spec.Datasets); err != nil {
		return err
	}
	for _, d := range spec.Datasets {
		if w.Exists(d) {
			if err := h.checkDelegable(ctx, d); err != nil {
				return err
			}
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
	var existing map[string]vnicFacts
	if len(spec.VNICsOver) > 0 {
		if existing, err = h.vnics(ctx); err != nil {
			return err
		}
	}
	taken := vnicsKept(existing, w.Zones[spec.Name])
	for i, v := range spec.VNICsOver {
		name := VNICName("diz", spec.Name, i)
		// The undo of a VNIC's creation, and gc's after a kill (the
		// journal records a step as begun before it runs), deletes a
		// VNIC of its name: one that exists now is not this run's, so
		// it is refused, but the VNIC a zone re-created configures,
		// which the steps before delete.
		if _, ok := existing[name]; ok {
			if z := w.Zones[spec.Name]; z == nil || !slices.Contains(zoneNets(z), name) {
				return optErr(FieldVNICsOver, "zone %s: VNIC %s exists already, and no zone of this name configures it: zonemgr makes a zone's automatic VNICs itself, and deletes only those; delete it by hand (dladm delete-vnic %s) if it is a leftover, or give another zone name", spec.Name, name, name)
			}
		}
		mac := v.MAC
		if mac == "" {
			mac = autoMAC(plan.Run, i, v, taken)
		} else if u := macUser(taken, v); u != "" {
			return optErr(FieldVNICsOver, "zone %s: %q: %s has MAC address %s over %s already; the kernel gives an address on a link and VLAN to one VNIC only: give another address, or none", spec.Name, v.String(), u, mac, v.Link)
		}
		taken = append(taken, namedVNIC{name: "the VNIC planned before it (" + name + ")", vnicFacts: vnicFacts{Over: v.Link, VID: strconv.Itoa(v.VLAN), MAC: mac}})
		vnics = append(vnics, autoVNIC{Name: name, Spec: v})
		plan.Add(vnicStep(name, v, mac))
	}
	cfg := dizConfig(g, spec, zonepath, snap, Stamp(h.now()), plan.Run, vnics, created)
	script, err := illumos.CreateScript(cfg, "")
	if err != nil {
		return fmt.Errorf("configure %s: %w", spec.Name, err)
	}
	cs := zonecfgStep("configure the zone", spec.Name, script, plan.Run)
	if len(spec.Datasets) > 0 {
		// Once the configuration names them, the datasets are the zone's:
		// their locks are no longer needed.
		cs.Release = "datasets"
	}
	plan.Add(cs)
	plan.hold("source", spec.gizLock)
	origin := ""
	if be, err := h.activeBE(ctx, w, gds); err == nil {
		origin = be + "@" + snap
	}
	plan.Add(cloneSteps(spec.Name, plan.Run, g.Name, snap, h.Settings.DIZContainer+"/"+spec.Name, origin)...)
	if g.Attr(AttrOnDemand) != "" {
		// gc --unused-goldens evicts an on-demand golden zone by its
		// last use.
		c, err := zfs.SetPropertyCmd(gds, PropUsed, strconv.FormatInt(h.now().Unix(), 10))
		if err != nil {
			return err
		}
		plan.Add(Step{Why: "record the golden zone's last use", Cmd: &c})
	}
	// The clone's identity is written before its first boot, which is
	// then the only boot of its life. The brand's clone hook has just
	// unconfigured the clone (pkg5 src/brand/ipkg/clone, common.ksh
	// unconfigure_zone(): system-unconfigure -R /a in the scratch zone
	// deletes /etc/nodename, resets /etc/inet/hosts to the loopback
	// lines, root's password and /etc/shadow's mode) and left its root
	// mounted (the unmount's poststate hook, mount_active_ds()); it
	// touches no other account, sudoers.d, user_attr or automount map.
	// Nothing at the first boot rewrites what is written here: the
	// identity-node service only reads /etc/nodename (the zone name
	// without one), and OpenIndiana's sysding only removes
	// /.UNCONFIGURED and gives an empty root password NP.
	setup := spec.setup(spec.Name, g.Name)
	for _, f := range cfg.FS {
		setup.Mounts = append(setup.Mounts, f.Dir)
	}
	edits := setupEdits(setup, acc)
	if spec.LDAPClient {
		files, err := h.readLDAPClient()
		if err != nil {
			return err
		}
		edits = append(edits, ldapEdits(files)...)
	}
	zoneDS := h.Settings.DIZContainer + "/" + spec.Name
	plan.Add(h.zoneFilesStep("write the zone's identity before its first boot ("+strings.Join(setupWhat(setup, spec.LDAPClient), ", ")+")", spec.Name, zonepath, zoneDS, plan.Run, edits)...)
	st := spec.State
	if st == "restarted" {
		st = "running"
	}
	plan.Add(withServices(spec.Name, h.stateSteps(spec.Name, plan.Run, "installed", st, spec.boot()), spec.services(), out)...)

	out.Before = "state: absent\n"
	out.After = cfg.Export() + "state: " + spec.State + "\n"
	out.set("giz", g.Name)
	out.set("snapshot", snap)
	if origin != "" {
		out.set("origin", origin)
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

// updateDIZ plans the changes to an existing disposable zone.
func (h *Host) updateDIZ(ctx context.Context, w *World, z *Zone, spec *DIZSpec, acc *accounts, plan *Plan, out *Outcome) error {
	curGIZ := strings.TrimPrefix(z.Attr(AttrOrigin), "giz:")
	out.set("giz", curGIZ)
	out.set("snapshot", z.Attr(AttrSnapshot))
	out.set("zonepath", z.Zonepath)
	var recreate []error
	if spec.GIZ != "" && spec.GIZ != curGIZ {
		recreate = append(recreate, optErr(FieldNone, "%v %s (the zone is a clone of %s)", FieldGIZ, spec.GIZ, curGIZ))
	}
	if spec.Snapshot != "" && spec.Snapshot != z.Attr(AttrSnapshot) {
		recreate = append(recreate, optErr(FieldNone, "%v %s (the zone is a clone of %s)", FieldSnapshot, spec.Snapshot, z.Attr(AttrSnapshot)))
	}
	giz := curGIZ
	if spec.GIZ != "" {
		giz = spec.GIZ
	}
	if changed := changedParts(spec.setup(spec.Name, giz).Parts(), z.Attr(AttrSetup), spec.Omitted); len(changed) > 0 {
		recreate = append(recreate, optErr(FieldNone, "%v", changed))
	}
	autos := parseAutoVNICs(z.Attr(AttrAutoVNIC))
	var haveSpecs, wantSpecs []string
	for _, a := range autos {
		haveSpecs = append(haveSpecs, a.Spec.String())
	}
	for _, v := range spec.VNICsOver {
		wantSpecs = append(wantSpecs, v.String())
	}
	if spec.given(FieldVNICsOver) && !slices.Equal(haveSpecs, wantSpecs) {
		recreate = append(recreate, optErr(FieldNone, "%v [%s] (the zone has [%s])", FieldVNICsOver, strings.Join(wantSpecs, " "), strings.Join(haveSpecs, " ")))
	}
	if z.State == "incomplete" || z.State == "configured" {
		recreate = append(recreate, fmt.Errorf("the zone is %s (a half-made zone)", z.State))
	}
	if len(recreate) > 0 {
		if !spec.Recreate {
			return optErr(FieldNone, "zone %s: these changes need the zone re-created (allow it with %v): %v", z.Name, Enable(FieldRecreate), recreate)
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
		// So is the zone's own dataset, which its uninstall destroys.
		if zd, ok := w.ZoneDataset(z); ok {
			w.forgetTree(zd)
		}
		spec.GIZ = giz
		spec.Omitted = 0 // the zone is made anew from the spec
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
	if err := h.learnDelegated(ctx, w, spec.Datasets); err != nil {
		return err
	}
	for _, d := range spec.Datasets {
		if w.Exists(d) && !slices.Contains(created, d) && !z.Config.HasDataset(d) {
			if err := h.checkDelegable(ctx, d); err != nil {
				return err
			}
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
	// The services a zone enables are what it was made with.
	copyAttr(want, have, AttrServices)
	// A record the zone was made without stays absent rather than
	// being added empty (zonecfg refuses an attr without a value).
	for _, name := range []string{AttrCreated, AttrSetup} {
		if configAttr(have, name) == "" {
			copyAttr(want, have, name)
		}
	}
	script, changes, err := illumos.UpdateScript(have, want)
	if err != nil {
		return fmt.Errorf("zone %s: %w", z.Name, err)
	}
	if script != "" {
		cs := zonecfgStep("change the configuration: "+strings.Join(changes, ", "), z.Name, script, "")
		if len(spec.Datasets) > 0 {
			cs.Release = "datasets"
		}
		plan.Add(cs)
		if z.State == "running" {
			out.Warnings = append(out.Warnings, fmt.Sprintf("zone %s is running: configuration changes take effect at its next boot", z.Name))
		}
	}
	// present asks only that the zone exist: a zone in any state is
	// left in it.
	after := z.State
	if spec.State != "present" {
		plan.Add(withServices(z.Name, h.stateSteps(z.Name, zoneRun(z), z.State, spec.State, spec.boot()), strings.Fields(z.Attr(AttrServices)), out)...)
		if after = finalState(spec.State); after == "restarted" {
			after = "running"
		}
	}
	out.Before = have.Export() + "state: " + z.State + "\n"
	out.After = want.Export() + "state: " + after + "\n"
	out.set("state", after)
	out.set("vnics", vnicNames(autos))
	return nil
}

// keepUngiven puts back into a desired configuration what the zone has
// for every option the user did not give: an omitted option leaves the
// zone as it is.
func keepUngiven(want, have *illumos.ZoneConfig, spec *DIZSpec) {
	if !spec.given(FieldLofs) {
		want.FS = slices.Clone(have.FS)
	}
	if !spec.given(FieldDatasets) {
		want.Datasets = slices.Clone(have.Datasets)
	}
	if !spec.given(FieldVNICs) {
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
	if !spec.given(FieldCappedMemory) {
		want.CappedMemory = have.CappedMemory
	}
	if !spec.given(FieldCappedCPU) {
		want.CappedCPU = have.CappedCPU
	}
	if !spec.given(FieldCopyUsers) || !spec.given(FieldCopyGroups) || !spec.given(FieldElevateUsers) || !spec.given(FieldAutoNFS) {
		for i, a := range want.Attrs {
			if a.Name == AttrSetup {
				want.Attrs[i].Value = configAttr(have, AttrSetup)
			}
		}
	}
}

// copyAttr gives a configuration the attribute of another, or none when
// the other has none.
func copyAttr(to, from *illumos.ZoneConfig, name string) {
	to.Attrs = slices.DeleteFunc(to.Attrs, func(a illumos.Attr) bool { return a.Name == name })
	if i := slices.IndexFunc(from.Attrs, func(a illumos.Attr) bool { return a.Name == name }); i >= 0 {
		to.Attrs = append(to.Attrs, from.Attrs[i])
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
func (h *Host) vnics(ctx context.Context) (map[string]vnicFacts, error) {
	fields := []string{"link", "over", "vid", "macaddress"}
	res, err := h.Runner.Run(ctx, illumos.Cmd{Argv: []string{"dladm", "show-vnic", "-p", "-o", strings.Join(fields, ",")}})
	if err != nil {
		return nil, fmt.Errorf("list VNICs: %w", err)
	}
	rows, err := illumos.ParseDladm(fields, res.Stdout)
	if err != nil {
		return nil, fmt.Errorf("list VNICs: %w", err)
	}
	out := make(map[string]vnicFacts, len(rows))
	for _, r := range rows {
		out[r["link"]] = vnicFacts{Over: r["over"], VID: r["vid"], MAC: r["macaddress"]}
	}
	return out, nil
}

// vnicFacts is what dladm show-vnic says of a VNIC: the link it is over,
// its VLAN id ("0" for none) and its MAC address as dladm prints it.
type vnicFacts struct {
	Over, VID, MAC string
}

// A namedVNIC is a VNIC an automatic VNIC's address must not clash
// with: one that exists, or one the plan makes before it.
type namedVNIC struct {
	name string
	vnicFacts
}

// vnicsKept lists the VNICs that exist but the automatic VNICs of the
// zone z being re-created (nil for none), which the steps before delete.
func vnicsKept(existing map[string]vnicFacts, z *Zone) []namedVNIC {
	var gone []string
	if z != nil {
		for _, a := range parseAutoVNICs(z.Attr(AttrAutoVNIC)) {
			gone = append(gone, a.Name)
		}
	}
	var out []namedVNIC
	for name, e := range existing {
		if !slices.Contains(gone, name) {
			out = append(out, namedVNIC{name: "VNIC " + name, vnicFacts: e})
		}
	}
	return out
}

// macUser names the VNIC among taken that has the address v gives over
// v's link and VLAN ("" for none).
func macUser(taken []namedVNIC, v VNICOver) string {
	vid := strconv.Itoa(v.VLAN)
	for _, e := range taken {
		if e.Over == v.Link && e.VID == vid && e.MAC == v.MAC {
			return e.name
		}
	}
	return ""
}

// autoMAC is the MAC address a run gives an automatic VNIC the user gave
// none: dladm's default prefix for the addresses it makes, 2:8:20
// (libdlvnic.c dladm_vnic_create(), dladm_vnic_def_prefix), and three
// octets drawn from the run's id (random) and the VNIC's index, drawn
// again while a VNIC over the link with that VLAN id has it (the kernel
// would refuse it: mac_client.c mac_addr_in_use()) or the plan gives it
// to a VNIC before. The address is in the step's argv, which the journal
// records, and proves the VNIC the run's (see vnicStep).
func autoMAC(run string, i int, v VNICOver, taken []namedVNIC) string {
	for try := 0; ; try++ {
		sum := digest.Sum256([]byte(fmt.Sprintf("zonemgr vnic %s %d %d", run, i, try)))
		v.MAC = illumos.FormatMAC([]byte{2, 8, 0x20, sum[0], sum[1], sum[2]})
		if macUser(taken, v) == "" {
			return v.MAC
		}
	}
}

// forgetTree removes a dataset, its descendants and their snapshots from
// the world, for a plan whose earlier steps destroy them.
func (w *World) forgetTree(ds string) {
	for n := range w.Datasets {
		if n == ds || strings.HasPrefix(n, ds+"/") || strings.HasPrefix(n, ds+"@") {
			delete(w.Datasets, n)
		}
	}
	w.snapsByDS = nil
}
