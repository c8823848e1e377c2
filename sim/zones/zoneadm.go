package zones

import (
	"fmt"
	"io"
	"strings"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/rbac"
)

// zoneadm's usage texts (usr/src/cmd/zoneadm/zoneadm.c cmdtab[], long_help()).
var admShortUsage = map[string]string{
	"help":      "help",
	"boot":      "boot [-- boot_arguments]",
	"halt":      "halt",
	"ready":     "ready",
	"shutdown":  "shutdown [-r [-- boot_arguments]]",
	"reboot":    "reboot [-- boot_arguments]",
	"list":      "list [-cinpv]",
	"verify":    "verify",
	"install":   "install [brand-specific args]",
	"uninstall": "uninstall [-F] [brand-specific args]",
	"clone":     "clone [-m method] [-s <ZFS snapshot>] [brand-specific args] zonename",
	"mark":      "mark incomplete",
	"detach":    "detach [-n] [brand-specific args]",
	"attach":    "attach [-F] [-n <path>] [brand-specific args]",
}

var admLongHelp = map[string]string{
	"detach": "Detach the zone from the system. The zone state is changed to\n\t'configured' (but the files under the zonepath are untouched).\n\t" +
		"The zone can subsequently be attached, or can be moved to another\n\tsystem and attached there.  The -n option can be used to specify\n\t" +
		"'no-execute' mode.  When -n is used, the information needed to attach\n\tthe zone is sent to standard output but the zone is not actually\n\t" +
		"detached.  All other arguments are passed to the brand detach function;\n\tsee brands(7) for more information.",
	"attach": "Attach the zone to the system.  The zone state must be 'configured'\n\tprior to attach; upon successful completion, the zone state will be\n\t" +
		"'installed'.  The system software on the current system must be\n\tcompatible with the software on the zone's original system.\n\t" +
		"Specify -F to force the attach and skip software compatibility tests.\n\tThe -n option can be used to specify 'no-execute' mode.  When -n is\n\t" +
		"used, the information needed to attach the zone is read from the\n\tspecified path and the configuration is only validated.  The path can\n\t" +
		"be '-' to specify standard input.  The -F and -n options are mutually\n\texclusive.  All other arguments are passed to the brand attach\n\tfunction; see brands(7) for more information.",
	"help":     "Print usage message.",
	"boot":     "Activates (boots) specified zone.  See zoneadm(8) for valid boot\n\targuments.",
	"halt":     "Halts specified zone, bypassing shutdown scripts and removing runtime\n\tresources of the zone.",
	"ready":    "Prepares a zone for running applications but does not start any user\n\tprocesses in the zone.",
	"shutdown": "Gracefully shutdown the zone or reboot if the '-r' option is specified.\n\tSee zoneadm(8) for valid boot arguments.",
	"reboot":   "Restarts the zone (equivalent to a halt / boot sequence).\n\tFails if the zone is not active.  See zoneadm(8) for valid boot\n\targuments.",
	"list": "Lists the current zones, or a specific zone if indicated.  By default,\n\tall running zones are listed, though this can be expanded to all\n\t" +
		"installed zones with the -i option or all configured zones with the\n\t-c option.  When used with the general -z <zone> and/or -u <uuid-match>\n\t" +
		"options, lists only the specified matching zone, but lists it\n\tregardless of its state, and the -i and -c options are disallowed.  The\n\t" +
		"-v option can be used to display verbose information: zone name, id,\n\tcurrent state, root directory and options.  The -p option can be used\n\t" +
		"to request machine-parsable output.  The -v and -p options are mutually\n\texclusive.  If neither -v nor -p is used, just the zone name is listed.",
	"verify":    "Check to make sure the configuration can safely be instantiated\n\ton the machine: physical network interfaces exist, etc.",
	"install":   "Install the configuration on to the system.  All arguments are passed to the brand installation function;\n\tsee brands(7) for more information.",
	"uninstall": "Uninstall the configuration from the system.  The -F flag can be used\n\tto force the action.  All other arguments are passed to the brand\n\tuninstall function; see brands(7) for more information.",
	"clone": "Clone the installation of another zone.  The -m option can be used to\n\tspecify 'copy' which forces a copy of the source zone.  The -s option\n\t" +
		"can be used to specify the name of a ZFS snapshot that was taken from\n\ta previous clone command.  The snapshot will be used as the source\n\t" +
		"instead of creating a new ZFS snapshot.  All other arguments are passed\n\tto the brand clone function; see brands(7) for more information.",
	"mark": "Set the state of the zone.  This can be used to force the zone\n\tstate to 'incomplete' administratively if some activity has rendered\n\tthe " +
		"zone permanently unusable.  The only valid state that may be\n\tspecified is 'incomplete'.",
}

// admOrder lists the subcommands in cmdtab[] order. The sim has no move.
var admOrder = []string{"help", "boot", "halt", "ready", "shutdown", "reboot", "list", "verify",
	"install", "uninstall", "clone", "detach", "attach", "mark"}

