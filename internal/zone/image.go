package zone

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/hashicorp/go-multierror"

	"github.com/zonemgr/zonemgr/internal/digest"
	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/jsonv"
	"github.com/zonemgr/zonemgr/internal/textio"
	"github.com/zonemgr/zonemgr/internal/zfs"
)

// Zone attributes recording the image a golden zone was imported from.
const (
	AttrImage       = "zonemgr.image"        // the image file's base name
	AttrImageSHA256 = "zonemgr.image-sha256" // SHA-256 of the image's stream
)

// An image file holds one golden zone as a ZFS replication stream and a
// manifest describing it. It is written in one pass, so the manifest
// comes after the stream:
//
//	"ZONEMGR-IMAGE 1\n"                 the magic line (16 bytes)
//	stream                              `zfs send -R` output, StreamSize bytes
//	manifest                            JSON (ImageManifest)
//	"ZONEMGR-MANIFEST %010d\n"          the trailer: the manifest's length
//
// A reader checks the magic line, reads the trailer at the end, then the
// manifest before it, and finds the stream between the magic line and the
// manifest. The stream's SHA-256 is verified before anything is changed.
const (
	imageMagic      = "ZONEMGR-IMAGE 1\n"
	imageTrailerFmt = "ZONEMGR-MANIFEST %010d\n"
	imageTrailerLen = len("ZONEMGR-MANIFEST ") + 10 + 1
	// maxManifestSize bounds what OpenImage reads of a manifest: a
	// zonemgr manifest is a few kilobytes.
	maxManifestSize = 4 << 20
	imageFormat     = 1
)

// An ImageManifest describes an exported golden image.
type ImageManifest struct {
	Format int    `json:"format"`
	Zone   string `json:"zone"`
	Brand  string `json:"brand"`
	// Config is the zone's configuration as zonecfg export prints it.
	Config   string         `json:"config"`
	Packages []ImagePackage `json:"packages"`
	// Origin is the zone's zonemgr.origin.
	Origin string `json:"origin"`
	// Dataset is the dataset the stream was sent from.
	Dataset string `json:"dataset"`
	// BootEnvironment is the zone's active boot environment, relative to
	// Dataset ("ROOT/zbe"): the dataset an import mounts on the new
	// zonepath's root before it attaches the zone. Images without it
	// have "ROOT/zbe".
	BootEnvironment string `json:"boot_environment,omitempty"`
	Snapshot        string `json:"snapshot"`
	SnapshotGUID    string `json:"snapshot_guid"`
	// Snapshots are the zonemgr snapshots the stream holds, oldest first.
	Snapshots []string `json:"snapshots"`
	// Base and BaseGUID are set for an incremental image: it applies
	// only onto a zone whose snapshot Base has this GUID.
	Base         string `json:"base,omitempty"`
	BaseGUID     string `json:"base_guid,omitempty"`
	Created      string `json:"created"`
	StreamSize   int64  `json:"stream_size"`
	StreamSHA256 string `json:"stream_sha256"`
}

// An ImagePackage is one installed package of an exported zone.
type ImagePackage struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// imageDiff is an export's diff side: what the image file holds.
func imageDiff(zone, snap, base string) string {
	if base != "" {
		return "image: " + zone + "@" + snap + " (incremental from " + base + ")\n"
	}
	return "image: " + zone + "@" + snap + "\n"
}

// sendable refuses an export zfs send -R cannot make into an image
// another host can receive: a file system of the zone without the
// snapshot is left out of the stream, and the send fails (illumos-gate libzfs_sendrecv.c
// dump_filesystem(): "WARNING: could not send %s@%s: does not exist");
// a file system cloned from a snapshot outside the zone's datasets (a
// golden zone cloned from another) is sent as a clone of it
// (dump_snapshot(): fromorigin), which zfs receive refuses where that
// snapshot is not (libzfs_sendrecv.c zfs_receive_one(): "local origin
// for clone ... does not exist").
func sendable(w *World, ds, snap string) error {
	var missing, clones []string
	for _, fs := range w.Tree(ds) {
		if !w.Exists(fs + "@" + snap) {
			missing = append(missing, fs+"@"+snap)
		}
		if o := w.Datasets[fs].Props["origin"]; o != "" && o != "-" && !strings.HasPrefix(o, ds+"@") && !strings.HasPrefix(o, ds+"/") {
			clones = append(clones, fs+" (a clone of "+o+")")
		}
	}
	switch {
	case len(clones) > 0:
		return fmt.Errorf("its datasets are clones of snapshots outside them: %s; zfs send -R sends them as clones, which another host cannot receive without those snapshots: export the golden zone it was cloned from, or make this one from a template", strings.Join(clones, ", "))
	case len(missing) > 0:
		return fmt.Errorf("zfs send -R needs the snapshot on every dataset of the zone, and these do not exist: %s (a dataset made after the snapshot); export a later snapshot", strings.Join(missing, ", "))
	}
	return nil
}

// trustedImage refuses an image file that someone other than the user
// running zonemgr, or root, could change: a symbolic link, a file owned
// by another user or writable by its group or others, or a file in a
// directory where another user could put another file in its place (one
// owned by another user, or writable by group or others without the
// sticky bit). An image is checked (Verify) and then read again by zfs
// receive; only its owner may change it in between. An image made
// elsewhere is copied into such a place first (it is made mode 0600).
func trustedImage(file string) error {
	fi, err := os.Lstat(file)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is in the message already
		}
		return fmt.Errorf("image %s: %w", file, err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("image %s: a symbolic link: give the image file's own path", file)
	}
	dir := filepath.Dir(file)
	di, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("image %s: %w", file, err)
	}
	if why := othersMayChange(fi, di, dir); why != "" {
		return fmt.Errorf("image %s: %s, so another user could change the image after its checksum: copy it to a file of your own, not writable by others, in a directory of your own", file, why)
	}
	return nil
}

// An Image is an image file that was opened and whose manifest was read.
type Image struct {
	Path     string
	Manifest ImageManifest
	size     int64 // of the whole file
}

// streamOffset is where the stream starts in the file.
const streamOffset = int64(len(imageMagic))

