package cli

import (
	"strings"
	"testing"
)

// FuzzParse checks that no command line makes the classic CLI's parser or
// its verb resolution panic: the words are split on NUL so that the
// fuzzer can vary their number as well as their contents.
func FuzzParse(f *testing.F) {
	for _, args := range [][]string{
		{"create-giz", "-z", "golden", "--copy-users", "jenkins jim"},
		{"-c", "g", "--exec-cmd", "make", "exec-diz"},
		{"--zone=z", "-sS1", "snapshot"},
		{"-d", "-d", "list-giz", "-cv"},
		{"-z", "g", "DEVEL_DEBUG", "list"},
		{"get-state", "--", "z"},
		{"exec", "-z", "z", "--exec-discard", "sometimes"},
		{"--json=maybe", "--bogus", "-"},
		{"create-diz", "-c", "g", "--add-vnic-over", "e1000g0|5000", "--mount-lofs", "../x"},
	} {
		f.Add(strings.Join(args, "\x00"))
	}
	f.Fuzz(func(t *testing.T, line string) {
		r, err := parse(strings.Split(line, "\x00"), levelInfo)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("parse %q: an empty error", line)
			}
			return
		}
		if r.verb == nil {
			return
		}
		if _, err := resolve(r); err != nil && err.Error() == "" {
			t.Fatalf("resolve %q: an empty error", line)
		}
	})
}
