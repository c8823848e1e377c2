package zfs_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/internal/simtest"
	"github.com/zonemgr/zonemgr/sim/zfs"
)

// Usage texts of the hold subcommands.
const (
	holdUsage    = "usage:\n\thold [-r] <tag> <snapshot> ...\n" + zfsUsageTail
	holdsUsage   = "usage:\n\tholds [-r] <snapshot> ...\n" + zfsUsageTail
	releaseUsage = "usage:\n\trelease [-r] <tag> <snapshot> ...\n" + zfsUsageTail
)

// treeState is zfs list -H -t all -o name,userrefs -r rpool/zones.
func treeState(s *simtest.Sim) string {
	s.T.Helper()
	return s.OK("zfs", "list", "-H", "-t", "all", "-o", "name,userrefs", "-r", "rpool/zones")
}

func TestHoldErrors(t *testing.T) {
	snapS := [][]string{{"snapshot", "rpool/zones@s"}}
	heldS := [][]string{{"snapshot", "rpool/zones@s"}, {"hold", "t", "rpool/zones@s"}}
	tree := [][]string{
		{"create", "rpool/zones/a"}, {"create", "rpool/zones/a/b"},
		{"snapshot", "-r", "rpool/zones/a@s"}, {"hold", "-r", "t", "rpool/zones/a@s"},
	}
	tests := []struct {
		name  string
		setup [][]string
		args  []string
		out   string
		err   string
		code  int
		state string // treeState afterwards
	}{
		{name: "hold without snapshot operand",
			args: []string{"hold", "t"},
			err:  holdUsage, code: 2, state: "rpool/zones\t-\n"},
		{name: "hold invalid option",
			setup: snapS,
			args:  []string{"hold", "-x", "t", "rpool/zones@s"},
			err:   "invalid option 'x'\n" + holdUsage, code: 2, state: "rpool/zones\t-\nrpool/zones@s\t0\n"},
		{name: "hold accepts -t",
			setup: snapS,
			args:  []string{"hold", "-t", "t", "rpool/zones@s"},
			state: "rpool/zones\t-\nrpool/zones@s\t1\n"},
		{name: "release does not accept -t",
			setup: heldS,
			args:  []string{"release", "-t", "t", "rpool/zones@s"},
			err:   "invalid option 't'\n" + releaseUsage, code: 2, state: "rpool/zones\t-\nrpool/zones@s\t1\n"},
		{name: "hold tag starting with a dot",
			setup: snapS,
			args:  []string{"hold", ".t", "rpool/zones@s"},
			err:   "tag may not start with '.'\n" + holdUsage, code: 2, state: "rpool/zones\t-\nrpool/zones@s\t0\n"},
		{name: "hold of a filesystem",
			args: []string{"hold", "t", "rpool/zones"},
			err:  "'rpool/zones' is not a snapshot\n", code: 1, state: "rpool/zones\t-\n"},
		{name: "hold in a missing filesystem",
			args: []string{"hold", "t", "rpool/nosuch@s"},
			err:  "cannot open 'rpool/nosuch': dataset does not exist\n", code: 1, state: "rpool/zones\t-\n"},
		{name: "hold of a missing snapshot",
			args: []string{"hold", "t", "rpool/zones@nosuch"},
			err:  "cannot hold snapshot 'rpool/zones@nosuch': dataset does not exist\n", code: 1, state: "rpool/zones\t-\n"},
		{name: "hold -r where no dataset has the snapshot",
			setup: [][]string{{"create", "rpool/zones/a"}},
			args:  []string{"hold", "-r", "t", "rpool/zones@nosuch"},
			err:   "cannot hold snapshot 'rpool/zones@nosuch': dataset does not exist\n", code: 1,
			state: "rpool/zones\t-\nrpool/zones/a\t-\n"},
		{name: "hold -r of descendants only",
			setup: [][]string{{"create", "rpool/zones/a"}, {"snapshot", "rpool/zones/a@s"}},
			args:  []string{"hold", "-r", "t", "rpool/zones@s"},
			state: "rpool/zones\t-\nrpool/zones/a\t-\nrpool/zones/a@s\t1\n"},
		{name: "hold tag already held",
			setup: heldS,
			args:  []string{"hold", "t", "rpool/zones@s"},
			err:   "cannot hold snapshot 'rpool/zones@s': tag already exists on this dataset\n", code: 1,
			state: "rpool/zones\t-\nrpool/zones@s\t1\n"},
		{name: "hold -r is all or nothing",
			setup: [][]string{{"create", "rpool/zones/a"}, {"snapshot", "-r", "rpool/zones@s"}, {"hold", "t", "rpool/zones/a@s"}},
			args:  []string{"hold", "-r", "t", "rpool/zones@s"},
			err:   "cannot hold snapshot 'rpool/zones/a@s': tag already exists on this dataset\n", code: 1,
			state: "rpool/zones\t-\nrpool/zones@s\t0\nrpool/zones/a\t-\nrpool/zones/a@s\t1\n"},
		{name: "hold tag too long",
			setup: snapS,
			args:  []string{"hold", strings.Repeat("t", 257), "rpool/zones@s"},
			err:   "cannot hold snapshot 'rpool/zones@s': tag too long\n", code: 1,
			state: "rpool/zones\t-\nrpool/zones@s\t0\n"},
		{name: "hold operands fail on their own",
			setup: snapS,
			args:  []string{"hold", "t", "rpool/zones@nosuch", "rpool/zones@s"},
			err:   "cannot hold snapshot 'rpool/zones@nosuch': dataset does not exist\n", code: 1,
			state: "rpool/zones\t-\nrpool/zones@s\t1\n"},
		{name: "release of a tag not held",
			setup: heldS,
			args:  []string{"release", "u", "rpool/zones@s"},
			err:   "cannot release hold from snapshot 'rpool/zones@s': no such tag on this dataset\n", code: 1,
			state: "rpool/zones\t-\nrpool/zones@s\t1\n"},
		{name: "release of a missing snapshot",
			args: []string{"release", "t", "rpool/zones@nosuch"},
			err:  "cannot release hold from snapshot 'rpool/zones@nosuch': dataset does not exist\n", code: 1,
			state: "rpool/zones\t-\n"},
		{name: "release of a filesystem",
			args: []string{"release", "t", "rpool/zones"},
			err:  "'rpool/zones' is not a snapshot\n", code: 1, state: "rpool/zones\t-\n"},
		{name: "release without snapshot operand",
			args: []string{"release", "t"},
			err:  releaseUsage, code: 2, state: "rpool/zones\t-\n"},
		{name: "holds without operand",
			args: []string{"holds"},
			err:  holdsUsage, code: 2, state: "rpool/zones\t-\n"},
		{name: "holds has no -p on illumos",
			setup: heldS,
			args:  []string{"holds", "-p", "rpool/zones@s"},
			err:   "invalid option 'p'\n" + holdsUsage, code: 2, state: "rpool/zones\t-\nrpool/zones@s\t1\n"},
		{name: "holds of a filesystem",
			args: []string{"holds", "rpool/zones"},
			out:  "NAME  TAG  TIMESTAMP\nno datasets available\n",
			err:  "'rpool/zones' is not a snapshot\n", code: 1, state: "rpool/zones\t-\n"},
		{name: "holds walks every operand once per snapshot operand",
			setup: snapS,
			args:  []string{"holds", "rpool/zones@nosuch", "rpool/zones@s"},
			out:   "NAME           TAG  TIMESTAMP\n",
			err: "cannot open 'rpool/zones@nosuch': dataset does not exist\n" +
				"cannot open 'rpool/zones@nosuch': dataset does not exist\n",
			code: 1, state: "rpool/zones\t-\nrpool/zones@s\t0\n"},
		{name: "holds -H of a snapshot without holds",
			setup: snapS,
			args:  []string{"holds", "-H", "rpool/zones@s"},
			state: "rpool/zones\t-\nrpool/zones@s\t0\n"},
		{name: "destroy of a held snapshot",
			setup: heldS,
			args:  []string{"destroy", "rpool/zones@s"},
			err:   "cannot destroy snapshot rpool/zones@s: dataset is busy\n", code: 1,
			state: "rpool/zones\t-\nrpool/zones@s\t1\n"},
		{name: "destroy of snapshots is all or nothing",
			setup: [][]string{{"snapshot", "rpool/zones@s1"}, {"snapshot", "rpool/zones@s2"}, {"hold", "t", "rpool/zones@s2"}},
			args:  []string{"destroy", "rpool/zones@s1%s2"},
			err:   "cannot destroy snapshot rpool/zones@s2: dataset is busy\n", code: 1,
			state: "rpool/zones\t-\nrpool/zones@s1\t0\nrpool/zones@s2\t1\n"},
		{name: "destroy -r of a snapshot held over a tree",
			setup: tree,
			args:  []string{"destroy", "-r", "rpool/zones/a@s"},
			err: "cannot destroy snapshot rpool/zones/a@s: dataset is busy\n" +
				"cannot destroy snapshot rpool/zones/a/b@s: dataset is busy\n", code: 1,
			state: "rpool/zones\t-\nrpool/zones/a\t-\nrpool/zones/a@s\t1\nrpool/zones/a/b\t-\nrpool/zones/a/b@s\t1\n"},
		{name: "destroy -r of a tree with held snapshots destroys nothing",
			setup: tree,
			args:  []string{"destroy", "-r", "rpool/zones/a"},
			err:   "cannot destroy snapshot rpool/zones/a/b@s: dataset is busy\n", code: 1,
			state: "rpool/zones\t-\nrpool/zones/a\t-\nrpool/zones/a@s\t1\nrpool/zones/a/b\t-\nrpool/zones/a/b@s\t1\n"},
		{name: "destroy -r stops at the held snapshot after destroying what comes before it",
			setup: [][]string{{"create", "rpool/zones/a"}, {"create", "rpool/zones/a/b"},
				{"snapshot", "rpool/zones/a@s"}, {"hold", "t", "rpool/zones/a@s"}},
			args: []string{"destroy", "-r", "rpool/zones/a"},
			err:  "cannot destroy snapshot rpool/zones/a@s: dataset is busy\n", code: 1,
			state: "rpool/zones\t-\nrpool/zones/a\t-\nrpool/zones/a@s\t1\n"},
		{name: "destroy -R of a held origin destroys its clone first",
			setup: [][]string{{"snapshot", "rpool/zones@s"}, {"clone", "rpool/zones@s", "rpool/zones/c"}, {"hold", "t", "rpool/zones@s"}},
			args:  []string{"destroy", "-R", "rpool/zones@s"},
			err:   "cannot destroy snapshot rpool/zones@s: dataset is busy\n", code: 1,
			state: "rpool/zones\t-\nrpool/zones@s\t1\n"},
		{name: "destroy -d of a held snapshot defers",
			setup: heldS,
			args:  []string{"destroy", "-d", "rpool/zones@s"},
			state: "rpool/zones\t-\nrpool/zones@s\t1\n"},
		{name: "rollback -r over a held newer snapshot",
			setup: [][]string{{"snapshot", "rpool/zones@s1"}, {"snapshot", "rpool/zones@s2"}, {"snapshot", "rpool/zones@s3"},
				{"hold", "t", "rpool/zones@s2"}},
			args: []string{"rollback", "-r", "rpool/zones@s1"},
			err:  "cannot destroy 'rpool/zones@s2': dataset is busy\n", code: 1,
			state: "rpool/zones\t-\nrpool/zones@s1\t0\nrpool/zones@s2\t1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := simtest.New(t)
			for _, a := range tt.setup {
				s.OK("zfs", a...)
			}
			simtest.Check(t, strings.Join(tt.args, " "), s.Run(nil, "zfs", tt.args...), tt.out, tt.err, tt.code)
			if got := treeState(s); got != tt.state {
				t.Errorf("state afterwards:\n%q\nwant\n%q", got, tt.state)
			}
		})
	}
}

