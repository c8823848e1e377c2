package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
)

// farmGIZ is the golden zone of the throughput and scale benchmarks.
const farmGIZ = "golden"

// A tputResult holds the figures of one parallelism of exec-diz.
type tputResult struct {
	n          int
	total      sample // ms, first start to last exit
	perRun     sample // ms, median wall time of one exec-diz in the batch
	lockWait   sample // ms per run, the batch's total over N (estimated, see lockWait)
	procs      sample // processes started per exec-diz (median of the batch)
	failures   int
	leftovers  int
	leftDetail []string
	failDetail []string
}

// A scaleResult holds the listing figures at one size.
type scaleResult struct {
	label      string
	zones      int // managed zones zone_info lists
	snapshots  int // zone snapshots (each over the zone's 3 datasets)
	infoWall   sample
	infoOwn    sample // ms of zonemgr's own time in process (see opResult.own)
	infoProcs  sample
	listWall   sample
	listOwn    sample
	listProcs  sample
	listedBy   string // the zonemgr command line of the second figure
	listedRows sample // lines zonemgr printed
}

// benchFarm creates one golden zone on a fresh sim, runs the throughput
// benchmark from it, then grows the sim's zone and snapshot counts for
// the scale benchmark.
func benchFarm(cfg config) ([]*tputResult, []*scaleResult, error) {
	e, err := newGoldenSim(cfg, farmGIZ, "farm")
	if err != nil {
		return nil, nil, err
	}
	defer e.remove()
	var tput []*tputResult
	for _, n := range cfg.par {
		t, err := benchThroughput(cfg, e, n)
		if err != nil {
			return nil, nil, err
		}
		tput = append(tput, t)
	}
	scale, err := benchScale(cfg, e)
	return tput, scale, err
}

// throughputRounds caps the rounds of the parallel runs, the suite's
// longest part.
func throughputRounds(cfg config) int { return min(cfg.rounds, 3) }

// benchThroughput runs n exec-diz at once from the golden zone, several
// times, and checks after each batch that nothing failed and nothing was
// left behind.
func benchThroughput(cfg config, e *simEnv, n int) (*tputResult, error) {
	res := &tputResult{n: n}
	for round := 0; round < throughputRounds(cfg); round++ {
		cfg.logf("throughput: %d parallel exec-diz, round %d", n, round+1)
		if err := e.skipLog(); err != nil {
			return nil, err
		}
		runs := make([]*run, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runs[i], errs[i] = e.module("zone_exec", map[string]any{
					"giz": farmGIZ, "name": fmt.Sprintf("tp%d-%d-%d", n, round, i), "cmd": "echo ok",
				})
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return nil, fmt.Errorf("parallel exec-diz: %w", err)
			}
		}
		if err := e.attach(runs...); err != nil {
			return nil, err
		}
		first, last := runs[0].Start, runs[0].Start.Add(runs[0].Wall)
		var per, procs sample
		var all []core.LogEntry
		for _, r := range runs {
			if r.Start.Before(first) {
				first = r.Start
			}
			if end := r.Start.Add(r.Wall); end.After(last) {
				last = end
			}
			per = append(per, millis(r.Wall))
			procs = append(procs, float64(len(r.Commands)))
			all = append(all, r.Commands...)
			if rc, _ := r.Result["rc"].(float64); r.Failed() || rc != 0 || strings.TrimSpace(fmt.Sprint(r.Result["stdout"])) != "ok" {
				res.failures++
				res.failDetail = append(res.failDetail, fmt.Sprintf("%s: rc=%v stdout=%q msg=%v", r.Argv[0], r.Result["rc"], r.Result["stdout"], r.Result["msg"]))
			}
		}
		res.total = append(res.total, millis(last.Sub(first)))
		res.perRun = append(res.perRun, per.median())
		res.procs = append(res.procs, procs.median())
		res.lockWait = append(res.lockWait, millis(lockWait(all))/float64(n))
		left, err := leftovers(e)
		if err != nil {
			return nil, err
		}
		res.leftovers += len(left)
		res.leftDetail = append(res.leftDetail, left...)
	}
	return res, nil
}

