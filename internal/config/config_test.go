package config_test

import (
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/internal/config"
)

func write(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// The defaults of anchors.md §1.2 and zonemgr's own additions.
func TestDefaults(t *testing.T) {
	want := map[string]string{
		"ELEVATE_CMD":                         "pfexec",
		"OUTFILE":                             "",
		"DATASET_CONTAINMENT_GIZ":             "rpool/zones/_zonemgr/GIZ",
		"DATASET_CONTAINMENT_DIZ":             "rpool/zones/_zonemgr/DIZ",
		"DATASET_CONTAINMENT_GIZ_MPT":         "",
		"DATASET_CONTAINMENT_DIZ_MPT":         "",
		"CAN_ZFS_CREATE_RECURSIVE":            "no",
		"DATASET_CONTAINMENT_GIZ_COMPRESSION": "gzip-9",
		"DATASET_CONTAINMENT_GIZ_DEDUP":       "off",
		"DATASET_CONTAINMENT_DIZ_COMPRESSION": "zle",
		"DATASET_CONTAINMENT_DIZ_DEDUP":       "off",
		"BRAND_GIZ":                           "ipkg",
		"TEMPLATE_GIZ":                        "SUNWipkg",
		"ORIGIN_GIZ":                          "",
		"TARGET_ZONE":                         "",
		"SNAP_NAME":                           "",
		"ADD_PUBLISHERS":                      "",
		"DEL_PUBLISHERS":                      "",
		"ADD_PACKAGE_FMRIS":                   "",
		"DEL_PACKAGE_FMRIS":                   "",
		"ADD_MOUNT_LOFS":                      "",
		"ADD_MOUNT_AUTONFS":                   "",
		"ADD_DELEGATED_DATASET":               "",
		"COPY_USERS":                          "",
		"COPY_GROUPS":                         "",
		"ELEVATE_USERS":                       "",
		"EXEC_CMD":                            "",
		"EXEC_USER":                           "",
		"EXEC_DISCARD":                        "",
		"USE_VNICS":                           "",
		"AUTO_VNICS":                          "",
		"LIST_ARGS":                           "",
		"ACTION":                              "",
		"ZONEMGR_ROOT":                        "/",
		"DATASET_DELEGATED_PARENT":            "rpool/zones/_zonemgr/delegated",
		"BOOT_TIMEOUT":                        "300",
		"DIZ_NAME_PREFIX":                     "diz-",
		"GIZ_NAME_PREFIX":                     "giz-",
		"JOURNAL_DIR":                         "/var/zonemgr/journal",
	}
	d := config.Defaults()
	if !reflect.DeepEqual(d.Values, want) {
		t.Errorf("Defaults().Values:\n got  %v\n want %v", d.Values, want)
	}
	if got := config.Keys(); !slices.Equal(got, slices.Sorted(maps.Keys(want))) {
		t.Errorf("Keys() = %q", got)
	}
	// Loading with no files and an empty environment gives the same
	// typed configuration.
	loaded, warns, err := config.Load(config.LoadOptions{Env: envMap(nil), Root: t.TempDir()})
	if err != nil || len(warns) != 0 {
		t.Fatalf("Load: %v, %v", err, warns)
	}
	loaded.Root, loaded.Values["ZONEMGR_ROOT"] = "/", "/"
	if !reflect.DeepEqual(typed(loaded), typed(d)) {
		t.Errorf("Load with nothing set:\n got  %+v\n want %+v", typed(loaded), typed(d))
	}
	if d.BootTimeout != 300*time.Second || d.CreateRecursive || d.ElevateCmd != "pfexec" || d.JournalPath() != "/var/zonemgr/journal" {
		t.Errorf("Defaults() = %+v", typed(d))
	}
}

// typed returns the exported typed fields of a Config, for comparison.
func typed(c *config.Config) map[string]any {
	m := map[string]any{}
	v := reflect.ValueOf(c).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if f.IsExported() && f.Name != "Values" {
			m[f.Name] = v.Field(i).Interface()
		}
	}
	return m
}

