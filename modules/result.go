package modules

import (
	"fmt"
	"strings"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/jsonv"
	"github.com/zonemgr/zonemgr/internal/zone"
)

// Result is the reply as Ansible registers it: the module's result
// object, with the engine's fields named by n (nil: as the module's
// options).
func (r *Reply) Result(n *zone.Namer) (*ansible.Result, error) {
	if n == nil {
		n = namer(r.Module)
	}
	res := &ansible.Result{Values: map[string]any{}, Warnings: r.AllWarnings(), Msg: r.Msg(n), Changed: r.Changed()}
	if out := r.Outcome; out != nil {
		for k, v := range out.Values {
			res.Values[k] = v
		}
		res.Values["plan"] = nonNil(r.Plan())
		if r.Mode.Diff && out.Changed {
			res.Diff = map[string]any{
				"before": out.Before, "after": out.After,
				"before_header": "zone " + out.Zone, "after_header": "zone " + out.Zone,
			}
		}
	}
	if r.Module != "zone_info" || r.Err != nil {
		res.Values["commands"] = r.commands()
	}
	if r.Err != nil {
		res.Failed = true
		if ae := r.ApplyError(); ae != nil {
			res.Values["failed_step"] = ae.Step
			if ae.Command != nil {
				res.Values["failed_command"] = ae.Command.Argv
			}
			res.Values["stderr"] = ae.Stderr
			res.Values["exit_code"] = ae.ExitCode
			res.Values["cleaned_up"] = nonNil(ae.Undone)
			var ue []string
			for _, e := range ae.UndoErrs {
				ue = append(ue, e.Error())
			}
			res.Values["cleanup_errors"] = nonNil(ue)
		}
	}
	switch r.Module {
	case "zone_exec":
		r.execValues(res)
	case "zone_info":
		if r.Info != nil {
			if err := jsonValues(res, r.Info); err != nil {
				return nil, fmt.Errorf("zone_info: encode the facts: %w", err)
			}
		}
	case "zone_gc":
		// The report's fields, as JSON names them: found, commands,
		// not_run, undo_failed, left.
		if r.GC != nil {
			if err := jsonValues(res, r.GC); err != nil {
				return nil, fmt.Errorf("zone_gc: encode the report: %w", err)
			}
		}
		if ev := r.Evicted; ev != nil {
			res.Values["evicted"], res.Values["evict_kept"] = ev.Values["evicted"], ev.Values["kept"]
		}
	}
	return res, nil
}

// execValues adds what the command did to zone_exec's result.
func (r *Reply) execValues(res *ansible.Result) {
	if r.Mode.Check && r.Err == nil {
		// As ansible.builtin.command's check mode: skipped, with
		// empty output (modules/command.py).
		res.Skipped = true
		res.Values["rc"] = 0
		res.Values["stdout"] = ""
		res.Values["stderr"] = ""
		return
	}
	x := r.Exec
	if x == nil {
		return
	}
	res.Values["rc"] = x.RC
	stdout, stderr := x.Stdout, x.Stderr
	if !r.KeepEmptyEnds {
		// modules/command.py: stdout.rstrip("\r\n") with
		// strip_empty_ends (its default).
		stdout, stderr = strings.TrimRight(stdout, "\r\n"), strings.TrimRight(stderr, "\r\n")
	}
	res.Values["stdout"] = stdout
	res.Values["stderr"] = stderr
	res.Values["duration"] = x.Duration.Seconds()
	res.Values["zone"] = x.Zone
	res.Values["discarded"] = x.Discarded
	if x.Kept {
		res.Values["kept"] = true
	}
	if x.Timing != nil {
		res.Values["timing"] = x.Timing
	}
	if r.log != "" {
		res.Values["log"] = r.log
	}
	if r.Err == nil {
		res.Failed = !r.rcAccepted()
		res.RCAccepted = !res.Failed
	}
}

// jsonValues adds the fields of v to the result, as JSON names them,
// each kept as its encoded JSON: with thousands of zones, decoding them
// into maps only to encode them again costs more than all the rest.
func jsonValues(res *ansible.Result, v any) error {
	b, err := jsonv.Append(nil, v, false) // as the result itself is encoded
	if err != nil {
		return err
	}
	fields, err := jsonv.Members(b)
	if err != nil {
		return err
	}
	for k, f := range fields {
		res.Values[k] = f
	}
	return nil
}

func (r *Reply) commands() []map[string]any {
	out := []map[string]any{}
	for _, e := range r.Commands {
		out = append(out, map[string]any{"cmd": e.String()})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