// stamp formats a time as zfs holds prints it ("%a %b %e %k:%M %Y").
func stamp(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%s %s %2d %2d:%02d %d", t.Format("Mon"), t.Format("Jan"), t.Day(), t.Hour(), t.Minute(), t.Year())
}

// utc runs the sim's commands in UTC so that hold times print predictably.
var utc = []string{"TZ=UTC"}

func TestHoldsOutput(t *testing.T) {
	s := simtest.New(t)
	s.OK("zfs", "create", "rpool/zones/a")
	s.OK("zfs", "create", "rpool/zones/a/b")
	s.OK("zfs", "create", "rpool/zones/c")
	s.OK("zfs", "snapshot", "rpool/zones/a@s")
	s.OK("zfs", "snapshot", "rpool/zones/a/b@s")
	s.OK("zfs", "snapshot", "rpool/zones/a@t")
	before := time.Now()
	s.OK("zfs", "hold", "-r", "keep", "rpool/zones/a@s")
	s.OK("zfs", "hold", "build-42", "rpool/zones/a@s")
	s.OK("zfs", "hold", "keep", "rpool/zones/a@t")
	after := time.Now()
	// norm replaces the hold times, which must be those of the calls
	// above, by "TS".
	norm := func(r simtest.Result) simtest.Result {
		r.Stdout = strings.ReplaceAll(r.Stdout, stamp(before), "TS")
		r.Stdout = strings.ReplaceAll(r.Stdout, stamp(after), "TS")
		return r
	}

	simtest.Check(t, "holds -r", norm(s.Run(utc, "zfs", "holds", "-r", "rpool/zones/a@s")),
		"NAME               TAG       TIMESTAMP\n"+
			"rpool/zones/a@s    build-42  TS\n"+
			"rpool/zones/a@s    keep      TS\n"+
			"rpool/zones/a/b@s  keep      TS\n", "", 0)
	simtest.Check(t, "holds -H in default order", norm(s.Run(utc, "zfs", "holds", "-H", "rpool/zones/a@t", "rpool/zones/a@s")),
		"rpool/zones/a@s\tbuild-42\tTS\nrpool/zones/a@s\tkeep\tTS\nrpool/zones/a@t\tkeep\tTS\n", "", 0)
	simtest.Check(t, "narrow tag column", norm(s.Run(utc, "zfs", "holds", "rpool/zones/a@t")),
		"NAME             TAG   TIMESTAMP\nrpool/zones/a@t  keep  TS\n", "", 0)

	simtest.Check(t, "get userrefs", s.Run(nil, "zfs", "get", "-H", "-r", "-t", "snapshot", "-o", "name,value,source", "userrefs", "rpool/zones"),
		"rpool/zones/a@s\t2\t-\nrpool/zones/a@t\t1\t-\nrpool/zones/a/b@s\t1\t-\n", "", 0)
	simtest.Check(t, "list -p userrefs", s.Run(nil, "zfs", "list", "-Hp", "-t", "snapshot", "-o", "name,userrefs", "-r", "rpool/zones"),
		"rpool/zones/a@s\t2\nrpool/zones/a@t\t1\nrpool/zones/a/b@s\t1\n", "", 0)
	simtest.Check(t, "list userrefs right-justified", s.Run(nil, "zfs", "list", "-t", "snapshot", "-o", "name,userrefs", "rpool/zones/a@s"),
		"NAME             USERREFS\nrpool/zones/a@s         2\n", "", 0)

	s.OK("zfs", "release", "-r", "keep", "rpool/zones/a@s")
	simtest.Check(t, "after release -r", norm(s.Run(utc, "zfs", "holds", "-rH", "rpool/zones/a@s")),
		"rpool/zones/a@s\tbuild-42\tTS\n", "", 0)
	simtest.Check(t, "release -r where no snapshot has the tag any more", s.Run(nil, "zfs", "release", "-r", "keep", "rpool/zones/a@s"),
		"", "cannot release hold from snapshot 'rpool/zones/a@s': no such tag on this dataset\n", 1)
	simtest.Check(t, "userrefs after release", s.Run(nil, "zfs", "get", "-H", "-o", "value", "userrefs", "rpool/zones/a@s", "rpool/zones/a/b@s"),
		"1\n0\n", "", 0)
}

