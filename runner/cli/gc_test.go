package cli

import (
	"strings"
	"testing"
)

// TestGCOutput pins what zonemgr gc prints: the leftovers found, one
// "KIND NAME" line each; with -n the commands it would run first; on
// standard error what it did not run and why, and the look-alikes it
// leaves alone; with --json the module's result; and a failure (a
// journal kept) as an error with exit status 1.
func TestGCOutput(t *testing.T) {
	const lookalike = "left alone: vnic autodizold_0: named like zonemgr's automatic VNICs, configured in no zone, and no journal records it"
	const notes = "zonemgr: not run: zoneadm -z b1 uninstall -F: zone b1 is configured\nzonemgr: warning: " + lookalike + "\n"
	for _, tt := range []struct {
		name   string
		args   []string
		fail   string
		code   int
		stdout string
		stderr string
	}{
		{"report", a("gc"), "", 0, "journal /var/zonemgr/journal/b1-diz-7-1.json\nvnic autodizgone_0\n",
			"zonemgr: gc ran 1 command(s) and removed 1 journal(s)\n" + notes},
		{"dry run", a("-n", "gc"), "", 0, "dladm delete-vnic autodizgone_0\njournal /var/zonemgr/journal/b1-diz-7-1.json\nvnic autodizgone_0\n",
			"zonemgr: gc would run 1 command(s) and remove 1 journal(s)\n" + notes},
		{"quiet", a("-q", "gc"), "", 0, "journal /var/zonemgr/journal/b1-diz-7-1.json\nvnic autodizgone_0\n", "zonemgr: warning: " + lookalike + "\n"},
		{"journal kept", a("gc"), "gc: 1 journal(s) of killed runs kept", 1, "", "zonemgr: error: gc: 1 journal(s) of killed runs kept\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newFakeHost()
			if tt.fail != "" {
				h.fail["zone_gc"] = tt.fail
			}
			got := runCLI(t, h, nil, tt.args...)
			if got.code != tt.code || got.stdout != tt.stdout || got.stderr != tt.stderr {
				t.Errorf("zonemgr %s: exit %d\nstdout %q\nstderr %q\nwant exit %d\nstdout %q\nstderr %q",
					strings.Join(tt.args, " "), got.code, got.stdout, got.stderr, tt.code, tt.stdout, tt.stderr)
			}
		})
	}
	got := runCLI(t, newFakeHost(), nil, "--json", "gc")
	if got.code != 0 || !strings.Contains(got.stdout, `"found":`) || !strings.Contains(got.stdout, `"autodizgone_0"`) {
		t.Errorf("zonemgr --json gc: exit %d, stdout %q", got.code, got.stdout)
	}
}
