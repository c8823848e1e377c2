// Package ansibletest runs the illumos.zonemgr collection and the playbooks
// of playbooks/ with the real ansible-playbook, ansible and ansible-doc
// (Debian's ansible-core) against the simulated global zone. The Linux
// build of the module binaries is laid out in the collection tree of
// collection/, packed with ansible-galaxy collection build and installed
// with ansible-galaxy collection install, as users install the illumos
// build; every test gets a fresh sim root with the sim's tools first on
// PATH and runs on localhost with the local connection. The tests skip
// when ansible-playbook is not installed.
package ansibletest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/zonemgr/zonemgr/modules"
	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/test/internal/simstate"
	"github.com/zonemgr/zonemgr/test/internal/testbin"
)

// top is the repository's top directory.
func top() string { return testbin.Top() }

var (
	installOnce sync.Once
	collPath    string
	installErr  error

	// builtDirs are the temporary directories of the builds, removed
	// after the tests.
	builtDirs []string
)

// TestMain removes the binaries and the collection the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range builtDirs {
		os.RemoveAll(d)
	}
	testbin.Cleanup()
	os.Exit(code)
}

// needAnsible skips the test when Ansible is not installed.
func needAnsible(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"ansible-playbook", "ansible", "ansible-doc", "ansible-galaxy"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (apt-get install -y --no-install-recommends ansible-core): skipping the tests that run Ansible", tool)
		}
	}
}

// bin returns the directory of the Linux binaries.
func bin(t testing.TB) string { return testbin.Dir(t) }

// moduleNames lists modules.All's names, sorted.
func moduleNames() []string {
	var names []string
	for name := range modules.All() {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// collections returns an ANSIBLE_COLLECTIONS_PATH holding the installed
// collection: collection/ with the Linux module binaries, built into a
// tarball by ansible-galaxy and installed from it.
func collections(t testing.TB) string {
	t.Helper()
	needAnsible(t)
	b := bin(t)
	installOnce.Do(func() {
		collPath, installErr = installCollection(b)
	})
	if installErr != nil {
		t.Fatal(installErr)
	}
	return collPath
}

func installCollection(b string) (string, error) {
	dir, err := os.MkdirTemp("", "zonemgr-ansible-collection-")
	if err != nil {
		return "", err
	}
	builtDirs = append(builtDirs, dir)
	src := filepath.Join(dir, "src", "ansible_collections", "illumos", "zonemgr")
	if err := copyTree(filepath.Join(top(), "collection"), src); err != nil {
		return "", fmt.Errorf("lay out the collection: %w", err)
	}
	for _, name := range moduleNames() {
		if err := copyFile(filepath.Join(b, name), filepath.Join(src, "plugins", "modules", name), 0o755); err != nil {
			return "", fmt.Errorf("lay out the collection: %w", err)
		}
	}
	env := ansibleEnv(dir)
	dist := filepath.Join(dir, "dist")
	build := exec.Command("ansible-galaxy", "collection", "build", "--output-path", dist, src)
	build.Env = env
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("ansible-galaxy collection build: %v\n%s", err, out)
	}
	tarballs, _ := filepath.Glob(filepath.Join(dist, "illumos-zonemgr-*.tar.gz"))
	if len(tarballs) != 1 {
		return "", fmt.Errorf("ansible-galaxy collection build made %v, want one illumos-zonemgr-<version>.tar.gz", tarballs)
	}
	installed := filepath.Join(dir, "installed")
	install := exec.Command("ansible-galaxy", "collection", "install", "-p", installed, tarballs[0])
	install.Env = env
	if out, err := install.CombinedOutput(); err != nil {
		return "", fmt.Errorf("ansible-galaxy collection install: %v\n%s", err, out)
	}
	return installed, nil
}

func copyTree(from, to string) error {
	from, err := filepath.EvalSymlinks(from)
	if err != nil {
		return err
	}
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		return copyFile(p, filepath.Join(to, rel), 0o644)
	})
}

func copyFile(from, to string, mode os.FileMode) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, mode)
}

// ansibleEnv is the environment of every Ansible command: the process's
// own without ANSIBLE_* settings, with Ansible's files kept under dir and
// no warnings about the implicit localhost.
func ansibleEnv(dir string) []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "ANSIBLE_") {
			env = append(env, e)
		}
	}
	cfg := filepath.Join(dir, "ansible.cfg")
	os.WriteFile(cfg, nil, 0o644)
	return append(env,
		"ANSIBLE_CONFIG="+cfg,
		"ANSIBLE_HOME="+filepath.Join(dir, "ansible-home"),
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(dir, "ansible-local"),
		"ANSIBLE_REMOTE_TEMP="+filepath.Join(dir, "ansible-remote"),
		"ANSIBLE_ASYNC_DIR="+filepath.Join(dir, "ansible-async"),
		"ANSIBLE_LOCALHOST_WARNING=False",
		"ANSIBLE_INVENTORY_UNPARSED_WARNING=False",
		"ANSIBLE_RETRY_FILES_ENABLED=False",
		"ANSIBLE_NOCOLOR=True",
		"ANSIBLE_FORCE_COLOR=False",
	)
}

