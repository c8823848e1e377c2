package zones

import "testing"

// TestFnmatchPathname: fnmatch(3C) with FNM_PATHNAME (illumos-gate
// fnmatch.c fnmatch1(), rangematch()), where it differs from path.Match
// too: malformed patterns are matched, not refused.
func TestFnmatchPathname(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"/dev/zvol/dsk/*", "/dev/zvol/dsk/vol0", true},
		{"/dev/zvol/dsk/*", "/dev/zvol/dsk/pool/vol0", false}, // '*' never takes a '/'
		{"/dev/*/vol0", "/dev/zvol/vol0", true},
		{"/dev/*/vol0", "/dev/zvol/dsk/vol0", false},
		{"/dev/*", "/dev/", true},
		{"/dev/a*b*c", "/dev/aXbYbZc", true}, // backtracking
		{"/dev/a*b", "/dev/aX/b", false},
		{"*", "", true},
		{"", "", true},
		{"", "a", false},
		{"a?c", "abc", true},
		{"a?c", "a/c", false},
		{"a?c", "ac", false},
		{"[abc]x", "bx", true},
		{"[!abc]x", "dx", true}, // '!' negates
		{"[^abc]x", "dx", true}, // and so does '^'
		{"[!abc]x", "ax", false},
		{"[!a]", "/", false}, // a bracket expression never takes a '/'
		{"[]a]", "]", true},  // ']' first is itself
		{"[!]a]", "b", true},
		{"[a-]", "-", true}, // '-' last is itself
		{"[a-c]", "b", true},
		{"[z-a]", "m", false}, // an empty range is no error
		{"[!z-a]", "m", true},
		{"[a/b]", "a", false},  // a '/' in the list: no match
		{"abc[", "abc[", true}, // an unclosed '[' is itself
		{"abc[", "abcx", false},
		{"[a-", "[a-", true},
		{"[]", "[]", true},
		{"[\\]]", "]", true}, // '\\' quotes in the list
		{"a\\*", "a*", true},
		{"a\\*", "ab", false},
		{"abc\\", "abc\\", true}, // a trailing '\\' is itself
		{"*[", "x[", true},
	}
	for _, tt := range tests {
		if got := fnmatchPathname(tt.pattern, tt.name); got != tt.want {
			t.Errorf("fnmatch(%q, %q, FNM_PATHNAME) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}
