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
// All methods are safe on a nil *Journal, which records nothing.
type Journal struct {
	mu      sync.Mutex
	path    string
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
	return j, j.write()
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
	return j.write()
}

// Done records that the last begun step finished.
func (j *Journal) Done(s Step) { j.mark(s, "begun", "done") }

// Undone records that a done step was undone.
func (j *Journal) Undone(s Step) { j.mark(s, "done", "undone") }

func (j *Journal) mark(s Step, from, to string) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for i := len(j.Entries) - 1; i >= 0; i-- {
		if j.Entries[i].Do == s.String() && j.Entries[i].State == from {
			j.Entries[i].State = to
			j.write()
			return
		}
	}
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
	os.Remove(j.path)
}

func (j *Journal) write() error {
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	tmp := j.path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, j.path)
}

// listJournals returns the journals in dir whose process is gone: runs
// that were killed before they finished or undid their work.
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
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		var j Journal
		if json.Unmarshal(b, &j) != nil {
			continue
		}
		if j.PID > 0 && syscall.Kill(j.PID, 0) == nil {
			continue // still running
		}
		out = append(out, filepath.Join(dir, e.Name()))
	}
	return out, nil
}
