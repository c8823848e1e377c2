package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/pkg"
)

// A moduleRun is one module process started by a test, and its result.
type moduleRun struct {
	cmd      *exec.Cmd
	stdout   bytes.Buffer
	stderr   bytes.Buffer
	res      map[string]any
	err      error
	duration time.Duration
}

// startModule starts a module binary with an args file, without waiting;
// it is safe to call from any goroutine.
func (s *Sim) startModule(dir, name string, args map[string]any, extraEnv ...string) (*moduleRun, error) {
	b, err := json.Marshal(args)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "args")
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(b); err != nil {
		return nil, err
	}
	f.Close()
	m := &moduleRun{cmd: exec.Command(filepath.Join(s.Bin, name), f.Name())}
	m.cmd.Env = append(append([]string{}, s.Env...), extraEnv...)
	m.cmd.Stdout, m.cmd.Stderr = &m.stdout, &m.stderr
	return m, m.cmd.Start()
}

// wait waits for the module and decodes its result.
func (m *moduleRun) wait() {
	start := time.Now()
	m.cmd.Wait()
	m.duration += time.Since(start)
	if err := json.Unmarshal(m.stdout.Bytes(), &m.res); err != nil {
		m.err = fmt.Errorf("stdout is not one JSON object: %v\nstdout: %s\nstderr: %s", err, m.stdout.String(), m.stderr.String())
	}
}

// TestParallelExecDIZ runs 32 exec-diz at once from one golden zone,
// with generated names, each with a VNIC and a delegated dataset of its
// own, while a loop runs zonemgr gc over and over and a refresh of the
// golden zone (which boots and halts it) runs too: every run succeeds in
// a zone of its own, every gc succeeds and removes nothing of theirs,
// and nothing is left behind.
func TestParallelExecDIZ(t *testing.T) {
	s := goldenSim(t)
	if _, errOut, code := s.Run(nil, "zfs", "create", "rpool/export/jobs"); code != 0 {
		t.Fatal(errOut)
	}
	volatile := faultOp{volatile: []string{"var/pkg/catalog.json", "var/pkg/lock"}}
	s0 := volatile.state(s)
	const n = 32
	dir := t.TempDir()
	runs := make([]*moduleRun, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			m, err := s.startModule(dir, "zone_exec", map[string]any{"giz": "golden", "copy_users": []string{"jenkins"}, "user": "jenkins",
				"add_vnics_over": []string{"e1000g0"}, "delegate_datasets": []string{fmt.Sprintf("rpool/export/jobs/j%d", i)},
				"cmd": "cat /etc/nodename; id -un"})
			if err != nil {
				runs[i] = &moduleRun{err: err}
				return
			}
			m.wait()
			m.duration = time.Since(t0)
			runs[i] = m
		}()
	}
	// A cron'd gc, looping while the builds run, and a refresh.
	done := make(chan struct{})
	var gcs []string
	var gcWG sync.WaitGroup
	gcWG.Add(2)
	go func() {
		defer gcWG.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			o, e, code := s.Run(nil, "zonemgr", "gc")
			gcs = append(gcs, fmt.Sprintf("exit %d %s%s", code, o, e))
		}
	}()
	var refresh string
	go func() {
		defer gcWG.Done()
		o, e, code := s.Run(nil, "zonemgr", "update-giz", "-z", "golden")
		refresh = fmt.Sprintf("exit %d\n%s%s", code, o, e)
	}()
	wg.Wait()
	close(done)
	gcWG.Wait()
	total := time.Since(start)
	names := map[string]bool{}
	var durations []time.Duration
	failures := 0
	for i, m := range runs {
		if m.err != nil {
			t.Errorf("run %d: %v", i, m.err)
			failures++
			continue
		}
		zone, _ := m.res["zone"].(string)
		if m.res["failed"] != false || m.res["stdout"] != zone+"\njenkins" || m.res["discarded"] != true {
			t.Errorf("run %d: failed=%v zone=%q stdout=%q discarded=%v msg=%v", i, m.res["failed"], zone, m.res["stdout"], m.res["discarded"], m.res["msg"])
			failures++
		}
		if !strings.HasPrefix(zone, "diz-") || names[zone] {
			t.Errorf("run %d: zone name %q is not a fresh generated name", i, zone)
		}
		names[zone] = true
		durations = append(durations, m.duration)
	}
	if !strings.HasPrefix(refresh, "exit 0") {
		t.Errorf("the refresh during the builds: %s", refresh)
	}
	for _, g := range gcs {
		if !strings.HasPrefix(g, "exit 0") {
			t.Errorf("a gc during the builds: %s", g)
		}
	}
	sort.Slice(durations, func(a, b int) bool { return durations[a] < durations[b] })
	leftovers := ""
	if got := volatile.state(s); got != s0 {
		leftovers = diffLines(s0, got)
		t.Errorf("left behind by %d parallel exec-diz:\n%s", n, leftovers)
	}
	if len(durations) > 0 {
		t.Logf("%d parallel exec-diz with a VNIC and a delegated dataset each, %d gc runs and a refresh beside them: total %s, per run min %s median %s max %s, %d failures, %d distinct zones, leftovers: %d lines",
			n, len(gcs), total.Round(time.Millisecond), durations[0].Round(time.Millisecond), durations[len(durations)/2].Round(time.Millisecond),
			durations[len(durations)-1].Round(time.Millisecond), failures, len(names), strings.Count(leftovers, "\n")+map[bool]int{true: 0, false: 1}[leftovers == ""])
	}
}

