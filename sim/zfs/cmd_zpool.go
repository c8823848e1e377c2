package zfs

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/zonemgr/zonemgr/sim/core"
)

// A poolProp describes one zpool property: its column header, whether it
// can be set, its VALUES usage text and whether it is a byte count.
type poolProp struct {
	name, col, values string
	readonly, number  bool
}

// poolProps lists the pool properties in zpool_prop_t order, the order
// "zpool get all" prints them in.
var poolProps = []poolProp{
	{"name", "NAME", "<pool>", true, false},
	{"size", "SIZE", "<size>", true, true},
	{"capacity", "CAP", "<size>", true, true},
	{"altroot", "ALTROOT", "<path>", false, false},
	{"health", "HEALTH", "<state>", true, false},
	{"guid", "GUID", "<guid>", true, true},
	{"version", "VERSION", "<version>", false, true},
	{"bootfs", "BOOTFS", "<filesystem>", false, false},
	{"delegation", "DELEGATION", "on | off", false, false},
	{"autoreplace", "REPLACE", "on | off", false, false},
	{"cachefile", "CACHEFILE", "<file> | none", false, false},
	{"failmode", "FAILMODE", "wait | continue | panic", false, false},
	{"listsnapshots", "LISTSNAPS", "on | off", false, false},
	{"autoexpand", "EXPAND", "on | off", false, false},
	{"dedupditto", "DEDUPDITTO", "<threshold (min 100, 0 = off)>", false, true},
	{"dedupratio", "DEDUP", "<1.00x or higher if deduped>", true, true},
	{"free", "FREE", "<size>", true, true},
	{"allocated", "ALLOC", "<size>", true, true},
	{"readonly", "RDONLY", "on | off", true, false},
	{"comment", "COMMENT", "<comment-string>", false, false},
	{"expandsize", "EXPANDSZ", "<size>", true, true},
	{"freeing", "FREEING", "<size>", true, true},
	{"fragmentation", "FRAG", "<percent>", true, true},
	{"leaked", "LEAKED", "<size>", true, true},
	{"bootsize", "BOOTSIZE", "<size>", false, true},
	{"checkpoint", "CKPOINT", "<size>", true, true},
}

// poolFragmentation is the fragmentation the simulated pool reports.
const poolFragmentation = 3

func lookupPoolProp(name string) *poolProp {
	for i := range poolProps {
		if poolProps[i].name == name {
			return &poolProps[i]
		}
	}
	return nil
}

// poolValue returns a pool property's value and source.
func (s *State) poolValue(pool, prop string, literal bool) (string, string) {
	root := s.get(pool)
	alloc := s.used(root)
	size := func(n int64) string {
		if literal {
			return strconv.FormatInt(n, 10)
		}
		return nicenum(uint64(n))
	}
	switch prop {
	case "name":
		return pool, "-"
	case "size":
		return size(poolSize), "-"
	case "capacity":
		pct := alloc * 100 / poolSize
		if literal {
			return strconv.FormatInt(pct, 10), "-"
		}
		return fmt.Sprintf("%d%%", pct), "-"
	case "altroot", "cachefile", "comment", "bootsize":
		return "-", "default"
	case "health":
		return "ONLINE", "-"
	case "guid":
		return strconv.FormatUint(root.GUID, 10), "-"
	case "version":
		return "-", "default"
	case "bootfs":
		if be := pool + "/ROOT/openindiana"; s.Exists(be) {
			return be, "local"
		}
		return "-", "default"
	case "delegation":
		return "on", "default"
	case "failmode":
		return "wait", "default"
	case "autoreplace", "listsnapshots", "autoexpand":
		return "off", "default"
	case "dedupditto":
		return "0", "default"
	case "dedupratio":
		return "1.00x", "-"
	case "free":
		return size(poolSize - alloc), "-"
	case "allocated":
		return size(alloc), "-"
	case "readonly":
		return "off", "-"
	case "expandsize", "checkpoint":
		return "-", "-"
	case "freeing", "leaked":
		return "0", "-"
	case "fragmentation":
		return fmt.Sprintf("%d%%", poolFragmentation), "-"
	}
	return "-", "-"
}

// zpoolHelp holds the usage lines of the implemented zpool subcommands.
var zpoolHelp = map[string]string{
	"list":   "\tlist [-gHLpPv] [-o property[,...]] [-T d|u] [pool] ... [interval [count]]\n",
	"get":    "\tget [-Hp] [-o \"all\" | field[,...]] <\"all\" | property[,...]> <pool> ...\n",
	"status": "\tstatus [-DigLpPsvx] [-T d|u] [pool] ... [interval [count]]\n",
}

