package zfs_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/internal/zfs"
)

func TestValidDatasetName(t *testing.T) {
	long := "rpool/" + strings.Repeat("a", zfs.MaxNameLen-len("rpool/"))
	tests := []struct {
		name   string
		reason string // "" for valid
	}{
		{"rpool", ""},
		{"rpool/zones/_zonemgr/GIZ", ""},
		{"tank/a-b_c.d:e/0", ""},
		{"Data/x", ""},
		{long, ""},
		{long + "a", "name is too long"},
		{"", "empty component in name"},
		{"/rpool/zones", "leading slash in name"},
		{"rpool/zones/", "trailing slash in name"},
		{"rpool//zones", "empty component in name"},
		{"rpool/zones@snap", "snapshot delimiter '@' is not expected here"},
		{"rpool/zones#mark", "bookmark delimiter '#' is not expected here"},
		{"rpool/zo!nes", "invalid character '!' in name"},
		{"rpool/my zone", "invalid character ' ' in name"},
		{"rpool/a%b", "invalid character '%' in name"},
		{"rpool/a\tb", `invalid character '\t' in name`},
		{"rpool/./a", "name is reserved"},
		{"rpool/..", "name is reserved"},
		{"1pool/a", "pool doesn't begin with a letter"},
		{"_pool", "pool doesn't begin with a letter"},
		{"-r", "pool doesn't begin with a letter"},
		{"mirror/a", "name is reserved"},
		{"raidz", "name is reserved"},
		{"c0t0d0/a", "reserved disk name"},
		{"c/a", ""},
		{"mirrored/a", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := zfs.ValidDatasetName(tt.name)
			checkNameErr(t, err, "dataset", tt.name, tt.reason)
		})
	}
}

func TestValidSnapshotName(t *testing.T) {
	tests := []struct {
		name   string
		reason string
	}{
		{"rpool/zones/g/ROOT/zbe@initial-installed-g", ""},
		{"rpool@s", ""},
		{"rpool/z@autozone-20240101T000000Z", ""},
		{"rpool/z@a:b.c_d-e", ""},
		{"rpool/z", "missing '@' delimiter in snapshot name"},
		{"rpool/z@", "empty component in name"},
		{"@s", "empty component in name"},
		{"rpool/z@a@b", "multiple '@' and/or '#' delimiters in name"},
		{"rpool/z@a#b", "multiple '@' and/or '#' delimiters in name"},
		{"rpool/z@a/b", "trailing slash in name"},
		{"rpool/z@a b", "invalid character ' ' in name"},
		{"rpool//z@a", "empty component in name"},
		{"9pool/z@a", "pool doesn't begin with a letter"},
		{"rpool/" + strings.Repeat("z", 250) + "@s", "name is too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkNameErr(t, zfs.ValidSnapshotName(tt.name), "snapshot", tt.name, tt.reason)
		})
	}
}

func TestValidPoolName(t *testing.T) {
	tests := []struct {
		name   string
		reason string
	}{
		{"rpool", ""},
		{"tank.2", ""},
		{"log", ""},
		{"rpool/a", "invalid character '/' in name"},
		{"", "empty component in name"},
		{"2tank", "pool doesn't begin with a letter"},
		{"mirror", "name is reserved"},
		{"c1", "reserved disk name"},
		{strings.Repeat("p", 239), ""},
		{strings.Repeat("p", 240), "name is too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkNameErr(t, zfs.ValidPoolName(tt.name), "pool", tt.name, tt.reason)
		})
	}
}

func checkNameErr(t *testing.T, err error, kind, name, reason string) {
	t.Helper()
	if reason == "" {
		if err != nil {
			t.Errorf("%q: unexpected error %v", name, err)
		}
		return
	}
	var ne *zfs.NameError
	if !errors.As(err, &ne) {
		t.Fatalf("%q: error %v, want a *NameError with reason %q", name, err, reason)
	}
	if ne.Kind != kind || ne.Name != name || ne.Reason != reason {
		t.Errorf("%q: NameError{%q, %q, %q}, want kind %q reason %q", name, ne.Kind, ne.Name, ne.Reason, kind, reason)
	}
}
