package zone

import (
	"context"
	"strings"
	"testing"
)

// TestPendingWorkSeesJournalGCHolds: a killed run's journal counts as
// pending work on its zone whether its lock is free or held by another
// reader (a gc that passed it over); a journal of another zone whose
// name starts alike does not.
func TestPendingWorkSeesJournalGCHolds(t *testing.T) {
	h, _ := fakeHost(t)
	h.CheckMode = false
	killedRun(t, h, "snapshot", "golden-2", "ro")
	if err := h.pendingWork("golden", false); err != nil {
		t.Errorf("golden-2's journal refused golden: %v", err)
	}
	killed := killedRun(t, h, "snapshot", "golden", "rk")
	if err := h.pendingWork("golden", false); err == nil || !strings.Contains(err.Error(), "run zonemgr gc first") {
		t.Errorf("a killed run's journal: %v", err)
	}
	held, live, err := lockJournal(killed, true)
	if err != nil || live {
		t.Fatalf("lock %s: live=%v %v", killed, live, err)
	}
	defer held.Close()
	if err := h.pendingWork("golden", false); err == nil || !strings.Contains(err.Error(), "is held by another process, zonemgr gc") || !strings.Contains(err.Error(), "run zonemgr gc first") {
		t.Errorf("a killed run's journal held by gc: %v", err)
	}
}

// TestGCReleasesJournalsItPassesOver: gc keeps the lock of a killed run's
// journal only while it holds the lock of its zone: the journal of a
// zone another operation holds is released at once.
func TestGCReleasesJournalsItPassesOver(t *testing.T) {
	h, _ := fakeHost(t)
	h.CheckMode = false
	busy := killedRun(t, h, "snapshot", "golden", "rk")
	free := killedRun(t, h, "diz", "b1", "rd")
	zl, err := h.TryLockZone("golden")
	if err != nil {
		t.Fatal(err)
	}
	defer zl.Unlock()
	o := &gcOp{h: h}
	ls := &lockSet{h: h}
	if err := o.lock(context.Background(), ls); err != nil {
		t.Fatal(err)
	}
	if o.lockedOut["golden"] == nil {
		t.Errorf("golden, locked by another operation, was not locked out: %v", o.lockedOut)
	}
	if l, live, err := lockJournal(busy, true); err != nil || live {
		t.Errorf("gc still holds %s, which it does not replay now: live=%v %v", busy, live, err)
	} else {
		l.Close()
	}
	if _, live, err := lockJournal(free, true); err != nil || !live {
		t.Errorf("gc does not hold %s, which it replays: live=%v %v", free, live, err)
	}
	ls.release()
	if l, live, err := lockJournal(free, true); err != nil || live {
		t.Errorf("gc's release left %s locked: live=%v %v", free, live, err)
	} else {
		l.Close()
	}
}
