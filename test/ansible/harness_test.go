// Package ansibletest runs the illumos.zonemgr collection and the playbooks
// of playbooks/ with the real ansible-playbook, ansible and ansible-doc
// (Debian's ansible-core) against the simulated global zone. Every test
// gets a fresh sim made with simh.Ansible(): the collection of collection/
// with the Linux module binaries, packed with ansible-galaxy collection
// build and installed with ansible-galaxy collection install as users
// install the illumos build, and an inventory whose group build_gz is
// localhost on the local connection. The tests skip when ansible-playbook
// is not installed.
package ansibletest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/test/internal/simh"
)

// TestMain removes the binaries and the collection the tests built.
func TestMain(m *testing.M) { simh.Main(m) }

// top is the repository's top directory.
func top() string { return simh.Top() }

// needAnsible skips the test when Ansible is not installed.
func needAnsible(t testing.TB) { simh.RequireAnsible(t) }

// moduleNames lists the module binaries' names, sorted.
func moduleNames() []string { return simh.ModuleNames() }

// A Sim is one fresh simulated global zone with Ansible's environment and
// an inventory (simh.Sim made with simh.Ansible()).
type Sim struct {
	*simh.Sim
	t testing.TB
}

// NewSim creates a sim with Ansible's environment and the inventory.
func NewSim(t testing.TB) *Sim {
	t.Helper()
	return &Sim{Sim: simh.New(t, simh.Ansible()), t: t}
}

// Output runs a command with the sim's environment and returns its
// standard output and standard error apart, failing the test unless it
// exits 0.
func (s *Sim) Output(name string, args ...string) (stdout, stderr string) {
	s.t.Helper()
	r := s.Exec(nil, name, args...)
	if r.Code != 0 {
		s.t.Fatalf("%s %s: exit %d\n%s%s", name, strings.Join(args, " "), r.Code, r.Stdout, r.Stderr)
	}
	return r.Stdout, r.Stderr
}

// Playbook runs ansible-playbook on the inventory with a playbook of
// playbooks/ (a bare file name) or any other path, its standard output
// and standard error together, and checks that the output carries
// neither a module failure, a Python traceback, a warning nor an error.
func (s *Sim) Playbook(playbook string, args ...string) *Run {
	s.t.Helper()
	if !strings.Contains(playbook, "/") {
		playbook = filepath.Join(top(), "playbooks", playbook)
	}
	out, code := s.Combined("ansible-playbook", append([]string{"-i", s.Inventory, playbook}, args...)...)
	for _, bad := range []string{"MODULE FAILURE", "Traceback", "[WARNING]", "[ERROR]"} {
		if strings.Contains(out, bad) {
			s.t.Errorf("ansible-playbook %s %v: the output has %q:\n%s", filepath.Base(playbook), args, bad, out)
		}
	}
	return &Run{Out: out, Code: code, Recap: simh.LocalRecap(out)}
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
type Recap = simh.Recap

// Recaps reads every host's line of the PLAY RECAP.
func Recaps(out string) map[string]Recap { return simh.Recaps(out) }

// Golden creates the golden zone "golden" with the build user jenkins
// and GNU make, the disposable-zone container (by creating and
// destroying a first disposable zone, so that a later comparison of
// states sees only what a build leaves), and the global-zone source
// directory /export/src that the playbooks mount by lofs.
func (s *Sim) Golden() {
	s.t.Helper()
	s.MustModule("zone_giz", map[string]any{
		"name": "golden", "add_packages": []string{"developer/build/gnu-make"},
		"copy_users": []string{"jenkins"}, "copy_groups": []string{"jenkins"}, "elevate_users": []string{"jenkins"},
	})
	s.MustModule("zone_diz", map[string]any{"name": "first", "giz": "golden"})
	s.MustModule("zone_diz", map[string]any{"name": "first", "state": "absent"})
	if err := os.MkdirAll(filepath.Join(s.Root, "export", "src"), 0o755); err != nil {
		s.t.Fatal(err)
	}
}

// diffLines shows the lines only in a and only in b.
func diffLines(a, b string) string { return simh.DiffLines(a, b) }
