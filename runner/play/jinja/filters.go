package jinja

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
	"unicode/utf8"
)

// A filterFunc is one filter: `in | name(args, key=value)`. It runs
// within the budget of the evaluation: a filter whose work grows with its
// input takes its steps, and one that builds text checks its size before
// building it. The evaluator checks the size of what it returns, unless
// it picks.
type filterFunc struct {
	fn func(w *budget, in any, args []any, kwargs map[string]any) (any, error)
	// takesUndefined lets the filter see an undefined input (default,
	// mandatory); other filters fail on one.
	takesUndefined bool
	// picks tells that the filter returns its input, an element of it or
	// an argument, and builds no value.
	picks bool
}

// A testFunc is one test: `in is name(args)`, within the budget of the
// evaluation.
type testFunc struct {
	fn             func(w *budget, in any, args []any) (bool, error)
	takesUndefined bool
}

// plain makes a filterFunc's fn of a filter whose work is small: a
// constant, or a single pass over a string.
func plain(f func(in any, args []any, kwargs map[string]any) (any, error)) func(*budget, any, []any, map[string]any) (any, error) {
	return func(_ *budget, in any, args []any, kwargs map[string]any) (any, error) { return f(in, args, kwargs) }
}

// plainTest makes a testFunc's fn of a test whose work is a constant.
func plainTest(f func(in any, args []any) (bool, error)) func(*budget, any, []any) (bool, error) {
	return func(_ *budget, in any, args []any) (bool, error) { return f(in, args) }
}

// The filters and tests of the expression language: the handful users
// reach for in task files, with Jinja2's and Ansible's semantics.
var (
	filterFuncs map[string]filterFunc
	testFuncs   map[string]testFunc
)

