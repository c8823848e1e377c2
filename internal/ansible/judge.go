package ansible

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/zonemgr/zonemgr/internal/jsonv"
)

// moduleFailureMsg is Ansible's msg for module output that is not JSON.
const moduleFailureMsg = "MODULE FAILURE\nSee stdout/stderr for the exact error"

// A Verdict is how Ansible judges one run of a module binary. Failed wins
// over Skipped, and Skipped over Changed, as in Ansible's task display.
type Verdict struct {
	Failed  bool
	Changed bool
	Skipped bool
	Msg     string
	// Warnings are those Ansible would show: junk after the JSON, removed
	// internal keys, renamed results, and the module's own warnings.
	Warnings []string
	// Result is the task result as Ansible registers it: the module's
	// object with failed and changed always present, `_ansible_*` keys
	// removed, stdout_lines and stderr_lines added; or for output that is
	// not JSON, the MODULE FAILURE object.
	Result map[string]any
}

// Judge judges a module's output exactly as Ansible does. stdout is
// filtered with [FilterJSON] and parsed; when that fails the module failed
// with Ansible's MODULE FAILURE result (module_stdout, module_stderr and
// rc = exitCode). Otherwise exitCode is ignored: the module failed when
// its failed is truthy, or when failed is absent and rc is present and
// not 0 or "0"; changed defaults to false.
func Judge(stdout []byte, exitCode int, stderr []byte) Verdict {
	filtered, warnings, err := FilterJSON(stdout)
	var data map[string]any
	if err == nil {
		err = jsonv.Unmarshal(filtered, &data)
	}
	if err != nil || data == nil {
		return Verdict{
			Failed:   true,
			Msg:      moduleFailureMsg,
			Warnings: warnings,
			Result: map[string]any{
				"failed":        true,
				"changed":       false,
				"msg":           moduleFailureMsg,
				"module_stdout": string(stdout),
				"module_stderr": string(stderr),
				"rc":            exitCode,
			},
		}
	}

	if r, ok := data["results"]; ok {
		if _, isList := r.([]any); !isList {
			data["ansible_module_results"] = r
			delete(data, "results")
			warnings = append(warnings, "Found internal 'results' key in module return, renamed to 'ansible_module_results'.")
		}
	}
	var internal []string
	for k := range data {
		if strings.HasPrefix(k, "_ansible_") {
			internal = append(internal, k)
		}
	}
	slices.Sort(internal)
	for _, k := range internal {
		warnings = append(warnings, fmt.Sprintf("Removed unexpected internal key in module return: %s = %s", k, pyStr(data[k])))
		delete(data, k)
	}
	for _, k := range []string{"warnings", "deprecations"} {
		if v, ok := data[k]; ok && !truthy(v) {
			delete(data, k)
		}
	}
	addLines(data)
	if _, ok := data["failed"]; !ok {
		rc, hasRC := data["rc"]
		data["failed"] = hasRC && RCFails(rc)
	}
	if _, ok := data["changed"]; !ok {
		data["changed"] = false
	}

	switch w := data["warnings"].(type) {
	case nil:
	case []any:
		for _, e := range w {
			warnings = append(warnings, pyStr(e))
		}
	default:
		warnings = append(warnings, pyStr(w))
	}
	v := Verdict{
		Failed:   truthy(data["failed"]),
		Changed:  truthy(data["changed"]),
		Skipped:  truthy(data["skipped"]),
		Warnings: warnings,
		Result:   data,
	}
	if m, ok := data["msg"]; ok {
		v.Msg = pyStr(m)
	}
	return v
}

// addLines adds stdout_lines and stderr_lines to a result that has
// stdout or stderr, as Ansible's controller does.
func addLines(data map[string]any) {
	for _, k := range []string{"stdout", "stderr"} {
		v, ok := data[k]
		if _, done := data[k+"_lines"]; !ok || done {
			continue
		}
		if s, isStr := v.(string); isStr {
			data[k+"_lines"] = SplitLines(s)
		} else if !truthy(v) {
			data[k+"_lines"] = []any{}
		}
	}
}

// Registered is a module's result object (see [Result.Object]) as
// Ansible registers it: with stdout_lines and stderr_lines.
func Registered(obj map[string]any) map[string]any {
	addLines(obj)
	return obj
}

// FilterJSON cuts a module's stdout as Ansible does before parsing it:
// from the first line that starts with '{' (after white space) to the
// last line that ends with '}'. Junk before is dropped without a word;
// non-blank junk after gives Ansible's warning. Lines are split as
// Python's str.splitlines splits them and joined with "\n".
func FilterJSON(stdout []byte) (filtered []byte, warnings []string, err error) {
	lines := SplitLines(string(stdout))
	start := slices.IndexFunc(lines, func(l string) bool {
		return strings.HasPrefix(strings.TrimSpace(l), "{")
	})
	if start < 0 {
		return nil, nil, errors.New("no start of JSON object found in module output")
	}
	lines = lines[start:]
	end := len(lines) - 1
	for end >= 0 && !strings.HasSuffix(strings.TrimSpace(lines[end]), "}") {
		end--
	}
	if end < 0 {
		return nil, nil, errors.New("no end of JSON object found in module output")
	}
	if junk := lines[end+1:]; slices.ContainsFunc(junk, func(l string) bool { return strings.TrimSpace(l) != "" }) {
		warnings = append(warnings, "Module invocation had junk after the JSON data: "+strings.Join(junk, "\n"))
	}
	return []byte(strings.Join(lines[:end+1], "\n")), warnings, nil
}

// SplitLines splits s as Python's str.splitlines does: at \n, \r, \r\n,
// \v, \f, \x1c, \x1d, \x1e, \x85, U+2028 and U+2029, with no empty last
// line for a trailing line break.
func SplitLines(s string) []string {
	lines := []string{}
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '\r':
			if i+1 < len(rs) && rs[i+1] == '\n' {
				i++
			}
			fallthrough
		case '\n', '\v', '\f', '\x1c', '\x1d', '\x1e', '\u0085', '\u2028', '\u2029':
			lines = append(lines, b.String())
			b.Reset()
		default:
			b.WriteRune(r)
		}
	}
	if b.Len() > 0 {
		lines = append(lines, b.String())
	}
	return lines
}

// RCFails tells whether an rc value fails a task without failed, by
// Python's `rc not in [0, "0"]`: numeric zero, false and "0" pass.
func RCFails(rc any) bool {
	switch v := rc.(type) {
	case bool:
		return v
	case string:
		return v != "0"
	case jsonv.Number:
		f, err := v.Float64()
		return err != nil || f != 0
	case float64:
		return v != 0
	case float32:
		return v != 0
	case int:
		return v != 0
	case int8:
		return v != 0
	case int16:
		return v != 0
	case int32:
		return v != 0
	case int64:
		return v != 0
	case uint:
		return v != 0
	case uint8:
		return v != 0
	case uint16:
		return v != 0
	case uint32:
		return v != 0
	case uint64:
		return v != 0
	}
	return true
}

// truthy is Python's truth of a decoded JSON value.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// pyStr renders a decoded JSON value roughly as Python's str() does, for
// messages.
func pyStr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return x
	}
	b, err := jsonv.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
