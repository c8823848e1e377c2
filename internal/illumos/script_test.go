package illumos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// recordingT collects what Check reports.
type recordingT struct {
	errs []string
}

func (r *recordingT) Helper() {}
func (r *recordingT) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestScriptInOrder(t *testing.T) {
	var live bytes.Buffer
	s := NewScript(
		Step{Argv: []string{"zoneadm", "-z", "d1", "boot"}},
		Step{Argv: []string{"zlogin", "d1", "make"}, Result: Result{Stdout: []byte("built\n")}},
		Step{Argv: []string{"zoneadm", "-z", "d1", "halt"}, Result: Result{ExitCode: 1, Stderr: []byte("zone 'd1': zone is already halted\n")}},
	)
	ctx := context.Background()
	if _, err := s.Run(ctx, Cmd{Argv: []string{"zoneadm", "-z", "d1", "boot"}}); err != nil {
		t.Fatalf("step 1: %v", err)
	}
	res, err := s.Run(ctx, Cmd{Argv: []string{"zlogin", "d1", "make"}, Stdout: &live})
	if err != nil || string(res.Stdout) != "built\n" || live.String() != "built\n" {
		t.Fatalf("step 2 = %q (live %q), %v", res.Stdout, live.String(), err)
	}
	_, err = s.Run(ctx, Cmd{Argv: []string{"zoneadm", "-z", "d1", "halt"}})
	var ce *CommandError
	if !errors.As(err, &ce) || ce.ExitCode != 1 || ce.Stderr != "zone 'd1': zone is already halted" {
		t.Fatalf("step 3 error = %#v", err)
	}
	if errs := s.Errors(); len(errs) != 0 {
		t.Errorf("Errors() = %q, want none", errs)
	}
	var rt recordingT
	s.Check(&rt)
	if len(rt.errs) != 0 {
		t.Errorf("Check reported %q", rt.errs)
	}
}

