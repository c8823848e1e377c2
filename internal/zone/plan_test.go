package zone

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// fakeGZ answers the read-only commands of a global zone with one golden
// zone, and records every command it is asked to run.
type fakeGZ struct {
	zones    string // zoneadm list -cp output
	datasets string // zfs list output
	ran      [][]string
}

func (f *fakeGZ) Run(ctx context.Context, c illumos.Cmd) (illumos.Result, error) {
	f.ran = append(f.ran, c.Argv)
	switch {
	case slices.Equal(c.Argv, []string{"zoneadm", "list", "-cp"}):
		return illumos.Result{Stdout: []byte(f.zones)}, nil
	case len(c.Argv) > 2 && c.Argv[0] == "zfs" && c.Argv[1] == "list":
		return illumos.Result{Stdout: []byte(f.datasets)}, nil
	}
	return illumos.Result{}, fmt.Errorf("fakeGZ: unexpected command %v", c.Argv)
}

const goldenXML = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE zone PUBLIC "-//Sun Microsystems Inc//DTD Zones//EN" "file:///usr/share/lib/xml/dtd/zonecfg.dtd.1">
<zone name="golden" zonepath="/zones/_zonemgr/GIZ/golden" autoboot="false" brand="ipkg" ip-type="exclusive">
  <attr name="zonemgr.role" type="string" value="giz"/>
  <attr name="zonemgr.origin" type="string" value="template:SUNWipkg"/>
