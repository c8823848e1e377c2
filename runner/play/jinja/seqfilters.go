package jinja

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The filters over lists and dicts: Jinja2's select, reject, selectattr,
// rejectattr, map, sum and items, and Ansible's dict2items, with keys and
// values beside them. Dicts are walked in the order of their keys.

// addSeqFilters adds these filters and the comparison tests they use.
func addSeqFilters() {
	filterFuncs["select"] = filterFunc{fn: func(w *budget, in any, args []any, kwargs map[string]any) (any, error) {
		return selectItems(w, in, "", args, kwargs, true)
	}}
	filterFuncs["reject"] = filterFunc{fn: func(w *budget, in any, args []any, kwargs map[string]any) (any, error) {
		return selectItems(w, in, "", args, kwargs, false)
	}}
	filterFuncs["selectattr"] = filterFunc{fn: func(w *budget, in any, args []any, kwargs map[string]any) (any, error) {
		return selectAttr(w, in, args, kwargs, true)
	}}
	filterFuncs["rejectattr"] = filterFunc{fn: func(w *budget, in any, args []any, kwargs map[string]any) (any, error) {
		return selectAttr(w, in, args, kwargs, false)
	}}
	filterFuncs["map"] = filterFunc{fn: filterMap}
	filterFuncs["sum"] = filterFunc{fn: filterSum}
	filterFuncs["dict2items"] = filterFunc{fn: filterDict2Items}
	filterFuncs["items"] = filterFunc{fn: dictFilter(mapItems)}
	filterFuncs["keys"] = filterFunc{fn: dictFilter(mapKeys)}
	filterFuncs["values"] = filterFunc{fn: dictFilter(mapValues)}
	testFuncs["equalto"] = testFunc{fn: testEqual}
	testFuncs["eq"] = testFunc{fn: testEqual}
	testFuncs["ne"] = testFunc{fn: func(w *budget, in any, args []any) (bool, error) {
		eq, err := testEqual(w, in, args)
		return !eq, err
	}}
	testFuncs["in"] = testFunc{fn: testIn}
}

// dictFilter makes a filter of f, which goes once through a dict's
// members, taking a step for each.
func dictFilter(f func(any) (any, error)) func(*budget, any, []any, map[string]any) (any, error) {
	return func(w *budget, in any, _ []any, _ map[string]any) (any, error) {
		if m, ok := in.(map[string]any); ok {
			if err := w.step(len(m)); err != nil {
				return nil, err
			}
		}
		return f(in)
	}
}

// testAliases are the operator names Jinja2 also accepts for its
// comparison tests, in select and selectattr.
var testAliases = map[string]string{"==": "eq", "!=": "ne"}

func testEqual(w *budget, in any, args []any) (bool, error) {
	if len(args) != 1 {
		return false, errors.New("equalto needs one value to compare with")
	}
	return w.equal(in, args[0])
}

func testIn(w *budget, in any, args []any) (bool, error) {
	if len(args) != 1 {
		return false, errors.New("in needs one container")
	}
	return w.member(in, args[0])
}

// attrPath reads a dotted attribute path ("a.b", "results.0") from v as
// Jinja2's attribute getters do: dict members, and list items for the
// parts that are integers. What is missing is undefined.
func attrPath(v any, path string) any {
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			e, ok := x[part]
			if !ok {
				return undefined{msg: fmt.Sprintf("'dict object' has no attribute '%s'", part)}
			}
			v = e
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil {
				return undefined{msg: fmt.Sprintf("'list object' has no attribute '%s'", part)}
			}
			if i, ok := index(i, len(x)); ok {
				v = x[i]
				continue
			}
			return undefined{msg: "list object has no element " + part}
		default:
			return undefined{msg: fmt.Sprintf("'%s' object has no attribute '%s'", typeName(v), part)}
		}
	}
	return v
}

// applyTest runs the test named name (truthiness when name is empty) on v
// for select, reject, selectattr and rejectattr. An undefined value fails
// unless the test takes one (defined, undefined), as with Ansible's
// strict undefined.
func applyTest(w *budget, v any, name string, args []any) (bool, error) {
	if name == "" {
		if u, ok := v.(undefined); ok {
			return false, u.err()
		}
		return Truth(v), nil
	}
	if alias, ok := testAliases[name]; ok {
		name = alias
	}
	t, ok := testFuncs[name]
	if !ok {
		return false, fmt.Errorf("no test named '%s'", name)
	}
	if u, ok := v.(undefined); ok && !t.takesUndefined {
		return false, u.err()
	}
	return t.fn(w, v, args)
}

// selectItems is Jinja2's select(test, args...) and reject; attr, when
// set, is the attribute path tested (selectattr, rejectattr).
func selectItems(w *budget, in any, attr string, args []any, kwargs map[string]any, keep bool) (any, error) {
	if len(kwargs) > 0 {
		return nil, errors.New("takes no keyword arguments")
	}
	list, err := w.items(in)
	if err != nil {
		return nil, err
	}
	test := ""
	if len(args) > 0 {
		s, ok := args[0].(string)
		if !ok {
			return nil, fmt.Errorf("the test name must be a string, got %s", typeName(args[0]))
		}
		test, args = s, args[1:]
	}
	out := []any{}
	for _, e := range list {
		if err := w.step(1); err != nil {
			return nil, err
		}
		v := e
		if attr != "" {
			v = attrPath(e, attr)
		}
		ok, err := applyTest(w, v, test, args)
		if err != nil {
			return nil, err
		}
		if ok == keep {
			out = append(out, e)
		}
	}
	return out, nil
}

