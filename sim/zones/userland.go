package zones

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
)

// This file is the part of a zone's own userland that the sim provides
// (root.go links these names to the sim binary inside every zone root):
// commands that on illumos act on the zone itself, run chrooted in the
// zone (inv.Root "/", inv.Zone set from core.EnvZone by zlogin). Those
// that need the global zone's state ask the zone's simulated kernel
// (userland_kernel.go).

// userlandTools are the zone's own commands.
var userlandTools = map[string]func(*core.Invocation) int{
	"hostname":      hostnameMain,
	"uname":         unameMain,
	"getent":        getentMain,
	"init":          initMain,
	"shutdown":      shutdownMain,
	"halt":          haltMain,
	"poweroff":      haltMain,
	"reboot":        haltMain,
	"ifconfig":      kernelForward,
	"dladm":         kernelForward,
	"zfs":           kernelForward,
	zoneExecName:    zoneExecMain,
	scratchExecName: scratchExecMain,
}

// zoneExecName is the name zlogin starts the sim binary under inside the
// zone (/usr/lib/illumos-sim, chrooted, in a new UTS namespace): the
// last step of the zlogin child before it execs the zone's process.
const zoneExecName = "illumos-sim-zone-exec"

// zoneExecMain is "illumos-sim-zone-exec NODENAME UID GID GROUPS DIR
// PATH ARGV0 ARGS...": it sets the zone's nodename in the process's UTS
// namespace, so that uname(2) and gethostname(3) answer the zone's
// nodename to every program of the session (busybox's hostname and
// uname applets included, which the zone's busybox shell runs in-process
// in preference to the zone's own commands), takes the user's
// credentials, enters DIR and execs PATH. An exec failure is the zlogin
// child's zperror("exec failure").
func zoneExecMain(inv *core.Invocation) int {
	a := inv.Args
	if len(a) < 7 {
		fmt.Fprintf(inv.Stderr, "%s: bad arguments\n", zoneExecName)
		return 1
	}
	// The zone's busybox shell runs the busybox applet of a command it
	// knows (halt, reboot, init, ...) through /proc/self/exe, and falls
	// back to PATH, and so to the zone's own commands, only because no
	// /proc is mounted in a zone root. With one, "halt" would signal the
	// host's init: refuse.
	if _, err := os.Stat("/proc/self/exe"); err == nil {
		fmt.Fprint(inv.Stderr, "zlogin: the zone root has /proc mounted: the zone's busybox would run its own halt and init on the host\n")
		return 1
	}
	if a[0] != "" {
		if err := syscall.Sethostname([]byte(a[0])); err != nil {
			fmt.Fprintf(inv.Stderr, "zlogin: could not set the zone's nodename: %v\n", err)
			return 1
		}
	}
	uid, err1 := strconv.Atoi(a[1])
	gid, err2 := strconv.Atoi(a[2])
	if err1 != nil || err2 != nil {
		fmt.Fprintf(inv.Stderr, "%s: bad arguments\n", zoneExecName)
		return 1
	}
	var groups []int
	for _, g := range strings.Split(a[3], ",") {
		if n, err := strconv.Atoi(g); err == nil {
			groups = append(groups, n)
		}
	}
	if err := syscall.Setgroups(groups); err != nil {
		fmt.Fprintf(inv.Stderr, "zlogin: setgroups: %v\n", err)
		return 1
	}
	if err := syscall.Setgid(gid); err != nil {
		fmt.Fprintf(inv.Stderr, "zlogin: setgid: %v\n", err)
		return 1
	}
	if err := syscall.Setuid(uid); err != nil {
		fmt.Fprintf(inv.Stderr, "zlogin: setuid: %v\n", err)
		return 1
	}
	// The directory is entered with the user's credentials, as su -
	// does (message(ERR, "No directory!"), exit 1); the other logins
	// run as root there.
	if err := os.Chdir(a[4]); err != nil {
		fmt.Fprint(inv.Stderr, "su: No directory!\n")
		return 1
	}
	err := syscall.Exec(a[5], a[6:], os.Environ())
	fmt.Fprintf(inv.Stderr, "zlogin: exec failure: %s\n", errnoText(err))
	return 1
}

