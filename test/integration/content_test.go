package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
)

// goldens returns the golden zones zone_info reports, by name, with their
// recorded content and on-demand mark.
func goldens(t *testing.T, s *Sim) map[string]map[string]any {
	t.Helper()
	out := s.MustRun("zonemgr", "--json", "list-giz")
	var res struct {
		Zones []map[string]any `json:"zones"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("list-giz --json: %v\n%s", err, out)
	}
	m := map[string]map[string]any{}
	for _, z := range res.Zones {
		m[fmt.Sprint(z["name"])] = z
	}
	return m
}

// newGoldens returns the golden zones in after that are not in before.
func newGoldens(before, after map[string]map[string]any) []string {
	var out []string
	for n := range after {
		if _, ok := before[n]; !ok {
			out = append(out, n)
		}
	}
	return out
}

// onDemandGolden has create-diz build the golden zone of pkgs on demand,
// destroys the disposable zone, and returns the golden zone's name.
func onDemandGolden(t *testing.T, s *Sim, pkgs string) string {
	t.Helper()
	g0 := goldens(t, s)
	d := strings.TrimSpace(s.MustRun("zonemgr", "-q", "create-diz", "-p", pkgs))
	built := newGoldens(g0, goldens(t, s))
	if len(built) != 1 {
		t.Fatalf("create-diz -p %s built %v, want one golden zone", pkgs, built)
	}
	s.MustRun("zonemgr", "-q", "destroy", "-z", d)
	return built[0]
}

// usedLongAgo sets the last use of each golden zone to 2001.
func usedLongAgo(s *Sim, goldens ...string) {
	for _, g := range goldens {
		s.MustRun("zfs", "set", "zonemgr:used=1000000000", "rpool/zones/_zonemgr/GIZ/"+g)
	}
}

// TestGoldenByContent: create-giz without a name makes the golden zone
// its content names; the same content in another order (and with
// duplicates and pkg:/ forms) finds the same zone and changes nothing.
func TestGoldenByContent(t *testing.T) {
	s := NewSim(t)
	out := s.MustRun("zonemgr", "-q", "create-giz", "-p", "compress/gzip developer/build/autoconf")
	name := strings.TrimSpace(out)
	if !strings.HasPrefix(name, "giz-") || len(name) != len("giz-")+10 {
		t.Fatalf("create-giz -p printed %q, want giz- and a content hash", out)
	}
	g := goldens(t, s)[name]
	if g == nil || !strings.Contains(fmt.Sprint(g["content"]), "packages=compress/gzip,developer/build/autoconf") || g["on_demand"] != nil {
		t.Errorf("zone_info of %s: %v; want its recorded content and no on-demand mark", name, g)
	}
	before := s.State()
	again, errOut, code := s.Run(nil, "zonemgr", "create-giz", "-p", "pkg:/developer/build/autoconf compress/gzip", "-p", "compress/gzip")
	if code != 0 || strings.TrimSpace(again) != name || !strings.Contains(errOut, "nothing to change") {
		t.Errorf("the same content again: exit %d, stdout %q, stderr %q; want %s, nothing to change", code, again, errOut, name)
	}
	if got := s.State(); got != before {
		t.Errorf("the same content again changed the sim:\n%s", diffLines(before, got))
	}
	// A name is never reused for other content.
	res := s.Module("zone_giz", map[string]any{"name": name, "add_packages": []string{"text/gnu-sed"}})
	if res["failed"] != true || !strings.Contains(fmt.Sprint(res["msg"]), "built differently") {
		t.Errorf("other content under the content's name: %s", pretty(res))
	}
}

// TestDIZByPackages: create-diz -p finds or builds the golden zone of its
// packages (made on demand, evictable), once; -c with -p derives a golden
// zone from an existing one, or builds a missing one under its name (the
// user's: not evictable); unknown packages are refused before anything
// is made.
func TestDIZByPackages(t *testing.T) {
	s := goldenSim(t)
	g0 := goldens(t, s)

	// Built on demand, then found.
	d1 := strings.TrimSpace(s.MustRun("zonemgr", "-q", "create-diz", "-p", "developer/build/gnu-make compress/gzip"))
	g1 := goldens(t, s)
	built := newGoldens(g0, g1)
	if len(built) != 1 || g1[built[0]]["on_demand"] == nil || !strings.HasPrefix(fmt.Sprint(g1[built[0]]["on_demand"]), "diz ") {
		t.Fatalf("create-diz -p built %v (%v); want one golden zone made on demand", built, g1)
	}
	gz := built[0]
	info := s.MustModule("zone_info", map[string]any{"name": d1})
	if z := info["zones"].([]any)[0].(map[string]any); z["giz"] != gz {
		t.Errorf("%s is a clone of %v, want %s", d1, z["giz"], gz)
	}
	s.MustRun("zonemgr", "-q", "create-diz", "-p", "compress/gzip,developer/build/gnu-make")
	if again := newGoldens(g1, goldens(t, s)); len(again) != 0 {
		t.Errorf("the same packages built another golden zone: %v", again)
	}

	// Derived from an existing golden zone, by content, once.
	s.MustRun("zonemgr", "-q", "create-diz", "-c", "golden", "-p", "text/gnu-sed")
	g2 := goldens(t, s)
	derived := newGoldens(g1, g2)
	if len(derived) != 1 || g2[derived[0]]["giz"] != "golden" || !strings.Contains(fmt.Sprint(g2[derived[0]]["content"]), "base=golden@") {
		t.Fatalf("create-diz -c golden -p built %v; want one golden zone cloned from golden: %v", derived, g2)
	}
	s.MustRun("zonemgr", "-q", "create-diz", "-c", "golden", "-p", "text/gnu-sed")
	if again := newGoldens(g2, goldens(t, s)); len(again) != 0 {
		t.Errorf("the same derivation built another golden zone: %v", again)
	}

	// A missing -c zone: refused without packages, built with them.
	_, errOut, code := s.Run(nil, "zonemgr", "create-diz", "-c", "nosuch")
	if code != 1 || !strings.Contains(errOut, "-c: zone nosuch does not exist") || !strings.Contains(errOut, "-p") {
		t.Errorf("create-diz -c nosuch: exit %d\n%s", code, errOut)
	}
	s.MustRun("zonemgr", "-q", "create-diz", "-c", "tools", "-p", "developer/build/autoconf")
	s.MustRun("zonemgr", "-q", "create-diz", "-c", "tools", "-p", "developer/build/autoconf")
	g3 := goldens(t, s)
	if made := newGoldens(g2, g3); len(made) != 1 || made[0] != "tools" {
		t.Errorf("create-diz -c tools -p twice made %v; want the golden zone tools, once", made)
	}
	if od := g3["tools"]["on_demand"]; od != nil {
		t.Errorf("tools, which the request named, is marked made on demand (%v): gc would evict a golden zone the user named", od)
	}

	// Unknown packages: refused, naming them, before anything is made.
	before := s.State()
	_, errOut, code = s.Run(nil, "zonemgr", "create-diz", "-p", "compress/gzip no/such/package")
	if code != 1 || !strings.Contains(errOut, "-p: not known to the global zone's publishers (pkg list -a exit 3): no/such/package") {
		t.Errorf("unknown package: exit %d\n%s", code, errOut)
	}
	res := s.Module("zone_diz", map[string]any{"packages": []string{"nope/one", "nope/two"}})
	if res["failed"] != true || !strings.Contains(fmt.Sprint(res["msg"]), "packages: not known to the global zone's publishers (pkg list -a exit 1): nope/one, nope/two") {
		t.Errorf("zone_diz with unknown packages: %s", pretty(res))
	}
	if got := s.State(); got != before {
		t.Errorf("unknown packages changed the sim:\n%s", diffLines(before, got))
	}
}

// TestGoldenRace: eight exec-diz -p for one new package set at once
// build one golden zone, and every build runs in a clone of it.
func TestGoldenRace(t *testing.T) {
	s := goldenSim(t)
	g0 := goldens(t, s)
	mark := len(s.Log())
	const n = 8
	var wg sync.WaitGroup
	res := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, errOut, code := s.Run(nil, "zonemgr", "exec-diz", "-p", "developer/build/automake developer/lexer/flex", "--exec-cmd", "true")
			if code != 0 {
				res[i] = fmt.Sprintf("exit %d: %s%s", code, out, errOut)
			}
		}()
	}
	wg.Wait()
	for i, r := range res {
		if r != "" {
			t.Errorf("exec-diz %d: %s", i, r)
		}
	}
	made := newGoldens(g0, goldens(t, s))
	installs := 0
	for _, c := range Mutating(s.Log()[mark:]) {
		if strings.HasPrefix(c, "zoneadm -z giz-") && strings.HasSuffix(c, " install") {
			installs++
		}
	}
	if len(made) != 1 || installs != 1 {
		t.Errorf("%d concurrent requests made %v with %d install(s); want one golden zone, installed once", n, made, installs)
	}
}

// TestGoldenBuildFailure: when the build of a golden zone fails, the
// requests that waited for it fail with its error, and nothing is left.
func TestGoldenBuildFailure(t *testing.T) {
	s := goldenSim(t)
	before := s.State()
	s.resetFailCounts()
	args := []string{"create-diz", "-p", "developer/parser/bison"}
	var wg sync.WaitGroup
	var builder string
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, errOut, code := s.Run([]string{core.EnvFail + "=zoneadm install#1:hang=3:exit=1:msg=install failed"}, "zonemgr", args...)
		builder = fmt.Sprintf("%d %s", code, errOut)
	}()
	if err := s.awaitCall("zoneadm install", 1, nil); err != nil {
		t.Fatal(err)
	}
	waiters := make([]string, 3)
	for i := range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errOut, code := s.Run(nil, "zonemgr", args...)
			waiters[i] = fmt.Sprintf("%d %s", code, errOut)
		}()
	}
	wg.Wait()
	if !strings.HasPrefix(builder, "1 ") || !strings.Contains(builder, "install failed") {
		t.Errorf("the builder: %s", builder)
	}
	for i, w := range waiters {
		if !strings.HasPrefix(w, "1 ") || !strings.Contains(w, "the zonemgr run that was building it failed") || !strings.Contains(w, "install failed") {
			t.Errorf("waiter %d: %s", i, w)
		}
	}
	if got := s.State(); got != before {
		t.Errorf("a failed build left things behind:\n%s", diffLines(before, got))
	}
	// A new request builds it.
	if _, errOut, code := s.Run(nil, "zonemgr", args...); code != 0 {
		t.Errorf("a request after the failure: exit %d\n%s", code, errOut)
	}
}

// TestBuiltGoldenReportedWhenHoldFails: when a request builds its golden
// zone and then cannot hold it (its lock cannot be taken), the request
// fails saying so, and its result still reports the build: changed,
// giz_built, the build's plan. The golden zone stays, and the next
// request with those packages uses it.
func TestBuiltGoldenReportedWhenHoldFails(t *testing.T) {
	s := goldenSim(t)
	g0 := goldens(t, s)
	latch := filepath.Join(t.TempDir(), "latch")
	s.resetFailCounts()
	// The build's third and last hold: the golden zone's own lock is
	// still held by its build there.
	s.Setenv(core.EnvFail, "zfs hold#3:wait="+latch)
	var res map[string]any
	ended := make(chan struct{})
	go func() {
		res = s.Module("zone_diz", map[string]any{"name": "d1", "packages": []string{"developer/parser/bison"}})
		close(ended)
	}()
	if err := s.awaitCall("zfs hold", 3, ended); err != nil {
		os.WriteFile(latch, nil, 0o644)
		<-ended
		t.Fatalf("zone_diz: %v: %s", err, pretty(res))
	}
	locks := filepath.Join(s.Root, "var/run/zonemgr/locks")
	builds, _ := filepath.Glob(filepath.Join(locks, "content-giz-*.lock"))
	if len(builds) != 1 {
		os.WriteFile(latch, nil, 0o644)
		<-ended
		t.Fatalf("build locks %v, want one", builds)
	}
	g := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(builds[0]), "content-"), ".lock")
	// Once the build lets go of it, the golden zone's lock cannot be
	// opened.
	zoneLock := filepath.Join(locks, g+".lock")
	if err := os.Remove(zoneLock); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(zoneLock, 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(latch, nil, 0o644)
	<-ended
	s.Setenv(core.EnvFail, "")
	msg := fmt.Sprint(res["msg"])
	if res["failed"] != true || res["changed"] != true || res["giz_built"] != g ||
		!strings.Contains(msg, "golden zone "+g+" is built, but lock zone "+g+": ") || !strings.Contains(msg, "is a directory") {
		t.Errorf("the request whose golden zone could not be held: %s", pretty(res))
	}
	if plan := strs(res["plan"]); !slices.Contains(plan, "zoneadm -z "+g+" install") {
		t.Errorf("its plan %q lacks the golden zone's build", plan)
	}
	if built := newGoldens(g0, goldens(t, s)); len(built) != 1 || built[0] != g {
		t.Errorf("golden zones built: %v, want %s", built, g)
	}
	if _, _, code := s.Run(nil, "zoneadm", "-z", "d1", "list"); code == 0 {
		t.Errorf("d1 was made")
	}
	if j := s.journals(); len(j) != 0 {
		t.Errorf("journals left: %v", j)
	}
	os.Remove(zoneLock)
	again := s.MustModule("zone_diz", map[string]any{"name": "d1", "packages": []string{"developer/parser/bison"}})
	if again["giz_built"] != nil || len(newGoldens(g0, goldens(t, s))) != 1 {
		t.Errorf("the next request built again: %s", pretty(again))
	}
}

// TestEvictGoldens: gc --unused-goldens destroys the golden zones made on
// demand that are unused for that long and that no zone depends on;
// never one made by hand.
func TestEvictGoldens(t *testing.T) {
	s := goldenSim(t)
	idle := onDemandGolden(t, s, "developer/build/pkg-config")
	g1 := goldens(t, s)
	s.MustRun("zonemgr", "-q", "create-diz", "-p", "developer/versioning/git")
	busy := newGoldens(g1, goldens(t, s))[0]
	// Time passes: every golden zone, the hand-made one too, was last
	// used long ago.
	usedLongAgo(s, idle, busy, "golden")
	if got := goldens(t, s)[idle]["last_used"]; got != "2001-09-09T01:46:40Z" {
		t.Errorf("zone_info last_used of %s: %v", idle, got)
	}

	dry, _, code := s.Run(nil, "zonemgr", "-n", "gc", "--unused-goldens", "30d")
	if code != 0 || !strings.Contains(dry, "zoneadm -z "+idle+" uninstall") || len(newGoldens(goldens(t, s), g1)) != 0 {
		t.Errorf("gc -n --unused-goldens: exit %d\n%s", code, dry)
	}
	out, errOut, code := s.Run(nil, "zonemgr", "gc", "--unused-goldens", "30d")
	if code != 0 || !strings.Contains(out, "golden "+idle+"\n") || !strings.Contains(errOut, "golden zone kept: "+busy+": zones depend on it") {
		t.Errorf("gc --unused-goldens: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	after := goldens(t, s)
	if _, ok := after[idle]; ok {
		t.Errorf("%s, unused, was not evicted", idle)
	}
	for _, keep := range []string{busy, "golden"} {
		if _, ok := after[keep]; !ok {
			t.Errorf("%s was evicted", keep)
		}
	}
	res := s.MustModule("zone_gc", map[string]any{"unused_goldens": "1h"})
	if ev, _ := res["evicted"].([]any); len(ev) != 0 {
		t.Errorf("a second eviction evicted %v", ev)
	}
	if bad := s.Module("zone_gc", map[string]any{"unused_goldens": "soon"}); bad["failed"] != true || !strings.Contains(fmt.Sprint(bad["msg"]), `unused_goldens: "soon" is not an age`) {
		t.Errorf("zone_gc unused_goldens=soon: %s", pretty(bad))
	}
}

// TestAdoptedGoldenIsKept: a golden zone built on demand that zone_giz
// then names is the user's: its on-demand mark is removed (once; check
// mode only shows it), and gc --unused-goldens no longer evicts it.
func TestAdoptedGoldenIsKept(t *testing.T) {
	s := goldenSim(t)
	adopted := onDemandGolden(t, s, "developer/build/pkg-config")
	other := onDemandGolden(t, s, "developer/versioning/git")

	before := s.State()
	dry := s.MustModule("zone_giz", map[string]any{"name": adopted, "_ansible_check_mode": true})
	if dry["changed"] != true || !strings.Contains(pretty(dry), "zonemgr.ondemand") {
		t.Errorf("zone_giz name=%s in check mode: %s; want changed, showing the mark's removal", adopted, pretty(dry))
	}
	if got := s.State(); got != before {
		t.Errorf("check mode changed the sim:\n%s", diffLines(before, got))
	}
	res := s.MustModule("zone_giz", map[string]any{"name": adopted})
	if res["changed"] != true {
		t.Errorf("zone_giz name=%s: %s; want changed", adopted, pretty(res))
	}
	g := goldens(t, s)
	if od := g[adopted]["on_demand"]; od != nil {
		t.Errorf("%s keeps its on-demand mark %v after zone_giz named it", adopted, od)
	}
	if od := g[other]["on_demand"]; od == nil {
		t.Errorf("%s lost its on-demand mark, which no request named", other)
	}
	if again := s.MustModule("zone_giz", map[string]any{"name": adopted}); again["changed"] != false {
		t.Errorf("zone_giz name=%s again: %s; want no change", adopted, pretty(again))
	}

	usedLongAgo(s, adopted, other)
	s.MustRun("zonemgr", "-q", "gc", "--unused-goldens", "30d")
	after := goldens(t, s)
	if _, ok := after[adopted]; !ok {
		t.Errorf("%s, which zone_giz named, was evicted", adopted)
	}
	if _, ok := after[other]; ok {
		t.Errorf("%s, unused and made on demand, was not evicted", other)
	}
}

// TestDIZByPackagesBadGoldenName: a golden zone name is checked before
// anything is built for the request, since it also names the build's
// lock and failure record files: "../x" changes nothing and makes no file.
func TestDIZByPackagesBadGoldenName(t *testing.T) {
	s := goldenSim(t)
	before := s.State()
	r := s.Zonemgr("create-diz", "-c", "../../../escape", "-p", "compress/gzip")
	if r.Code != 1 || !strings.Contains(r.Stderr, `-c: invalid zone name "../../../escape"`) {
		t.Errorf("create-diz -c ../../../escape: exit %d\n%s", r.Code, r.Stderr)
	}
	if got := s.State(); got != before {
		t.Errorf("a refused request changed the host:\n%s", diffLines(before, got))
	}
	for _, p := range []string{"escape.lock", "escape.failed", "content-escape.lock"} {
		matches, _ := filepath.Glob(filepath.Join(s.Root, "..", "*", p))
		more, _ := filepath.Glob(filepath.Join(s.Root, "*", p))
		if len(matches)+len(more) > 0 {
			t.Errorf("a file for the bad name was made: %v %v", matches, more)
		}
	}
}

// TestEvictKeepsWhatIsNotOurs: an unused golden zone made on demand is
// still kept when its uninstall would destroy a snapshot zonemgr did not
// take, or promote a clone of it outside zonemgr's containers; both stay.
func TestEvictKeepsWhatIsNotOurs(t *testing.T) {
	s := goldenSim(t)
	snapped := onDemandGolden(t, s, "developer/build/pkg-config")
	cloned := onDemandGolden(t, s, "developer/versioning/git")
	userSnap := "rpool/zones/_zonemgr/GIZ/" + snapped + "/ROOT/zbe@mine"
	s.MustRun("zfs", "snapshot", userSnap)
	ours := strings.TrimSpace(s.MustRun("zfs", "list", "-H", "-o", "name", "-t", "snapshot", "-d", "1", "rpool/zones/_zonemgr/GIZ/"+cloned+"/ROOT/zbe"))
	ours = strings.Split(ours, "\n")[0]
	s.MustRun("zfs", "clone", ours, "rpool/export/mine")
	usedLongAgo(s, snapped, cloned)
	before := s.State()
	out, errOut, code := s.Run(nil, "zonemgr", "gc", "--unused-goldens", "30d")
	if code != 0 || strings.Contains(out, "golden ") ||
		!strings.Contains(errOut, "golden zone kept: "+snapped+": it has snapshots zonemgr did not take: "+userSnap) ||
		!strings.Contains(errOut, "golden zone kept: "+cloned+": datasets are cloned from its snapshots: rpool/export/mine") {
		t.Errorf("gc --unused-goldens: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if got := s.State(); got != before {
		t.Errorf("gc changed the host:\n%s", diffLines(before, got))
	}
}

// TestEvictKeepsWhatARunHolds: eviction only tries a golden zone's build
// lock: while a run holds it (building the golden zone, or choosing it for
// a disposable zone, which then holds the zone's lock until its clone),
// the golden zone is kept, saying so, and gc does not wait.
func TestEvictKeepsWhatARunHolds(t *testing.T) {
	s := goldenSim(t)
	g := onDemandGolden(t, s, "developer/build/pkg-config")
	usedLongAgo(s, g)

	p := filepath.Join(s.Root, "var/run/zonemgr/locks", "content-"+g+".lock")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	before := s.State()
	out, errOut, code := s.Run(nil, "zonemgr", "gc", "--unused-goldens", "30d")
	if code != 0 || strings.Contains(out, "golden ") ||
		!strings.Contains(errOut, "golden zone kept: "+g+": another zonemgr run is building it or making a disposable zone from it") {
		t.Errorf("gc --unused-goldens while the build lock is held: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if got := s.State(); got != before {
		t.Errorf("gc changed the host:\n%s", diffLines(before, got))
	}
	f.Close()
	if out, errOut, code := s.Run(nil, "zonemgr", "gc", "--unused-goldens", "30d"); code != 0 || !strings.Contains(out, "golden "+g+"\n") {
		t.Errorf("gc --unused-goldens once the lock is free: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

// TestDerivedGoldenIsClonedFromTheBaseItRecords: a derived golden zone
// (a golden zone and packages it lacks) is named by its content, whose
// base snapshot is read before any lock; a snapshot of the base taken
// before the clone runs is not cloned instead: the zone holds the base
// it records.
func TestDerivedGoldenIsClonedFromTheBaseItRecords(t *testing.T) {
	s := goldenSim(t)
	release := s.startPaused(t, "pkg list#1", "create-diz", "-c", "golden", "-z", "d3", "-p", "developer/build/pkg-config")
	s.MustRun("zonemgr", "-q", "snapshot", "-z", "golden", "-s", "autozone-20990101T000000Z")
	if out, errOut, code := release(); code != 0 {
		t.Fatalf("create-diz: exit %d\n%s%s", code, out, errOut)
	}
	var derived string
	for n := range goldens(t, s) {
		if n != "golden" {
			derived = n
		}
	}
	xml, err := os.ReadFile(filepath.Join(s.Root, "etc/zones", derived+".xml"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg := string(xml); !strings.Contains(cfg, "base=golden@initial-postinstalled-golden") ||
		!strings.Contains(cfg, `name="zonemgr.snapshot" type="string" value="initial-postinstalled-golden"`) {
		t.Errorf("golden zone %s records and holds another base:\n%s", derived, cfg)
	}
}
