package zone

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zfs"
)

// GIZ states a spec can ask for.
var GIZStates = []string{"present", "absent", "updated", "running", "stopped", "ready", "mounted", "restarted", "exported"}

// A Publisher is an IPS publisher: a name and an origin URL.
type Publisher struct {
	Name string
	URL  string
}

// ParsePublisher parses the CLI form "name|url".
func ParsePublisher(s string) (Publisher, error) {
	name, url, ok := strings.Cut(s, "|")
	if !ok || name == "" || !strings.Contains(url, "://") || strings.ContainsAny(s, " \t\n'\"") {
		return Publisher{}, optErr(FieldAddPublishers, "%q: want \"name|scheme://origin/url\"", s)
	}
	return Publisher{Name: name, URL: url}, nil
}

// A GIZSpec describes a golden-image zone.
type GIZSpec struct {
	Name             string
	State            string
	Brand            string
	Template         string
	Source           string // another GIZ to clone instead of installing
	Snapshot         string // of Source; default its newest zonemgr snapshot
	AddPublishers    []Publisher
	RemovePublishers []string
	AddPackages      []string
	RemovePackages   []string
	CopyUsers        []string
	CopyGroups       []string
	ElevateUsers     []string
	Lofs             []LofsMount
	Force            bool
	BootTimeout      time.Duration
	NoWait           bool
	SingleUser       bool
	// UpdatePackages, with state "updated", runs pkg update; without it
	// only publishers are refreshed and add/remove_packages applied.
	UpdatePackages bool
	// Image is the image file to export to (state "exported") or to
	// import from (state "present"); see ExportGIZ and ImportGIZ.
	Image string
	// IncrementalFrom makes an export incremental from this snapshot.
	IncrementalFrom string
	// AttachUpdate attaches an imported zone with zoneadm attach -u.
	AttachUpdate bool
	// Archive installs a new zone from an archive (zoneadm install -a)
	// instead of from the package repository.
	Archive string
	// LDAPClient copies the global zone's LDAP client configuration into
	// the zone and enables the LDAP client service (see ldap.go).
	LDAPClient bool
	// Omitted are the fields the request leaves out: an existing zone
	// keeps what it has for them (the zero set: every field is given).
	Omitted Fields
	// OnDemand marks a golden zone built for a disposable zone's
	// request, with the request's kind and time ("diz <stamp>",
	// AttrOnDemand): gc evicts such a golden zone once it is unused.
	OnDemand string
	// content is the content a new golden zone records (AttrContent),
	// and an existing one must record (see goldenFor).
	content *Content
	// evictBefore, for a destroy that evicts an unused golden zone made
	// on demand (see EvictGoldens), is the last use it must predate:
	// under the zone's lock the destroy is planned only while the zone
	// is still one made on demand, unused since then, with no
	// dependents, else it fails with a *keptError.
	evictBefore time.Time
	// existing: the request is for a zone the run found, outside its
	// lock (ensureByContent): should the zone be gone by the time the
	// run holds the lock (evicted or destroyed meanwhile), it is not made
	// again here, out of the build lock and without its content record.
	existing bool
	// forDIZ: the golden zone is a disposable zone's, whose request names
	// its packages FieldPackages.
	forDIZ bool
	// sourceLock is Source's lock, held shared until it was cloned (see
	// DIZSpec.gizLock).
	sourceLock *ZoneLock
}

func (s GIZSpec) boot() Boot {
	return Boot{Timeout: s.BootTimeout, NoWait: s.NoWait, SingleUser: s.SingleUser}
}

func (s GIZSpec) setup(origin string) Setup {
	var old []string
	if origin != "" {
		old = []string{origin}
	}
	return Setup{Nodename: s.Name, OldNames: old, CopyGroups: s.CopyGroups, CopyUsers: s.CopyUsers, ElevateUsers: s.ElevateUsers}
}

// contentParts identifies what a golden zone was built with, by option.
func (s GIZSpec) contentParts() map[string]string {
	parts := s.setup("").Parts()
	delete(parts, "mount_autonfs")
	var pubs []string
	for _, p := range s.AddPublishers {
		pubs = append(pubs, p.Name+"|"+p.URL)
	}
	parts["add_packages"] = SpecHash(sorted(s.AddPackages)...)
	parts["remove_packages"] = SpecHash(sorted(s.RemovePackages)...)
	parts["add_publishers"] = SpecHash(sorted(pubs)...)
	parts["remove_publishers"] = SpecHash(sorted(s.RemovePublishers)...)
	return parts
}

// given reports whether the request gives a field.
func (s GIZSpec) given(f Field) bool { return !s.Omitted.Has(f) }

// pkgField is the field of the request that names the packages.
func (s GIZSpec) pkgField() Field {
	if s.forDIZ {
		return FieldPackages
	}
	return FieldAddPackages
}

func validPackage(p string) error {
	if p == "" || strings.HasPrefix(p, "-") || strings.ContainsAny(p, " \t\n'\"`$;&|<>(){}") {
		return fmt.Errorf("%q is not a package FMRI or pattern", p)
	}
	return nil
}

func (h *Host) validateGIZ(s *GIZSpec) (*accounts, error) {
	var errs error
	if s.Name == "" {
		errs = multierror.Append(errs, optErr(FieldName, "required (but to create a golden zone named by its content, with state present)"))
	} else if err := illumos.ValidZoneName(s.Name); err != nil {
		errs = multierror.Append(errs, optErr(FieldName, "%w", err))
	}
	if !slices.Contains(GIZStates, s.State) {
		errs = multierror.Append(errs, optErr(FieldState, "%q is not one of: %s", s.State, strings.Join(GIZStates, ", ")))
	}
	if s.Source != "" {
		if err := illumos.ValidZoneName(s.Source); err != nil {
			errs = multierror.Append(errs, optErr(FieldSource, "%w", err))
		}
		if s.Brand != "" || s.Template != "" {
			errs = multierror.Append(errs, optErr(FieldNone, "%v is mutually exclusive with %v and %v: a clone keeps its source's brand", FieldSource, FieldBrand, FieldTemplate))
		}
	}
	if s.Snapshot != "" && (s.Source == "" || strings.ContainsAny(s.Snapshot, "@/ ")) {
		errs = multierror.Append(errs, optErr(FieldSnapshot, "%q: a snapshot name of the source zone (no '@', '/'), given with %v", s.Snapshot, FieldSource))
	}
	for _, b := range []struct {
		f Field
		v string
	}{{FieldBrand, s.Brand}, {FieldTemplate, s.Template}} {
		if b.v != "" && illumos.ValidZoneName(b.v) != nil && !strings.HasPrefix(b.v, "SUNW") {
			errs = multierror.Append(errs, optErr(b.f, "%q is not a brand or template name", b.v))
		}
	}
	for _, l := range []struct {
		f    Field
		pkgs []string
	}{{FieldAddPackages, s.AddPackages}, {FieldRemovePackages, s.RemovePackages}} {
		for _, p := range l.pkgs {
			if err := validPackage(p); err != nil {
				errs = multierror.Append(errs, optErr(l.f, "%w", err))
			}
		}
	}
	for _, p := range s.RemovePublishers {
		if validPackage(p) != nil {
			errs = multierror.Append(errs, optErr(FieldRemovePublishers, "%q is not a publisher name", p))
		}
	}
	for _, m := range s.Lofs {
		if err := m.validate(); err != nil {
			errs = multierror.Append(errs, err)
		} else if _, err := os.Stat(h.path(m.Special)); err != nil {
			// zoneadm's verify refuses a special it cannot access
			// (zoneadm.c verify_fs_special()).
			errs = multierror.Append(errs, optErr(FieldLofs, "%s does not exist in the global zone", m.Special))
		}
	}
	for _, err := range h.lofsOverZones(s.Lofs, s.Name) {
		errs = multierror.Append(errs, err)
	}
	if s.Archive != "" && (s.Source != "" || !strings.HasPrefix(s.Archive, "/")) {
		errs = multierror.Append(errs, optErr(FieldArchive, "%q: want an absolute path in the global zone, and no source", s.Archive))
	}
	if s.IncrementalFrom != "" {
		errs = multierror.Append(errs, optErr(FieldIncrementalFrom, "only with %v=exported", FieldState))
	}
	var acc *accounts
	if len(s.CopyUsers)+len(s.CopyGroups)+len(s.ElevateUsers) > 0 {
		var err error
		if acc, err = h.readAccounts(); err != nil {
			errs = multierror.Append(errs, err)
		} else {
			for _, e := range acc.check(s.setup("")) {
				errs = multierror.Append(errs, e)
			}
		}
	}
	return acc, OneLine(errs)
}

