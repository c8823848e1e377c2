package zfs

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// colNames are the column headers of zfs list (zfs_prop_column_name()).
var colNames = map[string]string{
	"type": "TYPE", "creation": "CREATION", "used": "USED", "available": "AVAIL",
	"referenced": "REFER", "compressratio": "RATIO", "mounted": "MOUNTED",
	"origin": "ORIGIN", "quota": "QUOTA", "reservation": "RESERV", "volsize": "VOLSIZE",
	"volblocksize": "VOLBLOCK", "recordsize": "RECSIZE", "mountpoint": "MOUNTPOINT",
	"sharenfs": "SHARENFS", "checksum": "CHECKSUM", "compression": "COMPRESS",
	"atime": "ATIME", "devices": "DEVICES", "exec": "EXEC", "setuid": "SETUID",
	"readonly": "RDONLY", "zoned": "ZONED", "snapdir": "SNAPDIR", "aclmode": "ACLMODE",
	"aclinherit": "ACLINHERIT", "createtxg": "CREATETXG", "name": "NAME",
	"canmount": "CANMOUNT", "xattr": "XATTR", "copies": "COPIES", "version": "VERSION",
	"utf8only": "UTF8ONLY", "normalization": "NORMALIZATION", "casesensitivity": "CASE",
	"vscan": "VSCAN", "nbmand": "NBMAND", "sharesmb": "SHARESMB", "refquota": "REFQUOTA",
	"refreservation": "REFRESERV", "guid": "GUID", "primarycache": "PRIMARYCACHE",
	"secondarycache": "SECONDARYCACHE", "usedbysnapshots": "USEDSNAP",
	"usedbydataset": "USEDDS", "usedbychildren": "USEDCHILD",
	"usedbyrefreservation": "USEDREFRESERV", "defer_destroy": "DEFER_DESTROY",
	"userrefs": "USERREFS", "logbias": "LOGBIAS", "dedup": "DEDUP", "mlslabel": "MLSLABEL",
	"sync": "SYNC", "refcompressratio": "REFRATIO", "written": "WRITTEN", "clones": "CLONES",
	"logicalused": "LUSED", "logicalreferenced": "LREFER", "filesystem_limit": "FSLIMIT",
	"snapshot_limit": "SSLIMIT", "redundant_metadata": "REDUND_MD",
}

// colHeader returns the zfs list header of a column (user properties are
// upper-cased).
func colHeader(prop string) string {
	if c, ok := colNames[prop]; ok {
		return c
	}
	return strings.ToUpper(prop)
}

// rightAligned reports whether zfs list right-justifies a column: the
// numeric properties.
func rightAligned(prop string) bool {
	if p := propByName[prop]; p != nil {
		return p.number || prop == "compressratio" || prop == "refcompressratio" ||
			prop == "version" || prop == "filesystem_limit" || prop == "snapshot_limit"
	}
	return false
}

// initialWidth is zprop_width(): the header width, at least 5 for numbers
// (the widest human-readable number), at least the widest value of an
// index property.
func initialWidth(prop string) int {
	w := len(colHeader(prop))
	p := propByName[prop]
	if p == nil {
		return w
	}
	if p.number && prop != "creation" {
		w = max(w, 5)
	}
	for _, v := range p.index {
		w = max(w, len(v))
	}
	return w
}

// A walk selects datasets the way zfs_for_each() does.
type walk struct {
	recursive bool
	limit     int // depth limit when >= 0
	types     int // types to report
	// snaps includes snapshots while recursing (the -t set names them, or
	// the pool lists snapshots).
	snaps bool
	// namesOnly takes every operand as a dataset name, never as a mounted
	// path (zfs_for_each() without ZFS_ITER_ARGS_CAN_BE_PATHS).
	namesOnly bool
}