// OpenImage reads an image file's manifest and checks the file's layout.
// It does not read the stream (see Verify).
func OpenImage(file string) (*Image, error) {
	if err := trustedImage(file); err != nil {
		return nil, err
	}
	// O_NONBLOCK: a FIFO at the path opens at once, and is refused below
	// instead of waiting for a writer.
	f, err := os.OpenFile(file, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", file, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", file, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("image %s: not a regular file (%s)", file, textio.FileKind(fi.Mode()))
	}
	bad := func(why string) error { return fmt.Errorf("image %s: not a zonemgr golden image: %s", file, why) }
	magic := make([]byte, len(imageMagic))
	if _, err := io.ReadFull(f, magic); err != nil || string(magic) != imageMagic {
		return nil, bad("it does not start with " + strconv.Quote(imageMagic))
	}
	if fi.Size() < streamOffset+int64(imageTrailerLen) {
		return nil, bad("it is too short")
	}
	trailer := make([]byte, imageTrailerLen)
	if _, err := f.ReadAt(trailer, fi.Size()-int64(imageTrailerLen)); err != nil {
		return nil, fmt.Errorf("image %s: %w", file, err)
	}
	var n int64
	if _, err := fmt.Sscanf(string(trailer), imageTrailerFmt, &n); err != nil || n <= 0 || n > fi.Size() {
		return nil, bad("its trailer is damaged")
	}
	if n > maxManifestSize {
		return nil, bad(fmt.Sprintf("its trailer gives a manifest of %d bytes, more than the %d a manifest may have", n, maxManifestSize))
	}
	mb := make([]byte, n)
	moff := fi.Size() - int64(imageTrailerLen) - n
	if moff < streamOffset {
		return nil, bad("its trailer is damaged")
	}
	if _, err := f.ReadAt(mb, moff); err != nil {
		return nil, fmt.Errorf("image %s: %w", file, err)
	}
	img := &Image{Path: file, size: fi.Size()}
	if err := jsonv.Unmarshal(mb, &img.Manifest); err != nil {
		return nil, bad("its manifest is damaged: " + err.Error())
	}
	m := img.Manifest
	if m.Format != imageFormat {
		return nil, bad(fmt.Sprintf("format %d (this zonemgr reads format %d)", m.Format, imageFormat))
	}
	if streamOffset+m.StreamSize != moff {
		return nil, bad(fmt.Sprintf("the manifest says the stream has %d bytes, the file holds %d", m.StreamSize, moff-streamOffset))
	}
	return img, nil
}

