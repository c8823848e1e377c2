package zones

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
)

// This file holds zonecfg's resource handling: add, set, clear, select,
// remove, end and verify, ported from the handlers of illumos
// usr/src/cmd/zonecfg/zonecfg.c with their messages. What differs from
// one property or resource type to the next is data, in two tables:
// zcGlobals (the properties of the global scope) and zcResTypes (the
// resource types); the handlers are written once, against them.

// zNoPropertyID is Z_NO_PROPERTY_ID.
const zNoPropertyID = 100

func init() { zStrerror[zNoPropertyID] = "No such property with that id" }

// gzRctlWarning is printed before a resource control of the global zone
// is set.
const gzRctlWarning = "WARNING: Setting a global zone resource control too low could deny\n" +
	"service to even the root user; this could render the system impossible\nto administer.  Please use caution."

// A zcGlobal is one property of the global scope (zonecfg.c handles them
// as the resource types RT_ZONENAME ... RT_FS_ALLOWED).
type zcGlobal struct {
	name    string
	notInGZ bool // not a property of the global zone (zonecfg -z global)
	// alias marks an aliased rctl (rctlAliases): set_aliased_rctl() sets
	// it, remove_aliased_rctl() clears it, info prints "[name: value]",
	// and export leaves it to the rctl resources.
	alias bool
	field func(h *Config) *string // where the value lives
	get   func(h *Config) string  // the value info and export print, when not *field
	put   func(h *Config, v string)
	// valid checks a value for set and reports what is wrong.
	valid func(s *zcSession, v string) bool
	// set replaces the generic set (check, store, need a commit).
	set     func(s *zcSession, v string)
	noClear bool   // clear refuses it (Z_CLEAR_DISALLOW)
	cleared string // the value clear leaves
}

// zcGlobals are the global properties in the order info prints them
// (info_func()); export prints them in the same order, without the
// zone's name and the aliases.
var zcGlobals = []*zcGlobal{
	{name: "zonename", notInGZ: true, noClear: true, field: func(h *Config) *string { return &h.Name },
		set: (*zcSession).setZonename},
	{name: "zonepath", notInGZ: true, noClear: true, field: func(h *Config) *string { return &h.Zonepath },
		valid: validZonepath},
	{name: "brand", notInGZ: true, noClear: true, field: func(h *Config) *string { return &h.Brand },
		get: func(h *Config) string { return brandOrNative(h.Brand) }, valid: notInstalled("brand")},
	{name: "autoboot", notInGZ: true, cleared: "false",
		get: func(h *Config) string { return strconv.FormatBool(h.Autoboot) },
		put: func(h *Config, v string) { h.Autoboot = v == "true" }, valid: either("autoboot", "true", "false")},
	{name: "bootargs", notInGZ: true, field: func(h *Config) *string { return &h.Bootargs }},
	{name: "pool", field: func(h *Config) *string { return &h.Pool }, valid: validPool},
	{name: "limitpriv", notInGZ: true, field: func(h *Config) *string { return &h.Limitpriv }},
	{name: "scheduling-class", notInGZ: true, field: func(h *Config) *string { return &h.SchedulingClass }},
	// An absent ip-type is shared (zonecfg_get_iptype()); clear writes it.
	// zonecfg.c set_func() RT_IPTYPE then refuses "exclusive" when
	// allow_exclusive() (libbrand.c brand_allow_exclusive_ip()) finds no
	// allow-exclusive-ip="true" on the brand's platform.xml ("ip-type
	// cannot be 'exclusive' when brand is '%s'."). Every pkg5 brand's
	// platform.xml has it (omniosorg/pkg5 and OpenIndiana/pkg5
	// src/brand/*/platform.xml), as do illumos-gate's
	// usr/src/lib/brand/{ipkg,labeled,sn1}/zone/platform.xml, so the sim
	// does not check. [unconfirmed: nlipkg's and native's platform.xml
	// were not read.]
	{name: "ip-type", notInGZ: true, cleared: "shared", field: func(h *Config) *string { return &h.IPType },
		get: (*Config).IPTypeOrDefault, valid: either("ip-type", "shared", "exclusive")},
	{name: "hostid", notInGZ: true, field: func(h *Config) *string { return &h.Hostid }, valid: validHostid},
	{name: "fs-allowed", notInGZ: true, field: func(h *Config) *string { return &h.FSAllowed }},
	{name: "max-lwps", alias: true},
	{name: "max-processes", alias: true},
	{name: "max-shm-memory", alias: true},
	{name: "max-shm-ids", alias: true},
	{name: "max-msg-ids", alias: true},
	{name: "max-sem-ids", alias: true},
	{name: "cpu-shares", alias: true},
}

// globalProp returns the global property called name, or nil.
func globalProp(name string) *zcGlobal {
	for _, g := range zcGlobals {
		if g.name == name {
			return g
		}
	}
	return nil
}

// gzInvalidProp reports a property that cannot be set for the global zone.
func gzInvalidProp(name string) bool {
	g := globalProp(name)
	return g != nil && g.notInGZ
}

func (g *zcGlobal) value(h *Config) string {
	if g.get != nil {
		return g.get(h)
	}
	return *g.field(h)
}

func (g *zcGlobal) store(h *Config, v string) {
	if g.put != nil {
		g.put(h, v)
		return
	}
	*g.field(h) = v
}

// A zcResType is one resource type: its properties and, for the types
// that are not lists in the Config, how to reach its one instance.
type zcResType struct {
	name string
	// notInGZ: the global zone cannot have it (add, remove and info
	// refuse it); gzHidden: info without arguments leaves it out for the
	// global zone (info_func()).
	notInGZ, gzHidden bool
	props             []*zcProp // in the order export prints them
	infoOrder         []string  // the order info prints them, when not export's
	// infoKeys are the qualifiers "info <type> prop=value" filters on
	// (all when nil).
	infoKeys []string

	// The list types (fs, net, device, rctl, attr, dataset, admin):
	list *zcList
	// dup reports, at the end of an add, that an equal resource already
	// exists.
	dup func(s *zcSession, t *zcResType, r any) bool
	// check is end's whole-resource check, after the property checks.
	check func(s *zcSession, r any) bool

	// The single-instance types (dedicated-cpu, capped-cpu,
	// capped-memory), which live in Config.Pset, Config.Mcap and aliased
	// rctls:
	fresh  func() any                          // an empty resource to add (nil: none is edited)
	canAdd func(s *zcSession) bool             // add: false (reported) when one exists
	find   func(h *Config) (any, int)          // a copy of the resource to edit, or why there is none
	drop   func(h *Config)                     // remove
	end    func(s *zcSession) bool             // end, after the property checks: store it
	print  func(w io.Writer, h *Config, r any) // info
	export func(b *strings.Builder, h *Config)
	// removeErr is the error remove reports when there is none, when
	// not find's.
	removeErr int
}

// A zcProp is one property of a resource type.
type zcProp struct {
	name string
	// field is where the value lives in the resource being edited (a
	// pointer to an FS, Net, ...); alias instead names the aliased rctl
	// that holds it in the Config itself, which set and clear change at
	// once.
	field func(r any) *string
	alias string
	list  *zcValues // a property holding a list of values
	// required: end reports "<name> not specified" when it is not set;
	// endCheck is end's check of a value that is set.
	required bool
	endCheck func(s *zcSession, prop, v string) bool
	// valid checks a value for set, reports what is wrong and returns
	// the value to store.
	valid  func(s *zcSession, v string) (string, bool)
	store  func(r any, v string) // set's store, when not *field = v
	clear  bool                  // clear empties it; otherwise Z_CLEAR_DISALLOW
	remove bool                  // "remove <name> <value>" empties it
}

// A zcValues is a list-valued property: fs options (simple values) and
// rctl value (complex ones). set replaces the list, add adds values and
// remove removes them.
type zcValues struct {
	complex bool
	// add adds one value of "add" or "set"; false stops at it.
	add    func(s *zcSession, r any, it listItem) bool
	remove func(s *zcSession, r any, prop string, pv propValue)
	reset  func(r any)
	own    func(r any) // gives a selected resource a list of its own
	info   func(w io.Writer, r any)
	export func(b *strings.Builder, r any)
}

// A zcList is the slice of a Config that holds a list type.
type zcList struct {
	count  func(h *Config) int
	at     func(h *Config, i int) any // a pointer to resource i
	delete func(h *Config, i int)
	add    func(h *Config, r any) // appends *r at the next document position
	fresh  func() any
	copy   func(r any) any
}

// listOf describes the Config slice items returns; seq is the document
// position of a resource.
func listOf[T any](items func(h *Config) *[]T, seq func(r *T) *int) *zcList {
	return &zcList{
		count: func(h *Config) int { return len(*items(h)) },
		at:    func(h *Config, i int) any { return &(*items(h))[i] },
		delete: func(h *Config, i int) {
			l := items(h)
			*l = append((*l)[:i], (*l)[i+1:]...)
		},
		add: func(h *Config, r any) {
			v := *r.(*T)
			*seq(&v) = h.nextSeq()
			*items(h) = append(*items(h), v)
		},
		fresh: func() any { return new(T) },
		copy: func(r any) any {
			v := *r.(*T)
			return &v
		},
	}
}

