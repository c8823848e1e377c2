package ansible

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
)

// FuzzParse checks that no args make Parse or Invoke panic, that accepted
// args have the declared types, and that Invoke always prints one JSON
// object whose verdict matches its exit status.
func FuzzParse(f *testing.F) {
	seeds := []string{
		verifiedArgs,
		`{"name": "z1"}`,
		`{"zone": "z1", "state": "running", "giz": "g", "boot_timeout": "30", "autoboot": "yes"}`,
		`{"name": 1, "features": "a,b", "cpus": [1, "2", 3.0], "labels": "a=1 b=2"}`,
		`{"name": "z", "mounts": [{"dir": "~/x", "src": "/y", "type": "zfs"}], "limits": {"cpu": "1.5"}}`,
		`{"name": "z", "limits": "{\"cpu\": 2, \"key\": \"k\"}", "password": "pw", "extra": {"a": [null]}}`,
		`{"name": "z", "name": "y", "zone": "x", "bogus": 1, "_ansible_check_mode": "maybe"}`,
		`{"name": "z", "boot_timeout": 1e400, "ratio": -0.0, "autovnic": false, "tags": ""}`,
		`{"name": "\ud800\u0000", "zonepath": "~root/../..//"}`,
		`[1]`, `null`, `{`, ``, `{"name": }`, `{"a":{"b":{"c":[[[[]]]]}}}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	m := &Module{
		Spec: testSpec(),
		Run: func(_ context.Context, p *Params) (*Result, error) {
			return (&Result{Changed: p.Bool("autoboot")}).Set("args", p.Args()), nil
		},
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		s := testSpec()
		p, err := s.Parse(raw)
		if err == nil {
			if !p.IsSet("name") {
				t.Errorf("accepted args without name: %s", raw)
			}
			if _, ok := p.Raw("boot_timeout").(int); !ok {
				t.Errorf("boot_timeout is %T", p.Raw("boot_timeout"))
			}
			if !slices.Contains([]string{"present", "absent", "running"}, p.Str("state")) {
				t.Errorf("state %q is not a choice", p.Str("state"))
			}
			if p.IsSet("giz") && p.IsSet("source") {
				t.Errorf("accepted giz and source together: %s", raw)
			}
		}
		out, code := Invoke(context.Background(), m, raw)
		var obj map[string]any
		if err := json.Unmarshal(out, &obj); err != nil {
			t.Fatalf("Invoke output is not a JSON object: %v: %q", err, out)
		}
		if failed, _ := obj["failed"].(bool); failed != (code == 1) {
			t.Errorf("failed = %v with exit %d", obj["failed"], code)
		}
		if (err != nil) != (code == 1) {
			t.Errorf("Parse error %v but Invoke exit %d", err, code)
		}
		if v := Judge(out, code, nil); v.Failed != (code == 1) {
			t.Errorf("Judge says failed = %v for exit %d", v.Failed, code)
		}
	})
}