// Verify reads the stream and compares its SHA-256 with the manifest's.
func (img *Image) Verify() error {
	f, err := os.Open(img.Path)
	if err != nil {
		return fmt.Errorf("image %s: %w", img.Path, err)
	}
	defer f.Close()
	h := digest.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, streamOffset, img.Manifest.StreamSize)); err != nil {
		return fmt.Errorf("image %s: %w", img.Path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != img.Manifest.StreamSHA256 {
		return fmt.Errorf("image %s is damaged: its stream's SHA-256 is %s, its manifest says %s; nothing was changed", img.Path, got, img.Manifest.StreamSHA256)
	}
	return nil
}

// snapshotGUID reads a snapshot's guid property.
func (h *Host) snapshotGUID(ctx context.Context, snap string) (string, error) {
	v, _, err := zfs.GetProperty(ctx, h.Runner, snap, "guid")
	if err != nil {
		return "", err
	}
	return v, nil
}

// zonePackages lists the packages of an installed zone through its
// mounted root (pkg -R), "" versions when pkg cannot tell.
func (h *Host) zonePackages(ctx context.Context, z *Zone) ([]ImagePackage, error) {
	res, err := h.Runner.Run(ctx, illumos.Cmd{Argv: []string{"pkg", "-R", path.Join(z.Zonepath, "root"), "list", "-H"}})
	if err != nil {
		return nil, fmt.Errorf("list the packages of %s: %w", z.Name, err)
	}
	pkgs, err := illumos.ParsePkgList(res.Stdout)
	if err != nil {
		return nil, fmt.Errorf("list the packages of %s: %w", z.Name, err)
	}
	out := make([]ImagePackage, 0, len(pkgs))
	for _, p := range pkgs {
		out = append(out, ImagePackage{Name: p.Name, Version: p.Version})
	}
	return out, nil
}

// ExportGIZ writes a golden zone's snapshot (default: its newest zonemgr
// snapshot) to spec.Image as a replication stream with its manifest;
// with spec.IncrementalFrom, only the changes since that snapshot. An
// image file that already holds exactly that snapshot is left alone.
func (h *Host) ExportGIZ(ctx context.Context, spec GIZSpec) (*Outcome, error) {
	if err := validateExport(spec); err != nil {
		return nil, err
	}
	return h.operate(ctx, &exportOp{h: h, spec: spec})
}

// An exportOp is one run of ExportGIZ.
type exportOp struct {
	h      *Host
	spec   GIZSpec
	export *ImageExport // the step that writes the image
}

func (o *exportOp) journal() string { return "giz-export" }

// lock takes the zone's lock shared: exports and clones of one golden
// zone may run together, but no refresh, rollback or destroy meanwhile.
func (o *exportOp) lock(ctx context.Context, ls *lockSet) error {
	_, err := ls.shared(ctx, o.spec.Name)
	return err
}

// plan finds the snapshot to export, leaves an image that holds it
// already alone, and otherwise plans the one step that writes the image,
// with its manifest.
func (o *exportOp) plan(ctx context.Context, _ *lockSet, plan *Plan, out *Outcome) error {
	h, spec := o.h, o.spec
	w, err := h.Observe(ctx, h.containers()...)
	if err != nil {
		return err
	}
	z := w.Zones[spec.Name]
	if z == nil {
		return fmt.Errorf("zone %s does not exist", spec.Name)
	}
	if err := checkOurs(z, "giz"); err != nil {
		return err
	}
	ds, ok := w.ZoneDataset(z)
	if !ok {
		return fmt.Errorf("zone %s: its dataset is not under %s", z.Name, h.Settings.GIZContainer)
	}
	order, err := h.snapshotOrder(ctx, ds)
	if err != nil {
		return err
	}
	snaps := slices.DeleteFunc(slices.Clone(order), func(s string) bool { return !IsZonemgrSnapshot(s) })
	snap := spec.Snapshot
	if snap == "" {
		if len(snaps) == 0 {
			return fmt.Errorf("zone %s has no zonemgr snapshot to export", z.Name)
		}
		snap = snaps[len(snaps)-1]
	}
	if !w.Exists(ds + "@" + snap) {
		return optErr(FieldSnapshot, "%s@%s does not exist (snapshots of %s: %s)", ds, snap, z.Name, strings.Join(snapshotNames(w, ds), ", "))
	}
	base := spec.IncrementalFrom
	if base != "" {
		if !w.Exists(ds + "@" + base) {
			return optErr(FieldIncrementalFrom, "%s@%s does not exist (snapshots of %s: %s)", ds, base, z.Name, strings.Join(snapshotNames(w, ds), ", "))
		}
		if !olderSnapshot(order, base, snap) {
			return optErr(FieldIncrementalFrom, "%s is not older than %s", base, snap)
		}
	}
	if err := sendable(w, ds, snap); err != nil {
		return fmt.Errorf("zone %s: %w", z.Name, err)
	}
	plan.Zone, out.Zone = z.Name, z.Name
	out.set("name", z.Name)
	out.set("image", spec.Image)
	out.set("snapshot", snap)
	out.set("state", "exported")
	if base != "" {
		out.set("incremental_from", base)
	}
	guid, err := h.snapshotGUID(ctx, ds+"@"+snap)
	if err != nil {
		return fmt.Errorf("zone %s: %w", z.Name, err)
	}
	// An image already at the path counts only when it is one to trust
	// (see trustedImage), its manifest names this snapshot and its
	// stream is whole; otherwise it is written again.
	out.After = imageDiff(z.Name, snap, base)
	old, err := OpenImage(spec.Image)
	switch {
	case err == nil:
		out.Before = imageDiff(old.Manifest.Zone, old.Manifest.Snapshot, old.Manifest.Base)
	case errors.Is(err, fs.ErrNotExist):
		out.Before = "image: none\n"
	default:
		out.Before = "image: a file not used as it is (" + err.Error() + ")\n"
	}
	if err == nil {
		m := old.Manifest
		if m.Zone == z.Name && m.Snapshot == snap && m.SnapshotGUID == guid && m.Base == base && old.Verify() == nil {
			out.Msg = fmt.Sprintf("image %s already holds %s@%s", spec.Image, z.Name, snap)
			out.Before = out.After
			out.set("stream_size", m.StreamSize)
			out.set("stream_sha256", m.StreamSHA256)
			return nil
		}
	}
	sendArgv := []string{"zfs", "send", "-R"}
	if base != "" {
		sendArgv = append(sendArgv, "-I", "@"+base)
	}
	sendArgv = append(sendArgv, ds+"@"+snap)
	send := illumos.Cmd{Argv: sendArgv}
	m := ImageManifest{
		Format: imageFormat, Zone: z.Name, Brand: z.Brand, Origin: z.Attr(AttrOrigin),
		Dataset: ds, Snapshot: snap, SnapshotGUID: guid, Base: base, Created: Stamp(h.now()),
	}
	if be, err := h.activeBE(ctx, w, ds); err == nil {
		m.BootEnvironment = strings.TrimPrefix(be, ds+"/")
	}
	if z.Config != nil {
		m.Config = z.Config.Export()
	}
	for _, s := range snaps {
		if !olderSnapshot(order, snap, s) && (base == "" || olderSnapshot(order, base, s)) {
			m.Snapshots = append(m.Snapshots, s)
		}
	}
	if base != "" {
		if m.BaseGUID, err = h.snapshotGUID(ctx, ds+"@"+base); err != nil {
			return fmt.Errorf("zone %s: %w", z.Name, err)
		}
	}
	if m.Packages, err = h.zonePackages(ctx, z); err != nil {
		out.Warnings = append(out.Warnings, err.Error()+"; the manifest lists no packages")
	}
	// The image is written to a temporary file named after the run, next
	// to the image, and renamed into place at the end: a killed run
	// leaves that file, which its journal names for gc to remove.
	tmp := filepath.Join(filepath.Dir(spec.Image), "."+filepath.Base(spec.Image)+".partial-"+plan.Run)
	o.export = &ImageExport{File: spec.Image, Tmp: tmp, Send: send, Manifest: m}
	plan.Add(Step{
		Why:    "write the image",
		Show:   send.String() + " > " + spec.Image,
		Export: o.export,
		Undo:   &illumos.Cmd{Argv: []string{"rm", "-f", "--", tmp}},
		Guard:  &Guard{File: tmp},
	})
	return nil
}

// done reports the stream written, or that would be.
func (o *exportOp) done(_ context.Context, _ *Plan, out *Outcome, e ending, err error) (*Outcome, error) {
	snap, _ := out.Values["snapshot"].(string)
	switch {
	case e == shown && o.export != nil:
		out.Msg = fmt.Sprintf("would export %s@%s to %s", out.Zone, snap, o.spec.Image)
	case e == applied && err == nil:
		m := o.export.Manifest
		out.set("stream_size", m.StreamSize)
		out.set("stream_sha256", m.StreamSHA256)
		out.Msg = fmt.Sprintf("exported %s@%s to %s (%d bytes)", out.Zone, snap, o.spec.Image, m.StreamSize)
	}
	return out, err
}

// validateExport checks the options of state=exported.
func validateExport(spec GIZSpec) error {
	var errs error
	if spec.Image == "" {
		errs = multierror.Append(errs, optErr(FieldImage, "required with %v=exported (the file to write)", FieldState))
	}
	if err := illumos.ValidZoneName(spec.Name); err != nil {
		errs = multierror.Append(errs, optErr(FieldName, "%w", err))
	}
	for _, s := range []struct {
		f Field
		v string
	}{{FieldSnapshot, spec.Snapshot}, {FieldIncrementalFrom, spec.IncrementalFrom}} {
		if s.v != "" && zfs.ValidSnapshotName("x@"+s.v) != nil {
			errs = multierror.Append(errs, optErr(s.f, "%q is not a snapshot name", s.v))
		}
	}
	return OneLine(errs)
}

// snapshotOrder lists the snapshot names (after '@') of ds in the order
// they were taken (by createtxg: creation times have whole seconds).
func (h *Host) snapshotOrder(ctx context.Context, ds string) ([]string, error) {
	list, err := zfs.List(ctx, h.Runner, zfs.ListOptions{Types: []string{"snapshot"}, Depth: 1, Props: []string{"createtxg"}, Names: []string{ds}, SortBy: "createtxg"})
	if err != nil {
		return nil, fmt.Errorf("list the snapshots of %s: %w", ds, err)
	}
	var out []string
	for _, d := range list {
		if fs, name, ok := strings.Cut(d.Name, "@"); ok && fs == ds {
			out = append(out, name)
		}
	}
	return out, nil
}

// newerBelow lists the snapshots of the file systems below ds that are
// newer (by createtxg) than their own snapshot base.
func newerBelow(w *World, ds, base string) []string {
	var out []string
	for _, fs := range w.Tree(ds) {
		b, ok := w.Datasets[fs+"@"+base]
		if fs == ds || !ok {
			continue
		}
		bt, _ := strconv.ParseUint(b.Props["createtxg"], 10, 64)
		for _, sn := range w.Snapshots(fs) {
			if t, err := strconv.ParseUint(sn.Props["createtxg"], 10, 64); err == nil && t > bt {
				out = append(out, sn.Name)
			}
		}
	}
	return out
}

// olderSnapshot reports whether snapshot a comes before b in order.
func olderSnapshot(order []string, a, b string) bool {
	ia, ib := slices.Index(order, a), slices.Index(order, b)
	return ia >= 0 && ib >= 0 && ia < ib
}

// A hashCounter hashes and counts what is written through it and keeps
// the first write error, which the runner's tee would otherwise hide.
type hashCounter struct {
	w   io.Writer
	h   hash.Hash
	n   int64
	err error
}

func (c *hashCounter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	if err != nil {
		c.err = err
	}
	return n, err
}

// An ImageExport is a step that writes a golden image: the send
// command's output into Tmp, then the manifest (with the stream's size
// and SHA-256, filled in as it is written), then Tmp renamed to File.
type ImageExport struct {
	File, Tmp string
	Send      illumos.Cmd
	Manifest  ImageManifest
}

// writeImage runs the send command into a temporary file next to the
// image file, appends the manifest and renames the result into place.
// The image keeps the temporary file's mode, 0600: it holds the zone's
// whole root, /etc/shadow with the copied users' hashes included.
func (h *Host) writeImage(ctx context.Context, e *ImageExport) (err error) {
	file, send, m := e.File, e.Send, &e.Manifest
	if err := checkImageTarget(file); err != nil {
		return err
	}
	tmp, err := os.OpenFile(e.Tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("export to %s: %w", file, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if _, err := bw.WriteString(imageMagic); err != nil {
		return fmt.Errorf("export to %s: %w", file, err)
	}
	hc := &hashCounter{w: bw, h: digest.New()}
	send.Stdout = hc
	if _, err := h.Runner.Run(ctx, send); err != nil {
		return fmt.Errorf("export to %s: %w", file, err)
	}
	if hc.err != nil {
		return fmt.Errorf("export to %s: %w", file, hc.err)
	}
	m.StreamSize, m.StreamSHA256 = hc.n, hex.EncodeToString(hc.h.Sum(nil))
	mb, err := jsonv.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("export to %s: %w", file, err)
	}
	bw.Write(mb)
	fmt.Fprintf(bw, imageTrailerFmt, len(mb))
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export to %s: %w", file, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("export to %s: %w", file, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("export to %s: %w", file, err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return fmt.Errorf("export to %s: %w", file, err)
	}
	return nil
}

// checkImageTarget refuses an export's path when something other than a
// regular file is there (a link, a directory, a device, a FIFO): the
// rename that puts the image in place would replace it. A regular file
// (an older image) is replaced.
func checkImageTarget(file string) error {
	fi, err := os.Lstat(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("export to %s: %w", file, err)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("export to %s: it is %s, not a regular file: remove it or export to another path", file, textio.FileKind(fi.Mode()))
	}
	return nil
}

// ImportGIZ makes a golden zone from an image file: the stream's
// checksum is verified first; a full image is received into the GIZ
// container under the spec's name, configured from the manifest with its
// new zonepath and attached; an incremental image is received onto the
// zone holding its exact base snapshot. A zone that already holds the
// image is left alone.
func (h *Host) ImportGIZ(ctx context.Context, spec GIZSpec) (*Outcome, error) {
	if err := illumos.ValidZoneName(spec.Name); err != nil {
		return nil, optErr(FieldName, "%w", err)
	}
	if spec.State != "present" {
		return nil, optErr(FieldImage, "an image is imported with state=present (or exported with state=exported), not state=%s", spec.State)
	}
	img, err := OpenImage(spec.Image)
	if err != nil {
		return nil, err
	}
	if err := img.Verify(); err != nil {
		return nil, err
	}
	if err := h.validateImage(img); err != nil {
		return nil, err
	}
	return h.operate(ctx, &importOp{h: h, spec: spec, img: img})
}

// An importOp is one run of ImportGIZ, with the image checked.
type importOp struct {
	h    *Host
	spec GIZSpec
	img  *Image
}

func (o *importOp) journal() string { return "giz-import" }

func (o *importOp) lock(ctx context.Context, ls *lockSet) error {
	if _, err := ls.zone(ctx, o.spec.Name); err != nil {
		return err
	}
	return o.h.pendingWork(o.spec.Name, false)
}

// plan plans a full image's zone, or an incremental image's receive onto
// the zone holding its base; a zone that holds the image is left alone.
func (o *importOp) plan(ctx context.Context, _ *lockSet, plan *Plan, out *Outcome) error {
	h, spec, img := o.h, &o.spec, o.img
	m := img.Manifest
	w, err := h.Observe(ctx, h.containers()...)
	if err != nil {
		return err
	}
	plan.Zone, out.Zone = spec.Name, spec.Name
	out.set("name", spec.Name)
	out.set("image", spec.Image)
	out.set("image_sha256", m.StreamSHA256)
	out.set("snapshot", m.Snapshot)
	z := w.Zones[spec.Name]
	if z == nil {
		if m.Base != "" {
			return fmt.Errorf("image %s is incremental from %s@%s: it applies only onto a zone holding that snapshot, and zone %s does not exist; import the full image first", spec.Image, m.Zone, m.Base, spec.Name)
		}
		return h.planFullImport(ctx, w, spec, img, plan, out)
	}
	if err := checkOurs(z, "giz"); err != nil {
		return err
	}
	if z.Attr(AttrImageSHA256) == m.StreamSHA256 {
		out.Msg = fmt.Sprintf("zone %s already holds image %s", z.Name, filepath.Base(spec.Image))
		out.set("state", z.State)
		return nil
	}
	if ds, ok := w.ZoneDataset(z); ok && w.Exists(ds+"@"+m.Snapshot) {
		if guid, err := h.snapshotGUID(ctx, ds+"@"+m.Snapshot); err == nil && guid == m.SnapshotGUID {
			if m.Base != "" && z.Attr(AttrSnapshot) == m.Base {
				// The stream was received onto the base, and the run
				// ended before it recorded the image: finished now.
				return h.finishIncrementalImport(ctx, w, z, ds, img, plan, out)
			}
			out.Msg = fmt.Sprintf("zone %s already holds snapshot %s of image %s", z.Name, m.Snapshot, filepath.Base(spec.Image))
			out.set("state", z.State)
			return nil
		}
	}
	if m.Base == "" {
		return fmt.Errorf("zone %s exists and was not made from image %s (a full image of %s@%s): import it under another name, or destroy %s first", z.Name, spec.Image, m.Zone, m.Snapshot, z.Name)
	}
	return h.planIncrementalImport(ctx, w, z, img, plan, out)
}

// done says, when the attach failed, how to import the image anyway.
func (o *importOp) done(_ context.Context, _ *Plan, out *Outcome, _ ending, err error) (*Outcome, error) {
	var ae *ApplyError
	if errors.As(err, &ae) && ae.Command != nil && slices.Contains(ae.Command.Argv, "attach") && !o.spec.AttachUpdate {
		// The ipkg brand's attach refuses a zone whose packages differ
		// from the global zone's unless -u (m_need_update), and on
		// OmniOS says so in its log file only (/var/tmp/ZONE.attach_log.*:
		// pkg5 src/brand/shared/log.ksh sends its messages there).
		why := "when its log says the zone's packages are out of sync with this global zone"
		if strings.Contains(ae.Stderr, "out of sync with the global zone") {
			why = "the image's packages are out of sync with this global zone"
		}
		err = optErr(FieldNone, "%w; %s: import it with %v, which updates them to the global zone's", err, why, Enable(FieldAttachUpdate))
	}
	return out, err
}

// validateImage checks what an import applies from an image's manifest
// as if the user had typed it on this host: an image comes from another
// host, and its checksum covers its stream, not its manifest. The zone
// name, the snapshots and the brand are names zonemgr accepts; the
// configuration holds only what zonemgr itself puts in a golden zone's
// (lofs mounts of clean absolute paths that exist here, resource
// controls and caps, plain attributes); a network, device, delegated
// dataset, admin, privilege set or other setting of the exporting host
// is refused, naming it. Every problem is reported at once, and nothing
// is changed.
func (h *Host) validateImage(img *Image) error {
	m := img.Manifest
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if err := illumos.ValidZoneName(m.Zone); err != nil {
		bad("zone: %v", err)
	}
	if m.Brand != "" && illumos.ValidZoneName(m.Brand) != nil {
		bad("brand %q is not a brand name", m.Brand)
	}
	for _, s := range append([]string{m.Snapshot, m.Base}, m.Snapshots...) {
		if s != "" && (strings.ContainsAny(s, "@/") || zfs.ValidSnapshotName("x@"+s) != nil) {
			bad("snapshot %q is not a snapshot name", s)
		}
	}
	if m.Snapshot == "" {
		bad("it names no snapshot")
	}
	if be := m.BootEnvironment; be != "" && (!strings.HasPrefix(be, "ROOT/") || strings.Count(be, "/") != 1 || zfs.ValidDatasetName("x/"+be) != nil) {
		bad("boot environment %q is not ROOT/NAME", be)
	}
	c, err := illumos.ParseZonecfgExport([]byte(m.Config))
	if err != nil {
		bad("its configuration: %v", err)
	} else {
		errs = append(errs, h.foreignSettings(c)...)
	}
	if len(errs) > 0 {
		return optErr(FieldNone, "image %s: its manifest is not applied on this host: %v; nothing was changed", img.Path, errs)
	}
	return nil
}

// foreignSettings lists what a golden zone's configuration from another
// host holds beyond what zonemgr puts in one.
func (h *Host) foreignSettings(c *illumos.ZoneConfig) []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if c.Brand != "" && illumos.ValidZoneName(c.Brand) != nil {
		bad("brand %q is not a brand name", c.Brand)
	}
	for _, f := range c.FS {
		m := LofsMount{Dir: f.Dir, Special: f.Special}
		switch {
		case f.Type != "lofs":
			bad("file system %s is of type %q: zonemgr mounts only lofs directories", f.Dir, f.Type)
		case f.Raw != "":
			bad("file system %s has a raw device %s", f.Dir, f.Raw)
		case m.validate() != nil:
			errs = append(errs, m.validate())
		default:
			for _, o := range f.Options {
				if o != "ro" && o != "rw" && o != "nodevices" {
					bad("file system %s has option %q (zonemgr sets only ro, rw, nodevices)", f.Dir, o)
				}
			}
			if _, err := os.Stat(h.path(f.Special)); err != nil {
				bad("file system %s mounts %s, which does not exist on this host", f.Dir, f.Special)
			}
		}
	}
	for _, n := range c.Nets {
		bad("a network (physical %s) of the exporting host", n.Physical)
	}
	for _, d := range c.Devices {
		bad("a device (match %s)", d.Match)
	}
	for _, d := range c.Datasets {
		bad("a delegated dataset (%s) of the exporting host", d.Name)
	}
	for _, a := range c.Admins {
		bad("an admin (user %s)", a.User)
	}
	for _, x := range []struct{ what, v string }{
		{"limitpriv", c.LimitPriv}, {"bootargs", c.Bootargs}, {"pool", c.Pool}, {"hostid", c.HostID},
		{"fs-allowed", c.FSAllowed}, {"scheduling-class", c.SchedulingClass},
	} {
		if x.v != "" {
			bad("%s=%s", x.what, x.v)
		}
	}
	if c.SecurityFlags != nil {
		bad("security-flags")
	}
	for _, r := range c.Rctls {
		if !isRctlName(r.Name) {
			bad("resource control %q is not a zone resource control", r.Name)
		}
		for _, v := range r.Values {
			if !isRctlWord(v.Priv) || !isRctlWord(v.Limit) || !isRctlWord(v.Action) {
				bad("resource control %s has a value that is not (priv=WORD,limit=NUMBER,action=WORD)", r.Name)
			}
		}
	}
	if c.CappedMemory != nil {
		for _, v := range []string{c.CappedMemory.Physical, c.CappedMemory.Swap, c.CappedMemory.Locked} {
			if v != "" {
				if err := ValidCappedMemory(v); err != nil {
					bad("capped-memory: %v", err)
				}
			}
		}
	}
	if c.CappedCPU != nil {
		if err := ValidCappedCPU(c.CappedCPU.NCPUs); err != nil {
			bad("capped-cpu: %v", err)
		}
	}
	if c.DedicatedCPU != nil && !isCPURange(c.DedicatedCPU.NCPUs) {
		bad("dedicated-cpu ncpus %q is not N or N-M", c.DedicatedCPU.NCPUs)
	}
	for _, a := range c.Attrs {
		if err := illumos.ValidAttrName(a.Name); err != nil {
			bad("attribute %q: %v", a.Name, err)
		} else if err := illumos.ValidAttrValue(a.Type, a.Value); err != nil {
			bad("attribute %s: %v", a.Name, err)
		}
	}
	return errs
}