// zcResTypes are the resource types, in the order info prints them
// (info_func()). security-flags is a resource word of the parser that the
// sim does not simulate: "No such resource type".
var zcResTypes = []*zcResType{
	{name: "fs", notInGZ: true,
		list: listOf(func(h *Config) *[]FS { return &h.FS }, func(f *FS) *int { return &f.seq }),
		props: []*zcProp{
			{name: "dir", field: func(r any) *string { return &r.(*FS).Dir }, required: true, endCheck: absolutePath},
			{name: "special", field: func(r any) *string { return &r.(*FS).Special }, required: true},
			{name: "raw", field: func(r any) *string { return &r.(*FS).Raw }, endCheck: absolutePath, clear: true},
			{name: "type", field: func(r any) *string { return &r.(*FS).Type }, required: true, valid: validFSType},
			{name: "options", list: fsOptions},
		},
		// Like info_fs(), raw does not filter.
		infoKeys: []string{"dir", "special", "type"},
		dup:      sameKey("A", "dir")},
	{name: "net", notInGZ: true,
		list: listOf(func(h *Config) *[]Net { return &h.Net }, func(n *Net) *int { return &n.seq }),
		props: []*zcProp{
			{name: "address", field: func(r any) *string { return &r.(*Net).Address },
				valid: func(s *zcSession, v string) (string, bool) { return v, s.validNetAddress(v, false) || s.failed() }},
			{name: "allowed-address", field: func(r any) *string { return &r.(*Net).AllowedAddress },
				valid: func(s *zcSession, v string) (string, bool) { return v, s.validNetAddress(v, false) || s.failed() }},
			{name: "physical", field: func(r any) *string { return &r.(*Net).Physical }, required: true,
				valid: func(s *zcSession, v string) (string, bool) { return v, s.validPhysical(v) || s.failed() }},
			{name: "defrouter", field: func(r any) *string { return &r.(*Net).Defrouter }, remove: true,
				valid: func(s *zcSession, v string) (string, bool) { return v, s.validNetAddress(v, true) || s.failed() }},
		},
		// info's order is the one illumos-commands.md §3.6 gives for
		// illumos-gate [derived].
		infoOrder: []string{"address", "allowed-address", "defrouter", "physical"},
		// Like info_net(), only these qualifiers filter.
		infoKeys: []string{"physical", "address"},
		dup:      netExists},
	{name: "device", notInGZ: true,
		list: listOf(func(h *Config) *[]Device { return &h.Device }, func(d *Device) *int { return &d.seq }),
		props: []*zcProp{
			{name: "match", field: func(r any) *string { return &r.(*Device).Match }, required: true},
		},
		dup: sameKey("A", "match")},
	{name: "dedicated-cpu",
		props: []*zcProp{
			{name: "ncpus", field: func(r any) *string { return &r.(*Pset).NcpuMin }, required: true,
				valid: validNcpus, store: func(r any, v string) {
					p := r.(*Pset)
					p.NcpuMin, p.NcpuMax, _ = strings.Cut(v, "-")
				}},
			{name: "importance", field: func(r any) *string { return &r.(*Pset).Importance }, clear: true,
				valid: validImportance},
		},
		fresh:  func() any { return &Pset{} },
		canAdd: canAddPset,
		find: func(h *Config) (any, int) {
			if h.Pset == nil {
				return nil, zNoEntry
			}
			p := *h.Pset
			return &p, zOK
		},
		drop: func(h *Config) { h.Pset = nil },
		end: func(s *zcSession) bool {
			p, h := *s.cur.(*Pset), s.handle
			if h.Pset != nil {
				p.seq = h.Pset.seq
			} else {
				p.seq = h.nextSeq()
			}
			h.Pset = &p
			return true
		},
		print:  func(w io.Writer, _ *Config, r any) { outputPset(w, *r.(*Pset)) },
		export: exportPset},
	{name: "capped-cpu",
		props: []*zcProp{
			{name: "ncpus", alias: "cpu-cap", required: true, valid: validCPUCap},
		},
		canAdd: canAddPcap,
		find: func(h *Config) (any, int) {
			_, err := getAliasedRctl(h, "cpu-cap")
			return nil, err
		},
		// remove_pcap() reports Z_NO_RESOURCE_TYPE whatever the lookup said.
		removeErr: zNoResourceType,
		drop:      func(h *Config) { rmAliasedRctl(h, "cpu-cap") },
		print:     func(w io.Writer, h *Config, _ any) { outputPcap(w, h) }},
	{name: "capped-memory",
		props: []*zcProp{
			{name: "physical", field: func(r any) *string { return &r.(*Mcap).Physcap }, clear: true, valid: validPhyscap},
			{name: "swap", alias: "max-swap", clear: true, valid: validSwap},
			{name: "locked", alias: "max-locked-memory", clear: true, valid: validLocked},
		},
		fresh: func() any { return &Mcap{} },
		canAdd: func(s *zcSession) bool {
			if _, err := findMcap(s.handle); err == zOK {
				s.zerr("The capped-memory resource or a related resource control already exists.")
				return false
			}
			return true
		},
		find:   findMcap,
		drop:   dropMcap,
		end:    endMcap,
		print:  func(w io.Writer, h *Config, r any) { outputMcap(w, h, *r.(*Mcap)) },
		export: exportMcap},
	{name: "attr", notInGZ: true,
		list: listOf(func(h *Config) *[]Attr { return &h.Attr }, func(a *Attr) *int { return &a.seq }),
		props: []*zcProp{
			{name: "name", field: func(r any) *string { return &r.(*Attr).Name }, required: true},
			{name: "type", field: func(r any) *string { return &r.(*Attr).Type }, required: true},
			{name: "value", field: func(r any) *string { return &r.(*Attr).Value }, required: true},
		},
		// Both checks run even on a missing name or type.
		check: func(s *zcSession, r any) bool {
			a := r.(*Attr)
			okName := s.validAttrName(a.Name)
			return s.validAttrTypeValue(*a) && okName
		},
		dup: sameKey("An", "name")},
	{name: "dataset", notInGZ: true,
		list: listOf(func(h *Config) *[]Dataset { return &h.Dataset }, func(d *Dataset) *int { return &d.seq }),
		props: []*zcProp{
			{name: "name", field: func(r any) *string { return &r.(*Dataset).Name }, required: true},
		},
		dup: sameKey("A", "name")},
	{name: "admin", gzHidden: true,
		list: listOf(func(h *Config) *[]Admin { return &h.Admin }, func(a *Admin) *int { return &a.seq }),
		props: []*zcProp{
			{name: "user", field: func(r any) *string { return &r.(*Admin).User }, required: true,
				endCheck: func(s *zcSession, _, v string) bool {
					if !s.gzUserExists(v) {
						s.zerr("user %s is not a valid username", v)
						return false
					}
					return true
				}},
			{name: "auths", field: func(r any) *string { return &r.(*Admin).Auths }, required: true,
				endCheck: func(s *zcSession, _, v string) bool { return s.validAuths(v) }},
		},
		infoKeys: []string{"user"},
		dup:      sameKey("A", "user")},
	{name: "rctl",
		list: listOf(func(h *Config) *[]Rctl { return &h.Rctl }, func(r *Rctl) *int { return &r.seq }),
		props: []*zcProp{
			// zonecfg.c does not set saw_error for a bad name.
			{name: "name", field: func(r any) *string { return &r.(*Rctl).Name }, required: true,
				valid: func(s *zcSession, v string) (string, bool) {
					if !validRctlNames[v] {
						s.zerr("'%s' is not a valid zone rctl name.", v)
						return "", false
					}
					return v, true
				}},
			{name: "value", list: rctlValues},
		},
		canAdd: func(s *zcSession) bool {
			if s.globalZone {
				s.zerr(gzRctlWarning)
			}
			return true
		},
		check: func(s *zcSession, r any) bool {
			if len(r.(*Rctl).Values) == 0 {
				s.zerr("no value specified")
				return false
			}
			return true
		},
		dup: sameKey("A", "name")},
}

// zcExportOrder is the order export prints the resource types in
// (export_func()); capped-cpu is exported as its rctl. The capped-memory
// block comes right after the devices, where illumos-gate's export_func()
// prints it: before the rctls, so that re-importing an export that also
// caps swap (a zone.max-swap rctl) does not fail with "The capped-memory
// resource or a related resource control already exists."
var zcExportOrder = []string{"fs", "net", "device", "capped-memory", "rctl", "attr", "dataset", "dedicated-cpu", "admin"}

