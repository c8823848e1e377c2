// Package ansible owns the Ansible binary-module protocol that zonemgr's
// module binaries (zone_giz, zone_diz, zone_snapshot, zone_exec, zone_info)
// and the in-process task runner share: a module's argument spec (option
// types, defaults, choices, aliases and the constraints between options,
// with Ansible's value coercions), the reading of the flat JSON args object
// Ansible writes for a binary module (user options next to `_ansible_*`
// keys), the one JSON result object a module prints (check mode, diff mode,
// warnings, no_log masking, exit status), and the rule by which Ansible
// judges a module's output, so that the runner judges it the same way.
//
// The argument spec is the one source of truth for a module's options: the
// module validates against it, `--help` prints it, and the collection's
// documentation is generated from it ([Spec.DocOptions]).
package ansible

import (
	"fmt"
	"strings"

	"github.com/hashicorp/go-multierror"

	"github.com/zonemgr/zonemgr/internal/jsonv"
)

// A Type is the type of an option, named as in Ansible's argument_spec.
// The zero Type means [TypeStr], as in Ansible.
type Type string

// The option types a [Spec] supports.
const (
	TypeStr   Type = "str"
	TypeBool  Type = "bool"
	TypeInt   Type = "int"
	TypeFloat Type = "float"
	TypePath  Type = "path"
	TypeList  Type = "list"
	TypeDict  Type = "dict"
	TypeRaw   Type = "raw"
)

// orStr returns t, or TypeStr for the zero Type.
func (t Type) orStr() Type {
	if t == "" {
		return TypeStr
	}
	return t
}

func (t Type) known() bool {
	switch t.orStr() {
	case TypeStr, TypeBool, TypeInt, TypeFloat, TypePath, TypeList, TypeDict, TypeRaw:
		return true
	}
	return false
}

// An Option is one option of a module's argument spec: its name and type,
// how it is given and defaulted, and its documentation.
type Option struct {
	Name string
	Type Type
	// Elements is the type of a list's elements; the zero Type means str.
	Elements Type
	Required bool
	// Default is applied when the option is not given (or given as null).
	// It is coerced like a given value, so 300 and "300" both suit an int.
	Default any
	// Choices are the accepted values, compared in their string form; for
	// a list they apply to each element.
	Choices []string
	Aliases []string
	// NoLog marks a secret: its value is masked in the result, and so is
	// any other string of the result that contains it.
	NoLog       bool
	Description string
	// Suboptions is the spec of a dict, or of each dict of a list of dicts.
	Suboptions []Option
}

// A RequiredIf makes options required when the option Key has Value: all of
// Requires, or with Any at least one of them.
type RequiredIf struct {
	Key      string
	Value    any
	Requires []string
	Any      bool
}

// A Spec is a module's argument spec: its name, its options and the
// constraints between them. A module binary validates its args against
// it, prints it for `--help`, and the collection's docs are generated
// from it.
type Spec struct {
	Module      string
	Description string
	Options     []Option
	// MutuallyExclusive lists groups of options of which at most one may
	// be given.
	MutuallyExclusive [][]string
	RequiredIf        []RequiredIf
	// RequiredOneOf lists groups of options of which at least one must
	// have a value.
	RequiredOneOf [][]string
	// RequiredTogether lists groups of options that have values all
	// together or not at all.
	RequiredTogether [][]string
	// SupportsCheckMode tells whether the module predicts its changes in
	// check mode; without it, check mode skips the module.
	SupportsCheckMode bool
}

// joinErrors returns errs as one *multierror.Error whose message lists
// every error on one line, separated by "; ", or nil when errs is empty.
func joinErrors(errs []string) error {
	if len(errs) == 0 {
		return nil
	}
	me := &multierror.Error{ErrorFormat: oneLine}
	for _, e := range errs {
		me = multierror.Append(me, plainError(e))
	}
	return me
}

func oneLine(es []error) string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// A plainError is one error message, kept exactly as written.
type plainError string

func (e plainError) Error() string { return string(e) }

