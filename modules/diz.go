package modules

import (
	"context"
	"errors"
	"strings"

	"github.com/hashicorp/go-multierror"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/textio"
	"github.com/zonemgr/zonemgr/internal/zone"
)

// dizOptions are zone_diz's options; zone_exec accepts them too, under the
// same names, for the disposable zone it runs a command in.
var dizOptions = []ansible.Option{
	{Name: "giz", Aliases: []string{"origin", "clone"}, Description: "The golden-image zone to clone. To create the zone, give giz, packages, or both (see packages)."},
	{Name: "packages", Type: ansible.TypeList, Elements: ansible.TypeStr, Description: "Packages (names or FMRIs; \"@FILE\" reads a file of them, one or more per line, '#' comments) that name the zone's golden zone by content: without giz, the golden zone holding exactly these packages, found or built on demand (named GIZ_NAME_PREFIX and a hash of its content); with a giz that does not exist, that golden zone built from them (the user's, never evicted); with an existing giz, the golden zone derived from it with these packages added (a clone of its snapshot, named by content). Concurrent requests build a golden zone once; packages the global zone's publishers do not know are refused before anything is made. Golden zones built on demand and named by their content are evicted by zone_gc's unused_goldens, until zone_giz names one."},
	{Name: "snapshot", Aliases: []string{"snapname"}, Description: "The golden zone's snapshot to clone (the part after '@'). Default: its newest zonemgr snapshot."},
	{Name: "mount_lofs", Type: ansible.TypeList, Elements: ansible.TypeStr, Description: "Global-zone directories to mount by lofs, each \"zonepath[|gzpath[|ro|rw]]\" (gzpath defaults to zonepath; rw by default)."},
	{Name: "mount_autonfs", Type: ansible.TypeList, Elements: ansible.TypeStr, Description: "NFS automounts inside the zone, each \"zonepath|server:/path\" (a direct-map entry; autofs is enabled)."},
	{Name: "delegate_datasets", Type: ansible.TypeList, Elements: ansible.TypeStr, Description: "ZFS datasets to delegate to the zone. Missing ones are created (zoned=on, mountpoint=legacy) and destroyed with the zone; existing ones are only delegated."},
	{Name: "add_vnics", Aliases: []string{"use_vnics"}, Type: ansible.TypeList, Elements: ansible.TypeStr, Description: "Existing VNICs to give the zone (exclusive IP)."},
	{Name: "add_vnics_over", Aliases: []string{"auto_vnics"}, Type: ansible.TypeList, Elements: ansible.TypeStr, Description: "VNICs to create for the zone, each \"LINK[|VLAN[|MAC]]\" (without a MAC, a random one with dladm's prefix 2:8:20); deleted when the zone is destroyed."},
	{Name: "copy_users", Type: ansible.TypeList, Elements: ansible.TypeStr, Description: "Global-zone users whose passwd and shadow lines are copied into the zone (replaced, never duplicated)."},
	{Name: "copy_groups", Type: ansible.TypeList, Elements: ansible.TypeStr, Description: "Global-zone groups whose group lines are copied into the zone."},
	{Name: "elevate_users", Type: ansible.TypeList, Elements: ansible.TypeStr, Description: "Users given full privileges in the zone (sudoers.d and user_attr entries, never duplicated)."},
	{Name: "ldap_client", Type: ansible.TypeBool, Default: false, Description: "For a new zone: copy the global zone's LDAP client configuration (/var/ldap/ldap_client_file and ldap_client_cred with their modes, /etc/nsswitch.conf) into the zone and enable svc:/network/ldap/client, so directory users exist in the zone. Refused when the global zone has none."},
	{Name: "capped_memory", Description: "Physical memory cap, such as 2G."},
	{Name: "capped_cpu", Description: "CPU cap in CPUs, such as 1.5."},
	{Name: "boot_timeout", Type: ansible.TypeInt, Description: "Seconds to wait for the multi-user milestone after a boot. Default: BOOT_TIMEOUT (300)."},
	{Name: "wait", Type: ansible.TypeBool, Default: true, Description: "After a boot, wait for the milestone (multi-user, or single-user with single_user)."},
	{Name: "single_user", Type: ansible.TypeBool, Default: false, Description: "Boot to single-user mode (zoneadm boot -s) for states running and restarted."},
}

