package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/config"
	"github.com/zonemgr/zonemgr/internal/zone"
	"github.com/zonemgr/zonemgr/modules"
)

// An Engine is what the command line's verbs call: one typed call per
// module (modules.Caller), or a fake in tests.
type Engine interface {
	GIZ(ctx context.Context, mode modules.Mode, spec zone.GIZSpec) *modules.Reply
	DIZ(ctx context.Context, mode modules.Mode, spec zone.DIZSpec) *modules.Reply
	Snapshot(ctx context.Context, mode modules.Mode, spec zone.SnapshotSpec) *modules.Reply
	Exec(ctx context.Context, mode modules.Mode, spec zone.ExecSpec) *modules.Reply
	Info(ctx context.Context, q zone.InfoQuery) *modules.Reply
	GC(ctx context.Context, mode modules.Mode, unusedGoldens *time.Duration) *modules.Reply
}

// A session is one run of a verb: the request, the configuration, where
// output goes and the engine it calls.
type session struct {
	ctx    context.Context
	req    *request
	cfg    *config.Config
	out    *printer
	engine Engine
	// names phrases the engine's fields as this command line's flags.
	names *zone.Namer
}

// mode is the mode of a call that changes something: check mode with -n.
func (s *session) mode() modules.Mode { return modules.Mode{Check: s.req.on[optDryRun]} }

// debugCall shows a call at the debug level: the module and the
// request's fields that are set.
func (s *session) debugCall(module string, mode modules.Mode, req any) {
	if s.out.level < levelDebug {
		return
	}
	check := ""
	if mode.Check {
		check = " (check mode)"
	}
	s.out.debugf("%s%s %s", module, check, setFields(req))
}

// setFields renders a request as JSON with its zero fields left out.
func setFields(req any) string {
	b, err := json.Marshal(req)
	if err != nil {
		return fmt.Sprintf("%+v", req)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return string(b)
	}
	for k, v := range m {
		switch x := v.(type) {
		case nil:
			delete(m, k)
		case string:
			if x == "" {
				delete(m, k)
			}
		case bool:
			if !x {
				delete(m, k)
			}
		case float64:
			if x == 0 {
				delete(m, k)
			}
		case []any:
			if len(x) == 0 {
				delete(m, k)
			}
		case map[string]any:
			if len(x) == 0 {
				delete(m, k)
			}
		}
	}
	b, _ = json.Marshal(m)
	return string(b)
}

// object is a reply as its module's result object, with the engine's
// fields named as this command line's flags: what --json prints.
func (s *session) object(r *modules.Reply) map[string]any {
	res, err := r.Result(s.names)
	if err != nil {
		return map[string]any{"changed": false, "failed": true, "msg": err.Error()}
	}
	return ansible.Registered(res.Object())
}

// report shows a call's outcome the common way and returns the exit
// status: with --json the result object on stdout, otherwise its
// warnings, then its message (an error when it failed), and in a dry
// run the plan on stdout. data prints the verb's own data lines after a
// success, unless --json.
func (s *session) report(r *modules.Reply, data func()) int {
	if s.req.on[optJSON] {
		s.out.json(s.object(r))
	}
	for _, w := range r.AllWarnings() {
		s.out.warnf("%s", w)
	}
	if r.Failed() {
		s.out.errorf("%s", r.Msg(s.names))
		return 1
	}
	if s.req.on[optDryRun] && !s.req.on[optJSON] {
		s.out.data(r.Plan()...)
	}
	if msg := r.Msg(s.names); msg != "" {
		s.out.infof("%s", msg)
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
func (s *session) lookup(name string) (zoneFacts, *modules.Reply, error) {
	q := zone.InfoQuery{Name: name}
	s.debugCall("zone_info", modules.Mode{}, q)
	r := s.engine.Info(s.ctx, q)
	if r.Err != nil {
		return zoneFacts{}, r, fmt.Errorf("zone_info %s: %s", name, r.Msg(s.names))
	}
	f := zoneFacts{name: name}
	if i := r.Info; i != nil {
		f.exists, f.managed, f.role, f.state = i.Exists, i.Managed, i.Role, i.State
	}
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
