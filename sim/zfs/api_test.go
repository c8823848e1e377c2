package zfs_test

import (
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/zonemgr/zonemgr/sim/internal/simtest"
	"github.com/zonemgr/zonemgr/sim/zfs"
)

// open loads the sim's dataset table through the Go API.
func open(t *testing.T, s *simtest.Sim) *zfs.State {
	t.Helper()
	st, err := zfs.Open(s.Root)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestAPIZoneLifecycle(t *testing.T) {
	s := simtest.New(t)
	st := open(t, s)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.Create("rpool/zones/golden", map[string]string{"sharenfs": "off"}, false))
	must(st.Create("rpool/zones/golden/ROOT/zbe", map[string]string{"mountpoint": "legacy", "zoned": "on"}, true))
	if ds, ok := st.FilesystemAt("/zones/golden"); !ok || ds != "rpool/zones/golden" {
		t.Errorf("FilesystemAt(/zones/golden) = %q, %v", ds, ok)
	}
	must(st.MountLegacy("rpool/zones/golden/ROOT/zbe", "/zones/golden/root"))
	dir, err := st.ContentPath("rpool/zones/golden/ROOT/zbe")
	must(err)
	if dir != s.Path("/zones/golden/root") {
		t.Errorf("ContentPath = %q, want %q", dir, s.Path("/zones/golden/root"))
	}
	writeFile(t, s.Path("/zones/golden/root/etc/release"), "OpenIndiana\n")
	must(st.Snapshot([]string{"rpool/zones/golden/ROOT/zbe@build1_snap"}, false, nil))
	must(st.Create("rpool/zones/build1/ROOT", map[string]string{"mountpoint": "legacy", "zoned": "on"}, true))
	must(st.Clone("rpool/zones/golden/ROOT/zbe@build1_snap", "rpool/zones/build1/ROOT/zbe", nil, false))
	must(st.SetProp("rpool/zones/build1/ROOT/zbe", "canmount", "noauto"))
	must(st.MountLegacy("rpool/zones/build1/ROOT/zbe", "/zones/build1/root"))
	if got := readFile(s.Path("/zones/build1/root/etc/release")); got != "OpenIndiana\n" {
		t.Errorf("clone contents = %q", got)
	}
	v, src, err := st.GetProp("rpool/zones/build1/ROOT/zbe", "zoned")
	must(err)
	if v != "on" || src != "inherited from rpool/zones/build1/ROOT" {
		t.Errorf("GetProp(zoned) = %q, %q", v, src)
	}
	if got := st.Children("rpool/zones"); !reflect.DeepEqual(got, []string{"rpool/zones/build1", "rpool/zones/golden"}) {
		t.Errorf("Children = %q", got)
	}
	if got := st.Snapshots("rpool/zones/golden/ROOT/zbe"); !reflect.DeepEqual(got, []string{"rpool/zones/golden/ROOT/zbe@build1_snap"}) {
		t.Errorf("Snapshots = %q", got)
	}
	err = st.Create("rpool/zones/build1", nil, false)
	var zerr *zfs.Error
	if !errors.As(err, &zerr) || err.Error() != "cannot create 'rpool/zones/build1': dataset already exists" {
		t.Errorf("Create of an existing dataset: %v", err)
	}
	must(st.Unmount("rpool/zones/build1/ROOT/zbe"))
	if entries, _ := os.ReadDir(s.Path("/zones/build1/root")); len(entries) != 0 {
		t.Errorf("unmounted legacy mount point still shows contents: %v", entries)
	}
	must(st.MountLegacy("rpool/zones/build1/ROOT/zbe", "/zones/build1/root"))
	if got := readFile(s.Path("/zones/build1/root/etc/release")); got != "OpenIndiana\n" {
		t.Errorf("contents after remount = %q", got)
	}
	must(st.Destroy("rpool/zones/build1", true, false))
	must(st.Destroy("rpool/zones/golden/ROOT/zbe@build1_snap", false, false))
	must(st.Save())
	simtest.Check(t, "after the API", s.Run(nil, "zfs", "list", "-H", "-t", "all", "-o", "name", "-r", "rpool/zones"),
		"rpool/zones\nrpool/zones/golden\nrpool/zones/golden/ROOT\nrpool/zones/golden/ROOT/zbe\n", "", 0)
	if _, err := os.Stat(s.Path("/zones/build1")); !os.IsNotExist(err) {
		t.Errorf("destroyed zone path left: %v", err)
	}
}

func TestAPIPromoteAndRollback(t *testing.T) {
	s := simtest.New(t)
	st := open(t, s)
	if err := st.Create("rpool/zones/a", nil, false); err != nil {
		t.Fatal(err)
	}
	writeFile(t, s.Path("/zones/a/f"), "1\n")
	if err := st.Snapshot([]string{"rpool/zones/a@s1"}, false, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.Clone("rpool/zones/a@s1", "rpool/zones/b", nil, false); err != nil {
		t.Fatal(err)
	}
	if err := st.Promote("rpool/zones/b"); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := st.GetProp("rpool/zones/a", "origin"); v != "rpool/zones/b@s1" {
		t.Errorf("origin after promote = %q", v)
	}
	writeFile(t, s.Path("/zones/b/f"), "2\n")
	if err := st.Rollback("rpool/zones/b@s1", false, false); err != nil {
		t.Fatal(err)
	}
	if got := readFile(s.Path("/zones/b/f")); got != "1\n" {
		t.Errorf("after rollback f = %q", got)
	}
	err := st.Promote("rpool/zones/b")
	if err == nil || err.Error() != "cannot promote 'rpool/zones/b': not a cloned filesystem" {
		t.Errorf("Promote of a non-clone: %v", err)
	}
}