// A layered setup: each layer sets a variable of its own and overrides
// one of the layer before.
func TestLoadLayers(t *testing.T) {
	root := t.TempDir()
	home := t.TempDir()
	dir := t.TempDir()
	write(t, filepath.Join(root, "etc/zones/zonemgr.conf"),
		"BRAND_GIZ=sys\nTEMPLATE_GIZ=sys\nDATASET_CONTAINMENT_GIZ=sys/GIZ\n")
	write(t, filepath.Join(home, ".zonemgr.conf"),
		"TEMPLATE_GIZ=home\nDATASET_CONTAINMENT_DIZ=home/DIZ\nORIGIN_GIZ=home\n")
	envFile := write(t, filepath.Join(dir, "env.conf"),
		"ORIGIN_GIZ=env-file\nSNAP_NAME=env-file\nEXEC_USER=env-file\n")
	extra1 := write(t, filepath.Join(dir, "extra1.conf"),
		"SNAP_NAME=extra1\nEXEC_CMD=extra1\n")
	extra2 := write(t, filepath.Join(dir, "extra2.conf"),
		"EXEC_CMD=extra2\nELEVATE_CMD=sudo\nDIZ_NAME_PREFIX=x-\n")
	env := map[string]string{
		"ZONEMGR_ROOT": root,
		"ZONEMGR_CONF": envFile,
		"HOME":         home,
		"ELEVATE_CMD":  "none",
		"EXEC_USER":    "",
	}
	c, warns, err := config.Load(config.LoadOptions{Env: envMap(env), Extra: []string{extra1, extra2}})
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	tests := []struct {
		key, value, source string
	}{
		{"BRAND_GIZ", "sys", root + "/etc/zones/zonemgr.conf:1"},
		{"DATASET_CONTAINMENT_GIZ", "sys/GIZ", root + "/etc/zones/zonemgr.conf:3"},
		{"TEMPLATE_GIZ", "home", home + "/.zonemgr.conf:1"},
		{"DATASET_CONTAINMENT_DIZ", "home/DIZ", home + "/.zonemgr.conf:2"},
		{"ORIGIN_GIZ", "env-file", envFile + ":1"},
		{"EXEC_USER", "env-file", envFile + ":3"}, // an empty variable does not override
		{"SNAP_NAME", "extra1", extra1 + ":1"},
		{"EXEC_CMD", "extra2", extra2 + ":1"},
		{"DIZ_NAME_PREFIX", "x-", extra2 + ":3"},
		{"ELEVATE_CMD", "none", "environment"},
		{"ZONEMGR_ROOT", root, "environment"},
		{"GIZ_NAME_PREFIX", "giz-", "default"},
	}
	for _, tt := range tests {
		if got, src := c.Values[tt.key], c.Source(tt.key); got != tt.value || src != tt.source {
			t.Errorf("%s = %q from %q, want %q from %q", tt.key, got, src, tt.value, tt.source)
		}
	}
	if c.BrandGIZ != "sys" || c.TemplateGIZ != "home" || c.OriginGIZ != "env-file" || c.SnapName != "extra1" ||
		c.ExecCmd != "extra2" || c.ElevateCmd != "none" || c.Root != root || c.ContainerGIZ != "sys/GIZ" {
		t.Errorf("typed fields = %+v", typed(c))
	}
}

func TestLoadRoot(t *testing.T) {
	envRoot := t.TempDir()
	optRoot := t.TempDir()
	write(t, filepath.Join(envRoot, "etc/zones/zonemgr.conf"), "BRAND_GIZ=env-root\n")
	write(t, filepath.Join(optRoot, "etc/zones/zonemgr.conf"), "BRAND_GIZ=opt-root\nZONEMGR_ROOT=/elsewhere\nJOURNAL_DIR=/j\n")
	c, _, err := config.Load(config.LoadOptions{Env: envMap(map[string]string{"ZONEMGR_ROOT": envRoot}), Root: optRoot})
	if err != nil {
		t.Fatal(err)
	}
	if c.BrandGIZ != "opt-root" || c.Root != optRoot || c.Source("ZONEMGR_ROOT") != "root option" {
		t.Errorf("BrandGIZ %q, Root %q from %q; want the root option's", c.BrandGIZ, c.Root, c.Source("ZONEMGR_ROOT"))
	}
	if got, want := c.JournalPath(), filepath.Join(optRoot, "j"); got != want {
		t.Errorf("JournalPath() = %q, want %q", got, want)
	}
	if got, want := c.InRoot("/etc/passwd"), filepath.Join(optRoot, "etc/passwd"); got != want {
		t.Errorf("InRoot = %q, want %q", got, want)
	}
}

func TestLoadSkipsMissingAndEmptyFiles(t *testing.T) {
	root := t.TempDir()
	home := t.TempDir()
	write(t, filepath.Join(root, "etc/zones/zonemgr.conf"), "")
	extra := write(t, filepath.Join(t.TempDir(), "empty.conf"), "")
	c, warns, err := config.Load(config.LoadOptions{
		Env:   envMap(map[string]string{"ZONEMGR_CONF": filepath.Join(home, "nosuch.conf")}),
		Home:  home,
		Root:  root,
		Extra: []string{extra},
	})
	if err != nil || len(warns) != 0 {
		t.Fatalf("Load: %v, %v", err, warns)
	}
	if c.BrandGIZ != "ipkg" {
		t.Errorf("BrandGIZ = %q, want the default", c.BrandGIZ)
	}
}

