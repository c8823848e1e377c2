package playdiff

import (
	"regexp"
	"strings"
)

// The cosmetic differences between ansible-playbook's and zonemgr play's
// output, the only ones the suite lets pass, all normalized here:
//
//   - zonemgr play prints a task's duration after its status, as
//     "ok: [localhost] (0.01s)": removed.
//   - Ansible names the Python classes it holds values in where Python's
//     messages name a value's type (AnsibleUnicode, AnsibleUnsafeText,
//     AnsibleMapping, AnsibleSequence, HostVarsVars, NativeJinjaText):
//     each becomes the builtin type it stands for (str, dict, list).
//   - Times: the start, end and delta of a command, which differ between
//     any two runs, become <time> and <delta>.
//   - Each run has a simulated global zone of its own, in a directory of
//     its own: that directory becomes <sim>.
//   - The value of omit, "__omit_place_holder__" and 40 hex digits,
//     random in each run of Ansible: the digits become <omit>.
//   - With -v, Ansible first says which configuration file it uses
//     ("Using .../ansible.cfg as config file"): removed.
//   - Warnings: Ansible wraps them at 80 columns; both are compared as
//     one line each, white space collapsed.
//   - What differs between any two runs of zonemgr itself: the run ids
//     it stamps on what it makes (in --diff output and in the sim's
//     state), the UTC stamps of its attributes and snapshot names, the
//     UUIDs zoneadm gives zones, the random part of the names zone_diz
//     and zone_exec give disposable zones, the milliseconds each command
//     took (in a module result's commands) and the seconds zone_exec's
//     steps took (its duration and timing): <run>, <stamp>, <uuid>,
//     <name>, <ms>, <seconds>.

var (
	// duration is zonemgr play's duration after a status.
	duration = regexp.MustCompile(`([\]\)!]) \((?:\d+h)?(?:\d+m)?\d+(?:\.\d+)?s\)`)
	// pythonClasses are Ansible's classes, as Python's messages name
	// them, and the builtin types they stand for.
	pythonClasses = []struct {
		re   *regexp.Regexp
		repl string
	}{
		{regexp.MustCompile(`ansible\.parsing\.yaml\.objects\.AnsibleUnicode|ansible\.utils\.unsafe_proxy\.AnsibleUnsafeText|ansible\.utils\.native_jinja\.NativeJinjaText|ansible\.utils\.unsafe_proxy\.NativeJinjaUnsafeText|\bAnsibleUnicode\b|\bAnsibleUnsafeText\b|\bNativeJinjaText\b|\bNativeJinjaUnsafeText\b`), "str"},
		{regexp.MustCompile(`ansible\.parsing\.yaml\.objects\.AnsibleMapping|ansible\.vars\.hostvars\.HostVarsVars|\bAnsibleMapping\b`), "dict"},
		{regexp.MustCompile(`ansible\.parsing\.yaml\.objects\.AnsibleSequence|\bAnsibleSequence\b`), "list"},
	}
	// timestamp is Python's str() of a datetime; delta of a timedelta.
	timestamp = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}`)
	delta     = regexp.MustCompile(`\b\d+:\d\d:\d\d\.\d{6}\b`)
	// omitToken is the value of omit.
	omitToken = regexp.MustCompile(`__omit_place_holder__[0-9a-f]{40}`)
	// configFile is the line -v makes Ansible print first.
	configFile = regexp.MustCompile(`^(Using .* as config file|No config file found; using defaults)$`)
	// runID is the id zonemgr stamps on a run's zones, datasets and
	// journal; autozone the UTC stamp of a refresh's snapshot, isoStamp
	// that of an attribute; uuid a zone's UUID; millis a command's
	// duration in a module result's commands.
	runID    = regexp.MustCompile(`\b[0-9a-f]{16,32}\b`)
	autozone = regexp.MustCompile(`autozone-\d{8}T\d{6}Z`)
	isoStamp = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)
	uuid     = regexp.MustCompile(`\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	millis   = regexp.MustCompile(`\b\d+ms\]`)
	// dizName is a disposable zone's generated name; execSeconds the
	// duration and timing of zone_exec's result.
	dizName     = regexp.MustCompile(`\bdiz-([0-9a-f]{6})-[0-9a-z]{4}\b`)
	execSeconds = regexp.MustCompile(`"(duration|create|run|destroy)": \d+(\.\d+)?(e-\d+)?`)
)

// zonemgrRuns normalizes what differs between any two runs of zonemgr.
func zonemgrRuns(s string) string {
	s = autozone.ReplaceAllString(s, "autozone-<stamp>")
	s = isoStamp.ReplaceAllString(s, "<stamp>")
	s = uuid.ReplaceAllString(s, "<uuid>")
	s = millis.ReplaceAllString(s, "<ms>]")
	s = dizName.ReplaceAllString(s, "diz-$1-<name>")
	s = execSeconds.ReplaceAllString(s, `"$1": <seconds>`)
	return runID.ReplaceAllString(s, "<run>")
}

// normalize makes one run's standard output comparable with the other's.
func normalize(out, simDir string) string {
	out = strings.ReplaceAll(out, simDir, "<sim>")
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if configFile.MatchString(l) {
			continue
		}
		l = duration.ReplaceAllString(l, "$1")
		for _, c := range pythonClasses {
			l = c.re.ReplaceAllString(l, c.repl)
		}
		l = timestamp.ReplaceAllString(l, "<time>")
		l = delta.ReplaceAllString(l, "<delta>")
		l = omitToken.ReplaceAllString(l, "__omit_place_holder__<omit>")
		lines = append(lines, zonemgrRuns(l))
	}
	return strings.Join(lines, "\n")
}

// warnings returns a run's warnings from its standard error, one line
// each, normalized as its output is; wrapped tells that the run wraps
// them over several lines (Ansible's).
func warnings(stderr, simDir string, wrapped bool) string {
	var out []string
	continues := false
	for _, l := range strings.Split(stderr, "\n") {
		switch {
		case strings.HasPrefix(l, "[WARNING]:"), strings.HasPrefix(l, "[DEPRECATION WARNING]:"):
			out = append(out, l)
			continues = wrapped
		case continues && l != "" && !strings.HasPrefix(l, "["):
			out[len(out)-1] += " " + l
		default:
			continues = false
		}
	}
	for i, w := range out {
		out[i] = normalize(strings.Join(strings.Fields(w), " "), simDir)
	}
	return strings.Join(out, "\n")
}

// normalizeState makes one sim's state comparable with the other's.
func normalizeState(state, simDir string) string {
	return zonemgrRuns(strings.ReplaceAll(state, simDir, "<sim>"))
}
