// Package zfs owns zonemgr's ZFS layer: every zfs and zpool command zonemgr
// runs, the parsers of their output, dataset and snapshot name rules, and
// the container datasets (GIZ, DIZ) that hold the zones.
//
// Every command is argv built here (List, Create, Snapshot, Clone,
// Promote, Mount, Unmount, GetProperty, DestroyCmd, SetPropertyCmd,
// RollbackCmd), run through an illumos.Runner. The zfs commands of a
// plan are applied by Apply, which runs a destroy, rollback or property
// set through a registered Library instead: the zonemgr command registers
// github.com/mistifyio/go-zfs/v3 (package internal/zfs/gozfs, only its
// calls that parse no dataset listing, which panics on illumos); the
// module binaries register none, and so do not link it. Either way the
// command honours the runner's read-only (check) mode and is recorded
// beside the runner's own commands.
//
// A dataset that does not exist is reported as an error matching
// ErrNotExist, whichever way the command was run.
package zfs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// A Dataset is one line of a `zfs list -H -p` listing: the dataset's name
// and the properties that were asked for.
type Dataset struct {
	Name string
	// Props maps each listed property to the text zfs printed for it.
	// A value zfs prints as "-" (no origin, a snapshot's mountpoint, an
	// unset user property) is kept as "-"; Value maps it to "".
	Props map[string]string
}

// Value returns the listed value of prop, with zfs's "-" (none,
// inapplicable, unset) as "".
func (d Dataset) Value(prop string) string {
	if v := d.Props[prop]; v != "-" {
		return v
	}
	return ""
}

// Uint returns the listed value of a numeric property such as used or
// creation (exact with -p); "-" reads as 0.
func (d Dataset) Uint(prop string) (uint64, error) {
	v, ok := d.Props[prop]
	if !ok {
		return 0, fmt.Errorf("dataset %s: property %s was not listed", d.Name, prop)
	}
	if v == "-" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("dataset %s: property %s: %w", d.Name, prop, err)
	}
	return n, nil
}

// A ListOptions selects what List lists.
type ListOptions struct {
	// Types restricts the listing (-t): filesystem, volume, snapshot,
	// bookmark, all.
	Types []string
	// Recursive lists the descendants of Names too (-r).
	Recursive bool
	// Depth, when positive, lists descendants down to that depth (-d N);
	// it takes the place of Recursive.
	Depth int
	// Props are the columns listed after the name (-o name,<props>).
	Props []string
	// Names are the datasets to list; none lists every dataset.
	Names []string
	// SortBy sorts the listing by a property, ascending (-s).
	SortBy string
}

// ListCmd returns the command List runs for opts:
// `zfs list -H -p -o name,<props> [-t types] [-r|-d N] [-s prop] [names...]`.
func ListCmd(opts ListOptions) (illumos.Cmd, error) {
	for _, p := range opts.Props {
		if err := validPropName(p); err != nil {
			return illumos.Cmd{}, err
		}
	}
	argv := []string{"zfs", "list", "-H", "-p", "-o", strings.Join(append([]string{"name"}, opts.Props...), ",")}
	if len(opts.Types) > 0 {
		for _, t := range opts.Types {
			if !slices.Contains([]string{"filesystem", "volume", "snapshot", "snap", "bookmark", "all"}, t) {
				return illumos.Cmd{}, fmt.Errorf("invalid dataset type %q", t)
			}
		}
		argv = append(argv, "-t", strings.Join(opts.Types, ","))
	}
	switch {
	case opts.Depth > 0:
		argv = append(argv, "-d", strconv.Itoa(opts.Depth))
	case opts.Recursive:
		argv = append(argv, "-r")
	}
	if opts.SortBy != "" {
		if err := validPropName(opts.SortBy); err != nil {
			return illumos.Cmd{}, err
		}
		argv = append(argv, "-s", opts.SortBy)
	}
	for _, n := range opts.Names {
		if err := validListName(n); err != nil {
			return illumos.Cmd{}, err
		}
	}
	argv = append(argv, opts.Names...)
	return illumos.Cmd{Argv: argv}, nil
}

