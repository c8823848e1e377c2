package modules

import (
	"context"
	"fmt"
	"strconv"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/internal/zone"
)

// ZoneExec returns the zone_exec module: a command run in a managed zone or in
// a fresh disposable zone (exec-diz).
func ZoneExec() *Definition {
	return &Definition{
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
				{Name: "strip_empty_ends", Type: ansible.TypeBool, Default: true, Description: "Strip the line ends (\\r, \\n) at the end of stdout and stderr in the result, as M(ansible.builtin.command) does; log gets the output as it was."},
				{Name: "state", Default: "running", Choices: []string{"running"}, Description: "The disposable zone runs while the command does (kept for zone_diz compatibility)."},
			}, dizOptions...),
			MutuallyExclusive: [][]string{{"zone", "giz"}, {"zone", "packages"}},
			RequiredOneOf:     [][]string{{"zone", "giz", "packages"}},
			SupportsCheckMode: true,
		},
		run: runExec,
	}
}

func runExec(ctx context.Context, c *Caller, p *ansible.Params) (*ansible.Result, error) {
	spec, err := execSpec(p)
	if err != nil {
		return nil, phrased(err, "zone_exec")
	}
	r := c.Exec(ctx, mode(p), spec)
	r.KeepEmptyEnds = !p.Bool("strip_empty_ends")
	return r.Result(nil)
}

// execSpec reads zone_exec's options into an engine spec.
func execSpec(p *ansible.Params) (zone.ExecSpec, error) {
	if err := nonEmpty(p, "user", "chdir", "log"); err != nil {
		return zone.ExecSpec{}, err
	}
	timeout, err := seconds(p, "timeout")
	if err != nil {
		return zone.ExecSpec{}, err
	}
	if n := p.Int("output_limit"); n < 1 || n > maxOutputKiB {
		return zone.ExecSpec{}, fmt.Errorf("output_limit: %d is out of range: give 1 to %d KiB", n, maxOutputKiB)
	}
	spec := zone.ExecSpec{
		Cmd:           p.Str("cmd"),
		Zone:          p.Str("zone"),
		User:          p.Str("user"),
		Chdir:         p.Str("chdir"),
		Timeout:       timeout,
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
			return spec, fmt.Errorf("ok_rcs: %q is not an int", s)
		}
		spec.OKRCs = append(spec.OKRCs, n)
	}
	if p.IsSet("giz") || p.IsSet("packages") {
		d, err := dizSpec(p)
		if err != nil {
			return spec, err
		}
		d.Name = p.Str("name")
		spec.DIZ = &d
	}
	return spec, nil
}
