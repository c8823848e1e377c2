package cli

import (
	"fmt"
	"strings"

	"github.com/zonemgr/zonemgr/internal/zone"
)

// normPath collapses repeated slashes and drops a trailing one, as the
// original did for --mount-lofs and --delegate-dataset values.
func normPath(p string) string {
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	if len(p) > 1 {
		p = strings.TrimSuffix(p, "/")
	}
	return p
}

// normFirst normalises the first n "|"-separated paths of a mount value.
func normFirst(n int) func(string) string {
	return func(v string) string {
		parts := strings.Split(v, "|")
		for i := 0; i < len(parts) && i < n; i++ {
			parts[i] = normPath(parts[i])
		}
		return strings.Join(parts, "|")
	}
}

// put sets key to the option's text when it has one.
func (r *request) put(args map[string]any, key, opt string) {
	if v := r.str[opt]; v != "" {
		args[key] = v
	}
}

// putList sets key to the option's list when it is not empty, each
// element passed through norm when norm is not nil.
func (r *request) putList(args map[string]any, key, opt string, norm func(string) string) {
	l := r.lists[opt]
	if len(l) == 0 {
		return
	}
	out := make([]string, len(l))
	for i, v := range l {
		if norm != nil {
			v = norm(v)
		}
		out[i] = v
	}
	args[key] = out
}

// accountArgs sets the options for accounts copied into a zone.
func (r *request) accountArgs(args map[string]any) {
	r.putList(args, "copy_users", optCopyUsers, nil)
	r.putList(args, "copy_groups", optCopyGroups, nil)
	r.putList(args, "elevate_users", optElevateUsers, nil)
}

// packageArgs sets zone_giz's publisher and package options.
func (r *request) packageArgs(args map[string]any) {
	r.putList(args, "add_publishers", optAddPublishers, nil)
	r.putList(args, "remove_publishers", optDelPublishers, nil)
	r.putList(args, "add_packages", optAddPackages, nil)
	r.putList(args, "remove_packages", optDelPackages, nil)
}

// dizArgs are zone_diz's options from the command line; zone_exec takes
// them under the same names for the zone it clones.
func (r *request) dizArgs() map[string]any {
	args := map[string]any{}
	r.put(args, "name", optZone)
	r.put(args, "giz", optOrigin)
	r.put(args, "snapshot", optSnapshot)
	r.putList(args, "mount_lofs", optMountLofs, normFirst(2))
	r.putList(args, "mount_autonfs", optMountAutoNFS, normFirst(1))
	r.putList(args, "delegate_datasets", optDelegate, normPath)
	r.putList(args, "add_vnics", optVNICs, nil)
	r.putList(args, "add_vnics_over", optVNICsOver, nil)
	r.accountArgs(args)
	if r.on[optLDAPClient] {
		args["ldap_client"] = true
	}
	return args
}

// execArgs sets zone_exec's command options.
func (r *request) execArgs(args map[string]any) {
	args["cmd"] = r.str[optExecCmd]
	if u := r.str[optExecUser]; u != "" && u != "-S" {
		args["user"] = u
	}
	if d := r.str[optExecDiscard]; d != "" {
		args["discard"] = discardValues[d]
	}
}

// discardValues maps --exec-discard's words to zone_exec's discard.
var discardValues = map[string]string{
	"off":       "never",
	"never":     "never",
	"always":    "always",
	"onsuccess": "onsuccess",
	"onfail":    "onfailure",
	"onfailure": "onfailure",
}

// roleModules maps a zone's role to the module that manages it.
var roleModules = map[string]string{"giz": "zone_giz", "diz": "zone_diz"}

// managedZone looks up the -z zone and checks that it exists and is
// zonemgr's. When it is not, the failure is reported and ok is false.
func (s *session) managedZone() (f zoneFacts, module string, code int, ok bool) {
	name := s.req.str[optZone]
	f, _, err := s.lookup(name)
	switch {
	case err != nil:
		return f, "", s.fail("%v", err), false
	case !f.exists:
		return f, "", s.fail("zone %s does not exist", name), false
	case !f.managed:
		return f, "", s.fail("zone %s is not managed by zonemgr, which never changes it", name), false
	case roleModules[f.role] == "":
		return f, "", s.fail("zone %s has the unknown zonemgr role %q", name, f.role), false
	}
	return f, roleModules[f.role], 0, true
}

// callReport makes one module call and reports it.
func (s *session) callReport(module string, args map[string]any, check bool, data func(callResult)) int {
	r, err := s.call(module, args, check)
	if err != nil {
		return s.fail("%v", err)
	}
	var show func()
	if data != nil {
		show = func() { data(r) }
	}
	return s.report(r, show)
}