// TestSameZoneSerializes starts a second operation on a zone while the
// first one is stopped in a hung command: the second waits for the
// zone's lock, and none of its commands runs before the first is done.
func TestSameZoneSerializes(t *testing.T) {
	s := goldenSim(t)
	s.MustModule("zone_diz", map[string]any{"name": "l1", "giz": "golden", "state": "running"})
	dir := t.TempDir()
	s.resetFailCounts()
	a, err := s.startModule(dir, "zone_diz", map[string]any{"name": "l1", "state": "stopped"},
		core.EnvFail+"=zoneadm halt#1:hang=2:exit=1:msg=halt hung")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.awaitCall("zoneadm halt", 1, nil); err != nil {
		t.Fatal(err)
	}
	b, err := s.startModule(dir, "zone_snapshot", map[string]any{"zone": "l1", "name": "second"})
	if err != nil {
		t.Fatal(err)
	}
	a.wait()
	b.wait()
	if a.err != nil || b.err != nil {
		t.Fatalf("first: %v; second: %v", a.err, b.err)
	}
	if a.res["failed"] != true || !strings.Contains(fmt.Sprint(a.res["msg"]), "halt hung") {
		t.Errorf("first operation: %v", pretty(a.res))
	}
	if b.res["failed"] != false || b.res["changed"] != true {
		t.Errorf("second operation: %v", pretty(b.res))
	}
	s.checkSerialized(t, a, b)
}

// checkSerialized fails the test unless every command of the module run
// b (in the sim's log) came after the last command of a.
func (s *Sim) checkSerialized(t *testing.T, a, b *moduleRun) {
	t.Helper()
	lastA, firstB := -1, -1
	for i, e := range s.Log() {
		if e.PPID == a.cmd.Process.Pid {
			lastA = i
		}
		if e.PPID == b.cmd.Process.Pid && firstB < 0 {
			firstB = i
		}
	}
	if lastA < 0 || firstB < 0 || firstB < lastA {
		t.Errorf("the operations interleaved: the first's last command is log entry %d, the second's first is %d", lastA, firstB)
	}
}

