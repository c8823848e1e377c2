package modules

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/config"
	"github.com/zonemgr/zonemgr/internal/zone"
)

func TestSpecsAreValidAndDocumented(t *testing.T) {
	for name, m := range All() {
		if m.Spec.Module != name {
			t.Errorf("modules.All()[%q] is the spec of %q", name, m.Spec.Module)
		}
		if err := m.Spec.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if m.Spec.Description == "" {
			t.Errorf("%s: no description", name)
		}
		if !m.Spec.SupportsCheckMode {
			t.Errorf("%s: does not support check mode", name)
		}
		for _, o := range m.Spec.Options {
			if strings.TrimSpace(o.Description) == "" {
				t.Errorf("%s: option %s has no description", name, o.Name)
			}
		}
	}
}

// TestExecAcceptsEveryDIZOption: zone_exec takes every zone_diz option
// under the same name, so an exec-diz can ask for anything a DIZ can have.
func TestExecAcceptsEveryDIZOption(t *testing.T) {
	have := map[string]bool{}
	for _, o := range ZoneExec().Spec.Options {
		have[o.Name] = true
	}
	for _, o := range ZoneDIZ().Spec.Options {
		if o.Name == "recreate" {
			continue // an exec's zone is always new
		}
		if !have[o.Name] {
			t.Errorf("zone_exec lacks zone_diz's option %s", o.Name)
		}
	}
}

func TestSettingsFromConfig(t *testing.T) {
	env := map[string]string{
		"DATASET_CONTAINMENT_GIZ":             "tank/z/GIZ",
		"DATASET_CONTAINMENT_DIZ_COMPRESSION": "lz4",
		"BOOT_TIMEOUT":                        "42",
		"DIZ_NAME_PREFIX":                     "build-",
		"JOURNAL_DIR":                         "/var/tmp/zm/j",
	}
	cfg, _, err := config.Load(config.LoadOptions{Home: t.TempDir(), Root: t.TempDir(), Env: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	s := settings(cfg)
	if s.GIZContainer != "tank/z/GIZ" || s.DIZContainer != "rpool/zones/_zonemgr/DIZ" || s.DIZCompression != "lz4" ||
		s.BootTimeout != 42*time.Second || s.DIZPrefix != "build-" || s.JournalDir != "/var/tmp/zm/j" || s.GIZCompression != "gzip-9" {
		t.Errorf("settings = %+v", s)
	}
}

// TestErrorsNameOptions: a module names the engine's fields as its
// options, whatever the engine's own words.
func TestErrorsNameOptions(t *testing.T) {
	out, code := ansible.Invoke(context.Background(), ZoneDIZ().Bind(NewCaller(Options{})),
		[]byte(`{"giz": "g", "add_vnics_over": ["e1000g0|x"], "mount_lofs": ["rel"]}`))
	var res map[string]any
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	want := `add_vnics_over: "e1000g0|x": VLAN "x" is not a number from 1 to 4094`
	if code != 1 || res["failed"] != true || !strings.Contains(fmt.Sprint(res["msg"]), want) || !strings.Contains(fmt.Sprint(res["msg"]), "mount_lofs: ") {
		t.Errorf("exit %d, result %s; want a failure naming add_vnics_over and mount_lofs", code, out)
	}
	for _, tt := range []struct {
		module       string
		f            zone.Field
		name, turnOn string
	}{
		{"zone_snapshot", zone.FieldSnapshot, "name", "name: true"},
		{"zone_diz", zone.FieldSnapshot, "snapshot", "snapshot: true"},
		{"zone_giz", zone.FieldForce, "force", "force: true"},
		{"zone_exec", zone.FieldOKRCs, "ok_rcs", "ok_rcs: true"},
	} {
		n := namer(tt.module)
		if got := n.Name(tt.f); got != tt.name {
			t.Errorf("%s names %v %q, want %q", tt.module, tt.f, got, tt.name)
		}
		if got := n.Enable(tt.f); got != tt.turnOn {
			t.Errorf("%s turns %v on with %q, want %q", tt.module, tt.f, got, tt.turnOn)
		}
	}
	for f := zone.FieldNone + 1; f <= zone.FieldUnusedGoldens; f++ {
		if optionNames[f] == "" {
			t.Errorf("field %v has no option name", f)
		}
	}
}

// Out-of-range numbers and empty strings are refused before anything
// runs, naming the option and what it accepts: a number of seconds that
// would overflow a duration, a negative one, an output limit past 1 GiB,
// and an empty value given for an option whose default is root, another
// snapshot or another source.
func TestOptionRangesAndEmptyValues(t *testing.T) {
	for _, tc := range []struct {
		module func() *Definition
		args   string
		want   string
	}{
		{ZoneExec, `{"zone": "g", "cmd": "true", "timeout": 18446744074}`, "timeout: 18446744074 is out of range: give 0 to 31622400 seconds (366 days)"},
		{ZoneExec, `{"zone": "g", "cmd": "true", "timeout": 9223372037}`, "timeout: 9223372037 is out of range"},
		{ZoneExec, `{"zone": "g", "cmd": "true", "timeout": -1}`, "timeout: -1 is out of range"},
		{ZoneExec, `{"zone": "g", "cmd": "true", "output_limit": 9007199254740993}`, "output_limit: 9007199254740993 is out of range: give 1 to 1048576 KiB"},
		{ZoneExec, `{"zone": "g", "cmd": "true", "output_limit": -1}`, "output_limit: -1 is out of range"},
		{ZoneExec, `{"zone": "g", "cmd": "true", "output_limit": 0}`, "output_limit: 0 is out of range: give 1 to 1048576 KiB"},
		{ZoneExec, `{"zone": "g", "cmd": "id -un", "user": ""}`, "user: the value is empty; leave user out for its default"},
		{ZoneGIZ, `{"name": "g4", "boot_timeout": -5}`, "boot_timeout: -5 is out of range"},
		{ZoneGIZ, `{"name": "g4", "archive": ""}`, "archive: the value is empty"},
		{ZoneDIZ, `{"giz": "g", "snapshot": ""}`, "snapshot: the value is empty"},
		{ZoneDIZ, `{"giz": "g", "boot_timeout": 31622401}`, "boot_timeout: 31622401 is out of range"},
		{ZoneSnapshot, `{"zone": "g", "name": ""}`, "name: the value is empty"},
	} {
		out, code := ansible.Invoke(context.Background(), tc.module().Bind(NewCaller(Options{})), []byte(tc.args))
		var res map[string]any
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("%s: %v\n%s", tc.args, err, out)
		}
		if code != 1 || res["failed"] != true || !strings.Contains(fmt.Sprint(res["msg"]), tc.want) {
			t.Errorf("%s: exit %d, %s; want a failure saying %q", tc.args, code, out, tc.want)
		}
	}
}
