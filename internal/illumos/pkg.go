package illumos

import (
	"fmt"
	"strings"
)

// A Package is one line of `pkg list -H`.
type Package struct {
	Name string
	// Publisher is set only when pkg shows it: when it is not the
	// highest-ranked publisher.
	Publisher string
	// Version is the short version, release-branch ("0.5.11-151046.0").
	Version string
	// Flags are pkg's three IFO flags, e.g. "i--" or "im-".
	Flags string
}

// Installed reports whether the package is installed (flag 1 "i").
func (p Package) Installed() bool { return p.Flags[0] == 'i' }

// Frozen reports whether the package is frozen (flag 2 "f").
func (p Package) Frozen() bool { return p.Flags[1] == 'f' }

// Manual reports whether the package was installed by hand (OmniOS: flag 2
// "m").
func (p Package) Manual() bool { return p.Flags[1] == 'm' }

// Obsolete reports whether the package is obsolete (flag 3 "o").
func (p Package) Obsolete() bool { return p.Flags[2] == 'o' }

// Renamed reports whether the package was renamed (flag 3 "r").
func (p Package) Renamed() bool { return p.Flags[2] == 'r' }

// ParsePkgList parses `pkg list` output (illumos-commands.md §7): per line
// the name, with " (publisher)" when that is not the first-ranked one, the
// version and three flags, in columns padded with blanks. A header line
// (without -H) is skipped.
func ParsePkgList(b []byte) ([]Package, error) {
	var pkgs []Package
	for i, line := range splitLines(b) {
		n := i + 1
		if strings.TrimSpace(line) == "" {
			continue
		}
		if n == 1 && strings.HasPrefix(line, "NAME (PUBLISHER)") {
			continue
		}
		f := strings.Fields(line)
		var p Package
		switch {
		case len(f) == 4 && strings.HasPrefix(f[1], "(") && strings.HasSuffix(f[1], ")") && len(f[1]) > 2:
			p = Package{Name: f[0], Publisher: f[1][1 : len(f[1])-1], Version: f[2], Flags: f[3]}
		case len(f) == 3:
			p = Package{Name: f[0], Version: f[1], Flags: f[2]}
		default:
			return nil, fmt.Errorf("parse pkg list line %d %q: want name [(publisher)] version flags", n, line)
		}
		if err := checkPkgFlags(p.Flags); err != nil {
			return nil, fmt.Errorf("parse pkg list line %d %q: %w", n, line, err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

func checkPkgFlags(flags string) error {
	if len(flags) != 3 ||
		!strings.ContainsRune("i-", rune(flags[0])) ||
		!strings.ContainsRune("fSm-", rune(flags[1])) ||
		!strings.ContainsRune("orl-", rune(flags[2])) {
		return fmt.Errorf("flags %q are not the three IFO flags", flags)
	}
	return nil
}

// A Publisher is one origin or mirror line of `pkg publisher -F tsv`.
type Publisher struct {
	Name    string
	Sticky  bool
	Syspub  bool
	Enabled bool
	// Type is "origin" or "mirror".
	Type   string
	Status string
	URI    string
	Proxy  string
}

// ParsePkgPublisher parses `pkg publisher -H -F tsv` output: PUBLISHER,
// STICKY, SYSPUB, ENABLED, TYPE, STATUS, URI and PROXY separated by TABs
// (pkg5 src/modules/client/client_api.py _publisher_list(): the unnamed
// attrs field is the default format's only). A line with an empty
// column after PUBLISHER, as illumos-commands.md §7 shows, is read too.
// A header line is skipped.
func ParsePkgPublisher(b []byte) ([]Publisher, error) {
	var pubs []Publisher
	for i, line := range splitLines(b) {
		n := i + 1
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) == 9 && f[1] == "" {
			f = append(f[:1], f[2:]...)
		}
		if len(f) != 8 {
			return nil, fmt.Errorf("parse pkg publisher line %d %q: %d fields, want 8", n, line, len(f))
		}
		if f[0] == "PUBLISHER" && f[1] == "STICKY" {
			continue
		}
		p := Publisher{Name: f[0], Type: f[4], Status: f[5], URI: f[6], Proxy: f[7]}
		for _, b := range []struct {
			name string
			v    string
			dst  *bool
		}{{"sticky", f[1], &p.Sticky}, {"syspub", f[2], &p.Syspub}, {"enabled", f[3], &p.Enabled}} {
			switch b.v {
			case "true":
				*b.dst = true
			case "false":
			default:
				return nil, fmt.Errorf("parse pkg publisher line %d: %s %q is neither true nor false", n, b.name, b.v)
			}
		}
		pubs = append(pubs, p)
	}
	return pubs, nil
}
