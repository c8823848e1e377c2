package integration

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/sim/pkg"
)

// autozoneTime matches the time in an automatic snapshot's name.
var autozoneTime = regexp.MustCompile(`autozone-[0-9]{8}T[0-9]{6}Z`)

// A crashOp is one operation of the crash matrix: a zonemgr command,
// killed in turn right after each of its steps begins.
type crashOp struct {
	name string
	// setup brings a fresh golden sim to where the operation runs (once).
	setup func(t *testing.T, s *Sim)
	// prepare runs before the reference run and before every case: what
	// the operation needs afresh each time (the zone a destroy removes,
	// the killed run a gc cleans).
	prepare func(t *testing.T, s *Sim)
	args    []string
	// reset undoes the successful reference run, back to the state the
	// cases start from (nil: the run leaves nothing, as exec-diz).
	reset func(t *testing.T, s *Sim)
	// finish: gc finishes the operation instead of undoing it (a
	// destroy, a rollback, gc itself): after gc the sim is as after a
	// successful run.
	finish bool
	// volatile are files (path suffixes) left out of the comparison:
	// pkg's own caches, which a refresh and its rollback rewrite.
	volatile []string
	// also are crash points besides the mutating commands: an export
	// changes nothing on the host, but writes a file while zfs send runs.
	also []string
	// kept are the crash points after the run's commit (Step.Commit):
	// gc finishes the run, the sim is as after a successful one, and
	// reset then brings it back for the next case.
	kept []string
}

