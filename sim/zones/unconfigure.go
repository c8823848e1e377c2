package zones

import (
	"crypto/rand"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"strings"

	"github.com/zonemgr/zonemgr/sim/core"
)

// This file is the ipkg brand's system-unconfigure, which the clone hook
// runs in the new zone unless given -X (common.ksh unconfigure_zone():
// "zoneadm -z $ZONENAME mount -f", "zlogin -S $ZONENAME
// /usr/lib/brand/ipkg/system-unconfigure -R /a", "zoneadm -z $ZONENAME
// unmount"), and OpenIndiana's sysding, which system-unconfigure arms for
// the zone's first boot. The sim applies the script's edits to the zone
// root directly, through an os.Root so that the zone's symbolic links
// resolve inside it, as they do under /a in the scratch zone. The mount
// and unmount around it change nothing the sim keeps.
//
// The scripts: omniosorg/pkg5 src/brand/ipkg/system-unconfigure and
// OpenIndiana/pkg5 src/brand/system-unconfigure. Both remove
// /etc/nodename (reset_networking()), so a clone boots with the zone
// name as its nodename (identity-node falls back to "uname -n"), and
// both rewrite /etc/inet/hosts. Their steps, in the scripts' order:
// reset_hosts, reset_vfstab, reset_networking, reset_init_default,
// blank_root_pw, clear_logs, disable_ldap, reset_ssh_config, and on
// OpenIndiana reset_sysding.

// unconfiguredHosts is reset_hosts()'s /etc/inet/hosts of each flavour.
var unconfiguredHosts = map[core.Flavor]string{
	core.OmniOS: "#\n# Internet host table\n#\n::1\t\tlocalhost\n127.0.0.1\tlocalhost loghost\n",
	core.OpenIndiana: `# CDDL HEADER START
#
# The contents of this file are subject to the terms of the
# Common Development and Distribution License (the "License").
# You may not use this file except in compliance with the License.
#
# You can obtain a copy of the license at usr/src/OPENSOLARIS.LICENSE
# or http://www.opensolaris.org/os/licensing.
# See the License for the specific language governing permissions
# and limitations under the License.
#
# When distributing Covered Code, include this CDDL HEADER in each
# file and include the License file at usr/src/OPENSOLARIS.LICENSE.
# If applicable, add the following below this CDDL HEADER, with the
# fields enclosed by brackets "[]" replaced with your own identifying
# information: Portions Copyright [yyyy] [name of copyright owner]
#
# CDDL HEADER END
#
# Copyright 2009 Sun Microsystems, Inc.  All rights reserved.
# Use is subject to license terms.
#
# Internet host table
#
::1		localhost
127.0.0.1	localhost loghost
`,
}

// unconfiguredRootHash is the root password hash blank_root_pw() puts in
// /etc/shadow: OmniOS's script sets the hash its pkgcreatezone also uses
// for a blank password, OpenIndiana's an empty field.
var unconfiguredRootHash = map[core.Flavor]string{
	core.OmniOS:      "$5$kr1VgdIt$OUiUAyZCDogH/uaxH71rMeQxvpDEY2yX.x0ZQRnmeb9",
	core.OpenIndiana: "",
}

// unconfiguredVfstab is reset_vfstab()'s /etc/vfstab (both flavours).
const unconfiguredVfstab = `#device		device		mount		FS	fsck	mount	mount
#to mount	to fsck		point		type	pass	at boot	options
#
/devices	-		/devices	devfs	-	no	-
/proc		-		/proc		proc	-	no	-
ctfs		-		/system/contract ctfs	-	no	-
objfs		-		/system/object	objfs	-	no	-
sharefs		-		/etc/dfs/sharetab	sharefs	-	no	-
fd		-		/dev/fd		fd	-	no	-
swap		-		/tmp		tmpfs	-	yes	-
`

// rootHashRE is blank_root_pw()'s sed expression 's%^root:[^:]*:%...%'.
var rootHashRE = regexp.MustCompile(`(?m)^root:[^:\n]*:`)

