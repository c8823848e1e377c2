package illumos

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestPlanElevation(t *testing.T) {
	tools := t.TempDir()
	pfexec := writeTool(t, tools, "pfexec")
	sudo := writeTool(t, tools, "sudo")
	base := []string{"PATH=/usr/bin", "ZONEMGR_TOOLDIR=" + tools, "LANG=de_DE.UTF-8"}
	env := func(extra ...string) []string { return append(append([]string(nil), base...), extra...) }
	argv := []string{"zonemgr", "create-diz", "-z", "d1"}
	const exe = "/opt/zonemgr/bin/zonemgr"

	tests := []struct {
		name string
		euid int
		env  []string
		want Elevation
		err  string
	}{
		{name: "root runs as is", euid: 0, env: env()},
		{name: "default is pfexec", euid: 1000, env: env(), want: Elevation{
			Needed: true, Path: pfexec,
			Argv: []string{"pfexec", exe, "create-diz", "-z", "d1"},
			Env:  env("ZONEMGR_ELEVATED=1"),
		}},
		{name: "explicit pfexec", euid: 1000, env: env("ELEVATE_CMD=pfexec"), want: Elevation{
			Needed: true, Path: pfexec,
			Argv: []string{"pfexec", exe, "create-diz", "-z", "d1"},
			Env:  env("ELEVATE_CMD=pfexec", "ZONEMGR_ELEVATED=1"),
		}},
		{name: "sudo", euid: 1000, env: env("ELEVATE_CMD=sudo"), want: Elevation{
			Needed: true, Path: sudo,
			Argv: []string{"sudo", "-n", exe, "create-diz", "-z", "d1"},
			Env:  env("ELEVATE_CMD=sudo", "ZONEMGR_ELEVATED=1"),
		}},
		{name: "none", euid: 1000, env: env("ELEVATE_CMD=none")},
		{name: "already elevated", euid: 1000, env: env("ZONEMGR_ELEVATED=1")},
		{name: "empty marker does not count", euid: 1000, env: env("ZONEMGR_ELEVATED="), want: Elevation{
			Needed: true, Path: pfexec,
			Argv: []string{"pfexec", exe, "create-diz", "-z", "d1"},
			Env:  env("ZONEMGR_ELEVATED=1"),
		}},
		{name: "bad value", euid: 1000, env: env("ELEVATE_CMD=doas"),
			err: `invalid ELEVATE_CMD "doas": accepted values are pfexec, sudo and none`},
		{name: "bad value as root too", euid: 0, env: env("ELEVATE_CMD=su"),
			err: `invalid ELEVATE_CMD "su"`},
		{name: "wrapper missing", euid: 1000, env: []string{"PATH=" + filepath.Join(tools, "none")},
			err: `elevate with pfexec: look up tool "pfexec"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PlanElevation(tt.euid, exe, argv, tt.env)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestElevateWithoutReexec(t *testing.T) {
	t.Setenv("ELEVATE_CMD", "none")
	reexec, err := Elevate([]string{"zonemgr"}, []string{"ELEVATE_CMD=none"})
	if reexec || err != nil {
		t.Errorf("Elevate with ELEVATE_CMD=none = %v, %v; want false, nil", reexec, err)
	}
	reexec, err = Elevate([]string{"zonemgr"}, []string{"ELEVATE_CMD=bogus"})
	if reexec || err == nil {
		t.Errorf("Elevate with a bad ELEVATE_CMD = %v, %v; want false and an error", reexec, err)
	}
}

// TestPrivileged: only uid 0 that is not a front door re-executed under
// pfexec holds all privileges itself; sudo's re-execution is uid 0.
func TestPrivileged(t *testing.T) {
	for _, tt := range []struct {
		euid int
		env  []string
		want bool
	}{
		{0, nil, true},
		{0, []string{"ELEVATE_CMD=pfexec"}, true},
		{1002, nil, false},
		{1002, []string{EnvElevated + "=1"}, false},
		{0, []string{EnvElevated + "=1"}, false},
		{0, []string{EnvElevated + "=1", EnvElevateCmd + "=pfexec"}, false},
		{0, []string{EnvElevated + "=1", EnvElevateCmd + "=sudo"}, true},
	} {
		if got := Privileged(tt.euid, tt.env); got != tt.want {
			t.Errorf("Privileged(%d, %q) = %v, want %v", tt.euid, tt.env, got, tt.want)
		}
	}
}
