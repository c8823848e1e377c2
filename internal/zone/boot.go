package zone

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// Milestones a boot waits for.
const (
	MilestoneMultiUser  = "svc:/milestone/multi-user-server:default"
	MilestoneSingleUser = "svc:/milestone/single-user:default"
)

func zoneadm(zone string, args ...string) *illumos.Cmd {
	return &illumos.Cmd{Argv: append([]string{"zoneadm", "-z", zone}, args...)}
}

// Boot says how a zone is booted: to the multi-user milestone or single
// user, and how long to wait for the milestone (not at all with NoWait).
type Boot struct {
	Timeout    time.Duration
	NoWait     bool
	SingleUser bool
}

// kernelStates are the states of a zone in the kernel, which a halt ends.
var kernelStates = []string{"ready", "running", "shutting_down", "down"}

// bootSteps boots a zone and waits, bounded by the timeout, until the
// milestone is online. The boot's undo halts the zone again, while it is
// the zone zid names (see zoneRun) and in the kernel.
func (h *Host) bootSteps(zone, zid string, b Boot) []Step {
	args := []string{"boot"}
	milestone := MilestoneMultiUser
	if b.SingleUser {
		args = append(args, "-s")
		milestone = MilestoneSingleUser
	}
	// The boot command itself is bounded by the boot timeout too: a hung
	// zoneadm boot is stopped there, and the failed boot's undo halts
	// whatever of the zone came up (its error ignored when nothing did).
	boot := zoneadm(zone, args...)
	boot.Timeout = b.Timeout
	if boot.Timeout <= 0 {
		boot.Timeout = h.Settings.BootTimeout
	}
	steps := []Step{{Why: "boot the zone", Cmd: boot, Undo: zoneadm(zone, "halt"), UndoIfFailed: true,
		Guard: &Guard{Zone: zone, ZoneRun: zid, States: kernelStates}}}
	if !b.NoWait {
		steps = append(steps, h.waitStep(zone, milestone, b.Timeout))
	}
	return steps
}

// waitStep waits for a milestone inside a booted zone: asked from the
// global zone (svcs -z) by a process with all privileges, through
// zlogin otherwise (see Wait).
func (h *Host) waitStep(zone, milestone string, timeout time.Duration) Step {
	if timeout <= 0 {
		timeout = h.Settings.BootTimeout
	}
	return Step{Why: "wait for " + milestone, Wait: &Wait{Zone: zone, Milestone: milestone, Timeout: timeout, FromGlobal: h.Privileged}}
}

// The intervals between two polls of a boot's milestone: the first (when
// Host.PollInterval is not set), doubled after each poll up to the
// largest. A boot takes seconds (SMF brings up the zone's services), so
// the largest interval is what a wait adds to it at most; the first
// polls are quick, for a zone whose services are up at once. A poll
// through zlogin is a login into the zone (about 100 ms on illumos, and
// a process in the zone), so those polls back off to a second: a 10 s
// boot costs about 14 of them rather than 43.
const (
	firstPollInterval     = 20 * time.Millisecond
	maxPollInterval       = 250 * time.Millisecond
	maxZloginPollInterval = time.Second
)

// maxInterval is the largest interval between two polls of w.
func (w *Wait) maxInterval() time.Duration {
	if w.FromGlobal {
		return maxPollInterval
	}
	return maxZloginPollInterval
}

// WaitMilestone polls the milestone's state in the zone (see Wait) until
// it is online. A poll that finds no answer is a "not yet": svcs -z
// before the zone's svc.configd is up ("svcs: Could not bind to
// repository server for zone Z: repository server unavailable", exit 1:
// illumos-gate usr/src/cmd/svcs/svcs.c main(), libscf's door below the
// zone's root), zlogin before the zone runs. It gives
// up at the timeout, or at once when the zone is no longer running, and
// then says what state the zone and milestone were in.
func (h *Host) WaitMilestone(ctx context.Context, r illumos.Runner, w Wait) error {
	timeout := w.Timeout
	if timeout <= 0 {
		timeout = h.Settings.BootTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	interval := h.PollInterval
	if interval <= 0 {
		interval = firstPollInterval
	}
	last := "unknown"
	for {
		res, err := r.Run(ctx, illumos.Cmd{Argv: w.probe()})
		if err == nil {
			last = strings.TrimSpace(string(res.Stdout))
			if last == "online" {
				return nil
			}
		} else if ctx.Err() == nil {
			// The zone may have died: zlogin refuses a zone that is not
			// running, and svcs -z reaches no repository in it.
			st, serr := r.Run(ctx, illumos.Cmd{Argv: []string{"zoneadm", "-z", w.Zone, "list", "-p"}})
			if serr == nil {
				if zs, perr := illumos.ParseZoneList(st.Stdout); perr == nil && len(zs) == 1 && zs[0].State != "running" {
					return fmt.Errorf("boot %s: the zone is %s, not running (it died during boot)", w.Zone, zs[0].State)
				}
			}
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("boot %s: %s not online after %s (its state: %s)", w.Zone, w.Milestone, timeout, last)
			}
			return fmt.Errorf("boot %s: %w", w.Zone, ctx.Err())
		case <-time.After(interval):
		}
		interval = min(2*interval, w.maxInterval())
	}
}