// systemUnconfigure applies system-unconfigure to the zone root at the
// real directory zoneRoot. A step that fails makes the script exit 1
// (bomb()), which unconfigure_zone() reports; the error says which.
func systemUnconfigure(zoneRoot string, f core.Flavor) error {
	r, err := os.OpenRoot(zoneRoot)
	if err != nil {
		return err
	}
	defer r.Close()
	// The script's files are written by "cat >" and "sed >" with umask
	// 022 (zoneadm.c main() sets umask(CMASK), sys/param.h CMASK 022, and
	// the hook, its zlogin -S and the script inherit it), then moved into
	// place with mv: /etc/shadow ends up mode 0644.
	replace := func(name string, data []byte, mode fs.FileMode) error {
		tmp := name + ".reset"
		if err := r.WriteFile(tmp, data, mode); err != nil {
			return err
		}
		if err := r.Chmod(tmp, mode); err != nil {
			return err
		}
		return r.Rename(tmp, name)
	}
	// reset_hosts: only when /etc/inet/hosts is a file ([[ -f ]]).
	if fi, err := r.Stat("etc/inet/hosts"); err == nil && fi.Mode().IsRegular() {
		if err := replace("etc/inet/hosts", []byte(unconfiguredHosts[f]), 0o644); err != nil {
			return fmt.Errorf("reset /etc/inet/hosts: %w", err)
		}
	}
	// reset_vfstab
	if err := replace("etc/vfstab", []byte(unconfiguredVfstab), 0o644); err != nil {
		return fmt.Errorf("reset /etc/vfstab: %w", err)
	}
	// reset_networking: rm -f of the identity and network files, and
	// the ipadm and dladm persistent configurations emptied.
	for _, name := range []string{"etc/defaultdomain", "etc/defaultrouter", "etc/nodename", "etc/resolv.conf",
		"etc/inet/netmasks", "etc/inet/static_routes"} {
		removeFile(r, name)
	}
	for _, glob := range []struct{ dir, prefix, suffix string }{
		{"etc", "hostname.", ""}, {"etc/ipadm", "", ".conf"}, {"etc/dladm", "", ".conf"},
	} {
		entries, err := fs.ReadDir(r.FS(), glob.dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasPrefix(name, glob.prefix) || !strings.HasSuffix(name, glob.suffix) {
				continue
			}
			p := path.Join(glob.dir, name)
			if glob.prefix != "" {
				removeFile(r, p)
				continue
			}
			// for file in ...; [ -f "$file" ] && cp /dev/null "$file"
			if fi, err := r.Stat(p); err == nil && fi.Mode().IsRegular() {
				if err := truncateFile(r, p); err != nil {
					return fmt.Errorf("blank /%s: %w", p, err)
				}
			}
		}
	}
	// reset_init_default(): "$SED -e 's/^TZ.*/TZ=UTC/' -i
	// $ALTROOT/etc/default/init || bomb ...", the same in both
	// flavours: a missing file fails the script.
	b, err := r.ReadFile("etc/default/init")
	if err == nil {
		tz := regexp.MustCompile(`(?m)^TZ.*$`)
		err = r.WriteFile("etc/default/init", tz.ReplaceAll(b, []byte("TZ=UTC")), 0o644)
	}
	if err != nil {
		return fmt.Errorf("Failed to reset TZ in /a/etc/default/init: %w", err)
	}
	// blank_root_pw: cat shadow | sed > shadow.blankroot; mv.
	b, err = r.ReadFile("etc/shadow")
	if err != nil {
		return fmt.Errorf("place the modified /etc/shadow: %w", err)
	}
	hash := unconfiguredRootHash[f]
	b = rootHashRE.ReplaceAllFunc(b, func([]byte) []byte { return []byte("root:" + hash + ":") })
	if err := r.WriteFile("etc/shadow.blankroot", b, 0o644); err != nil {
		return fmt.Errorf("place the modified /etc/shadow: %w", err)
	}
	if err := r.Rename("etc/shadow.blankroot", "etc/shadow"); err != nil {
		return fmt.Errorf("place the modified /etc/shadow: %w", err)
	}
	// clear_logs: rotated logs removed, the current ones emptied
	// ("cat /dev/null >", which fails without the directory and goes
	// on).
	for _, d := range []struct{ dir, prefix string }{{"var/adm", "messages."}, {"var/log", "syslog."}} {
		if entries, err := fs.ReadDir(r.FS(), d.dir); err == nil {
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), d.prefix) {
					removeFile(r, path.Join(d.dir, e.Name()))
				}
			}
		}
	}
	for _, name := range []string{"var/adm/messages", "var/log/syslog"} {
		truncateFile(r, name)
	}
	// disable_ldap: the client's cache and credentials removed, and
	// svc:/network/ldap/client:default disabled in the zone's
	// repository (svccfg setprop general/enabled=false).
	for _, name := range []string{"var/ldap/ldap_client_cache", "var/ldap/ldap_client_cred",
		"var/ldap/ldap_client_file", "var/ldap/cachemgr.log"} {
		removeFile(r, name)
	}
	rep, err := readRepository(zoneRoot)
	if err != nil {
		return err
	}
	if si := rep.Services["svc:/network/ldap/client:default"]; si != nil {
		si.Enabled, si.Temporary = false, nil
	}
	if err := resetSSHConfig(r, f); err != nil {
		return err
	}
	// reset_sysding (OpenIndiana): svc:/system/sysding:system runs again
	// at the next boot.
	if f == core.OpenIndiana {
		rep.SysdingPending = true
	}
	return rep.write(zoneRoot)
}

