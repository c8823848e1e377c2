// Package zones owns the zones half of the simulated illumos global zone:
// the zone configurations (/etc/zones/index and /etc/zones/<zone>.xml in
// libzonecfg's formats), the simulated kernel's table of ready, running
// and mounted zones, and the commands zonecfg, zoneadm, zlogin, svcs and
// svcadm, which follow illumos-commands.md §1-§5 and §10 in their output
// formats, state rules, error texts and exit codes. Installing a zone lays
// out its ZFS datasets through package zfs and populates a real zone root
// (a static busybox and the sim's own tools) that zlogin runs commands in,
// chrooted, as the zone's users; a mounted zone runs in its scratch root
// instead (scratch.go). Cloning runs the brand's system-unconfigure
// (unconfigure.go), and a zone's services answer svcs, in the zone or
// from the global zone with -z, while the zone runs.
package zones

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/zonemgr/zonemgr/sim/core"
)

// Main runs one of zonecfg, zoneadm, zlogin, svcs and svcadm, chosen by
// inv.Tool, and returns its exit code.
func Main(inv *core.Invocation) int {
	switch inv.Tool {
	case "zonecfg":
		return zonecfgMain(inv)
	case "zoneadm":
		return zoneadmMain(inv)
	case "zlogin":
		return zloginMain(inv)
	case "svcs":
		return svcsMain(inv)
	case "svcadm":
		return svcadmMain(inv)
	case "pgrep":
		return pgrepMain(inv)
	}
	inv.Errf("illumos-sim: zones: unknown command %q", inv.Tool)
	return 2
}

// Init creates the zone configuration store of a fresh simulated global
// zone under root: /etc/zones with the index (the global zone only) and
// the templates of the root's flavour (flavor.go), which
// "illumos-sim init" records before it calls Init.
func Init(root string) error {
	f, err := core.ReadFlavor(root)
	if err != nil {
		return fmt.Errorf("init zones: %w", err)
	}
	dir := filepath.Join(root, "etc", "zones")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("init zones: %w", err)
	}
	if err := writeTemplates(dir, f); err != nil {
		return fmt.Errorf("init zones: %w", err)
	}
	ix := &Index{Header: append([]string(nil), indexHeader...),
		Entries: []IndexEntry{{Name: "global", State: StateInstalled, Zonepath: "/"}}}
	if err := ix.Write(root); err != nil {
		return fmt.Errorf("init zones: %w", err)
	}
	if err := (&Kernel{Zones: map[string]*KernelZone{}}).Write(root); err != nil {
		return fmt.Errorf("init zones: %w", err)
	}
	return nil
}
