package modules

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/zone"
)

// ZoneInfo is the zone_info module: facts about what zonemgr manages.
var ZoneInfo = &ansible.Module{
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
	Run: func(ctx context.Context, p *ansible.Params) (*ansible.Result, error) {
		r, err := newRun(ctx, "zone_info", p)
		if err != nil {
			return nil, err
		}
		info, err := r.host.GatherInfo(ctx, zone.InfoQuery{Name: p.Str("name"), Role: p.Str("role"), State: p.Str("state"), Verify: p.Bool("verify")})
		if err != nil {
			return r.result(p, nil, err)
		}
		// The result's values are the Info fields, as JSON would name
		// them, each kept as its encoded JSON: with thousands of zones,
		// decoding them into maps only to encode them again costs more
		// than all the rest.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // as the result itself is encoded
		if err := enc.Encode(info); err != nil {
			return nil, fmt.Errorf("zone_info: encode the facts: %w", err)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(buf.Bytes(), &fields); err != nil {
			return nil, fmt.Errorf("zone_info: encode the facts: %w", err)
		}
		values := make(map[string]any, len(fields))
		for k, v := range fields {
			values[k] = v
		}
		res := &ansible.Result{Values: values, Warnings: r.warnings}
		res.Msg = plural(len(info.Zones), "managed zone")
		return res, nil
	},
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return itoa(n) + " " + what + "s"
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
