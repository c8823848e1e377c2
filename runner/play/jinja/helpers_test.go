package jinja

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

// testVars are the variables of the tests, as the play gives them: raw
// values (registered results, facts) over templated ones (play vars),
// which are rendered when first used and kept, measured as the play
// measures what it keeps.
type testVars struct {
	raw, templated *Dict
	memo           map[string]any
}

func newTestVars(raw, templated *Dict) *testVars {
	if raw == nil {
		raw = NewDict(0)
	}
	if templated == nil {
		templated = NewDict(0)
	}
	return &testVars{raw: raw, templated: templated, memo: map[string]any{}}
}

// Raw gives a variable's value before templating.
func (tv *testVars) Raw(name string) (any, bool) {
	if v, ok := tv.raw.Get(name); ok {
		return v, true
	}
	return tv.templated.Get(name)
}

// Lookup gives raw values first, then templated ones, rendered once.
func (tv *testVars) Lookup(env *Env, name string) (any, bool, error) {
	if v, ok := tv.raw.Get(name); ok {
		return Untuple(v), true, nil
	}
	v, ok := tv.templated.Get(name)
	if !ok {
		return nil, false, nil
	}
	if r, ok := tv.memo[name]; ok {
		return r, true, nil
	}
	r, err := env.RenderVar(name, v)
	if err != nil {
		return nil, false, err
	}
	if _, err := env.Size(r, maxTotalSize); err != nil {
		return nil, false, err
	}
	tv.memo[name] = r
	return r, true, nil
}

// env returns the environment of one evaluation over the variables.
func (tv *testVars) env() *Env { return NewEnv(nil, tv, &Cache{}) }

// render renders v in an evaluation of its own.
func (tv *testVars) render(v any) (any, error) { return tv.env().Render(v) }

// yamlDict reads a YAML mapping as PyYAML does, for the tests' vars.
func yamlDict(t testing.TB, text string) *Dict {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(text), &n); err != nil {
		t.Fatal(err)
	}
	nodes := 0
	v, err := yamlValue(n.Content[0], &nodes, 0)
	if err != nil {
		t.Fatal(err)
	}
	return v.(*Dict)
}
