package illumos

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/zonemgr/zonemgr/internal/random"
)

// A command's status inside a zone is zonemgr's to learn, not zlogin's:
// zlogin exits with WEXITSTATUS of its child (zlogin.c
// noninteractive_login()), so 0 for a command killed by a signal, and
// with BSM auditing on, su's parent exits 0 whatever the command did
// (su.c audit_logout() forks). A command run with Cmd.ZoneStatus runs in
// the zone under a small POSIX sh wrapper that runs it with the login's
// own shell, catches HUP, INT and TERM itself so that it
// outlives a command they kill, and writes the command's status (its
// exit code, or 128+N for signal N, as sh's $? has it) as the last line
// of standard error, marked with a nonce drawn for the run:
//
//	\nzonemgr-status:NONCE:RC\n
//
// The runner removes that line from the output it keeps and streams, and
// returns RC as the command's exit code. A command whose wrapper was
// killed too (the zone halted under it) reports nothing: the runner
// then says that its status is unknown, never that it succeeded.

// statusMark starts the line the wrapper writes.
const statusMark = "zonemgr-status:"

// ErrStatusUnknown is returned for a ZoneStatus command whose wrapper
// reported no status.
var ErrStatusUnknown = errors.New("its exit status was not reported: the command and the shell that ran it were killed (the zone halted, or something killed the shell)")

// zoneWrapper is the wrapper: $1 is the command line, $2 the nonce.
// The command runs with the login's shell, $SHELL (su sets it to the
// user's shell), as zlogin would run it; /bin/sh when that cannot be run.
//
// The status is 128+N for a command killed by signal N whatever the
// shell: illumos's /bin/sh is ksh93, whose $? is 256+N for it (ksh93(1),
// "Exit Status"; POSIX shells give 128+N), so a status above 256 is
// brought back to 128+N.
const zoneWrapper = `trap : HUP INT TERM; s=${SHELL:-/bin/sh}; [ -x "$s" ] || s=/bin/sh; "$s" -c "$1"; rc=$?; [ "$rc" -gt 256 ] && rc=$((rc - 128)); printf '\n` + statusMark + `%s:%d\n' "$2" "$rc" >&2; exit $rc`

// shQuote quotes a string for a POSIX shell.
func shQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// zloginCommand splits a zlogin argv into its options with the zone
// name, and the command line it runs (the arguments after the zone,
// joined as zlogin joins them, each quoted so that none is split again).
func zloginCommand(argv []string) (head []string, cmdline string, err error) {
	if len(argv) == 0 || argv[0] != "zlogin" {
		return nil, "", fmt.Errorf("not a zlogin command: %s", QuoteArgv(argv))
	}
	i := 1
	for i < len(argv) && strings.HasPrefix(argv[i], "-") {
		if argv[i] == "-l" || argv[i] == "-e" || argv[i] == "-R" {
			i++
		}
		i++
	}
	if i+1 >= len(argv) {
		return nil, "", fmt.Errorf("no command in the zone: %s", QuoteArgv(argv))
	}
	rest := argv[i+1:]
	if len(rest) == 1 {
		return argv[:i+1], rest[0], nil
	}
	q := make([]string, len(rest))
	for k, a := range rest {
		q[k] = shQuote(a)
	}
	return argv[:i+1], strings.Join(q, " "), nil
}

// wrapZoneStatus returns the argv that runs a zlogin command under the
// status wrapper, and the nonce its status line carries.
func wrapZoneStatus(argv []string) ([]string, string, error) {
	head, cmdline, err := zloginCommand(argv)
	if err != nil {
		return nil, "", err
	}
	nonce, err := random.Hex(12)
	if err != nil {
		return nil, "", err
	}
	// The login shell runs the one string zlogin passes; exec replaces
	// it by sh, which every zone has, whatever the login shell is.
	line := "exec /bin/sh -c " + shQuote(zoneWrapper) + " zonemgr-exec " + shQuote(cmdline) + " " + nonce
	return append(append([]string{}, head...), line), nonce, nil
}

// A statusFilter passes a command's standard error through, but for the
// wrapper's status line, which it takes out and reads. It holds back only
// what may be the start of that line, so the output stays live.
type statusFilter struct {
	w     io.Writer
	mark  []byte // "\nzonemgr-status:NONCE:"
	pend  []byte
	rc    int
	found bool
}

func newStatusFilter(w io.Writer, nonce string) *statusFilter {
	return &statusFilter{w: w, mark: []byte("\n" + statusMark + nonce + ":")}
}

func (f *statusFilter) Write(p []byte) (int, error) {
	f.pend = append(f.pend, p...)
	for {
		i := bytes.Index(f.pend, f.mark)
		if i < 0 {
			break
		}
		rest := f.pend[i+len(f.mark):]
		end := bytes.IndexByte(rest, '\n')
		if end < 0 {
			if maybeStatus(rest) {
				// The line is not whole yet: pass what comes before it.
				f.flush(i)
				return len(p), nil
			}
			// Not the wrapper's line, which ends a few digits on: pass
			// it on rather than hold back a line that never ends.
			f.flush(i + len(f.mark))
			continue
		}
		num := string(f.pend[i+len(f.mark) : i+len(f.mark)+end])
		if rc, err := strconv.Atoi(num); err == nil && num != "" && maybeStatus([]byte(num)) {
			f.rc, f.found = rc, true
			f.flush(i)
			f.pend = f.pend[len(f.mark)+end+1:]
			continue
		}
		// Not the wrapper's line after all: pass it on.
		f.flush(i + len(f.mark))
	}
	// Keep back the longest tail that could begin the mark.
	keep := 0
	for k := min(len(f.mark)-1, len(f.pend)); k > 0; k-- {
		if bytes.HasPrefix(f.mark, f.pend[len(f.pend)-k:]) {
			keep = k
			break
		}
	}
	f.flush(len(f.pend) - keep)
	return len(p), nil
}

// maybeStatus reports whether b can begin the rest of a status line
// after its mark: the wrapper prints a shell's $? (0 to 255), so at most
// a few digits.
func maybeStatus(b []byte) bool {
	if len(b) > 3 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// flush writes the first n pending bytes.
func (f *statusFilter) flush(n int) {
	if n > 0 {
		f.w.Write(f.pend[:n])
		f.pend = f.pend[n:]
	}
}

// Close writes what is still held back: the command ended.
func (f *statusFilter) Close() {
	f.flush(len(f.pend))
}
