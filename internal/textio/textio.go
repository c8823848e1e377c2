// Package textio holds the small text and stream helpers that the engine
// and the front doors share: a writer that serialises its writers' writes,
// a buffer that keeps the tail of a stream, paragraph wrapping for help
// texts, and a bounded read of the files a user names.
package textio

import (
	"bytes"
	"io"
	"strings"
	"sync"
)

// A LockedWriter serialises the writes to W: several goroutines (a
// command's stdout and stderr copiers) may write to it at once. Mu, when
// set, is the mutex to hold, shared with other writers of the same
// destination; otherwise the LockedWriter's own.
type LockedWriter struct {
	W  io.Writer
	Mu *sync.Mutex
	mu sync.Mutex
}

func (l *LockedWriter) Write(p []byte) (int, error) {
	mu := l.Mu
	if mu == nil {
		mu = &l.mu
	}
	mu.Lock()
	defer mu.Unlock()
	return l.W.Write(p)
}

// A Head keeps the first Max bytes written to it (all of them when Max is
// not positive) and drops the rest,
// saying so (Cut): the output of a command whose whole output is parsed,
// and refused once it is cut, so that nothing beyond Max is held. It is
// safe for concurrent use.
type Head struct {
	Max int
	mu  sync.Mutex
	buf []byte
	cut bool
}

func (h *Head) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := len(p)
	if room := h.Max - len(h.buf); h.Max > 0 && n > room {
		h.cut = true
		p = p[:max(room, 0)]
	}
	h.buf = append(h.buf, p...)
	return n, nil
}

// Bytes returns the kept bytes, which the Head no longer changes once
// the writing is done.
func (h *Head) Bytes() []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.buf
}

// Cut reports whether bytes were dropped.
func (h *Head) Cut() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cut
}

// A Tail keeps the last Max bytes written to it (all of them when Max is
// not positive). It is safe for concurrent use.
type Tail struct {
	Max int
	mu  sync.Mutex
	buf []byte
	cut bool
}

func (t *Tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(p)
	if t.Max > 0 && len(p) >= t.Max {
		t.cut = t.cut || len(t.buf) > 0 || len(p) > t.Max
		t.buf = append(t.buf[:0], p[len(p)-t.Max:]...)
		return n, nil
	}
	t.buf = append(t.buf, p...)
	if t.Max > 0 && len(t.buf) > 2*t.Max {
		t.compact()
	}
	return n, nil
}

// compact drops what is before the last Max bytes. The caller holds t.mu.
func (t *Tail) compact() {
	if t.Max > 0 && len(t.buf) > t.Max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.Max:]...)
		t.cut = true
	}
}

// Bytes returns a copy of the kept bytes.
func (t *Tail) Bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.compact()
	return append([]byte(nil), t.buf...)
}

// String returns the kept bytes as a string.
func (t *Tail) String() string { return string(t.Bytes()) }

// Cut reports whether bytes were dropped.
func (t *Tail) Cut() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.compact()
	return t.cut
}

// Wrap fills text into lines of at most width columns, each starting
// with indent; a word longer than a line stands alone. Empty text gives
// no line.
func Wrap(text, indent string, width int) string {
	var b strings.Builder
	line := indent
	for _, w := range strings.Fields(text) {
		if line != indent && len(line)+1+len(w) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += w
	}
	if line != indent {
		b.WriteString(line + "\n")
	}
	return b.String()
}

// A Lines writes whole lines to W: it keeps a partial line until its
// newline comes (or Flush), so that the lines of several streams that
// share W (a command's stdout and stderr in one log) never interleave
// within a line. A line longer than 64 KiB is written as it comes. One
// Lines serves one stream; W serialises the streams (see LockedWriter).
type Lines struct {
	W   io.Writer
	buf []byte
}

func (l *Lines) Write(p []byte) (int, error) {
	n := len(p)
	if i := bytes.LastIndexByte(p, '\n'); i >= 0 {
		line := append(l.buf, p[:i+1]...)
		l.buf = l.buf[:0]
		if _, err := l.W.Write(line); err != nil {
			return 0, err
		}
		p = p[i+1:]
	}
	l.buf = append(l.buf, p...)
	if len(l.buf) > 64<<10 {
		_, err := l.W.Write(l.buf)
		l.buf = l.buf[:0]
		return n, err
	}
	return n, nil
}

// Flush writes the partial line kept, if any.
func (l *Lines) Flush() error {
	if len(l.buf) == 0 {
		return nil
	}
	_, err := l.W.Write(l.buf)
	l.buf = l.buf[:0]
	return err
}
