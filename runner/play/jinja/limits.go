package jinja

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"unicode/utf8"
)

// The bounds of template evaluation. Whatever its templates say, one
// evaluation (one Env: a template, a condition, or a value with the
// templates in it, together with the variables it renders on the way)
// builds no value larger than these bounds, takes at most maxSteps
// steps, and stops when its context is cancelled (the play's, on
// SIGINT or SIGTERM).
const (
	// maxStringSize is the longest string, in bytes, an evaluation
	// builds.
	maxStringSize = 16 << 20
	// maxElements is the most elements a list, or members a dict, that an
	// evaluation builds may hold.
	maxElements = 1_000_000
	// maxTotalSize bounds the rough size of a list or dict an evaluation
	// builds, nested values included: the bytes of its strings and dict
	// keys plus elementSize for every value in it, about what it takes in
	// memory.
	maxTotalSize = 64 << 20
	// elementSize is what each value counts toward maxTotalSize besides
	// its text.
	elementSize = 16
	// maxSteps bounds the work of one evaluation. A step is an expression
	// node evaluated, an element a filter, a comparison or a size check
	// goes through, or textPerStep bytes of text built.
	maxSteps = 10_000_000
	// textPerStep is how many bytes of text built count as one step.
	textPerStep = 64
	// cancelCheckSteps is how often, in steps, an evaluation checks
	// whether its context was cancelled.
	cancelCheckSteps = 1024
	// maxVarDepth bounds the nesting of variables rendered inside one
	// another: a variable whose value refers to a variable whose value
	// refers to another, and so on.
	maxVarDepth = 1000
)

// A limitError is an evaluation that passed one of the bounds above.
type limitError struct {
	// Msg says which bound and what passed it.
	Msg string
	// Size tells whether the bound is one of a value's size.
	Size bool
}

func (e *limitError) Error() string { return e.Msg }

// isSizeError tells whether err is that of a value past a size bound.
func isSizeError(err error) bool {
	var le *limitError
	return errors.As(err, &le) && le.Size
}

// A varSizeError is a size limitError met while rendering a variable,
// which it names: the innermost variable, whose template built the value.
type varSizeError struct {
	Var string
	err error
}

func (e *varSizeError) Error() string { return fmt.Sprintf("%v, in variable '%s'", e.err, e.Var) }
func (e *varSizeError) Unwrap() error { return e.err }

// inVariable names the variable in a size error that does not name one
// yet; other errors it returns as they are.
func inVariable(err error, name string) error {
	var ve *varSizeError
	if !isSizeError(err) || errors.As(err, &ve) {
		return err
	}
	return &varSizeError{Var: name, err: err}
}

// tooLarge is the error of a value that passed a size bound: what it was
// ("a string"), the bound and its unit.
func tooLarge(what string, limit int, unit string) error {
	return &limitError{Msg: fmt.Sprintf("template result too large: %s of more than %d %s (the limit)", what, limit, unit), Size: true}
}

// The errors of the size bounds.
func stringTooLarge() error { return tooLarge("a string", maxStringSize, "bytes") }
func listTooLarge() error   { return tooLarge("a list", maxElements, "elements") }
func dictTooLarge() error   { return tooLarge("a dict", maxElements, "members") }
func valueTooLarge() error  { return tooLarge("a value", maxTotalSize, "bytes in all") }

// An interruptedError is an evaluation stopped because its context was
// cancelled; it wraps the context's cause.
type interruptedError struct{ cause error }

func (e *interruptedError) Error() string {
	return "template evaluation interrupted: " + e.cause.Error()
}

func (e *interruptedError) Unwrap() error { return e.cause }

// A budget is the work one evaluation has done, against maxSteps, and
// the context whose cancellation stops it.
type budget struct {
	// ctx, when set, stops the evaluation once cancelled.
	ctx context.Context
	// steps counts the steps taken.
	steps int
	// nextCheck is the step count at which ctx is checked next.
	nextCheck int
	// sizes holds the sizes of the lists and dicts measured so far that
	// took many steps to measure although short themselves, such as a
	// list of two copies of a large value, so that a value built of
	// copies of another is measured once. An entry keeps its value, so
	// that its address is not reused while cached; cached is the total
	// of the sizes held, at most maxCachedSize.
	sizes  map[sizeKey]sizeEntry
	cached int
}

// A sizeKey identifies a list or dict: its address and length.
type sizeKey struct {
	addr uintptr
	n    int
}

// A sizeEntry is a cached size, with the value measured.
type sizeEntry struct {
	v    any
	size int
}

// The bounds of the budget's cache of sizes: only lists and dicts of at
// most maxCachedLen elements whose measure took at least minCachedSteps
// steps are cached, up to maxCachedSize in all.
const (
	maxCachedLen   = 1024
	minCachedSteps = 256
	maxCachedSize  = 2 * maxTotalSize
)

// step takes n steps: it fails once the steps pass the limit, and, from
// the first step on and then every cancelCheckSteps steps, when the
// context was cancelled. Once it has failed it keeps failing.
func (b *budget) step(n int) error {
	b.steps += n
	if b.steps > maxSteps {
		return &limitError{Msg: fmt.Sprintf("template evaluation too long: more than %d steps (the limit)", maxSteps)}
	}
	if b.steps >= b.nextCheck {
		b.nextCheck = b.steps + cancelCheckSteps
		if b.ctx != nil && b.ctx.Err() != nil {
			return &interruptedError{context.Cause(b.ctx)}
		}
	}
	return nil
}

// text takes the steps of building n bytes of text.
func (b *budget) text(n int) error { return b.step(1 + n/textPerStep) }

