package zfs_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// A step is one command a fakeRunner expects, and what it answers.
type step struct {
	argv   []string
	stdout string
	stderr string
	exit   int
}

// A fakeRunner expects an exact sequence of commands and answers each
// with canned output; a non-zero exit answers with a *CommandError, as
// the real runner does.
type fakeRunner struct {
	t     *testing.T
	steps []step
	ran   [][]string
}

func newFake(t *testing.T, steps ...step) *fakeRunner {
	t.Helper()
	f := &fakeRunner{t: t, steps: steps}
	t.Cleanup(func() {
		if n := len(f.ran); n < len(f.steps) {
			t.Errorf("%d expected commands were not run, first: %s", len(f.steps)-n, illumos.QuoteArgv(f.steps[n].argv))
		}
	})
	return f
}

func (f *fakeRunner) Run(_ context.Context, c illumos.Cmd) (illumos.Result, error) {
	f.t.Helper()
	i := len(f.ran)
	f.ran = append(f.ran, c.Argv)
	if i >= len(f.steps) {
		f.t.Errorf("unexpected command %d: %s", i+1, illumos.QuoteArgv(c.Argv))
		return illumos.Result{ExitCode: -1}, fmt.Errorf("unexpected command %s", c)
	}
	s := f.steps[i]
	if !slices.Equal(s.argv, c.Argv) {
		f.t.Errorf("command %d:\n got  %s\n want %s", i+1, illumos.QuoteArgv(c.Argv), illumos.QuoteArgv(s.argv))
		return illumos.Result{ExitCode: -1}, fmt.Errorf("unexpected command %s", c)
	}
	res := illumos.Result{Stdout: []byte(s.stdout), Stderr: []byte(s.stderr), ExitCode: s.exit}
	if s.exit != 0 {
		return res, &illumos.CommandError{Cmd: c, ExitCode: s.exit, Stderr: strings.TrimSpace(s.stderr)}
	}
	return res, nil
}

// argv splits a command line on spaces, for writing expectations
// compactly; no test argument contains a space.
func argv(s string) []string { return strings.Fields(s) }
