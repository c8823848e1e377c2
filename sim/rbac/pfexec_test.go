package rbac_test

import (
	"path/filepath"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/internal/simtest"
)

func TestPfexec(t *testing.T) {
	s := simtest.New(t)
	jim := []string{core.EnvUID + "=1002"}
	simtest.Check(t, "unknown command", s.Run(jim, "pfexec", "nosuchcmd"), "",
		"pfexec: unable to execute nosuchcmd: No such file or directory\n", 1)
	// pfexec.c usage() and getopt's messages under argv[0], here the
	// path pfexec was run by; one run by name has its "pf" stripped.
	const usage = "pfexec [-P privset] cmd [arg ..]\n"
	self := filepath.Join(simtest.Bin(), "pfexec")
	for _, tt := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no command", nil, usage},
		{"only --", []string{"--"}, usage},
		{"unknown option", []string{"-x", "zfs", "list"}, self + ": illegal option -- x\n" + usage},
		{"unknown long option", []string{"--verbose", "zfs"}, self + ": illegal option -- verbose\n" + usage},
		{"-P without privset", []string{"-P"}, self + ": option requires an argument -- P\n" + usage},
		{"-P twice", []string{"-P", "basic", "-Pall", "zfs"}, usage},
		{"-P and no command", []string{"-Pbasic"}, usage},
		{"-P, which the sim does not model", []string{"-P", "basic", "zfs", "list"}, "pfexec: the simulator does not model -P basic (privilege sets)\n"},
	} {
		simtest.Check(t, tt.name, s.Run(jim, "pfexec", tt.args...), "", tt.stderr, 1)
	}
	simtest.Check(t, "by name", s.Run(jim, "pfexec", "sh", "-c", "PATH="+simtest.Bin()+":$PATH; pfexec -x zfs"), "",
		"exec: illegal option -- x\n"+usage, 1)
	simtest.Check(t, "-- then the command", s.Run(jim, "pfexec", "--", "sh", "-c", "echo ok"), "ok\n", "", 0)
	simtest.Check(t, "flag set for the child", s.Run(jim, "pfexec", "sh", "-c", "echo $"+core.EnvPfexec), "1\n", "", 0)
	simtest.Check(t, "inherited by grandchildren", s.Run(jim, "pfexec", "sh", "-c", "zfs create rpool/zones/x && zfs list -H -o name rpool/zones/x"),
		"rpool/zones/x\n", "", 0)
	simtest.Check(t, "without pfexec", s.Run(jim, "zfs", "create", "rpool/zones/y"), "",
		"cannot create 'rpool/zones/y': permission denied\n", 1)
}
