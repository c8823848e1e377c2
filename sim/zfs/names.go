package zfs

import (
	"fmt"
	"strings"
)

// maxNameLen is ZFS_MAX_DATASET_NAME_LEN: a name must be shorter.
const maxNameLen = 256

// validateName checks a dataset or snapshot name the way libzfs's
// dataset_namecheck()/zfs_validate_name() do and returns the reason text
// printed after "cannot <op> '<name>': ", or "" when the name is valid.
// snapshot selects whether the name must (true) or must not (false) contain
// the '@' delimiter.
func validateName(name string, snapshot bool) string {
	if len(name) >= maxNameLen {
		return "name is too long"
	}
	if name == "" {
		return "empty component in name"
	}
	if strings.HasPrefix(name, "/") {
		return "leading slash in name"
	}
	ds, snap, hasAt := strings.Cut(name, "@")
	if strings.Contains(name, "#") {
		if hasAt || snapshot {
			return "multiple '@' and/or '#' delimiters in name"
		}
		return "bookmark delimiter '#' is not expected here"
	}
	if hasAt && strings.Contains(snap, "@") {
		return "multiple '@' and/or '#' delimiters in name"
	}
	if hasAt && !snapshot {
		return "snapshot delimiter '@' is not expected here"
	}
	if !hasAt && snapshot {
		return "missing '@' delimiter in snapshot name"
	}
	if strings.HasSuffix(ds, "/") {
		return "trailing slash in name"
	}
	for _, comp := range strings.Split(ds, "/") {
		if comp == "" {
			return "empty component in name"
		}
		if r := componentReason(comp); r != "" {
			return r
		}
	}
	if hasAt {
		if snap == "" {
			return "empty component in name"
		}
		if r := componentReason(snap); r != "" {
			return r
		}
	}
	pool, _, _ := strings.Cut(ds, "/")
	if c := pool[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return "pool doesn't begin with a letter"
	}
	return ""
}

// componentReason checks one component of a name.
func componentReason(comp string) string {
	for _, c := range []byte(comp) {
		if !validNameChar(c) {
			return fmt.Sprintf("invalid character '%c' in name", c)
		}
	}
	switch comp {
	case ".":
		return "self reference, '.' is found in name"
	case "..":
		return "parent reference, '..' is found in name"
	}
	return ""
}

// validNameChar is libzfs's valid_char(): alphanumerics and "-_.: ".
func validNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == ':' || c == ' '
}

// poolOf returns the pool part of a dataset or snapshot name.
func poolOf(name string) string {
	ds, _, _ := strings.Cut(name, "@")
	pool, _, _ := strings.Cut(ds, "/")
	return pool
}

// parentOf returns the parent filesystem of a dataset ("" for a pool
// root); the parent of a snapshot is its filesystem.
func parentOf(name string) string {
	if ds, _, ok := strings.Cut(name, "@"); ok {
		return ds
	}
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return ""
	}
	return name[:i]
}

// datasetPart returns the part of a name before '@'.
func datasetPart(name string) string {
	ds, _, _ := strings.Cut(name, "@")
	return ds
}

// snapPart returns the part of a name after '@' ("" if none).
func snapPart(name string) string {
	_, s, _ := strings.Cut(name, "@")
	return s
}

// isSnapshotName reports whether a name names a snapshot.
func isSnapshotName(name string) bool { return strings.Contains(name, "@") }

// isDescendant reports whether name is strictly below ancestor in the
// dataset hierarchy (snapshots of ancestor and of its descendants count).
func isDescendant(name, ancestor string) bool {
	if strings.HasPrefix(name, ancestor+"@") {
		return true
	}
	return strings.HasPrefix(name, ancestor+"/")
}

// depthBelow returns how many levels name is below ancestor: 0 for the
// ancestor itself, 1 for its children and its own snapshots, and so on.
func depthBelow(name, ancestor string) int {
	if name == ancestor {
		return 0
	}
	ds, _, snap := strings.Cut(name, "@")
	d := strings.Count(ds, "/") - strings.Count(ancestor, "/")
	if snap {
		d++
	}
	return d
}
