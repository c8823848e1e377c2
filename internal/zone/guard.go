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
	"time"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/random"
	"github.com/zonemgr/zonemgr/internal/zfs"
)

// Ownership. Every run of an operation has a run id, drawn when it
// starts. What the run makes carries it: a zone's zonemgr.run attribute,
// a dataset's or snapshot's zonemgr:run user property (set by the very
// command that makes it), and the run's journal. An undo, whether the
// run's own after a failure or gc's after a kill, runs only while what
// it removes is still the thing the run made: its Guard is checked just
// before, against what the system says at that moment.

// AttrRun is the zone attribute naming the run that made the zone.
const AttrRun = "zonemgr.run"

// PropRun is the ZFS user property naming the run that made a dataset or
// snapshot.
const PropRun = "zonemgr:run"

// newRunID draws a run id: 96 random bits in hex.
func newRunID() string {
	id, err := random.Hex(12)
	if err != nil {
		// /dev/urandom is there on every system zonemgr runs on; should
		// it not be, fall back to a value that is still unique per
		// process and time rather than fail the run.
		return fmt.Sprintf("t%023x", time.Now().UnixNano())
	}
	return id
}

// zoneRun is a zone's identity: the run that made it (zonemgr.run), or,
// for zones made before runs had ids, its creation stamp. "" for a zone
// that is not zonemgr's.
func zoneRun(z *Zone) string {
	if z == nil {
		return ""
	}
	if r := z.Attr(AttrRun); r != "" {
		return r
	}
	if c := z.Attr(AttrCreated); c != "" {
		return "created:" + c
	}
	return ""
}

// A Guard says when an undo (or a removal gc finishes) still applies:
// only while what it removes is what the run made. Each field that is
// set is a condition; an undo whose guard fails is not run, and the
// reason is reported.
type Guard struct {
	// Zone must exist and be the zone made by ZoneRun (see zoneRun),
	// and, when States is set, be in one of those states.
	Zone    string   `json:"zone,omitempty"`
	ZoneRun string   `json:"zone_run,omitempty"`
	States  []string `json:"states,omitempty"`
	// Independent: no zone may have been cloned from Zone's snapshots.
	// The brand's uninstall promotes such a clone (illumos-gate
	// uninstall.ksh destroy_zone_dataset()), so the undo of a zone's
	// install or clone does not uninstall a golden zone something was
	// cloned from since.
	Independent bool `json:"independent,omitempty"`
	// Dataset (a filesystem, volume or snapshot) must exist and, when
	// Run is set, carry zonemgr:run=Run set on itself (source local): a
	// value it inherits from a parent zonemgr made proves nothing of it.
	Dataset string `json:"dataset,omitempty"`
	Run     string `json:"run,omitempty"`
	// CloneOf: every file system under Dataset is Dataset itself, its
	// ROOT, or a boot environment below ROOT cloned from this snapshot,
	// and none has a snapshot: what a zone's clone makes, and nothing
	// else (see cloneSteps).
	CloneOf string `json:"clone_of,omitempty"`
	// Childless: Dataset must have no child dataset, and no snapshot
	// zonemgr did not take (one without a zonemgr:run of its own): what
	// zfs destroy -r would take with it must all be zonemgr's.
	Childless bool `json:"childless,omitempty"`
	// Received names a snapshot (after '@') that a replication stream
	// (zfs send -R) made under Dataset: Dataset@Received must have the
	// guid ReceivedGUID (zfs receive keeps a snapshot's guid), and each
	// file system or volume below Dataset must hold @Received too, as
	// everything the stream made does. This proves a dataset zfs receive
	// made is the run's, as zfs receive cannot record the run's id.
	Received     string `json:"received,omitempty"`
	ReceivedGUID string `json:"received_guid,omitempty"`
	// VNIC must exist; when MAC is set, over the link Over with that MAC
	// address (as dladm prints it): the address the run gave the VNIC it
	// made (see vnicStep).
	VNIC string `json:"vnic,omitempty"`
	Over string `json:"over,omitempty"`
	MAC  string `json:"mac,omitempty"`
	// Unused: no zone may use Dataset (as its zonepath dataset or a
	// delegated one) or configure VNIC, but the owner's zone while it is
	// still the owner run's: Owner and OwnerRun when set, else the zone
	// and run of the journal the guard is in.
	Unused   bool   `json:"unused,omitempty"`
	Owner    string `json:"owner,omitempty"`
	OwnerRun string `json:"owner_run,omitempty"`
	// File must exist as a regular file (not a symbolic link): a
	// temporary file the run made, named after the run.
	File string `json:"file,omitempty"`
	// Hold: Dataset (a snapshot) must carry a hold with this tag.
	Hold string `json:"hold,omitempty"`
	// Unheld: Dataset (a snapshot) must not carry a hold with this tag:
	// the undo of a release puts back only a hold that is gone.
	Unheld string `json:"unheld,omitempty"`
	// Createtxg: Dataset must have been created in this transaction
	// group: it is still the snapshot planned, not one taken again under
	// its name.
	Createtxg string `json:"createtxg,omitempty"`
}

