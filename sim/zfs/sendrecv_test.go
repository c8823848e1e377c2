package zfs_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/internal/simtest"
)

// pipe runs a sim tool with stdin and returns its result and raw stdout.
func pipe(s *simtest.Sim, stdin []byte, tool string, args ...string) (simtest.Result, []byte) {
	s.T.Helper()
	r := s.Pipe(stdin, nil, tool, args...)
	return r, []byte(r.Stdout)
}

// send runs zfs send and returns the stream.
func send(s *simtest.Sim, args ...string) []byte {
	s.T.Helper()
	r, out := pipe(s, nil, "zfs", append([]string{"send"}, args...)...)
	if r.Code != 0 {
		s.T.Fatalf("zfs send %v: exit %d: %s", args, r.Code, r.Stderr)
	}
	return out
}

// writeSimFile writes a file in the sim's global zone.
func writeSimFile(s *simtest.Sim, p, data string, mode os.FileMode) {
	s.T.Helper()
	if err := os.MkdirAll(filepath.Dir(s.Path(p)), 0o755); err != nil {
		s.T.Fatal(err)
	}
	if err := os.WriteFile(s.Path(p), []byte(data), mode); err != nil {
		s.T.Fatal(err)
	}
	if err := os.Chmod(s.Path(p), mode); err != nil {
		s.T.Fatal(err)
	}
}

// readSimFile reads a file of the sim's global zone ("" when missing).
func readSimFile(s *simtest.Sim, p string) string {
	b, err := os.ReadFile(s.Path(p))
	if err != nil {
		return ""
	}
	return string(b)
}

// sourceTree makes rpool/zones/src with a child and two snapshots.
func sourceTree(t *testing.T) *simtest.Sim {
	a := simtest.New(t)
	a.OK("zfs", "create", "-o", "sharenfs=off", "rpool/zones/src")
	a.OK("zfs", "create", "-o", "mountpoint=/srv/kid", "rpool/zones/src/kid")
	writeSimFile(a, "/zones/src/big", strings.Repeat("0123456789abcdef", 4096), 0o644)
	writeSimFile(a, "/zones/src/a.txt", "alpha\n", 0o640)
	writeSimFile(a, "/zones/src/dir/gone.txt", "old\n", 0o644)
	writeSimFile(a, "/srv/kid/k.txt", "kid\n", 0o600)
	a.OK("zfs", "snapshot", "-r", "rpool/zones/src@s1")
	writeSimFile(a, "/zones/src/a.txt", "alpha, changed\n", 0o640)
	writeSimFile(a, "/zones/src/b.txt", "beta\n", 0o755)
	if err := os.RemoveAll(a.Path("/zones/src/dir")); err != nil {
		t.Fatal(err)
	}
	a.OK("zfs", "snapshot", "-r", "rpool/zones/src@s2")
	return a
}

func TestSendReceiveReplication(t *testing.T) {
	a := sourceTree(t)
	full := send(a, "-R", "rpool/zones/src@s2")
	b := simtest.New(t)
	r, _ := pipe(b, full, "zfs", "receive", "rpool/zones/dst")
	simtest.Check(t, "receive -R", r, "", "", 0)
	simtest.Check(t, "received datasets",
		b.Run(nil, "zfs", "list", "-H", "-r", "-t", "all", "-o", "name,mountpoint,sharenfs", "rpool/zones/dst"),
		"rpool/zones/dst\t/zones/dst\toff\n"+
			"rpool/zones/dst@s1\t-\t-\n"+
			"rpool/zones/dst@s2\t-\t-\n"+
			"rpool/zones/dst/kid\t/srv/kid\toff\n"+
			"rpool/zones/dst/kid@s1\t-\t-\n"+
			"rpool/zones/dst/kid@s2\t-\t-\n", "", 0)
	guids := func(s *simtest.Sim, fs string) string {
		return s.OK("zfs", "get", "-H", "-o", "value", "guid", fs+"@s1", fs+"@s2")
	}
	if g1, g2 := guids(a, "rpool/zones/src"), guids(b, "rpool/zones/dst"); g1 != g2 {
		t.Errorf("snapshot guids: sent %q, received %q", g1, g2)
	}
	for p, want := range map[string]string{"/zones/dst/a.txt": "alpha, changed\n", "/zones/dst/b.txt": "beta\n", "/srv/kid/k.txt": "kid\n", "/zones/dst/dir/gone.txt": ""} {
		if got := readSimFile(b, p); got != want {
			t.Errorf("%s = %q, want %q", p, got, want)
		}
	}
	if fi, err := os.Stat(b.Path("/zones/dst/b.txt")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("b.txt mode: %v %v", fi, err)
	}
	r, _ = pipe(b, full, "zfs", "receive", "rpool/zones/dst")
	simtest.Check(t, "receive onto existing", r, "",
		"cannot receive new filesystem stream: destination 'rpool/zones/dst' exists\nmust specify -F to overwrite it\n", 1)
	r, _ = pipe(b, full, "zfs", "receive", "rpool/zones/nosuch/dst")
	simtest.Check(t, "receive without parent", r, "", "cannot receive new filesystem stream: dataset does not exist\n", 1)
}

