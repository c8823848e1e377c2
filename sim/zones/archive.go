package zones

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/zonemgr/zonemgr/sim/zfs"
)

// installArchive is "zoneadm install -a ARCHIVE": the ipkg brand's
// install from an archive of a zone root instead of from a repository.
// The sim reads tar archives, plain or gzip-compressed, whose entries are
// the zone root's files ("./etc/passwd", "etc/passwd", or below a
// top-level "root/"). The texts are pkgcreatezone's, shortened [derived].
func (a *adm) installArchive(c *Config, archive string) (string, error) {
	var out strings.Builder
	f, err := os.Open(a.inv.Path(archive))
	if err != nil {
		// [derived] the brand's f_arg_not_file text.
		return "", &zoneError{configured: true, msg: fmt.Sprintf("ERROR: Archive not found: %s", archive)}
	}
	defer f.Close()
	zs, err := zfs.Open(a.root)
	if err != nil {
		return "", err
	}
	zpds, created, err := createZonepathDataset(zs, c)
	if err != nil {
		return "", err
	}
	if created {
		out.WriteString("A ZFS file system has been created for this zone.\n")
	}
	if err := os.Chmod(a.inv.Path(c.Zonepath), 0o700); err != nil {
		return out.String(), fmt.Errorf("ERROR: cannot set the mode of %s: %s", c.Zonepath, strerror(err))
	}
	zbe, err := createBootEnvironment(zs, zpds, gzBootEnvironment(zs))
	if err != nil {
		return out.String(), err
	}
	rootPath := path.Join(c.Zonepath, "root")
	if err := zs.MountLegacy(zbe, rootPath); err != nil {
		return out.String(), fmt.Errorf("ERROR: cannot mount %s on %s: %v", zbe, rootPath, err)
	}
	if err := zs.Save(); err != nil {
		return out.String(), err
	}
	fmt.Fprintf(&out, "      Archive: %s\n", archive)
	out.WriteString("   Installing: This may take several minutes...\n")
	if err := extractArchive(f, a.zoneRoot(c)); err != nil {
		return out.String(), &zoneError{msg: fmt.Sprintf("ERROR: Unknown archive format or damaged archive %s: %v", archive, err)}
	}
	return out.String(), nil
}

// extractArchive unpacks a tar (or gzip-compressed tar) archive into dir.
func extractArchive(r io.Reader, dir string) error {
	br := bufio.NewReader(r)
	var in io.Reader = br
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return err
		}
		defer zr.Close()
		in = zr
	}
	tr := tar.NewReader(in)
	times := map[string]time.Time{}
	n := 0
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(path.Clean("/"+hdr.Name), "/")
		if rest, ok := strings.CutPrefix(name, "root/"); ok {
			name = rest
		} else if name == "root" {
			name = ""
		}
		dst := filepath.Join(dir, name)
		if err := extractArchiveEntry(tr, hdr, dst); err != nil {
			return err
		}
		if hdr.Typeflag != tar.TypeSymlink {
			times[dst] = hdr.ModTime
		}
		n++
	}
	if n == 0 {
		return errors.New("no files")
	}
	for p, t := range times {
		os.Chtimes(p, time.Time{}, t)
	}
	return nil
}

// extractArchiveEntry creates one archive entry with its mode and owner.
func extractArchiveEntry(tr *tar.Reader, hdr *tar.Header, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	perm := uint32(hdr.Mode & 0o7777)
	switch hdr.Typeflag {
	case tar.TypeDir:
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return err
		}
	case tar.TypeSymlink:
		os.Remove(dst)
		if err := os.Symlink(hdr.Linkname, dst); err != nil {
			return err
		}
		return lchown(dst, hdr)
	case tar.TypeChar:
		os.Remove(dst)
		dev := int(hdr.Devmajor<<8 | hdr.Devminor&0xff | (hdr.Devminor&^0xff)<<12)
		if err := syscall.Mknod(dst, syscall.S_IFCHR|perm, dev); err != nil {
			return err
		}
	case tar.TypeReg:
		os.Remove(dst)
		f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		_, err = io.Copy(f, tr)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	default:
		return nil
	}
	if err := syscall.Chmod(dst, perm); err != nil {
		return err
	}
	return lchown(dst, hdr)
}

// lchown gives an extracted entry its archived owner when the caller may.
func lchown(dst string, hdr *tar.Header) error {
	if err := os.Lchown(dst, hdr.Uid, hdr.Gid); err != nil && !errors.Is(err, fs.ErrPermission) {
		return err
	}
	return nil
}