// List runs `zfs list -H -p` and parses the listing.
//
// When some of opts.Names do not exist, zfs lists the others and exits 1
// [derived: zfs_for_each() reports each name it cannot open and goes on];
// List then returns the datasets that were listed together with an error
// matching ErrNotExist (a *NotExistError naming the missing ones).
func List(ctx context.Context, r illumos.Runner, opts ListOptions) ([]Dataset, error) {
	c, err := ListCmd(opts)
	if err != nil {
		return nil, fmt.Errorf("list datasets: %w", err)
	}
	res, runErr := r.Run(ctx, c)
	if runErr != nil {
		var ce *illumos.CommandError
		if !errors.As(runErr, &ce) {
			return nil, fmt.Errorf("list datasets: %w", runErr)
		}
		if _, onlyMissing := missingNames(ce.Stderr); !onlyMissing {
			return nil, fmt.Errorf("list datasets: %w", classify(runErr))
		}
		runErr = classify(runErr)
	}
	ds, err := ParseList(opts.Props, res.Stdout)
	if err != nil {
		return nil, fmt.Errorf("list datasets: %s: %w", c, err)
	}
	if runErr != nil {
		return ds, fmt.Errorf("list datasets: %w", runErr)
	}
	return ds, nil
}

// ParseList parses `zfs list -H -p -o name,<props>` output: one dataset per
// line, fields separated by a single TAB, the name first and then one
// field per prop. A line with another number of fields is an error naming
// the line. Values are kept as printed, "-" included (see Dataset.Props).
func ParseList(props []string, b []byte) ([]Dataset, error) {
	want := 1 + len(props)
	var out []Dataset
	lines := bytes.Split(b, []byte("\n"))
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	for i, line := range lines {
		fields := strings.Split(string(line), "\t")
		if len(fields) != want {
			return nil, fmt.Errorf("zfs list output line %d: %d fields, want %d (name,%s): %q",
				i+1, len(fields), want, strings.Join(props, ","), line)
		}
		if fields[0] == "" {
			return nil, fmt.Errorf("zfs list output line %d: empty dataset name", i+1)
		}
		d := Dataset{Name: fields[0], Props: make(map[string]string, len(props))}
		for j, p := range props {
			d.Props[p] = fields[j+1]
		}
		out = append(out, d)
	}
	return out, nil
}

// GetPropertyCmd returns the command GetProperty runs:
// `zfs get -H -p -o value,source PROP NAME`.
func GetPropertyCmd(name, prop string) (illumos.Cmd, error) {
	if err := validPropName(prop); err != nil {
		return illumos.Cmd{}, err
	}
	if err := validListName(name); err != nil {
		return illumos.Cmd{}, err
	}
	return illumos.Cmd{Argv: []string{"zfs", "get", "-H", "-p", "-o", "value,source", prop, name}}, nil
}

// GetProperty returns the exact (-p) value of one property of a dataset
// and its source: "-", "default", "local", "temporary", "received" or
// "inherited from <dataset>" (§6.2). An unset user property reads as
// value "-" and source "-".
func GetProperty(ctx context.Context, r illumos.Runner, name, prop string) (value, source string, err error) {
	c, err := GetPropertyCmd(name, prop)
	if err != nil {
		return "", "", fmt.Errorf("get %s of %s: %w", prop, name, err)
	}
	res, err := r.Run(ctx, c)
	if err != nil {
		return "", "", fmt.Errorf("get %s of %s: %w", prop, name, classify(err))
	}
	line := strings.TrimSuffix(string(res.Stdout), "\n")
	value, source, ok := strings.Cut(line, "\t")
	if !ok || strings.Contains(line, "\n") || strings.Contains(source, "\t") {
		return "", "", fmt.Errorf("get %s of %s: %s: want one line \"value<TAB>source\", got %q", prop, name, c, res.Stdout)
	}
	return value, source, nil
}

// CreateCmd returns the command Create runs:
// `zfs create [-p] [-o k=v]... name`, the -o options sorted by property.
func CreateCmd(name string, props map[string]string, parents bool) (illumos.Cmd, error) {
	if err := ValidDatasetName(name); err != nil {
		return illumos.Cmd{}, err
	}
	argv := []string{"zfs", "create"}
	if parents {
		argv = append(argv, "-p")
	}
	opts, err := propOptions(props)
	if err != nil {
		return illumos.Cmd{}, err
	}
	argv = append(argv, opts...)
	return illumos.Cmd{Argv: append(argv, name)}, nil
}

// Create creates a filesystem with the given properties; parents creates
// missing parent datasets too (-p), which also makes an existing dataset
// no error (§6.3).
func Create(ctx context.Context, r illumos.Runner, name string, props map[string]string, parents bool) error {
	c, err := CreateCmd(name, props, parents)
	if err != nil {
		return fmt.Errorf("create dataset %s: %w", name, err)
	}
	return run(ctx, r, c, "create dataset "+name)
}

