package zfs

import (
	"archive/tar"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The sim's send stream. A real ZFS stream is a sequence of DMU replay
// records; the sim's is a tar archive with the same information at file
// granularity, so that it is a real byte stream of a realistic size:
//
//	BEGIN.json          the stream header (streamHeader)
//	<k>/<path>          the files of record k: every file of a full
//	                    record, the new and changed ones of an
//	                    incremental record; regular files carry their
//	                    SHA-256 in the PAX record SIMZFS.sha256
//
// A stream whose first entry is not BEGIN.json is refused as having a bad
// magic number; a file whose bytes do not match their SHA-256 makes the
// receive fail as an invalid backup stream, before anything is changed.
const (
	streamBegin   = "BEGIN.json"
	streamVersion = 1
	paxSHA256     = "SIMZFS.sha256"
)

// A streamHeader describes a send stream: the dataset it was sent from
// and one record per snapshot, in the order they are received.
type streamHeader struct {
	Version   int            `json:"sim_stream"`
	SendFS    string         `json:"sendfs"`
	ToSnap    string         `json:"tosnap"`
	Replicate bool           `json:"replicate"`
	Records   []streamRecord `json:"records"`
}

// A streamRecord is one snapshot of one dataset: a full stream of it
// (FromGUID 0) or the changes from the snapshot with FromGUID.
type streamRecord struct {
	Rel      string            `json:"rel"` // dataset name relative to SendFS ("" for SendFS)
	Snap     string            `json:"snap"`
	GUID     uint64            `json:"guid"`
	FromGUID uint64            `json:"fromguid,omitempty"`
	Creation int64             `json:"creation"`
	Type     string            `json:"type"`
	Props    map[string]string `json:"props,omitempty"` // locally set properties (-R, -p)
	Removed  []string          `json:"removed,omitempty"`
}

// send is "zfs send [-DLPRcenpv] [-[iI] snapshot] <snapshot>".
func (c *zfsCmd) send(args []string) int {
	opts, rest, gerr := getopt(args, ":i:I:DLPRcenpv")
	if gerr != nil {
		return c.optError(gerr)
	}
	var from string
	replicate, props, intermediate := false, false, false
	for _, o := range opts {
		switch o.c {
		case 'i':
			from = o.arg
		case 'I':
			from, intermediate = o.arg, true
		case 'R':
			replicate = true
		case 'p':
			props = true
		case 'n', 'v', 'P':
			c.inv.Errf("zfs send -%c: not supported by the illumos simulator", o.c)
			return 2
		}
	}
	switch {
	case len(rest) == 0:
		c.inv.Errf("missing snapshot argument")
		return c.usage()
	case len(rest) > 1:
		c.inv.Errf("too many arguments")
		return c.usage()
	}
	if isTerminal(c.inv.Stdout) {
		c.inv.Errf("Error: Stream can not be written to a terminal.\nYou must redirect standard output.")
		return 1
	}
	return c.withState(false, func(s *State) int {
		h, files, warnings, err := s.planSend(rest[0], from, intermediate, replicate, props)
		if err != nil {
			return c.fail(err)
		}
		w := bufio.NewWriterSize(c.inv.Stdout, 1<<16)
		if err := s.writeStream(w, h, files); err != nil {
			c.inv.Errf("warning: cannot send '%s': %v", rest[0], err)
			return 1
		}
		if err := w.Flush(); err != nil {
			c.inv.Errf("warning: cannot send '%s': %v", rest[0], err)
			return 1
		}
		for _, m := range warnings {
			c.inv.Errf("%s", m)
		}
		if len(warnings) > 0 {
			return 1
		}
		return 0
	})
}

// isTerminal reports whether a stream is a character device (a tty).
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&fs.ModeCharDevice != 0
}

// A sendRecord is a stream record with where its snapshots' contents are.
type sendRecord struct {
	from, to *dataset
}