func runCreateGIZ(s *session) int {
	r := s.req
	name := r.str[optZone]
	if name == "" {
		var code int
		var ok bool
		if name, code, ok = s.newGIZName(); !ok {
			return code
		}
	}
	args := map[string]any{"name": name, "state": "present"}
	r.put(args, "source", optOrigin)
	r.put(args, "snapshot", optSnapshot)
	template, brand := r.str[optTemplate], r.str[optBrand]
	switch {
	case r.str[optOrigin] != "":
		// A clone has its source's brand; zone_giz refuses -t and -b with it.
	case brand != "" && template != "":
		s.out.warnf("-b %s ignored: the template %s (-t) wins, as in the original", brand, template)
		brand = ""
	case brand != "" && s.cfg.TemplateGIZ != "":
		if brand != s.cfg.TemplateGIZ {
			s.out.warnf("-b %s ignored: the template %s (TEMPLATE_GIZ) wins, as in the original; set TEMPLATE_GIZ= to create from a brand", brand, s.cfg.TemplateGIZ)
		}
		brand = ""
	}
	if template != "" {
		args["template"] = template
	}
	if brand != "" {
		args["brand"] = brand
	}
	r.packageArgs(args)
	r.accountArgs(args)
	r.putList(args, "mount_lofs", optMountLofs, normFirst(2))
	r.put(args, "archive", optArchive)
	if r.on[optLDAPClient] {
		args["ldap_client"] = true
	}
	res, err := s.call("zone_giz", args, r.on[optDryRun])
	if err != nil {
		return s.fail("%v", err)
	}
	return s.created(res, name)
}

// newGIZName generates a free golden zone name, as zone_diz does for
// disposable zones: GIZ_NAME_PREFIX, a hash of the spec and a random
// suffix, avoiding every zone zone_info knows.
func (s *session) newGIZName() (string, int, bool) {
	res, err := s.call("zone_info", map[string]any{}, false)
	if err != nil {
		return "", s.fail("%v", err), false
	}
	if res.Failed {
		return "", s.fail("pick a name for the golden zone: %s", res.Msg), false
	}
	taken := map[string]bool{}
	for _, z := range res.objects("zones") {
		if n, ok := z["name"].(string); ok {
			taken[n] = true
		}
	}
	r := s.req
	hash := zone.SpecHash(r.str[optTemplate], r.str[optBrand], r.str[optOrigin], r.str[optSnapshot],
		fmt.Sprint(r.lists[optAddPublishers], r.lists[optAddPackages], r.lists[optDelPackages],
			r.lists[optCopyUsers], r.lists[optCopyGroups], r.lists[optElevateUsers], r.lists[optMountLofs]))
	name, err := zone.GenerateName(s.cfg.GIZNamePrefix, hash, func(n string) bool { return taken[n] })
	if err != nil {
		return "", s.fail("pick a name for the golden zone: %v", err), false
	}
	return name, 0, true
}

// created reports a module call that made (or would make) a zone: its
// name on stdout, and in the -O file.
func (s *session) created(res callResult, name string) int {
	if n := res.str("name"); n != "" {
		name = n
	}
	var werr error
	if !res.Failed {
		werr = s.appendOutfile(name)
	}
	code := s.report(res, func() { s.out.data(name) })
	if werr != nil {
		s.out.errorf("%v", werr)
		return 1
	}
	return code
}

func runCreateDIZ(s *session) int {
	args := s.req.dizArgs()
	args["state"] = "present"
	res, err := s.call("zone_diz", args, s.req.on[optDryRun])
	if err != nil {
		return s.fail("%v", err)
	}
	return s.created(res, s.req.str[optZone])
}

func runExec(s *session) int {
	args := map[string]any{"zone": s.req.str[optZone]}
	s.req.execArgs(args)
	return s.execute(args)
}

func runExecDIZ(s *session) int {
	args := s.req.dizArgs()
	s.req.execArgs(args)
	return s.execute(args)
}

// execute runs zone_exec and returns the command's exit status: the
// result's rc when the command ran and zonemgr itself did not fail after
// it, otherwise 1 for a failure and 0 for success.
func (s *session) execute(args map[string]any) int {
	res, err := s.call("zone_exec", args, s.req.on[optDryRun])
	if err != nil {
		return s.fail("%v", err)
	}
	var werr error
	if z := res.str("zone"); z != "" && args["giz"] != nil {
		werr = s.appendOutfile(z)
	}
	code := s.report(res, nil)
	if werr != nil {
		s.out.errorf("%v", werr)
		code = 1
	}
	rc, ok := res.Result["rc"].(float64)
	switch {
	case !ok || rc != float64(int(rc)):
		return code
	case rc == 0 && res.Failed:
		return 1
	case rc >= 0 && rc <= 255:
		return int(rc)
	}
	return 1
}

