package zones

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("zone root still mounted after detach")
	}
	manifest := filepath.Join(s.root, "zones/z1/SUNWdetached.xml")
	if b, err := os.ReadFile(manifest); err != nil || string(b) != dry {
		t.Errorf("SUNWdetached.xml = %q, %v; want the detach -n output", b, err)
	}
	tests := []struct {
		argv   []string
		stdout string
		stderr string
		code   int
	}{
		{[]string{"zoneadm", "-z", "z1", "detach"}, "", "zoneadm: zone 'z1': must be installed before detach.\n", 1},
		{[]string{"zoneadm", "-z", "z1", "attach", "-F", "-n", "/x"}, "", "zoneadm: zone 'z1': -F and -n flags are mutually exclusive\n", 2},
		{[]string{"zoneadm", "-z", "z1", "attach", "-n", "/zones/z1/SUNWdetached.xml"}, "", "", 0},
		{[]string{"zoneadm", "-z", "z1", "attach", "-u"}, "Attaching...\n\n Installing: Using existing zone boot environment\n" +
			"      Zone BE root dataset: rpool/zones/z1/ROOT/zbe\n  Updating non-global zone: Syncing packages.\nResult: Attach Succeeded.\n", "", 0},
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
	s.must("zoneadm", "-z", "z1", "boot")
	r := s.run("zoneadm", "-z", "z1", "detach")
	if r.stderr != "zoneadm: zone 'z1': detach operation is invalid for running zones.\n" || r.code != 1 {
		t.Errorf("detach of a running zone: %+v", r)
	}
}

func TestAttachWithoutDataset(t *testing.T) {
	s := newSim(t)
	s.configure("z2", basicConfig("z2"))
	r := s.run("zoneadm", "-z", "z2", "attach")
	want := "ERROR: the zonepath must be a ZFS dataset.\nThe parent directory of the zonepath must be a ZFS dataset so that the\nzonepath ZFS dataset can be created properly.\n"
	if r.stderr != want || r.code != 1 {
		t.Errorf("attach without a dataset: %+v", r)
	}
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
	r := s.run("zoneadm", "-z", "z3", "install", "-a", "/var/tmp/nosuch.tar")
	if r.stderr != "ERROR: Archive not found: /var/tmp/nosuch.tar\n" || r.code != 1 {
		t.Errorf("missing archive: %+v", r)
	}
	s.wantState("z3", "configured")
	out := s.must("zoneadm", "-z", "z3", "install", "-a", "/var/tmp/z.tgz")
	if !strings.HasPrefix(out, "A ZFS file system has been created for this zone.\n      Archive: /var/tmp/z.tgz\n   Installing: This may take several minutes...\n        Done: Installation completed in ") {
		t.Errorf("install -a output:\n%s", out)
	}
	s.wantState("z3", "installed")
	fi, err := os.Stat(filepath.Join(s.root, "zones/z3/root/etc/secret"))
	if b, _ := os.ReadFile(filepath.Join(s.root, "zones/z3/root/etc/motd")); string(b) != "from the archive\n" || err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("archive contents: motd %q, secret %v %v", b, fi, err)
	}
}
