package zone

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zfs"
)

// The step builders that several operations share: datasets and
// containers, zone configuration, clones, VNICs, boots and state
// changes, in-zone setup, and a zone's destroy.

// containerSteps creates a missing container dataset with the original
// script's tuning, in one zfs create so a failure leaves nothing half
// tuned, and its missing parents. Containers are zonemgr's standing
// infrastructure, like its state directory: made once, by whichever run
// needs them first, and never removed by an undo or by gc, since other
// runs may be making zones in them at any moment. A creation that finds
// the dataset made by a parallel run meanwhile counts as done.
func (h *Host) containerSteps(ctx context.Context, w *World, name, compression, dedup, mountpoint string) ([]Step, error) {
	if w.Exists(name) {
		return nil, nil
	}
	if err := w.learnAncestors(ctx, h.Runner, name); err != nil {
		return nil, fmt.Errorf("container %s: %w", name, err)
	}
	var steps []Step
	parts := strings.Split(name, "/")
	first := 1 // the nearest existing ancestor (the pool at least)
	for i := len(parts) - 1; i >= 1; i-- {
		if w.Exists(strings.Join(parts[:i], "/")) {
			first = i
			break
		}
	}
	for i := first + 1; i < len(parts); i++ {
		parent := strings.Join(parts[:i], "/")
		steps = append(steps, infraStep("create parent dataset "+parent, parent, []string{"zfs", "create", parent}))
	}
	argv := []string{"zfs", "create", "-o", "atime=off", "-o", "canmount=on", "-o", "com.sun:auto-snapshot=false", "-o", "compression=" + compression, "-o", "dedup=" + dedup}
	if mountpoint != "" {
		argv = append(argv, "-o", "mountpoint="+mountpoint)
	}
	argv = append(argv, name)
	steps = append(steps, infraStep("create container "+name, name, argv))
	return steps, nil
}

// infraStep creates a dataset of zonemgr's infrastructure (see
// containerSteps), which parallel runs may all want at once: one creates
// it; for the others it then exists, which is all they need. It has no
// undo.
func infraStep(why, name string, argv []string) Step {
	return Step{Why: why, Cmd: &illumos.Cmd{Argv: argv}, ExistsOK: name}
}

// containerMountpoint is where a container is (or will be) mounted.
func containerMountpoint(w *World, name, configured string) string {
	if mp := w.Containers[name]; mp != "" {
		return mp
	}
	if configured != "" {
		return configured
	}
	// Inherited: the nearest existing ancestor's mountpoint plus the rest.
	parts := strings.Split(name, "/")
	for i := len(parts) - 1; i >= 1; i-- {
		anc := strings.Join(parts[:i], "/")
		if d, ok := w.Datasets[anc]; ok && strings.HasPrefix(d.Props["mountpoint"], "/") {
			return path.Join(d.Props["mountpoint"], strings.Join(parts[i:], "/"))
		}
	}
	return "/" + name
}

// zonecfgStep configures a zone from a command file read on standard
// input (zonecfg -f -: zonecfg.c cmd_file() reads stdin for "-"), so
// zonecfg stops at the first error instead of committing the commands
// that worked. With run set, the script creates the zone (its
// zonemgr.run attribute is run), and the undo deletes the configuration
// while the zone is still that run's.
func zonecfgStep(why, zone, script, run string) Step {
	s := Step{
		Why:  why,
		Cmd:  &illumos.Cmd{Argv: []string{"zonecfg", "-z", zone, "-f", "-"}, Stdin: []byte(script)},
		Show: "zonecfg -z " + zone + " -f - <<EOF\n\t" + strings.ReplaceAll(strings.TrimRight(script, "\n"), "\n", "\n\t") + "\nEOF",
	}
	if run != "" {
		// zonecfg delete -F deletes the configuration of a zone in any
		// state (illumos-gate zonecfg.c delete_func(): zonecfg_destroy()
		// checks the state only without -F): only a configured zone's
		// is deleted, or an installed zone whose uninstall was kept
		// (see Guard.Independent) would lose its configuration and
		// leave its datasets behind.
		s.Undo = &illumos.Cmd{Argv: []string{"zonecfg", "-z", zone, "delete", "-F"}}
		s.Guard = &Guard{Zone: zone, ZoneRun: run, States: []string{"configured"}}
	}
	return s
}

