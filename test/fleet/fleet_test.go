// Package fleettest runs the illumos.zonemgr collection across a fleet of
// simulated global zones that Ansible reaches over real SSH, as it
// reaches real hosts: fleet.sh (make fleet) starts each host in its own
// network namespace with its own sshd, its own sim root and its own
// accounts, root and jim, whose rights come only from RBAC profiles
// through the simulated pfexec. Every task copies the module binary to
// the host over SSH and runs it there. The tests skip, saying why, where
// network namespaces, sshd or Ansible are missing.
package fleettest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/sim/pkg"
	"github.com/zonemgr/zonemgr/test/internal/simh"
)

func TestMain(m *testing.M) { simh.Main(m) }

// goldenDS is the dataset of the golden zone giz-rollout makes.
const goldenDS = "rpool/zones/_zonemgr/GIZ/golden"

// TestFleet brings up three global zones and a host without the sim's
// tools, and runs the collection over SSH on them, one subtest after the
// other on the same fleet: each leaves the hosts as the next expects.
func TestFleet(t *testing.T) {
	f := Up(t, 3, 1)
	steps := []struct {
		name string
		run  func(*testing.T, *Fleet)
	}{
		{"EachHostItsOwn", testEachHostItsOwn},
		{"ZoneInfo", testZoneInfo},
		{"NonRootThroughPfexec", testNonRoot},
		{"GIZRollout", testGIZRollout},
		{"ParallelBuilds", testParallelBuilds},
		{"BadInput", testBadInput},
		{"HostDownMidPlay", testHostDownMidPlay},
	}
	for _, s := range steps {
		t.Run(s.name, func(st *testing.T) {
			f.t = st // the Fleet's failures are the subtest's
			defer func() { f.t = t }()
			s.run(st, f)
		})
	}
}

// testEachHostItsOwn: a login, root's or jim's, finds the sim's tools
// where illumos has them, its own host's state root from the host's
// sshd, its own hostname and accounts, and no other host's files; jim
// cannot make himself root by setting the sim's uid variable.
func testEachHostItsOwn(t *testing.T, f *Fleet) {
	probe := `printf '%s\n' "$ILLUMOS_SIM_ROOT" "$ZONEMGR_ROOT" "$(hostname)" "$(id -un)"; ls -d /usr/sbin/zoneadm /usr/sbin/zfs /usr/bin/pfexec; ls ` + filepath.Join(f.Dir, "hosts")
	for _, user := range []string{"root", "jim"} {
		res, code := f.AdHoc("build_gz", "ansible.builtin.shell", probe, "-e", "ansible_user="+user)
		if code != 0 {
			t.Fatalf("%s: exit %d: %v", user, code, res)
		}
		for _, h := range f.Hosts {
			want := strings.Join([]string{f.Root(h), f.Root(h), h, user, "/usr/bin/pfexec", "/usr/sbin/zfs", "/usr/sbin/zoneadm", h}, "\n")
			if got := res[h].Str("stdout"); got != want {
				t.Errorf("%s as %s sees\n%s\nwant\n%s", h, user, got, want)
			}
		}
	}
	// The sim's caller is the login's real uid, whatever the environment
	// says: jim's zfs create is refused, and logged as uid 1002.
	n := len(f.Log("gz1"))
	res, _ := f.AdHoc("gz1", "ansible.builtin.shell", "ILLUMOS_SIM_UID=0 /usr/sbin/zfs create rpool/claimed", "-e", "ansible_user=jim")
	if res["gz1"]["rc"] != 1.0 || !strings.Contains(res["gz1"].Str("stderr"), "permission denied") {
		t.Errorf("jim with ILLUMOS_SIM_UID=0: zfs create: %v", res["gz1"])
	}
	log := f.Log("gz1")[n:]
	if len(log) != 1 || log[0].UID != 1002 || log[0].Exit != 1 {
		t.Errorf("jim's zfs create: logged %+v, want one refused call by uid 1002", log)
	}
	if strings.Contains(f.Sim("gz1", "zfs", "list", "-H", "-o", "name"), "claimed") {
		t.Error("jim created rpool/claimed")
	}
}

