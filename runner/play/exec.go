package play

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/config"
	"github.com/zonemgr/zonemgr/internal/zone"
	"github.com/zonemgr/zonemgr/modules"
	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

// omitPlaceholder is the value of the magic variable omit: a module
// option whose value renders to it is left out, as in Ansible.
const omitPlaceholder = "__omit_place_holder__zonemgr"

// ansibleVersion is the _ansible_version sent to modules: the
// ansible-core release whose module protocol the runner follows.
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

// A run is one execution of a playbook.
type run struct {
	r     *Runner
	pb    *playbook
	tc    *jinja.Cache
	d     *display
	extra map[string]any
	facts map[string]any
	stats stats
	play  *play
	// playTitle is the play's name, rendered.
	playTitle string
	playDir   string
	// started is false while --start-at-task has not matched yet.
	started bool
	// interrupted is set when the context was cancelled.
	interrupted bool
	// cfg is the zonemgr configuration of the modules run in-process.
	cfg         *config.Config
	cfgWarnings []string
}

// inherited is what a block passes to the tasks in it.
type inherited struct {
	when   []*cond
	vars   []map[string]any // inner block first
	ignore any
	noLog  any
	// env are the environments of the enclosing blocks, outer first.
	env []any
	// rescuable tells whether a failure here is handled by the rescue
	// section of an enclosing block.
	rescuable bool
}

// An outcome is the result of running an action once (one task, or one
// item of a loop).
type outcome struct {
	res map[string]any
	// verbose results are shown even without -v (debug, assert).
	verbose  bool
	warnings []string
}

func (o outcome) failed() bool  { return jinja.Truth(o.res["failed"]) }
func (o outcome) skipped() bool { return jinja.Truth(o.res["skipped"]) }
func (o outcome) changed() bool { return jinja.Truth(o.res["changed"]) }

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

func failedOutcome(msg string) outcome {
	return outcome{res: map[string]any{"changed": false, "failed": true, "msg": msg}}
}

// taskError is the message of a task that failed before or around its
// action: it names the task, where it is, and the field that failed.
func taskError(t *task, field string, err error) string {
	return fmt.Sprintf("task %q (%s): %s: %v", t.displayName(), t.pos, field, err)
}

