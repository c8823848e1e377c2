package zones

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestZlogin(t *testing.T) {
	s := newSim(t)
	s.running("z1")
	// A build user in the zone's own passwd and group files.
	root := filepath.Join(s.root, "zones/z1/root")
	appendFile(t, filepath.Join(root, "etc/passwd"), "builder:x:1003:10:Builder:/export/home/builder:/bin/sh\n"+
		"nohome:x:1004:10::/export/home/nohome:/bin/sh\n")
	appendFile(t, filepath.Join(root, "etc/group"), "build::1100:builder\n")
	os.MkdirAll(filepath.Join(root, "export/home/builder"), 0o755)
	os.Chown(filepath.Join(root, "export/home/builder"), 1003, 10)

	tests := []struct {
		name   string
		args   []string
		stdout string
		stderr string
		code   int
	}{
		{"exit 0", []string{"z1", "true"}, "", "", 0},
		{"exit 1", []string{"z1", "false"}, "", "", 1},
		// su execs root's shell under the name "sh" (su.c main()).
		{"exit 127", []string{"z1", "nosuchcommand"}, "", "sh: nosuchcommand: not found\n", 127},
		{"exit 255", []string{"z1", "exit 255"}, "", "", 255},
		{"one argument is one command", []string{"z1", "echo a  b"}, "a b\n", "", 0},
		{"arguments with spaces are quoted", []string{"z1", "echo", "a  b", "c"}, "a  b c\n", "", 0},
		{"stdout and stderr apart", []string{"z1", "echo out; echo err >&2"}, "out\n", "err\n", 0},
		{"root by default", []string{"z1", "id -u; pwd"}, "0\n/root\n", "", 0},
		{"-l user", []string{"-l", "builder", "z1", "id -u; id -g; id -G; pwd"},
			"1003\n10\n10 1100\n/export/home/builder\n", "", 0},
		{"-l unknown user", []string{"-l", "nobody2", "z1", "true"}, "", "su: Unknown id: nobody2\n", 1},
		{"-l user without a home", []string{"-l", "nohome", "z1", "true"}, "",
			"zlogin: Could not chdir to home directory /export/home/nohome: No such file or directory\nsu: No directory!\n", 1},
		{"-S", []string{"-S", "z1", "id -u"}, "0\n", "", 0},
		{"zone marker", []string{"z1", "echo $ILLUMOS_SIM_ZONE"}, "z1\n", "", 0},
		// No package delivers /etc/nodename; the nodename is the zone
		// name identity-node falls back to.
		{"no /etc/nodename", []string{"z1", "test -e /etc/nodename"}, "", "", 1},
		{"nodename", []string{"z1", "uname -n"}, "z1\n", "", 0},
		{"unknown zone", []string{"nosuch", "true"}, "", "zlogin: zone 'nosuch' unknown\n", 1},
		{"global", []string{"global", "true"}, "", "zlogin: 'zlogin' not applicable to the global zone\n", 1},
		// zlogin.c main(): "-l may not be specified for failsafe login".
		{"-l with -S", []string{"-S", "-l", "builder", "z1", "true"}, "",
			"zlogin: -l may not be specified for failsafe login\n" + zloginUsage, 2},
		{"-n without a command", []string{"-n", "z1"}, "",
			"zlogin: -n may not be specified for interactive login\n" + zloginUsage, 2},
		{"-C with -S", []string{"-C", "-S", "z1"}, "", "zlogin: -S may not be specified for console login\n" + zloginUsage, 2},
		{"-C with a command", []string{"-C", "z1", "true"}, "", "zlogin: Commands may not be specified for console login.\n" + zloginUsage, 2},
		{"-d without -C", []string{"-d", "z1", "true"}, "", "zlogin: -d may only be specified with console login\n" + zloginUsage, 2},
		{"console", []string{"-C", "z1"}, "", "zlogin: console and interactive logins are not available in the illumos simulator\n", 2},
	}
	for _, tt := range tests {
		check(t, tt.name, s.run(append([]string{"zlogin"}, tt.args...)...), tt.stdout, tt.stderr, tt.code)
	}

	s.inState("c1", "configured")
	s.inState("i1", "incomplete")
	s.inState("r1", "ready")
	s.inState("in1", "installed")
	s.inState("m1", "mounted")
	for _, tt := range []struct{ zone, stderr string }{
		{"c1", "zlogin: cannot login to a zone which is 'configured'\n"},
		{"i1", "zlogin: cannot login to a zone which is 'incomplete'\n"},
		{"r1", "zlogin: login allowed only to running zones (r1 is 'ready').\n"},
		{"in1", "zlogin: login allowed only to running zones (in1 is 'installed').\n"},
		{"m1", "zlogin: login allowed only to running zones (m1 is 'mounted').\n"},
	} {
		check(t, "state "+tt.zone, s.run("zlogin", tt.zone, "true"), "", tt.stderr, 1)
	}
	check(t, "-S on a mounted zone", s.run("zlogin", "-S", "m1", "cat /etc/inet/hosts | tail -1"), "127.0.0.1\tlocalhost loghost\n", "", 0)
}

