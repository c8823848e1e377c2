package integration

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestExecDIZSignal: SIGTERM or SIGINT during a build in a disposable
// zone stops the build, destroys the zone, and zonemgr exits 143 or 130.
func TestExecDIZSignal(t *testing.T) {
	s := goldenSim(t)
	s0 := s.State()
	for _, tt := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGTERM, 143}, {syscall.SIGINT, 130}} {
		cmd := exec.Command(filepath.Join(bin(t), "zonemgr"), "exec-diz", "-c", "golden", "--exec-cmd", "echo started; sleep 60")
		cmd.Env = s.Env
		out := &syncBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(out.String(), "started") && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if !strings.Contains(out.String(), "started") {
			cmd.Process.Kill()
			t.Fatalf("the build never started:\n%s", out.String())
		}
		cmd.Process.Signal(tt.sig)
		err := cmd.Wait()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d\n%s", tt.sig, code, tt.code, out.String())
		}
		if got := s.State(); got != s0 {
			t.Errorf("%v: the disposable zone was not cleaned up:\n%s", tt.sig, diffLines(s0, got))
		}
	}
}

// A syncBuffer is a bytes.Buffer safe to read while a command writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
