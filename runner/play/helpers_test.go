package play

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/internal/ansible"
)

// echoModule returns what it was given: msg, value (any type), and the
// settings Ansible passes; changed, fail and rc make it change or fail;
// diff_before/diff_after give a diff; warn a warning, deprecate a
// deprecation.
var echoModule = &ansible.Module{
	Spec: ansible.Spec{
		Module:            "echo",
		SupportsCheckMode: true,
		Options: []ansible.Option{
			{Name: "msg", Aliases: []string{"message"}},
			{Name: "value", Type: ansible.TypeRaw},
			{Name: "changed", Type: ansible.TypeBool, Default: false},
			{Name: "fail", Type: ansible.TypeBool, Default: false},
			{Name: "rc", Type: ansible.TypeInt},
			{Name: "stdout"},
			{Name: "secret", NoLog: true},
			{Name: "diff_before"},
			{Name: "diff_after"},
			{Name: "warn"},
			{Name: "count", Type: ansible.TypeInt},
			{Name: "names", Type: ansible.TypeList, Elements: ansible.TypeStr},
			{Name: "deprecate"},
		},
	},
	Run: func(_ context.Context, p *ansible.Params) (*ansible.Result, error) {
		res := &ansible.Result{Changed: p.Bool("changed"), Failed: p.Bool("fail"), Msg: p.Str("msg")}
		if p.IsSet("value") {
			res.Set("value", p.Raw("value"))
		}
		if p.IsSet("count") {
			res.Set("count", p.Int("count"))
		}
		if p.IsSet("names") {
			res.Set("names", p.List("names"))
		}
		if p.IsSet("rc") {
			res.Set("rc", p.Int("rc"))
		}
		if p.IsSet("stdout") {
			res.Set("stdout", p.Str("stdout"))
		}
		if p.IsSet("diff_before") {
			res.Diff = ansible.Diff{Before: p.Str("diff_before"), After: p.Str("diff_after"), BeforeHeader: "zone z1", AfterHeader: "zone z1"}
		}
		if d := p.Str("deprecate"); d != "" {
			res.Set("deprecations", []any{map[string]any{"msg": d, "version": "2.0.0", "collection_name": "illumos.zonemgr"}})
		}
		if w := p.Str("warn"); w != "" {
			res.Warn("%s", w)
		}
		res.Set("settings", map[string]any{
			"check_mode": p.CheckMode, "diff": p.Diff, "no_log": p.NoLog,
			"verbosity": p.Verbosity, "module_name": p.ModuleName, "tmpdir_set": p.TmpDir != "",
		})
		return res, nil
	},
}

// breakModule fails as the zone modules do, with the failed command and
// its stderr.
var breakModule = &ansible.Module{
	Spec: ansible.Spec{Module: "break", SupportsCheckMode: true, Options: []ansible.Option{{Name: "name"}}},
	Run: func(_ context.Context, p *ansible.Params) (*ansible.Result, error) {
		return &ansible.Result{Changed: true}, &ansible.FailError{
			Msg:    "clone zone " + p.Str("name"),
			Values: map[string]any{"failed_command": []string{"zfs", "clone", "a@s", "b"}, "stderr": "cannot clone\n", "commands": []map[string]any{{"cmd": "zfs list"}}},
			Err:    errors.New("exit status 1"),
		}
	},
}

// nocheckModule does not support check mode.
var nocheckModule = &ansible.Module{
	Spec: ansible.Spec{Module: "nocheck", Options: []ansible.Option{{Name: "msg"}}},
	Run: func(_ context.Context, p *ansible.Params) (*ansible.Result, error) {
		return &ansible.Result{Changed: true, Msg: p.Str("msg")}, nil
	},
}

// getenvModule returns the process environment's values of names (null
// for a variable that is not set), as a module that runs in-process sees
// them.
var getenvModule = &ansible.Module{
	Spec: ansible.Spec{Module: "getenv", SupportsCheckMode: true, Options: []ansible.Option{{Name: "names", Type: ansible.TypeList, Elements: ansible.TypeStr}}},
	Run: func(_ context.Context, p *ansible.Params) (*ansible.Result, error) {
		env := map[string]any{}
		for _, n := range p.List("names") {
			if v, ok := os.LookupEnv(n); ok {
				env[n] = v
			} else {
				env[n] = nil
			}
		}
		res := &ansible.Result{}
		res.Set("env", env)
		return res, nil
	},
}

func testModules() map[string]*ansible.Module {
	return map[string]*ansible.Module{"echo": echoModule, "break": breakModule, "nocheck": nocheckModule, "getenv": getenvModule}
}

