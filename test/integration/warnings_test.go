package integration

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCommandWarningsReachTheUser: a command that succeeds with a
// warning is a success whose warning every door reports. zoneadm clone
// warns about a filesystem the golden zone and its clone both mount
// read-write (illumos-gate zoneadm.c validate_clone(), warn_fs_match()),
// and a disposable zone copies its golden zone's filesystems: the CLI
// prints the warning on standard error, a module returns it in
// "warnings", and the zone is made all the same.
func TestCommandWarningsReachTheUser(t *testing.T) {
	s := goldenSim(t)
	if res := s.MustModule("zone_diz", map[string]any{"name": "quiet", "giz": "golden"}); res["warnings"] != nil {
		t.Errorf("a clone without a shared filesystem warned: %v", res["warnings"])
	}
	if err := os.MkdirAll(filepath.Join(s.Root, "export/src"), 0o755); err != nil {
		t.Fatal(err)
	}
	s.MustRun("zonecfg", "-z", "golden", "add fs; set dir=/src; set special=/export/src; set type=lofs; end; commit")
	const warning = `clone golden@\S+: WARNING: read-write lofs file system on '/export/src' is configured in both zones\.`

	r := s.Zonemgr("create-diz", "-c", "golden", "-z", "c1")
	cli := regexp.MustCompile(`(?m)^zonemgr: warning: c1: ` + warning + `$`)
	if r.Code != 0 || r.Stdout != "c1\n" || len(cli.FindAllString(r.Stderr, -1)) != 1 {
		t.Errorf("create-diz: exit %d\nstdout %q\nstderr %q\nwant the clone's warning once on stderr", r.Code, r.Stdout, r.Stderr)
	}

	res := s.MustModule("zone_diz", map[string]any{"name": "m1", "giz": "golden"})
	warnings := strs(res["warnings"])
	module := regexp.MustCompile(`^m1: ` + warning + `$`)
	if changed, _ := res["changed"].(bool); !changed || len(warnings) != 1 || !module.MatchString(warnings[0]) {
		t.Errorf("zone_diz: changed %v, warnings %q; want the clone's warning", res["changed"], warnings)
	}
	for _, z := range []string{"c1", "m1"} {
		if out, _, _ := s.Run(nil, "zoneadm", "-z", z, "list", "-p"); !strings.Contains(out, ":"+z+":installed:") {
			t.Errorf("zoneadm -z %s list -p = %q, want it installed", z, out)
		}
	}
}
