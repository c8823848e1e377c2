package integration

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/pkg"
)

// The playbooks of playbooks/ that zonemgr play runs unchanged, run here
// against the sim as ansible-playbook runs them in test/ansible.

// hostsNote is what zonemgr play says of the playbooks' hosts pattern.
const hostsNote = "note: hosts \"build_gz\": zonemgr play has no inventory; the play runs on this global zone\n"

var playRecapLine = regexp.MustCompile(`(?m)^localhost +: ok=(\d+) +changed=(\d+) +unreachable=(\d+) +failed=(\d+) +skipped=(\d+) +rescued=(\d+) +ignored=(\d+) *$`)

// A playResult is one zonemgr play run of a playbook.
type playResult struct {
	out, errOut string
	code        int
	// recap is the PLAY RECAP's counts as "ok=N changed=N failed=N
	// skipped=N" (the others are always 0 here and checked to be).
	recap string
}

// playbook runs `zonemgr play playbooks/NAME ARGS...` in s.
func playbook(t *testing.T, s *Sim, env []string, name string, args ...string) playResult {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("..", "..", "playbooks", name))
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code := s.Run(env, "zonemgr", append([]string{"play", path}, args...)...)
	r := playResult{out: out, errOut: errOut, code: code}
	m := playRecapLine.FindAllStringSubmatch(out, -1)
	if len(m) != 1 {
		t.Fatalf("zonemgr play %s: exit %d, %d recap lines\n%s\n%s", name, code, len(m), out, errOut)
	}
	if m[0][3] != "0" || m[0][6] != "0" || m[0][7] != "0" {
		t.Errorf("zonemgr play %s: unreachable, rescued or ignored in the recap: %s", name, m[0][0])
	}
	r.recap = fmt.Sprintf("ok=%s changed=%s failed=%s skipped=%s", m[0][1], m[0][2], m[0][4], m[0][5])
	return r
}

// mustPlaybook runs a playbook that must succeed with the recap want and
// the hosts note alone on standard error.
func mustPlaybook(t *testing.T, s *Sim, want, name string, args ...string) playResult {
	t.Helper()
	r := playbook(t, s, nil, name, args...)
	if r.code != 0 || r.recap != want || r.errOut != hostsNote {
		t.Fatalf("zonemgr play %s %q: exit %d, recap %s, want exit 0, %s; stderr %q\n%s", name, args, r.code, r.recap, want, r.errOut, r.out)
	}
	return r
}

var goldenSnaps = "initial-installed-golden, initial-manifest_import_booted-golden, initial-postinstalled-golden"

func TestPlaybookGoldenImage(t *testing.T) {
	s := NewSim(t)
	before := s.State()
	n := len(s.Log())

	r := mustPlaybook(t, s, "ok=2 changed=1 failed=0 skipped=0", "golden-image.yml", "--check", "--diff")
	if !strings.Contains(r.out, "+state: installed") {
		t.Errorf("--check --diff: no zone diff:\n%s", r.out)
	}
	if got := s.State(); got != before {
		t.Errorf("--check changed the sim:\n%s", diffLines(before, got))
	}
	if m := Mutating(s.Log()[n:]); len(m) > 0 {
		t.Errorf("--check ran mutating commands: %q", m)
	}

	r = mustPlaybook(t, s, "ok=2 changed=1 failed=0 skipped=0", "golden-image.yml")
	if want := `"msg": "golden is installed; snapshots: ` + goldenSnaps + `"`; !strings.Contains(r.out, want) {
		t.Errorf("first run: no %s:\n%s", want, r.out)
	}
	out, _, _ := s.Run(nil, "zoneadm", "list", "-cp")
	if !strings.Contains(out, ":golden:installed:/zones/_zonemgr/GIZ/golden:") {
		t.Errorf("zones after the run:\n%s", out)
	}

	after := s.State()
	n = len(s.Log())
	r = mustPlaybook(t, s, "ok=2 changed=0 failed=0 skipped=0", "golden-image.yml")
	if got := s.State(); got != after {
		t.Errorf("second run changed the sim:\n%s", diffLines(after, got))
	}
	if m := Mutating(s.Log()[n:]); len(m) > 0 {
		t.Errorf("second run ran mutating commands: %q", m)
	}

	// -e names another golden zone and its packages.
	mustPlaybook(t, s, "ok=2 changed=1 failed=0 skipped=0", "golden-image.yml", "-e", "giz_name=golden2", "-e", `{"giz_packages": ["developer/build/gnu-make"]}`)
	out, _, _ = s.Run(nil, "zoneadm", "list", "-cp")
	if !strings.Contains(out, ":golden2:installed:") {
		t.Errorf("zones after the run for golden2:\n%s", out)
	}
}

