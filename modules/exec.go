package modules

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/zone"
)

// ZoneExec is the zone_exec module: a command run in a managed zone or in
// a fresh disposable zone (exec-diz).
var ZoneExec = &ansible.Module{
	Spec: ansible.Spec{
		Module:      "zone_exec",
		Description: "Runs a command in an existing managed zone, or in a fresh disposable zone cloned from a golden zone (every zone_diz option is accepted), with a discard policy afterwards. A non-zero exit code fails the task unless ok_rcs lists it.",
		Options: append([]ansible.Option{
			{Name: "cmd", Required: true, Description: "The command, run by /bin/sh -c inside the zone. The only string that reaches a shell."},
			{Name: "zone", Description: "An existing managed zone to run in (mutually exclusive with giz)."},
			{Name: "name", Description: "Name of the disposable zone made with giz (generated when omitted)."},
			{Name: "user", Description: "Run as this user (zlogin -l). Default: root, in a safe-mode shell (zlogin -S)."},
			{Name: "chdir", Type: ansible.TypePath, Description: "Directory inside the zone to run in."},
			{Name: "env", Type: ansible.TypeDict, Description: "Environment variables for the command."},
			{Name: "timeout", Type: ansible.TypeInt, Default: 0, Description: "Seconds after which the command is stopped (0: no limit); cleanup still runs."},
			{Name: "discard", Choices: zone.DiscardPolicies, Description: "When to discard the zone's changes: for zone, roll back to a snapshot taken before (default never); for giz, destroy the disposable zone (default always)."},
			{Name: "keep_on_failure", Type: ansible.TypeBool, Default: false, Description: "Keep a disposable zone whose command failed, for debugging; its name is returned."},
			{Name: "ok_rcs", Type: ansible.TypeList, Elements: ansible.TypeInt, Description: "Exit codes that count as success. Default: [0]."},
			{Name: "output_limit", Type: ansible.TypeInt, Default: 64, Description: "KiB of stdout and of stderr kept in the result (the last ones); log receives everything."},
			{Name: "log", Type: ansible.TypePath, Description: "A file that receives the command's whole output."},
			{Name: "state", Default: "running", Choices: []string{"running"}, Description: "The disposable zone runs while the command does (kept for zone_diz compatibility)."},
		}, dizOptions...),
		MutuallyExclusive: [][]string{{"zone", "giz"}},
		RequiredOneOf:     [][]string{{"zone", "giz"}},
		SupportsCheckMode: true,
	},
	Run: runExec,
}

func runExec(ctx context.Context, p *ansible.Params) (*ansible.Result, error) {
	spec := zone.ExecSpec{
		Cmd:           p.Str("cmd"),
		Zone:          p.Str("zone"),
		User:          p.Str("user"),
		Chdir:         p.Str("chdir"),
		Timeout:       time.Duration(p.Int("timeout")) * time.Second,
		Discard:       p.Str("discard"),
		KeepOnFailure: p.Bool("keep_on_failure"),
		OutputLimit:   p.Int("output_limit") << 10,
		Log:           p.Str("log"),
		Env:           map[string]string{},
	}
	for k, v := range p.Dict("env") {
		spec.Env[k] = fmt.Sprint(v)
	}
	for _, s := range p.List("ok_rcs") {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("ok_rcs: %q is not an int", s)
		}
		spec.OKRCs = append(spec.OKRCs, n)
	}
	if p.IsSet("giz") {
		d, err := dizSpec(p)
		if err != nil {
			return nil, phrased(err, "zone_exec")
		}
		d.Name = p.Str("name")
		spec.DIZ = &d
	}
	r, err := newRun(ctx, "zone_exec", p)
	if err != nil {
		return nil, err
	}
	res, out, err := r.host.Exec(ctx, spec)
	if p.CheckMode && err == nil {
		result, _ := r.result(p, out, nil)
		result.Skipped = true
		result.Changed = false
		result.Msg = "Command would have run if not in check mode"
		result.Values["rc"] = 0
		return result, nil
	}
	result, _ := r.result(p, out, err)
	if res != nil {
		result.Values["rc"] = res.RC
		result.Values["stdout"] = res.Stdout
		result.Values["stderr"] = res.Stderr
		result.Values["duration"] = res.Duration.Seconds()
		result.Values["zone"] = res.Zone
		result.Values["discarded"] = res.Discarded
		if res.Kept {
			result.Values["kept"] = true
			result.Warnings = append(result.Warnings, fmt.Sprintf("the failed disposable zone %s is kept for debugging; destroy it with zone_diz name=%s state=absent", res.Zone, res.Zone))
		}
		if res.Timing != nil {
			result.Values["timing"] = res.Timing
		}
		if spec.Log != "" {
			result.Values["log"] = spec.Log
		}
		ok := false
		for _, rc := range okRCs(spec.OKRCs) {
			ok = ok || rc == res.RC
		}
		if err == nil && !ok {
			result.Failed = true
			result.Msg = fmt.Sprintf("command exited %d in zone %s", res.RC, res.Zone)
		} else if err == nil {
			result.Msg = fmt.Sprintf("command exited %d in zone %s", res.RC, res.Zone)
			result.RCAccepted = true
		}
	}
	result.Changed = err == nil || res != nil
	return result, nil
}

func okRCs(l []int) []int {
	if len(l) == 0 {
		return []int{0}
	}
	return l
}