// fsOptions is the options property of fs.
var fsOptions = &zcValues{
	add: func(s *zcSession, r any, it listItem) bool {
		if it.isCmplx {
			return false
		}
		r.(*FS).Options = append(r.(*FS).Options, it.simple)
		return true
	},
	remove: func(s *zcSession, r any, prop string, pv propValue) {
		f := r.(*FS)
		s.eachValue(false, pv, func(it listItem) bool {
			if it.isCmplx {
				return false
			}
			if i := indexOf(f.Options, it.simple); i >= 0 {
				f.Options = append(f.Options[:i], f.Options[i+1:]...)
			} else {
				s.zonePerror(prop, zNoPropertyID, true)
			}
			return true
		})
	},
	reset: func(r any) { r.(*FS).Options = nil },
	own:   func(r any) { r.(*FS).Options = append([]string(nil), r.(*FS).Options...) },
	info: func(w io.Writer, r any) {
		opts := make([]string, len(r.(*FS).Options))
		for i, o := range r.(*FS).Options {
			if strings.Contains(o, "=") {
				o = `"` + o + `"`
			}
			opts[i] = o
		}
		fmt.Fprintf(w, "\toptions: [%s]\n", strings.Join(opts, ","))
	},
	export: func(b *strings.Builder, r any) {
		for _, o := range r.(*FS).Options {
			if strings.Contains(o, "=") {
				fmt.Fprintf(b, "add options \"%s\"\n", o)
			} else {
				fmt.Fprintf(b, "add options %s\n", o)
			}
		}
	},
}

// rctlValues is the value property of rctl.
var rctlValues = &zcValues{
	complex: true,
	add: func(s *zcSession, r any, it listItem) bool {
		s.addRctlValue(r.(*Rctl), it.complex)
		return true
	},
	remove: func(s *zcSession, r any, prop string, pv propValue) {
		rc := r.(*Rctl)
		if pv.kind != pvComplex {
			s.zfail("A complex value was expected here.")
			return
		}
		var v RctlValue
		for _, p := range pv.complex {
			switch p.name {
			case "priv":
				v.Priv = p.value
			case "limit":
				v.Limit = p.value
			case "action":
				v.Action = p.value
			default:
				s.zonePerror(prop, zNoPropertyType, true)
				s.longUsage("add", true)
				zcUsage(s.errw, helpProps, false)
				return
			}
		}
		for i, x := range rc.Values {
			if x == v {
				rc.Values = append(rc.Values[:i], rc.Values[i+1:]...)
				return
			}
		}
		s.zonePerror(prop, zNoPropertyID, true)
	},
	reset: func(r any) { r.(*Rctl).Values = nil },
	own:   func(r any) { r.(*Rctl).Values = append([]RctlValue(nil), r.(*Rctl).Values...) },
	info: func(w io.Writer, r any) {
		for _, v := range r.(*Rctl).Values {
			fmt.Fprintf(w, "\tvalue: (priv=%s,limit=%s,action=%s)\n", v.Priv, v.Limit, v.Action)
		}
	},
	export: func(b *strings.Builder, r any) {
		for _, v := range r.(*Rctl).Values {
			fmt.Fprintf(b, "add value (priv=%s,limit=%s,action=%s)\n", v.Priv, v.Limit, v.Action)
		}
	},
}

// resType returns the resource type called name, or nil.
func resType(name string) *zcResType {
	for _, t := range zcResTypes {
		if t.name == name {
			return t
		}
	}
	return nil
}

// gzInvalidResource reports a resource type the global zone cannot have.
func gzInvalidResource(name string) bool {
	t := resType(name)
	return t != nil && t.notInGZ
}

// prop returns the property called name of t (nil for none, or no t).
func (t *zcResType) prop(name string) *zcProp {
	if t == nil {
		return nil
	}
	for _, p := range t.props {
		if p.name == name {
			return p
		}
	}
	return nil
}

// has reports whether some property of t satisfies f.
func (t *zcResType) has(f func(p *zcProp) bool) bool {
	if t != nil {
		for _, p := range t.props {
			if f(p) {
				return true
			}
		}
	}
	return false
}

// newRes returns an empty resource of type t to add (nil when none is
// edited).
func (t *zcResType) newRes() any {
	switch {
	case t == nil:
		return nil
	case t.list != nil:
		return t.list.fresh()
	case t.fresh != nil:
		return t.fresh()
	}
	return nil
}

// fields returns the simple properties of a resource of a list type.
func (t *zcResType) fields(r any) map[string]string {
	f := map[string]string{}
	for _, p := range t.props {
		if p.field != nil {
			f[p.name] = *p.field(r)
		}
	}
	return f
}

// lookup finds the one resource matching every qualifier
// (zonecfg_lookup_*()).
func (t *zcResType) lookup(h *Config, vals map[string]string) (int, int) {
	found := -1
	for i := 0; i < t.list.count(h); i++ {
		if !matches(t.fields(t.list.at(h, i)), vals, nil) {
			continue
		}
		if found >= 0 {
			return -1, zInsufficientSpec
		}
		found = i
	}
	if found < 0 {
		return -1, zNoResourceID
	}
	return found, zOK
}

// matches reports whether fields has every non-empty qualifier of vals
// (only those named in keys, when keys is not nil).
func matches(fields, vals map[string]string, keys []string) bool {
	for k, v := range vals {
		if keys != nil && indexOf(keys, k) < 0 {
			continue
		}
		if v != "" && fields[k] != v {
			return false
		}
	}
	return true
}

// sameKey is the end-of-add check of a type whose key property must be
// unique (zonecfg.c end_func(): "A %s resource with the %s '%s' already
// exists."): "A fs resource with the dir '/src' already exists."
func sameKey(article, key string) func(s *zcSession, t *zcResType, r any) bool {
	return func(s *zcSession, t *zcResType, r any) bool {
		v := t.fields(r)[key]
		if _, err := t.lookup(s.handle, map[string]string{key: v}); err != zNoResourceID {
			s.zfail("%s %s resource with the %s '%s' already exists.", article, t.name, key, v)
			return true
		}
		return false
	}
}

// netExists is the end-of-add check of net (zonecfg.c end_func() and
// net_exists_error()): one net with the same
// physical, address and allowed-address.
func netExists(s *zcSession, t *zcResType, r any) bool {
	n := r.(*Net)
	q := map[string]string{"physical": n.Physical, "address": n.Address, "allowed-address": n.AllowedAddress}
	if _, err := t.lookup(s.handle, q); err != zOK {
		return false
	}
	if n.Address != "" {
		s.zfail("A net resource with the physical '%s', and address '%s' already exists.", n.Physical, n.Address)
	} else {
		s.zfail("A net resource with the physical '%s', and allowed-address '%s' already exists.", n.Physical, n.AllowedAddress)
	}
	return true
}

// failed sets saw_error and returns false.
func (s *zcSession) failed() bool {
	s.sawError = true
	return false
}

// zfail reports an error, sets saw_error and returns false.
func (s *zcSession) zfail(format string, a ...any) bool {
	s.zerr(format, a...)
	return s.failed()
}

// An rctlAlias maps a zonecfg property to the rctl that stores it
// (the aliases[] table of libzonecfg.c).
type rctlAlias struct {
	rctl, action string
	low          uint64
}

var rctlAliases = map[string]rctlAlias{
	"max-lwps":          {"zone.max-lwps", "deny", 100},
	"max-processes":     {"zone.max-processes", "deny", 100},
	"max-shm-memory":    {"zone.max-shm-memory", "deny", 0},
	"max-shm-ids":       {"zone.max-shm-ids", "deny", 0},
	"max-msg-ids":       {"zone.max-msg-ids", "deny", 0},
	"max-sem-ids":       {"zone.max-sem-ids", "deny", 0},
	"max-locked-memory": {"zone.max-locked-memory", "deny", 0},
	"max-swap":          {"zone.max-swap", "deny", 0},
	"cpu-shares":        {"zone.cpu-shares", "none", 0},
	"cpu-cap":           {"zone.cpu-cap", "deny", 0},
}

// validRctlNames are the zone resource controls of an illumos kernel.
var validRctlNames = map[string]bool{"zone.cpu-shares": true, "zone.cpu-cap": true,
	"zone.max-lwps": true, "zone.max-processes": true, "zone.max-shm-memory": true,
	"zone.max-shm-ids": true, "zone.max-msg-ids": true, "zone.max-sem-ids": true,
	"zone.max-locked-memory": true, "zone.max-swap": true, "zone.max-lofi": true,
	"zone.max-physical-memory": true}

// getAliasedRctl reads an aliased rctl (zonecfg_get_aliased_rctl()).
func getAliasedRctl(c *Config, alias string) (uint64, int) {
	a := rctlAliases[alias]
	i := c.rctl(a.rctl)
	if i < 0 {
		return 0, zNoEntry
	}
	r := c.Rctl[i]
	if len(r.Values) != 1 || r.Values[0].Priv != "privileged" || r.Values[0].Action != a.action {
		return 0, zAliasDisallow
	}
	v, err := strconv.ParseUint(r.Values[0].Limit, 10, 64)
	if err != nil {
		return 0, zAliasDisallow
	}
	return v, zOK
}

