package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/config"
	"github.com/zonemgr/zonemgr/modules"
)

// A session is one run of a verb: the request, the configuration, where
// output goes and the modules it calls.
type session struct {
	ctx     context.Context
	req     *request
	cfg     *config.Config
	out     *printer
	modules map[string]*ansible.Module
	// live receives the output of a command run in a zone.
	live io.Writer
}

// A callResult is one module call's verdict, with the result object as
// Ansible registers it.
type callResult struct {
	ansible.Verdict
}

// str returns a string value of the result, or "".
func (c callResult) str(key string) string {
	s, _ := c.Result[key].(string)
	return s
}

// boolean returns a boolean value of the result, and whether it was one.
func (c callResult) boolean(key string) (v, ok bool) {
	v, ok = c.Result[key].(bool)
	return v, ok
}

// strList returns a list of strings of the result.
func (c callResult) strList(key string) []string {
	var out []string
	list, _ := c.Result[key].([]any)
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// objects returns a list of objects of the result.
func (c callResult) objects(key string) []map[string]any {
	var out []map[string]any
	list, _ := c.Result[key].([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// argsJSON builds the args object Ansible sends a binary module: the
// task's options, then the `_ansible_*` settings, in one flat object.
func argsJSON(module string, opts map[string]any, check bool, level int) ([]byte, error) {
	if opts == nil {
		opts = map[string]any{}
	}
	body, err := json.Marshal(opts)
	if err != nil {
		return nil, fmt.Errorf("encode %s args: %w", module, err)
	}
	var b bytes.Buffer
	b.Write(bytes.TrimSuffix(body, []byte("}")))
	settings := []struct {
		key string
		val any
	}{
		{"_ansible_check_mode", check},
		{"_ansible_no_log", false},
		{"_ansible_debug", level >= levelDebug},
		{"_ansible_diff", false},
		{"_ansible_verbosity", max(0, level-levelInfo)},
		{"_ansible_module_name", module},
	}
	for i, s := range settings {
		if i > 0 || len(opts) > 0 {
			b.WriteByte(',')
		}
		v, err := json.Marshal(s.val)
		if err != nil {
			return nil, fmt.Errorf("encode %s args: %w", module, err)
		}
		fmt.Fprintf(&b, "%q:%s", s.key, v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// call runs one module in-process, exactly as Ansible would run its
// binary, and judges its output as Ansible does. check selects check
// mode. An error means the module could not be called at all.
func (s *session) call(module string, opts map[string]any, check bool) (callResult, error) {
	m := s.modules[module]
	if m == nil {
		return callResult{}, fmt.Errorf("module %s is not available in this zonemgr", module)
	}
	args, err := argsJSON(module, opts, check, s.out.level)
	if err != nil {
		return callResult{}, err
	}
	s.out.debugf("%s %s", module, args)
	ctx := modules.WithOptions(s.ctx, modules.Options{
		Config:    s.cfg,
		Stdout:    s.live,
		Stderr:    s.out.stderr,
		OnCommand: s.out.command,
	})
	stdout, code := ansible.Invoke(ctx, m, args)
	return callResult{ansible.Judge(stdout, code, nil)}, nil
}

// report shows a module's outcome the common way and returns the exit
// status: with --json the result object on stdout, otherwise its
// warnings, then its message (an error when it failed), and in a dry
// run the plan on stdout. data prints the verb's own data lines after a
// success, unless --json.
func (s *session) report(r callResult, data func()) int {
	if s.req.on[optJSON] {
		s.out.json(r.Result)
	}
	for _, w := range r.Warnings {
		s.out.warnf("%s", w)
	}
	if r.Failed {
		s.out.errorf("%s", r.Msg)
		return 1
	}
	if s.req.on[optDryRun] && !s.req.on[optJSON] {
		s.out.data(r.strList("plan")...)
	}
	if r.Msg != "" {
		s.out.infof("%s", r.Msg)
	}
	if data != nil && !s.req.on[optJSON] {
		data()
	}
	return 0
}

// fail reports a failure found by the command line itself (a zone that
// does not exist, or is not managed) and returns exit status 1. With
// --json the failure is the one result object.
func (s *session) fail(format string, a ...any) int {
	msg := fmt.Sprintf(format, a...)
	if s.req.on[optJSON] {
		s.out.json(map[string]any{"changed": false, "failed": true, "msg": msg})
	}
	s.out.errorf("%s", msg)
	return 1
}

// done reports an outcome found by the command line itself that needs
// no module call, such as destroying a zone that does not exist.
func (s *session) done(msg string, values map[string]any) int {
	if s.req.on[optJSON] {
		obj := map[string]any{"changed": false, "failed": false, "msg": msg}
		for k, v := range values {
			obj[k] = v
		}
		s.out.json(obj)
	}
	s.out.infof("%s", msg)
	return 0
}

// A zoneFacts is what zone_info says about one named zone.
type zoneFacts struct {
	name    string
	exists  bool
	managed bool
	role    string
	state   string
}

// lookup asks zone_info about one zone: whether it exists, whether it is
// zonemgr's, its role and state. It is a read, never in check mode.
func (s *session) lookup(name string) (zoneFacts, callResult, error) {
	r, err := s.call("zone_info", map[string]any{"name": name}, false)
	if err != nil {
		return zoneFacts{}, r, err
	}
	if r.Failed {
		return zoneFacts{}, r, fmt.Errorf("zone_info %s: %s", name, r.Msg)
	}
	f := zoneFacts{name: name, role: r.str("role"), state: r.str("state")}
	f.exists, _ = r.boolean("exists")
	f.managed, _ = r.boolean("managed")
	return f, r, nil
}

// appendOutfile appends GENERATED_ZONENAME='name' to the -O file, as the
// original did. A dry run writes nothing.
func (s *session) appendOutfile(name string) error {
	path := s.req.str[optOutfile]
	if path == "" || name == "" || s.req.on[optDryRun] {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("write outfile: %w", err)
	}
	_, err = fmt.Fprintf(f, "GENERATED_ZONENAME=%s\n", shellQuote(name))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write outfile %s: %w", path, err)
	}
	return nil
}

// shellQuote single-quotes s for a shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
