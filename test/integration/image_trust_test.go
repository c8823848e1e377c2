package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/internal/zoneroot"
	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/pkg"
)

// An exported image holds the golden zone's whole root, /etc/shadow
// included: it is mode 0600, also where it replaces a file of another
// mode.
func TestExportedImageIsPrivate(t *testing.T) {
	s := NewSim(t)
	s.MustModule("zone_giz", map[string]any{"name": "golden", "copy_users": []string{"jenkins"}})
	file := filepath.Join(t.TempDir(), "golden.zimg")
	if err := os.WriteFile(file, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.MustModule("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": file})
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("image: %v, mode %v, want 0600", err, fi.Mode().Perm())
	}
}

// An image is checked and then read again by zfs receive: an image file
// someone other than the user running zonemgr (or root) could change in
// between is refused by an import, naming why, and changes nothing; an
// export does not take such a file, a damaged one or a link for the
// image it would write, and writes it again (or refuses the link).
func TestImageFileMustBeTrusted(t *testing.T) {
	a := NewSim(t)
	a.MustModule("zone_giz", map[string]any{"name": "golden"})
	dir := t.TempDir()
	file := filepath.Join(dir, "golden.zimg")
	a.MustModule("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": file})
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	place := func(t *testing.T, dirMode os.FileMode, fileMode os.FileMode, uid int) string {
		d := filepath.Join(t.TempDir(), "images")
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(d, "golden.zimg")
		if err := os.WriteFile(f, data, fileMode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(f, fileMode)
		os.Chmod(d, dirMode)
		if uid >= 0 {
			os.Chown(f, uid, uid)
		}
		return f
	}
	for _, tc := range []struct {
		name              string
		dirMode, fileMode os.FileMode
		uid               int
		want              string
	}{
		{"owned by another user", 0o755, 0o644, 65534, "owned by uid 65534, neither root nor the user running zonemgr (uid 0)"},
		{"group-writable", 0o755, 0o664, -1, "writable by its group or others (mode 0664)"},
		{"in a directory others may write", 0o777, 0o644, -1, "is writable by group or others without the sticky bit (mode 0777)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := place(t, tc.dirMode, tc.fileMode, tc.uid)
			b := NewSim(t)
			before := b.State()
			res := b.Module("zone_giz", map[string]any{"name": "copy", "image": f})
			if msg := fmt.Sprint(res["msg"]); res["failed"] != true || !strings.Contains(msg, "image "+f+": ") || !strings.Contains(msg, tc.want) {
				t.Errorf("import: %s", pretty(res))
			}
			if after := b.State(); after != before {
				t.Errorf("a refused import changed the sim:\n%s", diffLines(before, after))
			}
		})
	}
	t.Run("sticky directory", func(t *testing.T) {
		f := place(t, os.ModeSticky|0o777, 0o600, -1)
		b := NewSim(t)
		b.MustModule("zone_giz", map[string]any{"name": "copy", "image": f})
	})
	t.Run("export over a file of another user", func(t *testing.T) {
		f := place(t, 0o755, 0o644, 65534)
		res := a.MustModule("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": f})
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if uid, _ := zoneroot.Owner(fi); res["changed"] != true || uid != 0 {
			t.Errorf("export over an image of uid 65534: changed %v, owner %d, want it written again (owner root)", res["changed"], uid)
		}
	})
	t.Run("export over a damaged image", func(t *testing.T) {
		f := place(t, 0o755, 0o600, -1)
		bad := append([]byte{}, data...)
		bad[len(bad)/3] ^= 1
		os.WriteFile(f, bad, 0o600)
		if res := a.MustModule("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": f}); res["changed"] != true {
			t.Errorf("export over a damaged image of the snapshot: %s, want it written again", pretty(res))
		}
		if got, _ := os.ReadFile(f); string(got) == string(bad) {
			t.Errorf("the damaged image is still there")
		}
	})
	t.Run("export to a link", func(t *testing.T) {
		link := filepath.Join(t.TempDir(), "link.zimg")
		os.Symlink(file, link)
		if res := a.Module("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": link}); res["failed"] != true || !strings.Contains(fmt.Sprint(res["msg"]), "symbolic link") {
			t.Errorf("export to a link to the image: %s", pretty(res))
		}
	})
}

