package illumos

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ParseZonecfgExport parses `zonecfg -z Z export` output and, as the same
// language, the command files CreateScript and UpdateScript write: create,
// set, clear, add/select ... end, remove, cancel, verify, commit and exit.
// It keeps resources in the order and form of the text (an OmniOS memory
// cap stays a zone.max-physical-memory rctl; see ZoneConfig.Normalize). A
// template named by "create -t" contributes nothing, its contents being
// unknown here. The result has no Name: zonecfg prints none.
func ParseZonecfgExport(b []byte) (*ZoneConfig, error) {
	c := &ZoneConfig{}
	if err := applyZonecfg(c, string(b)); err != nil {
		return nil, fmt.Errorf("parse zonecfg commands: %w", err)
	}
	return c, nil
}

// applyZonecfg runs a zonecfg command text against c.
func applyZonecfg(c *ZoneConfig, src string) error {
	cmds, err := lexZonecfg(src)
	if err != nil {
		return err
	}
	in := &zcInterp{cfg: c}
	for _, cmd := range cmds {
		if err := in.run(cmd); err != nil {
			return fmt.Errorf("line %d: %w", cmd.line, err)
		}
		if in.exited {
			break
		}
	}
	if in.scope != "" {
		return fmt.Errorf("%s resource incomplete: end of input before \"end\"", in.scope)
	}
	return nil
}

// zcInterp interprets zonecfg commands.
type zcInterp struct {
	cfg    *ZoneConfig
	scope  string // "" at global scope, else the resource type being edited
	at     int    // index a selected resource goes back to; -1 for add
	exited bool

	fs    FS
	net   Net
	dev   Device
	rctl  Rctl
	attr  Attr
	ds    Dataset
	admin Admin
	dcpu  DedicatedCPU
	pcap  CappedCPU
	mcap  CappedMemory
	sf    SecurityFlags
}

// globalAliases are the global properties zonecfg stores as rctls.
var globalAliases = map[string]struct{ rctl, action string }{
	"max-lwps":        {"zone.max-lwps", "deny"},
	"max-processes":   {"zone.max-processes", "deny"},
	"max-shm-memory":  {"zone.max-shm-memory", "deny"},
	"max-shm-ids":     {"zone.max-shm-ids", "deny"},
	"max-msg-ids":     {"zone.max-msg-ids", "deny"},
	"max-sem-ids":     {"zone.max-sem-ids", "deny"},
	"cpu-shares":      {"zone.cpu-shares", "none"},
	"zfs-io-priority": {"zone.zfs-io-priority", "none"},
}

func (in *zcInterp) run(cmd zcCommand) error {
	switch cmd.name {
	case "create":
		return in.create(cmd.toks)
	case "set":
		return in.set(cmd.toks)
	case "clear":
		return in.clear(cmd.toks)
	case "add":
		if in.scope == "" {
			return in.addResource(cmd.toks)
		}
		return in.addProperty(cmd.toks)
	case "select":
		return in.selectResource(cmd.toks)
	case "remove":
		if in.scope == "" {
			return in.removeResource(cmd.toks)
		}
		return in.removeProperty(cmd.toks)
	case "end":
		if in.scope == "" {
			return fmt.Errorf("end: not in a resource scope")
		}
		return in.end()
	case "cancel":
		if in.scope == "" {
			return fmt.Errorf("cancel: not in a resource scope")
		}
		in.scope = ""
		return nil
	case "verify", "commit":
		if in.scope != "" {
			return fmt.Errorf("%s: %s resource incomplete", cmd.name, in.scope)
		}
		return nil
	case "exit":
		if in.scope != "" {
			return fmt.Errorf("exit: %s resource incomplete", in.scope)
		}
		in.exited = true
		return nil
	default:
		return fmt.Errorf("%s: not supported in a configuration script", cmd.name)
	}
}

func (in *zcInterp) create(toks []zcToken) error {
	if in.scope != "" {
		return fmt.Errorf("create: not allowed in a resource scope")
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind != tokWord {
			return fmt.Errorf("create: syntax error")
		}
		switch t.text {
		case "-b", "-F":
		case "-t", "-a":
			if i+1 >= len(toks) || toks[i+1].kind != tokWord {
				return fmt.Errorf("create: %s needs an argument", t.text)
			}
			i++
		default:
			return fmt.Errorf("create: unexpected argument %q", t.text)
		}
	}
	*in.cfg = ZoneConfig{Name: in.cfg.Name}
	return nil
}

