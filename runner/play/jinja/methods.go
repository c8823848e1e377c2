package jinja

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The functions and methods templates may call: Jinja2's globals range
// and dict, and the methods of Python's str, dict and list that do not
// change their object.

// A globalFunc is a function templates may call by name.
type globalFunc struct {
	sig signature
	fn  func(a *fargs) (any, error)
}

var globalFuncs = map[string]globalFunc{
	"range": {sig: signature{params: []string{"a", "b", "c"}, required: 1}, fn: fnRange},
	"dict":  {sig: signature{variadic: true, anyKw: true}, fn: fnDict},
}

// refusedGlobals are the global functions of Ansible and Jinja2 that
// zonemgr play does not have, with the reason.
var refusedGlobals = map[string]string{
	"lookup":    "lookup plugins read the controller's files and services",
	"query":     "lookup plugins read the controller's files and services",
	"q":         "lookup plugins read the controller's files and services",
	"now":       "its result changes with the time",
	"undef":     "not implemented",
	"lipsum":    "not implemented",
	"cycler":    "not implemented",
	"joiner":    "not implemented",
	"namespace": "not implemented",
}

// maxRangeLen bounds a range.
const maxRangeLen = maxElements

// fnRange is Python's range(stop) and range(start, stop[, step]), as a
// list.
func fnRange(a *fargs) (any, error) {
	var nums []int
	for i := range 3 {
		if !a.has(i) {
			break
		}
		n, ok := intIndex(a.arg(i, nil))
		if !ok {
			return nil, typeErrorf("'%s' object cannot be interpreted as an integer", typeName(a.arg(i, nil)))
		}
		nums = append(nums, n)
	}
	start, stop, step := 0, nums[0], 1
	if len(nums) > 1 {
		start, stop = nums[0], nums[1]
	}
	if len(nums) > 2 {
		step = nums[2]
	}
	if step == 0 {
		return nil, errors.New("range() arg 3 must not be zero")
	}
	n := 0
	if step > 0 && stop > start {
		n = (stop - start + step - 1) / step
	} else if step < 0 && stop < start {
		n = (start - stop - step - 1) / -step
	}
	if n > maxRangeLen {
		return nil, &limitError{Msg: fmt.Sprintf("range() of more than %d items (the limit)", maxRangeLen)}
	}
	if err := a.w.step(n); err != nil {
		return nil, err
	}
	out := make([]any, n)
	for i := range n {
		out[i] = start + i*step
	}
	return out, nil
}

// fnDict is Jinja2's dict(**kwargs).
func fnDict(a *fargs) (any, error) {
	if len(a.rest) > 1 {
		return nil, typeErrorf("dict expected at most 1 argument, got %d", len(a.rest))
	}
	d := NewDict(len(a.kw))
	if len(a.rest) == 1 {
		switch x := a.rest[0].(type) {
		case *Dict:
			d = x.Copy()
		default:
			elems, err := a.w.items(x)
			if err != nil {
				return nil, err
			}
			for i, e := range elems {
				pair, err := items(e)
				if err != nil {
					return nil, typeErrorf("cannot convert dictionary update sequence element #%d to a sequence", i)
				}
				if len(pair) != 2 {
					return nil, fmt.Errorf("dictionary update sequence element #%d has length %d; 2 is required", i, len(pair))
				}
				k, err := dictKey(pair[0])
				if err != nil {
					return nil, err
				}
				d.Set(k, pair[1])
			}
		}
	}
	for _, k := range a.kwOrder {
		d.Set(k, a.kw[k])
	}
	return d, nil
}

// A methodFunc is one method of a type.
type methodFunc func(a *fargs) (any, error)

// The methods of each type, set by init (they refer to the evaluator,
// which refers to them).
var strMethods, dictMethods, listMethods map[string]methodFunc

