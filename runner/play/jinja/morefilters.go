package jinja

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Ansible's own filters (plugins/filter/core.py and mathstuff.py) beside
// Jinja2's.

// addMoreFilters adds them.
func addMoreFilters() {
	filterFuncs["combine"] = filterFunc{sig: signature{params: []string{"recursive", "list_merge"}, variadic: true, kwOnly: true}, fn: filterCombine, check: checkCombine}
	filterFuncs["regex_replace"] = filterFunc{sig: sig(0, "pattern", "replacement", "ignorecase", "multiline"), fn: filterRegexReplace, check: checkRegexArg(0)}
	filterFuncs["regex_search"] = filterFunc{sig: signature{params: []string{"regex"}, required: 1, variadic: true, anyKw: true}, fn: filterRegexSearch, check: checkRegexSearch}
	filterFuncs["regex_findall"] = filterFunc{sig: sig(1, "regex", "multiline", "ignorecase"), fn: filterRegexFindall, check: checkRegexArg(0)}
	filterFuncs["regex_escape"] = filterFunc{sig: sig(0, "re_type"), fn: filterRegexEscape}
	filterFuncs["ternary"] = filterFunc{sig: sig(2, "true_val", "false_val", "none_val"), fn: filterTernary, lazyArgs: true, picks: true}
	filterFuncs["format"] = filterFunc{sig: signature{variadic: true, anyKw: true}, fn: filterFormat}
	filterFuncs["b64encode"] = filterFunc{sig: sig(0, "encoding"), fn: filterB64Encode}
	filterFuncs["b64decode"] = filterFunc{sig: sig(0, "encoding"), fn: filterB64Decode}
	filterFuncs["hash"] = filterFunc{sig: sig(0, "hashtype"), fn: func(a *fargs) (any, error) { return hashFilter(a, Str(a.arg(0, "sha1"))) }}
	filterFuncs["md5"] = filterFunc{fn: func(a *fargs) (any, error) { return hashFilter(a, "md5") }}
	filterFuncs["sha1"] = filterFunc{fn: func(a *fargs) (any, error) { return hashFilter(a, "sha1") }}
	filterFuncs["checksum"] = filterFuncs["sha1"]
	filterFuncs["quote"] = filterFunc{fn: func(a *fargs) (any, error) { return textFilter(a, shellQuote) }}
	filterFuncs["flatten"] = filterFunc{sig: sig(0, "levels", "skip_nulls"), fn: filterFlatten}
	filterFuncs["product"] = filterFunc{sig: signature{params: []string{"repeat"}, variadic: true, kwOnly: true}, fn: filterProduct}
	filterFuncs["zip"] = filterFunc{sig: signature{variadic: true}, fn: filterZip}
	filterFuncs["basename"] = filterFunc{fn: func(a *fargs) (any, error) { return textFilter(a, pyBasename) }}
	filterFuncs["dirname"] = filterFunc{fn: func(a *fargs) (any, error) { return textFilter(a, pyDirname) }}
	filterFuncs["splitext"] = filterFunc{fn: filterSplitext}
	filterFuncs["path_join"] = filterFunc{fn: filterPathJoin}
	filterFuncs["intersect"] = filterFunc{sig: sig(1, "b"), fn: func(a *fargs) (any, error) { return setOp(a, "intersect") }}
	filterFuncs["difference"] = filterFunc{sig: sig(1, "b"), fn: func(a *fargs) (any, error) { return setOp(a, "difference") }}
	filterFuncs["symmetric_difference"] = filterFunc{sig: sig(1, "b"), fn: func(a *fargs) (any, error) { return setOp(a, "symmetric_difference") }}
	filterFuncs["union"] = filterFunc{sig: sig(1, "b"), fn: func(a *fargs) (any, error) { return setOp(a, "union") }}
	filterFuncs["log"] = filterFunc{sig: sig(0, "base"), fn: filterLog}
	filterFuncs["pow"] = filterFunc{sig: sig(1, "y"), fn: filterPow}
	filterFuncs["root"] = filterFunc{sig: sig(0, "base"), fn: filterRoot}
	filterFuncs["extract"] = filterFunc{sig: sig(1, "container", "morekeys"), fn: filterExtract}
	filterFuncs["to_uuid"] = filterFunc{sig: sig(0, "namespace"), fn: filterToUUID}
	filterFuncs["subelements"] = filterFunc{sig: sig(1, "subelements", "skip_missing"), fn: filterSubelements}
}

