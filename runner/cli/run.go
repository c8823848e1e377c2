package cli

import (
	"fmt"
	"strings"

	"github.com/hashicorp/go-multierror"

	"github.com/zonemgr/zonemgr/internal/textio"
	"github.com/zonemgr/zonemgr/internal/zone"
	"github.com/zonemgr/zonemgr/modules"
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

// list returns a list option's words, each passed through norm when
// norm is not nil.
func (r *request) list(opt string, norm func(string) string) []string {
	l := r.lists[opt]
	if len(l) == 0 {
		return nil
	}
	out := make([]string, len(l))
	for i, v := range l {
		if norm != nil {
			v = norm(v)
		}
		out[i] = v
	}
	return out
}

// omitted returns the fields among fs whose list option is empty: an
// existing zone keeps what it has for them.
func (r *request) omitted(fs ...zone.Field) zone.Fields {
	var out []zone.Field
	for _, f := range fs {
		if len(r.lists[fieldOptions[f]]) == 0 {
			out = append(out, f)
		}
	}
	return zone.FieldSet(out...)
}

// lofs parses the --mount-lofs mounts.
func (r *request) lofs() ([]zone.LofsMount, error) {
	var out []zone.LofsMount
	var errs []error
	for _, v := range r.list(optMountLofs, normFirst(2)) {
		m, err := zone.ParseLofs(v)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, m)
	}
	return out, collect(errs)
}

// collect returns the errors among errs as one, which the engine's
// Phrase renders on one line; nil when there are none.
func collect(errs []error) error {
	var all error
	for _, e := range errs {
		if e != nil {
			all = multierror.Append(all, e)
		}
	}
	return zone.OneLine(all)
}

// dizSpec is the disposable zone of create-diz and exec-diz from the
// command line: the golden zone, snapshot and name, mounts, datasets,
// VNICs and accounts.
func (r *request) dizSpec(state string) (zone.DIZSpec, error) {
	pkgs, err := zone.ReadPackageArgs(r.lists[optAddPackages], textio.ReadFile)
	if err != nil {
		return zone.DIZSpec{}, err
	}
	spec := zone.DIZSpec{
		Packages:     pkgs,
		Name:         r.str[optZone],
		GIZ:          r.str[optOrigin],
		Snapshot:     r.str[optSnapshot],
		State:        state,
		Datasets:     r.list(optDelegate, normPath),
		VNICs:        r.list(optVNICs, nil),
		CopyUsers:    r.list(optCopyUsers, nil),
		CopyGroups:   r.list(optCopyGroups, nil),
		ElevateUsers: r.list(optElevateUsers, nil),
		LDAPClient:   r.on[optLDAPClient],
		Omitted: r.omitted(zone.FieldLofs, zone.FieldAutoNFS, zone.FieldDatasets, zone.FieldVNICs, zone.FieldVNICsOver,
			zone.FieldCopyUsers, zone.FieldCopyGroups, zone.FieldElevateUsers) | zone.FieldSet(zone.FieldCappedMemory, zone.FieldCappedCPU),
	}
	lofs, err := r.lofs()
	errs := []error{err}
	spec.Lofs = lofs
	for _, v := range r.list(optMountAutoNFS, normFirst(1)) {
		a, err := zone.ParseAutoNFS(v)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		spec.AutoNFS = append(spec.AutoNFS, a)
	}
	for _, v := range r.list(optVNICsOver, nil) {
		o, err := zone.ParseVNICOver(v)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		spec.VNICsOver = append(spec.VNICsOver, o)
	}
	return spec, collect(errs)
}

// packages sets a golden zone's publishers and packages from the
// command line.
func (r *request) packages(spec *zone.GIZSpec) error {
	var errs []error
	for _, v := range r.list(optAddPublishers, nil) {
		p, err := zone.ParsePublisher(v)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		spec.AddPublishers = append(spec.AddPublishers, p)
	}
	spec.RemovePublishers = r.list(optDelPublishers, nil)
	pkgs, err := zone.ReadPackageArgs(r.lists[optAddPackages], textio.ReadFile)
	errs = append(errs, err)
	spec.AddPackages = pkgs
	spec.RemovePackages = r.list(optDelPackages, nil)
	return collect(errs)
}