// An image's stream is received unmounted and checked before anything
// uses it: a stream that makes a dataset a golden zone does not have,
// mounts one outside the zonepath or shares one is refused, nothing of
// it is mounted in the global zone, and nothing is left behind.
func TestImageStreamMakesOnlyAZonesDatasets(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(a *Sim)
		want  string
	}{
		{"a dataset of its own, mounted in the global zone", func(a *Sim) {
			a.MustRun("zfs", "create", "-o", "mountpoint=/opt/evil", gizDS+"/golden/evil")
			os.WriteFile(filepath.Join(a.Root, "opt/evil/payload"), []byte("from the image\n"), 0o644)
			a.MustRun("zfs", "snapshot", gizDS+"/golden/evil@initial-postinstalled-golden")
		}, gizDS + "/copy/evil is not a zone's dataset (the zone's, its ROOT, or a boot environment below ROOT)"},
		{"a boot environment mounted in the global zone", func(a *Sim) {
			a.MustRun("zfs", "set", "zoned=off", gizDS+"/golden/ROOT/zbe")
			a.MustRun("zfs", "set", "mountpoint=/opt/evil", gizDS+"/golden/ROOT/zbe")
		}, gizDS + "/copy/ROOT/zbe has mountpoint /opt/evil, outside the zonepath /zones/_zonemgr/GIZ/copy"},
		{"the zone's dataset shared", func(a *Sim) {
			a.MustRun("zfs", "set", "sharenfs=on", gizDS+"/golden")
		}, gizDS + "/copy is shared (sharenfs on, sharesmb off)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := NewSim(t)
			a.MustModule("zone_giz", map[string]any{"name": "golden"})
			tc.setup(a)
			a.MustRun("zfs", "snapshot", "-r", gizDS+"/golden@s2")
			file := filepath.Join(t.TempDir(), "golden.zimg")
			a.MustModule("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": file, "snapshot": "s2"})
			b := NewSim(t)
			res := b.Module("zone_giz", map[string]any{"name": "copy", "image": file})
			if msg := fmt.Sprint(res["msg"]); res["failed"] != true || !strings.Contains(msg, "the image's stream made what a golden zone's does not: "+tc.want) {
				t.Errorf("import: %s", pretty(res))
			}
			if _, err := os.Stat(filepath.Join(b.Root, "opt/evil")); err == nil {
				t.Errorf("the import made /opt/evil in the global zone")
			}
			if l := b.datasets(gizDS + "/copy"); l != "" || len(b.Zones()) != 0 || len(b.journals()) != 0 {
				t.Errorf("a refused import left datasets %q, zones %v, journals %v", l, b.Zones(), b.journals())
			}
		})
	}
}

// An incremental image's stream is checked too, before the image is
// recorded: one that makes a dataset of its own fails the import, which
// says so (a receive onto a base has no undo).
func TestIncrementalImageStreamIsChecked(t *testing.T) {
	full, incr := fullAndIncremental(t, func(a *Sim) {
		a.MustRun("zfs", "create", "-o", "mountpoint=/opt/evil", gizDS+"/golden/evil")
	})
	b := NewSim(t)
	b.MustModule("zone_giz", map[string]any{"name": "golden", "image": full})
	res := b.Module("zone_giz", map[string]any{"name": "golden", "image": incr})
	if msg := fmt.Sprint(res["msg"]); res["failed"] != true || !strings.Contains(msg, gizDS+"/golden/evil is not a zone's dataset") {
		t.Errorf("incremental import: %s", pretty(res))
	}
	if got := b.MustRun("zonecfg", "-z", "golden", "info", "attr", "name=zonemgr.snapshot"); strings.Contains(got, "s3") {
		t.Errorf("the image was recorded:\n%s", got)
	}
}

