package illumos

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// The element and attribute names of /etc/zones/<zone>.xml follow
// usr/src/lib/libzonecfg/dtd/zonecfg.dtd.1 (illumos-gate, with the
// SmartOS/OmniOS additions global-nic, mac-addr, vlan-id and net-attr).
// The importance of a dedicated-cpu lives on the tmp_pool element, its CPU
// range on pset.

type xmlZone struct {
	Name            string
	Zonepath        string
	Autoboot        string
	Brand           string
	IPType          string
	HostID          string
	Pool            string
	LimitPriv       string
	Bootargs        string
	SchedulingClass string
	FSAllowed       string
	FS              []xmlFS
	Nets            []xmlNet
	Devices         []xmlDevice
	Rctls           []xmlRctl
	Attrs           []xmlAttr
	Datasets        []xmlDataset
	Admins          []xmlAdmin
	Pset            *xmlPset
	TmpPool         *xmlTmpPool
	Mcap            *xmlMcap
	SecurityFlags   *xmlSecurityFlag
}

type xmlFS struct {
	Special   string
	Raw       string
	Directory string
	Type      string
	Options   []xmlFSOption
}

type xmlFSOption struct {
	Name string
}

type xmlNet struct {
	Address        string
	AllowedAddress string
	Defrouter      string
	GlobalNIC      string
	MACAddr        string
	Physical       string
	VLANID         string
	Attrs          []xmlNetAttr
}

type xmlNetAttr struct {
	Name  string
	Value string
}

type xmlDevice struct {
	Match string
	Attrs []xmlNetAttr
}

type xmlRctl struct {
	Name   string
	Values []xmlRctlValue
}

type xmlRctlValue struct {
	Priv   string
	Limit  string
	Action string
}

type xmlAttr struct {
	Name  string
	Type  string
	Value string
}

type xmlDataset struct {
	Name string
}

type xmlAdmin struct {
	User  string
	Auths string
}

type xmlPset struct {
	NCPUMin string
	NCPUMax string
}

type xmlTmpPool struct {
	Importance string
}

type xmlMcap struct {
	Physcap string
}

type xmlSecurityFlag struct {
	Default string
	Lower   string
	Upper   string
}

// read fills z from the zone element e as encoding/xml's Unmarshal
// would: attributes by name (the last of a repeated one), a slice field
// gets every child element of its name in order, a pointer field the
// attributes of all of them merged, and other elements are ignored.
func (z *xmlZone) read(e *xmlElem) {
	attrs(e, map[string]*string{"name": &z.Name, "zonepath": &z.Zonepath, "autoboot": &z.Autoboot,
		"brand": &z.Brand, "ip-type": &z.IPType, "hostid": &z.HostID, "pool": &z.Pool,
		"limitpriv": &z.LimitPriv, "bootargs": &z.Bootargs, "scheduling-class": &z.SchedulingClass,
		"fs-allowed": &z.FSAllowed})
	for _, c := range e.children {
		switch c.name {
		case "filesystem":
			var f xmlFS
			attrs(c, map[string]*string{"special": &f.Special, "raw": &f.Raw, "directory": &f.Directory, "type": &f.Type})
			for _, o := range children(c, "fsoption") {
				var opt xmlFSOption
				attrs(o, map[string]*string{"name": &opt.Name})
				f.Options = append(f.Options, opt)
			}
			z.FS = append(z.FS, f)
		case "network":
			var n xmlNet
			attrs(c, map[string]*string{"address": &n.Address, "allowed-address": &n.AllowedAddress,
				"defrouter": &n.Defrouter, "global-nic": &n.GlobalNIC, "mac-addr": &n.MACAddr,
				"physical": &n.Physical, "vlan-id": &n.VLANID})
			n.Attrs = netAttrs(c)
			z.Nets = append(z.Nets, n)
		case "device":
			var d xmlDevice
			attrs(c, map[string]*string{"match": &d.Match})
			d.Attrs = netAttrs(c)
			z.Devices = append(z.Devices, d)
		case "rctl":
			var r xmlRctl
			attrs(c, map[string]*string{"name": &r.Name})
			for _, v := range children(c, "rctl-value") {
				var rv xmlRctlValue
				attrs(v, map[string]*string{"priv": &rv.Priv, "limit": &rv.Limit, "action": &rv.Action})
				r.Values = append(r.Values, rv)
			}
			z.Rctls = append(z.Rctls, r)
		case "attr":
			var a xmlAttr
			attrs(c, map[string]*string{"name": &a.Name, "type": &a.Type, "value": &a.Value})
			z.Attrs = append(z.Attrs, a)
		case "dataset":
			var d xmlDataset
			attrs(c, map[string]*string{"name": &d.Name})
			z.Datasets = append(z.Datasets, d)
		case "admin":
			var a xmlAdmin
			attrs(c, map[string]*string{"user": &a.User, "auths": &a.Auths})
			z.Admins = append(z.Admins, a)
		case "pset":
			z.Pset = orNew(z.Pset)
			attrs(c, map[string]*string{"ncpu_min": &z.Pset.NCPUMin, "ncpu_max": &z.Pset.NCPUMax})
		case "tmp_pool":
			z.TmpPool = orNew(z.TmpPool)
			attrs(c, map[string]*string{"importance": &z.TmpPool.Importance})
		case "mcap":
			z.Mcap = orNew(z.Mcap)
			attrs(c, map[string]*string{"physcap": &z.Mcap.Physcap})
		case "security-flags":
			z.SecurityFlags = orNew(z.SecurityFlags)
			attrs(c, map[string]*string{"default": &z.SecurityFlags.Default, "lower": &z.SecurityFlags.Lower, "upper": &z.SecurityFlags.Upper})
		}
	}
}

