package play

import (
	"context"
	"errors"
	"fmt"
	"regexp"
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
	vals      *jinja.Dict
	templated bool
}

// A scope is the variables one task sees, highest precedence first. The
// order follows Ansible's: the loop variables, magic variables, extra
// vars (-e), facts and registered results, task vars, block and include
// vars (inner first), the play's vars_files (later first), play vars,
// gathered facts.
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
	// special resolves the variables computed on demand (vars).
	special func(name string) (any, bool)
	// warn, when set, shows a warning of the task (a condition written
	// with {{ }}).
	warn func(msg string)
	// check and diff are the task's modes (run.modes), evaluated once
	// when its scope is built; its action runs in them.
	check, diff bool
}

func newScope(tc *jinja.Cache, layers ...layer) *scope {
	return &scope{layers: layers, tc: tc, memo: map[string]any{}}
}

// with returns a scope with one more layer on top, and nothing rendered
// yet.
func (s *scope) with(l layer) *scope {
	n := newScope(s.tc, append([]layer{l}, s.layers...)...)
	n.ctx = s.ctx
	n.special = s.special
	n.warn = s.warn
	n.check, n.diff = s.check, s.diff
	return n
}

// Raw returns a variable's value before templating.
func (s *scope) Raw(name string) (any, bool) {
	for _, l := range s.layers {
		if v, ok := l.vals.Get(name); ok {
			return v, true
		}
	}
	return nil, false
}

// Lookup resolves a top-level variable for the evaluation env, rendering
// a templated value the first time it is used in the scope.
func (s *scope) Lookup(env *jinja.Env, name string) (any, bool, error) {
	for _, l := range s.layers {
		v, ok := l.vals.Get(name)
		if !ok {
			continue
		}
		if !l.templated {
			return jinja.Untuple(v), true, nil
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
	if s.special != nil {
		if v, ok := s.special(name); ok {
			return v, true, nil
		}
	}
	return nil, false, nil
}

// asString returns v's text when v is a string, plain or Unsafe.
func asString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case jinja.Unsafe:
		return string(x), true
	}
	return "", false
}

// all returns every variable of the scope, as Ansible's vars holds them:
// the values as they are stored, the highest layer's winning.
func (s *scope) all() *jinja.Dict {
	out := jinja.NewDict(0)
	for i := len(s.layers) - 1; i >= 0; i-- {
		for k, v := range s.layers[i].vals.All() {
			out.Set(k, v)
		}
	}
	return out
}

// env returns the environment of one evaluation in the scope, with a
// budget of its own.
func (s *scope) env() *jinja.Env { return jinja.NewEnv(s.ctx, s, s.tc) }

// render renders a value from the task file as Ansible's
// Templar.template does (see jinja.Env.Render).
func (s *scope) render(v any) (any, error) { return s.env().Render(v) }

// cond evaluates one condition to its truth, as Ansible's Conditional
// does: a boolean as it is; a string rendered first when it holds a
// template (with Ansible's warning; a non-text result is taken for its
// truth, empty text for false); then the text evaluated as the
// expression of a Jinja2 if.
func (s *scope) cond(c *cond) (bool, error) {
	if c.isLit {
		return jinja.Truth(c.lit), nil
	}
	e := c.e
	if c.tmpl {
		if s.warn != nil {
			s.warn("conditional statements should not include jinja2 templating delimiters such as {{ }} or {% %}. Found: " + c.src)
		}
		env := s.env()
		v, err := env.Render(c.src)
		if err != nil {
			return false, err
		}
		str, ok := asString(v)
		if !ok {
			return jinja.Truth(v), nil
		}
		if str == "" {
			return false, nil
		}
		if e, err = jinja.ParseCondition(str); err != nil {
			// Ansible renders the text in {% if %}, whose syntax error
			// its templating reports.
			msg := syntaxMsg(err)
			var se *jinja.SyntaxError
			if errors.As(err, &se) {
				msg = se.Msg
			}
			presented := fmt.Sprintf("{%% if %s %%} True {%% else %%} False {%% endif %%}", str)
			return false, fmt.Errorf("template error while templating string: %s. String: %s. %s", msg, presented, msg)
		}
	}
	v, err := e.Eval(s.env())
	if err != nil {
		return false, err
	}
	return jinja.Truth(v), nil
}

// definedTest is Ansible's DEFINED_REGEX: a variable tested with is
// defined or is undefined in a condition's text.
var definedTest = regexp.MustCompile(`(hostvars\[.+\]|[\w_]+)\s+(not\s+is|is|is\s+not)\s+(defined|undefined)`)

// undefinedName is the variable named by an undefined error's message.
var undefinedName = regexp.MustCompile(`'(hostvars\[.+\]|[\w_]+)' is undefined`)

// conds evaluates conditions that must all hold; it returns the first
// that does not, or nil. An undefined variable that the condition's text
// tests with is defined (or is undefined) decides the condition, as
// Ansible's Conditional does when the evaluation failed on it.
func (s *scope) conds(cs []*cond) (*cond, error) {
	for _, c := range cs {
		ok, err := s.cond(c)
		if err != nil && jinja.IsUndefinedError(err) {
			ok, err = decideUndefined(c.src, err)
		}
		if err != nil {
			return c, err
		}
		if !ok {
			return c, nil
		}
	}
	return nil, nil
}

// decideUndefined is the fallback of Ansible's _check_conditional.
func decideUndefined(src string, err error) (bool, error) {
	m := undefinedName.FindStringSubmatch(err.Error())
	if m == nil {
		return false, err
	}
	rest := src
	for {
		dm := definedTest.FindStringSubmatchIndex(rest)
		if dm == nil {
			break
		}
		name := rest[dm[2]:dm[3]]
		logic := rest[dm[4]:dm[5]]
		state := rest[dm[6]:dm[7]]
		if strings.ReplaceAll(m[1], "'", `"`) == strings.ReplaceAll(name, "'", `"`) {
			shouldExist := strings.Contains(logic, "not") != (state == "defined")
			return !shouldExist, nil
		}
		rest = rest[dm[1]:]
	}
	return false, err
}