</zone>
`

func fakeHost(t *testing.T) (*Host, *fakeGZ) {
	t.Helper()
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc/zones"), 0o755)
	os.MkdirAll(filepath.Join(root, "export/home"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/zones/index"), []byte("global:installed:/\ngolden:installed:/zones/_zonemgr/GIZ/golden:5b3c3a3e-1111-2222-3333-444455556666\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/zones/golden.xml"), []byte(goldenXML), 0o644)
	os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("root:x:0:0:Super-User:/root:/bin/sh\njenkins:x:1001:1001:Jenkins:/export/home/jenkins:/bin/bash\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/group"), []byte("root::0:\njenkins::1001:\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/shadow"), []byte("root:NP:::::::\njenkins:$5$abc$xyz:19000::::::\n"), 0o600)
	f := &fakeGZ{
		zones: "0:global:running:/::ipkg:shared:0\n-:golden:installed:/zones/_zonemgr/GIZ/golden:5b3c3a3e-1111-2222-3333-444455556666:ipkg:excl:1\n",
		datasets: strings.Join([]string{
			"rpool/zones/_zonemgr/GIZ\tfilesystem\t-\t/zones/_zonemgr/GIZ\t1700000000\t101\t1000\t-\t-\t-\t-",
			"rpool/zones/_zonemgr/GIZ/golden\tfilesystem\t-\t/zones/_zonemgr/GIZ/golden\t1700000001\t102\t1000\t-\t-\t-\t-",
			"rpool/zones/_zonemgr/GIZ/golden@initial-postinstalled-golden\tsnapshot\t-\t-\t1700000100\t101\t0\t1\t-\t-\t-",
			"rpool/zones/_zonemgr/GIZ/golden/ROOT\tfilesystem\t-\tlegacy\t1700000001\t103\t1000\t-\t-\t-\t-",
			"rpool/zones/_zonemgr/GIZ/golden/ROOT@initial-postinstalled-golden\tsnapshot\t-\t-\t1700000100\t102\t0\t1\t-\t-\t-",
			"rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe\tfilesystem\t-\tlegacy\t1700000001\t104\t1000\t-\t-\ton\tgz-be",
			"rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@initial-postinstalled-golden\tsnapshot\t-\t-\t1700000100\t103\t0\t1\t-\t-\t-",
			"rpool/zones/_zonemgr/DIZ\tfilesystem\t-\t/zones/_zonemgr/DIZ\t1700000000\t105\t1000\t-\t-\t-\t-",
			"rpool/zones/_zonemgr/delegated\tfilesystem\t-\t/zones/_zonemgr/delegated\t1700000000\t106\t1000\t-\t-\t-\t-",
		}, "\n") + "\n",
	}
	h := &Host{
		Runner:    f,
		Settings:  DefaultSettings(),
		Root:      root,
		Now:       func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) },
		NewRun:    func() string { return "r1" },
		CheckMode: true,
	}
	return h, f
}

// TestDIZPlan pins the exact commands of a DIZ creation, in order.
func TestDIZPlan(t *testing.T) {
	h, f := fakeHost(t)
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
			Guard: &Guard{Dataset: ds, Run: "r1", Unused: true}},
		{Why: "create VNIC autodizbuild1_0 over e1000g0",
			Cmd:   &illumos.Cmd{Argv: []string{"dladm", "create-vnic", "-l", "e1000g0", "-v", "81", "autodizbuild1_0"}},
			Undo:  &illumos.Cmd{Argv: []string{"dladm", "delete-vnic", "autodizbuild1_0"}},
			Guard: &Guard{VNIC: "autodizbuild1_0", Unused: true}},
		{Why: "configure the zone",
			Cmd:   &illumos.Cmd{Argv: []string{"zonecfg", "-z", "build1", "-f", "-"}},
			Undo:  &illumos.Cmd{Argv: []string{"zonecfg", "-z", "build1", "delete", "-F"}},
			Guard: &Guard{Zone: "build1", ZoneRun: "r1"}},
		{Why: "clone golden@initial-postinstalled-golden",
			Cmd:          &illumos.Cmd{Argv: []string{"zoneadm", "-z", "build1", "clone", "-s", "initial-postinstalled-golden", "golden"}},
			Undo:         &illumos.Cmd{Argv: []string{"zoneadm", "-z", "build1", "uninstall", "-F"}},
			Guard:        &Guard{Zone: "build1", ZoneRun: "r1", States: []string{"installed", "incomplete"}},
			UndoIfFailed: true, Release: "source"},
		{Why: "boot the zone", Cmd: boot, Undo: zoneadm("build1", "halt"), UndoIfFailed: true,
			Guard: &Guard{Zone: "build1", ZoneRun: "r1", States: kernelStates}},
		{Why: "wait for " + MilestoneMultiUser, Wait: &Wait{Zone: "build1", Milestone: MilestoneMultiUser, Timeout: 5 * time.Minute}},
		{Why: "set up the zone (node name, accounts, automounts)",
			Cmd: &illumos.Cmd{Argv: []string{"zlogin", "-S", "build1", "/bin/sh -s"}, ZoneStatus: true}},
	}
	// The scripts fed on standard input are checked apart.
	got := slices.Clone(out.Steps)
	var cfg, setup string
	for i := range got {
		if got[i].Cmd != nil && got[i].Cmd.Stdin != nil {
			c := *got[i].Cmd
			if c.Argv[0] == "zonecfg" {
				cfg = string(c.Stdin)
			} else {
				setup = string(c.Stdin)
			}
			c.Stdin = nil
			got[i].Cmd = &c
			got[i].Show = ""
		}
	}
	if !reflect.DeepEqual(got, want) {
		for i := range max(len(got), len(want)) {
			var g, w Step
			if i < len(got) {
				g = got[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("step %d:\n got %+v\nwant %+v", i, g, w)
			}
		}
	}
	for _, line := range []string{"create -b", "set zonepath=/zones/_zonemgr/DIZ/build1", "set brand=ipkg", "set ip-type=exclusive",
		"add fs", "set dir=/export/home", "set type=lofs", "set physical=autodizbuild1_0",
		"set name=rpool/zones/_zonemgr/delegated/build1", "set name=zonemgr.role", "set value=diz", "set value=giz:golden",
		`set value="autodizbuild1_0|e1000g0|81"`, "set name=zonemgr.run", "set value=r1", "verify", "commit"} {
		if !strings.Contains(cfg, line+"\n") {
			t.Errorf("zonecfg script lacks %q:\n%s", line, cfg)
		}
	}
	if !strings.Contains(setup, "echo 'build1' > /etc/nodename") || !strings.Contains(setup, "putline /etc/passwd 'jenkins'") {
		t.Errorf("setup script:\n%s", setup)
	}
	if !strings.HasPrefix(out.Plan[2], "zonecfg -z build1 -f - <<EOF\n\tcreate -b\n") {
		t.Errorf("the plan shows the configuration as %q", out.Plan[2])
	}
	if !out.Changed {
		t.Error("changed = false for a new zone")
	}
	// Check mode ran only the two reads.
	if len(f.ran) != 2 {
		t.Errorf("check mode ran %d commands, want the 2 reads: %v", len(f.ran), f.ran)
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
