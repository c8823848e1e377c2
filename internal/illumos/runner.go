package illumos

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/zonemgr/zonemgr/internal/digest"
	"github.com/zonemgr/zonemgr/internal/textio"
)

const (
	// DefaultMaxOutput is how many bytes of each stream a Result keeps
	// when Exec.MaxOutput is zero.
	DefaultMaxOutput = 1 << 20
	// DefaultMaxRead is how many bytes of standard output a command whose
	// output zonemgr reads (one with no Cmd.Stdout: a listing, a file)
	// may print when Exec.MaxRead is zero: a zfs list of 100,000
	// snapshots with zonemgr's columns is about 30 MB.
	DefaultMaxRead = 64 << 20
	// killGrace is how long a stopped command gets between SIGTERM and
	// SIGKILL.
	killGrace = 5 * time.Second
	// stderrInError is how much of the standard error a CommandError
	// carries.
	stderrInError = 4 << 10
)

// An Exec is the Runner that starts real processes, the only one in
// zonemgr. Every command gets the caller's environment without LANG and
// LC_*, with LC_ALL=C (the parsers depend on untranslated output), then
// Env, then the command's own Cmd.Env. argv[0] is resolved through Tools.
//
// A command that outlives its timeout (Cmd.Timeout, else DefaultTimeout)
// or its context gets SIGTERM on its whole process group, and SIGKILL 5
// seconds later; a zlogin command gets SIGINT, which zlogin passes on to
// the command in the zone, and the command's process group in the zone
// is killed 5 seconds later if it is still there (see zoneStop).
type Exec struct {
	// Tools resolves argv[0]; nil means the tools of os.Environ().
	Tools *Tools
	// Env holds KEY=VALUE entries added to every command's environment.
	Env []string
	// MaxOutput is how many bytes of each stream the Result keeps (the
	// last ones); zero means DefaultMaxOutput. Cmd.Stdout and Cmd.Stderr
	// still receive everything.
	MaxOutput int
	// MaxRead is how many bytes of standard output a command with no
	// Cmd.Stdout may print; zero means DefaultMaxRead. Its output is
	// what the caller parses, so it is kept whole, and a command that
	// prints more fails (an *OutputTooLargeError) instead of leaving a
	// listing cut at its head.
	MaxRead int
	// Transcript, when set, records every command run.
	Transcript *Transcript
	// DefaultTimeout bounds commands that set no Timeout; zero means none.
	DefaultTimeout time.Duration
}

// Run runs c and waits for it. See [Runner] for the error contract; a
// command stopped by its timeout returns an error that wraps
// context.DeadlineExceeded and a Result with ExitCode -1.
func (e *Exec) Run(ctx context.Context, c Cmd) (Result, error) {
	start := time.Now()
	res, err := e.run(ctx, c)
	res.Elapsed = time.Since(start)
	if e.Transcript != nil {
		e.Transcript.Add(newEntry(c, start, res, err))
	}
	return res, err
}

