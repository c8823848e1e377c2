package gozfs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// newFake returns the runner of a test of this package: the commands
// go-zfs starts go to the toolDir's fake zfs and zpool instead, so the
// runner expects steps (none: no command through it at all).
func newFake(t *testing.T, steps ...illumos.Step) *illumos.Script {
	t.Helper()
	s := illumos.NewScript(steps...)
	t.Cleanup(func() { s.Check(t) })
	return s
}

// argv splits a command line on spaces, for writing expectations
// compactly; no test argument contains a space.
func argv(s string) []string { return strings.Fields(s) }

// fakeTool is a shell script that stands in for zfs and zpool on PATH
// for go-zfs, which starts them by bare name. Each run appends its argv
// (argv[0] as a base name, one argument per line, then a "--" line) to
// $dir/log, prints $dir/out to stdout, $dir/err to stderr, and exits with
// the number in $dir/exit (0 if none).
// It uses shell builtins only, so it needs nothing else on PATH.
const fakeTool = `#!/bin/sh
d=${0%/*}
emit() { while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done <"$1"; }
{ printf '%s\n' "${0##*/}"; for a in "$@"; do printf '%s\n' "$a"; done; echo --; } >>"$d/log"
if [ -f "$d/out" ]; then emit "$d/out"; fi
if [ -f "$d/err" ]; then emit "$d/err" >&2; fi
code=0
if [ -f "$d/exit" ]; then read -r code <"$d/exit"; fi
exit "$code"
`

// A toolDir is a directory holding fake zfs and zpool commands, put first
// on PATH for the test.
type toolDir struct {
	t   *testing.T
	dir string
}

func newToolDir(t *testing.T) *toolDir {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"zfs", "zpool"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(fakeTool), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return &toolDir{t: t, dir: dir}
}

// answer sets what the fake commands print and how they exit.
func (d *toolDir) answer(stdout, stderr string, exit int) {
	d.t.Helper()
	d.write("out", stdout)
	d.write("err", stderr)
	d.write("exit", fmt.Sprint(exit))
}

func (d *toolDir) write(name, content string) {
	d.t.Helper()
	if err := os.WriteFile(filepath.Join(d.dir, name), []byte(content), 0o644); err != nil {
		d.t.Fatal(err)
	}
}

// calls returns the argv of every command run so far.
func (d *toolDir) calls() [][]string {
	d.t.Helper()
	b, err := os.ReadFile(filepath.Join(d.dir, "log"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		d.t.Fatal(err)
	}
	var out [][]string
	var cur []string
	for line := range strings.SplitSeq(strings.TrimSuffix(string(b), "\n"), "\n") {
		if line == "--" {
			out = append(out, cur)
			cur = nil
			continue
		}
		cur = append(cur, line)
	}
	return out
}
