package zfs

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/rbac"
)

// zfsBinary is the real binary whose RBAC exec_attr entries govern zfs.
const zfsBinary = "/sbin/zfs"

// A zfsCommand is one subcommand of the simulated zfs.
type zfsCommand struct {
	run      func(c *zfsCmd, args []string) int
	mutating bool
}

// zfsCommands are the implemented subcommands.
var zfsCommands = map[string]zfsCommand{
	"create":   {(*zfsCmd).create, true},
	"destroy":  {(*zfsCmd).destroy, true},
	"snapshot": {(*zfsCmd).snapshot, true},
	"rollback": {(*zfsCmd).rollback, true},
	"clone":    {(*zfsCmd).clone, true},
	"promote":  {(*zfsCmd).promote, true},
	"list":     {(*zfsCmd).list, false},
	"set":      {(*zfsCmd).set, true},
	"get":      {(*zfsCmd).get, false},
	"inherit":  {(*zfsCmd).inherit, true},
	"mount":    {(*zfsCmd).mount, true},
	"unmount":  {(*zfsCmd).unmount, true},
	"hold":     {(*zfsCmd).hold, true},
	"release":  {(*zfsCmd).release, true},
	"holds":    {(*zfsCmd).holds, false},
	"send":     {(*zfsCmd).send, false},
	"receive":  {(*zfsCmd).receive, true},
}

// zfsAliases are the alternative subcommand names zfs accepts.
var zfsAliases = map[string]string{"umount": "unmount", "snap": "snapshot", "recv": "receive"}

// A zfsCmd is one run of the simulated zfs command.
type zfsCmd struct {
	inv *core.Invocation
	sub string
}

// zfsMain runs "zfs SUBCOMMAND ARGS...".
func zfsMain(inv *core.Invocation) int {
	if len(inv.Args) == 0 {
		inv.Errf("missing command")
		writeZfsUsage(inv.Stderr, "")
		inv.Sub = "usage"
		return 2
	}
	sub := inv.Args[0]
	if sub == "-?" {
		writeZfsUsage(inv.Stdout, "")
		inv.Sub = "usage"
		return 0
	}
	if a, ok := zfsAliases[sub]; ok {
		sub = a
	}
	cmd, ok := zfsCommands[sub]
	if !ok {
		inv.Sub = sub
		if _, known := zfsHelp[sub]; known {
			inv.Errf("zfs %s: not supported by the illumos simulator", sub)
			return 2
		}
		inv.Errf("unrecognized command '%s'", inv.Args[0])
		writeZfsUsage(inv.Stderr, "")
		return 2
	}
	if code, injected := inv.Begin(sub, cmd.mutating); injected {
		return code
	}
	c := &zfsCmd{inv: inv, sub: sub}
	args := inv.Args[1:]
	if len(args) > 0 && args[0] == "-?" {
		writeZfsUsage(inv.Stdout, sub)
		return 0
	}
	return cmd.run(c, args)
}

// usage prints the subcommand's usage on stderr and returns exit code 2.
func (c *zfsCmd) usage() int {
	writeZfsUsage(c.inv.Stderr, c.sub)
	return 2
}

// optError reports a getopt error the way each zfs subcommand does.
func (c *zfsCmd) optError(e *getoptError) int {
	if e.missing {
		c.inv.Errf("missing argument for '%c' option", e.c)
	} else {
		c.inv.Errf("invalid option '%c'", e.c)
	}
	return c.usage()
}

// withState runs fn on the locked, loaded dataset table and saves it when
// the command changes state. fn returns the exit code.
func (c *zfsCmd) withState(mutating bool, fn func(s *State) int) int {
	lock, err := c.inv.LockState()
	if err != nil {
		c.inv.Errf("zfs: %v", err)
		return 1
	}
	defer lock.Unlock()
	s, err := Open(c.inv.Root)
	if err != nil {
		c.inv.Errf("zfs: %v", err)
		return 1
	}
	if mutating && rbac.Check(c.inv, zfsBinary) != rbac.Full {
		s.Deny()
	}
	code := fn(s)
	if mutating {
		if err := s.Save(); err != nil {
			c.inv.Errf("zfs: %v", err)
			return 1
		}
	}
	return code
}

