package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/pkg"
	"github.com/zonemgr/zonemgr/test/internal/crash"
)

// mustGC runs zonemgr gc and fails the test unless it exits 0.
func (s *Sim) mustGC(t *testing.T) string {
	t.Helper()
	out, errOut, code := s.Run(nil, "zonemgr", "gc")
	if code != 0 {
		t.Fatalf("zonemgr gc: exit %d\n%s%s", code, out, errOut)
	}
	return out + errOut
}

// TestGCLeavesDetachedGolden: a golden zone detached for maintenance is
// configured, and no journal records it: gc changes nothing, and the zone
// attaches again.
func TestGCLeavesDetachedGolden(t *testing.T) {
	s := goldenSim(t)
	if _, errOut, code := s.Run(nil, "zoneadm", "-z", "golden", "detach"); code != 0 {
		t.Fatalf("detach: %s", errOut)
	}
	before := s.State()
	s.mustGC(t)
	if got := s.State(); got != before {
		t.Fatalf("gc changed the sim with a detached golden zone:\n%s", diffLines(before, got))
	}
	info := s.MustModule("zone_info", map[string]any{})
	if o, _ := info["orphans"].(map[string]any); len(strs(o["zones"])) != 0 || len(strs(o["unrecorded"])) != 0 {
		t.Errorf("a detached golden zone is reported: %v", o)
	}
	if _, errOut, code := s.Run(nil, "zoneadm", "-z", "golden", "attach"); code != 0 {
		t.Fatalf("attach after gc: %s", errOut)
	}
}

// TestGCLeavesUserSnapshots: snapshots zonemgr did not record, whatever
// their names, are never gc's.
func TestGCLeavesUserSnapshots(t *testing.T) {
	s := goldenSim(t)
	if out, errOut, code := s.Run(nil, "zonemgr", "snapshot", "-z", "golden", "-s", "before_snapshot"); code != 0 {
		t.Fatalf("snapshot: %s%s", out, errOut)
	}
	for _, snap := range []string{"rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@mine_snap", "rpool/zones/_zonemgr/GIZ/golden@x_snap2"} {
		if _, errOut, code := s.Run(nil, "zfs", "snapshot", snap); code != 0 {
			t.Fatalf("zfs snapshot %s: %s", snap, errOut)
		}
	}
	before := s.State()
	s.mustGC(t)
	if got := s.State(); got != before {
		t.Fatalf("gc changed the sim:\n%s", diffLines(before, got))
	}
}

