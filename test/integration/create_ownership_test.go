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

// A snapshot of the golden zone taken by hand carries no hold: a clone of
// it is refused, by the CLI and the module alike, naming the option and
// the snapshot, and nothing changes. Once the admin holds it, the clone
// is made, and its one-shot run's cleanup (whose uninstall tries to
// destroy the clone's origin) leaves the snapshot in place.
func TestCloneRefusesSnapshotWithoutZonemgrHold(t *testing.T) {
	s := goldenSim(t)
	s.MustRun("zfs", "snapshot", "-r", gizDS+"/golden@mine")
	before := s.State()
	out, errOut, code := s.Run(nil, "zonemgr", "exec-diz", "-c", "golden", "-s", "mine", "--exec-cmd", "true")
	if code == 0 {
		t.Fatalf("exec-diz from an unheld snapshot succeeded: %s%s", out, errOut)
	}
	for _, w := range []string{"-s:", zbe + "@mine", `no "zonemgr" hold`, "zfs hold -r zonemgr " + gizDS + "/golden@mine"} {
		if !strings.Contains(errOut, w) {
			t.Errorf("error %q does not contain %q", errOut, w)
		}
	}
	res := s.Module("zone_diz", map[string]any{"name": "d1", "giz": "golden", "snapshot": "mine"})
	if res["failed"] != true || !strings.Contains(res["msg"].(string), "snapshot:") || !strings.Contains(res["msg"].(string), zbe+"@mine") {
		t.Errorf("zone_diz from an unheld snapshot: %s", pretty(res))
	}
	if after := s.State(); after != before {
		t.Errorf("a refused clone changed the system:\n%s", simh.DiffLines(before, after))
	}

	s.MustRun("zfs", "hold", "-r", "zonemgr", gizDS+"/golden@mine")
	if out, errOut, code := s.Run(nil, "zonemgr", "exec-diz", "-c", "golden", "-s", "mine", "--exec-cmd", "true"); code != 0 {
		t.Fatalf("exec-diz from a held snapshot: %d %s%s", code, out, errOut)
	}
	if !slices.Contains(s.Snapshots(zbe), "mine") {
		t.Errorf("exec-diz's cleanup destroyed %s@mine:\n%s", zbe, s.datasets(gizDS+"/golden"))
	}
	if z := s.Zones(); !slices.Equal(z, []string{"golden:installed"}) {
		t.Errorf("zones left: %v", z)
	}
}

