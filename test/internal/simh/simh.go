// Package simh is the one harness of the end-to-end suites (test/integration,
// test/ansible, test/selftest, test/differential, and any new suite): a
// fresh simulated global zone per call of New, the built binaries, and the
// commands a test runs against that zone with the right environment.
//
// New runs "illumos-sim init" in a temporary directory of the test's own
// (the flavour is ILLUMOS_SIM_FLAVOR's when set, as illumos-sim init reads
// it, else the sim's default) and "illumos-sim links" beside it. Every
// command a Sim runs gets the caller's environment without PATH, HOME and
// the ILLUMOS_SIM_*, ZONEMGR_* and ANSIBLE_* settings, and then the sim's
// tool links first on PATH, ILLUMOS_SIM_ROOT and ZONEMGR_ROOT naming the
// sim's root, ELEVATE_CMD=none and HOME in the Sim's own directory; it runs
// in that directory. A bare command name is looked up in the tool links,
// then among the built binaries (zonemgr, the module binaries), then on
// PATH, so that zfs is always the sim's and never the machine's own.
//
// The binaries are those of the directory $ZONEMGR_BIN names (make sets
// it), or else one build per test binary into a temporary directory (see
// package testbin); call Main from TestMain to remove that build, and the
// installed Ansible collection, when the tests end.
//
// Sims share nothing but the binaries and the installed collection, so
// tests that each make their own Sim may run in parallel (t.Parallel).
//
// With the Ansible option a Sim also has Ansible's settings (its files kept
// in the Sim's directory, no colour, no retry files, the implicit localhost
// quiet), ANSIBLE_COLLECTIONS_PATH naming the illumos.zonemgr collection
// (collection/ with the Linux module binaries, packed with ansible-galaxy
// collection build and installed with ansible-galaxy collection install,
// once per test binary) and an inventory whose group build_gz is localhost
// on the local connection. A test of ansible-playbook against zonemgr play:
//
//	func TestSameResult(t *testing.T) {
//		t.Parallel()
//		a, z := simh.New(t, simh.Ansible()), simh.New(t)
//		play := a.WriteFile("play.yml", "- hosts: build_gz\n  tasks: ...\n")
//		ra := a.AnsiblePlaybook(play, "--diff") // ansible-playbook -i INVENTORY play.yml --diff
//		rz := z.Play(play, "--diff")            // zonemgr play play.yml --diff
//		if ra.Code != rz.Code || a.State() != z.State() { ... }
//	}
//
// Every Sim checks, when its test ends, that nothing ran "zfs destroy" or
// "zfs rollback" with -R in it (unless made with AllowDestroyDependents):
// zonemgr never destroys what it cannot prove it made.
//
// A test that cannot run here for want of something the machine lacks
// (Ansible, zfs-fuse, /dev/fuse, root) skips with Skip, which also records
// the reason for the summary of "make test"; see Skip.
package simh

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/test/internal/testbin"
)

// Main runs the tests of m, removes the binaries and the Ansible
// collection the harness built for them, and exits with the tests'
// status; call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	removeCollection()
	testbin.Cleanup()
	os.Exit(code)
}

// Bin returns the directory of the built binaries: illumos-sim, zonemgr
// and the module binaries. A build that fails fails the test.
func Bin(t testing.TB) string {
	t.Helper()
	return testbin.Dir(t)
}

// Top returns the repository's top directory.
func Top() string { return testbin.Top() }

// An Option changes how New makes a Sim.
type Option func(*options)

type options struct {
	ansible       bool
	flavor        string
	allowDestroyR bool
}

// Ansible gives the Sim Ansible's environment, the installed collection
// and an inventory (Sim.Inventory); the test skips, through Skip, when
// ansible-playbook, ansible, ansible-doc or ansible-galaxy is missing.
func Ansible() Option { return func(o *options) { o.ansible = true } }

// Flavor makes the sim imitate a given distribution (illumos-sim init
// --flavor), whatever ILLUMOS_SIM_FLAVOR says.
func Flavor(name string) Option { return func(o *options) { o.flavor = name } }

