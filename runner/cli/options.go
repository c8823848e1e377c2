package cli

import (
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// An option is one command-line option of the original script: its
// canonical long name, its one-letter form, its other spellings, the
// argument it takes, and its help line. The table below is the single
// source of both the parser and the help text.
type option struct {
	name    string
	short   string
	aliases []string
	// arg names the option's argument in help; empty for a switch.
	arg string
	// optionalArg marks an option whose argument may be left out (-d).
	optionalArg bool
	// list options append; split ones take several words in one argument.
	list, split bool
	// global options apply to every verb.
	global bool
	hidden bool
	help   string
}

// takesValue tells whether the option consumes the next word when given
// without "=".
func (o *option) takesValue() bool { return o.arg != "" && !o.optionalArg }

// display renders the option's spellings for help: "-c, --origin, --clone GIZ".
func (o *option) display() string {
	var names []string
	if o.short != "" {
		names = append(names, "-"+o.short)
	}
	names = append(names, "--"+o.name)
	for _, a := range o.aliases {
		names = append(names, "--"+a)
	}
	s := strings.Join(names, ", ")
	switch {
	case o.optionalArg:
		s += " [" + o.arg + "]"
	case o.arg != "":
		s += " " + o.arg
	}
	return s
}

// Canonical option names, used where the code refers to one option.
const (
	optHelp          = "help"
	optConfig        = "config"
	optPrintConfig   = "print-config"
	optDebug         = "debug"
	optQuiet         = "quiet"
	optErrorsOnly    = "errors-only"
	optOutfile       = "outfile"
	optDryRun        = "dry-run"
	optJSON          = "json"
	optTemplate      = "template"
	optBrand         = "brand"
	optOrigin        = "origin"
	optSnapshot      = "snapshot"
	optZone          = "zone"
	optAutoname      = "zone-autoname"
	optAddPackages   = "add-packages"
	optDelPackages   = "remove-packages"
	optAddPublishers = "add-publishers"
	optDelPublishers = "remove-publishers"
	optMountLofs     = "mount-lofs"
	optMountAutoNFS  = "mount-autonfs"
	optDelegate      = "delegate-dataset"
	optCopyUsers     = "copy-users"
	optCopyGroups    = "copy-groups"
	optElevateUsers  = "elevate-users"
	optVNICs         = "add-vnic"
	optVNICsOver     = "add-vnic-over"
	optExecCmd       = "exec-cmd"
	optExecUser      = "exec-user"
	optExecDiscard   = "exec-discard"
	optForce         = "force"
	optListArgs      = "list-args"
	optImageFile     = "image-file"
	optImage         = "image"
	optIncremental   = "incremental-from"
	optAttachUpdate  = "attach-update"
	optArchive       = "archive"
	optLDAPClient    = "ldap-client"
	optUnusedGoldens = "unused-goldens"
)

// options are every option the command line accepts, in help order.
var options = []*option{
	{name: optHelp, short: "h", global: true, help: "Show this help, or with a verb the verb's help, and exit."},
	{name: optConfig, arg: "FILE", list: true, global: true, help: "Read FILE after /etc/zones/zonemgr.conf, ~/.zonemgr.conf and $ZONEMGR_CONF (repeatable; the file must exist)."},
	{name: optPrintConfig, global: true, help: "Print the active configuration as KEY='value' lines (with this command line's settings) on stdout."},
	{name: optDebug, short: "d", arg: "N", optionalArg: true, global: true, help: "Set the message level to N (0 silent, 1 errors, 2 warnings, 3 info, 4 every command run, 5 module calls); without N, one more than now."},
	{name: optQuiet, short: "q", global: true, help: "Only warnings and errors on stderr (level 2)."},
	{name: optErrorsOnly, short: "Q", global: true, help: "Only errors on stderr (level 1)."},
	{name: optOutfile, short: "O", arg: "FILE", global: true, help: "Append GENERATED_ZONENAME='NAME' to FILE for the zone a create-giz, create-diz or exec-diz made."},
	{name: optDryRun, short: "n", aliases: []string{"dryrun"}, global: true, help: "Check mode: print the plan (the commands that would run) and change nothing."},
	{name: optJSON, global: true, help: "Print the module's result as one JSON object on stdout instead of the human lines."},
	{name: optTemplate, short: "t", arg: "NAME", help: "zonecfg template of a new golden zone (create -t NAME); default TEMPLATE_GIZ."},
	{name: optBrand, short: "b", arg: "NAME", help: "Brand of a new golden zone (create -b; set brand=NAME); default BRAND_GIZ."},
	{name: optOrigin, short: "c", aliases: []string{"clone"}, arg: "GIZ", help: "The golden zone to clone: a new disposable zone's origin, or a new golden zone's source. Implies create-diz when no verb is given."},
	{name: optSnapshot, short: "s", aliases: []string{"snapname"}, arg: "SNAP", help: "Snapshot name (the part after '@'): to clone from, to take, to roll back to, or to destroy."},
	{name: optZone, short: "z", arg: "ZONE", help: "The zone to act on (for the list verbs: a shell pattern of the names to list)."},
	{name: optAutoname, short: "Z", help: "Generate the new zone's name (see -O)."},
	{name: optAddPackages, short: "p", aliases: []string{"install-packages", "add-package", "install-package"}, arg: "LIST", list: true, split: true, help: "Packages (names or FMRIs; @FILE reads a file of them, '#' comments): to install in a golden zone; for a disposable zone, the packages that name its golden zone, found or built on demand."},
	{name: optDelPackages, short: "P", aliases: []string{"del-packages", "uninstall-packages", "remove-package", "del-package", "uninstall-package"}, arg: "LIST", list: true, split: true, help: "Packages to uninstall."},
	{name: optAddPublishers, short: "g", aliases: []string{"add-publisher"}, arg: "LIST", list: true, split: true, help: "IPS publishers to add, each \"name|origin-url\"."},
	{name: optDelPublishers, short: "G", aliases: []string{"remove-publisher", "del-publisher", "del-publishers"}, arg: "LIST", list: true, split: true, help: "IPS publishers to remove."},
	{name: optMountLofs, arg: "LZ[|GZ[|ro|rw]]", list: true, help: "Mount global-zone directory GZ (default: the same path) at LZ in the zone by lofs; one mount per option."},
	{name: optMountAutoNFS, arg: "LZ|SERVER:/PATH", list: true, help: "Automount the NFS export SERVER:/PATH at LZ in the zone; one mount per option."},
	{name: optDelegate, arg: "LIST", list: true, split: true, help: "ZFS datasets to delegate to the zone (missing ones are created, and destroyed with the zone)."},
	{name: optCopyUsers, aliases: []string{"copy-user"}, arg: "LIST", list: true, split: true, help: "Global-zone users copied into the zone (passwd and shadow lines)."},
	{name: optCopyGroups, aliases: []string{"copy-group"}, arg: "LIST", list: true, split: true, help: "Global-zone groups copied into the zone."},
	{name: optElevateUsers, aliases: []string{"elevate-user"}, arg: "LIST", list: true, split: true, help: "Users given full privileges in the zone (sudoers.d and user_attr)."},
	{name: optVNICs, aliases: []string{"use-vnic", "add-vnics", "use-vnics"}, arg: "LIST", list: true, split: true, help: "Existing VNICs to give the zone."},
	{name: optVNICsOver, aliases: []string{"use-vnic-over", "add-vnics-over", "use-vnics-over", "auto-vnic", "auto-vnics"}, arg: "LIST", list: true, split: true, help: "VNICs to create for the zone, each \"LINK[|VLAN[|MAC]]\" (without a MAC, a random one with dladm's prefix 2:8:20); deleted with the zone."},
	{name: optExecCmd, arg: "COMMAND", help: "The command to run in the zone (one shell command line). Implies exec when no verb is given."},
	{name: optExecUser, arg: "USER", help: "Run the command as USER (zlogin -l USER); -S, the default, runs it as root (zlogin -S)."},
	{name: optExecDiscard, arg: "WHEN", help: "When to throw the zone's changes away after the command: off (exec's default), always (exec-diz's default), onsuccess, onfail (or onfailure)."},
	{name: optForce, short: "f", help: "destroy: destroy a golden zone even while disposable zones depend on it; snapshot verbs: passed as the module's force."},
	{name: optImageFile, short: "o", arg: "FILE", help: "export-giz: the image file to write (a zfs replication stream with a JSON manifest)."},
	{name: optImage, short: "i", arg: "FILE", help: "import-giz: the image file to import; its checksum is verified before anything changes."},
	{name: optIncremental, arg: "SNAP", help: "export-giz: export only the changes since this snapshot of the zone (an incremental image)."},
	{name: optAttachUpdate, help: "import-giz: attach the imported zone with zoneadm attach -u (update its packages to the global zone's)."},
	{name: optArchive, arg: "FILE", help: "create-giz: install the new zone from this archive in the global zone (zoneadm install -a) instead of from the package repository."},
	{name: optLDAPClient, help: "Copy the global zone's LDAP client configuration into the zone and enable its LDAP client service."},
	{name: optUnusedGoldens, arg: "AGE", help: "gc: evict golden zones built on demand that no zone was cloned from for AGE (30d, 2w, 36h, 90m)."},
	{name: optListArgs, arg: "FLAGS", hidden: true, help: "zoneadm list flags of the list verbs (-c, -i, -p, -v)."},
}

// optionByName maps every long spelling of an option to it.
var optionByName = func() map[string]*option {
	m := map[string]*option{}
	for _, o := range options {
		m[o.name] = o
		for _, a := range o.aliases {
			m[a] = o
		}
	}
	return m
}()

// optionByShort maps every one-letter form to its option.
var optionByShort = func() map[string]*option {
	m := map[string]*option{}
	for _, o := range options {
		if o.short != "" {
			m[o.short] = o
		}
	}
	return m
}()

// noValue is the placeholder pflag stores; the parser reads values from
// the callback of ParseAll instead.
type noValue struct{ typ string }

func (v *noValue) String() string   { return "" }
func (v *noValue) Set(string) error { return nil }
func (v *noValue) Type() string     { return v.typ }

// nextDebugLevel is the value pflag gives -d without a number.
const nextDebugLevel = "+1"

// newFlagSet returns a pflag set that knows every option and its
// spellings. Values are not stored in it: ParseAll reports each one.
func newFlagSet() *pflag.FlagSet {
	fs := pflag.NewFlagSet("zonemgr", pflag.ContinueOnError)
	fs.SetInterspersed(true)
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	for _, o := range options {
		typ := "string"
		if o.arg == "" {
			typ = "bool"
		}
		f := fs.VarPF(&noValue{typ: typ}, o.name, o.short, o.help)
		switch {
		case o.arg == "":
			f.NoOptDefVal = "true"
		case o.optionalArg:
			f.NoOptDefVal = nextDebugLevel
		}
		f.Hidden = o.hidden
	}
	fs.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if o, ok := optionByName[name]; ok {
			return pflag.NormalizedName(o.name)
		}
		return pflag.NormalizedName(name)
	})
	return fs
}
