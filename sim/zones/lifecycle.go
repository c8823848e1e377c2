package zones

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/zonemgr/zonemgr/sim/dladm"
	"github.com/zonemgr/zonemgr/sim/zfs"
)

// EnvBootDelay (seconds, default 0) makes a booted zone's milestones come
// online only that long after boot, so svcs first reports "offline*".
// It stands for the time SMF takes in a real zone (3 to 30 s): "zoneadm
// boot" itself returns at once, as zoneadmd returns once the zone's init
// runs, and every boot of the zone (boot, reboot, shutdown -r, an init 6
// inside the zone) waits it again, read from the environment of the
// command that boots.
const EnvBootDelay = "ILLUMOS_SIM_BOOT_DELAY"

// bootDelay reads EnvBootDelay: a number of seconds ("3", "0.5"), or a
// Go duration ("3s", "1500ms"). Anything else is refused, so a bench
// that mistypes it learns so instead of timing boots without a delay.
func bootDelay() (time.Duration, error) {
	v := os.Getenv(EnvBootDelay)
	if v == "" {
		return 0, nil
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f < 1e9 {
		return time.Duration(f * float64(time.Second)), nil
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return d, nil
	}
	return 0, fmt.Errorf("%s=%q: want a number of seconds (3, 0.5) or a duration (3s)", EnvBootDelay, v)
}

// bootArgs splits a subcommand's arguments at "--" and returns the
// options before it and the boot arguments after it as zoneadm passes
// them to zoneadmd: zarg.bootbuf, the arguments joined by blanks
// (illumos-gate usr/src/cmd/zoneadm/zoneadm.c boot_func(),
// reboot_func() and shutdown_func(), each a strlcat loop).
func bootArgs(args []string) (opts []string, bootbuf string) {
	for i, a := range args {
		if a == "--" {
			return args[:i], strings.Join(args[i+1:], " ")
		}
	}
	return args, ""
}

// filterBootArgs reads boot arguments as zoneadmd's filter_bootargs()
// does (illumos-gate usr/src/cmd/zoneadmd/zoneadmd.c): split at blanks
// and tabs, a first word that is not an option (a boot file) skipped,
// then getopt "fi:m:s" up to the first operand ("--" ends the options
// too). It reports whether -s boots the zone single-user, and the
// operands, which filter_bootargs() discards with a warning.
func filterBootArgs(bootbuf string) (single bool, unused []string) {
	words := strings.FieldsFunc(bootbuf, func(r rune) bool { return r == ' ' || r == '\t' })
	if len(words) > 0 && words[0][0] != '-' {
		words = words[1:]
	}
	i := 0
	for ; i < len(words); i++ {
		w := words[i]
		if w == "--" {
			i++
			break
		}
		if len(w) < 2 || w[0] != '-' {
			break
		}
		for j := 1; j < len(w); j++ {
			switch w[j] {
			case 's':
				single = true
			case 'i', 'm':
				if j+1 == len(w) {
					i++ // the option's argument is the next word
				}
				j = len(w)
			}
		}
	}
	if i < len(words) {
		unused = words[i:]
	}
	return single, unused
}

// bootCmd is "zoneadm boot [-s] [-- boot_arguments]".
func (a *adm) bootCmd() int {
	args, bootbuf := bootArgs(a.args)
	opts, optind, bad := getopt(args, "?FXs")
	if bad != 0 {
		return a.subUsage(bad)
	}
	force := false
	for _, o := range opts {
		switch o.opt {
		case 'F':
			force = true
		case 's':
			// boot_func(): "-s", then the boot arguments appended
			// to it without a blank.
			bootbuf = "-s" + bootbuf
		}
	}
	if optind != len(args) {
		return a.subUsage(0)
	}
	if !a.sanityCheck(false, false, force) {
		return 1
	}
	if !a.verify() {
		return 1
	}
	return a.boot(bootbuf)
}

// verify runs verify_details() on the target's configuration.
func (a *adm) verify() bool {
	c, ok := a.config()
	if !ok {
		return false
	}
	return a.verifyDetails(c)
}

// boot is zoneadmd's boot: ready the zone if needed, then run it.
//
// bootbuf is the boot arguments zoneadm passed; when there are none,
// zoneadmd's filter_bootargs() takes the configuration's bootargs
// property instead. A reboot does the same, also one asked for from
// inside the zone (zone.c zone_kadmin() passes the arguments given to
// reboot, if any).
func (a *adm) boot(bootbuf string) int {
	switch a.status.State {
	case StateRunning:
		a.zoneadmdError("zone is already booted")
		return 0
	case StateMounted:
		a.zoneadmdError("boot operation is invalid for zones in state '%s'", StateString(StateMounted))
		return a.callFailed()
	}
	delay, err := bootDelay()
	if err != nil {
		fmt.Fprintf(a.errw, "illumos-sim: %v\n", err)
		return 1
	}
	c, ok := a.config()
	if !ok {
		return 1
	}
	k, err := ReadKernel(a.root)
	if err != nil {
		a.zerror("%v", err)
		return 1
	}
	kz := k.Zones[a.zone]
	if kz == nil {
		if kz = a.makeReady(c, k); kz == nil {
			return a.callFailed()
		}
	}
	now := time.Now()
	if bootbuf == "" {
		bootbuf = c.Bootargs
	}
	single, unused := filterBootArgs(bootbuf)
	if len(unused) > 0 {
		// zerror(zlogp, ...) to the zoneadm that asked, which prints
		// it; a reboot from inside the zone logs it to syslog instead.
		a.zoneadmdError("WARNING: Unused or invalid boot arguments `%s'.", strings.Join(unused, " "))
	}
	kz.State = "running"
	kz.Booted = now
	kz.SingleUser = single
	if err := bootRepository(a.zoneRoot(c), now, delay, single); err != nil {
		a.zoneadmdError("could not start the service manager: %v", err)
		a.releaseVNICs(kz)
		k.Leave(a.zone)
		k.Write(a.root)
		return a.callFailed()
	}
	if err := k.Write(a.root); err != nil {
		a.zerror("%v", err)
		return 1
	}
	return 0
}

// zoneRoot is the real directory of the zone's root file system.
func (a *adm) zoneRoot(c *Config) string {
	return a.inv.Path(filepath.Join(c.Zonepath, "root"))
}

// makeReady is zoneadmd's zone_ready(): delegated datasets are marked
// zoned, the zone's boot environment is mounted on <zonepath>/root, the
// exclusive-IP links are assigned to the zone, and the zone enters the
// kernel. It prints zoneadmd's message and returns nil on failure.
func (a *adm) makeReady(c *Config, k *Kernel) *KernelZone {
	zs, err := zfs.Open(a.root)
	if err != nil {
		a.zoneadmdError("%v", err)
		return nil
	}
	for _, d := range c.Dataset {
		// zoneadm's verify_details() has checked that the dataset
		// exists (zfs.c verify_datasets()).
		if err := zs.SetProp(d.Name, "zoned", "on"); err != nil {
			a.zoneadmdError("could not set zoned property for dataset %s: %v", d.Name, err)
			return nil
		}
	}
	if err := mountZoneRoot(zs, c); err != nil {
		a.zoneadmdError("%v", err)
		return nil
	}
	if err := zs.Save(); err != nil {
		a.zoneadmdError("%v", err)
		return nil
	}
	stopConfigd(a.zoneRoot(c))
	kz := &KernelZone{}
	if c.IPTypeOrDefault() == "exclusive" {
		for _, n := range c.Net {
			if err := dladm.AssignVNIC(a.root, n.Physical, a.zone); err != nil {
				a.releaseVNICs(kz)
				a.zoneadmdError("failed to add network device: %s", netErrText(err))
				return nil
			}
			kz.VNICs = append(kz.VNICs, n.Physical)
		}
	}
	if err := a.mountFS(c, kz); err != nil {
		a.unmountFS(kz)
		a.releaseVNICs(kz)
		a.zoneadmdError("%v", err)
		return nil
	}
	nz := k.Enter(a.zone, "ready")
	nz.VNICs = kz.VNICs
	nz.Mounts = kz.Mounts
	return nz
}

// mountFS mounts the zone's lofs file systems, as zoneadmd does when a
// zone becomes ready: the global zone's directory is bind-mounted on the
// directory inside the zone root (read-only with the ro option), so that
// commands run chrooted in the zone see it. Other fs types are not
// simulated and are refused.
func (a *adm) mountFS(c *Config, kz *KernelZone) error {
	root := a.zoneRoot(c)
	for _, f := range c.FS {
		if f.Type != "lofs" {
			return fmt.Errorf("cannot mount %s in the zone: file system type %s is not simulated (only lofs)", f.Dir, f.Type)
		}
		src := a.inv.Path(f.Special)
		if fi, err := os.Stat(src); err != nil || !fi.IsDir() {
			return fmt.Errorf("cannot verify fs %s: special %s does not exist or is not a directory", f.Dir, f.Special)
		}
		dst := filepath.Join(root, filepath.Clean("/"+f.Dir))
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return fmt.Errorf("cannot mount %s in the zone: %v", f.Dir, err)
		}
		if err := syscall.Mount(src, dst, "", syscall.MS_BIND, ""); err != nil {
			return fmt.Errorf("cannot mount %s in the zone: %v", f.Dir, err)
		}
		kz.Mounts = append(kz.Mounts, dst)
		for _, o := range f.Options {
			if o == "ro" {
				if err := syscall.Mount("", dst, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
					return fmt.Errorf("cannot mount %s read-only in the zone: %v", f.Dir, err)
				}
			}
		}
	}
	return nil
}

