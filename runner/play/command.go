package play

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

// Ansible's command and shell modules (modules/command.py), run on this
// global zone: command runs an argv (its free-form text split as
// Python's shlex splits it, or argv), shell runs its text with /bin/sh -c
// (or executable). chdir, creates and removes, stdin and
// strip_empty_ends as in Ansible; in check mode the command does not run
// (the task is skipped unless creates or removes decide).

// A Command is a command command or shell runs: its argv (the program
// found through the search path), directory, whole environment and
// standard input.
type Command struct {
	Argv  []string
	Dir   string
	Env   []string
	Stdin []byte
}

// A CommandResult is what a command did: its output and exit status (the
// negated signal number when a signal killed it, as Python reports it).
type CommandResult struct {
	Stdout, Stderr []byte
	RC             int
}

// ErrCommandStart is the error of a command that could not start; Errno
// is the system error number, for Ansible's message.
type ErrCommandStart struct {
	Errno int
	Err   error
}

func (e *ErrCommandStart) Error() string { return e.Err.Error() }

// commandTimeFormat is Python's str() of a datetime.
const commandTimeFormat = "2006-01-02 15:04:05.000000"

// pyDelta is Python's str() of a timedelta.
func pyDelta(d time.Duration) string {
	us := d.Microseconds()
	h := us / 3600e6
	us -= h * 3600e6
	m := us / 60e6
	us -= m * 60e6
	s := us / 1e6
	us -= s * 1e6
	return fmt.Sprintf("%d:%02d:%02d.%06d", h, m, s, us)
}

// runCommand runs command or shell.
func (x *run) runCommand(ctx context.Context, t *task, args *jinja.Dict, env map[string]string, check, noLog bool) outcome {
	shell := t.kind == kindShell
	raw := argOr(args, "_raw_params", argOr(args, "cmd", nil))
	argvV := argOr(args, "argv", nil)
	executable := argOr(args, "executable", nil)
	procEnv := withEnv(os.Environ(), env)
	getenv := func(k string) string {
		for i := len(procEnv) - 1; i >= 0; i-- {
			if name, v, ok := strings.Cut(procEnv[i], "="); ok && name == k {
				return v
			}
		}
		return ""
	}
	path := func(key string) string {
		v := argOr(args, key, nil)
		if v == nil {
			return ""
		}
		return expandPath(jinja.Str(v), getenv)
	}
	chdir, creates, removes := path("chdir"), path("creates"), path("removes")
	stdin := argOr(args, "stdin", nil)
	addNewline := jinja.Bool(argOr(args, "stdin_add_newline", true))
	strip := jinja.Bool(argOr(args, "strip_empty_ends", true))

	r := jinja.DictOf("changed", false, "stdout", "", "stderr", "", "rc", nil, "cmd", nil, "start", nil, "end", nil, "delta", nil, "msg", "")
	invocation := jinja.DictOf("_raw_params", nilIfEmpty(raw), "_uses_shell", shell, "argv", argvV, "chdir", nilIfEmpty(argOr(args, "chdir", nil)),
		"executable", executable, "creates", argOr(args, "creates", nil), "removes", argOr(args, "removes", nil),
		"stdin", stdin, "stdin_add_newline", addNewline, "strip_empty_ends", strip)
	var warnings []string
	finish := func(failed bool) outcome {
		res := r
		if failed {
			msg, _ := r.Get("msg")
			res = jinja.NewDict(r.Len() + 4)
			for k, v := range r.All() {
				if k != "msg" {
					res.Set(k, v)
				}
			}
			res.Set("failed", true)
			res.Set("msg", msg)
		}
		if !noLog {
			res.Set("invocation", jinja.DictOf("module_args", invocation))
		}
		if len(warnings) > 0 {
			w := make([]any, len(warnings))
			for i, s := range warnings {
				w[i] = s
			}
			res.Set("warnings", w)
		}
		for _, k := range []string{"stdout", "stderr"} {
			if s, ok := res.Get(k); ok {
				if str, isStr := s.(string); isStr {
					res.Set(k+"_lines", splitLinesPy(str))
				}
			}
		}
		if !res.Has("failed") {
			res.Set("failed", false)
		}
		return outcome{res: res, warnings: warnings}
	}
	if !shell && executable != nil {
		warnings = append(warnings, fmt.Sprintf("As of Ansible 2.4, the parameter 'executable' is no longer supported with the 'command' module. Not using '%s'.", jinja.Str(executable)))
		executable = nil
	}
	rawText := ""
	if raw != nil {
		rawText = jinja.Str(raw)
	}
	var argvList []any
	if l, ok := argvV.([]any); ok {
		argvList = l
	}
	if strings.TrimSpace(rawText) == "" && len(argvList) == 0 {
		r.Set("rc", 256)
		r.Set("msg", "no command given")
		return finish(true)
	}
	if rawText != "" && len(argvList) > 0 {
		r.Set("rc", 256)
		r.Set("msg", "only command or argv can be given, not both")
		return finish(true)
	}
	var argv []string
	var cmdValue any
	switch {
	case shell && rawText != "":
		cmdValue = rawText
	case rawText != "":
		words, err := shlexSplit(rawText)
		if err != nil {
			return failedOutcome(err.Error())
		}
		argv = words
	default:
		for _, a := range argvList {
			argv = append(argv, jinja.Str(a))
		}
	}
	if cmdValue == nil {
		l := make([]any, len(argv))
		for i, a := range argv {
			l[i] = a
		}
		cmdValue = l
	}
	r.Set("cmd", cmdValue)
	dir := ""
	if chdir != "" {
		d := chdir
		if !filepath.IsAbs(d) {
			if wd, err := os.Getwd(); err == nil {
				d = filepath.Join(wd, d)
			}
		}
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			reason := "[Errno 2] No such file or directory"
			if err == nil {
				reason = "[Errno 20] Not a directory"
			}
			r.Set("msg", fmt.Sprintf("Unable to change directory before execution: %s: b%s", reason, jinja.Repr(chdir)))
			return finish(true)
		}
		dir = d
	}
	inDir := func(p string) string {
		if filepath.IsAbs(p) || dir == "" {
			return p
		}
		return filepath.Join(dir, p)
	}
	shoulda := "Did"
	if check {
		shoulda = "Would"
	}
	if creates != "" {
		if m, _ := filepath.Glob(inDir(creates)); len(m) > 0 {
			r.Set("msg", fmt.Sprintf("%s not run command since '%s' exists", shoulda, creates))
			r.Set("stdout", "skipped, since "+creates+" exists")
			r.Set("rc", 0)
		}
	}
	if msg, _ := r.Get("msg"); msg == "" && removes != "" {
		if m, _ := filepath.Glob(inDir(removes)); len(m) == 0 {
			r.Set("msg", fmt.Sprintf("%s not run command since '%s' does not exist", shoulda, removes))
			r.Set("stdout", "skipped, since "+removes+" does not exist")
			r.Set("rc", 0)
		}
	}
	if msg, _ := r.Get("msg"); msg != "" {
		return finish(false)
	}
	r.Set("changed", true)
	if check {
		r.Set("rc", 0)
		r.Set("msg", "Command would have run if not in check mode")
		if creates == "" && removes == "" {
			r.Set("skipped", true)
			r.Set("changed", false)
		}
		return finish(false)
	}
	if shell {
		sh := "/bin/sh"
		if executable != nil {
			sh = jinja.Str(executable)
		}
		argv = []string{sh, "-c", rawText}
	}
	var in []byte
	if stdin != nil {
		in = []byte(jinja.Str(stdin))
		if addNewline {
			in = append(in, '\n')
		}
	}
	runCmd := x.r.RunCommand
	if runCmd == nil {
		runCmd = runProcess
	}
	start := x.r.clock()
	res, err := runCmd(ctx, Command{Argv: argv, Dir: dir, Env: procEnv, Stdin: in})
	end := x.r.clock()
	if err != nil {
		var se *ErrCommandStart
		if !errors.As(err, &se) {
			return failedOutcome(err.Error())
		}
		// AnsibleModule.run_command's failure to start the command.
		out := jinja.DictOf("rc", se.Errno, "stdout", "", "stderr", "", "cmd", cmdString(argv, shell), "failed", true,
			"msg", fmt.Sprintf("[Errno %d] %s: b%s", se.Errno, errnoText(se.Errno), pyBytesQuote(argv[0])))
		if !noLog {
			out.Set("invocation", jinja.DictOf("module_args", invocation))
		}
		out.Set("stdout_lines", []any{})
		out.Set("stderr_lines", []any{})
		return outcome{res: out}
	}
	r.Set("start", start.Format(commandTimeFormat))
	r.Set("end", end.Format(commandTimeFormat))
	r.Set("delta", pyDelta(end.Sub(start)))
	stdout, stderr := string(res.Stdout), string(res.Stderr)
	if strip {
		stdout = strings.TrimRight(stdout, "\r\n")
		stderr = strings.TrimRight(stderr, "\r\n")
	}
	r.Set("stdout", stdout)
	r.Set("stderr", stderr)
	r.Set("rc", res.RC)
	// start, end and delta were set in the order Ansible sets them.
	if res.RC != 0 {
		r.Set("msg", "non-zero return code")
		return finish(true)
	}
	return finish(false)
}

