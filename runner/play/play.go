// Package play owns `zonemgr play PLAYBOOK.yml`, which runs a playbook
// exactly as ansible-playbook (ansible-core 2.14) runs it with the
// zonemgr collection, on the local global zone, or refuses it when it
// loads. It reads the file (an Ansible playbook, or for short a list of
// tasks or a mapping with vars and tasks) with Ansible's YAML 1.1
// scalars and a position for every error; resolves actions as Ansible
// does (a playbook names zonemgr's modules by their full name or lists
// illumos.zonemgr in its collections); templates values and evaluates
// conditions with package jinja, holding the variables, their Ansible
// precedence and their lazy rendering itself; runs zonemgr's modules
// in-process with the args JSON Ansible would write, and command and
// shell on this global zone; implements the builtins (debug, set_fact,
// fail, assert, meta, include_tasks, import_tasks) and the keywords
// (loops, register, when, until, block/rescue/always, handlers, tags,
// check_mode, environment, vars_files, ...) with Ansible's semantics and
// messages; and prints what ansible-playbook's default callback prints
// (or JSON lines), ending with the PLAY RECAP. What it does not run as
// ansible-playbook would (roles, lookups, become, delegation, other
// modules, ...) is an error when the file loads, at its position.
package play

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/textio"
	"github.com/zonemgr/zonemgr/modules"
	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

// The exit statuses of a run.
const (
	// ExitOK: every task succeeded, or its failure was ignored or rescued.
	ExitOK = 0
	// ExitError: the extra vars or the task file are invalid; no task
	// ran.
	ExitError = 1
	// ExitFailed: a task failed (or the run was interrupted).
	ExitFailed = 2
	// ExitUsage: the command line is wrong (an unknown option, not one
	// task file); no task ran. ansible-playbook exits 2 there too
	// (argparse's usage error).
	ExitUsage = 2
)

// Options are the options of `zonemgr play`.
type Options struct {
	// ExtraVars are the -e values: KEY=VALUE pairs, @FILE (a YAML
	// mapping) or an inline YAML/JSON mapping. Later ones win.
	ExtraVars []string
	// Check passes _ansible_check_mode to every module.
	Check bool
	// Diff passes _ansible_diff and shows the diffs of changed results.
	Diff bool
	// Verbosity is the count of -v: from 1, every result, and each
	// command a module runs on standard error; from 3, results indented
	// and with their invocation and diff.
	Verbosity int
	// JSON prints one JSON object per task and a summary, and nothing
	// else, on standard output.
	JSON bool
	// StartAtTask skips the tasks before the first whose name is, or
	// matches as a shell pattern, this one.
	StartAtTask string
	// ConfigFiles are extra zonemgr configuration files for the modules.
	ConfigFiles []string
	// Tags runs only the tasks with one of these tags (--tags); SkipTags
	// skips the tasks with one of these (--skip-tags). Each may hold
	// several, separated by commas. Ansible's special tags all, tagged,
	// untagged, always and never apply.
	Tags, SkipTags []string
}

// A Runner runs task files. The zero value (with Stdout and Stderr set)
// runs zonemgr's modules; tests give it other modules.
type Runner struct {
	Options
	// Modules are the modules tasks may name, by short name; nil means
	// zonemgr's (modules.All), each task's call made with its
	// own options.
	Modules map[string]*ansible.Module
	// Trace records the run for ZONEMGR_TRACE (nil: not traced).
	Trace  *modules.Trace
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the environment (NO_COLOR); nil means os.Getenv.
	Getenv func(string) string
	// Spawn runs a module whose task has an environment, as Ansible runs
	// a module's binary: in a process of its own, with the task's
	// environment over this process's, args as its args file; it returns
	// what the module printed and its exit status. nil means running this
	// program as "zonemgr module NAME ARGS.json". Tasks without an
	// environment run their module in-process. This process's own
	// environment is never changed.
	Spawn func(ctx context.Context, module string, args []byte, env map[string]string) (stdout []byte, code int, err error)
	// RunCommand runs the command of a command or shell task, and the
	// commands gather_facts reads the platform with; nil means starting
	// the program on this global zone, found through the search path
	// zonemgr finds its tools through.
	RunCommand func(ctx context.Context, c Command) (CommandResult, error)

	// now is the clock for durations; nil means time.Now.
	now func() time.Time
	// readFile reads task and vars files; nil means textio.ReadFile.
	readFile func(string) ([]byte, error)
}

