package zones

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
)

// fullConfig exercises every resource the sim supports.
const fullConfig = `create -b
set zonepath=/zones/build1
set brand=ipkg
set autoboot=false
set ip-type=exclusive
# a comment line
add net
set allowed-address=10.0.0.21/24
set physical=build1_0
set defrouter=10.0.0.1
end
add fs
set dir=/src
set special=/export/src
set type=lofs
add options [ro,nodevices]
add options "retry=5"
end
add rctl
set name=zone.max-physical-memory
add value (priv=privileged,limit=2147483648,action=deny)
end
add attr
set name=ci.template
set type=string
set value=golden
end
add attr
set name=ci.owner
set type=string
set value="build team"
end
add dataset
set name=rpool/cache/build1
end
add capped-memory
set physical=2G
set swap=4G
end
add dedicated-cpu
set ncpus=1-2
end
set max-lwps=2000
commit
`

func TestZonecfgExportAndInfo(t *testing.T) {
	s := newSim(t)
	s.configure("build1", fullConfig)

	wantExport := `create -b
set zonepath=/zones/build1
set brand=ipkg
set autoboot=false
set ip-type=exclusive
add fs
set dir="/src"
set special="/export/src"
set type="lofs"
add options ro
add options nodevices
add options "retry=5"
end
add net
set allowed-address="10.0.0.21/24"
set physical="build1_0"
set defrouter="10.0.0.1"
end
add capped-memory
set physical=2G
end
add rctl
set name="zone.max-physical-memory"
add value (priv=privileged,limit=2147483648,action=deny)
end
add rctl
set name="zone.max-swap"
add value (priv=privileged,limit=4294967296,action=deny)
end
add rctl
set name="zone.max-lwps"
add value (priv=privileged,limit=2000,action=deny)
end
add attr
set name="ci.template"
set type="string"
set value="golden"
end
add attr
set name="ci.owner"
set type="string"
set value="build team"
end
add dataset
set name="rpool/cache/build1"
end
add dedicated-cpu
set ncpus=1-2
end
`
	check(t, "export", s.run("zonecfg", "-z", "build1", "export"), wantExport, "", 0)

	wantInfo := "zonename: build1\nzonepath: /zones/build1\nbrand: ipkg\nautoboot: false\nbootargs: \npool: \n" +
		"limitpriv: \nscheduling-class: \nip-type: exclusive\nhostid: \nfs-allowed: \n[max-lwps: 2000]\n" +
		"fs:\n\tdir: /src\n\tspecial: /export/src\n\traw not specified\n\ttype: lofs\n\toptions: [ro,nodevices,\"retry=5\"]\n" +
		"net:\n\taddress not specified\n\tallowed-address: 10.0.0.21/24\n\tdefrouter: 10.0.0.1\n\tphysical: build1_0\n" +
		"dedicated-cpu:\n\tncpus: 1-2\n" +
		"capped-memory:\n\tphysical: 2G\n\t[swap: 4G]\n" +
		"attr:\n\tname: ci.template\n\ttype: string\n\tvalue: golden\n" +
		"attr:\n\tname: ci.owner\n\ttype: string\n\tvalue: \"build team\"\n" +
		"dataset:\n\tname: rpool/cache/build1\n" +
		"rctl:\n\tname: zone.max-physical-memory\n\tvalue: (priv=privileged,limit=2147483648,action=deny)\n" +
		"rctl:\n\tname: zone.max-swap\n\tvalue: (priv=privileged,limit=4294967296,action=deny)\n" +
		"rctl:\n\tname: zone.max-lwps\n\tvalue: (priv=privileged,limit=2000,action=deny)\n"
	check(t, "info", s.run("zonecfg", "-z", "build1", "info"), wantInfo, "", 0)

	tests := []struct {
		args []string
		want string
	}{
		{[]string{"info", "attr"}, "attr:\n\tname: ci.template\n\ttype: string\n\tvalue: golden\nattr:\n\tname: ci.owner\n\ttype: string\n\tvalue: \"build team\"\n"},
		{[]string{"info", "attr", "name=ci.owner"}, "attr:\n\tname: ci.owner\n\ttype: string\n\tvalue: \"build team\"\n"},
		{[]string{"info attr name=nosuch"}, "No such attr resource.\n"},
		{[]string{"info", "zonepath"}, "zonepath: /zones/build1\n"},
		{[]string{"info", "brand"}, "brand: ipkg\n"},
		{[]string{"info", "net", "physical=build1_0"}, "net:\n\taddress not specified\n\tallowed-address: 10.0.0.21/24\n\tdefrouter: 10.0.0.1\n\tphysical: build1_0\n"},
		{[]string{"info", "capped-memory"}, "capped-memory:\n\tphysical: 2G\n\t[swap: 4G]\n"},
		{[]string{"info", "max-lwps"}, "[max-lwps: 2000]\n"},
	}
	for _, tt := range tests {
		check(t, strings.Join(tt.args, " "), s.run(append([]string{"zonecfg", "-z", "build1"}, tt.args...)...), tt.want, "", 0)
	}

	// The XML file is in libzonecfg's format.
	b, err := os.ReadFile(filepath.Join(s.root, "etc/zones/build1.xml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{
		`<zone name="build1" zonepath="/zones/build1" autoboot="false" brand="ipkg" ip-type="exclusive" debugid="1">`,
		`  <network allowed-address="10.0.0.21/24" physical="build1_0" defrouter="10.0.0.1"/>`,
		"  <filesystem special=\"/export/src\" directory=\"/src\" type=\"lofs\">\n    <fsoption name=\"ro\"/>\n    <fsoption name=\"nodevices\"/>\n    <fsoption name=\"retry=5\"/>\n  </filesystem>",
		`  <mcap physcap="2147483648"/>`,
		`  <pset ncpu_min="1" ncpu_max="2"/>`,
		`  <dataset name="rpool/cache/build1"/>`,
	} {
		if !strings.Contains(string(b), frag) {
			t.Errorf("build1.xml lacks %q:\n%s", frag, b)
		}
	}
	// Re-importing the export gives the same configuration.
	f := filepath.Join(t.TempDir(), "export.cfg")
	os.WriteFile(f, []byte(strings.Replace(wantExport, "/zones/build1", "/zones/copy", 1)+"commit\n"), 0o644)
	s.must("zonecfg", "-z", "copy", "-f", f)
	check(t, "export of the copy", s.run("zonecfg", "-z", "copy", "export"),
		strings.Replace(wantExport, "/zones/build1", "/zones/copy", 1), "", 0)
}

func TestZonecfgIndexAndTemplates(t *testing.T) {
	s := newSim(t)
	s.configure("a1", "create\nset zonepath=/zones/a1\n")
	s.configure("colon", "create -t SUNWipkg\nset zonepath=/zones/with:colon\n")
	s.configure("sp", "create -t sparse\nset zonepath=/zones/sp\n")
	// A configured zone serves as a template too (OmniOS: only under a
	// name starting with an upper-case letter).
	s.configure("A1", "create\nset zonepath=/zones/A1\nset brand=ipkg\n")
	s.configure("a2", "create -t A1\nset zonepath=/zones/a2\n")
	b, err := os.ReadFile(filepath.Join(s.root, "etc/zones/index"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	var entries []string
	for _, l := range lines {
		if !strings.HasPrefix(l, "#") {
			entries = append(entries, l)
		}
	}
	want := []string{"global:installed:/", "a1:configured:/zones/a1:", `colon:configured:"/zones/with:colon":`,
		"sp:configured:/zones/sp:", "A1:configured:/zones/A1:", "a2:configured:/zones/a2:"}
	if strings.Join(entries, "\n") != strings.Join(want, "\n") {
		t.Errorf("index entries\n got %q\nwant %q", entries, want)
	}
	check(t, "SUNWdefault brand and exclusive ip", s.run("zonecfg", "-z", "a1", "info brand; info ip-type"), "brand: lipkg\nip-type: exclusive\n", "", 0)
	check(t, "OMNIsparse brand", s.run("zonecfg", "-z", "sp", "info", "brand"), "brand: sparse\n", "", 0)
	check(t, "list -cp", s.run("zoneadm", "list", "-cp"),
		"0:global:running:/::ipkg:shared:0\n-:a1:configured:/zones/a1::lipkg:excl:1\n"+
			`-:colon:configured:/zones/with\:colon::ipkg:excl:2`+"\n-:sp:configured:/zones/sp::sparse:excl:3\n"+
			"-:A1:configured:/zones/A1::ipkg:excl:4\n-:a2:configured:/zones/a2::ipkg:excl:5\n", "", 0)
}

// TestFlavorTemplates checks, for each flavour, the templates under
// /etc/zones, what "create", "create -b" and "create -t" give, the fields
// of "zoneadm list -p" and the debug ids.
func TestFlavorTemplates(t *testing.T) {
	type createCase struct {
		zone, create string
		stdout, errs string // "zonecfg -z zone info brand; info ip-type", or the create error
	}
	tests := []struct {
		flavor    core.Flavor
		templates string // ls /etc/zones, links as "name -> target"
		creates   []createCase
		listCP    string
		exportB   string
		debugIDs  bool
	}{
		{flavor: core.OmniOS,
			templates: "OMNIbhyve.xml OMNIemu.xml OMNIillumos.xml OMNIipkg.xml->SUNWipkg.xml OMNIkvm.xml OMNIlipkg.xml " +
				"OMNIlx.xml OMNIlx26.xml OMNIpkgsrc.xml OMNIsparse.xml SUNWblank.xml SUNWdefault.xml SUNWipkg.xml index",
			creates: []createCase{
				{"d", "create", "brand: lipkg\nip-type: exclusive\n", ""},
				{"b", "create -b", "brand: lipkg\nip-type: exclusive\n", ""},
				{"l", "create -t lipkg", "brand: lipkg\nip-type: exclusive\n", ""},
				{"i", "create -t ipkg", "brand: ipkg\nip-type: exclusive\n", ""},
				{"s", "create -t SUNWipkg", "brand: ipkg\nip-type: exclusive\n", ""},
				{"x", "create -t lx26", "brand: lx\nip-type: exclusive\n", ""},
				{"n", "create -t nlipkg", "", "OMNInlipkg: No such zone configured\n"},
				{"o", "create -t OInlipkg", "", "OInlipkg: No such zone configured\n"},
			},
			listCP: "0:global:running:/::ipkg:shared:0\n" +
				"-:d:configured:/zones/d::lipkg:excl:1\n-:b:configured:/zones/b::lipkg:excl:2\n" +
				"-:l:configured:/zones/l::lipkg:excl:3\n-:i:configured:/zones/i::ipkg:excl:4\n" +
				"-:s:configured:/zones/s::ipkg:excl:5\n-:x:configured:/zones/x::lx:excl:6\n",
			exportB:  "create -b\nset zonepath=/zones/b\nset brand=lipkg\nset autoboot=false\nset ip-type=exclusive\n",
			debugIDs: true},
		{flavor: core.OpenIndiana,
			templates: "OInlipkg.xml SUNWblank.xml SUNWdefault.xml SUNWipkg.xml index",
			creates: []createCase{
				{"d", "create", "brand: ipkg\nip-type: shared\n", ""},
				{"b", "create -b", "brand: ipkg\nip-type: shared\n", ""},
				{"s", "create -t SUNWipkg", "brand: ipkg\nip-type: shared\n", ""},
				{"o", "create -t OInlipkg", "brand: nlipkg\nip-type: shared\n", ""},
				{"l", "create -t lipkg", "", "lipkg: No such zone configured\n"},
				{"i", "create -t OMNIlipkg", "", "OMNIlipkg: No such zone configured\n"},
			},
			listCP: "0:global:running:/::ipkg:shared\n" +
				"-:d:configured:/zones/d::ipkg:shared\n-:b:configured:/zones/b::ipkg:shared\n" +
				"-:s:configured:/zones/s::ipkg:shared\n-:o:configured:/zones/o::nlipkg:shared\n",
			exportB: "create -b\nset zonepath=/zones/b\nset brand=ipkg\nset autoboot=false\nset ip-type=shared\n"},
	}
	for _, tt := range tests {
		t.Run(string(tt.flavor), func(t *testing.T) {
			s := newSimFlavor(t, tt.flavor)
			dir := filepath.Join(s.root, "etc/zones")
			ents, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range ents {
				n := e.Name()
				if target, err := os.Readlink(filepath.Join(dir, n)); err == nil {
					n += "->" + target
				}
				names = append(names, n)
			}
			if got := strings.Join(names, " "); got != tt.templates {
				t.Errorf("/etc/zones\n got %s\nwant %s", got, tt.templates)
			}
			for _, c := range tt.creates {
				r := s.run("zonecfg", "-z", c.zone, c.create+"; set zonepath=/zones/"+c.zone+"; commit")
				if c.errs != "" {
					// The failed create leaves nothing to set or commit.
					check(t, c.create, r, "", c.errs+c.zone+": No such zone configured\n"+c.zone+": No such zone configured\n", 1)
					continue
				}
				check(t, c.create, r, "", "", 0)
				check(t, c.create+" info", s.run("zonecfg", "-z", c.zone, "info brand; info ip-type"), c.stdout, "", 0)
			}
			check(t, "list -cp", s.run("zoneadm", "list", "-cp"), tt.listCP, "", 0)
			check(t, "list -p global", s.run("zoneadm", "-z", "global", "list", "-p"),
				strings.SplitAfter(tt.listCP, "\n")[0], "", 0)
			check(t, "export of create -b", s.run("zonecfg", "-z", "b", "export"), tt.exportB, "", 0)
			xml, err := os.ReadFile(filepath.Join(dir, "b.xml"))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(string(xml), ` debugid="2"`); got != tt.debugIDs {
				t.Errorf("debugid in b.xml: %v, want %v\n%s", got, tt.debugIDs, xml)
			}
			if _, err := os.Stat(filepath.Join(dir, "did.txt")); (err == nil) != tt.debugIDs {
				t.Errorf("did.txt exists: %v, want %v", err == nil, tt.debugIDs)
			}
		})
	}
}

func TestZonecfgErrors(t *testing.T) {
	s := newSim(t)
	s.installed("inst")
	long := strings.Repeat("x", 256)
	// Every case runs against its own fresh exclusive-IP zone; "@Z@" in the
	// arguments and outputs stands for its name.
	tests := []struct {
		name   string
		env    []string
		args   []string
		stdout string
		stderr string
		code   int
	}{
		{"unknown zone info", nil, []string{"-z", "nosuch", "info"}, "", "nosuch: No such zone configured\n", 1},
		{"unknown zone export", nil, []string{"-z", "nosuch", "export"}, "", "nosuch: No such zone configured\n", 1},
		{"unknown zone set", nil, []string{"-z", "nosuch", "set autoboot=true"}, "", "nosuch: No such zone configured\n", 1},
		{"bogus name", nil, []string{"-z", "bad!name", "info"}, "", "bad!name: Bogus zone name\n\n<zone> := [A-Za-z0-9][A-Za-z0-9_.-]*\n" +
			"\t(except the reserved words 'global' and anything starting with 'SUNW')\n\tName must be less than 64 characters.\n", 2},
		{"create existing", nil, []string{"-z", "@Z@", "create"}, "", "Zone exists, input not from terminal and -F not specified:\ncreate command ignored, exiting.\n", 1},
		{"create -F existing", nil, []string{"-z", "@Z@", "create -F; set zonepath=/zones/@Z@"}, "Zone @Z@ already exists; overwriting.\n", "", 0},
		{"create installed", nil, []string{"-z", "inst", "create -F"}, "", "Zone inst already installed; create not allowed.\n", 1},
		{"unknown template", nil, []string{"-z", "new", "create -t nosuch"}, "", "OMNInosuch: No such zone configured\n", 1},
		{"unknown upper-case template", nil, []string{"-z", "new", "create -t Nosuch"}, "", "Nosuch: No such zone configured\n", 1},
		{"set zonepath installed", nil, []string{"-z", "inst", "set zonepath=/zones/other"}, "", "Zone inst already installed; set zonepath not allowed.\n", 1},
		{"set brand installed", nil, []string{"-z", "inst", "set brand=lipkg"}, "", "Zone inst already installed; set brand not allowed.\n", 1},
		{"relative zonepath", nil, []string{"-z", "@Z@", "set zonepath=zones/@Z@"}, "", "zones/@Z@ is not an absolute path.\n", 1},
		{"slash zonepath", nil, []string{"-z", "@Z@", "set zonepath=/"}, "", "/ is not allowed as a zonepath.\n", 1},
		{"autoboot", nil, []string{"-z", "@Z@", "set autoboot=yes"}, "", "autoboot value must be 'true' or 'false'.\n", 1},
		{"ip-type", nil, []string{"-z", "@Z@", "set ip-type=excl"}, "", "ip-type value must be 'shared' or 'exclusive'.\n", 1},
		{"attr name start", nil, []string{"-z", "@Z@", "add attr; set name=.x; set type=string; set value=v; end"}, "",
			"Invalid attr name .x: must start with an alpha-numeric character.\nResource incomplete.\n", 1},
		{"attr name chars", nil, []string{"-z", "@Z@", "add attr; set name=a_b; set type=string; set value=v; end; cancel"}, "",
			"Invalid attr name a_b: can only contain alpha-numeric characters, plus '-' and '.'.\n", 1},
		{"attr boolean", nil, []string{"-z", "@Z@", "add attr; set name=b; set type=boolean; set value=yes; end; cancel"}, "",
			"invalid attr value for type=boolean\n", 1},
		{"attr int", nil, []string{"-z", "@Z@", "add attr; set name=i; set type=int; set value=1x; end; cancel"}, "",
			"invalid attr value for type=int\n", 1},
		{"attr type", nil, []string{"-z", "@Z@", "add attr; set name=i; set type=float; set value=1; end; cancel"}, "",
			"invalid attr type 'float'\n", 1},
		{"attr string too long", nil, []string{"-z", "@Z@", "add attr; set name=s; set type=string; set value=" + long + "; end; cancel"}, "",
			"invalid attr value for type=string\n", 1},
		{"attr string of 255 bytes", nil, []string{"-z", "@Z@", "add attr; set name=s; set type=string; set value=" + long[:255] + "; end"}, "", "", 0},
		{"attr missing properties", nil, []string{"-z", "@Z@", "add attr; end; cancel"}, "",
			"name not specified\ntype not specified\nvalue not specified\nInvalid attr name : must start with an alpha-numeric character.\ninvalid attr type ''\n", 1},
		{"fs missing dir", nil, []string{"-z", "@Z@", "add fs; set special=/a; set type=lofs; end; cancel"}, "", "dir not specified\n", 1},
		{"fs relative dir", nil, []string{"-z", "@Z@", "add fs; set dir=a; set special=/a; set type=lofs; end; cancel"}, "", "dir a is not an absolute path.\n", 1},
		{"net missing physical", nil, []string{"-z", "@Z@", "add net; end; cancel"}, "", "physical not specified\n", 1},
		{"dataset missing name", nil, []string{"-z", "@Z@", "add dataset; end; cancel"}, "", "name not specified\n", 1},
		{"duplicate attr", nil, []string{"-z", "@Z@", "add attr; set name=a; set type=string; set value=1; end; add attr; set name=a; set type=string; set value=2; end; cancel"}, "",
			"An attr resource with the name 'a' already exists.\n", 1},
		{"duplicate fs", nil, []string{"-z", "@Z@", "add fs; set dir=/d; set special=/s; set type=lofs; end; add fs; set dir=/d; set special=/t; set type=lofs; end; cancel"}, "",
			"A fs resource with the dir '/d' already exists.\n", 1},
		{"duplicate dataset", nil, []string{"-z", "@Z@", "add dataset; set name=p/d; end; add dataset; set name=p/d; end; cancel"}, "",
			"A dataset resource with the name 'p/d' already exists.\n", 1},
		{"duplicate net", nil, []string{"-z", "@Z@", "add net; set physical=@Z@_0; end; add net; set physical=@Z@_0; end; cancel"}, "",
			"A net resource with the physical '@Z@_0', and allowed-address '' already exists.\n", 1},
		{"bad exclusive physical", nil, []string{"-z", "@Z@", "add net; set physical=vnic01; cancel"}, "", "vnic01: invalid physical interface name\n", 1},
		{"remove attr by name", nil, []string{"-z", "@Z@", "remove attr name=nosuch"}, "", "remove attr: No such resource with that id\n", 1},
		{"remove attr none", nil, []string{"-z", "@Z@", "remove attr"}, "", "remove attr: No such entry\n", 1},
		{"remove attr multiple", nil, []string{"-z", "@Z@", "add attr; set name=a; set type=string; set value=1; end; add attr; set name=b; set type=string; set value=2; end; remove attr"}, "",
			"There are multiple instances of this resource.  Either qualify the resource to\nremove a single instance or use the -F option to remove all instances.\n", 1},
		{"remove -F attr", nil, []string{"-z", "@Z@", "add attr; set name=a; set type=string; set value=1; end; add attr; set name=b; set type=string; set value=2; end; remove -F attr; info attr"}, "", "", 0},
		{"resource incomplete", nil, []string{"-z", "@Z@", "add net"}, "", "Resource incomplete.\n", 1},
		{"verify no zonepath", nil, []string{"-z", "new", "create; verify"}, "", "zonepath cannot be empty.\nnew: Required resource missing\n" +
			"zonepath cannot be empty.\nZone new failed to verify\nnew: Required resource missing\nConfiguration not saved.\n", 1},
		{"exclusive with address", nil, []string{"-z", "@Z@", "add net; set physical=@Z@_0; set address=10.0.0.1/24; end; verify"}, "",
			"net: address cannot be specified for an exclusive IP type\n@Z@: Invalid argument\n" +
				"net: address cannot be specified for an exclusive IP type\nZone @Z@ failed to verify\n@Z@: Invalid argument\nConfiguration not saved.\n", 1},
		{"defrouter without allowed-address", nil, []string{"-z", "@Z@", "add net; set physical=@Z@_0; set defrouter=10.0.0.1; end; commit"}, "",
			"net: defrouter for @Z@_0 cannot be specified without allowed-address for an exclusive IP type\nZone @Z@ failed to verify\n@Z@: Invalid argument\n" +
				"net: defrouter for @Z@_0 cannot be specified without allowed-address for an exclusive IP type\nZone @Z@ failed to verify\n@Z@: Invalid argument\nConfiguration not saved.\n", 1},
		{"SUNW read-only", nil, []string{"-z", "SUNWtest", "create"}, "", "SUNWtest: zones beginning with SUNW are read-only.\n", 1},
		{"read-only unprivileged", []string{"ILLUMOS_SIM_UID=1003"}, []string{"-z", "@Z@", "set autoboot=true"}, "", "@Z@: cannot set in read-only mode.\n", 1},
		{"read-only info works", []string{"ILLUMOS_SIM_UID=1003"}, []string{"-z", "@Z@", "info", "zonepath"}, "zonepath: /zones/@Z@\n", "", 0},
		{"zonecfg via pfexec writes", []string{"ILLUMOS_SIM_UID=1002", "ILLUMOS_SIM_PFEXEC=1"}, []string{"-z", "@Z@", "set autoboot=true; info autoboot"}, "autoboot: true\n", "", 0},
		{"delete without -F", nil, []string{"-z", "@Z@", "delete"}, "", "Input not from terminal and -F not specified:\ndelete command ignored, exiting.\n", 1},
		{"syntax error", nil, []string{"-z", "@Z@", "set", "zonepath"}, "", "syntax error at '\\n'\n" + subcmdsHelp(), 1},
	}
	for i, tt := range tests {
		zone := fmt.Sprintf("e%d", i)
		s.configure(zone, basicConfig(zone))
		sub := func(x string) string { return strings.ReplaceAll(x, "@Z@", zone) }
		args := []string{"zonecfg"}
		for _, a := range tt.args {
			args = append(args, sub(a))
		}
		r := s.runEnv(tt.env, "", args...)
		check(t, tt.name, r, sub(tt.stdout), sub(tt.stderr), tt.code)
	}
}

// subcmdsHelp is zonecfg's command list printed after a syntax error.
func subcmdsHelp() string {
	var b strings.Builder
	zcUsage(&b, helpSubcmds, false)
	return b.String()
}

func TestZonecfgModes(t *testing.T) {
	s := newSim(t)
	dir := t.TempDir()
	// -f stops at the first error and names the line.
	f := filepath.Join(dir, "bad.cfg")
	os.WriteFile(f, []byte("create -b\nset zonepath=/zones/f1\nset autoboot=maybe\nset brand=ipkg\ncommit\n"), 0o644)
	check(t, "-f stops at first error", s.run("zonecfg", "-z", "f1", "-f", f), "",
		"On line 3 of "+f+":\nautoboot value must be 'true' or 'false'.\n", 1)
	// Like zonecfg.c's cleanup(), the pending changes before the error
	// are still committed: line 4 never ran.
	check(t, "changes before the error committed", s.run("zonecfg", "-z", "f1", "info zonepath; info brand"),
		"zonepath: /zones/f1\nbrand: lipkg\n", "", 0)

	// In the one-argument form every command runs and the good ones are
	// committed even though the exit status is 1.
	r := s.run("zonecfg", "-z", "o1", "create -b; set zonepath=/zones/o1; set autoboot=maybe; set brand=ipkg")
	check(t, "one-argument form", r, "", "autoboot value must be 'true' or 'false'.\n", 1)
	check(t, "good commands committed", s.run("zonecfg", "-z", "o1", "info brand; info zonepath"), "brand: ipkg\nzonepath: /zones/o1\n", "", 0)

	// Commands on stdin (-f - and plain stdin) run like interactive mode:
	// an unknown zone gets the hint, errors are numbered "On line N:".
	script := "create -b\nset zonepath=/zones/s1\nset ip-type=nope\nset brand=ipkg\n"
	check(t, "-f -", s.runEnv(nil, script, "zonecfg", "-z", "s1", "-f", "-"), "",
		"On line 3:\nip-type value must be 'shared' or 'exclusive'.\n", 1)
	check(t, "-f - commits", s.run("zonecfg", "-z", "s1", "info", "brand"), "brand: ipkg\n", "", 0)
	check(t, "plain stdin", s.runEnv(nil, "create -b\nset zonepath=/zones/s2\n", "zonecfg", "-z", "s2"),
		"Use 'create' to begin configuring a new zone.\n", "s2: No such zone configured\n", 0)
	check(t, "plain stdin commits", s.run("zonecfg", "-z", "s2", "info", "zonepath"), "zonepath: /zones/s2\n", "", 0)

	// delete -F removes a configured or installed zone, not a running one.
	s.running("r1")
	check(t, "delete running", s.run("zonecfg", "-z", "r1", "delete", "-F"), "", "r1: Zone state is invalid for the requested operation\n", 1)
	s.must("zoneadm", "-z", "r1", "halt")
	check(t, "delete installed -F", s.run("zonecfg", "-z", "r1", "delete", "-F"), "", "", 0)
	check(t, "deleted", s.run("zonecfg", "-z", "r1", "info"), "", "r1: No such zone configured\n", 1)
	if _, err := os.Stat(filepath.Join(s.root, "etc/zones/r1.xml")); !os.IsNotExist(err) {
		t.Errorf("r1.xml still exists: %v", err)
	}
}

// TestFlavorInstalledZone checks, for each flavour, "zoneadm list -p" of
// an installed and a running zone and the publishers of a freshly
// installed zone, which pkgcreatezone copies from the global zone.
func TestFlavorInstalledZone(t *testing.T) {
	tests := []struct {
		flavor             core.Flavor
		create             string
		brand, ipType, did string // did: the ":N" suffix, "" on OpenIndiana
		publisher          string
	}{
		{core.OmniOS, "create", "lipkg", "excl", ":1",
			"omnios                      origin   online F https://pkg.omnios.org/r151054/core/\n"},
		{core.OpenIndiana, "create -t OInlipkg", "nlipkg", "shared", "",
			"openindiana.org              origin   online F http://pkg.openindiana.org/hipster/\n"},
	}
	for _, tt := range tests {
		t.Run(string(tt.flavor), func(t *testing.T) {
			s := newSimFlavor(t, tt.flavor)
			s.configure("z1", tt.create+"\nset zonepath=/zones/z1\n")
			s.must("zoneadm", "-z", "z1", "install")
			u := s.uuidOf("z1")
			check(t, "installed", s.run("zoneadm", "-z", "z1", "list", "-p"),
				"-:z1:installed:/zones/z1:"+u+":"+tt.brand+":"+tt.ipType+tt.did+"\n", "", 0)
			s.must("zoneadm", "-z", "z1", "boot")
			check(t, "running", s.run("zoneadm", "list", "-p"),
				"0:global:running:/::ipkg:shared"+map[bool]string{true: ":0", false: ""}[tt.did != ""]+"\n"+
					"1:z1:running:/zones/z1:"+u+":"+tt.brand+":"+tt.ipType+tt.did+"\n", "", 0)
			check(t, "zone publisher", s.run("zlogin", "z1", "pkg", "publisher", "-H"), tt.publisher, "", 0)
			check(t, "zone publisher from the global zone", s.run("pkg", "-R", "/zones/z1/root", "publisher", "-H"), tt.publisher, "", 0)
			check(t, "global zone publisher", s.run("pkg", "publisher", "-H"), tt.publisher, "", 0)
		})
	}
}
