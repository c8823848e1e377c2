package zones

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// zoneState returns the state field of a zone's "zoneadm list -cp" line.
func zoneState(t *testing.T, s *sim, zone string) string {
	t.Helper()
	for _, line := range strings.Split(s.must("zoneadm", "list", "-cp"), "\n") {
		f := strings.Split(line, ":")
		if len(f) > 2 && f[1] == zone {
			return f[2]
		}
	}
	t.Fatalf("zone %s not listed", zone)
	return ""
}

// zoneID returns the zone id field of a zone's "zoneadm list -cp" line.
func zoneID(t *testing.T, s *sim, zone string) string {
	t.Helper()
	for _, line := range strings.Split(s.must("zoneadm", "list", "-cp"), "\n") {
		if f := strings.Split(line, ":"); len(f) > 2 && f[1] == zone {
			return f[0]
		}
	}
	t.Fatalf("zone %s not listed", zone)
	return ""
}

func TestZoneNodename(t *testing.T) {
	s := newSim(t)
	s.running("z1")
	addBuilder(t, s, "z1")
	tests := []loginCase{
		{"hostname", "hostname", "z1\n", "", 0},
		{"uname -n", "uname -n", "z1\n", "", 0},
		{"sim hostname", "/usr/bin/hostname", "z1\n", "", 0},
		{"sim uname -n", "/usr/bin/uname -n", "z1\n", "", 0},
		{"sim uname", "/usr/bin/uname", "SunOS\n", "", 0},
		{"sim uname -snrmpi", "/usr/bin/uname -snrmpi", "SunOS z1 5.11 i86pc i386 i86pc\n", "", 0},
		{"sim uname -a", "/usr/bin/uname -a", "SunOS z1 5.11 omnios-r151054-3c1e4b2a9d i86pc i386 i86pc\n", "", 0},
		{"uname usage", "/usr/bin/uname -S a -n", "", "usage:\tuname [-snrvmapiX]\n\tuname [-S system_name]\n", 1},
		{"hostname usage", "/usr/bin/hostname a b", "", "usage: hostname [-s] [system_name]\n", 1},
		{"/etc/dhcp", "test -d /etc/dhcp", "", "", 0},
	}
	s.checkLogins(tests, "z1")
	check(t, "set by a user", s.run("zlogin", "-l", "builder", "z1", "/usr/bin/hostname other"),
		"", "hostname: error in setting name: Not owner\n", 1)
	check(t, "set by root", s.run("zlogin", "z1", "/usr/bin/hostname other; /usr/bin/hostname; hostname"), "other\nother\n", "", 0)
	check(t, "next session", s.run("zlogin", "z1", "hostname; uname -n"), "other\nother\n", "", 0)

	// At boot svc:/system/identity:node sets the nodename from
	// /etc/nodename; several words leave the zone name.
	nodename := filepath.Join(s.root, "zones/z1/root/etc/nodename")
	os.WriteFile(nodename, []byte("buildhost\n"), 0o644)
	s.must("zoneadm", "-z", "z1", "reboot")
	check(t, "after boot", s.run("zlogin", "z1", "hostname"), "buildhost\n", "", 0)
	os.WriteFile(nodename, []byte("two words\n"), 0o644)
	s.must("zoneadm", "-z", "z1", "reboot")
	check(t, "two words", s.run("zlogin", "z1", "hostname"), "z1\n", "", 0)
}

