package jinja

import (
	"context"
	"fmt"
)

// Vars are the variables an evaluation sees. The engine holds no
// variables: it asks Vars for each top-level name an expression uses,
// and Vars decide which value it has (precedence, lazily templated
// values, caching belong to them).
type Vars interface {
	// Lookup returns the value of the top-level variable name and
	// whether it is defined. A value that must be rendered first (a
	// variable of a task file, whose value may hold templates) is
	// rendered with env.RenderVar, within the evaluation that asks for
	// it. An error stops the evaluation.
	Lookup(env *Env, name string) (v any, ok bool, err error)
}

// An Env is the environment of one evaluation: a template, a condition,
// or a value with templates in it, together with the variables it
// renders on the way. It holds the Vars that give the variables' values,
// the context whose cancellation stops the evaluation, and the budget of
// work and sizes that bounds it: the evaluation builds no string longer
// than 16 MiB, no list or dict of more than a million elements or about
// 64 MiB in all, and takes at most ten million steps. Make a new Env
// with NewEnv for each evaluation; an Env is not safe for concurrent
// use.
type Env struct {
	vars  Vars
	cache *Cache
	work  budget
	// depth counts the variables being rendered inside one another, and
	// active holds their names.
	depth  int
	active map[string]bool
}

// NewEnv returns the environment of one evaluation. vars gives the
// variables (nil: none is defined); ctx, when not nil, stops the
// evaluation once cancelled; cache, when not nil, parses the templates
// Render meets.
func NewEnv(ctx context.Context, vars Vars, cache *Cache) *Env {
	return &Env{vars: vars, cache: cache, work: budget{ctx: ctx}}
}

// lookup resolves a top-level variable through the Vars.
func (ev *Env) lookup(name string) (any, bool, error) {
	if ev.vars == nil {
		return nil, false, nil
	}
	return ev.vars.Lookup(ev, name)
}

// Render renders a value: each string that holds a template is rendered
// (a whole-value template keeps its value's type, see Template.Render),
// lists and dicts member by member into new ones, an Unsafe string
// becomes a plain string untouched; other values are returned as they
// are.
func (ev *Env) Render(v any) (any, error) {
	switch x := v.(type) {
	case string:
		if !IsTemplate(x) {
			return x, nil
		}
		var t *Template
		var err error
		if ev.cache != nil {
			t, err = ev.cache.Parse(x)
		} else {
			t, err = Parse(x)
		}
		if err != nil {
			return nil, err
		}
		return t.Render(ev)
	case Unsafe:
		return string(x), nil
	case []any:
		out := make([]any, len(x))
		total := elementSize
		for i, e := range x {
			r, err := ev.Render(e)
			if err != nil {
				return nil, err
			}
			if err := ev.work.add(&total, r); err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		total := elementSize
		for k, e := range x {
			r, err := ev.Render(e)
			if err != nil {
				return nil, err
			}
			total += len(k)
			if err := ev.work.add(&total, r); err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	}
	return v, nil
}

// RenderVar renders v, the value of the variable name, as Render does,
// within this evaluation: for Vars whose values are templated when used.
// It fails when the variable's value refers to itself, directly or
// through other variables, and when variables nest more than 1000 deep;
// a size error it meets names the innermost variable being rendered.
func (ev *Env) RenderVar(name string, v any) (any, error) {
	if ev.active[name] {
		return nil, fmt.Errorf("recursive loop detected in template: variable '%s' refers to itself", name)
	}
	if ev.depth >= maxVarDepth {
		return nil, &limitError{Msg: fmt.Sprintf("template variables nested too deeply: more than %d levels (the limit), in variable '%s'", maxVarDepth, name)}
	}
	if ev.active == nil {
		ev.active = map[string]bool{}
	}
	ev.active[name] = true
	ev.depth++
	r, err := ev.Render(v)
	ev.depth--
	delete(ev.active, name)
	if err != nil {
		return nil, inVariable(err, name)
	}
	return r, nil
}

// Size measures v as the bounds measure values: the bytes of its strings
// and dict keys plus 16 for every value in it, about what it takes in
// memory. Measuring a list or dict takes a step of the budget for each
// element; once the size passes limit it stops and returns a number past
// limit. The error is that of the budget (too many steps, cancelled).
func (ev *Env) Size(v any, limit int) (int, error) { return ev.work.size(v, 0, limit) }
