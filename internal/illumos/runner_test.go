package illumos

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testExec returns an Exec that finds /bin/sh and friends through the
// machine's PATH.
func testExec(t *testing.T) *Exec {
	t.Helper()
	return &Exec{Tools: NewTools([]string{"PATH=/usr/bin:/bin"})}
}

func TestExecSuccess(t *testing.T) {
	e := testExec(t)
	res, err := e.Run(context.Background(), Cmd{Argv: []string{"sh", "-c", "printf out; printf err >&2"}})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.ExitCode != 0 || string(res.Stdout) != "out" || string(res.Stderr) != "err" {
		t.Errorf("Run = exit %d, stdout %q, stderr %q; want 0, \"out\", \"err\"", res.ExitCode, res.Stdout, res.Stderr)
	}
}

func TestExecExitCode(t *testing.T) {
	e := testExec(t)
	c := Cmd{Argv: []string{"sh", "-c", "echo 'zoneadm: zone z1: not running' >&2; exit 3"}}
	res, err := e.Run(context.Background(), c)
	var ce *CommandError
	if !errors.As(err, &ce) {
		t.Fatalf("Run error = %v (%T), want *CommandError", err, err)
	}
	if ce.ExitCode != 3 || res.ExitCode != 3 {
		t.Errorf("exit code: error %d, result %d; want 3", ce.ExitCode, res.ExitCode)
	}
	if ce.Stderr != "zoneadm: zone z1: not running" {
		t.Errorf("CommandError.Stderr = %q", ce.Stderr)
	}
	want := `sh -c 'echo '\''zoneadm: zone z1: not running'\'' >&2; exit 3': exit status 3: zoneadm: zone z1: not running`
	if err.Error() != want {
		t.Errorf("error text\n got: %s\nwant: %s", err, want)
	}
}

// A command that says why it failed on standard output only (pkg's
// refusals printed with msg()) has the tail of that in its error; with
// something on standard error, the error shows that alone.
func TestExecErrorShowsStdoutWithoutStderr(t *testing.T) {
	e := testExec(t)
	for _, tc := range []struct {
		script, stdout, want string
	}{
		{"head -c 10000 /dev/zero | tr '\\0' x; echo; echo WARNING: out of date; exit 1", "WARNING: out of date", "exit status 1: x"},
		{"echo in progress; echo no image >&2; exit 1", "in progress", "exit status 1: no image"},
		{"exit 2", "", "exit status 2"},
	} {
		_, err := e.Run(context.Background(), Cmd{Argv: []string{"sh", "-c", tc.script}})
		var ce *CommandError
		if !errors.As(err, &ce) {
			t.Fatalf("%s: Run error = %v, want *CommandError", tc.script, err)
		}
		_, msg, _ := strings.Cut(err.Error(), "': ")
		if len(ce.Stdout) > 4096 || !strings.HasSuffix(ce.Stdout, tc.stdout) || !strings.HasPrefix(msg, tc.want) || (ce.Stderr == "") != strings.HasSuffix(msg, tc.stdout) {
			t.Errorf("%s: error %q (%d bytes of stdout, ending %q)", tc.script, msg[:min(len(msg), 40)], len(ce.Stdout), ce.Stdout[max(0, len(ce.Stdout)-30):])
		}
	}
}

func TestExecStderrInErrorIsBounded(t *testing.T) {
	e := testExec(t)
	// 10000 bytes of 'x' then a final line: the error keeps the last 4 KiB.
	c := Cmd{Argv: []string{"sh", "-c", "head -c 10000 /dev/zero | tr '\\0' x >&2; echo; echo last line >&2; exit 1"}}
	_, err := e.Run(context.Background(), c)
	var ce *CommandError
	if !errors.As(err, &ce) {
		t.Fatalf("Run error = %v, want *CommandError", err)
	}
	if len(ce.Stderr) > 4096 || !strings.HasSuffix(ce.Stderr, "last line") {
		t.Errorf("CommandError.Stderr has %d bytes, ends %q; want <= 4096 ending in \"last line\"", len(ce.Stderr), ce.Stderr[max(0, len(ce.Stderr)-20):])
	}
}

