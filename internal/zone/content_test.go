package zone

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

func TestNormalizePackages(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
		err  string
	}{
		{"order and duplicates", []string{"b", "a", "b", " a "}, []string{"a", "b"}, ""},
		{"pkg:/ and a leading slash name the same package", []string{"pkg:/developer/gcc-10", "/developer/gcc-10", "developer/gcc-10"}, []string{"developer/gcc-10"}, ""},
		{"a version is other content", []string{"gcc@10.3", "gcc"}, []string{"gcc", "gcc@10.3"}, ""},
		{"a publisher is other content", []string{"pkg://omnios/gcc", "gcc"}, []string{"gcc", "pkg://omnios/gcc"}, ""},
		{"empty items are ignored", []string{"", "  "}, nil, ""},
		{"an option is refused", []string{"-v", "a"}, nil, `"-v" is not a package FMRI or pattern`},
		{"shell words are refused", []string{"a;b"}, nil, `"a;b" is not a package FMRI or pattern`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizePackages(tt.in)
			if (err != nil) != (tt.err != "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("error %v, want %q", err, tt.err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("NormalizePackages(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestContentName(t *testing.T) {
	norm := func(p ...string) []string {
		n, err := NormalizePackages(p)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	base := Content{Brand: "ipkg", Template: "SUNWipkg", Packages: norm("compress/gzip", "developer/build/autoconf")}
	same := []Content{
		{Brand: "ipkg", Template: "SUNWipkg", Packages: norm("developer/build/autoconf", "compress/gzip")},
		{Brand: "ipkg", Template: "SUNWipkg", Packages: norm("pkg:/compress/gzip", "developer/build/autoconf", "compress/gzip")},
	}
	other := []Content{
		{Brand: "lipkg", Template: "SUNWipkg", Packages: base.Packages},
		{Brand: "ipkg", Template: "OMNIlipkg", Packages: base.Packages},
		{Brand: "ipkg", Template: "SUNWipkg", Packages: norm("compress/gzip")},
		{Brand: "ipkg", Template: "SUNWipkg", Packages: norm("compress/gzip@1.12", "developer/build/autoconf")},
		{Brand: "ipkg", Template: "SUNWipkg", Packages: base.Packages, Publishers: []Publisher{{Name: "extra", URL: "https://pkg.example/"}}},
		{Packages: base.Packages, Base: "golden", BaseSnapshot: "initial-postinstalled-golden"},
		{Packages: base.Packages, Base: "golden", BaseSnapshot: "autozone-20261206T000000Z"},
	}
	name := base.Name("giz-")
	if len(name) != len("giz-")+10 || !strings.HasPrefix(name, "giz-") {
		t.Fatalf("name %q is not the prefix and 10 hex digits", name)
	}
	for _, c := range same {
		if got := c.Name("giz-"); got != name {
			t.Errorf("%+v is named %s, want %s (same content)", c, got, name)
		}
	}
	seen := map[string]bool{name: true}
	for _, c := range other {
		got := c.Name("giz-")
		if seen[got] {
			t.Errorf("%+v is named %s, which other content has", c, got)
		}
		seen[got] = true
	}
	// Publishers count in any order.
	a := Content{Publishers: []Publisher{{"a", "https://a/"}, {"b", "https://b/"}}}
	b := Content{Publishers: []Publisher{{"b", "https://b/"}, {"a", "https://a/"}}}
	if a.Hash() != b.Hash() {
		t.Errorf("the order of publishers changes the hash")
	}
}

// TestContentAttrs: a content too long for one zonecfg attribute value
// is recorded in chunks and read back whole.
func TestContentAttrs(t *testing.T) {
	var pkgs []string
	for i := 0; i < 200; i++ {
		pkgs = append(pkgs, "library/perl-5/module-number-"+strings.Repeat("x", i%7))
	}
	c := &Content{Brand: "ipkg", Packages: pkgs}
	attrs := contentAttrs(c)
	if len(attrs) < 3 {
		t.Fatalf("%d attributes for %d bytes, want chunks", len(attrs), len(c.Canonical()))
	}
	z := &Zone{Config: &illumos.ZoneConfig{Attrs: attrs}}
	for _, a := range attrs {
		if len(a.Value) > contentChunk || strings.Contains(a.Value, "\n") {
			t.Errorf("attribute %s holds %d bytes or a newline", a.Name, len(a.Value))
		}
	}
	got, ok := recordedContent(z)
	if !ok || got != c.Canonical() {
		t.Errorf("recordedContent = %q, %v; want the canonical content back", got, ok)
	}
	if _, ok := recordedContent(&Zone{Config: &illumos.ZoneConfig{}}); ok {
		t.Errorf("a zone without the attribute records content")
	}
}

func TestReadPackageArgs(t *testing.T) {
	files := map[string]string{
		"/tmp/req": "# REQUIRED_PACKAGES of a component\ncompress/gzip   # for the tarball\n\ndeveloper/build/autoconf, developer/build/automake\n",
	}
	read := func(p string) ([]byte, error) {
		if s, ok := files[p]; ok {
			return []byte(s), nil
		}
		return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
	}
	got, err := ReadPackageArgs([]string{"a b,c", "@/tmp/req", "d"}, read)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a", "b", "c", "compress/gzip", "developer/build/autoconf", "developer/build/automake", "d"}
	if !slices.Equal(got, want) {
		t.Errorf("ReadPackageArgs = %q, want %q", got, want)
	}
	if _, err := ReadPackageArgs([]string{"@/nope"}, read); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "/nope") {
		t.Errorf("a missing file: %v", err)
	}
}

func TestParseAge(t *testing.T) {
	for in, want := range map[string]string{"30d": "720h0m0s", "2w": "336h0m0s", "36h": "36h0m0s", "90m": "1h30m0s", "15250w": "2562000h0m0s"} {
		d, err := ParseAge(in)
		if err != nil || d.String() != want {
			t.Errorf("ParseAge(%q) = %v, %v; want %s", in, d, err, want)
		}
	}
	for _, bad := range []string{"", "d", "-1h", "1.5d", "3 days", "x", "15251w", "106752d", "4000000000d"} {
		if _, err := ParseAge(bad); err == nil || !strings.Contains(err.Error(), "is not an age") {
			t.Errorf("ParseAge(%q): %v", bad, err)
		}
	}
}
