package dladm

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/rbac"
)

// dladmBinary is the real binary whose RBAC exec_attr entries govern dladm.
const dladmBinary = "/sbin/dladm"

// A command is one dladm subcommand: its usage text (as dladm.c's cmds
// table has it) and implementation.
type command struct {
	name     string
	usage    string
	mutating bool
}

// runner returns the implementation of a subcommand, or nil for those
// the sim does not implement.
func runner(name string) func(c *cmd, args []string) int {
	switch name {
	case "show-link":
		return (*cmd).showLink
	case "show-phys":
		return (*cmd).showPhys
	case "create-vnic":
		return (*cmd).createVNIC
	case "delete-vnic":
		return (*cmd).deleteVNIC
	case "show-vnic":
		return (*cmd).showVNIC
	case "create-etherstub":
		return (*cmd).createEtherstub
	case "delete-etherstub":
		return (*cmd).deleteEtherstub
	case "show-etherstub":
		return (*cmd).showEtherstub
	case "show-linkprop":
		return (*cmd).showLinkprop
	}
	return nil
}

// commands is dladm.c's cmds table, in order; the usage of the
// subcommands the sim does not implement is still part of dladm's full
// usage text.
var commands = []command{
	{"rename-link", "    rename-link      <oldlink> <newlink>", true},
	{"show-link", "    show-link        [-pP] [-o <field>,..] [-s [-i <interval>]] [<link>]\n", false},
	{"create-aggr", "    create-aggr      [-t] [-P <policy>] [-L <mode>] [-T <time>] [-u <address>]\n\t\t     -l <link> [-l <link>...] <link>", true},
	{"delete-aggr", "    delete-aggr      [-t] <link>", true},
	{"add-aggr", "    add-aggr         [-t] -l <link> [-l <link>...] <link>", true},
	{"remove-aggr", "    remove-aggr      [-t] -l <link> [-l <link>...] <link>", true},
	{"modify-aggr", "    modify-aggr      [-t] [-P <policy>] [-L <mode>] [-T <time>] [-u <address>]\n\t\t     <link>", true},
	{"show-aggr", "    show-aggr        [-pPLx] [-o <field>,..] [-s [-i <interval>]] [<link>]\n", false},
	{"scan-wifi", "    scan-wifi        [-p] [-o <field>,...] [<link>]", false},
	{"connect-wifi", "    connect-wifi     [-e <essid>] [-i <bssid>] [-k <key>,...] [-s wep|wpa]\n\t\t     [-a open|shared] [-b bss|ibss] [-c] [-m a|b|g] [-T <time>]\n\t\t     [<link>]", true},
	{"disconnect-wifi", "    disconnect-wifi  [-a] [<link>]", true},
	{"show-wifi", "    show-wifi        [-p] [-o <field>,...] [<link>]\n", false},
	{"set-linkprop", "    set-linkprop     [-t] -p <prop>=<value>[,...] <name>", true},
	{"reset-linkprop", "    reset-linkprop   [-t] [-p <prop>,...] <name>", true},
	{"show-linkprop", "    show-linkprop    [-cP] [-o <field>,...] [-p <prop>,...] <name>\n", false},
	{"show-ether", "    show-ether       [-px][-o <field>,...] <link>\n", false},
	{"create-secobj", "    create-secobj    [-t] [-f <file>] -c <class> <secobj>", true},
	{"delete-secobj", "    delete-secobj    [-t] <secobj>[,...]", true},
	{"show-secobj", "    show-secobj      [-pP] [-o <field>,...] [<secobj>,...]\n", false},
	{"create-vlan", "    create-vlan      [-ft] -l <link> -v <vid> [link]", true},
	{"delete-vlan", "    delete-vlan      [-t] <link>", true},
	{"show-vlan", "    show-vlan        [-pP] [-o <field>,..] [<link>]\n", false},
	{"create-iptun", "    create-iptun     [-t] -T <type> [-a {local|remote}=<addr>,...] <link>]", true},
	{"delete-iptun", "    delete-iptun     [-t] <link>", true},
	{"modify-iptun", "    modify-iptun     [-t] -a {local|remote}=<addr>,... <link>", true},
	{"show-iptun", "    show-iptun       [-pP] [-o <field>,..] [<link>]\n", false},
	{"delete-phys", "    delete-phys      <link>", true},
	{"show-phys", "    show-phys        [-m | -H | -P] [[-p] [-o <field>[,...]] [<link>]\n", false},
	{"create-vnic", "    create-vnic      [-t] -l <link> [-m <value> | auto |\n" +
		"\t\t     {factory [-n <slot-id>]} | {random [-r <prefix>]} |\n" +
		"\t\t     {vrrp -V <vrid> -A {inet | inet6}} [-v <vid> [-f]]\n" +
		"\t\t     [-p <prop>=<value>[,...]] <vnic-link>", true},
	{"delete-vnic", "    delete-vnic      [-t] <vnic-link>", true},
	{"show-vnic", "    show-vnic        [-pP] [-l <link>] [-s [-i <interval>]] [<link>]\n", false},
	{"create-part", "    create-part      [-t] [-f] -l <link> [-P <pkey>]\n\t\t     [-R <root-dir>] <part-link>", true},
	{"delete-part", "    delete-part      [-t] [-R <root-dir>] <part-link>", true},
	{"show-part", "    show-part        [-pP] [-o <field>,...][-l <linkover>]\n\t\t     [<part-link>]", false},
	{"show-ib", "    show-ib          [-p] [-o <field>,...] [<link>]\n", false},
	{"create-etherstub", "    create-etherstub [-t] <link>", true},
	{"delete-etherstub", "    delete-etherstub [-t] <link>", true},
	{"show-etherstub", "    show-etherstub   [-t] [<link>]\n", false},
	{"create-bridge", "    create-bridge    [-R <root-dir>] [-P <protect>] [-p <priority>]\n" +
		"\t\t     [-m <max-age>] [-h <hello-time>] [-d <forward-delay>]\n" +
		"\t\t     [-f <force-protocol>] [-l <link>]... <bridge>", true},
	{"modify-bridge", "    modify-bridge    [-R <root-dir>] [-P <protect>] [-p <priority>]\n" +
		"\t\t     [-m <max-age>] [-h <hello-time>] [-d <forward-delay>]\n" +
		"\t\t     [-f <force-protocol>] <bridge>", true},
	{"delete-bridge", "    delete-bridge    [-R <root-dir>] <bridge>", true},
	{"add-bridge", "    add-bridge       [-R <root-dir>] -l <link> [-l <link>]... <bridge>", true},
	{"remove-bridge", "    remove-bridge    [-R <root-dir>] -l <link> [-l <link>]... <bridge>", true},
	{"show-bridge", "    show-bridge      [-p] [-o <field>,...] [-s [-i <interval>]] [<bridge>]\n" +
		"    show-bridge      -l [-p] [-o <field>,...] [-s [-i <interval>]] <bridge>\n" +
		"    show-bridge      -f [-p] [-o <field>,...] [-s [-i <interval>]] <bridge>\n" +
		"    show-bridge      -t [-p] [-o <field>,...] [-s [-i <interval>]] <bridge>\n", false},
	{"show-usage", "    show-usage       [-a] [-d | -F <format>] [-s <DD/MM/YYYY,HH:MM:SS>]\n" +
		"\t\t     [-e <DD/MM/YYYY,HH:MM:SS>] -f <logfile> [<link>]", false},
}

