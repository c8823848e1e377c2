// Package testbin gives the end-to-end tests (integration, ansible,
// selftest, differential, bench) the binaries they run: the directory
// $ZONEMGR_BIN names (make builds it), or else a build of illumos-sim,
// zonemgr and every module binary into a temporary directory, made once
// per test binary.
package testbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var (
	once  sync.Once
	dir   string
	built bool
	err   error
)

// Top returns the repository's top directory.
func Top() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// Dir returns the directory of the binaries, building them on first use
// when $ZONEMGR_BIN is not set; a build that fails fails the test.
func Dir(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		if d := os.Getenv("ZONEMGR_BIN"); d != "" {
			dir = d
			return
		}
		dir, err = build()
		built = err == nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// build builds every binary, static (the sim copies itself into zone
// roots that run chrooted), into a new temporary directory.
func build() (string, error) {
	top := Top()
	d, err := os.MkdirTemp("", "zonemgr-bin-")
	if err != nil {
		return "", fmt.Errorf("build binaries: %w", err)
	}
	pkgs := []string{"./sim/cmd/illumos-sim", "./runner/cmd/zonemgr"}
	mods, _ := filepath.Glob(filepath.Join(top, "modules", "zone_*"))
	for _, m := range mods {
		pkgs = append(pkgs, "./modules/"+filepath.Base(m))
	}
	cmd := exec.Command("go", append([]string{"build", "-trimpath", "-o", d + "/"}, pkgs...)...)
	cmd.Dir = top
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(d)
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return d, nil
}

// Cleanup removes the directory Dir built, if it built one; call it at
// the end of TestMain.
func Cleanup() {
	if built {
		os.RemoveAll(dir)
	}
}
