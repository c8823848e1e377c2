package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/modules"
)

// readTrace returns the lines of a ZONEMGR_TRACE file.
func readTrace(t *testing.T, path string) []modules.TraceLine {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []modules.TraceLine
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		var l modules.TraceLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("trace line %q: %v", line, err)
		}
		out = append(out, l)
	}
	return out
}

// checkTimes checks the arithmetic every trace line must satisfy.
func checkTimes(t *testing.T, l modules.TraceLine) {
	t.Helper()
	if l.WallNS <= 0 || l.CommandsNS < 0 || l.CommandsNS > l.WallNS || l.OwnNS != l.WallNS-l.CommandsNS {
		t.Errorf("%s: wall %d ns, commands %d ns, own %d ns", l.Program, l.WallNS, l.CommandsNS, l.OwnNS)
	}
	for _, c := range l.Commands {
		if c.Start.Before(l.Start) || c.Start.Add(c.Duration).After(l.End) {
			t.Errorf("%s: command %q ran %v+%v, outside the run %v to %v", l.Program, c.Argv, c.Start, c.Duration, l.Start, l.End)
		}
	}
}

// With ZONEMGR_TRACE set, a module binary and zonemgr each append one
// line naming every command they ran, the same commands the sim logged
// and the module's result lists; a refused call has its line too.
func TestTraceFile(t *testing.T) {
	s := NewSim(t)
	trace := filepath.Join(t.TempDir(), "trace.jsonl")
	env := "ZONEMGR_TRACE=" + trace

	res := s.Module("zone_giz", map[string]any{"name": "golden", "state": "present"}, env)
	if f, _ := res["failed"].(bool); f {
		t.Fatalf("zone_giz failed: %v", res["msg"])
	}
	lines := readTrace(t, trace)
	if len(lines) != 1 {
		t.Fatalf("%d trace lines after one module run, want 1", len(lines))
	}
	l := lines[0]
	if l.Program != "zone_giz" || l.Exit != 0 {
		t.Errorf("trace line: program %q exit %d, want zone_giz 0", l.Program, l.Exit)
	}
	checkTimes(t, l)
	listed, _ := res["commands"].([]any)
	logged := s.Log()
	if len(l.Commands) != len(listed) || len(l.Commands) != len(logged) {
		t.Fatalf("trace lists %d commands, the result %d, the sim logged %d", len(l.Commands), len(listed), len(logged))
	}
	for i, c := range l.Commands {
		shown, _ := listed[i].(map[string]any)["cmd"].(string)
		if !strings.HasPrefix(shown, "+ "+c.Argv+"  [") {
			t.Errorf("command %d: trace %q, result %q", i, c.Argv, shown)
		}
		// (The sim counts every zlogin as a change; zonemgr knows its
		// own read-only ones, so the mutating flags may differ.)
		if tool, _, _ := strings.Cut(c.Argv, " "); tool != logged[i].Tool || c.ExitCode != logged[i].Exit {
			t.Errorf("command %d %q: trace rc %d, sim logged %s with rc %d", i, c.Argv, c.ExitCode, logged[i].Tool, logged[i].Exit)
		}
	}

	// Refused arguments: a line with the failure's exit status and no
	// commands.
	s.Module("zone_diz", map[string]any{"name": "d1", "state": "installed"}, env)
	// zonemgr traces the whole command line.
	if _, stderr, code := s.Run([]string{env}, "zonemgr", "list"); code != 0 {
		t.Fatalf("zonemgr list: exit %d: %s", code, stderr)
	}
	lines = readTrace(t, trace)
	if len(lines) != 3 {
		t.Fatalf("%d trace lines after three runs, want 3", len(lines))
	}
	if l := lines[1]; l.Program != "zone_diz" || l.Exit != 1 || len(l.Commands) != 0 {
		t.Errorf("refused zone_diz: program %q exit %d, %d commands; want zone_diz 1 0", l.Program, l.Exit, len(l.Commands))
	}
	checkTimes(t, lines[1])
	if l := lines[2]; l.Program != "zonemgr" || l.Exit != 0 || len(l.Commands) != 3 {
		t.Errorf("zonemgr list: program %q exit %d, %d commands; want zonemgr 0 3", l.Program, l.Exit, len(l.Commands))
	}
	checkTimes(t, lines[2])
}

// A trace that cannot be written does not change the run's outcome: the
// module still prints its one JSON object and succeeds, and says on
// standard error why there is no trace.
func TestTraceUnwritable(t *testing.T) {
	s := NewSim(t)
	env := "ZONEMGR_TRACE=" + filepath.Join(t.TempDir(), "missing", "trace.jsonl")
	args := filepath.Join(t.TempDir(), "args")
	if err := os.WriteFile(args, []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := s.Run([]string{env}, "zone_info", args)
	var res map[string]any
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != 0 || res["failed"] == true {
		t.Fatalf("zone_info with an unwritable trace: exit %d, %v: %s", code, err, stdout)
	}
	if !strings.Contains(stderr, "zone_info: trace: ") || !strings.Contains(stderr, "no such file or directory") {
		t.Errorf("stderr = %q, want the trace error", stderr)
	}
}
