package zone

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/go-multierror"

	"github.com/zonemgr/zonemgr/internal/digest"
	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zfs"
)

// Snapshot states a spec can ask for.
var SnapshotStates = []string{"present", "absent", "rolledback"}

// A SnapshotSpec asks for one snapshot of a managed zone.
type SnapshotSpec struct {
	Zone  string
	Name  string // "" : autozone-<UTC stamp> (present only)
	State string
	Force bool
}

// A SnapshotInfo describes one snapshot of a zone's dataset.
type SnapshotInfo struct {
	Name     string   `json:"name"`
	Creation int64    `json:"creation"`
	Used     int64    `json:"used"`
	Clones   []string `json:"clones"`
	Zonemgr  bool     `json:"zonemgr"`
	Held     bool     `json:"held"`
}

// snapshotSet is the dataset trees one zone snapshot covers: the zone's
// own dataset (recursively: ROOT and every boot environment) and its
// delegated datasets.
func snapshotSet(w *World, z *Zone) (zoneDS string, set []string, err error) {
	ds, ok := w.ZoneDataset(z)
	if !ok {
		return "", nil, fmt.Errorf("zone %s: its zonepath %s is not a dataset under zonemgr's containers", z.Name, z.Zonepath)
	}
	set = []string{ds}
	if z.Config != nil {
		for _, d := range z.Config.Datasets {
			set = append(set, d.Name)
		}
	}
	return ds, set, nil
}

// learnOutside lists the trees of a zone's set that lie outside those
// the world lists (a dataset delegated from elsewhere in the pool), so
// that a rollback covers them too.
func (h *Host) learnOutside(ctx context.Context, w *World, set []string) error {
	var outside []string
	for _, d := range set {
		if !w.listed(d) {
			outside = append(outside, d)
		}
	}
	return h.learnTrees(ctx, w, outside)
}