// Validate reports every defect of the spec itself: missing or duplicate
// names, aliases that clash, unknown types, choices or defaults that do
// not suit the type, and constraints naming unknown options. Parse calls
// it first, so a defective spec fails every call of the module.
func (s *Spec) Validate() error {
	var errs []string
	prefix := "spec " + s.Module + ": "
	if s.Module == "" {
		prefix = "spec: "
	}
	add := func(format string, a ...any) {
		errs = append(errs, prefix+fmt.Sprintf(format, a...))
	}
	if s.Module == "" {
		add("module name is empty")
	}
	validateOptions(s.Options, "", add)

	known := make(map[string]bool, len(s.Options))
	for _, o := range s.Options {
		known[o.Name] = true
	}
	checkGroup := func(kind string, group []string, min int) {
		if len(group) < min {
			add("%s group %v names fewer than %d options", kind, group, min)
		}
		for _, n := range group {
			if !known[n] {
				add("%s group %v names unknown option %q", kind, group, n)
			}
		}
	}
	for _, g := range s.MutuallyExclusive {
		checkGroup("mutually_exclusive", g, 2)
	}
	for _, g := range s.RequiredTogether {
		checkGroup("required_together", g, 2)
	}
	for _, g := range s.RequiredOneOf {
		checkGroup("required_one_of", g, 1)
	}
	for _, r := range s.RequiredIf {
		if !known[r.Key] {
			add("required_if names unknown option %q", r.Key)
		}
		checkGroup("required_if "+r.Key, r.Requires, 1)
	}
	return joinErrors(errs)
}

// validateOptions checks one level of options; prefix names the parent
// option of suboptions.
func validateOptions(opts []Option, prefix string, add func(string, ...any)) {
	names := map[string]string{} // name or alias -> option that claims it
	claim := func(key, owner string) {
		if prev, ok := names[key]; ok {
			add("option %s%s: name or alias %q already used by option %s%s", prefix, owner, key, prefix, prev)
			return
		}
		names[key] = owner
	}
	for _, o := range opts {
		where := prefix + o.Name
		if o.Name == "" {
			add("option with empty name under %q", prefix)
			continue
		}
		if strings.HasPrefix(o.Name, "_ansible_") {
			add("option %s: names starting with _ansible_ are Ansible's", where)
		}
		claim(o.Name, o.Name)
		for _, a := range o.Aliases {
			if a == "" || strings.HasPrefix(a, "_ansible_") {
				add("option %s: invalid alias %q", where, a)
				continue
			}
			claim(a, o.Name)
		}
		t := o.Type.orStr()
		if !o.Type.known() {
			add("option %s: unknown type %q", where, o.Type)
			continue
		}
		if o.Elements != "" && t != TypeList {
			add("option %s: elements is only for type list", where)
		}
		if t == TypeList && (!o.Elements.known() || o.Elements == TypeList) {
			add("option %s: unsupported element type %q", where, o.Elements)
			continue
		}
		if len(o.Suboptions) > 0 {
			if t != TypeDict && !(t == TypeList && o.Elements == TypeDict) {
				add("option %s: suboptions need type dict or a list of dict", where)
			} else {
				validateOptions(o.Suboptions, where+".", add)
			}
		}
		if len(o.Choices) > 0 {
			ct := t
			if t == TypeList {
				ct = o.Elements.orStr()
			}
			switch ct {
			case TypeStr, TypePath:
			case TypeInt, TypeFloat:
				for _, c := range o.Choices {
					if _, _, ok := coerceScalar(ct, stringResult(c)); !ok {
						add("option %s: choice %q is %s", where, c, typeNoun(ct))
					}
				}
			default:
				add("option %s: choices are not supported for %s values", where, ct)
			}
		}
		if o.Required && o.Default != nil {
			add("option %s: a required option has no default", where)
		}
		if o.Default != nil {
			b, err := jsonv.Marshal(o.Default)
			if err != nil {
				add("option %s: default %v cannot be encoded: %v", where, o.Default, err)
				continue
			}
			pr := parser{module: "", noLog: map[string]bool{}}
			pr.option(&o, parseResult(b), where, newParams(opts, nil), true)
			for _, e := range pr.errs {
				add("default of %s", e)
			}
		}
	}
}

// choiceList renders choices for messages and help.
func choiceList(c []string) string { return strings.Join(c, ", ") }