// TestPlaybookEnvironment runs a playbook whose modules find the global
// zone only through the play's environment (zonemgr_env).
func TestPlaybookEnvironment(t *testing.T) {
	s := NewSim(t)
	bogus := []string{"ILLUMOS_SIM_ROOT=" + filepath.Join(s.Root, "nonexistent"), "ZONEMGR_ROOT=" + filepath.Join(s.Root, "nonexistent")}
	r := playbook(t, s, bogus, "golden-image.yml")
	if r.code != 2 || r.recap != "ok=0 changed=0 failed=1 skipped=0" {
		t.Errorf("without zonemgr_env: exit %d, recap %s, want 2 and failed=1\n%s", r.code, r.recap, r.out)
	}
	env := fmt.Sprintf(`{"zonemgr_env": {"ILLUMOS_SIM_ROOT": %q, "ZONEMGR_ROOT": %q}}`, s.Root, s.Root)
	r = playbook(t, s, bogus, "golden-image.yml", "-e", env)
	if r.code != 0 || r.recap != "ok=2 changed=1 failed=0 skipped=0" {
		t.Errorf("with zonemgr_env: exit %d, recap %s, want 0 and changed=1\n%s\n%s", r.code, r.recap, r.out, r.errOut)
	}
	if !strings.Contains(r.out, "snapshots: "+goldenSnaps) {
		t.Errorf("with zonemgr_env: no snapshots reported:\n%s", r.out)
	}
}

func TestPlaybookNightlyRefresh(t *testing.T) {
	s := NewSim(t)
	mustPlaybook(t, s, "ok=2 changed=1 failed=0 skipped=0", "golden-image.yml")
	ds := "rpool/zones/_zonemgr/GIZ/golden"
	snapshots := func() []string {
		out, _, _ := s.Run(nil, "zfs", "list", "-H", "-o", "name", "-t", "snapshot", "-r", ds)
		var names []string
		for _, l := range strings.Fields(out) {
			if name, ok := strings.CutPrefix(l, ds+"@"); ok {
				names = append(names, name)
			}
		}
		return names
	}
	initial := strings.Split(goldenSnaps, ", ")
	if got := snapshots(); !slices.Equal(got, initial) {
		t.Fatalf("snapshots of golden: %q, want %q", got, initial)
	}

	// Nothing new: no change, no snapshot, the two reports skipped.
	mustPlaybook(t, s, "ok=2 changed=0 failed=0 skipped=2", "nightly-refresh.yml")
	if got := snapshots(); !slices.Equal(got, initial) {
		t.Errorf("snapshots after a refresh without new packages: %q", got)
	}

	// A new GNU make: installed, snapshotted, reported.
	if err := pkg.Publish(s.Root, "developer/build/gnu-make", "4.4.2-2024.0.0.0"); err != nil {
		t.Fatal(err)
	}
	r := mustPlaybook(t, s, "ok=3 changed=1 failed=0 skipped=1", "nightly-refresh.yml")
	snaps := snapshots()
	if len(snaps) != 4 || !slices.Equal(snaps[:3], initial) || !regexp.MustCompile(`^autozone-\d{8}T\d{6}Z$`).MatchString(snaps[3]) {
		t.Fatalf("snapshots after a refresh with a new package: %q", snaps)
	}
	if want := `"msg": "packages of golden updated; snapshot ` + snaps[3] + `"`; !strings.Contains(r.out, want) {
		t.Errorf("no report %s:\n%s", want, r.out)
	}

	// The next night: nothing new again.
	after := s.State()
	mustPlaybook(t, s, "ok=2 changed=0 failed=0 skipped=2", "nightly-refresh.yml")
	if got := s.State(); got != after {
		t.Errorf("a refresh without new packages changed the sim:\n%s", diffLines(after, got))
	}

	// A running golden zone is reported and left alone.
	if _, errOut, code := s.Run(nil, "zoneadm", "-z", "golden", "boot"); code != 0 {
		t.Fatalf("boot golden: %s", errOut)
	}
	r = mustPlaybook(t, s, "ok=2 changed=0 failed=0 skipped=2", "nightly-refresh.yml")
	if !strings.Contains(r.out, `"msg": "golden is running: halt it to have it refreshed"`) {
		t.Errorf("no report of the running golden zone:\n%s", r.out)
	}
}

