package illumos

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// ErrNotScripted is returned by a Script for a command it has no answer
// for. A Script's Responder returns it (or wraps it) to decline a command.
var ErrNotScripted = errors.New("command not scripted")

// A Step is one expected command of a Script and its canned outcome.
type Step struct {
	Argv   []string
	Result Result
	// Err, when set, is returned as is. Otherwise a Result with a
	// non-zero ExitCode yields a *CommandError, as from Exec.
	Err error
}

// A Script is the fake Runner of zonemgr's unit tests: it expects an
// exact sequence of commands (argv compared element by element, in
// order) and answers each with its canned Result. A Responder, when set,
// answers the read-only commands (see IsMutating) that are not the next
// expected step, in any order, so a test can script the changes exactly
// and serve the reads from a table; a Changer, when set, does the same
// for the mutating ones, for a test that pins what changes but not in
// which order (or makes one command fail). Every command run is recorded
// (Calls, Changes). Unexpected and missing commands are collected in
// Errors and reported by Check. It is safe for concurrent use.
type Script struct {
	// Responder answers read-only commands off the sequence; it returns
	// an error wrapping ErrNotScripted to decline one.
	Responder func(argv []string) (Result, error)
	// Changer answers mutating commands off the sequence; it returns an
	// error wrapping ErrNotScripted to decline one.
	Changer func(argv []string) (Result, error)

	mu    sync.Mutex
	steps []Step
	next  int
	calls []Cmd
	errs  []string
}

// NewScript returns a Script expecting steps in order.
func NewScript(steps ...Step) *Script {
	return &Script{steps: steps}
}

// Expect appends an expected command answered by res (ExitCode 0 and the
// given output for a success).
func (s *Script) Expect(argv []string, res Result) *Script {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.steps = append(s.steps, Step{Argv: argv, Result: res})
	return s
}

// ExpectErr appends an expected command answered by err.
func (s *Script) ExpectErr(argv []string, err error) *Script {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.steps = append(s.steps, Step{Argv: argv, Result: Result{ExitCode: -1}, Err: err})
	return s
}

// Run answers c from the next expected step, or else the Responder (a
// read-only command) or the Changer (a mutating one).
func (s *Script) Run(_ context.Context, c Cmd) (Result, error) {
	s.mu.Lock()
	n := len(s.calls) + 1
	s.calls = append(s.calls, c)
	var step *Step
	if s.next < len(s.steps) && slices.Equal(s.steps[s.next].Argv, c.Argv) {
		step = &s.steps[s.next]
		s.next++
	}
	handler := s.Responder
	if IsMutating(c.Argv) {
		handler = s.Changer
	}
	s.mu.Unlock()

	if step != nil {
		return answer(c, step.Result, step.Err)
	}
	if handler != nil {
		res, err := handler(c.Argv)
		if !errors.Is(err, ErrNotScripted) {
			if err != nil {
				return res, err
			}
			return answer(c, res, nil)
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	msg := fmt.Sprintf("call %d: unexpected command\n\tgot:  %s", n, QuoteArgv(c.Argv))
	if s.next < len(s.steps) {
		msg += "\n\twant: " + QuoteArgv(s.steps[s.next].Argv)
	} else {
		msg += "\n\twant: no more commands"
	}
	s.errs = append(s.errs, msg)
	return Result{ExitCode: -1}, fmt.Errorf("%s: %w", c, ErrNotScripted)
}

// answer returns a canned result, copying its output to the command's live
// writers and turning a non-zero exit status into a *CommandError.
func answer(c Cmd, res Result, err error) (Result, error) {
	if c.Stdout != nil && len(res.Stdout) > 0 {
		_, _ = c.Stdout.Write(res.Stdout)
	}
	if c.Stderr != nil && len(res.Stderr) > 0 {
		_, _ = c.Stderr.Write(res.Stderr)
	}
	if err != nil {
		return res, err
	}
	if res.ExitCode != 0 {
		return res, &CommandError{Cmd: c, ExitCode: res.ExitCode, Stderr: strings.TrimSpace(string(res.Stderr)), Stdout: tailString(res.Stdout, stderrInError)}
	}
	return res, nil
}

// Calls returns every command run so far, in order.
func (s *Script) Calls() []Cmd {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// Changes returns the mutating commands run so far (see IsMutating), in
// order.
func (s *Script) Changes() []Cmd {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Cmd
	for _, c := range s.calls {
		if IsMutating(c.Argv) {
			out = append(out, c)
		}
	}
	return out
}

// Errors returns the unexpected commands seen and the expected commands
// not (yet) run.
func (s *Script) Errors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	errs := slices.Clone(s.errs)
	for i := s.next; i < len(s.steps); i++ {
		errs = append(errs, fmt.Sprintf("step %d: expected command not run: %s", i+1, QuoteArgv(s.steps[i].Argv)))
	}
	return errs
}

// A TestReporter is the part of testing.TB that Check uses.
type TestReporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// Check reports every entry of Errors to t.
func (s *Script) Check(t TestReporter) {
	t.Helper()
	for _, e := range s.Errors() {
		t.Errorf("illumos.Script: %s", e)
	}
}
