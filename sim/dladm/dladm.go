// Package dladm owns the simulated data links of the illumos global zone:
// the table of physical links, etherstubs and VNICs (one JSON file under
// ROOT/.sim), the dladm command that creates, deletes and shows them with
// illumos's exact texts and ofmt output, and the small API the simulated
// zoneadm uses to assign a VNIC to a zone while it runs (which makes the
// VNIC busy and fills the ZONE column of show-vnic).
package dladm

import (
	"crypto/rand"
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

// Link classes, as show-link prints them.
const (
	classPhys      = "phys"
	classVNIC      = "vnic"
	classEtherstub = "etherstub"
)

// A link is one data link of the simulated global zone.
type link struct {
	Name  string `json:"name"`
	Class string `json:"class"`
	// Over is the link a VNIC is created over.
	Over string `json:"over,omitempty"`
	// MAC is the VNIC's address; MACType how it was chosen ("random",
	// "fixed").
	MAC     []byte `json:"mac,omitempty"`
	MACType string `json:"mactype,omitempty"`
	VID     int    `json:"vid,omitempty"`
	// Speed in Mb/s and MTU of a physical link.
	Speed int `json:"speed,omitempty"`
	MTU   int `json:"mtu,omitempty"`
	// Zone is the running zone a VNIC is assigned to ("" when none).
	Zone string `json:"zone,omitempty"`
	// Temporary links were created with -t (not persistent).
	Temporary bool `json:"temporary,omitempty"`
}

// table is the persistent link table.
type table struct {
	Links map[string]*link `json:"links"`
}

// tablePath is the file holding the link table.
func tablePath(root string) string {
	return filepath.Join(root, core.SimDir, "dladm.json")
}

// load reads the link table of a root (empty when there is none).
func load(root string) (*table, error) {
	t := &table{Links: map[string]*link{}}
	b, err := os.ReadFile(tablePath(root))
	if errors.Is(err, os.ErrNotExist) {
		return t, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load link table: %w", err)
	}
	if err := json.Unmarshal(b, t); err != nil {
		return nil, fmt.Errorf("load link table %s: %w", tablePath(root), err)
	}
	if t.Links == nil {
		t.Links = map[string]*link{}
	}
	return t, nil
}

// save writes the link table back atomically.
func (t *table) save(root string) error {
	b, err := json.MarshalIndent(t, "", " ")
	if err != nil {
		return fmt.Errorf("save link table: %w", err)
	}
	if err := core.WriteFileAtomic(tablePath(root), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("save link table: %w", err)
	}
	return nil
}

// sorted returns the links of the given classes, by name.
func (t *table) sorted(classes ...string) []*link {
	var out []*link
	for _, l := range t.Links {
		for _, c := range classes {
			if l.Class == c {
				out = append(out, l)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Init creates the links of a fresh simulated global zone: the physical
// link e1000g0 (1000 Mb/s, up) and the etherstub stub0.
func Init(root string) error {
	t := &table{Links: map[string]*link{
		"e1000g0": {Name: "e1000g0", Class: classPhys, Speed: 1000, MTU: 1500},
		"stub0":   {Name: "stub0", Class: classEtherstub},
	}}
	if err := t.save(root); err != nil {
		return fmt.Errorf("init dladm: %w", err)
	}
	return nil
}

// AssignVNIC records that a booting zone uses the VNIC (or physical link)
// name: show-vnic then shows the zone, and delete-vnic fails with "link
// busy" until ReleaseVNIC. The caller holds the sim's state lock.
func AssignVNIC(root, name, zone string) error {
	t, err := load(root)
	if err != nil {
		return err
	}
	l, ok := t.Links[name]
	if !ok || l.Class == classEtherstub {
		return fmt.Errorf("assign %s to zone %s: invalid link name '%s'", name, zone, name)
	}
	if l.Zone != "" && l.Zone != zone {
		return fmt.Errorf("assign %s to zone %s: link busy (assigned to zone %s)", name, zone, l.Zone)
	}
	l.Zone = zone
	return t.save(root)
}

// ReleaseVNIC ends a zone's use of a link (at halt). Releasing a link that
// is not assigned is not an error. The caller holds the sim's state lock.
func ReleaseVNIC(root, name string) error {
	t, err := load(root)
	if err != nil {
		return err
	}
	l, ok := t.Links[name]
	if !ok {
		return fmt.Errorf("release %s: invalid link name '%s'", name, name)
	}
	if l.Zone == "" {
		return nil
	}
	l.Zone = ""
	return t.save(root)
}

// validLinkName is libdladm's dladm_valid_linkname(): at most 31
// characters of [A-Za-z0-9_.], not starting with a digit, ending in a
// number without a leading zero.
func validLinkName(name string) bool {
	if name == "" || len(name) > 31 {
		return false
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	if isDigit(name[0]) || !isDigit(name[len(name)-1]) {
		return false
	}
	i := len(name)
	for i > 0 && isDigit(name[i-1]) {
		i--
	}
	return !(name[i] == '0' && i < len(name)-1)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// formatMAC prints a MAC address with %x per octet: no leading zeros.
func formatMAC(mac []byte) string {
	parts := make([]string, len(mac))
	for i, b := range mac {
		parts[i] = strconv.FormatUint(uint64(b), 16)
	}
	return strings.Join(parts, ":")
}

// parseMAC parses "2:8:20:5e:a:1b" (one or two hex digits per octet).
func parseMAC(s string) ([]byte, bool) {
	parts := strings.Split(s, ":")
	if len(parts) != 6 {
		return nil, false
	}
	mac := make([]byte, 6)
	for i, p := range parts {
		if p == "" || len(p) > 2 {
			return nil, false
		}
		n, err := strconv.ParseUint(p, 16, 8)
		if err != nil {
			return nil, false
		}
		mac[i] = byte(n)
	}
	if mac[0]&1 != 0 {
		return nil, false // multicast addresses cannot be unicast MACs
	}
	return mac, true
}

// randomMAC makes a MAC address with the given prefix (2:8:20, Sun's
// OUI, by default) and random remaining octets, unique in the table.
func (t *table) randomMAC(prefix []byte) ([]byte, error) {
	for {
		mac := make([]byte, 6)
		copy(mac, prefix)
		if _, err := rand.Read(mac[len(prefix):]); err != nil {
			return nil, fmt.Errorf("generate MAC address: %w", err)
		}
		taken := false
		for _, l := range t.Links {
			if string(l.MAC) == string(mac) {
				taken = true
			}
		}
		if !taken {
			return mac, nil
		}
	}
}

// defaultMACPrefix is the prefix of generated MAC addresses.
var defaultMACPrefix = []byte{2, 8, 0x20}

// LinkZone returns the zone a link is assigned to ("" for the global
// zone) and whether the link exists (dladm_name2info() and
// zone_check_datalink(), as zoneadm.c verify_handle() uses them). The
// caller holds the sim's state lock.
func LinkZone(root, name string) (zone string, exists bool, err error) {
	t, err := load(root)
	if err != nil {
		return "", false, err
	}
	l, ok := t.Links[name]
	if !ok {
		return "", false, nil
	}
	return l.Zone, true, nil
}
