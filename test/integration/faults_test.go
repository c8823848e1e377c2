package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/pkg"
)

// A faultOp is one operation of the fault matrix: the module call, how
// to bring the sim to the state before it, and what a failure may leave.
type faultOp struct {
	name   string
	setup  func(s *Sim) // from goldenSim to the state before the operation
	module string
	args   map[string]any
	// reset brings the sim back to the state before the operation after
	// it succeeded once (nil: nothing to do).
	reset func(s *Sim)
	// repeat: after a failure in a command at or after the first one
	// whose command line contains this, the operation is not undone but
	// completes when repeated ("": never; "*": always, as for destroy).
	repeat string
	// gc: after a failure in a command after the first one whose command
	// line contains this, the zone is left to zonemgr gc (the destroy
	// that ends an exec-diz).
	gc string
	// user: the command whose failure is the user's command failing, a
	// result (rc) rather than a fault of zonemgr.
	user string
	// each runs before the first run and before every case.
	each func(t *testing.T, s *Sim)
	// volatile are files (path suffixes) left out of the comparison:
	// caches the operation refreshes by design.
	volatile []string
	// kept are the commands after the run's commit (Step.Commit): a
	// failure there fails the run, whose work is kept and left as after
	// a successful run; reset then brings the sim back.
	kept []string
}

