package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/zonemgr/zonemgr/sim/pkg"
)

// An operation is one step of the per-operation benchmark: a module call
// (or a zonemgr command line) made in every round, with the smallest
// number of processes the operation can be done with and why.
type operation struct {
	label  string
	noop   bool // the idempotent re-run of the operation before it
	module string
	args   func(round int) map[string]any
	argv   func(round int) []string // a zonemgr command line instead of a module
	min    int
	why    string
	// before, when set, prepares the sim for the operation (not measured).
	before func(e *simEnv, round int) error
}

func gizName(round int) string { return fmt.Sprintf("golden%d", round) }
func dizName(round int) string { return fmt.Sprintf("build%d", round) }

// operations are the benchmarked operations in the order a round runs
// them; each no-op repeats the operation before it.
var operations = []operation{
	{label: "create-giz", module: "zone_giz",
		args: func(r int) map[string]any { return map[string]any{"name": gizName(r), "state": "present"} },
		min:  17, why: "2 reads (zone states, datasets); zonecfg; install; 2 boot+milestone+halt cycles (6) and the setup script; 3 recursive snapshots and 3 holds that keep them from being destroyed under clones"},
	{label: "create-giz", noop: true, module: "zone_giz",
		args: func(r int) map[string]any { return map[string]any{"name": gizName(r), "state": "present"} },
		min:  2, why: "zone states and the zone's datasets; the configuration is read from /etc/zones"},
	{label: "update-giz", module: "zone_giz",
		args:   func(r int) map[string]any { return map[string]any{"name": gizName(r), "state": "updated"} },
		before: publishBash,
		min:    12, why: "2 reads; pkg -R on the halted zone's mounted root finds an update (a newer shell/bash is published before it); a snapshot of the boot environment to return to should the update fail; boot; milestone; pkg refresh and pkg update, each a zlogin (the update's exit status says whether it changed anything); halt; a recursive snapshot and its hold, taken because something changed; the removal of the snapshot to return to"},
	{label: "update-giz", noop: true, module: "zone_giz",
		args: func(r int) map[string]any { return map[string]any{"name": gizName(r), "state": "updated"} },
		min:  3, why: "2 reads; pkg -R on the halted zone's mounted root asks whether anything is to update (pkg update -nq, exit 4: nothing): nothing boots"},
	{label: "snapshot", module: "zone_snapshot",
		args: func(r int) map[string]any { return map[string]any{"zone": gizName(r), "name": "bench"} },
		min:  4, why: "2 reads; a recursive snapshot; a hold (zonemgr snapshots are held)"},
	{label: "snapshot", noop: true, module: "zone_snapshot",
		args: func(r int) map[string]any { return map[string]any{"zone": gizName(r), "name": "bench"} },
		min:  2, why: "zone states and datasets"},
	{label: "rollback", module: "zone_snapshot",
		args: func(r int) map[string]any {
			return map[string]any{"zone": gizName(r), "name": "bench", "state": "rolledback"}
		},
		min: 5, why: "2 reads; one zfs rollback per dataset of the zone (zonepath, ROOT, ROOT/zbe): zfs rollback is not recursive"},
	{label: "create-diz", module: "zone_diz",
		args: func(r int) map[string]any { return map[string]any{"name": dizName(r), "giz": gizName(r)} },
		min:  6, why: "2 reads; zfs holds (the snapshot to clone carries zonemgr's hold: the brand's uninstall of the clone would otherwise destroy it); zonecfg with the attributes; zoneadm clone; which dataset is mounted on the clone's root (zfs list -o name,mounted: zonemgr writes only into the clone's own mounted dataset); the clone's identity (node name, hosts, accounts) is then written into its halted root from the global zone, so nothing boots (the first round also creates the DIZ container)"},
	{label: "create-diz", noop: true, module: "zone_diz",
		args: func(r int) map[string]any { return map[string]any{"name": dizName(r), "giz": gizName(r)} },
		min:  2, why: "zone states and datasets"},
	{label: "start", module: "zone_diz",
		args: func(r int) map[string]any {
			return map[string]any{"name": dizName(r), "giz": gizName(r), "state": "running"}
		},
		min: 4, why: "2 reads; the zone's one boot; its milestone asked from the global zone (svcs -z) until online"},
	{label: "start", noop: true, module: "zone_diz",
		args: func(r int) map[string]any {
			return map[string]any{"name": dizName(r), "giz": gizName(r), "state": "running"}
		},
		min: 2, why: "zone states and datasets"},
	{label: "exec", module: "zone_exec",
		args: func(r int) map[string]any { return map[string]any{"zone": dizName(r), "cmd": "true"} },
		min:  3, why: "2 reads; zlogin running the command in the running zone"},
	{label: "exec-diz", module: "zone_exec",
		args: func(r int) map[string]any { return map[string]any{"giz": gizName(r), "cmd": "true"} },
		min:  14, why: "2 reads; zfs holds (the snapshot to clone carries zonemgr's hold); zonecfg; clone; the root's dataset; the identity written from the global zone; boot (the zone's only one); milestone; zlogin running the command; the 2 reads again (the command may have run for hours, and halted or rebooted the zone); halt; zoneadm uninstall; zonecfg delete"},
	{label: "list (zone_info)", module: "zone_info",
		args: func(int) map[string]any { return map[string]any{} },
		min:  3, why: "zone states, every dataset under the containers, and the VNICs (to find orphaned automatic ones); configurations from /etc/zones"},
	{label: "list (zonemgr list)",
		argv: func(int) []string { return []string{"list"} },
		min:  3, why: "as zone_info"},
	{label: "destroy", module: "zone_diz",
		args: func(r int) map[string]any { return map[string]any{"name": dizName(r), "state": "absent"} },
		min:  5, why: "2 reads; halt (the zone runs since start); zoneadm uninstall (destroys the clone); zonecfg delete"},
	{label: "destroy", noop: true, module: "zone_diz",
		args: func(r int) map[string]any { return map[string]any{"name": dizName(r), "state": "absent"} },
		min:  2, why: "zone states and datasets"},
}