// ZoneDIZ returns the zone_diz module: disposable zones cloned from a golden zone.
func ZoneDIZ() *Definition {
	return &Definition{
		Spec: ansible.Spec{
			Module:      "zone_diz",
			Description: "Disposable-image zones (DIZ): ZFS clones of a golden-image zone's snapshot, with their own mounts, datasets, VNICs and accounts.",
			Options: append([]ansible.Option{
				{Name: "name", Aliases: []string{"zone"}, Description: "Zone name. Generated (prefix, spec hash, unique suffix) when omitted, and returned as name."},
				{Name: "state", Default: "present", Choices: zone.DIZStates, Description: "present: exists (installed or in any run state); running: booted and at the multi-user milestone; stopped: installed and halted; ready; mounted; restarted: halted if needed and booted again; absent: destroyed with the VNICs and datasets zonemgr made for it."},
				{Name: "recreate", Type: ansible.TypeBool, Default: false, Description: "Allow destroying and re-creating the zone when the spec changed in a way illumos cannot apply in place."},
			}, dizOptions...),
			SupportsCheckMode: true,
		},
		run: func(ctx context.Context, c *Caller, p *ansible.Params) (*ansible.Result, error) {
			spec, err := dizSpec(p)
			if err != nil {
				return nil, phrased(err, "zone_diz")
			}
			return c.DIZ(ctx, mode(p), spec).Result(nil)
		},
	}
}

// dizSpec reads the zone_diz options of params into an engine spec.
func dizSpec(p *ansible.Params) (zone.DIZSpec, error) {
	if err := nonEmpty(p, "giz", "snapshot"); err != nil {
		return zone.DIZSpec{}, err
	}
	bootTimeout, err := seconds(p, "boot_timeout")
	if err != nil {
		return zone.DIZSpec{}, err
	}
	pkgs, err := zone.ReadPackageArgs(p.List("packages"), textio.ReadFile)
	if err != nil {
		return zone.DIZSpec{}, err
	}
	s := zone.DIZSpec{
		Name:         p.Str("name"),
		GIZ:          p.Str("giz"),
		Snapshot:     p.Str("snapshot"),
		State:        p.Str("state"),
		Datasets:     p.List("delegate_datasets"),
		VNICs:        words(p.List("add_vnics")),
		CopyUsers:    words(p.List("copy_users")),
		CopyGroups:   words(p.List("copy_groups")),
		ElevateUsers: words(p.List("elevate_users")),
		CappedMemory: p.Str("capped_memory"),
		CappedCPU:    p.Str("capped_cpu"),
		BootTimeout:  bootTimeout,
		NoWait:       !p.Bool("wait"),
		SingleUser:   p.Bool("single_user"),
		Recreate:     p.Bool("recreate"),
		LDAPClient:   p.Bool("ldap_client"),
		Packages:     pkgs,
		Omitted: omitted(p, zone.FieldLofs, zone.FieldAutoNFS, zone.FieldDatasets, zone.FieldVNICs, zone.FieldVNICsOver,
			zone.FieldCopyUsers, zone.FieldCopyGroups, zone.FieldElevateUsers, zone.FieldCappedMemory, zone.FieldCappedCPU),
	}
	var errs error
	if p.IsSet("name") && p.Raw("name") == "" {
		errs = multierror.Append(errs, errors.New("name: the zone name is empty; omit name to have one generated, or give 1 to 63 letters, digits, '_', '.' and '-'"))
	}
	for _, m := range p.List("mount_lofs") {
		l, err := zone.ParseLofs(m)
		if err != nil {
			errs = multierror.Append(errs, err)
			continue
		}
		s.Lofs = append(s.Lofs, l)
	}
	for _, m := range p.List("mount_autonfs") {
		a, err := zone.ParseAutoNFS(m)
		if err != nil {
			errs = multierror.Append(errs, err)
			continue
		}
		s.AutoNFS = append(s.AutoNFS, a)
	}
	for _, v := range words(p.List("add_vnics_over")) {
		o, err := zone.ParseVNICOver(v)
		if err != nil {
			errs = multierror.Append(errs, err)
			continue
		}
		s.VNICsOver = append(s.VNICsOver, o)
	}
	return s, zone.OneLine(errs)
}

// words splits each element on white space, so that the CLI's
// "jenkins jim" and a YAML list mean the same.
func words(in []string) []string {
	var out []string
	for _, s := range in {
		out = append(out, strings.Fields(s)...)
	}
	return out
}
