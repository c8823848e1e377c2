package illumos

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func privDeny(limit string) []RctlValue {
	return []RctlValue{{Priv: "privileged", Limit: limit, Action: "deny"}}
}

// omniosExportConfig is testdata/zonecfg-export-omnios.txt as a config.
var omniosExportConfig = &ZoneConfig{
	Zonepath: "/zones/build1",
	Brand:    "lipkg",
	IPType:   "exclusive",
	Nets:     []Net{{AllowedAddress: "10.0.0.21/24", Physical: "build1_0", GlobalNIC: "igb0", Defrouter: "10.0.0.1"}},
	Rctls:    []Rctl{{Name: RctlMaxPhysicalMemory, Values: privDeny("2147483648")}},
	Attrs:    []Attr{{Name: "ci.template", Type: "string", Value: "golden"}},
	Datasets: []Dataset{{Name: "rpool/cache/build1"}},
}

// gateExportConfig is testdata/zonecfg-export-gate.txt as a config.
var gateExportConfig = &ZoneConfig{
	Zonepath:  "/zones/oz1",
	Brand:     "ipkg",
	Autoboot:  true,
	Bootargs:  "-m verbose",
	LimitPriv: "default,dtrace_proc",
	IPType:    "shared",
	HostID:    "12345678",
	FS: []FS{{Dir: "/export/src", Special: "/data/src", Type: "lofs",
		Options: []string{"ro", "nodevices", "uid=1000"}}},
	Nets:    []Net{{Address: "192.168.1.50/24", Physical: "e1000g0"}},
	Devices: []Device{{Match: "/dev/zvol/rdsk/rpool/vol1"}},
	Rctls: []Rctl{
		{Name: "zone.max-lwps", Values: privDeny("2000")},
		{Name: RctlMaxSwap, Values: privDeny("4294967296")},
	},
	Attrs: []Attr{
		{Name: "zonemgr.origin", Type: "string", Value: "rpool/zones/_zonemgr/GIZ/g1@initial-installed-g1"},
		{Name: "ci.owner", Type: "string", Value: "build team"},
	},
	Datasets:     []Dataset{{Name: "rpool/cache/oz1"}},
	DedicatedCPU: &DedicatedCPU{NCPUs: "1-2", Importance: "5"},
	Admins:       []Admin{{User: "builder", Auths: "login,manage"}},
	CappedMemory: &CappedMemory{Physical: "2G"},
}

func TestParseZonecfgExportGolden(t *testing.T) {
	for _, tt := range []struct {
		file string
		want *ZoneConfig
	}{
		{"zonecfg-export-omnios.txt", omniosExportConfig},
		{"zonecfg-export-gate.txt", gateExportConfig},
	} {
		got, err := ParseZonecfgExport(readTestdata(t, tt.file))
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.file, got, tt.want)
		}
	}
}

