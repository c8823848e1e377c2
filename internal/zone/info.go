package zone

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// An InfoQuery filters the zones zone_info reports.
type InfoQuery struct {
	Name   string // a glob ("" : every zone)
	Role   string // "giz", "diz", "any" ("" : any)
	State  string // a zoneadm state ("" : any)
	Verify bool   // also run zoneadm verify for the single named zone
}

// ZoneInfo describes one managed zone.
type ZoneInfo struct {
	Name     string         `json:"name"`
	Role     string         `json:"role"`
	State    string         `json:"state"`
	Brand    string         `json:"brand"`
	Zonepath string         `json:"zonepath"`
	Dataset  string         `json:"dataset"`
	GIZ      string         `json:"giz,omitempty"`
	Snapshot string         `json:"snapshot,omitempty"`
	Origin   string         `json:"origin"`
	Created  string         `json:"created"`
	VNICs    []string       `json:"vnics"`
	Datasets []string       `json:"datasets"`
	Mounts   []string       `json:"mounts"`
	Snaps    []SnapshotInfo `json:"snapshots,omitempty"`
}

// Orphans are leftovers zonemgr made that no zone owns any more.
type Orphans struct {
	VNICs     []string `json:"vnics"`     // auto VNICs of no configured zone
	Datasets  []string `json:"datasets"`  // zone datasets under the containers with no zone
	Snapshots []string `json:"snapshots"` // per-clone origin snapshots with no clone
	Zones     []string `json:"zones"`     // managed zones left configured or incomplete
	Journals  []string `json:"journals"`  // journals of runs that did not finish
}

// Info is what zone_info reports.
type Info struct {
	Zones   []ZoneInfo `json:"zones"`
	Orphans Orphans    `json:"orphans"`
	// For a single named zone: whether it exists, is managed, its role
	// and state.
	Exists  bool   `json:"exists"`
	Managed bool   `json:"managed"`
	Role    string `json:"role"`
	State   string `json:"state"`
	Verify  string `json:"verify,omitempty"`
	// Verified is set with Verify: whether zoneadm verify passed.
	Verified *bool `json:"verified,omitempty"`
}

// GatherInfo reads everything zonemgr manages with three processes,
// whatever the number of zones: zoneadm list, one zfs list and one
// dladm show-vnic.
func (h *Host) GatherInfo(ctx context.Context, q InfoQuery) (*Info, error) {
	switch q.Role {
	case "", "any", "giz", "diz":
	default:
		return nil, fmt.Errorf("role: %q is not one of: giz, diz, any", q.Role)
	}
	if _, err := path.Match(q.Name, ""); err != nil {
		return nil, fmt.Errorf("name: %q is not a valid glob: %v", q.Name, err)
	}
	w, err := h.Observe(ctx, h.containers(h.Settings.DelegatedParent)...)
	if err != nil {
		return nil, err
	}
	vnics, err := h.vnics(ctx)
	if err != nil {
		return nil, err
	}
	info := &Info{Zones: []ZoneInfo{}}
	single := q.Name != "" && !strings.ContainsAny(q.Name, "*?[")
	if single {
		if z := w.Zones[q.Name]; z != nil {
			info.Exists, info.Managed, info.Role, info.State = true, z.Managed(), z.Role(), z.State
		}
	}
	referenced := map[string]bool{}
	zoneDatasets := map[string]bool{}
	for _, name := range w.Order {
		z := w.Zones[name]
		for _, n := range zoneNets(z) {
			referenced[n] = true
		}
		if ds, ok := w.ZoneDataset(z); ok {
			zoneDatasets[ds] = true
		}
		if !z.Managed() {
			continue
		}
		if z.State == "configured" || z.State == "incomplete" {
			info.Orphans.Zones = append(info.Orphans.Zones, z.Name)
		}
		if q.Name != "" {
			if ok, _ := path.Match(q.Name, z.Name); !ok {
				continue
			}
		}
		if q.Role != "" && q.Role != "any" && z.Role() != q.Role {
			continue
		}
		if q.State != "" && z.State != q.State {
			continue
		}
		info.Zones = append(info.Zones, describeZone(w, z))
	}
	info.Orphans = findOrphans(h, w, vnics, referenced, zoneDatasets, info.Orphans.Zones)
	if q.Verify && single && info.Exists {
		_, err := h.Runner.Run(ctx, illumos.Cmd{Argv: []string{"zoneadm", "-z", q.Name, "verify"}})
		ok := err == nil
		info.Verified = &ok
		if err != nil {
			info.Verify = err.Error()
		} else {
			info.Verify = "ok"
		}
	}
	return info, nil
}