func TestExecBoundedOutputAndStreaming(t *testing.T) {
	e := testExec(t)
	e.MaxOutput = 1 << 20
	var live bytes.Buffer
	// seq prints about 3.4 MB.
	res, err := e.Run(context.Background(), Cmd{Argv: []string{"seq", "1", "500000"}, Stdout: &live})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want, err := exec.Command("seq", "1", "500000").Output()
	if err != nil {
		t.Fatalf("seq: %v", err)
	}
	if len(want) < 3<<20 {
		t.Fatalf("seq printed %d bytes, want at least 3 MiB for this test", len(want))
	}
	if !bytes.Equal(live.Bytes(), want) {
		t.Errorf("live writer got %d bytes, want all %d", live.Len(), len(want))
	}
	if !bytes.Equal(res.Stdout, want[len(want)-(1<<20):]) {
		t.Errorf("Result.Stdout has %d bytes; want the last 1 MiB of the output", len(res.Stdout))
	}
}

// TestExecReadOutputIsWholeOrAnError: the output of a command that
// zonemgr reads (no Cmd.Stdout) is kept whole up to MaxRead; beyond it
// the command fails, and a listing is never parsed from its tail. A
// streamed command keeps only its tail, as before.
func TestExecReadOutputIsWholeOrAnError(t *testing.T) {
	e := testExec(t)
	e.MaxOutput = 1 << 10
	e.MaxRead = 2 << 20
	want, err := exec.Command("seq", "1", "200000").Output()
	if err != nil {
		t.Fatalf("seq: %v", err)
	}
	if len(want) <= e.MaxOutput || len(want) >= e.MaxRead {
		t.Fatalf("seq printed %d bytes, want between MaxOutput and MaxRead", len(want))
	}
	res, err := e.Run(context.Background(), Cmd{Argv: []string{"seq", "1", "200000"}})
	if err != nil || !bytes.Equal(res.Stdout, want) {
		t.Errorf("Run: %v, %d bytes of stdout, want all %d", err, len(res.Stdout), len(want))
	}
	res, err = e.Run(context.Background(), Cmd{Argv: []string{"seq", "1", "500000"}})
	var big *OutputTooLargeError
	if !errors.As(err, &big) || res.ExitCode != -1 {
		t.Fatalf("Run of 3.4 MB with MaxRead 2 MiB: exit %d, error %v, want an *OutputTooLargeError", res.ExitCode, err)
	}
	if got := err.Error(); got != "seq 1 500000: printed more than 2 MiB on standard output, more than zonemgr reads of one command; nothing of it was used" {
		t.Errorf("error = %q", got)
	}
	var live bytes.Buffer
	res, err = e.Run(context.Background(), Cmd{Argv: []string{"seq", "1", "500000"}, Stdout: &live})
	if err != nil || len(res.Stdout) != e.MaxOutput || live.Len() < 3<<20 {
		t.Errorf("streamed: %v, Result.Stdout %d bytes, streamed %d", err, len(res.Stdout), live.Len())
	}
}

func TestExecSameWriterForBothStreams(t *testing.T) {
	e := testExec(t)
	var live bytes.Buffer
	script := "for i in 1 2 3 4 5 6 7 8 9 10; do echo out$i; echo err$i >&2; done"
	_, err := e.Run(context.Background(), Cmd{Argv: []string{"sh", "-c", script}, Stdout: &live, Stderr: &live})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	lines := strings.Fields(live.String())
	if len(lines) != 20 {
		t.Errorf("live writer got %d lines, want 20: %q", len(lines), live.String())
	}
}

func TestExecStdinAndEnv(t *testing.T) {
	t.Setenv("LANG", "de_DE.UTF-8")
	t.Setenv("LC_MESSAGES", "de_DE.UTF-8")
	e := testExec(t)
	e.Env = []string{"ZONEMGR_A=exec", "ZONEMGR_B=exec"}
	c := Cmd{
		Argv:  []string{"sh", "-c", `cat; echo "|$LANG|$LC_MESSAGES|$LC_ALL|$ZONEMGR_A|$ZONEMGR_B"`},
		Stdin: []byte("input "),
		Env:   []string{"ZONEMGR_B=cmd"},
	}
	res, err := e.Run(context.Background(), c)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got, want := string(res.Stdout), "input |||C|exec|cmd\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
}