func init() {
	strMethods = map[string]methodFunc{
		"split":      func(a *fargs) (any, error) { return strSplit(a, false) },
		"rsplit":     func(a *fargs) (any, error) { return strSplit(a, true) },
		"splitlines": strSplitlines,
		"strip":      func(a *fargs) (any, error) { return pyStrip(Str(a.in), a.arg(0, nil), true, true), nil },
		"lstrip":     func(a *fargs) (any, error) { return pyStrip(Str(a.in), a.arg(0, nil), true, false), nil },
		"rstrip":     func(a *fargs) (any, error) { return pyStrip(Str(a.in), a.arg(0, nil), false, true), nil },
		"lower":      func(a *fargs) (any, error) { return strings.ToLower(Str(a.in)), nil },
		"upper":      func(a *fargs) (any, error) { return strings.ToUpper(Str(a.in)), nil },
		"title":      func(a *fargs) (any, error) { return pyTitle(Str(a.in)), nil },
		"capitalize": func(a *fargs) (any, error) { return textFilter(&fargs{w: a.w, in: a.in}, capitalize) },
		"swapcase":   func(a *fargs) (any, error) { return strings.Map(swapCase, Str(a.in)), nil },
		"startswith": func(a *fargs) (any, error) { return strAffix(a, strings.HasPrefix) },
		"endswith":   func(a *fargs) (any, error) { return strAffix(a, strings.HasSuffix) },
		"replace": func(a *fargs) (any, error) {
			return filterReplace(&fargs{w: a.w, in: a.in, vals: a.vals, set: a.set})
		},
		"find":    func(a *fargs) (any, error) { return strFind(a, false, false) },
		"rfind":   func(a *fargs) (any, error) { return strFind(a, true, false) },
		"index":   func(a *fargs) (any, error) { return strFind(a, false, true) },
		"rindex":  func(a *fargs) (any, error) { return strFind(a, true, true) },
		"count":   func(a *fargs) (any, error) { return strings.Count(Str(a.in), Str(a.arg(0, nil))), nil },
		"join":    strJoin,
		"format":  strFormat,
		"isdigit": func(a *fargs) (any, error) { return strAll(Str(a.in), unicode.IsDigit), nil },
		"isalpha": func(a *fargs) (any, error) { return strAll(Str(a.in), unicode.IsLetter), nil },
		"isalnum": func(a *fargs) (any, error) {
			return strAll(Str(a.in), func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }), nil
		},
		"isspace": func(a *fargs) (any, error) { return strAll(Str(a.in), unicode.IsSpace), nil },
		"islower": func(a *fargs) (any, error) {
			s := Str(a.in)
			return isCased(s) && strings.ToLower(s) == s, nil
		},
		"isupper": func(a *fargs) (any, error) {
			s := Str(a.in)
			return isCased(s) && strings.ToUpper(s) == s, nil
		},
		"zfill":      strZfill,
		"center":     func(a *fargs) (any, error) { return strPad(a, "center") },
		"ljust":      func(a *fargs) (any, error) { return strPad(a, "ljust") },
		"rjust":      func(a *fargs) (any, error) { return strPad(a, "rjust") },
		"partition":  func(a *fargs) (any, error) { return strPartition(a, false) },
		"rpartition": func(a *fargs) (any, error) { return strPartition(a, true) },
	}
	dictMethods = map[string]methodFunc{
		"get": func(a *fargs) (any, error) {
			k, err := dictKey(a.arg(0, nil))
			if err != nil {
				return nil, err
			}
			if v, ok := a.in.(*Dict).Get(k); ok {
				return v, nil
			}
			return a.arg(1, nil), nil
		},
		"keys": func(a *fargs) (any, error) { return items(a.in) },
		"values": func(a *fargs) (any, error) {
			d := a.in.(*Dict)
			out := make([]any, 0, d.Len())
			for _, v := range d.All() {
				out = append(out, v)
			}
			return out, nil
		},
		"items": func(a *fargs) (any, error) { return dictItems(a.w, a.in.(*Dict)) },
		"copy":  func(a *fargs) (any, error) { return a.in.(*Dict).Copy(), nil },
	}
	listMethods = map[string]methodFunc{
		"index": func(a *fargs) (any, error) {
			l, _ := seqOf(a.in)
			for i, e := range l {
				if eq, err := a.w.equal(e, a.arg(0, nil)); err != nil || eq {
					return i, err
				}
			}
			return nil, fmt.Errorf("%s is not in list", Repr(a.arg(0, nil)))
		},
		"count": func(a *fargs) (any, error) {
			l, _ := seqOf(a.in)
			n := 0
			for _, e := range l {
				eq, err := a.w.equal(e, a.arg(0, nil))
				if err != nil {
					return nil, err
				}
				if eq {
					n++
				}
			}
			return n, nil
		},
		"copy": func(a *fargs) (any, error) { l, _ := seqOf(a.in); return append([]any{}, l...), nil },
	}
}

