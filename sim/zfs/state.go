package zfs

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
)

// Dataset types, as the "type" property prints them.
const (
	typeFilesystem = "filesystem"
	typeVolume     = "volume"
	typeSnapshot   = "snapshot"
)

// A dataset is one row of the dataset table: a filesystem, volume or
// snapshot. Its contents live in exactly one place at a time: a mounted
// filesystem's at Path(MountPath), an unmounted one's in its store
// directory, a snapshot's in its snapshot directory (see dataDir).
type dataset struct {
	Name      string            `json:"name"`
	Type      string            `json:"type"`
	GUID      uint64            `json:"guid"`
	CreateTxg uint64            `json:"createtxg"`
	Creation  int64             `json:"creation"`
	Props     map[string]string `json:"props,omitempty"` // locally set values
	Origin    string            `json:"origin,omitempty"`
	// MountPath is the global-zone path a mounted filesystem is mounted
	// on; "" when not mounted.
	MountPath string `json:"mountpath,omitempty"`
	// NoData marks the global zone's own boot environment: its contents
	// are the whole simulated global zone, which the sim never copies, so
	// its snapshots and rollbacks carry no data.
	NoData bool `json:"nodata,omitempty"`
	// Defer marks a snapshot whose destruction (zfs destroy -d) waits
	// for its last clone and its last user hold to go.
	Defer bool `json:"defer,omitempty"`
	// Holds maps each user-hold tag of a snapshot (zfs hold) to the Unix
	// time it was taken; a held snapshot cannot be destroyed.
	Holds map[string]int64 `json:"holds,omitempty"`
	// Refer caches a snapshot's referenced bytes (snapshots never change);
	// 0 means not computed yet.
	Refer int64 `json:"refer,omitempty"`
	// Store names the dataset's content directories when its GUID cannot:
	// a received snapshot keeps its sender's GUID, which another receive
	// of the same stream into this pool also gives its copy. 0: the GUID.
	Store uint64 `json:"store,omitempty"`
}

// storeKey is the number a dataset's content directories are named by.
func (d *dataset) storeKey() uint64 {
	if d.Store != 0 {
		return d.Store
	}
	return d.GUID
}

// table is the persistent form of the dataset table.
type table struct {
	Txg      uint64              `json:"txg"`
	Datasets map[string]*dataset `json:"datasets"`
}

// A State is the dataset table of one sim root, loaded into memory. Every
// method that changes it changes the real directories at once and marks
// the table for Save. Callers hold the sim's state lock (core.LockState)
// from Open until after Save.
type State struct {
	root  string
	t     table
	scans map[string]*scan // memoized content scans of this process
	// denied makes every change fail with "permission denied" after its
	// other checks, as the kernel refuses an unprivileged caller.
	denied bool
	// snapIdx maps each filesystem to its snapshots in creation order,
	// built on first use and dropped whenever a dataset is added or
	// removed, so that listing many snapshots is not quadratic.
	snapIdx map[string][]string
}

// Deny makes every later change through this State fail with
// "<action>: permission denied" once its other checks pass, the way the
// kernel answers a caller without privilege. The simulated zfs command
// uses it for callers rbac does not grant /sbin/zfs.
func (s *State) Deny() { s.denied = true }

// tablePath is where the dataset table lives under the root.
func tablePath(root string) string {
	return filepath.Join(root, core.SimDir, "zfs", "datasets.json")
}

// Open loads the dataset table of the sim root. A root without a table
// has no pools.
func Open(root string) (*State, error) {
	s := &State{root: root, t: table{Datasets: map[string]*dataset{}}, scans: map[string]*scan{}}
	b, err := os.ReadFile(tablePath(root))
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load dataset table: %w", err)
	}
	if err := json.Unmarshal(b, &s.t); err != nil {
		return nil, fmt.Errorf("load dataset table %s: %w", tablePath(root), err)
	}
	if s.t.Datasets == nil {
		s.t.Datasets = map[string]*dataset{}
	}
	for _, d := range s.t.Datasets {
		if d.Props == nil {
			d.Props = map[string]string{}
		}
	}
	return s, nil
}

// Save writes the dataset table back atomically.
func (s *State) Save() error {
	b, err := json.MarshalIndent(&s.t, "", " ")
	if err != nil {
		return fmt.Errorf("save dataset table: %w", err)
	}
	if err := core.WriteFileAtomic(tablePath(s.root), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("save dataset table: %w", err)
	}
	return nil
}

