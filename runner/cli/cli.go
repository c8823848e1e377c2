// Package cli owns zonemgr's classic command line, `zonemgr VERB
// [OPTIONS]`: the grammar of the original illumos-zonemgr script (options
// and the verb in any order, the last verb wins, list options append,
// query verbs take a positional zone name, -c implying create-diz and
// --exec-cmd implying exec), every verb, option and alias of it, its
// configuration variables, and its output and exit status. Each verb
// makes the typed call of a zonemgr module (zone_giz, zone_diz,
// zone_snapshot, zone_exec, zone_info, zone_gc) through the same
// modules.Caller the module binaries and zonemgr play use, so the
// command line and Ansible cannot disagree; verbs that act on a zone of
// either role ask zone_info for the role first. The engine's errors name
// the flags the user typed.
package cli

import (
	"context"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/zonemgr/zonemgr/internal/config"
	"github.com/zonemgr/zonemgr/internal/zone"
	"github.com/zonemgr/zonemgr/modules"
)

// Exit statuses of the command line, besides a command's own status from
// exec and exec-diz.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// A CLI is the zonemgr command line with what it runs against: where its
// output goes, the engine its verbs call and the environment it reads.
// bin/zonemgr runs one through Main; tests give it a fake engine.
type CLI struct {
	Stdout io.Writer
	Stderr io.Writer
	// Engine returns the engine the verbs call, given the options the
	// command line settled on; nil means modules.NewCaller.
	Engine func(modules.Options) Engine
	// Trace records the run for ZONEMGR_TRACE (nil: not traced).
	Trace *modules.Trace
	// Getenv reads the environment: ZONEMGR_DEBUG, and the configuration
	// ($HOME, $ZONEMGR_CONF and the variables). Nil means os.Getenv.
	Getenv func(string) string
}

// Main runs the command line args (the words after "zonemgr") against
// the engine and returns the exit status; t is the run's trace (nil:
// none).
func Main(ctx context.Context, t *modules.Trace, args []string, stdout, stderr io.Writer) int {
	c := &CLI{Stdout: stdout, Stderr: stderr, Trace: t}
	return c.Run(ctx, args)
}

// Run runs one command line and returns the exit status: 0 on success
// (including a zone already in the requested state), 1 on failure (and
// for an is-* verb, the answer no), 2 for a usage error, and for exec and
// exec-diz the command's own exit status.
func (c *CLI) Run(ctx context.Context, args []string) int {
	getenv := c.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	out := &printer{stdout: c.Stdout, stderr: c.Stderr, level: defaultLevel(getenv("ZONEMGR_DEBUG"))}
	if len(args) > 0 && args[0] == "help" {
		// "zonemgr help [VERB]" is "zonemgr [VERB] --help".
		args = append(slices.Clone(args[1:]), "--help")
	}
	out.jsonFailures = wantsJSON(args)
	req, uerr := parse(args, out.level)
	if uerr != nil {
		out.usage(uerr)
		return ExitUsage
	}
	out.level, out.jsonFailures = req.level, req.on[optJSON]
	if req.on[optHelp] {
		out.data(strings.TrimRight(helpFor(req), "\n"))
		return ExitOK
	}
	cfg, warns, err := config.Load(config.LoadOptions{Env: getenv, Extra: req.lists[optConfig]})
	for _, w := range warns {
		out.warnf("%s", w.String())
	}
	if err != nil {
		out.failureJSON(err.Error())
		out.errorf("%v", err)
		return ExitFailure
	}
	mergeConfig(req, cfg)
	if req.on[optPrintConfig] {
		out.data(strings.TrimRight(cfg.Print(), "\n"))
	}
	if req.verb == nil {
		if req.on[optPrintConfig] {
			return ExitOK
		}
		out.usage(usagef([]string{"zonemgr --help lists the verbs"}, "no verb given"))
		return ExitUsage
	}
	v, uerr := resolve(req)
	if uerr != nil {
		out.usage(uerr)
		return ExitUsage
	}
	o := modules.Options{Config: cfg, Stdout: liveOutput(req.on[optJSON], c.Stdout, c.Stderr), Stderr: c.Stderr,
		OnCommand: out.command, Trace: c.Trace}
	var engine Engine
	if c.Engine != nil {
		engine = c.Engine(o)
	} else {
		engine = modules.NewCaller(o)
	}
	s := &session{ctx: ctx, req: req, cfg: cfg, out: out, engine: engine, names: flagNamer(v.name)}
	return v.run(s)
}

