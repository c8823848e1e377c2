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
	// src is the file's text, for Ansible's error messages; nil when
	// unknown.
	src *source
}

// A source is a file as loaded: its absolute path, as Ansible names it,
// and its text.
type source struct {
	path, text string
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

// A fileError is a defect of a task file, or a construct zonemgr play
// does not support: where it is (line and column are 0 when unknown) and
// what is wrong or was expected.
type fileError struct {
	Pos pos
	Msg string
	// Empty: the file holds no YAML document (emptyFile), which some
	// callers take as an empty mapping.
	Empty bool
}

// emptyFile is the fileError of a file with no YAML document.
func emptyFile(file string) *fileError {
	return &fileError{Pos: pos{file: file}, Msg: "the file is empty: expected a list of tasks, a list of plays, or a mapping with vars and tasks", Empty: true}
}

// isEmptyFile tells whether err is emptyFile's.
func isEmptyFile(err error) bool {
	var fe *fileError
	return errors.As(err, &fe) && fe.Empty
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
	kindCommand
	kindShell
	kindMeta
	kindInclude
	kindBlock
)

// builtins are the actions the runner itself implements, by short name.
var builtins = map[string]taskKind{
	"debug":         kindDebug,
	"set_fact":      kindSetFact,
	"fail":          kindFail,
	"assert":        kindAssert,
	"command":       kindCommand,
	"shell":         kindShell,
	"meta":          kindMeta,
	"include_tasks": kindInclude,
	"import_tasks":  kindInclude,
}

// builtinArgs are the options each builtin takes (set_fact takes any
// variable name).
var builtinArgs = map[taskKind][]string{
	kindDebug:   {"msg", "var", "verbosity"},
	kindFail:    {"msg"},
	kindAssert:  {"that", "fail_msg", "msg", "success_msg", "quiet"},
	kindCommand: {"_raw_params", "cmd", "argv", "chdir", "creates", "removes", "stdin", "stdin_add_newline", "strip_empty_ends"},
	kindShell:   {"_raw_params", "cmd", "chdir", "creates", "removes", "stdin", "stdin_add_newline", "strip_empty_ends", "executable"},
	kindMeta:    {"_raw_params"},
	kindInclude: {"_raw_params", "file", "apply"},
}

// refusedActions are Ansible actions zonemgr play does not have, with
// what to use instead.
var refusedActions = map[string]string{
	"copy": "", "file": "", "template": "", "fetch": "", "lineinfile": "", "blockinfile": "",
	"stat": "", "wait_for": "", "service": "", "package": "", "uri": "", "get_url": "",
	"unarchive": "", "archive": "", "git": "", "cron": "", "mount": "", "systemd": "",
	"raw": "use command or shell", "script": "use command or shell", "pause": "use command: sleep N",
	"setup": "use the play's gather_facts", "include_vars": "use vars_files",
	"include_role": "roles are not supported; use include_tasks", "import_role": "roles are not supported; use import_tasks",
	"import_playbook": "write one playbook file", "include": "use include_tasks",
	"add_host": "there is no inventory", "group_by": "there is no inventory",
	"async_status": "there are no async tasks",
	"user":         "use zone_giz's or zone_diz's copy_users", "group": "use zone_giz's or zone_diz's copy_groups",
}

// refusedActionMsg is why an action zonemgr play does not have is
// refused.
func refusedActionMsg(why string) string {
	if why == "" {
		return "zonemgr play has debug, set_fact, fail, assert, command, shell, meta, include_tasks, import_tasks and the zone modules; run this playbook with ansible-playbook"
	}
	return why
}

// taskKeys are the task keywords zonemgr play supports, in the order
// messages list them.
var taskKeys = []string{
	"name", "register", "when", "loop", "with_items", "with_list", "with_dict", "loop_control",
	"until", "retries", "delay", "changed_when", "failed_when", "ignore_errors", "no_log",
	"vars", "environment", "tags", "notify", "check_mode", "diff", "any_errors_fatal", "args",
	"run_once", "ignore_unreachable", "connection", "collections",
}

// blockKeys are the keywords of a block.
var blockKeys = []string{
	"name", "block", "rescue", "always", "when", "vars", "environment", "ignore_errors", "no_log",
	"tags", "check_mode", "diff", "any_errors_fatal", "run_once", "connection", "collections",
}

// playKeys are the keywords of a play. connection (local), collections
// and remote_user are accepted as they change nothing on this global
// zone.
var playKeys = []string{
	"name", "hosts", "vars", "vars_files", "environment", "tasks", "pre_tasks", "post_tasks",
	"handlers", "connection", "gather_facts", "collections", "tags", "any_errors_fatal",
	"check_mode", "diff", "ignore_errors", "no_log", "force_handlers", "remote_user", "strategy", "run_once",
}

// refusedKeywords are Ansible keywords zonemgr play does not support,
// with the reason.
var refusedKeywords = map[string]string{
	"become": "privileges come from zonemgr's own elevation (ELEVATE_CMD)", "become_user": "privileges come from zonemgr's own elevation (ELEVATE_CMD)",
	"become_method": "privileges come from zonemgr's own elevation (ELEVATE_CMD)", "become_flags": "privileges come from zonemgr's own elevation (ELEVATE_CMD)",
	"become_exe":  "privileges come from zonemgr's own elevation (ELEVATE_CMD)",
	"delegate_to": "there is no inventory: every task runs on this global zone", "delegate_facts": "there is no inventory",
	"local_action": "there is no inventory: every task runs on this global zone", "action": "write the module's name as the task's key",
	"async": "tasks run to completion", "poll": "tasks run to completion", "timeout": "not implemented",
	"throttle": "not implemented", "debugger": "not implemented", "module_defaults": "not implemented",
	"serial": "there is one host", "max_fail_percentage": "there is one host", "order": "there is one host",
	"roles": "roles are not supported; use import_tasks", "vars_prompt": "zonemgr play runs unattended",
	"gather_subset": "gather_facts gathers its own minimal fact set", "gather_timeout": "gather_facts gathers its own minimal fact set",
	"fact_path": "gather_facts gathers its own minimal fact set", "port": "there is no inventory",
	"remote_user": "", "with_fileglob": "lookups are not supported", "with_lines": "lookups are not supported",
	"with_file": "lookups are not supported", "with_sequence": "lookups are not supported; use loop: \"{{ range(...) | list }}\"",
	"with_subelements":   "lookups are not supported; use loop with the subelements filter",
	"with_nested":        "lookups are not supported; use loop with the product filter",
	"with_together":      "lookups are not supported; use loop with the zip filter",
	"with_random_choice": "lookups are not supported", "with_first_found": "lookups are not supported",
	"with_indexed_items": "lookups are not supported", "with_flattened": "lookups are not supported; use loop with the flatten filter",
	"with_cartesian":           "lookups are not supported; use loop with the product filter",
	"with_inventory_hostnames": "there is no inventory", "with_env": "lookups are not supported",
	"with_template": "lookups are not supported", "with_url": "lookups are not supported", "with_pipe": "lookups are not supported",
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// A playbook is a loaded task file: its plays in order.
type playbook struct {
	plays []*play
	// warnings are Ansible's warnings about the files as they load.
	warnings []string
}

// A play is a list of tasks with its variables. zonemgr play has no
// inventory: every play runs on the local global zone, whatever its hosts
// pattern (which may be a template) says.
type play struct {
	pos   pos
	name  string
	hosts []string
	keywords
	// varsFiles are the variables of the play's vars_files, in order.
	varsFiles     []*jinja.Dict
	gatherFacts   any // nil: true
	forceHandlers any
	// pre, tasks and post are the play's sections; handlers its
	// handlers.
	pre, tasks, post []*task
	handlers         []*task
}

// keywords are the keywords plays, blocks and tasks share, with the same
// meaning on each; the flags are nil when not set.
type keywords struct {
	vars *jinja.Dict
	// env is the environment: a mapping, or a template that gives one.
	env       any
	tags      []any
	ignore    any // ignore_errors
	noLog     any
	checkMode any
	diff      any
	fatal     any // any_errors_fatal
}

// keyword reads key into k when it is one of the keywords plays, blocks
// and tasks share (run_once and connection change nothing on this global
// zone), and tells whether it is.
func (l *loader) keyword(k *keywords, key string, vn *yaml.Node) bool {
	switch key {
	case "vars":
		k.vars = l.vars(vn)
	case "environment":
		k.env = l.environment(vn)
	case "tags":
		k.tags = l.tags(vn)
	case "ignore_errors":
		k.ignore = l.flag(vn, key)
	case "no_log":
		k.noLog = l.flag(vn, key)
	case "check_mode":
		k.checkMode = l.flag(vn, key)
	case "diff":
		k.diff = l.flag(vn, key)
	case "any_errors_fatal":
		k.fatal = l.flag(vn, key)
	case "connection":
		l.connection(vn)
	case "run_once":
	default:
		return false
	}
	return true
}

// An arg is one option of a task's action, in the order written.
type arg struct {
	key string
	val any
}

// A loopKind is how a task loops.
type loopKind int

const (
	loopNone loopKind = iota
	loopPlain
	loopWithItems
	loopWithList
	loopWithDict
)

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
	loopKind    loopKind
	loop        any
	loopVar     string
	indexVar    string
	label       any
	hasLabel    bool
	extended    bool
	allItems    bool
	pause       any
	until       []*cond
	retries     any
	delay       any
	changedWhen []*cond
	failedWhen  []*cond
	notify      []any
	listen      []any
	keywords

	// For debug: var's text; for assert: that's conditions.
	debugVar any
	that     []*cond
	// For meta: the action.
	meta string
	// For include_tasks and import_tasks: the tasks of the file, and
	// whether it is imported (inlined when loaded).
	file     string
	included []*task
	imported bool

	block, rescue, always []*task
	// handler marks a task of a play's handlers.
	handler bool
	// argNodes are the keys of the options written as a mapping, for
	// errors.
	argNodes map[string]*yaml.Node
}

// argNode returns the node of an option's key, or n when the option was
// not written as a mapping's key.
func (t *task) argNode(key string, n *yaml.Node) *yaml.Node {
	if kn := t.argNodes[key]; kn != nil {
		return kn
	}
	return n
}

// setArgNode records the node of an option's key.
func (t *task) setArgNode(key string, kn *yaml.Node) {
	if t.argNodes == nil {
		t.argNodes = map[string]*yaml.Node{}
	}
	t.argNodes[key] = kn
}

// labelTemplate is what a loop item's label renders: loop_control's
// label, or the loop variable.
func (t *task) labelTemplate() any {
	if t.hasLabel {
		return t.label
	}
	return "{{" + t.loopVar + "}}"
}

// displayName is the name in the TASK banner: the name, or the action as
// written.
func (t *task) displayName() string {
	if t.name != "" {
		return t.name
	}
	return t.action
}

// A cond is one condition of when, changed_when, failed_when, until or
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
	// read reads task and vars files; dir is the playbook's directory.
	read func(string) ([]byte, error)
	dir  string
	// including holds the task files being loaded, against include
	// loops.
	including []string
	// playbook is set while a playbook (a list of plays) loads: its
	// tasks name zonemgr's modules by their full name, or by their short
	// name under collections: [illumos.zonemgr], as Ansible resolves
	// them. collections is the search list in effect.
	playbook    bool
	collections []string
	// warnings collects the warnings of the files loaded.
	warnings *[]string
}

