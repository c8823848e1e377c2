package cli

import (
	"path/filepath"

	"github.com/zonemgr/zonemgr/modules"
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
	args := map[string]any{"name": r.str[optZone], "state": "exported", "image": file}
	r.put(args, "snapshot", optSnapshot)
	r.put(args, "incremental_from", optIncremental)
	return s.callReport("zone_giz", args, r.on[optDryRun], func(callResult) { s.out.data(file) })
}

// runImportGIZ makes a golden zone from an image file, named -z or, by
// default, as in the image's manifest, and prints the zone's name.
func runImportGIZ(s *session) int {
	r := s.req
	file := absPath(r.str[optImage])
	name := r.str[optZone]
	if name == "" {
		n, err := modules.ImageZoneName(file)
		if err != nil {
			return s.fail("%v", err)
		}
		name = n
	}
	args := map[string]any{"name": name, "state": "present", "image": file}
	if r.on[optAttachUpdate] {
		args["attach_update"] = true
	}
	return s.callReport("zone_giz", args, r.on[optDryRun], func(callResult) { s.out.data(name) })
}