func TestLoadUnreadableFileIsAWarning(t *testing.T) {
	root := t.TempDir()
	// A directory where the system file should be cannot be read, even
	// by root.
	if err := os.MkdirAll(filepath.Join(root, "etc/zones/zonemgr.conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, warns, err := config.Load(config.LoadOptions{Env: envMap(nil), Root: root})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "etc/zones/zonemgr.conf")
	want := path + ":0: skipped: read " + path + ": a directory, not a regular file"
	if len(warns) != 1 || warns[0].String() != want {
		t.Errorf("warnings = %v, want %q", warns, want)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing/x.conf")
	tests := []struct {
		name  string
		extra string // content of the --config file; "" for none
		env   map[string]string
		want  string // FILE stands for the --config file
	}{
		{
			name:  "syntax error",
			extra: "BRAND_GIZ=lipkg\nELEVAT_CMD=sudo\nEXEC_CMD=a b\n",
			want:  `FILE:3: unexpected "b" after an assignment (a shell would run it as a command)`,
		},
		{
			name:  "bad timeout",
			extra: "\nBOOT_TIMEOUT=5m\n",
			want:  "config: BOOT_TIMEOUT='5m' (set at FILE:2): want a whole number of seconds greater than 0",
		},
		{
			name:  "bad elevation",
			extra: "ELEVATE_CMD='echo pfexec'\n",
			want:  "config: ELEVATE_CMD='echo pfexec' (set at FILE:1): want pfexec, sudo or none",
		},
		{
			name: "bad elevation from the environment",
			env:  map[string]string{"ELEVATE_CMD": "doas"},
			want: "config: ELEVATE_CMD='doas' (from the environment): want pfexec, sudo or none",
		},
		{
			name:  "bad recursive flag",
			extra: "CAN_ZFS_CREATE_RECURSIVE=maybe\n",
			want:  "config: CAN_ZFS_CREATE_RECURSIVE='maybe' (set at FILE:1): want yes or no",
		},
		{
			name: "relative root",
			env:  map[string]string{"ZONEMGR_ROOT": "sim"},
			want: "config: ZONEMGR_ROOT='sim' (from the environment): want an absolute path",
		},
		{
			name:  "relative mountpoint",
			extra: "DATASET_CONTAINMENT_GIZ_MPT=zones/giz\n",
			want:  "config: DATASET_CONTAINMENT_GIZ_MPT='zones/giz' (set at FILE:1): want an absolute path",
		},
		{
			name:  "bad discard",
			extra: "EXEC_DISCARD=sometimes\n",
			want:  "config: EXEC_DISCARD='sometimes' (set at FILE:1): want off, always, onsuccess or onfail",
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var extra []string
			path := ""
			if tt.extra != "" {
				path = write(t, filepath.Join(dir, strings.Repeat("c", i+1)+".conf"), tt.extra)
				extra = []string{path}
			}
			c, _, err := config.Load(config.LoadOptions{Env: envMap(tt.env), Home: dir, Extra: extra})
			want := strings.ReplaceAll(tt.want, "FILE", path)
			if c != nil || err == nil || err.Error() != want {
				t.Errorf("Load = %v, %v\n want error %s", c, err, want)
			}
		})
	}

	t.Run("missing --config file", func(t *testing.T) {
		c, _, err := config.Load(config.LoadOptions{Env: envMap(nil), Root: dir, Extra: []string{missing}})
		if want := "config file " + missing + ": does not exist"; c != nil || err == nil || err.Error() != want {
			t.Errorf("Load = %v, %v\n want error %s", c, err, want)
		}
	})
}

func TestLoadWarnings(t *testing.T) {
	path := write(t, filepath.Join(t.TempDir(), "w.conf"),
		"ELEVAT_CMD=sudo\nEXEC_CMD=\"$(whoami)\"\nBRAND_GIZ=lipkg\n")
	c, warns, err := config.Load(config.LoadOptions{Env: envMap(nil), Root: t.TempDir(), Extra: []string{path}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		path + ":1: unknown key ELEVAT_CMD ignored; the closest known key is ELEVATE_CMD",
		path + `:2: EXEC_CMD: "$(" taken literally: commands are not run`,
	}
	var got []string
	for _, w := range warns {
		got = append(got, w.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("warnings:\n got  %q\n want %q", got, want)
	}
	if c.ElevateCmd != "pfexec" || c.ExecCmd != "$(whoami)" || c.BrandGIZ != "lipkg" {
		t.Errorf("ElevateCmd %q, ExecCmd %q, BrandGIZ %q", c.ElevateCmd, c.ExecCmd, c.BrandGIZ)
	}
	if _, ok := c.Values["ELEVAT_CMD"]; ok {
		t.Error("an unknown key reached Values")
	}
}

func TestTypedFields(t *testing.T) {
	path := write(t, filepath.Join(t.TempDir(), "t.conf"), `
CAN_ZFS_CREATE_RECURSIVE=YES
BOOT_TIMEOUT=45
COPY_USERS="jenkins  jim
builder"
ADD_MOUNT_LOFS='/export/home /src|/export/src'
AUTO_VNICS="etherstub127 e1000g0|81|00:12:34:56:78:ab"
DATASET_CONTAINMENT_DIZ_MPT=/zones/diz/
ELEVATE_CMD=
`)
	c, _, err := config.Load(config.LoadOptions{Env: envMap(nil), Root: t.TempDir(), Extra: []string{path}})
	if err != nil {
		t.Fatal(err)
	}
	if !c.CreateRecursive || c.BootTimeout != 45*time.Second || c.ContainerDIZMountpoint != "/zones/diz" || c.ElevateCmd != "none" {
		t.Errorf("CreateRecursive %v, BootTimeout %v, ContainerDIZMountpoint %q, ElevateCmd %q",
			c.CreateRecursive, c.BootTimeout, c.ContainerDIZMountpoint, c.ElevateCmd)
	}
	for _, tt := range []struct {
		got, want []string
	}{
		{c.CopyUsers, []string{"jenkins", "jim", "builder"}},
		{c.MountLofs, []string{"/export/home", "/src|/export/src"}},
		{c.AutoVNICs, []string{"etherstub127", "e1000g0|81|00:12:34:56:78:ab"}},
		{c.CopyGroups, nil},
	} {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("list = %q, want %q", tt.got, tt.want)
		}
	}
}

func TestPrint(t *testing.T) {
	c := config.Defaults()
	out := c.Print()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(config.Keys()) {
		t.Fatalf("Print gave %d lines, want %d", len(lines), len(config.Keys()))
	}
	for i, want := range []string{
		"ACTION=''",
		"ADD_DELEGATED_DATASET=''",
		"ADD_MOUNT_AUTONFS=''",
		"ADD_MOUNT_LOFS=''",
		"ADD_PACKAGE_FMRIS=''",
		"ADD_PUBLISHERS=''",
		"AUTO_VNICS=''",
		"BOOT_TIMEOUT='300'",
		"BRAND_GIZ='ipkg'",
		"CAN_ZFS_CREATE_RECURSIVE='no'",
	} {
		if lines[i] != want {
			t.Errorf("line %d = %q, want %q", i+1, lines[i], want)
		}
	}
	if !slices.Contains(lines, "DATASET_CONTAINMENT_GIZ='rpool/zones/_zonemgr/GIZ'") || !slices.IsSorted(lines) {
		t.Errorf("Print output not sorted or missing the GIZ container:\n%s", out)
	}
}

// Print's output, read back as a configuration file, gives the same
// values, whatever they hold.
func TestPrintRoundTrip(t *testing.T) {
	values := []string{
		"", "plain", "two words", "it's", "''", `"double"`, `back\slash`, "$HOME", "$(rm -rf /)", "`id`",
		"multi\nline\n", "tab\there", "# not a comment", "; | & < > ( )", "~user", "trailing\\", "größe",
	}
	dir := t.TempDir()
	for i, v := range values {
		c := config.Defaults()
		c.Values["EXEC_CMD"] = v
		c.Values["TARGET_ZONE"] = v
		path := write(t, filepath.Join(dir, strings.Repeat("r", i+1)+".conf"), c.Print())
		back, warns, err := config.Load(config.LoadOptions{Env: envMap(nil), Root: t.TempDir(), Extra: []string{path}})
		if err != nil {
			t.Errorf("%q: %v", v, err)
			continue
		}
		if len(warns) != 0 {
			t.Errorf("%q: warnings %v", v, warns)
		}
		back.Values["ZONEMGR_ROOT"] = "/"
		if !reflect.DeepEqual(back.Values, c.Values) {
			t.Errorf("%q: values read back differ:\n got  %q\n want %q", v, back.Values, c.Values)
		}
		if back.ExecCmd != v {
			t.Errorf("ExecCmd = %q, want %q", back.ExecCmd, v)
		}
	}
}