// converter returns the YAML converter of a file the loader reads, data
// being its text.
func (l *loader) converter(file string, data []byte) *yamlConverter {
	src := &source{path: absPath(file), text: string(data)}
	return &yamlConverter{file: file, src: src, warnings: l.warnings, onString: l.checkTemplate}
}

// absPath is path made absolute, as Ansible names the files it loads.
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// maxFileErrors bounds the defects one load reports.
const maxFileErrors = 50

// maxIncludeDepth bounds files included within one another.
const maxIncludeDepth = 50

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
			return nil, emptyFile(file)
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
// modules tasks may name; read reads the files it includes.
func loadPlaybook(file string, data []byte, mods map[string]*ansible.Module, tc *jinja.Cache, read func(string) ([]byte, error)) (*playbook, error) {
	doc, err := parseYAML(file, data)
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		dir = filepath.Dir(file)
	}
	pb := &playbook{}
	l := &loader{tc: tc, mods: mods, read: read, dir: dir, including: []string{filepath.Clean(file)}, warnings: &pb.warnings}
	l.conv = l.converter(file, data)
	root := doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, emptyFile(file)
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
			p := &play{name: "localhost", hosts: []string{"localhost"}, keywords: keywords{vars: jinja.NewDict(0)}, gatherFacts: false}
			p.tasks = l.tasks(root, inheritedTags{})
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