// word returns the text of a simple value token.
func word(t zcToken) (string, error) {
	if t.kind != tokWord {
		return "", fmt.Errorf("syntax error: expected a simple value")
	}
	return t.text, nil
}

// propAssign splits "prop = value..." tokens; a leading -F is allowed.
func propAssign(op string, toks []zcToken) (prop string, vals []zcToken, err error) {
	if len(toks) > 0 && toks[0].kind == tokWord && !toks[0].quoted && toks[0].text == "-F" {
		toks = toks[1:]
	}
	if len(toks) < 3 || toks[0].kind != tokWord || toks[1].kind != tokEqual {
		return "", nil, fmt.Errorf("%s: syntax error: want <property>=<value>", op)
	}
	return toks[0].text, toks[2:], nil
}

func (in *zcInterp) set(toks []zcToken) error {
	prop, vals, err := propAssign("set", toks)
	if err != nil {
		return err
	}
	if in.scope == "" {
		// zonecfg export prints global values unquoted even when they
		// hold blanks (bootargs); join the words back.
		var words []string
		for _, v := range vals {
			w, err := word(v)
			if err != nil {
				return fmt.Errorf("set %s: %w", prop, err)
			}
			words = append(words, w)
		}
		return in.setGlobal(prop, strings.Join(words, " "))
	}
	if in.scope == "fs" && prop == "options" {
		if len(vals) != 1 {
			return fmt.Errorf("set options: syntax error")
		}
		opts, err := listWords(vals[0])
		if err != nil {
			return fmt.Errorf("set options: %w", err)
		}
		in.fs.Options = opts
		return nil
	}
	if len(vals) != 1 {
		return fmt.Errorf("set %s: syntax error: one value expected", prop)
	}
	v, err := word(vals[0])
	if err != nil {
		return fmt.Errorf("set %s: %w", prop, err)
	}
	p := in.scopeProp(prop)
	if p == nil {
		return fmt.Errorf("set %s: not a property of %s", prop, in.scope)
	}
	*p = v
	return nil
}

// listWords returns the elements of a list (or a single word) as text.
func listWords(t zcToken) ([]string, error) {
	if t.kind == tokWord {
		w, err := word(t)
		if err != nil {
			return nil, err
		}
		return []string{w}, nil
	}
	if t.kind != tokList {
		return nil, fmt.Errorf("syntax error: expected a value or a list")
	}
	var out []string
	for _, it := range t.items {
		if it.kind != tokWord {
			return nil, fmt.Errorf("syntax error: expected simple values in the list")
		}
		out = append(out, it.text)
	}
	return out, nil
}

func (in *zcInterp) setGlobal(prop, v string) error {
	c := in.cfg
	switch prop {
	case "zonename":
		c.Name = v
	case "zonepath":
		c.Zonepath = v
	case "brand":
		c.Brand = v
	case "autoboot":
		switch v {
		case "true":
			c.Autoboot = true
		case "false":
			c.Autoboot = false
		default:
			return fmt.Errorf("autoboot value must be 'true' or 'false'")
		}
	case "ip-type":
		if v != "shared" && v != "exclusive" {
			return fmt.Errorf("ip-type value must be 'shared' or 'exclusive'")
		}
		c.IPType = v
	case "bootargs":
		c.Bootargs = v
	case "pool":
		c.Pool = v
	case "limitpriv":
		c.LimitPriv = v
	case "scheduling-class":
		c.SchedulingClass = v
	case "hostid":
		c.HostID = v
	case "fs-allowed":
		c.FSAllowed = v
	default:
		alias, ok := globalAliases[prop]
		if !ok {
			return fmt.Errorf("set %s: not a global property", prop)
		}
		limit := v
		if prop == "max-shm-memory" {
			n, err := ParseMemorySize(v)
			if err != nil {
				return fmt.Errorf("set %s: %w", prop, err)
			}
			limit = strconv.FormatUint(n, 10)
		}
		val := []RctlValue{{Priv: "privileged", Limit: limit, Action: alias.action}}
		for i := range c.Rctls {
			if c.Rctls[i].Name == alias.rctl {
				c.Rctls[i].Values = val
				return nil
			}
		}
		c.Rctls = append(c.Rctls, Rctl{Name: alias.rctl, Values: val})
	}
	return nil
}

