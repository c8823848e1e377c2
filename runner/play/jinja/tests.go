package jinja

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// The tests: Jinja2's (tests.py) and Ansible's (plugins/test).

// plainTest makes a testFunc of a test of its input only.
func plainTest(f func(in any) bool) testFunc {
	return testFunc{fn: func(_ *budget, in any, _ []any) (bool, error) { return f(in), nil }}
}

// argTest makes a testFunc of a test with n arguments.
func argTest(lo, hi int, f func(w *budget, in any, args []any) (bool, error)) testFunc {
	return testFunc{fn: f, minArgs: lo, maxArgs: hi}
}

// addTests fills testFuncs.
func addTests() {
	compare := func(op string) testFunc {
		return argTest(1, 1, func(w *budget, in any, args []any) (bool, error) { return compareOp(w, op, in, args[0]) })
	}
	testFuncs = map[string]testFunc{
		"defined":   {fn: func(_ *budget, in any, _ []any) (bool, error) { return !isUndefined(in), nil }, takesUndefined: true},
		"undefined": {fn: func(_ *budget, in any, _ []any) (bool, error) { return isUndefined(in), nil }, takesUndefined: true},
		"none":      plainTest(func(in any) bool { return in == nil }),
		"string":    plainTest(isStr),
		"number":    plainTest(func(in any) bool { return isNumber(in) }),
		"integer":   plainTest(isInt),
		"float":     plainTest(func(in any) bool { _, ok := in.(float64); return ok }),
		"boolean":   plainTest(func(in any) bool { _, ok := in.(bool); return ok }),
		"true":      plainTest(func(in any) bool { return in == true }),
		"false":     plainTest(func(in any) bool { return in == false }),
		"mapping":   plainTest(func(in any) bool { _, ok := in.(*Dict); return ok }),
		"sequence":  plainTest(isIterable),
		"iterable":  plainTest(isIterable),
		"callable":  plainTest(func(in any) bool { _, ok := in.(boundMethod); return ok }),
		"escaped":   plainTest(func(any) bool { return false }),
		"lower": plainTest(func(in any) bool {
			s := Str(in)
			return isCased(s) && strings.ToLower(s) == s
		}),
		"upper": plainTest(func(in any) bool {
			s := Str(in)
			return isCased(s) && strings.ToUpper(s) == s
		}),
		"sameas": argTest(1, 1, func(w *budget, in any, args []any) (bool, error) {
			switch in.(type) {
			case nil, bool:
				return in == args[0], nil
			case int:
				return in == args[0], nil
			}
			return false, nil
		}),
		"divisibleby": argTest(1, 1, func(w *budget, in any, args []any) (bool, error) {
			m, err := arith(w, "%", in, args[0])
			if err != nil {
				return false, err
			}
			return w.equal(m, 0)
		}),
		"even": plainTestErr(func(w *budget, in any) (bool, error) {
			m, err := arith(w, "%", in, 2)
			if err != nil {
				return false, err
			}
			return w.equal(m, 0)
		}),
		"odd": plainTestErr(func(w *budget, in any) (bool, error) {
			m, err := arith(w, "%", in, 2)
			if err != nil {
				return false, err
			}
			return w.equal(m, 1)
		}),
		"eq": compare("=="),
		"ne": compare("!="),
		"lt": compare("<"),
		"le": compare("<="),
		"gt": compare(">"),
		"ge": compare(">="),
		"in": argTest(1, 1, func(w *budget, in any, args []any) (bool, error) { return w.member(in, args[0]) }),
		"filter": argTest(0, 0, func(_ *budget, in any, _ []any) (bool, error) {
			_, ok := filterFuncs[Str(in)]
			return ok, nil
		}),
		"test": argTest(0, 0, func(_ *budget, in any, _ []any) (bool, error) {
			_, ok := testFuncs[Str(in)]
			return ok, nil
		}),
		// Ansible's.
		"failed":      resultTest("failed", func(d *Dict) bool { v, _ := d.Get("failed"); return Truth(v) }),
		"succeeded":   resultTest("failed", func(d *Dict) bool { v, _ := d.Get("failed"); return !Truth(v) }),
		"unreachable": resultTest("unreachable", func(d *Dict) bool { v, _ := d.Get("unreachable"); return Truth(v) }),
		"reachable":   resultTest("unreachable", func(d *Dict) bool { v, _ := d.Get("unreachable"); return !Truth(v) }),
		"changed":     resultTest("changed", resultChanged),
		"skipped":     resultTest("skipped", func(d *Dict) bool { v, _ := d.Get("skipped"); return Truth(v) }),
		"match":       argTest(1, 3, func(w *budget, in any, args []any) (bool, error) { return testRegex(w, in, args, "match") }),
		"search":      argTest(1, 3, func(w *budget, in any, args []any) (bool, error) { return testRegex(w, in, args, "search") }),
		"regex":       argTest(1, 4, testRegexAny),
		"version":     argTest(1, 4, testVersion),
		"any":         plainTestErr(func(w *budget, in any) (bool, error) { return anyAll(w, in, true) }),
		"all":         plainTestErr(func(w *budget, in any) (bool, error) { return anyAll(w, in, false) }),
		"truthy":      argTest(0, 1, testTruthy),
		"falsy": argTest(0, 1, func(w *budget, in any, args []any) (bool, error) {
			t, err := testTruthy(w, in, args)
			return !t, err
		}),
		"subset":   argTest(1, 1, func(w *budget, in any, args []any) (bool, error) { return subset(w, in, args[0]) }),
		"superset": argTest(1, 1, func(w *budget, in any, args []any) (bool, error) { return subset(w, args[0], in) }),
		"contains": argTest(1, 1, func(w *budget, in any, args []any) (bool, error) { return w.member(args[0], in) }),
		"nan":      plainTest(func(in any) bool { f, ok := in.(float64); return ok && math.IsNaN(f) }),
		"abs":      plainTest(func(in any) bool { return strings.HasPrefix(Str(in), "/") }),
	}
	withParams := func(name string, params []string, defaults []any) {
		t := testFuncs[name]
		t.params, t.defaults = params, defaults
		testFuncs[name] = t
	}
	withParams("truthy", []string{"convert_bool"}, []any{false})
	withParams("falsy", []string{"convert_bool"}, []any{false})
	withParams("match", []string{"pattern", "ignorecase", "multiline"}, []any{"", false, false})
	withParams("search", []string{"pattern", "ignorecase", "multiline"}, []any{"", false, false})
	withParams("regex", []string{"pattern", "ignorecase", "multiline", "match_type"}, []any{"", false, false, "search"})
	withParams("version", []string{"version", "operator", "strict", "version_type"}, []any{nil, "eq", nil, nil})
	for alias, name := range map[string]string{
		"==": "eq", "equalto": "eq", "!=": "ne", "<": "lt", "lessthan": "lt", "<=": "le",
		">": "gt", "greaterthan": "gt", ">=": "ge",
		"failure": "failed", "success": "succeeded", "successful": "succeeded",
		"change": "changed", "skip": "skipped", "version_compare": "version",
		"issubset": "subset", "issuperset": "superset", "isnan": "nan", "is_abs": "abs",
	} {
		testFuncs[alias] = testFuncs[name]
	}
}

