package modules

import (
	"context"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/zone"
)

// ZoneSnapshot returns the zone_snapshot module: snapshots of a managed zone.
func ZoneSnapshot() *Definition {
	return &Definition{
		Spec: ansible.Spec{
			Module:      "zone_snapshot",
			Description: "Snapshots of a managed zone: its whole dataset tree and delegated datasets in one atomic zfs snapshot, with the zone configuration saved beside them; rollback and removal that never destroy a clone.",
			Options: []ansible.Option{
				{Name: "zone", Required: true, Description: "The managed zone."},
				{Name: "name", Aliases: []string{"snapshot", "snapname"}, Description: "Snapshot name (the part after '@'). Default for state=present: autozone-<UTC yyyymmddThhmmssZ>; for state=rolledback: the newest snapshot; required for state=absent."},
				{Name: "state", Default: "present", Choices: zone.SnapshotStates, Description: "present: taken (nothing happens when it exists); absent: destroyed (refused while clones depend on it); rolledback: every dataset of the set rolled back to it."},
				{Name: "force", Type: ansible.TypeBool, Default: false, Description: "With state=rolledback: destroy newer snapshots (never ones that clones depend on)."},
			},
			SupportsCheckMode: true,
		},
		run: func(ctx context.Context, c *Caller, p *ansible.Params) (*ansible.Result, error) {
			if err := nonEmpty(p, "name"); err != nil {
				return nil, err
			}
			spec := zone.SnapshotSpec{Zone: p.Str("zone"), Name: p.Str("name"), State: p.Str("state"), Force: p.Bool("force")}
			return c.Snapshot(ctx, mode(p), spec).Result(nil)
		},
	}
}