func TestExportRoundTrip(t *testing.T) {
	for _, file := range []string{"zonecfg-export-omnios.txt", "zonecfg-export-gate.txt"} {
		in := string(readTestdata(t, file))
		c, err := ParseZonecfgExport([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if got := c.Export(); got != in {
			t.Errorf("%s: Export of the parsed text differs\n got:\n%s\nwant:\n%s", file, got, in)
		}
	}
}

func TestExportFormat(t *testing.T) {
	c := &ZoneConfig{
		Zonepath:        "/zones/x",
		Brand:           "native",
		Pool:            "pool_1",
		SchedulingClass: "FSS",
		FSAllowed:       "ufs,pcfs",
		Nets:            []Net{{Physical: "x0", MACAddr: "2:8:20:1:2:3", VLANID: "12", Properties: []ResProperty{{Name: "mtu", Value: "9000"}}}},
		Devices:         []Device{{Match: "/dev/kvm"}},
		SecurityFlags:   &SecurityFlags{Default: "aslr", Upper: "aslr"},
		CappedCPU:       &CappedCPU{NCPUs: "1.5"},
		CappedMemory:    &CappedMemory{Physical: "1G", Swap: "2G", Locked: "512M"},
	}
	want := `create -b
set zonepath=/zones/x
set autoboot=false
set pool=pool_1
set scheduling-class=FSS
set ip-type=shared
set fs-allowed=ufs,pcfs
add net
set physical="x0"
set mac-addr="2:8:20:1:2:3"
set vlan-id="12"
add property (name=mtu,value="9000")
end
add device
set match="/dev/kvm"
end
add security-flags
set default="aslr"
set upper="aslr"
end
add capped-cpu
set ncpus=1.5
end
add capped-memory
set physical=1G
set swap=2G
set locked=512M
end
`
	if got := c.Export(); got != want {
		t.Errorf("Export:\n%s\nwant:\n%s", got, want)
	}
	back, err := ParseZonecfgExport([]byte(want))
	if err != nil {
		t.Fatalf("parse back: %v", err)
	}
	// zonecfg does not export the brand "native".
	c.Brand = ""
	if !reflect.DeepEqual(back.Normalize(), c.Normalize()) {
		t.Errorf("parsed back:\n got %+v\nwant %+v", back.Normalize(), c.Normalize())
	}
}

func TestParseZonecfgInfoGolden(t *testing.T) {
	tests := []struct {
		file string
		want *ZoneConfig
	}{
		{"zonecfg-info-omnios.txt", &ZoneConfig{
			Name: "build1", Zonepath: "/zones/build1", Brand: "lipkg", IPType: "exclusive",
			Nets:  []Net{{AllowedAddress: "10.0.0.21/24", Defrouter: "10.0.0.1", GlobalNIC: "igb0", Physical: "build1_0"}},
			Attrs: []Attr{{Name: "ci.template", Type: "string", Value: "golden"}},
		}},
		{"zonecfg-info-attr.txt", &ZoneConfig{
			Attrs: []Attr{
				{Name: "ci.template", Type: "string", Value: "golden"},
				{Name: "ci.owner", Type: "string", Value: "build team"},
			},
		}},
		{"zonecfg-info-full.txt", &ZoneConfig{
			Name: "oz1", Zonepath: "/zones/oz1", Brand: "lipkg", Autoboot: true, Bootargs: "-m verbose",
			LimitPriv: "default,dtrace_proc", SchedulingClass: "FSS", IPType: "exclusive",
			FS: []FS{{Dir: "/export/src", Special: "/data/src", Type: "lofs", Options: []string{"ro", "nodevices", "uid=1000"}}},
			Nets: []Net{{AllowedAddress: "10.0.0.22/24", Defrouter: "10.0.0.1", MACAddr: "2:8:20:5e:a:1b",
				Physical: "oz1_0", VLANID: "12", Properties: []ResProperty{{Name: "mtu", Value: "9000"}}}},
			Devices:      []Device{{Match: "/dev/zvol/rdsk/rpool/vol1"}},
			CappedCPU:    &CappedCPU{NCPUs: "1.50"},
			CappedMemory: &CappedMemory{Physical: "2G", Swap: "4G"},
			Attrs:        []Attr{{Name: "ci.owner", Type: "string", Value: "build team"}},
			Datasets:     []Dataset{{Name: "rpool/cache/oz1"}},
			Rctls: []Rctl{
				{Name: "zone.max-lwps", Values: privDeny("2000")},
				{Name: "zone.cpu-shares", Values: []RctlValue{{Priv: "privileged", Limit: "10", Action: "none"}}},
				{Name: RctlCPUCap, Values: privDeny("150")},
				{Name: RctlMaxPhysicalMemory, Values: privDeny("2147483648")},
				{Name: RctlMaxSwap, Values: privDeny("4294967296")},
			},
		}},
	}
	for _, tt := range tests {
		got, err := ParseZonecfgInfo(readTestdata(t, tt.file))
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.file, got, tt.want)
		}
	}
}

func TestParseZonecfgInfoAgreesWithExport(t *testing.T) {
	// The OmniOS info sample shows the same zone as the export sample,
	// less its rctl and dataset.
	info, err := ParseZonecfgInfo(readTestdata(t, "zonecfg-info-omnios.txt"))
	if err != nil {
		t.Fatal(err)
	}
	exp := omniosExportConfig.Clone()
	exp.Name = "build1"
	exp.Rctls, exp.Datasets = nil, nil
	if !reflect.DeepEqual(info.Normalize(), exp.Normalize()) {
		t.Errorf("info and export disagree:\n info %+v\nexport %+v", info.Normalize(), exp.Normalize())
	}
}

func TestParseZonecfgInfoErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"\tdir: /x\n", "line 1"},
		{"autoboot: maybe\n", `autoboot "maybe"`},
		{"ip-type: excl\n", `ip-type "excl"`},
		{"colour: blue\n", `unknown global property "colour"`},
		{"fs:\n\tgarbage\n", "line 2"},
		{"just words\n", "line 1"},
		{"fs:\n\tdir: /a\n\toptions: ro\n", "fs options"},
		{"rctl:\n\tname: zone.x\n\tvalue: priv=basic\nattr:\n", "line 4"},
	} {
		if _, err := ParseZonecfgInfo([]byte(tt.in)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseZonecfgInfo(%q) error = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	info, err := ParseZonecfgInfo(readTestdata(t, "zonecfg-info-full.txt"))
	if err != nil {
		t.Fatal(err)
	}
	n := info.Normalize()
	if !reflect.DeepEqual(n.CappedCPU, &CappedCPU{NCPUs: "1.5"}) {
		t.Errorf("CappedCPU = %+v, want 1.5", n.CappedCPU)
	}
	if !reflect.DeepEqual(n.CappedMemory, &CappedMemory{Physical: "2G", Swap: "4G"}) {
		t.Errorf("CappedMemory = %+v", n.CappedMemory)
	}
	wantRctls := []Rctl{
		{Name: "zone.max-lwps", Values: privDeny("2000")},
		{Name: "zone.cpu-shares", Values: []RctlValue{{Priv: "privileged", Limit: "10", Action: "none"}}},
	}
	if !reflect.DeepEqual(n.Rctls, wantRctls) {
		t.Errorf("Rctls = %+v, want %+v", n.Rctls, wantRctls)
	}
	// Normalize leaves its receiver alone.
	if len(info.Rctls) != 5 || info.CappedCPU.NCPUs != "1.50" {
		t.Errorf("Normalize changed its receiver: %+v", info)
	}
	// An rctl that is not in the form zonecfg gives the caps stays.
	odd := &ZoneConfig{Rctls: []Rctl{{Name: RctlMaxSwap, Values: []RctlValue{{Priv: "privileged", Limit: "1024", Action: "none"}}}}}
	if got := odd.Normalize(); got.CappedMemory != nil || len(got.Rctls) != 1 || got.IPType != "shared" {
		t.Errorf("Normalize(odd swap rctl) = %+v", got)
	}
}

func TestMemorySize(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want uint64
		out  string
	}{
		{"2G", 2 << 30, "2G"},
		{"2g", 2 << 30, "2G"},
		{"2GB", 2 << 30, "2G"},
		{"1536M", 1536 << 20, "1536M"},
		{"2147483648", 2 << 30, "2G"},
		{"1T", 1 << 40, "1T"},
		{"512K", 512 << 10, "512K"},
		{"2.5G", 5 << 29, "2560M"},
		{"1000", 1000, "1000"},
		{"0", 0, "0"},
	} {
		got, err := ParseMemorySize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseMemorySize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			continue
		}
		if s := FormatMemorySize(got); s != tt.out {
			t.Errorf("FormatMemorySize(%d) = %q, want %q", got, s, tt.out)
		}
	}
	for _, bad := range []string{"", "G", "2X", "1.2.3G", "-1G", "99999999999T", "two"} {
		if _, err := ParseMemorySize(bad); err == nil {
			t.Errorf("ParseMemorySize(%q) succeeded", bad)
		}
	}
}

// dizConfig is a disposable zone as the engine configures one.
func dizConfig() *ZoneConfig {
	return &ZoneConfig{
		Name:     "d1",
		Zonepath: "/zones/_zonemgr/DIZ/d1",
		Brand:    "lipkg",
		IPType:   "exclusive",
		FS: []FS{{Dir: "/src", Special: "/export/src tree", Type: "lofs",
			Options: []string{"ro", "nodevices"}}},
		Nets: []Net{{Physical: "autodiz0", AllowedAddress: "10.0.0.5/24", Defrouter: "10.0.0.1"}},
		Attrs: []Attr{
			{Name: "zonemgr.origin", Type: "string", Value: "rpool/zones/_zonemgr/GIZ/g1@initial-installed-g1"},
			{Name: "zonemgr.role", Type: "string", Value: "default"},
		},
		CappedMemory: &CappedMemory{Physical: "2G"},
	}
}

