package zones

import (
	"bufio"
	"fmt"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// This file holds zonecfg's resource handling: add, set, clear, select,
// remove, end and verify, ported from the handlers of illumos
// usr/src/cmd/zonecfg/zonecfg.c with their messages.

// zNoPropertyID is Z_NO_PROPERTY_ID.
const zNoPropertyID = 100

func init() { zStrerror[zNoPropertyID] = "No such property with that id" }

// globalProps are the properties settable in the global scope.
var globalProps = map[string]bool{"zonename": true, "zonepath": true, "autoboot": true,
	"brand": true, "pool": true, "limitpriv": true, "bootargs": true, "scheduling-class": true,
	"ip-type": true, "max-lwps": true, "max-processes": true, "max-shm-memory": true,
	"max-shm-ids": true, "max-msg-ids": true, "max-sem-ids": true, "cpu-shares": true,
	"hostid": true, "fs-allowed": true}

// gzInvalidProps cannot be set for the global zone.
var gzInvalidProps = map[string]bool{"zonename": true, "zonepath": true, "autoboot": true,
	"limitpriv": true, "bootargs": true, "brand": true, "scheduling-class": true,
	"ip-type": true, "hostid": true, "fs-allowed": true}

// gzInvalidResources cannot be added to the global zone.
var gzInvalidResources = map[string]bool{"fs": true, "net": true, "device": true,
	"attr": true, "dataset": true}

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

// resProps are the properties a resource can be qualified by.
var resProps = map[string][]string{
	"fs":      {"dir", "special", "raw", "type"},
	"net":     {"address", "allowed-address", "physical", "defrouter"},
	"device":  {"match"},
	"rctl":    {"name"},
	"attr":    {"name", "type", "value"},
	"dataset": {"name"},
	"admin":   {"user", "auths"},
}

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
	if s.globalZone && gzInvalidResources[c.resType] {
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
	h := s.handle
	switch rt {
	case "":
		s.longUsage("add", true)
		return false
	case "fs":
		s.inFS = FS{}
	case "net":
		s.inNet = Net{}
	case "device":
		s.inDev = Device{}
	case "rctl":
		if s.globalZone {
			s.zerr("WARNING: Setting a global zone resource control too low could deny\nservice to even the root user; this could render the system impossible\nto administer.  Please use caution.")
		}
		s.inRctl = Rctl{}
	case "attr":
		s.inAttr = Attr{}
	case "dataset":
		s.inDS = Dataset{}
	case "admin":
		s.inAdmin = Admin{}
	case "dedicated-cpu":
		if h.Pset != nil {
			s.zerr("The dedicated-cpu resource already exists.")
			return false
		}
		if _, err := getAliasedRctl(h, "cpu-cap"); err != zNoEntry {
			s.zerr("The capped-cpu resource already exists.")
			return false
		}
		if h.Pool != "" {
			s.zerr("The pool property is already set.  A persistent pool is incompatible with\nthe dedicated-cpu resource.")
			return false
		}
		s.inPset = Pset{}
	case "capped-cpu":
		if h.Pset != nil {
			s.zerr("The dedicated-cpu resource already exists.")
			return false
		}
		switch _, err := getAliasedRctl(h, "cpu-cap"); err {
		case zAliasDisallow:
			s.zonePerror("capped-cpu", zAliasDisallow, false)
			return false
		case zOK:
			s.zerr("The capped-cpu resource already exists.")
			return false
		}
	case "capped-memory":
		_, swapErr := getAliasedRctl(h, "max-swap")
		_, lockedErr := getAliasedRctl(h, "max-locked-memory")
		if h.Mcap != nil || swapErr == zOK || lockedErr == zOK {
			s.zerr("The capped-memory resource or a related resource control already exists.")
			return false
		}
		s.inMcap = Mcap{}
	default:
		s.zonePerror(rt, zNoResourceType, true)
		s.longUsage("add", true)
		zcUsage(s.errw, helpResources, false)
		return false
	}
	return true
}

// addProperty is "add options ..." in an fs and "add value (...)" in an rctl.
func (s *zcSession) addProperty(c *command) {
	if len(c.propNames) != 1 {
		s.longUsage("add", true)
		return
	}
	prop, pv := c.propNames[0], c.propVals[0]
	switch s.resScope {
	case "fs":
		if prop != "options" {
			s.zonePerror(prop, zNoPropertyType, true)
			s.longUsage("add", true)
			zcUsage(s.errw, helpProps, false)
			return
		}
		switch pv.kind {
		case pvSimple:
			s.inFS.Options = append(s.inFS.Options, pv.simple)
		case pvList:
			for _, it := range pv.list {
				if it.isCmplx {
					break
				}
				s.inFS.Options = append(s.inFS.Options, it.simple)
			}
		default:
			s.zerr("A simple or list value was expected here.")
			s.sawError = true
		}
	case "rctl":
		if prop != "value" {
			s.zonePerror(prop, zNoPropertyType, true)
			s.longUsage("add", true)
			zcUsage(s.errw, helpProps, false)
			return
		}
		switch pv.kind {
		case pvComplex:
			s.addRctlValue(pv.complex)
		case pvList:
			for _, it := range pv.list {
				s.addRctlValue(it.complex)
			}
		default:
			s.zerr("A complex or list value was expected here.")
			s.sawError = true
		}
	default:
		s.zonePerror(s.resScope, zNoResourceType, true)
		s.longUsage("add", true)
		zcUsage(s.errw, helpResources, false)
	}
}

// addRctlValue is do_complex_rctl_val().
func (s *zcSession) addRctlValue(pieces []complexPiece) {
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
	s.inRctl.Values = append(s.inRctl.Values, v)
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
	rt := s.resScope
	if s.globalScope {
		if s.globalZone && gzInvalidProps[prop] {
			s.zerr("%s is not a valid property for the global zone.", prop)
			s.sawError = true
			return
		}
		if !globalProps[prop] {
			s.zerr("Cannot set a resource-specific property from the global scope.")
			s.sawError = true
			return
		}
		rt = prop
	}
	if force {
		if rt != "zonepath" {
			s.zerr("Only zonepath setting can be forced.")
		} else {
			s.zerr("Zonepath is changeable only in an alternate root.")
		}
		s.sawError = true
		return
	}
	pv := c.propVals[0]
	listable := (rt == "fs" && prop == "options") || (rt == "rctl" && prop == "value")
	if !listable && pv.kind != pvSimple {
		s.zerr("A simple value was expected here.")
		s.sawError = true
		return
	}
	v := pv.simple
	if rt == "zonename" && !s.gotHandle && !s.stateAtLeast(StateConfigured) {
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
	h := s.handle
	switch rt {
	case "zonename":
		s.setZonename(v)
	case "zonepath":
		if s.stateAtLeast(StateInstalled) {
			s.zerr("Zone %s already installed; set zonepath not allowed.", s.zone)
			s.sawError = true
			return
		}
		if !strings.HasPrefix(v, "/") {
			s.zerr("%s is not an absolute path.", v)
			s.sawError = true
			return
		}
		if strings.Trim(v, "/") == "" {
			s.zerr("/ is not allowed as a zonepath.")
			s.sawError = true
			return
		}
		h.Zonepath = v
		s.needCommit = true
	case "brand":
		if s.stateAtLeast(StateInstalled) {
			s.zerr("Zone %s already installed; set brand not allowed.", s.zone)
			s.sawError = true
			return
		}
		h.Brand = v
		s.needCommit = true
	case "autoboot":
		if v != "true" && v != "false" {
			s.zerr("autoboot value must be 'true' or 'false'.")
			s.sawError = true
			return
		}
		h.Autoboot = v == "true"
		s.needCommit = true
	case "pool":
		if strings.HasPrefix(v, "SUNW") {
			s.zerr("pool names starting with SUNW are reserved.")
			s.sawError = true
			return
		}
		if h.Pset != nil {
			s.zerr("The dedicated-cpu resource already exists.  A persistent pool is incompatible\nwith the dedicated-cpu resource.")
			s.sawError = true
			return
		}
		h.Pool = v
		s.needCommit = true
	case "limitpriv":
		h.Limitpriv = v
		s.needCommit = true
	case "bootargs":
		h.Bootargs = v
		s.needCommit = true
	case "scheduling-class":
		h.SchedulingClass = v
		s.needCommit = true
	case "ip-type":
		if v != "shared" && v != "exclusive" {
			s.zerr("ip-type value must be 'shared' or 'exclusive'.")
			s.sawError = true
			return
		}
		h.IPType = v
		s.needCommit = true
	case "max-lwps", "max-processes", "max-shm-memory", "max-shm-ids", "max-msg-ids", "max-sem-ids", "cpu-shares":
		s.setAliasedProp(rt, prop, v)
	case "hostid":
		if _, err := strconv.ParseUint(v, 16, 32); err != nil || len(v) > 8 {
			s.zerr("hostid string is too large: %s", v)
			s.sawError = true
			return
		}
		h.Hostid = v
		s.needCommit = true
	case "fs-allowed":
		h.FSAllowed = v
		s.needCommit = true
	case "fs":
		s.setFS(c, prop, v, pv)
	case "net":
		s.setNet(prop, v)
	case "device":
		if prop != "match" {
			s.badSetProp(prop)
			return
		}
		s.inDev.Match = v
	case "rctl":
		switch prop {
		case "name":
			if !validRctlNames[v] {
				s.zerr("'%s' is not a valid zone rctl name.", v)
				return
			}
			s.inRctl.Name = v
		case "value":
			if pv.kind == pvSimple {
				s.zerr("A complex or list value was expected here.")
				s.sawError = true
				return
			}
			s.inRctl.Values = nil
			if !c.emptyList {
				s.addProperty(c)
			}
		default:
			s.badSetProp(prop)
		}
	case "attr":
		switch prop {
		case "name":
			s.inAttr.Name = v
		case "type":
			s.inAttr.Type = v
		case "value":
			s.inAttr.Value = v
		default:
			s.badSetProp(prop)
		}
	case "dataset":
		if prop != "name" {
			s.badSetProp(prop)
			return
		}
		s.inDS.Name = v
	case "admin":
		switch prop {
		case "user":
			s.inAdmin.User = v
		case "auths":
			s.inAdmin.Auths = v
		default:
			s.badSetProp(prop)
		}
	case "dedicated-cpu":
		s.setPset(prop, v)
	case "capped-cpu":
		if prop != "ncpus" {
			s.badSetProp(prop)
			return
		}
		f, err := strconv.ParseFloat(v, 32)
		if err != nil || f <= 0 || int(f*100) < 1 {
			s.zerr("ncpus property is out of range.")
			s.sawError = true
			return
		}
		setAliasedRctl(h, "cpu-cap", uint64(math.Round(f*100)))
		s.needCommit = true
	case "capped-memory":
		s.setMcap(prop, v)
	default:
		s.zonePerror(rt, zNoResourceType, true)
		s.longUsage("set", true)
		zcUsage(s.errw, helpResources, false)
	}
}

// badSetProp reports a property the current resource does not have.
func (s *zcSession) badSetProp(prop string) {
	s.zonePerror(prop, zNoPropertyType, true)
	s.longUsage("set", true)
	zcUsage(s.errw, helpProps, false)
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

// setAliasedProp is set_aliased_rctl().
func (s *zcSession) setAliasedProp(alias, prop, v string) {
	if s.globalZone && alias != "cpu-shares" {
		s.zerr("WARNING: Setting a global zone resource control too low could deny\nservice to even the root user; this could render the system impossible\nto administer.  Please use caution.")
	}
	if alias == "max-shm-memory" {
		n, ok := parseMemLimit(v)
		if !ok {
			s.zerr("A non-negative number with a required scale suffix (K, M, G or T) was expected\nhere.")
			s.sawError = true
			return
		}
		v = strconv.FormatUint(n, 10)
	}
	if _, err := getAliasedRctl(s.handle, alias); err == zAliasDisallow {
		s.zonePerror(prop, zAliasDisallow, false)
		s.sawError = true
		return
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n < rctlAliases[alias].low {
		s.zerr("%s property is out of range.", prop)
		s.sawError = true
		return
	}
	setAliasedRctl(s.handle, alias, n)
	s.needCommit = true
}

// setFS sets a property of the fs being added or selected.
func (s *zcSession) setFS(c *command, prop, v string, pv propValue) {
	switch prop {
	case "dir":
		s.inFS.Dir = v
	case "special":
		s.inFS.Special = v
	case "raw":
		s.inFS.Raw = v
	case "type":
		if v == "" || len(v) >= 256 || strings.Contains(v, "/") || v == "." || v == ".." {
			s.zerr("\"%s\" is not a valid type.", v)
			s.sawError = true
			return
		}
		s.inFS.Type = v
	case "options":
		if pv.kind == pvComplex {
			s.zerr("A simple or list value was expected here.")
			s.sawError = true
			return
		}
		s.inFS.Options = nil
		if !c.emptyList {
			s.addProperty(c)
		}
	default:
		s.badSetProp(prop)
	}
}

// setNet sets a property of the net being added or selected.
func (s *zcSession) setNet(prop, v string) {
	switch prop {
	case "address", "allowed-address":
		if !s.validNetAddress(v, false) {
			s.sawError = true
			return
		}
		if prop == "address" {
			s.inNet.Address = v
		} else {
			s.inNet.AllowedAddress = v
		}
	case "physical":
		if !s.validPhysical(v) {
			s.sawError = true
			return
		}
		s.inNet.Physical = v
	case "defrouter":
		if !s.validNetAddress(v, true) {
			s.sawError = true
			return
		}
		s.inNet.Defrouter = v
	default:
		s.badSetProp(prop)
	}
}

// setPset sets a property of dedicated-cpu.
func (s *zcSession) setPset(prop, v string) {
	switch prop {
	case "ncpus":
		low, high, ranged := strings.Cut(v, "-")
		if !ranged {
			high = low
		}
		lo, err1 := strconv.ParseUint(low, 10, 32)
		hi, err2 := strconv.ParseUint(high, 10, 32)
		if err1 != nil || err2 != nil || lo == 0 || lo > hi {
			s.zerr("ncpus property is out of range.")
			s.sawError = true
			return
		}
		s.inPset.NcpuMin, s.inPset.NcpuMax = low, high
	case "importance":
		if _, err := strconv.ParseUint(v, 10, 32); err != nil {
			s.zerr("importance property is out of range.")
			s.sawError = true
			return
		}
		s.inPset.Importance = v
	default:
		s.badSetProp(prop)
	}
}

// setMcap sets a property of capped-memory.
func (s *zcSession) setMcap(prop, v string) {
	switch prop {
	case "physical":
		n, ok := parseMemLimit(v)
		switch {
		case !ok:
			s.zerr("A positive number with a required scale suffix (K, M, G or T) was expected here.")
			s.sawError = true
		case n < 1<<20:
			s.zerr("physical value is too small.  It must be at least 1M.")
			s.sawError = true
		default:
			s.inMcap.Physcap = strconv.FormatUint(n, 10)
		}
	case "swap", "locked":
		alias := "max-swap"
		if prop == "locked" {
			alias = "max-locked-memory"
		}
		if _, err := getAliasedRctl(s.handle, alias); err == zAliasDisallow {
			s.zonePerror(prop, zAliasDisallow, false)
			s.sawError = true
			return
		}
		n, ok := parseMemLimit(v)
		if !ok {
			if prop == "swap" {
				s.zerr("A positive number with a required scale suffix (K, M, G or T) was expected here.")
			} else {
				s.zerr("A non-negative number with a required scale suffix (K, M, G or T) was expected\nhere.")
			}
			s.sawError = true
			return
		}
		if prop == "swap" {
			limit := uint64(50 << 20)
			if s.globalZone {
				limit = 100 << 20
			}
			if n < limit {
				s.zerr("swap value is too small.  It must be at least %s.", bytesToUnits(limit))
				s.sawError = true
				return
			}
		}
		setAliasedRctl(s.handle, alias, n)
		s.needCommit = true
	default:
		s.badSetProp(prop)
	}
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
		switch {
		case s.resScope == "fs" && prop == "raw":
			s.inFS.Raw = ""
			s.needCommit = true
			return
		case s.resScope == "dedicated-cpu" && prop == "importance":
			s.inPset.Importance = ""
			s.needCommit = true
			return
		case s.resScope == "capped-memory" && prop == "physical":
			s.inMcap.Physcap = ""
			s.needCommit = true
			return
		case s.resScope == "capped-memory" && prop == "swap":
			s.removeAliasedProp(prop, "max-swap")
			return
		case s.resScope == "capped-memory" && prop == "locked":
			s.removeAliasedProp(prop, "max-locked-memory")
			return
		}
		s.zonePerror(prop, zClearDisallow, true)
		return
	}
	if s.globalZone && gzInvalidProps[prop] {
		s.zerr("%s is not a valid property for the global zone.", prop)
		s.sawError = true
		return
	}
	if s.initialize(true) != zOK {
		return
	}
	h := s.handle
	switch prop {
	case "zonename", "zonepath", "brand":
		s.zonePerror(prop, zClearDisallow, true)
		return
	case "autoboot":
		h.Autoboot = false
	case "pool":
		h.Pool = ""
	case "limitpriv":
		h.Limitpriv = ""
	case "bootargs":
		h.Bootargs = ""
	case "scheduling-class":
		h.SchedulingClass = ""
	case "ip-type":
		h.IPType = "shared"
	case "max-lwps", "max-processes", "max-shm-memory", "max-shm-ids", "max-msg-ids", "max-sem-ids", "cpu-shares":
		s.removeAliasedProp(prop, prop)
		return
	case "hostid":
		h.Hostid = ""
	case "fs-allowed":
		h.FSAllowed = ""
	default:
		s.zonePerror(prop, zNoPropertyType, true)
		s.longUsage("clear", true)
		zcUsage(s.errw, helpProps, false)
		return
	}
	s.needCommit = true
}

// removeAliasedProp is remove_aliased_rctl().
func (s *zcSession) removeAliasedProp(prop, alias string) {
	if _, err := getAliasedRctl(s.handle, alias); err != zOK {
		s.zerr("clear %s: %s", prop, zStrerror[err])
		s.sawError = true
		return
	}
	rmAliasedRctl(s.handle, alias)
	s.needCommit = true
}

// fillIn collects the property qualifiers of a resource command
// (fill_in_*tab()).
func (s *zcSession) fillIn(rt string, c *command) (map[string]string, int) {
	if err := s.initialize(true); err != zOK {
		return nil, err
	}
	allowed := resProps[rt]
	vals := map[string]string{}
	for i, name := range c.propNames {
		pv := c.propVals[i]
		if pv.kind != pvSimple {
			s.zerr("A simple value was expected here.")
			s.sawError = true
			return nil, zInsufficientSpec
		}
		ok := false
		for _, a := range allowed {
			ok = ok || a == name
		}
		if !ok {
			s.zonePerror(name, zNoPropertyType, true)
			return nil, zInsufficientSpec
		}
		vals[name] = pv.simple
	}
	return vals, zOK
}

// resFields returns the properties of resource i of type rt.
func resFields(h *Config, rt string, i int) map[string]string {
	switch rt {
	case "fs":
		f := h.FS[i]
		return map[string]string{"dir": f.Dir, "special": f.Special, "raw": f.Raw, "type": f.Type}
	case "net":
		n := h.Net[i]
		return map[string]string{"address": n.Address, "allowed-address": n.AllowedAddress, "physical": n.Physical, "defrouter": n.Defrouter}
	case "device":
		return map[string]string{"match": h.Device[i].Match}
	case "rctl":
		return map[string]string{"name": h.Rctl[i].Name}
	case "attr":
		a := h.Attr[i]
		return map[string]string{"name": a.Name, "type": a.Type, "value": a.Value}
	case "dataset":
		return map[string]string{"name": h.Dataset[i].Name}
	case "admin":
		a := h.Admin[i]
		return map[string]string{"user": a.User, "auths": a.Auths}
	}
	return nil
}

// resCount returns how many resources of type rt the handle has.
func resCount(h *Config, rt string) int {
	switch rt {
	case "fs":
		return len(h.FS)
	case "net":
		return len(h.Net)
	case "device":
		return len(h.Device)
	case "rctl":
		return len(h.Rctl)
	case "attr":
		return len(h.Attr)
	case "dataset":
		return len(h.Dataset)
	case "admin":
		return len(h.Admin)
	}
	return 0
}

// lookup finds the one resource matching every qualifier
// (zonecfg_lookup_*()).
func lookup(h *Config, rt string, vals map[string]string) (int, int) {
	found := -1
	for i := 0; i < resCount(h, rt); i++ {
		f := resFields(h, rt, i)
		match := true
		for k, v := range vals {
			if v != "" && f[k] != v {
				match = false
			}
		}
		if !match {
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

// deleteRes removes resource i of type rt.
func deleteRes(h *Config, rt string, i int) {
	switch rt {
	case "fs":
		h.FS = append(h.FS[:i], h.FS[i+1:]...)
	case "net":
		h.Net = append(h.Net[:i], h.Net[i+1:]...)
	case "device":
		h.Device = append(h.Device[:i], h.Device[i+1:]...)
	case "rctl":
		h.Rctl = append(h.Rctl[:i], h.Rctl[i+1:]...)
	case "attr":
		h.Attr = append(h.Attr[:i], h.Attr[i+1:]...)
	case "dataset":
		h.Dataset = append(h.Dataset[:i], h.Dataset[i+1:]...)
	case "admin":
		h.Admin = append(h.Admin[:i], h.Admin[i+1:]...)
	}
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
	if s.initialize(true) != zOK {
		return
	}
	h := s.handle
	rt := c.resType
	switch rt {
	case "fs", "net", "device", "rctl", "attr", "dataset", "admin":
		vals, err := s.fillIn(rt, c)
		i := -1
		if err == zOK {
			i, err = lookup(h, rt, vals)
		}
		if err != zOK {
			s.cmdRtPerror("select", rt, err)
			s.globalScope = true
			return
		}
		switch rt {
		case "fs":
			s.oldFS = h.FS[i]
			s.inFS = h.FS[i]
			s.inFS.Options = append([]string(nil), h.FS[i].Options...)
		case "net":
			s.oldNet, s.inNet = h.Net[i], h.Net[i]
		case "device":
			s.oldDev, s.inDev = h.Device[i], h.Device[i]
		case "rctl":
			s.oldRctl = h.Rctl[i]
			s.inRctl = h.Rctl[i]
			s.inRctl.Values = append([]RctlValue(nil), h.Rctl[i].Values...)
		case "attr":
			s.oldAttr, s.inAttr = h.Attr[i], h.Attr[i]
		case "dataset":
			s.oldDS, s.inDS = h.Dataset[i], h.Dataset[i]
		case "admin":
			s.oldAdmin, s.inAdmin = h.Admin[i], h.Admin[i]
		}
	case "dedicated-cpu":
		if h.Pset == nil {
			s.cmdRtPerror("select", rt, zNoEntry)
			s.globalScope = true
			return
		}
		s.oldPset, s.inPset = *h.Pset, *h.Pset
	case "capped-cpu":
		if _, err := getAliasedRctl(h, "cpu-cap"); err != zOK {
			s.cmdRtPerror("select", rt, err)
			s.globalScope = true
		}
	case "capped-memory":
		_, swapErr := getAliasedRctl(h, "max-swap")
		_, lockedErr := getAliasedRctl(h, "max-locked-memory")
		if h.Mcap == nil && swapErr != zOK && lockedErr != zOK {
			s.cmdRtPerror("select", rt, zNoResourceType)
			s.globalScope = true
		}
		s.inMcap = Mcap{}
		if h.Mcap != nil {
			s.inMcap = *h.Mcap
		}
	default:
		s.zonePerror(rt, zNoResourceType, true)
		s.longUsage("select", true)
		zcUsage(s.errw, helpResources, false)
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
	if s.globalZone && gzInvalidResources[rt] {
		s.zerr("%s is not a valid resource for the global zone.", rt)
		s.sawError = true
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
	h := s.handle
	switch rt {
	case "fs", "net", "device", "rctl", "attr", "dataset", "admin":
		if len(c.propNames) > 0 {
			vals, err := s.fillIn(rt, c)
			i := -1
			if err == zOK {
				i, err = lookup(h, rt, vals)
			}
			if err != zOK {
				s.cmdRtPerror("remove", rt, err)
				return
			}
			deleteRes(h, rt, i)
			s.needCommit = true
			return
		}
		n := resCount(h, rt)
		if n == 0 {
			s.cmdRtPerror("remove", rt, zNoEntry)
			return
		}
		if n > 1 && !force {
			if !s.interactive {
				s.zerr("There are multiple instances of this resource.  Either qualify the resource to\nremove a single instance or use the -F option to remove all instances.")
				s.sawError = true
				return
			}
			s.askYesNo()
			s.zerr("Resource incomplete.")
			return
		}
		for resCount(h, rt) > 0 {
			deleteRes(h, rt, 0)
		}
		s.needCommit = true
	case "dedicated-cpu":
		if h.Pset == nil {
			s.cmdRtPerror("remove", rt, zNoEntry)
			return
		}
		h.Pset = nil
		s.needCommit = true
	case "capped-cpu":
		if _, err := getAliasedRctl(h, "cpu-cap"); err != zOK {
			s.zerr("remove capped-cpu: %s", zStrerror[zNoResourceType])
			s.sawError = true
			return
		}
		rmAliasedRctl(h, "cpu-cap")
		s.needCommit = true
	case "capped-memory":
		_, swapErr := getAliasedRctl(h, "max-swap")
		_, lockedErr := getAliasedRctl(h, "max-locked-memory")
		if h.Mcap == nil && swapErr != zOK && lockedErr != zOK {
			s.zerr("remove capped-memory: %s", zStrerror[zNoResourceType])
			s.sawError = true
			return
		}
		h.Mcap = nil
		if swapErr == zOK {
			rmAliasedRctl(h, "max-swap")
		}
		if lockedErr == zOK {
			rmAliasedRctl(h, "max-locked-memory")
		}
		s.needCommit = true
	default:
		s.zonePerror(rt, zNoResourceType, true)
		s.longUsage("remove", true)
		zcUsage(s.errw, helpResources, false)
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
	switch s.resScope {
	case "fs":
		if prop != "options" {
			s.zonePerror(prop, zNoPropertyType, true)
			s.longUsage("remove", true)
			zcUsage(s.errw, helpProps, false)
			return
		}
		var opts []string
		switch pv.kind {
		case pvSimple:
			opts = []string{pv.simple}
		case pvList:
			for _, it := range pv.list {
				if it.isCmplx {
					break
				}
				opts = append(opts, it.simple)
			}
		default:
			s.zerr("A simple or list value was expected here.")
			s.sawError = true
			return
		}
		for _, o := range opts {
			i := indexOf(s.inFS.Options, o)
			if i < 0 {
				s.zonePerror(prop, zNoPropertyID, true)
				continue
			}
			s.inFS.Options = append(s.inFS.Options[:i], s.inFS.Options[i+1:]...)
		}
	case "rctl":
		if prop != "value" {
			s.zonePerror(prop, zNoPropertyType, true)
			s.longUsage("remove", true)
			zcUsage(s.errw, helpProps, false)
			return
		}
		if pv.kind != pvComplex {
			s.zerr("A complex value was expected here.")
			s.sawError = true
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
		for i, x := range s.inRctl.Values {
			if x == v {
				s.inRctl.Values = append(s.inRctl.Values[:i], s.inRctl.Values[i+1:]...)
				return
			}
		}
		s.zonePerror(prop, zNoPropertyID, true)
	case "net":
		if prop != "defrouter" {
			s.zonePerror(prop, zNoPropertyType, true)
			s.longUsage("remove", true)
			zcUsage(s.errw, helpProps, false)
			return
		}
		s.inNet.Defrouter = ""
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

// endCheckReqd reports a missing required property at end.
func (s *zcSession) endCheckReqd(v, prop string, failed *bool) bool {
	if v == "" {
		*failed = true
		s.zerr("%s not specified", prop)
		return false
	}
	return true
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
	h := s.handle
	failed := false
	switch s.resScope {
	case "fs":
		f := s.inFS
		if s.endCheckReqd(f.Dir, "dir", &failed) && !strings.HasPrefix(f.Dir, "/") {
			s.zerr("dir %s is not an absolute path.", f.Dir)
			failed = true
		}
		s.endCheckReqd(f.Special, "special", &failed)
		if f.Raw != "" && !strings.HasPrefix(f.Raw, "/") {
			s.zerr("raw %s is not an absolute path.", f.Raw)
			failed = true
		}
		s.endCheckReqd(f.Type, "type", &failed)
		if failed {
			s.sawError = true
			return
		}
		if s.endOp == "add" {
			if _, err := lookup(h, "fs", map[string]string{"dir": f.Dir}); err != zNoResourceID {
				s.zerr("A fs resource with the dir '%s' already exists.", f.Dir)
				s.sawError = true
				return
			}
			f.seq = h.nextSeq()
			h.FS = append(h.FS, f)
		} else {
			s.modify("fs", func(i int) bool { return fsEqual(h.FS[i], s.oldFS) }, func() {
				f.seq = h.nextSeq()
				h.FS = append(h.FS, f)
			})
		}
	case "net":
		n := s.inNet
		if !s.endCheckReqd(n.Physical, "physical", &failed) {
			s.sawError = true
			return
		}
		if s.endOp == "add" {
			q := map[string]string{"physical": n.Physical, "address": n.Address, "allowed-address": n.AllowedAddress}
			if _, err := lookup(h, "net", q); err == zOK {
				if n.Address != "" {
					s.zerr("A net resource with the physical '%s', and address '%s' already exists.", n.Physical, n.Address)
				} else {
					s.zerr("A net resource with the physical '%s', and allowed-address '%s' already exists.", n.Physical, n.AllowedAddress)
				}
				s.sawError = true
				return
			}
			n.seq = h.nextSeq()
			h.Net = append(h.Net, n)
		} else {
			s.modify("net", func(i int) bool { return h.Net[i] == s.oldNet }, func() {
				n.seq = h.nextSeq()
				h.Net = append(h.Net, n)
			})
		}
	case "device":
		d := s.inDev
		if !s.endCheckReqd(d.Match, "match", &failed) {
			s.sawError = true
			return
		}
		if s.endOp == "add" {
			if _, err := lookup(h, "device", map[string]string{"match": d.Match}); err != zNoResourceID {
				s.zerr("A device resource with the match '%s' already exists.", d.Match)
				s.sawError = true
				return
			}
			d.seq = h.nextSeq()
			h.Device = append(h.Device, d)
		} else {
			s.modify("device", func(i int) bool { return h.Device[i] == s.oldDev }, func() {
				d.seq = h.nextSeq()
				h.Device = append(h.Device, d)
			})
		}
	case "rctl":
		r := s.inRctl
		s.endCheckReqd(r.Name, "name", &failed)
		if len(r.Values) == 0 {
			s.zerr("no value specified")
			failed = true
		}
		if failed {
			s.sawError = true
			return
		}
		if s.endOp == "add" {
			if h.rctl(r.Name) >= 0 {
				s.zerr("A rctl resource with the name '%s' already exists.", r.Name)
				s.sawError = true
				return
			}
			r.seq = h.nextSeq()
			h.Rctl = append(h.Rctl, r)
		} else {
			s.modify("rctl", func(i int) bool { return h.Rctl[i].Name == s.oldRctl.Name }, func() {
				r.seq = h.nextSeq()
				h.Rctl = append(h.Rctl, r)
			})
		}
		s.inRctl = Rctl{}
	case "attr":
		a := s.inAttr
		s.endCheckReqd(a.Name, "name", &failed)
		s.endCheckReqd(a.Type, "type", &failed)
		s.endCheckReqd(a.Value, "value", &failed)
		if !s.validAttrName(a.Name) {
			failed = true
		}
		if !s.validAttrTypeValue(a) {
			failed = true
		}
		if failed {
			s.sawError = true
			return
		}
		if s.endOp == "add" {
			if _, ok := h.Attribute(a.Name); ok {
				s.zerr("An attr resource with the name '%s' already exists.", a.Name)
				s.sawError = true
				return
			}
			a.seq = h.nextSeq()
			h.Attr = append(h.Attr, a)
		} else {
			s.modify("attr", func(i int) bool { return h.Attr[i] == s.oldAttr }, func() {
				a.seq = h.nextSeq()
				h.Attr = append(h.Attr, a)
			})
		}
	case "dataset":
		d := s.inDS
		if d.Name == "" {
			s.zerr("name not specified")
			s.sawError = true
			return
		}
		if s.endOp == "add" {
			if _, err := lookup(h, "dataset", map[string]string{"name": d.Name}); err != zNoResourceID {
				s.zerr("A dataset resource with the name '%s' already exists.", d.Name)
				s.sawError = true
				return
			}
			d.seq = h.nextSeq()
			h.Dataset = append(h.Dataset, d)
		} else {
			s.modify("dataset", func(i int) bool { return h.Dataset[i] == s.oldDS }, func() {
				d.seq = h.nextSeq()
				h.Dataset = append(h.Dataset, d)
			})
		}
	case "dedicated-cpu":
		if !s.endCheckReqd(s.inPset.NcpuMin, "ncpus", &failed) {
			s.sawError = true
			return
		}
		p := s.inPset
		if h.Pset != nil {
			p.seq = h.Pset.seq
		} else {
			p.seq = h.nextSeq()
		}
		h.Pset = &p
	case "capped-cpu":
		if _, err := getAliasedRctl(h, "cpu-cap"); err != zOK {
			s.zerr("ncpus not specified")
			s.sawError = true
			return
		}
	case "capped-memory":
		_, swapErr := getAliasedRctl(h, "max-swap")
		locked, lockedErr := getAliasedRctl(h, "max-locked-memory")
		if s.inMcap.Physcap == "" && swapErr != zOK && lockedErr != zOK {
			s.zerr("No property was specified.  One of physical, swap or locked is required.")
			s.sawError = true
			return
		}
		if s.inMcap.Physcap != "" && lockedErr == zOK {
			phys, _ := strconv.ParseUint(s.inMcap.Physcap, 10, 64)
			if phys < locked {
				s.zerr("The locked cap must be less than or equal to the physical cap.")
				s.sawError = true
				return
			}
		}
		switch {
		case s.inMcap.Physcap != "":
			m := Mcap{Physcap: s.inMcap.Physcap}
			if h.Mcap != nil {
				m.seq = h.Mcap.seq
			} else {
				m.seq = h.nextSeq()
			}
			h.Mcap = &m
		case s.endOp == "select":
			h.Mcap = nil
		}
	case "admin":
		a := s.inAdmin
		if s.endCheckReqd(a.User, "user", &failed) && !s.gzUserExists(a.User) {
			s.zerr("user %s is not a valid username", a.User)
			failed = true
		}
		if s.endCheckReqd(a.Auths, "auths", &failed) && !s.validAuths(a.Auths) {
			failed = true
		}
		if failed {
			s.sawError = true
			return
		}
		if s.endOp == "add" {
			if _, err := lookup(h, "admin", map[string]string{"user": a.User}); err != zNoResourceID {
				s.zerr("A admin resource with the user '%s' already exists.", a.User)
				s.sawError = true
				return
			}
			a.seq = h.nextSeq()
			h.Admin = append(h.Admin, a)
		} else {
			s.modify("admin", func(i int) bool { return h.Admin[i] == s.oldAdmin }, func() {
				a.seq = h.nextSeq()
				h.Admin = append(h.Admin, a)
			})
		}
	default:
		s.zonePerror(s.resScope, zNoResourceType, true)
		return
	}
	s.needCommit = true
	s.globalScope = true
	s.endOp = ""
}

// modify replaces the selected resource: the old one is removed and the
// new one appended, as zonecfg_modify_*() delete and re-add the node.
func (s *zcSession) modify(rt string, isOld func(int) bool, add func()) {
	for i := 0; i < resCount(s.handle, rt); i++ {
		if isOld(i) {
			deleteRes(s.handle, rt, i)
			break
		}
	}
	add()
}

func fsEqual(a, b FS) bool {
	return a.Dir == b.Dir && a.Special == b.Special && a.Raw == b.Raw && a.Type == b.Type
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
