package modules

import (
	"strings"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/internal/config"
)

func TestSpecsAreValidAndDocumented(t *testing.T) {
	for name, m := range All {
		if m.Spec.Module != name {
			t.Errorf("modules.All[%q] is the spec of %q", name, m.Spec.Module)
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
	for _, o := range ZoneExec.Spec.Options {
		have[o.Name] = true
	}
	for _, o := range ZoneDIZ.Spec.Options {
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
		"JOURNAL_DIR":                         "/var/tmp/zm/journal",
	}
	cfg, _, err := config.Load(config.LoadOptions{Home: t.TempDir(), Root: t.TempDir(), Env: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	s, err := settings(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s.GIZContainer != "tank/z/GIZ" || s.DIZContainer != "rpool/zones/_zonemgr/DIZ" || s.DIZCompression != "lz4" ||
		s.BootTimeout != 42*time.Second || s.DIZPrefix != "build-" || s.StateDir != "/var/tmp/zm" || s.GIZCompression != "gzip-9" {
		t.Errorf("settings = %+v", s)
	}
}
