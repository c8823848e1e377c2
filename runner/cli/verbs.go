package cli

import (
	"slices"
	"strings"
)

// zoneUse says what a verb does with -z.
type zoneUse int

const (
	// zoneNone: the verb acts on no single zone.
	zoneNone zoneUse = iota
	// zoneFilter: -z is a shell pattern of the zone names to act on.
	zoneFilter
	// zoneNew: -z names the zone to create; without it (or with -Z) a
	// name is generated.
	zoneNew
	// zoneExisting: -z names an existing zone and is required.
	zoneExisting
)

// A verb is one action word of the command line and its aliases, its
// help, the options that apply to it, and the function that runs it.
type verb struct {
	name    string
	aliases []string
	// group is the heading the verb is listed under in zonemgr --help.
	group    string
	synopsis string
	summary  string
	// about is the verb help's description; calls names the module calls.
	about string
	calls string
	// options are the options besides the global ones that apply.
	options []string
	// requires are options that must have a value (from the command line
	// or the configuration); requiresOne, options of which one must.
	requires    []string
	requiresOne []string
	zone        zoneUse
	// positionalZone: the word after the verb may name the zone.
	positionalZone bool
	// listFlags: the word after the verb may be zoneadm list flags.
	listFlags bool
	run       func(s *session) int
	examples  []string
}

// words returns the verb's name and aliases.
func (v *verb) words() []string { return append([]string{v.name}, v.aliases...) }

// applies tells whether an option applies to the verb.
func (v *verb) applies(name string) bool {
	if o := optionByName[name]; o != nil && o.global {
		return true
	}
	return slices.Contains(v.options, name)
}

// Option sets shared by several verbs.
var (
	gizOptions = []string{optZone, optAutoname, optTemplate, optBrand, optOrigin, optSnapshot,
		optAddPublishers, optDelPublishers, optAddPackages, optDelPackages,
		optCopyUsers, optCopyGroups, optElevateUsers, optMountLofs, optArchive, optLDAPClient}
	dizOptions = []string{optZone, optAutoname, optOrigin, optAddPackages, optSnapshot, optMountLofs, optMountAutoNFS,
		optDelegate, optCopyUsers, optCopyGroups, optElevateUsers, optVNICs, optVNICsOver, optLDAPClient}
	execOptions = []string{optExecCmd, optExecUser, optExecDiscard}
)

// Help groups, in the order zonemgr --help lists them.
const (
	groupGIZ      = "Golden-image zones (GIZ)"
	groupDIZ      = "Disposable-image zones (DIZ)"
	groupExec     = "Running commands"
	groupSnapshot = "Snapshots"
	groupState    = "Run state of a managed zone"
	groupQuery    = "Queries"
	groupOther    = "Other"
)

var helpGroups = []string{groupGIZ, groupDIZ, groupExec, groupSnapshot, groupState, groupQuery, groupOther}

// develDebugWord is the original's developer hook, kept as a verb.
const develDebugWord = "DEVEL_DEBUG"

// verbs are every verb of the command line, in help order.
var verbs []*verb

// verbByWord maps every verb word and alias to its verb.
var verbByWord map[string]*verb

// develDebug is the DEVEL_DEBUG verb.
var develDebug *verb

