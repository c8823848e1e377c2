package zone

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zoneroot"
)

// A zone's own files — its node name, hosts entry, accounts, elevated
// users, automount maps, LDAP client configuration — are changed by
// file edits, as data. The same edits are carried out in one of three
// places, whichever the operation has at hand:
//
//   - from the global zone, in the zone's root opened safely (see
//     ZoneFiles and package zoneroot): no process at all, for a process
//     that runs with all privileges (Host.Privileged);
//   - in the scratch zone of "zoneadm mount", rendered as a script that
//     edits the zone's root below /a (see scratchFileSteps): a disposable
//     zone's identity before its first boot, for a caller whose own
//     process cannot reach into the zone root (pfexec);
//   - in a booted zone, rendered as a script that edits / (a golden zone's
//     setup, which boots the zone anyway).

// File edit operations (FileEdit.Op).
const (
	// EditLine replaces the line whose first ':'-separated field is Key
	// with Text (dropping any later such line), or appends Text: an
	// entry of passwd, shadow, group or user_attr.
	EditLine = "line"
	// EditWord does the same by the first blank-separated field: an
	// entry of an automount map.
	EditWord = "word"
	// EditHosts gives the loopback lines (127.0.0.1, ::1) of a hosts
	// file the name Text, and drops the names Drop from them.
	EditHosts = "hosts"
	// EditWrite replaces the whole file with Text, owned UID:GID with
	// Mode.
	EditWrite = "write"
	// EditMkdir makes the directory (and its missing parents) unless a
	// directory is there, owned UID:GID with Mode.
	EditMkdir = "mkdir"
	// EditOwn gives an existing file the owner UID:GID and Mode.
	EditOwn = "own"
)

// A FileEdit is one change to one file of a zone (see the operations
// above). A file that a line, word or hosts edit changes keeps its owner
// and mode; one it creates gets 0644 and root's.
type FileEdit struct {
	Op   string
	Path string // as the zone sees it: /etc/passwd
	Key  string
	Text string
	Drop []string
	Mode fs.FileMode
	UID  int
	GID  int
}

// The owners of the files the edits give one (illumos-gate
// usr/src/pkg/manifests/SUNWcs.mf: etc/shadow owner=root group=sys
// mode=0400).
const (
	uidRoot = 0
	gidRoot = 0
	gidSys  = 3
)

