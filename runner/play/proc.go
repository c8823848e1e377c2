package play

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/zonemgr/zonemgr/internal/toolpath"
)

// maxCommandOutput bounds what runProcess keeps of a command's standard
// output and of its standard error.
const maxCommandOutput = 64 << 20

// lookPath finds a command's program: a name with a slash as it is, else
// the first executable file of that name in the directories zonemgr
// searches for the programs it runs (toolpath.Dirs).
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	for _, d := range toolpath.Dirs(env) {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", &ErrCommandStart{Errno: int(syscall.ENOENT), Err: fmt.Errorf("%s: command not found", name)}
}

// runProcess runs a command on this global zone and waits for it; a
// cancelled ctx kills it.
func runProcess(ctx context.Context, c Command) (CommandResult, error) {
	if len(c.Argv) == 0 {
		return CommandResult{}, errors.New("empty command")
	}
	prog, err := lookPath(c.Argv[0], c.Env)
	if err != nil {
		return CommandResult{}, err
	}
	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		return CommandResult{}, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		stdinR.Close()
		stdinW.Close()
		return CommandResult{}, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		for _, f := range []*os.File{stdinR, stdinW, outR, outW} {
			f.Close()
		}
		return CommandResult{}, err
	}
	p, err := os.StartProcess(prog, c.Argv, &os.ProcAttr{
		Dir:   c.Dir,
		Env:   c.Env,
		Files: []*os.File{stdinR, outW, errW},
		Sys:   &syscall.SysProcAttr{Setpgid: true},
	})
	stdinR.Close()
	outW.Close()
	errW.Close()
	if err != nil {
		for _, f := range []*os.File{stdinW, outR, errR} {
			f.Close()
		}
		errno := int(syscall.ENOENT)
		var se syscall.Errno
		var pe *fs.PathError
		if errors.As(err, &pe) && errors.As(pe.Err, &se) {
			errno = int(se)
		}
		return CommandResult{}, &ErrCommandStart{Errno: errno, Err: err}
	}
	var wg sync.WaitGroup
	var stdout, stderr bytes.Buffer
	var tooMuch atomic.Bool
	read := func(r io.ReadCloser, buf *bytes.Buffer) {
		defer wg.Done()
		defer r.Close()
		n, _ := io.Copy(buf, io.LimitReader(r, maxCommandOutput+1))
		if n > maxCommandOutput {
			tooMuch.Store(true)
			_, _ = io.Copy(io.Discard, r)
		}
	}
	wg.Add(2)
	go read(outR, &stdout)
	go read(errR, &stderr)
	go func() {
		_, _ = stdinW.Write(c.Stdin)
		stdinW.Close()
	}()
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
		case <-done:
		}
	}()
	st, err := p.Wait()
	close(done)
	wg.Wait()
	if err != nil {
		return CommandResult{}, err
	}
	if tooMuch.Load() {
		return CommandResult{}, fmt.Errorf("the command printed more than %d bytes", maxCommandOutput)
	}
	rc := st.ExitCode()
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		rc = -int(ws.Signal())
	}
	return CommandResult{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), RC: rc}, nil
}
