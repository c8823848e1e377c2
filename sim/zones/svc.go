package zones

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
)

// This file is the simulated service management facility: a small
// repository of service instances in each zone root (and in the global
// zone), written when a zone boots, and the svcs and svcadm commands that
// read and change it.

// repositoryPath is the repository's path inside a root.
const repositoryPath = "/etc/svc/repository.json"

// A svcInstance is one service instance's state.
type svcInstance struct {
	// Enabled is the persistent enabled flag; Temporary overrides it
	// until the next boot (svcadm -t).
	Enabled   bool  `json:"enabled"`
	Temporary *bool `json:"temporary,omitempty"`
	// State is online, offline or disabled. An online instance whose
	// OnlineAt lies in the future is still starting: svcs shows
	// "offline*" until then.
	State    string    `json:"state"`
	OnlineAt time.Time `json:"online_at,omitempty"`
	// Since is when the instance entered its state (svcs STIME).
	Since time.Time `json:"since"`
}

func (si *svcInstance) enabled() bool {
	if si.Temporary != nil {
		return *si.Temporary
	}
	return si.Enabled
}

// display is the state svcs prints at time now.
func (si *svcInstance) display(now time.Time) string {
	if si.State == "online" && now.Before(si.OnlineAt) {
		return "offline*"
	}
	return si.State
}

// A repository is the set of service instances of one root. In a zone
// it also holds the zone's nodename, the kernel's utsname.nodename of the
// zone, which svc:/system/identity:node sets at boot and hostname(1) or
// uname -S change; "" is the kernel's initial nodename, the zone name.
type repository struct {
	Services map[string]*svcInstance `json:"services"`
	Nodename string                  `json:"nodename,omitempty"`
}

// seedServices are the instances every root starts with and whether they
// are enabled by default.
var seedServices = []struct {
	fmri    string
	enabled bool
}{
	{"svc:/milestone/single-user:default", true},
	{"svc:/milestone/multi-user:default", true},
	{"svc:/milestone/multi-user-server:default", true},
	{"svc:/milestone/network:default", true},
	{"svc:/milestone/name-services:default", true},
	{"svc:/network/physical:default", true},
	{"svc:/network/physical:nwam", false},
	{"svc:/network/ldap/client:default", false},
	{"svc:/network/dns/client:default", false},
	{"svc:/network/ssh:default", true},
	{"svc:/system/filesystem/local:default", true},
	{"svc:/system/filesystem/autofs:default", true},
	{"svc:/system/name-service-cache:default", true},
	{"svc:/system/manifest-import:default", true},
	{"svc:/system/identity:node", true},
	{"svc:/system/cron:default", true},
}

// readRepository loads the repository under root. A root without one
// (the global zone) has every seed service in its default state, started
// when the root was created.
func readRepository(root string) (*repository, error) {
	p := filepath.Join(root, repositoryPath)
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		since := time.Time{}
		if st, err := os.Stat(root); err == nil {
			since = st.ModTime()
		}
		r := &repository{Services: map[string]*svcInstance{}}
		for _, s := range seedServices {
			st := "disabled"
			if s.enabled {
				st = "online"
			}
			r.Services[s.fmri] = &svcInstance{Enabled: s.enabled, State: st, Since: since}
		}
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read service repository: %w", err)
	}
	r := &repository{}
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("read service repository: %w", err)
	}
	if r.Services == nil {
		r.Services = map[string]*svcInstance{}
	}
	return r, nil
}

// write saves the repository atomically.
func (r *repository) write(root string) error {
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return fmt.Errorf("write service repository: %w", err)
	}
	if err := core.WriteFileAtomic(filepath.Join(root, repositoryPath), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write service repository: %w", err)
	}
	return nil
}

