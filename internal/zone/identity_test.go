package zone

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zoneroot"
)

// clonedRoot makes a zone root as the brand's clone leaves it: hosts
// reset to the loopback lines, no /etc/nodename, /etc/shadow rewritten
// world-readable, a golden zone's user already in passwd.
func clonedRoot(t *testing.T, dir string) string {
	t.Helper()
	root := filepath.Join(dir, "root")
	for _, d := range []string{"etc/inet", "export/home", "var"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, text := range map[string]string{
		"etc/inet/hosts": "# Internet host table\n::1\tlocalhost\n127.0.0.1\tlocalhost loghost\n",
		"etc/passwd":     "root:x:0:0:Super-User:/root:/bin/sh\nbuilder:x:1003:10::/export/home/builder:/bin/sh\n",
		"etc/shadow":     "root:$5$blank:::::::\nbuilder:NP:::::::\n",
		"etc/group":      "root::0:\nstaff::10:",
		"etc/user_attr":  "root::::type=role\n",
	} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("./inet/hosts", filepath.Join(root, "etc/hosts")); err != nil {
		t.Fatal(err)
	}
	return root
}

// testEdits are a disposable zone's identity with every kind of edit.
func testEdits() []FileEdit {
	a := &accounts{
		passwd: map[string]string{"jenkins": "jenkins:x:1001:1001:Jenkins:/export/home/jenkins:/bin/bash", "builder": "builder:x:1003:10:Builder:/export/home/builder:/bin/bash"},
		shadow: map[string]string{"jenkins": "jenkins:$5$abc$xyz:19000::::::"},
		group:  map[string]string{"jenkins": "jenkins::1001:", "staff": "staff::10:jenkins"},
	}
	s := Setup{Nodename: "b1", OldNames: []string{"golden"}, CopyGroups: []string{"jenkins", "staff"}, CopyUsers: []string{"jenkins", "builder"},
		ElevateUsers: []string{"jenkins"}, AutoNFS: []AutoNFS{{Dir: "/net/src", Source: "filer:/export/src"}}}
	e := setupEdits(s, a)
	return append(e, ldapEdits([]ldapFile{{path: ldapClientCred, data: []byte("NS_LDAP_BINDPASSWD= {NS1}pw"), mode: 0o600, gid: 3}})...)
}

// snapshotTree records every file and directory below root with its
// mode, owner and content.
func snapshotTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := os.Lstat(p)
		st := fi.Sys().(*syscall.Stat_t)
		rel, _ := filepath.Rel(root, p)
		v := fi.Mode().String() + " " + strconv.Itoa(int(st.Uid)) + ":" + strconv.Itoa(int(st.Gid))
		if fi.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			v += " " + string(b)
		}
		out[rel] = v
		return nil
	})
	return out
}

// TestZoneFilesSameAsScript: the edits made from the global zone leave
// a zone root exactly as the script rendered from the same edits does
// in the zone (every file's content, mode and owner), and a second run
// of either changes nothing more.
func TestZoneFilesSameAsScript(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("the edits give files owners: needs root")
	}
	if _, err := exec.LookPath("awk"); err != nil {
		t.Skip("no awk")
	}
	edits := testEdits()
	direct := clonedRoot(t, t.TempDir())
	script := clonedRoot(t, t.TempDir())
	for run := 1; run <= 2; run++ {
		r, err := zoneroot.Open(direct)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range edits {
			if err := applyEdit(r, e); err != nil {
				t.Fatalf("run %d: %s %s: %v", run, e.Op, e.Path, err)
			}
		}
		r.Close()
		cmd := exec.Command("/bin/sh", "-s")
		cmd.Stdin = strings.NewReader(editScript(edits, script))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("run %d: the script: %v\n%s", run, err, out)
		}
		d, s := snapshotTree(t, direct), snapshotTree(t, script)
		for k := range s {
			if d[k] != s[k] {
				t.Errorf("run %d: %s:\nfrom the global zone: %q\nby the script:        %q", run, k, d[k], s[k])
			}
		}
		for k := range d {
			if _, ok := s[k]; !ok {
				t.Errorf("run %d: %s made from the global zone only", run, k)
			}
		}
	}
	got := snapshotTree(t, direct)
	for k, want := range map[string]string{
		"etc/nodename":                    "-rw-r--r-- 0:0 b1\n",
		"etc/inet/hosts":                  "-rw-r--r-- 0:0 # Internet host table\n::1\tlocalhost\tb1\n127.0.0.1\tlocalhost\tloghost\tb1\n",
		"etc/shadow":                      "-r-------- 0:3 root:$5$blank:::::::\nbuilder:NP:::::::\njenkins:$5$abc$xyz:19000::::::\n",
		"etc/group":                       "-rw-r--r-- 0:0 root::0:\nstaff::10:jenkins\njenkins::1001:\n",
		"etc/sudoers.d/90zonemgr.jenkins": "-r--r----- 0:0 jenkins\tALL=(ALL) NOPASSWD: ALL\n",
		"export/home/jenkins":             "drwxr-xr-x 1001:1001",
		"export/home/builder":             "drwxr-xr-x 1003:10",
		"net/src":                         "drwxr-xr-x 0:0",
		"etc/auto_master":                 "-rw-r--r-- 0:0 /-\tauto_direct\n",
		"etc/auto_direct":                 "-rw-r--r-- 0:0 /net/src\t-rw\tfiler:/export/src\n",
		"var/ldap":                        "drwx------ 0:0",
		"var/ldap/ldap_client_cred":       "-rw------- 0:3 NS_LDAP_BINDPASSWD= {NS1}pw\n",
		"etc/hosts":                       "Lrwxrwxrwx 0:0",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
}