// fail prints an error's message and returns 1.
func (c *zfsCmd) fail(err error) int {
	c.inv.Errf("%s", err.Error())
	return 1
}

// parseProps collects -o prop=value options as parseprop() does.
func (c *zfsCmd) parseProps(props map[string]string, arg string) bool {
	k, v, ok := strings.Cut(arg, "=")
	if !ok {
		c.inv.Errf("missing '=' for property=value argument")
		return false
	}
	if _, dup := props[k]; dup {
		c.inv.Errf("property '%s' specified multiple times", k)
		return false
	}
	props[k] = v
	return true
}

func (c *zfsCmd) create(args []string) int {
	opts, rest, gerr := getopt(args, ":V:b:so:p")
	if gerr != nil {
		if gerr.missing && gerr.c == 'V' {
			c.inv.Errf("missing size argument")
			return c.usage()
		}
		return c.optError(gerr)
	}
	props := map[string]string{}
	typ, parents, sparse, bflag := typeFilesystem, false, false, false
	for _, o := range opts {
		switch o.c {
		case 'V':
			n, reason := parseSize(o.arg)
			if reason != "" {
				c.inv.Errf("bad volume size '%s': %s", o.arg, reason)
				return 1
			}
			typ = typeVolume
			props["volsize"] = strconv.FormatUint(n, 10)
		case 'b':
			bflag = true
			n, reason := parseSize(o.arg)
			if reason != "" {
				c.inv.Errf("bad volume block size '%s': %s", o.arg, reason)
				return 1
			}
			props["volblocksize"] = strconv.FormatUint(n, 10)
		case 's':
			sparse = true
		case 'p':
			parents = true
		case 'o':
			if !c.parseProps(props, o.arg) {
				return 1
			}
		}
	}
	if (bflag || sparse) && typ != typeVolume {
		c.inv.Errf("'-s' and '-b' can only be used when creating a volume")
		return c.usage()
	}
	if len(rest) == 0 {
		c.inv.Errf("missing %s argument", typ)
		return c.usage()
	}
	if len(rest) > 1 {
		c.inv.Errf("too many arguments")
		return c.usage()
	}
	return c.withState(true, func(s *State) int {
		err := s.create(rest[0], typ, props, parents)
		var nm *NotMountedError
		if errors.As(err, &nm) {
			c.inv.Errf("%s", nm.Err.Error())
			c.inv.Errf("filesystem successfully created, but not mounted")
			return 1
		}
		if err != nil {
			return c.fail(err)
		}
		return 0
	})
}

func (c *zfsCmd) clone(args []string) int {
	opts, rest, gerr := getopt(args, "o:p")
	if gerr != nil {
		return c.optError(gerr)
	}
	props := map[string]string{}
	parents := false
	for _, o := range opts {
		switch o.c {
		case 'o':
			if !c.parseProps(props, o.arg) {
				return 1
			}
		case 'p':
			parents = true
		}
	}
	switch {
	case len(rest) < 1:
		c.inv.Errf("missing source dataset argument")
		return c.usage()
	case len(rest) < 2:
		c.inv.Errf("missing target dataset argument")
		return c.usage()
	case len(rest) > 2:
		c.inv.Errf("too many arguments")
		return c.usage()
	}
	return c.withState(true, func(s *State) int {
		if d, msg := s.open(rest[0], tSnap); d == nil {
			c.inv.Errf("%s", msg)
			return 1
		}
		err := s.Clone(rest[0], rest[1], props, parents)
		var nm *NotMountedError
		if errors.As(err, &nm) {
			c.inv.Errf("%s", nm.Err.Error())
			c.inv.Errf("clone successfully created, but not mounted")
			return 1
		}
		if err != nil {
			return c.fail(err)
		}
		return 0
	})
}

