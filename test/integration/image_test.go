package integration

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/pkg"
)

// treeDigest lists every file below dir: path, mode, owner-independent
// size and a SHA-256 of regular files' contents, symlink targets.
func treeDigest(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		line := fmt.Sprintf("%s %v", rel, fi.Mode())
		switch {
		case fi.Mode().IsRegular():
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			h := sha256.New()
			io.Copy(h, f)
			f.Close()
			line += " " + hex.EncodeToString(h.Sum(nil))[:16]
		case fi.Mode()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			line += " -> " + target
		}
		lines = append(lines, line)
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// zoneRoot is a golden zone's root directory under a sim root.
func zoneRoot(s *Sim, zone string) string {
	return filepath.Join(s.Root, "zones/_zonemgr/GIZ", zone, "root")
}

// portableConfig is a zone's zonecfg export without its name, zonepath and
// zonemgr.* attributes: what an import must carry over unchanged.
func portableConfig(t *testing.T, s *Sim, zone string) string {
	t.Helper()
	out, errOut, code := s.Run(nil, "zonecfg", "-z", zone, "export")
	if code != 0 {
		t.Fatalf("zonecfg -z %s export: %s", zone, errOut)
	}
	var keep []string
	lines := strings.Split(out, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "set zonepath="):
			continue
		case l == "add attr" && i+1 < len(lines) && strings.HasPrefix(lines[i+1], `set name="zonemgr.`):
			for i < len(lines) && lines[i] != "end" {
				i++
			}
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}

// attrOf reads one zonecfg attr's value.
func attrOf(t *testing.T, s *Sim, zone, name string) string {
	t.Helper()
	out, _, _ := s.Run(nil, "zonecfg", "-z", zone, "info", "attr", "name="+name)
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "value: "); ok {
			return v
		}
	}
	return ""
}

func TestImageExportImport(t *testing.T) {
	a := NewSim(t)
	a.MustModule("zone_giz", map[string]any{"name": "golden", "copy_users": []string{"jenkins"}})
	file := filepath.Join(t.TempDir(), "golden.zimg")
	res := a.MustModule("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": file})
	if res["changed"] != true || res["snapshot"] != "initial-postinstalled-golden" {
		t.Fatalf("export: %s", pretty(res))
	}
	sha, _ := res["stream_sha256"].(string)
	if len(sha) != 64 {
		t.Errorf("stream_sha256 = %q", sha)
	}
	mark := len(a.Log())
	res = a.MustModule("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": file})
	if res["changed"] != false {
		t.Errorf("second export changed: %s", pretty(res))
	}
	if m := Mutating(a.Log()[mark:]); len(m) > 0 {
		t.Errorf("second export ran %v", m)
	}

	b := NewSim(t)
	res = b.MustModule("zone_giz", map[string]any{"name": "copy", "image": file})
	if res["changed"] != true || res["state"] != "installed" {
		t.Fatalf("import: %s", pretty(res))
	}
	out, _, _ := b.Run(nil, "zoneadm", "-z", "copy", "list", "-p")
	if f := strings.Split(strings.TrimSpace(out), ":"); len(f) < 6 || f[2] != "installed" || f[3] != "/zones/_zonemgr/GIZ/copy" {
		t.Errorf("zoneadm -z copy list -p = %q", out)
	}
	if got, want := treeDigest(t, zoneRoot(b, "copy")), treeDigest(t, zoneRoot(a, "golden")); got != want {
		t.Errorf("imported zone root differs from the original's:\n%s\nwant\n%s", got, want)
	}
	want := strings.Replace(portableConfig(t, a, "golden"), "golden", "copy", 1)
	if got := portableConfig(t, b, "copy"); got != want {
		t.Errorf("imported configuration:\n%s\nwant\n%s", got, want)
	}
	for name, want := range map[string]string{
		"zonemgr.image": "golden.zimg", "zonemgr.image-sha256": sha, "zonemgr.role": "giz",
		"zonemgr.snapshot": "initial-postinstalled-golden", "zonemgr.origin": "image:golden@initial-postinstalled-golden",
	} {
		if got := attrOf(t, b, "copy", name); got != want {
			t.Errorf("attr %s = %q, want %q", name, got, want)
		}
	}
	snaps, _, _ := b.Run(nil, "zfs", "list", "-H", "-o", "name,userrefs", "-t", "snapshot", "-d", "1", "rpool/zones/_zonemgr/GIZ/copy")
	if snaps != "rpool/zones/_zonemgr/GIZ/copy@initial-installed-golden\t1\n"+
		"rpool/zones/_zonemgr/GIZ/copy@initial-manifest_import_booted-golden\t1\n"+
		"rpool/zones/_zonemgr/GIZ/copy@initial-postinstalled-golden\t1\n" {
		t.Errorf("snapshots of the imported zone (with their holds):\n%s", snaps)
	}

	mark = len(b.Log())
	res = b.MustModule("zone_giz", map[string]any{"name": "copy", "image": file})
	if res["changed"] != false {
		t.Errorf("second import changed: %s", pretty(res))
	}
	if m := Mutating(b.Log()[mark:]); len(m) > 0 {
		t.Errorf("second import ran %v", m)
	}
	res = b.Module("zone_giz", map[string]any{"name": "copy", "image": file, "state": "running"})
	if !strings.Contains(fmt.Sprint(res["msg"]), "imported with state=present") {
		t.Errorf("import with state=running: %v", res["msg"])
	}

	b.MustModule("zone_giz", map[string]any{"name": "copy2", "image": file, "attach_update": true})
	attached := ""
	for _, e := range b.Log() {
		if len(e.Argv) > 3 && e.Argv[2] == "copy2" && e.Argv[3] == "attach" {
			attached = strings.Join(e.Argv, " ")
		}
	}
	if attached != "zoneadm -z copy2 attach -u" {
		t.Errorf("attach_update ran %q", attached)
	}

	// The imported golden zone is a golden zone: a disposable zone clones
	// it and runs a command in it.
	res = b.MustModule("zone_exec", map[string]any{"giz": "copy", "cmd": "cat /etc/nodename", "discard": "always"})
	if res["rc"] != float64(0) {
		t.Errorf("exec in a clone of the imported zone: %s", pretty(res))
	}
}

