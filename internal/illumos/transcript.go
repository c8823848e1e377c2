package illumos

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// A TranscriptEntry is one command a runner ran (or refused to run).
type TranscriptEntry struct {
	// Argv is the command line as QuoteArgv renders it, or argv[0]
	// followed by "<arguments hidden>" for a Secret command.
	Argv     string        `json:"argv"`
	ExitCode int           `json:"rc"`
	Start    time.Time     `json:"start"`
	Duration time.Duration `json:"duration_ns"`
	// Mutating reports whether IsMutating classifies the command as one
	// that changes the system.
	Mutating bool `json:"mutating"`
	// Err is the runner's error text when the command did not run to a
	// zero exit status.
	Err string `json:"error,omitempty"`
}

// String renders the entry as one line for -v output.
func (e TranscriptEntry) String() string {
	kind := "read"
	if e.Mutating {
		kind = "change"
	}
	s := fmt.Sprintf("+ %s  [%s, rc=%d, %s]", e.Argv, kind, e.ExitCode, e.Duration.Round(time.Millisecond))
	if e.Err != "" && e.ExitCode == -1 {
		s += ": " + e.Err
	}
	return s
}

// A Transcript is the record of every command run through a runner, for
// -v output, result JSON, tests and benchmarks. It is safe for concurrent use; the
// zero value is ready and prints nothing.
type Transcript struct {
	mu      sync.Mutex
	entries []TranscriptEntry
	live    func(TranscriptEntry)
}

// NewTranscript returns a Transcript that also passes each entry, as it is
// added, to live (nil for none). Calls to live are serialised.
func NewTranscript(live func(TranscriptEntry)) *Transcript {
	return &Transcript{live: live}
}

// Add records an entry.
func (t *Transcript) Add(e TranscriptEntry) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.entries = append(t.entries, e)
	if t.live != nil {
		t.live(e)
	}
}

// Entries returns a copy of the entries recorded so far, oldest first.
func (t *Transcript) Entries() []TranscriptEntry {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]TranscriptEntry(nil), t.entries...)
}

// Mutating returns the recorded entries IsMutating classifies as changes.
func (t *Transcript) Mutating() []TranscriptEntry {
	var out []TranscriptEntry
	for _, e := range t.Entries() {
		if e.Mutating {
			out = append(out, e)
		}
	}
	return out
}

func newEntry(c Cmd, start time.Time, res Result, err error) TranscriptEntry {
	e := TranscriptEntry{
		Argv:     c.String(),
		ExitCode: res.ExitCode,
		Start:    start,
		Duration: res.Elapsed,
		Mutating: IsMutating(c.Argv),
	}
	if err != nil {
		e.Err = err.Error()
	}
	return e
}

// Record returns a Runner that runs commands through r and records each one
// in t.
func Record(r Runner, t *Transcript) Runner {
	return &recorder{next: r, t: t}
}

type recorder struct {
	next Runner
	t    *Transcript
}

func (r *recorder) Run(ctx context.Context, c Cmd) (Result, error) {
	start := time.Now()
	res, err := r.next.Run(ctx, c)
	if res.Elapsed == 0 {
		res.Elapsed = time.Since(start)
	}
	r.t.Add(newEntry(c, start, res, err))
	return res, err
}

func (r *recorder) unwrapRunner() Runner { return r.next }
