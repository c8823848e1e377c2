package illumos

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// addSeeds adds the named testdata files to a fuzz corpus.
func addSeeds(f *testing.F, names ...string) {
	f.Helper()
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzParseZoneList(f *testing.F) {
	addSeeds(f, "zoneadm-list-cp-omnios.txt", "zoneadm-list-cp-openindiana.txt", "zoneadm-list-cp-extra-fields.txt")
	f.Add([]byte(`-:z:installed:/a\:b\\:c\::u:lipkg:excl` + "\n"))
	f.Add([]byte("::::::\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		zones, err := ParseZoneList(b)
		if err != nil {
			return
		}
		for _, z := range zones {
			if _, ok := StateRank(z.State); !ok || z.Name == "" || z.ID < -1 {
				t.Fatalf("accepted entry %+v", z)
			}
		}
	})
}

func FuzzParseZoneXML(f *testing.F) {
	addSeeds(f, "root/etc/zones/build1.xml", "root/etc/zones/oz1.xml", "root/etc/zones/odd.xml")
	f.Add([]byte(`<zone name="z" zonepath="/z" autoboot="false"><pset ncpu_min="1" ncpu_max="2"/><mcap physcap="x"/></zone>`))
	f.Add([]byte(`<zone name="z"><rctl name="zone.cpu-cap"><rctl-value priv="privileged" limit="99999999999999999999" action="deny"/></rctl></zone>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseZoneXML(b)
		if err != nil {
			return
		}
		if c.Name == "" || (c.IPType != "shared" && c.IPType != "exclusive") {
			t.Fatalf("accepted config %+v", c)
		}
		// Whatever was read can be exported and compared.
		_ = c.Export()
		if _, _, err := UpdateScript(c, c); err != nil {
			t.Fatalf("UpdateScript(c, c): %v", err)
		}
	})
}

func FuzzParseZonecfgExport(f *testing.F) {
	addSeeds(f, "zonecfg-export-omnios.txt", "zonecfg-export-gate.txt")
	f.Add([]byte("create -b; add fs; set dir=\"/a b\"; set options=[ro,\"x=y\"]; end; select fs dir=\"/a b\"; end\n"))
	f.Add([]byte("add rctl\nset name=zone.cpu-cap\nadd value (priv=privileged,limit=150,action=deny)\nend\nselect capped-cpu\nend\n"))
	f.Add([]byte("set max-shm-memory=1G\nremove -F attr\n# c\nexit\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseZonecfgExport(b)
		if err != nil {
			return
		}
		// What parsed exports again, and a script made from it, when one
		// can be made, parses back to the same configuration.
		_ = c.Export()
		script, err := CreateScript(c, "")
		if err != nil {
			return
		}
		back, err := ParseZonecfgExport([]byte(script))
		if err != nil {
			t.Fatalf("script of a parsed config does not parse: %v\n%s", err, script)
		}
		if s, _, err := UpdateScript(back, c); err != nil || s != "" {
			t.Fatalf("script round trip differs (%v):\n%s\nscript:\n%s", err, s, script)
		}
	})
}

func FuzzParseZonecfgInfo(f *testing.F) {
	addSeeds(f, "zonecfg-info-omnios.txt", "zonecfg-info-attr.txt", "zonecfg-info-full.txt")
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseZonecfgInfo(b)
		if err != nil {
			return
		}
		_ = c.Normalize().Export()
	})
}

func FuzzParseDladm(f *testing.F) {
	addSeeds(f, "dladm-show-vnic-link-over-vid-mac.txt", "dladm-show-vnic-link.txt", "dladm-show-vnic-macaddress.txt")
	f.Add([]byte(`a\\:b\:c:d` + "\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, fields := range [][]string{{"link"}, {"link", "over"}, {"link", "over", "vid", "macaddress"}} {
			rows, err := ParseDladm(fields, b)
			if err != nil {
				continue
			}
			for _, r := range rows {
				if len(r) != len(fields) {
					t.Fatalf("row %v has %d fields, want %d", r, len(r), len(fields))
				}
			}
		}
		_, _ = NormalizeMAC(string(b))
		_ = ValidLinkName(string(b))
	})
}

func FuzzParsePkgList(f *testing.F) {
	addSeeds(f, "pkg-list.txt", "pkg-publisher-tsv.txt", "pkg-publisher-tsv-header.txt")
	f.Fuzz(func(t *testing.T, b []byte) {
		pkgs, err := ParsePkgList(b)
		if err == nil {
			for _, p := range pkgs {
				// The flag accessors index Flags; they must be safe.
				_ = p.Installed() || p.Frozen() || p.Manual() || p.Obsolete() || p.Renamed()
				if strings.ContainsAny(p.Name, " \t") {
					t.Fatalf("package name %q holds a blank", p.Name)
				}
			}
		}
		_, _ = ParsePkgPublisher(b)
	})
}