// unmountFS undoes mountFS, newest mount first.
func (a *adm) unmountFS(kz *KernelZone) {
	for i := len(kz.Mounts) - 1; i >= 0; i-- {
		syscall.Unmount(kz.Mounts[i], syscall.MNT_DETACH)
	}
	kz.Mounts = nil
}

// netErrText turns a dladm error into the strerror(3C) text zoneadmd
// prints after "failed to add network device: ": the errno of
// zone_add_datalink() for a missing link (ENXIO) or one another zone
// holds (EBUSY) [derived].
func netErrText(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "invalid link name"):
		return "No such device or address"
	case strings.Contains(msg, "busy"):
		return "Device busy"
	}
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

// mountZoneRoot mounts the zone's active boot environment on
// <zonepath>/root when it is not mounted (the ipkg brand's prestate hook).
func mountZoneRoot(zs *zfs.State, c *Config) error {
	zpds, ok := zs.FilesystemAt(c.Zonepath)
	if !ok {
		return nil
	}
	zbe := activeBE(zs, zpds)
	if zbe == "" {
		return nil
	}
	if err := zs.MountLegacy(zbe, filepath.Join(c.Zonepath, "root")); err != nil {
		return fmt.Errorf("mount zone root: %w", err)
	}
	return nil
}

// activeBE returns the zone boot environment under <zpds>/ROOT whose
// org.opensolaris.libbe:active is on, or "".
func activeBE(zs *zfs.State, zpds string) string {
	for _, be := range zs.Children(zpds + "/ROOT") {
		if v, _, err := zs.GetProp(be, "org.opensolaris.libbe:active"); err == nil && v == "on" {
			return be
		}
	}
	return ""
}

