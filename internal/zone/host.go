// Package zone is zonemgr's domain: golden-image zones (GIZ), disposable
// zones cloned from them (DIZ), their snapshots, the commands run in
// them, golden images and the cleanup of killed runs. Every operation
// runs through one engine (engine.go): it takes its locks, reads the
// world and computes a plan of steps as data (commands with their undo
// commands and conditions); the engine shows the plan in check mode,
// and otherwise journals and applies it; a failed apply undoes what it
// did, newest first.
//
// Only zones that carry zonemgr.* attributes are ever changed or
// destroyed, and only datasets zonemgr created.
package zone

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// Settings are the site settings an operation needs, taken from the
// configuration files (internal/config) by the front doors.
type Settings struct {
	GIZContainer, DIZContainer     string // datasets holding the zonepaths
	GIZMountpoint, DIZMountpoint   string // optional mountpoints for new containers
	GIZCompression, DIZCompression string
	GIZDedup, DIZDedup             string
	DelegatedParent                string // where delegated datasets named relatively are made
	BrandGIZ, TemplateGIZ          string
	BootTimeout                    time.Duration
	GIZPrefix, DIZPrefix           string // prefixes of generated names
	JournalDir                     string // the runs' journals (under Root)
}

// DefaultSettings are the original zonemgr's defaults.
func DefaultSettings() Settings {
	return Settings{
		GIZContainer:    "rpool/zones/_zonemgr/GIZ",
		DIZContainer:    "rpool/zones/_zonemgr/DIZ",
		GIZCompression:  "gzip-9",
		DIZCompression:  "zle",
		GIZDedup:        "off",
		DIZDedup:        "off",
		DelegatedParent: "rpool/zones/_zonemgr/delegated",
		BrandGIZ:        "ipkg",
		TemplateGIZ:     "SUNWipkg",
		BootTimeout:     300 * time.Second,
		GIZPrefix:       "giz-",
		DIZPrefix:       "diz-",
		JournalDir:      "/var/zonemgr/journal",
	}
}

// A Host is the global zone zonemgr works on.
type Host struct {
	Runner   illumos.Runner
	Settings Settings
	// Root is the directory under which /etc/zones, /etc/passwd and the
	// state directory are read directly: "/" on illumos, a sim root in
	// tests.
	Root string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// NewRun draws run ids (random when nil): tests pin them to compare
	// plans exactly.
	NewRun func() string
	// Stdout and Stderr receive the live output of commands run in zones
	// (nil: not streamed).
	Stdout, Stderr io.Writer
	// CheckMode: compute and return plans, run no mutating command (the
	// engine's one branch on it: see operate).
	CheckMode bool
	// PollInterval is the first interval of boot-readiness polling.
	PollInterval time.Duration
	// Privileged: this process holds all privileges itself (see
	// illumos.Privileged). It then edits a halted zone's files from the
	// global zone (ZoneFiles) and asks a booting zone's milestone from
	// the global zone (svcs -z): the zone root and the zone's repository
	// door lie below the zonepath, which is private to root. Otherwise
	// the edits are made in the zone's scratch zone, and each poll logs
	// into the zone.
	Privileged bool
}

func (h *Host) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// path maps an absolute global-zone path under Root.
func (h *Host) path(p string) string {
	root := h.Root
	if root == "" {
		root = "/"
	}
	return filepath.Join(root, filepath.Clean("/"+p))
}

// journalDir is the directory of the runs' journals.
func (h *Host) journalDir() string {
	return h.path(h.Settings.JournalDir)
}

// A ZoneLock is the per-zone lock two operations on one zone take, so
// they serialize instead of interleaving.
type ZoneLock struct{ f *os.File }

// LockZone takes the per-zone lock, waiting until ctx is done.
func (h *Host) LockZone(ctx context.Context, zone string) (*ZoneLock, error) {
	return h.lockFile(ctx, "zone "+zone, zone+".lock", syscall.LOCK_EX, true)
}

// Unlock releases the lock.
func (l *ZoneLock) Unlock() {
	if l == nil || l.f == nil {
		return
	}
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
	l.f = nil
}

// An Outcome is what an operation did or, in check mode, would do.
type Outcome struct {
	Changed bool
	Zone    string
	Msg     string
	Plan    []string
	// Steps are the plan's steps, as data (Plan is their display).
	Steps    []Step
	Before   string // diff: the state before (zonecfg export, datasets, snapshots)
	After    string
	Values   map[string]any
	Warnings []string
}

func (o *Outcome) set(k string, v any) {
	if o.Values == nil {
		o.Values = map[string]any{}
	}
	o.Values[k] = v
}