// setAliasedRctl stores an aliased rctl as a single privileged value.
func setAliasedRctl(c *Config, alias string, limit uint64) {
	a := rctlAliases[alias]
	v := []RctlValue{{Priv: "privileged", Limit: strconv.FormatUint(limit, 10), Action: a.action}}
	if i := c.rctl(a.rctl); i >= 0 {
		c.Rctl[i].Values = v
		return
	}
	c.Rctl = append(c.Rctl, Rctl{Name: a.rctl, Values: v, seq: c.nextSeq()})
}

// rmAliasedRctl removes an aliased rctl.
func rmAliasedRctl(c *Config, alias string) {
	if i := c.rctl(rctlAliases[alias].rctl); i >= 0 {
		c.Rctl = append(c.Rctl[:i], c.Rctl[i+1:]...)
	}
}

// aliasAllowed reports whether an aliased rctl may be set: not when the
// rctl exists in a form the alias cannot express.
func (s *zcSession) aliasAllowed(prop, alias string) bool {
	if _, err := getAliasedRctl(s.handle, alias); err == zAliasDisallow {
		s.zonePerror(prop, zAliasDisallow, false)
		return s.failed()
	}
	return true
}

// addFunc is "add <resource>" (global scope) or "add <prop> <value>".
func (s *zcSession) addFunc(c *command) {
	_, optind, ok := s.parseOpts(c, "?")
	if !ok {
		return
	}
	if optind != len(c.argv) {
		s.shortUsage("add")
		return
	}
	if s.zoneIsReadOnly("add") {
		return
	}
	if s.initialize(true) != zOK {
		return
	}
	if !s.globalScope {
		s.addProperty(c)
		return
	}
	if s.globalZone && gzInvalidResource(c.resType) {
		s.zerr("Cannot add a %s resource to the global zone.", c.resType)
		s.sawError = true
		return
	}
	s.globalScope = false
	s.resScope = c.resType
	s.endOp = "add"
	if !s.addResource(c.resType) {
		s.globalScope = true
		s.endOp = ""
	}
}

// addResource starts a new resource; false sends zonecfg back to the
// global scope.
func (s *zcSession) addResource(rt string) bool {
	t := resType(rt)
	switch {
	case rt == "":
		s.longUsage("add", true)
		return false
	case t == nil:
		s.zonePerror(rt, zNoResourceType, true)
		s.longUsage("add", true)
		zcUsage(s.errw, helpResources, false)
		return false
	case t.canAdd != nil && !t.canAdd(s):
		return false
	}
	s.cur = t.newRes()
	return true
}

// canAddPset is add_resource()'s check for dedicated-cpu.
func canAddPset(s *zcSession) bool {
	h := s.handle
	switch {
	case h.Pset != nil:
		s.zerr("The dedicated-cpu resource already exists.")
	case aliasErr(h, "cpu-cap") != zNoEntry:
		s.zerr("The capped-cpu resource already exists.")
	case h.Pool != "":
		s.zerr("The pool property is already set.  A persistent pool is incompatible with\nthe dedicated-cpu resource.")
	default:
		return true
	}
	return false
}

// canAddPcap is add_resource()'s check for capped-cpu.
func canAddPcap(s *zcSession) bool {
	switch {
	case s.handle.Pset != nil:
		s.zerr("The dedicated-cpu resource already exists.")
	case aliasErr(s.handle, "cpu-cap") == zAliasDisallow:
		s.zonePerror("capped-cpu", zAliasDisallow, false)
	case aliasErr(s.handle, "cpu-cap") == zOK:
		s.zerr("The capped-cpu resource already exists.")
	default:
		return true
	}
	return false
}

// aliasErr is the error zonecfg_get_aliased_rctl() (libzonecfg.c) gives
// for alias: zOK when the rctl is set.
func aliasErr(h *Config, alias string) int {
	_, err := getAliasedRctl(h, alias)
	return err
}

// findMcap returns the capped-memory resource: the physical cap of the
// mcap element; swap and locked are rctls.
func findMcap(h *Config) (any, int) {
	if h.Mcap == nil && aliasErr(h, "max-swap") != zOK && aliasErr(h, "max-locked-memory") != zOK {
		return nil, zNoResourceType
	}
	m := Mcap{}
	if h.Mcap != nil {
		m = *h.Mcap
	}
	return &m, zOK
}

// dropMcap removes capped-memory as zonecfg.c remove_mcap() does: the
// mcap element and the max-swap and max-locked-memory rctls.
func dropMcap(h *Config) {
	swapErr, lockedErr := aliasErr(h, "max-swap"), aliasErr(h, "max-locked-memory")
	h.Mcap = nil
	if swapErr == zOK {
		rmAliasedRctl(h, "max-swap")
	}
	if lockedErr == zOK {
		rmAliasedRctl(h, "max-locked-memory")
	}
}

// endMcap is end_func()'s capped-memory: one of the caps is needed, and
// locked cannot exceed physical.
func endMcap(s *zcSession) bool {
	h, in := s.handle, s.cur.(*Mcap)
	locked, lockedErr := getAliasedRctl(h, "max-locked-memory")
	if in.Physcap == "" && aliasErr(h, "max-swap") != zOK && lockedErr != zOK {
		return s.zfail("No property was specified.  One of physical, swap or locked is required.")
	}
	if in.Physcap != "" && lockedErr == zOK {
		if phys, _ := strconv.ParseUint(in.Physcap, 10, 64); phys < locked {
			return s.zfail("The locked cap must be less than or equal to the physical cap.")
		}
	}
	switch {
	case in.Physcap != "":
		m := Mcap{Physcap: in.Physcap}
		if h.Mcap != nil {
			m.seq = h.Mcap.seq
		} else {
			m.seq = h.nextSeq()
		}
		h.Mcap = &m
	case s.endOp == "select":
		h.Mcap = nil
	}
	return true
}

// addProperty is "add options ..." in an fs and "add value (...)" in an rctl.
func (s *zcSession) addProperty(c *command) {
	if len(c.propNames) != 1 {
		s.longUsage("add", true)
		return
	}
	t := resType(s.resScope)
	p := t.prop(c.propNames[0])
	switch {
	case p != nil && p.list != nil:
		s.addValues(p.list, c.propVals[0])
	case t.has(func(p *zcProp) bool { return p.list != nil }):
		s.zonePerror(c.propNames[0], zNoPropertyType, true)
		s.longUsage("add", true)
		zcUsage(s.errw, helpProps, false)
	default:
		s.zonePerror(s.resScope, zNoResourceType, true)
		s.longUsage("add", true)
		zcUsage(s.errw, helpResources, false)
	}
}

// addValues adds a value or a list of values to a list property.
func (s *zcSession) addValues(l *zcValues, pv propValue) {
	s.eachValue(l.complex, pv, func(it listItem) bool { return l.add(s, s.cur, it) })
}

// eachValue calls f for a value of a list property, or for each value of
// a list until f returns false; a single value of the other kind is an
// error.
func (s *zcSession) eachValue(complex bool, pv propValue, f func(it listItem) bool) {
	switch {
	case pv.kind == pvList:
		for _, it := range pv.list {
			if !f(it) {
				break
			}
		}
	case pv.kind == pvSimple && !complex:
		f(listItem{simple: pv.simple})
	case pv.kind == pvComplex && complex:
		f(listItem{complex: pv.complex, isCmplx: true})
	default:
		s.zfail("A %s or list value was expected here.", kindName(complex))
	}
}

func kindName(complex bool) string {
	if complex {
		return "complex"
	}
	return "simple"
}

// addRctlValue is do_complex_rctl_val().
func (s *zcSession) addRctlValue(r *Rctl, pieces []complexPiece) {
	var v RctlValue
	seen := map[string]bool{}
	for _, p := range pieces {
		switch p.name {
		case "priv", "limit", "action":
			if seen[p.name] {
				s.zerr("%s already specified", p.name)
				return
			}
			seen[p.name] = true
			switch p.name {
			case "priv":
				v.Priv = p.value
			case "limit":
				v.Limit = p.value
			case "action":
				v.Action = p.value
			}
		default:
			s.zonePerror("value", zNoPropertyType, true)
			s.longUsage("add", true)
			zcUsage(s.errw, helpProps, false)
			return
		}
	}
	for _, n := range []string{"priv", "limit", "action"} {
		if !seen[n] {
			s.zerr("%s not specified", n)
		}
	}
	if len(seen) != 3 {
		return
	}
	if _, err := strconv.ParseUint(v.Limit, 10, 64); err != nil || v.Priv != "privileged" ||
		(v.Action != "none" && v.Action != "deny") {
		s.zerr("Invalid rctl value specification")
		return
	}
	r.Values = append(r.Values, v)
}