// EnsureGIZ brings a golden-image zone to the spec's state: creating it
// (installed from a repository, or cloned from another golden zone) with
// its first-boot and post-install snapshots, updating its packages,
// booting or halting it, or destroying it.
func (h *Host) EnsureGIZ(ctx context.Context, spec GIZSpec) (*Outcome, error) {
	h.gizDefaults(&spec)
	switch {
	case spec.State == "exported":
		return h.ExportGIZ(ctx, spec)
	case spec.Image != "":
		return h.ImportGIZ(ctx, spec)
	case spec.Name == "" && spec.State == "present":
		return h.ensureByContent(ctx, spec)
	}
	return h.ensureNamedGIZ(ctx, spec)
}

// gizDefaults fills in what a spec leaves to its defaults: state present
// and the configured boot timeout.
func (h *Host) gizDefaults(spec *GIZSpec) {
	if spec.State == "" {
		spec.State = "present"
	}
	if spec.BootTimeout == 0 {
		spec.BootTimeout = h.Settings.BootTimeout
	}
}

// ensureNamedGIZ is EnsureGIZ for a spec that names its zone and neither
// exports nor imports an image.
func (h *Host) ensureNamedGIZ(ctx context.Context, spec GIZSpec) (*Outcome, error) {
	return h.runGIZ(ctx, spec, func(s GIZSpec, acc *accounts) operation { return &gizOp{h: h, spec: s, acc: acc} })
}

// buildGIZ creates the golden zone spec names, which goldenFor found
// missing under its build lock: a zone of that name that exists by the
// time the run holds its lock is refused. It runs a buildGIZOp, not a
// gizOp, so that the binaries that build golden zones by content
// (zone_diz, zone_exec) do not link their update, reconciliation, export
// and import.
func (h *Host) buildGIZ(ctx context.Context, spec GIZSpec) (*Outcome, error) {
	return h.runGIZ(ctx, spec, func(s GIZSpec, acc *accounts) operation { return &buildGIZOp{gizRun: gizRun{h: h, spec: s}, acc: acc} })
}

// runGIZ fills in the spec's defaults, validates it, and runs the
// operation op makes of it.
func (h *Host) runGIZ(ctx context.Context, spec GIZSpec, op func(GIZSpec, *accounts) operation) (*Outcome, error) {
	h.gizDefaults(&spec)
	acc, err := h.validateGIZ(&spec)
	if err != nil {
		return nil, err
	}
	return h.operate(ctx, op(spec, acc))
}

// A buildGIZOp is the creation of a golden zone by content (see buildGIZ).
type buildGIZOp struct {
	gizRun
	acc *accounts
}

// A gizRun is what the one-step runs on a golden zone share (buildGIZOp,
// evictOp): the journal's name, the locking, and an outcome left as the
// plan made it. It has no plan of its own, so an operation that holds one
// links only the planning it does.
type gizRun struct {
	h    *Host
	spec GIZSpec
}

func (o *gizRun) journal() string { return "giz" }

func (o *gizRun) lock(ctx context.Context, ls *lockSet) error { return lockGIZ(ctx, o.h, &o.spec, ls) }

func (o *gizRun) done(_ context.Context, _ *Plan, out *Outcome, _ ending, err error) (*Outcome, error) {
	return out, err
}

func (o *buildGIZOp) plan(ctx context.Context, _ *lockSet, p *Plan, out *Outcome) error {
	w, z, err := observeGIZ(ctx, o.h, &o.spec, p, out)
	if err != nil {
		return err
	}
	if z != nil {
		return fmt.Errorf("golden zone %s: made by another run while this one waited for its lock", z.Name)
	}
	return o.h.createGIZ(ctx, w, &o.spec, o.acc, p, out)
}

// A gizOp is one run of EnsureGIZ (but for images: see exportOp and
// importOp).
type gizOp struct {
	h    *Host
	spec GIZSpec
	acc  *accounts
	// update: the run refreshes the zone's packages (see planUpdate),
	// with snap the snapshot it takes when they changed, and pkgSteps the
	// steps that change them.
	update   bool
	snap     string
	pkgSteps []int
	// upToDate: the global zone found nothing to update; the plan is
	// empty.
	upToDate bool
}

func (o *gizOp) journal() string {
	if o.update {
		return "giz-update"
	}
	return "giz"
}

func (o *gizOp) lock(ctx context.Context, ls *lockSet) error { return lockGIZ(ctx, o.h, &o.spec, ls) }

// lockGIZ takes the zone's lock, and the source's shared while it is
// cloned (see DIZSpec.gizLock).
func lockGIZ(ctx context.Context, h *Host, spec *GIZSpec, ls *lockSet) error {
	if !spec.evictBefore.IsZero() {
		// An eviction takes the golden zone's build lock first, as
		// goldenFor does, and only when it is free: a run that holds it
		// is building the golden zone or choosing it for a clone, and
		// then holds the zone's lock shared until the clone is made.
		_, err := ls.take(func() (*ZoneLock, error) {
			return h.lockFile(ctx, "golden zone "+spec.Name, buildLockName(spec.Name), syscall.LOCK_EX, false)
		})
		if errors.Is(err, ErrLocked) {
			return &keptError{"another zonemgr run is building it or making a disposable zone from it"}
		}
		if err != nil {
			return err
		}
	}
	if _, err := ls.zone(ctx, spec.Name); err != nil {
		return err
	}
	if err := h.pendingWork(spec.Name, false); err != nil {
		return err
	}
	if spec.Source != "" && spec.Source != spec.Name && spec.State != "absent" {
		sl, err := ls.shared(ctx, spec.Source)
		if err != nil {
			return optErr(FieldSource, "%w", err)
		}
		spec.sourceLock = sl
	}
	return nil
}

