package fleettest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/test/internal/simh"
	"github.com/zonemgr/zonemgr/test/internal/simstate"
)

// script is fleet.sh, which makes and removes the fleet for the tests as
// for make fleet.
var script = filepath.Join(simh.Top(), "test", "fleet", "fleet.sh")

// commandTimeout bounds every command a test runs on the fleet, so that
// a hung play fails its test instead of the whole run.
const commandTimeout = 5 * time.Minute

// A Fleet is one simulated fleet, brought up by fleet.sh for a test and
// taken down when the test ends (and, should the test binary be killed
// first, by fleet.sh's watchdog).
type Fleet struct {
	t testing.TB
	// Dir is the fleet's directory (fleet.sh up DIR): its inventory,
	// keys, binaries and each host's directory under hosts/.
	Dir string
	// Work is the test's own directory: Ansible's files, the images
	// giz-rollout stages, extra inventories and playbooks.
	Work string
	// Hosts are the simulated global zones, gz1..gzN; NoSim the hosts
	// without the sim's tools, nosim1...
	Hosts, NoSim []string
	// Addr maps each host to its address on the fleet's network.
	Addr map[string]string
	// sim is the fleet's copy of illumos-sim.
	sim string
	env []string
}

// requireFleet skips t, recording why, where the fleet cannot run.
func requireFleet(t testing.TB) {
	t.Helper()
	simh.RequireAnsible(t)
	out, err := exec.Command(script, "missing").CombinedOutput()
	if err != nil {
		simh.Skipf(t, "the simulated fleet cannot run here: %s", strings.TrimSpace(string(out)))
	}
}

// Up starts a fleet of n simulated global zones and nosim hosts without
// the sim's tools, or skips t where that is impossible.
func Up(t *testing.T, n, nosim int) *Fleet {
	t.Helper()
	requireFleet(t)
	bin := simh.Bin(t)
	base := os.TempDir()
	for _, p := range []string{"/var/tmp", "/run"} {
		if base == p || strings.HasPrefix(base, p+"/") {
			base = "/tmp" // each host mounts its own /var/tmp and /run
		}
	}
	dir, err := os.MkdirTemp(base, "zonemgr-fleet-")
	if err != nil {
		t.Fatal(err)
	}
	f := &Fleet{t: t, Dir: dir, Work: t.TempDir(), sim: filepath.Join(dir, "bin", "illumos-sim"), Addr: map[string]string{}}
	t.Cleanup(f.down)
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	up := exec.CommandContext(ctx, script, "up", dir, fmt.Sprint(n), fmt.Sprint(nosim))
	up.Env = append(os.Environ(), "ZONEMGR_BIN="+bin, fmt.Sprintf("FLEET_OWNER_PID=%d", os.Getpid()))
	if out, err := up.CombinedOutput(); err != nil {
		t.Fatalf("fleet.sh up: %v\n%s", err, out)
	}
	for i := 1; i <= n+nosim; i++ {
		h := fmt.Sprintf("gz%d", i)
		if i > n {
			h = fmt.Sprintf("nosim%d", i-n)
			f.NoSim = append(f.NoSim, h)
		} else {
			f.Hosts = append(f.Hosts, h)
		}
		f.Addr[h] = fmt.Sprintf("10.213.0.%d", 10+i)
	}
	for _, e := range os.Environ() {
		k, _, _ := strings.Cut(e, "=")
		if k != "HOME" && !strings.HasPrefix(k, "ANSIBLE_") && !strings.HasPrefix(k, "ILLUMOS_SIM_") && !strings.HasPrefix(k, "ZONEMGR_") {
			f.env = append(f.env, e)
		}
	}
	f.env = append(f.env,
		"HOME="+f.Work,
		"ANSIBLE_HOME="+filepath.Join(f.Work, "ansible-home"),
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(f.Work, "ansible-local"),
		"ANSIBLE_NOCOLOR=True",
		"ANSIBLE_FORCE_COLOR=False",
	)
	return f
}