// TestCrashMatrix kills each operation right after each of its mutating
// steps begins (SIGKILL to zonemgr and everything it started), then runs
// zonemgr gc. Afterwards nothing of the killed run remains and nothing
// else changed: the sim (zones, datasets and snapshots with their holds,
// VNICs, every file with its mode and size, the account files byte for
// byte) is as before the run, or, for the operations gc finishes (a
// destroy, a rollback, gc itself), as after a successful one. Each sim
// also holds what must survive every case: a zone zonemgr does not
// manage, a user's snapshots of the golden zone, and a run in flight (a
// command running in a zone of its own) whose journal is live; that run
// completes unharmed at the end.
func TestCrashMatrix(t *testing.T) {
	image := func(s *Sim) string { return filepath.Join(s.Root, "var/tmp/golden.zimg") }
	ops := []crashOp{
		{name: "create-giz", args: []string{"create-giz", "-z", "g2", "--copy-users", "jenkins", "--elevate-users", "jenkins"},
			reset: func(t *testing.T, s *Sim) { s.mustZonemgr(t, "destroy", "-z", "g2") }},
		{name: "create-diz", args: []string{"create-diz", "-c", "golden", "-z", "c1", "--copy-users", "jenkins", "--add-vnic-over", "e1000g0",
			"--delegate-dataset", "rpool/export/c1", "--delegate-dataset", "rpool/zones/_zonemgr/delegated/c1"},
			reset: func(t *testing.T, s *Sim) { s.mustZonemgr(t, "destroy", "-z", "c1") }},
		{name: "exec-diz", args: []string{"exec-diz", "-c", "golden", "--copy-users", "jenkins", "--add-vnic-over", "e1000g0",
			"--delegate-dataset", "rpool/export/x1", "--exec-user", "jenkins", "--exec-cmd", "echo built > /tmp/out"}},
		{name: "update-giz",
			setup:    func(t *testing.T, s *Sim) { publish(t, s) },
			args:     []string{"update-giz", "-z", "golden"},
			volatile: []string{"var/pkg/catalog.json", "var/pkg/lock"},
			// The removal of the snapshot taken before the update.
			kept: []string{"zfs destroy#1"},
			reset: func(t *testing.T, s *Sim) {
				out, _, _ := s.Run(nil, "zfs", "list", "-H", "-o", "name", "-t", "snapshot", "-r", "rpool/zones/_zonemgr/GIZ/golden")
				for _, n := range strings.Fields(out) {
					if _, snap, _ := strings.Cut(n, "@"); strings.HasPrefix(n, "rpool/zones/_zonemgr/GIZ/golden@autozone-") {
						s.mustZonemgr(t, "destroy", "-z", "golden", "-s", snap)
					}
				}
				s.Run(nil, "zfs", "rollback", "rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@user_newest")
			}},
		{name: "snapshot", args: []string{"snapshot", "-z", "golden", "-s", "s1"},
			reset: func(t *testing.T, s *Sim) { s.mustZonemgr(t, "destroy", "-z", "golden", "-s", "s1") }},
		{name: "rollback",
			setup: func(t *testing.T, s *Sim) {
				s.MustModule("zone_diz", map[string]any{"name": "r1", "giz": "golden", "state": "running", "delegate_datasets": []string{"rpool/zones/_zonemgr/delegated/r1"}})
				s.mustZonemgr(t, "snapshot", "-z", "r1", "-s", "snap1")
				s.mustZonemgr(t, "snapshot", "-z", "r1", "-s", "snap2")
				s.mustZonemgr(t, "rollback", "-z", "r1", "-s", "snap2")
			},
			// Rolling back to the newest snapshot: a repeat leaves the
			// sim as one rollback does.
			args: []string{"rollback", "-z", "r1", "-s", "snap2"}, finish: true},
		{name: "destroy",
			prepare: func(t *testing.T, s *Sim) {
				s.MustModule("zone_diz", map[string]any{"name": "d1", "giz": "golden", "state": "running", "add_vnics_over": []string{"e1000g0|81"},
					"delegate_datasets": []string{"rpool/export/d1"}, "copy_users": []string{"jenkins"}})
				s.mustZonemgr(t, "snapshot", "-z", "d1", "-s", "keep")
			},
			args: []string{"destroy", "-z", "d1"}, finish: true},
		{name: "import-giz",
			setup: func(t *testing.T, s *Sim) { s.mustZonemgr(t, "export-giz", "-z", "golden", "-o", image(s)) },
			args:  []string{"import-giz", "-i", "@ROOT/var/tmp/golden.zimg", "-z", "imp"},
			reset: func(t *testing.T, s *Sim) { s.mustZonemgr(t, "destroy", "-z", "imp") }},
		{name: "export-giz",
			args:  []string{"export-giz", "-z", "golden", "-o", "@ROOT/var/tmp/golden.zimg"},
			also:  []string{"zfs send#1"},
			reset: func(t *testing.T, s *Sim) { os.Remove(image(s)) }},
		{name: "gc",
			// A run killed once it had made its zone, VNIC and dataset
			// and was booting the zone: gc has five commands to run.
			prepare: func(t *testing.T, s *Sim) {
				s.crashAt("zoneadm boot#1", "zonemgr", "exec-diz", "-c", "golden", "-z", "k1", "--add-vnic-over", "e1000g0",
					"--delegate-dataset", "rpool/export/k1", "--exec-cmd", "true")
			},
			args: []string{"gc"}, finish: true},
	}
	var total atomic.Int64
	var mu sync.Mutex
	var sizes []string
	t.Cleanup(func() {
		t.Logf("crash matrix: %d operations, %d crash points (%s)", len(ops), total.Load(), strings.Join(sizes, ", "))
	})
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			s := crashSim(t)
			if op.setup != nil {
				op.setup(t, s)
			}
			args := make([]string, len(op.args))
			for i, a := range op.args {
				args[i] = strings.ReplaceAll(a, "@ROOT", s.Root)
			}
			state := func() string { return s.crashState(t, op.volatile) }
			base := state() // the operation's own preparation not done yet
			if op.prepare != nil {
				op.prepare(t, s)
			}
			before := state()
			mark := len(s.Log())
			s.mustZonemgr(t, args...)
			after := state()
			cases := append(mutatingCases(s.Log()[mark:]), op.also...)
			for _, k := range op.kept {
				if !slices.Contains(cases, k) {
					t.Fatalf("%s: no crash point %s among %q", op.name, k, cases)
				}
			}
			want := before
			switch {
			case op.finish && op.prepare != nil:
				want = base
			case op.finish:
				want = state()
			case op.reset != nil:
				op.reset(t, s)
				if got := state(); got != before {
					t.Fatalf("the successful %s was not reset:\n%s", op.name, diffLines(before, got))
				}
			}
			if got := state(); op.prepare == nil && got != want {
				t.Fatalf("after the successful %s:\n%s", op.name, diffLines(want, got))
			}
			if len(cases) < 1 {
				t.Fatalf("no mutating command in %s", op.name)
			}
			mu.Lock()
			sizes = append(sizes, fmt.Sprintf("%s %d", op.name, len(cases)))
			mu.Unlock()
			for _, c := range cases {
				t.Run(c, func(sub *testing.T) {
					s.t = sub
					defer func() { s.t = t }()
					t := sub
					total.Add(1)
					if op.prepare != nil {
						op.prepare(t, s)
					}
					s.crashAt(c, "zonemgr", args...)
					out, errOut, code := s.Run(nil, "zonemgr", "gc")
					if code != 0 {
						t.Errorf("zonemgr gc after a kill in %s: exit %d\n%s%s", c, code, out, errOut)
					}
					want, got := want, state()
					if slices.Contains(op.kept, c) {
						// The new snapshot's name holds the time it was taken.
						want, got = autozoneTime.ReplaceAllString(after, "autozone-TIME"), autozoneTime.ReplaceAllString(got, "autozone-TIME")
					}
					if got != want {
						t.Errorf("after a kill in %s and zonemgr gc:\n%s\ngc said:\n%s%s", c, diffLines(want, got), out, errOut)
					}
					if slices.Contains(op.kept, c) {
						op.reset(t, s)
					}
					if js := s.journals(); len(js) != 1 {
						t.Errorf("journals after gc: %v, want the run in flight's only", js)
					}
				})
			}
			s.endBystander(t)
		})
	}
}

