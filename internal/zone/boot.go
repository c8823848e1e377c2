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

// waitStep waits for a milestone inside a booted zone.
func (h *Host) waitStep(zone, milestone string, timeout time.Duration) Step {
	if timeout <= 0 {
		timeout = h.Settings.BootTimeout
	}
	return Step{Why: "wait for " + milestone, Wait: &Wait{Zone: zone, Milestone: milestone, Timeout: timeout}}
}

// WaitMilestone polls the milestone's state inside the zone until it is
// online. It gives up at the timeout, or at once when the zone is no
// longer running, and then says what state the zone and milestone were in.
func (h *Host) WaitMilestone(ctx context.Context, r illumos.Runner, zone, milestone string, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = h.Settings.BootTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	interval := h.PollInterval
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	last := "unknown"
	for {
		res, err := r.Run(ctx, illumos.Cmd{Argv: []string{"zlogin", "-S", zone, "svcs", "-H", "-o", "state", milestone}})
		if err == nil {
			last = strings.TrimSpace(string(res.Stdout))
			if last == "online" {
				return nil
			}
		} else if ctx.Err() == nil {
			// The zone may have died: zlogin refuses a zone that is not running.
			st, serr := r.Run(ctx, illumos.Cmd{Argv: []string{"zoneadm", "-z", zone, "list", "-p"}})
			if serr == nil {
				if zs, perr := illumos.ParseZoneList(st.Stdout); perr == nil && len(zs) == 1 && zs[0].State != "running" {
					return fmt.Errorf("boot %s: the zone is %s, not running (it died during boot)", zone, zs[0].State)
				}
			}
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("boot %s: %s not online after %s (its state: %s)", zone, milestone, timeout, last)
			}
			return fmt.Errorf("boot %s: %w", zone, ctx.Err())
		case <-time.After(interval):
		}
		if interval < 2*time.Second {
			interval *= 2
		}
	}
}
