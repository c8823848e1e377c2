package play

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

func TestUnifiedDiff(t *testing.T) {
	// Expected texts are Python difflib.unified_diff's, with Ansible's
	// handling of a last line without a newline.
	tests := []struct {
		before, after, want string
	}{
		{"state: absent\n", "state: present\n", "--- before: z\n+++ after: z\n@@ -1 +1 @@\n-state: absent\n+state: present\n"},
		{"a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n", "a\nb\nC\nd\ne\nf\ng\nh\ni\nJ\nk\n", "--- before: z\n+++ after: z\n@@ -1,11 +1,11 @@\n a\n b\n-c\n+C\n d\n e\n f\n g\n h\n i\n-j\n+J\n k\n"},
		{"a\nb\nc\n", "a\nb\nc\nd\n", "--- before: z\n+++ after: z\n@@ -1,3 +1,4 @@\n a\n b\n c\n+d\n"},
		{"", "new\n", "--- before: z\n+++ after: z\n@@ -0,0 +1 @@\n+new\n"},
		{"old\n", "", "--- before: z\n+++ after: z\n@@ -1 +0,0 @@\n-old\n"},
		{"x\ny", "x\nz", "--- before: z\n+++ after: z\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+z\n\\ No newline at end of file\n"},
		{"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n", "1\n2\n3\n4\n5\n6\nX\n8\n9\n10\n11\n12\n13\n14\n15\n", "--- before: z\n+++ after: z\n@@ -4,7 +4,7 @@\n 4\n 5\n 6\n-7\n+X\n 8\n 9\n 10\n"},
		{
			"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n",
			"1\ntwo\n3\n4\n5\n6\n7\n8\n9\n11\n12\n13\n14\n15\n16\n17\neighteen\n19\n20\n",
			"--- before: z\n+++ after: z\n@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n@@ -7,7 +7,6 @@\n 7\n 8\n 9\n-10\n 11\n 12\n 13\n@@ -15,6 +14,6 @@\n 15\n 16\n 17\n-18\n+eighteen\n 19\n 20\n",
		},
		{"same\n", "same\n", ""},
	}
	for _, tc := range tests {
		if got := unifiedDiff(tc.before, tc.after, "before: z", "after: z", 3); got != tc.want {
			t.Errorf("unifiedDiff(%q, %q) =\n%s\nwant:\n%s", tc.before, tc.after, got, tc.want)
		}
	}
}

func TestRenderDiff(t *testing.T) {
	got := renderDiff([]any{
		dict(map[string]any{"before": map[string]any{"b": []any{1, map[string]any{"c": true}}, "a": "x"}, "after": nil}),
		dict(map[string]any{"before": "", "after": "x\n", "before_header": "h"}),
		dict(map[string]any{"prepared": "prepared text\n"}),
	})
	want := "--- before\n+++ after\n@@ -1,9 +0,0 @@\n-{\n-    \"a\": \"x\",\n-    \"b\": [\n-        1,\n-        {\n-            \"c\": true\n-        }\n-    ]\n-}\n" +
		"\n--- before: h\n+++ after\n@@ -0,0 +1 @@\n+x\n" +
		"\nprepared text\n"
	if got != want {
		t.Errorf("renderDiff =\n%s\nwant:\n%s", got, want)
	}
}

