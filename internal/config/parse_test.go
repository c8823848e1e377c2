package config_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/zonemgr/zonemgr/internal/config"
)

func TestParseValues(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // the value of EXEC_CMD
	}{
		{"unquoted", `EXEC_CMD=gmake`, "gmake"},
		{"empty", `EXEC_CMD=`, ""},
		{"empty quotes", `EXEC_CMD=''`, ""},
		{"single quotes", `EXEC_CMD='cd /src && gmake "all"'`, `cd /src && gmake "all"`},
		{"single quotes keep backslashes", `EXEC_CMD='a\nb\'`, `a\nb\`},
		{"double quotes", `EXEC_CMD="gmake all"`, "gmake all"},
		{"double-quote escapes", "EXEC_CMD=\"say \\\"hi\\\" \\\\ \\$5 \\` done\"", "say \"hi\" \\ $5 ` done"},
		{"other backslashes stay", `EXEC_CMD="a\nb\tc"`, `a\nb\tc`},
		{"escaped newline in double quotes", "EXEC_CMD=\"a \\\nb\"", "a b"},
		{"newline in double quotes", "EXEC_CMD=\"a\nb\"", "a\nb"},
		{"newline in single quotes", "EXEC_CMD='a\nb'", "a\nb"},
		{"unquoted backslash", `EXEC_CMD=a\ b\"c\\`, `a b"c\`},
		{"unquoted line continuation", "EXEC_CMD=ab\\\ncd", "abcd"},
		{"joined parts", `EXEC_CMD=a'b c'"d e"f`, "ab cd ef"},
		{"quote inside single quotes", `EXEC_CMD='it'\''s'`, "it's"},
		{"hash inside a word", `EXEC_CMD=a#b`, "a#b"},
		{"hash at value start", `EXEC_CMD=#x`, "#x"},
		{"comment after value", `EXEC_CMD=gmake # build it`, "gmake"},
		{"comment after empty value", `EXEC_CMD= # nothing`, ""},
		{"quoted hash", `EXEC_CMD="a #b"`, "a #b"},
		{"export", `export EXEC_CMD=gmake`, "gmake"},
		{"export with tabs", "export\tEXEC_CMD=gmake\t", "gmake"},
		{"several on a line", `EXEC_USER=me EXEC_CMD=gmake`, "gmake"},
		{"crlf", "EXEC_CMD=gmake\r\n", "gmake"},
		{"lone dollar", `EXEC_CMD="costs 5$"`, "costs 5$"},
		{"glob characters", `EXEC_CMD=*.c`, "*.c"},
		{"utf-8", `EXEC_CMD='größe ✓'`, "größe ✓"},
		{"last wins", "EXEC_CMD=a\nEXEC_CMD=b", "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assigns, warns, err := config.Parse(strings.NewReader(tt.in), "test.conf")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(warns) != 0 {
				t.Errorf("warnings: %v", warns)
			}
			got, found := "", false
			for _, a := range assigns {
				if a.Key == "EXEC_CMD" {
					got, found = a.Value, true
				}
			}
			if !found || got != tt.want {
				t.Errorf("EXEC_CMD = %q (found %v), want %q", got, found, tt.want)
			}
		})
	}
}

