package play

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// A filterFunc is one filter: `in | name(args, key=value)`.
type filterFunc struct {
	fn func(in any, args []any, kwargs map[string]any) (any, error)
	// takesUndefined lets the filter see an undefined input (default,
	// mandatory); other filters fail on one.
	takesUndefined bool
}

// A testFunc is one test: `in is name(args)`.
type testFunc struct {
	fn             func(in any, args []any) (bool, error)
	takesUndefined bool
}

// The filters and tests of the expression language: the handful users
// reach for in task files, with Jinja2's and Ansible's semantics.
var (
	filterFuncs map[string]filterFunc
	testFuncs   map[string]testFunc
)

func init() {
	filterFuncs = map[string]filterFunc{
		"default":      {fn: filterDefault, takesUndefined: true},
		"d":            {fn: filterDefault, takesUndefined: true},
		"mandatory":    {fn: filterMandatory, takesUndefined: true},
		"bool":         {fn: filterBool},
		"int":          {fn: filterInt},
		"float":        {fn: filterFloat},
		"string":       {fn: func(in any, _ []any, _ map[string]any) (any, error) { return pyStr(in), nil }},
		"length":       {fn: filterLength},
		"count":        {fn: filterLength},
		"join":         {fn: filterJoin},
		"lower":        {fn: func(in any, _ []any, _ map[string]any) (any, error) { return strings.ToLower(pyStr(in)), nil }},
		"upper":        {fn: func(in any, _ []any, _ map[string]any) (any, error) { return strings.ToUpper(pyStr(in)), nil }},
		"trim":         {fn: filterTrim},
		"first":        {fn: filterFirst},
		"last":         {fn: filterLast},
		"replace":      {fn: filterReplace},
		"split":        {fn: filterSplit},
		"list":         {fn: filterList},
		"sort":         {fn: filterSort},
		"unique":       {fn: filterUnique},
		"min":          {fn: func(in any, _ []any, _ map[string]any) (any, error) { return extreme(in, -1) }},
		"max":          {fn: func(in any, _ []any, _ map[string]any) (any, error) { return extreme(in, 1) }},
		"to_json":      {fn: func(in any, _ []any, _ map[string]any) (any, error) { return pyJSON(in, 0), nil }},
		"to_nice_json": {fn: func(in any, _ []any, _ map[string]any) (any, error) { return pyJSON(in, 4), nil }},
		"from_json":    {fn: filterFromJSON},
	}
	testFuncs = map[string]testFunc{
		"defined":    {fn: func(in any, _ []any) (bool, error) { return !isUndefined(in), nil }, takesUndefined: true},
		"undefined":  {fn: func(in any, _ []any) (bool, error) { return isUndefined(in), nil }, takesUndefined: true},
		"none":       {fn: func(in any, _ []any) (bool, error) { return in == nil, nil }},
		"string":     {fn: func(in any, _ []any) (bool, error) { _, ok := in.(string); return ok, nil }},
		"number":     {fn: func(in any, _ []any) (bool, error) { _, ok := number(in); return ok, nil }},
		"integer":    {fn: func(in any, _ []any) (bool, error) { _, ok := in.(int); return ok, nil }},
		"float":      {fn: func(in any, _ []any) (bool, error) { _, ok := in.(float64); return ok, nil }},
		"boolean":    {fn: func(in any, _ []any) (bool, error) { _, ok := in.(bool); return ok, nil }},
		"true":       {fn: func(in any, _ []any) (bool, error) { return in == true, nil }},
		"false":      {fn: func(in any, _ []any) (bool, error) { return in == false, nil }},
		"mapping":    {fn: func(in any, _ []any) (bool, error) { _, ok := in.(map[string]any); return ok, nil }},
		"sequence":   {fn: testSequence},
		"iterable":   {fn: testSequence},
		"failed":     {fn: testFailed},
		"failure":    {fn: testFailed},
		"succeeded":  {fn: testSucceeded},
		"success":    {fn: testSucceeded},
		"successful": {fn: testSucceeded},
		"changed":    {fn: testChanged},
		"change":     {fn: testChanged},
		"skipped":    {fn: testSkipped},
		"skip":       {fn: testSkipped},
		"match":      {fn: func(in any, args []any) (bool, error) { return testRegex(in, args, "match") }},
		"search":     {fn: func(in any, args []any) (bool, error) { return testRegex(in, args, "search") }},
		"regex":      {fn: func(in any, args []any) (bool, error) { return testRegex(in, args, "search") }},
	}
	addSeqFilters()
}

func filterNames() []string { return sortedNames(filterFuncs) }
func testNames() []string   { return sortedNames(testFuncs) }

func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// param returns the i'th positional argument, or the keyword argument
// name, or def.
func param(args []any, kwargs map[string]any, i int, name string, def any) any {
	if i < len(args) {
		return args[i]
	}
	if v, ok := kwargs[name]; ok {
		return v
	}
	return def
}

