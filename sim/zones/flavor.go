package zones

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/zonemgr/zonemgr/sim/core"
)

// This file holds what differs between the two flavours of the simulated
// global zone (core.Flavor) in the zones half: the templates under
// /etc/zones, the brands zonecfg accepts, how "create -t" names a
// template, whether zonecfg assigns debug ids, and the fields of
// "zoneadm list -p".

// A zoneTemplate is one /etc/zones/<file>.xml a distribution ships.
type zoneTemplate struct {
	file     string // file name without ".xml"
	zoneName string // the name attribute of its zone element
	brand    string
	ipType   string // "" when the file has no ip-type attribute (shared)
	attrs    []Attr
	linkTo   string // when set, the file is a symlink to linkTo.xml
}

// flavorTemplates are the templates of a fresh global zone of each
// flavour. Their zone elements follow the shipped files; the comment
// header above the element is the sim's own.
var flavorTemplates = map[core.Flavor][]zoneTemplate{
	core.OmniOS: {
		// omniosorg/illumos-omnios usr/src/lib/brand/ipkg/zone/
		// SUNWdefault.xml and SUNWblank.xml (read in the mirror
		// sjorge/illumos-omnios @ b3f6954b): brand lipkg, exclusive IP.
		{file: "SUNWdefault", zoneName: "default", brand: "lipkg", ipType: "exclusive"},
		{file: "SUNWblank", zoneName: "blank", brand: "lipkg", ipType: "exclusive"},
		// omniosorg/pkg5 @ b8546e93 src/brand/etc/*.xml, installed by
		// the brand packages (src/pkg/manifests/system:zones:brand:*.p5m;
		// ipkg's manifest links OMNIipkg.xml to SUNWipkg.xml). Which
		// brand packages a fresh OmniOS install carries is
		// [unconfirmed]: the sim installs all of them (sim/pkg).
		{file: "SUNWipkg", zoneName: "default", brand: "ipkg", ipType: "exclusive"},
		{file: "OMNIipkg", linkTo: "SUNWipkg"},
		{file: "OMNIlipkg", zoneName: "default", brand: "lipkg", ipType: "exclusive"},
		{file: "OMNIsparse", zoneName: "default", brand: "sparse", ipType: "exclusive"},
		{file: "OMNIpkgsrc", zoneName: "default", brand: "pkgsrc", ipType: "exclusive"},
		{file: "OMNIbhyve", zoneName: "default", brand: "bhyve", ipType: "exclusive"},
		{file: "OMNIkvm", zoneName: "default", brand: "kvm", ipType: "exclusive"},
		{file: "OMNIillumos", zoneName: "default", brand: "illumos", ipType: "exclusive"},
		{file: "OMNIlx", zoneName: "default", brand: "lx", ipType: "exclusive"},
		{file: "OMNIlx26", zoneName: "default", brand: "lx", ipType: "exclusive",
			attrs: []Attr{{Name: "kernel-version", Type: "string", Value: "2.6"}}},
		{file: "OMNIemu", zoneName: "default", brand: "emu", ipType: "exclusive"},
	},
	core.OpenIndiana: {
		// illumos/illumos-gate usr/src/lib/brand/ipkg/zone/
		// SUNWdefault.xml and SUNWblank.xml (@ bbf21555; the zone
		// Makefile installs exactly these two): brand ipkg and no
		// ip-type attribute, so shared (zonecfg_get_iptype()).
		{file: "SUNWdefault", zoneName: "default", brand: "ipkg"},
		{file: "SUNWblank", zoneName: "blank", brand: "ipkg"},
		// OpenIndiana/pkg5 @ d5146ea3 src/brand/SUNWipkg.xml and
		// OInlipkg.xml, installed by src/brand/Makefile (ROOTETCZONES)
		// and the ipkg and nlipkg brand manifests. OpenIndiana's kvm
		// brand has a SYSkvm.xml in the tree that the Makefile does not
		// install.
		{file: "SUNWipkg", zoneName: "default", brand: "ipkg"},
		{file: "OInlipkg", zoneName: "default", brand: "nlipkg"},
	},
}

// flavorBrands are the brands whose /usr/lib/brand/<brand>/config.xml a
// global zone of each flavour has, so that zonecfg's verify accepts them.
// OmniOS: the brands of omniosorg/pkg5 src/brand (ipkg, lipkg, sparse,
// pkgsrc, bhyve, kvm, illumos, lx, emu). OpenIndiana: OpenIndiana/pkg5
// src/brand (ipkg, nlipkg, kvm, bhyve) and illumos-gate's own sn1 and
// labeled. "native" (a configuration without a brand) is accepted on both
// as the sim always did [unconfirmed: whether either distribution still
// ships /usr/lib/brand/native].
var flavorBrands = map[core.Flavor]map[string]bool{
	core.OmniOS: {"ipkg": true, "lipkg": true, "sparse": true, "pkgsrc": true, "bhyve": true,
		"kvm": true, "illumos": true, "lx": true, "emu": true, "native": true},
	core.OpenIndiana: {"ipkg": true, "nlipkg": true, "kvm": true, "bhyve": true,
		"native": true, "sn1": true, "labeled": true},
}

