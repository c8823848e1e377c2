package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zone"
)

func TestOutfile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "zonemgr.out")
	h := newFakeHost()
	steps := []struct {
		args []string
		file string // the file's content after the step
	}{
		{a("create-diz", "-c", "test-giz-1", "-O", out), "GENERATED_ZONENAME='diz-abc123-0001'\n"},
		{a("--outfile", out, "create-diz", "-c", "test-giz-1", "-z", "test-diz-2"),
			"GENERATED_ZONENAME='diz-abc123-0001'\nGENERATED_ZONENAME='test-diz-2'\n"},
		{a("exec-diz", "-c", "test-giz-1", "--exec-cmd", "make", "-O", out),
			"GENERATED_ZONENAME='diz-abc123-0001'\nGENERATED_ZONENAME='test-diz-2'\nGENERATED_ZONENAME='diz-abc123-0002'\n"},
		// A dry run writes nothing; exec in an existing zone names no new zone.
		{a("-n", "create-diz", "-c", "test-giz-1", "-O", out),
			"GENERATED_ZONENAME='diz-abc123-0001'\nGENERATED_ZONENAME='test-diz-2'\nGENERATED_ZONENAME='diz-abc123-0002'\n"},
		{a("exec", "-z", "test-diz-1", "--exec-cmd", "make", "-O", out),
			"GENERATED_ZONENAME='diz-abc123-0001'\nGENERATED_ZONENAME='test-diz-2'\nGENERATED_ZONENAME='diz-abc123-0002'\n"},
	}
	for _, st := range steps {
		if got := runCLI(t, h, nil, st.args...); got.code != 0 {
			t.Fatalf("%q: exit status %d; stderr:\n%s", st.args, got.code, got.stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != st.file {
			t.Errorf("after %q the outfile holds:\n%s\nwant:\n%s", st.args, b, st.file)
		}
	}
}

func TestOutfileFailure(t *testing.T) {
	h := newFakeHost()
	out := filepath.Join(t.TempDir(), "missing-dir", "zonemgr.out")
	got := runCLI(t, h, nil, "create-diz", "-c", "test-giz-1", "-O", out)
	if got.code != 1 {
		t.Errorf("exit status %d, want 1", got.code)
	}
	if got.stdout != "diz-abc123-0001\n" {
		t.Errorf("stdout %q: the zone was made and must be named", got.stdout)
	}
	if !strings.Contains(got.stderr, "zonemgr: error: write outfile: open "+out) {
		t.Errorf("stderr does not name the outfile:\n%s", got.stderr)
	}
}

// TestCreateGIZNamedByContent: without -z, create-giz leaves the name to
// the engine, which names the zone by its content; the name it reports
// is printed and written to the -O file.
func TestCreateGIZNamedByContent(t *testing.T) {
	h := newFakeHost()
	out := filepath.Join(t.TempDir(), "out")
	got := runCLI(t, h, nil, "create-giz", "-O", out, "-p", "b a")
	if got.code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", got.code, got.stderr)
	}
	if len(h.calls) != 1 || h.calls[0].module != "zone_giz" || h.calls[0].args != `{"add_packages":["b","a"],"state":"present"}` {
		t.Fatalf("calls %+v, want one zone_giz without a name", h.calls)
	}
	name := strings.TrimSuffix(got.stdout, "\n")
	if !regexp.MustCompile(`^giz-[0-9a-f]{10}$`).MatchString(name) {
		t.Errorf("name %q is not GIZ_NAME_PREFIX and a content hash", name)
	}
	if b, _ := os.ReadFile(out); string(b) != "GENERATED_ZONENAME='"+name+"'\n" {
		t.Errorf("outfile %q", b)
	}
}