// A cmd is one run of the simulated dladm.
type cmd struct {
	inv *core.Invocation
	c   command
}

// Main runs "dladm SUBCOMMAND ARGS..." and returns its exit status.
func Main(inv *core.Invocation) int {
	if len(inv.Args) == 0 {
		inv.Sub = "usage"
		return usage(inv)
	}
	sub := inv.Args[0]
	for _, c := range commands {
		if c.name != sub {
			continue
		}
		run := runner(sub)
		if run == nil {
			inv.Sub = sub
			inv.Errf("dladm: %s is not supported by the illumos simulator", sub)
			return 1
		}
		if code, injected := inv.Begin(sub, c.mutating); injected {
			return code
		}
		return run(&cmd{inv: inv, c: c}, inv.Args[1:])
	}
	inv.Sub = sub
	inv.Errf("dladm: unknown subcommand '%s'", sub)
	return usage(inv)
}

// usage prints dladm's full usage text and returns 1 (EXIT_FAILURE).
func usage(inv *core.Invocation) int {
	var b strings.Builder
	b.WriteString("usage:  dladm <subcommand> <args> ...\n")
	for _, c := range commands {
		b.WriteString(c.usage + "\n")
	}
	fmt.Fprint(inv.Stderr, b.String())
	return 1
}

// die prints "dladm: <msg>" and returns 1.
func (c *cmd) die(format string, a ...any) int {
	c.inv.Errf("dladm: "+format, a...)
	return 1
}