func TestZoneShutdown(t *testing.T) {
	s := newSim(t)
	s.running("z1")
	addBuilder(t, s, "z1")
	for _, tt := range []struct {
		cmd, state string
	}{
		{"init 5", "installed"},
		{"init 0", "installed"},
		{"shutdown -i5 -g0 -y", "installed"},
		{"shutdown -y -i0 -g0", "installed"},
		{"halt", "installed"},
		{"poweroff", "installed"},
		{"reboot", "running"},
		{"init 6", "running"},
		{"shutdown -i6 -g0 -y", "running"},
	} {
		if zoneState(t, s, "z1") != "running" {
			s.must("zoneadm", "-z", "z1", "boot")
		}
		before := zoneID(t, s, "z1")
		r := s.run("zlogin", "z1", tt.cmd)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("%s: exit %d stderr %q", tt.cmd, r.code, r.stderr)
		}
		if got := zoneState(t, s, "z1"); got != tt.state {
			t.Errorf("%s: zone is %s, want %s", tt.cmd, got, tt.state)
		}
		if tt.state == "running" && zoneID(t, s, "z1") == before {
			t.Errorf("%s: zone id %s unchanged: not rebooted", tt.cmd, before)
		}
	}
	s.must("zoneadm", "-z", "z1", "boot")

	// shutdown.sh's messages: a blank line, "Shutdown started." with the
	// date, a blank line, the init state.
	r := s.run("zlogin", "z1", "shutdown -i5 -g0 -y")
	re := regexp.MustCompile(`^\nShutdown started\.    [A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d [A-Z]+ \d{4}\n\nChanging to init state 5 - please wait\n$`)
	if !re.MatchString(r.stdout) || r.code != 0 {
		t.Errorf("shutdown output %q exit %d", r.stdout, r.code)
	}
	s.must("zoneadm", "-z", "z1", "boot")

	tests := []struct {
		name   string
		args   []string
		stdin  string
		stdout string
		stderr string
		code   int
	}{
		{"init usage", []string{"z1", "init"}, "", "", "Usage: init [0123456SsQqabc]\n", 0},
		{"init bad level", []string{"z1", "init 9"}, "", "", "Usage: init [0123456SsQqabc]\n", 1},
		{"init q", []string{"z1", "init q"}, "", "", "", 0},
		{"init as a user", []string{"-l", "builder", "z1", "/usr/sbin/init 5"}, "", "", "Must be super-user\n", 1},
		{"halt as a user", []string{"-l", "builder", "z1", "/usr/sbin/halt"}, "", "", "halt: permission denied\n", 1},
		{"halt -d", []string{"z1", "halt -d"}, "", "", "halt: -d only valid from global zone\n", 1},
		{"halt usage", []string{"z1", "halt now"}, "", "", "usage: halt [ -dlnqy ]\n", 1},
		{"reboot -f", []string{"z1", "reboot -f"}, "", "", "reboot: Fast reboot only valid from global zone\n", 22},
		{"shutdown as a user", []string{"-l", "builder", "z1", "/usr/sbin/shutdown -i5"}, "",
			"/usr/sbin/shutdown:  Only root can run /usr/sbin/shutdown\n", "", 2},
		{"shutdown -i2", []string{"z1", "shutdown -i2 -g0 -y"}, "",
			"/usr/sbin/shutdown: Initstate 2 is not for system shutdown\n", "", 1},
		{"shutdown -g x", []string{"z1", "shutdown -gx"}, "",
			"/usr/sbin/shutdown: -g requires a numeric option\n" +
				"Usage: /usr/sbin/shutdown [ -y ] [ -g<grace> ] [ -i<initstate> ] [ message ]\n", "", 1},
		{"shutdown aborted", []string{"z1", "shutdown -i5 -g0"}, "n\n", "", "", 1},
	}
	for _, tt := range tests {
		r := s.runEnv(nil, tt.stdin, append([]string{"zlogin"}, tt.args...)...)
		if tt.name == "shutdown aborted" {
			if !strings.HasSuffix(r.stdout, "\n\nDo you want to continue? (y or n):   Shutdown aborted.\n") || r.code != 1 {
				t.Errorf("shutdown aborted: %q exit %d", r.stdout, r.code)
			}
			continue
		}
		check(t, tt.name, r, tt.stdout, tt.stderr, tt.code)
	}
	if got := zoneState(t, s, "z1"); got != "running" {
		t.Errorf("after the refused commands the zone is %s", got)
	}
}

