package jinja

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Python's string formatting: the % operator (printf-style, also the
// format filter) and str.format.

// pyPercent is Python's format % args: args is a tuple of the values, a
// dict for %(name)s conversions, or a single value.
func pyPercent(w *budget, format string, args any) (any, error) {
	var list []any
	var dict *Dict
	switch x := args.(type) {
	case Tuple:
		list = x
	case *Dict:
		dict = x
		list = []any{x}
	default:
		list = []any{args}
	}
	next := 0
	usedDict := false
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(format) {
			return nil, errors.New("incomplete format")
		}
		var arg any
		haveArg := false
		if format[i] == '(' {
			if dict == nil {
				return nil, typeErrorf("format requires a mapping")
			}
			depth, j := 1, i+1
			for j < len(format) && depth > 0 {
				switch format[j] {
				case '(':
					depth++
				case ')':
					depth--
				}
				j++
			}
			if depth > 0 {
				return nil, errors.New("incomplete format key")
			}
			key := format[i+1 : j-1]
			v, ok := dict.Get(key)
			if !ok {
				return nil, fmt.Errorf("KeyError: %s", pyQuote(key))
			}
			arg, haveArg = v, true
			usedDict = true
			i = j
		}
		spec := fmtSpec{precision: -1}
		for ; i < len(format) && strings.IndexByte("-+ #0", format[i]) >= 0; i++ {
			switch format[i] {
			case '-':
				spec.left = true
			case '+':
				spec.plus = true
			case ' ':
				spec.space = true
			case '#':
				spec.alt = true
			case '0':
				spec.zero = true
			}
		}
		takeInt := func() (int, error) {
			if next >= len(list) || dict != nil {
				return 0, typeErrorf("not enough arguments for format string")
			}
			n, ok := list[next].(int)
			next++
			if !ok {
				return 0, typeErrorf("* wants int")
			}
			return n, nil
		}
		if i < len(format) && format[i] == '*' {
			n, err := takeInt()
			if err != nil {
				return nil, err
			}
			if n < 0 {
				spec.left, n = true, -n
			}
			spec.width = n
			i++
		} else {
			for ; i < len(format) && isDigit(format[i]); i++ {
				spec.width = spec.width*10 + int(format[i]-'0')
				if spec.width > maxStringSize {
					return nil, stringTooLarge()
				}
			}
		}
		if i < len(format) && format[i] == '.' {
			i++
			spec.precision = 0
			if i < len(format) && format[i] == '*' {
				n, err := takeInt()
				if err != nil {
					return nil, err
				}
				spec.precision = max(n, 0)
				i++
			} else {
				for ; i < len(format) && isDigit(format[i]); i++ {
					spec.precision = spec.precision*10 + int(format[i]-'0')
					if spec.precision > maxStringSize {
						return nil, stringTooLarge()
					}
				}
			}
		}
		for i < len(format) && strings.IndexByte("hlL", format[i]) >= 0 {
			i++
		}
		if i >= len(format) {
			return nil, errors.New("incomplete format")
		}
		conv := format[i]
		if conv == '%' {
			b.WriteByte('%')
			continue
		}
		if !haveArg {
			if dict != nil {
				arg = dict
				usedDict = true
			} else {
				if next >= len(list) {
					return nil, typeErrorf("not enough arguments for format string")
				}
				arg = list[next]
				next++
			}
		}
		s, err := formatConv(w, conv, arg, spec, i)
		if err != nil {
			return nil, err
		}
		if b.Len()+len(s) > maxStringSize {
			return nil, stringTooLarge()
		}
		b.WriteString(s)
	}
	if dict == nil && next < len(list) {
		return nil, typeErrorf("not all arguments converted during string formatting")
	}
	if dict != nil && !usedDict && len(list) == 1 {
		// A dict given to a format without conversions is fine in
		// Python; nothing to check.
		_ = usedDict
	}
	return b.String(), w.checkString(b.Len())
}

// A fmtSpec is a conversion's flags, width and precision.
type fmtSpec struct {
	left, plus, space, alt, zero bool
	width, precision             int
}

// pad pads s to the width: left-justified, with zeros after a sign, or
// with spaces on the left.
func (s fmtSpec) pad(text string, numeric bool) string {
	n := utf8.RuneCountInString(text)
	if n >= s.width {
		return text
	}
	fill := s.width - n
	switch {
	case s.left:
		return text + strings.Repeat(" ", fill)
	case s.zero && numeric:
		sign := ""
		if text != "" && strings.IndexByte("+- ", text[0]) >= 0 {
			sign, text = text[:1], text[1:]
		}
		prefix := ""
		if len(text) > 1 && text[0] == '0' && strings.IndexByte("xXob", text[1]) >= 0 {
			prefix, text = text[:2], text[2:]
		}
		return sign + prefix + strings.Repeat("0", fill) + text
	}
	return strings.Repeat(" ", fill) + text
}

