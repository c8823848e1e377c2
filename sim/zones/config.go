package zones

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/zonemgr/zonemgr/sim/core"
)

// A Config is one zone configuration: the contents of
// /etc/zones/<zone>.xml in the format of illumos' zonecfg.dtd.1. zonecfg
// edits it, zoneadm reads it. Resources keep a document sequence number so
// that the XML file lists them in the order libzonecfg would (a modified
// resource is removed and appended again, as zonecfg_modify_* do).
type Config struct {
	Name            string
	Zonepath        string
	Autoboot        bool
	Brand           string
	IPType          string // "shared", "exclusive" or "" (absent: shared)
	Pool            string
	Limitpriv       string
	Bootargs        string
	SchedulingClass string
	Hostid          string
	FSAllowed       string
	// DebugID is the OmniOS debug id (the zone element's debugid
	// attribute); "" until the first commit assigns one.
	DebugID string

	FS      []FS
	Net     []Net
	Device  []Device
	Rctl    []Rctl
	Attr    []Attr
	Dataset []Dataset
	Admin   []Admin
	Pset    *Pset
	Mcap    *Mcap

	seq int // last sequence number handed out
}

// An FS is a filesystem resource (element filesystem).
type FS struct {
	Dir, Special, Raw, Type string
	Options                 []string
	seq                     int
}

// A Net is a network resource (element network).
type Net struct {
	Address, AllowedAddress, Physical, Defrouter string
	seq                                          int
}

// A Device is a device resource (element device).
type Device struct {
	Match string
	seq   int
}

// An RctlValue is one rctl-value of a resource control.
type RctlValue struct {
	Priv, Limit, Action string
}

// An Rctl is a resource control (element rctl). Aliased properties such
// as max-lwps, capped-cpu and the swap and locked caps are stored as rctls.
type Rctl struct {
	Name   string
	Values []RctlValue
	seq    int
}

// An Attr is a generic attribute resource (element attr).
type Attr struct {
	Name, Type, Value string
	seq               int
}

// A Dataset is a delegated ZFS dataset (element dataset).
type Dataset struct {
	Name string
	seq  int
}

// An Admin is a delegated administrator (element admin).
type Admin struct {
	User, Auths string
	seq         int
}

// A Pset is the dedicated-cpu resource (element pset).
type Pset struct {
	NcpuMin, NcpuMax, Importance string
	seq                          int
}

// An Mcap is the physical memory cap of capped-memory (element mcap), in
// bytes, as illumos-gate stores it.
type Mcap struct {
	Physcap string
	seq     int
}

// IPTypeOrDefault returns the zone's ip-type; an absent ip-type attribute
// means shared, as zonecfg_get_iptype() defaults.
func (c *Config) IPTypeOrDefault() string {
	if c.IPType == "" {
		return "shared"
	}
	return c.IPType
}

// nextSeq hands out the next document position.
func (c *Config) nextSeq() int {
	c.seq++
	return c.seq
}

// Clone returns a deep copy of the configuration.
func (c *Config) Clone() *Config {
	n := *c
	n.FS = make([]FS, len(c.FS))
	for i, f := range c.FS {
		f.Options = append([]string(nil), f.Options...)
		n.FS[i] = f
	}
	n.Net = append([]Net(nil), c.Net...)
	n.Device = append([]Device(nil), c.Device...)
	n.Rctl = make([]Rctl, len(c.Rctl))
	for i, r := range c.Rctl {
		r.Values = append([]RctlValue(nil), r.Values...)
		n.Rctl[i] = r
	}
	n.Attr = append([]Attr(nil), c.Attr...)
	n.Dataset = append([]Dataset(nil), c.Dataset...)
	n.Admin = append([]Admin(nil), c.Admin...)
	if c.Pset != nil {
		p := *c.Pset
		n.Pset = &p
	}
	if c.Mcap != nil {
		m := *c.Mcap
		n.Mcap = &m
	}
	return &n
}

// Attribute returns the value of the attr resource called name.
func (c *Config) Attribute(name string) (string, bool) {
	for _, a := range c.Attr {
		if a.Name == name {
			return a.Value, true
		}
	}
	return "", false
}

// rctl returns the index of the rctl called name, or -1.
func (c *Config) rctl(name string) int {
	for i, r := range c.Rctl {
		if r.Name == name {
			return i
		}
	}
	return -1
}

// configPath is the real path of a zone's XML file.
func configPath(root, zone string) string {
	return filepath.Join(root, "etc", "zones", zone+".xml")
}

// LoadConfig reads /etc/zones/<zone>.xml of the sim root; a missing file
// gives an error wrapping os.ErrNotExist.
func LoadConfig(root, zone string) (*Config, error) {
	b, err := os.ReadFile(configPath(root, zone))
	if err != nil {
		return nil, err
	}
	c, err := ParseConfig(b)
	if err != nil {
		return nil, fmt.Errorf("read %s.xml: %w", zone, err)
	}
	return c, nil
}

