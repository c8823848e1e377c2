package cli

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// A request is one command line, parsed: the verb and the option values.
// Options are kept by canonical name: text options in str, list options
// in lists (in the order given, each split into words when the option
// takes several), switches in on. given records every option the command
// line named, for the check that each applies to the verb.
type request struct {
	verb *verb
	// verbWord is the verb as typed (an alias), or the name of a verb an
	// option implied.
	verbWord string
	// step is DEVEL_DEBUG's step name.
	step string

	str   map[string]string
	lists map[string][]string
	on    map[string]bool
	given map[string]bool

	// level is the message level: 0 silent ... 5 module calls.
	level int
}

func newRequest(level int) *request {
	return &request{
		str:   map[string]string{},
		lists: map[string][]string{},
		on:    map[string]bool{},
		given: map[string]bool{},
		level: level,
	}
}

// A usageError is a command line that cannot be run: exit status 2, the
// offending word named, and hints such as the closest valid word.
type usageError struct {
	msg   string
	hints []string
}

func (e *usageError) Error() string { return e.msg }

func usagef(hints []string, format string, a ...any) *usageError {
	return &usageError{msg: fmt.Sprintf(format, a...), hints: hints}
}

// An event is one option or one word of the command line, in the order
// typed.
type event struct {
	opt   *option
	value string
	word  string
}

// listFlagsRE matches the zoneadm list flags the original accepted right
// after a list verb (-c, -v, -cv, -p, -ip, ...).
var listFlagsRE = regexp.MustCompile(`^-[cvpi]+$`)

// preprocess rewrites the spellings pflag does not know, keeping every
// option's value in place: the single-dash -help, a numeric -d/--debug
// argument (which may be -1), and the zoneadm list flags that follow a
// list verb (which would otherwise read as -c or -p).
func preprocess(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(out, args[i:]...)
		case a == "-help":
			out = append(out, "--help")
		case (a == "-d" || a == "--debug") && i+1 < len(args) && isLevel(args[i+1]):
			out = append(out, "--debug="+args[i+1])
			i++
		case strings.HasPrefix(a, "--"):
			out = append(out, a)
			name, _, hasValue := strings.Cut(a[2:], "=")
			if o := optionByName[name]; o != nil && o.takesValue() && !hasValue && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			out = append(out, a)
			for j := 1; j < len(a); j++ {
				o := optionByShort[a[j:j+1]]
				if o == nil {
					break
				}
				if o.takesValue() {
					if j == len(a)-1 && i+1 < len(args) {
						i++
						out = append(out, args[i])
					}
					break
				}
			}
		default:
			out = append(out, a)
			if v := verbByWord[a]; v != nil && v.listFlags && i+1 < len(args) && listFlagsRE.MatchString(args[i+1]) {
				i++
				out = append(out, "--"+optListArgs+"="+args[i])
			}
		}
	}
	return out
}

// isLevel tells whether s is a message level: a whole number >= -1.
func isLevel(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= -1
}

// scan splits the command line into options and words in the order they
// were typed. pflag reports the options through ParseAll; the number of
// words it has collected when it reports an option places the option
// among the words.
func scan(args []string) ([]event, *usageError) {
	fs := newFlagSet()
	type placed struct {
		event
		words int
	}
	var opts []placed
	err := fs.ParseAll(preprocess(args), func(f *pflag.Flag, value string) error {
		opts = append(opts, placed{event{opt: optionByName[f.Name], value: value}, len(fs.Args())})
		return nil
	})
	if err != nil {
		return nil, flagError(err)
	}
	var events []event
	j := 0
	for i, w := range fs.Args() {
		for ; j < len(opts) && opts[j].words <= i; j++ {
			events = append(events, opts[j].event)
		}
		events = append(events, event{word: w})
	}
	for ; j < len(opts); j++ {
		events = append(events, opts[j].event)
	}
	return events, nil
}

// flagError turns pflag's error into a usage error that names the
// offending word and suggests the closest option.
func flagError(err error) *usageError {
	var ne *pflag.NotExistError
	var ve *pflag.ValueRequiredError
	switch {
	case errors.As(err, &ne) && ne.GetSpecifiedShortnames() != "":
		return usagef([]string{"see zonemgr --help for the options"},
			"unknown option -%s in -%s", ne.GetSpecifiedName(), ne.GetSpecifiedShortnames())
	case errors.As(err, &ne):
		word := "--" + ne.GetSpecifiedName()
		return usagef(suggestOption(word), "unknown option %s", word)
	case errors.As(err, &ve):
		o := optionByName[ve.GetFlag().Name]
		word := "--" + ve.GetSpecifiedName()
		if ve.GetSpecifiedShortnames() != "" {
			word = "-" + ve.GetSpecifiedName()
		}
		return usagef(nil, "option %s needs an argument: %s", word, o.arg)
	}
	return usagef([]string{"see zonemgr --help for the options"}, "%v", err)
}