// releaseVNICs gives the zone's links back to the global zone.
func (a *adm) releaseVNICs(kz *KernelZone) {
	for _, l := range kz.VNICs {
		dladm.ReleaseVNIC(a.root, l)
	}
	kz.VNICs = nil
}

// halt stops every process of the zone, releases its links and takes it
// out of the kernel.
func (a *adm) halt(c *Config, k *Kernel) {
	kz := k.Zones[a.zone]
	if kz == nil {
		return
	}
	killZoneProcesses(a.zone, kz.Pids, a.zoneRoot(c))
	// vplat_teardown() (illumos-gate usr/src/cmd/zoneadmd/vplat.c):
	// unmount_filesystems() takes down the zone's mounts, the tmpfs on
	// /etc/svc/volatile with svc.configd's door among them, and, for a
	// mounted zone, the scratch root's.
	stopConfigd(a.zoneRoot(c))
	if kz.State == "mounted" {
		removeScratch(a.inv.Path(path.Join(c.Zonepath, scratchDir)))
	}
	a.unmountFS(kz)
	a.releaseVNICs(kz)
	k.Leave(a.zone)
}

// killZoneProcesses kills the process groups zlogin started in the zone
// and every other process whose root directory is the zone's root.
func killZoneProcesses(zone string, pgids []int, zoneRoot string) {
	for _, pg := range pgids {
		if processInZone(pg, zone) {
			syscall.Kill(-pg, syscall.SIGKILL)
		}
	}
	real, err := filepath.EvalSymlinks(zoneRoot)
	if err != nil {
		return
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		if r, err := os.Readlink(filepath.Join("/proc", e.Name(), "root")); err == nil && r == real {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// processInZone reports whether a process carries the zone's
// ILLUMOS_SIM_ZONE marker, so a stale pid is never killed by mistake.
func processInZone(pid int, zone string) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		return false
	}
	return bytes.Contains(append([]byte{0}, b...), []byte("\x00ILLUMOS_SIM_ZONE="+zone+"\x00"))
}

// haltCmd is "zoneadm halt".
func (a *adm) haltCmd() int {
	if _, optind, bad := getopt(a.args, "?X"); bad != 0 || optind != len(a.args) {
		return a.subUsage(bad)
	}
	if !a.sanityCheck(false, false, false) {
		return 1
	}
	switch a.status.State {
	case StateConfigured:
		fmt.Fprintf(a.errw, "cannot manage a zone which is in state '%s'\n", StateString(StateConfigured))
		a.zoneadmdError("could not start zoneadmd")
		return 1
	case StateIncomplete, StateMounted:
		a.zoneadmdError("halt operation is invalid for zones in state '%s'", StateString(a.status.State))
		return 1
	case StateInstalled:
		a.zoneadmdError("zone is already halted")
		return 0
	}
	return a.stop(false, "")
}

// stop halts the zone and, with reboot, boots it again.
func (a *adm) stop(reboot bool, bootbuf string) int {
	if _, err := bootDelay(); reboot && err != nil {
		fmt.Fprintf(a.errw, "illumos-sim: %v\n", err)
		return 1
	}
	c, ok := a.config()
	if !ok {
		return 1
	}
	k, err := ReadKernel(a.root)
	if err != nil {
		a.zerror("%v", err)
		return 1
	}
	a.halt(c, k)
	if err := k.Write(a.root); err != nil {
		a.zerror("%v", err)
		return 1
	}
	a.status.Kernel, a.status.State, a.status.ID = nil, a.status.Entry.State, -1
	if reboot {
		return a.boot(bootbuf)
	}
	return 0
}

// readyCmd is "zoneadm ready".
func (a *adm) readyCmd() int {
	if _, optind, bad := getopt(a.args, "?X"); bad != 0 || optind != len(a.args) {
		return a.subUsage(bad)
	}
	if !a.sanityCheck(false, false, false) {
		return 1
	}
	if !a.verify() {
		return 1
	}
	switch a.status.State {
	case StateReady:
		a.zoneadmdError("zone is already ready")
		return 0
	case StateMounted:
		a.zoneadmdError("ready operation is invalid for zones in state '%s'", StateString(StateMounted))
		return a.callFailed()
	}
	c, ok := a.config()
	if !ok {
		return 1
	}
	k, err := ReadKernel(a.root)
	if err != nil {
		a.zerror("%v", err)
		return 1
	}
	a.halt(c, k)
	if a.makeReady(c, k) == nil {
		k.Write(a.root)
		return a.callFailed()
	}
	if err := k.Write(a.root); err != nil {
		a.zerror("%v", err)
		return 1
	}
	return 0
}

// shutdownCmd is "zoneadm shutdown [-r [-- boot_arguments]]".
func (a *adm) shutdownCmd() int {
	args, bootbuf := bootArgs(a.args)
	opts, optind, bad := getopt(args, "?r")
	if bad != 0 || optind != len(args) {
		return a.subUsage(bad)
	}
	reboot := len(opts) > 0
	if !a.sanityCheck(true, false, false) {
		return 1
	}
	if a.status.State == StateReady {
		a.zoneadmdError("shutdown operation is invalid for zones in state '%s'", StateString(StateReady))
		return 1
	}
	return a.stop(reboot, bootbuf)
}

// rebootCmd is "zoneadm reboot [-- boot_arguments]".
func (a *adm) rebootCmd() int {
	args, bootbuf := bootArgs(a.args)
	if _, optind, bad := getopt(args, "?X"); bad != 0 || optind != len(args) {
		return a.subUsage(bad)
	}
	if !a.sanityCheck(true, false, false) {
		return 1
	}
	if !a.verify() {
		return 1
	}
	if a.status.State == StateReady {
		a.zoneadmdError("reboot operation is invalid for zones in state '%s'", StateString(StateReady))
		return 1
	}
	return a.stop(true, bootbuf)
}

// mountCmd is the private "zoneadm mount [-f]".
func (a *adm) mountCmd() int {
	opts, optind, bad := getopt(a.args, "?f")
	if bad != 0 || optind != len(a.args) {
		return a.subUsage(bad)
	}
	if !a.sanityCheck(false, false, len(opts) > 0) {
		return 1
	}
	if !a.verify() {
		return 1
	}
	switch a.status.State {
	case StateReady, StateRunning, StateMounted, StateShuttingDown, StateDown:
		a.zoneadmdError("mount operation is invalid for zones in state '%s'", StateString(a.status.State))
		return a.callFailed()
	}
	c, ok := a.config()
	if !ok {
		return 1
	}
	zs, err := zfs.Open(a.root)
	if err == nil {
		if err = mountZoneRoot(zs, c); err == nil {
			err = zs.Save()
		}
	}
	if err != nil {
		a.zoneadmdError("%v", err)
		return a.callFailed()
	}
	k, err := ReadKernel(a.root)
	if err != nil {
		a.zerror("%v", err)
		return 1
	}
	// zone_ready(Z_MNT_SCRATCH) (illumos-gate
	// usr/src/cmd/zoneadmd/zoneadmd.c zone_ready(), vplat.c
	// build_mounted_pre_var()): the zone is created in its scratch root
	// (scratch.go), where no SMF runs, so its repository door is not
	// served [unconfirmed: vplat.c does not name /etc/svc/volatile; the
	// door goes with the tmpfs the zone's own boot mounts there].
	stopConfigd(a.zoneRoot(c))
	if err := makeScratch(a.inv.Path(path.Join(c.Zonepath, scratchDir))); err != nil {
		a.zoneadmdError("%v", err)
		return a.callFailed()
	}
	k.Enter(a.zone, "mounted")
	if err := k.Write(a.root); err != nil {
		a.zerror("%v", err)
		return 1
	}
	return 0
}

// unmountCmd is the private "zoneadm unmount".
func (a *adm) unmountCmd() int {
	if _, optind, bad := getopt(a.args, "?"); bad != 0 || optind != len(a.args) {
		return a.subUsage(bad)
	}
	if !a.sanityCheck(false, false, false) {
		return 1
	}
	c, ok := a.config()
	if !ok {
		return 1
	}
	k, err := ReadKernel(a.root)
	if err != nil {
		a.zerror("%v", err)
		return 1
	}
	a.halt(c, k)
	if err := k.Write(a.root); err != nil {
		a.zerror("%v", err)
		return 1
	}
	return 0
}