func TestSendReceiveIncremental(t *testing.T) {
	a := sourceTree(t)
	b := simtest.New(t)
	r, _ := pipe(b, send(a, "rpool/zones/src@s1"), "zfs", "receive", "-u", "rpool/zones/dst")
	simtest.Check(t, "receive s1", r, "", "", 0)
	incr := send(a, "-i", "@s1", "rpool/zones/src@s2")
	full := send(a, "rpool/zones/src@s2")
	if len(incr) >= len(full) {
		t.Errorf("incremental stream %d bytes, full %d: want smaller", len(incr), len(full))
	}
	c := simtest.New(t)
	r, _ = pipe(c, incr, "zfs", "receive", "rpool/zones/dst")
	simtest.Check(t, "incremental without destination", r, "", "cannot receive incremental stream: destination 'rpool/zones/dst' does not exist\n", 1)
	c.OK("zfs", "create", "rpool/zones/dst")
	c.OK("zfs", "snapshot", "rpool/zones/dst@s1")
	r, _ = pipe(c, send(a, "-i", "@s1", "rpool/zones/src@s2"), "zfs", "receive", "rpool/zones/dst")
	simtest.Check(t, "incremental onto the wrong base", r, "", "cannot receive incremental stream: most recent snapshot of rpool/zones/dst does not\nmatch incremental source\n", 1)

	r, _ = pipe(b, incr, "zfs", "receive", "-v", "rpool/zones/dst")
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "receiving incremental stream of rpool/zones/src@s2 into rpool/zones/dst@s2\n") {
		t.Fatalf("incremental receive: %+v", r)
	}
	b.OK("zfs", "mount", "rpool/zones/dst")
	for p, want := range map[string]string{"/zones/dst/a.txt": "alpha, changed\n", "/zones/dst/b.txt": "beta\n", "/zones/dst/dir/gone.txt": ""} {
		if got := readSimFile(b, p); got != want {
			t.Errorf("%s = %q, want %q", p, got, want)
		}
	}
	r, _ = pipe(b, incr, "zfs", "receive", "rpool/zones/dst")
	simtest.Check(t, "the same incremental again", r, "", "", 0)
	writeSimFile(b, "/zones/dst/a.txt", "local change\n", 0o644)
	a.OK("zfs", "snapshot", "rpool/zones/src@s3")
	incr3 := send(a, "-i", "@s2", "rpool/zones/src@s3")
	r, _ = pipe(b, incr3, "zfs", "receive", "rpool/zones/dst")
	simtest.Check(t, "modified destination", r, "", "cannot receive incremental stream: destination rpool/zones/dst has been modified\nsince most recent snapshot\n", 1)
	r, _ = pipe(b, incr3, "zfs", "receive", "-F", "rpool/zones/dst")
	simtest.Check(t, "modified destination, -F", r, "", "", 0)
	if got := readSimFile(b, "/zones/dst/a.txt"); got != "alpha, changed\n" {
		t.Errorf("after -F, a.txt = %q", got)
	}
}

func TestReceiveDamagedStream(t *testing.T) {
	a := sourceTree(t)
	full := send(a, "-R", "rpool/zones/src@s2")
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
			b := simtest.New(t)
			before := b.OK("zfs", "list", "-H", "-r", "-t", "all", "-o", "name")
			r, _ := pipe(b, []byte(tt.stream), "zfs", "receive", "rpool/zones/dst")
			simtest.Check(t, "receive", r, "", tt.stderr, 1)
			if after := b.OK("zfs", "list", "-H", "-r", "-t", "all", "-o", "name"); after != before {
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
		r, _ := pipe(a, nil, "zfs", tt.args...)
		simtest.Check(t, strings.Join(tt.args, " "), r, "", tt.stderr, tt.code)
	}
}

// zfs send -R of a snapshot that a file system below lacks leaves that
// file system out with a warning and fails once the rest is written
// (libzfs_sendrecv.c dump_filesystem(), sdd->err).
func TestSendReplicationChildWithoutTheSnapshot(t *testing.T) {
	a := sourceTree(t)
	a.OK("zfs", "create", "rpool/zones/src/late")
	a.OK("zfs", "snapshot", "rpool/zones/src@s3")
	r, out := pipe(a, nil, "zfs", "send", "-R", "rpool/zones/src@s3")
	if r.Code != 1 || r.Stderr != "WARNING: could not send rpool/zones/src/kid@s3: does not exist\nWARNING: could not send rpool/zones/src/late@s3: does not exist\n" || len(out) == 0 {
		t.Errorf("send -R: exit %d, stderr %q, %d bytes of stream", r.Code, r.Stderr, len(out))
	}
}
