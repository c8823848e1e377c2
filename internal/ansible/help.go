package ansible

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/zonemgr/zonemgr/internal/jsonv"
	"github.com/zonemgr/zonemgr/internal/textio"
)

// helpWidth is the column at which help text is wrapped.
const helpWidth = 78

// Help returns the text a module binary prints for --help: what the
// module does, how it is called, every option (name, type, required,
// default, choices, aliases, no_log, description, suboptions), the
// constraints between options, check mode support and the exit status.
func (s *Spec) Help() string {
	var b strings.Builder
	name := s.Module
	if s.Description != "" {
		b.WriteString(textio.Wrap(name+": "+s.Description, "", helpWidth))
	} else {
		b.WriteString(name + "\n")
	}
	fmt.Fprintf(&b, "\nUsage:\n")
	fmt.Fprintf(&b, "  %s ARGS_FILE   run with the JSON args file Ansible writes\n", name)
	fmt.Fprintf(&b, "  %s < ARGS      run with the JSON args object on standard input\n", name)
	fmt.Fprintf(&b, "  %s --help      print this help\n", name)

	b.WriteString("\nOptions:\n")
	if len(s.Options) == 0 {
		b.WriteString("  (none)\n")
	}
	writeOptions(&b, s.Options, "  ")

	var cons []string
	for _, g := range s.MutuallyExclusive {
		cons = append(cons, "mutually exclusive: "+strings.Join(g, ", "))
	}
	for _, g := range s.RequiredTogether {
		cons = append(cons, "required together: "+strings.Join(g, ", "))
	}
	for _, g := range s.RequiredOneOf {
		cons = append(cons, "one of these is required: "+strings.Join(g, ", "))
	}
	for _, r := range s.RequiredIf {
		which := "all of these are"
		if r.Any {
			which = "at least one of these is"
		}
		cons = append(cons, fmt.Sprintf("when %s is %v, %s required: %s", r.Key, r.Value, which, strings.Join(r.Requires, ", ")))
	}
	if len(cons) > 0 {
		b.WriteString("\nConstraints:\n")
		for _, c := range cons {
			b.WriteString(textio.Wrap(c, "  ", helpWidth))
		}
	}

	b.WriteString("\nCheck mode: ")
	if s.SupportsCheckMode {
		b.WriteString("supported; the module predicts changes and makes none.\n")
	} else {
		b.WriteString("not supported; the module is skipped.\n")
	}
	b.WriteString("\nOutput: one JSON object on standard output.\n")
	b.WriteString("Exit status: 0 on success, 1 when the module failed.\n")
	return b.String()
}

func writeOptions(b *strings.Builder, opts []Option, indent string) {
	for _, o := range opts {
		var attrs []string
		attrs = append(attrs, typeLabel(o))
		if o.Required {
			attrs = append(attrs, "required")
		}
		if o.Default != nil {
			attrs = append(attrs, "default: "+defaultLabel(o.Default))
		}
		if o.NoLog {
			attrs = append(attrs, "no_log")
		}
		fmt.Fprintf(b, "%s%s (%s)\n", indent, o.Name, strings.Join(attrs, ", "))
		more := indent + "    "
		if o.Description != "" {
			b.WriteString(textio.Wrap(o.Description, more, helpWidth))
		}
		if len(o.Choices) > 0 {
			b.WriteString(textio.Wrap("choices: "+choiceList(o.Choices), more, helpWidth))
		}
		if len(o.Aliases) > 0 {
			b.WriteString(textio.Wrap("aliases: "+strings.Join(o.Aliases, ", "), more, helpWidth))
		}
		if len(o.Suboptions) > 0 {
			fmt.Fprintf(b, "%ssuboptions:\n", more)
			writeOptions(b, o.Suboptions, more+"  ")
		}
	}
}

func typeLabel(o Option) string {
	t := o.Type.orStr()
	if t == TypeList {
		return "list of " + string(o.Elements.orStr())
	}
	return string(t)
}

// defaultLabel shows a default as JSON: "present", 300, true, ["a"].
func defaultLabel(v any) string {
	b, err := jsonv.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// DocOptions returns the options as the `options` mapping of an Ansible
// DOCUMENTATION block (the sidecar YAML of a binary module): for each
// option its description, type, and when they apply required, default,
// choices (typed like the option), aliases, elements and suboptions.
func (s *Spec) DocOptions() map[string]any {
	return docOptions(s.Options)
}

func docOptions(opts []Option) map[string]any {
	out := make(map[string]any, len(opts))
	for _, o := range opts {
		d := map[string]any{
			"description": o.Description,
			"type":        string(o.Type.orStr()),
		}
		if o.Required {
			d["required"] = true
		}
		if o.Default != nil {
			d["default"] = o.Default
		}
		if len(o.Choices) > 0 {
			ct := o.Type.orStr()
			if ct == TypeList {
				ct = o.Elements.orStr()
			}
			d["choices"] = typedChoices(ct, o.Choices)
		}
		if len(o.Aliases) > 0 {
			d["aliases"] = o.Aliases
		}
		if o.Type.orStr() == TypeList {
			d["elements"] = string(o.Elements.orStr())
		}
		if len(o.Suboptions) > 0 {
			d["suboptions"] = docOptions(o.Suboptions)
		}
		out[o.Name] = d
	}
	return out
}

func typedChoices(t Type, choices []string) []any {
	out := make([]any, len(choices))
	for i, c := range choices {
		out[i] = c
		switch t {
		case TypeInt:
			if n, err := strconv.Atoi(c); err == nil {
				out[i] = n
			}
		case TypeFloat:
			if f, err := strconv.ParseFloat(c, 64); err == nil {
				out[i] = f
			}
		}
	}
	return out
}
