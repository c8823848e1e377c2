package illumos

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseZoneListGolden(t *testing.T) {
	tests := []struct {
		file string
		want []ZoneEntry
	}{
		{"zoneadm-list-cp-omnios.txt", []ZoneEntry{
			{ID: 0, Name: "global", State: "running", Zonepath: "/", Brand: "ipkg", IPType: "shared", DebugID: "0"},
			{ID: 42, Name: "cube-media", State: "running", Zonepath: "/zones/cube-media", UUID: "c624d04f-d0d9-e1e6-822e-acebc78ec9ff", Brand: "lipkg", IPType: "excl", DebugID: "128"},
			{ID: -1, Name: "cube-ws", State: "installed", Zonepath: "/zones/cube-ws", UUID: "0f9c56f4-9810-6d45-f801-d34bf27cc13f", Brand: "pkgsrc", IPType: "excl", DebugID: "179"},
			{ID: -1, Name: "clean-zone", State: "installed", Zonepath: "/zones/clean-zone", UUID: "311a4f36-779f-4d14-bc9d-c85cb9817327", Brand: "lipkg", IPType: "excl", DebugID: "216"},
			{ID: -1, Name: "newzone", State: "configured", Zonepath: "/zones/newzone", Brand: "lipkg", IPType: "excl", DebugID: "217"},
			{ID: -1, Name: "brokenzone", State: "incomplete", Zonepath: "/zones/brokenzone", UUID: "5f0c1d6e-3a43-6d5e-b1b4-e0b1a1c0d9aa", Brand: "lipkg", IPType: "excl", DebugID: "218"},
			{ID: -1, Name: "odd", State: "installed", Zonepath: "/zones/with:colon", UUID: "7b7d4c2a-2f8e-4d1b-9d63-1b9b1f3b0f11", Brand: "lipkg", IPType: "excl", DebugID: "219"},
		}},
		{"zoneadm-list-cp-openindiana.txt", []ZoneEntry{
			{ID: 0, Name: "global", State: "running", Zonepath: "/", Brand: "ipkg", IPType: "shared"},
			{ID: -1, Name: "oz1", State: "installed", Zonepath: "/zones/oz1", UUID: "7a1c0c2e-4b21-c3a2-ef59-a2c7b2d3e6f1", Brand: "ipkg", IPType: "shared"},
		}},
		{"zoneadm-list-cp-extra-fields.txt", []ZoneEntry{
			{ID: 0, Name: "global", State: "running", Zonepath: "/", Brand: "ipkg", IPType: "shared", DebugID: "0"},
			{ID: -1, Name: "b1", State: "installed", Zonepath: "/zones/b1", UUID: "9a1c0c2e-4b21-c3a2-ef59-a2c7b2d3e6f1", Brand: "lipkg", IPType: "excl", DebugID: "12"},
		}},
	}
	for _, tt := range tests {
		got, err := ParseZoneList(readTestdata(t, tt.file))
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.file, got, tt.want)
		}
	}
}

func TestParseZoneListZonepathEscapes(t *testing.T) {
	tests := []struct {
		field string
		want  string
	}{
		{`/zones/a\:b`, "/zones/a:b"},
		{`/zones/a\:\:b`, "/zones/a::b"},
		// A backslash is not escaped by zoneadm: kept unless before ':'.
		{`/zones/a\b`, `/zones/a\b`},
		{`/zones/a\\b`, `/zones/a\\b`},
		{`/zones/a\\:b`, `/zones/a\:b`},
	}
	for _, tt := range tests {
		line := "-:z:installed:" + tt.field + ":u:lipkg:excl:1\n"
		got, err := ParseZoneList([]byte(line))
		if err != nil || len(got) != 1 || got[0].Zonepath != tt.want || got[0].UUID != "u" {
			t.Errorf("ParseZoneList(%q) = %+v, %v; want zonepath %q", line, got, err, tt.want)
		}
	}
}

func TestParseZoneListErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"-:z1:unavailable:/zones/z1:u:lipkg:excl:1\n", `line 1: unknown zone state "unavailable"`},
		{"0:global:running:/::ipkg:shared\n-:z1:bogus:/z::ipkg:excl\n", `line 2: unknown zone state "bogus"`},
		{"-:z1:installed:/zones/z1:u:lipkg\n", "6 fields, want at least 7"},
		{"x:z1:installed:/zones/z1:u:lipkg:excl\n", `zone id "x" is neither a number nor "-"`},
		{"-1:z1:installed:/zones/z1:u:lipkg:excl\n", `zone id "-1"`},
		{"-::installed:/zones/z1:u:lipkg:excl\n", "empty zone name"},
	}
	for _, tt := range tests {
		_, err := ParseZoneList([]byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseZoneList(%q) error = %v, want one containing %q", tt.in, err, tt.want)
		}
	}
	if got, err := ParseZoneList(nil); err != nil || got != nil {
		t.Errorf("ParseZoneList(empty) = %v, %v", got, err)
	}
}

func TestParseZoneIndex(t *testing.T) {
	got, err := ParseZoneIndex(readTestdata(t, "root/etc/zones/index"))
	if err != nil {
		t.Fatal(err)
	}
	want := []IndexEntry{
		{Name: "global", State: "installed", Zonepath: "/"},
		{Name: "build1", State: "installed", Zonepath: "/zones/build1", UUID: "c624d04f-d0d9-e1e6-822e-acebc78ec9ff"},
		{Name: "oz1", State: "configured", Zonepath: "/zones/oz1"},
		{Name: "odd", State: "installed", Zonepath: "/zones/with:colon", UUID: "7b7d4c2a-2f8e-4d1b-9d63-1b9b1f3b0f11"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseZoneIndex:\n got %+v\nwant %+v", got, want)
	}
	for _, tt := range []struct{ in, want string }{
		{"z1:running:/zones/z1:u\n", `line 1: zone z1 has state "running"`},
		{"z1\n", "no state field"},
		{"z1:installed:\"/zones/a:b\n", "unterminated quoted zonepath"},
		{":installed:/z:u\n", "empty zone name"},
	} {
		if _, err := ParseZoneIndex([]byte(tt.in)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseZoneIndex(%q) error = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestStateRankAndInKernel(t *testing.T) {
	order := []string{StateConfigured, StateIncomplete, StateInstalled, StateReady, StateRunning, StateShuttingDown, StateDown, StateMounted}
	for i, s := range order {
		if r, ok := StateRank(s); !ok || r != i {
			t.Errorf("StateRank(%q) = %d, %v; want %d", s, r, ok, i)
		}
		if got, want := InKernel(s), i >= 3; got != want {
			t.Errorf("InKernel(%q) = %v, want %v", s, got, want)
		}
	}
	if _, ok := StateRank("unavailable"); ok {
		t.Error("StateRank accepted \"unavailable\"")
	}
}
