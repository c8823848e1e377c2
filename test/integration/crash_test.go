package integration

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/test/internal/crash"
)

// mutatingCases lists the mutating commands of a slice of the sim log as
// failure-injection targets "TOOL SUB#N", counting as the sim does.
// Readiness probes (zlogin ... svcs -H -o state) are counted but are no
// cases: a failed probe is polled again, by design.
func mutatingCases(entries []core.LogEntry) []string {
	cases, _ := mutatingCasesArgv(entries)
	return cases
}

// mutatingCasesArgv is mutatingCases with each case's command line.
func mutatingCasesArgv(entries []core.LogEntry) (cases, argv []string) {
	counts := map[string]int{}
	for _, e := range entries {
		if !e.Mutating {
			continue
		}
		key := e.Tool + " " + e.Sub
		counts[key]++
		line := strings.Join(e.Argv, " ")
		if strings.Contains(line, "svcs -H -o state") {
			continue
		}
		cases = append(cases, fmt.Sprintf("%s#%d", key, counts[key]))
		argv = append(argv, line)
	}
	return cases, argv
}

// failCount reads how many calls of "TOOL SUB" the sim has counted for
// failure injection since the counters were reset.
func (s *Sim) failCount(key string) int { return crash.FailCount(s.Root, key) }

// resetFailCounts makes the fail specs' "#N" count from the next call.
func (s *Sim) resetFailCounts() { crash.ResetFailCounts(s.Root) }

// awaitCall waits for the nth call of key ("TOOL SUB"), giving up when
// stop is closed first or after a guard (see crash.AwaitCall).
func (s *Sim) awaitCall(key string, n int, stop <-chan struct{}) error {
	return crash.AwaitCall(s.Root, key, n, stop)
}

// crashAt starts a command with the fail spec's command hanging, waits
// until the hanging call has begun, and kills the command and everything
// it started with SIGKILL, as a crash of the host's job would.
func (s *Sim) crashAt(c string, name string, args ...string) {
	s.t.Helper()
	cmd := s.Command(nil, name, args...)
	if out, err := crash.At(s.Root, c, cmd); err != nil {
		s.t.Fatalf("%v:\n%s", err, out)
	}
}

func (s *Sim) journals() []string {
	j, _ := filepath.Glob(filepath.Join(s.Root, "var/zonemgr/journal/*.json"))
	return j
}

// checkGC runs zonemgr -n gc, which must report and change nothing, then
// zonemgr gc, after which the sim must equal want.
func (s *Sim) checkGC(t *testing.T, want string) {
	t.Helper()
	crashed := s.State()
	info := s.MustModule("zone_info", map[string]any{})
	if orphans, _ := info["orphans"].(map[string]any); len(strs(orphans["journals"])) == 0 {
		t.Errorf("zone_info reports no journal among the orphans: %v", info["orphans"])
	}
	out, errOut, code := s.Run(nil, "zonemgr", "-n", "gc")
	if code != 0 || !strings.Contains(out, "journal ") {
		t.Errorf("zonemgr -n gc: exit %d, stdout %q, stderr %q; want the journal reported", code, out, errOut)
	}
	if got := s.State(); got != crashed {
		t.Errorf("zonemgr -n gc changed the sim:\n%s", diffLines(crashed, got))
	}
	out, errOut, code = s.Run(nil, "zonemgr", "gc")
	if code != 0 {
		t.Errorf("zonemgr gc: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if got := s.State(); got != want {
		t.Errorf("left behind after zonemgr gc:\n%s\ngc said:\n%s%s", diffLines(want, got), out, errOut)
	}
	// A second gc finds nothing to do.
	out, errOut, code = s.Run(nil, "zonemgr", "--json", "gc")
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 || res["changed"] != false {
		t.Errorf("second zonemgr gc: exit %d, %v, stdout %s stderr %s", code, err, out, errOut)
	}
}

// TestCrashCreateDIZ kills zonemgr create-diz while each of its mutating
// commands runs; every time a journal is left, and zonemgr gc restores
// the sim to its state before the creation.
func TestCrashCreateDIZ(t *testing.T) {
	s := goldenSim(t)
	args := []string{"create-diz", "-c", "golden", "-z", "c1", "--copy-users", "jenkins", "--add-vnic-over", "e1000g0",
		"--delegate-dataset", "rpool/zones/_zonemgr/delegated/c1"}
	s0 := s.State()
	mark := len(s.Log())
	if out, errOut, code := s.Run(nil, "zonemgr", args...); code != 0 {
		t.Fatalf("create-diz: exit %d\n%s%s", code, out, errOut)
	}
	cases := mutatingCases(s.Log()[mark:])
	s.MustModule("zone_diz", map[string]any{"name": "c1", "state": "absent"})
	if got := s.State(); got != s0 {
		t.Fatalf("destroy did not restore the sim:\n%s", diffLines(s0, got))
	}
	// The dataset, the VNIC, the configuration, the clone: the clone's
	// identity is written from the global zone, and a zone made stopped
	// is not booted.
	if len(cases) < 4 {
		t.Fatalf("only %d mutating commands in create-diz: %v", len(cases), cases)
	}
	for _, c := range cases {
		t.Run(c, func(sub *testing.T) {
			s.t = sub
			defer func() { s.t = t }()
			t := sub
			s.crashAt(c, "zonemgr", args...)
			if len(s.journals()) == 0 {
				t.Errorf("no journal left by a run killed in %s", c)
			}
			s.checkGC(t, s0)
		})
	}
	t.Logf("%d crash points", len(cases))
}

// TestCrashExecDIZ kills zonemgr exec-diz at each of its mutating
// commands: the clone's creation, the build, and the destroy.
func TestCrashExecDIZ(t *testing.T) {
	s := goldenSim(t)
	args := []string{"exec-diz", "-c", "golden", "--copy-users", "jenkins", "--add-vnic-over", "e1000g0", "--exec-user", "jenkins", "--exec-cmd", "echo built"}
	s0 := s.State()
	mark := len(s.Log())
	if out, errOut, code := s.Run(nil, "zonemgr", args...); code != 0 || !strings.Contains(out, "built") {
		t.Fatalf("exec-diz: exit %d\n%s%s", code, out, errOut)
	}
	if got := s.State(); got != s0 {
		t.Fatalf("exec-diz left things behind:\n%s", diffLines(s0, got))
	}
	cases := mutatingCases(s.Log()[mark:])
	if len(cases) < 8 {
		t.Fatalf("only %d mutating commands in exec-diz: %v", len(cases), cases)
	}
	for _, c := range cases {
		t.Run(c, func(sub *testing.T) {
			s.t = sub
			defer func() { s.t = t }()
			t := sub
			s.crashAt(c, "zonemgr", args...)
			if len(s.journals()) == 0 {
				t.Errorf("no journal left by a run killed in %s", c)
			}
			s.checkGC(t, s0)
		})
	}
	t.Logf("%d crash points", len(cases))
}