func (c *zfsCmd) destroy(args []string) int {
	opts, rest, gerr := getopt(args, "vpndfrR")
	if gerr != nil {
		return c.optError(gerr)
	}
	var verbose, parsable, dryrun, deferred, recursive, clones bool
	for _, o := range opts {
		switch o.c {
		case 'v':
			verbose = true
		case 'p':
			verbose, parsable = true, true
		case 'n':
			dryrun = true
		case 'd':
			deferred = true
		case 'r':
			recursive = true
		case 'R':
			recursive, clones = true, true
		}
	}
	if len(rest) == 0 {
		c.inv.Errf("missing dataset argument")
		return c.usage()
	}
	if len(rest) > 1 {
		c.inv.Errf("too many arguments")
		return c.usage()
	}
	name := rest[0]
	return c.withState(!dryrun, func(s *State) int {
		plan, err := s.planDestroy(name, recursive, clones, deferred)
		if err != nil {
			return c.fail(err)
		}
		if verbose {
			var reclaim int64
			for _, n := range plan.names {
				switch {
				case parsable:
					c.inv.Outf("destroy\t%s\n", n)
				case dryrun:
					c.inv.Outf("would destroy %s\n", n)
				default:
					c.inv.Outf("will destroy %s\n", n)
				}
				if d := s.get(n); d.Type == typeSnapshot {
					reclaim += s.snapshotUsed(d)
				}
			}
			if isSnapshotName(name) {
				switch {
				case parsable:
					c.inv.Outf("reclaim\t%d\n", reclaim)
				case dryrun:
					c.inv.Outf("would reclaim %s\n", nicenum(uint64(reclaim)))
				default:
					c.inv.Outf("will reclaim %s\n", nicenum(uint64(reclaim)))
				}
			}
		}
		if dryrun {
			return 0
		}
		if s.denied {
			c.inv.Errf("cannot destroy '%s': permission denied", name)
			return 1
		}
		if err := s.destroyAll(plan); err != nil {
			return c.fail(err)
		}
		return 0
	})
}

func (c *zfsCmd) snapshot(args []string) int {
	opts, rest, gerr := getopt(args, "ro:")
	if gerr != nil {
		return c.optError(gerr)
	}
	props := map[string]string{}
	recursive := false
	for _, o := range opts {
		switch o.c {
		case 'o':
			if !c.parseProps(props, o.arg) {
				return 1
			}
		case 'r':
			recursive = true
		}
	}
	if len(rest) == 0 {
		c.inv.Errf("missing snapshot argument")
		return c.usage()
	}
	multiple := recursive || len(rest) > 1
	return c.withState(true, func(s *State) int {
		for _, a := range rest {
			if !isSnapshotName(a) {
				return c.usage()
			}
			if d, msg := s.open(datasetPart(a), tFS|tVol); d == nil {
				c.inv.Errf("%s", msg)
				return c.usage()
			}
		}
		if err := s.Snapshot(rest, recursive, props); err != nil {
			c.fail(err)
			if multiple {
				c.inv.Errf("no snapshots were created")
			}
			return 1
		}
		return 0
	})
}

func (c *zfsCmd) rollback(args []string) int {
	opts, rest, gerr := getopt(args, "rRf")
	if gerr != nil {
		return c.optError(gerr)
	}
	recursive, clones := false, false
	for _, o := range opts {
		switch o.c {
		case 'r':
			recursive = true
		case 'R':
			recursive, clones = true, true
		}
	}
	if len(rest) < 1 {
		c.inv.Errf("missing dataset argument")
		return c.usage()
	}
	if len(rest) > 1 {
		c.inv.Errf("too many arguments")
		return c.usage()
	}
	return c.withState(true, func(s *State) int {
		if d, msg := s.open(rest[0], tSnap); d == nil {
			c.inv.Errf("%s", msg)
			return 1
		}
		if err := s.Rollback(rest[0], recursive, clones); err != nil {
			return c.fail(err)
		}
		return 0
	})
}

