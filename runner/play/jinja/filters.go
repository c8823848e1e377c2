package jinja

import (
	"errors"
	"fmt"
	"math"
	"math/big"
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
	sig signature
	fn  func(a *fargs) (any, error)
	// takesUndefined lets the filter see an undefined input (default,
	// mandatory); other filters fail on one.
	takesUndefined bool
	// lazyArgs lets the filter see undefined arguments, which it uses or
	// not (default, ternary); other filters fail on one.
	lazyArgs bool
	// picks tells that the filter returns its input, an element of it or
	// an argument, and builds no value.
	picks bool
	// check, when set, checks literal arguments when the template is
	// parsed.
	check func(args []node, kwargs []kwarg) error
}

// fargs are a call's arguments bound to the parameters of its
// signature.
type fargs struct {
	w  *budget
	ev *Env
	in any
	// vals holds the value of each parameter, set when given.
	vals []any
	set  []bool
	// rest holds the positional arguments past the parameters, of a
	// variadic signature; kw the keywords of none of them (anyKw).
	rest []any
	kw   map[string]any
	// kwOrder is the order the keywords were written in, for calls of
	// global functions.
	kwOrder []string
}

// bind binds args and kw to the parameters of s (already checked when
// the template was parsed).
func bind(w *budget, ev *Env, in any, s signature, args []any, kw map[string]any) *fargs {
	a := &fargs{w: w, ev: ev, in: in, vals: make([]any, len(s.params)), set: make([]bool, len(s.params))}
	for i, v := range args {
		if i < len(s.params) && !s.kwOnly {
			a.vals[i], a.set[i] = v, true
		} else {
			a.rest = append(a.rest, v)
		}
	}
	for k, v := range kw {
		if i := slices.Index(s.params, k); i >= 0 {
			a.vals[i], a.set[i] = v, true
		} else {
			if a.kw == nil {
				a.kw = map[string]any{}
			}
			a.kw[k] = v
		}
	}
	return a
}

// arg returns parameter i, or def when it was not given.
func (a *fargs) arg(i int, def any) any {
	if i < len(a.set) && a.set[i] {
		return a.vals[i]
	}
	return def
}

// has tells whether parameter i was given.
func (a *fargs) has(i int) bool { return i < len(a.set) && a.set[i] }

// A testFunc is one test: `in is name(args)`, within the budget of the
// evaluation.
type testFunc struct {
	fn               func(w *budget, in any, args []any) (bool, error)
	takesUndefined   bool
	minArgs, maxArgs int
	// params and defaults name the arguments that may be given by
	// keyword, with their default values.
	params   []string
	defaults []any
}

// The filters and tests of the expression language, with Jinja2's and
// Ansible's semantics.
var (
	filterFuncs map[string]filterFunc
	testFuncs   map[string]testFunc
)

// refusedFilters are the filters of Jinja2 and Ansible that zonemgr play
// does not have, with the reason.
var refusedFilters = map[string]string{
	"random":          "its result is random",
	"type_debug":      "its result names Ansible's internal Python classes (AnsibleUnicode, AnsibleUnsafeText, ...)",
	"shuffle":         "its result is random",
	"password_hash":   "it needs passlib or crypt",
	"vault":           "vault is not supported",
	"unvault":         "vault is not supported",
	"fileglob":        "it reads the controller's files",
	"expanduser":      "it depends on the controller's environment",
	"expandvars":      "it depends on the controller's environment",
	"realpath":        "it reads the controller's files",
	"relpath":         "it depends on the controller's working directory",
	"to_datetime":     "dates are not supported",
	"strftime":        "dates are not supported",
	"comment":         "not implemented",
	"urlsplit":        "not implemented",
	"urldecode":       "not implemented",
	"urlencode":       "not implemented",
	"urlize":          "not implemented",
	"pprint":          "not implemented",
	"tojson":          "use to_json",
	"groupby":         "its groups print as Python objects",
	"slice":           "not implemented",
	"striptags":       "not implemented",
	"wordwrap":        "not implemented",
	"xmlattr":         "not implemented",
	"win_basename":    "not implemented",
	"win_dirname":     "not implemented",
	"win_splitdrive":  "not implemented",
	"human_readable":  "not implemented",
	"human_to_bytes":  "not implemented",
	"from_yaml_all":   "not implemented",
	"rekey_on_member": "not implemented",
	"permutations":    "not implemented",
	"combinations":    "not implemented",
	"zip_longest":     "not implemented",
	"filesizeformat":  "not implemented",
	"json_query":      "it is community.general's, not ansible-core's",
}