// liveOutput is where the output of a command run in a zone goes as it
// runs: stdout, except with --json, whose stdout is the result object
// alone.
func liveOutput(asJSON bool, stdout, stderr io.Writer) io.Writer {
	if asJSON {
		return stderr
	}
	return stdout
}

// A configList is a list option, its configuration variable and the
// variable's words.
type configList struct {
	opt, key string
	vals     []string
}

// configLists pairs each list option with its configuration variable.
func configLists(cfg *config.Config) []configList {
	return []configList{
		{optAddPublishers, "ADD_PUBLISHERS", cfg.AddPublishers},
		{optDelPublishers, "DEL_PUBLISHERS", cfg.DelPublishers},
		{optAddPackages, "ADD_PACKAGE_FMRIS", cfg.AddPackages},
		{optDelPackages, "DEL_PACKAGE_FMRIS", cfg.DelPackages},
		{optMountLofs, "ADD_MOUNT_LOFS", cfg.MountLofs},
		{optMountAutoNFS, "ADD_MOUNT_AUTONFS", cfg.MountAutoNFS},
		{optDelegate, "ADD_DELEGATED_DATASET", cfg.DelegatedDatasets},
		{optCopyUsers, "COPY_USERS", cfg.CopyUsers},
		{optCopyGroups, "COPY_GROUPS", cfg.CopyGroups},
		{optElevateUsers, "ELEVATE_USERS", cfg.ElevateUsers},
		{optVNICs, "USE_VNICS", cfg.UseVNICs},
		{optVNICsOver, "AUTO_VNICS", cfg.AutoVNICs},
	}
}

// mergeConfig takes the command-line variables of the configuration as
// the original did: list options append to the configured lists, and
// ORIGIN_GIZ, EXEC_USER, EXEC_DISCARD, OUTFILE and LIST_ARGS apply when
// the command line does not give them. The variables that choose what
// to act on (ACTION, TARGET_ZONE, SNAP_NAME, EXEC_CMD) are taken from the
// command line only, so that a configuration file or the environment
// never makes a command act on something it did not name. The
// configuration's values are then updated to the command line's, for
// --print-config.
func mergeConfig(r *request, cfg *config.Config) {
	for _, l := range configLists(cfg) {
		if l.opt == optAddPackages && r.verb != nil && (r.verb.name == "create-diz" || r.verb.name == "exec-diz") {
			// ADD_PACKAGE_FMRIS are a golden zone's packages; a
			// disposable zone's -p names its golden zone, and only
			// the command line gives it.
			continue
		}
		r.lists[l.opt] = append(slices.Clone(l.vals), r.lists[l.opt]...)
		cfg.Values[l.key] = strings.Join(r.lists[l.opt], " ")
	}
	for _, d := range []struct{ opt, val string }{
		{optOrigin, cfg.OriginGIZ},
		{optExecUser, cfg.ExecUser},
		{optExecDiscard, cfg.ExecDiscard},
		{optOutfile, cfg.Outfile},
		{optListArgs, cfg.ListArgs},
	} {
		if !r.given[d.opt] && d.val != "" {
			r.str[d.opt] = d.val
		}
	}
	for _, v := range []struct{ key, opt string }{
		{"ORIGIN_GIZ", optOrigin}, {"TARGET_ZONE", optZone}, {"SNAP_NAME", optSnapshot},
		{"EXEC_CMD", optExecCmd}, {"EXEC_USER", optExecUser}, {"EXEC_DISCARD", optExecDiscard},
		{"OUTFILE", optOutfile}, {"LIST_ARGS", optListArgs},
		{"TEMPLATE_GIZ", optTemplate}, {"BRAND_GIZ", optBrand},
	} {
		if r.given[v.opt] || r.str[v.opt] != "" {
			cfg.Values[v.key] = r.str[v.opt]
		}
	}
	if r.verb != nil {
		cfg.Values["ACTION"] = r.verb.name
	}
}

