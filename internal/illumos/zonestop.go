package illumos

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// zoneStopDelay bounds how long a stopped zlogin command may take to go,
// SIGINT and the kill of its process group in the zone included, before
// zlogin itself is killed and its pipes closed.
const zoneStopDelay = 2*killGrace + 30*time.Second

// zloginZone returns the zone a zlogin command runs in.
func zloginZone(argv []string) (string, bool) {
	head, _, err := zloginCommand(argv)
	if err != nil {
		return "", false
	}
	return head[len(head)-1], true
}

// A zoneStop stops a zlogin command that outlived its timeout or its
// context. zlogin's process group in the global zone holds zlogin alone:
// its child enters the zone and makes a process group of its own there,
// and zlogin passes only SIGINT on to that group (illumos-gate
// usr/src/cmd/zlogin/zlogin.c: noninteractive_login() "sigset(SIGINT,
// sig_forward)" in the parent, "setpgid(getpid(), getpid())" in the child
// after zone_enter(); sig_forward() "sigsend(P_PGID, getpgid(child_pid),
// s)"). A SIGTERM or SIGKILL kills zlogin and leaves the command running
// in the zone. So the command is asked to stop with SIGINT, through
// zlogin; one that is still running killGrace later has its process
// group in the zone killed: its leader is zlogin's child (pgrep -P), and
// the kill runs in the zone (zlogin -S ZONE kill), which needs no
// privilege zonemgr does not already use.
type zoneStop struct {
	e      *Exec
	zone   string
	exited chan struct{} // closed once zlogin is gone
	done   chan struct{} // closed once escalate has returned; nil before start

	mu     sync.Mutex
	killed []string // the process groups killed in the zone
	err    error    // why they could not be
}

// start sends SIGINT to zlogin (pid), and goes on to kill the command's
// process group in the zone if zlogin has not ended killGrace later.
func (z *zoneStop) start(pid int) error {
	z.mu.Lock()
	z.done = make(chan struct{})
	z.mu.Unlock()
	go z.escalate(pid)
	return syscall.Kill(pid, syscall.SIGINT)
}

func (z *zoneStop) escalate(pid int) {
	defer close(z.done)
	select {
	case <-z.exited:
		return
	case <-time.After(killGrace):
	}
	// zlogin is alive, so its child is not reaped and its pid, the
	// process group's id, cannot be another process's.
	ctx, cancel := context.WithTimeout(context.Background(), killGrace+10*time.Second)
	defer cancel()
	res, err := z.e.Run(ctx, Cmd{Argv: []string{"pgrep", "-P", strconv.Itoa(pid)}, Timeout: killGrace})
	var groups []string
	if err == nil {
		for _, f := range strings.Fields(string(res.Stdout)) {
			if n, perr := strconv.Atoi(f); perr == nil && n > 1 {
				groups = append(groups, "-"+f)
			}
		}
	} else if ce, ok := err.(*CommandError); !ok || ce.ExitCode != 1 {
		// pgrep exits 1 when nothing matched: zlogin's child is gone.
		z.fail(fmt.Errorf("find the command's process group: %w", err))
	}
	if len(groups) > 0 {
		// "kill -9 -PGID": ksh93's builtin (the zone's /sbin/sh; ast
		// ksh bltins/trap.c b_kill()) ends its options at the signal,
		// and reads the operands after it as pids, a negative one as a
		// process group.
		argv := []string{"zlogin", "-S", z.zone, "kill -9 " + strings.Join(groups, " ")}
		if _, err := z.e.Run(ctx, Cmd{Argv: argv, Timeout: killGrace}); err != nil {
			z.fail(fmt.Errorf("kill process group %s in zone %s: %w", strings.Join(groups, " "), z.zone, err))
		} else {
			z.mu.Lock()
			z.killed = append(z.killed, groups...)
			z.mu.Unlock()
		}
	}
	// zlogin itself, which a SIGKILL now ends at once.
	syscall.Kill(-pid, syscall.SIGKILL)
}

func (z *zoneStop) fail(err error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.err == nil {
		z.err = err
	}
}

// report says what stopping the command took, for its error: nothing
// when SIGINT did it. It waits for escalate, which ends at once when
// zlogin is gone (exited is closed first).
func (z *zoneStop) report() string {
	z.mu.Lock()
	done := z.done
	z.mu.Unlock()
	if done != nil {
		<-done
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	var b strings.Builder
	if len(z.killed) > 0 {
		fmt.Fprintf(&b, "; it ignored SIGINT, and its process group in zone %s was killed", z.zone)
	}
	if z.err != nil {
		fmt.Fprintf(&b, "; it ignored SIGINT and could not be stopped: %v: it may still be running in zone %s", z.err, z.zone)
	}
	return b.String()
}