func (c *zfsCmd) promote(args []string) int {
	if len(args) > 0 && strings.HasPrefix(args[0], "-") && len(args[0]) > 1 {
		c.inv.Errf("invalid option '%c'", args[0][1])
		return c.usage()
	}
	if len(args) < 1 {
		c.inv.Errf("missing clone filesystem argument")
		return c.usage()
	}
	if len(args) > 1 {
		c.inv.Errf("too many arguments")
		return c.usage()
	}
	return c.withState(true, func(s *State) int {
		if d, msg := s.open(args[0], tFS|tVol); d == nil {
			c.inv.Errf("%s", msg)
			return 1
		}
		if err := s.Promote(args[0]); err != nil {
			return c.fail(err)
		}
		return 0
	})
}

// parseTypes parses a -t list for list (snap allowed) or get.
func (c *zfsCmd) parseTypes(arg string) (int, bool) {
	types := 0
	for _, t := range strings.Split(arg, ",") {
		switch t {
		case "filesystem":
			types |= tFS
		case "volume":
			types |= tVol
		case "snapshot":
			types |= tSnap
		case "snap":
			if c.sub != "list" {
				c.inv.Errf("invalid type '%s'", t)
				return 0, false
			}
			types |= tSnap
		case "bookmark":
		case "all":
			types = tAll
		default:
			c.inv.Errf("invalid type '%s'", t)
			return 0, false
		}
	}
	return types, true
}

// parseDepth parses -d as parse_depth() does.
func (c *zfsCmd) parseDepth(arg string) (int, bool) {
	n, err := strconv.ParseInt(arg, 0, 32)
	if err != nil {
		c.inv.Errf("%s is not an integer", arg)
		return 0, false
	}
	if n < 0 {
		c.inv.Errf("Depth can not be negative.")
		return 0, false
	}
	return int(n), true
}

func (c *zfsCmd) list(args []string) int {
	opts, rest, gerr := getopt(args, "HS:d:o:prs:t:")
	if gerr != nil {
		return c.optError(gerr)
	}
	fields := "name,used,available,referenced,mountpoint"
	w := walk{limit: -1, types: tFS | tVol}
	var scripted, literal, typesGiven bool
	var keys []sortKey
	for _, o := range opts {
		switch o.c {
		case 'o':
			fields = o.arg
		case 'p':
			literal = true
		case 'd':
			n, ok := c.parseDepth(o.arg)
			if !ok {
				return c.usage()
			}
			w.recursive, w.limit = true, n
		case 'r':
			w.recursive = true
		case 'H':
			scripted = true
		case 's', 'S':
			p := o.arg
			if p != "name" {
				def := lookupProp(p)
				if def == nil && !isUserProp(p) {
					c.inv.Errf("invalid property '%s'", p)
					return c.usage()
				}
				if def != nil {
					p = def.name
				}
			}
			keys = append(keys, sortKey{prop: p, desc: o.c == 'S'})
		case 't':
			t, ok := c.parseTypes(o.arg)
			if !ok {
				return c.usage()
			}
			w.types, typesGiven = t, true
		}
	}
	if fields == "space" && !typesGiven {
		w.types &^= tSnap
	}
	props, bad := parsePropList(fields)
	if bad != "" {
		c.inv.Errf("bad property list: invalid property '%s'", bad)
		return c.usage()
	}
	w.snaps = w.types&tSnap != 0
	if !typesGiven && fields != "space" {
		// Without -t the types are every dataset type (ZFS_TYPE_DATASET
		// with ZFS_ITER_PROP_LISTSNAPS): an operand that names a snapshot
		// is listed, while recursion reaches snapshots only on a pool
		// with listsnapshots=on, which the sim's pools never have.
		w.types |= tSnap
	}
	return c.withState(false, func(s *State) int {
		names, failed := s.collect(c.inv.Stderr, rest, w)
		s.sortBy(names, keys)
		rows := make([][]string, 0, len(names))
		for _, n := range names {
			d := s.get(n)
			row := make([]string, len(props))
			for i, p := range props {
				row[i] = s.cellValue(d, p, literal)
			}
			rows = append(rows, row)
		}
		if len(rows) > 0 {
			printList(c.inv.Stdout, rows, props, scripted)
		}
		if failed {
			return 1
		}
		if len(rows) == 0 && !scripted {
			c.inv.Outf("no datasets available\n")
		}
		return 0
	})
}

