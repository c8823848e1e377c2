// Package simstate captures, as text, everything a simulated global zone
// knows, so that end-to-end tests can say "nothing changed" or "nothing
// was left behind" by comparing two captures.
package simstate

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/zonemgr/zonemgr/sim/core"
)

// Capture returns the state of the sim rooted at root, read with the sim
// binary sim: zones with their states, datasets with their origins,
// mountpoints and holds, VNICs, and every file under the root with its
// mode and size. Left out is what changes by itself and no cleanup winds
// back: the sim's own directory, /var/run (run-time state, a tmpfs on
// illumos: the zone locks), the next zone debug id (/etc/zones/did.txt),
// the zone id a boot assigns, and the size of a zone's service
// repository, which records the times of its last boot; a zone's state
// (running, installed) still counts.
func Capture(sim, root string) (string, error) {
	var b strings.Builder
	for _, argv := range [][]string{
		{"zoneadm", "list", "-cp"},
		{"zfs", "list", "-H", "-o", "name,origin,mountpoint,zoned,userrefs", "-t", "all"},
		{"dladm", "show-vnic", "-p", "-o", "link,over,vid,macaddress,zone"},
	} {
		cmd := exec.Command(sim, argv...)
		cmd.Env = append(os.Environ(), core.EnvRoot+"="+root)
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut
		code := 0
		if err := cmd.Run(); err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				return "", fmt.Errorf("capture %s: %w", strings.Join(argv, " "), err)
			}
			code = ee.ExitCode()
		}
		fmt.Fprintf(&b, "$ %s (exit %d)\n%s%s", strings.Join(argv, " "), code, out.String(), errOut.String())
	}
	var files []string
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if rel == core.SimDir || rel == "var/run" {
			return filepath.SkipDir
		}
		size := int64(0)
		if fi.Mode().IsRegular() {
			size = fi.Size()
		}
		files = append(files, fmt.Sprintf("%s %v %d", rel, fi.Mode(), size))
		return nil
	})
	sort.Strings(files)
	b.WriteString(strings.Join(files, "\n"))
	var keep []string
	for _, l := range strings.Split(b.String(), "\n") {
		switch {
		case strings.HasPrefix(l, "etc/zones/did.txt "):
			continue
		case strings.Contains(l, "/etc/svc/repository.json "):
			f := strings.Fields(l)
			l = strings.Join(f[:len(f)-1], " ")
		default:
			l = zoneIDField.ReplaceAllString(l, "*:")
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n"), nil
}

// zoneIDField is the zone id that starts a zoneadm list -cp line.
var zoneIDField = regexp.MustCompile(`^([0-9]+|-):`)

// DiffLines shows the lines only in a (prefixed "- ") and only in b
// ("+ "), in their order.
func DiffLines(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if !mb[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !ma[l] {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
