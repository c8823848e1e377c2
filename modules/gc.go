package modules

import (
	"context"
	"fmt"
	"time"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/zone"
)

// ZoneGC returns the zone_gc module: it removes what crashed runs left behind.
func ZoneGC() *Definition {
	return &Definition{
		Spec: ansible.Spec{
			Module: "zone_gc",
			Description: "Finishes the work of zonemgr runs that were killed: a run is gone when the lock it held on its journal can be taken (the kernel releases it at the run's death). Each such journal is replayed, newest first, under its zone's lock: a destroy (or an exec-diz's disposable zone) is finished while the zone is still the one that run worked on, then the run's undo commands run, newest first, each only while what it removes is still that run's (its zonemgr.run attribute or zonemgr:run property, and no other zone uses it). " +
				"Nothing that no journal records is removed: detached golden zones, snapshots and VNICs zonemgr did not record are left alone, and look-alikes are listed under found.unrecorded. Check mode only reports. Fails, keeping the journal and saying what is left, when a command fails or a journal cannot be replayed. " +
				"With unused_goldens, it then evicts the golden zones built on demand (for zone_diz or zone_exec packages) that no zone was cloned from for that long and that no zone depends on; a golden zone made by hand, or named by the request that built it, or named since by zone_giz, is never evicted.",
			Options: []ansible.Option{
				{Name: "unused_goldens", Description: "Evict golden zones built on demand unused for this long: 30d, 2w, 36h, 90m (0s: every one no zone depends on). Default: none are evicted."},
			},
			SupportsCheckMode: true,
		},
		run: func(ctx context.Context, c *Caller, p *ansible.Params) (*ansible.Result, error) {
			var unused *time.Duration
			if p.IsSet("unused_goldens") {
				d, err := zone.ParseAge(p.Str("unused_goldens"))
				if err != nil {
					return nil, fmt.Errorf("unused_goldens: %w", err)
				}
				unused = &d
			}
			return c.GC(ctx, mode(p), unused).Result(nil)
		},
	}
}
