// Package differential compares the simulator with real implementations
// that run on Linux: the sim's zfs against Debian's zfs-fuse (real ZFS in
// user space on a file-backed pool). The same command sequences run on
// both; exit codes, standard output and error texts must agree, except
// where a step lists the reason they cannot (illumos text newer than
// zfs-fuse's, or a feature zfs-fuse lacks).
package differential

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/test/internal/simh"
)

// TestMain removes the binaries the tests built, if they built them.
func TestMain(m *testing.M) { simh.Main(m) }

// fusePool is the zfs-fuse pool's name; its outputs are compared after
// it is replaced by the sim's pool name.
const (
	fusePool = "zmdiffpool"
	simPool  = "rpool"
)

// A step is one zfs command, with POOL standing for the pool. differs,
// when set, is why the outputs cannot agree: the step is run on both and
// must still differ (so the list stays honest). usage, when set, is why
// only the exit code and the first line of stderr are compared (the usage
// text and property table that follow are illumos's newer ones).
type step struct {
	args    string
	differs string
	usage   string
}

// A sequence is a named series of steps run under POOL/diff/<name>, which
// stands for BASE in the steps.
type sequence struct {
	name  string
	steps []step
}

// Reasons for the differences that remain.
const (
	newerRollback = "illumos prints 'more recent snapshots or bookmarks exist' (bookmarks, 2015); zfs-fuse predates bookmarks"
	newerLZ4      = "illumos lists lz4 among the compression values (2013); zfs-fuse predates lz4"
	newerAtSign   = "illumos says \"snapshot delimiter '@' is not expected here\"; zfs-fuse's older libzfs says \"snapshot delimiter '@' in filesystem name\""
	newerMultiAt  = "illumos says \"cannot create snapshot '...': multiple '@' and/or '#' delimiters in name\" (bookmarks added '#'); zfs-fuse says \"cannot snapshot '...': multiple '@' delimiters in name\""
	snapUsage     = "illumos zfs_do_snapshot goes to usage (exit 2) when the dataset cannot be opened; zfs-fuse's older zfs returns 1 without usage"
	destroyOpen   = "illumos zfs_do_destroy opens the dataset part of a snapshot name, so the error names 'p/nosuch'; zfs-fuse names 'p/nosuch@s1'"
	usageTable    = "illumos's usage lists newer options (-p) and properties (bookmark, lz4, sha512, filesystem_limit, ...)"
	// The three below follow illumos's libzfs as the sim implements it
	// (zfs_hold_nvl, zfs_release, lzc_destroy_snaps error texts); the
	// reference lists only the destroy form [derived for the others].
	newerHold    = "illumos says \"cannot hold snapshot '...'\"; zfs-fuse says \"cannot hold '...'\""
	newerRelease = "illumos says \"cannot release hold from snapshot '...'\"; zfs-fuse says \"cannot release 'TAG' from '...'\""
	newerBusy    = "illumos destroys snapshots through lzc_destroy_snaps: \"cannot destroy snapshot p/a@s: dataset is busy\" (no quotes); zfs-fuse quotes the name"
)