func TestExecTimeoutKillsProcessGroup(t *testing.T) {
	e := testExec(t)
	// sh waits for a sleep it started; both are in the command's process
	// group and must go.
	c := Cmd{Argv: []string{"sh", "-c", "sleep 30; echo survived"}, Timeout: 200 * time.Millisecond}
	res, err := e.Run(context.Background(), c)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run error = %v, want one wrapping context.DeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), "timed out after 200ms") {
		t.Errorf("error %q does not say \"timed out after 200ms\"", err)
	}
	if res.ExitCode != -1 {
		t.Errorf("ExitCode = %d, want -1", res.ExitCode)
	}
	if strings.Contains(string(res.Stdout), "survived") {
		t.Errorf("the command ran to its end: %q", res.Stdout)
	}
}

func TestExecDefaultTimeout(t *testing.T) {
	e := testExec(t)
	e.DefaultTimeout = 200 * time.Millisecond
	_, err := e.Run(context.Background(), Cmd{Argv: []string{"sleep", "30"}})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out after 200ms") {
		t.Fatalf("Run error = %v, want a timeout after 200ms", err)
	}
}

func TestExecContextCanceled(t *testing.T) {
	e := testExec(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := e.Run(ctx, Cmd{Argv: []string{"sleep", "30"}})
		done <- err
	}()
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error = %v, want one wrapping context.Canceled", err)
	}
}

func TestExecNotFound(t *testing.T) {
	e := &Exec{Tools: NewTools([]string{"PATH=" + t.TempDir()})}
	// /usr/sbin, /sbin and /usr/bin are searched too; pick a name no
	// system has.
	_, err := e.Run(context.Background(), Cmd{Argv: []string{"zonemgr-no-such-tool", "list"}})
	if err == nil || !strings.Contains(err.Error(), `"zonemgr-no-such-tool"`) || !errors.Is(err, exec.ErrNotFound) {
		t.Fatalf("Run error = %v, want one naming the tool and wrapping exec.ErrNotFound", err)
	}
	if _, err := e.Run(context.Background(), Cmd{}); err == nil {
		t.Error("Run with an empty argv succeeded")
	}
}

func TestExecTranscript(t *testing.T) {
	var live []string
	var mu sync.Mutex
	tr := NewTranscript(func(e TranscriptEntry) {
		mu.Lock()
		defer mu.Unlock()
		live = append(live, e.Argv)
	})
	e := testExec(t)
	e.Transcript = tr
	_, _ = e.Run(context.Background(), Cmd{Argv: []string{"sh", "-c", "exit 0"}})
	_, _ = e.Run(context.Background(), Cmd{Argv: []string{"sh", "-c", "exit 4"}})
	_, _ = e.Run(context.Background(), Cmd{Argv: []string{"sh", "-c", "echo s3cret"}, Secret: true})
	got := tr.Entries()
	if len(got) != 3 {
		t.Fatalf("%d entries, want 3", len(got))
	}
	want := []struct {
		argv string
		rc   int
	}{{"sh -c 'exit 0'", 0}, {"sh -c 'exit 4'", 4}, {"sh <arguments hidden>", 0}}
	for i, w := range want {
		if got[i].Argv != w.argv || got[i].ExitCode != w.rc || !got[i].Mutating {
			t.Errorf("entry %d = %+v, want argv %q rc %d mutating", i, got[i], w.argv, w.rc)
		}
	}
	if got[1].Err == "" || got[0].Err != "" {
		t.Errorf("Err fields = %q, %q; want only the failing command's set", got[0].Err, got[1].Err)
	}
	if len(live) != 3 || live[2] != "sh <arguments hidden>" {
		t.Errorf("live printer got %q", live)
	}
}

func TestCommandEnv(t *testing.T) {
	got := commandEnv(
		[]string{"PATH=/bin", "LANG=de_DE", "LC_CTYPE=x", "LC_ALL=de", "HOME=/root", "LANGUAGE=de"},
		[]string{"A=1", "HOME=/tmp"},
		[]string{"A=2"},
	)
	want := []string{"PATH=/bin", "HOME=/tmp", "LANGUAGE=de", "LC_ALL=C", "A=2"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("commandEnv = %q, want %q", got, want)
	}
}

