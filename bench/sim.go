package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
)

// A simEnv is one fresh simulated global zone: its state root, the
// directory of its tool links, and the environment every command of the
// benchmark runs with (the links first on PATH).
type simEnv struct {
	bin      string // the built binaries (illumos-sim, zonemgr, zone_*)
	dir      string // a temporary directory owning everything below
	root     string
	links    string
	environ  []string
	logOff   int64 // bytes of the command log already read by newEntries
	trace    string
	traceOff int64 // bytes of the trace file already read by attach
}

// newSimEnv creates a simulated global zone under a new temporary
// directory of parent.
func newSimEnv(bin, parent string) (*simEnv, error) {
	dir, err := os.MkdirTemp(parent, "sim-")
	if err != nil {
		return nil, fmt.Errorf("create sim directory: %w", err)
	}
	e := &simEnv{bin: bin, dir: dir, root: filepath.Join(dir, "root"), links: filepath.Join(dir, "links"), trace: filepath.Join(dir, "trace.jsonl")}
	for _, args := range [][]string{{"init", e.root}, {"links", e.links}} {
		if out, err := exec.Command(filepath.Join(bin, "illumos-sim"), args...).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("illumos-sim %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PATH=") || strings.HasPrefix(kv, "ILLUMOS_SIM_") || strings.HasPrefix(kv, "ZONEMGR_") {
			continue
		}
		e.environ = append(e.environ, kv)
	}
	e.environ = append(e.environ,
		"PATH="+e.links+":"+bin+":"+os.Getenv("PATH"),
		core.EnvRoot+"="+e.root,
		"ZONEMGR_ROOT="+e.root,
		"ELEVATE_CMD=none",
		"HOME="+dir,
		"ZONEMGR_TRACE="+e.trace,
	)
	return e, nil
}

// newGoldenSim creates a fresh sim with a golden zone of the given name
// (zone_giz state=present); section names the benchmark in the log.
func newGoldenSim(cfg config, name, section string) (*simEnv, error) {
	e, err := newSimEnv(cfg.bin, cfg.work)
	if err != nil {
		return nil, err
	}
	cfg.logf("%s: creating the golden zone %s", section, name)
	if _, err := e.mustModule("zone_giz", map[string]any{"name": name, "state": "present"}); err != nil {
		e.remove()
		return nil, err
	}
	return e, nil
}

// remove deletes the sim and everything under its directory.
func (e *simEnv) remove() { os.RemoveAll(e.dir) }

// A run is one finished process the benchmark started: its wall time
// from start to exit, its output, and the commands the sim logged for it
// (those whose parent is the process).
type run struct {
	Argv     []string
	PID      int
	Start    time.Time
	Wall     time.Duration
	Stdout   string
	Stderr   string
	Exit     int
	Result   map[string]any // the module's JSON result; nil for other commands
	Commands []core.LogEntry
	Trace    *traceLine // what a zonemgr program wrote to ZONEMGR_TRACE; nil for others
}

// A traceLine is the part of a zonemgr program's ZONEMGR_TRACE line the
// benchmark reads: its time from the start of its main to the end of its
// output, and the part of it during which none of its commands ran.
type traceLine struct {
	PID      int   `json:"pid"`
	WallNS   int64 `json:"wall_ns"`
	OwnNS    int64 `json:"own_ns"`
	Commands []struct {
		Argv string `json:"argv"`
	} `json:"commands"`
}

// own is the program's own time in process: main to output, minus its
// commands.
func (r *run) own() (time.Duration, error) {
	if r.Trace == nil {
		return 0, fmt.Errorf("%s (pid %d): no ZONEMGR_TRACE line", strings.Join(r.Argv, " "), r.PID)
	}
	return time.Duration(r.Trace.OwnNS), nil
}

// startExit is the part of the run's wall time before its main and after
// its output: process creation, the Go runtime's start, exit and wait.
func (r *run) startExit() time.Duration {
	if r.Trace == nil {
		return 0
	}
	return r.Wall - time.Duration(r.Trace.WallNS)
}

// Failed reports whether the run exited non-zero or its result says so.
func (r *run) Failed() bool {
	f, _ := r.Result["failed"].(bool)
	return r.Exit != 0 || f
}

// Mutating counts the run's commands the sim logged as changes.
func (r *run) Mutating() int {
	n := 0
	for _, c := range r.Commands {
		if c.Mutating {
			n++
		}
	}
	return n
}

