package play

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/user"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

// gather_facts gathers a minimal fact set of this global zone, named as
// Ansible's setup module names them: the platform (system, kernel,
// kernel_version, machine, architecture, nodename, hostname), the
// distribution (distribution, distribution_version,
// distribution_major_version, distribution_release, os_family), the
// user (user_id, user_uid, user_gid, user_gecos, user_dir, user_shell,
// real_user_id, effective_user_id, real_group_id, effective_group_id),
// date_time and env. They are the play's ansible_facts, and ansible_NAME
// variables (INJECT_FACTS_AS_VARS).

// gatherFacts runs the play's "Gathering Facts" task, unless
// gather_facts is false.
func (x *run) gatherFacts(ctx context.Context, p *play) flow {
	sc := x.scope(ctx, &task{}, inherited{})
	if p.gatherFacts != nil {
		on, err := flag(p.gatherFacts, sc)
		if err != nil {
			x.d.banner("TASK [Gathering Facts]")
			o := failedOutcome(fieldError(p.pos, "gather_facts", err))
			x.d.taskLine(&task{}, o, false, 0)
			x.stats.Failed++
			return flowFailed
		}
		if !on {
			return flowOK
		}
	}
	if !x.started {
		return flowOK
	}
	start := x.r.clock()
	x.d.banner("TASK [Gathering Facts]")
	facts := x.collectFacts(ctx)
	facts.Set("gather_subset", []any{"all"})
	facts.Set("module_setup", true)
	af, _ := x.gathered.Get("ansible_facts")
	merged, _ := af.(*jinja.Dict)
	if merged == nil {
		merged = jinja.NewDict(facts.Len())
	} else {
		merged = merged.Copy()
	}
	for k, v := range facts.All() {
		merged.Set(k, v)
		x.gathered.Set("ansible_"+k, v)
	}
	x.gathered.Set("ansible_facts", merged)
	o := outcome{res: jinja.DictOf("ansible_facts", facts, "changed", false, "failed", false)}
	x.d.taskLine(&task{kind: kindModule, action: "gather_facts"}, o, false, x.r.clock().Sub(start))
	x.d.jsonTask(x.playTitle, "Gathering Facts", "ansible.builtin.gather_facts", o, false, false, x.r.clock().Sub(start))
	x.stats.OK++
	return flowOK
}

// collectFacts gathers the facts.
func (x *run) collectFacts(ctx context.Context) *jinja.Dict {
	f := jinja.NewDict(48)
	uname := func(flag string) string {
		runCmd := x.r.RunCommand
		if runCmd == nil {
			runCmd = runProcess
		}
		res, err := runCmd(ctx, Command{Argv: []string{"uname", flag}, Env: os.Environ()})
		if err != nil || res.RC != 0 {
			return ""
		}
		return strings.TrimRight(string(res.Stdout), "\n")
	}
	system, release, version, machine, node := uname("-s"), uname("-r"), uname("-v"), uname("-m"), uname("-n")
	f.Set("system", system)
	f.Set("kernel", release)
	f.Set("kernel_version", version)
	f.Set("machine", machine)
	f.Set("nodename", node)
	f.Set("hostname", strings.Split(node, ".")[0])
	f.Set("userspace_bits", "64")
	switch {
	case machine == "x86_64":
		f.Set("architecture", machine)
		f.Set("userspace_architecture", "x86_64")
	case regexp.MustCompile(`i([3456]86|86pc)`).MatchString(machine):
		f.Set("architecture", "i386")
		f.Set("userspace_architecture", "x86_64")
	default:
		f.Set("architecture", machine)
	}
	for k, v := range distributionFacts(system, release, version).All() {
		f.Set(k, v)
	}
	for k, v := range userFacts().All() {
		f.Set(k, v)
	}
	f.Set("date_time", dateTimeFacts(time.Now()))
	env := jinja.NewDict(0)
	vars := os.Environ()
	sort.Strings(vars)
	for _, kv := range vars {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env.Set(k, v)
		}
	}
	f.Set("env", env)
	return f
}

// osFamilies maps distributions to Ansible's os_family.
var osFamilies = map[string]string{
	"Debian": "Debian", "Ubuntu": "Debian", "Raspbian": "Debian", "Linux Mint": "Debian", "Devuan": "Debian", "Kali": "Debian",
	"RedHat": "RedHat", "CentOS": "RedHat", "Fedora": "RedHat", "Rocky": "RedHat", "AlmaLinux": "RedHat", "OracleLinux": "RedHat", "Amazon": "RedHat",
	"SLES": "Suse", "openSUSE": "Suse", "openSUSE Leap": "Suse", "openSUSE Tumbleweed": "Suse",
	"Archlinux": "Archlinux", "Alpine": "Alpine", "Gentoo": "Gentoo",
	"Solaris": "Solaris", "OmniOS": "Solaris", "OpenIndiana": "Solaris", "SmartOS": "Solaris", "Nexenta": "Solaris",
}

// osReleaseNames maps /etc/os-release's ID to Ansible's distribution.
var osReleaseNames = map[string]string{
	"debian": "Debian", "ubuntu": "Ubuntu", "centos": "CentOS", "fedora": "Fedora", "rhel": "RedHat",
	"rocky": "Rocky", "almalinux": "AlmaLinux", "alpine": "Alpine", "arch": "Archlinux", "gentoo": "Gentoo",
	"ol": "OracleLinux", "amzn": "Amazon", "sles": "SLES", "opensuse-leap": "openSUSE Leap", "raspbian": "Raspbian",
}

