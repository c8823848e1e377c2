package pkg

import "testing"

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"4.4-2024.0.0.1", "4.4-2024.0.0.0", 1},
		{"4.4-2024.0.0.0", "4.4.1-2024.0.0.0", -1},
		{"0.5.11-2024.0.0.22160", "0.5.11-2024.0.0.22160", 0},
		{"13.2.0-2024.0.0.0", "9.5.0-2024.0.0.0", 1},
		{"0.5.11-2024.0.0.9", "0.5.11-2024.0.0.10", -1},
	}
	for _, tt := range tests {
		if got := compareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestPatternMatching(t *testing.T) {
	tests := []struct {
		pattern, name, version string
		want                   bool
	}{
		{"gnu-make", "developer/build/gnu-make", "4.4-2024.0.0.0", true},
		{"build/gnu-make", "developer/build/gnu-make", "4.4-2024.0.0.0", true},
		{"make", "developer/build/gnu-make", "4.4-2024.0.0.0", false},
		{"pkg:/developer/build/gnu-make", "developer/build/gnu-make", "4.4-2024.0.0.0", true},
		{"pkg:/gnu-make", "developer/build/gnu-make", "4.4-2024.0.0.0", false},
		{"pkg://openindiana.org/shell/bash", "shell/bash", "5.2-2024.0.0.0", true},
		{"pkg://other/shell/bash", "shell/bash", "5.2-2024.0.0.0", false},
		{"developer/*", "developer/gcc-13", "13.2.0-2024.0.0.0", true},
		{"gnu-make@4.4", "developer/build/gnu-make", "4.4-2024.0.0.0", true},
		{"gnu-make@4.4", "developer/build/gnu-make", "4.4.1-2024.0.0.0", true},
		{"gnu-make@4.4-2024.0.0.1", "developer/build/gnu-make", "4.4-2024.0.0.0", false},
		{"gnu-make@latest", "developer/build/gnu-make", "4.4-2024.0.0.0", true},
	}
	for _, tt := range tests {
		p := parsePattern(tt.pattern)
		got := p.matchesName(tt.name) && p.matchesVersion(tt.version) && p.matchesPublisher("openindiana.org")
		if got != tt.want {
			t.Errorf("pattern %q on %s@%s = %v, want %v", tt.pattern, tt.name, tt.version, got, tt.want)
		}
	}
}

func TestParseOpts(t *testing.T) {
	opts, rest, bad := parseOpts([]string{"-nv", "--be-name", "x", "--accept", "pkg", "-q"}, "nvqg:C:", []string{"accept", "be-name="})
	if bad != "" || len(opts["n"]) != 1 || len(opts["v"]) != 1 || opts["be-name"][0] != "x" || len(opts["accept"]) != 1 ||
		len(rest) != 2 || rest[0] != "pkg" || rest[1] != "-q" {
		t.Errorf("parseOpts = %v, %q, %q", opts, rest, bad)
	}
	if _, _, bad := parseOpts([]string{"-z"}, "nv", nil); bad != "illegal option -- z" {
		t.Errorf("bad option: %q", bad)
	}
}
