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
			case imp == "os/exec" && product(r) && r != "internal/illumos" && r != "internal/zfs" && r != "internal/zfs/gozfs":
				t.Errorf("%s imports os/exec: only internal/illumos and internal/zfs start processes", r)
			case ri == "internal/zfs/gozfs" && r != "runner/cmd/zonemgr":
				t.Errorf("%s imports %s: only the zonemgr command registers go-zfs", r, ri)
			case (strings.HasPrefix(r, "runner") || strings.HasPrefix(r, "modules")) && (ri == "internal/illumos" || ri == "internal/zfs"):
				t.Errorf("%s imports %s: the front doors reach commands only through the engine (internal/zone)", r, ri)
			}
		}
	}
}

// TestModuleBinariesLinkNoGoZFS checks that no module binary depends on
// go-zfs, with its regexp, uuid, net and crypto imports: Ansible copies
// the binary to the host for every task, and a module applies the zfs
// argv of its plans through its runner. The zonemgr command does link
// it (package internal/zfs/gozfs).
func TestModuleBinariesLinkNoGoZFS(t *testing.T) {
	const gozfs = "github.com/mistifyio/go-zfs/v3"
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}", module+"/modules/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := func(pkg string) map[string]bool {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		m := map[string]bool{}
		for _, p := range strings.Fields(string(out)) {
			m[p] = true
		}
		return m
	}
	var binaries int
	for _, p := range strings.Fields(string(out)) {
		if !strings.HasPrefix(p, module+"/modules/zone_") {
			continue
		}
		binaries++
		if d := deps(p); d[gozfs] || d[module+"/internal/zfs/gozfs"] {
			t.Errorf("%s links %s", rel(p), gozfs)
		}
	}
	if binaries != 6 {
		t.Errorf("found %d module binaries, want 6", binaries)
	}
	if !deps(module + "/runner/cmd/zonemgr")[gozfs] {
		t.Errorf("runner/cmd/zonemgr does not link %s: its zfs changes no longer go through it", gozfs)
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
