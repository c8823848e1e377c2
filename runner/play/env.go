package play

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/zonemgr/zonemgr/internal/zone"
	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

// localPatterns are the host patterns that name the local machine (all
// and * match it as the only host there is).
var localPatterns = []string{"localhost", "127.0.0.1", "all", "*"}

// playScope is the scope of a play's own keywords (name, hosts): magic
// variables, extra vars and play vars.
func (x *run) playScope(ctx context.Context) *scope { return x.scope(ctx, &task{}, inherited{}) }

// playName is the name in the PLAY banner, rendered when it is a
// template (as text when it does not render).
func (x *run) playName(ctx context.Context) string {
	name := x.play.name
	if !jinja.IsTemplate(name) {
		return name
	}
	if v, err := x.playScope(ctx).render(name); err == nil {
		return jinja.Str(v)
	}
	return name
}

// noteHosts says, once per pattern, that a play whose hosts pattern names
// other machines runs on this global zone all the same: zonemgr play has
// no inventory. A templated pattern is rendered first.
func (x *run) noteHosts(ctx context.Context) {
	sc := x.playScope(ctx)
	var pats []string
	for _, h := range x.play.hosts {
		if jinja.IsTemplate(h) {
			if v, err := sc.render(h); err == nil {
				h = jinja.Str(v)
			}
		}
		for _, p := range strings.FieldsFunc(h, func(r rune) bool { return r == ',' || r == ':' }) {
			if p = strings.TrimSpace(p); p != "" {
				pats = append(pats, p)
			}
		}
	}
	for _, p := range pats {
		if !slices.Contains(localPatterns, p) {
			x.d.note(fmt.Sprintf("hosts %q: zonemgr play has no inventory; the play runs on this global zone", strings.Join(pats, ",")))
			return
		}
	}
}

// environment renders the environment a task's action runs with, as
// Ansible's Task._post_validate_environment and the action's
// _compute_environment_string do: the play's, the enclosing blocks'
// (outer first) and the task's own make one list (lists spliced in,
// equal neighbours once, nulls left out); a mapping's values are
// rendered one by one, a template must give a mapping (else a warning
// and it is skipped); later names win; the result is rendered again;
// values become text as Python's str() writes them.
func (x *run) environment(t *task, inh inherited, sc *scope) (map[string]string, error) {
	var items []any
	for _, src := range append(append([]any{x.play.env}, inh.env...), t.env) {
		list, ok := src.([]any)
		if !ok {
			list = []any{src}
		}
		for _, e := range list {
			if e == nil {
				continue
			}
			if n := len(items); n > 0 {
				if jinja.Equal(items[n-1], e) {
					continue
				}
			}
			items = append(items, e)
		}
	}
	env := jinja.NewDict(0)
	for _, e := range items {
		if m, ok := e.(*jinja.Dict); ok {
			for k, v := range m.All() {
				r, err := sc.render(v)
				if err != nil {
					return nil, err
				}
				env.Set(k, r)
			}
			continue
		}
		r, err := sc.render(e)
		if err != nil {
			return nil, err
		}
		m, ok := r.(*jinja.Dict)
		if !ok {
			x.d.taskWarning("could not parse environment value, skipping: " + jinja.Repr(items))
			continue
		}
		for k, v := range m.All() {
			env.Set(k, v)
		}
	}
	r, err := sc.render(env)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range r.(*jinja.Dict).All() {
		if !identifier.MatchString(k) {
			return nil, fmt.Errorf("%q is not a valid environment variable name", k)
		}
		out[k] = jinja.Str(v)
	}
	return out, nil
}

// spawnSelf runs a module in a process of its own, as Ansible runs a
// module's binary: this program as "zonemgr module [--config FILE]...
// NAME ARGS.json", with the task's environment over this process's.
func (x *run) spawnSelf(ctx context.Context, module string, args []byte, env map[string]string) ([]byte, int, error) {
	var argv []string
	for _, f := range x.r.ConfigFiles {
		argv = append(argv, "--config", f)
	}
	return zone.SpawnModule(ctx, append(argv, module), args, withEnv(os.Environ(), env))
}

// withEnv returns base (os.Environ form) with vars set over it.
func withEnv(base []string, vars map[string]string) []string {
	out := make([]string, 0, len(base)+len(vars))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := vars[k]; !ok {
			out = append(out, kv)
		}
	}
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		out = append(out, k+"="+vars[k])
	}
	return out
}
