package core

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// A Flavor is the illumos distribution a sim root imitates where the
// distributions differ: OmniOS (illumos-omnios and OmniOS's pkg5 brands)
// or OpenIndiana (illumos-gate and OpenIndiana's pkg5 brands). It is
// chosen once, by "illumos-sim init --flavor", recorded in the root, and
// read by every flavour-dependent behaviour.
type Flavor string

// The flavours.
const (
	OmniOS      Flavor = "omnios"
	OpenIndiana Flavor = "openindiana"
)

// DefaultFlavor is the flavour of a root made without --flavor (and of a
// root made before flavours existed, which has no flavour file).
const DefaultFlavor = OmniOS

// Flavors lists the accepted flavours, the default first.
var Flavors = []Flavor{OmniOS, OpenIndiana}

// EnvFlavor, when set, is the flavour "illumos-sim init" uses if no
// --flavor is given; --flavor wins. Only init reads it: the flavour of an
// existing root never changes.
const EnvFlavor = "ILLUMOS_SIM_FLAVOR"

// flavorFile is the file under SimDir that records a root's flavour.
const flavorFile = "flavor"

// FlavorNames returns the accepted flavours as "omnios|openindiana".
func FlavorNames(sep string) string {
	names := make([]string, len(Flavors))
	for i, f := range Flavors {
		names[i] = string(f)
	}
	return strings.Join(names, sep)
}

// ParseFlavor checks a flavour name.
func ParseFlavor(s string) (Flavor, error) {
	for _, f := range Flavors {
		if s == string(f) {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown flavor %q (accepted: %s)", s, FlavorNames(", "))
}

// WriteFlavor records a root's flavour.
func WriteFlavor(root string, f Flavor) error {
	if _, err := ParseFlavor(string(f)); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(root, SimDir, flavorFile), []byte(string(f)+"\n"), 0o644)
}

// ReadFlavor returns a root's flavour: DefaultFlavor when the root records
// none, an error when it records something that is not a flavour.
func ReadFlavor(root string) (Flavor, error) {
	b, err := os.ReadFile(filepath.Join(root, SimDir, flavorFile))
	if errors.Is(err, os.ErrNotExist) {
		return DefaultFlavor, nil
	}
	if err != nil {
		return "", fmt.Errorf("read flavor: %w", err)
	}
	f, err := ParseFlavor(strings.TrimSpace(string(b)))
	if err != nil {
		return "", fmt.Errorf("%s: %w", filepath.Join(root, SimDir, flavorFile), err)
	}
	return f, nil
}

// MustFlavor is ReadFlavor for callers that cannot report an error: a
// root whose flavour file is unreadable counts as DefaultFlavor. The
// command entry point (illumos-sim's main) checks the file first and
// refuses to run on a root whose flavour is not valid, so the fallback
// only serves roots without the file.
func MustFlavor(root string) Flavor {
	f, err := ReadFlavor(root)
	if err != nil {
		return DefaultFlavor
	}
	return f
}

// Flavor returns the flavour of the invocation's root. Inside a zone
// (Root "/"), where no flavour is recorded, it is DefaultFlavor; the tools
// run there do not depend on it.
func (inv *Invocation) Flavor() Flavor {
	if inv.flavor == "" {
		inv.flavor = MustFlavor(inv.Root)
	}
	return inv.flavor
}
