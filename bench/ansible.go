package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
)

// A cmpResult holds the side-by-side figures of zone_diz and
// community.general.solaris_zone under ansible-playbook.
type cmpResult struct {
	zones int
	sides []*cmpSide
}

// A cmpSide is one module's figures: the play that makes the zones exist
// and run, and its idempotent re-run.
type cmpSide struct {
	name                      string
	createWall, rerunWall     sample // ms, ansible-playbook start to exit
	createCmds, rerunCmds     sample // commands the play issued
	createChanges, rerunChgs  sample // of which changes
	createByTool, rerunByTool map[string]int
}

// psScript stands in for illumos ps(1) in the form solaris_zone polls
// after a boot, `ps -z ZONE -o args`: a booted zone's console login
// (ttymon on /dev/console) is among its processes once the zone is
// running. The zone's state comes from the sim's zoneadm. Each call is
// logged, with the script's pid, so that the zoneadm calls it makes are
// not counted as the module's.
const psScript = `#!/bin/sh
echo "ps $$ $*" >>"$BENCH_TOOL_LOG"
zone= fmt=
while [ $# -gt 0 ]; do
	case "$1" in
	-z) zone=$2; shift 2 ;;
	-o) fmt=$2; shift 2 ;;
	*) echo "ps: illegal option -- $1" >&2; exit 1 ;;
	esac
done
if [ -z "$zone" ] || [ "$fmt" != args ]; then
	echo "ps: only ps -z ZONE -o args is simulated" >&2
	exit 1
fi
state=$(zoneadm -z "$zone" list -p 2>/dev/null | cut -d: -f3)
case "$state" in
running) ;;
"") echo "ps: unknown zone: $zone" >&2; exit 1 ;;
*) echo "COMMAND"; exit 0 ;;
esac
echo "COMMAND"
echo "/sbin/init"
echo "/lib/svc/bin/svc.startd"
echo "/lib/svc/bin/svc.configd"
echo "/usr/lib/saf/ttymon -g -d /dev/console -l console -T vt100 -m ldterm,ttcompat -h -p $zone console login: "
`

// keygenScript logs each ssh-keygen call and runs the host's.
const keygenScript = `#!/bin/sh
echo "ssh-keygen $$ $*" >>"$BENCH_TOOL_LOG"
exec /usr/bin/ssh-keygen "$@"
`

// sitecustomize presents the host to Python as SunOS 5.11, as an
// illumos global zone is: solaris_zone refuses to run elsewhere.
const sitecustomize = `import platform
platform.system = lambda: "SunOS"
platform.release = lambda: "5.11"
`

const solarisPlay = `- hosts: localhost
  gather_facts: false
  environment: "{{ sim_env }}"
  tasks:
    - name: ensure the zones exist and are running
      community.general.solaris_zone:
        name: "{{ item }}"
        state: running
        path: "{{ zone_dir }}/{{ item }}"
        config: "set brand=ipkg"
      loop: "{{ zones }}"
`

const dizPlay = `- hosts: localhost
  gather_facts: false
  environment: "{{ sim_env }}"
  tasks:
    - name: ensure the zones exist and are running
      zone_diz:
        name: "{{ item }}"
        giz: golden
        state: running
      loop: "{{ zones }}"
`

// ansibleMissing says why the comparison cannot run, or "" when it can.
func ansibleMissing() string {
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		return "ansible-playbook is not installed (apt-get install -y --no-install-recommends ansible)"
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		return "unshare (util-linux) is not installed"
	}
	if out, err := exec.Command("unshare", "-m", "true").CombinedOutput(); err != nil {
		return fmt.Sprintf("unshare -m is not permitted here: %v %s", err, strings.TrimSpace(string(out)))
	}
	if !fileExists("/usr/lib/python3/dist-packages/ansible_collections/community/general/plugins/modules/solaris_zone.py") {
		return "community.general is not installed (Debian's ansible package ships it)"
	}
	if !fileExists("/usr/bin/ssh-keygen") {
		return "ssh-keygen is not installed (solaris_zone runs it)"
	}
	return ""
}