func init() {
	filterFuncs = map[string]filterFunc{
		"default":   {sig: sig(0, "default_value", "boolean"), fn: filterDefault, takesUndefined: true, lazyArgs: true, picks: true},
		"mandatory": {sig: sig(0, "msg"), fn: filterMandatory, takesUndefined: true, picks: true},
		"bool":      {fn: func(a *fargs) (any, error) { return toBool(a.in), nil }},
		"int":       {sig: sig(0, "default", "base"), fn: filterInt},
		"float":     {sig: sig(0, "default"), fn: filterFloat},
		"abs":       {fn: filterAbs},
		"round":     {sig: sig(0, "precision", "method"), fn: filterRound},
		"string":    {fn: func(a *fargs) (any, error) { return a.w.str(a.in) }},
		"length":    {fn: filterLength},
		"join":      {sig: sig(0, "d", "attribute"), fn: filterJoin},
		"lower":     {fn: func(a *fargs) (any, error) { return textFilter(a, strings.ToLower) }},
		"upper":     {fn: func(a *fargs) (any, error) { return textFilter(a, strings.ToUpper) }},
		"capitalize": {fn: func(a *fargs) (any, error) {
			return textFilter(a, func(s string) string {
				r, n := utf8.DecodeRuneInString(s)
				if n == 0 {
					return s
				}
				return string(unicode.ToUpper(r)) + strings.ToLower(s[n:])
			})
		}},
		"title":     {fn: func(a *fargs) (any, error) { return textFilter(a, pyTitle) }},
		"trim":      {sig: sig(0, "chars"), fn: filterTrim},
		"center":    {sig: sig(0, "width"), fn: filterCenter},
		"indent":    {sig: sig(0, "width", "first", "blank"), fn: filterIndent},
		"truncate":  {sig: sig(0, "length", "killwords", "end", "leeway"), fn: filterTruncate},
		"wordcount": {fn: filterWordcount},
		"first":     {fn: filterFirst, picks: true},
		"last":      {fn: filterLast, picks: true},
		"replace":   {sig: sig(2, "old", "new", "count"), fn: filterReplace},
		"split":     {sig: sig(0, "sep", "maxsplit"), fn: filterSplit},
		"list":      {fn: filterList},
		"reverse":   {fn: filterReverse},
		"sort":      {sig: sig(0, "reverse", "case_sensitive", "attribute"), fn: filterSort},
		"dictsort":  {sig: sig(0, "case_sensitive", "by", "reverse"), fn: filterDictsort},
		"unique":    {sig: sig(0, "case_sensitive", "attribute"), fn: filterUnique},
		"min":       {sig: sig(0, "case_sensitive", "attribute"), fn: func(a *fargs) (any, error) { return extreme(a, -1) }, picks: true},
		"max":       {sig: sig(0, "case_sensitive", "attribute"), fn: func(a *fargs) (any, error) { return extreme(a, 1) }, picks: true},
		"batch":     {sig: sig(1, "linecount", "fill_with"), fn: filterBatch},
		"escape":    {fn: func(a *fargs) (any, error) { return textFilter(a, htmlEscape) }},
		"safe":      {fn: func(a *fargs) (any, error) { return a.w.str(a.in) }},
		"attr":      {sig: sig(1, "name"), fn: filterAttr, picks: true},
		"to_json":   {sig: signature{params: []string{"indent", "sort_keys", "ensure_ascii", "separators"}}, fn: filterToJSON},
		"to_nice_json": {sig: signature{params: []string{"indent", "sort_keys", "ensure_ascii"}}, fn: func(a *fargs) (any, error) {
			return jsonFilter(a, a.arg(0, 4), a.arg(1, true), a.arg(2, true), []any{",", ": "})
		}},
		"from_json":    {fn: filterFromJSON},
		"to_yaml":      {sig: signature{params: []string{"indent", "default_flow_style", "width", "sort_keys"}}, fn: filterToYAML},
		"to_nice_yaml": {sig: signature{params: []string{"indent", "width", "sort_keys"}}, fn: filterToNiceYAML},
		"from_yaml":    {fn: filterFromYAML},
	}
	filterFuncs["d"] = filterFuncs["default"]
	filterFuncs["count"] = filterFuncs["length"]
	filterFuncs["e"] = filterFuncs["escape"]
	filterFuncs["forceescape"] = filterFuncs["escape"]
	addSeqFilters()
	addMoreFilters()
	addTests()
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

// filterDefault is Jinja2's default(default_value=”, boolean=False):
// default_value when the input is undefined, or with boolean also when
// it is false.
func filterDefault(a *fargs) (any, error) {
	def := a.arg(0, "")
	if isUndefined(a.in) || (Truth(a.arg(1, false)) && !Truth(a.in)) {
		return def, nil
	}
	return a.in, nil
}

// filterMandatory is Ansible's mandatory: an undefined input is an error.
func filterMandatory(a *fargs) (any, error) {
	if u, ok := a.in.(undefined); ok {
		if a.has(0) {
			return nil, errors.New(Str(a.arg(0, nil)))
		}
		name := ""
		if u.name != "" {
			name = "'" + u.name + "' "
		}
		return nil, fmt.Errorf("Mandatory variable %s not defined.", name)
	}
	return a.in, nil
}

// toBool is Ansible's bool filter: None and booleans as they are; true
// for 1 and the strings yes, on, 1 and true in any case; false for all
// else.
func toBool(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case bool:
		return x
	case string, Unsafe:
		switch strings.ToLower(Str(x)) {
		case "yes", "on", "1", "true":
			return true
		}
		return false
	case int:
		return x == 1
	case float64:
		return x == 1
	}
	return false
}

