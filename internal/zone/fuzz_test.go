package zone

import (
	"path"
	"strings"
	"testing"
)

// FuzzParseSpecs checks the option-value parsers (mount_lofs,
// mount_autonfs, add_vnics_over, add_publishers) against what they
// promise: no panic, and every accepted value is one the commands it
// reaches can carry as a single argument or a quoted zonecfg value.
func FuzzParseSpecs(f *testing.F) {
	for _, s := range []string{
		"/export/home", "/src|/export/home|ro", "/a|/b|rw|x", "../x", "/a/../b", "/a//b", "/", "/a\"b", "/a\nb",
		"/net/src|nfs:/export/src", "/x|srv:rel", "/x|:/a", "e1000g0", "e1000g0|81", "e1000g0|0", "e1000g0|4095",
		"e1000g0|1|2:8:20:aa:bb:cc", "e1000g0|1|zz:1:2:3:4:5", "e1000g|1", "omnios|https://pkg.omnios.org/r151046/core/",
		"x|ftp:/", "|http://a", "$(touch /tmp/pwned)", "; touch /tmp/pwned", "`id`",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if m, err := ParseLofs(s); err == nil {
			for _, p := range []string{m.Dir, m.Special} {
				if !path.IsAbs(p) || path.Clean(p) != p || strings.ContainsAny(p, "\"\n") {
					t.Fatalf("ParseLofs(%q) accepted path %q", s, p)
				}
			}
			if m.Dir == "/" {
				t.Fatalf("ParseLofs(%q) accepted a mount over the zone's root", s)
			}
		}
		if a, err := ParseAutoNFS(s); err == nil {
			if !path.IsAbs(a.Dir) || strings.ContainsAny(a.Source, " \t\n'\"") || !strings.Contains(a.Source, ":/") {
				t.Fatalf("ParseAutoNFS(%q) accepted %+v", s, a)
			}
		}
		if v, err := ParseVNICOver(s); err == nil {
			if v.VLAN < 0 || v.VLAN > 4094 || strings.ContainsAny(v.Link, "|;$` \n") {
				t.Fatalf("ParseVNICOver(%q) accepted %+v", s, v)
			}
			back, err := ParseVNICOver(v.String())
			if err != nil || back != v {
				t.Fatalf("ParseVNICOver(%q) = %+v, which renders as %q and parses back as %+v, %v", s, v, v.String(), back, err)
			}
		}
		if p, err := ParsePublisher(s); err == nil {
			if p.Name == "" || strings.ContainsAny(p.Name+p.URL, " \t\n'\"") {
				t.Fatalf("ParsePublisher(%q) accepted %+v", s, p)
			}
		}
	})
}
