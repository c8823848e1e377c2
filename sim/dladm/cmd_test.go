package dladm_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/dladm"
	"github.com/zonemgr/zonemgr/sim/internal/simtest"
)

func TestInitialLinks(t *testing.T) {
	s := simtest.New(t)
	simtest.Check(t, "show-link", s.Run(nil, "dladm", "show-link"),
		"LINK        CLASS     MTU    STATE    BRIDGE     OVER\n"+
			"e1000g0     phys      1500   up       --         --\n"+
			"stub0       etherstub 9000   unknown  --         --\n", "", 0)
	simtest.Check(t, "show-link -p", s.Run(nil, "dladm", "show-link", "-p", "-o", "link,class,mtu,state,bridge,over"),
		"e1000g0:phys:1500:up::\nstub0:etherstub:9000:unknown::\n", "", 0)
	simtest.Check(t, "show-phys", s.Run(nil, "dladm", "show-phys"),
		"LINK         MEDIA                STATE      SPEED  DUPLEX    DEVICE\n"+
			"e1000g0      Ethernet             up         1000   full      e1000g0\n", "", 0)
	simtest.Check(t, "show-etherstub", s.Run(nil, "dladm", "show-etherstub"), "LINK\nstub0\n", "", 0)
	simtest.Check(t, "no vnics", s.Run(nil, "dladm", "show-vnic"), "", "", 0)
}

func TestVNICLifecycle(t *testing.T) {
	s := simtest.New(t)
	s.OK("dladm", "create-vnic", "-l", "e1000g0", "-m", "2:8:20:5e:a:1b", "build1_0")
	s.OK("dladm", "create-vnic", "-t", "-l", "stub0", "-v", "12", "golden0")
	simtest.Check(t, "show-vnic", s.Run(nil, "dladm", "show-vnic"),
		"LINK         OVER       SPEED MACADDRESS        MACADDRTYPE VID  ZONE\n"+
			"build1_0     e1000g0    1000  2:8:20:5e:a:1b    fixed       0    --\n"+
			"golden0      stub0      0     "+mac(t, s, "golden0")+"random      12   --\n", "", 0)
	simtest.Check(t, "parseable several fields", s.Run(nil, "dladm", "show-vnic", "-p", "-o", "link,over,vid,macaddress", "build1_0"),
		"build1_0:e1000g0:0:2\\:8\\:20\\:5e\\:a\\:1b\n", "", 0)
	simtest.Check(t, "parseable one field", s.Run(nil, "dladm", "show-vnic", "-p", "-o", "MACADDRESS", "build1_0"),
		"2:8:20:5e:a:1b\n", "", 0)
	simtest.Check(t, "-l filter", s.Run(nil, "dladm", "show-vnic", "-p", "-o", "link", "-l", "stub0"), "golden0\n", "", 0)
	simtest.Check(t, "-P hides temporary", s.Run(nil, "dladm", "show-vnic", "-P", "-p", "-o", "link"), "build1_0\n", "", 0)
	if got := mac(t, s, "golden0"); !regexp.MustCompile(`^2:8:20:[0-9a-f]{1,2}:[0-9a-f]{1,2}:[0-9a-f]{1,2} +$`).MatchString(got) {
		t.Errorf("generated MAC %q is not 2:8:20:xx:xx:xx", got)
	}
	simtest.Check(t, "show-link of a vnic", s.Run(nil, "dladm", "show-link", "-p", "-o", "link,class,over", "golden0"),
		"golden0:vnic:stub0\n", "", 0)

	assignVNIC(t, s, "build1_0", "build1")
	simtest.Check(t, "zone column", s.Run(nil, "dladm", "show-vnic", "-p", "-o", "link,zone"),
		"build1_0:build1\ngolden0:--\n", "", 0)
	simtest.Check(t, "busy", s.Run(nil, "dladm", "delete-vnic", "build1_0"), "", "dladm: vnic deletion failed: link busy\n", 1)
	if err := dladm.ReleaseVNIC(s.Root, "build1_0"); err != nil {
		t.Fatal(err)
	}
	simtest.Check(t, "etherstub with a vnic", s.Run(nil, "dladm", "delete-etherstub", "stub0"), "", "dladm: etherstub deletion failed: link busy\n", 1)
	s.OK("dladm", "delete-vnic", "build1_0")
	s.OK("dladm", "delete-vnic", "golden0")
	s.OK("dladm", "delete-etherstub", "stub0")
	s.OK("dladm", "create-etherstub", "stub1")
	simtest.Check(t, "after deletes", s.Run(nil, "dladm", "show-link", "-p", "-o", "link"), "e1000g0\nstub1\n", "", 0)
}