// gizOmitted are the fields of a golden zone's spec that the command
// line leaves out.
func (r *request) gizOmitted() zone.Fields {
	return r.omitted(zone.FieldLofs, zone.FieldCopyUsers, zone.FieldCopyGroups, zone.FieldElevateUsers,
		zone.FieldAddPackages, zone.FieldRemovePackages, zone.FieldAddPublishers, zone.FieldRemovePublishers)
}

// execSpec is the command of exec and exec-diz from the command line.
func (r *request) execSpec() zone.ExecSpec {
	spec := zone.ExecSpec{Cmd: r.str[optExecCmd]}
	if u := r.str[optExecUser]; u != "-S" {
		spec.User = u
	}
	if d := r.str[optExecDiscard]; d != "" {
		spec.Discard = discardValues[d]
	}
	return spec
}

// discardValues maps --exec-discard's words to the engine's discard
// policies.
var discardValues = map[string]string{
	"off":       "never",
	"never":     "never",
	"always":    "always",
	"onsuccess": "onsuccess",
	"onfail":    "onfailure",
	"onfailure": "onfailure",
}

// managedZone looks up the -z zone and checks that it exists and is
// zonemgr's, of a role zonemgr knows. When it is not, the failure is
// reported and ok is false.
func (s *session) managedZone() (f zoneFacts, code int, ok bool) {
	name := s.req.str[optZone]
	f, _, err := s.lookup(name)
	switch {
	case err != nil:
		return f, s.fail("%v", err), false
	case !f.exists:
		return f, s.fail("zone %s does not exist", name), false
	case !f.managed:
		return f, s.fail("zone %s is not managed by zonemgr, which never changes it", name), false
	case f.role != "giz" && f.role != "diz":
		return f, s.fail("zone %s has the unknown zonemgr role %q", name, f.role), false
	}
	return f, 0, true
}

// A boot is how a verb boots a zone.
type boot struct{ noWait, singleUser bool }

// ensure brings a managed zone of either role to a state through its
// role's call, leaving everything else as the zone has it; force is
// passed to a golden zone's destroy.
func (s *session) ensure(f zoneFacts, state string, b boot, force bool) *modules.Reply {
	if f.role == "giz" {
		spec := zone.GIZSpec{Name: f.name, State: state, NoWait: b.noWait, SingleUser: b.singleUser, Force: force,
			UpdatePackages: true, Omitted: s.req.gizOmitted()}
		s.debugCall("zone_giz", s.mode(), spec)
		return s.engine.GIZ(s.ctx, s.mode(), spec)
	}
	spec := zone.DIZSpec{Name: f.name, State: state, NoWait: b.noWait, SingleUser: b.singleUser,
		Omitted: zone.FieldSet(zone.FieldLofs, zone.FieldAutoNFS, zone.FieldDatasets, zone.FieldVNICs, zone.FieldVNICsOver,
			zone.FieldCopyUsers, zone.FieldCopyGroups, zone.FieldElevateUsers, zone.FieldCappedMemory, zone.FieldCappedCPU)}
	s.debugCall("zone_diz", s.mode(), spec)
	return s.engine.DIZ(s.ctx, s.mode(), spec)
}

// giz makes a golden zone's call.
func (s *session) giz(spec zone.GIZSpec) *modules.Reply {
	s.debugCall("zone_giz", s.mode(), spec)
	return s.engine.GIZ(s.ctx, s.mode(), spec)
}

// badRequest reports a request the engine refuses before any call,
// naming the flags the user typed.
func (s *session) badRequest(err error) int {
	return s.fail("%s", zone.Phrase(err, s.names))
}

