package pkg

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// catalogTimestamp is the packaging timestamp of the initial catalog.
const catalogTimestamp = "20240315T101500Z"

// defaultPublisher is the global zone's publisher.
var defaultPublisher = Publisher{Name: "openindiana.org", Origins: []string{"http://pkg.openindiana.org/hipster"}}

// initialCatalog is the repository of a fresh simulated global zone:
// the usual build tools of illumos-gate and oi-userland builds.
var initialCatalog = []struct {
	name, version, summary string
	size                   int64
}{
	{"SUNWcs", "0.5.11-2024.0.0.22160", "Core Solaris", 8734720},
	{"archiver/gnu-tar", "1.35-2024.0.0.0", "GNU version of the tar archiving utility", 3145728},
	{"compress/gzip", "1.13-2024.0.0.0", "GNU Zip (gzip)", 393216},
	{"developer/build/autoconf", "2.72-2024.0.0.0", "GNU autoconf", 2097152},
	{"developer/build/automake", "1.16.5-2024.0.0.0", "GNU automake", 1835008},
	{"developer/build/gnu-make", "4.4.1-2024.0.0.0", "gmake - GNU make", 1593344},
	{"developer/build/onbld", "0.5.11-2024.0.0.22160", "OS-Net Build Tools", 15728640},
	{"developer/build/pkg-config", "0.29.2-2024.0.0.0", "A tool for managing library compile and link flags", 262144},
	{"developer/gcc-13", "13.2.0-2024.0.0.0", "GNU Compiler Collection", 188743680},
	{"developer/illumos-tools", "0.5.11-2024.0.0.22160", "Tools required to build illumos", 1024},
	{"developer/lexer/flex", "2.6.4-2024.0.0.0", "A fast lexical analyser generator", 720896},
	{"developer/parser/bison", "3.8.2-2024.0.0.0", "GNU bison parser generator", 2883584},
	{"developer/versioning/git", "2.44.0-2024.0.0.0", "git - Fast Version Control System", 52428800},
	{"entire", "0.5.11-2024.0.0.22160", "Incorporation to lock all system packages to the same build", 0},
	{"package/pkg", "0.5.11-2024.0.0.0", "Image Packaging System", 11534336},
	{"runtime/python-311", "3.11.8-2024.0.0.0", "The Python interpreter, libraries and utilities", 104857600},
	{"shell/bash", "5.2.21-2024.0.0.0", "GNU Bourne-Again shell (bash)", 7929856},
	{"system/library", "0.5.11-2024.0.0.22160", "Core Solaris, (Shared Libraries)", 42991616},
	{"system/zones/brand/ipkg", "0.5.11-2024.0.0.0", "Image Packaging System branded zone - ipkg zones", 147456},
	{"text/gnu-sed", "4.9-2024.0.0.0", "GNU implementation of sed, the Unix stream editor", 524288},
}

// gzInstalled are the packages installed in a fresh global zone.
var gzInstalled = []string{
	"SUNWcs", "entire", "package/pkg", "shell/bash", "system/library", "system/zones/brand/ipkg",
}

// Init creates the repository catalog and the global zone's image (at the
// root) with the openindiana.org publisher and a few installed packages.
func Init(root string) error {
	c := &Catalog{}
	for _, e := range initialCatalog {
		c.Packages = append(c.Packages, &Package{
			Name: e.name, Publisher: defaultPublisher.Name, Summary: e.summary,
			Versions: []Version{{Version: e.version, Size: e.size, Timestamp: catalogTimestamp}},
		})
	}
	if err := writeJSON(gzCatalogPath(root), c); err != nil {
		return fmt.Errorf("init pkg: %w", err)
	}
	if err := InstallBase(root, root, gzInstalled, []Publisher{defaultPublisher}); err != nil {
		return fmt.Errorf("init pkg: %w", err)
	}
	// The global zone reads the repository directly; its image keeps no
	// catalog copy.
	if err := os.Remove(filepath.Join(root, catalogFile)); err != nil {
		return fmt.Errorf("init pkg: %w", err)
	}
	return nil
}

// SyncCatalog copies the global zone's catalog into an image (a zone
// root), so pkg run inside the zone sees the repository as it is now.
func SyncCatalog(root, imageDir string) error {
	c, err := loadCatalog(gzCatalogPath(root))
	if err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(imageDir, catalogFile), c); err != nil {
		return fmt.Errorf("sync catalog into %s: %w", imageDir, err)
	}
	return nil
}

// InstallBase creates the package database of a new image (a zone root
// being installed): the publishers, the named packages at their newest
// catalog versions (as installed by hand), and a catalog copy. Every name
// must be an exact catalog package name.
func InstallBase(root, imageDir string, pkgs []string, publishers []Publisher) error {
	c, err := loadCatalog(gzCatalogPath(root))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(imageDir, imageMetaDir), 0o755); err != nil {
		return fmt.Errorf("install base image %s: %w", imageDir, err)
	}
	img := &image{dir: imageDir, installed: map[string]*installed{}, publishers: append([]Publisher(nil), publishers...)}
	now := time.Now().UTC().Format(time.RFC3339)
	for _, name := range pkgs {
		p := c.lookup(name)
		if p == nil {
			return fmt.Errorf("install base image %s: package %s is not in the catalog", imageDir, name)
		}
		v := p.newest()
		img.installed[name] = &installed{
			Name: name, Publisher: p.Publisher, Version: v.Version,
			Timestamp: v.Timestamp, Manual: true, Installed: now,
		}
	}
	if err := img.save(); err != nil {
		return err
	}
	return SyncCatalog(root, imageDir)
}

// Publish adds a version of a package to the global zone's catalog, as
// publishing to the repository does; a package not yet in the catalog is
// created under the openindiana.org publisher. The caller holds the sim's
// state lock when other processes may run.
func Publish(root, name, version string) error {
	if !validVersion(version) {
		return fmt.Errorf("publish %s@%s: bad version %q (want release-branch, e.g. 4.4-2024.0.0.1)", name, version, version)
	}
	path := gzCatalogPath(root)
	c, err := loadCatalog(path)
	if err != nil {
		return err
	}
	p := c.lookup(name)
	if p == nil {
		p = &Package{Name: name, Publisher: defaultPublisher.Name, Summary: name}
		c.Packages = append(c.Packages, p)
	}
	if _, exists := p.find(version); exists {
		return fmt.Errorf("publish %s@%s: version already published", name, version)
	}
	var size int64
	if len(p.Versions) > 0 {
		size = p.newest().Size
	}
	p.Versions = append(p.Versions, Version{
		Version: version, Size: size, Timestamp: time.Now().UTC().Format("20060102T150405Z"),
	})
	if err := writeJSON(path, c); err != nil {
		return fmt.Errorf("publish %s@%s: %w", name, version, err)
	}
	return nil
}
