package simh

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// A Result is what one command printed and its exit code.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Path returns the file a command name runs: a name with a slash as it
// is, else the sim's tool of that name, else the built binary, else the
// name itself (found on the test's PATH when run).
func (s *Sim) Path(name string) string {
	if strings.Contains(name, "/") {
		return name
	}
	for _, dir := range []string{s.Links, s.Bin} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && !fi.IsDir() {
			return filepath.Join(dir, name)
		}
	}
	return name
}

// Command prepares a command with the Sim's environment plus extraEnv,
// in the Sim's directory, its output not yet set: for a test that starts
// a command and acts while it runs.
func (s *Sim) Command(extraEnv []string, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(s.Path(name), args...)
	cmd.Env = append(append([]string{}, s.Env...), extraEnv...)
	cmd.Dir = s.Dir
	return cmd
}

// Exec runs a command with the Sim's environment plus extraEnv and
// returns what it printed and its exit code. A command that cannot be
// started fails the test.
func (s *Sim) Exec(extraEnv []string, name string, args ...string) Result {
	s.t.Helper()
	cmd := s.Command(extraEnv, name, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	code := s.wait(cmd.Run(), name, args)
	return Result{Stdout: o.String(), Stderr: e.String(), Code: code}
}

// Run is Exec with the result taken apart.
func (s *Sim) Run(extraEnv []string, name string, args ...string) (stdout, stderr string, code int) {
	s.t.Helper()
	r := s.Exec(extraEnv, name, args...)
	return r.Stdout, r.Stderr, r.Code
}

// Combined runs a command with the Sim's environment, its standard
// output and standard error on one pipe, and returns what it printed, in
// the order it printed it, and its exit code.
func (s *Sim) Combined(name string, args ...string) (string, int) {
	s.t.Helper()
	cmd := s.Command(nil, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	code := s.wait(cmd.Run(), name, args)
	return out.String(), code
}

// wait turns a command's error into its exit code; any other error
// fails the test.
func (s *Sim) wait(err error, name string, args []string) int {
	s.t.Helper()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	s.t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	return -1
}

// MustRun runs a command and returns its standard output, failing the
// test unless it exits 0.
func (s *Sim) MustRun(name string, args ...string) string {
	s.t.Helper()
	r := s.Exec(nil, name, args...)
	if r.Code != 0 {
		s.t.Fatalf("%s %s: exit %d\n%s%s", name, strings.Join(args, " "), r.Code, r.Stdout, r.Stderr)
	}
	return r.Stdout
}

// Zonemgr runs zonemgr with args.
func (s *Sim) Zonemgr(args ...string) Result {
	s.t.Helper()
	return s.Exec(nil, "zonemgr", args...)
}

// Play runs "zonemgr play TASKFILE ARGS..." (a relative TASKFILE is the
// test's, taken from its working directory).
func (s *Sim) Play(taskfile string, args ...string) Result {
	s.t.Helper()
	return s.Exec(nil, "zonemgr", append([]string{"play", s.abs(taskfile)}, args...)...)
}

// abs makes a path given by the test absolute, since commands run in the
// Sim's directory.
func (s *Sim) abs(path string) string {
	p, err := filepath.Abs(path)
	if err != nil {
		s.t.Fatal(err)
	}
	return p
}

// Module runs a module binary as Ansible does, with the JSON args file
// its only argument, and returns the one JSON object it printed; the test
// fails when the output is not one JSON object, and records an error when
// the result's "failed" and the exit code disagree.
func (s *Sim) Module(name string, args map[string]any, extraEnv ...string) map[string]any {
	s.t.Helper()
	res, _ := s.module(name, args, extraEnv)
	return res
}

// MustModule is Module that fails the test when the module failed, exited
// non-zero or wrote to standard error.
func (s *Sim) MustModule(name string, args map[string]any, extraEnv ...string) map[string]any {
	s.t.Helper()
	res, r := s.module(name, args, extraEnv)
	if f, _ := res["failed"].(bool); f || r.Code != 0 {
		s.t.Fatalf("%s failed (exit %d): %v\n%s", name, r.Code, res["msg"], Pretty(res))
	}
	if r.Stderr != "" {
		s.t.Errorf("%s wrote to standard error: %s", name, r.Stderr)
	}
	return res
}

func (s *Sim) module(name string, args map[string]any, extraEnv []string) (map[string]any, Result) {
	s.t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		s.t.Fatal(err)
	}
	f, err := os.CreateTemp(s.Dir, "args-*.json")
	if err != nil {
		s.t.Fatal(err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		s.t.Fatal(err)
	}
	r := s.Exec(extraEnv, name, f.Name())
	var res map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &res); err != nil {
		s.t.Fatalf("%s %s: stdout is not one JSON object: %v\nstdout: %s\nstderr: %s", name, b, err, r.Stdout, r.Stderr)
	}
	if failed, _ := res["failed"].(bool); failed != (r.Code != 0) {
		s.t.Errorf("%s: failed=%v but exit code %d", name, res["failed"], r.Code)
	}
	return res, r
}

// Pretty renders a value as indented JSON, for messages.
func Pretty(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}
