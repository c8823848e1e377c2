package zone

import (
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/zonemgr/zonemgr/internal/digest"
	"github.com/zonemgr/zonemgr/internal/random"
)

// Snapshot names compatible with the original zonemgr script.
const (
	SnapInstalled   = "initial-installed-"
	SnapBooted      = "initial-manifest_import_booted-"
	SnapPostinstall = "initial-postinstalled-"
	SnapAutoPrefix  = "autozone-"
)

// Zone attributes zonemgr keeps in each zone's configuration. A zone that
// carries none of the zonemgr.* attributes is not ours.
const (
	AttrRole     = "zonemgr.role"     // "giz" or "diz"
	AttrOrigin   = "zonemgr.origin"   // "giz:<zone>" | "template:<t>" | "brand:<b>"
	AttrSnapshot = "zonemgr.snapshot" // the snapshot a clone was made from
	AttrCreated  = "zonemgr.created"  // UTC creation stamp
	AttrAutoVNIC = "zonemgr.autovnic" // "<vnic>|<link>[|vlan[|mac]] ..."
	AttrDatasets = "zonemgr.datasets" // delegated datasets zonemgr created
	AttrSetup    = "zonemgr.setup"    // hash of the in-zone setup (accounts, automounts)
	AttrServices = "zonemgr.services" // services zonemgr enables when it boots the zone (see servicesStep)
)

// AutoSnapshotName is the default snapshot name: autozone-<UTC stamp>.
func AutoSnapshotName(t time.Time) string {
	return SnapAutoPrefix + t.UTC().Format("20060102T150405Z")
}

// freeAutoSnapshotName is AutoSnapshotName(t) for a snapshot of dataset
// ds, with "-1", "-2", ... after it while a snapshot of that name exists:
// a second snapshot within the second is a new one, not the first.
func freeAutoSnapshotName(w *World, ds string, t time.Time) string {
	base := AutoSnapshotName(t)
	name := base
	for i := 1; w.Exists(ds + "@" + name); i++ {
		name = base + "-" + strconv.Itoa(i)
	}
	return name
}

// Stamp formats a creation time for the zonemgr.created attribute.
func Stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// SpecHash is a short, stable hash of a spec's canonical parts, used in
// generated zone names and to notice changes to in-zone setup.
func SpecHash(parts ...string) string {
	h := digest.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s\n", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))[:6]
}

// GenerateName returns prefix + hash + "-" + four random base-36
// characters, avoiding every name in taken.
func GenerateName(prefix, hash string, taken func(string) bool) (string, error) {
	for i := 0; i < 100; i++ {
		n, err := random.Below(36 * 36 * 36 * 36)
		if err != nil {
			return "", err
		}
		s := strconv.FormatUint(uint64(n), 36)
		s = strings.Repeat("0", 4-len(s)) + s
		name := prefix + hash + "-" + s
		if !taken(name) {
			return name, nil
		}
	}
	return "", fmt.Errorf("could not generate an unused zone name with prefix %q", prefix)
}

// VNICBase returns the automatic VNIC name stem for a zone:
// "autodiz"/"autogiz" plus the zone name lowercased and reduced to
// [a-z0-9_], so that the stem plus "_NN" stays within dladm's 31
// characters. A name that had to be changed for that ("build-1",
// "Build1", a long one) gets a '.' and a hash of the whole zone name, so
// that distinct zones always have distinct stems: "build-1" never takes
// the VNICs of "build1" (which keeps "autodizbuild1"), and a VNIC's name
// tells whose it is to the run that holds the zone's lock.
func VNICBase(role, zone string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(zone) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		}
	}
	s := b.String()
	prefix := "auto" + role
	if s != zone || len(prefix)+len(s) > 27 {
		h := fnv.New32a()
		h.Write([]byte(zone))
		sum := "." + strconv.FormatUint(uint64(h.Sum32()), 36)
		if keep := 27 - len(prefix) - len(sum); len(s) > keep {
			s = s[:keep]
		}
		s += sum
	}
	return prefix + s
}

// VNICName is the i-th automatic VNIC of a zone: the stem, "_", i.
// The underscore keeps the trailing number free of a leading zero, as
// dladm's link-name rule requires.
func VNICName(role, zone string, i int) string {
	return VNICBase(role, zone) + "_" + strconv.Itoa(i)
}
