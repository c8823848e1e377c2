package zone

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zfs"
)

// TestGuardOwnershipRecords: a guard's Run holds only for a zonemgr:run
// set on the dataset itself; Childless refuses child datasets and
// snapshots zonemgr did not take; Received holds only for the stream's
// snapshot (its guid) on the dataset and on every dataset below it.
func TestGuardOwnershipRecords(t *testing.T) {
	ds := func(names ...string) map[string]zfs.Dataset {
		m := map[string]zfs.Dataset{}
		for _, n := range names {
			m[n] = zfs.Dataset{Name: n, Props: map[string]string{PropRun: "r1"}}
		}
		return m
	}
	w := &World{
		Datasets: ds("rpool/export/d", "rpool/export/d@zm", "rpool/export/inh",
			"rpool/export/h", "rpool/export/h@byhand",
			"rpool/GIZ/imp", "rpool/GIZ/imp@s", "rpool/GIZ/imp/ROOT", "rpool/GIZ/imp/ROOT@s", "rpool/GIZ/imp/ROOT/zbe", "rpool/GIZ/imp/ROOT/zbe@s",
			"rpool/GIZ/kid", "rpool/GIZ/kid@s", "rpool/GIZ/kid/precious",
			"rpool/GIZ/other", "rpool/GIZ/wrong", "rpool/GIZ/wrong@s"),
		Containers: map[string]string{"rpool/GIZ": "/zones/GIZ"},
		learned:    map[string]bool{"rpool/export": true},
	}
	f := &facts{w: w,
		// The listing says r1 everywhere; only these carry it locally.
		records:   map[string]string{"rpool/export/d": "r1", "rpool/export/d@zm": "r2", "rpool/export/h": "r1"},
		recordsOf: map[string]bool{"rpool/export/d": true, "rpool/export/inh": true, "rpool/export/h": true},
		guids:     map[string]string{"rpool/GIZ/imp@s": "42", "rpool/GIZ/kid@s": "42", "rpool/GIZ/wrong@s": "7"},
	}
	for _, tt := range []struct {
		name string
		g    Guard
		want verdict
		why  string
	}{
		{"run set locally", Guard{Dataset: "rpool/export/d", Run: "r1"}, undoIt, ""},
		{"run inherited", Guard{Dataset: "rpool/export/inh", Run: "r1"}, undoKeep, "rpool/export/inh was not made by this run: it was made by nobody zonemgr knows"},
		{"snapshots zonemgr took", Guard{Dataset: "rpool/export/d", Run: "r1", Childless: true}, undoIt, ""},
		{"snapshot by hand", Guard{Dataset: "rpool/export/h", Run: "r1", Childless: true}, undoKeep, "rpool/export/h has snapshots zonemgr did not take: rpool/export/h@byhand"},
		{"received", Guard{Dataset: "rpool/GIZ/imp", Received: "s", ReceivedGUID: "42"}, undoIt, ""},
		{"child made since", Guard{Dataset: "rpool/GIZ/kid", Received: "s", ReceivedGUID: "42"}, undoKeep, "rpool/GIZ/kid holds datasets the stream did not make: rpool/GIZ/kid/precious"},
		{"no stream snapshot", Guard{Dataset: "rpool/GIZ/other", Received: "s", ReceivedGUID: "42"}, undoKeep, "rpool/GIZ/other was not received by this run: it has no snapshot s"},
		{"another stream", Guard{Dataset: "rpool/GIZ/wrong", Received: "s", ReceivedGUID: "42"}, undoKeep, "its snapshot s has guid 7, the stream's has 42"},
	} {
		v, why := tt.g.check(f, owner{})
		if v != tt.want || !strings.Contains(why, tt.why) {
			t.Errorf("%s: check = %v %q, want %v %q", tt.name, v, why, tt.want, tt.why)
		}
	}
}