// filterDefault is Jinja's default(value="", boolean=false): value when
// the input is undefined, or with boolean also when it is false.
func filterDefault(in any, args []any, kwargs map[string]any) (any, error) {
	def := param(args, kwargs, 0, "default_value", "")
	boolean := truthy(param(args, kwargs, 1, "boolean", false))
	if isUndefined(in) || (boolean && !truthy(in)) {
		return def, nil
	}
	return in, nil
}

// filterMandatory is Ansible's mandatory: an undefined input is an error.
func filterMandatory(in any, args []any, kwargs map[string]any) (any, error) {
	if u, ok := in.(undefined); ok {
		if msg := param(args, kwargs, 0, "msg", nil); msg != nil {
			return nil, errors.New(pyStr(msg))
		}
		return nil, &undefinedError{Name: u.name, Msg: fmt.Sprintf("Mandatory variable '%s' not defined.", u.name)}
	}
	return in, nil
}

// toBool is Ansible's bool filter: true for true, 1, and the strings
// yes, on, 1 and true in any case; None stays None; all else is false.
func toBool(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case bool:
		return x
	case string:
		switch strings.ToLower(x) {
		case "yes", "on", "1", "true":
			return true
		}
		return false
	}
	if f, ok := number(v); ok {
		return f == 1
	}
	return false
}

func filterBool(in any, _ []any, _ map[string]any) (any, error) { return toBool(in), nil }

// filterInt is Jinja's int(default=0, base=10).
func filterInt(in any, args []any, kwargs map[string]any) (any, error) {
	def := param(args, kwargs, 0, "default", 0)
	base, ok := param(args, kwargs, 1, "base", 10).(int)
	if !ok || base < 2 || base > 36 {
		return nil, errors.New("base must be an int from 2 to 36")
	}
	switch x := in.(type) {
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case int:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) >= 1<<63 {
			return def, nil
		}
		return int(x), nil
	case string:
		s := strings.ReplaceAll(strings.TrimSpace(x), "_", "")
		if n, err := strconv.ParseInt(s, base, 64); err == nil {
			return int(n), nil
		}
		if base == 10 {
			if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) && math.Abs(f) < 1<<63 {
				return int(f), nil
			}
		}
	}
	return def, nil
}

// filterFloat is Jinja's float(default=0.0).
func filterFloat(in any, args []any, kwargs map[string]any) (any, error) {
	def := param(args, kwargs, 0, "default", 0.0)
	if f, ok := number(in); ok {
		return f, nil
	}
	if s, ok := in.(string); ok {
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			return f, nil
		}
	}
	return def, nil
}

func filterLength(in any, _ []any, _ map[string]any) (any, error) {
	switch x := in.(type) {
	case string:
		return len([]rune(x)), nil
	case []any:
		return len(x), nil
	case map[string]any:
		return len(x), nil
	}
	return nil, fmt.Errorf("object of type '%s' has no len()", typeName(in))
}

// items returns the elements of a list, the characters of a string or the
// keys of a dict.
func items(in any) ([]any, error) {
	switch x := in.(type) {
	case []any:
		return x, nil
	case string:
		out := []any{}
		for _, r := range x {
			out = append(out, string(r))
		}
		return out, nil
	case map[string]any:
		out := []any{}
		for _, k := range sortedKeys(x) {
			out = append(out, k)
		}
		return out, nil
	}
	return nil, fmt.Errorf("'%s' object is not iterable", typeName(in))
}

func filterJoin(in any, args []any, kwargs map[string]any) (any, error) {
	sep := pyStr(param(args, kwargs, 0, "d", ""))
	list, err := items(in)
	if err != nil {
		return nil, err
	}
	parts := make([]string, len(list))
	for i, e := range list {
		parts[i] = pyStr(e)
	}
	return strings.Join(parts, sep), nil
}

func filterTrim(in any, args []any, kwargs map[string]any) (any, error) {
	s := pyStr(in)
	if chars := param(args, kwargs, 0, "chars", nil); chars != nil {
		return strings.Trim(s, pyStr(chars)), nil
	}
	return strings.TrimFunc(s, unicode.IsSpace), nil
}

func filterFirst(in any, _ []any, _ map[string]any) (any, error) {
	list, err := items(in)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return undefined{msg: "No first item, sequence was empty."}, nil
	}
	return list[0], nil
}

func filterLast(in any, _ []any, _ map[string]any) (any, error) {
	list, err := items(in)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return undefined{msg: "No last item, sequence was empty."}, nil
	}
	return list[len(list)-1], nil
}

func filterReplace(in any, args []any, kwargs map[string]any) (any, error) {
	if len(args) < 2 {
		return nil, errors.New("replace needs the old and the new text")
	}
	n := -1
	if c, ok := param(args, kwargs, 2, "count", nil).(int); ok {
		n = c
	}
	return strings.Replace(pyStr(in), pyStr(args[0]), pyStr(args[1]), n), nil
}

