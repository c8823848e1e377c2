package zone

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/zonemgr/zonemgr/internal/digest"
	"github.com/zonemgr/zonemgr/internal/illumos"
)

// Golden zones by content. A golden zone made without a name is named by
// what it holds: GIZ_NAME_PREFIX and a short hash of its Content (brand,
// template, publishers, the sorted and de-duplicated packages, and the
// golden zone and snapshot it was derived from). The whole content is
// recorded on the zone (zonemgr.content), so that a request for the same
// content, in any order, finds the same zone, and a name whose recorded
// content differs is refused, never reused. A disposable zone asked for
// with packages and no golden zone has its golden zone found, or built
// on demand: such a golden zone carries the run that made it
// (zonemgr.ondemand) and its last use (the zonemgr:used property of its
// dataset), and gc --unused-goldens evicts it once unused.

// Attributes and properties of golden zones by content.
const (
	// AttrContent holds a golden zone's content (Content.Canonical), in
	// chunks: zonemgr.content, zonemgr.content.1, ... (a zonecfg attr
	// value holds at most 2*BUFSIZ bytes: libzonecfg's zone_attrtab).
	AttrContent = "zonemgr.content"
	// AttrOnDemand marks a golden zone built on demand, with the kind
	// and time of the request that built it ("exec-diz <stamp>"). Only
	// such golden zones are evicted.
	AttrOnDemand = "zonemgr.ondemand"
	// PropUsed is the property of an on-demand golden zone's dataset
	// that holds its last use, as seconds since the epoch.
	PropUsed = "zonemgr:used"
)

// contentChunk is the size of an AttrContent chunk.
const contentChunk = 1024

// A Content is what a golden zone is built from, which names it when no
// name is given.
type Content struct {
	Brand      string
	Template   string
	Publishers []Publisher
	Packages   []string
	// Base and BaseSnapshot name the golden zone and snapshot a derived
	// golden zone is cloned from (Packages are added to it).
	Base, BaseSnapshot string
}