// setFunc is "set [-F] <property>=<value>".
func (s *zcSession) setFunc(c *command) {
	if s.zoneIsReadOnly("set") {
		return
	}
	opts, _, bad := getopt(c.argv, "F")
	if bad != 0 {
		if bad == '?' {
			s.longerUsage("set")
		} else {
			s.shortUsage("set")
		}
		return
	}
	force := len(opts) > 0
	prop := c.propNames[0]
	var g *zcGlobal
	var p *zcProp
	if s.globalScope {
		if s.globalZone && gzInvalidProp(prop) {
			s.zfail("%s is not a valid property for the global zone.", prop)
			return
		}
		if g = globalProp(prop); g == nil {
			s.zfail("Cannot set a resource-specific property from the global scope.")
			return
		}
	} else {
		p = resType(s.resScope).prop(prop)
	}
	if force {
		if g == nil || g.name != "zonepath" {
			s.zerr("Only zonepath setting can be forced.")
		} else {
			s.zerr("Zonepath is changeable only in an alternate root.")
		}
		s.sawError = true
		return
	}
	pv := c.propVals[0]
	if pv.kind != pvSimple && (p == nil || p.list == nil) {
		s.zfail("A simple value was expected here.")
		return
	}
	v := pv.simple
	if g != nil && g.name == "zonename" && !s.gotHandle && !s.stateAtLeast(StateConfigured) {
		if !validZoneName(v) {
			s.zonePerror(v, zBogusZoneName, true)
			zcUsage(s.errw, helpSyntax, false)
			return
		}
		s.zone = v
		return
	}
	if s.initialize(true) != zOK {
		return
	}
	switch {
	case g != nil:
		s.setGlobal(g, v)
	case resType(s.resScope) == nil:
		s.zonePerror(s.resScope, zNoResourceType, true)
		s.longUsage("set", true)
		zcUsage(s.errw, helpResources, false)
	case p == nil:
		s.zonePerror(prop, zNoPropertyType, true)
		s.longUsage("set", true)
		zcUsage(s.errw, helpProps, false)
	case p.list != nil:
		if pv.kind != pvList && (pv.kind == pvComplex) != p.list.complex {
			s.zfail("A %s or list value was expected here.", kindName(p.list.complex))
			return
		}
		p.list.reset(s.cur)
		if !c.emptyList {
			s.addValues(p.list, pv)
		}
	default:
		s.setProp(p, v)
	}
}

// setGlobal sets a global property.
func (s *zcSession) setGlobal(g *zcGlobal, v string) {
	switch {
	case g.set != nil:
		g.set(s, v)
	case g.alias:
		s.setAliasedProp(g.name, v)
	case g.valid == nil || g.valid(s, v):
		g.store(s.handle, v)
		s.needCommit = true
	}
}

// setProp sets a simple property of the resource being edited.
func (s *zcSession) setProp(p *zcProp, v string) {
	if p.valid != nil {
		var ok bool
		if v, ok = p.valid(s, v); !ok {
			return
		}
	}
	switch {
	case p.alias != "":
		n, _ := strconv.ParseUint(v, 10, 64)
		setAliasedRctl(s.handle, p.alias, n)
		s.needCommit = true
	case p.store != nil:
		p.store(s.cur, v)
	default:
		*p.field(s.cur) = v
	}
}

// setZonename renames the zone being configured (zonecfg_set_name()).
func (s *zcSession) setZonename(v string) {
	code := zOK
	switch {
	case !validZoneName(v):
		code = zBogusZoneName
	case v != s.zone:
		if _, exists, _ := zoneStatus(s.root, v); exists {
			code = zNameInUse
		} else if s.stateAtLeast(StateInstalled) {
			code = zBadZoneState
		}
	}
	if code != zOK {
		s.zonePerror(v, code, true)
		zcUsage(s.errw, helpSyntax, false)
		return
	}
	s.handle.Name = v
	s.zone = v
	s.needCommit = true
}

// validZonepath is set_func()'s check of zonepath (illumos-gate
// usr/src/cmd/zonecfg/zonecfg.c set_func(), RT_ZONEPATH: the installed
// check, then validate_zonepath_syntax(): "%s is not an absolute path."
// and "/ is not allowed as a %s.").
func validZonepath(s *zcSession, v string) bool {
	switch {
	case !notInstalled("zonepath")(s, v):
		return false
	case !strings.HasPrefix(v, "/"):
		return s.zfail("%s is not an absolute path.", v)
	case strings.Trim(v, "/") == "":
		return s.zfail("/ is not allowed as a zonepath.")
	}
	return true
}

// notInstalled refuses to set prop once the zone is installed
// (zonecfg.c set_func(): "Zone %s already installed; %s %s not allowed."
// with "set" and the property). [unconfirmed: stricter than illumos —
// set_func()'s RT_ZONEPATH and RT_BRAND cases print this and return
// without setting saw_error, so cleanup() returns Z_OK (exit 0) and
// read_input() does not stop a command file there; the sim sets
// saw_error (zfail), exits 1 and stops the file, as its tests expect.
// set_func() also skips the zonepath check with "set -F" (force_set).]
func notInstalled(prop string) func(s *zcSession, v string) bool {
	return func(s *zcSession, v string) bool {
		if s.stateAtLeast(StateInstalled) {
			return s.zfail("Zone %s already installed; set %s not allowed.", s.zone, prop)
		}
		return true
	}
}

// either accepts one of two values of prop (zonecfg.c set_func(),
// RT_AUTOBOOT and RT_IPTYPE: "%s value must be '%s' or '%s'.").
func either(prop, a, b string) func(s *zcSession, v string) bool {
	return func(s *zcSession, v string) bool {
		if v != a && v != b {
			return s.zfail("%s value must be '%s' or '%s'.", prop, a, b)
		}
		return true
	}
}

// validPool is zonecfg.c set_func()'s RT_POOL case: the reserved SUNW
// prefix, then no pool beside a dedicated-cpu resource
// (zonecfg_lookup_pset()).
func validPool(s *zcSession, v string) bool {
	if strings.HasPrefix(v, "SUNW") {
		return s.zfail("pool names starting with SUNW are reserved.")
	}
	if s.handle.Pset != nil {
		return s.zfail("The dedicated-cpu resource already exists.  A persistent pool is incompatible\nwith the dedicated-cpu resource.")
	}
	return true
}

// validHostid is set_func()'s RT_HOSTID case (illumos-gate
// usr/src/cmd/zonecfg/zonecfg.c) over libzonecfg.c zonecfg_set_hostid()
// and zonecfg_valid_hostid(): an empty value or one with white space is
// invalid; after an optional "0x", strtoull() reads hexadecimal digits
// (with its own sign and "0x"); when it stops HW_HOSTID_LEN (11) or more
// characters into the string the value is too large (Z_TOO_BIG, which
// set_func() words itself); a value over UINT_MAX, HW_INVALID_HOSTID
// (0xFFFFFFFF) or characters left over are invalid (Z_INVALID_PROPERTY,
// reported by zone_perror() as "hostid: Specified property is invalid").
// Both set saw_error.
func validHostid(s *zcSession, v string) bool {
	const invalid = "hostid: Specified property is invalid"
	if v == "" || strings.IndexFunc(v, unicode.IsSpace) >= 0 {
		return s.zfail(invalid)
	}
	p := strings.TrimPrefix(strings.TrimPrefix(v, "0x"), "0X")
	val, end := strtoull16(p)
	if len(v)-len(p)+end >= 11 {
		return s.zfail("hostid string is too large: %s", v)
	}
	if val > 0xFFFFFFFF || val == 0xFFFFFFFF || len(v)-len(p)+end != len(v) {
		return s.zfail(invalid)
	}
	return true
}

