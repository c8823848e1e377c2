package zone

import (
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// A LofsMount is a global-zone directory mounted into a zone by lofs.
type LofsMount struct {
	Dir      string // inside the zone
	Special  string // in the global zone
	ReadOnly bool
}

// ParseLofs parses the CLI form "lzpath[|gzpath[|ro|rw]]".
func ParseLofs(s string) (LofsMount, error) {
	f := strings.Split(s, "|")
	if len(f) > 3 || f[0] == "" {
		return LofsMount{}, optErr(FieldLofs, "%q: want \"zonepath[|gzpath[|ro|rw]]\"", s)
	}
	m := LofsMount{Dir: f[0], Special: f[0]}
	if len(f) > 1 && f[1] != "" {
		m.Special = f[1]
	}
	if len(f) == 3 {
		switch f[2] {
		case "ro":
			m.ReadOnly = true
		case "rw", "":
		default:
			return LofsMount{}, optErr(FieldLofs, "%q: mode %q is not one of: ro, rw", s, f[2])
		}
	}
	return m, m.validate()
}

func (m LofsMount) validate() error {
	for _, p := range []struct{ field, v string }{{"dir", m.Dir}, {"special", m.Special}} {
		if !path.IsAbs(p.v) {
			return optErr(FieldLofs, "%s %q is not an absolute path", p.field, p.v)
		}
		if path.Clean(p.v) != p.v || strings.Contains(p.v, "/../") || strings.HasSuffix(p.v, "/..") {
			return optErr(FieldLofs, "%s %q is not a clean absolute path (no '..', '//' or trailing '/')", p.field, p.v)
		}
		if strings.ContainsAny(p.v, "\"\n") {
			return optErr(FieldLofs, "%s %q contains a double quote or newline, which zonecfg cannot express", p.field, p.v)
		}
	}
	if m.Dir == "/" {
		return optErr(FieldLofs, "dir %q: cannot mount over the zone's root", m.Dir)
	}
	if m.Special == "/" {
		return optErr(FieldLofs, "special %q is the global zone's root: refusing to put it in a zone, whose root user would then control the global zone's files", m.Special)
	}
	return nil
}

// lofsOverZones refuses the lofs mounts whose global-zone path is, lies
// in or holds the zonepath of a zone configured on the host other than
// zone (the /etc/zones/index entries, read once for all the mounts): another zone's files,
// its root among them, would be in this zone, and zoneadmd refuses to
// boot a zone whose root another zone's mount reaches (illumos-gate
// vplat.c duplicate_reachable_path(): "zone root %s is reachable
// through %s").
func (h *Host) lofsOverZones(mounts []LofsMount, zone string) []error {
	if len(mounts) == 0 {
		return nil
	}
	b, err := os.ReadFile(h.path("/etc/zones/index"))
	if err != nil {
		return nil // no zone configured: the file is made with the first
	}
	entries, err := illumos.ParseZoneIndex(b)
	if err != nil {
		return []error{optErr(FieldLofs, "the zones' index cannot be read to check the mounts against it: %v", err)}
	}
	var errs []error
	for _, m := range mounts {
		if m.validate() != nil {
			continue // refused for that already
		}
		for _, e := range entries {
			zp := path.Clean(e.Zonepath)
			if e.Name == "global" || e.Name == zone || zp == "/" {
				continue
			}
			if m.Special == zp || strings.HasPrefix(m.Special, zp+"/") || strings.HasPrefix(zp, m.Special+"/") {
				errs = append(errs, optErr(FieldLofs, "%s overlaps the zonepath %s of zone %s: a zone's files are not mounted into another zone (and a zone whose root another zone's mount reaches does not boot)", m.Special, zp, e.Name))
				break
			}
		}
	}
	return errs
}

func (m LofsMount) fs() illumos.FS {
	opt := "rw"
	if m.ReadOnly {
		opt = "ro"
	}
	return illumos.FS{Dir: m.Dir, Special: m.Special, Type: "lofs", Options: []string{opt, "nodevices"}}
}

// ParseAutoNFS parses "lzpath|server:/path".
func ParseAutoNFS(s string) (AutoNFS, error) {
	dir, src, ok := strings.Cut(s, "|")
	if !ok || !path.IsAbs(dir) || path.Clean(dir) != dir {
		return AutoNFS{}, optErr(FieldAutoNFS, "%q: want \"/zone/path|server:/exported/path\" with an absolute, clean zone path", s)
	}
	server, p, ok := strings.Cut(src, ":")
	if !ok || server == "" || !path.IsAbs(p) || strings.ContainsAny(src, " \t\n'\"") {
		return AutoNFS{}, optErr(FieldAutoNFS, "%q: source %q is not \"server:/absolute/path\"", s, src)
	}
	return AutoNFS{Dir: dir, Source: src}, nil
}

// A VNICOver is an automatic VNIC zonemgr creates over a link.
type VNICOver struct {
	Link string
	VLAN int    // 0: none
	MAC  string // "" : let dladm choose
}

// ParseVNICOver parses "LINK[|VLAN[|MAC]]".
func ParseVNICOver(s string) (VNICOver, error) {
	f := strings.Split(s, "|")
	if len(f) > 3 {
		return VNICOver{}, optErr(FieldVNICsOver, "%q: want \"LINK[|VLAN[|MAC]]\"", s)
	}
	v := VNICOver{Link: f[0]}
	if err := illumos.ValidLinkName(v.Link); err != nil {
		return VNICOver{}, optErr(FieldVNICsOver, "%q: link: %v", s, err)
	}
	if len(f) > 1 && f[1] != "" {
		n, err := strconv.Atoi(f[1])
		if err != nil || n < 1 || n > 4094 {
			return VNICOver{}, optErr(FieldVNICsOver, "%q: VLAN %q is not a number from 1 to 4094", s, f[1])
		}
		v.VLAN = n
	}
	if len(f) > 2 && f[2] != "" {
		if !isMAC(f[2]) {
			return VNICOver{}, optErr(FieldVNICsOver, "%q: MAC %q is not six hex octets separated by ':'", s, f[2])
		}
		v.MAC = normalizeMAC(f[2])
	}
	return v, nil
}

// String renders the spec as "LINK[|VLAN[|MAC]]".
func (v VNICOver) String() string {
	s := v.Link
	if v.VLAN != 0 || v.MAC != "" {
		s += "|"
		if v.VLAN != 0 {
			s += strconv.Itoa(v.VLAN)
		}
	}
	if v.MAC != "" {
		s += "|" + v.MAC
	}
	return s
}

func normalizeMAC(m string) string {
	parts := strings.Split(strings.ToLower(m), ":")
	for i, p := range parts {
		n, _ := strconv.ParseUint(p, 16, 8)
		parts[i] = strconv.FormatUint(n, 16)
	}
	return strings.Join(parts, ":")
}

// createArgs is the dladm create-vnic argv for one automatic VNIC with
// the MAC address the run gives it.
func (v VNICOver) createArgs(name, mac string) []string {
	argv := []string{"dladm", "create-vnic", "-l", v.Link, "-m", mac}
	if v.VLAN != 0 {
		argv = append(argv, "-v", strconv.Itoa(v.VLAN))
	}
	return append(argv, name)
}

// An autoVNIC is a VNIC zonemgr made for a zone, as recorded in its
// zonemgr.autovnic attribute: "name|LINK[|VLAN[|MAC]]" entries.
type autoVNIC struct {
	Name string
	Spec VNICOver
}

func formatAutoVNICs(vs []autoVNIC) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.Name + "|" + v.Spec.String()
	}
	return strings.Join(parts, " ")
}

func parseAutoVNICs(s string) []autoVNIC {
	var out []autoVNIC
	for _, f := range strings.Fields(s) {
		name, rest, _ := strings.Cut(f, "|")
		spec, err := ParseVNICOver(rest)
		if err != nil {
			spec = VNICOver{Link: rest}
		}
		out = append(out, autoVNIC{Name: name, Spec: spec})
	}
	return out
}

// ValidCappedMemory checks a capped-memory value such as "2G".
func ValidCappedMemory(s string) error {
	n, ok := memLimit(s)
	switch {
	case !ok:
		return optErr(FieldCappedMemory, "%q is not a size with its unit, such as 512M, 2G or 1T", s)
	case n < 1<<20:
		// zonecfg.c set_func(), RT_MCAP PT_PHYSICAL: "physical value is
		// too small. It must be at least 1M."
		return optErr(FieldCappedMemory, "%q is less than 1M, the least zonecfg takes", s)
	}
	return nil
}

// ValidCappedCPU checks a capped-cpu value such as "1.5".
func ValidCappedCPU(s string) error {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f > 1024 {
		return optErr(FieldCappedCPU, "%q is not a positive number of CPUs such as 1 or 2.5", s)
	}
	return nil
}
