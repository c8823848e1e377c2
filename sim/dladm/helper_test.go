package dladm_test

import (
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/dladm"
	"github.com/zonemgr/zonemgr/sim/internal/simtest"
)

func TestMain(m *testing.M) { simtest.Main(m) }

// assignVNIC gives a vnic to a zone under the state lock, as zoneadm
// does at boot.
func assignVNIC(t *testing.T, s *simtest.Sim, link, zone string) {
	t.Helper()
	lock, err := (&core.Invocation{Root: s.Root}).LockState()
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	if err := dladm.AssignVNIC(s.Root, link, zone); err != nil {
		t.Fatal(err)
	}
}