const usage = `Usage: zonemgr play [OPTIONS] PLAYBOOK.yml

Run a playbook on this global zone as ansible-playbook (ansible-core 2.14)
runs it with the zonemgr collection: zonemgr's modules (zone_giz, zone_diz,
...) are called in-process, command and shell run here, and the output is
ansible-playbook's. What zonemgr play cannot run as ansible-playbook would
(roles, lookups, become, other modules, ...) is refused before anything runs,
at its file:line:column. PLAYBOOK.yml may also be a list of tasks, or a mapping
with vars and tasks. There is no inventory: every play runs on this global
zone, whatever its hosts pattern (a note says so when the pattern names other
hosts).

Options:
`

const exitStatus = `
Exit status:
  0  every task succeeded, or its failure was ignored or rescued
  1  invalid extra vars or task file (file:line:column: what is wrong)
  2  a task failed, or the run was interrupted; or invalid options (as
     ansible-playbook: nothing ran)
`

// Main runs `zonemgr play` with args, the words after "play", and returns
// the exit status; t is the run's trace (nil: none).
func Main(ctx context.Context, t *modules.Trace, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("zonemgr play", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	var o Options
	fs.StringArrayVarP(&o.ExtraVars, "extra-vars", "e", nil, "set variables: KEY=VALUE, @FILE.yml or a YAML/JSON mapping (repeatable)")
	fs.BoolVarP(&o.Check, "check", "C", false, "check mode: modules predict changes and make none")
	fs.BoolVarP(&o.Diff, "diff", "D", false, "show the differences changed results make")
	fs.CountVarP(&o.Verbosity, "verbose", "v", "show every result, and each command run on standard error (-vvv: with invocation)")
	fs.BoolVar(&o.JSON, "json", false, "print one JSON object per task and a summary object, nothing else")
	fs.StringVar(&o.StartAtTask, "start-at-task", "", "start at the first task whose name is (or matches) `NAME`")
	fs.StringArrayVarP(&o.Tags, "tags", "t", nil, "run only the tasks tagged with one of these `TAGS` (comma-separated, repeatable)")
	fs.StringArrayVar(&o.SkipTags, "skip-tags", nil, "skip the tasks tagged with one of these `TAGS` (comma-separated, repeatable)")
	fs.StringArrayVar(&o.ConfigFiles, "config", nil, "read an extra zonemgr configuration `FILE` (repeatable)")
	help := fs.BoolP("help", "h", false, "show this help")
	printUsage := func(w io.Writer) {
		_, _ = io.WriteString(w, usage+fs.FlagUsages()+exitStatus)
	}
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "zonemgr: error: play: %v\n", err)
		printUsage(stderr)
		return ExitUsage
	}
	if *help {
		printUsage(stdout)
		return ExitOK
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "zonemgr: error: play: expected one task file, got %d arguments\n", fs.NArg())
		printUsage(stderr)
		return ExitUsage
	}
	r := &Runner{Options: o, Stdout: stdout, Stderr: stderr, Trace: t}
	return r.Run(ctx, fs.Arg(0))
}

