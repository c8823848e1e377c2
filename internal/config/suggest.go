package config

import (
	"strings"

	"github.com/zonemgr/zonemgr/internal/suggest"
)

// closestKey returns the configuration variable whose name is the fewest
// single-character edits from key, ignoring case; the first in Keys order
// on a tie.
func closestKey(key string) string {
	best, _ := suggest.Nearest(strings.ToUpper(key), Keys())
	return best
}
