package random

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHex(t *testing.T) {
	a, err := Hex(12)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Hex(12)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 24 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Errorf("Hex(12) = %q, want 24 lowercase hex digits", a)
	}
	if a == b {
		t.Errorf("two draws of 96 bits were equal: %s", a)
	}
}

// TestBelowIsUniform draws from a fixed byte stream so that the
// rejection of biased draws can be checked exactly.
func TestBelowIsUniform(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "bytes")
	// 0xffffffff is above the limit for n=3 (4294967295 = 3*1431655765,
	// so the limit is 4294967295 and the draw is rejected); 0x00000005
	// gives 5%3 = 2.
	if err := os.WriteFile(f, []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 5}, 0o600); err != nil {
		t.Fatal(err)
	}
	defer func(s string) { source = s }(source)
	source = f
	if got, err := Below(3); err != nil || got != 2 {
		t.Errorf("Below(3) over ff ff ff ff, 00 00 00 05 = %d, %v; want 2 (the first draw rejected)", got, err)
	}
	source = filepath.Join(dir, "short")
	if err := os.WriteFile(source, []byte{1, 2}, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Below(3); err == nil || !strings.Contains(err.Error(), "read "+source) {
		t.Errorf("Below over a 2-byte source: err = %v, want a read error naming %s", err, source)
	}
	source = filepath.Join(dir, "missing")
	if err := read(make([]byte, 1)); err == nil {
		t.Error("read from a missing source: no error")
	}
	if _, err := Below(0); err == nil {
		t.Error("Below(0): no error")
	}
}

func TestBelowRange(t *testing.T) {
	seen := map[uint32]bool{}
	for range 2000 {
		v, err := Below(36 * 36 * 36 * 36)
		if err != nil {
			t.Fatal(err)
		}
		if v >= 36*36*36*36 {
			t.Fatalf("Below(%d) = %d", 36*36*36*36, v)
		}
		seen[v] = true
	}
	if len(seen) < 1900 {
		t.Errorf("2000 draws below 1679616 gave only %d distinct values", len(seen))
	}
}