// nilIfEmpty is nil for an empty option.
func nilIfEmpty(v any) any {
	if v == nil || v == "" {
		return nil
	}
	return v
}

// cmdString is run_command's cleaned args: the command line as text.
func cmdString(argv []string, shell bool) string {
	if shell && len(argv) == 3 {
		return argv[2]
	}
	return strings.Join(argv, " ")
}

// errnoText is the strerror of the errors starting a command meets.
func errnoText(errno int) string {
	switch errno {
	case 2:
		return "No such file or directory"
	case 13:
		return "Permission denied"
	case 8:
		return "Exec format error"
	case 20:
		return "Not a directory"
	}
	return fmt.Sprintf("errno %d", errno)
}

// pyBytesQuote is Python's repr of a bytes value of s, without the b.
func pyBytesQuote(s string) string {
	q := jinja.Repr(s)
	return q
}

// splitLinesPy is Python's str.splitlines, as Ansible makes stdout_lines.
func splitLinesPy(s string) []any {
	lines := ansible.SplitLines(s)
	out := make([]any, len(lines))
	for i, l := range lines {
		out[i] = l
	}
	return out
}

// expandPath is Ansible's type='path': environment variables and ~
// expanded.
func expandPath(p string, getenv func(string) string) string {
	p = os.Expand(p, func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return "$" + k
	})
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home := getenv("HOME"); home != "" {
			p = home + p[1:]
		}
	}
	return p
}

// shlexSplit is Python's shlex.split (POSIX mode): words separated by
// white space, with quotes and backslash escapes.
func shlexSplit(s string) ([]string, error) {
	var words []string
	var b strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
			inWord = true
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("No closing quotation")
			}
			b.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\\\"$`\n", s[i+1]) >= 0 {
					i++
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New("No closing quotation")
			}
			inWord = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inWord {
				words = append(words, b.String())
				b.Reset()
				inWord = false
			}
		default:
			b.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, b.String())
	}
	return words, nil
}
