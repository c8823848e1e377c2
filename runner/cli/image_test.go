package cli

import (
	"strings"
	"testing"
)

// The image verbs' module calls, checked by TestModuleCalls with the rest.
func init() {
	moduleCallTests = append(moduleCallTests,
		moduleCallTest{a("export-giz", "-z", "test-giz-1", "-o", "/var/tmp/g.zimg"),
			[]want{{"zone_giz", `{"name":"test-giz-1","state":"exported","image":"/var/tmp/g.zimg"}`, false}}, 0, "/var/tmp/g.zimg\n"},
		moduleCallTest{a("export-giz", "-z", "test-giz-1", "--image-file", "/var/tmp/n.zimg", "-s", "snap1", "--incremental-from", "initial-installed-test-giz-1"),
			[]want{{"zone_giz", `{"name":"test-giz-1","state":"exported","image":"/var/tmp/n.zimg","snapshot":"snap1","incremental_from":"initial-installed-test-giz-1"}`, false}}, 0, "/var/tmp/n.zimg\n"},
		moduleCallTest{a("-n", "export-giz", "-z", "test-giz-1", "-o", "/var/tmp/g.zimg"),
			[]want{{"zone_giz", `{"name":"test-giz-1","state":"exported","image":"/var/tmp/g.zimg"}`, true}}, 0,
			"zoneadm -z test-giz-1 boot\nzoneadm -z test-giz-1 halt\n/var/tmp/g.zimg\n"},
		moduleCallTest{a("import-giz", "-i", "/var/tmp/g.zimg", "-z", "g9"),
			[]want{{"zone_giz", `{"name":"g9","state":"present","image":"/var/tmp/g.zimg"}`, false}}, 0, "g9\n"},
		moduleCallTest{a("import-giz", "--image", "/var/tmp/g.zimg", "-z", "g9", "--attach-update"),
			[]want{{"zone_giz", `{"name":"g9","state":"present","image":"/var/tmp/g.zimg","attach_update":true}`, false}}, 0, "g9\n"},
		moduleCallTest{a("create-diz", "-c", "test-giz-1", "-z", "d8", "--ldap-client"),
			[]want{{"zone_diz", `{"name":"d8","giz":"test-giz-1","state":"present","ldap_client":true}`, false}}, 0, "d8\n"},
		moduleCallTest{a("create-giz", "-z", "g8", "--archive", "/var/tmp/root.tar.gz", "--ldap-client"),
			[]want{{"zone_giz", `{"name":"g8","state":"present","archive":"/var/tmp/root.tar.gz","ldap_client":true}`, false}}, 0, "g8\n"},
	)
}

func TestImageVerbErrors(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{a("export-giz", "-z", "test-giz-1"), ExitUsage, "export-giz needs -o FILE"},
		{a("export-giz", "-o", "/tmp/x.zimg"), ExitUsage, "export-giz needs a zone: -z ZONE"},
		{a("import-giz", "-z", "g9"), ExitUsage, "import-giz needs -i FILE"},
		{a("import-giz", "-i", "/nonexistent/g.zimg"), 1, "image /nonexistent/g.zimg: no such file or directory"},
		{a("import-giz", "-i", "/tmp/g.zimg", "--incremental-from", "s1"), ExitUsage, "--incremental-from"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			h := newFakeHost()
			got := runCLI(t, h, nil, tt.args...)
			if got.code != tt.code || !strings.Contains(got.stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", got.code, got.stderr, tt.code, tt.stderr)
			}
			if len(h.calls) != 0 {
				t.Errorf("module called: %v", h.calls)
			}
		})
	}
}

func TestImageVerbHelp(t *testing.T) {
	for _, word := range []string{"export-giz", "import-giz"} {
		got := runCLI(t, newFakeHost(), nil, word, "--help")
		if got.code != 0 || !strings.Contains(got.stdout, "zonemgr "+word) {
			t.Errorf("%s --help: exit %d\n%s", word, got.code, got.stdout)
		}
	}
}
