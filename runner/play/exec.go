package play

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/config"
	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

// omitPlaceholder is the value of the magic variable omit: a module
// option whose value renders to it is left out, as in Ansible. It has
// the form of Ansible's, whose 40 hex digits are random.
const omitPlaceholder = "__omit_place_holder__41feea166a332a7d3c0bd625f70a765e6bdd1385"

// ansibleVersion is the ansible-core release whose behaviour the runner
// follows: its module protocol, templating and output.
const ansibleVersion = "2.14.18"

// A stats is the PLAY RECAP's counts. As in Ansible, ok counts every
// task that did not fail or was ignored, changed ones included; a failure
// that a rescue section handles counts as rescued, not failed.
type stats struct {
	OK          int `json:"ok"`
	Changed     int `json:"changed"`
	Unreachable int `json:"unreachable"`
	Failed      int `json:"failed"`
	Skipped     int `json:"skipped"`
	Rescued     int `json:"rescued"`
	Ignored     int `json:"ignored"`
}

// A flow is how a list of tasks ended.
type flow int

const (
	// flowOK: every task ran (or was skipped).
	flowOK flow = iota
	// flowFailed: a task failed and nothing rescued it: the host fails
	// and the playbook stops.
	flowFailed
	// flowEnd: meta end_play or end_host ended the play.
	flowEnd
	// flowAbort: an error Ansible raises outside any task (a handler
	// notified that does not exist) ends the run at once, without a
	// recap (run.abort says why).
	flowAbort
)

// A run is one execution of a playbook.
type run struct {
	r  *Runner
	pb *playbook
	tc *jinja.Cache
	d  *display
	// tags and skipTags are --tags and --skip-tags, one tag each.
	tags, skipTags []string
	extra          *jinja.Dict
	// facts are the host's variables set by set_fact and register, which
	// outlive their play.
	facts *jinja.Dict
	// gathered are the facts gather_facts found: ansible_facts and the
	// ansible_* variables Ansible injects, below play vars.
	gathered *jinja.Dict
	stats    stats
	play     *play
	// playTitle is the play's name, rendered.
	playTitle string
	playDir   string
	// started is false while --start-at-task (startAt) has not matched
	// yet.
	started bool
	startAt taskPattern
	// interrupted is set when the context was cancelled.
	interrupted bool
	// cfg is the zonemgr configuration of the modules run in-process.
	cfg         *config.Config
	cfgWarnings []string
	// notified holds the handlers notified and not yet run.
	notified map[*task]bool
	// fatal is set when a failure was any_errors_fatal (or run_once):
	// Ansible then says no hosts are left.
	fatal bool
	// abort is the error that ended the run (flowAbort).
	abort error
	// handlerNames are the handlers' names, rendered when first needed.
	handlerNames map[*task]string
}

// inherited is what a block, an include or the play passes to the tasks
// in it.
type inherited struct {
	when []*cond
	// vars are the variables of the enclosing blocks and includes,
	// inner first.
	vars   []*jinja.Dict
	ignore any
	noLog  any
	check  any
	diff   any
	fatal  any
	// env are the environments of the enclosing blocks, outer first.
	env []any
	// rescuable tells whether a failure here is handled by the rescue
	// section of an enclosing block.
	rescuable bool
	// handler tells that the tasks are a handler's.
	handler bool
}

// An outcome is the result of running an action once (one task, or one
// item of a loop).
type outcome struct {
	res *jinja.Dict
	// verbose results are shown even without -v (debug, assert).
	verbose  bool
	warnings []string
	// notify are the handler names a loop's items notify.
	notify []string
	// raised marks an error Ansible raises (see raisedOutcome).
	raised bool
}

func (o outcome) get(key string) any {
	v, _ := o.res.Get(key)
	return v
}

func (o outcome) failed() bool  { return jinja.Truth(o.get("failed")) }
func (o outcome) skipped() bool { return jinja.Truth(o.get("skipped")) }
func (o outcome) changed() bool { return jinja.Truth(o.get("changed")) }

// status names an outcome: failed, skipped, changed or ok.
func (o outcome) status() string {
	switch {
	case o.failed():
		return "failed"
	case o.skipped():
		return "skipped"
	case o.changed():
		return "changed"
	}
	return "ok"
}

// failedOutcome is the result of a task that failed before or around its
// action (on a template, a condition, its loop): Ansible's TaskExecutor
// then returns failed and msg only.
func failedOutcome(msg string) outcome {
	return outcome{res: jinja.DictOf("failed", true, "msg", msg)}
}

// raisedOutcome is the result of an error Ansible raises out of running
// the task (a when or until that does not evaluate, options that do not
// template, an action's error): failed and msg only, with no
// changed_when, failed_when or retries applied; in a loop it ends the
// loop, and is the task's result.
func raisedOutcome(msg string) outcome {
	o := failedOutcome(msg)
	o.raised = true
	return o
}

