package cli

// Output rules of the zonemgr command line, enforced here:
//
//   - stdout carries data only: zone and snapshot names, states, listings,
//     the plan of a dry run, or with --json exactly one JSON object. So
//     `zonemgr -q list-diz` and `NAME=$(zonemgr -q create-diz -c GIZ)`
//     read cleanly.
//   - Everything else goes to stderr, prefixed "zonemgr: ": errors as
//     "zonemgr: error: ", warnings as "zonemgr: warning: ", advice as
//     "zonemgr: hint: ", the commands run as "zonemgr: trace: " and module
//     calls as "zonemgr: debug: ". Messages start lowercase and end
//     without a period.
//   - The message level (-d N, -q, -Q, ZONEMGR_DEBUG) picks what stderr
//     shows: 1 errors, 2 warnings, 3 information (the default), 4 every
//     command run, 5 every module call; 0 shows nothing. Usage errors are
//     shown at every level.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/zonemgr/zonemgr/internal/zone"
)

// Message levels, as ZONEMGR_DEBUGLEVEL_* of the original script.
const (
	levelSilent = 0
	levelError  = 1
	levelWarn   = 2
	levelInfo   = 3
	levelTrace  = 4
	levelDebug  = 5
)

// defaultLevel reads ZONEMGR_DEBUG as the original did: a number, or
// yes/on/true for everything (99), no/off/false for warnings (2); unset
// or unreadable, information (3).
func defaultLevel(v string) int {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "yes", "on", "true":
		return 99
	case "no", "off", "false":
		return levelWarn
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= -1 {
		return n
	}
	return levelInfo
}

// A printer writes data to stdout and leveled messages to stderr.
type printer struct {
	stdout, stderr io.Writer
	level          int
	// jsonFailures: --json was asked for, so a failure found before any
	// verb runs (a usage error, a bad configuration) is also printed as
	// the one JSON object a result is.
	jsonFailures bool
}

// message writes one message, each of its lines with the prefix.
func (p *printer) message(min int, prefix, format string, a ...any) {
	if p.level < min {
		return
	}
	text := strings.TrimRight(fmt.Sprintf(format, a...), "\n")
	for _, line := range strings.Split(text, "\n") {
		fmt.Fprintf(p.stderr, "zonemgr: %s%s\n", prefix, line)
	}
}

func (p *printer) errorf(format string, a ...any) { p.message(levelError, "error: ", format, a...) }
func (p *printer) hintf(format string, a ...any)  { p.message(levelError, "hint: ", format, a...) }
func (p *printer) warnf(format string, a ...any)  { p.message(levelWarn, "warning: ", format, a...) }
func (p *printer) infof(format string, a ...any)  { p.message(levelInfo, "", format, a...) }
func (p *printer) tracef(format string, a ...any) { p.message(levelTrace, "trace: ", format, a...) }
func (p *printer) debugf(format string, a ...any) { p.message(levelDebug, "debug: ", format, a...) }

// command shows one command a module ran (the modules' OnCommand).
func (p *printer) command(e zone.CommandRecord) { p.tracef("%s", e.String()) }

// usage reports a usage error whatever the level.
func (p *printer) usage(e *usageError) {
	p.failureJSON(e.msg)
	fmt.Fprintf(p.stderr, "zonemgr: error: %s\n", e.msg)
	for _, h := range e.hints {
		fmt.Fprintf(p.stderr, "zonemgr: hint: %s\n", h)
	}
}

// failureJSON prints a failure found before any verb runs as a failed
// result, when --json was asked for.
func (p *printer) failureJSON(msg string) {
	if p.jsonFailures {
		p.json(map[string]any{"changed": false, "failed": true, "msg": msg})
	}
}

// wantsJSON reports whether a command line asks for --json, for the
// failures found while it is parsed: the last --json or --json=BOOL
// before a "--" decides, as it does once it is parsed.
func wantsJSON(args []string) bool {
	on := false
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "--json" {
			on = true
		} else if v, ok := strings.CutPrefix(a, "--json="); ok {
			if b, err := strconv.ParseBool(v); err == nil {
				on = b
			}
		}
	}
	return on
}

// data writes lines of data to stdout.
func (p *printer) data(lines ...string) {
	for _, l := range lines {
		fmt.Fprintln(p.stdout, l)
	}
}

// json writes v to stdout as one indented JSON object.
func (p *printer) json(v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		p.errorf("encode result: %v", err)
		return
	}
	_, _ = p.stdout.Write(buf.Bytes())
}