// files serves task and vars files from memory.
type files map[string]string

func (f files) read(name string) ([]byte, error) {
	s, ok := f[name]
	if !ok {
		return nil, &os.PathError{Op: "open", Path: name, Err: os.ErrNotExist}
	}
	return []byte(s), nil
}

// fixedClock is a clock that advances step on every reading.
func fixedClock(step time.Duration) func() time.Time {
	t := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return func() time.Time {
		t = t.Add(step)
		return t
	}
}

// playResult is what one run printed.
type playResult struct {
	code           int
	stdout, stderr string
}

// runPlay runs the task file text as tasks.yml with the test modules and
// a clock that does not move; the working directory is left out of what
// it printed.
func runPlay(t *testing.T, text string, o Options, extra files) playResult {
	t.Helper()
	fs := files{"tasks.yml": text}
	for k, v := range extra {
		fs[k] = v
	}
	var stdout, stderr bytes.Buffer
	mods := testModules()
	r := &Runner{
		Options:    o,
		Modules:    mods,
		Stdout:     &stdout,
		Stderr:     &stderr,
		Getenv:     func(string) string { return "" },
		Spawn:      spawnInTest(mods),
		RunCommand: fakeCommand,
		now:        fixedClock(0),
		readFile:   fs.read,
	}
	code := r.Run(context.Background(), "tasks.yml")
	// Ansible's messages name files by their whole path: the tests'
	// files are in the working directory.
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	clean := func(s string) string { return strings.ReplaceAll(s, wd+string(os.PathSeparator), "") }
	return playResult{code, clean(stdout.String()), clean(stderr.String())}
}

// fakeCommand runs the few commands the tests' command and shell tasks
// and gather_facts run, without starting a process: echo, true, false,
// uname (as an illumos global zone), and /bin/sh -c over a script of
// those separated by ";" (echo may send its line to >&2).
func fakeCommand(_ context.Context, c Command) (CommandResult, error) {
	var res CommandResult
	run := func(argv []string) {
		if len(argv) == 0 {
			return
		}
		switch argv[0] {
		case "echo":
			out := &res.Stdout
			if n := len(argv); n > 1 && argv[n-1] == ">&2" {
				out, argv = &res.Stderr, argv[:n-1]
			}
			*out = append(*out, strings.Join(argv[1:], " ")+"\n"...)
			res.RC = 0
		case "true":
			res.RC = 0
		case "false":
			res.RC = 1
		case "uname":
			res.Stdout = append(res.Stdout, map[string]string{"-s": "SunOS", "-r": "5.11", "-v": "omnios-r151050", "-m": "i86pc", "-n": "gz1.example"}[argv[1]]+"\n"...)
		default:
			res.Stderr = append(res.Stderr, argv[0]+": not found\n"...)
			res.RC = 127
		}
	}
	if len(c.Argv) == 3 && c.Argv[0] == "/bin/sh" && c.Argv[1] == "-c" {
		for _, cmd := range strings.Split(c.Argv[2], ";") {
			run(strings.Fields(cmd))
		}
		return res, nil
	}
	run(c.Argv)
	return res, nil
}

// taskLines returns the status lines of the output: those that are not
// banners, blank, or the recap.
func taskLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if l == "" || strings.HasSuffix(l, "***") || strings.HasPrefix(l, "localhost ") {
			continue
		}
		lines = append(lines, l)
	}
	return lines
}

// spawnInTest stands for the process a task with an environment runs its
// module in: the test modules live in the test binary only, so it runs
// the module here, with the task's environment set in this (test)
// process for the call, and put back after.
func spawnInTest(mods map[string]*ansible.Module) func(context.Context, string, []byte, map[string]string) ([]byte, int, error) {
	return func(ctx context.Context, module string, args []byte, env map[string]string) ([]byte, int, error) {
		m := mods[module]
		if m == nil {
			for _, mm := range mods {
				if mm.Spec.Module == module {
					m = mm
				}
			}
		}
		old := map[string]*string{}
		for k, v := range env {
			if prev, ok := os.LookupEnv(k); ok {
				old[k] = &prev
			} else {
				old[k] = nil
			}
			os.Setenv(k, v)
		}
		defer func() {
			for k, v := range old {
				if v == nil {
					os.Unsetenv(k)
				} else {
					os.Setenv(k, *v)
				}
			}
		}()
		out, code := ansible.Invoke(ctx, m, args)
		return out, code, nil
	}
}