func TestHoldBlocksDestroyUntilReleased(t *testing.T) {
	s := simtest.New(t)
	s.OK("zfs", "create", "rpool/zones/g")
	writeFile(t, s.Path("/zones/g/f"), "golden\n")
	s.OK("zfs", "snapshot", "rpool/zones/g@s")
	s.OK("zfs", "hold", "zone", "rpool/zones/g@s")
	snapData := filepath.Join(s.Root, core.SimDir, "zfs", "snap")
	entries, _ := os.ReadDir(snapData)
	if len(entries) == 0 {
		t.Fatalf("no snapshot data under %s", snapData)
	}

	simtest.Check(t, "destroy held", s.Run(nil, "zfs", "destroy", "rpool/zones/g@s"), "",
		"cannot destroy snapshot rpool/zones/g@s: dataset is busy\n", 1)
	simtest.Check(t, "destroy -r held", s.Run(nil, "zfs", "destroy", "-r", "rpool/zones/g"), "",
		"cannot destroy snapshot rpool/zones/g@s: dataset is busy\n", 1)
	simtest.Check(t, "nothing destroyed", s.Run(nil, "zfs", "list", "-H", "-t", "all", "-o", "name", "-r", "rpool/zones/g"),
		"rpool/zones/g\nrpool/zones/g@s\n", "", 0)
	if got := readFile(s.Path("/zones/g/f")); got != "golden\n" {
		t.Errorf("contents after the refused destroy: %q", got)
	}
	if after, _ := os.ReadDir(snapData); len(after) != len(entries) {
		t.Errorf("snapshot data removed by a refused destroy: %v", after)
	}

	s.OK("zfs", "release", "zone", "rpool/zones/g@s")
	s.OK("zfs", "destroy", "rpool/zones/g@s")
	simtest.Check(t, "destroyed after release", s.Run(nil, "zfs", "list", "-H", "-t", "all", "-o", "name", "-r", "rpool/zones/g"),
		"rpool/zones/g\n", "", 0)

	// destroy -d of a held snapshot waits for the last hold to go.
	s.OK("zfs", "snapshot", "rpool/zones/g@d")
	s.OK("zfs", "hold", "a", "rpool/zones/g@d")
	s.OK("zfs", "hold", "b", "rpool/zones/g@d")
	s.OK("zfs", "destroy", "-d", "rpool/zones/g@d")
	simtest.Check(t, "deferred", s.Run(nil, "zfs", "get", "-H", "-o", "value", "defer_destroy,userrefs", "rpool/zones/g@d"),
		"on\n2\n", "", 0)
	s.OK("zfs", "release", "a", "rpool/zones/g@d")
	simtest.Check(t, "still deferred with one hold", s.Run(nil, "zfs", "list", "-H", "-t", "snapshot", "-o", "name", "rpool/zones/g@d"),
		"rpool/zones/g@d\n", "", 0)
	s.OK("zfs", "release", "b", "rpool/zones/g@d")
	simtest.Check(t, "gone with the last hold", s.Run(nil, "zfs", "list", "-H", "-t", "snapshot", "-o", "name"), "", "", 0)
	if after, _ := os.ReadDir(snapData); len(after) != 0 {
		t.Errorf("snapshot data left behind: %v", after)
	}
}

