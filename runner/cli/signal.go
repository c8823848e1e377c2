package cli

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// SignalContext returns a context that SIGINT and SIGTERM cancel, so
// that the running module stops and cleans up, and a stop function that
// stops listening and returns the exit status the signal calls for: 130
// after SIGINT, 143 after SIGTERM (128 plus the signal number), 0 when
// none came. Further signals while a module cleans up only cancel again.
func SignalContext(parent context.Context) (ctx context.Context, stop func() int) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	var (
		mu  sync.Mutex
		got os.Signal
	)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-ch:
				mu.Lock()
				if got == nil {
					got = sig
				}
				mu.Unlock()
				cancel()
			case <-done:
				return
			}
		}
	}()
	var once sync.Once
	return ctx, func() int {
		once.Do(func() {
			signal.Stop(ch)
			close(done)
			cancel()
		})
		mu.Lock()
		defer mu.Unlock()
		return SignalStatus(got)
	}
}

// SignalStatus is the exit status a shell reports for a process ended by
// sig: 128 plus the signal number; 0 for no signal.
func SignalStatus(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 0
}
