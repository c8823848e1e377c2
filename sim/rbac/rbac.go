// Package rbac owns the simulated global zone's users and privileges: the
// account files (etc/passwd, shadow, group), the RBAC databases
// (etc/user_attr, etc/security/prof_attr, exec_attr, policy.conf) under
// the sim root, the simulated pfexec, and the checks every simulated tool
// makes before a privileged operation. A caller is root when
// ILLUMOS_SIM_UID is unset or 0; any other uid is an ordinary user whose
// RBAC profiles grant nothing unless the command runs under pfexec, whose
// grant every child inherits (as the kernel's PRIV_PFEXEC flag does).
// Authorizations, as on illumos, come from user_attr and the user's
// profiles without pfexec.
package rbac

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/zonemgr/zonemgr/sim/core"
)

// A Privilege is what the simulated kernel grants one command run by the
// caller.
type Privilege int

const (
	// None: the caller's own credentials (an ordinary user, or pfexec
	// with no profile entry for the command beyond "All").
	None Privilege = iota
	// Limited: a profile entry grants the command attributes other than
	// uid/euid 0, e.g. Network Management's dladm entry (euid=dladm plus
	// network privileges), enough for that command's own work.
	Limited
	// Full: uid 0, or pfexec with a profile entry giving uid or euid 0
	// (or all privileges) for the command.
	Full
)

// String names a Privilege.
func (p Privilege) String() string {
	switch p {
	case Full:
		return "full"
	case Limited:
		return "limited"
	}
	return "none"
}

// Database file locations (global-zone paths).
const (
	PasswdFile   = "/etc/passwd"
	ShadowFile   = "/etc/shadow"
	GroupFile    = "/etc/group"
	UserAttrFile = "/etc/user_attr"
	ProfAttrFile = "/etc/security/prof_attr"
	ExecAttrFile = "/etc/security/exec_attr"
	AuthAttrFile = "/etc/security/auth_attr"
	PolicyFile   = "/etc/security/policy.conf"
)

// Check tells what privilege the caller has for running command, the full
// path of the real illumos binary ("/usr/sbin/zoneadm", "/sbin/zfs", ...).
// uid 0 has Full; an ordinary user has None unless running under pfexec,
// where the first profile (user_attr profiles, then policy.conf's
// PROFS_GRANTED, each with its nested profiles) that has an exec_attr entry
// for the command (or "*") decides.
func Check(inv *core.Invocation, command string) Privilege {
	if inv.UID == 0 {
		return Full
	}
	if !inv.Pfexec {
		return None
	}
	db := load(inv)
	for _, prof := range db.profilesOf(db.userName(inv.UID)) {
		for _, e := range db.exec[prof] {
			if e.command != "*" && e.command != command {
				continue
			}
			return e.privilege()
		}
	}
	return None
}

// HasAuth reports whether the caller's real user has an authorization
// such as "solaris.zone.manage/build1": from user_attr auths=, the auths of
// the user's profiles (nested), and policy.conf's AUTHS_GRANTED. A granted
// "solaris.zone.*" or "solaris.*" matches any authorization below it
// except "...grant" ones, and a granted authorization without a "/object"
// qualifier matches the qualified one.
func HasAuth(inv *core.Invocation, auth string) bool {
	db := load(inv)
	user := db.userName(inv.UID)
	for _, g := range db.authsOf(user) {
		if authMatches(g, auth) {
			return true
		}
	}
	return false
}

// UserName returns the caller's login name, or the uid in decimal when
// passwd has no entry for it.
func UserName(inv *core.Invocation) string {
	return load(inv).userName(inv.UID)
}

// authMatches reports whether a granted authorization covers a wanted one.
func authMatches(granted, wanted string) bool {
	if granted == wanted {
		return true
	}
	base, _, qualified := strings.Cut(wanted, "/")
	if qualified && granted == base {
		return true
	}
	if !strings.HasSuffix(granted, "*") {
		return false
	}
	prefix := strings.TrimSuffix(granted, "*")
	if !strings.HasPrefix(base, prefix) {
		return false
	}
	last := base[strings.LastIndexByte(base, '.')+1:]
	return !strings.HasPrefix(last, "grant")
}

// An execEntry is one exec_attr line of a profile.
type execEntry struct {
	command string
	attrs   map[string]string
}

// privilege maps an exec_attr entry's attributes to a Privilege.
func (e execEntry) privilege() Privilege {
	if e.attrs["uid"] == "0" || e.attrs["euid"] == "0" || e.attrs["privs"] == "all" {
		return Full
	}
	if len(e.attrs) > 0 {
		return Limited
	}
	return None
}

