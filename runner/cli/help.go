package cli

import (
	"fmt"
	"strings"

	"github.com/zonemgr/zonemgr/internal/textio"
)

// helpWidth is the column at which help text is wrapped.
const helpWidth = 78

// optionColumn is where an option's description starts.
const optionColumn = 32

// helpFor returns the help a request asks for: a verb's (for
// DEVEL_DEBUG, with its steps) or the general one.
func helpFor(r *request) string {
	if r.verb == nil {
		return generalHelp()
	}
	return verbHelp(r.verb)
}

// writeOption writes one option with its description.
func writeOption(b *strings.Builder, o *option) { writeEntry(b, o.display(), o.help) }

// writeEntry writes a name and its one-line description in two columns.
func writeEntry(b *strings.Builder, name, text string) {
	d := "  " + name
	pad := strings.Repeat(" ", optionColumn)
	body := textio.Wrap(text, pad, helpWidth)
	if len(d) < optionColumn-1 {
		b.WriteString(d + strings.Repeat(" ", optionColumn-len(d)) + strings.TrimPrefix(body, pad))
		return
	}
	b.WriteString(d + "\n" + body)
}

const exitGeneral = `Exit status:
  0    success, also when the zone already was in the requested state
  1    failure; for is-managed, is-giz and is-diz: no
  2    usage error: the offending word is named, with the closest valid one
  N    exec and exec-diz: the command's own exit status
  130  interrupted (SIGINT); 143: terminated (SIGTERM)
`

// generalHelp is zonemgr --help.
func generalHelp() string {
	var b strings.Builder
	b.WriteString("zonemgr: golden-image and disposable zones on an illumos global zone\n\n")
	b.WriteString("Usage:\n")
	b.WriteString("  zonemgr VERB [ZONE] [OPTIONS]      options and the verb in any order\n")
	b.WriteString("  zonemgr play TASKS.yml [OPTIONS]   run a YAML file of module tasks\n")
	b.WriteString("  zonemgr VERB --help                a verb's options and examples\n\n")
	b.WriteString(textio.Wrap("The last verb given wins; -c GIZ without a verb means create-diz, and "+
		"--exec-cmd without a verb means exec. The query verbs (list-snapshots, is-managed, "+
		"is-giz, is-diz, verify, get-state) take the zone's name as the word after them. "+
		"Repeated list options add up, and one argument may hold several words: "+
		"--copy-users \"jenkins jim\" (except --mount-lofs and --mount-autonfs, one mount each).", "", helpWidth))
	for _, g := range helpGroups {
		var entries []*verb
		for _, v := range verbs {
			if v.group == g {
				entries = append(entries, v)
			}
		}
		if g == groupOther {
			entries = append(entries, develDebug)
		}
		fmt.Fprintf(&b, "\n%s:\n", g)
		for _, v := range entries {
			name := verbColumn(v)
			if v == develDebug {
				name = develDebugWord + " STEP"
			}
			writeEntry(&b, name, v.summary)
		}
		if g == groupOther {
			writeEntry(&b, "play TASKS.yml", "run a YAML file of module tasks (see zonemgr play --help)")
		}
	}
	b.WriteString("\nOptions:\n")
	for _, o := range options {
		if !o.hidden {
			writeOption(&b, o)
		}
	}
	b.WriteString("\nExamples:\n")
	for _, e := range []string{
		"zonemgr create-giz -z test-giz-1 -b SUNWipkg",
		"zonemgr create-diz -c test-giz-1",
		"zonemgr create-diz -c test-giz-1 -s snap1 -z test-diz-1",
		"zonemgr list-diz",
		"zonemgr -q get-state -z test-zone-1",
		"zonemgr -z test-diz-1 boot",
		"zonemgr snapshot -z test-giz-1 -s snap1",
		"zonemgr exec --exec-discard onsuccess -z build-diz-1 --exec-cmd \"cd /home/illumos-gate && ./nightly.sh\"",
		"zonemgr exec-diz -c build-giz-jdk --exec-user jenkins --copy-users \"jenkins jim\" --mount-lofs \"/export/oi-userland\" --exec-cmd \"cd /export/oi-userland/components/java8 && gmake publish\"",
		"zonemgr -z test-diz-1 destroy",
	} {
		b.WriteString("  " + e + "\n")
	}
	b.WriteString("\nConfiguration:\n")
	b.WriteString(textio.Wrap("KEY=VALUE lines in shell syntax, read (never run) from /etc/zones/zonemgr.conf "+
		"(under ZONEMGR_ROOT), ~/.zonemgr.conf, $ZONEMGR_CONF and each --config FILE, in that "+
		"order; variables set in the environment win. --print-config shows the result. The list "+
		"options extend the list variables (COPY_USERS, ADD_MOUNT_LOFS, AUTO_VNICS, ...); "+
		"ORIGIN_GIZ, EXEC_USER, EXEC_DISCARD, OUTFILE and LIST_ARGS apply when their option is "+
		"not given. What to act on (the verb, -z, -s, --exec-cmd) comes from the command line only.", "  ", helpWidth))
	b.WriteString("\nOutput:\n")
	b.WriteString(textio.Wrap("Data (zone and snapshot names, states, listings, a dry run's plan, or with "+
		"--json one JSON object, a usage error's too) goes to stdout; messages go to stderr as \"zonemgr: ...\", "+
		"\"zonemgr: warning: ...\" and \"zonemgr: error: ...\", so zonemgr -q list-diz pipes cleanly. "+
		"ZONEMGR_DEBUG sets the message level as -d does. ZONEMGR_TRACE=FILE appends one JSON "+
		"line per run to FILE: its time, its own time and every command it ran with its duration.", "  ", helpWidth))
	b.WriteString("\n" + exitGeneral)
	return b.String()
}