// benchAnsible runs, on one sim, the play that makes cfg.ansible zones
// exist and run and its re-run, once with zone_diz (cloning a golden zone)
// and once with solaris_zone (installing each zone), several times,
// removing the zones between rounds.
func benchAnsible(cfg config) (*cmpResult, error) {
	e, err := newGoldenSim(cfg, farmGIZ, "ansible")
	if err != nil {
		return nil, err
	}
	defer e.remove()
	h, err := newAnsibleHarness(cfg, e)
	if err != nil {
		return nil, err
	}
	res := &cmpResult{zones: cfg.ansible}
	diz := &cmpSide{name: "zone_diz (zonemgr)", createByTool: map[string]int{}, rerunByTool: map[string]int{}}
	sol := &cmpSide{name: "community.general.solaris_zone", createByTool: map[string]int{}, rerunByTool: map[string]int{}}
	res.sides = []*cmpSide{diz, sol}
	for round := 0; round < ansibleRounds(cfg); round++ {
		cfg.logf("ansible: round %d of %d", round+1, ansibleRounds(cfg))
		dizZones := make([]string, cfg.ansible)
		solZones := make([]string, cfg.ansible)
		for i := range dizZones {
			dizZones[i] = fmt.Sprintf("ad%d-%d", round, i)
			solZones[i] = fmt.Sprintf("as%d-%d", round, i)
		}
		for _, s := range []struct {
			side  *cmpSide
			play  string
			zones []string
		}{{diz, "diz.yml", dizZones}, {sol, "solaris.yml", solZones}} {
			for pass := 0; pass < 2; pass++ {
				wall, cmds, changes, byTool, err := h.play(s.play, s.zones)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", s.side.name, err)
				}
				if pass == 0 {
					s.side.createWall = append(s.side.createWall, millis(wall))
					s.side.createCmds = append(s.side.createCmds, float64(cmds))
					s.side.createChanges = append(s.side.createChanges, float64(changes))
					if round == 0 {
						s.side.createByTool = byTool
					}
				} else {
					s.side.rerunWall = append(s.side.rerunWall, millis(wall))
					s.side.rerunCmds = append(s.side.rerunCmds, float64(cmds))
					s.side.rerunChgs = append(s.side.rerunChgs, float64(changes))
					if round == 0 {
						s.side.rerunByTool = byTool
					}
				}
			}
		}
		if err := h.removeZones(dizZones, solZones); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// ansibleRounds caps the rounds of the comparison: each play starts
// ansible-playbook, which alone takes seconds.
func ansibleRounds(cfg config) int { return min(cfg.rounds, 3) }

// An ansibleHarness holds the files the plays run with.
type ansibleHarness struct {
	e       *simEnv
	dir     string
	zoneDir string // the zonepaths' parent: a sim dataset mounted here
	toolLog string
	vars    map[string]any
}

func newAnsibleHarness(cfg config, e *simEnv) (*ansibleHarness, error) {
	h := &ansibleHarness{e: e, dir: filepath.Join(e.dir, "ansible")}
	h.zoneDir = filepath.Join(h.dir, "zones")
	h.toolLog = filepath.Join(h.dir, "tools.log")
	for _, d := range []string{"wrap", "py", "library", "zones"} {
		if err := os.MkdirAll(filepath.Join(h.dir, d), 0o755); err != nil {
			return nil, fmt.Errorf("ansible harness: %w", err)
		}
	}
	files := []struct {
		path, text string
		mode       os.FileMode
	}{
		{"wrap/ps", psScript, 0o755},
		{"wrap/ssh-keygen", keygenScript, 0o755},
		{"py/sitecustomize.py", sitecustomize, 0o644},
		{"solaris.yml", solarisPlay, 0o644},
		{"diz.yml", dizPlay, 0o644},
		{"inventory", "localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n", 0o644},
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(h.dir, f.path), []byte(f.text), f.mode); err != nil {
			return nil, fmt.Errorf("ansible harness: %w", err)
		}
	}
	if err := os.Symlink(filepath.Join(cfg.bin, "zone_diz"), filepath.Join(h.dir, "library", "zone_diz")); err != nil {
		return nil, fmt.Errorf("ansible harness: %w", err)
	}
	// solaris_zone needs a zonepath whose parent is a dataset, and writes
	// into the zone root through the host path: a sim dataset is mounted
	// (in the sim) at the same absolute path as h.zoneDir, and each play
	// runs in a private mount namespace where the sim's directory is bound
	// on h.zoneDir.
	r, err := e.command("zfs", "create", "-o", "mountpoint="+h.zoneDir, "rpool/bench")
	if err != nil {
		return nil, err
	}
	if r.Exit != 0 {
		return nil, fmt.Errorf("zfs create rpool/bench: %s", r.Stderr)
	}
	env := map[string]string{
		"PATH":           filepath.Join(h.dir, "wrap") + ":" + e.links + ":" + cfg.bin + ":/usr/sbin:/usr/bin:/sbin:/bin",
		core.EnvRoot:     e.root,
		"ZONEMGR_ROOT":   e.root,
		"ELEVATE_CMD":    "none",
		"PYTHONPATH":     filepath.Join(h.dir, "py"),
		"BENCH_TOOL_LOG": h.toolLog,
	}
	h.vars = map[string]any{"sim_env": env, "zone_dir": h.zoneDir}
	return h, e.skipLog()
}

