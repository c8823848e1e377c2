package cli

import (
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestSignalContext(t *testing.T) {
	for _, tt := range []struct {
		sig  syscall.Signal
		want int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		ctx, stop := SignalContext(context.Background())
		if err := syscall.Kill(os.Getpid(), tt.sig); err != nil {
			t.Fatal(err)
		}
		<-ctx.Done()
		if got := stop(); got != tt.want {
			t.Errorf("%v: exit status %d, want %d", tt.sig, got, tt.want)
		}
	}
	ctx, stop := SignalContext(context.Background())
	if ctx.Err() != nil {
		t.Errorf("context done before any signal")
	}
	if got := stop(); got != 0 {
		t.Errorf("no signal: exit status %d, want 0", got)
	}
}

// TestSignalCancelsTheModule interrupts a module while it runs: the
// module sees its context cancelled and fails, and the exit status is
// SIGTERM's.
func TestSignalCancelsTheModule(t *testing.T) {
	h := newFakeHost()
	h.block = func(ctx context.Context) error {
		if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
			return err
		}
		<-ctx.Done()
		return context.Cause(ctx)
	}
	var stdout, stderr strings.Builder
	ctx, stop := SignalContext(context.Background())
	c := &CLI{Stdout: &stdout, Stderr: &stderr, Engine: h.engine, Getenv: testEnv(t, nil)}
	code := c.Run(ctx, a("exec", "-z", "test-diz-1", "--exec-cmd", "sleep 600"))
	if code != 1 {
		t.Errorf("exit status %d from the interrupted run, want 1", code)
	}
	if got := stop(); got != 143 {
		t.Errorf("signal exit status %d, want 143", got)
	}
	if stderr.String() != "zonemgr: error: context canceled\n" {
		t.Errorf("stderr %q", stderr.String())
	}
}
