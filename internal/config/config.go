// Package config owns zonemgr's configuration: the variables of the
// original zonemgr script and zonemgr's own, their defaults, and the
// layered configuration files they are read from
// (/etc/zones/zonemgr.conf, ~/.zonemgr.conf, $ZONEMGR_CONF and --config
// files, then the environment). The files keep the original's shell
// syntax, but are parsed, never run (see Parse). --print-config output
// comes from Print, and can be read back as a configuration file.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zonemgr/zonemgr/internal/textio"
)

// SystemFile is the system-wide configuration file, read under the root
// (ZONEMGR_ROOT).
const SystemFile = "/etc/zones/zonemgr.conf"

// UserFile is the per-user configuration file, in the home directory.
const UserFile = ".zonemgr.conf"

// A Config is zonemgr's configuration. Each typed field is read from the
// variable named in its comment; Values holds every variable's text.
type Config struct {
	// ElevateCmd is how a non-root front door gains privileges:
	// "pfexec", "sudo" or "none" (ELEVATE_CMD; empty means none).
	ElevateCmd string
	// Outfile receives results, such as the generated zone name (OUTFILE).
	Outfile string

	// ContainerGIZ and ContainerDIZ are the datasets that hold the golden
	// and disposable zones' zonepaths (DATASET_CONTAINMENT_GIZ, _DIZ).
	ContainerGIZ, ContainerDIZ string
	// ContainerGIZMountpoint and ContainerDIZMountpoint, when set, are the
	// mountpoints the containers are created with
	// (DATASET_CONTAINMENT_GIZ_MPT, _DIZ_MPT).
	ContainerGIZMountpoint, ContainerDIZMountpoint string
	// CreateRecursive allows `zfs create -p` for missing parents
	// (CAN_ZFS_CREATE_RECURSIVE=yes); otherwise they are created one by one.
	CreateRecursive bool
	// Compression and dedup of new containers
	// (DATASET_CONTAINMENT_{GIZ,DIZ}_{COMPRESSION,DEDUP}).
	GIZCompression, GIZDedup, DIZCompression, DIZDedup string

	// BrandGIZ and TemplateGIZ are the brand and zonecfg template of new
	// golden zones (BRAND_GIZ, TEMPLATE_GIZ); the template wins when set.
	BrandGIZ, TemplateGIZ string
	// OriginGIZ, TargetZone and SnapName are the origin golden zone, the
	// zone acted on and the snapshot name (ORIGIN_GIZ, TARGET_ZONE,
	// SNAP_NAME).
	OriginGIZ, TargetZone, SnapName string

	// The list variables: words separated by white space.
	AddPublishers     []string // ADD_PUBLISHERS, each "publisher|url"
	DelPublishers     []string // DEL_PUBLISHERS
	AddPackages       []string // ADD_PACKAGE_FMRIS
	DelPackages       []string // DEL_PACKAGE_FMRIS
	MountLofs         []string // ADD_MOUNT_LOFS, each "zonepath[|gzpath]"
	MountAutoNFS      []string // ADD_MOUNT_AUTONFS, each "zonepath|nfs-url"
	DelegatedDatasets []string // ADD_DELEGATED_DATASET
	CopyUsers         []string // COPY_USERS
	CopyGroups        []string // COPY_GROUPS
	ElevateUsers      []string // ELEVATE_USERS
	UseVNICs          []string // USE_VNICS
	AutoVNICs         []string // AUTO_VNICS, each "link[|vlan[|mac]]"

	// ExecCmd and ExecUser are the command run in a zone and the user it
	// runs as (EXEC_CMD, EXEC_USER).
	ExecCmd, ExecUser string
	// ExecDiscard is when an exec rolls back or destroys the zone: "",
	// "off", "always", "onsuccess" or "onfail" (EXEC_DISCARD).
	ExecDiscard string
	// ListArgs are the zoneadm list flags of the list verbs (LIST_ARGS).
	ListArgs string
	// Action is the verb to run (ACTION).
	Action string

	// Root is the directory under which /etc/zones, /etc/passwd and the
	// like are read directly: "/" on a real host, a simulator's root in
	// tests (ZONEMGR_ROOT).
	Root string
	// DelegatedParent holds the datasets zonemgr creates for delegation
	// (DATASET_DELEGATED_PARENT).
	DelegatedParent string
	// BootTimeout bounds the wait for a booted zone's milestone
	// (BOOT_TIMEOUT, in seconds).
	BootTimeout time.Duration
	// DIZNamePrefix and GIZNamePrefix begin generated zone names
	// (DIZ_NAME_PREFIX, GIZ_NAME_PREFIX).
	DIZNamePrefix, GIZNamePrefix string
	// JournalDir holds the cleanup journals, as a path under Root
	// (JOURNAL_DIR); JournalPath gives the path to open.
	JournalDir string

	// Values maps every configuration variable to its text.
	Values map[string]string

	sources map[string]string
}