// delegatedDatasetSteps creates a dataset to delegate (and its missing
// parents), zoned and with a legacy mountpoint. The dataset carries the
// run's id (zonemgr:run), and its undo removes it only while it still
// carries it, no other zone uses it, and it holds nothing zonemgr did not
// make (a child dataset, or a snapshot zonemgr did not take, made
// meanwhile in the global zone), which its zfs destroy -r would take. Missing parents are made as
// "mkdir -p" would, by whichever run needs them first, and stay, like
// the containers (see containerSteps): parallel runs may be making
// datasets in them at any moment.
func (h *Host) delegatedDatasetSteps(ctx context.Context, w *World, name, run string) ([]Step, error) {
	parts := strings.Split(name, "/")
	if err := w.learnAncestors(ctx, h.Runner, name); err != nil {
		return nil, optErr(FieldDatasets, "%s: %w", name, err)
	}
	first := 1
	for i := len(parts) - 1; i >= 1; i-- {
		if w.Exists(strings.Join(parts[:i], "/")) {
			first = i
			break
		}
	}
	var steps []Step
	for i := first + 1; i < len(parts); i++ {
		anc := strings.Join(parts[:i], "/")
		steps = append(steps, infraStep("create parent dataset "+anc, anc, []string{"zfs", "create", anc}))
		w.Datasets[anc] = zfs.Dataset{Name: anc}
	}
	steps = append(steps, Step{
		Why:   "create delegated dataset " + name,
		Cmd:   &illumos.Cmd{Argv: []string{"zfs", "create", "-o", PropRun + "=" + run, "-o", "zoned=on", "-o", "mountpoint=legacy", name}},
		Undo:  &illumos.Cmd{Argv: []string{"zfs", "destroy", "-r", name}},
		Guard: &Guard{Dataset: name, Run: run, Unused: true, Childless: true},
	})
	return steps, nil
}

// vnicStep creates one automatic VNIC with the MAC address the run gives
// it; its undo deletes it while no other zone configures it. Automatic
// VNIC names are the zone's (see VNICBase), the zone's lock is held by
// whoever makes or removes them, and the creation is refused when a VNIC
// of the name exists already (createDIZ). That check comes before the
// step: a VNIC made by hand under the name in between, in a run killed in
// its failing create-vnic, would be taken for the run's by gc, which
// finds the step begun. The guard proves the VNIC the run's by the
// address: the kernel gives a (MAC address, VLAN) on a link to one
// client only (illumos-gate mac_client.c mac_unicast_add(),
// mac_addr_in_use(): "MAC address is already in use"), so a VNIC of the
// name over the link with the run's address is the one the run made.
func vnicStep(name string, v VNICOver, mac string) Step {
	return Step{
		Why:   "create VNIC " + name + " over " + v.Link,
		Cmd:   &illumos.Cmd{Argv: v.createArgs(name, mac)},
		Undo:  &illumos.Cmd{Argv: []string{"dladm", "delete-vnic", name}},
		Guard: &Guard{VNIC: name, Over: v.Link, MAC: mac, Unused: true},
	}
}

// cloneLeftoverStep destroys what a clone killed inside the brand's
// hook leaves of a disposable zone's dataset, after the zone's uninstall
// (see cloneSteps): planned for a zone a clone left incomplete, or
// configured with its dataset still there, and run only while the zone
// is this run's and configured, and the tree is what a clone of the
// golden snapshot the zone records makes and nothing else.
func (h *Host) cloneLeftoverStep(ctx context.Context, w *World, z *Zone) (Step, bool) {
	if z.Role() != "diz" || z.State != "incomplete" && z.State != "configured" {
		return Step{}, false
	}
	ds := h.Settings.DIZContainer + "/" + z.Name
	g := w.Zones[strings.TrimPrefix(z.Attr(AttrOrigin), "giz:")]
	snap := z.Attr(AttrSnapshot)
	if !w.Exists(ds) || g == nil || snap == "" {
		return Step{}, false
	}
	gds, ok := w.ZoneDataset(g)
	if !ok {
		return Step{}, false
	}
	be, err := h.activeBE(ctx, w, gds)
	if err != nil {
		return Step{}, false
	}
	return Step{Why: "destroy what the clone left of " + ds, Cmd: &illumos.Cmd{Argv: []string{"zfs", "destroy", "-r", ds}},
		When: &Guard{Zone: z.Name, ZoneRun: zoneRun(z), States: []string{"configured"}, Dataset: ds, CloneOf: be + "@" + snap, Unused: true, Owner: z.Name, OwnerRun: zoneRun(z)}}, true
}

