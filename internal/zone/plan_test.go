package zone

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// TestDIZPlan pins the exact commands of a DIZ creation, in order: the
// clone's identity is written before its first boot, from the global
// zone by a privileged process, in the zone's scratch zone otherwise;
// the one boot waits for the milestone from the global zone when it can
// (svcs -z), through zlogin otherwise.
func TestDIZPlan(t *testing.T) {
	for _, privileged := range []bool{true, false} {
		t.Run(map[bool]string{true: "privileged", false: "pfexec"}[privileged], func(t *testing.T) {
			h, f := fakeHost(t)
			h.Privileged = privileged
			out, err := h.EnsureDIZ(context.Background(), DIZSpec{
				Name:      "build1",
				GIZ:       "golden",
				State:     "running",
				Lofs:      []LofsMount{{Dir: "/export/home", Special: "/export/home"}},
				VNICsOver: []VNICOver{{Link: "e1000g0", VLAN: 81}},
				Datasets:  []string{"rpool/zones/_zonemgr/delegated/build1"},
				CopyUsers: []string{"jenkins"},
			})
			if err != nil {
				t.Fatal(err)
			}
			ds := "rpool/zones/_zonemgr/delegated/build1"
			boot := zoneadm("build1", "boot")
			boot.Timeout = 5 * time.Minute
			want := []Step{
				{Why: "create delegated dataset " + ds,
					Cmd:   &illumos.Cmd{Argv: []string{"zfs", "create", "-o", "zonemgr:run=r1", "-o", "zoned=on", "-o", "mountpoint=legacy", ds}},
					Undo:  &illumos.Cmd{Argv: []string{"zfs", "destroy", "-r", ds}},
					Guard: &Guard{Dataset: ds, Run: "r1", Unused: true, Childless: true}},
				{Why: "create VNIC autodizbuild1_0 over e1000g0",
					Cmd:   &illumos.Cmd{Argv: []string{"dladm", "create-vnic", "-l", "e1000g0", "-m", "2:8:20:fa:fe:a1", "-v", "81", "autodizbuild1_0"}},
					Undo:  &illumos.Cmd{Argv: []string{"dladm", "delete-vnic", "autodizbuild1_0"}},
					Guard: &Guard{VNIC: "autodizbuild1_0", Over: "e1000g0", MAC: "2:8:20:fa:fe:a1", Unused: true}},
				{Why: "configure the zone",
					Cmd:     &illumos.Cmd{Argv: []string{"zonecfg", "-z", "build1", "-f", "-"}},
					Undo:    &illumos.Cmd{Argv: []string{"zonecfg", "-z", "build1", "delete", "-F"}},
					Guard:   &Guard{Zone: "build1", ZoneRun: "r1", States: []string{"configured"}},
					Release: "datasets"},
				{Why: "(the undo of the clone, should the brand's uninstall leave rpool/zones/_zonemgr/DIZ/build1)",
					Show:  "(rpool/zones/_zonemgr/DIZ/build1 destroyed should the brand's uninstall leave it)",
					Undo:  &illumos.Cmd{Argv: []string{"zfs", "destroy", "-r", "rpool/zones/_zonemgr/DIZ/build1"}},
					Guard: &Guard{Zone: "build1", ZoneRun: "r1", States: []string{"configured"}, Dataset: "rpool/zones/_zonemgr/DIZ/build1", CloneOf: "rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@initial-postinstalled-golden", Unused: true}},
				{Why: "clone golden@initial-postinstalled-golden",
					Cmd:          &illumos.Cmd{Argv: []string{"zoneadm", "-z", "build1", "clone", "-s", "initial-postinstalled-golden", "golden"}},
					Undo:         &illumos.Cmd{Argv: []string{"zoneadm", "-z", "build1", "uninstall", "-F"}},
					Guard:        &Guard{Zone: "build1", ZoneRun: "r1", States: []string{"installed", "incomplete"}, Independent: true},
					UndoIfFailed: true, Release: "source"},
			}
			identity := "write the zone's identity before its first boot (node name, hosts, accounts)"
			edits := []FileEdit{
				{Op: EditWrite, Path: "/etc/nodename", Text: "build1\n", Mode: 0o644},
				{Op: EditHosts, Path: "/etc/inet/hosts", Text: "build1", Drop: []string{"golden"}},
				{Op: EditLine, Path: "/etc/passwd", Key: "jenkins", Text: "jenkins:x:1001:1001:Jenkins:/export/home/jenkins:/bin/bash"},
				{Op: EditLine, Path: "/etc/shadow", Key: "jenkins", Text: "jenkins:$5$abc$xyz:19000::::::"},
				{Op: EditOwn, Path: "/etc/shadow", Mode: 0o400, GID: 3},
			}
			if privileged {
				want = append(want, Step{Why: identity, Files: &ZoneFiles{Zone: "build1", Zonepath: "/zones/_zonemgr/DIZ/build1",
					Dataset: "rpool/zones/_zonemgr/DIZ/build1", Edits: edits}})
			} else {
				want = append(want,
					Step{Why: "mount the zone (its scratch zone, the zone's root on /a)", Cmd: zoneadm("build1", "mount"), Undo: zoneadm("build1", "unmount"),
						UndoIfFailed: true, Guard: &Guard{Zone: "build1", ZoneRun: "r1", States: []string{"mounted"}}},
					Step{Why: identity + " (in the scratch zone, below /a)", Cmd: &illumos.Cmd{Argv: []string{"zlogin", "-S", "build1", "/bin/sh -s"}, ZoneStatus: true}},
					Step{Why: "unmount the zone", Cmd: zoneadm("build1", "unmount")})
			}
			want = append(want,
				Step{Why: "boot the zone", Cmd: boot, Undo: zoneadm("build1", "halt"), UndoIfFailed: true,
					Guard: &Guard{Zone: "build1", ZoneRun: "r1", States: kernelStates}},
				Step{Why: "wait for " + MilestoneMultiUser, Wait: &Wait{Zone: "build1", Milestone: MilestoneMultiUser, Timeout: 5 * time.Minute, FromGlobal: privileged}})
			got, scripts := withoutScripts(out.Steps)
			diffSteps(t, got, want)
			cfg, setup := scripts["zonecfg"], scripts["zlogin"]
			for _, line := range []string{"create -b", "set zonepath=/zones/_zonemgr/DIZ/build1", "set brand=ipkg", "set ip-type=exclusive",
				"add fs", "set dir=/export/home", "set type=lofs", "set physical=autodizbuild1_0",
				"set name=rpool/zones/_zonemgr/delegated/build1", "set name=zonemgr.role", "set value=diz", "set value=giz:golden",
				`set value="autodizbuild1_0|e1000g0|81"`, "set name=zonemgr.run", "set value=r1", "verify", "commit"} {
				if !strings.Contains(cfg, line+"\n") {
					t.Errorf("zonecfg script lacks %q:\n%s", line, cfg)
				}
			}
			if strings.Contains(cfg, AttrServices) {
				t.Errorf("a zone without automounts or LDAP client records services to enable:\n%s", cfg)
			}
			if !privileged && (setup != editScript(edits, "/a") || !strings.Contains(setup, "mv -f /a/etc/nodename.zonemgr-new /a/etc/nodename") ||
				!strings.Contains(setup, "putline /a/etc/passwd 'jenkins'") || !strings.Contains(setup, "chown 0:3 /a/etc/shadow; chmod 0400 /a/etc/shadow")) {
				t.Errorf("scratch zone's script:\n%s", setup)
			}
			if !strings.HasPrefix(out.Plan[2], "zonecfg -z build1 -f - <<EOF\n\tcreate -b\n") {
				t.Errorf("the plan shows the configuration as %q", out.Plan[2])
			}
			if privileged && out.Plan[5] != "write into /zones/_zonemgr/DIZ/build1/root: /etc/nodename /etc/inet/hosts /etc/passwd /etc/shadow" {
				t.Errorf("the plan shows the identity as %q", out.Plan[5])
			}
			if strings.Contains(strings.Join(out.Plan, "\n"), "$5$abc") {
				t.Errorf("the plan shows a password hash:\n%s", strings.Join(out.Plan, "\n"))
			}
			if !out.Changed {
				t.Error("changed = false for a new zone")
			}
			// Check mode ran only the four reads: zones, datasets, the
			// holds of the snapshots the clone may come from, and the
			// VNICs (an automatic VNIC's name must be free).
			wantCalls := []string{"zoneadm list -cp", "", "zfs holds -H rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@initial-postinstalled-golden", "dladm show-vnic -p -o link,over,vid,macaddress"}
			calls := f.Calls()
			if len(calls) != 4 || calls[0].String() != wantCalls[0] || !strings.HasPrefix(calls[1].String(), "zfs list ") || calls[2].String() != wantCalls[2] || calls[3].String() != wantCalls[3] {
				t.Errorf("check mode ran %q, want the 4 reads: %q (the second a zfs list)", calls, wantCalls)
			}
		})
	}
}

