package simh

import (
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/test/internal/simstate"
)

// Log returns the sim's log of every command it ran, oldest first.
func (s *Sim) Log() []core.LogEntry {
	s.t.Helper()
	l, err := core.ReadLog(s.Root)
	if err != nil {
		s.t.Fatal(err)
	}
	return l
}

// Mutating returns, as command lines, the commands of a slice of the log
// that changed something.
func Mutating(entries []core.LogEntry) []string {
	var out []string
	for _, e := range entries {
		if e.Mutating {
			out = append(out, strings.Join(e.Argv, " "))
		}
	}
	return out
}

// Mutations returns the mutating commands the sim logged from entry n on,
// and the log's length: the n to give the next call.
func (s *Sim) Mutations(n int) ([]string, int) {
	s.t.Helper()
	log := s.Log()
	return Mutating(log[min(n, len(log)):]), len(log)
}

// State captures everything the sim knows, as text (see
// simstate.Capture): two equal states mean nothing changed, or nothing
// was left behind.
func (s *Sim) State() string {
	s.t.Helper()
	st, err := simstate.Capture(filepath.Join(s.Bin, "illumos-sim"), s.Root)
	if err != nil {
		s.t.Fatal(err)
	}
	return st
}

// DiffLines shows the lines only in a (prefixed "- ") and only in b
// ("+ "): what changed between two States.
func DiffLines(a, b string) string { return simstate.DiffLines(a, b) }

// Zones returns the zones other than global as "name:state", sorted.
func (s *Sim) Zones() []string {
	s.t.Helper()
	out := s.MustRun("zoneadm", "list", "-cp")
	zones := []string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(line, ":")
		if len(f) > 2 && f[1] != "global" {
			zones = append(zones, f[1]+":"+f[2])
		}
	}
	sort.Strings(zones)
	return zones
}

// Snapshots returns the names (after '@') of a dataset's own snapshots,
// oldest first.
func (s *Sim) Snapshots(dataset string) []string {
	s.t.Helper()
	out := s.MustRun("zfs", "list", "-H", "-o", "name", "-t", "snapshot", "-s", "creation", "-r", dataset)
	var snaps []string
	for _, line := range strings.Fields(out) {
		if ds, snap, ok := strings.Cut(line, "@"); ok && ds == dataset {
			snaps = append(snaps, snap)
		}
	}
	return snaps
}

// destroyDependents matches a zfs destroy or rollback with -R in any
// flag cluster.
var destroyDependents = regexp.MustCompile(`^zfs (destroy|rollback)( -[A-Za-z]+)* -[A-Za-z]*R`)

// DestroysDependents tells whether a command line is a zfs destroy or
// zfs rollback with -R, which destroys clones: dependents outside the
// dataset's own tree.
func DestroysDependents(cmdline string) bool { return destroyDependents.MatchString(cmdline) }

// CheckNoDestroyDependents records an error in t for every zfs destroy or
// zfs rollback with -R in the log of the sim at root, and returns how
// many zfs destroy commands the sim ran (a check over none proves
// nothing). New registers it as a cleanup of every Sim.
func CheckNoDestroyDependents(t testing.TB, root string) int {
	t.Helper()
	log, err := core.ReadLog(root)
	if err != nil {
		t.Errorf("read the sim's command log: %v", err)
		return 0
	}
	n := 0
	for _, e := range log {
		c := strings.Join(e.Argv, " ")
		if strings.HasPrefix(c, "zfs destroy") {
			n++
		}
		if destroyDependents.MatchString(c) {
			t.Errorf("the sim ran %s", c)
		}
	}
	return n
}