func runCreateGIZ(s *session) int {
	r := s.req
	name := r.str[optZone]
	spec := zone.GIZSpec{Name: name, State: "present", Source: r.str[optOrigin], Snapshot: r.str[optSnapshot],
		CopyUsers: r.list(optCopyUsers, nil), CopyGroups: r.list(optCopyGroups, nil), ElevateUsers: r.list(optElevateUsers, nil),
		Archive: r.str[optArchive], LDAPClient: r.on[optLDAPClient], UpdatePackages: true, Omitted: r.gizOmitted()}
	template, brand := r.str[optTemplate], r.str[optBrand]
	switch {
	case r.str[optOrigin] != "":
		// A clone has its source's brand; the engine refuses -t and -b
		// with it.
	case brand != "" && template != "":
		s.out.warnf("-b %s ignored: the template %s (-t) wins, as in the original", brand, template)
		brand = ""
	case brand != "" && s.cfg.TemplateGIZ != "":
		if brand != s.cfg.TemplateGIZ {
			s.out.warnf("-b %s ignored: the template %s (TEMPLATE_GIZ) wins, as in the original; set TEMPLATE_GIZ= to create from a brand", brand, s.cfg.TemplateGIZ)
		}
		brand = ""
	}
	spec.Template, spec.Brand = template, brand
	lofs, err := r.lofs()
	spec.Lofs = lofs
	if err := collect([]error{err, r.packages(&spec)}); err != nil {
		return s.badRequest(err)
	}
	return s.created(s.giz(spec), name)
}

