package modules

import (
	"context"
	"errors"

	"github.com/hashicorp/go-multierror"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/zone"
)

// ZoneGIZ returns the zone_giz module: golden-image zones.
func ZoneGIZ() *Definition {
	return &Definition{
		Spec: ansible.Spec{
			Module:            "zone_giz",
			Description:       "Golden-image zones (GIZ): installed, set up and snapshotted once, then cloned into disposable zones.",
			Options:           gizOptions,
			MutuallyExclusive: [][]string{{"source", "brand"}, {"source", "template"}},
			SupportsCheckMode: true,
		},
		run: func(ctx context.Context, c *Caller, p *ansible.Params) (*ansible.Result, error) {
			spec, err := gizSpec(p)
			if err != nil {
				return nil, phrased(err, "zone_giz")
			}
			return c.GIZ(ctx, mode(p), spec).Result(nil)
		},
	}
}

// gizOptions are zone_giz's options.
var gizOptions = []ansible.Option{
	{Name: "name", Aliases: []string{"zone"}, Description: "Zone name. Required but for state=present: without it the golden zone is named by its content (GIZ_NAME_PREFIX and a hash of its brand or template, publishers, sorted and de-duplicated add_packages, and source with its snapshot), recorded on the zone, so that the same content in any order finds the same zone (changed: false) and concurrent requests build it once."},
	{Name: "state", Default: "present", Choices: zone.GIZStates, Description: "present: exists (created with its initial snapshots if missing; with image, imported from the image file); running; stopped; ready; mounted; restarted; updated: publishers refreshed, add/remove_packages applied and packages updated, a new snapshot taken only when something changed; absent: destroyed (refused while disposable zones depend on it, unless force); exported: its snapshot written to the image file (a zfs replication stream with a JSON manifest)."},
	{Name: "brand", Description: "Zone brand for a zone created from scratch (create -b; set brand). Default: the template's brand."},
	{Name: "template", Description: "zonecfg template for a zone created from scratch. Default: TEMPLATE_GIZ (SUNWipkg)."},
	{Name: "source", Aliases: []string{"origin"}, Description: "Another golden zone to clone instead of installing from a repository."},
	{Name: "snapshot", Aliases: []string{"snapname"}, Description: "The snapshot of source to clone, or with state=exported the snapshot to export. Default: the newest zonemgr snapshot."},
	{Name: "image", Type: ansible.TypePath, Description: "An image file: written with state=exported, imported with state=present (its checksum verified first; an incremental image applies only onto its exact base snapshot; importing the same image again changes nothing)."},
	{Name: "incremental_from", Description: "With state=exported: export only the changes since this snapshot of the zone."},
	{Name: "attach_update", Type: ansible.TypeBool, Default: false, Description: "With image: attach the imported zone with zoneadm attach -u (update its packages to the global zone's)."},
	{Name: "archive", Type: ansible.TypePath, Description: "Install a new zone from this archive in the global zone (zoneadm install -a) instead of from the package repository."},
	{Name: "ldap_client", Type: ansible.TypeBool, Default: false, Description: "Copy the global zone's LDAP client configuration (/var/ldap/ldap_client_file and ldap_client_cred with their modes, /etc/nsswitch.conf) into the zone and enable svc:/network/ldap/client. Refused when the global zone has none."},
	{Name: "add_publishers", Type: ansible.TypeList, Elements: ansible.TypeStr, Description: "IPS publishers to add, each \"name|origin-url\"."},
	{Name: "remove_publishers", Type: ansible.TypeList, Elements: ansible.TypeStr, Description: "IPS publishers to remove."},
	{Name: "add_packages", Type: ansible.TypeList, Elements: ansible.TypeStr, Description: "Packages to install."},
	{Name: "remove_packages", Type: ansible.TypeList, Elements: ansible.TypeStr, Description: "Packages to uninstall."},
	{Name: "copy_users", Type: ansible.TypeList, Elements: ansible.TypeStr, Description: "Global-zone users copied into the zone."},
	{Name: "copy_groups", Type: ansible.TypeList, Elements: ansible.TypeStr, Description: "Global-zone groups copied into the zone."},
	{Name: "elevate_users", Type: ansible.TypeList, Elements: ansible.TypeStr, Description: "Users given full privileges in the zone."},
	{Name: "mount_lofs", Type: ansible.TypeList, Elements: ansible.TypeStr, Description: "lofs mounts, each \"zonepath[|gzpath[|ro|rw]]\". With image: the image's own mounts to keep, each named exactly; an image's mount not named is refused."},
	{Name: "force", Type: ansible.TypeBool, Default: false, Description: "With state=absent: destroy even while disposable zones depend on it (they are kept: uninstall promotes them)."},
	{Name: "boot_timeout", Type: ansible.TypeInt, Description: "Seconds to wait for the multi-user milestone after a boot. Default: BOOT_TIMEOUT (300)."},
	{Name: "wait", Type: ansible.TypeBool, Default: true, Description: "After a boot, wait for the milestone (multi-user, or single-user with single_user)."},
	{Name: "single_user", Type: ansible.TypeBool, Default: false, Description: "Boot to single-user mode (zoneadm boot -s) for states running and restarted."},
	{Name: "update_packages", Type: ansible.TypeBool, Default: true, Description: "With state=updated: run pkg update. When false, only refresh the publishers and apply add/remove_publishers and add/remove_packages."},
}