func TestParseLines(t *testing.T) {
	in := `# zonemgr configuration
DATASET_CONTAINMENT_GIZ="rpool/zones/_zonemgr-test/GIZ"

   # indented comment
export DATASET_CONTAINMENT_DIZ=rpool/zones/_zonemgr-test/DIZ
export DATASET_CONTAINMENT_DIZ
DATASET_CONTAINMENT_GIZ_DEDUP=on EXEC_CMD='multi
line'
BRAND_GIZ=lipkg   # OmniOS
:
true
true # the original's files ended with a true evaluation
`
	assigns, warns, err := config.Parse(strings.NewReader(in), "z.conf")
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	want := []config.Assignment{
		{Key: "DATASET_CONTAINMENT_GIZ", Value: "rpool/zones/_zonemgr-test/GIZ", File: "z.conf", Line: 2},
		{Key: "DATASET_CONTAINMENT_DIZ", Value: "rpool/zones/_zonemgr-test/DIZ", File: "z.conf", Line: 5},
		{Key: "DATASET_CONTAINMENT_GIZ_DEDUP", Value: "on", File: "z.conf", Line: 7},
		{Key: "EXEC_CMD", Value: "multi\nline", File: "z.conf", Line: 7},
		{Key: "BRAND_GIZ", Value: "lipkg", File: "z.conf", Line: 9},
	}
	if !reflect.DeepEqual(assigns, want) {
		t.Errorf("Parse:\n got  %+v\n want %+v", assigns, want)
	}
}

func TestParseWarnings(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		value string
		want  []string
	}{
		{
			name:  "command substitution",
			in:    "\nEXEC_CMD=$(hostname -s)",
			value: "$(hostname -s)",
			want:  []string{`f.conf:2: EXEC_CMD: "$(" taken literally: commands are not run`},
		},
		{
			name:  "nested command substitution",
			in:    `EXEC_CMD="$(echo $(id))"`,
			value: "$(echo $(id))",
			want:  []string{`f.conf:1: EXEC_CMD: "$(" taken literally: commands are not run`},
		},
		{
			name:  "backticks",
			in:    "EXEC_CMD=`uname -n`",
			value: "`uname -n`",
			want:  []string{"f.conf:1: EXEC_CMD: \"`\" taken literally: commands are not run"},
		},
		{
			name:  "variable",
			in:    `EXEC_CMD="$HOME/bin/build"`,
			value: "$HOME/bin/build",
			want:  []string{`f.conf:1: EXEC_CMD: "$HOME" taken literally: variables are not expanded`},
		},
		{
			name:  "braced variable",
			in:    `EXEC_CMD=${PREFIX:-/opt}/bin`,
			value: "${PREFIX:-/opt}/bin",
			want:  []string{`f.conf:1: EXEC_CMD: "${PREFIX:-/opt}" taken literally: variables are not expanded`},
		},
		{
			name:  "special parameter",
			in:    `EXEC_CMD=build-$$`,
			value: "build-$$",
			want:  []string{`f.conf:1: EXEC_CMD: "$$" taken literally: variables are not expanded`},
		},
		{
			name:  "tilde",
			in:    `EXEC_CMD=~/build.sh`,
			value: "~/build.sh",
			want:  []string{`f.conf:1: EXEC_CMD: "~" taken literally: home directories are not expanded`},
		},
		{
			name:  "escaped and single-quoted dollars are fine",
			in:    `EXEC_CMD="\$HOME"'$(x)'`,
			value: "$HOME$(x)",
		},
		{
			name:  "one warning per kind",
			in:    `EXEC_CMD="$(a) $(b)"`,
			value: "$(a) $(b)",
			want:  []string{`f.conf:1: EXEC_CMD: "$(" taken literally: commands are not run`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assigns, warns, err := config.Parse(strings.NewReader(tt.in), "f.conf")
			if err != nil {
				t.Fatal(err)
			}
			if len(assigns) != 1 || assigns[0].Value != tt.value {
				t.Errorf("assignments = %+v, want EXEC_CMD=%q", assigns, tt.value)
			}
			var got []string
			for _, w := range warns {
				got = append(got, w.String())
				if w.Key != "EXEC_CMD" {
					t.Errorf("warning key = %q", w.Key)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("warnings:\n got  %q\n want %q", got, tt.want)
			}
		})
	}
}