// A db is the parsed account and RBAC databases of one root.
type db struct {
	users      map[int]string               // uid -> name
	userAttr   map[string]map[string]string // user -> attr -> value
	profAttr   map[string]map[string]string // profile -> attr -> value
	exec       map[string][]execEntry       // profile -> entries, file order
	profsGrant []string
	authsGrant []string
}

// load reads the databases under the invocation's root; missing or
// unreadable files count as empty, as a system without them grants nothing.
func load(inv *core.Invocation) *db {
	d := &db{
		users:    map[int]string{},
		userAttr: map[string]map[string]string{},
		profAttr: map[string]map[string]string{},
		exec:     map[string][]execEntry{},
	}
	for _, f := range readLines(inv.Path(PasswdFile)) {
		parts := strings.Split(f, ":")
		if len(parts) < 3 {
			continue
		}
		if uid, err := strconv.Atoi(parts[2]); err == nil {
			if _, dup := d.users[uid]; !dup {
				d.users[uid] = parts[0]
			}
		}
	}
	for _, f := range readLines(inv.Path(UserAttrFile)) {
		parts := strings.SplitN(f, ":", 5)
		if len(parts) == 5 {
			d.userAttr[parts[0]] = parseKV(parts[4])
		}
	}
	for _, f := range readLines(inv.Path(ProfAttrFile)) {
		parts := strings.SplitN(f, ":", 5)
		if len(parts) == 5 {
			d.profAttr[parts[0]] = parseKV(parts[4])
		}
	}
	for _, f := range readLines(inv.Path(ExecAttrFile)) {
		parts := strings.SplitN(f, ":", 7)
		if len(parts) == 7 && parts[2] == "cmd" {
			d.exec[parts[0]] = append(d.exec[parts[0]], execEntry{command: parts[5], attrs: parseKV(parts[6])})
		}
	}
	for _, f := range readLines(inv.Path(PolicyFile)) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "PROFS_GRANTED":
			d.profsGrant = splitList(strings.Trim(strings.TrimSpace(v), `"`))
		case "AUTHS_GRANTED":
			d.authsGrant = splitList(strings.Trim(strings.TrimSpace(v), `"`))
		}
	}
	return d
}

