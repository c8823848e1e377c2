package zones

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/zfs"
)

// This file is zfs(8) run inside a zone, served by the zone's simulated
// kernel (userland_kernel.go). The kernel's zone_dataset_visible()
// (usr/src/uts/common/os/zone.c) decides what a zone sees: a dataset
// delegated to it (zonecfg "add dataset") and everything below it,
// snapshots included, visible and writable; the ancestors of a delegated
// dataset visible but read-only; nothing else, which the zone's zfs then
// reports as not existing. [unconfirmed]: whether zoneadmd also makes an
// ipkg zone's own boot environment datasets (<zonepath>/ROOT) visible;
// the sim shows only the configured datasets.
//
// The subset a build farm uses is simulated: list, get, create, snapshot
// and destroy; the listings are the global zone's zfs output limited to
// the visible datasets, and the changes run the global zone's zfs once
// the target is known to be writable in the zone.

// zoneVisibility returns whether a dataset is visible in the zone and
// whether it is writable (zone_dataset_visible_inzone()).
func zoneVisibility(delegated []string, name string) (visible, writable bool) {
	for _, d := range delegated {
		if name == d || strings.HasPrefix(name, d+"/") || strings.HasPrefix(name, d+"@") {
			return true, true
		}
	}
	for _, d := range delegated {
		if strings.HasPrefix(d, strings.TrimSuffix(name, "/")+"/") {
			return true, false
		}
	}
	return false, false
}

// delegatedDatasets are the zone's configured datasets.
func (k *zoneKernel) delegatedDatasets() ([]string, *Config, error) {
	c, err := LoadConfig(k.gzRoot, k.zone)
	if err != nil {
		return nil, nil, err
	}
	var out []string
	for _, d := range c.Dataset {
		out = append(out, d.Name)
	}
	return out, c, nil
}

// gzZfs runs the sim's zfs in the global zone.
func (k *zoneKernel) gzZfs(stdin io.Reader, stdout, stderr io.Writer, args ...string) int {
	return zfs.Main(&core.Invocation{Root: k.gzRoot, Tool: "zfs", Args: args,
		Stdin: stdin, Stdout: stdout, Stderr: stderr})
}

// zfs serves one zfs command of the zone.
func (k *zoneKernel) zfs(c *kernelCall) int {
	delegated, cfg, err := k.delegatedDatasets()
	if err != nil {
		fmt.Fprintf(c.stderr, "internal error: %v\n", err)
		return 1
	}
	if len(c.args) == 0 || c.args[0] == "-?" {
		// The usage, printed before any dataset is read.
		return k.gzZfs(c.stdin, c.stdout, c.stderr, c.args...)
	}
	sub := c.args[0]
	switch sub {
	case "list":
		return k.zfsListing(c, delegated, "HS:d:o:prs:t:", 0)
	case "get":
		return k.zfsListing(c, delegated, "d:o:s:rt:Hp", 1)
	case "create":
		return k.zfsCreate(c, delegated, cfg)
	case "snapshot", "snap":
		return k.zfsChange(c, delegated, "ro:", "cannot create snapshot '%s': permission denied")
	case "destroy":
		return k.zfsChange(c, delegated, "dnpRrvf", "cannot destroy '%s': permission denied")
	}
	if _, err := zfsSubcommandKnown(sub); err != nil {
		return k.gzZfs(c.stdin, c.stdout, c.stderr, c.args...)
	}
	fmt.Fprintf(c.stderr, "zfs %s: not supported inside a zone by the illumos simulator\n", sub)
	return 2
}

// zfsSubcommandKnown reports an error for a subcommand zfs does not
// have, so that zfs itself prints "unrecognized command".
func zfsSubcommandKnown(sub string) (bool, error) {
	switch sub {
	case "create", "destroy", "snapshot", "snap", "rollback", "clone", "promote", "rename", "bookmark",
		"program", "list", "set", "get", "inherit", "upgrade", "userspace", "groupspace", "projectspace",
		"mount", "unmount", "umount", "share", "unshare", "send", "receive", "recv", "allow", "unallow",
		"hold", "holds", "release", "diff", "remap", "load-key", "unload-key", "change-key", "channel":
		return true, nil
	}
	return false, fmt.Errorf("unknown subcommand %s", sub)
}

// zfsListing runs list or get for the zone: first the names the command
// would show (a global-zone "zfs list -H -o name" with the same
// recursion, types and operands), limited to the visible ones, then the
// command itself on exactly those datasets. props is the number of
// operands before the datasets (get's property list).
func (k *zoneKernel) zfsListing(c *kernelCall, delegated []string, spec string, props int) int {
	sub := c.args[0]
	opts, optind, bad := getopt(c.args[1:], spec)
	rest := c.args[1+optind:]
	if bad != 0 || len(rest) < props {
		// An option or usage error: zfs fails before reading datasets.
		return k.gzZfs(c.stdin, c.stdout, c.stderr, c.args...)
	}
	names := []string{"list", "-H", "-o", "name"}
	if sub == "get" {
		names = append(names, "-t", "all")
	}
	cmd := []string{sub}
	scripted := false
	for _, o := range opts {
		switch o.opt {
		case 'r':
			names = append(names, "-r")
		case 'd':
			names = append(names, "-d", o.arg)
		case 't':
			names = append(names, "-t", o.arg)
			cmd = append(cmd, "-t", o.arg)
		case 'H':
			scripted = true
			cmd = append(cmd, "-H")
		default:
			cmd = append(cmd, "-"+string(o.opt))
			if strings.Contains(spec, string(o.opt)+":") {
				cmd = append(cmd, o.arg)
			}
		}
	}
	cmd = append(cmd, rest[:props]...)
	failed := false
	var operands []string
	for _, ds := range rest[props:] {
		if visible, _ := zoneVisibility(delegated, ds); !visible {
			fmt.Fprintf(c.stderr, "cannot open '%s': dataset does not exist\n", ds)
			failed = true
			continue
		}
		operands = append(operands, ds)
	}
	var shown []string
	if !failed || len(operands) > 0 {
		var out bytes.Buffer
		if k.gzZfs(c.stdin, &out, c.stderr, append(names, operands...)...) != 0 {
			failed = true
		}
		for _, n := range splitLines(out.String()) {
			if visible, _ := zoneVisibility(delegated, n); visible {
				shown = append(shown, n)
			}
		}
	}
	code := 0
	if failed {
		code = 1
	}
	if len(shown) == 0 {
		if !failed && !scripted && sub == "list" {
			fmt.Fprint(c.stdout, "no datasets available\n")
		}
		return code
	}
	if k.gzZfs(c.stdin, c.stdout, c.stderr, append(cmd, shown...)...) != 0 {
		code = 1
	}
	return code
}