func TestScriptMismatchMissingExtra(t *testing.T) {
	s := NewScript().
		Expect([]string{"zfs", "snapshot", "rpool/g@s"}, Result{}).
		Expect([]string{"zfs", "clone", "rpool/g@s", "rpool/d"}, Result{})
	ctx := context.Background()
	_, err := s.Run(ctx, Cmd{Argv: []string{"zfs", "destroy", "rpool/g"}})
	if !errors.Is(err, ErrNotScripted) {
		t.Fatalf("unexpected command error = %v, want ErrNotScripted", err)
	}
	if _, err := s.Run(ctx, Cmd{Argv: []string{"zfs", "snapshot", "rpool/g@s"}}); err != nil {
		t.Fatalf("expected command: %v", err)
	}
	want := []string{
		"call 1: unexpected command\n\tgot:  zfs destroy rpool/g\n\twant: zfs snapshot rpool/g@s",
		"step 2: expected command not run: zfs clone rpool/g@s rpool/d",
	}
	if got := s.Errors(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Errors() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := s.Run(ctx, Cmd{Argv: []string{"zfs", "clone", "rpool/g@s", "rpool/d"}}); err != nil {
		t.Fatalf("expected command: %v", err)
	}
	_, _ = s.Run(ctx, Cmd{Argv: []string{"zfs", "promote", "rpool/d"}})
	var rt recordingT
	s.Check(&rt)
	if len(rt.errs) != 2 || !strings.Contains(rt.errs[1], "call 4: unexpected command\n\tgot:  zfs promote rpool/d\n\twant: no more commands") {
		t.Errorf("Check reported %q", rt.errs)
	}
	if n := len(s.Calls()); n != 4 {
		t.Errorf("Calls() has %d commands, want 4", n)
	}
}

func TestScriptResponder(t *testing.T) {
	s := NewScript(Step{Argv: []string{"zoneadm", "-z", "d1", "boot"}})
	s.Responder = func(argv []string) (Result, error) {
		switch strings.Join(argv, " ") {
		case "zoneadm list -cp":
			return Result{Stdout: []byte("-:d1:installed:/zones/d1:u:lipkg:excl:1\n")}, nil
		case "zfs list -H nosuch":
			return Result{ExitCode: 1, Stderr: []byte("cannot open 'nosuch': dataset does not exist\n")}, nil
		}
		return Result{}, ErrNotScripted
	}
	ctx := context.Background()
	// Reads in any order, as often as asked.
	for i := 0; i < 2; i++ {
		res, err := s.Run(ctx, Cmd{Argv: []string{"zoneadm", "list", "-cp"}})
		if err != nil || !strings.HasPrefix(string(res.Stdout), "-:d1:installed") {
			t.Fatalf("read %d = %q, %v", i, res.Stdout, err)
		}
	}
	_, err := s.Run(ctx, Cmd{Argv: []string{"zfs", "list", "-H", "nosuch"}})
	var ce *CommandError
	if !errors.As(err, &ce) || ce.ExitCode != 1 {
		t.Fatalf("failing read error = %v, want *CommandError exit 1", err)
	}
	// The responder never answers a change.
	if _, err := s.Run(ctx, Cmd{Argv: []string{"zoneadm", "-z", "d1", "halt"}}); !errors.Is(err, ErrNotScripted) {
		t.Errorf("unscripted change error = %v, want ErrNotScripted", err)
	}
	// A read the responder declines is unexpected too.
	if _, err := s.Run(ctx, Cmd{Argv: []string{"zfs", "list", "-H", "other"}}); !errors.Is(err, ErrNotScripted) {
		t.Errorf("declined read error = %v, want ErrNotScripted", err)
	}
	if _, err := s.Run(ctx, Cmd{Argv: []string{"zoneadm", "-z", "d1", "boot"}}); err != nil {
		t.Fatalf("scripted change: %v", err)
	}
	if errs := s.Errors(); len(errs) != 2 {
		t.Errorf("Errors() = %q, want the halt and the declined read", errs)
	}
}

func TestScriptExpectErr(t *testing.T) {
	boom := errors.New("boom")
	s := NewScript().ExpectErr([]string{"zoneadm", "-z", "d1", "boot"}, boom)
	res, err := s.Run(context.Background(), Cmd{Argv: []string{"zoneadm", "-z", "d1", "boot"}})
	if !errors.Is(err, boom) || res.ExitCode != -1 {
		t.Errorf("Run = %d, %v; want -1, boom", res.ExitCode, err)
	}
}

// A Changer answers the changes off the sequence, as a Responder answers
// the reads; Changes lists them.
func TestScriptChanger(t *testing.T) {
	vnics := []string{"v0", "v1"}
	s := NewScript(Step{Argv: []string{"zoneadm", "-z", "d1", "boot"}})
	s.Responder = func(argv []string) (Result, error) {
		if strings.Join(argv, " ") == "dladm show-vnic -p -o link" {
			return Result{Stdout: []byte(strings.Join(vnics, "\n") + "\n")}, nil
		}
		return Result{}, ErrNotScripted
	}
	s.Changer = func(argv []string) (Result, error) {
		switch {
		case strings.Join(argv, " ") == "dladm delete-vnic v1":
			vnics = vnics[:1]
			return Result{}, nil
		case argv[0] == "zonecfg":
			return Result{ExitCode: 1, Stderr: []byte("failed on purpose\n")}, nil
		}
		return Result{}, ErrNotScripted
	}
	ctx := context.Background()
	run := func(argv ...string) (Result, error) { return s.Run(ctx, Cmd{Argv: argv}) }
	if _, err := run("dladm", "delete-vnic", "v1"); err != nil {
		t.Fatalf("a change the Changer answers: %v", err)
	}
	if res, err := run("dladm", "show-vnic", "-p", "-o", "link"); err != nil || string(res.Stdout) != "v0\n" {
		t.Errorf("the read after the change = %q, %v", res.Stdout, err)
	}
	var ce *CommandError
	if _, err := run("zonecfg", "-z", "d1", "delete", "-F"); !errors.As(err, &ce) || ce.Stderr != "failed on purpose" {
		t.Errorf("a change the Changer fails: %v", err)
	}
	// The sequence comes first; a change the Changer declines is
	// unexpected.
	if _, err := run("zoneadm", "-z", "d1", "boot"); err != nil {
		t.Errorf("the scripted step: %v", err)
	}
	if _, err := run("zoneadm", "-z", "d1", "halt"); !errors.Is(err, ErrNotScripted) {
		t.Errorf("a declined change: %v", err)
	}
	var got []string
	for _, c := range s.Changes() {
		got = append(got, c.String())
	}
	want := []string{"dladm delete-vnic v1", "zonecfg -z d1 delete -F", "zoneadm -z d1 boot", "zoneadm -z d1 halt"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Changes() = %q, want %q", got, want)
	}
	if errs := s.Errors(); len(errs) != 1 || !strings.Contains(errs[0], "zoneadm -z d1 halt") {
		t.Errorf("Errors() = %q, want the declined halt", errs)
	}
}
