package illumos

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseDladm parses `dladm show-* -p -o f1,f2,...` output into one map per
// line, keyed by the field names as given (lower-cased; dladm reads them
// case-insensitively). With more than one field, fields are separated by
// ':' and each ':' or '\' inside a value is escaped with a backslash; with
// a single field nothing is escaped and the whole line is the value
// (illumos-commands.md §8.2).
func ParseDladm(fields []string, b []byte) ([]map[string]string, error) {
	if len(fields) == 0 {
		return nil, fmt.Errorf("parse dladm output: no fields given")
	}
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = strings.ToLower(f)
	}
	var rows []map[string]string
	for i, line := range splitLines(b) {
		var vals []string
		if len(keys) == 1 {
			vals = []string{line}
		} else {
			vals = splitEscaped(line, ':', true)
		}
		if len(vals) != len(keys) {
			return nil, fmt.Errorf("parse dladm output line %d %q: %d fields, want %d (%s)", i+1, line, len(vals), len(keys), strings.Join(keys, ","))
		}
		row := make(map[string]string, len(keys))
		for j, k := range keys {
			row[k] = vals[j]
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// NormalizeMAC returns a MAC address as dladm prints it: lower-case hex
// octets without leading zeros, separated by ':' ("02:08:20:5E:0A:1B"
// becomes "2:8:20:5e:a:1b"). It accepts 6, 8 or 20 octets of one or two
// hex digits each.
func NormalizeMAC(s string) (string, error) {
	parts := strings.Split(s, ":")
	switch len(parts) {
	case 6, 8, 20:
	default:
		return "", fmt.Errorf("invalid MAC address %q: %d octets, want 6, 8 or 20", s, len(parts))
	}
	octets := make([]byte, len(parts))
	for i, p := range parts {
		if len(p) < 1 || len(p) > 2 {
			return "", fmt.Errorf("invalid MAC address %q: octet %d %q is not one or two hex digits", s, i+1, p)
		}
		v, err := strconv.ParseUint(p, 16, 8)
		if err != nil {
			return "", fmt.Errorf("invalid MAC address %q: octet %d %q is not hex", s, i+1, p)
		}
		octets[i] = byte(v)
	}
	return FormatMAC(octets), nil
}

// FormatMAC writes a MAC address the way dladm prints it: each octet with
// %x, no leading zeros ("2:8:20:5e:a:1b").
func FormatMAC(mac []byte) string {
	parts := make([]string, len(mac))
	for i, o := range mac {
		parts[i] = strconv.FormatUint(uint64(o), 16)
	}
	return strings.Join(parts, ":")
}

// MaxLinkNameLen is the longest data-link name dladm accepts (MAXLINKNAMELEN
// less its terminating NUL).
const MaxLinkNameLen = 31

// ValidLinkName checks a data-link (VNIC, etherstub) name against
// dladm_valid_linkname() (illumos-commands.md §8.4): at most 31
// characters of [A-Za-z0-9_.], not starting with a digit, ending with a
// number that has no leading zero ("vnic0" and "b1_12" are valid; "vnic",
// "vnic01", "1vnic" and "my-vnic0" are not). zonecfg applies the same rule
// to the physical of an exclusive-IP net.
func ValidLinkName(name string) error {
	fail := func(rule string) error {
		return fmt.Errorf("invalid link name %q: %s", name, rule)
	}
	if name == "" {
		return fail("must not be empty")
	}
	if len(name) > MaxLinkNameLen {
		return fail(fmt.Sprintf("must be at most %d characters", MaxLinkNameLen))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(isAlnum(c) || c == '_' || c == '.') {
			return fail("may contain only letters, digits, '_' and '.'")
		}
	}
	if isDigit(name[0]) {
		return fail("must not start with a digit")
	}
	if !isDigit(name[len(name)-1]) {
		return fail("must end with a digit")
	}
	start := len(name)
	for start > 0 && isDigit(name[start-1]) {
		start--
	}
	if name[start] == '0' && start < len(name)-1 {
		return fail("the trailing number must not have a leading zero")
	}
	return nil
}

// ValidVLAN checks a VLAN id for dladm create-vnic -v: 1 to 4094.
func ValidVLAN(vid int) error {
	if vid < 1 || vid > 4094 {
		return fmt.Errorf("invalid VLAN identifier '%d': must be 1 to 4094", vid)
	}
	return nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}