// testZoneInfo: ansible all -m illumos.zonemgr.zone_info, as root and as
// jim: every global zone answers from its own sim (three read-only
// commands in each host's own log), and the host without the sim fails
// with zonemgr's own words.
func testZoneInfo(t *testing.T, f *Fleet) {
	for _, user := range []string{"root", "jim"} {
		logStart := map[string]int{}
		for _, h := range f.Hosts {
			logStart[h] = len(f.Log(h))
		}
		res, code := f.AdHoc("all", "illumos.zonemgr.zone_info", "", "-e", "ansible_user="+user)
		if code != 2 {
			t.Errorf("as %s: exit %d, want 2 (nosim1 fails)", user, code)
		}
		uid := map[string]int{"root": 0, "jim": 1002}[user]
		for _, h := range f.Hosts {
			r := res[h]
			if r.Str("msg") != "0 managed zones" || r["changed"] != false {
				t.Errorf("%s as %s: %v", h, user, r)
			}
			var tools []string
			for _, e := range f.Log(h)[logStart[h]:] {
				tools = append(tools, e.Tool)
				if e.UID != uid || e.Mutating {
					t.Errorf("%s as %s: %q ran as uid %d, mutating %v", h, user, e.Argv, e.UID, e.Mutating)
				}
			}
			slices.Sort(tools)
			if want := []string{"dladm", "zfs", "zoneadm"}; !slices.Equal(tools, want) {
				t.Errorf("%s as %s: the module ran %q, want %q", h, user, tools, want)
			}
		}
		want := map[string]string{
			"root": `list zones: run zoneadm: look up tool "zoneadm": not found in /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
			"jim":  `elevate with pfexec: look up tool "pfexec": not found in /usr/local/bin:/usr/bin:/bin:/usr/games:/usr/sbin:/sbin`,
		}[user]
		if r := res["nosim1"]; !strings.HasPrefix(r.Str("msg"), want) {
			t.Errorf("nosim1 as %s: %v, want msg %q", user, r, want)
		}
	}
}

// testGIZRollout: playbooks/giz-rollout.yml builds the golden zone on gz1
// and imports it on gz2 and gz3 (a second run changes nothing), then
// rolls out a refresh's changes incrementally.
func testGIZRollout(t *testing.T, f *Fleet) {
	stage := filepath.Join(f.Work, "stage")
	args := []string{"-e", "stage_dir=" + stage, "-e", `{"giz_packages": ["developer/build/gnu-make"]}`}
	r := f.Playbook("giz-rollout.yml", args...)
	wantRecaps(t, r, map[string]simh.Recap{
		"gz1": {OK: 5, Changed: 4, Skipped: 1},
		"gz2": {OK: 4, Changed: 3},
		"gz3": {OK: 4, Changed: 3},
	})
	initial := []string{"initial-installed-golden", "initial-manifest_import_booted-golden", "initial-postinstalled-golden"}
	image := "/var/tmp/zonemgr-images/golden-initial-postinstalled-golden.zimg"
	for _, h := range f.Hosts {
		if got := f.Zones(h); !slices.Equal(got, []string{"golden:installed"}) {
			t.Errorf("%s: zones %q", h, got)
		}
		if got := f.Snapshots(h, goldenDS); !slices.Equal(got, initial) {
			t.Errorf("%s: snapshots %q, want %q", h, got, initial)
		}
		// Each host has its own copy of the image, in its own /var/tmp.
		if _, err := os.Stat(f.HostPath(h, image)); err != nil {
			t.Errorf("%s: %v", h, err)
		}
		received := countArgv(f, h, "zfs", "receive")
		if want := h != "gz1"; (received > 0) != want {
			t.Errorf("%s: %d zfs receive in its sim's log", h, received)
		}
	}

	r = f.Playbook("giz-rollout.yml", args...)
	wantRecaps(t, r, map[string]simh.Recap{
		"gz1": {OK: 5, Skipped: 1},
		"gz2": {OK: 4},
		"gz3": {OK: 4},
	})

	// A new GNU make in gz1's repository: the refresh updates the golden
	// zone there, and ships only the changes to gz2 and gz3.
	if err := pkg.Publish(f.Root("gz1"), "developer/build/gnu-make", "4.4.2-2024.0.0.0"); err != nil {
		t.Fatal(err)
	}
	r = f.Playbook("giz-rollout.yml", append(args, "-e", "refresh=true")...)
	wantRecaps(t, r, map[string]simh.Recap{
		"gz1": {OK: 6, Changed: 3},
		"gz2": {OK: 4, Changed: 2},
		"gz3": {OK: 4, Changed: 2},
	})
	snaps := f.Snapshots("gz1", goldenDS)
	if len(snaps) != 4 || !slices.Equal(snaps[:3], initial) || !regexp.MustCompile(`^autozone-\d{8}T\d{6}Z$`).MatchString(snaps[3]) {
		t.Fatalf("gz1: snapshots after the refresh %q", snaps)
	}
	incr := "golden-initial-postinstalled-golden-to-" + snaps[3] + ".zimg"
	for _, h := range f.Hosts[1:] {
		if got := f.Snapshots(h, goldenDS); !slices.Equal(got, snaps) {
			t.Errorf("%s: snapshots after the rollout %q, want gz1's %q", h, got, snaps)
		}
		if _, err := os.Stat(f.HostPath(h, "/var/tmp/zonemgr-images/"+incr)); err != nil {
			t.Errorf("%s: no incremental image: %v", h, err)
		}
	}
	full, _ := os.Stat(filepath.Join(stage, filepath.Base(image)))
	inc, _ := os.Stat(filepath.Join(stage, incr))
	if full == nil || inc == nil || inc.Size() >= full.Size() {
		t.Errorf("staged images: full %v, incremental %v: want the incremental one smaller", full, inc)
	}

	// The next night, nothing new: nothing is shipped.
	r = f.Playbook("giz-rollout.yml", append(args, "-e", "refresh=true")...)
	for _, h := range f.Hosts {
		if r.Code != 0 || r.Recaps[h].Changed != 0 || r.Recaps[h].Failed != 0 {
			t.Errorf("refresh without news: %s: exit %d recap %v\n%s", h, r.Code, r.Recaps[h], r.Out)
		}
	}
}

// builds are the parallel-builds.yml builds of the tests: one fails.
const builds = `{"poll_seconds": 1, "builds": [
	{"name": "b1", "cmd": "echo one on $(hostname)"},
	{"name": "b2", "cmd": "echo two as $(id -un)"},
	{"name": "b3", "cmd": "echo three; exit 3"}]}`

// testParallelBuilds: playbooks/parallel-builds.yml on every host at once
// (--forks 3): each host clones its builds from its own golden zone, the
// failed build is reported with its exit code on each host, and nothing
// is left behind.
func testParallelBuilds(t *testing.T, f *Fleet) {
	// A first disposable zone makes the container the builds' zones go
	// in, so that a comparison of states sees only what builds leave.
	for _, args := range []string{"name=warm giz=golden", "name=warm state=absent"} {
		if res, code := f.AdHoc("build_gz", "illumos.zonemgr.zone_diz", args); code != 0 {
			t.Fatalf("zone_diz %s: %v", args, res)
		}
	}
	before := map[string]string{}
	for _, h := range f.Hosts {
		before[h] = f.State(h)
	}
	start := time.Now()
	r := f.Playbook("parallel-builds.yml", "--forks", "3", "-e", builds)
	t.Logf("parallel-builds.yml on %d hosts: %s", len(f.Hosts), time.Since(start).Round(time.Millisecond))
	if r.Code != 2 {
		t.Errorf("exit %d, want 2 (one build fails on each host)", r.Code)
	}
	for _, h := range f.Hosts {
		if r.Recaps[h] != (simh.Recap{OK: 3, Changed: 2, Failed: 1, Ignored: 1}) {
			t.Errorf("%s: recap %v, want ok=3 changed=2 failed=1 ignored=1", h, r.Recaps[h])
		}
		for _, want := range []string{
			"ok: [" + h + "] => (item=b1) => {\n    \"msg\": \"b1: command exited 0 in zone b1\"",
			"ok: [" + h + "] => (item=b3) => {\n    \"msg\": \"b3: command exited 3 in zone b3\"",
			"failed: [" + h + "] (item=b3) => ",
		} {
			if !strings.Contains(r.Out, want) {
				t.Errorf("%s: no %q in the output", h, want)
			}
		}
		for _, b := range []string{"b1", "b2", "b3"} {
			if countArgv(f, h, "zoneadm", "-z", b, "clone") == 0 {
				t.Errorf("%s: no clone of %s in its sim's log", h, b)
			}
		}
		if got := f.State(h); got != before[h] {
			t.Errorf("%s: the builds left things behind:\n%s", h, simh.DiffLines(before[h], got))
		}
	}
	if t.Failed() {
		t.Logf("ansible-playbook output:\n%s", r.Out)
	}
}

// testNonRoot: jim logs in and runs the modules, which re-execute
// themselves under pfexec: he makes a golden zone of his own, runs a
// command in a disposable clone of it and removes it; every command the
// modules start runs as jim under pfexec and is allowed by his profiles
// alone. Without pfexec (ELEVATE_CMD=none) the sim refuses the first
// change and nothing changes.
//
// It runs before root's plays: zonemgr's lock files are made by whoever
// takes a lock first, readable by that user only, so jim could not lock
// a zone root has locked before (see the README).
func testNonRoot(t *testing.T, f *Fleet) {
	jim := []string{"-e", "ansible_user=jim"}
	logStart := map[string]int{}
	for _, h := range f.Hosts {
		logStart[h] = len(f.Log(h))
	}
	adhoc := func(module, args string) map[string]HostResult {
		t.Helper()
		res, code := f.AdHoc("build_gz", module, args, jim...)
		if code != 0 {
			t.Fatalf("%s %s as jim: exit %d: %v", module, args, code, res)
		}
		return res
	}
	adhoc("illumos.zonemgr.zone_giz", "name=jimgold")
	res := adhoc("illumos.zonemgr.zone_exec", `giz=jimgold copy_users=jenkins user=jenkins cmd="id -un; hostname"`)
	adhoc("illumos.zonemgr.zone_giz", "name=jimgold state=absent")
	for _, h := range f.Hosts {
		zone := res[h].Str("zone")
		if want := "jenkins\n" + zone; res[h].Str("stdout") != want || res[h]["discarded"] != true {
			t.Errorf("%s: zone_exec as jim: %v", h, res[h])
		}
		byTool := map[string]int{}
		for _, e := range f.Log(h)[logStart[h]:] {
			if e.UID != 1002 || (e.Mutating && !e.Pfexec) {
				t.Errorf("%s: %q ran as uid %d, pfexec %v", h, e.Argv, e.UID, e.Pfexec)
			}
			if e.Mutating {
				byTool[e.Tool+" "+e.Sub]++
			}
		}
		for _, c := range []string{"zoneadm install", "zoneadm clone", "zlogin zlogin", "zoneadm uninstall", "zonecfg delete"} {
			if byTool[c] == 0 {
				t.Errorf("%s: no %s by jim in its sim's log: %v", h, c, byTool)
			}
		}
		if got := f.Zones(h); len(got) != 0 {
			t.Errorf("%s: zones left %q", h, got)
		}
	}

	// Without pfexec jim's profiles give him nothing.
	play := f.WriteFile("no-pfexec.yml", `- hosts: gz1
  gather_facts: false
  environment:
    ELEVATE_CMD: none
  tasks:
    - illumos.zonemgr.zone_giz:
        name: by-jim
`)
	before := f.State("gz1")
	r := f.Run("ansible-playbook", append([]string{play}, jim...)...)
	if r.Code != 2 || r.Recaps["gz1"].Failed != 1 || !strings.Contains(r.Out, `"msg": "by-jim: zonecfg -z by-jim -f -: exit status 1: WARNING: you do not have write access to this zone's configuration file;`) {
		t.Errorf("zone_giz as jim without pfexec: exit %d recap %v\n%s", r.Code, r.Recaps["gz1"], r.Out)
	}
	if got := f.State("gz1"); got != before {
		t.Errorf("zone_giz as jim without pfexec changed gz1:\n%s", simh.DiffLines(before, got))
	}
}

// testBadInput: a host that does not answer, a host without the sim's
// tools, a key the host does not accept and a host whose key is not the
// one known: Ansible's own errors for each, and the good host's play
// goes on and changes nothing it should not.
func testBadInput(t *testing.T, f *Fleet) {
	wrongKey := filepath.Join(f.Work, "wrong_key")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", wrongKey).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	// A known_hosts file that gives gz1's address gz2's key.
	known, err := os.ReadFile(filepath.Join(f.Dir, "ssh", "known_hosts"))
	if err != nil {
		t.Fatal(err)
	}
	var spoofed string
	for _, line := range strings.Split(string(known), "\n") {
		if addr, key, ok := strings.Cut(line, " "); ok && addr == f.Addr["gz2"] {
			spoofed = f.Addr["gz1"] + " " + key + "\n"
		}
	}
	spoofedFile := f.WriteFile("known_hosts_spoofed", spoofed)
	bad := f.WriteFile("bad.ini", fmt.Sprintf(`[bad]
ghost ansible_host=10.213.0.99
nosim1
gz3 ansible_ssh_private_key_file=%s
impostor ansible_host=%s ansible_ssh_common_args="-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o ControlPath=none"
`, wrongKey, f.Addr["gz1"], spoofedFile))
	play := f.WriteFile("bad.yml", `- hosts: gz1:bad
  gather_facts: false
  tasks:
    - illumos.zonemgr.zone_giz:
        name: golden
    - illumos.zonemgr.zone_info:
`)
	before := map[string]string{}
	for _, h := range f.Hosts {
		before[h] = f.State(h)
	}
	// New SSH connections: none that an earlier play left open (Ansible's
	// ControlPersist) may stand in for the bad key's or the wrong host
	// key's. The impostor has gz1's address, port and user, and so the
	// control path of gz1's connection in this play too: it shares no
	// connection at all (ControlPath=none, which Ansible keeps, as it adds
	// its own only when the arguments set none), or it would ride on gz1's
	// whenever gz1's task opened it first, and never check the host key.
	cp := filepath.Join(f.Work, "cp-bad")
	if err := os.Mkdir(cp, 0o700); err != nil {
		t.Fatal(err)
	}
	r := f.RunEnv([]string{"ANSIBLE_SSH_CONTROL_PATH_DIR=" + cp}, "ansible-playbook", "-i", filepath.Join(f.Dir, "inventory.ini"), "-i", bad, play)
	if r.Code != 4 {
		t.Errorf("exit %d, want 4 (unreachable hosts)", r.Code)
	}
	wantRecaps(t, r, map[string]simh.Recap{
		"gz1":      {OK: 2},
		"ghost":    {Unreachable: 1},
		"gz3":      {Unreachable: 1},
		"impostor": {Unreachable: 1},
		"nosim1":   {Failed: 1},
	})
	for _, want := range []string{
		`fatal: [ghost]: UNREACHABLE! => {"changed": false, "msg": "Failed to connect to the host via ssh: ssh: connect to host 10.213.0.99 port 22: `,
		`fatal: [gz3]: UNREACHABLE! => {"changed": false, "msg": "Failed to connect to the host via ssh: root@` + f.Addr["gz3"] + `: Permission denied (publickey).`,
		`fatal: [impostor]: UNREACHABLE! => {"changed": false, "msg": "Failed to connect to the host via ssh: @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!`,
	} {
		if !strings.Contains(r.Out, want) {
			t.Errorf("no %q in the output", want)
		}
	}
	// The look-up's duration is the machine's: 0s, 1ms, ...
	nosim := regexp.QuoteMeta(`fatal: [nosim1]: FAILED! => {"changed": false, "commands": [{"cmd": "+ zoneadm list -cp  [read, rc=-1, `) +
		`[0-9.]+(s|ms|µs)` + regexp.QuoteMeta(`]: run zoneadm: look up tool \"zoneadm\": not found in `)
	if !regexp.MustCompile(nosim).MatchString(r.Out) {
		t.Errorf("nosim1's failure is not in the output: no match for %s", nosim)
	}
	for _, h := range f.Hosts {
		if got := f.State(h); got != before[h] {
			t.Errorf("%s changed:\n%s", h, simh.DiffLines(before[h], got))
		}
	}
	if t.Failed() {
		t.Logf("ansible-playbook output:\n%s", r.Out)
	}
}

// testHostDownMidPlay: gz2 goes down (every process of it stopped, its
// sshd among them) while its first build is under way: gz1 and gz3
// finish their builds and are left clean, and the recap says gz2 was
// unreachable.
func testHostDownMidPlay(t *testing.T, f *Fleet) {
	// gz2's first clone waits for a file that never comes.
	hold := f.WriteFile("gz2-holds.yml", `build_gz:
  hosts:
    gz2:
      zonemgr_env:
        ILLUMOS_SIM_FAIL: "zoneadm clone#1:wait=/var/tmp/never"
`)
	before := map[string]string{}
	for _, h := range f.Hosts {
		before[h] = f.State(h)
	}
	ok := `{"poll_seconds": 1, "builds": [{"name": "d1", "cmd": "echo d1"}, {"name": "d2", "cmd": "echo d2"}]}`
	wait := f.Start("ansible-playbook", "-i", filepath.Join(f.Dir, "inventory.ini"), "-i", hold,
		playbookPath("parallel-builds.yml"), "--forks", "3", "-e", ok)
	counts := filepath.Join(f.Root("gz2"), ".sim", "failcounts.json")
	deadline := time.Now().Add(time.Minute)
	for {
		if b, _ := os.ReadFile(counts); strings.Contains(string(b), `"zoneadm clone":1`) {
			break
		}
		if time.Now().After(deadline) {
			r := wait()
			t.Fatalf("gz2 never reached its first clone\n%s", r.Out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	f.Stop("gz2")
	r := wait()
	if r.Code != 4 {
		t.Errorf("exit %d, want 4 (an unreachable host)", r.Code)
	}
	wantRecaps(t, r, map[string]simh.Recap{
		"gz1": {OK: 3, Changed: 2, Skipped: 1},
		"gz3": {OK: 3, Changed: 2, Skipped: 1},
	})
	// How far gz2 got depends on when it went down: its first build was
	// started, and held, when it did.
	if rc := r.Recaps["gz2"]; rc.Unreachable != 1 || rc.Failed != 0 || rc.Skipped != 0 {
		t.Errorf("gz2: recap %v, want unreachable=1 and nothing failed or skipped", rc)
	}
	if !strings.Contains(r.Out, "fatal: [gz2]: UNREACHABLE! => ") {
		t.Errorf("no UNREACHABLE for gz2 in the output")
	}
	for _, h := range []string{"gz1", "gz3"} {
		if got := f.State(h); got != before[h] {
			t.Errorf("%s: the builds left things behind:\n%s", h, simh.DiffLines(before[h], got))
		}
	}
	if t.Failed() {
		t.Logf("ansible-playbook output:\n%s", r.Out)
	}
}

// wantRecaps checks the recap line of each host named in want.
func wantRecaps(t *testing.T, r Run, want map[string]simh.Recap) {
	t.Helper()
	bad := false
	for h, w := range want {
		if got, ok := r.Recaps[h]; !ok || got != w {
			t.Errorf("%s: recap %v, want %v", h, got, w)
			bad = true
		}
	}
	if bad {
		t.Logf("output:\n%s", r.Out)
	}
}

// countArgv counts a host's sim log entries whose argv starts with argv.
func countArgv(f *Fleet, host string, argv ...string) int {
	n := 0
	for _, e := range f.Log(host) {
		if len(e.Argv) >= len(argv) && slices.Equal(e.Argv[:len(argv)], argv) {
			n++
		}
	}
	return n
}
