package ansible

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/go-multierror"
)

// testSpec has an option of every type and every kind of constraint.
func testSpec() Spec {
	return Spec{
		Module:      "zone_test",
		Description: "Manage a test zone.",
		Options: []Option{
			{Name: "name", Required: true, Aliases: []string{"zone"}, Description: "Zone name."},
			{Name: "state", Default: "present", Choices: []string{"present", "absent", "running"}},
			{Name: "giz"},
			{Name: "source"},
			{Name: "boot_timeout", Type: TypeInt, Default: 300},
			{Name: "ratio", Type: TypeFloat},
			{Name: "autoboot", Type: TypeBool, Default: false},
			{Name: "zonepath", Type: TypePath},
			{Name: "features", Type: TypeList},
			{Name: "tags", Type: TypeList, Choices: []string{"build", "test"}},
			{Name: "cpus", Type: TypeList, Elements: TypeInt},
			{Name: "labels", Type: TypeDict},
			{Name: "extra", Type: TypeRaw},
			{Name: "autovnic", Choices: []string{"on", "off", "auto"}},
			{Name: "password", NoLog: true},
			{Name: "mounts", Type: TypeList, Elements: TypeDict, Suboptions: []Option{
				{Name: "dir", Type: TypePath, Required: true},
				{Name: "special", Aliases: []string{"src"}},
				{Name: "type", Default: "lofs", Choices: []string{"lofs", "zfs"}},
				{Name: "options", Type: TypeList},
			}},
			{Name: "limits", Type: TypeDict, Suboptions: []Option{
				{Name: "cpu", Type: TypeFloat},
				{Name: "mem"},
				{Name: "key", NoLog: true},
			}},
		},
		MutuallyExclusive: [][]string{{"giz", "source"}},
		RequiredIf:        []RequiredIf{{Key: "state", Value: "running", Requires: []string{"giz", "source"}, Any: true}},
		SupportsCheckMode: true,
	}
}

const supportedTestParams = "autoboot, autovnic, boot_timeout, cpus, extra, features, giz, labels, limits, " +
	"mounts, name, password, ratio, source, state, tags, zonepath (zone)"

func mustParse(t *testing.T, s Spec, raw string) *Params {
	t.Helper()
	p, err := s.Parse([]byte(raw))
	if err != nil {
		t.Fatalf("Parse(%s): %v", raw, err)
	}
	return p
}

