package zone

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// writeTestImage writes an image file around stream with the manifest m,
// filling in the stream's size and checksum.
func writeTestImage(t *testing.T, stream string, m ImageManifest) string {
	t.Helper()
	sum := sha256.Sum256([]byte(stream))
	m.Format, m.StreamSize, m.StreamSHA256 = imageFormat, int64(len(stream)), hex.EncodeToString(sum[:])
	mb, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "g.zimg")
	data := imageMagic + stream + string(mb) + fmt.Sprintf(imageTrailerFmt, len(mb))
	if err := os.WriteFile(f, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestOpenImage(t *testing.T) {
	good := writeTestImage(t, "STREAM-BYTES", ImageManifest{Zone: "golden", Snapshot: "s1", SnapshotGUID: "42"})
	img, err := OpenImage(good)
	if err != nil {
		t.Fatal(err)
	}
	if img.Manifest.Zone != "golden" || img.Manifest.StreamSize != 12 {
		t.Errorf("manifest = %+v", img.Manifest)
	}
	if err := img.Verify(); err != nil {
		t.Errorf("Verify: %v", err)
	}
	if n, err := ImageName(good); err != nil || n != "golden" {
		t.Errorf("ImageName = %q, %v", n, err)
	}

	data, _ := os.ReadFile(good)
	mutate := func(f func(b []byte) []byte) string {
		p := filepath.Join(t.TempDir(), "bad.zimg")
		os.WriteFile(p, f(append([]byte(nil), data...)), 0o644)
		return p
	}
	tests := []struct {
		name, file, open, verify string
	}{
		{"bad magic", mutate(func(b []byte) []byte { b[0] = 'X'; return b }), "does not start with", ""},
		{"too short", mutate(func(b []byte) []byte { return b[:20] }), "too short", ""},
		{"trailer", mutate(func(b []byte) []byte { return b[:len(b)-3] }), "trailer is damaged", ""},
		{"stream size", mutate(func(b []byte) []byte { return append(b[:16:16], b[17:]...) }), "the manifest says the stream has 12 bytes, the file holds 11", ""},
		{"one stream byte", mutate(func(b []byte) []byte { b[20] ^= 1; return b }), "", "is damaged: its stream's SHA-256 is"},
		{"missing", filepath.Join(t.TempDir(), "nosuch.zimg"), "no such file or directory", ""},
		{"huge manifest", func() string {
			// A sparse file whose trailer claims a manifest of 5 GB: refused
			// before anything that size is read.
			p := filepath.Join(t.TempDir(), "huge.zimg")
			f, _ := os.Create(p)
			f.WriteString(imageMagic)
			f.WriteAt([]byte(fmt.Sprintf(imageTrailerFmt, 5<<30)), 6<<30)
			f.Close()
			return p
		}(), "its trailer gives a manifest of 5368709120 bytes, more than the 4194304 a manifest may have", ""},
		{"FIFO", func() string {
			p := filepath.Join(t.TempDir(), "fifo.zimg")
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}(), "not a regular file (a FIFO)", ""},
		{"directory", t.TempDir(), "not a regular file (a directory)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := OpenImage(tt.file)
			if tt.open != "" {
				if err == nil || !strings.Contains(err.Error(), tt.open) {
					t.Errorf("OpenImage: %v, want %q", err, tt.open)
				}
				return
			}
			if err != nil {
				t.Fatalf("OpenImage: %v", err)
			}
			if err := img.Verify(); err == nil || !strings.Contains(err.Error(), tt.verify) {
				t.Errorf("Verify: %v, want %q", err, tt.verify)
			}
		})
	}
}

// An export never replaces what is not a regular file at its path: the
// rename that puts the image in place would.
func TestCheckImageTarget(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "old.zimg")
	os.WriteFile(reg, []byte("old"), 0o644)
	link := filepath.Join(dir, "link.zimg")
	os.Symlink(reg, link)
	fifo := filepath.Join(dir, "fifo.zimg")
	syscall.Mkfifo(fifo, 0o644)
	for _, tc := range []struct{ path, want string }{
		{filepath.Join(dir, "new.zimg"), ""},
		{reg, ""},
		{link, "it is a symbolic link, not a regular file: remove it or export to another path"},
		{fifo, "it is a FIFO, not a regular file"},
		{dir, "it is a directory, not a regular file"},
		{"/dev/null", "it is a device, not a regular file"},
	} {
		err := checkImageTarget(tc.path)
		if (tc.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("checkImageTarget(%s) = %v, want %q", tc.path, err, tc.want)
		}
	}
}

func TestValidateExport(t *testing.T) {
	tests := []struct {
		spec GIZSpec
		want string
	}{
		{GIZSpec{Name: "golden", Image: "/tmp/g.zimg", Snapshot: "s1", IncrementalFrom: "s0"}, ""},
		{GIZSpec{Name: "golden"}, "image: required with state=exported"},
		{GIZSpec{Name: "golden", Image: "/tmp/g", Snapshot: "a@b"}, `snapshot: "a@b" is not a snapshot name`},
		{GIZSpec{Name: "golden", Image: "/tmp/g", IncrementalFrom: "x y"}, `incremental base: "x y" is not a snapshot name`},
		{GIZSpec{Name: "-bad", Image: "/tmp/g"}, "name: "},
	}
	for _, tt := range tests {
		err := validateExport(tt.spec)
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("validateExport(%+v) = %v, want %q", tt.spec, err, tt.want)
		}
	}
}

