package integration

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// injections are shell payloads that each create the file mark when a
// shell ever interprets them.
func injections(mark string) []string {
	return []string{
		"$(touch " + mark + ")",
		"; touch " + mark,
		"`touch " + mark + "`",
		"x'; touch " + mark + "; '",
		`x"; touch ` + mark + `; "`,
		"x\ntouch " + mark,
		"x | touch " + mark,
		"x && touch " + mark,
		"/tmp/$(touch " + mark + ")",
	}
}

// findMark reports every file named base in the host's /tmp and
// anywhere under the sim root (the zones' roots included).
func findMark(t *testing.T, s *Sim, base string) []string {
	t.Helper()
	var found []string
	if _, err := os.Lstat(filepath.Join("/tmp", base)); err == nil {
		found = append(found, filepath.Join("/tmp", base))
	}
	filepath.WalkDir(s.Root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == base {
			found = append(found, p)
		}
		return nil
	})
	return found
}

// TestInjection gives every string option of every module, and the CLI's
// string flags, each shell payload. The user's build command is the only
// string that reaches a shell (inside the zone): every other value is
// refused or passed as a literal, so no payload creates its file anywhere,
// and the sim is as it was once a zone a call legitimately made is gone.
// A positive control runs the same payload as the build command and finds
// the file in the zone, which shows the search can see one.
func TestInjection(t *testing.T) {
	s := goldenSim(t)
	// inj runs throughout, so that the execs neither boot nor halt it.
	s.MustModule("zone_diz", map[string]any{"name": "inj", "giz": "golden", "copy_users": []string{"jenkins"}, "state": "running"})
	s0 := s.State()
	// The mark is in /tmp, which the host and every zone have.
	base := "pwned-zonemgr-injection-" + filepath.Base(t.TempDir())
	mark := filepath.Join("/tmp", base)
	t.Cleanup(func() { os.Remove(mark) })
	payloads := injections(mark)

	type call struct {
		module string
		base   map[string]any
		opts   []string
		list   map[string]bool
	}
	calls := []call{
		{"zone_giz", map[string]any{"name": "g2"}, []string{"name", "brand", "template", "source", "snapshot",
			"add_publishers", "remove_publishers", "add_packages", "remove_packages", "copy_users", "copy_groups", "elevate_users", "mount_lofs"},
			map[string]bool{"add_publishers": true, "remove_publishers": true, "add_packages": true, "remove_packages": true, "copy_users": true, "copy_groups": true, "elevate_users": true, "mount_lofs": true}},
		{"zone_diz", map[string]any{"name": "d2", "giz": "golden"}, []string{"name", "giz", "snapshot", "mount_lofs", "mount_autonfs",
			"delegate_datasets", "add_vnics", "add_vnics_over", "copy_users", "copy_groups", "elevate_users", "capped_memory", "capped_cpu"},
			map[string]bool{"mount_lofs": true, "mount_autonfs": true, "delegate_datasets": true, "add_vnics": true, "add_vnics_over": true, "copy_users": true, "copy_groups": true, "elevate_users": true}},
		{"zone_exec", map[string]any{"zone": "inj", "cmd": "true"}, []string{"zone", "user", "chdir", "discard", "log"}, nil},
		{"zone_snapshot", map[string]any{"zone": "inj"}, []string{"zone", "name"}, nil},
		{"zone_info", map[string]any{}, []string{"name", "state", "role"}, nil},
	}
	tried, accepted := 0, 0
	for _, c := range calls {
		for _, opt := range c.opts {
			for _, p := range payloads {
				args := map[string]any{}
				for k, v := range c.base {
					args[k] = v
				}
				if c.list[opt] {
					args[opt] = []string{p}
				} else {
					args[opt] = p
				}
				res := s.Module(c.module, args)
				tried++
				if res["failed"] != true {
					accepted++
				}
				if _, err := os.Lstat(mark); err == nil {
					t.Fatalf("%s %s=%q created %s", c.module, opt, p, mark)
				}
				if res["changed"] == true {
					for _, z := range []string{"d2", "g2"} {
						s.Module("zone_diz", map[string]any{"name": z, "state": "absent"})
						s.Module("zone_giz", map[string]any{"name": z, "state": "absent"})
					}
				}
			}
			if f := findMark(t, s, base); len(f) > 0 {
				t.Fatalf("%s %s: one of the payloads created %v", c.module, opt, f)
			}
			if got := s.State(); got != s0 {
				t.Fatalf("%s %s: the sim changed:\n%s", c.module, opt, diffLines(s0, got))
			}
		}
	}
	// exec's environment values reach the shell only quoted.
	for _, p := range payloads {
		res := s.Module("zone_exec", map[string]any{"zone": "inj", "cmd": `printf %s "$V"`, "env": map[string]string{"V": p}})
		tried++
		if res["failed"] == true || res["stdout"] != p {
			t.Errorf("env V=%q: stdout %q, want the value itself; %v", p, res["stdout"], res["msg"])
		}
		if f := findMark(t, s, base); len(f) > 0 {
			t.Fatalf("env V=%q created %v", p, f)
		}
	}
	// The CLI's string flags.
	for _, p := range payloads {
		for _, argv := range [][]string{
			{"create-diz", "-c", "golden", "-z", p},
			{"create-diz", "-c", p, "-z", "d2"},
			{"create-diz", "-c", "golden", "-z", "d2", "--copy-users", p},
			{"create-diz", "-c", "golden", "-z", "d2", "--mount-lofs", p},
			{"create-diz", "-c", "golden", "-z", "d2", "--add-vnic-over", p},
			{"create-diz", "-c", "golden", "-z", "d2", "--delegate-dataset", p},
			{"create-giz", "-z", "g2", "--add-packages", p},
			{"snapshot", "-z", "inj", "-s", p},
			{"exec", "-z", "inj", "--exec-user", p, "--exec-cmd", "true"},
			{"get-state", p},
		} {
			_, _, code := s.Run(nil, "zonemgr", argv...)
			tried++
			if code == 0 {
				accepted++
			}
			if _, err := os.Lstat(mark); err == nil {
				t.Fatalf("zonemgr %q created %s", argv, mark)
			}
			if code == 0 {
				s.Module("zone_diz", map[string]any{"name": "d2", "state": "absent"})
			}
		}
		if f := findMark(t, s, base); len(f) > 0 {
			t.Fatalf("the command line with payload %q created %v", p, f)
		}
	}
	if got := s.State(); got != s0 {
		t.Fatalf("the sim changed:\n%s", diffLines(s0, got))
	}
	t.Logf("%d injection attempts (%d accepted as literals), no payload ran", tried, accepted)

	// Positive control: the build command is a shell command, inside the zone.
	res := s.MustModule("zone_exec", map[string]any{"zone": "inj", "cmd": payloads[0]})
	if res["rc"] != float64(0) {
		t.Fatalf("control: %v", pretty(res))
	}
	f := findMark(t, s, base)
	if len(f) != 1 || !strings.HasPrefix(f[0], filepath.Join(s.Root, "zones/_zonemgr/DIZ/inj/root")) {
		t.Errorf("control: the build command's file is at %v, want one inside zone inj", f)
	}
}