func TestParseCoercions(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		option string
		value  string // JSON
		want   any
	}{
		{"autoboot", `"yes"`, true},
		{"autoboot", `"no"`, false},
		{"autoboot", `"on"`, true},
		{"autoboot", `"off"`, false},
		{"autoboot", `"true"`, true},
		{"autoboot", `"false"`, false},
		{"autoboot", `"y"`, true},
		{"autoboot", `"n"`, false},
		{"autoboot", `"1"`, true},
		{"autoboot", `"0"`, false},
		{"autoboot", `"t"`, true},
		{"autoboot", `"F"`, false},
		{"autoboot", `"YES"`, true},
		{"autoboot", `" Off "`, false},
		{"autoboot", `"True"`, true},
		{"autoboot", `true`, true},
		{"autoboot", `false`, false},
		{"autoboot", `1`, true},
		{"autoboot", `0`, false},
		{"autoboot", `1.0`, true},
		{"boot_timeout", `"3"`, 3},
		{"boot_timeout", `3`, 3},
		{"boot_timeout", `3.0`, 3},
		{"boot_timeout", `" 42 "`, 42},
		{"boot_timeout", `"-1"`, -1},
		{"boot_timeout", `1e3`, 1000},
		{"ratio", `1.5`, 1.5},
		{"ratio", `"2.25"`, 2.25},
		{"ratio", `3`, 3.0},
		{"name", `"z1"`, "z1"},
		{"name", `101`, "101"},
		{"name", `1.50`, "1.50"},
		{"name", `true`, "True"},
		{"name", `false`, "False"},
		{"name", `"a<b>&c"`, "a<b>&c"},
		{"zonepath", `"/zones//a/../b/"`, "/zones/b"},
		{"zonepath", `"~/zones"`, filepath.Join(home, "zones")},
		{"zonepath", `"~"`, home},
		{"zonepath", `"~nosuchuser-zonemgr/x"`, "~nosuchuser-zonemgr/x"},
		{"zonepath", `""`, ""},
		{"features", `["a", "b"]`, []string{"a", "b"}},
		{"features", `"a,b"`, []string{"a", "b"}},
		{"features", `"a"`, []string{"a"}},
		{"features", `""`, []string{}},
		{"features", `[]`, []string{}},
		{"features", `7`, []string{"7"}},
		{"features", `[1, true]`, []string{"1", "True"}},
		{"tags", `"build,test"`, []string{"build", "test"}},
		{"cpus", `["1", 2, 3.0]`, []int{1, 2, 3}},
		{"cpus", `"1,2"`, []int{1, 2}},
		{"cpus", `4`, []int{4}},
		{"labels", `{"a": 1, "b": [true]}`, map[string]any{"a": 1, "b": []any{true}}},
		{"labels", `"a=1, b='x y' c=\"d,e\""`, map[string]any{"a": "1", "b": "x y", "c": "d,e"}},
		{"labels", `"{\"k\": \"v\"}"`, map[string]any{"k": "v"}},
		{"extra", `[1, "a", null, {"b": true}, 2.5]`, []any{1, "a", nil, map[string]any{"b": true}, 2.5}},
		{"extra", `"text"`, "text"},
		{"extra", `1e400`, "1e400"},
		{"autovnic", `true`, "on"},
		{"autovnic", `"auto"`, "auto"},
		{"mounts", `[{"dir": "/a//b", "src": "/b"}]`, []map[string]any{
			{"dir": "/a/b", "special": "/b", "type": "lofs", "options": nil},
		}},
		{"mounts", `[{"dir": "/a", "type": "zfs", "options": "ro,nodevices"}]`, []map[string]any{
			{"dir": "/a", "special": nil, "type": "zfs", "options": []string{"ro", "nodevices"}},
		}},
		{"limits", `{"cpu": "1.5"}`, map[string]any{"cpu": 1.5, "mem": nil, "key": nil}},
		{"limits", `"cpu=2 mem=1G"`, map[string]any{"cpu": 2.0, "mem": "1G", "key": nil}},
	}
	s := testSpec()
	for _, tt := range tests {
		t.Run(tt.option+"="+tt.value, func(t *testing.T) {
			args := `{"name": "z", "` + tt.option + `": ` + tt.value + `}`
			if tt.option == "name" {
				args = `{"name": ` + tt.value + `}`
			}
			p := mustParse(t, s, args)
			if got := p.Raw(tt.option); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Raw(%q) = %#v, want %#v", tt.option, got, tt.want)
			}
			if !p.IsSet(tt.option) {
				t.Errorf("IsSet(%q) = false for a given option", tt.option)
			}
		})
	}
}