// lockWait estimates the time commands spent waiting for the sim's state
// lock: the sim serializes the commands that hold it (every zfs and zpool
// call, and the changing zoneadm, zonecfg, dladm and pkg calls), so time
// in which two of them were alive at once is time one of them waited. The
// estimate is the summed length of their spans minus the length of their
// union. zonemgr's own per-zone locks cannot wait here: each exec-diz
// locks only its own disposable zone.
func lockWait(entries []core.LogEntry) time.Duration {
	var held []core.LogEntry
	for _, e := range entries {
		if e.Tool == "zfs" || e.Tool == "zpool" || (e.Mutating && e.Tool != "zlogin") {
			held = append(held, e)
		}
	}
	spans := commandSpans(held, 0)
	return sum(spans) - union(spans)
}

// leftovers lists what a finished batch left behind: zones other than
// the golden one, and anything zone_info reports as an orphan.
func leftovers(e *simEnv) ([]string, error) {
	var left []string
	r, err := e.command("zoneadm", "list", "-cp")
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
		f := strings.Split(line, ":")
		if len(f) > 1 && f[1] != "global" && f[1] != farmGIZ {
			left = append(left, "zone "+f[1])
		}
	}
	info, err := e.mustModule("zone_info", map[string]any{})
	if err != nil {
		return nil, err
	}
	orphans, _ := info.Result["orphans"].(map[string]any)
	for kind, v := range orphans {
		list, _ := v.([]any)
		for _, o := range list {
			left = append(left, fmt.Sprintf("orphan %s %v", kind, o))
		}
	}
	r, err = e.command("zfs", "list", "-H", "-o", "name", "-r", "rpool/zones/_zonemgr/DIZ")
	if err != nil {
		return nil, err
	}
	for _, name := range strings.Fields(r.Stdout) {
		if name != "rpool/zones/_zonemgr/DIZ" {
			left = append(left, "dataset "+name)
		}
	}
	return left, e.skipLog()
}