// scopeProp returns the field a simple property of the current resource
// is kept in, or nil when the resource has no such property.
func (in *zcInterp) scopeProp(prop string) *string {
	switch in.scope {
	case "fs":
		return map[string]*string{"dir": &in.fs.Dir, "special": &in.fs.Special, "raw": &in.fs.Raw, "type": &in.fs.Type}[prop]
	case "net":
		return map[string]*string{
			"address": &in.net.Address, "allowed-address": &in.net.AllowedAddress,
			"physical": &in.net.Physical, "defrouter": &in.net.Defrouter,
			"global-nic": &in.net.GlobalNIC, "mac-addr": &in.net.MACAddr, "vlan-id": &in.net.VLANID,
		}[prop]
	case "device":
		return map[string]*string{"match": &in.dev.Match}[prop]
	case "rctl":
		return map[string]*string{"name": &in.rctl.Name}[prop]
	case "attr":
		return map[string]*string{"name": &in.attr.Name, "type": &in.attr.Type, "value": &in.attr.Value}[prop]
	case "dataset":
		return map[string]*string{"name": &in.ds.Name}[prop]
	case "admin":
		return map[string]*string{"user": &in.admin.User, "auths": &in.admin.Auths}[prop]
	case "dedicated-cpu":
		return map[string]*string{"ncpus": &in.dcpu.NCPUs, "importance": &in.dcpu.Importance}[prop]
	case "capped-cpu":
		return map[string]*string{"ncpus": &in.pcap.NCPUs}[prop]
	case "capped-memory":
		return map[string]*string{"physical": &in.mcap.Physical, "swap": &in.mcap.Swap, "locked": &in.mcap.Locked}[prop]
	case "security-flags":
		return map[string]*string{"default": &in.sf.Default, "lower": &in.sf.Lower, "upper": &in.sf.Upper}[prop]
	}
	return nil
}

func (in *zcInterp) clear(toks []zcToken) error {
	if len(toks) != 1 || toks[0].kind != tokWord {
		return fmt.Errorf("clear: syntax error: want one property name")
	}
	prop := toks[0].text
	if in.scope == "" {
		c := in.cfg
		switch prop {
		case "autoboot":
			c.Autoboot = false
		case "ip-type":
			c.IPType = "shared"
		case "bootargs", "pool", "limitpriv", "scheduling-class", "hostid", "fs-allowed":
			return in.setGlobal(prop, "")
		default:
			alias, ok := globalAliases[prop]
			if !ok {
				return fmt.Errorf("clear %s: not a global property that can be cleared", prop)
			}
			c.Rctls = slices.DeleteFunc(c.Rctls, func(r Rctl) bool { return r.Name == alias.rctl })
		}
		return nil
	}
	if in.scope == "fs" && prop == "options" {
		in.fs.Options = nil
		return nil
	}
	p := in.scopeProp(prop)
	if p == nil {
		return fmt.Errorf("clear %s: not a property of %s", prop, in.scope)
	}
	*p = ""
	return nil
}

// resourceType returns the resource type named by toks[0].
func resourceType(op string, toks []zcToken) (string, []zcToken, error) {
	if len(toks) > 0 && toks[0].kind == tokWord && !toks[0].quoted && toks[0].text == "-F" {
		toks = toks[1:]
	}
	if len(toks) == 0 || toks[0].kind != tokWord || toks[0].quoted || !zcResourceTypes[toks[0].text] {
		return "", nil, fmt.Errorf("%s: syntax error: want a resource type", op)
	}
	return toks[0].text, toks[1:], nil
}

func (in *zcInterp) hasAliasRctl(names ...string) bool {
	for _, r := range in.cfg.Rctls {
		if slices.Contains(names, r.Name) {
			return true
		}
	}
	return false
}

