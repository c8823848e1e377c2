package zone

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zfs"
)

// The front doors (the module binaries, zonemgr and its plays) reach the
// global zone's commands only through this package: Connect builds the
// runner a call's host uses, and the names below give them what they
// need of internal/illumos without importing it.

// A CommandRecord is one command a call ran, as its transcript has it:
// the argv, the exit code, when it started and how long it took.
type CommandRecord = illumos.TranscriptEntry

// A Transcript is the record of every command one call ran.
type Transcript = illumos.Transcript

// ValidZoneName checks a zone name as zonecfg does.
func ValidZoneName(name string) error { return illumos.ValidZoneName(name) }

// Elevate re-executes the running program once with privileges (pfexec,
// sudo, as ELEVATE_CMD says) when it is not root; see illumos.Elevate.
func Elevate(argv, env []string) (reexec bool, err error) { return illumos.Elevate(argv, env) }

// Connect returns the host of one call on the global zone rooted at
// root: its runner finds commands through the tools' search path,
// records each command in the returned transcript (passing it to
// onCommand as it ends, when set), refuses every mutating command in
// check mode (so a plan that would mutate cannot pass unnoticed), and
// records beside its own the commands a registered zfs library (go-zfs,
// in the zonemgr command) starts itself. The host is
// privileged when this process holds all privileges itself (see
// illumos.Privileged).
func Connect(root string, s Settings, check bool, onCommand func(CommandRecord), stdout, stderr io.Writer) (*Host, *Transcript) {
	t := illumos.NewTranscript(onCommand)
	var r illumos.Runner = &illumos.Exec{Tools: illumos.NewTools(os.Environ())}
	r = illumos.Record(r, t)
	if check {
		r = illumos.ReadOnly(r)
	}
	r = zfs.WithRecorder(r, t)
	return &Host{Runner: r, Settings: s, Root: root, Stdout: stdout, Stderr: stderr, CheckMode: check,
		Privileged: illumos.Privileged(os.Geteuid(), os.Environ())}, t
}

// SpawnModule runs a module in a process of its own, as Ansible runs a
// module's binary: this program as "zonemgr module ARGV..." with the
// module's args on its standard input and env as its whole environment
// (zonemgr play, for a task with an environment, which this process's
// own environment must never take). It returns what the module printed
// and its exit status.
func SpawnModule(ctx context.Context, argv []string, args []byte, env []string) ([]byte, int, error) {
	out, code, err := illumos.RunSelf(ctx, append([]string{"module"}, argv...), args, env)
	if err != nil {
		return nil, 0, fmt.Errorf("run module %s in a process of its own: %w", argv[len(argv)-1], err)
	}
	return out, code, nil
}