// checkTemplate checks the template syntax of a string scalar, and that
// it uses only what zonemgr play supports.
func (l *loader) checkTemplate(s string, n *yaml.Node) error {
	if !jinja.IsTemplate(s) {
		return nil
	}
	t, err := l.tc.Parse(s)
	if err != nil {
		l.errorf(n, "bad template %q: %v", s, syntaxMsg(err))
		return nil
	}
	if msg := checkMagic(t.Names()); msg != "" {
		l.errorf(n, "template %q: %s", s, msg)
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

// inheritedTags are the tags a task gets from the blocks, play and
// imports around it.
type inheritedTags struct{ tags []any }

// refuse records a keyword zonemgr play does not support.
func (l *loader) refuse(kn *yaml.Node, key, where string) {
	why := refusedKeywords[key]
	if why == "" {
		why = "not supported"
	}
	l.errorf(kn, "%s keyword %q is not supported by zonemgr play (%s)", where, key, why)
}

// play loads one play. In a playbook (inPlaybook) hosts is required.
func (l *loader) play(n *yaml.Node, inPlaybook bool) *play {
	p := &play{pos: l.conv.posOf(n), keywords: keywords{vars: jinja.NewDict(0)}}
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "expected a play (a mapping with hosts and tasks), found %s", nodeKind(n))
		return nil
	}
	if !inPlaybook {
		p.gatherFacts = false
	}
	hasHosts := false
	var playCollections []string
	var tasksN, preN, postN, handlersN *yaml.Node
	l.members(n, func(key string, kn, vn *yaml.Node) {
		if l.keyword(&p.keywords, key, vn) {
			return
		}
		switch key {
		case "name":
			if s, ok := l.scalarString(vn, "play name"); ok {
				p.name = s
			}
		case "hosts":
			hasHosts = true
			p.hosts = l.hosts(vn)
		case "vars_files":
			p.varsFiles = l.varsFiles(vn)
		case "tasks":
			tasksN = vn
		case "pre_tasks":
			preN = vn
		case "post_tasks":
			postN = vn
		case "handlers":
			handlersN = vn
		case "gather_facts":
			p.gatherFacts = l.flag(vn, key)
		case "force_handlers":
			p.forceHandlers = l.flag(vn, key)
		case "strategy":
			if s, ok := l.scalarString(vn, "strategy"); ok && s != "linear" && s != "ansible.builtin.linear" {
				l.errorf(vn, "strategy %q is not supported by zonemgr play: it runs one host, in order (linear)", s)
			}
		case "collections":
			playCollections = l.collectionList(vn)
		case "remote_user":
		default:
			if _, refused := refusedKeywords[key]; refused {
				l.refuse(kn, key, "play")
				return
			}
			l.errorf(kn, "unknown play key %q (expected one of: %s)", key, strings.Join(playKeys, ", "))
		}
	})
	if inPlaybook && !hasHosts {
		l.errorf(n, "play has no hosts: expected hosts: localhost")
	}
	if !hasHosts {
		p.hosts = []string{"localhost"}
	}
	inh := inheritedTags{tags: p.tags}
	l.playbook = inPlaybook
	l.collections = playCollections
	for _, sec := range []struct {
		n   *yaml.Node
		out *[]*task
	}{{preN, &p.pre}, {tasksN, &p.tasks}, {postN, &p.post}, {handlersN, &p.handlers}} {
		if sec.n != nil {
			*sec.out = l.tasks(sec.n, inh)
		}
	}
	for _, h := range p.handlers {
		switch h.kind {
		case kindBlock, kindInclude:
			// Ansible notifies the tasks inside a block or an included
			// file one by one, by their own names.
			what := h.action
			if h.kind == kindBlock {
				what = "block"
			}
			l.addErr(&fileError{Pos: h.pos, Msg: fmt.Sprintf("handlers: %s among handlers is not supported by zonemgr play: list the handlers themselves", what)})
		default:
			h.handler = true
		}
	}
	if p.name == "" && inPlaybook {
		p.name = strings.Join(p.hosts, ",")
	}
	if p.name == "" {
		p.name = "localhost"
	}
	return p
}

