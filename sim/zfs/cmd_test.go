package zfs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/internal/simtest"
	"github.com/zonemgr/zonemgr/sim/zfs"
)

// initialList is zfs list -H -o name,mountpoint of a fresh sim.
const initialList = "rpool\t/rpool\n" +
	"rpool/ROOT\tlegacy\n" +
	"rpool/ROOT/openindiana\t/\n" +
	"rpool/export\t/export\n" +
	"rpool/export/home\t/export/home\n" +
	"rpool/zones\t/zones\n"

func TestInitialDatasets(t *testing.T) {
	s := simtest.New(t)
	simtest.Check(t, "list", s.Run(nil, "zfs", "list", "-H", "-o", "name,mountpoint"), initialList, "", 0)
	simtest.Check(t, "get compression",
		s.Run(nil, "zfs", "get", "-H", "-o", "name,value,source", "compression", "rpool/zones", "rpool"),
		"rpool\tlz4\tlocal\nrpool/zones\tlz4\tinherited from rpool\n", "", 0)
	simtest.Check(t, "BE uuid",
		s.Run(nil, "zfs", "get", "-H", "-o", "value", "org.opensolaris.libbe:uuid", "rpool/ROOT/openindiana"),
		"5a4b27e6-3a2c-6f0e-8d1b-c2f37e9a0b14\n", "", 0)
	for _, dir := range []string{"/rpool", "/zones", "/export/home"} {
		if fi, err := os.Stat(s.Path(dir)); err != nil || !fi.IsDir() {
			t.Errorf("mountpoint %s is not a directory: %v", dir, err)
		}
	}
}

// zfsUsageTail ends the usage of subcommands without a property table.
const zfsUsageTail = "\nFor the property list, run: zfs set|get\n\nFor the delegated permission list, run: zfs allow|unallow\n"

func TestErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup [][]string
		args  []string
		out   string
		err   string
		code  int
	}{
		{name: "missing dataset",
			args: []string{"list", "rpool/nosuch"},
			err:  "cannot open 'rpool/nosuch': dataset does not exist\n", code: 1},
		{name: "create exists",
			args: []string{"create", "rpool/zones"},
			err:  "cannot create 'rpool/zones': dataset already exists\n", code: 1},
		{name: "create -p exists is silent",
			args: []string{"create", "-p", "rpool/zones"}},
		{name: "create parent missing",
			args: []string{"create", "rpool/zones/a/b"},
			err:  "cannot create 'rpool/zones/a/b': parent does not exist\n", code: 1},
		{name: "create no such pool",
			args: []string{"create", "nopool/a"},
			err:  "cannot create 'nopool/a': no such pool 'nopool'\n", code: 1},
		{name: "create bad character",
			args: []string{"create", "rpool/x!"},
			err:  "cannot create 'rpool/x!': invalid character '!' in name\n", code: 1},
		{name: "create leading slash",
			args: []string{"create", "/rpool/x"},
			err:  "cannot create '/rpool/x': leading slash in name\n", code: 1},
		{name: "create empty component",
			args: []string{"create", "rpool//x"},
			err:  "cannot create 'rpool//x': empty component in name\n", code: 1},
		{name: "create trailing slash",
			args: []string{"create", "rpool/x/"},
			err:  "cannot create 'rpool/x/': trailing slash in name\n", code: 1},
		{name: "create too long",
			args: []string{"create", "rpool/" + strings.Repeat("x", 250)},
			err:  "cannot create 'rpool/" + strings.Repeat("x", 250) + "': name is too long\n", code: 1},
		{name: "create snapshot name",
			args: []string{"create", "rpool/x@s"},
			err:  "cannot create 'rpool/x@s': snapshot delimiter '@' is not expected here\n", code: 1},
		{name: "options after operands",
			args: []string{"create", "rpool/zones/a", "-p"},
			err:  "too many arguments\nusage:\n\tcreate [-p] [-o property=value] ... <filesystem>\n\tcreate [-ps] [-b blocksize] [-o property=value] ... -V <size> <volume>\n" + zfsUsageTail,
			code: 2},
		{name: "invalid option",
			args: []string{"destroy", "-x", "rpool/zones"},
			err:  "invalid option 'x'\nusage:\n\tdestroy [-fnpRrv] <filesystem|volume>\n\tdestroy [-dnpRrv] <filesystem|volume>@<snap>[%<snap>][,...]\n\tdestroy <filesystem|volume>#<bookmark>\n" + zfsUsageTail,
			code: 2},
		{name: "snapshot exists",
			setup: [][]string{{"snapshot", "rpool/zones@s"}},
			args:  []string{"snapshot", "rpool/zones@s"},
			err:   "cannot create snapshot 'rpool/zones@s': dataset already exists\n", code: 1},
		{name: "snapshot of missing dataset",
			args: []string{"snapshot", "rpool/x@s"},
			err:  "cannot open 'rpool/x': dataset does not exist\nusage:\n\tsnapshot [-r] [-o property=value] ... <filesystem|volume>@<snap> ...\n" + zfsUsageTail,
			code: 2},
		{name: "clone target exists",
			setup: [][]string{{"create", "rpool/zones/a"}, {"snapshot", "rpool/zones/a@s"}},
			args:  []string{"clone", "rpool/zones/a@s", "rpool/zones"},
			err:   "cannot create 'rpool/zones': dataset already exists\n", code: 1},
		{name: "clone parent missing",
			setup: [][]string{{"create", "rpool/zones/a"}, {"snapshot", "rpool/zones/a@s"}},
			args:  []string{"clone", "rpool/zones/a@s", "rpool/zones/x/b"},
			err:   "cannot create 'rpool/zones/x/b': parent does not exist\n", code: 1},
		{name: "clone missing snapshot",
			setup: [][]string{{"create", "rpool/zones/a"}},
			args:  []string{"clone", "rpool/zones/a@nosuch", "rpool/zones/b"},
			err:   "cannot open 'rpool/zones/a@nosuch': dataset does not exist\n", code: 1},
		{name: "promote not a clone",
			args: []string{"promote", "rpool/zones"},
			err:  "cannot promote 'rpool/zones': not a cloned filesystem\n", code: 1},
		{name: "destroy with children",
			setup: [][]string{{"create", "rpool/zones/a"}, {"create", "rpool/zones/a/b"}, {"snapshot", "rpool/zones/a@s"}},
			args:  []string{"destroy", "rpool/zones/a"},
			err:   "cannot destroy 'rpool/zones/a': filesystem has children\nuse '-r' to destroy the following datasets:\nrpool/zones/a/b\nrpool/zones/a@s\n",
			code:  1},
		{name: "destroy -r with dependent clones",
			setup: [][]string{{"create", "rpool/zones/a"}, {"snapshot", "rpool/zones/a@s"}, {"clone", "rpool/zones/a@s", "rpool/zones/c"}},
			args:  []string{"destroy", "-r", "rpool/zones/a"},
			err:   "cannot destroy 'rpool/zones/a': filesystem has dependent clones\nuse '-R' to destroy the following datasets:\nrpool/zones/c\n",
			code:  1},
		{name: "destroy snapshot with clones",
			setup: [][]string{{"create", "rpool/zones/a"}, {"snapshot", "rpool/zones/a@s"}, {"clone", "rpool/zones/a@s", "rpool/zones/c"}},
			args:  []string{"destroy", "rpool/zones/a@s"},
			err:   "cannot destroy 'rpool/zones/a@s': snapshot has dependent clones\nuse '-R' to destroy the following datasets:\nrpool/zones/c\n",
			code:  1},
		{name: "destroy missing snapshot",
			args: []string{"destroy", "rpool/zones@nosuch"},
			err:  "could not find any snapshots to destroy; check snapshot names.\n", code: 1},
		{name: "destroy pool",
			args: []string{"destroy", "rpool"},
			err:  "cannot destroy 'rpool': operation does not apply to pools\nuse 'zfs destroy -r rpool' to destroy all datasets in the pool\nuse 'zpool destroy rpool' to destroy the pool itself\n",
			code: 1},
		{name: "destroy -r of the pool stops at the running boot environment",
			args: []string{"destroy", "-r", "rpool"},
			err:  "cannot unmount '/': Device busy\n", code: 1},
		{name: "rollback with newer snapshots",
			setup: [][]string{{"snapshot", "rpool/zones@s1"}, {"snapshot", "rpool/zones@s2"}, {"snapshot", "rpool/zones@s3"}},
			args:  []string{"rollback", "rpool/zones@s1"},
			err:   "cannot rollback to 'rpool/zones@s1': more recent snapshots or bookmarks exist\nuse '-r' to force deletion of the following snapshots and bookmarks:\nrpool/zones@s2\nrpool/zones@s3\n",
			code:  1},
		{name: "rollback -r with clones of newer snapshots",
			setup: [][]string{{"snapshot", "rpool/zones@s1"}, {"snapshot", "rpool/zones@s2"}, {"clone", "rpool/zones@s2", "rpool/c"}},
			args:  []string{"rollback", "-r", "rpool/zones@s1"},
			err:   "cannot rollback to 'rpool/zones@s1': clones of previous snapshots exist\nuse '-R' to force deletion of the following clones and dependents:\nrpool/c\n",
			code:  1},
		{name: "get bad property",
			args: []string{"get", "bogus", "rpool"},
			err:  "bad property list: invalid property 'bogus'\nusage:\n", code: 2},
		{name: "list bad property",
			args: []string{"list", "-o", "name,bogus"},
			err:  "bad property list: invalid property 'bogus'\nusage:\n", code: 2},
		{name: "set bad value",
			args: []string{"set", "compression=fast", "rpool/zones"},
			err:  "cannot set property for 'rpool/zones': 'compression' must be one of 'on | off | lzjb | gzip | gzip-[1-9] | zle | lz4'\n", code: 1},
		{name: "set read-only",
			args: []string{"set", "used=1", "rpool/zones"},
			err:  "cannot set property for 'rpool/zones': 'used' is readonly\n", code: 1},
		{name: "set unknown property",
			args: []string{"set", "bogus=1", "rpool/zones"},
			err:  "cannot set property for 'rpool/zones': invalid property 'bogus'\n", code: 1},
		{name: "no datasets available",
			args: []string{"list", "-t", "snapshot"},
			out:  "no datasets available\n"},
		{name: "scripted empty list",
			args: []string{"list", "-H", "-t", "snapshot"}},
		{name: "unknown subcommand",
			args: []string{"frobnicate"},
			err:  "unrecognized command 'frobnicate'\nusage: zfs command args ...\n", code: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := simtest.New(t)
			for _, a := range tt.setup {
				s.OK("zfs", a...)
			}
			got := s.Run(nil, "zfs", tt.args...)
			if strings.HasSuffix(tt.err, "usage:\n") || strings.HasSuffix(tt.err, "args ...\n") {
				// Only the head of a long usage text is compared.
				if strings.HasPrefix(got.Stderr, tt.err) {
					got.Stderr = tt.err
				}
			}
			simtest.Check(t, strings.Join(tt.args, " "), got, tt.out, tt.err, tt.code)
		})
	}
}

