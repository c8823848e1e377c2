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

// TestZonecfgResourceTypes runs sessions through add, set, clear, select,
// remove, end and info for every resource type of zonecfg_res.go's table
// (and the global scope's properties), error paths included, each on a
// fresh exclusive-IP zone with setup committed. The outputs were recorded
// from the sim before its resource handling became table-driven; "@Z@"
// stands for the zone's name.
func TestZonecfgResourceTypes(t *testing.T) {
	props := zcHelp(helpProps)
	tests := []struct {
		rt, name, setup string
		cmds            string // the one-argument session
		stdout, stderr  string
		code            int
		after, afterOut string // a read-only command run next, and its output
	}{
		{"fs", "bad type", "",
			"add fs; set type=a/b; set type=..; cancel",
			"",
			"\"a/b\" is not a valid type.\n\"..\" is not a valid type.\n", 1,
			"", ""},
		{"fs", "end after the zone was deleted", "",
			"add fs; set dir=/a; set special=/b; set type=lofs; delete -F; end; cancel",
			"",
			"@Z@: Bad handle\n", 1,
			"", ""},
		{"fs", "relative raw", "",
			"add fs; set dir=/a; set special=/b; set raw=r; set type=lofs; end; cancel",
			"",
			"raw r is not an absolute path.\n", 1,
			"", ""},
		{"fs", "options take simple values", "",
			"add fs; set options=(name=x); add options (name=x); cancel",
			"",
			"A simple or list value was expected here.\nA simple or list value was expected here.\n", 1,
			"", ""},
		{"fs", "options", "",
			"add fs; set dir=/a; set special=/b; set type=lofs; add options [ro,nodevices]; add options \"retry=5\"; remove options ro; remove options ro; info; end",
			"fs:\n\tdir: /a\n\tspecial: /b\n\traw not specified\n\ttype: lofs\n\toptions: [nodevices,\"retry=5\"]\n",
			"options: No such property with that id\n", 1,
			"info fs", "fs:\n\tdir: /a\n\tspecial: /b\n\traw not specified\n\ttype: lofs\n\toptions: [nodevices,\"retry=5\"]\n"},
		{"fs", "set options replaces them", "",
			"add fs; set dir=/a; set special=/b; set type=lofs; add options ro; set options=[rw,nosuid]; end; select fs dir=/a; set options=[]; end",
			"",
			"", 0,
			"export", "create -b\nset zonepath=/zones/@Z@\nset brand=ipkg\nset autoboot=false\nset ip-type=exclusive\nadd fs\nset dir=\"/a\"\nset special=\"/b\"\nset type=\"lofs\"\nend\n"},
		{"fs", "clear raw, not dir", "",
			"add fs; set dir=/a; set special=/b; set raw=/r; set type=lofs; clear raw; clear dir; end",
			"",
			"dir: Cannot clear this property\n", 1,
			"info fs", "fs:\n\tdir: /a\n\tspecial: /b\n\traw not specified\n\ttype: lofs\n\toptions: []\n"},
		{"fs", "select modifies and moves to the end", "add fs\nset dir=/a\nset special=/s\nset type=lofs\nend\nadd fs\nset dir=/b\nset special=/s\nset type=lofs\nend\n",
			"select fs special=/s; select fs dir=/a; set dir=/c; add options ro; end",
			"",
			"select fs: Insufficient specification\n", 1,
			"export", "create -b\nset zonepath=/zones/@Z@\nset brand=ipkg\nset autoboot=false\nset ip-type=exclusive\nadd fs\nset dir=\"/b\"\nset special=\"/s\"\nset type=\"lofs\"\nend\nadd fs\nset dir=\"/c\"\nset special=\"/s\"\nset type=\"lofs\"\nadd options ro\nend\n"},
		{"fs", "select qualifiers", "add fs\nset dir=/a\nset special=/s\nset type=lofs\nend\n",
			"select fs dir=/nope; select fs options=ro; select fs name=x; select fs",
			"",
			"select fs: No such resource with that id\noptions: No such property type\nselect fs: Insufficient specification\nname: No such property type\nselect fs: Insufficient specification\nusage:\nselect <resource-type> { <property-name>=<property-value> }\n", 1,
			"", ""},
		{"fs", "remove by qualifier", "add fs\nset dir=/a\nset special=/s\nset type=lofs\nend\nadd fs\nset dir=/b\nset special=/s\nset type=lofs\nend\n",
			"remove fs special=/s; remove fs dir=/b; remove fs dir=/b",
			"",
			"remove fs: Insufficient specification\nremove fs: No such resource with that id\n", 1,
			"info fs", "fs:\n\tdir: /a\n\tspecial: /s\n\traw not specified\n\ttype: lofs\n\toptions: []\n"},
		{"fs", "info qualifiers", "add fs\nset dir=/a\nset special=/s\nset raw=/r\nset type=lofs\nend\n",
			"info fs raw=/other; info fs type=lofs; info fs dir=/b",
			"fs:\n\tdir: /a\n\tspecial: /s\n\traw: /r\n\ttype: lofs\n\toptions: []\nfs:\n\tdir: /a\n\tspecial: /s\n\traw: /r\n\ttype: lofs\n\toptions: []\nNo such fs resource.\n",
			"", 0,
			"", ""},
		{"net", "address syntax", "",
			"add net; set allowed-address=fe80::1; set allowed-address=fe80::1/129; set allowed-address=10.0.0.1/33; set allowed-address=-bad; cancel",
			"",
			"fe80::1: IPv6 addresses require /prefix-length suffix.\nfe80::1/129: IPv6 address prefix lengths must be 0 - 128.\n10.0.0.1/33: IPv4 address prefix lengths must be 0 - 32.\n-bad: bogus host name or network address syntax\n\n<net-addr> :=\t<IPv4-address>[/<IPv4-prefix-length>] |\n\t\t<IPv6-address>/<IPv6-prefix-length> |\n\t\t<hostname>[/<IPv4-prefix-length>]\nSee inet(3SOCKET) for IPv4 and IPv6 address syntax.\n<IPv4-prefix-length> := [0-32]\n<IPv6-prefix-length> := [0-128]\n<hostname> := [A-Za-z0-9][A-Za-z0-9-.]*\n", 1,
			"", ""},
		{"net", "defrouter prefix", "",
			"add net; set physical=@Z@_0; set allowed-address=10.0.0.2/24; set defrouter=10.0.0.1/24; end",
			"",
			"Warning: prefix length in 10.0.0.1/24 is not required and will be ignored. The default host-prefix length will be used\n", 0,
			"info net", "net:\n\taddress not specified\n\tallowed-address: 10.0.0.2/24\n\tdefrouter: 10.0.0.1/24\n\tphysical: @Z@_0\n"},
		{"net", "exclusive physical", "",
			"add net; set physical=e1000g0:1; set physical=0bad; cancel",
			"",
			"e1000g0:1: physical interface name required; logical interface name not allowed\n0bad: invalid physical interface name\n", 1,
			"", ""},
		{"net", "shared physical", "",
			"set ip-type=shared; add net; set physical=e1000g0:1; set physical=e1000g0:x; set physical=e1000g0; set address=10.0.0.5/24; end; add net; set physical=e1000g0; set address=10.0.0.5/24; end; cancel",
			"",
			"e1000g0:1: LUNs not allowed in physical interface names\ne1000g0:x: invalid physical interface name\nA net resource with the physical 'e1000g0', and address '10.0.0.5/24' already exists.\n", 1,
			"info net", "net:\n\taddress: 10.0.0.5/24\n\tallowed-address not specified\n\tdefrouter not specified\n\tphysical: e1000g0\n"},
		{"net", "remove defrouter", "add net\nset physical=@Z@_0\nset allowed-address=10.0.0.2/24\nset defrouter=10.0.0.1\nend\n",
			"select net physical=@Z@_0; remove defrouter x; remove address x; remove options x; end",
			"",
			"address: No such property type\n" + usage("remove") + props + "options: No such property type\n" + usage("remove") + props, 1,
			"export", "create -b\nset zonepath=/zones/@Z@\nset brand=ipkg\nset autoboot=false\nset ip-type=exclusive\nadd net\nset allowed-address=\"10.0.0.2/24\"\nset physical=\"@Z@_0\"\nend\n"},
		{"net", "info order and qualifiers", "add net\nset physical=@Z@_0\nset allowed-address=10.0.0.2/24\nset defrouter=10.0.0.1\nend\n",
			"info net defrouter=10.9.9.9; info net address=10.9.9.9",
			"net:\n\taddress not specified\n\tallowed-address: 10.0.0.2/24\n\tdefrouter: 10.0.0.1\n\tphysical: @Z@_0\nNo such net resource.\n",
			"", 0,
			"", ""},
		{"device", "match", "",
			"add device; set name=x; end; set match=/dev/zvol/rdsk/a; end; add device; set match=/dev/zvol/rdsk/a; end; cancel",
			"",
			"name: No such property type\n" + usage("set") + props + "match not specified\nA device resource with the match '/dev/zvol/rdsk/a' already exists.\n", 1,
			"info device", "device:\n\tmatch: /dev/zvol/rdsk/a\n"},
		{"device", "select", "add device\nset match=/dev/a\nend\nadd device\nset match=/dev/b\nend\n",
			"select device match=/dev/a; set match=/dev/c; end; remove device",
			"",
			"There are multiple instances of this resource.  Either qualify the resource to\nremove a single instance or use the -F option to remove all instances.\n", 1,
			"export", "create -b\nset zonepath=/zones/@Z@\nset brand=ipkg\nset autoboot=false\nset ip-type=exclusive\nadd device\nset match=\"/dev/b\"\nend\nadd device\nset match=\"/dev/c\"\nend\n"},
		{"rctl", "name", "",
			"add rctl; set name=zone.bogus; set name=zone.max-lwps; end; cancel",
			"",
			"'zone.bogus' is not a valid zone rctl name.\nno value specified\n", 1,
			"", ""},
		{"rctl", "a bad name is no error", "",
			"add rctl; set name=zone.bogus; cancel",
			"",
			"'zone.bogus' is not a valid zone rctl name.\n", 0,
			"", ""},
		{"rctl", "values", "",
			"add rctl; set name=zone.max-lwps; set value=x; add value (priv=privileged,limit=5); add value (priv=basic,limit=5,action=deny); add value (priv=privileged,priv=privileged,limit=5,action=deny); add value (name=x); add value [(priv=privileged,limit=500,action=deny),(priv=privileged,limit=600,action=none)]; remove value (priv=privileged,limit=9,action=deny); remove value (priv=privileged,limit=600,action=none); info; end",
			"rctl:\n\tname: zone.max-lwps\n\tvalue: (priv=privileged,limit=500,action=deny)\n",
			"A complex or list value was expected here.\naction not specified\nInvalid rctl value specification\npriv already specified\nvalue: No such property type\n" + usage("add") + props + "value: No such property with that id\n", 1,
			"info rctl", "rctl:\n\tname: zone.max-lwps\n\tvalue: (priv=privileged,limit=500,action=deny)\n"},
		{"rctl", "duplicate name", "add rctl\nset name=zone.max-lwps\nadd value (priv=privileged,limit=500,action=deny)\nend\n",
			"add rctl; set name=zone.max-lwps; add value (priv=privileged,limit=600,action=deny); end; cancel",
			"",
			"A rctl resource with the name 'zone.max-lwps' already exists.\n", 1,
			"", ""},
		{"rctl", "select and set value", "add rctl\nset name=zone.max-lwps\nadd value (priv=privileged,limit=500,action=deny)\nend\n",
			"select rctl name=zone.max-lwps; set value=[(priv=privileged,limit=700,action=deny),(priv=privileged,limit=800,action=none)]; end; info max-lwps; set max-lwps=900",
			"",
			"max-lwps: An incompatible rctl already exists for this property\n", 1,
			"info rctl", "rctl:\n\tname: zone.max-lwps\n\tvalue: (priv=privileged,limit=700,action=deny)\n\tvalue: (priv=privileged,limit=800,action=none)\n"},
		{"attr", "select and modify", "add attr\nset name=a\nset type=int\nset value=1\nend\nadd attr\nset name=b\nset type=int\nset value=2\nend\n",
			"select attr type=int; select attr name=a; set type=uint; set value=-1; end; set value=3; end",
			"",
			"select attr: Insufficient specification\ninvalid attr value for type=uint\n", 1,
			"export", "create -b\nset zonepath=/zones/@Z@\nset brand=ipkg\nset autoboot=false\nset ip-type=exclusive\nadd attr\nset name=\"b\"\nset type=\"int\"\nset value=\"2\"\nend\nadd attr\nset name=\"a\"\nset type=\"uint\"\nset value=\"3\"\nend\n"},
		{"dataset", "select and verify", "",
			"add dataset; set name=rpool/a; end; select dataset name=rpool/a; set name=rpool//b; end; verify",
			"",
			"dataset: name invalid\n@Z@: Bad document property\ndataset: name invalid\nZone @Z@ failed to verify\n@Z@: Bad document property\nConfiguration not saved.\n", 1,
			"info dataset", ""},
		{"admin", "missing and duplicate", "add admin\nset user=jim\nset auths=login\nend\n",
			"add admin; end; set user=jim; set auths=manage; end; cancel; select admin user=jim; set auths=login,solaris.zone.manage; end",
			"",
			"user not specified\nauths not specified\nA admin resource with the user 'jim' already exists.\n", 1,
			"info admin", "admin:\n\tuser: jim\n\tauths: login,solaris.zone.manage\n"},
		{"dedicated-cpu", "ncpus and importance", "",
			"add dedicated-cpu; end; set ncpus=0; set ncpus=4-2; set ncpus=x; set importance=-1; set ncpus=1-4; set importance=10; info; end",
			"dedicated-cpu:\n\tncpus: 1-4\n\timportance: 10\n",
			"ncpus not specified\nncpus property is out of range.\nncpus property is out of range.\nncpus property is out of range.\nimportance property is out of range.\n", 1,
			"export", "create -b\nset zonepath=/zones/@Z@\nset brand=ipkg\nset autoboot=false\nset ip-type=exclusive\nadd dedicated-cpu\nset ncpus=1-4\nset importance=10\nend\n"},
		{"dedicated-cpu", "select, clear, remove", "add dedicated-cpu\nset ncpus=2\nset importance=5\nend\n",
			"add dedicated-cpu; select dedicated-cpu; clear importance; clear ncpus; end; remove dedicated-cpu; remove dedicated-cpu; select dedicated-cpu",
			"",
			"The dedicated-cpu resource already exists.\nncpus: Cannot clear this property\nremove dedicated-cpu: No such entry\nselect dedicated-cpu: No such entry\n", 1,
			"info dedicated-cpu", ""},
		{"dedicated-cpu", "pool and capped-cpu conflicts", "",
			"set pool=p1; add dedicated-cpu; clear pool; add capped-cpu; set ncpus=1; end; add dedicated-cpu; remove capped-cpu; add dedicated-cpu; set ncpus=1; end; set pool=p2",
			"",
			"The pool property is already set.  A persistent pool is incompatible with\nthe dedicated-cpu resource.\nThe capped-cpu resource already exists.\nThe dedicated-cpu resource already exists.  A persistent pool is incompatible\nwith the dedicated-cpu resource.\n", 1,
			"", ""},
		{"capped-cpu", "ncpus", "",
			"add capped-cpu; end; set ncpus=0; set ncpus=0.001; set ncpus=x; set importance=1; set ncpus=1.5; info; end; add capped-cpu",
			"capped-cpu:\n\t[ncpus: 1.50]\n",
			"ncpus not specified\nncpus property is out of range.\nncpus property is out of range.\nncpus property is out of range.\nimportance: No such property type\n" + usage("set") + props + "The capped-cpu resource already exists.\n", 1,
			"info capped-cpu", "capped-cpu:\n\t[ncpus: 1.50]\n"},
		{"capped-cpu", "select and remove", "add capped-cpu\nset ncpus=2\nend\n",
			"select capped-cpu; set ncpus=0.25; clear ncpus; end; info; remove capped-cpu; remove capped-cpu; select capped-cpu",
			"zonename: @Z@\nzonepath: /zones/@Z@\nbrand: ipkg\nautoboot: false\nbootargs: \npool: \nlimitpriv: \nscheduling-class: \nip-type: exclusive\nhostid: \nfs-allowed: \ncapped-cpu:\n\t[ncpus: 0.25]\nrctl:\n\tname: zone.cpu-cap\n\tvalue: (priv=privileged,limit=25,action=deny)\n",
			"ncpus: Cannot clear this property\nremove capped-cpu: No such resource type\nselect capped-cpu: No such entry\n", 1,
			"export", "create -b\nset zonepath=/zones/@Z@\nset brand=ipkg\nset autoboot=false\nset ip-type=exclusive\n"},
		{"capped-cpu", "incompatible rctl", "add rctl\nset name=zone.cpu-cap\nadd value (priv=privileged,limit=100,action=none)\nend\n",
			"add capped-cpu; select capped-cpu; remove capped-cpu",
			"",
			"capped-cpu: An incompatible rctl already exists for this property\nselect capped-cpu: An incompatible rctl already exists for this property\nremove capped-cpu: No such resource type\n", 1,
			"", ""},
		{"capped-memory", "values", "",
			"add capped-memory; end; set physical=512K; set physical=x; set swap=10M; set locked=x; set physical=1G; set locked=2G; end; set locked=512M; end; add capped-memory",
			"",
			"No property was specified.  One of physical, swap or locked is required.\nphysical value is too small.  It must be at least 1M.\nA positive number with a required scale suffix (K, M, G or T) was expected here.\nswap value is too small.  It must be at least 50M.\nA non-negative number with a required scale suffix (K, M, G or T) was expected\nhere.\nThe locked cap must be less than or equal to the physical cap.\nThe capped-memory resource or a related resource control already exists.\n", 1,
			"info capped-memory", "capped-memory:\n\tphysical: 1G\n\t[locked: 512M]\n"},
		{"capped-memory", "select, clear, remove", "add capped-memory\nset physical=2G\nset swap=4G\nend\n",
			"select capped-memory; clear physical; clear swap; clear swap; clear locked; set locked=1G; end; info capped-memory; remove capped-memory; remove capped-memory; select capped-memory",
			"capped-memory:\n\t[locked: 1G]\n",
			"clear swap: No such entry\nclear locked: No such entry\nremove capped-memory: No such resource type\nselect capped-memory: No such resource type\n", 1,
			"export", "create -b\nset zonepath=/zones/@Z@\nset brand=ipkg\nset autoboot=false\nset ip-type=exclusive\n"},
		{"global", "aliased rctls", "",
			"set max-lwps=99; set max-lwps=100; set max-shm-memory=10; set max-shm-memory=2G; set cpu-shares=0; clear max-processes; clear max-lwps; info",
			"zonename: @Z@\nzonepath: /zones/@Z@\nbrand: ipkg\nautoboot: false\nbootargs: \npool: \nlimitpriv: \nscheduling-class: \nip-type: exclusive\nhostid: \nfs-allowed: \n[max-shm-memory: 2G]\n[cpu-shares: 0]\nrctl:\n\tname: zone.max-shm-memory\n\tvalue: (priv=privileged,limit=2147483648,action=deny)\nrctl:\n\tname: zone.cpu-shares\n\tvalue: (priv=privileged,limit=0,action=none)\n",
			"max-lwps property is out of range.\nA non-negative number with a required scale suffix (K, M, G or T) was expected\nhere.\nclear max-processes: No such entry\n", 1,
			"", ""},
		{"global", "clear", "set pool=p1\nset hostid=abcdef12\nset autoboot=true\n",
			"clear zonepath; clear brand; clear dir; clear pool; clear hostid; clear autoboot; clear ip-type",
			"",
			"zonepath: Cannot clear this property\nbrand: Cannot clear this property\ndir: No such property type\n" + usage("clear") + props, 1,
			"export", "create -b\nset zonepath=/zones/@Z@\nset brand=ipkg\nset autoboot=false\nset ip-type=shared\n"},
		{"global", "checks", "",
			"set hostid=123456789; set pool=SUNWp; set dir=/a; set autoboot=[true]; set -F zonepath=/a",
			"",
			"hostid: Specified property is invalid\npool names starting with SUNW are reserved.\nCannot set a resource-specific property from the global scope.\nA simple value was expected here.\nZonepath is changeable only in an alternate root.\n", 1,
			"", ""},
		// zonecfg_valid_hostid(): a "0x" prefix is fine, 0xFFFFFFFF and
		// trailing characters are invalid, and only 11 characters or
		// more read are too large; the last valid value stays.
		{"global", "hostid values", "",
			"set hostid=ffffffff; set hostid=12345678901; set hostid=1234567890; set hostid=12g; set hostid=0x0000abcd; info hostid",
			"hostid: 0x0000abcd\n",
			"hostid: Specified property is invalid\nhostid string is too large: 12345678901\nhostid: Specified property is invalid\nhostid: Specified property is invalid\n", 1,
			"", ""},
	}
	s := newSim(t)
	for i, tt := range tests {
		t.Run(tt.rt+"/"+tt.name, func(t *testing.T) {
			zone := fmt.Sprintf("rt%d", i)
			sub := func(x string) string { return strings.ReplaceAll(x, "@Z@", zone) }
			s.configure(zone, basicConfig(zone)+sub(tt.setup)+"commit\n")
			check(t, tt.cmds, s.run("zonecfg", "-z", zone, sub(tt.cmds)), sub(tt.stdout), sub(tt.stderr), tt.code)
			if tt.after != "" {
				check(t, tt.after, s.run("zonecfg", "-z", zone, tt.after), sub(tt.afterOut), "", 0)
			}
		})
	}

	// The global zone: no fs, net or dataset; a warning before each
	// resource control; swap of at least 100M.
	gz := newSim(t)
	check(t, "global zone", gz.run("zonecfg", "-z", "global",
		"add fs; remove net; info dataset; add rctl; set name=zone.max-lwps; add value (priv=privileged,limit=1000,action=deny); end; set cpu-shares=5; set max-processes=500; add capped-memory; set swap=99M; set swap=100M; end"),
		"",
		"Cannot add a fs resource to the global zone.\nnet is not a valid resource for the global zone.\ndataset is not a valid resource for the global zone.\nWARNING: Setting a global zone resource control too low could deny\nservice to even the root user; this could render the system impossible\nto administer.  Please use caution.\nWARNING: Setting a global zone resource control too low could deny\nservice to even the root user; this could render the system impossible\nto administer.  Please use caution.\nswap value is too small.  It must be at least 100M.\n", 1)
	check(t, "global zone info", gz.run("zonecfg", "-z", "global", "info"),
		"zonename: global\npool: \n[max-lwps: 1000]\n[max-processes: 500]\n[cpu-shares: 5]\ncapped-memory:\n\t[swap: 100M]\nrctl:\n\tname: zone.max-lwps\n\tvalue: (priv=privileged,limit=1000,action=deny)\nrctl:\n\tname: zone.cpu-shares\n\tvalue: (priv=privileged,limit=5,action=none)\nrctl:\n\tname: zone.max-processes\n\tvalue: (priv=privileged,limit=500,action=deny)\nrctl:\n\tname: zone.max-swap\n\tvalue: (priv=privileged,limit=104857600,action=deny)\n", "", 0)
}

