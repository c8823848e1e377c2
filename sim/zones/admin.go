package zones

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/zonemgr/zonemgr/sim/core"
)

// This file carries out zonecfg's admin resources: committing a zone
// grants each admin user the zone authorizations it lists in the global
// zone's /etc/user_attr (libzonecfg's zonecfg_authorize_users()), and
// removing an admin or deleting the zone takes them back.

// zoneAuths turns an admin resource's auths ("manage,login") into the
// qualified authorizations user_attr holds.
func zoneAuths(zone, auths string) []string {
	var out []string
	for _, a := range strings.Split(auths, ",") {
		a = strings.TrimPrefix(strings.TrimSpace(a), "solaris.zone.")
		if a != "" {
			out = append(out, "solaris.zone."+a+"/"+zone)
		}
	}
	return out
}

// authorizeAdmins rewrites the user_attr authorizations for one zone:
// every user of old loses the zone's authorizations, every user of cur
// gets those its admin resource lists. The caller holds the state lock.
func authorizeAdmins(root, zone string, old, cur []Admin) error {
	want := map[string][]string{}
	for _, a := range old {
		want[a.User] = nil
	}
	for _, a := range cur {
		want[a.User] = zoneAuths(zone, a.Auths)
	}
	if len(want) == 0 {
		return nil
	}
	p := filepath.Join(root, "etc", "user_attr")
	b, err := os.ReadFile(p)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("authorize zone %s administrators: %w", zone, err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(b) == 0 {
		lines = nil
	}
	done := map[string]bool{}
	for i, l := range lines {
		if strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.SplitN(l, ":", 5)
		auths, ok := want[f[0]]
		if len(f) != 5 || !ok {
			continue
		}
		done[f[0]] = true
		lines[i] = strings.Join(f[:4], ":") + ":" + withZoneAuths(f[4], zone, auths)
	}
	users := make([]string, 0, len(want))
	for u := range want {
		users = append(users, u)
	}
	sort.Strings(users)
	for _, u := range users {
		if !done[u] && len(want[u]) > 0 {
			lines = append(lines, u+"::::auths="+strings.Join(want[u], ","))
		}
	}
	if err := core.WriteFileAtomic(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return fmt.Errorf("authorize zone %s administrators: %w", zone, err)
	}
	return nil
}

// withZoneAuths replaces the zone's authorizations in a user_attr
// attribute field ("key=value;key=value").
func withZoneAuths(attrs, zone string, auths []string) string {
	var kvs []string
	found := false
	for _, kv := range strings.Split(attrs, ";") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if k != "auths" {
			kvs = append(kvs, kv)
			continue
		}
		found = true
		var keep []string
		for _, a := range strings.Split(v, ",") {
			if a != "" && !strings.HasSuffix(a, "/"+zone) {
				keep = append(keep, a)
			}
		}
		keep = append(keep, auths...)
		if len(keep) > 0 {
			kvs = append(kvs, "auths="+strings.Join(keep, ","))
		}
	}
	if !found && len(auths) > 0 {
		kvs = append(kvs, "auths="+strings.Join(auths, ","))
	}
	return strings.Join(kvs, ";")
}
