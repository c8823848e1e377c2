package play

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/modules"
	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

// A pos is a position in a task file.
type pos struct {
	file      string
	line, col int
}

func (p pos) String() string {
	switch {
	case p.line == 0:
		return p.file
	case p.col == 0:
		return fmt.Sprintf("%s:%d", p.file, p.line)
	}
	return fmt.Sprintf("%s:%d:%d", p.file, p.line, p.col)
}

// A fileError is a defect of a task file: where it is (line and column
// are 0 when unknown) and what is wrong or was expected.
type fileError struct {
	Pos pos
	Msg string
}

func (e *fileError) Error() string { return e.Pos.String() + ": " + e.Msg }

// A taskKind is what a task does.
type taskKind int

const (
	kindModule taskKind = iota
	kindDebug
	kindSetFact
	kindFail
	kindAssert
	kindBlock
)

// builtins are the actions the runner itself implements, by short name.
var builtins = map[string]taskKind{
	"debug":    kindDebug,
	"set_fact": kindSetFact,
	"fail":     kindFail,
	"assert":   kindAssert,
}

// builtinArgs are the options each builtin takes (set_fact takes any
// variable name).
var builtinArgs = map[taskKind][]string{
	kindDebug:  {"msg", "var", "verbosity"},
	kindFail:   {"msg"},
	kindAssert: {"that", "fail_msg", "msg", "success_msg", "quiet"},
}

// taskKeys are the task keywords, in the order messages list them.
var taskKeys = []string{
	"name", "register", "when", "loop", "loop_control", "ignore_errors",
	"changed_when", "failed_when", "no_log", "vars", "environment",
}

// blockKeys are the keywords of a block.
var blockKeys = []string{"name", "block", "rescue", "always", "when", "vars", "ignore_errors", "no_log", "environment"}

// playKeys are the keywords of a play; connection, gather_facts and
// collections are accepted and ignored, so Ansible playbooks run as they
// are.
var playKeys = []string{"name", "hosts", "vars", "environment", "tasks", "pre_tasks", "post_tasks", "connection", "gather_facts", "collections"}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// A playbook is a loaded task file: its plays in order.
type playbook struct {
	plays []*play
}

// A play is a list of tasks with its variables. zonemgr play has no
// inventory: every play runs on the local global zone, whatever its hosts
// pattern (which may be a template) says.
type play struct {
	name  string
	hosts []string
	vars  map[string]any
	// env is the play's environment: a mapping, or a template that gives
	// one; nil when not set.
	env   any
	tasks []*task
}

// An arg is one option of a task's action, in the order written.
type arg struct {
	key string
	val any
}

// A task is one task, or a block of tasks (kind kindBlock).
type task struct {
	pos    pos
	name   string
	action string // the action's name as written
	kind   taskKind
	module *ansible.Module
	args   []arg

	register    string
	when        []*cond
	loop        any
	hasLoop     bool
	loopVar     string
	indexVar    string
	label       any
	hasLabel    bool
	ignore      any // ignore_errors; nil when not set
	noLog       any // nil when not set
	changedWhen []*cond
	failedWhen  []*cond
	vars        map[string]any
	env         any // environment; nil when not set

	// For debug and assert: var's expression and that's conditions.
	debugVar *jinja.Expr
	that     []*cond

	block, rescue, always []*task
}

// displayName is the name in the TASK banner: the name, or the action as
// written.
func (t *task) displayName() string {
	if t.name != "" {
		return t.name
	}
	return t.action
}

// A cond is one condition of when, changed_when, failed_when or
// assert.that: a YAML literal (true, 0), a bare expression, or a string
// holding `{{ }}`, which is rendered first and then evaluated, as Ansible
// does with a warning.
type cond struct {
	src   string
	isLit bool
	lit   any
	e     *jinja.Expr
	tmpl  bool
}

// A loader turns a task file into a playbook, collecting every defect.
type loader struct {
	conv *yamlConverter
	tc   *jinja.Cache
	mods map[string]*ansible.Module
	errs []error
}

