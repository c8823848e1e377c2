package zfs_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zfs"
)

func ds(name string, kv ...string) zfs.Dataset {
	d := zfs.Dataset{Name: name, Props: map[string]string{}}
	for i := 0; i < len(kv); i += 2 {
		d.Props[kv[i]] = kv[i+1]
	}
	return d
}

// The golden files are the -H -p samples of illumos-commands.md §6.1.
func TestParseListGolden(t *testing.T) {
	tests := []struct {
		file  string
		props []string
		want  []zfs.Dataset
	}{
		{
			file:  "testdata/list-r-origin-used-available-mountpoint.txt",
			props: []string{"origin", "used", "available", "mountpoint"},
			want: []zfs.Dataset{
				ds("rpool/zones", "origin", "-", "used", "1288490188", "available", "49283829760", "mountpoint", "/zones"),
				ds("rpool/zones/build1", "origin", "-", "used", "1318912", "available", "49283829760", "mountpoint", "/zones/build1"),
				ds("rpool/zones/build1/ROOT", "origin", "-", "used", "1228800", "available", "49283829760", "mountpoint", "legacy"),
				ds("rpool/zones/build1/ROOT/zbe", "origin", "rpool/zones/golden/ROOT/zbe@build1_snap", "used", "1228800", "available", "49283829760", "mountpoint", "legacy"),
				ds("rpool/zones/golden", "origin", "-", "used", "1287159808", "available", "49283829760", "mountpoint", "/zones/golden"),
				ds("rpool/zones/golden/ROOT", "origin", "-", "used", "1287094272", "available", "49283829760", "mountpoint", "legacy"),
				ds("rpool/zones/golden/ROOT/zbe", "origin", "-", "used", "1287094272", "available", "49283829760", "mountpoint", "legacy"),
			},
		},
		{
			file:  "testdata/list-snapshot-used-referenced.txt",
			props: []string{"used", "referenced"},
			want: []zfs.Dataset{
				ds("rpool/zones/golden/ROOT/zbe@build1_snap", "used", "0", "referenced", "1287024640"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := zfs.ParseList(tt.props, b)
			if err != nil {
				t.Fatalf("ParseList: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseList:\n got  %v\n want %v", got, tt.want)
			}
		})
	}
}

func TestDatasetValues(t *testing.T) {
	d := ds("p/a", "origin", "-", "used", "1228800", "quota", "-", "mountpoint", "/a")
	if got := d.Value("origin"); got != "" {
		t.Errorf(`Value("origin") = %q, want "" for "-"`, got)
	}
	if got := d.Value("mountpoint"); got != "/a" {
		t.Errorf(`Value("mountpoint") = %q, want "/a"`, got)
	}
	if n, err := d.Uint("used"); err != nil || n != 1228800 {
		t.Errorf(`Uint("used") = %d, %v; want 1228800`, n, err)
	}
	if n, err := d.Uint("quota"); err != nil || n != 0 {
		t.Errorf(`Uint("quota") = %d, %v; want 0 for "-"`, n, err)
	}
	if _, err := d.Uint("mountpoint"); err == nil {
		t.Error(`Uint("mountpoint") succeeded on "/a"`)
	}
	if _, err := d.Uint("creation"); err == nil || err.Error() != "dataset p/a: property creation was not listed" {
		t.Errorf(`Uint("creation") error = %v`, err)
	}
}

func TestParseList(t *testing.T) {
	tests := []struct {
		name    string
		props   []string
		in      string
		want    []zfs.Dataset
		wantErr string
	}{
		{name: "empty", props: []string{"used"}, in: "", want: nil},
		{name: "no final newline", props: []string{"used"}, in: "p/a\t5", want: []zfs.Dataset{ds("p/a", "used", "5")}},
		{name: "names only", props: nil, in: "p\np/a\n", want: []zfs.Dataset{ds("p"), ds("p/a")}},
		{name: "mountpoint with space", props: []string{"mountpoint"}, in: "p/a\t/export/my home\n",
			want: []zfs.Dataset{ds("p/a", "mountpoint", "/export/my home")}},
		{name: "too few fields", props: []string{"origin", "used"}, in: "p\t-\t1\np/a\t-\n",
			wantErr: `zfs list output line 2: 2 fields, want 3 (name,origin,used): "p/a\t-"`},
		{name: "too many fields", props: []string{"used"}, in: "p/a\t1\t2\n",
			wantErr: `zfs list output line 1: 3 fields, want 2 (name,used): "p/a\t1\t2"`},
		{name: "blank line", props: []string{"used"}, in: "p\t1\n\np/a\t2\n",
			wantErr: `zfs list output line 2: 1 fields, want 2 (name,used): ""`},
		{name: "space separated", props: []string{"used"}, in: "p/a  1\n",
			wantErr: `zfs list output line 1: 1 fields, want 2 (name,used): "p/a  1"`},
		{name: "empty name", props: []string{"used"}, in: "\t1\n", wantErr: "zfs list output line 1: empty dataset name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := zfs.ParseList(tt.props, []byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseList error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseList: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseList:\n got  %v\n want %v", got, tt.want)
			}
		})
	}
}