func TestParseInvalidValues(t *testing.T) {
	boolWords := " (use yes/no, true/false, on/off, y/n, t/f or 1/0)"
	tests := []struct {
		args string
		want string
	}{
		{`{"autoboot": "maybe"}`, `autoboot: "maybe" is not a bool` + boolWords},
		{`{"autoboot": 2}`, `autoboot: 2 is not a bool` + boolWords},
		{`{"autoboot": [true]}`, `autoboot: [true] is not a bool` + boolWords},
		{`{"boot_timeout": "abc"}`, `boot_timeout: "abc" is not an int`},
		{`{"boot_timeout": 3.5}`, `boot_timeout: 3.5 is not an int`},
		{`{"boot_timeout": "3.0"}`, `boot_timeout: "3.0" is not an int`},
		{`{"boot_timeout": true}`, `boot_timeout: true is not an int`},
		{`{"boot_timeout": 1e30}`, `boot_timeout: 1e30 is not an int`},
		{`{"boot_timeout": "99999999999999999999"}`, `boot_timeout: "99999999999999999999" is not an int`},
		{`{"ratio": "x"}`, `ratio: "x" is not a float`},
		{`{"ratio": "inf"}`, `ratio: "inf" is not a float`},
		{`{"ratio": 1e400}`, `ratio: 1e400 is not a float`},
		{`{"ratio": false}`, `ratio: false is not a float`},
		{`{"giz": [1, 2]}`, `giz: [1,2] is not a str`},
		{`{"giz": {"a": 1}}`, `giz: {"a":1} is not a str`},
		{`{"zonepath": ["/a"]}`, `zonepath: ["/a"] is not a path`},
		{`{"features": {"a": 1}}`, `features: {"a":1} is not a list`},
		{`{"features": ["a", null]}`, `features[1]: null is not a str`},
		{`{"cpus": ["1", "x", 2.5]}`, `cpus[1]: "x" is not an int; cpus[2]: 2.5 is not an int`},
		{`{"labels": "abc"}`, `labels: "abc" is not a dict`},
		{`{"labels": 5}`, `labels: 5 is not a dict`},
		{`{"labels": "{bad"}`, `labels: "{bad" is not a dict`},
		{`{"labels": "a=1, b"}`, `labels: "a=1, b" is not a dict`},
		{`{"labels": [1]}`, `labels: [1] is not a dict`},
		{`{"state": "bogus"}`, `state: value "bogus" is not one of: present, absent, running`},
		{`{"state": 3}`, `state: value "3" is not one of: present, absent, running`},
		{`{"tags": "build,deploy"}`, `tags: value "deploy" is not one of: build, test`},
		{`{"autovnic": "maybe"}`, `autovnic: value "maybe" is not one of: on, off, auto`},
		{`{"mounts": ["x"]}`, `mounts[0]: "x" is not a dict`},
		{`{"mounts": {"dir": "/a"}}`, `mounts: {"dir":"/a"} is not a list`},
		{`{"mounts": [{"src": "/b"}]}`, `mounts[0].dir: required`},
		{`{"mounts": [{"dir": "/a"}, {"dir": "/b", "type": "nfs"}]}`, `mounts[1].type: value "nfs" is not one of: lofs, zfs`},
		{`{"mounts": [{"dir": "/a", "special": "x", "src": "y"}]}`, `mounts[0].special: given more than once (as special and src)`},
		{`{"mounts": [{"dir": "/a", "bogus": 1, "alpha": 2}]}`,
			`Unsupported parameters for (zone_test) module: mounts[0].alpha, mounts[0].bogus. ` +
				`Supported parameters include: dir, options, special, type (src).`},
		{`{"limits": {"cpu": "lots"}}`, `limits.cpu: "lots" is not a float`},
		{`{"extra": 1, "giz": [` + strings.Repeat(`"abcdefghij",`, 10) + `"z"]}`,
			`giz: ["abcdefghij","abcdefghij","abcdefghij","abcdefghij","abcdef... is not a str`},
	}
	s := testSpec()
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			args := `{"name": "z", ` + tt.args[1:]
			p, err := s.Parse([]byte(args))
			if err == nil {
				t.Fatalf("Parse(%s) = %v, nil; want error %q", args, p.Args(), tt.want)
			}
			if p != nil {
				t.Errorf("Parse returned Params with an error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Parse(%s) error\n got %q\nwant %q", args, got, tt.want)
			}
		})
	}
}

