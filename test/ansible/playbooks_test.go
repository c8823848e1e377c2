package ansibletest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/pkg"
	"github.com/zonemgr/zonemgr/test/internal/crash"
)

// goldenSnapshots are the snapshots of a golden zone made from scratch.
var goldenSnapshots = []string{"initial-installed-golden", "initial-manifest_import_booted-golden", "initial-postinstalled-golden"}

func TestGoldenImageCheckDiffRunRerun(t *testing.T) {
	t.Parallel()
	s := NewSim(t)
	before := s.State()
	_, n := s.Mutations(0)

	// --check --diff: the change is predicted and shown, nothing is made.
	r := s.MustPlaybook("golden-image.yml", "--check", "--diff")
	if r.Recap.Changed != 1 {
		t.Errorf("--check: changed=%d, want 1 (the predicted creation)\n%s", r.Recap.Changed, r.Out)
	}
	for _, want := range []string{"--- before: zone golden", "+++ after: zone golden", "-state: absent", "+state: installed", "+set zonepath=/zones/_zonemgr/GIZ/golden"} {
		if !strings.Contains(r.Out, want) {
			t.Errorf("--check --diff: no %q in the output:\n%s", want, r.Out)
		}
	}
	if got := s.State(); got != before {
		t.Errorf("--check changed the sim:\n%s", diffLines(before, got))
	}
	if m, _ := s.Mutations(n); len(m) > 0 {
		t.Errorf("--check ran mutating commands: %q", m)
	}

	// The run with --diff creates the zone and shows the same diff.
	r = s.MustPlaybook("golden-image.yml", "--diff")
	if r.Recap != (Recap{OK: 2, Changed: 1}) {
		t.Errorf("first run: recap %+v, want ok=2 changed=1\n%s", r.Recap, r.Out)
	}
	if !strings.Contains(r.Out, "+++ after: zone golden") || !strings.Contains(r.Out, "+set value=\"giz\"") {
		t.Errorf("first run --diff: no zone diff:\n%s", r.Out)
	}
	if !strings.Contains(r.Out, `"msg": "golden is installed; snapshots: `+strings.Join(goldenSnapshots, ", ")+`"`) {
		t.Errorf("first run: no report of the snapshots:\n%s", r.Out)
	}
	if got := s.Zones(); !reflect.DeepEqual(got, []string{"golden:installed"}) {
		t.Errorf("zones after the run: %q", got)
	}
	if got := s.Snapshots("rpool/zones/_zonemgr/GIZ/golden"); !reflect.DeepEqual(got, goldenSnapshots) {
		t.Errorf("snapshots: %q, want %q", got, goldenSnapshots)
	}
	zoneRoot := filepath.Join(s.Root, "zones/_zonemgr/GIZ/golden/root")
	for file, want := range map[string]string{
		"etc/passwd":                      "\njenkins:x:1001:1001:",
		"etc/group":                       "\njenkins::1001:",
		"etc/user_attr":                   "\njenkins::::roles=root;",
		"etc/sudoers.d/90zonemgr.jenkins": "jenkins\tALL=(ALL) NOPASSWD: ALL",
	} {
		b, err := os.ReadFile(filepath.Join(zoneRoot, file))
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("golden's /%s: %v, want it to contain %q:\n%s", file, err, want, b)
		}
	}
	// The same run again changes nothing and shows no diff.
	after := s.State()
	_, n = s.Mutations(0)
	r = s.MustPlaybook("golden-image.yml", "--diff")
	if r.Recap != (Recap{OK: 2}) {
		t.Errorf("second run: recap %+v, want ok=2 changed=0\n%s", r.Recap, r.Out)
	}
	if strings.Contains(r.Out, "+++ after") {
		t.Errorf("second run shows a diff:\n%s", r.Out)
	}
	if got := s.State(); got != after {
		t.Errorf("second run changed the sim:\n%s", diffLines(after, got))
	}
	if m, _ := s.Mutations(n); len(m) > 0 {
		t.Errorf("second run ran mutating commands: %q", m)
	}
}