// state is CleanState without the operation's volatile files.
func (op faultOp) state(s *Sim) string {
	var keep []string
	for _, l := range strings.Split(s.State(), "\n") {
		skip := false
		for _, v := range op.volatile {
			skip = skip || strings.HasPrefix(l, v) || strings.Contains(l, "/"+v+" ")
		}
		if !skip {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// publishNewBash publishes a newer shell/bash each time, so that a
// refresh of the golden zone changes its packages.
func publishNewBash() func(t *testing.T, s *Sim) {
	n := 0
	return func(t *testing.T, s *Sim) {
		n++
		if err := pkg.Publish(s.Root, "shell/bash", fmt.Sprintf("5.2.%d-2024.0.0.1", 100+n)); err != nil {
			t.Fatal(err)
		}
	}
}

// from reports whether case i comes at or after the first command line
// containing s (plus one when strict).
func from(s string, i int, argv []string, strict bool) bool {
	if s == "" {
		return false
	}
	if s == "*" {
		return true
	}
	for j, a := range argv {
		if strings.Contains(a, s) {
			return i > j || (!strict && i == j)
		}
	}
	return false
}

var faultOps = []faultOp{
	{
		name:   "create-giz",
		module: "zone_giz",
		args:   map[string]any{"name": "g2", "copy_users": []string{"jenkins"}, "copy_groups": []string{"jenkins"}, "elevate_users": []string{"jenkins"}},
		reset:  func(s *Sim) { s.MustModule("zone_giz", map[string]any{"name": "g2", "state": "absent"}) },
	},
	{
		name:   "exec-diz",
		module: "zone_exec",
		args:   map[string]any{"giz": "golden", "name": "x1", "copy_users": []string{"jenkins"}, "add_vnics_over": []string{"e1000g0"}, "user": "jenkins", "cmd": "echo built"},
		user:   "echo built",
		gc:     "echo built",
	},
	{
		name: "snapshot",
		setup: func(s *Sim) {
			s.MustModule("zone_diz", map[string]any{"name": "s1", "giz": "golden", "state": "running", "delegate_datasets": []string{"rpool/zones/_zonemgr/delegated/s1"}})
		},
		module: "zone_snapshot",
		args:   map[string]any{"zone": "s1", "name": "snap1"},
		reset: func(s *Sim) {
			s.MustModule("zone_snapshot", map[string]any{"zone": "s1", "name": "snap1", "state": "absent"})
			os.Remove(filepath.Join(s.Root, "zones/_zonemgr/DIZ/s1/s1.xml"))
		},
	},
	{
		name: "rollback",
		setup: func(s *Sim) {
			s.MustModule("zone_diz", map[string]any{"name": "r1", "giz": "golden", "state": "running", "delegate_datasets": []string{"rpool/zones/_zonemgr/delegated/r1"}})
			s.MustModule("zone_snapshot", map[string]any{"zone": "r1", "name": "snap1"})
			// One rollback first: the state before each case is a zone
			// just rolled back and running again.
			s.MustModule("zone_snapshot", map[string]any{"zone": "r1", "name": "snap1", "state": "rolledback"})
		},
		module: "zone_snapshot",
		args:   map[string]any{"zone": "r1", "name": "snap1", "state": "rolledback"},
		// Once the datasets are rolled back there is no going back: a
		// failed restart is completed by running the rollback again.
		repeat: "zfs rollback",
	},
	// A refresh with nothing to update starts no mutating command (see
	// TestNoOpRefreshBootsNothing): it has no fault to inject.
	{
		name:     "update-giz with changes",
		setup:    func(s *Sim) { s.MustModule("zone_giz", map[string]any{"name": "golden", "state": "updated"}) },
		each:     publishNewBash(),
		module:   "zone_giz",
		args:     map[string]any{"name": "golden", "state": "updated"},
		volatile: []string{"var/pkg/catalog.json", "var/pkg/lock"},
		// The removal of the snapshot taken before the update, tried
		// again as its own undo.
		kept: []string{"zfs destroy#1"},
		// A successful refresh adds a snapshot (the only autozone one):
		// destroy it, and go back to the packages of the newest left.
		reset: func(s *Sim) {
			out, _, _ := s.Run(nil, "zfs", "list", "-H", "-o", "name", "-t", "snapshot", "-r", "rpool/zones/_zonemgr/GIZ/golden")
			for _, n := range strings.Fields(out) {
				if _, snap, _ := strings.Cut(n, "@"); strings.HasPrefix(n, "rpool/zones/_zonemgr/GIZ/golden@autozone-") {
					s.MustModule("zone_snapshot", map[string]any{"zone": "golden", "name": snap, "state": "absent"})
				}
			}
			s.MustModule("zone_snapshot", map[string]any{"zone": "golden", "name": "initial-postinstalled-golden", "state": "rolledback"})
		},
	},
	{
		name: "destroy",
		setup: func(s *Sim) {
			s.MustModule("zone_diz", map[string]any{"name": "d1", "giz": "golden", "state": "running", "add_vnics_over": []string{"e1000g0|81"},
				"delegate_datasets": []string{"rpool/zones/_zonemgr/delegated/d1"}, "copy_users": []string{"jenkins"}})
		},
		module: "zone_diz",
		args:   map[string]any{"name": "d1", "state": "absent"},
		repeat: "*",
	},
}

// TestFaultMatrix makes each mutating command of each operation fail in
// turn. After every case the error names the failed command and carries
// its stderr, and the sim equals its state before the operation: at
// once, or after repeating the operation (destroy, a rollback's restart),
// or after zonemgr gc (the destroy that ends an exec-diz).
func TestFaultMatrix(t *testing.T) {
	var total atomic.Int64
	t.Cleanup(func() { t.Logf("fault matrix: %d cases", total.Load()) })
	for _, op := range faultOps {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			s := goldenSim(t)
			if op.setup != nil {
				op.setup(s)
			}
			if op.each != nil {
				op.each(t, s)
			}
			before := op.state(s)
			mark := len(s.Log())
			s.MustModule(op.module, op.args)
			cases, argv := mutatingCasesArgv(s.Log()[mark:])
			done := op.state(s) // what a repeated operation must reach
			if op.reset != nil {
				op.reset(s)
			}
			if op.repeat != "" && op.setup != nil {
				op.setup(s)
			}
			if got := op.state(s); op.repeat == "" && got != before {
				t.Fatalf("the successful %s was not reset:\n%s", op.name, diffLines(before, got))
			}
			if len(cases) < 2 {
				t.Fatalf("only %d mutating commands in %s: %v", len(cases), op.name, cases)
			}
			for i, c := range cases {
				t.Run(c, func(sub *testing.T) {
					s.t = sub
					defer func() { s.t = t }()
					t := sub
					total.Add(1)
					if op.each != nil {
						op.each(t, s)
					}
					before := op.state(s)
					msg := "injected failure of " + c
					s.resetFailCounts()
					res := s.Module(op.module, op.args, core.EnvFail+"="+c+":exit=1:msg="+msg)
					if res["failed"] != true {
						t.Fatalf("not failed: %v", pretty(res))
					}
					if !strings.Contains(fmt.Sprint(res["msg"], res["stderr"]), msg) {
						t.Errorf("the result does not carry the command's stderr %q: %v", msg, pretty(res))
					}
					if op.user == "" || !strings.Contains(argv[i], op.user) {
						key, _, _ := strings.Cut(c, "#")
						tool, subcmd, _ := strings.Cut(key, " ")
						named := fmt.Sprint(res["msg"], res["failed_command"])
						if !strings.Contains(named, tool) || (tool != "zlogin" && !strings.Contains(named, subcmd)) {
							t.Errorf("the result does not name the failed command %s: msg %v, failed_command %v", key, res["msg"], res["failed_command"])
						}
					}
					switch {
					case slices.Contains(op.kept, c):
						// The new snapshot's name holds the time it was taken.
						if got, want := autozoneTime.ReplaceAllString(op.state(s), "autozone-TIME"), autozoneTime.ReplaceAllString(done, "autozone-TIME"); got != want {
							t.Errorf("after %s, past the commit, the run's work is not as a successful run leaves it:\n%s", c, diffLines(want, got))
						}
						op.reset(s)
						return
					case from(op.repeat, i, argv, false):
						s.MustModule(op.module, op.args)
						if got := op.state(s); got != done {
							t.Errorf("repeating %s after %s did not complete it:\n%s", op.name, c, diffLines(done, got))
						}
						if op.setup != nil {
							op.setup(s)
						}
						return
					case from(op.gc, i, argv, true):
						if out, errOut, code := s.Run(nil, "zonemgr", "gc"); code != 0 {
							t.Errorf("zonemgr gc after %s: exit %d\n%s%s", c, code, out, errOut)
						}
					}
					if got := op.state(s); got != before {
						t.Errorf("left behind after %s:\n%s", c, diffLines(before, got))
					}
				})
			}
			t.Logf("%s: %d fault cases: %s", op.name, len(cases), strings.Join(cases, ", "))
		})
	}
}

// TestHungBootStopped makes zoneadm boot hang: the boot is stopped at the
// zone's boot_timeout, the failure says so, and the creation is undone.
func TestHungBootStopped(t *testing.T) {
	s := goldenSim(t)
	s0 := s.State()
	s.resetFailCounts()
	res := s.Module("zone_diz", map[string]any{"name": "h1", "giz": "golden", "state": "running", "boot_timeout": 1},
		core.EnvFail+"=zoneadm boot#1:hang=120:msg=never reached")
	if res["failed"] != true || !strings.Contains(fmt.Sprint(res["msg"]), "zoneadm -z h1 boot: timed out after 1s") {
		t.Errorf("hung boot: %v", pretty(res))
	}
	if got := s.State(); got != s0 {
		t.Errorf("left behind after a hung boot:\n%s", diffLines(s0, got))
	}
}
