package rbac_test

import (
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
)

func TestPfexec(t *testing.T) {
	s := newSim(t)
	jim := []string{core.EnvUID + "=1002"}
	check(t, "unknown command", s.run(jim, "pfexec", "nosuchcmd"), "",
		"pfexec: unable to execute nosuchcmd: No such file or directory\n", 1)
	check(t, "no command", s.run(jim, "pfexec"), "", "usage: pfexec [-P privset] cmd [arg ..]\n", 1)
	check(t, "flag set for the child", s.run(jim, "pfexec", "sh", "-c", "echo $"+core.EnvPfexec), "1\n", "", 0)
	check(t, "inherited by grandchildren", s.run(jim, "pfexec", "sh", "-c", "zfs create rpool/zones/x && zfs list -H -o name rpool/zones/x"),
		"rpool/zones/x\n", "", 0)
	check(t, "without pfexec", s.run(jim, "zfs", "create", "rpool/zones/y"), "",
		"cannot create 'rpool/zones/y': permission denied\n", 1)
}
