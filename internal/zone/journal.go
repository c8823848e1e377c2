package zone

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/zonemgr/zonemgr/internal/jsonv"
)

// journalVersion is the version of the journal format written. Journals
// without one (or older) were written before runs had ids and guards:
// gc does not replay them, it lists them for a look by hand.
const journalVersion = 2

// maxJournalSize bounds what is read of a journal file: a run writes a
// line per step, a few hundred bytes each.
const maxJournalSize = 16 << 20

// A Journal records, on disk, every step a run has started, with the
// command that undoes it and the guard that says when that undo still
// applies, before the step runs. A run that finishes (or undoes
// everything after a failure) removes its journal; a run that is killed
// leaves it, and gc replays it.
//
// The run holds an exclusive flock on its journal for as long as it
// lives, and the kernel releases it when the run dies: a journal whose
// lock can be taken belongs to a run that is gone. Nothing else (a PID,
// the file's age) decides that.
//
// The file is written by appending only: a header line (JournalHeader),
// then one JSON line per event: a step begun, a step undone, a recovery
// set. Each event is one write of a whole line, so a run killed in the
// middle of a write leaves at most a torn last line, which the reader
// passes over: that step had not started.
//
// All methods are safe on a nil *Journal, which records nothing.
type Journal struct {
	mu   sync.Mutex
	path string
	f    *os.File
	JournalHeader
	Entries []JournalEntry
}

// A JournalHeader is the first line of a journal.
type JournalHeader struct {
	Version int       `json:"version"`
	Op      string    `json:"op"`
	Zone    string    `json:"zone"`
	Run     string    `json:"run"`
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
	// Recover says how gc finishes the run's work instead of (or before)
	// undoing its steps: nil when undoing them is all there is.
	Recover *Recovery `json:"recover,omitempty"`
	// Discard is the mark of journals of the previous format; read only.
	Discard bool `json:"discard,omitempty"`
}

// A JournalEntry is one started step.
type JournalEntry struct {
	Step  int      `json:"step"`
	Do    string   `json:"do"`
	Undo  []string `json:"undo,omitempty"`
	Guard *Guard   `json:"guard,omitempty"`
	State string   `json:"state"` // "begun", "done" (in memory only), "undone"
}

// A Recovery is what gc does for a killed run besides undoing its steps:
// operations that cannot be undone half-way are finished instead.
type Recovery struct {
	// Kind is one of:
	//   destroy   destroy Zone while it is ZoneRun's (a disposable zone
	//             made for one run, a destroy that was under way); for
	//             an eviction (EvictBefore), only while eviction's own
	//             checks still pass, else the zone is kept
	//   rollback  finish rolling Zone back to Snapshot: destroy the
	//             newer snapshots the run planned to (Newer) and no
	//             other, roll back, then bring it to State
	//   unsnap    finish destroying Snapshot of Zone
	//   exec      a command run in an existing zone: halt it, roll it
	//             back to Snapshot when Discard (a snapshot taken since
	//             is never destroyed: it fails the rollback, and the
	//             journal stays), destroy Snapshot, and
	//             bring it to State; the run does the same itself when a
	//             step fails (before it undoes the steps before the
	//             recovery), and when the command has run (its finish,
	//             with Discard by the command's outcome)
	//   refresh   a golden zone's packages were being changed: after the
	//             undo commands (which remove a snapshot the run took),
	//             halt it, roll its boot environment back to Snapshot,
	//             which run Run took before it booted the zone, so that
	//             changes no snapshot holds are not kept, and destroy
	//             Snapshot while it is Run's; the run does the same itself
	//             when it fails. (Journals written before Run was recorded
	//             name the newest snapshot the boot environment had, which
	//             is rolled back to and kept.)
	Kind     string `json:"kind"`
	Zone     string `json:"zone"`
	ZoneRun  string `json:"zone_run"`
	Snapshot string `json:"snapshot,omitempty"`
	Force    bool   `json:"force,omitempty"`
	// Newer, for a rollback, are the snapshots newer than Snapshot that
	// the run planned to destroy, as the user agreed to (Force): each is
	// destroyed only while it is still the one planned.
	Newer   []PlannedSnapshot `json:"newer,omitempty"`
	Discard bool              `json:"discard,omitempty"`
	State   string            `json:"state,omitempty"`
	// Run is the run that took Snapshot, for a refresh.
	Run string `json:"run,omitempty"`
	// EvictBefore, for a destroy that evicts an unused golden zone made
	// on demand, is the last use the zone had to predate (RFC 3339).
	EvictBefore string `json:"evict_before,omitempty"`
	// Rolledback, for a refresh, is set when the journal records that
	// the zone was rolled back (by gc, or by the run itself when a step
	// failed) and Snapshot is about to go (a "rolledback" event): a
	// replay that then finds Snapshot gone has nothing left to do. Not
	// written with the recovery itself.
	Rolledback bool `json:"-"`
}

