package zfs_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zfs"
)

var gizProps = map[string]string{"compression": "gzip-9", "dedup": "off"}

// gizCreate is the tuned create of the GIZ container, -o options sorted.
var gizCreate = []string{"zfs", "create",
	"-o", "atime=off", "-o", "canmount=on", "-o", "com.sun:auto-snapshot=false",
	"-o", "compression=gzip-9", "-o", "dedup=off", "rpool/zones/_zonemgr/GIZ"}

func argvs(cmds []illumos.Cmd) [][]string {
	var out [][]string
	for _, c := range cmds {
		out = append(out, c.Argv)
	}
	return out
}

func TestLineage(t *testing.T) {
	got := zfs.Lineage("rpool/zones/_zonemgr/GIZ")
	want := []string{"rpool", "rpool/zones", "rpool/zones/_zonemgr", "rpool/zones/_zonemgr/GIZ"}
	if !slices.Equal(got, want) {
		t.Errorf("Lineage = %q, want %q", got, want)
	}
}

func TestPlanContainer(t *testing.T) {
	tests := []struct {
		name       string
		target     string
		props      map[string]string
		mountpoint string
		existing   []string
		want       [][]string
		wantErr    string
	}{
		{
			name:     "exists",
			target:   "rpool/zones/_zonemgr/GIZ",
			props:    gizProps,
			existing: []string{"rpool/zones/_zonemgr/GIZ"},
			want:     nil,
		},
		{
			name:     "parent exists",
			target:   "rpool/zones/_zonemgr/GIZ",
			props:    gizProps,
			existing: []string{"rpool/zones/_zonemgr"},
			want:     [][]string{gizCreate},
		},
		{
			name:     "only the pool",
			target:   "rpool/zones/_zonemgr/GIZ",
			props:    gizProps,
			existing: []string{"rpool"},
			want:     [][]string{argv("zfs create rpool/zones"), argv("zfs create rpool/zones/_zonemgr"), gizCreate},
		},
		{
			name:     "whole listing",
			target:   "rpool/zones/_zonemgr/GIZ",
			props:    gizProps,
			existing: []string{"rpool", "rpool/ROOT", "rpool/zones", "rpool/export"},
			want:     [][]string{argv("zfs create rpool/zones/_zonemgr"), gizCreate},
		},
		{
			name:       "mountpoint and overrides",
			target:     "tank/DIZ",
			props:      map[string]string{"compression": "zle", "dedup": "off", "atime": "on"},
			mountpoint: "/zones/diz",
			existing:   []string{"tank"},
			want: [][]string{{"zfs", "create", "-o", "atime=on", "-o", "canmount=on", "-o", "com.sun:auto-snapshot=false",
				"-o", "compression=zle", "-o", "dedup=off", "-o", "mountpoint=/zones/diz", "tank/DIZ"}},
		},
		{
			name:     "no pool",
			target:   "nopool/zones/GIZ",
			existing: []string{"rpool"},
			wantErr:  "plan container nopool/zones/GIZ: pool nopool: dataset does not exist",
		},
		{
			name:    "bad name",
			target:  "rpool/zones/",
			wantErr: `plan container rpool/zones/: invalid dataset name "rpool/zones/": trailing slash in name`,
		},
		{
			name:       "relative mountpoint",
			target:     "rpool/GIZ",
			mountpoint: "zones",
			existing:   []string{"rpool"},
			wantErr:    `plan container rpool/GIZ: mountpoint "zones" is not an absolute path`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var existing []zfs.Dataset
			for _, n := range tt.existing {
				existing = append(existing, ds(n))
			}
			cmds, err := zfs.PlanContainer(tt.target, tt.props, tt.mountpoint, existing)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error:\n got  %v\n want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := argvs(cmds); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("plan:\n got  %q\n want %q", got, tt.want)
			}
		})
	}
}

func missing(name string) step {
	return step{argv: argv("zfs list -H -p -o name " + name), stderr: "cannot open '" + name + "': dataset does not exist\n", exit: 1}
}

func present(name string) step {
	return step{argv: argv("zfs list -H -p -o name " + name), stdout: name + "\n"}
}