// execute runs every play of the playbook and returns the exit status.
func (x *run) execute(ctx context.Context) int {
	start := x.r.clock()
	for _, p := range x.pb.plays {
		x.play = p
		x.playTitle = x.playName(ctx)
		x.d.playBanner(x.playTitle)
		x.warnReserved(p)
		x.noteHosts(ctx)
		f := x.runPlay(ctx, p)
		if f == flowAbort {
			x.d.errorf("%v", x.abort)
			return ExitError
		}
		if f == flowFailed || x.interrupted {
			if x.fatal {
				x.d.banner("NO MORE HOSTS LEFT")
			}
			break
		}
	}
	if x.interrupted {
		x.d.errorf("interrupted: %v", context.Cause(ctx))
	}
	code := ExitOK
	if x.stats.Failed > 0 || x.interrupted {
		code = ExitFailed
	}
	x.d.recap(x.stats, x.r.clock().Sub(start), code)
	return code
}

// playInherited is what a play passes to its tasks.
func (x *run) playInherited(p *play) inherited {
	return inherited{ignore: p.ignore, noLog: p.noLog, check: p.checkMode, diff: p.diff, fatal: p.fatal}
}

// runPlay runs one play: facts, pre_tasks, tasks and post_tasks, each
// section followed by the handlers it notified.
func (x *run) runPlay(ctx context.Context, p *play) flow {
	x.notified = map[*task]bool{}
	x.handlerNames = map[*task]string{}
	inh := x.playInherited(p)
	if f := x.gatherFacts(ctx, p); f != flowOK {
		return f
	}
	for _, section := range [][]*task{p.pre, p.tasks, p.post} {
		f := x.runTasks(ctx, section, inh)
		if f == flowAbort {
			return f
		}
		if f == flowFailed {
			if x.flag(ctx, p.forceHandlers, &task{}, inherited{}) {
				x.flushHandlers(ctx)
			}
			return f
		}
		if f == flowEnd {
			return flowOK
		}
		if f := x.flushHandlers(ctx); f != flowOK {
			return f
		}
	}
	return flowOK
}

// flag evaluates a boolean keyword of the play (a boolean or a template)
// in the play's scope; errors make it false.
func (x *run) flag(ctx context.Context, v any, t *task, inh inherited) bool {
	if v == nil {
		return false
	}
	b, err := flag(v, x.scope(ctx, t, inh))
	return err == nil && b
}

// runTasks runs tasks in order until one fails; it tells how they
// ended.
func (x *run) runTasks(ctx context.Context, tasks []*task, inh inherited) flow {
	for _, t := range tasks {
		if ctx.Err() != nil {
			x.interrupted = true
			return flowFailed
		}
		var f flow
		switch {
		case t.kind == kindBlock:
			f = x.runBlock(ctx, t, inh)
		case t.kind == kindInclude && t.imported:
			f = x.runImport(ctx, t, inh)
		default:
			f = x.runTask(ctx, t, inh)
		}
		if f != flowOK {
			return f
		}
	}
	return flowOK
}

// nest returns what a block (or an include) passes to the tasks in it.
func nest(inh inherited, t *task) inherited {
	inner := inh
	inner.when = append(append([]*cond{}, inh.when...), t.when...)
	if t.vars != nil {
		inner.vars = append([]*jinja.Dict{t.vars}, inh.vars...)
	}
	for _, kw := range []struct {
		dst *any
		v   any
	}{{&inner.ignore, t.ignore}, {&inner.noLog, t.noLog}, {&inner.check, t.checkMode}, {&inner.diff, t.diff}, {&inner.fatal, t.fatal}} {
		if kw.v != nil {
			*kw.dst = kw.v
		}
	}
	if t.env != nil {
		inner.env = append(append([]any{}, inh.env...), t.env)
	}
	return inner
}

// runBlock runs a block: its tasks; on a failure its rescue section,
// whose success clears the failure; then, whatever happened, its always
// section.
func (x *run) runBlock(ctx context.Context, b *task, inh inherited) flow {
	inner := nest(inh, b)
	body := inner
	body.rescuable = inh.rescuable || len(b.rescue) > 0
	f := x.runTasks(ctx, b.block, body)
	if f == flowFailed && len(b.rescue) > 0 && !x.interrupted && !x.fatal {
		f = x.runTasks(ctx, b.rescue, inner)
	}
	if !x.interrupted && len(b.always) > 0 && f != flowEnd && f != flowAbort {
		if g := x.runTasks(ctx, b.always, inner); g != flowOK {
			f = g
		}
	}
	return f
}

// runImport runs the tasks of an import_tasks, which Ansible inlines
// when it loads the playbook: under the import's conditions and vars.
func (x *run) runImport(ctx context.Context, t *task, inh inherited) flow {
	return x.runTasks(ctx, t.included, nest(inh, t))
}

