package ansible

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testModule makes a module of testSpec with the given Run.
func testModule(run func(ctx context.Context, p *Params) (*Result, error)) *Module {
	return &Module{Spec: testSpec(), Run: run}
}

// decodeOne checks that out is exactly one JSON object on one line and
// returns it.
func decodeOne(t *testing.T, out []byte) map[string]any {
	t.Helper()
	if !bytes.HasSuffix(out, []byte("\n")) || bytes.Count(out, []byte("\n")) != 1 {
		t.Fatalf("output is not one line with a trailing newline: %q", out)
	}
	var obj map[string]any
	if err := json.Unmarshal(out, &obj); err != nil {
		t.Fatalf("output is not a JSON object: %v: %s", err, out)
	}
	return obj
}

func TestInvokeSuccessOutput(t *testing.T) {
	m := testModule(func(ctx context.Context, p *Params) (*Result, error) {
		r := &Result{Changed: true, Msg: "zone " + p.Str("name") + " <created> & booted"}
		r.Set("zone", p.Str("name")).Set("rc", 0).Set("_ansible_secret", "dropped")
		r.Diff = Diff{Before: "state: absent\n", After: "state: present\n", BeforeHeader: "zone z1", AfterHeader: "zone z1"}
		r.Warn("autoboot is %s", "off")
		return r, nil
	})
	out, code := Invoke(context.Background(), m, []byte(`{"name": "z1", "_ansible_diff": true}`))
	want := `{"changed":true,` +
		`"diff":{"before":"state: absent\n","after":"state: present\n","before_header":"zone z1","after_header":"zone z1"},` +
		`"failed":false,"invocation":{"module_args":{"autoboot":false,"autovnic":null,"boot_timeout":300,"cpus":null,` +
		`"extra":null,"features":null,"giz":null,"labels":null,"limits":null,"mounts":null,"name":"z1",` +
		`"password":null,"ratio":null,"source":null,"state":"present","tags":null,"zonepath":null}},` +
		`"msg":"zone z1 <created> & booted","rc":0,"warnings":["autoboot is off"],"zone":"z1"}` + "\n"
	if string(out) != want {
		t.Errorf("output\n got %s\nwant %s", out, want)
	}
	if code != 0 {
		t.Errorf("exit code = %d, want 0", code)
	}
}