// Exists reports whether a filesystem, volume or snapshot exists.
func (s *State) Exists(name string) bool {
	_, ok := s.t.Datasets[name]
	return ok
}

// get returns a dataset or nil.
func (s *State) get(name string) *dataset { return s.t.Datasets[name] }

// poolExists reports whether a pool of that name exists.
func (s *State) poolExists(pool string) bool {
	d := s.get(pool)
	return d != nil && d.Type == typeFilesystem
}

// pools returns the pool names, sorted.
func (s *State) pools() []string {
	var out []string
	for name := range s.t.Datasets {
		if !strings.ContainsAny(name, "/@") {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Children returns the direct child filesystems and volumes of name,
// sorted by name.
func (s *State) Children(name string) []string {
	var out []string
	for n, d := range s.t.Datasets {
		if d.Type != typeSnapshot && parentOf(n) == name {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Snapshots returns the snapshots ("ds@snap") of the dataset name itself,
// in creation order.
func (s *State) Snapshots(name string) []string {
	if s.snapIdx == nil {
		byFS := map[string][]*dataset{}
		for n, d := range s.t.Datasets {
			if d.Type == typeSnapshot {
				byFS[datasetPart(n)] = append(byFS[datasetPart(n)], d)
			}
		}
		s.snapIdx = make(map[string][]string, len(byFS))
		for fs, snaps := range byFS {
			sort.Slice(snaps, func(i, j int) bool { return snaps[i].CreateTxg < snaps[j].CreateTxg })
			names := make([]string, len(snaps))
			for i, d := range snaps {
				names[i] = d.Name
			}
			s.snapIdx[fs] = names
		}
	}
	return append([]string(nil), s.snapIdx[name]...)
}

// clonesOf returns the clones of a snapshot, sorted.
func (s *State) clonesOf(snap string) []string {
	var out []string
	for n, d := range s.t.Datasets {
		if d.Origin == snap {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// descendants returns every dataset and snapshot strictly below name, in
// the default listing order.
func (s *State) descendants(name string) []string {
	var out []string
	for n := range s.t.Datasets {
		if isDescendant(n, name) {
			out = append(out, n)
		}
	}
	s.sortDefault(out)
	return out
}

// sortDefault sorts names the way zfs list does without -s: strcmp() of
// the dataset part, a dataset before its snapshots, snapshots by createtxg.
func (s *State) sortDefault(names []string) {
	sort.SliceStable(names, func(i, j int) bool { return s.lessDefault(names[i], names[j]) })
}

func (s *State) lessDefault(a, b string) bool {
	da, db := datasetPart(a), datasetPart(b)
	if da != db {
		return da < db
	}
	sa, sb := isSnapshotName(a), isSnapshotName(b)
	if sa != sb {
		return !sa
	}
	x, y := s.get(a), s.get(b)
	if x != nil && y != nil && x.CreateTxg != y.CreateTxg {
		return x.CreateTxg < y.CreateTxg
	}
	return a < b
}

// newDataset adds a dataset row with a fresh guid and the next txg.
func (s *State) newDataset(name, typ string, txg uint64, now int64) *dataset {
	d := &dataset{
		Name:      name,
		Type:      typ,
		GUID:      rand.Uint64(),
		CreateTxg: txg,
		Creation:  now,
		Props:     map[string]string{},
	}
	s.t.Datasets[name] = d
	s.snapIdx = nil
	return d
}

// nextTxg allocates a transaction group number.
func (s *State) nextTxg() uint64 {
	s.t.Txg++
	return s.t.Txg
}

// An Error is a zfs failure carrying the exact message the real zfs
// command prints (without the trailing newline; multi-line messages such
// as "filesystem has children" include their lists).
type Error struct {
	Msg string
}

func (e *Error) Error() string { return e.Msg }

// errf builds an *Error.
func errf(format string, a ...any) error { return &Error{Msg: fmt.Sprintf(format, a...)} }

// errNotExist is "cannot open '<name>': dataset does not exist".
func errNotExist(name string) error {
	return errf("cannot open '%s': dataset does not exist", name)
}

// Create creates a filesystem with the given local properties, creating
// missing parents when parents is set (as zfs create -p does), and mounts
// it when its mountpoint is a path and canmount is on.
func (s *State) Create(name string, props map[string]string, parents bool) error {
	return s.create(name, typeFilesystem, props, parents)
}

func (s *State) create(name, typ string, props map[string]string, parents bool) error {
	action := fmt.Sprintf("cannot create '%s'", name)
	if r := validateName(name, false); r != "" {
		return errf("%s: %s", action, r)
	}
	if !strings.Contains(name, "/") {
		if s.Exists(name) {
			if parents {
				return nil
			}
			return errf("%s: dataset already exists", action)
		}
		return errf("%s: missing dataset name", action)
	}
	if s.Exists(name) {
		if parents {
			return nil
		}
		return errf("%s: dataset already exists", action)
	}
	if err := s.checkParents(name, action, parents); err != nil {
		return err
	}
	clean, err := validateProps(props, typ, action, true)
	if err != nil {
		return err
	}
	if err := s.checkZonedProps(s.nearestZoned(name), clean, action); err != nil {
		return err
	}
	if s.denied {
		return errf("%s: permission denied", action)
	}
	if parents {
		if err := s.createAncestors(name); err != nil {
			return err
		}
	}
	d := s.newDataset(name, typ, s.nextTxg(), time.Now().Unix())
	for k, v := range clean {
		d.Props[k] = v
	}
	if typ != typeFilesystem {
		return nil
	}
	if err := os.MkdirAll(s.storeDir(d), 0o755); err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	if err := s.autoMount(d, action); err != nil {
		return &NotMountedError{Err: err}
	}
	return nil
}

// A NotMountedError reports a filesystem that was created but could not
// be mounted; Err carries the mount failure.
type NotMountedError struct {
	Err error
}

func (e *NotMountedError) Error() string { return e.Err.Error() }

func (e *NotMountedError) Unwrap() error { return e.Err }

// checkParents verifies the pool and, unless parents is set, the parent.
func (s *State) checkParents(name, action string, parents bool) error {
	pool := poolOf(name)
	if !s.poolExists(pool) {
		return errf("%s: no such pool '%s'", action, pool)
	}
	parent := parentOf(name)
	if p := s.get(parent); p == nil {
		if !parents {
			return errf("%s: parent does not exist", action)
		}
	} else if p.Type == typeVolume {
		return errf("%s: parent is not a filesystem", action)
	}
	for a := parentOf(parent); a != ""; a = parentOf(a) {
		if d := s.get(a); d != nil && d.Type == typeVolume {
			return errf("%s: parent is not a filesystem", action)
		}
	}
	return nil
}

// createAncestors creates every missing ancestor of name, top down.
func (s *State) createAncestors(name string) error {
	var missing []string
	for a := parentOf(name); a != "" && !s.Exists(a); a = parentOf(a) {
		missing = append(missing, a)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := s.create(missing[i], typeFilesystem, nil, false); err != nil {
			return err
		}
	}
	return nil
}

// SetProp sets one property locally, as zfs set does. Changing mountpoint
// or canmount remounts the affected filesystems.
func (s *State) SetProp(name, prop, value string) error {
	d := s.get(name)
	if d == nil {
		return errNotExist(name)
	}
	action := fmt.Sprintf("cannot set property for '%s'", name)
	clean, err := validateProps(map[string]string{prop: value}, d.Type, action, false)
	if err != nil {
		return err
	}
	if err := s.checkZonedProps(s.zoned(d), clean, action); err != nil {
		return err
	}
	if err := s.checkZonedChild(d, clean, action); err != nil {
		return err
	}
	if s.denied {
		return errf("%s: permission denied", action)
	}
	return s.applyProps(d, clean, action)
}

// SetProps sets several properties at once (zfs set a=b c=d ds): all are
// validated before any is stored.
func (s *State) SetProps(name string, props map[string]string) error {
	d := s.get(name)
	if d == nil {
		return errNotExist(name)
	}
	action := fmt.Sprintf("cannot set property for '%s'", name)
	clean, err := validateProps(props, d.Type, action, false)
	if err != nil {
		return err
	}
	if err := s.checkZonedProps(s.zoned(d), clean, action); err != nil {
		return err
	}
	if err := s.checkZonedChild(d, clean, action); err != nil {
		return err
	}
	if s.denied {
		return errf("%s: permission denied", action)
	}
	return s.applyProps(d, clean, action)
}

// checkZonedChild refuses a change of the mountpoint of d (a zfs set or
// inherit of it) when a filesystem below d that inherits its mountpoint
// from d is zoned, as the global zone's libzfs_dataset.c zfs_prop_set()
// and zfs_prop_inherit() do after libzfs_changelist.c
// changelist_gather() (change_one() skips a child with a locally set
// mountpoint, with its own children; a zoned one gathered sets
// cl_haszonedchild): EZFS_ZONED with "child dataset with inherited
// mountpoint is used in a non-global zone".
func (s *State) checkZonedChild(d *dataset, props map[string]string, action string) error {
	if _, ok := props["mountpoint"]; !ok {
		return nil
	}
	for _, n := range s.descendants(d.Name) {
		x := s.get(n)
		if x == nil || x.Type != typeFilesystem || s.mountpointSetBelow(d.Name, n) {
			continue
		}
		if s.zoned(x) {
			return errf("%s: child dataset with inherited mountpoint is used in a non-global zone", action)
		}
	}
	return nil
}

// zoned reports whether a dataset's effective zoned property is on.
func (s *State) zoned(d *dataset) bool {
	v, _ := s.propValue(d, "zoned", false)
	return v.value == "on"
}

// nearestZoned is the zoned property a new dataset's checks use: that of
// its nearest existing ancestor (libzfs_dataset.c check_parents(), which
// hands zfs_create() the parent's zoned property).
func (s *State) nearestZoned(name string) bool {
	for a := parentOf(name); a != ""; a = parentOf(a) {
		if d := s.get(a); d != nil {
			return s.zoned(d)
		}
	}
	return false
}

// zoneOnlyProps are the properties the global zone may not set on a
// zoned dataset.
var zoneOnlyProps = []string{"mountpoint", "sharenfs", "sharesmb"}

// checkZonedProps refuses, for a dataset whose zoned property is on,
// the properties only its zone may set, as libzfs_dataset.c
// zfs_valid_proplist() does in the global zone ("zoned=on: mountpoint
// (no), sharenfs (no), sharesmb (no)"): "'<prop>' cannot be set on
// dataset in a non-global zone" (the text also seen in published
// output: "cannot set property for 'tank/tce': 'mountpoint' cannot be set
// on dataset in a non-global zone").
func (s *State) checkZonedProps(zoned bool, props map[string]string, action string) error {
	if !zoned {
		return nil
	}
	for _, p := range zoneOnlyProps {
		if _, ok := props[p]; ok {
			return errf("%s: '%s' cannot be set on dataset in a non-global zone", action, p)
		}
	}
	return nil
}

// applyProps stores validated local properties and remounts when needed.
// Setting canmount=noauto alone leaves the mounts as they are
// (libzfs_dataset.c zfs_prop_set(): do_prefix is false for canmount
// noauto, so the changelist neither unmounts nor remounts).
func (s *State) applyProps(d *dataset, props map[string]string, action string) error {
	_, mp := props["mountpoint"]
	_, cm := props["canmount"]
	if cm && !mp && props["canmount"] == "noauto" {
		cm = false
	}
	set := func() {
		for k, v := range props {
			d.Props[k] = v
		}
	}
	if d.Type != typeFilesystem {
		set()
		return nil
	}
	var err error
	if mp || cm {
		err = s.remountAround(d, mp, action, set)
	} else {
		set()
	}
	return errors.Join(err, s.shareChanged(d, props))
}

// shareChanged runs changelist_postfix() on the share changelist of d
// when props change sharenfs or sharesmb (libzfs_dataset.c
// zfs_prop_set_list(), then libzfs_changelist.c changelist_gather() and
// changelist_postfix()): an unmounted filesystem
// there whose canmount is on and that is now shared is mounted. NFS and
// SMB sharing themselves are not simulated.
func (s *State) shareChanged(d *dataset, props map[string]string) error {
	_, nfs := props["sharenfs"]
	_, smb := props["sharesmb"]
	if !nfs && !smb {
		return nil
	}
	return s.postfix(s.shareChangelist(d), nil, false)
}

// Inherit clears a local property so it is inherited (or defaulted)
// again, as zfs inherit does; recursive also clears it on every
// descendant. prop must be inheritable or a user property.
func (s *State) Inherit(name, prop string, recursive bool) error {
	d := s.get(name)
	if d == nil {
		return errNotExist(name)
	}
	if def := lookupProp(prop); def != nil {
		if def.readonly {
			return errf("%s property is read-only", prop)
		}
		if !def.inherit {
			return errf("'%s' property cannot be inherited", prop)
		}
		prop = def.name
	} else if !isUserProp(prop) {
		return errf("invalid property '%s'", prop)
	}
	action := fmt.Sprintf("cannot inherit %s for '%s'", prop, name)
	// illumos-gate usr/src/lib/libzfs/common/libzfs_dataset.c
	// zfs_prop_inherit(): in the global zone, a zoned dataset's
	// mountpoint cannot be inherited (EZFS_ZONED, "dataset is used in a
	// non-global zone"); nor can one whose changelist has a zoned child.
	if prop == "mountpoint" && s.zoned(d) {
		return errf("%s: dataset is used in a non-global zone", action)
	}
	if err := s.checkZonedChild(d, map[string]string{prop: ""}, action); err != nil {
		return err
	}
	if s.denied {
		return errf("%s: permission denied", action)
	}
	targets := []*dataset{d}
	if recursive {
		for _, n := range s.descendants(name) {
			targets = append(targets, s.get(n))
		}
	}
	for _, t := range targets {
		if _, ok := t.Props[prop]; !ok {
			continue
		}
		if prop == "mountpoint" && t.Type == typeFilesystem {
			t := t
			if err := s.remountAround(t, true, action, func() { delete(t.Props, prop) }); err != nil {
				return err
			}
			continue
		}
		delete(t.Props, prop)
		// libzfs_dataset.c zfs_prop_inherit() gathers the same
		// changelist as zfs set (changelist_gather(), then
		// changelist_postfix()).
		if t.Type == typeFilesystem {
			if err := s.shareChanged(t, map[string]string{prop: ""}); err != nil {
				return err
			}
		}
	}
	return nil
}

// GetProp returns a property's value (as zfs get -H prints it, not -p)
// and its source ("local", "default", "inherited from X", "-").
func (s *State) GetProp(name, prop string) (value, source string, err error) {
	d := s.get(name)
	if d == nil {
		return "", "", errNotExist(name)
	}
	if lookupProp(prop) == nil && !isUserProp(prop) {
		return "", "", errf("bad property list: invalid property '%s'", prop)
	}
	v, ok := s.propValue(d, prop, false)
	if !ok {
		return "-", "-", nil
	}
	return v.value, v.source, nil
}

// Snapshot takes the named snapshots ("ds@snap") in one atomic step: when
// any of them cannot be taken, none is. recursive also snapshots every
// descendant filesystem under the same snapshot name (zfs snapshot -r).
// When several snapshots already exist, the error lists each of them.
func (s *State) Snapshot(snaps []string, recursive bool, props map[string]string) error {
	if len(snaps) == 0 {
		return errf("missing snapshot argument")
	}
	var all []string
	seen := map[string]bool{}
	fsSeen := map[string]bool{}
	for _, sn := range snaps {
		ds := datasetPart(sn)
		if r := validateName(ds, false); r != "" {
			return errf("cannot open '%s': %s", ds, r)
		}
		d := s.get(ds)
		if d == nil || d.Type == typeSnapshot {
			return errNotExist(ds)
		}
		list := []string{sn}
		if recursive {
			for _, n := range s.descendants(ds) {
				if !isSnapshotName(n) {
					list = append(list, n+"@"+snapPart(sn))
				}
			}
		}
		for _, n := range list {
			if seen[n] {
				continue
			}
			seen[n] = true
			all = append(all, n)
		}
	}
	for _, n := range all {
		if r := validateName(n, true); r != "" {
			return errf("cannot create snapshot '%s': %s", n, r)
		}
		if fsSeen[datasetPart(n)] {
			// [derived] libzfs prints this EXDEV case without a name.
			return errf("cannot create snapshots : multiple snapshots of same fs not allowed")
		}
		fsSeen[datasetPart(n)] = true
	}
	// zfs_ioctl.c zfs_ioc_snapshot(): "The snap must be in the specified
	// pool" (the first snapshot's), else EXDEV, which libzfs_dataset.c
	// zfs_snapshot_nvl() reports as for the same file system twice.
	pool, _, _ := strings.Cut(all[0], "/")
	pool, _, _ = strings.Cut(pool, "@")
	for _, n := range all[1:] {
		p, _, _ := strings.Cut(n, "/")
		if p, _, _ = strings.Cut(p, "@"); p != pool {
			return errf("cannot create snapshots : multiple snapshots of same fs not allowed")
		}
	}
	clean, err := validateProps(props, typeSnapshot, "cannot create snapshot '"+all[0]+"'", true)
	if err != nil {
		return err
	}
	var exists []string
	for _, n := range all {
		if s.Exists(n) {
			exists = append(exists, fmt.Sprintf("cannot create snapshot '%s': dataset already exists", n))
		}
	}
	if len(exists) > 0 {
		return errf("%s", strings.Join(exists, "\n"))
	}
	if s.denied {
		return errf("cannot create snapshot '%s': permission denied", all[0])
	}
	txg := s.nextTxg()
	now := time.Now().Unix()
	var made []*dataset
	for _, n := range all {
		fs := s.get(datasetPart(n))
		d := s.newDataset(n, typeSnapshot, txg, now)
		d.NoData = fs.NoData
		for k, v := range clean {
			d.Props[k] = v
		}
		made = append(made, d)
		if err := s.copyOut(fs, d); err != nil {
			for _, m := range made {
				s.dropData(m)
				delete(s.t.Datasets, m.Name)
				s.snapIdx = nil
			}
			return fmt.Errorf("cannot create snapshot '%s': %w", n, err)
		}
	}
	return nil
}

// Clone creates the filesystem target as a clone of snap: its contents
// start as a copy of the snapshot's. parents creates missing ancestors (zfs
// clone -p; an existing target is then not an error).
func (s *State) Clone(snap, target string, props map[string]string, parents bool) error {
	src := s.get(snap)
	if src == nil || src.Type != typeSnapshot {
		if r := validateName(snap, true); r != "" {
			return errf("cannot open '%s': %s", snap, r)
		}
		return errNotExist(snap)
	}
	action := fmt.Sprintf("cannot create '%s'", target)
	if r := validateName(target, false); r != "" {
		return errf("%s: %s", action, r)
	}
	if parents && s.Exists(target) {
		return nil
	}
	if poolOf(target) != poolOf(snap) && s.poolExists(poolOf(target)) {
		return errf("%s: source and target pools differ", action)
	}
	if parents {
		if !s.poolExists(poolOf(target)) {
			return errf("%s: no such pool '%s'", action, poolOf(target))
		}
		if err := s.createAncestors(target); err != nil {
			return err
		}
	}
	if s.Exists(target) {
		return errf("%s: dataset already exists", action)
	}
	if err := s.checkParents(target, action, false); err != nil {
		return err
	}
	typ := s.get(datasetPart(snap)).Type
	clean, err := validateProps(props, typ, action, true)
	if err != nil {
		return err
	}
	if s.denied {
		return errf("%s: permission denied", action)
	}
	d := s.newDataset(target, typ, s.nextTxg(), time.Now().Unix())
	d.Origin = snap
	for k, v := range clean {
		d.Props[k] = v
	}
	if typ != typeFilesystem {
		return nil
	}
	if err := s.copyIn(src, s.storeDir(d)); err != nil {
		s.dropData(d)
		delete(s.t.Datasets, target)
		s.snapIdx = nil
		return fmt.Errorf("%s: %w", action, err)
	}
	if err := s.autoMount(d, action); err != nil {
		return &NotMountedError{Err: err}
	}
	return nil
}

// Destroy destroys a filesystem, volume or snapshot. recursive also
// destroys its descendants and snapshots (zfs destroy -r); recursiveClones
// also destroys clones of them, wherever they are (zfs destroy -R). Like
// zfs destroy it works bottom up and stops at the first refusal, such as
// a snapshot with a user hold ("cannot destroy snapshot X: dataset is
// busy"); what it destroyed before that stays destroyed.
func (s *State) Destroy(name string, recursive, recursiveClones bool) error {
	plan, err := s.planDestroy(name, recursive, recursiveClones, false)
	if err != nil {
		return err
	}
	if s.denied {
		return errf("cannot destroy '%s': permission denied", name)
	}
	return s.destroyAll(plan)
}

// Promote makes a clone independent of its origin: the origin snapshot
// and the ones before it move to the clone, and the former origin
// filesystem becomes a clone of the moved snapshot.
func (s *State) Promote(name string) error {
	d := s.get(name)
	if d == nil {
		return errNotExist(name)
	}
	action := fmt.Sprintf("cannot promote '%s'", name)
	if d.Type == typeSnapshot {
		return errf("%s: snapshots can not be promoted", action)
	}
	if d.Origin == "" {
		return errf("%s: not a cloned filesystem", action)
	}
	originFS := datasetPart(d.Origin)
	origin := s.get(d.Origin)
	of := s.get(originFS)
	var move []string
	for _, sn := range s.Snapshots(originFS) {
		if s.get(sn).CreateTxg <= origin.CreateTxg {
			move = append(move, sn)
		}
	}
	for _, sn := range move {
		if n := name + "@" + snapPart(sn); s.Exists(n) {
			return errf("%s: snapshot name '%s' from origin \nconflicts with '%s' from target", action, snapPart(sn), snapPart(sn))
		}
	}
	if s.denied {
		return errf("%s: permission denied", action)
	}
	renamed := map[string]string{}
	for _, sn := range move {
		n := name + "@" + snapPart(sn)
		sd := s.get(sn)
		delete(s.t.Datasets, sn)
		s.snapIdx = nil
		sd.Name = n
		s.t.Datasets[n] = sd
		s.snapIdx = nil
		renamed[sn] = n
	}
	newOrigin := renamed[d.Origin]
	d.Origin = of.Origin
	of.Origin = newOrigin
	for _, x := range s.t.Datasets {
		if n, ok := renamed[x.Origin]; ok && x != of {
			x.Origin = n
		}
	}
	return nil
}

// FilesystemAt returns the filesystem whose effective mountpoint (or
// legacy mount) is the global-zone path gzpath.
func (s *State) FilesystemAt(gzpath string) (string, bool) {
	p := filepath.Clean("/" + gzpath)
	var found []string
	for n, d := range s.t.Datasets {
		if d.Type != typeFilesystem {
			continue
		}
		if d.MountPath == p {
			return n, true
		}
		if mp := s.mountpoint(d); mp == p {
			found = append(found, n)
		}
	}
	if len(found) == 0 {
		return "", false
	}
	sort.Strings(found)
	return found[0], true
}

// MountedAt returns the filesystem mounted on the global-zone path gzpath
// (what "mount -p" lists there with type zfs), whether by zfs mount or a
// legacy mount.
func (s *State) MountedAt(gzpath string) (string, bool) {
	p := filepath.Clean("/" + gzpath)
	for n, d := range s.t.Datasets {
		if d.Type == typeFilesystem && d.MountPath == p {
			return n, true
		}
	}
	return "", false
}

// MountLegacy mounts a filesystem whose mountpoint is "legacy" (or any
// unmounted filesystem) on the global-zone path gzpath, as mount -F zfs
// does: its contents then appear in the real directory Path(gzpath).
func (s *State) MountLegacy(name, gzpath string) error {
	d := s.get(name)
	if d == nil {
		return errNotExist(name)
	}
	if d.Type != typeFilesystem {
		return errf("cannot mount '%s': not a filesystem", name)
	}
	p := filepath.Clean("/" + gzpath)
	if d.MountPath != "" {
		if d.MountPath == p {
			return nil
		}
		return errf("cannot mount '%s': filesystem already mounted", name)
	}
	return s.mountAt(d, p, fmt.Sprintf("cannot mount '%s'", p))
}

// Unmount unmounts a filesystem: its contents move back to the sim's
// store, and the mountpoint directory stays behind.
func (s *State) Unmount(name string) error {
	d := s.get(name)
	if d == nil {
		return errNotExist(name)
	}
	if d.Type != typeFilesystem {
		return errf("cannot unmount '%s': not a filesystem", name)
	}
	if d.MountPath == "" {
		return errf("cannot unmount '%s': not currently mounted", name)
	}
	return s.unmount(d)
}

// ContentPath returns the real host directory holding the contents of a
// mounted filesystem.
func (s *State) ContentPath(name string) (string, error) {
	d := s.get(name)
	if d == nil {
		return "", errNotExist(name)
	}
	if d.Type != typeFilesystem || d.MountPath == "" {
		return "", errf("cannot open '%s': filesystem is not mounted", name)
	}
	return s.hostPath(d.MountPath), nil
}

// hostPath maps a global-zone path to the host.
func (s *State) hostPath(gzpath string) string {
	return filepath.Join(s.root, filepath.Clean("/"+gzpath))
}
