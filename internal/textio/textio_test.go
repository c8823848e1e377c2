package textio

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

func TestTail(t *testing.T) {
	tests := []struct {
		max    int
		writes []string
		want   string
		cut    bool
	}{
		{4, []string{"ab", "cd"}, "abcd", false},
		{4, []string{"ab", "cd", "ef"}, "cdef", true},
		{4, []string{"abcd"}, "abcd", false},
		{4, []string{"abcdefgh"}, "efgh", true},
		{4, []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}, "ghij", true},
		{4, nil, "", false},
		{0, []string{"all", " of it"}, "all of it", false},
	}
	for _, tt := range tests {
		b := &Tail{Max: tt.max}
		for _, w := range tt.writes {
			if n, err := b.Write([]byte(w)); n != len(w) || err != nil {
				t.Fatalf("Write(%q) = %d, %v", w, n, err)
			}
		}
		if got := b.String(); got != tt.want || b.Cut() != tt.cut {
			t.Errorf("after %q: %q cut %v, want %q cut %v", tt.writes, got, b.Cut(), tt.want, tt.cut)
		}
	}
}

func TestHead(t *testing.T) {
	tests := []struct {
		max    int
		writes []string
		want   string
		cut    bool
	}{
		{4, []string{"ab", "cd"}, "abcd", false},
		{4, []string{"ab", "cd", "ef"}, "abcd", true},
		{4, []string{"abcdefgh"}, "abcd", true},
		{4, []string{"abc", "defgh", "ij"}, "abcd", true},
		{4, nil, "", false},
		{0, []string{"all", " of it"}, "all of it", false},
	}
	for _, tt := range tests {
		h := &Head{Max: tt.max}
		for _, w := range tt.writes {
			if n, err := h.Write([]byte(w)); n != len(w) || err != nil {
				t.Fatalf("Write(%q) = %d, %v: a Head takes every byte it is given", w, n, err)
			}
		}
		if got := string(h.Bytes()); got != tt.want || h.Cut() != tt.cut {
			t.Errorf("after %q: %q cut %v, want %q cut %v", tt.writes, got, h.Cut(), tt.want, tt.cut)
		}
	}
}

// TestLockedWriter: writes from many goroutines arrive whole.
func TestLockedWriter(t *testing.T) {
	var b strings.Builder
	w := &LockedWriter{W: &b}
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.Write([]byte("0123456789\n"))
		}()
	}
	wg.Wait()
	for _, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if l != "0123456789" {
			t.Fatalf("a torn write: %q", l)
		}
	}
}

func TestWrap(t *testing.T) {
	for _, tt := range []struct {
		text, want string
	}{
		{"one two three four", "  one two\n  three four\n"},
		{"", ""},
		{"averyveryverylongword x", "  averyveryverylongword\n  x\n"},
	} {
		if got := Wrap(tt.text, "  ", 12); got != tt.want {
			t.Errorf("Wrap(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestLines: two streams sharing one destination, written in pieces,
// keep their lines whole; a partial last line comes with Flush.
func TestLines(t *testing.T) {
	var b strings.Builder
	lw := &LockedWriter{W: &b}
	out, errs := &Lines{W: lw}, &Lines{W: lw}
	for _, w := range []struct {
		l *Lines
		s string
	}{{errs, "a warn"}, {out, "compiling"}, {errs, "ing\n"}, {out, " as jenkins\nlast"}} {
		if n, err := w.l.Write([]byte(w.s)); n != len(w.s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", w.s, n, err)
		}
	}
	if b.String() != "a warning\ncompiling as jenkins\n" {
		t.Errorf("before Flush: %q", b.String())
	}
	out.Flush()
	errs.Flush()
	if b.String() != "a warning\ncompiling as jenkins\nlast" {
		t.Errorf("after Flush: %q", b.String())
	}
	long := strings.Repeat("x", 70<<10)
	b.Reset()
	out.Write([]byte(long))
	if b.Len() != len(long) {
		t.Errorf("a line over 64 KiB was kept back: %d bytes written", b.Len())
	}
}

// ReadFile reads a regular file whole, and refuses a FIFO (at once,
// without waiting for a writer), a directory, a device and a file past
// MaxInputFile, naming the file.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "packages")
	os.WriteFile(ok, []byte("developer/gcc\n"), 0o644)
	if b, err := ReadFile(ok); err != nil || string(b) != "developer/gcc\n" {
		t.Errorf("ReadFile(%s) = %q, %v", ok, b, err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	f, _ := os.Create(big)
	f.Truncate(MaxInputFile + 1)
	f.Close()
	for _, tc := range []struct{ path, want string }{
		{fifo, "read " + fifo + ": a FIFO, not a regular file"},
		{dir, "a directory, not a regular file"},
		{"/dev/zero", "read /dev/zero: a device, not a regular file"},
		{big, "read " + big + ": larger than 4194304 bytes"},
		{filepath.Join(dir, "missing"), "no such file or directory"},
	} {
		if _, err := ReadFile(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadFile(%s) = %v, want an error saying %q", tc.path, err, tc.want)
		}
	}
}