// UserlandTool returns the implementation of a command of a zone's own
// userland, or nil when the name is not one. illumos-sim's main uses it
// for commands run inside a zone (core.EnvZone set), where these names
// replace the global zone's tools of the same name.
func UserlandTool(name string) func(*core.Invocation) int {
	return userlandTools[name]
}

// Sysname, release and hardware names of uname(2) on an x86 illumos
// system (utsname: "SunOS", "5.11", "i86pc"; sysinfo SI_ARCHITECTURE
// "i386", SI_PLATFORM "i86pc").
const (
	unameSysname  = "SunOS"
	unameRelease  = "5.11"
	unameMachine  = "i86pc"
	unameArch     = "i386"
	unamePlatform = "i86pc"
)

// unameVersion is utsname.version, the kernel build: "omnios-<release>-
// <commit>" on OmniOS, "illumos-<commit>" on OpenIndiana. [unconfirmed]:
// the commits below are samples of the format, not real builds.
func unameVersion(f core.Flavor) string {
	if f == core.OpenIndiana {
		return "illumos-2f4e1d3c5b"
	}
	return "omnios-r151054-3c1e4b2a9d"
}

// zoneNodename returns the zone's nodename: the name
// svc:/system/identity:node set at boot (recorded in the zone's service
// repository, svc.go) or set since with hostname or uname -S, else the
// kernel's initial nodename, the zone name.
func zoneNodename(inv *core.Invocation) string {
	if r, err := readRepository(inv.Path("/")); err == nil && r.Nodename != "" {
		return r.Nodename
	}
	return inv.Zone
}

// setZoneNodename is sysinfo(SI_SET_HOSTNAME) in the zone
// (illumos-gate usr/src/uts/common/syscall/systeminfo.c systeminfo()):
// root only (secpolicy_systeminfo(): EPERM, "Not owner"), then
// copyinstr() of at most SYS_NMLN (257) bytes (a longer name is
// ENAMETOOLONG) and an empty name refused (len < 2: EINVAL).
func setZoneNodename(inv *core.Invocation, name string) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("Not owner")
	}
	if len(name) >= 257 {
		return fmt.Errorf("File name too long")
	}
	if name == "" {
		return fmt.Errorf("Invalid argument")
	}
	root := inv.Path("/")
	lf, err := lockRepository(root)
	if err != nil {
		return err
	}
	defer lf.Close()
	r, err := readRepository(root)
	if err != nil {
		return err
	}
	r.Nodename = name
	if err := r.write(root); err != nil {
		return err
	}
	// The session's processes share a UTS namespace (zoneExecMain):
	// they see the new name at once, as every process of the zone does.
	syscall.Sethostname([]byte(name))
	return nil
}

// hostnameMain is usr/src/cmd/hostname/hostname.c main(): "hostname"
// prints the nodename (gethostname()), cut at the first '.' with -s,
// "hostname NAME" sets it (sethostname()).
func hostnameMain(inv *core.Invocation) int {
	prog := filepath.Base(progName(inv))
	// hostname.c usage(): "usage: %s [-s] [system_name]", exit 1.
	usage := func() int {
		fmt.Fprintf(inv.Stderr, "usage: %s [-s] [system_name]\n", prog)
		return 1
	}
	// getopt(argc, argv, "s") with opterr = 0: -s, else any option is
	// a usage error.
	opts, optind, bad := getopt(inv.Args, "s")
	if bad != 0 {
		return usage()
	}
	args := inv.Args[optind:]
	switch len(args) {
	case 0:
		name := zoneNodename(inv)
		if len(opts) > 0 {
			name, _, _ = strings.Cut(name, ".")
		}
		fmt.Fprintf(inv.Stdout, "%s\n", name)
		return 0
	case 1:
		if err := setZoneNodename(inv, args[0]); err != nil {
			fmt.Fprintf(inv.Stderr, "%s: error in setting name: %v\n", prog, err)
			return 1
		}
		return 0
	}
	return usage()
}

