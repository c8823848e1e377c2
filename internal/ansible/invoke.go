package ansible

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"reflect"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/zonemgr/zonemgr/internal/jsonv"
)

// A Module is one Ansible module: its argument spec and the function that
// does its work. Run gets validated Params; it returns a Result, or an
// error, which fails the module with the error's text as msg (plus the
// values of a [FailError] in the chain, and the changed flag, diff and
// values of a Result returned with it). A Result with Failed set fails it
// too. A panic in Run fails the module; it does not crash it.
type Module struct {
	Spec Spec
	Run  func(ctx context.Context, p *Params) (*Result, error)
}

// Invoke runs the whole module protocol in-process on the args JSON
// object: it parses and validates the args, skips a module that does not
// support check mode when in check mode, runs the module, recovers a
// panic, masks no_log values, and encodes exactly one JSON object on one
// line. exitCode is 0 on success and 1 when the module failed, which
// includes a result with a non-zero rc. The task runner calls it
// directly; [Main] calls it for module binaries.
func Invoke(ctx context.Context, m *Module, args []byte) (out []byte, exitCode int) {
	if m == nil {
		return failureJSON("invoke: no module"), 1
	}
	p, res := runModule(ctx, m, args)
	return render(m, p, res)
}

// runModule parses the args and runs the module. p is nil when the args
// are not a JSON object.
func runModule(ctx context.Context, m *Module, args []byte) (p *Params, res *Result) {
	defer func() {
		if v := recover(); v != nil {
			res = &Result{
				Failed: true,
				Msg:    fmt.Sprintf("module %s panicked: %v", m.Spec.Module, v),
				Values: map[string]any{"exception": string(debug.Stack())},
			}
		}
	}()
	p, err := m.Spec.parse(args)
	if err != nil {
		return p, &Result{Failed: true, Msg: err.Error()}
	}
	if p.CheckMode && !m.Spec.SupportsCheckMode {
		name := p.ModuleName
		if name == "" {
			name = m.Spec.Module
		}
		return p, &Result{Skipped: true, Msg: fmt.Sprintf("remote module (%s) does not support check mode", name)}
	}
	if m.Run == nil {
		return p, &Result{Failed: true, Msg: fmt.Sprintf("module %s has no Run function", m.Spec.Module)}
	}
	res, err = m.Run(ctx, p)
	switch {
	case err != nil:
		res = failedResult(res, err)
	case res == nil:
		res = &Result{}
	}
	return p, res
}

// render builds the result object and encodes it.
func render(m *Module, p *Params, res *Result) ([]byte, int) {
	obj := res.Object()
	failed := obj["failed"] == true
	if failed && obj["msg"] == "" {
		obj["msg"] = fmt.Sprintf("module %s failed", m.Spec.Module)
	}
	var secrets []string
	if p != nil {
		secrets = p.noLog
		if p.Diff && !isNil(res.Diff) {
			obj["diff"] = res.Diff
		}
		if !p.NoLog {
			obj["invocation"] = map[string]any{"module_args": p.maskedArgs()}
		}
		if len(p.Warnings) > 0 {
			obj["warnings"] = append(append([]string(nil), p.Warnings...), res.Warnings...)
		}
	}
	code := 0
	if failed {
		code = 1
	}
	out, err := encodeMasked(obj, secrets)
	if err != nil {
		fallback := map[string]any{
			"changed": res.Changed,
			"failed":  true,
			"msg":     maskString(fmt.Sprintf("module %s: encode result: %v", m.Spec.Module, err), secrets),
		}
		out, _ = encodeJSON(fallback)
		code = 1
	}
	return out, code
}

// encodeMasked encodes obj, masking the secrets in every string of it.
func encodeMasked(obj map[string]any, secrets []string) ([]byte, error) {
	out, err := encodeJSON(obj)
	if err != nil || len(secrets) == 0 {
		return out, err
	}
	v, err := jsonv.Decode(out)
	if err != nil {
		return nil, err
	}
	return encodeJSON(maskValue(v, secrets))
}

// encodeJSON encodes v on one line with a trailing newline, without HTML
// escaping.
func encodeJSON(v any) ([]byte, error) {
	b, err := jsonv.Append(nil, v, false)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// failureJSON is the result of a call that never reached the module.
func failureJSON(msg string) []byte {
	out, _ := encodeJSON(map[string]any{"changed": false, "failed": true, "msg": msg})
	return out
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// Main runs a module binary: with one argument, the path of the JSON args
// file Ansible writes; with none, the args JSON on standard input;
// with --help (or -h), the module's help. It writes exactly one JSON
// object to standard output and returns the exit status for os.Exit:
// 0 on success (and for --help), 1 when the module failed. SIGINT and
// SIGTERM cancel the context the module runs with.
func Main(m *Module) int {
	return MainContext(context.Background(), m)
}

// MainContext is [Main] with a parent context for the module run.
func MainContext(ctx context.Context, m *Module) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return mainArgs(ctx, m, os.Args[1:], os.Stdin, os.Stdout)
}

// MainArgs is [MainContext] with its arguments (the args file, or none
// for standard input), input and output given, for a program that runs
// a module among other things.
func MainArgs(ctx context.Context, m *Module, args []string, stdin io.Reader, stdout io.Writer) int {
	return mainArgs(ctx, m, args, stdin, stdout)
}

// mainArgs is Main with its inputs and output given.
func mainArgs(ctx context.Context, m *Module, args []string, stdin io.Reader, stdout io.Writer) int {
	if m == nil {
		_, _ = stdout.Write(failureJSON("main: no module"))
		return 1
	}
	if len(args) == 1 && (args[0] == "--help" || args[0] == "-h") {
		if _, err := io.WriteString(stdout, m.Spec.Help()); err != nil {
			return 1
		}
		return 0
	}
	var raw []byte
	var err error
	switch len(args) {
	case 0:
		raw, err = readArgs(stdin, "standard input")
		if err == nil && len(bytes.TrimSpace(raw)) == 0 {
			err = fmt.Errorf("no module args: give the path of a JSON args file, or the JSON on standard input (see %s --help)", m.Spec.Module)
		}
	case 1:
		if strings.HasPrefix(args[0], "-") {
			err = fmt.Errorf("unknown option %s: %s takes the path of a JSON args file (or the JSON on standard input), or --help", args[0], m.Spec.Module)
			break
		}
		raw, err = readArgsFile(args[0])
	default:
		err = fmt.Errorf("usage: %s [ARGS_FILE]: got %d arguments (see %s --help)", m.Spec.Module, len(args), m.Spec.Module)
	}
	var out []byte
	code := 1
	if err != nil {
		out = failureJSON(err.Error())
	} else {
		out, code = Invoke(ctx, m, raw)
	}
	if _, err := stdout.Write(out); err != nil {
		return 1
	}
	return code
}

// readArgsFile reads the args file at path, refusing an empty one or one
// larger than MaxArgsSize.
func readArgsFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read args file: %w", err)
	}
	defer f.Close()
	raw, err := readArgs(f, "args file "+path)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, fmt.Errorf("args file %s is empty, want a JSON object", path)
	}
	return raw, nil
}

// readArgs reads at most MaxArgsSize bytes from r, named what in errors.
func readArgs(r io.Reader, what string) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxArgsSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	if len(raw) > MaxArgsSize {
		return nil, fmt.Errorf("read %s: larger than the %d-byte limit", what, MaxArgsSize)
	}
	return raw, nil
}
