package simh

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/zonemgr/zonemgr/modules"
)

// AnsibleTools are the commands of Debian's ansible-core that the
// Ansible option needs.
var AnsibleTools = []string{"ansible-playbook", "ansible", "ansible-doc", "ansible-galaxy"}

// RequireAnsible skips t, through Skip, unless every one of AnsibleTools
// is installed.
func RequireAnsible(t testing.TB) {
	t.Helper()
	for _, tool := range AnsibleTools {
		if _, err := exec.LookPath(tool); err != nil {
			Skipf(t, "%s is not installed (apt-get install -y --no-install-recommends ansible-core): skipping the tests that run Ansible", tool)
		}
	}
}

var (
	collOnce sync.Once
	collDir  string // the temporary directory of the installation
	collPath string // ANSIBLE_COLLECTIONS_PATH
	collErr  error
)

// collection returns an ANSIBLE_COLLECTIONS_PATH holding the installed
// collection, installing it on first use.
func collection(t testing.TB) string {
	t.Helper()
	RequireAnsible(t)
	b := Bin(t)
	collOnce.Do(func() { collPath, collErr = installCollection(b) })
	if collErr != nil {
		t.Fatal(collErr)
	}
	return collPath
}

// CollectionPath returns an ANSIBLE_COLLECTIONS_PATH holding the
// illumos.zonemgr collection built from collection/ and the Linux module
// binaries and installed with ansible-galaxy, for a test that runs
// Ansible outside a Sim's environment; it skips t without Ansible.
func CollectionPath(t testing.TB) string {
	t.Helper()
	return collection(t)
}

// removeCollection removes the installed collection, if any.
func removeCollection() {
	if collDir != "" {
		os.RemoveAll(collDir)
	}
}

// ModuleNames lists the names of the module binaries (modules.All),
// sorted.
func ModuleNames() []string {
	var names []string
	for name := range modules.All() {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// installCollection lays out collection/ with the module binaries of b,
// builds its tarball with ansible-galaxy collection build and installs
// it with ansible-galaxy collection install, as users install the
// illumos build.
func installCollection(b string) (string, error) {
	dir, err := os.MkdirTemp("", "zonemgr-ansible-collection-")
	if err != nil {
		return "", err
	}
	collDir = dir
	src := filepath.Join(dir, "src", "ansible_collections", "illumos", "zonemgr")
	if err := copyTree(filepath.Join(Top(), "collection"), src); err != nil {
		return "", fmt.Errorf("lay out the collection: %w", err)
	}
	for _, name := range ModuleNames() {
		if err := copyFile(filepath.Join(b, name), filepath.Join(src, "plugins", "modules", name), 0o755); err != nil {
			return "", fmt.Errorf("lay out the collection: %w", err)
		}
	}
	env := append(baseEnv(), "PATH="+os.Getenv("PATH"), "HOME="+dir)
	env = append(env, ansibleSettings(dir)...)
	dist := filepath.Join(dir, "dist")
	build := exec.Command("ansible-galaxy", "collection", "build", "--output-path", dist, src)
	build.Env = env
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("ansible-galaxy collection build: %v\n%s", err, out)
	}
	tarballs, _ := filepath.Glob(filepath.Join(dist, "illumos-zonemgr-*.tar.gz"))
	if len(tarballs) != 1 {
		return "", fmt.Errorf("ansible-galaxy collection build made %v, want one illumos-zonemgr-<version>.tar.gz", tarballs)
	}
	installed := filepath.Join(dir, "installed")
	install := exec.Command("ansible-galaxy", "collection", "install", "-p", installed, tarballs[0])
	install.Env = env
	if out, err := install.CombinedOutput(); err != nil {
		return "", fmt.Errorf("ansible-galaxy collection install: %v\n%s", err, out)
	}
	return installed, nil
}

func copyTree(from, to string) error {
	from, err := filepath.EvalSymlinks(from)
	if err != nil {
		return err
	}
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		return copyFile(p, filepath.Join(to, rel), 0o644)
	})
}

func copyFile(from, to string, mode os.FileMode) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, mode)
}

// ansibleSettings are the Ansible settings of every Ansible command: an
// empty ansible.cfg, Ansible's files kept under dir, no colour, no retry
// files and no warnings about the implicit localhost.
func ansibleSettings(dir string) []string {
	cfg := filepath.Join(dir, "ansible.cfg")
	os.WriteFile(cfg, nil, 0o644)
	return []string{
		"ANSIBLE_CONFIG=" + cfg,
		"ANSIBLE_HOME=" + filepath.Join(dir, "ansible-home"),
		"ANSIBLE_LOCAL_TEMP=" + filepath.Join(dir, "ansible-local"),
		"ANSIBLE_REMOTE_TEMP=" + filepath.Join(dir, "ansible-remote"),
		"ANSIBLE_ASYNC_DIR=" + filepath.Join(dir, "ansible-async"),
		"ANSIBLE_LOCALHOST_WARNING=False",
		"ANSIBLE_INVENTORY_UNPARSED_WARNING=False",
		"ANSIBLE_RETRY_FILES_ENABLED=False",
		"ANSIBLE_NOCOLOR=True",
		"ANSIBLE_FORCE_COLOR=False",
	}
}

// AnsiblePlaybook runs "ansible-playbook -i INVENTORY PLAYBOOK ARGS..." on
// the Sim's inventory (a Sim made with the Ansible option; a relative
// PLAYBOOK is the test's, taken from its working directory).
func (s *Sim) AnsiblePlaybook(playbook string, args ...string) Result {
	s.t.Helper()
	if s.Inventory == "" {
		s.t.Fatal("AnsiblePlaybook: the Sim has no inventory: make it with simh.Ansible()")
	}
	return s.Exec(nil, "ansible-playbook", append([]string{"-i", s.Inventory, s.abs(playbook)}, args...)...)
}

// A Recap is one host's line of the PLAY RECAP, as ansible-playbook and
// zonemgr play print it.
type Recap struct {
	OK, Changed, Unreachable, Failed, Skipped, Rescued, Ignored int
}

var recapRE = regexp.MustCompile(`(?m)^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)`)

// Recaps reads every host's line of the PLAY RECAP in out.
func Recaps(out string) map[string]Recap {
	recaps := map[string]Recap{}
	for _, m := range recapRE.FindAllStringSubmatch(out, -1) {
		n := make([]int, 7)
		for i := range n {
			n[i], _ = strconv.Atoi(m[i+2])
		}
		recaps[m[1]] = Recap{OK: n[0], Changed: n[1], Unreachable: n[2], Failed: n[3], Skipped: n[4], Rescued: n[5], Ignored: n[6]}
	}
	return recaps
}

// LocalRecap reads localhost's line of the PLAY RECAP in out, or the only
// host's, or returns the zero Recap.
func LocalRecap(out string) Recap {
	recaps := Recaps(out)
	if r, ok := recaps["localhost"]; ok {
		return r
	}
	if len(recaps) == 1 {
		for _, r := range recaps {
			return r
		}
	}
	return Recap{}
}

// String prints a Recap as the recap line does.
func (r Recap) String() string {
	return strings.Join([]string{
		"ok=" + strconv.Itoa(r.OK), "changed=" + strconv.Itoa(r.Changed), "unreachable=" + strconv.Itoa(r.Unreachable),
		"failed=" + strconv.Itoa(r.Failed), "skipped=" + strconv.Itoa(r.Skipped), "rescued=" + strconv.Itoa(r.Rescued),
		"ignored=" + strconv.Itoa(r.Ignored),
	}, " ")
}
