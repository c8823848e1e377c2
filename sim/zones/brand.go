package zones

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
)

// Exit codes of a brand hook (usr/src/uts/common/sys/zone.h, repeated in
// usr/src/lib/brand/shared/zone/common.ksh): zoneadm maps 253 to its
// subcommand's usage (install_func(), clone_func(), attach_func()).
const (
	subprocOK          = 0
	subprocUsage       = 253
	subprocNotComplete = 254
	subprocFatal       = 255
)

// A zoneadmOpt is one option zoneadm's getopt() returned: c is what
// getopt() returned ('?' for an unknown option or a missing argument),
// optopt the option letter, optarg the value of the global optarg after
// the call.
type zoneadmOpt struct {
	c, optopt byte
	optarg    string
	hasArg    bool
	word      int // the index in args of the word holding the option letter
}

// zoneadmGetopt walks args as illumos libc getopt() does for the
// subcommands that pass unknown options on to the brand (install_func(),
// attach_func(), clone_func(): opterr = 0, "Ignore unknown options - may
// be brand specific"). Options end at "--" or the first operand; an
// option letter not in optstring, or one missing its argument, returns
// '?'. optarg is set only by options that take an argument and cleared
// by those that do not; '?' leaves it as it was, as libc's getopt.c does.
// It returns the options and optind.
func zoneadmGetopt(args []string, optstring string) ([]zoneadmOpt, int) {
	var out []zoneadmOpt
	optarg, hasArg := "", false
	optind, sp := 0, 1
	for optind < len(args) {
		a := args[optind]
		if sp == 1 {
			if len(a) < 2 || a[0] != '-' {
				break
			}
			if a == "--" {
				optind++
				break
			}
		}
		c, word := a[sp], optind
		i := strings.IndexByte(optstring, c)
		if c == ':' || i < 0 {
			if sp++; sp >= len(a) {
				optind, sp = optind+1, 1
			}
			out = append(out, zoneadmOpt{c: '?', optopt: c, optarg: optarg, hasArg: hasArg, word: word})
			continue
		}
		if i+1 < len(optstring) && optstring[i+1] == ':' {
			switch {
			case sp+1 < len(a):
				optarg, hasArg = a[sp+1:], true
				optind++
			case optind+1 < len(args):
				optarg, hasArg = args[optind+1], true
				optind += 2
			default:
				optind, sp = optind+1, 1
				out = append(out, zoneadmOpt{c: '?', optopt: c, optarg: optarg, hasArg: hasArg, word: word})
				continue
			}
			sp = 1
			out = append(out, zoneadmOpt{c: c, optopt: c, optarg: optarg, hasArg: true, word: word})
			continue
		}
		if sp++; sp >= len(a) {
			optind, sp = optind+1, 1
		}
		optarg, hasArg = "", false
		out = append(out, zoneadmOpt{c: c, optopt: c, word: word})
	}
	return out, optind
}

// addopt is zoneadm.c addopt(): " -<opt>" (or " " for an operand)
// followed straight by the argument, if any.
func addopt(buf *strings.Builder, opt byte, arg string, hasArg bool) {
	if opt > 0 {
		fmt.Fprintf(buf, " -%c", opt)
	} else {
		buf.WriteString(" ")
	}
	if hasArg {
		buf.WriteString(arg)
	}
}

// addoptions is zoneadm.c addoptions(): every argument appended after a
// space.
func addoptions(args []string) string {
	var b strings.Builder
	for _, a := range args {
		b.WriteString(" " + a)
	}
	return b.String()
}

// shellWords splits the tail of a brand hook's command line the way
// /bin/sh -c does: zoneadm runs the hook through do_subproc()'s
// execl("/bin/sh", "sh", "-c", cmdbuf), so the arguments it appended
// with addopt()/addoptions() are split at blanks and have their quotes
// removed, and an empty argument vanishes. Shell syntax beyond words and
// quoting (; & | < > ( ) $ ` and newlines, which the real shell would
// act on) is refused: the sim does not run a shell.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated quote in %q", s)
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '$' || s[i] == '`' {
					return nil, fmt.Errorf("shell expansion in %q is not simulated", s)
				}
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("$`\"\\\n", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated quote in %q", s)
			}
			inWord = true
		case c == '\\':
			if i+1 < len(s) {
				i++
				cur.WriteByte(s[i])
			}
			inWord = true
		case strings.IndexByte(";&|<>()$`\n", c) >= 0:
			return nil, fmt.Errorf("shell syntax in %q is not simulated", s)
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// brandArgs turns the arguments zoneadm appended to a hook's command line
// into the hook's argv (after its fixed leading arguments), as the shell
// would; ok is false (and the reason printed) when the sim cannot.
func (a *adm) brandArgs(tail string) ([]string, bool) {
	words, err := shellWords(tail)
	if err != nil {
		fmt.Fprintf(a.errw, "illumos-sim: zoneadm %s: %v\n", a.cmd, err)
		return nil, false
	}
	return words, true
}

// brandUsage is a brand script's fail_usage() (omniosorg/pkg5
// src/brand/ipkg/common.ksh; OpenIndiana/pkg5 src/brand/common.ksh): the
// message, a newline, "brand-specific usage: " and the script's m_usage,
// all on stderr; the script exits ZONE_SUBPROC_USAGE.
func brandUsage(w io.Writer, msg, usage string) int {
	fmt.Fprintf(w, "%s\nbrand-specific usage: %s\n", msg, usage)
	return subprocUsage
}