// setupEdits are the edits that give a zone a setup: its node name and
// hosts entry, the copied groups and users (with a home directory that
// no global-zone mount provides), the elevated users' sudoers and
// user_attr entries, the automount maps with their mount points, and
// last /etc/shadow's owner and mode as SUNWcs delivers it (root:sys
// 0400). A clone's /etc/shadow needs that: the brand's unconfigure step
// rewrites it (system-unconfigure: sed > shadow.blankroot; mv) under
// zoneadm's umask 022, leaving it readable by all.
func setupEdits(s Setup, a *accounts) []FileEdit {
	if a == nil {
		a = &accounts{}
	}
	var e []FileEdit
	if s.Nodename != "" {
		e = append(e,
			FileEdit{Op: EditWrite, Path: "/etc/nodename", Text: s.Nodename + "\n", Mode: 0o644, UID: uidRoot, GID: gidRoot},
			FileEdit{Op: EditHosts, Path: "/etc/inet/hosts", Text: s.Nodename, Drop: s.OldNames})
	}
	for _, g := range s.CopyGroups {
		e = append(e, FileEdit{Op: EditLine, Path: "/etc/group", Key: g, Text: a.group[g]})
	}
	for _, u := range s.CopyUsers {
		pw := a.passwd[u]
		sh, ok := a.shadow[u]
		if !ok {
			sh = u + ":NP:::::::"
		}
		e = append(e,
			FileEdit{Op: EditLine, Path: "/etc/passwd", Key: u, Text: pw},
			FileEdit{Op: EditLine, Path: "/etc/shadow", Key: u, Text: sh})
		f := strings.Split(pw, ":")
		if len(f) >= 6 && strings.HasPrefix(f[5], "/") && f[5] != "/" && !under(f[5], s.Mounts) {
			e = append(e, FileEdit{Op: EditMkdir, Path: path.Clean(f[5]), Mode: 0o755, UID: atoiOr(f[2], 0), GID: atoiOr(f[3], 0)})
		}
	}
	if len(s.ElevateUsers) > 0 {
		e = append(e, FileEdit{Op: EditMkdir, Path: "/etc/sudoers.d", Mode: 0o755, UID: uidRoot, GID: gidRoot})
	}
	for _, u := range s.ElevateUsers {
		e = append(e,
			FileEdit{Op: EditWrite, Path: "/etc/sudoers.d/90zonemgr." + u, Text: u + "\tALL=(ALL) NOPASSWD: ALL\n", Mode: 0o440, UID: uidRoot, GID: gidRoot},
			FileEdit{Op: EditLine, Path: "/etc/user_attr", Key: u, Text: u + "::::roles=root;auths=solaris.*,solaris.grant;profiles=Primary Administrator,All;type=normal"})
	}
	if len(s.AutoNFS) > 0 {
		e = append(e, FileEdit{Op: EditWord, Path: "/etc/auto_master", Key: "/-", Text: "/-\tauto_direct"})
		for _, m := range s.AutoNFS {
			e = append(e,
				FileEdit{Op: EditMkdir, Path: m.Dir, Mode: 0o755, UID: uidRoot, GID: gidRoot},
				FileEdit{Op: EditWord, Path: "/etc/auto_direct", Key: m.Dir, Text: m.Dir + "\t-rw\t" + m.Source})
		}
	}
	return append(e, FileEdit{Op: EditOwn, Path: "/etc/shadow", Mode: 0o400, UID: uidRoot, GID: gidSys})
}

// ldapEdits are the edits that copy the global zone's LDAP client
// configuration into a zone: /var/ldap (private, as ldapclient makes it,
// when missing) and each file with the mode and owner it has in the
// global zone (a file not ending in a newline gets one).
func ldapEdits(files []ldapFile) []FileEdit {
	e := []FileEdit{{Op: EditMkdir, Path: "/var/ldap", Mode: 0o700, UID: uidRoot, GID: gidRoot}}
	for _, f := range files {
		data := string(f.data)
		if data != "" && !strings.HasSuffix(data, "\n") {
			data += "\n"
		}
		e = append(e, FileEdit{Op: EditWrite, Path: f.path, Text: data, Mode: f.mode, UID: int(f.uid), GID: int(f.gid)})
	}
	return e
}

// atoiOr is s as a uid or gid (decimal digits, below 2^31), or def.
func atoiOr(s string, def int) int {
	n, err := strconv.ParseUint(s, 10, 31)
	if err != nil {
		return def
	}
	return int(n)
}

// editPaths lists the files and directories edits change, once each, in
// order.
func editPaths(edits []FileEdit) []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range edits {
		if !seen[e.Path] {
			seen[e.Path] = true
			out = append(out, e.Path)
		}
	}
	return out
}

// ZoneFiles, instead of a command, carries out file edits in a zone's
// root from the global zone (see Host.writeZoneFiles). It needs a process
// with all privileges: the zone root lies below the zonepath, which is
// private to root (mode 0700).
type ZoneFiles struct {
	Zone string
	// Zonepath is the zone's; its root is Zonepath/root.
	Zonepath string
	// Dataset is the zone's dataset: one of its boot environments,
	// Dataset/ROOT/<be>, must be what is mounted on the root.
	Dataset string
	Edits   []FileEdit
}

// String shows the files the step changes (never their contents: an
// account's shadow line, the LDAP credentials).
func (z *ZoneFiles) String() string {
	return fmt.Sprintf("write into %s: %s", path.Join(z.Zonepath, "root"), strings.Join(editPaths(z.Edits), " "))
}

