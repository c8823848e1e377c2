package illumos

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseDladmGolden(t *testing.T) {
	tests := []struct {
		file   string
		fields []string
		want   []map[string]string
	}{
		{"dladm-show-vnic-link-over-vid-mac.txt", []string{"link", "over", "vid", "macaddress"}, []map[string]string{
			{"link": "build1_0", "over": "igb0", "vid": "0", "macaddress": "2:8:20:5e:a:1b"},
			{"link": "golden0", "over": "stub0", "vid": "0", "macaddress": "2:8:20:c1:3f:7"},
		}},
		{"dladm-show-vnic-link.txt", []string{"LINK"}, []map[string]string{{"link": "build1_0"}}},
		{"dladm-show-vnic-macaddress.txt", []string{"MACADDRESS"}, []map[string]string{{"macaddress": "2:8:20:5e:a:1b"}}},
	}
	for _, tt := range tests {
		got, err := ParseDladm(tt.fields, readTestdata(t, tt.file))
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %v\nwant %v", tt.file, got, tt.want)
		}
	}
}

func TestParseDladmEscapes(t *testing.T) {
	got, err := ParseDladm([]string{"link", "zone"}, []byte(`a0:z\\one\:x`+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []map[string]string{{"link": "a0", "zone": `z\one:x`}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// One field: nothing is escaped.
	got, err = ParseDladm([]string{"zone"}, []byte(`z\\one:x`+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []map[string]string{{"zone": `z\\one:x`}}; !reflect.DeepEqual(got, want) {
		t.Errorf("single field: got %v, want %v", got, want)
	}
	if got, err := ParseDladm([]string{"link"}, nil); err != nil || got != nil {
		t.Errorf("empty output = %v, %v", got, err)
	}
}

func TestParseDladmErrors(t *testing.T) {
	if _, err := ParseDladm([]string{"link", "over"}, []byte("a0:igb0\nb0\n")); err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "1 fields, want 2") {
		t.Errorf("short line error = %v", err)
	}
	if _, err := ParseDladm(nil, []byte("x\n")); err == nil {
		t.Error("ParseDladm without fields succeeded")
	}
}

func TestNormalizeMAC(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"02:08:20:5E:0A:1B", "2:8:20:5e:a:1b"},
		{"2:8:20:5e:a:1b", "2:8:20:5e:a:1b"},
		{"00:00:00:00:00:00", "0:0:0:0:0:0"},
		{"ff:ff:ff:ff:ff:ff:ff:ff", "ff:ff:ff:ff:ff:ff:ff:ff"},
	} {
		got, err := NormalizeMAC(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeMAC(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "auto", "2:8:20:5e:a", "2:8:20:5e:a:1b:", "002:8:20:5e:a:1b", "2:8:20:5e:a:zz", "2-8-20-5e-a-1b"} {
		if got, err := NormalizeMAC(bad); err == nil {
			t.Errorf("NormalizeMAC(%q) = %q, want an error", bad, got)
		}
	}
	if got := FormatMAC([]byte{0x02, 0x08, 0x20, 0xc1, 0x3f, 0x07}); got != "2:8:20:c1:3f:7" {
		t.Errorf("FormatMAC = %q", got)
	}
}

func TestValidLinkName(t *testing.T) {
	for _, tt := range []struct{ name, err string }{
		{"vnic0", ""},
		{"b1_12", ""},
		{"autodiz10", ""},
		{"a.b0", ""},
		{"_x1", ""},
		{"abcdefghijklmnopqrstuvwxyzabcd1", ""},
		{"abcdefghijklmnopqrstuvwxyzabcde1", "must be at most 31 characters"},
		{"", "must not be empty"},
		{"vnic", "must end with a digit"},
		{"vnic01", "leading zero"},
		{"vnic00", "leading zero"},
		{"1vnic0", "must not start with a digit"},
		{"0", "must not start with a digit"},
		{"my-vnic0", "may contain only letters, digits, '_' and '.'"},
		{"v nic0", "may contain only"},
	} {
		err := ValidLinkName(tt.name)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("ValidLinkName(%q) = %v, want nil", tt.name, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ValidLinkName(%q) = %v, want an error saying %q", tt.name, err, tt.err)
		}
	}
}

func TestValidVLAN(t *testing.T) {
	for vid, ok := range map[int]bool{0: false, 1: true, 12: true, 4094: true, 4095: false, -1: false} {
		if err := ValidVLAN(vid); (err == nil) != ok {
			t.Errorf("ValidVLAN(%d) = %v", vid, err)
		}
	}
	if err := ValidVLAN(4095); err.Error() != "invalid VLAN identifier '4095': must be 1 to 4094" {
		t.Errorf("ValidVLAN(4095) = %q", err)
	}
}
