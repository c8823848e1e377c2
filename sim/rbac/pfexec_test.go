package rbac_test

import (
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/internal/simtest"
)

func TestPfexec(t *testing.T) {
	s := simtest.New(t)
	jim := []string{core.EnvUID + "=1002"}
	simtest.Check(t, "unknown command", s.Run(jim, "pfexec", "nosuchcmd"), "",
		"pfexec: unable to execute nosuchcmd: No such file or directory\n", 1)
	simtest.Check(t, "no command", s.Run(jim, "pfexec"), "", "usage: pfexec [-P privset] cmd [arg ..]\n", 1)
	simtest.Check(t, "flag set for the child", s.Run(jim, "pfexec", "sh", "-c", "echo $"+core.EnvPfexec), "1\n", "", 0)
	simtest.Check(t, "inherited by grandchildren", s.Run(jim, "pfexec", "sh", "-c", "zfs create rpool/zones/x && zfs list -H -o name rpool/zones/x"),
		"rpool/zones/x\n", "", 0)
	simtest.Check(t, "without pfexec", s.Run(jim, "zfs", "create", "rpool/zones/y"), "",
		"cannot create 'rpool/zones/y': permission denied\n", 1)
}