// orNew returns p, or a new T when p is nil.
func orNew[T any](p *T) *T {
	if p == nil {
		return new(T)
	}
	return p
}

// attrs stores each attribute of e that fields names, in document order.
func attrs(e *xmlElem, fields map[string]*string) {
	for _, a := range e.attrs {
		if f := fields[a[0]]; f != nil {
			*f = a[1]
		}
	}
}

// children returns the child elements of e called name.
func children(e *xmlElem, name string) []*xmlElem {
	var out []*xmlElem
	for _, c := range e.children {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

// netAttrs returns the net-attr children of e.
func netAttrs(e *xmlElem) []xmlNetAttr {
	var out []xmlNetAttr
	for _, c := range children(e, "net-attr") {
		var a xmlNetAttr
		attrs(c, map[string]*string{"name": &a.Name, "value": &a.Value})
		out = append(out, a)
	}
	return out
}

// ParseZoneXML parses a zone's libzonecfg XML file (/etc/zones/<zone>.xml)
// and returns its configuration, normalised (see ZoneConfig.Normalize).
func ParseZoneXML(b []byte) (*ZoneConfig, error) {
	var z xmlZone
	// The files are written by libxml2 in UTF-8 (or US-ASCII); the
	// encoding the declaration names is not read.
	root, err := readXML(b)
	if err != nil {
		return nil, fmt.Errorf("parse zone XML: %w", err)
	}
	if root.name != "zone" {
		return nil, fmt.Errorf("parse zone XML: expected element type <zone> but have <%s>", root.name)
	}
	z.read(root)
	if z.Name == "" {
		return nil, fmt.Errorf("parse zone XML: zone element has no name")
	}
	c := &ZoneConfig{
		Name:            z.Name,
		Zonepath:        z.Zonepath,
		Brand:           z.Brand,
		HostID:          z.HostID,
		Pool:            z.Pool,
		LimitPriv:       z.LimitPriv,
		Bootargs:        z.Bootargs,
		SchedulingClass: z.SchedulingClass,
		FSAllowed:       z.FSAllowed,
	}
	switch z.Autoboot {
	case "true":
		c.Autoboot = true
	case "false", "":
	default:
		return nil, fmt.Errorf("parse zone XML %s: autoboot %q is neither true nor false", z.Name, z.Autoboot)
	}
	// libzonecfg reads a missing or empty ip-type as shared.
	switch z.IPType {
	case "", "shared":
		c.IPType = "shared"
	case "exclusive":
		c.IPType = "exclusive"
	default:
		return nil, fmt.Errorf("parse zone XML %s: ip-type %q is neither shared nor exclusive", z.Name, z.IPType)
	}
	for _, f := range z.FS {
		fs := FS{Dir: f.Directory, Special: f.Special, Raw: f.Raw, Type: f.Type}
		for _, o := range f.Options {
			fs.Options = append(fs.Options, o.Name)
		}
		c.FS = append(c.FS, fs)
	}
	for _, n := range z.Nets {
		net := Net{
			Address: n.Address, AllowedAddress: n.AllowedAddress, Physical: n.Physical,
			Defrouter: n.Defrouter, GlobalNIC: n.GlobalNIC, MACAddr: n.MACAddr, VLANID: n.VLANID,
		}
		for _, a := range n.Attrs {
			net.Properties = append(net.Properties, ResProperty(a))
		}
		c.Nets = append(c.Nets, net)
	}
	for _, d := range z.Devices {
		dev := Device{Match: d.Match}
		for _, a := range d.Attrs {
			dev.Properties = append(dev.Properties, ResProperty(a))
		}
		c.Devices = append(c.Devices, dev)
	}
	for _, r := range z.Rctls {
		rc := Rctl{Name: r.Name}
		for _, v := range r.Values {
			rc.Values = append(rc.Values, RctlValue(v))
		}
		c.Rctls = append(c.Rctls, rc)
	}
	for _, a := range z.Attrs {
		c.Attrs = append(c.Attrs, Attr(a))
	}
	for _, d := range z.Datasets {
		c.Datasets = append(c.Datasets, Dataset(d))
	}
	for _, a := range z.Admins {
		c.Admins = append(c.Admins, Admin(a))
	}
	if z.Pset != nil {
		d := &DedicatedCPU{NCPUs: z.Pset.NCPUMin}
		if z.Pset.NCPUMax != z.Pset.NCPUMin {
			d.NCPUs = z.Pset.NCPUMin + "-" + z.Pset.NCPUMax
		}
		if z.TmpPool != nil {
			d.Importance = z.TmpPool.Importance
		}
		c.DedicatedCPU = d
	}
	if z.Mcap != nil && z.Mcap.Physcap != "" {
		// illumos-gate keeps the physical cap in bytes in the mcap
		// element; OmniOS uses the zone.max-physical-memory rctl.
		c.CappedMemory = &CappedMemory{Physical: z.Mcap.Physcap}
	}
	if z.SecurityFlags != nil {
		sf := SecurityFlags(*z.SecurityFlags)
		c.SecurityFlags = &sf
	}
	return c.Normalize(), nil
}

// readZoneXML reads and parses the XML configuration of zone name in dir.
func readZoneXML(dir, name string) (*ZoneConfig, error) {
	p := filepath.Join(dir, name+".xml")
	xb, err := os.ReadFile(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("read zone %s: configuration %s is missing: %w", name, p, fs.ErrNotExist)
		}
		return nil, fmt.Errorf("read zone %s: %w", name, err)
	}
	c, err := ParseZoneXML(xb)
	if err != nil {
		return nil, fmt.Errorf("read zone %s from %s: %w", name, p, err)
	}
	if c.Name != name {
		return nil, fmt.Errorf("read zone %s: %s names zone %q", name, p, c.Name)
	}
	return c, nil
}

// ReadZones reads the zone index and every zone's XML configuration under
// root (root "/" on a real host, a simulator's root in tests) without
// starting a process per zone. The global zone has no XML file and no
// configuration in the map.
func ReadZones(root string) ([]IndexEntry, map[string]*ZoneConfig, error) {
	dir := filepath.Join(root, "etc", "zones")
	b, err := os.ReadFile(filepath.Join(dir, "index"))
	if err != nil {
		return nil, nil, fmt.Errorf("read zone index: %w", err)
	}
	entries, err := ParseZoneIndex(b)
	if err != nil {
		return nil, nil, fmt.Errorf("read zone index %s: %w", filepath.Join(dir, "index"), err)
	}
	// The files are read and parsed by as many workers as there are
	// CPUs; the first error in index order is the one reported.
	var names []string
	for _, e := range entries {
		if e.Name != GlobalZone {
			names = append(names, e.Name)
		}
	}
	parsed := make([]*ZoneConfig, len(names))
	errs := make([]error, len(names))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(names)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < len(names); i = int(next.Add(1)) - 1 {
				parsed[i], errs[i] = readZoneXML(dir, names[i])
			}
		}()
	}
	wg.Wait()
	configs := make(map[string]*ZoneConfig, len(names))
	var gone map[string]bool
	for i, name := range names {
		if errors.Is(errs[i], fs.ErrNotExist) {
			// zonecfg delete removes a zone's index entry, then its
			// file (libzonecfg zonecfg_destroy()): a zone deleted
			// while the files were read is listed but has no file.
			// The index is read again; a zone no longer in it is left
			// out, and one still in it is an error.
			if gone == nil {
				if gone, err = deletedSince(dir, entries); err != nil {
					return nil, nil, err
				}
			}
			if gone[name] {
				continue
			}
		}
		if errs[i] != nil {
			return nil, nil, errs[i]
		}
		configs[name] = parsed[i]
	}
	if len(gone) > 0 {
		entries = slices.DeleteFunc(entries, func(e IndexEntry) bool { return gone[e.Name] })
	}
	return entries, configs, nil
}

// deletedSince reads the zone index again and returns the zones of
// entries it no longer lists.
func deletedSince(dir string, entries []IndexEntry) (map[string]bool, error) {
	b, err := os.ReadFile(filepath.Join(dir, "index"))
	if err != nil {
		return nil, fmt.Errorf("read zone index: %w", err)
	}
	now, err := ParseZoneIndex(b)
	if err != nil {
		return nil, fmt.Errorf("read zone index %s: %w", filepath.Join(dir, "index"), err)
	}
	still := map[string]bool{}
	for _, e := range now {
		still[e.Name] = true
	}
	gone := map[string]bool{}
	for _, e := range entries {
		if !still[e.Name] {
			gone[e.Name] = true
		}
	}
	return gone, nil
}
