package zones

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
)

// The integration tests run the real illumos-sim binary, built once per
// test run, against a fresh simulated global zone per test.

var simBin string // directory holding illumos-sim and its command links

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "zones-sim-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "illumos-sim")
	// A static binary, so the copy installed into zone roots runs
	// chrooted.
	build := exec.Command("go", "build", "-o", bin, "../cmd/illumos-sim")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build illumos-sim: %v\n%s", err, out)
		return 1
	}
	links := filepath.Join(dir, "links")
	if out, err := exec.Command(bin, "links", links).CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "illumos-sim links: %v\n%s", err, out)
		return 1
	}
	simBin = links
	return m.Run()
}

// A sim is one simulated global zone under a temporary root.
type sim struct {
	t    *testing.T
	root string
	env  []string // extra environment for every command
}

// newSim creates a fresh global zone of the default flavour.
func newSim(t *testing.T) *sim {
	t.Helper()
	return newSimArgs(t, "init")
}

// newSimFlavor creates a fresh global zone of a flavour.
func newSimFlavor(t *testing.T, f core.Flavor) *sim {
	t.Helper()
	return newSimArgs(t, "init", "--flavor", string(f))
}

// newSimArgs runs "illumos-sim ARGS... ROOT" on a fresh root.
func newSimArgs(t *testing.T, args ...string) *sim {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("zone roots need root to chroot into")
	}
	root := filepath.Join(t.TempDir(), "root")
	out, err := exec.Command(filepath.Join(simBin, "..", "illumos-sim"), append(args, root)...).CombinedOutput()
	if err != nil {
		t.Fatalf("illumos-sim %v: %v\n%s", args, err, out)
	}
	return &sim{t: t, root: root}
}

// A result is one command's outcome.
type result struct {
	stdout, stderr string
	code           int
}

// run runs a sim command with extra environment entries.
func (s *sim) runEnv(env []string, stdin string, argv ...string) result {
	s.t.Helper()
	cmd := exec.Command(filepath.Join(simBin, argv[0]), argv[1:]...)
	base := []string{"ILLUMOS_SIM_ROOT=" + s.root, "PATH=" + simBin + ":/usr/bin:/bin"}
	cmd.Env = append(append(base, s.env...), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	cmd.Stdin = strings.NewReader(stdin)
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		s.t.Fatalf("%v: %v", argv, err)
	}
	return result{o.String(), e.String(), code}
}

func (s *sim) run(argv ...string) result {
	s.t.Helper()
	return s.runEnv(nil, "", argv...)
}

// must runs a command that has to succeed.
func (s *sim) must(argv ...string) string {
	s.t.Helper()
	r := s.run(argv...)
	if r.code != 0 {
		s.t.Fatalf("%v: exit %d\nstdout:\n%s\nstderr:\n%s", argv, r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// configure creates a zone with zonecfg -f from a script.
func (s *sim) configure(zone, script string) {
	s.t.Helper()
	f := filepath.Join(s.t.TempDir(), zone+".cfg")
	if err := os.WriteFile(f, []byte(script), 0o644); err != nil {
		s.t.Fatal(err)
	}
	s.must("zonecfg", "-z", zone, "-f", f)
}

// basicConfig is an ipkg zone under /zones with exclusive IP and no net.
func basicConfig(zone string) string {
	return fmt.Sprintf("create -b\nset zonepath=/zones/%s\nset brand=ipkg\nset ip-type=exclusive\ncommit\n", zone)
}

// installed configures and installs a zone.
func (s *sim) installed(zone string) {
	s.t.Helper()
	s.configure(zone, basicConfig(zone))
	s.must("zoneadm", "-z", zone, "install")
}

// running configures, installs and boots a zone.
func (s *sim) running(zone string) {
	s.t.Helper()
	s.installed(zone)
	s.must("zoneadm", "-z", zone, "boot")
}

// addBuilder adds the user builder (uid 1003, group staff) with a home
// directory to a zone's own passwd file.
func addBuilder(t *testing.T, s *sim, zone string) {
	t.Helper()
	root := filepath.Join(s.root, "zones", zone, "root")
	appendFile(t, filepath.Join(root, "etc/passwd"), "builder:x:1003:10:Builder:/export/home/builder:/bin/sh\n")
	os.MkdirAll(filepath.Join(root, "export/home/builder"), 0o755)
}

// A loginCase is one command run in a zone with zlogin and its wanted
// outcome.
type loginCase struct {
	name, cmd, stdout, stderr string
	code                      int
}

// checkLogins runs each case's command as "zlogin ARGS... CMD" and checks
// its outputs and exit code.
func (s *sim) checkLogins(tests []loginCase, args ...string) {
	s.t.Helper()
	for _, tt := range tests {
		argv := append(append([]string{"zlogin"}, args...), tt.cmd)
		check(s.t, tt.name, s.run(argv...), tt.stdout, tt.stderr, tt.code)
	}
}

// uuidOf returns a zone's uuid from the index.
func (s *sim) uuidOf(zone string) string {
	s.t.Helper()
	ix, err := ReadIndex(s.root)
	if err != nil {
		s.t.Fatal(err)
	}
	e, ok := ix.Lookup(zone)
	if !ok {
		s.t.Fatalf("zone %s not in index", zone)
	}
	return e.UUID
}

// check compares a result with the wanted outputs and exit code.
func check(t *testing.T, name string, r result, stdout, stderr string, code int) {
	t.Helper()
	if r.stdout != stdout || r.stderr != stderr || r.code != code {
		t.Errorf("%s:\n got exit %d stdout %q stderr %q\nwant exit %d stdout %q stderr %q",
			name, r.code, r.stdout, r.stderr, code, stdout, stderr)
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
