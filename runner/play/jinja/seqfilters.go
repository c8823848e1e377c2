package jinja

import (
	"errors"
	"fmt"
)

// The filters over lists and dicts: Jinja2's select, reject, selectattr,
// rejectattr, map, sum and items, and Ansible's dict2items and
// items2dict. Dicts are walked in the order of their keys.

// addSeqFilters adds these filters.
func addSeqFilters() {
	variadic := signature{variadic: true}
	filterFuncs["select"] = filterFunc{sig: variadic, fn: func(a *fargs) (any, error) { return selectItems(a, nil, a.rest, true) }}
	filterFuncs["reject"] = filterFunc{sig: variadic, fn: func(a *fargs) (any, error) { return selectItems(a, nil, a.rest, false) }}
	filterFuncs["selectattr"] = filterFunc{sig: variadic, fn: func(a *fargs) (any, error) { return selectAttr(a, true) }, check: checkTestName(1)}
	filterFuncs["rejectattr"] = filterFunc{sig: variadic, fn: func(a *fargs) (any, error) { return selectAttr(a, false) }, check: checkTestName(1)}
	filterFuncs["map"] = filterFunc{sig: signature{variadic: true, anyKw: true}, fn: filterMap, check: checkMap}
	filterFuncs["sum"] = filterFunc{sig: sig(0, "attribute", "start"), fn: filterSum}
	filterFuncs["items"] = filterFunc{fn: filterItems}
	filterFuncs["dict2items"] = filterFunc{sig: sig(0, "key_name", "value_name"), fn: filterDict2Items}
	filterFuncs["items2dict"] = filterFunc{sig: sig(0, "key_name", "value_name"), fn: filterItems2Dict}
	for _, name := range []string{"select", "reject"} {
		f := filterFuncs[name]
		f.check = checkTestName(0)
		filterFuncs[name] = f
	}
}

// checkTestName checks, when a template is parsed, that the test named
// by argument i of select, reject, selectattr or rejectattr exists.
func checkTestName(i int) func([]node, []kwarg) error {
	return func(args []node, kwargs []kwarg) error {
		if len(kwargs) > 0 {
			return errors.New("takes no keyword arguments")
		}
		if i == 1 && len(args) == 0 {
			return errors.New("missing the attribute to test")
		}
		if len(args) <= i {
			return nil
		}
		if lit, ok := args[i].(litExpr); ok {
			name, ok := lit.val.(string)
			if !ok {
				return fmt.Errorf("the test name must be a string, found %s", Repr(lit.val))
			}
			if _, ok := testFuncs[name]; !ok {
				return fmt.Errorf("no test named '%s'", name)
			}
		}
		return nil
	}
}

// checkMap checks map's arguments when a template is parsed: a filter
// name that exists, or attribute= (with default=).
func checkMap(args []node, kwargs []kwarg) error {
	hasAttr := false
	for _, kw := range kwargs {
		if kw.name == "attribute" {
			hasAttr = true
		}
	}
	if hasAttr {
		for _, kw := range kwargs {
			if kw.name != "attribute" && kw.name != "default" {
				return fmt.Errorf("unexpected keyword argument '%s'", kw.name)
			}
		}
		if len(args) > 0 {
			return errors.New("takes either an attribute or a filter, not both")
		}
		return nil
	}
	if len(args) == 0 {
		return errors.New("needs a filter name or attribute=")
	}
	if lit, ok := args[0].(litExpr); ok {
		name, ok := lit.val.(string)
		if !ok {
			return fmt.Errorf("the filter name must be a string, found %s", Repr(lit.val))
		}
		f, ok := filterFuncs[name]
		if !ok {
			if msg, refused := refusedFilters[name]; refused {
				return fmt.Errorf("the filter %s is not supported: %s", name, msg)
			}
			return fmt.Errorf("no filter named '%s'", name)
		}
		if err := f.sig.check(name, len(args)-1, kwargs); err != nil {
			return err
		}
	}
	return nil
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
	t, ok := testFuncs[name]
	if !ok {
		return false, fmt.Errorf("No test named '%s' found.", name)
	}
	if len(args) < t.minArgs || len(args) > t.maxArgs {
		return false, fmt.Errorf("test %s takes %s", name, argCount(t.minArgs, t.maxArgs))
	}
	if u, ok := v.(undefined); ok && !t.takesUndefined {
		return false, u.err()
	}
	return t.fn(w, v, args)
}

