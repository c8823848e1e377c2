package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
)

// fleetScript is test/fleet/fleet.sh, from the repository's top (where
// make bench runs).
const fleetScript = "test/fleet/fleet.sh"

// An sshResult holds the per-task cost of Ansible tasks over SSH on a
// simulated fleet host, beside the local connection.
type sshResult struct {
	tasks       int   // tasks the long play has more than the short one
	moduleBytes int64 // the zone_giz module file Ansible copies per task
	rows        []*sshRow
}

// An sshRow is one kind of task: its cost per task and the bytes it puts
// on the host's link.
type sshRow struct {
	label, how string
	perTask    sample // ms per task
	toHost     sample // bytes per task sent to the host (SSH only)
	fromHost   sample // bytes per task sent back
	ssh        bool
}

// sshMissing says why the SSH figures cannot be measured here, or "".
func sshMissing() string {
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		return "ansible-playbook is not installed (apt-get install -y --no-install-recommends ansible-core)"
	}
	if !fileExists(fleetScript) {
		return fleetScript + " is not here (make bench runs from the repository's top)"
	}
	if out, err := exec.Command(fleetScript, "missing").CombinedOutput(); err != nil {
		return "the simulated fleet cannot run here: " + strings.TrimSpace(string(out))
	}
	return ""
}

// sshTask is one task of the measured plays.
type sshTask struct {
	label, how string
	host       string // the inventory host the play runs on
	user       string // ansible_user ("" for the local connection)
	task       string // the task's YAML, indented for a list item
	ssh        bool
}

// benchSSH starts a fleet of one global zone (test/fleet/fleet.sh) and,
// for each kind of task, times a play of one task and a play of
// 1+cfg.ssh tasks, several times: the difference, divided by cfg.ssh, is
// the cost of one task without ansible-playbook's start-up; the
// difference of the host link's byte counters is what one task puts on
// the network.
func benchSSH(cfg config) (*sshResult, error) {
	dir, err := os.MkdirTemp("/tmp", "zonemgr-bench-fleet-")
	if err != nil {
		return nil, err
	}
	os.Remove(dir) // fleet.sh up makes it
	up := exec.Command(fleetScript, "up", dir, "1")
	up.Env = append(os.Environ(), "ZONEMGR_BIN="+cfg.bin, fmt.Sprintf("FLEET_OWNER_PID=%d", os.Getpid()))
	cfg.logf("ssh: starting a fleet of one global zone")
	if out, err := up.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("fleet.sh up: %v\n%s", err, out)
	}
	defer func() {
		if out, err := exec.Command(fleetScript, "down", dir).CombinedOutput(); err != nil {
			cfg.logf("ssh: fleet.sh down: %v: %s", err, out)
		}
	}()
	work := filepath.Join(cfg.work, "ssh")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, err
	}
	e, err := newSimEnv(cfg.bin, cfg.work)
	if err != nil {
		return nil, err
	}
	defer e.remove()
	h := &sshHarness{cfg: cfg, fleet: dir, work: work}
	for _, k := range []string{"PATH", core.EnvRoot, "ZONEMGR_ROOT", "ELEVATE_CMD"} {
		for _, kv := range e.environ {
			if v, ok := strings.CutPrefix(kv, k+"="); ok {
				h.localEnv = append(h.localEnv, fmt.Sprintf("    %s: %q\n", k, v))
			}
		}
	}
	if err := os.WriteFile(filepath.Join(work, "local.ini"), []byte("localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n"), 0o644); err != nil {
		return nil, err
	}
	// The golden zones the no-op tasks find: jim's first, so that the
	// lock directory is his (zonemgr's locks are the first taker's).
	cfg.logf("ssh: creating the golden zones")
	for _, s := range []struct{ user, zone string }{{"jim", "jimgold"}, {"root", "golden"}} {
		if _, err := h.play("gz1", s.user, "    - illumos.zonemgr.zone_giz:\n        name: "+s.zone+"\n", 1); err != nil {
			return nil, err
		}
	}
	if _, err := e.mustModule("zone_giz", map[string]any{"name": "golden"}); err != nil {
		return nil, err
	}
	noop := "    - illumos.zonemgr.zone_giz:\n        name: golden\n"
	tasks := []sshTask{
		{"zone_giz, no-op", "SSH, as root", "gz1", "root", noop, true},
		{"zone_giz, no-op", "SSH, as jim (RBAC profiles, pfexec)", "gz1", "jim", "    - illumos.zonemgr.zone_giz:\n        name: jimgold\n", true},
		{"zone_giz, no-op", "local connection", "localhost", "", noop, false},
		{"ansible.builtin.stat", "SSH, as root", "gz1", "root", "    - ansible.builtin.stat:\n        path: /etc/passwd\n", true},
	}
	res := &sshResult{tasks: cfg.ssh}
	if fi, err := os.Stat(filepath.Join(dir, "collections", "ansible_collections", "illumos", "zonemgr", "plugins", "modules", "zone_giz")); err == nil {
		res.moduleBytes = fi.Size()
	}
	for _, t := range tasks {
		res.rows = append(res.rows, &sshRow{label: t.label, how: t.how, ssh: t.ssh})
	}
	for round := 0; round < cfg.rounds; round++ {
		cfg.logf("ssh: round %d of %d", round+1, cfg.rounds)
		for i, t := range tasks {
			short, err := h.play(t.host, t.user, t.task, 1)
			if err != nil {
				return nil, err
			}
			long, err := h.play(t.host, t.user, t.task, 1+cfg.ssh)
			if err != nil {
				return nil, err
			}
			n := float64(cfg.ssh)
			row := res.rows[i]
			row.perTask = append(row.perTask, millis(long.wall-short.wall)/n)
			if t.ssh {
				row.toHost = append(row.toHost, float64(long.toHost-short.toHost)/n)
				row.fromHost = append(row.fromHost, float64(long.fromHost-short.fromHost)/n)
			}
		}
	}
	return res, nil
}

