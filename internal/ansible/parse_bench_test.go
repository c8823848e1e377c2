package ansible

import "testing"

// benchSpec has the shape of zone_diz's argument spec: a required-ish
// name with an alias, a state with choices and a default, list options
// and typed scalars.
var benchSpec = Spec{
	Module: "zone_bench",
	Options: []Option{
		{Name: "name", Aliases: []string{"zone"}},
		{Name: "giz", Aliases: []string{"origin", "clone"}},
		{Name: "snapshot", Aliases: []string{"snapname"}},
		{Name: "state", Default: "present", Choices: []string{"present", "running", "stopped", "ready", "mounted", "restarted", "absent"}},
		{Name: "mount_lofs", Type: TypeList, Elements: TypeStr},
		{Name: "mount_autonfs", Type: TypeList, Elements: TypeStr},
		{Name: "delegate_datasets", Type: TypeList, Elements: TypeStr},
		{Name: "add_vnics_over", Aliases: []string{"auto_vnics"}, Type: TypeList, Elements: TypeStr},
		{Name: "copy_users", Type: TypeList, Elements: TypeStr},
		{Name: "copy_groups", Type: TypeList, Elements: TypeStr},
		{Name: "elevate_users", Type: TypeList, Elements: TypeStr},
		{Name: "capped_memory"},
		{Name: "boot_timeout", Type: TypeInt},
		{Name: "wait", Type: TypeBool, Default: true},
		{Name: "recreate", Type: TypeBool, Default: false},
	},
	SupportsCheckMode: true,
}

func BenchmarkSpecParse(b *testing.B) {
	for _, c := range []struct{ name, args string }{
		{"minimal", `{"giz": "golden"}`},
		{"typical", `{"name": "build-1", "origin": "golden", "state": "running",
			"mount_lofs": ["/export/src|/export/src|ro"], "add_vnics_over": "e1000g0|81",
			"copy_users": "jenkins,builder", "elevate_users": ["jenkins"], "capped_memory": "2G",
			"boot_timeout": "300", "wait": "yes", "_ansible_check_mode": false, "_ansible_diff": true}`},
	} {
		raw := []byte(c.args)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := benchSpec.Parse(raw)
				if err != nil || p == nil {
					b.Fatalf("Parse: %v", err)
				}
			}
		})
	}
}