// maxFileErrors bounds the defects one load reports.
const maxFileErrors = 50

func (l *loader) errorf(n *yaml.Node, format string, a ...any) {
	if len(l.errs) < maxFileErrors {
		l.errs = append(l.errs, &fileError{Pos: l.conv.posOf(n), Msg: fmt.Sprintf(format, a...)})
	}
}

func (l *loader) addErr(err error) {
	if len(l.errs) < maxFileErrors {
		l.errs = append(l.errs, err)
	}
}

var yamlLineError = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parserErrors are the messages of libyaml's parser (parserc.go); the
// others come from its scanner.
var parserErrors = []string{
	"did not find expected",
	"found duplicate %YAML directive",
	"found duplicate %TAG directive",
	"found incompatible YAML document",
	"found undefined tag handle",
}

// parseYAML parses data as one YAML document. Syntax errors name the file
// and line (the YAML library reports no column for them).
func parseYAML(file string, data []byte) (doc *yaml.Node, err error) {
	// yaml/v3 panics on a few malformed inputs instead of failing; such a
	// file is a syntax error like any other.
	defer func() {
		if v := recover(); v != nil {
			doc, err = nil, &fileError{Pos: pos{file: file}, Msg: fmt.Sprintf("YAML parser failed: %v", v)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var n yaml.Node
	if err := dec.Decode(&n); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &fileError{Pos: pos{file: file}, Msg: "the file is empty: expected a list of tasks, a list of plays, or a mapping with vars and tasks"}
		}
		return nil, yamlError(file, err)
	}
	var more yaml.Node
	switch err := dec.Decode(&more); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, yamlError(file, err)
	default:
		return nil, &fileError{Pos: pos{file: file, line: more.Line, col: more.Column}, Msg: "a second YAML document: a task file holds one"}
	}
	return &n, nil
}

// yamlError turns a yaml/v3 error into a fileError with its line.
func yamlError(file string, err error) error {
	msg := err.Error()
	if m := yamlLineError.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		// yaml/v3 reports the line of a parser error (as opposed to a
		// scanner error) 0-based: the line before the construct it was
		// parsing.
		for _, p := range parserErrors {
			if strings.HasPrefix(m[2], p) {
				line++
				break
			}
		}
		return &fileError{Pos: pos{file: file, line: line}, Msg: "YAML syntax error: " + m[2]}
	}
	return &fileError{Pos: pos{file: file}, Msg: "YAML syntax error: " + strings.TrimPrefix(msg, "yaml: ")}
}

// loadPlaybook loads a task file's content: a list of tasks, a mapping
// with vars and tasks (and optionally name and hosts), or an Ansible
// playbook (a list of plays). file names the file in errors; mods are the
// modules tasks may name.
func loadPlaybook(file string, data []byte, mods map[string]*ansible.Module, tc *jinja.Cache) (*playbook, error) {
	doc, err := parseYAML(file, data)
	if err != nil {
		return nil, err
	}
	l := &loader{tc: tc, mods: mods}
	l.conv = &yamlConverter{file: file, onString: l.checkTemplate}
	pb := &playbook{}
	root := doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, &fileError{Pos: pos{file: file}, Msg: "the file is empty: expected a list of tasks, a list of plays, or a mapping with vars and tasks"}
		}
		root = root.Content[0]
	}
	root = deref(root)
	switch root.Kind {
	case yaml.SequenceNode:
		if isPlaybook(root) {
			for _, n := range root.Content {
				if p := l.play(deref(n), true); p != nil {
					pb.plays = append(pb.plays, p)
				}
			}
		} else {
			p := &play{name: "localhost", hosts: []string{"localhost"}, vars: map[string]any{}}
			p.tasks = l.tasks(root)
			pb.plays = append(pb.plays, p)
		}
	case yaml.MappingNode:
		if p := l.play(root, false); p != nil {
			pb.plays = append(pb.plays, p)
		}
	default:
		l.errorf(root, "expected a list of tasks, a list of plays, or a mapping with vars and tasks, found %s", nodeKind(root))
	}
	if len(l.errs) > 0 {
		return nil, errors.Join(l.errs...)
	}
	return pb, nil
}