// lockRepository serializes changes to a root's repository.
func lockRepository(root string) (*os.File, error) {
	p := filepath.Join(root, "/etc/svc/.repository.lock")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// bootRepository starts the zone's services at boot: temporary settings
// are forgotten, enabled instances go online delay after booted, and a
// single-user boot (-s) brings up only the single-user milestone.
func bootRepository(zoneRoot string, booted time.Time, delay time.Duration, single bool) error {
	r, err := readRepository(zoneRoot)
	if err != nil {
		return err
	}
	for _, s := range seedServices {
		if _, ok := r.Services[s.fmri]; !ok {
			r.Services[s.fmri] = &svcInstance{Enabled: s.enabled}
		}
	}
	r.Nodename = ""
	if si := r.Services["svc:/system/identity:node"]; si != nil && si.Enabled {
		r.Nodename = identityNodename(zoneRoot)
	}
	for fmri, si := range r.Services {
		si.Temporary = nil
		si.Since = booted
		si.OnlineAt = time.Time{}
		switch {
		case !si.Enabled:
			si.State = "disabled"
		case single && fmri != "svc:/milestone/single-user:default":
			si.State = "offline"
		default:
			si.State = "online"
			si.OnlineAt = booted.Add(delay)
		}
	}
	return r.write(zoneRoot)
}

// identityNodename is the nodename the method of
// svc:/system/identity:node sets in a zone (illumos-gate
// usr/src/cmd/svc/milestone/identity-node): hostname="`shcat
// /etc/nodename`", falling back in a non-global zone to "uname -n" (the
// zone name the kernel starts with), then "/sbin/uname -S $hostname".
// The unquoted $hostname is split into words: a name of several words
// makes uname -S fail (usage), one longer than 256 bytes too ("name must
// be <= 256 letters"), and the nodename stays the zone name ("").
func identityNodename(zoneRoot string) string {
	b, err := os.ReadFile(filepath.Join(zoneRoot, "etc", "nodename"))
	if err != nil {
		return ""
	}
	words := strings.Fields(string(b))
	if len(words) != 1 || len(words[0]) > 256 {
		return ""
	}
	return words[0]
}

// match returns the instances a pattern names: a full FMRI, a service
// name with or without "svc:/" (all its instances), or any trailing
// '/'-separated part of the service name ("multi-user", "physical:nwam").
func (r *repository) match(pattern string) []string {
	pat := strings.TrimPrefix(pattern, "svc:/")
	pat = strings.TrimPrefix(pat, "svc:")
	svc, inst, hasInst := strings.Cut(pat, ":")
	var out []string
	for fmri := range r.Services {
		name, instance, _ := strings.Cut(strings.TrimPrefix(fmri, "svc:/"), ":")
		if hasInst && instance != inst {
			continue
		}
		if name == svc || strings.HasSuffix(name, "/"+svc) {
			out = append(out, fmri)
		}
	}
	sort.Strings(out)
	return out
}

// svcColumns are the svcs output columns and their widths.
var svcColumns = map[string]int{"state": 14, "nstate": 14, "stime": 8, "fmri": 0, "svc": 0, "inst": 0, "sta": 4, "nsta": 4}

// column renders one svcs column of an instance.
func column(col, fmri string, si *svcInstance, now time.Time) string {
	switch col {
	case "state":
		return si.display(now)
	case "sta":
		return strings.ToUpper(abbrevState(si.display(now)))
	case "nstate", "nsta":
		if si.display(now) == "offline*" {
			if col == "nsta" {
				return "ON"
			}
			return "online"
		}
		return "-"
	case "stime":
		t := si.Since
		if si.display(now) == "online" && !si.OnlineAt.IsZero() {
			t = si.OnlineAt
		}
		if t.IsZero() {
			return "-"
		}
		y1, m1, d1 := t.Date()
		if y2, m2, d2 := now.Date(); y1 == y2 && m1 == m2 && d1 == d2 {
			return t.Format("15:04:05")
		}
		return t.Format("Jan_02")
	case "svc":
		n, _, _ := strings.Cut(strings.TrimPrefix(fmri, "svc:/"), ":")
		return "svc:/" + n
	case "inst":
		_, inst, _ := strings.Cut(strings.TrimPrefix(fmri, "svc:/"), ":")
		return inst
	}
	return fmri
}

// abbrevState is the three-letter form of a state (sta column).
func abbrevState(s string) string {
	switch s {
	case "online":
		return "on"
	case "offline":
		return "off"
	case "offline*":
		return "of*"
	case "disabled":
		return "dis"
	}
	return s
}

// svcsMain runs svcs: "svcs [-aH] [-o col[,col]...] [pattern ...]".
func svcsMain(inv *core.Invocation) int {
	opts, optind, bad := getopt(inv.Args, "?aHpvo:s:S:z:")
	if bad != 0 {
		fmt.Fprint(inv.Stderr, "Usage: svcs [-aHpv?] [-o col[,col]...] [-R restarter] [-sS col] [-Z | -z zone]\n"+
			"            [<service> ...]\n")
		return 2
	}
	if code, injected := inv.Begin("svcs", false); injected {
		return code
	}
	all, header := false, true
	cols := []string{"state", "stime", "fmri"}
	for _, o := range opts {
		switch o.opt {
		case 'a':
			all = true
		case 'H':
			header = false
		case 'o':
			cols = strings.Split(strings.ToLower(o.arg), ",")
			for _, c := range cols {
				if _, ok := svcColumns[c]; !ok {
					fmt.Fprintf(inv.Stderr, "svcs: Unrecognized column \"%s\".\n", c)
					return 2
				}
			}
		}
	}
	r, err := readRepository(inv.Path("/"))
	if err != nil {
		fmt.Fprintf(inv.Stderr, "svcs: %v\n", err)
		return 1
	}
	now := time.Now()
	var fmris []string
	code := 0
	if optind == len(inv.Args) {
		for f, si := range r.Services {
			if all || si.enabled() || si.State != "disabled" {
				fmris = append(fmris, f)
			}
		}
		sort.Strings(fmris)
	} else {
		seen := map[string]bool{}
		for _, p := range inv.Args[optind:] {
			m := r.match(p)
			if len(m) == 0 {
				fmt.Fprintf(inv.Stderr, "svcs: Pattern '%s' doesn't match any instances\n", p)
				code = 1
				continue
			}
			for _, f := range m {
				if !seen[f] {
					seen[f] = true
					fmris = append(fmris, f)
				}
			}
		}
	}
	printRow := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				io.WriteString(inv.Stdout, " ")
			}
			if w := svcColumns[cols[i]]; i < len(cells)-1 && w > 0 {
				c = fmt.Sprintf("%-*s", w, c)
			}
			io.WriteString(inv.Stdout, c)
		}
		io.WriteString(inv.Stdout, "\n")
	}
	if header && len(fmris) > 0 {
		h := make([]string, len(cols))
		for i, c := range cols {
			h[i] = strings.ToUpper(c)
		}
		printRow(h)
	}
	for _, f := range fmris {
		cells := make([]string, len(cols))
		for i, c := range cols {
			cells[i] = column(c, f, r.Services[f], now)
		}
		printRow(cells)
	}
	return code
}

