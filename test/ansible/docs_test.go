package ansibletest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/internal/ansible"
	"github.com/zonemgr/zonemgr/modules"
	"github.com/zonemgr/zonemgr/test/internal/crash"
)

// A moduleDoc is what ansible-doc -j shows of a module.
type moduleDoc struct {
	Doc struct {
		Module      string                    `json:"module"`
		Options     map[string]map[string]any `json:"options"`
		Attributes  map[string]map[string]any `json:"attributes"`
		Description []string                  `json:"description"`
	} `json:"doc"`
	Examples string         `json:"examples"`
	Return   map[string]any `json:"return"`
}

// installedDocs returns ansible-doc -j of every module of modules.All, as
// the installed collection documents them.
func installedDocs(t *testing.T, s *Sim) map[string]moduleDoc {
	t.Helper()
	args := []string{"-j"}
	for _, name := range moduleNames() {
		args = append(args, modules.Collection+"."+name)
	}
	stdout, stderr := s.Output("ansible-doc", args...)
	if stderr != "" {
		t.Errorf("ansible-doc -j: stderr: %s", stderr)
	}
	docs := map[string]moduleDoc{}
	if err := json.Unmarshal([]byte(stdout), &docs); err != nil {
		t.Fatalf("ansible-doc -j: %v\n%s", err, stdout)
	}
	return docs
}

// specDoc is what the documentation of an option must say, from the
// option's spec: the keys ansible-doc -j shows with the values it shows.
func specDoc(o ansible.Option) map[string]any {
	d := map[string]any{"description": o.Description, "type": "str"}
	if o.Type != "" {
		d["type"] = string(o.Type)
	}
	if o.Required {
		d["required"] = true
	}
	if o.Default != nil {
		b, _ := json.Marshal(o.Default)
		var v any
		json.Unmarshal(b, &v)
		d["default"] = v
	}
	if len(o.Choices) > 0 {
		d["choices"] = o.Choices
	}
	if len(o.Aliases) > 0 {
		d["aliases"] = o.Aliases
	}
	if d["type"] == "list" {
		d["elements"] = "str"
		if o.Elements != "" {
			d["elements"] = string(o.Elements)
		}
	}
	return d
}

// shownDoc is the same keys of an option as ansible-doc -j shows them,
// with choices as strings and an absent required or default left out.
func shownDoc(doc map[string]any) map[string]any {
	d := map[string]any{}
	for _, k := range []string{"description", "type", "required", "default", "choices", "aliases", "elements"} {
		v, ok := doc[k]
		if !ok || v == nil || k == "required" && v == false {
			continue
		}
		switch k {
		case "choices", "aliases":
			var l []string
			for _, c := range v.([]any) {
				l = append(l, fmt.Sprint(c))
			}
			v = l
		}
		d[k] = v
	}
	return d
}

// TestDocumentedOptionsMatchSpec checks, through ansible-doc and the
// installed collection, that every option of each module's argument spec
// is documented with its type, required, default, choices, aliases and
// elements, that nothing else is documented, and that each module has
// examples and return values.
func TestDocumentedOptionsMatchSpec(t *testing.T) {
	t.Parallel()
	s := NewSim(t)
	docs := installedDocs(t, s)
	if len(docs) != len(modules.All()) {
		t.Errorf("ansible-doc documents %d modules, want %d", len(docs), len(modules.All()))
	}
	for _, name := range moduleNames() {
		spec := modules.All()[name].Spec
		d, ok := docs[modules.Collection+"."+name]
		if !ok {
			t.Errorf("%s: not documented", name)
			continue
		}
		if d.Doc.Module != name {
			t.Errorf("%s: documented as module %q", name, d.Doc.Module)
		}
		var specNames, docNames []string
		for _, o := range spec.Options {
			specNames = append(specNames, o.Name)
			shown, ok := d.Doc.Options[o.Name]
			if !ok {
				continue
			}
			if got, want := shownDoc(shown), specDoc(o); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: option %s is documented as\n%v\nwant (from the spec)\n%v", name, o.Name, got, want)
			}
		}
		for n := range d.Doc.Options {
			docNames = append(docNames, n)
		}
		sort.Strings(specNames)
		sort.Strings(docNames)
		if !slices.Equal(specNames, docNames) {
			t.Errorf("%s: documented options\n%q\nwant the spec's\n%q", name, docNames, specNames)
		}
		if len(d.Doc.Description) == 0 || d.Doc.Description[0] != spec.Description {
			t.Errorf("%s: description %q does not start with the spec's %q", name, d.Doc.Description, spec.Description)
		}
		wantCheck := "none"
		if spec.SupportsCheckMode {
			wantCheck = "full or partial"
		}
		if got := fmt.Sprint(d.Doc.Attributes["check_mode"]["support"]); !strings.Contains(wantCheck, got) {
			t.Errorf("%s: check_mode support %q, want %s", name, got, wantCheck)
		}
		if !strings.Contains(d.Examples, modules.Collection+"."+name+":") {
			t.Errorf("%s: the examples never use the module", name)
		}
		if len(d.Return) == 0 {
			t.Errorf("%s: no return values documented", name)
		}
	}

	// The text form renders every module without a warning.
	args := []string{}
	for _, name := range moduleNames() {
		args = append(args, modules.Collection+"."+name)
	}
	stdout, stderr := s.Output("ansible-doc", args...)
	if stderr != "" {
		t.Errorf("ansible-doc: stderr: %s", stderr)
	}
	for _, name := range moduleNames() {
		if !strings.Contains(stdout, "> "+strings.ToUpper(modules.Collection+"."+name)+" ") {
			t.Errorf("ansible-doc: no page for %s", name)
		}
	}
	for _, want := range []string{"OPTIONS (= is mandatory):", "ATTRIBUTES:", "EXAMPLES:", "RETURN VALUES:", "= cmd\n", "platforms: illumos"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("ansible-doc: no %q in the pages", want)
		}
	}
}