func TestNightlyRefresh(t *testing.T) {
	t.Parallel()
	s := NewSim(t)
	s.Golden()
	ds := "rpool/zones/_zonemgr/GIZ/golden"

	// Nothing new in the repository: nothing changes, no snapshot.
	r := s.MustPlaybook("nightly-refresh.yml")
	if r.Recap.Changed != 0 {
		t.Errorf("refresh without new packages: changed=%d\n%s", r.Recap.Changed, r.Out)
	}
	if got := s.Snapshots(ds); !reflect.DeepEqual(got, goldenSnapshots) {
		t.Errorf("snapshots after a refresh without new packages: %q", got)
	}

	// A new GNU make is published: the refresh installs it and snapshots.
	if err := pkg.Publish(s.Root, "developer/build/gnu-make", "4.4.2-2024.0.0.0"); err != nil {
		t.Fatal(err)
	}
	r = s.MustPlaybook("nightly-refresh.yml")
	if r.Recap.Changed != 1 {
		t.Errorf("refresh with a new package: changed=%d, want 1\n%s", r.Recap.Changed, r.Out)
	}
	snaps := s.Snapshots(ds)
	if len(snaps) != 4 || !slices.Equal(snaps[:3], goldenSnapshots) || !regexp.MustCompile(`^autozone-\d{8}T\d{6}Z$`).MatchString(snaps[3]) {
		t.Fatalf("snapshots after a refresh with a new package: %q, want the initial ones and one autozone-<stamp>", snaps)
	}
	if want := `"msg": "packages of golden updated; snapshot ` + snaps[3] + `"`; !strings.Contains(r.Out, want) {
		t.Errorf("no report %s:\n%s", want, r.Out)
	}
	s.MustRun("zoneadm", "-z", "golden", "boot")
	list := s.MustRun("zlogin", "golden", "pkg", "list", "-H", "developer/build/gnu-make")
	s.MustRun("zoneadm", "-z", "golden", "halt")
	if !strings.Contains(list, "4.4.2-2024.0.0.0") {
		t.Errorf("golden's gnu-make after the refresh: %q", list)
	}

	// The next night: nothing new, no change, no new snapshot.
	r = s.MustPlaybook("nightly-refresh.yml")
	if r.Recap.Changed != 0 {
		t.Errorf("second refresh: changed=%d\n%s", r.Recap.Changed, r.Out)
	}
	if got := s.Snapshots(ds); !slices.Equal(got, snaps) {
		t.Errorf("snapshots after the second refresh: %q, want %q", got, snaps)
	}

	// A golden zone that is running is reported and left alone.
	s.MustRun("zoneadm", "-z", "golden", "boot")
	r = s.MustPlaybook("nightly-refresh.yml")
	if !strings.Contains(r.Out, `"msg": "golden is running: halt it to have it refreshed"`) || r.Recap.Changed != 0 {
		t.Errorf("refresh with golden running: changed=%d\n%s", r.Recap.Changed, r.Out)
	}
}

func TestBuildInDIZ(t *testing.T) {
	t.Parallel()
	s := NewSim(t)
	s.Golden()
	logs, collected := t.TempDir(), t.TempDir()
	before := s.State()

	r := s.MustPlaybook("build-in-diz.yml", "-e", "build_id=ok1", "-e", "log_dir="+logs, "-e", "collect_dir="+collected,
		"-e", "build_chdir=/tmp", "-e", `build_cmd="echo compiling as $(id -un) in $(pwd); echo a warning >&2"`)
	if r.Recap != (Recap{OK: 6, Changed: 4}) {
		t.Errorf("build: recap %+v, want ok=6 changed=4\n%s", r.Recap, r.Out)
	}
	if !strings.Contains(r.Out, `"msg": "build ok1 in build-ok1: exit code 0, log `+logs+`/zonemgr-build-ok1.log"`) {
		t.Errorf("no report of the exit code and log:\n%s", r.Out)
	}
	// stdout and stderr reach the log through two pipes: their lines may
	// interleave either way.
	want := []string{"a warning", "compiling as jenkins in /tmp"}
	for _, f := range []string{filepath.Join(logs, "zonemgr-build-ok1.log"), filepath.Join(collected, "zonemgr-build-ok1.log")} {
		b, err := os.ReadFile(f)
		got := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		sort.Strings(got)
		if err != nil || !strings.HasSuffix(string(b), "\n") || strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: %v %q, want the lines %q in either order", f, err, b, want)
		}
	}
	if got := s.State(); got != before {
		t.Errorf("the build left things behind:\n%s", diffLines(before, got))
	}

	// A failing build fails the play with its exit code and output, and
	// the always section still destroys the zone.
	r = s.Playbook("build-in-diz.yml", "-e", "build_id=bad1", "-e", "log_dir="+logs, "-e", "build_chdir=/tmp",
		"-e", `build_cmd="echo compiling; echo cc: error: boom >&2; exit 3"`)
	if r.Code != 2 || r.Recap != (Recap{OK: 4, Changed: 2, Failed: 1, Skipped: 1}) {
		t.Errorf("failing build: exit %d recap %+v, want exit 2 ok=4 changed=2 failed=1 skipped=1 (no log to fetch)\n%s", r.Code, r.Recap, r.Out)
	}
	failed := regexp.MustCompile(`(?m)^TASK \[Run the build as jenkins\] \**\nfatal: \[localhost\]: FAILED! => (.*)$`).FindStringSubmatch(r.Out)
	if failed == nil {
		t.Fatalf("no failure of the build task:\n%s", r.Out)
	}
	for _, want := range []string{`"rc": 3`, `"msg": "command exited 3 in zone build-bad1"`, `"stdout": "compiling"`, `"stderr": "cc: error: boom"`} {
		if !strings.Contains(failed[1], want) {
			t.Errorf("the failed build's result has no %s: %s", want, failed[1])
		}
	}
	for _, want := range []string{"TASK [Destroy build-bad1]", `"msg": "build bad1 in build-bad1: exit code 3, log `} {
		if !strings.Contains(r.Out, want) {
			t.Errorf("no %q after the failure:\n%s", want, r.Out)
		}
	}
	if got := s.State(); got != before {
		t.Errorf("the failed build left things behind:\n%s", diffLines(before, got))
	}
}