func TestHoldRollback(t *testing.T) {
	s := simtest.New(t)
	s.OK("zfs", "create", "rpool/zones/a")
	writeFile(t, s.Path("/zones/a/f"), "1\n")
	s.OK("zfs", "snapshot", "rpool/zones/a@s1")
	writeFile(t, s.Path("/zones/a/f"), "2\n")
	s.OK("zfs", "snapshot", "rpool/zones/a@s2")
	s.OK("zfs", "snapshot", "rpool/zones/a@s3")
	s.OK("zfs", "hold", "t", "rpool/zones/a@s3")
	writeFile(t, s.Path("/zones/a/f"), "3\n")

	simtest.Check(t, "rollback -r", s.Run(nil, "zfs", "rollback", "-r", "rpool/zones/a@s1"), "",
		"cannot destroy 'rpool/zones/a@s3': dataset is busy\n", 1)
	if got := readFile(s.Path("/zones/a/f")); got != "3\n" {
		t.Errorf("filesystem rolled back in spite of the refusal: f = %q", got)
	}
	simtest.Check(t, "unheld newer snapshot destroyed", s.Run(nil, "zfs", "list", "-H", "-t", "snapshot", "-o", "name", "-r", "rpool/zones/a"),
		"rpool/zones/a@s1\nrpool/zones/a@s3\n", "", 0)

	s.OK("zfs", "release", "t", "rpool/zones/a@s3")
	s.OK("zfs", "rollback", "-r", "rpool/zones/a@s1")
	if got := readFile(s.Path("/zones/a/f")); got != "1\n" {
		t.Errorf("after rollback f = %q", got)
	}
}