// plan reads the world and plans the zone's creation, destruction,
// update or changes.
func (o *gizOp) plan(ctx context.Context, _ *lockSet, p *Plan, out *Outcome) error {
	h, spec := o.h, &o.spec
	w, z, err := observeGIZ(ctx, h, spec, p, out)
	if err != nil {
		return err
	}
	switch {
	case spec.State == "absent":
		return planGIZDestroy(ctx, h, spec, w, z, p, out)
	case z == nil && spec.existing:
		return fmt.Errorf("golden zone %s was removed since this run found it (evicted, or destroyed by another run); run the request again", spec.Name)
	case z == nil:
		if spec.State == "updated" {
			return optErr(FieldNone, "zone %s does not exist: create it (%v: present) before updating it", spec.Name, FieldState)
		}
		return h.createGIZ(ctx, w, spec, o.acc, p, out)
	case spec.State == "updated":
		return o.planUpdate(ctx, w, z, p, out)
	default:
		return h.reconcileGIZ(w, z, spec, p, out)
	}
}

// observeGIZ reads the world for a golden zone's run, and refuses a zone
// that is not a golden zone zonemgr made.
func observeGIZ(ctx context.Context, h *Host, spec *GIZSpec, p *Plan, out *Outcome) (*World, *Zone, error) {
	w, err := h.Observe(ctx, h.containers()...)
	if err != nil {
		return nil, nil, err
	}
	p.Zone, out.Zone = spec.Name, spec.Name
	out.set("name", spec.Name)
	z := w.Zones[spec.Name]
	if z != nil {
		if err := checkOurs(z, "giz"); err != nil {
			return nil, nil, err
		}
	}
	return w, z, nil
}

// planGIZDestroy plans a golden zone's destruction; for an eviction,
// only while it is still a golden zone made on demand, unused since the
// cutoff, with no dependents and nothing on it zonemgr does not own, else
// it fails with a *keptError.
func planGIZDestroy(ctx context.Context, h *Host, spec *GIZSpec, w *World, z *Zone, p *Plan, out *Outcome) error {
	if !spec.evictBefore.IsZero() {
		if z == nil {
			return &keptError{"it is gone"}
		}
		if why, err := h.evictionKeeps(ctx, w, z, spec.evictBefore); err != nil {
			return err
		} else if why != "" {
			return &keptError{why}
		}
	}
	if z == nil {
		out.set("state", "absent")
		out.Msg = fmt.Sprintf("zone %s does not exist", spec.Name)
		return nil
	}
	if deps := gizDependents(w, z); len(deps) > 0 && !spec.Force {
		return optErr(FieldNone, "zone %s: disposable zones depend on its snapshots: %s; destroy them first (or %v, which keeps them: the uninstall promotes them)", z.Name, strings.Join(deps, ", "), Enable(FieldForce))
	}
	steps, err := h.destroySteps(ctx, w, z)
	if err != nil {
		return err
	}
	if err := h.warnUninstallLeaves(ctx, w, z, out); err != nil {
		return err
	}
	p.Add(steps...)
	p.Recover = &Recovery{Kind: "destroy", Zone: z.Name, ZoneRun: zoneRun(z), Force: spec.Force}
	if !spec.evictBefore.IsZero() {
		// gc, should the run be killed, checks all this again.
		p.Recover.EvictBefore = spec.evictBefore.UTC().Format(time.RFC3339Nano)
	}
	out.Before, out.After = describe(z)+datasetList(w, z), "state: absent\n"
	out.set("state", "absent")
	return nil
}

// An evictOp is the destroy of an unused golden zone made on demand (see
// EvictGoldens): the destroy of a gizOp, as an operation of its own so
// that zone_gc does not link what creates and updates golden zones.
type evictOp struct{ gizRun }

func (o *evictOp) plan(ctx context.Context, _ *lockSet, p *Plan, out *Outcome) error {
	w, z, err := observeGIZ(ctx, o.h, &o.spec, p, out)
	if err != nil {
		return err
	}
	return planGIZDestroy(ctx, o.h, &o.spec, w, z, p, out)
}

// done says, for an update, whether packages changed.
func (o *gizOp) done(_ context.Context, p *Plan, out *Outcome, e ending, err error) (*Outcome, error) {
	if !o.update {
		return out, err
	}
	switch {
	case o.upToDate:
		out.Msg = fmt.Sprintf("packages of %s are up to date", out.Zone)
		return out, nil
	case e == shown:
		out.Msg = fmt.Sprintf("would update the packages of %s and snapshot it as %s if anything changed", out.Zone, o.snap)
		return out, nil
	case err != nil:
		out.Changed = false
		return out, err
	}
	updated := slices.ContainsFunc(o.pkgSteps, p.Changed)
	out.Changed = updated
	if updated {
		out.Msg = fmt.Sprintf("packages of %s updated; snapshot %s", out.Zone, o.snap)
		out.set("snapshot", o.snap)
	} else {
		out.Msg = fmt.Sprintf("packages of %s are up to date", out.Zone)
	}
	return out, nil
}

// notOursToEvict says why eviction must keep the golden zone z although
// zonemgr made it on demand: its uninstall would destroy every snapshot
// of its datasets, and promote any clone of them. A snapshot zonemgr did
// not take (one without its own zonemgr:run) is not cleanup's to destroy,
// and a clone outside zonemgr's containers, which the world does not
// list, still depends on it. A zone whose dataset is not under zonemgr's
// containers is kept too: its uninstall would destroy a dataset that is
// not cleanup's. It returns "" when none is so.
func (h *Host) notOursToEvict(ctx context.Context, w *World, z *Zone) (string, error) {
	ds, ok := w.ZoneDataset(z)
	if !ok {
		return "its dataset is not under zonemgr's containers", nil
	}
	snaps, err := zfs.SnapshotRecords(ctx, h.Runner, ds, PropRun)
	if err != nil {
		return "", fmt.Errorf("zone %s: %w", z.Name, err)
	}
	var foreign, clones []string
	for _, sn := range snaps {
		if !sn.Recorded {
			foreign = append(foreign, sn.Name)
		}
		clones = append(clones, sn.Clones...)
	}
	switch {
	case len(foreign) > 0:
		return "it has snapshots zonemgr did not take: " + strings.Join(foreign, ", "), nil
	case len(clones) > 0:
		return "datasets are cloned from its snapshots: " + strings.Join(clones, ", "), nil
	}
	return "", nil
}