// connection checks a connection keyword: local, the only one there is.
func (l *loader) connection(vn *yaml.Node) {
	s, ok := l.scalarString(vn, "connection")
	if !ok {
		return
	}
	switch s {
	case "local", "ansible.builtin.local", "ansible.legacy.local":
	default:
		l.errorf(vn, "connection %q is not supported by zonemgr play: it runs every task on this global zone (connection: local)", s)
	}
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
func (l *loader) vars(n *yaml.Node) *jinja.Dict {
	out := jinja.NewDict(0)
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
		if err := l.conv.textKey(kn); err != nil {
			l.errorf(kn, "vars: %q is not a valid variable name: YAML 1.1 reads it as %s; quote it", key, jinja.Repr(resolvePlain(key)))
			return
		}
		if v, ok := l.value(vn); ok {
			out.Set(key, v)
		}
	})
	return out
}

// varsFiles reads a play's vars_files: file names (relative to the
// playbook's directory), each a YAML mapping of variables.
func (l *loader) varsFiles(n *yaml.Node) []*jinja.Dict {
	var names []*yaml.Node
	switch {
	case n.Kind == yaml.ScalarNode:
		names = []*yaml.Node{n}
	case n.Kind == yaml.SequenceNode:
		for _, e := range n.Content {
			names = append(names, deref(e))
		}
	default:
		l.errorf(n, "vars_files: expected a list of file names, found %s", nodeKind(n))
		return nil
	}
	var out []*jinja.Dict
	for _, fn := range names {
		if fn.Kind != yaml.ScalarNode {
			l.errorf(fn, "vars_files: a list of alternative files is not supported by zonemgr play: name one file")
			continue
		}
		name := fn.Value
		if jinja.IsTemplate(name) {
			l.errorf(fn, "vars_files: a templated file name (%s) is not supported by zonemgr play: name the file", name)
			continue
		}
		path, data, err := l.readResolved(name, "")
		if err != nil {
			l.errorf(fn, "vars_files: read %s: %v", name, err)
			continue
		}
		vars, err := loadVarsFile(path, data, l.tc, l.warnings)
		if err != nil {
			l.addErr(err)
			continue
		}
		out = append(out, vars)
	}
	return out
}

// loadVarsFile reads a vars file: a YAML mapping of variables. Its
// warnings are added to warnings.
func loadVarsFile(path string, data []byte, tc *jinja.Cache, warnings *[]string) (*jinja.Dict, error) {
	doc, err := parseYAML(path, data)
	if err != nil {
		if isEmptyFile(err) {
			return jinja.NewDict(0), nil
		}
		return nil, err
	}
	vl := &loader{tc: tc, warnings: warnings}
	vl.conv = vl.converter(path, data)
	root := deref(doc)
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = deref(root.Content[0])
	}
	if root.Kind != yaml.MappingNode && !isNull(root) {
		return nil, &fileError{Pos: vl.conv.posOf(root), Msg: "a vars file must be a mapping of variable names to values, found " + nodeKind(root)}
	}
	vars := vl.vars(root)
	if len(vl.errs) > 0 {
		return nil, errors.Join(vl.errs...)
	}
	return vars, nil
}

