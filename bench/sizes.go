package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// sizeGoal is the largest a stripped illumos/amd64 module binary should
// be: Ansible copies the module to the host for every task.
const sizeGoal = 3_000_000

// A sizeRow is one program's stripped size for the two platforms the
// collection ships.
type sizeRow struct {
	name           string
	illumos, linux int64
}

// A sizesResult holds the module binaries' sizes and the yardstick's.
type sizesResult struct {
	modules []sizeRow
	floor   sizeRow // testdata/gofloor: the least a Go module binary links
	zfs     sizeRow // testdata/gofloorzfs: the same with go-zfs linked
}

// sizeModules are the module binaries the collection ships.
var sizeModules = []string{"zone_diz", "zone_exec", "zone_gc", "zone_giz", "zone_info", "zone_snapshot"}

// benchSizes builds every module binary as the collection ships it
// (CGO_ENABLED=0, -trimpath, -ldflags "-s -w") for illumos/amd64 and
// linux/amd64, and the yardstick testdata/gofloor the same way, from the
// module at top, and returns their sizes.
func benchSizes(cfg config, top string) (*sizesResult, error) {
	dir, err := os.MkdirTemp(cfg.work, "sizes-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	build := func(goos, pkg, out string) (int64, error) {
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, pkg)
		cmd.Dir = top
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH=amd64")
		if b, err := cmd.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("build %s for %s/amd64: %v\n%s", pkg, goos, err, b)
		}
		st, err := os.Stat(out)
		if err != nil {
			return 0, err
		}
		return st.Size(), nil
	}
	row := func(name, pkg string) (sizeRow, error) {
		r := sizeRow{name: name}
		var err error
		if r.illumos, err = build("illumos", pkg, filepath.Join(dir, "illumos-"+name)); err != nil {
			return r, err
		}
		r.linux, err = build("linux", pkg, filepath.Join(dir, "linux-"+name))
		return r, err
	}
	res := &sizesResult{}
	for _, m := range sizeModules {
		cfg.logf("sizes: %s", m)
		r, err := row(m, "./modules/"+m)
		if err != nil {
			return nil, err
		}
		res.modules = append(res.modules, r)
	}
	if res.floor, err = row("gofloor", "./bench/testdata/gofloor"); err != nil {
		return nil, err
	}
	if res.zfs, err = row("gofloorzfs", "./bench/testdata/gofloorzfs"); err != nil {
		return nil, err
	}
	return res, nil
}

// minSize returns the smallest illumos size of rows.
func minSize(rows []sizeRow) int64 {
	m := rows[0].illumos
	for _, r := range rows[1:] {
		m = min(m, r.illumos)
	}
	return m
}

// fmtMB formats a byte count in megabytes (10^6 bytes), as "4.63 MB".
func fmtMB(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }

func (r *report) writeSizes(w func(string, ...any)) {
	if r.sizes == nil {
		return
	}
	s := r.sizes
	w("## Module binaries: size, and what Ansible copies per task")
	w("")
	w("Each module binary built as the collection ships it (`CGO_ENABLED=0 go build -trimpath -ldflags \"-s -w\"`), stripped. Ansible copies a binary module to the host for every task that uses it (a binary module is never pipelined), so the size is paid per task per host: a play of 20 zonemgr tasks on 10 hosts copies 200 module files. Goal: at most %s for illumos/amd64. `gofloor` (`bench/testdata/gofloor`) is the yardstick: the least a Go module binary does (signal handling, reading and decoding the args file with `encoding/json`, writing one JSON object).", fmtMB(sizeGoal))
	w("")
	w("| module | illumos/amd64 | linux/amd64 | copied by 20 tasks on 10 hosts (illumos) | goal |")
	w("|---|---|---|---|---|")
	var over []string
	for _, m := range s.modules {
		goal := "met"
		if m.illumos > sizeGoal {
			goal = "not met"
			over = append(over, m.name)
		}
		w("| %s | %s (%s bytes) | %s | %s | %s |", m.name, fmtMB(m.illumos), fmtBytes(m.illumos), fmtMB(m.linux), fmtMB(200*m.illumos), goal)
	}
	for _, y := range []sizeRow{s.floor, s.zfs} {
		w("| %s (yardstick) | %s (%s bytes) | %s | %s | |", y.name, fmtMB(y.illumos), fmtBytes(y.illumos), fmtMB(y.linux), fmtMB(200*y.illumos))
	}
	w("")
	w("`gofloorzfs` is `gofloor` calling go-zfs (`github.com/mistifyio/go-zfs/v3`, which the project keeps for the zfs calls it makes safely): linking it, with its `regexp`, `github.com/google/uuid` and `crypto/rand`, adds %s for illumos/amd64 to the least a module can be.", fmtMB(s.zfs.illumos-s.floor.illumos))
	if len(over) > 0 {
		w("Over the goal: %s. The smallest module is %s above `gofloorzfs`: the zone engine it links (plans, journal, locks, the parsers of zoneadm, zonecfg and zfs output, the argument spec).", strings.Join(over, ", "), fmtMB(minSize(s.modules)-s.zfs.illumos))
	}
	w("")
}
