package illumos

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// A ZoneConfig is one zone's configuration as zonecfg knows it: the global
// properties and the resources. ParseZoneXML, ParseZonecfgExport and
// ParseZonecfgInfo read it; Export, CreateScript and UpdateScript write it.
//
// Memory and CPU caps can be stored two ways: as the capped-memory and
// capped-cpu resources, or as the resource controls zonecfg turns them into
// (zone.max-physical-memory, zone.max-swap, zone.max-locked-memory,
// zone.cpu-cap). The text parsers keep what the text says; Normalize folds
// the controls into CappedMemory and CappedCPU, and ParseZoneXML returns
// normalised configurations.
type ZoneConfig struct {
	Name     string
	Zonepath string
	Brand    string
	Autoboot bool
	// IPType is "shared" or "exclusive"; empty means shared.
	IPType          string
	Bootargs        string
	Pool            string
	LimitPriv       string
	SchedulingClass string
	HostID          string
	FSAllowed       string

	FS            []FS
	Nets          []Net
	Devices       []Device
	Rctls         []Rctl
	Attrs         []Attr
	Datasets      []Dataset
	Admins        []Admin
	DedicatedCPU  *DedicatedCPU
	CappedCPU     *CappedCPU
	CappedMemory  *CappedMemory
	SecurityFlags *SecurityFlags
}

// An FS is a file system resource: Special mounted on Dir (lofs for a
// directory of the global zone).
type FS struct {
	Dir     string
	Special string
	Raw     string
	Type    string
	Options []string
}

// A Net is a network resource. Shared-IP zones set Address; exclusive-IP
// zones set AllowedAddress and Defrouter. GlobalNIC, MACAddr, VLANID and
// Properties exist on OmniOS only.
type Net struct {
	Address        string
	AllowedAddress string
	Physical       string
	Defrouter      string
	GlobalNIC      string
	MACAddr        string
	VLANID         string
	Properties     []ResProperty
}

// A ResProperty is a name=value property of a net or device resource
// (OmniOS "add property (name=...,value=...)").
type ResProperty struct {
	Name  string
	Value string
}

// A Device is a device resource: the devices whose paths Match.
type Device struct {
	Match      string
	Properties []ResProperty
}

// An Rctl is a resource control with its values.
type Rctl struct {
	Name   string
	Values []RctlValue
}

// An RctlValue is one value of a resource control.
type RctlValue struct {
	Priv   string
	Limit  string
	Action string
}

// An Attr is a zone attribute; zonemgr keeps its metadata (zonemgr.origin,
// zonemgr.autovnic, ...) in string attrs.
type Attr struct {
	Name  string
	Type  string
	Value string
}

// A Dataset is a ZFS dataset delegated to the zone.
type Dataset struct {
	Name string
}

// An Admin is an admin resource: a user granted authorizations (manage,
// login, clonefrom) on the zone.
type Admin struct {
	User  string
	Auths string
}

// A DedicatedCPU is the dedicated-cpu resource: NCPUs is "N" or "N-M".
type DedicatedCPU struct {
	NCPUs      string
	Importance string
}

// A CappedCPU is the capped-cpu resource: NCPUs may be fractional ("1.5").
type CappedCPU struct {
	NCPUs string
}

// A CappedMemory is the capped-memory resource; values carry a scale
// suffix (K, M, G or T), as zonecfg requires.
type CappedMemory struct {
	Physical string
	Swap     string
	Locked   string
}

// A SecurityFlags is the security-flags resource.
type SecurityFlags struct {
	Default string
	Lower   string
	Upper   string
}

// Attr returns the value of the attr called name.
func (c *ZoneConfig) Attr(name string) (string, bool) {
	for _, a := range c.Attrs {
		if a.Name == name {
			return a.Value, true
		}
	}
	return "", false
}

// Names of the resource controls behind the aliased properties and the
// capped-cpu and capped-memory resources.
const (
	RctlMaxPhysicalMemory = "zone.max-physical-memory"
	RctlMaxSwap           = "zone.max-swap"
	RctlMaxLockedMemory   = "zone.max-locked-memory"
	RctlCPUCap            = "zone.cpu-cap"
)

