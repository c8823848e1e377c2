package ansible

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/go-multierror"

	"github.com/zonemgr/zonemgr/internal/jsonv"
)

// MaxArgsSize is the size of the largest args JSON a module accepts.
const MaxArgsSize = 4 << 20

// An entry is one member of a JSON object, in the order given.
type entry struct {
	key string
	val jsonv.Value
}

// A parser collects what one Parse call finds: error messages (reported
// together), coercion warnings, and the values of no_log options.
//
// Messages about one option name it first and say what was wrong and
// what is accepted ("state: value \"bogus\" is not one of: present,
// absent"), where Ansible reports only its first error in its own words.
// The unsupported-parameters message and those of required_if,
// required_one_of and required_together keep Ansible's wording.
type parser struct {
	module   string // the name in "Unsupported parameters for (NAME) module"
	errs     []string
	warnings []string
	noLog    map[string]bool
	// secret is set while a no_log option's value is read: its messages
	// name the value's JSON type, never the value (masking a value after
	// it was quoted or cut would miss it).
	secret int
}

func (pr *parser) errorf(format string, a ...any) {
	pr.errs = append(pr.errs, fmt.Sprintf(format, a...))
}

// Parse validates the args JSON object raw against the spec and returns
// the coerced option values and the `_ansible_*` settings. Every problem
// of one call is reported together in one *multierror.Error whose message
// lists them separated by "; ". Values of no_log options are masked in
// the messages.
func (s *Spec) Parse(raw []byte) (*Params, error) {
	p, err := s.parse(raw)
	if err != nil {
		if p != nil {
			return nil, maskErrors(err, p.noLog)
		}
		return nil, err
	}
	return p, nil
}

// maskErrors masks secrets in each message of a *multierror.Error.
func maskErrors(err error, secrets []string) error {
	var me *multierror.Error
	if len(secrets) == 0 || !errors.As(err, &me) {
		return err
	}
	msgs := make([]string, len(me.Errors))
	for i, e := range me.Errors {
		msgs[i] = maskString(e.Error(), secrets)
	}
	return joinErrors(msgs)
}

// parse is Parse without the masking of messages. When raw is a JSON
// object it also returns the Params gathered so far, even on error, so
// that a failure can still show the invocation and mask no_log values.
func (s *Spec) parse(raw []byte) (*Params, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	top, err := parseArgsJSON(raw)
	if err != nil {
		return nil, err
	}
	pr := &parser{module: s.Module, noLog: map[string]bool{}}
	p := newParams(s.Options, nil)
	var fields []entry
	for _, m := range top.Members {
		if strings.HasPrefix(m.Key, "_ansible_") {
			pr.internal(p, m.Key, m.Value)
		} else {
			fields = append(fields, entry{m.Key, m.Value})
		}
	}
	if p.TmpDir == "" {
		p.TmpDir = p.RemoteTmp
	}
	if p.ModuleName != "" {
		pr.module = p.ModuleName
	}
	unknown := pr.level(s.Options, fields, "", p, false)
	pr.constraints(s, p)
	if len(unknown) > 0 {
		pr.unsupported(s.Options, unknown, "")
	}
	p.Warnings = pr.warnings
	p.noLog = secretsList(pr.noLog)
	return p, joinErrors(pr.errs)
}

// parseArgsJSON parses the args, rejecting args that are too large,
// empty, not JSON (jsonv.Parse also bounds their nesting), or not one
// JSON object.
func parseArgsJSON(raw []byte) (jsonv.Value, error) {
	var none jsonv.Value
	if len(raw) > MaxArgsSize {
		return none, fmt.Errorf("module args: %d bytes, more than the %d-byte limit", len(raw), MaxArgsSize)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return none, errors.New("module args: empty, want a JSON object")
	}
	top, err := jsonv.Parse(raw)
	if err != nil {
		return none, fmt.Errorf("module args: invalid JSON: %v", err)
	}
	if top.Kind != jsonv.KindObject {
		return none, fmt.Errorf("module args: top-level JSON value is %s, want an object", kindOf(top))
	}
	return top, nil
}

