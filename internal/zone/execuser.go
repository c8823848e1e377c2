package zone

import (
	"errors"
	"io/fs"
	"path"
	"slices"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zoneroot"
)

// checkZoneUser refuses an exec user that the zone's own /etc/passwd does
// not list, before anything is booted or cloned: zlogin -l would only fail
// after the zone was made to run. The zone's root is hostile: its
// passwd is read inside the root, never through a link out of it, only
// as a regular file and bounded (see zoneroot); one that is not is an
// error. A zone root that does not exist yet (a zone not installed), or
// cannot be read (no permission), leaves the judgement to zlogin.
func (h *Host) checkZoneUser(zone, zonepath, user string) error {
	if user == "" || zonepath == "" {
		return nil
	}
	root, err := zoneroot.Open(h.path(path.Join(zonepath, "root")))
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return nil
	}
	if err != nil {
		return optErr(FieldUser, "zone %s: %w", zone, err)
	}
	defer root.Close()
	b, err := root.ReadFile("/etc/passwd", zoneroot.MaxRead)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return nil
	}
	if err != nil {
		return optErr(FieldUser, "read zone %s's /etc/passwd: %w", zone, err)
	}
	users, err := parseAccountFile(b)
	if err != nil {
		return optErr(FieldUser, "read zone %s's /etc/passwd: %w", zone, err)
	}
	if _, ok := users[user]; !ok {
		return optErr(FieldUser, "no user %q in zone %s's /etc/passwd (copy it from the global zone with %v)", user, zone, FieldCopyUsers)
	}
	return nil
}

// checkCloneUser refuses an exec-diz user that neither the golden zone's
// /etc/passwd lists nor copy_users brings in.
func (h *Host) checkCloneUser(d *DIZSpec, user string) error {
	if user == "" || d.GIZ == "" || slices.Contains(d.CopyUsers, user) {
		return nil
	}
	entries, _, err := illumos.ReadZones(h.Root)
	if err != nil {
		return nil
	}
	for _, e := range entries {
		if e.Name == d.GIZ {
			return h.checkZoneUser(e.Name, e.Zonepath, user)
		}
	}
	return nil
}
