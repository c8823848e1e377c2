package illumos

import (
	"strings"
	"testing"
)

// FuzzParseZoneIndex checks that ParseZoneIndex never panics and accepts
// only entries with a name and a persisted state.
func FuzzParseZoneIndex(f *testing.F) {
	addSeeds(f, "root/etc/zones/index")
	f.Add([]byte("global:installed:/\nz1:installed:\"/a:b\":uuid\n# c\n"))
	f.Add([]byte("z:\"\n:::\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := ParseZoneIndex(b)
		if err != nil {
			return
		}
		for _, e := range entries {
			if e.Name == "" {
				t.Fatalf("accepted an entry without a name from %q", b)
			}
		}
	})
}

// FuzzParsePkgPublisher checks that ParsePkgPublisher never panics and
// that no accepted publisher's fields run over a TAB or a line. (It accepts
// an empty PUBLISHER column, which pkg never prints.)
func FuzzParsePkgPublisher(f *testing.F) {
	addSeeds(f, "pkg-publisher-tsv.txt", "pkg-publisher-tsv-header.txt")
	f.Add([]byte("\t\t\t\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		pubs, err := ParsePkgPublisher(b)
		if err != nil {
			return
		}
		for _, p := range pubs {
			if strings.ContainsAny(p.Name+p.Type+p.Status+p.URI+p.Proxy, "\t\n") {
				t.Fatalf("accepted a publisher %+v with a TAB or newline in a field from %q", p, b)
			}
		}
	})
}

// FuzzValidZoneName checks the zone name rule against its promise: an
// accepted name is 1 to 63 letters, digits, '_', '.' and '-', starts with
// a letter or digit, and is neither "global" nor a SUNW name.
func FuzzValidZoneName(f *testing.F) {
	for _, s := range []string{"golden", "-x", ".x", "global", "SUNWfoo", "a b", "a;b", "$(x)", "a\nb", "dé", "", strings.Repeat("a", 64)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if ValidZoneName(name) != nil {
			return
		}
		if name == "" || len(name) > MaxZoneNameLen || name == GlobalZone || strings.HasPrefix(name, "SUNW") || !isAlnum(name[0]) {
			t.Fatalf("accepted zone name %q", name)
		}
		for i := 0; i < len(name); i++ {
			if c := name[i]; !(isAlnum(c) || c == '_' || c == '.' || c == '-') {
				t.Fatalf("accepted zone name %q with byte %q", name, c)
			}
		}
	})
}
