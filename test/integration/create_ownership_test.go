package integration

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/test/internal/simh"
)

// What zonemgr makes it owns, and nothing else: a disposable zone is
// cloned only from a snapshot whose destruction by the brand's uninstall
// a hold prevents; a zone is never made over a dataset that exists
// already; undo, gc and a zone's destroy take only datasets, children,
// snapshots and VNICs that are provably the run's or the zone's.

const (
	gizDS = "rpool/zones/_zonemgr/GIZ"
	dizDS = "rpool/zones/_zonemgr/DIZ"
	zbe   = gizDS + "/golden/ROOT/zbe"
)

// datasets lists a tree's datasets and snapshots, one a line.
func (s *Sim) datasets(root string) string {
	out, _, _ := s.Run(nil, "zfs", "list", "-H", "-o", "name", "-t", "all", "-r", root)
	return out
}

// A dataset at the new zone's zonepath that exists already (a leftover
// zonemgr cannot prove it made, or anyone's) is never adopted: the
// creation of a disposable or golden zone of that name is refused,
// naming the dataset, and nothing changes; the dataset and what it
// holds stay.
func TestCreateRefusesExistingZonepathDataset(t *testing.T) {
	s := goldenSim(t)
	s.MustRun("zfs", "create", dizDS+"/d1")
	s.MustRun("zfs", "create", dizDS+"/d1/precious")
	if err := os.Chmod(filepath.Join(s.Root, "zones/_zonemgr/DIZ/d1"), 0o700); err != nil {
		t.Fatal(err)
	}
	s.MustRun("zfs", "create", gizDS+"/g2")
	before := s.State()
	for _, c := range [][]string{
		{"create-diz", "-c", "golden", "-z", "d1"},
		{"exec-diz", "-c", "golden", "-z", "d1", "--exec-cmd", "true"},
		{"create-giz", "-z", "g2"},
	} {
		out, errOut, code := s.Run(nil, "zonemgr", c...)
		ds := dizDS + "/d1"
		if c[0] == "create-giz" {
			ds = gizDS + "/g2"
		}
		if code == 0 || !strings.Contains(errOut, "-z:") || !strings.Contains(errOut, "dataset "+ds+" exists already") {
			t.Errorf("zonemgr %s: exit %d, want a refusal naming -z and %s: %s%s", strings.Join(c, " "), code, ds, out, errOut)
		}
	}
	res := s.Module("zone_diz", map[string]any{"name": "d1", "giz": "golden"})
	if res["failed"] != true || !strings.Contains(res["msg"].(string), "name:") || !strings.Contains(res["msg"].(string), dizDS+"/d1 exists already") {
		t.Errorf("zone_diz over an existing dataset: %s", pretty(res))
	}
	if after := s.State(); after != before {
		t.Errorf("a refused creation changed the system:\n%s", simh.DiffLines(before, after))
	}
}

// A re-created disposable zone is made over its own dataset, which the
// destroy steps before the creation remove: that is not a leftover.
func TestRecreateDIZIsNotRefusedForItsOwnDataset(t *testing.T) {
	s := goldenSim(t)
	s.MustModule("zone_diz", map[string]any{"name": "d1", "giz": "golden"})
	res := s.MustModule("zone_diz", map[string]any{"name": "d1", "giz": "golden", "copy_users": []string{"jenkins"}, "recreate": true})
	if res["recreated"] != true {
		t.Errorf("not re-created: %s", pretty(res))
	}
}

// A zone's destroy deletes its automatic VNICs only while no other zone
// is configured with them, as the undo of their creation does.
func TestDestroyKeepsVNICAnotherZoneUses(t *testing.T) {
	s := goldenSim(t)
	s.MustRun("zonemgr", "create-diz", "-c", "golden", "-z", "d1", "--add-vnic-over", "e1000g0")
	cfg := s.WriteFile("other.cfg", "create -b\nset zonepath=/zones/other\nset brand=ipkg\nset ip-type=exclusive\nadd net\nset physical=autodizd1_0\nend\ncommit\n")
	s.MustRun("zonecfg", "-z", "other", "-f", cfg)
	o, e, c := s.Run(nil, "zonemgr", "destroy", "-z", "d1")
	if c != 0 || !strings.Contains(o+e, "warning: d1: dladm delete-vnic autodizd1_0 not run: VNIC autodizd1_0 is configured in zone other") {
		t.Errorf("destroy: exit %d, want it to keep autodizd1_0 and say why: %s%s", c, o, e)
	}
	if vn, _, _ := s.Run(nil, "dladm", "show-vnic", "-p", "-o", "link"); !strings.Contains(vn, "autodizd1_0") {
		t.Errorf("destroy of d1 deleted autodizd1_0, which zone other is configured with")
	}
	if z := s.Zones(); !slices.Equal(z, []string{"golden:installed", "other:configured"}) {
		t.Errorf("zones: %v", z)
	}
}
