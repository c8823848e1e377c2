package zone

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/go-multierror"

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

// treeOf returns the filesystems of w under each root of set, sorted.
func treeOf(w *World, set []string) []string {
	var out []string
	for name, d := range w.Datasets {
		if d.Props["type"] == "snapshot" {
			continue
		}
		for _, r := range set {
			if name == r || strings.HasPrefix(name, r+"/") {
				out = append(out, name)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// ListSnapshots describes the snapshots of a zone's dataset, oldest
// first, with the zones cloned from each.
func ListSnapshots(w *World, z *Zone) []SnapshotInfo {
	ds, ok := w.ZoneDataset(z)
	if !ok {
		return []SnapshotInfo{}
	}
	out := []SnapshotInfo{}
	for _, s := range w.Snapshots(ds) {
		_, name, _ := strings.Cut(s.Name, "@")
		info := SnapshotInfo{Name: name, Zonemgr: IsZonemgrSnapshot(name), Clones: []string{}}
		info.Creation, _ = strconv.ParseInt(s.Props["creation"], 10, 64)
		info.Used, _ = strconv.ParseInt(s.Props["used"], 10, 64)
		if r := s.Props["userrefs"]; r != "" && r != "0" && r != "-" {
			info.Held = true
		}
		seen := map[string]bool{}
		for _, fs := range treeOf(w, []string{ds}) {
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
		errs = multierror.Append(errs, fmt.Errorf("zone: %w", err))
	}
	if !slices.Contains(SnapshotStates, s.State) {
		errs = multierror.Append(errs, fmt.Errorf("state: %q is not one of: %s", s.State, strings.Join(SnapshotStates, ", ")))
	}
	if s.Name == "" && s.State == "absent" {
		errs = multierror.Append(errs, fmt.Errorf("name: required when state is %s", s.State))
	}
	if s.Name != "" {
		if strings.ContainsAny(s.Name, "@/") || zfs.ValidSnapshotName("x@"+s.Name) != nil {
			errs = multierror.Append(errs, fmt.Errorf("name: %q is not a snapshot name (letters, digits, '_', '-', '.', ':'; no '@' or '/')", s.Name))
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
	if spec.Name == "" && spec.State == "present" {
		spec.Name = AutoSnapshotName(h.now())
	}
	lock, err := h.LockZone(ctx, spec.Zone)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	w, err := h.Observe(ctx, h.containers(h.Settings.DelegatedParent)...)
	if err != nil {
		return nil, err
	}
	z := w.Zones[spec.Zone]
	if z == nil {
		return nil, fmt.Errorf("zone: %s does not exist", spec.Zone)
	}
	if !z.Managed() {
		return nil, fmt.Errorf("zone %s is not managed by zonemgr (it has no zonemgr.* attributes); refusing to touch it", z.Name)
	}
	zoneDS, set, err := snapshotSet(w, z)
	if err != nil {
		return nil, err
	}
	if spec.Name == "" {
		// rolledback without a name: the newest snapshot, as the
		// original script did.
		names := snapshotNames(w, zoneDS)
		if len(w.Snapshots(zoneDS)) == 0 {
			return nil, fmt.Errorf("zone %s has no snapshot to roll back to", z.Name)
		}
		spec.Name = names[len(names)-1]
	}
	out := &Outcome{Zone: z.Name}
	out.set("zone", z.Name)
	out.set("snapshot", spec.Name)
	plan := &Plan{Zone: z.Name}
	exists := w.Exists(zoneDS + "@" + spec.Name)
	var inner []Step
	switch spec.State {
	case "present":
		if exists {
			break
		}
		var missing []string
		for _, d := range set[1:] {
			if !w.Exists(d) && w.listed(d) {
				missing = append(missing, d)
			}
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("zone %s: delegated datasets do not exist: %s", z.Name, strings.Join(missing, ", "))
		}
		inner = append(inner, h.saveConfigStep(z))
		argv := []string{"zfs", "snapshot", "-r"}
		for _, d := range set {
			argv = append(argv, d+"@"+spec.Name)
		}
		var undo []string
		undo = append(undo, "zfs", "destroy", "-r", zoneDS+"@"+spec.Name)
		inner = append(inner, Step{Why: "snapshot the zone's datasets in one atomic call", Cmd: &illumos.Cmd{Argv: argv}, Undo: &illumos.Cmd{Argv: undo}})
		if z.Role() == "giz" {
			inner = append(inner, Step{Why: "hold " + spec.Name, Cmd: &illumos.Cmd{Argv: []string{"zfs", "hold", "-r", HoldTag, zoneDS + "@" + spec.Name}},
				Undo: &illumos.Cmd{Argv: []string{"zfs", "release", "-r", HoldTag, zoneDS + "@" + spec.Name}}})
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
			return nil, fmt.Errorf("zone %s: snapshot %s has dependent clones: %s; destroy them first", z.Name, spec.Name, strings.Join(clones, ", "))
		}
		for _, d := range set {
			snap := d + "@" + spec.Name
			if !w.Exists(snap) && w.listed(d) {
				continue
			}
			if held(w, snap) {
				inner = append(inner, Step{Why: "release " + snap, Cmd: &illumos.Cmd{Argv: []string{"zfs", "release", "-r", HoldTag, snap}}})
			}
			inner = append(inner, zfsDestroyStep("destroy "+snap, snap, true))
		}
	case "rolledback":
		if !exists {
			return nil, fmt.Errorf("zone %s: snapshot %s does not exist (snapshots: %s)", z.Name, spec.Name, strings.Join(snapshotNames(w, zoneDS), ", "))
		}
		steps, err := h.rollbackSteps(w, z, set, spec)
		if err != nil {
			return nil, err
		}
		inner = steps
	}
	if len(inner) > 0 {
		halted := false
		if z.InKernel() && z.State != "configured" {
			halted = true
			plan.Add(h.stateSteps(z.Name, z.State, "installed", Boot{})...)
		}
		plan.Add(inner...)
		if halted {
			plan.Add(h.stateSteps(z.Name, "installed", z.State, Boot{Timeout: h.Settings.BootTimeout})...)
		}
		out.set("halted", halted)
	} else {
		out.set("halted", false)
	}
	out.Before = "snapshots of " + zoneDS + ":\n" + strings.Join(snapshotNames(w, zoneDS), "\n") + "\n"
	out.After = out.Before
	if len(inner) > 0 {
		out.After = "snapshots of " + zoneDS + " after " + spec.State + " " + spec.Name + "\n"
	}
	res, err := h.finish(ctx, "snapshot", plan, out)
	if err != nil || h.CheckMode || spec.State != "rolledback" || len(inner) == 0 {
		h.snapshotList(ctx, res)
		return res, err
	}
	if warn := h.configDrift(z); warn != "" {
		res.Warnings = append(res.Warnings, warn)
	}
	h.snapshotList(ctx, res)
	return res, nil
}

// snapshotList adds the zone's snapshot list to an outcome, reading the
// world again after a change.
func (h *Host) snapshotList(ctx context.Context, out *Outcome) {
	if out == nil {
		return
	}
	w, err := h.Observe(ctx, h.containers()...)
	if err != nil {
		return
	}
	if z := w.Zones[out.Zone]; z != nil {
		out.set("snapshots", ListSnapshots(w, z))
	}
}

func held(w *World, snap string) bool {
	r := w.Datasets[snap].Props["userrefs"]
	return r != "" && r != "0" && r != "-"
}

// rollbackSteps roll every filesystem of the set back to the snapshot.
// Newer snapshots are destroyed only with force, and never when a clone
// depends on one of them.
func (h *Host) rollbackSteps(w *World, z *Zone, set []string, spec SnapshotSpec) ([]Step, error) {
	var steps []Step
	var newer, clones []string
	for _, fs := range treeOf(w, set) {
		target := fs + "@" + spec.Name
		if !w.Exists(target) {
			return nil, fmt.Errorf("zone %s: %s has no snapshot %s (it was made after the snapshot); roll back is refused", z.Name, fs, spec.Name)
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
			newer = append(newer, s.Name)
			for _, c := range w.Clones(s.Name) {
				clones = append(clones, zoneOfDataset(w, c)+" ("+c+")")
			}
			if held(w, s.Name) {
				steps = append(steps, Step{Why: "release " + s.Name, Cmd: &illumos.Cmd{Argv: []string{"zfs", "release", HoldTag, s.Name}}})
			}
		}
		steps = append(steps, zfsRollbackStep("roll back "+fs, target))
	}
	if len(clones) > 0 {
		return nil, fmt.Errorf("zone %s: rolling back to %s would destroy snapshots that clones depend on: %s; destroy those zones first (zonemgr never destroys a clone)", z.Name, spec.Name, strings.Join(clones, ", "))
	}
	if len(newer) > 0 && !spec.Force {
		return nil, fmt.Errorf("zone %s: rolling back to %s would destroy newer snapshots: %s; set force: true to allow it", z.Name, spec.Name, strings.Join(newer, ", "))
	}
	return steps, nil
}

// saveConfigStep writes the zone's configuration into its zonepath, so a
// snapshot carries the configuration it was taken with.
func (h *Host) saveConfigStep(z *Zone) Step {
	dst := path.Join(z.Zonepath, z.Name+".xml")
	return Step{
		Why:  "save the zone configuration",
		Show: "save /etc/zones/" + z.Name + ".xml as " + dst,
		Func: func(ctx context.Context, r illumos.Runner) error {
			b, err := os.ReadFile(h.path("/etc/zones/" + z.Name + ".xml"))
			if err != nil {
				return fmt.Errorf("save the configuration of %s: %w", z.Name, err)
			}
			if err := os.WriteFile(h.path(dst), b, 0o644); err != nil {
				return fmt.Errorf("save the configuration of %s: %w", z.Name, err)
			}
			return nil
		},
	}
}

// configDrift compares the configuration saved in a rolled-back zonepath
// with the zone's current one.
func (h *Host) configDrift(z *Zone) string {
	saved, err := os.ReadFile(h.path(path.Join(z.Zonepath, z.Name+".xml")))
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Sprintf("zone %s: the snapshot carries no saved configuration; the current configuration is kept", z.Name)
	}
	cur, err2 := os.ReadFile(h.path("/etc/zones/" + z.Name + ".xml"))
	if err != nil || err2 != nil || bytes.Equal(saved, cur) {
		return ""
	}
	sc, err := illumos.ParseZoneXML(saved)
	cc, err2 := illumos.ParseZoneXML(cur)
	if err != nil || err2 != nil {
		return fmt.Sprintf("zone %s: its configuration differs from the one saved with the snapshot", z.Name)
	}
	_, changes, err := illumos.UpdateScript(cc, sc)
	if err != nil || len(changes) == 0 {
		return ""
	}
	return fmt.Sprintf("zone %s: its configuration has changed since the snapshot (%s); the current configuration is kept", z.Name, strings.Join(changes, ", "))
}