// Clone returns a deep copy of c.
func (c *ZoneConfig) Clone() *ZoneConfig {
	if c == nil {
		return nil
	}
	n := *c
	n.FS = nil
	for _, f := range c.FS {
		f.Options = slices.Clone(f.Options)
		n.FS = append(n.FS, f)
	}
	n.Nets = nil
	for _, x := range c.Nets {
		x.Properties = slices.Clone(x.Properties)
		n.Nets = append(n.Nets, x)
	}
	n.Devices = nil
	for _, d := range c.Devices {
		d.Properties = slices.Clone(d.Properties)
		n.Devices = append(n.Devices, d)
	}
	n.Rctls = nil
	for _, r := range c.Rctls {
		r.Values = slices.Clone(r.Values)
		n.Rctls = append(n.Rctls, r)
	}
	n.Attrs = slices.Clone(c.Attrs)
	n.Datasets = slices.Clone(c.Datasets)
	n.Admins = slices.Clone(c.Admins)
	if c.DedicatedCPU != nil {
		v := *c.DedicatedCPU
		n.DedicatedCPU = &v
	}
	if c.CappedCPU != nil {
		v := *c.CappedCPU
		n.CappedCPU = &v
	}
	if c.CappedMemory != nil {
		v := *c.CappedMemory
		n.CappedMemory = &v
	}
	if c.SecurityFlags != nil {
		v := *c.SecurityFlags
		n.SecurityFlags = &v
	}
	return &n
}

// Normalize returns a copy of c in one canonical form, so that two
// configurations zonecfg would treat alike compare equal: IPType "" becomes
// "shared"; the resource controls behind capped-memory and capped-cpu
// (a single privileged value with action deny) move into CappedMemory and
// CappedCPU; memory sizes are written with the largest exact scale suffix
// ("2G"), CPU counts without trailing zeros ("1.5"); empty lists become nil.
func (c *ZoneConfig) Normalize() *ZoneConfig {
	n := c.Clone()
	if n.IPType == "" {
		n.IPType = "shared"
	}
	mem := CappedMemory{}
	if n.CappedMemory != nil {
		mem = *n.CappedMemory
	}
	var cpu *CappedCPU
	if n.CappedCPU != nil {
		v := *n.CappedCPU
		cpu = &v
	}
	var rctls []Rctl
	for _, r := range n.Rctls {
		limit, ok := aliasLimit(r)
		switch {
		case ok && r.Name == RctlMaxPhysicalMemory:
			mem.Physical = limit
		case ok && r.Name == RctlMaxSwap:
			mem.Swap = limit
		case ok && r.Name == RctlMaxLockedMemory:
			mem.Locked = limit
		case ok && r.Name == RctlCPUCap:
			// The cap is in percent of one CPU; aliasLimit checked
			// that it is a number.
			pct, _ := strconv.ParseUint(limit, 10, 64)
			cpu = &CappedCPU{NCPUs: strconv.FormatFloat(float64(pct)/100, 'f', -1, 64)}
		default:
			rctls = append(rctls, r)
		}
	}
	n.Rctls = rctls
	mem.Physical = canonicalMemory(mem.Physical)
	mem.Swap = canonicalMemory(mem.Swap)
	mem.Locked = canonicalMemory(mem.Locked)
	if mem == (CappedMemory{}) {
		n.CappedMemory = nil
	} else {
		n.CappedMemory = &mem
	}
	if cpu != nil {
		if f, err := strconv.ParseFloat(cpu.NCPUs, 64); err == nil {
			cpu.NCPUs = strconv.FormatFloat(f, 'f', -1, 64)
		}
	}
	n.CappedCPU = cpu
	for i := range n.FS {
		if len(n.FS[i].Options) == 0 {
			n.FS[i].Options = nil
		}
	}
	for i := range n.Nets {
		if len(n.Nets[i].Properties) == 0 {
			n.Nets[i].Properties = nil
		}
	}
	for i := range n.Devices {
		if len(n.Devices[i].Properties) == 0 {
			n.Devices[i].Properties = nil
		}
	}
	if len(n.FS) == 0 {
		n.FS = nil
	}
	if len(n.Nets) == 0 {
		n.Nets = nil
	}
	if len(n.Devices) == 0 {
		n.Devices = nil
	}
	if len(n.Rctls) == 0 {
		n.Rctls = nil
	}
	if len(n.Attrs) == 0 {
		n.Attrs = nil
	}
	if len(n.Datasets) == 0 {
		n.Datasets = nil
	}
	if len(n.Admins) == 0 {
		n.Admins = nil
	}
	return n
}