// magicVars are the variables Ansible sets itself, for a task in the
// check and diff modes given.
func (x *run) magicVars(check, diff bool) *jinja.Dict {
	localhost := jinja.NewDict(0)
	return jinja.DictOf(
		"inventory_hostname", "localhost",
		"inventory_hostname_short", "localhost",
		"group_names", []any{"ungrouped"},
		"groups", jinja.DictOf("all", []any{"localhost"}, "ungrouped", []any{"localhost"}),
		"ansible_play_hosts", []any{"localhost"},
		"ansible_play_batch", []any{"localhost"},
		"ansible_play_hosts_all", []any{"localhost"},
		"play_hosts", []any{"localhost"},
		"ansible_check_mode", check,
		"ansible_diff_mode", diff,
		"ansible_verbosity", x.r.Verbosity,
		"ansible_forks", 5,
		"ansible_run_tags", tagList(x.tags, []any{"all"}),
		"ansible_skip_tags", tagList(x.skipTags, []any{}),
		"ansible_version", jinja.DictOf("string", ansibleVersion, "full", ansibleVersion, "major", 2, "minor", 14, "revision", 18),
		"ansible_play_name", x.playTitle,
		"role_names", []any{},
		"ansible_role_names", []any{},
		"ansible_play_role_names", []any{},
		"ansible_dependent_role_names", []any{},
		"playbook_dir", x.playDir,
		"omit", omitPlaceholder,
		"hostvars", jinja.DictOf("localhost", localhost),
	)
}

// tagList returns tags as a list value, or def when there are none.
func tagList(tags []string, def []any) []any {
	if len(tags) == 0 {
		return def
	}
	out := make([]any, len(tags))
	for i, t := range tags {
		out[i] = t
	}
	return out
}

// hostVars are the variables hostvars['localhost'] holds: the host's
// facts and registered results, gathered facts and the magic variables
// of the host, not play or task vars.
func (x *run) hostVars(magic *jinja.Dict) *jinja.Dict {
	out := jinja.NewDict(0)
	for _, k := range []string{"ansible_check_mode", "ansible_diff_mode", "ansible_forks", "ansible_run_tags", "ansible_skip_tags",
		"ansible_verbosity", "ansible_version", "group_names", "groups", "inventory_hostname", "inventory_hostname_short", "omit", "playbook_dir"} {
		v, _ := magic.Get(k)
		out.Set(k, v)
	}
	for _, d := range []*jinja.Dict{x.gathered, x.facts} {
		for k, v := range d.All() {
			out.Set(k, v)
		}
	}
	if !out.Has("ansible_facts") {
		out.Set("ansible_facts", jinja.NewDict(0))
	}
	return out
}

// modes returns the check and diff modes of a task: the command line's,
// or its own (or inherited) check_mode and diff keywords.
func (x *run) modes(ctx context.Context, t *task, inh inherited) (check, diff bool) {
	check, diff = x.r.Check, x.r.Diff
	var sc *scope // built only for a keyword to evaluate
	for _, m := range []struct {
		v   any
		dst *bool
	}{{firstSet(t.checkMode, inh.check), &check}, {firstSet(t.diff, inh.diff), &diff}} {
		if m.v == nil {
			continue
		}
		if sc == nil {
			sc = x.baseScope(ctx, t, inh, x.r.Diff)
		}
		if b, err := flag(m.v, sc); err == nil {
			*m.dst = b
		}
	}
	return check, diff
}

// firstSet returns the first of vs that is set.
func firstSet(vs ...any) any {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}

// scope builds the variables a task sees, and its modes; cancelling ctx
// stops the evaluations in it.
func (x *run) scope(ctx context.Context, t *task, inh inherited) *scope {
	check, diff := x.modes(ctx, t, inh)
	sc := x.baseScope(ctx, t, inh, diff)
	sc.check, sc.diff = check, diff
	return sc
}

// baseScope builds a task's scope for a diff mode. ansible_check_mode
// is the run's --check whatever the task's check_mode: Ansible 2.14 sets
// the magic variable from the command line's options, not from a task's
// keyword; ansible_diff_mode follows the task's diff.
func (x *run) baseScope(ctx context.Context, t *task, inh inherited, diff bool) *scope {
	magic := x.magicVars(x.r.Check, diff)
	hv, _ := magic.Get("hostvars")
	hv.(*jinja.Dict).Set("localhost", x.hostVars(magic))
	layers := []layer{
		{vals: magic},
		{vals: x.extra, templated: true},
		{vals: x.facts, templated: true},
	}
	if t.vars != nil {
		layers = append(layers, layer{vals: t.vars, templated: true})
	}
	for _, v := range inh.vars {
		layers = append(layers, layer{vals: v, templated: true})
	}
	if x.play != nil {
		for i := len(x.play.varsFiles) - 1; i >= 0; i-- {
			layers = append(layers, layer{vals: x.play.varsFiles[i], templated: true})
		}
		layers = append(layers, layer{vals: x.play.vars, templated: true})
	}
	layers = append(layers, layer{vals: x.gathered}, layer{vals: jinja.DictOf("ansible_facts", jinja.NewDict(0))})
	sc := newScope(x.tc, layers...)
	sc.ctx = ctx
	sc.special = func(name string) (any, bool) {
		if name == "vars" {
			return sc.all(), true
		}
		return nil, false
	}
	sc.warn = x.d.taskWarning
	return sc
}