// distributionFacts are Ansible's distribution facts: from /etc/release
// on illumos (OmniOS, OpenIndiana), /etc/os-release on Linux.
func distributionFacts(system, release, version string) *jinja.Dict {
	f := jinja.DictOf("distribution", system, "distribution_release", release, "distribution_version", version)
	switch system {
	case "SunOS":
		data, _ := os.ReadFile("/etc/release")
		first, _, _ := strings.Cut(string(data), "\n")
		fields := strings.Fields(first)
		switch {
		case strings.Contains(first, "OmniOS") && len(fields) > 0:
			f.Set("distribution", "OmniOS")
			f.Set("distribution_release", strings.TrimSpace(first))
			f.Set("distribution_version", fields[len(fields)-1])
		case strings.Contains(first, "OpenIndiana"):
			f.Set("distribution", "OpenIndiana")
			f.Set("distribution_release", strings.TrimSpace(first))
			v, _, _ := strings.Cut(version, "\n")
			f.Set("distribution_version", strings.TrimSpace(v))
		case strings.Contains(first, "SmartOS"):
			f.Set("distribution", "SmartOS")
			f.Set("distribution_release", strings.TrimSpace(first))
		}
	case "Linux":
		osr := map[string]string{}
		if data, err := os.ReadFile("/etc/os-release"); err == nil {
			sc := bufio.NewScanner(bytes.NewReader(data))
			for sc.Scan() {
				if k, v, ok := strings.Cut(sc.Text(), "="); ok {
					osr[k] = strings.Trim(v, `"'`)
				}
			}
		}
		name := osReleaseNames[osr["ID"]]
		if name == "" {
			name = osr["NAME"]
		}
		if name != "" {
			f.Set("distribution", name)
		}
		ver := osr["VERSION_ID"]
		if name == "Debian" {
			if dv, err := os.ReadFile("/etc/debian_version"); err == nil {
				ver = strings.TrimSpace(string(dv))
			}
		}
		f.Set("distribution_version", ver)
		major, minor, _ := strings.Cut(ver, ".")
		f.Set("distribution_major_version", major)
		if minor != "" {
			f.Set("distribution_minor_version", minor)
		}
		codename := osr["VERSION_CODENAME"]
		if codename == "" {
			codename = "NA"
		}
		f.Set("distribution_release", codename)
	}
	dist, _ := f.Get("distribution")
	family := osFamilies[jinja.Str(dist)]
	if family == "" {
		family = jinja.Str(dist)
	}
	f.Set("os_family", family)
	return f
}

// userFacts are Ansible's user facts.
func userFacts() *jinja.Dict {
	f := jinja.NewDict(10)
	u, err := user.Current()
	if err != nil {
		return f
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	f.Set("user_id", u.Username)
	f.Set("user_uid", uid)
	f.Set("user_gid", gid)
	f.Set("user_gecos", u.Name)
	f.Set("user_dir", u.HomeDir)
	f.Set("user_shell", loginShell(u.Username))
	f.Set("real_user_id", os.Getuid())
	f.Set("effective_user_id", os.Geteuid())
	f.Set("real_group_id", os.Getgid())
	f.Set("effective_group_id", os.Getgid())
	return f
}

// loginShell reads a user's shell from /etc/passwd.
func loginShell(name string) string {
	data, err := os.ReadFile("/etc/passwd")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Split(line, ":")
		if len(fields) >= 7 && fields[0] == name {
			return fields[6]
		}
	}
	return ""
}

// dateTimeFacts are Ansible's date_time facts of t.
func dateTimeFacts(t time.Time) *jinja.Dict {
	utc := t.UTC()
	zone, _ := t.Zone()
	// Python's %W: the week of the year, Monday first, days before the
	// first Monday in week 0.
	yday := t.YearDay() - 1
	wday := (int(t.Weekday()) + 6) % 7
	weekNumber := (yday + 7 - wday) / 7
	return jinja.DictOf(
		"year", t.Format("2006"),
		"month", t.Format("01"),
		"weekday", t.Weekday().String(),
		"weekday_number", strconv.Itoa(int(t.Weekday())),
		"weeknumber", strconv.Itoa(weekNumber),
		"day", t.Format("02"),
		"hour", t.Format("15"),
		"minute", t.Format("04"),
		"second", t.Format("05"),
		"epoch", strconv.FormatInt(t.Unix(), 10),
		"epoch_int", strconv.FormatInt(t.Unix(), 10),
		"date", t.Format("2006-01-02"),
		"time", t.Format("15:04:05"),
		"iso8601_micro", utc.Format("2006-01-02T15:04:05.000000Z"),
		"iso8601", utc.Format("2006-01-02T15:04:05Z"),
		"iso8601_basic", t.Format("20060102T150405")+t.Format(".000000")[1:],
		"iso8601_basic_short", t.Format("20060102T150405"),
		"tz", zone,
		"tz_dst", zone,
		"tz_offset", t.Format("-0700"),
	)
}