// SaveConfig writes /etc/zones/<zone>.xml atomically.
func SaveConfig(root string, c *Config) error {
	if err := core.WriteFileAtomic(configPath(root, c.Name), c.XML(), 0o644); err != nil {
		return fmt.Errorf("save zone %s configuration: %w", c.Name, err)
	}
	return nil
}

// ParseConfig reads a zone configuration in zonecfg.dtd.1 format.
func ParseConfig(b []byte) (*Config, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	var c *Config
	depth := 0
	var curFS *FS
	var curRctl *Rctl
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("parse zone XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			a := attrMap(t.Attr)
			switch {
			case depth == 1:
				if t.Name.Local != "zone" {
					return nil, fmt.Errorf("parse zone XML: root element is %q, not zone", t.Name.Local)
				}
				c = &Config{
					Name: a["name"], Zonepath: a["zonepath"], Autoboot: a["autoboot"] == "true",
					Brand: a["brand"], IPType: a["ip-type"], Pool: a["pool"], Limitpriv: a["limitpriv"],
					Bootargs: a["bootargs"], SchedulingClass: a["scheduling-class"], Hostid: a["hostid"],
					FSAllowed: a["fs-allowed"], DebugID: a["debugid"],
				}
			case depth == 2 && c != nil:
				seq := c.nextSeq()
				switch t.Name.Local {
				case "filesystem":
					c.FS = append(c.FS, FS{Dir: a["directory"], Special: a["special"], Raw: a["raw"], Type: a["type"], seq: seq})
					curFS = &c.FS[len(c.FS)-1]
				case "network":
					c.Net = append(c.Net, Net{Address: a["address"], AllowedAddress: a["allowed-address"], Physical: a["physical"], Defrouter: a["defrouter"], seq: seq})
				case "device":
					c.Device = append(c.Device, Device{Match: a["match"], seq: seq})
				case "rctl":
					c.Rctl = append(c.Rctl, Rctl{Name: a["name"], seq: seq})
					curRctl = &c.Rctl[len(c.Rctl)-1]
				case "attr":
					c.Attr = append(c.Attr, Attr{Name: a["name"], Type: a["type"], Value: a["value"], seq: seq})
				case "dataset":
					c.Dataset = append(c.Dataset, Dataset{Name: a["name"], seq: seq})
				case "admin":
					c.Admin = append(c.Admin, Admin{User: a["user"], Auths: a["auths"], seq: seq})
				case "pset":
					c.Pset = &Pset{NcpuMin: a["ncpu_min"], NcpuMax: a["ncpu_max"], Importance: a["importance"], seq: seq}
				case "mcap":
					c.Mcap = &Mcap{Physcap: a["physcap"], seq: seq}
				}
			case depth == 3 && c != nil:
				switch {
				case t.Name.Local == "fsoption" && curFS != nil:
					curFS.Options = append(curFS.Options, a["name"])
				case t.Name.Local == "rctl-value" && curRctl != nil:
					curRctl.Values = append(curRctl.Values, RctlValue{Priv: a["priv"], Limit: a["limit"], Action: a["action"]})
				}
			}
		case xml.EndElement:
			if depth == 2 {
				curFS, curRctl = nil, nil
			}
			depth--
		}
	}
	if c == nil {
		return nil, errors.New("parse zone XML: no zone element")
	}
	return c, nil
}

func attrMap(as []xml.Attr) map[string]string {
	m := make(map[string]string, len(as))
	for _, a := range as {
		m[a.Name.Local] = a.Value
	}
	return m
}

// xmlHeader is what libzonecfg's zonecfg_save() writes before the zone
// element.
const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE zone PUBLIC "-//Sun Microsystems Inc//DTD Zones//EN" "file:///usr/share/lib/xml/dtd/zonecfg.dtd.1">
<!--
    DO NOT EDIT THIS FILE.  Use zonecfg(8) instead.
