package illumos

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxZoneNameLen is the longest zone name: ZONENAME_MAX (64) less the
// terminating NUL (illumos-commands.md §2.2: "< 64 chars").
const MaxZoneNameLen = 63

// ValidZoneName checks a zone name as zonecfg does: 1 to 63 characters,
// [A-Za-z0-9][A-Za-z0-9_.-]*, not "global", not starting with "SUNW". The
// error names the rule broken.
func ValidZoneName(name string) error {
	fail := func(rule string) error {
		return fmt.Errorf("invalid zone name %q: %s", name, rule)
	}
	switch {
	case name == "":
		return fail("must not be empty")
	case len(name) > MaxZoneNameLen:
		return fail(fmt.Sprintf("must be at most %d characters", MaxZoneNameLen))
	case !isAlnum(name[0]):
		return fail("must start with a letter or a digit")
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if !(isAlnum(c) || c == '_' || c == '.' || c == '-') {
			return fail("may contain only letters, digits, '_', '.' and '-'")
		}
	}
	if name == GlobalZone {
		return fail(`"global" is the global zone`)
	}
	if strings.HasPrefix(name, "SUNW") {
		return fail(`names starting with "SUNW" are reserved`)
	}
	return nil
}

// MaxAttrValueLen is the longest value of a string attr: zonecfg refuses
// one of MAXNAMELEN (256) bytes or more.
const MaxAttrValueLen = 255

// ValidAttrName checks an attr name as zonecfg does: it starts with a
// letter or digit and continues with letters, digits, '-' and '.'.
func ValidAttrName(name string) error {
	if name == "" {
		return fmt.Errorf("invalid attr name %q: must not be empty", name)
	}
	if !isAlnum(name[0]) {
		return fmt.Errorf("invalid attr name %q: must start with an alpha-numeric character", name)
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if !(isAlnum(c) || c == '-' || c == '.') {
			return fmt.Errorf("invalid attr name %q: can only contain alpha-numeric characters, plus '-' and '.'", name)
		}
	}
	if len(name) > MaxAttrValueLen {
		return fmt.Errorf("invalid attr name %q: must be shorter than 256 bytes", name)
	}
	return nil
}

// ValidAttrValue checks an attr value for its type as zonecfg does: a
// string shorter than 256 bytes, an int or uint in 64 bits, or a boolean
// "true" or "false".
func ValidAttrValue(typ, value string) error {
	var ok bool
	switch typ {
	case "string":
		ok = len(value) <= MaxAttrValueLen
	case "int":
		_, err := strconv.ParseInt(value, 10, 64)
		ok = err == nil
	case "uint":
		_, err := strconv.ParseUint(value, 10, 64)
		ok = err == nil
	case "boolean":
		ok = value == "true" || value == "false"
	default:
		return fmt.Errorf("invalid attr type '%s'", typ)
	}
	if !ok {
		if typ == "string" {
			return fmt.Errorf("invalid attr value for type=string: %d bytes, at most %d allowed", len(value), MaxAttrValueLen)
		}
		return fmt.Errorf("invalid attr value for type=%s: %q", typ, value)
	}
	return nil
}
