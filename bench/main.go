// Command bench is zonemgr's benchmark suite, run by `make bench`. On
// fresh simulated illumos global zones (bin/illumos-sim) it measures the
// processes each operation starts (from the sim's command log) beside the
// fewest the operation needs, zonemgr's own time outside those commands,
// the time to build with realistic boot times, disposable zones asked for
// by their packages, the module binaries' sizes,
// listing with thousands of zones and snapshots, the throughput of
// parallel exec-diz runs, and, when ansible-playbook and community.general
// are installed, zone_diz beside community.general.solaris_zone under
// ansible-playbook on the same sim, and, where a simulated fleet can run
// (test/fleet), the cost of one Ansible task over SSH. It writes every
// figure, as the median of several runs with its spread, to a Markdown
// file together with the machine and the commands.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// A config is what one benchmark run measures and where.
type config struct {
	bin     string // built binaries: illumos-sim, zonemgr, zone_*
	work    string // directory for the sims
	out     string // the Markdown report
	rounds  int    // runs of each figure
	zones   []int  // zone counts of the listing figures
	snaps   []int  // zone snapshot counts of the snapshot listing figures
	par     []int  // parallel exec-diz counts
	ansible int    // zones of the solaris_zone comparison (0: not run)
	ssh     int    // extra tasks of the per-task cost over SSH (0: not run)
	gobench string // module directory whose micro-benchmarks to run ("": none)

	log io.Writer
}

func (c config) logf(format string, a ...any) {
	if c.log != nil {
		fmt.Fprintf(c.log, "bench: "+format+"\n", a...)
	}
}

// fullConfig is what `make bench` runs.
func fullConfig() config {
	return config{
		rounds:  5,
		zones:   []int{10, 100, 1000, 5000},
		snaps:   []int{100, 1000, 3334},
		par:     []int{1, 4, 16, 32},
		ansible: 4,
		ssh:     10,
	}
}

// shortConfig is the tiny run the test suite makes to keep the harness
// working.
func shortConfig() config {
	return config{rounds: 1, zones: []int{3}, snaps: []int{5}, par: []int{1, 2}}
}

func main() {
	cfg := fullConfig()
	short := flag.Bool("short", false, "tiny sizes and one round, to check that the suite works")
	flag.StringVar(&cfg.bin, "bin", "bin", "directory of the built binaries")
	flag.StringVar(&cfg.out, "o", "BENCHMARKS.md", "the report to write")
	rounds := flag.Int("rounds", 0, "runs of each figure (default 5)")
	gobench := flag.Bool("gobench", true, "also build the module binaries for their sizes, and run the parser and argument-spec Go benchmarks and the crash matrix (from the current directory, the module's top)")
	ansibleZones := flag.Int("ansible", -1, "zones of the comparison with community.general.solaris_zone, 0 to skip it (default 4, with -short 0)")
	sshTasks := flag.Int("ssh", -1, "tasks of the per-task cost over SSH on a simulated fleet host, 0 to skip it (default 10, with -short 0)")
	flag.Parse()
	if *short {
		s := shortConfig()
		s.bin, s.out = cfg.bin, cfg.out
		cfg = s
	}
	if *rounds > 0 {
		cfg.rounds = *rounds
	}
	if *gobench && !*short {
		cfg.gobench = "."
	}
	if *ansibleZones >= 0 {
		cfg.ansible = *ansibleZones
	}
	if *sshTasks >= 0 {
		cfg.ssh = *sshTasks
	}
	cfg.log = os.Stderr
	if err := runSuite(cfg); err != nil {
		fmt.Fprintf(os.Stderr, "bench: error: %v\n", err)
		os.Exit(1)
	}
}

// runSuite runs the suite of cfg and writes its report.
func runSuite(cfg config) error {
	rep, err := measure(cfg)
	if err != nil {
		return err
	}
	if err := rep.write(cfg.out); err != nil {
		return fmt.Errorf("write %s: %w", cfg.out, err)
	}
	cfg.logf("wrote %s in %s", cfg.out, rep.elapsed.Round(time.Second))
	return nil
}

// measure runs the suite of cfg and returns its figures.
func measure(cfg config) (*report, error) {
	bin, err := filepath.Abs(cfg.bin)
	if err != nil {
		return nil, fmt.Errorf("binaries: %w", err)
	}
	cfg.bin = bin
	for _, b := range []string{"illumos-sim", "zonemgr", "zone_giz", "zone_diz", "zone_exec", "zone_info", "zone_snapshot"} {
		if !fileExists(filepath.Join(bin, b)) {
			return nil, fmt.Errorf("%s is not built: run make build", filepath.Join(bin, b))
		}
	}
	cfg.work, err = os.MkdirTemp("", "zonemgr-bench-")
	if err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	defer os.RemoveAll(cfg.work)

	rep := &report{cfg: cfg, date: time.Now().UTC()}
	begin := time.Now()
	cfg.logf("calibrating the cost of starting a sim process")
	if rep.startCost, rep.startSample, err = measureStartCost(cfg); err != nil {
		return nil, fmt.Errorf("start cost: %w", err)
	}
	if rep.goFloor, rep.goFloorInMain, err = measureGoFloor(cfg); err != nil {
		return nil, fmt.Errorf("go floor: %w", err)
	}
	if rep.moduleStart, rep.moduleInMain, err = measureModuleStart(cfg); err != nil {
		return nil, fmt.Errorf("module start: %w", err)
	}
	if rep.ops, err = benchOperations(cfg, rep.startCost); err != nil {
		return nil, err
	}
	if rep.build, err = benchBuild(cfg); err != nil {
		return nil, err
	}
	if rep.content, err = benchContent(cfg); err != nil {
		return nil, err
	}
	if rep.tput, rep.scale, err = benchFarm(cfg); err != nil {
		return nil, err
	}
	switch {
	case cfg.ansible == 0:
		rep.cmpSkip = "not run (-ansible 0, or -short)"
	case ansibleMissing() != "":
		rep.cmpSkip = "not run: " + ansibleMissing()
	default:
		if rep.cmp, err = benchAnsible(cfg); err != nil {
			return nil, err
		}
	}
	missing := ""
	if cfg.ssh != 0 {
		missing = sshMissing()
	}
	switch {
	case cfg.ssh == 0:
		rep.sshSkip = "not run (-ssh 0, or -short)"
	case missing != "":
		rep.sshSkip = "not run: " + missing
	default:
		if rep.ssh, err = benchSSH(cfg); err != nil {
			return nil, err
		}
	}
	if cfg.gobench != "" {
		if rep.sizes, err = benchSizes(cfg, cfg.gobench); err != nil {
			return nil, err
		}
		cfg.logf("go benchmarks")
		if rep.gobench, err = runGoBench(cfg.gobench); err != nil {
			return nil, err
		}
		cfg.logf("crash matrix")
		bin, err := filepath.Abs(cfg.bin)
		if err != nil {
			return nil, err
		}
		if rep.crash, err = runCrashMatrix(cfg.gobench, bin); err != nil {
			return nil, err
		}
	}
	rep.elapsed = time.Since(begin)
	return rep, nil
}
