package zones

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
)

// maxZoneID bounds the simulated zone id space (illumos: MAX_ZONEID).
const maxZoneID = 9999

// A KernelZone is a zone the simulated kernel knows: one that is ready,
// running or mounted. Persistent states live in the index; these do not
// survive a reboot of the global zone, exactly like the real ones.
type KernelZone struct {
	ID    int    `json:"id"`
	State string `json:"state"` // "ready", "running" or "mounted"
	// Seq orders zones as zone_list(2) returns them (creation order).
	Seq int64 `json:"seq"`
	// Booted is when the zone last went to running.
	Booted time.Time `json:"booted,omitempty"`
	// SingleUser records boot -s.
	SingleUser bool `json:"single_user,omitempty"`
	// Pids are the process groups zlogin sessions started in the zone.
	Pids []int `json:"pids,omitempty"`
	// VNICs are the links assigned to the zone at boot.
	VNICs []string `json:"vnics,omitempty"`
	// Mounts are the real directories where the zone's lofs file
	// systems are bind-mounted, in mount order.
	Mounts []string `json:"mounts,omitempty"`
}

// A Kernel is the simulated kernel's zone table.
type Kernel struct {
	LastID int                    `json:"last_id"`
	Seq    int64                  `json:"seq"`
	Zones  map[string]*KernelZone `json:"zones"`
}

// kernelPath is where the kernel zone table lives.
func kernelPath(root string) string {
	return filepath.Join(root, core.SimDir, "zones-kernel.json")
}

// ReadKernel loads the kernel zone table of a sim root.
func ReadKernel(root string) (*Kernel, error) {
	k := &Kernel{Zones: map[string]*KernelZone{}}
	b, err := os.ReadFile(kernelPath(root))
	if errors.Is(err, os.ErrNotExist) {
		return k, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read kernel zone table: %w", err)
	}
	if err := json.Unmarshal(b, k); err != nil {
		return nil, fmt.Errorf("read kernel zone table: %w", err)
	}
	if k.Zones == nil {
		k.Zones = map[string]*KernelZone{}
	}
	return k, nil
}

// Write saves the kernel zone table atomically; the caller holds the lock.
func (k *Kernel) Write(root string) error {
	b, err := json.MarshalIndent(k, "", " ")
	if err != nil {
		return fmt.Errorf("write kernel zone table: %w", err)
	}
	if err := core.WriteFileAtomic(kernelPath(root), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write kernel zone table: %w", err)
	}
	return nil
}

// Enter puts a zone into the kernel in the given state with a fresh zone
// id. Ids are handed out next-fit, as the illumos id space does: the next
// free id after the last one given, wrapping at the top.
func (k *Kernel) Enter(name, state string) *KernelZone {
	used := map[int]bool{}
	for _, z := range k.Zones {
		used[z.ID] = true
	}
	id := k.LastID
	for {
		id++
		if id > maxZoneID {
			id = 1
		}
		if !used[id] {
			break
		}
	}
	k.LastID = id
	k.Seq++
	z := &KernelZone{ID: id, State: state, Seq: k.Seq}
	k.Zones[name] = z
	return z
}

// Leave removes a zone from the kernel.
func (k *Kernel) Leave(name string) { delete(k.Zones, name) }

// Ordered returns the kernel zones' names in zone_list(2) order.
func (k *Kernel) Ordered() []string {
	names := make([]string, 0, len(k.Zones))
	for n := range k.Zones {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return k.Zones[names[i]].Seq < k.Zones[names[j]].Seq })
	return names
}

// A ZoneStatus is what zone_get_state() and friends report for a zone.
type ZoneStatus struct {
	Entry  IndexEntry
	State  int
	ID     int // -1 when not in the kernel
	Kernel *KernelZone
}

// statusOf combines the index entry and the kernel table.
func statusOf(e IndexEntry, k *Kernel) ZoneStatus {
	s := ZoneStatus{Entry: e, State: e.State, ID: -1}
	if e.Name == "global" {
		s.State, s.ID = StateRunning, 0
		return s
	}
	if kz, ok := k.Zones[e.Name]; ok {
		s.Kernel = kz
		s.ID = kz.ID
		s.State = stateFromString(kz.State)
	}
	return s
}

// zoneStatus returns the status of one zone; ok is false when the zone is
// not configured.
func zoneStatus(root, zone string) (ZoneStatus, bool, error) {
	ix, err := ReadIndex(root)
	if err != nil {
		return ZoneStatus{}, false, err
	}
	e, ok := ix.Lookup(zone)
	if !ok {
		return ZoneStatus{}, false, nil
	}
	k, err := ReadKernel(root)
	if err != nil {
		return ZoneStatus{}, false, err
	}
	return statusOf(*e, k), true, nil
}