// brandKnown reports whether a flavour's global zone has the brand.
func brandKnown(f core.Flavor, brand string) bool {
	return flavorBrands[f][brand]
}

// templateName maps the argument of "create -t" to a template name.
// OmniOS: a name that does not start with an upper-case letter gets the
// prefix OMNI, so "create -t lipkg" reads OMNIlipkg.xml
// (omniosorg/illumos-omnios @ f582a3ab usr/src/cmd/zonecfg/zonecfg.c
// create_func(): isupper(optarg[0]) ? optarg : "OMNI%s"). illumos-gate's
// create_func() uses the argument as it is.
func templateName(f core.Flavor, arg string) string {
	if f == core.OmniOS && (arg == "" || arg[0] < 'A' || arg[0] > 'Z') {
		return "OMNI" + arg
	}
	return arg
}

// assignsDebugIDs reports whether zonecfg gives a zone a debug id at its
// first commit (/etc/zones/did.txt). OmniOS does (illumos-commands.md
// §1.2: zonecfg.c verify_func, libzonecfg.c new_zone_did()); the debug id
// is SmartOS and OmniOS only ("It's SmartOS/OmniOS specific",
// TritonDataCenter/illumos-joyent#295, 2020), so OpenIndiana's gate
// writes none.
func assignsDebugIDs(f core.Flavor) bool { return f == core.OmniOS }

// listPrintsDebugID reports whether "zoneadm list -p" has the eighth
// field, the debug id. OmniOS: omniosorg/illumos-omnios (mirror
// yuleihua/illumos-omnios @ f14b0378) usr/src/cmd/zoneadm/zoneadm.c
// zone_print() prints "%s:%s:%s:%s:%s" with zdid. OpenIndiana: 7 fields,
// as illumos-gate's zoneadm.8 (February 21, 2023) documents
// ("zoneid:zonename:state:zonepath:uuid:brand:ip-type") and as every
// gate-derived zone_print() read prints (illumos/illumos-gate @ 0094b373,
// an old Sun copy; citrus-it/illumos-omnios @ 024530b9, a gate copy with
// the 2020 alternate-root fixes). [unconfirmed]: the current gate
// zoneadm.c could not be read; the one 8-field copy stored under
// illumos/illumos-gate (@ c8e60b9c) is a Joyent commit (Joyent copyright,
// SmartOS's apply and sysboot subcommands), not gate.
func listPrintsDebugID(f core.Flavor) bool { return f == core.OmniOS }

// globalZoneBrand is the brand "zoneadm list" shows for the global zone.
// OmniOS hard-codes ipkg (zoneadm.c lookup_zone_info(): zid ==
// GLOBAL_ZONEID => strlcpy(zent->zbrand, "ipkg")); illumos-gate prints
// zone_get_brand("global"), the brand of SUNWdefault.xml
// (illumos-commands.md §2.2; libzonecfg zonecfg_default_brand()
// [unconfirmed: not re-read]).
func globalZoneBrand(root string, f core.Flavor) string {
	if f == core.OmniOS {
		return "ipkg"
	}
	if c, err := LoadConfig(root, "SUNWdefault"); err == nil && c.Brand != "" {
		return c.Brand
	}
	return "native"
}

// templateText renders a template file.
func templateText(t zoneTemplate) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>

<!--
    Zone configuration template of the simulated illumos global zone.

    DO NOT EDIT THIS FILE.  Use zonecfg(8) instead.
-->

<!DOCTYPE zone PUBLIC "-//Sun Microsystems Inc//DTD Zones//EN" "file:///usr/share/lib/xml/dtd/zonecfg.dtd.1">

`)
	fmt.Fprintf(&b, `<zone name="%s" zonepath="" autoboot="false" brand="%s"`, t.zoneName, t.brand)
	if t.ipType != "" {
		fmt.Fprintf(&b, "\n    ip-type=\"%s\"", t.ipType)
	}
	b.WriteString(">\n")
	for _, a := range t.attrs {
		fmt.Fprintf(&b, "\t<attr name=\"%s\" type=\"%s\" value=\"%s\"/>\n", a.Name, a.Type, a.Value)
	}
	b.WriteString("</zone>\n")
	return b.String()
}

// writeTemplates creates a flavour's templates in dir (/etc/zones).
func writeTemplates(dir string, f core.Flavor) error {
	ts, ok := flavorTemplates[f]
	if !ok {
		return fmt.Errorf("no zone templates for flavor %q", f)
	}
	for _, t := range ts {
		p := filepath.Join(dir, t.file+".xml")
		if t.linkTo != "" {
			if err := os.Symlink(t.linkTo+".xml", p); err != nil {
				return err
			}
			continue
		}
		if err := os.WriteFile(p, []byte(templateText(t)), 0o444); err != nil {
			return err
		}
	}
	return nil
}