// plainTestErr makes a testFunc of a test of its input that may fail.
func plainTestErr(f func(w *budget, in any) (bool, error)) testFunc {
	return testFunc{fn: func(w *budget, in any, _ []any) (bool, error) { return f(w, in) }}
}

// isIterable tells whether v is a string, list, tuple or dict.
func isIterable(v any) bool {
	switch v.(type) {
	case string, Unsafe, []any, Tuple, *Dict:
		return true
	}
	return false
}

// isCased tells whether s has a cased character.
func isCased(s string) bool {
	for _, r := range s {
		if unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) {
			return true
		}
	}
	return false
}

// resultTest makes one of Ansible's task result tests, which need a
// dict.
func resultTest(name string, f func(*Dict) bool) testFunc {
	return testFunc{fn: func(_ *budget, in any, _ []any) (bool, error) {
		d, ok := in.(*Dict)
		if !ok {
			return false, fmt.Errorf("The '%s' test expects a dictionary", name)
		}
		return f(d), nil
	}}
}

// resultChanged is Ansible's changed test: the changed key, or when it
// is absent, whether any item of a loop's results changed.
func resultChanged(d *Dict) bool {
	if c, ok := d.Get("changed"); ok {
		return Truth(c)
	}
	rs, _ := d.Get("results")
	l, _ := rs.([]any)
	if len(l) == 0 {
		return false
	}
	if _, ok := l[0].(*Dict); !ok {
		return false
	}
	for _, r := range l {
		if rd, ok := r.(*Dict); ok {
			if c, _ := rd.Get("changed"); Truth(c) {
				return true
			}
		}
	}
	return false
}

