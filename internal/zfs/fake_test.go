package zfs_test

import (
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// A step is one command a test expects, and what it answers.
type step struct {
	argv   []string
	stdout string
	stderr string
	exit   int
}

// newFake returns zonemgr's fake runner, an illumos.Script, expecting
// steps in order; the test fails at its end on any unexpected command or
// expected command not run.
func newFake(t *testing.T, steps ...step) *illumos.Script {
	t.Helper()
	s := illumos.NewScript()
	for _, st := range steps {
		s.Expect(st.argv, illumos.Result{Stdout: []byte(st.stdout), Stderr: []byte(st.stderr), ExitCode: st.exit})
	}
	t.Cleanup(func() { s.Check(t) })
	return s
}

// argv splits a command line on spaces, for writing expectations
// compactly; no test argument contains a space.
func argv(s string) []string { return strings.Fields(s) }