func TestZloginIsolationAndHalt(t *testing.T) {
	s := newSim(t)
	s.installed("golden")
	for _, z := range []string{"b1", "b2"} {
		s.configure(z, basicConfig(z))
		s.must("zoneadm", "-z", z, "clone", "golden")
		s.must("zoneadm", "-z", z, "boot")
	}
	s.must("zlogin", "b1", "echo built > /root/artifact")
	check(t, "file in b1", s.run("zlogin", "b1", "cat /root/artifact"), "built\n", "", 0)
	check(t, "absent in b2", s.run("zlogin", "b2", "test -e /root/artifact"), "", "", 1)
	if _, err := os.Stat(filepath.Join(s.root, "zones/golden/root/root/artifact")); !os.IsNotExist(err) {
		t.Errorf("artifact leaked into the golden zone: %v", err)
	}

	// halt stops the zone's processes: a long command ends by SIGKILL.
	done := make(chan result)
	go func() { done <- s.run("zlogin", "b2", "echo started; : > /root/ready; sleep 60; echo finished") }()
	waitForPids(t, s, "b2")
	for i := 0; ; i++ {
		if _, err := os.Stat(filepath.Join(s.root, "zones/b2/root/root/ready")); err == nil {
			break
		}
		if i == 3000 {
			t.Fatal("the command in b2 did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.must("zoneadm", "-z", "b2", "halt")
	r := <-done
	// zlogin exits WEXITSTATUS of its child: 0 for one killed by a signal.
	check(t, "killed by halt", r, "started\n", "", 0)
	k, _ := ReadKernel(s.root)
	if k.Zones["b2"] != nil {
		t.Errorf("b2 still in the kernel")
	}
}

// waitForPids waits until a zlogin session of the zone is registered.
func waitForPids(t *testing.T, s *sim, zone string) {
	t.Helper()
	for {
		k, err := ReadKernel(s.root)
		if err != nil {
			t.Fatal(err)
		}
		if kz := k.Zones[zone]; kz != nil && len(kz.Pids) > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func appendFile(t *testing.T, p, text string) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

func TestSvcs(t *testing.T) {
	s := newSim(t)
	s.installed("slow")
	s.installed("quick")
	s.installed("single")
	s.runEnv([]string{"ILLUMOS_SIM_BOOT_DELAY=3600"}, "", "zoneadm", "-z", "slow", "boot")
	s.must("zoneadm", "-z", "quick", "boot")
	s.must("zoneadm", "-z", "single", "boot", "-s")
	const ms = "svc:/milestone/multi-user-server:default"
	tests := []struct {
		name   string
		args   []string
		stdout string
		stderr string
		code   int
	}{
		{"booting milestone", []string{"slow", "svcs", "-H", "-o", "state", ms}, "offline*\n", "", 0},
		{"booted milestone", []string{"quick", "svcs", "-H", "-o", "state", ms}, "online\n", "", 0},
		// sprint_nstate(): "%-*s " with MAX_SCF_STATE_STRING_SZ - 1 (13).
		{"nstate column", []string{"quick", "svcs", "-H", "-o", "nstate,fmri", ms}, "-" + strings.Repeat(" ", 13) + ms + "\n", "", 0},
		{"single-user boot", []string{"single", "svcs -H -o state svc:/milestone/single-user:default milestone/multi-user"}, "online\noffline\n", "", 0},
		{"disabled service", []string{"quick", "svcs", "-H", "-o", "state", "svc:/network/ldap/client:default"}, "disabled\n", "", 0},
		// print_header() runs even when nothing matched.
		{"unknown pattern", []string{"quick", "svcs", "nosuch"}, "STATE          STIME    FMRI\n", "svcs: Pattern 'nosuch' doesn't match any instances\n", 1},
		{"unknown pattern, -H", []string{"quick", "svcs", "-H", "nosuch"}, "", "svcs: Pattern 'nosuch' doesn't match any instances\n", 1},
		{"svcadm unknown", []string{"quick", "svcadm", "enable", "nosuch"}, "", "svcadm: Pattern 'nosuch' doesn't match any instances\n", 1},
		{"enable records", []string{"quick", "svcadm enable svc:/network/ldap/client:default && svcs -H -o state network/ldap/client"}, "online\n", "", 0},
		{"disable records", []string{"quick", "svcadm disable -s svc:/system/filesystem/autofs:default && svcs -H -o state autofs"}, "disabled\n", "", 0},
		{"enable -ts single-user milestone", []string{"single", "svcadm enable -ts " + ms + " && svcs -H -o state " + ms}, "online\n", "", 0},
		{"physical instances", []string{"quick", "svcs -H -o fmri network/physical"}, "svc:/network/physical:default\nsvc:/network/physical:nwam\n", "", 0},
	}
	for _, tt := range tests {
		check(t, tt.name, s.run(append([]string{"zlogin"}, tt.args...)...), tt.stdout, tt.stderr, tt.code)
	}
	r := s.run("zlogin", "quick", "svcs", ms)
	if lines := strings.Split(r.stdout, "\n"); r.code != 0 || len(lines) != 3 || lines[0] != "STATE          STIME    FMRI" ||
		!strings.HasPrefix(lines[1], "online         ") || !strings.HasSuffix(lines[1], " "+ms) {
		t.Errorf("svcs with header: %q %q", r.stdout, r.stderr)
	}
	// A temporary enable is forgotten at the next boot; a persistent
	// disable is not.
	s.must("zlogin", "quick", "svcadm enable -t svc:/network/physical:nwam")
	s.must("zoneadm", "-z", "quick", "reboot")
	check(t, "after reboot", s.run("zlogin", "quick", "svcs -H -o state network/physical:nwam system/filesystem/autofs"),
		"disabled\ndisabled\n", "", 0)
}

// TestZloginExitStatus: zlogin exits WEXITSTATUS of its child
// (zlogin.c noninteractive_login()), and with BSM auditing su's parent
// exits 0 (su.c audit_logout()) for every login that goes through su.
func TestZloginExitStatus(t *testing.T) {
	s := newSim(t)
	s.running("z1")
	addBuilder(t, s, "z1")
	audit := []string{EnvAudit + "=on"}
	tests := []struct {
		name string
		env  []string
		args []string
		code int
	}{
		{"killed by SIGKILL", nil, []string{"z1", "kill -9 $$"}, 0},
		{"killed by SIGTERM", nil, []string{"z1", "kill -TERM $$"}, 0},
		{"-S killed by SIGKILL", nil, []string{"-S", "z1", "kill -KILL $$"}, 0},
		{"exit 3", nil, []string{"z1", "exit 3"}, 3},
		{"-l exit 3", nil, []string{"-l", "builder", "z1", "exit 3"}, 3},
		{"audit: -l exit 3", audit, []string{"-l", "builder", "z1", "exit 3"}, 0},
		{"audit: root exit 3", audit, []string{"z1", "exit 3"}, 0},
		{"audit: -S does not use su", audit, []string{"-S", "z1", "exit 3"}, 3},
	}
	for _, tt := range tests {
		check(t, tt.name, s.runEnv(tt.env, "", append([]string{"zlogin"}, tt.args...)...), "", "", tt.code)
	}
	check(t, "audit: unknown user", s.runEnv(audit, "", "zlogin", "-l", "nobody2", "z1", "true"),
		"", "su: Unknown id: nobody2\n", 1)
}

// TestZloginWithoutCommand: without a command and without a terminal on
// stdin, -S runs /sbin/sh reading the script; otherwise zlogin runs
// "login -z global -f root", which finds no utmpx entry.
func TestZloginWithoutCommand(t *testing.T) {
	s := newSim(t)
	s.running("z1")
	check(t, "-S runs the piped script", s.runEnv(nil, "echo piped; id -u; pwd\n", "zlogin", "-S", "z1"),
		"piped\n0\n/\n", "", 0)
	check(t, "login finds no utmpx entry", s.runEnv(nil, "touch /tmp/ran\n", "zlogin", "z1"),
		"No utmpx entry. You must exec \"login\" from the lowest level \"shell\".\n", "", 1)
	if _, err := os.Stat(filepath.Join(s.root, "zones/z1/root/tmp/ran")); !os.IsNotExist(err) {
		t.Errorf("the piped script ran without -S: %v", err)
	}
	check(t, "login of an unknown user", s.runEnv(nil, "true\n", "zlogin", "-l", "nobody2", "z1"),
		"Login failed: unknown user 'nobody2'.\n", "", 1)
}

// TestZloginEnvironment: the environment and working directory of each
// kind of login (zlogin.c prep_env(), prep_env_noninteractive(); su.c).
// The busybox shell adds PWD and SHLVL of its own, left out here.
func TestZloginEnvironment(t *testing.T) {
	s := newSim(t)
	s.running("z1")
	root := filepath.Join(s.root, "zones/z1/root")
	addBuilder(t, s, "z1")
	const show = "env | grep -v -e '^PWD=' -e '^SHLVL=' | sort; pwd; echo $0"
	term := []string{"TERM=vt100", "LANG=de_DE.UTF-8", "LC_ALL=C", "HOME=/home/caller"}
	tests := []struct {
		name   string
		env    []string
		args   []string
		stdout string
	}{
		{"-S", term, []string{"-S", "z1", show},
			"HOME=/\nILLUMOS_SIM_ZONE=z1\nPATH=/usr/sbin:/usr/bin\nSHELL=/sbin/sh\nTERM=vt100\n/\n/sbin/sh\n"},
		{"-S without TERM", nil, []string{"-S", "z1", show},
			"HOME=/\nILLUMOS_SIM_ZONE=z1\nPATH=/usr/sbin:/usr/bin\nSHELL=/sbin/sh\n/\n/sbin/sh\n"},
		{"root", term, []string{"z1", show},
			"HOME=/root\nILLUMOS_SIM_ZONE=z1\nLOGNAME=root\nMAIL=/var/mail/root\nPATH=/usr/sbin:/usr/bin\nPS1=# \n" +
				"SHELL=/bin/sh\nTERM=vt100\n/root\nsh\n"},
		{"-l root is su without -", term, []string{"-l", "root", "z1", show},
			"HOME=/root\nILLUMOS_SIM_ZONE=z1\nLOGNAME=root\nMAIL=/var/mail/root\nPATH=/usr/sbin:/usr/bin\nPS1=# \n" +
				"SHELL=/bin/sh\nTERM=vt100\n/root\nsh\n"},
		{"-l user", term, []string{"-l", "builder", "z1", show},
			"HOME=/export/home/builder\nHZ=\nILLUMOS_SIM_ZONE=z1\nLOGNAME=builder\nMAIL=/var/mail/builder\nPATH=/usr/bin:\n" +
				"SHELL=/bin/sh\nTERM=vt100\n/export/home/builder\n-sh\n"},
	}
	for _, tt := range tests {
		check(t, tt.name, s.runEnv(tt.env, "", append([]string{"zlogin"}, tt.args...)...), tt.stdout, "", 0)
	}
	// su - takes TZ from /etc/default/login TIMEZONE, su reads PATH and
	// SUPATH from /etc/default/su.
	os.MkdirAll(filepath.Join(root, "etc/default"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/default/login"), []byte("TIMEZONE=UTC\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/default/su"), []byte("#PATH=/x\nPATH=/usr/bin:/opt/bin\nSUPATH=/usr/sbin:/usr/bin:/sbin\n"), 0o644)
	check(t, "-l user with defaults", s.run("zlogin", "-l", "builder", "z1", "echo $PATH $TZ"), "/usr/bin:/opt/bin UTC\n", "", 0)
	check(t, "root with defaults", s.run("zlogin", "z1", "echo $PATH ${TZ-none}"), "/usr/sbin:/usr/bin:/sbin none\n", "", 0)
}

// TestBootArgs: zoneadmd boots with the boot arguments zoneadm (or a
// reboot inside the zone) passes, and with the configuration's bootargs
// when there are none (zoneadmd.c filter_bootargs(), zone.c
// zone_kadmin(), halt.c gather_args()).
func TestBootArgs(t *testing.T) {
	s := newSim(t)
	s.installed("z")
	s.must("zonecfg", "-z", "z", "set bootargs=\"-s\"")
	milestones := func(name, want string) {
		t.Helper()
		check(t, name, s.run("zlogin", "z", "svcs -H -o state svc:/milestone/single-user:default milestone/multi-user"), want, "", 0)
	}
	const single, multi = "online\noffline\n", "online\nonline\n"
	s.must("zoneadm", "-z", "z", "boot")
	milestones("configured -s", single)
	s.must("zoneadm", "-z", "z", "reboot", "--", "-m", "verbose")
	milestones("reboot with other arguments", multi)
	s.must("zoneadm", "-z", "z", "reboot")
	milestones("reboot without arguments", single)
	check(t, "reboot -- -m verbose inside", s.run("zlogin", "z", "reboot -- -m verbose"), "", "", 0)
	milestones("reboot inside the zone with arguments", multi)
	check(t, "reboot inside", s.run("zlogin", "z", "reboot"), "", "", 0)
	milestones("reboot inside the zone without arguments", single)
	s.must("zoneadm", "-z", "z", "halt")
	s.must("zonecfg", "-z", "z", "set bootargs=\"/platform/i86pc/kernel/unix -m verbose -s\"")
	s.must("zoneadm", "-z", "z", "boot")
	milestones("boot file, then -m verbose -s", single)
	s.must("zoneadm", "-z", "z", "halt")
	s.must("zonecfg", "-z", "z", "set bootargs=\"-m verbose foo -s\"")
	// filter_bootargs() discards the operands with a warning.
	check(t, "boot with operands", s.run("zoneadm", "-z", "z", "boot"), "",
		"zone 'z': WARNING: Unused or invalid boot arguments `foo -s'.\n", 0)
	milestones("-s after an operand", multi)
}

// zlogin passes SIGINT on to the command's process group in the zone;
// SIGTERM ends zlogin alone, and the command goes on in the zone, until
// it writes to the pipe zlogin no longer reads. pgrep -P finds zlogin's
// child, the leader of that process group.
func TestZloginSignals(t *testing.T) {
	s := newSim(t)
	s.installed("golden")
	s.configure("b1", basicConfig("b1"))
	s.must("zoneadm", "-z", "b1", "clone", "golden")
	s.must("zoneadm", "-z", "b1", "boot")
	marker := func(name string) string { return filepath.Join(s.root, "zones/b1/root/root", name) }
	waitFile := func(p string) {
		t.Helper()
		for i := 0; ; i++ {
			if _, err := os.Stat(p); err == nil {
				return
			}
			if i == 3000 {
				t.Fatalf("%s never appeared", p)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	start := func(cmdline string) (*exec.Cmd, *bytes.Buffer) {
		t.Helper()
		cmd := exec.Command(filepath.Join(simBin, "zlogin"), "b1", cmdline)
		cmd.Env = []string{"ILLUMOS_SIM_ROOT=" + s.root, "PATH=" + simBin + ":/usr/bin:/bin"}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out
	}

	// SIGINT reaches the command, which dies of it: zlogin exits 0
	// (WEXITSTATUS of a signalled child) and the command never goes on.
	cmd, _ := start(": > /root/int-ready; sleep 30; : > /root/int-after")
	waitFile(marker("int-ready"))
	r := s.run("pgrep", "-P", strconv.Itoa(cmd.Process.Pid))
	child, err := strconv.Atoi(strings.TrimSpace(r.stdout))
	if r.code != 0 || err != nil {
		t.Fatalf("pgrep -P zlogin: %+v", r)
	}
	if pg, err := syscall.Getpgid(child); err != nil || pg != child {
		t.Errorf("zlogin's child %d is in process group %d (%v), want its own", child, pg, err)
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Errorf("zlogin after SIGINT: %v, want exit 0", err)
	}
	if processAlive(child) {
		t.Errorf("the command %d outlived SIGINT", child)
	}

	// SIGTERM to zlogin's process group in the global zone ends zlogin
	// only; the quiet command lives on in the zone, and its next write
	// kills it (SIGPIPE).
	cmd, _ = start("trap '' INT; : > /root/term-ready; while [ ! -e /root/go ]; do sleep 0.05; done; : > /root/term-alive; echo after")
	waitFile(marker("term-ready"))
	r = s.run("pgrep", "-P", strconv.Itoa(cmd.Process.Pid))
	child, _ = strconv.Atoi(strings.TrimSpace(r.stdout))
	syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "terminated") {
		t.Errorf("zlogin after SIGTERM: %v, want it terminated by the signal", err)
	}
	if !processAlive(child) {
		t.Fatalf("the command %d died with zlogin", child)
	}
	os.WriteFile(marker("go"), nil, 0o644)
	waitFile(marker("term-alive"))
	for i := 0; processAlive(child); i++ {
		if i == 3000 {
			t.Fatalf("the command %d outlived its write to a pipe nobody reads", child)
		}
		time.Sleep(10 * time.Millisecond)
	}

	// pgrep's criteria and statuses.
	check(t, "pgrep no match", s.run("pgrep", "-P", "999999999"), "", "", 1)
	r = s.run("pgrep", "-x", "sh")
	if r.code != 2 || !strings.HasPrefix(r.stderr, "pgrep: illegal option -- x\nUsage: pgrep ") {
		t.Errorf("pgrep -x: %+v, want the usage and status 2", r)
	}
	check(t, "pgrep without criteria", s.run("pgrep"), "", "pgrep: No matching criteria specified\n"+pgrepUsage, 2)
}

// processAlive reports whether pid runs (a zombie does not).
func processAlive(pid int) bool {
	_, state, ok := procStat(pid)
	return ok && state != 'Z'
}