// created reports a call that made (or would make) a zone: its name on
// stdout, and in the -O file.
func (s *session) created(res *modules.Reply, name string) int {
	if n := res.Str("name"); n != "" {
		name = n
	}
	var werr error
	if !res.Failed() {
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
	spec, err := s.req.dizSpec("present")
	if err != nil {
		return s.badRequest(err)
	}
	s.debugCall("zone_diz", s.mode(), spec)
	return s.created(s.engine.DIZ(s.ctx, s.mode(), spec), s.req.str[optZone])
}

func runExec(s *session) int {
	spec := s.req.execSpec()
	spec.Zone = s.req.str[optZone]
	return s.execute(spec)
}

func runExecDIZ(s *session) int {
	d, err := s.req.dizSpec("running")
	if err != nil {
		return s.badRequest(err)
	}
	spec := s.req.execSpec()
	spec.DIZ = &d
	return s.execute(spec)
}

// execute runs the command and returns its exit status: the command's
// when it ran and zonemgr itself did not fail after it, otherwise 1 for
// a failure and 0 for success.
func (s *session) execute(spec zone.ExecSpec) int {
	s.debugCall("zone_exec", s.mode(), spec)
	res := s.engine.Exec(s.ctx, s.mode(), spec)
	var werr error
	if x := res.Exec; x != nil && spec.DIZ != nil && x.Zone != "" {
		werr = s.appendOutfile(x.Zone)
	}
	code := s.report(res, nil)
	if werr != nil {
		s.out.errorf("%v", werr)
		code = 1
	}
	x := res.Exec
	switch {
	case x == nil || res.Mode.Check:
		return code
	case x.RC == 0 && res.Failed():
		return 1
	case x.RC >= 0 && x.RC <= 255:
		return x.RC
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
	case f.role != "giz" && f.role != "diz":
		return s.fail("zone %s has the unknown zonemgr role %q", name, f.role)
	}
	force := s.req.on[optForce]
	if force && f.role != "giz" {
		s.out.warnf("-f has no effect on the disposable zone %s", name)
		force = false
	}
	return s.report(s.ensure(f, "absent", boot{}, force), nil)
}

// snapshot makes zone_snapshot's call for a state.
func (s *session) snapshot(state string) *modules.Reply {
	spec := zone.SnapshotSpec{Zone: s.req.str[optZone], Name: s.req.str[optSnapshot], State: state, Force: s.req.on[optForce]}
	s.debugCall("zone_snapshot", s.mode(), spec)
	return s.engine.Snapshot(s.ctx, s.mode(), spec)
}

func runSnapshot(s *session) int {
	r := s.snapshot("present")
	return s.report(r, func() {
		if n := r.Str("snapshot"); n != "" {
			s.out.data(n)
		}
	})
}

func runRollback(s *session) int { return s.report(s.snapshot("rolledback"), nil) }

func runDestroySnapshot(s *session) int { return s.report(s.snapshot("absent"), nil) }

// runListSnapshots asks zone_snapshot, in check mode, for the zone's
// snapshots: it lists them and changes nothing. The snapshot that check
// mode says it would take is left out.
func runListSnapshots(s *session) int {
	name := s.req.str[optZone]
	spec := zone.SnapshotSpec{Zone: name, State: "present"}
	s.debugCall("zone_snapshot", modules.Mode{Check: true}, spec)
	res := s.engine.Snapshot(s.ctx, modules.Mode{Check: true}, spec)
	if res.Err != nil {
		return s.fail("list the snapshots of %s: %s", name, res.Msg(s.names))
	}
	planned := ""
	if res.Changed() {
		planned = res.Str("snapshot")
	}
	all, _ := res.Value("snapshots").([]zone.SnapshotInfo)
	names := []string{}
	snaps := []zone.SnapshotInfo{}
	for _, sn := range all {
		if sn.Name == "" || sn.Name == planned {
			continue
		}
		names = append(names, sn.Name)
		snaps = append(snaps, sn)
	}
	if s.req.on[optJSON] {
		s.out.json(map[string]any{"changed": false, "failed": false, "zone": name, "snapshots": snaps})
		return 0
	}
	if len(names) == 0 {
		s.out.infof("zone %s has no snapshots", name)
	}
	s.out.data(names...)
	return 0
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
	q := zone.InfoQuery{Role: role, Name: s.req.str[optZone]}
	s.debugCall("zone_info", modules.Mode{}, q)
	res := s.engine.Info(s.ctx, q)
	if s.req.on[optJSON] || res.Failed() {
		return s.report(res, nil)
	}
	var lines []string
	for _, z := range res.Info.Zones {
		st := z.State
		if format.installedOnly && (st == "configured" || st == "incomplete") {
			continue
		}
		switch {
		case format.verbose:
			if len(lines) == 0 {
				lines = append(lines, strings.TrimRight(fmt.Sprintf("%-16s %-10s %-30s %-8s %-4s %s", "NAME", "STATUS", "PATH", "BRAND", "ROLE", "GIZ"), " "))
			}
			lines = append(lines, strings.TrimRight(fmt.Sprintf("%-16s %-10s %-30s %-8s %-4s %s",
				z.Name, st, z.Zonepath, z.Brand, z.Role, z.GIZ), " "))
		case format.parseable:
			lines = append(lines, strings.Join([]string{z.Name, st,
				strings.ReplaceAll(z.Zonepath, ":", `\:`), z.Brand, z.Role, z.GIZ}, ":"))
		default:
			lines = append(lines, z.Name)
		}
	}
	for _, w := range res.AllWarnings() {
		s.out.warnf("%s", w)
	}
	if len(lines) == 0 {
		s.out.infof("no such zones were found")
		return 0
	}
	s.out.data(lines...)
	return 0
}

func runIs(s *session, role string) int {
	name := s.req.str[optZone]
	f, res, err := s.lookup(name)
	if err != nil {
		return s.fail("%v", err)
	}
	if s.req.on[optJSON] {
		s.out.json(s.object(res))
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
	q := zone.InfoQuery{Name: name, Verify: true}
	s.debugCall("zone_info", modules.Mode{}, q)
	res := s.engine.Info(s.ctx, q)
	if res.Failed() {
		return s.report(res, nil)
	}
	info := res.Info
	switch {
	case !info.Exists:
		return s.fail("zone %s does not exist", name)
	case !info.Managed:
		return s.fail("zone %s is not managed by zonemgr", name)
	case info.Verified != nil && !*info.Verified:
		return s.fail("zone %s did not verify: %s", name, res.Msg(s.names))
	}
	if s.req.on[optJSON] {
		s.out.json(s.object(res))
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
		s.out.json(s.object(res))
		return 0
	}
	s.out.data(f.state)
	return 0
}

// runState brings a managed zone to a run state through its role's
// call.
func runState(s *session, state string, b boot) int {
	f, code, ok := s.managedZone()
	if !ok {
		return code
	}
	return s.report(s.ensure(f, state, b, false), nil)
}

func runUnmount(s *session) int {
	f, code, ok := s.managedZone()
	if !ok {
		return code
	}
	switch f.state {
	case "mounted":
		return s.report(s.ensure(f, "stopped", boot{}, false), nil)
	case "installed":
		return s.done(fmt.Sprintf("zone %s is not mounted", f.name), map[string]any{"name": f.name, "state": f.state})
	}
	return s.fail("zone %s is %s, not mounted: use halt or stop", f.name, f.state)
}

// runPkg changes a golden zone's publishers and packages; upgrade also
// updates every package.
func runPkg(s *session, upgrade bool) int {
	f, code, ok := s.managedZone()
	if !ok {
		return code
	}
	if f.role != "giz" {
		return s.fail("zone %s is a disposable zone: its packages come from its golden zone; change the golden zone and clone a new one", f.name)
	}
	spec := zone.GIZSpec{Name: f.name, State: "updated", UpdatePackages: upgrade, Omitted: s.req.gizOmitted()}
	if err := s.req.packages(&spec); err != nil {
		return s.badRequest(err)
	}
	return s.report(s.giz(spec), nil)
}

func runUpdateGIZ(s *session) int {
	q := zone.InfoQuery{Role: "giz", Name: s.req.str[optZone]}
	s.debugCall("zone_info", modules.Mode{}, q)
	info := s.engine.Info(s.ctx, q)
	if info.Failed() {
		return s.report(info, nil)
	}
	var results []any
	changed, failed, nchanged := false, 0, 0
	for _, z := range info.Info.Zones {
		if z.Name == "" {
			continue
		}
		spec := zone.GIZSpec{Name: z.Name, State: "updated", UpdatePackages: true, Omitted: s.req.gizOmitted()}
		if err := s.req.packages(&spec); err != nil {
			return s.badRequest(err)
		}
		res := s.giz(spec)
		results = append(results, s.object(res))
		changed = changed || res.Changed()
		if res.Changed() {
			nchanged++
		}
		for _, w := range res.AllWarnings() {
			s.out.warnf("%s", w)
		}
		switch {
		case res.Failed():
			failed++
			s.out.errorf("%s", res.Msg(s.names))
		case s.req.on[optDryRun] && !s.req.on[optJSON]:
			s.out.data(res.Plan()...)
			s.out.infof("%s", res.Msg(s.names))
		default:
			s.out.infof("%s", res.Msg(s.names))
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

func nonNilList(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
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
	f, code, ok := s.managedZone()
	if !ok {
		return code
	}
	r := s.req
	lofs, err := r.lofs()
	if err != nil {
		return s.badRequest(err)
	}
	users, groups, elevate := r.list(optCopyUsers, nil), r.list(optCopyGroups, nil), r.list(optElevateUsers, nil)
	if f.role == "giz" {
		return s.report(s.giz(zone.GIZSpec{Name: f.name, State: "present", Lofs: lofs, CopyUsers: users, CopyGroups: groups,
			ElevateUsers: elevate, UpdatePackages: true, Omitted: r.gizOmitted()}), nil)
	}
	spec := zone.DIZSpec{Name: f.name, State: "present", Lofs: lofs, CopyUsers: users, CopyGroups: groups, ElevateUsers: elevate,
		Omitted: r.omitted(zone.FieldLofs, zone.FieldAutoNFS, zone.FieldDatasets, zone.FieldVNICs, zone.FieldVNICsOver,
			zone.FieldCopyUsers, zone.FieldCopyGroups, zone.FieldElevateUsers) | zone.FieldSet(zone.FieldCappedMemory, zone.FieldCappedCPU)}
	s.debugCall("zone_diz", s.mode(), spec)
	return s.report(s.engine.DIZ(s.ctx, s.mode(), spec), nil)
}

// runListOrphans prints what zone_info finds that no zone uses.
func runListOrphans(s *session) int {
	s.debugCall("zone_info", modules.Mode{}, zone.InfoQuery{})
	res := s.engine.Info(s.ctx, zone.InfoQuery{})
	if s.req.on[optJSON] || res.Failed() {
		return s.report(res, nil)
	}
	// What gc would remove, as "KIND NAME", then the look-alikes that no
	// journal records, which gc leaves alone, one sentence each.
	s.printLeftovers(res.Info.Orphans)
	for _, x := range res.Info.Orphans.Unrecorded {
		s.out.data("unrecorded " + x)
	}
	return 0
}
