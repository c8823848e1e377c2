package main

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
)

// A sample is the values one figure took over the runs of a benchmark.
type sample []float64

// median returns the middle value (the mean of the two middle values for
// an even count), or 0 for no values.
func (s sample) median() float64 {
	if len(s) == 0 {
		return 0
	}
	v := slices.Clone(s)
	sort.Float64s(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// spread returns the smallest and largest value.
func (s sample) spread() (lo, hi float64) {
	if len(s) == 0 {
		return 0, 0
	}
	return slices.Min(s), slices.Max(s)
}

// ms formats a sample of milliseconds as "median (min–max)".
func (s sample) ms() string {
	lo, hi := s.spread()
	return fmt.Sprintf("%s (%s–%s)", fmtMS(s.median()), fmtMS(lo), fmtMS(hi))
}

// count formats a sample of counts as "median" when every run agreed, and
// "median (min–max)" when not.
func (s sample) count() string {
	lo, hi := s.spread()
	if lo == hi {
		return fmt.Sprintf("%g", s.median())
	}
	return fmt.Sprintf("%g (%g–%g)", s.median(), lo, hi)
}

func fmtMS(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// An interval is a span of wall-clock time.
type interval struct{ from, to time.Time }

// commandSpans returns the time each command spent running, as the sim
// logged it (from its start to its exit), widened by startCost before its
// start: the part of a process's life the sim cannot log itself.
func commandSpans(entries []core.LogEntry, startCost time.Duration) []interval {
	out := make([]interval, 0, len(entries))
	for _, e := range entries {
		out = append(out, interval{e.Start.Add(-startCost), e.Start.Add(time.Duration(e.DurUS) * time.Microsecond)})
	}
	return out
}

// union returns the total length of the time covered by spans, counting
// overlapping spans once.
func union(spans []interval) time.Duration {
	s := slices.Clone(spans)
	sort.Slice(s, func(i, j int) bool { return s[i].from.Before(s[j].from) })
	var total time.Duration
	var cur interval
	for i, v := range s {
		if i == 0 {
			cur = v
			continue
		}
		if v.from.After(cur.to) {
			total += cur.to.Sub(cur.from)
			cur = v
			continue
		}
		if v.to.After(cur.to) {
			cur.to = v.to
		}
	}
	if len(s) > 0 {
		total += cur.to.Sub(cur.from)
	}
	return total
}

// sum returns the total length of spans, overlaps counted as often as
// they occur.
func sum(spans []interval) time.Duration {
	var total time.Duration
	for _, v := range spans {
		total += v.to.Sub(v.from)
	}
	return total
}
