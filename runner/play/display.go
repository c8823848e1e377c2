package play

// Output rules, as ansible-playbook's default callback (ansible-core
// 2.14) writes them, so that standard output is the same under both:
//
//   - Standard output gets a blank line and a banner padded with stars to
//     80 columns per play and task ("TASK [name] ****"), one status line
//     per task or loop item (ok, changed, fatal/failed, skipping), the
//     diff of a changed result under --diff, and the PLAY RECAP.
//   - A status line ends with the task's duration in parentheses, before
//     any " => {result}"; skipped lines have none. This is the one thing
//     standard output has that Ansible's does not.
//   - The result JSON (sorted keys, Python's separators) follows a
//     failure always, and other results with -v; debug and assert show
//     theirs indented. Results are shown whole, as Ansible shows them;
//     invocation and diff only from -vvv.
//   - Standard error gets the rest: warnings ("[WARNING]: ...", each
//     once per run, or once per task for those Ansible gives while the
//     task runs), deprecations, notes, errors ("zonemgr: error: ..."),
//     the live output of commands run in zones, and under -v each
//     command a module runs as it finishes.
//   - A no_log task's result is replaced by Ansible's "censored" message,
//     its live output and commands are not shown, and a loop item's label
//     reads None.
//   - Colour only when the stream is a terminal and NO_COLOR is unset (or
//     empty), and never with --json.
//   - With --json, standard output gets one JSON object per task and a
//     final summary object, and nothing else.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zonemgr/zonemgr/internal/textio"
	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

// Ansible's colours (constants.py COLOR_*), as ANSI SGR codes.
const (
	colorOK          = "0;32"
	colorChanged     = "0;33"
	colorError       = "0;31"
	colorSkip        = "0;36"
	colorUnreachable = "1;31"
	colorWarn        = "1;35"
	colorVerbose     = "0;34"
	colorDiffAdd     = "0;32"
	colorDiffRemove  = "0;31"
	colorDiffLines   = "0;36"
	colorDeprecate   = "0;35"
	colorDebug       = "0;90"
)

// bannerWidth is the width of a banner line less one, as Ansible's
// display computes it when standard output is not a terminal.
const bannerWidth = 79

// censored is Ansible's replacement of a no_log task's result.
const censored = "the output has been hidden due to the fact that 'no_log: true' was specified for this result"

// A display writes what a run shows.
type display struct {
	out       *lineWriter
	errw      io.Writer
	color     bool
	errColor  bool
	json      bool
	verbosity int
	diffMode  bool
	mu        sync.Mutex
	// warned holds the warnings shown, each shown once as in Ansible.
	warned map[string]bool
	// taskWarned holds the warnings of the task running, which Ansible
	// gives in the process that runs the task: each is shown once per
	// task, not once per run.
	taskWarned map[string]bool
}

// A lineWriter is a writer safe for concurrent use that remembers whether
// its output ends a line, so that a status line never starts in the
// middle of a command's live output.
type lineWriter struct {
	mu      sync.Mutex
	w       io.Writer
	midLine bool
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.w.Write(p)
	if n > 0 {
		l.midLine = p[n-1] != '\n'
	}
	return n, err
}

// startLine ends an unfinished line.
func (l *lineWriter) startLine() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.midLine {
		_, _ = io.WriteString(l.w, "\n")
		l.midLine = false
	}
}

// isTerminal tells whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// useColor tells whether to colour output to w: only on a terminal, and
// never when NO_COLOR is set to anything.
func useColor(w io.Writer, getenv func(string) string) bool {
	return getenv("NO_COLOR") == "" && isTerminal(w)
}

// stringc colours each line of s, as Ansible's stringc does.
func stringc(s, color string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = "\033[" + color + "m" + l + "\033[0m"
	}
	return strings.Join(lines, "\n")
}

func (d *display) paint(s, color string) string {
	if d.color && color != "" {
		return stringc(s, color)
	}
	return s
}

// line writes one line (which may hold newlines) to standard output.
func (d *display) line(s, color string) {
	if d.json {
		return
	}
	d.out.startLine()
	_, _ = io.WriteString(d.out, d.paint(s, color)+"\n")
}

// banner writes a blank line and msg padded with stars.
func (d *display) banner(msg string) {
	if d.json {
		return
	}
	stars := max(bannerWidth-len([]rune(msg)), 3)
	d.out.startLine()
	_, _ = io.WriteString(d.out, "\n"+msg+" "+strings.Repeat("*", stars)+"\n")
}