// readResolved reads a file a task file names, and returns its path:
// absolute, or relative to the including file's directory (from) when
// there is such a file, else to the playbook's.
func (l *loader) readResolved(name, from string) (string, []byte, error) {
	if filepath.IsAbs(name) {
		data, err := l.read(name)
		return name, data, err
	}
	if from != "" {
		p := filepath.Join(filepath.Dir(from), name)
		if data, err := l.read(p); err == nil {
			return p, data, nil
		}
	}
	p := filepath.Join(l.dir, name)
	data, err := l.read(p)
	return p, data, err
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
	checkNames := func(d *jinja.Dict) bool {
		for k := range d.All() {
			if !identifier.MatchString(k) {
				l.errorf(n, "environment: %q is not a valid environment variable name (letters, digits and _, not starting with a digit)", k)
				return false
			}
		}
		return true
	}
	switch x := v.(type) {
	case nil:
		return nil
	case *jinja.Dict:
		if !checkNames(x) {
			return nil
		}
		return x
	case []any:
		for _, e := range x {
			switch y := e.(type) {
			case *jinja.Dict:
				if !checkNames(y) {
					return nil
				}
			case string:
				if !jinja.IsTemplate(y) {
					l.errorf(n, "environment: expected a mapping of variable names to values, found a list holding %s", jinja.Repr(e))
					return nil
				}
			case nil:
			default:
				l.errorf(n, "environment: expected a mapping of variable names to values, found a list holding %s", jinja.Repr(e))
				return nil
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

// tags reads tags: a name, a comma-separated list of names, or a list.
func (l *loader) tags(n *yaml.Node) []any {
	v, ok := l.value(n)
	if !ok {
		return nil
	}
	switch x := v.(type) {
	case string:
		var out []any
		for _, t := range strings.Split(x, ",") {
			out = append(out, strings.TrimSpace(t))
		}
		return out
	case []any:
		return x
	case int, float64, bool:
		return []any{x}
	}
	l.errorf(n, "tags: expected a tag name or a list of them, found %s", nodeKind(n))
	return nil
}

// names reads notify or listen: a name or a list of names.
func (l *loader) names(n *yaml.Node, what string) []any {
	v, ok := l.value(n)
	if !ok {
		return nil
	}
	switch x := v.(type) {
	case string:
		return []any{x}
	case []any:
		for _, e := range x {
			if _, ok := e.(string); !ok {
				l.errorf(n, "%s: expected handler names, found %s", what, jinja.Repr(e))
				return nil
			}
		}
		return x
	case nil:
		return nil
	}
	l.errorf(n, "%s: expected a handler name or a list of them, found %s", what, nodeKind(n))
	return nil
}

// tasks reads a list of tasks.
func (l *loader) tasks(n *yaml.Node, inh inheritedTags) []*task {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, "expected a list of tasks, found %s", nodeKind(n))
		return nil
	}
	var out []*task
	for _, item := range n.Content {
		if t := l.task(deref(item), inh); t != nil {
			out = append(out, t)
		}
	}
	return out
}

// task reads one task or block.
func (l *loader) task(n *yaml.Node, inh inheritedTags) *task {
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "expected a task (a mapping with a name and an action such as zone_diz or debug), found %s", nodeKind(n))
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "block" {
			return l.block(n, inh)
		}
	}
	t := &task{pos: l.conv.posOf(n)}
	// The task's collections resolve its action, named among the keys
	// below, so they are read first, merge keys included (the last
	// member of that name is the one in effect); what is wrong with the
	// mapping itself is reported once, by members below.
	var taskCollections []string
	if ms, err := l.conv.flatten(n, 0); err == nil {
		var cn *yaml.Node
		for _, m := range ms {
			if m.kn.Value == "collections" {
				cn = m.vn
			}
		}
		if cn != nil {
			taskCollections = l.collectionList(deref(cn))
		}
	}
	defer l.pushCollections(taskCollections)()
	var actionKey, actionVal, argsN *yaml.Node
	var loopControl *yaml.Node
	refusedAction := false
	loopKeys := 0
	l.members(n, func(key string, kn, vn *yaml.Node) {
		if l.keyword(&t.keywords, key, vn) {
			return
		}
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
		case "until":
			t.until = l.conds(vn, "until")
		case "retries":
			t.retries = l.number(vn, "retries")
		case "delay":
			t.delay = l.number(vn, "delay")
		case "loop", "with_items", "with_list", "with_dict":
			loopKeys++
			t.loopKind = map[string]loopKind{"loop": loopPlain, "with_items": loopWithItems, "with_list": loopWithList, "with_dict": loopWithDict}[key]
			t.loop = l.loop(vn, key)
		case "loop_control":
			loopControl = vn
		case "notify":
			t.notify = l.names(vn, "notify")
		case "listen":
			t.listen = l.names(vn, "listen")
		case "args":
			argsN = vn
		case "collections":
			// Read before the other keys, above.
		case "ignore_unreachable":
		case "rescue", "always":
			l.errorf(kn, "%s is only valid in a block (a task with block:)", key)
		default:
			if why, refused := refusedKeywords[key]; refused && why != "" {
				l.refuse(kn, key, "task")
				return
			}
			if _, _, ok := l.resolveAction(key); !ok {
				refusedAction = true
				if why, ok := refusedActions[shortAction(key)]; ok {
					l.errorf(kn, "the action %q is not supported by zonemgr play (%s)", key, refusedActionMsg(why))
					return
				}
				if _, ours := l.mods[key]; ours {
					l.errorf(kn, "couldn't resolve module/action %q: in a playbook, name it %s.%s, or list %s in the play's collections, as ansible-playbook requires", key, modules.Collection, key, modules.Collection)
					return
				}
				l.errorf(kn, "unknown key %q: not a task keyword (%s) nor a module (%s)", key, strings.Join(taskKeys, ", "), strings.Join(l.actionNames(), ", "))
				return
			}
			if actionKey != nil {
				l.errorf(kn, "conflicting action statements: %s, %s", actionKey.Value, key)
				return
			}
			actionKey, actionVal = kn, vn
		}
	})
	if loopKeys > 1 {
		l.errorf(n, "a task takes one of loop, with_items, with_list and with_dict")
	}
	if loopControl != nil {
		l.loopControl(t, loopControl)
	}
	if t.loopVar == "" {
		t.loopVar = "item"
	}
	if actionKey == nil && refusedAction {
		return nil
	}
	if actionKey == nil {
		l.errorf(n, "task has no action: expected a module (%s) or one of debug, set_fact, fail, assert, command, shell, meta, include_tasks, import_tasks, block", strings.Join(l.moduleNames(), ", "))
		return nil
	}
	if len(t.until) > 0 && t.retries == nil {
		t.retries = 3
	}
	t.action = actionKey.Value
	t.kind, t.module, _ = l.resolveAction(t.action)
	l.actionArgs(t, actionVal)
	if argsN != nil {
		l.taskArgs(t, argsN)
	}
	l.checkAction(t, actionVal)
	t.tags = append(append([]any{}, inh.tags...), t.tags...)
	if t.kind == kindInclude {
		l.include(t, actionVal)
	}
	return t
}

// shortAction returns an action's name without ansible.builtin. or
// ansible.legacy.
func shortAction(name string) string {
	for _, prefix := range []string{"ansible.builtin.", "ansible.legacy."} {
		if strings.HasPrefix(name, prefix) {
			return name[len(prefix):]
		}
	}
	return name
}

// resolveAction finds an action by the name a task gives it: a builtin
// (plain or as ansible.builtin.NAME) or a module (plain or as the
// collection's FQCN).
func (l *loader) resolveAction(name string) (taskKind, *ansible.Module, bool) {
	if k, ok := builtins[shortAction(name)]; ok {
		return k, nil, true
	}
	short, fqcn := strings.CutPrefix(name, modules.Collection+".")
	if m, ok := l.mods[short]; ok && m != nil {
		if !fqcn && l.playbook && !slices.Contains(l.collections, modules.Collection) {
			return 0, nil, false
		}
		return kindModule, m, true
	}
	return 0, nil, false
}