func TestInvokeResults(t *testing.T) {
	errBoom := errors.New("zoneadm: zone z1: not found")
	tests := []struct {
		name     string
		args     string
		run      func(ctx context.Context, p *Params) (*Result, error)
		wantCode int
		want     map[string]any // keys checked; nil value means absent
	}{
		{
			name: "unchanged",
			run:  func(context.Context, *Params) (*Result, error) { return &Result{Msg: "ok"}, nil },
			want: map[string]any{"changed": false, "failed": false, "msg": "ok", "skipped": nil, "warnings": nil, "diff": nil},
		},
		{
			name: "nil result",
			run:  func(context.Context, *Params) (*Result, error) { return nil, nil },
			want: map[string]any{"changed": false, "failed": false, "msg": ""},
		},
		{
			name:     "error",
			run:      func(context.Context, *Params) (*Result, error) { return nil, fmt.Errorf("boot zone z1: %w", errBoom) },
			wantCode: 1,
			want:     map[string]any{"changed": false, "failed": true, "msg": "boot zone z1: zoneadm: zone z1: not found"},
		},
		{
			name: "wrapped FailError with a result",
			run: func(context.Context, *Params) (*Result, error) {
				fe := &FailError{Msg: "clone failed", Err: errBoom, Values: map[string]any{"cmd": []string{"zfs", "clone"}, "stderr": "no space"}}
				return (&Result{Changed: true}).Set("cleaned_up", true), fmt.Errorf("create zone z1: %w", fe)
			},
			wantCode: 1,
			want: map[string]any{"changed": true, "failed": true, "cleaned_up": true, "stderr": "no space",
				"cmd": []any{"zfs", "clone"}, "msg": "create zone z1: clone failed: zoneadm: zone z1: not found"},
		},
		{
			name: "failed result",
			run: func(context.Context, *Params) (*Result, error) {
				return &Result{Failed: true, Msg: "zone is busy"}, nil
			},
			wantCode: 1,
			want:     map[string]any{"failed": true, "msg": "zone is busy"},
		},
		{
			name:     "failed result without msg",
			run:      func(context.Context, *Params) (*Result, error) { return &Result{Failed: true}, nil },
			wantCode: 1,
			want:     map[string]any{"failed": true, "msg": "module zone_test failed"},
		},
		{
			name:     "non-zero rc",
			run:      func(context.Context, *Params) (*Result, error) { return (&Result{Changed: true}).Set("rc", 2), nil },
			wantCode: 1,
			want:     map[string]any{"changed": true, "failed": true, "rc": 2.0, "msg": "non-zero return code"},
		},
		{
			name: "non-zero rc with msg",
			run: func(context.Context, *Params) (*Result, error) {
				return (&Result{Msg: "make failed"}).Set("rc", "2"), nil
			},
			wantCode: 1,
			want:     map[string]any{"failed": true, "rc": "2", "msg": "make failed"},
		},
		{
			name: "zero rc as string",
			run:  func(context.Context, *Params) (*Result, error) { return (&Result{}).Set("rc", "0"), nil },
			want: map[string]any{"failed": false, "rc": "0"},
		},
		{
			name:     "panic",
			run:      func(context.Context, *Params) (*Result, error) { var m map[string]int; m["x"] = 1; return nil, nil },
			wantCode: 1,
			want:     map[string]any{"changed": false, "failed": true, "msg": "module zone_test panicked: assignment to entry in nil map"},
		},
		{
			name:     "panic with a value",
			run:      func(context.Context, *Params) (*Result, error) { panic(errBoom) },
			wantCode: 1,
			want:     map[string]any{"failed": true, "msg": "module zone_test panicked: zoneadm: zone z1: not found"},
		},
		{
			name: "unencodable value",
			run: func(context.Context, *Params) (*Result, error) {
				return (&Result{Changed: true}).Set("ratio", math.NaN()), nil
			},
			wantCode: 1,
			want: map[string]any{"changed": true, "failed": true, "invocation": nil, "ratio": nil,
				"msg": "module zone_test: encode result: json: unsupported value: NaN"},
		},
		{
			name: "diff without diff mode",
			run: func(context.Context, *Params) (*Result, error) {
				return &Result{Changed: true, Diff: Diff{Before: "a", After: "b"}}, nil
			},
			want: map[string]any{"changed": true, "diff": nil},
		},
		{
			name: "diff mode, list of diffs",
			args: `{"name": "z1", "_ansible_diff": true}`,
			run: func(context.Context, *Params) (*Result, error) {
				return &Result{Changed: true, Diff: []Diff{{Before: "a", After: "b"}, {Before: map[string]any{"x": 1}, After: nil}}}, nil
			},
			want: map[string]any{"diff": []any{
				map[string]any{"before": "a", "after": "b"},
				map[string]any{"before": map[string]any{"x": 1.0}, "after": nil},
			}},
		},
		{
			name: "diff mode, nil diff pointer",
			args: `{"name": "z1", "_ansible_diff": true}`,
			run:  func(context.Context, *Params) (*Result, error) { return &Result{Diff: (*Diff)(nil)}, nil },
			want: map[string]any{"diff": nil},
		},
		{
			name: "warnings of parse and run",
			args: `{"name": 7}`,
			run: func(context.Context, *Params) (*Result, error) {
				return &Result{Warnings: []string{"zone 7 is old"}}, nil
			},
			want: map[string]any{"warnings": []any{
				`The value "name: 7" (type int) was converted to "name: '7'" (type string). If this does not look like what you expect, quote the entire value to ensure it does not change.`,
				"zone 7 is old",
			}},
		},
		{
			name: "skipped",
			run: func(context.Context, *Params) (*Result, error) {
				return &Result{Skipped: true, Msg: "nothing to do"}, nil
			},
			want: map[string]any{"skipped": true, "failed": false, "msg": "nothing to do"},
		},
		{
			name: "task no_log drops the invocation",
			args: `{"name": "z1", "_ansible_no_log": true}`,
			run:  func(context.Context, *Params) (*Result, error) { return &Result{}, nil },
			want: map[string]any{"invocation": nil, "failed": false},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if args == "" {
				args = `{"name": "z1"}`
			}
			out, code := Invoke(context.Background(), testModule(tt.run), []byte(args))
			obj := decodeOne(t, out)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d (%s)", code, tt.wantCode, out)
			}
			for k, want := range tt.want {
				got, ok := obj[k]
				if want == nil {
					if ok {
						t.Errorf("%s = %#v, want absent", k, got)
					}
					continue
				}
				if !ok || !jsonEqual(got, want) {
					t.Errorf("%s = %#v, want %#v", k, got, want)
				}
			}
			for k := range obj {
				if strings.HasPrefix(k, "_ansible_") {
					t.Errorf("result has internal key %s", k)
				}
			}
		})
	}
}

