package zone

import (
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// fakeGZ is the global zone the unit tests run against, played by the
// one fake runner, illumos.Script. Its Responder answers the reads from
// the tables below (zoneadm list, zfs list, the VNICs, a milestone's
// state: online); its Changer lets every other command succeed, keeping
// the tables up to date where a test needs it (zoneadm boot and halt
// change a zone's state, dladm delete-vnic removes a VNIC), but fail,
// which fails. A test that pins the changes in order scripts them on the
// Script (Expect).
type fakeGZ struct {
	*illumos.Script
	mu       sync.Mutex
	zones    string // zoneadm list -cp output
	datasets string // zfs list output
	// vnics are the VNICs dladm show-vnic lists: "NAME [OVER [MAC]]",
	// over e1000g0 with testMAC when not given, no VLAN.
	vnics []string
	// fail is a command (as it prints) that fails with "failed on
	// purpose".
	fail string
	// pkgAsk is the exit code of pkg -R ROOT update -nq (0: updates,
	// 4: none, 1: no image: not mounted, or no privilege); unmounted
	// makes zfs list PATH name the zonepath's dataset instead of its
	// boot environment.
	pkgAsk    int
	unmounted bool
	// booting is how many polls of a milestone answer offline* before
	// online; noRepository how many svcs -z polls find no repository
	// first (the zone's svc.configd not up yet).
	booting, noRepository int
	// onChange, when set, is called with each change the Changer answers.
	onChange func(argv []string)
	// unheld are the snapshots zfs holds finds without zonemgr's hold
	// (every other carries it).
	unheld []string
}

// testMAC is the MAC address of the fake's VNICs and of the automatic
// VNICs the tests' journals record.
const testMAC = "2:8:20:0:0:1"

func newFakeGZ() *fakeGZ {
	f := &fakeGZ{Script: illumos.NewScript(), pkgAsk: pkgNothingToDo}
	f.Responder, f.Changer = f.read, f.change
	return f
}

func (f *fakeGZ) read(argv []string) (illumos.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := func(s string) (illumos.Result, error) { return illumos.Result{Stdout: []byte(s)}, nil }
	switch {
	case slices.Equal(argv, []string{"zoneadm", "list", "-cp"}):
		return out(f.zones)
	// zfs list PATH: the file system mounted there.
	case len(argv) == 6 && argv[0] == "zfs" && argv[1] == "list" && argv[4] == "name,mounted":
		zp := path.Dir(argv[5])
		ds := "rpool/zones/_zonemgr/" + path.Base(path.Dir(zp)) + "/" + path.Base(zp)
		if f.unmounted {
			return out(ds + "\tyes\n")
		}
		return out(ds + "/ROOT/zbe\tyes\n")
	case len(argv) > 2 && argv[0] == "zfs" && argv[1] == "list":
		return out(f.datasets)
	// zfs holds -H SNAP...: zonemgr's hold on each, but those unheld.
	case len(argv) > 3 && argv[0] == "zfs" && argv[1] == "holds" && argv[2] == "-H":
		var b strings.Builder
		for _, n := range argv[3:] {
			if !slices.Contains(f.unheld, n) {
				b.WriteString(n + "\tzonemgr\tSat Nov 28 12:00 2026\n")
			}
		}
		return out(b.String())
	case len(argv) > 1 && argv[0] == "dladm" && argv[1] == "show-vnic":
		var b strings.Builder
		for _, v := range f.vnics {
			e := append(strings.Fields(v), "e1000g0", testMAC)
			if len(e) == 3 {
				e = append(e[:2], testMAC)
			}
			b.WriteString(e[0] + ":" + e[1] + ":0:" + strings.ReplaceAll(e[2], ":", `\:`) + "\n")
		}
		return out(b.String())
	case len(argv) == 8 && argv[0] == "zlogin" && argv[1] == "-S" && argv[3] == "svcs",
		len(argv) == 7 && argv[0] == "svcs" && argv[1] == "-z":
		if argv[0] == "svcs" && f.noRepository > 0 {
			f.noRepository--
			return illumos.Result{ExitCode: 1, Stderr: []byte("svcs: Could not bind to repository server for zone " + argv[2] + ": repository server unavailable\n")}, nil
		}
		if f.booting > 0 {
			f.booting--
			return out("offline*\n")
		}
		return out("online\n")
	case len(argv) == 5 && argv[0] == "zoneadm" && argv[3] == "list":
		for _, l := range strings.Split(f.zones, "\n") {
			if p := strings.Split(l, ":"); len(p) > 2 && p[1] == argv[2] {
				return out(l + "\n")
			}
		}
		return illumos.Result{ExitCode: 1, Stderr: []byte("zoneadm: " + argv[2] + ": No such zone configured\n")}, nil
	// An update's questions about its changes (askChanges): one
	// publisher, and packages to install.
	case len(argv) == 7 && argv[0] == "pkg" && argv[1] == "-R" && argv[3] == "publisher":
		return out("openindiana.org\ttrue\tfalse\ttrue\torigin\tonline\thttp://pkg.openindiana.org/hipster/\t-\n")
	case len(argv) > 5 && argv[0] == "pkg" && argv[1] == "-R" && argv[3] == "install" && argv[4] == "-nq":
		return out("           Packages to install:   1\n")
	case len(argv) == 5 && argv[0] == "pkg" && argv[1] == "-R" && argv[3] == "update" && argv[4] == "-nq":
		switch f.pkgAsk {
		case 0:
			return out("            Packages to update:   1\n")
		case 4:
			return illumos.Result{ExitCode: 4, Stdout: []byte("No updates available for this image. (zone:golden)\n")}, nil
		}
		return illumos.Result{ExitCode: 1, Stderr: []byte("pkg: No image rooted at '" + argv[2] + "'\n")}, nil
	case len(argv) > 1 && argv[0] == "pkg" && slices.Contains(argv, "list"):
		return out("")
	}
	return illumos.Result{}, illumos.ErrNotScripted
}

func (f *fakeGZ) change(argv []string) (illumos.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.onChange != nil {
		f.onChange(argv)
	}
	if illumos.QuoteArgv(argv) == f.fail {
		return illumos.Result{ExitCode: 1, Stderr: []byte("failed on purpose\n")}, nil
	}
	switch {
	case len(argv) == 3 && argv[0] == "dladm" && argv[1] == "delete-vnic":
		f.vnics = slices.DeleteFunc(f.vnics, func(v string) bool { return strings.Fields(v)[0] == argv[2] })
	case len(argv) >= 4 && argv[0] == "zoneadm" && argv[3] == "boot":
		f.setState(argv[2], "running")
	case len(argv) >= 4 && argv[0] == "zoneadm" && argv[3] == "halt":
		f.setState(argv[2], "installed")
	}
	return illumos.Result{}, nil
}

// setState changes a zone's state in the zoneadm listing. The caller
// holds f.mu.
func (f *fakeGZ) setState(zone, state string) {
	lines := strings.Split(f.zones, "\n")
	for i, l := range lines {
		if p := strings.Split(l, ":"); len(p) > 2 && p[1] == zone {
			p[2] = state
			lines[i] = strings.Join(p, ":")
		}
	}
	f.zones = strings.Join(lines, "\n")
}

// mutations returns the mutating commands run, as they print.
func (f *fakeGZ) mutations() []string {
	var out []string
	for _, c := range f.Changes() {
		out = append(out, c.String())
	}
	return out
}

const goldenXML = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE zone PUBLIC "-//Sun Microsystems Inc//DTD Zones//EN" "file:///usr/share/lib/xml/dtd/zonecfg.dtd.1">
<zone name="golden" zonepath="/zones/_zonemgr/GIZ/golden" autoboot="false" brand="ipkg" ip-type="exclusive">
  <attr name="zonemgr.role" type="string" value="giz"/>
  <attr name="zonemgr.origin" type="string" value="template:SUNWipkg"/>
</zone>
`

// b1XML is a disposable zone cloned from golden by run r0, delegated a
// dataset.
const b1XML = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE zone PUBLIC "-//Sun Microsystems Inc//DTD Zones//EN" "file:///usr/share/lib/xml/dtd/zonecfg.dtd.1">
<zone name="b1" zonepath="/zones/_zonemgr/DIZ/b1" autoboot="false" brand="ipkg" ip-type="exclusive">
  <dataset name="rpool/zones/_zonemgr/delegated/b1"/>
  <attr name="zonemgr.role" type="string" value="diz"/>
  <attr name="zonemgr.origin" type="string" value="giz:golden"/>
  <attr name="zonemgr.snapshot" type="string" value="initial-postinstalled-golden"/>
  <attr name="zonemgr.run" type="string" value="r0"/>
</zone>
`

// fakeHost returns a host in check mode on a global zone with one golden
// zone (golden, installed, with its post-install snapshot) and one
// disposable zone cloned from it (b1, running, made by run r0, with a
// delegated dataset); the run ids it draws are r1, and its clock stands
// still. The fake's unexpected commands fail the test.
func fakeHost(t *testing.T) (*Host, *fakeGZ) {
	t.Helper()
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc/zones"), 0o755)
	os.MkdirAll(filepath.Join(root, "export/home"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/zones/index"), []byte("global:installed:/\ngolden:installed:/zones/_zonemgr/GIZ/golden:5b3c3a3e-1111-2222-3333-444455556666\nb1:installed:/zones/_zonemgr/DIZ/b1:5b3c3a3e-1111-2222-3333-444455556667\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/zones/golden.xml"), []byte(goldenXML), 0o644)
	os.WriteFile(filepath.Join(root, "etc/zones/b1.xml"), []byte(b1XML), 0o644)
	os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("root:x:0:0:Super-User:/root:/bin/sh\njenkins:x:1001:1001:Jenkins:/export/home/jenkins:/bin/bash\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/group"), []byte("root::0:\njenkins::1001:\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/shadow"), []byte("root:NP:::::::\njenkins:$5$abc$xyz:19000::::::\n"), 0o600)
	f := newFakeGZ()
	f.zones = "0:global:running:/::ipkg:shared:0\n" +
		"-:golden:installed:/zones/_zonemgr/GIZ/golden:5b3c3a3e-1111-2222-3333-444455556666:ipkg:excl:1\n" +
		"3:b1:running:/zones/_zonemgr/DIZ/b1:5b3c3a3e-1111-2222-3333-444455556667:ipkg:excl:2\n"
	f.datasets = strings.Join([]string{
		"rpool/zones/_zonemgr/GIZ\tfilesystem\t-\t/zones/_zonemgr/GIZ\t1700000000\t101\t1000\t-\t-\t-\t-\t-",
		"rpool/zones/_zonemgr/GIZ/golden\tfilesystem\t-\t/zones/_zonemgr/GIZ/golden\t1700000001\t102\t1000\t-\t-\t-\t-\t-",
		"rpool/zones/_zonemgr/GIZ/golden@initial-postinstalled-golden\tsnapshot\t-\t-\t1700000100\t101\t0\t1\t-\t-\t-\t-",
		"rpool/zones/_zonemgr/GIZ/golden/ROOT\tfilesystem\t-\tlegacy\t1700000001\t103\t1000\t-\t-\t-\t-\t-",
		"rpool/zones/_zonemgr/GIZ/golden/ROOT@initial-postinstalled-golden\tsnapshot\t-\t-\t1700000100\t102\t0\t1\t-\t-\t-\t-",
		"rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe\tfilesystem\t-\tlegacy\t1700000001\t104\t1000\t-\t-\t-\ton\tgz-be",
		"rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@initial-postinstalled-golden\tsnapshot\t-\t-\t1700000100\t103\t0\t1\t-\t-\t-\t-",
		"rpool/zones/_zonemgr/DIZ\tfilesystem\t-\t/zones/_zonemgr/DIZ\t1700000000\t105\t1000\t-\t-\t-\t-\t-",
		"rpool/zones/_zonemgr/DIZ/b1\tfilesystem\t-\t/zones/_zonemgr/DIZ/b1\t1700000200\t110\t1000\t-\t-\t-\t-\t-",
		"rpool/zones/_zonemgr/DIZ/b1/ROOT\tfilesystem\t-\tlegacy\t1700000200\t111\t1000\t-\t-\t-\t-\t-",
		"rpool/zones/_zonemgr/DIZ/b1/ROOT/zbe\tfilesystem\trpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@initial-postinstalled-golden\tlegacy\t1700000200\t112\t1000\t-\t-\t-\ton\tgz-be",
		"rpool/zones/_zonemgr/delegated\tfilesystem\t-\t/zones/_zonemgr/delegated\t1700000000\t106\t1000\t-\t-\t-\t-\t-",
		"rpool/zones/_zonemgr/delegated/b1\tfilesystem\t-\tlegacy\t1700000200\t113\t1000\t-\tr0\t-\t-\t-",
	}, "\n") + "\n"
	t.Cleanup(func() { f.Check(t) })
	h := &Host{
		Runner:    f,
		Settings:  DefaultSettings(),
		Root:      root,
		Now:       func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) },
		NewRun:    func() string { return "r1" },
		CheckMode: true,
	}
	return h, f
}
