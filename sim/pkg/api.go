package pkg

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
)

// catalogTimestamp is the packaging timestamp of the initial catalog.
const catalogTimestamp = "20240315T101500Z"

// A flavorRepo is what a flavour's global zone gets from its packaging:
// the publisher configured at install time, the branch part of its
// package versions, and the zone brand packages installed (the brands
// whose templates sim/zones writes under /etc/zones).
type flavorRepo struct {
	publisher Publisher
	// branch replaces the branch part ("-2024.0.0.0") of the versions of
	// initialCatalog; "" keeps them.
	branch string
	brands []catalogEntry
}

// A catalogEntry is one package of the initial catalog.
type catalogEntry struct {
	name, version, summary string
	size                   int64
}

// flavorRepos are the flavours' packaging.
//
// OmniOS: publisher "omnios" with origin
// https://pkg.omnios.org/<release>/core/ (omniosorg/omniosorg.github.io
// _docs/info/ipsrepos.md: "https://pkg.omnios.org/{{site.omnios_stable}}/core/
// | omnios"); the release simulated is r151054, so package versions end
// in "-151054.0" (the branch OmniOS gives every package of a release, as
// in illumos-commands.md §7's "0.5.11-151046.0"). The extra.omnios
// publisher (.../extra/) is not configured [unconfirmed: whether a fresh
// install configures it]. Brand packages: every system/zones/brand/*
// manifest of omniosorg/pkg5 @ b8546e93 src/pkg/manifests, summaries from
// there [unconfirmed: which of them a fresh install carries].
//
// OpenIndiana: publisher "openindiana.org" with origin
// http://pkg.openindiana.org/hipster/ (as the sim always had
// [unconfirmed: not re-read in a source]); versions keep the sim's
// hipster-style "-2024.0.0.N" branches. Brand packages:
// system/zones/brand/ipkg and system/zones/brand/nlipkg of
// OpenIndiana/pkg5 @ d5146ea3 src/pkg/manifests, summaries from there.
//
// Origins are stored with the trailing slash pkg5 gives them.
var flavorRepos = map[core.Flavor]flavorRepo{
	core.OmniOS: {
		publisher: Publisher{Name: "omnios", Origins: []string{"https://pkg.omnios.org/r151054/core/"}},
		branch:    "151054.0",
		brands: []catalogEntry{
			{"system/zones/brand/ipkg", "0.5.11", "Image Packaging System branded zone", 147456},
			{"system/zones/brand/lipkg", "0.5.11", "Image Packaging System branded zone with linked-image enforcement", 8192},
			{"system/zones/brand/sparse", "0.5.11", "Image Packaging System branded zone - sparse zones", 65536},
			{"system/zones/brand/pkgsrc", "0.5.11", "Image Packaging System branded zone - pkgsrc zones", 16384},
			{"system/zones/brand/bhyve", "0.5.11", "Image Packaging System branded zone - bhyve zones", 262144},
			{"system/zones/brand/kvm", "0.5.11", "Image Packaging System branded zone - kvm zones", 65536},
			{"system/zones/brand/illumos", "0.5.11", "Image Packaging System branded zone - illumos zones", 32768},
			{"system/zones/brand/lx/platform", "0.5.11", "Linux branded zone, additional components", 98304},
			{"system/zones/brand/emu", "0.5.11", "Image Packaging System branded zone - emu zones", 65536},
		},
	},
	core.OpenIndiana: {
		publisher: Publisher{Name: "openindiana.org", Origins: []string{"http://pkg.openindiana.org/hipster/"}},
		brands: []catalogEntry{
			{"system/zones/brand/ipkg", "0.5.11-2024.0.0.0", "Image Packaging System branded zone", 147456},
			{"system/zones/brand/nlipkg", "0.5.11-2024.0.0.0", "Image Packaging System branded zone without linked-image enforcement", 8192},
		},
	},
}

// repoOf returns a root's flavour packaging.
func repoOf(root string) flavorRepo {
	return flavorRepos[core.MustFlavor(root)]
}

// version gives a catalog version the flavour's branch.
func (r flavorRepo) version(v string) string {
	if r.branch == "" {
		return v
	}
	release, _, _ := strings.Cut(v, "-")
	return release + "-" + r.branch
}

// initialCatalog is the repository of a fresh simulated global zone:
// the usual build tools of illumos-gate and oi-userland builds, with the
// same names in both flavours (the product's tests install them by
// these names).
var initialCatalog = []catalogEntry{
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
	{"text/gnu-sed", "4.9-2024.0.0.0", "GNU implementation of sed, the Unix stream editor", 524288},
}

// gzInstalled are the packages installed in a fresh global zone, besides
// the flavour's brand packages.
var gzInstalled = []string{
	"SUNWcs", "entire", "package/pkg", "shell/bash", "system/library",
}

// Init creates the repository catalog and the global zone's image (at the
// root) with the flavour's publisher, a few installed packages and the
// flavour's zone brand packages.
func Init(root string) error {
	f, err := core.ReadFlavor(root)
	if err != nil {
		return fmt.Errorf("init pkg: %w", err)
	}
	repo := flavorRepos[f]
	c := &Catalog{}
	installed := append([]string(nil), gzInstalled...)
	for _, e := range initialCatalog {
		c.Packages = append(c.Packages, &Package{
			Name: e.name, Publisher: repo.publisher.Name, Summary: e.summary,
			Versions: []Version{{Version: repo.version(e.version), Size: e.size, Timestamp: catalogTimestamp}},
		})
	}
	for _, e := range repo.brands {
		c.Packages = append(c.Packages, &Package{
			Name: e.name, Publisher: repo.publisher.Name, Summary: e.summary,
			Versions: []Version{{Version: repo.version(e.version), Size: e.size, Timestamp: catalogTimestamp}},
		})
		installed = append(installed, e.name)
	}
	sort.Slice(c.Packages, func(i, j int) bool { return c.Packages[i].Name < c.Packages[j].Name })
	if err := writeJSON(gzCatalogPath(root), c); err != nil {
		return fmt.Errorf("init pkg: %w", err)
	}
	if err := InstallBase(root, root, installed, []Publisher{repo.publisher}); err != nil {
		return fmt.Errorf("init pkg: %w", err)
	}
	// The global zone reads the repository directly; its image keeps no
	// catalog copy.
	if err := os.Remove(filepath.Join(root, catalogFile)); err != nil {
		return fmt.Errorf("init pkg: %w", err)
	}
	return nil
}

// Publishers returns the publishers of the image at imageDir (a path on
// this host: the root itself for the global zone), highest ranked first.
// pkgcreatezone gives a zone installed without -P these publishers of the
// global zone's image ("pkg -R $ZONEROOT copy-publishers-from $GZ_IMAGE",
// omniosorg/pkg5 src/brand/ipkg/pkgcreatezone and OpenIndiana/pkg5
// src/brand/pkgcreatezone alike).
func Publishers(imageDir string) ([]Publisher, error) {
	img, err := loadImage(imageDir)
	if err != nil {
		return nil, err
	}
	return append([]Publisher(nil), img.publishers...), nil
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
// created under the flavour's publisher (omnios or openindiana.org).
// The caller holds the sim's
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
		p = &Package{Name: name, Publisher: repoOf(root).publisher.Name, Summary: name}
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
