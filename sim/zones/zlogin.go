package zones

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/pkg"
	"github.com/zonemgr/zonemgr/sim/rbac"
)

// This file is the simulated zlogin. It follows illumos-gate
// usr/src/cmd/zlogin/zlogin.c (read @ 0833839f): main() for the option
// checks and the choice between interactive and non-interactive login,
// prep_args() for the argv run in the zone, prep_env() and
// prep_env_noninteractive() for its environment, and
// noninteractive_login() for the exit status. The su(8) and login(1) the
// zone runs are simulated here as well, from usr/src/cmd/su/su.c (@
// 09295472) and usr/src/cmd/login/login.c (@ 032624d5).

// zloginUsage is zlogin.c usage() (usage errors exit 2).
const zloginUsage = "usage: zlogin [-dinCEINQS] [-e cmdchar] [-l user] zonename [command [args ...] ]\n"

// zlogin.c's paths and defaults.
const (
	suPath1       = "/usr/bin/su" // SUPATH1
	suPath2       = "/bin/su"     // SUPATH2
	failsafeShell = "/sbin/sh"    // FAILSAFESHELL
	defaultShell  = "/sbin/sh"    // DEFAULTSHELL
	// zloginPath is DEF_PATH, the PATH prep_env() gives every login
	// (LX_DEF_PATH "/bin:/usr/sbin:/usr/bin" for lx zones).
	zloginPath   = "/usr/sbin:/usr/bin"
	zloginLXPath = "/bin:/usr/sbin:/usr/bin"
)

// su.c's defaults.
const (
	suShell      = "/usr/bin/sh"        // shell[]: the default shell
	suSafeShell  = "/sbin/sh"           // safe_shell[]: root's fallback
	suUserPath   = "/usr/bin:"          // PATH: for users other than root
	suRootPath   = "/usr/sbin:/usr/bin" // SUPATH: for root
	suRootPrompt = "PS1=# "             // SUPRMT
)

// EnvAudit, when "on", simulates a zone with BSM auditing enabled: su's
// audit_success() then calls audit_logout() (su.c), which forks; the
// parent, zlogin's child, waits for the shell and always exits 0, so
// every login that goes through su (every non-failsafe zlogin with a
// command, root's included: prep_args() runs "su root -c" for root) makes
// zlogin exit 0 whatever the command's status.
const EnvAudit = "ILLUMOS_SIM_AUDIT"

// JoinCommand joins zlogin's command arguments into the one string the
// zone's shell runs (zlogin.c prep_args()): a single argument is passed
// as is; with more, any argument containing a space or TAB is wrapped in
// single quotes.
func JoinCommand(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	parts := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " \t") {
			a = "'" + a + "'"
		}
		parts[i] = a
	}
	return strings.Join(parts, " ")
}

// A zoneUser is an account of a zone's own /etc/passwd, its fields as
// the file has them (an empty home or shell stays empty).
type zoneUser struct {
	name          string
	uid, gid      uint32
	gecos         string
	home, shell   string
	supplementary []uint32
}

// lookupZoneUser reads a user and its groups from the zone root, as
// getpwnam(3C) and initgroups(3C) with the files backend do; nil when the
// user does not exist.
func lookupZoneUser(root, name string) (*zoneUser, error) {
	f, err := os.Open(filepath.Join(root, "etc", "passwd"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var u *zoneUser
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) < 7 || fields[0] != name {
			continue
		}
		uid, err1 := strconv.ParseUint(fields[2], 10, 32)
		gid, err2 := strconv.ParseUint(fields[3], 10, 32)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("malformed passwd entry for %s", name)
		}
		u = &zoneUser{name: name, uid: uint32(uid), gid: uint32(gid), gecos: fields[4], home: fields[5], shell: fields[6]}
		break
	}
	if u == nil {
		return nil, nil
	}
	g, err := os.Open(filepath.Join(root, "etc", "group"))
	if err != nil {
		return u, nil
	}
	defer g.Close()
	sc = bufio.NewScanner(g)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) < 4 {
			continue
		}
		for _, m := range strings.Split(fields[3], ",") {
			if m == name {
				if gid, err := strconv.ParseUint(fields[2], 10, 32); err == nil {
					u.supplementary = append(u.supplementary, uint32(gid))
				}
			}
		}
	}
	return u, nil
}