func TestImageDamagedIsRefused(t *testing.T) {
	a := NewSim(t)
	a.MustModule("zone_giz", map[string]any{"name": "golden"})
	file := filepath.Join(t.TempDir(), "golden.zimg")
	a.MustModule("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": file})
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/3] ^= 0x01
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	b := NewSim(t)
	before, mark := b.State(), len(b.Log())
	res := b.Module("zone_giz", map[string]any{"name": "golden", "image": file})
	if res["failed"] != true || !strings.Contains(fmt.Sprint(res["msg"]), "is damaged: its stream's SHA-256 is") {
		t.Errorf("damaged image: %s", pretty(res))
	}
	if m := Mutating(b.Log()[mark:]); len(m) > 0 {
		t.Errorf("damaged image ran %v", m)
	}
	if after := b.State(); after != before {
		t.Errorf("damaged image changed the global zone")
	}
	os.WriteFile(file, []byte("not an image\n"), 0o644)
	res = b.Module("zone_giz", map[string]any{"name": "golden", "image": file})
	if !strings.Contains(fmt.Sprint(res["msg"]), "not a zonemgr golden image") {
		t.Errorf("not an image: %v", res["msg"])
	}
}

// rewriteManifest changes an image file's manifest, as a tampered image
// from another host would have it: the stream and its checksum are
// untouched.
func rewriteManifest(t *testing.T, file string, edit func(m map[string]any)) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	const trailer = len("ZONEMGR-MANIFEST 0000000000\n")
	var n int
	if _, err := fmt.Sscanf(string(data[len(data)-trailer:]), "ZONEMGR-MANIFEST %010d\n", &n); err != nil {
		t.Fatal(err)
	}
	start := len(data) - trailer - n
	m := map[string]any{}
	if err := json.Unmarshal(data[start:len(data)-trailer], &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	mb, _ := json.Marshal(m)
	out := append(append([]byte{}, data[:start]...), mb...)
	out = append(out, fmt.Sprintf("ZONEMGR-MANIFEST %010d\n", len(mb))...)
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestImageForeignSettingsRefused: an image's manifest is untrusted
// input, which its checksum does not cover. A configuration that gives
// the zone a network, a device, a dataset, the global zone's root or
// more privileges, or names that zonemgr would refuse if typed here,
// is refused as a whole, naming each, and nothing changes.
func TestImageForeignSettingsRefused(t *testing.T) {
	a := NewSim(t)
	a.MustModule("zone_giz", map[string]any{"name": "golden"})
	file := filepath.Join(t.TempDir(), "golden.zimg")
	a.MustModule("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": file})
	rewriteManifest(t, file, func(m map[string]any) {
		m["config"] = fmt.Sprint(m["config"]) + "add net\nset physical=e1000g0\nend\n" +
			"add dataset\nset name=rpool/export/home\nend\n" +
			"add fs\nset dir=/gz\nset special=/\nset type=lofs\nend\n" +
			"add fs\nset dir=/raw\nset special=/dev/dsk/c0t0d0s0\nset raw=/dev/rdsk/c0t0d0s0\nset type=ufs\nend\n" +
			"add device\nset match=/dev/*\nend\n" +
			"set limitpriv=all\n"
		m["snapshots"] = []string{"initial-postinstalled-golden", "../../x"}
	})
	b := NewSim(t)
	before, mark := b.State(), len(b.Log())
	res := b.Module("zone_giz", map[string]any{"name": "golden", "image": file})
	msg := fmt.Sprint(res["msg"])
	for _, want := range []string{"its manifest is not applied on this host", `snapshot "../../x" is not a snapshot name`,
		"a network (physical e1000g0) of the exporting host", "a delegated dataset (rpool/export/home) of the exporting host",
		`mount_lofs: special "/" is the global zone's root`, `file system /raw is of type "ufs"`, "a device (match /dev/*)", "limitpriv=all", "nothing was changed"} {
		if res["failed"] != true || !strings.Contains(msg, want) {
			t.Errorf("tampered image: no %q in %s", want, msg)
		}
	}
	if m := Mutating(b.Log()[mark:]); len(m) > 0 {
		t.Errorf("the tampered image ran %v", m)
	}
	if after := b.State(); after != before {
		t.Errorf("the tampered image changed the global zone:\n%s", diffLines(before, after))
	}
}