// aliasLimit returns the limit of an rctl in the form zonecfg gives the
// controls it manages for capped-memory and capped-cpu: one value,
// privileged, action deny.
func aliasLimit(r Rctl) (string, bool) {
	if len(r.Values) != 1 {
		return "", false
	}
	v := r.Values[0]
	if v.Priv != "privileged" || v.Action != "deny" {
		return "", false
	}
	if _, err := strconv.ParseUint(v.Limit, 10, 64); err != nil {
		return "", false
	}
	return v.Limit, true
}

var memoryUnits = []struct {
	suffix byte
	size   uint64
}{{'T', 1 << 40}, {'G', 1 << 30}, {'M', 1 << 20}, {'K', 1 << 10}}

// ParseMemorySize converts a zonecfg memory size to bytes: a number with an
// optional scale suffix K, M, G or T (either case, optionally followed by
// "B"); a plain number is bytes. A fraction ("2.5G", as zonecfg info prints
// sizes) is rounded to the nearest byte.
func ParseMemorySize(s string) (uint64, error) {
	num := strings.TrimSpace(s)
	if num == "" {
		return 0, fmt.Errorf("parse memory size %q: empty", s)
	}
	mult := uint64(1)
	num = strings.TrimSuffix(strings.TrimSuffix(num, "B"), "b")
	if num != "" {
		last := num[len(num)-1]
		for _, u := range memoryUnits {
			if last == u.suffix || last == u.suffix+('a'-'A') {
				mult = u.size
				num = num[:len(num)-1]
				break
			}
		}
	}
	if num == "" || strings.Trim(num, "0123456789.") != "" || strings.Count(num, ".") > 1 {
		return 0, fmt.Errorf("parse memory size %q: not a number with an optional K, M, G or T suffix", s)
	}
	if !strings.Contains(num, ".") {
		n, err := strconv.ParseUint(num, 10, 64)
		if err != nil || (mult > 1 && n > math.MaxUint64/mult) {
			return 0, fmt.Errorf("parse memory size %q: out of range", s)
		}
		return n * mult, nil
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("parse memory size %q: %w", s, err)
	}
	v := math.Round(f * float64(mult))
	if v >= math.MaxUint64 {
		return 0, fmt.Errorf("parse memory size %q: out of range", s)
	}
	return uint64(v), nil
}

// FormatMemorySize writes a byte count with the largest scale suffix that
// divides it exactly ("2G", "1536M"); a count that is not a multiple of 1K
// is written as plain bytes.
func FormatMemorySize(n uint64) string {
	if n == 0 {
		return "0"
	}
	for _, u := range memoryUnits {
		if n%u.size == 0 {
			return strconv.FormatUint(n/u.size, 10) + string(u.suffix)
		}
	}
	return strconv.FormatUint(n, 10)
}

func canonicalMemory(s string) string {
	if s == "" {
		return ""
	}
	n, err := ParseMemorySize(s)
	if err != nil {
		return s
	}
	return FormatMemorySize(n)
}

// HasDataset reports whether the configuration delegates the dataset.
func (c *ZoneConfig) HasDataset(name string) bool {
	if c == nil {
		return false
	}
	for _, d := range c.Datasets {
		if d.Name == name {
			return true
		}
	}
	return false
}