func TestZoneNetwork(t *testing.T) {
	s := newSim(t)
	s.must("dladm", "create-vnic", "-l", "e1000g0", "vnic1")
	s.must("dladm", "create-vnic", "-l", "e1000g0", "vnic2")
	s.configure("z1", basicConfig("z1")+"add net\nset physical=vnic1\nset allowed-address=10.1.2.3/24\nend\ncommit\n")
	s.must("zoneadm", "-z", "z1", "install")
	s.must("zoneadm", "-z", "z1", "boot")
	addBuilder(t, s, "z1")
	mac := strings.TrimSpace(s.must("dladm", "show-vnic", "-p", "-o", "macaddress", "vnic1"))
	lo4 := "lo0: flags=2001000849<UP,LOOPBACK,RUNNING,MULTICAST,IPv4,VIRTUAL> mtu 8232 index 1\n\tinet 127.0.0.1 netmask ff000000 \n"
	vnic := "vnic1: flags=1000843<UP,BROADCAST,RUNNING,MULTICAST,IPv4> mtu 1500 index 2\n" +
		"\tinet 10.1.2.3 netmask ffffff00 broadcast 10.1.2.255\n"
	ether := "\tether " + mac + " \n"
	lo6 := "lo0: flags=2002000849<UP,LOOPBACK,RUNNING,MULTICAST,IPv6,VIRTUAL> mtu 8252 index 1\n\tinet6 ::1/128 \n"
	vnicShow := strings.SplitN(s.must("dladm", "show-vnic", "vnic1"), "\n", 3)
	tests := []loginCase{
		{"ifconfig -a", "ifconfig -a", lo4 + vnic + ether + lo6, "", 0},
		{"ifconfig -a4", "ifconfig -a4", lo4 + vnic + ether, "", 0},
		{"ifconfig -a6", "ifconfig -a6", lo6, "", 0},
		{"ifconfig vnic1", "ifconfig vnic1", vnic + ether, "", 0},
		{"ifconfig lo0 inet6", "ifconfig lo0 inet6", lo6, "", 0},
		{"ifconfig unknown", "ifconfig e1000g0", "", "ifconfig: status: SIOCGLIFFLAGS: e1000g0: no such interface\n", 1},
		{"show-link", "dladm show-link",
			"LINK        CLASS     MTU    STATE    BRIDGE     OVER\nvnic1       vnic      1500   up       --         e1000g0\n", "", 0},
		{"show-vnic", "dladm show-vnic", vnicShow[0] + "\n" + vnicShow[1] + "\n", "", 0},
		{"show-vnic -p", "dladm show-vnic -p -o link", "vnic1\n", "", 0},
		{"show-link of another link", "dladm show-link e1000g0", "", "dladm: link e1000g0 is not valid: object not found\n", 1},
		{"show-vnic of another zone's", "dladm show-vnic vnic2", "", "dladm: invalid vnic name 'vnic2': object not found\n", 1},
		{"create-vnic refused", "dladm create-vnic -l vnic1 foo0", "", "dladm: vnic creation over vnic1 failed: permission denied\n", 1},
		{"create-vnic over a global link", "dladm create-vnic -l e1000g0 foo0", "", "dladm: invalid link name 'e1000g0'\n", 1},
	}
	s.checkLogins(tests, "z1")
	check(t, "ifconfig as a user has no ether", s.run("zlogin", "-l", "builder", "z1", "/usr/sbin/ifconfig vnic1"), vnic, "", 0)
	if out := s.must("dladm", "show-link", "-p", "-o", "link"); out != "e1000g0\nstub0\nvnic1\nvnic2\n" {
		t.Errorf("the global zone's links changed: %q", out)
	}
}