// mac returns a VNIC's MAC address padded to the MACADDRESS column.
func mac(t *testing.T, s *simtest.Sim, link string) string {
	t.Helper()
	m := strings.TrimSpace(s.OK("dladm", "show-vnic", "-p", "-o", "macaddress", link))
	return m + strings.Repeat(" ", max(1, 18-len(m)))
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup [][]string
		args  []string
		out   string
		err   string
		code  int
	}{
		{name: "bad vnic name", args: []string{"create-vnic", "-l", "e1000g0", "vnic01"},
			err: "dladm: invalid link name 'vnic01'\n", code: 1},
		{name: "dash in name", args: []string{"create-vnic", "-l", "e1000g0", "my-vnic0"},
			err: "dladm: invalid link name 'my-vnic0'\n", code: 1},
		{name: "no such link", args: []string{"create-vnic", "-l", "nosuch0", "vnic0"},
			err: "dladm: invalid link name 'nosuch0'\n", code: 1},
		{name: "exists", setup: [][]string{{"create-vnic", "-l", "e1000g0", "vnic0"}},
			args: []string{"create-vnic", "-l", "e1000g0", "vnic0"},
			err:  "dladm: vnic creation over e1000g0 failed: object already exists\n", code: 1},
		{name: "bad vid", args: []string{"create-vnic", "-l", "e1000g0", "-v", "4095", "vnic0"},
			err: "dladm: invalid VLAN identifier '4095'\n", code: 1},
		{name: "vid zero", args: []string{"create-vnic", "-l", "e1000g0", "-v", "0", "vnic0"},
			err: "dladm: invalid VLAN identifier '0'\n", code: 1},
		{name: "bad mac", args: []string{"create-vnic", "-l", "e1000g0", "-m", "2:8:20", "vnic0"},
			err: "dladm: invalid MAC address\n", code: 1},
		{name: "delete unknown", args: []string{"delete-vnic", "vnic9"},
			err: "dladm: invalid link name 'vnic9'\n", code: 1},
		{name: "delete etherstub as vnic", args: []string{"delete-vnic", "stub0"},
			err: "dladm: 'stub0' is not a vnic\n", code: 1},
		{name: "delete vnic as etherstub", setup: [][]string{{"create-vnic", "-l", "e1000g0", "vnic0"}},
			args: []string{"delete-etherstub", "vnic0"},
			err:  "dladm: 'vnic0' is not an etherstub\n", code: 1},
		{name: "show unknown", args: []string{"show-vnic", "vnic9"},
			err: "dladm: invalid vnic name 'vnic9': object not found\n", code: 1},
		{name: "parseable without fields", args: []string{"show-vnic", "-p"},
			err: "dladm: output fields must be specified in parsable mode\n", code: 1},
		{name: "parseable all", args: []string{"show-vnic", "-p", "-o", "all"},
			err: "dladm: output field `all' invalid in parsable mode\n", code: 1},
		{name: "unknown field", args: []string{"show-vnic", "-p", "-o", "link,bogus"},
			err: "dladm: unknown output field: `bogus'\n", code: 1},
		{name: "bad option", args: []string{"delete-vnic", "-x", "vnic0"},
			err: "dladm: unrecognized option '-x'\nusage:     delete-vnic      [-t] <vnic-link>\n", code: 1},
		{name: "options after operands are permuted", args: []string{"create-vnic", "vnic0", "-l", "e1000g0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := simtest.New(t)
			for _, a := range tt.setup {
				s.OK("dladm", a...)
			}
			simtest.Check(t, strings.Join(tt.args, " "), s.Run(nil, "dladm", tt.args...), tt.out, tt.err, tt.code)
		})
	}
}