func TestListCmd(t *testing.T) {
	tests := []struct {
		name    string
		opts    zfs.ListOptions
		want    []string
		wantErr string
	}{
		{name: "all datasets", opts: zfs.ListOptions{}, want: argv("zfs list -H -p -o name")},
		{
			name: "containers",
			opts: zfs.ListOptions{Props: []string{"origin", "mountpoint"}, Types: []string{"filesystem", "volume"}, Recursive: true, Names: []string{"rpool/zones"}},
			want: argv("zfs list -H -p -o name,origin,mountpoint -t filesystem,volume -r rpool/zones"),
		},
		{
			name: "snapshots by creation",
			opts: zfs.ListOptions{Types: []string{"snapshot"}, Depth: 1, SortBy: "creation", Names: []string{"rpool/zones/golden/ROOT/zbe"}},
			want: argv("zfs list -H -p -o name -t snapshot -d 1 -s creation rpool/zones/golden/ROOT/zbe"),
		},
		{
			name: "depth wins over recursive",
			opts: zfs.ListOptions{Recursive: true, Depth: 2, Names: []string{"p", "q/a@s"}},
			want: argv("zfs list -H -p -o name -d 2 p q/a@s"),
		},
		{name: "user property", opts: zfs.ListOptions{Props: []string{"com.sun:auto-snapshot"}}, want: argv("zfs list -H -p -o name,com.sun:auto-snapshot")},
		{name: "bad type", opts: zfs.ListOptions{Types: []string{"fs"}}, wantErr: `invalid dataset type "fs"`},
		{name: "comma in property", opts: zfs.ListOptions{Props: []string{"used,origin"}}, wantErr: `invalid property name "used,origin"`},
		{name: "option as property", opts: zfs.ListOptions{SortBy: "-r"}, wantErr: `invalid property name "-r"`},
		{name: "option as name", opts: zfs.ListOptions{Names: []string{"-r"}}, wantErr: `invalid dataset name "-r": pool doesn't begin with a letter`},
		{name: "bad name", opts: zfs.ListOptions{Names: []string{"p//a"}}, wantErr: `invalid dataset name "p//a": empty component in name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := zfs.ListCmd(tt.opts)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ListCmd error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ListCmd: %v", err)
			}
			if !slices.Equal(c.Argv, tt.want) {
				t.Errorf("ListCmd:\n got  %q\n want %q", c.Argv, tt.want)
			}
		})
	}
}

func TestList(t *testing.T) {
	ctx := context.Background()
	opts := zfs.ListOptions{Props: []string{"origin"}, Names: []string{"p/a", "p/b", "p/c"}}
	cmd := argv("zfs list -H -p -o name,origin p/a p/b p/c")

	t.Run("listed", func(t *testing.T) {
		r := newFake(t, step{argv: cmd, stdout: "p/a\t-\np/b\tp/a@s\np/c\t-\n"})
		got, err := zfs.List(ctx, r, opts)
		if err != nil {
			t.Fatal(err)
		}
		want := []zfs.Dataset{ds("p/a", "origin", "-"), ds("p/b", "origin", "p/a@s"), ds("p/c", "origin", "-")}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("List:\n got  %v\n want %v", got, want)
		}
	})

	t.Run("some missing", func(t *testing.T) {
		r := newFake(t, step{argv: cmd, stdout: "p/b\tp/a@s\n",
			stderr: "cannot open 'p/a': dataset does not exist\ncannot open 'p/c': dataset does not exist\n", exit: 1})
		got, err := zfs.List(ctx, r, opts)
		if want := []zfs.Dataset{ds("p/b", "origin", "p/a@s")}; !reflect.DeepEqual(got, want) {
			t.Errorf("List:\n got  %v\n want %v", got, want)
		}
		if !errors.Is(err, zfs.ErrNotExist) {
			t.Fatalf("List error %v does not match ErrNotExist", err)
		}
		var ne *zfs.NotExistError
		if !errors.As(err, &ne) || !slices.Equal(ne.Names, []string{"p/a", "p/c"}) {
			t.Errorf("List error names = %v, want [p/a p/c]", ne)
		}
		var ce *illumos.CommandError
		if !errors.As(err, &ce) || ce.ExitCode != 1 {
			t.Errorf("List error %v does not wrap the *CommandError", err)
		}
		wantMsg := "list datasets: zfs list -H -p -o name,origin p/a p/b p/c: exit status 1: " +
			"cannot open 'p/a': dataset does not exist\ncannot open 'p/c': dataset does not exist"
		if err.Error() != wantMsg {
			t.Errorf("List error:\n got  %q\n want %q", err, wantMsg)
		}
	})

	t.Run("other failure", func(t *testing.T) {
		r := newFake(t, step{argv: cmd, stdout: "p/b\t-\n",
			stderr: "cannot open 'p/a': dataset does not exist\ncannot iterate filesystems: I/O error\n", exit: 1})
		got, err := zfs.List(ctx, r, opts)
		if got != nil {
			t.Errorf("List returned %v with a failure that is not a missing dataset", got)
		}
		if err == nil {
			t.Fatal("List succeeded")
		}
	})

	t.Run("bad output", func(t *testing.T) {
		r := newFake(t, step{argv: cmd, stdout: "p/a\n"})
		_, err := zfs.List(ctx, r, opts)
		want := `list datasets: zfs list -H -p -o name,origin p/a p/b p/c: zfs list output line 1: 1 fields, want 2 (name,origin): "p/a"`
		if err == nil || err.Error() != want {
			t.Errorf("List error = %v, want %q", err, want)
		}
	})
}

// TestCommands asserts the exact argv of each runner-based wrapper and
// how a missing dataset is reported.
func TestCommands(t *testing.T) {
	props := map[string]string{"zoned": "on", "mountpoint": "legacy", "com.sun:auto-snapshot": "false"}
	tests := []struct {
		name string
		call func(context.Context, illumos.Runner) error
		want []string
	}{
		{
			name: "create",
			call: func(ctx context.Context, r illumos.Runner) error { return zfs.Create(ctx, r, "p/z/ROOT", props, false) },
			want: []string{"zfs", "create", "-o", "com.sun:auto-snapshot=false", "-o", "mountpoint=legacy", "-o", "zoned=on", "p/z/ROOT"},
		},
		{
			name: "create with parents",
			call: func(ctx context.Context, r illumos.Runner) error { return zfs.Create(ctx, r, "p/a/b", nil, true) },
			want: argv("zfs create -p p/a/b"),
		},
		{
			name: "create with spaced value",
			call: func(ctx context.Context, r illumos.Runner) error {
				return zfs.Create(ctx, r, "p/a", map[string]string{"org.example:note": "two words"}, false)
			},
			want: []string{"zfs", "create", "-o", "org.example:note=two words", "p/a"},
		},
		{
			name: "snapshot several at once",
			call: func(ctx context.Context, r illumos.Runner) error {
				return zfs.Snapshot(ctx, r, []string{"p/z/ROOT/zbe@s1", "p/deleg@s1"}, true, nil)
			},
			want: argv("zfs snapshot -r p/z/ROOT/zbe@s1 p/deleg@s1"),
		},
		{
			name: "snapshot with property",
			call: func(ctx context.Context, r illumos.Runner) error {
				return zfs.Snapshot(ctx, r, []string{"p/a@s"}, false, map[string]string{"zonemgr:comment": "x"})
			},
			want: argv("zfs snapshot -o zonemgr:comment=x p/a@s"),
		},
		{
			name: "clone",
			call: func(ctx context.Context, r illumos.Runner) error {
				return zfs.Clone(ctx, r, "p/g/ROOT/zbe@s", "p/d/ROOT/zbe", map[string]string{"canmount": "noauto"}, false)
			},
			want: argv("zfs clone -o canmount=noauto p/g/ROOT/zbe@s p/d/ROOT/zbe"),
		},
		{
			name: "clone with parents",
			call: func(ctx context.Context, r illumos.Runner) error {
				return zfs.Clone(ctx, r, "p/a@s", "p/x/b", nil, true)
			},
			want: argv("zfs clone -p p/a@s p/x/b"),
		},
		{
			name: "promote",
			call: func(ctx context.Context, r illumos.Runner) error { return zfs.Promote(ctx, r, "p/b") },
			want: argv("zfs promote p/b"),
		},
		{
			name: "mount",
			call: func(ctx context.Context, r illumos.Runner) error { return zfs.Mount(ctx, r, "p/b") },
			want: argv("zfs mount p/b"),
		},
		{
			name: "unmount",
			call: func(ctx context.Context, r illumos.Runner) error { return zfs.Unmount(ctx, r, "p/b", false) },
			want: argv("zfs unmount p/b"),
		},
		{
			name: "unmount forced",
			call: func(ctx context.Context, r illumos.Runner) error { return zfs.Unmount(ctx, r, "p/b", true) },
			want: argv("zfs unmount -f p/b"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(context.Background(), newFake(t, step{argv: tt.want})); err != nil {
				t.Errorf("error: %v", err)
			}
		})
	}
}

func TestCommandErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		step     step
		call     func(illumos.Runner) error
		notExist bool
		wantErr  string
	}{
		{
			name:     "snapshot of a missing dataset",
			step:     step{argv: argv("zfs snapshot p/x@s"), stderr: "cannot open 'p/x': dataset does not exist\n", exit: 1},
			call:     func(r illumos.Runner) error { return zfs.Snapshot(ctx, r, []string{"p/x@s"}, false, nil) },
			notExist: true,
			wantErr:  "snapshot p/x@s: zfs snapshot p/x@s: exit status 1: cannot open 'p/x': dataset does not exist",
		},
		{
			name:     "clone of a missing snapshot",
			step:     step{argv: argv("zfs clone p/a@nosuch p/b"), stderr: "cannot open 'p/a@nosuch': dataset does not exist\n", exit: 1},
			call:     func(r illumos.Runner) error { return zfs.Clone(ctx, r, "p/a@nosuch", "p/b", nil, false) },
			notExist: true,
			wantErr:  "clone p/a@nosuch to p/b: zfs clone p/a@nosuch p/b: exit status 1: cannot open 'p/a@nosuch': dataset does not exist",
		},
		{
			name:    "create of an existing dataset",
			step:    step{argv: argv("zfs create p/a"), stderr: "cannot create 'p/a': dataset already exists\n", exit: 1},
			call:    func(r illumos.Runner) error { return zfs.Create(ctx, r, "p/a", nil, false) },
			wantErr: "create dataset p/a: zfs create p/a: exit status 1: cannot create 'p/a': dataset already exists",
		},
		{
			name:    "create without parent",
			step:    step{argv: argv("zfs create p/a/b"), stderr: "cannot create 'p/a/b': parent does not exist\n", exit: 1},
			call:    func(r illumos.Runner) error { return zfs.Create(ctx, r, "p/a/b", nil, false) },
			wantErr: "create dataset p/a/b: zfs create p/a/b: exit status 1: cannot create 'p/a/b': parent does not exist",
		},
		{
			name:    "promote of a non-clone",
			step:    step{argv: argv("zfs promote p/a"), stderr: "cannot promote 'p/a': not a cloned filesystem\n", exit: 1},
			call:    func(r illumos.Runner) error { return zfs.Promote(ctx, r, "p/a") },
			wantErr: "promote p/a: zfs promote p/a: exit status 1: cannot promote 'p/a': not a cloned filesystem",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(newFake(t, tt.step))
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("error:\n got  %v\n want %s", err, tt.wantErr)
			}
			if got := errors.Is(err, zfs.ErrNotExist); got != tt.notExist {
				t.Errorf("errors.Is(err, ErrNotExist) = %v, want %v", got, tt.notExist)
			}
			var ce *illumos.CommandError
			if !errors.As(err, &ce) || ce.ExitCode != tt.step.exit {
				t.Errorf("error does not wrap the *CommandError with exit %d", tt.step.exit)
			}
		})
	}
}

func TestInvalidArgumentsRunNothing(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		call    func(illumos.Runner) error
		wantErr string
	}{
		{"create snapshot name", func(r illumos.Runner) error { return zfs.Create(ctx, r, "p/a@s", nil, false) },
			`create dataset p/a@s: invalid dataset name "p/a@s": snapshot delimiter '@' is not expected here`},
		{"create bad property", func(r illumos.Runner) error {
			return zfs.Create(ctx, r, "p/a", map[string]string{"a=b": "c"}, false)
		}, `create dataset p/a: invalid property name "a=b"`},
		{"snapshot nothing", func(r illumos.Runner) error { return zfs.Snapshot(ctx, r, nil, false, nil) },
			"snapshot : no snapshot names"},
		{"snapshot without @", func(r illumos.Runner) error { return zfs.Snapshot(ctx, r, []string{"p/a"}, false, nil) },
			`snapshot p/a: invalid snapshot name "p/a": missing '@' delimiter in snapshot name`},
		{"clone from a filesystem", func(r illumos.Runner) error { return zfs.Clone(ctx, r, "p/a", "p/b", nil, false) },
			`clone p/a to p/b: invalid snapshot name "p/a": missing '@' delimiter in snapshot name`},
		{"clone to a snapshot", func(r illumos.Runner) error { return zfs.Clone(ctx, r, "p/a@s", "p/b@t", nil, false) },
			`clone p/a@s to p/b@t: invalid dataset name "p/b@t": snapshot delimiter '@' is not expected here`},
		{"mount an option", func(r illumos.Runner) error { return zfs.Mount(ctx, r, "-a") },
			`mount -a: invalid dataset name "-a": pool doesn't begin with a letter`},
		{"get bad property", func(r illumos.Runner) error {
			_, _, err := zfs.GetProperty(ctx, r, "p/a", "")
			return err
		}, "get  of p/a: empty property name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(newFake(t))
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("error:\n got  %v\n want %s", err, tt.wantErr)
			}
		})
	}
}

