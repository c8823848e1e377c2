package pkg_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/internal/simtest"
	"github.com/zonemgr/zonemgr/sim/pkg"
)

const listHeader = "NAME (PUBLISHER)                                  VERSION                    IFO\n"

func TestListAndPublisher(t *testing.T) {
	s := simtest.New(t)
	simtest.Check(t, "list", s.Run(nil, "pkg", "list", "shell/bash", "entire"),
		listHeader+
			"entire                                            0.5.11-151054.0            i--\n"+
			"shell/bash                                        5.2.21-151054.0            i--\n", "", 0)
	simtest.Check(t, "list -H", s.Run(nil, "pkg", "list", "-H", "bash"),
		"shell/bash                                        5.2.21-151054.0            i--\n", "", 0)
	simtest.Check(t, "list no match", s.Run(nil, "pkg", "list", "gnu-make"), "",
		" \npkg list: no packages matching the following patterns are installed:\n  gnu-make\n", 1)
	simtest.Check(t, "list partial", s.Run(nil, "pkg", "list", "-H", "bash", "gnu-make"),
		"shell/bash                                        5.2.21-151054.0            i--\n",
		" \npkg list: no packages matching the following patterns are installed:\n  gnu-make\n", 3)
	simtest.Check(t, "list -a", s.Run(nil, "pkg", "list", "-aH", "gnu-make"),
		"developer/build/gnu-make                          4.4.1-151054.0             ---\n", "", 0)
	s.OK("pkg", "set-publisher", "-g", "https://pkg.example.org/extra", "extra.example")
	simtest.Check(t, "second publisher", s.Run(nil, "pkg", "publisher", "-H", "extra.example"),
		"extra.example               origin   online F https://pkg.example.org/extra/\n", "", 0)
	s.OK("pkg", "unset-publisher", "extra.example")
	simtest.Check(t, "unset unknown", s.Run(nil, "pkg", "unset-publisher", "extra.example"), "",
		"\npkg unset-publisher: Removal failed for 'extra.example': Unknown publisher 'extra.example'.\n\n", 1)
}

// TestFlavorPublishers checks each flavour's global zone publisher and
// package branch, and that a zone installed without -P gets the global
// zone's publishers.
func TestFlavorPublishers(t *testing.T) {
	tests := []struct {
		flavor           core.Flavor
		publisher, tsv   string
		entire, bash     string
		brands           string
		zonePublisherOut string
	}{
		{core.OmniOS,
			"PUBLISHER                   TYPE     STATUS P LOCATION\n" +
				"omnios                      origin   online F https://pkg.omnios.org/r151054/core/\n",
			"omnios\ttrue\tfalse\ttrue\torigin\tonline\thttps://pkg.omnios.org/r151054/core/\t-\n",
			"entire                                            0.5.11-151054.0            i--\n",
			"shell/bash                                        5.2.21-151054.0            i--\n",
			"system/zones/brand/bhyve                          0.5.11-151054.0            i--\n" +
				"system/zones/brand/emu                            0.5.11-151054.0            i--\n" +
				"system/zones/brand/illumos                        0.5.11-151054.0            i--\n" +
				"system/zones/brand/ipkg                           0.5.11-151054.0            i--\n" +
				"system/zones/brand/kvm                            0.5.11-151054.0            i--\n" +
				"system/zones/brand/lipkg                          0.5.11-151054.0            i--\n" +
				"system/zones/brand/lx/platform                    0.5.11-151054.0            i--\n" +
				"system/zones/brand/pkgsrc                         0.5.11-151054.0            i--\n" +
				"system/zones/brand/sparse                         0.5.11-151054.0            i--\n",
			"omnios                      origin   online F https://pkg.omnios.org/r151054/core/\n"},
		{core.OpenIndiana,
			"PUBLISHER                   TYPE     STATUS P LOCATION\n" +
				"openindiana.org              origin   online F http://pkg.openindiana.org/hipster/\n",
			"openindiana.org\ttrue\tfalse\ttrue\torigin\tonline\thttp://pkg.openindiana.org/hipster/\t-\n",
			"entire                                            0.5.11-2024.0.0.22160      i--\n",
			"shell/bash                                        5.2.21-2024.0.0.0          i--\n",
			"system/zones/brand/ipkg                           0.5.11-2024.0.0.0          i--\n" +
				"system/zones/brand/nlipkg                         0.5.11-2024.0.0.0          i--\n",
			"openindiana.org              origin   online F http://pkg.openindiana.org/hipster/\n"},
	}
	for _, tt := range tests {
		t.Run(string(tt.flavor), func(t *testing.T) {
			s := simtest.NewFlavor(t, tt.flavor)
			simtest.Check(t, "publisher", s.Run(nil, "pkg", "publisher"), tt.publisher, "", 0)
			simtest.Check(t, "publisher tsv", s.Run(nil, "pkg", "publisher", "-H", "-F", "tsv"), tt.tsv, "", 0)
			simtest.Check(t, "list", s.Run(nil, "pkg", "list", "-H", "entire", "shell/bash"), tt.entire+tt.bash, "", 0)
			simtest.Check(t, "brand packages (fnmatch: '*' matches '/')", s.Run(nil, "pkg", "list", "-H", "system/zones/*"), tt.brands, "", 0)
			// pkgcreatezone: copy-publishers-from the global zone.
			pubs, err := pkg.Publishers(s.Root)
			if err != nil {
				t.Fatal(err)
			}
			zroot := s.Path("/zones/z1/root")
			if err := pkg.InstallBase(s.Root, zroot, []string{"SUNWcs", "shell/bash"}, pubs); err != nil {
				t.Fatal(err)
			}
			simtest.Check(t, "zone publisher", s.Run(nil, "pkg", "-R", "/zones/z1/root", "publisher", "-H"), tt.zonePublisherOut, "", 0)
			simtest.Check(t, "zone list", s.Run(nil, "pkg", "-R", "/zones/z1/root", "list", "-H", "bash"), tt.bash, "", 0)
			if err := pkg.Publish(s.Root, "new/pkg", "1.0-1.0"); err != nil {
				t.Fatal(err)
			}
			simtest.Check(t, "published under the flavour's publisher",
				s.Run(nil, "pkg", "list", "-aH", "pkg://"+strings.Fields(tt.zonePublisherOut)[0]+"/new/pkg"),
				"new/pkg                                           1.0-1.0                    ---\n", "", 0)
		})
	}
}