func TestAPIHold(t *testing.T) {
	s := simtest.New(t)
	st := open(t, s)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	wantErr := func(what string, err error, msg string) {
		t.Helper()
		var zerr *zfs.Error
		if !errors.As(err, &zerr) || err.Error() != msg {
			t.Errorf("%s: error %v, want *zfs.Error %q", what, err, msg)
		}
	}
	must(st.Create("rpool/zones/golden/ROOT/zbe", nil, true))
	must(st.Snapshot([]string{"rpool/zones/golden/ROOT/zbe@z1_snap"}, false, nil))
	must(st.Hold([]string{"rpool/zones/golden/ROOT/zbe@z1_snap"}, "zonemgr", false))
	if got := st.Holds("rpool/zones/golden/ROOT/zbe@z1_snap"); !reflect.DeepEqual(got, []string{"zonemgr"}) {
		t.Errorf("Holds = %q", got)
	}
	if got := st.Holds("rpool/zones/golden/ROOT/zbe"); got != nil {
		t.Errorf("Holds of a filesystem = %q", got)
	}

	wantErr("Hold with one missing snapshot",
		st.Hold([]string{"rpool/zones/golden/ROOT/zbe@z1_snap", "rpool/zones/golden/ROOT/zbe@nosuch"}, "other", false),
		"cannot hold snapshot 'rpool/zones/golden/ROOT/zbe@nosuch': dataset does not exist")
	wantErr("Hold of a held tag",
		st.Hold([]string{"rpool/zones/golden/ROOT/zbe@z1_snap"}, "zonemgr", false),
		"cannot hold snapshot 'rpool/zones/golden/ROOT/zbe@z1_snap': tag already exists on this dataset")
	if got := st.Holds("rpool/zones/golden/ROOT/zbe@z1_snap"); !reflect.DeepEqual(got, []string{"zonemgr"}) {
		t.Errorf("Holds after failed calls = %q, want only the first hold", got)
	}
	wantErr("Release of an unknown tag",
		st.Release([]string{"rpool/zones/golden/ROOT/zbe@z1_snap"}, "other", false),
		"cannot release hold from snapshot 'rpool/zones/golden/ROOT/zbe@z1_snap': no such tag on this dataset")

	// A zone cloned from the held snapshot is uninstalled the way
	// zoneadm does it: its datasets, then (errors ignored) the origin.
	must(st.Create("rpool/zones/z1/ROOT", map[string]string{"mountpoint": "legacy", "zoned": "on"}, true))
	must(st.Clone("rpool/zones/golden/ROOT/zbe@z1_snap", "rpool/zones/z1/ROOT/zbe", nil, false))
	must(st.Destroy("rpool/zones/z1", true, false))
	wantErr("Destroy of the held origin", st.Destroy("rpool/zones/golden/ROOT/zbe@z1_snap", false, false),
		"cannot destroy snapshot rpool/zones/golden/ROOT/zbe@z1_snap: dataset is busy")
	if !st.Exists("rpool/zones/golden/ROOT/zbe@z1_snap") || st.Exists("rpool/zones/z1") {
		t.Errorf("after the uninstall: origin exists %v, zone dataset exists %v",
			st.Exists("rpool/zones/golden/ROOT/zbe@z1_snap"), st.Exists("rpool/zones/z1"))
	}
	wantErr("Destroy -r of the golden zone", st.Destroy("rpool/zones/golden", true, false),
		"cannot destroy snapshot rpool/zones/golden/ROOT/zbe@z1_snap: dataset is busy")
	must(st.Save())
	r := s.Run(nil, "zfs", "holds", "-H", "-r", "rpool/zones@z1_snap")
	if !strings.HasPrefix(r.Stdout, "rpool/zones/golden/ROOT/zbe@z1_snap\tzonemgr\t") || strings.Count(r.Stdout, "\n") != 1 || r.Code != 0 {
		t.Errorf("holds of the saved table: %+v", r)
	}

	st = open(t, s)
	must(st.Release([]string{"rpool/zones/golden@z1_snap"}, "zonemgr", true))
	must(st.Destroy("rpool/zones/golden", true, false))
	must(st.Save())
	simtest.Check(t, "after release and destroy", s.Run(nil, "zfs", "list", "-H", "-t", "all", "-o", "name", "-r", "rpool/zones"),
		"rpool/zones\n", "", 0)
}