func TestImageIncremental(t *testing.T) {
	a := NewSim(t)
	a.MustModule("zone_giz", map[string]any{"name": "golden"})
	dir := t.TempDir()
	full := filepath.Join(dir, "full.zimg")
	incr := filepath.Join(dir, "incr.zimg")
	if out, errOut, code := a.Run(nil, "zonemgr", "-q", "export-giz", "-z", "golden", "-o", full); code != 0 || out != full+"\n" {
		t.Fatalf("zonemgr export-giz: exit %d\n%s%s", code, out, errOut)
	}
	b := NewSim(t)
	if out, errOut, code := b.Run(nil, "zonemgr", "-q", "import-giz", "-i", full); code != 0 || out != "golden\n" {
		t.Fatalf("zonemgr import-giz: exit %d\n%s%s", code, out, errOut)
	}

	if err := pkg.Publish(a.Root, "shell/bash", "5.2.37-2024.0.0.1"); err != nil {
		t.Fatal(err)
	}
	res := a.MustModule("zone_giz", map[string]any{"name": "golden", "state": "updated"})
	snap, _ := res["snapshot"].(string)
	if res["changed"] != true || !strings.HasPrefix(snap, "autozone-") {
		t.Fatalf("update: %s", pretty(res))
	}
	res = a.MustModule("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": incr, "incremental_from": "initial-postinstalled-golden"})
	if res["changed"] != true || res["snapshot"] != snap {
		t.Fatalf("incremental export: %s", pretty(res))
	}
	if fi, fj := fileSize(t, incr), fileSize(t, full); fi >= fj/2 {
		t.Errorf("incremental image %d bytes, full %d: want far smaller", fi, fj)
	}

	// Refused where its base is missing or another snapshot of that name.
	c := NewSim(t)
	res = c.Module("zone_giz", map[string]any{"name": "golden", "image": incr})
	if !strings.Contains(fmt.Sprint(res["msg"]), "is incremental from golden@initial-postinstalled-golden: it applies only onto a zone holding that snapshot, and zone golden does not exist") {
		t.Errorf("incremental onto no zone: %v", res["msg"])
	}
	c.MustModule("zone_giz", map[string]any{"name": "golden"})
	before, mark := c.State(), len(c.Log())
	res = c.Module("zone_giz", map[string]any{"name": "golden", "image": incr})
	if res["failed"] != true || !strings.Contains(fmt.Sprint(res["msg"]), "applies only onto that exact snapshot: zone golden has a snapshot initial-postinstalled-golden, but a different one") {
		t.Errorf("incremental onto the wrong base: %s", pretty(res))
	}
	if m := Mutating(c.Log()[mark:]); len(m) > 0 || c.State() != before {
		t.Errorf("refused incremental import changed something: %v", m)
	}

	// Applied onto its base: the zone equals the updated original. Each
	// file system is rolled back to the base, and the stream received
	// without -F, which would destroy the snapshots the sending side no
	// longer has.
	mark = len(b.Log())
	res = b.MustModule("zone_giz", map[string]any{"name": "golden", "image": incr})
	if res["changed"] != true {
		t.Fatalf("incremental import: %s", pretty(res))
	}
	var zfsCmds []string
	for _, m := range Mutating(b.Log()[mark:]) {
		if strings.HasPrefix(m, "zfs rollback") || strings.HasPrefix(m, "zfs receive") {
			zfsCmds = append(zfsCmds, m)
		}
	}
	gds := "rpool/zones/_zonemgr/GIZ/golden"
	if want := []string{"zfs rollback " + gds + "@initial-postinstalled-golden", "zfs rollback " + gds + "/ROOT@initial-postinstalled-golden",
		"zfs rollback " + gds + "/ROOT/zbe@initial-postinstalled-golden", "zfs receive " + gds}; !slices.Equal(zfsCmds, want) {
		t.Errorf("incremental import's rollbacks and receive: %q, want %q", zfsCmds, want)
	}
	if got, want := treeDigest(t, zoneRoot(b, "golden")), treeDigest(t, zoneRoot(a, "golden")); got != want {
		t.Errorf("zone root after the incremental import differs from the original's:\n%s\nwant\n%s", got, want)
	}
	out, _, _ := b.Run(nil, "pkg", "-R", "/zones/_zonemgr/GIZ/golden/root", "list", "-H", "shell/bash")
	if !strings.Contains(out, "5.2.37-2024.0.0.1") {
		t.Errorf("pkg list shell/bash after the incremental import: %q", out)
	}
	if got := attrOf(t, b, "golden", "zonemgr.snapshot"); got != snap {
		t.Errorf("zonemgr.snapshot = %q, want %q", got, snap)
	}
	mark = len(b.Log())
	res = b.MustModule("zone_giz", map[string]any{"name": "golden", "image": incr})
	if res["changed"] != false || len(Mutating(b.Log()[mark:])) > 0 {
		t.Errorf("second incremental import: %s", pretty(res))
	}
}