// play runs one playbook over zones and returns its wall time and the
// commands it issued: the sim's log entries of the run, plus the ps and
// ssh-keygen calls, without the zoneadm calls the ps stand-in makes.
func (h *ansibleHarness) play(name string, zones []string) (time.Duration, int, int, map[string]int, error) {
	if err := h.e.skipLog(); err != nil {
		return 0, 0, 0, nil, err
	}
	os.Remove(h.toolLog)
	vars := map[string]any{"zones": zones}
	for k, v := range h.vars {
		vars[k] = v
	}
	vb, err := json.Marshal(vars)
	if err != nil {
		return 0, 0, 0, nil, err
	}
	varsFile := filepath.Join(h.dir, "vars.json")
	if err := os.WriteFile(varsFile, vb, 0o644); err != nil {
		return 0, 0, 0, nil, err
	}
	cmd := exec.Command("unshare", "-m", "sh", "-c", `mount --bind "$1" "$2" && shift 2 && exec "$@"`, "sh",
		filepath.Join(h.e.root, h.zoneDir), h.zoneDir,
		"ansible-playbook", "-i", filepath.Join(h.dir, "inventory"), "-e", "@"+varsFile, filepath.Join(h.dir, name))
	cmd.Dir = h.dir
	cmd.Env = append(os.Environ(), "ANSIBLE_LIBRARY="+filepath.Join(h.dir, "library"), "ANSIBLE_NOCOLOR=1",
		"ANSIBLE_RETRY_FILES_ENABLED=0", "ANSIBLE_LOCAL_TEMP="+filepath.Join(h.dir, "tmp"), "ANSIBLE_REMOTE_TEMP="+filepath.Join(h.dir, "tmp"))
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		return 0, 0, 0, nil, fmt.Errorf("ansible-playbook %s: %v\n%s", name, err, out)
	}
	entries, err := h.e.newEntries()
	if err != nil {
		return 0, 0, 0, nil, err
	}
	shims := map[int]bool{}
	byTool := map[string]int{}
	n := 0
	if b, err := os.ReadFile(h.toolLog); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			pid, _ := strconv.Atoi(f[1])
			shims[pid] = true
			byTool[f[0]]++
			n++
		}
	}
	changes := 0
	for _, le := range entries {
		if shims[le.PPID] {
			continue
		}
		key := le.Tool
		if le.Sub != "" && le.Sub != le.Tool {
			key += " " + le.Sub
		}
		byTool[key]++
		n++
		if le.Mutating {
			changes++
		}
	}
	return wall, n, changes, byTool, nil
}

// removeZones removes the zones of one round (not measured).
func (h *ansibleHarness) removeZones(diz, sol []string) error {
	for _, z := range diz {
		if _, err := h.e.mustModule("zone_diz", map[string]any{"name": z, "state": "absent"}); err != nil {
			return err
		}
	}
	for _, z := range sol {
		for _, argv := range [][]string{{"zoneadm", "-z", z, "halt"}, {"zoneadm", "-z", z, "uninstall", "-F"}, {"zonecfg", "-z", z, "delete", "-F"}} {
			r, err := h.e.command(argv[0], argv[1:]...)
			if err != nil {
				return err
			}
			if r.Exit != 0 {
				return fmt.Errorf("%s: %s", strings.Join(argv, " "), r.Stderr)
			}
		}
	}
	return h.e.skipLog()
}