// pushCollections puts a task's or block's collections (none when nil)
// before the search list in effect, and returns what restores it.
func (l *loader) pushCollections(c []string) (restore func()) {
	saved := l.collections
	if c != nil {
		l.collections = append(append([]string{}, c...), saved...)
	}
	return func() { l.collections = saved }
}

// collectionList reads a collections keyword: collection names.
func (l *loader) collectionList(n *yaml.Node) []string {
	v, ok := l.value(n)
	if !ok {
		return nil
	}
	var out []string
	switch x := v.(type) {
	case string:
		out = []string{x}
	case []any:
		for _, e := range x {
			out = append(out, jinja.Str(e))
		}
	case nil:
		return []string{}
	default:
		l.errorf(n, "collections: expected a list of collection names, found %s", nodeKind(n))
	}
	return out
}

func (l *loader) moduleNames() []string { return slices.Sorted(maps.Keys(l.mods)) }

func (l *loader) actionNames() []string {
	return append(l.moduleNames(), "debug", "set_fact", "fail", "assert", "command", "shell", "meta", "include_tasks", "import_tasks", "block")
}

// loop reads a loop: a list, or a template that gives one; with_dict a
// mapping or a template.
func (l *loader) loop(n *yaml.Node, key string) any {
	v, ok := l.value(n)
	if !ok {
		return nil
	}
	switch x := v.(type) {
	case []any:
		if key != "with_dict" {
			return x
		}
	case *jinja.Dict:
		if key == "with_dict" {
			return x
		}
	case string:
		if jinja.IsTemplate(x) {
			return x
		}
		if key == "with_items" || key == "with_list" {
			// Ansible's items lookup takes a single term as a list of it.
			return []any{x}
		}
	}
	if key == "with_dict" {
		l.errorf(n, "with_dict: expected a mapping or a template that gives one, found %s", nodeKind(n))
		return nil
	}
	l.errorf(n, "%s: expected a list or a template that gives one (\"{{ names }}\"), found %s", key, nodeKind(n))
	return nil
}

func (l *loader) loopControl(t *task, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "loop_control: expected a mapping (loop_var, index_var, label, extended, pause), found %s", nodeKind(n))
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
		case "extended", "extended_allitems":
			v, ok := l.value(vn)
			b, isBool := v.(bool)
			if !ok || !isBool {
				l.errorf(vn, "loop_control.%s: expected true or false, found %s", key, nodeKind(vn))
				return
			}
			if key == "extended" {
				t.extended = b
			} else {
				t.allItems = b
			}
		case "pause":
			t.pause = l.number(vn, "loop_control.pause")
		default:
			l.errorf(kn, "unknown loop_control key %q (expected loop_var, index_var, label, extended, extended_allitems or pause)", key)
		}
	})
	if t.loopKind == loopNone {
		l.errorf(n, "loop_control without a loop")
	}
}

// number reads retries, delay or pause: a number, or a template.
func (l *loader) number(n *yaml.Node, what string) any {
	v, ok := l.value(n)
	if !ok {
		return nil
	}
	switch x := v.(type) {
	case int, float64:
		return x
	case string:
		if jinja.IsTemplate(x) {
			return x
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
			return f
		}
	}
	l.errorf(n, "%s: expected a number or a template, found %s", what, nodeKind(n))
	return nil
}

// flag reads a boolean keyword: a boolean, or a template.
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
	case int:
		if x == 0 || x == 1 {
			return x == 1
		}
	}
	l.errorf(n, "%s: expected a boolean (true/false, yes/no) or a template, found %s", what, nodeKind(n))
	return nil
}

// parseBool reads Ansible's boolean words (module_utils boolean(), strict).
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "on", "1", "true", "t", "y", "1.0":
		return true, true
	case "no", "off", "0", "false", "f", "n", "0.0", "":
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
	c, err := newCond(v)
	if err != nil {
		l.errorf(n, "%s: %v", what, err)
		return nil
	}
	return c
}

// newCond makes a condition of a value: a literal, a bare expression,
// or a string with a template.
func newCond(v any) (*cond, error) {
	c := &cond{src: jinja.Str(v)}
	switch x := v.(type) {
	case nil:
		c.isLit, c.lit = true, true
	case string:
		if x == "" {
			c.isLit, c.lit = true, true
			return c, nil
		}
		if jinja.IsTemplate(x) {
			c.tmpl = true
			return c, nil
		}
		e, err := jinja.ParseCondition(x)
		if err != nil {
			return nil, fmt.Errorf("bad expression %q: %s", x, syntaxMsg(err))
		}
		if msg := checkMagic(e.Names()); msg != "" {
			return nil, fmt.Errorf("%q: %s", x, msg)
		}
		c.e = e
	case jinja.Unsafe:
		return nil, errors.New("a condition cannot be !unsafe")
	case bool:
		c.isLit, c.lit = true, x
	case int, float64:
		c.isLit, c.lit = true, x
	default:
		return nil, fmt.Errorf("expected a condition, found %s", jinja.Repr(v))
	}
	return c, nil
}

