package illumos

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseZoneXML(t *testing.T) {
	tests := []struct {
		file string
		want *ZoneConfig
	}{
		{"root/etc/zones/build1.xml", &ZoneConfig{
			Name: "build1", Zonepath: "/zones/build1", Brand: "lipkg", IPType: "exclusive",
			Nets:         []Net{{AllowedAddress: "10.0.0.21/24", Defrouter: "10.0.0.1", GlobalNIC: "igb0", Physical: "build1_0"}},
			Attrs:        []Attr{{Name: "ci.template", Type: "string", Value: "golden"}},
			Datasets:     []Dataset{{Name: "rpool/cache/build1"}},
			CappedMemory: &CappedMemory{Physical: "2G"},
		}},
		{"root/etc/zones/oz1.xml", &ZoneConfig{
			Name: "oz1", Zonepath: "/zones/oz1", Brand: "ipkg", Autoboot: true, IPType: "shared",
			Bootargs: "-m verbose", LimitPriv: "default,dtrace_proc", HostID: "12345678",
			FS:           []FS{{Dir: "/export/src", Special: "/data/src", Type: "lofs", Options: []string{"ro", "nodevices"}}},
			Nets:         []Net{{Address: "192.168.1.50/24", Physical: "e1000g0"}},
			Devices:      []Device{{Match: "/dev/zvol/rdsk/rpool/vol1"}},
			Rctls:        []Rctl{{Name: "zone.max-lwps", Values: privDeny("2000")}},
			Attrs:        []Attr{{Name: "ci.owner", Type: "string", Value: `build team & "friends"`}},
			Datasets:     []Dataset{{Name: "rpool/cache/oz1"}},
			Admins:       []Admin{{User: "builder", Auths: "login,manage"}},
			CappedCPU:    &CappedCPU{NCPUs: "1.5"},
			CappedMemory: &CappedMemory{Physical: "2G", Swap: "4G"},
		}},
		{"root/etc/zones/odd.xml", &ZoneConfig{
			Name: "odd", Zonepath: "/zones/with:colon", Brand: "bhyve", IPType: "exclusive",
			Nets: []Net{{Physical: "odd0", GlobalNIC: "igb0", MACAddr: "2:8:20:aa:bb:cc", VLANID: "12",
				Properties: []ResProperty{{Name: "mtu", Value: "9000"}}}},
			DedicatedCPU:  &DedicatedCPU{NCPUs: "2", Importance: "3"},
			SecurityFlags: &SecurityFlags{Default: "aslr", Upper: "aslr"},
		}},
	}
	for _, tt := range tests {
		got, err := ParseZoneXML(readTestdata(t, tt.file))
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.file, got, tt.want)
		}
	}
}

