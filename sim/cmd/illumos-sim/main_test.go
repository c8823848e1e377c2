package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/internal/simtest"
	"github.com/zonemgr/zonemgr/sim/zones"
)

func TestMain(m *testing.M) { simtest.Main(m) }

// simRun runs the built illumos-sim in dir with extra environment.
func simRun(t *testing.T, dir string, env []string, args ...string) simtest.Result {
	t.Helper()
	cmd := exec.Command(filepath.Join(simtest.Bin(), "illumos-sim"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return simtest.Result{Stdout: o.String(), Stderr: e.String(), Code: code}
}

// entries lists a directory's names.
func entries(t *testing.T, dir string) string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return strings.Join(names, " ")
}

func TestInitFlavor(t *testing.T) {
	dir := t.TempDir()
	noEnv := []string{core.EnvFlavor + "="}
	for _, h := range []string{"--help", "-h"} {
		simtest.Check(t, "init "+h, simRun(t, dir, noEnv, "init", h), initUsage, "", 0)
		simtest.Check(t, "init ROOT "+h, simRun(t, dir, noEnv, "init", "r", h), initUsage, "", 0)
	}
	bad := "illumos-sim init: unknown flavor \"bogus\" (accepted: omnios, openindiana)\n" + initUsage
	simtest.Check(t, "unknown flavor", simRun(t, dir, noEnv, "init", "--flavor", "bogus", "r"), "", bad, 2)
	simtest.Check(t, "unknown flavor=", simRun(t, dir, noEnv, "init", "--flavor=bogus", "r"), "", bad, 2)
	simtest.Check(t, "unknown flavor in the environment",
		simRun(t, dir, []string{core.EnvFlavor + "=bogus"}, "init", "r"), "", bad, 2)
	simtest.Check(t, "no flavor value", simRun(t, dir, noEnv, "init", "r", "--flavor"), "",
		"illumos-sim init: option --flavor needs a value (omnios|openindiana)\n"+initUsage, 2)
	simtest.Check(t, "unknown option", simRun(t, dir, noEnv, "init", "-x", "r"), "",
		"illumos-sim init: unknown option -x\n"+initUsage, 2)
	simtest.Check(t, "unknown long option", simRun(t, dir, noEnv, "init", "--root=r"), "",
		"illumos-sim init: unknown option --root=r\n"+initUsage, 2)
	simtest.Check(t, "no root", simRun(t, dir, noEnv, "init"), "",
		"illumos-sim init: want exactly one ROOT, got 0 arguments\n"+initUsage, 2)
	simtest.Check(t, "two roots", simRun(t, dir, noEnv, "init", "r", "s"), "",
		"illumos-sim init: want exactly one ROOT, got 2 arguments\n"+initUsage, 2)
	if got := entries(t, dir); got != "" {
		t.Fatalf("failed or help-only inits created %q", got)
	}

	flavorOf := func(root string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, root, core.SimDir, "flavor"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, tt := range []struct {
		env  []string
		args []string
		root string
		want string
	}{
		{noEnv, []string{"init", "d"}, "d", "omnios\n"},
		{noEnv, []string{"init", "--flavor", "openindiana", "oi"}, "oi", "openindiana\n"},
		{noEnv, []string{"init", "om", "--flavor=omnios"}, "om", "omnios\n"},
		{[]string{core.EnvFlavor + "=openindiana"}, []string{"init", "e"}, "e", "openindiana\n"},
		{[]string{core.EnvFlavor + "=openindiana"}, []string{"init", "--flavor", "omnios", "f"}, "f", "omnios\n"},
		{noEnv, []string{"init", "--", "-dash"}, "-dash", "omnios\n"},
	} {
		simtest.Check(t, strings.Join(tt.args, " "), simRun(t, dir, tt.env, tt.args...), "", "", 0)
		if got := flavorOf(tt.root); got != tt.want {
			t.Errorf("%v: flavor %q, want %q", tt.args, got, tt.want)
		}
	}

	// A root recording no valid flavour is refused by every tool.
	if err := os.WriteFile(filepath.Join(dir, "d", core.SimDir, "flavor"), []byte("solaris\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	simtest.Check(t, "bad flavor file", simRun(t, dir, []string{core.EnvRoot + "=" + filepath.Join(dir, "d")}, "zoneadm", "list"), "",
		"zoneadm: "+filepath.Join(dir, "d", core.SimDir, "flavor")+": unknown flavor \"solaris\" (accepted: omnios, openindiana)\n", 1)
}

func TestHelp(t *testing.T) {
	dir := t.TempDir()
	for _, h := range []string{"--help", "-h", "help"} {
		r := simRun(t, dir, nil, h)
		simtest.Check(t, h, r, usageText, "", 0)
	}
	r := simRun(t, dir, nil, "--help")
	// Every environment variable the sim reads has its line.
	for _, env := range []string{core.EnvRoot, core.EnvUID, core.EnvFail, core.EnvPfexec, core.EnvZone, core.EnvFlavor, zones.EnvBootDelay, zones.EnvAudit, "PATH", "TERM"} {
		n := 0
		for _, l := range strings.Split(r.Stdout, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), env+" ") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("--help has %d lines for %s:\n%s", n, env, r.Stdout)
		}
	}
	simtest.Check(t, "no arguments", simRun(t, dir, nil), "", usageText, 2)
	for _, h := range []string{"--help", "-h"} {
		simtest.Check(t, "links "+h, simRun(t, dir, nil, "links", h), linksUsage, "", 0)
		simtest.Check(t, "links DIR "+h, simRun(t, dir, nil, "links", "l", h), linksUsage, "", 0)
	}
	simtest.Check(t, "links unknown option", simRun(t, dir, nil, "links", "-x", "l"), "",
		"illumos-sim links: unknown option -x\n"+linksUsage, 2)
	simtest.Check(t, "links no DIR", simRun(t, dir, nil, "links"), "", linksUsage, 2)
	if got := entries(t, dir); got != "" {
		t.Fatalf("help and failed links created %q", got)
	}
	simtest.Check(t, "links DIR", simRun(t, dir, nil, "links", "l"), "", "", 0)
	if got := entries(t, filepath.Join(dir, "l")); got != strings.Join([]string{"dladm", "pfexec", "pgrep", "pkg", "svcadm", "svcs",
		"zfs", "zlogin", "zoneadm", "zonecfg", "zpool"}, " ") {
		t.Errorf("links: %s", got)
	}
}
