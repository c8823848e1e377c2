package zones

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/dladm"
)

// This file is a zone's view of the network, served by its simulated
// kernel (userland_kernel.go): ifconfig(8) and dladm(8) run inside the
// zone.

// An ipInterface is one IP interface (instance) plumbed in the zone.
type ipInterface struct {
	name  string
	v6    bool
	flags string // print_flags(): hex value and names
	mtu   int
	index int
	addr  string // IPv4 dotted quad, or IPv6 address/prefix
	mask  net.IPMask
	bcast string // IPv4 broadcast address; "" without IFF_BROADCAST
	link  string // the datalink whose MAC print_ifether() shows; "" none
}

// The flags of the interfaces the sim plumbs, as print_flags() prints
// them (ifconfig.c if_flags_tbl[] order) [obs: the values are those
// illumos shows for a loopback and an Ethernet interface].
const (
	flagsLoopback4 = "2001000849<UP,LOOPBACK,RUNNING,MULTICAST,IPv4,VIRTUAL>"
	flagsLoopback6 = "2002000849<UP,LOOPBACK,RUNNING,MULTICAST,IPv6,VIRTUAL>"
	flagsEthernet4 = "1000843<UP,BROADCAST,RUNNING,MULTICAST,IPv4>"
)

// zoneInterfaces returns the zone's IP interfaces in the order the
// kernel lists them (SIOCGLIFCONF: IPv4 instances, then IPv6).
//
// An exclusive-IP zone has its own IP stack: lo0 (svc:/network/loopback,
// index 1, IPv4 and IPv6) and each net resource whose allowed-address
// zoneadmd configures at boot [unconfirmed: illumos-gate and OmniOS
// zoneadmd vplat.c configure allowed-address in the zone; a net without
// one is not plumbed until the zone's own ipadm configuration does it,
// which the sim does not simulate]. A shared-IP zone sees logical
// interfaces of the global zone's stack: lo0:1 and <physical>:N for each
// net's address [unconfirmed: the logical numbering and index values].
func zoneInterfaces(c *Config) []ipInterface {
	var v4, v6 []ipInterface
	if c.IPTypeOrDefault() == "exclusive" {
		v4 = append(v4, ipInterface{name: "lo0", flags: flagsLoopback4, mtu: 8232, index: 1,
			addr: "127.0.0.1", mask: net.CIDRMask(8, 32)})
		index := 1
		for _, n := range c.Net {
			if n.AllowedAddress == "" {
				continue
			}
			addr, mask, ok := parseAddress(n.AllowedAddress)
			if !ok {
				continue
			}
			index++
			v4 = append(v4, ipInterface{name: n.Physical, flags: flagsEthernet4, mtu: 1500, index: index,
				addr: addr.String(), mask: mask, bcast: broadcast(addr, mask).String(), link: n.Physical})
		}
		v6 = append(v6, ipInterface{name: "lo0", v6: true, flags: flagsLoopback6, mtu: 8252, index: 1, addr: "::1/128"})
		return append(v4, v6...)
	}
	v4 = append(v4, ipInterface{name: "lo0:1", flags: flagsLoopback4, mtu: 8232, index: 1,
		addr: "127.0.0.1", mask: net.CIDRMask(8, 32)})
	logical := map[string]int{}
	for _, n := range c.Net {
		if n.Address == "" || n.Physical == "" {
			continue
		}
		addr, mask, ok := parseAddress(n.Address)
		if !ok {
			continue
		}
		logical[n.Physical]++
		v4 = append(v4, ipInterface{name: fmt.Sprintf("%s:%d", n.Physical, logical[n.Physical]),
			flags: flagsEthernet4, mtu: 1500, index: 2, addr: addr.String(), mask: mask,
			bcast: broadcast(addr, mask).String()})
	}
	v6 = append(v6, ipInterface{name: "lo0:1", v6: true, flags: flagsLoopback6, mtu: 8252, index: 1, addr: "::1/128"})
	return append(v4, v6...)
}

// parseAddress reads "a.b.c.d[/prefix]"; without a prefix the mask is
// the address's class mask [derived: ifconfig in_getmask() falls back to
// getnetmaskbyaddr(), which without /etc/netmasks entries gives the
// classful mask].
func parseAddress(s string) (net.IP, net.IPMask, bool) {
	if ip, n, err := net.ParseCIDR(s); err == nil {
		if ip4 := ip.To4(); ip4 != nil {
			return ip4, n.Mask, true
		}
		return nil, nil, false
	}
	ip := net.ParseIP(s).To4()
	if ip == nil {
		return nil, nil, false
	}
	switch {
	case ip[0] < 128:
		return ip, net.CIDRMask(8, 32), true
	case ip[0] < 192:
		return ip, net.CIDRMask(16, 32), true
	}
	return ip, net.CIDRMask(24, 32), true
}

func broadcast(ip net.IP, mask net.IPMask) net.IP {
	b := make(net.IP, 4)
	for i := range b {
		b[i] = ip[i] | ^mask[i]
	}
	return b
}

