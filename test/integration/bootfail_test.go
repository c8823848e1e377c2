package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBootFailures: a boot that zoneadm's verify refuses (a zonepath
// another mode than 0700, a delegated dataset gone) fails the operation
// with zoneadm's own message, and leaves the zone as it was.
func TestBootFailures(t *testing.T) {
	s := goldenSim(t)
	s.MustModule("zone_diz", map[string]any{"name": "b1", "giz": "golden", "delegate_datasets": []string{"rpool/zones/_zonemgr/delegated/b1"}})
	zp := filepath.Join(s.Root, "zones/_zonemgr/DIZ/b1")
	for _, tt := range []struct {
		name        string
		break_, fix func()
		want        []string
	}{
		{"zonepath mode",
			func() { os.Chmod(zp, 0o755) }, func() { os.Chmod(zp, 0o700) },
			[]string{"/zones/_zonemgr/DIZ/b1 must not be group readable.", "could not verify zonepath /zones/_zonemgr/DIZ/b1 because of the above errors.", "zone b1 failed to verify"}},
		{"delegated dataset gone",
			func() { s.MustRun("zfs", "destroy", "rpool/zones/_zonemgr/delegated/b1") },
			func() { s.MustRun("zfs", "create", "rpool/zones/_zonemgr/delegated/b1") },
			[]string{"could not verify zfs dataset rpool/zones/_zonemgr/delegated/b1: dataset does not exist"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.break_()
			defer tt.fix()
			before := s.State()
			res := s.Module("zone_diz", map[string]any{"name": "b1", "state": "running"})
			msg := fmt.Sprint(res["msg"], res["stderr"])
			for _, w := range tt.want {
				if res["failed"] != true || !strings.Contains(msg, w) {
					t.Errorf("boot: no %q in %s", w, pretty(res))
				}
			}
			if got := s.State(); got != before {
				t.Errorf("the failed boot left things behind:\n%s", diffLines(before, got))
			}
		})
	}
}

// TestCloneFailureUndone: a clone that fails after zoneadm made the zone
// incomplete (the snapshot vanished before the brand's clone ran) is
// undone: uninstall -F of the incomplete zone, then its configuration;
// only what the brand itself leaves of the zonepath stays, and a zone is
// made again under the name only once that is gone.
func TestCloneFailureUndone(t *testing.T) {
	s := goldenSim(t)
	before := s.State()
	// Held as zonemgr holds its own, or the clone is refused before it
	// runs.
	s.MustRun("zfs", "snapshot", "-r", "rpool/zones/_zonemgr/GIZ/golden@gone")
	s.MustRun("zfs", "hold", "-r", "zonemgr", "rpool/zones/_zonemgr/GIZ/golden@gone")
	release := s.startPaused(t, "zoneadm clone#1", "create-diz", "-c", "golden", "-s", "gone", "-z", "c1")
	s.MustRun("zfs", "release", "-r", "zonemgr", "rpool/zones/_zonemgr/GIZ/golden@gone")
	s.MustRun("zfs", "destroy", "-r", "rpool/zones/_zonemgr/GIZ/golden@gone")
	mark := len(s.Log())
	out, errOut, code := release()
	// The brand's own words: OmniOS's clone hook prints its error on
	// stderr, OpenIndiana's only zfs's line before it.
	why := strings.Contains(errOut, "specified snapshot is invalid for this source zone") ||
		strings.Contains(errOut, "cannot open 'rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@gone': dataset does not exist")
	if code != 1 || !why || !strings.Contains(errOut, "cleaned up: zoneadm -z c1 uninstall -F; zonecfg -z c1 delete -F") {
		t.Errorf("create-diz after the snapshot went: exit %d\n%s%s", code, out, errOut)
	}
	if got := Mutating(s.Log()[mark:]); len(got) < 2 || got[len(got)-2] != "zoneadm -z c1 uninstall -F" {
		t.Errorf("the incomplete zone was not uninstalled: %q", got)
	}
	// OmniOS's clone hook logs to $ZONEPATH/log/zone.log (log.ksh
	// setuplog()) before it makes the zonepath's dataset, and the
	// brand's uninstall removes only root, dev, lu and SUNWattached.xml
	// of a zonepath that is no dataset (uninstall.ksh rm_zonepath()):
	// the zonepath directory stays with that log, and nothing else does.
	got := s.State()
	had, has := map[string]bool{}, map[string]bool{}
	for _, l := range strings.Split(before, "\n") {
		had[l] = true
	}
	var left []string
	for _, l := range strings.Split(got, "\n") {
		has[l] = true
		if !had[l] {
			left = append(left, l)
		}
	}
	lost := false
	for l := range had {
		lost = lost || !has[l]
	}
	var want []string
	if s.Flavor == "omnios" {
		want = []string{"zones/_zonemgr/DIZ/c1 drwx------ 0", "zones/_zonemgr/DIZ/c1/log drwxr-xr-x 0", "zones/_zonemgr/DIZ/c1/log/zone.log -rw------- "}
	}
	ok := !lost && len(left) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = strings.HasPrefix(left[i], want[i])
	}
	if !ok {
		t.Errorf("left behind:\n%s", diffLines(before, got))
	}

	// Made again under the name: OmniOS's leftover directory would get
	// the zone's dataset created unmounted (zfs mounts nothing on a
	// directory that is not empty), so the run is refused, naming it,
	// and changes nothing; once it is removed by hand, or where nothing
	// was left (OpenIndiana), the zone is made with its dataset mounted.
	if s.Flavor == "omnios" {
		mark, state := len(s.Log()), s.State()
		out, errOut, code := s.Run(nil, "zonemgr", "create-diz", "-c", "golden", "-z", "c1")
		want := "zonemgr: error: -z: zone c1: its zonepath /zones/_zonemgr/DIZ/c1 is a directory that is not empty (log), and no dataset of the zone's is there: the brand would make the zone with its dataset not mounted."
		if code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("create-diz over the leftover: exit %d, want 1 and %q\n%s%s", code, want, out, errOut)
		}
		if m := Mutating(s.Log()[mark:]); len(m) > 0 || s.State() != state {
			t.Errorf("the refused create-diz changed things: %q\n%s", m, diffLines(state, s.State()))
		}
		if err := os.RemoveAll(filepath.Join(s.Root, "zones/_zonemgr/DIZ/c1")); err != nil {
			t.Fatal(err)
		}
	}
	s.mustZonemgr(t, "create-diz", "-c", "golden", "-z", "c1")
	if out := s.MustRun("zfs", "list", "-H", "-o", "mounted", "rpool/zones/_zonemgr/DIZ/c1"); out != "yes\n" {
		t.Errorf("the zone's dataset: mounted = %q, want yes", out)
	}
}
