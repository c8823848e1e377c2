package zone

import (
	"context"
	"path"
	"strconv"
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
	// Size is the bytes the zone's dataset tree uses (zfs used).
	Size int64 `json:"size"`
	// OnDemand, for a golden zone built on demand, is the request that
	// built it; LastUsed its last use (RFC 3339), which gc
	// --unused-goldens evicts it by.
	OnDemand string `json:"on_demand,omitempty"`
	LastUsed string `json:"last_used,omitempty"`
	// Content is what a golden zone made by content holds (its
	// recorded zonemgr.content, one "key=value" per part).
	Content []string `json:"content,omitempty"`
}

// Orphans are what killed zonemgr runs left unfinished: their journals,
// and what gc, replaying them, would remove. Unrecorded lists what looks
// like such a leftover but is recorded by no journal: gc never removes
// it.
type Orphans struct {
	Journals   []string `json:"journals"`   // journals of runs that are gone
	Zones      []string `json:"zones"`      // zones gc would remove
	VNICs      []string `json:"vnics"`      // VNICs gc would delete
	Datasets   []string `json:"datasets"`   // datasets gc would destroy
	Snapshots  []string `json:"snapshots"`  // snapshots gc would destroy
	Unrecorded []string `json:"unrecorded"` // look-alikes, for a look by hand
}

func emptyOrphans() Orphans {
	return Orphans{Journals: []string{}, Zones: []string{}, VNICs: []string{}, Datasets: []string{}, Snapshots: []string{}, Unrecorded: []string{}}
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
		return nil, optErr(FieldRole, "%q is not one of: giz, diz, any", q.Role)
	}
	if _, err := path.Match(q.Name, ""); err != nil {
		return nil, optErr(FieldName, "%q is not a valid glob: %v", q.Name, err)
	}
	scan, err := scanJournals(h.journalDir(), false)
	if err != nil {
		return nil, err
	}
	// A listing only reads the journals: the locks that told killed
	// runs' journals from live runs' are released at once, or a gc that
	// runs meanwhile would take those journals for live runs' and leave
	// them.
	scan.Close()
	f, err := h.readFacts(ctx, scanGuards(scan))
	if err != nil {
		return nil, err
	}
	w := f.w
	info := &Info{Zones: []ZoneInfo{}}
	single := q.Name != "" && !strings.ContainsAny(q.Name, "*?[")
	if single {
		if z := w.Zones[q.Name]; z != nil {
			info.Exists, info.Managed, info.Role, info.State = true, z.Managed(), z.Role(), z.State
		}
	}
	for _, name := range w.Order {
		z := w.Zones[name]
		if !z.Managed() {
			continue
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
	if info.Orphans, err = h.orphansOf(ctx, f, scan); err != nil {
		return nil, err
	}
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
		zi.Size, _ = strconv.ParseInt(w.Datasets[ds].Value("used"), 10, 64)
	}
	if c, ok := recordedContent(z); ok {
		zi.Content = strings.Split(c, "\n")
	}
	if zi.OnDemand = z.Attr(AttrOnDemand); zi.OnDemand != "" {
		zi.LastUsed = Stamp(lastUsed(w, z))
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