// An opt is one parsed option.
type opt struct {
	c   byte
	arg string
}

// getopt parses options like illumos getopt_long(): options may follow
// operands (argv is permuted), "--" ends them; long names map to short
// letters. On error it reports die_opterr()'s message and returns false.
func (c *cmd) getopt(args []string, optstring string, long map[string]byte) ([]opt, []string, bool) {
	optstring = strings.TrimPrefix(optstring, ":")
	takesArg := func(o byte) (bool, bool) {
		i := strings.IndexByte(optstring, o)
		if i < 0 || o == ':' {
			return false, false
		}
		return i+1 < len(optstring) && optstring[i+1] == ':', true
	}
	var opts []opt
	var operands []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return opts, append(operands, args[i+1:]...), true
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			o, ok := long[name]
			if !ok {
				c.die("unrecognized option '%s'\nusage: %s", a, c.c.usage)
				return nil, nil, false
			}
			needs, _ := takesArg(o)
			if needs && !hasVal {
				if i+1 >= len(args) {
					c.die("option '%s' requires a value\nusage: %s", a, c.c.usage)
					return nil, nil, false
				}
				i++
				val = args[i]
			}
			opts = append(opts, opt{c: o, arg: val})
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				needs, ok := takesArg(a[j])
				if !ok {
					c.die("unrecognized option '-%c'\nusage: %s", a[j], c.c.usage)
					return nil, nil, false
				}
				if !needs {
					opts = append(opts, opt{c: a[j]})
					continue
				}
				val := a[j+1:]
				if val == "" {
					if i+1 >= len(args) {
						c.die("option '-%c' requires a value\nusage: %s", a[j], c.c.usage)
						return nil, nil, false
					}
					i++
					val = args[i]
				}
				opts = append(opts, opt{c: a[j], arg: val})
				break
			}
		default:
			operands = append(operands, a)
		}
	}
	return opts, operands, true
}

// locked runs fn on the link table under the sim's state lock and saves
// it when the command changed it.
func (c *cmd) locked(fn func(t *table) (int, bool)) int {
	lock, err := c.inv.LockState()
	if err != nil {
		return c.die("%v", err)
	}
	defer lock.Unlock()
	t, err := load(c.inv.Root)
	if err != nil {
		return c.die("%v", err)
	}
	code, changed := fn(t)
	if changed {
		if err := t.save(c.inv.Root); err != nil {
			return c.die("%v", err)
		}
	}
	return code
}

// privileged reports whether the caller may change links: root, or
// pfexec with a profile entry for /sbin/dladm (Network Management).
func (c *cmd) privileged() bool {
	return rbac.Check(c.inv, dladmBinary) != rbac.None
}