// defread returns the value of KEY= in a zone's /etc/default file, as
// deflt(3C) defread() does (illumos-gate
// usr/src/lib/libc/port/gen/deflt.c defread_r(), default flags: a
// case-sensitive match at the start of a line after its leading blanks,
// the first such line; fgets() into a BUFFERSIZE (1024) buffer, and a
// line without its newline, too long or the file's unterminated last
// line, ends the search), and whether it was found.
func defread(root, file, key string) (string, bool) {
	b, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		return "", false
	}
	lines := strings.Split(string(b), "\n")
	for i, line := range lines {
		if i == len(lines)-1 || len(line) >= 1023 {
			break
		}
		line = strings.TrimLeft(line, " ")
		if v, ok := strings.CutPrefix(line, key+"="); ok {
			return v, true
		}
	}
	return "", false
}

// isTerminal reports whether a standard stream is a terminal, as
// isatty(3C) does.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	var t syscall.Termios
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&t)))
	return e == 0
}

// zloginMain runs "zlogin [-dinCEINQS] [-e c] [-l user] zone [command]",
// with zlogin.c main()'s option checks in its order.
func zloginMain(inv *core.Invocation) int {
	opts, optind, bad := getopt(inv.Args, "diNnECIR:Se:l:Q")
	if bad != 0 {
		fmt.Fprint(inv.Stderr, zloginUsage)
		return 2
	}
	l := &zlogin{inv: inv, login: "root"}
	var console, imode, iflag, disconnect, zfdEOF bool
	for _, o := range opts {
		switch o.opt {
		case 'C':
			console = true
		case 'I':
			console, imode = true, true
			zfdEOF = !zfdEOF
		case 'S':
			l.failsafe = true
		case 'd':
			disconnect = true
		case 'i':
			iflag = true
		case 'l':
			l.login, l.lflag = o.arg, true
		case 'N':
			zfdEOF = !zfdEOF
		case 'n':
			l.nullStdin = true
		}
		// [sim] -R (alternate root, undocumented), -e, -E and -Q are
		// accepted and change nothing the simulator does.
	}
	usage := func(msg string) int {
		if msg != "" {
			fmt.Fprintf(inv.Stderr, "zlogin: %s\n", msg)
		}
		fmt.Fprint(inv.Stderr, zloginUsage)
		return 2
	}
	if console {
		switch {
		case l.lflag:
			return usage("-l may not be specified for console login")
		case l.nullStdin:
			return usage("-n may not be specified for console login")
		case l.failsafe:
			return usage("-S may not be specified for console login")
		}
	}
	switch {
	case iflag && l.nullStdin:
		return usage("-i and -n flags are incompatible")
	case l.failsafe && l.lflag:
		return usage("-l may not be specified for failsafe login")
	case !console && disconnect:
		return usage("-d may only be specified with console login")
	case !imode && zfdEOF:
		return usage("-N may only be specified with -I")
	}
	interactive := false
	switch {
	case optind == len(inv.Args)-1:
		// No command: interactive as long as stdin is really a tty.
		if l.nullStdin {
			return usage("-n may not be specified for interactive login")
		}
		interactive = isTerminal(inv.Stdin)
	case optind < len(inv.Args)-1:
		if console {
			return usage("Commands may not be specified for console login.")
		}
		l.args = inv.Args[optind+1:]
		interactive = iflag && isTerminal(inv.Stdin)
	default:
		return usage("")
	}
	l.zone = inv.Args[optind]
	if console || interactive {
		// Console and interactive logins need a terminal (a pty, or
		// zoneadmd's console socket) the simulator does not provide.
		fmt.Fprint(inv.Stderr, "zlogin: console and interactive logins are not available in the illumos simulator\n")
		return 2
	}
	if code, injected := inv.Begin("zlogin", true); injected {
		return code
	}
	return l.run()
}

