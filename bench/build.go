package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
)

// buildBootDelay is the boot time the time-to-build figures give every
// zone boot (the sim's ILLUMOS_SIM_BOOT_DELAY): a small zone with SMF
// comes up in 3 s on a quick host, a large one in 30 s.
const buildBootDelay = 3 * time.Second

// buildMarker is an argument of the benchmark's build command (`true`
// ignores it), by which its zlogin is found in the sim's log.
const buildMarker = "zonemgr-bench-build"

// shareGoal is the most zonemgr's share of a build's wall time (all but
// the boots and the build itself) should be.
const shareGoal = 250 * time.Millisecond

// A buildResult holds the time-to-build figures: `zonemgr exec-diz` from
// its start to the build command's start, and from the build command's
// end to its exit, with the boots in each phase.
type buildResult struct {
	delay         time.Duration
	before, after sample // ms of each phase
	boots         sample // zone boots before the build
	beforeShare   sample // ms of the phase before the build that is not boot delay
	afterShare    sample // ms of the phase after the build (it boots nothing)
	share         sample // ms: both shares
	polls         sample // milestone polls before the build
	zlogins       sample // zlogins of the whole run, the build's included
	beforeCmds    []string
	afterCmds     []string
	argv          []string
	failures      []string
}

// benchBuild measures time to build as a user feels it: on a sim whose
// zone boots take buildBootDelay, `zonemgr exec-diz` from a golden zone
// with a build command that does nothing, several times.
func benchBuild(cfg config) (*buildResult, error) {
	e, err := newGoldenSim(cfg, "golden", "time to build")
	if err != nil {
		return nil, err
	}
	defer e.remove()
	e.environ = append(e.environ, fmt.Sprintf("ILLUMOS_SIM_BOOT_DELAY=%gs", buildBootDelay.Seconds()))
	res := &buildResult{delay: buildBootDelay,
		argv: []string{"zonemgr", "-q", "exec-diz", "-c", "golden", "--exec-cmd", "true " + buildMarker}}
	for round := 0; round < cfg.rounds; round++ {
		cfg.logf("time to build: round %d of %d", round+1, cfg.rounds)
		r, err := e.command(res.argv[0], res.argv[1:]...)
		if err != nil {
			return nil, err
		}
		if err := e.attach(r); err != nil {
			return nil, err
		}
		if r.Exit != 0 {
			res.failures = append(res.failures, fmt.Sprintf("round %d: exit %d: %s", round+1, r.Exit, strings.TrimSpace(r.Stderr)))
			continue
		}
		build := -1
		for i, c := range r.Commands {
			if c.Tool == "zlogin" && strings.Contains(strings.Join(c.Argv, " "), buildMarker) {
				build = i
			}
		}
		if build < 0 {
			return nil, fmt.Errorf("time to build: the sim logged no zlogin running the build command among %d commands", len(r.Commands))
		}
		b := r.Commands[build]
		buildStart := b.Start
		buildEnd := b.Start.Add(time.Duration(b.DurUS) * time.Microsecond)
		before := buildStart.Sub(r.Start)
		after := r.Start.Add(r.Wall).Sub(buildEnd)
		bc, ac := r.Commands[:build], r.Commands[build+1:]
		boots, polls, zlogins := count(bc, isBoot), count(bc, isMilestonePoll), count(r.Commands, isZlogin)
		beforeShare := before - time.Duration(boots)*buildBootDelay
		res.before = append(res.before, millis(before))
		res.after = append(res.after, millis(after))
		res.boots = append(res.boots, float64(boots))
		res.polls = append(res.polls, float64(polls))
		res.zlogins = append(res.zlogins, float64(zlogins))
		res.beforeShare = append(res.beforeShare, millis(beforeShare))
		res.afterShare = append(res.afterShare, millis(after))
		res.share = append(res.share, millis(beforeShare+after))
		res.beforeCmds, res.afterCmds = collapse(bc), collapse(ac)
	}
	return res, nil
}