func (c *cmd) createVNIC(args []string) int {
	opts, rest, ok := c.getopt(args, ":tfR:l:m:n:p:r:v:V:A:H", map[string]byte{
		"temporary": 't', "root-dir": 'R', "dev": 'd', "mac-address": 'm', "cpus": 'c',
		"bw-limit": 'b', "slot": 'n', "mac-prefix": 'r', "vrid": 'V', "address-family": 'A',
	})
	if !ok {
		return 1
	}
	var over, macType string
	var mac, prefix []byte
	vid, temporary, force, linkGiven := 0, false, false, false
	for _, o := range opts {
		switch o.c {
		case 't':
			temporary = true
		case 'l':
			over, linkGiven = o.arg, true
		case 'm':
			if macType != "" {
				return c.die("cannot specify -m option twice")
			}
			switch o.arg {
			case "fixed":
				return c.die("'fixed' is not a valid MAC address")
			case "auto", "random", "factory", "vrrp":
				macType = o.arg
			default:
				m, ok := parseMAC(o.arg)
				if !ok {
					return c.die("invalid MAC address")
				}
				macType, mac = "fixed", m
			}
		case 'r':
			p, ok := parseMACPrefix(o.arg)
			if !ok {
				return c.die("invalid MAC address prefix '%s'", o.arg)
			}
			prefix = p
		case 'v':
			if vid != 0 {
				return c.die("the option -v cannot be specified more than once")
			}
			n, err := strconv.Atoi(o.arg)
			if err != nil || n < 1 || n > 4094 {
				return c.die("invalid VLAN identifier '%s'", o.arg)
			}
			vid = n
		case 'f':
			force = true
		}
	}
	if macType == "" {
		macType = "auto"
	}
	if force && vid == 0 {
		return c.die("-f option can only be used with -v")
	}
	if prefix != nil && macType != "random" && macType != "fixed" {
		return usage(c.inv)
	}
	if !linkGiven || len(rest) != 1 {
		return usage(c.inv)
	}
	name := rest[0]
	if len(name) >= 32 {
		return c.die("link name too long '%s'", name)
	}
	if !validLinkName(name) {
		return c.die("invalid link name '%s'", name)
	}
	return c.locked(func(t *table) (int, bool) {
		// dladm.c do_create_vnic(): the -l link must exist
		// (dladm_name2info()); libdlvnic.c dladm_vnic_create() then
		// creates the new link id (DLADM_STATUS_EXIST) before
		// i_dladm_vnic_common() checks the link below: a persistent VNIC
		// may not sit on a temporary link (DLADM_STATUS_PERSIST_ON_TEMP)
		// and nothing sits on a VNIC or VLAN (DLADM_STATUS_BADARG);
		// die_dlerr() appends libdladm.c dladm_status2str()'s text.
		under, ok := t.Links[over]
		if !ok {
			return c.die("invalid link name '%s'", over), false
		}
		if _, exists := t.Links[name]; exists {
			return c.die("vnic creation over %s failed: object already exists", over), false
		}
		if !c.privileged() {
			return c.die("vnic creation over %s failed: permission denied", over), false
		}
		if !temporary && under.Temporary {
			return c.die("vnic creation over %s failed: can't create persistent object on top of temporary object", over), false
		}
		if under.Class == classVNIC {
			return c.die("vnic creation over %s failed: invalid argument", over), false
		}
		if macType == "factory" || macType == "vrrp" {
			// [derived] The simulated links have no factory MAC slots and no
			// VRRP support, which libdladm reports as DLADM_STATUS_NOTSUP.
			return c.die("vnic creation over %s failed: operation not supported", over), false
		}
		if macType != "fixed" {
			if prefix == nil {
				prefix = defaultMACPrefix
			}
			m, err := t.randomMAC(prefix)
			if err != nil {
				return c.die("vnic creation over %s failed: %v", over, err), false
			}
			mac, macType = m, "random"
		} else {
			// mac_client.c mac_unicast_add(), mac_addr_in_use(): a
			// (MAC address, VLAN id) pair is given to one client of the
			// link below only (MAC_DIAG_MACADDR_INUSE, libdlvnic.c
			// dladm_vnic_diag2status(): DLADM_STATUS_INVALIDMACADDRINUSE).
			for _, l := range t.Links {
				if l.Class == classVNIC && l.Over == over && l.VID == vid && string(l.MAC) == string(mac) {
					return c.die("vnic creation over %s failed: MAC address is already in use", over), false
				}
			}
		}
		t.Links[name] = &link{Name: name, Class: classVNIC, Over: over, MAC: mac, MACType: macType, VID: vid, Temporary: temporary}
		return 0, true
	})
}

// parseMACPrefix parses the -r prefix of a random MAC address.
func parseMACPrefix(s string) ([]byte, bool) {
	parts := strings.Split(s, ":")
	if len(parts) == 0 || len(parts) > 5 {
		return nil, false
	}
	out := make([]byte, len(parts))
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 16, 8)
		if err != nil || p == "" {
			return nil, false
		}
		out[i] = byte(n)
	}
	return out, out[0]&1 == 0
}

func (c *cmd) deleteVNIC(args []string) int {
	return c.deleteLink(args, classVNIC, "vnic")
}

func (c *cmd) deleteEtherstub(args []string) int {
	return c.deleteLink(args, classEtherstub, "etherstub")
}

// deleteLink implements delete-vnic and delete-etherstub.
func (c *cmd) deleteLink(args []string, class, what string) int {
	_, rest, ok := c.getopt(args, ":R:t", map[string]byte{"temporary": 't', "root-dir": 'R'})
	if !ok {
		return 1
	}
	if len(rest) != 1 {
		return usage(c.inv)
	}
	name := rest[0]
	return c.locked(func(t *table) (int, bool) {
		l, ok := t.Links[name]
		if !ok {
			return c.die("invalid link name '%s'", name), false
		}
		if l.Class != class {
			article := "a"
			if what == "etherstub" {
				article = "an"
			}
			return c.die("'%s' is not %s %s", name, article, what), false
		}
		if !c.privileged() {
			return c.die("%s deletion failed: permission denied", what), false
		}
		if l.Zone != "" {
			return c.die("%s deletion failed: link busy", what), false
		}
		for _, x := range t.Links {
			if x.Over == name {
				return c.die("%s deletion failed: link busy", what), false
			}
		}
		delete(t.Links, name)
		return 0, true
	})
}

