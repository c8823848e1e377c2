package integration

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/sim/core"
)

// The sim's ordinary users (sim/rbac): jim has the Zone Management, Zone
// Security, ZFS File System Management and Network Management profiles
// and the zone authorizations; builder has no profile at all.
const (
	uidJim     = 1002
	uidBuilder = 1003
)

// runAs runs a front door as the sim's ordinary user uid the way it runs
// on illumos when not root. The test process is root, so the front door's
// own re-execution would not happen; instead the test asks the product's
// illumos.PlanElevation what it would exec for a process with that uid,
// and execs exactly that (pfexec EXE ARGS... with ZONEMGR_ELEVATED=1, the
// sim's pfexec found first on PATH). The sim's pfexec marks the process
// as running under pfexec, which every child inherits as PRIV_PFEXEC is
// on illumos, so each zfs, zonecfg, zoneadm, zlogin and dladm that
// zonemgr starts is checked against the user's RBAC profiles. With
// elevate false the front door runs as the user without pfexec.
func runAs(t *testing.T, s *Sim, uid int, elevate bool, name string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	exe := filepath.Join(bin(t), name)
	env := append(append([]string{}, s.Env...), core.EnvUID+"="+itoa(uid))
	for i, e := range env {
		if strings.HasPrefix(e, illumos.EnvElevateCmd+"=") {
			env[i] = illumos.EnvElevateCmd + "=pfexec"
		}
	}
	path, argv := exe, append([]string{exe}, args...)
	if elevate {
		e, err := illumos.PlanElevation(uid, exe, argv, env)
		if err != nil || !e.Needed {
			t.Fatalf("PlanElevation for uid %d: %+v, %v", uid, e, err)
		}
		if filepath.Dir(e.Path) != s.Links || e.Argv[0] != "pfexec" || e.Argv[1] != exe {
			t.Fatalf("PlanElevation: exec %s %q, want the sim's pfexec with %s", e.Path, e.Argv, exe)
		}
		path, argv, env = e.Path, e.Argv, e.Env
	} else {
		env = append(env, illumos.EnvElevated+"=1")
	}
	cmd := &exec.Cmd{Path: path, Args: argv, Env: env}
	var o, eb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &eb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %q: %v", name, args, err)
	}
	return o.String(), eb.String(), code
}

func itoa(n int) string { return strconv.Itoa(n) }

// moduleAs runs a module binary as uid (through pfexec when elevate) and
// returns its result.
func moduleAs(t *testing.T, s *Sim, uid int, elevate bool, module string, args map[string]any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(args)
	f := filepath.Join(t.TempDir(), "args")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runAs(t, s, uid, elevate, module, f)
	var res map[string]any
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("%s: stdout is not one JSON object: %v\n%s%s", module, err, stdout, stderr)
	}
	if failed, _ := res["failed"].(bool); failed != (code != 0) {
		t.Errorf("%s: failed=%v with exit %d", module, res["failed"], code)
	}
	return res
}