// zoneFilesStep carries out edits in a halted zone's root: from the
// global zone when the process may (Host.Privileged), otherwise in the
// zone's scratch zone. Nothing of it is undone: the files are the
// zone's, and go with it.
func (h *Host) zoneFilesStep(why, zone, zonepath, dataset, run string, edits []FileEdit) []Step {
	if h.Privileged {
		return []Step{{Why: why, Files: &ZoneFiles{Zone: zone, Zonepath: zonepath, Dataset: dataset, Edits: edits}}}
	}
	return scratchFileSteps(why, zone, run, edits)
}

// scratchFileSteps carry out edits in the scratch zone of "zoneadm
// mount" (illumos-gate usr/src/cmd/zoneadmd/vplat.c: the zone's root
// read-write on /a, its /etc and /var, the global zone's /usr, /lib and
// /sbin read-only, no SMF, no network), as the brand's own unconfigure
// step does in a clone (pkg5 src/brand/common.ksh unconfigure_zone():
// zoneadm mount -f; zlogin -S $ZONENAME ... -R /a; zoneadm unmount). The
// scratch zone is a zone: the edits resolve every link of the zone's
// root inside it, whoever runs zonemgr. The mount's undo unmounts the
// zone while it is mounted and still the run's.
func scratchFileSteps(why, zone, run string, edits []FileEdit) []Step {
	return []Step{
		{Why: "mount the zone (its scratch zone, the zone's root on /a)", Cmd: zoneadm(zone, "mount"), Undo: zoneadm(zone, "unmount"), UndoIfFailed: true,
			Guard: &Guard{Zone: zone, ZoneRun: run, States: []string{"mounted"}}},
		{Why: why + " (in the scratch zone, below /a)",
			Cmd: &illumos.Cmd{Argv: []string{"zlogin", "-S", zone, "/bin/sh -s"}, Stdin: []byte(editScript(edits, "/a")), ZoneStatus: true}},
		{Why: "unmount the zone", Cmd: zoneadm(zone, "unmount")},
	}
}

// rootMounted reports whether what is mounted on a zonepath's root is
// one of the boot environments of the zone's dataset (Dataset/ROOT/<be>):
// a zone's root (canmount=noauto, mountpoint=legacy) is mounted by the
// brand after install, clone and every halt (pkg5 src/brand: prestate
// and poststate hooks, mount_active_ds()), but not after the global
// zone boots, and a file written into the empty mountpoint would be
// hidden once the zone is mounted. "zfs list PATH" names the file system
// the path is in.
func (h *Host) rootMounted(ctx context.Context, zonepath, dataset string) (bool, string, error) {
	root := path.Join(zonepath, "root")
	res, err := h.Runner.Run(ctx, illumos.Cmd{Argv: []string{"zfs", "list", "-H", "-o", "name,mounted", root}})
	if err != nil {
		return false, "", fmt.Errorf("find what is mounted on %s: %w", root, err)
	}
	f := strings.Split(strings.TrimSpace(string(res.Stdout)), "\t")
	if len(f) != 2 {
		return false, "", fmt.Errorf("find what is mounted on %s: zfs list printed %q", root, res.Stdout)
	}
	be := strings.TrimPrefix(f[0], dataset+"/ROOT/")
	return f[1] == "yes" && be != f[0] && be != "" && !strings.Contains(be, "/"), f[0], nil
}

// writeZoneFiles carries out a ZoneFiles step: the zone's boot
// environment must be mounted on its root (see rootMounted); then each
// edit is made inside the root opened with zoneroot, which resolves
// every link inside the root, reads only regular files, bounded, and
// replaces a file by renaming a new one into place.
func (h *Host) writeZoneFiles(ctx context.Context, zf *ZoneFiles) error {
	ok, what, err := h.rootMounted(ctx, zf.Zonepath, zf.Dataset)
	if err != nil {
		return fmt.Errorf("zone %s: %w", zf.Zone, err)
	}
	root := path.Join(zf.Zonepath, "root")
	if !ok {
		return fmt.Errorf("zone %s: its boot environment is not mounted on %s (%s is); refusing to write into the empty mountpoint", zf.Zone, root, what)
	}
	r, err := zoneroot.Open(h.path(root))
	if err != nil {
		return fmt.Errorf("zone %s: %w", zf.Zone, err)
	}
	defer r.Close()
	for _, e := range zf.Edits {
		if err := applyEdit(r, e); err != nil {
			return fmt.Errorf("zone %s: %s %s: %w", zf.Zone, editVerb[e.Op], e.Path, err)
		}
	}
	return nil
}