// unameMain is usr/src/cmd/uname/uname.c.
func unameMain(inv *core.Invocation) int {
	usage := func() int {
		fmt.Fprint(inv.Stderr, "usage:\tuname [-snrvmapiX]\n\tuname [-S system_name]\n")
		return 1
	}
	opts, optind, bad := getopt(inv.Args, "asnrpvmiS:X")
	if bad != 0 || optind != len(inv.Args) {
		return usage()
	}
	var s, n, r, v, m, p, i, x, sCount int
	var newName string
	for _, o := range opts {
		switch o.opt {
		case 'a':
			s, n, r, v, m, p, i = 1, 1, 1, 1, 1, 1, 1
		case 's':
			s = 1
		case 'n':
			n = 1
		case 'r':
			r = 1
		case 'v':
			v = 1
		case 'm':
			m = 1
		case 'p':
			p = 1
		case 'i':
			i = 1
		case 'X':
			x = 1
		case 'S':
			sCount++
			newName = o.arg
		}
	}
	selected := s|n|r|v|m|p|i|x != 0
	if sCount > 1 || sCount == 1 && selected {
		return usage()
	}
	if sCount == 1 {
		if len(newName) > 256 {
			fmt.Fprintf(inv.Stderr, "uname: name must be <= %d letters\n", 256)
			return 1
		}
		if err := setZoneNodename(inv, newName); err != nil {
			fmt.Fprintf(inv.Stderr, "uname: error in setting name: %v\n", err)
			return 1
		}
		return 0
	}
	if !selected {
		s = 1
	}
	version := ""
	if v == 1 || x == 1 {
		reply, err := callKernel("utsname", nil)
		if err != nil {
			fmt.Fprintf(inv.Stderr, "uname: %v\n", err)
			return 1
		}
		version = reply.Data
	}
	var fields []string
	for _, f := range []struct {
		on    int
		value string
	}{{s, unameSysname}, {n, zoneNodename(inv)}, {r, unameRelease}, {v, version},
		{m, unameMachine}, {p, unameArch}, {i, unamePlatform}} {
		if f.on == 1 {
			fields = append(fields, f.value)
		}
	}
	out := strings.Join(fields, " ")
	if x == 1 {
		out += fmt.Sprintf("System = %s\nNode = %s\nRelease = %s\nKernelID = %s\nMachine = %s\n"+
			"BusType = <unknown>\nSerial = <unknown>\nUsers = <unknown>\nOEM# = 0\nOrigin# = 1\nNumCPU = %d\n",
			unameSysname, zoneNodename(inv), unameRelease, version, unameMachine, runtime.NumCPU())
	}
	fmt.Fprintf(inv.Stdout, "%s\n", out)
	return 0
}

// progName is argv[0] as the command was started.
func progName(inv *core.Invocation) string {
	if len(os.Args) > 0 && filepath.Base(os.Args[0]) == inv.Tool {
		return os.Args[0]
	}
	return inv.Tool
}

