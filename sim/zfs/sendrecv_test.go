package zfs_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
)

// pipe runs a sim tool with stdin and returns its result and raw stdout.
func (s *sim) pipe(stdin []byte, tool string, args ...string) (result, []byte) {
	s.t.Helper()
	cmd := exec.Command(filepath.Join(simBin, tool), args...)
	cmd.Env = append(os.Environ(), core.EnvRoot+"="+s.root)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(stdin), &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		s.t.Fatalf("run %s %v: %v", tool, args, err)
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}, stdout.Bytes()
}

// send runs zfs send and returns the stream.
func (s *sim) send(args ...string) []byte {
	s.t.Helper()
	r, out := s.pipe(nil, "zfs", append([]string{"send"}, args...)...)
	if r.code != 0 {
		s.t.Fatalf("zfs send %v: exit %d: %s", args, r.code, r.stderr)
	}
	return out
}

// writeFile writes a file in the sim's global zone.
func (s *sim) writeFile(p, data string, mode os.FileMode) {
	s.t.Helper()
	if err := os.MkdirAll(filepath.Dir(s.path(p)), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(s.path(p), []byte(data), mode); err != nil {
		s.t.Fatal(err)
	}
	if err := os.Chmod(s.path(p), mode); err != nil {
		s.t.Fatal(err)
	}
}

// readFile reads a file of the sim's global zone ("" when missing).
func (s *sim) readFile(p string) string {
	b, err := os.ReadFile(s.path(p))
	if err != nil {
		return ""
	}
	return string(b)
}

// sourceTree makes rpool/zones/src with a child and two snapshots.
func sourceTree(t *testing.T) *sim {
	a := newSim(t)
	a.ok("zfs", "create", "-o", "sharenfs=off", "rpool/zones/src")
	a.ok("zfs", "create", "-o", "mountpoint=/srv/kid", "rpool/zones/src/kid")
	a.writeFile("/zones/src/big", strings.Repeat("0123456789abcdef", 4096), 0o644)
	a.writeFile("/zones/src/a.txt", "alpha\n", 0o640)
	a.writeFile("/zones/src/dir/gone.txt", "old\n", 0o644)
	a.writeFile("/srv/kid/k.txt", "kid\n", 0o600)
	a.ok("zfs", "snapshot", "-r", "rpool/zones/src@s1")
	a.writeFile("/zones/src/a.txt", "alpha, changed\n", 0o640)
	a.writeFile("/zones/src/b.txt", "beta\n", 0o755)
	if err := os.RemoveAll(a.path("/zones/src/dir")); err != nil {
		t.Fatal(err)
	}
	a.ok("zfs", "snapshot", "-r", "rpool/zones/src@s2")
	return a
}

func TestSendReceiveReplication(t *testing.T) {
	a := sourceTree(t)
	full := a.send("-R", "rpool/zones/src@s2")
	b := newSim(t)
	r, _ := b.pipe(full, "zfs", "receive", "rpool/zones/dst")
	check(t, "receive -R", r, "", "", 0)
	check(t, "received datasets",
		b.run(nil, "zfs", "list", "-H", "-r", "-t", "all", "-o", "name,mountpoint,sharenfs", "rpool/zones/dst"),
		"rpool/zones/dst\t/zones/dst\toff\n"+
			"rpool/zones/dst@s1\t-\t-\n"+
			"rpool/zones/dst@s2\t-\t-\n"+
			"rpool/zones/dst/kid\t/srv/kid\toff\n"+
			"rpool/zones/dst/kid@s1\t-\t-\n"+
			"rpool/zones/dst/kid@s2\t-\t-\n", "", 0)
	guids := func(s *sim, fs string) string {
		return s.ok("zfs", "get", "-H", "-o", "value", "guid", fs+"@s1", fs+"@s2")
	}
	if g1, g2 := guids(a, "rpool/zones/src"), guids(b, "rpool/zones/dst"); g1 != g2 {
		t.Errorf("snapshot guids: sent %q, received %q", g1, g2)
	}
	for p, want := range map[string]string{"/zones/dst/a.txt": "alpha, changed\n", "/zones/dst/b.txt": "beta\n", "/srv/kid/k.txt": "kid\n", "/zones/dst/dir/gone.txt": ""} {
		if got := b.readFile(p); got != want {
			t.Errorf("%s = %q, want %q", p, got, want)
		}
	}
	if fi, err := os.Stat(b.path("/zones/dst/b.txt")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("b.txt mode: %v %v", fi, err)
	}
	r, _ = b.pipe(full, "zfs", "receive", "rpool/zones/dst")
	check(t, "receive onto existing", r, "",
		"cannot receive new filesystem stream: destination 'rpool/zones/dst' exists\nmust specify -F to overwrite it\n", 1)
	r, _ = b.pipe(full, "zfs", "receive", "rpool/zones/nosuch/dst")
	check(t, "receive without parent", r, "", "cannot receive new filesystem stream: dataset does not exist\n", 1)
}

func TestSendReceiveIncremental(t *testing.T) {
	a := sourceTree(t)
	b := newSim(t)
	r, _ := b.pipe(a.send("rpool/zones/src@s1"), "zfs", "receive", "-u", "rpool/zones/dst")
	check(t, "receive s1", r, "", "", 0)
	incr := a.send("-i", "@s1", "rpool/zones/src@s2")
	full := a.send("rpool/zones/src@s2")
	if len(incr) >= len(full) {
		t.Errorf("incremental stream %d bytes, full %d: want smaller", len(incr), len(full))
	}
	c := newSim(t)
	r, _ = c.pipe(incr, "zfs", "receive", "rpool/zones/dst")
	check(t, "incremental without destination", r, "", "cannot receive incremental stream: destination 'rpool/zones/dst' does not exist\n", 1)
	c.ok("zfs", "create", "rpool/zones/dst")
	c.ok("zfs", "snapshot", "rpool/zones/dst@s1")
	r, _ = c.pipe(a.send("-i", "@s1", "rpool/zones/src@s2"), "zfs", "receive", "rpool/zones/dst")
	check(t, "incremental onto the wrong base", r, "", "cannot receive incremental stream: most recent snapshot of rpool/zones/dst does not\nmatch incremental source\n", 1)

	r, _ = b.pipe(incr, "zfs", "receive", "-v", "rpool/zones/dst")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "receiving incremental stream of rpool/zones/src@s2 into rpool/zones/dst@s2\n") {
		t.Fatalf("incremental receive: %+v", r)
	}
	b.ok("zfs", "mount", "rpool/zones/dst")
	for p, want := range map[string]string{"/zones/dst/a.txt": "alpha, changed\n", "/zones/dst/b.txt": "beta\n", "/zones/dst/dir/gone.txt": ""} {
		if got := b.readFile(p); got != want {
			t.Errorf("%s = %q, want %q", p, got, want)
		}
	}
	r, _ = b.pipe(incr, "zfs", "receive", "rpool/zones/dst")
	check(t, "the same incremental again", r, "", "", 0)
	b.writeFile("/zones/dst/a.txt", "local change\n", 0o644)
	a.ok("zfs", "snapshot", "rpool/zones/src@s3")
	incr3 := a.send("-i", "@s2", "rpool/zones/src@s3")
	r, _ = b.pipe(incr3, "zfs", "receive", "rpool/zones/dst")
	check(t, "modified destination", r, "", "cannot receive incremental stream: destination rpool/zones/dst has been modified\nsince most recent snapshot\n", 1)
	r, _ = b.pipe(incr3, "zfs", "receive", "-F", "rpool/zones/dst")
	check(t, "modified destination, -F", r, "", "", 0)
	if got := b.readFile("/zones/dst/a.txt"); got != "alpha, changed\n" {
		t.Errorf("after -F, a.txt = %q", got)
	}
}