func TestZoneDatasets(t *testing.T) {
	s := newSim(t)
	s.must("zfs", "create", "rpool/deleg")
	s.configure("z1", basicConfig("z1")+"add dataset\nset name=rpool/deleg\nend\ncommit\n")
	s.must("zoneadm", "-z", "z1", "install")
	s.must("zoneadm", "-z", "z1", "boot")
	addBuilder(t, s, "z1")
	tests := []loginCase{
		{"list", "zfs list -H -o name", "rpool\nrpool/deleg\n", "", 0},
		{"create below the delegated dataset", "zfs create rpool/deleg/c1 && zfs list -H -o name -r rpool/deleg && test -d /rpool/deleg/c1",
			"rpool/deleg\nrpool/deleg/c1\n", "", 0},
		{"create -p", "zfs create -p rpool/deleg/a/b && zfs list -H -o name -r rpool/deleg/a", "rpool/deleg/a\nrpool/deleg/a/b\n", "", 0},
		{"create beside it", "zfs create rpool/other", "", "cannot create 'rpool/other': permission denied\n", 1},
		{"create under an invisible parent", "zfs create rpool/zones/x", "", "cannot create 'rpool/zones/x': parent does not exist\n", 1},
		{"create in another pool", "zfs create tank/x", "", "cannot create 'tank/x': no such pool 'tank'\n", 1},
		{"list an invisible dataset", "zfs list rpool/zones", "", "cannot open 'rpool/zones': dataset does not exist\n", 1},
		{"get", "zfs get -H -o name,value zoned rpool/deleg/c1", "rpool/deleg/c1\ton\n", "", 0},
		{"snapshot", "zfs snapshot rpool/deleg/c1@s1 && zfs list -H -o name -t snapshot", "rpool/deleg/c1@s1\n", "", 0},
		{"snapshot of an ancestor", "zfs snapshot rpool@s1", "", "cannot create snapshot 'rpool@s1': permission denied\n", 1},
		{"destroy", "zfs destroy rpool/deleg/c1@s1", "", "", 0},
		{"not simulated", "zfs rename rpool/deleg/c1 rpool/deleg/c2", "", "zfs rename: not supported inside a zone by the illumos simulator\n", 2},
	}
	s.checkLogins(tests, "z1")
	check(t, "create as a user", s.run("zlogin", "-l", "builder", "z1", "/usr/sbin/zfs create rpool/deleg/u"),
		"", "cannot create 'rpool/deleg/u': permission denied\n", 1)
	if out := s.must("zfs", "list", "-H", "-o", "name", "-r", "rpool/deleg"); out != "rpool/deleg\nrpool/deleg/a\nrpool/deleg/a/b\nrpool/deleg/c1\n" {
		t.Errorf("global zone view: %q", out)
	}
}

func TestZoneGetent(t *testing.T) {
	s := newSim(t)
	s.running("z1")
	addBuilder(t, s, "z1")
	tests := []loginCase{
		{"passwd by name", "getent passwd builder", "builder:x:1003:10:Builder:/export/home/builder:/bin/sh\n", "", 0},
		{"passwd by uid", "getent passwd 0", "root:x:0:0:Super-User:/root:/bin/sh\n", "", 0},
		{"group", "getent group staff sys", "staff::10:\nsys::3:root,bin,adm\n", "", 0},
		{"not found", "getent passwd nosuch root", "root:x:0:0:Super-User:/root:/bin/sh\n", "", 2},
		{"usage", "getent", "", "usage: getent database [ key ... ]\n", 1},
		{"unknown database", "getent frobs x", "", "Unknown database: frobs\nusage: getent database [ key ... ]\n", 1},
	}
	s.checkLogins(tests, "z1")
	r := s.run("zlogin", "z1", "getent passwd")
	if !strings.HasPrefix(r.stdout, "root:x:0:0:Super-User:/root:/bin/sh\ndaemon:x:1:1::/:\n") ||
		!strings.HasSuffix(r.stdout, "builder:x:1003:10:Builder:/export/home/builder:/bin/sh\n") || r.code != 0 {
		t.Errorf("getent passwd: %q exit %d", r.stdout, r.code)
	}
}
