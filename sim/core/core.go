// Package core is the shared machinery of the simulated illumos global zone:
// the state root, the global state lock, the JSON-lines command log, failure
// injection, and the simulated caller's privileges.
//
// Every simulated command (zfs, zoneadm, zonecfg, ...) is started as a
// separate process of the multi-call binary illumos-sim. It receives an
// *Invocation describing its argv, standard streams and environment, and
// returns an exit code. Nothing outside the state root is ever written.
//
// The sim is written independently of the product: it imports nothing from
// the product's internal/ packages.
package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Environment variables understood by every simulated command.
const (
	// EnvRoot selects the state root of the simulated global zone.
	EnvRoot = "ILLUMOS_SIM_ROOT"
	// EnvUID makes the simulated caller an ordinary user when not "0".
	EnvUID = "ILLUMOS_SIM_UID"
	// EnvFail lists failure-injection specs, one per line (see ParseFailSpecs).
	EnvFail = "ILLUMOS_SIM_FAIL"
	// EnvPfexec is set by the simulated pfexec and inherited by every child,
	// as the kernel's PRIV_PFEXEC process flag is.
	EnvPfexec = "ILLUMOS_SIM_PFEXEC"
	// EnvZone is set by the simulated zlogin for commands run inside a
	// zone; the sim's own tools found there (pkg, svcs, svcadm) then work
	// on the zone root "/" and log nothing.
	EnvZone = "ILLUMOS_SIM_ZONE"
)

// SimDir is the directory under the state root that holds the sim's own
// bookkeeping (lock file, command log, failure counters, dataset table).
const SimDir = ".sim"

// An Invocation is one run of a simulated command.
type Invocation struct {
	Root   string   // state root (absolute)
	Tool   string   // command name: "zfs", "zoneadm", ...
	Args   []string // arguments after the command name
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	UID    int // simulated real uid (0 = root)
	// Zone is the zone name when the command runs inside a zone (started
	// by the simulated zlogin, chrooted into the zone root, where Root is
	// "/"); empty in the global zone.
	Zone   string
	Pfexec bool // running under the simulated pfexec

	// Sub is the subcommand used for logging and failure injection
	// ("list", "clone", ...); the tool sets it once it has parsed argv.
	Sub string
	// Mutating is set by the tool when the invocation changes state.
	Mutating bool

	injected bool
	flavor   Flavor // cached by Flavor()
}

// Path maps an absolute path of the simulated global zone to the real path
// under the state root. Path("/etc/zones/index") is ROOT/etc/zones/index.
func (inv *Invocation) Path(p string) string {
	return filepath.Join(inv.Root, filepath.Clean("/"+p))
}

// SimPath returns a path inside the sim's bookkeeping directory.
func (inv *Invocation) SimPath(elem ...string) string {
	return filepath.Join(append([]string{inv.Root, SimDir}, elem...)...)
}

// Errf prints a line to the invocation's stderr.
func (inv *Invocation) Errf(format string, a ...any) {
	fmt.Fprintf(inv.Stderr, format, a...)
	if !strings.HasSuffix(format, "\n") {
		fmt.Fprintln(inv.Stderr)
	}
}

// Outf prints to the invocation's stdout (no newline added).
func (inv *Invocation) Outf(format string, a ...any) {
	fmt.Fprintf(inv.Stdout, format, a...)
}

// A Lock is the exclusive state lock of one sim root.
type Lock struct{ f *os.File }