// An sshHarness runs the measured plays on the fleet.
type sshHarness struct {
	cfg      config
	fleet    string   // the fleet's directory
	work     string   // plays and Ansible's files
	localEnv []string // the local sim's environment, as lines of YAML
}

// A playCost is what one play took: its wall time and the bytes on the
// host's link each way.
type playCost struct {
	wall             time.Duration
	toHost, fromHost int64
}

// play runs a play of n copies of task on host as user, through
// fleet.sh run (on the fleet's network, with its Ansible settings).
func (h *sshHarness) play(host, user, task string, n int) (playCost, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "- hosts: %s\n  gather_facts: false\n", host)
	if host == "localhost" {
		b.WriteString("  environment:\n")
		for _, l := range h.localEnv {
			b.WriteString(l)
		}
	}
	b.WriteString("  tasks:\n")
	for i := 0; i < n; i++ {
		b.WriteString(task)
	}
	play := filepath.Join(h.work, "play.yml")
	if err := os.WriteFile(play, []byte(b.String()), 0o644); err != nil {
		return playCost{}, err
	}
	args := []string{"run", h.fleet, "ansible-playbook", "-i", filepath.Join(h.fleet, "inventory.ini"), "-i", filepath.Join(h.work, "local.ini"), play}
	if user != "" {
		args = append(args, "-e", "ansible_user="+user)
	}
	cmd := exec.Command(fleetScript, args...)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ANSIBLE_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "HOME="+h.work, "ANSIBLE_NOCOLOR=True")
	to0, from0, err := h.linkBytes()
	if err != nil {
		return playCost{}, err
	}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		return playCost{}, fmt.Errorf("ansible-playbook on %s as %q, %d tasks: %v\n%s", host, user, n, err, out)
	}
	to1, from1, err := h.linkBytes()
	if err != nil {
		return playCost{}, err
	}
	return playCost{wall: wall, toHost: to1 - to0, fromHost: from1 - from0}, nil
}

// linkBytes reads the byte counters of gz1's link on the control side:
// what the control namespace sent to the host and received from it.
func (h *sshHarness) linkBytes() (toHost, fromHost int64, err error) {
	state, err := os.ReadFile(filepath.Join(h.fleet, "fleet.state"))
	if err != nil {
		return 0, 0, err
	}
	var ctl string
	for _, line := range strings.Split(string(state), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "ctl" {
			ctl = f[1]
		}
	}
	out, err := exec.Command("ip", "-n", ctl, "-s", "-j", "link", "show", "v1").Output()
	if err != nil {
		return 0, 0, fmt.Errorf("ip -n %s -s link show v1: %w", ctl, err)
	}
	var links []struct {
		Stats struct {
			RX struct{ Bytes int64 } `json:"rx"`
			TX struct{ Bytes int64 } `json:"tx"`
		} `json:"stats64"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), &links); err != nil || len(links) != 1 {
		return 0, 0, fmt.Errorf("ip -s -j link show v1: %v: %s", err, out)
	}
	return links[0].Stats.TX.Bytes, links[0].Stats.RX.Bytes, nil
}
