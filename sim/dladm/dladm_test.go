package dladm

import (
	"strings"
	"testing"
)

func TestValidLinkName(t *testing.T) {
	tests := map[string]bool{
		"vnic0": true, "b1_12": true, "build1_0": true, "a.b7": true, "x10": true,
		"vnic": false, "vnic01": false, "1vnic": false, "vnic-0": false, "": false,
		"abcdefghijklmnopqrstuvwxyzabcd1": true, "abcdefghijklmnopqrstuvwxyzabcde1": false,
		"stub0": true, "z0": true,
	}
	for name, want := range tests {
		if got := validLinkName(name); got != want {
			t.Errorf("validLinkName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestMAC(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		want string
	}{
		{"2:8:20:5e:a:1b", true, "2:8:20:5e:a:1b"},
		{"02:08:20:5E:0A:1B", true, "2:8:20:5e:a:1b"},
		{"2:8:20:5e:a", false, ""},
		{"1:8:20:5e:a:1b", false, ""},
		{"2:8:20:5e:a:1bc", false, ""},
		{"zz:8:20:5e:a:1b", false, ""},
	}
	for _, tt := range tests {
		mac, ok := parseMAC(tt.in)
		if ok != tt.ok || ok && formatMAC(mac) != tt.want {
			t.Errorf("parseMAC(%q) = %v, %v; want %q, %v", tt.in, mac, ok, tt.want, tt.ok)
		}
	}
}

func TestOfmtOverflow(t *testing.T) {
	var b strings.Builder
	o, err := newOfmt(&b, []field{{"LINK", 6}, {"OVER", 5}, {"VID", 4}}, "", false)
	if err != nil {
		t.Fatal(err)
	}
	o.print(map[string]string{"LINK": "longname0", "OVER": "e0", "VID": "0"})
	o.print(map[string]string{"LINK": "a0", "OVER": "", "VID": "12"})
	want := "LINK  OVER VID\nlongname0 e0 0\na0    --   12\n"
	if b.String() != want {
		t.Errorf("ofmt output:\n%q\nwant\n%q", b.String(), want)
	}
}