// str is Str(v) for a value being built: an error when the text would
// pass maxStringSize, and the steps of building it.
func (b *budget) str(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case Unsafe:
		return string(x), nil
	}
	var sb strings.Builder
	writeRepr(&sb, v, maxStringSize)
	if sb.Len() > maxStringSize {
		return "", stringTooLarge()
	}
	return sb.String(), b.text(sb.Len())
}

// checkString fails when n bytes of text pass maxStringSize, and takes
// the steps of building them otherwise.
func (b *budget) checkString(n int) error {
	if n > maxStringSize {
		return stringTooLarge()
	}
	return b.text(n)
}

// check fails when v, a value just built, passes a bound: a string
// longer than maxStringSize, a list or dict wider than maxElements or
// larger in all than maxTotalSize.
func (b *budget) check(v any) error {
	switch x := v.(type) {
	case string:
		if len(x) > maxStringSize {
			return stringTooLarge()
		}
		return nil
	case []any:
		if len(x) > maxElements {
			return listTooLarge()
		}
	case Tuple:
		if len(x) > maxElements {
			return listTooLarge()
		}
	case *Dict:
		if x.Len() > maxElements {
			return dictTooLarge()
		}
	case *big.Int:
		if x.BitLen() > maxIntBits {
			return intTooLarge()
		}
		return nil
	default:
		return nil
	}
	total := 0
	return b.add(&total, v)
}

// add adds the size of v to *total, the size so far of a list or dict
// being built, and fails once it passes maxTotalSize.
func (b *budget) add(total *int, v any) error {
	n, err := b.size(v, *total, maxTotalSize)
	*total = n
	if err != nil {
		return err
	}
	if n > maxTotalSize {
		return valueTooLarge()
	}
	return nil
}

// size returns n plus the rough size of v (see maxTotalSize), or a
// number past limit as soon as it passes limit. It takes a step for each
// element it goes through.
func (b *budget) size(v any, n, limit int) (int, error) {
	var key sizeKey
	switch x := v.(type) {
	case string:
		return n + elementSize + len(x), nil
	case Unsafe:
		return n + elementSize + len(x), nil
	case []any:
		if len(x) == 0 {
			return n + elementSize, nil
		}
		key = sizeKey{reflect.ValueOf(x).Pointer(), len(x)}
	case Tuple:
		if len(x) == 0 {
			return n + elementSize, nil
		}
		key = sizeKey{reflect.ValueOf([]any(x)).Pointer(), len(x)}
	case *Dict:
		if x.Len() == 0 {
			return n + elementSize, nil
		}
		key = sizeKey{reflect.ValueOf(x).Pointer(), x.Len()}
	case *big.Int:
		return n + elementSize + len(x.Bits())*8, nil
	default:
		return n + elementSize, nil
	}
	if e, ok := b.sizes[key]; ok {
		return n + e.size, nil
	}
	start := b.steps
	sub, err := b.walk(v, limit-n)
	if err != nil || sub > limit-n {
		return n + sub, err
	}
	if key.n <= maxCachedLen && b.steps-start >= minCachedSteps && b.cached+sub <= maxCachedSize {
		if b.sizes == nil {
			b.sizes = map[sizeKey]sizeEntry{}
		}
		b.sizes[key] = sizeEntry{v, sub}
		b.cached += sub
	}
	return n + sub, nil
}

// walk returns the size of a list or dict, the sum of its elements', or
// a number past limit as soon as it passes limit.
func (b *budget) walk(v any, limit int) (int, error) {
	n := elementSize
	var err error
	switch x := v.(type) {
	case []any:
		return b.walkSeq(x, n, limit)
	case Tuple:
		return b.walkSeq(x, n, limit)
	case *Dict:
		for k, e := range x.All() {
			if err := b.step(1); err != nil {
				return n, err
			}
			if n > limit {
				return n, nil
			}
			if n, err = b.size(e, n+len(k), limit); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// walkSeq adds the sizes of a list's elements to n.
func (b *budget) walkSeq(x []any, n, limit int) (int, error) {
	var err error
	for _, e := range x {
		if err := b.step(1); err != nil {
			return n, err
		}
		if n > limit {
			return n, nil
		}
		if n, err = b.size(e, n, limit); err != nil {
			return n, err
		}
	}
	return n, nil
}

// items returns the elements of a list or tuple, the characters of a
// string or the keys of a dict, failing when a string has more characters than
// maxElements. It takes a step for each element it makes, those of a
// string or dict; a filter going through them takes its own.
func (b *budget) items(in any) ([]any, error) {
	switch x := in.(type) {
	case string:
		if utf8.RuneCountInString(x) > maxElements {
			return nil, listTooLarge()
		}
		if err := b.step(len(x)); err != nil {
			return nil, err
		}
	case *Dict:
		if err := b.step(x.Len()); err != nil {
			return nil, err
		}
	}
	return items(in)
}

// Equal is Python's x == y of two values (see equalCount), outside any
// template's budget.
func Equal(x, y any) bool {
	n := 0
	return equalCount(x, y, &n)
}

// equal is Python's x == y (see equalCount), taking a step for each pair
// of values compared.
func (b *budget) equal(x, y any) (bool, error) {
	n := 0
	eq := equalCount(x, y, &n)
	return eq, b.step(n)
}

// order compares x and y as Python's op does (see orderCount), taking a
// step for each pair of values compared.
func (b *budget) order(op string, x, y any) (int, error) {
	n := 0
	c, err := orderCount(op, x, y, &n)
	if serr := b.step(n); serr != nil {
		return 0, serr
	}
	return c, err
}

// member is Python's `x in y` (see memberCount), taking a step for each
// pair of values compared or textPerStep bytes searched.
func (b *budget) member(x, y any) (bool, error) {
	n := 0
	in, err := memberCount(x, y, &n)
	if serr := b.step(n); serr != nil {
		return false, serr
	}
	return in, err
}