func writeTool(t *testing.T, dir, name string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSearchPath(t *testing.T) {
	tests := []struct {
		env  []string
		want string
	}{
		{nil, "/usr/sbin:/sbin:/usr/bin"},
		{[]string{"PATH=/sim/bin:/usr/bin"}, "/sim/bin:/usr/bin:/usr/sbin:/sbin"},
		{[]string{"PATH=/usr/sbin:/sim/bin"}, "/usr/sbin:/sim/bin:/sbin:/usr/bin"},
		{[]string{"PATH=/sim/bin", "ZONEMGR_TOOLDIR=/tools"}, "/tools:/sim/bin:/usr/sbin:/sbin:/usr/bin"},
		{[]string{"PATH=/a::/b:/a", "ZONEMGR_TOOLDIR="}, "/a:/b:/usr/sbin:/sbin:/usr/bin"},
		{[]string{"PATH=/old", "PATH=/new"}, "/new:/usr/sbin:/sbin:/usr/bin"},
	}
	for _, tt := range tests {
		if got := SearchPath(tt.env); got != tt.want {
			t.Errorf("SearchPath(%q) = %q, want %q", tt.env, got, tt.want)
		}
		if got := NewTools(tt.env).SearchPath(); got != tt.want {
			t.Errorf("NewTools(%q).SearchPath() = %q, want %q", tt.env, got, tt.want)
		}
	}
}

func TestToolsLookPathOrder(t *testing.T) {
	root := t.TempDir()
	toolDir := filepath.Join(root, "tooldir")
	simDir := filepath.Join(root, "sim")
	otherDir := filepath.Join(root, "other")
	writeTool(t, toolDir, "zfs")
	writeTool(t, simDir, "zfs")
	writeTool(t, simDir, "zoneadm")
	writeTool(t, otherDir, "zoneadm")
	// Not executable: skipped.
	if err := os.WriteFile(filepath.Join(simDir, "zlogin"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeTool(t, otherDir, "zlogin")

	tools := NewTools([]string{"PATH=" + simDir + ":" + otherDir, "ZONEMGR_TOOLDIR=" + toolDir})
	for name, want := range map[string]string{
		"zfs":     filepath.Join(toolDir, "zfs"),
		"zoneadm": filepath.Join(simDir, "zoneadm"),
		"zlogin":  filepath.Join(otherDir, "zlogin"),
	} {
		got, err := tools.LookPath(name)
		if err != nil || got != want {
			t.Errorf("LookPath(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	// /bin/sh exists on every test machine; /usr/bin is appended, /bin is
	// not, so sh is found only through PATH or /usr/bin.
	if got, err := tools.LookPath("/bin/sh"); err != nil || got != "/bin/sh" {
		t.Errorf("LookPath(/bin/sh) = %q, %v", got, err)
	}
	if _, err := tools.LookPath("no-such-tool-anywhere"); !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("LookPath of a missing tool: %v, want exec.ErrNotFound", err)
	}
}

func TestToolsSystemDirsNeverFirst(t *testing.T) {
	// A tool that exists in /usr/bin (sh on Debian is also /usr/bin/sh)
	// must still resolve to the PATH copy first.
	sim := t.TempDir()
	want := writeTool(t, sim, "sh")
	got, err := NewTools([]string{"PATH=" + sim}).LookPath("sh")
	if err != nil || got != want {
		t.Errorf("LookPath(sh) = %q, %v; want the PATH copy %q", got, err, want)
	}
	e := &Exec{Tools: NewTools([]string{"PATH=" + sim})}
	res, err := e.Run(context.Background(), Cmd{Argv: []string{"sh", "-c", "exit 5"}})
	if err != nil || res.ExitCode != 0 {
		t.Errorf("Run(sh) = %d, %v; want the fake sh (exit 0)", res.ExitCode, err)
	}
}

// TestStdinFile: a file section is the command's standard input, read as
// the command reads it, and checked against its SHA-256: a file changed
// since it was checked fails the command.
func TestStdinFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "img")
	if err := os.WriteFile(file, []byte("HEADSTREAM-BYTESTAIL"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("STREAM-BYTES"))
	sec := &FileSection{Path: file, Offset: 4, Size: 12, SHA256: hex.EncodeToString(sum[:])}
	r := &Exec{}
	res, err := r.Run(context.Background(), Cmd{Argv: []string{"cat"}, StdinFile: sec})
	if err != nil || string(res.Stdout) != "STREAM-BYTES" {
		t.Fatalf("cat < section: %q, %v", res.Stdout, err)
	}
	// The same length, other bytes: only the checksum tells.
	os.WriteFile(file, []byte("HEADSTREAM-BYTEZTAIL"), 0o644)
	if _, err := r.Run(context.Background(), Cmd{Argv: []string{"cat"}, StdinFile: sec}); err == nil || !strings.Contains(err.Error(), "changed while it was read") {
		t.Errorf("a changed file: %v", err)
	}
}