// resetSSHConfig is reset_ssh_config() of each flavour's
// system-unconfigure: PermitRootLogin set to no in sshd_config, and new
// host keys in place of the golden zone's, so that no two clones share
// them. OmniOS (omniosorg/pkg5 src/brand/ipkg/system-unconfigure) skips
// the step without /etc/ssh and the sed without sshd_config, moves the
// rsa, ecdsa and ed25519 keys it finds aside, runs "ssh-keygen -A" and
// removes the old ones; OpenIndiana (OpenIndiana/pkg5
// src/brand/system-unconfigure) seds sshd_config unconditionally (a
// missing one fails the script), moves the rsa and dsa keys aside (a
// failed mv is not checked) and makes new rsa and dsa keys. The sim's
// keys are random text, not keys [sim]; which types "ssh-keygen -A -f
// .../ssh_host_rsa_key" makes on OmniOS is [unconfirmed]: the three the
// script moves aside.
func resetSSHConfig(r *os.Root, f core.Flavor) error {
	const cfg = "etc/ssh/sshd_config"
	algos := []string{"rsa", "dsa"}
	if f == core.OmniOS {
		if fi, err := r.Stat("etc/ssh"); err != nil || !fi.IsDir() {
			return nil
		}
		algos = []string{"rsa", "ecdsa", "ed25519"}
	}
	b, err := r.ReadFile(cfg)
	switch {
	case err == nil:
		permit := regexp.MustCompile(`(?m)^PermitRootLogin.*$`)
		if err := r.WriteFile(cfg, permit.ReplaceAll(b, []byte("PermitRootLogin no")), 0o644); err != nil {
			return fmt.Errorf("Failed to update PermitRootLogin in /a/%s: %w", cfg, err)
		}
	case f == core.OpenIndiana || !os.IsNotExist(err):
		return fmt.Errorf("Failed to update PermitRootLogin in /a/%s: %w", cfg, err)
	}
	for _, a := range algos {
		for _, k := range []string{"etc/ssh/ssh_host_" + a + "_key", "etc/ssh/ssh_host_" + a + "_key.pub"} {
			r.Rename(k, k+".old")
		}
	}
	for _, a := range algos {
		key := "etc/ssh/ssh_host_" + a + "_key"
		secret := make([]byte, 16)
		rand.Read(secret)
		if err := r.WriteFile(key, []byte(fmt.Sprintf("simulated %s host key %x\n", a, secret)), 0o600); err != nil {
			return fmt.Errorf("Failed to create new host key /a/%s: %w", key, err)
		}
		if err := r.WriteFile(key+".pub", []byte(fmt.Sprintf("ssh-%s simulated-%x root@unknown\n", a, secret[:4])), 0o644); err != nil {
			return fmt.Errorf("Failed to create new host key /a/%s.pub: %w", key, err)
		}
	}
	for _, a := range algos {
		for _, k := range []string{"etc/ssh/ssh_host_" + a + "_key.old", "etc/ssh/ssh_host_" + a + "_key.pub.old"} {
			r.Remove(k)
		}
	}
	return nil
}

// removeFile is rm -f of a file of the zone root: a missing file is no
// error, and one that cannot be removed (a directory) leaves the script
// going on.
func removeFile(r *os.Root, name string) {
	r.Remove(name)
}

// truncateFile is "cat /dev/null > file" (or "cp /dev/null file"): the
// file emptied, or created with mode 0644 when missing.
func truncateFile(r *os.Root, name string) error {
	fh, err := r.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	return fh.Close()
}

// sysdingFirstBoot is what OpenIndiana's svc:/system/sysding:system does
// at a boot after system-unconfigure set its config/finished to false
// (OpenIndiana/sysding sysding: runcheck(), the sourcing of
// /etc/sysding.conf [not simulated], finish(), and in a non-global zone
// whose root has an empty password hash, setup_user_password root NP,
// an ed substitution ",s,^root:[^:.]*:,root:NP:,g" of /etc/shadow that
// keeps the file's mode). It runs with the zone's services, at boot.
func sysdingFirstBoot(zoneRoot string) error {
	r, err := os.OpenRoot(zoneRoot)
	if err != nil {
		return err
	}
	defer r.Close()
	removeFile(r, "etc/.UNCONFIGURED")
	b, err := r.ReadFile("etc/shadow")
	if err != nil {
		return nil
	}
	// get_user_password root: the second field of root's line.
	hash := ""
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Split(line, ":"); len(f) > 1 && f[0] == "root" {
			hash = f[1]
			break
		}
	}
	if hash != "" {
		return nil
	}
	re := regexp.MustCompile(`(?m)^root:[^:.\n]*:`)
	fh, err := r.OpenFile("etc/shadow", os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return nil
	}
	defer fh.Close()
	_, err = fh.Write(re.ReplaceAll(b, []byte("root:NP:")))
	return err
}
