package zone

import (
	"fmt"
	"io/fs"
	"os"

	"github.com/zonemgr/zonemgr/internal/zoneroot"
)

// othersMayChange says how a user other than the one running zonemgr,
// or root, could change a file zonemgr acts on ("" when none could): the
// file owned by another user or writable by its group or others, or its
// directory, dir, owned by another user or writable by group or others
// without the sticky bit (another file could be put in its place). An
// image is checked and then read again by zfs receive; a journal's undo
// commands are run by gc.
func othersMayChange(fi, di fs.FileInfo, dir string) string {
	me := os.Geteuid()
	switch uid, _ := zoneroot.Owner(fi); {
	case uid != me && uid != 0:
		return fmt.Sprintf("owned by uid %d, neither root nor the user running zonemgr (uid %d)", uid, me)
	case fi.Mode().Perm()&0o022 != 0:
		return fmt.Sprintf("writable by its group or others (mode %04o)", fi.Mode().Perm())
	}
	switch uid, _ := zoneroot.Owner(di); {
	case uid != me && uid != 0:
		return fmt.Sprintf("its directory %s is owned by uid %d, neither root nor the user running zonemgr", dir, uid)
	case di.Mode().Perm()&0o022 != 0 && di.Mode()&fs.ModeSticky == 0:
		return fmt.Sprintf("its directory %s is writable by group or others without the sticky bit (mode %04o)", dir, di.Mode().Perm())
	}
	return ""
}
