package cli

import (
	"time"

	"github.com/zonemgr/zonemgr/internal/zone"
)

// runGC calls zone_gc (in check mode with -n) and prints each leftover it
// found as "KIND NAME" (a dry run prints the commands it would run
// first); on standard error, what it did not run and why, what failed,
// and the look-alikes no journal records, which gc leaves alone.
func runGC(s *session) int {
	var unused *time.Duration
	if v := s.req.str[optUnusedGoldens]; v != "" {
		d, err := zone.ParseAge(v)
		if err != nil {
			return s.fail("--unused-goldens: %v", err)
		}
		unused = &d
	}
	s.debugCall("zone_gc", s.mode(), struct{ UnusedGoldens string }{s.req.str[optUnusedGoldens]})
	r := s.engine.GC(s.ctx, s.mode(), unused)
	rep := r.GC
	if rep == nil {
		rep = &zone.GCReport{}
	}
	notes := func() {
		if s.req.on[optJSON] {
			return
		}
		for _, x := range rep.NotRun {
			s.out.infof("not run: %s", x)
		}
		for _, x := range rep.UndoFailed {
			s.out.warnf("failed: %s", x)
		}
		for _, x := range rep.Found.Unrecorded {
			s.out.warnf("left alone: %s", x)
		}
		if ev := r.Evicted; ev != nil {
			kept, _ := ev.Values["kept"].([]string)
			for _, x := range kept {
				s.out.infof("golden zone kept: %s", x)
			}
		}
	}
	if r.Failed() {
		notes()
	}
	return s.report(r, func() {
		s.printLeftovers(rep.Found)
		if ev := r.Evicted; ev != nil {
			evicted, _ := ev.Values["evicted"].([]string)
			for _, name := range evicted {
				s.out.data("golden " + name)
			}
		}
		notes()
	})
}

// printLeftovers prints what gc removes (zone_gc's found, zone_info's
// orphans) as "KIND NAME" lines, in the order gc removes them.
func (s *session) printLeftovers(o zone.Orphans) {
	for _, k := range []struct {
		word  string
		names []string
	}{{"journal", o.Journals}, {"zone", o.Zones}, {"vnic", o.VNICs}, {"dataset", o.Datasets}, {"snapshot", o.Snapshots}} {
		for _, name := range k.names {
			s.out.data(k.word + " " + name)
		}
	}
}