func TestJSONOutput(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want map[string]any // keys the one JSON object must have with these values
	}{
		{a("--json", "create-diz", "-c", "test-giz-1"), 0,
			map[string]any{"changed": true, "failed": false, "name": "diz-abc123-0001", "msg": "zone diz-abc123-0001: 3 step(s) ran"}},
		{a("--json", "is-managed", "foreign"), 1, map[string]any{"exists": true, "managed": false}},
		{a("--json", "is-giz", "test-giz-1"), 0, map[string]any{"exists": true, "managed": true, "role": "giz"}},
		{a("--json", "destroy", "-z", "nosuch"), 0, map[string]any{"changed": false, "failed": false, "msg": "zone nosuch does not exist", "state": "absent"}},
		{a("--json", "boot", "-z", "foreign"), 1, map[string]any{"changed": false, "failed": true, "msg": "zone foreign is not managed by zonemgr, which never changes it"}},
		{a("--json", "list-snaps", "test-giz-1"), 0, map[string]any{"changed": false, "zone": "test-giz-1"}},
		{a("--json", "exec", "-z", "test-diz-1", "--exec-cmd", "make"), 0,
			map[string]any{"rc": float64(0), "stdout": "built", "stdout_lines": []any{"built"}, "zone": "test-diz-1"}},
		{a("--json", "update-giz"), 0, map[string]any{"changed": true, "failed": false, "msg": "2 golden zone(s) checked, 2 updated and snapshotted"}},
		{a("--json", "-n", "create-diz", "-c", "test-giz-1"), 0,
			map[string]any{"changed": true, "plan": []any{"zoneadm -z diz-abc123-0001 boot", "zoneadm -z diz-abc123-0001 halt"}}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got := runCLI(t, newFakeHost(), nil, tt.args...)
			if got.code != tt.code {
				t.Errorf("exit status %d, want %d; stderr:\n%s", got.code, tt.code, got.stderr)
			}
			dec := json.NewDecoder(strings.NewReader(got.stdout))
			var obj map[string]any
			if err := dec.Decode(&obj); err != nil {
				t.Fatalf("stdout is not a JSON object: %v\n%s", err, got.stdout)
			}
			if dec.More() {
				t.Errorf("stdout holds more than one JSON value:\n%s", got.stdout)
			}
			for k, v := range tt.want {
				gb, _ := json.Marshal(obj[k])
				wb, _ := json.Marshal(v)
				if string(gb) != string(wb) {
					t.Errorf("%s = %s, want %s", k, gb, wb)
				}
			}
		})
	}
}

func TestListSnapshotsJSON(t *testing.T) {
	got := runCLI(t, newFakeHost(), nil, "--json", "list-snapshots", "-z", "test-giz-1")
	var obj struct {
		Snapshots []struct{ Name string } `json:"snapshots"`
	}
	if err := json.Unmarshal([]byte(got.stdout), &obj); err != nil {
		t.Fatalf("%v\n%s", err, got.stdout)
	}
	var names []string
	for _, s := range obj.Snapshots {
		names = append(names, s.Name)
	}
	if strings.Join(names, " ") != "initial-installed-test-giz-1 snap1" {
		t.Errorf("snapshots %q: the one check mode would take must be left out", names)
	}
}

func TestExitStatus(t *testing.T) {
	tests := []struct {
		name string
		prep func(h *fakeHost)
		args []string
		code int
	}{
		{"exec passes the command's status", func(h *fakeHost) { h.rc = 3 }, a("exec", "-z", "test-diz-1", "--exec-cmd", "exit 3"), 3},
		{"exec-diz passes the command's status", func(h *fakeHost) { h.rc = 3 }, a("exec-diz", "-c", "test-giz-1", "--exec-cmd", "exit 3"), 3},
		{"exec passes 0", nil, a("exec", "-z", "test-diz-1", "--exec-cmd", "true"), 0},
		{"a status beyond 255 is a failure", func(h *fakeHost) { h.rc = 300 }, a("exec", "-z", "test-diz-1", "--exec-cmd", "x"), 1},
		{"a module failure without rc", func(h *fakeHost) { h.fail["zone_exec"] = "clone failed" }, a("exec-diz", "-c", "test-giz-1", "--exec-cmd", "x"), 1},
		{"a failed module", func(h *fakeHost) { h.fail["zone_diz"] = "zonecfg failed" }, a("create-diz", "-c", "test-giz-1"), 1},
		{"a failed lookup", func(h *fakeHost) { h.fail["zone_info"] = "no zoneadm" }, a("boot", "-z", "test-diz-1"), 1},
		{"update-giz goes on after a failure and fails", func(h *fakeHost) { h.fail["zone_giz"] = "pkg failed" }, a("update-giz"), 1},
		{"is-managed yes", nil, a("is-managed", "test-diz-1"), 0},
		{"is-managed no", nil, a("is-managed", "foreign"), 1},
		{"already absent", nil, a("destroy", "-z", "gone"), 0},
		{"help", nil, a("--help"), 0},
		{"print-config without a verb", nil, a("--print-config"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newFakeHost()
			if tt.prep != nil {
				tt.prep(h)
			}
			got := runCLI(t, h, nil, tt.args...)
			if got.code != tt.code {
				t.Errorf("exit status %d, want %d; stderr:\n%s", got.code, tt.code, got.stderr)
			}
		})
	}
}

