package zones

import (
	"testing"
	"time"
)

// TestSvcsZone: "svcs -z ZONE" in the global zone (svcs.c main(), libscf
// lowlevel.c scf_handle_decorate() "zone" and scf_handle_bind()) reads
// the zone's services only while the zone runs, reports a zone that is not
// configured as invalid and any other as having no repository server,
// and is refused inside a zone.
func TestSvcsZone(t *testing.T) {
	s := newSim(t)
	s.installed("slow")
	s.installed("quick")
	s.runEnv([]string{"ILLUMOS_SIM_BOOT_DELAY=3600"}, "", "zoneadm", "-z", "slow", "boot")
	s.must("zoneadm", "-z", "quick", "boot")
	s.inState("in1", "installed")
	s.inState("r1", "ready")
	s.inState("m1", "mounted")
	s.inState("c1", "configured")
	const ms = "svc:/milestone/multi-user-server:default"
	noServer := func(z string) string {
		return "svcs: Could not bind to repository server for zone " + z + ": repository server unavailable\n"
	}
	const jim, jenkins = "ILLUMOS_SIM_UID=1002", "ILLUMOS_SIM_UID=1001"
	tests := []struct {
		name   string
		env    []string
		argv   []string
		stdout string
		stderr string
		code   int
	}{
		{"booting milestone", nil, []string{"svcs", "-z", "slow", "-H", "-o", "state", ms}, "offline*\n", "", 0},
		{"booted milestone", nil, []string{"svcs", "-z", "quick", "-H", "-o", "state", ms}, "online\n", "", 0},
		{"options after -z", nil, []string{"svcs", "-H", "-o", "state", "-z", "quick", "milestone/multi-user-server"}, "online\n", "", 0},
		{"zone column", nil, []string{"svcs", "-z", "quick", "-H", "-o", "zone,state", ms}, "quick            online\n", "", 0},
		{"disabled service", nil, []string{"svcs", "-z", "quick", "-H", "-o", "state", "network/ldap/client"}, "disabled\n", "", 0},
		{"unknown pattern", nil, []string{"svcs", "-z", "quick", "-H", "-o", "state", "nosuch"}, "",
			"svcs: Pattern 'nosuch' doesn't match any instances\n", 1},
		{"unknown column", nil, []string{"svcs", "-z", "quick", "-o", "bogus", ms}, "", "svcs: Unknown column \"bogus\".\n", 1},
		{"no columns", nil, []string{"svcs", "-z", "quick", "-o", "", ms}, "", "svcs: No columns specified.\n", 1},
		{"installed zone", nil, []string{"svcs", "-z", "in1", "-H", "-o", "state", ms}, "", noServer("in1"), 1},
		{"ready zone", nil, []string{"svcs", "-z", "r1", "-H", "-o", "state", ms}, "", noServer("r1"), 1},
		{"mounted zone", nil, []string{"svcs", "-z", "m1", "-H", "-o", "state", ms}, "", noServer("m1"), 1},
		{"configured zone", nil, []string{"svcs", "-z", "c1", "-H", "-o", "state", ms}, "", noServer("c1"), 1},
		// The bind comes before the columns are decoded.
		{"installed zone, bad column", nil, []string{"svcs", "-z", "in1", "-o", "bogus", ms}, "", noServer("in1"), 1},
		{"unknown zone", nil, []string{"svcs", "-z", "nosuch", "-H", "-o", "state", ms}, "", "svcs: invalid zone 'nosuch'\n", 1},
		{"global", nil, []string{"svcs", "-z", "global", "-H", "-o", "zone,state", ms}, "global           online\n", "", 0},
		{"-z and -Z", nil, []string{"svcs", "-z", "quick", "-Z", ms}, "", svcsUsage, 2},
		// The door is below the 0700 zonepath: no profile runs svcs as
		// root but Primary Administrator's "*".
		{"ordinary user", []string{jim}, []string{"svcs", "-z", "quick", "-H", "-o", "state", ms}, "", noServer("quick"), 1},
		{"zone profiles under pfexec", []string{jim}, []string{"pfexec", "svcs", "-z", "quick", "-H", "-o", "state", ms}, "", noServer("quick"), 1},
		{"Primary Administrator under pfexec", []string{jenkins}, []string{"pfexec", "svcs", "-z", "quick", "-H", "-o", "state", ms}, "online\n", "", 0},
		{"inside a zone", nil, []string{"zlogin", "quick", "svcs", "-z", "quick", ms}, "", "svcs: svcs -z may only be used from the global zone\n", 1},
		// A scratch zone runs no svc.configd.
		{"svcs in a scratch zone", nil, []string{"zlogin", "-S", "m1", "svcs", "-H", ms}, "",
			"svcs: Could not bind to repository server: repository server unavailable.  Exiting.\n", 1},
		{"svcadm in a scratch zone", nil, []string{"zlogin", "-S", "m1", "svcadm", "enable", "network/ldap/client"}, "",
			"svcadm: Couldn't bind to configuration repository: repository server unavailable.\n", 1},
	}
	for _, tt := range tests {
		check(t, tt.name, s.runEnv(tt.env, "", tt.argv...), tt.stdout, tt.stderr, tt.code)
	}
	r := s.run("svcs", "-z", "quick", ms)
	if r.code != 0 || len(r.stdout) < len(svcsHeader) || r.stdout[:len(svcsHeader)] != svcsHeader {
		t.Errorf("svcs -z with a header: %q %q", r.stdout, r.stderr)
	}
	// The door goes with the zone: after a halt nothing answers, after
	// the next boot the zone's repository does.
	s.must("zoneadm", "-z", "quick", "halt")
	check(t, "halted", s.run("svcs", "-z", "quick", "-H", "-o", "state", ms), "", noServer("quick"), 1)
	s.must("zoneadm", "-z", "quick", "boot")
	check(t, "booted again", s.run("svcs", "-z", "quick", "-H", "-o", "state", ms), "online\n", "", 0)
	// A zone that deleted its door cannot be asked either.
	s.must("zlogin", "quick", "rm /etc/svc/volatile/repository_door")
	check(t, "door removed", s.run("svcs", "-z", "quick", "-H", "-o", "state", ms), "", noServer("quick"), 1)
}