// zfsCreate creates a dataset below a delegated one and, as zfs create in
// a zone does, mounts it at its mountpoint inside the zone (illumos-gate
// usr/src/cmd/zfs/zfs_main.c zfs_do_create(): "filesystem successfully
// created, but not mounted" when the mount fails). The refusals are
// libzfs_dataset.c check_parents()'s: an invisible pool is "no such pool
// '%s'", an invisible parent "parent does not exist", and a visible
// parent that is not zoned (in the global zone's eyes, not delegated)
// EPERM, "permission denied".
func (k *zoneKernel) zfsCreate(c *kernelCall, delegated []string, cfg *Config) int {
	_, optind, bad := getopt(c.args[1:], "V:b:so:p")
	rest := c.args[1+optind:]
	if bad != 0 || len(rest) != 1 {
		return k.gzZfs(c.stdin, c.stdout, c.stderr, c.args...)
	}
	name := rest[0]
	parent := name
	if i := strings.LastIndex(name, "/"); i >= 0 {
		parent = name[:i]
	}
	writable := false
	for _, d := range delegated {
		if strings.HasPrefix(name, d+"/") {
			writable = true
		}
	}
	pool, _, _ := strings.Cut(name, "/")
	switch poolVisible, _ := zoneVisibility(delegated, pool); {
	case writable && c.uid != 0:
		// [sim] The zone has no "zfs allow" delegations.
		fmt.Fprintf(c.stderr, "cannot create '%s': permission denied\n", name)
		return 1
	case writable:
	case !poolVisible:
		fmt.Fprintf(c.stderr, "cannot create '%s': no such pool '%s'\n", name, pool)
		return 1
	default:
		if visible, _ := zoneVisibility(delegated, parent); visible {
			fmt.Fprintf(c.stderr, "cannot create '%s': permission denied\n", name)
		} else {
			fmt.Fprintf(c.stderr, "cannot create '%s': parent does not exist\n", name)
		}
		return 1
	}
	if code := k.gzZfs(c.stdin, c.stdout, c.stderr, c.args...); code != 0 {
		return code
	}
	if err := k.mountInZone(name, cfg); err != nil {
		fmt.Fprintf(c.stderr, "%v\n", err)
		fmt.Fprint(c.stderr, "filesystem successfully created, but not mounted\n")
		return 1
	}
	return 0
}

// mountInZone mounts a new filesystem of the zone at its mountpoint
// below the zone root (a zoned dataset's mountpoint is relative to the
// zone's root), when it has a path mountpoint and canmount=on.
func (k *zoneKernel) mountInZone(name string, cfg *Config) error {
	inv := &core.Invocation{Root: k.gzRoot}
	lock, err := inv.LockState()
	if err != nil {
		return err
	}
	defer lock.Unlock()
	zs, err := zfs.Open(k.gzRoot)
	if err != nil {
		return err
	}
	mp, _, err := zs.GetProp(name, "mountpoint")
	if err != nil || !strings.HasPrefix(mp, "/") {
		return nil
	}
	if cm, _, err := zs.GetProp(name, "canmount"); err != nil || cm != "on" {
		return nil
	}
	if t, _, err := zs.GetProp(name, "type"); err != nil || t != "filesystem" {
		return nil
	}
	if err := zs.MountLegacy(name, path.Join(cfg.Zonepath, "root", mp)); err != nil {
		return err
	}
	return zs.Save()
}

// zfsChange runs snapshot or destroy on datasets writable in the zone.
func (k *zoneKernel) zfsChange(c *kernelCall, delegated []string, spec, denied string) int {
	_, optind, bad := getopt(c.args[1:], spec)
	rest := c.args[1+optind:]
	if bad != 0 || len(rest) == 0 {
		return k.gzZfs(c.stdin, c.stdout, c.stderr, c.args...)
	}
	for _, target := range rest {
		ds, _, _ := strings.Cut(target, "@")
		visible, writable := zoneVisibility(delegated, ds)
		switch {
		case !visible:
			fmt.Fprintf(c.stderr, "cannot open '%s': dataset does not exist\n", ds)
			return 1
		case !writable || c.uid != 0:
			fmt.Fprintf(c.stderr, denied+"\n", target)
			return 1
		}
	}
	return k.gzZfs(c.stdin, c.stdout, c.stderr, c.args...)
}
