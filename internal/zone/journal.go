package zone

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A Journal records, on disk, the undo command of every step a plan has
// started, before the step runs. A run that finishes (or undoes everything
// after a failure) removes its journal; a run that is killed leaves it
// behind, so the leftovers can be found and removed later.
//
// The file is written by appending only: a first line holding the
// journal's header (a JSON object: op, zone, pid, start, and any entries
// it was made with), then one JSON line per event: a step begun, a step
// undone, the journal adopted for a disposable zone. Each event is one
// write of a whole line, so a step costs one small write, and a run
// killed in the middle of a write leaves at most a torn last line, which
// the reader passes over: that step had not started.
//
// All methods are safe on a nil *Journal, which records nothing.
type Journal struct {
	mu      sync.Mutex
	path    string
	f       *os.File
	Op      string         `json:"op"`
	Zone    string         `json:"zone"`
	PID     int            `json:"pid"`
	Started time.Time      `json:"started"`
	Entries []JournalEntry `json:"entries"`
	// Discard marks the journal of a zone made for one run (exec-diz):
	// when the run is killed, gc destroys the zone whole. Such a journal
	// outlives its plan's success and is finished by the run itself.
	Discard bool `json:"discard,omitempty"`
	keep    bool
}

// A JournalEntry is one started step.
type JournalEntry struct {
	Do    string   `json:"do"`
	Undo  []string `json:"undo,omitempty"`
	State string   `json:"state"` // "begun", "done", "undone"
}

// A journalEvent is one line after a journal's header: a step begun
// (State "begun", with its undo), a step undone (State "undone"), or the
// journal adopted for a disposable zone (Discard).
type journalEvent struct {
	Do      string   `json:"do,omitempty"`
	Undo    []string `json:"undo,omitempty"`
	State   string   `json:"state,omitempty"`
	Discard bool     `json:"discard,omitempty"`
}

// NewJournal creates the journal file of one operation on one zone in dir.
func NewJournal(dir, op, zone string) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	now := time.Now().UTC()
	j := &Journal{
		path:    filepath.Join(dir, fmt.Sprintf("%s-%s-%d-%d.json", zone, op, os.Getpid(), now.UnixNano())),
		Op:      op,
		Zone:    zone,
		PID:     os.Getpid(),
		Started: now,
	}
	f, err := os.OpenFile(j.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	j.f = f
	if err := j.append(j); err != nil {
		f.Close()
		os.Remove(j.path)
		return nil, err
	}
	return j, nil
}

// Path returns the journal's file name ("" for a nil journal).
func (j *Journal) Path() string {
	if j == nil {
		return ""
	}
	return j.path
}

// Begin records that a step is about to run.
func (j *Journal) Begin(s Step) error {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	e := JournalEntry{Do: s.String(), State: "begun"}
	if s.Undo != nil {
		e.Undo = s.Undo.Argv
	}
	j.Entries = append(j.Entries, e)
	return j.append(journalEvent{Do: e.Do, Undo: e.Undo, State: e.State})
}

// Done records that the last begun step finished. It is kept in memory
// only: gc undoes a begun step and a done one alike, so the file need not
// tell them apart, and a step costs one write.
func (j *Journal) Done(s Step) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.mark(s.String(), "begun", "done")
}

// Undone records that a done step was undone, so that gc does not undo
// it again.
func (j *Journal) Undone(s Step) error {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.mark(s.String(), "done", "undone") {
		return nil
	}
	return j.append(journalEvent{Do: s.String(), State: "undone"})
}

// adopt marks the journal as a disposable zone's (see Discard) and keeps
// it beyond its plan's success.
func (j *Journal) adopt() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.Discard, j.keep = true, true
	return j.append(journalEvent{Discard: true})
}

// mark moves the newest entry for step do from state from to state to,
// and reports whether there was one. The caller holds j.mu.
func (j *Journal) mark(do, from, to string) bool {
	for i := len(j.Entries) - 1; i >= 0; i-- {
		if j.Entries[i].Do == do && j.Entries[i].State == from {
			j.Entries[i].State = to
			return true
		}
	}
	return false
}

// completed is called when every step of the plan ran: it removes the
// journal, unless the run keeps it until it has disposed of the zone.
func (j *Journal) completed() {
	if j == nil || j.keep {
		return
	}
	j.Finish()
}

// Finish removes the journal: the operation completed or was fully undone.
func (j *Journal) Finish() {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f != nil {
		j.f.Close()
		j.f = nil
	}
	os.Remove(j.path)
}

// append writes v as one line of the journal file. The caller holds j.mu
// (or owns j alone).
func (j *Journal) append(v any) error {
	if j.f == nil {
		return fmt.Errorf("journal %s: not open", j.path)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}

// readJournal reads a journal file: its header line, then its events. A
// last line without its newline is a write that a kill cut short and is
// passed over; any other line that does not parse makes the journal
// unreadable.
func readJournal(path string) (*Journal, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(b), "\n")
	if last := lines[len(lines)-1]; last != "" {
		// A torn last line, or a journal written whole without a
		// newline: keep it only if it parses.
		if !json.Valid([]byte(last)) {
			lines = lines[:len(lines)-1]
		}
	}
	j := &Journal{path: path}
	header := true
	for n, line := range lines {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if header {
			if err := json.Unmarshal([]byte(line), j); err != nil {
				return nil, fmt.Errorf("journal %s: line %d: %w", path, n+1, err)
			}
			header = false
			continue
		}
		var ev journalEvent
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			return nil, fmt.Errorf("journal %s: line %d: %w", path, n+1, err)
		}
		switch {
		case ev.Discard:
			j.Discard = true
		case ev.State == "begun":
			j.Entries = append(j.Entries, JournalEntry{Do: ev.Do, Undo: ev.Undo, State: ev.State})
		case ev.State == "undone":
			// The file never says "done" (see Done): an undone step is
			// one begun.
			j.mark(ev.Do, "begun", "undone")
		default:
			return nil, fmt.Errorf("journal %s: line %d: unknown event %s", path, n+1, line)
		}
	}
	if header {
		return nil, fmt.Errorf("journal %s: empty", path)
	}
	j.path = path
	return j, nil
}

// listJournals returns the journals in dir whose process is gone (runs
// that were killed before they finished or undid their work), and those
// that cannot be read.
func listJournals(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return []string{}, nil
		}
		return nil, err
	}
	out := []string{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		j, err := readJournal(p)
		if err == nil && j.PID > 0 && syscall.Kill(j.PID, 0) == nil {
			continue // still running
		}
		// An unreadable journal is listed too, for a look by hand.
		out = append(out, p)
	}
	return out, nil
}
