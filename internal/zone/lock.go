package zone

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// ErrLocked is returned by the non-waiting lock calls when another
// operation holds the lock.
var ErrLocked = errors.New("another zonemgr operation holds its lock")

// gcLockName is the lock gc runs under. A zone name never starts with a
// dot, so it cannot meet a zone's own lock.
const gcLockName = ".gc"

// Locks are flock(2) locks on files under /var/run/zonemgr/locks: the
// kernel releases them when the process holding them dies, so a lock
// that can be taken proves that nobody works on what it guards. On
// illumos, flock is libc's emulation over OFD locks (fcntl
// F_OFD_SETLK), which are also released at the last close; a write lock
// there needs the file open for writing, hence O_RDWR.

// LockZoneShared takes the per-zone lock shared, waiting until ctx is
// done. Any number of shared holders coexist; an exclusive holder
// (LockZone) waits for them all, and they for it. Disposable zones being
// cloned hold their golden zone's lock shared, so that a golden zone is
// not booted for a refresh while it is being cloned.
//
// The zone's lock is taken shared to use the zone as it is: to clone or
// export it. A killed run's work left on it (a creation, whose undo gc
// will carry out) is refused as pendingWork refuses it to an operation
// on the zone; a journal of the zone whose lock is held is another
// shared holder's (an export's) and does not count.
func (h *Host) LockZoneShared(ctx context.Context, zone string) (*ZoneLock, error) {
	lk, err := h.lockFile(ctx, "zone "+zone, zone+".lock", syscall.LOCK_SH, true)
	if err != nil {
		return nil, err
	}
	if err := h.pendingWork(zone, true); err != nil {
		lk.Unlock()
		return nil, err
	}
	return lk, nil
}

// TryLockZone takes the per-zone lock exclusively only when it is free;
// otherwise it returns an error wrapping ErrLocked at once.
func (h *Host) TryLockZone(zone string) (*ZoneLock, error) {
	return h.lockFile(context.Background(), "zone "+zone, zone+".lock", syscall.LOCK_EX, false)
}

// lockFile takes one lock file, shared or exclusive, polling until ctx is
// done when wait is set. what names the lock in errors.
func (h *Host) lockFile(ctx context.Context, what, name string, how int, wait bool) (*ZoneLock, error) {
	// Locks are run-time state: /var/run is a tmpfs on illumos, emptied
	// at boot, when no operation can still hold one.
	p := filepath.Join(h.path("/var/run/zonemgr/locks"), name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, fmt.Errorf("lock %s: %w", what, err)
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", what, err)
	}
	interval := 20 * time.Millisecond
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err == nil {
			return &ZoneLock{f: f}, nil
		}
		if err != syscall.EWOULDBLOCK && err != syscall.EINTR {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", what, err)
		}
		if !wait {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", what, ErrLocked)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("lock %s: %w: %w", what, ErrLocked, ctx.Err())
		case <-time.After(interval):
		}
		if interval < 200*time.Millisecond {
			interval *= 2
		}
	}
}

// datasetLockName is the lock file of a dataset: its name with '%' and
// '/' escaped, under ds/.
func datasetLockName(ds string) string {
	return "ds/" + strings.NewReplacer("%", "%25", "/", "%2F").Replace(ds) + ".lock"
}

// DatasetLocks are the locks one operation holds on datasets outside
// its own zone's tree: the datasets it delegates and the parents they
// need. An operation that makes a zone use such a dataset holds its lock
// shared from before it looks at the dataset until the zone's
// configuration names it; whoever destroys such a dataset (a zone's
// destroy, gc, an undo) holds it exclusively and looks again, so a
// dataset is never destroyed under a zone that is about to use it.
type DatasetLocks struct {
	h     *Host
	locks map[string]*ZoneLock
}

// lockDatasetsShared takes the shared locks of the datasets and of all
// their ancestors below the pool, in name order (so that two operations
// never wait for each other in a circle), waiting until ctx is done.
func (h *Host) lockDatasetsShared(ctx context.Context, datasets []string) (*DatasetLocks, error) {
	l := &DatasetLocks{h: h, locks: map[string]*ZoneLock{}}
	var names []string
	for _, d := range datasets {
		parts := strings.Split(d, "/")
		for i := 2; i <= len(parts); i++ {
			names = append(names, strings.Join(parts[:i], "/"))
		}
	}
	slices.Sort(names)
	for _, n := range slices.Compact(names) {
		lk, err := h.lockFile(ctx, "dataset "+n, datasetLockName(n), syscall.LOCK_SH, true)
		if err != nil {
			l.Unlock()
			return nil, err
		}
		l.locks[n] = lk
	}
	return l, nil
}

// lockDatasetExclusive takes one dataset's lock exclusively, waiting
// until ctx is done when wait is set. A shared lock this operation holds
// on the dataset is released first: a lock cannot be upgraded in place
// without the kernel dropping it in between anyway.
func (h *Host) lockDatasetExclusive(ctx context.Context, held *DatasetLocks, ds string, wait bool) (*ZoneLock, error) {
	held.release(ds)
	return h.lockFile(ctx, "dataset "+ds, datasetLockName(ds), syscall.LOCK_EX, wait)
}

// release drops the lock held on one dataset, if any.
func (l *DatasetLocks) release(ds string) {
	if l == nil {
		return
	}
	if lk := l.locks[ds]; lk != nil {
		lk.Unlock()
		delete(l.locks, ds)
	}
}

// Unlock releases every lock held. Safe on nil.
func (l *DatasetLocks) Unlock() {
	if l == nil {
		return
	}
	for n, lk := range l.locks {
		lk.Unlock()
		delete(l.locks, n)
	}
}

// claimName generates an unused zone name and takes its lock, which the
// lock set holds from then on. Runs in
// parallel that read the world at the same time may draw the same name:
// the lock decides, and a name whose configuration appeared since the
// world was read is drawn again.
func (l *lockSet) claimName(prefix, hash string, w *World) (string, error) {
	taken := func(n string) bool { _, ok := w.Zones[n]; return ok }
	for i := 0; i < 20; i++ {
		name, err := GenerateName(prefix, hash, taken)
		if err != nil {
			return "", err
		}
		lock, err := l.try(name)
		if errors.Is(err, ErrLocked) {
			continue
		}
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(l.h.path("/etc/zones/" + name + ".xml")); err == nil {
			lock.Unlock()
			delete(l.zones, name)
			continue
		}
		return name, nil
	}
	return "", fmt.Errorf("could not claim an unused zone name with prefix %q", prefix)
}