// NormalizePackages returns packages as a content names them: each
// "pkg:/name" as "name", sorted, without duplicates. Versions
// ("name@1.2") and publishers ("pkg://pub/name") are kept: they make
// other content. A value that is not a package FMRI or name is refused.
func NormalizePackages(in []string) ([]string, error) {
	var out []string
	var errs []error
	for _, p := range in {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !strings.HasPrefix(p, "pkg://") {
			p = strings.TrimPrefix(p, "pkg:")
			p = strings.TrimLeft(p, "/")
		}
		if err := validPackage(p); err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Canonical renders the content as recorded: one "key=value" line per
// part, lists joined with ",".
func (c Content) Canonical() string {
	pubs := make([]string, len(c.Publishers))
	for i, p := range c.Publishers {
		pubs[i] = p.Name + "|" + p.URL
	}
	slices.Sort(pubs)
	base := ""
	if c.Base != "" {
		base = c.Base + "@" + c.BaseSnapshot
	}
	return strings.Join([]string{
		"content=1",
		"brand=" + c.Brand,
		"template=" + c.Template,
		"publishers=" + strings.Join(pubs, ","),
		"packages=" + strings.Join(c.Packages, ","),
		"base=" + base,
	}, "\n")
}

// Hash is a short hash of the canonical content.
func (c Content) Hash() string {
	sum := digest.Sum256([]byte(c.Canonical()))
	return hex.EncodeToString(sum[:])[:10]
}

// Name is the content's golden zone name: prefix and hash.
func (c Content) Name(prefix string) string { return prefix + c.Hash() }

// contentAttrs are the configuration attributes that record c.
func contentAttrs(c *Content) []illumos.Attr {
	s := strings.ReplaceAll(c.Canonical(), "\n", ";")
	var out []illumos.Attr
	for i := 0; len(s) > 0 || i == 0; i++ {
		n := min(len(s), contentChunk)
		name := AttrContent
		if i > 0 {
			name += "." + strconv.Itoa(i)
		}
		out = append(out, illumos.Attr{Name: name, Type: "string", Value: s[:n]})
		s = s[n:]
	}
	return out
}

// recordedContent returns the content a golden zone records, in
// Canonical's form, and whether it records one.
func recordedContent(z *Zone) (string, bool) {
	first := z.Attr(AttrContent)
	if first == "" {
		return "", false
	}
	var b strings.Builder
	b.WriteString(first)
	for i := 1; ; i++ {
		v := z.Attr(AttrContent + "." + strconv.Itoa(i))
		if v == "" {
			break
		}
		b.WriteString(v)
	}
	return strings.ReplaceAll(b.String(), ";", "\n"), true
}

// ReadPackageArgs expands the package arguments of a request: each item
// is split at white space and commas, and "@FILE" stands for the
// packages of FILE, one or more per line, with '#' starting a comment.
func ReadPackageArgs(items []string, readFile func(string) ([]byte, error)) ([]string, error) {
	var out []string
	split := func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
	}
	for _, it := range items {
		for _, w := range split(it) {
			file, ok := strings.CutPrefix(w, "@")
			if !ok {
				out = append(out, w)
				continue
			}
			b, err := readFile(file)
			if err != nil {
				return nil, fmt.Errorf("packages: %w", err)
			}
			for _, line := range strings.Split(string(b), "\n") {
				if i := strings.IndexByte(line, '#'); i >= 0 {
					line = line[:i]
				}
				out = append(out, split(line)...)
			}
		}
	}
	return out, nil
}

// contentOf returns the content of a golden zone spec: its brand or
// template (the configured defaults when it names neither and is not a
// clone), publishers and packages, and for a clone its source and the
// snapshot the clone is made from (the newest zonemgr snapshot when the
// spec names none), read from w.
func (h *Host) contentOf(ctx context.Context, w *World, spec *GIZSpec) (*Content, error) {
	pkgs, err := NormalizePackages(spec.AddPackages)
	if err != nil {
		return nil, optErr(spec.pkgField(), "%w", err)
	}
	c := &Content{Packages: pkgs, Publishers: slices.Clone(spec.AddPublishers)}
	if spec.Source != "" {
		_, _, snap, err := h.resolveGIZ(ctx, w, spec.Source, spec.Snapshot)
		if err != nil {
			return nil, optErr(FieldSource, "%w", err)
		}
		c.Base, c.BaseSnapshot = spec.Source, snap
		return c, nil
	}
	c.Brand, c.Template = spec.Brand, spec.Template
	if c.Brand == "" && c.Template == "" {
		c.Brand, c.Template = h.Settings.BrandGIZ, h.Settings.TemplateGIZ
	}
	return c, nil
}

// A contentWait bounds how long a request waits for another run to
// build the golden zone it needs.
var contentWait = 2 * time.Hour

// goldenFor returns the golden zone of spec's content, named by it (or
// as spec names it): found when it exists, built when it does not. w is
// the golden zones as the caller just observed them, or nil; they are
// observed again under the build lock. Concurrent
// requests for one content build it once: each takes the content's
// build lock, waiting (up to contentWait, saying so) while another run
// builds; a request that waited for a build that failed fails with
// that build's error. In check mode nothing is built: the golden zone's
// plan is returned with its name. onDemand marks a golden zone built
// for a disposable zone with the request's run.
//
// With hold, the golden zone's lock is taken shared before the build lock
// is released, and returned held: a disposable zone's run clones it
// under that lock, so that no eviction (which takes the zone's lock
// exclusively, and keeps a golden zone whose build lock is held) can
// destroy the golden zone between its choice and the clone.
func (h *Host) goldenFor(ctx context.Context, w *World, spec GIZSpec, onDemand string, hold bool) (name string, built *Outcome, held *ZoneLock, err error) {
	if w == nil {
		if w, err = h.Observe(ctx, h.Settings.GIZContainer); err != nil {
			return "", nil, nil, err
		}
	}
	c, err := h.contentOf(ctx, w, &spec)
	if err != nil {
		return "", nil, nil, err
	}
	name = spec.Name
	if name == "" {
		name = c.Name(h.Settings.GIZPrefix)
	}
	if z := w.Zones[name]; z != nil && h.CheckMode {
		return name, nil, nil, h.sameContent(z, c)
	}
	spec.Name, spec.content, spec.OnDemand, spec.AddPackages = name, c, onDemand, c.Packages
	if spec.Source != "" {
		// A derived golden zone is cloned from the snapshot its content,
		// and so its name, records: read before any lock, it is checked
		// again (it exists, held) under the source's lock when cloned,
		// and a snapshot taken since is not taken instead.
		spec.Snapshot = c.BaseSnapshot
	}
	if h.CheckMode {
		// The packages are asked about as the run asks (read-only):
		// check mode fails where the run would.
		if len(c.Publishers) == 0 {
			if err := h.knownPackages(ctx, spec.pkgField(), c.Packages); err != nil {
				return "", nil, nil, err
			}
		}
		out, err := h.buildGIZ(ctx, spec)
		return name, out, nil, err
	}
	start := h.now()
	lk, err := h.lockFile(ctx, "golden zone "+name, buildLockName(name), syscall.LOCK_EX|syscall.LOCK_NB, false)
	if err != nil {
		if h.Stderr != nil {
			fmt.Fprintf(h.Stderr, "zonemgr: waiting up to %s for golden zone %s, which another zonemgr run is building\n", contentWait, name)
		}
		wctx, cancel := context.WithTimeout(ctx, contentWait)
		defer cancel()
		if lk, err = h.lockFile(wctx, "golden zone "+name, buildLockName(name), syscall.LOCK_EX, true); err != nil {
			if wctx.Err() != nil && ctx.Err() == nil {
				return "", nil, nil, fmt.Errorf("golden zone %s: gave up after %s waiting for another zonemgr run to build it", name, contentWait)
			}
			return "", nil, nil, err
		}
	}
	defer lk.Unlock()
	if w, err = h.Observe(ctx, h.Settings.GIZContainer); err != nil {
		return "", nil, nil, err
	}
	if z := w.Zones[name]; z != nil {
		if err := h.sameContent(z, c); err != nil {
			return "", nil, nil, err
		}
		if z.State == "configured" || z.State == "incomplete" {
			return "", nil, nil, fmt.Errorf("golden zone %s is %s: a build of it was killed; zonemgr gc finishes it", name, z.State)
		}
		return h.holdGolden(ctx, name, nil, hold)
	}
	if why, when, ok := h.buildFailure(name); ok && !when.Before(start) {
		return "", nil, nil, fmt.Errorf("golden zone %s: the zonemgr run that was building it failed: %s", name, why)
	}
	if len(c.Publishers) == 0 {
		if err := h.knownPackages(ctx, spec.pkgField(), c.Packages); err != nil {
			return "", nil, nil, err
		}
	}
	out, err := h.buildGIZ(ctx, spec)
	if err != nil {
		h.recordBuildFailure(name, Phrase(err, nil))
		return "", out, nil, err
	}
	h.clearBuildFailure(name)
	return h.holdGolden(ctx, name, out, hold)
}

// buildLockName is the lock file of the build of golden zone name,
// which goldenFor holds while it finds or builds the zone, and an
// eviction tries.
func buildLockName(name string) string { return "content-" + name + ".lock" }

// holdGolden ends goldenFor under the build lock: with hold, it takes
// the golden zone's lock shared and returns it held. When the lock
// cannot be taken after a build, the build's outcome (out) is returned
// with the error: the golden zone is there, and the user is told so.
func (h *Host) holdGolden(ctx context.Context, name string, out *Outcome, hold bool) (string, *Outcome, *ZoneLock, error) {
	if !hold {
		return name, out, nil, nil
	}
	lk, err := h.LockZoneShared(ctx, name)
	if err != nil {
		if out != nil {
			return name, out, nil, fmt.Errorf("golden zone %s is built, but %w", name, err)
		}
		return "", nil, nil, err
	}
	return name, out, lk, nil
}

// ensureByContent makes, or finds, the golden zone of a spec that names
// none: the one its content names.
func (h *Host) ensureByContent(ctx context.Context, spec GIZSpec) (*Outcome, error) {
	if len(spec.RemovePackages) > 0 || len(spec.RemovePublishers) > 0 {
		return nil, optErr(FieldNone, "%v and %v change a golden zone: name it (%v)", FieldRemovePackages, FieldRemovePublishers, FieldName)
	}
	pkgs, err := NormalizePackages(spec.AddPackages)
	if err != nil {
		return nil, optErr(spec.pkgField(), "%w", err)
	}
	spec.AddPackages = pkgs
	name, out, _, err := h.goldenFor(ctx, nil, spec, spec.OnDemand, false)
	if err != nil || out != nil {
		return out, err
	}
	spec.Name, spec.existing = name, true
	return h.ensureNamedGIZ(ctx, spec)
}

// dizGolden resolves the golden zone of a disposable zone asked for with
// packages: with no golden zone named, the one those packages name; with
// a golden zone G that does not exist, G built from the packages; with
// an existing G, G itself when it was built from exactly those packages,
// else the golden zone derived from G with the packages added (a clone
// of G's snapshot, named by its content). A golden zone built here and
// named by its content is marked as made on demand by the request (kind:
// "diz", "exec-diz"), for gc to evict once unused; one the request named
// is the user's, and is not marked.
// The spec then names the golden zone, and its newest snapshot; the
// outcome of a build (or, in check mode, its plan) is returned, with the
// error too when the build failed or its golden zone could not be held.
func (h *Host) dizGolden(ctx context.Context, spec *DIZSpec, kind string) (*Outcome, error) {
	if len(spec.Packages) == 0 {
		return nil, nil
	}
	// The request is checked before anything is built for it: the golden
	// zone's name also names its build lock and failure record files.
	if _, err := h.validateDIZ(spec); err != nil {
		return nil, err
	}
	gs := GIZSpec{State: "present", AddPackages: spec.Packages, BootTimeout: spec.BootTimeout, forDIZ: true}
	var w *World
	if spec.GIZ != "" {
		var err error
		if w, err = h.Observe(ctx, h.Settings.GIZContainer); err != nil {
			return nil, err
		}
		g := w.Zones[spec.GIZ]
		if g != nil {
			scratch, err := h.contentOf(ctx, w, &gs)
			if err != nil {
				return nil, err
			}
			if have, ok := recordedContent(g); ok && have == scratch.Canonical() {
				if h.CheckMode {
					return nil, nil
				}
				if spec.gizLock, err = h.LockZoneShared(ctx, spec.GIZ); err != nil {
					return nil, err
				}
				// Looked at again under its lock: an eviction between
				// the look and the lock destroyed it, and it is built
				// again by its name.
				if w, err = h.Observe(ctx, h.Settings.GIZContainer); err == nil && w.Zones[spec.GIZ] != nil {
					if again, _ := recordedContent(w.Zones[spec.GIZ]); again == have {
						return nil, nil
					}
				}
				spec.gizLock.Unlock()
				spec.gizLock = nil
				if err != nil {
					return nil, err
				}
				g = nil
			} else {
				gs.Source, gs.Snapshot = spec.GIZ, spec.Snapshot
			}
		}
		if g == nil {
			gs.Name = spec.GIZ
		}
	}
	mark := kind + " " + Stamp(h.now())
	if gs.Name != "" {
		mark = ""
	}
	name, out, held, err := h.goldenFor(ctx, w, gs, mark, true)
	if err != nil {
		// out is the build of a golden zone that was made all the same.
		return out, err
	}
	spec.GIZ, spec.Snapshot, spec.gizLock = name, "", held
	return out, nil
}

// goldenOnly is the outcome of a disposable zone's run that stopped
// after the build of its golden zone (built, nil when there was none):
// the build, under the disposable zone's name.
func goldenOnly(built *Outcome, zone string) *Outcome {
	if built == nil {
		return nil
	}
	return withGolden(built, &Outcome{Zone: zone})
}

// withGolden puts the build of a disposable zone's golden zone before
// the zone's own outcome: its plan first, and the golden zone's name and
// whether it was built among the values.
func withGolden(built, out *Outcome) *Outcome {
	if built == nil || out == nil {
		return out
	}
	out.Plan = append(slices.Clone(built.Plan), out.Plan...)
	out.Steps = append(slices.Clone(built.Steps), out.Steps...)
	out.Changed = out.Changed || built.Changed
	out.set("giz_built", built.Zone)
	return out
}

// sameContent refuses a golden zone whose recorded content is not c.
func (h *Host) sameContent(z *Zone, c *Content) error {
	have, ok := recordedContent(z)
	switch {
	case !ok:
		return fmt.Errorf("zone %s exists and records no content: it was not made by content (by zonemgr, or at all), so it is not reused for %s", z.Name, oneLine(c.Canonical()))
	case have != c.Canonical():
		return fmt.Errorf("zone %s exists with other content (%s), not %s: a name is never reused for other content", z.Name, oneLine(have), oneLine(c.Canonical()))
	}
	return nil
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", "; ") }

// knownPackages refuses packages the global zone's publishers do not
// know, before anything is made: pkg list -a exits 1 when none of the
// patterns matches and 3 when some do not, naming those on standard
// error (pkg5 src/client.py list_inventory(): EXIT_OOPS, EXIT_PARTIAL).
func (h *Host) knownPackages(ctx context.Context, field Field, pkgs []string) error {
	if len(pkgs) == 0 {
		return nil
	}
	_, err := h.Runner.Run(ctx, illumos.Cmd{Argv: append([]string{"pkg", "list", "-aH"}, pkgs...)})
	var ce *illumos.CommandError
	if err == nil || !errors.As(err, &ce) || (ce.ExitCode != 1 && ce.ExitCode != 3) {
		return err
	}
	var unknown []string
	for _, l := range strings.Split(ce.Stderr, "\n") {
		if p, ok := strings.CutPrefix(l, "  "); ok && strings.TrimSpace(p) != "" {
			unknown = append(unknown, strings.TrimSpace(p))
		}
	}
	if len(unknown) == 0 {
		unknown = pkgs
	}
	return optErr(field, "not known to the global zone's publishers (pkg list -a exit %d): %s", ce.ExitCode, strings.Join(unknown, ", "))
}

// buildFailures is where the failed builds of golden zones by content
// are recorded for the requests that waited for them: run-time state,
// as the locks (a tmpfs on illumos, emptied at boot).
func (h *Host) buildFailures(name string) string {
	return filepath.Join(h.path("/var/run/zonemgr/content"), name+".failed")
}

// buildFailure returns the error of the last failed build of a golden
// zone by content and when it failed.
func (h *Host) buildFailure(name string) (string, time.Time, bool) {
	f, err := os.Open(h.buildFailures(name))
	if err != nil {
		return "", time.Time{}, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", time.Time{}, false
	}
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return "", time.Time{}, false
	}
	return strings.TrimSpace(string(b)), fi.ModTime(), true
}

// recordBuildFailure records why a build of a golden zone by content
// failed, for the requests that waited for it; a record it cannot write
// is warned about (those requests then build again).
func (h *Host) recordBuildFailure(name, why string) {
	p := h.buildFailures(name)
	err := os.MkdirAll(filepath.Dir(p), 0o700)
	if err == nil {
		err = os.WriteFile(p, []byte(why+"\n"), 0o600)
	}
	h.warnf(err, "record the failed build of golden zone %s", name)
}

// clearBuildFailure removes the record of a failed build.
func (h *Host) clearBuildFailure(name string) {
	if err := os.Remove(h.buildFailures(name)); !os.IsNotExist(err) {
		h.warnf(err, "remove the record of golden zone %s's failed build", name)
	}
}

// warnf writes a warning to the host's standard error when err is not
// nil: something zonemgr could not do that does not fail the operation.
func (h *Host) warnf(err error, format string, a ...any) {
	if err != nil && h.Stderr != nil {
		fmt.Fprintf(h.Stderr, "zonemgr: warning: %s: %v\n", fmt.Sprintf(format, a...), err)
	}
}

// lastUsed is when a golden zone was last cloned: its dataset's
// zonemgr:used, or else its creation (zonemgr.created).
func lastUsed(w *World, z *Zone) time.Time {
	if ds, ok := w.ZoneDataset(z); ok {
		if n, err := strconv.ParseInt(w.Datasets[ds].Value(PropUsed), 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	t, _ := time.Parse(time.RFC3339, z.Attr(AttrCreated))
	return t
}

// ParseAge reads an age such as "30d", "2w", "36h" or "90m": a Go
// duration, or a whole number of days (d) or weeks (w).
func ParseAge(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not an age such as 30d, 2w, 36h or 90m", s)
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.ParseUint(n, 10, 32)
			if err != nil || v > uint64(math.MaxInt64/unit) {
				return 0, bad
			}
			return time.Duration(v) * unit, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, bad
	}
	return d, nil
}

// EvictGoldens destroys the golden zones built on demand that have not
// been cloned for unused and that no zone depends on, each as its own
// destroy (with its journal). A golden zone made by hand is never
// evicted. Each is checked again under its locks: one whose build lock
// another run holds (building it, or choosing it for a clone), that
// became used again, that has snapshots zonemgr did not take, or whose
// snapshots are cloned, is kept, saying why; a run that holds the zone's
// own lock (a clone of it) is waited for. The outcome's values list the
// evicted zones (evicted) and the kept ones with the reason (kept).
func (h *Host) EvictGoldens(ctx context.Context, unused time.Duration) (*Outcome, error) {
	w, err := h.Observe(ctx, h.containers()...)
	if err != nil {
		return nil, err
	}
	cutoff := h.now().Add(-unused)
	out := &Outcome{Values: map[string]any{}}
	evicted, kept := []string{}, []string{}
	var names []string
	for name, z := range w.Zones {
		if z.Role() == "giz" && z.Attr(AttrOnDemand) != "" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var errs []error
	for _, name := range names {
		z := w.Zones[name]
		if lastUsed(w, z).After(cutoff) {
			continue
		}
		if deps := gizDependents(w, z); len(deps) > 0 {
			kept = append(kept, fmt.Sprintf("%s: zones depend on it: %s", name, strings.Join(deps, ", ")))
			continue
		}
		if err := illumos.ValidZoneName(name); err != nil {
			errs = append(errs, fmt.Errorf("golden zone %q: %w", name, err))
			continue
		}
		o, err := h.operate(ctx, &evictOp{gizRun{h: h, spec: GIZSpec{Name: name, State: "absent", evictBefore: cutoff}}})
		var ke *keptError
		switch {
		case errors.As(err, &ke):
			kept = append(kept, name+": "+ke.why)
			continue
		case err != nil:
			errs = append(errs, err)
			continue
		}
		out.Plan = append(out.Plan, o.Plan...)
		out.Steps = append(out.Steps, o.Steps...)
		out.Changed = out.Changed || o.Changed
		evicted = append(evicted, name)
	}
	out.Values["evicted"], out.Values["kept"] = evicted, kept
	verb := "evicted"
	if h.CheckMode {
		verb = "would evict"
	}
	out.Msg = fmt.Sprintf("%s %d golden zone(s) unused for %s", verb, len(evicted), unused)
	if len(evicted) > 0 {
		out.Msg += ": " + strings.Join(evicted, ", ")
	}
	return out, errors.Join(errs...)
}

// evictionKeeps says why eviction must keep the golden zone z, "" when
// it may destroy it: z was not made on demand, was used after before,
// has dependents, or has on it what zonemgr does not own (see
// notOursToEvict). An eviction checks it under its locks, and gc again
// before it finishes a killed eviction.
func (h *Host) evictionKeeps(ctx context.Context, w *World, z *Zone, before time.Time) (string, error) {
	if z.Attr(AttrOnDemand) == "" {
		return "it was not made on demand", nil
	}
	if used := lastUsed(w, z); used.After(before) {
		return "it was used since " + Stamp(used), nil
	}
	if deps := gizDependents(w, z); len(deps) > 0 {
		return "zones depend on it: " + strings.Join(deps, ", "), nil
	}
	return h.notOursToEvict(ctx, w, z)
}

// A keptError is an eviction that its destroy found no longer applies.
type keptError struct{ why string }

func (e *keptError) Error() string { return e.why }