// An image's lofs mounts put directories of the importing global zone in
// the zone: each is kept only when the import names it (mount_lofs,
// --mount-lofs), and one the import names that the image lacks is
// refused; an image whose zone boots with the host is refused. Nothing
// is changed by a refusal.
func TestImageMountsOnlyWhatTheImportNames(t *testing.T) {
	a := NewSim(t)
	a.MustModule("zone_giz", map[string]any{"name": "golden"})
	file := filepath.Join(t.TempDir(), "golden.zimg")
	a.MustModule("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": file})
	rewriteManifest(t, file, func(m map[string]any) {
		m["config"] = fmt.Sprint(m["config"]) + "add fs\nset dir=/gzetc\nset special=/etc\nset type=lofs\nadd options [rw,nodevices]\nend\n"
	})
	b := NewSim(t)
	before := b.State()
	for _, tc := range []struct {
		lofs []string
		want string
	}{
		{nil, `mount_lofs: image ` + file + `: it mounts the global zone's /etc on /gzetc (rw): give "/gzetc|/etc|rw" to keep it`},
		{[]string{"/gzetc|/etc|ro"}, `it mounts the global zone's /etc on /gzetc (rw): give "/gzetc|/etc|rw" to keep it; "/gzetc|/etc": the image mounts nothing so`},
	} {
		res := b.Module("zone_giz", map[string]any{"name": "copy", "image": file, "mount_lofs": tc.lofs})
		if msg := fmt.Sprint(res["msg"]); res["failed"] != true || !strings.Contains(msg, tc.want) {
			t.Errorf("import with mount_lofs %q: %s", tc.lofs, pretty(res))
		}
	}
	out, errOut, code := b.Run(nil, "zonemgr", "import-giz", "-i", file, "-z", "copy")
	if code == 0 || !strings.Contains(errOut, "--mount-lofs: image "+file+": it mounts the global zone's /etc") {
		t.Errorf("import-giz: exit %d\n%s%s", code, out, errOut)
	}
	if after := b.State(); after != before {
		t.Errorf("a refused import changed the sim:\n%s", diffLines(before, after))
	}
	b.MustModule("zone_giz", map[string]any{"name": "copy", "image": file, "mount_lofs": []string{"/gzetc|/etc|rw"}})
	if got := b.MustRun("zonecfg", "-z", "copy", "info", "fs"); !strings.Contains(got, "special: /etc") {
		t.Errorf("the mount named was not kept:\n%s", got)
	}

	rewriteManifest(t, file, func(m map[string]any) { m["config"] = fmt.Sprint(m["config"]) + "set autoboot=true\n" })
	res := b.Module("zone_giz", map[string]any{"name": "copy2", "image": file, "mount_lofs": []string{"/gzetc|/etc|rw"}})
	if msg := fmt.Sprint(res["msg"]); res["failed"] != true || !strings.Contains(msg, "its zone boots with the host (autoboot=true)") {
		t.Errorf("import of a zone that boots with the host: %s", pretty(res))
	}
}