func (e *Exec) run(ctx context.Context, c Cmd) (Result, error) {
	res := Result{ExitCode: -1}
	if len(c.Argv) == 0 {
		return res, fmt.Errorf("run command: %w", errEmptyArgv)
	}
	tools := e.Tools
	if tools == nil {
		tools = NewTools(os.Environ())
	}
	path, err := tools.LookPath(c.Argv[0])
	if err != nil {
		return res, fmt.Errorf("run %s: %w", c.Argv[0], err)
	}

	timeout := c.Timeout
	if timeout <= 0 {
		timeout = e.DefaultTimeout
	}
	runCtx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}

	maxOut := e.MaxOutput
	if maxOut <= 0 {
		maxOut = DefaultMaxOutput
	}
	// A command whose output is read keeps its first MaxRead bytes, and
	// fails when there are more; one whose output goes to the caller
	// keeps the last MaxOutput bytes, for errors and results.
	stdoutMax := maxOut
	var stdout interface {
		io.Writer
		Bytes() []byte
		Cut() bool
	} = &textio.Tail{Max: maxOut}
	if c.Stdout == nil {
		stdoutMax = e.MaxRead
		if stdoutMax <= 0 {
			stdoutMax = DefaultMaxRead
		}
		stdout = &textio.Head{Max: stdoutMax}
	}
	stderr := &textio.Tail{Max: maxOut}

	argv := c.Argv
	var status *statusFilter
	if c.ZoneStatus {
		wrapped, nonce, err := wrapZoneStatus(c.Argv)
		if err != nil {
			return res, fmt.Errorf("run %s: %w", c, err)
		}
		argv = wrapped
		status = newStatusFilter(nil, nonce)
	}
	cmd := exec.CommandContext(runCtx, path, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Env = commandEnv(os.Environ(), e.Env, c.Env)
	var section *sectionReader
	switch {
	case c.Stdin != nil:
		cmd.Stdin = bytes.NewReader(c.Stdin)
	case c.StdinFrom != nil:
		cmd.Stdin = c.StdinFrom
	case c.StdinFile != nil:
		f, err := os.Open(c.StdinFile.Path)
		if err != nil {
			return res, fmt.Errorf("run %s: %w", c, err)
		}
		defer f.Close()
		section = &sectionReader{r: io.NewSectionReader(f, c.StdinFile.Offset, c.StdinFile.Size), h: digest.New()}
		cmd.Stdin = section
	}
	cmd.Stdout, cmd.Stderr = teeOutputs(stdout, stderr, c.Stdout, c.Stderr)
	if status != nil {
		status.w = cmd.Stderr
		cmd.Stderr = status
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		// The negative pid addresses the process group Setpgid made,
		// so children of the command stop too.
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	}
	cmd.WaitDelay = killGrace
	var zs *zoneStop
	if zone, ok := zloginZone(c.Argv); ok {
		zs = &zoneStop{e: e, zone: zone, exited: make(chan struct{})}
		cmd.Cancel = func() error { return zs.start(cmd.Process.Pid) }
		cmd.WaitDelay = zoneStopDelay
	}

	if err := cmd.Start(); err != nil {
		return res, fmt.Errorf("start %s: %w", c, err)
	}
	waitErr := cmd.Wait()
	if zs != nil {
		close(zs.exited)
	}
	if status != nil {
		status.Close()
	}
	res.Stdout = stdout.Bytes()
	res.Stderr = stderr.Bytes()

	if ctxErr := runCtx.Err(); ctxErr != nil {
		// Whatever the leader did, make sure nothing of the group is
		// left; ESRCH just means it is already gone.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		stopped := ""
		if zs != nil {
			stopped = zs.report()
		}
		if ctx.Err() == nil && errors.Is(ctxErr, context.DeadlineExceeded) {
			return res, fmt.Errorf("%s: timed out after %s%s: %w", c, timeout, stopped, context.DeadlineExceeded)
		}
		return res, fmt.Errorf("%s: interrupted%s: %w", c, stopped, ctx.Err())
	}

	if section != nil && waitErr == nil {
		if got := hex.EncodeToString(section.h.Sum(nil)); c.StdinFile.SHA256 != "" && (got != c.StdinFile.SHA256 || section.n != c.StdinFile.Size) {
			res.ExitCode = -1
			return res, fmt.Errorf("%s: %s changed while it was read: %d bytes with SHA-256 %s, want %d bytes with SHA-256 %s", c, c.StdinFile.Path, section.n, got, c.StdinFile.Size, c.StdinFile.SHA256)
		}
	}
	if c.Stdout == nil && stdout.Cut() && waitErr == nil {
		res.ExitCode = -1
		return res, &OutputTooLargeError{Cmd: c, Max: stdoutMax}
	}
	var exitErr *exec.ExitError
	if status != nil && (waitErr == nil || errors.As(waitErr, &exitErr)) {
		return zoneResult(c, res, status, waitErr)
	}
	switch {
	case waitErr == nil:
		res.ExitCode = 0
		return res, nil
	case errors.As(waitErr, &exitErr):
		res.ExitCode = exitErr.ExitCode()
		msg := tailString(res.Stderr, stderrInError)
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			msg = strings.TrimSpace(msg + "\nterminated by signal " + ws.Signal().String())
		}
		return res, &CommandError{Cmd: c, ExitCode: res.ExitCode, Stderr: msg, Stdout: tailString(res.Stdout, stderrInError)}
	default:
		// The process ended but its output could not be collected
		// (exec.ErrWaitDelay: a child kept the pipes open).
		if ps := cmd.ProcessState; ps != nil {
			res.ExitCode = ps.ExitCode()
		}
		return res, fmt.Errorf("%s: %w", c, waitErr)
	}
}

