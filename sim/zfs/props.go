package zfs

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Type bits a property applies to.
const (
	tFS   = 1 << iota // filesystem
	tVol              // volume
	tSnap             // snapshot

	tData = tFS | tVol
	tAll  = tFS | tVol | tSnap
)

// A propDef describes one native ZFS property: whether it can be set and
// inherited, which dataset types have it, its default, its allowed values
// (as the usage text lists them) and how its value is computed or checked.
type propDef struct {
	name     string
	readonly bool
	inherit  bool
	// createOnly marks properties that can only be given at creation.
	createOnly bool
	types      int
	def        string
	values     string   // VALUES column of the usage text
	index      []string // allowed values of an index property
	number     bool     // a byte count or other integer (-p prints it exactly)
	noneZero   bool     // "none" is 0 (quota, reservation, ...)
	hidden     bool     // not listed by "zfs get all"
}

// propDefs lists the native properties in the order of illumos's
// zfs_prop_t, which is the order "zfs get all" prints them in.
var propDefs = []*propDef{
	{name: "type", readonly: true, types: tAll, values: "filesystem | volume | snapshot | bookmark"},
	{name: "creation", readonly: true, types: tAll, values: "<date>", number: true},
	{name: "used", readonly: true, types: tAll, values: "<size>", number: true},
	{name: "available", readonly: true, types: tData, values: "<size>", number: true},
	{name: "referenced", readonly: true, types: tAll, values: "<size>", number: true},
	{name: "compressratio", readonly: true, types: tAll, values: "<1.00x or higher if compressed>"},
	{name: "mounted", readonly: true, types: tFS, values: "yes | no"},
	{name: "origin", readonly: true, types: tData, values: "<snapshot>"},
	{name: "quota", types: tFS, def: "none", values: "<size> | none", number: true, noneZero: true},
	{name: "reservation", types: tData, def: "none", values: "<size> | none", number: true, noneZero: true},
	{name: "volsize", types: tVol, values: "<size>", number: true},
	{name: "volblocksize", types: tVol, def: "8192", createOnly: true, values: "512 to 128k, power of 2", number: true},
	{name: "recordsize", types: tFS, inherit: true, def: "131072", values: "512 to 1M, power of 2", number: true},
	{name: "mountpoint", types: tFS, inherit: true, values: "<path> | legacy | none"},
	{name: "sharenfs", types: tFS, inherit: true, def: "off", values: "on | off | share(1M) options"},
	{name: "checksum", types: tData, inherit: true, def: "on", values: "on | off | fletcher2 | fletcher4 | sha256 | sha512 | skein | edonr",
		index: []string{"on", "off", "fletcher2", "fletcher4", "sha256", "sha512", "skein", "edonr"}},
	{name: "compression", types: tData, inherit: true, def: "off", values: "on | off | lzjb | gzip | gzip-[1-9] | zle | lz4",
		index: []string{"on", "off", "lzjb", "gzip", "gzip-1", "gzip-2", "gzip-3", "gzip-4", "gzip-5", "gzip-6", "gzip-7", "gzip-8", "gzip-9", "zle", "lz4"}},
	{name: "atime", types: tFS, inherit: true, def: "on", values: "on | off", index: onOff},
	{name: "devices", types: tFS | tSnap, inherit: true, def: "on", values: "on | off", index: onOff},
	{name: "exec", types: tFS | tSnap, inherit: true, def: "on", values: "on | off", index: onOff},
	{name: "setuid", types: tFS | tSnap, inherit: true, def: "on", values: "on | off", index: onOff},
	{name: "readonly", types: tData, inherit: true, def: "off", values: "on | off", index: onOff},
	{name: "zoned", types: tFS, inherit: true, def: "off", values: "on | off", index: onOff},
	{name: "snapdir", types: tFS, inherit: true, def: "hidden", values: "hidden | visible", index: []string{"hidden", "visible"}},
	{name: "aclmode", types: tFS, inherit: true, def: "discard", values: "discard | groupmask | passthrough | restricted",
		index: []string{"discard", "groupmask", "passthrough", "restricted"}},
	{name: "aclinherit", types: tFS, inherit: true, def: "restricted", values: "discard | noallow | restricted | passthrough | passthrough-x",
		index: []string{"discard", "noallow", "restricted", "passthrough", "passthrough-x"}},
	{name: "createtxg", readonly: true, types: tAll, values: "<uint64>", number: true},
	{name: "name", readonly: true, types: tAll, values: "<string>", hidden: true},
	{name: "canmount", types: tFS, def: "on", values: "on | off | noauto", index: []string{"on", "off", "noauto"}},
	{name: "xattr", types: tFS | tSnap, inherit: true, def: "on", values: "on | off", index: onOff},
	{name: "copies", types: tData, inherit: true, def: "1", values: "1 | 2 | 3", index: []string{"1", "2", "3"}},
	{name: "version", types: tFS | tSnap, def: "5", createOnly: true, values: "1 | 2 | 3 | 4 | 5 | current"},
	{name: "utf8only", types: tFS | tSnap, def: "off", createOnly: true, values: "on | off", index: onOff},
	{name: "normalization", types: tFS | tSnap, def: "none", createOnly: true, values: "none | formC | formD | formKC | formKD",
		index: []string{"none", "formC", "formD", "formKC", "formKD"}},
	{name: "casesensitivity", types: tFS | tSnap, def: "sensitive", createOnly: true, values: "sensitive | insensitive | mixed",
		index: []string{"sensitive", "insensitive", "mixed"}},
	{name: "vscan", types: tFS, inherit: true, def: "off", values: "on | off", index: onOff},
	{name: "nbmand", types: tFS | tSnap, inherit: true, def: "off", values: "on | off", index: onOff},
	{name: "sharesmb", types: tFS, inherit: true, def: "off", values: "on | off | sharemgr(1M) options"},
	{name: "refquota", types: tFS, def: "none", values: "<size> | none", number: true, noneZero: true},
	{name: "refreservation", types: tData, def: "none", values: "<size> | none", number: true, noneZero: true},
	{name: "guid", readonly: true, types: tAll, values: "<uint64>", number: true},
	{name: "primarycache", types: tAll, inherit: true, def: "all", values: "all | none | metadata", index: []string{"all", "none", "metadata"}},
	{name: "secondarycache", types: tAll, inherit: true, def: "all", values: "all | none | metadata", index: []string{"all", "none", "metadata"}},
	{name: "usedbysnapshots", readonly: true, types: tData, values: "<size>", number: true},
	{name: "usedbydataset", readonly: true, types: tData, values: "<size>", number: true},
	{name: "usedbychildren", readonly: true, types: tData, values: "<size>", number: true},
	{name: "usedbyrefreservation", readonly: true, types: tData, values: "<size>", number: true},
	{name: "defer_destroy", readonly: true, types: tSnap, values: "yes | no"},
	{name: "userrefs", readonly: true, types: tSnap, values: "<count>", number: true},
	{name: "logbias", types: tData, inherit: true, def: "latency", values: "latency | throughput", index: []string{"latency", "throughput"}},
	{name: "dedup", types: tData, inherit: true, def: "off", values: "on | off | verify | sha256[,verify], sha512[,verify], skein[,verify], edonr,verify",
		index: []string{"on", "off", "verify", "sha256", "sha256,verify", "sha512", "sha512,verify", "skein", "skein,verify", "edonr,verify"}},
	{name: "mlslabel", types: tAll, inherit: true, def: "none", values: "<sensitivity label>"},
	{name: "sync", types: tData, inherit: true, def: "standard", values: "standard | always | disabled", index: []string{"standard", "always", "disabled"}},
	{name: "refcompressratio", readonly: true, types: tAll, values: "<1.00x or higher if compressed>"},
	{name: "written", readonly: true, types: tAll, values: "<size>", number: true},
	{name: "clones", readonly: true, types: tSnap, values: "<dataset>[,...]"},
	{name: "logicalused", readonly: true, types: tData, values: "<size>", number: true},
	{name: "logicalreferenced", readonly: true, types: tAll, values: "<size>", number: true},
	{name: "filesystem_limit", types: tFS, def: "none", values: "<count> | none"},
	{name: "snapshot_limit", types: tData, def: "none", values: "<count> | none"},
	{name: "redundant_metadata", types: tData, inherit: true, def: "all", values: "all | most", index: []string{"all", "most"}},
}