var (
	// methodSigs are every method's parameters, by name: a name shared
	// by several types takes the widest.
	methodSigs = map[string]signature{
		"split": sig(0, "sep", "maxsplit"), "rsplit": sig(0, "sep", "maxsplit"), "splitlines": sig(0, "keepends"),
		"strip": sig(0, "chars"), "lstrip": sig(0, "chars"), "rstrip": sig(0, "chars"),
		"lower": sig(0), "upper": sig(0), "title": sig(0), "capitalize": sig(0), "swapcase": sig(0),
		"startswith": sig(1, "prefix", "start", "end"), "endswith": sig(1, "suffix", "start", "end"),
		"replace": sig(2, "old", "new", "count"),
		"find":    sig(1, "sub", "start", "end"), "rfind": sig(1, "sub", "start", "end"),
		"index": sig(1, "sub", "start", "end"), "rindex": sig(1, "sub", "start", "end"),
		"count": sig(1, "sub"), "join": sig(1, "iterable"),
		"format":  {variadic: true, anyKw: true},
		"isdigit": sig(0), "isalpha": sig(0), "isalnum": sig(0), "isspace": sig(0), "islower": sig(0), "isupper": sig(0),
		"zfill": sig(1, "width"), "center": sig(1, "width", "fillchar"), "ljust": sig(1, "width", "fillchar"), "rjust": sig(1, "width", "fillchar"),
		"partition": sig(1, "sep"), "rpartition": sig(1, "sep"),
		"get": sig(1, "key", "default"), "keys": sig(0), "values": sig(0), "items": sig(0), "copy": sig(0),
		"cycle": {variadic: true}, "changed": {variadic: true},
	}
	// mutatingMethods are the methods that change their object in place.
	mutatingMethods = map[string]bool{
		"append": true, "extend": true, "insert": true, "pop": true, "remove": true, "sort": true,
		"reverse": true, "update": true, "setdefault": true, "clear": true, "popitem": true,
	}
)

// callMethod calls a bound method with its arguments.
func callMethod(ev *Env, m boundMethod, args []any, kw map[string]any) (any, error) {
	a := bind(&ev.work, ev, m.recv, methodSigs[m.name], args, kw)
	if a.kw != nil && m.name != "format" {
		for k := range a.kw {
			return nil, fmt.Errorf("%s() takes no keyword argument '%s'", m.name, k)
		}
	}
	var f methodFunc
	switch r := m.recv.(type) {
	case string, Unsafe:
		f = strMethods[m.name]
	case *Dict:
		f = dictMethods[m.name]
	case []any, Tuple:
		f = listMethods[m.name]
	case *loopContext:
		if len(args) == 0 {
			return nil, errors.New("no items for cycling given")
		}
		if m.name == "cycle" {
			return args[r.index0%len(args)], nil
		}
		return true, nil
	}
	if f == nil {
		return nil, fmt.Errorf("'%s' object has no attribute '%s'", typeName(m.recv), m.name)
	}
	if ev.work.step(1) != nil {
		return nil, ev.work.step(0)
	}
	return f(a)
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + strings.ToLower(s[n:])
}

func swapCase(r rune) rune {
	switch {
	case unicode.IsUpper(r):
		return unicode.ToLower(r)
	case unicode.IsLower(r):
		return unicode.ToUpper(r)
	}
	return r
}

// strSplit is str.split and str.rsplit.
func strSplit(a *fargs, right bool) (any, error) {
	m, ok := a.arg(1, -1).(int)
	if !ok {
		return nil, errors.New("maxsplit must be an integer")
	}
	s := Str(a.in)
	if !right || m < 0 {
		return pySplit(a.w, s, a.arg(0, nil), m)
	}
	// rsplit with a limit: split the reversed text.
	rev := func(x string) string {
		r := []rune(x)
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return string(r)
	}
	sep := a.arg(0, nil)
	if sep != nil {
		sep = rev(Str(sep))
	}
	parts, err := pySplit(a.w, rev(s), sep, m)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[len(parts)-1-i] = rev(p.(string))
	}
	return out, nil
}