func init() {
	verbs = []*verb{
		{
			name:     "create-giz",
			group:    groupGIZ,
			synopsis: "create-giz [-z ZONE | -Z] [-t TEMPLATE | -b BRAND | -c GIZ [-s SNAP]] [OPTIONS]",
			summary:  "create a golden zone: install, set up, snapshot",
			about: "Creates a golden-image zone, unless it exists: configures it from a template or brand " +
				"(or clones another golden zone with -c), installs it, boots it once to import its services, " +
				"copies the users and groups, elevates users, adds publishers and packages, and takes the " +
				"snapshots initial-installed-ZONE, initial-manifest_import_booted-ZONE and " +
				"initial-postinstalled-ZONE. Without -z the zone is named by its content: GIZ_NAME_PREFIX " +
				"and a hash of its template or brand, publishers, packages (sorted, without duplicates) and " +
				"source zone with its snapshot, so that the same content, in any order, finds the same zone. " +
				"As in the original, a template (-t, or TEMPLATE_GIZ) wins over -b; -b applies when " +
				"TEMPLATE_GIZ is empty. The zone's name is printed on stdout.",
			calls:   "zone_giz with state=present",
			options: gizOptions,
			zone:    zoneNew,
			run:     runCreateGIZ,
			examples: []string{
				"zonemgr create-giz",
				"zonemgr create-giz -z test-giz-1 -b SUNWipkg",
				"zonemgr create-giz -z build-giz-jdk -c test-giz-1 -p \"developer/java/openjdk8 developer/build/gnu-make\" --copy-users jenkins",
			},
		},
		{
			name:     "export-giz",
			group:    groupGIZ,
			synopsis: "export-giz -z GIZ -o FILE [-s SNAP] [--incremental-from SNAP]",
			summary:  "write a golden zone's snapshot to an image file",
			about: "Writes the golden zone's snapshot (default: its newest zonemgr snapshot) to FILE: a " +
				"zfs replication stream of its datasets and a JSON manifest (name, brand, configuration, " +
				"packages, snapshots, the stream's size and SHA-256). With --incremental-from, only the " +
				"changes since that snapshot, for a nightly refresh. A FILE that already holds that " +
				"snapshot is left alone.",
			calls:    "zone_giz with state=exported",
			options:  []string{optZone, optSnapshot, optImageFile, optIncremental},
			requires: []string{optImageFile},
			zone:     zoneExisting,
			run:      runExportGIZ,
			examples: []string{
				"zonemgr export-giz -z build-giz-jdk -o /var/tmp/build-giz-jdk.zimg",
				"zonemgr export-giz -z build-giz-jdk -s autozone-20260101T020000Z --incremental-from initial-postinstalled-build-giz-jdk -o /var/tmp/nightly.zimg",
			},
		},
		{
			name:     "import-giz",
			group:    groupGIZ,
			synopsis: "import-giz -i FILE [-z ZONE] [--attach-update]",
			summary:  "make a golden zone from an image file",
			about: "Verifies the image's checksum, then receives its stream into the GIZ container as ZONE " +
				"(default: the name in the image), configures the zone from the image's configuration with " +
				"its new zonepath, and attaches it (zoneadm attach, -u with --attach-update). An " +
				"incremental image is received onto the zone holding its exact base snapshot, and refused " +
				"otherwise. Importing the same image again changes nothing. The zone's name is printed on stdout.",
			calls:    "zone_giz with state=present and image",
			options:  []string{optZone, optImage, optAttachUpdate},
			requires: []string{optImage},
			zone:     zoneNone,
			run:      runImportGIZ,
			examples: []string{
				"zonemgr import-giz -i /var/tmp/build-giz-jdk.zimg -z build-giz-jdk",
				"zonemgr import-giz -i /var/tmp/nightly.zimg -z build-giz-jdk",
			},
		},
		{
			name:     "update-giz",
			group:    groupGIZ,
			synopsis: "update-giz [-z PATTERN] [-g PUB|URL] [-p PKGS] [-P PKGS]",
			summary:  "refresh every golden zone's packages (for cron)",
			about: "Updates the packages of every golden zone (or those whose names match -z): refreshes " +
				"the publishers, applies -g/-G/-p/-P, runs pkg update, and takes an autozone-STAMP " +
				"snapshot only when something changed. Zones are updated one after the other; a failure " +
				"is reported and the others are still updated.",
			calls:   "zone_info with role=giz, then zone_giz with state=updated for each golden zone",
			options: []string{optZone, optAddPublishers, optDelPublishers, optAddPackages, optDelPackages},
			zone:    zoneFilter,
			run:     runUpdateGIZ,
			examples: []string{
				"zonemgr -q update-giz",
				"zonemgr update-giz -z 'build-giz-*'",
			},
		},
		{
			name:     "pkg-refresh",
			group:    groupGIZ,
			synopsis: "pkg-refresh -z GIZ [-g PUB|URL] [-G PUB]",
			summary:  "refresh a golden zone's publishers",
			about:    "Refreshes the golden zone's publishers, adding (-g) and removing (-G) publishers first; no package is updated.",
			calls:    "zone_info, then zone_giz with state=updated and update_packages=false",
			options:  []string{optZone, optAddPublishers, optDelPublishers},
			zone:     zoneExisting,
			run:      func(s *session) int { return runPkg(s, false) },
			examples: []string{"zonemgr pkg-refresh -z test-giz-1 -g \"openindiana.org|https://pkg.openindiana.org/hipster\""},
		},
		{
			name:     "pkg-upgrade",
			group:    groupGIZ,
			synopsis: "pkg-upgrade -z GIZ [-g PUB|URL] [-G PUB] [-p PKGS] [-P PKGS]",
			summary:  "update a golden zone's packages",
			about:    "Refreshes the publishers, installs and uninstalls the packages given, updates every package, and snapshots the zone when something changed.",
			calls:    "zone_info, then zone_giz with state=updated",
			options:  []string{optZone, optAddPublishers, optDelPublishers, optAddPackages, optDelPackages},
			zone:     zoneExisting,
			run:      func(s *session) int { return runPkg(s, true) },
			examples: []string{"zonemgr pkg-upgrade -z test-giz-1"},
		},
		{
			name:     "pkg-install",
			group:    groupGIZ,
			synopsis: "pkg-install -z GIZ -p PKGS [-g PUB|URL]",
			summary:  "install packages into a golden zone",
			about:    "Installs the packages given with -p into the golden zone, without updating the others, and snapshots the zone when something changed.",
			calls:    "zone_info, then zone_giz with state=updated, update_packages=false and add_packages",
			options:  []string{optZone, optAddPublishers, optDelPublishers, optAddPackages},
			requires: []string{optAddPackages},
			zone:     zoneExisting,
			run:      func(s *session) int { return runPkg(s, false) },
			examples: []string{"zonemgr pkg-install -z test-giz-1 -p \"developer/gcc-10 developer/build/gnu-make\""},
		},
		{
			name:     "pkg-uninstall",
			group:    groupGIZ,
			synopsis: "pkg-uninstall -z GIZ -P PKGS",
			summary:  "uninstall packages from a golden zone",
			about:    "Uninstalls the packages given with -P from the golden zone and snapshots the zone when something changed.",
			calls:    "zone_info, then zone_giz with state=updated, update_packages=false and remove_packages",
			options:  []string{optZone, optDelPackages},
			requires: []string{optDelPackages},
			zone:     zoneExisting,
			run:      func(s *session) int { return runPkg(s, false) },
			examples: []string{"zonemgr pkg-uninstall -z test-giz-1 -P developer/gcc-10"},
		},
		{
			name:     "create-diz",
			group:    groupDIZ,
			synopsis: "create-diz {-c GIZ [-s SNAP] | -p PACKAGES | -c GIZ -p PACKAGES} [-z ZONE | -Z] [OPTIONS]",
			summary:  "clone a golden zone's snapshot into a disposable zone",
			about: "Creates a disposable-image zone, unless it exists: a ZFS clone of the golden zone's " +
				"snapshot (-s; default its newest zonemgr snapshot) with its own lofs mounts, NFS " +
				"automounts, delegated datasets, VNICs and copied accounts. Without -z the name is " +
				"generated (DIZ_NAME_PREFIX). -c alone, without a verb, means create-diz. With -p, the " +
				"golden zone is the one those packages name by content, found or built on demand: without " +
				"-c, the golden zone holding exactly them; with a -c zone that does not exist, that golden " +
				"zone built from them; with an existing -c zone, the golden zone derived from it with them " +
				"added. Concurrent requests build a golden zone once. The zone's name " +
				"is printed on stdout, and appended to the -O file.",
			calls:   "zone_diz with state=present",
			options: dizOptions,
			zone:    zoneNew,
			run:     runCreateDIZ,
			examples: []string{
				"zonemgr create-diz -c test-giz-1",
				"zonemgr create-diz -c test-giz-1 -s snap1 -z test-diz-1",
				"zonemgr create-diz -c test-giz-1 -z test-diz-1 --mount-lofs \"/export/home\" --delegate-dataset \"pool/zones/_delegated/test-diz-1\" --add-vnic-over \"etherstub127 e1000g0|81|00:12:34:56:78:ab\"",
				"zonemgr create-diz -c test-giz-1 -z test-diz-1 --mount-autonfs \"/mnt/.ccache|filer:/var/.ccache-shared\"",
				"NAME=$(zonemgr -q create-diz -c test-giz-1 -O /tmp/zonemgr.out)",
			},
		},
		{
			name:     "exec",
			aliases:  []string{"run"},
			group:    groupExec,
			synopsis: "exec -z ZONE --exec-cmd COMMAND [--exec-user USER] [--exec-discard WHEN]",
			summary:  "run a command in an existing managed zone",
			about: "Runs the command in the zone with zlogin, booting the zone first if needed. With " +
				"--exec-discard other than off, the zone is snapshotted first and rolled back afterwards " +
				"(always, on success or on failure). The command's output is shown as it runs, and " +
				"zonemgr exits with the command's exit status. --exec-cmd alone, without a verb, means exec.",
			calls:    "zone_exec with zone",
			options:  append([]string{optZone}, execOptions...),
			requires: []string{optExecCmd},
			zone:     zoneExisting,
			run:      runExec,
			examples: []string{
				"zonemgr exec --exec-discard onsuccess -z build-diz-1 --exec-cmd \"cd /home/illumos-gate && ./nightly.sh\"",
				"zonemgr -z test-giz-1 --exec-cmd 'pkg list' --exec-discard always",
			},
		},
		{
			name:     "exec-diz",
			aliases:  []string{"run-diz"},
			group:    groupExec,
			synopsis: "exec-diz {-c GIZ | -p PACKAGES} --exec-cmd COMMAND [--exec-user USER] [--exec-discard WHEN] [OPTIONS]",
			summary:  "clone a disposable zone, run a command in it, destroy it",
			about: "Clones a fresh disposable zone from the golden zone (with every create-diz option), " +
				"boots it, runs the command as --exec-user, and destroys the zone (--exec-discard: " +
				"always by default; onsuccess keeps a failed build's zone for a look, off keeps it). " +
				"The command's output is shown as it runs, and zonemgr exits with the command's exit " +
				"status. The zone's name is appended to the -O file.",
			calls:       "zone_exec with giz or packages",
			options:     append(slices.Clone(dizOptions), execOptions...),
			requires:    []string{optExecCmd},
			requiresOne: []string{optOrigin, optAddPackages},
			zone:        zoneNew,
			run:         runExecDIZ,
			examples: []string{
				"zonemgr exec-diz -c build-giz-jdk --exec-user jenkins --copy-users \"jenkins jim\" --elevate-users \"jim\" --copy-groups jenkins --mount-lofs \"/export/oi-userland\" --add-vnic-over \"etherstub127\" --exec-cmd \"cd /export/oi-userland/components/java8 && gmake publish\"",
				"zonemgr -q exec-diz -c test-giz-1 --exec-cmd 'uname -a'; echo \"build exit status: $?\"",
			},
		},
		{
			name:     "destroy",
			group:    groupState,
			synopsis: "destroy -z ZONE [-f] | destroy -z ZONE -s SNAP",
			summary:  "destroy a managed zone (or, with -s, a snapshot)",
			about: "Destroys a managed zone: halts it, uninstalls it, deletes its configuration and the " +
				"VNICs and delegated datasets zonemgr made for it. A golden zone that disposable zones " +
				"depend on is refused unless -f. A zone that does not exist is already destroyed. With " +
				"-s SNAP, destroys that snapshot instead, as destroy-snapshot.",
			calls:    "zone_info, then zone_giz or zone_diz with state=absent (with -s: zone_snapshot with state=absent)",
			options:  []string{optZone, optSnapshot, optForce},
			zone:     zoneExisting,
			run:      runDestroy,
			examples: []string{"zonemgr -z test-diz-1 destroy"},
		},
		{
			name:     "snapshot",
			group:    groupSnapshot,
			synopsis: "snapshot -z ZONE [-s SNAP]",
			summary:  "snapshot a managed zone",
			about: "Snapshots the zone's datasets (halting a running zone first and booting it again " +
				"after), as SNAP or autozone-STAMP. The snapshot's name is printed on stdout.",
			calls:    "zone_snapshot with state=present",
			options:  []string{optZone, optSnapshot, optForce},
			zone:     zoneExisting,
			run:      runSnapshot,
			examples: []string{"zonemgr snapshot -z test-giz-1 -s snap1"},
		},
		{
			name:     "rollback",
			group:    groupSnapshot,
			synopsis: "rollback -z ZONE [-s SNAP]",
			summary:  "roll a managed zone back to a snapshot",
			about:    "Rolls the zone's datasets back to the snapshot (without -s: the newest one), halting the zone first and booting it again after if it was running.",
			calls:    "zone_snapshot with state=rolledback",
			options:  []string{optZone, optSnapshot, optForce},
			zone:     zoneExisting,
			run:      runRollback,
			examples: []string{"zonemgr rollback -z test-giz-1 -s snap1"},
		},
		{
			name:     "destroy-snapshot",
			aliases:  []string{"destroy-snap"},
			group:    groupSnapshot,
			synopsis: "destroy-snapshot -z ZONE -s SNAP",
			summary:  "destroy a snapshot of a managed zone",
			about:    "Destroys the snapshot of the zone's datasets. A snapshot that does not exist is already destroyed.",
			calls:    "zone_snapshot with state=absent",
			options:  []string{optZone, optSnapshot, optForce},
			requires: []string{optSnapshot},
			zone:     zoneExisting,
			run:      runDestroySnapshot,
			examples: []string{"zonemgr destroy-snapshot -z test-giz-1 -s snap1"},
		},
		{
			name:           "list-snapshots",
			aliases:        []string{"list-snaps"},
			group:          groupSnapshot,
			synopsis:       "list-snapshots ZONE | list-snapshots -z ZONE",
			summary:        "list a managed zone's snapshots, oldest first",
			about:          "Prints the names of the zone's snapshots (the part after '@'), oldest first.",
			calls:          "zone_snapshot in check mode, which reports the snapshots and changes nothing",
			options:        []string{optZone},
			zone:           zoneExisting,
			positionalZone: true,
			run:            runListSnapshots,
			examples:       []string{"zonemgr list-snapshots -z test-giz-1", "zonemgr -q list-snaps test-giz-1"},
		},
		{
			name:     "boot",
			group:    groupState,
			synopsis: "boot -z ZONE",
			summary:  "boot a managed zone without waiting for its services",
			about:    "Boots the zone (zoneadm boot) and returns without waiting for the multi-user milestone.",
			calls:    "zone_info, then zone_giz or zone_diz with state=running and wait=false",
			options:  []string{optZone},
			zone:     zoneExisting,
			run:      func(s *session) int { return runState(s, "running", boot{noWait: true}) },
			examples: []string{"zonemgr -z test-diz-1 boot"},
		},
		{
			name:     "start",
			group:    groupState,
			synopsis: "start -z ZONE",
			summary:  "boot a managed zone and wait for the multi-user milestone",
			about:    "Boots the zone and waits (up to BOOT_TIMEOUT) until svc:/milestone/multi-user-server:default is online.",
			calls:    "zone_info, then zone_giz or zone_diz with state=running",
			options:  []string{optZone},
			zone:     zoneExisting,
			run:      func(s *session) int { return runState(s, "running", boot{}) },
			examples: []string{"zonemgr -z test-diz-1 start"},
		},
		{
			name:     "singleuser",
			aliases:  []string{"boot-single"},
			group:    groupState,
			synopsis: "singleuser -z ZONE",
			summary:  "boot a managed zone single-user",
			about:    "Boots the zone single-user (zoneadm boot -s) and waits for svc:/milestone/single-user:default.",
			calls:    "zone_info, then zone_giz or zone_diz with state=running and single_user=true",
			options:  []string{optZone},
			zone:     zoneExisting,
			run:      func(s *session) int { return runState(s, "running", boot{singleUser: true}) },
			examples: []string{"zonemgr -z test-giz-1 singleuser"},
		},
		{
			name:     "stop",
			group:    groupState,
			synopsis: "stop -z ZONE",
			summary:  "stop a managed zone",
			about:    "Stops the zone, leaving it installed: the module shuts it down and halts it.",
			calls:    "zone_info, then zone_giz or zone_diz with state=stopped",
			options:  []string{optZone},
			zone:     zoneExisting,
			run:      func(s *session) int { return runState(s, "stopped", boot{}) },
			examples: []string{"zonemgr -z test-diz-1 stop"},
		},
		{
			name:     "halt",
			group:    groupState,
			synopsis: "halt -z ZONE",
			summary:  "halt a managed zone",
			about:    "Halts the zone, leaving it installed. The zone modules know one stopped state, so halt, poweroff and shutdown all bring the zone to it.",
			calls:    "zone_info, then zone_giz or zone_diz with state=stopped",
			options:  []string{optZone},
			zone:     zoneExisting,
			run:      func(s *session) int { return runState(s, "stopped", boot{}) },
			examples: []string{"zonemgr -z test-diz-1 halt"},
		},
		{
			name:     "poweroff",
			group:    groupState,
			synopsis: "poweroff -z ZONE",
			summary:  "power a managed zone off",
			about:    "Stops the zone, leaving it installed, as halt does.",
			calls:    "zone_info, then zone_giz or zone_diz with state=stopped",
			options:  []string{optZone},
			zone:     zoneExisting,
			run:      func(s *session) int { return runState(s, "stopped", boot{}) },
			examples: []string{"zonemgr -z test-diz-1 poweroff"},
		},
		{
			name:     "shutdown",
			group:    groupState,
			synopsis: "shutdown -z ZONE",
			summary:  "shut a managed zone down",
			about:    "Stops the zone, leaving it installed, as halt does.",
			calls:    "zone_info, then zone_giz or zone_diz with state=stopped",
			options:  []string{optZone},
			zone:     zoneExisting,
			run:      func(s *session) int { return runState(s, "stopped", boot{}) },
			examples: []string{"zonemgr -z test-diz-1 shutdown"},
		},
		{
			name:     "restart",
			group:    groupState,
			synopsis: "restart -z ZONE",
			summary:  "stop and start a managed zone",
			about:    "Halts the zone if it runs, boots it again and waits for the multi-user milestone.",
			calls:    "zone_info, then zone_giz or zone_diz with state=restarted",
			options:  []string{optZone},
			zone:     zoneExisting,
			run:      func(s *session) int { return runState(s, "restarted", boot{}) },
			examples: []string{"zonemgr -z test-diz-1 restart"},
		},
		{
			name:     "reboot",
			aliases:  []string{"reset"},
			group:    groupState,
			synopsis: "reboot -z ZONE",
			summary:  "reboot a managed zone without waiting for its services",
			about:    "Halts the zone if it runs and boots it again, without waiting for the milestone.",
			calls:    "zone_info, then zone_giz or zone_diz with state=restarted and wait=false",
			options:  []string{optZone},
			zone:     zoneExisting,
			run:      func(s *session) int { return runState(s, "restarted", boot{noWait: true}) },
			examples: []string{"zonemgr -z test-diz-1 reboot"},
		},
		{
			name:     "ready",
			group:    groupState,
			synopsis: "ready -z ZONE",
			summary:  "ready a managed zone",
			about:    "Brings the zone to the ready state (zoneadm ready): its resources are set up, no process runs.",
			calls:    "zone_info, then zone_giz or zone_diz with state=ready",
			options:  []string{optZone},
			zone:     zoneExisting,
			run:      func(s *session) int { return runState(s, "ready", boot{}) },
			examples: []string{"zonemgr -z test-diz-1 ready"},
		},
		{
			name:     "mount",
			group:    groupState,
			synopsis: "mount -z ZONE",
			summary:  "mount a managed zone's file systems",
			about:    "Brings the zone to the mounted state (zoneadm mount), for work on its files from the global zone.",
			calls:    "zone_info, then zone_giz or zone_diz with state=mounted",
			options:  []string{optZone},
			zone:     zoneExisting,
			run:      func(s *session) int { return runState(s, "mounted", boot{}) },
			examples: []string{"zonemgr -z test-diz-1 mount"},
		},
		{
			name:     "unmount",
			aliases:  []string{"umount"},
			group:    groupState,
			synopsis: "unmount -z ZONE",
			summary:  "unmount a mounted managed zone",
			about:    "Brings a mounted zone back to installed (zoneadm unmount). An installed zone is already unmounted; a zone in any other state is refused.",
			calls:    "zone_info, then zone_giz or zone_diz with state=stopped",
			options:  []string{optZone},
			zone:     zoneExisting,
			run:      runUnmount,
			examples: []string{"zonemgr -z test-diz-1 umount"},
		},
		{
			name:     "list",
			aliases:  []string{"list-all"},
			group:    groupQuery,
			synopsis: "list [-c|-i] [-v|-p] [-z PATTERN]",
			summary:  "list the managed zones",
			about: "Prints the names of the zones zonemgr manages, one per line. The zoneadm list flags " +
				"may follow the verb: -c lists every managed zone (the default), -i only those installed " +
				"or further; -v prints a table (NAME STATUS PATH BRAND ROLE GIZ), -p parseable lines " +
				"name:state:zonepath:brand:role:giz (a ':' in the zonepath printed as '\\:'). -z keeps " +
				"the names matching a shell pattern.",
			calls:     "zone_info",
			options:   []string{optZone, optListArgs},
			zone:      zoneFilter,
			listFlags: true,
			run:       func(s *session) int { return runList(s, "") },
			examples:  []string{"zonemgr list", "zonemgr list -v", "zonemgr -q list -cp"},
		},
		{
			name:      "list-giz",
			group:     groupQuery,
			synopsis:  "list-giz [-c|-i] [-v|-p] [-z PATTERN]",
			summary:   "list the golden zones",
			about:     "As list, for the golden-image zones only.",
			calls:     "zone_info with role=giz",
			options:   []string{optZone, optListArgs},
			zone:      zoneFilter,
			listFlags: true,
			run:       func(s *session) int { return runList(s, "giz") },
			examples:  []string{"zonemgr list-giz", "zonemgr list-giz -v"},
		},
		{
			name:      "list-diz",
			group:     groupQuery,
			synopsis:  "list-diz [-c|-i] [-v|-p] [-z PATTERN]",
			summary:   "list the disposable zones",
			about:     "As list, for the disposable-image zones only.",
			calls:     "zone_info with role=diz",
			options:   []string{optZone, optListArgs},
			zone:      zoneFilter,
			listFlags: true,
			run:       func(s *session) int { return runList(s, "diz") },
			examples:  []string{"zonemgr -q list-diz | while read z; do zonemgr -z \"$z\" destroy; done"},
		},
		{
			name:           "is-managed",
			aliases:        []string{"is-managed-all", "is-managed-any"},
			group:          groupQuery,
			synopsis:       "is-managed ZONE | is-managed -z ZONE",
			summary:        "exit 0 when zonemgr manages the zone, else 1",
			about:          "Exits 0 when the zone exists and is zonemgr's (golden or disposable), 1 otherwise.",
			calls:          "zone_info",
			options:        []string{optZone},
			zone:           zoneExisting,
			positionalZone: true,
			run:            func(s *session) int { return runIs(s, "") },
			examples:       []string{"zonemgr is-managed -z test-zone-1", "if zonemgr -q is-managed test-zone-1; then echo ours; fi"},
		},
		{
			name:           "is-giz",
			aliases:        []string{"is-managed-giz"},
			group:          groupQuery,
			synopsis:       "is-giz ZONE | is-giz -z ZONE",
			summary:        "exit 0 when the zone is a managed golden zone, else 1",
			about:          "Exits 0 when the zone is one of zonemgr's golden-image zones, 1 otherwise.",
			calls:          "zone_info",
			options:        []string{optZone},
			zone:           zoneExisting,
			positionalZone: true,
			run:            func(s *session) int { return runIs(s, "giz") },
			examples:       []string{"zonemgr is-giz test-giz-1"},
		},
		{
			name:           "is-diz",
			aliases:        []string{"is-managed-diz"},
			group:          groupQuery,
			synopsis:       "is-diz ZONE | is-diz -z ZONE",
			summary:        "exit 0 when the zone is a managed disposable zone, else 1",
			about:          "Exits 0 when the zone is one of zonemgr's disposable-image zones, 1 otherwise.",
			calls:          "zone_info",
			options:        []string{optZone},
			zone:           zoneExisting,
			positionalZone: true,
			run:            func(s *session) int { return runIs(s, "diz") },
			examples:       []string{"zonemgr is-diz test-diz-1"},
		},
		{
			name:           "verify",
			aliases:        []string{"validate"},
			group:          groupQuery,
			synopsis:       "verify ZONE | verify -z ZONE",
			summary:        "check a managed zone's configuration (zoneadm verify)",
			about:          "Runs zoneadm verify for the zone, and checks that the zone is zonemgr's.",
			calls:          "zone_info with verify=true",
			options:        []string{optZone},
			zone:           zoneExisting,
			positionalZone: true,
			run:            runVerify,
			examples:       []string{"zonemgr -z test-diz-1 verify"},
		},
		{
			name:           "get-state",
			aliases:        []string{"getstate", "state", "status"},
			group:          groupQuery,
			synopsis:       "get-state ZONE | get-state -z ZONE",
			summary:        "print a zone's state",
			about:          "Prints the zone's state (configured, incomplete, installed, ready, mounted, running, shutting_down, down) on stdout.",
			calls:          "zone_info",
			options:        []string{optZone},
			zone:           zoneExisting,
			positionalZone: true,
			run:            runGetState,
			examples:       []string{"zonemgr -q get-state -z test-zone-1"},
		},
		{
			name:     "gc",
			group:    groupOther,
			synopsis: "gc [-n] [--unused-goldens AGE]",
			summary:  "remove what killed runs left behind (-n: only report)",
			about: "Replays the journals of zonemgr runs that were killed (their undo commands, newest first), " +
				"then removes managed zones left configured or incomplete, automatic VNICs no zone configures, " +
				"zone datasets under the containers with no zone, and origin snapshots with no clone. Zones " +
				"without zonemgr attributes, datasets outside the containers and other VNICs are never touched, " +
				"nor anything a running operation holds. Prints one line per leftover found; with -n prints " +
				"the commands it would run and changes nothing. Exits 1 when leftovers remain. With " +
				"--unused-goldens, then evicts the golden zones built on demand (create-diz -p, exec-diz -p) " +
				"that no zone was cloned from for that long and that no zone depends on; golden zones made " +
				"by hand are never evicted.",
			calls:    "zone_gc (in check mode with -n)",
			options:  []string{optUnusedGoldens},
			run:      runGC,
			examples: []string{"zonemgr -n gc", "zonemgr gc", "zonemgr gc --unused-goldens 30d"},
		},
	}
	develDebug = &verb{
		name:     develDebugWord,
		group:    groupOther,
		synopsis: "DEVEL_DEBUG STEP [OPTIONS] | DEVEL_DEBUG list",
		summary:  "run one step of a verb's plan with the given settings",
		about: "Runs one named step of the original script's internals with the settings of the " +
			"command line, for instance setup_zone_postinstall to apply the accounts and mounts " +
			"given to an existing zone again. DEVEL_DEBUG list names the steps.",
		calls: "depends on the step; see DEVEL_DEBUG list",
		run:   runDevelDebugList,
		examples: []string{
			"zonemgr DEVEL_DEBUG list",
			"zonemgr -z test-giz-1 --copy-users \"jim\" --elevate-user jim --mount-lofs /export/home DEVEL_DEBUG setup_zone_postinstall",
		},
	}
	verbByWord = map[string]*verb{}
	for _, v := range verbs {
		for _, w := range v.words() {
			verbByWord[w] = v
		}
	}
	develSteps = newDevelSteps()
}