func TestParseRequiredAndDefaults(t *testing.T) {
	s := testSpec()
	for _, args := range []string{`{}`, `{"name": null}`, `{"zone": null}`} {
		if _, err := s.Parse([]byte(args)); err == nil || err.Error() != "name: required" {
			t.Errorf("Parse(%s) error = %v, want name: required", args, err)
		}
	}

	p := mustParse(t, s, `{"name": "z1", "state": null}`)
	if got := p.Str("state"); got != "present" {
		t.Errorf("default state = %q, want present", got)
	}
	if p.IsSet("state") {
		t.Error("IsSet(state) = true for a defaulted option")
	}
	if got := p.Int("boot_timeout"); got != 300 {
		t.Errorf("default boot_timeout = %d, want 300", got)
	}
	if p.Raw("autoboot") != false || p.Raw("giz") != nil {
		t.Errorf("autoboot = %#v, giz = %#v; want false, nil", p.Raw("autoboot"), p.Raw("giz"))
	}
	wantArgs := map[string]any{
		"name": "z1", "state": "present", "giz": nil, "source": nil, "boot_timeout": 300,
		"ratio": nil, "autoboot": false, "zonepath": nil, "features": nil, "tags": nil,
		"cpus": nil, "labels": nil, "extra": nil, "autovnic": nil, "password": nil,
		"mounts": nil, "limits": nil,
	}
	if got := p.Args(); !reflect.DeepEqual(got, wantArgs) {
		t.Errorf("Args() = %#v\nwant %#v", got, wantArgs)
	}

	p = mustParse(t, s, `{"zone": "z2", "state": "present"}`)
	if p.Str("name") != "z2" || p.Str("zone") != "z2" || !p.IsSet("name") || !p.IsSet("zone") {
		t.Errorf("alias zone: name = %q, IsSet = %v", p.Str("name"), p.IsSet("name"))
	}
	if !p.IsSet("state") {
		t.Error("IsSet(state) = false for a given option")
	}
	if _, ok := p.Args()["zone"]; ok {
		t.Error("Args() has the alias zone; want only option names")
	}
}

func TestParseAccessors(t *testing.T) {
	s := testSpec()
	p := mustParse(t, s, `{"name": "z", "ratio": 2, "cpus": [1, 2],
		"features": "a,b", "labels": {"k": "v"},
		"mounts": [{"dir": "/a", "src": "/b"}, {"dir": "/c", "type": "zfs"}],
		"limits": {"cpu": 1.5, "mem": "2G"}}`)
	if got := p.Float("ratio"); got != 2 {
		t.Errorf("Float(ratio) = %v, want 2", got)
	}
	if got := p.Float("boot_timeout"); got != 300 {
		t.Errorf("Float(boot_timeout) = %v, want 300", got)
	}
	if got := p.List("cpus"); !reflect.DeepEqual(got, []string{"1", "2"}) {
		t.Errorf("List(cpus) = %q", got)
	}
	if got := p.List("features"); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("List(features) = %q", got)
	}
	if got := p.Dict("labels"); !reflect.DeepEqual(got, map[string]any{"k": "v"}) {
		t.Errorf("Dict(labels) = %v", got)
	}
	if got := len(p.Dicts("mounts")); got != 2 {
		t.Errorf("len(Dicts(mounts)) = %d, want 2", got)
	}
	subs := p.SubList("mounts")
	if len(subs) != 2 {
		t.Fatalf("len(SubList(mounts)) = %d, want 2", len(subs))
	}
	if subs[0].Str("special") != "/b" || !subs[0].IsSet("src") || subs[0].Str("type") != "lofs" || subs[0].IsSet("type") {
		t.Errorf("mounts[0]: special %q, type %q, IsSet(type) %v", subs[0].Str("special"), subs[0].Str("type"), subs[0].IsSet("type"))
	}
	if subs[1].Str("type") != "zfs" || subs[1].Str("dir") != "/c" {
		t.Errorf("mounts[1]: dir %q, type %q", subs[1].Str("dir"), subs[1].Str("type"))
	}
	if l := p.Sub("limits"); l.Float("cpu") != 1.5 || l.Str("mem") != "2G" {
		t.Errorf("Sub(limits): cpu %v, mem %q", l.Float("cpu"), l.Str("mem"))
	}
	// Absent options, wrong types and nil Params give zero values.
	var nilParams *Params
	if p.Sub("nothing") != nil || p.Int("name") != 0 || p.Str("boot_timeout") != "" || p.Bool("nothing") ||
		nilParams.Str("name") != "" || nilParams.IsSet("name") || nilParams.Sub("x").Int("y") != 0 ||
		len(nilParams.Args()) != 0 || p.List("name") != nil {
		t.Error("accessors of absent options or other types are not zero")
	}
}