func TestInstallUninstallUpdate(t *testing.T) {
	s := simtest.New(t)
	simtest.Check(t, "nothing to do", s.Run(nil, "pkg", "install", "shell/bash"), "No updates necessary for this image.\n", "", 4)
	simtest.Check(t, "unknown", s.Run(nil, "pkg", "install", "nosuch/pkg"), "",
		"pkg install: The following pattern(s) did not match any allowable packages.  Try\n"+
			"using a different matching pattern, or refreshing publisher information:\n\n\tnosuch/pkg\n", 1)
	simtest.Check(t, "install", s.Run(nil, "pkg", "install", "gnu-make"),
		"           Packages to install:  1\n"+
			"       Create boot environment: No\n"+
			"Create backup boot environment: No\n\n", "", 0)
	simtest.Check(t, "installed", s.Run(nil, "pkg", "list", "-H", "gnu-make"),
		"developer/build/gnu-make                          4.4.1-151054.0             i--\n", "", 0)
	simtest.Check(t, "dry run changes nothing", s.Run(nil, "pkg", "install", "-n", "git"),
		"           Packages to install:  1\n"+
			"       Create boot environment: No\n"+
			"Create backup boot environment: No\n\n", "", 0)
	checkCode(t, "git not installed", s.Run(nil, "pkg", "list", "-H", "git").Code, 1)
	simtest.Check(t, "uninstall unknown", s.Run(nil, "pkg", "uninstall", "git"), "",
		"\npkg uninstall: 'git' matches no installed packages\n", 1)
	s.OK("pkg", "uninstall", "gnu-make")
	simtest.Check(t, "update nothing", s.Run(nil, "pkg", "update"), "No updates available for this image.\n", "", 4)

	if err := pkg.Publish(s.Root, "shell/bash", "5.2.21-151054.1"); err != nil {
		t.Fatal(err)
	}
	simtest.Check(t, "list -u", s.Run(nil, "pkg", "list", "-uH"),
		"shell/bash                                        5.2.21-151054.0            i--\n", "", 0)
	simtest.Check(t, "update", s.Run(nil, "pkg", "update", "-v"),
		"            Packages to update:  1\n"+
			"       Create boot environment: No\n"+
			"Create backup boot environment: No\n\n"+
			"Changed packages:\nomnios\n  shell/bash\n    5.2.21-151054.0 -> 5.2.21-151054.1\n\n", "", 0)
	simtest.Check(t, "updated", s.Run(nil, "pkg", "list", "-H", "bash"),
		"shell/bash                                        5.2.21-151054.1            i--\n", "", 0)
	if err := pkg.Publish(s.Root, "shell/bash", "5.2.21-151054.1"); err == nil {
		t.Error("publishing the same version twice succeeded")
	}
}

