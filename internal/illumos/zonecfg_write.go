package illumos

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Export returns c as `zonecfg -z Z export` prints it (illumos-commands.md
// §3.5, illumos-gate flavour): global values unquoted, resource values
// double-quoted, fs options quoted only when they contain '=', the
// OmniOS-only net properties only when set. Resources zonecfg never
// exports as such come last, in a form zonecfg reads back: capped-cpu as
// "add capped-cpu", then capped-memory as "add capped-memory" (gate prints
// only physical there; swap and locked appear when the configuration holds
// them outside rctls, as a desired configuration does).
func (c *ZoneConfig) Export() string {
	var b strings.Builder
	line := func(format string, args ...any) {
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}
	prop := func(name, v string) {
		if v != "" {
			line("set %s=\"%s\"", name, v)
		}
	}
	line("create -b")
	if c.Zonepath != "" {
		line("set zonepath=%s", c.Zonepath)
	}
	if c.Brand != "" && c.Brand != "native" {
		line("set brand=%s", c.Brand)
	}
	line("set autoboot=%t", c.Autoboot)
	for _, p := range []struct{ name, v string }{
		{"bootargs", c.Bootargs}, {"pool", c.Pool}, {"limitpriv", c.LimitPriv}, {"scheduling-class", c.SchedulingClass},
	} {
		if p.v != "" {
			line("set %s=%s", p.name, p.v)
		}
	}
	line("set ip-type=%s", ipTypeOrShared(c.IPType))
	if c.HostID != "" {
		line("set hostid=%s", c.HostID)
	}
	if c.FSAllowed != "" {
		line("set fs-allowed=%s", c.FSAllowed)
	}
	for _, f := range c.FS {
		line("add fs")
		prop("dir", f.Dir)
		prop("special", f.Special)
		prop("raw", f.Raw)
		prop("type", f.Type)
		for _, o := range f.Options {
			if strings.Contains(o, "=") {
				line("add options \"%s\"", o)
			} else {
				line("add options %s", o)
			}
		}
		line("end")
	}
	exportProps := func(ps []ResProperty) {
		for _, p := range ps {
			line("add property (name=%s,value=\"%s\")", p.Name, p.Value)
		}
	}
	for _, n := range c.Nets {
		line("add net")
		prop("address", n.Address)
		prop("allowed-address", n.AllowedAddress)
		prop("physical", n.Physical)
		prop("mac-addr", n.MACAddr)
		prop("vlan-id", n.VLANID)
		prop("global-nic", n.GlobalNIC)
		prop("defrouter", n.Defrouter)
		exportProps(n.Properties)
		line("end")
	}
	for _, d := range c.Devices {
		line("add device")
		prop("match", d.Match)
		exportProps(d.Properties)
		line("end")
	}
	for _, r := range c.Rctls {
		line("add rctl")
		prop("name", r.Name)
		for _, v := range r.Values {
			line("add value (priv=%s,limit=%s,action=%s)", v.Priv, v.Limit, v.Action)
		}
		line("end")
	}
	for _, a := range c.Attrs {
		line("add attr")
		prop("name", a.Name)
		prop("type", a.Type)
		prop("value", a.Value)
		line("end")
	}
	for _, d := range c.Datasets {
		line("add dataset")
		prop("name", d.Name)
		line("end")
	}
	if d := c.DedicatedCPU; d != nil {
		line("add dedicated-cpu")
		line("set ncpus=%s", d.NCPUs)
		if d.Importance != "" {
			line("set importance=%s", d.Importance)
		}
		line("end")
	}
	for _, a := range c.Admins {
		line("add admin")
		prop("user", a.User)
		prop("auths", a.Auths)
		line("end")
	}
	if s := c.SecurityFlags; s != nil {
		line("add security-flags")
		prop("default", s.Default)
		prop("lower", s.Lower)
		prop("upper", s.Upper)
		line("end")
	}
	if p := c.CappedCPU; p != nil {
		line("add capped-cpu")
		line("set ncpus=%s", p.NCPUs)
		line("end")
	}
	if m := c.CappedMemory; m != nil {
		line("add capped-memory")
		for _, p := range []struct{ name, v string }{{"physical", m.Physical}, {"swap", m.Swap}, {"locked", m.Locked}} {
			if p.v != "" {
				line("set %s=%s", p.name, p.v)
			}
		}
		line("end")
	}
	return b.String()
}

func ipTypeOrShared(t string) string {
	if t == "" {
		return "shared"
	}
	return t
}

// A scriptWriter accumulates zonecfg command lines, quoting values as
// zonecfg requires; the first value that cannot be expressed stops it.
type scriptWriter struct {
	lines []string
	err   error
}

func (w *scriptWriter) raw(format string, args ...any) {
	w.lines = append(w.lines, fmt.Sprintf(format, args...))
}

// set writes "set prop=value" when v is not empty.
func (w *scriptWriter) set(field, prop, v string) {
	if v == "" || w.err != nil {
		return
	}
	q, err := quoteValue(field+" "+prop, v)
	if err != nil {
		w.err = err
		return
	}
	w.raw("set %s=%s", prop, q)
}

// value quotes v for use in a line the caller formats.
func (w *scriptWriter) value(field, v string) string {
	if w.err != nil {
		return ""
	}
	q, err := quoteValue(field, v)
	if err != nil {
		w.err = err
	}
	return q
}

// complexValue quotes v for use inside "(...)".
func (w *scriptWriter) complexValue(field, v string) string {
	if w.err != nil {
		return ""
	}
	q, err := quoteComplexValue(field, v)
	if err != nil {
		w.err = err
	}
	return q
}

func (w *scriptWriter) String() string {
	if len(w.lines) == 0 {
		return ""
	}
	return strings.Join(w.lines, "\n") + "\n"
}

func (w *scriptWriter) addFS(f FS) {
	field := fmt.Sprintf("fs %q", f.Dir)
	w.raw("add fs")
	w.set(field, "dir", f.Dir)
	w.set(field, "special", f.Special)
	w.set(field, "raw", f.Raw)
	w.set(field, "type", f.Type)
	for _, o := range f.Options {
		w.raw("add options %s", w.value(field+" option", o))
	}
	w.raw("end")
}

func (w *scriptWriter) addProperties(field string, ps []ResProperty) {
	for _, p := range ps {
		w.raw("add property (name=%s,value=%s)", w.complexValue(field+" property name", p.Name),
			w.complexValue(field+" property "+p.Name, p.Value))
	}
}

func (w *scriptWriter) addNet(n Net) {
	field := fmt.Sprintf("net %q", n.Physical)
	w.raw("add net")
	w.set(field, "address", n.Address)
	w.set(field, "allowed-address", n.AllowedAddress)
	w.set(field, "physical", n.Physical)
	w.set(field, "mac-addr", n.MACAddr)
	w.set(field, "vlan-id", n.VLANID)
	w.set(field, "global-nic", n.GlobalNIC)
	w.set(field, "defrouter", n.Defrouter)
	w.addProperties(field, n.Properties)
	w.raw("end")
}

func (w *scriptWriter) addDevice(d Device) {
	field := fmt.Sprintf("device %q", d.Match)
	w.raw("add device")
	w.set(field, "match", d.Match)
	w.addProperties(field, d.Properties)
	w.raw("end")
}

func (w *scriptWriter) addRctl(r Rctl) {
	field := fmt.Sprintf("rctl %q", r.Name)
	w.raw("add rctl")
	w.set(field, "name", r.Name)
	for _, v := range r.Values {
		w.raw("add value (priv=%s,limit=%s,action=%s)", w.complexValue(field+" priv", v.Priv),
			w.complexValue(field+" limit", v.Limit), w.complexValue(field+" action", v.Action))
	}
	w.raw("end")
}

func (w *scriptWriter) addAttr(a Attr) {
	field := fmt.Sprintf("attr %q", a.Name)
	w.raw("add attr")
	w.set(field, "name", a.Name)
	w.set(field, "type", a.Type)
	w.set(field, "value", a.Value)
	w.raw("end")
}

func (w *scriptWriter) addDataset(d Dataset) {
	w.raw("add dataset")
	w.set("dataset", "name", d.Name)
	w.raw("end")
}

func (w *scriptWriter) addAdmin(a Admin) {
	field := fmt.Sprintf("admin %q", a.User)
	w.raw("add admin")
	w.set(field, "user", a.User)
	w.set(field, "auths", a.Auths)
	w.raw("end")
}

func (w *scriptWriter) addDedicatedCPU(d DedicatedCPU) {
	w.raw("add dedicated-cpu")
	w.set("dedicated-cpu", "ncpus", d.NCPUs)
	w.set("dedicated-cpu", "importance", d.Importance)
	w.raw("end")
}

func (w *scriptWriter) addCappedCPU(p CappedCPU) {
	w.raw("add capped-cpu")
	w.set("capped-cpu", "ncpus", p.NCPUs)
	w.raw("end")
}

func (w *scriptWriter) addCappedMemory(m CappedMemory) {
	w.raw("add capped-memory")
	w.set("capped-memory", "physical", m.Physical)
	w.set("capped-memory", "swap", m.Swap)
	w.set("capped-memory", "locked", m.Locked)
	w.raw("end")
}

func (w *scriptWriter) addSecurityFlags(s SecurityFlags) {
	w.raw("add security-flags")
	w.set("security-flags", "default", s.Default)
	w.set("security-flags", "lower", s.Lower)
	w.set("security-flags", "upper", s.Upper)
	w.raw("end")
}

// CreateScript returns the zonecfg command file that configures c:
// "create -b" (or "create -t TEMPLATE" when template is set), the global
// properties, every resource (c normalised: memory and CPU caps as the
// capped-memory and capped-cpu resources), then "verify" and "commit". Run it with
// `zonecfg -z NAME -f FILE`, which stops at the first error. Values are
// quoted where zonecfg requires it; a value holding a double quote or a
// newline cannot be written and is an error naming the field.
func CreateScript(c *ZoneConfig, template string) (string, error) {
	// Written normalised, so that caps held as rctls become the
	// capped-memory and capped-cpu zonecfg accepts; an empty ip-type is
	// left to the template.
	ipType := c.IPType
	c = c.Normalize()
	c.IPType = ipType
	w := &scriptWriter{}
	if template == "" {
		w.raw("create -b")
	} else {
		w.raw("create -t %s", w.value("template", template))
	}
	w.set("zone", "zonepath", c.Zonepath)
	w.set("zone", "brand", c.Brand)
	w.raw("set autoboot=%t", c.Autoboot)
	w.set("zone", "ip-type", c.IPType)
	w.set("zone", "bootargs", c.Bootargs)
	w.set("zone", "pool", c.Pool)
	w.set("zone", "limitpriv", c.LimitPriv)
	w.set("zone", "scheduling-class", c.SchedulingClass)
	w.set("zone", "hostid", c.HostID)
	w.set("zone", "fs-allowed", c.FSAllowed)
	for _, f := range c.FS {
		w.addFS(f)
	}
	for _, n := range c.Nets {
		w.addNet(n)
	}
	for _, d := range c.Devices {
		w.addDevice(d)
	}
	for _, r := range c.Rctls {
		w.addRctl(r)
	}
	for _, a := range c.Attrs {
		w.addAttr(a)
	}
	for _, d := range c.Datasets {
		w.addDataset(d)
	}
	if c.DedicatedCPU != nil {
		w.addDedicatedCPU(*c.DedicatedCPU)
	}
	for _, a := range c.Admins {
		w.addAdmin(a)
	}
	if c.SecurityFlags != nil {
		w.addSecurityFlags(*c.SecurityFlags)
	}
	if c.CappedCPU != nil {
		w.addCappedCPU(*c.CappedCPU)
	}
	if c.CappedMemory != nil {
		w.addCappedMemory(*c.CappedMemory)
	}
	w.raw("verify")
	w.raw("commit")
	if w.err != nil {
		return "", fmt.Errorf("zonecfg script for zone %s: %w", c.Name, w.err)
	}
	return w.String(), nil
}

// A RecreateError is a difference UpdateScript cannot express as zonecfg
// changes of the existing zone (a new zonepath or brand of an
// installed zone, a new name): the zone has to be re-created. The engine
// decides whether it may.
type RecreateError struct {
	Zone string
	// Changes are the differences, as "property: old -> new".
	Changes []string
}

func (e *RecreateError) Error() string {
	return fmt.Sprintf("update zone %s: %s: the zone must be re-created", e.Zone, strings.Join(e.Changes, ", "))
}

// UpdateScript returns the zonecfg command file that turns the zone
// configured as old into new, and one line per difference for check and
// diff output. Both are compared normalised (see ZoneConfig.Normalize), so
// a cap stored as rctls equals the same capped-memory. The script removes
// what went or changed (fs by dir, net by physical and address, device by
// match, rctl, attr and dataset by name, admin by user, the single
// resources by type), then sets or clears the changed global properties,
// then adds what is new or changed, then runs "verify" and "commit". It is
// empty when nothing differs. A different zonepath, brand or name (when
// new sets them) is a *RecreateError.
func UpdateScript(old, new *ZoneConfig) (string, []string, error) {
	o, n := old.Normalize(), new.Normalize()
	var recreate []string
	for _, p := range []struct{ name, ov, nv string }{
		{"zonename", o.Name, n.Name}, {"zonepath", o.Zonepath, n.Zonepath}, {"brand", o.Brand, n.Brand},
	} {
		if p.nv != "" && p.nv != p.ov {
			recreate = append(recreate, fmt.Sprintf("%s: %q -> %q", p.name, p.ov, p.nv))
		}
	}
	if len(recreate) > 0 {
		return "", nil, &RecreateError{Zone: old.Name, Changes: recreate}
	}

	rm := &scriptWriter{}
	glob := &scriptWriter{}
	add := &scriptWriter{}
	var changes []string

	if o.Autoboot != n.Autoboot {
		glob.raw("set autoboot=%t", n.Autoboot)
		changes = append(changes, fmt.Sprintf("autoboot: %t -> %t", o.Autoboot, n.Autoboot))
	}
	for _, p := range []struct{ name, ov, nv string }{
		{"ip-type", o.IPType, n.IPType},
		{"bootargs", o.Bootargs, n.Bootargs},
		{"pool", o.Pool, n.Pool},
		{"limitpriv", o.LimitPriv, n.LimitPriv},
		{"scheduling-class", o.SchedulingClass, n.SchedulingClass},
		{"hostid", o.HostID, n.HostID},
		{"fs-allowed", o.FSAllowed, n.FSAllowed},
	} {
		if p.ov == p.nv {
			continue
		}
		if p.nv == "" {
			glob.raw("clear %s", p.name)
		} else {
			glob.set("zone", p.name, p.nv)
		}
		changes = append(changes, fmt.Sprintf("%s: %q -> %q", p.name, p.ov, p.nv))
	}

	diffList(o.FS, n.FS, func(f FS) string { return "dir=" + rm.value("fs dir", f.Dir) },
		"fs", rm, &changes, func(f FS) { add.addFS(f) })
	diffList(o.Nets, n.Nets, netSelector(rm), "net", rm, &changes, func(x Net) { add.addNet(x) })
	diffList(o.Devices, n.Devices, func(d Device) string { return "match=" + rm.value("device match", d.Match) },
		"device", rm, &changes, func(d Device) { add.addDevice(d) })
	diffList(o.Rctls, n.Rctls, func(r Rctl) string { return "name=" + rm.value("rctl name", r.Name) },
		"rctl", rm, &changes, func(r Rctl) { add.addRctl(r) })
	diffList(o.Attrs, n.Attrs, func(a Attr) string { return "name=" + rm.value("attr name", a.Name) },
		"attr", rm, &changes, func(a Attr) { add.addAttr(a) })
	diffList(o.Datasets, n.Datasets, func(d Dataset) string { return "name=" + rm.value("dataset name", d.Name) },
		"dataset", rm, &changes, func(d Dataset) { add.addDataset(d) })
	diffOne(o.DedicatedCPU, n.DedicatedCPU, "dedicated-cpu", rm, &changes, add.addDedicatedCPU)
	diffList(o.Admins, n.Admins, func(a Admin) string { return "user=" + rm.value("admin user", a.User) },
		"admin", rm, &changes, func(a Admin) { add.addAdmin(a) })
	diffOne(o.SecurityFlags, n.SecurityFlags, "security-flags", rm, &changes, add.addSecurityFlags)
	diffOne(o.CappedCPU, n.CappedCPU, "capped-cpu", rm, &changes, add.addCappedCPU)
	diffOne(o.CappedMemory, n.CappedMemory, "capped-memory", rm, &changes, add.addCappedMemory)

	for _, w := range []*scriptWriter{rm, glob, add} {
		if w.err != nil {
			return "", nil, fmt.Errorf("zonecfg update script for zone %s: %w", old.Name, w.err)
		}
	}
	if len(changes) == 0 {
		return "", nil, nil
	}
	all := &scriptWriter{}
	all.lines = slices.Concat(rm.lines, glob.lines, add.lines, []string{"verify", "commit"})
	return all.String(), changes, nil
}

// netSelector identifies a net resource by physical and, when set, its
// address or allowed-address (a shared-IP zone may use one physical
// interface several times).
func netSelector(w *scriptWriter) func(Net) string {
	return func(x Net) string {
		s := "physical=" + w.value("net physical", x.Physical)
		if x.Address != "" {
			s += " address=" + w.value("net address", x.Address)
		}
		if x.AllowedAddress != "" {
			s += " allowed-address=" + w.value("net allowed-address", x.AllowedAddress)
		}
		return s
	}
}

// diffList compares two lists of resources keyed by sel (which renders
// the zonecfg selector, e.g. "dir=/data"): resources of old missing from
// new or different there are removed, those of new missing from old or
// different are added. Order alone is not a difference.
func diffList[T any](old, new []T, sel func(T) string, rt string, rm *scriptWriter, changes *[]string, add func(T)) {
	oldBy := map[string]T{}
	for _, x := range old {
		oldBy[sel(x)] = x
	}
	newBy := map[string]T{}
	for _, x := range new {
		newBy[sel(x)] = x
	}
	for _, x := range old {
		k := sel(x)
		nx, ok := newBy[k]
		switch {
		case !ok:
			rm.raw("remove %s %s", rt, k)
			*changes = append(*changes, fmt.Sprintf("remove %s %s", rt, k))
		case !sameResource(x, nx):
			rm.raw("remove %s %s", rt, k)
		}
	}
	for _, x := range new {
		k := sel(x)
		ox, ok := oldBy[k]
		switch {
		case !ok:
			add(x)
			*changes = append(*changes, fmt.Sprintf("add %s %s", rt, k))
		case !sameResource(ox, x):
			add(x)
			*changes = append(*changes, fmt.Sprintf("change %s %s", rt, k))
		}
	}
}

// diffOne compares a resource zonecfg allows once per zone.
func diffOne[T any](old, new *T, rt string, rm *scriptWriter, changes *[]string, add func(T)) {
	switch {
	case old == nil && new == nil:
	case old == nil:
		add(*new)
		*changes = append(*changes, "add "+rt)
	case new == nil:
		rm.raw("remove %s", rt)
		*changes = append(*changes, "remove "+rt)
	case !reflect.DeepEqual(*old, *new):
		rm.raw("remove %s", rt)
		add(*new)
		*changes = append(*changes, "change "+rt)
	}
}

// sameResource compares two resources; fs options compare as a set.
func sameResource[T any](a, b T) bool {
	if fa, ok := any(a).(FS); ok {
		fb := any(b).(FS)
		oa, ob := slices.Clone(fa.Options), slices.Clone(fb.Options)
		slices.Sort(oa)
		slices.Sort(ob)
		fa.Options, fb.Options = nil, nil
		return reflect.DeepEqual(fa, fb) && slices.Equal(oa, ob)
	}
	return reflect.DeepEqual(a, b)
}
