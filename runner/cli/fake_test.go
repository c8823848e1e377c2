package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/internal/zone"
	"github.com/zonemgr/zonemgr/modules"
)

// A fakeZone is one zone of the fake global zone.
type fakeZone struct {
	role  string // "giz", "diz", or "" for a zone zonemgr does not manage
	state string
}

// A call is one call the fake engine received: the module, the request
// as the module's options would say it (see requestOptions), the mode,
// and the request itself.
type call struct {
	module string
	args   string // canonical JSON of the options the request sets
	check  bool
	req    any
}

// A fakeHost is a fake global zone behind a fake engine: it records
// every call and answers from its zones.
type fakeHost struct {
	zones map[string]fakeZone
	// snapshots of each zone, oldest first.
	snapshots map[string][]string
	// rc is what an exec reports as the command's exit status.
	rc int
	// fail makes the named module's calls fail with this message;
	// failErr with this error.
	fail    map[string]string
	failErr map[string]error
	calls   []call
	// block, when set, runs in place of an exec (for a signal test).
	block func(ctx context.Context) error
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

// engine returns the fake as the command line's engine.
func (h *fakeHost) engine(modules.Options) Engine { return h }

// record notes a call and returns its reply, failed when h.fail names
// the module.
func (h *fakeHost) record(module string, mode modules.Mode, req any) *modules.Reply {
	b, err := json.Marshal(requestOptions(req))
	if err != nil {
		panic(err)
	}
	h.calls = append(h.calls, call{module: module, args: string(b), check: mode.Check, req: req})
	r := &modules.Reply{Module: module, Mode: mode}
	if msg, ok := h.fail[module]; ok {
		r.Err = errors.New(msg)
	}
	if err, ok := h.failErr[module]; ok {
		r.Err = err
	}
	return r
}

// changed is the outcome of a call that changes zone name.
func changed(name string, mode modules.Mode, values map[string]any) *zone.Outcome {
	msg := "zone " + name + ": 3 step(s) ran"
	if mode.Check {
		msg = "zone " + name + ": 3 step(s) would run"
	}
	return &zone.Outcome{Changed: true, Zone: name, Msg: msg, Values: values,
		Plan: []string{"zoneadm -z " + name + " boot", "zoneadm -z " + name + " halt"}}
}

func (h *fakeHost) GIZ(ctx context.Context, mode modules.Mode, spec zone.GIZSpec) *modules.Reply {
	r := h.record("zone_giz", mode, spec)
	name := spec.Name
	if name == "" {
		pkgs, err := zone.NormalizePackages(spec.AddPackages)
		if err != nil {
			r.Err = err
			return r
		}
		name = zone.Content{Brand: spec.Brand, Template: spec.Template, Packages: pkgs}.Name("giz-")
	}
	if r.Err == nil {
		r.Outcome = changed(name, mode, map[string]any{"name": name})
	}
	return r
}

func (h *fakeHost) DIZ(ctx context.Context, mode modules.Mode, spec zone.DIZSpec) *modules.Reply {
	r := h.record("zone_diz", mode, spec)
	name := spec.Name
	if name == "" {
		name = "diz-abc123-0001"
	}
	if r.Err == nil {
		r.Outcome = changed(name, mode, map[string]any{"name": name})
	}
	return r
}

func (h *fakeHost) Snapshot(ctx context.Context, mode modules.Mode, spec zone.SnapshotSpec) *modules.Reply {
	r := h.record("zone_snapshot", mode, spec)
	if r.Err != nil {
		return r
	}
	snap := spec.Name
	if snap == "" {
		snap = "autozone-20250101T000000Z"
	}
	list := []zone.SnapshotInfo{}
	for _, n := range h.snapshots[spec.Zone] {
		list = append(list, zone.SnapshotInfo{Name: n, Creation: 1700000000, Clones: []string{}, Zonemgr: true})
	}
	if mode.Check {
		list = append(list, zone.SnapshotInfo{Name: snap, Creation: 1800000000, Clones: []string{}, Zonemgr: true})
	}
	r.Outcome = &zone.Outcome{Changed: true, Zone: spec.Zone, Msg: "zone " + spec.Zone + ": 1 step(s) ran",
		Values: map[string]any{"snapshot": snap, "snapshots": list, "halted": false}}
	return r
}

func (h *fakeHost) Exec(ctx context.Context, mode modules.Mode, spec zone.ExecSpec) *modules.Reply {
	r := h.record("zone_exec", mode, spec)
	if h.block != nil {
		r.Err = h.block(ctx)
		return r
	}
	if r.Err != nil || mode.Check {
		return r
	}
	name := spec.Zone
	if name == "" {
		name = "diz-abc123-0002"
	}
	r.Outcome = &zone.Outcome{Changed: true, Zone: name}
	r.Exec = &zone.ExecResult{RC: h.rc, Stdout: "built\n", Zone: name, Discarded: spec.Zone == ""}
	r.OKRCs = spec.OKRCs
	return r
}

func (h *fakeHost) Info(ctx context.Context, q zone.InfoQuery) *modules.Reply {
	r := h.record("zone_info", modules.Mode{}, q)
	if r.Err != nil {
		return r
	}
	info := &zone.Info{Zones: []zone.ZoneInfo{}, Orphans: zone.Orphans{
		Journals: []string{"/var/zonemgr/journal/b1-diz-7-1.json"}, Zones: []string{},
		VNICs: []string{"autodizgone_0"}, Datasets: []string{}, Snapshots: []string{},
		Unrecorded: []string{"vnic autodizold_0: named like zonemgr's automatic VNICs, configured in no zone, and no journal records it"}}}
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
		if ok, _ := path.Match(q.Name, n); q.Name != "" && !ok {
			continue
		}
		if q.Role != "" && q.Role != "any" && q.Role != z.role {
			continue
		}
		zi := zone.ZoneInfo{Name: n, Role: z.role, State: z.state, Brand: "ipkg", Zonepath: "/zones/" + n}
		if z.role == "diz" {
			zi.GIZ = "test-giz-1"
		}
		info.Zones = append(info.Zones, zi)
	}
	if q.Name != "" {
		z, ok := h.zones[q.Name]
		info.Exists, info.Managed, info.Role, info.State = ok, ok && z.role != "", z.role, z.state
		if q.Verify {
			v := q.Name != "test-diz-1"
			info.Verified = &v
		}
	}
	r.Info = info
	return r
}

