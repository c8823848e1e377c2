package zone

import (
	"hash/fnv"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestVNICName(t *testing.T) {
	linkRE := regexp.MustCompile(`^[A-Za-z_.][A-Za-z0-9_.]*[1-9]?[0-9]$`)
	tests := []struct {
		role, zone string
		i          int
		want       string
	}{
		{"diz", "build1", 0, "autodizbuild1_0"},
		{"giz", "selftest_giz_02n", 1, "autogizselftest_giz_02n_1"},
		{"giz", "selftest-giz-02n", 1, "autogizselftestgiz02." + fnv36("selftest-giz-02n") + "_1"},
		{"diz", "Diz.With.Dots", 2, "autodizdizwithdots." + fnv36("Diz.With.Dots") + "_2"},
	}
	for _, tt := range tests {
		if got := VNICName(tt.role, tt.zone, tt.i); got != tt.want {
			t.Errorf("VNICName(%q, %q, %d) = %q, want %q", tt.role, tt.zone, tt.i, got, tt.want)
		}
	}
	long1 := VNICName("diz", "diz-abcdef-0001-a-very-long-zone-name-indeed", 12)
	long2 := VNICName("diz", "diz-abcdef-0001-a-very-long-zone-name-indeee", 12)
	for _, n := range []string{long1, long2} {
		if len(n) > 31 || !linkRE.MatchString(n) {
			t.Errorf("VNICName gave %q: longer than 31 or not a valid link name", n)
		}
	}
	if long1 == long2 {
		t.Errorf("distinct long zone names gave the same VNIC name %q", long1)
	}
	// Zone names that reduce to the same letters keep distinct VNICs.
	seen := map[string]string{}
	for _, z := range []string{"build1", "build-1", "Build1", "build_1", "b-uild1", "build1-"} {
		n := VNICName("diz", z, 0)
		if other, dup := seen[n]; dup {
			t.Errorf("zones %q and %q both get VNIC %q", other, z, n)
		}
		if len(n) > 31 || !linkRE.MatchString(n) {
			t.Errorf("VNICName gave %q for %q: longer than 31 or not a valid link name", n, z)
		}
		seen[n] = z
	}
}

func fnv36(s string) string {
	h := fnv.New32a()
	h.Write([]byte(s))
	return strconv.FormatUint(uint64(h.Sum32()), 36)
}

func TestGenerateName(t *testing.T) {
	taken := map[string]bool{}
	re := regexp.MustCompile(`^diz-abc123-[0-9a-z]{4}$`)
	for i := 0; i < 200; i++ {
		n, err := GenerateName("diz-", "abc123", func(s string) bool { return taken[s] })
		if err != nil {
			t.Fatal(err)
		}
		if !re.MatchString(n) || taken[n] {
			t.Fatalf("GenerateName gave %q (taken before: %v)", n, taken[n])
		}
		taken[n] = true
	}
	if _, err := GenerateName("x-", "h", func(string) bool { return true }); err == nil {
		t.Error("GenerateName with every name taken: no error")
	}
}

func TestAutoSnapshotName(t *testing.T) {
	ts := time.Date(2026, 11, 28, 13, 4, 5, 0, time.FixedZone("CET", 3600))
	if got, want := AutoSnapshotName(ts), "autozone-20261128T120405Z"; got != want {
		t.Errorf("AutoSnapshotName = %q, want %q", got, want)
	}
}

func TestParseVNICOver(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"e1000g0", "e1000g0", ""},
		{"e1000g0|81", "e1000g0|81", ""},
		{"e1000g0|81|00:12:34:56:78:AB", "e1000g0|81|0:12:34:56:78:ab", ""},
		{"e1000g0||02:08:20:00:00:01", "e1000g0||2:8:20:0:0:1", ""},
		{"e1000g0|4095", "", "VLAN \"4095\" is not a number from 1 to 4094"},
		{"e1000g0|0", "", "VLAN \"0\" is not a number"},
		{"e1000g0|1|zz:12:34:56:78:ab", "", "is not six hex octets"},
		{"vnic", "", "link:"},
		{"a|1|2|3", "", "want \"LINK[|VLAN[|MAC]]\""},
	}
	for _, tt := range tests {
		v, err := ParseVNICOver(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseVNICOver(%q) error = %v, want one containing %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseVNICOver(%q): %v", tt.in, err)
			continue
		}
		if got := v.String(); got != tt.want {
			t.Errorf("ParseVNICOver(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseLofs(t *testing.T) {
	tests := []struct {
		in   string
		want LofsMount
		err  string
	}{
		{"/export/home", LofsMount{Dir: "/export/home", Special: "/export/home"}, ""},
		{"/src|/export/src|ro", LofsMount{Dir: "/src", Special: "/export/src", ReadOnly: true}, ""},
		{"/src||rw", LofsMount{Dir: "/src", Special: "/src"}, ""},
		{"src", LofsMount{}, "is not an absolute path"},
		{"/a/../b", LofsMount{}, "not a clean absolute path"},
		{"/a|/b|rx", LofsMount{}, "mode \"rx\" is not one of: ro, rw"},
		{"/", LofsMount{}, "cannot mount over the zone's root"},
		{`/a"b`, LofsMount{}, "double quote"},
	}
	for _, tt := range tests {
		got, err := ParseLofs(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseLofs(%q) error = %v, want one containing %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseLofs(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

// TestAutoMAC: an automatic VNIC's address has dladm's prefix, is the
// same for the same run and index, and is drawn again while a VNIC over
// the link and VLAN has it; the same address over another link or VLAN
// does not count.
func TestAutoMAC(t *testing.T) {
	v := VNICOver{Link: "e1000g0"}
	first := autoMAC("r1", 0, v, nil)
	if !strings.HasPrefix(first, "2:8:20:") || !isMAC(first) {
		t.Fatalf("autoMAC = %q, want 2:8:20:xx:xx:xx", first)
	}
	if again := autoMAC("r1", 0, v, nil); again != first {
		t.Errorf("autoMAC drew %q, then %q for the same run and index", first, again)
	}
	if other := autoMAC("r1", 1, v, nil); other == first {
		t.Errorf("the second VNIC got the first's address %q", first)
	}
	elsewhere := []namedVNIC{
		{name: "VNIC a", vnicFacts: vnicFacts{Over: "igb0", VID: "0", MAC: first}},
		{name: "VNIC b", vnicFacts: vnicFacts{Over: "e1000g0", VID: "81", MAC: first}},
	}
	if got := autoMAC("r1", 0, v, elsewhere); got != first {
		t.Errorf("autoMAC = %q with the address in use over another link and VLAN only, want %q", got, first)
	}
	taken := append(elsewhere, namedVNIC{name: "VNIC c", vnicFacts: vnicFacts{Over: "e1000g0", VID: "0", MAC: first}})
	if got := autoMAC("r1", 0, v, taken); got == first || !strings.HasPrefix(got, "2:8:20:") {
		t.Errorf("autoMAC = %q with %q taken over the link", got, first)
	}
}