func init() {
	filterFuncs = map[string]filterFunc{
		"default":   {fn: plain(filterDefault), takesUndefined: true, picks: true},
		"d":         {fn: plain(filterDefault), takesUndefined: true, picks: true},
		"mandatory": {fn: plain(filterMandatory), takesUndefined: true, picks: true},
		"bool":      {fn: plain(filterBool)},
		"int":       {fn: plain(filterInt)},
		"float":     {fn: plain(filterFloat)},
		"string":    {fn: func(w *budget, in any, _ []any, _ map[string]any) (any, error) { return w.str(in) }},
		"length":    {fn: plain(filterLength)},
		"count":     {fn: plain(filterLength)},
		"join":      {fn: filterJoin},
		"lower": {fn: func(w *budget, in any, _ []any, _ map[string]any) (any, error) {
			return textFilter(w, in, strings.ToLower)
		}},
		"upper": {fn: func(w *budget, in any, _ []any, _ map[string]any) (any, error) {
			return textFilter(w, in, strings.ToUpper)
		}},
		"trim":    {fn: filterTrim},
		"first":   {fn: filterFirst, picks: true},
		"last":    {fn: filterLast, picks: true},
		"replace": {fn: filterReplace},
		"split":   {fn: filterSplit},
		"list":    {fn: filterList},
		"sort":    {fn: filterSort},
		"unique":  {fn: filterUnique},
		"min":     {fn: func(w *budget, in any, _ []any, _ map[string]any) (any, error) { return extreme(w, in, -1) }, picks: true},
		"max":     {fn: func(w *budget, in any, _ []any, _ map[string]any) (any, error) { return extreme(w, in, 1) }, picks: true},
		"to_json": {fn: func(w *budget, in any, _ []any, _ map[string]any) (any, error) {
			return boundedJSON(w, in, 0)
		}},
		"to_nice_json": {fn: func(w *budget, in any, _ []any, _ map[string]any) (any, error) {
			return boundedJSON(w, in, 4)
		}},
		"from_json": {fn: filterFromJSON},
	}
	testFuncs = map[string]testFunc{
		"defined":    {fn: plainTest(func(in any, _ []any) (bool, error) { return !isUndefined(in), nil }), takesUndefined: true},
		"undefined":  {fn: plainTest(func(in any, _ []any) (bool, error) { return isUndefined(in), nil }), takesUndefined: true},
		"none":       {fn: plainTest(func(in any, _ []any) (bool, error) { return in == nil, nil })},
		"string":     {fn: plainTest(func(in any, _ []any) (bool, error) { _, ok := in.(string); return ok, nil })},
		"number":     {fn: plainTest(func(in any, _ []any) (bool, error) { _, ok := number(in); return ok, nil })},
		"integer":    {fn: plainTest(func(in any, _ []any) (bool, error) { _, ok := in.(int); return ok, nil })},
		"float":      {fn: plainTest(func(in any, _ []any) (bool, error) { _, ok := in.(float64); return ok, nil })},
		"boolean":    {fn: plainTest(func(in any, _ []any) (bool, error) { _, ok := in.(bool); return ok, nil })},
		"true":       {fn: plainTest(func(in any, _ []any) (bool, error) { return in == true, nil })},
		"false":      {fn: plainTest(func(in any, _ []any) (bool, error) { return in == false, nil })},
		"mapping":    {fn: plainTest(func(in any, _ []any) (bool, error) { _, ok := in.(map[string]any); return ok, nil })},
		"sequence":   {fn: plainTest(testSequence)},
		"iterable":   {fn: plainTest(testSequence)},
		"failed":     {fn: plainTest(testFailed)},
		"failure":    {fn: plainTest(testFailed)},
		"succeeded":  {fn: plainTest(testSucceeded)},
		"success":    {fn: plainTest(testSucceeded)},
		"successful": {fn: plainTest(testSucceeded)},
		"changed":    {fn: testChanged},
		"change":     {fn: testChanged},
		"skipped":    {fn: plainTest(testSkipped)},
		"skip":       {fn: plainTest(testSkipped)},
		"match":      {fn: func(w *budget, in any, args []any) (bool, error) { return testRegex(w, in, args, "match") }},
		"search":     {fn: func(w *budget, in any, args []any) (bool, error) { return testRegex(w, in, args, "search") }},
		"regex":      {fn: func(w *budget, in any, args []any) (bool, error) { return testRegex(w, in, args, "search") }},
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
	boolean := Truth(param(args, kwargs, 1, "boolean", false))
	if isUndefined(in) || (boolean && !Truth(in)) {
		return def, nil
	}
	return in, nil
}

// filterMandatory is Ansible's mandatory: an undefined input is an error.
func filterMandatory(in any, args []any, kwargs map[string]any) (any, error) {
	if u, ok := in.(undefined); ok {
		if msg := param(args, kwargs, 0, "msg", nil); msg != nil {
			return nil, errors.New(Str(msg))
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

// Bool is the truth of Ansible's bool filter: true for true, 1, and the
// strings yes, on, 1 and true in any case; false for all else.
func Bool(v any) bool { return Truth(toBool(v)) }

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

// Int is Jinja's int filter with its defaults: a number (or boolean) as
// an int, truncated; the text of one, likewise; 0 for all else.
func Int(v any) int {
	n, _ := filterInt(v, nil, nil)
	i, _ := n.(int)
	return i
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
		return utf8.RuneCountInString(x), nil
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

func filterJoin(w *budget, in any, args []any, kwargs map[string]any) (any, error) {
	sep, err := w.str(param(args, kwargs, 0, "d", ""))
	if err != nil {
		return nil, err
	}
	list, err := w.items(in)
	if err != nil {
		return nil, err
	}
	parts := make([]string, len(list))
	n := 0
	for i, e := range list {
		if err := w.step(1); err != nil {
			return nil, err
		}
		if parts[i], err = w.str(e); err != nil {
			return nil, err
		}
		if i > 0 {
			n += len(sep)
		}
		if n += len(parts[i]); n > maxStringSize {
			return nil, stringTooLarge()
		}
	}
	if err := w.text(n); err != nil {
		return nil, err
	}
	return strings.Join(parts, sep), nil
}

// textFilter applies f, a function of one pass over a string, to the
// text of in.
func textFilter(w *budget, in any, f func(string) string) (any, error) {
	s, err := w.str(in)
	if err != nil {
		return nil, err
	}
	if err := w.text(len(s)); err != nil {
		return nil, err
	}
	return f(s), nil
}

func filterTrim(w *budget, in any, args []any, kwargs map[string]any) (any, error) {
	if chars := param(args, kwargs, 0, "chars", nil); chars != nil {
		cs, err := w.str(chars)
		if err != nil {
			return nil, err
		}
		return textFilter(w, in, func(s string) string { return strings.Trim(s, cs) })
	}
	return textFilter(w, in, func(s string) string { return strings.TrimFunc(s, unicode.IsSpace) })
}

func filterFirst(w *budget, in any, _ []any, _ map[string]any) (any, error) {
	if s, ok := in.(string); ok {
		if r, _, ok := runeAt(s, 0); ok {
			return r, nil
		}
		return undefined{msg: "No first item, sequence was empty."}, nil
	}
	list, err := w.items(in)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return undefined{msg: "No first item, sequence was empty."}, nil
	}
	return list[0], nil
}

func filterLast(w *budget, in any, _ []any, _ map[string]any) (any, error) {
	if s, ok := in.(string); ok {
		if s == "" {
			return undefined{msg: "No last item, sequence was empty."}, nil
		}
		_, size := utf8.DecodeLastRuneInString(s)
		return s[len(s)-size:], nil
	}
	list, err := w.items(in)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return undefined{msg: "No last item, sequence was empty."}, nil
	}
	return list[len(list)-1], nil
}

func filterReplace(w *budget, in any, args []any, kwargs map[string]any) (any, error) {
	if len(args) < 2 {
		return nil, errors.New("replace needs the old and the new text")
	}
	n := -1
	if c, ok := param(args, kwargs, 2, "count", nil).(int); ok {
		n = c
	}
	var texts [3]string
	for i, v := range []any{in, args[0], args[1]} {
		var err error
		if texts[i], err = w.str(v); err != nil {
			return nil, err
		}
	}
	s, old, repl := texts[0], texts[1], texts[2]
	k := strings.Count(s, old)
	if n >= 0 && n < k {
		k = n
	}
	if err := w.checkString(len(s) + k*(len(repl)-len(old))); err != nil {
		return nil, err
	}
	return strings.Replace(s, old, repl, n), nil
}

// filterSplit is Ansible's split(sep=None, maxsplit=-1), that is Python's
// str.split: without a separator, runs of white space separate.
func filterSplit(w *budget, in any, args []any, kwargs map[string]any) (any, error) {
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
		sepText, err := w.str(sep)
		if err != nil {
			return nil, err
		}
		if sepText == "" {
			return nil, errors.New("empty separator")
		}
		if k := strings.Count(s, sepText) + 1; (n < 0 || n > maxElements) && k > maxElements {
			return nil, listTooLarge()
		}
		parts = strings.SplitN(s, sepText, n)
	} else {
		rest := strings.TrimLeftFunc(s, unicode.IsSpace)
		for rest != "" && (n < 0 || len(parts) < n-1) {
			i := strings.IndexFunc(rest, unicode.IsSpace)
			if i < 0 {
				break
			}
			if len(parts) >= maxElements {
				return nil, listTooLarge()
			}
			parts = append(parts, rest[:i])
			rest = strings.TrimLeftFunc(rest[i:], unicode.IsSpace)
		}
		if rest != "" {
			parts = append(parts, rest)
		}
	}
	if err := w.step(len(parts) + len(s)/textPerStep); err != nil {
		return nil, err
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func filterList(w *budget, in any, _ []any, _ map[string]any) (any, error) {
	list, err := w.items(in)
	if err != nil {
		return nil, err
	}
	if err := w.step(len(list)); err != nil {
		return nil, err
	}
	return append([]any{}, list...), nil
}

// filterSort is Jinja's sort(reverse=false, case_sensitive=false).
func filterSort(w *budget, in any, args []any, kwargs map[string]any) (any, error) {
	list, err := w.items(in)
	if err != nil {
		return nil, err
	}
	reverse := Truth(param(args, kwargs, 0, "reverse", false))
	caseSensitive := Truth(param(args, kwargs, 1, "case_sensitive", false))
	key := func(v any) any {
		if s, ok := v.(string); ok && !caseSensitive {
			return strings.ToLower(s)
		}
		return v
	}
	out := append([]any{}, list...)
	var sortErr error
	slices.SortStableFunc(out, func(a, b any) int {
		if sortErr != nil {
			return 0
		}
		c, err := w.order("<", key(a), key(b))
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

// filterUnique keeps the first of the elements equal to one another, in
// order. Elements are told apart by a key that equal elements share (see
// hashKey), so the work grows with the size of the list; one that has no
// key (it holds a NaN) equals nothing and is kept.
func filterUnique(w *budget, in any, _ []any, _ map[string]any) (any, error) {
	list, err := w.items(in)
	if err != nil {
		return nil, err
	}
	out := []any{}
	seen := map[string]bool{}
	for _, e := range list {
		k, ok := hashKey(e)
		if err := w.text(len(k)); err != nil {
			return nil, err
		}
		if ok && seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, e)
	}
	return out, nil
}

// extreme returns the smallest (sign -1) or largest (sign 1) element.
func extreme(w *budget, in any, sign int) (any, error) {
	list, err := w.items(in)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return undefined{msg: "No aggregated item, sequence was empty."}, nil
	}
	best := list[0]
	for _, e := range list[1:] {
		c, err := w.order("<", e, best)
		if err != nil {
			return nil, err
		}
		if c*sign > 0 {
			best = e
		}
	}
	return best, nil
}

func filterFromJSON(w *budget, in any, _ []any, _ map[string]any) (any, error) {
	s, ok := in.(string)
	if !ok {
		return nil, fmt.Errorf("from_json needs a string, got %s", typeName(in))
	}
	// Each comma in the text, outside strings, starts another value.
	if n := (jsonCommas(s) + 1) * elementSize; n > maxTotalSize {
		return nil, valueTooLarge()
	}
	if err := w.text(len(s)); err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, err
	}
	return NormalizeJSON(v), nil
}

// jsonCommas counts the commas of JSON text outside its strings.
func jsonCommas(s string) int {
	n := 0
	inString, escaped := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && c == ',':
			n++
		}
	}
	return n
}

// boundedJSON is JSON(in, indent) as a filter builds it.
func boundedJSON(w *budget, in any, indent int) (any, error) {
	var b strings.Builder
	writePyJSON(&b, in, indent, 0, maxStringSize)
	if err := w.checkString(b.Len()); err != nil {
		return nil, err
	}
	return b.String(), nil
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
	return Truth(m["failed"]), nil
}

func testSucceeded(in any, _ []any) (bool, error) {
	m, err := result(in, "succeeded")
	if err != nil {
		return false, err
	}
	return !Truth(m["failed"]), nil
}

// testChanged is Ansible's changed test: the changed key, or when it is
// absent, whether any item of a loop's results changed.
func testChanged(w *budget, in any, _ []any) (bool, error) {
	m, err := result(in, "changed")
	if err != nil {
		return false, err
	}
	if c, ok := m["changed"]; ok {
		return Truth(c), nil
	}
	if rs, ok := m["results"].([]any); ok {
		if err := w.step(len(rs)); err != nil {
			return false, err
		}
		for _, r := range rs {
			if rm, ok := r.(map[string]any); ok && Truth(rm["changed"]) {
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
	return Truth(m["skipped"]), nil
}

// testRegex is Ansible's match (anchored at the start) and search tests.
// Patterns are Go's RE2 syntax, which agrees with Python's re for the
// common cases (no backreferences or lookaround).
func testRegex(w *budget, in any, args []any, kind string) (bool, error) {
	s, ok := in.(string)
	if !ok {
		return false, fmt.Errorf("%s needs a string, got %s", kind, typeName(in))
	}
	if len(args) != 1 {
		return false, fmt.Errorf("%s needs one pattern", kind)
	}
	pat, err := w.str(args[0])
	if err != nil {
		return false, err
	}
	if err := w.text(len(s) + len(pat)); err != nil {
		return false, err
	}
	if kind == "match" {
		pat = `\A(?:` + pat + `)`
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return false, err
	}
	return re.MatchString(s), nil
}