// collect resolves the operands (names or mounted paths) and returns the
// selected datasets in default order without duplicates. Operands that
// cannot be opened are reported on errw; failed is then true.
func (s *State) collect(errw io.Writer, args []string, w walk) (names []string, failed bool) {
	seen := map[string]bool{}
	var visit func(d *dataset, depth int)
	visit = func(d *dataset, depth int) {
		if typeBit(d.Type)&w.types != 0 && !seen[d.Name] {
			seen[d.Name] = true
			names = append(names, d.Name)
		}
		if !w.recursive || (w.limit >= 0 && depth >= w.limit) || d.Type == typeSnapshot {
			return
		}
		if d.Type == typeFilesystem {
			for _, c := range s.Children(d.Name) {
				visit(s.get(c), depth+1)
			}
		}
		if w.snaps {
			for _, sn := range s.Snapshots(d.Name) {
				visit(s.get(sn), depth+1)
			}
		}
	}
	if len(args) == 0 {
		w.recursive = true
		for _, p := range s.pools() {
			visit(s.get(p), 0)
		}
	}
	argtypes := w.types
	if w.recursive {
		argtypes |= tFS | tVol
	}
	for _, a := range args {
		var d *dataset
		var msg string
		if w.namesOnly {
			d, msg = s.openName(a, argtypes)
		} else {
			d, msg = s.open(a, argtypes)
		}
		if d == nil {
			fmt.Fprintln(errw, msg)
			failed = true
			continue
		}
		visit(d, 0)
	}
	s.sortDefault(names)
	return names, failed
}

// open resolves one operand as zfs_path_to_zhandle()/zfs_open() do:
// an absolute path names the filesystem mounted there; the dataset must be
// of one of the given types. On failure it returns the message to print.
func (s *State) open(arg string, types int) (*dataset, string) {
	if strings.HasPrefix(arg, "/") {
		if _, err := os.Lstat(s.hostPath(arg)); err != nil {
			return nil, fmt.Sprintf("%s: No such file or directory", arg)
		}
		best := ""
		for n, x := range s.t.Datasets {
			if x.MountPath == "" || !(x.MountPath == arg || under(arg, x.MountPath)) {
				continue
			}
			if best == "" || len(x.MountPath) > len(s.get(best).MountPath) {
				best = n
			}
		}
		if best == "" {
			return nil, fmt.Sprintf("'%s': not a ZFS filesystem", arg)
		}
		d := s.get(best)
		if typeBit(d.Type)&types == 0 {
			return nil, fmt.Sprintf("cannot open '%s': operation not applicable to datasets of this type", arg)
		}
		return d, ""
	}
	return s.openName(arg, types)
}

// openName resolves a dataset name as zfs_open() does: the name must be
// valid, exist and be of one of the given types. On failure it returns
// the message to print.
func (s *State) openName(name string, types int) (*dataset, string) {
	if r := validateName(name, isSnapshotName(name)); r != "" {
		return nil, fmt.Sprintf("cannot open '%s': %s", name, r)
	}
	d := s.get(name)
	if d == nil {
		return nil, fmt.Sprintf("cannot open '%s': dataset does not exist", name)
	}
	if typeBit(d.Type)&types == 0 {
		return nil, fmt.Sprintf("cannot open '%s': operation not applicable to datasets of this type", name)
	}
	return d, ""
}

// A sortKey is one -s (ascending) or -S (descending) column.
type sortKey struct {
	prop string
	desc bool
}

// sortBy orders names by the sort keys, falling back to the default
// order; a dataset without the property sorts after those with it.
func (s *State) sortBy(names []string, keys []sortKey) {
	if len(keys) == 0 {
		return
	}
	type cell struct {
		ok  bool
		num int64
		str string
	}
	vals := map[string][]cell{}
	for _, n := range names {
		d := s.get(n)
		row := make([]cell, len(keys))
		for i, k := range keys {
			if k.prop == "name" {
				row[i] = cell{ok: true, str: n}
				continue
			}
			v, ok := s.propValue(d, k.prop, true)
			row[i].ok = ok
			row[i].str = v.value
			if p := propByName[k.prop]; p != nil && p.number {
				row[i].num, _ = strconv.ParseInt(v.value, 10, 64)
				row[i].str = ""
			}
		}
		vals[n] = row
	}
	sort.SliceStable(names, func(i, j int) bool {
		a, b := vals[names[i]], vals[names[j]]
		for k, key := range keys {
			x, y := a[k], b[k]
			if x.ok != y.ok {
				return x.ok
			}
			c := 0
			switch {
			case x.str != y.str:
				c = strings.Compare(x.str, y.str)
			case x.num < y.num:
				c = -1
			case x.num > y.num:
				c = 1
			}
			if c != 0 {
				if key.desc {
					return c > 0
				}
				return c < 0
			}
		}
		return s.lessDefault(names[i], names[j])
	})
}

