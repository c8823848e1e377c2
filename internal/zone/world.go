package zone

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zfs"
)

// A Zone is one configured zone as zonemgr sees it: its state from
// zoneadm, its configuration from /etc/zones, and its role.
type Zone struct {
	Name     string
	State    string
	Zonepath string
	Brand    string
	UUID     string
	Config   *illumos.ZoneConfig
}

// Attr returns a configuration attribute's value.
func (z *Zone) Attr(name string) string {
	if z.Config == nil {
		return ""
	}
	for _, a := range z.Config.Attrs {
		if a.Name == name {
			return a.Value
		}
	}
	return ""
}

// Managed reports whether the zone carries any zonemgr.* attribute. Only
// managed zones are ever modified or destroyed.
func (z *Zone) Managed() bool {
	if z.Config == nil {
		return false
	}
	for _, a := range z.Config.Attrs {
		if strings.HasPrefix(a.Name, "zonemgr.") {
			return true
		}
	}
	return false
}

// Role returns "giz", "diz" or "" for a zone that is not ours.
func (z *Zone) Role() string {
	if !z.Managed() {
		return ""
	}
	return z.Attr(AttrRole)
}

// InKernel reports whether the zone is booted, ready or mounted.
func (z *Zone) InKernel() bool {
	switch z.State {
	case "ready", "running", "shutting_down", "down", "mounted":
		return true
	}
	return false
}

// A World is one consistent reading of the global zone: every zone, and
// every dataset and snapshot under zonemgr's containers. It costs two
// processes whatever the number of zones: `zoneadm list -cp` and one
// `zfs list`; configurations are read from /etc/zones directly.
type World struct {
	Zones    map[string]*Zone
	Order    []string // zone names in zoneadm's order
	Datasets map[string]zfs.Dataset
	// Containers maps the GIZ and DIZ container dataset names to their
	// mountpoints ("" when the container does not exist yet).
	Containers map[string]string

	// Indexes over Datasets, built on first use and again whenever the
	// number of datasets changed: snapshots by dataset (creation order)
	// and clones by origin, so that listings are linear in their size.
	indexedN   int
	snapsByDS  map[string][]zfs.Dataset
	clonesByOr map[string][]string
	fsSorted   []string // filesystems and volumes, sorted

	// learned are the dataset trees outside the containers that were
	// listed too (see learnTrees).
	learned map[string]bool
	// looked are the single datasets looked up (see lookUp), whether or
	// not they exist.
	looked map[string]bool
}

// index builds the indexes over Datasets when they are missing or stale.
func (w *World) index() {
	if w.snapsByDS != nil && w.indexedN == len(w.Datasets) {
		return
	}
	w.snapsByDS = map[string][]zfs.Dataset{}
	w.clonesByOr = map[string][]string{}
	w.fsSorted = w.fsSorted[:0]
	for name, d := range w.Datasets {
		if ds, _, ok := strings.Cut(name, "@"); ok {
			w.snapsByDS[ds] = append(w.snapsByDS[ds], d)
		} else {
			w.fsSorted = append(w.fsSorted, name)
		}
		if o := d.Props["origin"]; o != "" && o != "-" {
			w.clonesByOr[o] = append(w.clonesByOr[o], name)
		}
	}
	for _, l := range w.snapsByDS {
		sortByCreation(l)
	}
	for _, l := range w.clonesByOr {
		sort.Strings(l)
	}
	sort.Strings(w.fsSorted)
	w.indexedN = len(w.Datasets)
}

// Tree returns the filesystems at or below root, sorted.
func (w *World) Tree(root string) []string {
	w.index()
	i := sort.SearchStrings(w.fsSorted, root)
	var out []string
	for ; i < len(w.fsSorted); i++ {
		n := w.fsSorted[i]
		if n != root && !strings.HasPrefix(n, root+"/") {
			if n > root+"/" {
				break
			}
			continue
		}
		out = append(out, n)
	}
	return out
}

// datasetProps are the columns of the one zfs listing a World reads.
var datasetProps = []string{"type", "origin", "mountpoint", "creation", "createtxg", "used", "userrefs", PropRun, PropUsed, propBEActive, propBEParent}

// The ipkg brand's boot environment properties (pkg5
// src/brand/ipkg/common.ksh: PROP_ACTIVE, PROP_PARENT), and the global
// zone boot environment's id (libbe).
const (
	propBEActive = "org.opensolaris.libbe:active"
	propBEParent = "org.opensolaris.libbe:parentbe"
	propBEUUID   = "org.opensolaris.libbe:uuid"
)

