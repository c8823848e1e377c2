package rbac_test

import (
	"os"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/rbac"
)

func TestCheck(t *testing.T) {
	root := t.TempDir()
	if err := rbac.Init(root); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		uid     int
		pfexec  bool
		command string
		want    rbac.Privilege
	}{
		{0, false, "/sbin/zfs", rbac.Full},
		{1002, false, "/sbin/zfs", rbac.None},
		{1002, true, "/sbin/zfs", rbac.Full},
		{1002, true, "/usr/sbin/zoneadm", rbac.Full},
		{1002, true, "/usr/sbin/zlogin", rbac.Full},
		{1002, true, "/usr/sbin/zonecfg", rbac.Full},
		{1002, true, "/sbin/dladm", rbac.Limited},
		{1002, true, "/sbin/zpool", rbac.None},
		{1002, true, "/usr/bin/pkg", rbac.None},
		{1001, true, "/usr/bin/pkg", rbac.Full},
		{1001, true, "/sbin/zpool", rbac.Full},
		{1001, false, "/sbin/zfs", rbac.None},
		{1003, true, "/sbin/zfs", rbac.None},
		{1004, true, "/usr/sbin/zoneadm", rbac.None},
		{4242, true, "/sbin/zfs", rbac.None},
	}
	for _, tt := range tests {
		inv := &core.Invocation{Root: root, UID: tt.uid, Pfexec: tt.pfexec}
		if got := rbac.Check(inv, tt.command); got != tt.want {
			t.Errorf("Check(uid %d, pfexec %v, %s) = %v, want %v", tt.uid, tt.pfexec, tt.command, got, tt.want)
		}
	}
}

func TestHasAuth(t *testing.T) {
	root := t.TempDir()
	if err := rbac.Init(root); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		uid  int
		auth string
		want bool
	}{
		{0, "solaris.zone.manage/z1", true},
		{1001, "solaris.zone.manage/z1", true},
		{1002, "solaris.zone.manage/z1", true},
		{1002, "solaris.zone.login/z1", true},
		{1002, "solaris.zone.clonefrom/golden", true},
		{1002, "solaris.zone.grant", true},
		{1002, "solaris.smf.manage.bind", true},
		{1002, "solaris.network.link.security", false},
		{1003, "solaris.zone.manage/z1", false},
		{1003, "solaris.profmgr.read", true},
		{1004, "solaris.zone.login/z1", false},
	}
	for _, tt := range tests {
		inv := &core.Invocation{Root: root, UID: tt.uid}
		if got := rbac.HasAuth(inv, tt.auth); got != tt.want {
			t.Errorf("HasAuth(uid %d, %s) = %v, want %v", tt.uid, tt.auth, got, tt.want)
		}
	}
}

func TestUserName(t *testing.T) {
	root := t.TempDir()
	if err := rbac.Init(root); err != nil {
		t.Fatal(err)
	}
	for uid, want := range map[int]string{0: "root", 1001: "jenkins", 1002: "jim", 1003: "builder", 1004: "noprivs", 4242: "4242"} {
		if got := rbac.UserName(&core.Invocation{Root: root, UID: uid}); got != want {
			t.Errorf("UserName(%d) = %q, want %q", uid, got, want)
		}
	}
	fi, err := os.Stat(root + "/etc/shadow")
	if err != nil || fi.Mode().Perm() != 0o400 {
		t.Errorf("shadow mode: %v, %v", fi, err)
	}
}
