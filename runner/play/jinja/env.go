package jinja

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"regexp"
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
	// Raw returns the value of the variable name as it is stored,
	// before any templating, and whether it is defined: Ansible returns
	// a boolean or number variable's value itself, and None for a null
	// one, for a template that is only "{{ name }}".
	Raw(name string) (v any, ok bool)
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
	// locals are the variables a template's statements set (a loop's
	// variable, a set), innermost frame last.
	locals []map[string]any
	// unsafe is set when the template being rendered used a variable
	// holding an Unsafe string.
	unsafe bool
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
	v, ok, err := ev.vars.Lookup(ev, name)
	if ok && err == nil && HasUnsafe(v) {
		ev.unsafe = true
		v = stripUnsafe(v)
	}
	return v, ok, err
}

// parse parses a template, through the cache when there is one.
func (ev *Env) parse(s string) (*Template, error) {
	if ev.cache != nil {
		return ev.cache.Parse(s)
	}
	return Parse(s)
}

// singleVar is Ansible's Templar.SINGLE_VAR: a template that is only one
// variable name.
var singleVar = regexp.MustCompile(`^\{\{\s*(\w*)\s*\}\}$`)

// Render renders a value as Ansible's Templar.template does: a string
// that holds a template is rendered (see Template.Render), except that a
// template that is only "{{ name }}" of a boolean or number variable
// gives that value itself, and of a null one None; lists, tuples and
// dicts are rendered member by member into new lists and dicts; an
// Unsafe string is returned untouched; other values are returned as
// they are.
//
// As in Ansible, a template that uses a variable holding an Unsafe
// string anywhere in it gives an unsafe result: its strings, at every
// depth, are Unsafe (see Wrap), so that text that came from a module
// result is never templated again.
func (ev *Env) Render(v any) (any, error) {
	switch x := v.(type) {
	case string:
		if !IsTemplate(x) {
			return x, nil
		}
		if m := singleVar.FindStringSubmatch(x); m != nil && ev.vars != nil {
			if raw, ok := ev.vars.Raw(m[1]); ok {
				switch raw.(type) {
				case nil:
					return nil, nil
				case bool, int, *big.Int, float64:
					return raw, nil
				}
			}
		}
		t, err := ev.parse(x)
		if err != nil {
			return nil, err
		}
		saved := ev.unsafe
		ev.unsafe = false
		v, err := t.Render(ev)
		if ev.unsafe {
			v = Wrap(v)
		}
		ev.unsafe = saved
		if err != nil {
			var te *TypeError
			if errors.As(err, &te) && !isUndefinedOrTemplateError(err) {
				return nil, &TemplateError{Msg: fmt.Sprintf("Unexpected templating type error occurred on (%s): %s. %s", x, te.Msg, te.Msg)}
			}
			return nil, err
		}
		return v, nil
	case Unsafe:
		return x, nil
	case []any:
		return ev.renderList(x)
	case Tuple:
		return ev.renderList(x)
	case *Dict:
		out := NewDict(x.Len())
		total := elementSize
		for k, e := range x.All() {
			r, err := ev.Render(e)
			if err != nil {
				return nil, err
			}
			total += len(k)
			if err := ev.work.add(&total, r); err != nil {
				return nil, err
			}
			out.Set(k, r)
		}
		return out, nil
	}
	return v, nil
}

func (ev *Env) renderList(x []any) (any, error) {
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
}

// RenderVar renders v, the value of the variable name, as Render does,
// within this evaluation: for Vars whose values are templated when used.
// It fails when the variable's value refers to itself, directly or
// through other variables, and when variables nest more than 1000 deep;
// a size error it meets names the innermost variable being rendered. An
// undefined variable met on the way makes the variable undefined, not
// an error, as Ansible's variable lookups do: the error comes when
// something uses it, with the variable's value in its message.
func (ev *Env) RenderVar(name string, v any) (any, error) {
	if ev.active[name] {
		return nil, &recursionError{Src: Str(v)}
	}
	if ev.depth >= maxVarDepth {
		return nil, &limitError{Msg: fmt.Sprintf("template variables nested too deeply: more than %d levels (the limit), in variable '%s'", maxVarDepth, name)}
	}
	if ev.active == nil {
		ev.active = map[string]bool{}
	}
	ev.active[name] = true
	ev.depth++
	saved := ev.locals
	ev.locals = nil
	r, err := ev.Render(v)
	ev.locals = saved
	ev.depth--
	delete(ev.active, name)
	if err != nil {
		var ue *undefinedError
		var le *limitError
		var ie *interruptedError
		var re *recursionError
		switch {
		case errors.As(err, &ue):
			return undefined{msg: fmt.Sprintf("%s: %s", Str(v), ansibleUndefinedMessage(ue))}, nil
		case errors.As(err, &le), errors.As(err, &ie), errors.As(err, &re):
			return nil, inVariable(err, name)
		}
		return nil, &TemplateError{Msg: fmt.Sprintf("An unhandled exception occurred while templating '%s'. Error was a <class 'ansible.errors.AnsibleError'>, original message: %s", Str(v), err.Error())}
	}
	return r, nil
}

// isUndefinedOrTemplateError tells whether err is already an undefined
// error or an Ansible error about a template.
func isUndefinedOrTemplateError(err error) bool {
	var ue *undefinedError
	var te *TemplateError
	return errors.As(err, &ue) || errors.As(err, &te)
}

// A TemplateError is an error Ansible reports about a template with its
// own message (an AnsibleError): a type error met while rendering, or an
// error met while rendering a variable.
type TemplateError struct{ Msg string }

func (e *TemplateError) Error() string { return e.Msg }

// ansibleUndefinedMessage is the message of Ansible's
// AnsibleUndefinedVariable wrapping Jinja2's error: its text, then ". "
// and the text again.
func ansibleUndefinedMessage(ue *undefinedError) string {
	return ue.Error() + ". " + ue.Error()
}

// A recursionError is a variable whose value refers to itself.
type recursionError struct{ Src string }

func (e *recursionError) Error() string {
	return "recursive loop detected in template string: " + e.Src
}

// Size measures v as the bounds measure values: the bytes of its strings
// and dict keys plus 16 for every value in it, about what it takes in
// memory. Measuring a list or dict takes a step of the budget for each
// element; once the size passes limit it stops and returns a number past
// limit. The error is that of the budget (too many steps, cancelled).
func (ev *Env) Size(v any, limit int) (int, error) { return ev.work.size(v, 0, limit) }