// planSend computes the records of "zfs send" of tosnap: a single snapshot
// (full or from "from"), or with replicate every filesystem below tosnap's
// filesystem that has the snapshot (a warning for each that has not),
// each with its snapshots up to tosnap (from "from" when given).
// intermediate sends every snapshot between from and tosnap (-I) instead
// of the difference alone (-i).
func (s *State) planSend(tosnap, from string, intermediate, replicate, props bool) (h *streamHeader, recs []sendRecord, warnings []string, err error) {
	to := s.get(tosnap)
	if to == nil || to.Type != typeSnapshot {
		if r := validateName(tosnap, true); r != "" && isSnapshotName(tosnap) {
			return nil, nil, nil, errf("cannot open '%s': %s", tosnap, r)
		}
		return nil, nil, nil, errNotExist(tosnap)
	}
	top, snapName := datasetPart(tosnap), snapPart(tosnap)
	fromName := ""
	if from != "" {
		switch {
		case strings.HasPrefix(from, "@"):
			fromName = from[1:]
		case isSnapshotName(from):
			if datasetPart(from) != top {
				// [derived] zfs_main.c refuses an incremental source of
				// another filesystem with this text.
				return nil, nil, nil, errf("incremental source must be in same filesystem")
			}
			fromName = snapPart(from)
		default:
			fromName = from
		}
		base := s.get(top + "@" + fromName)
		if base == nil {
			return nil, nil, nil, errNotExist(top + "@" + fromName)
		}
		if base.CreateTxg >= to.CreateTxg {
			// [derived] libzfs_sendrecv.c dump_ioctl(), EXDEV.
			return nil, nil, nil, errf("warning: cannot send '%s': not an earlier snapshot from the same fs", tosnap)
		}
	}
	names := []string{top}
	if replicate {
		for _, n := range s.descendants(top) {
			switch {
			case isSnapshotName(n):
			case s.Exists(n + "@" + snapName):
				names = append(names, n)
			default:
				// libzfs_sendrecv.c dump_filesystem(): a file system
				// below without the snapshot is left out of the stream
				// with "WARNING: could not send %s@%s: does not
				// exist", and the send fails (sdd->err) once the rest
				// is written.
				warnings = append(warnings, fmt.Sprintf("WARNING: could not send %s@%s: does not exist", n, snapName))
			}
		}
	}
	h = &streamHeader{Version: streamVersion, SendFS: top, ToSnap: snapName, Replicate: replicate}
	for _, n := range names {
		rel := strings.TrimPrefix(strings.TrimPrefix(n, top), "/")
		last := s.get(n + "@" + snapName)
		var base *dataset
		if fromName != "" {
			base = s.get(n + "@" + fromName)
		}
		var chain []*dataset
		for _, sn := range s.Snapshots(n) {
			d := s.get(sn)
			if d.CreateTxg > last.CreateTxg || (base != nil && d.CreateTxg <= base.CreateTxg) {
				continue
			}
			chain = append(chain, d)
		}
		if !replicate && !intermediate {
			chain = []*dataset{last}
		}
		if replicate && base != nil && !intermediate {
			chain = []*dataset{last}
		}
		prev := base
		for i, d := range chain {
			r := streamRecord{Rel: rel, Snap: snapPart(d.Name), GUID: d.GUID, Creation: d.Creation, Type: s.get(n).Type}
			if prev != nil {
				r.FromGUID = prev.GUID
			}
			if i == 0 && (replicate || props) {
				r.Props = map[string]string{}
				for k, v := range s.get(n).Props {
					r.Props[k] = v
				}
			}
			h.Records = append(h.Records, r)
			recs = append(recs, sendRecord{from: prev, to: d})
			prev = d
		}
	}
	return h, recs, warnings, nil
}

// writeStream writes the stream: the header, then each record's files.
func (s *State) writeStream(w io.Writer, h *streamHeader, recs []sendRecord) error {
	tw := tar.NewWriter(w)
	for i := range recs {
		if recs[i].from != nil {
			h.Records[i].Removed = s.removedBetween(recs[i].from, recs[i].to)
		}
	}
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: streamBegin, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := tw.Write(b); err != nil {
		return err
	}
	for i, r := range recs {
		if err := s.writeRecordFiles(tw, i, r); err != nil {
			return err
		}
	}
	return tw.Close()
}

// snapScan lists a snapshot's files (nil for one without data).
func (s *State) snapScan(d *dataset) *scan {
	if d == nil || d.NoData {
		return nil
	}
	return s.scanDir(s.snapDir(d), nil)
}