// testRegex is Ansible's match (anchored at the start) and search
// tests: (pattern, ignorecase=False, multiline=False).
func testRegex(w *budget, in any, args []any, kind string) (bool, error) {
	s, err := w.str(in)
	if err != nil {
		return false, err
	}
	ic, ml := false, false
	if len(args) > 1 {
		ic = Truth(args[1])
	}
	if len(args) > 2 {
		ml = Truth(args[2])
	}
	re, err := compilePy(Str(args[0]), ic, ml)
	if err != nil {
		return false, err
	}
	if err := w.text(len(s)); err != nil {
		return false, err
	}
	m := re.re.FindStringIndex(s)
	if kind == "match" {
		if m == nil || m[0] != 0 {
			// RE2 finds the leftmost match; an anchored one may start
			// later only if none starts at 0.
			anchored, err := compilePy(`(?:`+Str(args[0])+`)`, ic, ml)
			if err != nil {
				return false, err
			}
			loc := regexp.MustCompile(`\A(?:` + anchored.re.String() + `)`).FindStringIndex(s)
			return loc != nil, nil
		}
		return true, nil
	}
	return m != nil, nil
}

// testRegexAny is Ansible's regex test (pattern, ignorecase, multiline,
// match_type='search').
func testRegexAny(w *budget, in any, args []any) (bool, error) {
	kind := "search"
	if len(args) > 3 {
		kind = Str(args[3])
		args = args[:3]
	}
	if kind != "search" && kind != "match" {
		return false, fmt.Errorf("unsupported match_type %s", kind)
	}
	return testRegex(w, in, args, kind)
}

// testTruthy is Ansible's truthy(convert_bool=False).
func testTruthy(_ *budget, in any, args []any) (bool, error) {
	if len(args) > 0 && Truth(args[0]) {
		if b, ok := ansibleBoolean(in); ok {
			return b, nil
		}
	}
	return Truth(in), nil
}

// ansibleBoolean is module_utils' boolean(value, strict=True).
func ansibleBoolean(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string, Unsafe, int, float64:
		s := strings.ToLower(strings.TrimSpace(Str(x)))
		switch s {
		case "y", "yes", "on", "1", "true", "t", "1.0":
			return true, true
		case "n", "no", "off", "0", "false", "f", "0.0", "":
			return false, true
		}
	}
	return false, false
}

// anyAll is Python's any() and all() of an iterable.
func anyAll(w *budget, in any, isAny bool) (bool, error) {
	l, err := w.items(in)
	if err != nil {
		return false, err
	}
	for _, e := range l {
		if Truth(e) == isAny {
			return isAny, nil
		}
	}
	return !isAny, nil
}

// subset is Python's set(a) <= set(b).
func subset(w *budget, a, b any) (bool, error) {
	la, err := w.items(a)
	if err != nil {
		return false, err
	}
	lb, err := w.items(b)
	if err != nil {
		return false, err
	}
	for _, e := range append(append([]any{}, la...), lb...) {
		if _, err := hashable(e); err != nil {
			return false, err
		}
	}
	for _, e := range la {
		in, err := w.member(e, lb)
		if err != nil || !in {
			return false, err
		}
	}
	return true, nil
}

