package zones

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/pkg"
	"github.com/zonemgr/zonemgr/sim/rbac"
)

// zloginUsage is zlogin's usage line (usage errors exit 2).
const zloginUsage = "usage: zlogin [ -dinCEINQS ] [ -e cmdchar ] [-l user] zonename [command [args ...] ]\n"

// zonePath is the PATH a login in a zone gets (su - on illumos).
const zonePath = "/usr/bin:/usr/sbin:/bin:/sbin"

// JoinCommand joins zlogin's command arguments into the one string the
// zone's shell runs (illumos-commands.md §5): a single argument is passed
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

// A zoneUser is an account of a zone's own /etc/passwd.
type zoneUser struct {
	name          string
	uid, gid      uint32
	home, shell   string
	supplementary []uint32
}

// lookupZoneUser reads a user and its groups from the zone root.
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
		u = &zoneUser{name: name, uid: uint32(uid), gid: uint32(gid), home: fields[5], shell: fields[6]}
		break
	}
	if u == nil {
		return nil, nil
	}
	if u.home == "" {
		u.home = "/"
	}
	if u.shell == "" {
		u.shell = "/bin/sh"
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

// zloginMain runs "zlogin [-S] [-l user] [-E] [-Q] [-n] zone command...":
// the checks of illumos-commands.md §5 in order, then the command, for
// real, chrooted into the zone root as the zone user, with its exit
// status passed through.
func zloginMain(inv *core.Invocation) int {
	opts, optind, bad := getopt(inv.Args, "dinCEINQSe:l:R:")
	if bad != 0 {
		fmt.Fprint(inv.Stderr, zloginUsage)
		return 2
	}
	user, failsafe, console, nullStdin := "", false, false, false
	for _, o := range opts {
		switch o.opt {
		case 'l':
			user = o.arg
		case 'S':
			failsafe = true
		case 'C':
			console = true
		case 'n':
			nullStdin = true
		}
	}
	if optind >= len(inv.Args) {
		fmt.Fprint(inv.Stderr, zloginUsage)
		return 2
	}
	zone := inv.Args[optind]
	cmdArgs := inv.Args[optind+1:]
	if failsafe && user != "" {
		fmt.Fprint(inv.Stderr, "zlogin: -l and -S are mutually exclusive\n")
		fmt.Fprint(inv.Stderr, zloginUsage)
		return 2
	}
	if console || len(cmdArgs) == 0 {
		// Interactive and console logins need a terminal the simulator
		// does not provide.
		fmt.Fprint(inv.Stderr, "zlogin: a command is required: interactive and console logins are not available\n")
		fmt.Fprint(inv.Stderr, zloginUsage)
		return 2
	}
	if code, injected := inv.Begin("zlogin", true); injected {
		return code
	}
	l := &zlogin{inv: inv, zone: zone, user: user, failsafe: failsafe, nullStdin: nullStdin}
	return l.run(JoinCommand(cmdArgs))
}

// A zlogin is one zlogin run.
type zlogin struct {
	inv       *core.Invocation
	zone      string
	user      string
	failsafe  bool
	nullStdin bool
}

func (l *zlogin) zerror(format string, a ...any) int {
	fmt.Fprintf(l.inv.Stderr, "zlogin: "+format+"\n", a...)
	return 1
}

// run checks the zone, starts the command under the state lock (so a
// concurrent halt sees its process), and waits for it without the lock.
func (l *zlogin) run(command string) int {
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
	cmd, code := l.start(command)
	if cmd == nil {
		lock.Unlock()
		return code
	}
	pid := cmd.Process.Pid
	if err := l.registerPid(pid, true); err != nil {
		syscall.Kill(-pid, syscall.SIGKILL)
		cmd.Wait()
		lock.Unlock()
		return l.zerror("%v", err)
	}
	lock.Unlock()

	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				syscall.Kill(-pid, s.(syscall.Signal))
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	signal.Stop(sigs)
	close(done)

	if lock, lerr := inv.LockState(); lerr == nil {
		l.registerPid(pid, false)
		lock.Unlock()
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	return l.zerror("%v", err)
}

// start makes the checks of §5 and starts the command; on failure it
// returns the exit code.
func (l *zlogin) start(command string) (*exec.Cmd, int) {
	inv := l.inv
	st, ok, err := zoneStatus(inv.Root, l.zone)
	if err != nil {
		return nil, l.zerror("%v", err)
	}
	if !ok {
		return nil, l.zerror("zone '%s' unknown", l.zone)
	}
	if st.State == StateConfigured || st.State == StateIncomplete {
		return nil, l.zerror("cannot login to a zone which is '%s'", StateString(st.State))
	}
	if rbac.Check(inv, "/usr/sbin/zlogin") != rbac.Full {
		return nil, l.zerror("You lack sufficient privilege to run this command (all privs required)")
	}
	if !rbac.HasAuth(inv, "solaris.zone.manage/"+l.zone) {
		return nil, l.zerror("%s is not authorized for  failsafe or non-interactive login to  %s zone.", rbac.UserName(inv), l.zone)
	}
	if st.State != StateRunning && !(st.State == StateMounted && l.failsafe) {
		return nil, l.zerror("login allowed only to running zones (%s is '%s').", l.zone, StateString(st.State))
	}
	c, err := LoadConfig(inv.Root, l.zone)
	if err != nil {
		return nil, l.zerror("could not get zone configuration: %v", err)
	}
	rootGZ := path.Join(c.Zonepath, "root")
	root, err := filepath.EvalSymlinks(inv.Path(rootGZ))
	if err != nil {
		return nil, l.zerror("could not find the root of zone %s: %v", l.zone, err)
	}
	if err := pkg.SyncCatalog(inv.Root, root); err != nil {
		return nil, l.zerror("could not refresh the package catalog of zone %s: %v", l.zone, err)
	}
	name := l.user
	if name == "" {
		name = "root"
	}
	u, err := lookupZoneUser(root, name)
	if err != nil {
		return nil, l.zerror("could not read the accounts of zone %s: %v", l.zone, err)
	}
	if u == nil {
		fmt.Fprintf(inv.Stderr, "su: Unknown id: %s\n", name)
		return nil, 1
	}
	shell := "/bin/sh"
	if l.failsafe {
		shell = "/sbin/sh"
	}
	dir := "/"
	if fi, err := os.Stat(filepath.Join(root, u.home)); err == nil && fi.IsDir() {
		dir = u.home
	}
	cmd := &exec.Cmd{
		Path: shell,
		Args: []string{shell, "-c", command},
		Dir:  dir,
		Env: []string{"HOME=" + u.home, "USER=" + u.name, "LOGNAME=" + u.name, "SHELL=" + u.shell,
			"PATH=" + zonePath, core.EnvZone + "=" + l.zone},
		Stdout: inv.Stdout,
		Stderr: inv.Stderr,
		SysProcAttr: &syscall.SysProcAttr{
			Chroot:     root,
			Setpgid:    true,
			Credential: &syscall.Credential{Uid: u.uid, Gid: u.gid, Groups: u.supplementary},
		},
	}
	if l.nullStdin {
		devnull, err := os.Open(os.DevNull)
		if err != nil {
			return nil, l.zerror("%v", err)
		}
		defer devnull.Close()
		cmd.Stdin = devnull
	} else {
		cmd.Stdin = inv.Stdin
	}
	if err := cmd.Start(); err != nil {
		return nil, l.zerror("could not execute %s in zone %s: %v", shell, l.zone, err)
	}
	return cmd, 0
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