// ifconfig serves "ifconfig -a[46DuZd]" and "ifconfig <interface>
// [inet|inet6]" inside the zone with the status output of ifconfig.c
// (ifstatus(), in_status(), in6_status(), print_ifether() via
// revarp.c dlpi_print_address()). Configuring interfaces is not
// simulated.
func (k *zoneKernel) ifconfig(c *kernelCall) int {
	cfg, err := LoadConfig(k.gzRoot, k.zone)
	if err != nil {
		fmt.Fprintf(c.stderr, "ifconfig: %v\n", err)
		return 1
	}
	ifs := zoneInterfaces(cfg)
	args := c.args
	switch {
	case len(args) == 1 && strings.HasPrefix(args[0], "-a") && strings.Trim(args[0][2:], "46DuZd") == "":
		only4, only6 := strings.Contains(args[0], "4"), strings.Contains(args[0], "6")
		down := strings.Contains(args[0], "d")
		for _, i := range ifs {
			// Every simulated interface is up (-d lists none).
			if down || only4 && i.v6 || only6 && !i.v6 {
				continue
			}
			k.printInterface(c, i)
		}
		return 0
	case len(args) == 1 || len(args) == 2 && (args[1] == "inet" || args[1] == "inet6"):
		v6 := len(args) == 2 && args[1] == "inet6"
		for _, i := range ifs {
			if i.name == args[0] && i.v6 == v6 {
				k.printInterface(c, i)
				return 0
			}
		}
		// status(): Perror0_exit("status: SIOCGLIFFLAGS") for ENXIO.
		fmt.Fprintf(c.stderr, "ifconfig: status: SIOCGLIFFLAGS: %s: no such interface\n", args[0])
		return 1
	}
	fmt.Fprintf(c.stderr, "ifconfig: %s: not supported by the illumos simulator (only the status forms are)\n",
		strings.Join(args, " "))
	return 1
}

// printInterface prints one interface as status() does.
func (k *zoneKernel) printInterface(c *kernelCall, i ipInterface) {
	w := c.stdout
	fmt.Fprintf(w, "%s: flags=%s mtu %d index %d\n", i.name, i.flags, i.mtu, i.index)
	if i.v6 {
		fmt.Fprintf(w, "\tinet6 %s \n", i.addr)
	} else {
		fmt.Fprintf(w, "\tinet %s netmask %s ", i.addr, hexMask(i.mask))
		if i.bcast != "" {
			fmt.Fprintf(w, "broadcast %s", i.bcast)
		}
		fmt.Fprint(w, "\n")
	}
	// dlpi_print_address() prints nothing when dlpi_open() fails, as it
	// does for a caller without net_rawaccess (a non-root user)
	// [derived].
	if i.link != "" && c.uid == 0 {
		if mac := k.linkMAC(i.link); mac != "" {
			fmt.Fprintf(w, "\tether %s \n", mac)
		}
	}
}

// hexMask is in_status()'s "netmask %x".
func hexMask(m net.IPMask) string {
	if len(m) != 4 {
		return "0"
	}
	return strconv.FormatUint(uint64(m[0])<<24|uint64(m[1])<<16|uint64(m[2])<<8|uint64(m[3]), 16)
}

// linkMAC returns a VNIC's MAC address as dladm prints it (%x octets,
// which is also _link_ntoa()'s format).
func (k *zoneKernel) linkMAC(link string) string {
	var out bytes.Buffer
	if k.gzDladm(&out, io.Discard, 0, "show-vnic", "-p", "-o", "macaddress", link) != 0 {
		return ""
	}
	return strings.TrimSpace(out.String())
}

// gzDladm runs the sim's dladm on the global zone's link table.
func (k *zoneKernel) gzDladm(stdout, stderr io.Writer, uid int, args ...string) int {
	return dladm.Main(&core.Invocation{Root: k.gzRoot, Tool: "dladm", Args: args,
		Stdin: strings.NewReader(""), Stdout: stdout, Stderr: stderr, UID: uid})
}

// zoneLinks returns the data links assigned to the running zone (at
// boot, lifecycle.go makeReady()): the only links a zone sees.
func (k *zoneKernel) zoneLinks() map[string]bool {
	links := map[string]bool{}
	kt, err := ReadKernel(k.gzRoot)
	if err != nil {
		return links
	}
	if kz := kt.Zones[k.zone]; kz != nil {
		for _, l := range kz.VNICs {
			links[l] = true
		}
	}
	return links
}

// dladm serves dladm inside the zone. A zone sees only its own links:
// show-link and show-vnic list those (the global zone's output, rows of
// other links left out), and a name the zone cannot see is not found.
// Every subcommand that changes links is refused as the kernel refuses a
// zone without sys_dl_config (the ipkg brand's privilege sets in
// config.xml do not include it) [derived]: it runs on a copy of the
// zone's view of the link table as an unprivileged caller, so dladm's
// own checks print their texts ("vnic creation over <link> failed:
// permission denied"). Other show subcommands are not simulated in a
// zone.
func (k *zoneKernel) dladm(c *kernelCall) int {
	if len(c.args) == 0 {
		return k.gzDladm(c.stdout, c.stderr, 0)
	}
	links := k.zoneLinks()
	switch sub := c.args[0]; sub {
	case "show-link", "show-vnic":
		return k.dladmShow(c, links)
	default:
		if strings.HasPrefix(sub, "show-") {
			fmt.Fprintf(c.stderr, "dladm: %s inside a zone is not supported by the illumos simulator\n", sub)
			return 1
		}
		return k.dladmDenied(c, links)
	}
}