func (c *cmd) createEtherstub(args []string) int {
	opts, rest, ok := c.getopt(args, ":tR:", map[string]byte{"temporary": 't', "root-dir": 'R'})
	if !ok {
		return 1
	}
	temporary := false
	for _, o := range opts {
		if o.c == 't' {
			temporary = true
		}
	}
	if len(rest) != 1 {
		return usage(c.inv)
	}
	name := rest[0]
	if len(name) >= 32 {
		return c.die("link name too long '%s'", name)
	}
	if !validLinkName(name) {
		return c.die("invalid link name '%s'", name)
	}
	return c.locked(func(t *table) (int, bool) {
		if _, exists := t.Links[name]; exists {
			return c.die("etherstub creation failed: object already exists"), false
		}
		if !c.privileged() {
			return c.die("etherstub creation failed: permission denied"), false
		}
		t.Links[name] = &link{Name: name, Class: classEtherstub, Temporary: temporary}
		return 0, true
	})
}

// vnicFields are show-vnic's columns (dladm.c vnic_fields[]).
var vnicFields = []field{
	{"LINK", 13}, {"OVER", 11}, {"SPEED", 6}, {"MACADDRESS", 18},
	{"MACADDRTYPE", 12}, {"VID", 5}, {"ZONE", 20},
}

// speedOf is the speed a link runs at: its own, or for a VNIC the speed
// of the link under it (0 over an etherstub).
func (t *table) speedOf(l *link) int {
	if l.Class == classVNIC {
		if u, ok := t.Links[l.Over]; ok {
			return t.speedOf(u)
		}
		return 0
	}
	return l.Speed
}

func (c *cmd) showVNIC(args []string) int {
	return c.showVNICs(args, false)
}

func (c *cmd) showEtherstub(args []string) int {
	return c.showVNICs(args, true)
}

// showVNICs implements show-vnic and show-etherstub
// (do_show_vnic_common()): each lists only its own class.
func (c *cmd) showVNICs(args []string, etherstub bool) int {
	opts, rest, ok := c.getopt(args, ":pPl:si:o:", map[string]byte{
		"statistics": 's', "continuous": 'S', "interval": 'i', "parsable": 'p', "parseable": 'p',
		"extended": 'x', "output": 'o', "persistent": 'P', "lacp": 'L',
	})
	if !ok {
		return 1
	}
	var parsable, persistent, oGiven bool
	var over, fields string
	for _, o := range opts {
		switch o.c {
		case 'p':
			parsable = true
		case 'P':
			persistent = true
		case 'l':
			if etherstub {
				return c.die("option not supported for this command")
			}
			over = o.arg
		case 'o':
			oGiven, fields = true, o.arg
		case 's', 'i':
			return c.die("statistics are not supported by the illumos simulator")
		}
	}
	if len(rest) > 1 {
		return usage(c.inv)
	}
	if etherstub && (!oGiven || strings.EqualFold(fields, "all")) {
		fields = "link"
	}
	return c.locked(func(t *table) (int, bool) {
		class, what := classVNIC, "vnic"
		if etherstub {
			class, what = classEtherstub, "etherstub"
		}
		var name string
		if len(rest) == 1 {
			name = rest[0]
			if _, ok := t.Links[name]; !ok {
				return c.die("invalid %s name '%s': object not found", what, name), false
			}
		}
		if over != "" {
			if _, ok := t.Links[over]; !ok {
				return c.die("invalid link name '%s': object not found", over), false
			}
		}
		o, oerr := newOfmt(c.inv.Stdout, vnicFields, fields, parsable)
		if oerr != nil {
			c.die("%s", oerr.msg)
			if oerr.fatal {
				return 1, false
			}
		}
		for _, l := range t.sorted(class) {
			if name != "" && l.Name != name || over != "" && l.Over != over || persistent && l.Temporary {
				continue
			}
			v := map[string]string{"LINK": l.Name}
			if l.Class == classVNIC {
				v["OVER"] = l.Over
				v["SPEED"] = strconv.Itoa(t.speedOf(l))
				v["MACADDRESS"] = formatMAC(l.MAC)
				v["MACADDRTYPE"] = l.MACType
				v["VID"] = strconv.Itoa(l.VID)
				v["ZONE"] = l.Zone
				if l.Zone == "" {
					v["ZONE"] = "--"
				}
			}
			o.print(v)
		}
		return 0, false
	})
}