func TestParseAliasGivenTwice(t *testing.T) {
	s := testSpec()
	tests := []struct{ args, want string }{
		{`{"name": "a", "zone": "b"}`, "name: given more than once (as name and zone)"},
		{`{"name": "a", "name": "b"}`, "name: given more than once"},
		{`{"zone": "a", "zone": "b", "name": "c"}`, "name: given more than once (as zone, zone and name)"},
	}
	for _, tt := range tests {
		if _, err := s.Parse([]byte(tt.args)); err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%s) error = %v, want %q", tt.args, err, tt.want)
		}
	}
}

func TestParseUnsupportedParameters(t *testing.T) {
	s := testSpec()
	tests := []struct{ args, want string }{
		{`{"name": "z", "bogus": 1, "another": "x"}`,
			"Unsupported parameters for (zone_test) module: another, bogus. Supported parameters include: " + supportedTestParams + "."},
		{`{"name": "z", "Name": 1, "_ansible_module_name": "acme.zones.zone_test"}`,
			"Unsupported parameters for (acme.zones.zone_test) module: Name. Supported parameters include: " + supportedTestParams + "."},
		{`{"name": "z", "ansible_check_mode": true}`,
			"Unsupported parameters for (zone_test) module: ansible_check_mode. Supported parameters include: " + supportedTestParams + "."},
	}
	for _, tt := range tests {
		if _, err := s.Parse([]byte(tt.args)); err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%s) error\n got %v\nwant %s", tt.args, err, tt.want)
		}
	}
}

// verifiedArgs is the args file ansible-core 2.14.18 wrote for a task
// run with --check --diff (ansible-binary-modules.md §1), with the user
// options of the test spec and two keys of newer cores.
const verifiedArgs = `{"name": "coll", "zonepath": "/zones/coll", "boot_timeout": "3", "autoboot": true, ` +
	`"labels": {"a": [1, "two", null], "b": {"c": true}}, ` +
	`"_ansible_check_mode": true, "_ansible_no_log": false, "_ansible_debug": false, ` +
	`"_ansible_diff": true, "_ansible_verbosity": 3, "_ansible_version": "2.14.18", ` +
	`"_ansible_module_name": "acme.zones.zone_test", "_ansible_syslog_facility": "LOG_USER", ` +
	`"_ansible_selinux_special_fs": ["fuse", "nfs", "vboxsf", "ramfs", "9p", "vfat"], ` +
	`"_ansible_string_conversion_action": "warn", "_ansible_socket": null, ` +
	`"_ansible_shell_executable": "/bin/sh", "_ansible_keep_remote_files": false, ` +
	`"_ansible_tmpdir": "/root/.ansible/tmp/ansible-tmp-1-2/", "_ansible_remote_tmp": "~/.ansible/tmp", ` +
	`"_ansible_ignore_unknown_opts": false, "_ansible_target_log_info": null}`