// selfFinished reports whether the run carries out the recovery itself
// when one of its steps fails, as gc would after a kill: the work it
// covers cannot be undone step by step.
func (r *Recovery) selfFinished() bool { return r.Kind == "refresh" || r.Kind == "exec" }

// journalEvent is one line after a journal's header.
type journalEvent struct {
	Step    *int      `json:"step,omitempty"`
	Do      string    `json:"do,omitempty"`
	Undo    []string  `json:"undo,omitempty"`
	Guard   *Guard    `json:"guard,omitempty"`
	State   string    `json:"state,omitempty"`
	Recover *Recovery `json:"recover,omitempty"`
	Discard bool      `json:"discard,omitempty"` // previous format
	// Finished marks a journal whose run completed (or undid all it
	// did) but whose file could not be removed: nothing is to replay.
	Finished bool `json:"finished,omitempty"`
	// Committed ends what came before it: the steps and the recovery
	// recorded so far are the user's now, and only what follows it is
	// replayed (see Step.Commit).
	Committed bool `json:"committed,omitempty"`
	// Rolledback: the refresh recovery's rollback was carried out (see
	// Recovery.Rolledback).
	Rolledback bool `json:"rolledback,omitempty"`
}

// journalFileName is a journal's file name: zone, operation and run id.
func journalFileName(zone, op, run string) string {
	return fmt.Sprintf("%s-%s-%s.json", zone, op, run)
}

// journalOps are the operations that keep journals (the journal() of
// each operation's type), which journalFileName puts between the zone
// and the run id.
var journalOps = []string{"diz", "exec", "giz", "giz-export", "giz-import", "giz-update", "snapshot"}

// namesZone reports whether a journal file's name is that of a journal
// of zone: "ZONE-OP-RUN.json" with OP one of journalOps.
func namesZone(base, zone string) bool {
	rest, ok := strings.CutPrefix(base, zone+"-")
	if !ok {
		return false
	}
	if rest, ok = strings.CutSuffix(rest, ".json"); !ok {
		return false
	}
	i := strings.LastIndexByte(rest, '-')
	return i > 0 && i < len(rest)-1 && slices.Contains(journalOps, rest[:i])
}

// NewJournal creates and locks the journal of one run of an operation on
// one zone in dir. The file is made under a temporary name, locked and
// given its header before it is renamed into place, so gc never meets a
// journal that is not locked by its run or has no header.
func NewJournal(dir, op, zone, run string, recover *Recovery) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if run == "" {
		run = newRunID()
	}
	j := &Journal{
		path:          filepath.Join(dir, journalFileName(zone, op, run)),
		JournalHeader: JournalHeader{Version: journalVersion, Op: op, Zone: zone, Run: run, PID: os.Getpid(), Started: time.Now().UTC(), Recover: recover},
	}
	tmp := filepath.Join(dir, "."+run+".new")
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	fail := func(err error) (*Journal, error) {
		f.Close()
		os.Remove(tmp)
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return fail(fmt.Errorf("journal %s: lock: %w", tmp, err))
	}
	j.f = f
	if err := j.append(j.JournalHeader); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, j.path); err != nil {
		return fail(fmt.Errorf("journal: %w", err))
	}
	// The journal's name is on disk before the run's first step: after a
	// power loss, gc finds every run whose steps may have taken effect.
	if err := syncDir(dir); err != nil {
		os.Remove(j.path)
		return fail(fmt.Errorf("journal %s: %w", j.path, err))
	}
	return j, nil
}

// markRolledback appends a "rolledback" event to a journal this process
// holds the lock of (gc's replayed one, or the run's own), by another
// open file (the lock is the holder's, not the descriptor's to write
// through), synced (see Recovery.Rolledback).
func markRolledback(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return fmt.Errorf("journal %s: %w", path, err)
	}
	defer f.Close()
	j := &Journal{path: path, f: f}
	return j.append(journalEvent{Rolledback: true})
}

// syncDirectory makes a directory's entries durable (fsync(3C) of the
// directory): a journal created, renamed or removed there stays so
// after a power loss.
func syncDirectory(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := syncFile(d); err != nil {
		if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) {
			// A file system that cannot sync a directory (fsync(3C):
			// EINVAL, ENOTSUP) makes its entries as durable as it can.
			return nil
		}
		return err // an *os.PathError: "sync DIR: ..."
	}
	return nil
}