func TestHoldLogAndFailureInjection(t *testing.T) {
	s := simtest.New(t)
	s.OK("zfs", "snapshot", "rpool/zones@s")
	fail := []string{core.EnvFail + "=zfs hold#1:exit=1:msg=boom"}
	simtest.Check(t, "injected hold", s.Run(fail, "zfs", "hold", "t", "rpool/zones@s"), "", "boom\n", 1)
	simtest.Check(t, "no hold taken", s.Run(nil, "zfs", "get", "-H", "-o", "value", "userrefs", "rpool/zones@s"), "0\n", "", 0)
	simtest.Check(t, "second hold", s.Run(fail, "zfs", "hold", "t", "rpool/zones@s"), "", "", 0)
	simtest.Check(t, "holds", s.Run(nil, "zfs", "holds", "-H", "-r", "rpool/zones@nosuch"), "no datasets available\n", "", 0)
	s.OK("zfs", "release", "t", "rpool/zones@s")

	entries, err := core.ReadLog(s.Root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e.Tool == "zfs" && (e.Sub == "hold" || e.Sub == "holds" || e.Sub == "release") {
			got = append(got, fmt.Sprintf("%s mutating=%v injected=%v exit=%d", e.Sub, e.Mutating, e.Injected, e.Exit))
		}
	}
	want := []string{
		"hold mutating=true injected=true exit=1",
		"hold mutating=true injected=false exit=0",
		"holds mutating=false injected=false exit=0",
		"release mutating=true injected=false exit=0",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("command log:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestHoldPrivileges(t *testing.T) {
	s := simtest.New(t)
	builder := []string{core.EnvUID + "=1003"}
	s.OK("zfs", "snapshot", "rpool/zones@s")
	simtest.Check(t, "builder hold", s.Run(builder, "zfs", "hold", "t", "rpool/zones@s"), "", "cannot hold: permission denied\n", 1)
	s.OK("zfs", "hold", "t", "rpool/zones@s")
	simtest.Check(t, "builder release", s.Run(builder, "zfs", "release", "t", "rpool/zones@s"), "", "cannot release: permission denied\n", 1)
	simtest.Check(t, "builder reads holds", s.Run(builder, "zfs", "get", "-H", "-o", "value", "userrefs", "rpool/zones@s"), "1\n", "", 0)
	r := s.Run(builder, "zfs", "holds", "-H", "rpool/zones@s")
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "rpool/zones@s\tt\t") {
		t.Errorf("builder holds: %+v", r)
	}
}