func TestUseColor(t *testing.T) {
	noEnv := func(string) string { return "" }
	noColor := func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return ""
	}
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	regular, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer regular.Close()
	tests := []struct {
		name   string
		w      any
		getenv func(string) string
		want   bool
	}{
		{"character device", devNull, noEnv, true},
		{"character device with NO_COLOR", devNull, noColor, false},
		{"regular file", regular, noEnv, false},
		{"buffer", &bytes.Buffer{}, noEnv, false},
	}
	for _, tc := range tests {
		w := tc.w.(interface{ Write([]byte) (int, error) })
		if got := useColor(w, tc.getenv); got != tc.want {
			t.Errorf("%s: useColor = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestNoColorOffTerminal(t *testing.T) {
	res := runPlay(t, "- fail: {}\n  ignore_errors: true\n- echo: {changed: true, warn: w}\n", Options{}, nil)
	if strings.Contains(res.stdout, "\033[") || strings.Contains(res.stderr, "\033[") {
		t.Errorf("colour written to a buffer:\n%q\n%q", res.stdout, res.stderr)
	}
}

func TestColoredOutput(t *testing.T) {
	var out bytes.Buffer
	d := &display{out: &lineWriter{w: &out}, errw: &out, color: true}
	d.taskLine(&task{action: "echo"}, outcome{res: jinja.DictOf("changed", true)}, false, 0)
	d.taskLine(&task{action: "echo"}, outcome{res: jinja.DictOf("changed", false)}, false, 0)
	d.taskLine(&task{action: "echo"}, outcome{res: jinja.DictOf("skipped", true)}, false, 0)
	d.taskLine(&task{action: "fail"}, outcome{res: jinja.DictOf("failed", true, "msg", "x")}, false, 0)
	d.line("...ignoring", colorSkip)
	want := "\033[0;33mchanged: [localhost] (0.00s)\033[0m\n" +
		"\033[0;32mok: [localhost] (0.00s)\033[0m\n" +
		"\033[0;36mskipping: [localhost]\033[0m\n" +
		"\033[0;31mfatal: [localhost]: FAILED! (0.00s) => {\"msg\": \"x\"}\033[0m\n" +
		"\033[0;36m...ignoring\033[0m\n"
	if out.String() != want {
		t.Errorf("coloured lines:\n%q\nwant:\n%q", out.String(), want)
	}
	recapWant := "\033[0;31mlocalhost\033[0m                  : \033[0;32mok=2   \033[0m \033[0;33mchanged=1   \033[0m unreachable=0    \033[0;31mfailed=1   \033[0m skipped=0    rescued=0    ignored=0   "
	if got := recapLine(stats{OK: 2, Changed: 1, Failed: 1}, true); got != recapWant {
		t.Errorf("coloured recap:\n%q\nwant:\n%q", got, recapWant)
	}
	if got := recapLine(stats{OK: 2, Changed: 1, Skipped: 3, Rescued: 1, Ignored: 1}, false); got != "localhost                  : ok=2    changed=1    unreachable=0    failed=0    skipped=3    rescued=1    ignored=1   " {
		t.Errorf("plain recap = %q", got)
	}
	if got := stringc("a\nb", colorOK); got != "\033[0;32ma\033[0m\n\033[0;32mb\033[0m" {
		t.Errorf("stringc colours each line: %q", got)
	}
}

func TestLiveOutputOnStderr(t *testing.T) {
	// Live output of commands goes to standard error, as
	// ansible-playbook shows none of it on standard output.
	var out, errs bytes.Buffer
	d := &display{out: &lineWriter{w: &out}, errw: &errs}
	if _, err := d.liveOut().Write([]byte("building...")); err != nil {
		t.Fatal(err)
	}
	d.line("changed: [localhost]", "")
	if _, err := d.liveErr().Write([]byte("done\n")); err != nil {
		t.Fatal(err)
	}
	if want := "changed: [localhost]\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
	if want := "building...done\n"; errs.String() != want {
		t.Errorf("stderr %q, want %q", errs.String(), want)
	}
}

func TestVerboseCommands(t *testing.T) {
	for _, tc := range []struct {
		verbosity    int
		json         bool
		stdout, errs string
	}{
		{0, false, "", ""},
		{1, false, "", "+ zfs list  [read, rc=0, 1ms]\n"},
		{2, true, "", "+ zfs list  [read, rc=0, 1ms]\n"},
	} {
		var out, errs bytes.Buffer
		d := &display{out: &lineWriter{w: &out}, errw: &errs, verbosity: tc.verbosity, json: tc.json}
		d.command("+ zfs list  [read, rc=0, 1ms]")
		if out.String() != tc.stdout || errs.String() != tc.errs {
			t.Errorf("-v %d json %v: stdout %q stderr %q, want %q %q", tc.verbosity, tc.json, out.String(), errs.String(), tc.stdout, tc.errs)
		}
	}
	// Under --json live output goes to standard error.
	var out, errs bytes.Buffer
	d := &display{out: &lineWriter{w: &out}, errw: &errs, json: true}
	_, _ = d.liveOut().Write([]byte("make: ok\n"))
	if out.Len() != 0 || errs.String() != "make: ok\n" {
		t.Errorf("json live output: stdout %q stderr %q", out.String(), errs.String())
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                      "0.00s",
		1234 * time.Millisecond:                "1.23s",
		59990 * time.Millisecond:               "59.99s",
		312*time.Second + 400*time.Millisecond: "5m12s",
		time.Hour + 2*time.Second:              "1h0m2s",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestBanner(t *testing.T) {
	var out bytes.Buffer
	d := &display{out: &lineWriter{w: &out}}
	d.banner("TASK [" + strings.Repeat("x", 80) + "]")
	if want := "\nTASK [" + strings.Repeat("x", 80) + "] ***\n"; out.String() != want {
		t.Errorf("long banner %q, want %q", out.String(), want)
	}
}

func TestMainOptions(t *testing.T) {
	tests := []struct {
		name         string
		args         []string
		code         int
		stdout, errs string // substrings
	}{
		{"help", []string{"--help"}, 0, "Usage: zonemgr play [OPTIONS] PLAYBOOK.yml", ""},
		{"help lists options", []string{"-h"}, 0, "--start-at-task NAME", ""},
		{"bad flag", []string{"--nope", "t.yml"}, 2, "", "zonemgr: error: play: unknown flag: --nope\nUsage: zonemgr play"},
		{"no file", []string{"-v"}, 2, "", "zonemgr: error: play: expected one task file, got 0 arguments\nUsage:"},
		{"two files", []string{"a.yml", "b.yml"}, 2, "", "expected one task file, got 2 arguments"},
		{"missing file", []string{filepath.Join(t.TempDir(), "none.yml")}, 1, "", "zonemgr: error: read task file: open "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			code := Main(context.Background(), nil, tc.args, &out, &errs)
			if code != tc.code || !strings.Contains(out.String(), tc.stdout) || !strings.Contains(errs.String(), tc.errs) {
				t.Errorf("Main(%q) = %d\nstdout: %s\nstderr: %s", tc.args, code, out.String(), errs.String())
			}
			if tc.code == 0 && errs.Len() != 0 {
				t.Errorf("stderr %q, want nothing", errs.String())
			}
		})
	}
}

func TestMainRunsFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tasks.yml")
	if err := os.WriteFile(path, []byte("- debug: {msg: \"{{ playbook_dir }} {{ x }} {{ ansible_verbosity }}\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	code := Main(context.Background(), nil, []string{path, "-vv", "-e", "x=1", "--diff", "-C"}, &out, &errs)
	if code != ExitOK || !strings.Contains(out.String(), `"msg": "`+dir+` 1 2"`) {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, out.String(), errs.String())
	}
}