// linkFields are show-link's columns (dladm.c link_fields[]).
var linkFields = []field{
	{"LINK", 12}, {"CLASS", 10}, {"MTU", 7}, {"STATE", 9}, {"BRIDGE", 11}, {"OVER", 30},
}

// mtuOf is a link's MTU: 1500 for Ethernet links, 9000 for etherstubs
// and the VNICs over them.
func (t *table) mtuOf(l *link) int {
	switch l.Class {
	case classEtherstub:
		return 9000
	case classVNIC:
		if u, ok := t.Links[l.Over]; ok {
			return t.mtuOf(u)
		}
	}
	if l.MTU > 0 {
		return l.MTU
	}
	return 1500
}

func (c *cmd) showLink(args []string) int {
	opts, rest, ok := c.getopt(args, ":pPsSi:o:", map[string]byte{
		"statistics": 's', "continuous": 'S', "interval": 'i', "parsable": 'p', "parseable": 'p',
		"extended": 'x', "output": 'o', "persistent": 'P', "lacp": 'L',
	})
	if !ok {
		return 1
	}
	var parsable, persistent bool
	var fields string
	for _, o := range opts {
		switch o.c {
		case 'p':
			parsable = true
		case 'P':
			persistent = true
		case 'o':
			fields = o.arg
		case 's', 'S', 'i':
			return c.die("statistics are not supported by the illumos simulator")
		}
	}
	if len(rest) > 1 {
		return usage(c.inv)
	}
	return c.locked(func(t *table) (int, bool) {
		if len(rest) == 1 {
			if _, ok := t.Links[rest[0]]; !ok {
				return c.die("link %s is not valid: object not found", rest[0]), false
			}
		}
		o, oerr := newOfmt(c.inv.Stdout, linkFields, fields, parsable)
		if oerr != nil {
			c.die("%s", oerr.msg)
			if oerr.fatal {
				return 1, false
			}
		}
		for _, l := range t.sorted(classPhys, classEtherstub, classVNIC) {
			if len(rest) == 1 && l.Name != rest[0] || persistent && l.Temporary {
				continue
			}
			state := "up"
			if l.Class == classEtherstub {
				state = "unknown"
			}
			o.print(map[string]string{
				"LINK": l.Name, "CLASS": l.Class, "MTU": strconv.Itoa(t.mtuOf(l)),
				"STATE": state, "BRIDGE": "", "OVER": l.Over,
			})
		}
		return 0, false
	})
}

// physFields are show-phys's columns (dladm.c phys_fields[]).
var physFields = []field{
	{"LINK", 13}, {"MEDIA", 21}, {"STATE", 11}, {"SPEED", 7}, {"DUPLEX", 10}, {"DEVICE", 13}, {"FLAGS", 7},
}

func (c *cmd) showPhys(args []string) int {
	opts, rest, ok := c.getopt(args, ":pPo:mH", map[string]byte{
		"parsable": 'p', "parseable": 'p', "output": 'o', "persistent": 'P',
	})
	if !ok {
		return 1
	}
	var parsable bool
	fields := "link,media,state,speed,duplex,device"
	for _, o := range opts {
		switch o.c {
		case 'p':
			parsable = true
		case 'o':
			fields = o.arg
		case 'm', 'H':
			return c.die("show-phys -%c is not supported by the illumos simulator", o.c)
		}
	}
	if parsable && !hasOpt(opts, 'o') {
		fields = ""
	}
	if len(rest) > 1 {
		return usage(c.inv)
	}
	return c.locked(func(t *table) (int, bool) {
		if len(rest) == 1 {
			if l, ok := t.Links[rest[0]]; !ok || l.Class != classPhys {
				return c.die("link %s is not valid: object not found", rest[0]), false
			}
		}
		o, oerr := newOfmt(c.inv.Stdout, physFields, fields, parsable)
		if oerr != nil {
			c.die("%s", oerr.msg)
			if oerr.fatal {
				return 1, false
			}
		}
		for _, l := range t.sorted(classPhys) {
			if len(rest) == 1 && l.Name != rest[0] {
				continue
			}
			o.print(map[string]string{
				"LINK": l.Name, "MEDIA": "Ethernet", "STATE": "up", "SPEED": strconv.Itoa(l.Speed),
				"DUPLEX": "full", "DEVICE": l.Name, "FLAGS": "",
			})
		}
		return 0, false
	})
}

func hasOpt(opts []opt, c byte) bool {
	for _, o := range opts {
		if o.c == c {
			return true
		}
	}
	return false
}