// A Sim is one fresh simulated global zone with an Ansible inventory
// whose build_gz group is localhost on the local connection.
type Sim struct {
	t         testing.TB
	Dir       string
	Root      string
	Links     string
	Inventory string
	Env       []string // the sim's and Ansible's environment
}

// NewSim creates a sim root with its tool links and the inventory.
func NewSim(t testing.TB) *Sim {
	t.Helper()
	coll := collections(t)
	b := bin(t)
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	links := filepath.Join(dir, "links")
	for _, args := range [][]string{{"init", root}, {"links", links}} {
		out, err := exec.Command(filepath.Join(b, "illumos-sim"), args...).CombinedOutput()
		if err != nil {
			t.Fatalf("illumos-sim %v: %v\n%s", args, err, out)
		}
	}
	var env []string
	for _, e := range ansibleEnv(dir) {
		if strings.HasPrefix(e, "PATH=") || strings.HasPrefix(e, "ILLUMOS_SIM_") || strings.HasPrefix(e, "ZONEMGR_") || strings.HasPrefix(e, "HOME=") {
			continue
		}
		env = append(env, e)
	}
	env = append(env,
		"PATH="+links+":"+os.Getenv("PATH"),
		core.EnvRoot+"="+root,
		"ZONEMGR_ROOT="+root,
		"ELEVATE_CMD=none",
		"HOME="+dir,
		"ANSIBLE_COLLECTIONS_PATH="+coll,
	)
	s := &Sim{t: t, Dir: dir, Root: root, Links: links, Env: env, Inventory: filepath.Join(dir, "inventory.ini")}
	s.WriteFile(s.Inventory, "[build_gz]\nlocalhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n")
	return s
}

// WriteFile writes a file, failing the test on error.
func (s *Sim) WriteFile(path, content string) {
	s.t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// command prepares a command with the sim's environment. A bare name is
// looked up in the sim's tool links first, so that zfs is the sim's and
// never the machine's own.
func (s *Sim) command(name string, args ...string) *exec.Cmd {
	if !strings.Contains(name, "/") {
		if _, err := os.Stat(filepath.Join(s.Links, name)); err == nil {
			name = filepath.Join(s.Links, name)
		}
	}
	cmd := exec.Command(name, args...)
	cmd.Env = s.Env
	cmd.Dir = s.Dir
	return cmd
}

// Run runs a command with the sim's environment and returns its combined
// output and exit code.
func (s *Sim) Run(name string, args ...string) (string, int) {
	s.t.Helper()
	cmd := s.command(name, args...)
	cmd.Env = s.Env
	cmd.Dir = s.Dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			s.t.Fatalf("%s %v: %v", name, args, err)
		}
		return out.String(), ee.ExitCode()
	}
	return out.String(), 0
}

// Output runs a command with the sim's environment and returns its
// standard output and standard error apart, failing the test unless it
// exits 0.
func (s *Sim) Output(name string, args ...string) (stdout, stderr string) {
	s.t.Helper()
	cmd := s.command(name, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		s.t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, o.String(), e.String())
	}
	return o.String(), e.String()
}

// MustRun runs a command and fails the test unless it exits 0.
func (s *Sim) MustRun(name string, args ...string) string {
	s.t.Helper()
	out, code := s.Run(name, args...)
	if code != 0 {
		s.t.Fatalf("%s %s: exit %d\n%s", name, strings.Join(args, " "), code, out)
	}
	return out
}

// Playbook runs ansible-playbook on the inventory with a playbook of
// playbooks/ (a bare file name) or any other path, and checks that the
// output carries neither a module failure nor a Python traceback.
func (s *Sim) Playbook(playbook string, args ...string) *Run {
	s.t.Helper()
	if !strings.Contains(playbook, "/") {
		playbook = filepath.Join(top(), "playbooks", playbook)
	}
	out, code := s.Run("ansible-playbook", append([]string{"-i", s.Inventory, playbook}, args...)...)
	r := &Run{Out: out, Code: code}
	for _, bad := range []string{"MODULE FAILURE", "Traceback", "[WARNING]", "[ERROR]"} {
		if strings.Contains(out, bad) {
			s.t.Errorf("ansible-playbook %s %v: the output has %q:\n%s", filepath.Base(playbook), args, bad, out)
		}
	}
	r.Recap = parseRecap(s.t, out)
	return r
}

// MustPlaybook runs a playbook and fails the test unless it succeeded.
func (s *Sim) MustPlaybook(playbook string, args ...string) *Run {
	s.t.Helper()
	r := s.Playbook(playbook, args...)
	if r.Code != 0 || r.Recap.Failed != 0 {
		s.t.Fatalf("ansible-playbook %s %v: exit %d\n%s", playbook, args, r.Code, r.Out)
	}
	return r
}