// An owner is the zone a journal's steps belong to: a zone that uses a
// dataset or VNIC does not keep the run's undo from running when it is
// this zone, still made by this run (its own undo removes it first).
type owner struct {
	zone, run string
}

// facts are what guards are checked against: the world (zones, their
// configurations, datasets with their zonemgr:run) and the VNICs. Undo
// commands that ran are applied to them (see applied), so the guards of
// later undos, and of the later steps of gc's plan, see their effect.
type facts struct {
	w     *World
	vnics map[string]vnicFacts
	// holds maps snapshots to their hold tags, for the guards that name
	// a hold (nil when none does).
	holds map[string][]string
	// records maps the datasets and snapshots in the trees recordsOf
	// names to the zonemgr:run they carry locally (see learnRecords).
	records   map[string]string
	recordsOf map[string]bool
	// guids maps snapshots that guards' Received names to their guid.
	guids map[string]string
}

// runOf is the zonemgr:run a dataset carries on itself. For a dataset
// whose records were not read (facts built by hand), the listing's
// value stands in, which may be inherited.
func (f *facts) runOf(name string, d zfs.Dataset) string {
	if f.learnedRecords(name) {
		return f.records[name]
	}
	return d.Value(PropRun)
}

// learnedRecords reports whether the local zonemgr:run of a dataset (or
// snapshot) was read: it lies in a tree learnRecords read.
func (f *facts) learnedRecords(name string) bool {
	ds, _, _ := strings.Cut(name, "@")
	for r := range f.recordsOf {
		// A file system's tree holds its descendants and their
		// snapshots; a snapshot's, itself only.
		if name == r || !strings.Contains(r, "@") && (ds == r || strings.HasPrefix(ds, r+"/")) {
			return true
		}
	}
	return false
}

// learnRecords reads what the guards' ownership conditions need beyond
// the listing: the zonemgr:run set locally on the datasets that Run or
// Childless name, their descendants and snapshots (one zfs get), and the
// guid of the snapshots Received names.
func (h *Host) learnRecords(ctx context.Context, f *facts, guards []*Guard) error {
	var roots []string
	for _, g := range guards {
		if g == nil || g.Dataset == "" || !f.w.Exists(g.Dataset) {
			continue
		}
		if (g.Run != "" || g.Childless) && !f.learnedRecords(g.Dataset) {
			roots = append(roots, g.Dataset)
		}
		if g.Received != "" {
			snap := g.Dataset + "@" + g.Received
			if _, ok := f.guids[snap]; ok || !f.w.Exists(snap) {
				continue
			}
			v, _, err := zfs.GetProperty(ctx, h.Runner, snap, "guid")
			if errors.Is(err, zfs.ErrNotExist) {
				// Destroyed since the listing.
				f.w.forgetTree(snap)
				continue
			}
			if err != nil {
				return err
			}
			if f.guids == nil {
				f.guids = map[string]string{}
			}
			f.guids[snap] = v
		}
	}
	slices.Sort(roots)
	roots = slices.Compact(roots)
	if len(roots) == 0 {
		return nil
	}
	if f.records == nil {
		f.records, f.recordsOf = map[string]string{}, map[string]bool{}
	}
	recs, err := zfs.LocalValues(ctx, h.Runner, PropRun, roots)
	if errors.Is(err, zfs.ErrNotExist) && len(roots) > 1 {
		// One of them was destroyed since the listing (a run that
		// ended meanwhile): zfs get fails for all; ask for each.
		for _, r := range roots {
			if err := h.learnRecords(ctx, f, []*Guard{{Dataset: r, Childless: true}}); err != nil {
				return err
			}
		}
		return nil
	}
	if errors.Is(err, zfs.ErrNotExist) {
		// Destroyed since the listing: the guard finds it gone.
		f.w.forgetTree(roots[0])
		return nil
	}
	if err != nil {
		return err
	}
	for n, v := range recs {
		f.records[n] = v
	}
	for _, r := range roots {
		f.recordsOf[r] = true
	}
	return nil
}

