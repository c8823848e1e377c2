package modules

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

func TestStartTraceEnv(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		want string // the trace file, "" for no trace
	}{
		{nil, ""},
		{[]string{"ZONEMGR_TRACE="}, ""},
		{[]string{"ZONEMGR_TRACEX=/tmp/x"}, ""},
		{[]string{"XZONEMGR_TRACE=/tmp/x"}, ""},
		{[]string{"ZONEMGR_TRACE=/tmp/t.jsonl"}, "/tmp/t.jsonl"},
		{[]string{"ZONEMGR_TRACE=/tmp/a", "ZONEMGR_TRACE=/tmp/b"}, "/tmp/b"},
	} {
		tr := StartTrace("zone_info", tc.env)
		switch {
		case tc.want == "" && tr != nil:
			t.Errorf("StartTrace(%q) = trace of %s, want none", tc.env, tr.path)
		case tc.want != "" && (tr == nil || tr.path != tc.want):
			t.Errorf("StartTrace(%q) = %v, want a trace to %s", tc.env, tr, tc.want)
		}
	}
	// A nil trace records nothing and finishes without error.
	var tr *Trace
	if err := tr.Finish(0); err != nil {
		t.Errorf("nil trace: Finish = %v", err)
	}
}

func TestBusyTime(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ms := time.Millisecond
	cmd := func(from, dur int) illumos.TranscriptEntry {
		return illumos.TranscriptEntry{Start: t0.Add(time.Duration(from) * ms), Duration: time.Duration(dur) * ms}
	}
	for _, tc := range []struct {
		name string
		cmds []illumos.TranscriptEntry
		want time.Duration
	}{
		{"none", nil, 0},
		{"one", []illumos.TranscriptEntry{cmd(5, 10)}, 10 * ms},
		{"apart", []illumos.TranscriptEntry{cmd(0, 2), cmd(10, 3)}, 5 * ms},
		{"overlapping, out of order", []illumos.TranscriptEntry{cmd(4, 6), cmd(0, 5)}, 10 * ms},
		{"nested", []illumos.TranscriptEntry{cmd(0, 10), cmd(2, 3)}, 10 * ms},
		{"touching", []illumos.TranscriptEntry{cmd(0, 2), cmd(2, 2)}, 4 * ms},
	} {
		if got := busyTime(tc.cmds); got != tc.want {
			t.Errorf("%s: busyTime = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// Finish appends one whole JSON line per run, also when runs finish at
// the same time, and the own time is the wall time minus the commands.
func TestTraceFinishAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	env := []string{"ZONEMGR_TRACE=" + path}
	const runs = 20
	var wg sync.WaitGroup
	for i := 0; i < runs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := StartTrace("zone_diz", env)
			tr.add(illumos.TranscriptEntry{Argv: "zoneadm list -cp", Start: tr.start.Add(time.Millisecond), Duration: 2 * time.Millisecond})
			tr.add(illumos.TranscriptEntry{Argv: strings.Repeat("x", 8000), Start: tr.start.Add(2 * time.Millisecond), Duration: 2 * time.Millisecond})
			time.Sleep(5 * time.Millisecond)
			if err := tr.Finish(1); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
		var l TraceLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		if l.Program != "zone_diz" || l.Exit != 1 || l.PID != os.Getpid() || len(l.Commands) != 2 {
			t.Errorf("line %d: program %q exit %d pid %d, %d commands", n, l.Program, l.Exit, l.PID, len(l.Commands))
		}
		if l.CommandsNS != int64(3*time.Millisecond) {
			t.Errorf("line %d: commands_ns = %d, want 3ms", n, l.CommandsNS)
		}
		// wall_ns is measured on the monotonic clock, start and end are
		// wall clock times: they agree to well within a millisecond.
		skew := l.End.Sub(l.Start) - time.Duration(l.WallNS)
		if l.WallNS < int64(5*time.Millisecond) || l.OwnNS != l.WallNS-l.CommandsNS || skew > 100*time.Microsecond || skew < -100*time.Microsecond {
			t.Errorf("line %d: wall %d, own %d, commands %d, start %v, end %v", n, l.WallNS, l.OwnNS, l.CommandsNS, l.Start, l.End)
		}
	}
	if n != runs {
		t.Errorf("%d lines, want %d", n, runs)
	}
}

func TestTraceFinishUnwritable(t *testing.T) {
	tr := StartTrace("zone_info", []string{"ZONEMGR_TRACE=" + filepath.Join(t.TempDir(), "no", "such", "dir", "t")})
	err := tr.Finish(0)
	if err == nil || !strings.Contains(err.Error(), "trace: ") {
		t.Errorf("Finish into a missing directory = %v, want a trace error", err)
	}
}