// deref follows an alias node to its anchor.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < maxYAMLDepth; i++ {
		n = n.Alias
	}
	return n
}

// isPlaybook tells whether a top-level list is a list of plays: some item
// is a mapping with a hosts key.
func isPlaybook(n *yaml.Node) bool {
	for _, item := range n.Content {
		item = deref(item)
		if item.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(item.Content); i += 2 {
			if item.Content[i].Value == "hosts" {
				return true
			}
		}
	}
	return false
}

// nodeKind names a node's kind for messages.
func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("the scalar %q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "a document"
}

// checkTemplate checks the template syntax of a string scalar.
func (l *loader) checkTemplate(s string, n *yaml.Node) error {
	if !jinja.IsTemplate(s) {
		return nil
	}
	if _, err := l.tc.Parse(s); err != nil {
		l.errorf(n, "bad template %q: %v", s, syntaxMsg(err))
	}
	return nil
}

// syntaxMsg returns a syntax error's message without the source, which
// the caller shows itself.
func syntaxMsg(err error) string {
	var se *jinja.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s (at offset %d)", se.Msg, se.Off)
	}
	return err.Error()
}

// value converts a node, recording a conversion error.
func (l *loader) value(n *yaml.Node) (any, bool) {
	v, err := l.conv.value(n)
	if err != nil {
		l.addErr(err)
		return nil, false
	}
	return v, true
}

// members walks a mapping's members in order (merged members last),
// recording key errors.
func (l *loader) members(n *yaml.Node, f func(key string, kn, vn *yaml.Node)) {
	err := l.conv.mapping(n, 0, func(k string, kn, vn *yaml.Node) error {
		f(k, kn, deref(vn))
		return nil
	})
	if err != nil {
		l.addErr(err)
	}
}

// play loads one play. In a playbook (inPlaybook) hosts is required.
func (l *loader) play(n *yaml.Node, inPlaybook bool) *play {
	p := &play{vars: map[string]any{}}
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "expected a play (a mapping with hosts and tasks), found %s", nodeKind(n))
		return nil
	}
	hasHosts := false
	var tasks, pre, post []*task
	l.members(n, func(key string, kn, vn *yaml.Node) {
		switch key {
		case "name":
			if s, ok := l.scalarString(vn, "play name"); ok {
				p.name = s
			}
		case "hosts":
			hasHosts = true
			p.hosts = l.hosts(vn)
		case "vars":
			p.vars = l.vars(vn)
		case "environment":
			p.env = l.environment(vn)
		case "tasks":
			tasks = l.tasks(vn)
		case "pre_tasks":
			pre = l.tasks(vn)
		case "post_tasks":
			post = l.tasks(vn)
		case "connection", "gather_facts", "collections":
		default:
			l.errorf(kn, "unknown play key %q (expected one of: %s)", key, strings.Join(playKeys, ", "))
		}
	})
	if inPlaybook && !hasHosts {
		l.errorf(n, "play has no hosts: expected hosts: localhost")
	}
	if !hasHosts {
		p.hosts = []string{"localhost"}
	}
	p.tasks = slices.Concat(pre, tasks, post)
	if p.name == "" {
		p.name = strings.Join(p.hosts, ",")
	}
	return p
}