// TestZoneFilesHostile: a zone root's links never take an edit out of
// the root, and what is not a regular file is never written through.
func TestZoneFilesHostile(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "gz-passwd")
	os.WriteFile(secret, []byte("gz\n"), 0o644)
	root := clonedRoot(t, dir)
	os.Remove(filepath.Join(root, "etc/passwd"))
	os.Symlink(secret, filepath.Join(root, "etc/passwd"))
	os.Symlink("../../../", filepath.Join(root, "export/home/jenkins"))
	r, err := zoneroot.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, tt := range []struct {
		e    FileEdit
		want string
	}{
		{FileEdit{Op: EditLine, Path: "/etc/passwd", Key: "jenkins", Text: "jenkins:x:1001:1001::/:/bin/sh"}, "leads out of the zone root"},
		{FileEdit{Op: EditMkdir, Path: "/export/home/jenkins/x", Mode: 0o755}, "leads out of the zone root"},
		{FileEdit{Op: EditWrite, Path: "/etc/hosts", Text: "x\n", Mode: 0o644}, "a symbolic link, not a regular file"},
		{FileEdit{Op: EditLine, Path: "/etc/../../x", Key: "a", Text: "a:"}, "not a file name inside the zone"},
	} {
		err := applyEdit(r, tt.e)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s %s: %v, want %q", tt.e.Op, tt.e.Path, err, tt.want)
		}
	}
	if b, _ := os.ReadFile(secret); string(b) != "gz\n" {
		t.Errorf("the global zone's file became %q", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a directory was made outside the zone root: %v", err)
	}
}

// TestZoneFilesStep runs the identity step of a new disposable zone from
// the global zone: it asks what is mounted on the zone's root first, and
// writes nothing into an empty mountpoint.
func TestZoneFilesStep(t *testing.T) {
	for _, unmounted := range []bool{false, true} {
		h, f := fakeHost(t)
		h.CheckMode = false
		f.unmounted = unmounted
		zp := "/zones/_zonemgr/DIZ/n1"
		clonedRoot(t, h.path(zp))
		zf := &ZoneFiles{Zone: "n1", Zonepath: zp, Dataset: "rpool/zones/_zonemgr/DIZ/n1",
			Edits: setupEdits(Setup{Nodename: "n1", OldNames: []string{"golden"}}, nil)}
		_, _, err := h.runStep(context.Background(), Step{Files: zf})
		b, rerr := os.ReadFile(h.path(zp + "/root/etc/nodename"))
		if calls := f.Calls(); len(calls) != 1 || calls[0].String() != "zfs list -H -o name,mounted "+zp+"/root" {
			t.Errorf("unmounted %v: commands %v", unmounted, calls)
		}
		switch {
		case unmounted && (err == nil || !strings.Contains(err.Error(), "zone n1: its boot environment is not mounted on "+zp+"/root (rpool/zones/_zonemgr/DIZ/n1 is); refusing to write into the empty mountpoint")):
			t.Errorf("unmounted: %v", err)
		case unmounted && rerr == nil:
			t.Errorf("unmounted: /etc/nodename written: %q", b)
		case !unmounted && (err != nil || string(b) != "n1\n"):
			t.Errorf("mounted: %v, /etc/nodename %q", err, b)
		}
	}
}

