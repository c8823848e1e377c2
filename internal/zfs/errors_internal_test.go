package zfs

import (
	"regexp"
	"testing"
)

// TestNotExistNameMatchesRegexp checks notExistName against the regular
// expression it is written for.
func TestNotExistNameMatchesRegexp(t *testing.T) {
	re := regexp.MustCompile(`^cannot open '(.*)': (?:dataset does not exist|no such pool)$`)
	for _, line := range []string{
		"cannot open 'rpool/x': dataset does not exist",
		"cannot open 'nopool': no such pool",
		"cannot open 'a': b': dataset does not exist",
		"cannot open '': dataset does not exist",
		"cannot open 'rpool/x@s': dataset does not exist",
		"cannot open 'rpool/x': permission denied",
		"cannot open 'rpool/x': dataset does not exist.",
		" cannot open 'rpool/x': dataset does not exist",
		"cannot open rpool/x: dataset does not exist",
		"cannot open 'rpool/x': no such pool or dataset",
		"cannot destroy 'rpool/x': dataset does not exist",
		"",
	} {
		name, ok := notExistName(line)
		m := re.FindStringSubmatch(line)
		if ok != (m != nil) || (ok && name != m[1]) {
			t.Errorf("notExistName(%q) = %q, %v; the regexp says %q", line, name, ok, m)
		}
	}
}
