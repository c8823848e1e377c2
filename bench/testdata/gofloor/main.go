// Command gofloor is the benchmark's yardstick for a module's own time
// and size: the least a Go module binary does (SIGINT and SIGTERM
// handling, reading the args file, decoding it with the modules' JSON
// codec, internal/jsonv, writing one JSON object), timed from the start
// of main to the end of its output, which it prints as main_ns.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/zonemgr/zonemgr/internal/jsonv"
)

func main() {
	start := time.Now()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var args map[string]any
	b, err := os.ReadFile(os.Args[1])
	if err == nil {
		err = jsonv.Unmarshal(b, &args)
	}
	res := map[string]any{"changed": false, "failed": err != nil || ctx.Err() != nil, "invocation": map[string]any{"module_args": args}}
	out, _ := jsonv.Marshal(res)
	os.Stdout.Write(append(out, '\n'))
	fmt.Printf("{\"main_ns\": %d}\n", time.Since(start).Nanoseconds())
}
