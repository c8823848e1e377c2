package zones

import "os"

// An installed ipkg zone has the SSH server's configuration directory
// /etc/ssh: network/ssh is part of the base installation (svc.go lists
// its service), and tools that prepare a fresh zone from the global zone
// write into it (community.general.solaris_zone generates the zone's host
// keys in <zonepath>/root/etc/ssh right after zoneadm install).
// [derived] The reference does not list a zone's /etc/ssh; the file below
// is the configuration's usual head, not a copy of a distribution's file.
func init() {
	zoneFiles = append(zoneFiles, struct {
		path string
		mode os.FileMode
		text string
	}{"etc/ssh/sshd_config", 0o644, `# sshd_config(5)
PermitRootLogin no
PasswordAuthentication yes
`})
}