// An adm is one zoneadm run.
type adm struct {
	inv  *core.Invocation
	root string
	out  io.Writer
	errw io.Writer
	zone string // -z target; "" when none
	// named, when set, is the zone zerror names instead of zone: clone's
	// warn_dataset_match() sets zoneadm's global target_zone to the
	// source zone.
	named  string
	cmd    string
	args   []string // the subcommand's arguments
	lock   *core.Lock
	status ZoneStatus // the target's status, read under the lock
}

// zoneadmMain runs zoneadm.
func zoneadmMain(inv *core.Invocation) int {
	a := &adm{inv: inv, root: inv.Root, out: inv.Stdout, errw: inv.Stderr}
	defer a.unlock()
	opts, optind, bad := getopt(inv.Args, "?R:u:z:")
	if bad != 0 {
		return a.usage(bad == '?')
	}
	for _, o := range opts {
		switch o.opt {
		case 'z':
			a.zone = o.arg
		case 'R':
			a.root = inv.Path(o.arg)
		}
	}
	if optind >= len(inv.Args) {
		return a.usage(false)
	}
	a.cmd = inv.Args[optind]
	a.args = inv.Args[optind+1:]
	run, ok := map[string]func() int{
		"help": a.helpCmd, "list": a.listCmd, "boot": a.bootCmd, "halt": a.haltCmd,
		"ready": a.readyCmd, "shutdown": a.shutdownCmd, "reboot": a.rebootCmd,
		"verify": a.verifyCmd, "install": a.installCmd, "uninstall": a.uninstallCmd,
		"clone": a.cloneCmd, "mount": a.mountCmd, "unmount": a.unmountCmd,
		"mark": a.markCmd, "attach": a.attachCmd, "detach": a.detachCmd,
	}[a.cmd]
	if !ok {
		return a.usage(false)
	}
	mutating := a.cmd != "list" && a.cmd != "help" && a.cmd != "verify"
	if code, injected := inv.Begin(a.cmd, mutating); injected {
		return code
	}
	if mutating {
		l, err := inv.LockState()
		if err != nil {
			a.zerror("another zoneadm may have an operation in progress.")
			return 1
		}
		a.lock = l
	}
	if a.zone != "" {
		st, ok, err := zoneStatus(a.root, a.zone)
		if err != nil {
			a.zerror("%v", err)
			return 1
		}
		if !ok {
			fmt.Fprintf(a.errw, "zoneadm: %s: No such zone configured\n", a.zone)
			return 1
		}
		a.status = st
	}
	return run()
}

func (a *adm) unlock() {
	if a.lock != nil {
		a.lock.Unlock()
		a.lock = nil
	}
}

// usage prints zoneadm's usage; explicit (help, -?) goes to stdout.
func (a *adm) usage(explicit bool) int {
	w := a.errw
	if explicit {
		w = a.out
	}
	fmt.Fprint(w, "usage:\tzoneadm help\n\tzoneadm [-z <zone>] [-u <uuid-match>] list\n"+
		"\tzoneadm {-z <zone>|-u <uuid-match>} <subcommand>\n\nSubcommands:\n\n")
	for _, c := range admOrder {
		fmt.Fprintf(w, "%s\n", admShortUsage[c])
		if explicit {
			fmt.Fprintf(w, "\t%s\n\n", admLongHelp[c])
		}
	}
	if !explicit {
		fmt.Fprint(w, "\n")
	}
	if explicit {
		return 0
	}
	return 2
}

// subUsage prints one subcommand's usage (sub_usage()) and returns the
// usage exit code, or 0 for an explicit "-?".
func (a *adm) subUsage(bad byte) int {
	fmt.Fprintf(a.errw, "usage:\t%s\n\t%s\n", admShortUsage[a.cmd], admLongHelp[a.cmd])
	if bad == '?' {
		return 0
	}
	return 2
}

func (a *adm) helpCmd() int {
	if len(a.args) > 0 {
		if _, ok := admShortUsage[a.args[0]]; ok {
			a.cmd = a.args[0]
			fmt.Fprintf(a.out, "usage:\t%s\n\t%s\n", admShortUsage[a.cmd], admLongHelp[a.cmd])
			return 0
		}
	}
	return a.usage(true)
}

// zerror prints "zoneadm: zone '<z>': <msg>" (zerror() in zoneadm.c).
func (a *adm) zerror(format string, args ...any) {
	fmt.Fprint(a.errw, "zoneadm: ")
	if a.named != "" {
		fmt.Fprintf(a.errw, "zone '%s': ", a.named)
	} else if a.zone != "" {
		fmt.Fprintf(a.errw, "zone '%s': ", a.zone)
	}
	fmt.Fprintf(a.errw, format, args...)
	fmt.Fprint(a.errw, "\n")
}

// zoneadmdError prints a message relayed from zoneadmd: "zone '<z>': <msg>".
func (a *adm) zoneadmdError(format string, args ...any) {
	fmt.Fprintf(a.errw, "zone '%s': ", a.zone)
	fmt.Fprintf(a.errw, format, args...)
	fmt.Fprint(a.errw, "\n")
}