// TestExecDIZOwnsItsZone: a one-shot run never works in a zone it did
// not make: a name that exists is refused before anything changes, and
// of parallel runs with one name, one runs and the others are refused.
func TestExecDIZOwnsItsZone(t *testing.T) {
	s := goldenSim(t)
	s.MustModule("zone_diz", map[string]any{"name": "e1", "giz": "golden"})
	before := s.State()
	out, errOut, code := s.Run(nil, "zonemgr", "exec-diz", "-c", "golden", "-z", "e1", "--exec-cmd", "touch /adopted")
	if code != 1 || !strings.Contains(errOut, "zone e1 exists: a one-shot run clones a fresh disposable zone") {
		t.Errorf("exec-diz on an existing zone: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	if got := s.State(); got != before {
		t.Fatalf("the refused exec-diz changed the sim:\n%s", diffLines(before, got))
	}
	res := s.Module("zone_exec", map[string]any{"giz": "golden", "name": "e1", "cmd": "touch /adopted"})
	if res["failed"] != true || !strings.Contains(fmt.Sprint(res["msg"]), "name: zone e1 exists") {
		t.Errorf("zone_exec on an existing zone: %v", pretty(res))
	}

	// Four at once with one new name.
	const n = 4
	type result struct {
		code           int
		stdout, stderr string
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, e, c := s.Run(nil, "zonemgr", "exec-diz", "-c", "golden", "-z", "same", "--exec-cmd", "sleep 1; echo ran")
			results[i] = result{c, o, e}
		}()
	}
	wg.Wait()
	ok := 0
	for i, r := range results {
		switch {
		case r.code == 0 && r.stdout == "ran\n":
			ok++
		case r.code == 1 && (strings.Contains(r.stderr, "zone same is being worked on by another zonemgr run") || strings.Contains(r.stderr, "zone same exists")):
		default:
			t.Errorf("run %d: exit %d\nstdout %q\nstderr %q", i, r.code, r.stdout, r.stderr)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d parallel runs with one name ran, want 1", ok, n)
	}
	if got := s.State(); got != before {
		t.Errorf("left behind by parallel runs with one name:\n%s", diffLines(before, got))
	}
}

// startPaused starts zonemgr with one sim call held until the returned
// release is called; it returns once the call is reached.
func (s *Sim) startPaused(t *testing.T, call string, args ...string) (release func() (stdout, stderr string, code int)) {
	t.Helper()
	return s.startPausedFailing(t, "", call, args...)
}

// startPausedFailing is startPaused with more fail specs (lines of
// core.EnvFail) in force.
func (s *Sim) startPausedFailing(t *testing.T, fail, call string, args ...string) (release func() (stdout, stderr string, code int)) {
	t.Helper()
	latch := filepath.Join(t.TempDir(), "latch")
	key, nth, _ := strings.Cut(call, "#")
	n, err := strconv.Atoi(nth)
	if err != nil {
		n = 1 // "*": the first call
	}
	s.resetFailCounts()
	cmd := exec.Command(filepath.Join(s.Bin, "zonemgr"), args...)
	cmd.Env = append(append([]string{}, s.Env...), core.EnvFail+"="+fail+"\n"+call+":wait="+latch)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	if err := s.awaitCall(key, n, exited); err != nil {
		cmd.Process.Kill()
		t.Fatalf("zonemgr %v: %v:\n%s%s", args, err, o.String(), e.String())
	}
	return func() (string, string, int) {
		os.WriteFile(latch, nil, 0o644)
		<-exited
		return o.String(), e.String(), cmd.ProcessState.ExitCode()
	}
}

// TestGCDuringLiveRun: gc runs while a run has made its VNIC and its
// delegated dataset but not yet the configuration that names them: gc
// leaves them (and the run's journal) alone, and the run completes.
func TestGCDuringLiveRun(t *testing.T) {
	s := goldenSim(t)
	release := s.startPaused(t, "zonecfg create#1", "create-diz", "-c", "golden", "-z", "live1",
		"--add-vnic-over", "e1000g0", "--delegate-dataset", "rpool/export/live1")
	during := s.State()
	out := s.mustGC(t)
	if got := s.State(); got != during {
		t.Errorf("gc changed what a live run made:\n%s\ngc said:\n%s", diffLines(during, got), out)
	}
	if !strings.Contains(during, "autodizlive1_0") || !strings.Contains(during, "rpool/export/live1") {
		t.Fatalf("the run had not made its VNIC and dataset yet:\n%s", during)
	}
	if o, e, code := release(); code != 0 {
		t.Fatalf("the run after gc: exit %d\n%s%s", code, o, e)
	}
	res := s.MustModule("zone_diz", map[string]any{"name": "live1", "state": "running"})
	if vn := strs(res["vnics"]); len(vn) != 1 || vn[0] != "autodizlive1_0" {
		t.Errorf("the zone's VNICs after the run: %v", vn)
	}

	// gc's view must not go stale: a run that starts while gc is busy
	// with a killed run's journal makes its VNIC after gc looked; gc,
	// going on, leaves it alone.
	s.crashAt("zoneadm clone#1", "zonemgr", "create-diz", "-c", "golden", "-z", "dead1", "--add-vnic-over", "e1000g0")
	releaseGC := s.startPaused(t, "zonecfg delete#1", "gc")
	release = s.startPaused(t, "zonecfg create#1", "create-diz", "-c", "golden", "-z", "live2", "--add-vnic-over", "e1000g0")
	if o, e, code := releaseGC(); code != 0 {
		t.Fatalf("gc: exit %d\n%s%s", code, o, e)
	}
	if vn, _, _ := s.Run(nil, "dladm", "show-vnic", "-p", "-o", "link"); !strings.Contains(vn, "autodizlive2_0") || strings.Contains(vn, "autodizdead1_0") {
		t.Errorf("VNICs after gc: %q, want the live run's and not the killed run's", vn)
	}
	if o, e, code := release(); code != 0 {
		t.Fatalf("the run that started during gc: exit %d\n%s%s", code, o, e)
	}
}

// TestGCLivenessNotPID: a killed run's journal is replayed even when its
// PID now belongs to a running process: liveness is the journal's lock.
func TestGCLivenessNotPID(t *testing.T) {
	s := goldenSim(t)
	before := s.State()
	s.crashAt("zoneadm clone#1", "zonemgr", "create-diz", "-c", "golden", "-z", "reused", "--add-vnic-over", "e1000g0")
	js := s.journals()
	if len(js) != 1 {
		t.Fatalf("journals: %v", js)
	}
	// A live process takes the dead run's PID, as a reused PID would.
	sleeper := exec.Command("sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer sleeper.Process.Kill()
	b, err := os.ReadFile(js[0])
	if err != nil {
		t.Fatal(err)
	}
	header, rest, _ := strings.Cut(string(b), "\n")
	header = regexp.MustCompile(`"pid":\d+`).ReplaceAllString(header, fmt.Sprintf(`"pid":%d`, sleeper.Process.Pid))
	if err := os.WriteFile(js[0], []byte(header+"\n"+rest), 0o600); err != nil {
		t.Fatal(err)
	}
	s.mustGC(t)
	if got := s.State(); got != before {
		t.Errorf("left behind when the killed run's PID is alive:\n%s", diffLines(before, got))
	}
}

// TestGCAdoptedDataset: a run killed after it created a delegated
// dataset outside zonemgr's containers; a retried job (another zone)
// then delegates that dataset (adopting it), or, once it is gone, makes
// it again. gc never destroys it under the job.
func TestGCAdoptedDataset(t *testing.T) {
	for _, tt := range []struct {
		name  string
		crash string // the step the first run is killed in
	}{
		// The dataset was made: the retry adopts it.
		{"adopted", "dladm create-vnic#1"},
		// The dataset was not made: the retry makes it, with its own run.
		{"made again", "zfs create#1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := goldenSim(t)
			s.crashAt(tt.crash, "zonemgr", "create-diz", "-c", "golden", "-z", "job1", "--add-vnic-over", "e1000g0",
				"--delegate-dataset", "rpool/export/ccache")
			for _, args := range [][]string{{"create-diz", "-c", "golden", "-z", "job2", "--delegate-dataset", "rpool/export/ccache"}, {"-z", "job2", "boot"}} {
				if out, errOut, code := s.Run(nil, "zonemgr", args...); code != 0 {
					t.Fatalf("the retried job: zonemgr %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
				}
			}
			out := s.mustGC(t)
			if !strings.Contains(out, "rpool/export/ccache") {
				t.Errorf("gc does not say why it kept rpool/export/ccache:\n%s", out)
			}
			list, _, _ := s.Run(nil, "zfs", "list", "-H", "-o", "name", "rpool/export/ccache")
			if list != "rpool/export/ccache\n" {
				t.Fatalf("the job's delegated dataset is gone after gc:\n%s", out)
			}
			st, _, _ := s.Run(nil, "zoneadm", "-z", "job2", "list", "-p")
			if !strings.Contains(st, ":job2:running:") {
				t.Errorf("the job's zone after gc: %s", st)
			}
			if z, _, _ := s.Run(nil, "zoneadm", "list", "-cp"); strings.Contains(z, ":job1:") {
				t.Errorf("the killed run's zone is left: %s", z)
			}
		})
	}
}

// TestParallelMissingParent: runs that delegate datasets under a parent
// that does not exist yet all succeed; the parent stays, as mkdir -p's
// would.
func TestParallelMissingParent(t *testing.T) {
	s := goldenSim(t)
	const n = 4
	codes := make([]string, n)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, e, c := s.Run(nil, "zonemgr", "create-diz", "-c", "golden", "-z", fmt.Sprintf("par%d", i), "--delegate-dataset", fmt.Sprintf("rpool/export/jobs/j%d", i))
			if c != 0 {
				codes[i] = fmt.Sprintf("exit %d: %s%s", c, o, e)
			}
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != "" {
			t.Errorf("run %d: %s", i, c)
		}
	}
	list, _, _ := s.Run(nil, "zfs", "list", "-H", "-o", "name", "-r", "rpool/export/jobs")
	if want := "rpool/export/jobs\nrpool/export/jobs/j0\nrpool/export/jobs/j1\nrpool/export/jobs/j2\nrpool/export/jobs/j3\n"; list != want {
		t.Errorf("datasets:\n%s\nwant\n%s", list, want)
	}
}

// TestRefreshSafetyNet: a refresh killed after its packages changed,
// with a user's snapshot newer than zonemgr's: gc returns the golden zone
// to that newest snapshot, and the next refresh makes the change again,
// ending in a snapshot. With a snapshot taken by hand after the kill,
// the rollback cannot run: gc fails, keeps the journal and says so, and
// the next refresh refuses until gc has run.
func TestRefreshSafetyNet(t *testing.T) {
	for _, manual := range []bool{false, true} {
		t.Run(fmt.Sprintf("manual snapshot %v", manual), func(t *testing.T) {
			t.Parallel()
			s := goldenSim(t)
			if out, errOut, code := s.Run(nil, "zonemgr", "snapshot", "-z", "golden", "-s", "before_snapshot"); code != 0 {
				t.Fatalf("snapshot: %s%s", out, errOut)
			}
			snapped := s.State()
			if err := pkg.Publish(s.Root, "shell/bash", "5.2.99-2026.0.0.0"); err != nil {
				t.Fatal(err)
			}
			// Killed in the halt after the update: the packages changed.
			s.crashAt("zoneadm halt#1", "zonemgr", "update-giz", "-z", "golden")
			if manual {
				if _, errOut, code := s.Run(nil, "zfs", "snapshot", "rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@byhand"); code != 0 {
					t.Fatalf("zfs snapshot: %s", errOut)
				}
				out, errOut, code := s.Run(nil, "zonemgr", "gc")
				if code != 1 || !strings.Contains(errOut, "zfs rollback rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@before-refresh-") || len(s.journals()) != 1 {
					t.Fatalf("gc with a snapshot taken by hand: exit %d, journals %v\n%s%s", code, s.journals(), out, errOut)
				}
				if out, errOut, code := s.Run(nil, "zonemgr", "update-giz", "-z", "golden"); code != 1 || !strings.Contains(errOut, "left work on it unfinished") || !strings.Contains(errOut, "run zonemgr gc first") {
					t.Errorf("update-giz with a killed refresh pending: exit %d\n%s%s", code, out, errOut)
				}
				// Done by hand, as the message asks; then gc ends it.
				s.Run(nil, "zfs", "destroy", "rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@byhand")
			}
			s.mustGC(t)
			if got := s.State(); got != snapped {
				t.Errorf("after gc the golden zone is not as its newest snapshot left it:\n%s", diffLines(snapped, got))
			}
			out, errOut, code := s.Run(nil, "zonemgr", "update-giz", "-z", "golden")
			if code != 0 || !strings.Contains(errOut, "packages of golden updated; snapshot autozone-") {
				t.Errorf("the next refresh: exit %d\n%s%s", code, out, errOut)
			}
		})
	}
}

// TestRefreshKeepsChangesMadeBeforeIt: a refresh that fails after its
// packages changed, or is killed there and recovered by gc, returns the
// golden zone to what it was when the run began, not to its newest
// snapshot: a change made by hand since that snapshot stays, the
// package change goes, and so does the snapshot the run took to return
// to.
func TestRefreshKeepsChangesMadeBeforeIt(t *testing.T) {
	for _, killed := range []bool{false, true} {
		t.Run(fmt.Sprintf("killed %v", killed), func(t *testing.T) {
			t.Parallel()
			s := goldenSim(t)
			root := filepath.Join(s.Root, "zones/_zonemgr/GIZ/golden/root")
			for _, args := range [][]string{
				{"zoneadm", "-z", "golden", "boot"},
				{"zlogin", "golden", "echo tuned-by-hand > /etc/custom.conf"},
				{"zoneadm", "-z", "golden", "halt"},
			} {
				if out, errOut, code := s.Run(nil, args[0], args[1:]...); code != 0 {
					t.Fatalf("%v: exit %d\n%s%s", args, code, out, errOut)
				}
			}
			before := s.State()
			publishNewBash()(t, s)
			if killed {
				s.crashAt("zoneadm halt#1", "zonemgr", "update-giz", "-z", "golden")
				s.mustGC(t)
			} else {
				s.resetFailCounts()
				out, errOut, code := s.Run([]string{"ILLUMOS_SIM_FAIL=zoneadm halt#1:exit=1:msg=injected"}, "zonemgr", "update-giz", "-z", "golden")
				if code != 1 || !strings.Contains(errOut, "zfs rollback rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@before-refresh-") {
					t.Fatalf("update-giz with its halt failing: exit %d\n%s%s", code, out, errOut)
				}
			}
			if b, err := os.ReadFile(filepath.Join(root, "etc/custom.conf")); err != nil || string(b) != "tuned-by-hand\n" {
				t.Errorf("the change made by hand before the refresh: %q, %v", b, err)
			}
			if got := s.State(); got != before {
				t.Errorf("the golden zone is not as the refresh found it:\n%s", diffLines(before, got))
			}
			if js := s.journals(); len(js) != 0 {
				t.Errorf("journals left: %v", js)
			}
		})
	}
}

// TestHostileZoneRoot plants at the path zonemgr reads from the global
// zone (a zone's /etc/passwd, before it runs a command as a user) every
// trap the zone's root user can set: links out of the root, a device, a
// FIFO, an endless file. Each is refused with an error naming the file,
// before anything is booted or cloned; nothing outside the zone is read;
// nothing blocks.
func TestHostileZoneRoot(t *testing.T) {
	s := goldenSim(t)
	s.MustModule("zone_diz", map[string]any{"name": "h1", "giz": "golden", "copy_users": []string{"jenkins"}})
	secret := filepath.Join(s.Root, "etc", "shadow")
	for _, zone := range []string{"h1", "golden"} {
		etc := filepath.Join(s.Root, "zones/_zonemgr", map[string]string{"h1": "DIZ", "golden": "GIZ"}[zone], zone, "root/etc")
		passwd := filepath.Join(etc, "passwd")
		orig, err := os.ReadFile(passwd)
		if err != nil {
			t.Fatal(err)
		}
		for _, trap := range []struct {
			name string
			make func() error
			want string
		}{
			{"absolute link to the global zone", func() error { return os.Symlink(secret, passwd) }, "leads out of the zone root"},
			{"relative link out", func() error { return os.Symlink("../../../../../../../etc/shadow", passwd) }, "leads out of the zone root"},
			{"link to /dev/zero", func() error { return os.Symlink("/dev/zero", passwd) }, "leads out of the zone root"},
			{"FIFO", func() error { return syscall.Mkfifo(passwd, 0o644) }, "a FIFO, not a regular file"},
			{"device", func() error { return syscall.Mknod(passwd, syscall.S_IFCHR|0o666, 1<<8|5) }, "a device, not a regular file"},
			{"huge file", func() error {
				f, err := os.Create(passwd)
				if err != nil {
					return err
				}
				defer f.Close()
				return f.Truncate(16 << 30)
			}, "larger than 4194304 bytes"},
		} {
			t.Run(zone+"/"+trap.name, func(t *testing.T) {
				os.Remove(passwd)
				if err := trap.make(); err != nil {
					t.Skipf("cannot set the trap: %v", err)
				}
				defer func() { os.Remove(passwd); os.WriteFile(passwd, orig, 0o644) }()
				before := s.State()
				var args []string
				if zone == "h1" {
					args = []string{"exec", "-z", "h1", "--exec-user", "jenkins", "--exec-cmd", "id"}
				} else {
					args = []string{"exec-diz", "-c", "golden", "--exec-user", "jenkins", "--exec-cmd", "id"}
				}
				out, errOut, code := s.Run(nil, "zonemgr", args...)
				if code != 1 || !strings.Contains(errOut, trap.want) || !strings.Contains(errOut, "/etc/passwd") {
					t.Errorf("zonemgr %s: exit %d, want 1 and %q\nstdout %q\nstderr %q", strings.Join(args, " "), code, trap.want, out, errOut)
				}
				if got := s.State(); got != before {
					t.Errorf("the refused run changed the sim:\n%s", diffLines(before, got))
				}
			})
		}
	}
}

// TestExecHoldsZoneLock: a second exec in a zone waits until the first
// one, its command, rollback and halt included, is done: their commands
// never interleave.
func TestExecHoldsZoneLock(t *testing.T) {
	s := goldenSim(t)
	s.MustModule("zone_diz", map[string]any{"name": "x1", "giz": "golden"})
	dir := t.TempDir()
	a, err := s.startModule(dir, "zone_exec", map[string]any{"zone": "x1", "cmd": "echo a > /a; sleep 2", "discard": "always"})
	if err != nil {
		t.Fatal(err)
	}
	// Once the first command runs in the zone, start the second.
	deadline := time.After(60 * time.Second) // a guard
	for !strings.Contains(fmt.Sprint(logArgv(s)), "echo a > /a") {
		select {
		case <-deadline:
			t.Fatal("the first exec did not start its command")
		case <-time.After(20 * time.Millisecond):
		}
	}
	b, err := s.startModule(dir, "zone_exec", map[string]any{"zone": "x1", "cmd": "test ! -e /a && echo clean", "discard": "always"})
	if err != nil {
		t.Fatal(err)
	}
	a.wait()
	b.wait()
	if a.err != nil || b.err != nil || a.res["failed"] != false || b.res["failed"] != false {
		t.Fatalf("first: %v %v; second: %v %v", a.err, pretty(a.res), b.err, pretty(b.res))
	}
	if b.res["stdout"] != "clean" {
		t.Errorf("the second exec saw the first one's files: %v", pretty(b.res))
	}
	s.checkSerialized(t, a, b)
}

func logArgv(s *Sim) []string {
	var out []string
	for _, e := range s.Log() {
		out = append(out, strings.Join(e.Argv, " "))
	}
	return out
}

// TestDestroySaysWhatTheBrandKeeps: a golden zone that lived through an
// update of the global zone has a boot environment of the former global
// boot environment; the brand's uninstall keeps it (and the zone's
// dataset), and zonemgr, which does not destroy it either, says so,
// in check mode and when it destroys the zone.
func TestDestroySaysWhatTheBrandKeeps(t *testing.T) {
	s := goldenSim(t)
	ds := "rpool/zones/_zonemgr/GIZ/golden"
	s.MustRun("zfs", "create", "-o", "canmount=noauto",
		"-o", "org.opensolaris.libbe:parentbe=11111111-2222-3333-4444-555555555555", ds+"/ROOT/zbe-old")
	want := "zone golden: the brand's uninstall leaves " + ds + "/ROOT/zbe-old (a boot environment of another global-zone boot environment), and so " + ds + " itself: zonemgr does not destroy them; look at them with zfs list -r " + ds
	for _, check := range []bool{true, false} {
		args := map[string]any{"name": "golden", "state": "absent"}
		if check {
			args["_ansible_check_mode"] = true
		}
		res := s.MustModule("zone_giz", args)
		if ws := fmt.Sprint(res["warnings"]); !strings.Contains(ws, want) {
			t.Errorf("check mode %v: warnings %s, want %q", check, ws, want)
		}
	}
	if got := strings.Fields(s.MustRun("zfs", "list", "-H", "-o", "name", "-r", ds)); !slices.Equal(got, []string{ds, ds + "/ROOT", ds + "/ROOT/zbe-old"}) {
		t.Errorf("left after the destroy: %q", got)
	}
}

// JOURNAL_DIR is the directory the journals are kept in, as configured:
// a run killed with it set leaves its journal there, and gc with the same
// setting finds and replays it.
func TestJournalDirIsHonoured(t *testing.T) {
	s := goldenSim(t)
	clean := s.State()
	env := []string{"JOURNAL_DIR=/var/zonemgr/j"}
	cmd := s.Command(env, "zonemgr", "create-diz", "-c", "golden", "-z", "job1", "--add-vnic-over", "e1000g0")
	if out, err := crash.At(s.Root, "zoneadm clone#1", cmd); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	got, _ := filepath.Glob(filepath.Join(s.Root, "var/zonemgr/j/*.json"))
	if len(got) != 1 || len(s.journals()) != 0 {
		t.Fatalf("journals in var/zonemgr/j: %v, in var/zonemgr/journal: %v", got, s.journals())
	}
	if o, e, c := s.Run(env, "zonemgr", "gc"); c != 0 {
		t.Errorf("gc: exit %d\n%s%s", c, o, e)
	}
	os.Remove(filepath.Join(s.Root, "var/zonemgr/j"))
	if after := s.State(); after != clean {
		t.Errorf("left after gc:\n%s", diffLines(clean, after))
	}
}

// A journal directory entry that cannot be opened or read (a link, a
// directory, garbage) is reported by gc and zone_info, which go on with
// the other journals: a killed run's work is still undone. An operation
// on a zone whose journal cannot be read is refused, the journal named.
func TestUnreadableJournalsDoNotStopGC(t *testing.T) {
	s := goldenSim(t)
	clean := s.State()
	s.crashAt("zoneadm clone#1", "zonemgr", "create-diz", "-c", "golden", "-z", "job1")
	dir := filepath.Join(s.Root, "var/zonemgr/journal")
	os.Symlink("/etc/passwd", filepath.Join(dir, "x1-diz-aaaa.json"))
	os.Mkdir(filepath.Join(dir, "x2-diz-bbbb.json"), 0o700)
	os.WriteFile(filepath.Join(dir, "job2-diz-cccc.json"), []byte("not json\n"), 0o600)
	res := s.MustModule("zone_info", map[string]any{})
	if orphans, _ := res["orphans"].(map[string]any); len(strs(orphans["journals"])) != 4 {
		t.Errorf("zone_info orphans: %v", res["orphans"])
	}
	o, e, c := s.Run(nil, "zonemgr", "gc")
	for _, want := range []string{"x1-diz-aaaa.json", "x2-diz-bbbb.json", "job2-diz-cccc.json"} {
		if c == 0 || !strings.Contains(o+e, want) {
			t.Errorf("gc: exit %d, want it to fail naming %s:\n%s%s", c, want, o, e)
		}
	}
	for _, n := range []string{"x1-diz-aaaa.json", "x2-diz-bbbb.json", "job2-diz-cccc.json"} {
		os.Remove(filepath.Join(dir, n))
	}
	os.Remove(filepath.Join(dir, "x2-diz-bbbb.json"))
	if after := s.State(); after != clean {
		t.Errorf("the killed run's work after gc:\n%s", diffLines(clean, after))
	}
	os.WriteFile(filepath.Join(dir, "job2-diz-cccc.json"), []byte("not json\n"), 0o600)
	_, e, c = s.Run(nil, "zonemgr", "create-diz", "-c", "golden", "-z", "job2")
	if c == 0 || !strings.Contains(e, "zone job2: the journal "+filepath.Join(dir, "job2-diz-cccc.json")+" of a zonemgr run cannot be read") {
		t.Errorf("create-diz over an unreadable journal of the zone: exit %d\n%s", c, e)
	}
	if _, _, c := s.Run(nil, "zonemgr", "create-diz", "-c", "golden", "-z", "job"); c != 0 {
		t.Errorf("create-diz of another zone: exit %d", c)
	}
}

// gc runs a journal's undo commands with zonemgr's privileges: a
// journal another user could have written (owned by another user, or
// writable by others) is not replayed, but reported and kept.
func TestForeignJournalNotReplayed(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode os.FileMode
		uid  int
		why  string
	}{
		{"another user's", 0o600, 65534, "owned by uid 65534, neither root nor the user running zonemgr (uid 0)"},
		{"writable by others", 0o666, 0, "writable by its group or others (mode 0666)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := goldenSim(t)
			dir := filepath.Join(s.Root, "var/zonemgr/journal")
			os.MkdirAll(dir, 0o700)
			p := filepath.Join(dir, "golden-giz-0123456789abcdef01234567.json")
			os.WriteFile(p, []byte(`{"version":2,"op":"giz","zone":"golden","run":"0123456789abcdef01234567","pid":7,"started":"2026-12-01T00:00:00Z"}
{"step":0,"do":"zoneadm -z golden install","undo":["zoneadm","-z","golden","uninstall","-F"],"state":"begun"}
`), tc.mode)
			os.Chmod(p, tc.mode)
			os.Chown(p, tc.uid, tc.uid)
			before := s.State()
			o, e, c := s.Run(nil, "zonemgr", "gc")
			if c == 0 || !strings.Contains(o+e, tc.why+": not trusted") {
				t.Errorf("gc: exit %d, want it to refuse the journal because it is %s:\n%s%s", c, tc.why, o, e)
			}
			if after := s.State(); after != before {
				t.Errorf("gc replayed a journal it must not trust:\n%s", diffLines(before, after))
			}
		})
	}
}