// activeBE returns a zone's active boot environment, as the ipkg brand's
// get_active_ds() (pkg5 src/brand/ipkg/common.ksh) finds the dataset its
// clone hook clones and its boot mounts: the filesystem directly under
// <zone dataset>/ROOT whose org.opensolaris.libbe:active is on and whose
// org.opensolaris.libbe:parentbe is the global zone's boot environment.
// The global zone's is read (one zfs list) only when more than one is
// active, as after a global-zone upgrade.
func (h *Host) activeBE(ctx context.Context, w *World, zoneDS string) (string, error) {
	var active []string
	for _, fs := range w.Tree(zoneDS + "/ROOT") {
		if path.Dir(fs) == zoneDS+"/ROOT" && w.Datasets[fs].Value(propBEActive) == "on" {
			active = append(active, fs)
		}
	}
	switch len(active) {
	case 0:
		return "", fmt.Errorf("%s has no active boot environment (no dataset under %s/ROOT with %s=on)", zoneDS, zoneDS, propBEActive)
	case 1:
		return active[0], nil
	}
	gzbe, err := h.globalBE(ctx, strings.SplitN(zoneDS, "/", 2)[0])
	if err != nil {
		return "", err
	}
	var mine []string
	for _, be := range active {
		if w.Datasets[be].Value(propBEParent) == gzbe {
			mine = append(mine, be)
		}
	}
	if len(mine) != 1 {
		return "", fmt.Errorf("%s: %d boot environments are active for the global zone's (%s): %s; the brand needs exactly one", zoneDS, len(mine), gzbe, strings.Join(active, ", "))
	}
	return mine[0], nil
}

// globalBE returns the id (org.opensolaris.libbe:uuid) of the global
// zone's boot environment: the dataset under <pool>/ROOT mounted on "/",
// as beadm list reports the active one. "opensolaris" without one, as
// the brand's get_current_gzbe() does on a system without beadm.
func (h *Host) globalBE(ctx context.Context, pool string) (string, error) {
	ds, err := zfs.List(ctx, h.Runner, zfs.ListOptions{Types: []string{"filesystem"}, Depth: 1, Props: []string{"mountpoint", "mounted", propBEUUID}, Names: []string{pool + "/ROOT"}})
	if err != nil && !errors.Is(err, zfs.ErrNotExist) {
		return "", fmt.Errorf("find the global zone's boot environment: %w", err)
	}
	for _, d := range ds {
		if d.Value("mountpoint") == "/" && d.Value("mounted") == "yes" && d.Value(propBEUUID) != "" {
			return d.Value(propBEUUID), nil
		}
	}
	return "opensolaris", nil
}

// Observe reads the world. containers are the dataset trees to list
// (GIZ, DIZ and the delegated parent); missing ones are fine.
func (h *Host) Observe(ctx context.Context, containers ...string) (*World, error) {
	w := &World{Zones: map[string]*Zone{}, Datasets: map[string]zfs.Dataset{}, Containers: map[string]string{}}
	res, err := h.Runner.Run(ctx, illumos.Cmd{Argv: []string{"zoneadm", "list", "-cp"}})
	if err != nil {
		return nil, fmt.Errorf("list zones: %w", err)
	}
	entries, err := illumos.ParseZoneList(res.Stdout)
	if err != nil {
		return nil, fmt.Errorf("list zones: %w", err)
	}
	_, configs, err := illumos.ReadZones(h.Root)
	if err != nil {
		return nil, fmt.Errorf("read zone configurations: %w", err)
	}
	for _, e := range entries {
		if e.Name == "global" {
			continue
		}
		w.Zones[e.Name] = &Zone{Name: e.Name, State: e.State, Zonepath: e.Zonepath, Brand: e.Brand, UUID: e.UUID, Config: configs[e.Name]}
		w.Order = append(w.Order, e.Name)
	}
	if err := w.listDatasets(ctx, h.Runner, containers); err != nil {
		return nil, err
	}
	return w, nil
}