func (in *zcInterp) addResource(toks []zcToken) error {
	rt, rest, err := resourceType("add", toks)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("add %s: unexpected arguments", rt)
	}
	// Only a second instance of a single resource is refused. zonecfg
	// also refuses capped-memory next to the rctls it would create, but
	// illumos-gate's own export prints the zone.max-swap rctl before
	// "add capped-memory", and this parser must read that output.
	c := in.cfg
	switch {
	case rt == "dedicated-cpu" && c.DedicatedCPU != nil:
		return fmt.Errorf("the dedicated-cpu resource already exists")
	case (rt == "dedicated-cpu" || rt == "capped-cpu") && c.CappedCPU != nil:
		return fmt.Errorf("the capped-cpu resource already exists")
	case rt == "capped-cpu" && c.DedicatedCPU != nil:
		return fmt.Errorf("the dedicated-cpu resource already exists")
	case rt == "capped-memory" && c.CappedMemory != nil:
		return fmt.Errorf("the capped-memory resource already exists")
	case rt == "security-flags" && c.SecurityFlags != nil:
		return fmt.Errorf("the security-flags resource already exists")
	}
	in.enter(rt)
	return nil
}

// enter starts editing a new resource of type rt.
func (in *zcInterp) enter(rt string) {
	in.scope, in.at = rt, -1
	in.fs, in.net, in.dev, in.rctl, in.attr = FS{}, Net{}, Device{}, Rctl{}, Attr{}
	in.ds, in.admin, in.dcpu, in.pcap, in.mcap, in.sf = Dataset{}, Admin{}, DedicatedCPU{}, CappedCPU{}, CappedMemory{}, SecurityFlags{}
}

// complexPairs returns a complex value's pairs as a map, checking that
// each name is one of allowed.
func complexPairs(t zcToken, allowed ...string) (map[string]string, error) {
	if t.kind != tokComplex {
		return nil, fmt.Errorf("syntax error: expected (name=value,...)")
	}
	m := map[string]string{}
	for _, p := range t.pairs {
		if !slices.Contains(allowed, p.name) {
			return nil, fmt.Errorf("%s: unknown name in complex value", p.name)
		}
		if _, dup := m[p.name]; dup {
			return nil, fmt.Errorf("%s already specified", p.name)
		}
		m[p.name] = p.value.text
	}
	return m, nil
}

func (in *zcInterp) addProperty(toks []zcToken) error {
	if len(toks) != 2 || toks[0].kind != tokWord {
		return fmt.Errorf("add: syntax error: want <property> <value>")
	}
	prop, val := toks[0].text, toks[1]
	switch {
	case in.scope == "fs" && prop == "options":
		opts, err := listWords(val)
		if err != nil {
			return fmt.Errorf("add options: %w", err)
		}
		in.fs.Options = append(in.fs.Options, opts...)
	case in.scope == "rctl" && prop == "value":
		m, err := complexPairs(val, "priv", "limit", "action")
		if err != nil {
			return fmt.Errorf("add value: %w", err)
		}
		for _, k := range []string{"priv", "limit", "action"} {
			if _, ok := m[k]; !ok {
				return fmt.Errorf("add value: %s not specified", k)
			}
		}
		in.rctl.Values = append(in.rctl.Values, RctlValue{Priv: m["priv"], Limit: m["limit"], Action: m["action"]})
	case (in.scope == "net" || in.scope == "device") && prop == "property":
		m, err := complexPairs(val, "name", "value")
		if err != nil {
			return fmt.Errorf("add property: %w", err)
		}
		if m["name"] == "" {
			return fmt.Errorf("add property: name not specified")
		}
		p := ResProperty{Name: m["name"], Value: m["value"]}
		if in.scope == "net" {
			in.net.Properties = append(in.net.Properties, p)
		} else {
			in.dev.Properties = append(in.dev.Properties, p)
		}
	default:
		return fmt.Errorf("add %s: not a list property of %s", prop, in.scope)
	}
	return nil
}

func (in *zcInterp) removeProperty(toks []zcToken) error {
	if len(toks) != 2 || toks[0].kind != tokWord {
		return fmt.Errorf("remove: syntax error: want <property> <value>")
	}
	prop, val := toks[0].text, toks[1]
	switch {
	case in.scope == "fs" && prop == "options":
		opts, err := listWords(val)
		if err != nil {
			return fmt.Errorf("remove options: %w", err)
		}
		for _, o := range opts {
			i := slices.Index(in.fs.Options, o)
			if i < 0 {
				return fmt.Errorf("remove options: %s: no such option", o)
			}
			in.fs.Options = slices.Delete(in.fs.Options, i, i+1)
		}
	case in.scope == "rctl" && prop == "value":
		m, err := complexPairs(val, "priv", "limit", "action")
		if err != nil {
			return fmt.Errorf("remove value: %w", err)
		}
		want := RctlValue{Priv: m["priv"], Limit: m["limit"], Action: m["action"]}
		i := slices.Index(in.rctl.Values, want)
		if i < 0 {
			return fmt.Errorf("remove value: no such value")
		}
		in.rctl.Values = slices.Delete(in.rctl.Values, i, i+1)
	default:
		return fmt.Errorf("remove %s: not a list property of %s", prop, in.scope)
	}
	return nil
}

