package modules

import (
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/zonemgr/zonemgr/internal/jsonv"
	"github.com/zonemgr/zonemgr/internal/zone"
)

// TraceEnv names the environment variable that turns tracing on: when it
// holds a file name, every module binary and every zonemgr run appends
// one JSON line to that file when it ends, saying how long it ran, how
// long its commands ran, and every command with its start, duration and
// exit status. It answers "where does the time go" for a slow cron job
// or play without -v output to wade through.
const TraceEnv = "ZONEMGR_TRACE"

// A Trace records one program run for ZONEMGR_TRACE: when it started,
// and every command the modules it ran started. It is safe for
// concurrent use.
type Trace struct {
	path    string
	program string
	start   time.Time
	mu      sync.Mutex
	cmds    []zone.CommandRecord
}

// StartTrace starts the trace of a run of program when ZONEMGR_TRACE (in
// env, as os.Environ gives it) names a file; otherwise it returns nil,
// and a nil *Trace records nothing. Call it first thing in main, so that
// the run's time counts from there.
func StartTrace(program string, env []string) *Trace {
	var path string
	for _, kv := range env {
		if len(kv) > len(TraceEnv) && kv[:len(TraceEnv)] == TraceEnv && kv[len(TraceEnv)] == '=' {
			path = kv[len(TraceEnv)+1:]
		}
	}
	if path == "" {
		return nil
	}
	return &Trace{path: path, program: program, start: time.Now()}
}

func (t *Trace) add(e zone.CommandRecord) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cmds = append(t.cmds, e)
}

// A TraceLine is what a run appends to the ZONEMGR_TRACE file, as one
// line of JSON.
type TraceLine struct {
	Program string    `json:"program"`
	PID     int       `json:"pid"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Exit    int       `json:"exit"`
	// WallNS is End - Start: from the start of main to the end of the
	// output, so the process's own start and exit are not in it.
	WallNS int64 `json:"wall_ns"`
	// CommandsNS is the time during which at least one command ran, as
	// the program saw it: from its start (fork) to its end (wait).
	CommandsNS int64 `json:"commands_ns"`
	// OwnNS is WallNS - CommandsNS: the time zonemgr spent on its own.
	OwnNS    int64                `json:"own_ns"`
	Commands []zone.CommandRecord `json:"commands"`
}

// Line returns the trace line of a run that ends now with exit status
// exit.
func (t *Trace) Line(exit int) TraceLine {
	end := time.Now()
	t.mu.Lock()
	cmds := append([]zone.CommandRecord{}, t.cmds...)
	t.mu.Unlock()
	busy := busyTime(cmds)
	return TraceLine{
		Program: t.program, PID: os.Getpid(), Start: t.start, End: end, Exit: exit,
		WallNS: int64(end.Sub(t.start)), CommandsNS: int64(busy), OwnNS: int64(end.Sub(t.start) - busy),
		Commands: cmds,
	}
}

// Finish appends the run's line to the trace file. The run's outcome
// does not depend on it: the error is for the caller to report on
// standard error.
func (t *Trace) Finish(exit int) error {
	if t == nil {
		return nil
	}
	b, err := jsonv.Marshal(t.Line(exit))
	if err != nil {
		return fmt.Errorf("trace %s: %w", t.path, err)
	}
	f, err := os.OpenFile(t.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("trace: %w", err)
	}
	// One write of the whole line: appends of concurrent runs do not
	// interleave.
	_, err = f.Write(append(b, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("trace: %w", err)
	}
	return nil
}

// busyTime is the length of the union of the commands' spans.
func busyTime(cmds []zone.CommandRecord) time.Duration {
	type span struct{ from, to time.Time }
	spans := make([]span, 0, len(cmds))
	for _, c := range cmds {
		spans = append(spans, span{c.Start, c.Start.Add(c.Duration)})
	}
	// sort.Slice, which the binary links anyway: slices.SortFunc would
	// add a copy of its sort for this struct type.
	sort.Slice(spans, func(i, j int) bool { return spans[i].from.Before(spans[j].from) })
	var total time.Duration
	var cur span
	for i, s := range spans {
		switch {
		case i == 0:
			cur = s
		case !s.from.After(cur.to):
			if s.to.After(cur.to) {
				cur.to = s.to
			}
		default:
			total += cur.to.Sub(cur.from)
			cur = s
		}
	}
	if len(spans) > 0 {
		total += cur.to.Sub(cur.from)
	}
	return total
}