// strtoull16 is strtoull(p, &end, 16) for a string without leading white
// space: an optional sign, an optional "0x" before a hexadecimal digit,
// then the digits; it returns the value (negated as unsigned for "-";
// saturated at the largest value on overflow) and how many bytes it
// read, 0 when there were no digits (illumos libc strtoull.c).
func strtoull16(p string) (uint64, int) {
	i := 0
	neg := false
	if i < len(p) && (p[i] == '+' || p[i] == '-') {
		neg = p[i] == '-'
		i++
	}
	if i+2 < len(p) && p[i] == '0' && (p[i+1] == 'x' || p[i+1] == 'X') && isHexDigit(p[i+2]) {
		i += 2
	}
	start := i
	var val uint64
	overflow := false
	for ; i < len(p) && isHexDigit(p[i]); i++ {
		d, _ := strconv.ParseUint(p[i:i+1], 16, 8)
		if val > (^uint64(0)-d)/16 {
			overflow = true
		}
		val = val*16 + d
	}
	if i == start {
		return 0, 0
	}
	if overflow {
		return ^uint64(0), i
	}
	if neg {
		val = -val
	}
	return val, i
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// setAliasedProp is set_aliased_rctl().
func (s *zcSession) setAliasedProp(alias, v string) {
	if s.globalZone && alias != "cpu-shares" {
		s.zerr(gzRctlWarning)
	}
	if alias == "max-shm-memory" {
		n, ok := parseMemLimit(v)
		if !ok {
			s.zfail("A non-negative number with a required scale suffix (K, M, G or T) was expected\nhere.")
			return
		}
		v = strconv.FormatUint(n, 10)
	}
	if !s.aliasAllowed(alias, alias) {
		return
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n < rctlAliases[alias].low {
		s.zfail("%s property is out of range.", alias)
		return
	}
	setAliasedRctl(s.handle, alias, n)
	s.needCommit = true
}

// validFSType is set_func()'s check of an fs type (zonecfg.c set_func(),
// RT_FS PT_TYPE: "\"%s\" is not a valid %s.").
func validFSType(s *zcSession, v string) (string, bool) {
	if v == "" || len(v) >= 256 || strings.Contains(v, "/") || v == "." || v == ".." {
		return "", s.zfail("\"%s\" is not a valid type.", v)
	}
	return v, true
}

// absolutePath is end_func()'s check of fs dir and raw (zonecfg.c
// end_func(), RT_FS: "%s %s is not an absolute path.").
func absolutePath(s *zcSession, prop, v string) bool {
	if !strings.HasPrefix(v, "/") {
		s.zerr("%s %s is not an absolute path.", prop, v)
		return false
	}
	return true
}

// validNcpus checks dedicated-cpu ncpus, a number or a range "low-high",
// and returns it as "low-high" (zonecfg.c set_func(), RT_DCPU PT_NCPUS;
// libzonecfg.c zonecfg_valid_ncpus(): valid_uint() of both, low >= 1,
// low <= high).
func validNcpus(s *zcSession, v string) (string, bool) {
	low, high, ranged := strings.Cut(v, "-")
	if !ranged {
		high = low
	}
	lo, err1 := strconv.ParseUint(low, 10, 32)
	hi, err2 := strconv.ParseUint(high, 10, 32)
	if err1 != nil || err2 != nil || lo == 0 || lo > hi {
		return "", s.zfail("ncpus property is out of range.")
	}
	return low + "-" + high, true
}

// validImportance is zonecfg.c set_func()'s RT_DCPU PT_IMPORTANCE over
// libzonecfg.c zonecfg_valid_importance() (valid_uint()).
func validImportance(s *zcSession, v string) (string, bool) {
	if _, err := strconv.ParseUint(v, 10, 32); err != nil {
		return "", s.zfail("importance property is out of range.")
	}
	return v, true
}

// validCPUCap checks capped-cpu ncpus and returns the cap in hundredths
// of a CPU (zonecfg.c set_func(), RT_PCAP: strtof() > 0, whole string,
// (int)(cap * 100) >= 1).
func validCPUCap(s *zcSession, v string) (string, bool) {
	f, err := strconv.ParseFloat(v, 32)
	if err != nil || f <= 0 || int(f*100) < 1 {
		return "", s.zfail("ncpus property is out of range.")
	}
	return strconv.FormatUint(uint64(math.Round(f*100)), 10), true
}

// validPhyscap checks capped-memory physical and returns it in bytes
// (zonecfg.c set_func(), RT_MCAP PT_PHYSICAL: zonecfg_valid_memlimit(),
// at least ONE_MB).
func validPhyscap(s *zcSession, v string) (string, bool) {
	n, ok := parseMemLimit(v)
	switch {
	case !ok:
		return "", s.zfail("A positive number with a required scale suffix (K, M, G or T) was expected here.")
	case n < 1<<20:
		return "", s.zfail("physical value is too small.  It must be at least 1M.")
	}
	return strconv.FormatUint(n, 10), true
}

// validSwap checks capped-memory swap and returns it in bytes (zonecfg.c
// set_func(), RT_MCAP PT_SWAP: zonecfg_aliased_rctl_ok(ALIAS_MAXSWAP),
// then at least 50M, 100M for the global zone).
func validSwap(s *zcSession, v string) (string, bool) {
	if !s.aliasAllowed("swap", "max-swap") {
		return "", false
	}
	n, ok := parseMemLimit(v)
	if !ok {
		return "", s.zfail("A positive number with a required scale suffix (K, M, G or T) was expected here.")
	}
	limit := uint64(50 << 20)
	if s.globalZone {
		limit = 100 << 20
	}
	if n < limit {
		return "", s.zfail("swap value is too small.  It must be at least %s.", bytesToUnits(limit))
	}
	return strconv.FormatUint(n, 10), true
}

// validLocked checks capped-memory locked and returns it in bytes
// (zonecfg.c set_func(), RT_MCAP PT_LOCKED).
func validLocked(s *zcSession, v string) (string, bool) {
	if !s.aliasAllowed("locked", "max-locked-memory") {
		return "", false
	}
	n, ok := parseMemLimit(v)
	if !ok {
		return "", s.zfail("A non-negative number with a required scale suffix (K, M, G or T) was expected\nhere.")
	}
	return strconv.FormatUint(n, 10), true
}

// parseMemLimit is zonecfg_valid_memlimit(): a number with a K, M, G or T
// scale suffix (an optional trailing b).
func parseMemLimit(v string) (uint64, bool) {
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	if i == 0 || i == len(v) {
		return 0, false
	}
	n, err := strconv.ParseUint(v[:i], 10, 64)
	if err != nil {
		return 0, false
	}
	var shift uint
	switch v[i] {
	case 'k', 'K':
		shift = 10
	case 'm', 'M':
		shift = 20
	case 'g', 'G':
		shift = 30
	case 't', 'T':
		shift = 40
	default:
		return 0, false
	}
	rest := v[i+1:]
	if rest != "" && rest != "b" && rest != "B" {
		return 0, false
	}
	return n << shift, true
}

// bytesToUnits is zonecfg.c's bytes_to_units().
func bytesToUnits(num uint64) string {
	if num < 1024 {
		return strconv.FormatUint(num, 10)
	}
	units := "BKMGT"
	up := 0
	var save uint64
	for num >= 1024 && units[up] != 'T' {
		up++
		save = num
		num = (num + 512) >> 10
	}
	if save%1024 != 0 && save>>10 < 10 {
		return fmt.Sprintf("%2.1f%c", float64(save)/1024, units[up])
	}
	return fmt.Sprintf("%d%c", num, units[up])
}

// validNetAddress is validate_net_address_syntax().
func (s *zcSession) validNetAddress(address string, isHost bool) bool {
	part1, prefix, slash := strings.Cut(address, "/")
	prefixLen, _ := strconv.Atoi(prefix)
	if isHost && slash {
		s.zerr("Warning: prefix length in %s is not required and will be ignored. The default host-prefix length will be used", address)
	}
	if a, err := netip.ParseAddr(part1); err == nil && a.Is6() {
		if !isHost && !slash {
			s.zerr("%s: IPv6 addresses require /prefix-length suffix.", address)
			return false
		}
		if !isHost && (prefixLen < 0 || prefixLen > 128) {
			s.zerr("%s: IPv6 address prefix lengths must be 0 - 128.", address)
			return false
		}
		return true
	}
	if !isHost && slash && (prefixLen < 0 || prefixLen > 32) {
		s.zerr("%s: IPv4 address prefix lengths must be 0 - 32.", address)
		return false
	}
	if a, err := netip.ParseAddr(part1); err == nil && a.Is4() {
		return true
	}
	for i := 0; i < len(part1); i++ {
		c := part1[i]
		ok := isAlnum(c) || (i > 0 && (c == '-' || c == '.'))
		if !ok {
			s.zerr("%s: bogus host name or network address syntax", part1)
			s.sawError = true
			fmt.Fprint(s.errw, "\n<net-addr> :=\t<IPv4-address>[/<IPv4-prefix-length>] |\n"+
				"\t\t<IPv6-address>/<IPv6-prefix-length> |\n\t\t<hostname>[/<IPv4-prefix-length>]\n"+
				"See inet(3SOCKET) for IPv4 and IPv6 address syntax.\n<IPv4-prefix-length> := [0-32]\n"+
				"<IPv6-prefix-length> := [0-128]\n<hostname> := [A-Za-z0-9][A-Za-z0-9-.]*\n")
			return false
		}
	}
	return part1 != ""
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// validPhysical is validate_net_physical_syntax(): shared-IP zones take an
// interface name (no logical unit), exclusive-IP zones a datalink name.
func (s *zcSession) validPhysical(ifname string) bool {
	if s.handle.IPTypeOrDefault() == "exclusive" {
		if !ValidLinkName(ifname) {
			if strings.Contains(ifname, ":") {
				s.zerr("%s: physical interface name required; logical interface name not allowed", ifname)
			} else {
				s.zerr("%s: invalid physical interface name", ifname)
			}
			return false
		}
		return true
	}
	name, lun, hasLun := strings.Cut(ifname, ":")
	if !ValidLinkName(name) || (hasLun && !allDigits(lun)) {
		s.zerr("%s: invalid physical interface name", ifname)
		return false
	}
	if hasLun {
		s.zerr("%s: LUNs not allowed in physical interface names", ifname)
		return false
	}
	return true
}

// ValidLinkName is dladm_valid_linkname(): at most 31 characters of
// [A-Za-z0-9_.], not starting with a digit, ending in a number without a
// leading zero.
func ValidLinkName(name string) bool {
	if name == "" || len(name) > 31 || (name[0] >= '0' && name[0] <= '9') {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isAlnum(c) && c != '_' && c != '.' {
			return false
		}
	}
	i := len(name)
	for i > 0 && name[i-1] >= '0' && name[i-1] <= '9' {
		i--
	}
	digits := name[i:]
	return digits != "" && (digits == "0" || digits[0] != '0')
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// clearFunc is "clear <property>".
func (s *zcSession) clearFunc(c *command) {
	if s.zoneIsReadOnly("clear") {
		return
	}
	prop := c.resType
	if !s.globalScope {
		if s.initialize(true) != zOK {
			return
		}
		p := resType(s.resScope).prop(prop)
		switch {
		case p == nil || !p.clear:
			s.zonePerror(prop, zClearDisallow, true)
		case p.alias != "":
			s.removeAliasedProp(prop, p.alias)
		default:
			*p.field(s.cur) = ""
			s.needCommit = true
		}
		return
	}
	if s.globalZone && gzInvalidProp(prop) {
		s.zfail("%s is not a valid property for the global zone.", prop)
		return
	}
	if s.initialize(true) != zOK {
		return
	}
	switch g := globalProp(prop); {
	case g == nil:
		s.zonePerror(prop, zNoPropertyType, true)
		s.longUsage("clear", true)
		zcUsage(s.errw, helpProps, false)
	case g.noClear:
		s.zonePerror(prop, zClearDisallow, true)
	case g.alias:
		s.removeAliasedProp(prop, prop)
	default:
		g.store(s.handle, g.cleared)
		s.needCommit = true
	}
}

// removeAliasedProp is remove_aliased_rctl().
func (s *zcSession) removeAliasedProp(prop, alias string) {
	if err := aliasErr(s.handle, alias); err != zOK {
		s.zfail("clear %s: %s", prop, zStrerror[err])
		return
	}
	rmAliasedRctl(s.handle, alias)
	s.needCommit = true
}

// fillIn collects the property qualifiers of a resource command
// (fill_in_*tab()): the simple properties of its type.
func (s *zcSession) fillIn(t *zcResType, c *command) (map[string]string, int) {
	if err := s.initialize(true); err != zOK {
		return nil, err
	}
	vals := map[string]string{}
	for i, name := range c.propNames {
		pv := c.propVals[i]
		if pv.kind != pvSimple {
			s.zfail("A simple value was expected here.")
			return nil, zInsufficientSpec
		}
		if p := t.prop(name); p == nil || p.field == nil {
			s.zonePerror(name, zNoPropertyType, true)
			return nil, zInsufficientSpec
		}
		vals[name] = pv.simple
	}
	return vals, zOK
}

// findRes returns the one resource of a list type the command's
// qualifiers name.
func (s *zcSession) findRes(t *zcResType, c *command) (int, int) {
	vals, err := s.fillIn(t, c)
	if err != zOK {
		return -1, err
	}
	return t.lookup(s.handle, vals)
}

// selectFunc is "select <resource> [prop=value ...]".
func (s *zcSession) selectFunc(c *command) {
	if s.zoneIsReadOnly("select") {
		return
	}
	if !s.globalScope {
		s.scopeUsage("select")
		return
	}
	s.globalScope = false
	s.resScope = c.resType
	s.endOp = "select"
	t := resType(c.resType)
	s.cur, s.old = t.newRes(), nil
	if s.initialize(true) != zOK {
		return
	}
	h := s.handle
	switch {
	case t == nil:
		s.zonePerror(c.resType, zNoResourceType, true)
		s.longUsage("select", true)
		zcUsage(s.errw, helpResources, false)
	case t.list != nil:
		i, err := s.findRes(t, c)
		if err != zOK {
			s.cmdRtPerror("select", t.name, err)
			s.globalScope = true
			return
		}
		s.old = t.list.copy(t.list.at(h, i))
		s.cur = t.list.copy(s.old)
		for _, p := range t.props {
			if p.list != nil {
				p.list.own(s.cur)
			}
		}
	default:
		r, err := t.find(h)
		if err != zOK {
			s.cmdRtPerror("select", t.name, err)
			s.globalScope = true
			return
		}
		s.cur = r
	}
}

// removeFunc is "remove [-F] <resource> [prop=value ...]" or, in a
// resource scope, "remove <prop> <value>".
func (s *zcSession) removeFunc(c *command) {
	if s.zoneIsReadOnly("remove") {
		return
	}
	if !s.globalScope {
		s.removeProperty(c)
		return
	}
	rt := c.resType
	if s.globalZone && gzInvalidResource(rt) {
		s.zfail("%s is not a valid resource for the global zone.", rt)
		return
	}
	if rt == "" {
		s.longUsage("remove", true)
		return
	}
	opts, _, ok := s.parseOpts(c, "?F")
	if !ok {
		return
	}
	force := len(opts) > 0
	if s.initialize(true) != zOK {
		return
	}
	h, t := s.handle, resType(rt)
	switch {
	case t == nil:
		s.zonePerror(rt, zNoResourceType, true)
		s.longUsage("remove", true)
		zcUsage(s.errw, helpResources, false)
	case t.list == nil:
		if _, err := t.find(h); err != zOK {
			if t.removeErr != zOK {
				err = t.removeErr
			}
			s.cmdRtPerror("remove", rt, err)
			return
		}
		t.drop(h)
		s.needCommit = true
	case len(c.propNames) > 0:
		i, err := s.findRes(t, c)
		if err != zOK {
			s.cmdRtPerror("remove", rt, err)
			return
		}
		t.list.delete(h, i)
		s.needCommit = true
	default:
		n := t.list.count(h)
		if n == 0 {
			s.cmdRtPerror("remove", rt, zNoEntry)
			return
		}
		if n > 1 && !force {
			if !s.interactive {
				s.zfail("There are multiple instances of this resource.  Either qualify the resource to\nremove a single instance or use the -F option to remove all instances.")
				return
			}
			s.askYesNo()
			s.zerr("Resource incomplete.")
			return
		}
		for t.list.count(h) > 0 {
			t.list.delete(h, 0)
		}
		s.needCommit = true
	}
}

// removeProperty is "remove options <opt>" (fs), "remove value (...)"
// (rctl) and "remove defrouter <x>" (net).
func (s *zcSession) removeProperty(c *command) {
	if len(c.propNames) != 1 {
		s.longUsage("remove", true)
		return
	}
	if s.initialize(true) != zOK {
		return
	}
	prop, pv := c.propNames[0], c.propVals[0]
	t := resType(s.resScope)
	p := t.prop(prop)
	switch {
	case p != nil && p.list != nil:
		p.list.remove(s, s.cur, prop, pv)
	case p != nil && p.remove:
		*p.field(s.cur) = ""
	case t.has(func(p *zcProp) bool { return p.list != nil || p.remove }):
		s.zonePerror(prop, zNoPropertyType, true)
		s.longUsage("remove", true)
		zcUsage(s.errw, helpProps, false)
	default:
		s.zonePerror(s.resScope, zNoResourceType, true)
		s.longUsage("remove", true)
		zcUsage(s.errw, helpResources, false)
	}
}

func indexOf(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

// endFunc is "end": validate the resource and add or modify it.
func (s *zcSession) endFunc(c *command) {
	_, optind, ok := s.parseOpts(c, "?")
	if !ok {
		return
	}
	if optind != len(c.argv) {
		s.shortUsage("end")
		return
	}
	if s.globalScope {
		s.scopeUsage("end")
		return
	}
	t := resType(s.resScope)
	if t == nil {
		s.zonePerror(s.resScope, zNoResourceType, true)
		return
	}
	failed := false
	for _, p := range t.props {
		switch {
		case p.list != nil:
		case !s.propIsSet(p):
			if p.required {
				s.zerr("%s not specified", p.name)
				failed = true
			}
		case p.endCheck != nil && !p.endCheck(s, p.name, *p.field(s.cur)):
			failed = true
		}
	}
	if t.check != nil && !t.check(s, s.cur) {
		failed = true
	}
	if failed {
		s.sawError = true
		return
	}
	if s.handle == nil {
		// The zone was deleted in this session (delete -F): delete_func()
		// leaves a fresh handle that holds no document, so the
		// zonecfg_add_*() or zonecfg_modify_*() of end_func() fails in
		// operation_prep() with Z_BAD_HANDLE, which end_func() reports,
		// staying in the resource's scope (zonecfg.c end_func();
		// libzonecfg.c zonecfg_check_handle()).
		s.zonePerror(s.zone, zBadHandle, true)
		return
	}
	switch {
	case t.list != nil && s.endOp == "add":
		if t.dup(s, t, s.cur) {
			return
		}
		t.list.add(s.handle, s.cur)
	case t.list != nil:
		s.modify(t)
	case t.end != nil && !t.end(s):
		return
	}
	s.needCommit = true
	s.globalScope = true
	s.endOp = ""
}

// propIsSet reports whether a property of the resource being edited has
// a value.
func (s *zcSession) propIsSet(p *zcProp) bool {
	if p.alias != "" {
		return aliasErr(s.handle, p.alias) == zOK
	}
	return *p.field(s.cur) != ""
}

// modify replaces the selected resource: the old one is removed and the
// new one appended, as zonecfg_modify_*() delete and re-add the node.
func (s *zcSession) modify(t *zcResType) {
	h, old := s.handle, t.fields(s.old)
	for i := 0; i < t.list.count(h); i++ {
		if maps.Equal(t.fields(t.list.at(h, i)), old) {
			t.list.delete(h, i)
			break
		}
	}
	t.list.add(h, s.cur)
}

// validAttrName is validate_attr_name().
func (s *zcSession) validAttrName(name string) bool {
	if name == "" || !isAlnum(name[0]) {
		s.zerr("Invalid attr name %s: must start with an alpha-numeric character.", name)
		return false
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; !isAlnum(c) && c != '-' && c != '.' {
			s.zerr("Invalid attr name %s: can only contain alpha-numeric characters, plus '-' and '.'.", name)
			return false
		}
	}
	return true
}

// validAttrTypeValue is validate_attr_type_val(): a string value must be
// shorter than MAXNAMELEN (256) bytes.
func (s *zcSession) validAttrTypeValue(a Attr) bool {
	ok := false
	switch a.Type {
	case "boolean":
		ok = a.Value == "true" || a.Value == "false"
	case "int":
		_, err := strconv.ParseInt(a.Value, 10, 64)
		ok = err == nil
	case "string":
		ok = len(a.Value) < 256
	case "uint":
		_, err := strconv.ParseUint(a.Value, 10, 64)
		ok = err == nil
	default:
		s.zerr("invalid attr type '%s'", a.Type)
		return false
	}
	if !ok {
		s.zerr("invalid attr value for type=%s", a.Type)
	}
	return ok
}

// gzUserExists looks a user up in the global zone's passwd.
func (s *zcSession) gzUserExists(user string) bool {
	f, err := os.Open(filepath.Join(s.root, "etc", "passwd"))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name, _, _ := strings.Cut(sc.Text(), ":"); name == user {
			return true
		}
	}
	return false
}

// validAuths is zonecfg_valid_auths(): a comma list of the zone
// authorizations manage, login and clonefrom.
func (s *zcSession) validAuths(auths string) bool {
	for _, a := range strings.Split(auths, ",") {
		switch strings.TrimPrefix(a, "solaris.zone.") {
		case "manage", "login", "clonefrom":
		default:
			s.zerr("zone '%s': '%s' is not a valid authorization", s.zone, a)
			return false
		}
	}
	return true
}

// verifyFunc is "verify", and "commit" when save is set.
func (s *zcSession) verifyFunc(c *command, save bool) {
	_, optind, ok := s.parseOpts(c, "?")
	if !ok {
		return
	}
	if optind > len(c.argv) {
		s.shortUsage("verify")
		return
	}
	if s.zoneIsReadOnly("verify") {
		return
	}
	if s.initialize(true) != zOK {
		return
	}
	h := s.handle
	ret := zOK
	fail := func(code int) {
		s.sawError = true
		if ret == zOK {
			ret = code
		}
	}
	if !s.globalZone && h.Zonepath == "" {
		s.zerr("zonepath cannot be empty.")
		fail(zReqdResourceMissing)
	}
	brand := h.Brand
	if brand == "" {
		brand = "native"
	}
	if !brandKnown(s.inv.Flavor(), brand) {
		s.zerr("%s: unknown brand.\n", s.zone)
		s.zonePerror(s.zone, zInvalidDocument, true)
		return
	}
	reqd := func(v, rt, pt string) {
		if v == "" {
			s.zerr("%s: %s not specified", rt, pt)
			fail(zReqdPropertyMissing)
		}
	}
	for _, f := range h.FS {
		reqd(f.Dir, "fs", "dir")
		reqd(f.Special, "fs", "special")
		reqd(f.Type, "fs", "type")
	}
	exclusive := h.IPTypeOrDefault() == "exclusive"
	type xif struct{ hasAddr, hasRouter bool }
	var xifOrder []string
	xifs := map[string]*xif{}
	for _, n := range h.Net {
		reqd(n.Physical, "net", "physical")
		if !s.validPhysical(n.Physical) {
			fail(zInval)
		}
		if !exclusive {
			reqd(n.Address, "net", "address")
			if n.AllowedAddress != "" {
				s.zerr("net: allowed-address cannot be specified for a shared IP type")
				fail(zInval)
			}
			continue
		}
		if n.Address != "" {
			s.zerr("net: address cannot be specified for an exclusive IP type")
			fail(zInval)
			continue
		}
		x, ok := xifs[n.Physical]
		if !ok {
			x = &xif{}
			xifs[n.Physical] = x
			xifOrder = append([]string{n.Physical}, xifOrder...)
		}
		x.hasAddr = x.hasAddr || n.AllowedAddress != ""
		x.hasRouter = x.hasRouter || n.Defrouter != ""
	}
	for _, name := range xifOrder {
		if x := xifs[name]; !x.hasAddr && x.hasRouter {
			s.zerr("net: defrouter for %s cannot be specified without allowed-address for an exclusive IP type", name)
			s.sawError = true
			ret = zInval
		}
	}
	hasShares, hasCap := false, false
	for _, r := range h.Rctl {
		reqd(r.Name, "rctl", "name")
		hasShares = hasShares || r.Name == "zone.cpu-shares"
		hasCap = hasCap || r.Name == "zone.cpu-cap"
		if len(r.Values) == 0 {
			s.zerr("rctl: no value specified")
			fail(zReqdPropertyMissing)
		}
	}
	if h.Pset != nil && hasShares {
		s.zerr("rctl zone.cpu-shares and dedicated-cpu are incompatible.")
		fail(zIncompatible)
	}
	if hasShares && h.SchedulingClass != "" && h.SchedulingClass != "FSS" {
		s.zerr("WARNING: rctl zone.cpu-shares and scheduling-class=%s are incompatible", h.SchedulingClass)
		fail(zIncompatible)
	}
	if h.Pset != nil && hasCap {
		s.zerr("rctl zone.cpu-cap and the dedicated-cpu are incompatible.")
		fail(zIncompatible)
	}
	for _, a := range h.Attr {
		reqd(a.Name, "attr", "name")
		reqd(a.Type, "attr", "type")
		reqd(a.Value, "attr", "value")
	}
	for _, d := range h.Dataset {
		switch {
		case d.Name == "":
			s.zerr("dataset: name not specified")
			fail(zReqdPropertyMissing)
		case !validDatasetName(d.Name):
			s.zerr("dataset: name invalid")
			fail(zBadProperty)
		}
	}
	for _, a := range h.Admin {
		reqd(a.User, "admin", "user")
		reqd(a.Auths, "admin", "auths")
		if ret == zOK && !s.gzUserExists(a.User) {
			s.zerr("user %s is not a valid username", a.User)
			ret = zBadProperty
		}
		if ret == zOK && !s.validAuths(a.Auths) {
			ret = zBadProperty
		}
	}
	if !s.globalScope {
		s.zerr("resource specification incomplete")
		fail(zInsufficientSpec)
	}
	if save {
		if ret == zOK {
			if ret = s.save(); ret == zOK {
				s.needCommit = false
				s.revertZone = s.zone
			}
		} else {
			s.zerr("Zone %s failed to verify", s.zone)
		}
	}
	if ret != zOK {
		s.zonePerror(s.zone, ret, true)
	}
}

// validDatasetName is zfs_name_valid() for a filesystem: components of
// [A-Za-z0-9_.:-], no snapshot delimiter, no empty component.
func validDatasetName(name string) bool {
	if name == "" || len(name) >= 256 || strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") {
		return false
	}
	for _, comp := range strings.Split(name, "/") {
		if comp == "" {
			return false
		}
		for i := 0; i < len(comp); i++ {
			c := comp[i]
			if !isAlnum(c) && !strings.ContainsRune("_.:- ", rune(c)) {
				return false
			}
		}
	}
	return true
}