// selectors parses "prop=value ..." qualifiers.
func selectors(op string, toks []zcToken) (map[string]string, error) {
	m := map[string]string{}
	for len(toks) > 0 {
		if len(toks) < 3 || toks[0].kind != tokWord || toks[1].kind != tokEqual {
			return nil, fmt.Errorf("%s: syntax error: want <property>=<value>", op)
		}
		v, err := word(toks[2])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		m[toks[0].text] = v
		toks = toks[3:]
	}
	return m, nil
}

// resourceFields returns the selectable properties of resource i of type
// rt, or nil when there is no such resource.
func (in *zcInterp) resourceFields(rt string, i int) map[string]string {
	c := in.cfg
	switch rt {
	case "fs":
		if i < len(c.FS) {
			f := c.FS[i]
			return map[string]string{"dir": f.Dir, "special": f.Special, "raw": f.Raw, "type": f.Type}
		}
	case "net":
		if i < len(c.Nets) {
			n := c.Nets[i]
			return map[string]string{"address": n.Address, "allowed-address": n.AllowedAddress,
				"physical": n.Physical, "defrouter": n.Defrouter, "global-nic": n.GlobalNIC,
				"mac-addr": n.MACAddr, "vlan-id": n.VLANID}
		}
	case "device":
		if i < len(c.Devices) {
			return map[string]string{"match": c.Devices[i].Match}
		}
	case "rctl":
		if i < len(c.Rctls) {
			return map[string]string{"name": c.Rctls[i].Name}
		}
	case "attr":
		if i < len(c.Attrs) {
			a := c.Attrs[i]
			return map[string]string{"name": a.Name, "type": a.Type, "value": a.Value}
		}
	case "dataset":
		if i < len(c.Datasets) {
			return map[string]string{"name": c.Datasets[i].Name}
		}
	case "admin":
		if i < len(c.Admins) {
			return map[string]string{"user": c.Admins[i].User, "auths": c.Admins[i].Auths}
		}
	}
	return nil
}

// matching returns the indexes of the rt resources that match sel.
func (in *zcInterp) matching(rt string, sel map[string]string) ([]int, error) {
	var idx []int
	for i := 0; ; i++ {
		f := in.resourceFields(rt, i)
		if f == nil {
			return idx, nil
		}
		ok := true
		for k, v := range sel {
			fv, known := f[k]
			if !known {
				return nil, fmt.Errorf("%s: not a property of %s", k, rt)
			}
			if fv != v {
				ok = false
			}
		}
		if ok {
			idx = append(idx, i)
		}
	}
}

func (in *zcInterp) deleteResource(rt string, i int) {
	c := in.cfg
	switch rt {
	case "fs":
		c.FS = slices.Delete(c.FS, i, i+1)
	case "net":
		c.Nets = slices.Delete(c.Nets, i, i+1)
	case "device":
		c.Devices = slices.Delete(c.Devices, i, i+1)
	case "rctl":
		c.Rctls = slices.Delete(c.Rctls, i, i+1)
	case "attr":
		c.Attrs = slices.Delete(c.Attrs, i, i+1)
	case "dataset":
		c.Datasets = slices.Delete(c.Datasets, i, i+1)
	case "admin":
		c.Admins = slices.Delete(c.Admins, i, i+1)
	}
}

