package play

import (
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
type scope struct {
	layers []layer
	tc     *templateCache
	// active holds the variables being rendered, to catch a variable
	// whose value refers to itself.
	active map[string]bool
}

func newScope(tc *templateCache, layers ...layer) *scope {
	return &scope{layers: layers, tc: tc, active: map[string]bool{}}
}

// with returns a scope with one more layer on top.
func (s *scope) with(l layer) *scope {
	return &scope{layers: append([]layer{l}, s.layers...), tc: s.tc, active: map[string]bool{}}
}

// lookup resolves a top-level variable, rendering a templated value.
func (s *scope) lookup(name string) (any, bool, error) {
	for _, l := range s.layers {
		v, ok := l.vals[name]
		if !ok {
			continue
		}
		if !l.templated {
			return v, true, nil
		}
		if s.active[name] {
			return nil, false, fmt.Errorf("recursive loop detected in template: variable '%s' refers to itself", name)
		}
		s.active[name] = true
		r, err := s.render(v)
		delete(s.active, name)
		if err != nil {
			return nil, false, err
		}
		return r, true, nil
	}
	return nil, false, nil
}

func (s *scope) evaluator() *evaluator { return &evaluator{lookup: s.lookup} }

// render renders a value from the task file: each string that holds a
// template is rendered (a whole-value template keeps its value's type),
// lists and dicts are rendered member by member, an `!unsafe` string
// becomes a plain string untouched.
func (s *scope) render(v any) (any, error) {
	switch x := v.(type) {
	case string:
		if !isTemplate(x) {
			return x, nil
		}
		t, err := s.tc.parse(x)
		if err != nil {
			return nil, err
		}
		return t.render(s.evaluator())
	case unsafeText:
		return string(x), nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := s.render(e)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			r, err := s.render(e)
			if err != nil {
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
func (s *scope) cond(c *cond) (bool, error) {
	switch {
	case c.isLit:
		return truthy(c.lit), nil
	case c.tmpl:
		v, err := s.render(c.src)
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
		v, err = s.evaluator().evalDefined(e)
		if err != nil {
			return false, err
		}
		return truthy(v), nil
	}
	v, err := s.evaluator().evalDefined(c.e)
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