// AllowDestroyDependents leaves out the check, when the test ends, that
// nothing ran zfs destroy or zfs rollback with -R: for tests of the sim's
// own zfs.
func AllowDestroyDependents() Option { return func(o *options) { o.allowDestroyR = true } }

// A Sim is one fresh simulated global zone and the environment to run
// commands in it.
type Sim struct {
	t testing.TB
	// Dir is the Sim's own directory: HOME and the working directory of
	// every command, the parent of Root and Links, and where WriteFile
	// puts a relative name.
	Dir string
	// Root is the sim's state root (ILLUMOS_SIM_ROOT, ZONEMGR_ROOT).
	Root string
	// Links holds the sim's command names: zonecfg, zoneadm, zfs, ...
	Links string
	// Bin is the directory of the built binaries.
	Bin string
	// Env is the environment of every command the Sim runs.
	Env []string
	// Flavor is the distribution the sim imitates (omnios, openindiana).
	Flavor string
	// Inventory is the Ansible inventory file, with the Ansible option.
	Inventory string
}

// New makes a fresh simulated global zone for t, or fails t.
func New(t testing.TB, opts ...Option) *Sim {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	var coll string
	if o.ansible {
		coll = collection(t)
	}
	b := Bin(t)
	dir := t.TempDir()
	s := &Sim{t: t, Dir: dir, Root: filepath.Join(dir, "root"), Links: filepath.Join(dir, "links"), Bin: b}
	initArgs := []string{"init", s.Root}
	if o.flavor != "" {
		initArgs = []string{"init", "--flavor", o.flavor, s.Root}
	}
	for _, args := range [][]string{initArgs, {"links", s.Links}} {
		out, err := exec.Command(filepath.Join(b, "illumos-sim"), args...).CombinedOutput()
		if err != nil {
			t.Fatalf("illumos-sim %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	if !o.allowDestroyR {
		t.Cleanup(func() { CheckNoDestroyDependents(t, s.Root) })
	}
	flavor, err := core.ReadFlavor(s.Root)
	if err != nil {
		t.Fatal(err)
	}
	s.Flavor = string(flavor)
	s.Env = append(baseEnv(),
		"PATH="+s.Links+string(os.PathListSeparator)+os.Getenv("PATH"),
		core.EnvRoot+"="+s.Root,
		"ZONEMGR_ROOT="+s.Root,
		"ELEVATE_CMD=none",
		"HOME="+dir,
	)
	if o.ansible {
		s.Env = append(s.Env, ansibleSettings(dir)...)
		s.Env = append(s.Env, "ANSIBLE_COLLECTIONS_PATH="+coll)
		s.Inventory = s.WriteFile("inventory.ini", "[build_gz]\nlocalhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n")
	}
	return s
}

// baseEnv is the caller's environment without what a Sim decides.
func baseEnv() []string {
	var env []string
	for _, e := range os.Environ() {
		k, _, _ := strings.Cut(e, "=")
		if k == "PATH" || k == "HOME" || strings.HasPrefix(k, "ILLUMOS_SIM_") || strings.HasPrefix(k, "ZONEMGR_") || strings.HasPrefix(k, "ANSIBLE_") {
			continue
		}
		env = append(env, e)
	}
	return env
}

// Getenv returns the value of key in the Sim's environment, or "".
func (s *Sim) Getenv(key string) string {
	v := ""
	for _, e := range s.Env {
		if k, val, ok := strings.Cut(e, "="); ok && k == key {
			v = val
		}
	}
	return v
}

// Setenv sets key to value in the Sim's environment, for every command
// run from now on.
func (s *Sim) Setenv(key, value string) {
	env := s.Env[:0:0]
	for _, e := range s.Env {
		if k, _, _ := strings.Cut(e, "="); k != key {
			env = append(env, e)
		}
	}
	s.Env = append(env, key+"="+value)
}

// WriteFile writes content to path (a relative path is taken in the
// Sim's directory), making its directory, and returns the path; an
// error fails the test.
func (s *Sim) WriteFile(path, content string) string {
	s.t.Helper()
	if !filepath.IsAbs(path) {
		path = filepath.Join(s.Dir, path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		s.t.Fatal(err)
	}
	return path
}