func (in *zcInterp) removeResource(toks []zcToken) error {
	force := len(toks) > 0 && toks[0].kind == tokWord && toks[0].text == "-F"
	rt, rest, err := resourceType("remove", toks)
	if err != nil {
		return err
	}
	c := in.cfg
	switch rt {
	case "dedicated-cpu":
		if c.DedicatedCPU == nil {
			return fmt.Errorf("remove dedicated-cpu: no such resource with that id")
		}
		c.DedicatedCPU = nil
		return nil
	case "capped-cpu":
		if c.CappedCPU == nil && !in.hasAliasRctl(RctlCPUCap) {
			return fmt.Errorf("remove capped-cpu: no such resource type")
		}
		c.CappedCPU = nil
		c.Rctls = slices.DeleteFunc(c.Rctls, func(r Rctl) bool { return r.Name == RctlCPUCap })
		return nil
	case "capped-memory":
		names := []string{RctlMaxPhysicalMemory, RctlMaxSwap, RctlMaxLockedMemory}
		if c.CappedMemory == nil && !in.hasAliasRctl(names...) {
			return fmt.Errorf("remove capped-memory: no such resource type")
		}
		c.CappedMemory = nil
		c.Rctls = slices.DeleteFunc(c.Rctls, func(r Rctl) bool { return slices.Contains(names, r.Name) })
		return nil
	case "security-flags":
		if c.SecurityFlags == nil {
			return fmt.Errorf("remove security-flags: no such resource with that id")
		}
		c.SecurityFlags = nil
		return nil
	}
	sel, err := selectors("remove "+rt, rest)
	if err != nil {
		return err
	}
	idx, err := in.matching(rt, sel)
	if err != nil {
		return fmt.Errorf("remove %s: %w", rt, err)
	}
	switch {
	case len(idx) == 0 && len(sel) > 0:
		return fmt.Errorf("remove %s: no such resource with that id", rt)
	case len(idx) == 0:
		return fmt.Errorf("remove %s: no such entry", rt)
	case len(sel) == 0 && len(idx) > 1 && !force:
		return fmt.Errorf("remove %s: there are multiple instances of this resource; qualify it or use -F to remove all", rt)
	case len(sel) > 0:
		idx = idx[:1]
	}
	for j := len(idx) - 1; j >= 0; j-- {
		in.deleteResource(rt, idx[j])
	}
	return nil
}

func (in *zcInterp) selectResource(toks []zcToken) error {
	if in.scope != "" {
		return fmt.Errorf("select: not allowed in a resource scope")
	}
	rt, rest, err := resourceType("select", toks)
	if err != nil {
		return err
	}
	c := in.cfg
	switch rt {
	case "dedicated-cpu", "capped-cpu", "capped-memory", "security-flags":
		if len(rest) != 0 {
			return fmt.Errorf("select %s: unexpected arguments", rt)
		}
		return in.selectSingleton(rt)
	}
	sel, err := selectors("select "+rt, rest)
	if err != nil {
		return err
	}
	idx, err := in.matching(rt, sel)
	switch {
	case err != nil:
		return fmt.Errorf("select %s: %w", rt, err)
	case len(idx) == 0:
		return fmt.Errorf("select %s: no such resource with that id", rt)
	case len(idx) > 1:
		return fmt.Errorf("select %s: more than one resource matches", rt)
	}
	i := idx[0]
	in.enter(rt)
	in.at = i
	switch rt {
	case "fs":
		in.fs = c.FS[i]
		in.fs.Options = slices.Clone(in.fs.Options)
	case "net":
		in.net = c.Nets[i]
		in.net.Properties = slices.Clone(in.net.Properties)
	case "device":
		in.dev = c.Devices[i]
		in.dev.Properties = slices.Clone(in.dev.Properties)
	case "rctl":
		in.rctl = c.Rctls[i]
		in.rctl.Values = slices.Clone(in.rctl.Values)
	case "attr":
		in.attr = c.Attrs[i]
	case "dataset":
		in.ds = c.Datasets[i]
	case "admin":
		in.admin = c.Admins[i]
	}
	in.deleteResource(rt, i)
	return nil
}

// selectSingleton starts editing the one resource of type rt. The caps
// may exist only as their resource controls; those are taken over.
func (in *zcInterp) selectSingleton(rt string) error {
	c := in.cfg
	in.enter(rt)
	found := false
	switch rt {
	case "dedicated-cpu":
		if c.DedicatedCPU != nil {
			in.dcpu, c.DedicatedCPU, found = *c.DedicatedCPU, nil, true
		}
	case "security-flags":
		if c.SecurityFlags != nil {
			in.sf, c.SecurityFlags, found = *c.SecurityFlags, nil, true
		}
	case "capped-cpu", "capped-memory":
		n := c.Normalize()
		if rt == "capped-cpu" && n.CappedCPU != nil {
			in.pcap, found = *n.CappedCPU, true
			c.CappedCPU = nil
			c.Rctls = slices.DeleteFunc(c.Rctls, func(r Rctl) bool { return r.Name == RctlCPUCap })
		}
		if rt == "capped-memory" && n.CappedMemory != nil {
			in.mcap, found = *n.CappedMemory, true
			c.CappedMemory = nil
			names := []string{RctlMaxPhysicalMemory, RctlMaxSwap, RctlMaxLockedMemory}
			c.Rctls = slices.DeleteFunc(c.Rctls, func(r Rctl) bool { return slices.Contains(names, r.Name) })
		}
	}
	if !found {
		in.scope = ""
		return fmt.Errorf("select %s: no such resource with that id", rt)
	}
	return nil
}