// getentMain is usr/src/cmd/getent/getent.c for the passwd and group
// databases, read from the zone's own files (the files backend of
// nsswitch.conf): a key that strtoul() converts whole is looked up by
// number first and, when no entry has it, by name; any other key by name
// (usr/src/cmd/getent/dogetpw.c dogetpw(), dogetgr.c dogetgr()); an
// entry is printed as the file line would be (putpwent(3C), and
// dogetgr.c putgrent()'s "name:passwd:gid:members"); without keys the
// whole database is listed. Exit 0, or 2 when a key is not found
// (EXC_NAME_NOT_FOUND), 1 for usage (EXC_SYNTAX, getent.c usage()). The
// other databases (hosts, services, ...) are not simulated and answer
// with the usage.
func getentMain(inv *core.Invocation) int {
	prog := progName(inv)
	usage := func() int {
		fmt.Fprintf(inv.Stderr, "usage: %s database [ key ... ]\n", prog)
		return 1
	}
	if len(inv.Args) < 1 {
		return usage()
	}
	db := inv.Args[0]
	var file string
	var keyField, numField int
	switch db {
	case "passwd":
		file, keyField, numField = "etc/passwd", 0, 2
	case "group":
		file, keyField, numField = "etc/group", 0, 2
	case "hosts", "ipnodes", "services", "protocols", "ethers", "networks", "netmasks", "project":
		return usage()
	default:
		fmt.Fprintf(inv.Stderr, "Unknown database: %s\n", db)
		return usage()
	}
	var entries [][]string
	if f, err := os.Open(inv.Path(file)); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Split(sc.Text(), ":")
			want := 7
			if db == "group" {
				want = 4
			}
			if len(fields) != want || fields[0] == "" || strings.HasPrefix(fields[0], "#") {
				continue
			}
			if _, err := strconv.ParseUint(fields[numField], 10, 32); err != nil {
				continue
			}
			entries = append(entries, fields)
		}
		f.Close()
	}
	print := func(e []string) {
		if db == "passwd" {
			uid, _ := strconv.ParseUint(e[2], 10, 32)
			gid, _ := strconv.ParseUint(e[3], 10, 32)
			fmt.Fprintf(inv.Stdout, "%s:%s:%d:%d:%s:%s:%s\n", e[0], e[1], uid, gid, e[4], e[5], e[6])
			return
		}
		gid, _ := strconv.ParseUint(e[2], 10, 32)
		fmt.Fprintf(inv.Stdout, "%s:%s:%d:%s\n", e[0], e[1], gid, e[3])
	}
	keys := inv.Args[1:]
	if len(keys) == 0 {
		for _, e := range entries {
			print(e)
		}
		return 0
	}
	code := 0
	for _, key := range keys {
		var found []string
		if n, err := strconv.ParseUint(key, 10, 32); err == nil {
			for _, e := range entries {
				if v, _ := strconv.ParseUint(e[numField], 10, 32); v == n {
					found = e
					break
				}
			}
		}
		if found == nil {
			for _, e := range entries {
				if e[keyField] == key {
					found = e
					break
				}
			}
		}
		if found == nil {
			code = 2
			continue
		}
		print(found)
	}
	return code
}

// initMain is init(8) run as a command in the zone (usr/src/cmd/init/
// init.c userinit()): it validates the run level and signals the zone's
// init, which brings the zone down for 0 and 5 (halt) and 6 (reboot)
// after the command has exited 0. q/Q (re-read inittab) changes nothing
// the sim shows. [sim] The other levels (1, 2, 3, 4, a, b, c, s, S) are
// not simulated and answer with the usage and exit 1.
func initMain(inv *core.Invocation) int {
	const usage = "Usage: init [0123456SsQqabc]\n"
	if len(inv.Args) != 1 || len(inv.Args[0]) != 1 {
		fmt.Fprint(inv.Stderr, usage)
		return 0
	}
	level := inv.Args[0]
	if !strings.Contains("0123456SsQqabc", level) {
		fmt.Fprint(inv.Stderr, usage)
		return 1
	}
	if !strings.Contains("056Qq", level) {
		fmt.Fprint(inv.Stderr, usage)
		return 1
	}
	// kill(init_pid, sig) fails for a caller other than root.
	if os.Geteuid() != 0 {
		fmt.Fprint(inv.Stderr, "Must be super-user\n")
		return 1
	}
	if level == "q" || level == "Q" {
		return 0
	}
	if _, err := callKernel("init", []string{level}); err != nil {
		fmt.Fprintf(inv.Stderr, "init: %v\n", err)
		return 1
	}
	return 0
}

