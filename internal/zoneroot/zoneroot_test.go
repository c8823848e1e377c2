package zoneroot

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// hostileRoot makes a zone root whose /etc holds every kind of trap a
// zone's root user can set, beside a global-zone file it must never
// reach.
func hostileRoot(t *testing.T) (root, secret string) {
	t.Helper()
	dir := t.TempDir()
	secret = filepath.Join(dir, "gz-shadow")
	os.WriteFile(secret, []byte("root:$5$secret:::::::\n"), 0o600)
	root = filepath.Join(dir, "zonepath", "root")
	for _, d := range []string{"etc", "dev", "var/tmp"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("root:x:0:0::/root:/bin/sh\n"), 0o644))
	must(os.Symlink("passwd", filepath.Join(root, "etc/passwd.link")))
	must(os.Symlink(secret, filepath.Join(root, "etc/abs")))
	must(os.Symlink("../../../gz-shadow", filepath.Join(root, "etc/rel")))
	must(os.Symlink("/dev/zero", filepath.Join(root, "etc/zero")))
	must(os.Symlink("loop2", filepath.Join(root, "etc/loop1")))
	must(os.Symlink("loop1", filepath.Join(root, "etc/loop2")))
	must(syscall.Mkfifo(filepath.Join(root, "etc/fifo"), 0o644))
	must(os.Mkdir(filepath.Join(root, "etc/dir"), 0o755))
	must(os.Symlink("../dev/null", filepath.Join(root, "etc/indev")))
	if os.Getuid() == 0 {
		// A character device inside the root (1,3 is /dev/null on Linux).
		must(syscall.Mknod(filepath.Join(root, "dev/null"), syscall.S_IFCHR|0o666, 1<<8|3))
	}
	f, err := os.Create(filepath.Join(root, "etc/huge"))
	must(err)
	must(f.Truncate(8 << 30)) // sparse: 8 GiB that read without end
	f.Close()
	must(os.Symlink("../../etc", filepath.Join(root, "var/tmp/etcdir")))
	return root, secret
}

// TestReadHostile: every trap is refused with an error naming the file
// and the reason; nothing outside the root is read, nothing blocks, and
// memory stays bounded (the 8 GiB file is refused after MaxRead bytes).
func TestReadHostile(t *testing.T) {
	root, _ := hostileRoot(t)
	z, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	for _, tt := range []struct {
		name, want string
	}{
		{"/etc/abs", "leads out of the zone root"},
		{"/etc/rel", "leads out of the zone root"},
		{"/etc/zero", "leads out of the zone root"},
		{"/etc/loop1", "symbolic link"},
		{"/etc/fifo", "a FIFO, not a regular file"},
		{"/etc/dir", "a directory, not a regular file"},
		{"/etc/huge", "larger than 4194304 bytes"},
		{"/etc/../../gz-shadow", "not a file name inside the zone"},
		{"/", "not a file name inside the zone"},
	} {
		_, err := z.ReadFile(tt.name, 0)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), root) {
			t.Errorf("ReadFile(%q) = %v, want an error naming the root and saying %q", tt.name, err, tt.want)
		}
	}
	if os.Getuid() == 0 {
		if _, err := z.ReadFile("/etc/indev", 0); err == nil || !strings.Contains(err.Error(), "a device, not a regular file") {
			t.Errorf("ReadFile(/etc/indev) = %v, want a device refused", err)
		}
	}
	// What may be read: a regular file, through a link that stays
	// inside, and through a directory link that stays inside.
	for _, name := range []string{"/etc/passwd", "etc/passwd.link", "/var/tmp/etcdir/passwd"} {
		b, err := z.ReadFile(name, 0)
		if err != nil || string(b) != "root:x:0:0::/root:/bin/sh\n" {
			t.Errorf("ReadFile(%q) = %q, %v", name, b, err)
		}
	}
	if _, err := z.ReadFile("/etc/nothere", 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v, want fs.ErrNotExist", err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.HeapAlloc > 256<<20 {
		t.Errorf("heap %d bytes after the reads: the huge file was read", ms.HeapAlloc)
	}
}