// readLines returns the non-comment lines of a file, joining lines that
// end in a backslash (as exec_attr continues long entries).
func readLines(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	var cont strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasSuffix(line, `\`) {
			cont.WriteString(strings.TrimSuffix(line, `\`))
			continue
		}
		if cont.Len() > 0 {
			cont.WriteString(strings.TrimLeft(line, " \t"))
			line = cont.String()
			cont.Reset()
		}
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		out = append(out, line)
	}
	return out
}

// parseKV parses "k=v;k=v" (values may contain escaped "\;" and "\:").
func parseKV(s string) map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(kv, "=")
		if ok {
			m[strings.TrimSpace(k)] = strings.ReplaceAll(v, `\:`, ":")
		}
	}
	return m
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// userName maps a uid to a login name.
func (d *db) userName(uid int) string {
	if n, ok := d.users[uid]; ok {
		return n
	}
	return strconv.Itoa(uid)
}

// profilesOf returns the user's profiles in the order pfexec searches
// them: user_attr profiles, then PROFS_GRANTED, each followed by the
// profiles it includes; duplicates are dropped.
func (d *db) profilesOf(user string) []string {
	var out []string
	seen := map[string]bool{}
	var add func(p string)
	add = func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		out = append(out, p)
		for _, sub := range splitList(d.profAttr[p]["profiles"]) {
			add(sub)
		}
	}
	for _, p := range splitList(d.userAttr[user]["profiles"]) {
		add(p)
	}
	for _, p := range d.profsGrant {
		add(p)
	}
	return out
}

// authsOf returns every authorization the user holds.
func (d *db) authsOf(user string) []string {
	out := splitList(d.userAttr[user]["auths"])
	for _, p := range d.profilesOf(user) {
		out = append(out, splitList(d.profAttr[p]["auths"])...)
	}
	return append(out, d.authsGrant...)
}

// pfexecUsage is pfexec.c usage()'s text, which it prints before
// exit(EXIT_FAILURE).
const pfexecUsage = "pfexec [-P privset] cmd [arg ..]\n"

// pfexecOptions parses pfexec's options as its main() does with
// getopt(argc, argv, "P:") (illumos-gate usr/src/cmd/pfexec/pfexec.c,
// usr/src/lib/libc/port/gen/getopt.c): "--" ends them; an unknown option
// or a missing privset is reported by getopt under argv[0], which main()
// has stripped of a leading "pf" ("exec" for a pfexec run by name; a
// path such as /usr/bin/pfexec stays as it is), then
// usage(); so is a second -P, without a message; and usage() when no
// command follows. It returns the command and its arguments, or the exit
// status and false. The sim does not model -P's privilege sets, which
// zonemgr never asks for: it refuses -P, where illumos would set them.
func pfexecOptions(inv *core.Invocation) (args []string, code int, ok bool) {
	argv0 := os.Args[0]
	if cmd := strings.TrimPrefix(argv0, "-"); strings.HasPrefix(cmd, "pf") {
		// argv[0] += 2, and a login shell's leading '-' put back.
		dash := cmd != argv0
		argv0 = argv0[2:]
		if dash {
			argv0 = "-" + argv0[1:]
		}
	}
	args = inv.Args
	usage := func() ([]string, int, bool) {
		inv.Errf(pfexecUsage)
		return nil, 1, false
	}
	var pset string
	seenP := false
	for len(args) > 0 {
		a := args[0]
		if a == "--" {
			args = args[1:]
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		if a[1] == '-' {
			inv.Errf("%s: illegal option -- %s\n", argv0, a[2:])
			return usage()
		}
		if a[1] != 'P' {
			inv.Errf("%s: illegal option -- %c\n", argv0, a[1])
			return usage()
		}
		switch {
		case len(a) > 2:
			pset, args = a[2:], args[1:]
		case len(args) > 1:
			pset, args = args[1], args[2:]
		default:
			inv.Errf("%s: option requires an argument -- P\n", argv0)
			return usage()
		}
		if seenP {
			return usage()
		}
		seenP = true
	}
	if len(args) == 0 {
		return usage()
	}
	if seenP {
		inv.Errf("pfexec: the simulator does not model -P %s (privilege sets)\n", pset)
		return nil, 1, false
	}
	return args, 0, true
}

// Main is the simulated pfexec: "pfexec CMD ARGS..." runs CMD (a path, or
// a name looked up in PATH) with ILLUMOS_SIM_PFEXEC=1 added to its
// environment, replacing this process as execve does.
func Main(inv *core.Invocation) int {
	args, code, ok := pfexecOptions(inv)
	if !ok {
		inv.Sub = "usage"
		return code
	}
	cmd := args[0]
	if code, injected := inv.Begin(filepath.Base(cmd), false); injected {
		return code
	}
	path, err := lookPath(cmd)
	if err == nil {
		env := append(os.Environ(), core.EnvPfexec+"=1")
		err = syscall.Exec(path, args, env)
	}
	inv.Errf("pfexec: unable to execute %s: %s", cmd, strerror(err))
	return 1
}

// lookPath finds a command as execvp(2) does.
func lookPath(cmd string) (string, error) {
	if strings.Contains(cmd, "/") {
		return cmd, nil
	}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, cmd)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("look up %s: %w", cmd, os.ErrNotExist)
}

// strerror renders an error as illumos's strerror() text
// ("No such file or directory").
func strerror(err error) string {
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno):
	case errors.Is(err, os.ErrNotExist):
		errno = syscall.ENOENT
	case errors.Is(err, os.ErrPermission):
		errno = syscall.EACCES
	default:
		return err.Error()
	}
	s := errno.Error()
	return strings.ToUpper(s[:1]) + s[1:]
}

// CanSearch reports whether the caller's own credentials let it reach
// the global-zone path gzpath: search (execute) permission on every
// directory from / down to gzpath itself, as path lookup checks it
// (illumos-gate usr/src/uts/common/fs/zfs/zfs_vnops.c zfs_lookup():
// zfs_fastaccesschk_execute() of zfs_acl.c, then zfs_zaccess(zdp,
// ACE_EXECUTE), on
// each directory a name is looked up in; EACCES otherwise). The
// sim's files belong to the host's root, so an ordinary user is granted
// what the owner bits say on what the user owns (its uid) and what the
// "other" bits say elsewhere; group permissions are not consulted
// [derived: a simulated user is in no group of the host's files]. uid 0
// can search everything. Callers first check whether a privilege (Full,
// from pfexec) lifts the restriction.
func CanSearch(inv *core.Invocation, gzpath string) bool {
	if inv.UID == 0 {
		return true
	}
	// The sim root's own directory stands for /, which everybody can
	// search.
	p := "/"
	for _, part := range strings.Split(strings.Trim(filepath.Clean("/"+gzpath), "/"), "/") {
		if part == "" {
			continue
		}
		p = filepath.Join(p, part)
		fi, err := os.Stat(inv.Path(p))
		if err != nil {
			return false
		}
		if !fi.IsDir() {
			return true
		}
		bit := os.FileMode(0o001)
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) == inv.UID {
			bit = 0o100
		}
		if fi.Mode().Perm()&bit == 0 {
			return false
		}
	}
	return true
}
