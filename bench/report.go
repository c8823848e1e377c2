package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"
)

// A report is everything one run of the suite measured.
type report struct {
	cfg          config
	date         time.Time
	elapsed      time.Duration
	startCost    time.Duration
	startSample  sample
	moduleStart  sample // ms of a module run that starts no command
	moduleInMain sample // ms of it spent in its main
	// goFloor and goFloorInMain: the same for testdata/gofloor, the
	// least a Go module binary does.
	goFloor, goFloorInMain sample
	ops                    []*opResult
	tput                   []*tputResult
	scale                  []*scaleResult
	cmp                    *cmpResult
	cmpSkip                string // why the comparison did not run
	ssh                    *sshResult
	sshSkip                string // why the SSH figures were not measured
	sizes                  *sizesResult
	build                  *buildResult
	content                *contentResult
	gobench                string // the micro-benchmarks' result lines
	crash                  crashMatrix
}

// machine describes the host: CPUs, CPU model, memory, kernel.
func machine() string {
	model := "unknown"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := "unknown"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	kernel := "unknown"
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = strings.TrimSpace(string(b))
	}
	return fmt.Sprintf("%d CPUs (nproc), %s, %s memory, Linux %s, %s", runtime.NumCPU(), model, mem, kernel, runtime.Version())
}

