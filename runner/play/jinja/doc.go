// Package jinja is the template engine of `zonemgr play`: the subset of
// Jinja2 that Ansible task files use, evaluated as Ansible 2.14 (without
// jinja2_native) evaluates it, so that a task file gives the same values
// here as under ansible-playbook.
//
// # What it is
//
// A template is literal text with `{{ expr }}` interpolations,
// `{# comments #}` and whitespace control (`{{-`, `-}}`). Its value is
// the text with each expression's value in Python's str() form (None as
// the empty string), except that a template that is exactly one
// `{{ expr }}` renders to the expression's value with its type, a list
// staying a list. A bare expression, without `{{ }}`, is a condition of
// when, changed_when, failed_when or assert.
//
// Expressions have Jinja2's grammar and Python's rules: literals
// (strings with Python's escapes, integers, floats, true/false/none in
// either case, lists, dicts, tuples as lists), variables and paths into
// them (r.results.0.rc, r['key'], negative indexes), the operators
// + - * / // % ** ~, chained comparisons, in and not in, and, or, not,
// the inline `x if c else y`, and the dict methods keys(), values() and
// items(). The filters are bool, count, d, default, dict2items, first,
// float, from_json, int, items, join, keys, last, length, list, lower,
// mandatory, map, max, min, reject, rejectattr, replace, select,
// selectattr, sort, split, string, sum, to_json, to_nice_json, trim,
// unique, upper and values; the tests are boolean, change, changed,
// defined, eq, equalto, failed, failure, false, float, in, integer,
// iterable, mapping, match, ne, none, number, regex, search, sequence,
// skip, skipped, string, succeeded, success, successful, true and
// undefined; each has Jinja2's or Ansible's semantics. A variable, attribute or item that
// does not exist is undefined, as with Ansible's strict undefined: it
// survives attribute access (so `x.y | default(1)` works) and is an error
// once something uses it.
//
// Values are those of JSON and YAML as Python holds them: nil, bool,
// int, float64, string, []any and map[string]any, plus Unsafe strings,
// which rendering never templates. Str, Repr and JSON write values as
// Python's str(), repr() and Ansible's to_json (json.dumps) do.
//
// # What it is not
//
// It is not all of Jinja2, nor Ansible's templating: there are no
// statements (`{% if %}`, `{% for %}`, `{% set %}`, macros), no function
// calls (lookup, query, range) or methods other than the three of dicts,
// no slices, no filters or tests besides those above, no lookup or other
// plugins, and no literal_eval of rendered text into values. Regular
// expressions (match, search) are Go's RE2, which agrees with Python's re
// for the common cases but has no backreferences or lookaround. The
// engine holds no variables: it asks its Vars for them.
//
// # Use
//
// Parse (or a Cache's Parse) turns a template into a Template, ParseExpr
// an expression into an Expr. Each evaluation has an Env, made by NewEnv
// from the Vars that give the variables' values, the context that
// cancels the evaluation, and a Cache: Template.Render and Env.Render
// render, Expr.Eval and Expr.Value evaluate, within the Env's bounds.
// Whatever its templates say, one evaluation, with the variables it
// renders on the way, builds no value past a fixed size (16 MiB of text,
// a million elements, about 64 MiB in all), takes at most ten million
// steps, and stops once its context is cancelled.
package jinja