// Run runs the task file at path and returns the exit status: ExitOK,
// ExitFailed when a task failed, ExitError when the task file or the extra
// vars are invalid (reported on Stderr with their positions).
func (r *Runner) Run(ctx context.Context, path string) int {
	getenv := r.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	read := r.readFile
	if read == nil {
		read = textio.ReadFile
	}
	mods := r.Modules
	if mods == nil {
		mods = modules.Bind(modules.Options{})
	}
	stdout := r.Stdout
	if stdout == nil {
		stdout = io.Discard
	}
	stderr := r.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	d := &display{
		out:       &lineWriter{w: stdout},
		errw:      stderr,
		color:     !r.JSON && useColor(stdout, getenv),
		errColor:  useColor(stderr, getenv),
		json:      r.JSON,
		verbosity: r.Verbosity,
		diffMode:  r.Diff,
	}
	tc := &jinja.Cache{}
	extra, err := loadExtraVars(r.ExtraVars, read, tc)
	if err != nil {
		reportError(d, err)
		return ExitError
	}
	pb, err := loadFile(path, read, mods, tc)
	if err != nil {
		reportError(d, err)
		return ExitError
	}
	for _, w := range pb.warnings {
		d.warning(w)
	}
	startAt := newTaskPattern(r.StartAtTask)
	if r.StartAtTask != "" && !pb.hasTask(startAt) {
		d.errorf("--start-at-task: no task named %q in %s", r.StartAtTask, path)
		return ExitError
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		dir = filepath.Dir(path)
	}
	x := &run{
		r:        r,
		pb:       pb,
		tc:       tc,
		d:        d,
		tags:     splitTags(r.Tags),
		skipTags: splitTags(r.SkipTags),
		extra:    extra,
		facts:    jinja.NewDict(0),
		gathered: jinja.NewDict(0),
		playDir:  dir,
		started:  r.StartAtTask == "",
		startAt:  startAt,
	}
	return x.execute(ctx)
}

// reportError shows each error of a joined error on its own line.
func reportError(d *display, err error) {
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		for _, e := range joined.Unwrap() {
			reportError(d, e)
		}
		return
	}
	d.errorf("%v", err)
}

// splitTags reads --tags and --skip-tags: comma-separated names.
func splitTags(specs []string) []string {
	var out []string
	for _, s := range specs {
		for _, t := range strings.Split(s, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// loadExtraVars reads the -e values in order; later values win.
func loadExtraVars(specs []string, read func(string) ([]byte, error), tc *jinja.Cache) (*jinja.Dict, error) {
	out := jinja.NewDict(0)
	for _, spec := range specs {
		vars, err := extraVars(spec, read, tc)
		if err != nil {
			return nil, err
		}
		for k, v := range vars.All() {
			out.Set(k, v)
		}
	}
	return out, nil
}

// extraVars reads one -e value: @FILE (a YAML mapping), an inline YAML or
// JSON mapping, or KEY=VALUE pairs (string values).
func extraVars(spec string, read func(string) ([]byte, error), tc *jinja.Cache) (*jinja.Dict, error) {
	var name string
	var data []byte
	switch {
	case strings.HasPrefix(spec, "@"):
		name = spec[1:]
		b, err := read(name)
		if err != nil {
			return nil, fmt.Errorf("-e %s: read vars file: %w", spec, err)
		}
		data = b
	case strings.HasPrefix(strings.TrimSpace(spec), "{"):
		name = "-e " + spec
		data = []byte(spec)
	default:
		pairs, err := splitKV(spec, kindMeta)
		if err != nil {
			return nil, fmt.Errorf("-e %q: %w (expected KEY=VALUE, @FILE.yml or a mapping)", spec, err)
		}
		out := jinja.NewDict(len(pairs))
		for _, p := range pairs {
			if p.key == "_raw_params" {
				return nil, fmt.Errorf("-e %q: expected KEY=VALUE, @FILE.yml or a mapping", spec)
			}
			if !identifier.MatchString(p.key) {
				return nil, fmt.Errorf("-e %q: %q is not a valid variable name", spec, p.key)
			}
			out.Set(p.key, p.val)
		}
		return out, nil
	}
	doc, err := parseYAML(name, data)
	if err != nil {
		var fe *fileError
		switch {
		case !errors.As(err, &fe):
			return nil, err
		case fe.Empty:
			return jinja.NewDict(0), nil
		case !strings.HasPrefix(spec, "@"):
			return nil, fmt.Errorf("-e %q: %s", spec, fe.Msg)
		}
		return nil, err
	}
	l := &loader{tc: tc}
	l.conv = &yamlConverter{file: name, onString: l.checkTemplate}
	root := deref(doc)
	if root.Kind == 0 || (root.Kind == yaml.DocumentNode && len(root.Content) == 0) {
		return jinja.NewDict(0), nil
	}
	if root.Kind == yaml.DocumentNode {
		root = deref(root.Content[0])
	}
	vars := l.vars(root)
	if len(l.errs) > 0 {
		return nil, errors.Join(l.errs...)
	}
	return vars, nil
}
