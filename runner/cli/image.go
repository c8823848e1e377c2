package cli

import (
	"path/filepath"

	"github.com/zonemgr/zonemgr/internal/zone"
)

// absPath makes an image path given on the command line absolute, so
// that the module call names the same file whatever its working directory.
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// runExportGIZ writes a golden zone's snapshot to an image file and
// prints the file's name.
func runExportGIZ(s *session) int {
	r := s.req
	file := absPath(r.str[optImageFile])
	spec := zone.GIZSpec{Name: r.str[optZone], State: "exported", Image: file, Snapshot: r.str[optSnapshot],
		IncrementalFrom: r.str[optIncremental], UpdatePackages: true, Omitted: r.gizOmitted()}
	return s.report(s.giz(spec), func() { s.out.data(file) })
}

// runImportGIZ makes a golden zone from an image file, named -z or, by
// default, as in the image's manifest, and prints the zone's name.
func runImportGIZ(s *session) int {
	r := s.req
	file := absPath(r.str[optImage])
	name := r.str[optZone]
	if name == "" {
		n, err := zone.ImageName(file)
		if err != nil {
			return s.fail("%v", err)
		}
		name = n
	}
	spec := zone.GIZSpec{Name: name, State: "present", Image: file, AttachUpdate: r.on[optAttachUpdate],
		UpdatePackages: true, Omitted: r.gizOmitted()}
	return s.report(s.giz(spec), func() { s.out.data(name) })
}
