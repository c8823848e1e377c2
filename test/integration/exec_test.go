package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}

func TestExecDIZExitCodes(t *testing.T) {
	s := goldenSim(t)
	s0 := s.State()
	for _, rc := range []int{0, 1, 127, 255} {
		res := s.Module("zone_exec", map[string]any{"giz": "golden", "cmd": fmt.Sprintf("echo out; echo err >&2; exit %d", rc)})
		if num(res["rc"]) != rc {
			t.Errorf("rc = %v, want %d: %v", res["rc"], rc, pretty(res))
		}
		if failed := res["failed"] == true; failed != (rc != 0) {
			t.Errorf("rc %d: failed = %v", rc, res["failed"])
		}
		if res["stdout"] != "out" || res["stderr"] != "err" {
			t.Errorf("rc %d: stdout %q stderr %q", rc, res["stdout"], res["stderr"])
		}
		if res["discarded"] != true {
			t.Errorf("rc %d: discarded = %v", rc, res["discarded"])
		}
		if got := s.State(); got != s0 {
			t.Errorf("rc %d: exec-diz left things behind:\n%s", rc, diffLines(s0, got))
		}
	}
	// ok_rcs accepts a non-zero code and keeps it as rc.
	res := s.Module("zone_exec", map[string]any{"giz": "golden", "cmd": "exit 3", "ok_rcs": []int{0, 3}})
	if res["failed"] != false || num(res["rc"]) != 3 {
		t.Errorf("ok_rcs [0,3], exit 3: failed=%v rc=%v", res["failed"], res["rc"])
	}
}

// TestExecKilledBuild: a build killed by a signal is a failure with
// 128+N, whatever zlogin's own exit status says (zlogin exits 0 then, and
// so does su's parent with auditing on); zonemgr exec and exec-diz exit
// with it; the output carries no trace of the status zonemgr reads.
func TestExecKilledBuild(t *testing.T) {
	s := goldenSim(t)
	// The zone's first boot changes its own files (OpenIndiana's sysding
	// gives root's reset password back "NP"): the state to come back to
	// is the one after it.
	s.MustModule("zone_diz", map[string]any{"name": "k1", "giz": "golden", "state": "running", "copy_users": []string{"jenkins"}})
	s.MustModule("zone_diz", map[string]any{"name": "k1", "state": "stopped"})
	s0 := s.State()
	for _, tt := range []struct {
		cmd  string
		rc   int
		user string
		env  []string
	}{
		{"echo built; kill -KILL $$", 137, "", nil},
		{"echo built; kill -TERM $$", 143, "", nil},
		{"echo built; kill -TERM $$", 143, "jenkins", nil},
		{"echo built; exit 3", 3, "jenkins", []string{"ILLUMOS_SIM_AUDIT=on"}},
		{"echo built; kill -KILL $$", 137, "jenkins", []string{"ILLUMOS_SIM_AUDIT=on"}},
	} {
		args := map[string]any{"giz": "golden", "cmd": tt.cmd}
		cli := []string{"exec-diz", "-c", "golden", "--exec-cmd", tt.cmd}
		if tt.user != "" {
			args["user"], args["copy_users"] = tt.user, []string{tt.user}
			cli = append(cli, "--exec-user", tt.user, "--copy-users", tt.user)
		}
		res := s.Module("zone_exec", args, tt.env...)
		if res["failed"] != true || num(res["rc"]) != tt.rc || res["stdout"] != "built" || strings.Contains(fmt.Sprint(res["stderr"]), "zonemgr-status") {
			t.Errorf("zone_exec %q (user %q, %v): failed %v rc %v stdout %q stderr %q, want rc %d", tt.cmd, tt.user, tt.env, res["failed"], res["rc"], res["stdout"], res["stderr"], tt.rc)
		}
		out, errOut, code := s.Run(tt.env, "zonemgr", cli...)
		if code != tt.rc || out != "built\n" || strings.Contains(errOut, "zonemgr-status") {
			t.Errorf("zonemgr %s: exit %d stdout %q stderr %q, want exit %d", strings.Join(cli, " "), code, out, errOut, tt.rc)
		}
		out, errOut, code = s.Run(tt.env, "zonemgr", "exec", "-z", "k1", "--exec-cmd", tt.cmd)
		if code != tt.rc || out != "built\n" {
			t.Errorf("zonemgr exec -z k1 %q: exit %d stdout %q stderr %q, want exit %d", tt.cmd, code, out, errOut, tt.rc)
		}
		s.MustModule("zone_diz", map[string]any{"name": "k1", "state": "stopped"})
	}
	if got := s.State(); got != s0 {
		t.Errorf("left behind:\n%s", diffLines(s0, got))
	}
}

