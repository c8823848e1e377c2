// Package playdiff is the differential suite of zonemgr play: every
// playbook under testdata runs under ansible-playbook (Debian's
// ansible-core, the version CI installs) and under zonemgr play, each on a
// fresh simulated global zone, and the two runs must agree on the exit
// code, every line of standard output (banners, per-task status, loop
// items, printed and registered values, the recap), the warnings, and
// the final state of the sim; or zonemgr play must refuse the playbook
// before any task runs, naming file:line:column and the construct, when
// the playbook says it expects that. The only differences allowed are the
// cosmetic ones normalize lists, in one place.
//
// A playbook's leading comments may hold directives:
//
//	# args: --check -e x=1     arguments for both runs
//	# expect: refused          zonemgr play refuses it at load
//	# setup: golden            both sims get the golden zone "golden" first
//	# playbook: ../x.yml       run that file (relative to this one) instead,
//	                           for the repository's own playbooks, unchanged
//
// Files under testdata/files are the playbooks' included task files and
// vars files, not playbooks.
//
// The suite prints "N identical, M refused at load, 0 different" and
// fails on any difference; without ansible-playbook it skips, saying so.
package playdiff

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/zonemgr/zonemgr/test/internal/simh"
)

func TestMain(m *testing.M) { simh.Main(m) }

// A directive set is what a playbook's header asks for.
type directives struct {
	args     []string
	refused  bool
	setup    []string
	playbook string
}

var directiveLine = regexp.MustCompile(`^#\s*(args|expect|setup|playbook):\s*(.*)$`)

// readDirectives reads the directives of a playbook's leading comments.
func readDirectives(text string) (directives, error) {
	var d directives
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "#") {
			break
		}
		m := directiveLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		switch m[1] {
		case "args":
			d.args = append(d.args, strings.Fields(m[2])...)
		case "expect":
			if strings.TrimSpace(m[2]) != "refused" {
				return d, fmt.Errorf("unknown expectation %q (expected refused)", m[2])
			}
			d.refused = true
		case "setup":
			d.setup = append(d.setup, strings.Fields(m[2])...)
		case "playbook":
			d.playbook = strings.TrimSpace(m[2])
		}
	}
	return d, nil
}

// counts are the suite's totals.
type counts struct {
	mu                            sync.Mutex
	identical, refused, different int
}

func (c *counts) add(identical, refused, different int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.identical += identical
	c.refused += refused
	c.different += different
}

// refusal is the shape of zonemgr play's refusal: an error naming a
// position in a file, before any play starts.
var refusal = regexp.MustCompile(`(?m)^zonemgr: error: [^\n]*\.yml:\d+:\d+: `)

func TestPlaybooks(t *testing.T) {
	simh.RequireAnsible(t)
	books, err := filepath.Glob(filepath.Join("testdata", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(books)
	if len(books) < 120 {
		t.Errorf("testdata holds %d playbooks, want at least 120", len(books))
	}
	var c counts
	t.Cleanup(func() {
		line := fmt.Sprintf("playdiff: %d identical, %d refused at load, %d different", c.identical, c.refused, c.different)
		fmt.Println(line)
		if err := simh.Note(line); err != nil {
			t.Errorf("record the counts in the suite report: %v", err)
		}
	})
	for _, book := range books {
		name := strings.TrimSuffix(filepath.Base(book), ".yml")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path, err := filepath.Abs(book)
			if err != nil {
				t.Fatal(err)
			}
			text, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			d, err := readDirectives(string(text))
			if err != nil {
				t.Fatal(err)
			}
			if d.playbook != "" {
				path = filepath.Join(filepath.Dir(path), d.playbook)
			}
			diffs := compare(t, path, d)
			switch {
			case len(diffs) > 0:
				c.add(0, 0, 1)
				t.Errorf("%s: zonemgr play and ansible-playbook differ:\n%s", name, strings.Join(diffs, "\n"))
			case d.refused:
				c.add(0, 1, 0)
			default:
				c.add(1, 0, 0)
			}
		})
	}
}

// compare runs a playbook under both and returns how they differ.
func compare(t *testing.T, path string, d directives) []string {
	a := simh.New(t, simh.Ansible())
	z := simh.New(t)
	for _, step := range d.setup {
		for _, s := range []*simh.Sim{a, z} {
			setUp(t, s, step)
		}
	}
	a.Inventory = a.WriteFile("playdiff-inventory.ini", "localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n")
	rz := z.Play(path, d.args...)
	if d.refused {
		var out []string
		if rz.Code != 1 || strings.Contains(rz.Stdout, "PLAY [") || !refusal.MatchString(rz.Stderr) {
			out = append(out, fmt.Sprintf("zonemgr play was to refuse the playbook at load (exit 1, file:line:column), but exited %d\nstdout:\n%s\nstderr:\n%s", rz.Code, rz.Stdout, rz.Stderr))
		}
		return out
	}
	ra := a.AnsiblePlaybook(path, d.args...)
	var diffs []string
	if rz.Code == 1 && refusal.MatchString(rz.Stderr) {
		return []string{"zonemgr play refused the playbook at load, which it does not expect:\n" + rz.Stderr}
	}
	if ra.Code != rz.Code {
		diffs = append(diffs, fmt.Sprintf("exit code: ansible-playbook %d, zonemgr play %d", ra.Code, rz.Code))
	}
	na, nz := normalize(ra.Stdout, a.Dir), normalize(rz.Stdout, z.Dir)
	if na != nz {
		diffs = append(diffs, "standard output (- ansible-playbook, + zonemgr play):\n"+lineDiff(na, nz))
	}
	wa, wz := warnings(ra.Stderr, a.Dir, true), warnings(rz.Stderr, z.Dir, false)
	if wa != wz {
		diffs = append(diffs, "warnings (- ansible-playbook, + zonemgr play):\n"+lineDiff(wa, wz))
	}
	sa, sz := normalizeState(a.State(), a.Dir), normalizeState(z.State(), z.Dir)
	if sa != sz {
		diffs = append(diffs, "sim state (- ansible-playbook, + zonemgr play):\n"+lineDiff(sa, sz))
	}
	if len(diffs) > 0 {
		diffs = append(diffs, "ansible-playbook stderr:\n"+ra.Stderr, "zonemgr play stderr:\n"+rz.Stderr)
	}
	return diffs
}

// setUp prepares a sim for a playbook.
func setUp(t *testing.T, s *simh.Sim, step string) {
	t.Helper()
	switch step {
	case "golden":
		s.MustModule("zone_giz", map[string]any{"name": "golden"})
	default:
		t.Fatalf("unknown setup %q (expected golden)", step)
	}
}

// lineDiff shows the lines of a and b side by side where they differ:
// every line only in a prefixed "- ", only in b "+ ", in order.
func lineDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	// The longest common subsequence of lines, for a readable diff.
	n, m := len(la), len(lb)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if la[i] == lb[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && la[i] == lb[j]:
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			out = append(out, "+ "+lb[j])
			j++
		default:
			out = append(out, "- "+la[i])
			i++
		}
	}
	return strings.Join(out, "\n")
}
