package zones

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// This file holds zonecfg's printers: info (illumos-commands.md §3.6) and
// export (§3.5), in the illumos-gate form in both flavours. Not
// simulated on the OmniOS flavour (a known gap): OmniOS's net properties
// global-nic, mac-addr, vlan-id and property, device property, capped
// memory held only as rctls, and the security-flags block of export.

// quoteIt double-quotes a value containing a space (zonecfg.c quoteit()).
func quoteIt(v string) string {
	if strings.Contains(v, " ") {
		return `"` + v + `"`
	}
	return v
}

// outputProp prints one resource property line of info.
func outputProp(w io.Writer, name, v string, bracket bool) {
	switch {
	case v != "" && bracket:
		fmt.Fprintf(w, "\t[%s: %s]\n", name, quoteIt(v))
	case v != "":
		fmt.Fprintf(w, "\t%s: %s\n", name, quoteIt(v))
	default:
		fmt.Fprintf(w, "\t%s not specified\n", name)
	}
}

func outputPset(w io.Writer, p Pset) {
	fmt.Fprint(w, "dedicated-cpu:\n")
	if p.NcpuMin == p.NcpuMax {
		fmt.Fprintf(w, "\tncpus: %s\n", p.NcpuMax)
	} else {
		fmt.Fprintf(w, "\tncpus: %s-%s\n", p.NcpuMin, p.NcpuMax)
	}
	if p.Importance != "" {
		fmt.Fprintf(w, "\timportance: %s\n", p.Importance)
	}
}

func outputPcap(w io.Writer, h *Config) {
	if cap, err := getAliasedRctl(h, "cpu-cap"); err == zOK {
		fmt.Fprintf(w, "capped-cpu:\n\t[ncpus: %.2f]\n", float64(cap)/100)
	}
}

// outputMcap prints capped-memory: physical from the mcap element (as
// illumos-gate stores it), swap and locked from their rctls. The sample
// in illumos-commands.md §3.6 ("[physical: 2G]") is OmniOS's, where
// physical is an rctl alias too; illumos-gate's output_mcap() prints
// physical through output_prop(), without brackets.
func outputMcap(w io.Writer, h *Config, m Mcap) {
	fmt.Fprint(w, "capped-memory:\n")
	if m.Physcap != "" {
		n, _ := strconv.ParseUint(m.Physcap, 10, 64)
		outputProp(w, "physical", bytesToUnits(n), false)
	}
	if v, err := getAliasedRctl(h, "max-swap"); err == zOK {
		outputProp(w, "swap", bytesToUnits(v), true)
	}
	if v, err := getAliasedRctl(h, "max-locked-memory"); err == zOK {
		outputProp(w, "locked", bytesToUnits(v), true)
	}
}

func infoAliased(w io.Writer, h *Config, alias string) {
	v, err := getAliasedRctl(h, alias)
	if err != zOK {
		return
	}
	if alias == "max-shm-memory" {
		fmt.Fprintf(w, "[%s: %s]\n", alias, bytesToUnits(v))
		return
	}
	fmt.Fprintf(w, "[%s: %d]\n", alias, v)
}

// infoFunc is "info [<resource> [prop=value ...]]".
func (s *zcSession) infoFunc(c *command) {
	if s.initialize(true) != zOK {
		return
	}
	w, h := s.out, s.handle
	if !s.globalScope {
		if t := resType(s.resScope); t != nil {
			t.output(w, h, s.cur)
		}
		return
	}
	rt := c.resType
	if s.globalZone && gzInvalidProp(rt) {
		s.zerr("%s is not a valid property for the global zone.", rt)
		return
	}
	if s.globalZone && gzInvalidResource(rt) {
		s.zerr("%s is not a valid resource for the global zone.", rt)
		return
	}
	if g := globalProp(rt); g != nil {
		infoGlobal(w, h, g)
		return
	}
	if t := resType(rt); t != nil {
		s.infoResources(w, t, c)
		return
	}
	if rt != "" {
		s.zonePerror(rt, zNoResourceType, true)
		return
	}
	for _, g := range zcGlobals {
		// The zone's name is printed for the global zone too.
		if !s.globalZone || !g.notInGZ || g.name == "zonename" {
			infoGlobal(w, h, g)
		}
	}
	for _, t := range zcResTypes {
		if !s.globalZone || !t.notInGZ && !t.gzHidden {
			s.infoResources(w, t, c)
		}
	}
}

func infoGlobal(w io.Writer, h *Config, g *zcGlobal) {
	if g.alias {
		infoAliased(w, h, g.name)
		return
	}
	fmt.Fprintf(w, "%s: %s\n", g.name, g.value(h))
}

func brandOrNative(b string) string {
	if b == "" {
		return "native"
	}
	return b
}

// output prints one resource of type t as info does.
func (t *zcResType) output(w io.Writer, h *Config, r any) {
	if t.print != nil {
		t.print(w, h, r)
		return
	}
	fmt.Fprintf(w, "%s:\n", t.name)
	props := t.props
	if t.infoOrder != nil {
		props = nil
		for _, name := range t.infoOrder {
			props = append(props, t.prop(name))
		}
	}
	for _, p := range props {
		if p.list != nil {
			p.list.info(w, r)
		} else {
			outputProp(w, p.name, *p.field(r), false)
		}
	}
}