// sign returns the sign prefix of a number.
func (s fmtSpec) sign(neg bool) string {
	switch {
	case neg:
		return "-"
	case s.plus:
		return "+"
	case s.space:
		return " "
	}
	return ""
}

// formatConv converts one value for a % conversion.
func formatConv(w *budget, conv byte, arg any, spec fmtSpec, at int) (string, error) {
	switch conv {
	case 's', 'r', 'a':
		var s string
		var err error
		if conv == 's' {
			s, err = w.str(arg)
		} else {
			s = Repr(arg)
			if conv == 'a' {
				s = asciiRepr(s)
			}
		}
		if err != nil {
			return "", err
		}
		if spec.precision >= 0 {
			if r := []rune(s); len(r) > spec.precision {
				s = string(r[:spec.precision])
			}
		}
		spec.zero = false
		return spec.pad(s, false), nil
	case 'd', 'i', 'u', 'o', 'x', 'X':
		var n *big.Int
		switch x := arg.(type) {
		case bool, int, *big.Int:
			n, _ = toBig(x)
		case float64:
			if conv == 'o' || conv == 'x' || conv == 'X' {
				return "", typeErrorf("%%%c format: an integer is required, not float", conv)
			}
			v, err := pyInt(x)
			if err != nil {
				return "", err
			}
			n, _ = toBig(v)
		default:
			if conv == 'o' || conv == 'x' || conv == 'X' {
				return "", typeErrorf("%%%c format: an integer is required, not %s", conv, typeName(arg))
			}
			return "", typeErrorf("%%%c format: a real number is required, not %s", conv, typeName(arg))
		}
		base, prefix := 10, ""
		switch conv {
		case 'o':
			base, prefix = 8, "0o"
		case 'x':
			base, prefix = 16, "0x"
		case 'X':
			base, prefix = 16, "0X"
		}
		digits := new(big.Int).Abs(n).Text(base)
		if conv == 'X' {
			digits = strings.ToUpper(digits)
		}
		if spec.precision > len(digits) {
			digits = strings.Repeat("0", spec.precision-len(digits)) + digits
		}
		if !spec.alt {
			prefix = ""
		}
		return spec.pad(spec.sign(n.Sign() < 0)+prefix+digits, true), nil
	case 'e', 'E', 'f', 'F', 'g', 'G':
		f, ok := number(arg)
		if !ok {
			return "", typeErrorf("must be real number, not %s", typeName(arg))
		}
		if bi, isBig := arg.(*big.Int); isBig && bi.BitLen() > 1024 {
			return "", errors.New("int too large to convert to float")
		}
		return spec.pad(formatFloat(f, conv, spec), !math.IsInf(f, 0) && !math.IsNaN(f)), nil
	case 'c':
		switch x := arg.(type) {
		case int:
			if x < 0 || x > 0x10ffff {
				return "", errors.New("%c arg not in range(0x110000)")
			}
			return spec.pad(string(rune(x)), false), nil
		case string:
			if utf8.RuneCountInString(x) == 1 {
				return spec.pad(x, false), nil
			}
		}
		return "", typeErrorf("%%c requires int or char")
	}
	return "", fmt.Errorf("unsupported format character '%c' (0x%x) at index %d", conv, conv, at)
}

// formatFloat formats f for %e, %f or %g with Python's rules.
func formatFloat(f float64, conv byte, spec fmtSpec) string {
	upper := conv == 'E' || conv == 'F' || conv == 'G'
	switch {
	case math.IsNaN(f):
		s := "nan"
		if upper {
			s = "NAN"
		}
		return spec.sign(false) + s
	case math.IsInf(f, 0):
		s := "inf"
		if upper {
			s = "INF"
		}
		return spec.sign(f < 0) + s
	}
	prec := spec.precision
	if prec < 0 {
		prec = 6
	}
	neg := math.Signbit(f)
	f = math.Abs(f)
	var s string
	switch conv {
	case 'f', 'F':
		s = strconv.FormatFloat(f, 'f', prec, 64)
		if spec.alt && !strings.Contains(s, ".") {
			s += "."
		}
	case 'e', 'E':
		s = strconv.FormatFloat(f, 'e', prec, 64)
		if spec.alt && !strings.Contains(s, ".") {
			s = strings.Replace(s, "e", ".e", 1)
		}
	default:
		if prec == 0 {
			prec = 1
		}
		s = strconv.FormatFloat(f, 'g', prec, 64)
		if spec.alt {
			// keep trailing zeros: %#g
			exp := 0
			if f != 0 {
				exp = int(math.Floor(math.Log10(f)))
			}
			if exp < -4 || exp >= prec {
				s = strconv.FormatFloat(f, 'e', prec-1, 64)
			} else {
				s = strconv.FormatFloat(f, 'f', max(prec-1-exp, 0), 64)
				if !strings.Contains(s, ".") {
					s += "."
				}
			}
		}
	}
	if upper {
		s = strings.ToUpper(s)
	}
	return spec.sign(neg) + s
}

