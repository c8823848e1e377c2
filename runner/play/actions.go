package play

import (
	"fmt"
	"strings"

	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

// The builtin actions: debug, set_fact, fail and assert, as Ansible's
// action plugins (plugins/action) run them, with their results' keys in
// the order Ansible sets them.

// runDebug is Ansible's debug: msg (default "Hello world!"), or var, the
// value of a variable or expression ("VARIABLE IS NOT DEFINED!" when
// undefined); skipped below the verbosity it asks for.
func (x *run) runDebug(t *task, args *jinja.Dict, sc *scope) outcome {
	res := jinja.NewDict(4)
	level := 0
	if v, ok := args.Get("verbosity"); ok {
		level = jinja.Int(v)
	}
	if level > x.r.Verbosity {
		res.Set("skipped_reason", "Verbosity threshold not met.")
		res.Set("skipped", true)
		res.Set("failed", false)
		return outcome{res: res}
	}
	msg, hasMsg := args.Get("msg")
	v, hasVar := args.Get("var")
	switch {
	case hasMsg:
		res.Set("msg", msg)
	case hasVar:
		value, err := debugVar(v, sc)
		if err != nil {
			return raisedOutcome(ansibleMessage(err))
		}
		key := jinja.Str(v)
		switch v.(type) {
		case []any:
			key = "<class 'list'>"
		case *jinja.Dict:
			key = "<class 'dict'>"
		}
		res.Set(key, value)
	default:
		res.Set("msg", "Hello world!")
	}
	res.Set("_ansible_verbose_always", true)
	res.Set("failed", false)
	return outcome{res: res, verbose: true}
}

// debugVar is the value debug shows for var, as Ansible's debug action
// computes it: var, already templated as an option, is wrapped in {{ }}
// when it uses a filter or starts with a variable's name (convert_bare);
// text it leaves unchanged is evaluated as an expression; an undefined
// value is "VARIABLE IS NOT DEFINED!".
func debugVar(v any, sc *scope) (any, error) {
	notDefined := "VARIABLE IS NOT DEFINED!"
	s, ok := asString(v)
	if !ok {
		r, err := sc.render(v)
		if err != nil {
			if jinja.IsUndefinedError(err) {
				return notDefined, nil
			}
			return nil, err
		}
		if jinja.Equal(r, v) {
			return notDefined, nil
		}
		return r, nil
	}
	r, err := sc.render(convertBare(s, sc))
	if err != nil {
		if jinja.IsUndefinedError(err) {
			return notDefined, nil
		}
		return nil, err
	}
	if str, isStr := asString(r); isStr && str == s {
		r, err = sc.render(convertBare("{{"+s+"}}", sc))
		if err != nil {
			if jinja.IsUndefinedError(err) {
				return notDefined, nil
			}
			return nil, err
		}
	}
	return r, nil
}

// convertBare is Ansible's Templar._convert_bare_variable.
func convertBare(s string, sc *scope) string {
	first := strings.Split(strings.Split(strings.Split(s, "|")[0], ".")[0], "[")[0]
	_, defined := sc.Raw(first)
	if !defined && first == "vars" {
		defined = true
	}
	if (strings.Contains(s, "|") || defined) && !strings.Contains(s, "{{") {
		return "{{" + s + "}}"
	}
	return s
}

// runSetFact is Ansible's set_fact. As Ansible does without jinja2_native,
// a string value true/false/yes/no (any case) becomes a boolean.
func (x *run) runSetFact(t *task, args *jinja.Dict, sc *scope) outcome {
	facts := jinja.NewDict(args.Len())
	for k, v := range args.All() {
		if k == "cacheable" {
			continue
		}
		if !identifier.MatchString(k) {
			return actionFail(fmt.Sprintf("The variable name '%s' is not valid. Variables must start with a letter or underscore character, and contain only letters, numbers and underscores.", k))
		}
		if s, ok := asString(v); ok {
			switch strings.ToLower(s) {
			case "true", "yes":
				v = true
			case "false", "no":
				v = false
			}
		}
		facts.Set(k, v)
	}
	if facts.Len() == 0 {
		return actionFail("No key/value pairs provided, at least one is required for this action to succeed")
	}
	return outcome{res: jinja.DictOf("ansible_facts", facts, "_ansible_facts_cacheable", jinja.Bool(argOr(args, "cacheable", false)))}
}

// actionFail is the result of an action that raised AnsibleActionFail:
// returned as it is, without the attempts and the changed_when and
// failed_when of the task.
func actionFail(msg string) outcome {
	return outcome{res: jinja.DictOf("failed", true, "msg", msg, "_ansible_action_fail", true)}
}

// argOr returns an argument's value, or def.
func argOr(args *jinja.Dict, key string, def any) any {
	if v, ok := args.Get(key); ok {
		return v
	}
	return def
}

// runFail is Ansible's fail.
func runFail(args *jinja.Dict) outcome {
	return outcome{res: jinja.DictOf("failed", true, "msg", argOr(args, "msg", "Failed as requested from task"))}
}

// runAssert is Ansible's assert: every condition of that must hold; the
// first that does not fails the task with fail_msg (or msg).
func (x *run) runAssert(t *task, args *jinja.Dict, sc *scope) outcome {
	failMsg := argOr(args, "fail_msg", argOr(args, "msg", nil))
	if failMsg == nil {
		failMsg = "Assertion failed"
	}
	successMsg := argOr(args, "success_msg", nil)
	if successMsg == nil {
		successMsg = "All assertions passed"
	}
	for _, m := range []any{failMsg, successMsg} {
		switch mv := m.(type) {
		case string, jinja.Unsafe:
		case []any:
			for _, e := range mv {
				if _, ok := asString(e); !ok {
					return failedOutcome("Type of one of the elements in fail_msg or msg list is not string type")
				}
			}
		default:
			return failedOutcome(fmt.Sprintf("Incorrect type for fail_msg or msg, expected a string or list and got <class '%s'>", jinja.TypeName(m)))
		}
	}
	quiet := false
	if q, ok := args.Get("quiet"); ok {
		quiet = jinja.Bool(q)
	}
	res := jinja.NewDict(6)
	if !quiet {
		res.Set("_ansible_verbose_always", true)
	}
	thats := t.that
	if raw, _ := argValueOK(t.args, "that"); raw != nil {
		if s, ok := asString(raw); ok && jinja.IsTemplate(s) {
			v, err := sc.render(s)
			if err != nil {
				return raisedOutcome(ansibleMessage(err))
			}
			c, err := newCond(v)
			if err != nil {
				return raisedOutcome(err.Error())
			}
			thats = []*cond{c}
		}
	}
	for _, c := range thats {
		bad, err := sc.conds([]*cond{c})
		if err != nil {
			return raisedOutcome(conditionMessage(c.src, err))
		}
		if bad != nil {
			res.Set("failed", true)
			res.Set("evaluated_to", false)
			res.Set("assertion", c.lit)
			if !c.isLit {
				res.Set("assertion", c.src)
			}
			res.Set("msg", failMsg)
			return outcome{res: res, verbose: !quiet}
		}
	}
	res.Set("changed", false)
	res.Set("msg", successMsg)
	return outcome{res: res, verbose: !quiet}
}