func TestPrivileges(t *testing.T) {
	s := simtest.New(t)
	builder := []string{core.EnvUID + "=1003"}
	jim := []string{core.EnvUID + "=1002"}
	simtest.Check(t, "builder", s.Run(builder, "dladm", "create-vnic", "-l", "e1000g0", "vnic0"), "",
		"dladm: vnic creation over e1000g0 failed: permission denied\n", 1)
	simtest.Check(t, "jim without pfexec", s.Run(jim, "dladm", "create-etherstub", "stub1"), "",
		"dladm: etherstub creation failed: permission denied\n", 1)
	simtest.Check(t, "jim via pfexec (Network Management)", s.Run(jim, "pfexec", "dladm", "create-vnic", "-l", "e1000g0", "vnic0"), "", "", 0)
	simtest.Check(t, "builder reads", s.Run(builder, "dladm", "show-vnic", "-p", "-o", "link"), "vnic0\n", "", 0)
}

// TestCreateVNICOverLinks: libdlvnic.c i_dladm_vnic_common() refuses a
// persistent VNIC over a temporary link (DLADM_STATUS_PERSIST_ON_TEMP)
// and any VNIC over a VNIC (DLADM_STATUS_BADARG); dladm dies with
// libdladm.c dladm_status2str()'s text, exit 1.
func TestCreateVNICOverLinks(t *testing.T) {
	s := simtest.New(t)
	s.OK("dladm", "create-etherstub", "-t", "tstub0")
	s.OK("dladm", "create-vnic", "-l", "e1000g0", "v0")
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{"persistent over temporary", []string{"create-vnic", "-l", "tstub0", "v1"},
			"dladm: vnic creation over tstub0 failed: can't create persistent object on top of temporary object\n"},
		{"vnic over vnic", []string{"create-vnic", "-l", "v0", "v2"},
			"dladm: vnic creation over v0 failed: invalid argument\n"},
		{"temporary vnic over vnic", []string{"create-vnic", "-t", "-l", "v0", "v2"},
			"dladm: vnic creation over v0 failed: invalid argument\n"},
		// dladm_vnic_create() creates the link id first.
		{"existing name before the link checks", []string{"create-vnic", "-l", "tstub0", "v0"},
			"dladm: vnic creation over tstub0 failed: object already exists\n"},
		{"missing link", []string{"create-vnic", "-l", "nosuch0", "v3"}, "dladm: invalid link name 'nosuch0'\n"},
	}
	for _, tt := range tests {
		simtest.Check(t, tt.name, s.Run(nil, "dladm", tt.args...), "", tt.err, 1)
	}
	s.OK("dladm", "create-vnic", "-t", "-l", "tstub0", "v4")
	simtest.Check(t, "vnics", s.Run(nil, "dladm", "show-vnic", "-p", "-o", "link,over"), "v0:e1000g0\nv4:tstub0\n", "", 0)
}

// TestShowLinkpropZone: "show-linkprop -p zone" (dladm.c
// do_show_linkprop()); -c is parsable output and needs -o (libofmt).
func TestShowLinkpropZone(t *testing.T) {
	s := simtest.New(t)
	s.OK("dladm", "create-vnic", "-l", "e1000g0", "v0")
	s.OK("dladm", "create-vnic", "-l", "stub0", "v1")
	assignVNIC(t, s, "v1", "build1")
	simtest.Check(t, "-c -o link,value", s.Run(nil, "dladm", "show-linkprop", "-p", "zone", "-c", "-o", "link,value"),
		"e1000g0:\nstub0:\nv0:\nv1:build1\n", "", 0)
	simtest.Check(t, "one link", s.Run(nil, "dladm", "show-linkprop", "-p", "zone", "-c", "-o", "value", "v1"), "build1\n", "", 0)
	simtest.Check(t, "human", s.Run(nil, "dladm", "show-linkprop", "-p", "zone", "v1"),
		"LINK         PROPERTY        PERM VALUE          DEFAULT        POSSIBLE\n"+
			"v1           zone            rw   build1         --             --\n", "", 0)
	simtest.Check(t, "-c without -o", s.Run(nil, "dladm", "show-linkprop", "-p", "zone", "-c"), "",
		"dladm: output fields must be specified in parsable mode\n", 1)
	simtest.Check(t, "unknown link", s.Run(nil, "dladm", "show-linkprop", "-p", "zone", "nosuch0"), "",
		"dladm: link nosuch0 is not valid: object not found\n", 1)
}

