package illumos

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/zonemgr/zonemgr/internal/toolpath"
)

// EnvToolDir names the environment variable whose directory is searched
// for tools before PATH.
const EnvToolDir = toolpath.EnvToolDir

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
	return &Tools{dirs: toolpath.Dirs(env)}
}

// SearchPath returns the effective tool search path for an environment in
// os.Environ form, as a PATH value.
func SearchPath(env []string) string {
	return strings.Join(toolpath.Dirs(env), string(os.PathListSeparator))
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

// lookupEnv returns the last value of key in env, or "" when absent.
func lookupEnv(env []string, key string) string {
	v, _ := toolpath.Lookup(env, key)
	return v
}

var errEmptyArgv = errors.New("empty argv")
