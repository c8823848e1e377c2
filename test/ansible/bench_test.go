package ansibletest

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// BenchmarkNoopPlay measures ansible-playbook against the sim: a play of
// ten zone_giz tasks that find the golden zone as wanted (changed=0),
// and the same play with one task. It reports the wall time of the
// ten-task play, its time per task, and the cost of one more task (the
// difference of the two plays over nine tasks, start-up excluded).
//
//	go test ./test/ansible -run '^$' -bench NoopPlay -benchtime 5x
func BenchmarkNoopPlay(b *testing.B) {
	s := NewSim(b)
	s.Golden()
	play := func(tasks int) string {
		var p strings.Builder
		p.WriteString("- hosts: build_gz\n  gather_facts: false\n  tasks:\n")
		for range tasks {
			p.WriteString("    - illumos.zonemgr.zone_giz: {name: golden, add_packages: [developer/build/gnu-make], copy_users: [jenkins], copy_groups: [jenkins], elevate_users: [jenkins]}\n")
		}
		file := fmt.Sprintf("%s/noop%d.yml", s.Dir, tasks)
		s.WriteFile(file, p.String())
		return file
	}
	ten, one := play(10), play(1)
	var tenTotal, oneTotal time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		r := s.MustPlaybook(ten)
		tenTotal += time.Since(start)
		if r.Recap != (Recap{OK: 10}) {
			b.Fatalf("ten-task play: recap %+v, want ok=10 changed=0", r.Recap)
		}
		start = time.Now()
		s.MustPlaybook(one)
		oneTotal += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(tenTotal.Seconds()/n, "s/play10")
	b.ReportMetric(tenTotal.Seconds()/n/10, "s/task")
	b.ReportMetric((tenTotal-oneTotal).Seconds()/n/9, "s/extra-task")
}
