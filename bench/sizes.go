package main

import (
	"compress/flate"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// sizeGoal is the largest a stripped illumos/amd64 module binary should
// be: Ansible copies the module to the host for every task.
const sizeGoal = 3_000_000

// A sizeRow is one program's stripped size for the two platforms the
// collection ships, and how the symbols of its unstripped illumos build
// divide between the packages they belong to.
type sizeRow struct {
	name           string
	illumos, linux int64
	// wire is the illumos build deflated as SSH's compression does
	// (zlib level 6), which Ansible's default ssh arguments (-C) turn
	// on: about what the copy of the file costs on the wire.
	wire  int64
	share sizeShare
}

// deflatedSize is the size of the file at path deflated at level 6, the
// level OpenSSH's compression uses (packet.c: start_compression_out(ssh,
// 6)). SSH flushes its zlib stream at each packet, so the wire carries a
// little more.
func deflatedSize(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var n countWriter
	zw, err := flate.NewWriter(&n, 6)
	if err != nil {
		return 0, err
	}
	if _, err := io.Copy(zw, f); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return int64(n), nil
}

// A countWriter counts the bytes written to it.
type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

// A sizeShare divides the bytes of a binary's symbols (code, read-only
// data and data; not the tables the runtime keeps about them) between
// zonemgr's own packages, its dependencies, and Go's runtime and standard
// library, by the package each symbol belongs to; the linker's
// aggregates of all packages' string literals and function metadata
// (go:string.*, go:func.*) are counted apart.
type sizeShare struct {
	own, deps, std, shared int64
}

// symbolShare reads the symbol table of the ELF binary at path and
// divides the sizes of the symbols that take room in the file (not those
// of .bss and .noptrbss) as sizeShare says.
func symbolShare(path string) (sizeShare, error) {
	f, err := elf.Open(path)
	if err != nil {
		return sizeShare{}, err
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		return sizeShare{}, fmt.Errorf("symbols of %s: %v", path, err)
	}
	var sh sizeShare
	for _, sym := range syms {
		if int(sym.Section) >= len(f.Sections) || f.Sections[sym.Section].Type == elf.SHT_NOBITS {
			continue
		}
		switch symbolOwner(sym.Name) {
		case "zonemgr":
			sh.own += int64(sym.Size)
		case "dependency":
			sh.deps += int64(sym.Size)
		case "shared":
			sh.shared += int64(sym.Size)
		default:
			sh.std += int64(sym.Size)
		}
	}
	return sh, nil
}

// symbolOwner tells whose package a Go symbol belongs to: "zonemgr",
// "dependency" (a module path with a domain), "go" (the runtime and
// standard library, with their generic code instantiated for any type),
// or "shared" for an aggregate of all packages' literals or metadata
// (go:string.*, go:func.*) or one of its parts. An interface table
// belongs to its concrete type's package.
func symbolOwner(name string) string {
	if strings.HasPrefix(name, "go:string.") || strings.HasPrefix(name, "go:func.") {
		return "shared"
	}
	name = strings.TrimPrefix(strings.TrimPrefix(name, "type:"), "go:")
	name = strings.TrimPrefix(name, "itab.")
	name = strings.TrimLeft(name, "*[]")
	name, _, _ = strings.Cut(name, "[")
	first, _, _ := strings.Cut(name, "/")
	switch {
	case strings.HasPrefix(name, "github.com/zonemgr/zonemgr/"):
		return "zonemgr"
	case strings.Contains(name, "/") && strings.Contains(first, "."):
		return "dependency"
	}
	return "go"
}

// A sizesResult holds the module binaries' sizes and the yardsticks'.
type sizesResult struct {
	modules []sizeRow
	floor   sizeRow // testdata/gofloor: the least a Go module binary links
	zfs     sizeRow // testdata/gofloorzfs: the same with go-zfs linked
}

// sizeModules are the module binaries the collection ships.
var sizeModules = []string{"zone_diz", "zone_exec", "zone_gc", "zone_giz", "zone_info", "zone_snapshot"}

// benchSizes builds every module binary as the collection ships it
// (CGO_ENABLED=0, -trimpath, -ldflags "-s -w") for illumos/amd64 and
// linux/amd64, and the yardsticks testdata/gofloor and gofloorzfs the
// same way, from the module at top, and returns their sizes; an
// unstripped illumos build of each gives its symbols' share.
func benchSizes(cfg config, top string) (*sizesResult, error) {
	dir, err := os.MkdirTemp(cfg.work, "sizes-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	build := func(goos, pkg, out, ldflags string) (int64, error) {
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", out, pkg)
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
		stripped := filepath.Join(dir, "illumos-"+name)
		if r.illumos, err = build("illumos", pkg, stripped, "-s -w"); err != nil {
			return r, err
		}
		if r.wire, err = deflatedSize(stripped); err != nil {
			return r, err
		}
		if r.linux, err = build("linux", pkg, filepath.Join(dir, "linux-"+name), "-s -w"); err != nil {
			return r, err
		}
		full := filepath.Join(dir, "illumos-full-"+name)
		if _, err = build("illumos", pkg, full, ""); err != nil {
			return r, err
		}
		r.share, err = symbolShare(full)
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
	w("Each module binary built as the collection ships it (`CGO_ENABLED=0 go build -trimpath -ldflags \"-s -w\"`), stripped. Ansible copies a binary module to the host for every task that uses it (a binary module is never pipelined), so the size is paid per task per host: a play of 20 zonemgr tasks on 10 hosts copies 200 module files. Goal: at most %s for illumos/amd64. `gofloor` (`bench/testdata/gofloor`) is the yardstick: the least a Go module binary does (signal handling, reading and decoding the args file with the modules' JSON codec `internal/jsonv`, writing one JSON object).", fmtMB(sizeGoal))
	w("")
	w("| module | illumos/amd64 | linux/amd64 | copied by 20 tasks on 10 hosts (illumos) | on the wire per task (illumos, SSH compression) | goal |")
	w("|---|---|---|---|---|---|")
	var over []string
	for _, m := range s.modules {
		goal := "met"
		if m.illumos > sizeGoal {
			goal = "not met"
			over = append(over, m.name)
		}
		w("| %s | %s (%s bytes) | %s | %s | %s | %s |", m.name, fmtMB(m.illumos), fmtBytes(m.illumos), fmtMB(m.linux), fmtMB(200*m.illumos), fmtMB(m.wire), goal)
	}
	for _, y := range []sizeRow{s.floor, s.zfs} {
		w("| %s (yardstick) | %s (%s bytes) | %s | %s | %s | |", y.name, fmtMB(y.illumos), fmtBytes(y.illumos), fmtMB(y.linux), fmtMB(200*y.illumos), fmtMB(y.wire))
	}
	w("")
	w("On the wire: Ansible's default ssh arguments turn on SSH's compression (`-C`), zlib at level 6, so a task's copy of its module costs about the file deflated at that level (the column before the goal; Go's compress/flate at level 6, without SSH's per-packet flushes). The SSH section above measures it for zone_giz's Linux build.")
	w("")
	w("`gofloorzfs` is `gofloor` calling go-zfs (`github.com/mistifyio/go-zfs/v3`, which the project keeps for the zfs calls it makes safely): linking it, with its `regexp`, `github.com/google/uuid` and `crypto/rand`, adds %s for illumos/amd64 to the least a module can be. So only the `zonemgr` command, installed once, links it; a module binary runs the same zfs argv through its runner (a unit test checks both).", fmtMB(s.zfs.illumos-s.floor.illumos))
	w("")
	w("No module binary links go-zfs, `crypto/...` (which brings Go's FIPS 140 module: `internal/digest` and `internal/random` stand in for `crypto/sha256` and `crypto/rand`), `math/big`, `encoding/json` (`internal/jsonv` stands in, checked against it) or `regexp`; `test/unit`'s TestModuleBinariesLinkOnlyWhatTheyNeed checks it. Each operation is its own type, so a binary links only the operations its module runs: `zone_gc` evicts golden zones without linking their creation, and `zone_diz` and `zone_exec` build golden zones by content without linking image export and import.")
	if len(over) > 0 {
		w("")
		w("Over the goal: %s. The smallest module is %s above `gofloor`.", strings.Join(over, ", "), fmtMB(minSize(s.modules)-s.floor.illumos))
	}
	w("")
	w("Where the bytes are: the symbols of each unstripped illumos/amd64 build (code, read-only data and data), by the package each belongs to. The stripped file is larger than their sum by the tables the Go runtime keeps about its functions and types, which grow with the code.")
	w("")
	w("| program | zonemgr's packages | dependencies | Go runtime and standard library | string literals and function metadata (all packages) |")
	w("|---|---|---|---|---|")
	for _, m := range append(append([]sizeRow{}, s.modules...), s.floor) {
		w("| %s | %s | %s | %s | %s |", m.name, fmtMB(m.share.own), fmtMB(m.share.deps), fmtMB(m.share.std), fmtMB(m.share.shared))
	}
	w("")
}
