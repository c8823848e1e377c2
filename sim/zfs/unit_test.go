package zfs

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestValidateName(t *testing.T) {
	tests := []struct {
		name     string
		snapshot bool
		want     string
	}{
		{"rpool/zones/z1", false, ""},
		{"rpool/a b:c-d_e.f", false, ""},
		{"rpool/zones/z1@s1", true, ""},
		{"rpool/x!", false, "invalid character '!' in name"},
		{"/rpool/x", false, "leading slash in name"},
		{"rpool//x", false, "empty component in name"},
		{"rpool/x/", false, "trailing slash in name"},
		{"rpool/" + strings.Repeat("a", 250), false, "name is too long"},
		{"rpool/x@s", false, "snapshot delimiter '@' is not expected here"},
		{"rpool/x", true, "missing '@' delimiter in snapshot name"},
		{"rpool/x@s@t", true, "multiple '@' and/or '#' delimiters in name"},
		{"rpool/x#b", false, "bookmark delimiter '#' is not expected here"},
		{"rpool/./x", false, "self reference, '.' is found in name"},
		{"rpool/../x", false, "parent reference, '..' is found in name"},
		{"1pool/x", false, "pool doesn't begin with a letter"},
		{"rpool/x@", true, "empty component in name"},
	}
	for _, tt := range tests {
		if got := validateName(tt.name, tt.snapshot); got != tt.want {
			t.Errorf("validateName(%q, %v) = %q, want %q", tt.name, tt.snapshot, got, tt.want)
		}
	}
}

func TestNicenum(t *testing.T) {
	tests := []struct {
		n    uint64
		want string
	}{
		{0, "0"},
		{512, "512"},
		{1023, "1023"},
		{1024, "1K"},
		{23552, "23K"},
		{23568, "23.0K"},
		{1288490188, "1.20G"},
		{49283829760, "45.9G"},
		{100 << 30, "100G"},
		{1536, "1.50K"},
		{130 << 20, "130M"},
	}
	for _, tt := range tests {
		if got := nicenum(tt.n); got != tt.want {
			t.Errorf("nicenum(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in     string
		want   uint64
		reason string
	}{
		{"1024", 1024, ""},
		{"10G", 10 << 30, ""},
		{"10g", 10 << 30, ""},
		{"1.5K", 1536, ""},
		{"128KB", 128 << 10, ""},
		{"abc", 0, "bad numeric value 'abc'"},
		{"10X", 0, "invalid numeric suffix 'X'"},
		{"", 0, "bad numeric value ''"},
	}
	for _, tt := range tests {
		got, reason := parseSize(tt.in)
		if got != tt.want || reason != tt.reason {
			t.Errorf("parseSize(%q) = %d, %q; want %d, %q", tt.in, got, reason, tt.want, tt.reason)
		}
	}
}

func TestGetopt(t *testing.T) {
	tests := []struct {
		args     []string
		optstr   string
		opts     []option
		operands []string
		err      *getoptError
	}{
		{[]string{"-rHp", "-o", "name", "rpool"}, "HS:d:o:prs:t:",
			[]option{{'r', ""}, {'H', ""}, {'p', ""}, {'o', "name"}}, []string{"rpool"}, nil},
		{[]string{"-oname,used", "a", "-r"}, "o:r",
			[]option{{'o', "name,used"}}, []string{"a", "-r"}, nil},
		{[]string{"--", "-r"}, "r", nil, []string{"-r"}, nil},
		{[]string{"-x"}, "r", nil, nil, &getoptError{c: 'x'}},
		{[]string{"-o"}, ":o:", nil, nil, &getoptError{c: 'o', missing: true}},
	}
	for _, tt := range tests {
		opts, operands, err := getopt(tt.args, tt.optstr)
		if !reflect.DeepEqual(opts, tt.opts) || !reflect.DeepEqual(operands, tt.operands) || !reflect.DeepEqual(err, tt.err) {
			t.Errorf("getopt(%q, %q) = %v, %q, %v; want %v, %q, %v", tt.args, tt.optstr, opts, operands, err, tt.opts, tt.operands, tt.err)
		}
	}
}

func TestFormatCreation(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2024, 3, 1, 9, 5, 0, 0, time.UTC), "Fri Mar  1  9:05 2024"},
		{time.Date(2024, 11, 28, 13, 32, 0, 0, time.UTC), "Thu Nov 28 13:32 2024"},
	}
	for _, tt := range tests {
		if got := formatCreation(tt.t); got != tt.want {
			t.Errorf("formatCreation(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}

func TestLookupProp(t *testing.T) {
	tests := map[string]string{
		"available": "available", "avail": "available", "refer": "referenced",
		"usedds": "usedbydataset", "compress": "compression", "rdonly": "readonly",
		"reserv": "reservation", "lused": "logicalused", "bogus": "",
	}
	for in, want := range tests {
		got := ""
		if p := lookupProp(in); p != nil {
			got = p.name
		}
		if got != want {
			t.Errorf("lookupProp(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDefaultOrder(t *testing.T) {
	s := &State{t: table{Datasets: map[string]*dataset{}}}
	for i, n := range []string{"rpool/a", "rpool/a@later", "rpool/a@first", "rpool/a-b", "rpool/a/c", "rpool"} {
		s.t.Datasets[n] = &dataset{Name: n, CreateTxg: uint64(10 - i)}
	}
	names := []string{"rpool/a/c", "rpool/a@later", "rpool/a-b", "rpool", "rpool/a@first", "rpool/a"}
	s.sortDefault(names)
	want := []string{"rpool", "rpool/a", "rpool/a@first", "rpool/a@later", "rpool/a-b", "rpool/a/c"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("default order = %q, want %q", names, want)
	}
}