// execute runs every play of the playbook and returns the exit status.
func (x *run) execute(ctx context.Context) int {
	start := x.r.clock()
	for _, p := range x.pb.plays {
		x.play = p
		x.playTitle = x.playName(ctx)
		x.d.banner("PLAY [" + x.playTitle + "]")
		x.noteHosts(ctx)
		if x.runTasks(ctx, p.tasks, inherited{}) {
			x.d.banner("NO MORE HOSTS LEFT")
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

// runTasks runs tasks in order until one fails; it tells whether one did
// (and was neither ignored nor rescued inside).
func (x *run) runTasks(ctx context.Context, tasks []*task, inh inherited) bool {
	for _, t := range tasks {
		if ctx.Err() != nil {
			x.interrupted = true
			return true
		}
		var failed bool
		if t.kind == kindBlock {
			failed = x.runBlock(ctx, t, inh)
		} else {
			failed = x.runTask(ctx, t, inh)
		}
		if failed {
			return true
		}
	}
	return false
}

// runBlock runs a block: its tasks; on a failure its rescue section,
// whose success clears the failure; then, whatever happened, its always
// section.
func (x *run) runBlock(ctx context.Context, b *task, inh inherited) bool {
	inner := inh
	inner.when = append(append([]*cond{}, inh.when...), b.when...)
	if b.vars != nil {
		inner.vars = append([]map[string]any{b.vars}, inh.vars...)
	}
	if b.ignore != nil {
		inner.ignore = b.ignore
	}
	if b.noLog != nil {
		inner.noLog = b.noLog
	}
	if b.env != nil {
		inner.env = append(append([]any{}, inh.env...), b.env)
	}
	body := inner
	body.rescuable = inh.rescuable || len(b.rescue) > 0
	failed := x.runTasks(ctx, b.block, body)
	if failed && len(b.rescue) > 0 && !x.interrupted {
		failed = x.runTasks(ctx, b.rescue, inner)
	}
	if !x.interrupted && len(b.always) > 0 {
		if x.runTasks(ctx, b.always, inner) {
			failed = true
		}
	}
	return failed
}

// scope builds the variables a task sees; cancelling ctx stops the
// evaluations in it.
func (x *run) scope(ctx context.Context, t *task, inh inherited) *scope {
	magic := map[string]any{
		"inventory_hostname":       "localhost",
		"inventory_hostname_short": "localhost",
		"ansible_check_mode":       x.r.Check,
		"ansible_diff_mode":        x.r.Diff,
		"ansible_verbosity":        x.r.Verbosity,
		"ansible_play_name":        x.playTitle,
		"playbook_dir":             x.playDir,
		"omit":                     omitPlaceholder,
	}
	layers := []layer{
		{vals: magic},
		{vals: x.extra, templated: true},
		{vals: x.facts},
	}
	if t.vars != nil {
		layers = append(layers, layer{vals: t.vars, templated: true})
	}
	for _, v := range inh.vars {
		layers = append(layers, layer{vals: v, templated: true})
	}
	layers = append(layers, layer{vals: x.play.vars, templated: true})
	sc := newScope(x.tc, layers...)
	sc.ctx = ctx
	return sc
}

// flag evaluates ignore_errors or no_log: a boolean or a template.
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

// runTask runs one task and tells whether it failed (not ignored).
func (x *run) runTask(ctx context.Context, t *task, inh inherited) bool {
	if !x.started {
		if !matchTask(x.r.StartAtTask, t) {
			return false
		}
		x.started = true
	}
	start := x.r.clock()
	sc := x.scope(ctx, t, inh)
	name := t.displayName()
	if jinja.IsTemplate(name) {
		if v, err := sc.render(name); err == nil {
			name = jinja.Str(v)
		}
	}
	x.d.banner("TASK [" + name + "]")

	ignoreSrc, noLogSrc := t.ignore, t.noLog
	if ignoreSrc == nil {
		ignoreSrc = inh.ignore
	}
	if noLogSrc == nil {
		noLogSrc = inh.noLog
	}
	noLog, err := flag(noLogSrc, sc)
	var ignore bool
	var o outcome
	var loopResults bool
	if err != nil {
		o = failedOutcome(taskError(t, "no_log", err))
	} else if ignore, err = flag(ignoreSrc, sc); err != nil {
		o = failedOutcome(taskError(t, "ignore_errors", err))
	} else if t.hasLoop {
		o, loopResults = x.runLoop(ctx, t, sc, inh, noLog)
	} else {
		o = x.runOnce(ctx, t, sc, inh, noLog)
		x.d.diff(o.res, noLog)
	}
	dur := x.r.clock().Sub(start)
	failed := o.failed()
	for _, w := range o.warnings {
		x.d.warning(w)
	}
	x.d.deprecations(o.res)
	if loopResults {
		x.d.loopEnd(o)
	} else {
		x.d.taskLine(t, o, noLog, dur)
	}
	if failed && ignore {
		x.d.line("...ignoring", colorSkip)
	}
	x.d.jsonTask(x.playTitle, name, t.action, o, failed && ignore, noLog, dur)

	if t.register != "" {
		x.facts[t.register] = o.res
	}
	if !failed && !loopResults {
		x.applyFacts(o.res)
	}
	switch {
	case failed && ignore:
		x.stats.OK++
		x.stats.Ignored++
		if o.changed() {
			x.stats.Changed++
		}
	case failed && inh.rescuable:
		x.stats.Rescued++
		x.facts["ansible_failed_task"] = map[string]any{"name": name, "action": t.action}
		x.facts["ansible_failed_result"] = o.res
	case failed:
		x.stats.Failed++
	case o.skipped():
		x.stats.Skipped++
	default:
		x.stats.OK++
		if o.changed() {
			x.stats.Changed++
		}
	}
	if ctx.Err() != nil {
		x.interrupted = true
	}
	return failed && !ignore
}

// applyFacts sets the variables of a result's ansible_facts (set_fact,
// or a module's facts).
func (x *run) applyFacts(res map[string]any) {
	if f, ok := res["ansible_facts"].(map[string]any); ok {
		for k, v := range f {
			x.facts[k] = v
		}
	}
}

// runOnce evaluates the conditions and runs the action once, then applies
// changed_when and failed_when. Conditions written with {{ }} get
// Ansible's warning.
func (x *run) runOnce(ctx context.Context, t *task, sc *scope, inh inherited, noLog bool) outcome {
	o := x.runAction(ctx, t, sc, inh, noLog)
	var warnings []string
	for _, cs := range [][]*cond{inh.when, t.when, t.changedWhen, t.failedWhen, t.that} {
		for _, c := range cs {
			if c.tmpl {
				warnings = append(warnings, "conditional statements should not include jinja2 templating delimiters such as {{ }} or {% %}. Found: "+c.src)
			}
		}
	}
	o.warnings = append(warnings, o.warnings...)
	return o
}

// runAction is runOnce without the warnings.
func (x *run) runAction(ctx context.Context, t *task, sc *scope, inh inherited, noLog bool) outcome {
	conds := append(append([]*cond{}, inh.when...), t.when...)
	c, err := sc.conds(conds)
	switch {
	case err != nil:
		return failedOutcome(taskError(t, "when", fmt.Errorf("%s: %w", c.src, err)))
	case c != nil:
		return outcome{res: map[string]any{
			"changed":         false,
			"skipped":         true,
			"skip_reason":     "Conditional result was False",
			"false_condition": c.src,
		}}
	}
	var o outcome
	switch t.kind {
	case kindModule:
		o = x.runModule(ctx, t, sc, inh, noLog)
	case kindDebug:
		o = x.runDebug(t, sc)
	case kindSetFact:
		o = x.runSetFact(t, sc)
	case kindFail:
		o = x.runFail(t, sc)
	case kindAssert:
		o = x.runAssert(t, sc)
	}
	if o.skipped() || (len(t.changedWhen) == 0 && len(t.failedWhen) == 0) {
		return o
	}
	csc := sc
	if t.register != "" {
		csc = sc.with(layer{vals: map[string]any{t.register: o.res}})
	}
	if len(t.changedWhen) > 0 {
		c, err := csc.conds(t.changedWhen)
		if err != nil {
			o.res["failed"] = true
			o.res["msg"] = taskError(t, "changed_when", fmt.Errorf("%s: %w", c.src, err))
			return o
		}
		o.res["changed"] = c == nil
	}
	if len(t.failedWhen) > 0 {
		c, err := csc.conds(t.failedWhen)
		if err != nil {
			o.res["failed"] = true
			o.res["msg"] = taskError(t, "failed_when", fmt.Errorf("%s: %w", c.src, err))
			return o
		}
		o.res["failed_when_result"] = c == nil
		o.res["failed"] = c == nil
	}
	return o
}

// runLoop runs a task once per item of its loop and aggregates the
// results as Ansible does. loopResults is false when the loop did not
// run (its list did not render, or the task was skipped as a whole).
func (x *run) runLoop(ctx context.Context, t *task, sc *scope, inh inherited, noLog bool) (o outcome, loopResults bool) {
	itemsV, err := sc.render(t.loop)
	var items []any
	if err == nil {
		var ok bool
		if items, ok = itemsV.([]any); !ok {
			err = fmt.Errorf("loop needs a list, got this instead: %s", jinja.Repr(itemsV))
		}
	}
	if err != nil {
		// As in Ansible, a when that is false without the loop variable
		// skips the task instead of failing on its loop.
		conds := append(append([]*cond{}, inh.when...), t.when...)
		if c, cerr := sc.conds(conds); cerr == nil && c != nil {
			return outcome{res: map[string]any{
				"changed": false, "skipped": true,
				"skip_reason": "Conditional result was False", "false_condition": c.src,
			}}, false
		}
		return failedOutcome(taskError(t, "loop", err)), false
	}
	if len(items) == 0 {
		return outcome{res: map[string]any{
			"changed": false, "skipped": true, "skipped_reason": "No items in the list", "results": []any{},
		}}, true
	}
	results := make([]any, 0, len(items))
	agg := map[string]any{"changed": false, "skipped": true}
	var warnings []string
	for i, item := range items {
		start := x.r.clock()
		vals := map[string]any{t.loopVar: item}
		if t.indexVar != "" {
			vals[t.indexVar] = i
		}
		isc := sc.with(layer{vals: vals})
		it := x.runOnce(ctx, t, isc, inh, noLog)
		it.res[t.loopVar] = item
		it.res["ansible_loop_var"] = t.loopVar
		if t.indexVar != "" {
			it.res[t.indexVar] = i
			it.res["ansible_index_var"] = t.indexVar
		}
		label := item
		if t.hasLabel {
			if v, err := isc.render(t.label); err == nil {
				label = v
			}
		}
		x.d.diff(it.res, noLog)
		x.d.itemLine(t, it, label, noLog, x.r.clock().Sub(start))
		warnings = append(warnings, it.warnings...)
		if !it.failed() {
			x.applyFacts(it.res)
		}
		if it.changed() {
			agg["changed"] = true
		}
		if !it.skipped() {
			agg["skipped"] = false
		}
		if it.failed() {
			agg["failed"] = true
		}
		results = append(results, it.res)
		if ctx.Err() != nil {
			break
		}
	}
	agg["results"] = results
	switch {
	case jinja.Truth(agg["skipped"]):
		agg["msg"] = "All items skipped"
	case jinja.Truth(agg["failed"]):
		agg["msg"] = "One or more items failed"
	default:
		agg["msg"] = "All items completed"
	}
	if _, ok := agg["failed"]; !ok {
		agg["failed"] = false
	}
	return outcome{res: agg, warnings: warnings}, true
}

// config returns the zonemgr configuration for the modules run
// in-process, loaded the first time it is needed.
func (x *run) config() (*config.Config, []string, error) {
	if x.cfg == nil {
		cfg, warns, err := config.Load(config.LoadOptions{Extra: x.r.ConfigFiles})
		if err != nil {
			return nil, nil, err
		}
		x.cfg = cfg
		for _, w := range warns {
			x.cfgWarnings = append(x.cfgWarnings, w.String())
		}
	}
	return x.cfg, x.cfgWarnings, nil
}

// runModule calls a module in-process, with the args JSON Ansible would
// write, and judges its output as Ansible does; a task with an
// environment runs its module in a process of its own (see Spawn).
func (x *run) runModule(ctx context.Context, t *task, sc *scope, inh inherited, noLog bool) outcome {
	var buf bytes.Buffer
	buf.WriteByte('{')
	n := 0
	add := func(k string, v any) error {
		b, err := marshalJSON(v)
		if err != nil {
			return fmt.Errorf("option %s: %w", k, err)
		}
		if n > 0 {
			buf.WriteString(", ")
		}
		kb, _ := marshalJSON(k)
		buf.Write(kb)
		buf.WriteString(": ")
		buf.Write(b)
		n++
		return nil
	}
	for _, a := range t.args {
		v, err := sc.render(a.val)
		if err != nil {
			return failedOutcome(taskError(t, t.action+"."+a.key, err))
		}
		v, keep := removeOmit(v)
		if !keep {
			continue
		}
		if err := add(a.key, v); err != nil {
			return failedOutcome(taskError(t, t.action, err))
		}
	}
	tmp, err := os.MkdirTemp("", "zonemgr-play-")
	if err != nil {
		return failedOutcome(taskError(t, t.action, fmt.Errorf("make module temp dir: %w", err)))
	}
	defer os.RemoveAll(tmp)
	internal := []struct {
		k string
		v any
	}{
		{"_ansible_check_mode", x.r.Check},
		{"_ansible_no_log", noLog},
		{"_ansible_debug", false},
		{"_ansible_diff", x.r.Diff},
		{"_ansible_verbosity", x.r.Verbosity},
		{"_ansible_version", ansibleVersion},
		{"_ansible_module_name", t.action},
		{"_ansible_syslog_facility", "LOG_USER"},
		{"_ansible_selinux_special_fs", []string{"fuse", "nfs", "vboxsf", "ramfs", "9p", "vfat"}},
		{"_ansible_string_conversion_action", "warn"},
		{"_ansible_socket", nil},
		{"_ansible_shell_executable", "/bin/sh"},
		{"_ansible_keep_remote_files", false},
		{"_ansible_tmpdir", tmp + string(filepath.Separator)},
		{"_ansible_remote_tmp", "~/.ansible/tmp"},
	}
	for _, kv := range internal {
		if err := add(kv.k, kv.v); err != nil {
			return failedOutcome(taskError(t, t.action, err))
		}
	}
	buf.WriteByte('}')

	env, err := x.environment(t, inh, sc)
	if err != nil {
		return failedOutcome(taskError(t, "environment", err))
	}
	opts := modules.Options{Stdout: io.Discard, Stderr: io.Discard}
	if len(env) == 0 {
		// Loaded once for the tasks run in-process; a task with an
		// environment loads its own, in its own process.
		cfg, warns, err := x.config()
		if err != nil {
			return failedOutcome(taskError(t, t.action, err))
		}
		opts.Config, opts.ConfigWarnings = cfg, warns
	}
	if !noLog {
		opts.Stdout, opts.Stderr = x.d.liveOut(), x.d.liveErr()
		opts.OnCommand = func(e zone.CommandRecord) { x.d.command(e.String()) }
	}
	var out []byte
	var code int
	if len(env) == 0 {
		m := t.module
		if x.r.Modules == nil {
			// zonemgr's own module, called with this task's options.
			opts.Trace = x.r.Trace
			m = modules.All()[m.Spec.Module].Bind(modules.NewCaller(opts))
		}
		out, code = ansible.Invoke(ctx, m, buf.Bytes())
	} else {
		spawn := x.r.Spawn
		if spawn == nil {
			spawn = x.spawnSelf
		}
		var err error
		if out, code, err = spawn(ctx, t.module.Spec.Module, buf.Bytes(), env); err != nil {
			return failedOutcome(taskError(t, t.action, err))
		}
	}
	v := ansible.Judge(out, code, nil)
	res, _ := jinja.NormalizeJSON(v.Result).(map[string]any)
	if res == nil {
		res = map[string]any{"changed": false, "failed": true, "msg": "module returned no result"}
	}
	return outcome{res: res, warnings: v.Warnings}
}

// marshalJSON encodes v without HTML escaping.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// removeOmit drops, from a rendered option value, dict members and list
// items that are the omit placeholder; keep is false when the value
// itself is.
func removeOmit(v any) (out any, keep bool) {
	switch x := v.(type) {
	case string:
		return x, x != omitPlaceholder
	case []any:
		l := make([]any, 0, len(x))
		for _, e := range x {
			if e, ok := removeOmit(e); ok {
				l = append(l, e)
			}
		}
		return l, true
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			if e, ok := removeOmit(e); ok {
				m[k] = e
			}
		}
		return m, true
	}
	return v, true
}

// argValue returns a task's option and whether it was given.
func (t *task) argValue(key string) (any, bool) {
	for _, a := range t.args {
		if a.key == key {
			return a.val, true
		}
	}
	return nil, false
}

// runDebug is Ansible's debug: msg (default "Hello world!"), or var, the
// value of an expression ("VARIABLE IS NOT DEFINED!" when undefined);
// skipped below the verbosity it asks for.
func (x *run) runDebug(t *task, sc *scope) outcome {
	if v, ok := t.argValue("verbosity"); ok {
		r, err := sc.render(v)
		if err != nil {
			return failedOutcome(taskError(t, "debug.verbosity", err))
		}
		if level := jinja.Int(r); x.r.Verbosity < level {
			return outcome{res: map[string]any{"changed": false, "skipped": true, "skipped_reason": "Verbosity threshold not met."}}
		}
	}
	if t.debugVar != nil {
		src, _ := t.argValue("var")
		v, defined, err := t.debugVar.Value(sc.env())
		if err != nil {
			return failedOutcome(taskError(t, "debug.var", err))
		}
		if !defined {
			v = "VARIABLE IS NOT DEFINED!"
		}
		return outcome{res: map[string]any{jinja.Str(src): v, "changed": false, "failed": false}, verbose: true}
	}
	var msg any = "Hello world!"
	if v, ok := t.argValue("msg"); ok {
		r, err := sc.render(v)
		if err != nil {
			return failedOutcome(taskError(t, "debug.msg", err))
		}
		msg = r
	}
	return outcome{res: map[string]any{"msg": msg, "changed": false, "failed": false}, verbose: true}
}

// runSetFact is Ansible's set_fact. As Ansible does without jinja2_native,
// a string value true/false/yes/no (any case) becomes a boolean.
func (x *run) runSetFact(t *task, sc *scope) outcome {
	facts := map[string]any{}
	for _, a := range t.args {
		if a.key == "cacheable" {
			continue
		}
		v, err := sc.render(a.val)
		if err != nil {
			return failedOutcome(taskError(t, "set_fact."+a.key, err))
		}
		if s, ok := v.(string); ok {
			switch strings.ToLower(s) {
			case "true", "yes":
				v = true
			case "false", "no":
				v = false
			}
		}
		facts[a.key] = v
	}
	return outcome{res: map[string]any{"ansible_facts": facts, "changed": false, "failed": false}}
}

// runFail is Ansible's fail.
func (x *run) runFail(t *task, sc *scope) outcome {
	var msg any = "Failed as requested from task"
	if v, ok := t.argValue("msg"); ok {
		r, err := sc.render(v)
		if err != nil {
			return failedOutcome(taskError(t, "fail.msg", err))
		}
		msg = r
	}
	return outcome{res: map[string]any{"changed": false, "failed": true, "msg": msg}}
}

// runAssert is Ansible's assert: every condition of that must hold; the
// first that does not fails the task with fail_msg (or msg).
func (x *run) runAssert(t *task, sc *scope) outcome {
	quiet := false
	if v, ok := t.argValue("quiet"); ok {
		r, err := sc.render(v)
		if err != nil {
			return failedOutcome(taskError(t, "assert.quiet", err))
		}
		quiet = jinja.Bool(r)
	}
	message := func(keys []string, def string) (any, error) {
		for _, k := range keys {
			if v, ok := t.argValue(k); ok {
				r, err := sc.render(v)
				if err != nil {
					return nil, fmt.Errorf("assert.%s: %w", k, err)
				}
				return r, nil
			}
		}
		return def, nil
	}
	for _, c := range t.that {
		ok, err := sc.cond(c)
		if err != nil {
			return failedOutcome(taskError(t, "assert.that", fmt.Errorf("%s: %w", c.src, err)))
		}
		if !ok {
			msg, err := message([]string{"fail_msg", "msg"}, "Assertion failed")
			if err != nil {
				return failedOutcome(taskError(t, "assert", err))
			}
			return outcome{res: map[string]any{
				"changed": false, "failed": true, "assertion": c.src, "evaluated_to": false, "msg": msg,
			}, verbose: !quiet}
		}
	}
	msg, err := message([]string{"success_msg"}, "All assertions passed")
	if err != nil {
		return failedOutcome(taskError(t, "assert", err))
	}
	return outcome{res: map[string]any{"changed": false, "failed": false, "msg": msg}, verbose: !quiet}
}

// matchTask tells whether a task is the one --start-at-task names: its
// name equals the pattern or matches it as a shell pattern (fnmatch).
func matchTask(pattern string, t *task) bool {
	name := t.displayName()
	if name == pattern {
		return true
	}
	re, err := fnmatchRegexp(pattern)
	return err == nil && re.MatchString(name)
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
func (pb *playbook) hasTask(pattern string) bool {
	var walk func([]*task) bool
	walk = func(ts []*task) bool {
		for _, t := range ts {
			if t.kind == kindBlock {
				if walk(t.block) || walk(t.rescue) || walk(t.always) {
					return true
				}
				continue
			}
			if matchTask(pattern, t) {
				return true
			}
		}
		return false
	}
	for _, p := range pb.plays {
		if walk(p.tasks) {
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