// hosts reads a play's hosts: a pattern string (parts separated by ","
// or ":") or a list of them.
func (l *loader) hosts(n *yaml.Node) []string {
	v, ok := l.value(n)
	if !ok {
		return nil
	}
	var pats []string
	add := func(s string) {
		for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ':' }) {
			if p = strings.TrimSpace(p); p != "" {
				pats = append(pats, p)
			}
		}
	}
	switch x := v.(type) {
	case string:
		if jinja.IsTemplate(x) {
			// Rendered when the play runs; its text may hold "," or ":".
			return []string{x}
		}
		add(x)
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && jinja.IsTemplate(s) {
				pats = append(pats, s)
				continue
			}
			add(jinja.Str(e))
		}
	default:
		l.errorf(n, "hosts: expected a host pattern such as localhost, found %s", nodeKind(n))
		return nil
	}
	if len(pats) == 0 {
		l.errorf(n, "hosts: expected a host pattern such as localhost")
	}
	return pats
}

// vars reads a vars mapping; names must be identifiers.
func (l *loader) vars(n *yaml.Node) map[string]any {
	out := map[string]any{}
	if isNull(n) {
		return out
	}
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "vars: expected a mapping of variable names to values, found %s", nodeKind(n))
		return out
	}
	l.members(n, func(key string, kn, vn *yaml.Node) {
		if !identifier.MatchString(key) {
			l.errorf(kn, "vars: %q is not a valid variable name (letters, digits and _, not starting with a digit)", key)
			return
		}
		if v, ok := l.value(vn); ok {
			out[key] = v
		}
	})
	return out
}

// environment reads the environment keyword of a play, block or task: a
// mapping of variable names to values (templated when the task runs), a
// list of such mappings (merged in order, as Ansible does), or a template
// that gives a mapping.
func (l *loader) environment(n *yaml.Node) any {
	v, ok := l.value(n)
	if !ok {
		return nil
	}
	switch x := v.(type) {
	case nil:
		return map[string]any{}
	case map[string]any:
		return x
	case []any:
		for _, e := range x {
			if _, ok := e.(map[string]any); !ok {
				if s, ok := e.(string); !ok || !jinja.IsTemplate(s) {
					l.errorf(n, "environment: expected a mapping of variable names to values, found a list holding %s", jinja.Repr(e))
					return nil
				}
			}
		}
		return x
	case string:
		if jinja.IsTemplate(x) {
			return x
		}
	}
	l.errorf(n, "environment: expected a mapping of variable names to values, or a template that gives one, found %s", nodeKind(n))
	return nil
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// scalarString reads a scalar as text.
func (l *loader) scalarString(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		l.errorf(n, "%s: expected text, found %s", what, nodeKind(n))
		return "", false
	}
	v, ok := l.value(n)
	if !ok {
		return "", false
	}
	return jinja.Str(v), true
}

// tasks reads a list of tasks.
func (l *loader) tasks(n *yaml.Node) []*task {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, "expected a list of tasks, found %s", nodeKind(n))
		return nil
	}
	var out []*task
	for _, item := range n.Content {
		if t := l.task(deref(item)); t != nil {
			out = append(out, t)
		}
	}
	return out
}