// resolve picks the verb that runs (for DEVEL_DEBUG, its step) and checks
// the request against it: every option given applies, a zone is named
// where one is needed, required values are present and values are valid.
func resolve(r *request) (*verb, *usageError) {
	v, word := r.verb, r.verbWord
	if v == develDebug {
		if r.step == "list" {
			if err := checkOptions(r, &verb{}, "DEVEL_DEBUG list"); err != nil {
				return nil, err
			}
			return develDebug, nil
		}
		st, ok := findDevelStep(r.step)
		if !ok {
			hints := []string{"supported: " + strings.Join(develStepNames(), ", ")}
			if best, close := closest(r.step, develStepNames()); close {
				hints = append([]string{"did you mean " + best + "?"}, hints...)
			}
			return nil, usagef(hints, "unsupported DEVEL_DEBUG step %q", r.step)
		}
		v, word = st.verb, develDebugWord+" "+st.name
	}
	if err := checkOptions(r, v, word); err != nil {
		return nil, err
	}
	if r.given[optZone] && !r.on[optAutoname] && r.str[optZone] == "" {
		return nil, usagef([]string{"omit -z (or give -Z) to have a name generated"}, "-z: the zone name is empty; a zone name is 1 to 63 letters, digits, '_', '.' and '-'")
	}
	if v.zone == zoneExisting && r.str[optZone] == "" {
		if r.on[optAutoname] {
			return nil, usagef(nil, "%s needs an existing zone: -z ZONE (-Z names only a zone to create)", word)
		}
		return nil, usagef([]string{"zonemgr " + v.name + " --help shows how"}, "%s needs a zone: -z ZONE", word)
	}
	for _, opt := range v.requires {
		if r.str[opt] == "" && len(r.lists[opt]) == 0 {
			return nil, usagef([]string{"zonemgr " + v.name + " --help shows how"}, "%s needs %s", word, optionByName[opt].brief())
		}
	}
	if len(v.requiresOne) > 0 && !slices.ContainsFunc(v.requiresOne, func(opt string) bool { return r.str[opt] != "" || len(r.lists[opt]) > 0 }) {
		var names []string
		for _, opt := range v.requiresOne {
			names = append(names, optionByName[opt].brief())
		}
		return nil, usagef([]string{"zonemgr " + v.name + " --help shows how"}, "%s needs %s", word, strings.Join(names, " or "))
	}
	if d := r.str[optUnusedGoldens]; d != "" {
		if _, err := zone.ParseAge(d); err != nil {
			return nil, usagef(nil, "--unused-goldens: %v", err)
		}
	}
	if d := r.str[optExecDiscard]; d != "" && v.applies(optExecDiscard) && discardValues[d] == "" {
		words := []string{"off", "always", "onsuccess", "onfail", "onfailure"}
		hints := []string{"--exec-discard takes " + strings.Join(words, ", ")}
		if best, ok := closest(d, words); ok {
			hints = []string{"did you mean " + best + "?"}
		}
		return nil, usagef(hints, "--exec-discard %q is not a discard policy", d)
	}
	if v.listFlags {
		if _, err := parseListFlags(r.str[optListArgs]); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// checkOptions refuses an option given on the command line that the verb
// does not use.
func checkOptions(r *request, v *verb, word string) *usageError {
	var given []string
	for name := range r.given {
		given = append(given, name)
	}
	sort.Strings(given)
	for _, name := range given {
		if !v.applies(name) {
			hint := "zonemgr " + v.name + " --help lists its options"
			if v.name == "" || v.name == develDebugWord {
				hint = "zonemgr --help lists the options"
			}
			return usagef([]string{hint}, "option %s does not apply to %s", optionByName[name].flagName(), word)
		}
	}
	return nil
}

// flagName names an option for messages by its shortest form: "-c" or
// "--exec-cmd".
func (o *option) flagName() string {
	if o.short != "" {
		return "-" + o.short
	}
	return "--" + o.name
}

// brief names an option with its argument: "-c GIZ" or "--exec-cmd
// COMMAND".
func (o *option) brief() string {
	s := o.flagName()
	if o.arg != "" && !o.optionalArg {
		s += " " + o.arg
	}
	return s
}
