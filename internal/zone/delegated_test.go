package zone

import (
	"errors"
	"strings"
	"testing"
)

// A delegated dataset is wholly the zone's: one that holds zonemgr's
// containers, lies in the containers of zones' own datasets, or holds
// the global zone's boot environments is refused, naming the option.
func TestDelegateScope(t *testing.T) {
	h, _ := fakeHost(t)
	w := &World{Zones: map[string]*Zone{}}
	for _, tc := range []struct{ name, want string }{
		{"rpool/export/ccache", ""},
		{"rpool/zones/_zonemgr/delegated/b2", ""},
		{"rpool/zones", "rpool/zones holds zonemgr's dataset rpool/zones/_zonemgr/GIZ: a zone it were delegated to would control every zone's datasets"},
		{"rpool/zones/_zonemgr", "holds zonemgr's dataset rpool/zones/_zonemgr/GIZ"},
		{"rpool/zones/_zonemgr/delegated", "holds zonemgr's dataset rpool/zones/_zonemgr/delegated"},
		{"rpool/zones/_zonemgr/GIZ/golden/data", "lies in rpool/zones/_zonemgr/GIZ, which holds zones' own datasets"},
		{"rpool/zones/_zonemgr/DIZ/b1", "lies in rpool/zones/_zonemgr/DIZ"},
		{"rpool/ROOT", "rpool/ROOT: rpool/ROOT holds the global zone's boot environments"},
		{"rpool/ROOT/omnios/var", "rpool/ROOT holds the global zone's boot environments"},
	} {
		err := h.checkDelegateScope(w, tc.name)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var oe *OptionError
		if !errors.As(err, &oe) || oe.Field != FieldDatasets || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error on %s mentioning %q", tc.name, err, FieldDatasets, tc.want)
		}
	}
}