// importedConfig is the manifest's configuration under its new name and
// zonepath, with zonemgr's attributes recording the image.
func (h *Host) importedConfig(spec *GIZSpec, img *Image, zonepath, run string) (*illumos.ZoneConfig, error) {
	m := img.Manifest
	c, err := illumos.ParseZonecfgExport([]byte(m.Config))
	if err != nil {
		return nil, fmt.Errorf("image %s: the manifest's configuration: %w", img.Path, err)
	}
	c.Name, c.Zonepath = spec.Name, zonepath
	if m.Brand != "" {
		c.Brand = m.Brand
	}
	if err := acceptImageMounts(img.Path, c, spec.Lofs); err != nil {
		return nil, err
	}
	if c.Autoboot {
		return nil, optErr(FieldImage, "image %s: its zone boots with the host (autoboot=true); a golden zone boots only to be refreshed, and zonemgr imports none that does: export it again with autoboot=false", img.Path)
	}
	setup, _ := c.Attr(AttrSetup)
	c.Attrs = slices.DeleteFunc(c.Attrs, func(a illumos.Attr) bool { return strings.HasPrefix(a.Name, "zonemgr.") })
	c.Attrs = append(c.Attrs,
		illumos.Attr{Name: AttrRole, Type: "string", Value: "giz"},
		illumos.Attr{Name: AttrRun, Type: "string", Value: run},
		illumos.Attr{Name: AttrOrigin, Type: "string", Value: "image:" + m.Zone + "@" + m.Snapshot},
		illumos.Attr{Name: AttrCreated, Type: "string", Value: Stamp(h.now())},
		illumos.Attr{Name: AttrSnapshot, Type: "string", Value: m.Snapshot},
		illumos.Attr{Name: AttrImage, Type: "string", Value: filepath.Base(img.Path)},
		illumos.Attr{Name: AttrImageSHA256, Type: "string", Value: m.StreamSHA256},
	)
	if setup != "" {
		c.Attrs = append(c.Attrs, illumos.Attr{Name: AttrSetup, Type: "string", Value: setup})
	}
	return c, nil
}

