package zone

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
)

// Setup is what zonemgr configures inside a zone after it is installed or
// cloned: its name, accounts copied from the global zone, elevated users
// and NFS automounts.
type Setup struct {
	Nodename     string
	OldNames     []string // names to drop from /etc/hosts (the origin's)
	CopyGroups   []string
	CopyUsers    []string
	ElevateUsers []string
	AutoNFS      []AutoNFS
	// Mounts are the directories where global-zone file systems are
	// mounted in the zone: home directories under them are the global
	// zone's, and are never created from inside the zone.
	Mounts []string
}

// AutoNFS is one NFS automount: a direct-map entry inside the zone.
type AutoNFS struct {
	Dir    string // mount point inside the zone
	Source string // server:/path
}

// Empty reports whether the setup changes nothing but the node name.
func (s Setup) Empty() bool {
	return len(s.CopyGroups) == 0 && len(s.CopyUsers) == 0 && len(s.ElevateUsers) == 0 && len(s.AutoNFS) == 0
}

// Parts identifies each part of a setup by a short hash, keyed by the
// option that sets it; stored in the zone as zonemgr.setup, so that a
// changed option is noticed and an omitted one is left alone.
func (s Setup) Parts() map[string]string {
	var nfs []string
	for _, a := range s.AutoNFS {
		nfs = append(nfs, a.Dir+"|"+a.Source)
	}
	return map[string]string{
		"copy_groups":   SpecHash(sorted(s.CopyGroups)...),
		"copy_users":    SpecHash(sorted(s.CopyUsers)...),
		"elevate_users": SpecHash(sorted(s.ElevateUsers)...),
		"mount_autonfs": SpecHash(sorted(nfs)...),
	}
}

// formatParts renders part hashes as "key=hash ..." in key order.
func formatParts(parts map[string]string) string {
	keys := make([]string, 0, len(parts))
	for k := range parts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + "=" + parts[k]
	}
	return strings.Join(out, " ")
}

func parseParts(s string) map[string]string {
	out := map[string]string{}
	for _, f := range strings.Fields(s) {
		if k, v, ok := strings.Cut(f, "="); ok {
			out[k] = v
		}
	}
	return out
}

// partFields are the fields behind the parts of a zone's stored
// zonemgr.setup attribute. The keys are that attribute's stored format,
// on zones made by every release: they are never renamed.
var partFields = map[string]Field{
	"copy_groups": FieldCopyGroups, "copy_users": FieldCopyUsers, "elevate_users": FieldElevateUsers,
	"mount_autonfs": FieldAutoNFS, "add_packages": FieldAddPackages, "remove_packages": FieldRemovePackages,
	"add_publishers": FieldAddPublishers, "remove_publishers": FieldRemovePublishers,
}

// changedParts lists the fields, not omitted, whose part differs from
// the zone's stored zonemgr.setup, in the order of their stored keys.
func changedParts(want map[string]string, stored string, omitted Fields) []Field {
	have := parseParts(stored)
	var keys []string
	for k, v := range want {
		if !omitted.Has(partFields[k]) && have[k] != v {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := make([]Field, len(keys))
	for i, k := range keys {
		out[i] = partFields[k]
	}
	return out
}

func sorted(in []string) []string {
	out := append([]string(nil), in...)
	sort.Strings(out)
	return out
}

// accounts are the global zone's account files, read once.
type accounts struct {
	passwd, shadow, group map[string]string // name -> whole line
	shadowUnreadable      bool
}

// readAccountFile reads one of the global zone's account files.
func readAccountFile(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseAccountFile(b)
}

// parseAccountFile maps each name of a passwd, group or shadow file to
// its whole line (the first one, for a name listed twice).
func parseAccountFile(b []byte) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "+") || strings.HasPrefix(line, "-") {
			continue
		}
		name, _, _ := strings.Cut(line, ":")
		if _, dup := out[name]; !dup {
			out[name] = line
		}
	}
	return out, sc.Err()
}

// readAccounts reads the global zone's passwd, group and shadow. An
// unreadable shadow (not root) is not fatal: copied users get a locked
// password ("NP"), and a warning says so.
func (h *Host) readAccounts() (*accounts, error) {
	a := &accounts{}
	var err error
	if a.passwd, err = readAccountFile(h.path("/etc/passwd")); err != nil {
		return nil, fmt.Errorf("read the global zone's /etc/passwd: %w", err)
	}
	if a.group, err = readAccountFile(h.path("/etc/group")); err != nil {
		return nil, fmt.Errorf("read the global zone's /etc/group: %w", err)
	}
	a.shadow, err = readAccountFile(h.path("/etc/shadow"))
	if errors.Is(err, fs.ErrPermission) {
		a.shadow, a.shadowUnreadable = map[string]string{}, true
	} else if err != nil {
		return nil, fmt.Errorf("read the global zone's /etc/shadow: %w", err)
	}
	return a, nil
}

// checkAccounts verifies that every named user and group exists in the
// global zone, reporting every missing one.
func (a *accounts) check(s Setup) []error {
	var errs []error
	for _, u := range s.CopyUsers {
		if _, ok := a.passwd[u]; !ok {
			errs = append(errs, optErr(FieldCopyUsers, "no user %q in the global zone's /etc/passwd", u))
		}
	}
	for _, u := range s.ElevateUsers {
		if _, ok := a.passwd[u]; !ok {
			errs = append(errs, optErr(FieldElevateUsers, "no user %q in the global zone's /etc/passwd", u))
		}
	}
	for _, g := range s.CopyGroups {
		if _, ok := a.group[g]; !ok {
			errs = append(errs, optErr(FieldCopyGroups, "no group %q in the global zone's /etc/group", g))
		}
	}
	return errs
}

// under reports whether p is one of dirs or below one of them.
func under(p string, dirs []string) bool {
	for _, d := range dirs {
		if p == d || strings.HasPrefix(p, strings.TrimSuffix(d, "/")+"/") {
			return true
		}
	}
	return false
}

// shq quotes a string for a POSIX shell.
func shq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// autofsService is the automounter, which reads the automount maps.
const autofsService = "svc:/system/filesystem/autofs:default"

// setupScript renders the shell script that applies a setup inside a
// booted zone (a golden zone's, which is booted for its packages
// anyway): the setup's file edits (see setupEdits), and, with
// automounts, the automounter enabled with what it depends on.
func setupScript(s Setup, a *accounts) string {
	script := editScript(setupEdits(s, a), "")
	if len(s.AutoNFS) > 0 {
		script += "svcadm enable -r " + autofsService + "\n"
	}
	return script
}