// A snapshot taken by hand and named like zonemgr's own (autozone-…,
// newer than every other) is not the default snapshot to clone: the
// default is the newest snapshot zonemgr took and holds, and the hand
// snapshot survives the clone's destroy.
func TestCloneDefaultIgnoresSnapshotNamedLikeZonemgrs(t *testing.T) {
	s := goldenSim(t)
	const mimic = "autozone-29991231T000000Z"
	s.MustRun("zfs", "snapshot", "-r", gizDS+"/golden@"+mimic)
	res := s.MustModule("zone_diz", map[string]any{"name": "d1", "giz": "golden"})
	if res["snapshot"] == mimic || res["origin"] == zbe+"@"+mimic {
		t.Fatalf("the disposable zone was cloned from the hand-made %s: %s", mimic, pretty(res))
	}
	if o, _, _ := s.Run(nil, "zfs", "get", "-H", "-o", "value", "origin", dizDS+"/d1/ROOT/zbe"); o != zbe+"@"+res["snapshot"].(string)+"\n" {
		t.Errorf("d1's origin is %q, want the default snapshot %v", o, res["snapshot"])
	}
	s.MustModule("zone_diz", map[string]any{"name": "d1", "state": "absent"})
	if !slices.Contains(s.Snapshots(zbe), mimic) {
		t.Errorf("the destroy of d1 destroyed %s@%s", zbe, mimic)
	}
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

// A zone is not made over a zonepath directory with something in it
// (what a failed install or clone leaves on OmniOS: the brand's log):
// the zone's dataset would be created there but not mounted. Every way
// of making a zone refuses it, naming the zone's option, and changes
// nothing.
func TestCreateRefusesLeftoverZonepathDirectory(t *testing.T) {
	s := goldenSim(t)
	img := t.TempDir() + "/golden.img"
	s.MustRun("zonemgr", "export-giz", "-z", "golden", "-o", img)
	for _, zp := range []string{"zones/_zonemgr/DIZ/d1/log", "zones/_zonemgr/GIZ/g2/log"} {
		if err := os.MkdirAll(filepath.Join(s.Root, zp), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(s.Root, zp, "zone.log"), []byte("[Mon Dec  7] ERROR\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	before := s.State()
	for _, c := range [][]string{
		{"create-diz", "-c", "golden", "-z", "d1"},
		{"exec-diz", "-c", "golden", "-z", "d1", "--exec-cmd", "true"},
		{"create-giz", "-z", "g2"},
		{"create-giz", "-z", "g2", "-c", "golden"},
		{"import-giz", "-i", img, "-z", "g2"},
	} {
		out, errOut, code := s.Run(nil, "zonemgr", c...)
		zp := "/zones/_zonemgr/DIZ/d1"
		if c[0] != "create-diz" && c[0] != "exec-diz" {
			zp = "/zones/_zonemgr/GIZ/g2"
		}
		if want := "-z: zone " + c[slices.Index(c, "-z")+1] + ": its zonepath " + zp + " is a directory that is not empty (log)"; code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("zonemgr %s: exit %d, want 1 and %q: %s%s", strings.Join(c, " "), code, want, out, errOut)
		}
	}
	res := s.Module("zone_diz", map[string]any{"name": "d1", "giz": "golden"})
	if msg, _ := res["msg"].(string); res["failed"] != true || !strings.HasPrefix(msg, "name: zone d1: its zonepath /zones/_zonemgr/DIZ/d1 is a directory that is not empty (log)") {
		t.Errorf("zone_diz over the leftover: %s", pretty(res))
	}
	if after := s.State(); after != before {
		t.Errorf("a refused creation changed the system:\n%s", simh.DiffLines(before, after))
	}
}

// A disposable zone's automatic VNIC is made by zonemgr under the zone's
// name, and its undo (the run's, or gc's after a kill in the creation)
// deletes a VNIC of that name: one that exists already, made by hand, is
// refused, naming the option, and kept. A zone re-created keeps making
// its own VNIC, which the destroy before deletes.
func TestCreateRefusesExistingVNICName(t *testing.T) {
	s := goldenSim(t)
	s.MustRun("dladm", "create-vnic", "-l", "e1000g0", "autodizv1_0")
	before := s.State()
	out, errOut, code := s.Run(nil, "zonemgr", "create-diz", "-c", "golden", "-z", "v1", "--add-vnic-over", "e1000g0")
	want := "--add-vnic-over: zone v1: VNIC autodizv1_0 exists already, and no zone of this name configures it"
	if code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("create-diz over a VNIC made by hand: exit %d, want 1 and %q\n%s%s", code, want, out, errOut)
	}
	res := s.Module("zone_diz", map[string]any{"name": "v1", "giz": "golden", "add_vnics_over": []string{"e1000g0"}})
	if msg, _ := res["msg"].(string); res["failed"] != true || !strings.HasPrefix(msg, "add_vnics_over: zone v1: VNIC autodizv1_0 exists already") {
		t.Errorf("zone_diz over a VNIC made by hand: %s", pretty(res))
	}
	if after := s.State(); after != before {
		t.Errorf("a refused creation changed the system:\n%s", simh.DiffLines(before, after))
	}
	s.MustModule("zone_diz", map[string]any{"name": "v2", "giz": "golden", "add_vnics_over": []string{"e1000g0"}})
	res = s.MustModule("zone_diz", map[string]any{"name": "v2", "giz": "golden", "add_vnics_over": []string{"e1000g0"}, "copy_users": []string{"jenkins"}, "recreate": true})
	if vn := s.MustRun("dladm", "show-vnic", "-p", "-o", "link"); res["recreated"] != true || vn != "autodizv1_0\nautodizv2_0\n" {
		t.Errorf("re-created with its VNIC: VNICs %q\n%s", vn, pretty(res))
	}
}

// The name of an automatic VNIC is checked free when the run plans; one
// made by hand under it after that check, in a run killed in its (then
// failing) dladm create-vnic, is not the run's, though the journal has
// the step begun: gc tells them apart by the MAC address the run gave
// its VNIC, keeps the VNIC made by hand and says why. A MAC address the
// user gives that a VNIC over the link has already is refused, naming
// the option.
func TestGCKeepsAVNICMadeByHandUnderTheAutomaticName(t *testing.T) {
	s := goldenSim(t)
	s.crashAt("dladm create-vnic#1", "zonemgr", "create-diz", "-c", "golden", "-z", "job1", "--add-vnic-over", "e1000g0")
	s.MustRun("dladm", "create-vnic", "-l", "e1000g0", "-m", "2:8:20:1:2:3", "autodizjob1_0")
	out, errOut, code := s.Run(nil, "zonemgr", "gc")
	if code != 0 || !strings.Contains(out+errOut, "VNIC autodizjob1_0 is not the one this run made: it is over e1000g0 with MAC address 2:8:20:1:2:3") {
		t.Errorf("gc: exit %d, want it to keep autodizjob1_0 and say why:\n%s%s", code, out, errOut)
	}
	if vn := s.MustRun("dladm", "show-vnic", "-p", "-o", "link,macaddress"); vn != "autodizjob1_0:2\\:8\\:20\\:1\\:2\\:3\n" {
		t.Errorf("VNICs after gc: %q, want the one made by hand", vn)
	}
	if j := s.journals(); len(j) != 0 {
		t.Errorf("journals left: %v", j)
	}

	before := s.State()
	res := s.Module("zone_diz", map[string]any{"name": "job2", "giz": "golden", "add_vnics_over": []string{"e1000g0||02:08:20:01:02:03"}})
	if msg, _ := res["msg"].(string); res["failed"] != true || !strings.HasPrefix(msg, `add_vnics_over: zone job2: "e1000g0||2:8:20:1:2:3": VNIC autodizjob1_0 has MAC address 2:8:20:1:2:3 over e1000g0 already`) {
		t.Errorf("zone_diz with a MAC address in use: %s", pretty(res))
	}
	if after := s.State(); after != before {
		t.Errorf("a refused creation changed the system:\n%s", simh.DiffLines(before, after))
	}
	res = s.Module("zone_diz", map[string]any{"name": "job2", "giz": "golden", "add_vnics_over": []string{"stub0||2:8:20:a:b:c", "stub0||2:8:20:a:b:c"}})
	if msg, _ := res["msg"].(string); res["failed"] != true || !strings.HasPrefix(msg, `add_vnics_over: zone job2: "stub0||2:8:20:a:b:c": the VNIC planned before it (autodizjob2_0) has MAC address 2:8:20:a:b:c over stub0 already`) {
		t.Errorf("zone_diz with a MAC address given twice: %s", pretty(res))
	}
	if after := s.State(); after != before {
		t.Errorf("a refused creation changed the system:\n%s", simh.DiffLines(before, after))
	}
	// The same address on another VLAN is another (address, VLAN) pair.
	s.MustModule("zone_diz", map[string]any{"name": "job2", "giz": "golden", "add_vnics_over": []string{"e1000g0|81|2:8:20:1:2:3"}})
	if vn := s.MustRun("dladm", "show-vnic", "-p", "-o", "link,vid,macaddress", "autodizjob2_0"); vn != "autodizjob2_0:81:2\\:8\\:20\\:1\\:2\\:3\n" {
		t.Errorf("job2's VNIC: %q", vn)
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

// An import killed in its zfs receive, before anything was received,
// leaves a journal whose undo destroys the dataset named after the zone.
// gc runs it only on a dataset that holds the image's snapshot, with the
// image's guid, on itself and on every dataset below: a dataset of that
// name made since by anyone else is kept, with what it holds.
func TestGCKeepsDatasetTheKilledImportDidNotReceive(t *testing.T) {
	s := goldenSim(t)
	img := t.TempDir() + "/golden.img"
	s.MustRun("zonemgr", "export-giz", "-z", "golden", "-o", img)
	s.crashAt("zfs receive#1", "zonemgr", "import-giz", "-i", img, "-z", "imp")
	if l := s.datasets(gizDS + "/imp"); l != "" {
		t.Fatalf("the killed receive left %s", l)
	}
	s.MustRun("zfs", "create", gizDS+"/imp")
	s.MustRun("zfs", "create", gizDS+"/imp/precious")
	before := s.datasets(gizDS + "/imp")
	o, e, c := s.Run(nil, "zonemgr", "gc")
	if c != 0 || !strings.Contains(o+e, gizDS+"/imp was not received by this run") {
		t.Errorf("gc: exit %d, want it to keep %s/imp and say why: %s%s", c, gizDS, o, e)
	}
	if after := s.datasets(gizDS + "/imp"); after != before {
		t.Errorf("gc changed %s/imp, which the killed import never received:\nbefore:\n%safter:\n%s", gizDS, before, after)
	}
}

// An import killed after its receive leaves the received dataset, which
// gc destroys (it is provably the stream's); but a dataset made below it
// meanwhile is not the stream's, and keeps the received tree in place.
func TestGCUndoesKilledImportOnlyOverTheStreamsDatasets(t *testing.T) {
	for _, foreignChild := range []bool{false, true} {
		name := "received"
		if foreignChild {
			name = "child made since"
		}
		t.Run(name, func(t *testing.T) {
			s := goldenSim(t)
			img := t.TempDir() + "/golden.img"
			s.MustRun("zonemgr", "export-giz", "-z", "golden", "-o", img)
			clean := s.State()
			s.crashAt("zoneadm attach#1", "zonemgr", "import-giz", "-i", img, "-z", "imp")
			if !strings.Contains(s.datasets(gizDS+"/imp"), gizDS+"/imp/ROOT/zbe@") {
				t.Fatalf("the import was killed before its receive: %s", s.datasets(gizDS+"/imp"))
			}
			if !foreignChild {
				s.checkGC(t, clean)
				return
			}
			s.MustRun("zfs", "create", gizDS+"/imp/precious")
			o, e, c := s.Run(nil, "zonemgr", "gc")
			if !strings.Contains(o+e, "holds datasets the stream did not make: "+gizDS+"/imp/precious") {
				t.Errorf("gc: exit %d, want it to keep %s/imp and say why: %s%s", c, gizDS, o, e)
			}
			if !strings.Contains(s.datasets(gizDS+"/imp"), gizDS+"/imp/precious\n") {
				t.Errorf("gc destroyed %s/imp/precious, which the stream did not make", gizDS)
			}
		})
	}
}

// A delegated dataset zonemgr made is destroyed (by gc after a killed
// creation, or by the zone's destroy) only while zfs destroy -r would
// take nothing else: a child dataset or a snapshot made by someone else
// keeps it, and the reason is reported.
func TestDelegatedDatasetKeptWhileItHoldsWhatZonemgrDidNotMake(t *testing.T) {
	const ccache = "rpool/export/ccache"
	for _, tc := range []struct{ name, foreign, why string }{
		{"child dataset", ccache + "/someone-elses", "holds other datasets now: " + ccache + "/someone-elses"},
		{"snapshot", ccache + "@byhand", "has snapshots zonemgr did not take: " + ccache + "@byhand"},
	} {
		makeForeign := func(s *Sim) {
			if strings.Contains(tc.foreign, "@") {
				s.MustRun("zfs", "snapshot", tc.foreign)
			} else {
				s.MustRun("zfs", "create", tc.foreign)
			}
		}
		t.Run("gc/"+tc.name, func(t *testing.T) {
			s := goldenSim(t)
			s.crashAt("dladm create-vnic#1", "zonemgr", "create-diz", "-c", "golden", "-z", "job1", "--add-vnic-over", "e1000g0",
				"--delegate-dataset", ccache)
			makeForeign(s)
			o, e, c := s.Run(nil, "zonemgr", "gc")
			if c != 0 || !strings.Contains(o+e, tc.why) {
				t.Errorf("gc: exit %d, want it to keep %s because it %s: %s%s", c, ccache, tc.why, o, e)
			}
			if l := s.datasets("rpool/export"); !strings.Contains(l, ccache+"\n") || !strings.Contains(l, tc.foreign+"\n") {
				t.Errorf("gc destroyed %s or %s:\n%s", ccache, tc.foreign, l)
			}
		})
		t.Run("destroy/"+tc.name, func(t *testing.T) {
			s := goldenSim(t)
			s.MustRun("zonemgr", "create-diz", "-c", "golden", "-z", "job1", "--delegate-dataset", ccache)
			makeForeign(s)
			o, e, c := s.Run(nil, "zonemgr", "destroy", "-z", "job1")
			if c != 0 || !strings.Contains(o+e, "warning: job1: zfs destroy -r "+ccache+" not run: "+ccache+" "+tc.why) {
				t.Errorf("destroy: exit %d, want it to keep %s because it %s: %s%s", c, ccache, tc.why, o, e)
			}
			if l := s.datasets("rpool/export"); !strings.Contains(l, ccache+"\n") || !strings.Contains(l, tc.foreign+"\n") {
				t.Errorf("destroy destroyed %s or %s:\n%s", ccache, tc.foreign, l)
			}
			if z := s.Zones(); !slices.Equal(z, []string{"golden:installed"}) {
				t.Errorf("zones left: %v", z)
			}
		})
	}
	// What zonemgr took itself does not keep the dataset: a snapshot of
	// the disposable zone (which takes its delegated datasets too).
	t.Run("destroy/zonemgr's snapshot", func(t *testing.T) {
		s := goldenSim(t)
		clean := s.State()
		s.MustRun("zonemgr", "create-diz", "-c", "golden", "-z", "job1", "--delegate-dataset", ccache)
		s.MustRun("zonemgr", "snapshot", "-z", "job1", "-s", "s1")
		if l := s.datasets(ccache); !strings.Contains(l, ccache+"@s1\n") {
			t.Fatalf("zonemgr snapshot did not snapshot %s:\n%s", ccache, l)
		}
		s.MustRun("zonemgr", "destroy", "-z", "job1")
		if after := s.State(); after != clean {
			t.Errorf("destroy left something behind:\n%s", simh.DiffLines(clean, after))
		}
	})
}

// A dataset below one zonemgr made inherits its zonemgr:run: that proves
// nothing of it. A creation killed while making the second of two nested
// delegated datasets (its third zfs create: the first is planned again
// as the second's parent) leaves a journal whose undo names it; one made
// by hand since carries the run's id only inherited, and gc keeps it
// (and, holding it, its parent).
func TestGCKeepsDatasetCarryingRunOnlyInherited(t *testing.T) {
	s := goldenSim(t)
	s.crashAt("zfs create#3", "zonemgr", "create-diz", "-c", "golden", "-z", "job1",
		"--delegate-dataset", "rpool/export/p", "--delegate-dataset", "rpool/export/p/q")
	if l := s.datasets("rpool/export/p"); l != "rpool/export/p\n" {
		t.Fatalf("the killed creation left %q, want rpool/export/p only", l)
	}
	s.MustRun("zfs", "create", "rpool/export/p/q")
	if v, _, _ := s.Run(nil, "zfs", "get", "-H", "-o", "source", "zonemgr:run", "rpool/export/p/q"); !strings.HasPrefix(v, "inherited") {
		t.Fatalf("rpool/export/p/q's zonemgr:run is %q, want inherited", v)
	}
	o, e, c := s.Run(nil, "zonemgr", "gc")
	if c != 0 || !strings.Contains(o+e, "rpool/export/p/q was not made by this run: it was made by nobody zonemgr knows") {
		t.Errorf("gc: exit %d, want it to keep rpool/export/p/q and say why: %s%s", c, o, e)
	}
	if l := s.datasets("rpool/export/p"); l != "rpool/export/p\nrpool/export/p/q\n" {
		t.Errorf("gc destroyed a dataset made by hand:\n%s", l)
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

// A clone killed inside the brand's hook, after its zfs clone and before
// the boot environment's properties are set, leaves a boot environment
// the brand's uninstall does not count as the zone's (no parentbe):
// uninstall -F succeeds and leaves it. gc then destroys what is left of
// the zone's dataset, proven the run's by its shape (the zone's dataset,
// its ROOT, boot environments cloned from the golden snapshot the run
// recorded), and nothing of the run remains: the golden snapshot has no
// clone left.
func TestGCAfterACloneKilledInTheBrandHook(t *testing.T) {
	for _, args := range [][]string{
		{"create-diz", "-c", "golden", "-z", "job1"},
		// exec-diz's journal finishes the zone's destroy instead.
		{"exec-diz", "-c", "golden", "-z", "job1", "--exec-cmd", "true"},
	} {
		t.Run(args[0], func(t *testing.T) {
			s := goldenSim(t)
			clean := s.State()
			s.crashAt("zoneadm clone-hook#1", "zonemgr", args...)
			if l := s.datasets("rpool/zones/_zonemgr/DIZ/job1"); !strings.Contains(l, "rpool/zones/_zonemgr/DIZ/job1/ROOT/zbe\n") {
				t.Fatalf("the killed clone left no boot environment:\n%s", l)
			}
			o, e, c := s.Run(nil, "zonemgr", "gc")
			if c != 0 {
				t.Errorf("gc: exit %d\n%s%s", c, o, e)
			}
			if after := s.State(); after != clean {
				t.Errorf("left after gc:\n%s\ngc said:\n%s%s", simh.DiffLines(clean, after), o, e)
			}
		})
	}
}

// A lofs mount of another zone's files (its zonepath, below it, or a
// directory holding it) is refused, naming the option and the zone: the
// golden zone's /etc would be in a build zone, and a zone whose root
// another zone's mount reaches does not boot on illumos.
func TestLofsOverAnotherZoneRefused(t *testing.T) {
	s := goldenSim(t)
	before := s.State()
	for _, lofs := range []string{"/mnt|/zones/_zonemgr/GIZ/golden/root/etc", "/zones|/zones"} {
		_, e, c := s.Run(nil, "zonemgr", "create-diz", "-c", "golden", "-z", "job1", "--mount-lofs", lofs)
		if c == 0 || !strings.Contains(e, "--mount-lofs: ") || !strings.Contains(e, "overlaps the zonepath /zones/_zonemgr/GIZ/golden of zone golden") {
			t.Errorf("create-diz --mount-lofs %s: exit %d\n%s", lofs, c, e)
		}
	}
	res := s.Module("zone_giz", map[string]any{"name": "g2", "mount_lofs": []string{"/g|/zones/_zonemgr/GIZ/golden"}})
	if msg, _ := res["msg"].(string); res["failed"] != true || !strings.HasPrefix(msg, "mount_lofs: /zones/_zonemgr/GIZ/golden overlaps the zonepath") {
		t.Errorf("zone_giz: %s", pretty(res))
	}
	if after := s.State(); after != before {
		t.Errorf("refused creations changed the sim:\n%s", simh.DiffLines(before, after))
	}
}