// TestDestroyStepsGuardEachRemoval: a zone's destroy deletes its
// automatic VNIC only while no other zone configures it, and destroys
// its delegated dataset only while it is the zone run's, used by no
// other zone, and holds nothing zonemgr did not make.
func TestDestroyStepsGuardEachRemoval(t *testing.T) {
	h, f := fakeHost(t)
	f.vnics = []string{"autodizb1_0"}
	w, err := h.Observe(context.Background(), h.containers(h.Settings.DelegatedParent)...)
	if err != nil {
		t.Fatal(err)
	}
	z := w.Zones["b1"]
	z.Config.Attrs = append(z.Config.Attrs, illumos.Attr{Name: AttrAutoVNIC, Type: "string", Value: formatAutoVNICs([]autoVNIC{{Name: "autodizb1_0", Spec: VNICOver{Link: "e1000g0"}}})},
		illumos.Attr{Name: AttrDatasets, Type: "string", Value: "rpool/zones/_zonemgr/delegated/b1"})
	steps, err := h.destroySteps(context.Background(), w, z)
	if err != nil {
		t.Fatal(err)
	}
	destroyDS := zfsDestroyStep("destroy delegated dataset rpool/zones/_zonemgr/delegated/b1", "rpool/zones/_zonemgr/delegated/b1", true)
	destroyDS.When = &Guard{Dataset: "rpool/zones/_zonemgr/delegated/b1", Run: "r0", Unused: true, Childless: true, Owner: "b1", OwnerRun: "r0"}
	diffSteps(t, steps, []Step{
		{Why: "halt the zone", Cmd: zoneadm("b1", "halt")},
		{Why: "uninstall the zone", Cmd: zoneadm("b1", "uninstall", "-F")},
		{Why: "delete VNIC autodizb1_0", Cmd: &illumos.Cmd{Argv: []string{"dladm", "delete-vnic", "autodizb1_0"}},
			When: &Guard{VNIC: "autodizb1_0", Unused: true, Owner: "b1", OwnerRun: "r0"}},
		destroyDS,
		{Why: "delete the configuration", Cmd: &illumos.Cmd{Argv: []string{"zonecfg", "-z", "b1", "delete", "-F"}}},
	})
}

// TestCloneRefusesUnheldSnapshot: a snapshot of the golden zone's boot
// environment without zonemgr's hold is refused as the snapshot option,
// naming it and the way out, and is not the default either.
func TestCloneRefusesUnheldSnapshot(t *testing.T) {
	h, f := fakeHost(t)
	snap := "rpool/zones/_zonemgr/GIZ/golden/ROOT/zbe@initial-postinstalled-golden"
	f.unheld = []string{snap}
	w, err := h.Observe(context.Background(), h.containers()...)
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, err = h.resolveGIZ(context.Background(), w, "golden", "initial-postinstalled-golden")
	var oe *OptionError
	if !errors.As(err, &oe) || oe.Field != FieldSnapshot || !strings.Contains(err.Error(), snap+` carries no "zonemgr" hold`) ||
		!strings.Contains(err.Error(), "zfs hold -r zonemgr rpool/zones/_zonemgr/GIZ/golden@initial-postinstalled-golden") {
		t.Errorf("an unheld snapshot: %v", err)
	}
	_, _, _, err = h.resolveGIZ(context.Background(), w, "golden", "")
	if !errors.As(err, &oe) || oe.Field != FieldGIZ || !strings.Contains(err.Error(), "has no zonemgr snapshot to clone") {
		t.Errorf("no held snapshot to default to: %v", err)
	}
	f.unheld = nil
	if _, _, s, err := h.resolveGIZ(context.Background(), w, "golden", ""); err != nil || s != "initial-postinstalled-golden" {
		t.Errorf("default = %q, %v; want initial-postinstalled-golden", s, err)
	}
}

// TestRefuseLeftoverZonepath: a new zone's zonepath may be absent or an
// empty directory; a directory with anything in it (named, at most four
// entries) and anything but a directory are refused as the zone name's
// error; a zonepath a zone has is left to the plan (a re-creation).
func TestRefuseLeftoverZonepath(t *testing.T) {
	h := &Host{Root: t.TempDir()}
	mk := func(p string) {
		if err := os.MkdirAll(h.path(p), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	mk("/z/empty")
	mk("/z/log/log")
	mk("/z/many")
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		mk("/z/many/" + n)
	}
	mk("/z/used/root")
	if err := os.WriteFile(h.path("/z/file"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(h.path("/z/log"), h.path("/z/link")); err != nil {
		t.Fatal(err)
	}
	w := &World{Zones: map[string]*Zone{"used": {Name: "used", Zonepath: "/z/used"}}}
	for _, tc := range []struct{ zonepath, want string }{
		{"/z/absent", ""},
		{"/z/empty", ""},
		{"/z/used", ""},
		{"/z/log", "zone n: its zonepath /z/log is a directory that is not empty (log), and no dataset"},
		{"/z/many", ", ...), and no dataset"},
		{"/z/file", "zone n: its zonepath /z/file is a regular file, not a directory;"},
		{"/z/link", "zone n: its zonepath /z/link is a symbolic link, not a directory;"},
	} {
		err := h.refuseLeftoverZonepath(w, tc.zonepath, "n")
		var oe *OptionError
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want no error", tc.zonepath, err)
		case tc.want != "" && (!errors.As(err, &oe) || oe.Field != FieldName || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want the zone name's error with %q", tc.zonepath, err, tc.want)
		}
	}
}
