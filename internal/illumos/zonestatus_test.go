package illumos

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestZloginCommand(t *testing.T) {
	for _, tt := range []struct {
		argv    []string
		head    []string
		cmdline string
	}{
		{[]string{"zlogin", "-S", "z1", "/bin/sh -s"}, []string{"zlogin", "-S", "z1"}, "/bin/sh -s"},
		{[]string{"zlogin", "-l", "jenkins", "z1", "make -C /src"}, []string{"zlogin", "-l", "jenkins", "z1"}, "make -C /src"},
		{[]string{"zlogin", "z1", "pkg", "install", "--accept", "a b"}, []string{"zlogin", "z1"}, "'pkg' 'install' '--accept' 'a b'"},
	} {
		head, cmdline, err := zloginCommand(tt.argv)
		if err != nil || !slices.Equal(head, tt.head) || cmdline != tt.cmdline {
			t.Errorf("zloginCommand(%q) = %q, %q, %v; want %q, %q", tt.argv, head, cmdline, err, tt.head, tt.cmdline)
		}
	}
	for _, bad := range [][]string{{"zoneadm", "-z", "z1", "boot"}, {"zlogin", "-S", "z1"}, {"zlogin"}} {
		if _, _, err := zloginCommand(bad); err == nil {
			t.Errorf("zloginCommand(%q): no error", bad)
		}
	}
}

// TestStatusFilter: the status line is taken out wherever the writes
// cut it, the output around it passes unchanged, and a line that only
// looks like it (another nonce, no number) passes too.
func TestStatusFilter(t *testing.T) {
	const nonce = "n1"
	for _, tt := range []struct {
		name, in, out string
		rc            int
		found         bool
	}{
		{"trailing newline", "err\n\nzonemgr-status:n1:3\n", "err\n", 3, true},
		{"no trailing newline", "err\nzonemgr-status:n1:0\n", "err", 0, true},
		{"no output", "\nzonemgr-status:n1:143\n", "", 143, true},
		{"output after", "a\nzonemgr-status:n1:1\nlate\n", "alate\n", 1, true},
		{"other nonce", "x\nzonemgr-status:n2:1\n", "x\nzonemgr-status:n2:1\n", 0, false},
		{"not a number", "x\nzonemgr-status:n1:oops\n", "x\nzonemgr-status:n1:oops\n", 0, false},
		{"cut short", "x\nzonemgr-stat", "x\nzonemgr-stat", 0, false},
		{"none", "plain output\n", "plain output\n", 0, false},
		// The mark, then no line of a few digits: passed on as it comes,
		// never held back whole.
		{"a mark and a long line", "x\nzonemgr-status:n1:" + strings.Repeat("y", 5000), "x\nzonemgr-status:n1:" + strings.Repeat("y", 5000), 0, false},
		{"a mark and too many digits", "x\nzonemgr-status:n1:12345\n", "x\nzonemgr-status:n1:12345\n", 0, false},
	} {
		for _, size := range []int{1, 3, 1000} {
			var b strings.Builder
			f := newStatusFilter(&b, nonce)
			for i := 0; i < len(tt.in); i += size {
				f.Write([]byte(tt.in[i:min(i+size, len(tt.in))]))
				if len(f.pend) > len(f.mark)+3 {
					t.Fatalf("%s (writes of %d): %d bytes held back", tt.name, size, len(f.pend))
				}
			}
			f.Close()
			if b.String() != tt.out || f.rc != tt.rc || f.found != tt.found {
				t.Errorf("%s (writes of %d): out %q rc %d found %v; want %q %d %v", tt.name, size, b.String(), f.rc, f.found, tt.out, tt.rc, tt.found)
			}
		}
	}
}

// fakeZlogin is a zlogin that runs its last argument as a login shell
// would (sh -c), and exits as real zlogin does: WEXITSTATUS of the
// shell, so 0 when a signal killed it.
// The zone's /bin/sh is $ZONESHELL.
const fakeZlogin = `#!/bin/sh
for last; do :; done
zsh=${ZONESHELL:-/bin/sh}
last=$(printf '%s' "$last" | sed "s#^exec /bin/sh #exec $zsh #")
$zsh -c "$last"
rc=$?
[ $rc -gt 128 ] && exit 0
exit $rc
`

// TestZoneStatusRun runs commands through the wrapper and a zlogin that
// hides signals: the status is the command's own, killed commands are
// failures with 128+N, and the output keeps no trace of the wrapper.
func TestZoneStatusRun(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "zlogin"), []byte(fakeZlogin), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	// The zone's shell is ksh93 on illumos (its $? for a killed command
	// is 256+N), a POSIX sh elsewhere (128+N).
	ksh, err := exec.LookPath("ksh93")
	if err != nil {
		t.Fatalf("ksh93, illumos's /bin/sh, is not installed (.ci/deps installs it): %v", err)
	}
	for _, shell := range []string{"/bin/sh", ksh} {
		env := []string{"PATH=" + dir + ":/usr/bin:/bin", "ZONESHELL=" + shell, "SHELL=" + shell}
		t.Run(filepath.Base(shell), func(t *testing.T) { zoneStatusRun(t, &Exec{Tools: NewTools(env), Env: env}) })
	}
}

func zoneStatusRun(t *testing.T, r *Exec) {
	for _, tt := range []struct {
		cmd            string
		rc             int
		stdout, stderr string
	}{
		{"echo out; echo err >&2", 0, "out\n", "err\n"},
		{"exit 3", 3, "", ""},
		{"printf 'no newline' >&2; exit 2", 2, "", "no newline"},
		// The shell may say what killed its child ("Terminated"); the
		// status line never shows.
		{"kill -TERM $$", 143, "", "*"},
		{"kill -KILL $$", 137, "", "*"},
		{"echo 'it''s'", 0, "its\n", ""},
	} {
		res, err := r.Run(context.Background(), Cmd{Argv: []string{"zlogin", "-S", "z1", tt.cmd}, ZoneStatus: true})
		var ce *CommandError
		switch {
		case tt.rc == 0 && err != nil:
			t.Errorf("%q: %v", tt.cmd, err)
		case tt.rc != 0 && (!errors.As(err, &ce) || ce.ExitCode != tt.rc):
			t.Errorf("%q: err %v, want exit %d", tt.cmd, err, tt.rc)
		}
		if tt.stderr == "*" && !strings.Contains(string(res.Stderr), statusMark) {
			tt.stderr = string(res.Stderr)
		}
		if res.ExitCode != tt.rc || string(res.Stdout) != tt.stdout || string(res.Stderr) != tt.stderr {
			t.Errorf("%q: exit %d stdout %q stderr %q; want %d %q %q", tt.cmd, res.ExitCode, res.Stdout, res.Stderr, tt.rc, tt.stdout, tt.stderr)
		}
	}
	// A wrapper killed with its command reports nothing: never success.
	_, err := r.Run(context.Background(), Cmd{Argv: []string{"zlogin", "-S", "z1", "kill -KILL $PPID; sleep 1"}, ZoneStatus: true})
	if !errors.Is(err, ErrStatusUnknown) {
		t.Errorf("a killed wrapper: %v, want ErrStatusUnknown", err)
	}
}