// suggestOption hints at the option closest to an unknown one.
func suggestOption(word string) []string {
	var names []string
	for _, o := range options {
		if o.hidden {
			continue
		}
		for _, n := range append([]string{o.name}, o.aliases...) {
			names = append(names, "--"+n)
		}
	}
	if best, ok := closest(word, names); ok {
		return []string{"did you mean " + best + "?"}
	}
	return []string{"see zonemgr --help for the options"}
}

// parse reads a command line into a request. level is the message level
// before the command line's -d, -q and -Q (from ZONEMGR_DEBUG).
func parse(args []string, level int) (*request, *usageError) {
	events, err := scan(args)
	if err != nil {
		return nil, err
	}
	r := newRequest(level)
	var (
		wantStep bool  // the next word is DEVEL_DEBUG's step
		wantZone *verb // the next word may be this query verb's zone
	)
	for _, ev := range events {
		if ev.opt != nil {
			if err := r.apply(ev.opt, ev.value); err != nil {
				return nil, err
			}
			continue
		}
		w := ev.word
		zoneVerb := wantZone
		wantZone = nil
		switch {
		case wantStep:
			r.step = w
			wantStep = false
		case zoneVerb != nil && !r.given[optZone] && !strings.HasPrefix(w, "-"):
			r.str[optZone] = w
			r.given[optZone] = true
		case w == develDebugWord:
			r.verb, r.verbWord = develDebug, w
			wantStep = true
		case verbByWord[w] != nil:
			r.verb, r.verbWord = verbByWord[w], w
			if r.verb.positionalZone {
				wantZone = r.verb
			}
		case w == "play":
			return nil, usagef([]string{"zonemgr play TASKS.yml [OPTIONS]; see zonemgr play --help"},
				"play must be the first word of the command line")
		default:
			return nil, unknownWord(w, r)
		}
	}
	if wantStep && !r.on[optHelp] {
		return nil, usagef([]string{"zonemgr DEVEL_DEBUG list names the steps"}, "DEVEL_DEBUG needs a step name")
	}
	return r, nil
}

// unknownWord is the usage error for a word that is no verb.
func unknownWord(w string, r *request) *usageError {
	if best, ok := closest(w, verbWords()); ok {
		return usagef([]string{"did you mean " + best + "?"}, "unknown verb %q", w)
	}
	if r.verb != nil && r.verb.zone != zoneNone && !strings.HasPrefix(w, "-") {
		return usagef([]string{fmt.Sprintf("to name the zone, use -z %s", w)}, "unexpected argument %q", w)
	}
	return usagef([]string{"see zonemgr --help for the verbs"}, "unknown verb %q", w)
}

// apply records one option of the command line.
func (r *request) apply(o *option, value string) *usageError {
	again := r.given[o.name]
	r.given[o.name] = true
	switch {
	case o.name == optDebug:
		if value == nextDebugLevel {
			r.level++
			return nil
		}
		if !isLevel(value) {
			return usagef(nil, "option --debug: %q is not a level (a whole number from -1)", value)
		}
		r.level, _ = strconv.Atoi(value)
	case o.name == optQuiet:
		on, err := switchValue(o, value)
		if err != nil {
			return err
		}
		if on {
			r.level = levelWarn
		}
	case o.name == optErrorsOnly:
		on, err := switchValue(o, value)
		if err != nil {
			return err
		}
		if on {
			r.level = levelError
		}
	case o.arg == "":
		on, err := switchValue(o, value)
		if err != nil {
			return err
		}
		r.on[o.name] = on
		if o.name == optAutoname && on {
			delete(r.str, optZone)
		}
	case o.list:
		vals := []string{value}
		if o.split {
			vals = strings.Fields(value)
		}
		r.lists[o.name] = append(r.lists[o.name], vals...)
	default:
		// An option's value is never guessed: an empty one (an unset
		// shell variable: --exec-user "$BUILD_USER") is not taken for a
		// left-out one, which may mean root or another snapshot, and an
		// option given twice with two values is not settled by order.
		// -z '' has its own message (see validate).
		if value == "" && o.name != optZone {
			return usagef([]string{"leave " + o.flagName() + " out for its default"}, "%s: the value is empty", o.flagName())
		}
		if again && r.str[o.name] != value {
			return usagef(nil, "%s given twice, as %q and as %q; give it once", o.flagName(), r.str[o.name], value)
		}
		r.str[o.name] = value
		if o.name == optZone {
			r.on[optAutoname] = false
		}
	}
	switch o.name {
	case optOrigin:
		if r.verb == nil {
			r.verb, r.verbWord = verbByWord["create-diz"], "create-diz"
		}
	case optExecCmd:
		if r.verb == nil {
			r.verb, r.verbWord = verbByWord["exec"], "exec"
		}
	}
	return nil
}

// switchValue reads the value of a switch: true when given bare, or the
// boolean after "=".
func switchValue(o *option, value string) (bool, *usageError) {
	b, perr := strconv.ParseBool(value)
	if perr != nil {
		return false, usagef(nil, "option --%s: %q is not true or false", o.name, value)
	}
	return b, nil
}
