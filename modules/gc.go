package modules

import (
	"context"
	"encoding/json"

	"github.com/zonemgr/zonemgr/internal/ansible"
)

// ZoneGC is the zone_gc module: it removes what crashed runs left behind.
var ZoneGC = &ansible.Module{
	Spec: ansible.Spec{
		Module: "zone_gc",
		Description: "Removes what killed zonemgr runs left behind: replays the journals of runs whose process is gone (their undo commands, newest first), then removes managed zones left configured or incomplete, automatic VNICs (autodiz*, autogiz*) no zone configures, zone datasets under the containers with no zone, and per-clone origin snapshots with no clone. " +
			"Never touches zones without zonemgr.* attributes, datasets outside the containers, other VNICs, or anything a running operation holds. Check mode only reports. Fails, keeping the journals, when leftovers remain.",
		SupportsCheckMode: true,
	},
	Run: func(ctx context.Context, p *ansible.Params) (*ansible.Result, error) {
		r, err := newRun(ctx, p)
		if err != nil {
			return nil, err
		}
		rep, out, err := r.host.GC(ctx)
		res, rerr := r.result(p, out, err)
		if rerr != nil || rep == nil {
			return res, rerr
		}
		// The report's fields, as JSON names them: found, commands,
		// skipped, undo_failed, left.
		var values map[string]any
		b, err := json.Marshal(rep)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &values); err != nil {
			return nil, err
		}
		for k, v := range values {
			res.Values[k] = v
		}
		return res, nil
	},
}