// haltMain is usr/src/cmd/halt/halt.c as halt, poweroff and reboot run
// it in a non-global zone (x86 option strings): every process of the
// zone gets SIGTERM, then uadmin(2) halts or reboots the zone. The
// command never returns: it dies with the zone. [sim] The five seconds
// halt gives the zone's processes after SIGTERM are not waited; they are
// killed at once, as zoneadm halt kills them.
func haltMain(inv *core.Invocation) int {
	name := inv.Tool
	optstring, usage, reboot := "dlnqy", "usage: %s [ -dlnqy ]\n", false
	if name == "reboot" {
		optstring, usage, reboot = "dlnqpfe:", "usage: %s [ -dlnq(p|fe:) ] [ boot args ]\n", true
	}
	opts, optind, bad := getopt(inv.Args, optstring)
	if bad != 0 {
		fmt.Fprintf(inv.Stderr, usage, name)
		return 1
	}
	var fast, prom bool
	var bename string
	for _, o := range opts {
		switch o.opt {
		case 'd':
			fmt.Fprintf(inv.Stderr, "%s: -d only valid from global zone\n", name)
			return 1
		case 'f':
			fast = true
		case 'p':
			prom = true
		case 'e':
			bename = o.arg
		}
	}
	if optind != len(inv.Args) && !reboot {
		fmt.Fprintf(inv.Stderr, usage, name)
		return 1
	}
	if os.Geteuid() != 0 {
		fmt.Fprintf(inv.Stderr, "%s: permission denied\n", name)
		return 1
	}
	const einval = 22
	if fast && prom {
		fmt.Fprintf(inv.Stderr, "%s: -p and -f are mutually exclusive\n", name)
		return einval
	}
	if bename != "" && !fast {
		fmt.Fprintf(inv.Stderr, "%s: -e only valid with -f\n", name)
		return einval
	}
	if fast {
		fmt.Fprintf(inv.Stderr, "%s: Fast reboot only valid from global zone\n", name)
		return einval
	}
	how := []string{"halt"}
	if reboot {
		// halt.c gather_args(): the operands, joined by blanks, are
		// uadmin's mdep, the boot arguments of the next boot.
		how = append([]string{"reboot"}, inv.Args[optind:]...)
	}
	if _, err := callKernel("uadmin", how); err != nil {
		fmt.Fprintf(inv.Stderr, "%s: uadmin failed: %v\n", name, err)
		return 1
	}
	// uadmin returned: the zone was not running (a mounted zone).
	fmt.Fprintf(inv.Stderr, "%s: uadmin unexpectedly returned 0\n", name)
	return 1
}

