package zones

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/rbac"
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
	// SysdingPending is OpenIndiana's svc:/system/sysding:system with
	// config/finished false (system-unconfigure's reset_sysding()): it
	// runs at the next boot.
	SysdingPending bool `json:"sysding_pending,omitempty"`
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
	return parseRepository(b)
}

// parseRepository parses the text of a repository.
func parseRepository(b []byte) (*repository, error) {
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
	if r.SysdingPending {
		if err := sysdingFirstBoot(zoneRoot); err != nil {
			return err
		}
		r.SysdingPending = false
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
	if err := r.write(zoneRoot); err != nil {
		return err
	}
	// svc.startd starts svc.configd first, which creates its door.
	return startConfigd(zoneRoot)
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

// svcColumns are the svcs output columns the sim prints and their widths
// (svcs.c columns[]: STATE 14, NSTATE 13, STIME 8, STA and NSTA 4, ZONE
// 16; FMRI 50, SVC and INST 20, which as the last column are never padded
// here). sprint_state() pads the state to 15 in a buffer of 15 characters,
// so a state is followed by exactly one column of blanks, like the header.
var svcColumns = map[string]int{"state": 14, "nstate": 13, "stime": 8, "fmri": 0, "svc": 0, "inst": 0, "sta": 4, "nsta": 4, "zone": 16}

// svcUnsimulatedColumns are the other columns of svcs.c columns[]: valid
// names whose contents the sim does not keep.
var svcUnsimulatedColumns = map[string]bool{"ctid": true, "desc": true, "n": true, "s": true, "scope": true, "sn": true}

// column renders one svcs column of an instance; zone is the ZONE
// column's value (sprint_zone(): the -z zone, else the current zone).
func column(col, fmri, zone string, si *svcInstance, now time.Time) string {
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
	case "zone":
		return zone
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

// repositoryDoor is where a root's svc.configd creates its door
// (libscf lowlevel.c default_door_path, REPOSITORY_DOOR_NAME
// "/etc/svc/volatile/repository_door"): /etc/svc/volatile is a tmpfs
// that exists only while the zone runs, so the sim keeps a plain file
// there from boot to halt, and a client that finds none cannot bind
// (scf_handle_bind(): open(2) of the door fails, SCF_ERROR_NO_SERVER).
const repositoryDoor = "/etc/svc/volatile/repository_door"

// noServer is scf_strerror(SCF_ERROR_NO_SERVER) (libscf error.c).
const noServer = "repository server unavailable"

// doorName is repositoryDoor relative to the root, for os.Root: the
// door is made, removed and looked for inside the zone root, without
// following the zone's symbolic links out of it.
var doorName = strings.TrimPrefix(repositoryDoor, "/")

// startConfigd creates the repository door of a zone root that boots:
// svc.startd starts svc.configd first (illumos-gate
// usr/src/cmd/svc/startd/fork.c fork_configd()), which makes its door at
// REPOSITORY_DOOR_NAME (usr/src/cmd/svc/configd/configd.c main(),
// setup_main_door()).
func startConfigd(zoneRoot string) error {
	r, err := os.OpenRoot(zoneRoot)
	if err != nil {
		return fmt.Errorf("start the service manager: %w", err)
	}
	defer r.Close()
	if err := r.MkdirAll(path.Dir(doorName), 0o755); err != nil {
		return fmt.Errorf("start the service manager: %w", err)
	}
	if err := r.WriteFile(doorName, nil, 0o444); err != nil {
		return fmt.Errorf("start the service manager: %w", err)
	}
	return nil
}

// stopConfigd removes a zone root's repository door: its tmpfs goes at
// halt (vplat.c unmount_filesystems()), so a door copied with the dataset
// (a snapshot of a running zone) never serves [unconfirmed: that the
// next ready or mount finds no door before svc.configd makes one].
func stopConfigd(zoneRoot string) {
	if r, err := os.OpenRoot(zoneRoot); err == nil {
		r.Remove(doorName)
		r.Close()
	}
}

// hasDoor reports whether a root's svc.configd serves its door.
func hasDoor(root string) bool {
	r, err := os.OpenRoot(root)
	if err != nil {
		return false
	}
	defer r.Close()
	fi, err := r.Lstat(doorName)
	return err == nil && fi.Mode().IsRegular()
}

// svcsUsage is svcs.c print_usage().
const svcsUsage = "Usage: svcs [-aHpv] [-o col[,col ... ]] [-R restarter] [-sS col] [-Z | -z zone ]\n" +
	"            [<service> ...]\n" +
	"       svcs -d | -D [-Hpv] [-o col[,col ... ]] [-sS col] [-Z | -z zone ]\n" +
	"            [<service> ...]\n" +
	"       svcs [-l | -L] [-Z | -z zone] <service> ...\n" +
	"       svcs -x [-v] [-Z | -z zone] [<service> ...]\n" +
	"       svcs -?\n"

// svcsTarget is the repository "svcs" reads: svcs.c main() with -z
// decorates its handle with the zone (libscf lowlevel.c
// scf_handle_decorate() "zone": the door under zone_get_rootpath(), the
// global zone's own for "global", SCF_ERROR_NOT_FOUND for a zone that is
// not configured, which svcs reports as "invalid zone"), then binds
// (scf_handle_bind(): open(2) of the door). The door lives in a running
// zone's root only, below the zonepath, which zoneadm and the brands
// create mode 0700 (zoneadm zfs.c create_zfs_zonepath(); ipkg clone
// "chmod 700 $ZONEPATH"), so a caller without full privileges cannot open
// it and gets SCF_ERROR_NO_SERVER like any other [derived: no profile of
// exec_attr gives svcs uid 0 but "*"]. It returns the real directory of
// the root and the zone name for the ZONE column, or the exit status.
func svcsTarget(inv *core.Invocation, zone string) (root, name string, code int) {
	if zone == "" || zone == "global" {
		if zone == "" && inv.Zone != "" {
			if !hasDoor(inv.Path("/")) {
				fmt.Fprintf(inv.Stderr, "svcs: Could not bind to repository server: %s.  Exiting.\n", noServer)
				return "", "", 1
			}
			return inv.Path("/"), inv.Zone, -1
		}
		return inv.Path("/"), "global", -1
	}
	st, ok, err := zoneStatus(inv.Root, zone)
	if err != nil {
		fmt.Fprintf(inv.Stderr, "svcs: %v\n", err)
		return "", "", 1
	}
	if !ok {
		fmt.Fprintf(inv.Stderr, "svcs: invalid zone '%s'\n", zone)
		return "", "", 1
	}
	root = inv.Path(path.Join(st.Entry.Zonepath, "root"))
	if st.State != StateRunning || !hasDoor(root) || rbac.Check(inv, "/usr/bin/svcs") != rbac.Full {
		fmt.Fprintf(inv.Stderr, "svcs: Could not bind to repository server for zone %s: %s\n", zone, noServer)
		return "", "", 1
	}
	return root, zone, -1
}

// readZoneRepository reads the repository of a zone root from the global
// zone without following the zone's symbolic links out of its root (on
// illumos svcs asks the zone's svc.configd through its door).
func readZoneRepository(zoneRoot string) (*repository, error) {
	r, err := os.OpenRoot(zoneRoot)
	if err != nil {
		return nil, fmt.Errorf("read service repository: %w", err)
	}
	defer r.Close()
	b, err := r.ReadFile(strings.TrimPrefix(repositoryPath, "/"))
	if errors.Is(err, os.ErrNotExist) {
		return readRepository(zoneRoot)
	}
	if err != nil {
		return nil, fmt.Errorf("read service repository: %w", err)
	}
	return parseRepository(b)
}

// svcsMain runs svcs: "svcs [-aH] [-o col[,col]...] [-z zone] [pattern
// ...]" as svcs.c main() does: -z (and -Z) only in the global zone, the
// handle bound to the zone's repository before the columns are decoded,
// an unknown column fatal, a pattern that matches nothing reported and
// the exit status 1.
func svcsMain(inv *core.Invocation) int {
	opts, optind, bad := getopt(inv.Args, "?aHpvo:s:S:z:Z")
	if bad != 0 {
		fmt.Fprint(inv.Stderr, svcsUsage)
		return 2
	}
	if code, injected := inv.Begin("svcs", false); injected {
		return code
	}
	all, header := false, true
	colsArg, colsGiven, zone, allZones := "", false, "", false
	for _, o := range opts {
		switch o.opt {
		case 'a':
			all = true
		case 'H':
			header = false
		case 'o':
			colsArg, colsGiven = o.arg, true
		case 'z':
			if inv.Zone != "" {
				fmt.Fprint(inv.Stderr, "svcs: svcs -z may only be used from the global zone\n")
				return 1
			}
			if allZones {
				fmt.Fprint(inv.Stderr, svcsUsage)
				return 2
			}
			zone = o.arg
		case 'Z':
			if inv.Zone != "" {
				fmt.Fprint(inv.Stderr, "svcs: svcs -Z may only be used from the global zone\n")
				return 1
			}
			if zone != "" {
				fmt.Fprint(inv.Stderr, svcsUsage)
				return 2
			}
			allZones = true
		}
	}
	if allZones {
		fmt.Fprint(inv.Stderr, "illumos-sim: svcs -Z is not simulated\n")
		return 1
	}
	patterns := inv.Args[optind:]
	if all && len(patterns) > 0 {
		fmt.Fprint(inv.Stderr, "svcs: -a ignored when used with arguments.\n")
	}
	root, zoneName, code := svcsTarget(inv, zone)
	if code >= 0 {
		return code
	}
	cols := []string{"state", "stime", "fmri"}
	if colsGiven {
		if colsArg == "" {
			fmt.Fprint(inv.Stderr, "svcs: No columns specified.\n")
			return 1
		}
		cols = strings.Split(strings.ToLower(colsArg), ",")
		for _, c := range cols {
			if svcUnsimulatedColumns[c] {
				fmt.Fprintf(inv.Stderr, "illumos-sim: svcs: column %s is not simulated\n", strings.ToUpper(c))
				return 1
			}
			if _, ok := svcColumns[c]; !ok {
				fmt.Fprintf(inv.Stderr, "svcs: Unknown column \"%s\".\n", c)
				return 1
			}
		}
	}
	var r *repository
	var err error
	if zone != "" && zone != "global" {
		r, err = readZoneRepository(root)
	} else {
		r, err = readRepository(root)
	}
	if err != nil {
		fmt.Fprintf(inv.Stderr, "svcs: %v\n", err)
		return 1
	}
	now := time.Now()
	var fmris []string
	code = 0
	if len(patterns) == 0 {
		for f, si := range r.Services {
			if all || si.enabled() || si.State != "disabled" {
				fmris = append(fmris, f)
			}
		}
		sort.Strings(fmris)
	} else {
		seen := map[string]bool{}
		for _, p := range patterns {
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
	// print_header() runs whatever matched, after the lines are
	// collected (and the patterns that matched nothing reported).
	if header {
		h := make([]string, len(cols))
		for i, c := range cols {
			h[i] = strings.ToUpper(c)
		}
		printRow(h)
	}
	for _, f := range fmris {
		cells := make([]string, len(cols))
		for i, c := range cols {
			cells[i] = column(c, f, zoneName, r.Services[f], now)
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
	// svcadm.c main(): a handle that cannot bind is fatal.
	if inv.Zone != "" && !hasDoor(root) {
		fmt.Fprintf(inv.Stderr, "svcadm: Couldn't bind to configuration repository: %s.\n", noServer)
		return 1
	}
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