var sequences = []sequence{
	{"create", []step{
		{args: "zfs create BASE/a"},
		{args: "zfs create BASE/a"},
		{args: "zfs create BASE/missing/a"},
		{args: "zfs create -p BASE/p/q/r"},
		{args: "zfs create -p BASE/p/q/r"},
		{args: "zfs create -o atime=off -o compression=gzip-9 -o com.sun:auto-snapshot=false BASE/o"},
		{args: "zfs create -o compression=bogus BASE/bad", differs: newerLZ4},
		{args: "zfs create BASE/a@snap", differs: newerAtSign},
		{args: "zfs create BASE//a"},
		{args: "zfs list -H -o name -r BASE"},
	}},
	{"set-get", []step{
		{args: "zfs create BASE/a"},
		{args: "zfs create BASE/a/b"},
		{args: "zfs set compression=gzip-9 BASE/a"},
		{args: "zfs set compression=bogus BASE/a", differs: newerLZ4},
		{args: "zfs set atime=maybe BASE/a"},
		{args: "zfs set nosuchprop=1 BASE/a"},
		{args: "zfs set atime=off BASE/a"},
		{args: "zfs set com.sun:auto-snapshot=false BASE/a"},
		{args: "zfs get -H -p -o name,property,value,source compression,atime,com.sun:auto-snapshot BASE/a"},
		{args: "zfs get -H -p -o name,property,value,source compression,atime,com.sun:auto-snapshot BASE/a/b"},
		{args: "zfs get -H -o value dedup BASE/a"},
		{args: "zfs get -H -o value compression BASE/nosuch"},
		{args: "zfs set atime=on BASE/nosuch"},
		{args: "zfs inherit compression BASE/a"},
		{args: "zfs get -H -o name,value,source compression BASE/a BASE/a/b"},
	}},
	{"snapshot-clone-promote", []step{
		{args: "zfs create BASE/a"},
		{args: "zfs create BASE/a/b"},
		{args: "zfs snapshot BASE/a@s1"},
		{args: "zfs snapshot BASE/a@s1"},
		{args: "zfs snapshot -r BASE/a@s2"},
		{args: "zfs snapshot BASE/nosuch@s1", differs: snapUsage},
		{args: "zfs snapshot BASE/a@bad@name", differs: newerMultiAt},
		{args: "zfs list -H -o name -t snapshot -r BASE"},
		{args: "zfs clone BASE/a@s1 BASE/c"},
		{args: "zfs clone BASE/a@s1 BASE/c"},
		{args: "zfs clone BASE/a@nosuch BASE/c2"},
		{args: "zfs clone BASE/a@s1 BASE/missing/c"},
		{args: "zfs list -H -o name,origin -r BASE"},
		{args: "zfs promote BASE/a"},
		{args: "zfs promote BASE/c"},
		{args: "zfs list -H -o name,origin -t all -r BASE"},
		{args: "zfs promote BASE/nosuch"},
	}},
	{"rollback", []step{
		{args: "zfs create BASE/a"},
		{args: "zfs snapshot BASE/a@s1"},
		{args: "zfs snapshot BASE/a@s2"},
		{args: "zfs snapshot BASE/a@s3"},
		{args: "zfs rollback BASE/a@s3"},
		{args: "zfs rollback BASE/a@s1", differs: newerRollback},
		{args: "zfs clone BASE/a@s2 BASE/c"},
		{args: "zfs rollback -r BASE/a@s1"},
		{args: "zfs destroy BASE/c"},
		{args: "zfs rollback -r BASE/a@s1"},
		{args: "zfs list -H -o name -t snapshot -r BASE"},
		{args: "zfs rollback BASE/a@nosuch"},
		{args: "zfs rollback BASE/a"},
	}},
	{"destroy", []step{
		{args: "zfs create BASE/a"},
		{args: "zfs create BASE/a/b"},
		{args: "zfs destroy BASE/a"},
		{args: "zfs snapshot BASE/a/b@s1"},
		{args: "zfs destroy BASE/a/b"},
		{args: "zfs clone BASE/a/b@s1 BASE/c"},
		{args: "zfs destroy BASE/a/b@s1"},
		{args: "zfs destroy -r BASE/a"},
		{args: "zfs list -H -o name,origin -t all -r BASE"},
		{args: "zfs destroy BASE/c"},
		{args: "zfs destroy -r BASE/a"},
		{args: "zfs destroy BASE/a"},
		{args: "zfs destroy BASE/nosuch@s1", differs: destroyOpen},
		{args: "zfs list -H -o name -t all -r BASE"},
	}},
	{"destroy-dependents", []step{
		{args: "zfs create BASE/g"},
		{args: "zfs snapshot BASE/g@s1"},
		{args: "zfs clone BASE/g@s1 BASE/d1"},
		{args: "zfs clone BASE/g@s1 BASE/d2"},
		{args: "zfs destroy BASE/g"},
		{args: "zfs destroy -r BASE/g"},
		{args: "zfs promote BASE/d1"},
		{args: "zfs list -H -o name,origin -t all -r BASE"},
		{args: "zfs destroy -r BASE/g"},
		{args: "zfs destroy BASE/d1@s1"},
		{args: "zfs destroy BASE/d2"},
		{args: "zfs destroy BASE/d1@s1"},
		{args: "zfs list -H -o name,origin -t all -r BASE"},
	}},
	{"numbers-holds", []step{
		{args: "zfs create -o quota=10M BASE/a"},
		{args: "zfs set reservation=1M BASE/a"},
		{args: "zfs set quota=lots BASE/a"},
		{args: "zfs get -H -p -o name,property,value,source quota,reservation BASE/a"},
		{args: "zfs get -H -o value quota BASE/a"},
		{args: "zfs snapshot BASE/a@s1"},
		{args: "zfs hold keep BASE/a@s1"},
		{args: "zfs hold keep BASE/a@s1", differs: newerHold},
		{args: "zfs get -H -p -o value userrefs BASE/a@s1"},
		{args: "zfs destroy BASE/a@s1", differs: newerBusy},
		{args: "zfs release keep BASE/a@s1"},
		{args: "zfs release keep BASE/a@s1", differs: newerRelease},
		{args: "zfs destroy BASE/a@s1"},
	}},
	{"list", []step{
		{args: "zfs create BASE/a"},
		{args: "zfs create BASE/b"},
		{args: "zfs snapshot BASE/a@s1"},
		{args: "zfs list -H -o name,type -r BASE"},
		{args: "zfs list -H -o name,type -t all -r BASE"},
		{args: "zfs list -H -o name -t snapshot BASE/a"},
		{args: "zfs list -H -o name,type BASE/a@s1"},
		{args: "zfs list -H -o name -t filesystem BASE/a@s1"},
		{args: "zfs list -H -o name,mountpoint,compression -d 1 BASE"},
		{args: "zfs list -H -o name BASE/nosuch"},
		{args: "zfs list -H -o name,nosuchprop BASE/a", usage: usageTable},
		{args: "zfs list -H -o name -t bogus BASE/a", usage: usageTable},
		{args: "zfs list -H -o name -s name -r BASE"},
	}},
}