func TestGIZFromArchive(t *testing.T) {
	a := NewSim(t)
	a.MustModule("zone_giz", map[string]any{"name": "golden"})
	b := NewSim(t)
	if err := os.MkdirAll(filepath.Join(b.Root, "var/tmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := b.Run(nil, "/bin/tar", "-C", zoneRoot(a, "golden"), "-czf", filepath.Join(b.Root, "var/tmp/root.tgz"), "."); code != 0 {
		t.Fatalf("tar: %s", errOut)
	}
	res := b.MustModule("zone_giz", map[string]any{"name": "fromtar", "archive": "/var/tmp/root.tgz"})
	if res["changed"] != true {
		t.Fatalf("create from archive: %s", pretty(res))
	}
	found := false
	for _, e := range b.Log() {
		if strings.Join(e.Argv, " ") == "zoneadm -z fromtar install -a /var/tmp/root.tgz" {
			found = true
		}
	}
	if !found {
		t.Errorf("zoneadm install -a was not run")
	}
	out, _, _ := b.Run(nil, "pkg", "-R", "/zones/_zonemgr/GIZ/fromtar/root", "list", "-H", "shell/bash")
	if !strings.Contains(out, "shell/bash") {
		t.Errorf("the archive's packages are not in the zone: %q", out)
	}
	res = b.Module("zone_giz", map[string]any{"name": "bad", "archive": "relative.tgz"})
	if !strings.Contains(fmt.Sprint(res["msg"]), `archive: "relative.tgz": want an absolute path`) {
		t.Errorf("relative archive: %v", res["msg"])
	}
}

func fileSize(t testing.TB, p string) int64 {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