// selectAttr is Jinja2's selectattr(attribute, test, args...) and
// rejectattr.
func selectAttr(w *budget, in any, args []any, kwargs map[string]any, keep bool) (any, error) {
	if len(args) == 0 {
		return nil, errors.New("missing the attribute to test")
	}
	attr, ok := args[0].(string)
	if !ok || attr == "" {
		return nil, fmt.Errorf("the attribute must be a name or a dotted path, got %s", Repr(args[0]))
	}
	return selectItems(w, in, attr, args[1:], kwargs, keep)
}

// filterMap is Jinja2's map: map(attribute='a.b', default=x) takes an
// attribute of each item, map('filter', args...) applies a filter to
// each item.
func filterMap(w *budget, in any, args []any, kwargs map[string]any) (any, error) {
	list, err := w.items(in)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(list))
	if a, ok := kwargs["attribute"]; ok {
		if len(args) > 0 {
			return nil, errors.New("takes either an attribute or a filter, not both")
		}
		attr, ok := a.(string)
		if !ok || attr == "" {
			return nil, fmt.Errorf("the attribute must be a name or a dotted path, got %s", Repr(a))
		}
		def, hasDef := kwargs["default"]
		for k := range kwargs {
			if k != "attribute" && k != "default" {
				return nil, fmt.Errorf("unexpected keyword argument '%s'", k)
			}
		}
		for _, e := range list {
			if err := w.step(1); err != nil {
				return nil, err
			}
			v := attrPath(e, attr)
			if u, ok := v.(undefined); ok {
				if !hasDef {
					return nil, u.err()
				}
				v = def
			}
			out = append(out, v)
		}
		return out, nil
	}
	if len(args) == 0 {
		return nil, errors.New("needs a filter name or attribute=")
	}
	name, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("the filter name must be a string, got %s", typeName(args[0]))
	}
	f, ok := filterFuncs[name]
	if !ok {
		return nil, fmt.Errorf("no filter named '%s'", name)
	}
	total := elementSize
	for _, e := range list {
		if err := w.step(1); err != nil {
			return nil, err
		}
		v, err := f.fn(w, e, args[1:], kwargs)
		if err == nil {
			err = w.add(&total, v)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// filterSum is Jinja2's sum(attribute=None, start=0). A run of strings
// or of lists is joined in one pass, not copied again at each element.
func filterSum(w *budget, in any, args []any, kwargs map[string]any) (any, error) {
	list, err := w.items(in)
	if err != nil {
		return nil, err
	}
	if err := w.step(len(list)); err != nil {
		return nil, err
	}
	vals := list
	if attr := param(args, kwargs, 0, "attribute", nil); attr != nil {
		path, err := w.str(attr)
		if err != nil {
			return nil, err
		}
		vals = make([]any, len(list))
		for i, e := range list {
			vals[i] = attrPath(e, path)
			if u, ok := vals[i].(undefined); ok {
				return nil, u.err()
			}
		}
	}
	total := param(args, kwargs, 1, "start", 0)
	for i := 0; i < len(vals); {
		switch t := total.(type) {
		case string:
			parts := []string{t}
			n := len(t)
			for ; i < len(vals); i++ {
				s, ok := vals[i].(string)
				if !ok {
					break
				}
				if n += len(s); n > maxStringSize {
					return nil, stringTooLarge()
				}
				parts = append(parts, s)
			}
			if len(parts) > 1 {
				if err := w.text(n); err != nil {
					return nil, err
				}
				total = strings.Join(parts, "")
				continue
			}
		case []any:
			lists := [][]any{t}
			n := len(t)
			for ; i < len(vals); i++ {
				l, ok := vals[i].([]any)
				if !ok {
					break
				}
				if n += len(l); n > maxElements {
					return nil, listTooLarge()
				}
				lists = append(lists, l)
			}
			if len(lists) > 1 {
				out := make([]any, 0, n)
				for _, l := range lists {
					out = append(out, l...)
				}
				if err := w.check(out); err != nil {
					return nil, err
				}
				total = out
				continue
			}
		}
		if total, err = arith(w, "+", total, vals[i]); err != nil {
			return nil, err
		}
		i++
	}
	return total, nil
}

// dict returns in as a dict for the dict filters.
func dict(in any, filter string) (map[string]any, error) {
	m, ok := in.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s requires a dictionary, got %s instead", filter, typeName(in))
	}
	return m, nil
}

// filterDict2Items is Ansible's dict2items(key_name='key',
// value_name='value').
func filterDict2Items(w *budget, in any, args []any, kwargs map[string]any) (any, error) {
	m, err := dict(in, "dict2items")
	if err != nil {
		return nil, err
	}
	if err := w.step(len(m)); err != nil {
		return nil, err
	}
	kn, err := w.str(param(args, kwargs, 0, "key_name", "key"))
	if err != nil {
		return nil, err
	}
	vn, err := w.str(param(args, kwargs, 1, "value_name", "value"))
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, map[string]any{kn: k, vn: m[k]})
	}
	return out, nil
}

// mapItems is a dict's (key, value) pairs, as two-item lists.
func mapItems(in any) (any, error) {
	m, err := dict(in, "items")
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, []any{k, m[k]})
	}
	return out, nil
}

// mapKeys is a dict's keys.
func mapKeys(in any) (any, error) {
	m, err := dict(in, "keys")
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, k)
	}
	return out, nil
}

// mapValues is a dict's values, in the order of their keys.
func mapValues(in any) (any, error) {
	m, err := dict(in, "values")
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out, nil
}
