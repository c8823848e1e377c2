// Package jinja is the template engine of `zonemgr play`: Jinja2 as
// ansible-core 2.14 uses it (jinja2_native off), evaluated so that a
// playbook gives the same values and the same messages here as under
// ansible-playbook. Where it cannot promise that, it refuses the
// template when it is parsed, naming the construct.
//
// # What it is
//
// A template is literal text with `{{ expr }}` interpolations,
// `{% statement %}` blocks, `{# comments #}`, whitespace control (`{{-`,
// `-%}`) and trim_blocks, as Ansible sets Jinja2 up. The statements are
// if/elif/else, for (with else, loop.index and the other loop
// variables, loop.cycle), set (also the block form) and raw. Its value
// is what Ansible's Templar.template gives: a template that is only
// "{{ name }}" of a boolean, number or null variable gives that value;
// otherwise the output is text, each value written as Python's str()
// (None as the empty string), and text that reads as a Python literal
// list, dict, True or False is turned back into that value, as
// ansible_eval_concat does. Other results stay text: "{{ 1 + 1 }}" is
// "2".
//
// Expressions have Jinja2's grammar and Python's rules: literals
// (strings with Python's escapes, integers of any size, floats,
// true/false/none in either case, lists, tuples, dicts with text keys),
// variables and paths into them (r.results.0.rc, r['key'], negative
// indexes, slices), arithmetic (+ - * / // % **, with Python's integer
// and float rules), ~, chained comparisons, in and not in, and, or, not,
// the inline `x if c else y`, filters and tests with positional and
// keyword arguments, the functions range() and dict(), and the methods
// of text, lists and dicts that do not change their object (split,
// strip, startswith, format, get, items, ...). The filters are
// Jinja2's and ansible-core's that give the same result every time
// (default, map, select, combine, regex_replace, to_json, to_nice_yaml,
// ...); the tests are Jinja2's and ansible-core's (defined, match,
// version, subset, succeeded, ...). Filters, tests, methods and
// functions check their arguments as Python does. Errors carry Python's
// and Ansible's messages.
//
// A variable, attribute or item that does not exist is undefined, as
// with Ansible's strict undefined: it survives attribute access (so
// `x.y | default(1)` works) and is an error once something uses it.
//
// Values are those of JSON and YAML as Python holds them: nil, bool,
// int, *big.Int, float64, string, []any, Tuple and *Dict (a dict that
// keeps its keys' order), plus Unsafe strings. An Unsafe string is never
// templated, and a template that uses one gives an unsafe result, as
// Ansible's AnsibleUnsafeText (Wrap marks a module's result so). Str,
// Repr and JSON write values as Python's str(), repr() and Ansible's
// to_json (json.dumps) do.
//
// # What it is not
//
// There are no macros, call blocks, include, import, extends, filter
// blocks or recursive loops; no lookup(), query() or now(); no filters
// whose result is random, depends on the controller (files, the
// environment, the time) or names Ansible's Python classes
// (type_debug); no methods that change their object (append, update,
// ...); and no plugins. Regular expressions are translated to Go's RE2,
// which agrees with Python's re where both apply; backreferences and
// lookaround, which RE2 lacks, are refused. Each refusal is a
// SyntaxError of Parse. The engine holds no variables: it asks its Vars
// for them.
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