func TestDIZRefusesForeignZone(t *testing.T) {
	h, f := fakeHost(t)
	f.zones += "-:other:installed:/zones/other:5b3c3a3e-1111-2222-3333-444455556667:ipkg:excl:2\n"
	os.WriteFile(filepath.Join(h.Root, "etc/zones/index"), []byte("global:installed:/\ngolden:installed:/zones/_zonemgr/GIZ/golden:x\nother:installed:/zones/other:y\n"), 0o644)
	os.WriteFile(filepath.Join(h.Root, "etc/zones/other.xml"), []byte(strings.ReplaceAll(strings.ReplaceAll(goldenXML, "golden", "other"), `<attr name="zonemgr.role" type="string" value="giz"/>
  <attr name="zonemgr.origin" type="string" value="template:SUNWipkg"/>
`, "")), 0o644)
	for _, state := range []string{"absent", "running", "present"} {
		_, err := h.EnsureDIZ(context.Background(), DIZSpec{Name: "other", GIZ: "golden", State: state})
		if err == nil || !strings.Contains(err.Error(), "not managed by zonemgr") {
			t.Errorf("state %s on a foreign zone: err = %v", state, err)
		}
		_, err = h.EnsureDIZ(context.Background(), DIZSpec{Name: "golden", State: state})
		if err == nil || !strings.Contains(err.Error(), "golden-image zone") {
			t.Errorf("state %s on a GIZ through zone_diz: err = %v", state, err)
		}
	}
}

func TestCommandWarnings(t *testing.T) {
	many := strings.Repeat("WARNING: w\n", maxCommandWarnings+3)
	tests := []struct {
		name, stderr string
		want         []string
	}{
		{"none", "", nil},
		{"other lines", "cloning...\nnote: done\n", nil},
		{"validate_clone", "WARNING: read-write lofs file system on '/export/src' is configured in both zones.\n",
			[]string{"WARNING: read-write lofs file system on '/export/src' is configured in both zones."}},
		{"through zerror", "zoneadm: zone 'golden': WARNING: dataset 'rpool/data' is configured in both zones.\n\n",
			[]string{"zoneadm: zone 'golden': WARNING: dataset 'rpool/data' is configured in both zones."}},
		{"among other lines", "a\n  WARNING: one  \nb\nWARNING: two", []string{"WARNING: one", "WARNING: two"}},
		{"lower case is not a warning", "warning: x\n", nil},
		{"too many", many, append(slices.Repeat([]string{"WARNING: w"}, maxCommandWarnings), "(and 3 more warnings)")},
	}
	for _, tt := range tests {
		if got := commandWarnings([]byte(tt.stderr)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: commandWarnings = %q, want %q", tt.name, got, tt.want)
		}
	}
}
