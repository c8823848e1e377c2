package play

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

// loopItems renders a task's loop into its items: loop's list as it is,
// with_items flattened one level, with_list as it is, with_dict into
// {key, value} items.
func (x *run) loopItems(t *task, sc *scope) ([]any, error) {
	v, err := sc.render(t.loop)
	if err != nil {
		return nil, err
	}
	switch t.loopKind {
	case loopPlain:
		items, ok := v.([]any)
		if !ok {
			return nil, &loopDataError{v}
		}
		return items, nil
	case loopWithItems:
		list, ok := v.([]any)
		if !ok {
			list = []any{v}
		}
		var out []any
		for _, e := range list {
			if sub, ok := e.([]any); ok {
				out = append(out, sub...)
			} else {
				out = append(out, e)
			}
		}
		return out, nil
	case loopWithList:
		list, ok := v.([]any)
		if !ok {
			return []any{v}, nil
		}
		return list, nil
	case loopWithDict:
		d, ok := v.(*jinja.Dict)
		if !ok {
			return nil, fmt.Errorf("with_dict expects a dict")
		}
		out := make([]any, 0, d.Len())
		for k, e := range d.All() {
			out = append(out, jinja.DictOf("key", k, "value", e))
		}
		return out, nil
	}
	return nil, errors.New("no loop")
}

// warnLoopVar warns, as Ansible does, when a loop's variable is already
// a variable of the task.
func (x *run) warnLoopVar(t *task, sc *scope) {
	if _, ok := sc.Raw(t.loopVar); ok {
		x.d.taskWarning(fmt.Sprintf("TASK: %s: The loop variable '%s' is already in use. You should set the `loop_var` value in the `loop_control` option for the task to something else to avoid variable collisions and unexpected behavior.", t.displayName(), t.loopVar))
	}
}

// A loopDataError is a loop whose value is no list.
type loopDataError struct{ v any }

func (e *loopDataError) Error() string {
	return fmt.Sprintf("Invalid data passed to 'loop', it requires a list, got this instead: %s. Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup.", jinja.Str(e.v))
}

// loopVars are the variables of item i of a loop: the loop variable,
// the index variable, ansible_loop with extended.
func (x *run) loopVars(t *task, items []any, i int, item any) *jinja.Dict {
	vals := jinja.DictOf("ansible_loop_var", t.loopVar, t.loopVar, item)
	if t.indexVar != "" {
		vals.Set("ansible_index_var", t.indexVar)
		vals.Set(t.indexVar, i)
	}
	if t.extended {
		n := len(items)
		lp := jinja.DictOf("index", i+1, "index0", i, "first", i == 0, "last", i+1 == n,
			"length", n, "revindex", n-i, "revindex0", n-i-1)
		if t.allItems {
			lp.Set("allitems", items)
		}
		if i+1 < n {
			lp.Set("nextitem", items[i+1])
		}
		if i > 0 {
			lp.Set("previtem", items[i-1])
		}
		vals.Set("ansible_loop", lp)
	}
	return vals
}