// Path returns the journal's file name ("" for a nil journal).
func (j *Journal) Path() string {
	if j == nil {
		return ""
	}
	return j.path
}

// RunID returns the journal's run id ("" for a nil journal).
func (j *Journal) RunID() string {
	if j == nil {
		return ""
	}
	return j.Run
}

// Begin records that step n of the plan is about to run, with its undo
// and the undo's guard.
func (j *Journal) Begin(n int, s Step) error {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	e := JournalEntry{Step: n, Do: s.String(), Guard: s.Guard, State: "begun"}
	if s.Exec != nil {
		// The user's command line (and the values of its environment)
		// is not kept on disk: it has no undo, and gc needs none of it.
		e.Do = s.Why
	}
	if s.Undo != nil {
		e.Undo = s.Undo.Argv
	}
	j.Entries = append(j.Entries, e)
	return j.append(journalEvent{Step: &n, Do: e.Do, Undo: e.Undo, Guard: e.Guard, State: e.State})
}

// Done records that step n finished. It is kept in memory only: gc
// undoes a begun step and a done one alike (each undo's guard tells
// whether there is anything to undo), so a step costs one write.
func (j *Journal) Done(n int) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.mark(n, "begun", "done")
}

// Undone records that step n was undone, so that gc does not undo it
// again.
func (j *Journal) Undone(n int) error {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.mark(n, "done", "undone") && !j.mark(n, "begun", "undone") {
		return nil
	}
	return j.append(journalEvent{Step: &n, State: "undone"})
}

// SetRecovery records how gc finishes the run's work (see Recovery)
// should the run be killed from now on.
func (j *Journal) SetRecovery(r Recovery) error {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.Recover = &r
	return j.append(journalEvent{Recover: &r})
}

// mark moves the entry of step n from state from to state to, and
// reports whether there was one. The caller holds j.mu.
func (j *Journal) mark(n int, from, to string) bool {
	for i := len(j.Entries) - 1; i >= 0; i-- {
		if j.Entries[i].Step == n && j.Entries[i].State == from {
			j.Entries[i].State = to
			return true
		}
	}
	return false
}

// Finish removes the journal and releases its lock: the run completed or
// undid everything it did. A journal that cannot be removed is marked
// finished instead, so that gc never replays a run that ended well; when
// neither can be done the error says so and names the file, which gc
// would take for a killed run's.
func (j *Journal) Finish() error {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	// Removed before the lock is released: a gc that opened the file
	// and waits for its lock finds it gone (see lockJournal).
	var err error
	if rerr := removeFile(j.path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		if merr := j.append(journalEvent{Finished: true}); merr != nil {
			err = fmt.Errorf("journal %s: the run ended, but its journal could neither be removed (%v) nor marked finished (%v): remove it before zonemgr gc runs, or gc undoes the run", j.path, rerr, merr)
		}
	} else if serr := syncDir(filepath.Dir(j.path)); serr != nil {
		// A removal that is not on disk may be undone by a power
		// loss, and gc would then undo the run: it is marked finished
		// too (the file's data is synced with the mark).
		if merr := j.append(journalEvent{Finished: true}); merr != nil {
			err = fmt.Errorf("journal %s: the run ended and its journal was removed, but the removal could not be made durable (%v): should the host lose power before it is, remove the journal before zonemgr gc runs", j.path, serr)
		}
	}
	if j.f != nil {
		j.f.Close()
		j.f = nil
	}
	return err
}

// Commit records that what the run did so far is kept whatever becomes
// of it: gc neither undoes those steps nor carries out the recovery
// recorded, and replays only the steps journaled after it.
func (j *Journal) Commit() error {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.append(journalEvent{Committed: true}); err != nil {
		return err
	}
	j.Entries, j.Recover = nil, nil
	return nil
}

// removeFile removes a finished journal; tests replace it to make the
// removal fail.
var removeFile = os.Remove

// Release closes the journal and releases its lock, leaving the file: a
// run whose undo failed leaves its journal to gc, which may run in the
// same process (a play) and must find it released.
func (j *Journal) Release() {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f != nil {
		j.f.Close()
		j.f = nil
	}
}