// A zlogin is one non-interactive zlogin run.
type zlogin struct {
	inv       *core.Invocation
	zone      string
	login     string // -l user, "root" by default
	lflag     bool
	failsafe  bool
	nullStdin bool
	args      []string // the command; nil for a login without one
	// viaSu is set when the command runs through su, whose exit status
	// BSM auditing replaces by 0 (EnvAudit).
	viaSu bool
}

func (l *zlogin) zerror(format string, a ...any) int {
	fmt.Fprintf(l.inv.Stderr, "zlogin: "+format+"\n", a...)
	return 1
}

// run checks the zone, starts the command under the state lock (so a
// concurrent halt sees its process), serves the zone's kernel requests
// while it runs, and returns noninteractive_login()'s
// WEXITSTATUS(child_status): a command killed by a signal makes zlogin
// exit 0.
func (l *zlogin) run() int {
	inv := l.inv
	if inv.Zone != "" {
		return l.zerror("'zlogin' may only be used from the global zone")
	}
	if l.zone == "global" {
		return l.zerror("'zlogin' not applicable to the global zone")
	}
	lock, err := inv.LockState()
	if err != nil {
		return l.zerror("%v", err)
	}
	cmd, kern, code := l.start()
	if cmd == nil {
		lock.Unlock()
		return code
	}
	pid := cmd.Process.Pid
	if err := l.registerPid(pid, true); err != nil {
		syscall.Kill(-pid, syscall.SIGKILL)
		cmd.Wait()
		kern.close()
		lock.Unlock()
		return l.zerror("%v", err)
	}
	lock.Unlock()

	// noninteractive_login() passes SIGINT, and only SIGINT, on to the
	// child's process group in the zone (zlogin.c: "sigset(SIGINT,
	// sig_forward)"; sig_forward() "sigsend(P_PGID, getpgid(child_pid),
	// s)"). Any other signal has its default action on zlogin alone: a
	// SIGTERM or SIGHUP ends zlogin and leaves the command running in
	// the zone, until it writes to the pipes zlogin no longer reads.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				if pg, err := syscall.Getpgid(pid); err == nil {
					syscall.Kill(-pg, s.(syscall.Signal))
				}
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	signal.Stop(sigs)
	close(done)
	// A halt or reboot asked for from inside the zone finishes before
	// zlogin goes.
	kern.close()

	if lock, lerr := inv.LockState(); lerr == nil {
		l.registerPid(pid, false)
		lock.Unlock()
	}
	var ee *exec.ExitError
	switch {
	case err == nil, errors.Is(err, exec.ErrWaitDelay):
		code = 0
	case errors.As(err, &ee):
		code = 0
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Exited() {
			code = ws.ExitStatus()
		}
	default:
		return l.zerror("%v", err)
	}
	if l.viaSu && os.Getenv(EnvAudit) == "on" {
		return 0
	}
	return code
}

