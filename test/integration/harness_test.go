// Package integration runs the built binaries (bin/) against the simulated
// global zone: a fresh sim root per test (simh.New), the sim's tool links
// first on PATH, and assertions on results, on the sim's command log and
// on the sim's whole state.
package integration

import (
	"os/exec"
	"testing"

	"github.com/zonemgr/zonemgr/test/internal/simh"
)

// TestMain removes the binaries the tests built, if they built them.
func TestMain(m *testing.M) { simh.Main(m) }

// bin returns the directory of the built binaries.
func bin(t testing.TB) string { return simh.Bin(t) }

// A Sim is one fresh simulated global zone (simh.Sim) and what the tests
// of this package keep beside it.
type Sim struct {
	*simh.Sim
	t testing.TB
	// bystander is a run in flight that a test keeps going (crashSim).
	bystander    *exec.Cmd
	bystanderOut *syncBuffer
}

// NewSim creates a sim root with its tool links first on PATH.
func NewSim(t testing.TB) *Sim {
	t.Helper()
	return &Sim{Sim: simh.New(t), t: t}
}

// Mutating returns the mutating commands in a slice of the log.
var Mutating = simh.Mutating

// pretty renders a value as indented JSON.
func pretty(v any) string { return simh.Pretty(v) }