// runLoop runs a task once per item of its loop and aggregates the
// results as Ansible does. loopResults is false when the loop did not
// run (its list did not render, or the task was skipped as a whole).
func (x *run) runLoop(ctx context.Context, t *task, sc *scope, inh inherited, noLog bool) (o outcome, loopResults bool) {
	items, err := x.loopItems(t, sc)
	if err != nil {
		// As in Ansible, a when that is false without the loop variable
		// skips the task instead of failing on its loop.
		conds := append(append([]*cond{}, inh.when...), t.when...)
		if c, cerr := sc.conds(conds); cerr == nil && c != nil {
			return outcome{res: jinja.DictOf("changed", false, "skipped", true, "skip_reason", "Conditional result was False")}, false
		}
		return failedOutcome(loopError(err)), false
	}
	if len(items) == 0 {
		return outcome{res: jinja.DictOf("changed", false, "skipped", true, "skipped_reason", "No items in the list", "results", []any{})}, true
	}
	x.warnLoopVar(t, sc)
	var pause time.Duration
	if t.pause != nil {
		pv, err := sc.render(t.pause)
		if err != nil {
			return failedOutcome(fieldError(t.pos, "loop_control", err)), false
		}
		pause = time.Duration(toFloat(pv) * float64(time.Second))
	}
	results := make([]any, 0, len(items))
	agg := jinja.DictOf("results", nil, "skipped", true)
	var warnings []string
	var notify []string
	var lastItem *jinja.Dict
	for i, item := range items {
		if i > 0 && pause > 0 && !sleep(ctx, pause) {
			break
		}
		start := x.r.clock()
		vals := x.loopVars(t, items, i, item)
		if t.register != "" && lastItem != nil && !outcomeSkipped(lastItem) {
			vals.Set(t.register, registered(t, lastItem))
		}
		isc := sc.with(layer{vals: vals, templated: true})
		it := x.runOnce(ctx, t, isc, inh, noLog)
		if it.raised {
			// Ansible's loop stops on the error, which is the task's
			// result; the items before it have been shown.
			it.warnings = append(warnings, it.warnings...)
			return it, false
		}
		it.res.Set(t.loopVar, item)
		it.res.Set("ansible_loop_var", t.loopVar)
		if t.indexVar != "" {
			it.res.Set(t.indexVar, i)
			it.res.Set("ansible_index_var", t.indexVar)
		}
		if t.extended {
			lp, _ := vals.Get("ansible_loop")
			it.res.Set("ansible_loop", lp)
		}
		var label any = jinja.Untuple(item)
		lsc := isc
		if t.register != "" {
			lsc = isc.with(layer{vals: jinja.DictOf(t.register, registered(t, it.res))})
		}
		if v, err := lsc.render(t.labelTemplate()); err != nil {
			it.res.Set("failed", true)
			it.res.Set("msg", "Failed to template loop_control.label: "+ansibleMessage(err))
			if t.kind == kindDebug {
				// Ansible shows the item of a result without a label,
				// which its cleaning of a debug's result has removed.
				label = nil
			}
		} else {
			label = v
		}
		if len(t.notify) > 0 && !it.skipped() && !it.failed() {
			if names, err := notifyNames(t, isc); err != nil {
				it = failedOutcome(err.Error())
			} else {
				notify = append(notify, names...)
			}
		}
		lastItem = it.res
		x.d.diff(it.res, noLog)
		x.d.itemLine(t, it, label, noLog, x.r.clock().Sub(start))
		warnings = append(warnings, it.warnings...)
		if !it.failed() {
			x.applyFacts(t, it.res)
		}
		if it.changed() && !agg.Has("changed") {
			agg.Set("changed", true)
		}
		if s, _ := agg.Get("skipped"); jinja.Truth(s) && !it.skipped() {
			agg.Set("skipped", false)
		}
		if it.failed() && !agg.Has("failed") {
			agg.Set("failed", true)
			agg.Set("msg", "One or more items failed")
		}
		for _, k := range []string{"warnings", "deprecations"} {
			if v, ok := it.res.Get(k); ok && jinja.Truth(v) {
				prev, _ := agg.Get(k)
				l, _ := prev.([]any)
				if vl, ok := v.([]any); ok {
					l = append(l, vl...)
				} else {
					l = append(l, v)
				}
				agg.Set(k, l)
				it.res.Delete(k)
			}
		}
		results = append(results, it.res)
		if ctx.Err() != nil {
			break
		}
	}
	agg.Set("results", results)
	if !agg.Has("failed") {
		agg.Set("msg", "All items completed")
	}
	if s, _ := agg.Get("skipped"); jinja.Truth(s) {
		agg.Set("msg", "All items skipped")
	}
	if !agg.Has("changed") {
		agg.Set("changed", false)
	}
	return outcome{res: agg, warnings: warnings, notify: notify}, true
}

// outcomeSkipped tells whether a result is of a skipped task.
func outcomeSkipped(res *jinja.Dict) bool {
	v, _ := res.Get("skipped")
	return jinja.Truth(v)
}
