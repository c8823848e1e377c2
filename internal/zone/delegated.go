package zone

import (
	"context"
	"errors"
	"strings"

	"github.com/zonemgr/zonemgr/internal/zfs"
)

// learnDelegated looks up a dataset to delegate that lies outside the
// datasets the world listed (the containers and the delegated parent), so
// that an existing one is only delegated: never created again, never
// recorded as zonemgr's, never destroyed with the zone.
func (h *Host) learnDelegated(ctx context.Context, w *World, name string) error {
	if w.Exists(name) || under(name, h.containers(h.Settings.DelegatedParent)) {
		return nil
	}
	ds, err := zfs.List(ctx, h.Runner, zfs.ListOptions{Props: datasetProps, Names: []string{name}})
	if errors.Is(err, zfs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return optErr(FieldDatasets, "%s: list datasets: %w", name, err)
	}
	for _, d := range ds {
		w.Datasets[d.Name] = d
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
