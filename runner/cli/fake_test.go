package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"testing"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/modules"
)

// specFor returns the argument spec a fake module validates against: the
// real module's when modules.All has it, so that a command line that
// sends an option the module does not know fails the test; otherwise the
// spec the module is being written to.
func specFor(name string) ansible.Spec {
	if m := modules.All[name]; m != nil {
		return m.Spec
	}
	return plannedSpecs[name]
}

// dizOptionsPlanned are zone_diz's options, which zone_exec takes under
// the same names for the zone it clones.
var dizOptionsPlanned = []ansible.Option{
	{Name: "giz", Aliases: []string{"origin", "clone"}},
	{Name: "snapshot"},
	{Name: "mount_lofs", Type: ansible.TypeList},
	{Name: "mount_autonfs", Type: ansible.TypeList},
	{Name: "delegate_datasets", Type: ansible.TypeList},
	{Name: "add_vnics", Type: ansible.TypeList},
	{Name: "add_vnics_over", Type: ansible.TypeList},
	{Name: "copy_users", Type: ansible.TypeList},
	{Name: "copy_groups", Type: ansible.TypeList},
	{Name: "elevate_users", Type: ansible.TypeList},
	{Name: "capped_memory"},
	{Name: "capped_cpu"},
	{Name: "boot_timeout", Type: ansible.TypeInt},
	{Name: "wait", Type: ansible.TypeBool, Default: true},
	{Name: "single_user", Type: ansible.TypeBool, Default: false},
}

// plannedSpecs are the modules' argument specs as the project defines
// them, for the modules not in modules.All yet.
var plannedSpecs = map[string]ansible.Spec{
	"zone_giz": {
		Module: "zone_giz",
		Options: []ansible.Option{
			{Name: "name", Aliases: []string{"zone"}, Required: true},
			{Name: "state", Default: "present", Choices: []string{"present", "absent", "updated", "running", "stopped", "ready", "mounted", "restarted"}},
			{Name: "brand"}, {Name: "template"}, {Name: "source", Aliases: []string{"origin"}}, {Name: "snapshot"},
			{Name: "add_publishers", Type: ansible.TypeList}, {Name: "remove_publishers", Type: ansible.TypeList},
			{Name: "add_packages", Type: ansible.TypeList}, {Name: "remove_packages", Type: ansible.TypeList},
			{Name: "copy_users", Type: ansible.TypeList}, {Name: "copy_groups", Type: ansible.TypeList},
			{Name: "elevate_users", Type: ansible.TypeList}, {Name: "mount_lofs", Type: ansible.TypeList},
			{Name: "force", Type: ansible.TypeBool}, {Name: "boot_timeout", Type: ansible.TypeInt},
			{Name: "wait", Type: ansible.TypeBool, Default: true}, {Name: "single_user", Type: ansible.TypeBool},
			{Name: "update_packages", Type: ansible.TypeBool, Default: true},
		},
		SupportsCheckMode: true,
	},
	"zone_diz": {
		Module: "zone_diz",
		Options: append([]ansible.Option{
			{Name: "name", Aliases: []string{"zone"}},
			{Name: "state", Default: "present", Choices: []string{"present", "running", "stopped", "ready", "mounted", "absent", "restarted"}},
			{Name: "recreate", Type: ansible.TypeBool},
		}, dizOptionsPlanned...),
		SupportsCheckMode: true,
	},
	"zone_snapshot": {
		Module: "zone_snapshot",
		Options: []ansible.Option{
			{Name: "zone", Required: true},
			{Name: "name"},
			{Name: "state", Default: "present", Choices: []string{"present", "absent", "rolledback"}},
			{Name: "force", Type: ansible.TypeBool},
		},
		SupportsCheckMode: true,
	},
	"zone_exec": {
		Module: "zone_exec",
		Options: append([]ansible.Option{
			{Name: "cmd", Required: true},
			{Name: "zone"},
			{Name: "name"},
			{Name: "user"},
			{Name: "chdir"},
			{Name: "env", Type: ansible.TypeDict},
			{Name: "timeout", Type: ansible.TypeInt},
			{Name: "discard", Choices: []string{"never", "always", "onsuccess", "onfailure"}},
			{Name: "keep_on_failure", Type: ansible.TypeBool},
			{Name: "ok_rcs", Type: ansible.TypeList, Elements: ansible.TypeInt},
			{Name: "output_limit", Type: ansible.TypeInt},
			{Name: "log"},
		}, dizOptionsPlanned...),
		MutuallyExclusive: [][]string{{"zone", "giz"}},
		RequiredOneOf:     [][]string{{"zone", "giz"}},
		SupportsCheckMode: true,
	},
	"zone_info": {
		Module: "zone_info",
		Options: []ansible.Option{
			{Name: "name"},
			{Name: "role", Choices: []string{"giz", "diz", "any"}},
			{Name: "state"},
			{Name: "verify", Type: ansible.TypeBool},
		},
		SupportsCheckMode: true,
	},
}