func TestParseZoneXMLAgreesWithExport(t *testing.T) {
	// build1.xml stores the zone the OmniOS export sample prints.
	x, err := ParseZoneXML(readTestdata(t, "root/etc/zones/build1.xml"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := ParseZonecfgExport(readTestdata(t, "zonecfg-export-omnios.txt"))
	if err != nil {
		t.Fatal(err)
	}
	e.Name = "build1"
	if !reflect.DeepEqual(x, e.Normalize()) {
		t.Errorf("XML and export disagree:\n xml %+v\nexport %+v", x, e.Normalize())
	}
	if s, changes, err := UpdateScript(x, e); err != nil || s != "" {
		t.Errorf("UpdateScript(xml, export) = %q, %q, %v; want no changes", s, changes, err)
	}
}

func TestParseZoneXMLDedicatedCPURange(t *testing.T) {
	x := `<zone name="z" zonepath="/z" autoboot="false"><pset ncpu_min="1" ncpu_max="4"/></zone>`
	got, err := ParseZoneXML([]byte(x))
	if err != nil {
		t.Fatal(err)
	}
	if got.DedicatedCPU == nil || got.DedicatedCPU.NCPUs != "1-4" || got.DedicatedCPU.Importance != "" {
		t.Errorf("DedicatedCPU = %+v, want 1-4 without importance", got.DedicatedCPU)
	}
	if got.IPType != "shared" {
		t.Errorf("IPType = %q, want shared for a missing ip-type", got.IPType)
	}
}

func TestParseZoneXMLErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`<zone name="z" zonepath="/z" autoboot="maybe"/>`, `autoboot "maybe"`},
		{`<zone name="z" zonepath="/z" autoboot="false" ip-type="excl"/>`, `ip-type "excl"`},
		{`<zone zonepath="/z" autoboot="false"/>`, "no name"},
		{`<zones name="z"/>`, "parse zone XML"},
		{`<zone name="z"`, "parse zone XML"},
		{``, "parse zone XML"},
	} {
		if _, err := ParseZoneXML([]byte(tt.in)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseZoneXML(%q) error = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestReadZones(t *testing.T) {
	entries, configs, err := ReadZones(filepath.Join("testdata", "root"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name+":"+e.State)
	}
	if got, want := strings.Join(names, " "), "global:installed build1:installed oz1:configured odd:installed"; got != want {
		t.Errorf("entries = %s, want %s", got, want)
	}
	if len(configs) != 3 || configs["global"] != nil {
		t.Fatalf("configs for %d zones (global %v), want build1, oz1 and odd", len(configs), configs["global"] != nil)
	}
	if configs["odd"].Zonepath != "/zones/with:colon" || configs["build1"].CappedMemory.Physical != "2G" {
		t.Errorf("configs: odd %+v, build1 %+v", configs["odd"], configs["build1"])
	}
	// The ci.owner value holds a double quote: exportable as zonecfg does
	// (unusable), but not as a command file.
	if _, err := CreateScript(configs["oz1"], ""); err == nil || !strings.Contains(err.Error(), `attr "ci.owner" value`) {
		t.Errorf("CreateScript(oz1) error = %v, want one naming attr ci.owner", err)
	}
}

func TestReadZonesErrors(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "etc", "zones")
	if _, _, err := ReadZones(root); err == nil || !strings.Contains(err.Error(), "read zone index") {
		t.Errorf("ReadZones without index: %v", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("index", "global:installed:/\nz1:configured:/zones/z1:\n")
	if _, _, err := ReadZones(root); err == nil || !strings.Contains(err.Error(), "read zone z1: configuration") || !strings.Contains(err.Error(), "is missing") {
		t.Errorf("ReadZones with a missing XML: %v", err)
	}
	write("z1.xml", `<zone name="z2" zonepath="/zones/z1" autoboot="false"/>`)
	if _, _, err := ReadZones(root); err == nil || !strings.Contains(err.Error(), `names zone "z2"`) {
		t.Errorf("ReadZones with a mismatched name: %v", err)
	}
	write("z1.xml", `<zone name="z1" zonepath="/zones/z1" autoboot="perhaps"/>`)
	if _, _, err := ReadZones(root); err == nil || !strings.Contains(err.Error(), "read zone z1 from") {
		t.Errorf("ReadZones with a bad XML: %v", err)
	}
	write("index", "z1:running:/zones/z1:\n")
	if _, _, err := ReadZones(root); err == nil || !strings.Contains(err.Error(), "read zone index") {
		t.Errorf("ReadZones with a bad index: %v", err)
	}
	// Many zones, read in parallel: the error reported is the first
	// in index order, whichever worker met it first.
	var index strings.Builder
	index.WriteString("global:installed:/\n")
	for i := range 64 {
		name := fmt.Sprintf("m%02d", i)
		fmt.Fprintf(&index, "%s:installed:/zones/%s:\n", name, name)
		switch i {
		case 40:
			write(name+".xml", `<zone name="wrong" zonepath="/zones/m40" autoboot="false"/>`)
		case 50:
			// no file
		default:
			write(name+".xml", fmt.Sprintf(`<zone name="%s" zonepath="/zones/%s" autoboot="false"/>`, name, name))
		}
	}
	write("index", index.String())
	for range 20 {
		if _, _, err := ReadZones(root); err == nil || !strings.HasPrefix(err.Error(), "read zone m40: ") {
			t.Fatalf("ReadZones with zones m40 and m50 broken: %v, want the error of m40", err)
		}
	}
	os.Remove(filepath.Join(dir, "m40.xml"))
	write("m40.xml", `<zone name="m40" zonepath="/zones/m40" autoboot="false"/>`)
	write("m50.xml", `<zone name="m50" zonepath="/zones/m50" autoboot="false"/>`)
	_, configs, err := ReadZones(root)
	if err != nil || len(configs) != 64 || configs["m63"] == nil || configs["m63"].Zonepath != "/zones/m63" {
		t.Errorf("ReadZones of 64 zones: %d configurations, %v", len(configs), err)
	}
}

// TestReadZonesDeletedMeanwhile: a zone whose file is gone because it was
// deleted while the files were read (no longer in the index) is left out;
// one still in the index without its file is an error.
func TestReadZonesDeletedMeanwhile(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "etc", "zones")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "a.xml"), []byte(`<?xml version="1.0"?><zone name="a" zonepath="/zones/a" autoboot="false"></zone>`), 0o644)
	os.WriteFile(filepath.Join(dir, "index"), []byte("global:installed:/\na:installed:/zones/a\nb:installed:/zones/b\n"), 0o644)
	if _, _, err := ReadZones(root); err == nil || !strings.Contains(err.Error(), "b.xml is missing") {
		t.Fatalf("a zone listed without its file: %v", err)
	}
	// b is deleted: the index no longer lists it either.
	os.WriteFile(filepath.Join(dir, "index"), []byte("global:installed:/\na:installed:/zones/a\n"), 0o644)
	entries, cfgs, err := ReadZones(root)
	if err != nil || len(cfgs) != 1 || cfgs["a"] == nil || len(entries) != 2 {
		t.Fatalf("ReadZones = %v, %v, %v", entries, cfgs, err)
	}
}