// actionArgs reads the options of a task's action.
func (l *loader) actionArgs(t *task, n *yaml.Node) {
	switch {
	case isNull(n):
	case n.Kind == yaml.MappingNode:
		l.members(n, func(key string, kn, vn *yaml.Node) {
			if v, ok := l.value(vn); ok {
				t.args = append(t.args, arg{key: key, val: v})
				t.setArgNode(key, kn)
			}
		})
	case n.Kind == yaml.ScalarNode:
		s, ok := l.scalarString(n, t.action)
		if !ok {
			return
		}
		args, err := splitKV(s, t.kind)
		if err != nil {
			l.errorf(n, "%s: %v", t.action, err)
			return
		}
		for _, a := range args {
			// The values as Ansible reads them from the text, escapes
			// decoded: their templates are checked as such.
			if v, ok := a.val.(string); ok {
				l.checkTemplate(v, n)
			}
		}
		t.args = append(t.args, args...)
	default:
		l.errorf(n, "%s: expected a mapping of options, found %s", t.action, nodeKind(n))
	}
}

// taskArgs reads the args keyword: options of the action, which the
// action's own options override.
func (l *loader) taskArgs(t *task, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "args: expected a mapping of options, found %s", nodeKind(n))
		return
	}
	var extra []arg
	l.members(n, func(key string, kn, vn *yaml.Node) {
		for _, a := range t.args {
			if a.key == key {
				return
			}
		}
		if v, ok := l.value(vn); ok {
			extra = append(extra, arg{key: key, val: v})
			t.setArgNode(key, kn)
		}
	})
	t.args = append(extra, t.args...)
}

// checkArg checks one option name against what the action takes.
func (l *loader) checkArg(t *task, key string, kn *yaml.Node) {
	switch t.kind {
	case kindModule:
		if strings.HasPrefix(key, "_ansible_") {
			l.errorf(kn, "%s: option %q: names starting with _ansible_ are Ansible's", t.action, key)
			return
		}
		if key == "_raw_params" {
			l.errorf(kn, "%s: free-form text (%s) is not an option of this module; write key=value pairs", t.action, jinja.Repr(argValue(t.args, key)))
			return
		}
		known := moduleOptionNames(t.module)
		if !slices.Contains(known, key) {
			l.errorf(kn, "%s: unknown option %q (known: %s)", t.action, key, strings.Join(known, ", "))
		}
	case kindSetFact:
		if key == "_raw_params" {
			l.errorf(kn, "set_fact: free-form text (%s) is not a variable; write name=value pairs", jinja.Repr(argValue(t.args, key)))
			return
		}
		if key != "cacheable" && !identifier.MatchString(key) && !jinja.IsTemplate(key) {
			l.errorf(kn, "set_fact: %q is not a valid variable name", key)
		}
	default:
		if key == "_raw_params" && !slices.Contains(builtinArgs[t.kind], key) {
			l.errorf(kn, "this task '%s' has extra params, which is only allowed in the following modules: command, shell, meta, include_tasks, import_tasks, set_fact", t.action)
			return
		}
		if !slices.Contains(builtinArgs[t.kind], key) {
			known := slices.DeleteFunc(slices.Clone(builtinArgs[t.kind]), func(s string) bool { return s == "_raw_params" })
			l.errorf(kn, "%s: unknown option %q (known: %s)", t.action, key, strings.Join(known, ", "))
		}
	}
}

// argValue returns the value of the option key.
func argValue(args []arg, key string) any {
	v, _ := argValueOK(args, key)
	return v
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

// checkAction checks the options of an action and what the builtins need
// beyond option names.
func (l *loader) checkAction(t *task, n *yaml.Node) {
	if n == nil {
		n = &yaml.Node{}
	}
	for _, a := range t.args {
		l.checkArg(t, a.key, t.argNode(a.key, n))
	}
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
			l.errorf(n, "debug: 'msg' and 'var' are incompatible options")
			return
		}
		if hasVar {
			switch x := v.(type) {
			case string:
				if !jinja.IsTemplate(x) {
					if _, err := jinja.ParseExpr(x); err != nil {
						l.errorf(n, "debug: var: bad expression %q: %s", x, syntaxMsg(err))
						return
					}
				}
			default:
				l.errorf(n, "debug: var: expected a variable name or expression, found %s", jinja.Repr(v))
				return
			}
			t.debugVar = v
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
	case kindCommand, kindShell:
		l.checkCommand(t, n)
	case kindMeta:
		v, _ := get("_raw_params")
		s, ok := v.(string)
		switch {
		case !ok:
			l.errorf(n, "meta: expected an action such as flush_handlers")
		case s == "flush_handlers" || s == "noop" || s == "end_play" || s == "end_host" || s == "clear_host_errors" || s == "end_batch":
			t.meta = s
		default:
			l.errorf(n, "meta: %q is not supported by zonemgr play (flush_handlers, noop, end_play, end_host, end_batch and clear_host_errors are)", s)
		}
		if len(t.when) > 0 && (s == "flush_handlers") {
			l.errorf(n, "meta: flush_handlers with when is not supported by zonemgr play (ansible-core 2.14 ignores the condition with a warning)")
		}
	}
}

// checkCommand checks command's and shell's options: a command is
// required; argv only for command.
func (l *loader) checkCommand(t *task, n *yaml.Node) {
	raw, hasRaw := argValueOK(t.args, "_raw_params")
	_, hasCmd := argValueOK(t.args, "cmd")
	argv, hasArgv := argValueOK(t.args, "argv")
	given := 0
	for _, h := range []bool{hasRaw && jinja.Str(raw) != "", hasCmd, hasArgv} {
		if h {
			given++
		}
	}
	if given == 0 {
		l.errorf(n, "%s: no command given", t.action)
		return
	}
	if given > 1 {
		l.errorf(n, "%s: only one of the free-form command, cmd and argv may be given", t.action)
	}
	if _, isList := argv.([]any); hasArgv && !isList {
		if s, isStr := argv.(string); !isStr || !jinja.IsTemplate(s) {
			l.errorf(n, "%s: argv: expected a list of arguments, found %s", t.action, jinja.Repr(argv))
		}
	}
}

