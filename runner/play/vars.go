package play

import (
	"context"
	"fmt"
	"strings"

	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

// maxMemoSize bounds the total size, as jinja.Env.Size measures it, of
// the rendered variables a scope keeps; beyond it a variable is rendered
// each time it is used.
const maxMemoSize = 64 << 20

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
//
// A scope is the jinja.Vars of the evaluations in it; each evaluation
// (render, eval, cond) has a jinja.Env, and so a budget, of its own.
type scope struct {
	layers []layer
	tc     *jinja.Cache
	// ctx, when set, stops an evaluation in this scope once cancelled.
	ctx context.Context
	// memo holds the rendered values of the templated variables used so
	// far, and memoSize their total size (see maxMemoSize).
	memo     map[string]any
	memoSize int
}

func newScope(tc *jinja.Cache, layers ...layer) *scope {
	return &scope{layers: layers, tc: tc, memo: map[string]any{}}
}

// with returns a scope with one more layer on top, and nothing rendered
// yet.
func (s *scope) with(l layer) *scope {
	n := newScope(s.tc, append([]layer{l}, s.layers...)...)
	n.ctx = s.ctx
	return n
}

// Lookup resolves a top-level variable for the evaluation env, rendering
// a templated value the first time it is used in the scope.
func (s *scope) Lookup(env *jinja.Env, name string) (any, bool, error) {
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
		r, err := env.RenderVar(name, v)
		if err != nil {
			return nil, false, err
		}
		n, err := env.Size(r, maxMemoSize-s.memoSize)
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

// env returns the environment of one evaluation in the scope, with a
// budget of its own.
func (s *scope) env() *jinja.Env { return jinja.NewEnv(s.ctx, s, s.tc) }

// render renders a value from the task file: each string that holds a
// template is rendered (a whole-value template keeps its value's type),
// lists and dicts are rendered member by member, an `!unsafe` string
// becomes a plain string untouched.
func (s *scope) render(v any) (any, error) { return s.env().Render(v) }

// cond evaluates one condition to its truth.
func (s *scope) cond(c *cond) (bool, error) {
	switch {
	case c.isLit:
		return jinja.Truth(c.lit), nil
	case c.tmpl:
		env := s.env()
		v, err := env.Render(c.src)
		if err != nil {
			return false, err
		}
		str, ok := v.(string)
		if !ok {
			return jinja.Truth(v), nil
		}
		if strings.TrimSpace(str) == "" {
			return false, nil
		}
		e, err := jinja.ParseExpr(str)
		if err != nil {
			return false, fmt.Errorf("the condition %q rendered to %q, which is not an expression: %w", c.src, str, err)
		}
		v, err = e.Eval(env)
		if err != nil {
			return false, err
		}
		return jinja.Truth(v), nil
	}
	v, err := c.e.Eval(s.env())
	if err != nil {
		return false, err
	}
	return jinja.Truth(v), nil
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
