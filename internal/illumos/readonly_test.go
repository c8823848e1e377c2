package illumos

import (
	"context"
	"errors"
	"testing"
)

func TestIsMutating(t *testing.T) {
	tests := []struct {
		argv []string
		want bool
	}{
		// zonecfg
		{[]string{"zonecfg", "-z", "z1", "export"}, false},
		{[]string{"zonecfg", "-z", "z1", "info"}, false},
		{[]string{"zonecfg", "-z", "z1", "info", "attr", "name=zonemgr.origin"}, false},
		{[]string{"zonecfg", "-z", "z1", "verify"}, false},
		{[]string{"zonecfg", "-z", "z1", "info attr; export"}, false},
		{[]string{"zonecfg", "-R", "/a", "-z", "z1", "export"}, false},
		{[]string{"zonecfg", "-z", "z1", "export", "-f", "/tmp/x"}, true},
		{[]string{"zonecfg", "-z", "z1", "-f", "/tmp/z1.cfg"}, true},
		{[]string{"zonecfg", "-z", "z1", "create -b; set zonepath=/zones/z1; commit"}, true},
		{[]string{"zonecfg", "-z", "z1", "set", "autoboot=true"}, true},
		{[]string{"zonecfg", "-z", "z1", "add", "attr"}, true},
		{[]string{"zonecfg", "-z", "z1", "remove", "attr", "name=x"}, true},
		{[]string{"zonecfg", "-z", "z1", "delete", "-F"}, true},
		{[]string{"zonecfg", "-z", "z1", "commit"}, true},
		{[]string{"zonecfg", "-z", "z1", "info; set pool=p"}, true},
		{[]string{"zonecfg", "-z", "z1"}, true},
		// zoneadm
		{[]string{"zoneadm", "list", "-cp"}, false},
		{[]string{"zoneadm", "-z", "z1", "list", "-p"}, false},
		{[]string{"zoneadm", "-z", "z1", "verify"}, false},
		{[]string{"zoneadm", "-z", "z1", "boot"}, true},
		{[]string{"zoneadm", "-z", "z1", "clone", "-s", "snap", "g1"}, true},
		{[]string{"zoneadm", "-z", "z1", "uninstall", "-F"}, true},
		{[]string{"/usr/sbin/zoneadm", "-z", "z1", "halt"}, true},
		// zfs and zpool
		{[]string{"zfs", "list", "-H", "-p", "-o", "name", "rpool"}, false},
		{[]string{"/sbin/zfs", "get", "-H", "-p", "origin", "rpool/z"}, false},
		{[]string{"zfs", "holds", "-H", "rpool/z@s"}, false},
		{[]string{"zfs", "hold", "zonemgr", "rpool/z@s"}, true},
		{[]string{"zfs", "release", "zonemgr", "rpool/z@s"}, true},
		{[]string{"zfs", "snapshot", "rpool/z@s"}, true},
		{[]string{"zfs", "destroy", "-r", "rpool/z"}, true},
		{[]string{"zpool", "list", "-H"}, false},
		{[]string{"zpool", "get", "health", "rpool"}, false},
		{[]string{"zpool", "status", "rpool"}, false},
		{[]string{"zpool", "scrub", "rpool"}, true},
		// dladm
		{[]string{"dladm", "show-vnic", "-p", "-o", "link"}, false},
		{[]string{"dladm", "show-etherstub"}, false},
		{[]string{"dladm", "create-vnic", "-l", "igb0", "v0"}, true},
		{[]string{"dladm", "delete-vnic", "v0"}, true},
		// pkg
		{[]string{"pkg", "list", "-H"}, false},
		{[]string{"pkg", "-R", "/zones/z1/root", "list", "-H", "shell/bash"}, false},
		{[]string{"pkg", "info", "shell/bash"}, false},
		{[]string{"pkg", "publisher", "-H", "-F", "tsv"}, false},
		{[]string{"pkg", "-R", "/zones/z1/root", "install", "-n", "developer/gcc13"}, false},
		{[]string{"pkg", "install", "-nv", "developer/gcc13"}, false},
		{[]string{"pkg", "-R", "/zones/z1/root", "install", "developer/gcc13"}, true},
		{[]string{"pkg", "uninstall", "shell/bash"}, true},
		{[]string{"pkg", "set-publisher", "-g", "https://x/", "extra"}, true},
		{[]string{"pkg", "install", "--", "-n"}, true},
		// services
		{[]string{"svcs", "-H", "-o", "state", "svc:/milestone/multi-user:default"}, false},
		{[]string{"svcadm", "enable", "autofs"}, true},
		// zlogin
		{[]string{"zlogin", "-S", "z1", "svcs", "-H", "-o", "state", "milestone/multi-user"}, false},
		{[]string{"zlogin", "z1", "svcs -H -o state milestone/multi-user"}, false},
		{[]string{"zlogin", "z1", "pkg", "list", "-H"}, false},
		{[]string{"zlogin", "-l", "builder", "z1", "id", "-u"}, false},
		{[]string{"zlogin", "z1", "svcs -a; rm -rf /"}, true},
		{[]string{"zlogin", "z1", "make", "-j8"}, true},
		{[]string{"zlogin", "-l", "builder", "z1", "gmake all"}, true},
		{[]string{"zlogin", "z1"}, true},
		{[]string{"zlogin", "-S", "z1", "pfexec", "svcs"}, true},
		// prefixes
		{[]string{"pfexec", "zoneadm", "list", "-cp"}, false},
		{[]string{"pfexec", "zoneadm", "-z", "z1", "boot"}, true},
		{[]string{"sudo", "-n", "zfs", "list"}, false},
		{[]string{"sudo", "-u", "root", "-n", "zfs", "destroy", "p/a"}, true},
		{[]string{"env", "LC_ALL=C", "zfs", "list"}, false},
		// unknown and empty
		{[]string{"rm", "-rf", "/zones/z1"}, true},
		{[]string{"useradd", "builder"}, true},
		{nil, true},
		{[]string{"pfexec"}, true},
	}
	for _, tt := range tests {
		if got := IsMutating(tt.argv); got != tt.want {
			t.Errorf("IsMutating(%q) = %v, want %v", tt.argv, got, tt.want)
		}
	}
}