// acceptImageMounts refuses the lofs mounts of an image's configuration
// that the import does not name. An image is made by another host's
// administrator: a mount it brings puts a directory of this global zone
// in the zone (read-write, the global zone's /etc: its shadow file in
// the zone root's hands), so each is kept only when the import's
// mount_lofs names it with its directory, global-zone path and mode;
// one the import names that the image does not have is refused too.
func acceptImageMounts(path string, c *illumos.ZoneConfig, named []LofsMount) error {
	var bad []string
	found := make([]bool, len(named))
	for _, f := range c.FS {
		m := LofsMount{Dir: f.Dir, Special: f.Special, ReadOnly: slices.Contains(f.Options, "ro")}
		if i := slices.Index(named, m); i >= 0 {
			found[i] = true
			continue
		}
		mode := "rw"
		if m.ReadOnly {
			mode = "ro"
		}
		bad = append(bad, fmt.Sprintf("it mounts the global zone's %s on %s (%s): give %q to keep it", m.Special, m.Dir, mode, m.Dir+"|"+m.Special+"|"+mode))
	}
	for i, m := range named {
		if !found[i] {
			bad = append(bad, fmt.Sprintf("%q: the image mounts nothing so", m.Dir+"|"+m.Special))
		}
	}
	if len(bad) > 0 {
		return optErr(FieldLofs, "image %s: %s; an image's lofs mounts are kept only when the import names each, and with an image the option names nothing else", path, strings.Join(bad, "; "))
	}
	return nil
}