// An export zfs send -R could not make into an image another host can
// receive is refused before anything is written: a golden zone cloned
// from another (its boot environment is a clone of the other's
// snapshot, which the stream would need on the importing host), and a
// snapshot that a dataset of the zone lacks (a boot environment made
// after it).
func TestExportRefusesWhatSendCannotShip(t *testing.T) {
	s := NewSim(t)
	s.MustModule("zone_giz", map[string]any{"name": "golden"})
	s.MustModule("zone_giz", map[string]any{"name": "derived", "source": "golden"})
	dir := t.TempDir()
	res := s.Module("zone_giz", map[string]any{"name": "derived", "state": "exported", "image": filepath.Join(dir, "derived.zimg")})
	if msg := fmt.Sprint(res["msg"]); res["failed"] != true || !strings.Contains(msg, "zone derived: its datasets are clones of snapshots outside them: "+gizDS+"/derived/ROOT/zbe (a clone of "+gizDS+"/golden/ROOT/zbe@") {
		t.Errorf("export of a cloned golden zone: %s", pretty(res))
	}
	s.MustRun("zfs", "create", gizDS+"/golden/ROOT/zbe-1")
	res = s.Module("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": filepath.Join(dir, "golden.zimg")})
	if msg := fmt.Sprint(res["msg"]); res["failed"] != true || !strings.Contains(msg, "these do not exist: "+gizDS+"/golden/ROOT/zbe-1@initial-postinstalled-golden") {
		t.Errorf("export of a snapshot a dataset lacks: %s", pretty(res))
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("refused exports left %d files", len(files))
	}
}

// An incremental image is refused before anything changes when a file
// system below the zone's has a snapshot newer than the base (an
// administrator's): zfs rollback, which the import runs on each, would
// refuse it after the first rollbacks ran.
func TestIncrementalImportRefusesNewerSnapshotBelow(t *testing.T) {
	full, incr := fullAndIncremental(t, func(*Sim) {})
	b := NewSim(t)
	b.MustModule("zone_giz", map[string]any{"name": "golden", "image": full})
	b.MustRun("zfs", "snapshot", gizDS+"/golden/ROOT/zbe@admins")
	before := b.State()
	res := b.Module("zone_giz", map[string]any{"name": "golden", "image": incr})
	if msg := fmt.Sprint(res["msg"]); res["failed"] != true || !strings.Contains(msg, "has snapshots newer than initial-postinstalled-golden below it: "+gizDS+"/golden/ROOT/zbe@admins") {
		t.Errorf("incremental import over a newer snapshot below: %s", pretty(res))
	}
	if after := b.State(); after != before {
		t.Errorf("the refused import changed the sim:\n%s", diffLines(before, after))
	}
}

// An incremental import that failed or was killed after its receive
// (which has no undo) is finished by the next import of the image: the
// image's snapshots get zonemgr's hold, the zone records the image, and
// disposable zones are cloned from it; the import after that changes
// nothing.
func TestIncrementalImportFinishedAfterAFailure(t *testing.T) {
	for _, killed := range []bool{false, true} {
		t.Run(fmt.Sprintf("killed=%v", killed), func(t *testing.T) {
			a := NewSim(t)
			a.MustModule("zone_giz", map[string]any{"name": "golden"})
			dir := t.TempDir()
			full, incr := filepath.Join(dir, "full.zimg"), filepath.Join(dir, "incr.zimg")
			a.MustModule("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": full})
			if err := pkg.Publish(a.Root, "shell/bash", "5.2.99-2026.0.0.0"); err != nil {
				t.Fatal(err)
			}
			s3, _ := a.MustModule("zone_giz", map[string]any{"name": "golden", "state": "updated"})["snapshot"].(string)
			a.MustModule("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": incr, "incremental_from": "initial-postinstalled-golden"})
			b := NewSim(t)
			b.MustModule("zone_giz", map[string]any{"name": "golden", "image": full})
			b.resetFailCounts()
			if killed {
				b.crashAt("zfs hold#1", "zonemgr", "import-giz", "-i", incr, "-z", "golden")
				b.MustRun("zonemgr", "gc")
			} else if res := b.Module("zone_giz", map[string]any{"name": "golden", "image": incr}, core.EnvFail+"=zfs hold#1:exit=1:msg=injected"); res["failed"] != true {
				t.Fatalf("import with a failing hold: %s", pretty(res))
			}
			res := b.MustModule("zone_giz", map[string]any{"name": "golden", "image": incr})
			refs := strings.TrimSpace(b.MustRun("zfs", "get", "-H", "-o", "value", "userrefs", gizDS+"/golden@"+s3))
			if got := attrOf(t, b, "golden", "zonemgr.snapshot"); res["changed"] != true || got != s3 || refs != "1" {
				t.Errorf("the import again: changed %v, zonemgr.snapshot %q, userrefs of @%s %q\n%s", res["changed"], got, s3, refs, pretty(res))
			}
			if res := b.MustModule("zone_giz", map[string]any{"name": "golden", "image": incr}); res["changed"] != false {
				t.Errorf("the import once more: %s", pretty(res))
			}
			if res := b.MustModule("zone_diz", map[string]any{"name": "d1", "giz": "golden"}); res["snapshot"] != s3 {
				t.Errorf("a disposable zone cloned from %v, want %s", res["snapshot"], s3)
			}
		})
	}
}