// asciiRepr escapes the non-ASCII characters of a repr, as ascii() does.
func asciiRepr(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	return b.String()
}

// strFormat is str.format(*args, **kwargs): replacement fields {}, {0},
// {name}, with .attr and [key] lookups and a format spec.
func strFormat(a *fargs) (any, error) {
	s := Str(a.in)
	var b strings.Builder
	auto := 0
	manual := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '{' && i+1 < len(s) && s[i+1] == '{':
			b.WriteByte('{')
			i++
			continue
		case c == '}' && i+1 < len(s) && s[i+1] == '}':
			b.WriteByte('}')
			i++
			continue
		case c == '}':
			return nil, errors.New("Single '}' encountered in format string")
		case c != '{':
			b.WriteByte(c)
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return nil, errors.New("expected '}' before end of string")
		}
		field := s[i+1 : i+end]
		i += end
		name, specText, _ := strings.Cut(field, ":")
		conv := ""
		if k := strings.IndexByte(name, '!'); k >= 0 {
			name, conv = name[:k], name[k+1:]
		}
		first := name
		if k := strings.IndexAny(name, ".["); k >= 0 {
			first = name[:k]
		}
		var v any
		switch {
		case first == "":
			if manual {
				return nil, errors.New("cannot switch from manual field specification to automatic field numbering")
			}
			if auto >= len(a.rest) {
				return nil, fmt.Errorf("Replacement index %d out of range for positional args tuple", auto)
			}
			v = a.rest[auto]
			auto++
		case isDigit(first[0]):
			manual = true
			n, err := strconv.Atoi(first)
			if err != nil || n >= len(a.rest) {
				return nil, fmt.Errorf("Replacement index %s out of range for positional args tuple", first)
			}
			v = a.rest[n]
		default:
			kv, ok := a.kw[first]
			if !ok {
				return nil, fmt.Errorf("KeyError: %s", pyQuote(first))
			}
			v = kv
		}
		rest := name[len(first):]
		for rest != "" {
			var err error
			switch rest[0] {
			case '.':
				k := strings.IndexAny(rest[1:], ".[")
				attr := rest[1:]
				if k >= 0 {
					attr = rest[1 : k+1]
				}
				rest = rest[1+len(attr):]
				if v, err = a.ev.getattr(v, attr); err != nil {
					return nil, err
				}
			case '[':
				k := strings.IndexByte(rest, ']')
				if k < 0 {
					return nil, errors.New("Missing ']' in format string")
				}
				key := rest[1:k]
				rest = rest[k+1:]
				var kv any = key
				if n, err := strconv.Atoi(key); err == nil {
					kv = n
				}
				if v, err = a.ev.getitem(v, kv); err != nil {
					return nil, err
				}
			default:
				return nil, errors.New("Only '.' or '[' may follow ']' in format field specifier")
			}
			if u, ok := v.(undefined); ok {
				return nil, u.err()
			}
		}
		switch conv {
		case "":
		case "s":
			v = Str(v)
		case "r":
			v = Repr(v)
		case "a":
			v = asciiRepr(Repr(v))
		default:
			return nil, fmt.Errorf("Unknown conversion specifier %s", conv)
		}
		out, err := formatSpec(a.w, v, specText)
		if err != nil {
			return nil, err
		}
		if b.Len()+len(out) > maxStringSize {
			return nil, stringTooLarge()
		}
		b.WriteString(out)
	}
	return b.String(), nil
}

