package zones

import (
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/zfs"
)

// A zone in the kernel has zoneadmd's mounts below its root, so its boot
// environment cannot be unmounted, and zfs destroy stops there with
// "Device busy" (zfs_main.c destroy_callback(): the snapshots batched
// before the filesystem are destroyed first and stay destroyed).
func TestDestroyBusyZoneRoot(t *testing.T) {
	for _, state := range []string{"ready", "running", "mounted"} {
		t.Run(state, func(t *testing.T) {
			s := newSim(t)
			s.inState("d1", state)
			s.must("zfs", "snapshot", "rpool/zones/d1/ROOT/zbe@s1")
			s.must("zfs", "snapshot", "rpool/zones/d1@s2")

			busy := "cannot unmount '/zones/d1/root': Device busy\n"
			check(t, "destroy -r", s.run("zfs", "destroy", "-r", "rpool/zones/d1"), "", busy, 1)
			check(t, "destroy zbe", s.run("zfs", "destroy", "rpool/zones/d1/ROOT/zbe"), "", busy, 1)
			check(t, "unmount by path", s.run("zfs", "unmount", "/zones/d1/root"), "", busy, 1)
			check(t, "unmount zonepath", s.run("zfs", "unmount", "rpool/zones/d1"), "",
				"cannot unmount '/zones/d1': Device busy\n", 1)
			got := s.must("zfs", "list", "-H", "-o", "name,mounted", "-t", "all", "-r", "rpool/zones/d1")
			want := "rpool/zones/d1\tyes\nrpool/zones/d1@s2\t-\nrpool/zones/d1/ROOT\tno\nrpool/zones/d1/ROOT/zbe\tyes\n"
			if got != want {
				t.Errorf("after the refused destroys:\n%s\nwant\n%s", got, want)
			}
			if st := s.stateOf("d1"); st != state {
				t.Errorf("zone state %s", st)
			}

			// Once the zone is out of the kernel nothing is stacked on
			// its root any more.
			if state == "mounted" {
				s.must("zoneadm", "-z", "d1", "unmount")
			} else {
				s.must("zoneadm", "-z", "d1", "halt")
			}
			s.must("zfs", "destroy", "-r", "rpool/zones/d1")
			zs, err := zfs.Open(s.root)
			if err != nil {
				t.Fatal(err)
			}
			if zs.Exists("rpool/zones/d1") {
				t.Errorf("rpool/zones/d1 survives destroy -r of a halted zone")
			}
		})
	}
}

// A lofs fs resource of a running zone is mounted below its root too;
// other zones' datasets are not affected.
func TestDestroyOtherZoneNotBusy(t *testing.T) {
	s := newSim(t)
	s.running("d1")
	s.installed("d2")
	s.must("zfs", "destroy", "-r", "rpool/zones/d2")
	r := s.run("zfs", "destroy", "-r", "rpool/zones")
	if r.code != 1 || !strings.Contains(r.stderr, "cannot unmount '/zones/d1/root': Device busy") {
		t.Errorf("destroy -r rpool/zones with d1 running: %+v", r)
	}
}
