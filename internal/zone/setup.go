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

// setupScript renders the shell script that applies a setup inside the
// zone. It runs as root in the zone (zlogin -S), reads nothing from the
// command line, and is fed on standard input, so account lines (with
// password hashes) never appear in an argv. Every edit replaces the line
// for the same key or appends it: running it twice changes nothing more.
// Files are rewritten in place (cat >), so they keep their owner and mode.
func setupScript(s Setup, a *accounts) string {
	var b strings.Builder
	b.WriteString(`set -e
umask 022
putline() {
	f=$1
	[ -f "$f" ] || : > "$f"
	K=$2 L=$3 awk -F: 'BEGIN { k = ENVIRON["K"]; l = ENVIRON["L"] }
		$1 == k { if (!done) print l; done = 1; next }
		{ print }
		END { if (!done) print l }' "$f" > "$f.zonemgr-new"
	cat "$f.zonemgr-new" > "$f"
	rm -f "$f.zonemgr-new"
}
putword() {
	f=$1
	[ -f "$f" ] || : > "$f"
	K=$2 L=$3 awk 'BEGIN { k = ENVIRON["K"]; l = ENVIRON["L"] }
		$1 == k { if (!done) print l; done = 1; next }
		{ print }
		END { if (!done) print l }' "$f" > "$f.zonemgr-new"
	cat "$f.zonemgr-new" > "$f"
	rm -f "$f.zonemgr-new"
}
`)
	if s.Nodename != "" {
		fmt.Fprintf(&b, "echo %s > /etc/nodename\n", shq(s.Nodename))
		fmt.Fprintf(&b, "N=%s O=%s awk '", shq(s.Nodename), shq(strings.Join(s.OldNames, " ")))
		b.WriteString(`BEGIN { n = ENVIRON["N"]; split(ENVIRON["O"], old, " "); for (i in old) drop[old[i]] = 1 }
	$1 == "127.0.0.1" || $1 == "::1" {
		line = $1; seen = 0
		for (i = 2; i <= NF; i++) { if ($i in drop) continue; if ($i == n) seen = 1; line = line "\t" $i }
		if (!seen) line = line "\t" n
		print line; next
	}
	{ print }' /etc/hosts > /etc/hosts.zonemgr-new
cat /etc/hosts.zonemgr-new > /etc/hosts
rm -f /etc/hosts.zonemgr-new
`)
	}
	for _, g := range s.CopyGroups {
		fmt.Fprintf(&b, "putline /etc/group %s %s\n", shq(g), shq(a.group[g]))
	}
	for _, u := range s.CopyUsers {
		pw := a.passwd[u]
		fmt.Fprintf(&b, "putline /etc/passwd %s %s\n", shq(u), shq(pw))
		sh, ok := a.shadow[u]
		if !ok {
			sh = u + ":NP:::::::"
		}
		fmt.Fprintf(&b, "putline /etc/shadow %s %s\n", shq(u), shq(sh))
		f := strings.Split(pw, ":")
		if len(f) >= 6 && strings.HasPrefix(f[5], "/") && f[5] != "/" && !under(f[5], s.Mounts) {
			fmt.Fprintf(&b, "[ -d %[1]s ] || { mkdir -p %[1]s && chown %[2]s:%[3]s %[1]s; }\n", shq(f[5]), f[2], f[3])
		}
	}
	for _, u := range s.ElevateUsers {
		fmt.Fprintf(&b, "mkdir -p /etc/sudoers.d\nprintf '%%s\\tALL=(ALL) NOPASSWD: ALL\\n' %s > /etc/sudoers.d/90zonemgr.%s\nchmod 0440 /etc/sudoers.d/90zonemgr.%s\n", shq(u), u, u)
		attr := u + "::::roles=root;auths=solaris.*,solaris.grant;profiles=Primary Administrator,All;type=normal"
		fmt.Fprintf(&b, "putline /etc/user_attr %s %s\n", shq(u), shq(attr))
	}
	if len(s.AutoNFS) > 0 {
		b.WriteString("putword /etc/auto_master '/-' '/-\tauto_direct'\n")
		for _, m := range s.AutoNFS {
			fmt.Fprintf(&b, "mkdir -p %s\n", shq(m.Dir))
			fmt.Fprintf(&b, "putword /etc/auto_direct %s %s\n", shq(m.Dir), shq(m.Dir+"\t-rw\t"+m.Source))
		}
		b.WriteString("svcadm enable -r svc:/system/filesystem/autofs:default\n")
	}
	// A clone's /etc/shadow is rewritten by the brand's unconfigure step
	// (system-unconfigure: sed > shadow.blankroot; mv) under zoneadm's
	// umask 022, so it is world-readable; put back the owner and mode
	// SUNWcs delivers it with (root:sys 0400).
	b.WriteString("if [ -f /etc/shadow ]; then chown root:sys /etc/shadow; chmod 0400 /etc/shadow; fi\n")
	return b.String()
}