// count returns how many of the commands f reports.
func count(cmds []core.LogEntry, f func(core.LogEntry) bool) int {
	n := 0
	for _, c := range cmds {
		if f(c) {
			n++
		}
	}
	return n
}

// isBoot reports whether a logged command boots a zone.
func isBoot(c core.LogEntry) bool { return c.Tool == "zoneadm" && c.Sub == "boot" }

// isZlogin reports whether a logged command is a login into a zone.
func isZlogin(c core.LogEntry) bool { return c.Tool == "zlogin" }

// isMilestonePoll reports whether a logged command asks a zone's
// milestone state: svcs -z from the global zone, or svcs in the zone
// through zlogin.
func isMilestonePoll(c core.LogEntry) bool {
	argv := strings.Join(c.Argv, " ")
	return (c.Tool == "svcs" || c.Tool == "zlogin") && strings.Contains(argv, "svc:/milestone/")
}

// collapse lists commands one per line by their tool and subcommand
// (zlogin and svcs with their argv, cut at 100 characters), runs of the
// same line as one with a count.
func collapse(cmds []core.LogEntry) []string {
	var out []string
	last, n := "", 0
	flush := func() {
		if n > 1 {
			out = append(out, fmt.Sprintf("%s   (×%d)", last, n))
		} else if n == 1 {
			out = append(out, last)
		}
	}
	for _, c := range cmds {
		line := c.Tool
		switch {
		case c.Tool == "zlogin" || c.Tool == "svcs":
			line = strings.Join(c.Argv, " ")
			if r := []rune(line); len(r) > 100 {
				line = string(r[:99]) + "…"
			}
		case c.Sub != "":
			line += " " + c.Sub
		}
		if line == last {
			n++
			continue
		}
		flush()
		last, n = line, 1
	}
	flush()
	return out
}

func (r *report) writeBuild(w func(string, ...any)) {
	b := r.build
	if b == nil {
		return
	}
	w("## Time to build: exec-diz with real boot times")
	w("")
	w("On illumos a zfs clone costs milliseconds and a zone boot seconds, so what a build waits for is the boots. Here every zone boot takes %s (the sim's `ILLUMOS_SIM_BOOT_DELAY=%gs`: a booted zone's milestones come online that long after the boot), and `%s` runs %d times from the golden zone `golden`: the build command does nothing, so the wall time is all zonemgr's and the zone's. Before the build: from the start of `zonemgr` to the start of the zlogin that runs the build (from the sim's log); after: from the end of that zlogin to zonemgr's exit. zonemgr's share is the wall time minus the boot delays (and minus the build): it holds every other command the operation runs (each a sim process here, see the start cost above) and what the milestone polls overshoot the boot. Goal: under %s.", b.delay, b.delay.Seconds(), strings.Join(b.argv, " "), len(b.before), shareGoal)
	w("")
	goal := "met"
	if b.share.median() >= millis(shareGoal) {
		goal = "not met"
	}
	w("| phase | wall ms | zone boots | boot delays ms | zonemgr's share ms |")
	w("|---|---|---|---|---|")
	w("| start to build | %s | %s | %s | %s |", b.before.ms(), b.boots.count(), fmtMS(b.boots.median()*millis(b.delay)), b.beforeShare.ms())
	w("| build to gone | %s | 0 | 0 | %s |", b.after.ms(), b.afterShare.ms())
	w("| both | | | | %s (goal: %s) |", b.share.ms(), goal)
	w("")
	w("Milestone polls before the build: %s (the interval doubles from 20 ms up to 250 ms); zlogins in the whole run: %s (the build's included).", b.polls.count(), b.zlogins.count())
	w("")
	if len(b.failures) > 0 {
		w("Failed runs: %s.", strings.Join(b.failures, "; "))
		w("")
	}
	w("The commands before the build:")
	w("")
	w("```")
	for _, c := range b.beforeCmds {
		w("%s", c)
	}
	w("```")
	w("")
	w("and after it:")
	w("")
	w("```")
	for _, c := range b.afterCmds {
		w("%s", c)
	}
	w("```")
	w("")
}