// A fakeZone is one zone of the fake global zone.
type fakeZone struct {
	role  string // "giz", "diz", or "" for a zone zonemgr does not manage
	state string
}

// A call is one module call a fake module received: the options the
// command line gave (as validated by the spec) and the settings.
type call struct {
	module string
	args   string // canonical JSON of the options given
	check  bool
	params *ansible.Params
}

// A fakeHost is a fake global zone behind fake modules: it records every
// call and answers from its zones.
type fakeHost struct {
	zones map[string]fakeZone
	// snapshots of each zone, oldest first.
	snapshots map[string][]string
	// rc is what zone_exec reports as the command's exit status.
	rc int
	// fail makes the named module fail with this message.
	fail  map[string]string
	calls []call
}

func newFakeHost() *fakeHost {
	return &fakeHost{
		zones: map[string]fakeZone{
			"test-giz-1":    {role: "giz", state: "installed"},
			"build-giz-jdk": {role: "giz", state: "installed"},
			"test-diz-1":    {role: "diz", state: "running"},
			"mnt-diz":       {role: "diz", state: "mounted"},
			"foreign":       {state: "running"},
		},
		snapshots: map[string][]string{"test-giz-1": {"initial-installed-test-giz-1", "snap1"}},
		fail:      map[string]string{},
	}
}

// modules returns the fake registry.
func (h *fakeHost) modules() map[string]*ansible.Module {
	reg := map[string]*ansible.Module{}
	for _, name := range []string{"zone_giz", "zone_diz", "zone_snapshot", "zone_exec", "zone_info", "zone_gc"} {
		name := name
		reg[name] = &ansible.Module{Spec: specFor(name), Run: func(ctx context.Context, p *ansible.Params) (*ansible.Result, error) {
			return h.run(name, p)
		}}
	}
	return reg
}

// givenArgs renders the options a call gave as canonical JSON.
func givenArgs(spec ansible.Spec, p *ansible.Params) string {
	given := map[string]any{}
	for _, o := range spec.Options {
		if p.IsSet(o.Name) {
			given[o.Name] = p.Raw(o.Name)
		}
	}
	b, err := json.Marshal(given)
	if err != nil {
		return fmt.Sprintf("encode: %v", err)
	}
	return string(b)
}

