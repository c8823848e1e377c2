// Package toolpath is the search list through which zonemgr finds the
// programs it runs by name: the illumos commands of the engine
// (internal/illumos) and the commands of a play's tasks (runner/play).
//
// $ZONEMGR_TOOLDIR comes first, then PATH, then /usr/sbin, /sbin and
// /usr/bin where PATH lacks them. Empty PATH elements are dropped: where
// a program is found never depends on the directory zonemgr was started
// in.
package toolpath

import "path/filepath"

// EnvToolDir names the environment variable whose directory is searched
// for programs before PATH.
const EnvToolDir = "ZONEMGR_TOOLDIR"

// systemDirs are appended to the search list when missing. They are
// never put before PATH, so a test's simulator directory stays first and
// a Linux machine's own /sbin/zfs is not picked up by mistake.
var systemDirs = []string{"/usr/sbin", "/sbin", "/usr/bin"}

// Dirs returns the directories searched, in order, for an environment in
// os.Environ form; each appears once.
func Dirs(env []string) []string {
	var dirs []string
	seen := map[string]bool{}
	add := func(d string) {
		if d == "" || seen[d] {
			return
		}
		seen[d] = true
		dirs = append(dirs, d)
	}
	tooldir, _ := Lookup(env, EnvToolDir)
	add(tooldir)
	path, _ := Lookup(env, "PATH")
	for _, d := range filepath.SplitList(path) {
		add(d)
	}
	for _, d := range systemDirs {
		add(d)
	}
	return dirs
}

// Lookup returns the last value of key in env (later entries win, as for
// os/exec), and whether env sets it.
func Lookup(env []string, key string) (string, bool) {
	val, found := "", false
	for _, kv := range env {
		if len(kv) > len(key) && kv[len(key)] == '=' && kv[:len(key)] == key {
			val, found = kv[len(key)+1:], true
		}
	}
	return val, found
}