// stderrLine writes a line to standard error.
func (d *display) stderrLine(s, color string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.errColor && color != "" {
		s = stringc(s, color)
	}
	_, _ = io.WriteString(d.errw, s+"\n")
}

// warning shows a warning, once.
func (d *display) warning(msg string) {
	d.mu.Lock()
	seen := d.warned[msg]
	if d.warned == nil {
		d.warned = map[string]bool{}
	}
	d.warned[msg] = true
	d.mu.Unlock()
	if !seen {
		d.stderrLine("[WARNING]: "+msg, colorWarn)
	}
}

// taskWarning shows a warning of the task running, once in the task.
func (d *display) taskWarning(msg string) {
	d.mu.Lock()
	seen := d.taskWarned[msg]
	if d.taskWarned == nil {
		d.taskWarned = map[string]bool{}
	}
	d.taskWarned[msg] = true
	d.mu.Unlock()
	if !seen {
		d.stderrLine("[WARNING]: "+msg, colorWarn)
	}
}

// startTask starts the warnings of a task afresh.
func (d *display) startTask() {
	d.mu.Lock()
	d.taskWarned = nil
	d.mu.Unlock()
}

// note shows a note on standard error, once.
func (d *display) note(msg string) {
	d.mu.Lock()
	if d.warned == nil {
		d.warned = map[string]bool{}
	}
	seen := d.warned["note: "+msg]
	d.warned["note: "+msg] = true
	d.mu.Unlock()
	if !seen {
		d.stderrLine("note: "+msg, "")
	}
}

func (d *display) errorf(format string, a ...any) {
	d.stderrLine("zonemgr: error: "+fmt.Sprintf(format, a...), colorError)
}

// deprecations shows a result's deprecations.
func (d *display) deprecations(res *jinja.Dict) {
	v, _ := res.Get("deprecations")
	list, _ := v.([]any)
	for _, e := range list {
		msg := jinja.Str(e)
		if m, ok := e.(*jinja.Dict); ok {
			mv, _ := m.Get("msg")
			msg = jinja.Str(mv)
			if v, ok := m.Get("version"); ok {
				msg += fmt.Sprintf(". This feature will be removed in version %s", jinja.Str(v))
			} else if v, ok := m.Get("date"); ok {
				msg += fmt.Sprintf(". This feature will be removed in a release after %s", jinja.Str(v))
			}
			msg += "."
		}
		d.stderrLine("[DEPRECATION WARNING]: "+msg, colorDeprecate)
	}
}

// command shows one command a module ran (-v), on standard error.
func (d *display) command(s string) {
	if d.verbosity < 1 {
		return
	}
	d.stderrLine(s, colorVerbose)
}

// liveOut and liveErr are where the live output of commands goes.
func (d *display) liveOut() io.Writer { return &textio.LockedWriter{W: d.errw, Mu: &d.mu} }

func (d *display) liveErr() io.Writer { return &textio.LockedWriter{W: d.errw, Mu: &d.mu} }