// selectItems is Jinja2's select(test, args...) and reject; get, when
// set, gives the value tested (selectattr, rejectattr).
func selectItems(a *fargs, get func(any) (any, error), args []any, keep bool) (any, error) {
	list, err := a.w.items(a.in)
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
		if err := a.w.step(1); err != nil {
			return nil, err
		}
		v := e
		if get != nil {
			if v, err = get(e); err != nil {
				return nil, err
			}
		}
		ok, err := applyTest(a.w, v, test, args)
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
func selectAttr(a *fargs, keep bool) (any, error) {
	if len(a.rest) == 0 {
		return nil, errors.New("missing the attribute to test")
	}
	return selectItems(a, attrGetter(a, a.rest[0], false), a.rest[1:], keep)
}

// filterMap is Jinja2's map: map(attribute='a.b', default=x) takes an
// attribute of each item, map('filter', args...) applies a filter to
// each item.
func filterMap(a *fargs) (any, error) {
	list, err := a.w.items(a.in)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(list))
	if attr, ok := a.kw["attribute"]; ok {
		get := attrGetter(a, attr, false)
		def, hasDef := a.kw["default"]
		for _, e := range list {
			if err := a.w.step(1); err != nil {
				return nil, err
			}
			v, err := get(e)
			if err != nil {
				return nil, err
			}
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
	if len(a.rest) == 0 {
		return nil, errors.New("map needs a filter name or attribute=")
	}
	name, ok := a.rest[0].(string)
	if !ok {
		return nil, fmt.Errorf("the filter name must be a string, got %s", typeName(a.rest[0]))
	}
	f, ok := filterFuncs[name]
	if !ok {
		return nil, fmt.Errorf("No filter named '%s' found.", name)
	}
	if err := f.sig.check(name, len(a.rest)-1, nil); err != nil {
		return nil, err
	}
	total := elementSize
	for _, e := range list {
		if err := a.w.step(1); err != nil {
			return nil, err
		}
		if u, ok := e.(undefined); ok && !f.takesUndefined {
			return nil, u.err()
		}
		v, err := f.fn(bind(a.w, a.ev, e, f.sig, a.rest[1:], a.kw))
		if err == nil {
			err = a.w.add(&total, v)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// filterSum is Jinja2's sum(attribute=None, start=0). A run of strings
// or of lists is joined in one pass, not copied again at each element.
func filterSum(a *fargs) (any, error) {
	list, err := a.w.items(a.in)
	if err != nil {
		return nil, err
	}
	if err := a.w.step(len(list)); err != nil {
		return nil, err
	}
	vals := list
	if attr := a.arg(0, nil); attr != nil {
		if vals, err = attrValues(a, list, attr); err != nil {
			return nil, err
		}
		for _, v := range vals {
			if u, ok := v.(undefined); ok {
				return nil, u.err()
			}
		}
	}
	total := a.arg(1, 0)
	for i := 0; i < len(vals); {
		if t, ok := total.([]any); ok {
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
				if err := a.w.check(out); err != nil {
					return nil, err
				}
				total = out
				continue
			}
		}
		if isStr(total) || isStr(vals[i]) {
			if isNumber(total) {
				return nil, typeErrorf("unsupported operand type(s) for +: '%s' and 'str'", typeName(total))
			}
		}
		if total, err = arith(a.w, "+", total, vals[i]); err != nil {
			return nil, err
		}
		i++
	}
	return total, nil
}

// filterItems is Jinja2's items: a dict's (key, value) pairs.
func filterItems(a *fargs) (any, error) {
	if isUndefined(a.in) {
		return []any{}, nil
	}
	d, ok := a.in.(*Dict)
	if !ok {
		return nil, errors.New("Can only get item pairs from a mapping.")
	}
	return dictItems(a.w, d)
}

// dictItems is a dict's (key, value) pairs, as tuples, in order.
func dictItems(w *budget, d *Dict) (any, error) {
	if err := w.step(d.Len()); err != nil {
		return nil, err
	}
	out := make([]any, 0, d.Len())
	for k, v := range d.All() {
		out = append(out, Tuple{k, v})
	}
	return out, nil
}

// pyType is Python's repr of a value's type, for Ansible's messages.
func pyType(v any) string {
	return "<class '" + typeName(v) + "'>"
}

// filterDict2Items is Ansible's dict2items(key_name='key',
// value_name='value').
func filterDict2Items(a *fargs) (any, error) {
	d, ok := a.in.(*Dict)
	if !ok {
		return nil, typeErrorf("dict2items requires a dictionary, got %s instead.", pyType(a.in))
	}
	if err := a.w.step(d.Len()); err != nil {
		return nil, err
	}
	kn, err := dictKey(a.arg(0, "key"))
	if err != nil {
		return nil, err
	}
	vn, err := dictKey(a.arg(1, "value"))
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, d.Len())
	for k, v := range d.All() {
		e := NewDict(2)
		e.Set(kn, k)
		e.Set(vn, v)
		out = append(out, e)
	}
	return out, nil
}

// filterItems2Dict is Ansible's items2dict(key_name='key',
// value_name='value').
func filterItems2Dict(a *fargs) (any, error) {
	list, ok := seqOf(a.in)
	if !ok {
		return nil, typeErrorf("items2dict requires a list, got %s instead.", pyType(a.in))
	}
	kn, vn := Str(a.arg(0, "key")), Str(a.arg(1, "value"))
	out := NewDict(len(list))
	for _, e := range list {
		if err := a.w.step(1); err != nil {
			return nil, err
		}
		m, ok := e.(*Dict)
		if !ok {
			return nil, typeErrorf("items2dict requires a list of dictionaries, got %s instead.", Repr(a.in))
		}
		k, okK := m.Get(kn)
		v, okV := m.Get(vn)
		if !okK || !okV {
			return nil, fmt.Errorf("items2dict requires each dictionary in the list to contain the keys '%s' and '%s', got %s instead.", kn, vn, Repr(a.in))
		}
		key, err := dictKey(k)
		if err != nil {
			return nil, err
		}
		out.Set(key, v)
	}
	return out, nil
}
