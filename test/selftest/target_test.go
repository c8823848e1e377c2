// Package selftest runs zonemgr's core scenarios against whatever zonecfg,
// zoneadm, zlogin, zfs and dladm the target provides: a fresh simulated
// global zone on Linux, or the real tools of an illumos global zone. The
// run is confined by a test configuration (ZONEMGR_CONF) to containers of
// its own, <pool>/zones/_zonemgr-selftest/GIZ and DIZ, and to zone names
// with a test prefix; it refuses to start where those containers hold
// anything it did not create, and removes what it made when it ends.
//
//	make selftest                                  # the sim on Linux
//	ZONEMGR_SELFTEST_TARGET=host make selftest     # the host's own tools
//
// Settings (environment): ZONEMGR_SELFTEST_TARGET (sim or host; host is
// the default on illumos), ZONEMGR_SELFTEST_POOL (rpool), and
// ZONEMGR_SELFTEST_USER (a global-zone user copied into the zones and used
// to run a command; jenkins on the sim, none by default on a host).
package selftest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/test/internal/simh"
)

// Names and datasets the self-test uses, and nothing else.
const (
	prefix    = "zmst-"
	container = "zones/_zonemgr-selftest"
)

// A Target is where the scenarios run.
type Target interface {
	// Name says which target this is, for messages.
	Name() string
	// Env is the environment of every command run on the target.
	Env() []string
	// Pool is the ZFS pool that holds the self-test's containers.
	Pool() string
	// User is a global-zone user to copy into zones, or "".
	User() string
}

// simTarget is a fresh simulated global zone, its tools first on PATH.
type simTarget struct {
	env  []string
	root string
}

func (s *simTarget) Name() string  { return "sim" }
func (s *simTarget) Env() []string { return s.env }
func (s *simTarget) Pool() string  { return "rpool" }
func (s *simTarget) User() string  { return envOr("ZONEMGR_SELFTEST_USER", "jenkins") }

// hostTarget is the machine's own tools: an illumos global zone.
type hostTarget struct {
	env []string
}

func (h *hostTarget) Name() string  { return "host" }
func (h *hostTarget) Env() []string { return h.env }
func (h *hostTarget) Pool() string  { return envOr("ZONEMGR_SELFTEST_POOL", "rpool") }
func (h *hostTarget) User() string  { return os.Getenv("ZONEMGR_SELFTEST_USER") }

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// TestMain removes the binaries the tests built, if they built them.
func TestMain(m *testing.M) { simh.Main(m) }

// hostEnv is the caller's environment without the settings the
// self-test decides, plus the test configuration.
func hostEnv(conf, home string) []string {
	var env []string
	for _, e := range os.Environ() {
		k, _, _ := strings.Cut(e, "=")
		if k == "ZONEMGR_CONF" || k == "HOME" || strings.HasPrefix(k, "ILLUMOS_SIM_") {
			continue
		}
		env = append(env, e)
	}
	return append(env, "ZONEMGR_CONF="+conf, "HOME="+home)
}

// newTarget picks the target: ZONEMGR_SELFTEST_TARGET, else the host on
// illumos and the sim elsewhere.
func newTarget(t *testing.T) Target {
	t.Helper()
	kind := os.Getenv("ZONEMGR_SELFTEST_TARGET")
	if kind == "" {
		kind = "sim"
		if runtime.GOOS == "illumos" || runtime.GOOS == "solaris" {
			kind = "host"
		}
	}
	switch kind {
	case "sim":
		// The sim's environment (simh), with zonemgr's binaries on PATH
		// after the sim's tools, as they are installed on a host.
		s := simh.New(t)
		conf := filepath.Join(s.Dir, "selftest.conf")
		s.Setenv("PATH", s.Links+string(os.PathListSeparator)+s.Bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		s.Setenv("ZONEMGR_CONF", conf)
		writeConf(t, conf, "rpool")
		return &simTarget{env: s.Env, root: s.Root}
	case "host":
		b := simh.Bin(t)
		dir := t.TempDir()
		conf := filepath.Join(dir, "selftest.conf")
		env := []string{}
		for _, e := range hostEnv(conf, dir) {
			if !strings.HasPrefix(e, "PATH=") {
				env = append(env, e)
			}
		}
		h := &hostTarget{env: append(env, "PATH="+os.Getenv("PATH")+string(os.PathListSeparator)+b)}
		writeConf(t, conf, h.Pool())
		return h
	}
	t.Fatalf("ZONEMGR_SELFTEST_TARGET=%q: want sim or host", kind)
	return nil
}

// writeConf writes the configuration that confines zonemgr to the
// self-test's containers and names.
func writeConf(t *testing.T, path, pool string) {
	t.Helper()
	base := pool + "/" + container
	conf := strings.Join([]string{
		"# zonemgr self-test: its own containers and name prefixes only",
		"DATASET_CONTAINMENT_GIZ=" + base + "/GIZ",
		"DATASET_CONTAINMENT_DIZ=" + base + "/DIZ",
		"DATASET_DELEGATED_PARENT=" + base + "/delegated",
		"GIZ_NAME_PREFIX=" + prefix + "giz-",
		"DIZ_NAME_PREFIX=" + prefix + "diz-",
		"",
	}, "\n")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
}

// run runs a command on the target: a name found through the target's
// PATH (its tools, then zonemgr's binaries).
func run(tg Target, name string, args ...string) (stdout, stderr string, code int, err error) {
	exe := lookPath(tg.Env(), name)
	if exe == "" {
		return "", "", -1, fmt.Errorf("%s: not found on the target's PATH", name)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = tg.Env()
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return o.String(), e.String(), ee.ExitCode(), nil
	}
	return o.String(), e.String(), 0, err
}

// lookPath finds name in the PATH of env, or returns "".
func lookPath(env []string, name string) string {
	for _, e := range env {
		p, ok := strings.CutPrefix(e, "PATH=")
		if !ok {
			continue
		}
		for _, dir := range filepath.SplitList(p) {
			if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
				return filepath.Join(dir, name)
			}
		}
	}
	return ""
}