// checkCombine checks combine's keyword arguments.
func checkCombine(_ []node, kwargs []kwarg) error {
	for _, kw := range kwargs {
		if kw.name == "list_merge" {
			if lit, ok := kw.val.(litExpr); ok {
				switch lit.val {
				case "replace", "keep", "append", "prepend", "append_rp", "prepend_rp":
				default:
					return fmt.Errorf("list_merge: expected replace, keep, append, prepend, append_rp or prepend_rp, found %s", Repr(lit.val))
				}
			}
		}
	}
	return nil
}

// checkRegexArg checks, when the template is parsed, a literal pattern
// given as argument i.
func checkRegexArg(i int) func([]node, []kwarg) error {
	return func(args []node, _ []kwarg) error {
		if i < len(args) {
			if lit, ok := args[i].(litExpr); ok {
				if s, ok := lit.val.(string); ok {
					return CheckRegex(s)
				}
			}
		}
		return nil
	}
}

// checkRegexSearch checks regex_search's pattern and group arguments.
func checkRegexSearch(args []node, kwargs []kwarg) error {
	if err := checkRegexArg(0)(args, kwargs); err != nil {
		return err
	}
	for _, kw := range kwargs {
		if kw.name != "ignorecase" && kw.name != "multiline" {
			return fmt.Errorf("unexpected keyword argument '%s' (it takes ignorecase and multiline)", kw.name)
		}
	}
	return nil
}

// filterCombine is Ansible's combine(*dicts, recursive=False,
// list_merge='replace').
func filterCombine(a *fargs) (any, error) {
	recursive := Truth(a.arg(0, false))
	listMerge := Str(a.arg(1, "replace"))
	terms := append([]any{a.in}, a.rest...)
	var dicts []any
	for _, t := range terms {
		if l, ok := seqOf(t); ok {
			dicts = append(dicts, l...)
		} else {
			dicts = append(dicts, t)
		}
	}
	if len(dicts) == 0 {
		return NewDict(0), nil
	}
	if len(dicts) == 1 {
		return dicts[0], nil
	}
	result := dicts[len(dicts)-1]
	for i := len(dicts) - 2; i >= 0; i-- {
		var err error
		if result, err = mergeHash(a.w, dicts[i], result, recursive, listMerge); err != nil {
			return nil, err
		}
	}
	return result, nil
}

// mergeHash is Ansible's merge_hash(x, y, recursive, list_merge): y
// merged into a copy of x, y's values winning.
func mergeHash(w *budget, xv, yv any, recursive bool, listMerge string) (any, error) {
	x, okX := xv.(*Dict)
	y, okY := yv.(*Dict)
	if !okX || !okY {
		return nil, fmt.Errorf("failed to combine variables, expected dicts but got a '%s' and a '%s': \n%s\n%s", typeName(xv), typeName(yv), pyJSONish(xv), pyJSONish(yv))
	}
	switch listMerge {
	case "replace", "keep", "append", "prepend", "append_rp", "prepend_rp":
	default:
		return nil, errors.New("merge_hash: 'list_merge' argument can only be equal to 'replace', 'keep', 'append', 'prepend', 'append_rp' or 'prepend_rp'")
	}
	if err := w.step(x.Len() + y.Len()); err != nil {
		return nil, err
	}
	if eq, err := w.equal(x, y); err != nil {
		return nil, err
	} else if x.Len() == 0 || eq {
		return y.Copy(), nil
	}
	out := x.Copy()
	for k, yval := range y.All() {
		xval, ok := out.Get(k)
		if !ok {
			out.Set(k, yval)
			continue
		}
		if !recursive && listMerge == "replace" {
			out.Set(k, yval)
			continue
		}
		xd, xIsDict := xval.(*Dict)
		yd, yIsDict := yval.(*Dict)
		if xIsDict && yIsDict {
			if recursive {
				m, err := mergeHash(w, xd, yd, recursive, listMerge)
				if err != nil {
					return nil, err
				}
				out.Set(k, m)
			} else {
				out.Set(k, yval)
			}
			continue
		}
		xl, xIsList := xval.([]any)
		yl, yIsList := yval.([]any)
		if xIsList && yIsList {
			var merged []any
			switch listMerge {
			case "replace":
				merged = yl
			case "keep":
				merged = xl
			case "append":
				merged = append(append([]any{}, xl...), yl...)
			case "prepend":
				merged = append(append([]any{}, yl...), xl...)
			case "append_rp", "prepend_rp":
				var kept []any
				for _, z := range xl {
					in, err := w.member(z, yl)
					if err != nil {
						return nil, err
					}
					if !in {
						kept = append(kept, z)
					}
				}
				if listMerge == "append_rp" {
					merged = append(kept, yl...)
				} else {
					merged = append(append([]any{}, yl...), kept...)
				}
			}
			if merged == nil {
				merged = []any{}
			}
			out.Set(k, merged)
			continue
		}
		out.Set(k, yval)
	}
	return out, nil
}

