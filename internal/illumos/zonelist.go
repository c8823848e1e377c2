package illumos

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// GlobalZone is the name of the global zone.
const GlobalZone = "global"

// The zone states zoneadm prints (illumos-commands.md §1.1), lowest first.
// There is no "unavailable" on illumos.
const (
	StateConfigured   = "configured"
	StateIncomplete   = "incomplete"
	StateInstalled    = "installed"
	StateReady        = "ready"
	StateRunning      = "running"
	StateShuttingDown = "shutting_down"
	StateDown         = "down"
	StateMounted      = "mounted"
)

var stateRanks = map[string]int{
	StateConfigured: 0, StateIncomplete: 1, StateInstalled: 2, StateReady: 3,
	StateRunning: 4, StateShuttingDown: 5, StateDown: 6, StateMounted: 7,
}

// StateRank returns the number libzonecfg gives a zone state; zoneadm
// compares states by it (so incomplete is below installed). ok is false
// for a word that is not a state.
func StateRank(state string) (rank int, ok bool) {
	rank, ok = stateRanks[state]
	return rank, ok
}

// InKernel reports whether a zone in state exists in the kernel (ready,
// running, shutting_down, down or mounted) and so has a zone id.
func InKernel(state string) bool {
	r, ok := stateRanks[state]
	return ok && r >= stateRanks[StateReady]
}

// A ZoneEntry is one line of `zoneadm list -p`.
type ZoneEntry struct {
	// ID is the kernel zone id, -1 for a zone not in the kernel ("-").
	ID       int
	Name     string
	State    string
	Zonepath string
	// UUID is empty for configured zones and the global zone.
	UUID  string
	Brand string
	// IPType is "shared" or "excl", as zoneadm prints it.
	IPType string
	// DebugID is OmniOS's eighth field, empty elsewhere.
	DebugID string
}

// ParseZoneList parses `zoneadm list -p` output (any of -c, -i, -n, -z):
// seven fields on illumos-gate and OpenIndiana, eight on OmniOS (debugid);
// further fields are ignored, as zoneadm(8) asks. In the zonepath each ':'
// is printed as "\:"; a backslash is not escaped, so one that does not
// precede ':' is taken literally.
func ParseZoneList(b []byte) ([]ZoneEntry, error) {
	var zones []ZoneEntry
	for i, line := range splitLines(b) {
		n := i + 1
		if line == "" {
			continue
		}
		f := splitEscaped(line, ':', false)
		if len(f) < 7 {
			return nil, fmt.Errorf("parse zoneadm list line %d %q: %d fields, want at least 7", n, line, len(f))
		}
		z := ZoneEntry{
			Name: f[1], State: f[2], Zonepath: f[3], UUID: f[4], Brand: f[5], IPType: f[6],
		}
		if len(f) > 7 {
			z.DebugID = f[7]
		}
		if f[0] == "-" {
			z.ID = -1
		} else {
			id, err := strconv.Atoi(f[0])
			if err != nil || id < 0 {
				return nil, fmt.Errorf("parse zoneadm list line %d: zone id %q is neither a number nor \"-\"", n, f[0])
			}
			z.ID = id
		}
		if z.Name == "" {
			return nil, fmt.Errorf("parse zoneadm list line %d: empty zone name", n)
		}
		if _, ok := stateRanks[z.State]; !ok {
			return nil, fmt.Errorf("parse zoneadm list line %d: unknown zone state %q", n, z.State)
		}
		zones = append(zones, z)
	}
	return zones, nil
}

// An IndexEntry is one zone of /etc/zones/index.
type IndexEntry struct {
	Name     string
	State    string
	Zonepath string
	UUID     string
}

// ParseZoneIndex parses /etc/zones/index: lines "name:state:zonepath:uuid"
// (the global zone's line has no uuid), '#' comments, and a zonepath in
// double quotes when it contains ':'. Only the persisted states
// configured, incomplete and installed may appear.
func ParseZoneIndex(b []byte) ([]IndexEntry, error) {
	var entries []IndexEntry
	for i, line := range splitLines(b) {
		n := i + 1
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, rest, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("parse zone index line %d %q: no state field", n, line)
		}
		state, rest, _ := strings.Cut(rest, ":")
		var path string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("parse zone index line %d: unterminated quoted zonepath", n)
			}
			path = rest[1 : 1+end]
			rest = rest[2+end:]
			if rest != "" && rest[0] != ':' {
				return nil, fmt.Errorf("parse zone index line %d: text after quoted zonepath", n)
			}
			rest = strings.TrimPrefix(rest, ":")
		} else {
			path, rest, _ = strings.Cut(rest, ":")
		}
		uuid, _, _ := strings.Cut(rest, ":")
		if name == "" {
			return nil, fmt.Errorf("parse zone index line %d: empty zone name", n)
		}
		switch state {
		case StateConfigured, StateIncomplete, StateInstalled:
		default:
			return nil, fmt.Errorf("parse zone index line %d: zone %s has state %q, want configured, incomplete or installed", n, name, state)
		}
		entries = append(entries, IndexEntry{Name: name, State: state, Zonepath: path, UUID: uuid})
	}
	return entries, nil
}

// splitLines splits text into lines without their newlines; a final
// newline does not start another line.
func splitLines(b []byte) []string {
	s := string(bytes.TrimSuffix(b, []byte("\n")))
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// splitEscaped splits line at sep characters not preceded by a backslash
// and removes the backslash of "\<sep>". With escapedBackslash, "\\" also
// stands for one backslash; without it, a backslash before anything but
// sep is kept as is.
func splitEscaped(line string, sep byte, escapedBackslash bool) []string {
	var fields []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line) && line[i+1] == sep:
			cur.WriteByte(sep)
			i++
		case c == '\\' && escapedBackslash && i+1 < len(line) && line[i+1] == '\\':
			cur.WriteByte('\\')
			i++
		case c == sep:
			fields = append(fields, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(fields, cur.String())
}
