package zones

import (
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/zonemgr/zonemgr/sim/core"
)

// busyboxPath is the host's static busybox (Debian package busybox-static).
const busyboxPath = "/bin/busybox"

// hostBash is the host's bash, copied into zone roots as /usr/bin/bash.
const hostBash = "/bin/bash"

// errNotInstalled is what populateRoot reports when the host lacks the
// static busybox the zone root is built from.
var errNotInstalled = errors.New("/bin/busybox not found: install the Debian package busybox-static")

// applets are the busybox commands a zone root gets in /usr/bin.
var applets = []string{"sh", "ash", "ls", "cat", "echo", "id", "mkdir", "rmdir", "rm", "cp", "mv",
	"ln", "touch", "sleep", "true", "false", "env", "pwd", "grep", "egrep", "fgrep", "sed", "awk",
	"head", "tail", "wc", "test", "[", "chmod", "chown", "chgrp", "su", "date", "uname", "find",
	"tar", "gzip", "gunzip", "zcat", "sort", "uniq", "tr", "cut", "xargs", "kill", "printf", "yes",
	"dd", "seq", "whoami", "basename", "dirname", "stat", "expr", "readlink",
	"realpath", "tee", "mktemp", "diff", "cmp", "od", "md5sum", "sha256sum", "nproc", "timeout",
	"which", "vi", "less", "more", "logname", "groups", "tty", "sync", "du", "df", "patch", "xz", "bzip2"}

// simTools are the sim's own commands a zone root carries, at the paths
// illumos installs them (and its /sbin copies or links); they run with
// ILLUMOS_SIM_ZONE set and act on the zone (userland.go). hostname and
// uname replace busybox's, which would show the Linux host.
var simTools = []string{"usr/bin/pkg", "usr/bin/svcs", "usr/sbin/svcadm",
	"usr/bin/hostname", "usr/bin/uname", "sbin/uname", "usr/bin/getent",
	"sbin/init", "usr/sbin/init", "usr/sbin/shutdown",
	"usr/sbin/halt", "usr/sbin/poweroff", "usr/sbin/reboot",
	"sbin/ifconfig", "usr/sbin/ifconfig", "sbin/dladm", "usr/sbin/dladm", "sbin/zfs", "usr/sbin/zfs"}

// zoneFiles are the account and identity files of a fresh zone root
// (OpenIndiana's defaults; root's shell is the zone's /bin/sh). shadow is
// SUNWcs's (illumos-gate usr/src/cmd/Adm/sun/shadow: root with an empty
// password), which install.go installedRoot() then changes as the
// flavour's pkgcreatezone does.
var zoneFiles = []struct {
	path string
	mode os.FileMode
	text string
}{
	{"etc/passwd", 0o644, `root:x:0:0:Super-User:/root:/bin/sh
daemon:x:1:1::/:
bin:x:2:2::/usr/bin:
sys:x:3:3::/:
adm:x:4:4:Admin:/var/adm:
nobody:x:60001:60001:NFS Anonymous Access User:/:
noaccess:x:60002:60002:No Access User:/:
`},
	{"etc/shadow", 0o400, `root::6445::::::
daemon:NP:6445::::::
bin:NP:6445::::::
sys:NP:6445::::::
adm:NP:6445::::::
nobody:*LK*:6445::::::
noaccess:*LK*:6445::::::
`},
	{"etc/group", 0o644, `root::0:
other::1:root
bin::2:root,daemon
sys::3:root,bin,adm
adm::4:root,daemon
staff::10:
nobody::60001:
noaccess::60002:
`},
	{"etc/user_attr", 0o644, `#
# The system provided entries are stored in different files
# under "/etc/user_attr.d".  They should not be copied to this file.
#
# Only local changes should be stored in this file.
#
root::::type=role;auths=solaris.*,solaris.grant;profiles=All;lock_after_retries=no;min_label=admin_low;clearance=admin_high
`},
	// SUNWcs's etc/default/init (illumos-gate usr/src/cmd/init/init.dfl,
	// without its comment block), which system-unconfigure's
	// reset_init_default() edits.
	{"etc/default/init", 0o644, "TZ=PST8PDT\nCMASK=022\n"},
	// SUNWcs's etc/inet/hosts (illumos-gate usr/src/cmd/cmd-inet/etc/hosts),
	// the text OpenIndiana's system-unconfigure also resets it to.
	{"etc/inet/hosts", 0o644, unconfiguredHosts[core.OpenIndiana]},
	{"etc/release", 0o444, `             OpenIndiana Hipster 2024.04 (powered by illumos)
        OpenIndiana Project, part of The Illumos Foundation (C) 2010-2024
                        Use is subject to license terms.
                           Assembled 30 April 2024
`},
}