func TestCheckContainer(t *testing.T) {
	ctx := context.Background()
	t.Run("present costs one listing", func(t *testing.T) {
		r := newFake(t, present("rpool/zones/_zonemgr/GIZ"))
		cmds, err := zfs.CheckContainer(ctx, r, "rpool/zones/_zonemgr/GIZ", gizProps, "")
		if err != nil || len(cmds) != 0 {
			t.Errorf("CheckContainer = %q, %v; want no commands", argvs(cmds), err)
		}
	})
	t.Run("walks up to the pool", func(t *testing.T) {
		r := newFake(t,
			missing("rpool/zones/_zonemgr/GIZ"),
			missing("rpool/zones/_zonemgr"),
			present("rpool/zones"),
		)
		cmds, err := zfs.CheckContainer(ctx, r, "rpool/zones/_zonemgr/GIZ", gizProps, "")
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{argv("zfs create rpool/zones/_zonemgr"), gizCreate}
		if got := argvs(cmds); !reflect.DeepEqual(got, want) {
			t.Errorf("plan:\n got  %q\n want %q", got, want)
		}
	})
	t.Run("no pool", func(t *testing.T) {
		r := newFake(t, missing("nopool/GIZ"), missing("nopool"))
		_, err := zfs.CheckContainer(ctx, r, "nopool/GIZ", gizProps, "")
		if !errors.Is(err, zfs.ErrNotExist) || err.Error() != "plan container nopool/GIZ: pool nopool: dataset does not exist" {
			t.Errorf("error = %v", err)
		}
	})
	t.Run("listing fails", func(t *testing.T) {
		r := newFake(t, step{argv: argv("zfs list -H -p -o name rpool/GIZ"), stderr: "permission denied\n", exit: 1})
		_, err := zfs.CheckContainer(ctx, r, "rpool/GIZ", gizProps, "")
		want := "check container rpool/GIZ: list datasets: zfs list -H -p -o name rpool/GIZ: exit status 1: permission denied"
		if err == nil || err.Error() != want {
			t.Errorf("error:\n got  %v\n want %s", err, want)
		}
	})
}

func TestEnsureContainer(t *testing.T) {
	ctx := context.Background()
	t.Run("creates", func(t *testing.T) {
		r := newFake(t,
			missing("rpool/zones/_zonemgr/GIZ"),
			missing("rpool/zones/_zonemgr"),
			present("rpool/zones"),
			step{argv: argv("zfs create rpool/zones/_zonemgr")},
			step{argv: gizCreate},
		)
		created, err := zfs.EnsureContainer(ctx, r, "rpool/zones/_zonemgr/GIZ", gizProps, "")
		if err != nil || !created {
			t.Errorf("EnsureContainer = %v, %v; want true, nil", created, err)
		}
	})
	t.Run("existing is left alone", func(t *testing.T) {
		r := newFake(t, present("rpool/zones/_zonemgr/GIZ"))
		created, err := zfs.EnsureContainer(ctx, r, "rpool/zones/_zonemgr/GIZ", gizProps, "/zones/giz")
		if err != nil || created {
			t.Errorf("EnsureContainer = %v, %v; want false, nil", created, err)
		}
	})
	t.Run("failure destroys the new parents", func(t *testing.T) {
		// No zfs library is registered: the undo runs through the runner.
		r := newFake(t,
			missing("rpool/zones/_zonemgr/GIZ"),
			missing("rpool/zones/_zonemgr"),
			missing("rpool/zones"),
			present("rpool"),
			step{argv: argv("zfs create rpool/zones")},
			step{argv: argv("zfs create rpool/zones/_zonemgr")},
			step{argv: gizCreate, stderr: "cannot create 'rpool/zones/_zonemgr/GIZ': permission denied\n", exit: 1},
			step{argv: argv("zfs destroy rpool/zones/_zonemgr")},
			step{argv: argv("zfs destroy rpool/zones")},
		)
		created, err := zfs.EnsureContainer(ctx, r, "rpool/zones/_zonemgr/GIZ", gizProps, "")
		want := "ensure container rpool/zones/_zonemgr/GIZ: create dataset rpool/zones/_zonemgr/GIZ: " + illumos.QuoteArgv(gizCreate) +
			": exit status 1: cannot create 'rpool/zones/_zonemgr/GIZ': permission denied"
		if created || err == nil || err.Error() != want {
			t.Errorf("EnsureContainer = %v, %v\n want false, %s", created, err, want)
		}
	})
}