// treeOf returns the filesystems of w under each root of set, sorted.
func treeOf(w *World, set []string) []string {
	var out []string
	for _, r := range set {
		out = append(out, w.Tree(r)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ListSnapshots describes the snapshots of a zone's dataset, oldest
// first, with the zones cloned from each.
func ListSnapshots(w *World, z *Zone) []SnapshotInfo {
	ds, ok := w.ZoneDataset(z)
	if !ok {
		return []SnapshotInfo{}
	}
	out := []SnapshotInfo{}
	tree := treeOf(w, []string{ds})
	for _, s := range w.Snapshots(ds) {
		_, name, _ := strings.Cut(s.Name, "@")
		info := SnapshotInfo{Name: name, Zonemgr: IsZonemgrSnapshot(name), Clones: []string{}}
		info.Creation, _ = strconv.ParseInt(s.Props["creation"], 10, 64)
		info.Used, _ = strconv.ParseInt(s.Props["used"], 10, 64)
		info.Held = held(w, s.Name)
		seen := map[string]bool{}
		for _, fs := range tree {
			for _, c := range w.Clones(fs + "@" + name) {
				if zn := zoneOfDataset(w, c); !seen[zn] {
					seen[zn] = true
					info.Clones = append(info.Clones, zn)
				}
			}
		}
		out = append(out, info)
	}
	return out
}

func (h *Host) validateSnapshot(s *SnapshotSpec) error {
	var errs error
	if err := illumos.ValidZoneName(s.Zone); err != nil {
		errs = multierror.Append(errs, optErr(FieldZone, "%w", err))
	}
	if !slices.Contains(SnapshotStates, s.State) {
		errs = multierror.Append(errs, optErr(FieldState, "%q is not one of: %s", s.State, strings.Join(SnapshotStates, ", ")))
	}
	if s.Name == "" && s.State == "absent" {
		errs = multierror.Append(errs, optErr(FieldSnapshot, "required when state is %s", s.State))
	}
	if s.Name != "" {
		if strings.ContainsAny(s.Name, "@/") || zfs.ValidSnapshotName("x@"+s.Name) != nil {
			errs = multierror.Append(errs, optErr(FieldSnapshot, "%q is not a snapshot name (letters, digits, '_', '-', '.', ':'; no '@' or '/')", s.Name))
		}
	}
	return OneLine(errs)
}

// EnsureSnapshot takes, destroys or rolls back to a snapshot of a managed
// zone. A snapshot covers the zone's whole dataset tree and its delegated
// datasets, taken in one atomic zfs call, with the zone's configuration
// saved beside it as <zonepath>/<zone>.xml. A running zone is halted for
// the operation and booted again afterwards.
func (h *Host) EnsureSnapshot(ctx context.Context, spec SnapshotSpec) (*Outcome, error) {
	if spec.State == "" {
		spec.State = "present"
	}
	if err := h.validateSnapshot(&spec); err != nil {
		return nil, err
	}
	return h.operate(ctx, &snapshotOp{h: h, spec: spec})
}

// A snapshotOp is one run of EnsureSnapshot.
type snapshotOp struct {
	h    *Host
	spec SnapshotSpec
	// w and z are the world and the zone as planned.
	w *World
	z *Zone
}

func (o *snapshotOp) journal() string { return "snapshot" }

func (o *snapshotOp) lock(ctx context.Context, ls *lockSet) error {
	if _, err := ls.zone(ctx, o.spec.Zone); err != nil {
		return err
	}
	return o.h.pendingWork(o.spec.Zone, false)
}

// plan plans the snapshot's creation, destruction or rollback, halting a
// running zone for it and booting it again after.
func (o *snapshotOp) plan(ctx context.Context, _ *lockSet, plan *Plan, out *Outcome) error {
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
	o.w, o.z = w, z
	zoneDS, set, err := snapshotSet(w, z)
	if err != nil {
		return err
	}
	if spec.Name == "" && spec.State == "present" {
		spec.Name = freeAutoSnapshotName(w, zoneDS, h.now())
	}
	if spec.Name == "" {
		// rolledback without a name: the newest snapshot, as the
		// original script did.
		names := snapshotNames(w, zoneDS)
		if len(w.Snapshots(zoneDS)) == 0 {
			return fmt.Errorf("zone %s has no snapshot to roll back to", z.Name)
		}
		spec.Name = names[len(names)-1]
	}
	plan.Zone, out.Zone = z.Name, z.Name
	out.set("zone", z.Name)
	out.set("snapshot", spec.Name)
	zid := zoneRun(z)
	exists := w.Exists(zoneDS + "@" + spec.Name)
	var inner []Step
	switch spec.State {
	case "present":
		if exists {
			break
		}
		if inner, err = takeSnapshotSteps(w, z, zoneDS, set, spec.Name, plan.Run); err != nil {
			return err
		}
	case "absent":
		if !exists {
			break
		}
		var clones []string
		for _, fs := range treeOf(w, set) {
			for _, c := range w.Clones(fs + "@" + spec.Name) {
				clones = append(clones, zoneOfDataset(w, c)+" ("+c+")")
			}
		}
		if len(clones) > 0 {
			return fmt.Errorf("zone %s: snapshot %s has dependent clones: %s; destroy them first", z.Name, spec.Name, strings.Join(clones, ", "))
		}
		inner = unsnapSteps(w, set, spec.Name)
		plan.Recover = &Recovery{Kind: "unsnap", Zone: z.Name, ZoneRun: zid, Snapshot: spec.Name, State: z.State}
	case "rolledback":
		if !exists {
			return fmt.Errorf("zone %s: snapshot %s does not exist (snapshots: %s)", z.Name, spec.Name, strings.Join(snapshotNames(w, zoneDS), ", "))
		}
		if err := h.learnOutside(ctx, w, set); err != nil {
			return fmt.Errorf("zone %s: %w", z.Name, err)
		}
		newer, err := newerSnapshots(w, z, set, spec.Name)
		if err != nil {
			return err
		}
		if len(newer) > 0 && !spec.Force {
			return optErr(FieldNone, "zone %s: rolling back to %s would destroy newer snapshots: %s; allow it with %v", z.Name, spec.Name, strings.Join(snapshotNamesOf(newer), ", "), Enable(FieldForce))
		}
		steps, _, err := rollbackSteps(w, z, set, spec.Name, newer)
		if err != nil {
			return err
		}
		inner = steps
		// The journal records the newer snapshots the user agreed to
		// lose: gc, should the run be killed, destroys those and no
		// snapshot taken since.
		plan.Recover = &Recovery{Kind: "rollback", Zone: z.Name, ZoneRun: zid, Snapshot: spec.Name, Force: spec.Force, Newer: newer, State: z.State}
	}
	halted := false
	if len(inner) > 0 {
		halt, restart := h.haltFor(z)
		halted = len(halt) > 0
		plan.Add(halt...)
		plan.Add(inner...)
		plan.Add(restart...)
	}
	out.set("halted", halted)
	names := snapshotNames(w, zoneDS)
	listing := func(names []string) string {
		if len(names) == 0 {
			names = []string{"none"}
		}
		return "snapshots of " + zoneDS + ":\n" + strings.Join(names, "\n") + "\n"
	}
	out.Before, out.After = listing(names), listing(names)
	if len(inner) > 0 {
		// The listing the plan leaves (snapshotNames says "none" for
		// none).
		var after []string
		if len(w.Snapshots(zoneDS)) > 0 {
			after = slices.Clone(names)
		}
		switch spec.State {
		case "present":
			after = append(after, spec.Name)
		case "absent":
			after = slices.DeleteFunc(after, func(n string) bool { return n == spec.Name })
		case "rolledback":
			if i := slices.Index(after, spec.Name); i >= 0 {
				after = after[:i+1]
			}
		}
		out.After = listing(after)
	}
	return nil
}

// done lists the zone's snapshots: as read before when nothing changed,
// afresh after a change; after a rollback, it warns when the zone's
// configuration differs from the one saved with the snapshot.
func (o *snapshotOp) done(ctx context.Context, _ *Plan, out *Outcome, e ending, err error) (*Outcome, error) {
	if e != applied {
		out.set("snapshots", ListSnapshots(o.w, o.z))
		return out, err
	}
	if err == nil && o.spec.State == "rolledback" {
		zoneDS, _ := o.w.ZoneDataset(o.z)
		if warn := o.h.configDrift(ctx, o.z, zoneDS+"@"+o.spec.Name); warn != "" {
			out.Warnings = append(out.Warnings, warn)
		}
	}
	o.h.snapshotList(ctx, o.w, o.z, out)
	return out, err
}

// takeSnapshotSteps snapshot the dataset trees of a zone's set (see
// snapshotSet) in one atomic call; a golden zone's snapshot is held.
// The snapshots carry the run's id (zonemgr:run): their undo destroys or
// releases them only while they do.
func takeSnapshotSteps(w *World, z *Zone, zoneDS string, set []string, name, run string) ([]Step, error) {
	var missing []string
	for _, d := range set[1:] {
		if !w.Exists(d) && w.listed(d) {
			missing = append(missing, d)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("zone %s: delegated datasets do not exist: %s", z.Name, strings.Join(missing, ", "))
	}
	// The configuration travels with the snapshot, as a user property of
	// the same atomic call: nothing to write into the zonepath, and
	// nothing left behind when the call fails. One call takes snapshots
	// in one pool only (illumos-gate zfs_ioctl.c zfs_ioc_snapshot(): "The
	// snap must be in the specified pool", EXDEV): delegated datasets on
	// other pools get a call per pool, after the zone's, each with the
	// same properties. The zone is halted or not booted while they run,
	// so nothing writes to its datasets in between.
	props := []string{"-o", ConfigProp + "=" + encodeConfig(z), "-o", PropRun + "=" + run}
	var steps []Step
	for i, group := range byPool(set) {
		argv := append(append([]string{"zfs", "snapshot", "-r"}, props...), group[0]+"@"+name)
		for _, d := range group[1:] {
			argv = append(argv, d+"@"+name)
		}
		why := "snapshot the zone's datasets in one atomic call"
		if i > 0 {
			why = "snapshot the zone's datasets on pool " + poolOf(group[0]) + " (a call per pool)"
		}
		steps = append(steps, Step{Why: why, Cmd: &illumos.Cmd{Argv: argv},
			Undo:  &illumos.Cmd{Argv: []string{"zfs", "destroy", "-r", group[0] + "@" + name}},
			Guard: &Guard{Dataset: group[0] + "@" + name, Run: run}})
		// The other datasets' snapshots come from the same call; each
		// needs an undo of its own, as zfs destroy takes one dataset.
		for _, d := range group[1:] {
			steps = append(steps, Step{
				Why:   "the snapshot of " + d + " taken by the call above",
				Show:  "(" + d + "@" + name + " taken by the call above)",
				Undo:  &illumos.Cmd{Argv: []string{"zfs", "destroy", "-r", d + "@" + name}},
				Guard: &Guard{Dataset: d + "@" + name, Run: run},
			})
		}
	}
	if z.Role() == "giz" {
		steps = append(steps, Step{Why: "hold " + name, Cmd: &illumos.Cmd{Argv: []string{"zfs", "hold", "-r", HoldTag, zoneDS + "@" + name}},
			Undo:  &illumos.Cmd{Argv: []string{"zfs", "release", "-r", HoldTag, zoneDS + "@" + name}},
			Guard: &Guard{Dataset: zoneDS + "@" + name, Run: run, Hold: HoldTag}})
	}
	return steps, nil
}

// byPool groups datasets by their pool, in the order of each pool's
// first dataset, keeping their order within a pool.
func byPool(set []string) [][]string {
	var out [][]string
	at := map[string]int{}
	for _, d := range set {
		p := poolOf(d)
		i, ok := at[p]
		if !ok {
			i = len(out)
			at[p] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], d)
	}
	return out
}

// poolOf is the pool a dataset is in: its name's first component.
func poolOf(ds string) string {
	p, _, _ := strings.Cut(ds, "/")
	return p
}

// haltFor returns the steps that halt a zone in the kernel for work on
// its datasets, and those that bring it back to its state after. A
// running zone halted is booted again should a step after the halt
// fail, so that it ends as it was.
func (h *Host) haltFor(z *Zone) (halt, restart []Step) {
	if !z.InKernel() || z.State == "configured" {
		return nil, nil
	}
	zid := zoneRun(z)
	halt = h.stateSteps(z.Name, zid, z.State, "installed", Boot{})
	if z.State == "running" && len(halt) > 0 {
		halt[len(halt)-1].Undo = zoneadm(z.Name, "boot")
		halt[len(halt)-1].Guard = &Guard{Zone: z.Name, ZoneRun: zid, States: []string{"installed"}}
	}
	return halt, h.stateSteps(z.Name, zid, "installed", z.State, Boot{Timeout: h.Settings.BootTimeout})
}

// snapshotList adds the zone's snapshot list to an outcome after a
// change. The zone's dataset tree is listed again, in one zfs call; the
// rest of the world read before (the clones of the zone's snapshots,
// under other containers) is as it was: the change touched only the
// zone's own datasets, under its lock. When the listing fails, the
// outcome says so in a warning and carries no list.
func (h *Host) snapshotList(ctx context.Context, w *World, z *Zone, out *Outcome) {
	if out == nil {
		return
	}
	ds, ok := w.ZoneDataset(z)
	if !ok {
		return
	}
	list, err := zfs.List(ctx, h.Runner, zfs.ListOptions{Types: []string{"filesystem", "volume", "snapshot"}, Recursive: true, Props: datasetProps, Names: []string{ds}})
	if err != nil {
		out.Warnings = append(out.Warnings, fmt.Sprintf("zone %s: list its snapshots after the change: %v", z.Name, err))
		return
	}
	fresh := &World{Zones: w.Zones, Order: w.Order, Containers: w.Containers, Datasets: make(map[string]zfs.Dataset, len(w.Datasets))}
	for n, d := range w.Datasets {
		if n != ds && !strings.HasPrefix(n, ds+"/") && !strings.HasPrefix(n, ds+"@") {
			fresh.Datasets[n] = d
		}
	}
	for _, d := range list {
		fresh.Datasets[d.Name] = d
	}
	out.set("snapshots", ListSnapshots(fresh, z))
}

// unsnapSteps destroy one snapshot of every dataset of a zone's set,
// releasing zonemgr's hold first.
func unsnapSteps(w *World, set []string, name string) []Step {
	var steps []Step
	for _, d := range set {
		snap := d + "@" + name
		if !w.Exists(snap) && w.known(d) {
			continue
		}
		if held(w, snap) {
			steps = append(steps, Step{Why: "release " + snap, Cmd: &illumos.Cmd{Argv: []string{"zfs", "release", "-r", HoldTag, snap}}})
		}
		steps = append(steps, zfsDestroyStep("destroy "+snap, snap, true))
	}
	return steps
}

// held reports whether a listed snapshot carries any hold (userrefs);
// one the world does not list carries none it knows of.
func held(w *World, snap string) bool {
	r := w.Datasets[snap].Props["userrefs"]
	return r != "" && r != "0" && r != "-"
}

// A PlannedSnapshot is a snapshot as a run found it when it planned to
// destroy it: its name (dataset@snapshot) and its creation transaction
// group, which a snapshot destroyed and taken again under the same name
// does not share.
type PlannedSnapshot struct {
	Name      string `json:"name"`
	Createtxg string `json:"createtxg"`
}

// newerSnapshots lists the snapshots taken after the snapshot name on
// each filesystem of the set's trees, oldest first per filesystem: the
// snapshots a rollback to name has to destroy. A filesystem that has no
// snapshot name (made after it) refuses the rollback, as does a newer
// snapshot a clone depends on (zonemgr never destroys a clone).
func newerSnapshots(w *World, z *Zone, set []string, name string) ([]PlannedSnapshot, error) {
	var newer []PlannedSnapshot
	var clones []string
	for _, fs := range treeOf(w, set) {
		target := fs + "@" + name
		if !w.Exists(target) {
			return nil, fmt.Errorf("zone %s: %s has no snapshot %s (it was made after the snapshot); roll back is refused", z.Name, fs, name)
		}
		after := false
		for _, s := range w.Snapshots(fs) {
			if s.Name == target {
				after = true
				continue
			}
			if !after {
				continue
			}
			newer = append(newer, PlannedSnapshot{Name: s.Name, Createtxg: s.Props["createtxg"]})
			for _, c := range w.Clones(s.Name) {
				clones = append(clones, zoneOfDataset(w, c)+" ("+c+")")
			}
		}
	}
	if len(clones) > 0 {
		return nil, fmt.Errorf("zone %s: rolling back to %s would destroy snapshots that clones depend on: %s; destroy those zones first (zonemgr never destroys a clone)", z.Name, name, strings.Join(clones, ", "))
	}
	return newer, nil
}

// snapshotNamesOf returns the names of planned snapshots.
func snapshotNamesOf(ps []PlannedSnapshot) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

// rollbackSteps roll every filesystem of the set back to the snapshot
// name. The snapshots taken after it are destroyed first, each on its
// own (zonemgr's hold released before), and only those listed in
// destroy: each while it is still the very snapshot listed (its
// createtxg). The rollback itself destroys nothing (no -r): a snapshot
// taken since the plan makes it fail instead. A newer snapshot that
// destroy does not list is returned in unplanned, and no steps with it:
// the caller refuses the rollback, naming it.
func rollbackSteps(w *World, z *Zone, set []string, name string, destroy []PlannedSnapshot) (steps []Step, unplanned []string, err error) {
	newer, err := newerSnapshots(w, z, set, name)
	if err != nil {
		return nil, nil, err
	}
	for _, s := range newer {
		if !slices.Contains(destroy, s) {
			unplanned = append(unplanned, s.Name)
		}
	}
	if len(unplanned) > 0 {
		return nil, unplanned, nil
	}
	byFS := map[string][]PlannedSnapshot{}
	for _, s := range newer {
		fs, _, _ := strings.Cut(s.Name, "@")
		byFS[fs] = append(byFS[fs], s)
	}
	for _, fs := range treeOf(w, set) {
		// Newest first: each destroy leaves the others as they were.
		for i := len(byFS[fs]) - 1; i >= 0; i-- {
			s := byFS[fs][i]
			if held(w, s.Name) {
				steps = append(steps, Step{Why: "release " + s.Name, Cmd: &illumos.Cmd{Argv: []string{"zfs", "release", HoldTag, s.Name}},
					When: &Guard{Dataset: s.Name, Createtxg: s.Createtxg, Hold: HoldTag}})
			}
			st := zfsDestroyStep("destroy "+s.Name+", newer than "+name, s.Name, false)
			st.When = &Guard{Dataset: s.Name, Createtxg: s.Createtxg}
			steps = append(steps, st)
		}
		steps = append(steps, zfsRollbackStep("roll back "+fs, fs+"@"+name))
	}
	return steps, nil, nil
}

// ConfigProp is the user property that carries, on every snapshot zonemgr
// takes of a zone, the zone's configuration at that moment: its zonecfg
// export, base64-encoded (or, when that exceeds what a ZFS user property
// holds, its SHA-256).
const ConfigProp = "zonemgr:config"

// maxPropLen is the longest user property value ZFS accepts.
const maxPropLen = 8192

func encodeConfig(z *Zone) string {
	text := ""
	if z.Config != nil {
		text = z.Config.Export()
	}
	enc := "b64:" + base64.StdEncoding.EncodeToString([]byte(text))
	if len(enc) >= maxPropLen {
		sum := digest.Sum256([]byte(text))
		return "sha256:" + hex.EncodeToString(sum[:])
	}
	return enc
}

// configDrift compares the configuration saved with a snapshot with the
// zone's current one, after a rollback (which restores datasets, not the
// configuration in /etc/zones).
func (h *Host) configDrift(ctx context.Context, z *Zone, snap string) string {
	saved, source, err := zfs.GetProperty(ctx, h.Runner, snap, ConfigProp)
	switch {
	case err != nil || saved == "" || saved == "-":
		return fmt.Sprintf("zone %s: the snapshot carries no saved configuration; the current configuration is kept", z.Name)
	case source == "received":
		// zfs receive sets a stream's snapshot properties as received
		// (illumos-gate libzfs_sendrecv.c zfs_receive_one(): snapprops
		// with zc_cookie B_TRUE): the configuration of the zone on the
		// host the image was exported from, not this zone's.
		return fmt.Sprintf("zone %s: the snapshot came in an image, with the configuration of the zone it was exported from; the current configuration is kept", z.Name)
	}
	cur := encodeConfig(z)
	if saved == cur {
		return ""
	}
	text, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(saved, "b64:"))
	if !strings.HasPrefix(saved, "b64:") || err != nil || z.Config == nil {
		return fmt.Sprintf("zone %s: its configuration differs from the one saved with the snapshot; the current configuration is kept", z.Name)
	}
	sc, err := illumos.ParseZonecfgExport(text)
	if err != nil {
		return fmt.Sprintf("zone %s: its configuration differs from the one saved with the snapshot; the current configuration is kept", z.Name)
	}
	_, changes, err := illumos.UpdateScript(z.Config, sc)
	if err != nil || len(changes) == 0 {
		return fmt.Sprintf("zone %s: its configuration differs from the one saved with the snapshot; the current configuration is kept", z.Name)
	}
	return fmt.Sprintf("zone %s: its configuration has changed since the snapshot (to return to it: %s); the current configuration is kept", z.Name, strings.Join(changes, ", "))
}