// flag evaluates a boolean keyword: a boolean or a template.
func flag(v any, sc *scope) (bool, error) {
	if v == nil {
		return false, nil
	}
	r, err := sc.render(v)
	if err != nil {
		return false, err
	}
	return jinja.Bool(r), nil
}

// taskName renders a task's name for its banner as Ansible does: with
// the task's variables, leaving it as written when a variable in it is
// undefined.
func (x *run) taskName(t *task, sc *scope) string {
	name := t.displayName()
	if jinja.IsTemplate(name) {
		if v, err := sc.render(name); err == nil {
			name = jinja.Str(v)
		}
	}
	return strings.TrimSpace(name)
}

// shouldRun tells whether --tags and --skip-tags let a task run, as
// Ansible's Taggable.evaluate_tags decides.
func (x *run) shouldRun(t *task, sc *scope) bool {
	only := x.tags
	if len(only) == 0 {
		only = []string{"all"}
	}
	skip := x.skipTags
	tags := map[string]bool{}
	for _, tv := range t.tags {
		v, err := sc.render(tv)
		if err != nil {
			v = tv
		}
		if l, ok := v.([]any); ok {
			for _, e := range l {
				tags[jinja.Str(e)] = true
			}
		} else {
			tags[jinja.Str(v)] = true
		}
	}
	untagged := len(tags) == 0
	if untagged {
		tags["untagged"] = true
	}
	any := func(set []string) bool {
		for _, s := range set {
			if tags[s] {
				return true
			}
		}
		return false
	}
	run := false
	switch {
	case tags["always"]:
		run = true
	case slices.Contains(only, "all") && !tags["never"]:
		run = true
	case any(only):
		run = true
	case slices.Contains(only, "tagged") && !untagged && !tags["never"]:
		run = true
	}
	if run && len(skip) > 0 {
		switch {
		case slices.Contains(skip, "all"):
			if !tags["always"] || slices.Contains(skip, "always") {
				run = false
			}
		case any(skip):
			run = false
		case slices.Contains(skip, "tagged") && !untagged:
			run = false
		}
	}
	return run
}

// runTask runs one task and tells how it ended.
func (x *run) runTask(ctx context.Context, t *task, inh inherited) flow {
	if !x.started {
		if !x.startAt.match(t) {
			return flowOK
		}
		x.started = true
	}
	sc := x.scope(ctx, t, inh)
	if !x.shouldRun(t, sc) {
		return flowOK
	}
	if t.kind == kindMeta {
		return x.runMeta(ctx, t, inh, sc)
	}
	start := x.r.clock()
	x.d.startTask()
	name := x.taskName(t, sc)
	prefix := "TASK"
	if inh.handler || t.handler {
		prefix = "RUNNING HANDLER"
	}
	x.d.banner(prefix + " [" + name + "]")

	ignoreSrc, noLogSrc := firstSet(t.ignore, inh.ignore), firstSet(t.noLog, inh.noLog)
	noLog, err := flag(noLogSrc, sc)
	var ignore bool
	var o outcome
	var loopResults bool
	var includes []includedFile
	switch {
	case err != nil:
		o = failedOutcome(fieldError(t.pos, "no_log", err))
	case t.kind == kindInclude:
		o, includes = x.runInclude(ctx, t, sc, inh)
		loopResults = t.loopKind != loopNone
	case t.loopKind != loopNone:
		o, loopResults = x.runLoop(ctx, t, sc, inh, noLog)
	default:
		o = x.runOnce(ctx, t, sc, inh, noLog)
		x.d.diff(o.res, noLog)
	}
	if ignore, err = flag(ignoreSrc, sc); err != nil {
		ignore = false
	}
	dur := x.r.clock().Sub(start)
	failed := o.failed()
	if !failed && !o.skipped() && o.changed() && len(t.notify) > 0 {
		// As Ansible's strategy does before it shows the result: a
		// handler that does not exist ends the run.
		names := o.notify
		if t.loopKind == loopNone {
			var err error
			if names, err = notifyNames(t, sc); err != nil {
				x.abort = err
				return flowAbort
			}
		}
		for _, n := range names {
			if err := x.notifyHandler(ctx, n); err != nil {
				x.abort = err
				return flowAbort
			}
		}
	}
	// A no_log task's result reaches no output, its warnings and
	// deprecations included (ansible-core executor/task_result.py
	// clean_copy() censors the result the callbacks are given).
	if !noLog {
		for _, w := range o.warnings {
			x.d.warning(w)
		}
		x.d.deprecations(o.res)
	}
	switch {
	case t.kind == kindInclude && !failed && !o.skipped():
		for _, inc := range includes {
			x.d.line(inc.line, colorSkip)
		}
	case loopResults:
		x.d.loopEnd(t, o, noLog, dur)
	default:
		x.d.taskLine(t, o, noLog, dur)
	}
	if failed && ignore {
		x.d.line("...ignoring", colorSkip)
	}
	x.d.jsonTask(x.playTitle, name, t.action, o, failed && ignore, noLog, dur)

	if t.register != "" {
		x.facts.Set(t.register, registered(t, o.res))
	}
	if !failed && !loopResults {
		x.applyFacts(t, o.res)
	}
	fatal := x.flag(ctx, firstSet(t.fatal, inh.fatal), t, inh)
	switch {
	case failed && ignore:
		x.stats.OK++
		x.stats.Ignored++
		if o.changed() {
			x.stats.Changed++
		}
	case failed && inh.rescuable:
		x.stats.Rescued++
		x.facts.Set("ansible_failed_task", jinja.Wrap(jinja.DictOf("name", t.name, "action", t.action)))
		x.facts.Set("ansible_failed_result", wrapResult(t, stripInternal(o.res)))
	case failed:
		x.stats.Failed++
		if fatal {
			x.fatal = true
		}
	case o.skipped():
		x.stats.Skipped++
	case t.kind == kindInclude:
		x.stats.OK += len(includes)
	default:
		x.stats.OK++
		if o.changed() {
			x.stats.Changed++
		}
	}
	if ctx.Err() != nil {
		x.interrupted = true
	}
	if failed && !ignore {
		return flowFailed
	}
	if t.kind == kindInclude && !failed {
		for _, inc := range includes {
			sub := nest(inh, t)
			sub.when = inh.when
			if inc.vars != nil {
				sub.vars = append([]*jinja.Dict{inc.vars}, sub.vars...)
			}
			if f := x.runTasks(ctx, t.included, sub); f != flowOK {
				return f
			}
		}
	}
	return flowOK
}

