package integration

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/zonemgr/zonemgr/sim/pkg"
)

// BenchmarkImage measures exporting and importing a golden image of the
// sim's default install, full and incremental after one package change:
//
//	go test -run '^$' -bench Image -benchtime 3x ./test/integration/
//
// Each export writes a new file and each import makes a new zone on a
// second global zone; image-bytes is the image file's size.
func BenchmarkImage(b *testing.B) {
	a, dst := NewSim(b), NewSim(b)
	a.MustModule("zone_giz", map[string]any{"name": "golden"})
	dir := b.TempDir()
	full := filepath.Join(dir, "full.zimg")
	a.MustModule("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": full})
	if err := pkg.Publish(a.Root, "shell/bash", "5.2.37-2024.0.0.1"); err != nil {
		b.Fatal(err)
	}
	res := a.MustModule("zone_giz", map[string]any{"name": "golden", "state": "updated"})
	newest, _ := res["snapshot"].(string)
	incr := filepath.Join(dir, "incr.zimg")
	a.MustModule("zone_giz", map[string]any{"name": "golden", "state": "exported", "image": incr, "incremental_from": "initial-postinstalled-golden", "snapshot": newest})

	files := 0
	export := func(b *testing.B, base string) {
		var size int64
		for i := 0; i < b.N; i++ {
			files++
			f := filepath.Join(dir, fmt.Sprintf("bench-%d.zimg", files))
			args := map[string]any{"name": "golden", "state": "exported", "image": f, "snapshot": newest}
			if base != "" {
				args["incremental_from"] = base
			}
			a.MustModule("zone_giz", args)
			size = fileSize(b, f)
		}
		b.ReportMetric(float64(size), "image-bytes")
	}
	n := 0
	b.Run("full/export", func(b *testing.B) { export(b, "") })
	b.Run("full/import", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			n++
			dst.MustModule("zone_giz", map[string]any{"name": fmt.Sprintf("g%d", n), "image": full})
		}
		b.ReportMetric(float64(fileSize(b, full)), "image-bytes")
	})
	b.Run("incremental/export", func(b *testing.B) { export(b, "initial-postinstalled-golden") })
	b.Run("incremental/import", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			n++
			zone := fmt.Sprintf("g%d", n)
			dst.MustModule("zone_giz", map[string]any{"name": zone, "image": full})
			b.StartTimer()
			dst.MustModule("zone_giz", map[string]any{"name": zone, "image": incr})
		}
		b.ReportMetric(float64(fileSize(b, incr)), "image-bytes")
	})
}
