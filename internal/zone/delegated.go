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
		if err := h.checkDelegateScope(w, name); err != nil {
			return err
		}
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

// checkDelegateScope refuses to delegate a dataset that would give the
// zone what is not its own: a zone's delegated dataset is "zoned" and
// wholly the zone's, its descendants included (zoneadmd sets zoned=on;
// the zone's root user creates, mounts and destroys below it). So it must
// not hold zonemgr's containers, any zone's dataset, or the global zone's
// boot environments (libbe's container <pool>/ROOT, illumos-gate
// usr/src/lib/libbe/common/be_utils.c be_make_container_ds(),
// BE_CONTAINER_DS_NAME), and must not lie in the containers of zones'
// own datasets.
func (h *Host) checkDelegateScope(w *World, name string) error {
	holds := func(ds string) bool { return name == ds || strings.HasPrefix(ds, name+"/") }
	for _, c := range h.containers(h.Settings.DelegatedParent) {
		if c != "" && holds(c) {
			return optErr(FieldDatasets, "%s holds zonemgr's dataset %s: a zone it were delegated to would control every zone's datasets; delegate a dataset of its own", name, c)
		}
	}
	if under(name, h.containers()) {
		return optErr(FieldDatasets, "%s lies in %s, which holds zones' own datasets; delegate a dataset outside it (under %s, zonemgr makes one per zone)", name, containerOf(name, h.containers()), h.Settings.DelegatedParent)
	}
	if pool, _, _ := strings.Cut(name, "/"); holds(pool+"/ROOT") || under(name, []string{pool + "/ROOT"}) {
		return optErr(FieldDatasets, "%s: %s/ROOT holds the global zone's boot environments; delegate a dataset outside it", name, pool)
	}
	for _, zn := range w.Order {
		if ds, ok := w.ZoneDataset(w.Zones[zn]); ok && holds(ds) {
			return optErr(FieldDatasets, "%s holds the dataset of zone %s (%s); delegate a dataset of its own", name, zn, ds)
		}
	}
	return nil
}

// containerOf returns the one of dirs that p lies in.
func containerOf(p string, dirs []string) string {
	for _, d := range dirs {
		if under(p, []string{d}) {
			return d
		}
	}
	return ""
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
