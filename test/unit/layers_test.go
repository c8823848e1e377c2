// Package unit holds the tests that span packages: the layering rules of
// DESIGN.md, checked on the import graph.
package unit

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/zonemgr/zonemgr"

type pkg struct {
	ImportPath string
	Imports    []string
	GoFiles    []string
}

// packages lists the module's packages with their direct imports
// (non-test files).
func packages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var ps []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	if len(ps) < 10 {
		t.Fatalf("go list found only %d packages", len(ps))
	}
	return ps
}

// product tells the product's packages from the simulator, the test
// harnesses, the benchmarks and the documentation generator.
func product(r string) bool {
	return strings.HasPrefix(r, "internal/") || strings.HasPrefix(r, "modules") || strings.HasPrefix(r, "runner")
}

func rel(p string) string { return strings.TrimPrefix(strings.TrimPrefix(p, module), "/") }

// TestLayers checks the layering of DESIGN.md: the simulator and the
// product are written independently (neither imports the other); only
// internal/illumos and internal/zfs start processes; the front doors
// (modules, runner) reach illumos only through the engine.
func TestLayers(t *testing.T) {
	for _, p := range packages(t) {
		r := rel(p.ImportPath)
		for _, imp := range p.Imports {
			ri := rel(imp)
			switch {
			case strings.HasPrefix(r, "internal/") && strings.HasPrefix(ri, "sim"):
				t.Errorf("%s imports %s: the product must not import the simulator", r, ri)
			case strings.HasPrefix(r, "sim") && strings.HasPrefix(ri, "internal/"):
				t.Errorf("%s imports %s: the simulator must not import the product", r, ri)
			case imp == "os/exec" && product(r) && r != "internal/illumos" && r != "internal/zfs":
				t.Errorf("%s imports os/exec: only internal/illumos and internal/zfs start processes", r)
			case (strings.HasPrefix(r, "runner") || strings.HasPrefix(r, "modules")) && (ri == "internal/illumos" || ri == "internal/zfs"):
				t.Errorf("%s imports %s: the front doors reach commands only through the engine (internal/zone)", r, ri)
			}
		}
	}
}

// TestRunnerGoesThroughModules checks that the zonemgr command reaches
// ZFS and the simulator only through the modules, so that the command
// line and Ansible cannot disagree.
func TestRunnerGoesThroughModules(t *testing.T) {
	for _, p := range packages(t) {
		r := rel(p.ImportPath)
		if !strings.HasPrefix(r, "runner") {
			continue
		}
		for _, imp := range p.Imports {
			if imp == module+"/internal/zfs" || imp == module+"/sim/core" {
				t.Errorf("%s imports %s: the runner goes through the modules", r, rel(imp))
			}
		}
	}
}
