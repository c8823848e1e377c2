package modules

import (
	"context"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/zone"
)

// ZoneInfo returns the zone_info module: facts about what zonemgr manages.
func ZoneInfo() *Definition {
	return &Definition{
		Spec: ansible.Spec{
			Module:      "zone_info",
			Description: "Facts about the zones zonemgr manages, their snapshots and dependents, what killed runs left for zone_gc (orphans; with the look-alikes no journal records under orphans.unrecorded), read with a number of processes that does not depend on the number of zones. Never changes anything.",
			Options: []ansible.Option{
				{Name: "name", Aliases: []string{"zone"}, Description: "A zone name or a glob. With a single name the result also says whether the zone exists, is managed, its role and state."},
				{Name: "role", Default: "any", Choices: []string{"giz", "diz", "any"}, Description: "Only golden-image zones, only disposable zones, or both."},
				{Name: "state", Description: "Only zones in this zoneadm state (configured, incomplete, installed, ready, running, mounted, ...)."},
				{Name: "verify", Type: ansible.TypeBool, Default: false, Description: "With a single name: also run zoneadm verify and return its verdict as verify."},
			},
			SupportsCheckMode: true,
		},
		run: func(ctx context.Context, c *Caller, p *ansible.Params) (*ansible.Result, error) {
			q := zone.InfoQuery{Name: p.Str("name"), Role: p.Str("role"), State: p.Str("state"), Verify: p.Bool("verify")}
			return c.Info(ctx, q).Result(nil)
		},
	}
}