func TestListFormats(t *testing.T) {
	s := simtest.New(t)
	s.OK("zfs", "create", "rpool/zones/b")
	s.OK("zfs", "snapshot", "rpool/zones/b@z")
	s.OK("zfs", "snapshot", "rpool/zones/b@a")
	s.OK("zfs", "create", "rpool/zones/b-c")
	simtest.Check(t, "default order, dataset before its snapshots in creation order",
		s.Run(nil, "zfs", "list", "-H", "-t", "all", "-o", "name", "-r", "rpool/zones"),
		"rpool/zones\nrpool/zones/b\nrpool/zones/b@z\nrpool/zones/b@a\nrpool/zones/b-c\n", "", 0)
	simtest.Check(t, "-s name", s.Run(nil, "zfs", "list", "-H", "-t", "snapshot", "-o", "name", "-s", "name"),
		"rpool/zones/b@a\nrpool/zones/b@z\n", "", 0)
	simtest.Check(t, "-S createtxg", s.Run(nil, "zfs", "list", "-H", "-t", "snapshot", "-o", "name", "-S", "createtxg"),
		"rpool/zones/b@a\nrpool/zones/b@z\n", "", 0)
	simtest.Check(t, "-d 1", s.Run(nil, "zfs", "list", "-H", "-o", "name", "-d", "1", "rpool"),
		"rpool\nrpool/ROOT\nrpool/export\nrpool/zones\n", "", 0)
	simtest.Check(t, "missing values print -", s.Run(nil, "zfs", "list", "-Hp", "-t", "snapshot", "-o", "name,origin,available,mountpoint,volsize,com.sun:auto-snapshot"),
		"rpool/zones/b@z\t-\t-\t-\t-\t-\nrpool/zones/b@a\t-\t-\t-\t-\t-\n", "", 0)
	// Without -t, a snapshot named as an operand is listed, while
	// recursion does not reach snapshots (listsnapshots=off); -t
	// filesystem refuses the snapshot operand, and so does -o space.
	simtest.Check(t, "snapshot operand without -t", s.Run(nil, "zfs", "list", "-H", "-o", "name,type", "rpool/zones/b@z", "rpool/zones/b"),
		"rpool/zones/b\tfilesystem\nrpool/zones/b@z\tsnapshot\n", "", 0)
	simtest.Check(t, "recursion without -t", s.Run(nil, "zfs", "list", "-H", "-o", "name", "-r", "rpool/zones/b"),
		"rpool/zones/b\n", "", 0)
	simtest.Check(t, "snapshot operand with -t filesystem", s.Run(nil, "zfs", "list", "-H", "-o", "name", "-t", "filesystem", "rpool/zones/b@z"),
		"", "cannot open 'rpool/zones/b@z': operation not applicable to datasets of this type\n", 1)
	simtest.Check(t, "snapshot operand with -o space", s.Run(nil, "zfs", "list", "-H", "-o", "space", "rpool/zones/b@z"),
		"", "cannot open 'rpool/zones/b@z': operation not applicable to datasets of this type\n", 1)
	simtest.Check(t, "-p quota is 0", s.Run(nil, "zfs", "list", "-Hp", "-o", "quota,reservation", "rpool/zones"), "0\t0\n", "", 0)
	simtest.Check(t, "human quota is none", s.Run(nil, "zfs", "list", "-H", "-o", "quota", "rpool/zones"), "none\n", "", 0)

	r := s.Run(nil, "zfs", "list", "-o", "name,mountpoint", "rpool/zones", "rpool/zones/b")
	simtest.Check(t, "header and aligned columns", r,
		"NAME           MOUNTPOINT\nrpool/zones    /zones\nrpool/zones/b  /zones/b\n", "", 0)
	r = s.Run(nil, "zfs", "list", "-o", "name,used,avail,refer", "rpool/zones/b-c")
	simtest.Check(t, "numbers right-justified", r,
		"NAME              USED  AVAIL  REFER\nrpool/zones/b-c    23K  96.9G    23K\n", "", 0)

	r = s.Run(nil, "zfs", "list", "-Hp", "-o", "creation,createtxg,guid", "rpool/zones/b")
	f := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\t")
	if r.Code != 0 || len(f) != 3 {
		t.Fatalf("list -Hp creation: %+v", r)
	}
	for _, v := range f {
		if v == "" || strings.Trim(v, "0123456789") != "" {
			t.Errorf("list -Hp: %q is not an exact integer", v)
		}
	}
}

