// Package pkg owns the simulated IPS packaging of the illumos global zone
// and its zones: the catalog of available packages (ROOT/.sim/pkg/
// catalog.json, the "repository"), each image's package database
// (IMAGE/var/pkg/installed.json and publishers.json, where an image is the
// global zone's root or a zone's root), and the pkg command (install,
// uninstall, update, list, info, publisher, set-publisher,
// unset-publisher, refresh) with the exit codes and texts of pkg5. Inside
// a zone, where the global zone cannot be seen, the catalog is read from
// the copy IMAGE/var/pkg/catalog.json that SyncCatalog keeps current.
package pkg

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/zonemgr/zonemgr/sim/core"
)

// A Publisher is one configured package publisher of an image: its name
// and origin URIs. Publishers are ranked in the order of the image's list.
type Publisher struct {
	Name    string   `json:"name"`
	Origins []string `json:"origins"`
	// NonSticky and Disabled are the publisher attributes pkg publisher
	// shows as "(non-sticky)" and "(disabled)".
	NonSticky bool `json:"nonsticky,omitempty"`
	Disabled  bool `json:"disabled,omitempty"`
}

// A Version is one published version of a package.
type Version struct {
	Version string `json:"version"` // "4.4-2024.0.0.1": release-branch
	Size    int64  `json:"size"`    // installed size in bytes
	// Timestamp is the FMRI's packaging timestamp ("20240101T000000Z").
	Timestamp string `json:"timestamp"`
}

// A Package is one catalog entry: a package name with its publisher,
// summary and every published version.
type Package struct {
	Name      string    `json:"name"`
	Publisher string    `json:"publisher"`
	Summary   string    `json:"summary"`
	Versions  []Version `json:"versions"`
}

// newest returns the package's newest version.
func (p *Package) newest() Version {
	best := p.Versions[0]
	for _, v := range p.Versions[1:] {
		if compareVersions(v.Version, best.Version) > 0 {
			best = v
		}
	}
	return best
}

// find returns a published version.
func (p *Package) find(version string) (Version, bool) {
	for _, v := range p.Versions {
		if v.Version == version {
			return v, true
		}
	}
	return Version{}, false
}

// A Catalog is the set of available packages.
type Catalog struct {
	Packages []*Package `json:"packages"`
}

// lookup returns a catalog package by exact name.
func (c *Catalog) lookup(name string) *Package {
	for _, p := range c.Packages {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// An installed package of an image.
type installed struct {
	Name      string `json:"name"`
	Publisher string `json:"publisher"`
	Version   string `json:"version"`
	// Manual marks packages the user asked for by name.
	Manual bool `json:"manual,omitempty"`
	// Timestamp is the packaging timestamp of the installed version.
	Timestamp string `json:"timestamp"`
	Installed string `json:"installed"` // install time, RFC 3339
}

// Image metadata locations inside an image.
const (
	imageMetaDir   = "var/pkg"
	installedFile  = "var/pkg/installed.json"
	publishersFile = "var/pkg/publishers.json"
	catalogFile    = "var/pkg/catalog.json"
	lockFile       = "var/pkg/lock"
)

// gzCatalogPath is the global zone's catalog (the repository).
func gzCatalogPath(root string) string {
	return filepath.Join(root, core.SimDir, "pkg", "catalog.json")
}

// readJSON loads a JSON file; a missing file leaves v unchanged.
func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeJSON stores v atomically.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return core.WriteFileAtomic(path, append(b, '\n'), 0o644)
}

// loadCatalog reads a catalog file.
func loadCatalog(path string) (*Catalog, error) {
	c := &Catalog{}
	if err := readJSON(path, c); err != nil {
		return nil, fmt.Errorf("load catalog: %w", err)
	}
	return c, nil
}

// An image is one package image: its directory and package database.
type image struct {
	dir        string
	installed  map[string]*installed
	publishers []Publisher
}

// isImage reports whether dir holds a package image.
func isImage(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, imageMetaDir))
	return err == nil && fi.IsDir()
}

// loadImage reads an image's package database.
func loadImage(dir string) (*image, error) {
	img := &image{dir: dir, installed: map[string]*installed{}}
	var list []*installed
	if err := readJSON(filepath.Join(dir, installedFile), &list); err != nil {
		return nil, fmt.Errorf("load image %s: %w", dir, err)
	}
	for _, p := range list {
		img.installed[p.Name] = p
	}
	if err := readJSON(filepath.Join(dir, publishersFile), &img.publishers); err != nil {
		return nil, fmt.Errorf("load image %s: %w", dir, err)
	}
	return img, nil
}

// save writes the image's package database.
func (img *image) save() error {
	names := make([]string, 0, len(img.installed))
	for n := range img.installed {
		names = append(names, n)
	}
	sort.Strings(names)
	list := make([]*installed, len(names))
	for i, n := range names {
		list[i] = img.installed[n]
	}
	if err := writeJSON(filepath.Join(img.dir, installedFile), list); err != nil {
		return fmt.Errorf("save image %s: %w", img.dir, err)
	}
	pubs := img.publishers
	if pubs == nil {
		pubs = []Publisher{}
	}
	if err := writeJSON(filepath.Join(img.dir, publishersFile), pubs); err != nil {
		return fmt.Errorf("save image %s: %w", img.dir, err)
	}
	return nil
}

// publisher returns a configured publisher by name.
func (img *image) publisher(name string) *Publisher {
	for i := range img.publishers {
		if img.publishers[i].Name == name {
			return &img.publishers[i]
		}
	}
	return nil
}

// firstPublisher is the highest-ranked publisher ("" if none).
func (img *image) firstPublisher() string {
	if len(img.publishers) == 0 {
		return ""
	}
	return img.publishers[0].Name
}

// compareVersions orders "release-branch" versions component by
// component, numerically where both components are numbers.
func compareVersions(a, b string) int {
	ar, ab, _ := strings.Cut(a, "-")
	br, bb, _ := strings.Cut(b, "-")
	if c := compareDotted(ar, br); c != 0 {
		return c
	}
	return compareDotted(ab, bb)
}

func compareDotted(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		if i >= len(as) {
			return -1
		}
		if i >= len(bs) {
			return 1
		}
		x, errx := strconv.ParseUint(as[i], 10, 64)
		y, erry := strconv.ParseUint(bs[i], 10, 64)
		if errx == nil && erry == nil {
			if x != y {
				if x < y {
					return -1
				}
				return 1
			}
			continue
		}
		if c := strings.Compare(as[i], bs[i]); c != 0 {
			return c
		}
	}
	return 0
}

// validVersion reports whether v looks like "release-branch" with dotted
// numeric components.
func validVersion(v string) bool {
	r, br, ok := strings.Cut(v, "-")
	if !ok || r == "" || br == "" {
		return false
	}
	for _, part := range append(strings.Split(r, "."), strings.Split(br, ".")...) {
		if _, err := strconv.ParseUint(part, 10, 64); err != nil {
			return false
		}
	}
	return true
}