func TestCreateScript(t *testing.T) {
	want := `create -b
set zonepath=/zones/_zonemgr/DIZ/d1
set brand=lipkg
set autoboot=false
set ip-type=exclusive
add fs
set dir=/src
set special="/export/src tree"
set type=lofs
add options ro
add options nodevices
end
add net
set allowed-address=10.0.0.5/24
set physical=autodiz0
set defrouter=10.0.0.1
end
add attr
set name=zonemgr.origin
set type=string
set value=rpool/zones/_zonemgr/GIZ/g1@initial-installed-g1
end
add attr
set name=zonemgr.role
set type=string
set value=default
end
add capped-memory
set physical=2G
end
verify
commit
`
	got, err := CreateScript(dizConfig(), "")
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("CreateScript:\n%s\nwant:\n%s", got, want)
	}
	got, err = CreateScript(&ZoneConfig{Name: "g1", Zonepath: "/zones/g1"}, "lipkg")
	if err != nil {
		t.Fatal(err)
	}
	if want := "create -t lipkg\nset zonepath=/zones/g1\nset autoboot=false\nverify\ncommit\n"; got != want {
		t.Errorf("CreateScript with template:\n%s\nwant:\n%s", got, want)
	}
}

func TestCreateScriptRoundTrip(t *testing.T) {
	tricky := &ZoneConfig{
		Zonepath:        "/zones/a b",
		Brand:           "bhyve",
		Autoboot:        true,
		IPType:          "shared",
		Bootargs:        "-m verbose -s",
		Pool:            "pool_default",
		LimitPriv:       "default,dtrace_proc,proc_priocntl",
		SchedulingClass: "FSS",
		HostID:          "deadbeef",
		FSAllowed:       "ufs,pcfs",
		FS: []FS{
			{Dir: "/a;b", Special: "/x=y", Raw: "/dev/rdsk/c0t0d0s0", Type: "ufs", Options: []string{"uid=1000", "[odd]", "ro", "name"}},
			{Dir: "/net", Special: "net", Type: "lofs"},
		},
		Nets: []Net{
			{Address: "192.168.1.5/24", Physical: "e1000g0"},
			{Address: "192.168.1.6/24", Physical: "e1000g0", Properties: []ResProperty{{Name: "mtu", Value: "value"}, {Name: "x", Value: "a b,c"}}},
		},
		Devices: []Device{{Match: "/dev/zvol/rdsk/rpool/*"}},
		Rctls: []Rctl{{Name: "zone.max-lwps", Values: []RctlValue{
			{Priv: "privileged", Limit: "1000", Action: "deny"},
			{Priv: "basic", Limit: "900", Action: "none"},
		}}},
		Attrs: []Attr{
			{Name: "a.b-c", Type: "string", Value: "# not a comment"},
			{Name: "n", Type: "int", Value: "-5"},
			{Name: "e", Type: "string", Value: "(x=y)"},
			{Name: "kw", Type: "string", Value: "capped-memory"},
			{Name: "semi", Type: "string", Value: "a;b'c"},
		},
		Datasets:      []Dataset{{Name: "rpool/data set"}},
		Admins:        []Admin{{User: "user", Auths: "login,manage"}},
		DedicatedCPU:  &DedicatedCPU{NCPUs: "2-4", Importance: "10"},
		SecurityFlags: &SecurityFlags{Default: "aslr", Lower: "", Upper: "default"},
		CappedMemory:  &CappedMemory{Physical: "1G", Swap: "2G", Locked: "100M"},
	}
	capCPU := &ZoneConfig{Zonepath: "/zones/c", CappedCPU: &CappedCPU{NCPUs: "0.5"}}
	for _, c := range []*ZoneConfig{dizConfig(), tricky, capCPU, gateExportConfig, omniosExportConfig, {}} {
		script, err := CreateScript(c, "")
		if err != nil {
			t.Fatalf("CreateScript(%+v): %v", c, err)
		}
		back, err := ParseZonecfgExport([]byte(script))
		if err != nil {
			t.Fatalf("parse back %v:\n%s", err, script)
		}
		back.Name = c.Name
		if !reflect.DeepEqual(back.Normalize(), c.Normalize()) {
			t.Errorf("round trip differs\nscript:\n%s\n got %+v\nwant %+v", script, back.Normalize(), c.Normalize())
		}
	}
}

