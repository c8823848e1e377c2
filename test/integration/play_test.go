package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const buildPlay = `# Builds in disposable zones: whatever happens, the zone is destroyed.
vars:
  giz: golden
tasks:
  - name: build {{ item }}
    vars:
      item: ok
    block:
      - name: clone a build zone
        zone_diz:
          name: "b-{{ item }}"
          giz: "{{ giz }}"
          state: running
          copy_users: [jenkins]
        register: diz
      - name: run the build
        illumos.zonemgr.zone_exec:
          zone: "{{ diz.name }}"
          user: jenkins
          cmd: "{{ 'exit 4' if item == 'broken' else 'echo built $(cat /etc/nodename)' }}"
        register: build
      - name: show the output
        debug:
          msg: "{{ build.stdout | trim }}"
    rescue:
      - name: note the failure
        set_fact:
          failed_builds: "{{ (failed_builds | default([])) + [item] }}"
    always:
      - name: destroy the build zone
        zone_diz:
          name: "b-{{ item }}"
          state: absent
  - name: build {{ item }}
    vars:
      item: broken
    block:
      - name: clone a build zone
        zone_diz:
          name: "b-{{ item }}"
          giz: "{{ giz }}"
          state: running
          copy_users: [jenkins]
        register: diz
      - name: run the build
        illumos.zonemgr.zone_exec:
          zone: "{{ diz.name }}"
          user: jenkins
          cmd: "{{ 'exit 4' if item == 'broken' else 'echo built $(cat /etc/nodename)' }}"
        register: build
      - name: show the output
        debug:
          msg: "{{ build.stdout | trim }}"
    rescue:
      - name: note the failure
        set_fact:
          failed_builds: "{{ (failed_builds | default([])) + [item] }}"
    always:
      - name: destroy the build zone
        zone_diz:
          name: "b-{{ item }}"
          state: absent
  - name: report
    debug:
      msg: "failed: {{ failed_builds | default([]) | join(',') }}"
`

func writePlay(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "play.yml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPlayBlockRescueAlways(t *testing.T) {
	s := goldenSim(t)
	s0 := s.State()
	play := writePlay(t, buildPlay)
	out, errOut, code := s.Run(nil, "zonemgr", "play", play)
	if code != 0 {
		t.Fatalf("zonemgr play: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"TASK [run the build]", "built b-ok", "failed: broken", "PLAY RECAP", "failed=0", "rescued=1"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if got := s.State(); got != s0 {
		t.Errorf("the always sections left things behind:\n%s", diffLines(s0, got))
	}
}

func TestPlayCheckAndErrors(t *testing.T) {
	s := goldenSim(t)
	s0 := s.State()
	play := writePlay(t, "- name: a zone\n  zone_diz:\n    name: p1\n    giz: golden\n    state: running\n")
	out, errOut, code := s.Run(nil, "zonemgr", "play", "--check", "--diff", play)
	if code != 0 || !strings.Contains(out, "changed: [localhost]") {
		t.Errorf("--check: exit %d\n%s\n%s", code, out, errOut)
	}
	if got := s.State(); got != s0 {
		t.Errorf("--check changed the sim:\n%s", diffLines(s0, got))
	}
	// A second real run of the same play: changed, then ok.
	if _, _, code := s.Run(nil, "zonemgr", "play", play); code != 0 {
		t.Fatalf("play: exit %d", code)
	}
	out, _, _ = s.Run(nil, "zonemgr", "play", play)
	if !strings.Contains(out, "ok: [localhost]") || !strings.Contains(out, "changed=0") {
		t.Errorf("second run not idempotent:\n%s", out)
	}
	// An undefined variable names itself, the task and its place.
	bad := writePlay(t, "- name: uses an undefined variable\n  zone_diz:\n    name: \"{{ nosuch }}\"\n    state: absent\n")
	out, errOut, code = s.Run(nil, "zonemgr", "play", bad)
	if code == 0 || !strings.Contains(out+errOut, "nosuch") || !strings.Contains(out+errOut, "uses an undefined variable") {
		t.Errorf("undefined variable: exit %d\n%s\n%s", code, out, errOut)
	}
	// A task-file error: file:line:column and exit 1.
	broken := writePlay(t, "- name: x\n  zone_diz:\n    name: a\n  bogus_key: 1\n")
	_, errOut, code = s.Run(nil, "zonemgr", "play", broken)
	if code != 1 || !strings.Contains(errOut, "play.yml:4:3") {
		t.Errorf("task-file error: exit %d, stderr %q", code, errOut)
	}
}