// zone_giz's diff for an export is what the image file holds before and
// after; for an update, the zone's snapshots before, and after them the
// changes the update is to make and the snapshot it takes if a package
// changed; a result that changes nothing has no diff.
func TestGIZExportAndUpdateDiff(t *testing.T) {
	s := goldenSim(t)
	file := filepath.Join(t.TempDir(), "golden.zimg")
	const snaps = "snapshots: initial-installed-golden, initial-manifest_import_booted-golden, initial-postinstalled-golden"
	diffOf := func(res map[string]any) (string, string) {
		d, _ := res["diff"].(map[string]any)
		b, _ := d["before"].(string)
		a, _ := d["after"].(string)
		return b, a
	}
	for _, check := range []bool{true, false} {
		res := s.MustModule("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": file, "_ansible_diff": true, "_ansible_check_mode": check})
		if b, a := diffOf(res); b != "image: none\n" || a != "image: golden@initial-postinstalled-golden\n" {
			t.Errorf("export (check %v): diff %q -> %q", check, b, a)
		}
	}
	res := s.MustModule("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": file, "_ansible_diff": true})
	if _, ok := res["diff"]; res["changed"] != false || ok {
		t.Errorf("export again: changed %v, diff %v (a result that changed nothing has none)", res["changed"], res["diff"])
	}

	res = s.MustModule("zone_giz", map[string]any{"name": "golden", "state": "updated", "add_packages": []string{"developer/build/gnu-make"}, "_ansible_diff": true, "_ansible_check_mode": true})
	if b, a := diffOf(res); b != snaps+"\n" || !strings.HasPrefix(a, "package developer/build/gnu-make: installed\npackages: updated to the newest versions the zone allows\n"+snaps+", autozone-") || !strings.HasSuffix(a, " (if a package changed)\n") {
		t.Errorf("update in check mode: diff %q -> %q", b, a)
	}
	res = s.MustModule("zone_giz", map[string]any{"name": "golden", "state": "updated", "_ansible_diff": true})
	if _, ok := res["diff"]; res["changed"] != false || ok {
		t.Errorf("update with nothing to do: changed %v, diff %v", res["changed"], res["diff"])
	}
}

// fullAndIncremental makes a golden zone on a sim of its own, exports
// its full image, changes it, snapshots it as s3 and exports the
// incremental image from its initial snapshot to s3.
func fullAndIncremental(t *testing.T, change func(a *Sim)) (full, incr string) {
	t.Helper()
	a := NewSim(t)
	a.MustModule("zone_giz", map[string]any{"name": "golden"})
	dir := t.TempDir()
	full, incr = filepath.Join(dir, "full.zimg"), filepath.Join(dir, "incr.zimg")
	a.MustModule("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": full})
	change(a)
	a.MustRun("zfs", "snapshot", "-r", gizDS+"/golden@s3")
	a.MustModule("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": incr, "snapshot": "s3", "incremental_from": "initial-postinstalled-golden"})
	return full, incr
}