// publish makes a newer shell/bash available, so that a refresh of the
// golden zone changes its packages.
func publish(t *testing.T, s *Sim) {
	t.Helper()
	if err := pkg.Publish(s.Root, "shell/bash", "5.2.99-2026.0.0.0"); err != nil {
		t.Fatal(err)
	}
}

// crashSim is goldenSim with what every case must leave alone: a zone
// zonemgr does not manage, a user's snapshots of the golden zone (the
// newest of them newer than zonemgr's), and a run in flight in a zone of
// its own.
func crashSim(t *testing.T) *Sim {
	s := goldenSim(t)
	os.MkdirAll(filepath.Join(s.Root, "var/tmp"), 0o1777)
	plainZone(t, s, "foreign")
	s.mustZonemgr(t, "snapshot", "-z", "golden", "-s", "before_user")
	for _, c := range [][]string{
		{"zfs", "snapshot", "rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@mine_snap"},
		{"zfs", "snapshot", "-r", "rpool/zones/_zonemgr/GIZ/golden@user_newest"},
	} {
		if _, errOut, code := s.Run(nil, c[0], c[1:]...); code != 0 {
			t.Fatalf("%v: %s", c, errOut)
		}
	}
	s.MustModule("zone_diz", map[string]any{"name": "by1", "giz": "golden", "state": "running"})
	cmd := exec.Command(filepath.Join(s.Bin, "zonemgr"), "exec", "-z", "by1", "--exec-cmd", "echo started; sleep 3600")
	cmd.Env = append([]string{}, s.Env...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(60 * time.Second) // a guard: the command starts within seconds
	for !strings.Contains(out.String(), "started") {
		select {
		case <-deadline:
			t.Fatalf("the run in flight did not start its command:\n%s", out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	s.bystander, s.bystanderOut = cmd, out
	t.Cleanup(func() { cmd.Process.Kill() })
	return s
}

// endBystander checks that the run in flight survived every case, then
// stops it with SIGTERM: it ends its command and puts its zone back.
func (s *Sim) endBystander(t *testing.T) {
	t.Helper()
	if err := s.bystander.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("the run in flight is gone: %v\n%s", err, s.bystanderOut.String())
	}
	s.bystander.Process.Signal(syscall.SIGTERM)
	err := s.bystander.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 143 {
		t.Errorf("the run in flight, stopped with SIGTERM: %v, want exit 143\n%s", err, s.bystanderOut.String())
	}
	if st, _, _ := s.Run(nil, "zoneadm", "-z", "by1", "list", "-p"); !strings.Contains(st, ":by1:running:") {
		t.Errorf("the run in flight's zone afterwards: %s", st)
	}
	if js := s.journals(); len(js) != 0 {
		t.Errorf("journals left: %v", js)
	}
}

// mustZonemgr runs zonemgr and fails the test unless it exits 0.
func (s *Sim) mustZonemgr(t *testing.T, args ...string) {
	t.Helper()
	if out, errOut, code := s.Run(nil, "zonemgr", args...); code != 0 {
		t.Fatalf("zonemgr %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
}

// crashState is the sim's state without the volatile files, and with the
// global zone's account files byte for byte.
func (s *Sim) crashState(t *testing.T, volatile []string) string {
	var keep []string
	for _, l := range strings.Split(s.State(), "\n") {
		// The brand's attach writes its log into the global zone's
		// /var/tmp (pkg5 src/brand/ipkg/attach: mktemp -t -p /var/tmp),
		// and leaves it, as on illumos: the brand's, not zonemgr's.
		skip := strings.Contains(l, ".attach_log.")
		for _, v := range volatile {
			skip = skip || strings.Contains(l, "/"+v+" ")
		}
		if !skip {
			keep = append(keep, l)
		}
	}
	for _, f := range []string{"etc/passwd", "etc/shadow", "etc/group", "etc/user_attr"} {
		b, _ := os.ReadFile(filepath.Join(s.Root, f))
		sum := sha256.Sum256(b)
		keep = append(keep, f+" sha256 "+hex.EncodeToString(sum[:8]))
	}
	return strings.Join(keep, "\n")
}