// A variable is one configuration variable: its name, its default, and
// how its text sets the typed field.
type variable struct {
	name string
	def  string
	set  func(c *Config, v string) error
}

var variables = []variable{
	{"ELEVATE_CMD", "pfexec", func(c *Config, v string) error {
		switch v {
		case "pfexec", "sudo", "none":
			c.ElevateCmd = v
		case "":
			c.ElevateCmd = "none"
		default:
			return errors.New("want pfexec, sudo or none")
		}
		return nil
	}},
	{"OUTFILE", "", text(func(c *Config) *string { return &c.Outfile })},
	{"DATASET_CONTAINMENT_GIZ", "rpool/zones/_zonemgr/GIZ", text(func(c *Config) *string { return &c.ContainerGIZ })},
	{"DATASET_CONTAINMENT_DIZ", "rpool/zones/_zonemgr/DIZ", text(func(c *Config) *string { return &c.ContainerDIZ })},
	{"DATASET_CONTAINMENT_GIZ_MPT", "", optionalPath(func(c *Config) *string { return &c.ContainerGIZMountpoint })},
	{"DATASET_CONTAINMENT_DIZ_MPT", "", optionalPath(func(c *Config) *string { return &c.ContainerDIZMountpoint })},
	{"CAN_ZFS_CREATE_RECURSIVE", "no", func(c *Config, v string) error {
		switch strings.ToLower(v) {
		case "yes", "true", "on", "1":
			c.CreateRecursive = true
		case "no", "false", "off", "0", "":
			c.CreateRecursive = false
		default:
			return errors.New("want yes or no")
		}
		return nil
	}},
	{"DATASET_CONTAINMENT_GIZ_COMPRESSION", "gzip-9", text(func(c *Config) *string { return &c.GIZCompression })},
	{"DATASET_CONTAINMENT_GIZ_DEDUP", "off", text(func(c *Config) *string { return &c.GIZDedup })},
	{"DATASET_CONTAINMENT_DIZ_COMPRESSION", "zle", text(func(c *Config) *string { return &c.DIZCompression })},
	{"DATASET_CONTAINMENT_DIZ_DEDUP", "off", text(func(c *Config) *string { return &c.DIZDedup })},
	{"BRAND_GIZ", "ipkg", text(func(c *Config) *string { return &c.BrandGIZ })},
	{"TEMPLATE_GIZ", "SUNWipkg", text(func(c *Config) *string { return &c.TemplateGIZ })},
	{"ORIGIN_GIZ", "", text(func(c *Config) *string { return &c.OriginGIZ })},
	{"TARGET_ZONE", "", text(func(c *Config) *string { return &c.TargetZone })},
	{"SNAP_NAME", "", text(func(c *Config) *string { return &c.SnapName })},
	{"ADD_PUBLISHERS", "", words(func(c *Config) *[]string { return &c.AddPublishers })},
	{"DEL_PUBLISHERS", "", words(func(c *Config) *[]string { return &c.DelPublishers })},
	{"ADD_PACKAGE_FMRIS", "", words(func(c *Config) *[]string { return &c.AddPackages })},
	{"DEL_PACKAGE_FMRIS", "", words(func(c *Config) *[]string { return &c.DelPackages })},
	{"ADD_MOUNT_LOFS", "", words(func(c *Config) *[]string { return &c.MountLofs })},
	{"ADD_MOUNT_AUTONFS", "", words(func(c *Config) *[]string { return &c.MountAutoNFS })},
	{"ADD_DELEGATED_DATASET", "", words(func(c *Config) *[]string { return &c.DelegatedDatasets })},
	{"COPY_USERS", "", words(func(c *Config) *[]string { return &c.CopyUsers })},
	{"COPY_GROUPS", "", words(func(c *Config) *[]string { return &c.CopyGroups })},
	{"ELEVATE_USERS", "", words(func(c *Config) *[]string { return &c.ElevateUsers })},
	{"EXEC_CMD", "", text(func(c *Config) *string { return &c.ExecCmd })},
	{"EXEC_USER", "", text(func(c *Config) *string { return &c.ExecUser })},
	{"EXEC_DISCARD", "", func(c *Config, v string) error {
		switch v {
		case "", "off", "always", "onsuccess", "onfail":
			c.ExecDiscard = v
			return nil
		}
		return errors.New("want off, always, onsuccess or onfail")
	}},
	{"USE_VNICS", "", words(func(c *Config) *[]string { return &c.UseVNICs })},
	{"AUTO_VNICS", "", words(func(c *Config) *[]string { return &c.AutoVNICs })},
	{"LIST_ARGS", "", text(func(c *Config) *string { return &c.ListArgs })},
	{"ACTION", "", text(func(c *Config) *string { return &c.Action })},

	{"ZONEMGR_ROOT", "/", absPath(func(c *Config) *string { return &c.Root })},
	{"DATASET_DELEGATED_PARENT", "rpool/zones/_zonemgr/delegated", text(func(c *Config) *string { return &c.DelegatedParent })},
	{"BOOT_TIMEOUT", "300", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return errors.New("want a whole number of seconds greater than 0")
		}
		c.BootTimeout = time.Duration(n) * time.Second
		return nil
	}},
	{"DIZ_NAME_PREFIX", "diz-", text(func(c *Config) *string { return &c.DIZNamePrefix })},
	{"GIZ_NAME_PREFIX", "giz-", text(func(c *Config) *string { return &c.GIZNamePrefix })},
	{"JOURNAL_DIR", "/var/zonemgr/journal", absPath(func(c *Config) *string { return &c.JournalDir })},
}