// benchScale measures zone_info and zonemgr list with growing numbers of
// configured disposable zones, then zone_info and zonemgr list-snapshots
// with growing numbers of snapshots of the golden zone.
//
// The zones and snapshots are written straight into the sim's state, not
// made by thousands of zonecfg and zfs calls: one disposable zone is
// configured with the real zonecfg, and its XML file and index line are
// copied under new names (each with its own debugid); each snapshot is a
// row of the sim's dataset table, as `zfs snapshot -r` makes it, with an
// empty content directory. Listing reads exactly what it reads after real
// calls.
func benchScale(cfg config, e *simEnv) ([]*scaleResult, error) {
	tmpl, err := configureTemplateZone(e)
	if err != nil {
		return nil, err
	}
	have := 1
	var out []*scaleResult
	for _, n := range cfg.zones {
		if err := tmpl.grow(have, n); err != nil {
			return nil, err
		}
		have = n
		s := &scaleResult{label: fmt.Sprintf("%d zones", n), zones: n + 1, snapshots: 3, listedBy: "zonemgr list"}
		if err := measureListing(cfg, e, s, []string{"list"}); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if err := tmpl.shrink(); err != nil {
		return nil, err
	}
	have = 0
	for _, n := range cfg.snaps {
		if err := addSnapshots(e, farmGIZ, have, n); err != nil {
			return nil, err
		}
		have = n
		s := &scaleResult{label: fmt.Sprintf("%d snapshots", n), zones: 1, snapshots: 3 + n,
			listedBy: "zonemgr list-snapshots -z " + farmGIZ}
		if err := measureListing(cfg, e, s, []string{"list-snapshots", "-z", farmGIZ}); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// measureListing runs zone_info and a zonemgr listing cfg.rounds times.
func measureListing(cfg config, e *simEnv, s *scaleResult, argv []string) error {
	cfg.logf("scale: %s", s.label)
	if err := e.skipLog(); err != nil {
		return err
	}
	rounds := cfg.rounds
	if s.snapshots > 3 {
		// The sim lists snapshots slowly (see report.writeScale).
		rounds = throughputRounds(cfg)
	}
	for round := 0; round < rounds; round++ {
		r, err := e.mustModule("zone_info", map[string]any{})
		if err != nil {
			return err
		}
		zones, _ := r.Result["zones"].([]any)
		scaled := 0
		for _, z := range zones {
			m, _ := z.(map[string]any)
			if name, _ := m["name"].(string); strings.HasPrefix(name, "scale") {
				scaled++
			}
		}
		if want := s.zones - 1; scaled != want {
			return fmt.Errorf("scale %s: zone_info lists %d generated zones, want %d", s.label, scaled, want)
		}
		s.zones = len(zones)
		s.infoWall = append(s.infoWall, millis(r.Wall))
		own, err := r.own()
		if err != nil {
			return err
		}
		s.infoOwn = append(s.infoOwn, millis(own))
		s.infoProcs = append(s.infoProcs, float64(len(r.Commands)))
		l, err := e.command("zonemgr", argv...)
		if err != nil {
			return err
		}
		if l.Exit != 0 {
			return fmt.Errorf("zonemgr %s: exit %d: %s", strings.Join(argv, " "), l.Exit, l.Stderr)
		}
		if err := e.attach(l); err != nil {
			return err
		}
		s.listWall = append(s.listWall, millis(l.Wall))
		if own, err = l.own(); err != nil {
			return err
		}
		s.listOwn = append(s.listOwn, millis(own))
		s.listProcs = append(s.listProcs, float64(len(l.Commands)))
		s.listedRows = append(s.listedRows, float64(strings.Count(l.Stdout, "\n")))
	}
	return nil
}

// A templateZone is a configured disposable zone made with zonecfg whose
// files are copied to make more.
type templateZone struct {
	index    []byte // the zone index before any copy
	xml      string
	line     string
	name     string
	debugRe  *regexp.Regexp
	zonesDir string
}

// configureTemplateZone configures one disposable zone of the golden zone
// with zonecfg and reads back its files.
func configureTemplateZone(e *simEnv) (*templateZone, error) {
	const name = "scale00000"
	script := strings.Join([]string{
		"create -b",
		"set brand=ipkg",
		"set zonepath=/zones/_zonemgr/DIZ/" + name,
		"set autoboot=false",
		"set ip-type=exclusive",
		"add attr", "set name=zonemgr.role", "set type=string", "set value=diz", "end",
		"add attr", "set name=zonemgr.origin", "set type=string", "set value=giz:" + farmGIZ, "end",
		"add attr", "set name=zonemgr.snapshot", "set type=string", "set value=initial-postinstalled-" + farmGIZ, "end",
		"commit",
	}, "\n") + "\n"
	f := filepath.Join(e.dir, "scale.zonecfg")
	if err := os.WriteFile(f, []byte(script), 0o644); err != nil {
		return nil, fmt.Errorf("template zone: %w", err)
	}
	zonesDir := filepath.Join(e.root, "etc", "zones")
	before, err := os.ReadFile(filepath.Join(zonesDir, "index"))
	if err != nil {
		return nil, fmt.Errorf("template zone: %w", err)
	}
	r, err := e.command("zonecfg", "-z", name, "-f", f)
	if err != nil {
		return nil, err
	}
	if r.Exit != 0 {
		return nil, fmt.Errorf("zonecfg -z %s -f: exit %d: %s", name, r.Exit, r.Stderr)
	}
	xml, err := os.ReadFile(filepath.Join(zonesDir, name+".xml"))
	if err != nil {
		return nil, fmt.Errorf("template zone: %w", err)
	}
	index, err := os.ReadFile(filepath.Join(zonesDir, "index"))
	if err != nil {
		return nil, fmt.Errorf("template zone: %w", err)
	}
	t := &templateZone{index: before, xml: string(xml), name: name, zonesDir: zonesDir,
		debugRe: regexp.MustCompile(`debugid="[0-9]+"`)}
	for _, line := range strings.Split(string(index), "\n") {
		if strings.HasPrefix(line, name+":") {
			t.line = line
		}
	}
	if t.line == "" {
		return nil, fmt.Errorf("template zone: %s is not in the zone index", name)
	}
	return t, e.skipLog()
}

func (t *templateZone) copyName(i int) string { return fmt.Sprintf("scale%05d", i) }

// grow adds copies of the template zone until there are n of them.
func (t *templateZone) grow(have, n int) error {
	var lines strings.Builder
	for i := have; i < n; i++ {
		name := t.copyName(i)
		xml := strings.ReplaceAll(t.xml, t.name, name)
		xml = t.debugRe.ReplaceAllString(xml, `debugid="`+strconv.Itoa(1000+i)+`"`)
		if err := os.WriteFile(filepath.Join(t.zonesDir, name+".xml"), []byte(xml), 0o644); err != nil {
			return fmt.Errorf("scale zones: %w", err)
		}
		lines.WriteString(strings.ReplaceAll(t.line, t.name, name) + "\n")
	}
	f, err := os.OpenFile(filepath.Join(t.zonesDir, "index"), os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("scale zones: %w", err)
	}
	if _, err := f.WriteString(lines.String()); err != nil {
		f.Close()
		return fmt.Errorf("scale zones: %w", err)
	}
	return f.Close()
}

// shrink removes the template zone and its copies again.
func (t *templateZone) shrink() error {
	matches, err := filepath.Glob(filepath.Join(t.zonesDir, "scale*.xml"))
	if err != nil {
		return err
	}
	for _, m := range matches {
		if err := os.Remove(m); err != nil {
			return fmt.Errorf("scale zones: %w", err)
		}
	}
	return core.WriteFileAtomic(filepath.Join(t.zonesDir, "index"), t.index, 0o644)
}

// addSnapshots adds recursive snapshots autozone-STAMP of zone to the
// sim's dataset table until it has n of them besides those it had at from: one row per dataset of the zone, as zfs snapshot -r
// makes them, each with a fresh GUID and an empty content directory.
func addSnapshots(e *simEnv, zone string, from, n int) error {
	p := filepath.Join(e.root, core.SimDir, "zfs", "datasets.json")
	b, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("add snapshots: %w", err)
	}
	var table struct {
		Txg      uint64                     `json:"txg"`
		Datasets map[string]json.RawMessage `json:"datasets"`
	}
	if err := json.Unmarshal(b, &table); err != nil {
		return fmt.Errorf("add snapshots: dataset table: %w", err)
	}
	top := "rpool/zones/_zonemgr/GIZ/" + zone
	var fss []string
	for name := range table.Datasets {
		if (name == top || strings.HasPrefix(name, top+"/")) && !strings.Contains(name, "@") {
			fss = append(fss, name)
		}
	}
	if len(fss) == 0 {
		return fmt.Errorf("add snapshots: zone %s has no datasets", zone)
	}
	slices.Sort(fss)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := from; i < n; i++ {
		table.Txg++
		stamp := base.Add(time.Duration(i) * time.Minute)
		for _, fs := range fss {
			guid := rand.Uint64()
			name := fs + "@autozone-" + stamp.Format("20060102T150405Z")
			row, err := json.Marshal(map[string]any{
				"name": name, "type": "snapshot", "guid": guid, "createtxg": table.Txg, "creation": stamp.Unix(),
			})
			if err != nil {
				return fmt.Errorf("add snapshots: %w", err)
			}
			table.Datasets[name] = row
			if err := os.MkdirAll(filepath.Join(e.root, core.SimDir, "zfs", "snap", strconv.FormatUint(guid, 16)), 0o755); err != nil {
				return fmt.Errorf("add snapshots: %w", err)
			}
		}
	}
	out, err := json.Marshal(table)
	if err != nil {
		return fmt.Errorf("add snapshots: %w", err)
	}
	return core.WriteFileAtomic(p, out, 0o644)
}