// down takes the fleet down: no process of it may outlive the test.
func (f *Fleet) down() {
	out, err := exec.Command(script, "down", f.Dir).CombinedOutput()
	if err != nil {
		f.t.Errorf("fleet.sh down: %v\n%s", err, out)
	}
}

// Root returns a host's sim root, the path the host itself sees it at.
func (f *Fleet) Root(host string) string { return filepath.Join(f.Dir, "hosts", host, "root") }

// HostPath returns where a path of a host's own view (its /var/tmp)
// is found from the test.
func (f *Fleet) HostPath(host, p string) string {
	if rest, ok := strings.CutPrefix(p, "/var/tmp/"); ok {
		return filepath.Join(f.Dir, "hosts", host, "vartmp", rest)
	}
	f.t.Fatalf("HostPath %s: only /var/tmp is the host's own", p)
	return ""
}

// A Run is the outcome of one Ansible command on the fleet.
type Run struct {
	Out    string
	Code   int
	Recaps map[string]simh.Recap
}

// command prepares "fleet.sh run DIR NAME ARGS...": NAME runs on the
// fleet's network with its Ansible settings, in the test's directory.
func (f *Fleet) command(ctx context.Context, extraEnv []string, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, script, append([]string{"run", f.Dir, name}, args...)...)
	cmd.Env = append(append([]string{}, f.env...), extraEnv...)
	cmd.Dir = f.Work
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// Run runs an Ansible command (ansible, ansible-playbook) on the fleet.
func (f *Fleet) Run(name string, args ...string) Run {
	f.t.Helper()
	return f.RunEnv(nil, name, args...)
}

// RunEnv is Run with more environment (ANSIBLE_* settings).
func (f *Fleet) RunEnv(extraEnv []string, name string, args ...string) Run {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := f.command(ctx, extraEnv, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	return f.finish(cmd.Run(), name, args, out.String())
}

func (f *Fleet) finish(err error, name string, args []string, out string) Run {
	f.t.Helper()
	r := Run{Out: out}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.Code = ee.ExitCode()
	default:
		f.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	r.Recaps = simh.Recaps(out)
	return r
}

// Playbook runs ansible-playbook with a playbook of playbooks/ (a bare
// file name) or any other path on the fleet's inventory, and checks that
// the output carries no module failure, traceback, warning or error.
func (f *Fleet) Playbook(playbook string, args ...string) Run {
	f.t.Helper()
	r := f.Run("ansible-playbook", append([]string{playbookPath(playbook)}, args...)...)
	f.checkClean(r, "ansible-playbook "+filepath.Base(playbook))
	return r
}

func playbookPath(playbook string) string {
	if !strings.Contains(playbook, "/") {
		return filepath.Join(simh.Top(), "playbooks", playbook)
	}
	return playbook
}

// checkClean records an error when an Ansible output shows a module
// failure, a Python traceback, a warning or an error.
func (f *Fleet) checkClean(r Run, what string) {
	f.t.Helper()
	for _, bad := range []string{"MODULE FAILURE", "Traceback", "[WARNING]", "[ERROR]"} {
		if strings.Contains(r.Out, bad) {
			f.t.Errorf("%s: the output has %q:\n%s", what, bad, r.Out)
		}
	}
}

// A HostResult is one host's result of an ad-hoc command, as Ansible's
// tree callback writes it (without the "failed" flag: check what the
// module returned).
type HostResult map[string]any

// Str returns a string field of the result ("" when absent).
func (h HostResult) Str(key string) string {
	s, _ := h[key].(string)
	return s
}

// AdHoc runs "ansible PATTERN -m MODULE [-a ARGS] EXTRA..." and returns
// each host's result, as Ansible's tree callback writes it (--tree), and
// the exit code.
func (f *Fleet) AdHoc(pattern, module, args string, extra ...string) (map[string]HostResult, int) {
	f.t.Helper()
	tree, err := os.MkdirTemp(f.Work, "tree-")
	if err != nil {
		f.t.Fatal(err)
	}
	argv := []string{pattern, "-m", module, "--tree", tree}
	if args != "" {
		argv = append(argv, "-a", args)
	}
	r := f.Run("ansible", append(argv, extra...)...)
	files, err := os.ReadDir(tree)
	if err != nil || len(files) == 0 {
		f.t.Fatalf("ansible %s: no results (%v):\n%s", strings.Join(argv, " "), err, r.Out)
	}
	res := map[string]HostResult{}
	for _, e := range files {
		b, err := os.ReadFile(filepath.Join(tree, e.Name()))
		if err != nil {
			f.t.Fatal(err)
		}
		var h HostResult
		if err := json.Unmarshal(b, &h); err != nil {
			f.t.Fatalf("ansible %s: %s: %v\n%s", strings.Join(argv, " "), e.Name(), err, b)
		}
		res[e.Name()] = h
	}
	return res, r.Code
}

// Start starts an Ansible command on the fleet and returns a function
// that waits for it; the test acts while it runs.
func (f *Fleet) Start(name string, args ...string) (wait func() Run) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	cmd := f.command(ctx, nil, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		cancel()
		f.t.Fatalf("%s: %v", name, err)
	}
	return func() Run {
		f.t.Helper()
		defer cancel()
		return f.finish(cmd.Wait(), name, args, out.String())
	}
}