// registered is a result as register keeps it: without the internal
// _ansible_ keys, and without its invocation; unsafe (see wrapResult).
func registered(t *task, res *jinja.Dict) *jinja.Dict {
	r := stripInternal(res)
	r.Delete("invocation")
	return wrapResult(t, r)
}

// wrapResult marks a task's result unsafe, as Ansible's task executor
// does the results of every action but set_fact: its text is never
// templated again.
func wrapResult(t *task, res *jinja.Dict) *jinja.Dict {
	if t.kind == kindSetFact {
		return res
	}
	return jinja.Wrap(res).(*jinja.Dict)
}

// stripInternal is Ansible's strip_internal_keys: the result without its
// _ansible_ keys, those of its loop items too.
func stripInternal(res *jinja.Dict) *jinja.Dict {
	out := jinja.NewDict(res.Len())
	for k, v := range res.All() {
		if strings.HasPrefix(k, "_ansible_") {
			continue
		}
		if l, ok := v.([]any); ok && k == "results" {
			v = mapDicts(l, stripInternal)
		}
		out.Set(k, v)
	}
	return out
}

// mapDicts returns l with f applied to its mappings, its other items as
// they are.
func mapDicts(l []any, f func(*jinja.Dict) *jinja.Dict) []any {
	out := make([]any, len(l))
	for i, e := range l {
		if d, ok := e.(*jinja.Dict); ok {
			out[i] = f(d)
		} else {
			out[i] = e
		}
	}
	return out
}

// applyFacts sets the variables of a result's ansible_facts: set_fact's
// as they are, a module's also under ansible_facts.
func (x *run) applyFacts(t *task, res *jinja.Dict) {
	f, ok := res.Get("ansible_facts")
	d, isDict := f.(*jinja.Dict)
	if !ok || !isDict {
		return
	}
	if t.kind == kindSetFact {
		for k, v := range d.All() {
			x.facts.Set(k, v)
		}
		return
	}
	d = jinja.Wrap(d).(*jinja.Dict)
	for k, v := range d.All() {
		x.facts.Set(k, v)
	}
	af, _ := x.gathered.Get("ansible_facts")
	merged, _ := af.(*jinja.Dict)
	if merged == nil {
		merged = jinja.NewDict(0)
	} else {
		merged = merged.Copy()
	}
	for k, v := range d.All() {
		merged.Set(strings.TrimPrefix(k, "ansible_"), v)
	}
	x.gathered.Set("ansible_facts", merged)
}

// notifyNames renders the names a task notifies, in its scope (that of
// one loop item, for a loop: each item notifies its own).
func notifyNames(t *task, sc *scope) ([]string, error) {
	names := make([]string, 0, len(t.notify))
	for _, n := range t.notify {
		v, err := sc.render(n)
		if err != nil {
			return nil, errors.New(fieldError(t.pos, "notify", err))
		}
		names = append(names, jinja.Str(v))
	}
	return names, nil
}

