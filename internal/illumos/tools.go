package illumos

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// EnvToolDir names the environment variable whose directory is searched
// for tools before PATH.
const EnvToolDir = "ZONEMGR_TOOLDIR"

// systemDirs are appended to the search path when missing. They are never
// put before PATH, so a test's simulator directory stays first and a Linux
// machine's own /sbin/zfs is not picked up by mistake.
var systemDirs = []string{"/usr/sbin", "/sbin", "/usr/bin"}

// A Tools is the search list through which zonemgr finds the commands it
// runs (zfs, zonecfg, zoneadm, zlogin, dladm, pkg, pfexec, ...):
// $ZONEMGR_TOOLDIR first, then PATH, then /usr/sbin, /sbin and /usr/bin
// where PATH lacks them. [Exec] resolves every argv[0] through it; the
// front doors export [Tools.SearchPath] as PATH for libraries that run
// tools by bare name.
type Tools struct {
	dirs []string
}

// NewTools returns the Tools for an environment in os.Environ form.
func NewTools(env []string) *Tools {
	return &Tools{dirs: searchDirs(env)}
}

// SearchPath returns the effective tool search path for an environment in
// os.Environ form, as a PATH value.
func SearchPath(env []string) string {
	return strings.Join(searchDirs(env), string(os.PathListSeparator))
}

// Dirs returns the directories searched, in order.
func (t *Tools) Dirs() []string {
	return append([]string(nil), t.dirs...)
}

// SearchPath returns the directories searched as a PATH value.
func (t *Tools) SearchPath() string {
	return strings.Join(t.dirs, string(os.PathListSeparator))
}

// LookPath returns the absolute path of the tool called name. A name that
// contains a slash is returned as is when it names an executable file.
func (t *Tools) LookPath(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("look up tool: empty name")
	}
	if strings.Contains(name, "/") {
		if err := checkExecutable(name); err != nil {
			return "", fmt.Errorf("look up tool %q: %w", name, err)
		}
		return name, nil
	}
	for _, dir := range t.dirs {
		p := filepath.Join(dir, name)
		if checkExecutable(p) == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("look up tool %q: not found in %s: %w", name, t.SearchPath(), exec.ErrNotFound)
}

func searchDirs(env []string) []string {
	var dirs []string
	seen := map[string]bool{}
	add := func(d string) {
		if d == "" || seen[d] {
			return
		}
		seen[d] = true
		dirs = append(dirs, d)
	}
	add(lookupEnv(env, EnvToolDir))
	for _, d := range filepath.SplitList(lookupEnv(env, "PATH")) {
		// An empty PATH element means the current directory; a tool
		// search must never depend on where zonemgr was started.
		add(d)
	}
	for _, d := range systemDirs {
		add(d)
	}
	return dirs
}

func checkExecutable(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a directory", p)
	}
	if fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s: %w", p, fs.ErrPermission)
	}
	return nil
}

// lookupEnv returns the last value of key in env (later entries win, as
// for os/exec), or "" when absent.
func lookupEnv(env []string, key string) string {
	v, _ := lookupEnvOK(env, key)
	return v
}

func lookupEnvOK(env []string, key string) (string, bool) {
	val, found := "", false
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if ok && k == key {
			val, found = v, true
		}
	}
	return val, found
}

var errEmptyArgv = errors.New("empty argv")
