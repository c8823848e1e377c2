package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/pkg"
	"github.com/zonemgr/zonemgr/test/internal/simh"
)

// simHostVars are the inventory variables that make a localhost entry a
// global zone of its own: the sim's root and tools, and an image directory.
func simHostVars(s *Sim, images string) string {
	env := map[string]string{}
	for _, e := range s.Env {
		k, v, _ := strings.Cut(e, "=")
		switch k {
		case "PATH", "ILLUMOS_SIM_ROOT", "ZONEMGR_ROOT", "ELEVATE_CMD":
			env[k] = v
		}
	}
	b, _ := json.Marshal(env)
	return fmt.Sprintf("ansible_connection=local ansible_python_interpreter=/usr/bin/python3 image_dir=%s zonemgr_env='%s'", images, b)
}

func TestRolloutPlaybook(t *testing.T) {
	if testing.Short() {
		t.Skip("ansible-playbook runs take a while")
	}
	colls := simh.CollectionPath(t)
	gz1, gz2 := NewSim(t), NewSim(t)
	dir := t.TempDir()
	inv := filepath.Join(dir, "inventory.ini")
	invText := "[build_gz]\n" +
		"gz1 " + simHostVars(gz1, filepath.Join(dir, "gz1-images")) + "\n" +
		"gz2 " + simHostVars(gz2, filepath.Join(dir, "gz2-images")) + "\n"
	if err := os.WriteFile(inv, []byte(invText), 0o644); err != nil {
		t.Fatal(err)
	}
	playbook := filepath.Join(simh.Top(), "playbooks", "giz-rollout.yml")
	run := func(extra ...string) string {
		t.Helper()
		cmd := exec.Command("ansible-playbook", append([]string{"-i", inv, playbook, "-e", "stage_dir=" + filepath.Join(dir, "stage")}, extra...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "ANSIBLE_COLLECTIONS_PATH="+colls, "ANSIBLE_HOST_KEY_CHECKING=False",
			"ANSIBLE_NOCOLOR=1", "ANSIBLE_LOCAL_TEMP="+filepath.Join(dir, "tmp"), "ANSIBLE_HOME="+filepath.Join(dir, "ansible"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("ansible-playbook %v: %v\n%s", extra, err, out)
		}
		return string(out)
	}

	out := run()
	if !strings.Contains(out, "gz2                        : ok=") {
		t.Fatalf("play recap:\n%s", out)
	}
	if got, want := treeDigest(t, zoneRoot(gz2, "golden")), treeDigest(t, zoneRoot(gz1, "golden")); got != want {
		t.Errorf("golden zone on gz2 differs from the one built on gz1")
	}
	gz1Installs := 0
	for _, e := range gz2.Log() {
		if len(e.Argv) >= 3 && e.Argv[0] == "zoneadm" && e.Argv[len(e.Argv)-1] == "install" {
			gz1Installs++
		}
	}
	if gz1Installs != 0 {
		t.Errorf("gz2 installed a zone instead of importing the image")
	}
	// A second run changes nothing anywhere.
	if out := run(); !strings.Contains(out, "gz1                        : ok=") || strings.Contains(out, "changed: [gz2]") {
		t.Errorf("second run changed gz2:\n%s", out)
	}

	// The nightly refresh ships only the changes.
	if err := pkg.Publish(gz1.Root, "shell/bash", "5.2.37-2024.0.0.1"); err != nil {
		t.Fatal(err)
	}
	run("-e", "refresh=true")
	full, _ := filepath.Glob(filepath.Join(dir, "stage", "golden-initial-postinstalled-golden.zimg"))
	incr, _ := filepath.Glob(filepath.Join(dir, "stage", "golden-initial-postinstalled-golden-to-autozone-*.zimg"))
	if len(full) != 1 || len(incr) != 1 || fileSize(t, incr[0]) >= fileSize(t, full[0])/2 {
		t.Errorf("staged images: full %v, incremental %v; want one of each, the incremental far smaller", full, incr)
	}
	if got, want := treeDigest(t, zoneRoot(gz2, "golden")), treeDigest(t, zoneRoot(gz1, "golden")); got != want {
		t.Errorf("golden zone on gz2 differs from gz1's after the refresh")
	}
	if out := run("-e", "refresh=true"); strings.Contains(out, "changed: [gz2]") {
		t.Errorf("a refresh without new packages changed gz2:\n%s", out)
	}
}