// TestGIZRefreshWhileCloning refreshes a golden zone (which boots it)
// while disposable zones are being cloned from it. zoneadm clone needs
// the source zone halted, so the clones wait for the golden zone's lock,
// which they hold shared from their reading of the world until their
// clone ran; the refresh waits for clones in progress in the same way.
func TestGIZRefreshWhileCloning(t *testing.T) {
	s := goldenSim(t)
	// A first refresh leaves pkg's lock file in the image; the state to
	// come back to is the one after it.
	s.MustModule("zone_giz", map[string]any{"name": "golden", "state": "updated"})
	// A new package, so that the refresh boots the golden zone: one that
	// finds nothing to update boots nothing.
	if err := pkg.Publish(s.Root, "shell/bash", "5.2.99-2026.0.0.0"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mark := len(s.Log())
	upd, err := s.startModule(dir, "zone_giz", map[string]any{"name": "golden", "state": "updated"}, "ILLUMOS_SIM_BOOT_DELAY=1.5")
	if err != nil {
		t.Fatal(err)
	}
	// Wait until the refresh has booted the golden zone.
	deadline := time.Now().Add(60 * time.Second) // a guard
	for {
		out, _, _ := s.Run(nil, "zoneadm", "-z", "golden", "list", "-p")
		if strings.Contains(out, ":golden:running:") {
			break
		}
		if time.Now().After(deadline) {
			upd.wait()
			t.Fatalf("the refresh never booted the golden zone: %v %v", upd.err, pretty(upd.res))
		}
		time.Sleep(20 * time.Millisecond)
	}
	const n = 4
	runs := make([]*moduleRun, n)
	for i := range runs {
		if runs[i], err = s.startModule(dir, "zone_exec", map[string]any{"giz": "golden", "cmd": "cat /etc/nodename"}); err != nil {
			t.Fatal(err)
		}
	}
	upd.wait()
	for _, m := range runs {
		m.wait()
	}
	if upd.err != nil || upd.res["failed"] != false || upd.res["changed"] != true {
		t.Errorf("refresh: %v %v", upd.err, pretty(upd.res))
	}
	for i, m := range runs {
		if m.err != nil || m.res["failed"] != false || m.res["stdout"] != fmt.Sprint(m.res["zone"]) {
			t.Errorf("exec-diz %d during the refresh: %v %v", i, m.err, pretty(m.res))
		}
	}
	// Every clone ran after the refresh halted the golden zone again.
	halted, clones := -1, 0
	for i, e := range s.Log()[mark:] {
		line := strings.Join(e.Argv, " ")
		switch {
		case line == "zoneadm -z golden halt":
			halted = i
		case strings.HasPrefix(line, "zoneadm -z ") && strings.Contains(line, " clone "):
			clones++
			if halted < 0 {
				t.Errorf("%q ran while the golden zone was booted for its refresh", line)
			}
		}
	}
	if clones != n {
		t.Errorf("%d clones, want %d", clones, n)
	}
	// The disposable zones left nothing behind: no zone, dataset or
	// journal of theirs.
	if z := s.Zones(); len(z) != 1 || z[0] != "golden:installed" {
		t.Errorf("zones left: %v", z)
	}
	if out, _, _ := s.Run(nil, "zfs", "list", "-H", "-o", "name", "-r", "rpool/zones/_zonemgr/DIZ"); out != "rpool/zones/_zonemgr/DIZ\n" {
		t.Errorf("datasets left:\n%s", out)
	}
	if j := s.journals(); len(j) != 0 {
		t.Errorf("journals left: %v", j)
	}
}

// TestUndoOfDelegatedDatasetWaitsForItsLock: a failed run's own undo
// destroys the delegated dataset it made only under the dataset's
// exclusive lock, looked at again: an overlapping run that found the
// dataset and holds its lock shared, about to delegate it, is waited
// for, and the dataset, now that run's zone's, is kept.
func TestUndoOfDelegatedDatasetWaitsForItsLock(t *testing.T) {
	s := goldenSim(t)
	s.MustRun("zfs", "create", "rpool/export/jobs")
	const ds = "rpool/export/jobs/nightly"
	dir := t.TempDir()
	latchA, latchB := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	s.resetFailCounts()
	// Run A makes the dataset, configures its zone, and waits before its
	// clone; its boot then fails, and it undoes its steps.
	a, err := s.startModule(dir, "zone_diz", map[string]any{"name": "a", "giz": "golden", "state": "running", "delegate_datasets": []string{ds}},
		core.EnvFail+"=zoneadm clone#1:wait="+latchA+"\nzoneadm boot#1:exit=1:msg=injected boot failure")
	if err != nil {
		t.Fatal(err)
	}
	aDone := make(chan struct{})
	go func() { a.wait(); close(aDone) }()
	if err := s.awaitCall("zoneadm clone", 1, aDone); err != nil {
		t.Fatal(err)
	}
	// Run B finds the dataset, holds its lock shared and waits before
	// its configuration names it.
	b, err := s.startModule(dir, "zone_diz", map[string]any{"name": "b", "giz": "golden", "delegate_datasets": []string{ds}},
		core.EnvFail+"=zonecfg create#1:wait="+latchB)
	if err != nil {
		t.Fatal(err)
	}
	bDone := make(chan struct{})
	go func() { b.wait(); close(bDone) }()
	if err := s.awaitCall("zonecfg create", 1, bDone); err != nil {
		t.Fatal(err)
	}
	// A goes on, fails, and its undo waits for B's lock on the dataset.
	os.WriteFile(latchA, nil, 0o644)
	select {
	case <-aDone:
		t.Errorf("run A ended while run B held %s's lock: %v", ds, a.res["msg"])
	case <-time.After(2 * time.Second):
	}
	os.WriteFile(latchB, nil, 0o644)
	<-aDone
	<-bDone
	if a.err != nil || b.err != nil {
		t.Fatalf("%v %v", a.err, b.err)
	}
	if msg := fmt.Sprint(a.res["msg"]); a.res["failed"] != true || !strings.Contains(msg, "zfs destroy -r "+ds+" ("+ds+" is used by zone b)") {
		t.Errorf("run A: %s", msg)
	}
	if b.res["failed"] != false {
		t.Errorf("run B, which delegated the dataset it found under its lock: %v", b.res["msg"])
	}
	if out, _, code := s.Run(nil, "zfs", "list", "-H", "-o", "name", ds); code != 0 {
		t.Errorf("%s was destroyed under run B: %s", ds, out)
	}
}

// TestRecreateHoldsItsGoldenZone: a disposable zone re-created without
// naming its golden zone clones the zone's own, held (shared) from the
// reading of the world until the clone ran, as a named one is: a boot
// of the golden zone asked for meanwhile waits for the clone.
func TestRecreateHoldsItsGoldenZone(t *testing.T) {
	s := goldenSim(t)
	s.MustModule("zone_diz", map[string]any{"name": "r1", "giz": "golden"})
	release := startModulePaused(t, s, "zoneadm clone#1", "zone_diz", map[string]any{"name": "r1", "copy_users": []string{"jenkins"}, "recreate": true})
	booted := make(chan map[string]any, 1)
	go func() { booted <- s.Module("zone_giz", map[string]any{"name": "golden", "state": "running"}) }()
	var boot map[string]any
	select {
	case boot = <-booted:
		t.Errorf("the golden zone was booted while a re-creation was about to clone it: %s", pretty(boot))
	case <-time.After(2 * time.Second):
	}
	if res := release(); res["failed"] != false || res["recreated"] != true {
		t.Errorf("zone_diz recreate: %s", pretty(res))
	}
	if boot == nil {
		boot = <-booted
	}
	if boot["failed"] != false {
		t.Errorf("the golden zone's boot after the clone: %s", pretty(boot))
	}
	if z := s.Zones(); !slices.Contains(z, "r1:installed") || !slices.Contains(z, "golden:running") {
		t.Errorf("zones: %v", z)
	}
}
