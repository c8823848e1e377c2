package cli

// gcKinds are the kinds of leftovers zone_gc reports, in the order gc
// prints them, with the word that starts each printed line.
var gcKinds = []struct{ key, word string }{
	{"journals", "journal"},
	{"zones", "zone"},
	{"vnics", "vnic"},
	{"datasets", "dataset"},
	{"snapshots", "snapshot"},
}

// runGC calls zone_gc (in check mode with -n) and prints each leftover it
// found as "KIND NAME" (a dry run prints the commands it would run
// first); on standard error, what it did not run and why, what failed,
// and the look-alikes no journal records, which gc leaves alone.
func runGC(s *session) int {
	r, err := s.call("zone_gc", map[string]any{}, s.req.on[optDryRun])
	if err != nil {
		return s.fail("%v", err)
	}
	notes := func() {
		if s.req.on[optJSON] {
			return
		}
		for _, x := range r.strList("not_run") {
			s.out.infof("not run: %s", x)
		}
		for _, x := range r.strList("undo_failed") {
			s.out.warnf("failed: %s", x)
		}
		found, _ := r.Result["found"].(map[string]any)
		if l, _ := found["unrecorded"].([]any); len(l) > 0 {
			for _, v := range l {
				if x, ok := v.(string); ok {
					s.out.warnf("left alone: %s", x)
				}
			}
		}
	}
	if r.Failed {
		notes()
	}
	return s.report(r, func() {
		found, _ := r.Result["found"].(map[string]any)
		s.printLeftovers(found)
		notes()
	})
}

// printLeftovers prints what gc removes (zone_gc's found, zone_info's
// orphans) as "KIND NAME" lines.
func (s *session) printLeftovers(orphans map[string]any) {
	for _, k := range gcKinds {
		l, _ := orphans[k.key].([]any)
		for _, v := range l {
			if name, ok := v.(string); ok {
				s.out.data(k.word + " " + name)
			}
		}
	}
}