// editVerb names an edit operation in an error.
var editVerb = map[string]string{EditLine: "edit", EditWord: "edit", EditHosts: "edit", EditWrite: "write", EditMkdir: "mkdir", EditOwn: "chown"}

// applyEdit makes one edit in a zone root.
func applyEdit(r *zoneroot.Root, e FileEdit) error {
	switch e.Op {
	case EditMkdir:
		return r.MkdirAll(e.Path, e.Mode, e.UID, e.GID)
	case EditWrite:
		return r.WriteFile(e.Path, []byte(e.Text), e.Mode, e.UID, e.GID)
	}
	fi, err := r.Lstat(e.Path)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if e.Op == EditOwn {
		if !exists || !fi.Mode().IsRegular() {
			return nil
		}
		b, err := r.ReadFile(e.Path, 0)
		if err != nil {
			return err
		}
		return r.WriteFile(e.Path, b, e.Mode, e.UID, e.GID)
	}
	mode, uid, gid := fs.FileMode(0o644), uidRoot, gidRoot
	var b []byte
	if exists {
		if b, err = r.ReadFile(e.Path, 0); err != nil {
			return err
		}
		mode = fi.Mode().Perm()
		uid, gid = zoneroot.Owner(fi)
	}
	switch e.Op {
	case EditLine:
		b = putLine(b, e.Key, e.Text, colonKey)
	case EditWord:
		b = putLine(b, e.Key, e.Text, blankKey)
	case EditHosts:
		b = hostsName(b, e.Text, e.Drop)
	default:
		return fmt.Errorf("unknown file edit %q", e.Op)
	}
	return r.WriteFile(e.Path, b, mode, uid, gid)
}

// lines splits a file into its lines as awk reads its records: a last
// line without a newline is a line.
func lines(b []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), zoneroot.MaxRead+1)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// colonKey is a line's first ':'-separated field (awk -F:'s $1).
func colonKey(line string) string {
	k, _, _ := strings.Cut(line, ":")
	return k
}

// blankKey is a line's first blank-separated field (awk's $1).
func blankKey(line string) string {
	if f := strings.Fields(line); len(f) > 0 {
		return f[0]
	}
	return ""
}

// putLine is the scripts' putline and putword: the first line whose key
// is key becomes text, later ones are dropped; without one, text is
// appended. Every line ends with a newline.
func putLine(b []byte, key, text string, keyOf func(string) string) []byte {
	var out bytes.Buffer
	done := false
	for _, l := range lines(b) {
		if keyOf(l) == key {
			if !done {
				out.WriteString(text + "\n")
			}
			done = true
			continue
		}
		out.WriteString(l + "\n")
	}
	if !done {
		out.WriteString(text + "\n")
	}
	return out.Bytes()
}

// hostsName gives the loopback lines of a hosts file the name name and
// drops the names in drop from them, as the scripts' hosts edit does:
// such a line is rewritten as its fields joined by tabs.
func hostsName(b []byte, name string, drop []string) []byte {
	dropped := map[string]bool{}
	for _, d := range drop {
		dropped[d] = true
	}
	var out bytes.Buffer
	for _, l := range lines(b) {
		f := strings.Fields(l)
		if len(f) == 0 || f[0] != "127.0.0.1" && f[0] != "::1" {
			out.WriteString(l + "\n")
			continue
		}
		line, seen := f[0], false
		for _, n := range f[1:] {
			if dropped[n] {
				continue
			}
			seen = seen || n == name
			line += "\t" + n
		}
		if !seen {
			line += "\t" + name
		}
		out.WriteString(line + "\n")
	}
	return out.Bytes()
}