// svcadmMain runs svcadm: enable [-rst] and disable [-st] change the
// repository; restart, refresh and clear check the instances exist.
func svcadmMain(inv *core.Invocation) int {
	usage := func() int {
		fmt.Fprint(inv.Stderr, "Usage: svcadm [-v] [cmd [args ... ]]\n\n"+
			"\tsvcadm enable [-rst] <service> ...\t- enable and online service(s)\n"+
			"\tsvcadm disable [-st] <service> ...\t- disable and offline service(s)\n"+
			"\tsvcadm restart <service> ...\t\t- restart specified service(s)\n"+
			"\tsvcadm refresh <service> ...\t\t- re-read service configuration\n"+
			"\tsvcadm clear <service> ...\t\t- clear maintenance state\n")
		return 2
	}
	args := inv.Args
	if len(args) > 0 && args[0] == "-v" {
		args = args[1:]
	}
	if len(args) == 0 {
		return usage()
	}
	sub := args[0]
	spec := map[string]string{"enable": "rst", "disable": "st", "restart": "", "refresh": "", "clear": ""}[sub]
	if _, ok := map[string]bool{"enable": true, "disable": true, "restart": true, "refresh": true, "clear": true}[sub]; !ok {
		return usage()
	}
	opts, optind, bad := getopt(args[1:], spec)
	if bad != 0 || optind == len(args)-1 {
		return usage()
	}
	if code, injected := inv.Begin(sub, sub == "enable" || sub == "disable"); injected {
		return code
	}
	flags := map[byte]bool{}
	for _, o := range opts {
		flags[o.opt] = true
	}
	root := inv.Path("/")
	lf, err := lockRepository(root)
	if err != nil {
		fmt.Fprintf(inv.Stderr, "svcadm: %v\n", err)
		return 1
	}
	r, err := readRepository(root)
	if err != nil {
		lf.Close()
		fmt.Fprintf(inv.Stderr, "svcadm: %v\n", err)
		return 1
	}
	code := 0
	now := time.Now()
	var wait []string
	for _, p := range args[1+optind:] {
		m := r.match(p)
		if len(m) == 0 {
			fmt.Fprintf(inv.Stderr, "svcadm: Pattern '%s' doesn't match any instances\n", p)
			code = 1
			continue
		}
		for _, f := range m {
			si := r.Services[f]
			switch sub {
			case "enable":
				on := true
				if flags['t'] {
					si.Temporary = &on
				} else {
					si.Enabled, si.Temporary = true, nil
				}
				if si.State != "online" {
					si.State, si.Since, si.OnlineAt = "online", now, now
				}
				if flags['s'] {
					wait = append(wait, f)
				}
			case "disable":
				off := false
				if flags['t'] {
					si.Temporary = &off
				} else {
					si.Enabled, si.Temporary = false, nil
				}
				if si.State != "disabled" {
					si.State, si.Since, si.OnlineAt = "disabled", now, time.Time{}
				}
			}
		}
	}
	if sub == "enable" || sub == "disable" {
		if err := r.write(root); err != nil {
			lf.Close()
			fmt.Fprintf(inv.Stderr, "svcadm: %v\n", err)
			return 1
		}
	}
	lf.Close()
	// -s waits for each instance to come online.
	for _, f := range wait {
		for {
			r, err := readRepository(root)
			if err != nil {
				fmt.Fprintf(inv.Stderr, "svcadm: %v\n", err)
				return 1
			}
			si, ok := r.Services[f]
			if !ok || !si.enabled() {
				fmt.Fprintf(inv.Stderr, "svcadm: Instance \"%s\" has been disabled by another entity.\n", f)
				return 1
			}
			if si.display(time.Now()) == "online" {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return code
}