func text(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		*field(c) = v
		return nil
	}
}

func words(field func(*Config) *[]string) func(*Config, string) error {
	return func(c *Config, v string) error {
		*field(c) = nil
		if w := strings.Fields(v); len(w) > 0 {
			*field(c) = w
		}
		return nil
	}
}

func absPath(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		if !filepath.IsAbs(v) {
			return errors.New("want an absolute path")
		}
		*field(c) = filepath.Clean(v)
		return nil
	}
}

func optionalPath(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		if v == "" {
			*field(c) = ""
			return nil
		}
		return absPath(field)(c, v)
	}
}

// Keys returns the names of all configuration variables, sorted.
func Keys() []string {
	out := make([]string, len(variables))
	for i, v := range variables {
		out[i] = v.name
	}
	slices.Sort(out)
	return out
}

func knownKey(key string) bool {
	return slices.ContainsFunc(variables, func(v variable) bool { return v.name == key })
}

// Defaults returns the configuration with every variable at its default.
func Defaults() *Config {
	return &Config{
		ElevateCmd:      "pfexec",
		ContainerGIZ:    "rpool/zones/_zonemgr/GIZ",
		ContainerDIZ:    "rpool/zones/_zonemgr/DIZ",
		GIZCompression:  "gzip-9",
		GIZDedup:        "off",
		DIZCompression:  "zle",
		DIZDedup:        "off",
		BrandGIZ:        "ipkg",
		TemplateGIZ:     "SUNWipkg",
		Root:            "/",
		DelegatedParent: "rpool/zones/_zonemgr/delegated",
		BootTimeout:     300 * time.Second,
		DIZNamePrefix:   "diz-",
		GIZNamePrefix:   "giz-",
		JournalDir:      "/var/zonemgr/journal",
		Values:          defaultValues(),
		sources:         defaultSources(),
	}
}

func defaultValues() map[string]string {
	m := make(map[string]string, len(variables))
	for _, v := range variables {
		m[v.name] = v.def
	}
	return m
}

func defaultSources() map[string]string {
	m := make(map[string]string, len(variables))
	for _, v := range variables {
		m[v.name] = "default"
	}
	return m
}

// A LoadOptions says where Load looks for configuration files.
type LoadOptions struct {
	// Home is the directory holding ~/.zonemgr.conf; empty means $HOME,
	// and no user file when that is empty too.
	Home string
	// Env reads the environment; nil means os.Getenv.
	Env func(string) string
	// Extra are the files given with --config, in order. Unlike the other
	// files, each must exist.
	Extra []string
	// Root, when set, is ZONEMGR_ROOT, over the files and the
	// environment. The system file is read under it, else under
	// $ZONEMGR_ROOT, else under "/".
	Root string
}