func TestGetSourcesAndInheritance(t *testing.T) {
	s := simtest.New(t)
	s.OK("zfs", "create", "-o", "mountpoint=legacy", "-o", "zoned=on", "rpool/zones/b1")
	s.OK("zfs", "create", "rpool/zones/b1/ROOT")
	s.OK("zfs", "set", "com.sun:auto-snapshot=false", "rpool/zones")
	simtest.Check(t, "sources",
		s.Run(nil, "zfs", "get", "-H", "-p", "-o", "name,property,value,source", "compression,mountpoint,zoned,com.sun:auto-snapshot,atime", "rpool/zones/b1/ROOT"),
		"rpool/zones/b1/ROOT\tcompression\tlz4\tinherited from rpool\n"+
			"rpool/zones/b1/ROOT\tmountpoint\tlegacy\tinherited from rpool/zones/b1\n"+
			"rpool/zones/b1/ROOT\tzoned\ton\tinherited from rpool/zones/b1\n"+
			"rpool/zones/b1/ROOT\tcom.sun:auto-snapshot\tfalse\tinherited from rpool/zones\n"+
			"rpool/zones/b1/ROOT\tatime\ton\tdefault\n", "", 0)
	simtest.Check(t, "-s local", s.Run(nil, "zfs", "get", "-H", "-r", "-s", "local", "-o", "name,property", "zoned,mountpoint", "rpool/zones"),
		"rpool/zones\tmountpoint\nrpool/zones/b1\tzoned\nrpool/zones/b1\tmountpoint\n", "", 0)
	simtest.Check(t, "unset user property", s.Run(nil, "zfs", "get", "-H", "org.example:x", "rpool"),
		"rpool\torg.example:x\t-\t-\n", "", 0)
	// libzfs_dataset.c zfs_valid_proplist(): the global zone may not
	// set the mountpoint of a zoned dataset, nor inherit it.
	simtest.Check(t, "mountpoint of a zoned dataset", s.Run(nil, "zfs", "set", "mountpoint=/data", "rpool/zones/b1"),
		"", "cannot set property for 'rpool/zones/b1': 'mountpoint' cannot be set on dataset in a non-global zone\n", 1)
	simtest.Check(t, "mountpoint under a zoned parent", s.Run(nil, "zfs", "create", "-o", "mountpoint=/x", "rpool/zones/b1/x"),
		"", "cannot create 'rpool/zones/b1/x': 'mountpoint' cannot be set on dataset in a non-global zone\n", 1)
	simtest.Check(t, "inherit mountpoint of a zoned dataset", s.Run(nil, "zfs", "inherit", "mountpoint", "rpool/zones/b1"),
		"", "cannot inherit mountpoint for 'rpool/zones/b1': dataset is used in a non-global zone\n", 1)
	s.OK("zfs", "set", "zoned=off", "rpool/zones/b1")
	s.OK("zfs", "set", "mountpoint=/data2", "rpool/zones/b1")
	simtest.Check(t, "mountpoint inherits parent path plus relative name",
		s.Run(nil, "zfs", "get", "-H", "-o", "value,source", "mountpoint", "rpool/zones/b1/ROOT"),
		"/data2/ROOT\tinherited from rpool/zones/b1\n", "", 0)
	s.OK("zfs", "create", "rpool/zones/m1")
	s.OK("zfs", "create", "rpool/zones/m1/sub")
	writeFile(t, s.Path("/zones/m1/sub/file"), "kept\n")
	s.OK("zfs", "set", "mountpoint=/data", "rpool/zones/m1")
	if got := readFile(s.Path("/data/sub/file")); got != "kept\n" {
		t.Errorf("remounted child's file at /data/sub/file = %q", got)
	}
	if _, err := os.Stat(s.Path("/zones/m1")); !os.IsNotExist(err) {
		t.Errorf("old mountpoint /zones/m1 left behind: %v", err)
	}
	s.OK("zfs", "inherit", "mountpoint", "rpool/zones/b1")
	simtest.Check(t, "inherit restores default", s.Run(nil, "zfs", "get", "-H", "-o", "value,source", "mountpoint", "rpool/zones/b1/ROOT"),
		"/zones/b1/ROOT\tinherited from rpool/zones\n", "", 0)
	simtest.Check(t, "get header", s.Run(nil, "zfs", "get", "compression", "rpool"),
		"NAME   PROPERTY     VALUE     SOURCE\nrpool  compression  lz4       local\n", "", 0)
}