func TestParallelBuilds(t *testing.T) {
	t.Parallel()
	s := NewSim(t)
	s.Golden()
	before := s.State()
	builds := `{"poll_seconds": 1, "builds": [
		{"name": "b1", "cmd": "echo one"},
		{"name": "b2", "cmd": "echo two as $(id -un)"},
		{"name": "b3", "cmd": "echo three; exit 4"},
		{"name": "b4", "cmd": "echo four"}]}`
	r := s.Playbook("parallel-builds.yml", "-e", builds)
	if r.Code != 2 || r.Recap != (Recap{OK: 3, Changed: 2, Failed: 1, Ignored: 1}) {
		t.Errorf("exit %d recap %+v, want exit 2 ok=3 changed=2 failed=1 ignored=1\n%s", r.Code, r.Recap, r.Out)
	}
	for _, want := range []string{
		`"msg": "b1: command exited 0 in zone b1"`,
		`"msg": "b2: command exited 0 in zone b2"`,
		`"msg": "b3: command exited 4 in zone b3"`,
		`"msg": "b4: command exited 0 in zone b4"`,
		`"msg": "failed builds: b3"`,
		`failed: [localhost] (item=b3) => `,
	} {
		if !strings.Contains(r.Out, want) {
			t.Errorf("no %s in the output:\n%s", want, r.Out)
		}
	}
	if got := s.State(); got != before {
		t.Errorf("the builds left things behind:\n%s", diffLines(before, got))
	}
}

// TestParallelBuildsManyHosts runs the builds on two global zones at once:
// two sims, each an inventory host whose modules get its environment
// through zonemgr_env.
func TestParallelBuildsManyHosts(t *testing.T) {
	t.Parallel()
	s1, s2 := NewSim(t), NewSim(t)
	s1.Golden()
	s2.Golden()
	var inv strings.Builder
	inv.WriteString("build_gz:\n  hosts:\n")
	for i, s := range []*Sim{s1, s2} {
		env := map[string]string{}
		for _, e := range s.Env {
			k, v, _ := strings.Cut(e, "=")
			switch k {
			case "PATH", "ILLUMOS_SIM_ROOT", "ZONEMGR_ROOT", "ELEVATE_CMD":
				env[k] = v
			}
		}
		inv.WriteString("    gz" + string(rune('1'+i)) + ":\n      ansible_connection: local\n      ansible_python_interpreter: /usr/bin/python3\n      zonemgr_env:\n")
		for _, k := range []string{"PATH", "ILLUMOS_SIM_ROOT", "ZONEMGR_ROOT", "ELEVATE_CMD"} {
			// A JSON string is a YAML double-quoted scalar.
			v, _ := json.Marshal(env[k])
			inv.WriteString("        " + k + ": " + string(v) + "\n")
		}
	}
	invFile := filepath.Join(s1.Dir, "hosts.yml")
	s1.WriteFile(invFile, inv.String())
	before1, before2 := s1.State(), s2.State()

	out, code := s1.Combined("ansible-playbook", "-i", invFile, filepath.Join(top(), "playbooks", "parallel-builds.yml"),
		"-e", `{"poll_seconds": 1, "builds": [{"name": "x1", "cmd": "echo x1"}, {"name": "x2", "cmd": "echo x2"}]}`)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	recaps := Recaps(out)
	for _, h := range []string{"gz1", "gz2"} {
		if recaps[h] != (Recap{OK: 3, Changed: 2, Skipped: 1}) {
			t.Errorf("%s: recap %+v, want ok=3 changed=2 skipped=1\n%s", h, recaps[h], out)
		}
		for _, b := range []string{"x1", "x2"} {
			if want := `ok: [` + h + `] => (item=` + b + `) => {
    "msg": "` + b + `: command exited 0 in zone ` + b + `"`; !strings.Contains(out, want) {
				t.Errorf("no report of %s on %s:\n%s", b, h, out)
			}
		}
	}
	// Each host cloned its zones in its own global zone.
	for i, s := range []*Sim{s1, s2} {
		log := s.MustRun("cat", filepath.Join(s.Root, ".sim", "commands.jsonl"))
		for _, b := range []string{"x1", "x2"} {
			if !strings.Contains(log, `"zoneadm","-z","`+b+`","clone"`) {
				t.Errorf("gz%d: no clone of %s in its sim's log", i+1, b)
			}
		}
	}
	if got := s1.State(); got != before1 {
		t.Errorf("gz1: the builds left things behind:\n%s", diffLines(before1, got))
	}
	if got := s2.State(); got != before2 {
		t.Errorf("gz2: the builds left things behind:\n%s", diffLines(before2, got))
	}
}