// gizDependents lists the zones (or datasets) cloned from a golden
// zone's snapshots.
func gizDependents(w *World, z *Zone) []string {
	ds, ok := w.ZoneDataset(z)
	if !ok {
		return nil
	}
	set := map[string]bool{}
	for name, d := range w.Datasets {
		o := d.Props["origin"]
		if o == "" || o == "-" {
			continue
		}
		base, _, _ := strings.Cut(o, "@")
		if base == ds || strings.HasPrefix(base, ds+"/") {
			set[zoneOfDataset(w, name)] = true
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// zoneOfDataset names the zone whose dataset tree holds name, or returns
// the dataset name itself.
func zoneOfDataset(w *World, name string) string {
	for _, z := range w.Zones {
		if ds, ok := w.ZoneDataset(z); ok && (name == ds || strings.HasPrefix(name, ds+"/")) {
			return z.Name
		}
	}
	return name
}

func datasetList(w *World, z *Zone) string {
	ds, ok := w.ZoneDataset(z)
	if !ok {
		return ""
	}
	var names []string
	for n := range w.Datasets {
		if n == ds || strings.HasPrefix(n, ds+"/") || strings.HasPrefix(n, ds+"@") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return "datasets:\n\t" + strings.Join(names, "\n\t") + "\n"
}

// snapSteps snapshot a golden zone's whole dataset tree in one atomic
// call and put a "zonemgr" hold on the snapshots. The hold keeps them when
// a disposable zone cloned from them is uninstalled: the brand's uninstall
// destroys a clone's origin snapshot, ignoring errors, when nothing else
// uses it.
//
// The snapshots carry the run's id (zonemgr:run); their undo destroys
// or releases them only while they do.
func snapSteps(ds, snap, run string) []Step {
	g := &Guard{Dataset: ds + "@" + snap, Run: run}
	return []Step{
		{
			Why:   "snapshot " + snap,
			Cmd:   &illumos.Cmd{Argv: []string{"zfs", "snapshot", "-r", "-o", PropRun + "=" + run, ds + "@" + snap}},
			Undo:  &illumos.Cmd{Argv: []string{"zfs", "destroy", "-r", ds + "@" + snap}},
			Guard: g,
		},
		{
			Why:   "hold " + snap,
			Cmd:   &illumos.Cmd{Argv: []string{"zfs", "hold", "-r", HoldTag, ds + "@" + snap}},
			Undo:  &illumos.Cmd{Argv: []string{"zfs", "release", "-r", HoldTag, ds + "@" + snap}},
			Guard: &Guard{Dataset: ds + "@" + snap, Run: run, Hold: HoldTag},
		},
	}
}

// HoldTag is the zfs hold tag on golden zones' snapshots.
const HoldTag = "zonemgr"

func zlogin(zone string, argv ...string) *illumos.Cmd {
	return &illumos.Cmd{Argv: append([]string{"zlogin", zone}, argv...), ZoneStatus: true}
}

// pkgNothingToDo is pkg's exit status when there was nothing to do
// (pkg5 src/modules/client/pkgdefs.py EXIT_NOP).
const pkgNothingToDo = 4

// pkgNotThere is pkg's exit status (EXIT_OOPS) for a question about a
// publisher that is not configured (pkg publisher NAME: "Unknown
// publisher") or a package that is not installed (pkg list PKG: "no
// packages matching the following patterns are installed"); pkg5
// src/client.py publisher_list(), list_inventory().
const pkgNotThere = 1

// pkgOops is pkg's exit status for an error (pkgdefs.py EXIT_OOPS), the
// same as pkgNotThere's.
const pkgOops = 1

// packageSteps change publishers and packages inside a booted zone.
// With askFirst (an update whose changes the global zone could not ask
// about; see askChanges), each removal is made only when pkg, asked in
// the zone first, has it: unset-publisher of a publisher that is not
// configured and uninstall of a package that is not installed fail (exit
// 1), so a removal already made would fail the update. The question
// "exits 0" when there is something to remove, 1 when not (pkg
// publisher: "Unknown publisher"; pkg list: no matching package
// installed); base is the plan index of the first step returned.
func packageSteps(zone string, spec *GIZSpec, base int, askFirst bool) []Step {
	var steps []Step
	asked := func(ask *illumos.Cmd, why string, s Step) {
		if askFirst {
			steps = append(steps, Step{Why: why, Cmd: ask, NoChangeExit: []int{pkgNotThere}})
			s.IfChanged = []int{base + len(steps) - 1}
		}
		steps = append(steps, s)
	}
	for _, p := range spec.RemovePublishers {
		asked(zlogin(zone, "pkg", "publisher", "-H", p), "ask whether publisher "+p+" is configured",
			Step{Why: "remove publisher " + p, Cmd: zlogin(zone, "pkg", "unset-publisher", p)})
	}
	for _, p := range spec.AddPublishers {
		// -e: an origin the publisher has already is not an error
		// (pkg5 client_api.py _add_update_pub(): DuplicateRepositoryOrigin
		// is re-raised "if not (disable_origins or enable_origins)";
		// options.py: with -e the origins added are those enabled).
		steps = append(steps, Step{Why: "add publisher " + p.Name, Cmd: zlogin(zone, "pkg", "set-publisher", "-e", "-g", p.URL, p.Name)})
	}
	switch {
	case askFirst:
		for _, p := range spec.RemovePackages {
			asked(zlogin(zone, "pkg", "list", "-Hq", p), "ask whether "+p+" is installed",
				Step{Why: "remove " + p, Cmd: zlogin(zone, "pkg", "uninstall", p), NoChangeExit: []int{pkgNothingToDo}})
		}
	case len(spec.RemovePackages) > 0:
		steps = append(steps, Step{Why: "remove packages", Cmd: zlogin(zone, append([]string{"pkg", "uninstall"}, spec.RemovePackages...)...), NoChangeExit: []int{pkgNothingToDo}})
	}
	if len(spec.AddPackages) > 0 {
		steps = append(steps, Step{Why: "install packages", Cmd: zlogin(zone, append([]string{"pkg", "install", "--accept"}, spec.AddPackages...)...), NoChangeExit: []int{pkgNothingToDo}})
	}
	return steps
}

func (h *Host) gizConfig(spec *GIZSpec, zonepath, origin, run string, base *illumos.ZoneConfig) *illumos.ZoneConfig {
	c := &illumos.ZoneConfig{Name: spec.Name, Zonepath: zonepath, IPType: "exclusive", Autoboot: false}
	if base != nil {
		c.Brand = base.Brand
		c.FS = slices.Clone(base.FS)
		c.Rctls = slices.Clone(base.Rctls)
		c.CappedMemory, c.CappedCPU, c.DedicatedCPU = base.CappedMemory, base.CappedCPU, base.DedicatedCPU
		for _, a := range base.Attrs {
			if !strings.HasPrefix(a.Name, "zonemgr.") {
				c.Attrs = append(c.Attrs, a)
			}
		}
	} else if spec.Brand != "" {
		c.Brand = spec.Brand
	}
	for _, m := range spec.Lofs {
		c.FS = slices.DeleteFunc(c.FS, func(f illumos.FS) bool { return f.Dir == m.Dir })
		c.FS = append(c.FS, m.fs())
	}
	c.Attrs = append(c.Attrs,
		illumos.Attr{Name: AttrRole, Type: "string", Value: "giz"},
		illumos.Attr{Name: AttrOrigin, Type: "string", Value: origin},
		illumos.Attr{Name: AttrCreated, Type: "string", Value: Stamp(h.now())},
		illumos.Attr{Name: AttrSetup, Type: "string", Value: formatParts(spec.contentParts())},
		illumos.Attr{Name: AttrRun, Type: "string", Value: run},
	)
	if spec.content != nil {
		c.Attrs = append(c.Attrs, contentAttrs(spec.content)...)
	}
	if spec.OnDemand != "" {
		c.Attrs = append(c.Attrs, illumos.Attr{Name: AttrOnDemand, Type: "string", Value: spec.OnDemand})
	}
	return c
}

// createGIZ plans a new golden zone, installed from the package
// repository (or cloned from another golden zone), with the original
// script's three snapshots (one for a clone).
func (h *Host) createGIZ(ctx context.Context, w *World, spec *GIZSpec, acc *accounts, plan *Plan, out *Outcome) error {
	if err := h.refuseGlobalPublishers(ctx, spec); err != nil {
		return err
	}
	csteps, err := h.containerSteps(ctx, w, h.Settings.GIZContainer, h.Settings.GIZCompression, h.Settings.GIZDedup, h.Settings.GIZMountpoint)
	if err != nil {
		return err
	}
	plan.Add(csteps...)
	mp := containerMountpoint(w, h.Settings.GIZContainer, h.Settings.GIZMountpoint)
	zonepath := path.Join(mp, spec.Name)
	ds := h.Settings.GIZContainer + "/" + spec.Name
	if err := refuseLeftoverDataset(w, h.Settings.GIZContainer, spec.Name); err != nil {
		return err
	}
	if err := h.refuseLeftoverZonepath(w, zonepath, spec.Name); err != nil {
		return err
	}
	var snaps []string
	var cfg *illumos.ZoneConfig
	var script string
	if spec.Source != "" {
		src, srcDS, snap, err := h.resolveGIZ(ctx, w, spec.Source, spec.Snapshot)
		if err != nil {
			return optErr(FieldSource, "%w", err)
		}
		if src.InKernel() {
			return optErr(FieldSource, "golden zone %s is %s; a zone is cloned only while halted", src.Name, src.State)
		}
		cfg = h.gizConfig(spec, zonepath, "giz:"+src.Name, plan.Run, src.Config)
		cfg.Attrs = append(cfg.Attrs, illumos.Attr{Name: AttrSnapshot, Type: "string", Value: snap})
		if script, err = illumos.CreateScript(cfg, ""); err != nil {
			return fmt.Errorf("configure %s: %w", spec.Name, err)
		}
		plan.Add(zonecfgStep("configure the zone", spec.Name, script, plan.Run))
		plan.hold("source", spec.sourceLock)
		origin := ""
		if be, err := h.activeBE(ctx, w, srcDS); err == nil {
			origin = be + "@" + snap
		}
		plan.Add(cloneSteps(spec.Name, plan.Run, src.Name, snap, h.Settings.GIZContainer+"/"+spec.Name, origin)...)
		setup := spec.setup(src.Name)
		for _, f := range cfg.FS {
			setup.Mounts = append(setup.Mounts, f.Dir)
		}
		plan.Add(h.setupSteps(spec.Name, plan.Run, setup, acc, spec.boot())...)
		out.set("source", src.Name)
		out.set("snapshot", snap)
	} else {
		template := spec.Template
		origin := ""
		switch {
		case spec.Brand != "" && template == "":
			origin = "brand:" + spec.Brand
		default:
			if template == "" {
				template = h.Settings.TemplateGIZ
			}
			origin = "template:" + template
		}
		cfg = h.gizConfig(spec, zonepath, origin, plan.Run, nil)
		if template != "" && spec.Brand == "" {
			cfg.Brand = ""
		}
		if script, err = illumos.CreateScript(cfg, template); err != nil {
			return fmt.Errorf("configure %s: %w", spec.Name, err)
		}
		plan.Add(zonecfgStep("configure the zone", spec.Name, script, plan.Run))
		install := []string{"install"}
		if spec.Archive != "" {
			install = append(install, "-a", spec.Archive)
		}
		plan.Add(Step{Why: "install the zone", Cmd: zoneadm(spec.Name, install...), Undo: zoneadm(spec.Name, "uninstall", "-F"), UndoIfFailed: true,
			Guard: &Guard{Zone: spec.Name, ZoneRun: plan.Run, States: []string{"installed", "incomplete"}, Independent: true}})
		plan.Add(snapSteps(ds, SnapInstalled+spec.Name, plan.Run)...)
		plan.Add(h.bootSteps(spec.Name, plan.Run, Boot{Timeout: spec.BootTimeout})...)
		plan.Add(Step{Why: "halt after the first boot", Cmd: zoneadm(spec.Name, "halt")})
		plan.Add(snapSteps(ds, SnapBooted+spec.Name, plan.Run)...)
		setup := spec.setup("")
		for _, f := range cfg.FS {
			setup.Mounts = append(setup.Mounts, f.Dir)
		}
		plan.Add(h.setupSteps(spec.Name, plan.Run, setup, acc, spec.boot())...)
		snaps = append(snaps, SnapInstalled+spec.Name, SnapBooted+spec.Name)
	}
	if spec.LDAPClient {
		files, err := h.readLDAPClient()
		if err != nil {
			return err
		}
		plan.Add(ldapSteps(spec.Name, files)...)
	}
	plan.Add(packageSteps(spec.Name, spec, len(plan.Steps), false)...)
	plan.Add(Step{Why: "halt after setup", Cmd: zoneadm(spec.Name, "halt")})
	plan.Add(snapSteps(ds, SnapPostinstall+spec.Name, plan.Run)...)
	snaps = append(snaps, SnapPostinstall+spec.Name)
	if want := finalState(spec.State); want != "installed" {
		plan.Add(h.stateSteps(spec.Name, plan.Run, "installed", spec.State, spec.boot())...)
	}
	out.Before = "state: absent\n"
	out.After = cfg.Export() + "state: " + finalState(spec.State) + "\n"
	out.set("zonepath", zonepath)
	out.set("dataset", ds)
	out.set("snapshots", snaps)
	out.set("state", finalState(spec.State))
	out.set("created", true)
	return nil
}

// orNone shows an attribute's value in a message: "none recorded" when
// the zone has none.
func orNone(v string) string {
	if v == "" {
		return "none recorded"
	}
	return v
}

// reconcileGIZ plans the changes to an existing golden zone: lofs mounts
// through zonecfg, and its run state. What it was built with (packages,
// accounts, publishers) is not changed in place.
func (h *Host) reconcileGIZ(w *World, z *Zone, spec *GIZSpec, plan *Plan, out *Outcome) error {
	var differ []error
	if spec.Source != "" && "giz:"+spec.Source != z.Attr(AttrOrigin) {
		differ = append(differ, optErr(FieldNone, "%v %s (its origin is %s)", FieldSource, spec.Source, z.Attr(AttrOrigin)))
	}
	if spec.Snapshot != "" && spec.Snapshot != z.Attr(AttrSnapshot) {
		differ = append(differ, optErr(FieldNone, "%v %s (it is a clone of %s)", FieldSnapshot, spec.Snapshot, orNone(z.Attr(AttrSnapshot))))
	}
	if spec.Template != "" && "template:"+spec.Template != z.Attr(AttrOrigin) {
		differ = append(differ, optErr(FieldNone, "%v %s (its origin is %s)", FieldTemplate, spec.Template, orNone(z.Attr(AttrOrigin))))
	}
	if spec.Brand != "" && spec.Brand != z.Brand {
		differ = append(differ, optErr(FieldNone, "%v %s (it is %s)", FieldBrand, spec.Brand, z.Brand))
	}
	if changed := changedParts(spec.contentParts(), z.Attr(AttrSetup), spec.Omitted); len(changed) > 0 {
		differ = append(differ, optErr(FieldNone, "%v", changed))
	}
	if len(differ) > 0 {
		return optErr(FieldNone, "zone %s exists and was built differently: %v; a golden image's contents are not changed in place: create a new golden zone from it (%v: %s) or destroy and re-create it", z.Name, differ, FieldSource, z.Name)
	}
	if z.State == "incomplete" || z.State == "configured" {
		return optErr(FieldNone, "zone %s is %s (a half-made zone): destroy it (%v: absent) and create it again", z.Name, z.State, FieldState)
	}
	want := *z.Config
	want.FS = slices.Clone(z.Config.FS)
	if z.Attr(AttrOnDemand) != "" && spec.OnDemand == "" && !spec.forDIZ && spec.evictBefore.IsZero() {
		// A golden zone built on demand that a request for golden zones
		// names (zone_giz, create-giz, or the packages of one) is the
		// user's from now on: gc no longer evicts it.
		want.Attrs = slices.DeleteFunc(slices.Clone(z.Config.Attrs), func(a illumos.Attr) bool { return a.Name == AttrOnDemand })
	}
	if spec.given(FieldLofs) {
		for _, m := range spec.Lofs {
			want.FS = slices.DeleteFunc(want.FS, func(f illumos.FS) bool { return f.Dir == m.Dir })
			want.FS = append(want.FS, m.fs())
		}
	}
	script, changes, err := illumos.UpdateScript(z.Config, &want)
	if err != nil {
		return fmt.Errorf("zone %s: %w", z.Name, err)
	}
	if script != "" {
		plan.Add(zonecfgStep("change the configuration: "+strings.Join(changes, ", "), z.Name, script, ""))
	}
	st := z.State
	if spec.State != "present" {
		plan.Add(h.stateSteps(z.Name, zoneRun(z), z.State, spec.State, spec.boot())...)
		if st = finalState(spec.State); st == "restarted" {
			st = "running"
		}
	}
	out.Before = describe(z)
	out.After = want.Export() + "state: " + st + "\n"
	out.set("zonepath", z.Zonepath)
	out.set("state", st)
	if ds, ok := w.ZoneDataset(z); ok {
		out.set("dataset", ds)
		out.set("snapshots", zonemgrSnapshots(w, ds))
	}
	return nil
}

// planUpdate plans the refresh of a golden zone's packages. A refresh
// that only updates the packages asks the global zone first whether
// there is anything to update (see askUpdates): with nothing, the plan
// is empty, and the zone is never booted. Otherwise: boot, refresh
// publishers, the package changes asked for, pkg update (exit 4:
// nothing to do), halt, and a new snapshot only when something changed.
func (o *gizOp) planUpdate(ctx context.Context, w *World, z *Zone, plan *Plan, out *Outcome) error {
	h, spec := o.h, &o.spec
	ds, ok := w.ZoneDataset(z)
	if !ok {
		return fmt.Errorf("zone %s: its dataset is not under %s", z.Name, h.Settings.GIZContainer)
	}
	if z.State != "installed" {
		return fmt.Errorf("zone %s is %s: a golden zone is updated from the installed state", z.Name, z.State)
	}
	o.update = true
	o.snap = freeAutoSnapshotName(w, ds, h.now())
	zid := zoneRun(z)
	// Packages that change and end in no snapshot (a step after the
	// first package change failed, or the run was killed) are rolled back
	// to a snapshot of the boot environment the run takes before it
	// boots the zone, so that nothing made before the run is lost and
	// the next refresh finds the packages to change again: the journal
	// records this recovery with that snapshot, and the run, failing,
	// or gc, after a kill, carries it out (see Recovery). The snapshot
	// carries the run's id, and goes once the run has ended.
	be, err := h.activeBE(ctx, w, ds)
	if err != nil {
		return fmt.Errorf("zone %s: %w", z.Name, err)
	}
	pre := be + "@" + refreshSnapshotName(plan.Run)
	refresh := &Recovery{Kind: "refresh", Zone: z.Name, ZoneRun: zid, Snapshot: pre, Run: plan.Run}
	out.set("zonepath", z.Zonepath)
	out.set("state", "installed")
	have := zonemgrSnapshots(w, ds)
	out.Before = "snapshots: " + strings.Join(have, ", ") + "\n"
	out.After = out.Before
	// Whether there is anything to update is asked from the global zone
	// first, so that a refresh that finds nothing boots nothing, and a
	// change already made is not made again.
	if err := h.refuseGlobalPublishers(ctx, spec); err != nil {
		return err
	}
	var ifUpdates []int
	todo, askFirst := spec, false
	if len(spec.AddPublishers)+len(spec.RemovePublishers)+len(spec.AddPackages)+len(spec.RemovePackages) > 0 {
		a, left, err := h.askChanges(ctx, z, ds, spec)
		switch {
		case err != nil:
			return err
		case a == upToDate:
			o.upToDate = true
			return nil
		case a == updatesFound:
			todo = left
		default:
			askFirst = true
		}
	} else if spec.UpdatePackages {
		switch a, err := h.askUpdates(ctx, z, ds); {
		case err != nil:
			return err
		case a == upToDate:
			o.upToDate = true
			return nil
		case a == askMounted:
			// The zone's root is not mounted (the global zone was
			// booted since the zone's last halt): the scratch zone's
			// mount mounts it, and the brand's poststate hook leaves it
			// mounted after the unmount (mount_active_ds()).
			plan.Add(Step{Why: "mount the zone, which mounts its root", Cmd: zoneadm(z.Name, "mount"), Undo: zoneadm(z.Name, "unmount"), UndoIfFailed: true,
				Guard: &Guard{Zone: z.Name, ZoneRun: zid, States: []string{"mounted"}}})
			ifUpdates = []int{len(plan.Steps)}
			// pkg -R fails (1) when it cannot tell from the global
			// zone, as while the global zone's own pkg(7) is out of
			// date (see pkgAskUpdates): the zone is then updated, and
			// pkg in the zone tells.
			plan.Add(Step{Why: "ask whether anything is to update", Cmd: pkgAskUpdates(z.Zonepath), NoChangeExit: []int{pkgNothingToDo}, ChangedExit: []int{pkgOops}})
			plan.Add(Step{Why: "unmount the zone", Cmd: zoneadm(z.Name, "unmount")})
		}
	}
	out.After = updateDiff(todo, askFirst || ifUpdates != nil, append(have, o.snap+" (if a package changed)"))
	boot := len(plan.Steps)
	plan.Add(Step{Why: "snapshot the boot environment, to return to should the update fail",
		Cmd: &illumos.Cmd{Argv: []string{"zfs", "snapshot", "-o", PropRun + "=" + plan.Run, pre}}})
	preStep := len(plan.Steps) - 1
	plan.Add(h.bootSteps(z.Name, zid, Boot{Timeout: spec.BootTimeout})...)
	// In force from the boot on, once the snapshot is there.
	plan.Steps[preStep+1].Recover = refresh
	plan.Add(Step{Why: "refresh publishers", Cmd: zlogin(z.Name, "pkg", "refresh", "--full")})
	first := len(plan.Steps)
	plan.Add(packageSteps(z.Name, todo, first, askFirst)...)
	if todo.UpdatePackages {
		// pkg refuses to update every package while pkg(7) itself can
		// be updated (pkg5 src/modules/client/api.py gen_plan_update(),
		// __ipkg_require_latest(): "pkg(7) appears to be out of date,
		// and should be updated before running update", exit 1), and
		// asks for pkg(7) to be updated first: so it is. A named
		// package is not checked.
		plan.Add(Step{Why: "update pkg(7) first, as pkg update requires", Cmd: zlogin(z.Name, "pkg", "update", "--accept", "pkg:/package/pkg"), NoChangeExit: []int{pkgNothingToDo}})
		plan.Add(Step{Why: "update packages", Cmd: zlogin(z.Name, "pkg", "update", "--accept"), NoChangeExit: []int{pkgNothingToDo}})
	}
	for i := first; i < len(plan.Steps); i++ {
		o.pkgSteps = append(o.pkgSteps, i)
	}
	plan.Add(Step{Why: "halt after the update", Cmd: zoneadm(z.Name, "halt")})
	for i := boot; i < len(plan.Steps); i++ {
		if plan.Steps[i].IfChanged == nil {
			// A removal asked about in the zone runs after its
			// question, which runs only after the boot.
			plan.Steps[i].IfChanged = ifUpdates
		}
	}
	// A new snapshot only when a package step changed something.
	for _, s := range snapSteps(ds, o.snap, plan.Run) {
		s.IfChanged = o.pkgSteps
		plan.Add(s)
	}
	// The update is kept from here on: nothing is rolled back or undone
	// any more, and the snapshot to return to goes: the one this run
	// took (Needs), under the lock it still holds. The step is its own
	// undo, which gc runs only while the snapshot is still the run's: a
	// failed destroy is tried again, and one that fails again, or a run
	// killed in it, leaves gc to finish it.
	unpre := &illumos.Cmd{Argv: []string{"zfs", "destroy", pre}}
	plan.Add(Step{Why: "remove the snapshot taken before the update", Cmd: unpre, Undo: unpre, Guard: &Guard{Dataset: pre, Run: plan.Run},
		UndoIfFailed: true, Commit: true, Needs: []int{preStep}, IfChanged: ifUpdates})
	return nil
}

// updateDiff is the after side of an update's diff: the changes it is
// to make (those the global zone could not ask about only if the zone
// still needs them), and the zone's snapshots after it.
func updateDiff(todo *GIZSpec, unasked bool, snaps []string) string {
	var b strings.Builder
	maybe := ""
	if unasked {
		maybe = " (if the zone needs it: asked in the zone)"
	}
	for _, p := range todo.RemovePublishers {
		b.WriteString("publisher " + p + ": removed" + maybe + "\n")
	}
	for _, p := range todo.AddPublishers {
		b.WriteString("publisher " + p.Name + ": origin " + p.URL + maybe + "\n")
	}
	for _, p := range todo.RemovePackages {
		b.WriteString("package " + p + ": uninstalled" + maybe + "\n")
	}
	for _, p := range todo.AddPackages {
		b.WriteString("package " + p + ": installed" + maybe + "\n")
	}
	if todo.UpdatePackages {
		b.WriteString("packages: updated to the newest versions the zone allows\n")
	}
	b.WriteString("snapshots: " + strings.Join(snaps, ", ") + "\n")
	return b.String()
}

// refreshSnapshotName names the snapshot of a golden zone's boot
// environment that a refresh takes before it changes packages.
func refreshSnapshotName(run string) string { return "before-refresh-" + run }

// An updatesAnswer is what the global zone learnt of a golden zone's
// packages (see askUpdates).
type updatesAnswer int

const (
	// askInZone: the global zone cannot tell; the zone is booted and
	// pkg asked inside it.
	askInZone updatesAnswer = iota
	// updatesFound: packages are to update.
	updatesFound
	// upToDate: nothing is to update.
	upToDate
	// askMounted: the zone's root is not mounted; asked again once the
	// zone is mounted.
	askMounted
)

// pkgAskUpdates asks pkg, in the global zone, whether a zone's image has
// anything to update: pkg -R on the zone's root, a linked image of the
// global zone's (pkg5 src/modules/client/linkedimage/zone.py; the
// brand's own scripts run pkg -R $ZONEROOT), as a dry run. It exits 4
// when there is nothing to update ("No updates available for this
// image. (zone:NAME)", pkgdefs.py EXIT_NOP), 0 when there is, 1 on an
// error, and 1 too while the global zone's own pkg(7) can be updated:
// the dry run of an update of every package checks the pkg(7) that
// runs, the global zone's (image.py ipkg_is_up_to_date(): "the image
// we're in"). "pkg list -u" would not do: it ignores the incorporations that
// hold packages back.
func pkgAskUpdates(zonepath string) *illumos.Cmd {
	return &illumos.Cmd{Argv: []string{"pkg", "-R", path.Join(zonepath, "root"), "update", "-nq"}}
}

// askUpdates asks from the global zone whether a halted golden zone has
// packages to update, with read-only commands only. pkg -R needs the
// zone's root mounted ("pkg: No image rooted at '...'", exit 1,
// otherwise) and a caller who may reach it: uid 0, or the Software
// Installation profile, which runs pkg as uid 0 (pkg5
// src/util/misc/exec_attr.d/package:pkg). When it cannot answer, the
// root is looked at: not mounted, a privileged process mounts the zone
// and asks again (askMounted); otherwise pkg is asked in the booted zone.
func (h *Host) askUpdates(ctx context.Context, z *Zone, ds string) (updatesAnswer, error) {
	_, err := h.Runner.Run(ctx, *pkgAskUpdates(z.Zonepath))
	var ce *illumos.CommandError
	switch {
	case err == nil:
		return updatesFound, nil
	case errors.As(err, &ce) && ce.ExitCode == pkgNothingToDo:
		return upToDate, nil
	}
	return h.cannotAsk(ctx, z, ds)
}

// cannotAsk says, once pkg -R could not answer about a zone's image,
// how the update asks instead (see askUpdates).
func (h *Host) cannotAsk(ctx context.Context, z *Zone, ds string) (updatesAnswer, error) {
	if ctx.Err() != nil {
		return 0, fmt.Errorf("zone %s: %w", z.Name, ctx.Err())
	}
	if !h.Privileged {
		return askInZone, nil
	}
	if mounted, _, err := h.rootMounted(ctx, z.Zonepath, ds); err == nil && !mounted {
		return askMounted, nil
	}
	return askInZone, nil
}

// refuseGlobalPublishers refuses to remove from a golden zone a
// publisher the global zone has. A zone's image is a linked child of the
// global zone's, and pkg plans nothing in a child that lacks one of its
// parent's publishers (pkg5 src/modules/client/linkedimage/common.py
// check_pubs(): "all publishers configured within the parent image must
// also be configured within the child image"): every install and update
// in the zone would fail after it. The global zone's publishers are
// asked (pkg publisher, read-only) only when there is one to remove.
func (h *Host) refuseGlobalPublishers(ctx context.Context, spec *GIZSpec) error {
	if len(spec.RemovePublishers) == 0 {
		return nil
	}
	res, err := h.Runner.Run(ctx, illumos.Cmd{Argv: []string{"pkg", "publisher", "-H", "-F", "tsv"}})
	if err != nil {
		return fmt.Errorf("zone %s: list the global zone's publishers: %w", spec.Name, err)
	}
	pubs, err := illumos.ParsePkgPublisher(res.Stdout)
	if err != nil {
		return fmt.Errorf("zone %s: %w", spec.Name, err)
	}
	for _, p := range pubs {
		if slices.Contains(spec.RemovePublishers, p.Name) {
			return optErr(FieldRemovePublishers, "%s is a publisher of the global zone: a zone keeps the global zone's publishers (pkg plans nothing in a zone that lacks one), so it is not removed from zone %s", p.Name, spec.Name)
		}
	}
	return nil
}

// askChanges asks from the global zone, with read-only commands as
// askUpdates does (pkg -R on the zone's root), which of an update's
// publisher and package changes are still to make, and returns the
// spec of those (updatesFound), or upToDate when none is and no update
// is asked for or to make. Left out are a publisher to add that has the
// origin already, one to remove that is not configured (pkg publisher
// -F tsv lists each origin of each publisher), a package to remove that
// is not installed (pkg list PKG exits 1), and the packages to install
// when pkg install -n finds nothing to do (exit 4). What pkg cannot tell
// stays: packages to install from a publisher still to add, an update
// after a publisher changes. When the global zone cannot ask at all
// (see askUpdates) the answer is askMounted or askInZone, and every
// change is planned, each removal after a question in the zone (see
// packageSteps).
func (h *Host) askChanges(ctx context.Context, z *Zone, ds string, spec *GIZSpec) (updatesAnswer, *GIZSpec, error) {
	root := path.Join(z.Zonepath, "root")
	ask := func(args ...string) ([]byte, int, error) {
		res, err := h.Runner.Run(ctx, illumos.Cmd{Argv: append([]string{"pkg", "-R", root}, args...)})
		var ce *illumos.CommandError
		switch {
		case err == nil:
			return res.Stdout, 0, nil
		case errors.As(err, &ce):
			return nil, ce.ExitCode, nil
		}
		return nil, 0, fmt.Errorf("zone %s: %w", z.Name, err)
	}
	// The publishers first: the answer also says whether pkg -R can
	// reach the image at all.
	out, code, err := ask("publisher", "-H", "-F", "tsv")
	if err != nil {
		return 0, nil, err
	}
	if code != 0 {
		a, err := h.cannotAsk(ctx, z, ds)
		return a, nil, err
	}
	pubs, err := illumos.ParsePkgPublisher(out)
	if err != nil {
		return 0, nil, fmt.Errorf("zone %s: %w", z.Name, err)
	}
	// Each publisher's origins, without the trailing '/' pkg keeps them
	// with; a publisher with mirrors only has none.
	origins := map[string][]string{}
	for _, p := range pubs {
		if p.Type == "origin" {
			origins[p.Name] = append(origins[p.Name], strings.TrimRight(p.URI, "/"))
		} else if _, ok := origins[p.Name]; !ok {
			origins[p.Name] = nil
		}
	}
	left := *spec
	left.AddPublishers = slices.DeleteFunc(slices.Clone(spec.AddPublishers), func(p Publisher) bool {
		return slices.Contains(origins[p.Name], strings.TrimRight(p.URL, "/"))
	})
	left.RemovePublishers = slices.DeleteFunc(slices.Clone(spec.RemovePublishers), func(p string) bool {
		_, ok := origins[p]
		return !ok
	})
	left.RemovePackages = nil
	for _, p := range spec.RemovePackages {
		// pkg list exits 1 (EXIT_OOPS) for any error too; with -q it
		// prints nothing only when no installed package matches
		// (pkg5 client_api.py _list_inventory(): "if quiet: # Collect
		// nothing."), so 1 with a message is an error, not "not
		// installed".
		_, err := h.Runner.Run(ctx, illumos.Cmd{Argv: []string{"pkg", "-R", root, "list", "-Hq", p}})
		var ce *illumos.CommandError
		switch {
		case err == nil:
			left.RemovePackages = append(left.RemovePackages, p)
		case errors.As(err, &ce) && ce.ExitCode == pkgNotThere && strings.TrimSpace(ce.Stderr) == "":
			// not installed: nothing to remove
		default:
			return 0, nil, fmt.Errorf("zone %s: %w", z.Name, err)
		}
	}
	if len(spec.AddPackages) > 0 {
		_, code, err := ask(append([]string{"install", "-nq"}, spec.AddPackages...)...)
		if err != nil {
			return 0, nil, err
		}
		if code == pkgNothingToDo {
			left.AddPackages = nil
		}
	}
	if len(left.AddPublishers)+len(left.RemovePublishers)+len(left.AddPackages)+len(left.RemovePackages) > 0 {
		return updatesFound, &left, nil
	}
	if spec.UpdatePackages {
		if _, code, err := ask("update", "-nq"); err != nil || code != pkgNothingToDo {
			return updatesFound, &left, err
		}
	}
	return upToDate, nil, nil
}
