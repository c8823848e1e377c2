package zfs

import (
	"errors"
	"strings"

	"github.com/zonemgr/zonemgr/internal/illumos"
)

// ErrNotExist is matched (with errors.Is) by every error of this package
// that reports a dataset, snapshot or pool that does not exist.
var ErrNotExist = errors.New("dataset does not exist")

// A NotExistError is a zfs or zpool command that failed because a dataset,
// snapshot or pool it names does not exist. It matches ErrNotExist and
// unwraps to the *illumos.CommandError of the failed command.
type NotExistError struct {
	// Names are the missing datasets, as zfs named them on stderr.
	Names []string
	// Err is the command's error.
	Err error
}

func (e *NotExistError) Error() string { return e.Err.Error() }

// Is reports whether target is ErrNotExist.
func (e *NotExistError) Is(target error) bool { return target == ErrNotExist }

// Unwrap returns the command's error.
func (e *NotExistError) Unwrap() error { return e.Err }

// notExistName returns the name in libzfs's message for a dataset that
// cannot be opened (illumos-commands.md §6.1, §10), or zpool's for a
// missing pool: line is "cannot open 'NAME': dataset does not exist" or
// "cannot open 'NAME': no such pool". The pool form is [unconfirmed]: it
// is not in the reference, and is taken from the libzfs error table
// (EZFS_NOENT for pools). The name is everything between the first
// "cannot open '" and the last "': ", as zfs prints it unquoted.
func notExistName(line string) (string, bool) {
	rest, ok := strings.CutPrefix(line, "cannot open '")
	if !ok {
		return "", false
	}
	for _, why := range []string{"': dataset does not exist", "': no such pool"} {
		if name, ok := strings.CutSuffix(rest, why); ok {
			return name, true
		}
	}
	return "", false
}

// missingNames returns the names of the "cannot open 'X': dataset does not
// exist" lines of stderr, and whether every non-empty line was one.
func missingNames(stderr string) (names []string, onlyMissing bool) {
	onlyMissing = true
	for line := range strings.SplitSeq(stderr, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		name, ok := notExistName(line)
		if !ok {
			onlyMissing = false
			continue
		}
		names = append(names, name)
	}
	return names, onlyMissing && len(names) > 0
}

// classify turns a command's error into a *NotExistError when its stderr
// says a dataset does not exist, and returns any other error unchanged.
func classify(err error) error {
	var ce *illumos.CommandError
	if !errors.As(err, &ce) {
		return err
	}
	if names, _ := missingNames(ce.Stderr); len(names) > 0 {
		return &NotExistError{Names: names, Err: err}
	}
	return err
}

// Classify is classify, for a Library: it turns a zfs or zpool command's
// *illumos.CommandError into a *NotExistError when the command failed
// for a missing dataset or pool, and returns any other error as it is.
func Classify(err error) error { return classify(err) }