// listDatasets lists every filesystem and snapshot under the existing
// containers in one zfs call. A missing container is not an error: it is
// created when first needed.
func (w *World) listDatasets(ctx context.Context, r illumos.Runner, containers []string) error {
	var names []string
	seen := map[string]bool{}
	for _, c := range containers {
		if c == "" || seen[c] {
			continue
		}
		seen[c] = true
		names = append(names, c)
	}
	if len(names) == 0 {
		return nil
	}
	ds, err := zfs.List(ctx, r, zfs.ListOptions{Types: []string{"filesystem", "volume", "snapshot"}, Recursive: true, Props: datasetProps, Names: names})
	if err != nil && !errors.Is(err, zfs.ErrNotExist) {
		return fmt.Errorf("list datasets: %w", err)
	}
	// A missing container is listed as absent; the rest are listed all
	// the same, as zfs lists every operand it can open.
	for _, d := range ds {
		w.Datasets[d.Name] = d
	}
	for _, n := range names {
		if d, ok := w.Datasets[n]; ok {
			w.Containers[n] = d.Props["mountpoint"]
		} else {
			w.Containers[n] = ""
		}
	}
	return nil
}

// learnAncestors finds the nearest existing ancestor of a missing
// dataset (reads, and only when something is to be created under it),
// so that creation plans know where to start and where the new datasets
// will be mounted.
func (w *World) learnAncestors(ctx context.Context, r illumos.Runner, name string) error {
	anc := ancestors(name)
	if slices.ContainsFunc(anc, w.Exists) {
		return nil
	}
	if err := w.lookUp(ctx, r, anc); err != nil {
		return err
	}
	if slices.ContainsFunc(anc, w.Exists) {
		return nil
	}
	pool, _, _ := strings.Cut(name, "/")
	return fmt.Errorf("pool %s does not exist", pool)
}

// ancestors returns a dataset's ancestors, the nearest first.
func ancestors(name string) []string {
	var out []string
	for i := strings.LastIndex(name, "/"); i > 0; i = strings.LastIndex(name[:i], "/") {
		out = append(out, name[:i])
	}
	return out
}

// lookUp lists, in one zfs list (not recursive), the datasets named
// that the world has neither seen nor looked up yet. A missing one is
// fine, and remembered as looked up, so that it is not asked again.
func (w *World) lookUp(ctx context.Context, r illumos.Runner, names []string) error {
	var want []string
	for _, n := range names {
		if n != "" && !w.Exists(n) && !w.looked[n] {
			want = append(want, n)
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	if len(want) == 0 {
		return nil
	}
	ds, err := zfs.List(ctx, r, zfs.ListOptions{Props: datasetProps, Names: want})
	if err != nil && !errors.Is(err, zfs.ErrNotExist) {
		return fmt.Errorf("list datasets: %w", err)
	}
	for _, d := range ds {
		w.Datasets[d.Name] = d
	}
	if w.looked == nil {
		w.looked = map[string]bool{}
	}
	for _, n := range want {
		w.looked[n] = true
	}
	return nil
}

// Exists reports whether a dataset or snapshot was seen.
func (w *World) Exists(name string) bool { _, ok := w.Datasets[name]; return ok }

// Snapshots returns the snapshots of one dataset, oldest first.
func (w *World) Snapshots(dataset string) []zfs.Dataset {
	w.index()
	return append([]zfs.Dataset(nil), w.snapsByDS[dataset]...)
}

// sortByCreation orders snapshots by creation: the transaction group,
// which, unlike the creation time in seconds, tells apart snapshots
// taken in the same second.
func sortByCreation(out []zfs.Dataset) {
	sort.Slice(out, func(i, j int) bool {
		ti, _ := strconv.ParseInt(out[i].Props["createtxg"], 10, 64)
		tj, _ := strconv.ParseInt(out[j].Props["createtxg"], 10, 64)
		if ti != tj {
			return ti < tj
		}
		return out[i].Name < out[j].Name
	})
}

// Clones returns the datasets whose origin is snap, sorted.
func (w *World) Clones(snap string) []string {
	w.index()
	return append([]string(nil), w.clonesByOr[snap]...)
}

// ZoneDataset returns the dataset holding a zone's zonepath, found by the
// zonepath's parent being a container's mountpoint.
func (w *World) ZoneDataset(z *Zone) (string, bool) {
	for c, mp := range w.Containers {
		if mp != "" && path.Dir(z.Zonepath) == mp {
			ds := c + "/" + path.Base(z.Zonepath)
			if w.Exists(ds) {
				return ds, true
			}
		}
	}
	return "", false
}