// removedBetween lists the paths of from that to no longer has, without
// the ones below a removed directory.
func (s *State) removedBetween(from, to *dataset) []string {
	a, b := s.snapScan(from), s.snapScan(to)
	if a == nil || b == nil {
		return nil
	}
	var out []string
	for _, p := range sortedNames(a.files) {
		if _, ok := b.files[p]; ok {
			continue
		}
		if n := len(out); n > 0 && strings.HasPrefix(p, out[n-1]+"/") {
			continue
		}
		out = append(out, p)
	}
	return out
}

// writeRecordFiles writes the files of record k: all of them for a full
// record, the new and changed ones for an incremental one.
func (s *State) writeRecordFiles(tw *tar.Writer, k int, r sendRecord) error {
	cur := s.snapScan(r.to)
	if cur == nil {
		return nil
	}
	prev := s.snapScan(r.from)
	dir := s.snapDir(r.to)
	for _, p := range sortedNames(cur.files) {
		if prev != nil {
			if old, ok := prev.files[p]; ok && old == cur.files[p] {
				continue
			}
		}
		if err := writeTarEntry(tw, filepath.Join(dir, p), strconv.Itoa(k)+"/"+p); err != nil {
			return err
		}
	}
	return nil
}

// writeTarEntry writes one file, directory, symlink or device node.
func writeTarEntry(tw *tar.Writer, src, name string) error {
	fi, err := os.Lstat(src)
	if err != nil {
		return err
	}
	link := ""
	if fi.Mode()&fs.ModeSymlink != 0 {
		if link, err = os.Readlink(src); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return err
	}
	hdr.Name = name
	hdr.Uname, hdr.Gname = "", ""
	hdr.Format = tar.FormatPAX
	if !fi.Mode().IsRegular() {
		return tw.WriteHeader(hdr)
	}
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	sum := sha256.New()
	if _, err := io.Copy(sum, f); err != nil {
		return err
	}
	hdr.PAXRecords = map[string]string{paxSHA256: hex.EncodeToString(sum.Sum(nil))}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}

// A staged stream is a received stream unpacked into a staging directory
// (one subdirectory per record), checked before anything changes.
type staged struct {
	dir    string
	header streamHeader
}

// errBadMagic and errBadStream are how a damaged stream is refused.
var (
	errBadMagic  = errors.New("invalid stream (bad magic number)")
	errBadStream = errors.New("invalid backup stream")
	errNoStream  = errors.New("failed to read from stream")
)

// stageStream reads a whole stream into dir, verifying every file's
// checksum.
func stageStream(r io.Reader, dir string) (*staged, error) {
	tr := tar.NewReader(r)
	hdr, err := tr.Next()
	if errors.Is(err, io.EOF) {
		return nil, errNoStream
	}
	if err != nil || hdr.Name != streamBegin {
		return nil, errBadMagic
	}
	st := &staged{dir: dir}
	if err := json.NewDecoder(tr).Decode(&st.header); err != nil || st.header.Version != streamVersion {
		return nil, errBadMagic
	}
	for k := range st.header.Records {
		if err := os.MkdirAll(filepath.Join(dir, strconv.Itoa(k)), 0o755); err != nil {
			return nil, err
		}
	}
	times := map[string]time.Time{}
	defer setTimes(times)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, errBadStream
		}
		k, rel, ok := strings.Cut(hdr.Name, "/")
		n, aerr := strconv.Atoi(k)
		clean := filepath.Clean("/" + rel)
		if !ok || aerr != nil || n < 0 || n >= len(st.header.Records) || clean == "/" || clean != "/"+rel {
			return nil, errBadStream
		}
		dst := filepath.Join(dir, k, rel)
		if err := extractEntry(tr, hdr, dst); err != nil {
			return nil, err
		}
		if hdr.Typeflag != tar.TypeSymlink {
			times[dst] = hdr.ModTime
		}
	}
	return st, nil
}