func TestParseUnknownKeys(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"ELEVATE_CDM=sudo", "u.conf:1: unknown key ELEVATE_CDM ignored; the closest known key is ELEVATE_CMD"},
		{"zonemgr_root=/sim", "u.conf:1: unknown key zonemgr_root ignored; the closest known key is ZONEMGR_ROOT"},
		{"DATASET_CONTAINMENT_GIZ_COMPRESION=lz4", "u.conf:1: unknown key DATASET_CONTAINMENT_GIZ_COMPRESION ignored; the closest known key is DATASET_CONTAINMENT_GIZ_COMPRESSION"},
		{"\n\nBOOT_TIMOUT=5", "u.conf:3: unknown key BOOT_TIMOUT ignored; the closest known key is BOOT_TIMEOUT"},
		{"DIZ_PREFIX=x", "u.conf:1: unknown key DIZ_PREFIX ignored; the closest known key is DIZ_NAME_PREFIX"},
		{"PATH=/opt/bin", "u.conf:1: unknown key PATH ignored; the closest known key is ACTION"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, warns, err := config.Parse(strings.NewReader(tt.in), "u.conf")
			if err != nil {
				t.Fatal(err)
			}
			if len(warns) != 1 || warns[0].String() != tt.want {
				t.Errorf("warnings = %v, want %q", warns, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"command", "BRAND_GIZ=ipkg\n. /etc/other.conf\n", `e.conf:2: not a KEY=VALUE assignment: ". /etc/other.conf" (configuration files are read, not run)`},
		{"if", "if true; then\n", `e.conf:1: not a KEY=VALUE assignment: "if true; then" (configuration files are read, not run)`},
		{"space before equals", "BRAND_GIZ = ipkg", `e.conf:1: not a KEY=VALUE assignment: "BRAND_GIZ = ipkg" (configuration files are read, not run)`},
		{"default idiom", `: "${ELEVATE_CMD:=sudo}"`, `e.conf:1: not a KEY=VALUE assignment: ": \"${ELEVATE_CMD:=sudo}\"" (configuration files are read, not run)`},
		{"command after assignment", "EXEC_CMD=gmake install", `e.conf:1: unexpected "install" after an assignment (a shell would run it as a command)`},
		{"semicolon", "BRAND_GIZ=ipkg; TEMPLATE_GIZ=x", `e.conf:1: BRAND_GIZ: unquoted ';' is shell syntax that is not supported; quote the value`},
		{"pipe", "EXEC_CMD=a|b", `e.conf:1: EXEC_CMD: unquoted '|' is shell syntax that is not supported; quote the value`},
		{"redirection", "\n\nOUTFILE=>x", `e.conf:3: OUTFILE: unquoted '>' is shell syntax that is not supported; quote the value`},
		{"unterminated single quote", "A=1\nEXEC_CMD='gmake\nall\n", "e.conf:2: EXEC_CMD: unterminated single quote"},
		{"unterminated double quote", "EXEC_CMD=\"gmake", "e.conf:1: EXEC_CMD: unterminated double quote"},
		{"unterminated backslash in double quote", "EXEC_CMD=\"gmake\\", "e.conf:1: EXEC_CMD: unterminated double quote"},
		{"unterminated substitution", "EXEC_CMD=$(date", "e.conf:1: EXEC_CMD: unterminated $("},
		{"unterminated backtick", "EXEC_CMD=`date", "e.conf:1: EXEC_CMD: unterminated `"},
		{"unterminated brace", "EXEC_CMD=${X", "e.conf:1: EXEC_CMD: unterminated ${"},
		{"bad export", "export -n X", `e.conf:1: export: not a name or KEY=VALUE: "-n X"`},
		{"numeric key", "1X=2", `e.conf:1: not a KEY=VALUE assignment: "1X=2" (configuration files are read, not run)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := config.Parse(strings.NewReader(tt.in), "e.conf")
			var se *config.SyntaxError
			if !errors.As(err, &se) || err.Error() != tt.want {
				t.Errorf("error:\n got  %v\n want %s", err, tt.want)
			}
		})
	}
}