// kindOf names the JSON type of v for messages.
func kindOf(v jsonv.Value) string {
	switch v.Kind {
	case jsonv.KindString:
		return "a string"
	case jsonv.KindNumber:
		return "a number"
	case jsonv.KindTrue, jsonv.KindFalse:
		return "a boolean"
	case jsonv.KindNull:
		return "null"
	case jsonv.KindArray:
		return "an array"
	}
	return "an object"
}

// internal reads one `_ansible_*` key; unknown ones are ignored.
func (pr *parser) internal(p *Params, key string, v jsonv.Value) {
	flag := func(dst *bool) {
		if v.Kind == jsonv.KindNull {
			return
		}
		b, ok := toBool(v)
		if !ok {
			pr.errorf("%s: %s is %s", key, pr.show(v), typeNoun(TypeBool))
			return
		}
		*dst = b
	}
	str := func(dst *string) {
		if v.Kind == jsonv.KindString {
			*dst = v.Str
		}
	}
	switch key {
	case "_ansible_check_mode":
		flag(&p.CheckMode)
	case "_ansible_diff":
		flag(&p.Diff)
	case "_ansible_no_log":
		flag(&p.NoLog)
	case "_ansible_verbosity":
		if v.Kind == jsonv.KindNull {
			return
		}
		n, ok := toInt(v)
		if !ok {
			pr.errorf("%s: %s is %s", key, pr.show(v), typeNoun(TypeInt))
			return
		}
		p.Verbosity = n
	case "_ansible_module_name":
		str(&p.ModuleName)
	case "_ansible_tmpdir":
		str(&p.TmpDir)
		p.TmpDir = expandHome(p.TmpDir)
	case "_ansible_remote_tmp":
		str(&p.RemoteTmp)
		p.RemoteTmp = expandHome(p.RemoteTmp)
	}
}

// level validates one object's members against one level of options
// (the module's, or a dict's suboptions) and fills p. prefix is the path
// of the object in messages: "" at the top, "mounts[0]." below. quiet
// suppresses conversion warnings, for defaults. It returns the keys no
// option claims.
func (pr *parser) level(opts []Option, fields []entry, prefix string, p *Params, quiet bool) map[string]bool {
	index := make(map[string]*Option, len(opts))
	for i := range opts {
		o := &opts[i]
		index[o.Name] = o
		for _, a := range o.Aliases {
			index[a] = o
		}
	}
	keysOf := map[string][]string{}
	valueOf := map[string][]jsonv.Value{}
	unknown := map[string]bool{}
	for _, f := range fields {
		o, ok := index[f.key]
		if !ok {
			unknown[f.key] = true
			continue
		}
		keysOf[o.Name] = append(keysOf[o.Name], f.key)
		valueOf[o.Name] = append(valueOf[o.Name], f.val)
	}
	for i := range opts {
		o := &opts[i]
		name := prefix + o.Name
		vals := valueOf[o.Name]
		// Ansible only warns when an option and its alias are both set
		// and keeps one of them; here it is an error, so that no value
		// the user gave is silently dropped.
		if len(vals) > 1 {
			if o.NoLog {
				for _, v := range vals {
					pr.collectNoLog(v)
				}
			}
			if keys := keysOf[o.Name]; sameStrings(keys) {
				pr.errorf("%s: given more than once", name)
			} else {
				pr.errorf("%s: given more than once (as %s)", name, joinAnd(keys))
			}
			p.values[o.Name] = toGo(vals[len(vals)-1])
			p.given[o.Name] = true
			continue
		}
		// A null value is taken as not given, so that a default applies
		// and a required option is missing; Ansible keeps the null.
		if len(vals) == 0 || vals[0].Kind == jsonv.KindNull {
			switch {
			case o.Required:
				pr.errorf("%s: required", name)
			case o.Default != nil:
				b, err := jsonv.Marshal(o.Default)
				if err != nil {
					pr.errorf("%s: default cannot be encoded: %v", name, err)
					continue
				}
				pr.option(o, parseResult(b), name, p, true)
			}
			continue
		}
		p.given[o.Name] = true
		if key := keysOf[o.Name][0]; key != o.Name {
			if p.aliasKey == nil {
				p.aliasKey = map[string]string{}
			}
			p.aliasKey[o.Name] = key
		}
		pr.option(o, vals[0], name, p, quiet)
	}
	return unknown
}