// extractEntry creates one staged entry with its mode, owner and time.
func extractEntry(tr *tar.Reader, hdr *tar.Header, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	mode := fs.FileMode(hdr.Mode) & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
	if hdr.Mode&0o4000 != 0 {
		mode |= fs.ModeSetuid
	}
	if hdr.Mode&0o2000 != 0 {
		mode |= fs.ModeSetgid
	}
	if hdr.Mode&0o1000 != 0 {
		mode |= fs.ModeSticky
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return err
		}
	case tar.TypeSymlink:
		if err := os.Symlink(hdr.Linkname, dst); err != nil {
			return err
		}
		if err := os.Lchown(dst, hdr.Uid, hdr.Gid); err != nil && !errors.Is(err, fs.ErrPermission) {
			return err
		}
		return nil
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		kind := uint32(syscall.S_IFCHR)
		switch hdr.Typeflag {
		case tar.TypeBlock:
			kind = syscall.S_IFBLK
		case tar.TypeFifo:
			kind = syscall.S_IFIFO
		}
		dev := int(hdr.Devmajor<<8 | hdr.Devminor&0xff | (hdr.Devminor&^0xff)<<12)
		if err := syscall.Mknod(dst, kind|uint32(hdr.Mode&0o7777), dev); err != nil {
			return err
		}
	case tar.TypeReg:
		f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		sum := sha256.New()
		_, err = io.Copy(io.MultiWriter(f, sum), tr)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return errBadStream
		}
		if hex.EncodeToString(sum.Sum(nil)) != hdr.PAXRecords[paxSHA256] {
			return errBadStream
		}
	default:
		return errBadStream
	}
	if err := os.Chmod(dst, mode); err != nil {
		return err
	}
	if err := os.Lchown(dst, hdr.Uid, hdr.Gid); err != nil && !errors.Is(err, fs.ErrPermission) {
		return err
	}
	return nil
}

// setTimes gives every staged entry of a record its stream time, after
// all of them exist (creating an entry changes its directory's time).
func setTimes(tr map[string]time.Time) {
	for p, t := range tr {
		os.Chtimes(p, time.Time{}, t)
	}
}

// receive is "zfs receive [-Fnuv] [-d | -e] <filesystem|snapshot>".
func (c *zfsCmd) receive(args []string) int {
	opts, rest, gerr := getopt(args, ":o:A:Fdenuvs")
	if gerr != nil {
		return c.optError(gerr)
	}
	var f recvFlags
	for _, o := range opts {
		switch o.c {
		case 'F':
			f.force = true
		case 'd':
			f.prefix = true
		case 'e':
			f.tail = true
		case 'u':
			f.nomount = true
		case 'v':
			f.verbose = true
		case 'n', 's', 'o', 'A':
			c.inv.Errf("zfs receive -%c: not supported by the illumos simulator", o.c)
			return 2
		}
	}
	switch {
	case len(rest) == 0:
		c.inv.Errf("missing snapshot argument")
		return c.usage()
	case len(rest) > 1:
		c.inv.Errf("too many arguments")
		return c.usage()
	case f.prefix && f.tail:
		c.inv.Errf("invalid option combination: -d and -e are mutually exclusive")
		return c.usage()
	}
	if isTerminal(c.inv.Stdin) {
		c.inv.Errf("Error: Backup stream can not be read from a terminal.\nYou must redirect standard input.")
		return 1
	}
	dir, err := os.MkdirTemp(c.inv.SimPath("zfs"), "recv-")
	if err != nil {
		if err := os.MkdirAll(c.inv.SimPath("zfs"), 0o755); err == nil {
			dir, err = os.MkdirTemp(c.inv.SimPath("zfs"), "recv-")
		}
		if err != nil {
			c.inv.Errf("zfs: %v", err)
			return 1
		}
	}
	defer os.RemoveAll(dir)
	st, err := stageStream(c.inv.Stdin, dir)
	if err != nil {
		switch {
		case errors.Is(err, errBadMagic), errors.Is(err, errNoStream):
			c.inv.Errf("cannot receive: %v", err)
		default:
			c.inv.Errf("cannot receive new filesystem stream: %v", errBadStream)
		}
		return 1
	}
	started := time.Now()
	return c.withState(true, func(s *State) int {
		n, err := s.receiveStaged(st, rest[0], f, c.inv.Stdout)
		if err != nil {
			return c.fail(err)
		}
		if f.verbose {
			secs := int64(time.Since(started).Seconds())
			rate := n
			if secs > 0 {
				rate = n / secs
			}
			c.inv.Outf("received %sB stream in %d seconds (%sB/sec)\n", nicenum(uint64(n)), secs, nicenum(uint64(rate)))
		}
		return 0
	})
}