// argValueOK returns the value of the option key and whether it is
// given.
func argValueOK(args []arg, key string) (any, bool) {
	for _, a := range args {
		if a.key == key {
			return a.val, true
		}
	}
	return nil, false
}

// assertThat parses assert's that from its converted value.
func (l *loader) assertThat(t *task, that any, n *yaml.Node) {
	list, isList := that.([]any)
	if !isList {
		list = []any{that}
	}
	for _, v := range list {
		c, err := newCond(v)
		if err != nil {
			l.errorf(n, "assert: that: %v", err)
			continue
		}
		t.that = append(t.that, c)
	}
}

// include loads the file of include_tasks or import_tasks.
func (l *loader) include(t *task, n *yaml.Node) {
	var name string
	if v, ok := argValueOK(t.args, "_raw_params"); ok {
		name = jinja.Str(v)
	} else if v, ok := argValueOK(t.args, "file"); ok {
		name = jinja.Str(v)
	}
	if n == nil {
		n = &yaml.Node{}
	}
	t.imported = shortAction(t.action) == "import_tasks"
	if name == "" || name == "None" {
		l.errorf(n, "%s: no file given", t.action)
		return
	}
	if jinja.IsTemplate(name) {
		l.errorf(n, "%s: a templated file name (%s) is not supported by zonemgr play: name the file", t.action, name)
		return
	}
	if _, ok := argValueOK(t.args, "apply"); ok {
		l.errorf(t.argNode("apply", n), "%s: the option \"apply\" is not supported by zonemgr play", t.action)
	}
	if t.imported {
		switch {
		case t.loopKind != loopNone:
			l.errorf(n, "import_tasks cannot loop (Ansible refuses it too); use include_tasks")
			return
		case t.register != "" || t.notify != nil || t.until != nil || t.changedWhen != nil || t.failedWhen != nil:
			l.errorf(n, "import_tasks takes only name, when, vars, tags and the keywords its tasks inherit")
			return
		}
	} else if t.register != "" || t.notify != nil || t.until != nil || t.changedWhen != nil || t.failedWhen != nil || t.ignore != nil || t.noLog != nil || t.checkMode != nil || t.env != nil {
		l.errorf(n, "include_tasks takes only name, when, loop, loop_control, vars and tags in zonemgr play")
		return
	}
	from := l.including[len(l.including)-1]
	path, data, err := l.readResolved(name, from)
	t.file = path
	if slices.Contains(l.including, filepath.Clean(path)) || len(l.including) > maxIncludeDepth {
		l.errorf(n, "%s: %s includes itself", t.action, name)
		return
	}
	if err != nil {
		l.errorf(n, "%s: read %s: %v", t.action, name, err)
		return
	}
	doc, err := parseYAML(path, data)
	if err != nil {
		if isEmptyFile(err) {
			return
		}
		l.addErr(err)
		return
	}
	root := deref(doc)
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = deref(root.Content[0])
	}
	if root.Kind != yaml.SequenceNode && !isNull(root) {
		l.addErr(&fileError{Pos: pos{file: path, line: root.Line, col: root.Column}, Msg: "a tasks file must be a list of tasks, found " + nodeKind(root)})
		return
	}
	saved := l.conv
	l.conv = l.converter(path, data)
	l.including = append(l.including, filepath.Clean(path))
	// An import's tasks inherit its tags; an include's inherit none.
	var sub inheritedTags
	if t.imported {
		sub.tags = t.tags
	}
	t.included = l.tasks(root, sub)
	l.including = l.including[:len(l.including)-1]
	l.conv = saved
}

// block reads a block with its rescue and always sections.
func (l *loader) block(n *yaml.Node, inh inheritedTags) *task {
	t := &task{pos: l.conv.posOf(n), kind: kindBlock, action: "block"}
	var blockCollections []string
	var blockN, rescueN, alwaysN *yaml.Node
	l.members(n, func(key string, kn, vn *yaml.Node) {
		if l.keyword(&t.keywords, key, vn) {
			return
		}
		switch key {
		case "name":
			if s, ok := l.scalarString(vn, "name"); ok {
				t.name = s
			}
		case "block":
			blockN = vn
		case "rescue":
			rescueN = vn
		case "always":
			alwaysN = vn
		case "when":
			t.when = l.conds(vn, "when")
		case "collections":
			blockCollections = l.collectionList(vn)
		default:
			if why, refused := refusedKeywords[key]; refused && why != "" {
				l.refuse(kn, key, "block")
				return
			}
			l.errorf(kn, "%q is not valid on a block (expected one of: %s)", key, strings.Join(blockKeys, ", "))
		}
	})
	t.tags = append(append([]any{}, inh.tags...), t.tags...)
	sub := inheritedTags{tags: t.tags}
	defer l.pushCollections(blockCollections)()
	t.block = l.tasks(blockN, sub)
	t.rescue = l.tasks(rescueN, sub)
	t.always = l.tasks(alwaysN, sub)
	return t
}

// loadFile reads and loads the task file at path.
func loadFile(path string, read func(string) ([]byte, error), mods map[string]*ansible.Module, tc *jinja.Cache) (*playbook, error) {
	data, err := read(path)
	if err != nil {
		return nil, fmt.Errorf("read task file: %w", err)
	}
	return loadPlaybook(filepath.Clean(path), data, mods, tc, read)
}