// A gc that rolls back a killed refresh records the rollback in the
// journal before it destroys the snapshot it rolled back to: a gc
// stopped after the destroy, before the journal's removal, leaves a
// journal the next gc finishes (it only removes it), where it used to
// stop every gc and every operation on the golden zone for good.
func TestGCStoppedAfterARefreshRollback(t *testing.T) {
	s := goldenSim(t)
	if err := pkg.Publish(s.Root, "shell/bash", "5.2.99-2026.0.0.0"); err != nil {
		t.Fatal(err)
	}
	s.crashAt("zlogin zlogin#3", "zonemgr", "update-giz", "-z", "golden")
	js := s.journals()
	if len(js) != 1 {
		t.Fatalf("journals after the killed refresh: %v", js)
	}
	release := s.startPaused(t, "zfs destroy#1", "gc")
	saved, err := os.ReadFile(js[0])
	if err != nil {
		t.Fatal(err)
	}
	if o, e, c := release(); c != 0 {
		t.Fatalf("gc: exit %d\n%s%s", c, o, e)
	}
	s.gcOnlyRemovesRolledBack(t, js[0], saved)
	s.MustModule("zone_giz", map[string]any{"name": "golden", "state": "updated"})
}

// gcOnlyRemovesRolledBack puts back a refresh's journal as it was when
// its snapshot to return to was being destroyed (saved, which must
// record the rollback), as a run or gc stopped after that destroy leaves
// it: gc then removes the journal and changes nothing else.
func (s *Sim) gcOnlyRemovesRolledBack(t *testing.T, journal string, saved []byte) {
	t.Helper()
	if !strings.Contains(string(saved), `"rolledback":true`) {
		t.Fatalf("the journal as the snapshot was destroyed records no rollback:\n%s", saved)
	}
	after := s.State()
	if err := os.WriteFile(journal, saved, 0o600); err != nil {
		t.Fatal(err)
	}
	if o, e, c := s.Run(nil, "zonemgr", "gc"); c != 0 || len(s.journals()) != 0 {
		t.Errorf("gc: exit %d, journals %v\n%s%s", c, s.journals(), o, e)
	}
	if got := s.State(); got != after {
		t.Errorf("gc changed:\n%s", diffLines(after, got))
	}
}