// TestExamplesRun runs each module's documented EXAMPLES, as ansible-doc
// shows them, as a play against a fresh sim (with the golden zone "golden"
// for the modules that need one), and checks what they leave.
func TestExamplesRun(t *testing.T) {
	t.Parallel()
	docs := installedDocs(t, NewSim(t))
	cases := []struct {
		module string
		golden bool
		// setup prepares the sim after the state to compare with is
		// taken.
		setup func(s *Sim)
		// unchanged: the examples leave the sim as they found it, but
		// for the files of kept.
		unchanged bool
		kept      []string
		zones     []string
	}{
		{module: "zone_giz", zones: []string{"golden:installed"}},
		{module: "zone_diz", golden: true, unchanged: true},
		{module: "zone_exec", golden: true, unchanged: true},
		// A snapshot saves the zone's configuration in its zonepath.
		{module: "zone_snapshot", golden: true, unchanged: true, kept: []string{savedConfig}},
		{module: "zone_info", golden: true, unchanged: true},
		// The leftovers of a killed run are removed.
		{module: "zone_gc", golden: true, unchanged: true, setup: func(s *Sim) {
			cmd := s.Command(nil, "zonemgr", "create-diz", "-c", "golden", "-z", "crashed", "--add-vnic-over", "e1000g0")
			if out, err := crash.At(s.Root, "zoneadm clone#1", cmd); err != nil {
				s.t.Fatalf("%v\n%s", err, out)
			}
		}},
	}
	var tested []string
	for _, tc := range cases {
		tested = append(tested, tc.module)
	}
	if names := moduleNames(); !slices.Equal(sorted(tested), names) {
		t.Errorf("the examples of %q are tested, want every module's: %q", sorted(tested), names)
	}
	for _, tc := range cases {
		t.Run(tc.module, func(t *testing.T) {
			t.Parallel()
			s := NewSim(t)
			if tc.golden {
				s.Golden()
			}
			before := s.State()
			if tc.setup != nil {
				tc.setup(s)
			}
			examples := docs[modules.Collection+"."+tc.module].Examples
			var play strings.Builder
			play.WriteString("- hosts: build_gz\n  gather_facts: false\n  tasks:\n")
			for _, line := range strings.Split(examples, "\n") {
				if line != "" {
					line = "    " + line
				}
				play.WriteString(line + "\n")
			}
			file := s.Dir + "/examples.yml"
			s.WriteFile(file, play.String())
			r := s.MustPlaybook(file)
			if r.Recap.OK == 0 {
				t.Errorf("no task ran:\n%s", r.Out)
			}
			if tc.unchanged {
				if got := s.State(); dropLines(got, tc.kept) != dropLines(before, tc.kept) {
					t.Errorf("the examples left things behind:\n%s", diffLines(before, got))
				}
			}
			if tc.zones != nil {
				if got := s.Zones(); !reflect.DeepEqual(got, tc.zones) {
					t.Errorf("zones after the examples: %q, want %q", got, tc.zones)
				}
			}
		})
	}
}

// savedConfig is the configuration of golden saved in its zonepath by a
// snapshot, as State lists it.
const savedConfig = "zones/_zonemgr/GIZ/golden/golden.xml -rw-r--r-- "

// dropLines removes the lines that start with one of prefixes.
func dropLines(s string, prefixes []string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(l, p) }) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func sorted(s []string) []string {
	c := slices.Clone(s)
	sort.Strings(c)
	return c
}
