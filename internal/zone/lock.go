package zone

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// ErrLocked is returned by TryLockZone when another operation holds the
// zone's lock.
var ErrLocked = errors.New("another zonemgr operation holds its lock")

// gcLockName is the lock gc runs under. A zone name never starts with a
// dot, so it cannot meet a zone's own lock.
const gcLockName = ".gc"

// LockZoneShared takes the per-zone lock shared, waiting until ctx is
// done. Any number of shared holders coexist; an exclusive holder
// (LockZone) waits for them all, and they for it. Disposable zones being
// cloned hold their golden zone's lock shared, so that a golden zone is
// not booted for a refresh while it is being cloned.
func (h *Host) LockZoneShared(ctx context.Context, zone string) (*ZoneLock, error) {
	return h.lockZone(ctx, zone, syscall.LOCK_SH, true)
}

// TryLockZone takes the per-zone lock exclusively only when it is free;
// otherwise it returns an error wrapping ErrLocked at once.
func (h *Host) TryLockZone(zone string) (*ZoneLock, error) {
	return h.lockZone(context.Background(), zone, syscall.LOCK_EX, false)
}

// lockZone takes the lock file of one zone with flock, as shared or
// exclusive, polling until ctx is done when wait is set.
func (h *Host) lockZone(ctx context.Context, zone string, how int, wait bool) (*ZoneLock, error) {
	if h.CheckMode {
		return &ZoneLock{}, nil
	}
	// Locks are run-time state: /var/run is a tmpfs on illumos, emptied
	// at boot, when no operation can still hold one.
	dir := h.path("/var/run/zonemgr/locks")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("lock zone %s: %w", zone, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, zone+".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock zone %s: %w", zone, err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err == nil {
			return &ZoneLock{f: f}, nil
		}
		if err != syscall.EWOULDBLOCK && err != syscall.EINTR {
			f.Close()
			return nil, fmt.Errorf("lock zone %s: %w", zone, err)
		}
		if !wait {
			f.Close()
			return nil, fmt.Errorf("lock zone %s: %w", zone, ErrLocked)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("lock zone %s: %w: %w", zone, ErrLocked, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// claimName generates an unused zone name and takes its lock. Runs in
// parallel that read the world at the same time may draw the same name:
// the lock decides, and a name whose configuration appeared since the
// world was read is drawn again.
func (h *Host) claimName(prefix, hash string, w *World) (string, *ZoneLock, error) {
	taken := func(n string) bool { _, ok := w.Zones[n]; return ok }
	for i := 0; i < 20; i++ {
		name, err := GenerateName(prefix, hash, taken)
		if err != nil {
			return "", nil, err
		}
		lock, err := h.TryLockZone(name)
		if errors.Is(err, ErrLocked) {
			continue
		}
		if err != nil {
			return "", nil, err
		}
		if _, err := os.Stat(h.path("/etc/zones/" + name + ".xml")); err == nil {
			lock.Unlock()
			continue
		}
		return name, lock, nil
	}
	return "", nil, fmt.Errorf("could not claim an unused zone name with prefix %q", prefix)
}