// writeZpoolUsage prints zpool's usage for one subcommand, or for the
// implemented ones when cmd is "". [derived: the full command list of the
// real zpool is longer; the sim prints the subcommands it implements]
func writeZpoolUsage(w io.Writer, cmd string) {
	if cmd == "" {
		fmt.Fprint(w, "usage: zpool command args ...\n")
		fmt.Fprint(w, "where 'command' is one of the following:\n\n")
		for _, c := range []string{"list", "status", "get"} {
			fmt.Fprint(w, zpoolHelp[c])
		}
		return
	}
	fmt.Fprint(w, "usage:\n")
	fmt.Fprint(w, zpoolHelp[cmd])
	if cmd == "get" || cmd == "list" {
		fmt.Fprint(w, "\nthe following properties are supported:\n")
		fmt.Fprintf(w, "\n\t%-19s  %s   %s\n\n", "PROPERTY", "EDIT", "VALUES")
		for _, p := range poolProps {
			fmt.Fprintf(w, "\t%-19s  ", p.name)
			if p.readonly {
				fmt.Fprint(w, " NO   ")
			} else {
				fmt.Fprint(w, "YES  ")
			}
			fmt.Fprintf(w, "%s\n", p.values)
		}
		fmt.Fprintf(w, "\t%-19s   ", "feature@...")
		fmt.Fprint(w, "YES   disabled | enabled | active\n")
		fmt.Fprint(w, "\nThe feature@ properties must be appended with a feature name.\nSee zpool-features(5).\n")
	}
}

// zpoolMain runs "zpool SUBCOMMAND ARGS...".
func zpoolMain(inv *core.Invocation) int {
	if len(inv.Args) == 0 {
		inv.Errf("missing command")
		writeZpoolUsage(inv.Stderr, "")
		inv.Sub = "usage"
		return 2
	}
	sub := inv.Args[0]
	run := map[string]func(*core.Invocation, []string) int{
		"list": zpoolList, "get": zpoolGet, "status": zpoolStatus,
	}[sub]
	if run == nil {
		inv.Sub = sub
		inv.Errf("unrecognized command '%s'", sub)
		writeZpoolUsage(inv.Stderr, "")
		return 2
	}
	if code, injected := inv.Begin(sub, false); injected {
		return code
	}
	return run(inv, inv.Args[1:])
}

// withPools runs fn on the loaded dataset table with the named pools (all
// when none are named); unknown pools are reported and make it fail.
func withPools(inv *core.Invocation, names []string, fn func(s *State, pools []string) int) int {
	lock, err := inv.LockState()
	if err != nil {
		inv.Errf("zpool: %v", err)
		return 1
	}
	defer lock.Unlock()
	s, err := Open(inv.Root)
	if err != nil {
		inv.Errf("zpool: %v", err)
		return 1
	}
	pools := names
	failed := false
	if len(names) == 0 {
		pools = s.pools()
	} else {
		pools = nil
		for _, n := range names {
			if !s.poolExists(n) {
				inv.Errf("cannot open '%s': no such pool", n)
				failed = true
				continue
			}
			pools = append(pools, n)
		}
	}
	code := fn(s, pools)
	if failed && code == 0 {
		code = 1
	}
	return code
}

func zpoolOptError(inv *core.Invocation, sub string, e *getoptError) int {
	if e.missing {
		inv.Errf("missing argument for '%c' option", e.c)
	} else {
		inv.Errf("invalid option '%c'", e.c)
	}
	writeZpoolUsage(inv.Stderr, sub)
	return 2
}