// svcsHeader is svcs's default header line.
const svcsHeader = "STATE          STIME    FMRI\n"

// TestBootDelay: ILLUMOS_SIM_BOOT_DELAY takes seconds or a Go duration,
// and a value that is neither makes boot fail before the zone changes.
func TestBootDelay(t *testing.T) {
	for _, tt := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"", 0, true}, {"3", 3 * time.Second, true}, {"0.5", 500 * time.Millisecond, true},
		{"3s", 3 * time.Second, true}, {"1500ms", 1500 * time.Millisecond, true}, {"0", 0, true},
		{"-1", 0, false}, {"three", 0, false}, {"3 s", 0, false},
	} {
		t.Setenv(EnvBootDelay, tt.v)
		got, err := bootDelay()
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("%s=%q: %v, %v; want %v, ok %v", EnvBootDelay, tt.v, got, err, tt.want, tt.ok)
		}
	}
	s := newSim(t)
	s.installed("z1")
	check(t, "bad delay", s.runEnv([]string{"ILLUMOS_SIM_BOOT_DELAY=3sec"}, "", "zoneadm", "-z", "z1", "boot"), "",
		"illumos-sim: ILLUMOS_SIM_BOOT_DELAY=\"3sec\": want a number of seconds (3, 0.5) or a duration (3s)\n", 1)
	if st := s.stateOf("z1"); st != "installed" {
		t.Errorf("z1 is %s after a refused boot", st)
	}
	check(t, "boot with a duration", s.runEnv([]string{"ILLUMOS_SIM_BOOT_DELAY=1h"}, "", "zoneadm", "-z", "z1", "boot"), "", "", 0)
	check(t, "an hour's delay", s.run("svcs", "-z", "z1", "-H", "-o", "state", "milestone/multi-user-server"), "offline*\n", "", 0)
}