// populateRoot builds a zone root under the real directory dir: the
// illumos directory layout (/bin a link to usr/bin), the account and
// identity files, a static busybox with its applets, and the sim's tools.
// No /etc/nodename: no package delivers one (illumos-gate
// usr/src/pkg/manifests/SUNWcs.mf has etc/inet/hosts and the etc/hosts
// link only) and neither flavour's pkgcreatezone writes one, so a new
// zone boots with its zone name as nodename (illumos-gate
// usr/src/cmd/svc/milestone/identity-node's fallback to
// "uname -n").
func populateRoot(dir string) error {
	for _, d := range []struct {
		p    string
		mode os.FileMode
	}{
		{"", 0o755}, {"usr/bin", 0o755}, {"usr/sbin", 0o755}, {"usr/lib", 0o755}, {"sbin", 0o755},
		{"etc/inet", 0o755}, {"etc/svc", 0o755}, {"etc/dhcp", 0o755}, {"var/pkg", 0o755}, {"var/svc", 0o755},
		{"var/tmp", 0o777 | os.ModeSticky}, {"var/log", 0o755}, {"tmp", 0o777 | os.ModeSticky}, {"root", 0o700},
		{"export/home", 0o755}, {"dev", 0o755}, {"proc", 0o555}, {"opt", 0o755},
		{"lib", 0o755}, {"system", 0o755},
	} {
		p := filepath.Join(dir, d.p)
		if err := os.MkdirAll(p, 0o755); err != nil {
			return fmt.Errorf("populate zone root: %w", err)
		}
		if err := os.Chmod(p, d.mode); err != nil {
			return fmt.Errorf("populate zone root: %w", err)
		}
	}
	links := map[string]string{"bin": "usr/bin", "etc/hosts": "./inet/hosts"}
	for _, f := range zoneFiles {
		if err := writeFileMode(filepath.Join(dir, f.path), []byte(f.text), f.mode); err != nil {
			return fmt.Errorf("populate zone root: %w", err)
		}
	}
	if _, err := os.Stat(busyboxPath); err != nil {
		return errNotInstalled
	}
	if err := copyExecutable(busyboxPath, dir, "usr/bin/busybox"); err != nil {
		return err
	}
	for _, a := range applets {
		links["usr/bin/"+a] = "busybox"
	}
	// The zone's shell/bash package (install.go basePackages), the shell
	// of the accounts a zone usually gets: the host's bash with its
	// libraries, when the host has one.
	if _, err := os.Stat(hostBash); err == nil {
		if err := copyExecutable(hostBash, dir, "usr/bin/bash"); err != nil {
			return err
		}
	}
	links["sbin/sh"] = "../usr/bin/busybox"
	if err := makeDevices(dir); err != nil {
		return err
	}
	self, err := os.Executable()
	if err == nil {
		self, err = filepath.EvalSymlinks(self)
	}
	if err != nil {
		return fmt.Errorf("populate zone root: find the illumos-sim binary: %w", err)
	}
	if err := copyExecutable(self, dir, "usr/lib/illumos-sim"); err != nil {
		return err
	}
	for _, t := range simTools {
		rel, _ := filepath.Rel(filepath.Dir(t), "usr/lib/illumos-sim")
		links[t] = rel
	}
	for name, target := range links {
		p := filepath.Join(dir, name)
		os.Remove(p)
		if err := os.Symlink(target, p); err != nil {
			return fmt.Errorf("populate zone root: %w", err)
		}
	}
	return nil
}

// zoneDevices are the device nodes every zone has in /dev, with their
// (Linux) major and minor numbers, since commands run chrooted on Linux.
var zoneDevices = []struct {
	name         string
	major, minor uint32
}{{"null", 1, 3}, {"zero", 1, 5}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}}

// makeDevices creates the zone's device nodes (the sim runs as root, as
// zoneadm does).
func makeDevices(dir string) error {
	for _, d := range zoneDevices {
		p := filepath.Join(dir, "dev", d.name)
		os.Remove(p)
		// Linux's encoding of (major, minor) for the small numbers used here.
		dev := int(d.major<<8 | d.minor)
		if err := syscall.Mknod(p, syscall.S_IFCHR|0o666, dev); err != nil {
			return fmt.Errorf("populate zone root: /dev/%s: %w", d.name, err)
		}
		if err := os.Chmod(p, 0o666); err != nil {
			return fmt.Errorf("populate zone root: /dev/%s: %w", d.name, err)
		}
	}
	return nil
}

// writeFileMode writes a file and sets its mode exactly.
func writeFileMode(p string, data []byte, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	os.Remove(p)
	if err := os.WriteFile(p, data, mode); err != nil {
		return err
	}
	return os.Chmod(p, mode)
}

// copyExecutable copies a host binary into the zone root; a dynamically
// linked one gets its ELF interpreter and libraries copied along, so it
// runs chrooted.
func copyExecutable(src, root, rel string) error {
	if err := copyFile(src, filepath.Join(root, rel), 0o755); err != nil {
		return fmt.Errorf("populate zone root: copy %s: %w", src, err)
	}
	deps, err := elfDependencies(src)
	if err != nil {
		return fmt.Errorf("populate zone root: %w", err)
	}
	for _, d := range deps {
		dst := filepath.Join(root, d)
		if _, err := os.Stat(dst); err == nil {
			continue
		}
		if err := copyFile(d, dst, 0o755); err != nil {
			return fmt.Errorf("populate zone root: copy %s: %w", d, err)
		}
	}
	return nil
}

// libDirs are where a host's shared libraries live.
var libDirs = []string{"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/lib", "/usr/lib"}

// elfDependencies returns the interpreter and the needed libraries of a
// dynamically linked ELF binary (none for a static one).
func elfDependencies(bin string) ([]string, error) {
	f, err := elf.Open(bin)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", bin, err)
	}
	defer f.Close()
	var out []string
	for _, p := range f.Progs {
		if p.Type != elf.PT_INTERP {
			continue
		}
		b, err := io.ReadAll(p.Open())
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", bin, err)
		}
		out = append(out, strings.TrimRight(string(b), "\x00"))
	}
	if len(out) == 0 {
		return nil, nil
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", bin, err)
	}
	for _, l := range libs {
		for _, d := range libDirs {
			p := filepath.Join(d, l)
			if _, err := os.Stat(p); err == nil {
				out = append(out, p)
				break
			}
		}
	}
	return out, nil
}

// copyFile copies a regular file (following symlinks) with a mode.
func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	os.Remove(dst)
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Chmod(dst, mode)
}