func TestParseAnsibleKeys(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	s := testSpec()
	p := mustParse(t, s, verifiedArgs)
	if !p.CheckMode || !p.Diff || p.NoLog || p.Verbosity != 3 {
		t.Errorf("flags: check %v diff %v no_log %v verbosity %d; want true true false 3", p.CheckMode, p.Diff, p.NoLog, p.Verbosity)
	}
	if p.ModuleName != "acme.zones.zone_test" {
		t.Errorf("ModuleName = %q", p.ModuleName)
	}
	if p.TmpDir != "/root/.ansible/tmp/ansible-tmp-1-2/" {
		t.Errorf("TmpDir = %q", p.TmpDir)
	}
	if want := filepath.Join(home, ".ansible/tmp"); p.RemoteTmp != want {
		t.Errorf("RemoteTmp = %q, want %q", p.RemoteTmp, want)
	}
	if p.Int("boot_timeout") != 3 || !p.Bool("autoboot") || p.Str("zonepath") != "/zones/coll" {
		t.Errorf("options: %v", p.Args())
	}

	// become to an unprivileged user: _ansible_tmpdir is null.
	p = mustParse(t, s, `{"name": "z", "_ansible_tmpdir": null, "_ansible_remote_tmp": "/var/tmp/ansible", "_ansible_no_log": "yes"}`)
	if p.TmpDir != "/var/tmp/ansible" || !p.NoLog {
		t.Errorf("TmpDir = %q, NoLog = %v; want /var/tmp/ansible, true", p.TmpDir, p.NoLog)
	}

	// The flags that change what a module does must be readable.
	for _, args := range []string{
		`{"name": "z", "_ansible_check_mode": "sometimes"}`,
		`{"name": "z", "_ansible_verbosity": "loud"}`,
	} {
		want := `_ansible_check_mode: "sometimes" is not a bool (use yes/no, true/false, on/off, y/n, t/f or 1/0)`
		if strings.Contains(args, "verbosity") {
			want = `_ansible_verbosity: "loud" is not an int`
		}
		if _, err := s.Parse([]byte(args)); err == nil || err.Error() != want {
			t.Errorf("Parse(%s) error = %v, want %q", args, err, want)
		}
	}
}

func TestParseConstraints(t *testing.T) {
	s := testSpec()
	s.RequiredOneOf = [][]string{{"zonepath", "giz"}}
	s.RequiredTogether = [][]string{{"ratio", "cpus"}}
	s.RequiredIf = append(s.RequiredIf, RequiredIf{Key: "autoboot", Value: true, Requires: []string{"ratio", "zonepath"}})
	tests := []struct{ args, want string }{
		{`{"name": "z", "giz": "g"}`, ""},
		{`{"name": "z", "zonepath": "/z", "giz": "g", "source": "s"}`, "giz and source are mutually exclusive"},
		{`{"name": "z"}`, "one of the following is required: zonepath, giz"},
		{`{"name": "z", "zonepath": "/z", "state": "running"}`, "state is running but any of the following are missing: giz, source"},
		{`{"name": "z", "zonepath": "/z", "state": "running", "source": "s"}`, ""},
		{`{"name": "z", "giz": "g", "autoboot": "yes"}`, "autoboot is true but all of the following are missing: ratio, zonepath"},
		{`{"name": "z", "giz": "g", "autoboot": "yes", "zonepath": "/z"}`, "autoboot is true but all of the following are missing: ratio"},
		{`{"name": "z", "giz": "g", "ratio": 1}`, "parameters are required together: ratio, cpus"},
		{`{"name": "z", "giz": "g", "ratio": 1, "cpus": [1]}`, ""},
	}
	for _, tt := range tests {
		_, err := s.Parse([]byte(tt.args))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("Parse(%s) error\n got %q\nwant %q", tt.args, got, tt.want)
		}
	}
}

func TestParseReportsAllErrorsTogether(t *testing.T) {
	s := testSpec()
	args := `{"state": "bogus", "boot_timeout": "abc", "giz": "a", "source": "b", "x": 1}`
	_, err := s.Parse([]byte(args))
	want := []string{
		"name: required",
		`state: value "bogus" is not one of: present, absent, running`,
		`boot_timeout: "abc" is not an int`,
		"giz and source are mutually exclusive",
		"Unsupported parameters for (zone_test) module: x. Supported parameters include: " + supportedTestParams + ".",
	}
	if err == nil || err.Error() != strings.Join(want, "; ") {
		t.Fatalf("Parse error\n got %v\nwant %s", err, strings.Join(want, "; "))
	}
	var me *multierror.Error
	if !errors.As(err, &me) || len(me.Errors) != len(want) {
		t.Fatalf("error is not a *multierror.Error of %d errors: %#v", len(want), err)
	}
	for i, e := range me.Errors {
		if e.Error() != want[i] {
			t.Errorf("error %d = %q, want %q", i, e, want[i])
		}
	}
}