// pyJSONish is the text Ansible's combine error shows of a value.
func pyJSONish(v any) string { return Str(v) }

// regexFlags reads ignorecase and multiline.
func regexFlags(ic, ml any) (bool, bool) { return Truth(ic), Truth(ml) }

// filterRegexReplace is Ansible's regex_replace(pattern=”,
// replacement=”, ignorecase=False, multiline=False): Python's re.sub.
func filterRegexReplace(a *fargs) (any, error) {
	s, err := a.w.str(a.in)
	if err != nil {
		return nil, err
	}
	ic, ml := regexFlags(a.arg(2, false), a.arg(3, false))
	re, err := compilePy(Str(a.arg(0, "")), ic, ml)
	if err != nil {
		return nil, err
	}
	return re.sub(a.w, s, Str(a.arg(1, "")))
}

// filterRegexSearch is Ansible's regex_search(regex, *groups,
// ignorecase=False, multiline=False): the match, or the groups named
// \N or \g<name>, or None.
func filterRegexSearch(a *fargs) (any, error) {
	s, err := a.w.str(a.in)
	if err != nil {
		return nil, err
	}
	var groups []any
	for _, g := range a.rest {
		gs := Str(g)
		switch {
		case strings.HasPrefix(gs, `\g`):
			m := regexp.MustCompile(`^\\g<(\S+)>`).FindStringSubmatch(gs)
			if m == nil {
				return nil, errors.New("'NoneType' object has no attribute 'group'")
			}
			groups = append(groups, m[1])
		case strings.HasPrefix(gs, `\`):
			m := regexp.MustCompile(`^\\(\d+)`).FindStringSubmatch(gs)
			if m == nil {
				return nil, errors.New("'NoneType' object has no attribute 'group'")
			}
			n, _ := parsePyInt(m[1], 10)
			groups = append(groups, n)
		default:
			return nil, errors.New("Unknown argument")
		}
	}
	ic, ml := regexFlags(a.kw["ignorecase"], a.kw["multiline"])
	re, err := compilePy(Str(a.arg(0, "")), ic, ml)
	if err != nil {
		return nil, err
	}
	if err := a.w.text(len(s)); err != nil {
		return nil, err
	}
	m := re.re.FindStringSubmatchIndex(s)
	if m == nil {
		return nil, nil
	}
	if len(groups) == 0 {
		return s[m[0]:m[1]], nil
	}
	out := []any{}
	for _, g := range groups {
		i := -1
		switch x := g.(type) {
		case int:
			i = x
		case string:
			n, ok := re.groups[x]
			if !ok {
				return nil, errors.New("no such group")
			}
			i = n
		}
		if i < 0 || i >= len(m)/2 {
			return nil, errors.New("no such group")
		}
		if m[2*i] < 0 {
			out = append(out, nil)
		} else {
			out = append(out, s[m[2*i]:m[2*i+1]])
		}
	}
	return out, nil
}

// filterRegexFindall is Ansible's regex_findall(regex, multiline=False,
// ignorecase=False): Python's re.findall.
func filterRegexFindall(a *fargs) (any, error) {
	s, err := a.w.str(a.in)
	if err != nil {
		return nil, err
	}
	ml, ic := Truth(a.arg(1, false)), Truth(a.arg(2, false))
	re, err := compilePy(Str(a.arg(0, "")), ic, ml)
	if err != nil {
		return nil, err
	}
	ms := re.re.FindAllStringSubmatchIndex(s, -1)
	if err := a.w.step(len(ms) + len(s)/textPerStep); err != nil {
		return nil, err
	}
	out := make([]any, 0, len(ms))
	ng := re.re.NumSubexp()
	for _, m := range ms {
		switch ng {
		case 0:
			out = append(out, s[m[0]:m[1]])
		case 1:
			out = append(out, groupText(s, m, 1))
		default:
			t := make(Tuple, ng)
			for g := 1; g <= ng; g++ {
				t[g-1] = groupText(s, m, g)
			}
			out = append(out, t)
		}
	}
	return out, nil
}

// groupText is group g of match m, "" when it did not take part.
func groupText(s string, m []int, g int) string {
	if m[2*g] < 0 {
		return ""
	}
	return s[m[2*g]:m[2*g+1]]
}

// filterRegexEscape is Ansible's regex_escape(re_type='python').
func filterRegexEscape(a *fargs) (any, error) {
	s, err := a.w.str(a.in)
	if err != nil {
		return nil, err
	}
	switch Str(a.arg(0, "python")) {
	case "python":
		var b strings.Builder
		for _, r := range s {
			if r < 128 && strings.ContainsRune("()[]{}?*+-|^$\\.&~# \t\n\r\v\f", r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		return b.String(), nil
	case "posix_basic":
		var b strings.Builder
		for _, r := range s {
			if strings.ContainsRune(`].[^$*\`, r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		return b.String(), nil
	case "posix_extended":
		return nil, errors.New("Regex type (posix_extended) not yet implemented")
	}
	return nil, fmt.Errorf("Invalid regex type (%s)", Str(a.arg(0, "")))
}

// filterTernary is Ansible's ternary(true_val, false_val, none_val=None).
func filterTernary(a *fargs) (any, error) {
	if u, ok := a.in.(undefined); ok {
		return nil, u.err()
	}
	if a.in == nil && a.arg(2, nil) != nil {
		return a.arg(2, nil), nil
	}
	if Truth(a.in) {
		return a.arg(0, nil), nil
	}
	return a.arg(1, nil), nil
}

// filterFormat is Jinja2's format(*args, **kwargs): Python's % of the
// input with the arguments.
func filterFormat(a *fargs) (any, error) {
	if len(a.rest) > 0 && len(a.kw) > 0 {
		return nil, typeErrorf("can't handle positional and keyword arguments at the same time")
	}
	s, err := a.w.str(a.in)
	if err != nil {
		return nil, err
	}
	if len(a.kw) > 0 {
		d := NewDict(len(a.kw))
		for _, k := range sortedNames(a.kw) {
			d.Set(k, a.kw[k])
		}
		return pyPercent(a.w, s, d)
	}
	return pyPercent(a.w, s, Tuple(a.rest))
}

// textBytes is Ansible's to_bytes of a value: the UTF-8 of its text
// (Python's str() for other values).
func textBytes(w *budget, v any) ([]byte, error) {
	s, err := w.str(v)
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}

func filterB64Encode(a *fargs) (any, error) {
	b, err := textBytes(a.w, a.in)
	if err != nil {
		return nil, err
	}
	if err := a.w.checkString(len(b) * 4 / 3); err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// filterB64Decode is Ansible's b64decode: Python's base64.b64decode,
// which skips characters outside the alphabet, then UTF-8.
func filterB64Decode(a *fargs) (any, error) {
	s, err := a.w.str(a.in)
	if err != nil {
		return nil, err
	}
	var clean strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=' {
			clean.WriteByte(c)
		}
	}
	t := strings.TrimRight(clean.String(), "=")
	if strings.Contains(t, "=") {
		t = t[:strings.IndexByte(t, '=')]
	}
	if len(t)%4 == 1 {
		return nil, errors.New("Invalid base64-encoded string: number of data characters (" + fmt.Sprint(len(t)) + ") cannot be 1 more than a multiple of 4")
	}
	padded := clean.String()
	if rem := len(strings.TrimRight(padded, "=")) % 4; rem != 0 && !strings.HasSuffix(padded, strings.Repeat("=", 4-rem)) {
		return nil, errors.New("Incorrect padding")
	}
	b, err := base64.RawStdEncoding.DecodeString(t)
	if err != nil {
		return nil, errors.New("Incorrect padding")
	}
	if !utf8.Valid(b) {
		return nil, errors.New("'utf-8' codec can't decode the decoded bytes")
	}
	return string(b), nil
}

// hashFilter is Ansible's hash(hashtype='sha1'), md5 and sha1: the hex
// digest of the value's UTF-8.
func hashFilter(a *fargs, kind string) (any, error) {
	var h hash.Hash
	switch kind {
	case "md5":
		h = md5.New()
	case "sha1":
		h = sha1.New()
	case "sha224":
		h = sha256.New224()
	case "sha256":
		h = sha256.New()
	case "sha384":
		h = sha512.New384()
	case "sha512":
		h = sha512.New()
	default:
		return nil, fmt.Errorf("unsupported hash type %s", kind)
	}
	b, err := textBytes(a.w, a.in)
	if err != nil {
		return nil, err
	}
	if err := a.w.text(len(b)); err != nil {
		return nil, err
	}
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// shellQuote is Python's shlex.quote.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r < 128 && (r == '_' || r == '@' || r == '%' || r == '+' || r == '=' || r == ':' || r == ',' || r == '.' || r == '/' || r == '-' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

// filterFlatten is Ansible's flatten(levels=None, skip_nulls=True).
func filterFlatten(a *fargs) (any, error) {
	list, ok := seqOf(a.in)
	if !ok {
		var err error
		if list, err = a.w.items(a.in); err != nil {
			return nil, err
		}
	}
	levels := -1
	if l := a.arg(0, nil); l != nil {
		n, ok := l.(int)
		if !ok {
			return nil, fmt.Errorf("levels must be an integer, got %s", typeName(l))
		}
		levels = n
	}
	skip := Truth(a.arg(1, true))
	out := []any{}
	var walk func(l []any, levels int) error
	walk = func(l []any, levels int) error {
		for _, e := range l {
			if err := a.w.step(1); err != nil {
				return err
			}
			if skip && (e == nil || e == "None" || e == "null") {
				continue
			}
			if sub, ok := seqOf(e); ok && levels != 0 {
				if err := walk(sub, levels-1); err != nil {
					return err
				}
				continue
			}
			if len(out) >= maxElements {
				return listTooLarge()
			}
			out = append(out, e)
		}
		return nil
	}
	if err := walk(list, levels); err != nil {
		return nil, err
	}
	return out, nil
}

// filterProduct is itertools.product(input, *others, repeat=1): tuples.
func filterProduct(a *fargs) (any, error) {
	var pools [][]any
	for _, v := range append([]any{a.in}, a.rest...) {
		l, err := a.w.items(v)
		if err != nil {
			return nil, err
		}
		pools = append(pools, l)
	}
	repeat, ok := a.arg(0, 1).(int)
	if !ok || repeat < 0 {
		return nil, errors.New("repeat argument cannot be negative")
	}
	var all [][]any
	for range repeat {
		all = append(all, pools...)
	}
	n := 1
	for _, p := range all {
		n *= len(p)
		if n > maxElements {
			return nil, listTooLarge()
		}
	}
	out := []any{Tuple{}}
	for _, p := range all {
		var next []any
		for _, t := range out {
			for _, e := range p {
				next = append(next, append(append(Tuple{}, t.(Tuple)...), e))
			}
		}
		out = next
		if err := a.w.step(len(out)); err != nil {
			return nil, err
		}
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

// filterZip is Python's zip(input, *others): tuples, as long as the
// shortest.
func filterZip(a *fargs) (any, error) {
	var lists [][]any
	n := math.MaxInt
	for _, v := range append([]any{a.in}, a.rest...) {
		l, err := a.w.items(v)
		if err != nil {
			return nil, typeErrorf("zip argument #%d must support iteration", len(lists)+1)
		}
		lists = append(lists, l)
		n = min(n, len(l))
	}
	out := make([]any, 0, n)
	for i := range n {
		t := make(Tuple, len(lists))
		for j, l := range lists {
			t[j] = l[i]
		}
		out = append(out, t)
	}
	return out, nil
}

// pyBasename is Python's os.path.basename.
func pyBasename(p string) string {
	return p[strings.LastIndex(p, "/")+1:]
}

// pyDirname is Python's os.path.dirname.
func pyDirname(p string) string {
	i := strings.LastIndex(p, "/") + 1
	head := p[:i]
	if head != "" && strings.Trim(head, "/") != "" {
		head = strings.TrimRight(head, "/")
	}
	return head
}

// filterSplitext is Python's os.path.splitext: a (root, ext) tuple.
func filterSplitext(a *fargs) (any, error) {
	s, err := a.w.str(a.in)
	if err != nil {
		return nil, err
	}
	base := strings.LastIndex(s, "/") + 1
	dot := strings.LastIndex(s, ".")
	if dot > base {
		// A leading dot (of the base name) starts no extension.
		if strings.Trim(s[base:dot], ".") != "" {
			return Tuple{s[:dot], s[dot:]}, nil
		}
	}
	return Tuple{s, ""}, nil
}

// filterPathJoin is Ansible's path_join: Python's os.path.join.
func filterPathJoin(a *fargs) (any, error) {
	var parts []any
	if isStr(a.in) {
		parts = []any{a.in}
	} else if l, ok := seqOf(a.in); ok {
		parts = l
	} else {
		return nil, fmt.Errorf("|path_join expects string or sequence, got %s instead.", pyType(a.in))
	}
	out := ""
	for i, p := range parts {
		s, err := a.w.str(p)
		if err != nil {
			return nil, err
		}
		switch {
		case i == 0 || strings.HasPrefix(s, "/"):
			out = s
		case out == "" || strings.HasSuffix(out, "/"):
			out += s
		default:
			out += "/" + s
		}
	}
	_ = path.Join
	return out, nil
}

// setOp is Ansible's intersect, difference, symmetric_difference and
// union of lists: their elements in order, each once.
func setOp(a *fargs, op string) (any, error) {
	x, err := a.w.items(a.in)
	if err != nil {
		return nil, err
	}
	y, err := a.w.items(a.arg(0, nil))
	if err != nil {
		return nil, err
	}
	filter := func(l, other []any, keep bool) ([]any, error) {
		var out []any
		for _, e := range l {
			in, err := a.w.member(e, other)
			if err != nil {
				return nil, err
			}
			if in == keep {
				out = append(out, e)
			}
		}
		return out, nil
	}
	switch op {
	case "intersect":
		l, err := filter(x, y, true)
		if err != nil {
			return nil, err
		}
		return uniqueEq(a.w, l)
	case "difference":
		l, err := filter(x, y, false)
		if err != nil {
			return nil, err
		}
		return uniqueEq(a.w, l)
	case "union":
		return uniqueEq(a.w, append(append([]any{}, x...), y...))
	}
	isect, err := filter(x, y, true)
	if err != nil {
		return nil, err
	}
	isect, _ = uniqueEq(a.w, isect)
	union, err := uniqueEq(a.w, append(append([]any{}, x...), y...))
	if err != nil {
		return nil, err
	}
	out, err := filter(union, isect, false)
	if out == nil {
		out = []any{}
	}
	return out, err
}

func filterLog(a *fargs) (any, error) {
	x, ok := number(a.in)
	if !ok {
		return nil, typeErrorf("log() can only be used on numbers: must be real number, not %s", typeName(a.in))
	}
	if x <= 0 {
		return nil, errors.New("log() can only be used on numbers: math domain error")
	}
	if !a.has(0) {
		return math.Log(x), nil
	}
	base, ok := number(a.arg(0, nil))
	if !ok {
		return nil, typeErrorf("log() can only be used on numbers: must be real number")
	}
	if base == 10 {
		return math.Log10(x), nil
	}
	return math.Log(x) / math.Log(base), nil
}

func filterPow(a *fargs) (any, error) {
	x, ok1 := number(a.in)
	y, ok2 := number(a.arg(0, nil))
	if !ok1 || !ok2 {
		return nil, typeErrorf("pow() can only be used on numbers: must be real number")
	}
	r := exactPow(x, y)
	if math.IsNaN(r) {
		return nil, errors.New("pow() can only be used on numbers: math domain error")
	}
	return r, nil
}

func filterRoot(a *fargs) (any, error) {
	x, ok := number(a.in)
	base := 2.0
	if a.has(0) {
		b, okB := number(a.arg(0, nil))
		if !okB {
			return nil, errors.New("root() can only be used on numbers")
		}
		base = b
	}
	if !ok {
		return nil, typeErrorf("root() can only be used on numbers: must be real number, not %s", typeName(a.in))
	}
	if base == 2 {
		if x < 0 {
			return nil, errors.New("root() can only be used on numbers: math domain error")
		}
		return math.Sqrt(x), nil
	}
	return exactPow(x, 1/base), nil
}

// filterExtract is Ansible's extract(container, morekeys=None).
func filterExtract(a *fargs) (any, error) {
	keys := []any{a.in}
	switch m := a.arg(1, nil).(type) {
	case nil:
	case []any:
		keys = append(keys, m...)
	default:
		keys = append(keys, m)
	}
	v := a.arg(0, nil)
	for _, k := range keys {
		var err error
		if v, err = a.ev.getitem(v, k); err != nil {
			return nil, err
		}
		if u, ok := v.(undefined); ok {
			return u, nil
		}
	}
	return v, nil
}

// uuidNamespaceAnsible is Ansible's UUID_NAMESPACE_ANSIBLE.
const uuidNamespaceAnsible = "361E6D51-FAEC-444A-9079-341386DA8E2E"

// filterToUUID is Ansible's to_uuid(namespace): a version 5 UUID.
func filterToUUID(a *fargs) (any, error) {
	ns := strings.ReplaceAll(strings.Trim(Str(a.arg(0, uuidNamespaceAnsible)), "{}"), "-", "")
	if strings.HasPrefix(strings.ToLower(ns), "urn:uuid:") {
		ns = ns[len("urn:uuid:"):]
	}
	nsBytes, err := hex.DecodeString(ns)
	if err != nil || len(nsBytes) != 16 {
		return nil, fmt.Errorf("Invalid value '%s' for 'namespace': badly formed hexadecimal UUID string", Str(a.arg(0, "")))
	}
	s, err := a.w.str(a.in)
	if err != nil {
		return nil, err
	}
	h := sha1.New()
	h.Write(nsBytes)
	h.Write([]byte(s))
	u := h.Sum(nil)[:16]
	u[6] = (u[6] & 0x0f) | 0x50
	u[8] = (u[8] & 0x3f) | 0x80
	x := hex.EncodeToString(u)
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:], nil
}

// exactPow is math.Pow, except that a root that is a whole number
// (27 ** (1/3)) comes out whole, as the C library's correctly rounded pow
// Python calls gives it.
func exactPow(x, y float64) float64 {
	r := math.Pow(x, y)
	if y > 0 && y < 1 && !math.IsInf(r, 0) && !math.IsNaN(r) {
		n := math.Round(1 / y)
		if w := math.Round(r); math.Abs(r-w) < 1e-9*math.Max(1, w) && math.Abs(1/y-n) < 1e-12 && math.Pow(w, n) == x {
			return w
		}
	}
	return r
}

// filterSubelements is Ansible's subelements(subelements,
// skip_missing=False): (element, value) tuples of each element of a list
// (or a dict's values) with each value of its list at a dotted path.
func filterSubelements(a *fargs) (any, error) {
	var elements []any
	switch x := a.in.(type) {
	case *Dict:
		for _, v := range x.All() {
			elements = append(elements, v)
		}
	case []any:
		elements = x
	default:
		return nil, errors.New("obj must be a list of dicts or a nested dict")
	}
	var path []any
	switch p := a.arg(0, nil).(type) {
	case []any:
		path = p
	case string:
		for _, s := range strings.Split(p, ".") {
			path = append(path, s)
		}
	default:
		return nil, typeErrorf("subelements must be a list or a string")
	}
	skip := Truth(a.arg(1, false))
	out := []any{}
	for _, e := range elements {
		values := e
		missing := false
		for _, key := range path {
			d, ok := values.(*Dict)
			if !ok {
				return nil, typeErrorf("the key %s should point to a dictionary, got '%s'", Str(key), Str(values))
			}
			v, ok := d.Get(Str(key))
			if !ok {
				if skip {
					missing = true
					break
				}
				return nil, fmt.Errorf("could not find %s key in iterated item %s", Repr(Str(key)), Repr(values))
			}
			values = v
		}
		if missing {
			continue
		}
		l, ok := values.([]any)
		if !ok {
			return nil, typeErrorf("the key %s should point to a list, got %s", Repr(Str(path[len(path)-1])), Repr(values))
		}
		for _, v := range l {
			if err := a.w.step(1); err != nil {
				return nil, err
			}
			out = append(out, Tuple{e, v})
		}
	}
	return out, nil
}