// readFacts reads what the guards of steps need: the world, the VNICs,
// and the datasets the guards name outside the trees the world lists.
func (h *Host) readFacts(ctx context.Context, guards []*Guard) (*facts, error) {
	w, err := h.Observe(ctx, h.containers(h.Settings.DelegatedParent)...)
	if err != nil {
		return nil, err
	}
	f := &facts{w: w}
	needVNICs := false
	var extra, held []string
	for _, g := range guards {
		if g == nil {
			continue
		}
		if (g.Hold != "" || g.Unheld != "") && g.Dataset != "" {
			held = append(held, g.Dataset)
		}
		if g.VNIC != "" {
			needVNICs = true
		}
		if g.Dataset != "" {
			ds, _, _ := strings.Cut(g.Dataset, "@")
			if !w.listed(ds) {
				extra = append(extra, ds)
			}
		}
		if g.Unused {
			// Zones may delegate datasets anywhere: their own
			// datasets are learned too (see learnUsed).
			extra = append(extra, usedDatasets(w)...)
		}
	}
	if needVNICs {
		if f.vnics, err = h.vnics(ctx); err != nil {
			return nil, err
		}
	}
	if err := h.learnTrees(ctx, w, extra); err != nil {
		return nil, err
	}
	if err := h.learnHolds(ctx, f, held); err != nil {
		return nil, err
	}
	if err := h.learnRecords(ctx, f, guards); err != nil {
		return nil, err
	}
	return f, nil
}

// learnHolds reads the hold tags of snapshots that exist, in one zfs
// holds call.
func (h *Host) learnHolds(ctx context.Context, f *facts, snaps []string) error {
	slices.Sort(snaps)
	snaps = slices.DeleteFunc(slices.Compact(snaps), func(n string) bool { return !f.w.Exists(n) })
	if f.holds == nil {
		f.holds = map[string][]string{}
	}
	if len(snaps) == 0 {
		return nil
	}
	res, err := h.Runner.Run(ctx, illumos.Cmd{Argv: append([]string{"zfs", "holds", "-H"}, snaps...)})
	if err != nil {
		return fmt.Errorf("list holds: %w", err)
	}
	for _, n := range snaps {
		f.holds[n] = []string{}
	}
	for _, l := range strings.Split(string(res.Stdout), "\n") {
		fields := strings.Split(l, "\t")
		if len(fields) >= 2 {
			f.holds[fields[0]] = append(f.holds[fields[0]], fields[1])
		}
	}
	return nil
}

// usedDatasets lists the datasets the zones delegate that lie outside
// the trees the world lists.
func usedDatasets(w *World) []string {
	var out []string
	for _, z := range w.Zones {
		if z.Config == nil {
			continue
		}
		for _, d := range z.Config.Datasets {
			if !w.listed(d.Name) {
				out = append(out, d.Name)
			}
		}
	}
	return out
}

// learnTrees lists datasets (and their snapshots and children) outside
// the trees the world lists, in one zfs call; missing ones are fine.
func (h *Host) learnTrees(ctx context.Context, w *World, names []string) error {
	slices.Sort(names)
	names = slices.Compact(names)
	names = slices.DeleteFunc(names, func(n string) bool { return n == "" || w.learned[n] })
	if len(names) == 0 {
		return nil
	}
	ds, err := zfs.List(ctx, h.Runner, zfs.ListOptions{Types: []string{"filesystem", "volume", "snapshot"}, Recursive: true, Props: datasetProps, Names: names})
	if err != nil && !errors.Is(err, zfs.ErrNotExist) {
		return fmt.Errorf("list datasets: %w", err)
	}
	for _, d := range ds {
		w.Datasets[d.Name] = d
	}
	if w.learned == nil {
		w.learned = map[string]bool{}
	}
	for _, n := range names {
		w.learned[n] = true
	}
	return nil
}

// A verdict is what a guard says of an undo.
type verdict int

