package modules

import (
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/go-multierror"
	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/zone"
)

// optionNames are the modules' option names for the engine's fields.
// zone_snapshot names the snapshot "name" (see snapshotNames).
var optionNames = map[zone.Field]string{
	zone.FieldName: "name", zone.FieldState: "state", zone.FieldGIZ: "giz", zone.FieldSource: "source",
	zone.FieldSnapshot: "snapshot", zone.FieldBrand: "brand", zone.FieldTemplate: "template",
	zone.FieldLofs: "mount_lofs", zone.FieldAutoNFS: "mount_autonfs", zone.FieldDatasets: "delegate_datasets",
	zone.FieldVNICs: "add_vnics", zone.FieldVNICsOver: "add_vnics_over", zone.FieldCopyUsers: "copy_users",
	zone.FieldCopyGroups: "copy_groups", zone.FieldElevateUsers: "elevate_users",
	zone.FieldCappedMemory: "capped_memory", zone.FieldCappedCPU: "capped_cpu", zone.FieldBootTimeout: "boot_timeout",
	zone.FieldRecreate: "recreate", zone.FieldForce: "force", zone.FieldAddPackages: "add_packages",
	zone.FieldRemovePackages: "remove_packages", zone.FieldAddPublishers: "add_publishers",
	zone.FieldRemovePublishers: "remove_publishers", zone.FieldUpdatePackages: "update_packages",
	zone.FieldImage: "image", zone.FieldIncrementalFrom: "incremental_from", zone.FieldAttachUpdate: "attach_update",
	zone.FieldArchive: "archive", zone.FieldLDAPClient: "ldap_client", zone.FieldCmd: "cmd", zone.FieldZone: "zone",
	zone.FieldUser: "user", zone.FieldChdir: "chdir", zone.FieldEnv: "env", zone.FieldTimeout: "timeout",
	zone.FieldDiscard: "discard", zone.FieldLog: "log", zone.FieldOKRCs: "ok_rcs", zone.FieldOutputLimit: "output_limit",
	zone.FieldRole: "role", zone.FieldPackages: "packages", zone.FieldUnusedGoldens: "unused_goldens",
}

// namer phrases the engine's fields as a module's options: a field by
// its option's name, a switch turned on as "option: true".
func namer(module string) *zone.Namer {
	name := func(f zone.Field) string {
		if module == "zone_snapshot" && f == zone.FieldSnapshot {
			return "name"
		}
		if n, ok := optionNames[f]; ok {
			return n
		}
		return f.String()
	}
	return &zone.Namer{Name: name, Enable: func(f zone.Field) string { return name(f) + ": true" }}
}

// phrased returns err with the engine's fields named as module's options;
// nil stays nil.
func phrased(err error, module string) error {
	if err == nil {
		return nil
	}
	return errors.New(zone.Phrase(err, namer(module)))
}

// omitted returns the fields among fs whose options the task left out.
func omitted(p *ansible.Params, fs ...zone.Field) zone.Fields {
	var out []zone.Field
	for _, f := range fs {
		if !p.IsSet(optionNames[f]) {
			out = append(out, f)
		}
	}
	return zone.FieldSet(out...)
}

// maxSeconds bounds the options given in seconds (timeout,
// boot_timeout): 366 days, far below what a time.Duration holds.
const maxSeconds = 366 * 24 * 60 * 60

// maxOutputKiB bounds output_limit: the KiB of each stream a result
// keeps in memory, 1 GiB.
const maxOutputKiB = 1 << 20

// seconds reads an int option given in seconds as a duration, refusing
// a negative value and one past maxSeconds (which would overflow into
// another duration).
func seconds(p *ansible.Params, name string) (time.Duration, error) {
	n := p.Int(name)
	if n < 0 || n > maxSeconds {
		return 0, fmt.Errorf("%s: %d is out of range: give 0 to %d seconds (366 days)", name, n, maxSeconds)
	}
	return time.Duration(n) * time.Second, nil
}

// nonEmpty refuses the string options given as "": an empty value (an
// unset variable in a playbook) is not a left-out option, whose default
// may be root or another snapshot.
func nonEmpty(p *ansible.Params, names ...string) error {
	var errs *multierror.Error
	for _, n := range names {
		if p.IsSet(n) && p.Raw(n) == "" {
			errs = multierror.Append(errs, fmt.Errorf("%s: the value is empty; leave %s out for its default", n, n))
		}
	}
	return errs.ErrorOrNil()
}
