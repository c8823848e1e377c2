package play

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/config"
	"github.com/zonemgr/zonemgr/internal/zone"
	"github.com/zonemgr/zonemgr/modules"
	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

// config returns the zonemgr configuration for the modules run
// in-process, loaded the first time it is needed.
func (x *run) config() (*config.Config, []string, error) {
	if x.cfg == nil {
		cfg, warns, err := config.Load(config.LoadOptions{Extra: x.r.ConfigFiles})
		if err != nil {
			return nil, nil, err
		}
		x.cfg = cfg
		for _, w := range warns {
			x.cfgWarnings = append(x.cfgWarnings, w.String())
		}
	}
	return x.cfg, x.cfgWarnings, nil
}

// moduleArgs is the args JSON Ansible writes for a module: the task's
// options, then Ansible's internal settings.
func (x *run) moduleArgs(t *task, args *jinja.Dict, tmp string, check, diff, noLog bool) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	n := 0
	add := func(k string, v any) error {
		b, err := marshalJSON(jinja.Plain(v))
		if err != nil {
			return fmt.Errorf("option %s: %w", k, err)
		}
		if n > 0 {
			buf.WriteString(", ")
		}
		kb, _ := marshalJSON(k)
		buf.Write(kb)
		buf.WriteString(": ")
		buf.Write(b)
		n++
		return nil
	}
	for k, v := range args.All() {
		if err := add(k, v); err != nil {
			return nil, err
		}
	}
	internal := []struct {
		k string
		v any
	}{
		{"_ansible_check_mode", check},
		{"_ansible_no_log", noLog},
		{"_ansible_debug", false},
		{"_ansible_diff", diff},
		{"_ansible_verbosity", x.r.Verbosity},
		{"_ansible_version", ansibleVersion},
		{"_ansible_module_name", t.action},
		{"_ansible_syslog_facility", "LOG_USER"},
		{"_ansible_selinux_special_fs", []any{"fuse", "nfs", "vboxsf", "ramfs", "9p", "vfat"}},
		{"_ansible_string_conversion_action", "warn"},
		{"_ansible_socket", nil},
		{"_ansible_shell_executable", "/bin/sh"},
		{"_ansible_keep_remote_files", false},
		{"_ansible_tmpdir", tmp + string(filepath.Separator)},
		{"_ansible_remote_tmp", "~/.ansible/tmp"},
	}
	for _, kv := range internal {
		if err := add(kv.k, kv.v); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// runModule calls a module in-process, with the args JSON Ansible would
// write, and judges its output as Ansible does; a task with an
// environment runs its module in a process of its own (see Spawn).
func (x *run) runModule(ctx context.Context, t *task, args *jinja.Dict, env map[string]string, check, diff, noLog bool) outcome {
	tmp, err := os.MkdirTemp("", "zonemgr-play-")
	if err != nil {
		return failedOutcome(fmt.Sprintf("make module temp dir: %v", err))
	}
	defer os.RemoveAll(tmp)
	argsJSON, err := x.moduleArgs(t, args, tmp, check, diff, noLog)
	if err != nil {
		return failedOutcome(err.Error())
	}
	opts := modules.Options{Stdout: io.Discard, Stderr: io.Discard}
	if len(env) == 0 {
		// Loaded once for the tasks run in-process; a task with an
		// environment loads its own, in its own process.
		cfg, warns, err := x.config()
		if err != nil {
			return failedOutcome(err.Error())
		}
		opts.Config, opts.ConfigWarnings = cfg, warns
	}
	if !noLog {
		opts.Stdout, opts.Stderr = x.d.liveOut(), x.d.liveErr()
		opts.OnCommand = func(e zone.CommandRecord) { x.d.command(e.String()) }
	}
	var out []byte
	var code int
	if len(env) == 0 {
		m := t.module
		if x.r.Modules == nil {
			// zonemgr's own module, called with this task's options.
			opts.Trace = x.r.Trace
			m = modules.All()[m.Spec.Module].Bind(modules.NewCaller(opts))
		}
		out, code = ansible.Invoke(ctx, m, argsJSON)
	} else {
		spawn := x.r.Spawn
		if spawn == nil {
			spawn = x.spawnSelf
		}
		var err error
		if out, code, err = spawn(ctx, t.module.Spec.Module, argsJSON, env); err != nil {
			return failedOutcome(err.Error())
		}
	}
	v := ansible.Judge(out, code, nil)
	return outcome{res: orderedResult(out, v.Result), warnings: v.Warnings}
}

// orderedResult is a module's judged result as a dict in the order
// Ansible keeps: the module's keys as it printed them, then those
// Ansible adds (stdout_lines, stderr_lines, failed, changed).
func orderedResult(out []byte, result map[string]any) *jinja.Dict {
	res := jinja.NewDict(len(result))
	if result == nil {
		return jinja.DictOf("changed", false, "failed", true, "msg", "module returned no result")
	}
	var printed *jinja.Dict
	if filtered, _, err := ansible.FilterJSON(out); err == nil {
		if v, err := jinja.FromJSON(filtered); err == nil {
			printed, _ = v.(*jinja.Dict)
		}
	}
	for k, v := range printed.All() {
		if rv, ok := result[k]; ok {
			if isPlainEqual(v, rv) {
				res.Set(k, v)
			} else {
				res.Set(k, jinja.FromPlain(rv))
			}
		}
	}
	var rest []string
	for k := range result {
		if !res.Has(k) && k != "failed" && k != "changed" {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range append(rest, "failed", "changed") {
		if v, ok := result[k]; ok && !res.Has(k) {
			res.Set(k, jinja.FromPlain(v))
		}
	}
	return res
}

// isPlainEqual tells whether a decoded value and encoding/json's decoding
// of the same text agree.
func isPlainEqual(v, plain any) bool {
	a, err1 := json.Marshal(jinja.Plain(v))
	b, err2 := json.Marshal(plain)
	return err1 == nil && err2 == nil && bytes.Equal(normalizeJSON(a), normalizeJSON(b))
}

// normalizeJSON re-encodes JSON with sorted keys.
func normalizeJSON(b []byte) []byte {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return b
	}
	out, _ := json.Marshal(v)
	return out
}

// marshalJSON encodes v without HTML escaping.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