func TestUpdateGIZAfterFailure(t *testing.T) {
	h := newFakeHost()
	h.fail["zone_giz"] = "pkg update failed"
	got := runCLI(t, h, nil, "update-giz")
	if len(h.calls) != 3 {
		t.Fatalf("%d calls, want zone_info and one zone_giz per golden zone", len(h.calls))
	}
	want := "zonemgr: error: pkg update failed\nzonemgr: error: pkg update failed\nzonemgr: error: 2 of 2 golden zone(s) failed to update\n"
	if got.stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", got.stderr, want)
	}
}

func TestCheckModeReachesTheModule(t *testing.T) {
	h := newFakeHost()
	got := runCLI(t, h, nil, "-d", "5", "-n", "stop", "-z", "test-diz-1")
	if got.code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", got.code, got.stderr)
	}
	if len(h.calls) != 2 || h.calls[0].check || !h.calls[1].check || h.calls[1].module != "zone_diz" {
		t.Fatalf("check mode per call: want the lookup plain and the change checked: %+v", h.calls)
	}
	want := "zonemgr: debug: zone_info {\"Name\":\"test-diz-1\"}\n" +
		"zonemgr: debug: zone_diz (check mode) {\"Name\":\"test-diz-1\",\"Omitted\":[\"lofs mounts\",\"NFS automounts\",\"delegated datasets\",\"VNICs\",\"VNICs over links\",\"users to copy\",\"groups to copy\",\"users to elevate\",\"memory cap\",\"CPU cap\"],\"State\":\"stopped\"}\n"
	if !strings.Contains(got.stderr, want) {
		t.Errorf("stderr lacks the module call:\n%s", got.stderr)
	}
	if got.stdout != "zoneadm -z test-diz-1 boot\nzoneadm -z test-diz-1 halt\n" {
		t.Errorf("stdout %q, want the plan", got.stdout)
	}
}

func TestMessageLevels(t *testing.T) {
	const (
		warn = "zonemgr: warning: -b lipkg ignored: the template SUNWipkg (TEMPLATE_GIZ) wins, as in the original; set TEMPLATE_GIZ= to create from a brand\n"
		info = "zonemgr: zone g: 3 step(s) ran\n"
	)
	tests := []struct {
		args   []string
		env    map[string]string
		stderr string
	}{
		{a("create-giz", "-z", "g", "-b", "lipkg"), nil, warn + info},
		{a("-q", "create-giz", "-z", "g", "-b", "lipkg"), nil, warn},
		{a("-Q", "create-giz", "-z", "g", "-b", "lipkg"), nil, ""},
		{a("-d", "0", "create-giz", "-z", "g", "-b", "lipkg"), nil, ""},
		{a("create-giz", "-z", "g", "-b", "lipkg"), map[string]string{"ZONEMGR_DEBUG": "no"}, warn},
		{a("create-giz", "-z", "g", "-b", "lipkg"), map[string]string{"ZONEMGR_DEBUG": "1"}, ""},
		{a("-d", "create-giz", "-z", "g", "-b", "lipkg"), map[string]string{"ZONEMGR_DEBUG": "1"}, warn},
	}
	for _, tt := range tests {
		got := runCLI(t, newFakeHost(), tt.env, tt.args...)
		if got.stderr != tt.stderr {
			t.Errorf("%q %v: stderr:\n%s\nwant:\n%s", tt.args, tt.env, got.stderr, tt.stderr)
		}
		if got.stdout != "g\n" {
			t.Errorf("%q: stdout %q: data does not depend on the level", tt.args, got.stdout)
		}
	}
}