// LockState takes the exclusive state lock, waiting as long as needed.
// Every state change happens under it, so parallel callers behave like the
// real tools.
func (inv *Invocation) LockState() (*Lock, error) {
	if err := os.MkdirAll(inv.SimPath(), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(inv.SimPath("lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Lock{f: f}, nil
}

// Unlock releases the state lock; it is safe to call more than once.
func (l *Lock) Unlock() {
	if l == nil || l.f == nil {
		return
	}
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
	l.f = nil
}

// A LogEntry is one line of the command log ROOT/.sim/commands.jsonl.
type LogEntry struct {
	Start    time.Time `json:"start"`
	Argv     []string  `json:"argv"`
	Tool     string    `json:"tool"`
	Sub      string    `json:"sub"`
	Exit     int       `json:"exit"`
	Mutating bool      `json:"mutating"`
	Injected bool      `json:"injected,omitempty"`
	UID      int       `json:"uid"`
	Pfexec   bool      `json:"pfexec,omitempty"`
	DurUS    int64     `json:"dur_us"`
	PID      int       `json:"pid"`
	PPID     int       `json:"ppid"`
}

// AppendLog appends one entry to the command log. A single write of a line
// shorter than PIPE_BUF to an O_APPEND file is atomic, so no lock is needed.
func AppendLog(root string, e LogEntry) {
	if err := os.MkdirAll(filepath.Join(root, SimDir), 0o755); err != nil {
		return
	}
	f, err := os.OpenFile(filepath.Join(root, SimDir, "commands.jsonl"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	b, _ := json.Marshal(e)
	f.Write(append(b, '\n'))
}

// ReadLog returns every entry of the command log of root, oldest first.
func ReadLog(root string) ([]LogEntry, error) {
	b, err := os.ReadFile(filepath.Join(root, SimDir, "commands.jsonl"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []LogEntry
	for _, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var e LogEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			return nil, fmt.Errorf("command log: %w", err)
		}
		out = append(out, e)
	}
	return out, nil
}

// A FailSpec makes the Nth call of one subcommand fail.
//
// Syntax, one spec per line of ILLUMOS_SIM_FAIL:
//
//	TOOL SUB#N[:exit=CODE][:hang=SECONDS][:msg=TEXT]
//	TOOL SUB#N:wait=FILE
//
// N counts calls of TOOL SUB in this sim root, starting at 1; "*" matches
// every call. exit defaults to 1; msg (which may contain ':') is printed on
// stderr; hang sleeps that many seconds before failing, to simulate a hung
// command. Example: "zoneadm clone#1:exit=1:msg=clone failed". wait holds
// the call until FILE exists and then lets it run as usual: a latch that
// lets a test act while a run is paused at a known step.
type FailSpec struct {
	Tool, Sub string
	N         int // 0 = every call
	Exit      int
	Hang      time.Duration
	Msg       string
	Wait      string
}

// ParseFailSpecs parses the value of ILLUMOS_SIM_FAIL.
func ParseFailSpecs(s string) ([]FailSpec, error) {
	var out []FailSpec
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		spec := FailSpec{Exit: 1}
		head, rest, _ := strings.Cut(line, ":")
		target, count, ok := strings.Cut(head, "#")
		if !ok {
			return nil, fmt.Errorf("%s: %q: missing #N", EnvFail, line)
		}
		fields := strings.Fields(target)
		if len(fields) != 2 {
			return nil, fmt.Errorf("%s: %q: want \"TOOL SUB#N\"", EnvFail, line)
		}
		spec.Tool, spec.Sub = fields[0], fields[1]
		if count != "*" {
			n, err := strconv.Atoi(count)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%s: %q: bad call number %q", EnvFail, line, count)
			}
			spec.N = n
		}
		for rest != "" {
			var field string
			if strings.HasPrefix(rest, "msg=") {
				spec.Msg = strings.TrimPrefix(rest, "msg=")
				break
			}
			field, rest, _ = strings.Cut(rest, ":")
			k, v, _ := strings.Cut(field, "=")
			switch k {
			case "exit":
				n, err := strconv.Atoi(v)
				if err != nil {
					return nil, fmt.Errorf("%s: %q: bad exit %q", EnvFail, line, v)
				}
				spec.Exit = n
			case "wait":
				spec.Wait = v
			case "hang":
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return nil, fmt.Errorf("%s: %q: bad hang %q", EnvFail, line, v)
				}
				spec.Hang = time.Duration(f * float64(time.Second))
			default:
				return nil, fmt.Errorf("%s: %q: unknown field %q", EnvFail, line, k)
			}
		}
		out = append(out, spec)
	}
	return out, nil
}

// CheckFail counts this call of TOOL SUB and reports the spec that makes it
// fail, if any. The counter lives in the state root, so it counts calls
// across processes.
func (inv *Invocation) CheckFail(specs []FailSpec) (*FailSpec, error) {
	var match []FailSpec
	for _, s := range specs {
		if s.Tool == inv.Tool && s.Sub == inv.Sub {
			match = append(match, s)
		}
	}
	if len(match) == 0 {
		return nil, nil
	}
	l, err := inv.lockFile("faillock")
	if err != nil {
		return nil, err
	}
	defer l.Unlock()
	counts := map[string]int{}
	p := inv.SimPath("failcounts.json")
	if b, err := os.ReadFile(p); err == nil {
		json.Unmarshal(b, &counts)
	}
	key := inv.Tool + " " + inv.Sub
	counts[key]++
	n := counts[key]
	b, _ := json.Marshal(counts)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return nil, err
	}
	for _, s := range match {
		if s.N == 0 || s.N == n {
			s := s
			return &s, nil
		}
	}
	return nil, nil
}

func (inv *Invocation) lockFile(name string) (*Lock, error) {
	if err := os.MkdirAll(inv.SimPath(), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(inv.SimPath(name), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return &Lock{f: f}, nil
}

// WriteFileAtomic writes data to path through a temporary file and a rename,
// so a reader never sees a half-written file.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Begin records which subcommand this invocation runs and whether it
// changes state, then applies failure injection. When a FailSpec matches,
// Begin prints its message, sleeps for its hang time, and returns the exit
// code the tool must return at once (injected is then true).
func (inv *Invocation) Begin(sub string, mutating bool) (exit int, injected bool) {
	inv.Sub, inv.Mutating = sub, mutating
	specs, err := ParseFailSpecs(os.Getenv(EnvFail))
	if err != nil {
		inv.Errf("illumos-sim: %v", err)
		inv.injected = true
		return 99, true
	}
	s, err := inv.CheckFail(specs)
	if err != nil {
		inv.Errf("illumos-sim: failure injection: %v", err)
		inv.injected = true
		return 99, true
	}
	if s == nil {
		return 0, false
	}
	if s.Wait != "" {
		for {
			if _, err := os.Stat(s.Wait); err == nil {
				return 0, false
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	inv.injected = true
	if s.Hang > 0 {
		time.Sleep(s.Hang)
	}
	if s.Msg != "" {
		inv.Errf("%s", s.Msg)
	}
	return s.Exit, true
}

// Checkpoint is a point inside a command between two of the commands a
// real one runs in turn (a brand hook's zfs commands, each of which
// takes effect at once): a fail spec "TOOL POINT" hangs or fails the
// command there, so a test can kill it between them. The caller saves
// what it changed so far first.
func (inv *Invocation) Checkpoint(point string) (exit int, injected bool) {
	sub, mutating := inv.Sub, inv.Mutating
	defer func() { inv.Sub, inv.Mutating = sub, mutating }()
	return inv.Begin(point, mutating)
}

// Injected reports whether Begin injected a failure into this invocation.
func (inv *Invocation) Injected() bool { return inv.injected }
