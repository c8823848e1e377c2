package illumos

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
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
	XMLName         xml.Name         `xml:"zone"`
	Name            string           `xml:"name,attr"`
	Zonepath        string           `xml:"zonepath,attr"`
	Autoboot        string           `xml:"autoboot,attr"`
	Brand           string           `xml:"brand,attr"`
	IPType          string           `xml:"ip-type,attr"`
	HostID          string           `xml:"hostid,attr"`
	Pool            string           `xml:"pool,attr"`
	LimitPriv       string           `xml:"limitpriv,attr"`
	Bootargs        string           `xml:"bootargs,attr"`
	SchedulingClass string           `xml:"scheduling-class,attr"`
	FSAllowed       string           `xml:"fs-allowed,attr"`
	FS              []xmlFS          `xml:"filesystem"`
	Nets            []xmlNet         `xml:"network"`
	Devices         []xmlDevice      `xml:"device"`
	Rctls           []xmlRctl        `xml:"rctl"`
	Attrs           []xmlAttr        `xml:"attr"`
	Datasets        []xmlDataset     `xml:"dataset"`
	Admins          []xmlAdmin       `xml:"admin"`
	Pset            *xmlPset         `xml:"pset"`
	TmpPool         *xmlTmpPool      `xml:"tmp_pool"`
	Mcap            *xmlMcap         `xml:"mcap"`
	SecurityFlags   *xmlSecurityFlag `xml:"security-flags"`
}

type xmlFS struct {
	Special   string        `xml:"special,attr"`
	Raw       string        `xml:"raw,attr"`
	Directory string        `xml:"directory,attr"`
	Type      string        `xml:"type,attr"`
	Options   []xmlFSOption `xml:"fsoption"`
}

type xmlFSOption struct {
	Name string `xml:"name,attr"`
}

type xmlNet struct {
	Address        string       `xml:"address,attr"`
	AllowedAddress string       `xml:"allowed-address,attr"`
	Defrouter      string       `xml:"defrouter,attr"`
	GlobalNIC      string       `xml:"global-nic,attr"`
	MACAddr        string       `xml:"mac-addr,attr"`
	Physical       string       `xml:"physical,attr"`
	VLANID         string       `xml:"vlan-id,attr"`
	Attrs          []xmlNetAttr `xml:"net-attr"`
}

type xmlNetAttr struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type xmlDevice struct {
	Match string       `xml:"match,attr"`
	Attrs []xmlNetAttr `xml:"net-attr"`
}

type xmlRctl struct {
	Name   string         `xml:"name,attr"`
	Values []xmlRctlValue `xml:"rctl-value"`
}

type xmlRctlValue struct {
	Priv   string `xml:"priv,attr"`
	Limit  string `xml:"limit,attr"`
	Action string `xml:"action,attr"`
}

type xmlAttr struct {
	Name  string `xml:"name,attr"`
	Type  string `xml:"type,attr"`
	Value string `xml:"value,attr"`
}

type xmlDataset struct {
	Name string `xml:"name,attr"`
}

type xmlAdmin struct {
	User  string `xml:"user,attr"`
	Auths string `xml:"auths,attr"`
}

type xmlPset struct {
	NCPUMin string `xml:"ncpu_min,attr"`
	NCPUMax string `xml:"ncpu_max,attr"`
}

type xmlTmpPool struct {
	Importance string `xml:"importance,attr"`
}

type xmlMcap struct {
	Physcap string `xml:"physcap,attr"`
}

type xmlSecurityFlag struct {
	Default string `xml:"default,attr"`
	Lower   string `xml:"lower,attr"`
	Upper   string `xml:"upper,attr"`
}

// ParseZoneXML parses a zone's libzonecfg XML file (/etc/zones/<zone>.xml)
// and returns its configuration, normalised (see ZoneConfig.Normalize).
func ParseZoneXML(b []byte) (*ZoneConfig, error) {
	var z xmlZone
	dec := xml.NewDecoder(bytes.NewReader(b))
	// The files are written by libxml2 in UTF-8 (or US-ASCII); decode
	// anything else declared there byte for byte rather than failing.
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	if err := dec.Decode(&z); err != nil {
		return nil, fmt.Errorf("parse zone XML: %w", err)
	}
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
