package zfs

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// ContainerDefaults returns the properties a container dataset (the
// parent of GIZ or DIZ zonepaths) is created with, as the original zonemgr
// tuned it: no access-time updates, no automatic snapshots, mountable. The
// caller adds compression and dedup (gzip-9/off for GIZ, zle/off for DIZ
// by default) and may override these.
func ContainerDefaults() map[string]string {
	return map[string]string{
		"atime":                 "off",
		"canmount":              "on",
		"com.sun:auto-snapshot": "false",
	}
}

// Lineage returns a dataset's ancestors and the dataset itself, the pool
// first: "rpool/zones/GIZ" gives rpool, rpool/zones, rpool/zones/GIZ.
func Lineage(name string) []string {
	parts := strings.Split(name, "/")
	out := make([]string, len(parts))
	for i := range parts {
		out[i] = strings.Join(parts[:i+1], "/")
	}
	return out
}

// PlanContainer returns the commands that create the container dataset
// name, given a listing of the datasets that exist (any listing that
// includes the deepest existing member of Lineage(name)): one plain
// `zfs create` per missing parent, shallowest first, so existing datasets
// and the new parents keep the properties they inherit; then one
// `zfs create -o ...` of name itself with ContainerDefaults, props and,
// when set, the mountpoint, so that a failure cannot leave it half-tuned.
// Nothing is returned when name exists: an existing container is never
// re-tuned. Each command creates exactly the dataset named by its last
// argument, which DestroyCmd(name, false) removes again.
func PlanContainer(name string, props map[string]string, mountpoint string, existing []Dataset) ([]illumos.Cmd, error) {
	if err := ValidDatasetName(name); err != nil {
		return nil, fmt.Errorf("plan container %s: %w", name, err)
	}
	if mountpoint != "" && !path.IsAbs(mountpoint) {
		return nil, fmt.Errorf("plan container %s: mountpoint %q is not an absolute path", name, mountpoint)
	}
	have := make(map[string]bool, len(existing))
	for _, d := range existing {
		have[d.Name] = true
	}
	lineage := Lineage(name)
	deepest := -1
	for i, n := range lineage {
		if have[n] {
			deepest = i
		}
	}
	if deepest < 0 {
		return nil, fmt.Errorf("plan container %s: pool %s: %w", name, lineage[0], ErrNotExist)
	}
	var cmds []illumos.Cmd
	for _, parent := range lineage[deepest+1 : max(deepest+1, len(lineage)-1)] {
		c, err := CreateCmd(parent, nil, false)
		if err != nil {
			return nil, fmt.Errorf("plan container %s: %w", name, err)
		}
		cmds = append(cmds, c)
	}
	if deepest == len(lineage)-1 {
		return cmds, nil
	}
	all := ContainerDefaults()
	maps.Copy(all, props)
	if mountpoint != "" {
		all["mountpoint"] = mountpoint
	}
	c, err := CreateCmd(name, all, false)
	if err != nil {
		return nil, fmt.Errorf("plan container %s: %w", name, err)
	}
	return append(cmds, c), nil
}

// CheckContainer returns the commands EnsureContainer would run, reading
// only: it lists name and, while it is missing, its parents one at a time
// (a dataset's ancestors always exist), so a present container costs one
// zfs list. Check mode shows these as the plan.
func CheckContainer(ctx context.Context, r illumos.Runner, name string, props map[string]string, mountpoint string) ([]illumos.Cmd, error) {
	if err := ValidDatasetName(name); err != nil {
		return nil, fmt.Errorf("check container %s: %w", name, err)
	}
	lineage := Lineage(name)
	var existing []Dataset
	for _, n := range slices.Backward(lineage) {
		ds, err := List(ctx, r, ListOptions{Names: []string{n}})
		if errors.Is(err, ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("check container %s: %w", name, err)
		}
		existing = ds
		break
	}
	return PlanContainer(name, props, mountpoint, existing)
}

// EnsureContainer creates the container dataset name and its missing
// parents as PlanContainer describes, and reports whether it created
// anything. An existing container is left as it is. When a create fails,
// the datasets created before it are destroyed again, newest first, and
// the error tells of both.
func EnsureContainer(ctx context.Context, r illumos.Runner, name string, props map[string]string, mountpoint string) (created bool, err error) {
	cmds, err := CheckContainer(ctx, r, name, props, mountpoint)
	if err != nil {
		return false, err
	}
	var done []string
	for _, c := range cmds {
		target := c.Argv[len(c.Argv)-1]
		if err := run(ctx, r, c, "create dataset "+target); err != nil {
			err = fmt.Errorf("ensure container %s: %w", name, err)
			for _, d := range slices.Backward(done) {
				if uerr := Destroy(context.WithoutCancel(ctx), r, d, false); uerr != nil {
					err = errors.Join(err, fmt.Errorf("ensure container %s: undo: %w", name, uerr))
				}
			}
			return false, err
		}
		done = append(done, target)
	}
	return len(done) > 0, nil
}
