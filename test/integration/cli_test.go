package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSeedExamples runs the usage examples of the original zonemgr's
// README as written, adjusting only link and dataset names to the sim's.
func TestSeedExamples(t *testing.T) {
	s := NewSim(t)
	os.MkdirAll(filepath.Join(s.Root, "export/oi-userland/components/java8"), 0o755)
	os.MkdirAll(filepath.Join(s.Root, "export/home/illumos-gate"), 0o755)
	steps := []struct {
		args   []string
		code   int
		stdout string // a line the output must contain ("" : anything)
	}{
		{[]string{"create-giz", "-z", "test-giz-1", "-b", "SUNWipkg"}, 0, "test-giz-1"},
		{[]string{"create-diz", "-c", "test-giz-1"}, 0, "diz-"},
		{[]string{"create-diz", "-z", "test-diz-1", "-c", "test-giz-1", "--mount-lofs", "/export/home", "--delegate-dataset", "rpool/zones/_delegated/test-diz-1", "--add-vnic-over", "stub0 e1000g0|81|00:12:34:56:78:ab"}, 0, "test-diz-1"},
		{[]string{"create-diz", "-z", "test-diz-2", "-c", "test-giz-1", "--mount-autonfs", "/mnt/.ccache|filer:/var/.ccache-shared"}, 0, "test-diz-2"},
		{[]string{"list"}, 0, "test-giz-1"},
		{[]string{"list-diz"}, 0, "test-diz-1"},
		{[]string{"list-giz"}, 0, "test-giz-1"},
		{[]string{"is-managed", "-z", "test-giz-1"}, 0, ""},
		{[]string{"is-managed", "-z", "nosuchzone"}, 1, ""},
		{[]string{"is-giz", "test-giz-1"}, 0, ""},
		{[]string{"is-diz", "test-giz-1"}, 1, ""},
		{[]string{"-q", "get-state", "-z", "test-giz-1"}, 0, "installed"},
		{[]string{"-z", "test-diz-1", "boot"}, 0, ""},
		{[]string{"-q", "get-state", "-z", "test-diz-1"}, 0, "running"},
		{[]string{"-z", "test-diz-1", "halt"}, 0, ""},
		{[]string{"-z", "test-diz-1", "boot"}, 0, ""},
		{[]string{"-z", "test-diz-1", "shutdown"}, 0, ""},
		{[]string{"-z", "test-diz-1", "reboot"}, 0, ""},
		{[]string{"-z", "test-diz-1", "halt"}, 0, ""},
		{[]string{"-z", "test-diz-1", "mount"}, 0, ""},
		{[]string{"-q", "get-state", "-z", "test-diz-1"}, 0, "mounted"},
		{[]string{"-z", "test-diz-1", "umount"}, 0, ""},
		{[]string{"-z", "test-diz-1", "ready"}, 0, ""},
		{[]string{"-q", "get-state", "-z", "test-diz-1"}, 0, "ready"},
		{[]string{"-z", "test-diz-1", "verify"}, 0, ""},
		{[]string{"-z", "test-diz-1", "destroy"}, 0, ""},
		{[]string{"snapshot", "-z", "test-giz-1", "-s", "snap1"}, 0, ""},
		{[]string{"rollback", "-z", "test-giz-1", "-s", "snap1"}, 0, ""},
		{[]string{"list-snapshots", "-z", "test-giz-1"}, 0, "snap1"},
		{[]string{"create-diz", "-c", "test-giz-1", "-s", "snap1", "-z", "test-diz-1"}, 0, "test-diz-1"},
		{[]string{"exec", "--exec-discard", "onsuccess", "-z", "test-diz-1", "--exec-cmd", "cd /export/home/illumos-gate 2>/dev/null || cd /; echo nightly done"}, 0, "nightly done"},
		{[]string{"exec-diz", "-c", "test-giz-1", "--exec-user", "jenkins", "--copy-users", "jenkins jim", "--elevate-users", "jim", "--copy-groups", "jenkins", "--mount-lofs", "/export/oi-userland", "--add-vnic-over", "stub0", "--exec-cmd", "cd /export/oi-userland/components/java8 && echo gmake publish as $(id -un)"}, 0, "gmake publish as jenkins"},
		{[]string{"exec-diz", "-c", "test-giz-1", "--exec-cmd", "exit 7"}, 7, ""},
	}
	for _, st := range steps {
		out, errOut, code := s.Run(nil, "zonemgr", st.args...)
		if code != st.code {
			t.Errorf("zonemgr %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(st.args, " "), code, st.code, out, errOut)
			continue
		}
		if st.stdout != "" && !strings.Contains(out, st.stdout) {
			t.Errorf("zonemgr %s: stdout lacks %q:\n%s\nstderr: %s", strings.Join(st.args, " "), st.stdout, out, errOut)
		}
	}
	// Everything exec-diz made is gone: the only generated name left is
	// the one create-diz made.
	out, _, _ := s.Run(nil, "zoneadm", "list", "-c")
	n := 0
	for _, z := range strings.Fields(out) {
		if strings.HasPrefix(z, "diz-") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d zones with generated names, want 1 (create-diz's):\n%s", n, out)
	}
	vn, _, _ := s.Run(nil, "dladm", "show-vnic", "-p", "-o", "link")
	if strings.Count(vn, "autodiz") != 0 {
		t.Errorf("automatic VNICs left behind:\n%s", vn)
	}
}

// TestCLIDryRun: -n prints the plan and changes nothing.
func TestCLIDryRun(t *testing.T) {
	s := goldenSim(t)
	s0 := s.State()
	out, errOut, code := s.Run(nil, "zonemgr", "-n", "create-diz", "-c", "golden", "-z", "dry1", "--add-vnic-over", "e1000g0")
	if code != 0 || !strings.Contains(out+errOut, "zoneadm -z dry1 clone -s initial-postinstalled-golden golden") {
		t.Errorf("zonemgr -n create-diz: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if got := s.State(); got != s0 {
		t.Errorf("dry run changed the sim:\n%s", diffLines(s0, got))
	}
}