// verbHelp is zonemgr VERB --help.
func verbHelp(v *verb) string {
	var b strings.Builder
	fmt.Fprintf(&b, "zonemgr %s: %s\n\n", v.name, v.summary)
	fmt.Fprintf(&b, "Usage:\n  zonemgr %s\n", v.synopsis)
	if len(v.aliases) > 0 {
		fmt.Fprintf(&b, "Aliases: %s\n", strings.Join(v.aliases, ", "))
	}
	b.WriteString("\n" + textio.Wrap(v.about, "", helpWidth))
	b.WriteString("\n" + textio.Wrap("Module calls: "+v.calls+".", "", helpWidth))
	if v == develDebug {
		b.WriteString("\nSteps:\n")
		for _, st := range develSteps {
			writeEntry(&b, st.name, st.about)
		}
	}
	var own []*option
	for _, o := range options {
		if !o.hidden && !o.global && v.applies(o.name) {
			own = append(own, o)
		}
	}
	b.WriteString("\nOptions:\n")
	for _, o := range own {
		writeOption(&b, o)
	}
	b.WriteString(textio.Wrap("Global options: -d N, -q, -Q, -n (dry run), --json, -O FILE, --config FILE, "+
		"--print-config; see zonemgr --help.", "  ", helpWidth))
	if len(v.examples) > 0 {
		b.WriteString("\nExamples:\n")
		for _, e := range v.examples {
			b.WriteString("  " + e + "\n")
		}
	}
	b.WriteString("\n" + verbExit(v))
	return b.String()
}

// verbExit is the exit status section of a verb's help.
func verbExit(v *verb) string {
	switch v.name {
	case "exec", "exec-diz":
		return "Exit status:\n" +
			"  N    the command's own exit status\n" +
			"  1    zonemgr failed (the zone could not be made, booted or discarded)\n" +
			"  2    usage error\n"
	case "is-managed", "is-giz", "is-diz":
		return "Exit status:\n" +
			"  0    yes\n" +
			"  1    no, or the zone does not exist, or the question could not be asked\n" +
			"  2    usage error\n"
	}
	return "Exit status:\n" +
		"  0    success, also when the zone already was in the requested state\n" +
		"  1    failure\n" +
		"  2    usage error\n"
}
