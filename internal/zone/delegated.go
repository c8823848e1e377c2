package zone

import (
	"context"
	"strings"

	"github.com/zonemgr/zonemgr/internal/zfs"
)

// learnDelegated looks up, in one zfs list, the datasets to delegate
// that lie outside the datasets the world listed (the containers and the
// delegated parent), so that an existing one is only delegated: never
// created again, never recorded as zonemgr's, never destroyed with the
// zone; and the ancestors of every one, where missing datasets will be
// created.
func (h *Host) learnDelegated(ctx context.Context, w *World, names []string) error {
	var look []string
	for _, name := range names {
		if !under(name, h.containers(h.Settings.DelegatedParent)) {
			look = append(look, name)
		}
		// The ancestors up to the nearest one known, which the plan
		// creates missing datasets under (see learnAncestors).
		for _, a := range ancestors(name) {
			if w.Exists(a) {
				break
			}
			look = append(look, a)
		}
	}
	if err := w.lookUp(ctx, h.Runner, look); err != nil {
		return optErr(FieldDatasets, "%s: %w", strings.Join(names, ", "), err)
	}
	return nil
}

// checkDelegable refuses an existing dataset that zoneadm would refuse to
// delegate: one whose mountpoint is inherited (zoneadm/zfs.c
// verify_datasets(): "mountpoint cannot be inherited"; the zone sets its
// delegated datasets' mountpoints itself), before anything is changed.
func (h *Host) checkDelegable(ctx context.Context, name string) error {
	_, source, err := zfs.GetProperty(ctx, h.Runner, name, "mountpoint")
	if err != nil {
		return optErr(FieldDatasets, "%s: %w", name, err)
	}
	if strings.HasPrefix(source, "inherited") {
		return optErr(FieldDatasets, "%s: its mountpoint is %s, and zoneadm refuses to delegate a dataset whose mountpoint is inherited; give it one of its own first (zfs set mountpoint=legacy %s)", name, source, name)
	}
	return nil
}
