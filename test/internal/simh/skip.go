package simh

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The suite report. "make test" runs each suite through .ci/suite, which
// sets EnvSuite to the suite's name and EnvSuiteDir to a directory shared
// by the suites of the run; Skip appends one line, "TEST: REASON", to
// EnvSuiteDir/EnvSuite.skipped. At the end of the run .ci/suite summary
// says which suites passed, failed or were skipped, and why; with CI=true
// a suite that skipped anything fails the run. A suite that is no Go
// test (a script) records a skip with ".ci/suite skip REASON". Outside
// "make test" (EnvSuiteDir unset) Skip only skips.
const (
	EnvSuite    = "ZONEMGR_SUITE"
	EnvSuiteDir = "ZONEMGR_SUITE_DIR"
)

// Skip skips t because this machine lacks something the test needs (a
// package, a device, root), saying what in reason, and records the
// reason in the suite report. A skip by design (testing.Short, a test for
// another target) is t.Skip's, not Skip's.
func Skip(t testing.TB, reason string) {
	t.Helper()
	if err := recordSkip(t.Name(), reason); err != nil {
		t.Errorf("record the skip in the suite report: %v", err)
	}
	t.Skip(reason)
}

// Skipf is Skip with a formatted reason.
func Skipf(t testing.TB, format string, args ...any) {
	t.Helper()
	Skip(t, fmt.Sprintf(format, args...))
}

// recordSkip appends "TEST: REASON" (on one line, at most 300 bytes of
// reason) to the suite's file of skips, when there is a suite report.
func recordSkip(test, reason string) error {
	dir, suite := os.Getenv(EnvSuiteDir), os.Getenv(EnvSuite)
	if dir == "" || suite == "" {
		return nil
	}
	reason = strings.Join(strings.Fields(reason), " ")
	if len(reason) > 300 {
		reason = reason[:300] + "..."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, suite+".skipped"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	// One write of one line: the test binaries of a suite's packages
	// append to the same file at once.
	_, err = f.WriteString(test + ": " + reason + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Note records a line of a suite's own figures (the differential suite's
// counts, say) that .ci/suite summary prints under the suite's result, in
// EnvSuiteDir/EnvSuite.note. Outside "make test" it does nothing.
func Note(line string) error {
	dir, suite := os.Getenv(EnvSuiteDir), os.Getenv(EnvSuite)
	if dir == "" || suite == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, suite+".note"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(strings.Join(strings.Fields(line), " ") + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
