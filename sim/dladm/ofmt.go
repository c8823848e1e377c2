package dladm

import (
	"fmt"
	"io"
	"strings"
)

// A field is one column of an ofmt table: its header and width.
type field struct {
	name  string
	width int
}

// An ofmt prints rows the way illumos's libofmt does: in human mode each
// field is padded to its width (a field that overflows shifts the next
// ones, which give the overflow back where they can), the last is
// unpadded, empty values print as "--", and the header repeats every 24
// lines (the default window height when stdout is not a terminal); in
// parsable mode values are joined by ':' and, when more than one field is
// selected, ':' and '\' inside values are escaped with '\'.
type ofmt struct {
	w        io.Writer
	fields   []field
	parsable bool
	nrow     int
}

// ofmtRows is the window height ofmt assumes without a terminal.
const ofmtRows = 24

// ofmtError is an ofmt_open() failure, with ofmt_strerror()'s text.
type ofmtError struct {
	msg   string
	fatal bool // fatal in human mode too (no valid field at all)
}

// newOfmt selects the fields named in spec (comma-separated,
// case-insensitive; "" or "all" for every field of the template).
// Unknown fields are an error in parsable mode and a warning otherwise.
func newOfmt(w io.Writer, template []field, spec string, parsable bool) (*ofmt, *ofmtError) {
	if parsable {
		if spec == "" {
			return nil, &ofmtError{msg: "output fields must be specified in parsable mode", fatal: true}
		}
		if strings.EqualFold(spec, "all") {
			return nil, &ofmtError{msg: "output field `all' invalid in parsable mode", fatal: true}
		}
	}
	o := &ofmt{w: w, parsable: parsable}
	if spec == "" || strings.EqualFold(spec, "all") {
		o.fields = template
		return o, nil
	}
	var bad []string
	for _, name := range strings.Split(spec, ",") {
		found := false
		for _, f := range template {
			if strings.EqualFold(f.name, name) {
				o.fields = append(o.fields, f)
				found = true
				break
			}
		}
		if !found {
			bad = append(bad, name)
		}
	}
	if len(o.fields) == 0 {
		return nil, &ofmtError{msg: "no valid output fields", fatal: true}
	}
	if len(bad) > 0 {
		var msg string
		switch {
		case !parsable && len(bad) > 1:
			msg = "ignoring unknown output fields:"
		case !parsable:
			msg = "ignoring unknown output field:"
		case len(bad) > 1:
			msg = "unknown output fields:"
		default:
			msg = "unknown output field:"
		}
		for _, b := range bad {
			msg += " `" + b + "'"
		}
		return o, &ofmtError{msg: msg, fatal: parsable}
	}
	return o, nil
}

// print prints one row; values maps upper-case field names to values.
func (o *ofmt) print(values map[string]string) {
	if o.nrow%ofmtRows == 0 && !o.parsable {
		headers := map[string]string{}
		for _, f := range o.fields {
			headers[f.name] = f.name
		}
		o.line(headers)
		o.nrow++
	}
	o.nrow++
	o.line(values)
}

func (o *ofmt) line(values map[string]string) {
	var b strings.Builder
	overflow := 0
	for i, f := range o.fields {
		v := values[f.name]
		last := i == len(o.fields)-1
		if o.parsable {
			if len(o.fields) == 1 {
				b.WriteString(v)
				continue
			}
			b.WriteString(strings.NewReplacer(`\`, `\\`, `:`, `\:`).Replace(v))
			if !last {
				b.WriteByte(':')
			}
			continue
		}
		if v == "" {
			v = "--"
		}
		if last {
			b.WriteString(v)
			continue
		}
		width := f.width
		if len(v)+overflow >= width {
			overflow += len(v) - width + 1
			b.WriteString(v + " ")
			continue
		}
		if overflow > 0 {
			c := min(overflow, width-len(v))
			overflow -= c
			width -= c
		}
		fmt.Fprintf(&b, "%-*s", width, v)
	}
	fmt.Fprintln(o.w, b.String())
}
