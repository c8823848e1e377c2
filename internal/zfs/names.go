package zfs

import (
	"fmt"
	"strings"
)

// MaxNameLen is the longest dataset or snapshot name ZFS accepts, in bytes
// (ZFS_MAX_DATASET_NAME_LEN is 256 including the terminating NUL).
const MaxNameLen = 255

// maxPoolNameLen is the longest pool name: pool_namecheck() keeps room for
// "<pool>/$ORIGIN@$ORIGIN", so a pool name is shorter than 256-2-2*7.
const maxPoolNameLen = 256 - 2 - 2*len("$ORIGIN") - 1

// A NameError is an invalid dataset, snapshot or pool name. Reason uses
// the words libzfs prints after "cannot create '<name>': " (§6.3 of the
// command reference), so an error reads the same whether zonemgr or zfs
// found it.
type NameError struct {
	Kind   string // "dataset", "snapshot" or "pool"
	Name   string
	Reason string
}

func (e *NameError) Error() string {
	return fmt.Sprintf("invalid %s name %q: %s", e.Kind, e.Name, e.Reason)
}

// validNameChar reports whether c may appear in a name component.
//
// illumos's valid_char() (usr/src/common/zfs/zfs_namecheck.c) also allows
// a space, and entity names may hold '%' (used internally for temporary
// clones). zonemgr rejects both: its names end up in zonepaths, zonecfg
// scripts and log lines, where a space is a hazard, and it never names a
// temporary clone.
func validNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == ':'
}

// ValidDatasetName reports whether name is a valid filesystem or volume
// name: pool[/component]..., each component made of [A-Za-z0-9_.:-], no
// empty component, no leading or trailing slash, no '@' or '#', at most
// MaxNameLen bytes, and a first component that is a valid pool name.
func ValidDatasetName(name string) error {
	if reason := datasetNameProblem(name); reason != "" {
		return &NameError{Kind: "dataset", Name: name, Reason: reason}
	}
	return nil
}

// ValidSnapshotName reports whether name is a valid snapshot name: a valid
// dataset name, one '@', and a non-empty snapshot component made of
// [A-Za-z0-9_.:-], at most MaxNameLen bytes in all.
func ValidSnapshotName(name string) error {
	if reason := snapshotNameProblem(name); reason != "" {
		return &NameError{Kind: "snapshot", Name: name, Reason: reason}
	}
	return nil
}

// ValidPoolName reports whether name is a valid pool name: it begins with
// a letter, holds only [A-Za-z0-9_.:-], is not "mirror" or "raidz", and does
// not look like a disk name (c0...). The extra names zpool create reserves
// ("spare...", "log") are existing pools' business, not ours, and pass.
func ValidPoolName(name string) error {
	if reason := poolNameProblem(name); reason != "" {
		return &NameError{Kind: "pool", Name: name, Reason: reason}
	}
	return nil
}

func snapshotNameProblem(name string) string {
	if len(name) > MaxNameLen {
		return "name is too long"
	}
	ds, snap, ok := strings.Cut(name, "@")
	if !ok {
		return "missing '@' delimiter in snapshot name"
	}
	if strings.Contains(snap, "@") || strings.Contains(name, "#") {
		return "multiple '@' and/or '#' delimiters in name"
	}
	if reason := datasetNameProblem(ds); reason != "" {
		return reason
	}
	if snap == "" {
		return "empty component in name"
	}
	if strings.Contains(snap, "/") {
		// entity_namecheck() reports a '/' after the delimiter as
		// NAME_ERR_TRAILING_SLASH.
		return "trailing slash in name"
	}
	return componentProblem(snap)
}

func datasetNameProblem(name string) string {
	switch {
	case len(name) > MaxNameLen:
		return "name is too long"
	case name == "":
		return "empty component in name"
	case strings.HasPrefix(name, "/"):
		return "leading slash in name"
	case strings.Contains(name, "@"):
		return "snapshot delimiter '@' is not expected here"
	case strings.Contains(name, "#"):
		return "bookmark delimiter '#' is not expected here"
	case strings.HasSuffix(name, "/"):
		return "trailing slash in name"
	}
	components := strings.Split(name, "/")
	for _, c := range components {
		if reason := componentProblem(c); reason != "" {
			return reason
		}
	}
	return poolNameProblem(components[0])
}

func componentProblem(c string) string {
	if c == "" {
		return "empty component in name"
	}
	for i := 0; i < len(c); i++ {
		if !validNameChar(c[i]) {
			return fmt.Sprintf("invalid character %q in name", c[i])
		}
	}
	if c == "." || c == ".." {
		return "name is reserved"
	}
	return ""
}

// poolNameProblem follows pool_namecheck(); the messages are libzfs's
// zpool_name_valid() texts [derived: read in source, not observed].
func poolNameProblem(pool string) string {
	if len(pool) > maxPoolNameLen {
		return "name is too long"
	}
	if reason := componentProblem(pool); reason != "" {
		return reason
	}
	if c := pool[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return "pool doesn't begin with a letter"
	}
	if pool == "mirror" || pool == "raidz" {
		return "name is reserved"
	}
	if len(pool) > 1 && pool[0] == 'c' && pool[1] >= '0' && pool[1] <= '9' {
		return "reserved disk name"
	}
	return ""
}

// validListName accepts the operands zfs list and zfs get take: datasets
// and snapshots. Validating them also keeps an operand from being read as
// an option (a valid name never starts with '-').
func validListName(name string) error {
	if strings.Contains(name, "@") {
		return ValidSnapshotName(name)
	}
	return ValidDatasetName(name)
}

// poolOf returns the pool part of a dataset or snapshot name.
func poolOf(name string) string {
	name, _, _ = strings.Cut(name, "@")
	pool, _, _ := strings.Cut(name, "/")
	return pool
}