// A zfsSide runs zfs commands against one implementation.
type zfsSide struct {
	name string
	pool string
	env  []string
	dir  string // where zfs and zpool are found
}

func (z *zfsSide) run(args []string) (stdout, stderr string, code int) {
	cmd := exec.Command(filepath.Join(z.dir, args[0]), args[1:]...)
	cmd.Env = z.env
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		code, e = -1, *bytes.NewBufferString(err.Error())
	}
	return o.String(), e.String(), code
}

// argv expands POOL and BASE and splits a step into words.
func (z *zfsSide) argv(s, base string) []string {
	s = strings.ReplaceAll(s, "BASE", z.pool+"/diff/"+base)
	return strings.Fields(strings.ReplaceAll(s, "POOL", z.pool))
}

// startFuse starts a zfs-fuse daemon of its own and makes a file-backed
// pool, or skips the test saying what is missing.
func startFuse(t *testing.T) *zfsSide {
	t.Helper()
	if os.Geteuid() != 0 {
		simh.Skip(t, "zfs-fuse needs root")
	}
	daemon, err := exec.LookPath("zfs-fuse")
	if err != nil {
		simh.Skip(t, "zfs-fuse is not installed (apt-get install -y --no-install-recommends zfs-fuse)")
	}
	dir := filepath.Dir(daemon)
	for _, tool := range []string{"zfs", "zpool"} {
		if _, err := os.Stat(filepath.Join(dir, tool)); err != nil {
			simh.Skipf(t, "zfs-fuse's %s is not beside %s", tool, daemon)
		}
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		simh.Skip(t, "/dev/fuse is missing: zfs-fuse cannot run here")
	}
	side := &zfsSide{name: "zfs-fuse", pool: fusePool, dir: dir, env: []string{"PATH=" + dir + ":/usr/bin:/bin", "LC_ALL=C"}}
	if _, _, code := side.run([]string{"zpool", "list", "-H", "-o", "name"}); code == 0 {
		simh.Skip(t, "a zfs-fuse daemon is already running; the differential test runs only with a daemon of its own")
	}
	tmp := t.TempDir()
	d := exec.Command(daemon, "--no-daemon", "--no-kstat-mount", "--pidfile", filepath.Join(tmp, "pid"))
	var dout bytes.Buffer
	d.Stdout, d.Stderr = &dout, &dout
	if err := d.Start(); err != nil {
		simh.Skipf(t, "zfs-fuse does not start: %v", err)
	}
	exited := make(chan struct{})
	go func() { d.Wait(); close(exited) }()
	t.Cleanup(func() {
		side.run([]string{"zpool", "destroy", "-f", fusePool})
		d.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			d.Process.Kill()
			<-exited
		}
	})
	// Wait for the daemon's socket: a readiness poll, not an assertion.
	ready := false
	for i := 0; i < 100 && !ready; i++ {
		select {
		case <-exited:
			simh.Skipf(t, "zfs-fuse exited at start: %s", dout.String())
		case <-time.After(100 * time.Millisecond):
		}
		_, _, code := side.run([]string{"zpool", "list"})
		ready = code == 0
	}
	if !ready {
		simh.Skipf(t, "zfs-fuse did not answer within 10s: %s", dout.String())
	}
	disk := filepath.Join(tmp, "disk")
	if err := os.WriteFile(disk, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(disk, 128<<20); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := side.run([]string{"zpool", "create", "-m", "none", fusePool, disk}); code != 0 {
		simh.Skipf(t, "zpool create on zfs-fuse: exit %d: %s%s", code, out, errOut)
	}
	return side
}

