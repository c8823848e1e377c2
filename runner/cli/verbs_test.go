package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// want is one module call a command line must make: the module, the
// exact options object, and whether in check mode.
type want struct {
	module string
	args   string
	check  bool
}

// canonical re-encodes a JSON object with sorted keys.
func canonical(t *testing.T, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON in test: %s: %v", s, err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func a(words ...string) []string { return words }

// info is the zone_info call that looks a zone up.
func info(name string) want { return want{"zone_info", `{"name":"` + name + `"}`, false} }

// A moduleCallTest is a command line, the module calls it must make, its
// exit status and its stdout.
type moduleCallTest struct {
	args   []string
	calls  []want
	code   int
	stdout string
}

var moduleCallTests = []moduleCallTest{
	// Golden zones.
	{a("create-giz", "-z", "test-giz-2", "-b", "SUNWipkg"), []want{{"zone_giz", `{"name":"test-giz-2","state":"present"}`, false}}, 0, "test-giz-2\n"},
	{a("create-giz", "-z", "g2", "-t", "OMNIlipkg", "-p", "developer/gcc-10 developer/build/gnu-make", "--install-package", "text/gnu-grep",
		"-g", "omnios|https://pkg.omnios.org/r151046/core", "-G", "extra.omnios", "--copy-users", "jenkins jim",
		"--copy-group", "jenkins", "--elevate-user", "jim", "--mount-lofs", "/export/home/"),
		[]want{{"zone_giz", `{"name":"g2","state":"present","template":"OMNIlipkg",
				"add_packages":["developer/gcc-10","developer/build/gnu-make","text/gnu-grep"],
				"add_publishers":["omnios|https://pkg.omnios.org/r151046/core"],"remove_publishers":["extra.omnios"],
				"copy_users":["jenkins","jim"],"copy_groups":["jenkins"],"elevate_users":["jim"],"mount_lofs":["/export/home"]}`, false}}, 0, "g2\n"},
	{a("create-giz", "-z", "build-giz-jdk", "-c", "test-giz-1", "-s", "snap1", "--uninstall-packages", "x y", "--del-package", "z"),
		[]want{{"zone_giz", `{"name":"build-giz-jdk","state":"present","source":"test-giz-1","snapshot":"snap1","remove_packages":["x","y","z"]}`, false}}, 0, "build-giz-jdk\n"},
	{a("create-giz", "-z", "g3", "-t", "OMNIlipkg", "-b", "lipkg"), []want{{"zone_giz", `{"name":"g3","state":"present","template":"OMNIlipkg"}`, false}}, 0, "g3\n"},
	// The command line passes a clone's brand on; the engine refuses it
	// (test/integration's bad-input tests).
	{a("create-giz", "-z", "g4", "-c", "test-giz-1", "-b", "lipkg"),
		[]want{{"zone_giz", `{"name":"g4","state":"present","source":"test-giz-1","brand":"lipkg"}`, false}}, 0, "g4\n"},
	{a("pkg-refresh", "-z", "test-giz-1", "--add-publisher", "oi|https://pkg.openindiana.org/hipster", "--del-publishers", "old"),
		[]want{info("test-giz-1"), {"zone_giz", `{"name":"test-giz-1","state":"updated","update_packages":false,"add_publishers":["oi|https://pkg.openindiana.org/hipster"],"remove_publishers":["old"]}`, false}}, 0, ""},
	{a("pkg-upgrade", "-z", "test-giz-1"),
		[]want{info("test-giz-1"), {"zone_giz", `{"name":"test-giz-1","state":"updated"}`, false}}, 0, ""},
	{a("pkg-install", "-z", "test-giz-1", "--add-packages", "a b"),
		[]want{info("test-giz-1"), {"zone_giz", `{"name":"test-giz-1","state":"updated","update_packages":false,"add_packages":["a","b"]}`, false}}, 0, ""},
	{a("pkg-uninstall", "-z", "test-giz-1", "--remove-package", "a"),
		[]want{info("test-giz-1"), {"zone_giz", `{"name":"test-giz-1","state":"updated","update_packages":false,"remove_packages":["a"]}`, false}}, 0, ""},
	{a("pkg-install", "-z", "test-diz-1", "-p", "a"), []want{info("test-diz-1")}, 1, ""},
	{a("update-giz"), []want{{"zone_info", `{"role":"giz"}`, false},
		{"zone_giz", `{"name":"build-giz-jdk","state":"updated"}`, false},
		{"zone_giz", `{"name":"test-giz-1","state":"updated"}`, false}}, 0, ""},
	{a("update-giz", "-z", "test-*", "-p", "x"), []want{{"zone_info", `{"role":"giz","name":"test-*"}`, false},
		{"zone_giz", `{"name":"test-giz-1","state":"updated","add_packages":["x"]}`, false}}, 0, ""},

	// Disposable zones by the packages of their golden zone.
	{a("create-diz", "-p", "developer/gcc-10 pkg:/developer/build/gnu-make"), []want{{"zone_diz",
		`{"packages":["developer/gcc-10","pkg:/developer/build/gnu-make"],"state":"present"}`, false}}, 0, "diz-abc123-0001\n"},
	{a("create-diz", "-c", "test-giz-1", "-p", "a,b", "-z", "d2"), []want{{"zone_diz",
		`{"giz":"test-giz-1","packages":["a","b"],"name":"d2","state":"present"}`, false}}, 0, "d2\n"},
	{a("exec-diz", "-p", "a", "--exec-cmd", "make"), []want{{"zone_exec", `{"packages":["a"],"cmd":"make"}`, false}}, 0, ""},
	{a("gc", "--unused-goldens", "30d"), []want{{"zone_gc", `{"unused_goldens":"720h0m0s"}`, false}}, 0,
		"journal /var/zonemgr/journal/b1-diz-7-1.json\nvnic autodizgone_0\n"},

	// Disposable zones.
	{a("create-diz", "-c", "test-giz-1"), []want{{"zone_diz", `{"giz":"test-giz-1","state":"present"}`, false}}, 0, "diz-abc123-0001\n"},
	{a("-c", "test-giz-1"), []want{{"zone_diz", `{"giz":"test-giz-1","state":"present"}`, false}}, 0, "diz-abc123-0001\n"},
	{a("--origin", "test-giz-1", "-Z"), []want{{"zone_diz", `{"giz":"test-giz-1","state":"present"}`, false}}, 0, "diz-abc123-0001\n"},
	{a("create-diz", "-c", "test-giz-1", "-s", "snap1", "-z", "test-diz-1"),
		[]want{{"zone_diz", `{"giz":"test-giz-1","snapshot":"snap1","name":"test-diz-1","state":"present"}`, false}}, 0, "test-diz-1\n"},
	{a("create-diz", "-z", "test-diz-1", "--mount-lofs", "/export/home", "--delegate-dataset", "pool/zones/_delegated/test-diz-1",
		"--add-vnic-over", "etherstub127 e1000g0|81|00:12:34:56:78:ab"),
		[]want{{"zone_diz", `{"name":"test-diz-1","state":"present","mount_lofs":["/export/home"],
				"delegate_datasets":["pool/zones/_delegated/test-diz-1"],"add_vnics_over":["etherstub127","e1000g0|81|0:12:34:56:78:ab"]}`, false}}, 0, "test-diz-1\n"},
	{a("create-diz", "-z", "test-diz-1", "--mount-autonfs", "/mnt/.ccache|filer:/var/.ccache-shared"),
		[]want{{"zone_diz", `{"name":"test-diz-1","state":"present","mount_autonfs":["/mnt/.ccache|filer:/var/.ccache-shared"]}`, false}}, 0, "test-diz-1\n"},
	{a("create-diz", "--clone", "test-giz-1", "--snapname", "snap1", "--add-vnic", "vnic1", "--use-vnics", "vnic2 vnic3",
		"--auto-vnic", "e1000g0|81", "--mount-lofs", "//export//src/|/gz/src/|ro", "--mount-lofs", "/a b", "--delegate-dataset", "rpool//d/x/",
		"--copy-user", "a", "--copy-groups", "b c", "--elevate-users", "d"),
		[]want{{"zone_diz", `{"giz":"test-giz-1","snapshot":"snap1","state":"present","add_vnics":["vnic1","vnic2","vnic3"],
				"add_vnics_over":["e1000g0|81"],"mount_lofs":["/export/src|/gz/src|ro","/a b"],"delegate_datasets":["rpool/d/x"],
				"copy_users":["a"],"copy_groups":["b","c"],"elevate_users":["d"]}`, false}}, 0, "diz-abc123-0001\n"},

	// Running commands.
	{a("exec", "--exec-discard", "onsuccess", "-z", "build-diz-1", "--exec-cmd", "cd /home/illumos-gate && ./nightly.sh"),
		[]want{{"zone_exec", `{"zone":"build-diz-1","cmd":"cd /home/illumos-gate && ./nightly.sh","discard":"onsuccess"}`, false}}, 0, ""},
	{a("-z", "test-giz-1", "--exec-cmd", "pkg list", "--exec-discard", "always"),
		[]want{{"zone_exec", `{"zone":"test-giz-1","cmd":"pkg list","discard":"always"}`, false}}, 0, ""},
	{a("run", "-z", "test-diz-1", "--exec-cmd", "true", "--exec-user", "-S", "--exec-discard", "off"),
		[]want{{"zone_exec", `{"zone":"test-diz-1","cmd":"true","discard":"never"}`, false}}, 0, ""},
	{a("exec", "-z", "test-diz-1", "--exec-cmd", "make", "--exec-discard", "onfail", "--exec-user", "jenkins"),
		[]want{{"zone_exec", `{"zone":"test-diz-1","cmd":"make","discard":"onfailure","user":"jenkins"}`, false}}, 0, ""},
	{a("exec-diz", "-c", "build-giz-jdk", "--exec-user", "jenkins", "--copy-users", "jenkins jim", "--elevate-users", "jim",
		"--copy-groups", "jenkins", "--mount-lofs", "/export/oi-userland", "--add-vnic-over", "etherstub127",
		"--exec-cmd", "cd /export/oi-userland/components/java8 && gmake publish"),
		[]want{{"zone_exec", `{"giz":"build-giz-jdk","user":"jenkins","copy_users":["jenkins","jim"],"elevate_users":["jim"],
				"copy_groups":["jenkins"],"mount_lofs":["/export/oi-userland"],"add_vnics_over":["etherstub127"],
				"cmd":"cd /export/oi-userland/components/java8 && gmake publish"}`, false}}, 0, ""},
	{a("run-diz", "-c", "test-giz-1", "-s", "snap1", "-z", "mydiz", "--exec-cmd", "x", "--exec-discard", "onfailure"),
		[]want{{"zone_exec", `{"giz":"test-giz-1","snapshot":"snap1","name":"mydiz","cmd":"x","discard":"onfailure"}`, false}}, 0, ""},

	// Destroying.
	{a("-z", "test-diz-1", "destroy"), []want{info("test-diz-1"), {"zone_diz", `{"name":"test-diz-1","state":"absent"}`, false}}, 0, ""},
	{a("destroy", "-z", "test-giz-1", "-f"), []want{info("test-giz-1"), {"zone_giz", `{"name":"test-giz-1","state":"absent","force":true}`, false}}, 0, ""},
	{a("destroy", "-z", "nosuch"), []want{info("nosuch")}, 0, ""},
	{a("destroy", "-z", "foreign"), []want{info("foreign")}, 1, ""},
	{a("destroy", "-z", "test-giz-1", "-s", "snap1"), []want{{"zone_snapshot", `{"zone":"test-giz-1","name":"snap1","state":"absent"}`, false}}, 0, ""},

	// Snapshots.
	{a("destroy-snapshot", "-z", "test-giz-1", "-s", "snap1"), []want{{"zone_snapshot", `{"zone":"test-giz-1","name":"snap1","state":"absent"}`, false}}, 0, ""},
	{a("destroy-snap", "-z", "test-giz-1", "-s", "snap1", "-f"), []want{{"zone_snapshot", `{"zone":"test-giz-1","name":"snap1","state":"absent","force":true}`, false}}, 0, ""},
	{a("snapshot", "-z", "test-giz-1", "-s", "snap1"), []want{{"zone_snapshot", `{"zone":"test-giz-1","name":"snap1","state":"present"}`, false}}, 0, "snap1\n"},
	{a("snapshot", "-z", "test-giz-1"), []want{{"zone_snapshot", `{"zone":"test-giz-1","state":"present"}`, false}}, 0, "autozone-20250101T000000Z\n"},
	{a("rollback", "-z", "test-giz-1", "-s", "snap1"), []want{{"zone_snapshot", `{"zone":"test-giz-1","name":"snap1","state":"rolledback"}`, false}}, 0, ""},
	{a("rollback", "-z", "test-giz-1"), []want{{"zone_snapshot", `{"zone":"test-giz-1","state":"rolledback"}`, false}}, 0, ""},
	{a("list-snapshots", "-z", "test-giz-1"), []want{{"zone_snapshot", `{"zone":"test-giz-1","state":"present"}`, true}}, 0, "initial-installed-test-giz-1\nsnap1\n"},
	{a("list-snaps", "test-giz-1"), []want{{"zone_snapshot", `{"zone":"test-giz-1","state":"present"}`, true}}, 0, "initial-installed-test-giz-1\nsnap1\n"},

	// Queries.
	{a("list"), []want{{"zone_info", `{}`, false}}, 0, "build-giz-jdk\nmnt-diz\ntest-diz-1\ntest-giz-1\n"},
	{a("list-all"), []want{{"zone_info", `{}`, false}}, 0, "build-giz-jdk\nmnt-diz\ntest-diz-1\ntest-giz-1\n"},
	{a("list-giz"), []want{{"zone_info", `{"role":"giz"}`, false}}, 0, "build-giz-jdk\ntest-giz-1\n"},
	{a("list-giz", "-z", "test-giz-1"), []want{{"zone_info", `{"role":"giz","name":"test-giz-1"}`, false}}, 0, "test-giz-1\n"},
	{a("list-diz"), []want{{"zone_info", `{"role":"diz"}`, false}}, 0, "mnt-diz\ntest-diz-1\n"},
	{a("is-managed", "test-giz-1"), []want{info("test-giz-1")}, 0, ""},
	{a("is-managed-all", "-z", "test-diz-1"), []want{info("test-diz-1")}, 0, ""},
	{a("is-managed-any", "foreign"), []want{info("foreign")}, 1, ""},
	{a("is-managed", "nosuch"), []want{info("nosuch")}, 1, ""},
	{a("is-giz", "test-giz-1"), []want{info("test-giz-1")}, 0, ""},
	{a("is-managed-giz", "test-diz-1"), []want{info("test-diz-1")}, 1, ""},
	{a("is-diz", "test-diz-1"), []want{info("test-diz-1")}, 0, ""},
	{a("is-managed-diz", "test-giz-1"), []want{info("test-giz-1")}, 1, ""},
	{a("verify", "test-giz-1"), []want{{"zone_info", `{"name":"test-giz-1","verify":true}`, false}}, 0, ""},
	{a("-z", "test-diz-1", "validate"), []want{{"zone_info", `{"name":"test-diz-1","verify":true}`, false}}, 1, ""},
	{a("verify", "foreign"), []want{{"zone_info", `{"name":"foreign","verify":true}`, false}}, 1, ""},
	{a("get-state", "test-diz-1"), []want{info("test-diz-1")}, 0, "running\n"},
	{a("getstate", "-z", "test-giz-1"), []want{info("test-giz-1")}, 0, "installed\n"},
	{a("state", "foreign"), []want{info("foreign")}, 0, "running\n"},
	{a("status", "nosuch"), []want{info("nosuch")}, 1, ""},

	// Leftovers of killed runs.
	{a("gc"), []want{{"zone_gc", `{}`, false}}, 0, "journal /var/zonemgr/journal/b1-diz-7-1.json\nvnic autodizgone_0\n"},
	{a("-n", "gc"), []want{{"zone_gc", `{}`, true}}, 0, "dladm delete-vnic autodizgone_0\njournal /var/zonemgr/journal/b1-diz-7-1.json\nvnic autodizgone_0\n"},

	// Run states, through the zone's role.
	{a("-z", "test-diz-1", "boot"), []want{info("test-diz-1"), {"zone_diz", `{"name":"test-diz-1","state":"running","wait":false}`, false}}, 0, ""},
	{a("start", "-z", "test-giz-1"), []want{info("test-giz-1"), {"zone_giz", `{"name":"test-giz-1","state":"running"}`, false}}, 0, ""},
	{a("singleuser", "-z", "test-giz-1"), []want{info("test-giz-1"), {"zone_giz", `{"name":"test-giz-1","state":"running","single_user":true}`, false}}, 0, ""},
	{a("boot-single", "-z", "test-diz-1"), []want{info("test-diz-1"), {"zone_diz", `{"name":"test-diz-1","state":"running","single_user":true}`, false}}, 0, ""},
	{a("stop", "-z", "test-diz-1"), []want{info("test-diz-1"), {"zone_diz", `{"name":"test-diz-1","state":"stopped"}`, false}}, 0, ""},
	{a("halt", "-z", "test-diz-1"), []want{info("test-diz-1"), {"zone_diz", `{"name":"test-diz-1","state":"stopped"}`, false}}, 0, ""},
	{a("poweroff", "-z", "test-diz-1"), []want{info("test-diz-1"), {"zone_diz", `{"name":"test-diz-1","state":"stopped"}`, false}}, 0, ""},
	{a("shutdown", "-z", "test-giz-1"), []want{info("test-giz-1"), {"zone_giz", `{"name":"test-giz-1","state":"stopped"}`, false}}, 0, ""},
	{a("restart", "-z", "test-diz-1"), []want{info("test-diz-1"), {"zone_diz", `{"name":"test-diz-1","state":"restarted"}`, false}}, 0, ""},
	{a("reboot", "-z", "test-diz-1"), []want{info("test-diz-1"), {"zone_diz", `{"name":"test-diz-1","state":"restarted","wait":false}`, false}}, 0, ""},
	{a("reset", "-z", "test-giz-1"), []want{info("test-giz-1"), {"zone_giz", `{"name":"test-giz-1","state":"restarted","wait":false}`, false}}, 0, ""},
	{a("ready", "-z", "test-diz-1"), []want{info("test-diz-1"), {"zone_diz", `{"name":"test-diz-1","state":"ready"}`, false}}, 0, ""},
	{a("mount", "-z", "test-diz-1"), []want{info("test-diz-1"), {"zone_diz", `{"name":"test-diz-1","state":"mounted"}`, false}}, 0, ""},
	{a("unmount", "-z", "mnt-diz"), []want{info("mnt-diz"), {"zone_diz", `{"name":"mnt-diz","state":"stopped"}`, false}}, 0, ""},
	{a("umount", "-z", "test-giz-1"), []want{info("test-giz-1")}, 0, ""},
	{a("umount", "-z", "test-diz-1"), []want{info("test-diz-1")}, 1, ""},
	{a("boot", "-z", "foreign"), []want{info("foreign")}, 1, ""},
	{a("boot", "-z", "nosuch"), []want{info("nosuch")}, 1, ""},

	// Check mode: the lookup is a plain read, the action a check.
	{a("-n", "create-diz", "-c", "test-giz-1"), []want{{"zone_diz", `{"giz":"test-giz-1","state":"present"}`, true}}, 0,
		"zoneadm -z diz-abc123-0001 boot\nzoneadm -z diz-abc123-0001 halt\ndiz-abc123-0001\n"},
	{a("boot", "--dry-run", "-z", "test-diz-1"), []want{info("test-diz-1"), {"zone_diz", `{"name":"test-diz-1","state":"running","wait":false}`, true}}, 0,
		"zoneadm -z test-diz-1 boot\nzoneadm -z test-diz-1 halt\n"},
	{a("--dryrun", "exec-diz", "-c", "test-giz-1", "--exec-cmd", "make"), []want{{"zone_exec", `{"giz":"test-giz-1","cmd":"make"}`, true}}, 0, ""},

	// DEVEL_DEBUG steps.
	{a("-z", "test-giz-1", "--copy-users", "jim", "--elevate-user", "jim", "--mount-lofs", "/export/home", "DEVEL_DEBUG", "setup_zone_postinstall"),
		[]want{info("test-giz-1"), {"zone_giz", `{"name":"test-giz-1","state":"present","copy_users":["jim"],"elevate_users":["jim"],"mount_lofs":["/export/home"]}`, false}}, 0, ""},
	{a("DEVEL_DEBUG", "snapshot_zone", "-z", "test-giz-1", "-s", "s1"), []want{{"zone_snapshot", `{"zone":"test-giz-1","name":"s1","state":"present"}`, false}}, 0, "s1\n"},
	{a("DEVEL_DEBUG", "list_auto_vnics_orphaned"), []want{{"zone_info", `{}`, false}}, 0, "journal /var/zonemgr/journal/b1-diz-7-1.json\nvnic autodizgone_0\n" +
		"unrecorded vnic autodizold_0: named like zonemgr's automatic VNICs, configured in no zone, and no journal records it\n"},
}

func TestVerbModuleCalls(t *testing.T) {
	for _, tt := range moduleCallTests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			h := newFakeHost()
			got := runCLI(t, h, nil, tt.args...)
			if got.code != tt.code {
				t.Errorf("exit status %d, want %d; stderr:\n%s", got.code, tt.code, got.stderr)
			}
			if got.stdout != tt.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", got.stdout, tt.stdout)
			}
			if len(h.calls) != len(tt.calls) {
				var names []string
				for _, c := range h.calls {
					names = append(names, c.module+" "+c.args)
				}
				t.Fatalf("%d module calls, want %d:\n%s\nstderr:\n%s", len(h.calls), len(tt.calls), strings.Join(names, "\n"), got.stderr)
			}
			for i, w := range tt.calls {
				c := h.calls[i]
				if c.module != w.module || c.args != canonical(t, w.args) || c.check != w.check {
					t.Errorf("call %d: %s %s check=%v\nwant:    %s %s check=%v", i, c.module, c.args, c.check, w.module, canonical(t, w.args), w.check)
				}
			}
		})
	}
}

// TestEveryVerbWordIsCovered makes sure the table above uses every verb
// and alias, so that none maps to a module untested.
func TestEveryVerbWordIsCovered(t *testing.T) {
	used := map[string]bool{}
	for _, tt := range moduleCallTests {
		for _, w := range tt.args {
			used[w] = true
		}
	}
	for _, w := range verbWords() {
		if w != "play" && !used[w] {
			t.Errorf("verb word %q is not in the module-call table", w)
		}
	}
}