// command runs a program (a name is looked up in the binaries directory
// first, then on the sim's PATH) and returns the finished run, without
// its commands (see attach).
func (e *simEnv) command(name string, args ...string) (*run, error) {
	path := name
	if !strings.Contains(name, "/") {
		if p := filepath.Join(e.bin, name); fileExists(p) {
			path = p
		} else if p := filepath.Join(e.links, name); fileExists(p) {
			path = p
		}
	}
	cmd := exec.Command(path, args...)
	cmd.Env = e.environ
	var o, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &se
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	err := cmd.Wait()
	r := &run{Argv: append([]string{name}, args...), PID: cmd.Process.Pid, Start: start, Wall: time.Since(start),
		Stdout: o.String(), Stderr: se.String()}
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return nil, fmt.Errorf("run %s: %w", name, err)
		}
		r.Exit = ee.ExitCode()
	}
	return r, nil
}

// module runs a module binary with its arguments as Ansible passes them
// (a JSON args file) and parses its one JSON object.
func (e *simEnv) module(name string, args map[string]any) (*run, error) {
	b, err := json.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("%s arguments: %w", name, err)
	}
	f, err := os.CreateTemp(e.dir, "args-")
	if err != nil {
		return nil, fmt.Errorf("%s arguments: %w", name, err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s arguments: %w", name, err)
	}
	f.Close()
	r, err := e.command(name, f.Name())
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(r.Stdout), &r.Result); err != nil {
		return nil, fmt.Errorf("%s: stdout is not one JSON object: %v: %s%s", name, err, r.Stdout, r.Stderr)
	}
	return r, nil
}

// mustModule runs a module and turns a failed result into an error.
func (e *simEnv) mustModule(name string, args map[string]any) (*run, error) {
	r, err := e.module(name, args)
	if err != nil {
		return nil, err
	}
	if r.Failed() {
		return nil, fmt.Errorf("%s %v: failed: %v", name, args, r.Result["msg"])
	}
	return r, e.attach(r)
}

// newEntries returns the command log's entries written since the last
// call.
func (e *simEnv) newEntries() ([]core.LogEntry, error) {
	f, err := os.Open(filepath.Join(e.root, core.SimDir, "commands.jsonl"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read command log: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(e.logOff, 0); err != nil {
		return nil, fmt.Errorf("read command log: %w", err)
	}
	var out []core.LogEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		line := sc.Bytes()
		e.logOff += int64(len(line)) + 1
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var le core.LogEntry
		if err := json.Unmarshal(line, &le); err != nil {
			return nil, fmt.Errorf("command log: %w", err)
		}
		out = append(out, le)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read command log: %w", err)
	}
	return out, nil
}

// attach gives each run the log entries of the commands it started
// itself (or of itself, when the run is a sim command), from the entries
// written since the last call; runs may have run in parallel.
func (e *simEnv) attach(runs ...*run) error {
	entries, err := e.newEntries()
	if err != nil {
		return err
	}
	byPID := map[int]*run{}
	for _, r := range runs {
		byPID[r.PID] = r
	}
	for _, le := range entries {
		if r := byPID[le.PPID]; r != nil {
			r.Commands = append(r.Commands, le)
		} else if r := byPID[le.PID]; r != nil {
			r.Commands = append(r.Commands, le)
		}
	}
	lines, err := e.newTraceLines()
	if err != nil {
		return err
	}
	for _, tl := range lines {
		if r := byPID[tl.PID]; r != nil {
			r.Trace = tl
		}
	}
	return nil
}

// newTraceLines returns the ZONEMGR_TRACE lines written since the last
// call.
func (e *simEnv) newTraceLines() ([]*traceLine, error) {
	b, err := os.ReadFile(e.trace)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read trace: %w", err)
	}
	if int64(len(b)) < e.traceOff {
		return nil, fmt.Errorf("read trace: %s shrank", e.trace)
	}
	var out []*traceLine
	for _, line := range bytes.Split(b[e.traceOff:], []byte{'\n'}) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		tl := &traceLine{}
		if err := json.Unmarshal(line, tl); err != nil {
			return nil, fmt.Errorf("trace: %w", err)
		}
		out = append(out, tl)
	}
	e.traceOff = int64(len(b))
	return out, nil
}

// skipLog marks the whole command log and trace as read.
func (e *simEnv) skipLog() error {
	if _, err := e.newEntries(); err != nil {
		return err
	}
	_, err := e.newTraceLines()
	return err
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