// append writes v as one line of the journal file. The caller holds j.mu
// (or owns j alone).
func (j *Journal) append(v any) error {
	if j.f == nil {
		return fmt.Errorf("journal %s: not open", j.path)
	}
	b, err := jsonv.Marshal(v)
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	fi, err := j.f.Stat()
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if _, err := writeJournal(j.f, append(b, '\n')); err != nil {
		// A short write (a full disk) leaves a torn line, and the lines
		// written after it once there is room would make the journal
		// unreadable: it is cut back to the lines before.
		if terr := j.f.Truncate(fi.Size()); terr != nil {
			return fmt.Errorf("journal %s: %w; and cutting off the torn line failed: %v", j.path, err, terr)
		}
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	// On disk before the step it records runs: after a power loss gc
	// knows every step that may have taken effect (fsync(3C)).
	if err := syncFile(j.f); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	return nil
}

// writeJournal and syncFile write and fsync a journal file, and syncDir
// its directory; tests replace them to fail a write half-way and to count
// the syncs.
var (
	writeJournal = (*os.File).Write
	syncFile     = (*os.File).Sync
	syncDir      = syncDirectory
)

// parseJournal reads a journal's text: its header line, then its events.
// A last line without its newline is a write that a kill cut short and
// is passed over; any other line that does not parse makes the journal
// unreadable.
func parseJournal(path string, b []byte) (*Journal, error) {
	lines := strings.Split(string(b), "\n")
	if last := lines[len(lines)-1]; last != "" && !jsonv.Valid([]byte(last)) {
		lines = lines[:len(lines)-1]
	}
	j := &Journal{path: path}
	header := true
	for n, line := range lines {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if header {
			if err := jsonv.Unmarshal([]byte(line), &j.JournalHeader); err != nil {
				return nil, fmt.Errorf("journal %s: line %d: %w", path, n+1, err)
			}
			header = false
			continue
		}
		var ev journalEvent
		if err := jsonv.Unmarshal([]byte(line), &ev); err != nil {
			return nil, fmt.Errorf("journal %s: line %d: %w", path, n+1, err)
		}
		switch {
		case ev.Finished:
			// The run ended well; its file outlived it.
			j.Entries, j.Recover, j.Discard = nil, nil, false
		case ev.Committed:
			j.Entries, j.Recover, j.Discard = nil, nil, false
		case ev.Rolledback:
			if j.Recover != nil {
				j.Recover.Rolledback = true
			}
		case ev.Recover != nil:
			j.Recover = ev.Recover
		case ev.Discard:
			j.Discard = true
		case ev.State == "begun" && ev.Step != nil:
			j.Entries = append(j.Entries, JournalEntry{Step: *ev.Step, Do: ev.Do, Undo: ev.Undo, Guard: ev.Guard, State: ev.State})
		case ev.State == "begun":
			// The previous format: no step numbers.
			j.Entries = append(j.Entries, JournalEntry{Step: -1, Do: ev.Do, Undo: ev.Undo, State: ev.State})
		case ev.State == "undone" && ev.Step != nil:
			j.mark(*ev.Step, "begun", "undone")
		case ev.State == "undone":
			for i := len(j.Entries) - 1; i >= 0; i-- {
				if j.Entries[i].Do == ev.Do && j.Entries[i].State == "begun" {
					j.Entries[i].State = "undone"
					break
				}
			}
		default:
			return nil, fmt.Errorf("journal %s: line %d: unknown event %s", path, n+1, line)
		}
	}
	if header {
		return nil, fmt.Errorf("journal %s: empty", path)
	}
	return j, nil
}

// readJournal reads a journal file (bounded) without locking it.
func readJournal(path string) (*Journal, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readJournalFile(path, f)
}

func readJournalFile(path string, f *os.File) (*Journal, error) {
	b, err := io.ReadAll(io.LimitReader(f, maxJournalSize+1))
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	if len(b) > maxJournalSize {
		return nil, fmt.Errorf("journal %s: larger than %d bytes", path, maxJournalSize)
	}
	return parseJournal(path, b)
}

// A lockedJournal is a journal of a run that is gone, read under its
// lock, which the holder keeps until it is done with it (Close).
type lockedJournal struct {
	*Journal
	f   *os.File
	err error // the journal could not be read
}

// Close releases the lock.
func (l *lockedJournal) Close() {
	if l != nil && l.f != nil {
		l.f.Close()
		l.f = nil
	}
}

// Remove removes the journal file, then releases the lock.
func (l *lockedJournal) Remove() error {
	err := os.Remove(l.path)
	l.Close()
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}

// readerWaits and readerWait bound how long gc waits for readers of a
// killed run's journal to let go of it: 10 s.
const (
	readerWaits = 500
	readerWait  = 20 * time.Millisecond
)

// errJournalGone is returned by lockJournal for a journal removed since
// it was listed: its run finished.
var errJournalGone = errors.New("journal removed by its run")

// lockJournal opens a journal and tries to take its lock: exclusive to
// replay it (gc), shared to read it (listings, gc -n, the check of a
// zone's pending work). A run holds its journal's lock exclusive for its
// whole life, so a shared lock is refused only while the run lives, and
// readers do not make a killed run's journal look live to gc: gc, refused
// its exclusive lock, tries a shared one, and when that is granted (only
// readers hold it) waits a while for them to let go. When the run still
// holds the lock, live is true and nothing is returned. Otherwise the run
// is gone: the journal is returned locked, read (l.err says why it could
// not be read), until the caller closes it.
func lockJournal(path string, exclusive bool) (l *lockedJournal, live bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NOFOLLOW, 0)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, false, errJournalGone
		}
		return nil, false, err
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	err = syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
	if err == syscall.EWOULDBLOCK && exclusive && syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB) == nil {
		// Only readers hold it, for as long as a listing takes.
		for range readerWaits {
			if err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != syscall.EWOULDBLOCK {
				break
			}
			time.Sleep(readerWait)
		}
	}
	if err != nil {
		f.Close()
		if err == syscall.EWOULDBLOCK {
			return nil, true, nil
		}
		return nil, false, fmt.Errorf("journal %s: lock: %w", path, err)
	}
	// The run may have removed the file between the open and the lock.
	fi, err1 := f.Stat()
	pi, err2 := os.Lstat(path)
	if err1 != nil || err2 != nil || !os.SameFile(fi, pi) {
		f.Close()
		return nil, false, errJournalGone
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, false, fmt.Errorf("journal %s: not a regular file", path)
	}
	// gc runs a journal's undo commands with zonemgr's privileges: one
	// another user could have written is not read.
	dir := filepath.Dir(path)
	di, err := os.Stat(dir)
	if err != nil {
		f.Close()
		return nil, false, fmt.Errorf("journal %s: %w", path, err)
	}
	if why := othersMayChange(fi, di, dir); why != "" {
		f.Close()
		return nil, false, fmt.Errorf("journal %s: %s: not trusted, as gc would run the undo commands it holds", path, why)
	}
	l = &lockedJournal{f: f}
	j, rerr := readJournalFile(path, f)
	if rerr != nil {
		l.Journal, l.err = &Journal{path: path}, rerr
		return l, false, nil
	}
	l.Journal = j
	return l, false, nil
}