// unsupported reports keys no option claims, in Ansible's wording.
func (pr *parser) unsupported(opts []Option, unknown map[string]bool, prefix string) {
	var names []string
	for k := range unknown {
		names = append(names, prefix+k)
	}
	slices.Sort(names)
	// As ansible-core 2.14 words it (module_utils/common/arg_spec.py
	// ArgumentSpecValidator.validate()): the options sorted, then every
	// alias, sorted, in one parenthesis after them.
	var supported, aliases []string
	for _, o := range opts {
		supported = append(supported, o.Name)
		aliases = append(aliases, o.Aliases...)
	}
	slices.Sort(supported)
	list := strings.Join(supported, ", ")
	if len(aliases) > 0 {
		slices.Sort(aliases)
		list += " (" + strings.Join(aliases, ", ") + ")"
	}
	pr.errorf("Unsupported parameters for (%s) module: %s. Supported parameters include: %s.",
		pr.module, strings.Join(names, ", "), list)
}

// option coerces the value v of option o, checks its choices and stores
// it in p. An invalid value is stored as given, for the invocation.
func (pr *parser) option(o *Option, v jsonv.Value, name string, p *Params, quiet bool) {
	if o.NoLog {
		pr.collectNoLog(v)
		pr.secret++
		defer func() { pr.secret-- }()
	}
	before := len(pr.errs)
	val, ok := pr.value(o, o.Type.orStr(), v, name, p, quiet)
	if !ok || len(pr.errs) > before {
		p.values[o.Name] = toGo(v)
		return
	}
	p.values[o.Name] = pr.choices(o, val, name)
}

func (pr *parser) value(o *Option, t Type, v jsonv.Value, name string, p *Params, quiet bool) (any, bool) {
	switch t {
	case TypeList:
		return pr.list(o, v, name, p, quiet)
	case TypeDict:
		return pr.dict(o, v, name, p, quiet)
	}
	return pr.scalar(t, v, name, quiet)
}

func (pr *parser) scalar(t Type, v jsonv.Value, name string, quiet bool) (any, bool) {
	val, converted, ok := coerceScalar(t, v)
	if !ok {
		pr.errorf("%s: %s is %s", name, pr.show(v), typeNoun(t))
		return nil, false
	}
	if converted && !quiet {
		pr.warnConverted(name, v, val.(string))
	}
	return val, true
}

// warnConverted gives Ansible's warning for a non-string value taken as a
// string.
func (pr *parser) warnConverted(name string, v jsonv.Value, s string) {
	pyType := "int"
	from := v.Raw
	switch v.Kind {
	case jsonv.KindTrue:
		pyType, from = "bool", "True"
	case jsonv.KindFalse:
		pyType, from = "bool", "False"
	case jsonv.KindNumber:
		if strings.ContainsAny(v.Raw, ".eE") {
			pyType = "float"
		}
	}
	pr.warnings = append(pr.warnings, fmt.Sprintf(
		"The value \"%s: %s\" (type %s) was converted to \"%s: '%s'\" (type string). "+
			"If this does not look like what you expect, quote the entire value to ensure it does not change.",
		name, from, pyType, name, s))
}

