package zones

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/zonemgr/zonemgr/sim/core"
)

// A ListEntry is one zone as zoneadm list prints it (zone_entry_t).
type ListEntry struct {
	ID       int // -1 when not in the kernel
	Name     string
	State    int
	Zonepath string
	UUID     string
	Brand    string
	IPType   string // "excl" or "shared"
	DebugID  string // "" when the zone has none
}

// listEntry builds the list entry of one zone (lookup_zone_info()).
func listEntry(root string, st ZoneStatus) ListEntry {
	e := ListEntry{ID: st.ID, Name: st.Entry.Name, State: st.State,
		Zonepath: st.Entry.Zonepath, UUID: st.Entry.UUID, Brand: "ipkg", IPType: "shared"}
	if e.Name == "global" {
		// The global zone's entry is never filled in beyond its name,
		// state, path and brand (lookup_zone_info() returns before
		// zonecfg_get_did()): its debug id prints as 0 (the entry is
		// calloc'd) and its uuid empty.
		e.DebugID, e.UUID = "0", ""
		e.Brand = globalZoneBrand(root, core.MustFlavor(root))
		return e
	}
	if c, err := LoadConfig(root, e.Name); err == nil {
		e.Brand = brandOrNative(c.Brand)
		if c.IPTypeOrDefault() == "exclusive" {
			e.IPType = "excl"
		}
		e.DebugID = c.DebugID
		if e.Zonepath == "" {
			e.Zonepath = c.Zonepath
		}
	}
	return e
}

// Parsable renders the entry as zone_print() does for "zoneadm list -p"
// in a flavour: OmniOS's 8 fields end with the debug id, OpenIndiana's
// illumos-gate prints the first 7 (listPrintsDebugID()). Only ':' in the
// zonepath is escaped (as "\:").
func (e ListEntry) Parsable(f core.Flavor) string {
	id := "-"
	if e.ID >= 0 {
		id = strconv.Itoa(e.ID)
	}
	zp := strings.ReplaceAll(e.Zonepath, ":", `\:`)
	line := fmt.Sprintf("%s:%s:%s:%s:%s:%s:%s", id, e.Name, StateString(e.State), zp, e.UUID, e.Brand, e.IPType)
	if listPrintsDebugID(f) {
		line += ":" + e.DebugID
	}
	return line
}

// Verbose renders the entry as a "zoneadm list -v" line.
func (e ListEntry) Verbose() string {
	id := "-"
	if e.ID >= 0 {
		id = strconv.Itoa(e.ID)
	}
	return fmt.Sprintf("%4s %-16s %-10s %-30s %-8s %-6s", id, e.Name, StateString(e.State), e.Zonepath, e.Brand, e.IPType)
}

// verboseHeader is the header line of "zoneadm list -v".
var verboseHeader = fmt.Sprintf("%4s %-16s %-10s %-30s %-8s %-6s", "ID", "NAME", "STATUS", "PATH", "BRAND", "IP")

// ListZones returns the zones "zoneadm list" shows for a minimum state:
// first the zones in the kernel (the global zone first, then in
// zone_list(2) order), then the other zones of the index, in file order,
// whose state is at least min.
func ListZones(root string, min int) ([]ListEntry, error) {
	ix, err := ReadIndex(root)
	if err != nil {
		return nil, err
	}
	k, err := ReadKernel(root)
	if err != nil {
		return nil, err
	}
	var out []ListEntry
	seen := map[string]bool{}
	kernelNames := append([]string{"global"}, k.Ordered()...)
	for _, n := range kernelNames {
		e, ok := ix.Lookup(n)
		if !ok {
			continue
		}
		seen[n] = true
		out = append(out, listEntry(root, statusOf(*e, k)))
	}
	if min >= StateRunning {
		return out, nil
	}
	for _, e := range ix.Entries {
		if seen[e.Name] {
			continue
		}
		st := statusOf(e, k)
		if st.State >= min {
			out = append(out, listEntry(root, st))
		}
	}
	return out, nil
}

// listCmd is "zoneadm [-z zone] list [-cinpv]".
func (a *adm) listCmd() int {
	opts, optind, bad := getopt(a.args, "?cinpv")
	if bad != 0 {
		return a.subUsage(bad)
	}
	var c, i, n, p, v bool
	for _, o := range opts {
		switch o.opt {
		case 'c':
			c = true
		case 'i':
			i = true
		case 'n':
			n = true
		case 'p':
			p = true
		case 'v':
			v = true
		}
	}
	if optind != len(a.args) {
		return a.subUsage(0)
	}
	if p && v {
		a.zerror("list -p and -v are mutually exclusive.")
		return 1
	}
	var entries []ListEntry
	if a.zone != "" {
		if c || i || n {
			return a.subUsage(0)
		}
		entries = []ListEntry{listEntry(a.root, a.status)}
	} else {
		min := StateRunning
		switch {
		case c:
			min = StateConfigured
		case i:
			min = StateInstalled
		}
		all, err := ListZones(a.root, min)
		if err != nil {
			a.zerror("%v", err)
			return 1
		}
		for _, e := range all {
			if n && e.Name == "global" {
				continue
			}
			entries = append(entries, e)
		}
	}
	printList(a.out, a.inv.Flavor(), entries, p, v)
	return 0
}

// printList prints entries in the default, -p or -v format (illumos-gate
// usr/src/cmd/zoneadm/zoneadm.c zone_print(): the -v header once, before
// the first zone printed; list_func() refuses -p with -v).
func printList(w io.Writer, f core.Flavor, entries []ListEntry, parsable, verbose bool) {
	if verbose && len(entries) > 0 {
		fmt.Fprintln(w, verboseHeader)
	}
	for _, e := range entries {
		switch {
		case parsable:
			fmt.Fprintln(w, e.Parsable(f))
		case verbose:
			fmt.Fprintln(w, e.Verbose())
		default:
			fmt.Fprintln(w, e.Name)
		}
	}
}
