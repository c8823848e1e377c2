// Command gofloorzfs is the benchmark's second size yardstick: gofloor
// (the least a Go module binary does) that also links go-zfs, the zfs
// library the project keeps, by calling it when given a dataset.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	zfs "github.com/mistifyio/go-zfs/v3"

	"github.com/zonemgr/zonemgr/internal/jsonv"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var args map[string]any
	b, err := os.ReadFile(os.Args[1])
	if err == nil {
		err = jsonv.Unmarshal(b, &args)
	}
	if ds, ok := args["dataset"].(string); ok && err == nil {
		_, err = zfs.GetDataset(ds)
	}
	res := map[string]any{"changed": false, "failed": err != nil || ctx.Err() != nil, "invocation": map[string]any{"module_args": args}}
	out, _ := jsonv.Marshal(res)
	os.Stdout.Write(append(out, '\n'))
}