// notifyHandler marks the handlers a name notifies, as Ansible's
// strategy finds them: the first handler of that name (the play's
// handlers are one block to Ansible), and every handler that listens to
// it. A name no handler answers to is an error.
func (x *run) notifyHandler(ctx context.Context, name string) error {
	found := false
	var named *task
	for _, h := range x.play.handlers {
		sc := x.scope(ctx, h, inherited{})
		hname, ok := x.handlerNames[h]
		if !ok {
			hname = h.name
			if jinja.IsTemplate(hname) {
				if r, err := sc.render(hname); err == nil {
					hname = jinja.Str(r)
				}
			}
			x.handlerNames[h] = hname
		}
		if named == nil && hname != "" && hname == name {
			named = h
		}
		for _, l := range h.listen {
			if r, err := sc.render(l); err == nil && jinja.Str(r) == name {
				x.notified[h] = true
				found = true
			}
		}
	}
	if named != nil {
		x.notified[named] = true
		found = true
	}
	if !found {
		return fmt.Errorf("The requested handler '%s' was not found in either the main handlers list nor in the listening handlers list", name)
	}
	return nil
}

// flushHandlers runs the notified handlers, in the order the play lists
// them, each once; handlers they notify run in the same flush.
func (x *run) flushHandlers(ctx context.Context) flow {
	for len(x.notified) > 0 {
		ran := false
		for _, h := range x.play.handlers {
			if !x.notified[h] {
				continue
			}
			delete(x.notified, h)
			ran = true
			inh := x.playInherited(x.play)
			inh.handler = true
			if f := x.runTask(ctx, h, inh); f != flowOK {
				return f
			}
		}
		if !ran {
			break
		}
	}
	return flowOK
}

// runMeta runs a meta task.
func (x *run) runMeta(ctx context.Context, t *task, inh inherited, sc *scope) flow {
	x.d.banner("TASK [" + x.taskName(t, sc) + "]")
	switch t.meta {
	case "flush_handlers":
		return x.flushHandlers(ctx)
	case "end_play", "end_host", "end_batch":
		if c, err := sc.conds(append(append([]*cond{}, inh.when...), t.when...)); err == nil && c != nil {
			// Ansible shows the skip but counts no meta task.
			x.d.line("skipping: [localhost]", colorSkip)
			return flowOK
		}
		return flowEnd
	}
	return flowOK
}

// runOnce evaluates the conditions and runs the action once (with its
// retries), then applies changed_when and failed_when.
func (x *run) runOnce(ctx context.Context, t *task, sc *scope, inh inherited, noLog bool) outcome {
	conds := append(append([]*cond{}, inh.when...), t.when...)
	c, err := sc.conds(conds)
	switch {
	case err != nil:
		return raisedOutcome(conditionError(t.pos, c.src, err))
	case c != nil:
		return outcome{res: jinja.DictOf("changed", false, "skipped", true, "skip_reason", "Conditional result was False")}
	}
	return x.attempts(ctx, t, sc, inh, noLog)
}

// attempts runs the action until its until conditions hold, as many
// times as retries allows, and judges each result.
func (x *run) attempts(ctx context.Context, t *task, sc *scope, inh inherited, noLog bool) outcome {
	act, err := x.prepare(ctx, t, sc, inh, noLog)
	if err != nil {
		return raisedOutcome(err.Error())
	}
	retries := 1
	var delay time.Duration
	if len(t.until) > 0 {
		n, err := sc.render(t.retries)
		if err != nil {
			return raisedOutcome(fieldError(t.pos, "retries", err))
		}
		switch r := jinja.Int(n); {
		case r <= 0:
			retries = 1
		default:
			retries = r + 1
		}
		delay = 5 * time.Second
		if t.delay != nil {
			dv, err := sc.render(t.delay)
			if err != nil {
				return raisedOutcome(fieldError(t.pos, "delay", err))
			}
			f, _ := jinja.NewEnv(nil, nil, nil).Render(dv)
			secs := toFloat(f)
			if secs < 0 {
				secs = 1
			}
			delay = time.Duration(secs * float64(time.Second))
		}
	}
	var o outcome
	for attempt := 1; attempt <= retries; attempt++ {
		o = act()
		if o.raised {
			return o
		}
		if o.get("_ansible_action_fail") != nil {
			o.res.Delete("_ansible_action_fail")
			o.res.Set("changed", false)
			return o
		}
		if len(t.until) > 0 {
			o.res.Set("attempts", attempt)
		}
		csc := sc
		if t.register != "" {
			csc = sc.with(layer{vals: jinja.DictOf(t.register, registered(t, o.res))})
		}
		if !o.skipped() {
			x.judge(t, csc, &o)
		}
		if len(t.until) == 0 {
			break
		}
		c, err := csc.conds(t.until)
		if err == nil && c == nil {
			return o
		}
		if err != nil {
			return raisedOutcome(conditionMessage(c.src, err))
		}
		if attempt < retries {
			o.res.Set("_ansible_retry", true)
			o.res.Set("retries", retries)
			x.d.retry(t, x.taskName(t, sc), o, retries-attempt, noLog)
			if !sleep(ctx, delay) {
				return o
			}
		}
	}
	if len(t.until) > 0 {
		o.res.Delete("_ansible_retry")
		o.res.Set("attempts", retries-1)
		o.res.Set("failed", true)
	}
	return o
}