// getSources are the -s source names of zfs get.
var getSources = []string{"local", "default", "inherited", "received", "temporary", "none"}

func (c *zfsCmd) get(args []string) int {
	opts, rest, gerr := getopt(args, ":d:o:s:rt:Hp")
	if gerr != nil {
		return c.optError(gerr)
	}
	cols := []string{"name", "property", "value", "source"}
	var sources map[string]bool
	w := walk{limit: -1, types: tAll}
	var scripted, literal bool
	for _, o := range opts {
		switch o.c {
		case 'p':
			literal = true
		case 'd':
			n, ok := c.parseDepth(o.arg)
			if !ok {
				return c.usage()
			}
			w.recursive, w.limit = true, n
		case 'r':
			w.recursive = true
		case 'H':
			scripted = true
		case 'o':
			cols = nil
			for _, f := range strings.Split(o.arg, ",") {
				switch f {
				case "name", "property", "value", "received", "source":
					if len(cols) == 5 {
						c.inv.Errf("too many fields given to -o option")
						return c.usage()
					}
					cols = append(cols, f)
				case "all":
					if len(cols) > 0 {
						c.inv.Errf("\"all\" conflicts with specific fields given to -o option")
						return c.usage()
					}
					cols = []string{"name", "property", "value", "received", "source"}
				default:
					c.inv.Errf("invalid column name '%s'", f)
					return c.usage()
				}
			}
		case 's':
			sources = map[string]bool{}
			for _, src := range strings.Split(o.arg, ",") {
				if !contains(getSources, src) {
					c.inv.Errf("invalid source '%s'", src)
					return c.usage()
				}
				sources[src] = true
			}
		case 't':
			t, ok := c.parseTypes(o.arg)
			if !ok {
				return c.usage()
			}
			w.types = t
		}
	}
	if len(rest) < 1 {
		c.inv.Errf("missing property argument")
		return c.usage()
	}
	all := rest[0] == "all"
	var props []string
	if !all {
		for _, p := range strings.Split(rest[0], ",") {
			switch {
			case p == "name", isUserProp(p):
				props = append(props, p)
			case lookupProp(p) != nil:
				props = append(props, lookupProp(p).name)
			default:
				c.inv.Errf("bad property list: invalid property '%s'", p)
				return c.usage()
			}
		}
	}
	w.snaps = w.types&tSnap != 0
	return c.withState(false, func(s *State) int {
		names, failed := s.collect(c.inv.Stderr, rest[1:], w)
		var rows []getRow
		valueWidth := 0
		for _, p := range props {
			if p != "name" {
				valueWidth = max(valueWidth, initialWidth(p))
			}
		}
		for _, n := range names {
			d := s.get(n)
			list := props
			if all {
				list = s.allPropNames(d)
			}
			for _, p := range list {
				var v propVal
				var ok bool
				if p == "name" {
					v, ok = propVal{value: d.Name, source: "-"}, true
				} else {
					v, ok = s.propValue(d, p, literal)
				}
				if !ok {
					if all {
						continue
					}
					v = propVal{value: "-", source: "-"}
				}
				if all {
					valueWidth = max(valueWidth, initialWidth(p))
				}
				if sources != nil && !sources[sourceKind(v.source)] {
					continue
				}
				rows = append(rows, getRow{name: n, prop: p, value: v.value, received: "-", source: v.source})
			}
		}
		printGet(c.inv.Stdout, rows, cols, scripted, valueWidth)
		if failed {
			return 1
		}
		return 0
	})
}