// TestWaitMilestone: a privileged wait asks the zone's repository from
// the global zone (svcs -z), taking "no repository server" for "not
// yet"; another logs into the zone for each poll. Both give up with the
// same texts: at the timeout, with the milestone's last state, and at
// once when the zone is no longer running.
func TestWaitMilestone(t *testing.T) {
	const ms = MilestoneMultiUser
	for _, tt := range []struct {
		name                  string
		global                bool
		booting, noRepository int
		zoneState             string
		timeout               time.Duration
		want                  string
		probes                int
	}{
		{name: "svcs -z online", global: true, probes: 1},
		{name: "svcs -z booting", global: true, booting: 3, noRepository: 2, probes: 6},
		{name: "zlogin booting", booting: 3, probes: 4},
		{name: "svcs -z timeout", global: true, booting: 1000, timeout: 300 * time.Millisecond,
			want: "boot b1: " + ms + " not online after 300ms (its state: offline*)"},
		{name: "zlogin timeout", booting: 1000, timeout: 300 * time.Millisecond,
			want: "boot b1: " + ms + " not online after 300ms (its state: offline*)"},
		{name: "svcs -z died", global: true, noRepository: 1000, zoneState: "installed",
			want: "boot b1: the zone is installed, not running (it died during boot)", probes: 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, f := fakeHost(t)
			h.PollInterval = time.Millisecond
			f.booting, f.noRepository = tt.booting, tt.noRepository
			if tt.zoneState != "" {
				f.setState("b1", tt.zoneState)
			}
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			start := time.Now()
			err := h.WaitMilestone(context.Background(), f, Wait{Zone: "b1", Milestone: ms, Timeout: timeout, FromGlobal: tt.global})
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || err.Error() != tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			var probes, zlogins int
			for _, c := range f.Calls() {
				switch {
				case c.Argv[0] == "svcs" && slices.Equal(c.Argv, []string{"svcs", "-z", "b1", "-H", "-o", "state", ms}):
					probes++
				case c.Argv[0] == "zlogin" && slices.Equal(c.Argv, []string{"zlogin", "-S", "b1", "svcs", "-H", "-o", "state", ms}):
					probes++
					zlogins++
				case c.Argv[0] == "zoneadm" && slices.Equal(c.Argv, []string{"zoneadm", "-z", "b1", "list", "-p"}):
				default:
					t.Errorf("unexpected command %s", c)
				}
			}
			if tt.global && zlogins > 0 {
				t.Errorf("%d zlogins in a wait from the global zone", zlogins)
			}
			if tt.probes > 0 && probes != tt.probes {
				t.Errorf("%d polls, want %d", probes, tt.probes)
			}
			if tt.timeout > 0 {
				// The backoff stops growing at maxPollInterval: a 300 ms
				// wait polls more than once, and ends near its timeout.
				if probes < 3 || time.Since(start) > tt.timeout+maxPollInterval+200*time.Millisecond {
					t.Errorf("%d polls in %s", probes, time.Since(start))
				}
			}
		})
	}
}

