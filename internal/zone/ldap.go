package zone

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// LDAPClientService is the service a zone's directory accounts need.
const LDAPClientService = "svc:/network/ldap/client:default"

// The global zone's LDAP client configuration, as ldapclient(8) leaves
// it: the profile and, with proxy credentials, the credentials file; and
// the name-service switch that sends passwd and group lookups to LDAP.
const (
	ldapClientFile = "/var/ldap/ldap_client_file"
	ldapClientCred = "/var/ldap/ldap_client_cred"
	nsswitchConf   = "/etc/nsswitch.conf"
)

// An ldapFile is one file of the LDAP client configuration, with the
// mode and owner it has in the global zone.
type ldapFile struct {
	path     string
	data     []byte
	mode     fs.FileMode
	uid, gid uint32
}

// readLDAPClient reads the global zone's LDAP client configuration. The
// profile is required; the credentials file and nsswitch.conf are copied
// when present.
func (h *Host) readLDAPClient() ([]ldapFile, error) {
	var files []ldapFile
	for _, p := range []string{ldapClientFile, ldapClientCred, nsswitchConf} {
		f, err := h.readLDAPFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			if p == ldapClientFile {
				return nil, optErr(FieldLDAPClient, "the global zone has no LDAP client configured (%s does not exist); configure it with ldapclient init first", p)
			}
			continue
		}
		if err != nil {
			return nil, optErr(FieldLDAPClient, "read the global zone's %s: %w", p, err)
		}
		files = append(files, f)
	}
	return files, nil
}

func (h *Host) readLDAPFile(p string) (ldapFile, error) {
	fi, err := os.Stat(h.path(p))
	if err != nil {
		return ldapFile{}, err
	}
	b, err := os.ReadFile(h.path(p))
	if err != nil {
		return ldapFile{}, err
	}
	f := ldapFile{path: p, data: b, mode: fi.Mode().Perm()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		f.uid, f.gid = st.Uid, st.Gid
	}
	return f, nil
}

// ldapScript renders the shell script that installs the files in a
// booted zone (see ldapEdits) and enables the LDAP client. It is fed to
// the zone's shell on standard input, so the credentials never appear in
// an argv, a transcript or a log.
func ldapScript(files []ldapFile) string {
	return editScript(ldapEdits(files), "") + "svcadm enable -r " + LDAPClientService + "\n"
}

// ldapSteps copy the LDAP client configuration into a booted zone and
// enable the LDAP client service.
func ldapSteps(zone string, files []ldapFile) []Step {
	return []Step{{
		Why: "configure the LDAP client (" + strings.Join(ldapPaths(files), ", ") + ")",
		Cmd: &illumos.Cmd{Argv: []string{"zlogin", "-S", zone, "/bin/sh -s"}, Stdin: []byte(ldapScript(files)), ZoneStatus: true},
	}}
}

func ldapPaths(files []ldapFile) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.path
	}
	return out
}
