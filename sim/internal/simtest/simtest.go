// Package simtest runs the simulator's commands for the tests of the sim
// packages: it builds illumos-sim once per test binary, links the tool
// names to it, and runs them against fresh simulated global zones.
package simtest

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

// bin is the directory holding the sim binary and its command links,
// built by Main.
var bin string

// Tools are the command names linked to the sim binary.
var Tools = []string{"zonecfg", "zoneadm", "zlogin", "zfs", "zpool", "pkg", "dladm", "pfexec", "svcs", "svcadm"}

// Main builds the sim, runs the tests and exits with their status; call
// it from TestMain.
func Main(m *testing.M) {
	dir, err := os.MkdirTemp("", "simtest")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := build(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	bin = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// build builds illumos-sim into dir and links the tool names to it.
func build(dir string) error {
	_, file, _, _ := runtime.Caller(0)
	simDir := filepath.Join(filepath.Dir(file), "..", "..")
	exe := filepath.Join(dir, "illumos-sim")
	var out bytes.Buffer
	cmd := exec.Command("go", "build", "-o", exe, "./cmd/illumos-sim")
	cmd.Dir, cmd.Stdout, cmd.Stderr = simDir, &out, &out
	// Static, as the sim installs itself into zone roots that run chrooted.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("build illumos-sim: %v\n%s", err, out.String())
	}
	for _, t := range Tools {
		if err := os.Symlink(exe, filepath.Join(dir, t)); err != nil {
			return fmt.Errorf("link %s: %w", t, err)
		}
	}
	return nil
}

// A Sim is one fresh simulated global zone.
type Sim struct {
	T    *testing.T
	Root string
}

// New initializes a sim root in a temporary directory.
func New(t *testing.T) *Sim {
	t.Helper()
	if bin == "" {
		t.Fatal("simtest: the sim is not built: call simtest.Main from TestMain")
	}
	root := t.TempDir()
	out, err := exec.Command(filepath.Join(bin, "illumos-sim"), "init", root).CombinedOutput()
	if err != nil {
		t.Fatalf("illumos-sim init: %v\n%s", err, out)
	}
	return &Sim{T: t, Root: root}
}

// A Result is what one command printed and returned.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Run runs a sim tool with extra environment variables ("K=V").
func (s *Sim) Run(env []string, tool string, args ...string) Result {
	s.T.Helper()
	return s.Pipe(nil, env, tool, args...)
}

// Pipe is Run with stdin on the tool's standard input.
func (s *Sim) Pipe(stdin []byte, env []string, tool string, args ...string) Result {
	s.T.Helper()
	cmd := exec.Command(filepath.Join(bin, tool), args...)
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Env = append(os.Environ(),
		core.EnvRoot+"="+s.Root,
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
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
		s.T.Fatalf("run %s %v: %v", tool, args, err)
	}
	return Result{Stdout: stdout.String(), Stderr: stderr.String(), Code: code}
}

// OK runs a command as root that must succeed and returns its stdout.
func (s *Sim) OK(tool string, args ...string) string {
	s.T.Helper()
	r := s.Run(nil, tool, args...)
	if r.Code != 0 {
		s.T.Fatalf("%s %s: exit %d\nstdout:\n%s\nstderr:\n%s", tool, strings.Join(args, " "), r.Code, r.Stdout, r.Stderr)
	}
	return r.Stdout
}

// Path maps a global-zone path into the sim root.
func (s *Sim) Path(p string) string { return filepath.Join(s.Root, filepath.Clean("/"+p)) }

// Check compares a result with the expected output and exit code.
func Check(t *testing.T, what string, got Result, wantOut, wantErr string, wantCode int) {
	t.Helper()
	if got.Stdout != wantOut || got.Stderr != wantErr || got.Code != wantCode {
		t.Errorf("%s:\ngot  exit %d\nstdout:\n%q\nstderr:\n%q\nwant exit %d\nstdout:\n%q\nstderr:\n%q",
			what, got.Code, got.Stdout, got.Stderr, wantCode, wantOut, wantErr)
	}
}

// Bin returns the directory of the sim binary and its command links.
func Bin() string { return bin }