// toFloat returns a number's value, or of its text.
func toFloat(v any) float64 {
	switch n := v.(type) {
	case int:
		return float64(n)
	case float64:
		return n
	}
	var f float64
	fmt.Sscan(jinja.Str(v), &f)
	return f
}

// sleep waits d, or until ctx is done; false when ctx ended it.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// judge applies changed_when and failed_when, as Ansible's TaskExecutor
// does: failed and changed set when missing, then the conditions with
// the result registered.
func (x *run) judge(t *task, sc *scope, o *outcome) {
	if !o.res.Has("failed") {
		rc, hasRC := o.res.Get("rc")
		o.res.Set("failed", hasRC && ansible.RCFails(jinja.Plain(rc)))
	}
	if !o.res.Has("changed") {
		o.res.Set("changed", false)
	}
	cond := "changed"
	if len(t.changedWhen) > 0 {
		c, err := sc.conds(t.changedWhen)
		if err != nil {
			o.res.Set("failed", true)
			o.res.Set(cond+"_when_result", conditionMessage(c.src, err))
			return
		}
		o.res.Set("changed", c == nil)
	}
	if len(t.failedWhen) > 0 {
		c, err := sc.conds(t.failedWhen)
		if err != nil {
			o.res.Set("failed", true)
			o.res.Set("failed_when_result", conditionMessage(c.src, err))
			return
		}
		o.res.Set("failed_when_result", c == nil)
		o.res.Set("failed", c == nil)
	}
}

// An action is a prepared action: its arguments rendered, ready to run
// once per attempt.
type action func() outcome

// prepare renders a task's arguments and returns its action, as
// Ansible's post_validate does before the attempts.
func (x *run) prepare(ctx context.Context, t *task, sc *scope, inh inherited, noLog bool) (action, error) {
	args, err := x.renderArgs(t, sc)
	if err != nil {
		return nil, err
	}
	check, diff := sc.check, sc.diff
	switch t.kind {
	case kindModule:
		env, err := x.environment(t, inh, sc)
		if err != nil {
			return nil, errors.New(fieldError(t.pos, "environment", err))
		}
		return func() outcome { return x.runModule(ctx, t, args, env, check, diff, noLog) }, nil
	case kindDebug:
		return func() outcome { return x.runDebug(t, args, sc) }, nil
	case kindSetFact:
		return func() outcome { return x.runSetFact(t, args, sc) }, nil
	case kindFail:
		return func() outcome { return runFail(args) }, nil
	case kindAssert:
		return func() outcome { return x.runAssert(t, args, sc) }, nil
	case kindCommand, kindShell:
		env, err := x.environment(t, inh, sc)
		if err != nil {
			return nil, errors.New(fieldError(t.pos, "environment", err))
		}
		return func() outcome { return x.runCommand(ctx, t, args, env, check, noLog) }, nil
	}
	return func() outcome { return outcome{res: jinja.DictOf("changed", false)} }, nil
}

// renderArgs renders a task's arguments and removes the omitted ones, as
// Ansible's remove_omit does: a top-level or nested dict member whose
// value is omit; list items stay.
func (x *run) renderArgs(t *task, sc *scope) (*jinja.Dict, error) {
	out := jinja.NewDict(len(t.args))
	for _, a := range t.args {
		if t.kind == kindAssert && a.key == "that" {
			out.Set(a.key, a.val)
			continue
		}
		key := a.key
		if t.kind == kindSetFact && jinja.IsTemplate(key) {
			k, err := sc.render(key)
			if err != nil {
				return nil, errors.New(fieldError(t.pos, "args", err))
			}
			key = jinja.Str(k)
		}
		v, err := sc.render(a.val)
		if err != nil {
			return nil, errors.New(fieldError(t.pos, "args", err))
		}
		out.Set(key, v)
	}
	return removeOmit(out), nil
}

// removeOmit is Ansible's remove_omit.
func removeOmit(d *jinja.Dict) *jinja.Dict {
	out := jinja.NewDict(d.Len())
	for k, v := range d.All() {
		if str, ok := asString(v); ok && str == omitPlaceholder {
			continue
		}
		switch x := v.(type) {
		case *jinja.Dict:
			v = removeOmit(x)
		case []any:
			v = mapDicts(x, removeOmit)
		}
		out.Set(k, v)
	}
	return out
}

// A taskPattern is the task --start-at-task names: a name, or a shell
// pattern (fnmatch) compiled once.
type taskPattern struct {
	name string
	re   *regexp.Regexp // nil: the pattern is no valid fnmatch pattern
}

func newTaskPattern(name string) taskPattern {
	re, _ := fnmatchRegexp(name)
	return taskPattern{name: name, re: re}
}

// match tells whether t is the task: its name equals the pattern or
// matches it as a shell pattern.
func (p taskPattern) match(t *task) bool {
	name := t.displayName()
	return name == p.name || p.re != nil && p.re.MatchString(name)
}