// SnapshotCmd returns the command Snapshot runs:
// `zfs snapshot [-r] [-o k=v]... ds@snap...`.
func SnapshotCmd(snaps []string, recursive bool, props map[string]string) (illumos.Cmd, error) {
	if len(snaps) == 0 {
		return illumos.Cmd{}, errors.New("no snapshot names")
	}
	for _, s := range snaps {
		if err := ValidSnapshotName(s); err != nil {
			return illumos.Cmd{}, err
		}
	}
	argv := []string{"zfs", "snapshot"}
	if recursive {
		argv = append(argv, "-r")
	}
	opts, err := propOptions(props)
	if err != nil {
		return illumos.Cmd{}, err
	}
	argv = append(argv, opts...)
	return illumos.Cmd{Argv: append(argv, snaps...)}, nil
}

// Snapshot takes all the given snapshots (dataset@name) in one zfs
// snapshot command, so they are taken atomically: all or none. recursive
// snapshots the descendants of each dataset too (-r).
func Snapshot(ctx context.Context, r illumos.Runner, snaps []string, recursive bool, props map[string]string) error {
	c, err := SnapshotCmd(snaps, recursive, props)
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", strings.Join(snaps, " "), err)
	}
	return run(ctx, r, c, "snapshot "+strings.Join(snaps, " "))
}

// CloneCmd returns the command Clone runs:
// `zfs clone [-p] [-o k=v]... snap target`.
func CloneCmd(snap, target string, props map[string]string, parents bool) (illumos.Cmd, error) {
	if err := ValidSnapshotName(snap); err != nil {
		return illumos.Cmd{}, err
	}
	if err := ValidDatasetName(target); err != nil {
		return illumos.Cmd{}, err
	}
	argv := []string{"zfs", "clone"}
	if parents {
		argv = append(argv, "-p")
	}
	opts, err := propOptions(props)
	if err != nil {
		return illumos.Cmd{}, err
	}
	argv = append(argv, opts...)
	return illumos.Cmd{Argv: append(argv, snap, target)}, nil
}

// Clone creates target as a clone of snapshot snap; parents creates
// target's missing parents (-p).
func Clone(ctx context.Context, r illumos.Runner, snap, target string, props map[string]string, parents bool) error {
	c, err := CloneCmd(snap, target, props, parents)
	if err != nil {
		return fmt.Errorf("clone %s to %s: %w", snap, target, err)
	}
	return run(ctx, r, c, "clone "+snap+" to "+target)
}

// PromoteCmd returns the command Promote runs: `zfs promote name`.
func PromoteCmd(name string) (illumos.Cmd, error) {
	if err := ValidDatasetName(name); err != nil {
		return illumos.Cmd{}, err
	}
	return illumos.Cmd{Argv: []string{"zfs", "promote", name}}, nil
}

// Promote makes the clone name independent of its origin snapshot, which
// then belongs to name (zfs promote).
func Promote(ctx context.Context, r illumos.Runner, name string) error {
	c, err := PromoteCmd(name)
	if err != nil {
		return fmt.Errorf("promote %s: %w", name, err)
	}
	return run(ctx, r, c, "promote "+name)
}

// MountCmd returns the command Mount runs: `zfs mount name`.
func MountCmd(name string) (illumos.Cmd, error) {
	if err := ValidDatasetName(name); err != nil {
		return illumos.Cmd{}, err
	}
	return illumos.Cmd{Argv: []string{"zfs", "mount", name}}, nil
}

// Mount mounts a filesystem at its mountpoint.
func Mount(ctx context.Context, r illumos.Runner, name string) error {
	c, err := MountCmd(name)
	if err != nil {
		return fmt.Errorf("mount %s: %w", name, err)
	}
	return run(ctx, r, c, "mount "+name)
}

// UnmountCmd returns the command Unmount runs: `zfs unmount [-f] name`.
func UnmountCmd(name string, force bool) (illumos.Cmd, error) {
	if err := ValidDatasetName(name); err != nil {
		return illumos.Cmd{}, err
	}
	argv := []string{"zfs", "unmount"}
	if force {
		argv = append(argv, "-f")
	}
	return illumos.Cmd{Argv: append(argv, name)}, nil
}

// Unmount unmounts a filesystem; force unmounts it even when busy (-f).
func Unmount(ctx context.Context, r illumos.Runner, name string, force bool) error {
	c, err := UnmountCmd(name, force)
	if err != nil {
		return fmt.Errorf("unmount %s: %w", name, err)
	}
	return run(ctx, r, c, "unmount "+name)
}

// run runs c and wraps its error with op.
func run(ctx context.Context, r illumos.Runner, c illumos.Cmd, op string) error {
	if _, err := r.Run(ctx, c); err != nil {
		return fmt.Errorf("%s: %w", op, classify(err))
	}
	return nil
}