// TestShowLinkpropUnreadable: a property dladm cannot read prints its
// row with "?" fields and fails the run; the warning comes once for each
// run of unreadable properties in a row, for each link (dladm.c
// print_linkprop(): warned only while ls_status is OK, which a read
// property and show_linkprop_onelink() set back).
func TestShowLinkpropUnreadable(t *testing.T) {
	s := simtest.New(t)
	s.OK("dladm", "create-vnic", "-l", "stub0", "v1")
	assignVNIC(t, s, "v1", "build1")
	tests := []struct {
		name, props, link, out, err string
	}{
		{"two in a row, one warning", "bogus1,bogus2", "v1",
			"v1:bogus1:?\nv1:bogus2:?\n",
			"dladm: warning: cannot get link property 'bogus1' for v1: object not found\n"},
		{"a read property between, two warnings", "bogus1,zone,bogus2", "v1",
			"v1:bogus1:?\nv1:zone:build1\nv1:bogus2:?\n",
			"dladm: warning: cannot get link property 'bogus1' for v1: object not found\n" +
				"dladm: warning: cannot get link property 'bogus2' for v1: object not found\n"},
		{"each link its own", "bogus1", "",
			"e1000g0:bogus1:?\nstub0:bogus1:?\nv1:bogus1:?\n",
			"dladm: warning: cannot get link property 'bogus1' for e1000g0: object not found\n" +
				"dladm: warning: cannot get link property 'bogus1' for stub0: object not found\n" +
				"dladm: warning: cannot get link property 'bogus1' for v1: object not found\n"},
	}
	for _, tt := range tests {
		args := []string{"show-linkprop", "-c", "-o", "link,property,value", "-p", tt.props}
		if tt.link != "" {
			args = append(args, tt.link)
		}
		simtest.Check(t, tt.name, s.Run(nil, "dladm", args...), tt.out, tt.err, 1)
	}
	simtest.Check(t, "human", s.Run(nil, "dladm", "show-linkprop", "-p", "bogus1", "v1"),
		"LINK         PROPERTY        PERM VALUE          DEFAULT        POSSIBLE\n"+
			"v1           bogus1          ?    ?              ?              ?\n",
		"dladm: warning: cannot get link property 'bogus1' for v1: object not found\n", 1)
}

// A (MAC address, VLAN id) pair is given to one VNIC over a link only
// (mac_client.c mac_addr_in_use()): the same address is refused over the
// same link and VLAN, and taken over another VLAN or another link.
func TestVNICMACAddressInUse(t *testing.T) {
	s := simtest.New(t)
	s.OK("dladm", "create-vnic", "-l", "e1000g0", "-m", "2:8:20:1:2:3", "v0")
	simtest.Check(t, "same link, same VLAN", s.Run(nil, "dladm", "create-vnic", "-l", "e1000g0", "-m", "2:8:20:1:2:3", "v1"),
		"", "dladm: vnic creation over e1000g0 failed: MAC address is already in use\n", 1)
	s.OK("dladm", "create-vnic", "-l", "e1000g0", "-m", "2:8:20:1:2:3", "-v", "81", "v1")
	s.OK("dladm", "create-vnic", "-l", "stub0", "-m", "2:8:20:1:2:3", "v2")
	simtest.Check(t, "same link, same VLAN 81", s.Run(nil, "dladm", "create-vnic", "-l", "e1000g0", "-m", "2:8:20:1:2:3", "-v", "81", "v3"),
		"", "dladm: vnic creation over e1000g0 failed: MAC address is already in use\n", 1)
	simtest.Check(t, "the three", s.Run(nil, "dladm", "show-vnic", "-p", "-o", "link,over,vid"), "v0:e1000g0:0\nv1:e1000g0:81\nv2:stub0:0\n", "", 0)
}