// fnmatchRegexp translates a Python fnmatch pattern (*, ?, [seq], [!seq])
// into a regular expression.
func fnmatchRegexp(pattern string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString(`\A(?s:`)
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			j := strings.IndexByte(pattern[i+1:], ']')
			if j < 0 {
				b.WriteString(`\[`)
				continue
			}
			class := strings.ReplaceAll(pattern[i+1:i+1+j], `\`, `\\`)
			switch {
			case strings.HasPrefix(class, "!"):
				class = "^" + class[1:]
			case strings.HasPrefix(class, "^"):
				class = `\` + class
			}
			b.WriteString("[" + class + "]")
			i += j + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`)\z`)
	return regexp.Compile(b.String())
}

// hasTask tells whether some task of the playbook matches pattern.
func (pb *playbook) hasTask(pattern taskPattern) bool {
	var walk func([]*task) bool
	walk = func(ts []*task) bool {
		for _, t := range ts {
			if t.kind == kindBlock {
				if walk(t.block) || walk(t.rescue) || walk(t.always) {
					return true
				}
				continue
			}
			if walk(t.included) || pattern.match(t) {
				return true
			}
		}
		return false
	}
	for _, p := range pb.plays {
		if walk(slices.Concat(p.pre, p.tasks, p.post)) {
			return true
		}
	}
	return false
}

// clock returns the time now from the Runner's clock.
func (r *Runner) clock() time.Time {
	if r.now != nil {
		return r.now()
	}
	return time.Now()
}

// An includedFile is one file an include_tasks runs: the line that says
// so and the item's variables.
type includedFile struct {
	line string
	vars *jinja.Dict
}

// runInclude evaluates an include_tasks: its condition, its loop; each
// item includes the file once.
func (x *run) runInclude(ctx context.Context, t *task, sc *scope, inh inherited) (outcome, []includedFile) {
	conds := append(append([]*cond{}, inh.when...), t.when...)
	if t.loopKind == loopNone {
		c, err := sc.conds(conds)
		switch {
		case err != nil:
			return failedOutcome(conditionError(t.pos, c.src, err)), nil
		case c != nil:
			return outcome{res: jinja.DictOf("changed", false, "skipped", true, "skip_reason", "Conditional result was False")}, nil
		}
		return outcome{res: jinja.DictOf("include", t.file, "include_args", jinja.NewDict(0), "changed", false)},
			[]includedFile{{line: "included: " + t.file + " for localhost"}}
	}
	items, err := x.loopItems(t, sc)
	if err != nil {
		if c, cerr := sc.conds(conds); cerr == nil && c != nil {
			return outcome{res: jinja.DictOf("changed", false, "skipped", true, "skip_reason", "Conditional result was False")}, nil
		}
		return failedOutcome(loopError(err)), nil
	}
	if len(items) > 0 {
		x.warnLoopVar(t, sc)
	}
	var incs []includedFile
	results := []any{}
	for i, item := range items {
		vals := x.loopVars(t, items, i, item)
		isc := sc.with(layer{vals: vals, templated: true})
		c, err := isc.conds(conds)
		if err != nil {
			return failedOutcome(conditionError(t.pos, c.src, err)), nil
		}
		if c != nil {
			continue
		}
		label := item
		if v, err := isc.render(t.labelTemplate()); err == nil {
			label = v
		}
		incs = append(incs, includedFile{line: "included: " + t.file + " for localhost => (item=" + jinja.Str(label) + ")", vars: vals})
		results = append(results, jinja.DictOf("include", t.file))
	}
	return outcome{res: jinja.DictOf("results", results, "changed", false)}, incs
}

// reservedNames are the names Ansible warns a play's variables should
// not take: its keywords, and the global functions of its templates.
var reservedNames = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`action always any_errors_fatal args async async_val become become_exe
		become_flags become_method become_user block changed_when check_mode collections connection debugger
		delay delegate_facts delegate_to diff environment fact_path failed_when force_handlers gather_facts
		gather_subset gather_timeout handlers hosts ignore_errors ignore_unreachable local_action loop
		loop_control loop_with max_fail_percentage module_defaults name no_log notify order poll port
		post_tasks pre_tasks register remote_user rescue retries roles run_once serial strategy tags tasks
		throttle timeout until vars_files vars_prompt when with_
		range lipsum dict cycler joiner namespace lookup query q now undef`) {
		reservedNames[n] = true
	}
}

// warnReserved warns, as Ansible does when a play starts, of the play's
// variables (vars, vars_files, extra vars) that take a reserved name.
func (x *run) warnReserved(p *play) {
	var names []string
	seen := map[string]bool{}
	for _, d := range append(append([]*jinja.Dict{p.vars}, p.varsFiles...), x.extra) {
		for _, k := range d.Keys() {
			if reservedNames[k] && !seen[k] {
				seen[k] = true
				names = append(names, k)
			}
		}
	}
	slices.Sort(names)
	for _, n := range names {
		x.d.warning("Found variable using reserved name: " + n)
	}
}
