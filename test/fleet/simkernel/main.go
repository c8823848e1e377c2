// Command simkernel stands in, on a host of the simulated fleet
// (test/fleet), for what the illumos kernel does when a user starts zfs,
// zoneadm, zlogin or another privileged tool: it decides who the caller
// is, and lets the tool do privileged work only as the caller's rights
// allow.
//
// fleet.sh installs it setuid root and puts it under the tool names in
// the host's /usr/sbin and /usr/bin (an overlay seen only by that host).
// Started as ZFS, say, by a user who logged in over SSH, it takes the
// caller's identity from its real uid: for an ordinary user it sets
// ILLUMOS_SIM_UID, the variable the sim reads, from that uid, whatever
// the caller's environment said, so a user can never claim to be root.
// It then takes full root credentials, which the simulated tool needs to
// write the state root, chroot into a zone and mount its file systems,
// and executes illumos-sim (the file beside it) under the tool's name.
// The sim then checks the caller's RBAC profiles itself: an ordinary user
// gets nothing unless the command runs under the simulated pfexec, whose
// mark (ILLUMOS_SIM_PFEXEC) every child inherits as illumos's PRIV_PFEXEC
// flag is. pfexec itself is illumos-sim without this helper: it runs as
// the user, as illumos pfexec does, and so does the program it starts.
//
// For root (real uid 0) the environment is passed on unchanged.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// envUID is the sim's variable for the caller's uid (sim/core.EnvUID).
const envUID = "ILLUMOS_SIM_UID"

func main() {
	tool := filepath.Base(os.Args[0])
	if err := run(tool); err != nil {
		fmt.Fprintf(os.Stderr, "%s: simkernel: %v\n", tool, err)
		os.Exit(1)
	}
}

// run replaces the process with illumos-sim running tool; it returns
// only on failure.
func run(tool string) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable: %w", err)
	}
	sim := filepath.Join(filepath.Dir(exe), "illumos-sim")
	env := os.Environ()
	if uid := syscall.Getuid(); uid != 0 {
		env = append(withoutVar(env, envUID), envUID+"="+strconv.Itoa(uid))
		if syscall.Geteuid() != 0 {
			return fmt.Errorf("not installed setuid root (real uid %d, effective uid %d)", uid, syscall.Geteuid())
		}
		if err := syscall.Setgroups(nil); err != nil {
			return fmt.Errorf("setgroups: %w", err)
		}
		if err := syscall.Setresgid(0, 0, 0); err != nil {
			return fmt.Errorf("setresgid: %w", err)
		}
		if err := syscall.Setresuid(0, 0, 0); err != nil {
			return fmt.Errorf("setresuid: %w", err)
		}
	}
	argv := append([]string{tool}, os.Args[1:]...)
	if err := syscall.Exec(sim, argv, env); err != nil {
		return fmt.Errorf("execute %s: %w", sim, err)
	}
	return nil
}

// withoutVar returns env without any setting of key.
func withoutVar(env []string, key string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k != key {
			out = append(out, kv)
		}
	}
	return out
}