-->
`

// XML renders the configuration as libxml2 writes it for libzonecfg: two
// spaces of indentation, resources in document order.
func (c *Config) XML() []byte {
	var b strings.Builder
	b.WriteString(xmlHeader)
	b.WriteString("<zone")
	writeAttr(&b, "name", c.Name)
	writeAttr(&b, "zonepath", c.Zonepath)
	writeAttr(&b, "autoboot", strconv.FormatBool(c.Autoboot))
	if c.Brand != "" {
		writeAttr(&b, "brand", c.Brand)
	}
	for _, kv := range [][2]string{
		{"pool", c.Pool}, {"limitpriv", c.Limitpriv}, {"bootargs", c.Bootargs},
		{"scheduling-class", c.SchedulingClass}, {"ip-type", c.IPType},
		{"hostid", c.Hostid}, {"fs-allowed", c.FSAllowed}, {"debugid", c.DebugID},
	} {
		if kv[1] != "" {
			writeAttr(&b, kv[0], kv[1])
		}
	}
	elems := c.elements()
	if len(elems) == 0 {
		b.WriteString("/>\n")
		return []byte(b.String())
	}
	b.WriteString(">\n")
	for _, e := range elems {
		b.WriteString(e.text)
	}
	b.WriteString("</zone>\n")
	return []byte(b.String())
}

// An element is one rendered child of the zone element.
type element struct {
	seq  int
	text string
}

// elements renders every resource, sorted by document position.
func (c *Config) elements() []element {
	var out []element
	add := func(seq int, s string) { out = append(out, element{seq, s}) }
	for _, f := range c.FS {
		var b strings.Builder
		b.WriteString("  <filesystem")
		writeAttr(&b, "special", f.Special)
		if f.Raw != "" {
			writeAttr(&b, "raw", f.Raw)
		}
		writeAttr(&b, "directory", f.Dir)
		writeAttr(&b, "type", f.Type)
		if len(f.Options) == 0 {
			b.WriteString("/>\n")
		} else {
			b.WriteString(">\n")
			for _, o := range f.Options {
				b.WriteString("    <fsoption")
				writeAttr(&b, "name", o)
				b.WriteString("/>\n")
			}
			b.WriteString("  </filesystem>\n")
		}
		add(f.seq, b.String())
	}
	for _, n := range c.Net {
		var b strings.Builder
		b.WriteString("  <network")
		if n.Address != "" {
			writeAttr(&b, "address", n.Address)
		}
		if n.AllowedAddress != "" {
			writeAttr(&b, "allowed-address", n.AllowedAddress)
		}
		writeAttr(&b, "physical", n.Physical)
		if n.Defrouter != "" {
			writeAttr(&b, "defrouter", n.Defrouter)
		}
		b.WriteString("/>\n")
		add(n.seq, b.String())
	}
	for _, d := range c.Device {
		var b strings.Builder
		b.WriteString("  <device")
		writeAttr(&b, "match", d.Match)
		b.WriteString("/>\n")
		add(d.seq, b.String())
	}
	for _, r := range c.Rctl {
		var b strings.Builder
		b.WriteString("  <rctl")
		writeAttr(&b, "name", r.Name)
		if len(r.Values) == 0 {
			b.WriteString("/>\n")
		} else {
			b.WriteString(">\n")
			for _, v := range r.Values {
				b.WriteString("    <rctl-value")
				writeAttr(&b, "priv", v.Priv)
				writeAttr(&b, "limit", v.Limit)
				writeAttr(&b, "action", v.Action)
				b.WriteString("/>\n")
			}
			b.WriteString("  </rctl>\n")
		}
		add(r.seq, b.String())
	}
	for _, a := range c.Attr {
		var b strings.Builder
		b.WriteString("  <attr")
		writeAttr(&b, "name", a.Name)
		writeAttr(&b, "type", a.Type)
		writeAttr(&b, "value", a.Value)
		b.WriteString("/>\n")
		add(a.seq, b.String())
	}
	for _, d := range c.Dataset {
		var b strings.Builder
		b.WriteString("  <dataset")
		writeAttr(&b, "name", d.Name)
		b.WriteString("/>\n")
		add(d.seq, b.String())
	}
	if p := c.Pset; p != nil {
		var b strings.Builder
		b.WriteString("  <pset")
		writeAttr(&b, "ncpu_min", p.NcpuMin)
		writeAttr(&b, "ncpu_max", p.NcpuMax)
		if p.Importance != "" {
			writeAttr(&b, "importance", p.Importance)
		}
		b.WriteString("/>\n")
		add(p.seq, b.String())
	}
	if m := c.Mcap; m != nil {
		var b strings.Builder
		b.WriteString("  <mcap")
		writeAttr(&b, "physcap", m.Physcap)
		b.WriteString("/>\n")
		add(m.seq, b.String())
	}
	for _, a := range c.Admin {
		var b strings.Builder
		b.WriteString("  <admin")
		writeAttr(&b, "user", a.User)
		writeAttr(&b, "auths", a.Auths)
		b.WriteString("/>\n")
		add(a.seq, b.String())
	}
	// Stable insertion sort by document position (few elements).
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].seq < out[j-1].seq; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// writeAttr writes ` name="value"` with libxml2's attribute escaping.
func writeAttr(b *strings.Builder, name, value string) {
	b.WriteString(" ")
	b.WriteString(name)
	b.WriteString(`="`)
	for _, r := range value {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\n':
			b.WriteString("&#10;")
		case '\r':
			b.WriteString("&#13;")
		case '\t':
			b.WriteString("&#9;")
		default:
			b.WriteRune(r)
		}
	}
	b.WriteString(`"`)
}