// Bool is the truth of Ansible's bool filter: true for true, 1, and the
// strings yes, on, 1 and true in any case; false for all else.
func Bool(v any) bool { return Truth(toBool(v)) }

// pyInt is Python's int(x) of a number.
func pyInt(v any) (any, error) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case int, *big.Int:
		return x, nil
	case float64:
		switch {
		case math.IsNaN(x):
			return nil, errors.New("cannot convert float NaN to integer")
		case math.IsInf(x, 0):
			return nil, errors.New("cannot convert float infinity to integer")
		}
		b, _ := new(big.Float).SetFloat64(math.Trunc(x)).Int(nil)
		return normBig(b), nil
	}
	return nil, typeErrorf("int() argument must be a string, a bytes-like object or a real number, not '%s'", typeName(v))
}

// parsePyInt is Python's int(s, base) of a string: white space around,
// a sign, underscores between digits, a 0x/0o/0b prefix matching the
// base (or giving it, for base 0).
func parsePyInt(s string, base int) (any, bool) {
	t := strings.TrimFunc(s, unicode.IsSpace)
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	lower := strings.ToLower(t)
	for prefix, b := range map[string]int{"0x": 16, "0o": 8, "0b": 2} {
		if strings.HasPrefix(lower, prefix) && (base == b || base == 0) {
			t, base = t[2:], b
			if strings.HasPrefix(t, "_") {
				t = t[1:]
			}
			break
		}
	}
	if base == 0 {
		base = 10
		if len(t) > 1 && t[0] == '0' && strings.Trim(t, "0_") != "" {
			return nil, false
		}
	}
	if t == "" || strings.HasPrefix(t, "_") || strings.HasSuffix(t, "_") || strings.Contains(t, "__") {
		return nil, false
	}
	n, ok := new(big.Int).SetString(strings.ReplaceAll(t, "_", ""), base)
	if !ok {
		return nil, false
	}
	if neg {
		n.Neg(n)
	}
	return normBig(n), true
}