// Load reads the configuration. Later layers override earlier ones:
//
//  1. the defaults;
//  2. ROOT/etc/zones/zonemgr.conf, ~/.zonemgr.conf and the file named by
//     $ZONEMGR_CONF, each only if it exists and is not empty (a file that
//     cannot be read is skipped with a warning);
//  3. each --config file (opts.Extra), which must exist;
//  4. the environment: every configuration variable set (non-empty) in
//     the environment, such as ZONEMGR_ROOT or ELEVATE_CMD, overrides the
//     files;
//  5. opts.Root, for ZONEMGR_ROOT.
//
// Unknown keys and values a shell would have expanded give warnings; a
// file that cannot be parsed, a missing --config file or a value of the
// wrong form is an error naming where the value was set.
func Load(opts LoadOptions) (*Config, []Warning, error) {
	env := opts.Env
	if env == nil {
		env = os.Getenv
	}
	home := opts.Home
	if home == "" {
		home = env("HOME")
	}
	root := opts.Root
	if root == "" {
		root = env("ZONEMGR_ROOT")
	}
	if root == "" {
		root = "/"
	}

	values, sources := defaultValues(), defaultSources()
	var warns []Warning
	apply := func(path string, required bool) error {
		assigns, w, err := readFile(path, required)
		warns = append(warns, w...)
		if err != nil {
			return err
		}
		for _, a := range assigns {
			if knownKey(a.Key) {
				values[a.Key] = a.Value
				sources[a.Key] = fmt.Sprintf("%s:%d", a.File, a.Line)
			}
		}
		return nil
	}
	files := []string{filepath.Join(root, SystemFile)}
	if home != "" {
		files = append(files, filepath.Join(home, UserFile))
	}
	if f := env("ZONEMGR_CONF"); f != "" {
		files = append(files, f)
	}
	for _, f := range files {
		if err := apply(f, false); err != nil {
			return nil, warns, err
		}
	}
	for _, f := range opts.Extra {
		if err := apply(f, true); err != nil {
			return nil, warns, err
		}
	}
	for _, v := range variables {
		if s := env(v.name); s != "" {
			values[v.name] = s
			sources[v.name] = "environment"
		}
	}
	if opts.Root != "" {
		values["ZONEMGR_ROOT"] = opts.Root
		sources["ZONEMGR_ROOT"] = "root option"
	}
	c, err := build(values, sources)
	if err != nil {
		return nil, warns, err
	}
	return c, warns, nil
}

// readFile parses one configuration file. A missing or empty file is
// nothing to read, unless required; an unreadable optional file is a
// warning.
func readFile(path string, required bool) ([]Assignment, []Warning, error) {
	b, err := textio.ReadFile(path)
	switch {
	case err == nil:
	case required && errors.Is(err, fs.ErrNotExist):
		return nil, nil, fmt.Errorf("config file %s: does not exist", path)
	case required:
		return nil, nil, fmt.Errorf("config file %s: %w", path, err)
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, nil
	default:
		return nil, []Warning{{File: path, Msg: fmt.Sprintf("skipped: %v", err)}}, nil
	}
	if len(b) == 0 {
		return nil, nil, nil
	}
	return Parse(strings.NewReader(string(b)), path)
}

// build sets the typed fields from the variables' text.
func build(values, sources map[string]string) (*Config, error) {
	c := &Config{Values: values, sources: sources}
	for _, v := range variables {
		if err := v.set(c, values[v.name]); err != nil {
			return nil, fmt.Errorf("config: %s=%s (%s): %w", v.name, quote(values[v.name]), describe(sources[v.name]), err)
		}
	}
	return c, nil
}

func describe(source string) string {
	switch source {
	case "default", "environment", "root option":
		return "from the " + source
	}
	return "set at " + source
}

// Source tells where a variable's value came from: "default",
// "environment", "root option", or "FILE:LINE".
func (c *Config) Source(key string) string { return c.sources[key] }

// InRoot returns path p as seen under Root.
func (c *Config) InRoot(p string) string { return filepath.Join(c.Root, p) }

// JournalPath returns the journal directory under Root.
func (c *Config) JournalPath() string { return c.InRoot(c.JournalDir) }

// Print renders every configuration variable, sorted by name, as
// KEY='value' lines that a shell, or Parse, reads back to the same values:
// the --print-config output.
func (c *Config) Print() string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(c.Values)) {
		if !knownKey(k) {
			continue
		}
		fmt.Fprintf(&b, "%s=%s\n", k, quote(c.Values[k]))
	}
	return b.String()
}

// quote single-quotes s for a shell; each single quote in s closes the
// quoting, is escaped with a backslash, and reopens it.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