// start makes main()'s zone checks and starts the command; on failure it
// returns the exit code (and no command).
func (l *zlogin) start() (*exec.Cmd, *zoneKernel, int) {
	inv := l.inv
	st, ok, err := zoneStatus(inv.Root, l.zone)
	if err != nil {
		return nil, nil, l.zerror("%v", err)
	}
	if !ok {
		return nil, nil, l.zerror("zone '%s' unknown", l.zone)
	}
	if st.State == StateConfigured || st.State == StateIncomplete {
		return nil, nil, l.zerror("cannot login to a zone which is '%s'", StateString(st.State))
	}
	if rbac.Check(inv, "/usr/sbin/zlogin") != rbac.Full {
		return nil, nil, l.zerror("You lack sufficient privilege to run this command (all privs required)")
	}
	if !rbac.HasAuth(inv, "solaris.zone.manage/"+l.zone) {
		return nil, nil, l.zerror("%s is not authorized for  failsafe or non-interactive login to  %s zone.", rbac.UserName(inv), l.zone)
	}
	// main() lets any login into a running or mounted zone
	// (illumos-gate usr/src/cmd/zlogin/zlogin.c main(): "st !=
	// ZONE_STATE_RUNNING && st != ZONE_STATE_MOUNTED"). The sim is
	// stricter and allows only -S into a mounted zone: a non-failsafe
	// login there runs the brand's user_cmd and login in the scratch
	// zone's miniroot, which the sim does not model (zonemgr logs into
	// a mounted zone only with -S).
	if st.State != StateRunning && !(st.State == StateMounted && l.failsafe) {
		return nil, nil, l.zerror("login allowed only to running zones (%s is '%s').", l.zone, StateString(st.State))
	}
	c, err := LoadConfig(inv.Root, l.zone)
	if err != nil {
		return nil, nil, l.zerror("could not get zone configuration: %v", err)
	}
	// A mounted zone runs in its scratch root (scratch.go), which has no
	// network (vplat.c vplat_bringup() configures interfaces only for
	// Z_MNT_BOOT): its image keeps the package catalog it last fetched.
	// [not simulated: a pkg there that must refresh its catalog fails
	// to reach the repository; the sim's pkg uses the stale catalog.]
	rootGZ := path.Join(c.Zonepath, "root")
	if st.State == StateMounted {
		rootGZ = path.Join(c.Zonepath, scratchDir)
	}
	root, err := filepath.EvalSymlinks(inv.Path(rootGZ))
	if err != nil {
		return nil, nil, l.zerror("could not find the root of zone %s: %v", l.zone, err)
	}
	if st.State != StateMounted {
		if err := pkg.SyncCatalog(inv.Root, root); err != nil {
			return nil, nil, l.zerror("could not refresh the package catalog of zone %s: %v", l.zone, err)
		}
	}
	p, code := l.prepare(root, c)
	if p == nil {
		return nil, nil, code
	}
	kern, err := startZoneKernel(inv.Root, l.zone, root)
	if err != nil {
		return nil, nil, l.zerror("could not start the simulated kernel of zone %s: %v", l.zone, err)
	}
	// The zone's process is started through the sim binary in the zone
	// root (userland.go zoneExecMain), in a UTS namespace of its own that
	// carries the zone's nodename.
	groups := make([]string, len(p.groups))
	for i, g := range p.groups {
		groups[i] = strconv.FormatUint(uint64(g), 10)
	}
	args := []string{zoneExecName, zoneNodenameOf(root, l.zone),
		strconv.FormatUint(uint64(p.uid), 10), strconv.FormatUint(uint64(p.gid), 10),
		strings.Join(groups, ","), p.dir, p.path}
	cmd := &exec.Cmd{
		Path: "/usr/lib/illumos-sim",
		Args: append(args, p.argv...),
		Dir:  "/",
		Env:  append(p.env, core.EnvZone+"="+l.zone),
		// The child writes to pipes that zlogin reads and copies out
		// (noninteractive_login(): stdout_pipe, stderr_pipe, doio()),
		// never to zlogin's own output: once zlogin is gone, the
		// command's next write fails (EPIPE, SIGPIPE). A writer that is
		// not an *os.File makes os/exec make the pipe and the copy.
		Stdout: struct{ io.Writer }{inv.Stdout},
		Stderr: struct{ io.Writer }{inv.Stderr},
		// doio() stops once the child is dead (dead_child_pipe), after
		// what is already in the pipes: a process the command left
		// behind holding them open does not keep zlogin waiting.
		WaitDelay: 200 * time.Millisecond,
		SysProcAttr: &syscall.SysProcAttr{
			Chroot:     root,
			Setpgid:    true,
			Cloneflags: syscall.CLONE_NEWUTS,
		},
	}
	if st.State == StateMounted {
		// The scratch zone's mounts are made by the sim binary on the
		// host, in the session's own mount namespace, before it enters
		// the scratch root (scratch.go scratchExecMain).
		self, err := os.Executable()
		if err != nil {
			kern.close()
			return nil, nil, l.zerror("exec failure: %v", err)
		}
		zoneRoot, err := filepath.EvalSymlinks(inv.Path(path.Join(c.Zonepath, "root")))
		if err != nil {
			kern.close()
			return nil, nil, l.zerror("could not find the root of zone %s: %v", l.zone, err)
		}
		cmd.Path = self
		cmd.Args = append([]string{scratchExecName, zoneRoot, root}, cmd.Args...)
		cmd.SysProcAttr.Chroot = ""
		cmd.SysProcAttr.Cloneflags |= syscall.CLONE_NEWNS
	}
	if l.nullStdin {
		devnull, err := os.Open(os.DevNull)
		if err != nil {
			kern.close()
			return nil, nil, l.zerror("failed to open null device: %v", err)
		}
		defer devnull.Close()
		cmd.Stdin = devnull
	} else {
		cmd.Stdin = inv.Stdin
	}
	if err := cmd.Start(); err != nil {
		kern.close()
		// The child's zperror(gettext("exec failure")).
		return nil, nil, l.zerror("exec failure: %s", errnoText(err))
	}
	return cmd, kern, 0
}

