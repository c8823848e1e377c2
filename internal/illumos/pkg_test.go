package illumos

import (
	"reflect"
	"strings"
	"testing"
)

func TestParsePkgListGolden(t *testing.T) {
	got, err := ParsePkgList(readTestdata(t, "pkg-list.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Package{
		{Name: "shell/bash", Version: "5.2.21-151046.0", Flags: "i--"},
		{Name: "system/zones/brand/lipkg", Version: "0.5.11-151046.0", Flags: "i--"},
		{Name: "ooce/util/jq", Publisher: "extra.omnios", Version: "1.7.1-151046.0", Flags: "im-"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if !got[2].Installed() || !got[2].Manual() || got[2].Frozen() || got[2].Obsolete() || got[2].Renamed() {
		t.Errorf("flags of %+v read wrong", got[2])
	}
}

func TestParsePkgListHeaderAndFlags(t *testing.T) {
	in := "NAME (PUBLISHER)                                  VERSION                    IFO\n" +
		"a/very/long/package/name/that/overflows/the/column/width 1.0-0 -fo\n" +
		"old/thing                                         1.0-0                      --r\n"
	got, err := ParsePkgList([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "a/very/long/package/name/that/overflows/the/column/width" || !got[0].Frozen() || !got[0].Obsolete() || got[0].Installed() {
		t.Errorf("got %+v", got)
	}
	if !got[1].Renamed() {
		t.Errorf("%+v not renamed", got[1])
	}
}

func TestParsePkgListErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"shell/bash 5.2\n", "line 1"},
		{"shell/bash 5.2 i-- extra words\n", "want name [(publisher)] version flags"},
		{"shell/bash 5.2 x--\n", `flags "x--"`},
		{"shell/bash 5.2 i---\n", `flags "i---"`},
		{"ok/pkg 1 i--\nshell/bash () 5.2 i--\n", "line 2"},
	} {
		if _, err := ParsePkgList([]byte(tt.in)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParsePkgList(%q) error = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestParsePkgPublisher(t *testing.T) {
	want := []Publisher{
		{Name: "omnios", Sticky: true, Enabled: true, Type: "origin", Status: "online", URI: "https://pkg.omnios.org/r151046/core/", Proxy: "-"},
		{Name: "extra.omnios", Enabled: true, Type: "origin", Status: "online", URI: "https://pkg.omnios.org/r151046/extra/", Proxy: "-"},
	}
	got, err := ParsePkgPublisher(readTestdata(t, "pkg-publisher-tsv.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	// The reference's form: header and an empty second column.
	got, err = ParsePkgPublisher(readTestdata(t, "pkg-publisher-tsv-header.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want[:1]) {
		t.Errorf("with header: got %+v\nwant %+v", got, want[:1])
	}
	for _, tt := range []struct{ in, want string }{
		{"omnios\ttrue\tfalse\ttrue\torigin\tonline\thttps://x/\n", "7 fields, want 8"},
		{"omnios\tyes\tfalse\ttrue\torigin\tonline\thttps://x/\t-\n", `sticky "yes"`},
	} {
		if _, err := ParsePkgPublisher([]byte(tt.in)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParsePkgPublisher(%q) error = %v, want %q", tt.in, err, tt.want)
		}
	}
}