func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func TestInvokePanicHasException(t *testing.T) {
	m := testModule(func(context.Context, *Params) (*Result, error) { panic("boom") })
	out, code := Invoke(context.Background(), m, []byte(`{"name": "z1"}`))
	obj := decodeOne(t, out)
	exc, _ := obj["exception"].(string)
	if code != 1 || obj["msg"] != "module zone_test panicked: boom" || !strings.Contains(exc, "goroutine") {
		t.Errorf("panic result (exit %d): %s", code, out)
	}
	inv, _ := obj["invocation"].(map[string]any)
	if args, _ := inv["module_args"].(map[string]any); args["name"] != "z1" {
		t.Errorf("panic result lacks the invocation: %s", out)
	}
}

func TestInvokeBadArgs(t *testing.T) {
	called := false
	m := testModule(func(context.Context, *Params) (*Result, error) { called = true; return &Result{}, nil })
	tests := []struct {
		name string
		args []byte
		want string
	}{
		{"empty", nil, `{"changed":false,"failed":true,"msg":"module args: empty, want a JSON object"}`},
		{"bad JSON", []byte(`{"name": "z1",}`), `{"changed":false,"failed":true,"msg":"module args: invalid JSON: unexpected '}', want a string naming an object member at line 1, column 15"}`},
		{"non-object", []byte(`["z1"]`), `{"changed":false,"failed":true,"msg":"module args: top-level JSON value is an array, want an object"}`},
		{"huge", hugeArgs(10 << 20), `{"changed":false,"failed":true,"msg":"module args: 10485760 bytes, more than the 4194304-byte limit"}`},
		{"invalid values", []byte(`{"name": "z1", "state": "bogus", "password": "pw", "bogus": 1}`),
			`{"changed":false,"failed":true,"invocation":{"module_args":{"autoboot":false,"autovnic":null,` +
				`"boot_timeout":300,"cpus":null,"extra":null,"features":null,"giz":null,"labels":null,"limits":null,` +
				`"mounts":null,"name":"z1","password":"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER","ratio":null,"source":null,` +
				`"state":"bogus","tags":null,"zonepath":null}},"msg":"state: value \"bogus\" is not one of: present, absent, running; ` +
				`Unsupported parameters for (zone_test) module: bogus. Supported parameters include: ` + supportedTestParams + `."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, code := Invoke(context.Background(), m, tt.args)
			if got := strings.TrimSuffix(string(out), "\n"); got != tt.want {
				t.Errorf("output\n got %s\nwant %s", got, tt.want)
			}
			if code != 1 {
				t.Errorf("exit code = %d, want 1", code)
			}
		})
	}
	if called {
		t.Error("Run was called with bad args")
	}
}

func TestInvokeCheckMode(t *testing.T) {
	var sawCheck bool
	run := func(_ context.Context, p *Params) (*Result, error) {
		sawCheck = p.CheckMode
		return &Result{Changed: true, Msg: "would create"}, nil
	}
	m := testModule(run)
	out, code := Invoke(context.Background(), m, []byte(`{"name": "z1", "_ansible_check_mode": true}`))
	if obj := decodeOne(t, out); code != 0 || !sawCheck || obj["changed"] != true || obj["msg"] != "would create" {
		t.Errorf("supported check mode: exit %d, CheckMode seen %v: %s", code, sawCheck, out)
	}

	called := false
	m = testModule(func(context.Context, *Params) (*Result, error) { called = true; return &Result{Changed: true}, nil })
	m.Spec.SupportsCheckMode = false
	for _, tt := range []struct{ args, name string }{
		{`{"name": "z1", "_ansible_check_mode": true}`, "zone_test"},
		{`{"name": "z1", "_ansible_check_mode": true, "_ansible_module_name": "acme.zones.zone_test"}`, "acme.zones.zone_test"},
	} {
		out, code = Invoke(context.Background(), m, []byte(tt.args))
		obj := decodeOne(t, out)
		want := "remote module (" + tt.name + ") does not support check mode"
		if code != 0 || obj["skipped"] != true || obj["changed"] != false || obj["failed"] != false || obj["msg"] != want {
			t.Errorf("unsupported check mode: exit %d: %s", code, out)
		}
	}
	if called {
		t.Error("Run was called in check mode without support")
	}
	// Invalid args fail before check mode skips, as in AnsibleModule.
	out, code = Invoke(context.Background(), m, []byte(`{"_ansible_check_mode": true}`))
	if obj := decodeOne(t, out); code != 1 || obj["msg"] != "name: required" {
		t.Errorf("check mode with invalid args: exit %d: %s", code, out)
	}
}

func TestInvokeNoLogMasking(t *testing.T) {
	m := testModule(func(_ context.Context, p *Params) (*Result, error) {
		pw := p.Str("password")
		r := (&Result{Changed: true}).Set("echo", pw).Set("cmd", "chpasswd root:"+pw).Set("pin", 4711).Set("key", p.Sub("limits").Str("key"))
		r.Warn("password %s is weak", pw)
		return r, errors.New("login with " + pw + " refused")
	})
	args := `{"name": "z1", "password": "hunter2", "limits": {"key": "4711", "mem": "1G"}}`
	out, code := Invoke(context.Background(), m, []byte(args))
	if code != 1 {
		t.Errorf("exit code = %d, want 1", code)
	}
	if bytes.Contains(out, []byte("hunter2")) || bytes.Contains(out, []byte("4711")) {
		t.Fatalf("output leaks a no_log value: %s", out)
	}
	obj := decodeOne(t, out)
	want := map[string]any{
		"echo":     noLogPlaceholder,
		"cmd":      "chpasswd root:********",
		"pin":      noLogPlaceholder,
		"key":      noLogPlaceholder,
		"msg":      "login with ******** refused",
		"warnings": []any{"password ******** is weak"},
	}
	for k, w := range want {
		if !jsonEqual(obj[k], w) {
			t.Errorf("%s = %#v, want %#v", k, obj[k], w)
		}
	}
	inv := obj["invocation"].(map[string]any)["module_args"].(map[string]any)
	if inv["password"] != noLogPlaceholder || inv["name"] != "z1" {
		t.Errorf("invocation: %v", inv)
	}
	if l := inv["limits"].(map[string]any); l["key"] != noLogPlaceholder || l["mem"] != "1G" {
		t.Errorf("invocation limits: %v", l)
	}
}

// TestInvokeNoLogTypeErrors: a no_log value of the wrong type is named
// in the error by its JSON type only, however long it is and whatever
// it holds (a value cut or quoted in a message would escape masking).
func TestInvokeNoLogTypeErrors(t *testing.T) {
	m := testModule(func(context.Context, *Params) (*Result, error) { return &Result{}, nil })
	long := "correct-horse-battery-staple-correct-horse-battery-staple-0123456789"
	for _, tc := range []struct{ args, msg string }{
		{`{"name": "z", "password": ["` + long + `"]}`, "password: an array is not a str"},
		{`{"name": "z", "password": {"k": "pa\"ss-w0rd"}}`, "password: an object is not a str"},
		{`{"name": "z", "limits": {"key": ["pa\\ss"]}}`, "limits.key: an array is not a str"},
	} {
		out, code := Invoke(context.Background(), m, []byte(tc.args))
		if obj := decodeOne(t, out); code != 1 || obj["msg"] != tc.msg {
			t.Errorf("%s: exit %d, msg %q, want %q", tc.args, code, obj["msg"], tc.msg)
		}
		for _, frag := range []string{"correct-horse", "w0rd", "pa\\"} {
			if bytes.Contains(out, []byte(frag)) {
				t.Errorf("%s: the result shows %q: %s", tc.args, frag, out)
			}
		}
	}
}

func TestMainArgs(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("args", []byte(`{"name": "z1", "_ansible_check_mode": false}`))
	empty := write("empty", nil)
	huge := write("huge", hugeArgs(10<<20))
	notObject := write("list", []byte(`[1, 2]`))
	m := testModule(func(_ context.Context, p *Params) (*Result, error) {
		return &Result{Msg: "hello " + p.Str("name")}, nil
	})

	tests := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		wantMsg  string
	}{
		{"args file", []string{good}, "", 0, "hello z1"},
		{"stdin", nil, `{"name": "z2"}`, 0, "hello z2"},
		{"missing file", []string{filepath.Join(dir, "nope")}, "", 1,
			"read args file: open " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"directory", []string{dir}, "", 1, "read args file " + dir + ": read " + dir + ": is a directory"},
		{"empty file", []string{empty}, "", 1, "args file " + empty + " is empty, want a JSON object"},
		{"huge file", []string{huge}, "", 1, "read args file " + huge + ": larger than the 4194304-byte limit"},
		{"non-object", []string{notObject}, "", 1, "module args: top-level JSON value is an array, want an object"},
		{"empty stdin", nil, "", 1, "no module args: give the path of a JSON args file, or the JSON on standard input (see zone_test --help)"},
		{"two args", []string{good, good}, "", 1, "usage: zone_test [ARGS_FILE]: got 2 arguments (see zone_test --help)"},
		{"an unknown option", []string{"--bogus"}, "", 1, "unknown option --bogus: zone_test takes the path of a JSON args file (or the JSON on standard input), or --help"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout bytes.Buffer
			code := mainArgs(context.Background(), m, tt.args, strings.NewReader(tt.stdin), &stdout)
			obj := decodeOne(t, stdout.Bytes())
			if code != tt.wantCode || obj["msg"] != tt.wantMsg {
				t.Errorf("exit %d, output %s; want exit %d, msg %q", code, stdout.Bytes(), tt.wantCode, tt.wantMsg)
			}
			if failed := obj["failed"] == true; failed != (tt.wantCode == 1) {
				t.Errorf("failed = %v with exit %d", obj["failed"], code)
			}
		})
	}

	for _, flag := range []string{"--help", "-h"} {
		var stdout bytes.Buffer
		s := testSpec()
		if code := mainArgs(context.Background(), m, []string{flag}, strings.NewReader(""), &stdout); code != 0 || stdout.String() != s.Help() {
			t.Errorf("%s: exit %d, output %q", flag, code, stdout.String())
		}
	}
}

// TestInvocationKeepsAliases: an option given by an alias is in
// invocation.module_args under the alias and under its name, as
// Ansible's validated parameters are; a no_log one masked under both.
func TestInvocationKeepsAliases(t *testing.T) {
	m := &Module{
		Spec: Spec{Module: "m", Options: []Option{{Name: "name", Aliases: []string{"zone"}}, {Name: "pw", Aliases: []string{"password"}, NoLog: true}, {Name: "state", Default: "present"}}},
		Run:  func(context.Context, *Params) (*Result, error) { return &Result{}, nil },
	}
	out, code := Invoke(context.Background(), m, []byte(`{"zone": "z1", "password": "sekrit"}`))
	inv, _ := decodeOne(t, out)["invocation"].(map[string]any)
	args, _ := inv["module_args"].(map[string]any)
	want := map[string]any{"zone": "z1", "name": "z1", "password": noLogPlaceholder, "pw": noLogPlaceholder, "state": "present"}
	if code != 0 || !jsonEqual(args, want) || bytes.Contains(out, []byte("sekrit")) {
		t.Errorf("exit %d, module_args %v, want %v: %s", code, args, want, out)
	}
}