// zoneNodenameOf is the zone's current nodename (svc.go repository,
// the zone name by default).
func zoneNodenameOf(root, zone string) string {
	if r, err := readRepository(root); err == nil && r.Nodename != "" {
		return r.Nodename
	}
	return zone
}

// A zoneProcess is what the zlogin child finally execs in the zone.
type zoneProcess struct {
	path     string
	argv     []string
	env      []string
	dir      string
	uid, gid uint32
	groups   []uint32
}

// prepare works out the process the zone runs for this login:
// prep_args() and prep_env() of zlogin.c, the chdir of
// prep_env_noninteractive(), and what su or login then do. Failures of
// the simulated su and login are printed as they print them and return
// nil with the exit status the zlogin child would have.
func (l *zlogin) prepare(root string, c *Config) (*zoneProcess, int) {
	inv := l.inv
	// prep_env(): PATH, TERM copied when set, and for -S HOME and SHELL.
	// Nothing else of the caller's environment passes (no LANG or LC_*).
	p := zloginPath
	if c.Brand == "lx" {
		p = zloginLXPath
	}
	env := []string{"PATH=" + p}
	if term, ok := os.LookupEnv("TERM"); ok {
		env = append(env, "TERM="+term)
	}
	if l.failsafe {
		// prep_args(): "/sbin/sh -c <command>", or a bare /sbin/sh
		// reading its standard input when there is no command. The
		// child never chdirs: zone_enter(2) leaves it in the zone's /.
		env = append(env, "HOME=/", "SHELL="+failsafeShell)
		argv := []string{failsafeShell}
		if l.args != nil {
			argv = append(argv, "-c", JoinCommand(l.args))
		}
		return &zoneProcess{path: failsafeShell, argv: argv, env: env, dir: "/"}, 0
	}

	// prep_env_noninteractive(): the login user's passwd entry comes from
	// the brand's user_cmd ("/usr/bin/getent passwd %u", ipkg
	// config.xml); LOGNAME, HOME and MAIL when found (HOME=/ when not),
	// SHELL always, and a chdir to the home directory.
	pw, err := lookupZoneUser(root, l.login)
	if err != nil {
		return nil, l.zerror("could not read the accounts of zone %s: %v", l.zone, err)
	}
	dir := "/"
	if pw != nil {
		env = append(env, "LOGNAME="+pw.name, "HOME="+pw.home, "MAIL=/var/mail/"+pw.name)
		if err := zoneChdir(root, pw.home); err != nil {
			fmt.Fprintf(inv.Stderr, "zlogin: Could not chdir to home directory %s: %s\n", pw.home, errnoText(err))
		} else {
			dir = pw.home
		}
	} else {
		env = append(env, "HOME=/")
	}
	if pw != nil && pw.shell != "" {
		env = append(env, "SHELL="+pw.shell)
	} else {
		env = append(env, "SHELL="+defaultShell)
	}

	if l.args == nil {
		return nil, l.loginWithoutTerminal(pw)
	}
	supath := ""
	for _, s := range []string{suPath1, suPath2} {
		if _, err := os.Stat(filepath.Join(root, s)); err == nil {
			supath = s
			break
		}
	}
	if supath == "" {
		// Without su the arguments run as they are, for root only.
		if l.login != "root" {
			l.zerror("unable to find 'su' command")
			return nil, l.zerror("could not assemble new arguments: %s", errnoText(syscall.ENOENT))
		}
		return &zoneProcess{path: l.args[0], argv: l.args, env: env, dir: dir}, 0
	}
	l.viaSu = true
	return l.su(root, pw, env, dir)
}

