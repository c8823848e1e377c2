package zfs_test

import (
	"os"
	"strings"
	"testing"

	gozfs "github.com/mistifyio/go-zfs/v3"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/internal/simtest"
)

// TestGoZFS drives the real go-zfs v3 library against the simulated zfs
// and zpool found first on PATH.
func TestGoZFS(t *testing.T) {
	s := simtest.New(t)
	t.Setenv("PATH", simtest.Bin()+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv(core.EnvRoot, s.Root)

	s.OK("zfs", "create", "rpool/zones/golden")
	writeFile(t, s.Path("/zones/golden/file"), "v1\n")
	s.OK("zfs", "snapshot", "rpool/zones/golden@s1")
	writeFile(t, s.Path("/zones/golden/file"), "v2\n")
	s.OK("zfs", "clone", "rpool/zones/golden@s1", "rpool/zones/c1")

	fs := &gozfs.Dataset{Name: "rpool/zones/golden"}
	if err := fs.SetProperty("com.sun:auto-snapshot", "false"); err != nil {
		t.Fatalf("SetProperty: %v", err)
	}
	for prop, want := range map[string]string{
		"com.sun:auto-snapshot": "false",
		"compression":           "lz4",
		"mountpoint":            "/zones/golden",
		"origin":                "-",
	} {
		got, err := fs.GetProperty(prop)
		if err != nil || got != want {
			t.Errorf("GetProperty(%s) = %q, %v; want %q", prop, got, err, want)
		}
	}
	if got, err := (&gozfs.Dataset{Name: "rpool/zones/c1"}).GetProperty("origin"); err != nil || got != "rpool/zones/golden@s1" {
		t.Errorf("GetProperty(origin) of the clone = %q, %v", got, err)
	}

	all, err := gozfs.Datasets("rpool/zones")
	if err != nil {
		t.Fatalf("Datasets: %v", err)
	}
	var names []string
	for _, d := range all {
		names = append(names, d.Name)
		if d.Name == "rpool/zones/c1" && (d.Origin != "rpool/zones/golden@s1" || d.Type != "filesystem" || d.Compression != "lz4") {
			t.Errorf("clone parsed as %+v", d)
		}
		if d.Name == "rpool/zones/golden@s1" && (d.Type != "snapshot" || d.Mountpoint != "" || d.Referenced == 0) {
			t.Errorf("snapshot parsed as %+v", d)
		}
	}
	want := "rpool/zones rpool/zones/c1 rpool/zones/golden rpool/zones/golden@s1"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("Datasets names = %q, want %q", got, want)
	}

	snap := &gozfs.Dataset{Name: "rpool/zones/golden@s1", Type: gozfs.DatasetSnapshot}
	if err := snap.Rollback(false); err != nil {
		t.Fatalf("Rollback: %v", err)
	}
	if got := readFile(s.Path("/zones/golden/file")); got != "v1\n" {
		t.Errorf("after Rollback file = %q", got)
	}
	err = snap.Destroy(gozfs.DestroyDefault)
	if zerr, ok := err.(*gozfs.Error); !ok || zerr.Stderr != "cannot destroy 'rpool/zones/golden@s1': snapshot has dependent clones\nuse '-R' to destroy the following datasets:\nrpool/zones/c1\n" {
		t.Errorf("Destroy of a cloned snapshot: %v", err)
	}
	if err := snap.Destroy(gozfs.DestroyRecursiveClones); err != nil {
		t.Fatalf("Destroy -R: %v", err)
	}
	if err := fs.Destroy(gozfs.DestroyRecursive | gozfs.DestroyForceUmount); err != nil {
		t.Fatalf("Destroy -r -f: %v", err)
	}
	simtest.Check(t, "after destroys", s.Run(nil, "zfs", "list", "-H", "-t", "all", "-o", "name", "-r", "rpool/zones"), "rpool/zones\n", "", 0)

	pool, err := gozfs.GetZpool("rpool")
	if err != nil {
		t.Fatalf("GetZpool: %v", err)
	}
	if pool.Name != "rpool" || pool.Health != "ONLINE" || pool.Size != 100<<30 || pool.DedupRatio != 1.0 ||
		pool.Fragmentation != 3 || pool.Allocated == 0 || pool.Free != pool.Size-pool.Allocated || pool.ReadOnly {
		t.Errorf("GetZpool = %+v", pool)
	}
	pools, err := gozfs.ListZpools()
	if err != nil || len(pools) != 1 || pools[0].Name != "rpool" {
		t.Errorf("ListZpools = %+v, %v", pools, err)
	}
}