func TestGetProperty(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		stdout     string
		value, src string
		wantErr    string
	}{
		{name: "local", stdout: "legacy\tlocal\n", value: "legacy", src: "local"},
		{name: "inherited", stdout: "gzip-9\tinherited from rpool/zones/_zonemgr\n", value: "gzip-9", src: "inherited from rpool/zones/_zonemgr"},
		{name: "unset user property", stdout: "-\t-\n", value: "-", src: "-"},
		{name: "exact number", stdout: "1288490188\t-\n", value: "1288490188", src: "-"},
		{name: "no output", stdout: "", wantErr: `get mountpoint of p/a: zfs get -H -p -o value,source mountpoint p/a: want one line "value<TAB>source", got ""`},
		{name: "two lines", stdout: "a\tlocal\nb\tlocal\n", wantErr: `get mountpoint of p/a: zfs get -H -p -o value,source mountpoint p/a: want one line "value<TAB>source", got "a\tlocal\nb\tlocal\n"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newFake(t, step{argv: argv("zfs get -H -p -o value,source mountpoint p/a"), stdout: tt.stdout})
			v, src, err := zfs.GetProperty(ctx, r, "p/a", "mountpoint")
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error:\n got  %v\n want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v != tt.value || src != tt.src {
				t.Errorf("GetProperty = %q, %q; want %q, %q", v, src, tt.value, tt.src)
			}
		})
	}

	t.Run("missing dataset", func(t *testing.T) {
		r := newFake(t, step{argv: argv("zfs get -H -p -o value,source origin p/x"), stderr: "cannot open 'p/x': dataset does not exist\n", exit: 1})
		_, _, err := zfs.GetProperty(ctx, r, "p/x", "origin")
		if !errors.Is(err, zfs.ErrNotExist) {
			t.Errorf("error %v does not match ErrNotExist", err)
		}
	})
}

func TestSnapshotRecords(t *testing.T) {
	out := "p/g@a\tzonemgr:run\tr1\tlocal\n" +
		"p/g@a\tclones\tp/d1/ROOT/zbe,rpool/export/x\t-\n" +
		"p/g/ROOT/zbe@mine\tzonemgr:run\tr0\tinherited from p/g\n" +
		"p/g/ROOT/zbe@mine\tclones\t\t-\n" +
		"p/g/ROOT/zbe@none\tzonemgr:run\t-\t-\n" +
		"p/g/ROOT/zbe@none\tclones\t\t-\n" +
		"p/g/ROOT/zbe@empty\tzonemgr:run\t\tlocal\n" +
		"p/g/ROOT/zbe@empty\tclones\t\t-\n"
	r := newFake(t, step{argv: argv("zfs get -H -p -r -t snapshot -o name,property,value,source zonemgr:run,clones p/g"), stdout: out})
	got, err := zfs.SnapshotRecords(context.Background(), r, "p/g", "zonemgr:run")
	want := []zfs.SnapshotRecord{
		{Name: "p/g@a", Recorded: true, Clones: []string{"p/d1/ROOT/zbe", "rpool/export/x"}},
		{Name: "p/g/ROOT/zbe@mine"},
		{Name: "p/g/ROOT/zbe@none"},
		{Name: "p/g/ROOT/zbe@empty"},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("SnapshotRecords = %+v, %v\nwant %+v", got, err, want)
	}
	bad := newFake(t, step{argv: argv("zfs get -H -p -r -t snapshot -o name,property,value,source zonemgr:run,clones p/g"), stdout: "p/g@a\tclones\n"})
	if _, err := zfs.SnapshotRecords(context.Background(), bad, "p/g", "zonemgr:run"); err == nil || !strings.Contains(err.Error(), "want 4 tab-separated fields") {
		t.Errorf("a short line: %v", err)
	}
}

func TestLocalValues(t *testing.T) {
	out := "p/d\tr1\n" +
		"p/d@zonemgr-exec-1\tr2\n"
	r := newFake(t, step{argv: argv("zfs get -H -p -r -s local -o name,value zonemgr:run p/d p/e"), stdout: out})
	got, err := zfs.LocalValues(context.Background(), r, "zonemgr:run", []string{"p/d", "p/e"})
	want := map[string]string{"p/d": "r1", "p/d@zonemgr-exec-1": "r2"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("LocalValues = %v, %v\nwant %v", got, err, want)
	}
	bad := newFake(t, step{argv: argv("zfs get -H -p -r -s local -o name,value zonemgr:run p/d"), stdout: "p/d\n"})
	if _, err := zfs.LocalValues(context.Background(), bad, "zonemgr:run", []string{"p/d"}); err == nil || !strings.Contains(err.Error(), "want \"name<TAB>value\"") {
		t.Errorf("a short line: %v", err)
	}
	if _, err := zfs.LocalValuesCmd("zonemgr:run", nil); err == nil {
		t.Error("no dataset: no error")
	}
}