// A sectionReader reads a file section, hashing and counting what it reads.
type sectionReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (s *sectionReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.h.Write(p[:n])
	s.n += int64(n)
	return n, err
}

// zoneResult is the result of a ZoneStatus command: the status its
// wrapper reported, whatever zlogin's own exit code.
func zoneResult(c Cmd, res Result, status *statusFilter, waitErr error) (Result, error) {
	zloginCode := 0
	var exitErr *exec.ExitError
	if errors.As(waitErr, &exitErr) {
		zloginCode = exitErr.ExitCode()
	}
	switch {
	case status.found:
		res.ExitCode = status.rc
	case zloginCode != 0:
		// zlogin failed before the command ran (the zone is not
		// running, the user unknown): its own status and message.
		res.ExitCode = zloginCode
	default:
		res.ExitCode = -1
		return res, fmt.Errorf("%s: %w", c, ErrStatusUnknown)
	}
	if res.ExitCode == 0 {
		return res, nil
	}
	msg := tailString(res.Stderr, stderrInError)
	if status.found && res.ExitCode > 128 && res.ExitCode < 128+65 {
		msg = strings.TrimSpace(msg + "\nkilled by signal " + strconv.Itoa(res.ExitCode-128) + " (" + syscall.Signal(res.ExitCode-128).String() + ")")
	}
	return res, &CommandError{Cmd: c, ExitCode: res.ExitCode, Stderr: msg, Stdout: tailString(res.Stdout, stderrInError)}
}

// commandEnv builds a command's environment: base without LANG and LC_*,
// then LC_ALL=C, then the extra lists in order; a later entry for a key
// replaces an earlier one.
func commandEnv(base []string, extra ...[]string) []string {
	var all []string
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if k == "LANG" || strings.HasPrefix(k, "LC_") {
			continue
		}
		all = append(all, kv)
	}
	all = append(all, "LC_ALL=C")
	for _, list := range extra {
		all = append(all, list...)
	}
	index := map[string]int{}
	var env []string
	for _, kv := range all {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := index[k]; ok {
			env[i] = kv
			continue
		}
		index[k] = len(env)
		env = append(env, kv)
	}
	return env
}

// teeOutputs returns the writers for a process's stdout and stderr: each
// captures into its buffer and copies to the caller's live writer.
// When both live writers are the same one, its writes are serialised.
func teeOutputs(outBuf, errBuf, liveOut, liveErr io.Writer) (io.Writer, io.Writer) {
	if liveOut != nil && liveOut == liveErr {
		shared := &textio.LockedWriter{W: liveOut}
		liveOut, liveErr = shared, shared
	}
	return &teeWriter{capture: outBuf, live: liveOut}, &teeWriter{capture: errBuf, live: liveErr}
}

// A teeWriter captures everything and copies it to live until live fails.
// A failing live writer (a closed terminal, say) must not fail the command
// itself, so its error only stops the copying.
type teeWriter struct {
	capture io.Writer
	live    io.Writer
	failed  bool
}

func (t *teeWriter) Write(p []byte) (int, error) {
	_, _ = t.capture.Write(p)
	if t.live != nil && !t.failed {
		if _, err := t.live.Write(p); err != nil {
			t.failed = true
		}
	}
	return len(p), nil
}

func tailString(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.TrimSpace(string(b))
}

// RunSelf runs this program again with args (the module runner of
// zonemgr play: "module NAME ARGS.json"), with stdin as its standard
// input and env as its whole environment, and returns what it printed
// and its exit status. An error means it could not be run at all.
func RunSelf(ctx context.Context, args []string, stdin []byte, env []string) ([]byte, int, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, 0, err
	}
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Env = env
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, io.Discard
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return stdout.Bytes(), 0, nil
	case errors.As(err, &ee):
		return stdout.Bytes(), ee.ExitCode(), nil
	}
	return nil, 0, err
}

// An OutputTooLargeError is a command whose output zonemgr reads that
// printed more than it reads (Exec.MaxRead): nothing of it was parsed.
type OutputTooLargeError struct {
	Cmd Cmd
	Max int
}

func (e *OutputTooLargeError) Error() string {
	return fmt.Sprintf("%s: printed more than %d MiB on standard output, more than zonemgr reads of one command; nothing of it was used", e.Cmd, e.Max>>20)
}
