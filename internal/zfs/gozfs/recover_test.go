package gozfs

import (
	"context"
	"testing"

	"github.com/zonemgr/zonemgr/internal/illumos"
	"github.com/zonemgr/zonemgr/internal/zfs"
)

type recorded []illumos.TranscriptEntry

func (r *recorded) Add(e illumos.TranscriptEntry) { *r = append(*r, e) }

// TestGoZFSPanicIsAnError: a panic inside a go-zfs call is an error of
// the call, recorded with no exit code, never a crash of the run.
func TestGoZFSPanicIsAnError(t *testing.T) {
	var log recorded
	r := zfs.WithRecorder(illumos.NewScript(), &log)
	err := callGoZFS(context.Background(), r, []string{"zfs", "destroy", "rpool/z"}, true, func() error {
		var lines []string
		_ = lines[0] // as go-zfs indexes an output line it does not check
		return nil
	})
	want := "go-zfs panicked: runtime error: index out of range [0] with length 0"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n got  %v\n want %s", err, want)
	}
	if len(log) != 1 || log[0].ExitCode != -1 || log[0].Argv != "zfs destroy rpool/z" || log[0].Err != want {
		t.Errorf("transcript = %+v, want one entry with rc -1 and the panic", log)
	}
}