// cloneSteps clone a golden zone's snapshot into a configured zone. A
// failed clone leaves the zone incomplete, which its undo (uninstall -F)
// clears, while the zone is still this run's. The golden zone's shared
// lock (the plan's "source" lock), held since the world was read, is
// released once the clone ran: the golden zone may be booted again.
//
// A clone killed inside the brand's hook, after its zfs clone and
// before it sets the boot environment's properties (pkg5
// src/brand/ipkg/clone: zfs clone, then zfs set active, parentbe,
// canmount, each its own command), leaves a boot environment that the
// brand's uninstall does not count as the zone's (uninstall: only those
// whose parentbe is the running global zone's), and uninstall -F ends
// with the zone configured and that tree still there. The step before
// the clone runs nothing and carries its undo, run after the uninstall:
// the zone's dataset is destroyed while the zone is still this run's
// and configured, and its tree is what a clone of origin (the golden
// zone's boot environment snapshot) makes and nothing else.
func cloneSteps(zone, run, giz, snap, zoneDS, origin string) []Step {
	clone := Step{
		Why:          "clone " + giz + "@" + snap,
		Cmd:          zoneadm(zone, "clone", "-s", snap, giz),
		Undo:         zoneadm(zone, "uninstall", "-F"),
		Guard:        &Guard{Zone: zone, ZoneRun: run, States: []string{"installed", "incomplete"}, Independent: true},
		UndoIfFailed: true,
		Release:      "source",
	}
	if origin == "" {
		// The golden zone's boot environment is not known: nothing
		// proves a tree left behind the clone's.
		return []Step{clone}
	}
	return []Step{{
		Why:   "(the undo of the clone, should the brand's uninstall leave " + zoneDS + ")",
		Show:  "(" + zoneDS + " destroyed should the brand's uninstall leave it)",
		Undo:  &illumos.Cmd{Argv: []string{"zfs", "destroy", "-r", zoneDS}},
		Guard: &Guard{Zone: zone, ZoneRun: run, States: []string{"configured"}, Dataset: zoneDS, CloneOf: origin, Unused: true},
	}, clone}
}

// setupSteps boot the zone and apply the in-zone setup: a golden
// zone's, which is booted for its packages anyway (a disposable zone's
// identity is written before its first boot instead; see createDIZ).
// The zone is left running.
func (h *Host) setupSteps(zone, zid string, s Setup, acc *accounts, b Boot) []Step {
	steps := h.bootSteps(zone, zid, Boot{Timeout: b.Timeout})
	if acc == nil {
		acc = &accounts{}
	}
	steps = append(steps, Step{
		Why: "set up the zone (node name, accounts, automounts)",
		Cmd: &illumos.Cmd{Argv: []string{"zlogin", "-S", zone, "/bin/sh -s"}, Stdin: []byte(setupScript(s, acc)), ZoneStatus: true},
	})
	return steps
}

// isBootStep reports whether s is a zoneadm boot (bootSteps).
func isBootStep(s Step) bool {
	return s.Cmd != nil && len(s.Cmd.Argv) > 3 && s.Cmd.Argv[0] == "zoneadm" && s.Cmd.Argv[3] == "boot"
}

// booted reports whether steps boot a zone and wait for its multi-user
// milestone.
func booted(steps []Step) bool {
	return slices.ContainsFunc(steps, func(s Step) bool { return s.Wait != nil && s.Wait.Milestone == MilestoneMultiUser })
}