// parsePropList parses a comma-separated property list (zprop_get_list)
// into canonical names. "all" and "space" expand. bad names the first
// invalid property.
func parsePropList(list string) (props []string, bad string) {
	for _, p := range strings.Split(list, ",") {
		switch {
		case p == "all":
			props = append(props, "name")
			for _, d := range propDefs {
				if !d.hidden {
					props = append(props, d.name)
				}
			}
		case p == "space":
			props = append(props, "name", "available", "used", "usedbysnapshots",
				"usedbydataset", "usedbyrefreservation", "usedbychildren")
		case p == "name":
			props = append(props, "name")
		case isUserProp(p):
			props = append(props, p)
		default:
			d := lookupProp(p)
			if d == nil || p == "" {
				return nil, p
			}
			props = append(props, d.name)
		}
	}
	return props, ""
}

// cellValue is what zfs list prints for one column of one dataset.
func (s *State) cellValue(d *dataset, prop string, literal bool) string {
	if prop == "name" {
		return d.Name
	}
	v, ok := s.propValue(d, prop, literal)
	if !ok {
		return "-"
	}
	return v.value
}

// printList prints zfs list rows: TAB-separated with -H, else a header
// and columns two spaces apart, numbers right-justified, the last column
// unpadded when left-justified.
func printList(out io.Writer, rows [][]string, props []string, scripted bool) {
	if scripted {
		for _, r := range rows {
			fmt.Fprintln(out, strings.Join(r, "\t"))
		}
		return
	}
	widths := make([]int, len(props))
	for i, p := range props {
		widths[i] = initialWidth(p)
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
			last := i == len(cells)-1
			switch {
			case rightAligned(props[i]):
				fmt.Fprintf(&b, "%*s", widths[i], c)
			case last:
				b.WriteString(c)
			default:
				fmt.Fprintf(&b, "%-*s", widths[i], c)
			}
		}
		fmt.Fprintln(out, b.String())
	}
	headers := make([]string, len(props))
	for i, p := range props {
		headers[i] = colHeader(p)
	}
	line(headers)
	for _, r := range rows {
		line(r)
	}
}

// A getRow is one line of zfs get output.
type getRow struct {
	name, prop, value, received, source string
}

// printGet prints zfs get rows in the given columns, as
// zprop_print_one_property() does: TAB-separated with -H, else a header and
// columns padded to their widths, the last unpadded. valueWidth is the
// VALUE column width libzfs computed from the properties.
func printGet(out io.Writer, rows []getRow, cols []string, scripted bool, valueWidth int) {
	widths := map[string]int{"name": 4, "property": 8, "value": max(5, valueWidth), "received": 8, "source": 6}
	for _, r := range rows {
		widths["name"] = max(widths["name"], len(r.name))
		widths["property"] = max(widths["property"], len(r.prop))
		widths["value"] = max(widths["value"], len(r.value))
	}
	widths["source"] = widths["name"] + len("inherited from")
	cell := func(r getRow, c string) string {
		switch c {
		case "name":
			return r.name
		case "property":
			return r.prop
		case "value":
			return r.value
		case "received":
			return r.received
		}
		return r.source
	}
	line := func(get func(c string) string) {
		var b strings.Builder
		for i, c := range cols {
			switch {
			case i == len(cols)-1:
				b.WriteString(get(c))
			case scripted:
				b.WriteString(get(c) + "\t")
			default:
				fmt.Fprintf(&b, "%-*s  ", widths[c], get(c))
			}
		}
		fmt.Fprintln(out, b.String())
	}
	if !scripted && len(rows) > 0 {
		line(func(c string) string { return strings.ToUpper(c) })
	}
	for _, r := range rows {
		line(func(c string) string { return cell(r, c) })
	}
}
