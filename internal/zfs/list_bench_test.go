package zfs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/internal/zfs"
)

// benchProps are the properties the engine asks `zfs list` for when it
// observes the zonemgr containers.
var benchProps = []string{"type", "origin", "mountpoint", "creation", "used", "userrefs"}

// benchList returns `zfs list -H -p` output of n disposable-zone clones,
// each with its ROOT/zbe child, and snaps snapshots of the golden zone.
func benchList(n, snaps int) []byte {
	var b strings.Builder
	const origin = "rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@initial-postinstalled-golden"
	b.WriteString("rpool/zones/_zonemgr/GIZ\tfilesystem\t-\t/zones/_zonemgr/GIZ\t1764338000\t1288490188\t-\n")
	for i := 0; i < snaps; i++ {
		fmt.Fprintf(&b, "rpool/zones/_zonemgr/GIZ/golden@autozone-%06d\tsnapshot\t-\t-\t%d\t0\t1\n", i, 1764338000+i)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "rpool/zones/_zonemgr/DIZ/diz%05d\tfilesystem\t-\t/zones/_zonemgr/DIZ/diz%05d\t%d\t1318912\t-\n", i, i, 1764338000+i)
		fmt.Fprintf(&b, "rpool/zones/_zonemgr/DIZ/diz%05d/ROOT/zbe\tfilesystem\t%s\tlegacy\t%d\t1228800\t-\n", i, origin, 1764338000+i)
	}
	return []byte(b.String())
}

func BenchmarkParseList(b *testing.B) {
	for _, c := range []struct{ zones, snaps int }{
		{10, 0}, {100, 0}, {1000, 0}, {5000, 0}, {0, 10000},
	} {
		out := benchList(c.zones, c.snaps)
		want := 1 + 2*c.zones + c.snaps
		b.Run(fmt.Sprintf("zones=%d/snapshots=%d", c.zones, c.snaps), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(out)))
			for b.Loop() {
				ds, err := zfs.ParseList(benchProps, out)
				if err != nil || len(ds) != want {
					b.Fatalf("ParseList: %d datasets, want %d: %v", len(ds), want, err)
				}
			}
		})
	}
}