func zoneNets(z *Zone) []string {
	var out []string
	if z.Config != nil {
		for _, n := range z.Config.Nets {
			out = append(out, n.Physical)
		}
	}
	return out
}

func describeZone(w *World, z *Zone) ZoneInfo {
	zi := ZoneInfo{
		Name: z.Name, Role: z.Role(), State: z.State, Brand: z.Brand, Zonepath: z.Zonepath,
		Origin: z.Attr(AttrOrigin), Created: z.Attr(AttrCreated), Snapshot: z.Attr(AttrSnapshot),
		VNICs: []string{}, Datasets: []string{}, Mounts: []string{},
	}
	if strings.HasPrefix(zi.Origin, "giz:") {
		zi.GIZ = strings.TrimPrefix(zi.Origin, "giz:")
	}
	if ds, ok := w.ZoneDataset(z); ok {
		zi.Dataset = ds
	}
	if z.Config != nil {
		zi.VNICs = append(zi.VNICs, zoneNets(z)...)
		for _, d := range z.Config.Datasets {
			zi.Datasets = append(zi.Datasets, d.Name)
		}
		for _, f := range z.Config.FS {
			zi.Mounts = append(zi.Mounts, f.Dir+"|"+f.Special+"|"+f.Type)
		}
	}
	zi.Snaps = ListSnapshots(w, z)
	return zi
}

// findOrphans lists what zonemgr made that no zone owns: automatic VNICs
// no zone configures, zone datasets under the containers with no zone,
// per-clone origin snapshots (<giz zbe>@<zone>_snap) with no clone, and
// journals of runs that did not finish.
func findOrphans(h *Host, w *World, vnics, referenced, zoneDatasets map[string]bool, zones []string) Orphans {
	o := Orphans{VNICs: []string{}, Datasets: []string{}, Snapshots: []string{}, Zones: zones, Journals: []string{}}
	if o.Zones == nil {
		o.Zones = []string{}
	}
	for v := range vnics {
		if (strings.HasPrefix(v, "autodiz") || strings.HasPrefix(v, "autogiz")) && !referenced[v] {
			o.VNICs = append(o.VNICs, v)
		}
	}
	for _, c := range []string{h.Settings.GIZContainer, h.Settings.DIZContainer} {
		for name, d := range w.Datasets {
			if d.Props["type"] == "snapshot" || !strings.HasPrefix(name, c+"/") || strings.Contains(strings.TrimPrefix(name, c+"/"), "/") {
				continue
			}
			if !zoneDatasets[name] {
				o.Datasets = append(o.Datasets, name)
			}
		}
	}
	for name, d := range w.Datasets {
		if d.Props["type"] != "snapshot" {
			continue
		}
		_, snap, _ := strings.Cut(name, "@")
		if strings.Contains(snap, "_snap") && !IsZonemgrSnapshot(snap) && len(w.Clones(name)) == 0 {
			o.Snapshots = append(o.Snapshots, name)
		}
	}
	if js, err := listJournals(h.stateDir("journal")); err == nil {
		o.Journals = js
	}
	sort.Strings(o.VNICs)
	sort.Strings(o.Datasets)
	sort.Strings(o.Snapshots)
	return o
}