// recvFlags are zfs receive's options.
type recvFlags struct {
	force, prefix, tail, nomount, verbose bool
}

// receiveStaged applies a staged stream under target and returns the
// number of bytes of file data it received.
func (s *State) receiveStaged(st *staged, target string, f recvFlags, out io.Writer) (int64, error) {
	h := st.header
	base := target
	if isSnapshotName(target) {
		if h.Replicate {
			return 0, errf("cannot receive: cannot specify snapshot name for multi-snapshot stream")
		}
		if f.prefix || f.tail {
			flag := "d"
			if f.tail {
				flag = "e"
			}
			return 0, errf("cannot receive: invalid argument - snapshot not allowed with -%s", flag)
		}
		base = datasetPart(target)
	}
	switch {
	case f.prefix:
		if _, rest, ok := strings.Cut(h.SendFS, "/"); ok {
			base += "/" + rest
		}
	case f.tail:
		base += "/" + h.SendFS[strings.LastIndex(h.SendFS, "/")+1:]
	}
	if r := validateName(base, false); r != "" {
		return 0, errf("cannot receive: %s", r)
	}
	var total int64
	var mount []*dataset
	for k, r := range h.Records {
		fsName := base
		if r.Rel != "" {
			fsName += "/" + r.Rel
		}
		snapName := r.Snap
		if isSnapshotName(target) {
			snapName = snapPart(target)
		}
		src := filepath.Join(st.dir, strconv.Itoa(k))
		kind := "full"
		if r.FromGUID != 0 {
			kind = "incremental"
		}
		if f.verbose {
			fmt.Fprintf(out, "receiving %s stream of %s@%s into %s@%s\n", kind, joinRel(h.SendFS, r.Rel), r.Snap, fsName, snapName)
		}
		var d *dataset
		var err error
		if r.FromGUID == 0 {
			d, err = s.receiveFull(fsName, r, f, src)
			if d != nil && !f.nomount {
				mount = append(mount, d)
			}
		} else {
			d, err = s.receiveIncremental(fsName, snapName, r, f, src)
		}
		if err != nil {
			return total, err
		}
		if d == nil {
			continue
		}
		s.scans = map[string]*scan{}
		snap := s.newDataset(fsName+"@"+snapName, typeSnapshot, s.nextTxg(), r.Creation)
		snap.GUID = r.GUID
		snap.Store = rand.Uint64()
		if err := s.copyOut(d, snap); err != nil {
			s.dropData(snap)
			delete(s.t.Datasets, snap.Name)
			s.snapIdx = nil
			return total, fmt.Errorf("cannot receive %s stream: %w", kind, err)
		}
		total += dirBytes(src)
	}
	for _, d := range mount {
		if err := s.autoMount(d, ""); err != nil {
			return total, err
		}
	}
	return total, nil
}

// joinRel names a dataset of the sending side.
func joinRel(top, rel string) string {
	if rel == "" {
		return top
	}
	return top + "/" + rel
}