func (r *report) write(path string) error {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	w("# zonemgr benchmarks")
	w("")
	w("Written by `make bench` (`go run ./bench -bin bin -o BENCHMARKS.md`, source in `bench/`) on %s; the suite took %s.",
		r.date.Format("2006-01-02 15:04 UTC"), r.elapsed.Round(time.Second))
	w("")
	w("- Machine: %s.", machine())
	w("- Everything runs on fresh simulated illumos global zones (`bin/illumos-sim init`, its tool links first on PATH, `ELEVATE_CMD=none`); the sim logs every command it runs (argv, start, duration, parent pid) in `ROOT/.sim/commands.jsonl`, and a module's commands are the log entries whose parent is the module's process.")
	w("- Every figure is the median of %d runs (throughput, snapshot listing and the ansible comparison: %d) with the smallest and largest value in parentheses; times in milliseconds.", r.cfg.rounds, throughputRounds(r.cfg))
	w("- The sim is not illumos: its commands cost what a Go process that reads and writes JSON tables and copies directories costs on this machine. The process counts are exact and carry over to illumos; the times show how zonemgr's share grows, not what illumos takes.")
	w("- Parser and argument-spec micro-benchmarks: `go %s` (section at the end).", strings.Join(goBenchArgs(), " "))
	w("")
	r.writeOps(w)
	r.writeOverhead(w)
	r.writeBuild(w)
	r.writeContent(w)
	r.writeScale(w)
	r.writeTput(w)
	r.writeCmp(w)
	r.writeSSH(w)
	r.writeSizes(w)
	if r.crash.line != "" {
		w("## Reliability: the crash matrix")
		w("")
		w("`go %s` kills each operation (create-giz, create-diz, exec-diz, update-giz, snapshot, rollback, destroy, import-giz, export-giz, and gc itself) with SIGKILL right after each of its steps begins, runs `zonemgr gc`, and checks that nothing of the killed run remains and nothing else changed (a zone zonemgr does not manage, a user's snapshots, a run in flight, the account files); a destroy, a rollback and gc are finished instead of undone.", strings.Join(crashMatrixArgs(), " "))
		w("")
		result := "passed"
		if r.crash.failed {
			result = "FAILED"
		}
		w("- %s; %s, in %s.", r.crash.line, result, r.crash.elapsed)
		w("")
	}
	if r.gobench != "" {
		w("## Parsers and the argument spec (Go benchmarks)")
		w("")
		w("Three runs of each (`-count 3`): the parsers of `zoneadm list -cp`, zone XML files (and reading the index with every zone's file, as listing does), `zonecfg export`, `zfs list -H -p`, and the modules' argument spec, with allocations.")
		w("")
		w("```")
		w("%s", r.gobench)
		w("```")
		w("")
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func opLabel(op operation) string {
	if op.noop {
		return op.label + ", again (no-op)"
	}
	return op.label
}

func opCall(op operation) string {
	if op.argv != nil {
		return "`zonemgr " + strings.Join(op.argv(0), " ") + "`"
	}
	return "`" + op.module + "`"
}

func (r *report) writeOps(w func(string, ...any)) {
	w("## Processes per operation")
	w("")
	w("Each round (round k) creates golden zone `goldenk` and disposable zone `buildk` and runs the operations below in this order on one sim; the figures are the processes the module started (from the sim's log), of which changes (and of them the zone boots and the zlogins, a milestone poll through zlogin counted), beside the fewest the operation needs. A boot costs seconds on illumos and a zlogin about 100 ms; every other command milliseconds. Goal: an idempotent re-run starts only read-only commands, at most 3.")
	w("")
	w("| operation | call | processes | of which changes | boots | zlogins | minimum | why the minimum | no-op goal |")
	w("|---|---|---|---|---|---|---|---|---|")
	for _, o := range r.ops {
		goal := ""
		if len(o.procs) == 0 {
			goal = "failed in every round"
		} else if o.op.noop {
			_, hi := o.procs.spread()
			_, mhi := o.mutating.spread()
			if mhi == 0 && hi <= 3 {
				goal = "met"
			} else {
				goal = fmt.Sprintf("not met (%g changes, %g processes)", mhi, hi)
			}
		}
		w("| %s | %s | %s | %s | %s | %s | %d | %s | %s |", opLabel(o.op), opCall(o.op), o.procs.count(), o.mutating.count(), o.boots.count(), o.zlogins.count(), o.op.min, o.op.why, goal)
	}
	w("")
	failed := false
	for _, o := range r.ops {
		for _, f := range o.failures {
			w("- %s failed in %s", opLabel(o.op), f)
			failed = true
		}
	}
	if failed {
		w("")
	}
	w("<details><summary>The commands of each operation (last round in which it succeeded)</summary>")
	w("")
	for _, o := range r.ops {
		w("**%s**", opLabel(o.op))
		w("")
		w("```")
		for _, c := range o.cmds {
			w("%s", c)
		}
		w("```")
		w("")
	}
	w("</details>")
	w("")
}

func (r *report) writeOverhead(w func(string, ...any)) {
	w("## zonemgr's own time")
	w("")
	w("Each module binary and zonemgr run writes, with `ZONEMGR_TRACE=FILE` set, one JSON line when it ends: the time from the start of its `main` to the end of its output, and every command it ran with its start and duration as it saw them (fork to wait). \"own\" is that time minus the union of its commands' spans: the time zonemgr's code ran. Goal: under 5 ms. \"start and exit\" is the rest of the module's wall time as the benchmark saw it: creating the process, the Go runtime's start and the packages' initialisation before `main`, exit and wait; it costs every program the same and is the operating system's and the runtime's, not zonemgr's code's.")
	w("")
	w("For comparison, a sim command costs its parent %s ms (%s) beyond what it logs as its own duration (its `main` to its exit): the median of %d runs of `zoneadm list -cp`, the same start-and-exit cost for a Go program of the same kind. \"own, start counted\" is the module's whole wall time minus its commands, with each sim command's start cost counted as the command's (as a real tool's start is the tool's); \"raw\" counts those starts as zonemgr's too.",
		fmtMS(millis(r.startCost)), r.startSample.ms(), len(r.startSample))
	w("")
	w("The floor: a module run that refuses its arguments before starting any command (`zone_info` with an unknown option: process start, argument parsing, the JSON result) takes %s ms, of which %s ms in its `main`. The yardstick: a Go program that does only what every module binary must (SIGINT and SIGTERM handling, reading and decoding the args file, writing one JSON object; `bench/testdata/gofloor`) takes %s ms here, of which %s ms in its `main`: on this machine that much of any module's own time is the Go runtime's first touch of each thing, not zonemgr's work.", r.moduleStart.ms(), r.moduleInMain.ms(), r.goFloor.ms(), r.goFloorInMain.ms())
	w("")
	w("| operation | wall | own | start and exit | own, start counted | raw | processes |")
	w("|---|---|---|---|---|---|---|")
	for _, o := range r.ops {
		w("| %s | %s | %s | %s | %s | %s | %s |", opLabel(o.op), o.wall.ms(), o.own.ms(), o.start.ms(), o.overhead.ms(), o.rawOver.ms(), o.procs.count())
	}
	w("")
	var over []string
	for _, o := range r.ops {
		if o.own.median() >= 5 {
			over = append(over, fmt.Sprintf("%s (%s ms)", opLabel(o.op), fmtMS(o.own.median())))
		}
	}
	if len(over) == 0 {
		w("Every operation's own time is under 5 ms (median).")
	} else {
		w("Own time at or over 5 ms (median): %s.", strings.Join(over, ", "))
	}
	w("")
}

func (r *report) writeScale(w func(string, ...any)) {
	w("## Scale: listing")
	w("")
	w("`zone_info` (no options: every managed zone with its snapshots, dependents and orphans) and a zonemgr listing, with growing numbers of configured disposable zones, then with growing numbers of snapshots of the golden zone (each a recursive snapshot over the zone's 3 datasets). The zones and snapshots are written straight into the sim's state (one zone configured with the real `zonecfg`, its XML file and index line copied under new names; snapshots as rows of the sim's dataset table, one per dataset as `zfs snapshot -r` makes them), so that setting up 5,000 zones takes seconds; listing reads exactly what it reads after real calls. \"own\" is zonemgr's own time in process as above: the wall time is mostly the sim's. Goal: the process count does not change with the size.")
	w("")
	w("| size | zones | zone snapshots | zone_info ms | own ms | processes | zonemgr listing | ms | own ms | processes | lines printed |")
	w("|---|---|---|---|---|---|---|---|---|---|---|")
	for _, s := range r.scale {
		w("| %s | %d | %d | %s | %s | %s | `%s` | %s | %s | %s | %s |", s.label, s.zones, s.snapshots, s.infoWall.ms(), s.infoOwn.ms(), s.infoProcs.count(),
			s.listedBy, s.listWall.ms(), s.listOwn.ms(), s.listProcs.count(), s.listedRows.count())
	}
	w("")
	w("The largest snapshot row has %d zone snapshots: %d ZFS snapshots (3 datasets each) of the golden zone's tree, listed by one `zfs list` call.", r.cfg.snaps[len(r.cfg.snaps)-1], 3*(r.cfg.snaps[len(r.cfg.snaps)-1]+1))
	w("")
}

func (r *report) writeTput(w func(string, ...any)) {
	w("## Throughput: parallel exec-diz")
	w("")
	w("N `zone_exec` runs with `giz: %s` and `cmd: echo ok` started at once from one golden zone (clone, boot, run, destroy each). Total: first start to last exit; per run: the batch's median wall time; sim lock waits: the time the commands that take the sim's state lock spent alive at the same time as another one (their summed spans minus their union), summed over the batch and divided by N: the sim serializes them as the zone tools serialize on their own locks. zonemgr's per-zone locks never wait here, as each run locks only its own zone. After each batch the suite checks that no zone, dataset or orphan (zone_info's orphans: zones, datasets, snapshots, VNICs, journals) was left behind.", farmGIZ)
	w("")
	w("| N | total ms | per run ms | total / N ms | sim lock wait per run ms | processes per run | failures | leftovers |")
	w("|---|---|---|---|---|---|---|---|")
	for _, t := range r.tput {
		var perN sample
		for _, v := range t.total {
			perN = append(perN, v/float64(t.n))
		}
		w("| %d | %s | %s | %s | %s | %s | %d | %d |", t.n, t.total.ms(), t.perRun.ms(), perN.ms(), t.lockWait.ms(), t.procs.count(), t.failures, t.leftovers)
	}
	for _, t := range r.tput {
		for _, l := range t.leftDetail {
			w("- left behind by N=%d: %s", t.n, l)
		}
		for _, f := range t.failDetail {
			w("- failed with N=%d: %s", t.n, f)
		}
	}
	w("")
}

func (r *report) writeCmp(w func(string, ...any)) {
	w("## Side by side: zone_diz and community.general.solaris_zone under ansible-playbook")
	w("")
	if r.cmp == nil {
		w("%s.", r.cmpSkip)
		w("")
		return
	}
	c := r.cmp
	w("One play makes %d zones exist and run (a loop over one task with `state: running`), then the same play runs again; both modules run on the same sim in the same run, alternately, %d times, and the zones are removed between rounds (not measured). zone_diz clones each zone from the golden zone `%s` (the golden zone's creation is not measured); solaris_zone configures each zone with `create -b` and `set brand=ipkg`, installs it, writes its SSH host keys (ssh-keygen, twice), boots it and polls `ps -z ZONE -o args` for the console login. Wall time is ansible-playbook's, start to exit; commands are those the play issued: the sim's log plus the ps and ssh-keygen calls.", c.zones, ansibleRounds(r.cfg), farmGIZ)
	w("")
	w("How solaris_zone runs here (its own code untouched): Python sees the host as SunOS 5.11 through a `sitecustomize.py` on `PYTHONPATH`, passed with the play's `environment` like the sim's PATH; the zonepaths' parent is a sim dataset mounted at a host path, and each play runs in a private mount namespace (`unshare -m`) where the sim's directory of that dataset is bound on that path, so the files solaris_zone writes under `<zonepath>/root/etc` land in the sim's zone; `ps -z ZONE -o args` is a stand-in script that prints a running zone's processes, its console ttymon among them (the sim has no ps).")
	w("")
	w("| module | play | wall ms | commands | of which changes |")
	w("|---|---|---|---|---|")
	for _, s := range c.sides {
		w("| %s | create %d zones | %s | %s | %s |", s.name, c.zones, s.createWall.ms(), s.createCmds.count(), s.createChanges.count())
		w("| %s | re-run (no-op) | %s | %s | %s |", s.name, s.rerunWall.ms(), s.rerunCmds.count(), s.rerunChgs.count())
	}
	w("")
	if len(c.sides) == 2 {
		d, s := c.sides[0], c.sides[1]
		w("Wall time ratio solaris_zone / zone_diz: create %.2f, re-run %.2f; commands: create %g / %g, re-run %g / %g.",
			s.createWall.median()/d.createWall.median(), s.rerunWall.median()/d.rerunWall.median(),
			s.createCmds.median(), d.createCmds.median(), s.rerunCmds.median(), d.rerunCmds.median())
		w("")
	}
	for _, s := range c.sides {
		w("- %s, commands by tool (first round): create: %s; re-run: %s.", s.name, byTool(s.createByTool), byTool(s.rerunByTool))
	}
	w("")
}

func byTool(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("`%s` %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

func (r *report) writeSSH(w func(string, ...any)) {
	w("## Per task over SSH: a simulated fleet host")
	w("")
	if r.ssh == nil {
		w("%s.", r.sshSkip)
		w("")
		return
	}
	s := r.ssh
	w("One simulated global zone of `test/fleet/fleet.sh` (`make fleet`): a network namespace of its own with its own sshd, reached from the fleet's control namespace over a veth link, as Ansible reaches a real host; the zonemgr modules are the stripped Linux build of the collection, %s bytes for zone_giz, which Ansible copies to the host for every task (a binary module is never pipelined). For each kind of task a play of 1 task and a play of %d tasks run %d times in turn, each a fresh `ansible-playbook` with Ansible's default SSH settings (`-C`, ControlPersist 60s, so one connection serves the whole play); the cost of one task is the difference of their wall times divided by %d, without ansible-playbook's start-up, and the bytes are the difference of the control side's counters of the host's link (`ip -s link`: the SSH traffic, compressed), divided the same way. The no-op zone_giz finds its golden zone as it should be and changes nothing (2 read-only commands); the local connection runs the same module against a sim on the control host. `ansible.builtin.stat` is a Python module (AnsiballZ).",
		fmtBytes(s.moduleBytes), 1+s.tasks, len(s.rows[0].perTask), s.tasks)
	w("")
	w("| task | connection | ms per task | bytes to the host per task | bytes from the host per task |")
	w("|---|---|---|---|---|")
	for _, row := range s.rows {
		to, from := "—", "—"
		if row.ssh {
			to, from = bytesSample(row.toHost), bytesSample(row.fromHost)
		}
		w("| %s | %s | %s | %s | %s |", row.label, row.how, row.perTask.ms(), to, from)
	}
	w("")
	w("Reproduce: `make bench`, or this section with the short suite, in about two minutes: `make build && go run ./bench -bin bin -o /tmp/bench.md -short -ssh 10 -rounds 5`. It needs root, network namespaces, sshd (openssh-server) and ansible-core, and says why it was not run where they are missing.")
	w("")
}

// fmtBytes formats a byte count with thousands separators.
func fmtBytes(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// bytesSample formats a sample of byte counts as "median (min–max)".
func bytesSample(s sample) string {
	lo, hi := s.spread()
	return fmt.Sprintf("%s (%s–%s)", fmtBytes(int64(s.median())), fmtBytes(int64(lo)), fmtBytes(int64(hi)))
}