func zpoolList(inv *core.Invocation, args []string) int {
	opts, rest, gerr := getopt(args, ":gHLo:pPT:v")
	if gerr != nil {
		return zpoolOptError(inv, "list", gerr)
	}
	fields := "name,size,allocated,free,checkpoint,expandsize,fragmentation,capacity,dedupratio,health,altroot"
	scripted, literal := false, false
	for _, o := range opts {
		switch o.c {
		case 'H':
			scripted = true
		case 'p':
			literal = true
		case 'o':
			fields = o.arg
		}
	}
	var props []*poolProp
	for _, f := range strings.Split(fields, ",") {
		p := lookupPoolProp(f)
		if p == nil {
			inv.Errf("bad property list: invalid property '%s'", f)
			writeZpoolUsage(inv.Stderr, "list")
			return 2
		}
		props = append(props, p)
	}
	return withPools(inv, rest, func(s *State, pools []string) int {
		if len(pools) == 0 {
			if len(rest) == 0 {
				inv.Outf("no pools available\n")
			}
			return 0
		}
		rows := make([][]string, len(pools))
		for i, pool := range pools {
			for _, p := range props {
				v, _ := s.poolValue(pool, p.name, literal)
				rows[i] = append(rows[i], v)
			}
		}
		if scripted {
			for _, r := range rows {
				inv.Outf("%s\n", strings.Join(r, "\t"))
			}
			return 0
		}
		widths := make([]int, len(props))
		for i, p := range props {
			widths[i] = len(p.col)
			if p.number {
				widths[i] = max(widths[i], 5)
			}
			for _, r := range rows {
				widths[i] = max(widths[i], len(r[i]))
			}
		}
		line := func(cells []string) {
			var b strings.Builder
			for i, c := range cells {
				if i > 0 {
					b.WriteString("  ")
				}
				switch {
				case props[i].number:
					fmt.Fprintf(&b, "%*s", widths[i], c)
				case i == len(cells)-1:
					b.WriteString(c)
				default:
					fmt.Fprintf(&b, "%-*s", widths[i], c)
				}
			}
			inv.Outf("%s\n", b.String())
		}
		headers := make([]string, len(props))
		for i, p := range props {
			headers[i] = p.col
		}
		line(headers)
		for _, r := range rows {
			line(r)
		}
		return 0
	})
}

func zpoolGet(inv *core.Invocation, args []string) int {
	opts, rest, gerr := getopt(args, ":Hpo:")
	if gerr != nil {
		return zpoolOptError(inv, "get", gerr)
	}
	cols := []string{"name", "property", "value", "source"}
	scripted, literal := false, false
	for _, o := range opts {
		switch o.c {
		case 'H':
			scripted = true
		case 'p':
			literal = true
		case 'o':
			cols = nil
			for _, f := range strings.Split(o.arg, ",") {
				switch f {
				case "name", "property", "value", "source":
					cols = append(cols, f)
				case "all":
					cols = []string{"name", "property", "value", "source"}
				default:
					inv.Errf("invalid column name '%s'", f)
					writeZpoolUsage(inv.Stderr, "get")
					return 2
				}
			}
		}
	}
	if len(rest) < 1 {
		inv.Errf("missing property argument")
		writeZpoolUsage(inv.Stderr, "get")
		return 2
	}
	var props []string
	if rest[0] == "all" {
		for _, p := range poolProps {
			props = append(props, p.name)
		}
	} else {
		for _, f := range strings.Split(rest[0], ",") {
			if lookupPoolProp(f) == nil {
				inv.Errf("bad property list: invalid property '%s'", f)
				writeZpoolUsage(inv.Stderr, "get")
				return 2
			}
			props = append(props, f)
		}
	}
	return withPools(inv, rest[1:], func(s *State, pools []string) int {
		var rows []getRow
		for _, pool := range pools {
			for _, p := range props {
				v, src := s.poolValue(pool, p, literal)
				rows = append(rows, getRow{name: pool, prop: p, value: v, source: src})
			}
		}
		printGet(inv.Stdout, rows, cols, scripted, 0)
		return 0
	})
}

func zpoolStatus(inv *core.Invocation, args []string) int {
	opts, rest, gerr := getopt(args, "DigLpPsvxT:")
	if gerr != nil {
		return zpoolOptError(inv, "status", gerr)
	}
	brief := false
	for _, o := range opts {
		if o.c == 'x' {
			brief = true
		}
	}
	return withPools(inv, rest, func(s *State, pools []string) int {
		if len(pools) == 0 {
			if len(rest) == 0 {
				inv.Outf("no pools available\n")
			}
			return 0
		}
		if brief {
			inv.Outf("all pools are healthy\n")
			return 0
		}
		for i, pool := range pools {
			if i > 0 {
				inv.Outf("\n")
			}
			inv.Outf("  pool: %s\n state: ONLINE\n  scan: none requested\nconfig:\n\n", pool)
			inv.Outf("\t%-10s  %-8s %5s %5s %5s\n", "NAME", "STATE", "READ", "WRITE", "CKSUM")
			inv.Outf("\t%-10s  %-8s %5d %5d %5d\n", pool, "ONLINE", 0, 0, 0)
			inv.Outf("\t  %-8s  %-8s %5d %5d %5d\n", "c1t0d0", "ONLINE", 0, 0, 0)
			inv.Outf("\nerrors: No known data errors\n")
		}
		return 0
	})
}