func TestParseWarnings(t *testing.T) {
	s := testSpec()
	p := mustParse(t, s, `{"name": 101, "features": [true], "autovnic": true, "mounts": [{"dir": "/a", "src": 1.5}]}`)
	want := []string{
		`The value "name: 101" (type int) was converted to "name: '101'" (type string). If this does not look like what you expect, quote the entire value to ensure it does not change.`,
		`The value "features[0]: True" (type bool) was converted to "features[0]: 'True'" (type string). If this does not look like what you expect, quote the entire value to ensure it does not change.`,
		`The value "autovnic: True" (type bool) was converted to "autovnic: 'True'" (type string). If this does not look like what you expect, quote the entire value to ensure it does not change.`,
		`The value "mounts[0].special: 1.5" (type float) was converted to "mounts[0].special: '1.5'" (type string). If this does not look like what you expect, quote the entire value to ensure it does not change.`,
	}
	if !reflect.DeepEqual(p.Warnings, want) {
		t.Errorf("Warnings =\n%q\nwant\n%q", p.Warnings, want)
	}
	if p := mustParse(t, s, `{"name": "z"}`); len(p.Warnings) != 0 {
		t.Errorf("defaults gave warnings: %q", p.Warnings)
	}
}

func TestParseMasksNoLogValuesInErrors(t *testing.T) {
	s := testSpec()
	_, err := s.Parse([]byte(`{"name": "z", "password": "hunter2", "giz": ["hunter2"], "limits": {"key": "s3cr3t", "cpu": "s3cr3t!"}}`))
	want := `giz: ["********"] is not a str; limits.cpu: "********!" is not a float`
	if err == nil || err.Error() != want {
		t.Errorf("Parse error\n got %v\nwant %s", err, want)
	}
}