func TestLDAPScript(t *testing.T) {
	files := []ldapFile{
		{path: ldapClientFile, data: []byte("NS_LDAP_SERVERS= ldap1\n"), mode: 0o644},
		{path: ldapClientCred, data: []byte("NS_LDAP_BINDPASSWD= {NS1}pw\nZONEMGR_EOF\n"), mode: 0o600, uid: 0, gid: 3},
		{path: nsswitchConf, data: []byte("passwd: files ldap"), mode: 0o644},
	}
	got := ldapScript(files)
	// Each file is written private (umask 077) until it has its owner
	// and mode, under a here-document delimiter none of its lines is.
	want := editScriptHead + "[ -d /var/ldap ] || { mkdir -p /var/ldap && chown 0:0 /var/ldap && chmod 0700 /var/ldap; }\n" +
		"umask 077\ncat > /var/ldap/ldap_client_file.zonemgr-new <<'ZONEMGR_EOF'\nNS_LDAP_SERVERS= ldap1\nZONEMGR_EOF\numask 022\n" +
		"chown 0:0 /var/ldap/ldap_client_file.zonemgr-new\nchmod 0644 /var/ldap/ldap_client_file.zonemgr-new\nmv -f /var/ldap/ldap_client_file.zonemgr-new /var/ldap/ldap_client_file\n" +
		"umask 077\ncat > /var/ldap/ldap_client_cred.zonemgr-new <<'ZONEMGR_EOF_'\nNS_LDAP_BINDPASSWD= {NS1}pw\nZONEMGR_EOF\nZONEMGR_EOF_\numask 022\n" +
		"chown 0:3 /var/ldap/ldap_client_cred.zonemgr-new\nchmod 0600 /var/ldap/ldap_client_cred.zonemgr-new\nmv -f /var/ldap/ldap_client_cred.zonemgr-new /var/ldap/ldap_client_cred\n" +
		"umask 077\ncat > /etc/nsswitch.conf.zonemgr-new <<'ZONEMGR_EOF'\npasswd: files ldap\nZONEMGR_EOF\numask 022\n" +
		"chown 0:0 /etc/nsswitch.conf.zonemgr-new\nchmod 0644 /etc/nsswitch.conf.zonemgr-new\nmv -f /etc/nsswitch.conf.zonemgr-new /etc/nsswitch.conf\n" +
		"svcadm enable -r svc:/network/ldap/client:default\n"
	if got != want {
		t.Errorf("ldapScript:\n%s\nwant\n%s", got, want)
	}
	steps := ldapSteps("z1", files)
	if len(steps) != 1 || strings.Contains(steps[0].String(), "pw") || steps[0].String() != "zlogin -S z1 '/bin/sh -s'" {
		t.Errorf("ldap step shows %q", steps[0].String())
	}
}

func TestReadLDAPClient(t *testing.T) {
	h := &Host{Root: t.TempDir()}
	if _, err := h.readLDAPClient(); err == nil || !strings.Contains(err.Error(), "the global zone has no LDAP client configured (/var/ldap/ldap_client_file does not exist)") {
		t.Errorf("without a configuration: %v", err)
	}
	os.MkdirAll(filepath.Join(h.Root, "var/ldap"), 0o755)
	os.WriteFile(filepath.Join(h.Root, "var/ldap/ldap_client_file"), []byte("x\n"), 0o640)
	os.Chmod(filepath.Join(h.Root, "var/ldap/ldap_client_file"), 0o640)
	files, err := h.readLDAPClient()
	if err != nil || len(files) != 1 || files[0].mode != 0o640 || string(files[0].data) != "x\n" {
		t.Errorf("readLDAPClient = %+v, %v", files, err)
	}
}

// The receive step gives zfs receive the image's stream, and only it,
// as a section of the file that the runner reads as zfs needs it and
// checks against the manifest's SHA-256 (see illumos.FileSection).
func TestReceiveStepStreams(t *testing.T) {
	file := writeTestImage(t, "STREAM-BYTES", ImageManifest{Zone: "golden", Snapshot: "s1", SnapshotGUID: "42"})
	img, err := OpenImage(file)
	if err != nil {
		t.Fatal(err)
	}
	step := receiveStep("receive", img, []string{"zfs", "receive", "rpool/x"}, nil)
	if step.Show != "zfs receive rpool/x < "+file {
		t.Errorf("Show = %q", step.Show)
	}
	want := illumos.FileSection{Path: file, Offset: streamOffset, Size: int64(len("STREAM-BYTES")), SHA256: img.Manifest.StreamSHA256}
	if step.Cmd == nil || step.Cmd.StdinFile == nil || *step.Cmd.StdinFile != want || img.Manifest.StreamSHA256 == "" {
		t.Errorf("the step's standard input: %+v, want %+v", step.Cmd, want)
	}
}