// journalPaths lists the journal files in dir, sorted.
func journalPaths(dir string) ([]string, error) {
	// The names are sorted below: os.ReadDir would sort them first, with
	// a sort of its own that every module binary would carry.
	d, err := os.Open(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("read journals: %w", err)
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return nil, fmt.Errorf("read journals: %w", err)
	}
	var out []string
	for _, name := range names {
		if strings.HasSuffix(name, ".json") && !strings.HasPrefix(name, ".") {
			out = append(out, filepath.Join(dir, name))
		}
	}
	sort.Strings(out)
	return out, nil
}

// A journalScan is what the journal directory holds: the journals of
// runs that are gone (locked by the scan until Close) and of live runs.
type journalScan struct {
	dead []*lockedJournal
	live []*Journal
}

// scanJournals reads every journal in dir. Dead runs' journals come
// newest first.
func scanJournals(dir string, exclusive bool) (*journalScan, error) {
	paths, err := journalPaths(dir)
	if err != nil {
		return nil, err
	}
	s := &journalScan{}
	for _, p := range paths {
		l, live, err := lockJournal(p, exclusive)
		switch {
		case errors.Is(err, errJournalGone):
			continue
		case err != nil:
			// One journal that cannot be opened or locked (a link, a
			// directory, no permission, a lock error) is reported as
			// unreadable, and the others are still replayed.
			s.dead = append(s.dead, &lockedJournal{Journal: &Journal{path: p}, err: err})
			continue
		case live:
			// Read without the lock: the header and the steps begun
			// so far are enough to tell what the run works on.
			if j, err := readJournal(p); err == nil {
				s.live = append(s.live, j)
			}
			continue
		}
		s.dead = append(s.dead, l)
	}
	sort.SliceStable(s.dead, func(a, b int) bool { return s.dead[a].Started.After(s.dead[b].Started) })
	return s, nil
}

// Close releases the dead journals' locks.
func (s *journalScan) Close() {
	if s == nil {
		return
	}
	for _, l := range s.dead {
		l.Close()
	}
}
