// Package illumos owns every process zonemgr starts on an illumos global
// zone (zonecfg, zoneadm, zlogin, dladm, pkg, svcs), the one command runner
// they all go through, and the parsers of those tools' output.
//
// A command is always an argv, never a shell string. The user's own build
// command reaches a shell only inside a zone, as the single argument zlogin
// expects.
package illumos

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// A Cmd is one command to run: an argv and optional standard input.
type Cmd struct {
	Argv  []string
	Stdin []byte
	// StdinFrom, when Stdin is nil, is read for the command's standard
	// input as the command reads it.
	StdinFrom io.Reader `json:"-"`
	// StdinFile, when Stdin and StdinFrom are nil, is a section of a file
	// the command reads as its standard input as it needs it (a golden
	// image's stream, too large to hold in memory). The runner opens it
	// when the command starts and checks the section's SHA-256 as it is
	// read: a file changed since it was checked fails the command.
	StdinFile *FileSection `json:"stdin_file,omitempty"`
	// Stdout and Stderr, when set, receive the command's output as it is
	// produced (zlogin streaming a build's output live). The Result still
	// holds the output, bounded by the runner.
	Stdout io.Writer `json:"-"`
	Stderr io.Writer `json:"-"`
	// Env holds extra KEY=VALUE entries for this command only.
	Env []string `json:"env,omitempty"`
	// Timeout, when positive, bounds this command: it is stopped
	// (SIGTERM, then SIGKILL) when the timeout passes.
	Timeout time.Duration `json:"-"`
	// Secret hides the argument values from transcripts and errors
	// (accounts' shadow lines, for example).
	Secret bool `json:"-"`
	// ZoneStatus marks a zlogin command whose exit status is to be the
	// command's own in the zone, which zlogin's is not (see
	// zonestatus.go): the runner runs it under a wrapper that reports
	// it. Argv stays what the command is; the wrapper is the runner's.
	ZoneStatus bool `json:"-"`
}

// A FileSection is a part of a file: Size bytes from Offset, whose
// SHA-256 (hex), when set, must be SHA256.
type FileSection struct {
	Path   string `json:"path"`
	Offset int64  `json:"offset"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256,omitempty"`
}

// String renders the argv for logs and error messages, quoting arguments
// that contain white space or shell metacharacters.
func (c Cmd) String() string {
	if c.Secret && len(c.Argv) > 0 {
		return c.Argv[0] + " <arguments hidden>"
	}
	return QuoteArgv(c.Argv)
}

// QuoteArgv joins an argv for display, single-quoting arguments that a
// shell would split or expand.
func QuoteArgv(argv []string) string {
	parts := make([]string, len(argv))
	for i, a := range argv {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`;&|<>()*?[]{}!#~") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts[i] = a
	}
	return strings.Join(parts, " ")
}

// A Result is what a finished command produced.
type Result struct {
	Stdout   []byte
	Stderr   []byte
	ExitCode int
	Elapsed  time.Duration
}

// A Runner runs commands. Run returns a *CommandError when the command ran
// and exited non-zero, and another error when it could not be run at all.
// The Result is filled in both cases as far as it is known.
type Runner interface {
	Run(ctx context.Context, c Cmd) (Result, error)
}

// A CommandError is a command that exited with a non-zero status:
// the tail of what it wrote to standard error, and of its standard
// output, which the message shows when standard error is empty (pkg
// prints some of its refusals there: src/client.py msg()).
type CommandError struct {
	Cmd      Cmd
	ExitCode int
	Stderr   string
	Stdout   string
}

func (e *CommandError) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if msg == "" {
		msg = strings.TrimSpace(e.Stdout)
	}
	if msg == "" {
		return fmt.Sprintf("%s: exit status %d", e.Cmd, e.ExitCode)
	}
	return fmt.Sprintf("%s: exit status %d: %s", e.Cmd, e.ExitCode, msg)
}