// A brandLog is where a brand script's log() and error() lines go, which
// differs by flavour:
//
//   - OpenIndiana: the scripts source illumos-gate's
//     usr/src/lib/brand/shared/zone/common.ksh only, whose log() prints
//     the line on stdout and, when LOGFILE is set, "[date] line" on
//     stderr, and whose error() prints "ERROR: line" on stdout the same
//     way.
//   - OmniOS: omniosorg/pkg5 src/brand/ipkg/common.ksh sources
//     src/brand/shared/log.ksh last, whose log() first calls setuplog()
//     (LOGFILE defaults to $ZONEPATH/log/zone.log, and stderr is
//     redirected to it for good), prints on stdout only with OPT_V, and
//     always writes "[date] line" to stderr; error() runs log with
//     OPT_V=1 and its stdout sent to the stderr of the moment, so
//     "ERROR: line" reaches the caller's stderr unless the script had
//     redirected stderr already (attach does: exec 2>>$LOGFILE).
type brandLog struct {
	flavor  core.Flavor
	stdout  io.Writer
	stderr  io.Writer // the script's stderr now: the caller's or LOGFILE
	file    *os.File  // LOGFILE once opened
	setup   func() (*os.File, error)
	verbose bool // OPT_V
}

// newBrandLog starts a script's output with the caller's streams.
// zonepathLog is where OmniOS's setuplog() puts the log when no LOGFILE
// is set (a host path).
func (a *adm) newBrandLog(zonepathLog string) *brandLog {
	b := &brandLog{flavor: a.inv.Flavor(), stdout: a.out, stderr: a.errw}
	b.setup = func() (*os.File, error) {
		if err := os.MkdirAll(filepath.Dir(zonepathLog), 0o755); err != nil {
			return nil, err
		}
		return os.OpenFile(zonepathLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	}
	return b
}

// openLogFile is the attach script's (omniosorg/pkg5 src/brand/ipkg/attach)
// LOGFILE=$(mktemp -t -p /var/tmp $ZONENAME.attach_log.XXXXXX) and
// exec 2>>"$LOGFILE" (pattern is the name without the X's); it returns
// the global-zone path of the file.
func (b *brandLog) openLogFile(a *adm, pattern string) (string, error) {
	dir := a.inv.Path("/var/tmp")
	if err := os.MkdirAll(dir, 0o1777); err != nil {
		return "", err
	}
	// mktemp(1) replaces the trailing XXXXXX with letters and digits.
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	for try := 0; ; try++ {
		var suffix [6]byte
		for i := range suffix {
			suffix[i] = chars[rand.IntN(len(chars))]
		}
		name := pattern + string(suffix[:])
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if errors.Is(err, fs.ErrExist) && try < 100 {
			continue
		}
		if err != nil {
			return "", err
		}
		b.file, b.stderr = f, f
		return path.Join("/var/tmp", name), nil
	}
}

// close closes LOGFILE.
func (b *brandLog) close() {
	if b.file != nil {
		b.file.Close()
	}
}

// stamp is the "[`date`] " prefix of a log file line (log.ksh log(),
// date(1)'s default format in the C locale).
func stamp() string {
	return "[" + time.Now().Format("Mon Jan _2 15:04:05 MST 2006") + "] "
}

// setuplog is OmniOS log.ksh setuplog() (omniosorg/pkg5
// src/brand/shared/log.ksh): without LOGFILE, mkdir -p $ZONEPATH/log,
// LOGFILE=$ZONEPATH/log/zone.log (chmod 600) and exec 2>>"$LOGFILE".
func (b *brandLog) setuplog() {
	if b.file != nil || b.flavor != core.OmniOS {
		return
	}
	if f, err := b.setup(); err == nil {
		b.file, b.stderr = f, f
	}
}

// log is the scripts' log() of a line (printf-expanded already):
// omniosorg/pkg5 src/brand/shared/log.ksh log() (setuplog, stdout only
// with OPT_V, "[`date`] line" on stderr); illumos-gate
// usr/src/lib/brand/shared/zone/common.ksh log() on OpenIndiana.
func (b *brandLog) log(line string) {
	if b.flavor == core.OmniOS {
		b.setuplog()
		if b.verbose {
			fmt.Fprintln(b.stdout, line)
		}
		fmt.Fprintln(b.stderr, stamp()+line)
		return
	}
	fmt.Fprintln(b.stdout, line)
	if b.file != nil {
		fmt.Fprintln(b.stderr, stamp()+line)
	}
}

// error is the scripts' error(): omniosorg/pkg5 src/brand/shared/log.ksh
// error() ("OPT_V=1 log \"ERROR: $fmt\" ... >> /dev/stderr", the
// redirection taken before setuplog moves fd 2); illumos-gate
// usr/src/lib/brand/shared/zone/common.ksh error() on OpenIndiana.
func (b *brandLog) error(line string) {
	if b.flavor == core.OmniOS {
		w := b.stderr
		b.setuplog()
		fmt.Fprintln(w, "ERROR: "+line)
		fmt.Fprintln(b.stderr, stamp()+"ERROR: "+line)
		return
	}
	fmt.Fprintln(b.stdout, "ERROR: "+line)
	if b.file != nil {
		fmt.Fprintln(b.stderr, stamp()+"ERROR: "+line)
	}
}

// errorf is error() with printf arguments.
func (b *brandLog) errorf(format string, args ...any) { b.error(fmt.Sprintf(format, args...)) }

// logf is log() with printf arguments.
func (b *brandLog) logf(format string, args ...any) { b.log(fmt.Sprintf(format, args...)) }