// publishBash publishes a newer shell/bash to the sim's repository, so
// that the round's golden zone has something to update.
func publishBash(e *simEnv, round int) error {
	v := fmt.Sprintf("5.2.%d-1.0", 22+round)
	if err := pkg.Publish(e.root, "shell/bash", v); err != nil {
		return fmt.Errorf("publish shell/bash@%s: %w", v, err)
	}
	return nil
}

// An opResult holds one operation's figures over all rounds.
type opResult struct {
	op       operation
	procs    sample   // processes the operation started
	mutating sample   // of which changes
	boots    sample   // zoneadm boot among them
	zlogins  sample   // zlogin among them
	wall     sample   // ms
	own      sample   // ms: from main to the end of the output, minus the commands (ZONEMGR_TRACE)
	start    sample   // ms: the module's own process start and exit, outside its main
	overhead sample   // ms: wall time outside the commands, process starts counted as the commands'
	rawOver  sample   // ms: wall time outside the commands as the sim logs them
	cmds     []string // the commands of the last round that succeeded
	failures []string // the rounds in which the operation failed, and why
}

// benchOperations runs rounds rounds of every operation on one fresh sim.
// startCost is the measured cost of starting one sim process.
func benchOperations(cfg config, startCost time.Duration) ([]*opResult, error) {
	e, err := newSimEnv(cfg.bin, cfg.work)
	if err != nil {
		return nil, err
	}
	defer e.remove()
	results := make([]*opResult, len(operations))
	for i, op := range operations {
		results[i] = &opResult{op: op}
	}
	for round := 0; round < cfg.rounds; round++ {
		cfg.logf("operations: round %d of %d", round+1, cfg.rounds)
		for i, op := range operations {
			if op.before != nil {
				if err := op.before(e, round); err != nil {
					return nil, err
				}
			}
			var r *run
			if op.argv != nil {
				r, err = e.command("zonemgr", op.argv(round)...)
				if err == nil && r.Exit != 0 {
					err = fmt.Errorf("zonemgr %s: exit %d: %s", strings.Join(op.argv(round), " "), r.Exit, r.Stderr)
				}
				if err == nil {
					err = e.attach(r)
				}
			} else {
				r, err = e.mustModule(op.module, op.args(round))
			}
			res := results[i]
			if err != nil {
				// A failed operation is a finding, reported as such; the
				// round goes on.
				res.failures = append(res.failures, fmt.Sprintf("round %d: %v", round+1, err))
				cfg.logf("operation %s failed: %v", opLabel(op), err)
				if err := e.skipLog(); err != nil {
					return nil, err
				}
				continue
			}
			own, err := r.own()
			if err != nil {
				return nil, err
			}
			if got, want := len(r.Trace.Commands), len(r.Commands); got != want {
				return nil, fmt.Errorf("%s: ZONEMGR_TRACE lists %d commands, the sim logged %d", opLabel(op), got, want)
			}
			res.own = append(res.own, millis(own))
			res.start = append(res.start, millis(r.startExit()))
			res.procs = append(res.procs, float64(len(r.Commands)))
			res.mutating = append(res.mutating, float64(r.Mutating()))
			res.boots = append(res.boots, float64(count(r.Commands, isBoot)))
			res.zlogins = append(res.zlogins, float64(count(r.Commands, isZlogin)))
			res.wall = append(res.wall, millis(r.Wall))
			res.overhead = append(res.overhead, millis(r.Wall-union(commandSpans(r.Commands, startCost))))
			res.rawOver = append(res.rawOver, millis(r.Wall-union(commandSpans(r.Commands, 0))))
			res.cmds = res.cmds[:0]
			for _, c := range r.Commands {
				res.cmds = append(res.cmds, strings.Join(c.Argv, " "))
			}
		}
	}
	return results, nil
}

