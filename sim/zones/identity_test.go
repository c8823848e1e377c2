package zones

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/pkg"
)

// goldenIdentity gives the installed zone "golden" the identity a zone
// has after it ran: a nodename, a hosts entry, network files, an LDAP
// client, a user.
func goldenIdentity(t *testing.T, s *sim) {
	t.Helper()
	root := filepath.Join(s.root, "zones/golden/root")
	for name, text := range map[string]string{
		"etc/nodename":              "golden\n",
		"etc/resolv.conf":           "nameserver 10.0.0.1\n",
		"etc/defaultrouter":         "10.0.0.1\n",
		"etc/hostname.net0":         "10.0.0.5\n",
		"etc/ipadm/ipadm.conf":      "_ifname=net0;_family=2,26;\n",
		"var/ldap/ldap_client_file": "NS_LDAP_SERVERS= ldap1\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	appendFile(t, filepath.Join(root, "etc/inet/hosts"), "10.0.0.5\tgolden\n")
	appendFile(t, filepath.Join(root, "etc/passwd"), "builder:x:1003:10:Builder:/export/home/builder:/bin/sh\n")
	appendFile(t, filepath.Join(root, "etc/shadow"), "builder:NP:::::::\n")
	s.must("zoneadm", "-z", "golden", "boot")
	s.must("zlogin", "golden", "svcadm enable network/ldap/client")
	s.must("zoneadm", "-z", "golden", "halt")
}

// TestCloneUnconfigure: the ipkg clone hook runs system-unconfigure in
// the new zone (omniosorg/pkg5 src/brand/ipkg/system-unconfigure,
// OpenIndiana/pkg5 src/brand/system-unconfigure): the nodename and the
// network files go, hosts, vfstab and root's password are reset, the
// LDAP client is disabled; OpenIndiana's sysding then gives root the NP
// password at the first boot. What the global zone writes into the clone
// before that boot stays.
func TestCloneUnconfigure(t *testing.T) {
	for _, f := range core.Flavors {
		t.Run(string(f), func(t *testing.T) {
			s := newSimFlavor(t, f)
			s.installed("golden")
			goldenIdentity(t, s)
			s.configure("b1", basicConfig("b1"))
			check(t, "clone", s.run("zoneadm", "-z", "b1", "clone", "golden"), "", "", 0)
			root := filepath.Join(s.root, "zones/b1/root")
			for _, gone := range []string{"etc/nodename", "etc/resolv.conf", "etc/defaultrouter", "etc/hostname.net0",
				"var/ldap/ldap_client_file"} {
				if _, err := os.Lstat(filepath.Join(root, gone)); !os.IsNotExist(err) {
					t.Errorf("%s survives the clone: %v", gone, err)
				}
			}
			wantFile := func(name, text string, mode os.FileMode) {
				t.Helper()
				fi, err := os.Stat(filepath.Join(root, name))
				b, _ := os.ReadFile(filepath.Join(root, name))
				if err != nil || string(b) != text || fi.Mode().Perm() != mode {
					t.Errorf("%s: %q mode %v (%v), want %q mode %v", name, b, fi.Mode().Perm(), err, text, mode)
				}
			}
			wantFile("etc/inet/hosts", unconfiguredHosts[f], 0o644)
			wantFile("etc/vfstab", unconfiguredVfstab, 0o644)
			wantFile("etc/ipadm/ipadm.conf", "", 0o644)
			// blank_root_pw() rebuilds shadow with "sed >": mode 0644.
			rootLine := map[core.Flavor]string{
				core.OmniOS:      "root:$5$kr1VgdIt$OUiUAyZCDogH/uaxH71rMeQxvpDEY2yX.x0ZQRnmeb9:6445::::::\n",
				core.OpenIndiana: "root::6445::::::\n",
			}[f]
			shadow, _ := os.ReadFile(filepath.Join(root, "etc/shadow"))
			if !strings.HasPrefix(string(shadow), rootLine) || !strings.HasSuffix(string(shadow), "builder:NP:::::::\n") {
				t.Errorf("shadow after the clone:\n%s", shadow)
			}
			wantFile("etc/shadow", string(shadow), 0o644)
			// The golden zone keeps its identity.
			if b, _ := os.ReadFile(filepath.Join(s.root, "zones/golden/root/etc/nodename")); string(b) != "golden\n" {
				t.Errorf("golden nodename %q", b)
			}

			// Identity written from the global zone before the first
			// boot is what the zone boots with.
			os.WriteFile(filepath.Join(root, "etc/nodename"), []byte("build-b1\n"), 0o644)
			appendFile(t, filepath.Join(root, "etc/inet/hosts"), "127.0.0.1\tbuild-b1\n")
			appendFile(t, filepath.Join(root, "etc/passwd"), "jenkins:x:1001:1001::/export/home/jenkins:/bin/sh\n")
			appendFile(t, filepath.Join(root, "etc/shadow"), "jenkins:NP:::::::\n")
			s.must("zoneadm", "-z", "b1", "boot")
			check(t, "nodename", s.run("zlogin", "b1", "uname -n; cat /etc/nodename; tail -1 /etc/inet/hosts; grep -c jenkins /etc/passwd /etc/shadow"),
				"build-b1\nbuild-b1\n127.0.0.1\tbuild-b1\n/etc/passwd:1\n/etc/shadow:1\n", "", 0)
			check(t, "ldap client", s.run("svcs", "-z", "b1", "-H", "-o", "state", "network/ldap/client"), "disabled\n", "", 0)
			// OpenIndiana's sysding gives an empty root password NP at
			// the first boot, with ed, in place.
			firstBoot := map[core.Flavor]string{core.OmniOS: rootLine, core.OpenIndiana: "root:NP:6445::::::\n"}[f]
			shadow, _ = os.ReadFile(filepath.Join(root, "etc/shadow"))
			if !strings.HasPrefix(string(shadow), firstBoot) || !strings.HasSuffix(string(shadow), "jenkins:NP:::::::\n") {
				t.Errorf("shadow after the first boot:\n%s", shadow)
			}
			wantFile("etc/shadow", string(shadow), 0o644)
			// Only once: a root password set later stays.
			s.must("zlogin", "b1", "sed -i 's/^root:NP:/root::/' /etc/shadow")
			s.must("zoneadm", "-z", "b1", "reboot")
			check(t, "second boot", s.run("zlogin", "b1", "grep -c '^root::' /etc/shadow"), map[core.Flavor]string{
				core.OmniOS: "0\n", core.OpenIndiana: "1\n"}[f], "", map[core.Flavor]int{core.OmniOS: 1, core.OpenIndiana: 0}[f])
		})
	}
}

// TestCloneNoUnconfigure: "clone -X" skips the unconfiguration, and the
// hook's "zoneadm mount -f" is never undone: the clone is left mounted
// with the source zone's identity.
func TestCloneNoUnconfigure(t *testing.T) {
	s := newSim(t)
	s.installed("golden")
	goldenIdentity(t, s)
	s.configure("b1", basicConfig("b1"))
	check(t, "clone -X", s.run("zoneadm", "-z", "b1", "clone", "-X", "golden"), "", "", 0)
	if st := s.stateOf("b1"); st != "mounted" {
		t.Errorf("b1 is %s after clone -X", st)
	}
	check(t, "identity kept", s.run("zlogin", "-S", "b1", "cat /a/etc/nodename /etc/resolv.conf"), "golden\nnameserver 10.0.0.1\n", "", 0)
	check(t, "boot", s.run("zoneadm", "-z", "b1", "boot"), "",
		"zone 'b1': boot operation is invalid for zones in state 'mounted'\nzoneadm: zone 'b1': call to zoneadmd failed\n", 1)
	s.must("zoneadm", "-z", "b1", "unmount")
	s.must("zoneadm", "-z", "b1", "boot")
	check(t, "nodename", s.run("zlogin", "b1", "uname -n"), "golden\n", "", 0)
}

// TestScratchZone: a mounted zone runs in its scratch root
// (vplat.c build_mounted_pre_var(), build_mounted_post_var()): its root on
// /a and its /etc and /var read-write, the system directories read-only,
// everything else gone at unmount; no SMF runs there.
func TestScratchZone(t *testing.T) {
	s := newSim(t)
	s.installed("m1")
	s.must("zoneadm", "-z", "m1", "mount")
	lu := filepath.Join(s.root, "zones/m1/lu")
	tests := []loginCase{
		{"zone root on /a", "test -f /a/etc/passwd && test -d /a/usr/bin", "", "", 0},
		{"write through /a", "echo a > /a/root/from-a", "", "", 0},
		{"write to /etc", "echo e > /etc/from-etc", "", "", 0},
		{"write to /var", "echo v > /var/tmp/from-var", "", "", 0},
		{"write to the scratch root", "mkdir -p /export/home/x && echo s > /export/home/x/f", "", "", 0},
		{"same file through /etc and /a/etc", "cat /a/etc/from-etc", "e\n", "", 0},
		{"read-only /usr", "touch /usr/x", "", "touch: /usr/x: Read-only file system\n", 1},
		{"/var/run is a tmpfs", "echo r > /var/run/r", "", "", 0},
		{"/tmp", "echo t > /tmp/t && cat /tmp/t", "t\n", "", 0},
		{"no SMF", "svcs -H -o state milestone/multi-user", "", "svcs: Could not bind to repository server: repository server unavailable.  Exiting.\n", 1},
	}
	s.checkLogins(tests, "-S", "m1")
	check(t, "no mounts left on the host", s.run("zlogin", "-S", "m1", "true"), "", "", 0)
	if b, err := os.ReadFile("/proc/self/mountinfo"); err != nil || strings.Contains(string(b), lu) {
		t.Errorf("a scratch mount is visible on the host (%v)", err)
	}
	s.must("zoneadm", "-z", "m1", "unmount")
	root := filepath.Join(s.root, "zones/m1/root")
	for name, text := range map[string]string{"root/from-a": "a\n", "etc/from-etc": "e\n", "var/tmp/from-var": "v\n"} {
		if b, err := os.ReadFile(filepath.Join(root, name)); err != nil || string(b) != text {
			t.Errorf("%s after unmount: %q %v", name, b, err)
		}
	}
	for _, gone := range []string{filepath.Join(root, "export/home/x"), filepath.Join(root, "var/run/r"), lu} {
		if _, err := os.Lstat(gone); !os.IsNotExist(err) {
			t.Errorf("%s after unmount: %v", gone, err)
		}
	}
	check(t, "login after unmount", s.run("zlogin", "-S", "m1", "true"), "",
		"zlogin: login allowed only to running zones (m1 is 'installed').\n", 1)
}

// TestPkgZoneImage: "pkg -R <zone root>" in the global zone works on an
// installed zone's image while the zone is halted (the zone root stays
// mounted after install and halt, mount_active_ds()): a linked child,
// whose "nothing to do" says so (client.py display_plan()); "list -u"
// has no row and exits 1 when nothing is newer (client_api.py
// _list_inventory()). A caller who cannot search the 0700 zonepath finds
// no image there.
func TestPkgZoneImage(t *testing.T) {
	for _, f := range core.Flavors {
		t.Run(string(f), func(t *testing.T) {
			s := newSimFlavor(t, f)
			s.installed("g1")
			const img = "/zones/g1/root"
			check(t, "update -n, nothing to do", s.run("pkg", "-R", img, "update", "-n"),
				"No updates available for this image. (zone:g1)\n", "", 4)
			check(t, "install of an installed package", s.run("pkg", "-R", img, "install", "-n", "shell/bash"),
				"No updates necessary for this image. (zone:g1)\n", "", 4)
			check(t, "list -u, nothing newer", s.run("pkg", "-R", img, "list", "-u"), "",
				"pkg list: no packages have newer versions available\n", 1)
			check(t, "the global zone's own image", s.run("pkg", "update", "-n"), "No updates available for this image.\n", "", 4)
			old := s.must("pkg", "-R", img, "list", "-H", "shell/bash")
			if err := pkg.Publish(s.root, "shell/bash", "5.2.22-1.0"); err != nil {
				t.Fatal(err)
			}
			check(t, "update -n", s.run("pkg", "-R", img, "update", "-n"),
				"            Packages to update:  1\n       Create boot environment: No\nCreate backup boot environment: No\n\n", "", 0)
			check(t, "list -u", s.run("pkg", "-R", img, "list", "-H", "-u"), old, "", 0)
			check(t, "a dry run changes nothing", s.run("pkg", "-R", img, "list", "-H", "shell/bash"), old, "", 0)
			const jim, jenkins = "ILLUMOS_SIM_UID=1002", "ILLUMOS_SIM_UID=1001"
			noImage := "pkg: No image rooted at '" + img + "'\n"
			check(t, "ordinary user", s.runEnv([]string{jim}, "", "pkg", "-R", img, "update", "-n"), "", noImage, 1)
			check(t, "zone profiles under pfexec", s.runEnv([]string{jim}, "", "pfexec", "pkg", "-R", img, "update", "-n"), "", noImage, 1)
			checkCode(t, "ordinary user, global zone image", s.runEnv([]string{jim}, "", "pkg", "list", "-H", "entire").code, 0)
			checkCode(t, "Primary Administrator under pfexec", s.runEnv([]string{jenkins}, "", "pfexec", "pkg", "-R", img, "update", "-n").code, 0)
			// pkg5's exec_attr.d/package:pkg: Software Installation runs
			// pkg as uid 0.
			appendFile(t, filepath.Join(s.root, "etc/user_attr"), "builder::::profiles=Software Installation\n")
			checkCode(t, "Software Installation under pfexec", s.runEnv([]string{"ILLUMOS_SIM_UID=1003"}, "", "pfexec", "pkg", "-R", img, "update", "-n").code, 0)
			check(t, "Software Installation without pfexec", s.runEnv([]string{"ILLUMOS_SIM_UID=1003"}, "", "pkg", "-R", img, "update", "-n"), "", noImage, 1)
			s.must("zoneadm", "-z", "g1", "boot")
			checkCode(t, "running zone", s.run("pkg", "-R", img, "update", "-n").code, 0)
			check(t, "inside the zone", s.run("zlogin", "g1", "pkg list -H -u"), old, "", 0)
		})
	}
}

// checkCode compares an exit code.
func checkCode(t *testing.T, what string, got, want int) {
	t.Helper()
	if got != want {
		t.Errorf("%s: exit %d, want %d", what, got, want)
	}
}

// TestInstalledRoot: a new zone's root account is SUNWcs's with an empty
// password, which OmniOS's pkgcreatezone replaces with a blank
// password's hash and OpenIndiana's sysding replaces with NP at the first
// boot; /etc/shadow keeps mode 0400.
func TestInstalledRoot(t *testing.T) {
	for _, f := range core.Flavors {
		t.Run(string(f), func(t *testing.T) {
			s := newSimFlavor(t, f)
			s.installed("z1")
			shadow := filepath.Join(s.root, "zones/z1/root/etc/shadow")
			rootLine := func() string {
				t.Helper()
				b, err := os.ReadFile(shadow)
				if err != nil {
					t.Fatal(err)
				}
				fi, _ := os.Stat(shadow)
				if fi.Mode().Perm() != 0o400 {
					t.Errorf("shadow mode %v", fi.Mode().Perm())
				}
				line, _, _ := strings.Cut(string(b), "\n")
				return line
			}
			installed := map[core.Flavor]string{
				core.OmniOS:      "root:$5$kr1VgdIt$OUiUAyZCDogH/uaxH71rMeQxvpDEY2yX.x0ZQRnmeb9:6445::::::",
				core.OpenIndiana: "root::6445::::::",
			}[f]
			if got := rootLine(); got != installed {
				t.Errorf("installed: %q, want %q", got, installed)
			}
			s.must("zoneadm", "-z", "z1", "boot")
			booted := map[core.Flavor]string{core.OmniOS: installed, core.OpenIndiana: "root:NP:6445::::::"}[f]
			if got := rootLine(); got != booted {
				t.Errorf("booted: %q, want %q", got, booted)
			}
		})
	}
}

// TestCloneResetsInitAndSSH: system-unconfigure's reset_init_default()
// sets TZ=UTC and reset_ssh_config() sets PermitRootLogin no and gives
// each clone host keys of its own; without /etc/default/init (both
// flavours) or, on OpenIndiana, without sshd_config, the script fails
// and so does the clone. OmniOS skips the ssh step without /etc/ssh.
func TestCloneResetsInitAndSSH(t *testing.T) {
	for _, f := range core.Flavors {
		t.Run(string(f), func(t *testing.T) {
			s := newSimFlavor(t, f)
			s.installed("golden")
			groot := filepath.Join(s.root, "zones/golden/root")
			os.WriteFile(filepath.Join(groot, "etc/ssh/sshd_config"), []byte("Port 22\nPermitRootLogin yes\n"), 0o644)
			os.WriteFile(filepath.Join(groot, "etc/ssh/ssh_host_rsa_key"), []byte("golden key\n"), 0o600)
			keys := map[core.Flavor][]string{core.OmniOS: {"rsa", "ecdsa", "ed25519"}, core.OpenIndiana: {"rsa", "dsa"}}[f]
			hostKeys := map[string]string{}
			for _, z := range []string{"b1", "b2"} {
				s.configure(z, basicConfig(z))
				check(t, "clone "+z, s.run("zoneadm", "-z", z, "clone", "golden"), "", "", 0)
				root := filepath.Join(s.root, "zones", z, "root")
				if b, _ := os.ReadFile(filepath.Join(root, "etc/default/init")); string(b) != "TZ=UTC\nCMASK=022\n" {
					t.Errorf("%s /etc/default/init: %q", z, b)
				}
				if b, _ := os.ReadFile(filepath.Join(root, "etc/ssh/sshd_config")); string(b) != "Port 22\nPermitRootLogin no\n" {
					t.Errorf("%s sshd_config: %q", z, b)
				}
				for _, a := range keys {
					k := filepath.Join(root, "etc/ssh/ssh_host_"+a+"_key")
					b, err := os.ReadFile(k)
					fi, _ := os.Stat(k)
					if err != nil || string(b) == "golden key\n" || fi.Mode().Perm() != 0o600 || hostKeys[string(b)] != "" {
						t.Errorf("%s %s host key %q (%v) is not a new one of its own", z, a, b, err)
					}
					hostKeys[string(b)] = z
					if _, err := os.Stat(k + ".pub"); err != nil {
						t.Errorf("%s: no public %s key: %v", z, a, err)
					}
				}
				if old, _ := filepath.Glob(filepath.Join(root, "etc/ssh/*.old")); len(old) != 0 {
					t.Errorf("%s keeps the old keys: %v", z, old)
				}
			}
			fails := func(name string, change func()) {
				t.Helper()
				change()
				z := "f" + strconv.Itoa(len(name))
				s.configure(z, basicConfig(z))
				r := s.run("zoneadm", "-z", z, "clone", "golden")
				if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "Zone unconfiguration failed") {
					t.Errorf("%s: clone exit %d\n%s%s", name, r.code, r.stdout, r.stderr)
				}
			}
			os.Remove(filepath.Join(groot, "etc/ssh/sshd_config"))
			if f == core.OpenIndiana {
				fails("no sshd_config", func() {})
			} else {
				os.RemoveAll(filepath.Join(groot, "etc/ssh"))
				s.configure("o1", basicConfig("o1"))
				check(t, "OmniOS without /etc/ssh", s.run("zoneadm", "-z", "o1", "clone", "golden"), "", "", 0)
			}
			fails("no /etc/default/init", func() {
				os.MkdirAll(filepath.Join(groot, "etc/ssh"), 0o755)
				os.WriteFile(filepath.Join(groot, "etc/ssh/sshd_config"), []byte("PermitRootLogin yes\n"), 0o644)
				os.Remove(filepath.Join(groot, "etc/default/init"))
			})
		})
	}
}