func TestErrorsAtLevels(t *testing.T) {
	h := newFakeHost()
	h.fail["zone_diz"] = "clone: zfs failed\ncleaned up: zonecfg delete"
	got := runCLI(t, h, nil, "create-diz", "-c", "test-giz-1")
	want := "zonemgr: error: clone: zfs failed\nzonemgr: error: cleaned up: zonecfg delete\n"
	if got.code != 1 || got.stderr != want || got.stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant:\n%s", got.code, got.stdout, got.stderr, want)
	}
	got = runCLI(t, h, nil, "-d", "0", "create-diz", "-c", "test-giz-1")
	if got.code != 1 || got.stderr != "" {
		t.Errorf("-d 0: exit %d, stderr %q", got.code, got.stderr)
	}
}

func TestConfiguration(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "my.conf")
	content := "COPY_USERS='jenkins'\nADD_MOUNT_LOFS=/export/home\nORIGIN_GIZ=test-giz-1\nTARGET_ZONE=never-this\nSNAP_NAME=nor-this\nEXEC_DISCARD=onsuccess\n"
	if err := os.WriteFile(conf, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newFakeHost()
	got := runCLI(t, h, nil, "create-diz", "--config", conf, "--copy-users", "jim")
	if got.code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", got.code, got.stderr)
	}
	want := canonical(t, `{"giz":"test-giz-1","state":"present","copy_users":["jenkins","jim"],"mount_lofs":["/export/home"]}`)
	if h.calls[0].args != want {
		t.Errorf("args %s\nwant %s", h.calls[0].args, want)
	}

	h = newFakeHost()
	got = runCLI(t, h, map[string]string{"ZONEMGR_CONF": conf}, "exec-diz", "--exec-cmd", "make", "-c", "build-giz-jdk")
	want = canonical(t, `{"giz":"build-giz-jdk","cmd":"make","discard":"onsuccess","copy_users":["jenkins"],"mount_lofs":["/export/home"]}`)
	if got.code != 0 || len(h.calls) != 1 || h.calls[0].args != want {
		t.Errorf("exit %d, calls %+v\nwant %s", got.code, h.calls, want)
	}

	got = runCLI(t, newFakeHost(), nil, "--config", conf, "--print-config", "-z", "z1", "--copy-users", "jim")
	for _, line := range []string{"COPY_USERS='jenkins jim'\n", "TARGET_ZONE='z1'\n", "ORIGIN_GIZ='test-giz-1'\n", "SNAP_NAME='nor-this'\n", "DATASET_CONTAINMENT_GIZ='rpool/zones/_zonemgr/GIZ'\n"} {
		if !strings.Contains(got.stdout, line) {
			t.Errorf("--print-config lacks %q:\n%s", line, got.stdout)
		}
	}

	got = runCLI(t, newFakeHost(), nil, "--config", filepath.Join(dir, "nope.conf"), "list")
	if got.code != 1 || got.stderr != "zonemgr: error: config file "+filepath.Join(dir, "nope.conf")+": does not exist\n" {
		t.Errorf("missing --config file: exit %d, stderr %q", got.code, got.stderr)
	}
}

