// Package integration runs the built binaries (bin/) against the simulated
// global zone: a fresh sim root per test, the sim's tool links first on
// PATH, and assertions on results, on the sim's command log and on the
// sim's whole state.
package integration

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/test/internal/simstate"
	"github.com/zonemgr/zonemgr/test/internal/testbin"
)

// TestMain removes the binaries the tests built, if they built them.
func TestMain(m *testing.M) {
	code := m.Run()
	testbin.Cleanup()
	os.Exit(code)
}

// bin returns the directory of the built binaries.
func bin(t testing.TB) string { return testbin.Dir(t) }

// A Sim is one fresh simulated global zone.
type Sim struct {
	t     testing.TB
	Root  string
	Links string // the sim's command names
	Bin   string // the built binaries
	Env   []string
	// bystander is a run in flight that a test keeps going (crashSim).
	bystander    *exec.Cmd
	bystanderOut *syncBuffer
}

// NewSim creates a sim root with its tool links first on PATH.
func NewSim(t testing.TB) *Sim {
	t.Helper()
	b := bin(t)
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	links := filepath.Join(dir, "links")
	// Whatever a test does, zonemgr never ran zfs destroy -R in its sim.
	t.Cleanup(func() { noDestroyDependents(t, root) })
	for _, args := range [][]string{{"init", root}, {"links", links}} {
		out, err := exec.Command(filepath.Join(b, "illumos-sim"), args...).CombinedOutput()
		if err != nil {
			t.Fatalf("illumos-sim %v: %v\n%s", args, err, out)
		}
	}
	env := []string{}
	for _, e := range os.Environ() {
		if strings.HasPrefix(e, "PATH=") || strings.HasPrefix(e, "ILLUMOS_SIM_") || strings.HasPrefix(e, "ZONEMGR_") {
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
	)
	return &Sim{t: t, Root: root, Links: links, Bin: b, Env: env}
}

// Run runs a command with the sim's environment plus extra entries.
func (s *Sim) Run(extraEnv []string, name string, args ...string) (stdout, stderr string, code int) {
	s.t.Helper()
	path := name
	if !strings.Contains(name, "/") {
		for _, dir := range []string{s.Links, bin(s.t)} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				path = filepath.Join(dir, name)
				break
			}
		}
	}
	cmd := exec.Command(path, args...)
	cmd.Env = append(append([]string{}, s.Env...), extraEnv...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code = 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			s.t.Fatalf("%s %v: %v", name, args, err)
		}
		code = ee.ExitCode()
	}
	return o.String(), e.String(), code
}

// MustRun runs a command in the simulated global zone and fails the test
// when it exits non-zero.
func (s *Sim) MustRun(name string, args ...string) string {
	s.t.Helper()
	out, errOut, code := s.Run(nil, name, args...)
	if code != 0 {
		s.t.Fatalf("%s %s: exit %d: %s", name, strings.Join(args, " "), code, errOut)
	}
	return out
}

// Module runs a module binary with an args file and returns its result.
func (s *Sim) Module(name string, args map[string]any, extraEnv ...string) map[string]any {
	s.t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		s.t.Fatal(err)
	}
	f := filepath.Join(s.t.TempDir(), "args")
	if err := os.WriteFile(f, b, 0o600); err != nil {
		s.t.Fatal(err)
	}
	stdout, stderr, code := s.Run(extraEnv, name, f)
	var res map[string]any
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		s.t.Fatalf("%s: stdout is not one JSON object: %v\nstdout: %s\nstderr: %s", name, err, stdout, stderr)
	}
	failed, _ := res["failed"].(bool)
	if failed != (code != 0) {
		s.t.Errorf("%s: failed=%v but exit code %d", name, failed, code)
	}
	return res
}

// MustModule runs a module and fails the test when the module failed.
func (s *Sim) MustModule(name string, args map[string]any) map[string]any {
	s.t.Helper()
	res := s.Module(name, args)
	if f, _ := res["failed"].(bool); f {
		s.t.Fatalf("%s failed: %v\n%s", name, res["msg"], pretty(res))
	}
	return res
}

func pretty(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// Log returns the sim's command log.
func (s *Sim) Log() []core.LogEntry {
	s.t.Helper()
	l, err := core.ReadLog(s.Root)
	if err != nil {
		s.t.Fatal(err)
	}
	return l
}

// State captures everything the sim knows, as text (see
// simstate.Capture): two equal states mean nothing was left behind.
func (s *Sim) State() string {
	s.t.Helper()
	st, err := simstate.Capture(filepath.Join(s.Bin, "illumos-sim"), s.Root)
	if err != nil {
		s.t.Fatal(err)
	}
	return st
}

// Mutating returns the mutating commands in a slice of the log.
func Mutating(entries []core.LogEntry) []string {
	var out []string
	for _, e := range entries {
		if e.Mutating {
			out = append(out, strings.Join(e.Argv, " "))
		}
	}
	return out
}