// strSplitlines is str.splitlines(keepends=False).
func strSplitlines(a *fargs) (any, error) {
	s := Str(a.in)
	keep := Truth(a.arg(0, false))
	out := []any{}
	start := 0
	runes := []rune(s)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		if !strings.ContainsRune("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029", r) {
			continue
		}
		end := i + 1
		if r == '\r' && i+1 < len(runes) && runes[i+1] == '\n' {
			end = i + 2
		}
		if keep {
			out = append(out, string(runes[start:end]))
		} else {
			out = append(out, string(runes[start:i]))
		}
		start = end
		i = end - 1
	}
	if start < len(runes) {
		out = append(out, string(runes[start:]))
	}
	return out, nil
}

// strAffix is str.startswith and str.endswith (a string or a tuple).
func strAffix(a *fargs, f func(string, string) bool) (any, error) {
	s := Str(a.in)
	if a.has(1) || a.has(2) {
		return nil, errors.New("start and end arguments are not supported")
	}
	switch x := a.arg(0, nil).(type) {
	case string, Unsafe:
		return f(s, Str(x)), nil
	case Tuple:
		for _, e := range x {
			if !isStr(e) {
				return nil, typeErrorf("tuple for startswith must only contain str, not %s", typeName(e))
			}
			if f(s, Str(e)) {
				return true, nil
			}
		}
		return false, nil
	}
	return nil, typeErrorf("startswith first arg must be str or a tuple of str, not %s", typeName(a.arg(0, nil)))
}

// strFind is str.find, rfind, index and rindex: a character index.
func strFind(a *fargs, right, mustFind bool) (any, error) {
	if a.has(1) || a.has(2) {
		return nil, errors.New("start and end arguments are not supported")
	}
	s, sub := Str(a.in), Str(a.arg(0, nil))
	i := strings.Index(s, sub)
	if right {
		i = strings.LastIndex(s, sub)
	}
	if i < 0 {
		if mustFind {
			return nil, errors.New("substring not found")
		}
		return -1, nil
	}
	return utf8.RuneCountInString(s[:i]), nil
}

// strJoin is str.join.
func strJoin(a *fargs) (any, error) {
	l, err := a.w.items(a.arg(0, nil))
	if err != nil {
		return nil, err
	}
	parts := make([]string, len(l))
	for i, e := range l {
		if !isStr(e) {
			return nil, typeErrorf("sequence item %d: expected str instance, %s found", i, typeName(e))
		}
		parts[i] = Str(e)
	}
	out := strings.Join(parts, Str(a.in))
	return out, a.w.checkString(len(out))
}

func strAll(s string, f func(rune) bool) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !f(r) {
			return false
		}
	}
	return true
}

func strZfill(a *fargs) (any, error) {
	w, ok := a.arg(0, nil).(int)
	if !ok {
		return nil, errors.New("zfill needs an integer width")
	}
	s := Str(a.in)
	n := utf8.RuneCountInString(s)
	if w <= n {
		return s, nil
	}
	if w > maxStringSize {
		return nil, stringTooLarge()
	}
	sign := ""
	if s != "" && (s[0] == '+' || s[0] == '-') {
		sign, s = s[:1], s[1:]
	}
	return sign + strings.Repeat("0", w-n) + s, nil
}

func strPad(a *fargs, how string) (any, error) {
	w, ok := a.arg(0, nil).(int)
	if !ok {
		return nil, fmt.Errorf("%s needs an integer width", how)
	}
	if w > maxStringSize {
		return nil, stringTooLarge()
	}
	fill := Str(a.arg(1, " "))
	if utf8.RuneCountInString(fill) != 1 {
		return nil, errors.New("The fill character must be exactly one character long")
	}
	s := Str(a.in)
	n := utf8.RuneCountInString(s)
	if w <= n {
		return s, nil
	}
	switch how {
	case "ljust":
		return s + strings.Repeat(fill, w-n), nil
	case "rjust":
		return strings.Repeat(fill, w-n) + s, nil
	}
	return pyCenter(s, w, fill), nil
}

func strPartition(a *fargs, right bool) (any, error) {
	s, sep := Str(a.in), Str(a.arg(0, nil))
	if sep == "" {
		return nil, errors.New("empty separator")
	}
	i := strings.Index(s, sep)
	if right {
		i = strings.LastIndex(s, sep)
	}
	if i < 0 {
		if right {
			return Tuple{"", "", s}, nil
		}
		return Tuple{s, "", ""}, nil
	}
	return Tuple{s[:i], sep, s[i+len(sep):]}, nil
}
