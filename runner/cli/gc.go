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
// found as "KIND NAME"; a dry run prints the commands it would run first.
func runGC(s *session) int {
	return s.callReport("zone_gc", map[string]any{}, s.req.on[optDryRun], func(r callResult) {
		found, _ := r.Result["found"].(map[string]any)
		for _, k := range gcKinds {
			l, _ := found[k.key].([]any)
			for _, v := range l {
				if name, ok := v.(string); ok {
					s.out.data(k.word + " " + name)
				}
			}
		}
	})
}
