package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
)

func TestSampleMedianAndSpread(t *testing.T) {
	for _, c := range []struct {
		s           sample
		med, lo, hi float64
		count       string
	}{
		{sample{}, 0, 0, 0, "0"},
		{sample{4}, 4, 4, 4, "4"},
		{sample{3, 1, 2}, 2, 1, 3, "2 (1–3)"},
		{sample{4, 1, 3, 2}, 2.5, 1, 4, "2.5 (1–4)"},
		{sample{7, 7, 7}, 7, 7, 7, "7"},
	} {
		lo, hi := c.s.spread()
		if got := c.s.median(); got != c.med || lo != c.lo || hi != c.hi {
			t.Errorf("%v: median %g spread %g–%g, want %g %g–%g", c.s, got, lo, hi, c.med, c.lo, c.hi)
		}
		if got := c.s.count(); got != c.count {
			t.Errorf("%v: count() = %q, want %q", c.s, got, c.count)
		}
	}
}

func TestUnionAndLockWait(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	entry := func(tool string, mutating bool, from, durMS int) core.LogEntry {
		return core.LogEntry{Tool: tool, Mutating: mutating, Start: at(from), DurUS: int64(durMS) * 1000}
	}
	for _, c := range []struct {
		name    string
		entries []core.LogEntry
		union   time.Duration
		wait    time.Duration
	}{
		{"none", nil, 0, 0},
		{"apart", []core.LogEntry{entry("zfs", true, 0, 10), entry("zfs", false, 20, 10)}, 20 * time.Millisecond, 0},
		{"overlapping", []core.LogEntry{entry("zfs", true, 0, 10), entry("zoneadm", true, 5, 10)}, 15 * time.Millisecond, 5 * time.Millisecond},
		{"nested", []core.LogEntry{entry("zfs", true, 0, 30), entry("zfs", true, 10, 5)}, 30 * time.Millisecond, 5 * time.Millisecond},
		// zlogin and read-only zoneadm hold no lock while they run.
		{"lockless", []core.LogEntry{entry("zfs", true, 0, 10), entry("zlogin", true, 0, 10), entry("zoneadm", false, 0, 10)}, 10 * time.Millisecond, 0},
	} {
		if got := union(commandSpans(c.entries, 0)); got != c.union {
			t.Errorf("%s: union = %v, want %v", c.name, got, c.union)
		}
		if got := lockWait(c.entries); got != c.wait {
			t.Errorf("%s: lockWait = %v, want %v", c.name, got, c.wait)
		}
	}
	// A start cost widens each span before its start.
	spans := commandSpans([]core.LogEntry{entry("zfs", false, 10, 5)}, 2*time.Millisecond)
	if !spans[0].from.Equal(at(8)) || !spans[0].to.Equal(at(15)) {
		t.Errorf("span with start cost = %v–%v, want 8ms–15ms", spans[0].from.Sub(t0), spans[0].to.Sub(t0))
	}
}