// startSim makes a fresh simulated global zone with the sim's zfs, run
// with an environment as bare as zfs-fuse's.
func startSim(t *testing.T) *zfsSide {
	t.Helper()
	s := simh.New(t, simh.AllowDestroyDependents())
	return &zfsSide{name: "sim", pool: simPool, dir: s.Links, env: []string{"PATH=" + s.Links + ":/usr/bin:/bin", core.EnvRoot + "=" + s.Root, "LC_ALL=C"}}
}

// TestZFSAgainstZFSFuse runs every sequence on the sim and on zfs-fuse
// and compares each step's exit code, stdout and stderr, with the
// zfs-fuse pool's name replaced by the sim's.
func TestZFSAgainstZFSFuse(t *testing.T) {
	fuse := startFuse(t)
	sim := startSim(t)
	for _, side := range []*zfsSide{fuse, sim} {
		// No dataset of the comparison is ever mounted: a FUSE mount
		// makes an immediate destroy fail with "dataset is busy".
		// compression is set here because the sim's rpool, like an
		// installed illumos rpool, has compression=lz4 of its own.
		if out, errOut, code := side.run(side.argv("zfs create -o mountpoint=none -o compression=off POOL/diff", "")); code != 0 {
			t.Fatalf("%s: create POOL/diff: %s%s", side.name, out, errOut)
		}
	}
	compared, differing := 0, 0
	for _, seq := range sequences {
		t.Run(seq.name, func(t *testing.T) {
			for _, side := range []*zfsSide{fuse, sim} {
				if out, errOut, code := side.run(side.argv("zfs create BASE", seq.name)); code != 0 {
					t.Fatalf("%s: create the sequence's dataset: %s%s", side.name, out, errOut)
				}
			}
			for i, st := range seq.steps {
				fo, fe, fc := fuse.run(fuse.argv(st.args, seq.name))
				so, se, sc := sim.run(sim.argv(st.args, seq.name))
				fo = strings.ReplaceAll(fo, fusePool, simPool)
				fe = strings.ReplaceAll(fe, fusePool, simPool)
				compared++
				where := fmt.Sprintf("step %d: %s", i+1, st.args)
				if st.differs != "" {
					differing++
					if so == fo && se == fe && sc == fc {
						t.Errorf("%s: listed as differing (%s) but the results agree", where, st.differs)
					}
					continue
				}
				if fc != sc {
					t.Errorf("%s: exit %d on the sim, %d on zfs-fuse\nsim: %s%s\nzfs-fuse: %s%s", where, sc, fc, so, se, fo, fe)
					continue
				}
				if st.usage != "" {
					differing++
					se, _, _ = strings.Cut(se, "\n")
					fe, _, _ = strings.Cut(fe, "\n")
				}
				if so != fo {
					t.Errorf("%s: stdout differs\nsim:\n%s\nzfs-fuse:\n%s", where, so, fo)
				}
				if se != fe {
					t.Errorf("%s: stderr differs\nsim:      %q\nzfs-fuse: %q", where, se, fe)
				}
			}
		})
	}
	t.Logf("%d zfs steps compared in %d sequences; %d differ for a listed reason", compared, len(sequences), differing)
}