// su simulates "su root -c <cmd>" (login root) or "su - <user> -c <cmd>"
// as su.c main() runs it for zlogin's child (uid 0, so no password).
func (l *zlogin) su(root string, pw *zoneUser, env []string, dir string) (*zoneProcess, int) {
	inv := l.inv
	command := JoinCommand(l.args)
	eflag := l.login != "root"
	if pw == nil {
		// PAM_USER_UNKNOWN: message(ERR, "Unknown id: %s"), exit 1.
		// [sim] su sleeps SLEEPTIME (4 s) first; the sim does not wait.
		fmt.Fprintf(inv.Stderr, "su: Unknown id: %s\n", l.login)
		return nil, 1
	}
	path := pw.shell
	base := ""
	if path != "" && path != suShell {
		base = path[strings.LastIndex(path, "/")+1:]
	} else {
		// su names the default shell "su" ("-su" with "-"). [sim] The
		// zone's /usr/bin/sh is busybox, which would run its su applet
		// under that name: the sim names it "sh".
		path, base = suShell, "sh"
	}
	argv0 := base
	if eflag {
		argv0 = "-" + base
	}
	if eflag {
		// su -: a new environment (HOME, PATH, LOGNAME, HZ, TERM, SHELL,
		// MAIL, then TZ from the inherited one or /etc/default/login
		// TIMEZONE; locale variables only if inherited, and zlogin
		// passes none), and a chdir to the home directory.
		home := pw.home
		if home == "" {
			home = "/"
			fmt.Fprint(inv.Stderr, "su: No directory! Using home=/\n")
		}
		if err := zoneChdir(root, home); err != nil {
			fmt.Fprint(inv.Stderr, "su: No directory!\n")
			return nil, 1
		}
		dir = home
		userPath, rootPath := suPaths(root)
		p := userPath
		if pw.uid == 0 {
			p = rootPath
		}
		newEnv := []string{"HOME=" + home, "PATH=" + p, "LOGNAME=" + pw.name, "HZ="}
		if term, ok := lookupEnv(env, "TERM"); ok {
			newEnv = append(newEnv, "TERM="+term)
		}
		newEnv = append(newEnv, "SHELL="+path, "MAIL=/var/mail/"+pw.name)
		if tz, ok := defread(root, "etc/default/login", "TIMEZONE"); ok {
			newEnv = append(newEnv, "TZ="+tz)
		}
		env = newEnv
	} else if pw.uid == 0 {
		// envalt(): root without "-" keeps the environment with PATH
		// set to SUPATH and PS1 to "# ".
		_, rootPath := suPaths(root)
		env = setEnv(env, "PATH="+rootPath)
		env = setEnv(env, suRootPrompt)
	}
	if _, err := os.Stat(filepath.Join(root, path)); err != nil {
		// The exec of the shell failed: root falls back to /sbin/sh.
		if pw.uid == 0 && pw.name == "root" && path != suSafeShell {
			fmt.Fprintf(inv.Stderr, "su: No shell %s.  Trying fallback shell %s.\n", path, suSafeShell)
			path, argv0 = suSafeShell, "sh"
			if eflag {
				argv0 = "-sh"
				env = setEnv(env, "SHELL="+suSafeShell)
			}
		} else {
			fmt.Fprint(inv.Stderr, "su: No shell\n")
			return nil, 3
		}
	}
	return &zoneProcess{path: path, argv: []string{argv0, "-c", command}, env: env, dir: dir,
		uid: pw.uid, gid: pw.gid, groups: pw.supplementary}, 0
}