func TestListFormats(t *testing.T) {
	h := newFakeHost()
	h.zones["half-diz"] = fakeZone{role: "diz", state: "incomplete"}
	tests := []struct {
		args   []string
		stdout string
	}{
		{a("list-diz", "-i"), "mnt-diz\ntest-diz-1\n"},
		{a("list-diz", "-c"), "half-diz\nmnt-diz\ntest-diz-1\n"},
		{a("list-diz", "-ip"), "mnt-diz:mounted:/zones/mnt-diz:ipkg:diz:test-giz-1\ntest-diz-1:running:/zones/test-diz-1:ipkg:diz:test-giz-1\n"},
		{a("list-giz", "-v"), "NAME             STATUS     PATH                           BRAND    ROLE GIZ\n" +
			"build-giz-jdk    installed  /zones/build-giz-jdk           ipkg     giz\n" +
			"test-giz-1       installed  /zones/test-giz-1              ipkg     giz\n"},
		{a("list-giz", "-z", "nosuch*"), ""},
	}
	for _, tt := range tests {
		got := runCLI(t, h, nil, tt.args...)
		if got.code != 0 || got.stdout != tt.stdout {
			t.Errorf("%q: exit %d, stdout:\n%s\nwant:\n%s", tt.args, got.code, got.stdout, tt.stdout)
		}
	}
	if got := runCLI(t, h, nil, "list-giz", "-z", "nosuch*"); got.stderr != "zonemgr: no such zones were found\n" {
		t.Errorf("empty list: stderr %q", got.stderr)
	}
}

func TestLiveOutput(t *testing.T) {
	var stdout, stderr strings.Builder
	if w := liveOutput(false, &stdout, &stderr); w != &stdout {
		t.Errorf("a command's output must go to stdout")
	}
	if w := liveOutput(true, &stdout, &stderr); w != &stderr {
		t.Errorf("with --json a command's output must go to stderr, to keep stdout one JSON object")
	}
}

func TestCommandTrace(t *testing.T) {
	e := illumos.TranscriptEntry{Argv: "zfs list -H -o name rpool/zones", ExitCode: 0, Duration: 3 * time.Millisecond}
	for _, tt := range []struct {
		level int
		want  string
	}{
		{levelTrace, "zonemgr: trace: + zfs list -H -o name rpool/zones  [read, rc=0, 3ms]\n"},
		{levelInfo, ""},
	} {
		var stderr strings.Builder
		p := &printer{stderr: &stderr, level: tt.level}
		p.command(e)
		if stderr.String() != tt.want {
			t.Errorf("level %d: %q, want %q", tt.level, stderr.String(), tt.want)
		}
	}
}

// TestErrorsNameFlags: a request the engine refuses is reported with the
// flags the user typed, whether the command line finds the problem
// before any call or the engine finds it during one.
func TestErrorsNameFlags(t *testing.T) {
	_, engineErr := zone.ParseLofs("relative/dir")
	tests := []struct {
		name   string
		setup  func(*fakeHost)
		args   []string
		calls  int
		stderr string
	}{
		{"a VLAN that is not a number", nil, a("create-diz", "-c", "test-giz-1", "--add-vnic-over", "e1000g0|x"), 0,
			"zonemgr: error: --add-vnic-over: \"e1000g0|x\": VLAN \"x\" is not a number from 1 to 4094\n"},
		{"two bad values at once", nil, a("create-diz", "-c", "test-giz-1", "--mount-lofs", "/a|/b|rx", "--mount-autonfs", "x"), 0,
			"zonemgr: error: --mount-lofs: \"/a|/b|rx\": mode \"rx\" is not one of: ro, rw; --mount-autonfs: \"x\": want \"/zone/path|server:/exported/path\" with an absolute, clean zone path\n"},
		{"a publisher without an origin", nil, a("pkg-refresh", "-z", "test-giz-1", "-g", "omnios"), 1,
			"zonemgr: error: -g: \"omnios\": want \"name|scheme://origin/url\"\n"},
		{"the engine's refusal", func(h *fakeHost) { h.failErr = map[string]error{"zone_diz": engineErr} }, a("create-diz", "-c", "test-giz-1"), 1,
			"zonemgr: error: --mount-lofs: dir \"relative/dir\" is not an absolute path\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newFakeHost()
			if tt.setup != nil {
				tt.setup(h)
			}
			got := runCLI(t, h, nil, tt.args...)
			if got.code != 1 || got.stderr != tt.stderr || len(h.calls) != tt.calls {
				t.Errorf("exit %d, %d call(s), stderr:\n%s\nwant exit 1, %d call(s), stderr:\n%s", got.code, len(h.calls), got.stderr, tt.calls, tt.stderr)
			}
		})
	}
}