// coerceScalar converts v to type t as Ansible does. converted reports a
// non-string value taken as a string.
func coerceScalar(t Type, v jsonv.Value) (val any, converted, ok bool) {
	switch t.orStr() {
	case TypeStr, TypePath:
		s, converted, ok := toStr(v)
		if !ok {
			return nil, false, false
		}
		if t == TypePath {
			s = expandPath(s)
		}
		return s, converted, true
	case TypeBool:
		b, ok := toBool(v)
		return b, false, ok
	case TypeInt:
		n, ok := toInt(v)
		return n, false, ok
	case TypeFloat:
		f, ok := toFloat(v)
		return f, false, ok
	case TypeRaw:
		return toGo(v), false, true
	}
	return nil, false, false
}

// toStr takes strings as they are and numbers and booleans in their
// Python string form (3, 3.0, True); lists, dicts and null are not strings.
func toStr(v jsonv.Value) (s string, converted, ok bool) {
	switch v.Kind {
	case jsonv.KindString:
		return v.Str, false, true
	case jsonv.KindNumber:
		return v.Raw, true, true
	case jsonv.KindTrue:
		return "True", true, true
	case jsonv.KindFalse:
		return "False", true, true
	}
	return "", false, false
}

// The words Ansible's boolean() accepts, in any case.
var (
	boolTrue  = []string{"y", "yes", "on", "1", "true", "t"}
	boolFalse = []string{"n", "no", "off", "0", "false", "f"}
)

func toBool(v jsonv.Value) (bool, bool) {
	switch v.Kind {
	case jsonv.KindTrue:
		return true, true
	case jsonv.KindFalse:
		return false, true
	case jsonv.KindString:
		w := strings.ToLower(strings.TrimSpace(v.Str))
		if slices.Contains(boolTrue, w) {
			return true, true
		}
		if slices.Contains(boolFalse, w) {
			return false, true
		}
	case jsonv.KindNumber:
		f, err := strconv.ParseFloat(v.Raw, 64)
		if err == nil && (f == 0 || f == 1) {
			return f == 1, true
		}
	}
	return false, false
}

// toInt takes integral numbers (3 and 3.0) and decimal integer strings.
func toInt(v jsonv.Value) (int, bool) {
	switch v.Kind {
	case jsonv.KindNumber:
		if n, err := strconv.ParseInt(v.Raw, 10, 0); err == nil {
			return int(n), true
		}
		f, err := strconv.ParseFloat(v.Raw, 64)
		if err != nil || f != math.Trunc(f) || f < float64(math.MinInt) || f >= -float64(math.MinInt) {
			return 0, false
		}
		return int(f), true
	case jsonv.KindString:
		n, err := strconv.ParseInt(strings.TrimSpace(v.Str), 10, 0)
		return int(n), err == nil
	}
	return 0, false
}

// toFloat takes finite numbers and numeric strings.
func toFloat(v jsonv.Value) (float64, bool) {
	var s string
	switch v.Kind {
	case jsonv.KindNumber:
		s = v.Raw
	case jsonv.KindString:
		s = strings.TrimSpace(v.Str)
	default:
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// expandPath expands a leading ~ or ~user and cleans the path.
func expandPath(s string) string {
	if s == "" {
		return s
	}
	return filepath.Clean(expandHome(s))
}

// expandHome expands a leading ~ (HOME) or ~user, as Python's
// os.path.expanduser does; a user that does not exist leaves s as it is.
func expandHome(s string) string {
	if !strings.HasPrefix(s, "~") {
		return s
	}
	name, rest, _ := strings.Cut(s[1:], "/")
	var home string
	if name == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			u, uerr := user.Current()
			if uerr != nil {
				return s
			}
			h = u.HomeDir
		}
		home = h
	} else {
		u, err := user.Lookup(name)
		if err != nil {
			return s
		}
		home = u.HomeDir
	}
	if rest == "" && !strings.Contains(s, "/") {
		return home
	}
	return strings.TrimSuffix(home, "/") + "/" + rest
}