const (
	// undoIt: what the undo removes is the run's: run it.
	undoIt verdict = iota
	// undoGone: there is nothing left to undo (the thing is gone, the
	// zone already in the state the undo leads to).
	undoGone
	// undoKeep: the thing is no longer (or was never) the run's alone:
	// another run made it, or a zone uses it. It is left in place.
	undoKeep
)

// check tells whether the undo the guard belongs to applies, and why not
// when it does not.
func (g *Guard) check(f *facts, own owner) (verdict, string) {
	if g == nil {
		return undoIt, ""
	}
	if g.Owner != "" {
		own = owner{zone: g.Owner, run: g.OwnerRun}
	}
	if g.Zone != "" {
		z := f.w.Zones[g.Zone]
		switch {
		case z == nil:
			return undoGone, fmt.Sprintf("zone %s no longer exists", g.Zone)
		case zoneRun(z) != g.ZoneRun:
			return undoKeep, fmt.Sprintf("zone %s is not the one this run worked on: it was %s", g.Zone, madeBy(zoneRun(z)))
		case len(g.States) > 0 && !slices.Contains(g.States, z.State):
			return undoGone, fmt.Sprintf("zone %s is %s", g.Zone, z.State)
		}
		if deps := gizDependents(f.w, z); g.Independent && len(deps) > 0 {
			return undoKeep, fmt.Sprintf("zones were cloned from zone %s's snapshots since: %s; its uninstall would promote them", g.Zone, strings.Join(deps, ", "))
		}
	}
	if g.Dataset != "" {
		d, ok := f.w.Datasets[g.Dataset]
		switch {
		case !ok && f.w.known(g.Dataset):
			return undoGone, fmt.Sprintf("%s no longer exists", g.Dataset)
		case !ok:
			return undoKeep, fmt.Sprintf("%s could not be looked up", g.Dataset)
		case g.Run != "" && f.runOf(g.Dataset, d) != g.Run:
			return undoKeep, fmt.Sprintf("%s was not made by this run: it was %s", g.Dataset, madeBy(f.runOf(g.Dataset, d)))
		case g.Createtxg != "" && d.Props["createtxg"] != g.Createtxg:
			return undoKeep, fmt.Sprintf("%s is not the one planned: it was made again since (transaction group %s, not %s)", g.Dataset, d.Props["createtxg"], g.Createtxg)
		}
		if g.Received != "" {
			if why := f.notReceived(g); why != "" {
				return undoKeep, why
			}
		}
		if g.CloneOf != "" {
			if why := f.w.notCloneTree(g.Dataset, g.CloneOf); why != "" {
				return undoKeep, why
			}
		}
		if g.Hold != "" && !slices.Contains(f.holds[g.Dataset], g.Hold) {
			return undoGone, fmt.Sprintf("%s carries no %s hold", g.Dataset, g.Hold)
		}
		if g.Unheld != "" && slices.Contains(f.holds[g.Dataset], g.Unheld) {
			return undoGone, fmt.Sprintf("%s carries its %s hold", g.Dataset, g.Unheld)
		}
		if g.Childless {
			if kids := f.w.children(g.Dataset); len(kids) > 0 {
				return undoKeep, fmt.Sprintf("%s holds other datasets now: %s", g.Dataset, strings.Join(kids, ", "))
			}
			if foreign := f.foreignSnapshots(g.Dataset); len(foreign) > 0 {
				return undoKeep, fmt.Sprintf("%s has snapshots zonemgr did not take: %s", g.Dataset, strings.Join(foreign, ", "))
			}
		}
		if g.Unused {
			if users := f.datasetUsers(g.Dataset, own); len(users) > 0 {
				return undoKeep, fmt.Sprintf("%s is used by zone %s", g.Dataset, strings.Join(users, ", "))
			}
		}
	}
	if g.File != "" {
		fi, err := os.Lstat(g.File)
		switch {
		case os.IsNotExist(err):
			return undoGone, fmt.Sprintf("%s no longer exists", g.File)
		case err != nil:
			return undoKeep, err.Error()
		case !fi.Mode().IsRegular():
			return undoKeep, fmt.Sprintf("%s is not a regular file", g.File)
		}
	}
	if g.VNIC != "" {
		v, ok := f.vnics[g.VNIC]
		if !ok {
			return undoGone, fmt.Sprintf("VNIC %s no longer exists", g.VNIC)
		}
		if g.MAC != "" && (v.MAC != g.MAC || v.Over != g.Over) {
			return undoKeep, fmt.Sprintf("VNIC %s is not the one this run made: it is over %s with MAC address %s, the run's was to be over %s with %s", g.VNIC, v.Over, v.MAC, g.Over, g.MAC)
		}
		if g.Unused {
			if users := f.vnicUsers(g.VNIC, own); len(users) > 0 {
				return undoKeep, fmt.Sprintf("VNIC %s is configured in zone %s", g.VNIC, strings.Join(users, ", "))
			}
		}
	}
	return undoIt, ""
}

