package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"list", "list", 0},
		{"lsit", "list", 2},
		{"create-diz", "create-giz", 1},
		{"kitten", "sitting", 3},
		{"COPY_USER", "COPY_USERS", 1},
	} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestNearest(t *testing.T) {
	for _, tc := range []struct {
		word       string
		candidates []string
		want       string
		edits      int
	}{
		{"list", nil, "", -1},
		{"lst", []string{"list", "lsit"}, "list", 1},
		{"xx", []string{"ab", "cd"}, "ab", 2}, // a tie: the first wins
		{"destory", []string{"create", "destroy"}, "destroy", 2},
	} {
		got, edits := Nearest(tc.word, tc.candidates)
		if got != tc.want || edits != tc.edits {
			t.Errorf("Nearest(%q, %q) = %q, %d; want %q, %d", tc.word, tc.candidates, got, edits, tc.want, tc.edits)
		}
	}
}
