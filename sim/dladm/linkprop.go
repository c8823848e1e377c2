package dladm

import (
	"strings"
)

// linkpropFields are show-linkprop's columns (dladm.c linkprop_fields[]).
var linkpropFields = []field{
	{"LINK", 13}, {"PROPERTY", 16}, {"PERM", 5}, {"VALUE", 15}, {"DEFAULT", 15}, {"POSSIBLE", 20},
}

// linkpropValues returns the fields of one link property as
// dladm.c print_linkprop_cb() fills them, or ok false for a property the
// sim does not know (dladm_get_linkprop() fails with
// DLADM_STATUS_NOTFOUND).
//
// Only "zone" is simulated: libdladm linkprop.c get_zone() reports the
// zone a link is assigned to and "" for the global zone, and answers
// DLADM_STATUS_NOTSUP for any other value type (default, possible), which
// print_linkprop() prints as "" ("--" in human mode). Its permission is
// "rw" [derived: the property has a setter, do_set_zone()].
func linkpropValues(l *link, prop string) (map[string]string, bool) {
	switch prop {
	case "zone":
		return map[string]string{"PERM": "rw", "VALUE": l.Zone, "DEFAULT": "", "POSSIBLE": ""}, true
	}
	return nil, false
}

// showLinkprop is "dladm show-linkprop [-cP] [-o field,...] [-p prop,...]
// [link]" (dladm.c do_show_linkprop(), show_linkprop_onelink(),
// print_linkprop_cb()): -c is parsable output, which needs -o (libofmt
// ofmt_check()); empty values print as "--" in human mode only
// (print_linkprop()).
func (c *cmd) showLinkprop(args []string) int {
	opts, rest, ok := c.getopt(args, ":p:cPo:", map[string]byte{
		"prop": 'p', "parsable": 'c', "parseable": 'c', "persistent": 'P', "output": 'o',
	})
	if !ok {
		return 1
	}
	var parsable bool
	var fields string
	var props []string
	for _, o := range opts {
		switch o.c {
		case 'p':
			for _, p := range strings.Split(o.arg, ",") {
				if p != "" {
					props = append(props, p)
				}
			}
		case 'c':
			parsable = true
		case 'P':
			return c.die("show-linkprop -P is not supported by the illumos simulator")
		case 'o':
			fields = o.arg
		}
	}
	if len(rest) > 1 {
		return usage(c.inv)
	}
	if len(props) == 0 {
		// dladm_walk_linkprop() would list every property of the link;
		// the sim knows only "zone".
		return c.die("show-linkprop without -p is not supported by the illumos simulator")
	}
	return c.locked(func(t *table) (int, bool) {
		if len(rest) == 1 {
			if _, ok := t.Links[rest[0]]; !ok {
				return c.die("link %s is not valid: object not found", rest[0]), false
			}
		}
		o, oerr := newOfmt(c.inv.Stdout, linkpropFields, fields, parsable)
		if oerr != nil {
			c.die("%s", oerr.msg)
			if oerr.fatal {
				return 1, false
			}
		}
		code := 0
		for _, l := range t.sorted(classPhys, classEtherstub, classVNIC) {
			if len(rest) == 1 && l.Name != rest[0] {
				continue
			}
			// lsOK is print_linkprop()'s statep->ls_status ==
			// DLADM_STATUS_OK: show_linkprop_onelink() sets it once per
			// link, a property read sets it, and nothing else does.
			lsOK := true
			for _, p := range props {
				v, ok := linkpropValues(l, p)
				if !ok {
					// print_linkprop(): with -p, a property that cannot be
					// read is warned about only while ls_status is still
					// OK (a run of unreadable properties in a row gets one
					// warning, its first), and the run fails (ls_retstatus:
					// do_show_linkprop() exits EXIT_FAILURE, saying nothing
					// more); its row is still printed
					// (linkprop_is_supported() is true with -p), each field
					// whose callback failed as libofmt's OFMT_VAL_UNKNOWN,
					// "?" (illumos-gate dladm.c print_linkprop(),
					// print_linkprop_cb(), show_linkprop_onelink(); libofmt
					// ofmt.c ofmt_print()).
					if lsOK {
						c.inv.Errf("dladm: warning: cannot get link property '%s' for %s: object not found", p, l.Name)
					}
					lsOK = false
					code = 1
					v = map[string]string{"PERM": "?", "VALUE": "?", "DEFAULT": "?", "POSSIBLE": "?"}
				} else {
					lsOK = true
				}
				v["LINK"], v["PROPERTY"] = l.Name, p
				o.print(v)
			}
		}
		return code, false
	})
}