// measureStartCost returns the median time a sim process costs its
// parent beyond what the sim logs as its duration: fork, exec, the Go
// runtime's start, writing the log line, exit and wait. On illumos the
// real tools' own start costs take its place.
func measureStartCost(cfg config) (time.Duration, sample, error) {
	e, err := newSimEnv(cfg.bin, cfg.work)
	if err != nil {
		return 0, nil, err
	}
	defer e.remove()
	var s sample
	for i := 0; i < 5*cfg.rounds; i++ {
		r, err := e.command("zoneadm", "list", "-cp")
		if err != nil {
			return 0, nil, err
		}
		if err := e.attach(r); err != nil {
			return 0, nil, err
		}
		if len(r.Commands) != 1 {
			return 0, nil, fmt.Errorf("zoneadm list -cp: %d log entries, want 1", len(r.Commands))
		}
		s = append(s, millis(r.Wall-time.Duration(r.Commands[0].DurUS)*time.Microsecond))
	}
	return time.Duration(s.median() * float64(time.Millisecond)), s, nil
}

// measureModuleStart returns the wall times of a module that refuses its
// arguments before it runs any command: the floor of a module run (the
// process start, argument parsing and the JSON result), and the part of
// them spent in its main.
func measureModuleStart(cfg config) (wall, inMain sample, err error) {
	e, err := newSimEnv(cfg.bin, cfg.work)
	if err != nil {
		return nil, nil, err
	}
	defer e.remove()
	for i := 0; i < 5*cfg.rounds; i++ {
		r, err := e.module("zone_info", map[string]any{"no_such_option": true})
		if err != nil {
			return nil, nil, err
		}
		if !r.Failed() {
			return nil, nil, fmt.Errorf("zone_info accepted an unknown option")
		}
		if err := e.attach(r); err != nil {
			return nil, nil, err
		}
		own, err := r.own()
		if err != nil {
			return nil, nil, err
		}
		wall = append(wall, millis(r.Wall))
		inMain = append(inMain, millis(own))
	}
	return wall, inMain, nil
}

// measureGoFloor builds and runs testdata/gofloor, the least a Go module
// binary does, and returns its wall times and the part in its main: the
// yardstick for zonemgr's own time on this machine.
func measureGoFloor(cfg config) (wall, inMain sample, err error) {
	exe := filepath.Join(cfg.work, "gofloor")
	build := exec.Command("go", "build", "-o", exe, "./testdata/gofloor")
	build.Dir = benchDir()
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, nil, fmt.Errorf("build gofloor: %v\n%s", err, out)
	}
	args := filepath.Join(cfg.work, "gofloor-args.json")
	if err := os.WriteFile(args, []byte(`{"name":"golden","no_such_option":true}`), 0o600); err != nil {
		return nil, nil, err
	}
	for i := 0; i < 5*cfg.rounds; i++ {
		cmd := exec.Command(exe, args)
		start := time.Now()
		out, err := cmd.Output()
		elapsed := time.Since(start)
		if err != nil {
			return nil, nil, fmt.Errorf("gofloor: %w", err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		var t struct {
			MainNS int64 `json:"main_ns"`
		}
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &t); err != nil || t.MainNS <= 0 {
			return nil, nil, fmt.Errorf("gofloor printed %q: %v", out, err)
		}
		wall = append(wall, millis(elapsed))
		inMain = append(inMain, millis(time.Duration(t.MainNS)))
	}
	return wall, inMain, nil
}

// benchDir returns the directory of the benchmark's source.
func benchDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}
