package zone

import (
	"context"
	"errors"
	"fmt"

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
		return fmt.Errorf("delegate_datasets: %s: list datasets: %w", name, err)
	}
	for _, d := range ds {
		w.Datasets[d.Name] = d
	}
	return nil
}
