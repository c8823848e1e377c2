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
