package play

import (
	"reflect"
	"testing"
)

func TestSplitKV(t *testing.T) {
	// Expected values are Ansible's parse_kv (check_raw for command and
	// shell), as ansible-core 2.14 returns them, in its order.
	tests := []struct {
		in   string
		kind taskKind
		want []arg
	}{
		{"a=1 b=\"two words\" c='x y'", kindModule, []arg{{"a", "1"}, {"b", "two words"}, {"c", "x y"}}},
		{"msg=\"{{ a }} b\" x=1", kindModule, []arg{{"msg", "{{ a }} b"}, {"x", "1"}}},
		{"echo hi there chdir=/tmp", kindCommand, []arg{{"chdir", "/tmp"}, {"_raw_params", "echo hi there"}}},
		{"a=b\\ c", kindModule, []arg{{"a", "b\\"}, {"_raw_params", "c"}}},
		{"k=\"v\\\"q\"", kindModule, []arg{{"k", "v\"q"}}},
		{"a= b=1", kindModule, []arg{{"a", ""}, {"b", "1"}}},
		{"{{ x }} y=1", kindModule, []arg{{"y", "1"}, {"_raw_params", "{{ x }}"}}},
		{"x=\"{{ 'a b' }}\"", kindModule, []arg{{"x", "{{ 'a b' }}"}}},
		{"a=1 a=2", kindModule, []arg{{"a", "2"}}},
		{"free text only", kindCommand, []arg{{"_raw_params", "free text only"}}},
		{"ls -l creates=/x removes=/y foo=bar", kindCommand, []arg{{"creates", "/x"}, {"removes", "/y"}, {"_raw_params", "ls -l foo=bar"}}},
		{"msg=a\\nb", kindModule, []arg{{"msg", "a\nb"}}},
		{"msg='it''s'", kindModule, []arg{{"msg", "it''s"}}},
		{"echo \"a b\"  c", kindCommand, []arg{{"_raw_params", "echo \"a b\"  c"}}},
		{"x={{ a | default(\"q r\") }} y=2", kindModule, []arg{{"x", "{{ a | default(\"q r\") }}"}, {"y", "2"}}},
		{"a=1\tb=2", kindModule, []arg{{"a", "1\tb=2"}}},
	}
	for _, tc := range tests {
		got, err := splitKV(tc.in, tc.kind)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitKV(%q) = %#v, %v; want %#v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{`a="open`, "x={{ open"} {
		if got, err := splitKV(bad, kindModule); err == nil {
			t.Errorf("splitKV(%q) = %#v, want an error", bad, got)
		}
	}
}
