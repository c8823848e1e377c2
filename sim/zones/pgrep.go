package zones

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/zonemgr/zonemgr/sim/core"
)

// pgrepUsage is PGREP_USAGE (illumos-gate usr/src/cmd/pgrep/pgrep.c).
const pgrepUsage = `Usage: pgrep [-flnovx] [-d delim] [-P ppidlist] [-g pgrplist] [-s sidlist]
	[-u euidlist] [-U uidlist] [-G gidlist] [-J projidlist]
	[-T taskidlist] [-t termlist] [-z zonelist] [-c ctidlist] [pattern]
`

// pgrep exit statuses (pgrep.h): E_MATCH, E_NOMATCH, E_USAGE.
const (
	pgrepMatch   = 0
	pgrepNoMatch = 1
	pgrepUsageEx = 2
)

// pgrepMain is the global zone's /usr/bin/pgrep with -P ppidlist and
// -d delim, the criteria zonemgr uses; every other option is refused as
// an unknown one is ("illegal option", the usage, E_USAGE). As in
// illumos-gate usr/src/cmd/pgrep/pgrep.c: the list is split at commas,
// tabs and blanks (LSEP, parse_ids()); scan_proc_dir() passes over
// pgrep itself and processes with no lwps (zombies, pr_nlwp 0); matches
// print in /proc order, separated by the delimiter, with one newline at
// the end. The global zone sees every zone's processes; the sim's zones
// share the host's process table, which it reads from Linux's /proc.
func pgrepMain(inv *core.Invocation) int {
	args := inv.Args
	delim := "\n"
	var ppids []int
	usage := func(format string, a ...any) int {
		fmt.Fprintf(inv.Stderr, "pgrep: "+format, a...)
		fmt.Fprint(inv.Stderr, pgrepUsage)
		return pgrepUsageEx
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			if i+1 < len(args) {
				return usage("illegal argument -- %s\n", args[i+1])
			}
			break
		}
		if len(a) < 2 || a[0] != '-' {
			return usage("illegal argument -- %s\n", a)
		}
		opt, val := a[1], a[2:]
		if opt != 'P' && opt != 'd' {
			return usage("illegal option -- %c\n", opt)
		}
		if val == "" {
			if i+1 == len(args) {
				return usage("option requires an argument -- %c\n", opt)
			}
			i++
			val = args[i]
		}
		if opt == 'd' {
			delim = val
			continue
		}
		for _, f := range strings.FieldsFunc(val, func(r rune) bool { return r == ',' || r == '\t' || r == ' ' }) {
			n, err := strconv.ParseUint(f, 10, 31)
			if err != nil {
				fmt.Fprintf(inv.Stderr, "pgrep: invalid argument for option 'P' -- %s\n", f)
				return pgrepUsageEx
			}
			ppids = append(ppids, int(n))
		}
	}
	if ppids == nil {
		return usage("No matching criteria specified\n")
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		fmt.Fprintf(inv.Stderr, "pgrep: Failed to open /proc\n")
		return 3 // E_ERROR
	}
	var out []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		ppid, state, ok := procStat(pid)
		if !ok || state == 'Z' {
			continue
		}
		for _, p := range ppids {
			if p == ppid {
				out = append(out, e.Name())
				break
			}
		}
	}
	if len(out) == 0 {
		return pgrepNoMatch
	}
	fmt.Fprintf(inv.Stdout, "%s\n", strings.Join(out, delim))
	return pgrepMatch
}

// procStat reads a process's parent pid and state from Linux's
// /proc/PID/stat ("pid (comm) state ppid ...", comm may hold anything).
func procStat(pid int) (ppid int, state byte, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0, 0, false
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return 0, 0, false
	}
	return n, f[0][0], true
}