// list takes an array, a comma-separated string ("" is the empty list), or
// a scalar as a one-element list, and coerces each element.
func (pr *parser) list(o *Option, v jsonv.Value, name string, p *Params, quiet bool) (any, bool) {
	var elems []jsonv.Value
	switch v.Kind {
	case jsonv.KindObject:
		pr.errorf("%s: %s is %s", name, pr.show(v), typeNoun(TypeList))
		return nil, false
	case jsonv.KindArray:
		elems = v.Elems
	case jsonv.KindString:
		// Ansible splits "" into [""]; an empty string is taken as the
		// empty list here, which is what an empty list option means.
		if v.Str != "" {
			for _, part := range strings.Split(v.Str, ",") {
				elems = append(elems, stringResult(part))
			}
		}
	case jsonv.KindNumber:
		elems = []jsonv.Value{stringResult(v.Raw)}
	default:
		elems = []jsonv.Value{v}
	}
	et := o.Elements.orStr()
	vals := make([]any, 0, len(elems))
	ok := true
	for i, e := range elems {
		ename := fmt.Sprintf("%s[%d]", name, i)
		var val any
		var good bool
		if et == TypeDict {
			val, good = pr.dict(o, e, ename, p, quiet)
		} else {
			val, good = pr.scalar(et, e, ename, quiet)
		}
		ok = ok && good
		vals = append(vals, val)
	}
	if !ok {
		return nil, false
	}
	return typedSlice(et, vals), true
}

// typedSlice turns coerced elements into the slice type of their element
// type: []string, []bool, []int, []float64, []map[string]any or []any.
func typedSlice(et Type, vals []any) any {
	switch et {
	case TypeStr, TypePath:
		return convertSlice[string](vals)
	case TypeBool:
		return convertSlice[bool](vals)
	case TypeInt:
		return convertSlice[int](vals)
	case TypeFloat:
		return convertSlice[float64](vals)
	case TypeDict:
		return convertSlice[map[string]any](vals)
	}
	return vals
}

func convertSlice[T any](vals []any) []T {
	out := make([]T, 0, len(vals))
	for _, v := range vals {
		t, _ := v.(T)
		out = append(out, t)
	}
	return out
}

// dict takes an object, a JSON object in a string, or "k1=v1, k2=v2",
// and validates it against the suboptions when the option has them.
func (pr *parser) dict(o *Option, v jsonv.Value, name string, p *Params, quiet bool) (any, bool) {
	fields, ok := dictFields(v)
	if !ok {
		pr.errorf("%s: %s is %s", name, pr.show(v), typeNoun(TypeDict))
		return nil, false
	}
	if len(o.Suboptions) == 0 {
		m := make(map[string]any, len(fields))
		for _, f := range fields {
			m[f.key] = toGo(f.val)
		}
		return m, true
	}
	sub := newParams(o.Suboptions, p)
	before := len(pr.errs)
	if unknown := pr.level(o.Suboptions, fields, name+".", sub, quiet); len(unknown) > 0 {
		pr.unsupported(o.Suboptions, unknown, name+".")
	}
	p.subs[o.Name] = append(p.subs[o.Name], sub)
	return sub.Args(), len(pr.errs) == before
}

func dictFields(v jsonv.Value) ([]entry, bool) {
	obj := v
	if v.Kind == jsonv.KindString {
		s := v.Str
		switch {
		case strings.HasPrefix(s, "{"):
			var err error
			if obj, err = jsonv.Parse([]byte(s)); err != nil {
				return nil, false
			}
		case strings.Contains(s, "="):
			return keyValueFields(s)
		default:
			return nil, false
		}
	}
	if obj.Kind != jsonv.KindObject {
		return nil, false
	}
	fields := make([]entry, 0, len(obj.Members))
	for _, m := range obj.Members {
		fields = append(fields, entry{m.Key, m.Value})
	}
	return fields, true
}