// TestNonRootCoreScenarios runs the core scenarios as jim through the
// pfexec re-execution: create a golden zone, create, exec in and destroy
// a disposable zone, exec-diz, through the CLI and the modules; every
// tool the sim logged ran as uid 1002 under pfexec.
func TestNonRootCoreScenarios(t *testing.T) {
	s := NewSim(t)
	steps := []struct {
		args []string
		want string // on stdout
	}{
		{[]string{"create-giz", "-z", "golden", "--copy-users", "jenkins", "--copy-groups", "jenkins"}, "golden\n"},
		{[]string{"create-diz", "-c", "golden", "-z", "d1", "--copy-users", "jenkins", "--add-vnic-over", "e1000g0|81"}, "d1\n"},
		{[]string{"exec", "-z", "d1", "--exec-user", "jenkins", "--exec-cmd", "echo $(id -un) in $(cat /etc/nodename)"}, "jenkins in d1\n"},
		{[]string{"snapshot", "-z", "d1", "-s", "s1"}, ""},
		{[]string{"destroy", "-z", "d1"}, ""},
		{[]string{"exec-diz", "-c", "golden", "--copy-users", "jenkins", "--exec-user", "jenkins", "--exec-cmd", "id -u"}, "1001\n"},
	}
	for _, st := range steps {
		out, errOut, code := runAs(t, s, uidJim, true, "zonemgr", st.args...)
		if code != 0 || !strings.Contains(out, st.want) {
			t.Fatalf("jim: zonemgr %q: exit %d, stdout %q, want %q\n%s", st.args, code, out, st.want, errOut)
		}
	}
	res := moduleAs(t, s, uidJim, true, "zone_diz", map[string]any{"name": "d2", "giz": "golden", "state": "running"})
	if res["failed"] == true || res["state"] != "running" {
		t.Fatalf("jim: zone_diz: %v", pretty(res))
	}
	res = moduleAs(t, s, uidJim, true, "zone_diz", map[string]any{"name": "d2", "state": "absent"})
	if res["failed"] == true || res["changed"] != true {
		t.Fatalf("jim: zone_diz absent: %v", pretty(res))
	}
	out, _, _ := s.Run(nil, "zoneadm", "list", "-cp")
	if strings.Contains(out, ":d1:") || strings.Contains(out, ":d2:") || strings.Contains(out, ":diz-") {
		t.Errorf("disposable zones left behind:\n%s", out)
	}
	n := 0
	for _, e := range s.Log() {
		if e.UID == 0 {
			continue
		}
		n++
		if e.UID != uidJim || !e.Pfexec {
			t.Errorf("%s ran as uid %d, pfexec %v; want uid %d under pfexec", strings.Join(e.Argv, " "), e.UID, e.Pfexec, uidJim)
		}
	}
	if n < 20 {
		t.Errorf("only %d commands ran as jim", n)
	}
}

// TestRBACErrors shows what a user without the needed profile gets: the
// tools' own refusals, exactly, in the result, and the sim unchanged. jim
// without pfexec has his profiles but does not use them; builder has
// none, with or without pfexec.
func TestRBACErrors(t *testing.T) {
	s := goldenSim(t)
	s.MustModule("zone_diz", map[string]any{"name": "d1", "giz": "golden"})
	s0 := s.State()
	users := []struct {
		label   string
		uid     int
		elevate bool
	}{
		{"jim without pfexec", uidJim, false},
		{"builder without pfexec", uidBuilder, false},
		{"builder with pfexec", uidBuilder, true},
	}
	cases := []struct {
		label  string
		module string
		args   map[string]any
		want   []string
	}{
		{"create a disposable zone", "zone_diz", map[string]any{"name": "d2", "giz": "golden"},
			[]string{"zonecfg -z d2 -f", "d2: cannot create in read-only mode."}},
		{"delegate a new dataset", "zone_diz", map[string]any{"name": "d2", "giz": "golden", "delegate_datasets": []string{"rpool/zones/_zonemgr/delegated/d2"}},
			[]string{"cannot create 'rpool/zones/_zonemgr/delegated/d2': permission denied"}},
		{"boot a disposable zone", "zone_diz", map[string]any{"name": "d1", "state": "running"},
			[]string{"zoneadm: zone 'd1': only a privileged user may boot a zone."}},
		{"destroy a disposable zone", "zone_diz", map[string]any{"name": "d1", "state": "absent"},
			[]string{"zoneadm: zone 'd1': only a privileged user may uninstall a zone."}},
	}
	for _, u := range users {
		for _, c := range cases {
			res := moduleAs(t, s, u.uid, u.elevate, c.module, c.args)
			if res["failed"] != true {
				t.Errorf("%s: %s: not refused: %v", u.label, c.label, pretty(res))
				continue
			}
			msg, _ := res["msg"].(string)
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%s: %s: msg does not say %q:\n%s", u.label, c.label, w, msg)
				}
			}
			if got := s.State(); got != s0 {
				t.Fatalf("%s: %s changed the sim:\n%s", u.label, c.label, diffLines(s0, got))
			}
		}
	}
}