// TestRefreshPlan: a refresh that only updates packages asks the global
// zone first (pkg -R ROOT update -nq). Nothing to update: the plan is
// empty, and it says "up to date". Something: the zone is booted and
// updated. A root that is not mounted: mounted, asked, unmounted, and
// the rest runs only when the answer was yes. No answer from a caller
// without the privilege: asked inside the booted zone.
func TestRefreshPlan(t *testing.T) {
	ask := "pkg -R /zones/_zonemgr/GIZ/golden/root update -nq"
	for _, tt := range []struct {
		name       string
		pkgAsk     int
		unmounted  bool
		privileged bool
		want       []string // the plan's lines, after the ask
		msg        string
	}{
		{name: "up to date", pkgAsk: 4, privileged: true, msg: "packages of golden are up to date"},
		{name: "updates", pkgAsk: 0, privileged: true, want: []string{"zfs snapshot -o zonemgr:run=r1 rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@before-refresh-r1", "zoneadm -z golden boot", "wait", "zlogin golden pkg refresh --full", "zlogin golden pkg update --accept pkg:/package/pkg", "zlogin golden pkg update --accept", "zoneadm -z golden halt", "zfs snapshot", "zfs hold", "zfs destroy rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@before-refresh-r1"}},
		{name: "not mounted", pkgAsk: 1, unmounted: true, privileged: true,
			want: []string{"zoneadm -z golden mount", ask, "zoneadm -z golden unmount", "zfs snapshot -o zonemgr:run=r1 rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@before-refresh-r1", "zoneadm -z golden boot", "wait", "zlogin golden pkg refresh --full", "zlogin golden pkg update --accept pkg:/package/pkg", "zlogin golden pkg update --accept", "zoneadm -z golden halt", "zfs snapshot", "zfs hold", "zfs destroy rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@before-refresh-r1"}},
		{name: "no privilege", pkgAsk: 1, want: []string{"zfs snapshot -o zonemgr:run=r1 rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@before-refresh-r1", "zoneadm -z golden boot", "wait", "zlogin golden pkg refresh --full", "zlogin golden pkg update --accept pkg:/package/pkg", "zlogin golden pkg update --accept", "zoneadm -z golden halt", "zfs snapshot", "zfs hold", "zfs destroy rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@before-refresh-r1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, f := fakeHost(t)
			h.Privileged = tt.privileged
			f.pkgAsk, f.unmounted = tt.pkgAsk, tt.unmounted
			out, err := h.EnsureGIZ(context.Background(), GIZSpec{Name: "golden", State: "updated", UpdatePackages: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Plan) != len(tt.want) {
				t.Fatalf("plan %q, want %q", out.Plan, tt.want)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(out.Plan[i], w) {
					t.Errorf("step %d: %q, want %q", i, out.Plan[i], w)
				}
			}
			if tt.unmounted {
				// pkg -R failing once mounted cannot tell, which counts
				// as yes: the update goes on in the zone.
				if q := out.Steps[1]; !slices.Equal(q.NoChangeExit, []int{4}) || !slices.Equal(q.ChangedExit, []int{1}) {
					t.Errorf("the question %q: no change on %v, change on %v; want 4 and 1", q.Why, q.NoChangeExit, q.ChangedExit)
				}
				// Everything after the unmount waits for the answer.
				for i, s := range out.Steps[3:] {
					want := []int{1}
					switch {
					case strings.HasPrefix(s.Why, "snapshot the boot environment"):
					case strings.HasPrefix(s.Why, "snapshot") || strings.HasPrefix(s.Why, "hold"):
						want = []int{7, 8} // pkg(7) first, then every package
					}
					if !slices.Equal(s.IfChanged, want) {
						t.Errorf("step %d (%s): IfChanged %v, want %v", i+3, s.Why, s.IfChanged, want)
					}
				}
			}
			if tt.msg != "" && (out.Msg != tt.msg || out.Changed) {
				t.Errorf("msg %q, changed %v", out.Msg, out.Changed)
			}
			if calls := f.Calls(); calls[2].String() != ask {
				t.Errorf("the third command is %s, want the question", calls[2])
			}
		})
	}
}

// TestRefreshUpToDate applies a refresh that finds nothing to update:
// only the three reads run, nothing is journaled, and it says so.
func TestRefreshUpToDate(t *testing.T) {
	h, f := fakeHost(t)
	h.CheckMode = false
	h.Privileged = true
	out, err := h.EnsureGIZ(context.Background(), GIZSpec{Name: "golden", State: "updated", UpdatePackages: true})
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	for _, c := range f.Calls() {
		cmds = append(cmds, strings.Join(c.Argv[:2], " "))
		if illumos.IsMutating(c.Argv) {
			t.Errorf("a no-op refresh ran %s", c)
		}
	}
	if !slices.Equal(cmds, []string{"zoneadm list", "zfs list", "pkg -R"}) || out.Changed || out.Msg != "packages of golden are up to date" {
		t.Errorf("commands %q, changed %v, msg %q", cmds, out.Changed, out.Msg)
	}
	if js, _ := os.ReadDir(h.journalDir()); len(js) != 0 {
		t.Errorf("journals: %v", js)
	}
}

// TestDIZServices: a disposable zone with automounts or an LDAP client
// records the services it needs (zonemgr.services) and has them enabled
// right after the milestone of a boot zonemgr makes anyway, in one
// zlogin: at its creation when it is to run, at its start when made
// stopped; a zone made stopped is not booted for them.
func TestDIZServices(t *testing.T) {
	nfs := []AutoNFS{{Dir: "/net/src", Source: "filer:/export/src"}}
	enable := "zlogin -S n1 svcadm enable -r " + autofsService
	notYet := "zone n1 boots without waiting for its multi-user milestone, so " + autofsService + " is not enabled in it yet: a start that waits for multi-user enables it"
	for _, tt := range []struct {
		state          string
		noWait, single bool
		want           bool
		warn           []string
	}{
		{state: "running", want: true},
		{state: "present"},
		{state: "ready"},
		{state: "running", noWait: true, warn: []string{notYet}},
		{state: "running", single: true, warn: []string{notYet}},
	} {
		h, _ := fakeHost(t)
		out, err := h.EnsureDIZ(context.Background(), DIZSpec{Name: "n1", GIZ: "golden", State: tt.state, AutoNFS: nfs, NoWait: tt.noWait, SingleUser: tt.single})
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Contains(out.Plan, enable); got != tt.want {
			t.Errorf("state %s: enables autofs %v:\n%s", tt.state, got, strings.Join(out.Plan, "\n"))
		}
		if !slices.Equal(out.Warnings, tt.warn) {
			t.Errorf("state %s, no wait %v, single-user %v: warnings %q, want %q", tt.state, tt.noWait, tt.single, out.Warnings, tt.warn)
		}
		if n := strings.Count(strings.Join(out.Plan, "\n"), "zoneadm -z n1 boot"); n > 1 {
			t.Errorf("state %s: %d boots", tt.state, n)
		}
		i := slices.IndexFunc(out.Plan, func(p string) bool { return strings.HasPrefix(p, "zonecfg -z n1 -f -") })
		if i < 0 || !strings.Contains(out.Plan[i], "set name=zonemgr.services\n\tset type=string\n\tset value="+autofsService+"\n") {
			t.Errorf("state %s: the configuration records no services:\n%s", tt.state, strings.Join(out.Plan, "\n"))
		}
	}
	// b1 was made with automounts, and is installed: its start enables
	// them, and the configuration keeps them.
	h, f := fakeHost(t)
	f.setState("b1", "installed")
	os.WriteFile(h.path("/etc/zones/b1.xml"), []byte(strings.Replace(b1XML, "</zone>", `  <attr name="zonemgr.created" type="string" value="2026-11-28T11:00:00Z"/>
  <attr name="zonemgr.setup" type="string" value="mount_autonfs=55d90f"/>
  <attr name="zonemgr.services" type="string" value="`+autofsService+`"/>
</zone>`, 1)), 0o644)
	out, err := h.EnsureDIZ(context.Background(), DIZSpec{Name: "b1", State: "running", Omitted: ^Fields(0)})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"zoneadm -z b1 boot", "wait up to 5m0s for " + MilestoneMultiUser + " in b1 (zlogin -S b1 svcs -H -o state " + MilestoneMultiUser + ")", "zlogin -S b1 svcadm enable -r " + autofsService}
	if !slices.Equal(out.Plan, want) {
		t.Errorf("start of a zone with automounts:\n%q\nwant\n%q", out.Plan, want)
	}
	// A zone made without the created and setup records starts without
	// a configuration change: nothing is added empty.
	h2, f2 := fakeHost(t)
	f2.setState("b1", "installed")
	out2, err := h2.EnsureDIZ(context.Background(), DIZSpec{Name: "b1", State: "running", Omitted: ^Fields(0)})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"zoneadm -z b1 boot", "wait up to 5m0s for " + MilestoneMultiUser + " in b1 (zlogin -S b1 svcs -H -o state " + MilestoneMultiUser + ")"}; !slices.Equal(out2.Plan, want) {
		t.Errorf("start of a zone without created and setup records:\n%q\nwant\n%q", out2.Plan, want)
	}
	// An exec in it boots it first, and enables them then (discard
	// never: no snapshot, nothing halted).
	_, out, err = h.Exec(context.Background(), ExecSpec{Cmd: "make", Zone: "b1", Discard: "never"})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Plan) < len(want) || !slices.Equal(out.Plan[:len(want)], want) || !strings.HasPrefix(out.Plan[len(want)], "zlogin -S b1 ") {
		t.Errorf("exec in a stopped zone with automounts:\n%q\nwant\n%q and the command", out.Plan, want)
	}
}