// parsePyFloat is Python's float(s) of a string.
func parsePyFloat(s string) (float64, bool) {
	t := strings.TrimFunc(s, unicode.IsSpace)
	switch strings.ToLower(strings.TrimLeft(t, "+-")) {
	case "inf", "infinity":
		if strings.HasPrefix(t, "-") {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case "nan":
		return math.NaN(), true
	}
	if t == "" || strings.HasPrefix(t, "_") || strings.HasSuffix(t, "_") || strings.Contains(t, "__") || strings.ContainsAny(t, "xXpP") {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

// filterInt is Jinja2's int(default=0, base=10).
func filterInt(a *fargs) (any, error) {
	def := a.arg(0, 0)
	base, ok := a.arg(1, 10).(int)
	// A base Python's int() refuses is a ValueError, which Jinja2
	// catches as it does a text that is not a number in that base.
	baseOK := ok && base != 1 && base >= 0 && base <= 36
	switch x := a.in.(type) {
	case string, Unsafe:
		if baseOK {
			if n, ok := parsePyInt(Str(x), base); ok {
				return n, nil
			}
		}
		if f, ok := parsePyFloat(Str(x)); ok {
			return pyInt(f)
		}
		return def, nil
	case bool, int, *big.Int, float64:
		if f, isF := x.(float64); isF && math.IsNaN(f) {
			return def, nil
		}
		return pyInt(x)
	}
	return def, nil
}

// Int is Jinja2's int filter with its defaults: a number (or boolean) as
// an int, truncated; the text of one, likewise; 0 for all else and for
// what an int cannot hold.
func Int(v any) int {
	n, _ := filterInt(&fargs{in: v})
	i, _ := n.(int)
	return i
}

// filterFloat is Jinja2's float(default=0.0).
func filterFloat(a *fargs) (any, error) {
	def := a.arg(0, 0.0)
	switch x := a.in.(type) {
	case bool, int, float64:
		f, _ := number(x)
		return f, nil
	case *big.Int:
		return floatArith("+", x, 0.0)
	case string, Unsafe:
		if f, ok := parsePyFloat(Str(x)); ok {
			return f, nil
		}
	}
	return def, nil
}

func filterAbs(a *fargs) (any, error) {
	switch x := a.in.(type) {
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case int:
		if x < 0 {
			return arith(a.w, "-", 0, x)
		}
		return x, nil
	case *big.Int:
		return normBig(new(big.Int).Abs(x)), nil
	case float64:
		return math.Abs(x), nil
	}
	return nil, typeErrorf("bad operand type for abs(): '%s'", typeName(a.in))
}

// filterRound is Jinja2's round(precision=0, method='common'): a float.
func filterRound(a *fargs) (any, error) {
	prec, ok := a.arg(0, 0).(int)
	if !ok {
		return nil, typeErrorf("'%s' object cannot be interpreted as an integer", typeName(a.arg(0, 0)))
	}
	method := Str(a.arg(1, "common"))
	if method != "common" && method != "ceil" && method != "floor" {
		return nil, errors.New("method must be common, ceil or floor")
	}
	f, ok := number(a.in)
	if !ok {
		return nil, typeErrorf("type %s doesn't define __round__ method", typeName(a.in))
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return f, nil
	}
	scale := math.Pow(10, float64(prec))
	switch method {
	case "ceil":
		return math.Ceil(f*scale) / scale, nil
	case "floor":
		return math.Floor(f*scale) / scale, nil
	}
	if prec < 0 {
		return math.RoundToEven(f/math.Pow(10, float64(-prec))) * math.Pow(10, float64(-prec)), nil
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'f', prec, 64), 64)
	if err != nil {
		return nil, err
	}
	return r, nil
}

func filterLength(a *fargs) (any, error) {
	switch x := a.in.(type) {
	case string, Unsafe:
		return utf8.RuneCountInString(Str(x)), nil
	case []any:
		return len(x), nil
	case Tuple:
		return len(x), nil
	case *Dict:
		return x.Len(), nil
	}
	return nil, typeErrorf("object of type '%s' has no len()", typeName(a.in))
}

// items returns the elements of a list or tuple, the characters of a
// string or the keys of a dict.
func items(in any) ([]any, error) {
	switch x := in.(type) {
	case []any:
		return x, nil
	case Tuple:
		return x, nil
	case string, Unsafe:
		out := []any{}
		for _, r := range Str(x) {
			out = append(out, string(r))
		}
		return out, nil
	case *Dict:
		out := make([]any, 0, x.Len())
		for _, k := range x.Keys() {
			out = append(out, k)
		}
		return out, nil
	case undefined:
		return nil, x.err()
	}
	return nil, typeErrorf("'%s' object is not iterable", typeName(in))
}

func filterJoin(a *fargs) (any, error) {
	sep, err := a.w.str(a.arg(0, ""))
	if err != nil {
		return nil, err
	}
	list, err := a.w.items(a.in)
	if err != nil {
		return nil, err
	}
	if attr := a.arg(1, nil); attr != nil {
		if list, err = attrValues(a, list, attr); err != nil {
			return nil, err
		}
	}
	parts := make([]string, len(list))
	n := 0
	for i, e := range list {
		if err := a.w.step(1); err != nil {
			return nil, err
		}
		if u, ok := e.(undefined); ok {
			return nil, u.err()
		}
		if parts[i], err = a.w.str(e); err != nil {
			return nil, err
		}
		if i > 0 {
			n += len(sep)
		}
		if n += len(parts[i]); n > maxStringSize {
			return nil, stringTooLarge()
		}
	}
	if err := a.w.text(n); err != nil {
		return nil, err
	}
	return strings.Join(parts, sep), nil
}

// textFilter applies f, a function of one pass over a string, to the
// text of the input.
func textFilter(a *fargs, f func(string) string) (any, error) {
	s, err := a.w.str(a.in)
	if err != nil {
		return nil, err
	}
	if err := a.w.text(len(s)); err != nil {
		return nil, err
	}
	return f(s), nil
}

// pyTitle is Python's str.title.
func pyTitle(s string) string {
	var b strings.Builder
	prevCased := false
	for _, r := range s {
		if prevCased {
			b.WriteRune(unicode.ToLower(r))
		} else {
			b.WriteRune(unicode.ToTitle(r))
		}
		prevCased = unicode.IsLetter(r)
	}
	return b.String()
}

// pyStrip is Python's str.strip(chars): white space when chars is nil.
func pyStrip(s string, chars any, left, right bool) string {
	cut := unicode.IsSpace
	if chars != nil {
		set := Str(chars)
		cut = func(r rune) bool { return strings.ContainsRune(set, r) }
	}
	if left {
		s = strings.TrimLeftFunc(s, cut)
	}
	if right {
		s = strings.TrimRightFunc(s, cut)
	}
	return s
}

func filterTrim(a *fargs) (any, error) {
	chars := a.arg(0, nil)
	return textFilter(a, func(s string) string { return pyStrip(s, chars, true, true) })
}

func filterCenter(a *fargs) (any, error) {
	width, ok := a.arg(0, 80).(int)
	if !ok {
		return nil, errors.New("width must be an integer")
	}
	if width > maxStringSize {
		return nil, stringTooLarge()
	}
	return textFilter(a, func(s string) string { return pyCenter(s, width, " ") })
}

// pyCenter is Python's str.center.
func pyCenter(s string, width int, fill string) string {
	n := utf8.RuneCountInString(s)
	if width <= n {
		return s
	}
	marg := width - n
	left := marg/2 + (marg & width & 1)
	return strings.Repeat(fill, left) + s + strings.Repeat(fill, marg-left)
}

// filterIndent is Jinja2's indent(width=4, first=False, blank=False).
func filterIndent(a *fargs) (any, error) {
	var pad string
	switch w := a.arg(0, 4).(type) {
	case int:
		if w > 1<<16 {
			return nil, stringTooLarge()
		}
		pad = strings.Repeat(" ", max(w, 0))
	case string:
		pad = w
	default:
		pad = Str(w)
	}
	first, blank := Truth(a.arg(1, false)), Truth(a.arg(2, false))
	s, err := a.w.str(a.in)
	if err != nil {
		return nil, err
	}
	if err := a.w.checkString(len(s) + len(pad)*(strings.Count(s, "\n")+1)); err != nil {
		return nil, err
	}
	newline := "\n"
	if strings.HasSuffix(s, "\n") {
		s = s[:len(s)-1]
	} else {
		newline = ""
	}
	lines := strings.Split(s, "\n")
	for i := 1; i < len(lines); i++ {
		if blank || strings.TrimSpace(lines[i]) != "" {
			lines[i] = pad + lines[i]
		}
	}
	out := strings.Join(lines, "\n") + newline
	if first {
		out = pad + out
	}
	return out, nil
}

// filterTruncate is Jinja2's truncate(length=255, killwords=False,
// end='...', leeway=None) with the default leeway of 5.
func filterTruncate(a *fargs) (any, error) {
	length, ok := a.arg(0, 255).(int)
	if !ok {
		return nil, errors.New("length must be an integer")
	}
	killwords := Truth(a.arg(1, false))
	end := Str(a.arg(2, "..."))
	leeway, ok := a.arg(3, 5).(int)
	if !ok {
		leeway = 5
	}
	if length < len(end) {
		return nil, errors.New("expected length >= " + strconv.Itoa(len(end)) + ", got " + strconv.Itoa(length))
	}
	if leeway < 0 {
		return nil, errors.New("expected leeway >= 0, got " + strconv.Itoa(leeway))
	}
	s, err := a.w.str(a.in)
	if err != nil {
		return nil, err
	}
	r := []rune(s)
	if len(r) <= length+leeway {
		return s, nil
	}
	if killwords {
		return string(r[:length-len(end)]) + end, nil
	}
	cut := string(r[:length-len(end)])
	if i := strings.LastIndex(cut, " "); i >= 0 {
		cut = cut[:i]
	}
	return cut + end, nil
}

func filterWordcount(a *fargs) (any, error) {
	s, err := a.w.str(a.in)
	if err != nil {
		return nil, err
	}
	n := 0
	in := false
	for _, r := range s {
		w := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'
		if w && !in {
			n++
		}
		in = w
	}
	return n, nil
}

func filterFirst(a *fargs) (any, error) {
	if s, ok := a.in.(string); ok {
		if r, _, ok := runeAt(s, 0); ok {
			return r, nil
		}
		return undefined{msg: "No first item, sequence was empty."}, nil
	}
	list, err := a.w.items(a.in)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return undefined{msg: "No first item, sequence was empty."}, nil
	}
	return list[0], nil
}

func filterLast(a *fargs) (any, error) {
	if s, ok := a.in.(string); ok {
		if s == "" {
			return undefined{msg: "No last item, sequence was empty."}, nil
		}
		_, size := utf8.DecodeLastRuneInString(s)
		return s[len(s)-size:], nil
	}
	list, err := a.w.items(a.in)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return undefined{msg: "No last item, sequence was empty."}, nil
	}
	return list[len(list)-1], nil
}