func gizSpec(p *ansible.Params) (zone.GIZSpec, error) {
	if err := nonEmpty(p, "template", "source", "snapshot", "image", "incremental_from", "archive"); err != nil {
		return zone.GIZSpec{}, err
	}
	bootTimeout, err := seconds(p, "boot_timeout")
	if err != nil {
		return zone.GIZSpec{}, err
	}
	s := zone.GIZSpec{
		Name:             p.Str("name"),
		State:            p.Str("state"),
		Brand:            p.Str("brand"),
		Template:         p.Str("template"),
		Source:           p.Str("source"),
		Snapshot:         p.Str("snapshot"),
		RemovePublishers: words(p.List("remove_publishers")),
		AddPackages:      words(p.List("add_packages")),
		RemovePackages:   words(p.List("remove_packages")),
		CopyUsers:        words(p.List("copy_users")),
		CopyGroups:       words(p.List("copy_groups")),
		ElevateUsers:     words(p.List("elevate_users")),
		Force:            p.Bool("force"),
		BootTimeout:      bootTimeout,
		NoWait:           !p.Bool("wait"),
		SingleUser:       p.Bool("single_user"),
		UpdatePackages:   p.Bool("update_packages"),
		Image:            p.Str("image"),
		IncrementalFrom:  p.Str("incremental_from"),
		AttachUpdate:     p.Bool("attach_update"),
		Archive:          p.Str("archive"),
		LDAPClient:       p.Bool("ldap_client"),
		Omitted: omitted(p, zone.FieldLofs, zone.FieldCopyUsers, zone.FieldCopyGroups, zone.FieldElevateUsers,
			zone.FieldAddPackages, zone.FieldRemovePackages, zone.FieldAddPublishers, zone.FieldRemovePublishers),
	}
	var errs error
	if p.IsSet("name") && p.Raw("name") == "" {
		errs = multierror.Append(errs, errors.New("name: the zone name is empty; omit name to have the golden zone named by its content, or give 1 to 63 letters, digits, '_', '.' and '-'"))
	}
	for _, v := range words(p.List("add_publishers")) {
		pub, err := zone.ParsePublisher(v)
		if err != nil {
			errs = multierror.Append(errs, err)
			continue
		}
		s.AddPublishers = append(s.AddPublishers, pub)
	}
	for _, m := range p.List("mount_lofs") {
		l, err := zone.ParseLofs(m)
		if err != nil {
			errs = multierror.Append(errs, err)
			continue
		}
		s.Lofs = append(s.Lofs, l)
	}
	return s, zone.OneLine(errs)
}

// ImageZoneName returns the zone name an image file's manifest records,
// the name an import uses when none is given.
func ImageZoneName(file string) (string, error) { return zone.ImageName(file) }
