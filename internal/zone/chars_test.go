package zone

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// TestCharChecksMatchTheirRegexps checks each hand-written shape check
// against the regular expression it stands for, on hand-picked edge cases
// and on many random strings over the characters that matter.
func TestCharChecksMatchTheirRegexps(t *testing.T) {
	tests := []struct {
		name     string
		check    func(string) bool
		re       string
		alphabet string
		cases    []string
	}{
		{"rctl name", isRctlName, `^zone\.[a-z][a-z0-9-]*$`, "zone.aZ9-_",
			[]string{"", "zone.", "zone.a", "zone.cpu-shares", "zone.max-lwps", "zone.9a", "zone.-a", "zone.A", "zonex.a", "zone.a_b", "project.cpu-shares", "zone.cpu-shares\n"}},
		{"rctl word", isRctlWord, `^[A-Za-z0-9]+$`, "aZ09-_ ",
			[]string{"", "privileged", "none", "deny", "1024", "a b", "a-b", "é"}},
		{"cpu range", isCPURange, `^[0-9]+(-[0-9]+)?$`, "09-a",
			[]string{"", "1", "2-4", "-", "1-", "-1", "1-2-3", "a", "1-a", "01"}},
		{"plain path", isPlainPath, `^[A-Za-z0-9/._+-]+$`, "aZ9/._+- '$*",
			[]string{"", "/etc/passwd", "/a b", "/a'b", "/a$b", "/a*", "/ü", "c++/x", "-x"}},
		{"mac", isMAC, `^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$`, "0fFg:",
			[]string{"", "2:8:20:1:2:3", "02:08:20:ab:CD:ef", "02:08:20:ab:cd", "02:08:20:ab:cd:ef:01", "002:08:20:ab:cd:ef", "02:08:20:ab:cd:", ":::::", "0g:08:20:ab:cd:ef"}},
		{"mem size", func(s string) bool { _, ok := memLimit(s); return ok }, `^[0-9]+[KkMmGgTt][bB]?$`, "09KkMmGgTtbBx",
			[]string{"", "512M", "2G", "1t", "2Gb", "3mB", "G", "12", "1GG", "1Gbb", "1.5G", "1x"}},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			re := regexp.MustCompile(tt.re)
			matched := 0
			try := func(s string) {
				if got, want := tt.check(s), re.MatchString(s); got != want {
					t.Errorf("%q: check says %v, %s says %v", s, got, tt.re, want)
				} else if want {
					matched++
				}
			}
			for _, s := range tt.cases {
				try(s)
			}
			char := func() byte { return tt.alphabet[rng.IntN(len(tt.alphabet))] }
			for range 20000 {
				// A random string, and a hand-picked case with one byte
				// replaced, inserted or removed.
				b := make([]byte, rng.IntN(20))
				for i := range b {
					b[i] = char()
				}
				try(string(b))
				c := []byte(tt.cases[rng.IntN(len(tt.cases))])
				switch i := rng.IntN(len(c) + 1); {
				case i < len(c) && rng.IntN(2) == 0:
					c[i] = char()
				case i < len(c):
					c = append(c[:i], c[i+1:]...)
				default:
					c = append(c, char())
				}
				try(string(c))
			}
			// A random test that never matched would not test much.
			if matched < 3 {
				t.Errorf("only %d strings matched %s", matched, tt.re)
			}
		})
	}
}

// A memory cap is what zonecfg takes for capped-memory physical: a size
// with its unit, of at least 1M, that does not overflow.
func TestValidCappedMemory(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"512M", ""}, {"1M", ""}, {"2G", ""}, {"1t", ""}, {"4Gb", ""},
		{"0", "is not a size with its unit"},
		{"100", "is not a size with its unit"},
		{"512K", "is less than 1M"},
		{"0G", "is less than 1M"},
		{"99999999999T", "is not a size with its unit"},
	} {
		err := ValidCappedMemory(tc.in)
		if (tc.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ValidCappedMemory(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
}