// buildBinaries returns $ZONEMGR_BIN, or builds the binaries the suite
// runs into a temporary directory.
func buildBinaries(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("ZONEMGR_BIN"); d != "" {
		return d
	}
	dir := t.TempDir()
	pkgs := []string{"./sim/cmd/illumos-sim", "./runner/cmd/zonemgr"}
	mods, _ := filepath.Glob(filepath.Join("..", "modules", "zone_*"))
	for _, m := range mods {
		pkgs = append(pkgs, "./modules/"+filepath.Base(m))
	}
	cmd := exec.Command("go", append([]string{"build", "-o", dir + "/"}, pkgs...)...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

// TestShortSuite runs the whole suite once with tiny sizes and checks the
// figures that do not depend on the machine: process counts, failures,
// leftovers, and the report's sections.
func TestShortSuite(t *testing.T) {
	if _, err := os.Stat("/bin/busybox"); err != nil {
		t.Skip("the simulator needs a static busybox: apt-get install -y --no-install-recommends busybox-static")
	}
	cfg := shortConfig()
	cfg.bin = buildBinaries(t)
	rep, err := measure(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The yardstick and the floor: both measured, main within the wall.
	for _, f := range []struct {
		name         string
		wall, inMain sample
	}{{"gofloor", rep.goFloor, rep.goFloorInMain}, {"module floor", rep.moduleStart, rep.moduleInMain}} {
		if len(f.wall) == 0 || len(f.wall) != len(f.inMain) {
			t.Fatalf("%s: %d wall times, %d in main", f.name, len(f.wall), len(f.inMain))
		}
		for i := range f.wall {
			if f.inMain[i] <= 0 || f.inMain[i] >= f.wall[i] {
				t.Errorf("%s run %d: %g ms in main of %g ms", f.name, i, f.inMain[i], f.wall[i])
			}
		}
	}
	if len(rep.ops) != len(operations) {
		t.Fatalf("%d operation results, want %d", len(rep.ops), len(operations))
	}
	for _, o := range rep.ops {
		if len(o.failures) > 0 {
			t.Errorf("%s failed: %v", opLabel(o.op), o.failures)
			continue
		}
		_, procs := o.procs.spread()
		_, changes := o.mutating.spread()
		if procs < float64(o.op.min) {
			t.Errorf("%s: %g processes, fewer than the argued minimum %d: the minimum is wrong", opLabel(o.op), procs, o.op.min)
		}
		// Every no-op starts read-only commands only.
		if o.op.noop && changes != 0 {
			t.Errorf("%s: %g changing commands, want none", opLabel(o.op), changes)
		}
		if o.op.module == "zone_info" && changes != 0 {
			t.Errorf("%s: %g changing commands, want none", opLabel(o.op), changes)
		}
	}
	// A disposable zone boots once in its life, when it starts; a
	// refresh with nothing to update boots nothing.
	boots := map[string]float64{"create-diz": 0, "start": 1, "exec": 0, "exec-diz": 1, "destroy": 0, "update-giz": 1, "update-giz, again (no-op)": 0}
	for _, o := range rep.ops {
		want, ok := boots[opLabel(o.op)]
		if !ok || len(o.boots) == 0 {
			continue
		}
		if lo, hi := o.boots.spread(); lo != want || hi != want {
			t.Errorf("%s: %s boots, want %g", opLabel(o.op), o.boots.count(), want)
		}
	}
	if b := rep.build; len(b.failures) > 0 || len(b.before) != cfg.rounds {
		t.Errorf("time to build: %d runs measured, failures %v", len(b.before), b.failures)
	} else if lo, hi := b.boots.spread(); lo != 1 || hi != 1 {
		t.Errorf("time to build: %s boots before the build, want 1", b.boots.count())
	}
	if c := rep.content; len(c.failures) > 0 {
		t.Errorf("content: %v", c.failures)
	} else if lo, hi := c.rows[1].boots.spread(); lo != 0 || hi != 0 {
		t.Errorf("content: a disposable zone from an existing content golden: %s boots, want 0", c.rows[1].boots.count())
	}
	for _, tp := range rep.tput {
		if tp.failures != 0 || tp.leftovers != 0 {
			t.Errorf("%d parallel exec-diz: %d failures, %d leftovers: %v %v", tp.n, tp.failures, tp.leftovers, tp.failDetail, tp.leftDetail)
		}
	}
	if len(rep.scale) != len(cfg.zones)+len(cfg.snaps) {
		t.Fatalf("%d scale results, want %d", len(rep.scale), len(cfg.zones)+len(cfg.snaps))
	}
	first := rep.scale[0].infoProcs.median()
	for _, s := range rep.scale {
		if got := s.infoProcs.median(); got != first {
			t.Errorf("%s: zone_info started %g processes, %g at the smallest size", s.label, got, first)
		}
	}
	if got, want := rep.scale[0].listedRows.median(), float64(cfg.zones[0]+1); got != want {
		t.Errorf("zonemgr list printed %g lines with %d zones and the golden one, want %g", got, cfg.zones[0], want)
	}
	out := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	if err := rep.write(out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# zonemgr benchmarks", "- Machine: ", "## Processes per operation", "## zonemgr's own time",
		"## Scale: listing", "## Throughput: parallel exec-diz", "## Time to build: exec-diz with real boot times",
		"## Golden zones by content: a disposable zone for a package set",
		fmt.Sprintf("| %d snapshots | 1 | %d |", cfg.snaps[0], 3+cfg.snaps[0]),
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestSymbolOwner(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"github.com/zonemgr/zonemgr/internal/zone.(*Host).destroySteps", "zonemgr"},
		{"type:*github.com/zonemgr/zonemgr/internal/zone.Step", "zonemgr"},
		{"go:itab.*github.com/zonemgr/zonemgr/internal/illumos.Exec,github.com/zonemgr/zonemgr/internal/illumos.Runner", "zonemgr"},
		{"github.com/tidwall/gjson.Get", "dependency"},
		{"type:[]github.com/hashicorp/go-multierror.Error", "dependency"},
		{"go.yaml.in/yaml/v3.(*parser).parse", "dependency"},
		{"slices.pdqsortCmpFunc[go.shape.struct { github.com/zonemgr/zonemgr/internal/ansible.Option }]", "go"},
		{"encoding/json.(*decodeState).object", "go"},
		{"runtime.mallocgc", "go"},
		{"go:string.\"a/b.c\"", "shared"},
		{"go:func.*", "shared"},
	} {
		if got := symbolOwner(tt.name); got != tt.want {
			t.Errorf("symbolOwner(%q) = %s, want %s", tt.name, got, tt.want)
		}
	}
}
