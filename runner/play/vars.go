package play

import (
	"context"
	"fmt"
	"strings"
)

// A layer is one level of variables. The values of a templated layer
// come from the task file or -e and are rendered when used, as Ansible
// templates variables lazily; those of a raw layer (registered results,
// facts, loop items, magic variables) are final.
type layer struct {
	vals      map[string]any
	templated bool
}

// A scope is the variables one task sees, highest precedence first. The
// order follows Ansible's: the loop variable, magic variables, extra vars
// (-e), facts and registered results, task vars, block vars (inner
// first), play vars.
//
// A templated variable is rendered when first used and its value kept
// for the life of the scope, so that each is rendered at most once
// however often it is used. A scope is therefore built for one task, or
// one item of its loop, and its layers must not change while it is in
// use: facts and registered results change between tasks and loop
// items, each of which gets a scope of its own.
type scope struct {
	layers []layer
	tc     *templateCache
	// ctx, when set, stops an evaluation in this scope once cancelled.
	ctx context.Context
	// active holds the variables being rendered, to catch a variable
	// whose value refers to itself.
	active map[string]bool
	// memo holds the rendered values of the templated variables used so
	// far, and memoSize their total size (see maxMemoSize).
	memo     map[string]any
	memoSize int
}

func newScope(tc *templateCache, layers ...layer) *scope {
	return &scope{layers: layers, tc: tc, active: map[string]bool{}, memo: map[string]any{}}
}

// with returns a scope with one more layer on top, and nothing rendered
// yet.
func (s *scope) with(l layer) *scope {
	n := newScope(s.tc, append([]layer{l}, s.layers...)...)
	n.ctx = s.ctx
	return n
}

// lookup resolves a top-level variable, rendering a templated value the
// first time it is used in the scope.
func (ev *evaluator) lookup(name string) (any, bool, error) {
	s := ev.sc
	for _, l := range s.layers {
		v, ok := l.vals[name]
		if !ok {
			continue
		}
		if !l.templated {
			return v, true, nil
		}
		if r, ok := s.memo[name]; ok {
			return r, true, nil
		}
		if s.active[name] {
			return nil, false, fmt.Errorf("recursive loop detected in template: variable '%s' refers to itself", name)
		}
		if ev.depth >= maxVarDepth {
			return nil, false, &limitError{Msg: fmt.Sprintf("template variables nested too deeply: more than %d levels (the limit), in variable '%s'", maxVarDepth, name)}
		}
		s.active[name] = true
		ev.depth++
		r, err := ev.render(v)
		ev.depth--
		delete(s.active, name)
		if err != nil {
			return nil, false, inVariable(err, name)
		}
		n, err := ev.work.size(r, 0, maxMemoSize-s.memoSize)
		if err != nil {
			return nil, false, err
		}
		if s.memoSize+n <= maxMemoSize {
			s.memo[name] = r
			s.memoSize += n
		}
		return r, true, nil
	}
	return nil, false, nil
}

// evaluator returns an evaluator for one evaluation in the scope, with a
// budget of its own.
func (s *scope) evaluator() *evaluator {
	return &evaluator{sc: s, work: &budget{ctx: s.ctx}}
}

// render renders a value from the task file: each string that holds a
// template is rendered (a whole-value template keeps its value's type),
// lists and dicts are rendered member by member, an `!unsafe` string
// becomes a plain string untouched.
func (s *scope) render(v any) (any, error) { return s.evaluator().render(v) }

// render is scope.render within the evaluation ev.
func (ev *evaluator) render(v any) (any, error) {
	switch x := v.(type) {
	case string:
		if !isTemplate(x) {
			return x, nil
		}
		t, err := ev.sc.tc.parse(x)
		if err != nil {
			return nil, err
		}
		return t.render(ev)
	case unsafeText:
		return string(x), nil
	case []any:
		out := make([]any, len(x))
		total := elementSize
		for i, e := range x {
			r, err := ev.render(e)
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
			r, err := ev.render(e)
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

// eval evaluates an expression.
func (s *scope) eval(e expr) (any, error) { return s.evaluator().eval(e) }

// cond evaluates one condition to its truth.
func (s *scope) cond(c *cond) (bool, error) { return s.evaluator().cond(c) }

// cond is scope.cond within the evaluation ev.
func (ev *evaluator) cond(c *cond) (bool, error) {
	switch {
	case c.isLit:
		return truthy(c.lit), nil
	case c.tmpl:
		v, err := ev.render(c.src)
		if err != nil {
			return false, err
		}
		str, ok := v.(string)
		if !ok {
			return truthy(v), nil
		}
		if strings.TrimSpace(str) == "" {
			return false, nil
		}
		e, err := parseExpr(str)
		if err != nil {
			return false, fmt.Errorf("the condition %q rendered to %q, which is not an expression: %w", c.src, str, err)
		}
		v, err = ev.evalDefined(e)
		if err != nil {
			return false, err
		}
		return truthy(v), nil
	}
	v, err := ev.evalDefined(c.e)
	if err != nil {
		return false, err
	}
	return truthy(v), nil
}

// conds evaluates conditions that must all hold; it returns the first
// that does not, or nil.
func (s *scope) conds(cs []*cond) (*cond, error) {
	for _, c := range cs {
		ok, err := s.cond(c)
		if err != nil {
			return c, err
		}
		if !ok {
			return c, nil
		}
	}
	return nil, nil
}