// verbWords returns every word that names a verb, for suggestions.
func verbWords() []string {
	words := []string{develDebugWord, "play"}
	for _, v := range verbs {
		words = append(words, v.words()...)
	}
	return words
}

// A develStep is one step DEVEL_DEBUG can run, named as the original
// script's function, and the verb whose options and run it borrows.
type develStep struct {
	name  string
	about string
	verb  *verb
}

// develSteps are the steps of the original script that a module call
// performs on its own.
var develSteps []develStep

// newDevelSteps builds develSteps; it needs verbByWord.
func newDevelSteps() []develStep {
	steps := []develStep{{
		name:  "setup_zone_postinstall",
		about: "copy users and groups, elevate users and add lofs mounts to an existing managed zone again (zone_giz or zone_diz with state=present)",
		verb: &verb{
			name:     "setup_zone_postinstall",
			synopsis: "DEVEL_DEBUG setup_zone_postinstall -z ZONE [--copy-users ...] [--copy-groups ...] [--elevate-users ...] [--mount-lofs ...]",
			calls:    "zone_info, then zone_giz or zone_diz with state=present",
			options:  []string{optZone, optCopyUsers, optCopyGroups, optElevateUsers, optMountLofs},
			zone:     zoneExisting,
			run:      runSetupPostinstall,
		},
	}}
	for _, s := range []struct{ step, verb, about string }{
		{"clone_zone", "create-diz", "clone a disposable zone from -c GIZ (as create-diz)"},
		{"snapshot_zone", "snapshot", "snapshot the zone (as snapshot)"},
		{"rollback_zone", "rollback", "roll the zone back (as rollback)"},
		{"start_zone", "start", "boot the zone and wait for the multi-user milestone (as start)"},
		{"zone_start_wait_svc", "start", "boot the zone and wait for the multi-user milestone (as start)"},
		{"stop_zone", "stop", "stop the zone (as stop)"},
		{"destroy_zone", "destroy", "destroy the zone (as destroy)"},
		{"verify_zone", "verify", "run zoneadm verify for the zone (as verify)"},
	} {
		steps = append(steps, develStep{name: s.step, about: s.about, verb: verbByWord[s.verb]})
	}
	steps = append(steps, develStep{
		name:  "list_auto_vnics_orphaned",
		about: "print what killed runs left for zonemgr gc, and the look-alikes no journal records (zone_info orphans)",
		verb: &verb{
			name:     "list_auto_vnics_orphaned",
			synopsis: "DEVEL_DEBUG list_auto_vnics_orphaned",
			calls:    "zone_info",
			run:      runListOrphans,
		},
	})
	return steps
}

// develStepNames returns the names DEVEL_DEBUG accepts.
func develStepNames() []string {
	names := []string{"list"}
	for _, s := range develSteps {
		names = append(names, s.name)
	}
	return names
}

// findDevelStep returns the named step.
func findDevelStep(name string) (develStep, bool) {
	for _, s := range develSteps {
		if s.name == name {
			return s, true
		}
	}
	return develStep{}, false
}

// verbColumn renders a verb and its aliases for zonemgr --help.
func verbColumn(v *verb) string {
	return strings.Join(v.words(), ", ")
}