// Listings and checks read a killed run's journal under a shared lock:
// a gc that meets one held so waits for the reader instead of taking the
// journal for a live run's and skipping it.
func TestGCWaitsForAReaderOfAKilledRunsJournal(t *testing.T) {
	s := goldenSim(t)
	clean := s.State()
	s.crashAt("zoneadm clone#1", "zonemgr", "create-diz", "-c", "golden", "-z", "job1")
	js := s.journals()
	if len(js) != 1 {
		t.Fatalf("journals: %v", js)
	}
	f, err := os.Open(js[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH); err != nil {
		t.Fatal(err)
	}
	gc := s.Command(nil, "zonemgr", "gc")
	var out strings.Builder
	gc.Stdout, gc.Stderr = &out, &out
	if err := gc.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	if err := gc.Wait(); err != nil || len(s.journals()) != 0 {
		t.Errorf("gc: %v, journals left %v\n%s", err, s.journals(), out.String())
	}
	if after := s.State(); after != clean {
		t.Errorf("left after gc:\n%s", diffLines(clean, after))
	}
}

// A refresh that fails rolls its golden zone back itself, and records
// that in its journal before destroying the snapshot it rolled back to,
// as gc does: a run stopped after that destroy, before it removed its
// journal, leaves a journal gc only removes.
func TestRefreshStoppedAfterItsOwnRollback(t *testing.T) {
	s := goldenSim(t)
	if err := pkg.Publish(s.Root, "shell/bash", "5.2.99-2026.0.0.0"); err != nil {
		t.Fatal(err)
	}
	release := s.startPausedFailing(t, "zlogin zlogin#3:exit=1:msg=pkg: update failed", "zfs destroy#1", "update-giz", "-z", "golden")
	js := s.journals()
	if len(js) != 1 {
		t.Fatalf("journals: %v", js)
	}
	saved, err := os.ReadFile(js[0])
	if err != nil {
		t.Fatal(err)
	}
	if o, e, c := release(); c == 0 {
		t.Fatalf("the refresh whose pkg update failed: exit 0\n%s%s", o, e)
	}
	s.gcOnlyRemovesRolledBack(t, js[0], saved)
}