// dirBytes is the size of the regular files below dir.
func dirBytes(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			if fi, err := e.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// receiveFull creates fsName from a full record (its snapshot is taken by
// the caller). An existing fsName is replaced only with -F and only when
// it has no snapshots.
func (s *State) receiveFull(fsName string, r streamRecord, f recvFlags, src string) (*dataset, error) {
	const action = "cannot receive new filesystem stream"
	if old := s.get(fsName); old != nil {
		if !f.force {
			return nil, errf("%s: destination '%s' exists\nmust specify -F to overwrite it", action, fsName)
		}
		if snaps := s.Snapshots(fsName); len(snaps) > 0 {
			return nil, errf("%s: destination has snapshots (eg. %s)\nmust destroy them to overwrite it", action, snaps[0])
		}
		if old.Origin != "" {
			return nil, errf("%s: destination '%s' is a clone\nmust destroy it to overwrite it", action, fsName)
		}
		if err := s.Destroy(fsName, false, false); err != nil {
			return nil, err
		}
	}
	if !strings.Contains(fsName, "/") {
		return nil, errf("%s: destination '%s' does not exist", action, fsName)
	}
	if f.prefix && s.poolExists(poolOf(fsName)) {
		if err := s.createAncestors(fsName); err != nil {
			return nil, err
		}
	}
	if !s.poolExists(poolOf(fsName)) || s.get(parentOf(fsName)) == nil {
		// [derived] the receive ioctl fails with ENOENT on a missing
		// parent, which libzfs prints with its generic text.
		return nil, errf("%s: dataset does not exist", action)
	}
	if s.denied {
		return nil, errf("%s: permission denied", action)
	}
	props, err := validateProps(r.Props, r.Type, action, true)
	if err != nil {
		return nil, err
	}
	d := s.newDataset(fsName, r.Type, s.nextTxg(), r.Creation)
	for k, v := range props {
		d.Props[k] = v
	}
	if r.Type != typeFilesystem {
		return d, nil
	}
	if err := applyStaged(src, s.storeDir(d), nil); err != nil {
		s.dropData(d)
		delete(s.t.Datasets, fsName)
		s.snapIdx = nil
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	return d, nil
}

// receiveIncremental applies an incremental record to fsName, whose most
// recent snapshot must be the record's source (-F first rolls back to the
// source and drops changes made since).
func (s *State) receiveIncremental(fsName, snapName string, r streamRecord, f recvFlags, src string) (*dataset, error) {
	const action = "cannot receive incremental stream"
	d := s.get(fsName)
	if d == nil || d.Type == typeSnapshot {
		return nil, errf("%s: destination '%s' does not exist", action, fsName)
	}
	snaps := s.Snapshots(fsName)
	if x := s.get(fsName + "@" + snapName); x != nil {
		if x.GUID == r.GUID {
			return nil, nil // received before: libzfs ignores it
		}
		return nil, errf("cannot restore to %s@%s: destination already exists", fsName, snapName)
	}
	var latest, base *dataset
	if len(snaps) > 0 {
		latest = s.get(snaps[len(snaps)-1])
	}
	for _, sn := range snaps {
		if x := s.get(sn); x.GUID == r.FromGUID {
			base = x
		}
	}
	if base == nil || (base != latest && !f.force) {
		return nil, errf("%s: most recent snapshot of %s does not\nmatch incremental source", action, fsName)
	}
	if s.denied {
		return nil, errf("%s: permission denied", action)
	}
	if base != latest {
		if err := s.Rollback(base.Name, true, false); err != nil {
			return nil, err
		}
	}
	modified := s.written(d) > 0
	if modified && !f.force {
		return nil, errf("%s: destination %s has been modified\nsince most recent snapshot", action, fsName)
	}
	if modified {
		if err := s.restore(d, base); err != nil {
			return nil, fmt.Errorf("%s: %w", action, err)
		}
	}
	dir, _ := s.location(d)
	if dir == "" {
		return d, nil
	}
	if err := applyStaged(src, dir, r.Removed); err != nil {
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	return d, nil
}

// applyStaged removes the removed paths from dst and copies a record's
// staged entries over it, replacing what is there.
func applyStaged(src, dst string, removed []string) error {
	for _, p := range removed {
		if err := os.RemoveAll(filepath.Join(dst, filepath.Clean("/"+p))); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	times := map[string]time.Time{}
	var paths []string
	err := filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil || p == src {
			return err
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(paths)
	for _, p := range paths {
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		if fi.IsDir() {
			if tfi, err := os.Lstat(target); err == nil && !tfi.IsDir() {
				os.RemoveAll(target)
			}
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			if err := copyAttrs(p, target); err != nil {
				return err
			}
		} else {
			if _, err := os.Lstat(target); err == nil {
				if err := os.RemoveAll(target); err != nil {
					return err
				}
			}
			if err := copyEntry(p, target, nil); err != nil {
				return err
			}
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			times[target] = fi.ModTime()
		}
	}
	setTimes(times)
	return nil
}
