package ansible

import (
	"errors"
	"fmt"
	"maps"
	"strings"
)

// A Result is what a module's Run returns: whether it changed something
// (in check mode: would change), failed or skipped, a message, a diff for
// diff mode, warnings, and the module's own return values, which Invoke
// merges into the top level of the result JSON.
type Result struct {
	Changed bool
	Failed  bool
	Skipped bool
	Msg     string
	// Diff is shown only in diff mode: a [Diff], a []Diff, or any value
	// that encodes to {"before", "after", ...} or a list of them.
	Diff     any
	Warnings []string
	// Values are the module's own return values. Keys starting with
	// _ansible_ are dropped, and the protocol's keys (changed, failed,
	// msg, diff, warnings, skipped, invocation) are Result's own fields.
	Values map[string]any
	// RCAccepted says the rc value is an exit code the task accepts (a
	// command module's ok_rcs): a non-zero rc then does not fail the
	// result, which says failed: false explicitly, as Ansible requires.
	RCAccepted bool
}

// Set sets one return value and returns r, so that calls chain.
func (r *Result) Set(key string, v any) *Result {
	if r.Values == nil {
		r.Values = map[string]any{}
	}
	r.Values[key] = v
	return r
}

// Object is the result object a module prints, without what comes from
// the task's arguments (the invocation, and the diff, which only diff
// mode shows): the return values, changed, failed (also for a non-zero
// rc that is not accepted), msg, skipped and warnings.
func (r *Result) Object() map[string]any {
	obj := map[string]any{}
	for k, v := range r.Values {
		if !strings.HasPrefix(k, "_ansible_") {
			obj[k] = v
		}
	}
	failed, msg := r.Failed, r.Msg
	if rc, ok := obj["rc"]; ok && !failed && !r.RCAccepted && RCFails(rc) {
		failed = true
		if msg == "" {
			msg = "non-zero return code"
		}
	}
	obj["changed"] = r.Changed
	obj["failed"] = failed
	obj["msg"] = msg
	if r.Skipped {
		obj["skipped"] = true
	}
	if len(r.Warnings) > 0 {
		obj["warnings"] = r.Warnings
	}
	return obj
}

// Warn adds a warning, which Ansible shows as "[WARNING]: ...".
func (r *Result) Warn(format string, a ...any) {
	r.Warnings = append(r.Warnings, fmt.Sprintf(format, a...))
}

// A Diff is one before/after pair of diff mode. Strings are diffed as
// text; other values are shown as JSON.
type Diff struct {
	Before       any    `json:"before"`
	After        any    `json:"after"`
	BeforeHeader string `json:"before_header,omitempty"`
	AfterHeader  string `json:"after_header,omitempty"`
}

// A FailError is an error a module's Run returns to fail with return
// values besides the message: the failing command, its stderr, what was
// cleaned up. Invoke finds it anywhere in the error chain, so it may be
// wrapped; the result's msg is then the whole error's text.
type FailError struct {
	Msg    string
	Values map[string]any
	// Err is the cause, if any; it follows Msg in the error's text.
	Err error
}

// Error returns Msg, followed by the cause when there is one.
func (e *FailError) Error() string {
	switch {
	case e.Err == nil:
		return e.Msg
	case e.Msg == "":
		return e.Err.Error()
	}
	return e.Msg + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *FailError) Unwrap() error { return e.Err }

// failedResult turns Run's error into the result: the error's text as
// msg, the values of a FailError in the chain merged into those of res
// (which may be nil), and res's changed flag, diff and warnings kept.
func failedResult(res *Result, err error) *Result {
	out := &Result{}
	if res != nil {
		*out = *res
		out.Values = maps.Clone(res.Values)
	}
	out.Failed = true
	out.Msg = err.Error()
	var fe *FailError
	if errors.As(err, &fe) {
		for k, v := range fe.Values {
			out.Set(k, v)
		}
	}
	return out
}