// withServices follows the steps that bring a zone to its state with
// the enabling of the zone's services (servicesStep) when they boot it
// to its multi-user milestone. When they boot it without waiting for
// that milestone (no wait, single-user), the services are not enabled
// now, and the outcome warns that a start that waits for multi-user
// enables them.
func withServices(zone string, boot []Step, services []string, out *Outcome) []Step {
	switch {
	case len(services) == 0:
		return boot
	case booted(boot):
		return append(boot, servicesStep(zone, services)...)
	case slices.ContainsFunc(boot, isBootStep):
		out.Warnings = append(out.Warnings, fmt.Sprintf("zone %s boots without waiting for its multi-user milestone, so %s is not enabled in it yet: a start that waits for multi-user enables it", zone, strings.Join(services, ", ")))
	}
	return boot
}

// servicesStep enables, in a zone just booted to its multi-user
// milestone, the services it was made to need (AttrServices): the
// automounter, which reads the automount maps written before the boot,
// and the LDAP client. SMF's repository changes only through the zone's
// own svc.configd, which runs only in a booted zone (a scratch zone has
// none), so this is done only when zonemgr boots the zone anyway: at its
// creation, or when zonemgr starts it later, in one zlogin and never
// with a boot of its own. svcadm enable -r also enables what the
// service depends on; it persists, and changes nothing for a service
// already enabled. The automounter needs it only where the golden zone
// disabled it: illumos's default profile enables it with what it
// requires (usr/src/cmd/svc/profile/generic_limited_net.xml:
// system/filesystem/autofs, rpc/bind; usr/src/cmd/fs.d/autofs/autofs.xml
// needs nfs/client only optionally), so it starts at the first boot and
// reads the maps then, whoever boots the zone. No profile enables the
// LDAP client.
func servicesStep(zone string, services []string) []Step {
	return []Step{{
		Why: "enable " + strings.Join(services, ", "),
		Cmd: &illumos.Cmd{Argv: append([]string{"zlogin", "-S", zone, "svcadm", "enable", "-r"}, services...), ZoneStatus: true},
	}}
}

// setupWhat names what a disposable zone's identity holds, for a plan.
func setupWhat(s Setup, ldap bool) []string {
	out := []string{"node name", "hosts"}
	if len(s.CopyUsers)+len(s.CopyGroups) > 0 {
		out = append(out, "accounts")
	}
	if len(s.ElevateUsers) > 0 {
		out = append(out, "elevated users")
	}
	if len(s.AutoNFS) > 0 {
		out = append(out, "automount maps")
	}
	if ldap {
		out = append(out, "LDAP client")
	}
	return out
}

// stateSteps move a zone from one state to the state a spec asks for.
// "restarted" halts a zone in the kernel and boots it again. zid is the
// zone's identity (see zoneRun), which the undo commands' guards check.
func (h *Host) stateSteps(zone, zid, from, want string, b Boot) []Step {
	if want == "restarted" {
		var steps []Step
		switch from {
		case "running", "ready", "shutting_down", "down":
			steps = append(steps, Step{Why: "halt the zone", Cmd: zoneadm(zone, "halt")})
		case "mounted":
			steps = append(steps, Step{Why: "unmount the zone", Cmd: zoneadm(zone, "unmount")})
		}
		return append(steps, h.bootSteps(zone, zid, b)...)
	}
	want = finalState(want)
	switch want {
	case "", from:
		return nil
	case "installed":
		switch from {
		case "running", "ready", "shutting_down", "down":
			return []Step{{Why: "halt the zone", Cmd: zoneadm(zone, "halt")}}
		case "mounted":
			return []Step{{Why: "unmount the zone", Cmd: zoneadm(zone, "unmount")}}
		}
	case "running":
		var steps []Step
		if from == "mounted" {
			steps = append(steps, Step{Why: "unmount the zone", Cmd: zoneadm(zone, "unmount")})
		}
		return append(steps, h.bootSteps(zone, zid, b)...)
	case "ready":
		var steps []Step
		switch from {
		case "mounted":
			steps = append(steps, Step{Why: "unmount the zone", Cmd: zoneadm(zone, "unmount")})
		case "running", "shutting_down", "down":
			steps = append(steps, Step{Why: "halt the zone", Cmd: zoneadm(zone, "halt")})
		}
		return append(steps, Step{Why: "ready the zone", Cmd: zoneadm(zone, "ready"), Undo: zoneadm(zone, "halt"),
			Guard: &Guard{Zone: zone, ZoneRun: zid, States: []string{"ready"}}})
	case "mounted":
		var steps []Step
		if from != "installed" {
			steps = append(steps, Step{Why: "halt the zone", Cmd: zoneadm(zone, "halt")})
		}
		return append(steps, Step{Why: "mount the zone", Cmd: zoneadm(zone, "mount"), Undo: zoneadm(zone, "unmount"),
			Guard: &Guard{Zone: zone, ZoneRun: zid, States: []string{"mounted"}}})
	}
	return nil
}

