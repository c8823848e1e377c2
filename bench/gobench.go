package main

import (
	"fmt"
	"os/exec"
	"strings"
)

// goBenchPackages hold the parser and argument-spec benchmarks.
var goBenchPackages = []string{"./internal/illumos", "./internal/zfs", "./internal/ansible"}

// goBenchArgs is the go test command line of the micro-benchmarks.
func goBenchArgs() []string {
	return append([]string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-benchtime", "100ms", "-count", "3"}, goBenchPackages...)
}

// runGoBench runs the parser and argument-spec benchmarks in the module
// at dir and returns their result lines.
func runGoBench(dir string) (string, error) {
	cmd := exec.Command("go", goBenchArgs()...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go %s: %v\n%s", strings.Join(goBenchArgs(), " "), err, out)
	}
	var lines []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "Benchmark") || strings.HasPrefix(line, "pkg: ") {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n"), nil
}

// crashMatrixArgs is the go test command line of the crash matrix.
func crashMatrixArgs() []string {
	return []string{"test", "-count", "1", "-run", "^TestCrashMatrix$", "-v", "./test/integration/"}
}

// A crashMatrix is what one run of the crash matrix reported.
type crashMatrix struct {
	line    string // "crash matrix: N operations, M crash points (...)"
	elapsed string // go test's time for the package
	failed  bool
}

// runCrashMatrix runs the crash matrix (test/integration) in the module
// at dir against the binaries in bin, and returns its size and time.
func runCrashMatrix(dir, bin string) (crashMatrix, error) {
	cmd := exec.Command("go", crashMatrixArgs()...)
	cmd.Dir = dir
	cmd.Env = append(cmd.Environ(), "ZONEMGR_BIN="+bin)
	out, err := cmd.CombinedOutput()
	var m crashMatrix
	for _, line := range strings.Split(string(out), "\n") {
		if i := strings.Index(line, "crash matrix: "); i >= 0 {
			m.line = strings.TrimSpace(line[i:])
		}
		if f := strings.Fields(line); len(f) == 3 && (f[0] == "ok" || f[0] == "FAIL") && strings.HasSuffix(f[1], "/test/integration") {
			m.elapsed = f[2]
		}
	}
	if m.line == "" {
		return m, fmt.Errorf("go %s: %v: no crash matrix line\n%s", strings.Join(crashMatrixArgs(), " "), err, out)
	}
	m.failed = err != nil
	return m, nil
}
