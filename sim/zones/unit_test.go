package zones

import (
	"reflect"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
)

func TestLex(t *testing.T) {
	tests := []struct {
		in   string
		want []string // kind:text
	}{
		{"set zonepath=/zones/z1\n", []string{"cmd:set", "prop:zonepath", "=:=", "tok:/zones/z1", "nl:\n"}},
		{`set value="build team";end`, []string{"cmd:set", "prop:value", "=:=", "tok:build team", ";:;", "cmd:end"}},
		// No escapes inside quotes: the backslash is kept, the quote ends the token.
		{`set value="a\"b"`, []string{"cmd:set", "prop:value", "=:=", `tok:a\`, "tok:b", `char:"`}},
		{"add options [ro,nodevices]", []string{"cmd:add", "prop:options", "[:[", "tok:ro", ",:,", "tok:nodevices", "]:]"}},
		{"add value (priv=privileged,limit=100,action=deny)", []string{"cmd:add", "prop:value", "(:(",
			"prop:priv", "=:=", "tok:privileged", ",:,", "prop:limit", "=:=", "tok:100", ",:,",
			"prop:action", "=:=", "tok:deny", "):)"}},
		// '#' starts a comment only at the beginning of a command.
		{"# comment\ninfo # not a comment\n", []string{"nl:\n", "cmd:info", "tok:#", "tok:not", "tok:a", "tok:comment", "nl:\n"}},
		// Keywords are whole words; a longer word is a token.
		{"add network", []string{"cmd:add", "tok:network"}},
		{"select net physical=z1_0", []string{"cmd:select", "res:net", "prop:physical", "=:=", "tok:z1_0"}},
		// An unknown command word is a single-character token.
		{"foo", []string{"char:f", "char:o", "char:o"}},
	}
	kinds := map[tokKind]string{tkNewline: "nl", tkSemi: ";", tkCmd: "cmd", tkRes: "res", tkProp: "prop",
		tkToken: "tok", tkEqual: "=", tkLBrack: "[", tkRBrack: "]", tkLParen: "(", tkRParen: ")", tkComma: ",", tkChar: "char"}
	for _, tt := range tests {
		var got []string
		for _, tok := range lex(tt.in) {
			if tok.kind == tkEOF {
				continue
			}
			got = append(got, kinds[tok.kind]+":"+tok.text)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("lex(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in    string
		check func(parseItem) bool
	}{
		{"create -b\n", func(p parseItem) bool {
			return p.cmd != nil && p.cmd.name == "create" && reflect.DeepEqual(p.cmd.argv, []string{"-b"})
		}},
		{"set -F zonepath=/x\n", func(p parseItem) bool {
			return p.cmd != nil && p.cmd.propNames[0] == "zonepath" && p.cmd.argv[0] == "-F"
		}},
		{"set options=[]\n", func(p parseItem) bool { return p.cmd != nil && p.cmd.emptyList }},
		{"info attr name=x\n", func(p parseItem) bool {
			return p.cmd != nil && p.cmd.resType == "attr" && p.cmd.propVals[0].simple == "x"
		}},
		{"remove -F attr\n", func(p parseItem) bool { return p.cmd != nil && p.cmd.resType == "attr" && p.cmd.argv[0] == "-F" }},
		{"add\n", func(p parseItem) bool { return p.usage == "add" && p.usageRes }},
		{"select net\n", func(p parseItem) bool { return p.usage == "select" && !p.usageRes }},
		{"set zonepath\n", func(p parseItem) bool { return p.synErr != nil && p.synErr.kind == tkNewline && p.line == 2 }},
		{"commit a b\n", func(p parseItem) bool { return p.synErr != nil && p.synErr.text == "b" }},
		{"create -t name\n", func(p parseItem) bool { return p.synErr != nil && p.synErr.text == "name" }},
	}
	for _, tt := range tests {
		p := &parser{toks: lex(tt.in)}
		if item := p.next(); !tt.check(item) {
			t.Errorf("parse %q: unexpected %+v (cmd %+v)", tt.in, item, item.cmd)
		}
	}
}

func TestIndexRoundTrip(t *testing.T) {
	text := "# header\n#\nglobal:installed:/\nz1:configured:/zones/z1:\nz2:installed:\"/zones/a:b\":7b7d4c2a-2f8e-4d1b-9d63-1b9b1f3b0f11\n"
	ix, err := ParseIndex(text)
	if err != nil {
		t.Fatal(err)
	}
	want := []IndexEntry{
		{Name: "global", State: StateInstalled, Zonepath: "/"},
		{Name: "z1", State: StateConfigured, Zonepath: "/zones/z1"},
		{Name: "z2", State: StateInstalled, Zonepath: "/zones/a:b", UUID: "7b7d4c2a-2f8e-4d1b-9d63-1b9b1f3b0f11"},
	}
	if !reflect.DeepEqual(ix.Entries, want) {
		t.Errorf("entries\n got %+v\nwant %+v", ix.Entries, want)
	}
	if got := ix.String(); got != text {
		t.Errorf("round trip\n got %q\nwant %q", got, text)
	}
}

func TestIndexUUIDRule(t *testing.T) {
	ix := &Index{Entries: []IndexEntry{{Name: "z", State: StateConfigured, Zonepath: "/zones/z"}}}
	steps := []struct {
		state   int
		uuid    string // "new", "same" or ""
		comment string
	}{
		{StateIncomplete, "new", "leaving configured gives a uuid"},
		{StateInstalled, "same", "incomplete to installed keeps it"},
		{StateConfigured, "", "configured has none"},
		{StateInstalled, "new", "a new install gets a fresh one"},
	}
	prev := ""
	for _, s := range steps {
		if err := ix.SetState("z", s.state); err != nil {
			t.Fatal(err)
		}
		got := ix.Entries[0].UUID
		switch s.uuid {
		case "new":
			if !uuidRE.MatchString(got) || got == prev {
				t.Errorf("%s: uuid %q", s.comment, got)
			}
		case "same":
			if got != prev {
				t.Errorf("%s: uuid %q, want %q", s.comment, got, prev)
			}
		default:
			if got != "" {
				t.Errorf("%s: uuid %q", s.comment, got)
			}
		}
		prev = got
	}
}

func TestConfigXMLRoundTrip(t *testing.T) {
	c := &Config{Name: "b1", Zonepath: "/zones/b1", Brand: "ipkg", IPType: "exclusive", DebugID: "7"}
	c.FS = append(c.FS, FS{Dir: "/src", Special: "/export/src", Type: "lofs", Options: []string{"ro"}, seq: c.nextSeq()})
	c.Net = append(c.Net, Net{Physical: "b1_0", AllowedAddress: "10.0.0.2/24", Defrouter: "10.0.0.1", seq: c.nextSeq()})
	c.Attr = append(c.Attr, Attr{Name: "zonemgr.origin", Type: "string", Value: `giz:"g" & <x>`, seq: c.nextSeq()})
	setAliasedRctl(c, "max-lwps", 2000)
	c.Mcap = &Mcap{Physcap: "2147483648", seq: c.nextSeq()}
	want := `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE zone PUBLIC "-//Sun Microsystems Inc//DTD Zones//EN" "file:///usr/share/lib/xml/dtd/zonecfg.dtd.1">
<!--
    DO NOT EDIT THIS FILE.  Use zonecfg(8) instead.
-->
<zone name="b1" zonepath="/zones/b1" autoboot="false" brand="ipkg" ip-type="exclusive" debugid="7">
  <filesystem special="/export/src" directory="/src" type="lofs">
    <fsoption name="ro"/>
  </filesystem>
  <network allowed-address="10.0.0.2/24" physical="b1_0" defrouter="10.0.0.1"/>
  <attr name="zonemgr.origin" type="string" value="giz:&quot;g&quot; &amp; &lt;x&gt;"/>
  <rctl name="zone.max-lwps">
    <rctl-value priv="privileged" limit="2000" action="deny"/>
  </rctl>
  <mcap physcap="2147483648"/>
</zone>
`
	if got := string(c.XML()); got != want {
		t.Errorf("XML\n got:\n%s\nwant:\n%s", got, want)
	}
	back, err := ParseConfig(c.XML())
	if err != nil {
		t.Fatal(err)
	}
	if string(back.XML()) != want {
		t.Errorf("parse + render changed the document:\n%s", back.XML())
	}
	if v, _ := back.Attribute("zonemgr.origin"); v != `giz:"g" & <x>` {
		t.Errorf("attr value %q", v)
	}
}

func TestListFormats(t *testing.T) {
	tests := []struct {
		e        ListEntry
		parsable string
		verbose  string
	}{
		{ListEntry{ID: 0, Name: "global", State: StateRunning, Zonepath: "/", Brand: "ipkg", IPType: "shared", DebugID: "0"},
			"0:global:running:/::ipkg:shared:0",
			"   0 global           running    /                              ipkg     shared"},
		{ListEntry{ID: 42, Name: "cube-media", State: StateRunning, Zonepath: "/zones/cube-media",
			UUID: "c624d04f-d0d9-e1e6-822e-acebc78ec9ff", Brand: "lipkg", IPType: "excl", DebugID: "128"},
			"42:cube-media:running:/zones/cube-media:c624d04f-d0d9-e1e6-822e-acebc78ec9ff:lipkg:excl:128",
			"  42 cube-media       running    /zones/cube-media              lipkg    excl  "},
		{ListEntry{ID: -1, Name: "odd", State: StateInstalled, Zonepath: "/zones/with:colon",
			UUID: "7b7d4c2a-2f8e-4d1b-9d63-1b9b1f3b0f11", Brand: "lipkg", IPType: "excl", DebugID: "219"},
			`-:odd:installed:/zones/with\:colon:7b7d4c2a-2f8e-4d1b-9d63-1b9b1f3b0f11:lipkg:excl:219`,
			"   - odd              installed  /zones/with:colon              lipkg    excl  "},
		{ListEntry{ID: -1, Name: "newzone", State: StateConfigured, Zonepath: `/zones/back\slash`, Brand: "ipkg", IPType: "shared"},
			`-:newzone:configured:/zones/back\slash::ipkg:shared:`,
			`   - newzone          configured /zones/back\slash              ipkg     shared`},
	}
	for _, tt := range tests {
		if got := tt.e.Parsable(core.OmniOS); got != tt.parsable {
			t.Errorf("Parsable omnios\n got %q\nwant %q", got, tt.parsable)
		}
		// illumos-gate's zone_print() has no debug id field.
		gate := tt.parsable[:strings.LastIndex(tt.parsable, ":")]
		if got := tt.e.Parsable(core.OpenIndiana); got != gate {
			t.Errorf("Parsable openindiana\n got %q\nwant %q", got, gate)
		}
		if got := tt.e.Verbose(); got != tt.verbose {
			t.Errorf("Verbose\n got %q\nwant %q", got, tt.verbose)
		}
	}
	if verboseHeader != "  ID NAME             STATUS     PATH                           BRAND    IP    " {
		t.Errorf("header %q", verboseHeader)
	}
}

func TestJoinCommand(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"echo a b"}, "echo a b"},
		{[]string{"echo", "a b", "c\td", "e"}, "echo 'a b' 'c\td' e"},
		{[]string{"id", "-u"}, "id -u"},
	}
	for _, tt := range tests {
		if got := JoinCommand(tt.args); got != tt.want {
			t.Errorf("JoinCommand(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}

func TestValidLinkName(t *testing.T) {
	for name, want := range map[string]bool{"vnic0": true, "b1_12": true, "golden0": true, "a.b3": true,
		"vnic": false, "vnic01": false, "1vnic": false, "v-nic0": false, "": false,
		strings.Repeat("a", 31) + "0": false, strings.Repeat("a", 30) + "0": true} {
		if got := ValidLinkName(name); got != want {
			t.Errorf("ValidLinkName(%q) = %v", name, got)
		}
	}
}

func TestBytesToUnits(t *testing.T) {
	for n, want := range map[uint64]string{512: "512", 1 << 20: "1M", 2 << 30: "2G",
		1536 << 20: "1.5G", 100 << 20: "100M", 50 << 20: "50M", 3 << 40: "3T"} {
		if got := bytesToUnits(n); got != want {
			t.Errorf("bytesToUnits(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestParseMemLimit(t *testing.T) {
	for in, want := range map[string]uint64{"2G": 2 << 30, "512m": 512 << 20, "1Tb": 1 << 40, "4k": 4 << 10} {
		if got, ok := parseMemLimit(in); !ok || got != want {
			t.Errorf("parseMemLimit(%q) = %d, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "12", "G", "2X", "2Gx"} {
		if _, ok := parseMemLimit(in); ok {
			t.Errorf("parseMemLimit(%q) accepted", in)
		}
	}
}

func TestGetopt(t *testing.T) {
	tests := []struct {
		args   []string
		spec   string
		opts   string // letters with =arg
		optind int
		bad    byte
	}{
		{[]string{"-bF", "x"}, "?a:bFt:", "b F", 1, 0},
		{[]string{"-t", "SUNWipkg"}, "?a:bFt:", "t=SUNWipkg", 2, 0},
		{[]string{"-tSUNWipkg"}, "?a:bFt:", "t=SUNWipkg", 1, 0},
		{[]string{"-x"}, "?a:bFt:", "", 1, 'x'},
		{[]string{"-?"}, "?a:bFt:", "", 1, '?'},
		{[]string{"-t"}, "?a:bFt:", "", 1, 't'},
		{[]string{"src", "-s", "snap"}, "?s:", "", 0, 0},
		{[]string{"--", "-s"}, "?s:", "", 1, 0},
	}
	for _, tt := range tests {
		opts, optind, bad := getopt(tt.args, tt.spec)
		var got []string
		for _, o := range opts {
			s := string(o.opt)
			if o.arg != "" {
				s += "=" + o.arg
			}
			got = append(got, s)
		}
		if strings.Join(got, " ") != tt.opts || optind != tt.optind || bad != tt.bad {
			t.Errorf("getopt(%q): opts %q optind %d bad %q", tt.args, got, optind, bad)
		}
	}
}
