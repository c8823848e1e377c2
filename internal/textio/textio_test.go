package textio

import (
	"strings"
	"sync"
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
