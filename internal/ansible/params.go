package ansible

import (
	"fmt"
	"maps"
	"strconv"
)

// Params are a module's validated arguments: the coerced option values,
// with defaults applied, and the settings Ansible passes as `_ansible_*`
// keys. A module's Run reads them; the accessors take an option's name or
// one of its aliases and return the zero value for an option without a
// value or of another type. A nil *Params has no values.
type Params struct {
	// CheckMode is _ansible_check_mode: predict, change nothing.
	CheckMode bool
	// Diff is _ansible_diff: return a diff of what changes.
	Diff bool
	// NoLog is _ansible_no_log: the task is no_log, so the result leaves
	// out the invocation.
	NoLog bool
	// Verbosity is _ansible_verbosity, the count of -v.
	Verbosity int
	// ModuleName is _ansible_module_name, the name as the task wrote it.
	ModuleName string
	// TmpDir is _ansible_tmpdir, or _ansible_remote_tmp when that is null
	// (become to an unprivileged user); a leading ~ is expanded.
	TmpDir string
	// RemoteTmp is _ansible_remote_tmp; a leading ~ is expanded.
	RemoteTmp string
	// Warnings are Parse's warnings (a number or boolean taken as a
	// string); Invoke adds them to the result.
	Warnings []string

	opts   []Option
	alias  map[string]string
	values map[string]any
	given  map[string]bool
	// aliasKey maps an option to the alias the call gave it by.
	aliasKey map[string]string
	subs     map[string][]*Params
	noLog    []string // values to mask, longest first
}

// newParams returns empty Params for one level of options; suboption
// levels take the settings of their parent.
func newParams(opts []Option, parent *Params) *Params {
	p := &Params{
		opts:   opts,
		alias:  map[string]string{},
		values: map[string]any{},
		given:  map[string]bool{},
		subs:   map[string][]*Params{},
	}
	for _, o := range opts {
		for _, a := range o.Aliases {
			p.alias[a] = o.Name
		}
	}
	if parent != nil {
		p.CheckMode, p.Diff, p.NoLog = parent.CheckMode, parent.Diff, parent.NoLog
		p.Verbosity, p.ModuleName = parent.Verbosity, parent.ModuleName
		p.TmpDir, p.RemoteTmp = parent.TmpDir, parent.RemoteTmp
	}
	return p
}

// canonical returns the option name an alias stands for.
func (p *Params) canonical(name string) string {
	if c, ok := p.alias[name]; ok {
		return c
	}
	return name
}

// Raw returns the option's value as stored: string (str, path), bool,
// int, float64, map[string]any (dict), []string, []bool, []int,
// []float64, []map[string]any or []any (lists by element type), any JSON
// value for raw, or nil when the option has no value.
func (p *Params) Raw(name string) any {
	if p == nil {
		return nil
	}
	return p.values[p.canonical(name)]
}

// IsSet tells whether the user gave the option (not null), as opposed to
// its default applying.
func (p *Params) IsSet(name string) bool {
	return p != nil && p.given[p.canonical(name)]
}

// Str returns a str or path option's value.
func (p *Params) Str(name string) string {
	s, _ := p.Raw(name).(string)
	return s
}

// Bool returns a bool option's value.
func (p *Params) Bool(name string) bool {
	b, _ := p.Raw(name).(bool)
	return b
}

// Int returns an int option's value.
func (p *Params) Int(name string) int {
	n, _ := p.Raw(name).(int)
	return n
}

// Float returns a float option's value, or an int option's as a float.
func (p *Params) Float(name string) float64 {
	switch v := p.Raw(name).(type) {
	case float64:
		return v
	case int:
		return float64(v)
	}
	return 0
}

// List returns a list option's elements as strings: str and path
// elements as they are, numbers and booleans in Go's form.
func (p *Params) List(name string) []string {
	switch v := p.Raw(name).(type) {
	case []string:
		return v
	case []int:
		out := make([]string, len(v))
		for i, n := range v {
			out[i] = strconv.Itoa(n)
		}
		return out
	case []float64:
		out := make([]string, len(v))
		for i, f := range v {
			out[i] = strconv.FormatFloat(f, 'g', -1, 64)
		}
		return out
	case []bool:
		out := make([]string, len(v))
		for i, b := range v {
			out[i] = strconv.FormatBool(b)
		}
		return out
	case []any:
		out := make([]string, len(v))
		for i, e := range v {
			out[i] = fmt.Sprint(e)
		}
		return out
	}
	return nil
}

// Dict returns a dict option's value.
func (p *Params) Dict(name string) map[string]any {
	m, _ := p.Raw(name).(map[string]any)
	return m
}

// Dicts returns a list-of-dict option's elements.
func (p *Params) Dicts(name string) []map[string]any {
	m, _ := p.Raw(name).([]map[string]any)
	return m
}

// Sub returns the validated suboptions of a dict option that has them,
// or nil (which has no values) when the option has no value.
func (p *Params) Sub(name string) *Params {
	if p == nil || p.values[p.canonical(name)] == nil {
		return nil
	}
	if subs := p.subs[p.canonical(name)]; len(subs) == 1 {
		return subs[0]
	}
	return nil
}

// SubList returns the validated suboptions of each element of a list of
// dict option that has them.
func (p *Params) SubList(name string) []*Params {
	if p == nil || p.values[p.canonical(name)] == nil {
		return nil
	}
	return p.subs[p.canonical(name)]
}

// Args returns every option by its name with its coerced value, or nil
// when it has none; this is the invocation's module_args.
func (p *Params) Args() map[string]any {
	if p == nil {
		return map[string]any{}
	}
	out := make(map[string]any, len(p.opts))
	for _, o := range p.opts {
		out[o.Name] = p.values[o.Name]
	}
	return out
}

// maskedArgs is Args with the values of no_log options, at any level,
// replaced by the no_log placeholder: the invocation's module_args. An
// option given by an alias is there under the alias too, as Ansible
// keeps it (module_utils/common/parameters.py _handle_aliases()).
func (p *Params) maskedArgs() map[string]any {
	out := maskOptions(p.opts, p.Args())
	for name, key := range p.aliasKey {
		out[key] = out[name]
	}
	return out
}

func maskOptions(opts []Option, args map[string]any) map[string]any {
	out := maps.Clone(args)
	for _, o := range opts {
		v := out[o.Name]
		switch {
		case v == nil:
		case o.NoLog:
			out[o.Name] = noLogPlaceholder
		case len(o.Suboptions) > 0:
			out[o.Name] = maskSubValue(o.Suboptions, v)
		}
	}
	return out
}

func maskSubValue(opts []Option, v any) any {
	switch x := v.(type) {
	case map[string]any:
		return maskOptions(opts, x)
	case []map[string]any:
		out := make([]map[string]any, len(x))
		for i, m := range x {
			out[i] = maskOptions(opts, m)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = maskSubValue(opts, e)
		}
		return out
	}
	return v
}