// TestWriteHostile: a write never goes through a link the zone set at
// the name or at the temporary name, and refuses to replace what is not
// a regular file; a regular file is replaced whole, with its owner and
// mode.
func TestWriteHostile(t *testing.T) {
	root, secret := hostileRoot(t)
	z, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	for _, tt := range []struct{ name, want string }{
		{"/etc/abs", "a symbolic link, not a regular file"},
		{"/etc/fifo", "a FIFO, not a regular file"},
		{"/etc/dir", "a directory, not a regular file"},
		{"/etc/rel", "a symbolic link, not a regular file"},
		{"/etc/../../x", "not a file name inside the zone"},
		{"/var/tmp/etcdir/../../../../gz-shadow", "not a file name inside the zone"},
		{"/nodir/file", "no such file or directory"},
	} {
		if err := z.WriteFile(tt.name, []byte("owned\n"), 0o644, os.Getuid(), os.Getgid()); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("WriteFile(%q) = %v, want %q", tt.name, err, tt.want)
		}
	}
	// A link planted at the temporary name is removed, not written through.
	os.Symlink(secret, filepath.Join(root, "etc/hosts.zonemgr-new"))
	if err := z.WriteFile("/etc/hosts", []byte("127.0.0.1 localhost\n"), 0o644, os.Getuid(), os.Getgid()); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(secret); string(b) != "root:$5$secret:::::::\n" {
		t.Errorf("the global zone's file was written: %q", b)
	}
	fi, err := os.Lstat(filepath.Join(root, "etc/hosts"))
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o644 {
		t.Errorf("etc/hosts: %v %v", fi, err)
	}
	if err := z.WriteFile("/etc/passwd", []byte("new\n"), 0o600, os.Getuid(), os.Getgid()); err != nil {
		t.Fatal(err)
	}
	if b, _ := z.ReadFile("/etc/passwd", 0); string(b) != "new\n" {
		t.Errorf("passwd after the write: %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(root, "etc/*.zonemgr-new")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestMkdirAllHostile: a directory is made inside the root with its
// owner and mode, an existing one is left as it is, and one whose name
// (or a parent's) is a link out of the root, or not a directory, is
// refused without anything made outside.
func TestMkdirAllHostile(t *testing.T) {
	root, secret := hostileRoot(t)
	outside := filepath.Dir(secret)
	os.Symlink(outside, filepath.Join(root, "export"))
	z, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	if err := z.MkdirAll("/home/jenkins", 0o750, os.Getuid(), os.Getgid()); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(filepath.Join(root, "home/jenkins")); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o750 {
		t.Errorf("/home/jenkins: %v, %v", fi, err)
	}
	os.Chmod(filepath.Join(root, "etc/dir"), 0o711)
	if err := z.MkdirAll("/etc/dir", 0o755, 0, 0); err != nil {
		t.Errorf("an existing directory: %v", err)
	}
	if fi, _ := os.Stat(filepath.Join(root, "etc/dir")); fi.Mode().Perm() != 0o711 {
		t.Errorf("an existing directory got mode %v", fi.Mode())
	}
	for _, tt := range []struct{ name, want string }{
		{"/export/home/jenkins", "a symbolic link leads out of the zone root"},
		{"/export", "a symbolic link leads out of the zone root"},
		{"/etc/abs", "a symbolic link leads out of the zone root"},
		{"/etc/passwd", "a regular file, not a directory"},
		{"/etc/passwd/x", "not a directory"},
		{"/../x", "not a file name inside the zone"},
	} {
		err := z.MkdirAll(tt.name, 0o755, 0, 0)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("MkdirAll %s: %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(outside, "home")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a directory was made outside the zone root: %v", err)
	}
}

// TestLstat describes the link itself, and resolves the links before it
// inside the root only.
func TestLstat(t *testing.T) {
	root, _ := hostileRoot(t)
	z, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	if fi, err := z.Lstat("/etc/abs"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("Lstat /etc/abs: %v, %v", fi, err)
	}
	if fi, err := z.Lstat("/etc/passwd"); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("Lstat /etc/passwd: %v, %v", fi, err)
	} else if uid, _ := Owner(fi); uid != os.Getuid() {
		t.Errorf("Owner /etc/passwd: %d", uid)
	}
	if _, err := z.Lstat("/etc/none"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Lstat /etc/none: %v", err)
	}
	if _, err := z.Lstat("/var/tmp/etcdir/../../../x"); err == nil {
		t.Errorf("Lstat through .. out of the root: no error")
	}
}