// sourceKind maps a printed source to its -s name.
func sourceKind(src string) string {
	switch {
	case src == "-":
		return "none"
	case strings.HasPrefix(src, "inherited"):
		return "inherited"
	}
	return src
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (c *zfsCmd) set(args []string) int {
	if len(args) > 0 && strings.HasPrefix(args[0], "-") && len(args[0]) > 1 {
		c.inv.Errf("invalid option '%c'", args[0][1])
		return c.usage()
	}
	if len(args) < 1 {
		c.inv.Errf("missing arguments")
		return c.usage()
	}
	if len(args) < 2 {
		if !strings.Contains(args[0], "=") {
			c.inv.Errf("missing property=value argument(s)")
		} else {
			c.inv.Errf("missing dataset name(s)")
		}
		return c.usage()
	}
	dsStart := -1
	for i, a := range args {
		if strings.Contains(a, "=") {
			if dsStart >= 0 {
				c.inv.Errf("invalid argument order")
				return c.usage()
			}
		} else if dsStart < 0 {
			dsStart = i
		}
	}
	if dsStart < 0 {
		c.inv.Errf("missing dataset name(s)")
		return c.usage()
	}
	props := map[string]string{}
	for _, a := range args[:dsStart] {
		if !c.parseProps(props, a) {
			return 1
		}
	}
	return c.withState(true, func(s *State) int {
		code := 0
		for _, a := range args[dsStart:] {
			d, msg := s.open(a, tAll)
			if d == nil {
				c.inv.Errf("%s", msg)
				code = 1
				continue
			}
			if err := s.SetProps(d.Name, props); err != nil {
				c.fail(err)
				code = 1
			}
		}
		return code
	})
}

func (c *zfsCmd) inherit(args []string) int {
	opts, rest, gerr := getopt(args, "rS")
	if gerr != nil {
		c.inv.Errf("invalid option '%c'", gerr.c)
		return c.usage()
	}
	recursive := false
	for _, o := range opts {
		if o.c == 'r' {
			recursive = true
		}
	}
	if len(rest) < 1 {
		c.inv.Errf("missing property argument")
		return c.usage()
	}
	if len(rest) < 2 {
		c.inv.Errf("missing dataset argument")
		return c.usage()
	}
	prop := rest[0]
	if def := lookupProp(prop); def != nil {
		if def.readonly {
			c.inv.Errf("%s property is read-only", prop)
			return 1
		}
		if !def.inherit {
			c.inv.Errf("'%s' property cannot be inherited", prop)
			switch def.name {
			case "quota", "reservation", "refquota", "refreservation":
				c.inv.Errf("use 'zfs set %s=none' to clear", prop)
				c.inv.Errf("use 'zfs inherit -S %s' to revert to received value", prop)
			}
			return 1
		}
	} else if !isUserProp(prop) {
		c.inv.Errf("invalid property '%s'", prop)
		return c.usage()
	}
	return c.withState(true, func(s *State) int {
		code := 0
		for _, a := range rest[1:] {
			d, msg := s.open(a, tAll)
			if d == nil {
				c.inv.Errf("%s", msg)
				code = 1
				continue
			}
			if err := s.Inherit(d.Name, prop, recursive); err != nil {
				c.fail(err)
				code = 1
			}
		}
		return code
	})
}

func (c *zfsCmd) mount(args []string) int {
	opts, rest, gerr := getopt(args, ":avo:O")
	if gerr != nil {
		return c.optError(gerr)
	}
	all := false
	for _, o := range opts {
		if o.c == 'a' {
			all = true
		}
	}
	if len(rest) == 0 && !all {
		return c.withState(false, func(s *State) int {
			var names []string
			for n, d := range s.t.Datasets {
				if d.MountPath != "" {
					names = append(names, n)
				}
			}
			sort.Slice(names, func(i, j int) bool {
				return s.get(names[i]).MountPath < s.get(names[j]).MountPath
			})
			for _, n := range names {
				c.inv.Outf("%-30s  %s\n", n, s.get(n).MountPath)
			}
			return 0
		})
	}
	if all && len(rest) > 0 || len(rest) > 1 {
		c.inv.Errf("too many arguments")
		return c.usage()
	}
	return c.withState(true, func(s *State) int {
		if all {
			code := 0
			names := sortedNames(s.t.Datasets)
			for _, n := range names {
				d := s.get(n)
				if d.Type == typeFilesystem && d.MountPath == "" && s.shouldAutoMount(d) {
					if err := s.mountFS(d, false); err != nil {
						c.fail(err)
						code = 1
					}
				}
			}
			return code
		}
		// zfs_main.c share_mount(): a single operand is a dataset name
		// given to zfs_open(), whose zfs_validate_name() refuses a path
		// ("cannot open '/path': leading slash in name"); unlike list
		// and get, mount takes no mountpoint paths.
		d, msg := s.openName(rest[0], tFS)
		if d == nil {
			c.inv.Errf("%s", msg)
			return 1
		}
		if err := s.mountFS(d, true); err != nil {
			return c.fail(err)
		}
		return 0
	})
}

// mountFS mounts a filesystem at its mountpoint as zfs mount does; explicit
// reports why a filesystem that cannot be mounted is skipped.
func (s *State) mountFS(d *dataset, explicit bool) error {
	if v, _ := s.propValue(d, "zoned", false); v.value == "on" {
		return errf("cannot mount '%s': dataset is exported to a local zone", d.Name)
	}
	mp := s.mountpoint(d)
	switch mp {
	case "legacy":
		return errf("cannot mount '%s': legacy mountpoint\nuse mount(1M) to mount this filesystem", d.Name)
	case "none":
		return errf("cannot mount '%s': no mountpoint set", d.Name)
	}
	if v, _ := s.propValue(d, "canmount", false); v.value == "off" {
		return errf("cannot mount '%s': 'canmount' property is set to 'off'", d.Name)
	}
	if d.MountPath != "" {
		return errf("cannot mount '%s': filesystem already mounted", d.Name)
	}
	if s.denied {
		return errf("cannot mount '%s': permission denied", mp)
	}
	return s.mountAt(d, mp, "cannot mount '"+mp+"'")
}

func (c *zfsCmd) unmount(args []string) int {
	opts, rest, gerr := getopt(args, "af")
	if gerr != nil {
		return c.optError(gerr)
	}
	all := false
	for _, o := range opts {
		if o.c == 'a' {
			all = true
		}
	}
	if all {
		if len(rest) > 0 {
			c.inv.Errf("too many arguments")
			return c.usage()
		}
	} else {
		if len(rest) == 0 {
			c.inv.Errf("missing filesystem argument")
			return c.usage()
		}
		if len(rest) > 1 {
			c.inv.Errf("too many arguments")
			return c.usage()
		}
	}
	return c.withState(true, func(s *State) int {
		if all {
			var mounted []*dataset
			for _, n := range sortedNames(s.t.Datasets) {
				if d := s.get(n); d.MountPath != "" && !d.NoData && d.MountPath == s.mountpoint(d) {
					mounted = append(mounted, d)
				}
			}
			sort.Slice(mounted, func(i, j int) bool { return mounted[i].MountPath > mounted[j].MountPath })
			code := 0
			for _, d := range mounted {
				if s.denied {
					c.inv.Errf("cannot unmount '%s': permission denied", d.MountPath)
					return 1
				}
				if err := s.unmount(d); err != nil {
					c.fail(err)
					code = 1
				}
			}
			return code
		}
		arg := rest[0]
		var d *dataset
		if strings.HasPrefix(arg, "/") {
			for _, x := range s.t.Datasets {
				if x.MountPath == arg {
					d = x
				}
			}
			if d == nil {
				c.inv.Errf("cannot unmount '%s': not a mountpoint", arg)
				return 1
			}
		} else {
			var msg string
			if d, msg = s.open(arg, tFS); d == nil {
				c.inv.Errf("%s", msg)
				return 1
			}
		}
		if d.MountPath == "" {
			c.inv.Errf("cannot unmount '%s': not currently mounted", d.Name)
			return 1
		}
		if d.MountPath != s.mountpoint(d) && !strings.HasPrefix(arg, "/") {
			c.inv.Errf("cannot unmount '%s': legacy mountpoint", d.Name)
			c.inv.Errf("use umount(1M) to unmount this filesystem")
			return 1
		}
		if s.denied {
			c.inv.Errf("cannot unmount '%s': permission denied", d.MountPath)
			return 1
		}
		if err := s.unmount(d); err != nil {
			return c.fail(err)
		}
		return 0
	})
}