// keyValueFields parses "k1=v1, k2='v 2'" as Ansible's check_type_dict
// does: fields split on commas and spaces outside quotes, a backslash
// escaping the next character.
func keyValueFields(s string) ([]entry, bool) {
	var fields []string
	var buf strings.Builder
	var quote rune
	escaped := false
	flush := func() {
		if buf.Len() > 0 {
			fields = append(fields, buf.String())
		}
		buf.Reset()
	}
	for _, c := range strings.TrimSpace(s) {
		switch {
		case escaped:
			buf.WriteRune(c)
			escaped = false
		case c == '\\':
			escaped = true
		case quote == 0 && (c == '\'' || c == '"'):
			quote = c
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == ',' || c == ' '):
			flush()
		default:
			buf.WriteRune(c)
		}
	}
	flush()
	entries := make([]entry, 0, len(fields))
	for _, f := range fields {
		k, val, ok := strings.Cut(f, "=")
		if !ok {
			return nil, false
		}
		entries = append(entries, entry{k, stringResult(val)})
	}
	return entries, true
}

// choices checks a coerced value against the option's choices and returns
// it, turning "True"/"False" (a YAML boolean taken as a string) into the
// one boolean-like choice when there is exactly one, as Ansible does.
func (pr *parser) choices(o *Option, val any, name string) any {
	if len(o.Choices) == 0 {
		return val
	}
	bad := func(shown string) {
		if pr.secret > 0 {
			shown = "(hidden: no_log)"
		}
		pr.errorf("%s: value %s is not one of: %s", name, shown, choiceList(o.Choices))
	}
	switch x := val.(type) {
	case string:
		if slices.Contains(o.Choices, x) {
			return x
		}
		if m, ok := boolChoice(o.Choices, x); ok {
			return m
		}
		bad(strconv.Quote(x))
	case int:
		if !slices.Contains(o.Choices, strconv.Itoa(x)) {
			bad(strconv.Itoa(x))
		}
	case float64:
		if !floatChoice(o.Choices, x) {
			bad(strconv.FormatFloat(x, 'g', -1, 64))
		}
	case []string:
		for _, e := range x {
			if !slices.Contains(o.Choices, e) {
				bad(strconv.Quote(e))
			}
		}
	case []int:
		for _, e := range x {
			if !slices.Contains(o.Choices, strconv.Itoa(e)) {
				bad(strconv.Itoa(e))
			}
		}
	case []float64:
		for _, e := range x {
			if !floatChoice(o.Choices, e) {
				bad(strconv.FormatFloat(e, 'g', -1, 64))
			}
		}
	}
	return val
}

func floatChoice(choices []string, f float64) bool {
	for _, c := range choices {
		if cf, err := strconv.ParseFloat(c, 64); err == nil && cf == f {
			return true
		}
	}
	return false
}

func boolChoice(choices []string, s string) (string, bool) {
	var words []string
	switch s {
	case "True":
		words = boolTrue
	case "False":
		words = boolFalse
	default:
		return "", false
	}
	var match []string
	for _, c := range choices {
		if slices.Contains(words, c) {
			match = append(match, c)
		}
	}
	if len(match) == 1 {
		return match[0], true
	}
	return "", false
}

// constraints checks the spec's constraints between top-level options.
// Mutual exclusion counts options the user gave; the others count
// options that have a value, given or by default, as Ansible does.
func (pr *parser) constraints(s *Spec, p *Params) {
	for _, g := range s.MutuallyExclusive {
		var given []string
		for _, n := range g {
			if p.given[n] {
				given = append(given, n)
			}
		}
		if len(given) > 1 {
			pr.errorf("%s are mutually exclusive", joinAnd(given))
		}
	}
	for _, g := range s.RequiredTogether {
		n := countValues(p, g)
		if n > 0 && n < len(g) {
			pr.errorf("parameters are required together: %s", strings.Join(g, ", "))
		}
	}
	for _, g := range s.RequiredOneOf {
		if countValues(p, g) == 0 {
			pr.errorf("one of the following is required: %s", strings.Join(g, ", "))
		}
	}
	for _, r := range s.RequiredIf {
		v := p.values[r.Key]
		if v == nil || fmt.Sprint(v) != fmt.Sprint(r.Value) {
			continue
		}
		var missing []string
		for _, n := range r.Requires {
			if p.values[n] == nil {
				missing = append(missing, n)
			}
		}
		switch {
		case r.Any && len(missing) == len(r.Requires):
			pr.errorf("%s is %v but any of the following are missing: %s", r.Key, r.Value, strings.Join(missing, ", "))
		case !r.Any && len(missing) > 0:
			pr.errorf("%s is %v but all of the following are missing: %s", r.Key, r.Value, strings.Join(missing, ", "))
		}
	}
}

