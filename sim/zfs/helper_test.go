package zfs_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
)

// simBin is the directory holding the sim binary and its command links,
// built once by TestMain.
var simBin string

// simTools are the command names the tests run.
var simTools = []string{"zfs", "zpool", "dladm", "pkg", "pfexec"}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "simtest")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := buildSim(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	simBin = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildSim builds the full illumos-sim into dir, or, when it does not
// compile (sim/zones is another engineer's work in progress), the reduced
// sim of sim/zfs/testdata/simmain, and links the tool names to it.
func buildSim(dir string) error {
	_, file, _, _ := runtime.Caller(0)
	simDir := filepath.Dir(filepath.Dir(file))
	bin := filepath.Join(dir, "illumos-sim")
	var full, reduced bytes.Buffer
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/illumos-sim")
	cmd.Dir, cmd.Stderr = simDir, &full
	if err := cmd.Run(); err != nil {
		cmd = exec.Command("go", "build", "-o", bin, "./zfs/testdata/simmain")
		cmd.Dir, cmd.Stderr = simDir, &reduced
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build sim: %v\n%s%s", err, full.String(), reduced.String())
		}
	}
	for _, t := range simTools {
		if err := os.Symlink(bin, filepath.Join(dir, t)); err != nil {
			return err
		}
	}
	return nil
}

// A sim is one fresh simulated global zone.
type sim struct {
	t    *testing.T
	root string
}

// newSim initializes a sim root in a temporary directory.
func newSim(t *testing.T) *sim {
	t.Helper()
	root := t.TempDir()
	out, err := exec.Command(filepath.Join(simBin, "illumos-sim"), "init", root).CombinedOutput()
	if err != nil {
		t.Fatalf("illumos-sim init: %v\n%s", err, out)
	}
	return &sim{t: t, root: root}
}

// A result is what one command printed and returned.
type result struct {
	stdout, stderr string
	code           int
}

// run runs a sim tool with extra environment variables ("K=V").
func (s *sim) run(env []string, tool string, args ...string) result {
	s.t.Helper()
	cmd := exec.Command(filepath.Join(simBin, tool), args...)
	cmd.Env = append(os.Environ(),
		core.EnvRoot+"="+s.root,
		"PATH="+simBin+string(os.PathListSeparator)+os.Getenv("PATH"),
	)
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		s.t.Fatalf("run %s %v: %v", tool, args, err)
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// ok runs a command as root that must succeed and returns its stdout.
func (s *sim) ok(tool string, args ...string) string {
	s.t.Helper()
	r := s.run(nil, tool, args...)
	if r.code != 0 {
		s.t.Fatalf("%s %s: exit %d\nstdout:\n%s\nstderr:\n%s", tool, strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// path maps a global-zone path into the sim root.
func (s *sim) path(p string) string { return filepath.Join(s.root, filepath.Clean("/"+p)) }

// check compares a result with the expected output and exit code.
func check(t *testing.T, what string, got result, wantOut, wantErr string, wantCode int) {
	t.Helper()
	if got.stdout != wantOut || got.stderr != wantErr || got.code != wantCode {
		t.Errorf("%s:\ngot  exit %d\nstdout:\n%q\nstderr:\n%q\nwant exit %d\nstdout:\n%q\nstderr:\n%q",
			what, got.code, got.stdout, got.stderr, wantCode, wantOut, wantErr)
	}
}