func runDestroy(s *session) int {
	if s.req.given[optSnapshot] {
		return runDestroySnapshot(s)
	}
	name := s.req.str[optZone]
	if err := zone.ValidZoneName(name); err != nil {
		return s.fail("-z: %v", err)
	}
	f, _, err := s.lookup(name)
	switch {
	case err != nil:
		return s.fail("%v", err)
	case !f.exists:
		return s.done(fmt.Sprintf("zone %s does not exist", name), map[string]any{"name": name, "state": "absent"})
	case !f.managed:
		return s.fail("zone %s is not managed by zonemgr, which never destroys it", name)
	case roleModules[f.role] == "":
		return s.fail("zone %s has the unknown zonemgr role %q", name, f.role)
	}
	args := map[string]any{"name": name, "state": "absent"}
	if s.req.on[optForce] {
		if f.role == "giz" {
			args["force"] = true
		} else {
			s.out.warnf("-f has no effect on the disposable zone %s", name)
		}
	}
	return s.callReport(roleModules[f.role], args, s.req.on[optDryRun], nil)
}

// snapshotArgs are zone_snapshot's options for a state.
func (s *session) snapshotArgs(state string) map[string]any {
	args := map[string]any{"zone": s.req.str[optZone], "state": state}
	s.req.put(args, "name", optSnapshot)
	if s.req.on[optForce] {
		args["force"] = true
	}
	return args
}

func runSnapshot(s *session) int {
	return s.callReport("zone_snapshot", s.snapshotArgs("present"), s.req.on[optDryRun], func(r callResult) {
		if n := r.str("snapshot"); n != "" {
			s.out.data(n)
		}
	})
}

func runRollback(s *session) int {
	return s.callReport("zone_snapshot", s.snapshotArgs("rolledback"), s.req.on[optDryRun], nil)
}

func runDestroySnapshot(s *session) int {
	return s.callReport("zone_snapshot", s.snapshotArgs("absent"), s.req.on[optDryRun], nil)
}

// runListSnapshots asks zone_snapshot, in check mode, for the zone's
// snapshots: it lists them and changes nothing. The snapshot that check
// mode says it would take is left out.
func runListSnapshots(s *session) int {
	name := s.req.str[optZone]
	res, err := s.call("zone_snapshot", map[string]any{"zone": name, "state": "present"}, true)
	if err != nil {
		return s.fail("%v", err)
	}
	if res.Failed {
		return s.fail("list the snapshots of %s: %s", name, res.Msg)
	}
	planned := ""
	if res.Changed {
		planned = res.str("snapshot")
	}
	var names []string
	var snaps []any
	for _, sn := range res.objects("snapshots") {
		n, _ := sn["name"].(string)
		if n == "" || n == planned {
			continue
		}
		names = append(names, n)
		snaps = append(snaps, sn)
	}
	if s.req.on[optJSON] {
		s.out.json(map[string]any{"changed": false, "failed": false, "zone": name, "snapshots": nonNilList(snaps)})
		return 0
	}
	if len(names) == 0 {
		s.out.infof("zone %s has no snapshots", name)
	}
	s.out.data(names...)
	return 0
}

