package cli

import "github.com/zonemgr/zonemgr/internal/zone"

// fieldOptions are the options that set the engine's fields; a field no
// option sets (a memory cap, a boot timeout) keeps the engine's words.
var fieldOptions = map[zone.Field]string{
	zone.FieldName: optZone, zone.FieldZone: optZone, zone.FieldGIZ: optOrigin, zone.FieldSource: optOrigin,
	zone.FieldSnapshot: optSnapshot, zone.FieldBrand: optBrand, zone.FieldTemplate: optTemplate,
	zone.FieldLofs: optMountLofs, zone.FieldAutoNFS: optMountAutoNFS, zone.FieldDatasets: optDelegate,
	zone.FieldVNICs: optVNICs, zone.FieldVNICsOver: optVNICsOver, zone.FieldCopyUsers: optCopyUsers,
	zone.FieldCopyGroups: optCopyGroups, zone.FieldElevateUsers: optElevateUsers,
	zone.FieldForce: optForce, zone.FieldAddPackages: optAddPackages, zone.FieldRemovePackages: optDelPackages,
	zone.FieldAddPublishers: optAddPublishers, zone.FieldRemovePublishers: optDelPublishers,
	zone.FieldIncrementalFrom: optIncremental, zone.FieldAttachUpdate: optAttachUpdate, zone.FieldArchive: optArchive,
	zone.FieldLDAPClient: optLDAPClient, zone.FieldCmd: optExecCmd, zone.FieldUser: optExecUser,
	zone.FieldDiscard: optExecDiscard, zone.FieldPackages: optAddPackages, zone.FieldUnusedGoldens: optUnusedGoldens,
}

// flagNamer phrases the engine's fields as the flags a user of verb
// typed: "-c", "--add-vnic-over"; a switch is turned on by its flag. The
// image file is -o for export-giz and -i for import-giz.
func flagNamer(verb string) *zone.Namer {
	name := func(f zone.Field) string {
		opt, ok := fieldOptions[f]
		if f == zone.FieldImage {
			opt, ok = optImage, true
			if verb == "export-giz" {
				opt = optImageFile
			}
		}
		if !ok {
			return f.String()
		}
		return optionByName[opt].flagName()
	}
	return &zone.Namer{Name: name, Enable: name}
}
