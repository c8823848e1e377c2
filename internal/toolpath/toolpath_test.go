package toolpath

import (
	"slices"
	"testing"
)

func TestDirs(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  []string
		want []string
	}{
		{"tool dir first, empty PATH elements dropped", []string{"PATH=:/a::/b:", "ZONEMGR_TOOLDIR=/t"}, []string{"/t", "/a", "/b", "/usr/sbin", "/sbin", "/usr/bin"}},
		{"system directories once, where PATH puts them", []string{"PATH=/usr/bin:/opt/bin:/usr/bin"}, []string{"/usr/bin", "/opt/bin", "/usr/sbin", "/sbin"}},
		{"the last PATH wins", []string{"PATH=/one", "PATH=/two"}, []string{"/two", "/usr/sbin", "/sbin", "/usr/bin"}},
		{"no PATH", []string{"PATHX=/x", "HOME=/root"}, []string{"/usr/sbin", "/sbin", "/usr/bin"}},
	} {
		if got := Dirs(tc.env); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Dirs(%q) = %q, want %q", tc.name, tc.env, got, tc.want)
		}
	}
}

func TestLookup(t *testing.T) {
	env := []string{"A=1", "AB=2", "A=3", "B", "C="}
	for _, tc := range []struct {
		key   string
		want  string
		found bool
	}{{"A", "3", true}, {"AB", "2", true}, {"B", "", false}, {"C", "", true}, {"D", "", false}} {
		if got, ok := Lookup(env, tc.key); got != tc.want || ok != tc.found {
			t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tc.key, got, ok, tc.want, tc.found)
		}
	}
}