func TestParseBadArgs(t *testing.T) {
	s := testSpec()
	tests := []struct {
		name string
		raw  []byte
		want string
	}{
		{"empty", []byte(""), "module args: empty, want a JSON object"},
		{"blank", []byte(" \n\t"), "module args: empty, want a JSON object"},
		{"bad JSON", []byte(`{"name": }`), "module args: invalid JSON: unexpected '}', want a value at line 1, column 10"},
		{"truncated", []byte(`{"name": "z"`), "module args: invalid JSON: unexpected end of input after an object member, want ',' or '}' at line 1, column 13"},
		{"trailing", []byte(`{"name": "z"} x`), "module args: invalid JSON: unexpected 'x' after the top-level value at line 1, column 15"},
		{"key=value", []byte(`name=z state=present`), "module args: invalid JSON: unexpected 'a' in literal null at line 1, column 2"},
		{"array", []byte(`[{"name": "z"}]`), "module args: top-level JSON value is an array, want an object"},
		{"string", []byte(`"name"`), "module args: top-level JSON value is a string, want an object"},
		{"number", []byte(`42`), "module args: top-level JSON value is a number, want an object"},
		{"null", []byte(`null`), "module args: top-level JSON value is null, want an object"},
		{"true", []byte(`true`), "module args: top-level JSON value is a boolean, want an object"},
		{"deep", []byte(`{"extra": ` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`),
			"module args: invalid JSON: nested more than 10000 levels deep at line 1, column 10010"},
		{"huge", hugeArgs(10 << 20), "module args: 10485760 bytes, more than the 4194304-byte limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := s.Parse(tt.raw)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Parse error = %v, want %q", err, tt.want)
			}
			if p != nil {
				t.Error("Parse returned Params with an error")
			}
		})
	}
}

// hugeArgs returns a valid args object of exactly size bytes.
func hugeArgs(size int) []byte {
	head := `{"name": "z", "extra": "`
	tail := `"}`
	return []byte(head + strings.Repeat("x", size-len(head)-len(tail)) + tail)
}

func TestSpecValidate(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"empty module", Spec{Options: []Option{{Name: "a"}}}, "spec: module name is empty"},
		{"duplicate", Spec{Module: "m", Options: []Option{{Name: "a"}, {Name: "a"}}},
			`spec m: option a: name or alias "a" already used by option a`},
		{"alias clash", Spec{Module: "m", Options: []Option{{Name: "a"}, {Name: "b", Aliases: []string{"a"}}}},
			`spec m: option b: name or alias "a" already used by option a`},
		{"internal name", Spec{Module: "m", Options: []Option{{Name: "_ansible_x"}}},
			"spec m: option _ansible_x: names starting with _ansible_ are Ansible's"},
		{"unknown type", Spec{Module: "m", Options: []Option{{Name: "a", Type: "string"}}},
			`spec m: option a: unknown type "string"`},
		{"elements without list", Spec{Module: "m", Options: []Option{{Name: "a", Elements: TypeInt}}},
			"spec m: option a: elements is only for type list"},
		{"list of list", Spec{Module: "m", Options: []Option{{Name: "a", Type: TypeList, Elements: TypeList}}},
			`spec m: option a: unsupported element type "list"`},
		{"suboptions of str", Spec{Module: "m", Options: []Option{{Name: "a", Suboptions: []Option{{Name: "b"}}}}},
			"spec m: option a: suboptions need type dict or a list of dict"},
		{"bad suboption", Spec{Module: "m", Options: []Option{{Name: "a", Type: TypeDict, Suboptions: []Option{{Name: "b", Type: "x"}}}}},
			`spec m: option a.b: unknown type "x"`},
		{"choices of bool", Spec{Module: "m", Options: []Option{{Name: "a", Type: TypeBool, Choices: []string{"yes"}}}},
			"spec m: option a: choices are not supported for bool values"},
		{"int choice", Spec{Module: "m", Options: []Option{{Name: "a", Type: TypeInt, Choices: []string{"1", "x"}}}},
			`spec m: option a: choice "x" is not an int`},
		{"required default", Spec{Module: "m", Options: []Option{{Name: "a", Required: true, Default: "x"}}},
			"spec m: option a: a required option has no default"},
		{"default type", Spec{Module: "m", Options: []Option{{Name: "a", Type: TypeInt, Default: "abc"}}},
			`spec m: default of a: "abc" is not an int`},
		{"default choice", Spec{Module: "m", Options: []Option{{Name: "a", Default: "c", Choices: []string{"a", "b"}}}},
			`spec m: default of a: value "c" is not one of: a, b`},
		{"unencodable default", Spec{Module: "m", Options: []Option{{Name: "a", Type: TypeRaw, Default: make(chan int)}}},
			"spec m: option a: default 0x"},
		{"exclusive unknown", Spec{Module: "m", Options: []Option{{Name: "a"}}, MutuallyExclusive: [][]string{{"a", "b"}}},
			`spec m: mutually_exclusive group [a b] names unknown option "b"`},
		{"exclusive of one", Spec{Module: "m", Options: []Option{{Name: "a"}}, MutuallyExclusive: [][]string{{"a"}}},
			"spec m: mutually_exclusive group [a] names fewer than 2 options"},
		{"required_if key", Spec{Module: "m", Options: []Option{{Name: "a"}}, RequiredIf: []RequiredIf{{Key: "x", Value: 1, Requires: []string{"a"}}}},
			`spec m: required_if names unknown option "x"`},
		{"required_if empty", Spec{Module: "m", Options: []Option{{Name: "a"}}, RequiredIf: []RequiredIf{{Key: "a", Value: 1}}},
			"spec m: required_if a group [] names fewer than 1 options"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.spec.Validate()
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want %q", err, tt.want)
			}
			if _, perr := tt.spec.Parse([]byte(`{}`)); perr == nil || perr.Error() != err.Error() {
				t.Errorf("Parse did not fail with the spec's defects: %v", perr)
			}
		})
	}
	ts := testSpec()
	if err := ts.Validate(); err != nil {
		t.Errorf("testSpec().Validate() = %v", err)
	}
}