func filterReplace(a *fargs) (any, error) {
	n := -1
	if c := a.arg(2, nil); c != nil {
		k, ok := c.(int)
		if !ok {
			return nil, typeErrorf("'%s' object cannot be interpreted as an integer", typeName(c))
		}
		n = k
	}
	var texts [3]string
	for i, v := range []any{a.in, a.arg(0, nil), a.arg(1, nil)} {
		var err error
		if texts[i], err = a.w.str(v); err != nil {
			return nil, err
		}
	}
	s, old, repl := texts[0], texts[1], texts[2]
	k := strings.Count(s, old)
	if n >= 0 && n < k {
		k = n
	}
	if err := a.w.checkString(len(s) + k*(len(repl)-len(old))); err != nil {
		return nil, err
	}
	return strings.Replace(s, old, repl, n), nil
}

// pySplit is Python's str.split(sep, maxsplit).
func pySplit(w *budget, s string, sepV any, maxsplit int) ([]any, error) {
	n := -1
	if maxsplit >= 0 {
		n = maxsplit + 1
	}
	var parts []string
	if sepV != nil {
		sep, err := w.str(sepV)
		if err != nil {
			return nil, err
		}
		if sep == "" {
			return nil, errors.New("empty separator")
		}
		if k := strings.Count(s, sep) + 1; (n < 0 || n > maxElements) && k > maxElements {
			return nil, listTooLarge()
		}
		parts = strings.SplitN(s, sep, n)
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

// filterSplit is Ansible's split(sep=None, maxsplit=-1), that is
// Python's str.split.
func filterSplit(a *fargs) (any, error) {
	if !isStr(a.in) {
		return nil, typeErrorf("descriptor 'split' for 'str' objects doesn't apply to a '%s' object", typeName(a.in))
	}
	m, ok := a.arg(1, -1).(int)
	if !ok {
		return nil, errors.New("maxsplit must be an integer")
	}
	return pySplit(a.w, Str(a.in), a.arg(0, nil), m)
}

func filterList(a *fargs) (any, error) {
	list, err := a.w.items(a.in)
	if err != nil {
		return nil, err
	}
	if err := a.w.step(len(list)); err != nil {
		return nil, err
	}
	return append([]any{}, list...), nil
}

func filterReverse(a *fargs) (any, error) {
	if isStr(a.in) {
		r := []rune(Str(a.in))
		slices.Reverse(r)
		return string(r), nil
	}
	list, err := a.w.items(a.in)
	if err != nil {
		return nil, fmt.Errorf("argument to reverse() must be a sequence")
	}
	out := append([]any{}, list...)
	slices.Reverse(out)
	return out, nil
}

// attrGetter returns Jinja2's make_attrgetter for attribute: items
// looked up along a dotted path (integer parts as indexes), lowered when
// ignoreCase.
func attrGetter(a *fargs, attribute any, ignoreCase bool) func(v any) (any, error) {
	var parts []any
	if attribute != nil {
		if s, ok := attribute.(string); ok {
			for _, p := range strings.Split(s, ".") {
				if n, err := strconv.Atoi(p); err == nil {
					parts = append(parts, n)
				} else {
					parts = append(parts, p)
				}
			}
		} else {
			parts = []any{attribute}
		}
	}
	return func(v any) (any, error) {
		for _, p := range parts {
			var err error
			if v, err = a.ev.getitem(v, p); err != nil {
				return nil, err
			}
			if isUndefined(v) {
				break
			}
		}
		if s, ok := v.(string); ok && ignoreCase {
			return strings.ToLower(s), nil
		}
		return v, nil
	}
}

// attrValues maps each element of list to its attribute.
func attrValues(a *fargs, list []any, attr any) ([]any, error) {
	get := attrGetter(a, attr, false)
	out := make([]any, len(list))
	for i, e := range list {
		v, err := get(e)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// sortKeys are the keys a sort compares, one list per element.
func sortKeys(a *fargs, list []any, attribute any, ignoreCase bool) ([][]any, error) {
	var getters []func(any) (any, error)
	if s, ok := attribute.(string); ok && strings.Contains(s, ",") {
		for _, part := range strings.Split(s, ",") {
			getters = append(getters, attrGetter(a, strings.TrimSpace(part), ignoreCase))
		}
	} else {
		getters = []func(any) (any, error){attrGetter(a, attribute, ignoreCase)}
	}
	keys := make([][]any, len(list))
	for i, e := range list {
		for _, g := range getters {
			k, err := g(e)
			if err != nil {
				return nil, err
			}
			if u, ok := k.(undefined); ok {
				return nil, u.err()
			}
			keys[i] = append(keys[i], k)
		}
	}
	return keys, nil
}

// sortBy sorts list by keys, stably, as Python's sorted does; a pair
// that cannot be compared is an error.
func sortBy(w *budget, list []any, keys [][]any, reverse bool) ([]any, error) {
	idx := make([]int, len(list))
	for i := range idx {
		idx[i] = i
	}
	var sortErr error
	slices.SortStableFunc(idx, func(x, y int) int {
		if sortErr != nil {
			return 0
		}
		kx, ky := keys[x], keys[y]
		var c int
		var err error
		if len(kx) == 1 {
			c, err = w.order("<", kx[0], ky[0])
		} else {
			c, err = w.order("<", Tuple(kx), Tuple(ky))
		}
		if err != nil {
			sortErr = err
			return 0
		}
		if c == 2 {
			c = 0
		}
		if reverse {
			return -c
		}
		return c
	})
	if sortErr != nil {
		return nil, sortErr
	}
	out := make([]any, len(list))
	for i, j := range idx {
		out[i] = list[j]
	}
	return out, nil
}

// filterSort is Jinja2's sort(reverse=False, case_sensitive=False,
// attribute=None).
func filterSort(a *fargs) (any, error) {
	list, err := a.w.items(a.in)
	if err != nil {
		return nil, err
	}
	if err := a.w.step(len(list)); err != nil {
		return nil, err
	}
	keys, err := sortKeys(a, list, a.arg(2, nil), !Truth(a.arg(1, false)))
	if err != nil {
		return nil, err
	}
	return sortBy(a.w, list, keys, Truth(a.arg(0, false)))
}

// filterDictsort is Jinja2's dictsort(case_sensitive=False, by='key',
// reverse=False): the (key, value) pairs, sorted.
func filterDictsort(a *fargs) (any, error) {
	d, ok := a.in.(*Dict)
	if !ok {
		return nil, errors.New("You can only sort by either 'key' or 'value'")
	}
	by := Str(a.arg(1, "key"))
	pos := 0
	switch by {
	case "key":
	case "value":
		pos = 1
	default:
		return nil, errors.New("You can only sort by either 'key' or 'value'")
	}
	pairs := make([]any, 0, d.Len())
	keys := make([][]any, 0, d.Len())
	ignore := !Truth(a.arg(0, false))
	for k, v := range d.All() {
		pairs = append(pairs, Tuple{k, v})
		key := []any{k, v}[pos]
		if s, ok := key.(string); ok && ignore {
			key = strings.ToLower(s)
		}
		keys = append(keys, []any{key})
	}
	return sortBy(a.w, pairs, keys, Truth(a.arg(2, false)))
}

// filterUnique is Ansible's unique(case_sensitive=None, attribute=None):
// Jinja2's unique, which compares text without case unless
// case_sensitive is true (Ansible passes bool(case_sensitive)), keeping
// the first of equal elements; for elements Jinja2 cannot hash (lists,
// dicts) Ansible's own, which compares with ==.
func filterUnique(a *fargs) (any, error) {
	list, err := a.w.items(a.in)
	if err != nil {
		return nil, err
	}
	caseSensitive := Truth(a.arg(0, nil))
	attr := a.arg(1, nil)
	get := attrGetter(a, attr, !caseSensitive)
	out := []any{}
	seen := map[string]bool{}
	hashableAll := true
	for _, e := range list {
		k, err := get(e)
		if err != nil {
			return nil, err
		}
		if u, ok := k.(undefined); ok {
			return nil, u.err()
		}
		if _, err := hashable(k); err != nil {
			hashableAll = false
			break
		}
		hk, ok := hashKey(k)
		if err := a.w.text(len(hk)); err != nil {
			return nil, err
		}
		if ok && seen[hk] {
			continue
		}
		seen[hk] = true
		out = append(out, e)
	}
	if hashableAll {
		return out, nil
	}
	if (a.has(0) && a.arg(0, nil) == false) || attr != nil {
		return nil, errors.New("Jinja2's unique filter failed and we cannot fall back to Ansible's version as it does not support the parameters supplied")
	}
	return uniqueEq(a.w, list)
}

// uniqueEq keeps the first of the elements equal to one another, with
// Python's ==.
func uniqueEq(w *budget, list []any) ([]any, error) {
	out := []any{}
	for _, e := range list {
		in, err := w.member(e, out)
		if err != nil {
			return nil, err
		}
		if !in {
			out = append(out, e)
		}
	}
	return out, nil
}

// extreme is Jinja2's min (sign -1) and max (sign 1):
// (case_sensitive=False, attribute=None), the first of the smallest or
// largest elements.
func extreme(a *fargs, sign int) (any, error) {
	list, err := a.w.items(a.in)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return undefined{msg: "No aggregated item, sequence was empty."}, nil
	}
	keys, err := sortKeys(a, list, a.arg(1, nil), !Truth(a.arg(0, false)))
	if err != nil {
		return nil, err
	}
	best := 0
	for i := 1; i < len(list); i++ {
		c, err := a.w.order("<", keys[i][0], keys[best][0])
		if err != nil {
			return nil, err
		}
		if c != 2 && c*sign > 0 {
			best = i
		}
	}
	return list[best], nil
}

// filterBatch is Jinja2's batch(linecount, fill_with=None).
func filterBatch(a *fargs) (any, error) {
	n, ok := a.arg(0, nil).(int)
	if !ok || n <= 0 {
		return nil, errors.New("batch needs a positive count")
	}
	list, err := a.w.items(a.in)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for i := 0; i < len(list); i += n {
		end := min(i+n, len(list))
		chunk := append([]any{}, list[i:end]...)
		if end-i < n && a.has(1) {
			for len(chunk) < n {
				chunk = append(chunk, a.arg(1, nil))
			}
		}
		out = append(out, chunk)
	}
	return out, nil
}

// htmlEscape is markupsafe's escape.
func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func filterAttr(a *fargs) (any, error) {
	name, ok := a.arg(0, nil).(string)
	if !ok {
		return nil, errors.New("attribute name must be a string")
	}
	if u, ok := a.in.(undefined); ok {
		return u, nil
	}
	if m, ok := method(a.in, name); ok {
		return m, nil
	}
	return missingAttr(a.in, name), nil
}