func TestExecDIZAsUser(t *testing.T) {
	s := goldenSim(t)
	res := s.MustModule("zone_exec", map[string]any{"giz": "golden", "copy_users": []string{"jenkins"}, "user": "jenkins",
		"chdir": "/tmp", "env": map[string]any{"GREETING": "it's me"}, "cmd": `echo "$(id -un) $(pwd) $GREETING"`})
	if res["stdout"] != "jenkins /tmp it's me" {
		t.Errorf("stdout = %q", res["stdout"])
	}
}

func TestExecDIZKeepOnFailure(t *testing.T) {
	s := goldenSim(t)
	res := s.Module("zone_exec", map[string]any{"giz": "golden", "name": "kept1", "cmd": "exit 2", "keep_on_failure": true})
	if res["failed"] != true || res["kept"] != true || res["zone"] != "kept1" {
		t.Fatalf("keep_on_failure: %v", pretty(res))
	}
	out, _, _ := s.Run(nil, "zoneadm", "-z", "kept1", "list", "-p")
	if !strings.Contains(out, ":kept1:running:") {
		t.Errorf("kept zone: %q", out)
	}
	s.MustModule("zone_diz", map[string]any{"name": "kept1", "state": "absent"})
}

func TestExecLargeOutputAndLog(t *testing.T) {
	s := goldenSim(t)
	log := filepath.Join(t.TempDir(), "build.log")
	res := s.MustModule("zone_exec", map[string]any{"giz": "golden", "log": log, "output_limit": 4,
		"cmd": "yes 0123456789abcdef | head -c 11534336; echo; echo the-end"})
	fi, err := os.Stat(log)
	if err != nil || fi.Size() < 11534336 {
		t.Fatalf("log: %v, size %d", err, fi.Size())
	}
	out, _ := res["stdout"].(string)
	if len(out) > 4096 || !strings.HasSuffix(out, "\nthe-end") {
		t.Errorf("stdout in the result: %d bytes, ends %q", len(out), out[max(0, len(out)-20):])
	}
}

func TestExecTimeout(t *testing.T) {
	s := goldenSim(t)
	s0 := s.State()
	res := s.Module("zone_exec", map[string]any{"giz": "golden", "cmd": "sleep 60", "timeout": 1})
	if res["failed"] != true || !strings.Contains(fmt.Sprint(res["msg"]), "timed out") {
		t.Errorf("timeout: %v", pretty(res))
	}
	if got := s.State(); got != s0 {
		t.Errorf("a timed-out exec-diz left things behind:\n%s", diffLines(s0, got))
	}
}

func TestExecExistingZoneDiscard(t *testing.T) {
	s := goldenSim(t)
	s.MustModule("zone_diz", map[string]any{"name": "b1", "giz": "golden", "state": "stopped"})
	marker := filepath.Join(s.Root, "zones/_zonemgr/DIZ/b1/root/marker")
	for _, tt := range []struct {
		discard  string
		cmd      string
		kept     bool
		disc     bool
		wantFail bool
	}{
		{"never", "touch /marker", true, false, false},
		{"always", "rm -f /marker; touch /other", true, true, false}, // rolled back: marker back, other gone
		{"onsuccess", "touch /ok; exit 0", false, true, false},
		{"onfailure", "touch /bad; exit 1", false, true, true},
		{"onfailure", "touch /good; exit 0", false, false, false},
	} {
		res := s.Module("zone_exec", map[string]any{"zone": "b1", "cmd": tt.cmd, "discard": tt.discard})
		if (res["failed"] == true) != tt.wantFail || res["discarded"] != tt.disc {
			t.Errorf("%s %q: failed=%v discarded=%v msg=%v", tt.discard, tt.cmd, res["failed"], res["discarded"], res["msg"])
		}
		out, _, _ := s.Run(nil, "zoneadm", "-z", "b1", "list", "-p")
		if !strings.Contains(out, ":b1:installed:") {
			t.Errorf("%s: zone not back to installed: %q", tt.discard, out)
		}
		snaps, _, _ := s.Run(nil, "zfs", "list", "-H", "-o", "name", "-t", "snapshot", "-r", "rpool/zones/_zonemgr/DIZ/b1")
		if strings.Contains(snaps, "zonemgr-exec-") {
			t.Errorf("%s: exec snapshot left behind:\n%s", tt.discard, snaps)
		}
	}
	for name, want := range map[string]bool{"marker": true, "other": false, "ok": false, "bad": false, "good": true} {
		_, err := os.Stat(filepath.Join(filepath.Dir(marker), name))
		if (err == nil) != want {
			t.Errorf("/%s exists=%v, want %v", name, err == nil, want)
		}
	}
}