// task reads one task or block.
func (l *loader) task(n *yaml.Node) *task {
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "expected a task (a mapping with a name and an action such as zone_diz or debug), found %s", nodeKind(n))
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "block" {
			return l.block(n)
		}
	}
	t := &task{pos: l.conv.posOf(n)}
	var actionKey, actionVal *yaml.Node
	var loopControl *yaml.Node
	l.members(n, func(key string, kn, vn *yaml.Node) {
		switch key {
		case "name":
			if s, ok := l.scalarString(vn, "name"); ok {
				t.name = s
			}
		case "register":
			if s, ok := l.scalarString(vn, "register"); ok {
				if !identifier.MatchString(s) {
					l.errorf(vn, "register: %q is not a valid variable name", s)
				}
				t.register = s
			}
		case "when":
			t.when = l.conds(vn, "when")
		case "changed_when":
			t.changedWhen = l.conds(vn, "changed_when")
		case "failed_when":
			t.failedWhen = l.conds(vn, "failed_when")
		case "loop":
			t.hasLoop = true
			t.loop = l.loop(vn)
		case "loop_control":
			loopControl = vn
		case "ignore_errors":
			t.ignore = l.flag(vn, "ignore_errors")
		case "no_log":
			t.noLog = l.flag(vn, "no_log")
		case "vars":
			t.vars = l.vars(vn)
		case "environment":
			t.env = l.environment(vn)
		case "rescue", "always":
			l.errorf(kn, "%s is only valid in a block (a task with block:)", key)
		default:
			if _, _, ok := l.resolveAction(key); !ok {
				l.errorf(kn, "unknown key %q: not a task keyword (%s) nor a module (%s)", key, strings.Join(taskKeys, ", "), strings.Join(l.actionNames(), ", "))
				return
			}
			if actionKey != nil {
				l.errorf(kn, "conflicting actions %q and %q: a task runs one action", actionKey.Value, key)
				return
			}
			actionKey, actionVal = kn, vn
		}
	})
	if loopControl != nil {
		if !t.hasLoop {
			l.errorf(loopControl, "loop_control without loop")
		}
		l.loopControl(t, loopControl)
	}
	if t.loopVar == "" {
		t.loopVar = "item"
	}
	if actionKey == nil {
		l.errorf(n, "task has no action: expected a module (%s) or one of debug, set_fact, fail, assert, block", strings.Join(l.moduleNames(), ", "))
		return nil
	}
	t.action = actionKey.Value
	t.kind, t.module, _ = l.resolveAction(t.action)
	l.actionArgs(t, actionVal)
	return t
}

// resolveAction finds an action by the name a task gives it: a builtin
// (plain or as ansible.builtin.NAME) or a module (plain or as the
// collection's FQCN).
func (l *loader) resolveAction(name string) (taskKind, *ansible.Module, bool) {
	short := name
	for _, prefix := range []string{"ansible.builtin.", "ansible.legacy."} {
		if strings.HasPrefix(name, prefix) {
			short = name[len(prefix):]
			break
		}
	}
	if k, ok := builtins[short]; ok {
		return k, nil, true
	}
	if m, ok := l.mods[strings.TrimPrefix(name, modules.Collection+".")]; ok && m != nil {
		return kindModule, m, true
	}
	return 0, nil, false
}

func (l *loader) moduleNames() []string { return slices.Sorted(maps.Keys(l.mods)) }

func (l *loader) actionNames() []string {
	return append(l.moduleNames(), "debug", "set_fact", "fail", "assert", "block")
}

// loop reads a loop: a list, or a template that gives one.
func (l *loader) loop(n *yaml.Node) any {
	v, ok := l.value(n)
	if !ok {
		return nil
	}
	switch x := v.(type) {
	case []any:
		return x
	case string:
		if jinja.IsTemplate(x) {
			return x
		}
	}
	l.errorf(n, "loop: expected a list or a template that gives one (\"{{ names }}\"), found %s", nodeKind(n))
	return nil
}

func (l *loader) loopControl(t *task, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "loop_control: expected a mapping (loop_var, index_var, label), found %s", nodeKind(n))
		return
	}
	l.members(n, func(key string, kn, vn *yaml.Node) {
		switch key {
		case "loop_var", "index_var":
			s, ok := l.scalarString(vn, "loop_control."+key)
			if !ok {
				return
			}
			if !identifier.MatchString(s) {
				l.errorf(vn, "loop_control.%s: %q is not a valid variable name", key, s)
				return
			}
			if key == "loop_var" {
				t.loopVar = s
			} else {
				t.indexVar = s
			}
		case "label":
			if v, ok := l.value(vn); ok {
				t.label, t.hasLabel = v, true
			}
		default:
			l.errorf(kn, "unknown loop_control key %q (expected loop_var, index_var or label)", key)
		}
	})
}

// flag reads ignore_errors or no_log: a boolean, or a template.
func (l *loader) flag(n *yaml.Node, what string) any {
	v, ok := l.value(n)
	if !ok {
		return nil
	}
	switch x := v.(type) {
	case bool:
		return x
	case string:
		if jinja.IsTemplate(x) {
			return x
		}
		if b, ok := parseBool(x); ok {
			return b
		}
	}
	l.errorf(n, "%s: expected a boolean (true/false, yes/no) or a template, found %s", what, nodeKind(n))
	return nil
}

