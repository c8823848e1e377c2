package config

import (
	"os"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that what it accepts is well
// formed, and that every value it reads survives Print's quoting.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"",
		"EXEC_CMD=gmake\n",
		`EXEC_CMD='it'\''s' BRAND_GIZ="a \"b\" \$c"` + "\n",
		"export EXEC_CMD=a\\\nb # c\n:\ntrue\n",
		"EXEC_CMD=$(echo `id` ${X:-y} $$)\n",
		"EXEC_CMD='unterminated\n",
		"EXEC_CMD=a; b | c\n",
		"if true; then X=1; fi\n",
		"EXEC_CMD=\"multi\nline\"\r\n",
		"X=~/a\\",
	} {
		f.Add(seed)
	}
	if b, err := os.ReadFile("testdata/selftest.conf"); err == nil {
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, in string) {
		assigns, _, err := Parse(strings.NewReader(in), "fuzz.conf")
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			return
		}
		lines := strings.Count(in, "\n") + 1
		for _, a := range assigns {
			if a.Key == "" || !isNameStart(a.Key[0]) || strings.IndexFunc(a.Key, func(r rune) bool { return r > 0x7f || !isNameChar(byte(r)) }) >= 0 {
				t.Fatalf("bad key %q", a.Key)
			}
			if a.Line < 1 || a.Line > lines || a.File != "fuzz.conf" {
				t.Fatalf("bad position %s:%d (%d lines)", a.File, a.Line, lines)
			}
			back, warns, err := Parse(strings.NewReader(a.Key+"="+quote(a.Value)+"\n"), "quoted.conf")
			if err != nil || len(back) != 1 || back[0].Value != a.Value {
				t.Fatalf("%s=%q: quoted and read back as %+v, %v", a.Key, a.Value, back, err)
			}
			for _, w := range warns {
				if !strings.Contains(w.Msg, "unknown key") {
					t.Fatalf("%s=%q: quoted value warns: %v", a.Key, a.Value, w)
				}
			}
		}
	})
}