// A Run is the outcome of one ansible-playbook run.
type Run struct {
	Out   string
	Code  int
	Recap Recap
}

// A Recap is localhost's line of the PLAY RECAP.
type Recap struct {
	OK, Changed, Unreachable, Failed, Skipped, Rescued, Ignored int
}

var recapRE = regexp.MustCompile(`(?m)^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)`)

// parseRecap reads the recap line of localhost, or of the only host.
func parseRecap(t testing.TB, out string) Recap {
	t.Helper()
	recaps := Recaps(out)
	if r, ok := recaps["localhost"]; ok {
		return r
	}
	if len(recaps) == 1 {
		for _, r := range recaps {
			return r
		}
	}
	return Recap{}
}

// Recaps reads every host's line of the PLAY RECAP.
func Recaps(out string) map[string]Recap {
	recaps := map[string]Recap{}
	for _, m := range recapRE.FindAllStringSubmatch(out, -1) {
		n := make([]int, 7)
		for i := range n {
			n[i], _ = strconv.Atoi(m[i+2])
		}
		recaps[m[1]] = Recap{OK: n[0], Changed: n[1], Unreachable: n[2], Failed: n[3], Skipped: n[4], Rescued: n[5], Ignored: n[6]}
	}
	return recaps
}

// Module runs a module binary directly, with an args file as Ansible
// passes it, and fails the test when the module failed.
func (s *Sim) Module(name string, args map[string]any) map[string]any {
	s.t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		s.t.Fatal(err)
	}
	f := filepath.Join(s.t.TempDir(), "args")
	if err := os.WriteFile(f, b, 0o600); err != nil {
		s.t.Fatal(err)
	}
	out, code := s.Run(filepath.Join(bin(s.t), name), f)
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		s.t.Fatalf("%s: output is not one JSON object: %v\n%s", name, err, out)
	}
	if code != 0 || res["failed"] == true {
		s.t.Fatalf("%s %s failed (exit %d): %v", name, b, code, res["msg"])
	}
	return res
}

// Golden creates the golden zone "golden" with the build user jenkins
// and GNU make, the disposable-zone container (by creating and
// destroying a first disposable zone, so that a later comparison of
// states sees only what a build leaves), and the global-zone source
// directory /export/src that the playbooks mount by lofs.
func (s *Sim) Golden() {
	s.t.Helper()
	s.Module("zone_giz", map[string]any{
		"name": "golden", "add_packages": []string{"developer/build/gnu-make"},
		"copy_users": []string{"jenkins"}, "copy_groups": []string{"jenkins"}, "elevate_users": []string{"jenkins"},
	})
	s.Module("zone_diz", map[string]any{"name": "first", "giz": "golden"})
	s.Module("zone_diz", map[string]any{"name": "first", "state": "absent"})
	if err := os.MkdirAll(filepath.Join(s.Root, "export", "src"), 0o755); err != nil {
		s.t.Fatal(err)
	}
}

// Zones returns the zones other than global as "name:state", sorted.
func (s *Sim) Zones() []string {
	s.t.Helper()
	out := s.MustRun("zoneadm", "list", "-cp")
	zones := []string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(line, ":")
		if len(f) > 2 && f[1] != "global" {
			zones = append(zones, f[1]+":"+f[2])
		}
	}
	sort.Strings(zones)
	return zones
}

// Snapshots returns the names (after '@') of a dataset's snapshots,
// oldest first.
func (s *Sim) Snapshots(dataset string) []string {
	s.t.Helper()
	out := s.MustRun("zfs", "list", "-H", "-o", "name", "-t", "snapshot", "-s", "creation", "-r", dataset)
	var snaps []string
	for _, line := range strings.Fields(out) {
		if ds, snap, ok := strings.Cut(line, "@"); ok && ds == dataset {
			snaps = append(snaps, snap)
		}
	}
	return snaps
}

// State captures everything the sim knows, as text (see
// simstate.Capture): two equal states mean nothing changed.
func (s *Sim) State() string {
	s.t.Helper()
	st, err := simstate.Capture(filepath.Join(bin(s.t), "illumos-sim"), s.Root)
	if err != nil {
		s.t.Fatal(err)
	}
	return st
}

// Mutations returns the mutating commands the sim logged from entry n on,
// and the log's length.
func (s *Sim) Mutations(n int) ([]string, int) {
	s.t.Helper()
	log, err := core.ReadLog(s.Root)
	if err != nil {
		s.t.Fatal(err)
	}
	var out []string
	for _, e := range log[min(n, len(log)):] {
		if e.Mutating {
			out = append(out, strings.Join(e.Argv, " "))
		}
	}
	return out, len(log)
}

// diffLines shows the lines only in a and only in b.
func diffLines(a, b string) string { return simstate.DiffLines(a, b) }