// parseBool reads Ansible's boolean words (module_utils boolean(), strict).
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "on", "1", "true", "t", "y":
		return true, true
	case "no", "off", "0", "false", "f", "n":
		return false, true
	}
	return false, false
}

// conds reads a condition or a list of them (all must hold).
func (l *loader) conds(n *yaml.Node, what string) []*cond {
	if n.Kind == yaml.SequenceNode {
		var out []*cond
		for _, e := range n.Content {
			if c := l.cond(deref(e), what); c != nil {
				out = append(out, c)
			}
		}
		return out
	}
	if c := l.cond(n, what); c != nil {
		return []*cond{c}
	}
	return nil
}

func (l *loader) cond(n *yaml.Node, what string) *cond {
	if n.Kind != yaml.ScalarNode {
		l.errorf(n, "%s: expected a condition (an expression such as r.rc == 0, or a boolean), found %s", what, nodeKind(n))
		return nil
	}
	v, ok := l.value(n)
	if !ok {
		return nil
	}
	c := &cond{src: n.Value}
	switch x := v.(type) {
	case nil:
		l.errorf(n, "%s: expected a condition, found nothing", what)
		return nil
	case string:
		if jinja.IsTemplate(x) {
			c.tmpl = true
			return c
		}
		e, err := jinja.ParseExpr(x)
		if err != nil {
			l.errorf(n, "%s: bad expression %q: %s", what, x, syntaxMsg(err))
			return nil
		}
		c.e = e
	case jinja.Unsafe:
		l.errorf(n, "%s: a condition cannot be !unsafe", what)
		return nil
	default:
		c.isLit, c.lit = true, x
	}
	return c
}

// actionArgs reads and checks the options of a task's action.
func (l *loader) actionArgs(t *task, n *yaml.Node) {
	switch {
	case isNull(n):
	case n.Kind == yaml.MappingNode:
		l.members(n, func(key string, kn, vn *yaml.Node) {
			if v, ok := l.value(vn); ok {
				t.args = append(t.args, arg{key: key, val: v})
			}
			l.checkArg(t, key, kn)
		})
	case n.Kind == yaml.ScalarNode:
		s, ok := l.scalarString(n, t.action)
		if !ok {
			return
		}
		args, err := splitKV(s)
		if err != nil {
			l.errorf(n, "%s: %v (free-form options are key=value pairs)", t.action, err)
			return
		}
		for _, a := range args {
			t.args = append(t.args, a)
			l.checkArg(t, a.key, n)
		}
	default:
		l.errorf(n, "%s: expected a mapping of options, found %s", t.action, nodeKind(n))
		return
	}
	l.checkAction(t, n)
}

// checkArg checks one option name against what the action takes.
func (l *loader) checkArg(t *task, key string, kn *yaml.Node) {
	switch t.kind {
	case kindModule:
		if strings.HasPrefix(key, "_ansible_") {
			l.errorf(kn, "%s: option %q: names starting with _ansible_ are Ansible's", t.action, key)
			return
		}
		known := moduleOptionNames(t.module)
		if !slices.Contains(known, key) {
			l.errorf(kn, "%s: unknown option %q (known: %s)", t.action, key, strings.Join(known, ", "))
		}
	case kindSetFact:
		if key != "cacheable" && !identifier.MatchString(key) {
			l.errorf(kn, "set_fact: %q is not a valid variable name", key)
		}
	default:
		if !slices.Contains(builtinArgs[t.kind], key) {
			l.errorf(kn, "%s: unknown option %q (known: %s)", t.action, key, strings.Join(builtinArgs[t.kind], ", "))
		}
	}
}

// moduleOptionNames lists a module's option names and aliases, sorted.
func moduleOptionNames(m *ansible.Module) []string {
	var names []string
	for _, o := range m.Spec.Options {
		names = append(names, o.Name)
		names = append(names, o.Aliases...)
	}
	slices.Sort(names)
	return names
}