// foreignSnapshots lists the snapshots of a dataset that carry no
// zonemgr:run of their own, sorted; every snapshot when its records were
// not read.
func (f *facts) foreignSnapshots(ds string) []string {
	var out []string
	for n := range f.w.Datasets {
		if strings.HasPrefix(n, ds+"@") && f.records[n] == "" {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// forgetUninstalled removes from the world what the brand's uninstall
// destroys of a zone's dataset ds: its boot environments that name a
// parent boot environment, and ds with its ROOT when nothing else is
// left (pkg5 src/brand/ipkg/uninstall: the ROOT children whose parentbe
// is the running global zone's; destroy_zone_datasets()). A boot
// environment without parentbe, which a clone killed in the brand's
// hook leaves, stays, and so do ds and ROOT (see cloneSteps).
func (w *World) forgetUninstalled(ds string) {
	var orphans []string
	for _, fs := range w.Tree(ds + "/ROOT") {
		if path.Dir(fs) == ds+"/ROOT" && w.Datasets[fs].Value(propBEParent) == "" {
			orphans = append(orphans, fs)
		}
	}
	if len(orphans) == 0 {
		w.forgetTree(ds)
		return
	}
	for _, fs := range w.Tree(ds + "/ROOT") {
		if path.Dir(fs) == ds+"/ROOT" && !slices.Contains(orphans, fs) {
			w.forgetTree(fs)
		}
	}
}

// notCloneTree says why the tree at ds is not (only) what a zone's clone
// from snapshot origin makes ("" when it is): ds, ds/ROOT, and boot
// environments below ROOT cloned from origin, without snapshots.
func (w *World) notCloneTree(ds, origin string) string {
	var bad []string
	for _, n := range w.Tree(ds) {
		d := w.Datasets[n]
		for _, sn := range w.Snapshots(n) {
			bad = append(bad, sn.Name+" (a snapshot)")
		}
		switch rel := strings.TrimPrefix(n, ds); {
		case d.Props["type"] != "" && d.Props["type"] != "filesystem":
			bad = append(bad, n+" (a "+d.Props["type"]+")")
		case rel == "" || rel == "/ROOT":
		case path.Dir(rel) == "/ROOT" && d.Props["origin"] == origin:
		default:
			bad = append(bad, n)
		}
	}
	if len(bad) == 0 {
		return ""
	}
	sort.Strings(bad)
	return fmt.Sprintf("%s holds what a clone of %s does not make: %s", ds, origin, strings.Join(bad, ", "))
}

// notReceived says why the tree at g.Dataset is not (only) what a
// stream of g.Received with guid g.ReceivedGUID made, "" when it is.
func (f *facts) notReceived(g *Guard) string {
	snap := g.Dataset + "@" + g.Received
	switch guid, ok := f.guids[snap]; {
	case !f.w.Exists(snap):
		return fmt.Sprintf("%s was not received by this run: it has no snapshot %s", g.Dataset, g.Received)
	case !ok || guid != g.ReceivedGUID:
		return fmt.Sprintf("%s was not received by this run: its snapshot %s has guid %s, the stream's has %s", g.Dataset, g.Received, guid, g.ReceivedGUID)
	}
	var foreign []string
	for n, d := range f.w.Datasets {
		if strings.HasPrefix(n, g.Dataset+"/") && !strings.Contains(n, "@") && d.Props["type"] != "snapshot" && !f.w.Exists(n+"@"+g.Received) {
			foreign = append(foreign, n)
		}
	}
	if len(foreign) > 0 {
		sort.Strings(foreign)
		return fmt.Sprintf("%s holds datasets the stream did not make: %s", g.Dataset, strings.Join(foreign, ", "))
	}
	return ""
}

func madeBy(run string) string {
	switch {
	case run == "":
		return "made by nobody zonemgr knows"
	case strings.HasPrefix(run, "created:"):
		return "made " + strings.TrimPrefix(run, "created:")
	}
	return "made by run " + run
}

// ownZone reports whether z is the owner's zone, still the owner run's.
func (o owner) ownZone(z *Zone) bool {
	return o.zone != "" && z.Name == o.zone && o.run != "" && zoneRun(z) == o.run
}

// datasetUsers lists the zones (but the owner's) whose zonepath dataset
// is, holds or lies in ds, or that delegate ds, a dataset below it or
// one above it.
func (f *facts) datasetUsers(ds string, own owner) []string {
	ds, _, _ = strings.Cut(ds, "@")
	related := func(a string) bool {
		return a == ds || strings.HasPrefix(a, ds+"/") || strings.HasPrefix(ds, a+"/")
	}
	var out []string
	for _, name := range f.w.Order {
		z := f.w.Zones[name]
		if own.ownZone(z) {
			continue
		}
		used := false
		if zd, ok := f.w.ZoneDataset(z); ok && related(zd) {
			used = true
		}
		if z.Config != nil {
			for _, d := range z.Config.Datasets {
				if related(d.Name) {
					used = true
				}
			}
		}
		if used {
			out = append(out, z.Name)
		}
	}
	return out
}

// vnicUsers lists the zones (but the owner's) that configure a VNIC.
func (f *facts) vnicUsers(v string, own owner) []string {
	var out []string
	for _, name := range f.w.Order {
		z := f.w.Zones[name]
		if own.ownZone(z) {
			continue
		}
		if slices.Contains(zoneNets(z), v) {
			out = append(out, z.Name)
		}
	}
	return out
}

// applied updates the facts with the effect of a command that ran (or,
// as gc plans its replay, would run), for the commands undo and gc run.
func (f *facts) applied(argv []string) {
	if len(argv) < 2 {
		return
	}
	switch {
	case argv[0] == "zoneadm" && len(argv) >= 4 && argv[1] == "-z":
		z := f.w.Zones[argv[2]]
		if z == nil {
			return
		}
		switch argv[3] {
		case "halt", "unmount":
			z.State = "installed"
		case "boot":
			z.State = "running"
		case "ready":
			z.State = "ready"
		case "mount":
			z.State = "mounted"
		case "detach":
			z.State = "configured"
		case "uninstall":
			z.State = "configured"
			if ds, ok := f.w.ZoneDataset(z); ok {
				f.w.forgetUninstalled(ds)
			}
		}
	case argv[0] == "zonecfg" && len(argv) >= 4 && argv[1] == "-z" && argv[3] == "delete":
		delete(f.w.Zones, argv[2])
		f.w.Order = slices.DeleteFunc(f.w.Order, func(n string) bool { return n == argv[2] })
	case argv[0] == "zfs" && argv[1] == "release" && len(argv) >= 4 && f.holds != nil:
		snap, tag := argv[len(argv)-1], argv[len(argv)-2]
		f.holds[snap] = slices.DeleteFunc(f.holds[snap], func(t string) bool { return t == tag })
	case argv[0] == "dladm" && argv[1] == "delete-vnic" && f.vnics != nil:
		delete(f.vnics, argv[len(argv)-1])
	case argv[0] == "zfs" && argv[1] == "destroy":
		name := argv[len(argv)-1]
		recursive := slices.Contains(argv[2:len(argv)-1], "-r")
		for n := range f.w.Datasets {
			if n == name || recursive && (strings.HasPrefix(n, name+"/") || strings.HasPrefix(n, name+"@")) {
				delete(f.w.Datasets, n)
			}
		}
		if fs, snap, ok := strings.Cut(name, "@"); ok && recursive {
			for n := range f.w.Datasets {
				if strings.HasPrefix(n, fs+"/") && strings.HasSuffix(n, "@"+snap) {
					delete(f.w.Datasets, n)
				}
			}
		}
	}
}

// children lists the child datasets of a dataset, sorted.
func (w *World) children(ds string) []string {
	var out []string
	for n := range w.Datasets {
		if strings.HasPrefix(n, ds+"/") && !strings.Contains(strings.TrimPrefix(n, ds+"/"), "/") && !strings.Contains(n, "@") {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// known reports whether the world can tell that a dataset does not
// exist: it lies in a tree that was listed.
func (w *World) known(name string) bool {
	ds, _, _ := strings.Cut(name, "@")
	if w.listed(ds) {
		return true
	}
	for n := range w.learned {
		if ds == n || strings.HasPrefix(ds, n+"/") {
			return true
		}
	}
	return false
}