// propOptions renders properties as -o k=v options, sorted by property
// name so the argv is the same on every run.
func propOptions(props map[string]string) ([]string, error) {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(props)) {
		if err := validPropName(k); err != nil {
			return nil, err
		}
		out = append(out, "-o", k+"="+props[k])
	}
	return out, nil
}

// validPropName accepts native property names (lower case letters, digits
// and '_') and user properties (module:property, §6.2), and nothing that
// could split a -o list or read as an option.
func validPropName(p string) error {
	if p == "" {
		return errors.New("empty property name")
	}
	if p[0] == '-' {
		return fmt.Errorf("invalid property name %q", p)
	}
	for i := 0; i < len(p); i++ {
		if !validNameChar(p[i]) {
			return fmt.Errorf("invalid property name %q", p)
		}
	}
	return nil
}

// A SnapshotRecord is one snapshot as SnapshotRecords reads it: whether
// the recording property is set on the snapshot itself (source local,
// as zonemgr sets it when it takes the snapshot; a snapshot somebody
// else took has it inherited or not at all), and the datasets cloned
// from it, wherever they are.
type SnapshotRecord struct {
	Name     string
	Recorded bool
	Clones   []string
}

// SnapshotRecordsCmd returns the command SnapshotRecords runs:
// `zfs get -H -p -r -t snapshot -o name,property,value,source PROP,clones NAME`.
func SnapshotRecordsCmd(name, prop string) (illumos.Cmd, error) {
	if err := validPropName(prop); err != nil {
		return illumos.Cmd{}, err
	}
	if err := ValidDatasetName(name); err != nil {
		return illumos.Cmd{}, err
	}
	return illumos.Cmd{Argv: []string{"zfs", "get", "-H", "-p", "-r", "-t", "snapshot",
		"-o", "name,property,value,source", prop + ",clones", name}}, nil
}

// SnapshotRecords lists every snapshot of name and of its descendants,
// in zfs's order, with whether prop is set on it locally (to a value:
// "-" and "" are no record) and its clones.
func SnapshotRecords(ctx context.Context, r illumos.Runner, name, prop string) ([]SnapshotRecord, error) {
	c, err := SnapshotRecordsCmd(name, prop)
	if err != nil {
		return nil, fmt.Errorf("list snapshots of %s: %w", name, err)
	}
	res, err := r.Run(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("list snapshots of %s: %w", name, classify(err))
	}
	var out []SnapshotRecord
	at := map[string]int{}
	for _, line := range strings.Split(strings.TrimSuffix(string(res.Stdout), "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("list snapshots of %s: %s: want 4 tab-separated fields, got %q", name, c, line)
		}
		i, ok := at[f[0]]
		if !ok {
			i, at[f[0]] = len(out), len(out)
			out = append(out, SnapshotRecord{Name: f[0]})
		}
		switch f[1] {
		case prop:
			out[i].Recorded = f[3] == "local" && f[2] != "" && f[2] != "-"
		case "clones":
			if f[2] != "" && f[2] != "-" {
				out[i].Clones = strings.Split(f[2], ",")
			}
		}
	}
	return out, nil
}

// LocalValuesCmd returns the command LocalValues runs:
// `zfs get -H -p -r -s local -o name,value PROP NAME...`.
func LocalValuesCmd(prop string, names []string) (illumos.Cmd, error) {
	if err := validPropName(prop); err != nil {
		return illumos.Cmd{}, err
	}
	if len(names) == 0 {
		return illumos.Cmd{}, fmt.Errorf("no dataset given")
	}
	for _, n := range names {
		if err := validListName(n); err != nil {
			return illumos.Cmd{}, err
		}
	}
	argv := []string{"zfs", "get", "-H", "-p", "-r", "-s", "local", "-o", "name,value", prop}
	return illumos.Cmd{Argv: append(argv, names...)}, nil
}

// LocalValues reads the values a property is set to locally on datasets,
// their descendants and their snapshots (zfs get -r recurses into
// snapshots too: its default types are all of them): the name of each
// that has it set on itself, not inherited or received, mapped to the
// value. A dataset absent from the map does not carry it locally.
func LocalValues(ctx context.Context, r illumos.Runner, prop string, names []string) (map[string]string, error) {
	c, err := LocalValuesCmd(prop, names)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", prop, err)
	}
	res, err := r.Run(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("get %s of %s: %w", prop, strings.Join(names, " "), classify(err))
	}
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(res.Stdout), "\n"), "\n") {
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, "\t")
		if !ok || strings.Contains(value, "\t") {
			return nil, fmt.Errorf("get %s: %s: want \"name<TAB>value\", got %q", prop, c, line)
		}
		out[name] = value
	}
	return out, nil
}
