// Package zoneroot reads and writes files inside a zone's root from the
// global zone without trusting the zone. A zone's root user controls
// every file below its root: a file zonemgr reads there may be a
// symbolic link to the global zone's /etc/shadow or to a device, a FIFO
// that never answers, or a file of any size. Every path is resolved
// inside the root (os.Root: a symbolic link that leads out of it, or an
// absolute one, is refused), only regular files are read or replaced,
// reads are bounded, and writes replace a file by renaming a new one
// into place, never writing through whatever the old name points to.
package zoneroot

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"

	"github.com/zonemgr/zonemgr/internal/textio"
)

// MaxRead is the default bound of ReadFile: larger than any account or
// configuration file a zone has.
const MaxRead = 4 << 20

// A Root is a zone's root directory, opened for reading and writing
// files inside it.
type Root struct {
	dir string
	r   *os.Root
}

// Open opens a zone's root directory (<zonepath>/root). The directory
// itself, in the zonepath the global zone owns, is trusted; everything
// below it is not.
func Open(dir string) (*Root, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("zone root %s: %w", dir, err)
	}
	return &Root{dir: dir, r: r}, nil
}

// Close releases the root.
func (z *Root) Close() error {
	if z == nil || z.r == nil {
		return nil
	}
	return z.r.Close()
}

// rel turns a path as the zone sees it ("/etc/passwd") into one relative
// to the root, refusing "..".
func (z *Root) rel(name string) (string, error) {
	p := strings.TrimPrefix(path.Clean("/"+name), "/")
	if p == "" || strings.Contains("/"+name+"/", "/../") {
		return "", z.errf(name, "not a file name inside the zone")
	}
	return p, nil
}

func (z *Root) errf(name, format string, a ...any) error {
	return fmt.Errorf("zone root %s: %s: %s", z.dir, path.Clean("/"+name), fmt.Sprintf(format, a...))
}

// explain rewords the errors of os.Root for the reader of an error.
func (z *Root) explain(name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Err.Error() == "path escapes from parent" {
		return z.errf(name, "a symbolic link leads out of the zone root (or is absolute); refusing to follow it from the global zone")
	}
	if errors.Is(err, syscall.ELOOP) {
		return z.errf(name, "too many symbolic links, or a symbolic link where a file is wanted; refusing it")
	}
	if errors.As(err, &pe) {
		return z.errf(name, "%v", pe.Err)
	}
	return z.errf(name, "%v", err)
}

// ReadFile reads a regular file of the zone, of at most max bytes
// (MaxRead when max <= 0). A file that does not exist gives an error
// matching fs.ErrNotExist.
func (z *Root) ReadFile(name string, max int64) ([]byte, error) {
	if max <= 0 {
		max = MaxRead
	}
	p, err := z.rel(name)
	if err != nil {
		return nil, err
	}
	// What the name leads to is looked at before it is opened, so that
	// a device or FIFO is not even opened; the open cannot block (a FIFO
	// put there meanwhile) and is checked again after.
	fi, err := z.r.Stat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("zone root %s: %s: %w", z.dir, path.Clean("/"+name), fs.ErrNotExist)
		}
		return nil, z.explain(name, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, z.errf(name, "%s, not a regular file; refusing to read it", textio.FileKind(fi.Mode()))
	}
	f, err := z.r.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, z.explain(name, err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, z.explain(name, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, z.errf(name, "%s, not a regular file; refusing to read it", textio.FileKind(fi.Mode()))
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, z.explain(name, err)
	}
	if int64(len(b)) > max {
		return nil, z.errf(name, "larger than %d bytes; refusing to read it", max)
	}
	return b, nil
}

// Lstat describes what is at a name of the zone, without following a
// final symbolic link (links before it resolve inside the root). A name
// that does not exist gives an error matching fs.ErrNotExist.
func (z *Root) Lstat(name string) (fs.FileInfo, error) {
	p, err := z.rel(name)
	if err != nil {
		return nil, err
	}
	fi, err := z.r.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("zone root %s: %s: %w", z.dir, path.Clean("/"+name), fs.ErrNotExist)
	}
	if err != nil {
		return nil, z.explain(name, err)
	}
	return fi, nil
}

// Owner returns the owner of a file as Lstat describes it.
func Owner(fi fs.FileInfo) (uid, gid int) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid), int(st.Gid)
	}
	return 0, 0
}

// MkdirAll makes a directory of the zone, as "mkdir -p" would, unless
// a directory is there already (which is left as it is): missing
// parents get mode 0755 and the caller's owner, the directory itself
// perm and uid:gid, set on the directory it opened, never through a
// link. Something other than a directory at the name, or at a parent's,
// is refused.
func (z *Root) MkdirAll(name string, perm fs.FileMode, uid, gid int) error {
	p, err := z.rel(name)
	if err != nil {
		return err
	}
	if fi, err := z.r.Stat(p); err == nil {
		if fi.IsDir() {
			return nil
		}
		return z.errf(name, "%s, not a directory; refusing to replace it", textio.FileKind(fi.Mode()))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return z.explain(name, err)
	}
	if dir := path.Dir(p); dir != "." {
		if err := z.r.MkdirAll(dir, 0o755); err != nil {
			return z.explain(name, err)
		}
	}
	// Made private first: nobody reaches into it before it has its owner
	// and mode.
	if err := z.r.Mkdir(p, 0o700); err != nil {
		return z.explain(name, err)
	}
	f, err := z.r.OpenFile(p, os.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return z.explain(name, err)
	}
	defer f.Close()
	if err := f.Chown(uid, gid); err != nil {
		return z.explain(name, err)
	}
	if err := f.Chmod(perm); err != nil {
		return z.explain(name, err)
	}
	return nil
}

// WriteFile replaces (or creates) a file of the zone with data, owned by
// uid:gid with mode perm: a new file is written beside it and renamed
// into place, so nothing is written through a link the zone put at the
// name. What is at the name must be a regular file (or nothing); its
// directory must exist.
func (z *Root) WriteFile(name string, data []byte, perm fs.FileMode, uid, gid int) error {
	p, err := z.rel(name)
	if err != nil {
		return err
	}
	if fi, err := z.r.Lstat(p); err == nil && !fi.Mode().IsRegular() {
		return z.errf(name, "%s, not a regular file; refusing to replace it", textio.FileKind(fi.Mode()))
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return z.explain(name, err)
	}
	tmp := p + ".zonemgr-new"
	// O_EXCL: a file (or link) the zone put at the temporary name is
	// refused, never opened.
	z.r.Remove(tmp)
	f, err := z.r.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return z.explain(name, err)
	}
	fail := func(err error) error {
		f.Close()
		z.r.Remove(tmp)
		return z.explain(name, err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Chown(uid, gid); err != nil {
		return fail(err)
	}
	if err := f.Chmod(perm); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		z.r.Remove(tmp)
		return z.explain(name, err)
	}
	if err := z.r.Rename(tmp, p); err != nil {
		z.r.Remove(tmp)
		return z.explain(name, err)
	}
	return nil
}
