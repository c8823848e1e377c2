package illumos

import (
	"strings"
	"testing"
)

func TestValidZoneName(t *testing.T) {
	for _, tt := range []struct{ name, err string }{
		{"build1", ""},
		{"b", ""},
		{"9lives", ""},
		{"a.b_c-d", ""},
		{"autodiz-20240101T000000Z", ""},
		{strings.Repeat("a", 63), ""},
		{strings.Repeat("a", 64), "must be at most 63 characters"},
		{"", "must not be empty"},
		{"-x", "must start with a letter or a digit"},
		{"_x", "must start with a letter or a digit"},
		{"a b", "may contain only letters, digits, '_', '.' and '-'"},
		{"a:b", "may contain only"},
		{"global", `"global" is the global zone`},
		{"SUNWdefault", `names starting with "SUNW" are reserved`},
	} {
		err := ValidZoneName(tt.name)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("ValidZoneName(%q) = %v, want nil", tt.name, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ValidZoneName(%q) = %v, want an error saying %q", tt.name, err, tt.err)
		}
	}
}

func TestValidAttrName(t *testing.T) {
	for _, tt := range []struct{ name, err string }{
		{"zonemgr.origin", ""},
		{"ci.template", ""},
		{"a-1", ""},
		{"", "must not be empty"},
		{".x", "must start with an alpha-numeric character"},
		{"a_b", "can only contain alpha-numeric characters, plus '-' and '.'"},
		{strings.Repeat("a", 256), "shorter than 256 bytes"},
	} {
		err := ValidAttrName(tt.name)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("ValidAttrName(%q) = %v, want nil", tt.name, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ValidAttrName(%q) = %v, want an error saying %q", tt.name, err, tt.err)
		}
	}
}

func TestValidAttrValue(t *testing.T) {
	for _, tt := range []struct{ typ, value, err string }{
		{"string", "golden", ""},
		{"string", strings.Repeat("x", 255), ""},
		{"string", strings.Repeat("x", 256), "invalid attr value for type=string: 256 bytes, at most 255 allowed"},
		{"int", "-12", ""},
		{"int", "1.5", "invalid attr value for type=int"},
		{"uint", "12", ""},
		{"uint", "-1", "invalid attr value for type=uint"},
		{"boolean", "true", ""},
		{"boolean", "yes", "invalid attr value for type=boolean"},
		{"float", "1", "invalid attr type 'float'"},
	} {
		err := ValidAttrValue(tt.typ, tt.value)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("ValidAttrValue(%s, %.20q) = %v, want nil", tt.typ, tt.value, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ValidAttrValue(%s, %.20q) = %v, want an error saying %q", tt.typ, tt.value, err, tt.err)
		}
	}
}
