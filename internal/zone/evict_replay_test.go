package zone

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// TestGCEvictionReplayRechecksEviction: gc finishes a killed destroy of
// a golden zone by destroying it, but a killed eviction only while
// eviction would still destroy the zone: golden, not made on demand, is
// kept, gc says why, and only the journal's removal is planned.
func TestGCEvictionReplayRechecksEviction(t *testing.T) {
	for _, evict := range []bool{false, true} {
		h, f := fakeHost(t)
		h.CheckMode = false
		// A forced destroy (b1 is cloned from golden): the uninstall
		// promotes the clone.
		r := &Recovery{Kind: "destroy", Zone: "golden", Force: true}
		if evict {
			r.Force, r.EvictBefore = false, "2026-10-29T12:00:00Z"
		}
		j, err := NewJournal(h.journalDir(), "giz", "golden", "rk", r)
		if err != nil {
			t.Fatal(err)
		}
		j.Release()
		h.CheckMode = true
		h.Runner = illumos.ReadOnly(f)
		rep, out, err := h.GC(context.Background())
		if err != nil {
			t.Fatalf("evict=%v: %v", evict, err)
		}
		argvs, _ := stepsOf(out.Steps)
		if !evict {
			want := []string{
				"zfs release -r zonemgr rpool/zones/_zonemgr/GIZ/golden@initial-postinstalled-golden",
				"zoneadm -z golden uninstall -F",
				"zonecfg -z golden delete -F",
			}
			if !slices.Equal(argvs, want) {
				t.Errorf("destroy replay: %q, want %q", argvs, want)
			}
			continue
		}
		if len(argvs) != 0 || len(out.Steps) != 1 || out.Steps[0].Forget != j.Path() {
			t.Errorf("eviction replay planned %q, want the journal's removal alone", out.Plan)
		}
		want := "destroy golden: golden zone golden was being evicted, but eviction now keeps it: it was not made on demand; it is kept"
		if !slices.ContainsFunc(rep.NotRun, func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("not_run %q, want %q", rep.NotRun, want)
		}
	}
}