// destroySteps remove a managed zone and what zonemgr made for it: halt,
// uninstall (which destroys its datasets and the clone's origin snapshot
// when nothing else uses it), its automatic VNICs and the delegated
// datasets zonemgr created — nothing else — and last the configuration,
// which names them. The steps have no undo: a failed destroy is repeated,
// and finds what is left through the configuration.
func (h *Host) destroySteps(ctx context.Context, w *World, z *Zone) ([]Step, error) {
	var steps []Step
	switch z.State {
	case "running", "ready", "shutting_down", "down":
		steps = append(steps, Step{Why: "halt the zone", Cmd: zoneadm(z.Name, "halt")})
	case "mounted":
		steps = append(steps, Step{Why: "unmount the zone", Cmd: zoneadm(z.Name, "unmount")})
	}
	if z.Role() == "giz" {
		// Release zonemgr's holds, or the uninstall cannot destroy the
		// snapshots. A destroy that fails, or a killed eviction that gc
		// then keeps, puts the holds back on the snapshots still there
		// (the undo) while the zone is not uninstalled, so that no
		// disposable zone's uninstall can take them.
		if ds, ok := w.ZoneDataset(z); ok {
			for _, s := range w.Snapshots(ds) {
				if held(w, s.Name) {
					steps = append(steps, Step{Why: "release " + s.Name, Cmd: &illumos.Cmd{Argv: []string{"zfs", "release", "-r", HoldTag, s.Name}},
						Undo: &illumos.Cmd{Argv: []string{"zfs", "hold", "-r", HoldTag, s.Name}},
						Guard: &Guard{Zone: z.Name, ZoneRun: zoneRun(z), States: append([]string{"installed", "incomplete", "mounted"}, kernelStates...),
							Dataset: s.Name, Unheld: HoldTag}})
				}
			}
		}
	}
	if z.State != "configured" {
		steps = append(steps, Step{Why: "uninstall the zone", Cmd: zoneadm(z.Name, "uninstall", "-F")})
	}
	if s, ok := h.cloneLeftoverStep(ctx, w, z); ok {
		steps = append(steps, s)
	}
	autos := parseAutoVNICs(z.Attr(AttrAutoVNIC))
	if len(autos) > 0 {
		existing, err := h.vnics(ctx)
		if err != nil {
			return nil, err
		}
		for _, v := range autos {
			if !strings.HasPrefix(v.Name, "autodiz") && !strings.HasPrefix(v.Name, "autogiz") {
				continue // not a name zonemgr gives: never ours to delete
			}
			if _, ok := existing[v.Name]; ok {
				// Deleted only while no other zone is configured
				// with it, as the undo of its creation (vnicStep).
				steps = append(steps, Step{Why: "delete VNIC " + v.Name, Cmd: &illumos.Cmd{Argv: []string{"dladm", "delete-vnic", v.Name}},
					When: &Guard{VNIC: v.Name, Unused: true, Owner: z.Name, OwnerRun: zoneRun(z)}})
			}
		}
	}
	// The delegated datasets zonemgr made for the zone go with it, but
	// only while they are still the zone's: made by the run that made
	// the zone (for zones made before runs had ids, the zone's own
	// record is all there is), used by no other zone, and holding nothing
	// zfs destroy -r would take that zonemgr cannot prove is its own: no
	// child dataset (one made in the zone cannot be told from one made
	// in the global zone), no snapshot zonemgr did not take. A dataset
	// that fails this is kept, and the outcome says why. That is checked
	// again just before each is destroyed, under its lock.
	zid := zoneRun(z)
	for _, d := range strings.Fields(z.Attr(AttrDatasets)) {
		if w.Exists(d) || !w.listed(d) {
			st := zfsDestroyStep("destroy delegated dataset "+d, d, true)
			st.When = &Guard{Dataset: d, Unused: true, Childless: true, Owner: z.Name, OwnerRun: zid}
			if z.Attr(AttrRun) != "" {
				st.When.Run = zid
			}
			steps = append(steps, st)
		}
	}
	steps = append(steps, Step{Why: "delete the configuration", Cmd: &illumos.Cmd{Argv: []string{"zonecfg", "-z", z.Name, "delete", "-F"}}})
	return steps, nil
}