// dladmShow runs show-link or show-vnic for the zone.
func (k *zoneKernel) dladmShow(c *kernelCall, links map[string]bool) int {
	sub := c.args[0]
	spec := "pPsSi:o:"
	if sub == "show-vnic" {
		spec = "pPl:si:o:"
	}
	opts, optind, bad := getopt(c.args[1:], spec)
	for _, a := range c.args[1:] {
		if strings.HasPrefix(a, "--") && a != "--" {
			bad = '-'
		}
	}
	if bad != 0 {
		if bad == '-' {
			fmt.Fprintf(c.stderr, "dladm: long options inside a zone are not supported by the illumos simulator\n")
			return 1
		}
		// An invalid option: dladm fails before reading any link.
		return k.gzDladm(c.stdout, c.stderr, 0, c.args...)
	}
	operands := c.args[1+optind:]
	index := []string{sub, "-p", "-o", "link"}
	parsable := false
	for _, o := range opts {
		switch o.opt {
		case 'p':
			parsable = true
		case 'P':
			index = append(index, "-P")
		case 'l':
			index = append(index, "-l", o.arg)
		}
	}
	// dladm.c do_show_link() ("link %s is not valid") and
	// do_show_vnic_common(): the vnic operand ("invalid vnic name '%s'")
	// is looked up before the -l link ("invalid link name '%s'"); both
	// through dladm_name2info(), which finds no link outside the zone
	// (DLADM_STATUS_NOTFOUND, "object not found").
	if len(operands) == 1 && !links[operands[0]] {
		if sub == "show-link" {
			fmt.Fprintf(c.stderr, "dladm: link %s is not valid: object not found\n", operands[0])
		} else {
			fmt.Fprintf(c.stderr, "dladm: invalid vnic name '%s': object not found\n", operands[0])
		}
		return 1
	}
	for _, o := range opts {
		if o.opt == 'l' && !links[o.arg] {
			fmt.Fprintf(c.stderr, "dladm: invalid link name '%s': object not found\n", o.arg)
			return 1
		}
	}
	index = append(index, operands...)
	var names, out bytes.Buffer
	code := k.gzDladm(&out, c.stderr, 0, c.args...)
	if code != 0 && out.Len() == 0 {
		return code
	}
	if k.gzDladm(&names, io.Discard, 0, index...) != 0 {
		fmt.Fprintf(c.stderr, "dladm: the simulated zone view of %s failed\n", sub)
		return 1
	}
	rowNames := splitLines(names.String())
	lines := splitLines(out.String())
	var header string
	var rows []string
	for i, line := range lines {
		// ofmt repeats the header every 24 lines in human mode.
		if !parsable && i%24 == 0 {
			header = line
			continue
		}
		rows = append(rows, line)
	}
	if len(rows) != len(rowNames) {
		fmt.Fprintf(c.stderr, "dladm: the simulated zone view of %s failed\n", sub)
		return 1
	}
	kept := 0
	for i, row := range rows {
		if !links[rowNames[i]] {
			continue
		}
		if !parsable && kept%23 == 0 {
			fmt.Fprintln(c.stdout, header)
		}
		fmt.Fprintln(c.stdout, row)
		kept++
	}
	return code
}

// splitLines splits output into lines without the final newline.
func splitLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// dladmDenied runs a changing subcommand on a scratch copy of the
// zone's view of the link table as an unprivileged caller.
func (k *zoneKernel) dladmDenied(c *kernelCall, links map[string]bool) int {
	dir, err := tempRootDir()
	if err != nil {
		fmt.Fprintf(c.stderr, "dladm: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	// The link table is package dladm's file; the zone's view keeps its
	// entries for the zone's links only.
	var table map[string]map[string]json.RawMessage
	b, err := os.ReadFile(filepath.Join(k.gzRoot, core.SimDir, "dladm.json"))
	if err == nil {
		err = json.Unmarshal(b, &table)
	}
	if err != nil {
		fmt.Fprintf(c.stderr, "dladm: %v\n", err)
		return 1
	}
	for name := range table["links"] {
		if !links[name] {
			delete(table["links"], name)
		}
	}
	if b, err = json.Marshal(table); err == nil {
		err = os.WriteFile(filepath.Join(dir, core.SimDir, "dladm.json"), b, 0o644)
	}
	if err != nil {
		fmt.Fprintf(c.stderr, "dladm: %v\n", err)
		return 1
	}
	return dladm.Main(&core.Invocation{Root: dir, Tool: "dladm", Args: c.args,
		Stdin: c.stdin, Stdout: c.stdout, Stderr: c.stderr, UID: 60001})
}
