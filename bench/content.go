package main

import (
	"fmt"
	"strings"
)

// contentPackages are packages of the sim's catalog from which the
// content benchmark makes a new package set in every round.
var contentPackages = []string{
	"archiver/gnu-tar", "compress/gzip", "developer/build/autoconf", "developer/build/automake",
	"developer/build/gnu-make", "developer/build/pkg-config", "developer/lexer/flex", "developer/parser/bison",
	"developer/versioning/git", "shell/bash", "text/gnu-sed", "runtime/python-311",
}

// A contentRow is one way of getting a disposable zone for a package
// set, over the rounds.
type contentRow struct {
	label, how string
	wall       sample // ms
	procs      sample
	mutating   sample
	boots      sample
	cmds       []string // the commands of the last round, collapsed
}

// A contentResult holds the figures of disposable zones asked for by
// their packages.
type contentResult struct {
	rows     []*contentRow
	failures []string
}

// contentRounds caps the rounds: each makes two golden zones.
func contentRounds(cfg config) int { return min(cfg.rounds, len(contentPackages)/2) }

// benchContent measures `zonemgr create-diz -p SET` three ways on one sim
// with a golden zone made by hand: SET new (its golden zone is built
// from scratch, then cloned), SET again (the golden zone exists: a
// clone), and -c golden -p SET' (a golden zone derived from golden: its
// snapshot cloned and SET' installed, then cloned).
func benchContent(cfg config) (*contentResult, error) {
	e, err := newGoldenSim(cfg, "golden", "content")
	if err != nil {
		return nil, err
	}
	defer e.remove()
	res := &contentResult{rows: []*contentRow{
		{label: "built from scratch", how: "`zonemgr create-diz -p SET`, no golden zone for SET yet"},
		{label: "existing content golden", how: "`zonemgr create-diz -p SET` again"},
		{label: "derived from a golden zone", how: "`zonemgr create-diz -c golden -p SET2`, no golden zone for golden+SET2 yet"},
	}}
	n := len(contentPackages)
	for round := 0; round < contentRounds(cfg); round++ {
		cfg.logf("content: round %d of %d", round+1, contentRounds(cfg))
		set := contentPackages[round] + " " + contentPackages[n-1-round]
		set2 := contentPackages[(round+n/2)%n]
		calls := [][]string{
			{"-q", "create-diz", "-p", set},
			{"-q", "create-diz", "-p", set},
			{"-q", "create-diz", "-c", "golden", "-p", set2},
		}
		for i, args := range calls {
			r, err := e.command("zonemgr", args...)
			if err != nil {
				return nil, err
			}
			if err := e.attach(r); err != nil {
				return nil, err
			}
			if r.Exit != 0 {
				res.failures = append(res.failures, fmt.Sprintf("round %d, zonemgr %s: exit %d: %s", round+1, strings.Join(args, " "), r.Exit, strings.TrimSpace(r.Stderr)))
				continue
			}
			row := res.rows[i]
			row.wall = append(row.wall, millis(r.Wall))
			row.procs = append(row.procs, float64(len(r.Commands)))
			row.mutating = append(row.mutating, float64(r.Mutating()))
			row.boots = append(row.boots, float64(count(r.Commands, isBoot)))
			row.cmds = collapse(r.Commands)
		}
	}
	return res, nil
}

func (r *report) writeContent(w func(string, ...any)) {
	c := r.content
	if c == nil {
		return
	}
	w("## Golden zones by content: a disposable zone for a package set")
	w("")
	w("A disposable zone asked for by its packages (`create-diz -p SET`), %d rounds on one sim with a golden zone `golden` made by hand, each round with a package set no golden zone was made for yet (two packages of the sim's catalog) and a derived set (one package). The wall time is zonemgr's, start to exit; processes are the commands it started, from the sim's log. On illumos the boots and `zoneadm install` dominate a golden zone built from scratch (minutes: every package downloaded and installed), while a derived golden zone installs only SET2 into a clone of golden's snapshot.", len(c.rows[0].wall))
	w("")
	w("| disposable zone | call | wall ms | processes | of which changes | zone boots |")
	w("|---|---|---|---|---|---|")
	for _, row := range c.rows {
		w("| %s | %s | %s | %s | %s | %s |", row.label, row.how, row.wall.ms(), row.procs.count(), row.mutating.count(), row.boots.count())
	}
	w("")
	if len(c.failures) > 0 {
		w("Failed runs: %s.", strings.Join(c.failures, "; "))
		w("")
	}
	w("<details><summary>The commands of each (last round)</summary>")
	w("")
	for _, row := range c.rows {
		w("**%s**", row.label)
		w("")
		w("```")
		for _, l := range row.cmds {
			w("%s", l)
		}
		w("```")
		w("")
	}
	w("</details>")
	w("")
}
