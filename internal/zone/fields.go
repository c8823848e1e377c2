package zone

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/go-multierror"

	"github.com/zonemgr/zonemgr/internal/jsonv"
)

// A Field is one setting of a request to the engine: a spec's field. The
// engine names fields in its errors and hints; each front door phrases
// them in its own words (a module its option, the command line its
// flag), so that a user reads back what they typed.
type Field int

// The fields of the engine's specs.
const (
	FieldNone Field = iota
	FieldName
	FieldState
	FieldGIZ
	FieldSource
	FieldSnapshot
	FieldBrand
	FieldTemplate
	FieldLofs
	FieldAutoNFS
	FieldDatasets
	FieldVNICs
	FieldVNICsOver
	FieldCopyUsers
	FieldCopyGroups
	FieldElevateUsers
	FieldCappedMemory
	FieldCappedCPU
	FieldBootTimeout
	FieldRecreate
	FieldForce
	FieldAddPackages
	FieldRemovePackages
	FieldAddPublishers
	FieldRemovePublishers
	FieldUpdatePackages
	FieldImage
	FieldIncrementalFrom
	FieldAttachUpdate
	FieldArchive
	FieldLDAPClient
	FieldCmd
	FieldZone
	FieldUser
	FieldChdir
	FieldEnv
	FieldTimeout
	FieldDiscard
	FieldLog
	FieldOKRCs
	FieldOutputLimit
	FieldRole
	FieldPackages
	FieldUnusedGoldens
	fieldCount
)

// fieldWords are the engine's own words for its fields, used when no
// front door phrases an error.
var fieldWords = [fieldCount]string{
	FieldName: "name", FieldState: "state", FieldGIZ: "golden zone", FieldSource: "source zone",
	FieldSnapshot: "snapshot", FieldBrand: "brand", FieldTemplate: "template",
	FieldLofs: "lofs mounts", FieldAutoNFS: "NFS automounts", FieldDatasets: "delegated datasets",
	FieldVNICs: "VNICs", FieldVNICsOver: "VNICs over links", FieldCopyUsers: "users to copy",
	FieldCopyGroups: "groups to copy", FieldElevateUsers: "users to elevate",
	FieldCappedMemory: "memory cap", FieldCappedCPU: "CPU cap", FieldBootTimeout: "boot timeout",
	FieldRecreate: "recreate", FieldForce: "force", FieldAddPackages: "packages to add",
	FieldRemovePackages: "packages to remove", FieldAddPublishers: "publishers to add",
	FieldRemovePublishers: "publishers to remove", FieldUpdatePackages: "package update",
	FieldImage: "image", FieldIncrementalFrom: "incremental base", FieldAttachUpdate: "attach update",
	FieldArchive: "archive", FieldLDAPClient: "LDAP client", FieldCmd: "command", FieldZone: "zone",
	FieldUser: "user", FieldChdir: "directory", FieldEnv: "environment", FieldTimeout: "timeout",
	FieldDiscard: "discard policy", FieldLog: "log", FieldOKRCs: "accepted exit codes",
	FieldOutputLimit: "output limit", FieldRole: "role", FieldPackages: "packages",
	FieldUnusedGoldens: "unused golden zones' age",
}

// String is the engine's own word for the field.
func (f Field) String() string {
	if f > FieldNone && f < fieldCount {
		return fieldWords[f]
	}
	return fmt.Sprintf("field %d", int(f))
}

// Fields is a set of fields.
type Fields uint64

// A Fields holds every field.
var _ [64 - fieldCount]struct{}

// FieldSet returns the set of the given fields.
func FieldSet(fs ...Field) Fields {
	var s Fields
	for _, f := range fs {
		s |= 1 << uint(f)
	}
	return s
}

// Has reports whether f is in the set.
func (s Fields) Has(f Field) bool { return s&(1<<uint(f)) != 0 }

// List returns the set's fields in order.
func (s Fields) List() []Field {
	var out []Field
	for f := FieldNone + 1; f < fieldCount; f++ {
		if s.Has(f) {
			out = append(out, f)
		}
	}
	return out
}

// MarshalJSON renders the set as a list of the engine's words for its
// fields.
func (s Fields) MarshalJSON() ([]byte, error) {
	words := []string{}
	for _, f := range s.List() {
		words = append(words, f.String())
	}
	return jsonv.Marshal(words)
}

// A Namer phrases fields as a front door's user typed them: Name labels
// a field ("add_vnics_over", "--add-vnic-over"); Enable says how to turn
// a switch on ("force: true", "-f"). A nil func, or a nil *Namer, falls
// back to the engine's own words.
type Namer struct {
	Name   func(Field) string
	Enable func(Field) string
}

func (n *Namer) name(f Field) string {
	if n != nil && n.Name != nil {
		return n.Name(f)
	}
	return f.String()
}

func (n *Namer) enable(f Field) string {
	if n != nil && n.Enable != nil {
		return n.Enable(f)
	}
	return n.name(f) + " on"
}

// Enable, as an argument of an error's text, is a hint to turn a switch
// on, phrased by the door.
type Enable Field

// String is the hint in the engine's own words.
func (e Enable) String() string { return (*Namer)(nil).enable(Field(e)) }

// An OptionError is a request the engine refuses because of what one
// field (or, with FieldNone, several named in the text) says. Its text
// names fields as values of type Field (or []Field) among its
// arguments, so that each door phrases them in its own words.
type OptionError struct {
	Field  Field
	format string
	args   []any
}

// optErr returns an *OptionError for field f; args of type Field or
// []Field are phrased by the door, the others formatted as by
// fmt.Sprintf ("%w" included).
func optErr(f Field, format string, args ...any) *OptionError {
	return &OptionError{Field: f, format: format, args: args}
}

// Error is the text in the engine's own words.
func (e *OptionError) Error() string { return e.Phrase(nil) }

// Phrase renders the error with each field named by n (nil: the
// engine's words): "NAME: text", or the text alone for FieldNone.
func (e *OptionError) Phrase(n *Namer) string {
	args := make([]any, len(e.args))
	for i, a := range e.args {
		switch v := a.(type) {
		case Field:
			args[i] = n.name(v)
		case Enable:
			args[i] = n.enable(Field(v))
		case []Field:
			s := make([]string, len(v))
			for k, f := range v {
				s[k] = n.name(f)
			}
			args[i] = strings.Join(s, ", ")
		case []error:
			s := make([]string, len(v))
			for k, err := range v {
				s[k] = Phrase(err, n)
			}
			args[i] = strings.Join(s, "; ")
		case error:
			args[i] = Phrase(v, n)
		default:
			args[i] = a
		}
	}
	msg := fmt.Sprintf(strings.ReplaceAll(e.format, "%w", "%v"), args...)
	if e.Field == FieldNone {
		return msg
	}
	return n.name(e.Field) + ": " + msg
}

// Unwrap returns the errors among the arguments.
func (e *OptionError) Unwrap() []error {
	var out []error
	for _, a := range e.args {
		if err, ok := a.(error); ok {
			out = append(out, err)
		}
	}
	return out
}

// Phrase renders an error of the engine for a front door: option errors
// with their fields named by n, the errors collected by a validation
// joined by "; ", and any other error as its text.
func Phrase(err error, n *Namer) string {
	var oe *OptionError
	var me *multierror.Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &me) && me == err:
		s := make([]string, len(me.Errors))
		for i, e := range me.Errors {
			s[i] = Phrase(e, n)
		}
		return strings.Join(s, "; ")
	case errors.As(err, &oe) && oe == err:
		return oe.Phrase(n)
	}
	return err.Error()
}
