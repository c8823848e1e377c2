package cli

import (
	"strings"
	"testing"
)

// zonemgrWords returns the words of the zonemgr command in a shell line,
// as sh would split them: from the word zonemgr to the first unquoted
// |, ;, &, or ), with '...' and "..." quoting and backslash escapes.
func zonemgrWords(t *testing.T, line string) []string {
	t.Helper()
	i := strings.Index(line, "zonemgr ")
	if i < 0 {
		t.Fatalf("example %q does not run zonemgr", line)
	}
	var words []string
	var cur strings.Builder
	inWord := false
	s := line[i+len("zonemgr "):]
	for j := 0; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '\'':
			k := strings.IndexByte(s[j+1:], '\'')
			if k < 0 {
				t.Fatalf("example %q: unterminated quote", line)
			}
			cur.WriteString(s[j+1 : j+1+k])
			j += k + 1
			inWord = true
		case c == '"':
			j++
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) && strings.IndexByte(`"\$`+"`", s[j+1]) >= 0 {
					j++
				}
				cur.WriteByte(s[j])
			}
			inWord = true
		case c == '\\' && j+1 < len(s):
			j++
			cur.WriteByte(s[j])
			inWord = true
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case strings.IndexByte("|;&)", c) >= 0:
			if inWord {
				words = append(words, cur.String())
			}
			return words
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

func TestZonemgrWords(t *testing.T) {
	got := zonemgrWords(t, `NAME=$(zonemgr -q create-diz -c g --exec-cmd "cd /x && make \"all\"" -p 'a b')`)
	want := []string{"-q", "create-diz", "-c", "g", "--exec-cmd", `cd /x && make "all"`, "-p", "a b"}
	if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
		t.Errorf("words %q, want %q", got, want)
	}
}

// TestHelpExamplesWork runs every example of every help text against the
// fake modules: each must parse, name a verb whose options it uses, and
// make at least one module call.
func TestHelpExamplesWork(t *testing.T) {
	var examples []string
	for _, v := range append(verbs[:len(verbs):len(verbs)], develDebug) {
		examples = append(examples, v.examples...)
	}
	for _, line := range strings.Split(generalHelp(), "\n") {
		if strings.HasPrefix(line, "  zonemgr ") && strings.HasPrefix(strings.TrimSpace(line), "zonemgr ") && !strings.Contains(line, "  options and") &&
			!strings.Contains(line, "TASKS.yml") && !strings.Contains(line, "VERB") {
			examples = append(examples, strings.TrimSpace(line))
		}
	}
	if len(examples) < len(verbs) {
		t.Fatalf("only %d examples", len(examples))
	}
	for _, ex := range examples {
		t.Run(ex, func(t *testing.T) {
			words := zonemgrWords(t, ex)
			for i, w := range words {
				if w == "-O" {
					words[i+1] = t.TempDir() + "/out"
				}
			}
			h := newFakeHost()
			got := runCLI(t, h, nil, words...)
			if got.code == ExitUsage {
				t.Fatalf("usage error:\n%s", got.stderr)
			}
			if len(h.calls) == 0 && !strings.Contains(ex, "DEVEL_DEBUG list") {
				t.Errorf("no module call")
			}
		})
	}
}