// editScriptHead defines the scripts' line edits. Every edit replaces
// the line for the same key or appends it, so running a script twice
// changes nothing more; files are rewritten in place (cat >), so they
// keep their owner and mode.
const editScriptHead = `set -e
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
`

// shPath quotes a path for the shell when it needs it.
func shPath(p string) string {
	if isPlainPath(p) {
		return p
	}
	return shq(p)
}

// editScript renders edits as a POSIX shell script, run as root in a
// zone whose root, as the script sees it, is root ("" for a booted
// zone, "/a" in a scratch zone). It reads nothing from its command
// line and is fed on standard input, so account lines (with password
// hashes) and credentials never appear in an argv; owners are numeric,
// since the accounts the script adds are not in any passwd file yet
// when it changes owners. In a scratch zone a symbolic link among the
// zone's files resolves inside the scratch zone, which is chrooted
// below the zonepath: its /etc and /var are the zone's own, loopback
// mounted, and /usr, /lib, /sbin and /platform the global zone's,
// read-only (illumos-gate usr/src/cmd/zoneadmd/vplat.c,
// build_mounted_pre_var() and build_mounted_post_var()), so no write of
// the script reaches the global zone's files.
func editScript(edits []FileEdit, root string) string {
	var b strings.Builder
	b.WriteString(editScriptHead)
	for _, e := range edits {
		p := shPath(root + e.Path)
		switch e.Op {
		case EditLine:
			fmt.Fprintf(&b, "putline %s %s %s\n", p, shq(e.Key), shq(e.Text))
		case EditWord:
			fmt.Fprintf(&b, "putword %s %s %s\n", p, shq(e.Key), shq(e.Text))
		case EditHosts:
			fmt.Fprintf(&b, "N=%s O=%s awk '", shq(e.Text), shq(strings.Join(e.Drop, " ")))
			b.WriteString(`BEGIN { n = ENVIRON["N"]; split(ENVIRON["O"], old, " "); for (i in old) drop[old[i]] = 1 }
	$1 == "127.0.0.1" || $1 == "::1" {
		line = $1; seen = 0
		for (i = 2; i <= NF; i++) { if ($i in drop) continue; if ($i == n) seen = 1; line = line "\t" $i }
		if (!seen) line = line "\t" n
		print line; next
	}
	{ print }' `)
			fmt.Fprintf(&b, "%[1]s > %[1]s.zonemgr-new\ncat %[1]s.zonemgr-new > %[1]s\nrm -f %[1]s.zonemgr-new\n", p)
		case EditWrite:
			eof := "ZONEMGR_EOF"
			for strings.Contains("\n"+e.Text, "\n"+eof+"\n") {
				eof += "_"
			}
			text := e.Text
			if text != "" && !strings.HasSuffix(text, "\n") {
				text += "\n"
			}
			// Private until it has its owner and mode: the file may
			// hold credentials.
			fmt.Fprintf(&b, "umask 077\ncat > %s.zonemgr-new <<'%s'\n%s%s\numask 022\n", p, eof, text, eof)
			fmt.Fprintf(&b, "chown %d:%d %[3]s.zonemgr-new\nchmod %04o %[3]s.zonemgr-new\nmv -f %[3]s.zonemgr-new %[3]s\n", e.UID, e.GID, p, e.Mode.Perm())
		case EditMkdir:
			fmt.Fprintf(&b, "[ -d %[1]s ] || { mkdir -p %[1]s && chown %[2]d:%[3]d %[1]s && chmod %04[4]o %[1]s; }\n", p, e.UID, e.GID, e.Mode.Perm())
		case EditOwn:
			fmt.Fprintf(&b, "if [ -f %[1]s ]; then chown %[2]d:%[3]d %[1]s; chmod %04[4]o %[1]s; fi\n", p, e.UID, e.GID, e.Mode.Perm())
		}
	}
	return b.String()
}