var onOff = []string{"on", "off"}

// propByName indexes propDefs.
var propByName = func() map[string]*propDef {
	m := map[string]*propDef{}
	for _, p := range propDefs {
		m[p.name] = p
	}
	return m
}()

// lookupProp returns the definition of a native property, named by its
// name or by its column header in lower case ("avail", "refer", "usedds"),
// as libzfs's propname_match() accepts; nil when there is none.
func lookupProp(name string) *propDef {
	if p, ok := propByName[name]; ok {
		return p
	}
	for prop, col := range colNames {
		if strings.ToLower(col) == name {
			return propByName[prop]
		}
	}
	return nil
}

// isUserProp reports whether name is a valid user property name: lowercase
// alphanumerics and "-_.:", with at least one ':'.
func isUserProp(name string) bool {
	if !strings.Contains(name, ":") || len(name) > 256 {
		return false
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// validateProps checks property assignments the way libzfs's
// zfs_valid_proplist() does and returns them with canonical names and
// values. action prefixes the error ("cannot create 'p/a'").
func validateProps(props map[string]string, typ, action string, creating bool) (map[string]string, error) {
	out := map[string]string{}
	for _, k := range sortedNames(props) {
		v := props[k]
		if isUserProp(k) {
			out[k] = v
			continue
		}
		p := lookupProp(k)
		if p == nil {
			return nil, errf("%s: invalid property '%s'", action, k)
		}
		if p.readonly || p.name == "name" {
			return nil, errf("%s: '%s' is readonly", action, p.name)
		}
		if p.createOnly && !creating {
			return nil, errf("%s: '%s' is readonly", action, p.name)
		}
		if p.types&typeBit(typ) == 0 {
			return nil, errf("%s: '%s' does not apply to datasets of this type", action, p.name)
		}
		cv, reason := canonicalValue(p, v)
		if reason != "" {
			return nil, errf("%s: %s", action, reason)
		}
		out[p.name] = cv
	}
	return out, nil
}

// typeBit maps a dataset type to its bit.
func typeBit(typ string) int {
	switch typ {
	case typeFilesystem:
		return tFS
	case typeVolume:
		return tVol
	}
	return tSnap
}

// canonicalValue checks one native property value and returns it as
// stored, or the reason it is invalid.
func canonicalValue(p *propDef, v string) (string, string) {
	switch {
	case p.name == "mountpoint":
		if v == "none" || v == "legacy" {
			return v, ""
		}
		if !strings.HasPrefix(v, "/") {
			return "", fmt.Sprintf("'%s' must be an absolute path, 'none', or 'legacy'", p.name)
		}
		if len(v) > 1 {
			v = strings.TrimRight(v, "/")
		}
		return v, ""
	case p.index != nil:
		for _, x := range p.index {
			if v == x {
				return v, ""
			}
		}
		return "", fmt.Sprintf("'%s' must be one of '%s'", p.name, p.values)
	case p.name == "filesystem_limit" || p.name == "snapshot_limit":
		if v == "none" {
			return v, ""
		}
		if _, err := strconv.ParseUint(v, 10, 64); err != nil {
			return "", fmt.Sprintf("bad numeric value '%s'", v)
		}
		return v, ""
	case p.number:
		if p.noneZero && (v == "none" || v == "0") {
			return "none", ""
		}
		n, reason := parseSize(v)
		if reason != "" {
			return "", reason
		}
		if p.name == "recordsize" && (n < 512 || n > 1<<20 || n&(n-1) != 0) {
			return "", fmt.Sprintf("'%s' must be power of 2 from 512B to 1024KB", p.name)
		}
		return strconv.FormatUint(n, 10), ""
	}
	return v, ""
}

// parseSize parses a size with an optional K/M/G/T/P/E suffix (and an
// optional trailing B), as zfs_nicestrtonum() does.
func parseSize(v string) (uint64, string) {
	if v == "" {
		return 0, fmt.Sprintf("bad numeric value '%s'", v)
	}
	i := 0
	for i < len(v) && (v[i] >= '0' && v[i] <= '9' || v[i] == '.') {
		i++
	}
	if i == 0 {
		return 0, fmt.Sprintf("bad numeric value '%s'", v)
	}
	num, err := strconv.ParseFloat(v[:i], 64)
	if err != nil {
		return 0, fmt.Sprintf("bad numeric value '%s'", v)
	}
	suffix := strings.ToUpper(v[i:])
	shift := 0
	if suffix != "" {
		j := strings.IndexByte("BKMGTPE", suffix[0])
		if j < 0 || len(suffix) > 2 || len(suffix) == 2 && (suffix[1] != 'B' || j == 0) {
			return 0, fmt.Sprintf("invalid numeric suffix '%s'", v[i:])
		}
		if j > 0 {
			shift = 10 * j
		}
	}
	f := num * math.Pow(2, float64(shift))
	if f >= math.MaxUint64 {
		return 0, "numeric value is too large"
	}
	if shift == 0 && strings.Contains(v[:i], ".") {
		return 0, fmt.Sprintf("bad numeric value '%s'", v)
	}
	return uint64(f), ""
}

// A propVal is a property's value as zfs get prints it, with its source.
type propVal struct {
	value  string
	source string // "local", "default", "inherited from X", "-"
}

// propValue computes a property of a dataset. literal selects the -p
// form. ok is false when the property does not apply to the dataset's
// type or has no value (origin of a non-clone, an unset user property).
func (s *State) propValue(d *dataset, name string, literal bool) (propVal, bool) {
	if isUserProp(name) {
		return s.userProp(d, name)
	}
	p := lookupProp(name)
	if p == nil || p.types&typeBit(d.Type) == 0 {
		return propVal{}, false
	}
	if p.readonly || p.name == "volsize" {
		v, ok := s.readonlyValue(d, p, literal)
		return propVal{value: v, source: "-"}, ok
	}
	if p.name == "mountpoint" {
		return s.mountpointValue(d), true
	}
	if p.createOnly && p.name != "volblocksize" {
		v := p.def
		if lv, ok := d.Props[p.name]; ok {
			v = lv
		} else if d.Type == typeSnapshot {
			if fs := s.get(datasetPart(d.Name)); fs != nil {
				if lv, ok := fs.Props[p.name]; ok {
					v = lv
				}
			}
		}
		return propVal{value: v, source: "-"}, true
	}
	v, src := p.def, "default"
	if lv, ok := d.Props[p.name]; ok {
		v, src = lv, "local"
	} else if p.inherit {
		for a := parentOf(d.Name); a != ""; a = parentOf(a) {
			ad := s.get(a)
			if ad == nil {
				break
			}
			if lv, ok := ad.Props[p.name]; ok {
				v, src = lv, "inherited from "+a
				break
			}
		}
	}
	return propVal{value: formatValue(p, v, literal), source: src}, true
}

// formatValue prints a stored settable value.
func formatValue(p *propDef, v string, literal bool) string {
	if !p.number {
		return v
	}
	if v == "none" {
		if literal {
			return "0"
		}
		return "none"
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || literal {
		return v
	}
	return nicenum(n)
}

// userProp returns a user property, inherited like any inheritable one.
func (s *State) userProp(d *dataset, name string) (propVal, bool) {
	if v, ok := d.Props[name]; ok {
		return propVal{value: v, source: "local"}, true
	}
	for a := parentOf(d.Name); a != ""; a = parentOf(a) {
		ad := s.get(a)
		if ad == nil {
			break
		}
		if v, ok := ad.Props[name]; ok {
			return propVal{value: v, source: "inherited from " + a}, true
		}
	}
	return propVal{}, false
}

// mountpointValue computes the mountpoint property: a local value, or the
// nearest ancestor's local value with the relative path appended, or the
// default "/<name>".
func (s *State) mountpointValue(d *dataset) propVal {
	if v, ok := d.Props["mountpoint"]; ok {
		return propVal{value: v, source: "local"}
	}
	for a := parentOf(d.Name); a != ""; a = parentOf(a) {
		ad := s.get(a)
		if ad == nil {
			break
		}
		v, ok := ad.Props["mountpoint"]
		if !ok {
			continue
		}
		src := "inherited from " + a
		if v == "legacy" || v == "none" {
			return propVal{value: v, source: src}
		}
		rel := strings.TrimPrefix(d.Name, a+"/")
		if v == "/" {
			return propVal{value: "/" + rel, source: src}
		}
		return propVal{value: v + "/" + rel, source: src}
	}
	return propVal{value: "/" + d.Name, source: "default"}
}

// readonlyValue computes a read-only (statistic) property.
func (s *State) readonlyValue(d *dataset, p *propDef, literal bool) (string, bool) {
	size := func(n int64) string {
		if literal {
			return strconv.FormatInt(n, 10)
		}
		return nicenum(uint64(n))
	}
	switch p.name {
	case "type":
		return d.Type, true
	case "name":
		return d.Name, true
	case "creation":
		if literal {
			return strconv.FormatInt(d.Creation, 10), true
		}
		return formatCreation(time.Unix(d.Creation, 0)), true
	case "used", "logicalused":
		return size(s.used(d)), true
	case "available":
		return size(s.available(d)), true
	case "referenced", "logicalreferenced":
		return size(s.referenced(d)), true
	case "compressratio", "refcompressratio":
		return "1.00x", true
	case "mounted":
		if d.MountPath != "" {
			return "yes", true
		}
		return "no", true
	case "origin":
		return d.Origin, d.Origin != ""
	case "volsize":
		v, ok := d.Props["volsize"]
		if !ok {
			return "", false
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		return size(n), true
	case "createtxg":
		return strconv.FormatUint(d.CreateTxg, 10), true
	case "guid":
		return strconv.FormatUint(d.GUID, 10), true
	case "usedbysnapshots":
		return size(s.usedBySnapshots(d)), true
	case "usedbydataset":
		return size(s.usedByDataset(d)), true
	case "usedbychildren":
		return size(s.usedByChildren(d)), true
	case "usedbyrefreservation":
		return size(0), true
	case "defer_destroy":
		if d.Defer {
			return "on", true
		}
		return "off", true
	case "userrefs":
		return size(int64(len(d.Holds))), true
	case "written":
		return size(s.written(d)), true
	case "clones":
		return strings.Join(s.clonesOf(d.Name), ","), true
	}
	return "", false
}

// formatCreation prints a time as libzfs does ("%a %b %e %k:%M %Y").
func formatCreation(t time.Time) string {
	return fmt.Sprintf("%s %s %2d %2d:%02d %d", t.Format("Mon"), t.Format("Jan"), t.Day(), t.Hour(), t.Minute(), t.Year())
}

// nicenum formats a byte count as zfs_nicenum() does: "512", "23K",
// "1.20G", "45.9G".
func nicenum(num uint64) string {
	const units = " KMGTPE"
	n := num
	index := 0
	for n >= 1024 && index < len(units)-1 {
		n /= 1024
		index++
	}
	if index == 0 {
		return strconv.FormatUint(n, 10)
	}
	u := units[index]
	if num&(1<<(10*uint(index))-1) == 0 {
		return fmt.Sprintf("%d%c", n, u)
	}
	f := float64(num) / float64(uint64(1)<<(10*uint(index)))
	var s string
	for prec := 2; prec >= 0; prec-- {
		s = fmt.Sprintf("%.*f%c", prec, f, u)
		if len(s) <= 5 {
			break
		}
	}
	return s
}

// poolSize is the simulated pool's size in bytes (100 GiB).
const poolSize = 100 << 30

// poolCapacity is what the datasets of a pool can hold: the pool size
// less the 1/32 slop space ZFS keeps back.
const poolCapacity = poolSize - poolSize/32

// referenced is the data a dataset refers to.
func (s *State) referenced(d *dataset) int64 {
	if d.Type == typeVolume {
		return metaBytes
	}
	if d.Type == typeSnapshot && d.Refer > 0 {
		return d.Refer
	}
	n := s.contents(d).total + metaBytes
	if d.Type == typeSnapshot {
		d.Refer = n
	}
	return n
}

// prevOf returns the scan a dataset's or snapshot's data is compared with
// to find what it alone holds: the previous snapshot, else the clone
// origin, else nil.
func (s *State) prevOf(d *dataset) *scan {
	fsName := datasetPart(d.Name)
	snaps := s.Snapshots(fsName)
	var prev *dataset
	for _, sn := range snaps {
		x := s.get(sn)
		if d.Type == typeSnapshot && x.CreateTxg >= d.CreateTxg {
			break
		}
		prev = x
	}
	if prev == nil {
		if fs := s.get(fsName); fs != nil && fs.Origin != "" {
			prev = s.get(fs.Origin)
		}
	}
	if prev == nil {
		return nil
	}
	return s.contents(prev)
}

// nextOf returns the scan following a snapshot: the next snapshot of the
// same filesystem, else the filesystem's current contents.
func (s *State) nextOf(d *dataset) *scan {
	fsName := datasetPart(d.Name)
	for _, sn := range s.Snapshots(fsName) {
		if x := s.get(sn); x.CreateTxg > d.CreateTxg {
			return s.contents(x)
		}
	}
	return s.contents(s.get(fsName))
}

// written is the data written since the previous snapshot.
func (s *State) written(d *dataset) int64 {
	prev := s.prevOf(d)
	if prev == nil {
		return s.referenced(d)
	}
	return diffBytes(s.contents(d), prev)
}

// usedByDataset is what the dataset's current state alone holds.
func (s *State) usedByDataset(d *dataset) int64 {
	if d.Type == typeVolume {
		return metaBytes
	}
	if s.prevOf(d) == nil {
		return s.referenced(d)
	}
	return s.written(d) + metaBytes
}

// snapshotUsed is what a snapshot alone holds: data neither its
// predecessor nor its successor shares.
func (s *State) snapshotUsed(d *dataset) int64 {
	c := s.contents(d)
	a := diffBytes(c, s.prevOf(d))
	b := diffBytes(c, s.nextOf(d))
	return min(a, b)
}

// usedBySnapshots sums the snapshots' own data.
func (s *State) usedBySnapshots(d *dataset) int64 {
	var n int64
	for _, sn := range s.Snapshots(d.Name) {
		n += s.snapshotUsed(s.get(sn))
	}
	return n
}

// usedByChildren sums the children's used.
func (s *State) usedByChildren(d *dataset) int64 {
	var n int64
	for _, c := range s.Children(d.Name) {
		n += s.used(s.get(c))
	}
	return n
}

// used is the space a dataset and everything below it consumes.
func (s *State) used(d *dataset) int64 {
	if d.Type == typeSnapshot {
		return s.snapshotUsed(d)
	}
	n := s.usedByDataset(d) + s.usedBySnapshots(d) + s.usedByChildren(d)
	if v, ok := d.Props["reservation"]; ok && v != "none" {
		r, _ := strconv.ParseInt(v, 10, 64)
		n = max(n, r)
	}
	return n
}

// available is the space left for a dataset: the pool's free space,
// limited by its own and its ancestors' quotas.
func (s *State) available(d *dataset) int64 {
	root := s.get(poolOf(d.Name))
	avail := int64(poolCapacity) - s.used(root)
	for a := d.Name; a != ""; a = parentOf(a) {
		ad := s.get(a)
		if ad == nil {
			continue
		}
		if q, ok := ad.Props["quota"]; ok && q != "none" {
			n, _ := strconv.ParseInt(q, 10, 64)
			avail = min(avail, n-s.used(ad))
		}
	}
	return max(avail, 0)
}

// allPropNames returns the properties "zfs get all" prints for a dataset:
// the native ones that apply to its type, then its user properties
// (local and inherited), sorted.
func (s *State) allPropNames(d *dataset) []string {
	var out []string
	for _, p := range propDefs {
		if !p.hidden && p.types&typeBit(d.Type) != 0 {
			out = append(out, p.name)
		}
	}
	user := map[string]bool{}
	for a := d.Name; a != ""; a = parentOf(a) {
		if ad := s.get(a); ad != nil {
			for k := range ad.Props {
				if isUserProp(k) {
					user[k] = true
				}
			}
		}
	}
	names := sortedNames(user)
	sort.Strings(names)
	return append(out, names...)
}
