package zfs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/internal/zfs"
)

// FuzzParseList checks that ParseList never panics and that every dataset
// it accepts has a name and exactly the properties asked for.
func FuzzParseList(f *testing.F) {
	for _, n := range []string{"list-r-origin-used-available-mountpoint.txt", "list-snapshot-used-referenced.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "origin,used,available,mountpoint")
	}
	f.Add([]byte("rpool\t-\t1\n\n"), "origin,used")
	f.Add([]byte("\t\t\n"), "a,b")
	f.Add([]byte(""), "")
	f.Fuzz(func(t *testing.T, b []byte, props string) {
		var ps []string
		if props != "" {
			ps = strings.Split(props, ",")
		}
		ds, err := zfs.ParseList(ps, b)
		if err != nil {
			return
		}
		for _, d := range ds {
			if d.Name == "" {
				t.Fatalf("accepted a dataset without a name from %q", b)
			}
			for _, p := range ps {
				if _, ok := d.Props[p]; !ok {
					t.Fatalf("dataset %q lacks property %q", d.Name, p)
				}
			}
		}
	})
}

// FuzzValidNames checks the dataset and snapshot name rules against their
// plain-language promises: an accepted dataset name has no '@', no empty
// component and no leading or trailing '/'; an accepted snapshot name has
// exactly one '@' with a valid dataset before it.
func FuzzValidNames(f *testing.F) {
	for _, s := range []string{"rpool", "rpool/zones/_zonemgr/GIZ", "rpool//x", "rpool/x/", "/rpool", "rpool@s", "rpool/a@b@c", "c0t0d0", "mirror", "rpool/a b", "rpool/..", "rpool/%x", "rpool/" + strings.Repeat("a", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if zfs.ValidDatasetName(name) == nil {
			if name == "" || strings.Contains(name, "@") || strings.Contains(name, "//") || strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") {
				t.Fatalf("accepted dataset name %q", name)
			}
		}
		if zfs.ValidSnapshotName(name) == nil {
			ds, snap, ok := strings.Cut(name, "@")
			if !ok || snap == "" || strings.Contains(snap, "@") || strings.Contains(snap, "/") {
				t.Fatalf("accepted snapshot name %q", name)
			}
			if err := zfs.ValidDatasetName(ds); err != nil {
				t.Fatalf("accepted snapshot name %q of an invalid dataset: %v", name, err)
			}
		}
	})
}