// receiveStep receives an image's stream, read from the file as zfs
// receive reads it (never held in memory whole), after the checks; the
// runner checks the stream's SHA-256 again on the way: a file changed
// since Verify fails the step, and its undo removes what was received.
func receiveStep(why string, img *Image, argv []string, undo *illumos.Cmd) Step {
	return Step{
		Why: why,
		Cmd: &illumos.Cmd{Argv: argv, StdinFile: &illumos.FileSection{
			Path: img.Path, Offset: streamOffset, Size: img.Manifest.StreamSize, SHA256: img.Manifest.StreamSHA256,
		}},
		Show: illumos.QuoteArgv(argv) + " < " + img.Path,
		Undo: undo,
	}
}

// A ReceivedTree is what an image's stream may make under the dataset
// it is received into: the zone's dataset, its ROOT and boot
// environments one level below ROOT, file systems all, mounted where a
// zone's are (the zone's dataset at its zonepath, the others legacy or
// below the zonepath), shared with no one, with the image's snapshot
// carrying the guid its manifest records. zfs receive -R keeps the
// properties a stream carries (illumos-gate libzfs_sendrecv.c
// zfs_receive_one(): the stream's props are set as received), and the
// checksum only proves the stream is the one the image was made with:
// an image made by hand could make any dataset, mount it anywhere in
// the global zone (mountpoint) or share it (sharenfs, sharesmb). The
// stream is received unmounted (-u) and checked; the zone's dataset is
// mounted only once it passes.
type ReceivedTree struct {
	Dataset  string `json:"dataset"`
	Zonepath string `json:"zonepath"`
	Snapshot string `json:"snapshot"`
	GUID     string `json:"guid"`
}

func (r *ReceivedTree) String() string {
	return fmt.Sprintf("check what the stream made under %s and the guid of %s@%s (one zfs list)", r.Dataset, r.Dataset, r.Snapshot)
}

// checkReceived checks a received tree (see ReceivedTree).
func (h *Host) checkReceived(ctx context.Context, r *ReceivedTree) error {
	list, err := zfs.List(ctx, h.Runner, zfs.ListOptions{Types: []string{"filesystem", "volume", "snapshot"}, Recursive: true,
		Props: []string{"type", "mountpoint", "sharenfs", "sharesmb", "guid"}, Names: []string{r.Dataset}})
	if err != nil {
		return fmt.Errorf("check the received %s: %w", r.Dataset, err)
	}
	var bad []string
	guid := ""
	for _, d := range list {
		typ, mnt := d.Props["type"], d.Props["mountpoint"]
		rel := strings.TrimPrefix(d.Name, r.Dataset)
		switch {
		case d.Name == r.Dataset+"@"+r.Snapshot:
			guid = d.Props["guid"]
			continue
		case typ == "snapshot":
			continue
		case typ != "filesystem":
			bad = append(bad, fmt.Sprintf("%s is a %s", d.Name, typ))
			continue
		case rel != "" && rel != "/ROOT" && !(strings.HasPrefix(rel, "/ROOT/") && !strings.Contains(rel[len("/ROOT/"):], "/")):
			bad = append(bad, fmt.Sprintf("%s is not a zone's dataset (the zone's, its ROOT, or a boot environment below ROOT)", d.Name))
			continue
		}
		switch {
		case rel == "" && mnt != r.Zonepath:
			bad = append(bad, fmt.Sprintf("%s has mountpoint %s, not the zonepath %s", d.Name, mnt, r.Zonepath))
		case rel != "" && mnt != "legacy" && mnt != "none" && mnt != r.Zonepath && !strings.HasPrefix(mnt, r.Zonepath+"/"):
			bad = append(bad, fmt.Sprintf("%s has mountpoint %s, outside the zonepath %s", d.Name, mnt, r.Zonepath))
		}
		if nfs, smb := d.Props["sharenfs"], d.Props["sharesmb"]; nfs != "off" || smb != "off" {
			bad = append(bad, fmt.Sprintf("%s is shared (sharenfs %s, sharesmb %s)", d.Name, nfs, smb))
		}
	}
	if guid != r.GUID {
		bad = append(bad, fmt.Sprintf("%s@%s has guid %s, not the %s the image's manifest records", r.Dataset, r.Snapshot, guid, r.GUID))
	}
	if len(bad) > 0 {
		return fmt.Errorf("the image's stream made what a golden zone's does not: %s", strings.Join(bad, "; "))
	}
	return nil
}