func TestCreateScriptRefusesInexpressibleValues(t *testing.T) {
	tests := []struct {
		c    *ZoneConfig
		want string
	}{
		{&ZoneConfig{Name: "z", Attrs: []Attr{{Name: "owner", Type: "string", Value: `say "hi"`}}}, `attr "owner" value "say \"hi\""`},
		{&ZoneConfig{Name: "z", FS: []FS{{Dir: "/a", Special: "/b\nc", Type: "lofs"}}}, `fs "/a" special`},
		{&ZoneConfig{Name: "z", Bootargs: `-m "x"`}, "zone bootargs"},
		{&ZoneConfig{Name: "z", FS: []FS{{Dir: "/a", Special: "/b", Type: "lofs", Options: []string{`o"`}}}}, `fs "/a" option`},
		{&ZoneConfig{Name: "z", Rctls: []Rctl{{Name: "zone.x", Values: []RctlValue{{Priv: "privileged", Limit: "1\n", Action: "deny"}}}}}, `rctl "zone.x" limit`},
	}
	for _, tt := range tests {
		_, err := CreateScript(tt.c, "")
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "zonecfg cannot express") {
			t.Errorf("CreateScript(%+v) error = %v, want one naming %s", tt.c, err, tt.want)
		}
	}
}

func TestQuoteValue(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/zones/z1", "/zones/z1"},
		{"10.0.0.5/24", "10.0.0.5/24"},
		{"rpool/z@snap", "rpool/z@snap"},
		{"a b", `"a b"`},
		{"", `""`},
		{"default", "default"},
		{"net", "net"},
		{"fs-allowed", "fs-allowed"},
		{"x=y", `"x=y"`},
		{"a;b", `"a;b"`},
		{"[a]", `"[a]"`},
		{"(a)", `"(a)"`},
		{"#x", `"#x"`},
		{"a,b", `"a,b"`},
		{"true", "true"},
	} {
		got, err := quoteValue("f", tt.in)
		if err != nil || got != tt.want {
			t.Errorf("quoteValue(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestLexZonecfgErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"bogus\n", "line 1: syntax error at 'bogus'"},
		{"set zonepath=\"/a\n", "line 1: unterminated quoted string"},
		{"add fs\nset dir=/a\nadd options [ro,\n", "line 3: syntax error at '\\n'"},
		{"add rctl\nadd value (priv=privileged,limit=1,action=deny\n", "syntax error at '\\n'"},
		{"add rctl\nadd value (priv=privileged)\nend\n", "limit not specified"},
		{"set ]\n", "syntax error at ']'"},
		{"add fs\nset dir=/a\n", "fs resource incomplete"},
		{"add fs\nend\n", "line 2: dir not specified"},
		{"add attr\nset name=a\nset type=string\nend\n", "value not specified"},
		{"end\n", "not in a resource scope"},
		{"set autoboot=yes\n", "autoboot value must be 'true' or 'false'"},
		{"set ip-type=excl\n", "ip-type value must be 'shared' or 'exclusive'"},
		{"add dataset\nset name=a\nend\nadd dataset\nset name=a\nend\n", "line 6: a dataset resource with the name 'a' already exists"},
		{"remove attr name=nosuch\n", "remove attr: no such resource with that id"},
		{"delete -F\n", "delete: not supported"},
		{"add capped-memory\nset physical=1G\nend\nadd capped-memory\n", "line 4: the capped-memory resource already exists"},
		{"add fs\nset colour=red\n", "set colour: not a property of fs"},
	} {
		_, err := ParseZonecfgExport([]byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseZonecfgExport(%q) error = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestZonecfgCommands(t *testing.T) {
	// The one-line form, comments, aliases, select, remove and clear.
	in := `# configure z1
create -b; set zonepath=/zones/z1; set max-lwps=500; set cpu-shares=10
add attr; set name=a; set type=string; set value=1; end
add attr; set name=b; set type=string; set value=2; end
add fs; set dir=/x; set special=/y; set type=lofs; set options=[ro,nosuid]; end
select attr name=a; set value=changed; end
select fs dir=/x; remove options nosuid; add options nodevices; end
remove attr name=b
add capped-memory; set physical=1G; end
select capped-memory; set swap=2G; end
set pool=p1
clear pool
clear cpu-shares
exit
set zonepath=/ignored/after/exit
`
	got, err := ParseZonecfgExport([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := &ZoneConfig{
		Zonepath:     "/zones/z1",
		Rctls:        []Rctl{{Name: "zone.max-lwps", Values: privDeny("500")}},
		Attrs:        []Attr{{Name: "a", Type: "string", Value: "changed"}},
		FS:           []FS{{Dir: "/x", Special: "/y", Type: "lofs", Options: []string{"ro", "nodevices"}}},
		CappedMemory: &CappedMemory{Physical: "1G", Swap: "2G"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestUpdateScript(t *testing.T) {
	base := dizConfig
	tests := []struct {
		name    string
		old     *ZoneConfig
		new     func() *ZoneConfig
		script  string
		changes []string
	}{
		{
			name:   "identical",
			old:    base(),
			new:    base,
			script: "",
		},
		{
			name: "memory cap stored as rctl equals capped-memory",
			old: func() *ZoneConfig {
				c := base()
				c.CappedMemory = nil
				c.Rctls = []Rctl{{Name: RctlMaxPhysicalMemory, Values: privDeny("2147483648")}}
				return c
			}(),
			new:    base,
			script: "",
		},
		{
			name: "order of resources does not matter",
			old: func() *ZoneConfig {
				c := base()
				c.Attrs[0], c.Attrs[1] = c.Attrs[1], c.Attrs[0]
				c.FS[0].Options = []string{"nodevices", "ro"}
				return c
			}(),
			new:    base,
			script: "",
		},
		{
			name: "global and resource drift",
			old: func() *ZoneConfig {
				c := base()
				c.Pool = "p1"
				c.Attrs[1].Value = "builder"
				return c
			}(),
			new: func() *ZoneConfig {
				c := base()
				c.Autoboot = true
				c.FS = nil
				c.Datasets = []Dataset{{Name: "rpool/cache/d1"}}
				return c
			},
			script: `remove fs dir=/src
remove attr name=zonemgr.role
set autoboot=true
clear pool
add attr
set name=zonemgr.role
set type=string
set value=default
end
add dataset
set name=rpool/cache/d1
end
verify
commit
`,
			changes: []string{
				"autoboot: false -> true",
				`pool: "p1" -> ""`,
				"remove fs dir=/src",
				"change attr name=zonemgr.role",
				"add dataset name=rpool/cache/d1",
			},
		},
		{
			name: "shared to exclusive networking",
			old: func() *ZoneConfig {
				c := base()
				c.IPType = ""
				c.Nets = []Net{{Address: "192.168.1.5/24", Physical: "e1000g0"}}
				return c
			}(),
			new: base,
			script: `remove net physical=e1000g0 address=192.168.1.5/24
set ip-type=exclusive
add net
set allowed-address=10.0.0.5/24
set physical=autodiz0
set defrouter=10.0.0.1
end
verify
commit
`,
			changes: []string{
				`ip-type: "shared" -> "exclusive"`,
				"remove net physical=e1000g0 address=192.168.1.5/24",
				"add net physical=autodiz0 allowed-address=10.0.0.5/24",
			},
		},
		{
			name: "caps change and go",
			old: func() *ZoneConfig {
				c := base()
				c.CappedMemory = nil
				c.Rctls = []Rctl{
					{Name: RctlMaxPhysicalMemory, Values: privDeny("2147483648")},
					{Name: RctlCPUCap, Values: privDeny("200")},
				}
				c.DedicatedCPU = nil
				return c
			}(),
			new: func() *ZoneConfig {
				c := base()
				c.CappedMemory = &CappedMemory{Physical: "4G", Swap: "8G"}
				return c
			},
			script: `remove capped-cpu
remove capped-memory
add capped-memory
set physical=4G
set swap=8G
end
verify
commit
`,
			changes: []string{"remove capped-cpu", "change capped-memory"},
		},
		{
			name: "fs options and special",
			old:  base(),
			new: func() *ZoneConfig {
				c := base()
				c.FS[0].Options = []string{"rw"}
				c.FS = append(c.FS, FS{Dir: "/home builder", Special: "/export/home/builder", Type: "lofs"})
				return c
			},
			script: `remove fs dir=/src
add fs
set dir=/src
set special="/export/src tree"
set type=lofs
add options rw
end
add fs
set dir="/home builder"
set special=/export/home/builder
set type=lofs
end
verify
commit
`,
			changes: []string{"change fs dir=/src", `add fs dir="/home builder"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script, changes, err := UpdateScript(tt.old, tt.new())
			if err != nil {
				t.Fatal(err)
			}
			if script != tt.script {
				t.Errorf("script:\n%s\nwant:\n%s", script, tt.script)
			}
			if !reflect.DeepEqual(changes, tt.changes) {
				t.Errorf("changes = %q\n   want %q", changes, tt.changes)
			}
			// Running the script on the old configuration gives the new.
			applied := tt.old.Clone()
			if err := applyZonecfg(applied, script); err != nil {
				t.Fatalf("apply script: %v", err)
			}
			if got, want := applied.Normalize(), tt.new().Normalize(); !sameConfig(got, want) {
				t.Errorf("after the script:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// sameConfig compares normalised configurations as zonecfg sees them:
// resources as sets.
func sameConfig(a, b *ZoneConfig) bool {
	s, _, err := UpdateScript(a, b)
	return err == nil && s == ""
}

func TestUpdateScriptRecreate(t *testing.T) {
	old := dizConfig()
	for _, tt := range []struct {
		mod  func(*ZoneConfig)
		want []string
	}{
		{func(c *ZoneConfig) { c.Zonepath = "/zones/elsewhere" }, []string{`zonepath: "/zones/_zonemgr/DIZ/d1" -> "/zones/elsewhere"`}},
		{func(c *ZoneConfig) { c.Brand = "sparse"; c.Name = "d2" }, []string{`zonename: "d1" -> "d2"`, `brand: "lipkg" -> "sparse"`}},
	} {
		n := dizConfig()
		tt.mod(n)
		_, _, err := UpdateScript(old, n)
		var re *RecreateError
		if !errors.As(err, &re) {
			t.Errorf("UpdateScript error = %v, want *RecreateError", err)
			continue
		}
		if re.Zone != "d1" || !reflect.DeepEqual(re.Changes, tt.want) {
			t.Errorf("RecreateError = %+v, want changes %q", re, tt.want)
		}
		if want := fmt.Sprintf("update zone d1: %s: the zone must be re-created", strings.Join(tt.want, ", ")); err.Error() != want {
			t.Errorf("error text %q, want %q", err, want)
		}
	}
	// Unset zonepath and brand in the new configuration are not changes.
	n := dizConfig()
	n.Zonepath, n.Brand, n.Name = "", "", ""
	if s, _, err := UpdateScript(old, n); err != nil || s != "" {
		t.Errorf("UpdateScript with unset zonepath = %q, %v", s, err)
	}
}

func TestUpdateScriptRefusesInexpressibleValues(t *testing.T) {
	n := dizConfig()
	n.Attrs[1].Value = "a\"b"
	_, _, err := UpdateScript(dizConfig(), n)
	if err == nil || !strings.Contains(err.Error(), `attr "zonemgr.role" value`) {
		t.Errorf("UpdateScript error = %v, want one naming the attr value", err)
	}
}

func TestAttrLookup(t *testing.T) {
	c := dizConfig()
	if v, ok := c.Attr("zonemgr.role"); !ok || v != "default" {
		t.Errorf("Attr(zonemgr.role) = %q, %v", v, ok)
	}
	if _, ok := c.Attr("zonemgr.none"); ok {
		t.Error("Attr of a missing attr reported ok")
	}
}

func TestZonecfgKeywordsAsValues(t *testing.T) {
	// zonecfg_grammar.y takes property and resource names as values.
	in := "add attr; set name=net; set type=string; set value=default; end\n" +
		"add rctl; set name=zone.x; add value (priv=privileged,limit=1,action=none); end\n"
	got, err := ParseZonecfgExport([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := &ZoneConfig{
		Attrs: []Attr{{Name: "net", Type: "string", Value: "default"}},
		Rctls: []Rctl{{Name: "zone.x", Values: []RctlValue{{Priv: "privileged", Limit: "1", Action: "none"}}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}