// Stop stops every process of a host: its sshd and whatever it runs.
func (f *Fleet) Stop(host string) {
	f.t.Helper()
	if out, err := exec.Command(script, "stop", f.Dir, host).CombinedOutput(); err != nil {
		f.t.Fatalf("fleet.sh stop %s: %v\n%s", host, err, out)
	}
}

// Sim runs one of the sim's tools on a host's global zone from the test
// (not over SSH), failing the test unless it exits 0.
func (f *Fleet) Sim(host, tool string, args ...string) string {
	f.t.Helper()
	cmd := exec.Command(f.sim, append([]string{tool}, args...)...)
	cmd.Env = append(os.Environ(), core.EnvRoot+"="+f.Root(host))
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		f.t.Fatalf("%s: %s %s: %v\n%s%s", host, tool, strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}

// Zones returns a host's zones other than global as "name:state",
// sorted.
func (f *Fleet) Zones(host string) []string {
	f.t.Helper()
	zones := []string{}
	for _, line := range strings.Split(strings.TrimSpace(f.Sim(host, "zoneadm", "list", "-cp")), "\n") {
		if p := strings.Split(line, ":"); len(p) > 2 && p[1] != "global" {
			zones = append(zones, p[1]+":"+p[2])
		}
	}
	sort.Strings(zones)
	return zones
}

// Snapshots returns the names (after '@') of a dataset's own snapshots
// on a host, oldest first.
func (f *Fleet) Snapshots(host, dataset string) []string {
	f.t.Helper()
	var snaps []string
	for _, name := range strings.Fields(f.Sim(host, "zfs", "list", "-H", "-o", "name", "-t", "snapshot", "-s", "creation", "-r", dataset)) {
		if ds, snap, ok := strings.Cut(name, "@"); ok && ds == dataset {
			snaps = append(snaps, snap)
		}
	}
	return snaps
}

// State captures everything a host's sim knows (simstate.Capture).
func (f *Fleet) State(host string) string {
	f.t.Helper()
	st, err := simstate.Capture(f.sim, f.Root(host))
	if err != nil {
		f.t.Fatal(err)
	}
	return st
}

// Log returns a host's sim command log.
func (f *Fleet) Log(host string) []core.LogEntry {
	f.t.Helper()
	log, err := core.ReadLog(f.Root(host))
	if err != nil {
		f.t.Fatal(err)
	}
	return log
}

// WriteFile writes a file in the test's directory and returns its path.
func (f *Fleet) WriteFile(name, content string) string {
	f.t.Helper()
	p := filepath.Join(f.Work, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
	return p
}