// holdSteps hold the zonemgr snapshots of a received golden zone, as
// snapSteps hold those taken on this host. Their undo releases a hold
// only while the snapshot exists and (for an incremental import, onto
// an existing zone) that zone is still the one zid names.
func holdSteps(zone, zid, ds string, snaps []string) []Step {
	var steps []Step
	for _, s := range snaps {
		steps = append(steps, Step{
			Why:   "hold " + s,
			Cmd:   &illumos.Cmd{Argv: []string{"zfs", "hold", "-r", HoldTag, ds + "@" + s}},
			Undo:  &illumos.Cmd{Argv: []string{"zfs", "release", "-r", HoldTag, ds + "@" + s}},
			Guard: &Guard{Dataset: ds + "@" + s, Zone: zone, ZoneRun: zid, Hold: HoldTag},
		})
	}
	return steps
}

// planFullImport plans a new golden zone from a full image.
func (h *Host) planFullImport(ctx context.Context, w *World, spec *GIZSpec, img *Image, plan *Plan, out *Outcome) error {
	m := img.Manifest
	csteps, err := h.containerSteps(ctx, w, h.Settings.GIZContainer, h.Settings.GIZCompression, h.Settings.GIZDedup, h.Settings.GIZMountpoint)
	if err != nil {
		return err
	}
	ds := h.Settings.GIZContainer + "/" + spec.Name
	if w.Exists(ds) {
		return fmt.Errorf("zone %s: dataset %s exists already (not a zone's): remove it or import under another name", spec.Name, ds)
	}
	zonepath := path.Join(containerMountpoint(w, h.Settings.GIZContainer, h.Settings.GIZMountpoint), spec.Name)
	if err := h.refuseLeftoverZonepath(w, zonepath, spec.Name); err != nil {
		return err
	}
	cfg, err := h.importedConfig(spec, img, zonepath, plan.Run)
	if err != nil {
		return err
	}
	script, err := illumos.CreateScript(cfg, "")
	if err != nil {
		return fmt.Errorf("configure %s: %w", spec.Name, err)
	}
	plan.Add(csteps...)
	// zfs receive, as run here, sets no run id on what it makes (the
	// simulated receive, sim/zfs/sendrecv.go, refuses -o, and no host's
	// zfs is assumed to take it): the received dataset is proved the
	// run's by the stream's snapshot, whose guid the receive
	// keeps and the manifest records, found on it and on every dataset
	// below it (Guard.Received); a dataset of that name made by anyone
	// else, or a child made under it since, fails that and is kept. It
	// is the run's while no zone uses it (the zone this run configures
	// excepted).
	recv := receiveStep("receive "+m.Zone+"@"+m.Snapshot, img, []string{"zfs", "receive", "-u", ds},
		&illumos.Cmd{Argv: []string{"zfs", "destroy", "-r", ds}})
	recv.Guard = &Guard{Dataset: ds, Unused: true, Received: m.Snapshot, ReceivedGUID: m.SnapshotGUID}
	plan.Add(recv)
	plan.Add(Step{Why: "check what the stream made", Received: &ReceivedTree{Dataset: ds, Zonepath: zonepath, Snapshot: m.Snapshot, GUID: m.SnapshotGUID}})
	plan.Add(Step{Why: "mount " + ds, Cmd: &illumos.Cmd{Argv: []string{"zfs", "mount", ds}}})
	plan.Add(zonecfgStep("configure the zone", spec.Name, script, plan.Run))
	// zoneadm attach without -a/-d/-r takes the dataset mounted on
	// <zonepath>/root for the zone's root, and fails when none is (the
	// ipkg brand's attach: f_no_active_ds_mounted). The received boot
	// environment is put as a detached zone leaves it (the brand's detach,
	// and attach's own trap_exit(): zoned=off, canmount=on, mountpoint
	// the zone root); setting a path mountpoint on a dataset whose
	// mountpoint was legacy mounts it (libzfs_changelist.c
	// changelist_postfix(): cl_waslegacy). attach then sets its zone
	// properties back (parentbe, active, canmount=noauto, zoned and
	// mountpoint inherited).
	bename := m.BootEnvironment
	if bename == "" {
		bename = "ROOT/zbe"
	}
	be := ds + "/" + bename
	for _, kv := range []string{"zoned=off", "canmount=on", "mountpoint=" + path.Join(zonepath, "root")} {
		plan.Add(Step{Why: "set " + kv + " on " + be + " for the attach", Cmd: &illumos.Cmd{Argv: []string{"zfs", "set", kv, be}}})
	}
	attach := []string{"attach"}
	if spec.AttachUpdate {
		attach = append(attach, "-u")
	}
	plan.Add(Step{Why: "attach the zone", Cmd: zoneadm(spec.Name, attach...), Undo: zoneadm(spec.Name, "detach"),
		Guard: &Guard{Zone: spec.Name, ZoneRun: plan.Run, States: []string{"installed"}}})
	plan.Add(holdSteps(spec.Name, plan.Run, ds, m.Snapshots)...)
	out.Before = "state: absent\n"
	out.After = cfg.Export() + "state: installed\n"
	out.set("zonepath", zonepath)
	out.set("dataset", ds)
	out.set("snapshots", m.Snapshots)
	out.set("state", "installed")
	out.set("created", true)
	return nil
}