// checkAction checks what the builtins need beyond option names, and
// parses debug's var and assert's that.
func (l *loader) checkAction(t *task, n *yaml.Node) {
	get := func(key string) (any, bool) {
		for _, a := range t.args {
			if a.key == key {
				return a.val, true
			}
		}
		return nil, false
	}
	switch t.kind {
	case kindDebug:
		_, hasMsg := get("msg")
		v, hasVar := get("var")
		if hasMsg && hasVar {
			l.errorf(n, "debug: msg and var are mutually exclusive")
			return
		}
		if hasVar {
			s, ok := v.(string)
			if !ok {
				l.errorf(n, "debug: var: expected a variable name or expression, found %s", jinja.Repr(v))
				return
			}
			src := s
			if tpl, err := l.tc.Parse(s); err == nil {
				if e := tpl.Expr(); e != nil {
					t.debugVar = e
					return
				}
			}
			e, err := jinja.ParseExpr(src)
			if err != nil {
				l.errorf(n, "debug: var: bad expression %q: %s", src, syntaxMsg(err))
				return
			}
			t.debugVar = e
		}
	case kindAssert:
		that, ok := get("that")
		if !ok {
			l.errorf(n, "assert: that is required: a condition or a list of them")
			return
		}
		l.assertThat(t, that, n)
	case kindSetFact:
		vars := 0
		for _, a := range t.args {
			if a.key != "cacheable" {
				vars++
			}
		}
		if vars == 0 {
			l.errorf(n, "set_fact: no variables given: expected name: value pairs")
		}
	}
}

// assertThat parses assert's that from its converted value.
func (l *loader) assertThat(t *task, that any, n *yaml.Node) {
	list, isList := that.([]any)
	if !isList {
		list = []any{that}
	}
	for _, v := range list {
		c := &cond{src: jinja.Str(v)}
		switch x := v.(type) {
		case string:
			if jinja.IsTemplate(x) {
				c.tmpl = true
				break
			}
			e, err := jinja.ParseExpr(x)
			if err != nil {
				l.errorf(n, "assert: that: bad expression %q: %s", x, syntaxMsg(err))
				continue
			}
			c.e = e
		case bool, int, float64:
			c.isLit, c.lit = true, x
		default:
			l.errorf(n, "assert: that: expected a condition, found %s", jinja.Repr(v))
			continue
		}
		t.that = append(t.that, c)
	}
}

// block reads a block with its rescue and always sections.
func (l *loader) block(n *yaml.Node) *task {
	t := &task{pos: l.conv.posOf(n), kind: kindBlock, action: "block"}
	l.members(n, func(key string, kn, vn *yaml.Node) {
		switch key {
		case "name":
			if s, ok := l.scalarString(vn, "name"); ok {
				t.name = s
			}
		case "block":
			t.block = l.tasks(vn)
		case "rescue":
			t.rescue = l.tasks(vn)
		case "always":
			t.always = l.tasks(vn)
		case "when":
			t.when = l.conds(vn, "when")
		case "vars":
			t.vars = l.vars(vn)
		case "environment":
			t.env = l.environment(vn)
		case "ignore_errors":
			t.ignore = l.flag(vn, "ignore_errors")
		case "no_log":
			t.noLog = l.flag(vn, "no_log")
		default:
			l.errorf(kn, "%q is not valid on a block (expected one of: %s)", key, strings.Join(blockKeys, ", "))
		}
	})
	return t
}

// loadFile reads and loads the task file at path.
func loadFile(path string, read func(string) ([]byte, error), mods map[string]*ansible.Module, tc *jinja.Cache) (*playbook, error) {
	data, err := read(path)
	if err != nil {
		return nil, fmt.Errorf("read task file: %w", err)
	}
	return loadPlaybook(filepath.Clean(path), data, mods, tc)
}