// checkCode compares an exit code.
func checkCode(t *testing.T, what string, got, want int) {
	t.Helper()
	if got != want {
		t.Errorf("%s: exit %d, want %d", what, got, want)
	}
}

func TestZoneImage(t *testing.T) {
	s := simtest.New(t)
	zroot := s.Path("/zones/z1/root")
	pubs, err := pkg.Publishers(s.Root)
	if err != nil {
		t.Fatal(err)
	}
	if err := pkg.InstallBase(s.Root, zroot, []string{"SUNWcs", "shell/bash"}, pubs); err != nil {
		t.Fatal(err)
	}
	simtest.Check(t, "-R list", s.Run(nil, "pkg", "-R", "/zones/z1/root", "list", "-H"),
		"SUNWcs                                            0.5.11-151054.0            i--\n"+
			"shell/bash                                        5.2.21-151054.0            i--\n", "", 0)
	s.OK("pkg", "-R", "/zones/z1/root", "install", "gnu-make")
	checkCode(t, "GZ image untouched", s.Run(nil, "pkg", "list", "gnu-make").Code, 1)
	simtest.Check(t, "no image", s.Run(nil, "pkg", "-R", "/nowhere", "list"), "", "pkg: No image rooted at '/nowhere'\n", 1)

	if err := pkg.Publish(s.Root, "developer/gcc-13", "13.3.0-151054.0"); err != nil {
		t.Fatal(err)
	}
	// Inside the zone pkg sees only the image, and its catalog copy is
	// what SyncCatalog last wrote.
	inZone := func(args ...string) simtest.Result {
		cmd := exec.Command(filepath.Join(simtest.Bin(), "pkg"), append([]string{"-R", zroot}, args...)...)
		cmd.Env = append(os.Environ(), core.EnvZone+"=z1")
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return simtest.Result{Stdout: out.String(), Stderr: errb.String(), Code: code}
	}
	checkCode(t, "in-zone install from the stale copy", inZone("install", "-q", "gcc-13").Code, 0)
	simtest.Check(t, "stale version", inZone("list", "-H", "gcc-13"),
		"developer/gcc-13                                  13.2.0-151054.0            i--\n", "", 0)
	if err := pkg.SyncCatalog(s.Root, zroot); err != nil {
		t.Fatal(err)
	}
	checkCode(t, "in-zone update", inZone("update", "-q").Code, 0)
	simtest.Check(t, "updated version", inZone("list", "-H", "gcc-13"),
		"developer/gcc-13                                  13.3.0-151054.0            i--\n", "", 0)
	simtest.Check(t, "linked child", inZone("install", "shell/bash"), "No updates necessary for this image. (zone:z1)\n", "", 4)
	entries, err := core.ReadLog(s.Root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Tool == "pkg" && strings.Contains(strings.Join(e.Argv, " "), "gcc-13") {
			t.Errorf("in-zone pkg logged in the global zone: %+v", e)
		}
	}
}

func TestPrivileges(t *testing.T) {
	s := simtest.New(t)
	denied := "pkg: Could not operate on /var/pkg/lock\nbecause of insufficient permissions. Please try the command again as a privileged user.\n"
	builder := []string{core.EnvUID + "=1003"}
	jim := []string{core.EnvUID + "=1002"}
	jenkins := []string{core.EnvUID + "=1001"}
	simtest.Check(t, "builder install", s.Run(builder, "pkg", "install", "gnu-make"), "", denied, 1)
	simtest.Check(t, "jim via pfexec has no pkg profile", s.Run(jim, "pfexec", "pkg", "install", "gnu-make"), "", denied, 1)
	checkCode(t, "builder list", s.Run(builder, "pkg", "list", "bash").Code, 0)
	checkCode(t, "jenkins via pfexec", s.Run(jenkins, "pfexec", "pkg", "install", "gnu-make").Code, 0)
}