func nonNilList(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

// listFormat is how the list verbs print: the zoneadm list flags.
type listFormat struct {
	installedOnly bool // -i
	verbose       bool // -v
	parseable     bool // -p
}

// parseListFlags reads zoneadm list flags such as "-cv" or "-ip".
func parseListFlags(flags string) (listFormat, *usageError) {
	var f listFormat
	if flags == "" {
		return f, nil
	}
	if !listFlagsRE.MatchString(flags) {
		return f, usagef([]string{"the list verbs take -c, -i, -v and -p"}, "list flags %q are not zoneadm list flags", flags)
	}
	all := strings.Contains(flags, "c")
	f.installedOnly = strings.Contains(flags, "i") && !all
	f.verbose = strings.Contains(flags, "v")
	f.parseable = strings.Contains(flags, "p")
	if f.verbose && f.parseable {
		return f, usagef(nil, "list flags %q: -p and -v are mutually exclusive", flags)
	}
	return f, nil
}

func runList(s *session, role string) int {
	format, uerr := parseListFlags(s.req.str[optListArgs])
	if uerr != nil {
		return s.fail("%v", uerr)
	}
	args := map[string]any{}
	if role != "" {
		args["role"] = role
	}
	s.req.put(args, "name", optZone)
	res, err := s.call("zone_info", args, false)
	if err != nil {
		return s.fail("%v", err)
	}
	if s.req.on[optJSON] || res.Failed {
		return s.report(res, nil)
	}
	var lines []string
	for _, z := range res.objects("zones") {
		st := field(z, "state")
		if format.installedOnly && (st == "configured" || st == "incomplete") {
			continue
		}
		switch {
		case format.verbose:
			if len(lines) == 0 {
				lines = append(lines, strings.TrimRight(fmt.Sprintf("%-16s %-10s %-30s %-8s %-4s %s", "NAME", "STATUS", "PATH", "BRAND", "ROLE", "GIZ"), " "))
			}
			lines = append(lines, strings.TrimRight(fmt.Sprintf("%-16s %-10s %-30s %-8s %-4s %s",
				field(z, "name"), st, field(z, "zonepath"), field(z, "brand"), field(z, "role"), field(z, "giz")), " "))
		case format.parseable:
			lines = append(lines, strings.Join([]string{field(z, "name"), st,
				strings.ReplaceAll(field(z, "zonepath"), ":", `\:`), field(z, "brand"), field(z, "role"), field(z, "giz")}, ":"))
		default:
			lines = append(lines, field(z, "name"))
		}
	}
	for _, w := range res.Warnings {
		s.out.warnf("%s", w)
	}
	if len(lines) == 0 {
		s.out.infof("no such zones were found")
		return 0
	}
	s.out.data(lines...)
	return 0
}

// field returns a string field of a zone_info object.
func field(z map[string]any, key string) string {
	s, _ := z[key].(string)
	return s
}

func runIs(s *session, role string) int {
	name := s.req.str[optZone]
	f, res, err := s.lookup(name)
	if err != nil {
		return s.fail("%v", err)
	}
	if s.req.on[optJSON] {
		s.out.json(res.Result)
	}
	what := map[string]string{"": "managed by zonemgr", "giz": "a managed golden zone", "diz": "a managed disposable zone"}[role]
	switch {
	case !f.exists:
		s.out.warnf("zone %s does not exist", name)
		return 1
	case f.managed && (role == "" || f.role == role):
		s.out.infof("zone %s is %s", name, what)
		return 0
	}
	s.out.warnf("zone %s is not %s", name, what)
	return 1
}

func runVerify(s *session) int {
	name := s.req.str[optZone]
	res, err := s.call("zone_info", map[string]any{"name": name, "verify": true}, false)
	if err != nil {
		return s.fail("%v", err)
	}
	exists, _ := res.boolean("exists")
	managed, _ := res.boolean("managed")
	verified, known := res.boolean("verified")
	switch {
	case res.Failed:
		return s.report(res, nil)
	case !exists:
		return s.fail("zone %s does not exist", name)
	case !managed:
		return s.fail("zone %s is not managed by zonemgr", name)
	case known && !verified:
		return s.fail("zone %s did not verify: %s", name, res.Msg)
	}
	if s.req.on[optJSON] {
		s.out.json(res.Result)
	}
	s.out.infof("zone %s verified", name)
	return 0
}

func runGetState(s *session) int {
	name := s.req.str[optZone]
	f, res, err := s.lookup(name)
	if err != nil {
		return s.fail("%v", err)
	}
	if !f.exists {
		return s.fail("zone %s does not exist", name)
	}
	if s.req.on[optJSON] {
		s.out.json(res.Result)
		return 0
	}
	s.out.data(f.state)
	return 0
}

// runState brings a managed zone to a run state through its role's
// module.
func runState(s *session, state string, extra map[string]any) int {
	f, module, code, ok := s.managedZone()
	if !ok {
		return code
	}
	args := map[string]any{"name": f.name, "state": state}
	for k, v := range extra {
		args[k] = v
	}
	return s.callReport(module, args, s.req.on[optDryRun], nil)
}

func runUnmount(s *session) int {
	f, module, code, ok := s.managedZone()
	if !ok {
		return code
	}
	switch f.state {
	case "mounted":
		return s.callReport(module, map[string]any{"name": f.name, "state": "stopped"}, s.req.on[optDryRun], nil)
	case "installed":
		return s.done(fmt.Sprintf("zone %s is not mounted", f.name), map[string]any{"name": f.name, "state": f.state})
	}
	return s.fail("zone %s is %s, not mounted: use halt or stop", f.name, f.state)
}

// runPkg changes a golden zone's publishers and packages; upgrade also
// updates every package.
func runPkg(s *session, upgrade bool) int {
	f, _, code, ok := s.managedZone()
	if !ok {
		return code
	}
	if f.role != "giz" {
		return s.fail("zone %s is a disposable zone: its packages come from its golden zone; change the golden zone and clone a new one", f.name)
	}
	args := map[string]any{"name": f.name, "state": "updated"}
	if !upgrade {
		args["update_packages"] = false
	}
	s.req.packageArgs(args)
	return s.callReport("zone_giz", args, s.req.on[optDryRun], nil)
}

func runUpdateGIZ(s *session) int {
	args := map[string]any{"role": "giz"}
	s.req.put(args, "name", optZone)
	info, err := s.call("zone_info", args, false)
	if err != nil {
		return s.fail("%v", err)
	}
	if info.Failed {
		return s.report(info, nil)
	}
	var results []any
	changed, failed, nchanged := false, 0, 0
	for _, z := range info.objects("zones") {
		name := field(z, "name")
		if name == "" {
			continue
		}
		args := map[string]any{"name": name, "state": "updated"}
		s.req.packageArgs(args)
		res, err := s.call("zone_giz", args, s.req.on[optDryRun])
		if err != nil {
			return s.fail("%v", err)
		}
		results = append(results, res.Result)
		changed = changed || res.Changed
		if res.Changed {
			nchanged++
		}
		for _, w := range res.Warnings {
			s.out.warnf("%s", w)
		}
		switch {
		case res.Failed:
			failed++
			s.out.errorf("%s", res.Msg)
		case s.req.on[optDryRun] && !s.req.on[optJSON]:
			s.out.data(res.strList("plan")...)
			s.out.infof("%s", res.Msg)
		default:
			s.out.infof("%s", res.Msg)
		}
	}
	msg := fmt.Sprintf("%d golden zone(s) checked, %d updated and snapshotted", len(results)-failed, nchanged)
	if s.req.on[optDryRun] {
		msg = fmt.Sprintf("%d golden zone(s) checked (dry run)", len(results)-failed)
	}
	if failed > 0 {
		msg = fmt.Sprintf("%d of %d golden zone(s) failed to update", failed, len(results))
	}
	if len(results) == 0 {
		msg = "no golden zones to update"
	}
	if s.req.on[optJSON] {
		s.out.json(map[string]any{"changed": changed, "failed": failed > 0, "msg": msg, "results": nonNilList(results)})
	}
	if failed > 0 {
		s.out.errorf("%s", msg)
		return 1
	}
	s.out.infof("%s", msg)
	return 0
}

// runDevelDebugList names the DEVEL_DEBUG steps; resolve runs a step
// through its own verb.
func runDevelDebugList(s *session) int {
	if s.req.on[optJSON] {
		var steps []any
		for _, st := range develSteps {
			steps = append(steps, map[string]any{"name": st.name, "about": st.about})
		}
		s.out.json(map[string]any{"changed": false, "failed": false, "steps": steps})
		return 0
	}
	for _, st := range develSteps {
		s.out.data(fmt.Sprintf("%-26s %s", st.name, st.about))
	}
	return 0
}

// runSetupPostinstall applies the accounts and lofs mounts of the
// command line to an existing managed zone again.
func runSetupPostinstall(s *session) int {
	f, module, code, ok := s.managedZone()
	if !ok {
		return code
	}
	args := map[string]any{"name": f.name, "state": "present"}
	s.req.accountArgs(args)
	s.req.putList(args, "mount_lofs", optMountLofs, normFirst(2))
	return s.callReport(module, args, s.req.on[optDryRun], nil)
}

// runListOrphans prints what zone_info finds that no zone uses.
func runListOrphans(s *session) int {
	res, err := s.call("zone_info", map[string]any{}, false)
	if err != nil {
		return s.fail("%v", err)
	}
	if s.req.on[optJSON] || res.Failed {
		return s.report(res, nil)
	}
	// What gc would remove, as "KIND NAME", then the look-alikes that no
	// journal records, which gc leaves alone, one sentence each.
	orphans, _ := res.Result["orphans"].(map[string]any)
	s.printLeftovers(orphans)
	l, _ := orphans["unrecorded"].([]any)
	for _, v := range l {
		if x, ok := v.(string); ok {
			s.out.data("unrecorded " + x)
		}
	}
	return 0
}
