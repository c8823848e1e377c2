// Package crash kills a command the way a crash of the host's job would:
// it starts the command with one of the simulator's calls made to hang
// (failure injection), waits until that call has begun, and sends SIGKILL
// to the command and to every process it started. The end-to-end suites
// use it to leave a killed run's journal and half-made work behind.
package crash

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
)

// FailCount reads how many calls of "TOOL SUB" the sim at root has
// counted for failure injection since the counters were reset.
func FailCount(root, key string) int {
	b, err := os.ReadFile(filepath.Join(root, core.SimDir, "failcounts.json"))
	if err != nil {
		return 0
	}
	counts := map[string]int{}
	json.Unmarshal(b, &counts)
	return counts[key]
}

// Descendants returns the pids of every process below pid.
func Descendants(pid int) []int {
	children := map[int][]int{}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		p, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", d.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so cut at
		// the last ')'.
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		children[ppid] = append(children[ppid], p)
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}

// At starts cmd (its environment set, output not yet) with the sim call
// c ("TOOL SUB#N") hanging, waits until that call has begun, and kills
// cmd and everything it started with SIGKILL. It returns what cmd
// printed. An error says the call was never reached.
func At(root, c string, cmd *exec.Cmd) (string, error) {
	key, nth, _ := strings.Cut(c, "#")
	n, _ := strconv.Atoi(nth)
	ResetFailCounts(root)
	cmd.Env = append(cmd.Env, core.EnvFail+"="+c+":hang=120:msg=hung "+c)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	if err := AwaitCall(root, key, n, exited); err != nil {
		select {
		case <-exited:
			return out.String(), fmt.Errorf("%v exited (%v): %w", cmd.Args, waitErr, err)
		default:
			cmd.Process.Kill()
			<-exited
			return out.String(), err
		}
	}
	below := Descendants(cmd.Process.Pid)
	cmd.Process.Signal(syscall.SIGKILL)
	for _, p := range below {
		syscall.Kill(p, syscall.SIGKILL)
	}
	<-exited
	return out.String(), nil
}

// ResetFailCounts forgets the calls the sim at root has counted, so that
// a fail spec's "#N" counts from the next call on.
func ResetFailCounts(root string) {
	os.Remove(filepath.Join(root, core.SimDir, "failcounts.json"))
}

// AwaitCall waits until the sim at root has counted n calls of key
// ("TOOL SUB"). It gives up, saying why, when stop is closed first (the
// run ended) or after 90 seconds: a guard, not an assertion, as such a
// call comes within seconds.
func AwaitCall(root, key string, n int, stop <-chan struct{}) error {
	deadline := time.After(90 * time.Second)
	for FailCount(root, key) < n {
		select {
		case <-stop:
			return fmt.Errorf("it ended before call %d of %s", n, key)
		case <-deadline:
			return fmt.Errorf("call %d of %s was not reached", n, key)
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}