// usage is zonecfg's long usage of a command, as printed for bad
// semantics.
func usage(cmd string) string {
	return "usage:\n" + zcShortUsage[cmd] + "\n\t" + zcLongHelp[cmd] + "\n"
}

// zcHelp is zonecfg's help text for flags.
func zcHelp(flags int) string {
	var b strings.Builder
	zcUsage(&b, flags, false)
	return b.String()
}

// TestZonecfgTables checks that every row of the zonecfg tables has what
// the generic handlers call for its kind.
func TestZonecfgTables(t *testing.T) {
	for _, g := range zcGlobals {
		if !g.alias && g.field == nil && (g.get == nil || g.put == nil) {
			t.Errorf("global %s: no field, and no get and put", g.name)
		}
		if !propWords[g.name] {
			t.Errorf("global %s: not a property word of the parser", g.name)
		}
	}
	for word := range resWords {
		if resType(word) == nil && word != "security-flags" {
			t.Errorf("resource word %s has no table entry", word)
		}
	}
	for _, name := range zcExportOrder {
		if resType(name) == nil {
			t.Errorf("export order: no resource type %s", name)
		}
	}
	for _, rt := range zcResTypes {
		if rt.list != nil && rt.dup == nil {
			t.Errorf("%s: a list type without dup", rt.name)
		}
		if rt.list == nil && (rt.find == nil || rt.drop == nil || rt.print == nil) {
			t.Errorf("%s: a single-instance type needs find, drop and print", rt.name)
		}
		if rt.list == nil && rt.name != "capped-cpu" && rt.export == nil {
			t.Errorf("%s: no export", rt.name)
		}
		for _, name := range append(append([]string(nil), rt.infoOrder...), rt.infoKeys...) {
			if rt.prop(name) == nil {
				t.Errorf("%s: info names an unknown property %s", rt.name, name)
			}
		}
		for _, p := range rt.props {
			n := 0
			for _, set := range []bool{p.field != nil, p.alias != "", p.list != nil} {
				if set {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s %s: needs exactly one of field, alias and list", rt.name, p.name)
			}
			if p.alias != "" && rctlAliases[p.alias].rctl == "" {
				t.Errorf("%s %s: unknown alias %s", rt.name, p.name, p.alias)
			}
			if !propWords[p.name] {
				t.Errorf("%s %s: not a property word of the parser", rt.name, p.name)
			}
		}
	}
}