// planIncrementalImport plans receiving an incremental image onto the
// zone holding its base snapshot: the zone must be halted and the base
// must be its newest snapshot, with the base's GUID. Each file system of
// the zone that has the base is rolled back to it first (zfs rollback
// without -r, which refuses when a newer snapshot is there), dropping
// what booting the golden zone changed since; the receive itself has no
// -F: with an incremental replication stream (zfs send -R -I), -F also
// destroys the receiving side's snapshots and file systems that the
// sending side no longer has (illumos-gate
// usr/src/lib/libzfs/common/libzfs_sendrecv.c
// recv_incremental_replication(): "check for delete", recv_destroy()),
// snapshots zonemgr never took among them.
func (h *Host) planIncrementalImport(ctx context.Context, w *World, z *Zone, img *Image, plan *Plan, out *Outcome) error {
	m := img.Manifest
	ds, ok := w.ZoneDataset(z)
	if !ok {
		return fmt.Errorf("zone %s: its dataset is not under %s", z.Name, h.Settings.GIZContainer)
	}
	refuse := func(why string) error {
		return fmt.Errorf("image %s is incremental from %s@%s (guid %s) and applies only onto that exact snapshot: zone %s %s; nothing was changed", img.Path, m.Zone, m.Base, m.BaseGUID, z.Name, why)
	}
	if w.Exists(ds + "@" + m.Snapshot) {
		guid, err := h.snapshotGUID(ctx, ds+"@"+m.Snapshot)
		if err != nil {
			return fmt.Errorf("zone %s: %w", z.Name, err)
		}
		if guid != m.SnapshotGUID {
			return fmt.Errorf("zone %s has a snapshot %s that is not the image's (guid %s, the image's is %s); nothing was changed", z.Name, m.Snapshot, guid, m.SnapshotGUID)
		}
		out.Msg = fmt.Sprintf("zone %s already holds snapshot %s", z.Name, m.Snapshot)
		out.set("state", z.State)
		return nil
	}
	if !w.Exists(ds + "@" + m.Base) {
		return refuse(fmt.Sprintf("has no snapshot %s (its snapshots: %s)", m.Base, strings.Join(snapshotNames(w, ds), ", ")))
	}
	guid, err := h.snapshotGUID(ctx, ds+"@"+m.Base)
	if err != nil {
		return fmt.Errorf("zone %s: %w", z.Name, err)
	}
	if guid != m.BaseGUID {
		return refuse(fmt.Sprintf("has a snapshot %s, but a different one (guid %s): it was not made from the same golden image", m.Base, guid))
	}
	order, err := h.snapshotOrder(ctx, ds)
	if err != nil {
		return err
	}
	if newest := order[len(order)-1]; newest != m.Base {
		return refuse(fmt.Sprintf("has newer snapshots than %s (newest: %s)", m.Base, newest))
	}
	// Each file system below is rolled back to the base too, which zfs
	// rollback refuses where a newer snapshot is (without -r): found
	// before anything is rolled back, not after the first rollbacks.
	if newer := newerBelow(w, ds, m.Base); len(newer) > 0 {
		return refuse(fmt.Sprintf("has snapshots newer than %s below it: %s", m.Base, strings.Join(newer, ", ")))
	}
	if z.InKernel() {
		return fmt.Errorf("zone %s is %s: halt it before importing an incremental image", z.Name, z.State)
	}
	for _, fs := range w.Tree(ds) {
		if w.Exists(fs + "@" + m.Base) {
			plan.Add(Step{Why: "roll " + fs + " back to " + m.Base, Cmd: &illumos.Cmd{Argv: []string{"zfs", "rollback", fs + "@" + m.Base}}})
		}
	}
	plan.Add(receiveStep("receive "+m.Zone+"@"+m.Snapshot+" onto "+m.Base, img, []string{"zfs", "receive", ds}, nil))
	// What the stream made is checked before the image is recorded; the
	// zone's datasets stay mounted, so a stream that fails the check is
	// reported, with nothing of it undone (a receive onto a base is not).
	// The image is recorded last: a run that ends before has the zone
	// still name its base, and the next import of the image finishes
	// the work (finishIncrementalImport).
	if err := recordImageSteps(z, ds, img, m.Snapshots, plan, out); err != nil {
		return err
	}
	out.set("snapshots", append(zonemgrSnapshots(w, ds), m.Snapshots...))
	return nil
}

// recordImageSteps plans the end of an incremental import: a check of
// what the stream made, the holds of the image's snapshots named, and
// the image recorded in the zone's configuration (its snapshot, file
// name and checksum), with the outcome's diff.
func recordImageSteps(z *Zone, ds string, img *Image, hold []string, plan *Plan, out *Outcome) error {
	m := img.Manifest
	want := z.Config.Clone()
	setAttr(want, AttrSnapshot, m.Snapshot)
	setAttr(want, AttrImage, filepath.Base(img.Path))
	setAttr(want, AttrImageSHA256, m.StreamSHA256)
	script, _, err := illumos.UpdateScript(z.Config, want)
	if err != nil {
		return fmt.Errorf("zone %s: %w", z.Name, err)
	}
	plan.Add(Step{Why: "check what the stream made", Received: &ReceivedTree{Dataset: ds, Zonepath: z.Zonepath, Snapshot: m.Snapshot, GUID: m.SnapshotGUID}})
	plan.Add(holdSteps(z.Name, zoneRun(z), ds, hold)...)
	if script != "" {
		plan.Add(zonecfgStep("record the image", z.Name, script, ""))
	}
	out.Before = describe(z)
	out.After = want.Export() + "state: " + z.State + "\n"
	out.set("zonepath", z.Zonepath)
	out.set("dataset", ds)
	out.set("state", z.State)
	return nil
}

// finishIncrementalImport finishes an incremental import whose stream
// was received onto the zone's base by a run that failed or was killed
// before it recorded the image (the receive has no undo): what the
// stream made is checked again, the image's snapshots that lack
// zonemgr's hold are held, and the image is recorded.
func (h *Host) finishIncrementalImport(ctx context.Context, w *World, z *Zone, ds string, img *Image, plan *Plan, out *Outcome) error {
	m := img.Manifest
	var names []string
	for _, s := range m.Snapshots {
		names = append(names, ds+"@"+s)
	}
	f := &facts{w: w}
	if err := h.learnHolds(ctx, f, names); err != nil {
		return fmt.Errorf("zone %s: %w", z.Name, err)
	}
	var unheld []string
	for _, s := range m.Snapshots {
		if w.Exists(ds+"@"+s) && !slices.Contains(f.holds[ds+"@"+s], HoldTag) {
			unheld = append(unheld, s)
		}
	}
	if err := recordImageSteps(z, ds, img, unheld, plan, out); err != nil {
		return err
	}
	out.set("snapshots", zonemgrSnapshots(w, ds))
	return nil
}

// setAttr sets a string attribute of a configuration, adding it if new.
func setAttr(c *illumos.ZoneConfig, name, value string) {
	for i, a := range c.Attrs {
		if a.Name == name {
			c.Attrs[i].Value = value
			return
		}
	}
	c.Attrs = append(c.Attrs, illumos.Attr{Name: name, Type: "string", Value: value})
}

// ImageName returns the zone name recorded in an image file's manifest,
// for front doors that import under the original name by default.
func ImageName(file string) (string, error) {
	img, err := OpenImage(file)
	if err != nil {
		return "", err
	}
	return img.Manifest.Zone, nil
}
