package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The global zone's LDAP client files the test creates, with their modes.
var ldapFiles = []struct {
	path, data string
	mode       os.FileMode
}{
	{"/var/ldap/ldap_client_file", "NS_LDAP_FILE_VERSION= 2.0\nNS_LDAP_SERVERS= ldap.example.com\nNS_LDAP_SEARCH_BASEDN= dc=example,dc=com\n", 0o644},
	{"/var/ldap/ldap_client_cred", "NS_LDAP_BINDDN= cn=proxyagent,ou=profile,dc=example,dc=com\nNS_LDAP_BINDPASSWD= {NS1}c2VjcmV0LXByb3h5LXB3\n", 0o600},
	{"/etc/nsswitch.conf", "passwd: files ldap\ngroup: files ldap\nhosts: files dns\n", 0o644},
}

func TestLDAPClient(t *testing.T) {
	s := NewSim(t)
	s.MustModule("zone_giz", map[string]any{"name": "golden"})

	mark := len(s.Log())
	res := s.Module("zone_diz", map[string]any{"name": "d1", "giz": "golden", "ldap_client": true})
	if res["failed"] != true || !strings.Contains(fmt.Sprint(res["msg"]), "ldap_client: the global zone has no LDAP client configured (/var/ldap/ldap_client_file does not exist)") {
		t.Errorf("ldap_client without a configuration: %s", pretty(res))
	}
	if m := Mutating(s.Log()[mark:]); len(m) > 0 {
		t.Errorf("refused ldap_client ran %v", m)
	}

	for _, f := range ldapFiles {
		p := filepath.Join(s.Root, f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.data), f.mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, f.mode)
	}
	res = s.MustModule("zone_diz", map[string]any{"name": "d1", "giz": "golden", "state": "running", "ldap_client": true})
	for _, f := range ldapFiles {
		p := filepath.Join(s.Root, "zones/_zonemgr/DIZ/d1/root", f.path)
		fi, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s not in the zone: %v", f.path, err)
			continue
		}
		if b, _ := os.ReadFile(p); string(b) != f.data || fi.Mode().Perm() != f.mode {
			t.Errorf("%s in the zone: mode %v, %q; want %v, %q", f.path, fi.Mode().Perm(), b, f.mode, f.data)
		}
	}
	out, errOut, code := s.Run(nil, "zlogin", "d1", "svcs", "-H", "-o", "state", "svc:/network/ldap/client:default")
	if code != 0 || strings.TrimSpace(out) != "online" {
		t.Errorf("ldap/client in the zone: exit %d, %q %q", code, out, errOut)
	}

	secret := "c2VjcmV0LXByb3h5LXB3"
	if strings.Contains(pretty(res), secret) {
		t.Errorf("the credentials appear in the result")
	}
	for _, e := range s.Log() {
		if strings.Contains(strings.Join(e.Argv, " "), secret) {
			t.Errorf("the credentials appear in the command log: %v", e.Argv)
		}
	}
	journal, _ := os.ReadDir(filepath.Join(s.Root, "var/zonemgr/journal"))
	for _, j := range journal {
		if b, _ := os.ReadFile(filepath.Join(s.Root, "var/zonemgr/journal", j.Name())); strings.Contains(string(b), secret) {
			t.Errorf("the credentials appear in journal %s", j.Name())
		}
	}
	cliOut, cliErr, code := s.Run(nil, "zonemgr", "-d", "4", "create-diz", "-c", "golden", "-z", "d2", "--ldap-client")
	if code != 0 || strings.Contains(cliOut+cliErr, secret) {
		t.Errorf("zonemgr create-diz --ldap-client: exit %d, credentials shown: %v\n%s", code, strings.Contains(cliOut+cliErr, secret), cliErr)
	}
}