// insertAt puts v back where a selected resource was, or appends it.
func insertAt[T any](s []T, at int, v T) []T {
	if at < 0 || at > len(s) {
		return append(s, v)
	}
	return slices.Insert(s, at, v)
}

func (in *zcInterp) end() error {
	c := in.cfg
	rt := in.scope
	switch rt {
	case "fs":
		if in.fs.Dir == "" {
			return fmt.Errorf("dir not specified")
		}
		if slices.ContainsFunc(c.FS, func(f FS) bool { return f.Dir == in.fs.Dir }) {
			return fmt.Errorf("a fs resource with the dir '%s' already exists", in.fs.Dir)
		}
		c.FS = insertAt(c.FS, in.at, in.fs)
	case "net":
		if in.net.Physical == "" {
			return fmt.Errorf("physical not specified")
		}
		if slices.ContainsFunc(c.Nets, func(n Net) bool {
			return n.Physical == in.net.Physical && n.Address == in.net.Address && n.AllowedAddress == in.net.AllowedAddress
		}) {
			return fmt.Errorf("a net resource with the physical '%s' already exists", in.net.Physical)
		}
		c.Nets = insertAt(c.Nets, in.at, in.net)
	case "device":
		if in.dev.Match == "" {
			return fmt.Errorf("match not specified")
		}
		c.Devices = insertAt(c.Devices, in.at, in.dev)
	case "rctl":
		if in.rctl.Name == "" {
			return fmt.Errorf("name not specified")
		}
		if slices.ContainsFunc(c.Rctls, func(r Rctl) bool { return r.Name == in.rctl.Name }) {
			return fmt.Errorf("a rctl resource with the name '%s' already exists", in.rctl.Name)
		}
		c.Rctls = insertAt(c.Rctls, in.at, in.rctl)
	case "attr":
		for _, p := range []struct{ name, v string }{{"name", in.attr.Name}, {"type", in.attr.Type}, {"value", in.attr.Value}} {
			if p.v == "" {
				return fmt.Errorf("%s not specified", p.name)
			}
		}
		if slices.ContainsFunc(c.Attrs, func(a Attr) bool { return a.Name == in.attr.Name }) {
			return fmt.Errorf("an attr resource with the name '%s' already exists", in.attr.Name)
		}
		c.Attrs = insertAt(c.Attrs, in.at, in.attr)
	case "dataset":
		if in.ds.Name == "" {
			return fmt.Errorf("name not specified")
		}
		if slices.Contains(c.Datasets, in.ds) {
			return fmt.Errorf("a dataset resource with the name '%s' already exists", in.ds.Name)
		}
		c.Datasets = insertAt(c.Datasets, in.at, in.ds)
	case "admin":
		if in.admin.User == "" {
			return fmt.Errorf("user not specified")
		}
		c.Admins = insertAt(c.Admins, in.at, in.admin)
	case "dedicated-cpu":
		if in.dcpu.NCPUs == "" {
			return fmt.Errorf("ncpus not specified")
		}
		v := in.dcpu
		c.DedicatedCPU = &v
	case "capped-cpu":
		if in.pcap.NCPUs == "" {
			return fmt.Errorf("ncpus not specified")
		}
		v := in.pcap
		c.CappedCPU = &v
	case "capped-memory":
		if in.mcap == (CappedMemory{}) {
			return fmt.Errorf("capped-memory: no physical, swap or locked value specified")
		}
		v := in.mcap
		c.CappedMemory = &v
	case "security-flags":
		v := in.sf
		c.SecurityFlags = &v
	}
	in.scope = ""
	return nil
}