func TestGeneralHelp(t *testing.T) {
	got := runCLI(t, newFakeHost(), nil, "--help")
	if got.code != 0 || got.stderr != "" {
		t.Fatalf("exit %d, stderr %q", got.code, got.stderr)
	}
	help := got.stdout
	for _, w := range verbWords() {
		if !strings.Contains(help, w) {
			t.Errorf("zonemgr --help does not name the verb %q", w)
		}
	}
	for _, o := range options {
		if o.hidden {
			continue
		}
		for _, n := range append([]string{o.name}, o.aliases...) {
			if !strings.Contains(help, "--"+n) {
				t.Errorf("zonemgr --help does not name the option --%s", n)
			}
		}
		if o.short != "" && !strings.Contains(help, "-"+o.short+", --"+o.name) {
			t.Errorf("zonemgr --help does not name -%s", o.short)
		}
	}
	for _, section := range []string{"Usage:\n", "Options:\n", "Examples:\n", "Configuration:\n", "Exit status:\n"} {
		if !strings.Contains(help, section) {
			t.Errorf("zonemgr --help lacks the section %q", section)
		}
	}
	for _, line := range strings.Split(help, "\n") {
		if len(line) > helpWidth && !strings.HasPrefix(line, "  zonemgr ") && !strings.HasPrefix(line, "  -") {
			t.Errorf("help line longer than %d columns: %q", helpWidth, line)
		}
	}
	for _, same := range [][]string{a("-h"), a("-help"), a("help"), a("list", "--help", "-h")} {
		other := runCLI(t, newFakeHost(), nil, same...)
		if same[0] != "list" && other.stdout != help {
			t.Errorf("%q prints other help than --help", same)
		}
	}
	verb := runCLI(t, newFakeHost(), nil, "create-diz", "--help")
	if got := runCLI(t, newFakeHost(), nil, "help", "create-diz"); got.code != 0 || got.stdout != verb.stdout || !strings.Contains(got.stdout, "create-diz") {
		t.Errorf("zonemgr help create-diz: exit %d, not create-diz --help:\n%s", got.code, got.stdout)
	}
}

func TestVerbHelp(t *testing.T) {
	for _, v := range append(verbs[:len(verbs):len(verbs)], develDebug) {
		for _, word := range v.words() {
			got := runCLI(t, newFakeHost(), nil, word, "--help")
			if got.code != 0 || got.stderr != "" {
				t.Errorf("%s --help: exit %d, stderr %q", word, got.code, got.stderr)
				continue
			}
			help := got.stdout
			if !strings.HasPrefix(help, "zonemgr "+v.name+": "+v.summary+"\n\nUsage:\n  zonemgr "+v.synopsis+"\n") {
				t.Errorf("%s --help does not start with the summary and synopsis:\n%s", word, help)
			}
			for _, section := range []string{"Module calls: ", "Options:\n", "Examples:\n", "Exit status:\n"} {
				if !strings.Contains(help, section) {
					t.Errorf("%s --help lacks %q", word, section)
				}
			}
			for _, o := range options {
				if !o.global && !o.hidden && v.applies(o.name) && !strings.Contains(help, o.display()) {
					t.Errorf("%s --help does not show its option %s", word, o.display())
				}
				if !o.global && !v.applies(o.name) && strings.Contains(help, "  "+o.display()) {
					t.Errorf("%s --help shows %s, which does not apply", word, o.display())
				}
			}
		}
	}
	got := runCLI(t, newFakeHost(), nil, "DEVEL_DEBUG", "--help")
	for _, st := range develSteps {
		if !strings.Contains(got.stdout, "  "+st.name) {
			t.Errorf("DEVEL_DEBUG --help does not list the step %s", st.name)
		}
	}
	exec := runCLI(t, newFakeHost(), nil, "exec", "--help").stdout
	if !strings.Contains(exec, "  N    the command's own exit status\n") {
		t.Errorf("exec --help does not tell the exit status:\n%s", exec)
	}
	is := runCLI(t, newFakeHost(), nil, "is-giz", "--help").stdout
	if !strings.Contains(is, "  0    yes\n  1    no") {
		t.Errorf("is-giz --help does not tell the exit status:\n%s", is)
	}
}

func TestDevelDebugList(t *testing.T) {
	got := runCLI(t, newFakeHost(), nil, "DEVEL_DEBUG", "list")
	var names []string
	for _, line := range strings.Split(strings.TrimSuffix(got.stdout, "\n"), "\n") {
		names = append(names, strings.Fields(line)[0])
	}
	if want := strings.Join(develStepNames()[1:], " "); strings.Join(names, " ") != want {
		t.Errorf("steps %q, want %q", names, want)
	}
	if names[0] != "setup_zone_postinstall" {
		t.Errorf("setup_zone_postinstall must be supported")
	}
}
