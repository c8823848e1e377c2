package play

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestRunProcess(t *testing.T) {
	env := os.Environ()
	res, err := runProcess(context.Background(), Command{
		Argv:  []string{"sh", "-c", "cat; echo err >&2; pwd; exit 3"},
		Dir:   "/",
		Env:   env,
		Stdin: []byte("in\n"),
	})
	if err != nil || string(res.Stdout) != "in\n/\n" || string(res.Stderr) != "err\n" || res.RC != 3 {
		t.Errorf("runProcess = %q %q rc %d, %v", res.Stdout, res.Stderr, res.RC, err)
	}
	// A signal's death is its negated number, as Python reports it.
	if res, err := runProcess(context.Background(), Command{Argv: []string{"sh", "-c", "kill -TERM $$"}, Env: env}); err != nil || res.RC != -int(syscall.SIGTERM) {
		t.Errorf("killed: rc %d, %v", res.RC, err)
	}
	var se *ErrCommandStart
	if _, err := runProcess(context.Background(), Command{Argv: []string{"no-such-command-here"}, Env: env}); !errors.As(err, &se) || se.Errno != int(syscall.ENOENT) {
		t.Errorf("missing command: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if res, err := runProcess(ctx, Command{Argv: []string{"sh", "-c", "sleep 30"}, Env: env}); err != nil || res.RC != -int(syscall.SIGKILL) || time.Since(start) > 10*time.Second {
		t.Errorf("cancelled: rc %d, %v after %v", res.RC, err, time.Since(start))
	}
}

func TestLookPath(t *testing.T) {
	dir := t.TempDir()
	tool := filepath.Join(dir, "mytool")
	if err := os.WriteFile(tool, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"ZONEMGR_TOOLDIR first", []string{"PATH=/nowhere", "ZONEMGR_TOOLDIR=" + dir}, tool},
		{"PATH", []string{"PATH=/nowhere:" + dir}, tool},
		{"a path as it is", []string{"PATH=/nowhere"}, "./x/mytool"},
	}
	for _, tc := range tests {
		name := "mytool"
		if tc.want == "./x/mytool" {
			name = tc.want
		}
		if got, err := lookPath(name, tc.env); err != nil || got != tc.want {
			t.Errorf("%s: lookPath = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	if got, err := lookPath("mytool", []string{"PATH=/nowhere"}); err == nil {
		t.Errorf("lookPath found %q outside the search path", got)
	}
}
