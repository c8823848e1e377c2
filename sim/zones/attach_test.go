package zones

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/pkg"
)

// wantState checks a zone's state as zoneadm list -p prints it.
func (s *sim) wantState(zone, state string) {
	s.t.Helper()
	f := strings.Split(s.must("zoneadm", "-z", zone, "list", "-p"), ":")
	if len(f) < 3 || f[2] != state {
		s.t.Errorf("zone %s: state %v, want %s", zone, f, state)
	}
}

func TestDetachAttach(t *testing.T) {
	s := newSim(t)
	s.installed("z1")
	uuid := s.uuidOf("z1")
	marker := filepath.Join(s.root, "zones/z1/root/etc/marker")
	if err := os.WriteFile(marker, []byte("kept\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dry := s.must("zoneadm", "-z", "z1", "detach", "-n")
	if !strings.Contains(dry, `<zone name="z1" zonepath="/zones/z1"`) {
		t.Errorf("detach -n printed no manifest:\n%s", dry)
	}
	s.wantState("z1", "installed")
	s.must("zoneadm", "-z", "z1", "detach")
	s.wantState("z1", "configured")
	// The ipkg brand's detach leaves the boot environment mounted by its
	// own properties.
	check(t, "zbe after detach", s.run("zfs", "list", "-H", "-o", "name,mountpoint,mounted,canmount,zoned", "rpool/zones/z1/ROOT/zbe"),
		"rpool/zones/z1/ROOT/zbe\t/zones/z1/root\tyes\ton\toff\n", "", 0)
	manifest := filepath.Join(s.root, "zones/z1/SUNWdetached.xml")
	if b, err := os.ReadFile(manifest); err != nil || string(b) != dry {
		t.Errorf("SUNWdetached.xml = %q, %v; want the detach -n output", b, err)
	}
	inSync := "No updates necessary for this image. (zone:z1)\n"
	tests := []struct {
		argv   []string
		stdout string
		stderr string
		code   int
	}{
		{[]string{"zoneadm", "-z", "z1", "detach"}, "", "zoneadm: zone 'z1': must be installed before detach.\n", 1},
		// attach_func(): Z_ERR, not Z_USAGE.
		{[]string{"zoneadm", "-z", "z1", "attach", "-F", "-n", "/x"}, "", "zoneadm: zone 'z1': -F and -n flags are mutually exclusive\n", 1},
		{[]string{"zoneadm", "-z", "z1", "attach", "-n", "/zones/z1/SUNWdetached.xml"}, "", "", 0},
		{[]string{"zoneadm", "-z", "z1", "attach", "-n", "/nosuch.xml"}, "", "zoneadm: zone 'z1': could not open manifest path /nosuch.xml: No such file or directory\n", 1},
		// OmniOS's brand log.ksh sends the brand's own lines to the log
		// file: only pkg's output shows.
		{[]string{"zoneadm", "-z", "z1", "attach", "-u"}, inSync, "", 0},
		{[]string{"zoneadm", "-z", "z1", "attach"}, "", "zoneadm: zone 'z1': is already installed.\n", 1},
	}
	for _, tt := range tests {
		r := s.run(tt.argv...)
		if r.stdout != tt.stdout || r.stderr != tt.stderr || r.code != tt.code {
			t.Errorf("%v: got exit %d\n%q\n%q\nwant exit %d\n%q\n%q", tt.argv, r.code, r.stdout, r.stderr, tt.code, tt.stdout, tt.stderr)
		}
	}
	s.wantState("z1", "installed")
	if s.uuidOf("z1") == uuid || s.uuidOf("z1") == "" {
		t.Errorf("attach kept the old uuid or none: %q", s.uuidOf("z1"))
	}
	if b, err := os.ReadFile(marker); err != nil || string(b) != "kept\n" {
		t.Errorf("zone root after attach: %q, %v", b, err)
	}
	if _, err := os.Stat(manifest); err == nil {
		t.Errorf("SUNWdetached.xml left after attach")
	}
	// The attach made the dataset the zone's boot environment again.
	check(t, "zbe after attach", s.run("zfs", "list", "-H", "-o", "name,mountpoint,mounted,canmount,zoned,org.opensolaris.libbe:active", "rpool/zones/z1/ROOT/zbe"),
		"rpool/zones/z1/ROOT/zbe\tlegacy\tyes\tnoauto\ton\ton\n", "", 0)
	s.must("zoneadm", "-z", "z1", "boot")
	r := s.run("zoneadm", "-z", "z1", "detach")
	if r.stderr != "zoneadm: zone 'z1': detach operation is invalid for running zones.\n" || r.code != 1 {
		t.Errorf("detach of a running zone: %+v", r)
	}
}

// attachLogRE is the first line the attach script logs.
var attachLogRE = regexp.MustCompile(`^Log File: /var/tmp/(z[0-9]\.attach_log\.[A-Za-z0-9]{6})\n`)

// attachLogLine returns the Log File line that starts an attach's output.
func attachLogLine(t *testing.T, r result) string {
	t.Helper()
	m := attachLogRE.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no Log File line: %+v", r)
	}
	return m[0]
}

// readAttachLog returns the attach log file a run named (OpenIndiana
// prints its name) or the only one there is.
func (s *sim) readAttachLog(zone string) string {
	s.t.Helper()
	m, _ := filepath.Glob(filepath.Join(s.root, "var/tmp", zone+".attach_log.*"))
	if len(m) == 0 {
		s.t.Fatalf("no attach log of %s", zone)
	}
	newest, when := "", time.Time{}
	for _, p := range m {
		if fi, err := os.Stat(p); err == nil && !fi.ModTime().Before(when) {
			newest, when = p, fi.ModTime()
		}
	}
	b, err := os.ReadFile(newest)
	if err != nil {
		s.t.Fatal(err)
	}
	return string(b)
}

// TestAttachRequiresMountedDataset: the ipkg brand's attach without
// -a/-d/-r adopts the dataset mounted on <zonepath>/root and fails
// without one (omniosorg/pkg5 src/brand/ipkg/attach f_no_active_ds_mounted,
// exit ZONE_SUBPROC_NOTCOMPLETE, so zoneadm exits 1 and the zone stays
// configured). OmniOS logs the brand's lines only to the attach log;
// OpenIndiana prints them on stdout as well.
func TestAttachRequiresMountedDataset(t *testing.T) {
	noDS := "Failed to locate any dataset mounted at /zones/z1/root.  Attach requires a mounted dataset."
	for _, f := range []core.Flavor{core.OmniOS, core.OpenIndiana} {
		t.Run(string(f), func(t *testing.T) {
			s := newSimFlavor(t, f)
			s.installed("z1")
			s.must("zoneadm", "-z", "z1", "detach")
			s.must("zfs", "unmount", "rpool/zones/z1/ROOT/zbe")
			r := s.run("zoneadm", "-z", "z1", "attach")
			switch f {
			case core.OmniOS:
				check(t, "attach without a mounted dataset", r, "", "", 1)
			default:
				check(t, "attach without a mounted dataset", r,
					attachLogLine(t, r)+"ERROR: "+noDS+"\n                    Result: Attach Failed.\n", "", 1)
			}
			if log := s.readAttachLog("z1"); !strings.Contains(log, "] ERROR: "+noDS+"\n") ||
				!strings.Contains(log, "]                     Result: Attach Failed.\n") {
				t.Errorf("attach log:\n%s", log)
			}
			s.wantState("z1", "configured")

			// Mounted as an administrator would, it attaches.
			s.must("zfs", "mount", "rpool/zones/z1/ROOT/zbe")
			r = s.run("zoneadm", "-z", "z1", "attach")
			switch f {
			case core.OmniOS:
				check(t, "attach", r, "No updates necessary for this image. (zone:z1)\n", "", 0)
			default:
				entire := "entire@0.5.11-2024.0.0.22160:20240315T101500Z"
				check(t, "attach", r, attachLogLine(t, r)+
					"               Attach Path: /zones/z1/root\n"+
					"        Attach ZFS Dataset: rpool/zones/z1/ROOT/zbe\n\n"+
					"                Installing: Using pre-existing data in zonepath\n"+
					"       Global zone version: "+entire+"\n"+
					"   Non-Global zone version: "+entire+"\n"+
					"  Updating non-global zone: Output follows\n"+
					"No updates necessary for this image. (zone:z1)\n"+
					"\n                    Result: Attach Succeeded.\n", "", 0)
			}
			s.wantState("z1", "installed")
		})
	}
}

// TestAttachReceivedDataset: a zone dataset received from elsewhere
// keeps its zoned ROOT, so its boot environment cannot be mounted with
// zfs until zoned is turned off on it (libzfs: "dataset is exported to a
// local zone"; zfs_valid_proplist(): mountpoint "cannot be set on dataset
// in a non-global zone"); the way an administrator mounts it lets the
// attach proceed.
func TestAttachReceivedDataset(t *testing.T) {
	s := newSim(t)
	s.installed("z1")
	s.must("zoneadm", "-z", "z1", "uninstall", "-F")
	s.must("zfs", "create", "rpool/zones/z1")
	s.must("zfs", "create", "-o", "mountpoint=legacy", "-o", "zoned=on", "rpool/zones/z1/ROOT")
	s.must("zfs", "create", "-o", "canmount=noauto", "rpool/zones/z1/ROOT/zbe")
	zbe := "rpool/zones/z1/ROOT/zbe"
	check(t, "zfs mount of a zoned dataset", s.run("zfs", "mount", zbe), "",
		"cannot mount '"+zbe+"': dataset is exported to a local zone\n", 1)
	check(t, "mountpoint of a zoned dataset", s.run("zfs", "set", "mountpoint=/zones/z1/root", zbe), "",
		"cannot set property for '"+zbe+"': 'mountpoint' cannot be set on dataset in a non-global zone\n", 1)
	check(t, "zfs mount takes no path", s.run("zfs", "mount", "/zones/z1/root"), "",
		"cannot open '/zones/z1/root': leading slash in name\n", 1)
	check(t, "attach", s.run("zoneadm", "-z", "z1", "attach"), "", "", 1)
	s.must("zfs", "set", "zoned=off", zbe)
	s.must("zfs", "set", "mountpoint=/zones/z1/root", zbe)
	check(t, "canmount=noauto: not mounted by set", s.run("zfs", "list", "-H", "-o", "mounted", zbe), "no\n", "", 0)
	s.must("zfs", "mount", zbe)
	check(t, "mounted", s.run("zfs", "list", "-H", "-o", "mountpoint,mounted", zbe), "/zones/z1/root\tyes\n", "", 0)
	// An empty zone root fails the brand's sanity check.
	check(t, "attach of an empty root", s.run("zoneadm", "-z", "z1", "attach"), "", "", 1)
	if log := s.readAttachLog("z1"); !strings.Contains(log, "] Missing etc at /zones/z1/root\n") ||
		!strings.Contains(log, "]   Sanity Check: FAILED (see log for details).\n") ||
		!strings.Contains(log, "] ERROR:         Result: *** Installation FAILED ***\n") {
		t.Errorf("attach log:\n%s", log)
	}
	// The failed attach's trap gave the dataset back its own mountpoint.
	check(t, "zbe after the failed attach", s.run("zfs", "list", "-H", "-o", "mountpoint,mounted,canmount,zoned", zbe),
		"/zones/z1/root\tyes\ton\toff\n", "", 0)
	s.wantState("z1", "configured")
}

// TestAttachOutOfSync: without -u the zone's 'entire' must be the global
// zone's ("pkg install -n" of it must have nothing to do, exit 4); -u
// updates the zone.
func TestAttachOutOfSync(t *testing.T) {
	s := newSimFlavor(t, core.OpenIndiana)
	s.installed("z1")
	s.must("zoneadm", "-z", "z1", "detach")
	if err := pkg.Publish(s.root, "entire", "0.5.11-2024.0.0.22161"); err != nil {
		t.Fatal(err)
	}
	s.must("pkg", "update", "entire")
	r := s.run("zoneadm", "-z", "z1", "attach")
	attachLogLine(t, r)
	if !strings.HasSuffix(r.stdout, "  Updating non-global zone: Output follows\n"+
		"\n                Evaluation: Packages in zone z1 are out of sync with the global zone. To proceed, retry with the -u flag.\n"+
		"                    Result: Attach Failed.\n") || r.stderr != "" || r.code != 1 {
		t.Errorf("attach out of sync: %+v", r)
	}
	s.wantState("z1", "configured")
	r = s.run("zoneadm", "-z", "z1", "attach", "-u")
	if !strings.HasSuffix(r.stdout, "\n  Updating non-global zone: Zone updated.\n                    Result: Attach Succeeded.\n") || r.code != 0 {
		t.Errorf("attach -u: %+v", r)
	}
	s.wantState("z1", "installed")
	gz, _, _ := pkg.InstalledFMRI(s.root, "entire")
	ngz, _, _ := pkg.InstalledFMRI(filepath.Join(s.root, "zones/z1/root"), "entire")
	if gz != ngz || !strings.HasPrefix(gz, "entire@0.5.11-2024.0.0.22161:") {
		t.Errorf("entire: global zone %q, zone %q", gz, ngz)
	}
}

// TestAttachBrandArgs: zoneadm passes attach's arguments to the brand,
// which rejects an unknown one with its usage (exit 253): zoneadm adds
// its own and exits 1.
func TestAttachBrandArgs(t *testing.T) {
	s := newSim(t)
	s.installed("z1")
	s.must("zoneadm", "-z", "z1", "detach")
	check(t, "unknown brand option", s.run("zoneadm", "-z", "z1", "attach", "-x"), "",
		"\nbrand-specific usage: "+attachUsage+"\nusage:\t"+admShortUsage["attach"]+"\n\t"+admLongHelp["attach"]+"\n", 1)
	s.wantState("z1", "configured")
	// An empty argument vanishes in the brand's /bin/sh -c.
	check(t, "empty argument", s.run("zoneadm", "-z", "z1", "attach", ""), "No updates necessary for this image. (zone:z1)\n", "", 0)
	s.wantState("z1", "installed")
}

func TestAttachWithoutDataset(t *testing.T) {
	s := newSimFlavor(t, core.OpenIndiana)
	s.configure("z2", basicConfig("z2"))
	r := s.run("zoneadm", "-z", "z2", "attach")
	check(t, "attach without a dataset", r, attachLogLine(t, r)+
		"ERROR: Failed to locate any dataset mounted at /zones/z2/root.  Attach requires a mounted dataset.\n"+
		"                    Result: Attach Failed.\n", "", 1)
	s.wantState("z2", "configured")
}

func TestInstallFromArchive(t *testing.T) {
	s := newSim(t)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range []struct {
		name string
		mode int64
		body string
	}{{"./etc/", 0o755, ""}, {"./etc/motd", 0o644, "from the archive\n"}, {"./etc/secret", 0o600, "x\n"}} {
		h := &tar.Header{Name: e.name, Mode: e.mode, Size: int64(len(e.body)), Typeflag: tar.TypeReg}
		if strings.HasSuffix(e.name, "/") {
			h.Typeflag = tar.TypeDir
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(e.body))
	}
	tw.Close()
	zw.Close()
	os.MkdirAll(filepath.Join(s.root, "var/tmp"), 0o755)
	if err := os.WriteFile(filepath.Join(s.root, "var/tmp/z.tgz"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	s.configure("z3", basicConfig("z3"))
	// zoneadm creates the zonepath dataset before the brand finds the
	// archive missing. [not simulated: cleanup_zonepath() of an install
	// that ends ZONE_SUBPROC_NOTCOMPLETE; the dataset stays]
	r := s.run("zoneadm", "-z", "z3", "install", "-a", "/var/tmp/nosuch.tar")
	if r.stdout != "A ZFS file system has been created for this zone.\n" ||
		r.stderr != "ERROR: Archive not found: /var/tmp/nosuch.tar\n" || r.code != 1 {
		t.Errorf("missing archive: %+v", r)
	}
	s.wantState("z3", "configured")
	out := s.must("zoneadm", "-z", "z3", "install", "-a", "/var/tmp/z.tgz")
	if !strings.HasPrefix(out, "      Archive: /var/tmp/z.tgz\n   Installing: This may take several minutes...\n        Done: Installation completed in ") {
		t.Errorf("install -a output:\n%s", out)
	}
	s.wantState("z3", "installed")
	fi, err := os.Stat(filepath.Join(s.root, "zones/z3/root/etc/secret"))
	if b, _ := os.ReadFile(filepath.Join(s.root, "zones/z3/root/etc/motd")); string(b) != "from the archive\n" || err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("archive contents: motd %q, secret %v %v", b, fi, err)
	}
}
