package illumos

import (
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/zonemgr/zonemgr/internal/toolpath"
)

const (
	// EnvElevateCmd selects how a front door gains privileges:
	// "pfexec" (the default), "sudo" or "none".
	EnvElevateCmd = "ELEVATE_CMD"
	// EnvElevated marks a process that was already re-executed under
	// pfexec or sudo, so that it never does so twice.
	EnvElevated = "ZONEMGR_ELEVATED"
)

// An Elevation is the decision PlanElevation made: whether to re-execute,
// and if so what to exec.
type Elevation struct {
	// Needed is false when the process runs as it is.
	Needed bool
	// Path is the wrapper to exec (pfexec or sudo, resolved through
	// Tools); Argv its argument vector, Env its environment.
	Path string
	Argv []string
	Env  []string
}

// PlanElevation decides whether a front door running with effective uid
// euid, as executable exe with arguments argv and environment env (in
// os.Environ form), must re-execute itself with privileges. It does when
// euid is not 0, ELEVATE_CMD is not "none" and ZONEMGR_ELEVATED is not
// set: then once under `pfexec EXE ARGS...` or `sudo -n EXE ARGS...`, with
// ZONEMGR_ELEVATED=1 added to the environment.
//
// illumos pfexec sets the PRIV_PFEXEC process flag, which every child
// inherits, so each tool zonemgr starts is checked against the user's RBAC
// profiles. zonemgr itself matches no profile and keeps the user's uid, so
// the marker is what stops a second re-execution. sudo's policy decides
// which environment variables survive; the re-executed process runs as
// uid 0 and does not elevate again either way.
func PlanElevation(euid int, exe string, argv, env []string) (Elevation, error) {
	method, set := toolpath.Lookup(env, EnvElevateCmd)
	if !set || method == "" {
		method = "pfexec"
	}
	switch method {
	case "pfexec", "sudo", "none":
	default:
		return Elevation{}, fmt.Errorf("invalid %s %q: accepted values are pfexec, sudo and none", EnvElevateCmd, method)
	}
	if euid == 0 || method == "none" || lookupEnv(env, EnvElevated) != "" {
		return Elevation{}, nil
	}
	path, err := NewTools(env).LookPath(method)
	if err != nil {
		return Elevation{}, fmt.Errorf("elevate with %s: %w", method, err)
	}
	var args []string
	if len(argv) > 1 {
		args = argv[1:]
	}
	e := Elevation{Needed: true, Path: path, Env: withEnv(env, EnvElevated, "1")}
	if method == "sudo" {
		e.Argv = append([]string{"sudo", "-n", exe}, args...)
	} else {
		e.Argv = append([]string{"pfexec", exe}, args...)
	}
	return e, nil
}

// Privileged reports whether a process with effective uid euid and
// environment env (in os.Environ form) holds all privileges itself, for
// its own file access: uid 0, unless it is a front door that re-executed
// itself under pfexec (ZONEMGR_ELEVATED set, ELEVATE_CMD pfexec or
// unset). pfexec gives the profiles' privileges to the commands the
// process starts (PRIV_PFEXEC), while zonemgr itself is in no profile
// and keeps the user's credentials, so such a process never counts on
// reaching what only root can. Under sudo the re-executed process is
// uid 0.
func Privileged(euid int, env []string) bool {
	if euid != 0 {
		return false
	}
	if lookupEnv(env, EnvElevated) == "" {
		return true
	}
	method := lookupEnv(env, EnvElevateCmd)
	return method != "" && method != "pfexec"
}

// withEnv returns a copy of env with key set to value, replacing any
// entry of the same key.
func withEnv(env []string, key, value string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k != key {
			out = append(out, kv)
		}
	}
	return append(out, key+"="+value)
}

// Elevate re-executes the running program once with privileges when
// PlanElevation says so, replacing the process (syscall.Exec); it returns
// only when no re-execution is needed (reexec false) or when it failed
// (reexec true and the error).
func Elevate(argv, env []string) (reexec bool, err error) {
	exe, err := os.Executable()
	if err != nil {
		return false, fmt.Errorf("elevate: find own executable: %w", err)
	}
	e, err := PlanElevation(os.Geteuid(), exe, argv, env)
	if err != nil || !e.Needed {
		return false, err
	}
	if err := syscall.Exec(e.Path, e.Argv, e.Env); err != nil {
		return true, fmt.Errorf("elevate: re-execute under %s: %w", e.Argv[0], err)
	}
	return true, nil
}