func TestPlaybookCleanupOrphans(t *testing.T) {
	s := goldenSim(t)
	s.MustModule("zone_diz", map[string]any{"name": "keep1", "giz": "golden"})

	// Nothing to clean: only zone_info runs.
	mustPlaybook(t, s, "ok=1 changed=0 failed=0 skipped=3", "cleanup-orphans.yml")

	// Look-alikes no journal records: an automatic-looking VNIC, a zone
	// dataset and a snapshot of no zone, a disposable zone left
	// configured, and a golden zone detached for maintenance. None of
	// them is gc's to remove.
	for _, c := range [][]string{
		{"dladm", "create-vnic", "-l", "e1000g0", "autodiz9"},
		{"zfs", "create", "rpool/zones/_zonemgr/DIZ/ghost"},
		{"zfs", "snapshot", "rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@ghost_snap"},
		{"zonecfg", "-z", "half", "create -b; set zonepath=/zones/_zonemgr/DIZ/half; add attr; set name=zonemgr.role; set type=string; set value=diz; end; commit"},
	} {
		if _, errOut, code := s.Run(nil, c[0], c[1:]...); code != 0 {
			t.Fatalf("%q: exit %d: %s", c, code, errOut)
		}
	}
	clean := s.State()
	// A run killed while it cloned: its journal, its configuration and
	// its VNIC are left.
	s.crashAt("zoneadm clone#1", "zonemgr", "create-diz", "-c", "golden", "-z", "c9", "--add-vnic-over", "e1000g0")
	orphaned := s.State()
	n := len(s.Log())
	commands := []string{"zonecfg -z c9 delete -F", "dladm delete-vnic autodizc9_0"}
	reported := "\"gc.commands\": [\n        \"" + strings.Join(commands, "\",\n        \"") + "\"\n    ]"

	r := mustPlaybook(t, s, "ok=4 changed=1 failed=0 skipped=0", "cleanup-orphans.yml", "--check")
	for _, want := range []string{`"autodizc9_0"`, `"c9"`, "/var/zonemgr/journal/c9-diz-", reported,
		`"vnic autodiz9: named like zonemgr's automatic VNICs`, `"zone half: a disposable zone left configured that no journal records`,
		`"dataset rpool/zones/_zonemgr/DIZ/ghost: under zonemgr's containers, used by no zone`} {
		if !strings.Contains(r.out, want) {
			t.Errorf("--check: no %s in the output:\n%s", want, r.out)
		}
	}
	if got := s.State(); got != orphaned {
		t.Errorf("--check changed the sim:\n%s", diffLines(orphaned, got))
	}
	if m := Mutating(s.Log()[n:]); len(m) > 0 {
		t.Errorf("--check ran mutating commands: %q", m)
	}

	r = mustPlaybook(t, s, "ok=4 changed=1 failed=0 skipped=0", "cleanup-orphans.yml")
	if !strings.Contains(r.out, reported) {
		t.Errorf("cleanup: the commands are not reported:\n%s", r.out)
	}
	if m := Mutating(s.Log()[n:]); !slices.Equal(m, commands) {
		t.Errorf("cleanup ran\n%q\nwant\n%q", m, commands)
	}
	if got := s.State(); got != clean {
		t.Errorf("after the cleanup, the sim differs from before the run was killed:\n%s", diffLines(clean, got))
	}

	mustPlaybook(t, s, "ok=1 changed=0 failed=0 skipped=3", "cleanup-orphans.yml")
}
