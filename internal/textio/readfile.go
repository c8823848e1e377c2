package textio

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// MaxInputFile bounds the files a user names for zonemgr to read: a
// configuration file, a package list (@FILE), a play's task and vars
// files.
const MaxInputFile = 4 << 20

// ReadFile reads a file a user named, as os.ReadFile does, but refuses
// what is not a regular file (a FIFO would block the read forever, a
// device never end) and a file larger than MaxInputFile, naming the
// file in the error.
func ReadFile(path string) ([]byte, error) {
	// O_NONBLOCK: a FIFO opens at once and is then refused.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%s, not a regular file", FileKind(fi.Mode()))}
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxInputFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxInputFile {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("larger than %d bytes", MaxInputFile)}
	}
	return b, nil
}

// FileKind names a file mode that is not a regular file, for errors.
func FileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a regular file"
}