// writeFile creates a file (and its directory) inside the sim.
func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readFile returns a file's text or "<missing>".
func readFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "<missing>"
	}
	return string(b)
}

func TestSnapshotCloneRollbackDestroy(t *testing.T) {
	s := simtest.New(t)
	s.OK("zfs", "create", "rpool/zones/golden")
	writeFile(t, s.Path("/zones/golden/etc/passwd"), "root:x:0:0::/root:/bin/sh\n")
	if err := os.Symlink("../etc/passwd", s.Path("/zones/golden/link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(s.Path("/zones/golden/etc/passwd"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.OK("zfs", "snapshot", "rpool/zones/golden@initial")
	writeFile(t, s.Path("/zones/golden/etc/passwd"), "changed after the snapshot\n")

	s.OK("zfs", "clone", "rpool/zones/golden@initial", "rpool/zones/build1")
	if got := readFile(s.Path("/zones/build1/etc/passwd")); got != "root:x:0:0::/root:/bin/sh\n" {
		t.Errorf("clone has %q, want the snapshot's contents", got)
	}
	if fi, err := os.Stat(s.Path("/zones/build1/etc/passwd")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("clone lost the file mode: %v %v", fi, err)
	}
	if target, err := os.Readlink(s.Path("/zones/build1/link")); err != nil || target != "../etc/passwd" {
		t.Errorf("clone symlink = %q, %v", target, err)
	}
	writeFile(t, s.Path("/zones/build1/build.log"), "built\n")
	if got := readFile(s.Path("/zones/golden/build.log")); got != "<missing>" {
		t.Errorf("file written in the clone appears in its origin: %q", got)
	}
	simtest.Check(t, "origin", s.Run(nil, "zfs", "get", "-H", "-o", "value", "origin", "rpool/zones/build1"),
		"rpool/zones/golden@initial\n", "", 0)

	s.OK("zfs", "rollback", "rpool/zones/golden@initial")
	if got := readFile(s.Path("/zones/golden/etc/passwd")); got != "root:x:0:0::/root:/bin/sh\n" {
		t.Errorf("after rollback passwd = %q", got)
	}

	s.OK("zfs", "destroy", "rpool/zones/build1")
	if _, err := os.Stat(s.Path("/zones/build1")); !os.IsNotExist(err) {
		t.Errorf("destroyed clone's mountpoint still exists: %v", err)
	}
	s.OK("zfs", "destroy", "rpool/zones/golden@initial")
	simtest.Check(t, "after destroy", s.Run(nil, "zfs", "list", "-H", "-t", "all", "-o", "name", "-r", "rpool/zones"),
		"rpool/zones\nrpool/zones/golden\n", "", 0)
	entries, _ := os.ReadDir(filepath.Join(s.Root, core.SimDir, "zfs", "snap"))
	if len(entries) != 0 {
		t.Errorf("snapshot data left behind: %v", entries)
	}

	s.OK("zfs", "snapshot", "rpool/zones/golden@s1")
	s.OK("zfs", "clone", "rpool/zones/golden@s1", "rpool/zones/c1")
	s.OK("zfs", "destroy", "-R", "rpool/zones/golden")
	simtest.Check(t, "destroy -R", s.Run(nil, "zfs", "list", "-H", "-t", "all", "-o", "name", "-r", "rpool/zones"),
		"rpool/zones\n", "", 0)
}

func TestPromote(t *testing.T) {
	s := simtest.New(t)
	s.OK("zfs", "create", "rpool/zones/a")
	s.OK("zfs", "snapshot", "rpool/zones/a@s1")
	s.OK("zfs", "snapshot", "rpool/zones/a@s2")
	s.OK("zfs", "snapshot", "rpool/zones/a@s3")
	s.OK("zfs", "clone", "rpool/zones/a@s2", "rpool/zones/b")
	s.OK("zfs", "promote", "rpool/zones/b")
	simtest.Check(t, "after promote", s.Run(nil, "zfs", "list", "-H", "-t", "all", "-o", "name,origin", "-r", "rpool/zones"),
		"rpool/zones\t-\n"+
			"rpool/zones/a\trpool/zones/b@s2\n"+
			"rpool/zones/a@s3\t-\n"+
			"rpool/zones/b\t-\n"+
			"rpool/zones/b@s1\t-\n"+
			"rpool/zones/b@s2\t-\n", "", 0)
}

func TestAtomicMultiSnapshot(t *testing.T) {
	s := simtest.New(t)
	s.OK("zfs", "create", "rpool/zones/a")
	s.OK("zfs", "create", "rpool/zones/b")
	s.OK("zfs", "snapshot", "rpool/zones/b@s")
	simtest.Check(t, "one exists", s.Run(nil, "zfs", "snapshot", "rpool/zones/a@s", "rpool/zones/b@s"), "",
		"cannot create snapshot 'rpool/zones/b@s': dataset already exists\nno snapshots were created\n", 1)
	simtest.Check(t, "none created", s.Run(nil, "zfs", "list", "-H", "-t", "snapshot", "-o", "name"), "rpool/zones/b@s\n", "", 0)
	s.OK("zfs", "snapshot", "rpool/zones/a@t", "rpool/zones/b@t")
	r := s.Run(nil, "zfs", "list", "-Hp", "-t", "snapshot", "-o", "name,createtxg", "-s", "createtxg")
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	if len(lines) != 3 || strings.Split(lines[1], "\t")[1] != strings.Split(lines[2], "\t")[1] {
		t.Errorf("snapshots of one call do not share a txg:\n%s", r.Stdout)
	}
	s.OK("zfs", "snapshot", "-r", "rpool/zones@r")
	simtest.Check(t, "recursive", s.Run(nil, "zfs", "list", "-H", "-t", "snapshot", "-o", "name", "-r", "rpool/zones"),
		"rpool/zones@r\nrpool/zones/a@t\nrpool/zones/a@r\nrpool/zones/b@s\nrpool/zones/b@t\nrpool/zones/b@r\n", "", 0)
}

func TestParallelCreates(t *testing.T) {
	s := simtest.New(t)
	var wg sync.WaitGroup
	results := make([]simtest.Result, 20)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = s.Run(nil, "zfs", "create", fmt.Sprintf("rpool/zones/p%02d", i))
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.Code != 0 {
			t.Errorf("create p%02d: %+v", i, r)
		}
	}
	var want strings.Builder
	want.WriteString("rpool/zones\n")
	for i := range results {
		fmt.Fprintf(&want, "rpool/zones/p%02d\n", i)
	}
	simtest.Check(t, "all present", s.Run(nil, "zfs", "list", "-H", "-o", "name", "-r", "rpool/zones"), want.String(), "", 0)
}

func TestFailureInjection(t *testing.T) {
	s := simtest.New(t)
	s.OK("zfs", "create", "rpool/zones/a")
	s.OK("zfs", "snapshot", "rpool/zones/a@s")
	fail := []string{core.EnvFail + "=zfs clone#1:exit=1:msg=boom"}
	simtest.Check(t, "first clone", s.Run(fail, "zfs", "clone", "rpool/zones/a@s", "rpool/zones/c"), "", "boom\n", 1)
	simtest.Check(t, "no state change", s.Run(nil, "zfs", "list", "-H", "-o", "name", "rpool/zones/c"), "",
		"cannot open 'rpool/zones/c': dataset does not exist\n", 1)
	simtest.Check(t, "second clone", s.Run(fail, "zfs", "clone", "rpool/zones/a@s", "rpool/zones/c"), "", "", 0)

	entries, err := core.ReadLog(s.Root)
	if err != nil {
		t.Fatal(err)
	}
	var clones []core.LogEntry
	for _, e := range entries {
		if e.Tool == "zfs" && e.Sub == "clone" {
			clones = append(clones, e)
		}
	}
	if len(clones) != 2 || !clones[0].Injected || clones[0].Exit != 1 || clones[1].Injected || clones[1].Exit != 0 || !clones[1].Mutating {
		t.Errorf("command log of the clones: %+v", clones)
	}
	want := []string{"zfs", "clone", "rpool/zones/a@s", "rpool/zones/c"}
	if len(clones) == 2 && strings.Join(clones[1].Argv, " ") != strings.Join(want, " ") {
		t.Errorf("logged argv %q, want %q", clones[1].Argv, want)
	}
	for _, e := range entries {
		if e.Sub == "list" && e.Mutating {
			t.Errorf("list logged as mutating: %+v", e)
		}
	}
}

func TestPrivileges(t *testing.T) {
	s := simtest.New(t)
	builder := []string{core.EnvUID + "=1003"}
	jim := []string{core.EnvUID + "=1002"}
	jenkins := []string{core.EnvUID + "=1001"}
	simtest.Check(t, "builder create", s.Run(builder, "zfs", "create", "rpool/zones/x"), "",
		"cannot create 'rpool/zones/x': permission denied\n", 1)
	simtest.Check(t, "builder pfexec create", s.Run(builder, "pfexec", "zfs", "create", "rpool/zones/x"), "",
		"cannot create 'rpool/zones/x': permission denied\n", 1)
	simtest.Check(t, "builder destroy", s.Run(builder, "zfs", "destroy", "rpool/export/home"), "",
		"cannot destroy 'rpool/export/home': permission denied\n", 1)
	simtest.Check(t, "builder snapshot", s.Run(builder, "zfs", "snapshot", "rpool/zones@s"), "",
		"cannot create snapshot 'rpool/zones@s': permission denied\n", 1)
	simtest.Check(t, "builder set", s.Run(builder, "zfs", "set", "atime=off", "rpool/zones"), "",
		"cannot set property for 'rpool/zones': permission denied\n", 1)
	simtest.Check(t, "builder reads", s.Run(builder, "zfs", "list", "-H", "-o", "name", "rpool/zones"), "rpool/zones\n", "", 0)
	simtest.Check(t, "jim without pfexec", s.Run(jim, "zfs", "create", "rpool/zones/x"), "",
		"cannot create 'rpool/zones/x': permission denied\n", 1)
	simtest.Check(t, "jim via pfexec", s.Run(jim, "pfexec", "zfs", "create", "rpool/zones/x"), "", "", 0)
	simtest.Check(t, "jenkins via pfexec", s.Run(jenkins, "pfexec", "zfs", "create", "rpool/zones/y"), "", "", 0)
	simtest.Check(t, "created", s.Run(nil, "zfs", "list", "-H", "-o", "name", "-r", "rpool/zones"),
		"rpool/zones\nrpool/zones/x\nrpool/zones/y\n", "", 0)
	simtest.Check(t, "jim zpool via pfexec reads", s.Run(jim, "pfexec", "zpool", "list", "-Ho", "name"), "rpool\n", "", 0)
}

func TestZpool(t *testing.T) {
	s := simtest.New(t)
	simtest.Check(t, "list -Ho name", s.Run(nil, "zpool", "list", "-Ho", "name"), "rpool\n", "", 0)
	r := s.Run(nil, "zpool", "get", "-Hp", "name,health,size,readonly,dedupratio,fragmentation,freeing,leaked", "rpool")
	simtest.Check(t, "get -Hp", r,
		"rpool\tname\trpool\t-\nrpool\thealth\tONLINE\t-\nrpool\tsize\t107374182400\t-\nrpool\treadonly\toff\t-\n"+
			"rpool\tdedupratio\t1.00x\t-\nrpool\tfragmentation\t3%\t-\nrpool\tfreeing\t0\t-\nrpool\tleaked\t0\t-\n", "", 0)
	simtest.Check(t, "no such pool", s.Run(nil, "zpool", "get", "-Hp", "name", "tank"), "", "cannot open 'tank': no such pool\n", 1)
	r = s.Run(nil, "zpool", "list", "-o", "bogus")
	if r.Code != 2 || !strings.HasPrefix(r.Stderr, "bad property list: invalid property 'bogus'\nusage:\n\tlist ") {
		t.Errorf("zpool list -o bogus: %+v", r)
	}
}

// TestMountTakesADatasetName: zfs_main.c share_mount() hands its single
// operand to zfs_open(), whose name check refuses a path.
func TestMountTakesADatasetName(t *testing.T) {
	s := simtest.New(t)
	s.OK("zfs", "create", "-o", "canmount=noauto", "-o", "mountpoint=/data", "rpool/zones/m1")
	simtest.Check(t, "path", s.Run(nil, "zfs", "mount", "/data"), "", "cannot open '/data': leading slash in name\n", 1)
	simtest.Check(t, "not mounted by create (noauto)", s.Run(nil, "zfs", "list", "-H", "-o", "mounted", "rpool/zones/m1"), "no\n", "", 0)
	s.OK("zfs", "mount", "rpool/zones/m1")
	simtest.Check(t, "mounted", s.Run(nil, "zfs", "list", "-H", "-o", "mounted", "rpool/zones/m1"), "yes\n", "", 0)
	// zfs_prop_set(): canmount=noauto neither unmounts nor remounts.
	s.OK("zfs", "set", "canmount=on", "rpool/zones/m1")
	s.OK("zfs", "set", "canmount=noauto", "rpool/zones/m1")
	simtest.Check(t, "still mounted", s.Run(nil, "zfs", "list", "-H", "-o", "mounted", "rpool/zones/m1"), "yes\n", "", 0)
	// A child with its own mountpoint stays where it is when its parent's
	// mountpoint moves (changelist_gather()).
	s.OK("zfs", "create", "-o", "mountpoint=/elsewhere", "rpool/zones/m1/c")
	s.OK("zfs", "set", "mountpoint=/data2", "rpool/zones/m1")
	simtest.Check(t, "child", s.Run(nil, "zfs", "list", "-H", "-o", "name,mountpoint,mounted", "-r", "rpool/zones/m1"),
		"rpool/zones/m1\t/data2\tyes\nrpool/zones/m1/c\t/elsewhere\tyes\n", "", 0)
}

// TestChangelistPostfix: after a change of mountpoint, sharenfs or
// sharesmb, libzfs_changelist.c changelist_postfix() mounts what was
// mounted, and an unmounted filesystem with canmount=on when the
// mountpoint was legacy or none (unless the changed filesystem has
// canmount=noauto) or when it is shared; a failed mount is reported and
// the others are still tried.
func TestChangelistPostfix(t *testing.T) {
	s := simtest.New(t)
	mounted := func(name, root, want string) {
		t.Helper()
		simtest.Check(t, name, s.Run(nil, "zfs", "list", "-H", "-r", "-o", "name,mounted", root), want, "", 0)
	}
	// Unmounted filesystems with canmount=on: sharing one mounts it and
	// the children that inherit the share; one with both share
	// properties set locally stays as it is.
	s.OK("zfs", "create", "-o", "mountpoint=none", "rpool/zones/s")
	s.OK("zfs", "create", "-o", "mountpoint=/s1", "rpool/zones/s/a")
	s.OK("zfs", "create", "rpool/zones/s/a/b")
	s.OK("zfs", "create", "-o", "sharenfs=off", "-o", "sharesmb=off", "rpool/zones/s/a/own")
	s.OK("zfs", "umount", "rpool/zones/s/a/own")
	s.OK("zfs", "umount", "rpool/zones/s/a/b")
	s.OK("zfs", "umount", "rpool/zones/s/a")
	mounted("before", "rpool/zones/s", "rpool/zones/s\tno\nrpool/zones/s/a\tno\nrpool/zones/s/a/b\tno\nrpool/zones/s/a/own\tno\n")
	s.OK("zfs", "set", "sharenfs=on", "rpool/zones/s/a")
	mounted("shared", "rpool/zones/s", "rpool/zones/s\tno\nrpool/zones/s/a\tyes\nrpool/zones/s/a/b\tyes\nrpool/zones/s/a/own\tno\n")

	// canmount=noauto is not mounted by sharing.
	s.OK("zfs", "create", "-o", "canmount=noauto", "-o", "mountpoint=/n1", "rpool/zones/n")
	s.OK("zfs", "set", "sharesmb=on", "rpool/zones/n")
	mounted("noauto shared", "rpool/zones/n", "rpool/zones/n\tno\n")

	// From mountpoint=none: the canmount=on filesystems are mounted; from
	// legacy with canmount=noauto on the changed filesystem: its child is
	// not.
	s.OK("zfs", "create", "-o", "mountpoint=none", "rpool/zones/w")
	s.OK("zfs", "create", "rpool/zones/w/c")
	s.OK("zfs", "set", "mountpoint=/w", "rpool/zones/w")
	mounted("was none", "rpool/zones/w", "rpool/zones/w\tyes\nrpool/zones/w/c\tyes\n")
	s.OK("zfs", "create", "-o", "mountpoint=legacy", "-o", "canmount=noauto", "rpool/zones/l")
	s.OK("zfs", "create", "rpool/zones/l/c")
	s.OK("zfs", "set", "mountpoint=/l", "rpool/zones/l")
	mounted("was legacy, noauto", "rpool/zones/l", "rpool/zones/l\tno\nrpool/zones/l/c\tno\n")

	// A mount that fails does not stop the others; the property stays
	// set and zfs set fails.
	s.OK("zfs", "create", "-o", "mountpoint=none", "rpool/zones/f")
	s.OK("zfs", "create", "-o", "mountpoint=/f1", "rpool/zones/f/x")
	s.OK("zfs", "create", "-o", "mountpoint=/f2", "rpool/zones/f/y")
	s.OK("zfs", "umount", "rpool/zones/f/x")
	s.OK("zfs", "umount", "rpool/zones/f/y")
	if err := os.MkdirAll(s.Path("/f1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.Path("/f1/squatter"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	simtest.Check(t, "one mount fails", s.Run(nil, "zfs", "set", "sharenfs=on", "rpool/zones/f"), "",
		"cannot mount '/f1': directory is not empty\n", 1)
	mounted("after the failure", "rpool/zones/f", "rpool/zones/f\tno\nrpool/zones/f/x\tno\nrpool/zones/f/y\tyes\n")
	simtest.Check(t, "set anyway", s.Run(nil, "zfs", "get", "-H", "-o", "value", "sharenfs", "rpool/zones/f"), "on\n", "", 0)
}

// One zfs snapshot call takes snapshots in one pool only: zfs_ioctl.c
// zfs_ioc_snapshot() refuses a snapshot outside the first one's pool with
// EXDEV, which libzfs_dataset.c zfs_snapshot_nvl() reports as it does
// the same file system twice; nothing is created.
func TestSnapshotAcrossPoolsRefused(t *testing.T) {
	s := simtest.New(t)
	if err := zfs.AddPool(s.Root, "tank"); err != nil {
		t.Fatal(err)
	}
	s.OK("zfs", "create", "rpool/zones/a")
	s.OK("zfs", "create", "tank/ccache")
	simtest.Check(t, "two pools", s.Run(nil, "zfs", "snapshot", "rpool/zones/a@s", "tank/ccache@s"), "",
		"cannot create snapshots : multiple snapshots of same fs not allowed\nno snapshots were created\n", 1)
	simtest.Check(t, "none created", s.Run(nil, "zfs", "list", "-H", "-t", "snapshot", "-o", "name"), "", "", 0)
	s.OK("zfs", "snapshot", "tank/ccache@s")
	simtest.Check(t, "tank mounted on /tank", s.Run(nil, "zfs", "list", "-H", "-o", "name,mountpoint", "-r", "tank"), "tank\t/tank\ntank/ccache\t/tank/ccache\n", "", 0)
}