func TestReceiveDamagedStream(t *testing.T) {
	a := sourceTree(t)
	full := a.send("-R", "rpool/zones/src@s2")
	i := bytes.Index(full, []byte("alpha, changed"))
	if i < 0 {
		t.Fatal("file data not found in the stream")
	}
	bad := bytes.Clone(full)
	bad[i] ^= 0x20
	tests := []struct {
		name, stream, stderr string
	}{
		{"one byte changed", string(bad), "cannot receive new filesystem stream: invalid backup stream\n"},
		{"not a stream", "hello, world\n", "cannot receive: invalid stream (bad magic number)\n"},
		{"empty", "", "cannot receive: failed to read from stream\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newSim(t)
			before := b.ok("zfs", "list", "-H", "-r", "-t", "all", "-o", "name")
			r, _ := b.pipe([]byte(tt.stream), "zfs", "receive", "rpool/zones/dst")
			check(t, "receive", r, "", tt.stderr, 1)
			if after := b.ok("zfs", "list", "-H", "-r", "-t", "all", "-o", "name"); after != before {
				t.Errorf("datasets changed:\n%s", after)
			}
		})
	}
}

func TestSendErrors(t *testing.T) {
	a := sourceTree(t)
	tests := []struct {
		args   []string
		stderr string
		code   int
	}{
		{[]string{"send", "rpool/zones/src@nosuch"}, "cannot open 'rpool/zones/src@nosuch': dataset does not exist\n", 1},
		{[]string{"send", "-i", "@nosuch", "rpool/zones/src@s2"}, "cannot open 'rpool/zones/src@nosuch': dataset does not exist\n", 1},
		{[]string{"send", "-i", "@s2", "rpool/zones/src@s1"}, "warning: cannot send 'rpool/zones/src@s1': not an earlier snapshot from the same fs\n", 1},
	}
	for _, tt := range tests {
		r, _ := a.pipe(nil, "zfs", tt.args...)
		check(t, strings.Join(tt.args, " "), r, "", tt.stderr, tt.code)
	}
}