// callFailed adds the line zoneadm prints after a failed boot, ready or
// mount request to zoneadmd.
func (a *adm) callFailed() int {
	a.zerror("call to zoneadmd failed")
	return 1
}

// sanityCheck is zoneadm.c sanity_check(): the checks every subcommand
// but list makes, in illumos-commands.md §1.4's order. running means the
// command needs a zone in the kernel; unsafe means it may not run on one.
func (a *adm) sanityCheck(running, unsafe, force bool) bool {
	cmd := a.cmd
	if a.zone == "" {
		a.zerror("no zone specified")
		return false
	}
	if a.inv.Zone != "" {
		switch cmd {
		case "halt":
			a.zerror("use halt(8) to halt this zone.")
		case "reboot":
			a.zerror("use reboot(8) to reboot this zone.")
		case "shutdown":
			a.zerror("use shutdown(8) to shut down this zone.")
		default:
			a.zerror("must be in the global zone to %s a zone.", cmd)
		}
		return false
	}
	if rbac.Check(a.inv, "/usr/sbin/zoneadm") != rbac.Full {
		a.zerror("only a privileged user may %s a zone.", cmd)
		return false
	}
	if !rbac.HasAuth(a.inv, "solaris.zone.manage/"+a.zone) {
		a.zerror("User %s is not authorized to %s this zone.", rbac.UserName(a.inv), cmd)
		return false
	}
	if a.zone == "global" {
		a.zerror("%s operation is invalid for the global zone.", cmd)
		return false
	}
	if strings.HasPrefix(a.zone, "SUNW") {
		a.zerror("%s operation is invalid for zones starting with SUNW.", cmd)
		return false
	}
	st := a.status
	inKernel := st.Kernel != nil
	if unsafe && inKernel {
		a.zerror("%s operation is invalid for %s zones.", cmd, StateString(st.State))
		return false
	}
	if running && !inKernel {
		a.zerror("not running")
		return false
	}
	switch cmd {
	case "attach":
		// sanity_check()'s CMD_ATTACH case; force here is attach's -U
		// (attach_func() passes forced_update).
		if st.State == StateInstalled {
			a.zerror("is already %s.", StateString(StateInstalled))
			return false
		}
		if st.State == StateIncomplete && !force {
			a.zerror("zone is %s; %s required.", StateString(StateIncomplete), "uninstall")
			return false
		}
	case "uninstall":
		if st.State == StateConfigured {
			a.zerror("is already in state '%s'.", StateString(StateConfigured))
			return false
		}
	case "clone", "install":
		if st.State == StateInstalled {
			a.zerror("is already %s.", StateString(StateInstalled))
			return false
		}
		if st.State == StateIncomplete {
			a.zerror("zone is %s; %s required.", StateString(StateIncomplete), "uninstall")
			return false
		}
	case "ready", "boot", "mount", "mark":
		min := StateInstalled
		switch {
		case (cmd == "boot" || cmd == "mount") && force:
			min = StateIncomplete
		case cmd == "mark":
			min = StateConfigured
		}
		if st.State < min {
			a.zerror("must be %s before %s.", StateString(min), cmd)
			return false
		}
	case "verify":
		if st.State == StateIncomplete {
			a.zerror("zone is %s; %s required.", StateString(StateIncomplete), "uninstall")
			return false
		}
	case "unmount":
		if st.State != StateMounted {
			a.zerror("must be %s before %s.", StateString(StateMounted), cmd)
			return false
		}
	}
	return true
}

// config loads the target's configuration, reporting a failure.
func (a *adm) config() (*Config, bool) {
	c, err := LoadConfig(a.root, a.zone)
	if err != nil {
		a.zerror("could not get zone configuration: %v", err)
		return nil, false
	}
	return c, true
}

// setState moves the target to a persistent state in the index.
func (a *adm) setState(state int) error {
	ix, err := ReadIndex(a.root)
	if err != nil {
		return err
	}
	if err := ix.SetState(a.zone, state); err != nil {
		return err
	}
	if err := ix.Write(a.root); err != nil {
		return err
	}
	e, _ := ix.Lookup(a.zone)
	a.status.Entry = *e
	a.status.State = state
	return nil
}

// verifyCmd is "zoneadm verify" (verify_func(): sanity_check(), then
// verify_details()).
func (a *adm) verifyCmd() int {
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
	if !a.verifyDetails(c) {
		return 1
	}
	return 0
}

// markCmd is "zoneadm mark incomplete" / "mark -F configured|installed".
func (a *adm) markCmd() int {
	opts, optind, bad := getopt(a.args, "F")
	if bad != 0 {
		return 2
	}
	force := len(opts) > 0
	if optind != len(a.args)-1 {
		return 2
	}
	target := a.args[optind]
	state := -1
	switch target {
	case "incomplete":
		state = StateIncomplete
	case "configured", "installed":
		if force {
			state = stateFromString(target)
		}
	}
	if state < 0 {
		return 2
	}
	if !a.sanityCheck(false, true, force) {
		return 1
	}
	if err := a.setState(state); err != nil {
		a.zerror("could not set state: %v", err)
		return 1
	}
	return 0
}