func TestCleanupOrphans(t *testing.T) {
	t.Parallel()
	s := NewSim(t)
	s.Golden()
	s.MustModule("zone_diz", map[string]any{"name": "keep1", "giz": "golden"})

	// Look-alikes no journal records: an automatic-looking VNIC, a zone
	// dataset and a snapshot of no zone, and a disposable zone left
	// configured. None of them is gc's to remove.
	s.MustRun("dladm", "create-vnic", "-l", "e1000g0", "autodiz9")
	s.MustRun("zfs", "create", "rpool/zones/_zonemgr/DIZ/ghost")
	s.MustRun("zfs", "snapshot", "rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@ghost_snap")
	s.MustRun("zonecfg", "-z", "half", "create -b; set zonepath=/zones/_zonemgr/DIZ/half; add attr; set name=zonemgr.role; set type=string; set value=diz; end; commit")
	clean := s.State()
	// A run killed while it cloned leaves its journal, its configuration
	// and its VNIC.
	if out, err := crash.At(s.Root, "zoneadm clone#1", s.Command(nil, "zonemgr", "create-diz", "-c", "golden", "-z", "c9", "--add-vnic-over", "e1000g0")); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	orphaned := s.State()
	_, n := s.Mutations(0)

	commands := []string{"zonecfg -z c9 delete -F", "dladm delete-vnic autodizc9_0"}
	reported := `"gc.commands": [
        "` + strings.Join(commands, "\",\n        \"") + `"
    ]`
	r := s.MustPlaybook("cleanup-orphans.yml", "--check")
	if r.Recap != (Recap{OK: 4, Changed: 1}) {
		t.Errorf("--check: recap %+v, want ok=4 changed=1\n%s", r.Recap, r.Out)
	}
	for _, want := range []string{`"autodizc9_0"`, `"c9"`, "/var/zonemgr/journal/c9-diz-", reported,
		`"vnic autodiz9: named like zonemgr's automatic VNICs`, `"zone half: a disposable zone left configured that no journal records`} {
		if !strings.Contains(r.Out, want) {
			t.Errorf("--check: no %s in the output:\n%s", want, r.Out)
		}
	}
	if got := s.State(); got != orphaned {
		t.Errorf("--check changed the sim:\n%s", diffLines(orphaned, got))
	}
	if m, _ := s.Mutations(n); len(m) > 0 {
		t.Errorf("--check ran mutating commands: %q", m)
	}

	r = s.MustPlaybook("cleanup-orphans.yml")
	if r.Recap != (Recap{OK: 4, Changed: 1}) || !strings.Contains(r.Out, reported) {
		t.Errorf("cleanup: recap %+v, want ok=4 changed=1, and the commands reported\n%s", r.Recap, r.Out)
	}
	if m, _ := s.Mutations(n); !slices.Equal(m, commands) {
		t.Errorf("cleanup ran\n%q\nwant\n%q", m, commands)
	}
	if got := s.State(); got != clean {
		t.Errorf("after the cleanup, the sim differs from before the run was killed:\n%s", diffLines(clean, got))
	}

	r = s.MustPlaybook("cleanup-orphans.yml")
	if r.Recap != (Recap{OK: 1, Skipped: 3}) {
		t.Errorf("second cleanup: recap %+v, want ok=1 skipped=3\n%s", r.Recap, r.Out)
	}
}

// TestInventoryExample checks that the example inventory parses and puts
// its hosts in the group the playbooks run on.
func TestInventoryExample(t *testing.T) {
	needAnsible(t)
	s := NewSim(t)
	out := s.MustRun("ansible-inventory", "-i", filepath.Join(top(), "playbooks", "inventory.example.ini"), "--graph", "build_gz")
	for _, h := range []string{"gz1.example.org", "gz2.example.org", "gz3.example.org"} {
		if !strings.Contains(out, "--"+h) {
			t.Errorf("ansible-inventory --graph build_gz: no %s:\n%s", h, out)
		}
	}
}