func TestExecCheckMode(t *testing.T) {
	s := goldenSim(t)
	s0 := s.State()
	res := s.MustModule("zone_exec", map[string]any{"giz": "golden", "cmd": "touch /x", "_ansible_check_mode": true})
	if res["skipped"] != true || res["changed"] != false {
		t.Errorf("check mode: %v", pretty(res))
	}
	if got := s.State(); got != s0 {
		t.Errorf("check mode changed the sim:\n%s", diffLines(s0, got))
	}
}

// A command that outlives its timeout in an existing zone is stopped in
// the zone, not only its zlogin: zlogin passes SIGINT on and nothing
// else, so a command that ignores SIGINT has its process group in the
// zone killed, and the result says so.
func TestExecTimeoutStopsTheCommandInTheZone(t *testing.T) {
	s := goldenSim(t)
	s.MustModule("zone_diz", map[string]any{"name": "t1", "giz": "golden", "state": "running"})
	root := filepath.Join(s.Root, "zones/_zonemgr/DIZ/t1/root")
	for _, tc := range []struct {
		name, cmd string
		killed    bool
	}{
		{"stops at SIGINT", "echo $$ > /pid; sleep 30; touch /after", false},
		{"ignores SIGINT", "trap '' INT; echo $$ > /pid; sleep 30; touch /after", true},
	} {
		os.Remove(filepath.Join(root, "pid"))
		res := s.Module("zone_exec", map[string]any{"zone": "t1", "cmd": tc.cmd, "timeout": 1})
		msg := fmt.Sprint(res["msg"])
		if res["failed"] != true || !strings.Contains(msg, "timed out after 1s") {
			t.Errorf("%s: %v", tc.name, pretty(res))
		}
		if got := strings.Contains(msg, "ignored SIGINT, and its process group in zone t1 was killed"); got != tc.killed {
			t.Errorf("%s: the message says the process group was killed: %v, want %v: %s", tc.name, got, tc.killed, msg)
		}
		b, err := os.ReadFile(filepath.Join(root, "pid"))
		if err != nil {
			t.Fatalf("%s: the command never started: %v", tc.name, err)
		}
		pid := strings.TrimSpace(string(b))
		if st, err := os.ReadFile("/proc/" + pid + "/stat"); err == nil && !strings.Contains(string(st), ") Z ") {
			t.Errorf("%s: the command (pid %s) still runs in the zone after the run: %s", tc.name, pid, st)
		}
		out, _, _ := s.Run(nil, "zoneadm", "-z", "t1", "list", "-p")
		if !strings.Contains(out, ":t1:running:") {
			t.Errorf("%s: the zone is no longer running: %q", tc.name, out)
		}
	}
}

// TestExecOutputAsCommand: zone_exec's stdout and stderr are what
// ansible.builtin.command returns: the line ends at their end stripped
// (strip_empty_ends, true by default), and empty in check mode, where
// the command is skipped.
func TestExecOutputAsCommand(t *testing.T) {
	s := goldenSim(t)
	s.MustModule("zone_diz", map[string]any{"name": "o1", "giz": "golden", "state": "running"})
	cmd := `printf 'yes\r\n\n'; printf 'e\n\n' >&2`
	for _, c := range []struct {
		args           map[string]any
		stdout, stderr string
	}{
		{map[string]any{}, "yes", "e"},
		{map[string]any{"strip_empty_ends": false}, "yes\r\n\n", "e\n\n"},
		{map[string]any{"_ansible_check_mode": true}, "", ""},
	} {
		args := map[string]any{"zone": "o1", "cmd": cmd}
		for k, v := range c.args {
			args[k] = v
		}
		res := s.MustModule("zone_exec", args)
		if res["stdout"] != c.stdout || res["stderr"] != c.stderr {
			t.Errorf("zone_exec %v: stdout %q stderr %q, want %q %q", c.args, res["stdout"], res["stderr"], c.stdout, c.stderr)
		}
	}
}