// shutdownMain is /usr/sbin/shutdown (usr/src/cmd/initpkg/shutdown.sh),
// the ipkg brand's shutdown hook ("/usr/sbin/shutdown -y -g0 -i5",
// config.xml): it announces the shutdown, waits the grace period,
// confirms unless -y, and runs init with the new state. The warnings
// shutdown.sh sends with wall(8) go to the users' terminals, which the
// sim has none of.
func shutdownMain(inv *core.Invocation) int {
	self := shutdownPath(inv)
	usage := func() int {
		fmt.Fprintf(inv.Stdout, "Usage: %s [ -y ] [ -g<grace> ] [ -i<initstate> ] [ message ]\n", self)
		return 1
	}
	if os.Geteuid() != 0 {
		fmt.Fprintf(inv.Stdout, "%s:  Only root can run %s\n", self, self)
		return 2
	}
	grace, confirm, state := 60, true, "s"
	args := inv.Args
	i := 0
	// getopts g:i:y? (ksh93): options until the first operand or "--".
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			switch c {
			case 'y':
				confirm = false
				continue
			case 'g', 'i':
				arg := a[j+1:]
				if arg == "" {
					if i+1 >= len(args) {
						// [unconfirmed]: ksh93 getopts' text for a missing
						// option argument.
						fmt.Fprintf(inv.Stderr, "%s: -%c: argument expected\n", self, c)
						return usage()
					}
					i++
					arg = args[i]
				}
				if c == 'g' {
					n, err := strconv.Atoi(arg)
					if err != nil || strings.ContainsAny(arg, "+- ") {
						fmt.Fprintf(inv.Stdout, "%s: -g requires a numeric option\n", self)
						return usage()
					}
					grace = n
				} else {
					switch {
					case len(arg) == 1 && strings.Contains("Ss0156", arg):
						state = arg
					case len(arg) == 1 && strings.Contains("234abcqQ", arg):
						fmt.Fprintf(inv.Stdout, "%s: Initstate %s is not for system shutdown\n", self, arg)
						return 1
					default:
						fmt.Fprintf(inv.Stdout, "%s: %s is not a valid initstate\n", self, arg)
						return usage()
					}
				}
				j = len(a)
			default:
				// [unconfirmed]: ksh93 getopts' text for an unknown option.
				fmt.Fprintf(inv.Stderr, "%s: -%c: unknown option\n", self, c)
				return usage()
			}
		}
	}
	// The message goes to the users' terminals (wall) and /etc/nologin.
	message := strings.Join(args[i:], " ")
	fmt.Fprintf(inv.Stdout, "\nShutdown started.    %s\n\n", time.Now().Format("Mon Jan _2 15:04:05 MST 2006"))
	nologin := inv.Path("/etc/nologin")
	for _, t := range []int{7200, 3600, 1800, 1200, 600, 300, 120, 60, 30, 10} {
		if grace > t {
			os.Remove(nologin)
			os.WriteFile(nologin, []byte(fmt.Sprintf("\nNO LOGINS: System going down in %s\n%s\n\n", graceText(grace), message)), 0o644)
			time.Sleep(time.Duration(grace-t) * time.Second)
			grace = t
		}
	}
	if confirm {
		fmt.Fprint(inv.Stdout, "Do you want to continue? (y or n):   ")
		line, _ := bufio.NewReader(inv.Stdin).ReadString('\n')
		if strings.TrimSuffix(line, "\n") != "y" {
			fmt.Fprint(inv.Stdout, "Shutdown aborted.\n")
			os.Remove(nologin)
			return 1
		}
	}
	if grace > 0 {
		time.Sleep(time.Duration(grace) * time.Second)
	}
	fmt.Fprintf(inv.Stdout, "Changing to init state %s - please wait\n", state)
	// The repository door exists in a running zone: no wait. Then
	// "/sbin/init ${initstate}", whose status is shutdown's.
	return initMain(&core.Invocation{Root: inv.Root, Tool: "init", Args: []string{state}, Zone: inv.Zone,
		Stdin: inv.Stdin, Stdout: inv.Stdout, Stderr: inv.Stderr})
}

// graceText is shutdown.sh's "N hours M minutes S seconds" text
// (illumos-gate usr/src/cmd/initpkg/shutdown.sh, the grace loop: seconds
// only when hours is 0).
func graceText(grace int) string {
	hours, minutes, seconds := grace/3600, grace%3600/60, grace%60
	t := ""
	switch {
	case hours > 1:
		t = fmt.Sprintf("%d hours ", hours)
	case hours == 1:
		t = "1 hour "
	}
	switch {
	case minutes > 1:
		t += fmt.Sprintf("%d minutes ", minutes)
	case minutes == 1:
		t += "1 minute "
	}
	if hours == 0 && seconds > 0 {
		if seconds == 1 {
			t += "1 second"
		} else {
			t += fmt.Sprintf("%d seconds", seconds)
		}
	}
	return t
}

// shutdownPath is $0 of the shutdown script: the path the shell ran it
// by, found through PATH when it was started by its bare name.
func shutdownPath(inv *core.Invocation) string {
	p := progName(inv)
	if strings.Contains(p, "/") {
		return p
	}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir == "" {
			continue
		}
		if fi, err := os.Stat(filepath.Join(inv.Path(dir), p)); err == nil && !fi.IsDir() {
			return filepath.Join(dir, p)
		}
	}
	return p
}