// filterSplit is Ansible's split(sep=None, maxsplit=-1), that is Python's
// str.split: without a separator, runs of white space separate.
func filterSplit(in any, args []any, kwargs map[string]any) (any, error) {
	s, ok := in.(string)
	if !ok {
		return nil, fmt.Errorf("split needs a string, got %s", typeName(in))
	}
	n := -1
	if m, ok := param(args, kwargs, 1, "maxsplit", -1).(int); ok && m >= 0 {
		n = m + 1
	}
	var parts []string
	if sep := param(args, kwargs, 0, "sep", nil); sep != nil {
		if pyStr(sep) == "" {
			return nil, errors.New("empty separator")
		}
		parts = strings.SplitN(s, pyStr(sep), n)
	} else {
		rest := strings.TrimLeftFunc(s, unicode.IsSpace)
		for rest != "" && (n < 0 || len(parts) < n-1) {
			i := strings.IndexFunc(rest, unicode.IsSpace)
			if i < 0 {
				break
			}
			parts = append(parts, rest[:i])
			rest = strings.TrimLeftFunc(rest[i:], unicode.IsSpace)
		}
		if rest != "" {
			parts = append(parts, rest)
		}
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func filterList(in any, _ []any, _ map[string]any) (any, error) {
	list, err := items(in)
	if err != nil {
		return nil, err
	}
	return append([]any{}, list...), nil
}

// filterSort is Jinja's sort(reverse=false, case_sensitive=false).
func filterSort(in any, args []any, kwargs map[string]any) (any, error) {
	list, err := items(in)
	if err != nil {
		return nil, err
	}
	reverse := truthy(param(args, kwargs, 0, "reverse", false))
	caseSensitive := truthy(param(args, kwargs, 1, "case_sensitive", false))
	key := func(v any) any {
		if s, ok := v.(string); ok && !caseSensitive {
			return strings.ToLower(s)
		}
		return v
	}
	out := append([]any{}, list...)
	var sortErr error
	slices.SortStableFunc(out, func(a, b any) int {
		c, err := order("<", key(a), key(b))
		if err != nil && sortErr == nil {
			sortErr = err
		}
		if reverse {
			return -c
		}
		return c
	})
	if sortErr != nil {
		return nil, sortErr
	}
	return out, nil
}

func filterUnique(in any, _ []any, _ map[string]any) (any, error) {
	list, err := items(in)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, e := range list {
		if !slices.ContainsFunc(out, func(o any) bool { return equal(o, e) }) {
			out = append(out, e)
		}
	}
	return out, nil
}

// extreme returns the smallest (sign -1) or largest (sign 1) element.
func extreme(in any, sign int) (any, error) {
	list, err := items(in)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return undefined{msg: "No aggregated item, sequence was empty."}, nil
	}
	best := list[0]
	for _, e := range list[1:] {
		c, err := order("<", e, best)
		if err != nil {
			return nil, err
		}
		if c*sign > 0 {
			best = e
		}
	}
	return best, nil
}

func filterFromJSON(in any, _ []any, _ map[string]any) (any, error) {
	s, ok := in.(string)
	if !ok {
		return nil, fmt.Errorf("from_json needs a string, got %s", typeName(in))
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, err
	}
	return normalizeJSON(v), nil
}

func testSequence(in any, _ []any) (bool, error) {
	switch in.(type) {
	case string, []any, map[string]any:
		return true, nil
	}
	return false, nil
}

// result returns in as a task result for the result tests.
func result(in any, test string) (map[string]any, error) {
	m, ok := in.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the '%s' test expects a dictionary", test)
	}
	return m, nil
}

func testFailed(in any, _ []any) (bool, error) {
	m, err := result(in, "failed")
	if err != nil {
		return false, err
	}
	return truthy(m["failed"]), nil
}

func testSucceeded(in any, _ []any) (bool, error) {
	m, err := result(in, "succeeded")
	if err != nil {
		return false, err
	}
	return !truthy(m["failed"]), nil
}

// testChanged is Ansible's changed test: the changed key, or when it is
// absent, whether any item of a loop's results changed.
func testChanged(in any, _ []any) (bool, error) {
	m, err := result(in, "changed")
	if err != nil {
		return false, err
	}
	if c, ok := m["changed"]; ok {
		return truthy(c), nil
	}
	if rs, ok := m["results"].([]any); ok {
		for _, r := range rs {
			if rm, ok := r.(map[string]any); ok && truthy(rm["changed"]) {
				return true, nil
			}
		}
	}
	return false, nil
}

func testSkipped(in any, _ []any) (bool, error) {
	m, err := result(in, "skipped")
	if err != nil {
		return false, err
	}
	return truthy(m["skipped"]), nil
}

// testRegex is Ansible's match (anchored at the start) and search tests.
// Patterns are Go's RE2 syntax, which agrees with Python's re for the
// common cases (no backreferences or lookaround).
func testRegex(in any, args []any, kind string) (bool, error) {
	s, ok := in.(string)
	if !ok {
		return false, fmt.Errorf("%s needs a string, got %s", kind, typeName(in))
	}
	if len(args) != 1 {
		return false, fmt.Errorf("%s needs one pattern", kind)
	}
	pat := pyStr(args[0])
	if kind == "match" {
		pat = `\A(?:` + pat + `)`
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return false, err
	}
	return re.MatchString(s), nil
}