// formatDuration renders a task's duration: seconds with two decimals
// under a minute, else minutes and seconds.
func formatDuration(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// shown returns the result as the status line shows it, as Ansible's
// TaskResult.clean_copy and _dump_results leave it: without internal
// keys, failed and skipped (the status says them), invocation, diff and
// exception (below -vvv), the bulky keys (at -v and below: zonemgr's
// commands and plan), and for debug only its message or variable; a
// no_log result is censored.
func (d *display) shown(t *task, res *jinja.Dict, noLog bool) *jinja.Dict {
	if noLog {
		out := jinja.DictOf("censored", censored)
		for _, k := range []string{"changed", "attempts", "retries"} {
			if v, ok := res.Get(k); ok {
				out.Set(k, v)
			}
		}
		return out
	}
	out := jinja.NewDict(res.Len())
	for k, v := range res.All() {
		if strings.HasPrefix(k, "_ansible_") {
			continue
		}
		switch k {
		case "failed", "skipped", "exception":
			continue
		case "invocation", "diff":
			if d.verbosity < 3 {
				continue
			}
		}
		out.Set(k, v)
	}
	if t.kind == kindDebug {
		if out.Has("msg") {
			for _, k := range append([]string{}, out.Keys()...) {
				if k != "msg" && k != "warnings" && k != "deprecations" {
					out.Delete(k)
				}
			}
		} else {
			for _, k := range []string{"changed", "invocation", "skip_reason"} {
				out.Delete(k)
			}
		}
	}
	if r, ok := out.Get("results"); ok {
		if results, ok := r.([]any); ok {
			out.Set("results", mapDicts(results, func(m *jinja.Dict) *jinja.Dict { return d.shown(t, m, false) }))
		}
	}
	return out
}

// dump renders a shown result: indented for debug and assert and from
// -vvv on, else on one line.
func (d *display) dump(t *task, res *jinja.Dict, verbose, noLog bool) string {
	indent := 0
	if verbose || d.verbosity > 2 {
		indent = 4
	}
	return jinja.JSON(d.shown(t, res, noLog), indent)
}

// taskLine writes the status line of a task without a loop.
func (d *display) taskLine(t *task, o outcome, noLog bool, dur time.Duration) {
	verbose := d.verbosity > 0 || o.verbose
	switch o.status() {
	case "failed":
		d.line(fmt.Sprintf("fatal: [localhost]: FAILED! (%s) => %s", formatDuration(dur), d.dump(t, o.res, o.verbose, noLog)), colorError)
	case "skipped":
		s := "skipping: [localhost]"
		if verbose {
			s += " => " + d.dump(t, o.res, o.verbose, noLog)
		}
		d.line(s, colorSkip)
	default:
		word, color := "ok", colorOK
		if o.changed() {
			word, color = "changed", colorChanged
		}
		s := fmt.Sprintf("%s: [localhost] (%s)", word, formatDuration(dur))
		if verbose {
			s += " => " + d.dump(t, o.res, o.verbose, noLog)
		}
		d.line(s, color)
	}
}

// itemLabel renders a loop item for "(item=...)": Python's str() of the
// label; None for a no_log task, as Ansible hides it.
func itemLabel(label any, noLog bool) string {
	if noLog {
		return "None"
	}
	return jinja.Str(label)
}

// itemLine writes the status line of one loop item.
func (d *display) itemLine(t *task, o outcome, label any, noLog bool, dur time.Duration) {
	verbose := d.verbosity > 0 || o.verbose
	item := itemLabel(label, noLog)
	switch o.status() {
	case "failed":
		d.line(fmt.Sprintf("failed: [localhost] (item=%s) (%s) => %s", item, formatDuration(dur), d.dump(t, o.res, o.verbose, noLog)), colorError)
	case "skipped":
		s := fmt.Sprintf("skipping: [localhost] => (item=%s) ", item)
		if verbose {
			s += " => " + d.dump(t, o.res, o.verbose, noLog)
		}
		d.line(s, colorSkip)
	default:
		word, color := "ok", colorOK
		if o.changed() {
			word, color = "changed", colorChanged
		}
		s := fmt.Sprintf("%s: [localhost] => (item=%s) (%s)", word, item, formatDuration(dur))
		if verbose {
			s += " => " + d.dump(t, o.res, o.verbose, noLog)
		}
		d.line(s, color)
	}
}

// loopEnd writes what follows the item lines of a loop: a skipping line
// when every item (or the empty list) was skipped, the task's line when
// its items' results are not shown (no_log) or a debug failed.
func (d *display) loopEnd(t *task, o outcome, noLog bool, dur time.Duration) {
	if noLog || (t.kind == kindDebug && o.status() == "failed") {
		// Ansible's callback gets the censored result, without its
		// results, or cleans a failed debug's result down to its msg
		// before it looks for them: the task's own line follows the
		// items'.
		d.taskLine(t, o, noLog, dur)
		return
	}
	if o.status() != "skipped" {
		return
	}
	s := "skipping: [localhost]"
	if d.verbosity > 0 {
		res := jinja.NewDict(o.res.Len())
		for k, v := range o.res.All() {
			if k != "results" {
				res.Set(k, v)
			}
		}
		s += " => " + d.dump(t, res, false, noLog)
	}
	d.line(s, colorSkip)
}

// retry writes the line of an attempt of a task with until that did not
// succeed yet: with its result for debug and from -vvv.
func (d *display) retry(t *task, name string, o outcome, left int, noLog bool) {
	s := fmt.Sprintf("FAILED - RETRYING: [localhost]: %s (%d retries left).", name, left)
	if o.verbose || d.verbosity > 2 {
		s += "Result was: " + jinja.JSON(d.shown(&task{kind: kindModule}, o.res, noLog), 4)
	}
	d.line(s, colorDebug)
}

// playBanner writes a play's banner.
func (d *display) playBanner(name string) {
	if name == "" {
		d.banner("PLAY")
		return
	}
	d.banner("PLAY [" + name + "]")
}

// diff writes a changed result's diff under --diff.
func (d *display) diff(res *jinja.Dict, noLog bool) {
	changed, _ := res.Get("changed")
	diff, _ := res.Get("diff")
	if !d.diffMode || noLog || !jinja.Truth(changed) || !jinja.Truth(diff) {
		return
	}
	text := renderDiff(diff)
	if text == "" {
		return
	}
	var b strings.Builder
	for _, l := range strings.SplitAfter(strings.TrimSuffix(text, "\n"), "\n") {
		body := strings.TrimSuffix(l, "\n")
		color := ""
		switch {
		case strings.HasPrefix(body, "+"):
			color = colorDiffAdd
		case strings.HasPrefix(body, "-"):
			color = colorDiffRemove
		case strings.HasPrefix(body, "@@"):
			color = colorDiffLines
		}
		b.WriteString(d.paint(body, color))
		b.WriteString("\n")
	}
	d.line(strings.TrimSuffix(b.String(), "\n"), "")
	d.line("", "")
}

// recap writes the PLAY RECAP, or with --json the summary object.
func (d *display) recap(s stats, dur time.Duration, code int) {
	if d.json {
		d.writeJSON(struct {
			Summary  stats   `json:"summary"`
			Duration float64 `json:"duration"`
			ExitCode int     `json:"exit_code"`
		}{s, seconds(dur), code})
		return
	}
	d.banner("PLAY RECAP")
	d.line(recapLine(s, d.color), "")
	d.line("", "")
}

// recapLine is Ansible's recap line for the host localhost.
func recapLine(s stats, color bool) string {
	host := fmt.Sprintf("%-26s", "localhost")
	if color {
		c := colorOK
		switch {
		case s.Failed > 0 || s.Unreachable > 0:
			c = colorError
		case s.Changed > 0:
			c = colorChanged
		}
		host = fmt.Sprintf("%-37s", stringc("localhost", c))
	}
	field := func(name string, n int, c string) string {
		f := fmt.Sprintf("%s=%-4s", name, strconv.Itoa(n))
		if color && n != 0 {
			f = stringc(f, c)
		}
		return f
	}
	return strings.Join([]string{
		host, ":",
		field("ok", s.OK, colorOK),
		field("changed", s.Changed, colorChanged),
		field("unreachable", s.Unreachable, colorUnreachable),
		field("failed", s.Failed, colorError),
		field("skipped", s.Skipped, colorSkip),
		field("rescued", s.Rescued, colorOK),
		field("ignored", s.Ignored, colorWarn),
	}, " ")
}

// A jsonTaskRecord is one task's object under --json.
type jsonTaskRecord struct {
	Play   string `json:"play"`
	Task   string `json:"task"`
	Module string `json:"module"`
	// Status is ok, changed, skipped or failed.
	Status string `json:"status"`
	// Ignored is set when the task failed and ignore_errors let the run
	// go on.
	Ignored bool `json:"ignored"`
	// Duration is in seconds.
	Duration float64        `json:"duration"`
	Result   map[string]any `json:"result"`
}

func seconds(d time.Duration) float64 {
	return float64(d.Round(time.Millisecond)) / float64(time.Second)
}

// jsonTask writes a task's object under --json: the registered result
// without internal keys, censored for no_log.
func (d *display) jsonTask(play, name, action string, o outcome, ignored, noLog bool, dur time.Duration) {
	if !d.json {
		return
	}
	res := map[string]any{}
	if noLog {
		res["censored"] = censored
		res["changed"] = o.changed()
		res["failed"] = o.failed()
	} else {
		for k, v := range o.res.All() {
			if !strings.HasPrefix(k, "_ansible_") {
				res[k] = jinja.Plain(v)
			}
		}
	}
	d.writeJSON(jsonTaskRecord{
		Play: play, Task: name, Module: action, Status: o.status(),
		Ignored: ignored, Duration: seconds(dur), Result: res,
	})
}

// writeJSON writes one object on one line. A value JSON cannot hold (a
// NaN from YAML) is written as its Python text.
func (d *display) writeJSON(v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		if rec, ok := v.(jsonTaskRecord); ok {
			rec.Result = jsonSafe(rec.Result).(map[string]any)
			buf.Reset()
			if err := enc.Encode(rec); err != nil {
				d.errorf("encode task result: %v", err)
				return
			}
		} else {
			d.errorf("encode summary: %v", err)
			return
		}
	}
	_, _ = d.out.Write(buf.Bytes())
}

// jsonSafe replaces the floats JSON cannot hold with their Python text.
func jsonSafe(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return jinja.Str(x) // inf, -inf or nan
		}
		return x
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonSafe(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonSafe(e)
		}
		return out
	}
	return v
}