// formatSpec is Python's format(value, spec) for the standard format
// specification mini-language.
func formatSpec(w *budget, v any, spec string) (string, error) {
	fill, align := " ", byte(0)
	if r, n := utf8.DecodeRuneInString(spec); n > 0 && len(spec) > n && strings.IndexByte("<>=^", spec[n]) >= 0 {
		fill, align, spec = string(r), spec[n], spec[n+1:]
	} else if len(spec) > 0 && strings.IndexByte("<>=^", spec[0]) >= 0 {
		align, spec = spec[0], spec[1:]
	}
	fs := fmtSpec{precision: -1}
	if len(spec) > 0 && strings.IndexByte("+- ", spec[0]) >= 0 {
		fs.plus, fs.space = spec[0] == '+', spec[0] == ' '
		spec = spec[1:]
	}
	if strings.HasPrefix(spec, "#") {
		fs.alt, spec = true, spec[1:]
	}
	if strings.HasPrefix(spec, "0") {
		fs.zero, spec = true, spec[1:]
		if align == 0 {
			align, fill = '=', "0"
		}
	}
	i := 0
	for i < len(spec) && isDigit(spec[i]) {
		i++
	}
	if i > 0 {
		fs.width, _ = strconv.Atoi(spec[:i])
		if fs.width > maxStringSize {
			return "", stringTooLarge()
		}
		spec = spec[i:]
	}
	grouping := ""
	if len(spec) > 0 && (spec[0] == ',' || spec[0] == '_') {
		grouping, spec = spec[:1], spec[1:]
	}
	if strings.HasPrefix(spec, ".") {
		j := 1
		for j < len(spec) && isDigit(spec[j]) {
			j++
		}
		fs.precision, _ = strconv.Atoi(spec[1:j])
		spec = spec[j:]
	}
	typ := byte(0)
	if len(spec) == 1 {
		typ = spec[0]
	} else if len(spec) > 1 {
		return "", errors.New("Invalid format specifier")
	}
	var body string
	numeric := false
	switch x := v.(type) {
	case string, Unsafe:
		if typ != 0 && typ != 's' {
			return "", fmt.Errorf("Unknown format code '%c' for object of type 'str'", typ)
		}
		body = Str(x)
		if fs.precision >= 0 {
			if r := []rune(body); len(r) > fs.precision {
				body = string(r[:fs.precision])
			}
		}
		if align == 0 {
			align = '<'
		}
	case bool, int, *big.Int, float64:
		numeric = true
		isF := false
		if _, ok := x.(float64); ok {
			isF = true
		}
		switch {
		case typ == 0 && !isF, typ == 'd':
			if isF {
				return "", errors.New("Unknown format code 'd' for object of type 'float'")
			}
			n, _ := toBig(x)
			body = fs.sign(n.Sign() < 0) + groupDigits(new(big.Int).Abs(n).String(), grouping)
			if _, isBool := x.(bool); isBool && typ == 0 {
				body = Str(x)
				numeric = false
			}
		case typ == 'x' || typ == 'X' || typ == 'o' || typ == 'b':
			if isF {
				return "", fmt.Errorf("Unknown format code '%c' for object of type 'float'", typ)
			}
			n, _ := toBig(x)
			base := map[byte]int{'x': 16, 'X': 16, 'o': 8, 'b': 2}[typ]
			digits := new(big.Int).Abs(n).Text(base)
			if typ == 'X' {
				digits = strings.ToUpper(digits)
			}
			prefix := ""
			if fs.alt {
				prefix = "0" + string(typ)
			}
			body = fs.sign(n.Sign() < 0) + prefix + digits
		case typ == 0 && isF:
			f := x.(float64)
			if fs.precision >= 0 {
				body = formatFloat(f, 'g', fs)
			} else {
				body = fs.sign(math.Signbit(f)) + pyFloat(math.Abs(f))
			}
		case strings.IndexByte("eEfFgG%", typ) >= 0:
			f, _ := number(x)
			c := typ
			if typ == '%' {
				f *= 100
				c = 'f'
			}
			body = formatFloat(f, c, fs)
			if grouping != "" {
				intPart, frac, _ := strings.Cut(strings.TrimLeft(body, "+- "), ".")
				sign := body[:len(body)-len(strings.TrimLeft(body, "+- "))]
				body = sign + groupDigits(intPart, grouping)
				if frac != "" {
					body += "." + frac
				}
			}
			if typ == '%' {
				body += "%"
			}
		default:
			return "", fmt.Errorf("Unknown format code '%c' for object of type '%s'", typ, typeName(x))
		}
		if align == 0 {
			align = '>'
		}
	default:
		if spec != "" || fs.width > 0 {
			return "", fmt.Errorf("unsupported format string passed to %s.__format__", typeName(v))
		}
		s, err := w.str(v)
		return s, err
	}
	n := utf8.RuneCountInString(body)
	if n >= fs.width {
		return body, nil
	}
	pad := fs.width - n
	switch align {
	case '<':
		return body + strings.Repeat(fill, pad), nil
	case '^':
		return strings.Repeat(fill, pad/2) + body + strings.Repeat(fill, pad-pad/2), nil
	case '=':
		if numeric && body != "" && strings.IndexByte("+- ", body[0]) >= 0 {
			return body[:1] + strings.Repeat(fill, pad) + body[1:], nil
		}
		return strings.Repeat(fill, pad) + body, nil
	}
	return strings.Repeat(fill, pad) + body, nil
}

// groupDigits inserts a separator every three digits.
func groupDigits(digits, sep string) string {
	if sep == "" || len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	pre := len(digits) % 3
	if pre > 0 {
		b.WriteString(digits[:pre])
	}
	for i := pre; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}