// infoResources prints the resources of type t: for a list type every one
// matching the command's qualifiers, or "No such <rt> resource." when
// qualifiers match nothing.
func (s *zcSession) infoResources(w io.Writer, t *zcResType, c *command) {
	h := s.handle
	if t.list == nil {
		if r, err := t.find(h); err == zOK {
			t.output(w, h, r)
		}
		return
	}
	var vals map[string]string
	if len(c.propNames) > 0 {
		var err int
		if vals, err = s.fillIn(t, c); err != zOK {
			vals = nil
		}
	}
	printed := false
	for i := 0; i < t.list.count(h); i++ {
		r := t.list.at(h, i)
		if len(c.propNames) > 0 {
			if vals == nil || !matches(t.fields(r), vals, t.infoKeys) {
				continue
			}
			printed = true
		}
		t.output(w, h, r)
	}
	if !printed && len(c.propNames) > 0 {
		fmt.Fprintf(s.out, "No such %s resource.\n", t.name)
	}
}

// exportFunc is "export [-f file]".
func (s *zcSession) exportFunc(c *command) {
	opts, optind, ok := s.parseOpts(c, "?f:")
	if !ok {
		return
	}
	outfile := ""
	for _, o := range opts {
		if o.opt == 'f' {
			outfile = o.arg
		}
	}
	if optind != len(c.argv) {
		s.shortUsage("export")
		return
	}
	w := s.out
	if outfile != "" {
		f, err := os.Create(outfile)
		if err != nil {
			s.zerr("opening file %s: %s", outfile, strerror(err))
			return
		}
		defer f.Close()
		w = f
	}
	if s.initialize(true) != zOK {
		return
	}
	// zonecfg prints the brand of the committed configuration
	// (zone_get_brand() reads the zone's XML file, not the edit buffer).
	committedBrand := ""
	if saved, err := LoadConfig(s.root, s.zone); err == nil {
		committedBrand = brandOrNative(saved.Brand)
	}
	io.WriteString(w, ExportText(s.handle, committedBrand))
}

// ExportText renders a configuration as "zonecfg export" prints it
// (illumos-commands.md §3.5): global properties unquoted, resource
// properties double-quoted, capped-memory as illumos-gate's mcap. The
// quoting is the same in both flavours: OmniOS's export_prop() quotes
// every value (omniosorg/illumos-omnios @ f582a3ab zonecfg.c
// export_prop(): "We're going to explicitly quote all strings on
// export"); illumos-gate does the same since illumos-joyent's c8236ea
// (smartos-live#912, "zonecfg exports are not importable") reached it
// (usr/src/cmd/zonecfg/zonecfg.c export_prop() in tsoome/illumos-gate @
// 68ab5796, which export_func() calls for resource properties and not
// for the global ones, written unquoted; the 2014 illumos/illumos-gate @
// 883e7314 still quoted only values with a space, through quoteit()).
// brand is
// the committed brand ("" or "native" prints no brand line). The global
// properties come in zcGlobals' order, the resources in zcExportOrder's.
func ExportText(h *Config, brand string) string {
	var b strings.Builder
	b.WriteString("create -b\n")
	for _, g := range zcGlobals {
		v := ""
		switch {
		case g.alias || g.name == "zonename":
			// The aliases are exported as their rctls.
			continue
		case g.name == "brand":
			if brand != "native" {
				v = brand
			}
		default:
			v = g.value(h)
		}
		if v != "" {
			fmt.Fprintf(&b, "set %s=%s\n", g.name, v)
		}
	}
	for _, name := range zcExportOrder {
		t := resType(name)
		if t.export != nil {
			t.export(&b, h)
			continue
		}
		for i := 0; i < t.list.count(h); i++ {
			r := t.list.at(h, i)
			fmt.Fprintf(&b, "add %s\n", t.name)
			for _, p := range t.props {
				if p.list != nil {
					p.list.export(&b, r)
				} else if v := *p.field(r); v != "" {
					fmt.Fprintf(&b, "set %s=\"%s\"\n", p.name, v)
				}
			}
			b.WriteString("end\n")
		}
	}
	return b.String()
}

// exportPset prints dedicated-cpu for export.
func exportPset(b *strings.Builder, h *Config) {
	p := h.Pset
	if p == nil {
		return
	}
	b.WriteString("add dedicated-cpu\n")
	if p.NcpuMin == p.NcpuMax {
		fmt.Fprintf(b, "set ncpus=%s\n", p.NcpuMax)
	} else {
		fmt.Fprintf(b, "set ncpus=%s-%s\n", p.NcpuMin, p.NcpuMax)
	}
	if p.Importance != "" {
		fmt.Fprintf(b, "set importance=%s\n", p.Importance)
	}
	b.WriteString("end\n")
}

// exportMcap prints capped-memory for export: only the physical cap; swap
// and locked are exported as their rctls.
func exportMcap(b *strings.Builder, h *Config) {
	if m := h.Mcap; m != nil {
		n, _ := strconv.ParseUint(m.Physcap, 10, 64)
		fmt.Fprintf(b, "add capped-memory\nset physical=%s\nend\n", bytesToUnits(n))
	}
}