func TestReadOnly(t *testing.T) {
	s := NewScript(Step{Argv: []string{"zoneadm", "list", "-cp"}, Result: Result{Stdout: []byte("0:global:running:/::ipkg:shared:0\n")}})
	r := ReadOnly(s)
	res, err := r.Run(context.Background(), Cmd{Argv: []string{"zoneadm", "list", "-cp"}})
	if err != nil || string(res.Stdout) != "0:global:running:/::ipkg:shared:0\n" {
		t.Errorf("read through ReadOnly = %q, %v", res.Stdout, err)
	}
	res, err = r.Run(context.Background(), Cmd{Argv: []string{"zfs", "destroy", "-r", "rpool/zones/z1"}})
	var roe *ReadOnlyError
	if !errors.As(err, &roe) {
		t.Fatalf("mutating command: error %v (%T), want *ReadOnlyError", err, err)
	}
	if want := `refusing to run "zfs destroy -r rpool/zones/z1" in read-only mode (check mode)`; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if res.ExitCode != -1 {
		t.Errorf("refused command ExitCode = %d, want -1", res.ExitCode)
	}
	// The refused command never reached the runner underneath.
	if calls := s.Calls(); len(calls) != 1 {
		t.Errorf("underlying runner saw %d calls, want 1", len(calls))
	}
	s.Check(t)

	_, err = r.Run(context.Background(), Cmd{Argv: []string{"zlogin", "z1", "passwd"}, Secret: true})
	if want := `refusing to run "zlogin <arguments hidden>" in read-only mode (check mode)`; err == nil || err.Error() != want {
		t.Errorf("secret command error = %v, want %q", err, want)
	}
}

func TestIsReadOnly(t *testing.T) {
	s := NewScript()
	tr := &Transcript{}
	tests := []struct {
		name string
		r    Runner
		want bool
	}{
		{"script", s, false},
		{"exec", &Exec{}, false},
		{"read-only", ReadOnly(s), true},
		{"recorded read-only", Record(ReadOnly(s), tr), true},
		{"read-only of recorded", ReadOnly(Record(s, tr)), true},
		{"recorded", Record(s, tr), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		if got := IsReadOnly(tt.r); got != tt.want {
			t.Errorf("IsReadOnly(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRecord(t *testing.T) {
	s := NewScript().
		Expect([]string{"zfs", "list", "-H", "rpool"}, Result{Stdout: []byte("rpool\n")}).
		Expect([]string{"zfs", "snapshot", "rpool/z@s"}, Result{ExitCode: 1, Stderr: []byte("cannot create snapshot 'rpool/z@s': dataset already exists\n")})
	tr := &Transcript{}
	r := Record(ReadOnly(s), tr)
	ctx := context.Background()
	_, _ = r.Run(ctx, Cmd{Argv: []string{"zfs", "list", "-H", "rpool"}})
	_, err := r.Run(ctx, Cmd{Argv: []string{"zfs", "snapshot", "rpool/z@s"}})
	if !errors.As(err, new(*ReadOnlyError)) {
		t.Fatalf("snapshot through read-only: %v", err)
	}
	got := tr.Entries()
	if len(got) != 2 {
		t.Fatalf("%d entries, want 2", len(got))
	}
	if got[0].Argv != "zfs list -H rpool" || got[0].ExitCode != 0 || got[0].Mutating || got[0].Err != "" {
		t.Errorf("entry 0 = %+v", got[0])
	}
	if got[1].Argv != "zfs snapshot rpool/z@s" || got[1].ExitCode != -1 || !got[1].Mutating || got[1].Err == "" {
		t.Errorf("entry 1 = %+v", got[1])
	}
	if m := tr.Mutating(); len(m) != 1 || m[0].Argv != "zfs snapshot rpool/z@s" {
		t.Errorf("Mutating() = %+v", m)
	}
}