// loginWithoutTerminal is what a zlogin without a command and without a
// terminal on its standard input runs: prep_args() takes the brand's
// forcedlogin_cmd, "/usr/bin/login -z %Z -f %u" (ipkg config.xml), and
// login(1) -f with stdin not a tty finds no utmpx entry for its pid
// (zlogin makes one only for interactive logins, setup_utmpx()), so
// update_utmpx_entry() prints its message and login exits 1
// (login.c main(), update_utmpx_entry()). The script on stdin never runs.
func (l *zlogin) loginWithoutTerminal(pw *zoneUser) int {
	if pw == nil {
		fmt.Fprintf(l.inv.Stdout, "Login failed: unknown user '%s'.\n", l.login)
		return 1
	}
	fmt.Fprint(l.inv.Stdout, "No utmpx entry. You must exec \"login\" from the lowest level \"shell\".\n")
	return 1
}

// suPaths are the PATHs su gives a user and root: /etc/default/su PATH=
// and SUPATH= when set, else "/usr/bin:" and "/usr/sbin:/usr/bin"
// (illumos-gate usr/src/cmd/su/su.c main(): defread("PATH="),
// defread("SUPATH="), the PATH and SUPATH defines).
func suPaths(root string) (user, rootPath string) {
	user, rootPath = suUserPath, suRootPath
	if v, ok := defread(root, "etc/default/su", "PATH"); ok {
		user = v
	}
	if v, ok := defread(root, "etc/default/su", "SUPATH"); ok {
		rootPath = v
	}
	return user, rootPath
}

// lookupEnv finds a variable in an environment list.
func lookupEnv(env []string, key string) (string, bool) {
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, key+"="); ok {
			return v, true
		}
	}
	return "", false
}

// setEnv is putenv(3C) (usr/src/lib/libc/port/gen/getenv.c putenv()): it replaces
// the variable in place or appends it.
func setEnv(env []string, kv string) []string {
	key, _, _ := strings.Cut(kv, "=")
	for i, e := range env {
		if strings.HasPrefix(e, key+"=") {
			env[i] = kv
			return env
		}
	}
	return append(env, kv)
}

// zoneChdir checks that a directory inside the zone root can be entered
// (the sim chdirs the process it starts, chrooted, into it).
func zoneChdir(root, dir string) error {
	fi, err := os.Stat(filepath.Join(root, filepath.Clean("/"+dir)))
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return syscall.ENOTDIR
	}
	return nil
}

// errnoText is illumos strerror(3C) for the errors the sim reports (the
// texts of usr/src/lib/libc/port/gen/errlist).
func errnoText(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return pe.Err.Error()
		}
		return err.Error()
	}
	switch errno {
	case syscall.ENOENT:
		return "No such file or directory"
	case syscall.EACCES:
		return "Permission denied"
	case syscall.ENOTDIR:
		return "Not a directory"
	case syscall.EPERM:
		return "Not owner"
	case syscall.ENOEXEC:
		return "Exec format error"
	case syscall.EINVAL:
		return "Invalid argument"
	}
	return errno.Error()
}

// registerPid adds (or removes) a zlogin process group in the kernel
// table, so halt can stop it; the caller holds the state lock.
func (l *zlogin) registerPid(pid int, add bool) error {
	k, err := ReadKernel(l.inv.Root)
	if err != nil {
		return err
	}
	kz := k.Zones[l.zone]
	if kz == nil {
		if add {
			return fmt.Errorf("zone %s is no longer running", l.zone)
		}
		return nil
	}
	if add {
		kz.Pids = append(kz.Pids, pid)
	} else {
		for i, p := range kz.Pids {
			if p == pid {
				kz.Pids = append(kz.Pids[:i], kz.Pids[i+1:]...)
				break
			}
		}
	}
	return k.Write(l.inv.Root)
}