// testVersion is Ansible's version test (version, operator='eq',
// strict=None, version_type=None), for loose and strict versions.
func testVersion(w *budget, in any, args []any) (bool, error) {
	op := "eq"
	if len(args) > 1 {
		op = Str(args[1])
	}
	strict := len(args) > 2 && Truth(args[2])
	vtype := "loose"
	if len(args) > 3 && args[3] != nil {
		vtype = Str(args[3])
		if strict {
			return false, errors.New("Cannot specify both 'strict' and 'version_type'")
		}
	}
	if strict {
		vtype = "strict"
	}
	ops := map[string]string{"==": "eq", "=": "eq", "eq": "eq", "<": "lt", "lt": "lt", "<=": "le", "le": "le",
		">": "gt", "gt": "gt", ">=": "ge", "ge": "ge", "!=": "ne", "<>": "ne", "ne": "ne"}
	o, ok := ops[op]
	if !ok {
		return false, fmt.Errorf("Invalid operator type (%s). Must be one of '==', '=', 'eq', '<', 'lt', '<=', 'le', '>', 'gt', '>=', 'ge', '!=', '<>', 'ne'", op)
	}
	if !Truth(in) {
		return false, errors.New("Input version value cannot be empty")
	}
	if !Truth(args[0]) {
		return false, errors.New("Version parameter to compare against cannot be empty")
	}
	var parse func(string) ([]any, error)
	switch vtype {
	case "loose":
		parse = looseVersion
	case "strict":
		parse = strictVersion
	default:
		return false, fmt.Errorf("the version type %s is not supported", vtype)
	}
	a, err := parse(Str(in))
	if err != nil {
		return false, fmt.Errorf("Version comparison failed: %v", err)
	}
	b, err := parse(Str(args[0]))
	if err != nil {
		return false, fmt.Errorf("Version comparison failed: %v", err)
	}
	c, err := w.order("<", a, b)
	if err != nil {
		return false, fmt.Errorf("Version comparison failed: %v", err)
	}
	switch o {
	case "eq":
		return c == 0, nil
	case "ne":
		return c != 0, nil
	case "lt":
		return c < 0, nil
	case "le":
		return c <= 0, nil
	case "gt":
		return c > 0, nil
	}
	return c >= 0, nil
}

var looseComponent = regexp.MustCompile(`(\d+|[a-z]+|\.)`)

// looseVersion is distutils' LooseVersion: numbers and words.
func looseVersion(s string) ([]any, error) {
	var out []any
	parts := looseComponent.Split(s, -1)
	matches := looseComponent.FindAllString(s, -1)
	all := []string{}
	for i, p := range parts {
		if p != "" {
			all = append(all, p)
		}
		if i < len(matches) {
			all = append(all, matches[i])
		}
	}
	for _, p := range all {
		if p == "." || p == "" {
			continue
		}
		if n, err := strconv.Atoi(p); err == nil {
			out = append(out, n)
		} else if b, ok := new(big.Int).SetString(p, 10); ok {
			out = append(out, normBig(b))
		} else {
			out = append(out, p)
		}
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

var strictRE = regexp.MustCompile(`^(\d+)\.(\d+)(\.(\d+))?([ab](\d+))?$`)

// strictVersion is distutils' StrictVersion, as a comparable list.
func strictVersion(s string) ([]any, error) {
	m := strictRE.FindStringSubmatch(s)
	if m == nil {
		return nil, fmt.Errorf("invalid version number '%s'", s)
	}
	n := func(x string) any {
		if x == "" {
			return 0
		}
		v, _ := strconv.Atoi(x)
		return v
	}
	out := []any{n(m[1]), n(m[2]), n(m[4])}
	if m[5] != "" {
		out = append(out, Tuple{m[5][:1], n(m[6])})
	} else {
		out = append(out, Tuple{"~"})
	}
	return out, nil
}
