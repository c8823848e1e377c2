package ansible_test

import (
	"context"
	"fmt"

	"github.com/zonemgr/zonemgr/internal/ansible"
)

// helloModule is a module that keeps a greeting file for a zone. A module
// binary's main is then just: os.Exit(ansible.Main(helloModule())).
func helloModule(existing map[string]bool) *ansible.Module {
	return &ansible.Module{
		Spec: ansible.Spec{
			Module:      "zone_hello",
			Description: "Keep a greeting for a zone.",
			Options: []ansible.Option{
				{Name: "name", Required: true, Aliases: []string{"zone"}, Description: "Zone name."},
				{Name: "state", Default: "present", Choices: []string{"present", "absent"}},
			},
			SupportsCheckMode: true,
		},
		Run: func(ctx context.Context, p *ansible.Params) (*ansible.Result, error) {
			name, want := p.Str("name"), p.Str("state") == "present"
			have := existing[name]
			res := &ansible.Result{Changed: have != want}
			res.Set("zone", name)
			if p.Diff && res.Changed {
				res.Diff = ansible.Diff{Before: fmt.Sprintf("exists: %v\n", have), After: fmt.Sprintf("exists: %v\n", want)}
			}
			if !res.Changed || p.CheckMode {
				return res, nil
			}
			if name == "global" {
				return nil, &ansible.FailError{Msg: "refusing to greet the global zone", Values: map[string]any{"zone": name}}
			}
			existing[name] = want
			res.Msg = "greeting " + p.Str("state")
			return res, nil
		},
	}
}

func Example() {
	m := helloModule(map[string]bool{})
	for _, args := range []string{
		`{"zone": "z1", "_ansible_check_mode": true, "_ansible_diff": true}`,
		`{"name": "z1"}`,
		`{"name": "z1"}`,
		`{"name": "global"}`,
		`{"name": "z1", "state": "gone"}`,
	} {
		out, code := ansible.Invoke(context.Background(), m, []byte(args))
		fmt.Printf("%d %s", code, out)
	}
	// Output:
	// 0 {"changed":true,"diff":{"before":"exists: false\n","after":"exists: true\n"},"failed":false,"invocation":{"module_args":{"name":"z1","state":"present","zone":"z1"}},"msg":"","zone":"z1"}
	// 0 {"changed":true,"failed":false,"invocation":{"module_args":{"name":"z1","state":"present"}},"msg":"greeting present","zone":"z1"}
	// 0 {"changed":false,"failed":false,"invocation":{"module_args":{"name":"z1","state":"present"}},"msg":"","zone":"z1"}
	// 1 {"changed":false,"failed":true,"invocation":{"module_args":{"name":"global","state":"present"}},"msg":"refusing to greet the global zone","zone":"global"}
	// 1 {"changed":false,"failed":true,"invocation":{"module_args":{"name":"z1","state":"gone"}},"msg":"state: value \"gone\" is not one of: present, absent"}
}

func ExampleJudge() {
	v := ansible.Judge([]byte("motd\n{\"rc\": 2, \"stdout\": \"make: *** [all] Error 2\"}\n"), 0, nil)
	fmt.Println(v.Failed, v.Result["stdout_lines"])
	// Output:
	// true [make: *** [all] Error 2]
}
