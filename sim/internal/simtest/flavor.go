package simtest

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
)

// NewFlavor initializes a sim root of the given flavour ("illumos-sim
// init --flavor F") in a temporary directory.
func NewFlavor(t *testing.T, f core.Flavor) *Sim {
	t.Helper()
	if bin == "" {
		t.Fatal("simtest: the sim is not built: call simtest.Main from TestMain")
	}
	root := t.TempDir()
	out, err := exec.Command(filepath.Join(bin, "illumos-sim"), "init", "--flavor", string(f), root).CombinedOutput()
	if err != nil {
		t.Fatalf("illumos-sim init --flavor %s: %v\n%s", f, err, out)
	}
	return &Sim{T: t, Root: root}
}