func (h *fakeHost) GC(ctx context.Context, mode modules.Mode, unused *time.Duration) *modules.Reply {
	var req any = struct{}{}
	if unused != nil {
		req = gcRequest{*unused}
	}
	r := h.record("zone_gc", mode, req)
	if r.Err != nil {
		return r
	}
	msg := "gc ran 1 command(s) and removed 1 journal(s)"
	if mode.Check {
		msg = "gc would run 1 command(s) and remove 1 journal(s)"
	}
	r.Outcome = &zone.Outcome{Changed: true, Msg: msg, Plan: []string{"dladm delete-vnic autodizgone_0"}}
	r.GC = &zone.GCReport{
		Found: zone.Orphans{Journals: []string{"/var/zonemgr/journal/b1-diz-7-1.json"}, Zones: []string{},
			VNICs: []string{"autodizgone_0"}, Datasets: []string{}, Snapshots: []string{},
			Unrecorded: []string{"vnic autodizold_0: named like zonemgr's automatic VNICs, configured in no zone, and no journal records it"}},
		NotRun: []string{"zoneadm -z b1 uninstall -F: zone b1 is configured"},
	}
	return r
}

// A gcRequest is a gc call that evicts unused golden zones.
type gcRequest struct{ unused time.Duration }

// requestOptions renders a request as the options of the module call
// that means the same (the options a task would give, with their
// defaults left out), so that the tables read as the modules' documents.
func requestOptions(req any) map[string]any {
	o := map[string]any{}
	str := func(k, v string) {
		if v != "" {
			o[k] = v
		}
	}
	list := func(k string, v []string) {
		if len(v) > 0 {
			o[k] = v
		}
	}
	on := func(k string, v bool) {
		if v {
			o[k] = true
		}
	}
	lofs := func(ms []zone.LofsMount) {
		var l []string
		for _, m := range ms {
			s := m.Dir
			if m.Special != m.Dir || m.ReadOnly {
				s += "|" + m.Special
			}
			if m.ReadOnly {
				s += "|ro"
			}
			l = append(l, s)
		}
		list("mount_lofs", l)
	}
	boot := func(noWait, single bool, timeout int) {
		if noWait {
			o["wait"] = false
		}
		on("single_user", single)
		if timeout != 0 {
			o["boot_timeout"] = timeout
		}
	}
	diz := func(s zone.DIZSpec) {
		str("name", s.Name)
		str("giz", s.GIZ)
		list("packages", s.Packages)
		str("snapshot", s.Snapshot)
		lofs(s.Lofs)
		var nfs, over []string
		for _, a := range s.AutoNFS {
			nfs = append(nfs, a.Dir+"|"+a.Source)
		}
		for _, v := range s.VNICsOver {
			over = append(over, v.String())
		}
		list("mount_autonfs", nfs)
		list("delegate_datasets", s.Datasets)
		list("add_vnics", s.VNICs)
		list("add_vnics_over", over)
		list("copy_users", s.CopyUsers)
		list("copy_groups", s.CopyGroups)
		list("elevate_users", s.ElevateUsers)
		on("ldap_client", s.LDAPClient)
		on("recreate", s.Recreate)
		boot(s.NoWait, s.SingleUser, int(s.BootTimeout.Seconds()))
	}
	switch s := req.(type) {
	case zone.GIZSpec:
		str("name", s.Name)
		str("state", s.State)
		str("brand", s.Brand)
		str("template", s.Template)
		str("source", s.Source)
		str("snapshot", s.Snapshot)
		var pubs []string
		for _, p := range s.AddPublishers {
			pubs = append(pubs, p.Name+"|"+p.URL)
		}
		list("add_publishers", pubs)
		list("remove_publishers", s.RemovePublishers)
		list("add_packages", s.AddPackages)
		list("remove_packages", s.RemovePackages)
		list("copy_users", s.CopyUsers)
		list("copy_groups", s.CopyGroups)
		list("elevate_users", s.ElevateUsers)
		lofs(s.Lofs)
		on("force", s.Force)
		if !s.UpdatePackages {
			o["update_packages"] = false
		}
		str("image", s.Image)
		str("incremental_from", s.IncrementalFrom)
		on("attach_update", s.AttachUpdate)
		str("archive", s.Archive)
		on("ldap_client", s.LDAPClient)
		boot(s.NoWait, s.SingleUser, int(s.BootTimeout.Seconds()))
	case zone.DIZSpec:
		diz(s)
		str("state", s.State)
	case zone.SnapshotSpec:
		str("zone", s.Zone)
		str("name", s.Name)
		str("state", s.State)
		on("force", s.Force)
	case zone.ExecSpec:
		if s.DIZ != nil {
			diz(*s.DIZ)
		}
		str("cmd", s.Cmd)
		str("zone", s.Zone)
		str("user", s.User)
		str("discard", s.Discard)
		if len(s.OKRCs) > 0 {
			var rcs []string
			for _, rc := range s.OKRCs {
				rcs = append(rcs, strconv.Itoa(rc))
			}
			o["ok_rcs"] = rcs
		}
	case zone.InfoQuery:
		str("name", s.Name)
		str("role", s.Role)
		str("state", s.State)
		on("verify", s.Verify)
	case gcRequest:
		o["unused_goldens"] = s.unused.String()
	case struct{}:
	default:
		panic(fmt.Sprintf("requestOptions: %T", req))
	}
	return o
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
	c := &CLI{Stdout: &stdout, Stderr: &stderr, Engine: h.engine, Getenv: testEnv(t, env)}
	code := c.Run(context.Background(), args)
	return runResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}