func countValues(p *Params, names []string) int {
	n := 0
	for _, name := range names {
		if p.values[name] != nil {
			n++
		}
	}
	return n
}

// collectNoLog records the string forms of a no_log value's scalars.
func (pr *parser) collectNoLog(v jsonv.Value) {
	switch v.Kind {
	case jsonv.KindString:
		if v.Str != "" {
			pr.noLog[v.Str] = true
		}
	case jsonv.KindNumber:
		pr.noLog[v.Raw] = true
	case jsonv.KindArray:
		for _, e := range v.Elems {
			pr.collectNoLog(e)
		}
	case jsonv.KindObject:
		for _, m := range v.Members {
			pr.collectNoLog(m.Value)
		}
	}
}

// toGo converts a JSON value to Go: nil, bool, string, int for integers
// that fit, float64, []any and map[string]any. A number beyond float64
// (1e400) becomes its text, which JSON decoders (encoding/json, and the
// runner's Judge) could not take back as a number.
func toGo(v jsonv.Value) any {
	switch v.Kind {
	case jsonv.KindTrue:
		return true
	case jsonv.KindFalse:
		return false
	case jsonv.KindString:
		return v.Str
	case jsonv.KindNumber:
		if n, err := strconv.ParseInt(v.Raw, 10, 0); err == nil {
			return int(n)
		}
		if f, err := strconv.ParseFloat(v.Raw, 64); err == nil {
			return f
		}
		return v.Raw
	case jsonv.KindArray:
		out := make([]any, 0, len(v.Elems))
		for _, e := range v.Elems {
			out = append(out, toGo(e))
		}
		return out
	case jsonv.KindObject:
		out := make(map[string]any, len(v.Members))
		for _, m := range v.Members {
			out[m.Key] = toGo(m.Value)
		}
		return out
	}
	return nil
}

// parseResult parses JSON that jsonv.Marshal produced.
func parseResult(b []byte) jsonv.Value {
	v, _ := jsonv.Parse(b)
	return v
}

// stringResult makes a JSON string value holding s.
func stringResult(s string) jsonv.Value {
	return jsonv.Value{Kind: jsonv.KindString, Str: s, Raw: string(jsonv.AppendString(nil, s, true))}
}

// show renders a value for an error message: strings quoted, other
// values as compact JSON, long values cut; a no_log option's value only
// by its JSON type.
func (pr *parser) show(v jsonv.Value) string {
	if pr.secret > 0 {
		return kindOf(v)
	}
	var s string
	if v.Kind == jsonv.KindString {
		s = strconv.Quote(v.Str)
	} else {
		s = string(jsonv.Compact([]byte(v.Raw)))
	}
	const limit = 60
	if r := []rune(s); len(r) > limit {
		return string(r[:limit]) + "..."
	}
	return s
}

// typeNoun names a type with its article, and for bool the words taken.
func typeNoun(t Type) string {
	switch t.orStr() {
	case TypeInt:
		return "not an int"
	case TypeBool:
		return "not a bool (use yes/no, true/false, on/off, y/n, t/f or 1/0)"
	}
	return "not a " + string(t.orStr())
}

// sameStrings tells whether all of ss are the same string.
func sameStrings(ss []string) bool {
	for _, s := range ss {
		if s != ss[0] {
			return false
		}
	}
	return true
}

// joinAnd joins names as "a and b" or "a, b and c".
func joinAnd(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
