// Package unit holds the tests that span packages: the layering rules of
// DESIGN.md, checked on the import graph.
package unit

import (
	"encoding/json"
	"os/exec"
	"slices"
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

// moduleBinariesShun are packages no module binary may link, each with
// the reason: Ansible copies a module binary to the host for every task,
// so what it links is paid per task per host.
var moduleBinariesShun = []struct{ pkg, why, except string }{
	{"github.com/mistifyio/go-zfs/v3", "go-zfs, with its regexp, uuid, net and crypto imports (a module applies the zfs argv of its plans through its runner; the zonemgr command links it, in internal/zfs/gozfs)", ""},
	{module + "/internal/zfs/gozfs", "go-zfs", ""},
	// zone_giz hashes the gigabytes of the image streams it exports and
	// imports, and registers crypto/sha256's assembly for them.
	{"crypto/", "Go's FIPS 140 module (internal/digest and internal/random stand in)", module + "/modules/zone_giz"},
	{"math/big", "big-number arithmetic", ""},
	{"encoding/json", "encoding/json's reflection-driven codec (internal/jsonv stands in)", ""},
	{"regexp", "regular expressions", ""},
}

// TestModuleBinariesLinkOnlyWhatTheyNeed checks that no module binary
// depends on a package of moduleBinariesShun, and that the zonemgr
// command still links go-zfs.
func TestModuleBinariesLinkOnlyWhatTheyNeed(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}", module+"/modules/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := func(pkg string) []string {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	var binaries int
	for _, p := range strings.Fields(string(out)) {
		if !strings.HasPrefix(p, module+"/modules/zone_") {
			continue
		}
		binaries++
		for _, d := range deps(p) {
			for _, s := range moduleBinariesShun {
				if p != s.except && (d == s.pkg || strings.HasSuffix(s.pkg, "/") && strings.HasPrefix(d, s.pkg)) {
					t.Errorf("%s links %s: %s", rel(p), d, s.why)
				}
			}
		}
	}
	if binaries != 6 {
		t.Errorf("found %d module binaries, want 6", binaries)
	}
	if !slices.Contains(deps(module+"/runner/cmd/zonemgr"), moduleBinariesShun[0].pkg) {
		t.Errorf("runner/cmd/zonemgr does not link %s: its zfs changes no longer go through it", moduleBinariesShun[0].pkg)
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