// finalState is the zoneadm state a spec state leads to.
func finalState(s string) string {
	switch s {
	case "present", "stopped":
		return "installed"
	}
	return s
}

// checkOurs refuses a zone zonemgr does not manage, or one of the other role.
func checkOurs(z *Zone, role string) error {
	if !z.Managed() {
		return fmt.Errorf("zone %s exists and is not managed by zonemgr (it has no zonemgr.* attributes); refusing to touch it", z.Name)
	}
	if r := z.Role(); r != role {
		what := map[string]string{"giz": "a golden-image zone (GIZ)", "diz": "a disposable zone (DIZ)"}[r]
		if what == "" {
			what = fmt.Sprintf("a zone of role %q", r)
		}
		return fmt.Errorf("zone %s is %s, not %s", z.Name, what, map[string]string{"giz": "a golden-image zone", "diz": "a disposable zone"}[role])
	}
	return nil
}

// uninstallLeaves names the datasets the brand's uninstall will leave of
// a zone: it destroys only the boot environments under ROOT whose
// parent is the global zone's current boot environment, and ROOT and the
// zonepath dataset only once nothing else is under them, and exits 0
// all the same (pkg5 src/brand/ipkg/uninstall: the fs_all loop on
// $PROP_PARENT; illumos-gate usr/src/lib/brand/shared/zone/uninstall.ksh
// destroy_zone_datasets()). A golden zone that lived through an update
// of the global zone keeps the boot environment it had before. zonemgr
// does not destroy those: they are the other global-zone boot
// environment's. The global zone's boot environment is looked up only
// when the zone has more than one, or datasets besides ROOT.
func (h *Host) uninstallLeaves(ctx context.Context, w *World, z *Zone) ([]string, error) {
	ds, ok := w.ZoneDataset(z)
	if !ok {
		return nil, nil
	}
	var bes, others []string
	for _, c := range w.children(ds) {
		if c != ds+"/ROOT" {
			others = append(others, c)
		}
	}
	bes = w.children(ds + "/ROOT")
	if len(bes) < 2 && len(others) == 0 {
		return nil, nil
	}
	gzbe, err := h.globalBE(ctx, strings.SplitN(ds, "/", 2)[0])
	if err != nil {
		return nil, fmt.Errorf("zone %s: %w", z.Name, err)
	}
	var left []string
	for _, be := range bes {
		if w.Datasets[be].Value(propBEParent) != gzbe {
			left = append(left, be+" (a boot environment of another global-zone boot environment)")
		}
	}
	for _, o := range others {
		left = append(left, o+" (no boot environment)")
	}
	return left, nil
}

// warnUninstallLeaves adds to an outcome what the brand's uninstall of
// zone z will leave (see uninstallLeaves).
func (h *Host) warnUninstallLeaves(ctx context.Context, w *World, z *Zone, out *Outcome) error {
	left, err := h.uninstallLeaves(ctx, w, z)
	if err != nil || len(left) == 0 {
		return err
	}
	ds, _ := w.ZoneDataset(z)
	out.Warnings = append(out.Warnings, fmt.Sprintf("zone %s: the brand's uninstall leaves %s, and so %s itself: zonemgr does not destroy them; look at them with zfs list -r %s",
		z.Name, strings.Join(left, ", "), ds, ds))
	return nil
}
