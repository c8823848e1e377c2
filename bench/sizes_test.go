package main

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
)

// TestDeflatedSize: what SSH's compression would send of a file: next to
// nothing for a run of zeros, about the file itself for random bytes.
func TestDeflatedSize(t *testing.T) {
	dir := t.TempDir()
	zeros := filepath.Join(dir, "zeros")
	random := filepath.Join(dir, "random")
	os.WriteFile(zeros, make([]byte, 1<<20), 0o644)
	b := make([]byte, 64<<10)
	rand.Read(b)
	os.WriteFile(random, b, 0o644)
	if n, err := deflatedSize(zeros); err != nil || n <= 0 || n > 8<<10 {
		t.Errorf("1 MiB of zeros deflates to %d bytes (%v), want a few KiB", n, err)
	}
	if n, err := deflatedSize(random); err != nil || n < 64<<10 || n > 66<<10 {
		t.Errorf("64 KiB of random bytes deflate to %d bytes (%v), want about 64 KiB", n, err)
	}
	if _, err := deflatedSize(filepath.Join(dir, "nosuch")); err == nil {
		t.Errorf("a missing file has a size")
	}
}