func (h *fakeHost) run(module string, p *ansible.Params) (*ansible.Result, error) {
	h.calls = append(h.calls, call{module: module, args: givenArgs(specFor(module), p), check: p.CheckMode, params: p})
	if msg, ok := h.fail[module]; ok {
		return nil, fmt.Errorf("%s", msg)
	}
	res := &ansible.Result{Values: map[string]any{}}
	switch module {
	case "zone_info":
		name := p.Str("name")
		var zones []any
		names := make([]string, 0, len(h.zones))
		for n := range h.zones {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			z := h.zones[n]
			if z.role == "" {
				continue
			}
			if ok, _ := path.Match(name, n); name != "" && !ok {
				continue
			}
			if r := p.Str("role"); r != "" && r != "any" && r != z.role {
				continue
			}
			zones = append(zones, map[string]any{"name": n, "role": z.role, "state": z.state,
				"brand": "ipkg", "zonepath": "/zones/" + n, "giz": map[bool]string{true: "test-giz-1"}[z.role == "diz"]})
		}
		res.Set("zones", append([]any{}, zones...))
		res.Set("orphans", map[string]any{"journals": []any{"/var/zonemgr/journal/b1-diz-7-1.json"}, "zones": []any{},
			"vnics": []any{"autodizgone_0"}, "datasets": []any{}, "snapshots": []any{},
			"unrecorded": []any{"vnic autodizold_0: named like zonemgr's automatic VNICs, configured in no zone, and no journal records it"}})
		if name != "" {
			z, ok := h.zones[name]
			res.Set("exists", ok).Set("managed", ok && z.role != "").Set("role", z.role).Set("state", z.state)
			if p.Bool("verify") {
				res.Set("verified", name != "test-diz-1")
			}
		}
	case "zone_giz", "zone_diz":
		name := p.Str("name")
		if name == "" {
			name = "diz-abc123-0001"
		}
		res.Changed = true
		res.Msg = "zone " + name + ": 3 step(s) ran"
		if p.CheckMode {
			res.Msg = "zone " + name + ": 3 step(s) would run"
		}
		res.Set("name", name).Set("plan", []string{"zoneadm -z " + name + " boot", "zoneadm -z " + name + " halt"})
	case "zone_snapshot":
		snap := p.Str("name")
		if snap == "" {
			snap = "autozone-20250101T000000Z"
		}
		res.Changed = true
		var list []any
		for _, n := range h.snapshots[p.Str("zone")] {
			list = append(list, map[string]any{"name": n, "creation": 1700000000, "used": 0, "clones": []any{}, "zonemgr": true})
		}
		if p.CheckMode {
			list = append(list, map[string]any{"name": snap, "creation": 1800000000, "used": 0, "clones": []any{}, "zonemgr": true})
		}
		res.Set("snapshot", snap).Set("snapshots", append([]any{}, list...)).Set("halted", false)
	case "zone_gc":
		res.Changed = true
		res.Msg = "gc ran 1 command(s) and removed 1 journal(s)"
		if p.CheckMode {
			res.Msg = "gc would run 1 command(s) and remove 1 journal(s)"
		}
		res.Set("found", map[string]any{"journals": []any{"/var/zonemgr/journal/b1-diz-7-1.json"}, "zones": []any{},
			"vnics": []any{"autodizgone_0"}, "datasets": []any{}, "snapshots": []any{},
			"unrecorded": []any{"vnic autodizold_0: named like zonemgr's automatic VNICs, configured in no zone, and no journal records it"}})
		res.Set("not_run", []any{"zoneadm -z b1 uninstall -F: zone b1 is configured"})
		res.Set("plan", []string{"dladm delete-vnic autodizgone_0"})
	case "zone_exec":
		zone := p.Str("zone")
		if zone == "" {
			zone = "diz-abc123-0002"
		}
		res.Changed = true
		res.Set("rc", h.rc).Set("stdout", "built\n").Set("stderr", "").Set("zone", zone).Set("discarded", p.Str("zone") == "")
		if h.rc != 0 {
			res.Msg = fmt.Sprintf("command exited with status %d", h.rc)
		}
	}
	return res, nil
}

// runResult is what one command line did.
type runResult struct {
	code           int
	stdout, stderr string
}

// testEnv is an environment with no configuration files and no debug
// level: the root is an empty directory and there is no home.
func testEnv(t *testing.T, extra map[string]string) func(string) string {
	env := map[string]string{"ZONEMGR_ROOT": t.TempDir()}
	for k, v := range extra {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

// runCLI runs one command line against the fake host.
func runCLI(t *testing.T, h *fakeHost, env map[string]string, args ...string) runResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	c := &CLI{Stdout: &stdout, Stderr: &stderr, Modules: h.modules(), Getenv: testEnv(t, env)}
	code := c.Run(context.Background(), args)
	return runResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}
